/*
 * Every row of results.csv is declared (outputs.h struct hb_metric_def, the harness's in
 * results/metrics.c): the declarations are well formed and agree with the headlines, charts
 * and claims that name rows, and every workload, run on a tiny size by the built hugebench
 * ($HB_BIN), writes no row whose name or unit they do not declare.
 *
 * The runs hold /tmp/hugebench.lock (unless HB_LOCK_HELD=1) as the e2e tests do: they change
 * machine-wide THP settings for their cells. redis needs redis-server; without it that run is
 * skipped, saying so.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "metrics_doc.h"
#include "rundata.h"
#include "vmstat.h"
#include "workload.h"

static void test_pattern_match(void **state)
{
	(void)state;
	assert_true(hb_metric_pattern_match("fork_us", "fork_us"));
	assert_false(hb_metric_pattern_match("fork_us", "fork_us_empty"));
	assert_false(hb_metric_pattern_match("fork_us_empty", "fork_us"));
	assert_true(hb_metric_pattern_match("write_<pct>_us_<phase>", "write_p99_us_snapshot"));
	assert_true(hb_metric_pattern_match("write_<pct>_us_<phase>", "write_max_us_after"));
	assert_false(hb_metric_pattern_match("write_<pct>_us_<phase>", "write__us_after"));
	assert_false(hb_metric_pattern_match("write_<pct>_us_<phase>", "write_p99_us_"));
	assert_true(hb_metric_pattern_match("folio_kib_<size>", "folio_kib_2m"));
	assert_false(hb_metric_pattern_match("folio_kib_<size>", "folio_kib_"));
	assert_true(hb_metric_pattern_match("pmu:<event>", "pmu:perf::PAGE-FAULTS"));
	/* a placeholder takes underscores: the rest of the pattern decides where it ends */
	assert_true(hb_metric_pattern_match("rss_kib_<when>", "rss_kib_after_drain"));
	assert_true(hb_metric_pattern_match("jemalloc_<stat>_kib_<when>",
					    "jemalloc_resident_kib_after_drain"));
	assert_false(hb_metric_pattern_match("jemalloc_<stat>_kib_<when>", "jemalloc_kib_full"));
}

/* A declaration list: names, units and meanings there, no name twice. */
static void check_list(const char *who, const struct hb_metric_def *defs)
{
	assert_non_null(defs);
	for (const struct hb_metric_def *d = defs; d->name; d++) {
		const char *open = strchr(d->name, '<');

		if (!*d->name || !d->unit || !d->meaning || !*d->meaning)
			fail_msg("%s: row '%s' lacks a unit or a meaning", who, d->name);
		if (open && !strchr(open, '>'))
			fail_msg("%s: row '%s': a '<' without '>'", who, d->name);
		if ((unsigned)d->kind > HB_KIND_TAIL)
			fail_msg("%s: row '%s': no such kind %d", who, d->name, d->kind);
		if (d->kind == HB_KIND_AUTO && *d->unit)
			fail_msg("%s: row '%s' has a unit: give its kind", who, d->name);
		for (const struct hb_metric_def *e = defs; e < d; e++)
			if (!strcmp(e->name, d->name))
				fail_msg("%s: row '%s' declared twice", who, d->name);
	}
}

/* A row a headline, chart or claim of w names: declared, by w or the harness. */
static const struct hb_metric_def *declared(const struct hb_workload *w, const char *what,
					    const char *name)
{
	const struct hb_metric_def *d = hb_metric_find(hb_workload_outputs(w)->metrics, name);

	if (!d)
		d = hb_metric_find(hb_harness_metrics, name);
	if (!d)
		fail_msg("workload %s: %s names row '%s', which is not declared", w->name, what,
			 name);
	return d;
}

static void test_declarations(void **state)
{
	(void)state;
	check_list("harness", hb_harness_metrics);
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const struct hb_outputs *o = hb_workload_outputs(w);

		assert_non_null(o);
		check_list(w->name, o->metrics);
		for (const struct hb_headline *h = o->headlines; h && h->metric; h++) {
			const struct hb_metric_def *d = declared(w, "a headline", h->metric);

			if (d->kind != h->kind || d->better != h->better)
				fail_msg("workload %s: headline %s says kind %d, better %d; its "
					 "declaration (%s) kind %d, better %d", w->name, h->metric,
					 h->kind, h->better, d->name, d->kind, d->better);
		}
		for (const struct hb_chart_def *c = o->charts; c && c->kind; c++) {
			char name[128];

			if (c->kind == HB_CHART_BARS || c->kind == HB_CHART_SWEEP)
				declared(w, "a chart", c->metric);
			for (const char *const *p = c->phases;
			     c->kind == HB_CHART_PERCENTILES && p && *p; p++) {
				snprintf(name, sizeof(name), "%s_p50_us_%s", c->metric, *p);
				declared(w, "a percentile chart", name);
			}
		}
		for (const struct hb_claim *c = o->claims; c && c->text; c++) {
			declared(w, "a claim", c->metric);
			if (c->vs_metric)
				declared(w, "a claim", c->vs_metric);
		}
	}
}

