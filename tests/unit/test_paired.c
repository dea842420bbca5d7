/*
 * The paired rule (core/paired.h) checked against an independent implementation: every
 * reference number below was computed offline with scipy 1.10.1 (Debian python3-scipy,
 * /usr/bin/python3) and numpy, and written here as a literal:
 *   r = b / a; d = log(r); d = d[d != 0]
 *   k: the largest k with scipy.stats.binom.cdf(k - 1, n, .5) <= alpha / 2 (k <= n // 2)
 *   lo, hi = sort(r)[k - 1], sort(r)[n - k]; coverage = 1 - 2 * binom.cdf(k - 1, n, .5)
 *   v = scipy.stats.rankdata(abs(d))[d > 0].sum()
 *   p = scipy.stats.wilcoxon(d, method='exact' without ties, else 'approx',
 *                            correction=True).pvalue
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>

#include "paired.h"

#define N(x) (sizeof(x) / sizeof((x)[0]))

static void near(double got, double want, double tol)
{
	if (fabs(got - want) > tol * fmax(1, fabs(want)))
		fail_msg("got %.17g, want %.17g", got, want);
}

/* A dense chase: 4k's ns per hop against THP's, rep by rep. */
static void test_thp_faster(void **state)
{
	const double a[] = { 314, 320, 305, 330, 318, 311, 325, 309 };
	const double b[] = { 218, 230, 221, 240, 215, 226, 233, 219 };
	struct hb_paired r;

	(void)state;
	assert_int_equal(hb_paired_test(a, b, N(a), 0.05, &r), 0);
	assert_int_equal(r.n, 8);
	near(r.median, 0.7178365384615384, 1e-12);
	assert_int_equal(r.k, 1);
	near(r.lo, 0.6761006289308176, 1e-12);
	near(r.hi, 0.7272727272727273, 1e-12);
	near(r.coverage, 0.9921875, 1e-12);
	near(r.w_v, 0, 0);
	near(r.w_p, 0.0078125, 1e-9);
	assert_true(r.w_exact);
	/* "THP at least 5% faster": ratio <= 0.95 */
	assert_int_equal(hb_paired_decide(&r, 0, 0.95), HB_PAIRED_INSIDE);
	/* "THP at least 30% faster" cannot be told from these 8 */
	assert_int_equal(hb_paired_decide(&r, 0, 0.70), HB_PAIRED_UNDECIDED);
	/* "no slower than 4k by more than 2%" refutes "THP is slower" */
	assert_int_equal(hb_paired_decide(&r, 1.0, INFINITY), HB_PAIRED_OUTSIDE);
}

static void test_no_change(void **state)
{
	const double a[] = { 100, 102, 98, 101, 99, 103, 97, 100.5 };
	const double b[] = { 101, 99, 100, 102, 98, 100, 99.5, 101.5 };
	struct hb_paired r;

	(void)state;
	assert_int_equal(hb_paired_test(a, b, N(a), 0.05, &r), 0);
	near(r.median, 1.0099256194276145, 1e-12);
	near(r.lo, 0.9705882352941176, 1e-12);
	near(r.hi, 1.0257731958762886, 1e-12);
	near(r.w_v, 17, 0);
	near(r.w_p, 0.9453125, 1e-9);
	/* "B at least 5% lower" is refuted: the whole interval is above 0.95 */
	assert_int_equal(hb_paired_decide(&r, 0, 0.95), HB_PAIRED_OUTSIDE);
	/* "B at least 2% lower" cannot be told: the interval reaches below 0.98 */
	assert_int_equal(hb_paired_decide(&r, 0, 0.98), HB_PAIRED_UNDECIDED);
	/* "within 5% of each other" holds */
	assert_int_equal(hb_paired_decide(&r, 0.95, 1.05), HB_PAIRED_INSIDE);
}

