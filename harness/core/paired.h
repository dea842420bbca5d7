/*
 * The paired rule: a figure of one backing against the same figure of a reference backing,
 * repetition by repetition. The repetitions of a run are interleaved (repetition i of every
 * backing, then repetition i + 1), so rep i of B ran beside rep i of A and the drift of the
 * machine between repetitions cancels in their ratio B_i / A_i. The rule looks at those
 * ratios only:
 *
 * - an exact sign-test interval for their median (the order statistics r(k), r(n+1-k) of
 *   the sorted ratios, k the largest with P(Binomial(n, 1/2) < k) <= alpha / 2): it assumes
 *   nothing about the ratios' distribution, only that the pairs are independent;
 * - the Wilcoxon signed-rank test of the log ratios (two-sided p), beside it, for the
 *   question "any difference at all" where no claim states a size.
 *
 * A claim names a range of ratios (e.g. THP at least 5% faster than 4k: ratio <= 0.95): it
 * is confirmed when the whole interval lies inside that range, refuted when the whole
 * interval lies outside it, and otherwise the pairs cannot tell; hb_paired_reps_needed says
 * how many pairs, with the same share of ratios on each side of the range's edges, would.
 * Binomial and signed-rank distributions come from R's standalone math library (Rmath).
 */
#ifndef HB_CORE_PAIRED_H
#define HB_CORE_PAIRED_H
#include <stddef.h>

/* The signed-rank test is exact with no ties and no zero log ratio among at most this many
 * pairs (R's wilcox.test rule: fewer than 50); otherwise the normal approximation with tie
 * and continuity correction. */
#define HB_PAIRED_EXACT_MAX 49

struct hb_paired {
	size_t n;	   /* pairs used: both values finite and above 0 */
	double median;	   /* median of the ratios b_i / a_i */
	double lo, hi;	   /* the interval for the median ratio; 0 and +inf when n is too few */
	double coverage;   /* its exact coverage, 1 - 2 P(Bin(n, 1/2) < k) >= 1 - alpha; 0 if none */
	size_t k;	   /* the order statistic of lo (1-based); 0 when there is no interval */
	double w_p;	   /* two-sided signed-rank p of the log ratios (1 when all are 0) */
	double w_v;	   /* its statistic: the sum of the ranks of the positive log ratios */
	int w_exact;	   /* 1: exact distribution; 0: normal approximation */
};

/* Pairs a[i], b[i] (n of each; a pair with a value that is not finite or not above 0 is
 * dropped) at level alpha (0 < alpha < 1). 0; -EINVAL (NULL, bad alpha, no pair left: r
 * zeroed) or -ENOMEM. Not thread-safe (R's signed-rank counts are memoised statically). */
int hb_paired_test(const double *a, const double *b, size_t n, double alpha, struct hb_paired *r);

enum hb_paired_verdict {
	HB_PAIRED_UNDECIDED = 0, /* the interval straddles an edge of the claim's range */
	HB_PAIRED_INSIDE,	 /* the whole interval inside [claim_lo, claim_hi]: confirmed */
	HB_PAIRED_OUTSIDE,	 /* the whole interval outside it: refuted */
};

/* The verdict on a claim that the median ratio lies in [claim_lo, claim_hi] (0 and INFINITY
 * for an open side). */
enum hb_paired_verdict hb_paired_decide(const struct hb_paired *r, double claim_lo,
					double claim_hi);

/* The fewest pairs (more than the ratios given, at most cap) that would decide that claim if
 * the ratios kept the shares they have on each side of the claim's edges: that many, or
 * -ERANGE when no count up to cap would (half the ratios on each side of an edge never
 * decides), -EINVAL for bad input. */
int hb_paired_reps_needed(const double *ratios, size_t n, double claim_lo, double claim_hi,
			  double alpha, int cap);

/* The largest k with P(Binomial(n, 1/2) <= k - 1) <= alpha / 2, or 0 when even k = 1 fails
 * (fewer than 6 pairs at alpha 0.05): the sign-test interval's lower order statistic. */
size_t hb_paired_sign_k(size_t n, double alpha);

#endif
