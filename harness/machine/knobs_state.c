/*
 * The saved state of the knobs (knobs.c): a state file that lists what to put back, so that
 * the next start can recover after a crash.
 *
 * Ownership of saved state is a flock on "<state_path>.lock", taken before the first change and
 * held (k->state_fd) until everything is put back. The lock lives in its own file because the
 * state file is replaced by rename, and a lock on the replaced inode would guard nothing. The
 * kernel drops a flock when its holder dies, however it dies, so "a state file exists but its
 * lock is free" means exactly "a hugebench died with changes outstanding": no pid guessing.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "fs.h"
#include "guardian.h"
#include "knobs_impl.h"

#define STATE_MAGIC "hugebench-knobs v1 pid="
/* The largest state file state_write can produce, with room for the header. */
#define STATE_MAX ((size_t)HB_KNOBS_MAX * (PATH_MAX + 80) + 128)

static int lock_path(const struct hb_knobs *k, char *buf, size_t len)
{
	return hb_knobs_join(buf, len, k->state_path, ".lock");
}

void hb_knobs_root_state_path(char *buf, size_t len)
{
	const char *dir = getenv("HUGEBENCH_STATE_DIR");

	if (buf && len)
		snprintf(buf, len, "%s/knobs.state", dir && *dir ? dir : "/run/hugebench");
}

void hb_knobs_default_state_path(char *buf, size_t len)
{
	const char *dir = getenv("HUGEBENCH_STATE_DIR");

	if (!buf || !len)
		return;
	if (dir && *dir)
		snprintf(buf, len, "%s/knobs.state", dir);
	else if (access("/run", W_OK) == 0)
		snprintf(buf, len, "/run/hugebench/knobs.state");
	else
		snprintf(buf, len, "/var/tmp/hugebench/knobs.state");
}

static int state_dir(const struct hb_knobs *k, char *buf, size_t len)
{
	const char *slash = strrchr(k->state_path, '/');
	size_t n;

	if (!slash)
		return hb_knobs_join(buf, len, ".", "");
	n = (size_t)(slash - k->state_path);
	if (n == 0)
		n = 1; /* "/knobs.state" lives in "/" */
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, k->state_path, n);
	buf[n] = '\0';
	return 0;
}

/*
 * A state file tells a later run what to write where, as root. It must therefore sit in a
 * directory only we can write to: /var/tmp is world-writable, and anyone could have made
 * /var/tmp/hugebench before us and planted a state file in it.
 */
static int check_dir_of(const char *dir, int root_too)
{
	struct stat st;

	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_uid != geteuid() && !(root_too && st.st_uid == 0)) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return 0;
}

static int check_dir(const char *dir)
{
	return check_dir_of(dir, 0);
}

/* Takes the lock file; returns its fd, -EBUSY when a live process holds it, or -errno. */
static int lock_take(const char *lpath)
{
	struct stat a, b;
	int fd;

	for (;;) {
		fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			int err = errno == EWOULDBLOCK ? -EBUSY : -errno;

			close(fd);
			return err;
		}
		/* An owner that lets go unlinks the lock file before closing it; if that is the
		 * file we just locked, our lock guards nothing, so try the current one. */
		if (fstat(fd, &a)) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (stat(lpath, &b) == 0) {
			if (a.st_dev == b.st_dev && a.st_ino == b.st_ino)
				return fd;
		} else if (errno != ENOENT) {
			int err = -errno;

			close(fd);
			return err;
		}
		close(fd);
	}
}

void hb_knobs_lock_drop(struct hb_knobs *k)
{
	char lpath[PATH_MAX];

	if (k->state_fd < 0)
		return;
	hb_guardian_child_closes(-1);
	/* Unlink while still holding it: whoever opened it meanwhile sees the inode change. */
	if (!lock_path(k, lpath, sizeof(lpath)))
		unlink(lpath);
	close(k->state_fd);
	k->state_fd = -1;
}

/* Writes k->saved to the state file: temp file, fsync, rename, fsync the directory, so that
 * after a crash the file holds either the old list or the new one, never a torn one. */
