/* server.h: a server program started for the cell, its janitor, and stopping both. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "ctx_impl.h"
#include "datadir.h"
#include "server.h"
#include "smaps.h"

#define MAX_ARGS 64

struct hb_server {
	pid_t pid, janitor;
	int pidfd;	/* the server, so that no signal can reach a recycled pid */
	int janitor_fd; /* write end of the janitor's pipe: EOF tells it to clean up */
	int reaped, status;
	char name[32];
	char dir[64];
	char log[160];
};

int hb_server_free_port(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc = 0;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || getsockname(fd, (struct sockaddr *)&a,
								      &alen))
		rc = -errno;
	else
		*port = ntohs(a.sin_port);
	close(fd);
	return rc;
}

int hb_server_find(const char *program, char *path, size_t len)
{
	const char *p = getenv("PATH");

	if (strchr(program, '/')) {
		snprintf(path, len, "%s", program);
		return access(path, X_OK) ? -ENOENT : 0;
	}
	for (p = p ? p : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		if (n && (size_t)snprintf(path, len, "%.*s/%s", (int)n, p, program) < len &&
		    !access(path, X_OK))
			return 0;
		p += n + (p[n] == ':');
	}
	return -ENOENT;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	(void)remove(path);
	return 0;
}

static void rm_tree(const char *dir)
{
	if (dir[0])
		(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Every descriptor from 3 up is closed but keep (-1: none). */
static void close_others(int keep_a, int keep_b)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fd != keep_a && fd != keep_b)
			close(fd);
}

/*
 * The janitor: its own session, no descriptor but the pipe and the server's pidfd. It waits
 * for EOF on the pipe (every writer gone: the cell's child ended, or hb_server_stop let go),
 * then kills the server and its process group and removes the directory. The group is killed
 * only while its number cannot belong to anyone else: the server not yet reaped (the pidfd
 * still signals it), or no process with that pid at all (only the server's orphans can then
 * hold the group).
 */
static void janitor(int rfd, int pidfd, pid_t spid, const char *dir, const char *up)
{
	char b[16], proc[32];
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	int fd;

	setsid();
	/* Out of the cell's cgroup, into the harness's own: a cell stopped at its timeout or
	 * its memory limit is killed cgroup-wide, and the janitor must outlive it to clean up. */
	if (up[0] && (fd = open(up, O_WRONLY | O_CLOEXEC)) >= 0) {
		int n = snprintf(b, sizeof(b), "%d\n", (int)getpid());

		if (write(fd, b, (size_t)n) < 0)
			b[0] = 0; /* it then dies with the cell, as before: nothing else to do */
		close(fd);
	}
	prctl(PR_SET_NAME, "hb-janitor");
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	close_others(rfd, pidfd);
	close(0);
	close(1);
	close(2);
	while (read(rfd, b, sizeof(b)) != 0)
		if (errno != EINTR && errno != EAGAIN)
			break;
	snprintf(proc, sizeof(proc), "/proc/%d", (int)spid);
	if (pidfd >= 0) { /* none for a bare directory (hb_workdir_make) */
		if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) == 0 || access(proc, F_OK))
			kill(-spid, SIGKILL);
		(void)poll(&p, 1, 2000);
	}
	rm_tree(dir);
	_exit(0);
}

/* cgroup.procs of the cell's cgroup's parent (the harness's own), or "" without a cgroup. */
static void cgroup_up(const struct hb_ctx *ctx, char *buf, size_t len)
{
	const char *slash = strrchr(ctx->cg.dir, '/');

	buf[0] = 0;
	if (ctx->cg.dir[0] && slash && slash != ctx->cg.dir)
		snprintf(buf, len, "%.*s/cgroup.procs", (int)(slash - ctx->cg.dir), ctx->cg.dir);
}

/* hb_server_record's recorder and trace for the next start ("" for none). */
static char record_lib[PATH_MAX], record_out[PATH_MAX];

