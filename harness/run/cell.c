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

#include "allocator.h"
#include "cell_impl.h"
#include "cgroup.h"
#include "clock.h"
#include "fit.h"
#include "fragmenter.h"
#include "knob_table.h"
#include "knobs.h"
#include "log.h"
#include "readfile.h"
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

static void index_row(struct hb_cell_env *env, const struct hb_cell *cell, const char *metric,
		      double index, const char *note)
{
	char v[32];

	if (index < 0)
		snprintf(v, sizeof(v), "unavailable");
	else
		snprintf(v, sizeof(v), "%.4f", index);
	hb_cell_row(env, cell, metric, v, "", note);
}

#define INDEX_NOTE "unusable-free-space index for order 9 (2 MiB) from /proc/buddyinfo, zones " \
		   "Normal+DMA32+Movable: 0 all free memory in >= 2 MiB blocks, 1 none"

/* The machine's age for the cell (an HB_APPLY_AGE row): aged here, after the backing's knobs
 * and before the child. 1: aged (f holds what to release), 0: fresh, -1: cell not to run
 * (o and why say how). */
static int rows_age(const struct hb_cell *cell, struct hb_cell_env *env, struct hb_frag *f,
		    enum hb_cell_outcome *o, char *why, size_t len)
{
	double share = hb_frag_param_share(cell->w->params, cell->params);
	uint64_t pool;
	char v[32];
	int rc;

	if (share <= 0) {
		index_row(env, cell, "frag_index_order9_before", hb_frag_index_now(NULL, 0),
			  INDEX_NOTE "; fresh cell (age 0), not aged");
		return 0;
	}
	if (geteuid()) {
		snprintf(why, len, "age=%g needs root (the fragmenter grows a hugetlb pool)",
			 share);
		*o = HB_CELL_SKIPPED;
		return -1;
	}
	if (hb_read_u64(HB_FRAG_POOL, &pool)) {
		snprintf(why, len, "age=%g needs the hugetlb 2 MiB pool knob %s", share,
			 HB_FRAG_POOL);
		*o = HB_CELL_SKIPPED;
		return -1;
	}
	rc = hb_frag_age(f, env->knobs, share, cell->w->memory_needed(cell->params), env->stop,
			 why, len);
	if (rc) {
		*o = rc == -EINTR ? HB_CELL_INTERRUPTED
		     : rc == -ENOMEM || rc == -ENOENT || rc == -EPERM ? HB_CELL_SKIPPED
								     : HB_CELL_FAILED;
		return -1;
	}
	index_row(env, cell, "frag_index_order9_before", f->index_before, INDEX_NOTE);
	index_row(env, cell, "frag_index_order9_aged", f->index_aged,
		  INDEX_NOTE "; after aging, before the child");
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->plug_pages * 2048);
	hb_cell_row(env, cell, "age_plug_kib", v, "KiB",
		    "hugetlb 2 MiB pages the fragmenter held untouched as a plug during the cell");
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->filler_kib);
	hb_cell_row(env, cell, "age_filler_kib", v, "KiB",
		    "4 KiB pages the filler held (every other page of twice this, touched)");
	snprintf(v, sizeof(v), "%.1f", f->age_ns / 1e6);
	hb_cell_row(env, cell, "age_ms", v, "ms", "time aging took");
	return 1;
}

/* After the cell: the index, the three buddyinfo readings in buddyinfo/<id>.txt, release. */
static void age_done(struct hb_cell_env *env, const struct hb_cell *cell, struct hb_frag *f)
{
	char name[200], dir[sizeof(env->res->dir) + 16], *text;
	size_t cap = 3 * HB_FRAG_TEXT + 256;

	hb_frag_after(f);
	index_row(env, cell, "frag_index_order9_after", f->index_after,
		  INDEX_NOTE "; after the cell, before the fragmenter released its memory");
	text = malloc(cap);
	if (text) {
		int n = snprintf(text, cap,
				 "# before aging\n%s\n# aged\n%s\n# after the cell\n%s\n",
				 f->text_before, f->text_aged, f->text_after);

		snprintf(dir, sizeof(dir), "%s/buddyinfo", env->res->dir);
		(void)mkdir(dir, 0755);
		snprintf(name, sizeof(name), "buddyinfo/%s.txt", cell->id);
		if (hb_results_write_file(env->res, name, text, n < (int)cap ? (size_t)n : cap - 1))
			hb_err("cell %s: cannot write %s", cell->id, name);
		free(text);
	}
	if (hb_frag_release(f))
		hb_err("cell %s: the fragmenter could not put the hugetlb pool back", cell->id);
}

enum hb_cell_outcome hb_cell_run(const struct hb_cell *cell, struct hb_cell_env *env)
{
	struct series s = { .t0 = hb_now_ns() };
	struct hb_cgroup cg = { 0 };
	struct hb_child_env cenv = { 0 };
	struct hb_vmstat vm0, vm1;
	struct hb_frag frag;
	char why[512], buf[256], cgname[160];
	const char *reason;
	enum hb_cell_outcome o;
	int have_vm, aged;

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
	aged = rows_age(cell, env, &frag, &o, why, sizeof(why));
	if (aged < 0)
		return finish(env, cell, o, why);

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
	if (aged)
		age_done(env, cell, &frag);
	return finish(env, cell, o, why);
}
