/*
 * Tests for harness/knobs.c against a fake sysfs tree in a mkdtemp directory. The module is
 * never pointed at the real root: every knob path gets the temp directory as prefix.
 *
 * A regular file is not a sysfs selection file: writing "always" to it leaves "always" in it,
 * which hb_knob_read then returns as is. The tests rely on that to see what was written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "knobs.h"

#define ENABLED "/sys/kernel/mm/transparent_hugepage/enabled"
#define DEFRAG "/sys/kernel/mm/transparent_hugepage/defrag"
#define MTHP64 "/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled"
#define NR2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define CGROOT "/sys/fs/cgroup"
#define CG CGROOT "/hugebench"
#define CG_CELL CG "/cell0"

/* Short, fixed-size names: mkdtemp's template has a known length. */
static char tmpdir[64];
static char root[128];
static char state_dir[128];
static char state[256];
static char lockfile[320];
/* Big (about 270 KiB): static rather than on the stack. */
static struct hb_knobs k;
static char report[8192];

static void xpath(char *buf, const char *path)
{
	int n = snprintf(buf, PATH_MAX, "%s%s", root, path);

	assert_true(n > 0 && n < PATH_MAX);
}

static void mkdirs(const char *dir)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		assert_true(mkdir(tmp, 0700) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_true(mkdir(tmp, 0700) == 0 || errno == EEXIST);
}

/* Writes an absolute file, len bytes of content (so tests can write NUL bytes). */
static void put_raw(const char *file, const char *content, size_t len)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Creates a knob under the fake root, with its parent directories. */
static void put_knob(const char *path, const char *content)
{
	char full[PATH_MAX], dir[PATH_MAX];

	xpath(full, path);
	snprintf(dir, sizeof(dir), "%s", full);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	put_raw(full, content, strlen(content));
}

