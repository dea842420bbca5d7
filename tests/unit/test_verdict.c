/*
 * The verdict rule on paired repetitions (report/paired_fig.h, verdict.h): pairs by rep, the
 * 90% sign-test interval's order statistics (reference: scipy.stats.binom, below), each
 * outcome and its reason, figures that repeat, and how backings' verdicts combine.
 *
 * Reference values (scipy 1.10.1, binom.cdf(k - 1, n, 0.5), the interval's lower order
 * statistic k is the largest with cdf <= 0.05): n=4: k=1 gives 0.0625, no interval; n=5:
 * 0.03125, k=1; n=10: k=2 gives 0.01074, k=3 0.05469, so k=2; n=20: k=6 0.02069, k=7
 * 0.05766, so k=6.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "outputs.h"
#include "paired_fig.h"
#include "verdict.h"

static struct hb_row rows[256];
static char names[256][4][48];

static const struct hb_workload *forkcow(void)
{
	for (int i = 0; hb_workloads[i]; i++)
		if (!strcmp(hb_workloads[i]->name, "forkcow"))
			return hb_workloads[i];
	return NULL;
}

/* A run of n repetitions: metric of backing bk, v[i] in rep first_rep + i. */
static void add(struct hb_rundata *d, const char *bk, const char *metric, const double *v,
		size_t n, int first_rep)
{
	for (size_t i = 0; i < n; i++) {
		struct hb_row *r = &rows[d->n];

		snprintf(names[d->n][0], 48, "forkcow");
		snprintf(names[d->n][1], 48, "%s", bk);
		snprintf(names[d->n][2], 48, "size=1G");
		snprintf(names[d->n][3], 48, "%s", metric);
		*r = (struct hb_row){ .workload = names[d->n][0], .backing = names[d->n][1],
				      .params = names[d->n][2], .metric = names[d->n][3],
				      .rep = first_rep + (int)i, .num = 1, .v = v[i] };
		d->n++;
	}
	d->rows = rows;
}

static enum hb_verdict judge(struct hb_rundata *d, const char *metric, double lo, double hi,
			     struct hb_fig_cmp *c, char *why)
{
	hb_fig_compare(d, forkcow(), "size=1G", "thp", metric, "4k", metric, -1, c);
	return hb_verdict_judge(c, lo, hi, why, 200);
}

static void test_interval_order_statistics(void **state)
{
	/* ratios thp / 4k = 0.50, 0.51, ..., 0.59 in a shuffled rep order */
	static const double a[10] = { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100 };
	static const double b[10] = { 55, 50, 59, 52, 57, 51, 58, 53, 56, 54 };
	struct hb_rundata d = { 0 };
	struct hb_fig_cmp c;
	char why[200];

	(void)state;
	add(&d, "4k", "fork_ms_per_gib", a, 10, 1);
	add(&d, "thp", "fork_ms_per_gib", b, 10, 1);
	/* n = 10: k = 2, the interval is [r(2), r(9)] = [0.51, 0.58] */
	assert_int_equal(judge(&d, "fork_ms_per_gib", 0, 0.95, &c, why), HB_V_CONFIRMED);
	assert_int_equal(c.n, 10);
	assert_true(fabs(c.lo - 0.51) < 1e-12 && fabs(c.hi - 0.58) < 1e-12);
	assert_true(fabs(c.median - 0.545) < 1e-12);
	assert_false(c.exact);
	/* the same interval straddles 0.55: no verdict, and more repetitions may decide */
	assert_int_equal(hb_verdict_judge(&c, 0.55, 1, why, sizeof(why)), HB_V_CANNOT_TELL);
	assert_non_null(strstr(why, "straddles"));
	/* wholly below a claimed 0.6-0.9: refuted, on the side it is */
	assert_int_equal(hb_verdict_judge(&c, 0.6, 0.9, why, sizeof(why)), HB_V_REFUTED);
	assert_non_null(strstr(why, "below the claimed range"));
	assert_int_equal(hb_verdict_judge(&c, 0.2, 0.5, why, sizeof(why)), HB_V_REFUTED);
	assert_non_null(strstr(why, "above the claimed range"));
	assert_int_equal(hb_fig_direction(&c, 0.02), -1);
}

static void test_pairs_by_rep(void **state)
{
	/* the machine drifts 3x between repetitions; the pairs stay at 0.8 */
	static const double a[5] = { 100, 300, 200, 150, 120 };
	static const double b[5] = { 80, 240, 160, 120, 96 };
	static const double late[3] = { 1, 1, 1 };
	struct hb_rundata d = { 0 };
	struct hb_fig_cmp c;
	char why[200];

	(void)state;
	add(&d, "4k", "fork_ms_per_gib", a, 5, 1);
	add(&d, "thp", "fork_ms_per_gib", b, 5, 1);
	/* reps 6-8 of 4k alone pair with nothing */
	add(&d, "4k", "fork_ms_per_gib", late, 3, 6);
	assert_int_equal(judge(&d, "fork_ms_per_gib", 0.7, 0.9, &c, why), HB_V_CONFIRMED);
	assert_int_equal(c.n, 5);
	assert_true(fabs(c.lo - 0.8) < 1e-12 && fabs(c.hi - 0.8) < 1e-12);
}

