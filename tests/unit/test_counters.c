/*
 * Counters: every default table encodes under LIBPFM_FORCE_PMU for its model (a misspelled
 * event fails here, on any machine), the scaling arithmetic, the derived metrics from
 * synthetic readings, and software page faults against getrusage over the same window.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef HAVE_LIBPFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "counters.h"

/* ---- encoding of the default tables ---- */

#ifdef HAVE_LIBPFM
/* Re-initialises libpfm4 as if the CPU were pmu. 1 when this libpfm4 build has that PMU. */
static int force_pmu(const char *pmu)
{
	pfm_pmu_t p;
	int found = 0;

	pfm_terminate();
	setenv("LIBPFM_FORCE_PMU", pmu, 1);
	assert_int_equal(pfm_initialize(), PFM_SUCCESS);
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t info;

		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_pmu_info(p, &info) == PFM_SUCCESS && !strcmp(info.name, pmu))
			found = info.is_present;
	}
	return found;
}

static int encodes(const char *name)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;

	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.size = sizeof(arg);
	return pfm_get_os_event_encoding(name, PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
}

static void unforce(void)
{
	pfm_terminate();
	unsetenv("LIBPFM_FORCE_PMU");
	pfm_initialize();
}

static void tables_encode(void **state)
{
	int checked = 0, x86 = 0;

	(void)state;
	for (const struct hb_ctr_table *t = hb_ctr_tables; t->pmu; t++) {
		if (!strcmp(t->pmu, "perf"))
			continue; /* the generic set: checked without forcing below */
		if (!force_pmu(t->pmu)) {
			/* libpfm4 compiles a PMU's tables only for its architecture (Arm tables
			 * only in Arm builds): those names were checked against the source. */
			printf("# skipped %s: not in this libpfm4 build (other architecture)\n",
			       t->pmu);
			continue;
		}
		for (const struct hb_ctr_def *d = t->defs; d->name; d++) {
			int rc = encodes(d->name);

			if (rc != PFM_SUCCESS)
				fail_msg("%s: '%s' does not encode: %s", t->pmu, d->name,
					 pfm_strerror(rc));
		}
		/* A near miss must fail, or this test proves nothing. */
		assert_int_not_equal(encodes("DTLB_LOAD_MISSES:WALK_COMPLETE"), PFM_SUCCESS);
		checked++;
		x86 += t->pmu[0] != 'a' || !strncmp(t->pmu, "amd64", 5);
	}
	unforce();
	for (const struct hb_ctr_table *t = hb_ctr_tables; t->pmu; t++)
		if (!strcmp(t->pmu, "perf"))
			for (const struct hb_ctr_def *d = t->defs; d->name; d++)
				assert_int_equal(encodes(d->name), PFM_SUCCESS);
	for (const struct hb_ctr_def *d = hb_ctr_software; d->name; d++)
		assert_int_equal(encodes(d->name), PFM_SUCCESS);
#if defined(__x86_64__) || defined(__i386__)
	/* Intel Skylake and Icelake, AMD Zen 2/3/4 at least. */
	assert_true(x86 >= 5);
#endif
	assert_true(checked >= 1);
}

/* The detected PMU picks its table: forced Skylake gives the skl set. */
static void default_set_follows_pmu(void **state)
{
	struct hb_counters *cs = calloc(1, sizeof(*cs));
	char err[256];

	(void)state;
	if (!force_pmu("skl")) {
		unforce();
		free(cs);
		skip();
	}
	assert_int_equal(hb_counters_init(cs, NULL, err, sizeof(err)), 0);
	assert_string_equal(cs->pmu, "skl");
	assert_string_equal(cs->c[0].name, "skl::UNHALTED_CORE_CYCLES");
	assert_string_equal(cs->c[cs->n - 1].name, "perf::CPU-MIGRATIONS");
	unforce();
	free(cs);
}
/*
 * Forcing a PMU runs in a child of its own. libpfm4 4.13 on a CPU family it does not know
 * (AMD family 1Ah, Zen 5) crashes in pfm_terminate() after a forced pfm_initialize() that
 * followed a detected one, so no process re-initialises it twice here: the child runs the
 * body as a one-test cmocka group and its exit status is the verdict.
 */
