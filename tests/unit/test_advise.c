/*
 * hugebench advise's decisions on hand-made runs (tests/fixtures/make-advise.py): a run that
 * decides, one that cannot and names the command that would, --fork-snapshots and
 * --memory-limit changing the choice, and the files it writes; with an inspect output
 * (tests/fixtures/advise-inspect): what the service gets now, alone (nothing decided), the
 * limit scaled to it, and its figures unavailable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advise.h"
#include "advise_service.h"
#include "metrics.h"
#include "results.h"
#include "workload.h"

#define FIX HB_SRCDIR "/tests/fixtures/"

/* The advice from run (NULL: none) and the service svc (NULL: none). */
static struct hb_advice *decide_svc(const char *run, const struct hb_adv_service *svc, int prio,
				    int fork, double limit_kib)
{
	struct hb_rundata *d = calloc(1, sizeof(*d));
	const struct hb_rundata *rp[1] = { d };
	struct hb_adv_opts o = { .fork_snapshots = fork, .memory_limit_kib = limit_kib,
				 .service = svc };
	struct hb_advice *a = calloc(1, sizeof(*a));
	char err[512];

	assert_non_null(d);
	assert_non_null(a);
	if (run)
		assert_int_equal(hb_rundata_load(run, d, err, sizeof(err)), 0);
	assert_int_equal(hb_advise_decide(rp, run ? 1 : 0, prio, &o, a), 0);
	if (run)
		hb_rundata_free(d);
	free(d);
	return a;
}

static struct hb_advice *decide(const char *run, int prio, int fork, double limit_kib)
{
	return decide_svc(run, NULL, prio, fork, limit_kib);
}

/* Whether some line of l holds every one of the words (NULL-terminated). */
static int has(const struct hb_adv_lines *l, ...)
{
	for (size_t i = 0; i < l->n; i++) {
		va_list ap;
		const char *w;
		int all = 1;

		va_start(ap, l);
		while ((w = va_arg(ap, const char *)))
			all &= strstr(l->s[i], w) != NULL;
		va_end(ap);
		if (all)
			return 1;
	}
	return 0;
}

/* Memory: thp-always charged 1.42x 4k after the drain, thp the same: 4k, decided, with what
 * it forgoes (thp-always's throughput) as its cost. */
static void test_memory_picks_smaller_charged(void **state)
{
	struct hb_advice *a = decide(FIX "advise-churn", HB_ADV_MEMORY, 0, 0);

	(void)state;
	assert_string_equal(a->backing, "4k");
	assert_int_equal(a->sure, HB_ADV_DECIDED);
	assert_true(has(&a->evidence, "thp-always", "charged_kib_after_drain", "1.42x", "worse",
			NULL));
	assert_true(has(&a->cost, "forgoes thp-always", "+10% store throughput", NULL));
	assert_int_equal(a->open.n, 0);
	assert_string_equal(a->sys_value[0], "madvise");
	assert_string_equal(a->env[0], "MALLOC_CONF=dirty_decay_ms:0,thp:never");
	free(a);
}

/* Throughput picks thp-always (1.10x); its cost is the charged memory after frees. */
static void test_throughput_and_its_cost(void **state)
{
	struct hb_advice *a = decide(FIX "advise-churn", HB_ADV_THROUGHPUT, 0, 0);

	(void)state;
	assert_string_equal(a->backing, "thp-always");
	assert_true(has(&a->cost, "+42% charged memory after frees", NULL));
	assert_string_equal(a->cmdline, "transparent_hugepage=always");
	free(a);
}

/* --memory-limit 1000M: thp-always's 1190000 KiB does not fit; thp (1.05x) does. */
static void test_memory_limit_rules_out(void **state)
{
	struct hb_advice *a = decide(FIX "advise-churn", HB_ADV_THROUGHPUT, 0, 1000 * 1024.0);

	(void)state;
	assert_string_equal(a->backing, "thp");
	assert_true(has(&a->ruled, "thp-always", "1190000 KiB", NULL));
	assert_string_equal(a->env[0], "MALLOC_CONF=dirty_decay_ms:0,thp:always");
	free(a);
	/* Below every figure: nothing fits, 4k included. */
	a = decide(FIX "advise-churn", HB_ADV_THROUGHPUT, 0, 100 * 1024.0);
	assert_string_equal(a->backing, "");
	free(a);
}