static void test_too_few_pairs(void **state)
{
	static const double a[4] = { 100, 100, 100, 100 }, b[4] = { 50, 50, 50, 50 };
	struct hb_rundata d = { 0 };
	struct hb_fig_cmp c;
	char why[200];

	(void)state;
	add(&d, "4k", "fork_ms_per_gib", a, 4, 1);
	add(&d, "thp", "fork_ms_per_gib", b, 4, 1);
	/* four pairs of a time, however clear: no 90% interval (0.0625 > 0.05) */
	assert_int_equal(judge(&d, "fork_ms_per_gib", 0, 0.95, &c, why), HB_V_CANNOT_TELL);
	assert_string_equal(why, "4 pairs: the 90% interval needs 5 repetitions");
	assert_false(c.has_interval);
	assert_int_equal(hb_fig_direction(&c, 0.02), 2);
	/* a fifth pair decides */
	add(&d, "4k", "fork_ms_per_gib", a, 1, 5);
	add(&d, "thp", "fork_ms_per_gib", b, 1, 5);
	assert_int_equal(judge(&d, "fork_ms_per_gib", 0, 0.95, &c, why), HB_V_CONFIRMED);
}

static void test_memory_repeats(void **state)
{
	/* a memory figure decides from one pair, on the range of the ratios */
	static const double a[1] = { 4 }, b[1] = { 4 };
	static const double a2[2] = { 4, 4 }, b2[2] = { 2048, 4 };
	struct hb_rundata d = { 0 }, e = { 0 };
	struct hb_fig_cmp c;
	char why[200];

	(void)state;
	add(&d, "4k", "copied_kib_per_dirtied_page", a, 1, 1);
	add(&d, "thp", "copied_kib_per_dirtied_page", b, 1, 1);
	assert_int_equal(judge(&d, "copied_kib_per_dirtied_page", 256, HB_UNBOUNDED, &c, why),
			 HB_V_REFUTED);
	assert_true(c.exact);
	/* ratios 512 and 1 straddle 256: no verdict, and none in sight */
	add(&e, "4k", "copied_kib_per_dirtied_page", a2, 2, 1);
	add(&e, "thp", "copied_kib_per_dirtied_page", b2, 2, 1);
	assert_int_equal(judge(&e, "copied_kib_per_dirtied_page", 256, HB_UNBOUNDED, &c, why),
			 HB_V_CANNOT_TELL);
	assert_int_equal(hb_fig_reps_needed(&c, 256, HB_UNBOUNDED), 0);
}

static void test_reps_needed(void **state)
{
	/* 9 of 10 ratios below 0.95, one above: n = 10 has k = 2, so r(9) < 0.95 decides */
	static const double a[6] = { 100, 100, 100, 100, 100, 100 };
	static const double b[6] = { 80, 82, 85, 96, 81, 83 };
	struct hb_rundata d = { 0 };
	struct hb_fig_cmp c;
	char why[200];
	int k;

	(void)state;
	add(&d, "4k", "fork_ms_per_gib", a, 6, 1);
	add(&d, "thp", "fork_ms_per_gib", b, 6, 1);
	/* n = 6: k = 1, [0.80, 0.96] straddles 0.95 */
	assert_int_equal(judge(&d, "fork_ms_per_gib", 0, 0.95, &c, why), HB_V_CANNOT_TELL);
	k = hb_fig_reps_needed(&c, 0, 0.95);
	assert_true(k > 6 && k <= HB_PAIRED_CAP);
	assert_non_null(strstr(why, "repetitions would decide"));
}

static void test_not_measured(void **state)
{
	static const double a[3] = { 1, 2, 3 };
	struct hb_rundata d = { 0 };
	struct hb_fig_cmp c;
	char why[200];

	(void)state;
	add(&d, "4k", "fork_ms_per_gib", a, 3, 1);
	assert_int_equal(judge(&d, "fork_ms_per_gib", 0, 1, &c, why), HB_V_NOT_MEASURED);
	assert_int_equal(c.n, 0);
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
		cmocka_unit_test(test_interval_order_statistics),
		cmocka_unit_test(test_pairs_by_rep),
		cmocka_unit_test(test_too_few_pairs),
		cmocka_unit_test(test_memory_repeats),
		cmocka_unit_test(test_reps_needed),
		cmocka_unit_test(test_not_measured),
		cmocka_unit_test(test_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
