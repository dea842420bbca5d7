#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "histogram.h"

/* One past the largest value with a bucket of its own; everything from here on is clamped. */
#define TOP_LIMIT ((uint64_t)1 << (HB_HIST_MAX_SHIFT + HB_HIST_SUB_BITS + 1))

/* A fixed-seed xorshift64 so every run sees the same data and a failure can be replayed. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double rng_unit(void)
{
	return (double)(rng_next() >> 11) * 0x1.0p-53;
}

static uint64_t rng_log_uniform(double lo, double hi)
{
	return (uint64_t)exp(log(lo) + rng_unit() * (log(hi) - log(lo)));
}

static struct hb_hist *hist_new(void)
{
	struct hb_hist *h = test_malloc(sizeof(*h));

	hb_hist_init(h);
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/*
 * Percentiles in thousandths of a percent, so the reference rank can be computed in exact
 * integer arithmetic, independently of the double maths in hb_hist_percentile. The pairs
 * 33333/33334 and 66666/66667 straddle rank boundaries for n = 3.
 */
static const uint64_t pct_milli[] = {
	0, 1, 1000, 10000, 25000, 33333, 33334, 50000, 50001, 66666, 66667,
	75000, 90000, 90001, 99000, 99900, 99990, 99999, 100000,
};

static uint64_t exact_percentile(const uint64_t *sorted, uint64_t n, uint64_t pm)
{
	uint64_t rank = (pm * n + 99999) / 100000;

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

/* Records vals, then holds every percentile in pct_milli to the exact nearest rank. */
static void check_percentiles(const uint64_t *vals, size_t n)
{
	struct hb_hist *h = hist_new();
	uint64_t *sorted = test_malloc(n * sizeof(*sorted));
	size_t i;

	for (i = 0; i < n; i++)
		hb_hist_record(h, vals[i]);
	memcpy(sorted, vals, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);

	assert_int_equal(h->count, n);
	assert_int_equal(h->min, sorted[0]);
	assert_int_equal(h->max, sorted[n - 1]);
	assert_int_equal(hb_hist_percentile(h, 0), sorted[0]);
	assert_int_equal(hb_hist_percentile(h, 100), sorted[n - 1]);

	for (i = 0; i < sizeof(pct_milli) / sizeof(pct_milli[0]); i++) {
		uint64_t ref = exact_percentile(sorted, n, pct_milli[i]);
		uint64_t got = hb_hist_percentile(h, (double)pct_milli[i] / 1000.0);
		double err = ref ? fabs((double)got - (double)ref) / (double)ref : (double)got;

		/* The promise is 1%; reporting the midpoint of a 1/128-wide bucket gives 1/256. */
		if (err > 1.0 / 256)
			fail_msg("n=%zu p=%.3f: got %llu, exact %llu (rel err %.4f)", n,
				 (double)pct_milli[i] / 1000.0, (unsigned long long)got,
				 (unsigned long long)ref, err);
		assert_in_range(got, sorted[0], sorted[n - 1]);
	}
	test_free(sorted);
	test_free(h);
}

static void test_init_resets(void **state)
{
	struct hb_hist *h = test_malloc(sizeof(*h));
	unsigned i;

	(void)state;
	memset(h, 0xa5, sizeof(*h));
	hb_hist_init(h);
	assert_int_equal(h->count, 0);
	assert_int_equal(h->min, UINT64_MAX);
	assert_int_equal(h->max, 0);
	assert_true(h->sum == 0);
	for (i = 0; i < HB_HIST_NBUCKETS; i++)
		assert_int_equal(h->buckets[i], 0);
	test_free(h);
}

static void test_small_values_exact(void **state)
{
	uint64_t v;

	(void)state;
	for (v = 0; v < 2 * HB_HIST_SUB; v++) {
		assert_int_equal(hb_hist_index(v), v);
		assert_int_equal(hb_hist_bucket_low((unsigned)v), v);
		assert_int_equal(hb_hist_bucket_high((unsigned)v), v);
	}
}

static void test_buckets_contiguous(void **state)
{
	unsigned i;

	(void)state;
	assert_int_equal(hb_hist_bucket_low(0), 0);
	for (i = 0; i < HB_HIST_NBUCKETS; i++) {
		uint64_t low = hb_hist_bucket_low(i), high = hb_hist_bucket_high(i);

		assert_true(low <= high);
		if (i)
			assert_int_equal(low, hb_hist_bucket_high(i - 1) + 1);
		assert_int_equal(hb_hist_index(low), i);
		assert_int_equal(hb_hist_index(high), i);
		/* width/low <= 1/128, in integers */
		if (low >= 2 * HB_HIST_SUB)
			assert_true((high - low + 1) * HB_HIST_SUB <= low);
	}
	assert_int_equal(hb_hist_bucket_high(HB_HIST_NBUCKETS - 1), TOP_LIMIT - 1);
	assert_int_equal(hb_hist_bucket_low(HB_HIST_NBUCKETS), UINT64_MAX);
	assert_int_equal(hb_hist_bucket_high(HB_HIST_NBUCKETS), UINT64_MAX);
}

static void check_round_trip(uint64_t v)
{
	unsigned idx = hb_hist_index(v);
	uint64_t low, high;

	assert_true(idx < HB_HIST_NBUCKETS);
	low = hb_hist_bucket_low(idx);
	high = hb_hist_bucket_high(idx);
	if (v < low || v > high)
		fail_msg("v=%llu idx=%u bucket [%llu, %llu]", (unsigned long long)v, idx,
			 (unsigned long long)low, (unsigned long long)high);
	if (v >= 2 * HB_HIST_SUB)
		assert_true((high - low + 1) * HB_HIST_SUB <= low);
}

static void test_round_trip(void **state)
{
	uint64_t v;
	unsigned k, i;

	(void)state;
	for (v = 0; v < (1u << 20); v++)
		check_round_trip(v);
	for (k = 1; k < 64; k++) {
		uint64_t p2 = (uint64_t)1 << k;

		if (p2 + 1 >= TOP_LIMIT)
			break;
		check_round_trip(p2 - 1);
		check_round_trip(p2);
		check_round_trip(p2 + 1);
	}
	check_round_trip(TOP_LIMIT - 1);
	rng_seed(1);
	for (i = 0; i < 2000000; i++)
		check_round_trip(rng_log_uniform(1, (double)TOP_LIMIT - 1e6));
}

static void test_clamp_above_top(void **state)
{
	static const uint64_t big[] = { TOP_LIMIT, TOP_LIMIT * 1000, UINT64_MAX };
	struct hb_hist *h = hist_new();
	unsigned last = HB_HIST_NBUCKETS - 1;
	uint64_t mid;
	unsigned i;

	(void)state;
	assert_int_equal(hb_hist_index(TOP_LIMIT - 1), last);
	for (i = 0; i < 3; i++)
		assert_int_equal(hb_hist_index(big[i]), last);

	hb_hist_record(h, 100);
	for (i = 0; i < 3; i++)
		hb_hist_record(h, big[i]);
	assert_int_equal(h->count, 4);
	assert_int_equal(h->buckets[last], 3);
	assert_int_equal(h->max, UINT64_MAX);
	assert_int_equal(h->min, 100);
	assert_int_equal(hb_hist_percentile(h, 100), UINT64_MAX);
	/* Below the max the clamped samples read as the top bucket's midpoint. */
	mid = hb_hist_bucket_low(last) + (hb_hist_bucket_high(last) - hb_hist_bucket_low(last)) / 2;
	assert_int_equal(hb_hist_percentile(h, 50), mid);
	assert_int_equal(hb_hist_percentile(h, 25), 100);
	test_free(h);
}

static void test_empty(void **state)
{
	struct hb_hist *h = hist_new(), *e = hist_new(), *copy = test_malloc(sizeof(*copy));

	(void)state;
	assert_int_equal(hb_hist_percentile(h, 0), 0);
	assert_int_equal(hb_hist_percentile(h, 50), 0);
	assert_int_equal(hb_hist_percentile(h, 99.9), 0);
	assert_int_equal(hb_hist_percentile(h, 100), 0);
	assert_true(hb_hist_mean(h) == 0);

	/* Empty into empty stays empty, sentinels included. */
	hb_hist_merge(h, e);
	assert_int_equal(h->count, 0);
	assert_int_equal(h->min, UINT64_MAX);
	assert_int_equal(h->max, 0);
	assert_int_equal(hb_hist_percentile(h, 50), 0);

	/* Empty into non-empty changes nothing. */
	hb_hist_record(h, 5000);
	hb_hist_record(h, 70);
	memcpy(copy, h, sizeof(*copy));
	hb_hist_merge(h, e);
	assert_memory_equal(h, copy, sizeof(*copy));
	test_free(copy);
	test_free(e);
	test_free(h);
}

static void test_percentiles_log_uniform(void **state)
{
	const size_t n = 200000;
	uint64_t *v = test_malloc(n * sizeof(*v));
	size_t i;

	(void)state;
	rng_seed(42);
	for (i = 0; i < n; i++)
		v[i] = rng_log_uniform(10, 100e9);
	check_percentiles(v, n);
	test_free(v);
}

static void test_percentiles_constant(void **state)
{
	static const uint64_t consts[] = { 0, 7, 12345, 123456789, 99999999999ull };
	uint64_t v[1000];
	struct hb_hist *h;
	unsigned c, i;

	(void)state;
	for (c = 0; c < sizeof(consts) / sizeof(consts[0]); c++) {
		h = hist_new();
		for (i = 0; i < 1000; i++) {
			v[i] = consts[c];
			hb_hist_record(h, consts[c]);
		}
		/* min == max, so the clamp must make every percentile exact. */
		for (i = 0; i < sizeof(pct_milli) / sizeof(pct_milli[0]); i++)
			assert_int_equal(hb_hist_percentile(h, (double)pct_milli[i] / 1000.0),
					 consts[c]);
		check_percentiles(v, 1000);
		test_free(h);
	}
}

static void test_percentiles_bimodal(void **state)
{
	/* 90% near 1 us, 10% near 5 ms: p90 is the top of the low mode, p90.001 the high one. */
	const size_t n = 100000, n_low = 90000;
	uint64_t *v = test_malloc(n * sizeof(*v));
	size_t i;

	(void)state;
	rng_seed(7);
	for (i = 0; i < n; i++)
		v[i] = i < n_low ? rng_log_uniform(900, 1100) : rng_log_uniform(4.5e6, 5.5e6);
	check_percentiles(v, n);
	test_free(v);
}

static void test_percentiles_small_n(void **state)
{
	static const uint64_t one[] = { 4242 };
	static const uint64_t two[] = { 1000000000, 10 };
	static const uint64_t three[] = { 5000, 30000000000ull, 17 };
	static const uint64_t four[] = { 300, 300, 2000000, 299 };
	struct hb_hist *h = hist_new();

	(void)state;
	check_percentiles(one, 1);
	check_percentiles(two, 2);
	check_percentiles(three, 3);
	check_percentiles(four, 4);

	/* Spot checks by hand, so the rank rule is not only checked against itself. */
	hb_hist_record(h, 10);
	hb_hist_record(h, 1000000000);
	assert_int_equal(hb_hist_percentile(h, 50), 10);
	assert_true(hb_hist_percentile(h, 50.1) > 990000000);
	test_free(h);
}

/*
 * Pairs where p/100*n is a whole number but the double product lands an ulp or two above it
 * (0.9/100*1000 = 9.0000000000000018): a bare ceil() would pick the next rank.
 */
static void test_rank_rounding(void **state)
{
	static const struct {
		uint64_t pm, n;
	} cases[] = { { 900, 1000 }, { 875, 800 }, { 1120, 625 }, { 2700, 1000 } };
	struct hb_hist *h;
	uint64_t rank, i;
	unsigned c;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		rank = cases[c].pm * cases[c].n / 100000;
		h = hist_new();
		/* The first rank samples are low, the rest far higher: one rank off is obvious. */
		for (i = 0; i < cases[c].n; i++)
			hb_hist_record(h, i < rank ? 100 : 1000000);
		assert_int_equal(hb_hist_percentile(h, (double)cases[c].pm / 1000.0), 100);
		assert_true(hb_hist_percentile(h, (double)(cases[c].pm + 1) / 1000.0) > 990000);
		test_free(h);
	}
}

