/*
 * The Mann-Whitney U test on R's standalone math library (Debian r-mathlib): pwilcox is the
 * exact null distribution of U, pnorm the normal tail. The method follows
 * scipy.stats.mannwhitneyu (midranks, tie-corrected variance, continuity correction), with
 * the exact/normal rule of mannwhitney.h.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MATHLIB_STANDALONE 1
#include <Rmath.h>

#include "mannwhitney.h"

struct pooled {
	double v;
	int in_x;
};

static int pooled_cmp(const void *a, const void *b)
{
	double va = ((const struct pooled *)a)->v, vb = ((const struct pooled *)b)->v;

	return (va > vb) - (va < vb);
}

static int any_nan(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(v[i]))
			return 1;
	return 0;
}

/* Ranks the pooled values (midranks for a run of equal ones) and gives the rank sum of x and
 * sum(t^3 - t) over the runs of t equal values (0: no ties). */
static int rank_sum(const double *x, size_t nx, const double *y, size_t ny, double *r1,
		    double *tie_term)
{
	size_t n = nx + ny, i, j;
	struct pooled *all;

	if (n < nx || n > SIZE_MAX / sizeof(*all))
		return -ENOMEM;
	all = malloc(n * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (i = 0; i < nx; i++)
		all[i] = (struct pooled){x[i], 1};
	for (i = 0; i < ny; i++)
		all[nx + i] = (struct pooled){y[i], 0};
	qsort(all, n, sizeof(*all), pooled_cmp);
	*r1 = 0;
	*tie_term = 0;
	for (i = 0; i < n; i = j) {
		double t, midrank;
		size_t in_x = 0;

		for (j = i; j < n && all[j].v == all[i].v; j++)
			in_x += all[j].in_x;
		/* Ranks i+1 .. j, so their mean is (i + 1 + j) / 2. */
		t = (double)(j - i);
		midrank = ((double)i + 1 + (double)j) / 2;
		*r1 += midrank * (double)in_x;
		*tie_term += t * t * t - t;
	}
	free(all);
	return 0;
}

/* Two-sided exact p from the distribution of U under the null (all orderings equally
 * likely), which only exists without ties. */
static double exact_p(double u, size_t nx, size_t ny)
{
	double lo = pwilcox(u, (double)nx, (double)ny, 1, 0);
	double hi = pwilcox(u - 1, (double)nx, (double)ny, 0, 0);

	return fmin(1, 2 * fmin(lo, hi));
}

int hb_mwu_test(const double *x, size_t nx, const double *y, size_t ny, struct hb_mwu *r)
{
	double r1, tie_term, n, mu, s, d;
	int err;

	if (r)
		memset(r, 0, sizeof(*r));
	if (!x || !y || !r || !nx || !ny || any_nan(x, nx) || any_nan(y, ny))
		return -EINVAL;
	err = rank_sum(x, nx, y, ny, &r1, &tie_term);
	if (err)
		return err;
	r->u = r1 - (double)nx * ((double)nx + 1) / 2;
	if (tie_term == 0 && nx <= HB_MWU_EXACT_MAX && ny <= HB_MWU_EXACT_MAX) {
		r->exact = 1;
		r->p = exact_p(r->u, nx, ny);
		return isnan(r->p) ? -ERANGE : 0;
	}
	n = (double)(nx + ny);
	mu = (double)nx * (double)ny / 2;
	s = sqrt((double)nx * (double)ny / 12 * ((n + 1) - tie_term / (n * (n - 1))));
	d = r->u - mu;
	/* All values equal: U is mu whatever the data, nothing to tell apart. The continuity
	 * correction moves |d| half a step toward 0 (d is a multiple of 1/2 with midranks). */
	if (!(s > 0) || fabs(d) <= 0.5) {
		r->p = 1;
		return 0;
	}
	r->z = copysign(fabs(d) - 0.5, d) / s;
	r->p = fmin(1, 2 * pnorm(fabs(r->z), 0, 1, 0, 0));
	return 0;
}

int hb_mwu_min_n(double alpha)
{
	if (!(alpha > 0 && alpha < 1))
		return -EINVAL;
	for (int n = 1; n <= HB_MWU_EXACT_MAX; n++) {
		/* The most extreme outcome, one side entirely below the other: U = 0. */
		double best = fmin(1, 2 * pwilcox(0, n, n, 1, 0));

		if (best < alpha)
			return n;
	}
	return -ERANGE;
}
