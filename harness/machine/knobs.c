/*
 * Saving and putting back the machine-wide knobs hugebench touches.
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "knobs.h"

/* Sysfs and cgroup knobs are one short line; anything longer is not a knob we can save. */
#define KNOB_READ_MAX 4096
#define STATE_MAGIC "hugebench-knobs v1 pid="
/* The largest state file state_write can produce, with room for the header. */
#define STATE_MAX ((size_t)HB_KNOBS_MAX * (PATH_MAX + 80) + 128)

static void report_add(char *report, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report_add(char *report, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	if (!report || !len)
		return;
	used = strnlen(report, len);
	if (used >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(report + used, len - used, fmt, ap);
	va_end(ap);
}

static int join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s%s", a, b);

	/* Never act on a truncated path: it names some other file. */
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int full_path(const struct hb_knobs *k, const char *path, char *buf, size_t len)
{
	return join(buf, len, k->root, path);
}

static int lock_path(const struct hb_knobs *k, char *buf, size_t len)
{
	return join(buf, len, k->state_path, ".lock");
}

/* Paths end up in the line-based state file, so they may not contain its separators. */
static int valid_path(const char *path)
{
	return path && path[0] == '/' && strnlen(path, PATH_MAX) < PATH_MAX &&
	       !strpbrk(path, "\t\n");
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads a whole small file and NUL-terminates it; -EFBIG when it does not fit in buf. */
static int read_small(int fd, char *buf, size_t len, size_t *got)
{
	size_t n = 0;
	ssize_t r;
	char extra;

	while (n < len - 1) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n == len - 1) {
		do
			r = read(fd, &extra, 1);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return -errno;
		if (r > 0)
			return -EFBIG;
	}
	buf[n] = '\0';
	*got = n;
	return 0;
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

void hb_knobs_init(struct hb_knobs *k, const char *root, const char *state_path)
{
	/*
	 * An over-long root or state path is truncated to PATH_MAX - 1 characters here; every
	 * path built from it then fails with -ENAMETOOLONG, so a truncated name is never used.
	 */
	snprintf(k->root, sizeof(k->root), "%s", root ? root : "");
	if (state_path)
		snprintf(k->state_path, sizeof(k->state_path), "%s", state_path);
	else
		hb_knobs_default_state_path(k->state_path, sizeof(k->state_path));
	k->state_fd = -1;
	k->n = 0;
}

int hb_knob_read(const struct hb_knobs *k, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX], raw[KNOB_READ_MAX];
	const char *s, *e, *lb, *rb;
	size_t n;
	int fd, err;

	if (!buf || !len || !valid_path(path))
		return -EINVAL;
	err = full_path(k, path, full, sizeof(full));
	if (err)
		return err;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = read_small(fd, raw, sizeof(raw), &n);
	close(fd);
	if (err)
		return err;
	if (strlen(raw) != n)
		return -EINVAL; /* binary content is not a knob */

	s = raw;
	e = raw + n;
	/* "always [madvise] never": the kernel brackets the active choice, and that word alone
	 * is what has to be written back to restore it. */
	lb = strchr(raw, '[');
	rb = lb ? strchr(lb + 1, ']') : NULL;
	if (rb && rb > lb + 1) {
		s = lb + 1;
		e = rb;
	}
	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if ((size_t)(e - s) >= len)
		return -ERANGE;
	memcpy(buf, s, (size_t)(e - s));
	buf[e - s] = '\0';
	return 0;
}

static int knob_write(const struct hb_knobs *k, const char *path, const char *value)
{
	char full[PATH_MAX];
	int fd, err;

	err = full_path(k, path, full, sizeof(full));
	if (err)
		return err;
	/* No O_CREAT: a missing knob must fail, not appear as a new file. O_TRUNC is what a
	 * shell's ">" does; sysfs ignores it, and a plain file (the tests) needs it. */
	fd = open(full, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = write_all(fd, value, strlen(value));
	if (close(fd) && !err && errno != EINTR)
		err = -errno;
	return err;
}

static int state_dir(const struct hb_knobs *k, char *buf, size_t len)
{
	const char *slash = strrchr(k->state_path, '/');
	size_t n;

	if (!slash)
		return join(buf, len, ".", "");
	n = (size_t)(slash - k->state_path);
	if (n == 0)
		n = 1; /* "/knobs.state" lives in "/" */
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, k->state_path, n);
	buf[n] = '\0';
	return 0;
}

static int mkdir_p(const char *dir)
{
	char tmp[PATH_MAX];
	char *p;
	int err = join(tmp, sizeof(tmp), dir, "");

	if (err)
		return err;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * A state file tells a later run what to write where, as root. It must therefore sit in a
 * directory only we can write to: /var/tmp is world-writable, and anyone could have made
 * /var/tmp/hugebench before us and planted a state file in it.
 */
static int check_dir(const char *dir)
{
	struct stat st;

	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	return 0;
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

static void lock_drop(struct hb_knobs *k)
{
	char lpath[PATH_MAX];

	if (k->state_fd < 0)
		return;
	/* Unlink while still holding it: whoever opened it meanwhile sees the inode change. */
	if (!lock_path(k, lpath, sizeof(lpath)))
		unlink(lpath);
	close(k->state_fd);
	k->state_fd = -1;
}

/* Writes k->saved to the state file: temp file, fsync, rename, fsync the directory, so that
 * after a crash the file holds either the old list or the new one, never a torn one. */
static int state_write(struct hb_knobs *k)
{
	char dir[PATH_MAX], tmp[PATH_MAX], line[PATH_MAX + 96];
	unsigned i;
	int fd, err;

	err = state_dir(k, dir, sizeof(dir));
	if (!err)
		err = join(tmp, sizeof(tmp), k->state_path, ".tmp");
	if (err)
		return err;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	snprintf(line, sizeof(line), STATE_MAGIC "%ld\n", (long)getpid());
	err = write_all(fd, line, strlen(line));
	for (i = 0; i < k->n && !err; i++) {
		const struct hb_knob_saved *s = &k->saved[i];

		if (s->is_dir)
			snprintf(line, sizeof(line), "rmdir\t%s\n", s->path);
		else
			snprintf(line, sizeof(line), "write\t%s\t%s\n", s->path, s->value);
		err = write_all(fd, line, strlen(line));
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
		if (!valid_path(s->path))
			return -EINVAL;
		cnt++;
	}
	k->n = cnt;
	return 0;
}

/* Loads the state file into k->saved. -ENOENT when there is none. */
static int state_load(struct hb_knobs *k, long *pid)
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
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	text = malloc(STATE_MAX + 1);
	if (!text) {
		close(fd);
		return -ENOMEM;
	}
	err = read_small(fd, text, STATE_MAX + 1, &n);
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

/* Drops ownership when nothing is saved any more, so a failed first change leaves no trace. */
static void disown_if_empty(struct hb_knobs *k)
{
	if (k->n || k->state_fd < 0)
		return;
	unlink(k->state_path);
	lock_drop(k);
}

/*
 * Becomes the owner of the saved state before the first change. A state file already there
 * was left by a hugebench that died and was never recovered: we take over its entries, since
 * they hold the values from before that run, which are the ones that must be put back.
 */
static int own(struct hb_knobs *k)
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
		err = mkdir_p(dir);
	if (!err)
		err = check_dir(dir);
	if (err)
		return err;
	fd = lock_take(lpath);
	if (fd < 0)
		return fd;
	k->state_fd = fd;
	k->n = 0;
	err = state_load(k, &pid);
	if (err == -ENOENT)
		return 0;
	if (err) {
		lock_drop(k);
		return err;
	}
	return 0;
}

/* undo: the value that puts the knob back, or NULL for "whatever it reads now". */
static int knob_set(struct hb_knobs *k, const char *path, const char *value, const char *undo)
{
	struct hb_knob_saved *s;
	unsigned i;
	int err;

	if (!valid_path(path) || !value)
		return -EINVAL;
	err = own(k);
	if (err)
		return err;
	for (i = 0; i < k->n; i++)
		if (!k->saved[i].is_dir && !strcmp(k->saved[i].path, path))
			return knob_write(k, path, value);
	if (k->n >= HB_KNOBS_MAX) {
		disown_if_empty(k);
		return -ENOSPC;
	}
	s = &k->saved[k->n];
	if (undo)
		err = snprintf(s->value, sizeof(s->value), "%s", undo) >= (int)sizeof(s->value) ?
			      -ERANGE : 0;
	else
		err = hb_knob_read(k, path, s->value, sizeof(s->value));
	/* A multi-line value cannot be written back in one go, nor stored in one line. */
	if (!err && strpbrk(s->value, "\t\n"))
		err = -EINVAL;
	if (err) {
		disown_if_empty(k);
		return err;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->is_dir = 0;
	k->n++;
	/* On disk before the knob changes, or a crash in between would lose the old value. */
	err = state_write(k);
	if (err) {
		k->n--;
		disown_if_empty(k);
		return err;
	}
	return knob_write(k, path, value);
}

int hb_knob_set(struct hb_knobs *k, const char *path, const char *value)
{
	return knob_set(k, path, value, NULL);
}

int hb_knob_set_undo(struct hb_knobs *k, const char *path, const char *value, const char *undo)
{
	if (!undo)
		return -EINVAL;
	return knob_set(k, path, value, undo);
}

int hb_knob_track_dir(struct hb_knobs *k, const char *path)
{
	struct hb_knob_saved *s;
	unsigned i;
	int err;

	if (!valid_path(path))
		return -EINVAL;
	err = own(k);
	if (err)
		return err;
	for (i = 0; i < k->n; i++)
		if (k->saved[i].is_dir && !strcmp(k->saved[i].path, path))
			return 0;
	if (k->n >= HB_KNOBS_MAX) {
		disown_if_empty(k);
		return -ENOSPC;
	}
	s = &k->saved[k->n];
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->value[0] = '\0';
	s->is_dir = 1;
	k->n++;
	err = state_write(k);
	if (err) {
		k->n--;
		disown_if_empty(k);
	}
	return err;
}

/* Puts one entry back; 0 when done or when there is nothing left to undo. */
static int put_back_one(const struct hb_knobs *k, const struct hb_knob_saved *s, char *report,
			size_t len, const char *why, int verbose)
{
	char full[PATH_MAX];
	int err;

	if (s->is_dir) {
		err = full_path(k, s->path, full, sizeof(full));
		if (!err && rmdir(full) && errno != ENOENT)
			err = -errno;
		if (err)
			report_add(report, len, "could not remove %s%s: %s\n", s->path, why,
				   strerror(-err));
		else if (verbose)
			report_add(report, len, "removed %s%s\n", s->path, why);
		return err;
	}
	err = knob_write(k, s->path, s->value);
	if (err == -ENOENT) {
		/* A knob that is gone holds no setting of ours: another kernel after a reboot,
		 * or a cgroup file removed along with its directory. */
		report_add(report, len, "not restoring %s to %s%s: it no longer exists\n", s->path,
			   s->value, why);
		return 0;
	}
	if (err)
		report_add(report, len, "could not restore %s to %s%s: %s\n", s->path, s->value,
			   why, strerror(-err));
	else if (verbose)
		report_add(report, len, "restored %s to %s%s\n", s->path, s->value, why);
	return err;
}

/*
 * Puts every saved entry back, newest first (a cgroup made inside another one goes first).
 * dead_pid > 0 means we are recovering for that dead run, and every action is reported;
 * otherwise only the problems are. Entries that fail stay in the state file for the next
 * start's recover to retry; then ownership is released either way.
 */
static int put_back(struct hb_knobs *k, char *report, size_t len, long dead_pid)
{
	char why[96] = "";
	int keep[HB_KNOBS_MAX] = { 0 };
	unsigned i, j;
	int err, first = 0;

	if (dead_pid > 0)
		snprintf(why, sizeof(why),
			 " (left by hugebench pid %ld, which is no longer running)", dead_pid);
	for (i = k->n; i-- > 0;) {
		err = put_back_one(k, &k->saved[i], report, len, why, dead_pid > 0);
		if (err) {
			keep[i] = 1;
			if (!first)
				first = err;
		}
	}
	for (i = 0, j = 0; i < k->n; i++)
		if (keep[i])
			k->saved[j++] = k->saved[i];
	k->n = j;
	if (k->n == 0) {
		if (unlink(k->state_path) && errno != ENOENT) {
			err = -errno;
			report_add(report, len, "could not remove %s: %s\n", k->state_path,
				   strerror(-err));
			if (!first)
				first = err;
		}
	} else {
		err = state_write(k);
		if (err)
			report_add(report, len, "could not update %s: %s\n", k->state_path,
				   strerror(-err));
		report_add(report, len, "%s still lists what could not be put back; the next "
			   "hugebench start retries it\n", k->state_path);
	}
	lock_drop(k);
	k->n = 0;
	return first;
}

int hb_knobs_restore(struct hb_knobs *k, char *report, size_t len)
{
	if (report && len)
		report[0] = '\0';
	if (k->state_fd < 0 && k->n == 0)
		return 0;
	return put_back(k, report, len, 0);
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
		report_add(report, len, "not trusting %s: its directory %s is not ours alone "
			   "(%s)\n", k->state_path, dir, strerror(-err));
		return err;
	}
	fd = lock_take(lpath);
	if (fd < 0)
		return fd;
	k->state_fd = fd;
	err = state_load(k, &pid);
	if (err == -ENOENT) {
		/* Its owner finished between our look and our lock. */
		lock_drop(k);
		return 0;
	}
	if (err) {
		lock_drop(k);
		report_add(report, len, "%s is not a valid hugebench state file (%s); check the "
			   "THP and hugetlb settings, then remove it by hand\n", k->state_path,
			   strerror(-err));
		return err;
	}
	if (k->n == 0) {
		unlink(k->state_path);
		lock_drop(k);
		return 0;
	}
	err = put_back(k, report, len, pid);
	return err ? err : 1;
}
