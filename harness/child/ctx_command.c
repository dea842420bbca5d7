/* command.h: a command run for the cell to its end, and what the cell's process tree holds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "command.h"
#include "ctx_impl.h"
#include "procmem.h"
#include "server.h"
#include "smaps.h"

#define ERR_KEEP 8192

/* The command running now (for hb_tree_read without a cgroup); 0: none. */
static pid_t running_pid;

const char *hb_backing_name(const struct hb_ctx *ctx)
{
	return ctx->cell->backing.name;
}

/* The command's side of the fork: never returns. */
static void command_child(pid_t parent, const char *line, const char *dir,
			  const char *const *env, int outfd, int errfd)
{
	sigset_t none;
	int devnull;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0); /* its own group: killed whole when it ends */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull > 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	dup2(outfd, 1);
	dup2(errfd, 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	for (int i = 0; env && env[i]; i++)
		putenv((char *)env[i]);
	if (dir && dir[0] && chdir(dir)) {
		dprintf(2, "chdir %s: %s\n", dir, strerror(errno));
		_exit(126);
	}
	execl("/bin/sh", "sh", "-c", line, (char *)NULL);
	dprintf(2, "exec /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

/* Appends what fd has to buf (growing up to max, then keeping the last max bytes). 0 at EOF. */
static ssize_t take(int fd, char **buf, size_t *len, size_t *cap, size_t max)
{
	char tmp[16384];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r <= 0)
		return r < 0 && (errno == EINTR || errno == EAGAIN) ? 1 : r;
	if (*len + (size_t)r > max) { /* drop the oldest bytes */
		size_t drop = *len + (size_t)r - max;

		drop = drop > *len ? *len : drop;
		memmove(*buf, *buf + drop, *len - drop);
		*len -= drop;
	}
	if (*len + (size_t)r + 1 > *cap) {
		size_t nc = (*len + (size_t)r + 1) * 2;
		char *nb;

		nc = nc > max + 1 ? max + 1 : nc;
		nb = realloc(*buf, nc);
		if (!nb)
			return 1; /* keep what we have; the rest is lost */
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, tmp, (size_t)r);
	*len += (size_t)r;
	(*buf)[*len] = 0;
	return r;
}

/* The last lines of text (at most 5), joined with " | ". */
static void tail_lines(const char *text, size_t n, char *out, size_t len)
{
	const char *starts[5];
	unsigned k = 0;
	size_t used = 0;

	out[0] = 0;
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		n--;
	for (size_t i = n; i > 0 && k < 5; i--)
		if (i == 1 || text[i - 2] == '\n')
			starts[k++] = text + i - 1;
	for (unsigned j = k; j > 0 && used < len; j--) {
		const char *s = starts[j - 1];
		size_t l = strcspn(s, "\n");

		if (s + l > text + n)
			l = (size_t)(text + n - s);
		used += (size_t)snprintf(out + used, len - used, "%s%.*s", j < k ? " | " : "",
					 (int)l, s);
	}
}

static uint64_t faults(int who, int major)
{
	struct rusage ru;

	if (getrusage(who, &ru))
		return 0;
	return (uint64_t)(major ? ru.ru_majflt : ru.ru_minflt);
}

int hb_command_run(struct hb_ctx *ctx, const char *line, const char *dir, const char *const *env,
		   uint64_t timeout_ns, hb_command_tick tick, void *arg, uint64_t tick_ns,
		   struct hb_command_result *r, char *err, size_t len)
{
	int out[2], ep[2], pidfd, rc, out_open = 1, err_open = 1, exited = 0;
	uint64_t t0, next_tick, min0 = faults(RUSAGE_CHILDREN, 0), maj0 = faults(RUSAGE_CHILDREN, 1);
	char *ebuf = NULL;
	size_t elen = 0, ecap = 0, ocap = 0;
	pid_t parent = getpid(), pid;

	memset(r, 0, sizeof(*r));
	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(ep, O_CLOEXEC)) {
		rc = -errno;
		close(out[0]);
		close(out[1]);
		return rc;
	}
	fflush(NULL);
	t0 = hb_now_ns();
	pid = fork();
	if (pid == 0)
		command_child(parent, line, dir, env, out[1], ep[1]);
	close(out[1]);
	close(ep[1]);
	if (pid < 0) {
		rc = -errno;
		snprintf(err, len, "fork: %s", strerror(-rc));
		close(out[0]);
		close(ep[0]);
		return rc;
	}
	setpgid(pid, pid);
	running_pid = pid;
	pidfd = (int)pidfd_open(pid, 0);
	next_tick = t0 + tick_ns;
	while (!exited || out_open || err_open) {
		struct pollfd p[3] = { { .fd = out_open ? out[0] : -1, .events = POLLIN },
				       { .fd = err_open ? ep[0] : -1, .events = POLLIN },
				       { .fd = exited ? -1 : pidfd, .events = POLLIN } };
		uint64_t now = hb_now_ns();
		int wait_ms = 200;

		if (timeout_ns && now - t0 >= timeout_ns && !r->timed_out) {
			r->timed_out = 1;
			kill(-pid, SIGKILL);
		}
		if (tick && tick_ns && now >= next_tick && !exited) {
			tick(ctx, arg);
			next_tick += tick_ns;
			if (next_tick < now)
				next_tick = now + tick_ns;
		}
		if (tick && tick_ns && !exited)
			wait_ms = next_tick > now ? (int)((next_tick - now) / 1000000) + 1 : 0;
		wait_ms = wait_ms > 200 ? 200 : wait_ms;
		if (exited)
			wait_ms = 50; /* draining what is left in the pipes */
		if (poll(p, 3, wait_ms) <= 0) {
			if (exited) /* a background child of the command holds the pipes */
				break;
			continue;
		}
		if (p[0].revents && take(out[0], &r->out, &r->out_len, &ocap,
					 HB_COMMAND_OUT_MAX) <= 0)
			out_open = 0;
		if (p[1].revents && take(ep[0], &ebuf, &elen, &ecap, ERR_KEEP) <= 0)
			err_open = 0;
		if (p[2].revents)
			exited = 1;
		if (pidfd < 0 && waitpid(pid, &r->status, WNOHANG) == pid) {
			exited = 2; /* reaped already */
		}
	}
	if (exited != 2)
		while (waitpid(pid, &r->status, 0) < 0 && errno == EINTR)
			;
	r->wall_ns = hb_now_ns() - t0;
	/* Whatever it left running in its group goes with it. */
	kill(-pid, SIGKILL);
	running_pid = 0;
	r->minflt = faults(RUSAGE_CHILDREN, 0) - min0;
	r->majflt = faults(RUSAGE_CHILDREN, 1) - maj0;
	if (ebuf)
		tail_lines(ebuf, elen, r->err_tail, sizeof(r->err_tail));
	free(ebuf);
	if (!r->out) {
		r->out = calloc(1, 1);
		if (!r->out) {
			snprintf(err, len, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	close(out[0]);
	close(ep[0]);
	return rc;
}

void hb_command_result_free(struct hb_command_result *r)
{
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
}

/* The pids of the cell's processes besides this one, into pids (at most max): how many. */
static size_t tree_pids(struct hb_ctx *ctx, int *pids, size_t max)
{
	char path[PATH_MAX + 32], buf[32];
	size_t n = 0;
	FILE *f;

	if (ctx->cg.dir[0]) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", ctx->cg.dir);
		f = fopen(path, "re");
		if (f) {
			while (n < max && fgets(buf, sizeof(buf), f)) {
				int pid = atoi(buf);

				if (pid > 0 && pid != (int)getpid())
					pids[n++] = pid;
			}
			fclose(f);
			return n;
		}
	}
	for (int i = 0; i < HB_CTX_SERVERS && n < max; i++) {
		int pid = ctx->servers[i] ? hb_server_pid(ctx->servers[i]) : -1;

		if (pid > 0)
			pids[n++] = pid;
	}
	if (running_pid > 0 && n < max)
		pids[n++] = (int)running_pid;
	return n;
}

/* A kernel thread or a zombie has no smaps of its own: it is not read. */
static int tree_read_one(int pid, int folios, struct hb_tree_mem *m, struct hb_procmem *pm,
			 int *folio_ok, char *why, size_t len)
{
	char path[48];
	struct hb_smaps s;
	uint64_t hugetlb;

	if (!folios) {
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
		if (hb_smaps_read_rollup(path, &s))
			return -ESRCH;
		m->rss_kib += s.rss_kib;
		m->anon_huge_kib += s.anon_huge_kib;
		hugetlb = s.private_hugetlb_kib + s.shared_hugetlb_kib;
	} else {
		if (hb_procmem_read(pid, pm, why, len) || pm->state != HB_PROC_OK) {
			hb_procmem_free(pm);
			return -ESRCH;
		}
		m->rss_kib += pm->total.rss_kib;
		m->anon_huge_kib += pm->total.pmd_smaps_kib;
		hugetlb = pm->total.hugetlb_kib;
		if (pm->folios) {
			struct hb_procmem_kind sum = { .f = m->f };

			hb_procmem_kind_add(&sum, &pm->total);
			m->f = sum.f;
		} else {
			*folio_ok = 0;
			snprintf(m->why, sizeof(m->why), "%s", pm->why_folios);
		}
		hb_procmem_free(pm);
	}
	m->hugetlb_kib += hugetlb;
	if (hugetlb > m->max_hugetlb_kib)
		m->max_hugetlb_kib = hugetlb;
	return 0;
}

int hb_tree_read(struct hb_ctx *ctx, int folios, struct hb_tree_mem *m)
{
	int pids[256], folio_ok = folios;
	size_t n = tree_pids(ctx, pids, sizeof(pids) / sizeof(pids[0]));
	char why[200];
	struct hb_procmem *pm = folios ? calloc(1, sizeof(*pm)) : NULL;

	memset(m, 0, sizeof(*m));
	if (folios && !pm)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (tree_read_one(pids[i], folios, m, pm, &folio_ok, why, sizeof(why)))
			m->unread++;
		else
			m->procs++;
	}
	free(pm);
	m->folios = folio_ok && m->procs;
	m->f.from_pagemap = m->folios;
	if (folios && !m->procs)
		snprintf(m->why, sizeof(m->why), "no process of the cell could be read");
	else if (!folios)
		snprintf(m->why, sizeof(m->why), "smaps_rollup only");
	return 0;
}
