/*
 * The parent's side of a cell's child: fork (or exec), the report lines it sends, the series
 * sampled in between, and what its exit means.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cell_impl.h"
#include "cgroup.h"
#include "clock.h"
#include "fit.h"
#include "knobs.h"
#include "log.h"
#include "protocol.h"
#include "results.h"
#include "smaps.h"
#include "vmstat.h"

int hb_cell_exec_always;

/* What the child reported about itself (protocol.h), beside its metric rows. */
struct child_report {
	int fallback;
	char fallback_why[256];
	char error[512];
	unsigned metrics;
	char stderr_text[600];
	size_t stderr_len;
};

/* A line that does not decode is dropped whole: no row is made of half a message. 1 for a
 * phase boundary, which the caller answers with HB_PHASE_ACK. */
static int handle_line(char *line, const struct hb_cell *cell, struct hb_cell_env *env,
			struct series *s, struct child_report *rep, pid_t pid,
			const struct hb_cgroup *cg)
{
	struct hb_msg m;

	if (hb_msg_decode(line, &m))
		return 0;
	switch (m.kind) {
	case HB_MSG_METRIC:
		hb_results_add(env->res, cell->w->name, cell->backing.name, cell->params_text,
			       cell->rep, m.name, m.value, m.unit, m.note);
		rep->metrics++;
		break;
	case HB_MSG_GAUGE:
		for (unsigned g = 0; g < MAX_GAUGES; g++) {
			if (g == s->ngauges) {
				snprintf(s->gauge_names[g], sizeof(s->gauge_names[g]), "%s",
					 m.name);
				s->ngauges++;
			}
			if (!strcmp(s->gauge_names[g], m.name)) {
				s->gauges[g] = m.num;
				break;
			}
		}
		break;
	case HB_MSG_PHASE:
		/* A sample at every phase change, so a phase shorter than the interval shows. */
		hb_series_sample(s, pid, cg);
		snprintf(s->phase, sizeof(s->phase), "%s", m.name);
		hb_series_sample(s, pid, cg);
		return 1;
	case HB_MSG_FALLBACK:
		rep->fallback = 1;
		snprintf(rep->fallback_why, sizeof(rep->fallback_why), "%s", m.note);
		break;
	case HB_MSG_ERROR:
		snprintf(rep->error, sizeof(rep->error), "%s", m.note);
		break;
	}
	return 0;
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

/* The cell's wall-clock bound: at the deadline every process of the cell is SIGKILLed (a
 * SIGSTOPped one dies too), and the cell fails with the reason. */
struct bound {
	uint64_t t0, deadline; /* deadline 0: none */
	uint64_t killed_at;    /* 0: not killed */
};

#define GRACE_NS (5 * 1000000000ull) /* after the kill, for the pipes to close */

static void kill_cell(pid_t pid, const struct hb_cgroup *cg, struct bound *b)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	if (cg->dir[0])
		(void)hb_cgroup_kill(cg);
	b->killed_at = hb_now_ns();
}

/* At the deadline (once): the kill. */
static void check_deadline(pid_t pid, const struct hb_cgroup *cg, struct bound *b, uint64_t now)
{
	if (b->deadline && !b->killed_at && now >= b->deadline)
		kill_cell(pid, cg, b);
}

