/* The bench profile parser on the files in tests/fixtures/profiles/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "matrix.h"
#include "profile.h"

static char err[PATH_MAX + 512];

static int load(const char *name, const char *only, struct hb_matrix *m, struct hb_profile *p)
{
	char path[PATH_MAX];
	const char *dir = getenv("HB_FIXTURES");

	snprintf(path, sizeof(path), "%s/profiles/%s", dir ? dir : "tests/fixtures", name);
	hb_matrix_init(m);
	return hb_profile_load(path, only, m, p, err, sizeof(err));
}

static void test_good(void **state)
{
	struct hb_matrix m;
	struct hb_profile p;

	(void)state;
	assert_int_equal(load("good.ini", NULL, &m, &p), 0);
	assert_int_equal(m.reps, 2);
	assert_int_equal((int)(m.series_interval_ns / 1000000), 50);
	assert_int_equal((int)m.n, 2);
	assert_string_equal(m.e[0].w->name, "touch");
	assert_string_equal(m.e[0].label, "small");
	assert_int_equal(m.e[0].nbackings, 2);
	assert_string_equal(m.e[0].backings[1].name, "thp");
	assert_non_null(strstr(m.e[0].params_text, "size=8M"));
	assert_non_null(strstr(m.e[0].params_text, "passes=3"));
	/* No workload key: the section name; no backings: the default list. */
	assert_string_equal(m.e[1].w->name, "touch");
	assert_non_null(strstr(m.e[1].params_text, "size=16M"));
	assert_true(m.e[1].nbackings >= 1);
	/* reps in a section: that group only. */
	assert_int_equal(m.e[0].reps, 0);
	assert_int_equal(m.e[1].reps, 1);
	assert_string_equal(m.skips[0].params, "span=1G");
	/* A workload this binary lacks: one skipped row per backing, with the reason. */
	assert_int_equal((int)m.nskips, 2);
	assert_string_equal(m.skips[0].workload, "nosuchworkload");
	assert_string_equal(m.skips[1].backing, "thp");
	assert_string_equal(m.skips[0].params, "span=1G");
	assert_non_null(strstr(m.skips[0].why, "not built into"));
	assert_non_null(strstr(m.skips[0].why, "good.ini:16"));
	assert_int_equal(p.sections, 3);
	/* [thresholds]: in file order, a trailing % allowed; no cell group */
	assert_int_equal((int)p.nthresholds, 2);
	assert_string_equal(p.thresholds[0].metric, "populate_ms");
	assert_true(p.thresholds[0].pct == 100);
	assert_string_equal(p.thresholds[1].metric, "ns_per_*");
	assert_true(p.thresholds[1].pct == 50);
	hb_matrix_free(&m);
	hb_profile_free(&p);
}

static void test_only(void **state)
{
	struct hb_matrix m;
	struct hb_profile p;

	(void)state;
	assert_int_equal(load("good.ini", "sma*", &m, &p), 0);
	assert_int_equal((int)m.n, 1);
	assert_int_equal((int)m.nskips, 0);
	assert_int_equal(p.selected, 1);
	hb_matrix_free(&m);
	hb_profile_free(&p);
	assert_int_equal(load("good.ini", "nothing*", &m, &p), -EINVAL);
	assert_non_null(strstr(err, "matches no section"));
	hb_matrix_free(&m);
	hb_profile_free(&p);
}

/* The shipped profiles' defrag sections parse (their defrag words are ones this kernel lists):
 * quick a fresh and an aged pair, full every defrag mode. */
