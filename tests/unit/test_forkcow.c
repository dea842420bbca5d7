/* forkcow's pure parts: where writes go (each distribution) and the count of distinct
 * 4 KiB pages they touch (dirtied_pages), on known patterns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "forkcow.h"

static void test_sequential(void **state)
{
	struct fc_picker p;

	(void)state;
	fc_picker_init(&p, FC_SEQUENTIAL, 5, 0.99, 10, 1);
	for (uint64_t i = 0; i < 12; i++)
		assert_int_equal(fc_pick(&p), i % 5);
}

static void test_ranges(void **state)
{
	struct fc_picker u, h, z;
	uint64_t seen_hot_max = 0;

	(void)state;
	fc_picker_init(&u, FC_UNIFORM, 1000, 0.99, 10, 42);
	fc_picker_init(&h, FC_HOTSET, 1000, 0.99, 10, 42);
	fc_picker_init(&z, FC_ZIPF, 1000, 0.99, 10, 42);
	for (int i = 0; i < 100000; i++) {
		uint64_t a = fc_pick(&u), b = fc_pick(&h), c = fc_pick(&z);

		assert_true(a < 1000);
		assert_true(b < 100); /* 10 % of 1000 slots */
		assert_true(c < 1000);
		if (b > seen_hot_max)
			seen_hot_max = b;
	}
	assert_true(seen_hot_max > 90); /* the whole hot set is used */
}

/* Zipf: the hottest slot takes far more than its uniform share, and the ranks are spread
 * (one-to-one) over the dataset rather than packed at its start. */
static void test_zipf_skew(void **state)
{
	const uint64_t n = 10000, draws = 200000;
	uint32_t *hits = calloc(n, sizeof(*hits));
	uint64_t top = 0, top_slot = 0, second = 0, second_slot = 0, distinct = 0, gap;
	struct fc_picker z;

	(void)state;
	assert_non_null(hits);
	fc_picker_init(&z, FC_ZIPF, n, 0.99, 10, 7);
	for (uint64_t i = 0; i < draws; i++)
		hits[fc_pick(&z)]++;
	for (uint64_t i = 0; i < n; i++) {
		distinct += hits[i] > 0;
		if (hits[i] > top) {
			second = top;
			second_slot = top_slot;
			top = hits[i];
			top_slot = i;
		} else if (hits[i] > second) {
			second = hits[i];
			second_slot = i;
		}
	}
	/* Uniform would give 20 per slot; rank 0 of a zipf(0.99) over 10^4 gets ~10 %. */
	assert_true(top > 100 * draws / n);
	/* The two hottest slots are far apart: hot ranks are spread, not packed together. */
	gap = top_slot > second_slot ? top_slot - second_slot : second_slot - top_slot;
	assert_true(gap > n / 100 && n - gap > n / 100);
	assert_true(distinct > n / 4);
	free(hits);
}

static void test_pages(void **state)
{
	struct fc_pages b;

	(void)state;
	assert_int_equal(fc_pages_init(&b, 64 << 20), 0);
	assert_int_equal(b.npages, 16384);
	/* 1000 sequential 512-byte writes from 0: 512000 bytes, pages 0..124. */
	for (uint64_t i = 0; i < 1000; i++)
		fc_pages_mark(&b, i * 512, 512);
	assert_int_equal(b.marked, 125);
	/* The same again changes nothing: distinct pages. */
	for (uint64_t i = 0; i < 1000; i++)
		fc_pages_mark(&b, i * 512, 512);
	assert_int_equal(b.marked, 125);
	/* A write across a page boundary dirties both pages. */
	fc_pages_mark(&b, 200 * 4096 - 8, 16);
	assert_int_equal(b.marked, 127);
	/* One write per 2 MiB: one page each. */
	for (uint64_t off = 4 << 20; off < (64 << 20); off += 2 << 20)
		fc_pages_mark(&b, off + 100, 64);
	assert_int_equal(b.marked, 127 + 30);
	/* The last byte of the dataset, and nothing past it. */
	fc_pages_mark(&b, (64 << 20) - 1, 1);
	assert_int_equal(b.marked, 158);
	fc_pages_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sequential),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_zipf_skew),
		cmocka_unit_test(test_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
