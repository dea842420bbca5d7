/*
 * Tests for harness/machine/guardian.c against a fake sysfs tree in a mkdtemp directory: the
 * guardian puts a knob back when its harness dies (even with a long-lived child of the harness
 * still running), not while the harness lives (SIGTERM/SIGINT to it change nothing), and
 * just exits after a normal restore; the run lock refuses a second holder naming the first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guardian.h"
#include "knobs.h"

#define ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
/* The bound of a wait for an event, only so that a broken build cannot hang the test. How fast
 * the guardian restores is a figure to measure and quote (printed below), not a bound a unit
 * test may assert: on a loaded or slower host a 1 s bound failed (fresh-debian-check, 2026-12-03). */
#define WAIT_MAX_S 300

static char tmpdir[64], root[128], state[256], knob[256];
static struct hb_knobs k;

static void put(const char *file, const char *s)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(close(fd), 0);
}

static void get(const char *file, char *buf, size_t len)
{
	int fd = open(file, O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Polls the fake knob every 10 ms until it reads want or timeout_s passes; the time taken,
 * or -1 on timeout. */
static double wait_knob(const char *want, double timeout_s)
{
	double t0 = now_s();
	char buf[64];

	do {
		get(knob, buf, sizeof(buf));
		if (!strcmp(buf, want))
			return now_s() - t0;
		usleep(10000);
	} while (now_s() - t0 < timeout_s);
	return -1;
}

/* Until no signal waits for pid any more (each one ignored, handled or fatal) or it is a
 * zombie: what the signals sent to it were going to do, it has done. */
static void signals_delivered(pid_t pid)
{
	char path[64], buf[4096];
	double t0 = now_s();

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	for (;;) {
		int pending = 0, zombie = 0;

		get(path, buf, sizeof(buf));
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
			if (!strncmp(l, "State:", 6))
				zombie = strchr(l, 'Z') != NULL;
			if (!strncmp(l, "SigPnd:", 7) || !strncmp(l, "ShdPnd:", 7))
				pending |= l[7 + strspn(l + 7, "\t 0")] != '\0';
		}
		if (!pending || zombie)
			return;
		assert_true(now_s() - t0 < WAIT_MAX_S);
		usleep(10000);
	}
}

/* A child that lives until the test kills it; the alarm only so that it cannot outlive a test
 * that failed first. */
static _Noreturn void live_until_killed(void)
{
	alarm(WAIT_MAX_S);
	for (;;)
		pause();
}

static int setup(void **state_)
{
	char dir[256];

	(void)state_;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hb-guard-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(dir, sizeof(dir), "%s/sys/kernel/mm/transparent_hugepage", root);
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	assert_true(mkdir(dir, 0700) == 0 || errno == EEXIST);
	snprintf(knob, sizeof(knob), "%s%s", root, ENABLED);
	put(knob, "always [madvise] never\n");
	snprintf(state, sizeof(state), "%s/state/knobs.state", tmpdir);
	hb_knobs_init(&k, root, state);
	k.guard = 1;
	return 0;
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

static int teardown(void **state_)
{
	(void)state_;
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* The harness (a child here) writes the knob, forks a child that lives on, and dies without
 * restoring. The guardian must put the knob back at once: the long-lived child does
 * not hold its pipe. */
static void test_harness_death(void **state_)
{
	int p[2];
	pid_t h, kid = 0;
	double t;

	(void)state_;
	assert_int_equal(pipe(p), 0);
	h = fork();
	assert_true(h >= 0);
	if (h == 0) {
		pid_t c;

		close(p[0]);
		if (hb_knob_set(&k, ENABLED, "always") || k.guard_pid <= 0)
			_exit(2);
		c = fork();
		if (c == 0)
			live_until_killed();
		if (write(p[1], &c, sizeof(c)) != sizeof(c))
			_exit(3);
		_exit(0); /* dies holding saved state, as a SIGKILL would leave it */
	}
	close(p[1]);
	assert_int_equal(read(p[0], &kid, sizeof(kid)), (ssize_t)sizeof(kid));
	close(p[0]);
	waitpid(h, NULL, 0);
	t = wait_knob("madvise", WAIT_MAX_S);
	print_message("guardian restored %.0f ms after the harness died\n", t * 1000);
	assert_true(kill(kid, 0) == 0); /* the long-lived child is still there */
	kill(kid, SIGKILL);
	assert_true(t >= 0);
	assert_int_equal(access(state, F_OK), -1);
}

/* SIGINT, SIGTERM and SIGHUP to the guardian while the harness lives: it restores nothing;
 * then the harness restores and stops it, and it exits without touching anything. */
static void test_signals_and_normal_exit(void **state_)
{
	char buf[64];
	int status = 0;
	pid_t g;

	(void)state_;
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), 0);
	g = (pid_t)k.guard_pid;
	assert_true(g > 0);
	assert_int_equal(kill(g, SIGINT), 0);
	assert_int_equal(kill(g, SIGTERM), 0);
	assert_int_equal(kill(g, SIGHUP), 0);
	signals_delivered(g);
	assert_int_equal(waitpid(g, &status, WNOHANG), 0); /* still running */
	get(knob, buf, sizeof(buf));
	assert_string_equal(buf, "always");
	assert_int_equal(hb_knobs_restore(&k, NULL, 0), 0);
	/* A later cell of the same run: the same guardian, no second one. */
	assert_int_equal(hb_knob_set(&k, ENABLED, "never"), 0);
	assert_int_equal(k.guard_pid, g);
	assert_int_equal(hb_knobs_restore(&k, NULL, 0), 0);
	hb_guardian_stop(&k);
	assert_int_equal(k.guard_fd, -1);
	assert_true(kill(g, 0) == -1 && errno == ESRCH); /* reaped */
	get(knob, buf, sizeof(buf));
	assert_string_equal(buf, "madvise");
}

static void test_run_lock(void **state_)
{
	char path[512];
	long holder = -1;
	int p[2], fd;
	pid_t c;
	char ok;

	(void)state_;
	assert_int_equal(pipe(p), 0);
	c = fork();
	assert_true(c >= 0);
	if (c == 0) {
		long h;

		close(p[0]);
		fd = hb_run_lock_take(state, 0, &h, path, sizeof(path));
		if (write(p[1], "x", 1) != 1 || fd < 0)
			_exit(1);
		live_until_killed();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &ok, 1), 1);
	close(p[0]);
	assert_int_equal(hb_run_lock_take(state, 0, &holder, path, sizeof(path)), -EBUSY);
	assert_int_equal(holder, (long)c);
	assert_non_null(strstr(path, "/state/run.lock"));
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	fd = hb_run_lock_take(state, 0, &holder, path, sizeof(path));
	assert_true(fd >= 0);
	hb_run_lock_release(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_harness_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_and_normal_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_lock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
