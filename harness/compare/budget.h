/*
 * bench --budget DURATION --baseline DIR: after the profile's repetitions, more rounds of
 * repetitions, each only for the cells whose verdict against the baseline is still
 * `unknown` (too few repetitions, or inside the noise), while the time budget lasts. Peers
 * add runs while a spread is large (Phoronix: over 3%) or on UNKNOWN (Chromium's Pinpoint);
 * here the question is the verdict itself, asked with compare's own rule and thresholds.
 */
#ifndef HB_BUDGET_H
#define HB_BUDGET_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "compare.h"
#include "matrix.h"
#include "rundata.h"

struct hb_results;

/* The run sees only .reps (run/matrix.h: the time, the baseline's name, which cells want
 * more, what happened); the verdicts that decide it are compare's. */
struct hb_budget {
	struct hb_extra_reps reps; /* first: hb_budget_unknown gets it back from the run */
	struct hb_rundata base;
	struct hb_cmp_opts opts; /* the profile's thresholds */
	char why[PATH_MAX + 32];
};

/* Loads the baseline and sets b->reps.want to hb_budget_unknown: 0, or -errno with err
 * naming it. */
int hb_budget_open(struct hb_budget *b, const char *baseline, char *err, size_t errlen);
void hb_budget_close(struct hb_budget *b);
/*
 * Marks want[i * HB_MAX_BACKINGS + k] for entry i, backing k of m when a figure of that
 * cell is still `unknown` against the baseline in the rows so far, and more repetitions
 * could decide it (it has a direction, and the baseline has enough repetitions for the U
 * test). Returns how many, or -ENOMEM.
 */
int hb_budget_unknown(struct hb_extra_reps *reps, const struct hb_results *res,
		      const struct hb_matrix *m, unsigned char *want);

#endif
