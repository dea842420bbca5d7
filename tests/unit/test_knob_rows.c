/*
 * A machine knob declared in a parameter row: the knob table, applying one through the knobs
 * module against a fake sysfs tree, and a whole cell (hb_cell_run, a real forked child) that
 * sets the knob before its child runs and puts it back after, also when the cell is skipped;
 * the same for a knob given to the whole run (`run --knob NAME=VALUE`, mthp/<N>kB/enabled too).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cell.h"
#include "ctx.h"
#include "knob_table.h"
#include "knobs.h"
#include "results.h"
#include "workload.h"

#define MPN "/sys/kernel/mm/transparent_hugepage/khugepaged/max_ptes_none"
#define SHRINK "/sys/kernel/mm/transparent_hugepage/shrink_underused"
#define DEFRAG "/sys/kernel/mm/transparent_hugepage/defrag"

static char tmpdir[64], root[128], state[192], resdir[192];
static struct hb_knobs k;

static void fake_path(char *buf, size_t len, const char *path)
{
	snprintf(buf, len, "%s%s", root, path);
}

static void put_knob(const char *path, const char *content)
{
	char full[PATH_MAX], cmd[PATH_MAX + 32];
	FILE *f;

	fake_path(full, sizeof(full), path);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", full);
	assert_int_equal(system(cmd), 0);
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static const char *knob_text(const char *path)
{
	static char buf[256];
	char full[PATH_MAX];
	FILE *f;
	size_t n;

	fake_path(full, sizeof(full), path);
	f = fopen(full, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

static int setup(void **st)
{
	(void)st;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hb-knobrows.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(state, sizeof(state), "%s/state/knobs.state", tmpdir);
	snprintf(resdir, sizeof(resdir), "%s/results", tmpdir);
	put_knob(MPN, "511\n");
	hb_knobs_init(&k, root, state);
	return 0;
}

static int teardown(void **st)
{
	char cmd[128];

	(void)st;
	hb_knobs_restore(&k, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_table(void **st)
{
	char buf[128];

	(void)st;
	for (const struct hb_knob_def *d = hb_knob_defs; d->name; d++) {
		assert_true(!strncmp(d->path, "/sys/", 5) || !strncmp(d->path, "/proc/sys/", 10));
		assert_ptr_equal(hb_knob_def_find(d->name), d);
		if (d->choices) {
			assert_int_equal(hb_knob_def_check(d, d->choices[0]), 0);
		} else {
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)d->max);
			assert_int_equal(hb_knob_def_check(d, buf), 0);
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)d->max + 1);
			assert_int_equal(hb_knob_def_check(d, buf), -EINVAL);
		}
		assert_int_equal(hb_knob_def_check(d, "keep"), -EINVAL);
		assert_int_equal(hb_knob_def_check(d, ""), -EINVAL);
	}
	/* What the coming defrag workload declares is there. */
	assert_non_null(hb_knob_def_find("thp/enabled"));
	assert_non_null(hb_knob_def_find("thp/defrag"));
	assert_null(hb_knob_def_find("thp/no_such_knob"));
	hb_knob_def_accepted(hb_knob_def_find("khugepaged/max_ptes_none"), buf, sizeof(buf));
	assert_string_equal(buf, "0-511");
	hb_knob_def_accepted(hb_knob_def_find("thp/enabled"), buf, sizeof(buf));
	assert_string_equal(buf, "always, madvise, never");
	assert_int_equal(hb_knob_def_check(hb_knob_def_find("thp/defrag"), "defer+madvise"), 0);
	assert_int_equal(hb_knob_def_check(hb_knob_def_find("khugepaged/max_ptes_none"), "-1"),
			 -EINVAL);
}

static void test_apply_and_restore(void **st)
{
	char why[512], report[512];

	(void)st;
	assert_int_equal(hb_knob_def_apply(&k, hb_knob_def_find("khugepaged/max_ptes_none"), "200",
					   why, sizeof(why)), 0);
	assert_string_equal(knob_text(MPN), "200");
	/* Absent here: the reason names the path, and nothing is saved for it. */
	assert_int_equal(hb_knob_def_apply(&k, hb_knob_def_find("thp/shrink_underused"), "1", why,
					   sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, SHRINK " is absent on this kernel"));
	assert_int_equal(k.n, 1);
	assert_int_equal(hb_knob_def_apply(&k, hb_knob_def_find("khugepaged/max_ptes_none"), "600",
					   why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "0-511"));
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_string_equal(knob_text(MPN), "511");
}