/* The vmstat counters the harness reports over every cell, by their kernel names. */
static void test_vmstat_rows_declared(void **state)
{
	(void)state;
	for (int i = 0; i < HB_VM_NR; i++)
		assert_non_null(hb_metric_find(hb_harness_metrics, hb_vmstat_name(i)));
}

static void test_check(void **state)
{
	const struct hb_workload *w = hb_workload_find("forkcow");
	char why[512];

	(void)state;
	assert_non_null(w);
	assert_int_equal(hb_metric_check(w, "fork_us", "us", 1, why, sizeof(why)), 0);
	assert_int_equal(hb_metric_check(w, "write_p99_us_snapshot", "us", 1, why, sizeof(why)),
			 0);
	/* the harness's rows count for every workload, also one this binary lacks */
	assert_int_equal(hb_metric_check(w, "populate_ms", "ms", 1, why, sizeof(why)), 0);
	assert_int_equal(hb_metric_check(NULL, "status", "", 0, why, sizeof(why)), 0);
	/* a text row ("unavailable") may carry no unit; a number must carry the declared one */
	assert_int_equal(hb_metric_check(w, "copied_kib_charged", "", 0, why, sizeof(why)), 0);
	assert_int_equal(hb_metric_check(w, "fork_us", "ms", 1, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "'fork_us'"));
	assert_int_equal(hb_metric_check(w, "fork_us", "", 1, why, sizeof(why)), -EINVAL);
	assert_int_equal(hb_metric_check(w, "fork_usec", "us", 1, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "'fork_usec' of workload forkcow is not declared"));
	/* another workload's row is not forkcow's */
	assert_int_equal(hb_metric_check(w, "ns_per_touch", "ns", 1, why, sizeof(why)), -ENOENT);
}

/* A median is a time, the percentiles above it and the maximum are tails: on a shared host
 * compare withholds the verdict of a tail only (compare.c). */