static void in_child(const char *name, CMUnitTestFunction body)
{
	const struct CMUnitTest one[] = { cmocka_unit_test(body) };
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(_cmocka_run_group_tests(name, one, 1, NULL, NULL) ? 1 : 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail_msg("%s failed in its child (status 0x%x)", name, status);
}

static void test_tables_encode(void **state)
{
	(void)state;
	in_child("tables_encode", tables_encode);
}

static void test_default_set_follows_pmu(void **state)
{
	(void)state;
	in_child("default_set_follows_pmu", default_set_follows_pmu);
}
#else
static void test_tables_encode(void **state)
{
	(void)state;
	skip();
}

static void test_default_set_follows_pmu(void **state)
{
	(void)state;
	skip();
}
#endif

/* ---- lists ---- */

static void test_parse(void **state)
{
	struct hb_counters *cs = calloc(1, sizeof(*cs));
	char err[256];

	(void)state;
	snprintf(cs->pmu, sizeof(cs->pmu), "amd64_fam19h_zen4");
	assert_int_equal(hb_counters_parse(cs, "perf::PAGE-FAULTS,perf::CYCLES", err,
					   sizeof(err)), 0);
	assert_int_equal(cs->n, 2);
	assert_int_equal(cs->c[1].roles, 0);
	assert_int_equal(hb_counters_parse(cs, "default,perf::PAGE-FAULTS,x::Y", err,
					   sizeof(err)), 0);
	assert_string_equal(cs->c[0].name, "amd64_fam19h_zen4::CYCLES_NOT_IN_HALT");
	assert_int_equal(cs->c[0].roles, HB_ROLE_CYCLES);
	assert_string_equal(cs->c[cs->n - 1].name, "x::Y"); /* PAGE-FAULTS only once */
	assert_int_equal(hb_counters_parse(cs, "a,,b", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty"));
	assert_int_equal(hb_counters_parse(cs, "a,", err, sizeof(err)), -EINVAL);
	free(cs);
}

/* ---- scaling ---- */

static void test_scale(void **state)
{
	double v, r;

	(void)state;
	assert_int_equal(hb_counter_scale(1000, 200, 200, &v, &r), 0);
	assert_true(v == 1000 && r == 1);
	assert_int_equal(hb_counter_scale(1000, 200, 50, &v, &r), 0);
	assert_true(fabs(v - 4000) < 1e-9 && fabs(r - 0.25) < 1e-12);
	assert_int_equal(hb_counter_scale(7, 3, 2, &v, &r), 0);
	assert_true(fabs(v - 10.5) < 1e-9);
	assert_int_equal(hb_counter_scale(5, 100, 0, &v, &r), -ENODATA);
	assert_int_equal(hb_counter_scale(0, 0, 0, &v, &r), -ENODATA);
	/* running a hair above enabled (clock rounding) is not a scale-down */
	assert_int_equal(hb_counter_scale(10, 100, 101, &v, &r), 0);
	assert_true(v == 10 && r == 1);
}

/* ---- derived metrics from synthetic readings ---- */

struct row {
	char metric[160];
	int has;
	double value;
	char note[512];
};

struct rows {
	struct row r[64];
	int n;
};

static void collect(void *arg, const char *metric, const double *value, const char *unit,
		    const char *note)
{
	struct rows *rs = arg;
	struct row *r = &rs->r[rs->n++];

	(void)unit;
	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	r->has = value != NULL;
	r->value = value ? *value : 0;
	snprintf(r->note, sizeof(r->note), "%s", note ? note : "");
}

static const struct row *find(const struct rows *rs, const char *metric)
{
	const struct row *hit = NULL;

	for (int i = 0; i < rs->n; i++)
		if (!strcmp(rs->r[i].metric, metric)) {
			assert_null(hit); /* once per cell */
			hit = &rs->r[i];
		}
	assert_non_null(hit);
	return hit;
}

static void set(struct hb_counters *cs, const char *name, unsigned roles, uint64_t v,
		uint64_t ena, uint64_t run)
{
	struct hb_counter *c = &cs->c[cs->n++];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->roles = roles;
	c->hardware = 1;
	c->value = v;
	c->enabled = ena;
	c->running = run;
}

static void test_report_synthetic(void **state)
{
	struct hb_counters *cs = calloc(1, sizeof(*cs));
	struct rows *rs = calloc(1, sizeof(*rs));

	(void)state;
	snprintf(cs->pmu, sizeof(cs->pmu), "skl");
	set(cs, "skl::UNHALTED_CORE_CYCLES", HB_ROLE_CYCLES, 1000000, 100, 100);
	set(cs, "skl::DTLB_LOAD_MISSES:STLB_HIT", HB_ROLE_DTLB_MISS, 3000, 100, 50);
	set(cs, "skl::DTLB_LOAD_MISSES:WALK_COMPLETED", HB_ROLE_DTLB_MISS | HB_ROLE_DTLB_WALK,
	    1000, 100, 40);
	set(cs, "skl::DTLB_LOAD_MISSES:WALK_ACTIVE", HB_ROLE_WALK_CYCLES, 50000, 100, 100);
	hb_counters_report(cs, 2000000, collect, rs);

	assert_true(find(rs, "pmu:skl::DTLB_LOAD_MISSES:STLB_HIT")->value == 6000);
	assert_non_null(strstr(find(rs, "pmu:skl::DTLB_LOAD_MISSES:WALK_COMPLETED")->note,
			       "LOW RATIO"));
	assert_null(strstr(find(rs, "pmu:skl::DTLB_LOAD_MISSES:STLB_HIT")->note, "LOW RATIO"));
	assert_true(find(rs, "dtlb_load_misses")->value == 6000 + 2500);
	assert_non_null(strstr(find(rs, "dtlb_load_misses")->note, "0.400"));
	assert_true(find(rs, "dtlb_walks_completed")->value == 2500);
	assert_true(find(rs, "dtlb_walk_cycles")->value == 50000);
	assert_true(fabs(find(rs, "dtlb_misses_per_kilo_access")->value - 4.25) < 1e-9);
	assert_true(fabs(find(rs, "walk_cycles_pct")->value - 5.0) < 1e-9);

	/* No PMU: every wanted counter and metric is a row without a value and with the
	 * reason; no accesses counted: the per-access figure says so. */
	memset(rs, 0, sizeof(*rs));
	for (int i = 0; i < cs->n; i++) {
		cs->c[i].err = -ENOENT;
		snprintf(cs->c[i].why, sizeof(cs->c[i].why), "no PMU exposed (ENOENT)");
	}
	hb_counters_report(cs, 0, collect, rs);
	for (int i = 0; i < rs->n; i++) {
		assert_false(rs->r[i].has);
		assert_true(rs->r[i].note[0]);
	}
	assert_non_null(strstr(find(rs, "dtlb_load_misses")->note, "ENOENT"));
	assert_int_equal(rs->n, cs->n + 5);

	/* Enabled but never scheduled, and a set without walk cycles (AMD). */
	memset(rs, 0, sizeof(*rs));
	cs->n = 0;
	set(cs, "c", HB_ROLE_CYCLES, 10, 100, 100);
	set(cs, "m", HB_ROLE_DTLB_MISS, 10, 100, 0);
	hb_counters_report(cs, 100, collect, rs);
	assert_false(find(rs, "dtlb_load_misses")->has);
	assert_non_null(strstr(find(rs, "dtlb_load_misses")->note, "never scheduled"));
	assert_false(find(rs, "dtlb_walk_cycles")->has);
	assert_non_null(strstr(find(rs, "dtlb_walk_cycles")->note, "no event"));
	assert_false(find(rs, "walk_cycles_pct")->has);
	free(rs);
	free(cs);
}

/* ---- software page faults against getrusage, over two windows ---- */

static void test_software_faults_match_rusage(void **state)
{
	struct hb_counters *cs = calloc(1, sizeof(*cs));
	const size_t len = 64ul << 20;
	uint64_t minflt = 0;
	struct rusage a, b;
	double pf, mi, r;
	char err[256];
	char *mem;

	(void)state;
	assert_int_equal(hb_counters_init(cs, "perf::PAGE-FAULTS,perf::MINOR-FAULTS", err,
					  sizeof(err)), 0);
	hb_counters_open(cs);
	if (cs->c[0].err) {
		/* e.g. perf_event_paranoid=3 (Debian): the reason is what a run reports */
		printf("# software counters unavailable here: %s\n", cs->c[0].why);
		hb_counters_close(cs);
		free(cs);
		skip();
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	madvise(mem, len, MADV_NOHUGEPAGE); /* one fault per 4 KiB page */
	for (int w = 0; w < 2; w++) {
		/* window w counts the faults of one half; the other half is touched outside */
		char *half = mem + (size_t)w * (len / 2);

		getrusage(RUSAGE_THREAD, &a);
		hb_counters_enable(cs);
		for (size_t off = 0; off < len / 4; off += 4096)
			half[off] = 1;
		hb_counters_disable(cs);
		getrusage(RUSAGE_THREAD, &b);
		minflt += (uint64_t)(b.ru_minflt - a.ru_minflt);
		for (size_t off = len / 4; off < len / 2; off += 4096)
			half[off] = 1; /* not counted */
	}
	hb_counters_read(cs);
	assert_int_equal(hb_counter_scale(cs->c[0].value, cs->c[0].enabled, cs->c[0].running,
					  &pf, &r), 0);
	assert_int_equal(hb_counter_scale(cs->c[1].value, cs->c[1].enabled, cs->c[1].running,
					  &mi, &r), 0);
	printf("# page-faults %.0f minor-faults %.0f getrusage minflt %llu (pages %zu)\n", pf, mi,
	       (unsigned long long)minflt, len / 2 / 4096);
	assert_true(minflt >= len / 2 / 4096);
	assert_true(pf > 0);
	assert_true(fabs(pf - (double)minflt) <= 0.01 * (double)minflt);
	assert_true(fabs(mi - (double)minflt) <= 0.01 * (double)minflt);
	munmap(mem, len);
	hb_counters_close(cs);
	free(cs);
}

/* The group path (one leader, members read at once, the probe subtracted), run with
 * software events since this machine may have no PMU. */
static void test_group_path(void **state)
{
	struct hb_counters *cs = calloc(1, sizeof(*cs));
	const size_t len = 16ul << 20;
	struct rusage a, b;
	double pf, clk, r;
	char err[256];
	char *mem;

	(void)state;
	assert_int_equal(hb_counters_init(cs, "perf::PAGE-FAULTS,perf::TASK-CLOCK,"
					  "perf::MINOR-FAULTS", err, sizeof(err)), 0);
	cs->group_all = 1;
	hb_counters_open(cs);
	if (cs->c[0].err) {
		printf("# software counters unavailable here: %s\n", cs->c[0].why);
		free(cs);
		skip();
	}
	assert_true(cs->grouped);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cs->c[i].err, 0);
		assert_int_equal(cs->c[i].leader, 0);
		assert_int_equal(cs->c[i].pos, i);
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);
	madvise(mem, len, MADV_NOHUGEPAGE);
	getrusage(RUSAGE_THREAD, &a);
	hb_counters_enable(cs);
	for (size_t off = 0; off < len; off += 4096)
		mem[off] = 1;
	hb_counters_disable(cs);
	getrusage(RUSAGE_THREAD, &b);
	hb_counters_read(cs);
	assert_int_equal(hb_counter_scale(cs->c[0].value, cs->c[0].enabled, cs->c[0].running,
					  &pf, &r), 0);
	assert_true(r == 1);
	assert_int_equal(hb_counter_scale(cs->c[1].value, cs->c[1].enabled, cs->c[1].running,
					  &clk, &r), 0);
	printf("# group: page-faults %.0f minflt %ld task-clock %.0f ns\n", pf,
	       b.ru_minflt - a.ru_minflt, clk);
	assert_true(fabs(pf - (double)(b.ru_minflt - a.ru_minflt)) <=
		    0.01 * (double)(b.ru_minflt - a.ru_minflt));
	assert_true(pf >= (double)(len / 4096));
	assert_true(clk > 0);
	assert_true(cs->c[2].value == cs->c[0].value);
	munmap(mem, len);
	hb_counters_close(cs);
	free(cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables_encode),
		cmocka_unit_test(test_default_set_follows_pmu),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_report_synthetic),
		cmocka_unit_test(test_software_faults_match_rusage),
		cmocka_unit_test(test_group_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
