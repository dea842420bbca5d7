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
#include "knobs.h"
#include "log.h"
#include "matrix.h"
#include "readfile.h"
#include "results.h"
#include "commands.h"
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
	if (!w->expand)
		return add_one(m, w, params, backings, nbackings, label);
	sets = calloc(MAX_EXPAND, w->params_size);
	if (!sets)
		return -ENOMEM;
	n = w->expand(params, sets, MAX_EXPAND);
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

static uint64_t free_hugetlb_pages(uint64_t page_size)
{
	char path[160];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%llukB/free_hugepages",
		 (unsigned long long)(page_size >> 10));
	return hb_read_u64(path, &v) ? 0 : v;
}

/* Refuses before anything is mapped: a cell that cannot fit is bad input, not a crash. */
int hb_matrix_check_fit(const struct hb_matrix *m)
{
	uint64_t avail = hb_mem_available();
	char a[32], b[32];

	hb_format_size(avail & ~1023ull, b, sizeof(b));
	for (size_t i = 0; i < m->n; i++) {
		const struct hb_matrix_entry *e = &m->e[i];
		uint64_t need = e->w->memory_needed(e->params);

		hb_format_size(need, a, sizeof(a));
		for (int j = 0; j < e->nbackings; j++) {
			const struct hb_backing *bk = &e->backings[j];

			if (hb_backing_pool_pages(bk, need)) {
				uint64_t pages = hb_backing_pool_pages(bk, need);
				uint64_t free_pages = free_hugetlb_pages(bk->page_size);
				uint64_t can = free_pages + (geteuid() == 0 ? avail / bk->page_size : 0);

				if (pages > can) {
					hb_err("%s %s needs %llu hugetlb pages of %llu KiB for %s; the "
					       "pool can give at most %llu here (free %llu, "
					       "MemAvailable %s)", e->w->name, bk->name,
					       (unsigned long long)pages,
					       (unsigned long long)(bk->page_size >> 10), a,
					       (unsigned long long)can,
					       (unsigned long long)free_pages, b);
					return -ENOMEM;
				}
			} else if (avail && need > avail / 10 * 9) {
				hb_err("%s %s: a cell needs %s but MemAvailable is %s (at most 90%% of "
				       "it may be used); parameters: %s", e->w->name, bk->name, a, b,
				       e->params_text);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

const char *hb_recover_stale_knobs(void)
{
	static char report[4096];
	struct hb_knobs k;
	int rc;

	hb_knobs_init(&k, "", NULL);
	rc = hb_knobs_recover(&k, report, sizeof(report));
	if (rc == 1) {
		hb_err("an earlier run did not finish; machine settings restored:\n%s", report);
		return report;
	}
	if (rc < 0 && rc != -EBUSY && rc != -ENOENT)
		hb_err("could not read saved machine settings (%s): %s", k.state_path,
		       strerror(-rc));
	return NULL;
}

static void iso_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
}

static json_t *make_meta(const struct hb_matrix *m, int argc, char **argv, const char *recovered)
{
	json_t *meta = hb_sysinfo_collect(), *hb = json_object(), *entries = json_array();
	char cmd[4096] = "hugebench", when[32];
	size_t off = strlen(cmd);

	for (int i = 0; i < argc && off < sizeof(cmd); i++)
		off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, " %s", argv[i]);
	json_object_set_new(hb, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(hb, "commit", json_string(HB_GIT_COMMIT));
	json_object_set_new(hb, "compiler", json_string("gcc " __VERSION__));
	json_object_set_new(meta, "hugebench", hb);
	json_object_set_new(meta, "command", json_string(cmd));
	json_object_set_new(meta, "kind", json_string(m->command_kind));
	if (m->profile)
		json_object_set_new(meta, "profile", json_string(m->profile));
	iso_now(when, sizeof(when));
	json_object_set_new(meta, "start", json_string(when));
	for (size_t i = 0; i < m->n; i++) {
		json_t *e = json_object(), *b = json_array();

		json_object_set_new(e, "workload", json_string(m->e[i].w->name));
		json_object_set_new(e, "params", json_string(m->e[i].params_text));
		if (m->e[i].label[0])
			json_object_set_new(e, "label", json_string(m->e[i].label));
		if (m->e[i].reps)
			json_object_set_new(e, "reps", json_integer(m->e[i].reps));
		for (int j = 0; j < m->e[i].nbackings; j++)
			json_array_append_new(b, json_string(m->e[i].backings[j].name));
		json_object_set_new(e, "backings", b);
		json_array_append_new(entries, e);
	}
	json_object_set_new(meta, "entries", entries);
	json_object_set_new(meta, "allocators", hb_allocators_json());
	json_object_set_new(meta, "reps", json_integer(m->reps));
	json_object_set_new(meta, "seed", json_integer((json_int_t)m->seed));
	json_object_set_new(meta, "events", json_string(m->events && *m->events ? m->events :
							  "default"));
	json_object_set_new(meta, "complete", json_false());
	if (recovered)
		json_object_set_new(meta, "recovered_knobs", json_string(recovered));
	return meta;
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

/* Cells derived across a whole run (e.g. translation cost), once per workload. */
static void derive_all(const struct hb_matrix *m, struct hb_results *res)
{
	for (size_t i = 0; i < m->n; i++) {
		int seen = 0;

		for (size_t j = 0; j < i; j++)
			seen |= m->e[j].w == m->e[i].w;
		if (!seen && m->e[i].w->derive)
			m->e[i].w->derive(res);
	}
}

static int entry_reps(const struct hb_matrix *m, const struct hb_matrix_entry *e)
{
	return e->reps ? e->reps : m->reps;
}

static void format_secs(double s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, len, "%ds", (int)s);
}

/* Elapsed and, once a cell has finished, the time left at the mean cell time so far. */
static void times(int done, int total, uint64_t t_start, char *el, char *left, size_t len)
{
	double e = (double)(hb_now_ns() - t_start) / 1e9;

	format_secs(e, el, len);
	if (done)
		format_secs(e / done * (total - done), left, len);
	else
		snprintf(left, len, "?");
}

/* On a terminal: one line, rewritten in place, naming the cell that runs now; redrawn at
 * every series sample so elapsed time moves during long cells. */
struct progress {
	int done, total;
	uint64_t t_start, last_draw;
	const struct hb_cell *cell;
	const char *params;
};

static void progress_draw(void *arg)
{
	struct progress *p = arg;
	char el[32], left[32];
	uint64_t now = hb_now_ns();

	if (p->last_draw && now - p->last_draw < 500000000ull)
		return;
	p->last_draw = now;
	times(p->done, p->total, p->t_start, el, left, sizeof(el));
	fprintf(stderr, "\r\033[K[%d/%d done] now %s %s rep %d %.40s | elapsed %s, about %s left",
		p->done, p->total, p->cell->w->name, p->cell->backing.name, p->cell->rep,
		p->params, el, left);
	fflush(stderr);
}

/* Not on a terminal: one line per cell. On a terminal only cells that did not go as planned
 * get a line of their own, so their reason stays on screen. */
static void cell_done_line(int tty, int done, int total, uint64_t t_start, uint64_t t0,
			   const struct hb_cell *c, const char *params, enum hb_cell_outcome out,
			   const char *summary)
{
	char el[32], left[32];

	if (hb_log_quiet || (tty && (out == HB_CELL_OK || out == HB_CELL_INTERRUPTED)))
		return;
	times(done, total, t_start, el, left, sizeof(el));
	if (tty)
		fprintf(stderr, "\r\033[K");
	hb_info("[%d/%d] %s %s %s rep %d: %s (%.1f s; elapsed %s, about %s left)", done, total,
		c->w->name, c->backing.name, params, c->rep, summary,
		(double)(hb_now_ns() - t0) / 1e9, el, left);
}

int hb_matrix_run(struct hb_matrix *m, int argc, char **argv)
{
	struct hb_knobs knobs;
	struct hb_results res;
	struct hb_cgroup_self self;
	struct hb_cell_env env = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512], cgwhy[PATH_MAX + 128], when[32];
	int rc, counts[5] = { 0 }, total = 0, done = 0, max_reps = 0;
	const char *recovered;
	json_t *meta;
	uint64_t t_start;
	int tty;
	struct progress prog = { 0 };

	for (size_t i = 0; i < m->n; i++) {
		total += m->e[i].nbackings * entry_reps(m, &m->e[i]);
		if (entry_reps(m, &m->e[i]) > max_reps)
			max_reps = entry_reps(m, &m->e[i]);
	}
	recovered = hb_recover_stale_knobs();
	hb_knobs_init(&knobs, "", NULL);
	cgroup_parent(&self, cgwhy, sizeof(cgwhy));
	if (hb_results_open(&res, m->out, err, sizeof(err))) {
		hb_err("%s", err);
		return HB_EXIT_USAGE;
	}
	meta = make_meta(m, argc, argv, recovered);
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

	for (size_t i = 0; i < m->nskips; i++) {
		const struct hb_matrix_skip *k = &m->skips[i];

		hb_results_add(&res, k->workload, k->backing, k->params, 1, "status", "skipped", "",
			       k->why);
		counts[HB_CELL_SKIPPED]++;
		hb_info("skipped: %s %s: %s", k->workload, k->backing, k->why);
	}
	if (m->nskips)
		hb_results_write_csv(&res);
	tty = !hb_log_quiet && isatty(STDERR_FILENO);
	if (tty) {
		env.tick = progress_draw;
		env.tick_arg = &prog;
	}
	t_start = hb_now_ns();
	hb_info("hugebench %s: %d cells (%zu parameter sets, %d reps) -> %s", m->command_kind,
		total, m->n, m->reps, res.dir);
	for (int rep = 1; rep <= max_reps && !stop_flag; rep++) {
		for (size_t i = 0; i < m->n && !stop_flag; i++) {
			const struct hb_matrix_entry *e = &m->e[i];

			if (rep > entry_reps(m, e))
				continue;

			for (int b = 0; b < e->nbackings && !stop_flag; b++) {
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

				snprintf(cell.id, sizeof(cell.id), "%s-%s-%zu-r%d", e->w->name,
					 cell.backing.name, i + 1, rep);
				if (tty) {
					prog = (struct progress){ done, total, t_start, 0, &cell,
								  e->params_text };
					progress_draw(&prog);
				}
				out = hb_cell_run(&cell, &env);
				counts[out]++;
				done++;
				hb_results_write_csv(&res);
				cell_done_line(tty, done, total, t_start, t0, &cell, e->params_text,
					       out, env.summary);
			}
		}
	}
	if (tty)
		fprintf(stderr, "\n");
	if (stop_flag)
		hb_err("interrupted by signal %d: finished cells are kept in %s", (int)stop_flag,
		       res.dir);
	else
		derive_all(m, &res);
	iso_now(when, sizeof(when));
	json_object_set_new(meta, "end", json_string(when));
	json_object_set_new(meta, "complete", json_boolean(!stop_flag));
	json_object_set_new(meta, "cells",
			    json_pack("{s:i,s:i,s:i,s:i,s:i}", "ok", counts[HB_CELL_OK], "fallback",
				      counts[HB_CELL_FALLBACK], "skipped", counts[HB_CELL_SKIPPED],
				      "failed", counts[HB_CELL_FAILED], "interrupted",
				      counts[HB_CELL_INTERRUPTED]));
	rc = hb_results_write_csv(&res);
	if (!rc)
		rc = hb_results_write_json(&res, "meta.json", meta);
	if (rc)
		hb_err("cannot write results in %s: %s", res.dir, strerror(-rc));
	printf("%s\n", res.dir);
	json_decref(meta);
	hb_knobs_restore(&knobs, NULL, 0);
	hb_results_free(&res);
	if (rc)
		return HB_EXIT_INTERNAL;
	if (stop_flag)
		return HB_EXIT_INTERRUPTED;
	if (counts[HB_CELL_FAILED])
		return HB_EXIT_CELL_FAILED;
	if (counts[HB_CELL_SKIPPED] == total)
		return HB_EXIT_NO_RESOURCE;
	return HB_EXIT_OK;
}
