/*
 * The parent side of a cell: resources, the child, the time series, the rows, and putting
 * every knob back whatever happened to the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cell_impl.h"
#include "cgroup.h"
#include "clock.h"
#include "fit.h"
#include "knob_table.h"
#include "knobs.h"
#include "log.h"
#include "param_roles.h"
#include "results.h"
#include "vmstat.h"

const char *hb_cell_outcome_name(enum hb_cell_outcome o)
{
	static const char *const names[] = { "ok", "fallback", "skipped", "failed", "interrupted" };

	return names[o];
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

/* What the parameter roles (machine/param_roles.h) write through: the cell's rows and files. */
struct role_arg {
	struct hb_cell_env *env;
	const struct hb_cell *cell;
};

static void role_row(void *arg, const char *metric, const char *value, const char *unit,
		     const char *note)
{
	struct role_arg *a = arg;

	hb_cell_row(a->env, a->cell, metric, value, unit, note);
}

static int role_write_file(void *arg, const char *name, const char *text, size_t len)
{
	struct role_arg *a = arg;
	const char *slash = strrchr(name, '/');
	char dir[sizeof(a->env->res->dir) + 200];

	if (slash) {
		snprintf(dir, sizeof(dir), "%s/%.*s", a->env->res->dir, (int)(slash - name), name);
		(void)mkdir(dir, 0755);
	}
	return hb_results_write_file(a->env->res, name, text, len);
}

static void role_err(void *arg, const char *what)
{
	struct role_arg *a = arg;

	hb_err("cell %s: %s", a->cell->id, what);
}

/* --knob NAME=VALUE: each written through the knobs module (saved first, in its state file too,
 * and put back by finish with the backing's), before the backing's prepare. */
static int knob_args_apply(struct hb_cell_env *env, char *why, size_t len)
{
	for (int i = 0; i < env->nknob_args; i++)
		if (hb_knob_arg_apply(env->knobs, env->knob_args[i], why, len))
			return -1;
	return 0;
}

/* A row per --knob, after the backing's prepare: the value written, and whether the backing
 * then set that knob itself (thp-always sets thp/enabled). */
static void knob_args_rows(struct hb_cell_env *env, const struct hb_cell *cell)
{
	for (int i = 0; i < env->nknob_args; i++) {
		const char *arg = env->knob_args[i], *eq = strchr(arg, '=');
		char name[64], metric[80], now[64], note[256], why[256];
		struct hb_knob_named kn;

		snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
		snprintf(metric, sizeof(metric), "knob:%s", name);
		snprintf(note, sizeof(note), "set by --knob for the cell, before the backing's own "
			 "settings, which apply on top where the backing sets this knob");
		if (!hb_knob_def_resolve(name, env->knobs->root, &kn, why, sizeof(why)) &&
		    !hb_knob_read(env->knobs, kn.def.path, now, sizeof(now)) && strcmp(now, eq + 1))
			snprintf(note, sizeof(note), "set by --knob for the cell; the backing then "
				 "set it to %s for its own use", now);
		hb_cell_row(env, cell, metric, eq + 1, "", note);
	}
}

static enum hb_cell_outcome refused(enum hb_role_refusal r)
{
	return r == HB_REFUSE_STOP ? HB_CELL_INTERRUPTED
	       : r == HB_REFUSE_FAIL ? HB_CELL_FAILED
				     : HB_CELL_SKIPPED;
}

enum hb_cell_outcome hb_cell_run(const struct hb_cell *cell, struct hb_cell_env *env)
{
	const struct hb_workload_needs *needs = cell->w->needs;
	struct series s = { .t0 = hb_now_ns() };
	struct hb_cgroup cg = { 0 };
	struct hb_child_env cenv = { 0 };
	struct role_arg ra = { .env = env, .cell = cell };
	struct hb_role_cell rc = {
		.table = cell->w->params, .params = cell->params,
		.need = needs->memory_needed(cell->params), .id = cell->id, .knobs = env->knobs,
		.child_env = &cenv, .stop = env->stop, .row = role_row,
		.write_file = role_write_file, .err = role_err, .arg = &ra,
	};
	struct hb_roles_applied applied = { 0 };
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
	reason = needs->supported ? needs->supported(cell->params) : NULL;
	if (!reason && needs->backing_unsupported)
		reason = needs->backing_unsupported(cell->params, cell->backing.name);
	if (reason)
		return finish(env, cell, HB_CELL_SKIPPED, reason);
	/* The parameter rows' roles, each at its stage: before the backing what decides whether
	 * the child can start (an allocator that is not installed), then the machine settings
	 * after the backing's own, last the machine's age. */
	if (hb_roles_apply(&applied, HB_STAGE_CHILD_ENV, &rc, why, sizeof(why)))
		goto refused;
	reason = hb_backing_unsupported(&cell->backing, buf, sizeof(buf));
	if (reason) {
		hb_roles_restore(&applied, &rc);
		return finish(env, cell, HB_CELL_SKIPPED, reason);
	}
	if (knob_args_apply(env, why, sizeof(why)) ||
	    hb_backing_prepare(&cell->backing, env->knobs, rc.need, why, sizeof(why))) {
		hb_roles_restore(&applied, &rc);
		return finish(env, cell, HB_CELL_SKIPPED, why);
	}
	knob_args_rows(env, cell);
	if (hb_roles_apply(&applied, HB_STAGE_MACHINE, &rc, why, sizeof(why)) ||
	    hb_roles_apply(&applied, HB_STAGE_LAST, &rc, why, sizeof(why)))
		goto refused;

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
	hb_roles_restore(&applied, &rc);
	return finish(env, cell, o, why);

refused:
	hb_roles_restore(&applied, &rc);
	return finish(env, cell, refused(rc.refusal), why);
}
