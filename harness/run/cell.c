/*
 * The parent side of a cell: resources, the child, the time series, the rows, and putting
 * every knob back whatever happened to the child.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cell.h"
#include "cgroup.h"
#include "clock.h"
#include "knobs.h"
#include "log.h"
#include "results.h"
#include "smaps.h"
#include "vmstat.h"

#define MAX_GAUGES 8

const char *hb_cell_outcome_name(enum hb_cell_outcome o)
{
	static const char *const names[] = { "ok", "fallback", "skipped", "failed", "interrupted" };

	return names[o];
}

/* The time series of one cell, built in memory and written once at the end. */
struct series {
	char *buf;
	size_t len, cap;
	char gauge_names[MAX_GAUGES][32];
	double gauges[MAX_GAUGES];
	unsigned ngauges;
	char phase[48];
	uint64_t t0;
};

/* Raw text: the series rows are built field by field with their commas already in them. */
static void text_add(char **buf, size_t *len, size_t *cap, const char *text)
{
	hb_text_append(buf, len, cap, text, strlen(text));
}

static void series_add(struct series *s, const char *text)
{
	text_add(&s->buf, &s->len, &s->cap, text);
}

static void series_sample(struct series *s, pid_t pid, const struct hb_cgroup *cg)
{
	char path[64], field[64];
	struct hb_smaps sm;
	uint64_t charged;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (hb_smaps_read_rollup(path, &sm))
		return; /* the child is exiting */
	snprintf(field, sizeof(field), "%.3f,", (double)(hb_now_ns() - s->t0) / 1e9);
	series_add(s, field);
	hb_csv_field(&s->buf, &s->len, &s->cap, s->phase); /* the one field that may need quotes */
	snprintf(field, sizeof(field), ",%llu,%llu,%llu,", (unsigned long long)sm.rss_kib,
		 (unsigned long long)sm.anon_huge_kib,
		 (unsigned long long)(sm.private_hugetlb_kib + sm.shared_hugetlb_kib));
	series_add(s, field);
	if (cg->dir[0] && hb_cgroup_charged_kib(cg, &charged) == 0) {
		snprintf(field, sizeof(field), "%llu", (unsigned long long)charged);
		series_add(s, field);
	}
	for (unsigned g = 0; g < MAX_GAUGES; g++) {
		if (g < s->ngauges)
			snprintf(field, sizeof(field), ",%.10g", s->gauges[g]);
		else
			snprintf(field, sizeof(field), ",");
		series_add(s, field);
	}
	series_add(s, "\n");
}

static int series_write(struct series *s, struct hb_results *res, const char *id)
{
	char *out = NULL, name[200];
	size_t len = 0, cap = 0;
	int rc;

	series_add(s, ""); /* makes sure buf exists */
	text_add(&out, &len, &cap, "t_s,phase,rss_kib,anon_huge_kib,hugetlb_kib,charged_kib");
	for (unsigned g = 0; g < MAX_GAUGES; g++) {
		text_add(&out, &len, &cap, ",");
		hb_csv_field(&out, &len, &cap, g < s->ngauges ? s->gauge_names[g] : "");
	}
	text_add(&out, &len, &cap, "\n");
	text_add(&out, &len, &cap, s->buf);
	snprintf(name, sizeof(name), "series/%s.csv", id);
	rc = hb_results_write_file(res, name, out, len);
	free(out);
	free(s->buf);
	return rc;
}

/* One message from the child: M(etric), G(auge), P(hase), F(allback), E(rror). */
struct child_report {
	int fallback;
	char fallback_why[256];
	char error[512];
	unsigned metrics;
	char stderr_text[600];
	size_t stderr_len;
};