/* A workload with two knob rows; its child reports the knob as it saw it. */
struct kw_params {
	const char *mpn;
	int shrink;
};

static const struct hb_choice keep01[] = {
	{ "keep", "leave it" }, { "0", "off" }, { "1", "on" }, { NULL, NULL },
};

static const struct hb_param kw_table[] = {
	{ .name = "mpn", .type = HB_PT_STRING, .offset = offsetof(struct kw_params, mpn),
	  .def = "keep", .role = &hb_role_knob, .knob = "khugepaged/max_ptes_none",
	  .keep = "keep", .help = "max_ptes_none" },
	{ .name = "shrink", .type = HB_PT_ENUM, .offset = offsetof(struct kw_params, shrink),
	  .def = "keep", .choices = keep01, .role = &hb_role_knob, .knob = "thp/shrink_underused",
	  .keep = "keep", .help = "shrink_underused" },
	HB_PARAM_END,
};

static uint64_t kw_memory(const void *p)
{
	(void)p;
	return 4096;
}

static int kw_setup(struct hb_ctx *ctx, const void *p, void **state_)
{
	(void)ctx, (void)p, (void)state_;
	return 0;
}

static int kw_run(struct hb_ctx *ctx, const void *p, void *state_)
{
	const char *v = knob_text(MPN);

	(void)p, (void)state_;
	hb_metric_text(ctx, "knob_seen", v ? v : "absent", "the fake knob in the child");
	return 0;
}

static const struct hb_workload_needs kw_needs = { .memory_needed = kw_memory };

static const struct hb_workload kw = {
	.name = "knobrows",
	.summary = "test",
	.params = kw_table,
	.params_size = sizeof(struct kw_params),
	.setup = kw_setup,
	.run = kw_run,
	.needs = &kw_needs,
};

static const char *row(const struct hb_results *r, const char *metric, const char **note)
{
	const char *v = NULL;

	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->rows[i].metric, metric)) {
			v = r->rows[i].value;
			if (note)
				*note = r->rows[i].note;
		}
	return v;
}

static const char *const *cell_knob_args; /* run --knob for run_cell */
static int cell_nknob_args;

static enum hb_cell_outcome run_cell(struct hb_results *res, const char *mpn, const char *shrink)
{
	static volatile sig_atomic_t stop, child;
	struct kw_params p;
	struct hb_cell cell = { .w = &kw, .params = &p, .params_text = "", .rep = 1, .seed = 1 };
	struct hb_cell_env env = {
		.knobs = &k,
		.res = res,
		.cgroup_parent_dir = "",
		.cgroup_unavailable = "no cgroup in this test",
		.series_interval_ns = 100000000ull,
		.stop = &stop,
		.child = &child,
		.knob_args = cell_knob_args,
		.nknob_args = cell_nknob_args,
	};
	char err[256];

	assert_int_equal(hb_params_check_table(kw_table, err, sizeof(err)), 0);
	assert_int_equal(hb_params_defaults(kw_table, &p, err, sizeof(err)), 0);
	assert_int_equal(hb_params_set(kw_table, &p, "mpn", mpn, err, sizeof(err)), 0);
	assert_int_equal(hb_params_set(kw_table, &p, "shrink", shrink, err, sizeof(err)), 0);
	assert_int_equal(hb_backing_parse("4k", &cell.backing, err, sizeof(err)), 0);
	snprintf(cell.id, sizeof(cell.id), "knobrows-4k-1-r1");
	return hb_cell_run(&cell, &env);
}

/* The cell was skipped because shrink_underused is absent, and every knob it set is back. */
static void skipped_and_restored(struct hb_results *res)
{
	const char *note = NULL;

	assert_string_equal(row(res, "status", &note), "skipped");
	assert_non_null(strstr(note, SHRINK " is absent on this kernel"));
	assert_string_equal(knob_text(MPN), "511");
	assert_int_equal(k.n, 0);
	hb_results_free(res);
}

