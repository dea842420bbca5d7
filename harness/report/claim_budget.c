/* The cells of a claim still undecided (claim_budget.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "claim_budget.h"
#include "paired_fig.h"
#include "results.h"
#include "run_analysis.h"
#include "sets.h"
#include "verdict.h"

void hb_claim_budget_init(struct hb_claim_budget *b, uint64_t ns, int max_reps)
{
	memset(b, 0, sizeof(*b));
	b->reps.ns = ns;
	b->reps.max_reps = max_reps;
	b->reps.why = "with a claim still open";
	b->reps.want = hb_claim_budget_want;
}

static int in_list(const char *const *l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], s))
			return 1;
	return 0;
}

/* Marks the cell of entry e with backing name bk, if the entry has it; 1 when newly marked. */
static int mark(const struct hb_matrix *m, size_t e, const char *bk, unsigned char *want)
{
	for (int k = 0; k < m->e[e].nbackings; k++)
		if (!strcmp(m->e[e].backings[k].name, bk) && !want[e * HB_MAX_BACKINGS + k]) {
			want[e * HB_MAX_BACKINGS + k] = 1;
			return 1;
		}
	return 0;
}

/* Whether claim c is still open for backing bk in set, and more repetitions may close it: a
 * figure that varies, until the cap or the budget (the interval narrows with more pairs, even
 * where the ratios so far sit on both sides of a bound); a figure that repeats only while it
 * has no pair (more pairs never narrow a range). */
static int open_claim(const struct hb_rundata *v, const struct hb_workload *w,
		      const struct hb_claim *c, const char *set, const char *bk)
{
	struct hb_fig_cmp fc;
	char why[200];

	if (hb_fig_claim(v, w, c, set, bk, &fc))
		return 0; /* no pair: its cells failed, were skipped or are not in the run */
	if (hb_verdict_judge(&fc, c->lo, c->hi, why, sizeof(why)) != HB_V_CANNOT_TELL)
		return 0;
	return !fc.exact || !fc.has_interval;
}

/* Whether claim c already has its verdict: the report's merge (verdict.h) over every set of the
 * claim in the matrix and every tested backing with a pair. One backing decided decides the
 * claim (another that disagrees later would make it mixed); the others' lines keep saying
 * "cannot tell" with their intervals. */
static int claim_decided(const struct hb_rundata *v, const struct hb_matrix *m,
			 const struct hb_workload *w, const struct hb_claim *c,
			 const char *const *sets, size_t ns)
{
	enum hb_verdict acc = HB_V_NOT_MEASURED;
	struct hb_fig_cmp fc;
	char why[200];

	for (size_t j = 0; j < m->n; j++) {
		if (m->e[j].w != w || !in_list(sets, ns, m->e[j].params_text))
			continue;
		for (int k = 0; k < m->e[j].nbackings; k++) {
			const char *bk = m->e[j].backings[k].name;

			if ((c->vs_backing && !strcmp(bk, c->vs_backing)) ||
			    (c->backings && !hb_backing_matches(c->backings, bk)) ||
			    hb_fig_claim(v, w, c, m->e[j].params_text, bk, &fc))
				continue;
			acc = hb_verdict_merge(acc, hb_verdict_judge(&fc, c->lo, c->hi, why,
								     sizeof(why)));
		}
	}
	return acc != HB_V_NOT_MEASURED && acc != HB_V_CANNOT_TELL;
}

/* The cells of claim c of entry e's workload that want a repetition; how many marked. */
static int claim_cells(const struct hb_rundata *v, const struct hb_matrix *m, size_t e,
		       const struct hb_claim *c, unsigned char *want)
{
	const struct hb_workload *w = m->e[e].w;
	const char *sets[HB_MAX_LIST], *twins[HB_MAX_LIST];
	size_t ns = hb_run_sets(v, w, c->sets, sets, HB_MAX_LIST), nt = 0;
	int n = 0;

	if (!in_list(sets, ns, m->e[e].params_text) || claim_decided(v, m, w, c, sets, ns))
		return 0;
	if (c->vs_sets)
		nt = hb_run_sets(v, w, c->vs_sets, twins, HB_MAX_LIST);
	for (int k = 0; k < m->e[e].nbackings; k++) {
		const char *bk = m->e[e].backings[k].name;

		if ((c->vs_backing && !strcmp(bk, c->vs_backing)) || (c->backings && !hb_backing_matches(c->backings, bk)) ||
		    !open_claim(v, w, c, m->e[e].params_text, bk))
			continue;
		n += mark(m, e, bk, want);
		if (c->vs_backing)
			n += mark(m, e, c->vs_backing, want);
		for (size_t j = 0; j < m->n; j++)
			if (m->e[j].w == w && in_list(twins, nt, m->e[j].params_text))
				n += mark(m, j, bk, want);
	}
	return n;
}

int hb_claim_budget_want(struct hb_extra_reps *x, const struct hb_results *res,
			 const struct hb_matrix *m, unsigned char *want)
{
	struct hb_results copy = { .dir = "" };
	struct hb_machine_facts facts = { 0 };
	struct hb_rundata view;
	int n = 0, rc = 0;

	(void)x;
	memset(want, 0, m->n * HB_MAX_BACKINGS);
	/* The analyses add the figures some claims compare with (outputs.h vs_sets): on a copy,
	 * so the run's own rows get them once, at its end. The facts they would read from the
	 * machine record only shape figures no claim decides on. */
	for (size_t i = 0; i < res->n && !rc; i++) {
		const struct hb_row *r = &res->rows[i];

		rc = hb_results_add(&copy, r->workload, r->backing, r->params, r->rep, r->metric,
				    r->value, r->unit, r->note);
	}
	for (size_t i = 0; i < m->n && !rc; i++) {
		int seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= m->e[j].w == m->e[i].w;
		if (!seen)
			rc = hb_analysis_run(m->e[i].w, &copy, &facts);
	}
	if (rc) {
		hb_results_free(&copy);
		return -ENOMEM;
	}
	memset(&view, 0, sizeof(view));
	view.rows = copy.rows;
	view.n = copy.n;
	for (size_t e = 0; e < m->n; e++) {
		const struct hb_outputs *o = hb_workload_outputs(m->e[e].w);

		for (const struct hb_claim *c = o ? o->claims : NULL; c && c->text; c++)
			n += claim_cells(&view, m, e, c, want);
	}
	hb_results_free(&copy);
	return n;
}