int hb_knobs_state_write(struct hb_knobs *k)
{
	char dir[PATH_MAX], tmp[PATH_MAX], line[PATH_MAX + 96];
	unsigned i;
	int fd, err;

	err = state_dir(k, dir, sizeof(dir));
	if (!err)
		err = hb_knobs_join(tmp, sizeof(tmp), k->state_path, ".tmp");
	if (err)
		return err;
	/* Readable by anyone: a command run without root says what a crashed run left. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	snprintf(line, sizeof(line), STATE_MAGIC "%ld\n", (long)getpid());
	err = hb_knobs_write_all(fd, line, strlen(line));
	for (i = 0; i < k->n && !err; i++) {
		const struct hb_knob_saved *s = &k->saved[i];

		if (s->is_dir)
			snprintf(line, sizeof(line), "rmdir\t%s\n", s->path);
		else
			snprintf(line, sizeof(line), "write\t%s\t%s\n", s->path, s->value);
		err = hb_knobs_write_all(fd, line, strlen(line));
	}
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, k->state_path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

/* Copies [s, e) into a NUL-terminated buffer; -EINVAL when it does not fit. */
static int take_field(char *dst, size_t len, const char *s, const char *e)
{
	if ((size_t)(e - s) >= len)
		return -EINVAL;
	memcpy(dst, s, (size_t)(e - s));
	dst[e - s] = '\0';
	return 0;
}

/*
 * Parses a state file into k->saved. Anything that is not exactly what state_write writes is
 * rejected: a damaged file must not make us write half-parsed values as root.
 */
static int state_parse(struct hb_knobs *k, const char *text, size_t n, long *pid)
{
	const char *p = text, *end = text + n, *nl, *t1, *t2, *q;
	unsigned cnt = 0;
	char *pe;

	if (n == 0 || memchr(text, '\0', n) || text[n - 1] != '\n')
		return -EINVAL;
	nl = memchr(p, '\n', (size_t)(end - p));
	if ((size_t)(nl - p) <= strlen(STATE_MAGIC) ||
	    strncmp(p, STATE_MAGIC, strlen(STATE_MAGIC)))
		return -EINVAL;
	for (q = p + strlen(STATE_MAGIC); q < nl; q++)
		if (!isdigit((unsigned char)*q))
			return -EINVAL;
	errno = 0;
	*pid = strtol(p + strlen(STATE_MAGIC), &pe, 10);
	if (errno || pe != nl || *pid <= 0)
		return -EINVAL;

	for (p = nl + 1; p < end; p = nl + 1) {
		struct hb_knob_saved *s;

		if (cnt >= HB_KNOBS_MAX)
			return -EINVAL;
		s = &k->saved[cnt];
		nl = memchr(p, '\n', (size_t)(end - p));
		t1 = memchr(p, '\t', (size_t)(nl - p));
		if (!t1)
			return -EINVAL;
		t2 = memchr(t1 + 1, '\t', (size_t)(nl - t1 - 1));
		if (t1 - p == 5 && !strncmp(p, "rmdir", 5) && !t2) {
			s->is_dir = 1;
			s->value[0] = '\0';
			if (take_field(s->path, sizeof(s->path), t1 + 1, nl))
				return -EINVAL;
		} else if (t1 - p == 5 && !strncmp(p, "write", 5) && t2) {
			s->is_dir = 0;
			if (take_field(s->path, sizeof(s->path), t1 + 1, t2) ||
			    take_field(s->value, sizeof(s->value), t2 + 1, nl) ||
			    strchr(s->value, '\t'))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		if (!hb_knobs_valid_path(s->path))
			return -EINVAL;
		cnt++;
	}
	k->n = cnt;
	return 0;
}

/* Loads the state file into k->saved. -ENOENT when there is none. root_too: a file of root's
 * is accepted too (to describe it, never to act on it). */
static int state_load_of(struct hb_knobs *k, long *pid, int root_too)
{
	struct stat st;
	char *text;
	size_t n;
	int fd, err;

	fd = open(k->state_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != geteuid() && !(root_too && st.st_uid == 0))) {
		close(fd);
		return -EPERM;
	}
	text = malloc(STATE_MAX + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	err = hb_knobs_read_small(fd, text, STATE_MAX + 1, &n);
	close(fd);
	if (err == -EFBIG)
		err = -EINVAL;
	if (!err)
		err = state_parse(k, text, n, pid);
	if (err)
		k->n = 0;
	free(text);
	return err;
}

static int state_load(struct hb_knobs *k, long *pid)
{
	return state_load_of(k, pid, 0);
}

/* Drops ownership when nothing is saved any more, so a failed first change leaves no trace. */
void hb_knobs_disown_if_empty(struct hb_knobs *k)
{
	if (k->n || k->state_fd < 0)
		return;
	unlink(k->state_path);
	hb_knobs_lock_drop(k);
}

/*
 * Becomes the owner of the saved state before the first change. A state file already there
 * was left by a hugebench that died and was never recovered: we take over its entries, since
 * they hold the values from before that run, which are the ones that must be put back.
 */
int hb_knobs_own(struct hb_knobs *k)
{
	char dir[PATH_MAX], lpath[PATH_MAX];
	long pid;
	int fd, err;

	if (k->state_fd >= 0)
		return 0;
	err = lock_path(k, lpath, sizeof(lpath));
	if (!err)
		err = state_dir(k, dir, sizeof(dir));
	if (!err)
		err = hb_mkdir_p(dir, 0755);
	if (!err)
		err = check_dir(dir);
	if (err)
		return err;
	/* Readable by anyone (made 0700 by older versions): see state_write. */
	if (chmod(dir, 0755))
		return -errno;
	fd = lock_take(lpath);
	if (fd < 0)
		return fd;
	k->state_fd = fd;
	hb_guardian_child_closes(fd);
	k->n = 0;
	err = state_load(k, &pid);
	if (err == -ENOENT)
		return 0;
	if (err) {
		hb_knobs_lock_drop(k);
		return err;
	}
	return 0;
}

int hb_knobs_recover(struct hb_knobs *k, char *report, size_t len)
{
	char dir[PATH_MAX], lpath[PATH_MAX];
	struct stat st;
	long pid = 0;
	int fd, err;

	if (report && len)
		report[0] = '\0';
	/* Saved state of our own is ours to restore, not a dead run's. */
	if (k->state_fd >= 0 || k->n)
		return -EBUSY;
	err = lock_path(k, lpath, sizeof(lpath));
	if (err)
		return err;
	if (lstat(k->state_path, &st))
		return errno == ENOENT ? 0 : -errno;
	err = state_dir(k, dir, sizeof(dir));
	if (!err)
		err = check_dir(dir);
	if (err) {
		hb_knobs_report_add(report, len,
				    "not trusting %s: its directory %s is not ours alone "
				    "(%s)\n",
				    k->state_path, dir, strerror(-err));
		return err;
	}
	fd = lock_take(lpath);
	if (fd < 0)
		return fd;
	k->state_fd = fd;
	hb_guardian_child_closes(fd);
	err = state_load(k, &pid);
	if (err == -ENOENT) {
		/* Its owner finished between our look and our lock. */
		hb_knobs_lock_drop(k);
		return 0;
	}
	if (err) {
		hb_knobs_lock_drop(k);
		hb_knobs_report_add(report, len,
				    "%s is not a valid hugebench state file (%s); check the "
				    "THP and hugetlb settings, then remove it by hand\n",
				    k->state_path, strerror(-err));
		return err;
	}
	if (k->n == 0) {
		unlink(k->state_path);
		hb_knobs_lock_drop(k);
		return 0;
	}
	err = hb_knobs_put_back(k, report, len, pid);
	return err ? err : 1;
}

int hb_knobs_peek(struct hb_knobs *k, long *pid)
{
	char dir[PATH_MAX];
	int err;

	*pid = 0;
	k->n = 0;
	err = state_dir(k, dir, sizeof(dir));
	if (!err)
		err = check_dir_of(dir, 1);
	if (err)
		return err == -ENOENT ? 0 : err;
	err = state_load_of(k, pid, 1);
	if (err)
		return err == -ENOENT ? 0 : err;
	/* The file names the run that wrote it last; a live one is no crash. Without its lock
	 * (root's alone) a signal 0 tells: ESRCH is gone, EPERM is someone else's live process. */
	if (kill((pid_t)*pid, 0) == 0 || errno == EPERM) {
		k->n = 0;
		return -EBUSY;
	}
	return k->n ? 1 : 0;
}
