/*
 * The paired rule (paired.h) on R's standalone math library: pbinom for the sign-test
 * interval's order statistics, psignrank for the exact signed-rank distribution, pnorm for
 * its normal approximation. The signed-rank method follows scipy.stats.wilcoxon with
 * zero_method "wilcox" (zero differences dropped), midranks for ties, tie-corrected variance
 * and continuity correction.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MATHLIB_STANDALONE 1
#include <Rmath.h>

#include "paired.h"

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

size_t hb_paired_sign_k(size_t n, double alpha)
{
	size_t k = 0;

	/* P(Bin(n, 1/2) <= k) grows with k: the last k + 1 still within alpha / 2 */
	while (k < n / 2 && pbinom((double)k, (double)n, 0.5, 1, 0) <= alpha / 2)
		k++;
	return k;
}

static double median_sorted(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The signed-rank test of d (n values, none 0): the sum of the positive ones' ranks of |d|. */
static int signed_rank(const double *d, size_t n, struct hb_paired *r)
{
	double *abs_d, v = 0, tie_term = 0;
	size_t i, j;
	int ties = 0;

	abs_d = malloc(n * sizeof(*abs_d));
	if (!abs_d)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		abs_d[i] = fabs(d[i]);
	qsort(abs_d, n, sizeof(*abs_d), dbl_cmp);
	for (i = 0; i < n; i = j) {
		double t, midrank;

		for (j = i; j < n && abs_d[j] == abs_d[i]; j++)
			;
		t = (double)(j - i);
		ties |= j - i > 1;
		tie_term += t * t * t - t;
		/* ranks i+1 .. j share their mean; each positive d of this magnitude adds it */
		midrank = ((double)i + 1 + (double)j) / 2;
		for (size_t k = 0; k < n; k++)
			if (d[k] > 0 && fabs(d[k]) == abs_d[i])
				v += midrank;
	}
	free(abs_d);
	r->w_v = v;
	if (!ties && n <= HB_PAIRED_EXACT_MAX) {
		/* psignrank(x, n): P(V <= x) for integer x; V is an integer here (no ties) */
		double lo = psignrank(v, (double)n, 1, 0), hi = psignrank(v - 1, (double)n, 0, 0);

		r->w_exact = 1;
		r->w_p = fmin(1, 2 * fmin(lo, hi));
	} else {
		double mean = (double)n * ((double)n + 1) / 4;
		double var = (double)n * ((double)n + 1) * (2 * (double)n + 1) / 24 - tie_term / 48;
		double dev = fabs(v - mean);

		r->w_exact = 0;
		if (var <= 0) {
			r->w_p = 1;
		} else {
			dev = dev > 0.5 ? dev - 0.5 : 0;
			r->w_p = fmin(1, 2 * pnorm(dev / sqrt(var), 0, 1, 0, 0));
		}
	}
	return 0;
}

int hb_paired_test(const double *a, const double *b, size_t n, double alpha, struct hb_paired *r)
{
	double *ratio, *d;
	size_t m = 0, nd = 0;
	int err = 0;

	if (r)
		memset(r, 0, sizeof(*r));
	if (!a || !b || !r || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	if (n > SIZE_MAX / (2 * sizeof(double)))
		return -ENOMEM;
	ratio = malloc((n ? n : 1) * 2 * sizeof(double));
	if (!ratio)
		return -ENOMEM;
	d = ratio + (n ? n : 1);
	for (size_t i = 0; i < n; i++)
		if (isfinite(a[i]) && isfinite(b[i]) && a[i] > 0 && b[i] > 0)
			ratio[m++] = b[i] / a[i];
	if (!m) {
		free(ratio);
		return -EINVAL;
	}
	for (size_t i = 0; i < m; i++)
		if (ratio[i] != 1)
			d[nd++] = log(ratio[i]);
	qsort(ratio, m, sizeof(*ratio), dbl_cmp);
	r->n = m;
	r->median = median_sorted(ratio, m);
	r->k = hb_paired_sign_k(m, alpha);
	if (r->k) {
		r->lo = ratio[r->k - 1];
		r->hi = ratio[m - r->k];
		r->coverage = 1 - 2 * pbinom((double)r->k - 1, (double)m, 0.5, 1, 0);
	} else {
		r->lo = 0;
		r->hi = INFINITY;
	}
	if (nd)
		err = signed_rank(d, nd, r);
	else
		r->w_p = 1, r->w_exact = 1;
	free(ratio);
	return err;
}

enum hb_paired_verdict hb_paired_decide(const struct hb_paired *r, double claim_lo,
					double claim_hi)
{
	if (!r || !r->k)
		return HB_PAIRED_UNDECIDED;
	if (r->lo >= claim_lo && r->hi <= claim_hi)
		return HB_PAIRED_INSIDE;
	if (r->hi < claim_lo || r->lo > claim_hi)
		return HB_PAIRED_OUTSIDE;
	return HB_PAIRED_UNDECIDED;
}

/* Whether m pairs, with the shares below and inside [lo, hi] given (the rest above),
 * decide: their interval's order statistics k and m + 1 - k land in one region. */
static int decides(size_t m, double below, double inside, double alpha)
{
	size_t k = hb_paired_sign_k(m, alpha);
	/* counts in each region, as the shares round */
	double nb = floor(below * (double)m + 0.5), ni = floor(inside * (double)m + 0.5);
	double na = (double)m - nb - ni;

	if (!k || na < 0)
		return 0;
	/* sorted: nb below, then ni inside, then na above; order statistic j (1-based) */
	if ((double)(m + 1 - k) <= nb) /* both ends below */
		return 1;
	if ((double)k > nb + ni) /* both ends above */
		return 1;
	return (double)k > nb && (double)(m + 1 - k) <= nb + ni; /* both inside */
}

int hb_paired_reps_needed(const double *ratios, size_t n, double claim_lo, double claim_hi,
			  double alpha, int cap)
{
	size_t below = 0, inside = 0;

	if (!ratios || !n || !(alpha > 0 && alpha < 1) || cap < 1 || claim_lo > claim_hi)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (ratios[i] < claim_lo)
			below++;
		else if (ratios[i] <= claim_hi)
			inside++;
	}
	for (size_t m = n + 1; m <= (size_t)cap; m++)
		if (decides(m, (double)below / (double)n, (double)inside / (double)n, alpha))
			return (int)m;
	return -ERANGE;
}
