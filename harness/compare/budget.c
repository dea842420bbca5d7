/* The cells still `unknown` against a baseline (budget.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "mannwhitney.h"
#include "matrix.h"
#include "results.h"

int hb_budget_open(struct hb_budget *b, const char *baseline, char *err, size_t errlen)
{
	char why[PATH_MAX + 256];
	int rc;

	b->reps.baseline = baseline;
	snprintf(b->why, sizeof(b->why), "still unknown against %s", baseline);
	b->reps.why = b->why;
	b->reps.want = hb_budget_unknown;
	rc = hb_rundata_load(baseline, &b->base, why, sizeof(why));
	if (rc)
		snprintf(err, errlen, "--baseline %s: %s", baseline, why);
	return rc;
}

void hb_budget_close(struct hb_budget *b)
{
	if (b->reps.baseline)
		hb_rundata_free(&b->base);
	b->reps.baseline = NULL;
}

int hb_budget_unknown(struct hb_extra_reps *reps, const struct hb_results *res,
		      const struct hb_matrix *m, unsigned char *want)
{
	struct hb_budget *b = (struct hb_budget *)reps; /* .reps is its first member */
	struct hb_cmp_run base = { b->base.rows, b->base.n, "baseline", b->reps.baseline, NULL,
				   NULL };
	struct hb_cmp_run now = { res->rows, res->n, "this run", res->dir, NULL, NULL };
	struct hb_cmp_result r;
	char err[1024];
	int rc, n = 0, need = hb_mwu_min_n(HB_CMP_ALPHA);

	memset(want, 0, m->n * HB_MAX_BACKINGS);
	rc = hb_compare(&base, &now, 1, &b->opts, &r, err, sizeof(err));
	if (rc == -ENOMEM)
		return rc;
	if (rc) /* nothing in common with the baseline: no verdict more repetitions could give */
		return 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct hb_cmp_line *l = &r.lines[i];

		/* Only where more repetitions of this run can decide: not a figure without a
		 * direction (never worse), nor one whose baseline has too few for the U test
		 * (the range rule only gets less likely as this side's range grows). */
		if (l->verdict != HB_CMP_UNKNOWN || l->better == HB_NEITHER ||
		    (int)l->base.n < need)
			continue;
		for (size_t e = 0; e < m->n; e++) {
			if (strcmp(m->e[e].w->name, l->workload) ||
			    strcmp(m->e[e].params_text, l->params))
				continue;
			for (int k = 0; k < m->e[e].nbackings; k++)
				if (!strcmp(m->e[e].backings[k].name, l->backing) &&
				    !want[e * HB_MAX_BACKINGS + k]) {
					want[e * HB_MAX_BACKINGS + k] = 1;
					n++;
				}
		}
	}
	hb_cmp_result_free(&r);
	return n;
}
