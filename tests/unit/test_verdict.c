/* The verdict rule: each outcome, the noise rules and how backings' verdicts combine. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "outputs.h"
#include "verdict.h"

static struct hb_stat st(int n, double med, double min, double max)
{
	struct hb_stat s = { .n = n, .med = med, .min = min, .max = max, .unit = "ns" };

	return s;
}

static enum hb_verdict judge(struct hb_stat me, struct hb_stat vs, double lo, double hi,
			     int exact, char *why)
{
	return hb_verdict_judge(&me, &vs, lo, hi, exact, NULL, NULL, why, 160);
}

static void test_confirmed(void **state)
{
	char why[160];
	double a = 0, b = 0;
	struct hb_stat me = st(5, 95, 93, 98), vs = st(5, 150, 148, 155);

	(void)state;
	/* 93/155 = 0.6 .. 98/148 = 0.66: inside 0.5-0.7 as a whole */
	assert_int_equal(hb_verdict_judge(&me, &vs, 0.5, 0.7, 0, &a, &b, why, sizeof(why)),
			 HB_V_CONFIRMED);
	assert_true(fabs(a - 93.0 / 155) < 1e-9);
	assert_true(fabs(b - 98.0 / 148) < 1e-9);
	assert_string_equal(hb_verdict_name(HB_V_CONFIRMED), "confirmed");
}

static void test_refuted(void **state)
{
	char why[160];

	(void)state;
	/* CoW copies the same 4 KiB: the ratio ~1 is wholly below the claimed 256x */
	assert_int_equal(judge(st(3, 4.23, 4.14, 4.27), st(3, 4.25, 3.99, 4.26), 256, HB_UNBOUNDED,
			       0, why), HB_V_REFUTED);
	/* faster than the claimed range is outside it too */
	assert_int_equal(judge(st(3, 50, 49, 51), st(3, 150, 148, 152), 0.70, 0.95, 0, why),
			 HB_V_REFUTED);
	assert_non_null(strstr(why, "below the claimed range"));
	/* slower where faster was claimed */
	assert_int_equal(judge(st(3, 300, 290, 310), st(3, 150, 148, 152), 0, 0.95, 0, why),
			 HB_V_REFUTED);
	assert_non_null(strstr(why, "above the claimed range"));
	assert_string_equal(hb_verdict_name(HB_V_REFUTED), "refuted");
}

static void test_cannot_tell(void **state)
{
	char why[160];

	(void)state;
	/* overlapping ranges */
	assert_int_equal(judge(st(5, 100, 90, 120), st(5, 110, 95, 125), 0, 0.95, 0, why),
			 HB_V_CANNOT_TELL);
	assert_string_equal(why, "the ranges overlap");
	/* ranges apart, but the ratio's range crosses the claimed bound 0.95 */
	assert_int_equal(judge(st(5, 100, 99, 101), st(5, 105, 102, 110), 0, 0.95, 0, why),
			 HB_V_CANNOT_TELL);
	assert_non_null(strstr(why, "straddles"));
	/* one repetition of a noisy figure */
	assert_int_equal(judge(st(1, 50, 50, 50), st(1, 150, 150, 150), 0, 0.95, 0, why),
			 HB_V_CANNOT_TELL);
	assert_non_null(strstr(why, "one repetition"));
	/* a zero figure has no ratio */
	assert_int_equal(judge(st(3, 0, 0, 0), st(3, 4, 4, 4), 0, 0.95, 0, why),
			 HB_V_CANNOT_TELL);
	assert_string_equal(hb_verdict_name(HB_V_CANNOT_TELL), "cannot tell");
}

static void test_exact_one_repetition(void **state)
{
	char why[160];

	(void)state;
	/* a memory figure that repeats exactly decides from one repetition */
	assert_int_equal(judge(st(1, 32768, 32768, 32768), st(1, 64, 64, 64), 256, HB_UNBOUNDED,
			       1, why), HB_V_CONFIRMED);
}

static void test_not_measured(void **state)
{
	char why[160];

	(void)state;
	assert_int_equal(judge(st(0, 0, 0, 0), st(3, 4, 4, 4), 0, 1, 0, why),
			 HB_V_NOT_MEASURED);
	assert_int_equal(judge(st(3, 4, 4, 4), st(0, 0, 0, 0), 0, 1, 1, why),
			 HB_V_NOT_MEASURED);
	assert_string_equal(hb_verdict_name(HB_V_NOT_MEASURED), "not measured in this run");
}

static void test_merge(void **state)
{
	enum hb_verdict v = HB_V_NOT_MEASURED;

	(void)state;
	assert_int_equal(hb_verdict_merge(v, HB_V_NOT_MEASURED), HB_V_NOT_MEASURED);
	v = hb_verdict_merge(v, HB_V_CANNOT_TELL);
	assert_int_equal(v, HB_V_CANNOT_TELL);
	v = hb_verdict_merge(v, HB_V_CONFIRMED);
	assert_int_equal(v, HB_V_CONFIRMED);
	assert_int_equal(hb_verdict_merge(v, HB_V_CANNOT_TELL), HB_V_CONFIRMED);
	assert_int_equal(hb_verdict_merge(v, HB_V_NOT_MEASURED), HB_V_CONFIRMED);
	assert_int_equal(hb_verdict_merge(v, HB_V_CONFIRMED), HB_V_CONFIRMED);
	v = hb_verdict_merge(v, HB_V_REFUTED);
	assert_int_equal(v, HB_V_MIXED);
	assert_int_equal(hb_verdict_merge(v, HB_V_CONFIRMED), HB_V_MIXED);
	assert_int_equal(hb_verdict_merge(HB_V_REFUTED, HB_V_CONFIRMED), HB_V_MIXED);
	assert_int_equal(hb_verdict_merge(HB_V_REFUTED, HB_V_REFUTED), HB_V_REFUTED);
	assert_string_equal(hb_verdict_name(HB_V_MIXED), "mixed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirmed),   cmocka_unit_test(test_refuted),
		cmocka_unit_test(test_cannot_tell), cmocka_unit_test(test_exact_one_repetition),
		cmocka_unit_test(test_not_measured), cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
