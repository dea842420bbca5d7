/*
 * The guardian (guardian.h): a process that outlives the harness just long enough to put the
 * machine back, and the run lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs.h"
#include "guardian.h"
#include "knobs.h"

/* Descriptors only the harness may hold: closed in every child forked after they exist. */
static int guard_wfd = -1, run_lock_fd = -1, state_lock_fd = -1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void close_in_child(void)
{
	if (guard_wfd >= 0)
		close(guard_wfd);
	if (run_lock_fd >= 0)
		close(run_lock_fd);
	if (state_lock_fd >= 0)
		close(state_lock_fd);
	guard_wfd = run_lock_fd = state_lock_fd = -1;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, close_in_child);
}

/* How long the guardian waits for the dead harness's lock on the saved state to go away (a
 * cell's child may still hold a copy while it is being killed). */
#define GUARD_BUSY_TRIES 500
#define GUARD_BUSY_US 10000

static void __attribute__((noreturn)) guardian_main(int rfd, const char *root,
						     const char *state_path)
{
	static struct hb_knobs k;
	static char report[8192];
	ssize_t r;
	char c = 0;
	int rc = 0, fd;

	/* Its own session: a Ctrl-C or hangup of the harness's terminal does not reach it, and
	 * it must not restore while the harness still runs. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "hugebench-guard", 0, 0, 0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	/* Nothing of the harness's but the pipe and stderr: above all not the saved state's
	 * lock, or the restore below would find it held by ourselves. */
	if (rfd != 3) {
		dup2(rfd, 3);
		close(rfd);
	}
	close_range(4, ~0u, 0);
	do
		r = read(3, &c, 1);
	while (r < 0 && errno == EINTR);
	if (r == 1 && c == 'D')
		_exit(0);
	/* EOF: the harness is gone without saying it was done. */
	for (int i = 0; i < GUARD_BUSY_TRIES; i++) {
		hb_knobs_init(&k, root, state_path);
		rc = hb_knobs_recover(&k, report, sizeof(report));
		if (rc != -EBUSY)
			break;
		usleep(GUARD_BUSY_US);
	}
	if (rc == 1)
		fprintf(stderr, "hugebench-guard: the harness died; machine settings put back:\n%s",
			report);
	else if (rc < 0)
		fprintf(stderr,
			"hugebench-guard: could not put every machine setting back (%s)\n%s",
			strerror(-rc), report);
	_exit(rc < 0);
}

void hb_guardian_child_closes(int fd)
{
	pthread_once(&atfork_once, register_atfork);
	state_lock_fd = fd;
}

int hb_guardian_start(struct hb_knobs *k)
{
	int p[2], err;
	pid_t pid;

	if (k->guard_fd >= 0)
		return 0;
	pthread_once(&atfork_once, register_atfork);
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0) {
		close(p[1]);
		guardian_main(p[0], k->root, k->state_path);
	}
	close(p[0]);
	k->guard_fd = guard_wfd = p[1];
	k->guard_pid = pid;
	return 0;
}

void hb_guardian_stop(struct hb_knobs *k)
{
	ssize_t w;

	if (k->guard_fd < 0)
		return;
	do
		w = write(k->guard_fd, "D", 1);
	while (w < 0 && errno == EINTR);
	close(k->guard_fd);
	if (guard_wfd == k->guard_fd)
		guard_wfd = -1;
	k->guard_fd = -1;
	while (waitpid((pid_t)k->guard_pid, NULL, 0) < 0 && errno == EINTR)
		;
	k->guard_pid = 0;
}

static long read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int hb_run_lock_take(const char *state_path, int wait, long *holder, char *path, size_t len)
{
	const char *slash = strrchr(state_path, '/');
	char dir[4096], line[32];
	int fd, n, err;

	*holder = 0;
	n = slash ? (int)(slash - state_path) : 1;
	if (n == 0)
		n = 1;
	if (snprintf(dir, sizeof(dir), "%.*s", n, slash ? state_path : ".") >= (int)sizeof(dir) ||
	    snprintf(path, len, "%s/run.lock", dir) >= (int)len)
		return -ENAMETOOLONG;
	err = hb_mkdir_p(dir, 0755);
	if (err)
		return err;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		err = errno == EWOULDBLOCK ? -EBUSY : -errno;
		*holder = read_pid(fd);
		if (err != -EBUSY || !wait) {
			close(fd);
			return err;
		}
		fprintf(stderr, "hugebench: waiting for the run of hugebench pid %ld to end (%s)\n",
			*holder, path);
		while (flock(fd, LOCK_EX))
			if (errno != EINTR) {
				err = -errno;
				close(fd);
				return err;
			}
	}
	pthread_once(&atfork_once, register_atfork);
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, line, (size_t)n, 0) != n) {
		err = -errno;
		close(fd);
		return err;
	}
	run_lock_fd = fd;
	return fd;
}

void hb_run_lock_release(int fd)
{
	if (fd < 0)
		return;
	if (run_lock_fd == fd)
		run_lock_fd = -1;
	/* The pid goes with the lock: a reader never names a run that has ended. */
	if (ftruncate(fd, 0) < 0) {
		/* the lock goes with the close below all the same */
	}
	close(fd);
}