static void test_percentile_kinds(void **state)
{
	static const struct {
		const char *workload, *name;
		enum hb_metric_kind kind;
	} want[] = {
		{ "churn", "op_p50_us", HB_KIND_TIME },
		{ "churn", "op_p99_us", HB_KIND_TAIL },
		{ "churn", "op_max_us", HB_KIND_TAIL },
		{ "forkcow", "write_p50_us_snapshot", HB_KIND_TIME },
		{ "forkcow", "write_p999_us_snapshot", HB_KIND_TAIL },
		{ "redis", "write_p50_us_after", HB_KIND_TIME },
		{ "redis", "write_p99_us_after", HB_KIND_TAIL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct hb_workload *w = hb_workload_find(want[i].workload);
		const struct hb_metric_def *d;

		assert_non_null(w);
		d = hb_metric_find(hb_workload_outputs(w)->metrics, want[i].name);
		assert_non_null(d);
		if (d->kind != want[i].kind)
			fail_msg("%s %s: kind %d, want %d", want[i].workload, want[i].name, d->kind,
				 want[i].kind);
	}
}

/* Each workload on a tiny size, with parameters that reach its optional rows too. */
static const struct tiny_run {
	const char *workload, *backings, *params;
} tiny_runs[] = {
	{ "touch", "4k,thp", "-p size=8M -p passes=2" },
	{ "sparse", "4k,thp", "-p sweep=1M..8M -p duration=10ms -p samples=2" },
	{ "churn", "4k,thp-always", "-p allocator=glibc -p keys=2000 -p churn_time=100ms "
	  "-p idle=50ms -p refill=1 -p verify=1 -p limit=64M" },
	{ "churn", "4k", "-p allocator=jemalloc -p keys=2000 -p churn_time=50ms -p idle=0 "
	  "-p timing=off" },
	{ "churn", "4k", "-p allocator=tcmalloc -p keys=2000 -p churn_time=20ms -p idle=0" },
	{ "churn", "4k", "-p allocator=mimalloc -p keys=2000 -p churn_time=20ms -p idle=0" },
	{ "forkcow", "4k,thp", "-p size=4M -p hold=0 -p phase_time=20ms" },
	{ "forkcow", "thp", "-p size=8M -p hold=0 -p phase_time=20ms -p small_pct=50" },
	{ "redis", "4k", "-p keys=2000 -p phase_time=20ms -p sample=10ms" },
	{ "redis", "thp-always", "-p scenario=churn -p keys=2000 -p idle=0 -p sample=10ms" },
	{ "defrag", "thp", "-p size=8M -p watch=1s -p settle=0 -p repair=collapse -p age=0.1" },
	{ "defrag", "thp", "-p size=8M -p watch=1s -p settle=0 -p repair=khugepaged" },
	{ "external", "4k,thp", "-p 'cmd=echo tps = 5 && echo ops 7 && sleep 0.3' -p memory=16M "
	  "-p 'metric=tps:tps:higher:tps = ([0-9.]+)' -p 'metric2=ops:ops/s:higher:ops ([0-9]+)' "
	  "-p 'metric3=none:x:lower:absent ([0-9]+)' -p proof_every=100ms" },
	{ "replay", "4k", "-p trace=\"$HB_FIXTURES/allocprog.trace\" -p memory=16M" },
	{ "replay", "thp-always", "-p trace=\"$HB_FIXTURES/allocprog.trace\" -p memory=16M "
	  "-p allocator=jemalloc -p pace=recorded -p touch=first" },
};

static char tmp[64];

static int lock_and_dir(void **state)
{
	static int lock_fd = -1;

	(void)state;
	if (!getenv("HB_LOCK_HELD") && lock_fd < 0) {
		lock_fd = open("/tmp/hugebench.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (lock_fd < 0 || flock(lock_fd, LOCK_EX))
			return -1;
	}
	snprintf(tmp, sizeof(tmp), "/tmp/hb-metrics.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) ? -1 : 0;
}

static int has_redis_server(void)
{
	return system("command -v redis-server >/dev/null 2>&1") == 0;
}

static void show_log(const char *log)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tail -n 20 '%s' | sed 's/^/    /' >&2", log);
	(void)!system(cmd);
}

static void test_every_row_of_every_workload_declared(void **state)
{
	const char *hb = getenv("HB_BIN") ? getenv("HB_BIN") : "./hugebench";
	char cmd[1024], dir[128], err[512], log[160];
	size_t nruns = sizeof(tiny_runs) / sizeof(tiny_runs[0]), bad_total = 0;

	(void)state;
	/* a workload without a tiny run here is a workload whose rows nobody checks */
	for (int i = 0; hb_workloads[i]; i++) {
		size_t k;

		for (k = 0; k < nruns && strcmp(tiny_runs[k].workload, hb_workloads[i]->name); k++)
			;
		if (k == nruns)
			fail_msg("workload %s has no tiny run in %s", hb_workloads[i]->name,
				 __FILE__);
	}
	for (size_t k = 0; k < nruns; k++) {
		const struct tiny_run *t = &tiny_runs[k];
		struct hb_rundata d;
		size_t rows, bad, ok = 0, failed = 0;
		time_t t0;
		int rc;

		if (!strcmp(t->workload, "redis") && !has_redis_server()) {
			print_message("skipped: %s %s: redis-server is not installed\n",
				      t->workload, t->params);
			continue;
		}
		snprintf(dir, sizeof(dir), "%s/%zu-%s", tmp, k, t->workload);
		snprintf(log, sizeof(log), "%s.log", dir);
		snprintf(cmd, sizeof(cmd), "'%s' run %s --backing %s --reps 1 --quiet --seed 1 "
			 "--wait-lock --out '%s' %s >'%s' 2>&1", hb, t->workload, t->backings, dir,
			 t->params, log);
		t0 = time(NULL);
		rc = system(cmd);
		if (hb_rundata_load(dir, &d, err, sizeof(err))) {
			show_log(log);
			fail_msg("%s (exit %d): %s", cmd, rc, err);
		}
		for (size_t i = 0; i < d.n; i++)
			if (!strcmp(d.rows[i].metric, "status")) {
				ok += !strcmp(d.rows[i].value, "ok");
				failed += !strcmp(d.rows[i].value, "failed");
				if (strcmp(d.rows[i].value, "ok"))
					print_message("note: %s %s on %s: %s (%s)\n", t->workload,
						      t->params, d.rows[i].backing, d.rows[i].value,
						      d.rows[i].note);
			}
		hb_rundata_free(&d);
		if (failed) {
			show_log(log);
			fail_msg("%s: a cell failed (see its status row above)", cmd);
		}
		assert_int_equal(hb_metrics_check_run(dir, stderr, &rows, &bad, err, sizeof(err)),
				 0);
		print_message("%s %s on %s: %zu rows, %zu cells ok, %zu undeclared (%ld s)\n",
			      t->workload, t->params, t->backings, rows, ok, bad,
			      (long)(time(NULL) - t0));
		bad_total += bad;
	}
	if (bad_total)
		fail_msg("%zu rows are not declared (above): declare each in its workload's "
			 "outputs metrics (outputs.h) or, for the harness's own, in "
			 "harness/results/metrics.c", bad_total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_match),
		cmocka_unit_test(test_declarations),
		cmocka_unit_test(test_vmstat_rows_declared),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_percentile_kinds),
		cmocka_unit_test_setup_teardown(test_every_row_of_every_workload_declared,
						lock_and_dir, remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
