/*
 * Reading, setting and putting back the machine-wide knobs hugebench touches. The saved state
 * those changes leave on disk (its file, its lock, recovery after a crash) is knobs_state.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guardian.h"
#include "knobs_impl.h"

/* Sysfs and cgroup knobs are one short line; anything longer is not a knob we can save. */
#define KNOB_READ_MAX 4096

void hb_knobs_report_add(char *report, size_t len, const char *fmt, ...)
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

int hb_knobs_join(char *buf, size_t len, const char *a, const char *b)
{
	int n = snprintf(buf, len, "%s%s", a, b);

	/* Never act on a truncated path: it names some other file. */
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int full_path(const struct hb_knobs *k, const char *path, char *buf, size_t len)
{
	return hb_knobs_join(buf, len, k->root, path);
}

/* Paths end up in the line-based state file, so they may not contain its separators. */
int hb_knobs_valid_path(const char *path)
{
	return path && path[0] == '/' && strnlen(path, PATH_MAX) < PATH_MAX &&
	       !strpbrk(path, "\t\n");
}

int hb_knobs_write_all(int fd, const char *buf, size_t len)
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
int hb_knobs_read_small(int fd, char *buf, size_t len, size_t *got)
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
	k->guard = 0;
	k->guard_fd = -1;
	k->guard_pid = 0;
	k->n = 0;
}

int hb_knob_read(const struct hb_knobs *k, const char *path, char *buf, size_t len)
{
	char full[PATH_MAX], raw[KNOB_READ_MAX];
	const char *s, *e, *lb, *rb;
	size_t n;
	int fd, err;

	if (!buf || !len || !hb_knobs_valid_path(path))
		return -EINVAL;
	err = full_path(k, path, full, sizeof(full));
	if (err)
		return err;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = hb_knobs_read_small(fd, raw, sizeof(raw), &n);
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
	err = hb_knobs_write_all(fd, value, strlen(value));
	if (close(fd) && !err && errno != EINTR)
		err = -errno;
	return err;
}

/* Takes ownership, and before the first save of a guarded run forks its guardian. A guardian
 * that cannot be forked leaves the state file and the next start's recovery. */
static int own(struct hb_knobs *k)
{
	int err = hb_knobs_own(k);

	if (err || !k->guard || k->guard_fd >= 0)
		return err;
	err = hb_guardian_start(k);
	if (err) {
		fprintf(stderr, "hugebench: cannot start the guardian (%s): if this run is killed, "
			"the next hugebench command puts the machine back\n", strerror(-err));
		k->guard = 0;
	}
	return 0;
}

/* undo: the value that puts the knob back, or NULL for "whatever it reads now". */
static int knob_set(struct hb_knobs *k, const char *path, const char *value, const char *undo)
{
	struct hb_knob_saved *s;
	unsigned i;
	int err;

	if (!hb_knobs_valid_path(path) || !value)
		return -EINVAL;
	err = own(k);
	if (err)
		return err;
	for (i = 0; i < k->n; i++)
		if (!k->saved[i].is_dir && !strcmp(k->saved[i].path, path))
			return knob_write(k, path, value);
	if (k->n >= HB_KNOBS_MAX) {
		hb_knobs_disown_if_empty(k);
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
		hb_knobs_disown_if_empty(k);
		return err;
	}
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->is_dir = 0;
	k->n++;
	/* On disk before the knob changes, or a crash in between would lose the old value. */
	err = hb_knobs_state_write(k);
	if (err) {
		k->n--;
		hb_knobs_disown_if_empty(k);
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

	if (!hb_knobs_valid_path(path))
		return -EINVAL;
	err = own(k);
	if (err)
		return err;
	for (i = 0; i < k->n; i++)
		if (k->saved[i].is_dir && !strcmp(k->saved[i].path, path))
			return 0;
	if (k->n >= HB_KNOBS_MAX) {
		hb_knobs_disown_if_empty(k);
		return -ENOSPC;
	}
	s = &k->saved[k->n];
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->value[0] = '\0';
	s->is_dir = 1;
	k->n++;
	err = hb_knobs_state_write(k);
	if (err) {
		k->n--;
		hb_knobs_disown_if_empty(k);
	}
	return err;
}

/* A dead run's cell may still be in its cgroup (a child that outlived the harness): kill it,
 * by cgroup.kill where the kernel has it, else pid by pid from cgroup.procs. */
static void kill_members(const char *dir)
{
	char path[PATH_MAX], buf[KNOB_READ_MAX], *p, *e;
	size_t n;
	int fd;

	if (!hb_knobs_join(path, sizeof(path), dir, "/cgroup.kill")) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			int err = hb_knobs_write_all(fd, "1", 1);

			close(fd);
			if (!err)
				return;
		}
	}
	if (hb_knobs_join(path, sizeof(path), dir, "/cgroup.procs"))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (hb_knobs_read_small(fd, buf, sizeof(buf), &n))
		buf[0] = '\0';
	close(fd);
	for (p = buf; *p; p = e) {
		long pid = strtol(p, &e, 10);

		if (e == p)
			break;
		if (pid > 1)
			kill((pid_t)pid, SIGKILL);
	}
}