/* Reads the child's lines until it closes the pipe, sampling the series in between. */
static void collect(int fd, int errfd, pid_t pid, const struct hb_cell *cell,
		    struct hb_cell_env *env, const struct hb_cgroup *cg, struct series *s,
		    struct child_report *rep, struct bound *b)
{
	char buf[8192];
	size_t have = 0;
	uint64_t next = hb_now_ns();

	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = errfd, .events = POLLIN } };
		uint64_t now = hb_now_ns(), wake = next;
		int timeout;
		ssize_t r;

		check_deadline(pid, cg, b, now);
		/* Killed, yet something outside the cell still holds the pipe: stop waiting. */
		if (b->killed_at && now - b->killed_at >= GRACE_NS)
			return;
		if (now >= next && !b->killed_at) {
			hb_series_sample(s, pid, cg);
			if (env->tick)
				env->tick(env->tick_arg);
			next = now + env->series_interval_ns;
			continue;
		}
		if (b->killed_at)
			wake = b->killed_at + GRACE_NS;
		else if (b->deadline && b->deadline < wake)
			wake = b->deadline;
		timeout = now >= wake ? 0 : (int)((wake - now) / 1000000) + 1;
		if (poll(pfd, errfd >= 0 ? 2 : 1, timeout) <= 0)
			continue; /* timeout, or EINTR from the runner's signal handler */
		if (errfd >= 0 && pfd[1].revents) {
			if (pfd[1].revents & POLLIN)
				read_stderr(errfd, rep);
			else
				errfd = -1; /* closed: poll the report socket alone */
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
			if (handle_line(start, cell, env, s, rep, pid, cg)) {
				/* The child waits for this; the next periodic sample is a whole
				 * interval away, so it does not land on the phase's first step. */
				(void)send(fd, &(char){ HB_PHASE_ACK }, 1, MSG_NOSIGNAL);
				next = hb_now_ns() + env->series_interval_ns;
			}
			start = nl + 1;
		}
		have -= (size_t)(start - buf);
		memmove(buf, start, have);
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer cannot come from the child */
	}
}

/* What is left on the child's stderr, until it closes, the deadline passes or (killed) the
 * grace is over. */
static void drain_stderr(int errfd, pid_t pid, const struct hb_cgroup *cg,
			 struct child_report *rep, struct bound *b)
{
	for (;;) {
		struct pollfd pfd = { .fd = errfd, .events = POLLIN };
		uint64_t now = hb_now_ns();
		ssize_t r;

		check_deadline(pid, cg, b, now);
		if (b->killed_at && now - b->killed_at >= GRACE_NS)
			return;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		r = read_stderr(errfd, rep);
		if (r == 0 || (r < 0 && errno != EINTR))
			return;
	}
}

/* The child's exit status, killing it at the deadline if it has not gone by then. */
static void reap(pid_t pid, const struct hb_cgroup *cg, int *status, struct bound *b)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };

	for (;;) {
		pid_t r = waitpid(pid, status, b->killed_at ? 0 : WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return;
		if (r == 0) {
			check_deadline(pid, cg, b, hb_now_ns());
			if (!b->killed_at)
				nanosleep(&pause, NULL);
		}
	}
}

/* Before exec or the workload: what the backing means for a process-wide heap. */
static void child_apply_backing(const struct hb_cell *cell)
{
	/* malloc'd memory never sees the 4k backing's MADV_NOHUGEPAGE: turn THP off for the
	 * whole process, as Redis does (kept across exec). */
	if (cell->w->needs->process_memory && cell->backing.ops->process_thp_disable)
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
}

static void describe_exit(int status, char *buf, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(buf, len, "child killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "child exited with status %d", WEXITSTATUS(status));
}

/*
 * An OOM kill in the cell's cgroup while the harness's own bound (fit.h) was the limit in
 * force: the cell outgrew what the fit check allowed, a failure (not the workload's own
 * limit, below). Without an oom_kill count (v1 before 4.13): the child's SIGKILL with hits.
 */
static int cell_oom(int status, const struct hb_cgroup *cg, const struct hb_cell *cell,
		    const struct series *s, char *why, size_t len)
{
	uint64_t oom = UINT64_MAX, failcnt = 0, now = 0;
	char from[160];

	if (!cg->dir[0] || !cg->ceiling || hb_cgroup_events(cg, &oom, &failcnt) ||
	    hb_cgroup_limit(cg, &now) || (now && now < cg->ceiling))
		return 0;
	if (oom == UINT64_MAX ? !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && failcnt)
			      : !oom)
		return 0;
	hb_cell_memory_limit(cell->w, cell->params, &cell->backing, from, sizeof(from));
	snprintf(why, len, "OOM at the cell's limit of %llu MiB (%s), in phase '%s', %.1f s "
		 "into the cell",
		 (unsigned long long)(cg->ceiling >> 20), from, s->phase,
		 (double)(hb_now_ns() - s->t0) / 1e9);
	return 1;
}

/* A SIGKILL from the cell's memory cgroup's OOM killer under the workload's own limit
 * (hb_memory_limit) is a result of the cell, not a fault. */
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
	hb_cell_row(env, cell, "oom_killed", "1", "", note);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)failcnt);
	hb_cell_row(env, cell, "memory_failcnt", v, "events",
		"times the cell's memory cgroup hit its limit (v1 memory.failcnt, v2 events max)");
	return 1;
}