static void test_shipped_defrag(void **state)
{
	static const char *const modes[] = { "always", "defer", "defer+madvise", "madvise",
					      "never" };
	struct hb_matrix m;
	struct hb_profile p;

	(void)state;
	hb_matrix_init(&m);
	assert_int_equal(hb_profile_load(HB_SRCDIR "/profiles/quick.ini", "defrag*", &m, &p, err,
					 sizeof(err)), 0);
	assert_int_equal((int)m.n, 2);
	assert_non_null(strstr(m.e[0].params_text, "defrag=always;"));
	assert_non_null(strstr(m.e[0].params_text, ";age=0;"));
	assert_non_null(strstr(m.e[1].params_text, ";age=1;"));
	hb_matrix_free(&m);
	hb_profile_free(&p);
	hb_matrix_init(&m);
	assert_int_equal(hb_profile_load(HB_SRCDIR "/profiles/full.ini", "defrag*", &m, &p, err,
					 sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char want[64];
		int seen = 0;

		snprintf(want, sizeof(want), "defrag=%s;", modes[i]);
		for (size_t j = 0; j < m.n; j++)
			seen |= strstr(m.e[j].params_text, want) != NULL;
		if (!seen)
			fail_msg("full.ini has no defrag section with %s", want);
	}
	hb_matrix_free(&m);
	hb_profile_free(&p);
}

/* The program profiles: indented lines continue a value (joined with a space), and every
 * shipped one loads, its command lines whole. */
static void test_shipped_program(void **state)
{
	static const char *const names[] = { "external-postgres", "external-memcached",
					      "external-redis" };
	struct hb_matrix m;
	struct hb_profile p;
	char path[PATH_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		hb_matrix_init(&m);
		snprintf(path, sizeof(path), HB_SRCDIR "/profiles/%s.ini", names[i]);
		if (hb_profile_load(path, NULL, &m, &p, err, sizeof(err)))
			fail_msg("%s: %s", names[i], err);
		assert_true(m.n >= 1);
		assert_string_equal(m.e[0].w->name, "external");
		hb_matrix_free(&m);
		hb_profile_free(&p);
	}
	hb_matrix_init(&m);
	assert_int_equal(hb_profile_load(HB_SRCDIR "/profiles/external-postgres.ini", NULL, &m, &p,
					 err, sizeof(err)), 0);
	assert_non_null(strstr(m.e[0].params_text, "cmd=pgbench -S -n -c 2 -j 2 -T 20;"));
	assert_non_null(strstr(m.e[0].params_text, " PGUSER=postgres PGDATABASE=postgres;"));
	assert_non_null(strstr(m.e[0].params_text, "-c {hugetlb} -c fsync=off';"));
	hb_matrix_free(&m);
	hb_profile_free(&p);
}

/* Each bad file fails with its own path and the line of the mistake. */
static void bad(const char *file, const char *where, const char *what)
{
	struct hb_matrix m;
	struct hb_profile p;

	assert_int_equal(load(file, NULL, &m, &p), -EINVAL);
	if (!strstr(err, where) || !strstr(err, what))
		fail_msg("%s: error '%s' lacks '%s' or '%s'", file, err, where, what);
	hb_matrix_free(&m);
	hb_profile_free(&p);
}

static void test_bad(void **state)
{
	(void)state;
	bad("bad_param.ini", "bad_param.ini:5:", "sizee");
	bad("bad_backing.ini", "bad_backing.ini:7:", "backings");
	bad("bad_bench.ini", "bad_bench.ini:3:", "repz");
	bad("bad_syntax.ini", "bad_syntax.ini:3:", "not an INI line");
	bad("bad_twice.ini", "bad_twice.ini:5:", "appears twice");
	bad("bad_validate.ini", "bad_validate.ini:1:", "stride");
	bad("bad_reps.ini", "bad_reps.ini:4:", "reps");
	/* strtol took a sign: digits only */
	bad("bad_reps_sign.ini", "bad_reps_sign.ini:4:", "reps: '+2' is not a whole number");
	bad("bad_bench_reps.ini", "bad_bench_reps.ini:2:", "reps: '+2' is not a whole number");
	bad("bad_threshold.ini", "bad_threshold.ini:5:", "not a percentage");
}

static void test_missing(void **state)
{
	struct hb_matrix m;
	struct hb_profile p;

	(void)state;
	assert_int_equal(load("no-such-file.ini", NULL, &m, &p), -ENOENT);
	hb_matrix_free(&m);
}

/* The CSV reader the plots read results.csv with. */
static void test_csv(void **state)
{
	char *text = strdup("a,b,c\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n");
	struct hb_csv c;

	(void)state;
	assert_int_equal(hb_csv_parse(text, &c, NULL), 0);
	assert_int_equal((int)c.n, 3);
	assert_string_equal(c.rows[1].f[0], "x,1");
	assert_string_equal(c.rows[1].f[1], "say \"hi\"");
	assert_string_equal(c.rows[1].f[2], "two\nlines");
	assert_int_equal((int)c.rows[2].n, 3);
	assert_string_equal(c.rows[2].f[1], "");
	hb_csv_free(&c);
	text = strdup("a,\"open\nb\n");
	size_t line = 0;

	assert_int_equal(hb_csv_parse(text, &c, &line), -EINVAL);
	assert_int_equal((int)line, 1);
	hb_csv_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	cmocka_unit_test(test_only),
		cmocka_unit_test(test_shipped_program),
		cmocka_unit_test(test_bad),	cmocka_unit_test(test_missing),
		cmocka_unit_test(test_csv),		cmocka_unit_test(test_shipped_defrag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