static void handle_line(char *line, const struct hb_cell *cell, struct hb_cell_env *env,
			struct series *s, struct child_report *rep, pid_t pid,
			const struct hb_cgroup *cg)
{
	char *f[5] = { 0 };
	int n = 0;

	for (char *p = line; n < 5; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (!p) {
			n++;
			break;
		}
		*p++ = 0;
	}
	switch (line[0]) {
	case 'M':
		if (n < 5)
			return;
		hb_results_add(env->res, cell->w->name, cell->backing.name, cell->params_text,
			       cell->rep, f[1], f[2], f[3], f[4]);
		rep->metrics++;
		break;
	case 'G':
		if (n < 3)
			return;
		for (unsigned g = 0; g < MAX_GAUGES; g++) {
			if (g == s->ngauges) {
				snprintf(s->gauge_names[g], sizeof(s->gauge_names[g]), "%s", f[1]);
				s->ngauges++;
			}
			if (!strcmp(s->gauge_names[g], f[1])) {
				s->gauges[g] = strtod(f[2], NULL);
				break;
			}
		}
		break;
	case 'P':
		/* A sample at every phase change, so a phase shorter than the interval shows. */
		series_sample(s, pid, cg);
		snprintf(s->phase, sizeof(s->phase), "%s", n > 1 ? f[1] : "");
		series_sample(s, pid, cg);
		break;
	case 'F':
		rep->fallback = 1;
		snprintf(rep->fallback_why, sizeof(rep->fallback_why), "%s", n > 1 ? f[1] : "");
		break;
	case 'E':
		snprintf(rep->error, sizeof(rep->error), "%s", n > 1 ? f[1] : "");
		break;
	}
}

/* What the child wrote on stderr (an exec'd child only): its first bytes are kept. */
static ssize_t read_stderr(int fd, struct child_report *rep)
{
	char tmp[1024];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r <= 0)
		return r;
	for (ssize_t i = 0; i < r && rep->stderr_len < sizeof(rep->stderr_text) - 1; i++) {
		char c = tmp[i] == '\n' || tmp[i] == '\t' ? ' ' : tmp[i];

		rep->stderr_text[rep->stderr_len++] = c;
	}
	rep->stderr_text[rep->stderr_len] = 0;
	return r;
}

/* Reads the child's lines until it closes the pipe, sampling the series in between. */
static void collect(int fd, int errfd, pid_t pid, const struct hb_cell *cell,
		    struct hb_cell_env *env, const struct hb_cgroup *cg, struct series *s,
		    struct child_report *rep)
{
	char buf[8192];
	size_t have = 0;
	uint64_t next = hb_now_ns();

	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = errfd, .events = POLLIN } };
		uint64_t now = hb_now_ns();
		int timeout = now >= next ? 0 : (int)((next - now) / 1000000) + 1;
		ssize_t r;

		if (now >= next) {
			series_sample(s, pid, cg);
			if (env->tick)
				env->tick(env->tick_arg);
			next = now + env->series_interval_ns;
			continue;
		}
		if (poll(pfd, errfd >= 0 ? 2 : 1, timeout) <= 0)
			continue; /* timeout, or EINTR from the runner's signal handler */
		if (errfd >= 0 && pfd[1].revents) {
			if (pfd[1].revents & POLLIN)
				read_stderr(errfd, rep);
			else
				errfd = -1; /* closed: poll the report pipe alone */
		}
		if (!pfd[0].revents)
			continue;
		r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		have += (size_t)r;
		buf[have] = 0;
		char *start = buf, *nl;

		while ((nl = strchr(start, '\n'))) {
			*nl = 0;
			handle_line(start, cell, env, s, rep, pid, cg);
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer cannot come from the child */
	}
}

static void add_row(struct hb_cell_env *env, const struct hb_cell *cell, const char *metric,
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
		add_row(env, cell, hb_vmstat_name(i), v, "events",
			"/proc/vmstat delta over the cell: machine-wide, other processes count too");
	}
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "child killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "child exited with status %d", WEXITSTATUS(status));
}

static enum hb_cell_outcome finish(struct hb_cell_env *env, const struct hb_cell *cell,
				   enum hb_cell_outcome o, const char *why)
{
	char report[1024] = "";

