/*
 * A profile's budget ([bench] budget, max_reps): after the repetitions of each section, more
 * rounds of one repetition for the cells of every claim (outputs.h) that the paired rule
 * (paired_fig.h) cannot decide yet, so that a set stops at the least repetitions that decide
 * its claims, or at the cap, or when the run's time is spent. The run (run/matrix.c) runs the
 * rounds; this says which cells want one, asking the report's own rule.
 */
#ifndef HB_CLAIM_BUDGET_H
#define HB_CLAIM_BUDGET_H
#include <stdint.h>

#include "matrix.h"

struct hb_claim_budget {
	struct hb_extra_reps reps; /* first: the want hook gets it back from the run */
};

/* Sets b up for a run of ns at most, no cell past max_reps (0: the harness's cap). */
void hb_claim_budget_init(struct hb_claim_budget *b, uint64_t ns, int max_reps);

/*
 * Marks want[i * HB_MAX_BACKINGS + k] for each cell of a claim still undecided in the rows so
 * far (the workloads' analyses run on a copy first, for the figures they derive): the tested
 * backing, what it is compared with, and the vs_sets twin. Not a claim the report already
 * gives a verdict (one backing decided decides it), nor a claim that has no pair at all
 * (its cells failed or were skipped), nor a figure that repeats and already straddles a bound
 * (more pairs never narrow a range). Returns how many cells, or -ENOMEM.
 */
int hb_claim_budget_want(struct hb_extra_reps *x, const struct hb_results *res,
			 const struct hb_matrix *m, unsigned char *want);

#endif
