#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "allocator.h"
#include "cell.h"
#include "cgroup.h"
#include "clock.h"
#include "guardian.h"
#include "knobs.h"
#include "log.h"
#include "matrix.h"
#include "probe.h"
#include "record.h"
#include "run_analysis.h"
#include "readfile.h"
#include "results.h"
#include "sysinfo.h"
#include "units.h"

#define MAX_EXPAND 256

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t child_pid;

static void on_signal(int sig)
{
	stop_flag = sig;
	if (child_pid > 0)
		kill(-(pid_t)child_pid, SIGKILL); /* its process group: the cell and its children */
}

void hb_matrix_init(struct hb_matrix *m)
{
	memset(m, 0, sizeof(*m));
	m->reps = 1;
	m->series_interval_ns = 100000000ull;
	m->seed = hb_now_ns() ^ (uint64_t)getpid() << 32;
	m->command_kind = "run";
}

static int add_one(struct hb_matrix *m, const struct hb_workload *w, const void *params,
		   const struct hb_backing *backings, int nbackings, const char *label)
{
	struct hb_matrix_entry *e;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct hb_matrix_entry *n = realloc(m->e, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		m->e = n;
		m->cap = cap;
	}
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	e->w = w;
	e->params = malloc(w->params_size);
	if (!e->params)
		return -ENOMEM;
	memcpy(e->params, params, w->params_size);
	if (hb_params_format(w->params, params, e->params_text, sizeof(e->params_text))) {
		free(e->params);
		return -EINVAL;
	}
	memcpy(e->backings, backings, sizeof(*backings) * (size_t)nbackings);
	e->nbackings = nbackings;
	snprintf(e->label, sizeof(e->label), "%s", label ? label : "");
	m->n++;
	return 0;
}

int hb_matrix_add(struct hb_matrix *m, const struct hb_workload *w, const void *params,
		  const struct hb_backing *backings, int nbackings, const char *label)
{
	size_t n = 0;
	char *sets;
	int rc = 0;

	if (nbackings < 1 || nbackings > HB_MAX_BACKINGS)
		return -EINVAL;
	if (!w->report || !w->report->expand)
		return add_one(m, w, params, backings, nbackings, label);
	sets = calloc(MAX_EXPAND, w->params_size);
	if (!sets)
		return -ENOMEM;
	n = w->report->expand(params, sets, MAX_EXPAND);
	if (!n)
		rc = add_one(m, w, params, backings, nbackings, label);
	for (size_t i = 0; i < n && !rc; i++)
		rc = add_one(m, w, sets + i * w->params_size, backings, nbackings, label);
	free(sets);
	return rc;
}

