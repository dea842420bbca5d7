#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <time.h>

#include "rng.h"
#include "sample.h"
#include "stats.h"

static void test_stats_odd_even(void **state)
{
	double odd[] = {5, 1, 4, 2, 3}, even[] = {40, 10, 30, 20}, one[] = {7};
	double two[] = {2, 1};
	struct hb_stats st;

	(void)state;
	assert_int_equal(hb_stats_of(odd, 5, &st), 0);
	assert_int_equal(st.n, 5);
	assert_true(st.med == 3 && st.min == 1 && st.max == 5);
	/* Sorted in place. */
	for (int i = 0; i < 5; i++)
		assert_true(odd[i] == i + 1);
	/* Even: the mean of the two middle values, neither the lower nor the upper one. */
	assert_int_equal(hb_stats_of(even, 4, &st), 0);
	assert_true(st.med == 25 && st.min == 10 && st.max == 40);
	assert_int_equal(hb_stats_of(one, 1, &st), 0);
	assert_true(st.med == 7 && st.min == 7 && st.max == 7);
	assert_int_equal(hb_stats_of(two, 2, &st), 0);
	assert_true(st.med == 1.5 && st.min == 1 && st.max == 2);
}

static void test_stats_empty(void **state)
{
	double v[1] = {3};
	struct hb_stats st = {.n = 9, .med = 1};

	(void)state;
	assert_int_equal(hb_stats_of(v, 0, &st), -EINVAL);
	assert_int_equal(st.n, 0);
	assert_true(st.med == 0);
}

static void test_stats_negative_duplicates(void **state)
{
	double v[] = {-1, 3, -1, 3, 0, 3};
	struct hb_stats st;

	(void)state;
	assert_int_equal(hb_stats_of(v, 6, &st), 0);
	assert_true(st.min == -1 && st.max == 3 && st.med == 1.5);
}

/* The warm-up samples are dropped and each sample is divided by its operations. */
static void test_sampler_stats(void **state)
{
	static const uint64_t ns[] = {1000000, 400, 100, 300, 200};
	struct hb_sampler s;
	struct hb_stats st;

	(void)state;
	assert_int_equal(hb_sampler_init(&s, "ns_per_x", "ns", 1, 4), 0);
	assert_int_equal(s.cap, 5);
	assert_int_equal(hb_sampler_stats(&s, 1, &st), -ENODATA);
	for (int i = 0; i < 5; i++)
		s.ns[s.n++] = ns[i];
	assert_int_equal(hb_sampler_stats(&s, 10, &st), 0);
	assert_int_equal(st.n, 4);
	assert_true(st.min == 10 && st.max == 40 && st.med == 25);
	assert_int_equal(hb_sampler_stats(&s, 0, &st), -EINVAL);
	hb_sampler_free(&s);
	assert_null(s.ns);

	/* Only the warm-up taken: nothing to report. */
	assert_int_equal(hb_sampler_init(&s, "x", "ns", 2, 3), 0);
	s.ns[s.n++] = 5;
	s.ns[s.n++] = 6;
	assert_int_equal(hb_sampler_stats(&s, 1, &st), -ENODATA);
	hb_sampler_free(&s);

	assert_int_equal(hb_sampler_init(&s, "x", "ns", 1, 0), -EINVAL);
	assert_int_equal(hb_sampler_init(&s, NULL, "ns", 1, 1), -EINVAL);
	assert_int_equal(hb_sampler_init(&s, "x", "ns", UINT64_MAX, 1), -EINVAL);
}

/* begin/end take the clock around the work, and samples beyond the room are not kept. */
static void test_sampler_clock(void **state)
{
	struct timespec ts = {0, 2000000};
	struct hb_sampler s;
	struct hb_stats st;

	(void)state;
	assert_int_equal(hb_sampler_init(&s, "x", "ns", 0, 2), 0);
	for (int i = 0; i < 3; i++) {
		hb_sample_begin(&s);
		nanosleep(&ts, NULL);
		hb_sample_end(&s);
	}
	assert_int_equal(s.n, 2);
	assert_true(s.ns[0] >= 2000000 && s.ns[1] >= 2000000);
	assert_int_equal(hb_sampler_stats(&s, 1e6, &st), 0);
	assert_true(st.min >= 2.0 && st.max < 1000.0);
	hb_sampler_free(&s);
}

/* splitmix64's published sequence from state 0: every workload's choices depend on it. */
static void test_rng_splitmix64(void **state)
{
	uint64_t st = 0;

	(void)state;
	assert_true(hb_splitmix64(&st) == 0xe220a8397b1dcdafull);
	assert_true(hb_splitmix64(&st) == 0x6e789e6aa1b965f4ull);
	assert_true(hb_splitmix64(&st) == 0x06c45d188009454full);
	assert_true(st == 3 * 0x9e3779b97f4a7c15ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stats_odd_even),
	    cmocka_unit_test(test_stats_empty),
	    cmocka_unit_test(test_stats_negative_duplicates),
	    cmocka_unit_test(test_sampler_stats),
	    cmocka_unit_test(test_sampler_clock),
	    cmocka_unit_test(test_rng_splitmix64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