/* Latency: hugetlb-2m chases fastest (0.65x); a service that forks pays its 2 MiB copies in
 * the snapshot's write p99, and thp wins instead. */
static void test_fork_snapshots_change_the_choice(void **state)
{
	struct hb_advice *a = decide(FIX "advise-full", HB_ADV_LATENCY, 0, 0);

	(void)state;
	assert_string_equal(a->backing, "hugetlb-2m");
	assert_false(has(&a->cost, "snapshot", NULL));
	free(a);
	a = decide(FIX "advise-full", HB_ADV_LATENCY, 1, 0);
	assert_string_equal(a->backing, "thp");
	assert_int_equal(a->sure, HB_ADV_DECIDED);
	assert_true(has(&a->evidence, "forkcow thp", "fork_ms_per_gib", "better", NULL));
	free(a);
}

/* 3 repetitions of a time decide nothing: 4k stays, undecided, and the exact command that
 * would decide each pair; the memory rule with no set in the run names its command. */
static void test_cannot_decide_says_what_to_run(void **state)
{
	struct hb_advice *a = decide(FIX "advise-open", HB_ADV_LATENCY, 0, 0);

	(void)state;
	assert_string_equal(a->backing, "4k");
	assert_int_equal(a->sure, HB_ADV_UNDECIDED);
	assert_true(has(&a->open, "no 90% interval below 5",
			"`hugebench run sparse -b 4k,thp -p span=1G --reps 5`", NULL));
	assert_true(has(&a->open, "`hugebench run sparse -b 4k,hugetlb-2m -p span=1G --reps 5`",
			NULL));
	free(a);
	a = decide(FIX "advise-open", HB_ADV_MEMORY, 0, 0);
	assert_true(has(&a->measure, "resident memory of a sparse heap",
			"`hugebench run sparse -b 4k,thp,hugetlb-2m -p span=256M -p spacing=2M "
			"--reps 3`", NULL));
	free(a);
}

static struct hb_adv_service *service(const char *dir)
{
	struct hb_adv_service *s = calloc(1, sizeof(*s));
	char err[512];

	assert_non_null(s);
	assert_true(hb_adv_service_is(dir));
	if (hb_adv_service_load(dir, s, err, sizeof(err)))
		fail_msg("%s: %s", dir, err);
	return s;
}

/* The inspect output alone: what the service gets now, from the last of its 10 samples, the
 * backing its THP mode stands for, and no decision: the commands that would measure it. */
static void test_inspect_alone_decides_nothing(void **state)
{
	struct hb_adv_service *s = service(FIX "advise-inspect");
	struct hb_adv_lines *l = calloc(1, sizeof(*l));
	struct hb_advice *a;

	(void)state;
	assert_non_null(l);
	assert_int_equal(s->samples, 10);
	assert_float_equal(s->t_s, 9.874, 1e-9);
	assert_true(s->fig[HB_SVC_RSS].ok);
	assert_float_equal(s->fig[HB_SVC_RSS].v, 1145380, 0.5);
	assert_float_equal(s->fig[HB_SVC_CHARGED].v, 1146720, 0.5);
	assert_float_equal(s->fig[HB_SVC_BEYOND].v, 6548, 0.5);
	assert_float_equal(s->fig[HB_SVC_ZERO].v, 0.740206, 1e-9);
	assert_string_equal(s->thp.enabled, "always");
	assert_string_equal(s->backing, "thp-always");
	assert_string_equal(s->allocator, "jemalloc");
	hb_adv_service_lines(s, l);
	assert_true(has(l, "the last of 10 samples", "sample 10, 9.874 s", NULL));
	assert_true(has(l, "charged (its memory cgroup): 1146720 KiB", NULL));
	assert_true(has(l, "charged beyond Rss", "6548 KiB", NULL));
	assert_true(has(l, "zero 4 KiB subpages", "0.74%", NULL));
	assert_true(has(l, "enabled `always`", "**thp-always**", NULL));
	assert_true(has(l, "malloc: jemalloc", "LD_PRELOAD=", NULL));
	a = decide_svc(NULL, s, HB_ADV_MEMORY, 0, 0);
	assert_true(a->no_runs);
	assert_string_equal(a->backing, "");
	assert_int_equal(a->sure, HB_ADV_UNDECIDED);
	assert_int_equal(a->evidence.n, 0);
	assert_true(has(&a->measure, "charged memory after frees",
			"`hugebench run churn -b 4k,thp,thp-always -p keys=100000 --reps 3 "
			"-p allocator=jemalloc`", NULL));
	free(a);
	free(l);
	free(s);
}