/* The whole content of an absolute file, or NULL when it does not exist. */
static const char *slurp(const char *file)
{
	static char buf[1 << 18];
	ssize_t n;
	int fd = open(file, O_RDONLY);

	if (fd < 0) {
		assert_int_equal(errno, ENOENT);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static const char *knob_text(const char *path)
{
	char full[PATH_MAX];

	xpath(full, path);
	return slurp(full);
}

static int exists(const char *file)
{
	struct stat st;

	return lstat(file, &st) == 0;
}

static int fake_exists(const char *path)
{
	char full[PATH_MAX];

	xpath(full, path);
	return exists(full);
}

static void assert_knob(const char *path, const char *want)
{
	char buf[64];

	assert_int_equal(hb_knob_read(&k, path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* How many fds are open: the module must not leak any, on success or failure paths. */
static int count_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static int fds_at_setup;

static int setup(void **state_)
{
	(void)state_;
	fds_at_setup = count_fds();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hb-knobs-test.XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(state_dir, sizeof(state_dir), "%s/state/sub", tmpdir);
	snprintf(state, sizeof(state), "%s/knobs.state", state_dir);
	snprintf(lockfile, sizeof(lockfile), "%s.lock", state);

	put_knob(ENABLED, "always [madvise] never\n");
	put_knob(DEFRAG, "always defer defer+madvise [madvise] never\n");
	put_knob(MTHP64, "always inherit madvise [never]\n");
	put_knob(NR2M, "0\n");
	{
		char cg[PATH_MAX];

		xpath(cg, CGROOT);
		mkdirs(cg);
	}
	hb_knobs_init(&k, root, state);
	report[0] = '\0';
	return 0;
}

static int teardown(void **state_)
{
	(void)state_;
	/* Releases the lock if a test failed half-way. */
	hb_knobs_restore(&k, NULL, 0);
	if (nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		return -1;
	if (count_fds() != fds_at_setup) {
		print_error("fd leak: %d open at setup, %d at teardown\n", fds_at_setup,
			    count_fds());
		return -1;
	}
	return 0;
}

static void test_default_state_path(void **state_)
{
	char buf[PATH_MAX];
	const char *old = getenv("HUGEBENCH_STATE_DIR");
	char saved[PATH_MAX] = "";

	(void)state_;
	if (old)
		snprintf(saved, sizeof(saved), "%s", old);
	setenv("HUGEBENCH_STATE_DIR", "/some/where", 1);
	hb_knobs_default_state_path(buf, sizeof(buf));
	assert_string_equal(buf, "/some/where/knobs.state");

	unsetenv("HUGEBENCH_STATE_DIR");
	hb_knobs_default_state_path(buf, sizeof(buf));
	if (access("/run", W_OK) == 0)
		assert_string_equal(buf, "/run/hugebench/knobs.state");
	else
		assert_string_equal(buf, "/var/tmp/hugebench/knobs.state");

	/* NULL state path at init means the default. */
	setenv("HUGEBENCH_STATE_DIR", "/else/where", 1);
	{
		static struct hb_knobs d;

		hb_knobs_init(&d, "", NULL);
		assert_string_equal(d.state_path, "/else/where/knobs.state");
		assert_string_equal(d.root, "");
		assert_int_equal(d.state_fd, -1);
		assert_int_equal(d.n, 0);
	}
	if (old)
		setenv("HUGEBENCH_STATE_DIR", saved, 1);
	else
		unsetenv("HUGEBENCH_STATE_DIR");
}

static void test_read(void **state_)
{
	char buf[64];

	(void)state_;
	assert_knob(ENABLED, "madvise");
	assert_knob(DEFRAG, "madvise");
	assert_knob(MTHP64, "never");
	assert_knob(NR2M, "0");
	put_knob("/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan", "  4096 \n");
	assert_knob("/sys/kernel/mm/transparent_hugepage/khugepaged/pages_to_scan", "4096");

	/* "madvise" needs 8 bytes. */
	assert_int_equal(hb_knob_read(&k, ENABLED, buf, 7), -ERANGE);
	assert_int_equal(hb_knob_read(&k, "/sys/nope", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(hb_knob_read(&k, "sys/relative", buf, sizeof(buf)), -EINVAL);
}

static void test_set_then_restore(void **state_)
{
	char want[256];

	(void)state_;
	assert_false(hb_knobs_dirty(&k));
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), 0);
	assert_string_equal(knob_text(ENABLED), "always");
	assert_knob(ENABLED, "always");
	assert_true(hb_knobs_dirty(&k));
	assert_true(k.state_fd >= 0);
	assert_true(exists(lockfile));

	/* The old selected word, not the whole selection line, is what gets saved. */
	snprintf(want, sizeof(want), "hugebench-knobs v1 pid=%ld\nwrite\t" ENABLED "\tmadvise\n",
		 (long)getpid());
	assert_non_null(slurp(state));
	assert_string_equal(slurp(state), want);

	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_string_equal(report, "");
	assert_knob(ENABLED, "madvise");
	assert_null(slurp(state));
	assert_false(exists(lockfile));
	assert_false(hb_knobs_dirty(&k));
	assert_int_equal(k.state_fd, -1);
}

static void test_set_twice_keeps_first(void **state_)
{
	char want[256];

	(void)state_;
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), 0);
	assert_int_equal(hb_knob_set(&k, ENABLED, "never"), 0);
	assert_knob(ENABLED, "never");
	assert_int_equal(k.n, 1);
	snprintf(want, sizeof(want), "hugebench-knobs v1 pid=%ld\nwrite\t" ENABLED "\tmadvise\n",
		 (long)getpid());
	assert_string_equal(slurp(state), want);

	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_knob(ENABLED, "madvise");
}

/* cgroup v2 subtree_control: "+memory" is undone by "-memory", not by the old word list. */
static void test_set_undo(void **state_)
{
	char want[256];

	(void)state_;
	assert_int_equal(hb_knob_set_undo(&k, ENABLED, "always", "never"), 0);
	assert_knob(ENABLED, "always");
	snprintf(want, sizeof(want), "hugebench-knobs v1 pid=%ld\nwrite\t" ENABLED "\tnever\n",
		 (long)getpid());
	assert_string_equal(slurp(state), want);
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_knob(ENABLED, "never");
	assert_int_equal(hb_knob_set_undo(&k, ENABLED, "always", NULL), -EINVAL);
}

static void test_several_knobs(void **state_)
{
	char want[1024];

	(void)state_;
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), 0);
	assert_int_equal(hb_knob_set(&k, DEFRAG, "never"), 0);
	assert_int_equal(hb_knob_set(&k, MTHP64, "always"), 0);
	assert_int_equal(hb_knob_set(&k, NR2M, "16"), 0);
	assert_knob(NR2M, "16");
	snprintf(want, sizeof(want),
		 "hugebench-knobs v1 pid=%ld\nwrite\t" ENABLED "\tmadvise\nwrite\t" DEFRAG
		 "\tmadvise\nwrite\t" MTHP64 "\tnever\nwrite\t" NR2M "\t0\n",
		 (long)getpid());
	assert_string_equal(slurp(state), want);

	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_knob(ENABLED, "madvise");
	assert_knob(DEFRAG, "madvise");
	assert_knob(MTHP64, "never");
	assert_knob(NR2M, "0");
	assert_null(slurp(state));
}

static void test_set_missing_knob_leaves_nothing(void **state_)
{
	(void)state_;
	assert_int_equal(hb_knob_set(&k, "/sys/kernel/mm/nope", "1"), -ENOENT);
	/* Nothing was saved, so nothing may be held or left on disk. */
	assert_false(hb_knobs_dirty(&k));
	assert_int_equal(k.state_fd, -1);
	assert_null(slurp(state));
	assert_false(exists(lockfile));
	assert_false(fake_exists("/sys/kernel/mm/nope"));
	assert_int_equal(hb_knob_set(&k, "relative", "1"), -EINVAL);
}

static void test_track_dir(void **state_)
{
	char cg[PATH_MAX], cell[PATH_MAX], want[512];

	(void)state_;
	xpath(cg, CG);
	xpath(cell, CG_CELL);
	assert_int_equal(mkdir(cg, 0755), 0);
	assert_int_equal(hb_knob_track_dir(&k, CG), 0);
	assert_int_equal(mkdir(cell, 0755), 0);
	assert_int_equal(hb_knob_track_dir(&k, CG_CELL), 0);
	/* Tracking again records nothing new. */
	assert_int_equal(hb_knob_track_dir(&k, CG), 0);
	assert_int_equal(k.n, 2);
	snprintf(want, sizeof(want), "hugebench-knobs v1 pid=%ld\nrmdir\t" CG "\nrmdir\t" CG_CELL
		 "\n", (long)getpid());
	assert_string_equal(slurp(state), want);

	/* Newest first: the inner cgroup must go before the outer one can. */
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_string_equal(report, "");
	assert_false(exists(cell));
	assert_false(exists(cg));
	assert_true(fake_exists(CGROOT));
	assert_null(slurp(state));
}

static void test_track_dir_already_gone(void **state_)
{
	char cg[PATH_MAX];

	(void)state_;
	xpath(cg, CG);
	assert_int_equal(mkdir(cg, 0755), 0);
	assert_int_equal(hb_knob_track_dir(&k, CG), 0);
	assert_int_equal(rmdir(cg), 0);
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_null(slurp(state));
}

static void test_state_write_failure_leaves_knob_alone(void **state_)
{
	char tmp[400];

	(void)state_;
	/* The temp file the state is written through cannot be created. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", state);
	mkdirs(tmp);
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), -EISDIR);
	/* Without the old value on disk first, the knob must not change. */
	assert_string_equal(knob_text(ENABLED), "always [madvise] never\n");
	assert_false(hb_knobs_dirty(&k));
	assert_int_equal(k.state_fd, -1);
	assert_false(exists(lockfile));
	assert_null(slurp(state));
	assert_int_equal(rmdir(tmp), 0);
}

static void test_vanished_knob_not_recreated(void **state_)
{
	char full[PATH_MAX];

	(void)state_;
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), 0);
	assert_int_equal(hb_knob_set(&k, NR2M, "4"), 0);
	xpath(full, NR2M);
	assert_int_equal(unlink(full), 0);
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_non_null(strstr(report, NR2M));
	assert_non_null(strstr(report, "no longer exists"));
	assert_false(exists(full));
	assert_knob(ENABLED, "madvise");
	assert_null(slurp(state));
}

