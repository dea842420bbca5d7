/*
 * The Mann-Whitney U test that hugebench compare's verdicts rest on, checked against an
 * independent implementation: every reference number below was computed offline with
 * scipy 1.10.1 (Debian python3-scipy, /usr/bin/python3) and written here as a literal. The
 * python line is given for each case; all of them start with
 *   from scipy.stats import mannwhitneyu as m, norm
 * and print repr(r.statistic), repr(r.pvalue), and for z repr(norm.isf(r.pvalue / 2)) (the
 * normal score that gives that p; its sign is ours: negative when x is the smaller side).
 * Exact p must match to 1e-9 relative, normal-approximation p and z to 1e-6.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "mannwhitney.h"

#define TOL_EXACT 1e-9
#define TOL_ASYM 1e-6
#define N(a) (sizeof(a) / sizeof((a)[0]))

static void assert_rel(double got, double want, double tol)
{
	if (want == 0) {
		assert_true(got == 0);
		return;
	}
	if (!(fabs(got - want) <= tol * fabs(want)))
		fail_msg("got %.17g, want %.17g (relative tolerance %g)", got, want, tol);
}

/* One case, both ways round: swapping the sides must give the same p, the other U (nx*ny - u)
 * and the opposite z, by the same method. */
static void check(const double *x, size_t nx, const double *y, size_t ny, double u, double p,
		  double z, int exact)
{
	double tol = exact ? TOL_EXACT : TOL_ASYM;
	struct hb_mwu r, s;

	assert_int_equal(hb_mwu_test(x, nx, y, ny, &r), 0);
	assert_int_equal(r.exact, exact);
	assert_true(r.u == u);
	assert_rel(r.p, p, tol);
	assert_rel(r.z, exact ? 0 : z, TOL_ASYM);
	assert_int_equal(hb_mwu_test(y, ny, x, nx, &s), 0);
	assert_int_equal(s.exact, exact);
	assert_true(s.u == (double)nx * (double)ny - u);
	assert_rel(s.p, r.p, 1e-12);
	assert_true(s.z == -r.z);
}

static void test_mwu_exact_small(void **state)
{
	/* r = m([1.5, 3.2, 0.7], [2.9, 4.1, 5.0], alternative='two-sided', method='exact') */
	const double x3[] = {1.5, 3.2, 0.7}, y3[] = {2.9, 4.1, 5.0};
	/* r = m([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], alternative='two-sided', method='exact') */
	const double x5[] = {1, 2, 3, 4, 5}, y5[] = {6, 7, 8, 9, 10};
	/* Infinities are ordinary values to a rank test: this is 3v3 fully separated. */
	const double xi[] = {-INFINITY, 1, 2}, yi[] = {3, 4, INFINITY};

	(void)state;
	check(x3, N(x3), y3, N(y3), 1.0, 0.2, 0, 1);
	check(x5, N(x5), y5, N(y5), 0.0, 0.007936507936507936, 0, 1);
	/* The best any 5v5 can do: 2 / C(10, 5). */
	check(x5, N(x5), y5, N(y5), 0.0, 2.0 / 252, 0, 1);
	check(xi, N(xi), yi, N(yi), 0.0, 0.1, 0, 1);
}

static void test_mwu_exact_overlap_unequal(void **state)
{
	/* r = m([1.1, 2.3, 3.8, 4.0, 6.5], [2.0, 3.5, 5.1, 6.0, 7.2], alternative='two-sided',
	 *       method='exact') */
	const double x5[] = {1.1, 2.3, 3.8, 4.0, 6.5}, y5[] = {2.0, 3.5, 5.1, 6.0, 7.2};
	/* r = m([10.2, 11.9, 9.7, 12.4], [12.1, 13.0, 12.8, 14.2, 11.5, 13.7, 15.1],
	 *       alternative='two-sided', method='exact') */
	const double x4[] = {10.2, 11.9, 9.7, 12.4};
	const double y7[] = {12.1, 13.0, 12.8, 14.2, 11.5, 13.7, 15.1};

	(void)state;
	check(x5, N(x5), y5, N(y5), 9.0, 0.5476190476190477, 0, 1);
	check(x4, N(x4), y7, N(y7), 3.0, 0.04242424242424242, 0, 1);
}