	if (why && !*why)
		why = NULL;
	add_row(env, cell, "status", hb_cell_outcome_name(o), "", why);
	if (hb_knobs_restore(env->knobs, report, sizeof(report)))
		hb_err("could not restore every machine setting after cell %s: %s", cell->id,
		       report);
	snprintf(env->summary, sizeof(env->summary), "%s%s%s", hb_cell_outcome_name(o),
		 why && *why ? ": " : "", why ? why : "");
	return o;
}

/* Before exec or the workload: what the backing means for a process-wide heap. */
static void child_apply_backing(const struct hb_cell *cell)
{
	/* malloc'd memory never sees the 4k backing's MADV_NOHUGEPAGE: turn THP off for the
	 * whole process, as Redis does (kept across exec). */
	if (cell->w->process_memory && cell->backing.kind == HB_BK_4K)
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
}

/* A SIGKILL from the cell's memory cgroup's OOM killer is a result of the cell, not a fault. */
static int oom_killed(int status, const struct hb_cgroup *cg, struct hb_cell_env *env,
		      const struct hb_cell *cell, const struct series *s)
{
	uint64_t oom = 0, failcnt = 0;
	char v[32], note[160];

	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL || !cg->dir[0] ||
	    hb_cgroup_events(cg, &oom, &failcnt) || !oom)
		return 0;
	snprintf(note, sizeof(note), "the cell's memory cgroup OOM-killed the child (its "
		 "oom_kill count rose) in phase '%s', %.1f s into the cell", s->phase,
		 (double)(hb_now_ns() - s->t0) / 1e9);
	add_row(env, cell, "oom_killed", "1", "", note);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)failcnt);
	add_row(env, cell, "memory_failcnt", v, "events",
		"times the cell's memory cgroup hit its limit (v1 memory.failcnt, v2 events max)");
	return 1;
}

/* Forks the cell's child (exec'ing the harness when the workload gives it an environment),
 * collects its report and says how it went (why: the reason). */
static enum hb_cell_outcome run_child(const struct hb_cell *cell, struct hb_cell_env *env,
				      struct hb_cgroup *cg, const struct hb_child_env *cenv,
				      struct series *s, char *why, size_t len)
{
	struct child_report rep = { 0 };
	int pipefd[2], errpipe[2] = { -1, -1 }, status = 0, rc;
	char buf[256];
	pid_t pid;

