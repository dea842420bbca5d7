/* ctx.h: the copy-on-write child of the cell's process (a database's fork() snapshot). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ctx_impl.h"
#include "smaps.h"

/*
 * The copy-on-write child (a database's fork() snapshot). Two pipes: the child says "done"
 * when fn has returned and then blocks until the parent releases it, so the parent can
 * measure what was copied while the pages are still shared. PR_SET_PDEATHSIG kills the
 * child with the cell's process, whatever ends it (a crash, the harness's SIGKILL on Ctrl-C).
 *
 * The child starts fn only once the parent has timed its fork(): a byte on the go pipe. The
 * child is runnable before the parent's fork() has returned, and a child that at once reads
 * the whole dataset at full speed (forkcow's) made the parent's fork() of 1 GiB on 4 KiB
 * pages 40 ms instead of 27 ms here (a bare program, the child reading or not), a cost the
 * measured fork() of a real snapshot (Redis's child serializes at a fraction of that pace)
 * does not carry. See workloads/forkcow/forkcow.md, "What fork_us measures".
 */
static int cow_reap(struct hb_ctx *ctx, struct hb_cow_child *c);

int hb_cow_fork(struct hb_ctx *ctx, struct hb_cow_child *c, int (*fn)(void *arg), void *arg)
{
	int done[2], go[2];
	pid_t parent = getpid();
	uint64_t t0;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	if (pipe2(done, O_CLOEXEC))
		return -errno;
	if (pipe2(go, O_CLOEXEC)) {
		int rc = -errno;

		close(done[0]);
		close(done[1]);
		return rc;
	}
	t0 = hb_now_ns();
	c->pid = fork();
	c->fork_ns = hb_now_ns() - t0;
	if (c->pid == 0) {
		struct { int32_t rc; uint64_t ns; } msg;
		char b;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		prctl(PR_SET_NAME, "hb-cow-child");
		close(ctx->fd); /* the harness's pipe is the cell's, not ours */
		close(done[0]);
		close(go[1]);
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			; /* the parent has timed fork() (or died: EOF) */
		t0 = hb_now_ns();
		msg.rc = fn(arg);
		msg.ns = hb_now_ns() - t0;
		if (write(done[1], &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			_exit(126);
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(msg.rc ? 1 : 0);
	}
	close(done[1]);
	close(go[0]);
	if (c->pid < 0) {
		int rc = -errno;

		close(done[0]);
		close(go[1]);
		return rc;
	}
	c->done_fd = done[0];
	c->go_fd = go[1];
	if (write(c->go_fd, "s", 1) != 1) { /* start: the fork is timed */
		int rc = -errno;

		kill(c->pid, SIGKILL);
		cow_reap(ctx, c);
		return rc;
	}
	ctx->cow = c;
	return 0;
}

int hb_cow_done(struct hb_cow_child *c)
{
	struct pollfd p = { .fd = c->done_fd, .events = POLLIN };
	struct { int32_t rc; uint64_t ns; } msg = { -1, 0 };
	ssize_t n;

	if (c->done)
		return 1;
	if (poll(&p, 1, 0) <= 0)
		return 0;
	n = read(c->done_fd, &msg, sizeof(msg));
	c->done = 1;
	c->child_ns = msg.ns;
	c->failed = n != (ssize_t)sizeof(msg) || msg.rc; /* EOF: it died before saying so */
	return 1;
}

int hb_cow_wait_done(struct hb_cow_child *c)
{
	struct pollfd p = { .fd = c->done_fd, .events = POLLIN };

	while (!hb_cow_done(c))
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
	return 0;
}

static int cow_reap(struct hb_ctx *ctx, struct hb_cow_child *c)
{
	int status = 0;

	close(c->go_fd);
	close(c->done_fd);
	while (waitpid(c->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (ctx->cow == c)
		ctx->cow = NULL;
	c->pid = -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && !c->failed ? 0 : -EIO;
}

int hb_cow_release(struct hb_ctx *ctx, struct hb_cow_child *c)
{
	hb_cow_wait_done(c);
	return cow_reap(ctx, c); /* closing go_fd lets the child's read return and exit */
}

void hb_cow_kill(struct hb_ctx *ctx, struct hb_cow_child *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	cow_reap(ctx, c);
}
