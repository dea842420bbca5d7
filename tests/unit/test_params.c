#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

struct p {
	uint64_t size, dur, n;
	double ratio;
	int mode;
	const char *label;
};

static const struct hb_choice modes[] = { { "random", "random order" },
					   { "sequential", "in address order" },
					   { NULL, NULL } };

static const struct hb_param table[] = {
	{ .name = "size", .type = HB_PT_SIZE, .offset = offsetof(struct p, size), .def = "64M",
	  .min = "4K", .max = "1G", .help = "bytes" },
	{ .name = "duration", .type = HB_PT_DURATION, .offset = offsetof(struct p, dur),
	  .def = "200ms", .min = "1ms", .max = "1m", .help = "time" },
	{ .name = "count", .type = HB_PT_UINT, .offset = offsetof(struct p, n), .def = "10",
	  .min = "1", .max = "100", .help = "how many" },
	{ .name = "ratio", .type = HB_PT_DOUBLE, .offset = offsetof(struct p, ratio),
	  .def = "0.5", .min = "0", .max = "1", .help = "a share" },
	{ .name = "order", .type = HB_PT_ENUM, .offset = offsetof(struct p, mode),
	  .def = "random", .choices = modes, .help = "visit order" },
	{ .name = "label", .type = HB_PT_STRING, .offset = offsetof(struct p, label), .def = "",
	  .help = "free text" },
	HB_PARAM_END,
};

static void test_defaults(void **state)
{
	struct p v;
	char err[256];

	(void)state;
	memset(&v, 0xff, sizeof(v));
	assert_int_equal(hb_params_check_table(table, err, sizeof(err)), 0);
	assert_int_equal(hb_params_defaults(table, &v, err, sizeof(err)), 0);
	assert_int_equal(v.size, 64ull << 20);
	assert_int_equal(v.dur, 200000000ull);
	assert_int_equal(v.n, 10);
	assert_true(v.ratio == 0.5);
	assert_int_equal(v.mode, 0);
	assert_string_equal(v.label, "");
}

