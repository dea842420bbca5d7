/* The /proc/buddyinfo parser and the unusable-free-space index, on fixture files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buddyinfo.h"

static int read_fixture(const char *name, struct hb_buddyinfo *b)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/fixtures/buddyinfo/%s", HB_SRCDIR, name);
	return hb_buddyinfo_read(path, b, NULL, 0);
}

static void test_fresh(void **state)
{
	struct hb_buddyinfo b;

	(void)state;
	assert_int_equal(read_fixture("fresh.txt", &b), 0);
	assert_int_equal(b.nzones, 3);
	assert_string_equal(b.z[2].name, "Normal");
	assert_int_equal(b.z[2].norders, 11);
	assert_int_equal(b.z[2].free[10], 3800);
	/* DMA is not counted: its 3 order-10 blocks would be 3072 pages more. */
	assert_int_equal(hb_buddyinfo_free_pages(&b), 4670337);
	assert_int_equal(hb_buddyinfo_free_pages_from(&b, 9), 4664832);
	assert_true(hb_buddyinfo_unusable_index(&b, 9) < 0.002);
	assert_true(hb_buddyinfo_unusable_index(&b, 9) > 0.001);
	assert_true(hb_buddyinfo_unusable_index(&b, 0) == 0);
}

static void test_fragmented(void **state)
{
	struct hb_buddyinfo b;
	double i9;

	(void)state;
	assert_int_equal(read_fixture("fragmented.txt", &b), 0);
	assert_int_equal(b.nzones, 4);
	i9 = hb_buddyinfo_unusable_index(&b, 9);
	assert_true(i9 > 0.999 && i9 < 0.9992);
	/* Order 1 excludes only the single pages. */
	assert_true(hb_buddyinfo_unusable_index(&b, 1) < i9);
	assert_true(hb_buddyinfo_unusable_index(&b, 11) == 1);
}

static void test_this_vm_and_nodes(void **state)
{
	struct hb_buddyinfo b;
	double i9;

	(void)state;
	assert_int_equal(read_fixture("this_vm.txt", &b), 0);
	i9 = hb_buddyinfo_unusable_index(&b, 9);
	assert_true(i9 > 0.1191 && i9 < 0.1192);
	/* Machine-wide: both nodes' zones add up. */
	assert_int_equal(read_fixture("two_nodes.txt", &b), 0);
	assert_int_equal(b.nzones, 2);
	assert_int_equal(b.z[1].node, 1);
	assert_int_equal(hb_buddyinfo_free_pages(&b), 102500);
	i9 = hb_buddyinfo_unusable_index(&b, 9);
	assert_true(i9 > 0.00097 && i9 < 0.00098);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = { "bad_number.txt", "bad_comma.txt", "no_counts.txt",
					   "too_many_orders.txt", "overflow.txt", "empty.txt",
					   "trailing_garbage.txt" };
	struct hb_buddyinfo b;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("%s\n", bad[i]);
		assert_int_equal(read_fixture(bad[i], &b), -EINVAL);
	}
	assert_int_equal(read_fixture("absent.txt", &b), -ENOENT);
}

static void test_parse_text(void **state)
{
	struct hb_buddyinfo b;
	char many[64 * 40 + 64] = "";

	(void)state;
	assert_int_equal(hb_buddyinfo_parse("", &b), -EINVAL);
	assert_int_equal(hb_buddyinfo_parse("Node 0, zone Normal 1 2\r\n", &b), 0);
	assert_int_equal(b.z[0].free[1], 2);
	assert_int_equal(hb_buddyinfo_parse("Node 0, zone Normal 1 2x\n", &b), -EINVAL);
	assert_int_equal(hb_buddyinfo_parse("Node , zone Normal 1\n", &b), -EINVAL);
	assert_int_equal(hb_buddyinfo_parse("Node 0, zone  \n", &b), -EINVAL);
	assert_int_equal(hb_buddyinfo_parse("Node 0, zone AVeryLongZoneNameIndeed 1\n", &b),
			 -EINVAL);
	assert_int_equal(hb_buddyinfo_parse("Node 0, zone Normal -1\n", &b), -EINVAL);
	/* No free page at all: 0, as the kernel says. */
	assert_int_equal(hb_buddyinfo_parse("Node 0, zone Normal 0 0 0\n", &b), 0);
	assert_true(hb_buddyinfo_unusable_index(&b, 9) == 0);
	for (int i = 0; i < HB_BUDDY_MAX_ZONES + 1; i++)
		strcat(many, "Node 0, zone Normal 1 2 3\n");
	assert_int_equal(hb_buddyinfo_parse(many, &b), -EINVAL);
	/* Saturating sums: huge counts at high orders do not wrap into a small index. */
	assert_int_equal(hb_buddyinfo_parse("Node 0, zone Normal 1 0 0 0 0 0 0 0 0 0 "
					    "18446744073709551615\n", &b), 0);
	assert_true(hb_buddyinfo_unusable_index(&b, 9) == 0);
	assert_int_equal(hb_buddyinfo_zone_counted("DMA"), 0);
	assert_int_equal(hb_buddyinfo_zone_counted("Movable"), 1);
}

static void test_proc(void **state)
{
	struct hb_buddyinfo b;
	char text[4096];

	(void)state;
	if (hb_buddyinfo_read("/proc/buddyinfo", &b, text, sizeof(text)))
		skip();
	assert_true(b.nzones > 0);
	assert_non_null(strstr(text, "zone"));
	assert_true(hb_buddyinfo_free_pages(&b) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),	   cmocka_unit_test(test_fragmented),
		cmocka_unit_test(test_this_vm_and_nodes), cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_parse_text), cmocka_unit_test(test_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
