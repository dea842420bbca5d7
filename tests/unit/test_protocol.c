#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

/* Encodes m, checks the line's shape, and decodes it back into out (line holds the text). */
static void round_trip(const struct hb_msg *m, char *line, struct hb_msg *out)
{
	int n = hb_msg_encode(m, line, HB_MSG_LINE_MAX);

	assert_true(n > 0);
	assert_true(n < HB_MSG_LINE_MAX);
	assert_int_equal((int)strlen(line), n);
	assert_int_equal(line[n - 1], '\n');
	assert_null(memchr(line, '\n', (size_t)n - 1)); /* one line */
	line[n - 1] = 0;
	assert_int_equal(hb_msg_decode(line, out), 0);
	assert_int_equal(out->kind, m->kind);
}

static void test_round_trip_every_kind(void **state)
{
	char line[HB_MSG_LINE_MAX + 8];
	struct hb_msg d;

	(void)state;
	round_trip(&(struct hb_msg){.kind = HB_MSG_METRIC,
				    .name = "ns_per_touch",
				    .num = 1.5,
				    .unit = "ns",
				    .note = "median over passes"},
		   line, &d);
	assert_string_equal(d.name, "ns_per_touch");
	assert_string_equal(d.value, "1.5");
	assert_true(d.numeric);
	assert_true(d.num == 1.5);
	assert_string_equal(d.unit, "ns");
	assert_string_equal(d.note, "median over passes");

	/* A text value; NULL unit and note travel as empty fields. */
	round_trip(
	    &(struct hb_msg){.kind = HB_MSG_METRIC, .name = "counters", .value = "unavailable"},
	    line, &d);
	assert_string_equal(d.value, "unavailable");
	assert_false(d.numeric);
	assert_string_equal(d.unit, "");
	assert_string_equal(d.note, "");

	round_trip(&(struct hb_msg){.kind = HB_MSG_GAUGE, .name = "live_bytes", .num = 4096}, line,
		   &d);
	assert_string_equal(d.name, "live_bytes");
	assert_true(d.num == 4096);

	round_trip(&(struct hb_msg){.kind = HB_MSG_PHASE, .name = "walk"}, line, &d);
	assert_string_equal(d.name, "walk");
	/* The end of a phase is a phase without a name. */
	round_trip(&(struct hb_msg){.kind = HB_MSG_PHASE, .name = ""}, line, &d);
	assert_string_equal(d.name, "");

	round_trip(&(struct hb_msg){.kind = HB_MSG_FALLBACK, .note = "asked for thp pages"}, line,
		   &d);
	assert_string_equal(d.note, "asked for thp pages");
	round_trip(&(struct hb_msg){.kind = HB_MSG_ERROR, .note = "run failed: No memory"}, line,
		   &d);
	assert_string_equal(d.note, "run failed: No memory");
}

/* The exact lines the child sent before the protocol had a module: results must not change. */
static void test_wire_format(void **state)
{
	char line[HB_MSG_LINE_MAX];

	(void)state;
	hb_msg_encode(
	    &(struct hb_msg){
		.kind = HB_MSG_METRIC, .name = "a", .num = 2, .unit = "ms", .note = NULL},
	    line, sizeof(line));
	assert_string_equal(line, "M\ta\t2\tms\t\n");
	hb_msg_encode(&(struct hb_msg){.kind = HB_MSG_METRIC,
				       .name = "pmu:x",
				       .value = "unavailable",
				       .unit = "events",
				       .note = "why"},
		      line, sizeof(line));
	assert_string_equal(line, "M\tpmu:x\tunavailable\tevents\twhy\n");
	hb_msg_encode(&(struct hb_msg){.kind = HB_MSG_GAUGE, .name = "ops", .num = 0.25}, line,
		      sizeof(line));
	assert_string_equal(line, "G\tops\t0.25\n");
	hb_msg_encode(&(struct hb_msg){.kind = HB_MSG_PHASE, .name = ""}, line, sizeof(line));
	assert_string_equal(line, "P\t\n");
	hb_msg_encode(&(struct hb_msg){.kind = HB_MSG_ERROR, .note = "x"}, line, sizeof(line));
	assert_string_equal(line, "E\tx\n");
}

/* Numbers as %.10g, the way every result row has always been printed. */
static void test_numbers_10g(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
	    {1234.56789012345, "1234.56789"},
	    {0.1, "0.1"},
	    {1e20, "1e+20"},
	    {123456789012.0, "1.23456789e+11"},
	    {262144, "262144"},
	    {-3.5e-7, "-3.5e-07"},
	    {0, "0"},
	    {4294967296.0, "4294967296"},
	};
	char line[HB_MSG_LINE_MAX], want[64];
	struct hb_msg d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "%.10g", cases[i].v);
		assert_string_equal(want, cases[i].text);
		round_trip(
		    &(struct hb_msg){
			.kind = HB_MSG_METRIC, .name = "v", .num = cases[i].v, .unit = "x"},
		    line, &d);
		assert_string_equal(d.value, cases[i].text);
		assert_true(d.numeric);
		round_trip(&(struct hb_msg){.kind = HB_MSG_GAUGE, .name = "g", .num = cases[i].v},
			   line, &d);
		assert_string_equal(d.value, cases[i].text);
	}
	round_trip(&(struct hb_msg){.kind = HB_MSG_METRIC, .name = "v", .num = NAN, .unit = "x"},
		   line, &d);
	assert_string_equal(d.value, "nan");
}