static void test_set_and_ranges(void **state)
{
	struct p v;
	char err[512];

	(void)state;
	hb_params_defaults(table, &v, err, sizeof(err));
	assert_int_equal(hb_params_set_arg(table, &v, "size=256M", err, sizeof(err)), 0);
	assert_int_equal(v.size, 256ull << 20);
	assert_int_equal(hb_params_set_arg(table, &v, "order=sequential", err, sizeof(err)), 0);
	assert_int_equal(v.mode, 1);
	assert_int_equal(hb_params_set_arg(table, &v, "count=100", err, sizeof(err)), 0);
	assert_int_equal(hb_params_set_arg(table, &v, "count=101", err, sizeof(err)), -ERANGE);
	assert_non_null(strstr(err, "count"));
	assert_non_null(strstr(err, "1..100"));
	assert_int_equal(v.n, 100); /* unchanged by the refused value */
	assert_int_equal(hb_params_set_arg(table, &v, "size=2K", err, sizeof(err)), -ERANGE);
	assert_int_equal(hb_params_set_arg(table, &v, "size=lots", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'size'"));
	assert_int_equal(hb_params_set_arg(table, &v, "ratio=1.5", err, sizeof(err)), -ERANGE);
	assert_int_equal(hb_params_set_arg(table, &v, "ratio=abc", err, sizeof(err)), -EINVAL);
	assert_int_equal(hb_params_set_arg(table, &v, "order=zigzag", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "random, sequential"));
	assert_int_equal(hb_params_set_arg(table, &v, "count=-1", err, sizeof(err)), -EINVAL);
	assert_int_equal(hb_params_set_arg(table, &v, "size", err, sizeof(err)), -EINVAL);
	assert_int_equal(hb_params_set_arg(table, &v, "=1", err, sizeof(err)), -EINVAL);
}

static void test_unknown_suggests(void **state)
{
	struct p v;
	char err[512];

	(void)state;
	hb_params_defaults(table, &v, err, sizeof(err));
	assert_int_equal(hb_params_set_arg(table, &v, "sise=1M", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "did you mean 'size'"));
	assert_non_null(strstr(err, "accepted: size duration count ratio order label"));
	assert_int_equal(hb_params_set_arg(table, &v, "zzzzzzzz=1", err, sizeof(err)), -ENOENT);
	assert_null(strstr(err, "did you mean"));
	assert_int_equal(hb_edit_distance("size", "sise"), 1);
	assert_int_equal(hb_edit_distance("", "abc"), 3);
	assert_int_equal(hb_edit_distance("kitten", "sitting"), 3);
}

static void test_format(void **state)
{
	struct p v;
	char err[256], buf[512];

	(void)state;
	hb_params_defaults(table, &v, err, sizeof(err));
	hb_params_set_arg(table, &v, "label=x y", err, sizeof(err));
	assert_int_equal(hb_params_format(table, &v, buf, sizeof(buf)), 0);
	assert_string_equal(buf,
			    "size=64M;duration=200ms;count=10;ratio=0.5;order=random;label=x y");
	assert_int_equal(hb_params_format(table, &v, buf, 10), -ENOSPC);
}

/* parse is the inverse of format: every table value round-trips, and a bad field fails. */
static void test_parse_inverse(void **state)
{
	struct p v, back;
	char err[256], buf[512], again[512], *store = NULL;

	(void)state;
	hb_params_defaults(table, &v, err, sizeof(err));
	hb_params_set_arg(table, &v, "size=256M", err, sizeof(err));
	hb_params_set_arg(table, &v, "order=sequential", err, sizeof(err));
	hb_params_set_arg(table, &v, "label=a b", err, sizeof(err));
	hb_params_set_arg(table, &v, "ratio=0.25", err, sizeof(err));
	assert_int_equal(hb_params_format(table, &v, buf, sizeof(buf)), 0);
	assert_int_equal(hb_params_parse(table, buf, &back, &store, err, sizeof(err)), 0);
	assert_int_equal(back.size, 256ull << 20);
	assert_int_equal(back.mode, 1);
	assert_string_equal(back.label, "a b");
	assert_true(back.ratio == 0.25);
	assert_int_equal(hb_params_format(table, &back, again, sizeof(again)), 0);
	assert_string_equal(buf, again);
	free(store);
	/* Fields not named keep their defaults. */
	assert_int_equal(hb_params_parse(table, "count=7", &back, &store, err, sizeof(err)), 0);
	assert_int_equal(back.n, 7);
	assert_int_equal(back.size, 64ull << 20);
	free(store);
	assert_int_equal(hb_params_parse(table, "count=7;sise=1M", &back, &store, err,
					 sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "size"));
	free(store);
	assert_int_equal(hb_params_parse(table, "count=1000", &back, &store, err, sizeof(err)),
			 -ERANGE);
	free(store);
}

static void test_bad_tables(void **state)
{
	char err[256];
	struct hb_param bad[3];

	(void)state;
	/* A default outside its own range is caught. */
	memcpy(bad, table, sizeof(bad[0]));
	bad[0].def = "2G";
	bad[1] = (struct hb_param)HB_PARAM_END;
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "size"));
	/* A default that does not parse. */
	bad[0].def = "64Q";
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	/* Two rows with one name. */
	memcpy(bad, table, sizeof(bad[0]));
	memcpy(bad + 1, table, sizeof(bad[0]));
	bad[2] = (struct hb_param)HB_PARAM_END;
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "twice"));
	/* No help text. */
	memcpy(bad, table, sizeof(bad[0]));
	bad[0].help = "";
	bad[1] = (struct hb_param)HB_PARAM_END;
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
}

/* A flag: takes 0/1, yes/no, true/false; always written 0 or 1, so params text is stable. */
struct fl {
	uint64_t on, n;
	const char *alloc;
};

static const struct hb_param flags[] = {
	{ .name = "on", .type = HB_PT_BOOL, .offset = offsetof(struct fl, on), .def = "yes",
	  .help = "a flag" },
	{ .name = "n", .type = HB_PT_UINT, .offset = offsetof(struct fl, n), .def = "5",
	  .min = "0", .max = "100", .unit = "%", .help = "a share" },
	{ .name = "alloc", .type = HB_PT_STRING, .offset = offsetof(struct fl, alloc),
	  .def = "glibc", .role = &hb_role_allocator, .help = "an allocator preset" },
	HB_PARAM_END,
};