static void test_restore_idempotent(void **state_)
{
	static struct hb_knobs fresh;

	(void)state_;
	hb_knobs_init(&fresh, root, state);
	assert_int_equal(hb_knobs_restore(&fresh, report, sizeof(report)), 0);

	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), 0);
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_knob(ENABLED, "madvise");
	/* Someone changes it afterwards: a second restore must not touch it any more. */
	put_knob(ENABLED, "never");
	strcpy(report, "stale");
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_string_equal(report, "");
	assert_knob(ENABLED, "never");
	assert_null(slurp(state));
}

static void test_restore_failure_is_kept_for_recover(void **state_)
{
	char full[PATH_MAX];
	static struct hb_knobs next;

	(void)state_;
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), 0);
	assert_int_equal(hb_knob_set(&k, NR2M, "4"), 0);
	/* Make the write-back fail: a directory cannot be opened for writing. */
	xpath(full, ENABLED);
	assert_int_equal(unlink(full), 0);
	assert_int_equal(mkdir(full, 0700), 0);

	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), -EISDIR);
	assert_non_null(strstr(report, "could not restore " ENABLED " to madvise"));
	assert_null(strstr(report, NR2M));
	assert_knob(NR2M, "0"); /* it still tried the others */
	assert_false(hb_knobs_dirty(&k));
	assert_int_equal(k.state_fd, -1);
	assert_false(exists(lockfile));
	/* Only the failed entry stays listed, for the next start to retry. */
	assert_non_null(slurp(state));
	assert_non_null(strstr(slurp(state), "write\t" ENABLED "\tmadvise\n"));
	assert_null(strstr(slurp(state), NR2M));

	assert_int_equal(rmdir(full), 0);
	put_knob(ENABLED, "always");
	hb_knobs_init(&next, root, state);
	assert_int_equal(hb_knobs_recover(&next, report, sizeof(report)), 1);
	assert_knob(ENABLED, "madvise");
	assert_null(slurp(state));
}

