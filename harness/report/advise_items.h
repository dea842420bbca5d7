/*
 * advise's working parts, shared by advise.c (the decision) and advise_limit.c (--memory-limit):
 * an item is one rule's figure of one backing paired with 4k in one parameter set; a candidate
 * is a backing with its tally over the items of a priority.
 */
#ifndef HB_ADVISE_ITEMS_H
#define HB_ADVISE_ITEMS_H
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "advise.h"
#include "advise_service.h"
#include "paired_fig.h"

#define HB_ADV_REF "4k" /* every backing is paired with it */

struct item {
	const struct hb_rundata *r;
	const struct hb_workload *w;
	const struct hb_advice_rule *rule;
	const char *set;
	char label[96];
	char b[32];
	struct hb_fig_cmp c;
	int dir;    /* +1 better than 4k, -1 worse, 0 the same, 2 open */
	int weighs; /* in this priority's decision */
};

struct cand {
	char b[32];
	int wins, losses, open;
	double logsum; /* sum of the decided items' log ratios, better as negative */
	double footprint;
	int ruled;
	/* With a service (opts.service): its predicted memory under this backing, KiB */
	int scaled;
	double pred, pred_lo, pred_hi;
	char pred_from[400];
};

/* A line into l, unless l has it already or is full. */
static inline void add(struct hb_adv_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void add(struct hb_adv_lines *l, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= HB_ADV_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(l->s[l->n], HB_ADV_LINE, fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->s[i], l->s[l->n]))
			return; /* said already */
	l->n++;
}

/*
 * Each candidate's memory figure (the largest median of the rules marked footprint) and, with
 * opts.service, the service's predicted memory under it (docs/advise.md, how the limit is
 * scaled; why not, in a->memory); with --memory-limit, the candidates ruled out (a->ruled).
 */
void hb_adv_limit(struct hb_advice *a, const struct hb_adv_opts *o, const struct item *it,
		  size_t n, struct cand *c, size_t nc);

#endif
