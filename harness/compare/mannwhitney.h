/*
 * The two-sided Mann-Whitney U test (Wilcoxon rank-sum), which hugebench compare uses to call
 * a figure better or worse: it asks only whether one side's repetitions tend to be larger,
 * with no assumption about their distribution (benchmark repetitions are skewed and have
 * outliers), and it is exact for the few repetitions a run has.
 */
#ifndef HB_MANNWHITNEY_H
#define HB_MANNWHITNEY_H
#include <stddef.h>

/* The exact distribution is used when there are no ties in the pooled values and both sides
 * have at most this many values (R's wilcox.test rule: fewer than 50); otherwise the normal
 * approximation with tie and continuity correction. scipy's method='auto' switches to the
 * normal approximation sooner (when both sides have more than 8); between 9 and 49 values a
 * side the exact p is the better one and differs from scipy's 'auto' slightly. */
#define HB_MWU_EXACT_MAX 49

struct hb_mwu {
	double u; /* U of the first sample (x): pairs (x_i, y_j) with x_i > y_j, ties count 1/2 */
	double p; /* two-sided p-value */
	double z; /* normal score, signed as x - y, continuity-corrected (0 for the exact method) */
	int exact; /* 1: exact distribution; 0: normal approximation */
};

/* Tests x (nx values) against y (ny values); the arrays are not changed. Midranks for ties.
 * Exact: p = min(1, 2 * min(P(U <= u), P(U >= u))). Normal: z = (u - nx*ny/2 -+ 1/2) / s
 * with s the tie-corrected spread, p = min(1, 2 * P(Z >= |z|)); when every value is the
 * same p = 1 and z = 0. Swapping x and y gives the same p, nx*ny - u and -z.
 * 0, -EINVAL (NULL, an empty side, a NaN; r zeroed) or -ENOMEM.
 * Not thread-safe: R's pwilcox memoises its counts in static memory, which it keeps (a few
 * MiB at most for sides up to HB_MWU_EXACT_MAX; valgrind shows it as still reachable). */
int hb_mwu_test(const double *x, size_t nx, const double *y, size_t ny, struct hb_mwu *r);

/* The smallest n per side (equal sizes, no ties) whose best possible two-sided exact p,
 * 2 / C(2n, n), is below alpha: what it takes for the test to be able to say anything (5 for
 * 0.01, 4 for 0.05). -EINVAL unless 0 < alpha < 1; -ERANGE if even HB_MWU_EXACT_MAX is not
 * enough. */
int hb_mwu_min_n(double alpha);

#endif
