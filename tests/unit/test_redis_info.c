/* The redis workload's INFO parser and log-line reading, on INFO text captured from the real
 * redis-server 7.0.15 here (tests/fixtures/redis/: during and after a BGSAVE, CRLF lines). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

static char *slurp(const char *name)
{
	char path[512];
	FILE *f;
	char *buf = calloc(1, 1 << 17);
	size_t n;

	snprintf(path, sizeof(path), "%s/tests/fixtures/redis/%s", HB_SRCDIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, (1 << 17) - 1, f);
	fclose(f);
	assert_true(n > 1000);
	return buf;
}

static void test_fields(void **state)
{
	char *info = slurp("info_after_bgsave.txt"), buf[64];
	double v;

	(void)state;
	assert_int_equal(redis_info_num(info, "latest_fork_usec", &v), 0);
	assert_true(v == 11863);
	assert_int_equal(redis_info_num(info, "rdb_last_cow_size", &v), 0);
	assert_true(v == 376602624);
	assert_int_equal(redis_info_num(info, "rdb_last_bgsave_time_sec", &v), 0);
	assert_true(v == 4);
	/* used_memory is not used_memory_rss or used_memory_human, though they share a start */
	assert_int_equal(redis_info_num(info, "used_memory", &v), 0);
	assert_true(v == 533112256);
	assert_int_equal(redis_info_num(info, "used_memory_rss", &v), 0);
	assert_true(v == 566321152);
	assert_int_equal(redis_info_num(info, "mem_fragmentation_ratio", &v), 0);
	assert_true(v > 1.059 && v < 1.061);
	assert_int_equal(redis_info_num(info, "used_memory_human", &v), -EINVAL); /* "508.41M" */
	assert_int_equal(redis_info_num(info, "no_such_field", &v), -ENOENT);
	assert_int_equal(redis_info_num(info, "Memory", &v), -ENOENT); /* "# Memory" header */
	assert_int_equal(redis_info_str(info, "rdb_last_bgsave_status", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ok"); /* without the \r */
	assert_int_equal(redis_info_str(info, "redis_version", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7.0.15");
	free(info);
}

static void test_during(void **state)
{
	char *info = slurp("info_during_bgsave.txt");
	double v;

	(void)state;
	assert_int_equal(redis_info_num(info, "rdb_bgsave_in_progress", &v), 0);
	assert_true(v == 1);
	assert_int_equal(redis_info_num(info, "rdb_last_bgsave_time_sec", &v), 0);
	assert_true(v == -1);
	free(info);
}

struct seen {
	unsigned n;
	char names[16][64];
	double v[16];
};

static void collect(void *arg, const char *name, double v)
{
	struct seen *s = arg;

	if (s->n < 16) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
		s->v[s->n++] = v;
	}
}

static void test_each_allocator(void **state)
{
	char *info = slurp("info_after_bgsave.txt");
	struct seen s = { 0 };

	(void)state;
	/* allocator_allocated, _active, _resident, _frag_ratio, _frag_bytes, _rss_ratio,
	 * _rss_bytes: seven numeric fields, in INFO's order */
	assert_int_equal(redis_info_each(info, "allocator_", collect, &s), 7);
	assert_string_equal(s.names[0], "allocator_allocated");
	assert_true(s.v[0] == 533472144);
	assert_string_equal(s.names[2], "allocator_resident");
	assert_true(s.v[2] == 559398912);
	assert_string_equal(s.names[6], "allocator_rss_bytes");
	assert_true(s.v[6] == 25391104);
	free(info);
}

static void test_log_strip(void **state)
{
	(void)state;
	assert_string_equal(redis_log_strip("8269:M 01 Dec 2026 10:44:49.038 # Failed listening "
					    "on port 6379 (TCP), aborting."),
			    "# Failed listening on port 6379 (TCP), aborting.");
	assert_string_equal(redis_log_strip("*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***"),
			    "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***");
	assert_string_equal(redis_log_strip("12:34 not a log line"), "12:34 not a log line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_during),
		cmocka_unit_test(test_each_allocator),
		cmocka_unit_test(test_log_strip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