/* --memory-limit 800M (819200 KiB): the runs' own charged figures (840000 KiB and more) leave
 * nothing; scaled to the service (1146720 KiB charged under thp-always), 4k and thp are
 * predicted at 1146720 x 840000/1190000 and x 845000/1190000 and fit, thp-always does not. */
static void test_inspect_scales_the_limit(void **state)
{
	struct hb_adv_service *s = service(FIX "advise-inspect");
	struct hb_advice *a = decide(FIX "advise-churn", HB_ADV_THROUGHPUT, 0, 800 * 1024.0);

	(void)state;
	assert_string_equal(a->backing, "");
	free(a);
	a = decide_svc(FIX "advise-churn", s, HB_ADV_THROUGHPUT, 0, 800 * 1024.0);
	assert_string_equal(a->backing, "thp");
	assert_float_equal(a->predicted_kib, 1146720.0 * 845000 / 1190000, 0.01);
	assert_float_equal(a->predicted_lo, a->predicted_kib, 0.01);
	assert_float_equal(a->service_kib, 1146720, 0.5);
	assert_true(has(&a->ruled, "thp-always", "predicted memory, 1146720 KiB",
			"above --memory-limit (819200 KiB)", NULL));
	assert_true(has(&a->memory, "4k: 809449 KiB", "x 0.706x", NULL));
	assert_true(has(&a->memory, "thp: 814268 KiB", NULL));
	free(a);
	/* No limit: the prediction is still said; the memory priority keeps 4k. */
	a = decide_svc(FIX "advise-churn", s, HB_ADV_MEMORY, 0, 0);
	assert_string_equal(a->backing, "4k");
	assert_float_equal(a->predicted_kib, 1146720.0 * 840000 / 1190000, 0.01);
	assert_int_equal(a->ruled.n, 0);
	free(a);
	free(s);
}

/* A jemalloc service (the inspect fixture) and runs of churn under jemalloc and glibc: thp-always
 * keeps freed memory under jemalloc (1190000 against 840000 KiB), not under glibc (1000000 all
 * three). The prediction comes from the jemalloc set, though the glibc one predicts more:
 * 4k at 1146720 x 840000/1190000, not 1146720 x 1. */
static void test_inspect_prediction_of_the_service_malloc(void **state)
{
	struct hb_adv_service *s = service(FIX "advise-inspect");
	struct hb_advice *a;

	(void)state;
	assert_string_equal(s->allocator, "jemalloc");
	a = decide_svc(FIX "advise-malloc", s, HB_ADV_MEMORY, 0, 0);
	assert_string_equal(a->backing, "4k");
	assert_float_equal(a->predicted_kib, 1146720.0 * 840000 / 1190000, 0.01);
	assert_true(has(&a->memory, "4k: 809449 KiB", "[jemalloc", NULL));
	/* the evidence's two allocators in one line */
	assert_true(has(&a->config, "allocator: the evidence covers jemalloc, glibc alike", NULL));
	free(a);
	free(s);
}

/* A copy of the fixture's inspect.csv with each line passed through edit (NULL: dropped). */
static void write_csv(const char *dir, const char *(*edit)(const char *line, char *buf))
{
	char path[256], line[512], buf[512];
	FILE *in = fopen(FIX "advise-inspect/inspect.csv", "r"), *out;

	snprintf(path, sizeof(path), "%s/inspect.csv", dir);
	out = fopen(path, "w");
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		const char *l = edit(line, buf);

		if (l)
			fputs(l, out);
	}
	fclose(in);
	fclose(out);
}

/* No cgroup of its own (inspect writes the charge unavailable) and no zero scan. */
static const char *no_cgroup(const char *line, char *buf)
{
	char t[32];

	if (strstr(line, ",zero_share_pct,") || strstr(line, ",beyond_rss_kib,"))
		return NULL;
	if (!strstr(line, ",charged_kib,"))
		return line;
	snprintf(t, sizeof(t), "%.*s", (int)strcspn(line, ","), line);
	snprintf(buf, 512, "%s,all,charged_kib,unavailable,KiB,\"no memory cgroup of its own (root or "
		"none)\"\n", t);
	return buf;
}

/* Figures inspect could not read are unavailable with why, never 0; without inspect.json the
 * THP mode and malloc are unavailable too; the limit then stays unscaled, and says so. */
