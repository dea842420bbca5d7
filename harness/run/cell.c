/*
 * The parent side of a cell: resources, the child, the time series, the rows, and putting
 * every knob back whatever happened to the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"
#include "cell_impl.h"
#include "cgroup.h"
#include "clock.h"
#include "fit.h"
#include "knob_table.h"
#include "knobs.h"
#include "log.h"
#include "results.h"
#include "vmstat.h"

const char *hb_cell_outcome_name(enum hb_cell_outcome o)
{
	static const char *const names[] = { "ok", "fallback", "skipped", "failed", "interrupted" };

	return names[o];
}

void hb_cell_row(struct hb_cell_env *env, const struct hb_cell *cell, const char *metric,
		    const char *value, const char *unit, const char *note)
{
	hb_results_add(env->res, cell->w->name, cell->backing.name, cell->params_text, cell->rep,
		       metric, value, unit, note);
}

static void vmstat_rows(struct hb_cell_env *env, const struct hb_cell *cell,
			const struct hb_vmstat *a, const struct hb_vmstat *b)
{
	for (int i = 0; i < HB_VM_NR; i++) {
		char v[32];

		if (!a->present[i] || !b->present[i])
			continue;
		snprintf(v, sizeof(v), "%llu", (unsigned long long)(b->v[i] - a->v[i]));
		hb_cell_row(env, cell, hb_vmstat_name(i), v, "events",
			"/proc/vmstat delta over the cell: machine-wide, other processes count too");
	}
}

static enum hb_cell_outcome finish(struct hb_cell_env *env, const struct hb_cell *cell,
				   enum hb_cell_outcome o, const char *why)
{
	char report[1024] = "";

	if (why && !*why)
		why = NULL;
	hb_cell_row(env, cell, "status", hb_cell_outcome_name(o), "", why);
	if (hb_knobs_restore(env->knobs, report, sizeof(report)))
		hb_err("could not restore every machine setting after cell %s: %s", cell->id,
		       report);
	snprintf(env->summary, sizeof(env->summary), "%s%s%s", hb_cell_outcome_name(o),
		 why && *why ? ": " : "", why ? why : "");
	return o;
}

/* The child's environment from the parameter rows: the allocator preset they name, with its
 * conf. A library that is not installed is -ENOENT with why (the cell is skipped). */
static int rows_child_env(const struct hb_cell *cell, struct hb_child_env *env, char *why,
			  size_t len)
{
	const struct hb_param *a = hb_params_find_apply(cell->w->params, HB_APPLY_ALLOCATOR);
	const struct hb_param *c = hb_params_find_apply(cell->w->params, HB_APPLY_ALLOCATOR_CONF);
	char label[256], conf[256] = "";

	if (!a)
		return 0;
	hb_param_format_value(a, cell->params, label, sizeof(label));
	if (c)
		hb_param_format_value(c, cell->params, conf, sizeof(conf));
	return hb_allocator_env(label, conf, env, why, len);
}

/* The machine knobs the parameter rows name, for this cell only: written through the knobs
 * module, which restores them in finish() whatever happens after. */
static int rows_knobs(const struct hb_cell *cell, struct hb_knobs *k, char *why, size_t len)
{
	for (const struct hb_param *p = cell->w->params; p->name; p++) {
		const struct hb_knob_def *d;
		char value[256];
		int rc;

		if (p->apply != HB_APPLY_KNOB)
			continue;
		hb_param_format_value(p, cell->params, value, sizeof(value));
		if (!strcmp(value, p->keep))
			continue;
		d = hb_knob_def_find(p->knob);
		if (!d) {
			snprintf(why, len, "parameter '%s' names an unknown knob '%s'", p->name,
				 p->knob);
			return -EINVAL;
		}
		rc = hb_knob_def_apply(k, d, value, why, len);
		if (rc)
			return rc;
	}
	return 0;
}

/* The cell's memory bound (fit.h), before the child moves in: a runaway cell is then
 * OOM-killed in its own cgroup, not by the kernel's global OOM killer. */
static void bound_memory(const struct hb_cell *cell, struct hb_cgroup *cg)
{
	char from[160];
	uint64_t limit = hb_cell_memory_limit(cell->w, cell->params, &cell->backing, from,
					      sizeof(from));
	int rc = hb_cgroup_set_ceiling(cg, limit);

	if (rc)
		hb_err("cell %s: cannot set the memory limit of %s (%llu MiB from %s): %s; the "
		       "cell runs without one", cell->id, cg->dir,
		       (unsigned long long)(limit >> 20), from, strerror(-rc));
}

enum hb_cell_outcome hb_cell_run(const struct hb_cell *cell, struct hb_cell_env *env)
{
	struct series s = { .t0 = hb_now_ns() };
	struct hb_cgroup cg = { 0 };
	struct hb_child_env cenv = { 0 };
	struct hb_vmstat vm0, vm1;
	char why[512], buf[256], cgname[160];
	const char *reason;
	enum hb_cell_outcome o;
	int have_vm;

	if (env->res->write_err) { /* its results could not be kept: not run */
		snprintf(why, sizeof(why), "not run: the results directory cannot be written "
			 "(%.300s: %s)", env->res->write_path, strerror(-env->res->write_err));
		return finish(env, cell, HB_CELL_FAILED, why);
	}
	reason = cell->w->supported ? cell->w->supported(cell->params) : NULL;
	if (!reason && cell->w->backing_unsupported)
		reason = cell->w->backing_unsupported(cell->params, cell->backing.name);
	if (reason)
		return finish(env, cell, HB_CELL_SKIPPED, reason);
	/* Before the backing: an allocator that is not installed is why the cell cannot run. */
	if (rows_child_env(cell, &cenv, why, sizeof(why)))
		return finish(env, cell, HB_CELL_SKIPPED, why);
	reason = hb_backing_unsupported(&cell->backing, buf, sizeof(buf));
	if (reason)
		return finish(env, cell, HB_CELL_SKIPPED, reason);
	if (hb_backing_prepare(&cell->backing, env->knobs, cell->w->memory_needed(cell->params),
			       why, sizeof(why)))
		return finish(env, cell, HB_CELL_SKIPPED, why);
	if (rows_knobs(cell, env->knobs, why, sizeof(why)))
		return finish(env, cell, HB_CELL_SKIPPED, why);

	if (env->cgroup_parent_dir && *env->cgroup_parent_dir) {
		snprintf(cgname, sizeof(cgname), "hugebench-%d-%s", (int)getpid(), cell->id);
		if (hb_cgroup_create(&cg, env->knobs, cgname, why, sizeof(why))) {
			hb_cell_row(env, cell, "charged_kib", "unavailable", "KiB", why);
			cg.dir[0] = 0;
		} else {
			bound_memory(cell, &cg);
		}
	} else {
		hb_cell_row(env, cell, "charged_kib", "unavailable", "KiB", env->cgroup_unavailable);
	}
	have_vm = hb_vmstat_read("/proc/vmstat", &vm0) == 0;

	o = hb_cell_run_child(cell, env, &cg, &cenv, &s, why, sizeof(why));
	if (have_vm && hb_vmstat_read("/proc/vmstat", &vm1) == 0)
		vmstat_rows(env, cell, &vm0, &vm1);
	/* The cgroup goes before the knobs: v1 refuses rmdir while charges drain. */
	if (cg.dir[0])
		hb_cgroup_destroy(&cg, env->knobs);
	return finish(env, cell, o, why);
}