static void test_cell_sets_and_restores(void **st)
{
	struct hb_results res;
	char err[256];

	(void)st;
	assert_int_equal(hb_results_open(&res, resdir, err, sizeof(err)), 0);
	/* keep: the knob is not touched at all. */
	assert_int_equal(run_cell(&res, "keep", "keep"), HB_CELL_OK);
	assert_int_equal(strncmp(row(&res, "knob_seen", NULL), "511", 3), 0);
	assert_int_equal(k.n, 0);
	hb_results_free(&res);

	assert_int_equal(hb_results_open(&res, resdir, err, sizeof(err)), 0);
	assert_int_equal(run_cell(&res, "200", "keep"), HB_CELL_OK);
	assert_string_equal(row(&res, "knob_seen", NULL), "200");
	assert_string_equal(row(&res, "status", NULL), "ok");
	assert_string_equal(knob_text(MPN), "511");
	assert_int_equal(k.n, 0);
	hb_results_free(&res);

	/* The second knob is absent: skipped with the reason, and the first one, already set,
	 * is put back all the same. */
	assert_int_equal(hb_results_open(&res, resdir, err, sizeof(err)), 0);
	assert_int_equal(run_cell(&res, "100", "1"), HB_CELL_SKIPPED);
	assert_null(row(&res, "knob_seen", NULL));
	skipped_and_restored(&res);
}

/* A word the knob table knows but this kernel's selection file does not offer is refused,
 * naming what the kernel lists; an absent file or one without a list decides nothing here. */
static void test_kernel_lists(void **st)
{
	const struct hb_knob_def *d = hb_knob_def_find("thp/defrag");
	char listed[256];

	(void)st;
	assert_int_equal(hb_knob_def_kernel_lists(d, root, "always", listed, sizeof(listed)), 0);
	put_knob(DEFRAG, "always defer [madvise] never\n");
	assert_int_equal(hb_knob_def_kernel_lists(d, root, "madvise", listed, sizeof(listed)), 0);
	assert_int_equal(hb_knob_def_kernel_lists(d, root, "never", listed, sizeof(listed)), 0);
	assert_int_equal(hb_knob_def_kernel_lists(d, root, "defer+madvise", listed,
						  sizeof(listed)), -EINVAL);
	assert_string_equal(listed, "always, defer, madvise, never");
	put_knob(SHRINK, "1\n");
	assert_int_equal(hb_knob_def_kernel_lists(hb_knob_def_find("thp/shrink_underused"), root,
						  "0", listed, sizeof(listed)), 0);
}

/* mthp/<N>kB/enabled is a knob for the sizes this (fake) kernel has; the others are refused
 * naming the sizes it has; a name that is neither names what is accepted. */
static void test_named_knobs(void **st)
{
	struct hb_knob_named kn;
	char why[1024];

	(void)st;
	put_knob("/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled",
		 "always inherit madvise [never]\n");
	put_knob("/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled",
		 "always [inherit] madvise never\n");
	assert_int_equal(hb_knob_def_resolve("mthp/64kB/enabled", root, &kn, why, sizeof(why)), 0);
	assert_string_equal(kn.def.name, "mthp/64kB/enabled");
	assert_string_equal(kn.def.path,
			    "/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled");
	assert_int_equal(hb_knob_def_check(&kn.def, "inherit"), 0);
	assert_int_equal(hb_knob_def_check(&kn.def, "defer"), -EINVAL);
	assert_int_equal(hb_knob_def_resolve("mthp/32kB/enabled", root, &kn, why, sizeof(why)),
			 -ENODEV);
	assert_string_equal(why, "knob 'mthp/32kB/enabled': this kernel has no 32kB mTHP size; "
			    "the sizes it has: 64kB, 2048kB");
	assert_int_equal(hb_knob_def_resolve("mthp/064kB/enabled", root, &kn, why, sizeof(why)),
			 -ENOENT);
	assert_int_equal(hb_knob_def_resolve("mthp/64kB/enable", root, &kn, why, sizeof(why)),
			 -ENOENT);
	assert_non_null(strstr(why, "unknown knob 'mthp/64kB/enable'; accepted: thp/enabled, "));
	assert_non_null(strstr(why, "mthp/<N>kB/enabled"));
	assert_int_equal(hb_knob_def_resolve("thp/defrag", root, &kn, why, sizeof(why)), 0);
	assert_ptr_equal(kn.def.choices, hb_knob_def_find("thp/defrag")->choices);

	assert_int_equal(hb_knob_arg_check("mthp/64kB/enabled=always", root, why, sizeof(why)), 0);
	assert_int_equal(hb_knob_arg_check("mthp/64kB/enabled=sometimes", root, why, sizeof(why)),
			 -EINVAL);
	assert_string_equal(why, "knob mthp/64kB/enabled: 'sometimes' is not a value it takes; "
			    "accepted: always, inherit, madvise, never");
	assert_int_equal(hb_knob_arg_check("mthp/16kB/enabled=always", root, why, sizeof(why)),
			 -EINVAL);
	assert_int_equal(hb_knob_arg_check("thp/defrag", root, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "expected NAME=VALUE"));
	put_knob(DEFRAG, "always defer [madvise] never\n");
	assert_int_equal(hb_knob_arg_check("thp/defrag=defer+madvise", root, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "not offered by this kernel's"));
	assert_int_equal(hb_knob_arg_check("khugepaged/max_ptes_none=512", root, why,
					   sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "accepted: 0-511"));
}