/* A child that makes changes and dies without restoring: by _exit or by SIGKILL. */
static pid_t crash_child(int sigkill)
{
	pid_t pid = fork();
	char cg[PATH_MAX];

	assert_true(pid >= 0);
	if (pid == 0) {
		static struct hb_knobs c;

		hb_knobs_init(&c, root, state);
		xpath(cg, CG);
		if (hb_knob_set(&c, ENABLED, "always") || hb_knob_set(&c, NR2M, "8") ||
		    mkdir(cg, 0755) || hb_knob_track_dir(&c, CG))
			_exit(3);
		if (sigkill)
			raise(SIGKILL);
		_exit(0);
	}
	return pid;
}

static void check_recovered(pid_t child)
{
	char line[512];

	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), 1);
	snprintf(line, sizeof(line), "restored " ENABLED " to madvise (left by hugebench pid %ld,"
		 " which is no longer running)\n", (long)child);
	assert_non_null(strstr(report, line));
	assert_non_null(strstr(report, "restored " NR2M " to 0 "));
	assert_non_null(strstr(report, "removed " CG " "));
	assert_knob(ENABLED, "madvise");
	assert_knob(NR2M, "0");
	assert_false(fake_exists(CG));
	assert_null(slurp(state));
	assert_false(exists(lockfile));
	assert_false(hb_knobs_dirty(&k));
	assert_int_equal(k.state_fd, -1);
	/* Done once; nothing left the second time. */
	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), 0);
}

static void test_recover_after_exit(void **state_)
{
	int status;
	pid_t child = crash_child(0);

	(void)state_;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The "crash" really left the machine changed. */
	assert_knob(ENABLED, "always");
	assert_knob(NR2M, "8");
	assert_non_null(slurp(state));
	check_recovered(child);
}

static void test_recover_after_sigkill(void **state_)
{
	int status;
	pid_t child = crash_child(1);

	(void)state_;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_knob(ENABLED, "always");
	check_recovered(child);
}