static void test_inspect_unavailable(void **state)
{
	char dir[] = "/tmp/hb-test-advise-svc-XXXXXX", path[128];
	struct hb_adv_service *s;
	struct hb_adv_lines *l = calloc(1, sizeof(*l));
	struct hb_advice *a;

	(void)state;
	assert_non_null(l);
	assert_non_null(mkdtemp(dir));
	write_csv(dir, no_cgroup);
	s = service(dir);
	assert_false(s->fig[HB_SVC_CHARGED].ok);
	assert_float_equal(s->fig[HB_SVC_CHARGED].v, 0, 0);
	assert_false(s->fig[HB_SVC_ZERO].ok);
	assert_true(s->fig[HB_SVC_RSS].ok);
	assert_string_equal(s->backing, "");
	hb_adv_service_lines(s, l);
	assert_true(has(l, "charged (its memory cgroup): unavailable (no memory cgroup of its "
			   "own (root or none))", NULL));
	assert_true(has(l, "zero 4 KiB subpages", "unavailable", "--zero-scan", NULL));
	assert_true(has(l, "THP mode: unavailable", "inspect.json: absent", NULL));
	assert_true(has(l, "malloc: unavailable", NULL));
	assert_false(has(l, ": 0 KiB", NULL));
	a = decide_svc(FIX "advise-churn", s, HB_ADV_THROUGHPUT, 0, 1000 * 1024.0);
	assert_string_equal(a->backing, "thp");
	assert_true(has(&a->memory, "not scaled to the service", "charged memory is unavailable",
			NULL));
	assert_true(has(&a->ruled, "thp-always: its memory figure, 1190000 KiB", NULL));
	assert_float_equal(a->predicted_kib, 0, 0);
	free(a);
	free(s);
	free(l);
	snprintf(path, sizeof(path), "%s/inspect.csv", dir);
	unlink(path);
	rmdir(dir);
}

/* The THP mode to a backing: madvise with MADV_HUGEPAGE regions is thp, without 4k; a process
 * that turned THP off (prctl) is 4k whatever the mode. */
static const char *keep(const char *line, char *buf)
{
	(void)buf;
	return line;
}

static void mapping(const char *dir, const char *mode, int madv_kib, int thp_enabled,
		    const char *want)
{
	char path[128], json[512];
	struct hb_adv_service *s;

	snprintf(json, sizeof(json), "{\"schema\": \"hugebench-inspect/1\", \"thp\": "
		 "{\"enabled\": \"%s\"}, \"processes\": [{\"pid\": 1, \"state\": \"ok\", "
		 "\"thp_enabled\": %d, \"allocator\": {\"name\": \"glibc\", \"env\": []}}], "
		 "\"total\": {\"anon\": {\"madv_hugepage_kib\": %d}}}\n", mode, thp_enabled,
		 madv_kib);
	snprintf(path, sizeof(path), "%s/inspect.json", dir);
	assert_int_equal(hb_atomic_write(path, json, strlen(json)), 0);
	s = service(dir);
	assert_string_equal(s->backing, want);
	assert_string_equal(s->allocator, "glibc");
	free(s);
}

/* The rule of workload name marked footprint. */
static const struct hb_advice_rule *footprint_rule(const char *name,
						   const struct hb_workload **w)
{
	for (int k = 0; hb_workloads[k]; k++) {
		const struct hb_outputs *o = hb_workload_outputs(hb_workloads[k]);

		*w = hb_workloads[k];
		for (const struct hb_advice_rule *r = o ? o->advice : NULL; r && r->metric; r++)
			if (!strcmp(hb_workloads[k]->name, name) && r->footprint)
				return r;
	}
	fail_msg("%s: no footprint rule", name);
	return NULL;
}

/* The runs advise names for a service: its backing added to -b where the rule's command lacks
 * it, its malloc as the workload's allocator where that is not the default. */
static void test_inspect_commands(void **state)
{
	struct hb_adv_service *s = service(FIX "advise-inspect");
	const struct hb_workload *w;
	const struct hb_advice_rule *r;
	char cmd[512];

	(void)state;
	r = footprint_rule("churn", &w);
	hb_adv_service_command(s, w, r, cmd, sizeof(cmd));
	assert_string_equal(cmd, "hugebench run churn -b 4k,thp,thp-always -p keys=100000 --reps 3 "
				 "-p allocator=jemalloc");
	hb_adv_service_command(NULL, w, r, cmd, sizeof(cmd));
	assert_string_equal(cmd, r->measure);
	r = footprint_rule("redis", &w);
	snprintf(s->backing, sizeof(s->backing), "thp");
	hb_adv_service_command(s, w, r, cmd, sizeof(cmd));
	assert_string_equal(cmd, "hugebench run redis -b 4k,thp-always,thp -p scenario=churn "
				 "--reps 2");
	free(s);
}