/* run --knob: each cell sets the knobs before its child runs (the child sees them), records
 * them as rows, and puts them back after; a knob this kernel lacks skips the cell, with the
 * knob set before it put back too. */
static void test_cell_knob_args(void **st)
{
	static const char *const args[] = { "khugepaged/max_ptes_none=300",
					    "mthp/64kB/enabled=always" };
	static const char *const absent[] = { "khugepaged/max_ptes_none=300",
					      "thp/shrink_underused=1" };
	struct hb_results res;
	const char *note = NULL;
	char err[256];

	(void)st;
	put_knob("/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled",
		 "always inherit madvise [never]\n");
	cell_knob_args = args;
	cell_nknob_args = 2;
	assert_int_equal(hb_results_open(&res, resdir, err, sizeof(err)), 0);
	assert_int_equal(run_cell(&res, "keep", "keep"), HB_CELL_OK);
	assert_string_equal(row(&res, "knob_seen", NULL), "300");
	assert_string_equal(row(&res, "knob:khugepaged/max_ptes_none", &note), "300");
	assert_non_null(strstr(note, "before the backing's own settings"));
	assert_string_equal(row(&res, "knob:mthp/64kB/enabled", NULL), "always");
	assert_string_equal(knob_text(MPN), "511");
	assert_string_equal(knob_text("/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"),
			    "never");
	assert_int_equal(k.n, 0);
	hb_results_free(&res);

	/* a parameter row's knob applies after --knob's: the cell's own setting wins */
	assert_int_equal(hb_results_open(&res, resdir, err, sizeof(err)), 0);
	assert_int_equal(run_cell(&res, "100", "keep"), HB_CELL_OK);
	assert_string_equal(row(&res, "knob_seen", NULL), "100");
	assert_string_equal(knob_text(MPN), "511");
	hb_results_free(&res);

	cell_knob_args = absent;
	assert_int_equal(hb_results_open(&res, resdir, err, sizeof(err)), 0);
	assert_int_equal(run_cell(&res, "keep", "keep"), HB_CELL_SKIPPED);
	assert_null(row(&res, "knob:khugepaged/max_ptes_none", NULL));
	skipped_and_restored(&res);
	cell_knob_args = NULL;
	cell_nknob_args = 0;
}

static void test_param_checks(void **st)
{
	struct kw_params p;
	char err[256];

	(void)st;
	assert_int_equal(hb_params_defaults(kw_table, &p, err, sizeof(err)), 0);
	assert_int_equal(hb_params_set(kw_table, &p, "mpn", "512", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "parameter 'mpn': '512'; accepted: keep, 0-511");
	assert_int_equal(hb_params_set(kw_table, &p, "mpn", "0", err, sizeof(err)), 0);
	assert_string_equal(p.mpn, "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test_setup_teardown(test_apply_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cell_sets_and_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_lists, setup, teardown),
		cmocka_unit_test(test_param_checks),
		cmocka_unit_test_setup_teardown(test_named_knobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cell_knob_args, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
