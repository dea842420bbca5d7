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
static const struct hb_workload_needs hinted_needs = {.fit_hint = hint};
static const struct hb_workload hinted = {.name = "hinted", .needs = &hinted_needs};

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
	    hb_fit_cell(w, p, "size=5G", &b, w->needs->memory_needed(p), &av, why, sizeof(why)),
	    -ENOMEM);
	assert_non_null(strstr(why, "2 x size = 10G"));
	assert_non_null(strstr(why, "allow_overcommit=1"));
	assert_int_equal(hb_params_set(w->params, p, "allow_overcommit", "1", err, sizeof(err)), 0);
	assert_int_equal(
	    hb_fit_cell(w, p, "size=5G", &b, w->needs->memory_needed(p), &av, why, sizeof(why)), 0);
	free(p);
}

/* A workload with two phases of its own and 1 GiB to populate. */
struct timed {
	uint64_t a, b, n;
};
static const struct hb_param timed_params[] = {
	{ .name = "a", .type = HB_PT_DURATION, .offset = offsetof(struct timed, a), .def = "5s" },
	{ .name = "n", .type = HB_PT_UINT, .offset = offsetof(struct timed, n), .def = "7" },
	{ .name = "b", .type = HB_PT_DURATION, .offset = offsetof(struct timed, b),
	  .def = "250ms" },
	HB_PARAM_END,
};
static uint64_t timed_need(const void *p)
{
	(void)p;
	return GIB;
}
static const struct hb_workload_needs timed_needs = { .memory_needed = timed_need };
static const struct hb_workload timed = { .name = "timed", .params = timed_params,
					  .params_size = sizeof(struct timed),
					  .needs = &timed_needs };

/* floor + twice the duration rows (not the number) + 10 s/GiB, rounded up to a second. */
static void test_timeout_default(void **state)
{
	struct timed t = { .a = 5000000000ull, .b = 250000000ull, .n = 7 };
	char from[320];

	(void)state;
	assert_int_equal(hb_cell_timeout_default(&timed, &t, from, sizeof(from)),
			 (30 + 11 + 10) * 1000000000ull);
	assert_non_null(strstr(from, "30 s floor + 2 x 5.2 s of duration parameters (a+b)"));
	assert_non_null(strstr(from, "10.0 s populate allowance for 1024 MiB"));
	t.a = t.b = 0;
	assert_int_equal(hb_cell_timeout_default(&timed, &t, NULL, 0), 40 * 1000000000ull);
}

/* need + 25% + 256 MiB; hugetlb's region is not charged unless the heap is the memory. */
static void test_memory_limit(void **state)
{
	struct hb_backing b4 = backing("4k"), bh = backing("hugetlb-2m");
	struct hb_workload heap = timed;
	struct hb_workload_needs heap_needs = timed_needs;
	char from[160];

	(void)state;
	unsetenv("HB_TEST_MEMLIMIT_KIB");
	assert_int_equal(hb_cell_memory_limit(&timed, NULL, &b4, from, sizeof(from)),
			 GIB + GIB / 4 + (256ull << 20));
	assert_string_equal(from, "memory_needed 1024 MiB + 25% + 256 MiB");
	assert_int_equal(hb_cell_memory_limit(&timed, NULL, &bh, from, sizeof(from)), 256ull << 20);
	assert_non_null(strstr(from, "not charged"));
	heap_needs.process_memory = 1;
	heap.needs = &heap_needs;
	assert_int_equal(hb_cell_memory_limit(&heap, NULL, &bh, NULL, 0),
			 GIB + GIB / 4 + (256ull << 20));
	setenv("HB_TEST_MEMLIMIT_KIB", "8192", 1);
	assert_int_equal(hb_cell_memory_limit(&timed, NULL, &b4, from, sizeof(from)), 8ull << 20);
	assert_non_null(strstr(from, "test only"));
	unsetenv("HB_TEST_MEMLIMIT_KIB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fit_available),
	    cmocka_unit_test(test_fit_hint),
	    cmocka_unit_test(test_fit_hugetlb),
	    cmocka_unit_test(test_fit_forkcow),
	    cmocka_unit_test(test_timeout_default),
	    cmocka_unit_test(test_memory_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
