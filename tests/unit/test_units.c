#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "units.h"

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hb_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(hb_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(hb_parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(hb_parse_size("4k", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(hb_parse_size("256M", &v), 0);
	assert_int_equal(v, 256ull << 20);
	assert_int_equal(hb_parse_size("1G", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(hb_parse_size("2T", &v), 0);
	assert_int_equal(v, 2ull << 40);
	assert_int_equal(hb_parse_size("1.5G", &v), 0);
	assert_int_equal(v, 3ull << 29);
	assert_int_equal(hb_parse_size("64MiB", &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(hb_parse_size("64MB", &v), 0);
	assert_int_equal(v, 64ull << 20);
}

static void test_bad_sizes(void **state)
{
	uint64_t v = 77;

	(void)state;
	assert_int_equal(hb_parse_size("", &v), -EINVAL);
	assert_int_equal(hb_parse_size("M", &v), -EINVAL);
	assert_int_equal(hb_parse_size("-1", &v), -EINVAL);
	assert_int_equal(hb_parse_size("12X", &v), -EINVAL);
	assert_int_equal(hb_parse_size("12KK", &v), -EINVAL);
	assert_int_equal(hb_parse_size(" 12", &v), -EINVAL);
	assert_int_equal(hb_parse_size("0x10", &v), -EINVAL);
	assert_int_equal(hb_parse_size("1.3K", &v), -EINVAL); /* not whole bytes */
	assert_int_equal(hb_parse_size("inf", &v), -EINVAL);
	assert_int_equal(hb_parse_size("16777216T", &v), -ERANGE);
	assert_int_equal(v, 77); /* untouched on error */
}

/* Whole numbers as --seed takes them: decimal digits, nothing strtoull would let through. */
static void test_uints(void **state)
{
	uint64_t v = 77;

	(void)state;
	assert_int_equal(hb_parse_uint("0", UINT64_MAX, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(hb_parse_uint("42", UINT64_MAX, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(hb_parse_uint("010", UINT64_MAX, &v), 0); /* decimal, not octal */
	assert_int_equal(v, 10);
	assert_int_equal(hb_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hb_parse_uint("1000", 1000, &v), 0);
	assert_int_equal(v, 1000);
	v = 77;
	assert_int_equal(hb_parse_uint("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(hb_parse_uint("99999999999999999999999", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(hb_parse_uint("1001", 1000, &v), -ERANGE);
	assert_int_equal(hb_parse_uint("-3", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("-0", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("+3", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint(NULL, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint(" 3", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("3 ", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("12x", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("0x10", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("1e3", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(hb_parse_uint("1.0", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(v, 77); /* untouched on error */
}

static void test_durations(void **state)
{
	uint64_t ns;

	(void)state;
	assert_int_equal(hb_parse_duration("200ms", &ns), 0);
	assert_int_equal(ns, 200000000ull);
	assert_int_equal(hb_parse_duration("15s", &ns), 0);
	assert_int_equal(ns, 15000000000ull);
	assert_int_equal(hb_parse_duration("1.5s", &ns), 0);
	assert_int_equal(ns, 1500000000ull);
	assert_int_equal(hb_parse_duration("2", &ns), 0);
	assert_int_equal(ns, 2000000000ull);
	assert_int_equal(hb_parse_duration("100us", &ns), 0);
	assert_int_equal(ns, 100000ull);
	assert_int_equal(hb_parse_duration("7ns", &ns), 0);
	assert_int_equal(ns, 7);
	assert_int_equal(hb_parse_duration("2m", &ns), 0);
	assert_int_equal(ns, 120000000000ull);
	assert_int_equal(hb_parse_duration("5h", &ns), -EINVAL);
	assert_int_equal(hb_parse_duration("ms", &ns), -EINVAL);
	assert_int_equal(hb_parse_duration("-1s", &ns), -EINVAL);
}

static void test_format(void **state)
{
	char buf[32];

	(void)state;
	hb_format_size(256ull << 20, buf, sizeof(buf));
	assert_string_equal(buf, "256M");
	hb_format_size(3ull << 29, buf, sizeof(buf));
	assert_string_equal(buf, "1536M");
	hb_format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
	hb_format_size(0, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	hb_format_size(1ull << 40, buf, sizeof(buf));
	assert_string_equal(buf, "1T");
	hb_format_duration(200000000ull, buf, sizeof(buf));
	assert_string_equal(buf, "200ms");
	hb_format_duration(15000000000ull, buf, sizeof(buf));
	assert_string_equal(buf, "15s");
	hb_format_duration(1500, buf, sizeof(buf));
	assert_string_equal(buf, "1500ns");
}

static void test_round_trip(void **state)
{
	(void)state;
	for (uint64_t v = 1; v < (1ull << 42); v = v * 3 + 1) {
		char buf[32];
		uint64_t back;

		hb_format_size(v, buf, sizeof(buf));
		assert_int_equal(hb_parse_size(buf, &back), 0);
		assert_int_equal(back, v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),	   cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_durations), cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip), cmocka_unit_test(test_uints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