static void test_percentile_monotonic(void **state)
{
	struct hb_hist *h = hist_new();
	uint64_t prev = 0, cur;
	unsigned i;

	(void)state;
	rng_seed(99);
	for (i = 0; i < 50000; i++)
		hb_hist_record(h, rng_log_uniform(50, 1e7));
	for (i = 0; i <= 10000; i++) {
		cur = hb_hist_percentile(h, i / 100.0);
		assert_true(cur >= prev);
		assert_in_range(cur, h->min, h->max);
		prev = cur;
	}
	test_free(h);
}

static void test_merge(void **state)
{
	/* Integer samples whose total stays below 2^53 add exactly, so sums compare with ==. */
	const unsigned n = 20000;
	struct hb_hist *a = hist_new(), *b = hist_new(), *all = hist_new();
	unsigned i;
	uint64_t v;

	(void)state;
	rng_seed(1234);
	for (i = 0; i < n; i++) {
		v = rng_log_uniform(10, 100e9);
		hb_hist_record(i % 3 ? a : b, v);
		hb_hist_record(all, v);
	}
	/* b gets the extremes so min and max must come from src. */
	hb_hist_record(b, 3);
	hb_hist_record(all, 3);
	hb_hist_record(b, 200000000000ull);
	hb_hist_record(all, 200000000000ull);

	hb_hist_merge(a, b);
	assert_int_equal(a->count, all->count);
	assert_int_equal(a->min, 3);
	assert_int_equal(a->max, 200000000000ull);
	assert_int_equal(a->min, all->min);
	assert_int_equal(a->max, all->max);
	assert_true(a->sum == all->sum);
	assert_memory_equal(a->buckets, all->buckets, sizeof(a->buckets));
	for (i = 0; i < sizeof(pct_milli) / sizeof(pct_milli[0]); i++)
		assert_int_equal(hb_hist_percentile(a, (double)pct_milli[i] / 1000.0),
				 hb_hist_percentile(all, (double)pct_milli[i] / 1000.0));
	test_free(all);
	test_free(b);
	test_free(a);
}