static void test_inspect_mode_to_backing(void **state)
{
	char dir[] = "/tmp/hb-test-advise-map-XXXXXX", path[128];

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_csv(dir, keep);
	mapping(dir, "madvise", 2048, 1, "thp");
	mapping(dir, "madvise", 0, 1, "4k");
	mapping(dir, "never", 0, 1, "4k");
	mapping(dir, "always", 0, 1, "thp-always");
	mapping(dir, "always", 0, 0, "4k");
	snprintf(path, sizeof(path), "%s/inspect.json", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/inspect.csv", dir);
	unlink(path);
	/* Neither results.csv nor inspect.csv: no inspect output. */
	assert_false(hb_adv_service_is(dir));
	rmdir(dir);
}

static void test_files(void **state)
{
	struct hb_advice *a = decide(FIX "advise-churn", HB_ADV_THROUGHPUT, 0, 0);
	char dir[] = "/tmp/hb-test-advise-XXXXXX", path[128], err[256], buf[4096];
	const char *names[] = { "apply.sh", "kernel-cmdline.txt", "hugebench-advice.conf",
				"ansible-vars.yml" };
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(hb_advise_files(dir, a, err, sizeof(err)), 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "r");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = 0;
		fclose(f);
		if (i == 0)
			assert_non_null(strstr(buf, "set_knob '/sys/kernel/mm/transparent_hugepage/"
						    "enabled' 'always'"));
		if (i == 1)
			assert_string_equal(buf, "transparent_hugepage=always\n");
		if (i == 2)
			assert_non_null(strstr(buf, "Environment=\"MALLOC_CONF=dirty_decay_ms:0\""));
		if (i == 3)
			assert_non_null(strstr(buf, "hugebench_backing: \"thp-always\""));
		unlink(path);
	}
	rmdir(dir);
	free(a);
}

/* Every workload's rules name a figure it declares, with a direction, a priority, a label and
 * the command that measures it; a rule's sets hook takes a run's sets. */
static void test_rules_are_declared(void **state)
{
	size_t rules = 0;

	(void)state;
	for (int k = 0; hb_workloads[k]; k++) {
		const struct hb_outputs *o = hb_workload_outputs(hb_workloads[k]);

		for (const struct hb_advice_rule *r = o ? o->advice : NULL; r && r->metric; r++) {
			const struct hb_metric_def *d = hb_metric_find(o->metrics, r->metric);

			if (!d)
				d = hb_metric_find(hb_harness_metrics, r->metric);
			if (!d)
				fail_msg("%s: advice rule %s: no declared row", hb_workloads[k]->name,
					 r->metric);
			assert_true(r->better == HB_LOWER || r->better == HB_HIGHER);
			assert_true(r->priorities || r->footprint);
			assert_non_null(r->label);
			assert_non_null(r->measure);
			assert_int_equal(strncmp(r->measure, "hugebench ", 10), 0);
			rules++;
		}
	}
	assert_true(rules >= 10);
}

static void test_priority_names(void **state)
{
	(void)state;
	assert_int_equal(hb_adv_prio_parse("memory"), HB_ADV_MEMORY);
	assert_int_equal(hb_adv_prio_parse("balanced"), HB_ADV_BALANCED);
	assert_true(hb_adv_prio_parse("fast") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_picks_smaller_charged),
		cmocka_unit_test(test_throughput_and_its_cost),
		cmocka_unit_test(test_memory_limit_rules_out),
		cmocka_unit_test(test_fork_snapshots_change_the_choice),
		cmocka_unit_test(test_cannot_decide_says_what_to_run),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_inspect_alone_decides_nothing),
		cmocka_unit_test(test_inspect_scales_the_limit),
		cmocka_unit_test(test_inspect_prediction_of_the_service_malloc),
		cmocka_unit_test(test_inspect_unavailable),
		cmocka_unit_test(test_inspect_mode_to_backing),
		cmocka_unit_test(test_inspect_commands),
		cmocka_unit_test(test_rules_are_declared),
		cmocka_unit_test(test_priority_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