enum hb_cell_outcome hb_cell_run_child(const struct hb_cell *cell, struct hb_cell_env *env,
				      struct hb_cgroup *cg, const struct hb_child_env *cenv,
				      struct series *s, char *why, size_t len)
{
	struct child_report rep = { 0 };
	struct bound b = { 0 };
	int pipefd[2], errpipe[2] = { -1, -1 }, status = 0, rc;
	char buf[256];
	pid_t pid;

	why[0] = 0;
	/* The report channel is a socket pair: lines up, a phase boundary's ack down. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pipefd) ||
	    ((cenv->n || hb_cell_exec_always) && pipe2(errpipe, O_CLOEXEC))) {
		snprintf(why, len, "socketpair/pipe: %s", strerror(errno));
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
		if (!cenv->n && !hb_cell_exec_always)
			_exit(hb_cell_child(cell, pipefd[1], cg->dir, cg->version));
		/* A fresh image, not the forked harness: a forked child's Rss would count
		 * every page of the harness it shares (its results so far, a baseline it read), so
		 * a small cell's process memory grew with the repetition number (sparse 4k, 2M
		 * spacing: 5980 KiB at rep 1, 11596 KiB at rep 7, the cell itself ~600 KiB). The
		 * report socket survives the exec; stderr goes to the parent. */
		fcntl(pipefd[1], F_SETFD, 0);
		close(errpipe[0]);
		dup2(errpipe[1], STDERR_FILENO);
		rc = hb_cell_exec(cell, cenv, pipefd[1], cg->dir, cg->version);
		snprintf(buf, sizeof(buf), "exec of the harness for the cell failed: %s",
			 strerror(-rc));
		(void)hb_msg_write(pipefd[1], &(struct hb_msg){ .kind = HB_MSG_ERROR,
								.note = buf });
		_exit(1);
	}
	b.t0 = hb_now_ns();
	b.deadline = cell->timeout_ns ? b.t0 + cell->timeout_ns : 0;
	setpgid(pid, pid); /* also here: the group exists before any kill(-pid) */
	*env->child = pid;
	close(pipefd[1]);
	if (errpipe[1] >= 0)
		close(errpipe[1]);
	collect(pipefd[0], errpipe[0], pid, cell, env, cg, s, &rep, &b);
	close(pipefd[0]);
	if (errpipe[0] >= 0) {
		/* Until the child exits: what it writes at exit (an allocator's statistics) may
		 * be more than the pipe holds. */
		drain_stderr(errpipe[0], pid, cg, &rep, &b);
		close(errpipe[0]);
	}
	reap(pid, cg, &status, &b);
	/* Anything the cell forked and left (killed with it, or orphaned to us as subreaper):
	 * killed and reaped now, so nothing outlives the cell. */
	kill(-pid, SIGKILL);
	if (cg->dir[0])
		(void)hb_cgroup_kill(cg);
	while (waitpid(-pid, NULL, 0) > 0 || errno == EINTR)
		;
	*env->child = 0;
	hb_series_write(s, env->res, cell->id);

	if (*env->stop) {
		snprintf(why, len, "run interrupted by a signal");
		return HB_CELL_INTERRUPTED;
	}
	if (b.killed_at) {
		snprintf(why, len, "timeout after %.1f s (limit %llu s from %.300s)",
			 (double)(b.killed_at - b.t0) / 1e9,
			 (unsigned long long)(cell->timeout_ns / 1000000000ull), cell->timeout_from);
		return HB_CELL_FAILED;
	}
	if (cell_oom(status, cg, cell, s, why, len))
		return HB_CELL_FAILED;
	if (oom_killed(status, cg, env, cell, s)) {
		snprintf(why, len, "OOM-killed by the cell's memory limit (a result: oom_killed=1)"
			 "%s%.300s", rep.stderr_len ? "; child stderr: " : "", rep.stderr_text);
		return HB_CELL_OK;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		describe_exit(status, buf, sizeof(buf));
		snprintf(why, len, "%.300s%s%.60s%s%.120s", rep.error, rep.error[0] ? "; " : "",
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