static void test_recover_nothing(void **state_)
{
	(void)state_;
	strcpy(report, "stale");
	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), 0);
	assert_string_equal(report, "");
	mkdirs(state_dir);
	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), 0);
	assert_false(exists(lockfile));
	/* A state file that lists nothing is just cleared away. */
	put_raw(state, "hugebench-knobs v1 pid=12\n", 26);
	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), 0);
	assert_false(exists(state));
	assert_false(exists(lockfile));
	assert_knob(ENABLED, "madvise");
}

static void test_recover_busy(void **state_)
{
	int p[2], status;
	char c;
	pid_t child;

	(void)state_;
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		static struct hb_knobs c2;

		/* Safety net: never outlive a test that failed before killing us. Minutes: the
		 * test kills it in milliseconds, and on no host may the net go off first. */
		alarm(300);
		hb_knobs_init(&c2, root, state);
		if (hb_knob_set(&c2, ENABLED, "always"))
			_exit(3);
		if (write(p[1], "x", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &c, 1), 1);
	close(p[0]);

	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), -EBUSY);
	assert_knob(ENABLED, "always");
	assert_non_null(slurp(state));
	/* Nor may a second run start changing things under the live one. */
	assert_int_equal(hb_knob_set(&k, DEFRAG, "never"), -EBUSY);
	assert_knob(DEFRAG, "madvise");
	assert_false(hb_knobs_dirty(&k));
	/* A restore by a non-owner has nothing of its own to undo and must not touch theirs. */
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_non_null(slurp(state));
	assert_true(exists(lockfile));
	assert_knob(ENABLED, "always");

	assert_int_equal(kill(child, SIGKILL), 0);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), 1);
	assert_knob(ENABLED, "madvise");
}

#define HUGE_LEN (1 << 20)
#define WITH_NUL "hugebench-knobs v1 pid=12\nwrite\t" ENABLED "\talw\0ays\n"

static void test_recover_corrupt(void **state_)
{
	static char many[HB_KNOBS_MAX * 80 + 128];
	char longval[200];
	size_t off;
	struct {
		const char *text;
		size_t len;
	} bad[] = {
		{ "", 0 },
		{ "garbage\n", 8 },
		{ "\x01\x02\0\x7f", 4 },
		{ "hugebench-knobs v1 pid=\n", 24 },
		{ "hugebench-knobs v1 pid=12x\nwrite\t" ENABLED "\talways\n", 0 },
		{ "hugebench-knobs v2 pid=12\nwrite\t" ENABLED "\talways\n", 0 },
		{ "hugebench-knobs v1 pid=12\nwrite\t" ENABLED "\n", 0 },
		{ "hugebench-knobs v1 pid=12\nwrite\tsys/relative\talways\n", 0 },
		{ "hugebench-knobs v1 pid=12\nfrob\t" ENABLED "\talways\n", 0 },
		{ "hugebench-knobs v1 pid=12\nrmdir\t" CG "\textra\n", 0 },
		/* Torn: no final newline. */
		{ "hugebench-knobs v1 pid=12\nwrite\t" ENABLED "\talways", 0 },
		/* A good entry before a bad one must not be acted on either. */
		{ "hugebench-knobs v1 pid=12\nwrite\t" ENABLED "\talways\nbogus\n", 0 },
		{ WITH_NUL, sizeof(WITH_NUL) - 1 },
		{ NULL, 0 }, /* too long a value, filled in below */
		{ NULL, 0 }, /* too many entries, filled in below */
		{ NULL, 0 }, /* far too big a file, filled in below */
	};
	size_t nbad = sizeof(bad) / sizeof(bad[0]);
	char *longtext, *huge;

	(void)state_;
	memset(longval, 'a', sizeof(longval) - 1);
	longval[sizeof(longval) - 1] = '\0';
	assert_true(asprintf(&longtext, "hugebench-knobs v1 pid=12\nwrite\t" ENABLED "\t%s\n",
			     longval) > 0);
	bad[nbad - 3].text = longtext;
	off = (size_t)snprintf(many, sizeof(many), "hugebench-knobs v1 pid=12\n");
	for (int i = 0; i <= HB_KNOBS_MAX; i++)
		off += (size_t)snprintf(many + off, sizeof(many) - off, "write\t" ENABLED "\tx\n");
	assert_true(off < sizeof(many));
	bad[nbad - 2].text = many;
	/* Valid lines, but more of them than any state file of ours can hold. */
	huge = malloc(HUGE_LEN + 1);
	assert_non_null(huge);
	off = (size_t)snprintf(huge, HUGE_LEN + 1, "hugebench-knobs v1 pid=12\n");
	while (off + 40 < HUGE_LEN)
		off += (size_t)snprintf(huge + off, HUGE_LEN + 1 - off, "rmdir\t/%032d\n", 0);
	bad[nbad - 1].text = huge;

	mkdirs(state_dir);
	for (size_t i = 0; i < nbad; i++) {
		size_t len = bad[i].len ? bad[i].len : strlen(bad[i].text);
		int ret;

		put_raw(state, bad[i].text, len);
		ret = hb_knobs_recover(&k, report, sizeof(report));
		if (ret != -EINVAL)
			print_message("corrupt state file %zu gave %d\n", i, ret);
		assert_int_equal(ret, -EINVAL);
		assert_non_null(strstr(report, state));
		assert_string_equal(knob_text(ENABLED), "always [madvise] never\n");
		assert_false(fake_exists(CG));
		/* The bad file is left for a human, and the lock is not left held. */
		assert_true(exists(state));
		assert_false(exists(lockfile));
		assert_false(hb_knobs_dirty(&k));
		assert_int_equal(k.state_fd, -1);
	}
	free(longtext);
	free(huge);
}