/* Ties among |log ratio| and a ratio of exactly 1: the normal approximation, zero dropped. */
static void test_ties_and_zero(void **state)
{
	const double a[] = { 10, 10, 10, 10, 10, 10, 10 };
	const double b[] = { 11, 9, 11, 12, 10, 8, 11 };
	const double a2[] = { 200, 210, 205, 220, 215, 190, 200, 230, 210, 205, 198, 202 };
	const double b2[] = { 190, 200, 205, 200, 205, 180, 195, 210, 200, 200, 188, 200 };
	struct hb_paired r;

	(void)state;
	assert_int_equal(hb_paired_test(a, b, N(a), 0.05, &r), 0);
	assert_int_equal(r.n, 7);
	near(r.median, 1.1, 1e-12);
	near(r.lo, 0.8, 1e-12);
	near(r.hi, 1.2, 1e-12);
	near(r.coverage, 0.984375, 1e-12);
	near(r.w_v, 11, 0);
	near(r.w_p, 1.0, 1e-9);
	assert_false(r.w_exact);

	assert_int_equal(hb_paired_test(a2, b2, N(a2), 0.05, &r), 0);
	near(r.median, 0.9523809523809523, 1e-12);
	assert_int_equal(r.k, 3);
	near(r.lo, 0.9473684210526315, 1e-12);
	near(r.hi, 0.975609756097561, 1e-12);
	near(r.coverage, 0.96142578125, 1e-12);
	near(r.w_v, 0, 0);
	near(r.w_p, 0.0038398001324249933, 1e-6);
	assert_false(r.w_exact);
}

/* k against binom.cdf, for the counts a profile uses, at 0.05 and 0.01. */
static void test_sign_k(void **state)
{
	static const struct {
		size_t n, k05, k01;
	} want[] = { { 5, 0, 0 },  { 6, 1, 0 },	{ 7, 1, 0 },   { 8, 1, 1 },
		     { 9, 2, 1 },  { 10, 2, 1 },  { 12, 3, 2 },  { 16, 4, 3 },
		     { 20, 6, 4 }, { 30, 10, 8 }, { 50, 18, 16 } };

	(void)state;
	for (size_t i = 0; i < N(want); i++) {
		assert_int_equal(hb_paired_sign_k(want[i].n, 0.05), want[i].k05);
		assert_int_equal(hb_paired_sign_k(want[i].n, 0.01), want[i].k01);
	}
}

/* Too few pairs: no interval, nothing decided; dropped pairs; bad input. */
static void test_few_and_bad(void **state)
{
	const double a[] = { 300, 310, 0, NAN, 305, 320, 330 };
	const double b[] = { 200, 210, 205, 200, 215, -1, 220 };
	struct hb_paired r;

	(void)state;
	assert_int_equal(hb_paired_test(a, b, N(a), 0.05, &r), 0);
	assert_int_equal(r.n, 4); /* 0, NaN and -1 dropped with their pairs */
	assert_int_equal(r.k, 0);
	assert_true(r.lo == 0 && isinf(r.hi) && r.coverage == 0);
	assert_int_equal(hb_paired_decide(&r, 0, 0.95), HB_PAIRED_UNDECIDED);
	assert_int_equal(hb_paired_test(a, b, 0, 0.05, &r), -EINVAL);
	assert_int_equal(hb_paired_test(NULL, b, 3, 0.05, &r), -EINVAL);
	assert_int_equal(hb_paired_test(a, b, 3, 1.5, &r), -EINVAL);
}

/* The pairs that would decide: 3 ratios all below 0.95 decide "<= 0.95" at 6 (k = 1 from n = 6
 * at 0.05); 2 of 4 below and 2 above an edge never decide; 3 of 4 below (75%) need the upper
 * order statistic m + 1 - k among the 75%: first at m = 17 (k = 5, 13 <= 12.75 rounded); the
 * k of each m from binom.cdf as above. */
static void test_reps_needed(void **state)
{
	const double all_below[] = { 0.70, 0.72, 0.69 };
	const double split[] = { 0.90, 1.00, 0.93, 0.99 };
	const double mostly[] = { 0.90, 0.91, 0.99, 0.92 };

	(void)state;
	assert_int_equal(hb_paired_reps_needed(all_below, 3, 0, 0.95, 0.05, 50), 6);
	assert_int_equal(hb_paired_reps_needed(split, 4, 0, 0.95, 0.05, 50), -ERANGE);
	assert_int_equal(hb_paired_reps_needed(mostly, 4, 0, 0.95, 0.05, 50), 17);
	assert_int_equal(hb_paired_reps_needed(mostly, 4, 0, 0.95, 0.05, 16), -ERANGE);
	assert_int_equal(hb_paired_reps_needed(mostly, 0, 0, 0.95, 0.05, 50), -EINVAL);
	assert_int_equal(hb_paired_reps_needed(mostly, 4, 1, 0.95, 0.05, 50), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thp_faster),    cmocka_unit_test(test_no_change),
		cmocka_unit_test(test_ties_and_zero), cmocka_unit_test(test_sign_k),
		cmocka_unit_test(test_few_and_bad),   cmocka_unit_test(test_reps_needed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