int hb_matrix_skip(struct hb_matrix *m, const char *workload, const char *backing,
		   const char *params, const char *why)
{
	struct hb_matrix_skip *n = realloc(m->skips, (m->nskips + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	m->skips = n;
	n += m->nskips++;
	snprintf(n->workload, sizeof(n->workload), "%s", workload);
	snprintf(n->backing, sizeof(n->backing), "%s", backing);
	snprintf(n->params, sizeof(n->params), "%s", params);
	snprintf(n->why, sizeof(n->why), "%s", why);
	return 0;
}

void hb_matrix_free(struct hb_matrix *m)
{
	free(m->skips);
	m->skips = NULL;
	m->nskips = 0;
	for (size_t i = 0; i < m->n; i++)
		free(m->e[i].params);
	free(m->e);
	m->e = NULL;
	m->n = m->cap = 0;
}

const char *hb_recover_stale_knobs(void)
{
	static char report[4096];
	static int done;
	static const char *result;
	static struct hb_knobs k;
	int rc;

	/* Once per process: main() does it before any command, a run records it in meta.json. */
	if (done)
		return result;
	done = 1;
	hb_knobs_init(&k, "", NULL);
	rc = hb_knobs_recover(&k, report, sizeof(report));
	if (rc == 1) {
		hb_err("an earlier run did not finish; machine settings restored:\n%s", report);
		result = report;
		return report;
	}
	if (rc < 0 && rc != -EBUSY && rc != -ENOENT)
		hb_err("could not read saved machine settings (%s): %s", k.state_path,
		       strerror(-rc));
	return NULL;
}

/* One run at a time: the lock is taken before anything is written, so a second run refuses
 * naming the holder (or waits, with --wait-lock) even when it would change no knob. */
static int take_run_lock(const struct hb_matrix *m, const char *state_path)
{
	char path[PATH_MAX];
	long holder = 0;
	int fd = hb_run_lock_take(state_path, m->wait_lock, &holder, path, sizeof(path));

	if (fd == -EBUSY)
		hb_err("another hugebench run holds the machine: pid %ld (run lock %s); nothing "
		       "was run. Wait for it, or pass --wait-lock to wait", holder, path);
	else if (fd < 0)
		hb_err("cannot take the run lock %s: %s", path, strerror(-fd));
	return fd;
}

/* The memory cgroup every cell's own cgroup is made under, or why there is none. */
static void cgroup_parent(struct hb_cgroup_self *self, char *why, size_t len)
{
	why[0] = 0;
	if (hb_cgroup_self(self, "", why, len)) {
		self->dir[0] = 0;
		return;
	}
	if (geteuid() != 0 && access(self->dir, W_OK)) {
		snprintf(why, len, "cannot make a memory cgroup under %.400s without root",
			 self->dir);
		self->dir[0] = 0;
	}
}

/* Figures derived across a whole run (e.g. translation cost), once per workload, with the
 * machine facts of the run's own record. */
static void derive_all(const struct hb_matrix *m, struct hb_results *res, json_t *meta)
{
	struct hb_machine_facts facts;
	struct hb_machine_record rec;

	if (hb_record_from_json(meta, &rec))
		hb_err("out of memory reading the run's record: analyses run without its facts");
	hb_machine_facts_from_record(&rec, &facts);
	hb_record_free(&rec);
	for (size_t i = 0; i < m->n; i++) {
		int seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= m->e[j].w == m->e[i].w;
		if (!seen && hb_analysis_run(m->e[i].w, res, &facts))
			hb_err("out of memory in the analysis of %s", m->e[i].w->name);
	}
}

static int entry_reps(const struct hb_matrix *m, const struct hb_matrix_entry *e)
{
	return e->reps ? e->reps : m->reps;
}

void hb_matrix_dry_run(const struct hb_matrix *m, const char *command)
{
	int cells = 0;

	for (size_t i = 0; i < m->n; i++)
		cells += m->e[i].nbackings * entry_reps(m, &m->e[i]);
	printf("%s: --dry-run: would run %d cell%s (%zu workload and parameter set%s on their "
	       "backings, interleaved repetitions) into %s; nothing was run, changed or written\n",
	       command, cells, cells == 1 ? "" : "s", m->n, m->n == 1 ? "" : "s",
	       m->out ? m->out : "results/<UTC time>-<host>");
	for (int i = 0; i < m->nknob_args; i++)
		printf("%s: --dry-run: each cell would set knob %s before its backing's own "
		       "settings and put it back after\n", command, m->knob_args[i]);
}

/* What the cells of a run share, and its counts. */
struct run_state {
	const struct hb_matrix *m;
	struct hb_cell_env *env;
	struct progress *prog;
	int tty, done, total, counts[5];
	uint64_t t_start;
	uint64_t *cell_ns; /* the last duration of entry i, backing b: [i * HB_MAX_BACKINGS + b] */
	/* repetitions entry i ran (any backing), and the last one's number: extra rounds are
	 * numbered after the longest entry's, so a number is not a count */
	int *reps_run, *last_rep;
};

/* The host-speed probe of this repetition, as two rows of the cell (probe.h). */
static void probe_rows(struct hb_results *res, const struct hb_cell *c)
{
	struct hb_probe p;
	int rc = hb_probe_run(&p);
	const char *names[2] = { HB_PROBE_CPU_METRIC, HB_PROBE_LOAD_METRIC };
	double v[2] = { p.cpu_ns, p.load_ns };

	for (int k = 0; k < 2; k++) {
		if (rc)
			hb_results_add(res, c->w->name, c->backing.name, c->params_text, c->rep,
				       names[k], "unavailable", "ns", strerror(-rc));
		else
			hb_results_addf(res, c->w->name, c->backing.name, c->params_text, c->rep,
					names[k], v[k], "ns", "");
	}
}

static void run_one(struct run_state *rs, size_t i, int b, int rep)
{
	const struct hb_matrix *m = rs->m;
	const struct hb_matrix_entry *e = &m->e[i];
	struct hb_cell cell = {
		.w = e->w,
		.params = e->params,
		.params_text = e->params_text,
		.backing = e->backings[b],
		.rep = rep,
		/* Same seed for every backing of a repetition. */
		.seed = m->seed + (uint64_t)rep * 0x9E3779B97F4A7C15ull,
		.events = m->events,
	};
	uint64_t t0 = hb_now_ns();
	enum hb_cell_outcome out;

	snprintf(cell.id, sizeof(cell.id), "%s-%s-%zu-r%d", e->w->name, cell.backing.name, i + 1,
		 rep);
	cell.timeout_ns = hb_matrix_cell_timeout(m, e, cell.timeout_from, sizeof(cell.timeout_from));
	probe_rows(rs->env->res, &cell);
	if (rs->tty) {
		*rs->prog = (struct progress){ rs->done, rs->total, rs->t_start, 0, &cell,
					       e->params_text };
		hb_progress_draw(rs->prog);
	}
	out = hb_cell_run(&cell, rs->env);
	rs->counts[out]++;
	rs->done++;
	rs->cell_ns[i * HB_MAX_BACKINGS + (size_t)b] = hb_now_ns() - t0;
	if (rep != rs->last_rep[i]) {
		rs->last_rep[i] = rep;
		rs->reps_run[i]++;
	}
	hb_results_write_csv(rs->env->res);
	hb_progress_cell_done(rs->tty, rs->done, rs->total, rs->t_start, t0, &cell, e->params_text,
			      out, rs->env->summary);
}

/* Extra rounds (bench --budget, a profile's budget): one more repetition of every cell that
 * still wants one, while the round's expected time (the last duration of each of its cells)
 * fits and no cell passes the cap. */
static void budget_rounds(struct run_state *rs, int reps_done)
{
	const struct hb_matrix *m = rs->m;
	struct hb_extra_reps *bu = m->budget;
	size_t cells = m->n * HB_MAX_BACKINGS;
	unsigned char *want = calloc(cells, 1);
	int rep = reps_done, cap = bu->max_reps ? bu->max_reps : HB_BUDGET_MAX_REPS;

	while (want && !stop_flag) {
		uint64_t cost = 0, used = hb_now_ns() - rs->t_start;
		int n = bu->want(bu, rs->env->res, m, want);

		if (n <= 0) {
			bu->unknown_left = 0;
			break;
		}
		bu->unknown_left = n;
		/* The cap counts each cell's repetitions, not their numbers (a set with fewer
		 * repetitions than the longest has gaps in its numbering). */
		for (size_t c = 0; c < cells; c++)
			if (want[c] && rs->reps_run[c / HB_MAX_BACKINGS] >= cap) {
				want[c] = 0;
				n--;
			}
		if (n <= 0) {
			hb_info("budget: %d cells %s after %d repetitions, the cap",
				bu->unknown_left, bu->why, cap);
			break;
		}
		rep++;
		for (size_t c = 0; c < cells; c++)
			cost += want[c] ? rs->cell_ns[c] : 0;
		if (used + cost > bu->ns) {
			hb_info("budget: %d cells %s; a round would take about %.0f s, %.0f s of "
				"the budget are left", n, bu->why, cost / 1e9,
				used > bu->ns ? 0 : (bu->ns - used) / 1e9);
			break;
		}
		hb_info("budget: repetition %d of the %d cells %s (about %.0f s; %.0f s of the "
			"budget left)", rep, n, bu->why, cost / 1e9, (bu->ns - used) / 1e9);
		bu->rounds++;
		rs->total += n;
		for (size_t i = 0; i < m->n && !stop_flag; i++)
			for (int b = 0; b < m->e[i].nbackings && !stop_flag; b++)
				if (want[i * HB_MAX_BACKINGS + (size_t)b]) {
					run_one(rs, i, b, rep);
					bu->extra_cells++;
				}
	}
	if (!want)
		hb_err("budget: out of memory: no extra repetitions");
	free(want);
}

/* "repetitions: touch 3, sparse-dense 5, ...": one line, a profile section (its entries share
 * a label) or a workload once; meta.json gets the same as an object. */
static void reps_line(const struct run_state *rs, json_t *meta)
{
	const struct hb_matrix *m = rs->m;
	json_t *o = json_object();
	char line[2048];
	size_t off = 0;

	for (size_t i = 0; i < m->n; i++) {
		const char *name = m->e[i].label[0] ? m->e[i].label : m->e[i].w->name;
		int lo = rs->reps_run[i], hi = rs->reps_run[i], seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= !strcmp(name, m->e[j].label[0] ? m->e[j].label : m->e[j].w->name);
		if (seen)
			continue;
		for (size_t j = i + 1; j < m->n; j++)
			if (!strcmp(name, m->e[j].label[0] ? m->e[j].label : m->e[j].w->name)) {
				lo = rs->reps_run[j] < lo ? rs->reps_run[j] : lo;
				hi = rs->reps_run[j] > hi ? rs->reps_run[j] : hi;
			}
		if (o)
			json_object_set_new(o, name, json_integer(hi));
		if (off < sizeof(line))
			off += (size_t)snprintf(line + off, sizeof(line) - off, lo == hi ?
						"%s%s %d" : "%s%s %d-%d", off ? ", " : "", name,
						lo, hi);
	}
	if (off)
		hb_info("repetitions: %s", line);
	if (o)
		json_object_set_new(meta, "reps_per_set", o);
}

int hb_matrix_run(struct hb_matrix *m, int argc, char **argv)
{
	struct hb_knobs knobs;
	struct hb_results res;
	struct hb_cgroup_self self;
	struct hb_cell_env env = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512], cgwhy[PATH_MAX + 128], when[32];
	int rc, max_reps = 0, lock_fd;
	const char *recovered;
	json_t *meta;
	struct progress prog = { 0 };
	struct run_state rs = { .m = m, .env = &env, .prog = &prog };

	rs.cell_ns = calloc(m->n * HB_MAX_BACKINGS + 1, sizeof(*rs.cell_ns));
	rs.reps_run = calloc(2 * (m->n + 1), sizeof(*rs.reps_run));
	rs.last_rep = rs.reps_run ? rs.reps_run + m->n + 1 : NULL;
	if (!rs.cell_ns || !rs.reps_run) {
		free(rs.cell_ns);
		free(rs.reps_run);
		return HB_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < m->n; i++) {
		rs.total += m->e[i].nbackings * entry_reps(m, &m->e[i]);
		if (entry_reps(m, &m->e[i]) > max_reps)
			max_reps = entry_reps(m, &m->e[i]);
	}
	hb_knobs_init(&knobs, "", NULL);
	lock_fd = take_run_lock(m, knobs.state_path);
	if (lock_fd < 0) {
		free(rs.cell_ns);
		free(rs.reps_run);
		return lock_fd == -EBUSY ? HB_EXIT_BUSY : HB_EXIT_INTERNAL;
	}
	/* After the lock: a run that ended while we waited may have left nothing, or a crash. */
	recovered = hb_recover_stale_knobs();
	/* A guardian restores if we die without restoring (HUGEBENCH_NO_GUARDIAN=1: only the
	 * state file and the next start, to test that path). */
	knobs.guard = !getenv("HUGEBENCH_NO_GUARDIAN");
	cgroup_parent(&self, cgwhy, sizeof(cgwhy));
	if (hb_results_open(&res, m->out, err, sizeof(err))) {
		hb_err("%s", err);
		hb_run_lock_release(lock_fd);
		free(rs.cell_ns);
		free(rs.reps_run);
		return HB_EXIT_USAGE;
	}
	meta = hb_run_meta(m, argc, argv, recovered);
	hb_results_write_json(&res, "meta.json", meta);
	hb_results_write_csv(&res);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	env.knobs = &knobs;
	env.res = &res;
	env.cgroup_parent_dir = self.dir;
	env.cgroup_version = self.version;
	env.cgroup_unavailable = cgwhy;
	env.series_interval_ns = m->series_interval_ns;
	env.stop = &stop_flag;
	env.child = &child_pid;
	env.knob_args = m->knob_args;
	env.nknob_args = m->nknob_args;

	for (size_t i = 0; i < m->nskips; i++) {
		const struct hb_matrix_skip *k = &m->skips[i];

		hb_results_add(&res, k->workload, k->backing, k->params, 1, "status", "skipped", "",
			       k->why);
		rs.counts[HB_CELL_SKIPPED]++;
		hb_info("skipped: %s %s: %s", k->workload, k->backing, k->why);
	}
	if (m->nskips)
		hb_results_write_csv(&res);
	rs.tty = !hb_log_quiet && isatty(STDERR_FILENO);
	if (rs.tty) {
		env.tick = hb_progress_draw;
		env.tick_arg = &prog;
	}
	rs.t_start = hb_now_ns();
	hb_info("hugebench %s: %d cells (%zu parameter sets, %d reps) -> %s", m->command_kind,
		rs.total, m->n, m->reps, res.dir);
	for (int rep = 1; rep <= max_reps && !stop_flag; rep++)
		for (size_t i = 0; i < m->n && !stop_flag; i++)
			for (int b = 0; b < m->e[i].nbackings && !stop_flag; b++)
				if (rep <= entry_reps(m, &m->e[i]))
					run_one(&rs, i, b, rep);
	if (m->budget && m->budget->ns && !stop_flag)
		budget_rounds(&rs, max_reps);
	if (rs.tty)
		fprintf(stderr, "\n");
	reps_line(&rs, meta);
	if (stop_flag)
		hb_err("interrupted by signal %d: finished cells are kept in %s", (int)stop_flag,
		       res.dir);
	else
		derive_all(m, &res, meta);
	hb_iso_now(when, sizeof(when));
	json_object_set_new(meta, "end", json_string(when));
	json_object_set_new(meta, "complete", json_boolean(!stop_flag));
	json_object_set_new(meta, "cells",
			    json_pack("{s:i,s:i,s:i,s:i,s:i}", "ok", rs.counts[HB_CELL_OK],
				      "fallback", rs.counts[HB_CELL_FALLBACK], "skipped",
				      rs.counts[HB_CELL_SKIPPED], "failed", rs.counts[HB_CELL_FAILED],
				      "interrupted", rs.counts[HB_CELL_INTERRUPTED]));
	if (m->budget && m->budget->ns)
		json_object_set_new(meta, "budget",
				    json_pack("{s:f,s:s?,s:s,s:i,s:i,s:i,s:i}", "seconds",
					      m->budget->ns / 1e9, "baseline", m->budget->baseline,
					      "waits_for", m->budget->why, "max_reps",
					      m->budget->max_reps ? m->budget->max_reps :
					      HB_BUDGET_MAX_REPS, "rounds", m->budget->rounds,
					      "extra_cells", m->budget->extra_cells, "unknown_left",
					      m->budget->unknown_left));
	rc = hb_results_write_csv(&res);
	if (!rc)
		rc = hb_results_write_json(&res, "meta.json", meta);
	if (rc)
		hb_err("cannot write results in %s: %s", res.dir, strerror(-rc));
	printf("%s\n", res.dir);
	json_decref(meta);
	hb_knobs_restore(&knobs, NULL, 0);
	hb_guardian_stop(&knobs);
	hb_run_lock_release(lock_fd);
	hb_results_free(&res);
	free(rs.cell_ns);
	free(rs.reps_run);
	if (rc)
		return HB_EXIT_INTERNAL;
	if (stop_flag)
		return HB_EXIT_INTERRUPTED;
	if (rs.counts[HB_CELL_FAILED])
		return HB_EXIT_CELL_FAILED;
	if (rs.counts[HB_CELL_SKIPPED] == rs.total)
		return HB_EXIT_NO_RESOURCE;
	return HB_EXIT_OK;
}
