/*
 * Every workload's outputs tables: valid kinds, the fields each kind needs, unique chart names,
 * and every metric (and series column) they name is one the workload writes: it is in the
 * hand-made results of tests/fixtures/results-mini. Also the parameter readers and hooks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "run_analysis.h"
#include "workload.h"

#define FIXTURE HB_SRCDIR "/tests/fixtures/results-mini"

static char *results;

static int setup(void **state)
{
	FILE *f = fopen(FIXTURE "/results.csv", "r");
	long n;

	(void)state;
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	results = calloc(1, (size_t)n + 1);
	if (!results || fread(results, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(results);
	return 0;
}

/* A row of workload w with metric m in the fixture (",<rep>,<metric>," after w's params). */
static int has_metric(const char *w, const char *m)
{
	char needle[160];

	for (const char *line = results; line && *line; line = strchr(line, '\n')) {
		const char *end;

		line += *line == '\n';
		end = strchr(line, '\n');
		if (strncmp(line, w, strlen(w)) || line[strlen(w)] != ',')
			continue;
		snprintf(needle, sizeof(needle), ",%s,", m);
		if (strstr(line, needle) && (!end || strstr(line, needle) < end))
			return 1;
	}
	return 0;
}

/* The header of one of w's series files in the fixture names column c. */
static int has_column(const char *w, const char *c)
{
	DIR *d = opendir(FIXTURE "/series");
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[512], head[1024] = ",", want[96];
		FILE *f;

		if (strncmp(e->d_name, w, strlen(w)) || e->d_name[strlen(w)] != '-')
			continue;
		snprintf(path, sizeof(path), "%s/series/%s", FIXTURE, e->d_name);
		f = fopen(path, "r");
		/* ",t_s,phase,...," so that every column is between commas */
		if (f && fgets(head + 1, sizeof(head) - 2, f)) {
			snprintf(head + strcspn(head, "\r\n"), 2, ",");
			snprintf(want, sizeof(want), ",%s,", c);
			found = strstr(head, want) != NULL;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

static void check_chart(const struct hb_workload *w, const struct hb_chart_def *c)
{
	char m[160];

	assert_non_null(c->name);
	assert_non_null(c->title);
	assert_non_null(c->ylabel);
	assert_non_null(c->caption);
	switch (c->kind) {
	case HB_CHART_BARS:
		if (!has_metric(w->name, c->metric))
			fail_msg("%s chart %s: no metric %s", w->name, c->name, c->metric);
		break;
	case HB_CHART_SWEEP: {
		const struct hb_param *p = hb_params_find(w->params, c->x_param);

		assert_true(has_metric(w->name, c->metric));
		assert_non_null(p);
		assert_int_equal(p->type, HB_PT_SIZE);
		break;
	}
	case HB_CHART_PERCENTILES:
		assert_non_null(c->phases);
		assert_non_null(c->phases[0]);
		for (int i = 0; c->phases[i]; i++) {
			snprintf(m, sizeof(m), "%s_p99_us_%s", c->metric, c->phases[i]);
			if (!has_metric(w->name, m))
				fail_msg("%s chart %s: no metric %s", w->name, c->name, m);
		}
		break;
	case HB_CHART_SERIES:
		assert_non_null(c->lines[0].column);
		for (int i = 0; i < HB_SERIES_LINES && c->lines[i].column; i++)
			if (!has_column(w->name, c->lines[i].column))
				fail_msg("%s chart %s: no series column %s", w->name, c->name,
					 c->lines[i].column);
		assert_non_null(c->shades);
		break;
	case HB_CHART_OVERLAY:
		if (!has_column(w->name, c->metric))
			fail_msg("%s chart %s: no series column %s", w->name, c->name, c->metric);
		break;
	default:
		fail_msg("%s chart %s: kind %d", w->name, c->name, (int)c->kind);
	}
}

static void test_every_outputs_table(void **state)
{
	const char *names[256];
	size_t nn = 0;

	(void)state;
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const struct hb_outputs *o = hb_workload_outputs(w);

		if (!o)
			fail_msg("workload %s declares no outputs", w->name);
		assert_non_null(o->headlines);
		assert_non_null(o->headlines[0].metric);
		for (const struct hb_headline *h = o->headlines; h->metric; h++) {
			assert_non_null(h->label);
			assert_non_null(h->unit);
			assert_true(h->better == HB_LOWER || h->better == HB_NEITHER ||
				    h->better == HB_HIGHER);
			if (!has_metric(w->name, h->metric))
				fail_msg("%s headline: no metric %s", w->name, h->metric);
		}
		assert_non_null(o->charts);
		for (const struct hb_chart_def *c = o->charts; c->kind; c++) {
			check_chart(w, c);
			for (size_t j = 0; j < nn; j++)
				assert_string_not_equal(names[j], c->name);
			names[nn++] = c->name;
		}
		for (const struct hb_claim *c = o->claims; c && c->text; c++) {
			assert_true(has_metric(w->name, c->metric));
			assert_true(!c->vs_metric || has_metric(w->name, c->vs_metric));
			assert_true(c->vs_metric || c->vs_backing); /* something to compare with */
			assert_true(c->lo >= 0 && c->lo < c->hi);
			assert_non_null(c->needs);
		}
	}
}

static void test_set_values(void **state)
{
	const struct hb_workload *w = hb_workload_find("touch");
	double v = 0;
	char buf[64];

	(void)state;
	assert_non_null(w);
	assert_int_equal(hb_set_num(w->params, w->params_size, "size=256M;stride=8K", "size", &v),
			 0);
	assert_true(v == 268435456.0);
	assert_int_equal(hb_set_value(w->params, w->params_size, "size=256M;stride=8K", "stride",
				      buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8K");
	/* a parameter the set does not name has its default */
	assert_int_equal(hb_set_value(w->params, w->params_size, "size=1G", "stride", buf,
				      sizeof(buf)), 0);
	assert_string_equal(buf, "4K");
	assert_int_not_equal(hb_set_num(w->params, w->params_size, "size=1G", "nope", &v), 0);
	assert_int_not_equal(hb_set_num(w->params, w->params_size, "size=banana", "size", &v), 0);
}

static void test_sparse_hooks(void **state)
{
	const struct hb_workload *w = hb_workload_find("sparse");
	const char *sets[] = {
		"span=4K;spacing=64;sweep=4K..16K",  "span=8K;spacing=64;sweep=4K..16K",
		"span=16K;spacing=64;sweep=4K..16K", "spacing=64;sweep=4K..16K",
		"span=1G;spacing=2M",		     "span=1G;spacing=64;writes=1",
	};
	const char *out[8];
	char label[128];

	(void)state;
	/* the table: the sweep's largest point, the sweep's own rows, and the other heaps (a
	 * dense heap that writes is no point of the read-only sweep) */
	assert_int_equal(hb_workload_outputs(w)->table_sets(sets, 6, out, 8), 4);
	assert_ptr_equal(out[0], sets[2]);
	assert_ptr_equal(out[1], sets[3]);
	assert_ptr_equal(out[2], sets[4]);
	assert_ptr_equal(out[3], sets[5]);
	assert_int_equal(hb_workload_outputs(w)->label(sets, 6, 3, label, sizeof(label)), 0);
	assert_string_equal(label, "the whole sweep 4K..16K");
	assert_int_equal(hb_workload_outputs(w)->label(sets, 6, 4, label, sizeof(label)), 0);
	assert_string_equal(label, "sparse 1G, a node per 2M");
	assert_int_equal(hb_workload_outputs(w)->label(sets, 6, 5, label, sizeof(label)), 0);
	assert_string_equal(label, "dense 1G, writes");
	/* the chart's sweep and the claims' sets */
	assert_int_equal(hb_workload_outputs(w)->charts[0].sets(sets, 6, out, 8), 3);
	assert_int_equal(hb_workload_outputs(w)->claims[0].sets(sets, 6, out, 8), 1);
	assert_ptr_equal(out[0], sets[5]);
	assert_int_equal(hb_workload_outputs(w)->claims[1].sets(sets, 6, out, 8), 1);
	assert_ptr_equal(out[0], sets[4]);
}

static void test_churn_hooks(void **state)
{
	const struct hb_workload *w = hb_workload_find("churn");
	const char *sets[] = { "allocator=glibc;allocator_conf=",
			       "allocator=jemalloc;allocator_conf=dirty_decay_ms:0" };
	const char *out[2];
	char label[128];

	(void)state;
	assert_int_equal(hb_workload_outputs(w)->label(sets, 2, 1, label, sizeof(label)), 0);
	assert_string_equal(label, "jemalloc dirty_decay_ms:0");
	assert_int_equal(hb_workload_outputs(w)->claims[0].sets(sets, 2, out, 2), 1);
	assert_ptr_equal(out[0], sets[1]);
}

/* defrag: the claims' sets (defrag=always, aged), and derive's fresh twin of an aged cell. */
static void test_defrag_hooks(void **state)
{
	const struct hb_workload *w = hb_workload_find("defrag");
	const char *fresh = "size=64M;defrag=always;age=0";
	const char *aged = "size=64M;defrag=always;age=0.5";
	const char *sets[] = { fresh, aged, "size=64M;defrag=never;age=0.5" }, *out[3];
	char f[512], a[512], err[256];
	struct hb_results res = { .dir = "" };
	struct hb_machine_facts mf = { 0 };
	void *p;
	int found = 0;

	(void)state;
	assert_non_null(w);
	assert_int_equal(hb_workload_outputs(w)->claims[0].sets(sets, 3, out, 3), 1);
	assert_ptr_equal(out[0], aged);
	assert_int_equal(hb_workload_outputs(w)->claims[1].sets(sets, 3, out, 3), 1);
	/* The rows carry the canonical text, as a run writes it. */
	p = calloc(1, w->params_size);
	assert_non_null(p);
	assert_int_equal(hb_params_defaults(w->params, p, err, sizeof(err)), 0);
	assert_int_equal(hb_params_set(w->params, p, "defrag", "always", err, sizeof(err)), 0);
	assert_int_equal(hb_params_format(w->params, p, f, sizeof(f)), 0);
	assert_int_equal(hb_params_set(w->params, p, "age", "0.5", err, sizeof(err)), 0);
	assert_int_equal(hb_params_format(w->params, p, a, sizeof(a)), 0);
	free(p);
	for (int rep = 1; rep <= 2; rep++) {
		assert_int_equal(hb_results_addf(&res, "defrag", "thp", f, rep, "fault_p99_us",
						 5000 + rep, "us", ""), 0);
		assert_int_equal(hb_results_addf(&res, "defrag", "thp", a, rep, "fault_p99_us",
						 20000, "us", ""), 0);
	}
	/* Another backing's fresh figure is no twin: thp-always gets none. */
	assert_int_equal(hb_results_addf(&res, "defrag", "thp-always", a, 1, "fault_p99_us", 9,
					 "us", ""), 0);
	assert_int_equal(hb_analysis_run(w, &res, &mf), 0);
	for (size_t i = 0; i < res.n; i++) {
		const struct hb_row *r = &res.rows[i];

		if (strcmp(r->metric, "fault_p99_us_fresh"))
			continue;
		assert_string_equal(r->backing, "thp");
		assert_string_equal(r->params, a);
		assert_true(r->v == 5000 + r->rep);
		found++;
	}
	assert_int_equal(found, 2);
	hb_results_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_outputs_table),
		cmocka_unit_test(test_set_values),
		cmocka_unit_test(test_sparse_hooks),
		cmocka_unit_test(test_churn_hooks),
		cmocka_unit_test(test_defrag_hooks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