/* Between 9 and HB_MWU_EXACT_MAX a side, without ties, the exact method where scipy's 'auto'
 * would take the normal approximation (p 0.1635957256111319 for the 20v20 below). */
static void test_mwu_exact_larger(void **state)
{
	double x20[20], y20[20], x49[49], y49[49];

	(void)state;
	/* x = [float((i * 7) % 41) for i in range(20)]
	 * y = [float((j * 11) % 41) + 4.5 for j in range(20)]
	 * r = m(x, y, alternative='two-sided', method='exact') */
	for (int i = 0; i < 20; i++) {
		x20[i] = (i * 7) % 41;
		y20[i] = (i * 11) % 41 + 4.5;
	}
	check(x20, 20, y20, 20, 148.0, 0.16534001940492238, 0, 1);
	/* x = [float((i * 17) % 61) for i in range(49)]
	 * y = [float((j * 23) % 61) + 5.5 for j in range(49)]
	 * r = m(x, y, alternative='two-sided', method='exact') */
	for (int i = 0; i < 49; i++) {
		x49[i] = (i * 17) % 61;
		y49[i] = (i * 23) % 61 + 5.5;
	}
	check(x49, 49, y49, 49, 1009.0, 0.17552905544513453, 0, 1);
}

static void test_mwu_ties(void **state)
{
	/* r = m([1, 2, 2, 3, 3], [2, 3, 4, 4, 5], alternative='two-sided', method='asymptotic')
	 * (method='auto' gives the same: ties) */
	const double x[] = {1, 2, 2, 3, 3}, y[] = {2, 3, 4, 4, 5};
	/* r = m([7, 7, 7], [7, 7, 7, 7], alternative='two-sided', method='asymptotic') */
	const double same3[] = {7, 7, 7}, same4[] = {7, 7, 7, 7};

	(void)state;
	check(x, N(x), y, N(y), 4.0, 0.08567343955231686, -1.7186756976946391, 0);
	check(same3, N(same3), same4, N(same4), 6.0, 1.0, 0, 0);
}

/* Repetitions of a figure in whole nanoseconds: many ties, the normal approximation. */
static void test_mwu_asymptotic_20v20(void **state)
{
	/* r = m([101, 103, 99, 100, 102, 101, 104, 100, 98, 101, 102, 100, 103, 99, 101, 100,
	 *        102, 105, 100, 101],
	 *       [103, 104, 102, 105, 101, 103, 106, 104, 102, 103, 107, 104, 103, 105, 102, 104,
	 *        106, 103, 101, 104], alternative='two-sided', method='asymptotic') */
	const double x[] = {101, 103, 99, 100, 102, 101, 104, 100, 98, 101,
			    102, 100, 103, 99, 101, 100, 102, 105, 100, 101};
	const double y[] = {103, 104, 102, 105, 101, 103, 106, 104, 102, 103,
			    107, 104, 103, 105, 102, 104, 106, 103, 101, 104};

	(void)state;
	check(x, N(x), y, N(y), 59.0, 0.0001239559125416953, -3.8381675120747745, 0);
}

/* Past HB_MWU_EXACT_MAX the normal approximation even without ties; scipy 'auto' agrees. */
static void test_mwu_asymptotic_60v60(void **state)
{
	double x[60], y[60];

	(void)state;
	/* x = [float((i * 17) % 61) for i in range(60)]
	 * y = [float((j * 23) % 61) + 3.5 for j in range(60)]
	 * r = m(x, y, alternative='two-sided', method='asymptotic') */
	for (int i = 0; i < 60; i++) {
		x[i] = (i * 17) % 61;
		y[i] = (i * 23) % 61 + 3.5;
	}
	check(x, 60, y, 60, 1594.0, 0.2807681883057561, -1.078595275622437, 0);
}

