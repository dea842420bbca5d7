#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backing.h"
#include "fit.h"
#include "workload.h"

#define GIB (1ull << 30)

static void hint(const void *params, char *buf, size_t len)
{
	snprintf(buf, len, "parameter 'size': use a smaller size (%s)", (const char *)params);
}

static const struct hb_workload plain = {.name = "plain"};
static const struct hb_workload hinted = {.name = "hinted", .fit_hint = hint};

static struct hb_backing backing(const char *name)
{
	struct hb_backing b;
	char err[256];

	assert_int_equal(hb_backing_parse(name, &b, err, sizeof(err)), 0);
	return b;
}

/* 90% of MemAvailable may be used, no more. */
static void test_fit_available(void **state)
{
	struct hb_backing b = backing("4k");
	struct hb_fit_avail av = {.mem_available = 10 * GIB};
	char why[1024];

	(void)state;
	assert_int_equal(hb_fit_cell(&plain, NULL, "size=9G", &b, 9 * GIB, &av, why, sizeof(why)),
			 0);
	assert_int_equal(
	    hb_fit_cell(&plain, NULL, "size=9G", &b, 9 * GIB + 4096, &av, why, sizeof(why)),
	    -ENOMEM);
	assert_non_null(strstr(why, "plain 4k: a cell needs"));
	assert_non_null(strstr(why, "MemAvailable is 10G (at most 90% of it may be used)"));
	assert_non_null(strstr(why, "parameters: size=9G"));
	/* MemAvailable unknown: nothing to refuse on. */
	av.mem_available = 0;
	assert_int_equal(hb_fit_cell(&plain, NULL, "", &b, 1000 * GIB, &av, why, sizeof(why)), 0);
}

/* The workload's hint is the way out, appended to the refusal. */
static void test_fit_hint(void **state)
{
	struct hb_backing b = backing("thp");
	struct hb_fit_avail av = {.mem_available = 1 * GIB};
	char why[1024];

	(void)state;
	assert_int_equal(hb_fit_cell(&hinted, "x=1", "size=2G", &b, 2 * GIB, &av, why, sizeof(why)),
			 -ENOMEM);
	assert_non_null(strstr(why, "hinted thp: a cell needs 2G"));
	assert_non_null(strstr(why, "parameters: size=2G; parameter 'size': use a smaller size "
				    "(x=1)"));
	/* A short buffer still ends in a NUL. */
	assert_int_equal(hb_fit_cell(&hinted, "x=1", "size=2G", &b, 2 * GIB, &av, why, 16),
			 -ENOMEM);
	assert_int_equal(strlen(why), 15);
}

/* hugetlb: the pool's free pages, plus (as root) what MemAvailable can add to it. */
static void test_fit_hugetlb(void **state)
{
	struct hb_backing b = backing("hugetlb-2m");
	struct hb_fit_avail av = {.mem_available = 0, .hugetlb_free = 512};
	char why[1024];

	(void)state;
	assert_int_equal(hb_fit_cell(&plain, NULL, "", &b, 1 * GIB, &av, why, sizeof(why)), 0);
	assert_int_equal(hb_fit_cell(&hinted, "y", "", &b, 1 * GIB + 1, &av, why, sizeof(why)),
			 -ENOMEM);
	assert_non_null(strstr(why, "hinted hugetlb-2m needs 513 hugetlb pages of 2048 KiB"));
	assert_non_null(strstr(why, "at most 512 here (free 512"));
	assert_non_null(strstr(why, "; parameter 'size': use a smaller size (y)"));
	av.root = 1;
	av.mem_available = 2 * GIB;
	assert_int_equal(hb_fit_cell(&plain, NULL, "", &b, 3 * GIB, &av, why, sizeof(why)), 0);
	assert_int_equal(hb_fit_cell(&plain, NULL, "", &b, 3 * GIB + 4096, &av, why, sizeof(why)),
			 -ENOMEM);
}

/* forkcow counts every page twice (a snapshot may copy them all) unless told not to. */
static void test_fit_forkcow(void **state)
{
	const struct hb_workload *w = hb_workload_find("forkcow");
	struct hb_backing b = backing("4k");
	struct hb_fit_avail av = {.mem_available = 10 * GIB};
	char why[1024], err[256];
	void *p;

	(void)state;
	assert_non_null(w);
	p = calloc(1, w->params_size);
	assert_non_null(p);
	assert_int_equal(hb_params_defaults(w->params, p, err, sizeof(err)), 0);
	assert_int_equal(hb_params_set(w->params, p, "size", "5G", err, sizeof(err)), 0);
	assert_int_equal(
	    hb_fit_cell(w, p, "size=5G", &b, w->memory_needed(p), &av, why, sizeof(why)), -ENOMEM);
	assert_non_null(strstr(why, "2 x size = 10G"));
	assert_non_null(strstr(why, "allow_overcommit=1"));
	assert_int_equal(hb_params_set(w->params, p, "allow_overcommit", "1", err, sizeof(err)), 0);
	assert_int_equal(
	    hb_fit_cell(w, p, "size=5G", &b, w->memory_needed(p), &av, why, sizeof(why)), 0);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fit_available),
	    cmocka_unit_test(test_fit_hint),
	    cmocka_unit_test(test_fit_hugetlb),
	    cmocka_unit_test(test_fit_forkcow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