static void test_bool_and_unit(void **state)
{
	struct fl v;
	char err[512], buf[256];
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	memset(&v, 0xff, sizeof(v));
	assert_int_equal(hb_params_check_table(flags, err, sizeof(err)), 0);
	assert_int_equal(hb_params_defaults(flags, &v, err, sizeof(err)), 0);
	assert_int_equal(v.on, 1);
	static const char *const yes[] = { "1", "yes", "true", "TRUE", "Yes" };
	static const char *const no[] = { "0", "no", "false", "FALSE", "No" };

	for (int i = 0; i < 5; i++) {
		assert_int_equal(hb_params_set(flags, &v, "on", no[i], err, sizeof(err)), 0);
		assert_int_equal(v.on, 0);
		hb_param_format_value(&flags[0], &v, buf, sizeof(buf));
		assert_string_equal(buf, "0");
		assert_int_equal(hb_params_set(flags, &v, "on", yes[i], err, sizeof(err)), 0);
		assert_int_equal(v.on, 1);
		hb_param_format_value(&flags[0], &v, buf, sizeof(buf));
		assert_string_equal(buf, "1");
	}
	assert_int_equal(hb_params_set(flags, &v, "on", "2", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "parameter 'on'"));
	assert_non_null(strstr(err, "yes/no"));
	assert_int_equal(hb_params_set(flags, &v, "on", "", err, sizeof(err)), -EINVAL);
	assert_int_equal(v.on, 1);
	assert_int_equal(hb_params_format(flags, &v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "on=1;n=5;alloc=glibc");
	/* The allocator role: only presets. */
	assert_int_equal(hb_params_set(flags, &v, "alloc", "jemalloc+thp", err, sizeof(err)), 0);
	assert_int_equal(hb_params_set(flags, &v, "alloc", "jemallok", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "parameter 'alloc': unknown 'jemallok'; accepted: glibc"));
	/* --help shows the type and the unit. */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	hb_params_help(flags, f);
	fclose(f);
	assert_non_null(strstr(text, "on               bool     default yes, 0 or 1"));
	assert_non_null(strstr(text, "range 0..100, unit %"));
	free(text);
}

static void test_bad_apply_rows(void **state)
{
	char err[256];
	struct hb_param bad[2];

	(void)state;
	bad[1] = (struct hb_param)HB_PARAM_END;
	/* A bool with a range. */
	bad[0] = flags[0];
	bad[0].max = "1";
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'on' is a bool with a range"));
	/* A knob that is not in the knob table. */
	bad[0] = (struct hb_param){ .name = "k", .type = HB_PT_STRING, .offset = 0, .def = "keep",
				    .role = &hb_role_knob, .knob = "thp/nosuch", .keep = "keep",
				    .help = "a knob" };
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "knob 'thp/nosuch'"));
	/* A knob row must say which value keeps the knob, and be text. */
	bad[0].knob = "thp/defrag";
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), 0);
	bad[0].keep = NULL;
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	bad[0].keep = "keep";
	bad[0].type = HB_PT_UINT;
	bad[0].def = "0";
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	/* A default the knob does not take. */
	bad[0].type = HB_PT_STRING;
	bad[0].def = "sometimes";
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	/* An allocator role on a number; a knob name without the role. */
	bad[0] = flags[1];
	bad[0].role = &hb_role_allocator;
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	bad[0].role = NULL;
	bad[0].knob = "thp/defrag";
	assert_int_equal(hb_params_check_table(bad, err, sizeof(err)), -EINVAL);
	assert_ptr_equal(hb_params_find_role(flags, &hb_role_allocator), &flags[2]);
	assert_null(hb_params_find_role(flags, &hb_role_knob));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),	 cmocka_unit_test(test_set_and_ranges),
		cmocka_unit_test(test_unknown_suggests), cmocka_unit_test(test_format),
		cmocka_unit_test(test_bad_tables), cmocka_unit_test(test_parse_inverse),
		cmocka_unit_test(test_bool_and_unit), cmocka_unit_test(test_bad_apply_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
