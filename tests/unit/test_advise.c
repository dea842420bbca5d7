/*
 * hugebench advise's decisions on hand-made runs (tests/fixtures/make-advise.py): a run that
 * decides, one that cannot and names the command that would, --fork-snapshots and
 * --memory-limit changing the choice, and the files it writes.
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
#include "metrics.h"
#include "workload.h"

#define FIX HB_SRCDIR "/tests/fixtures/"

static struct hb_advice *decide(const char *run, int prio, int fork, double limit_kib)
{
	struct hb_rundata *d = calloc(1, sizeof(*d));
	const struct hb_rundata *rp[1] = { d };
	struct hb_adv_opts o = { .fork_snapshots = fork, .memory_limit_kib = limit_kib };
	struct hb_advice *a = calloc(1, sizeof(*a));
	char err[512];

	assert_non_null(d);
	assert_non_null(a);
	assert_int_equal(hb_rundata_load(run, d, err, sizeof(err)), 0);
	assert_int_equal(hb_advise_decide(rp, 1, prio, &o, a), 0);
	hb_rundata_free(d);
	free(d);
	return a;
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
		cmocka_unit_test(test_rules_are_declared),
		cmocka_unit_test(test_priority_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