/* A tab inside a field would shift every later field; a newline would end the line early. */
static void test_tabs_and_newlines(void **state)
{
	char line[HB_MSG_LINE_MAX];
	struct hb_msg d;

	(void)state;
	round_trip(&(struct hb_msg){.kind = HB_MSG_METRIC,
				    .name = "a\tb",
				    .value = "v\nw",
				    .unit = "u\r",
				    .note = "one\ttwo\nthree\r\nfour"},
		   line, &d);
	assert_string_equal(d.name, "a b");
	assert_string_equal(d.value, "v w");
	assert_string_equal(d.unit, "u ");
	assert_string_equal(d.note, "one two three  four");
	round_trip(&(struct hb_msg){.kind = HB_MSG_PHASE, .name = "x\ty"}, line, &d);
	assert_string_equal(d.name, "x y");
	round_trip(&(struct hb_msg){.kind = HB_MSG_ERROR, .note = "a\tb\nc"}, line, &d);
	assert_string_equal(d.note, "a b c");
	round_trip(&(struct hb_msg){.kind = HB_MSG_GAUGE, .name = "g\n", .num = 1}, line, &d);
	assert_string_equal(d.name, "g ");
}

/* Over-long fields are cut to their maximum, so the line stays under PIPE_BUF. */
static void test_long_fields(void **state)
{
	char big[3000], line[HB_MSG_LINE_MAX];
	struct hb_msg d;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	round_trip(
	    &(struct hb_msg){
		.kind = HB_MSG_METRIC, .name = big, .value = big, .unit = big, .note = big},
	    line, &d);
	assert_int_equal(strlen(d.name), HB_MSG_NAME_MAX);
	assert_int_equal(strlen(d.value), HB_MSG_VALUE_MAX);
	assert_int_equal(strlen(d.unit), HB_MSG_UNIT_MAX);
	assert_int_equal(strlen(d.note), HB_MSG_NOTE_MAX);
	round_trip(&(struct hb_msg){.kind = HB_MSG_FALLBACK, .note = big}, line, &d);
	assert_int_equal(strlen(d.note), HB_MSG_NOTE_MAX);
	round_trip(&(struct hb_msg){.kind = HB_MSG_PHASE, .name = big}, line, &d);
	assert_int_equal(strlen(d.name), HB_MSG_NAME_MAX);
	assert_true(HB_MSG_LINE_MAX <= PIPE_BUF);
}

static void test_encode_errors(void **state)
{
	char line[HB_MSG_LINE_MAX];

	(void)state;
	assert_int_equal(
	    hb_msg_encode(&(struct hb_msg){.kind = 'X', .note = "x"}, line, sizeof(line)), -EINVAL);
	assert_int_equal(hb_msg_encode(&(struct hb_msg){.kind = HB_MSG_ERROR, .note = "x"}, line,
				       HB_MSG_LINE_MAX - 1),
			 -ENOSPC);
}

/* A malformed line is rejected whole, never half-used. */
static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "X\tfoo",
	    "MM\ta\t1\tu\tn",
	    "M",
	    "M\ta\t1\tu",	    /* a field short */
	    "M\ta\t1\tu\tn\textra", /* a field too many */
	    "M\t\t1\tu\tn",	    /* no name */
	    "G\tg",
	    "G\tg\tabc",
	    "G\tg\t12abc",
	    "G\tg\t",
	    "G\t\t1",
	    "G\tg\t1\t2",
	    "P",
	    "P\ta\tb",
	    "F",
	    "F\ta\tb",
	    "E",
	    "E\ta\tb",
	    "m\ta\t1\tu\tn",
	};
	char line[64];
	struct hb_msg d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "%s", bad[i]);
		if (hb_msg_decode(line, &d) != -EINVAL)
			fail_msg("accepted malformed line %zu '%s'", i, bad[i]);
	}
	/* An empty metric value is a value (e.g. a version that could not be read). */
	snprintf(line, sizeof(line), "M\tallocator_version\t\t\t");
	assert_int_equal(hb_msg_decode(line, &d), 0);
	assert_string_equal(d.value, "");
	assert_false(d.numeric);
}

/* What the child writes is what the parent reads: one message per write() on a pipe. */
static void test_write_pipe(void **state)
{
	int fd[2];
	char buf[2 * HB_MSG_LINE_MAX], *nl;
	struct hb_msg d;
	ssize_t r;

	(void)state;
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(hb_msg_write(fd[1], &(struct hb_msg){.kind = HB_MSG_METRIC,
							      .name = "rss_kib",
							      .num = 266096,
							      .unit = "KiB",
							      .note = "smaps"}),
			 0);
	assert_int_equal(hb_msg_write(fd[1], &(struct hb_msg){.kind = 'Z'}), -EINVAL);
	close(fd[1]);
	r = read(fd[0], buf, sizeof(buf) - 1);
	close(fd[0]);
	assert_true(r > 0);
	buf[r] = 0;
	assert_string_equal(buf, "M\trss_kib\t266096\tKiB\tsmaps\n");
	nl = strchr(buf, '\n');
	*nl = 0;
	assert_int_equal(hb_msg_decode(buf, &d), 0);
	assert_true(d.num == 266096);
	assert_int_equal(hb_msg_write(-1, &(struct hb_msg){.kind = HB_MSG_ERROR}), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_every_kind),
	    cmocka_unit_test(test_wire_format),
	    cmocka_unit_test(test_numbers_10g),
	    cmocka_unit_test(test_tabs_and_newlines),
	    cmocka_unit_test(test_long_fields),
	    cmocka_unit_test(test_encode_errors),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_write_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