	why[0] = 0;
	if (pipe2(pipefd, O_CLOEXEC) || (cenv->n && pipe2(errpipe, O_CLOEXEC))) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return HB_CELL_FAILED;
	}
	fflush(NULL);
	/* A cell's process may fork (forkcow's snapshot child). Orphans of it become ours, so
	 * that after the cell every one of them is killed and reaped before its cgroup goes. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		if (errpipe[0] >= 0) {
			close(errpipe[0]);
			close(errpipe[1]);
		}
		return HB_CELL_FAILED;
	}
	if (pid == 0) {
		/* The child never outlives the harness, even when the harness is SIGKILLed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		setpgid(0, 0); /* one process group for the cell and whatever it forks */
		close(pipefd[0]);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		if (cg->dir[0] && hb_cgroup_attach(cg, getpid()))
			cg->dir[0] = 0;
		child_apply_backing(cell);
		if (!cenv->n)
			_exit(hb_cell_child(cell, pipefd[1], cg->dir, cg->version));
		/* The report pipe survives the exec; stderr goes to the parent. */
		fcntl(pipefd[1], F_SETFD, 0);
		close(errpipe[0]);
		dup2(errpipe[1], STDERR_FILENO);
		rc = hb_cell_exec(cell, cenv, pipefd[1], cg->dir, cg->version);
		dprintf(pipefd[1], "E\texec of the harness for the cell failed: %s\n",
			strerror(-rc));
		_exit(1);
	}
	setpgid(pid, pid); /* also here: the group exists before any kill(-pid) */
	*env->child = pid;
	close(pipefd[1]);
	if (errpipe[1] >= 0)
		close(errpipe[1]);
	collect(pipefd[0], errpipe[0], pid, cell, env, cg, s, &rep);
	close(pipefd[0]);
	if (errpipe[0] >= 0) {
		ssize_t r;

		/* Until the child exits: what it writes at exit (an allocator's statistics) may
		 * be more than the pipe holds. */
		while ((r = read_stderr(errpipe[0], &rep)) > 0 || (r < 0 && errno == EINTR))
			;
		close(errpipe[0]);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* Anything the cell forked and left (killed with it, or orphaned to us as subreaper):
	 * killed and reaped now, so nothing outlives the cell. */
	kill(-pid, SIGKILL);
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	*env->child = 0;
	series_write(s, env->res, cell->id);

	if (*env->stop) {
		snprintf(why, len, "run interrupted by a signal");
		return HB_CELL_INTERRUPTED;
	}
	if (oom_killed(status, cg, env, cell, s)) {
		snprintf(why, len, "OOM-killed by the cell's memory limit (a result: oom_killed=1)"
			 "%s%.300s", rep.stderr_len ? "; child stderr: " : "", rep.stderr_text);
		return HB_CELL_OK;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		describe_exit(status, buf, sizeof(buf));
		snprintf(why, len, "%.200s%s%.100s%s%.150s", rep.error, rep.error[0] ? "; " : "",
			 buf, rep.stderr_len ? "; child stderr: " : "", rep.stderr_text);
		return HB_CELL_FAILED;
	}
	if (rep.fallback) {
		snprintf(why, len, "%.300s%s%.200s", rep.fallback_why,
			 rep.stderr_len ? "; child stderr: " : "", rep.stderr_text);
		return HB_CELL_FALLBACK;
	}
	if (rep.stderr_len)
		snprintf(why, len, "child stderr: %.480s", rep.stderr_text);
	return HB_CELL_OK;
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

	reason = cell->w->supported ? cell->w->supported(cell->params) : NULL;
	if (!reason)
		reason = hb_backing_unsupported(&cell->backing, buf, sizeof(buf));
	if (reason)
		return finish(env, cell, HB_CELL_SKIPPED, reason);
	if (hb_backing_prepare(&cell->backing, env->knobs, cell->w->memory_needed(cell->params),
			       why, sizeof(why)))
		return finish(env, cell, HB_CELL_SKIPPED, why);
	if (cell->w->prepare && cell->w->prepare(cell->params, env->knobs, why, sizeof(why)))
		return finish(env, cell, HB_CELL_SKIPPED, why);
	if (cell->w->child_env &&
	    cell->w->child_env(cell->params, &cenv, why, sizeof(why)))
		return finish(env, cell, HB_CELL_SKIPPED, why);

	if (env->cgroup_parent_dir && *env->cgroup_parent_dir) {
		snprintf(cgname, sizeof(cgname), "hugebench-%d-%s", (int)getpid(), cell->id);
		if (hb_cgroup_create(&cg, env->knobs, cgname, why, sizeof(why))) {
			add_row(env, cell, "charged_kib", "unavailable", "KiB", why);
			cg.dir[0] = 0;
		}
	} else {
		add_row(env, cell, "charged_kib", "unavailable", "KiB", env->cgroup_unavailable);
	}
	have_vm = hb_vmstat_read("/proc/vmstat", &vm0) == 0;

	o = run_child(cell, env, &cg, &cenv, &s, why, sizeof(why));
	if (have_vm && hb_vmstat_read("/proc/vmstat", &vm1) == 0)
		vmstat_rows(env, cell, &vm0, &vm1);
	/* The cgroup goes before the knobs: v1 refuses rmdir while charges drain. */
	if (cg.dir[0])
		hb_cgroup_destroy(&cg, env->knobs);
	return finish(env, cell, o, why);
}