static void test_set_adopts_stale_state(void **state_)
{
	int status;
	pid_t child = crash_child(0);

	(void)state_;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_knob(ENABLED, "always");
	/* No recover first: the original value must still be what is put back in the end, not
	 * the dead run's "always". */
	assert_int_equal(hb_knob_set(&k, ENABLED, "never"), 0);
	assert_non_null(strstr(slurp(state), "write\t" ENABLED "\tmadvise\n"));
	assert_null(strstr(slurp(state), "\talways\n"));
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	assert_knob(ENABLED, "madvise");
	assert_knob(NR2M, "0");
	assert_false(fake_exists(CG));
	assert_null(slurp(state));
}

static void test_insecure_state_dir(void **state_)
{
	char text[256];

	(void)state_;
	mkdirs(state_dir);
	assert_int_equal(chmod(state_dir, 0777), 0);
	assert_int_equal(hb_knob_set(&k, ENABLED, "always"), -EPERM);
	assert_knob(ENABLED, "madvise");
	assert_null(slurp(state));

	/* A state file planted there by someone else is not acted on. */
	snprintf(text, sizeof(text), "hugebench-knobs v1 pid=12\nwrite\t" ENABLED "\tnever\n");
	put_raw(state, text, strlen(text));
	assert_int_equal(hb_knobs_recover(&k, report, sizeof(report)), -EPERM);
	assert_knob(ENABLED, "madvise");
}

static void test_too_many(void **state_)
{
	char path[128];

	(void)state_;
	for (int i = 0; i <= HB_KNOBS_MAX; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mm/fake/knob%d", i);
		put_knob(path, "1\n");
	}
	for (int i = 0; i < HB_KNOBS_MAX; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mm/fake/knob%d", i);
		assert_int_equal(hb_knob_set(&k, path, "2"), 0);
	}
	snprintf(path, sizeof(path), "/sys/kernel/mm/fake/knob%d", HB_KNOBS_MAX);
	assert_int_equal(hb_knob_set(&k, path, "2"), -ENOSPC);
	assert_knob(path, "1");
	/* A knob already saved can still be changed. */
	assert_int_equal(hb_knob_set(&k, "/sys/kernel/mm/fake/knob0", "3"), 0);
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
	for (int i = 0; i < HB_KNOBS_MAX; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/mm/fake/knob%d", i);
		assert_knob(path, "1");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_default_state_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_then_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_twice_keeps_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_knobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_missing_knob_leaves_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_track_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_track_dir_already_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_write_failure_leaves_knob_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vanished_knob_not_recreated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_failure_is_kept_for_recover, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_recover_after_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_after_sigkill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_adopts_stale_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insecure_state_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