int hb_server_record(struct hb_ctx *ctx, const char *trace, char *err, size_t len)
{
	char cwd[PATH_MAX];

	(void)ctx;
	if (hb_lib_path("libhbrecord.so", record_lib, sizeof(record_lib)) ||
	    access(record_lib, R_OK)) {
		snprintf(err, len, "the recorder %s is missing (make builds it)", record_lib);
		record_lib[0] = 0;
		return -ENOENT;
	}
	if (trace[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		cwd[0] = 0;
	if ((size_t)snprintf(record_out, sizeof(record_out), "%s%s%s", trace[0] == '/' ? "" : cwd,
			     trace[0] == '/' ? "" : "/", trace) >= sizeof(record_out)) {
		snprintf(err, len, "trace path too long");
		record_lib[0] = record_out[0] = 0;
		return -ENAMETOOLONG;
	}
	return 0;
}

/* In the server's child, before its exec: the recorder, as `hugebench record` sets it. */
static void record_env(void)
{
	char buf[2 * PATH_MAX + 2], pid[24];
	const char *pre = getenv("LD_PRELOAD");

	if (!record_lib[0])
		return;
	snprintf(buf, sizeof(buf), "%s%s%s", record_lib, pre && *pre ? ":" : "", pre ? pre : "");
	setenv("LD_PRELOAD", buf, 1);
	setenv("HB_RECORD_OUT", record_out, 1);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("HB_RECORD_PID", pid, 1);
}

/* The server's side of the fork: never returns. Exec errors go back on efd as an errno. */
static void server_child(pid_t parent, const char *path, char *const *argv, const char *dir,
			 int logfd, int efd)
{
	sigset_t all;
	int e, devnull;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	setpgid(0, 0); /* its own group: its forks (a BGSAVE child) go with it */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0 && devnull != 0) {
		dup2(devnull, 0);
		close(devnull);
	}
	dup2(logfd, 1);
	dup2(logfd, 2);
	close_others(efd, -1);
	record_env();
	if (chdir(dir) == 0)
		execv(path, argv);
	e = errno;
	if (write(efd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

static int slot_of(struct hb_ctx *ctx, struct hb_server *s)
{
	for (int i = 0; i < HB_CTX_SERVERS; i++)
		if (ctx->servers[i] == s)
			return i;
	return -1;
}

static int start_janitor(struct hb_ctx *ctx, struct hb_server *s, char *err, size_t len);

static int spawn(struct hb_ctx *ctx, struct hb_server *s, const char *path, char **args,
		 char *err, size_t len)
{
	int efd[2], logfd, e = 0, rc;
	pid_t parent = getpid();
	ssize_t n;

	logfd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (logfd < 0) {
		rc = -errno;
		snprintf(err, len, "cannot create %s: %s", s->log, strerror(errno));
		return rc;
	}
	if (pipe2(efd, O_CLOEXEC)) {
		rc = -errno;
		close(logfd);
		return rc;
	}
	fflush(NULL);
	s->pid = fork();
	if (s->pid == 0)
		server_child(parent, path, args, s->dir, logfd, efd[1]);
	close(efd[1]);
	close(logfd);
	if (s->pid < 0) {
		rc = -errno;
		close(efd[0]);
		snprintf(err, len, "fork: %s", strerror(-rc));
		return rc;
	}
	setpgid(s->pid, s->pid);
	s->pidfd = (int)pidfd_open(s->pid, 0);
	while ((n = read(efd[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(efd[0]);
	if (n == (ssize_t)sizeof(e) || s->pidfd < 0) {
		rc = n == (ssize_t)sizeof(e) ? -e : -errno;
		snprintf(err, len, "%s %s: %s", n == (ssize_t)sizeof(e) ? "exec" : "pidfd_open",
			 path, strerror(-rc));
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
		s->reaped = 1;
		return rc;
	}
	return start_janitor(ctx, s, err, len);
}

/* The janitor of s (its server, when it has one, and its directory). */
static int start_janitor(struct hb_ctx *ctx, struct hb_server *s, char *err, size_t len)
{
	char up[PATH_MAX];
	int jfd[2], rc;

	if (pipe2(jfd, O_CLOEXEC)) {
		rc = -errno;
		snprintf(err, len, "pipe: %s", strerror(-rc));
		return rc;
	}
	cgroup_up(ctx, up, sizeof(up));
	s->janitor = fork();
	if (s->janitor == 0) {
		close(jfd[1]);
		janitor(jfd[0], s->pidfd, s->pid, s->dir, up);
	}
	close(jfd[0]);
	s->janitor_fd = jfd[1];
	if (s->janitor < 0) {
		rc = -errno;
		snprintf(err, len, "fork of the janitor: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

int hb_server_start(struct hb_ctx *ctx, const char *name, const char *const *argv,
		    struct hb_server **out, char *err, size_t len)
{
	char path[PATH_MAX], *args[MAX_ARGS + 1];
	struct hb_server *s;
	int slot = slot_of(ctx, NULL), n, rc;

	*out = NULL;
	for (n = 0; argv[n]; n++)
		if (n == MAX_ARGS) {
			snprintf(err, len, "more than %d arguments", MAX_ARGS);
			return -E2BIG;
		}
	if (slot < 0) {
		snprintf(err, len, "at most %d servers per cell", HB_CTX_SERVERS);
		return -EBUSY;
	}
	if (hb_server_find(argv[0], path, sizeof(path))) {
		snprintf(err, len, "%s not found in PATH", argv[0]);
		return -ENOENT;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->pid = s->janitor = -1;
	s->pidfd = s->janitor_fd = -1;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->dir, sizeof(s->dir), "/tmp/hugebench-%s.XXXXXX", s->name);
	if (!mkdtemp(s->dir)) {
		rc = -errno;
		snprintf(err, len, "mkdtemp %s: %s", s->dir, strerror(errno));
		free(s);
		return rc;
	}
	snprintf(s->log, sizeof(s->log), "%s/%s.log", s->dir, s->name);
	for (int i = 0; i < n; i++)
		args[i] = (char *)(strcmp(argv[i], HB_SERVER_DIR_ARG) ? argv[i] : s->dir);
	args[0] = path;
	args[n] = NULL;
	ctx->servers[slot] = s;
	rc = spawn(ctx, s, path, args, err, len);
	if (rc) {
		hb_server_stop(ctx, s);
		return rc;
	}
	*out = s;
	return 0;
}

int hb_server_pid(const struct hb_server *s)
{
	return (int)s->pid;
}

const char *hb_server_dir(const struct hb_server *s)
{
	return s->dir;
}

static void describe(int status, char *why, size_t len)
{
	if (WIFSIGNALED(status))
		snprintf(why, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(why, len, "exited with status %d", WEXITSTATUS(status));
}

int hb_server_running(struct hb_server *s, char *why, size_t len)
{
	if (!s->reaped && waitpid(s->pid, &s->status, WNOHANG) == s->pid)
		s->reaped = 1;
	if (s->reaped && why)
		describe(s->status, why, len);
	return !s->reaped;
}

int hb_server_smaps(struct hb_server *s, struct hb_smaps *sm)
{
	char path[48];

	if (s->reaped)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)s->pid);
	return hb_smaps_read_rollup(path, sm);
}

void hb_server_log_tail(struct hb_server *s, unsigned max_lines, char *buf, size_t len)
{
	char text[4096], *lines[64];
	unsigned n = 0, first;
	size_t used = 0;
	ssize_t r;
	int fd = open(s->log, O_RDONLY | O_CLOEXEC);
	off_t end;

	buf[0] = 0;
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	(void)lseek(fd, end > (off_t)sizeof(text) - 1 ? end - (off_t)sizeof(text) + 1 : 0,
		    SEEK_SET);
	r = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (r <= 0)
		return;
	text[r] = 0;
	for (char *save = NULL, *l = strtok_r(text, "\r\n", &save); l;
	     l = strtok_r(NULL, "\r\n", &save))
		if (l[strspn(l, " ")] && n < 64)
			lines[n++] = l;
		else if (l[strspn(l, " ")]) {
			memmove(lines, lines + 1, sizeof(lines[0]) * 63);
			lines[63] = l;
		}
	first = n > max_lines ? n - max_lines : 0;
	for (unsigned i = first; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i > first ? " | " : "",
					 lines[i]);
}

/* The server exited (a zombie, not reaped) within ms milliseconds: 1, else 0. */
static int exited_within(struct hb_server *s, int ms)
{
	struct pollfd p = { .fd = s->pidfd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

int hb_server_stop(struct hb_ctx *ctx, struct hb_server *s)
{
	int slot = slot_of(ctx, s), rc = 0;

	if (!s)
		return 0;
	if (s->pid > 0 && !s->reaped) {
		if (exited_within(s, 0))
			rc = -EIO; /* it died on its own */
		else if (pidfd_send_signal(s->pidfd, SIGTERM, NULL, 0) || !exited_within(s, 5000))
			rc = -EIO;
		/* Not reaped yet, so its pid and group are still ours. */
		(void)pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
		kill(-s->pid, SIGKILL);
		while (waitpid(s->pid, &s->status, 0) < 0 && errno == EINTR)
			;
		s->reaped = 1;
	} else if (s->reaped && s->pid > 0) {
		rc = -EIO;
	}
	rm_tree(s->dir);
	if (s->janitor_fd >= 0)
		close(s->janitor_fd); /* the janitor finds nothing left and exits */
	if (s->janitor > 0)
		while (waitpid(s->janitor, NULL, 0) < 0 && errno == EINTR)
			;
	if (s->pidfd >= 0)
		close(s->pidfd);
	if (slot >= 0)
		ctx->servers[slot] = NULL;
	free(s);
	return rc;
}

void hb_ctx_servers_stop(struct hb_ctx *ctx)
{
	for (int i = 0; i < HB_CTX_SERVERS; i++)
		if (ctx->servers[i])
			(void)hb_server_stop(ctx, ctx->servers[i]);
}

const char *hb_ctx_rollup_path(struct hb_ctx *ctx, char *path, size_t len)
{
	for (int i = 0; i < HB_CTX_SERVERS; i++)
		if (ctx->servers[i] && !ctx->servers[i]->reaped) {
			snprintf(path, len, "/proc/%d/smaps_rollup", (int)ctx->servers[i]->pid);
			return path;
		}
	snprintf(path, len, "/proc/self/smaps_rollup");
	return path;
}

int hb_workdir_make(struct hb_ctx *ctx, const char *name, char *dir, size_t len, char *err,
		    size_t errlen)
{
	struct hb_server *s;
	int slot = slot_of(ctx, NULL), rc;

	if (slot < 0) {
		snprintf(err, errlen, "at most %d servers and directories per cell",
			 HB_CTX_SERVERS);
		return -EBUSY;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->pid = s->janitor = -1;
	s->pidfd = s->janitor_fd = -1;
	s->reaped = 1; /* no process: stopping it only removes the directory */
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->dir, sizeof(s->dir), "/tmp/hugebench-%s.XXXXXX", s->name);
	if (!mkdtemp(s->dir)) {
		rc = -errno;
		snprintf(err, errlen, "mkdtemp %s: %s", s->dir, strerror(errno));
		free(s);
		return rc;
	}
	(void)chmod(s->dir, 0755); /* reachable for a program run as another user (postgres) */
	ctx->servers[slot] = s;
	rc = start_janitor(ctx, s, err, errlen);
	if (rc) {
		hb_server_stop(ctx, s);
		return rc;
	}
	snprintf(dir, len, "%s", s->dir);
	return 0;
}

/* 1 when 127.0.0.1:port accepts a connection now. */
static int port_answers(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

/* 1 when the server's log holds text. */
static int log_has(const struct hb_server *s, const char *text)
{
	char buf[8192];
	size_t tl = strlen(text), keep = 0;
	ssize_t r;
	int fd = open(s->log, O_RDONLY | O_CLOEXEC), found = 0;

	if (fd >= 0 && tl >= sizeof(buf) / 2)
		close(fd);
	if (fd < 0 || tl >= sizeof(buf) / 2)
		return 0;
	/* Read in blocks, keeping the last tl bytes so a match across two blocks is seen. */
	while (!found && (r = read(fd, buf + keep, sizeof(buf) - 1 - keep)) > 0) {
		size_t n = keep + (size_t)r;

		buf[n] = 0;
		found = memmem(buf, n, text, tl) != NULL;
		keep = n < tl ? n : tl;
		memmove(buf, buf + n - keep, keep);
	}
	close(fd);
	return found;
}

int hb_server_wait_ready(struct hb_server *s, int port, const char *text, uint64_t timeout_ns,
			 char *err, size_t len)
{
	struct timespec t0, now;
	char why[128], tail[600];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int port_ok = port <= 0 || port_answers(port);
		int text_ok = !text || !text[0] || log_has(s, text);
		uint64_t el;

		if (port_ok && text_ok)
			return 0;
		if (!hb_server_running(s, why, sizeof(why))) {
			hb_server_log_tail(s, 5, tail, sizeof(tail));
			snprintf(err, len, "%s %s before it was ready; its log: %s", s->name, why,
				 tail[0] ? tail : "(empty)");
			return -ESRCH;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		el = (uint64_t)(now.tv_sec - t0.tv_sec) * 1000000000ull +
		     (uint64_t)(now.tv_nsec - t0.tv_nsec);
		if (el >= timeout_ns) {
			hb_server_log_tail(s, 5, tail, sizeof(tail));
			snprintf(err, len, "%s not ready after %.1f s (%s%s%s); its log: %s", s->name,
				 (double)el / 1e9, port_ok ? "" : "port does not answer",
				 !port_ok && !text_ok ? ", " : "",
				 text_ok ? "" : "log line not seen", tail[0] ? tail : "(empty)");
			return -ETIMEDOUT;
		}
		/* A pause while it starts (polled at 20 ms: start-up takes 0.05-5 s). */
		(void)exited_within(s, 20);
	}
}