static void test_mwu_input_kept(void **state)
{
	double x[] = {3, 1, 2}, y[] = {6, 4, 5};
	const double x0[] = {3, 1, 2}, y0[] = {6, 4, 5};
	struct hb_mwu r;

	(void)state;
	assert_int_equal(hb_mwu_test(x, 3, y, 3, &r), 0);
	assert_memory_equal(x, x0, sizeof(x));
	assert_memory_equal(y, y0, sizeof(y));
}

static void test_mwu_errors(void **state)
{
	const double x[] = {1, 2, 3}, y[] = {4, 5, 6}, xn[] = {1, NAN, 3};
	struct hb_mwu r;

	(void)state;
	memset(&r, 0xff, sizeof(r));
	assert_int_equal(hb_mwu_test(x, 0, y, 3, &r), -EINVAL);
	assert_true(r.u == 0 && r.p == 0 && r.z == 0 && r.exact == 0);
	assert_int_equal(hb_mwu_test(x, 3, y, 0, &r), -EINVAL);
	assert_int_equal(hb_mwu_test(xn, 3, y, 3, &r), -EINVAL);
	assert_int_equal(hb_mwu_test(x, 3, xn, 3, &r), -EINVAL);
	assert_int_equal(hb_mwu_test(NULL, 3, y, 3, &r), -EINVAL);
	assert_int_equal(hb_mwu_test(x, 3, NULL, 3, &r), -EINVAL);
	assert_int_equal(hb_mwu_test(x, 3, y, 3, NULL), -EINVAL);
}

/* The smallest n per side, and that it is right: n v n fully separated is below alpha, one
 * fewer is not. */
static void test_mwu_min_n(void **state)
{
	const double alphas[] = {0.01, 0.05, 0.1, 0.2, 1e-6};
	double lo[HB_MWU_EXACT_MAX], hi[HB_MWU_EXACT_MAX];
	struct hb_mwu r;

	(void)state;
	assert_int_equal(hb_mwu_min_n(0.01), 5);
	assert_int_equal(hb_mwu_min_n(0.05), 4);
	/* 3v3's best is 2/20 = 0.1, not below 0.1. */
	assert_int_equal(hb_mwu_min_n(0.1), 4);
	assert_int_equal(hb_mwu_min_n(0.2), 3);
	for (int i = 0; i < HB_MWU_EXACT_MAX; i++) {
		lo[i] = i;
		hi[i] = 100 + i;
	}
	for (size_t a = 0; a < N(alphas); a++) {
		int n = hb_mwu_min_n(alphas[a]);

		assert_true(n >= 2);
		assert_int_equal(hb_mwu_test(lo, n, hi, n, &r), 0);
		assert_true(r.exact && r.p < alphas[a]);
		assert_int_equal(hb_mwu_test(lo, n - 1, hi, n - 1, &r), 0);
		assert_true(r.p >= alphas[a]);
	}
	assert_int_equal(hb_mwu_min_n(0), -EINVAL);
	assert_int_equal(hb_mwu_min_n(1), -EINVAL);
	assert_int_equal(hb_mwu_min_n(-0.5), -EINVAL);
	assert_int_equal(hb_mwu_min_n(NAN), -EINVAL);
	/* 2 / C(98, 49) is about 8e-29: beyond what the exact method reaches. */
	assert_int_equal(hb_mwu_min_n(1e-40), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mwu_exact_small),
	    cmocka_unit_test(test_mwu_exact_overlap_unequal),
	    cmocka_unit_test(test_mwu_exact_larger),
	    cmocka_unit_test(test_mwu_ties),
	    cmocka_unit_test(test_mwu_asymptotic_20v20),
	    cmocka_unit_test(test_mwu_asymptotic_60v60),
	    cmocka_unit_test(test_mwu_input_kept),
	    cmocka_unit_test(test_mwu_errors),
	    cmocka_unit_test(test_mwu_min_n),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
