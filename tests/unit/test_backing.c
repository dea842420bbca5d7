/* The backing table: every entry is whole, parses its own name, and unknown names list what is
 * accepted. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "backing.h"

static void test_every_entry(void **state)
{
	struct hb_backing b;
	char err[512];
	int n = 0;

	(void)state;
	for (const struct hb_backing_ops *o = hb_backing_table; o->name; o++, n++) {
		assert_non_null(o->accepted);
		assert_non_null(o->example);
		assert_non_null(o->map);
		assert_non_null(o->coverage_how);
		if (o->fault_count)
			assert_non_null(o->no_count);
		if (o->sized) {
			assert_non_null(o->size_ok);
			assert_non_null(o->sizes_dir);
		} else {
			assert_string_equal(o->example, o->name);
			assert_true(o->page_size >= 4096);
		}
		if (hb_backing_parse(o->example, &b, err, sizeof(err)))
			fail_msg("entry %s does not parse its example %s: %s", o->name, o->example,
				 err);
		assert_ptr_equal(b.ops, o);
		assert_string_equal(b.name, o->example);
		assert_int_equal(b.wants_huge, o->wants_huge);
		assert_true(b.page_size >= 4096 && !(b.page_size & (b.page_size - 1)));
		/* No two entries take the same name. */
		for (const struct hb_backing_ops *p = hb_backing_table; p < o; p++)
			assert_string_not_equal(p->name, o->name);
	}
	assert_true(n >= 6);
}

static void test_names(void **state)
{
	struct hb_backing b;
	char err[512];

	(void)state;
	assert_int_equal(hb_backing_parse("hugetlb-1g", &b, err, sizeof(err)), 0);
	assert_int_equal(b.page_size, 1ull << 30);
	assert_int_equal(hb_backing_pool_pages(&b, (1ull << 30) + 1), 2);
	assert_int_equal(hb_backing_parse("mthp-64k", &b, err, sizeof(err)), 0);
	assert_int_equal(b.page_size, 65536);
	assert_int_equal(hb_backing_pool_pages(&b, 1ull << 30), 0);
	assert_non_null(b.ops->fault_count);
	assert_int_equal(hb_backing_parse("thp", &b, err, sizeof(err)), 0);
	assert_int_equal(b.page_size, 2ull << 20);
	assert_true(b.wants_huge);
	assert_null(b.ops->fault_count);
	/* Only 4k turns THP off for a malloc-heap process. */
	assert_int_equal(hb_backing_parse("4k", &b, err, sizeof(err)), 0);
	assert_true(b.ops->process_thp_disable);
	assert_false(b.wants_huge);
	assert_int_equal(hb_backing_parse("thp-never", &b, err, sizeof(err)), 0);
	assert_false(b.ops->process_thp_disable);
	assert_int_equal(b.page_size, 4096);

	/* mTHP of the base page size is no mTHP; sizes must be powers of two. */
	assert_int_equal(hb_backing_parse("mthp-4k", &b, err, sizeof(err)), -EINVAL);
	assert_int_equal(hb_backing_parse("hugetlb-3m", &b, err, sizeof(err)), -EINVAL);
	assert_int_equal(hb_backing_parse("thp-sometimes", &b, err, sizeof(err)), -EINVAL);
	assert_null(b.ops);
	assert_non_null(strstr(err, "unknown backing 'thp-sometimes'; accepted: 4k, thp"));
	for (const struct hb_backing_ops *o = hb_backing_table; o->name; o++)
		assert_non_null(strstr(err, o->accepted));
	assert_int_equal(hb_backing_parse("hugetlb-2m-with-a-name-far-too-long", &b, err,
					  sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_entry),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