static void test_mean(void **state)
{
	struct hb_hist *h = hist_new();

	(void)state;
	hb_hist_record(h, 1);
	hb_hist_record(h, 2);
	hb_hist_record(h, 3);
	hb_hist_record(h, 1000000);
	assert_true(hb_hist_mean(h) == 1000006.0 / 4);
	test_free(h);
}

/* The percentile table: the metric names every results file has, in rising order, and only
 * p9999 outside hb_metric_hist's set. */
static void test_pct_table(void **state)
{
	static const char *const names[] = { "p50", "p90", "p99", "p999", "p9999", "max" };
	static const double ps[] = { 50, 90, 99, 99.9, 99.99, 100 };

	(void)state;
	for (size_t i = 0; i < HB_HIST_NPCTS; i++) {
		assert_string_equal(hb_hist_pcts[i].name, names[i]);
		assert_true(hb_hist_pcts[i].p == ps[i]);
		assert_int_equal(hb_hist_pcts[i].extra, !strcmp(names[i], "p9999"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_resets),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_buckets_contiguous),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_clamp_above_top),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_percentiles_log_uniform),
		cmocka_unit_test(test_percentiles_constant),
		cmocka_unit_test(test_percentiles_bimodal),
		cmocka_unit_test(test_percentiles_small_n),
		cmocka_unit_test(test_rank_rounding),
		cmocka_unit_test(test_percentile_monotonic),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_mean),
		cmocka_unit_test(test_pct_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