/* rmdir of a cgroup: EBUSY while it still has members or (v1) charges drain, so retried for
 * up to 3 s; for a dead run its members are killed first. */
static int cgroup_rmdir(const char *dir, int kill_first)
{
	for (int i = 0;; i++) {
		if (!rmdir(dir) || errno == ENOENT)
			return 0;
		if (errno != EBUSY || i >= 150)
			return -errno;
		if (kill_first)
			kill_members(dir);
		usleep(20000);
	}
}

/* Puts one entry back; 0 when done or when there is nothing left to undo. */
static int put_back_one(const struct hb_knobs *k, const struct hb_knob_saved *s, char *report,
			size_t len, const char *why, int verbose)
{
	char full[PATH_MAX];
	int err;

	if (s->is_dir) {
		err = full_path(k, s->path, full, sizeof(full));
		if (!err)
			err = cgroup_rmdir(full, verbose);
		if (err)
			hb_knobs_report_add(report, len, "could not remove %s%s: %s\n", s->path,
					    why, strerror(-err));
		else if (verbose)
			hb_knobs_report_add(report, len, "removed %s%s\n", s->path, why);
		return err;
	}
	err = knob_write(k, s->path, s->value);
	if (err == -ENOENT) {
		/* A knob that is gone holds no setting of ours: another kernel after a reboot,
		 * or a cgroup file removed along with its directory. */
		hb_knobs_report_add(report, len, "not restoring %s to %s%s: it no longer exists\n",
				    s->path, s->value, why);
		return 0;
	}
	if (err)
		hb_knobs_report_add(report, len, "could not restore %s to %s%s: %s\n", s->path,
				    s->value, why, strerror(-err));
	else if (verbose)
		hb_knobs_report_add(report, len, "restored %s to %s%s\n", s->path, s->value, why);
	return err;
}

/*
 * Puts every saved entry back, newest first (a cgroup made inside another one goes first).
 * dead_pid > 0 means we are recovering for that dead run, and every action is reported;
 * otherwise only the problems are. Entries that fail stay in the state file for the next
 * start's recover to retry; then ownership is released either way.
 */
int hb_knobs_put_back(struct hb_knobs *k, char *report, size_t len, long dead_pid)
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
			hb_knobs_report_add(report, len, "could not remove %s: %s\n", k->state_path,
				   strerror(-err));
			if (!first)
				first = err;
		}
	} else {
		err = hb_knobs_state_write(k);
		if (err)
			hb_knobs_report_add(report, len, "could not update %s: %s\n", k->state_path,
					    strerror(-err));
		hb_knobs_report_add(report, len,
				    "%s still lists what could not be put back; the next "
				    "hugebench start retries it\n",
				    k->state_path);
	}
	hb_knobs_lock_drop(k);
	k->n = 0;
	return first;
}

int hb_knobs_restore(struct hb_knobs *k, char *report, size_t len)
{
	if (report && len)
		report[0] = '\0';
	if (k->state_fd < 0 && k->n == 0)
		return 0;
	return hb_knobs_put_back(k, report, len, 0);
}
