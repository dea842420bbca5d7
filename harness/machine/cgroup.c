/*
 * The charged view of memory: one memory cgroup per cell, made under the harness's own
 * cgroup. cgroup v1 (memory controller mounted on its own) is preferred when present: on a
 * hybrid machine the v2 tree then has no memory controller at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "readfile.h"
#include "knobs.h"

static void why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static int path_fmt(char *out, size_t len, const char *a, const char *b)
{
	int n = snprintf(out, len, "%s%s", a, b);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}


/* cgroupfs reports a refused value at write() time, so its errno is the one that matters. */
static int write_small(const char *path, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;
	int err = 0, fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

static int cg_file(const struct hb_cgroup *cg, const char *file, char *out, size_t len)
{
	int n;

	if (!cg->dir[0])
		return -EINVAL;
	n = snprintf(out, len, "%s/%s", cg->dir, file);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* True when "word" is one of the sep-separated items of list. */
static int has_word(const char *list, const char *word, char sep)
{
	size_t wl = strlen(word);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, sep);
		size_t l = end ? (size_t)(end - p) : strlen(p);

		if (l == wl && !strncmp(p, word, wl))
			return 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* mountinfo escapes blanks and backslashes in paths as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/*
 * Finds a mount of the wanted hierarchy whose root contains our cgroup "rel" and fills
 * self->mount, self->rel (relative to that mount) and self->dir. A container may bind-mount
 * only a subtree (mount root not "/"), which is why the mount root is matched, not assumed.
 */
static int find_mount(FILE *f, int v1, const char *rel, struct hb_cgroup_self *self)
{
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	while (!found && getline(&line, &cap, f) > 0) {
		char *fld[64], *save = NULL, *tok;
		int n = 0, sep = -1;

		line[strcspn(line, "\n")] = '\0';
		tok = strtok_r(line, " ", &save);
		for (; tok && n < 64; tok = strtok_r(NULL, " ", &save))
			fld[n++] = tok;
		for (int i = 6; i < n; i++) {
			if (!strcmp(fld[i], "-")) {
				sep = i;
				break;
			}
		}
		if (sep < 0 || sep + 1 >= n)
			continue;
		if (v1 ? strcmp(fld[sep + 1], "cgroup") ||
				 !(sep + 3 < n && has_word(fld[sep + 3], "memory", ','))
		       : strcmp(fld[sep + 1], "cgroup2"))
			continue;

		char *root = fld[3], *mnt = fld[4];
		const char *sub = rel;
		size_t rl;

		unescape_octal(root);
		unescape_octal(mnt);
		rl = strlen(root);
		if (strcmp(root, "/")) {
			if (strncmp(rel, root, rl) || (rel[rl] != '/' && rel[rl] != '\0'))
				continue;
			sub = rel[rl] ? rel + rl : "/";
		}
		if (strlen(mnt) >= sizeof(self->mount) || strlen(sub) >= sizeof(self->rel))
			continue;
		strcpy(self->mount, mnt);
		strcpy(self->rel, sub);
		if (path_fmt(self->dir, sizeof(self->dir), mnt, strcmp(sub, "/") ? sub : "") < 0)
			continue;
		self->version = v1 ? 1 : 2;
		found = 1;
	}
	free(line);
	return found;
}

int hb_cgroup_self(struct hb_cgroup_self *self, const char *proc_root, char *why, size_t len)
{
	return hb_cgroup_of(self, proc_root, 0, why, len);
}

int hb_cgroup_of(struct hb_cgroup_self *self, const char *proc_root, int pid, char *why,
		 size_t len)
{
	char path[PATH_MAX], v1rel[PATH_MAX] = "", v2rel[PATH_MAX] = "", own[48];
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int err;

	memset(self, 0, sizeof(*self));
	if (!proc_root)
		proc_root = "";
	if (pid)
		snprintf(own, sizeof(own), "/proc/%d/cgroup", pid);
	else
		snprintf(own, sizeof(own), "/proc/self/cgroup");
	if ((err = path_fmt(path, sizeof(path), proc_root, own)) < 0)
		return err;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		why_set(why, len, "cannot read %s: %s", path, strerror(-err));
		return err;
	}
	while (getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		line[strcspn(line, "\n")] = '\0';
		*c2 = '\0';
		/* v1: "N:ctrl,ctrl:/path"; v2: "0::/path" */
		if (c1 == line + 1 && line[0] == '0' && c2 == c1 + 1)
			snprintf(v2rel, sizeof(v2rel), "%s", c2 + 1);
		else if (has_word(c1 + 1, "memory", ','))
			snprintf(v1rel, sizeof(v1rel), "%s", c2 + 1);
	}
	free(line);
	fclose(f);

	if ((err = path_fmt(path, sizeof(path), proc_root, "/proc/self/mountinfo")) < 0)
		return err;
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		why_set(why, len, "cannot read %s: %s", path, strerror(-err));
		return err;
	}
	if (v1rel[0] && find_mount(f, 1, v1rel, self)) {
		fclose(f);
		return 0;
	}
	rewind(f);
	if (v2rel[0] && find_mount(f, 0, v2rel, self)) {
		char ctl[256], cpath[PATH_MAX];

		fclose(f);
		/* A hybrid machine mounts cgroup2 with no controllers bound to it. */
		if (!path_fmt(cpath, sizeof(cpath), proc_root, self->mount) &&
		    strlen(cpath) + sizeof("/cgroup.controllers") <= sizeof(cpath)) {
			strcat(cpath, "/cgroup.controllers");
			if (!hb_read_text(cpath, ctl, sizeof(ctl)) && !has_word(ctl, "memory", ' ')) {
				why_set(why, len,
					"cgroup v2 at %s has no memory controller "
					"(cgroup.controllers: \"%s\") and no cgroup v1 memory "
					"hierarchy is mounted",
					self->mount, ctl);
				memset(self, 0, sizeof(*self));
				return -ENOENT;
			}
		}
		return 0;
	}
	fclose(f);
	memset(self, 0, sizeof(*self));
	if (v1rel[0] || v2rel[0])
		why_set(why, len, "our cgroup (%s) is under no mounted memory controller",
			v1rel[0] ? v1rel : v2rel);
	else
		why_set(why, len, "no memory controller in %s%s", proc_root, own);
	return -ENOENT;
}

/* v2 lets children use the memory controller only when our cgroup's subtree_control says so. */
static int v2_enable_memory(struct hb_knobs *k, const struct hb_cgroup_self *self, char *why,
			    size_t len)
{
	const char *root = k->root;
	char path[PATH_MAX], buf[256];
	int err;

	if (snprintf(path, sizeof(path), "%s%s/cgroup.controllers", root, self->dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if (!hb_read_text(path, buf, sizeof(buf)) && !has_word(buf, "memory", ' ')) {
		why_set(why, len,
			"the memory controller is not delegated to our cgroup %s "
			"(cgroup.controllers: \"%s\")",
			self->dir, buf);
		return -EOPNOTSUPP;
	}
	if (snprintf(path, sizeof(path), "%s%s/cgroup.subtree_control", root, self->dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	if ((err = hb_read_text(path, buf, sizeof(buf))) < 0) {
		why_set(why, len, "cannot read %s: %s", path, strerror(-err));
		return err;
	}
	if (has_word(buf, "memory", ' '))
		return 0;
	/* A change to our own cgroup that outlives the cell: through knobs, undone by -memory. */
	if (snprintf(path, sizeof(path), "%.4000s/cgroup.subtree_control", self->dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	err = hb_knob_set_undo(k, path, "+memory", "-memory");
	if (err == -EBUSY)
		why_set(why, len,
			"cannot enable memory in %s: our cgroup %s has processes (hugebench "
			"itself), and cgroup v2 gives controllers only to children of a cgroup "
			"without processes; start hugebench in a cgroup whose parent enables "
			"memory for it, or move it into a leaf first",
			path, self->dir);
	else if (err)
		why_set(why, len, "cannot write +memory to %s: %s", path, strerror(-err));
	return err;
}

/*
 * A directory left by a crashed run (recover normally removes it): refuse it while tasks
 * are in it, else make it afresh so failcnt, oom_kill and the limit start clean.
 */
static int reuse_stale(const char *dir, int version, char *why, size_t len)
{
	char path[PATH_MAX], buf[64];
	int err;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	if ((err = hb_read_text(path, buf, sizeof(buf))) < 0) {
		why_set(why, len, "%s exists but %s is unreadable: %s", dir, path, strerror(-err));
		return err;
	}
	if (buf[0]) {
		why_set(why, len, "%s already exists and has processes in it (pid %s...)", dir,
			buf);
		return -EBUSY;
	}
	if (rmdir(dir) == 0) {
		if (mkdir(dir, 0755) < 0) {
			err = -errno;
			why_set(why, len, "mkdir %s: %s", dir, strerror(-err));
			return err;
		}
		return 0;
	}
	/* Child cgroups left in it, or v1's brief EBUSY: use it as it is, minus any limit. */
	if (snprintf(path, sizeof(path), "%s/%s", dir,
		     version == 1 ? "memory.limit_in_bytes" : "memory.max") >= (int)sizeof(path))
		return -ENAMETOOLONG;
	(void)write_small(path, version == 1 ? "-1" : "max");
	return 0;
}

int hb_cgroup_create(struct hb_cgroup *cg, struct hb_knobs *k, const char *name, char *why,
		     size_t len)
{
	struct hb_cgroup_self self;
	char track[PATH_MAX], full[PATH_MAX];
	const char *root;
	int err;

	memset(cg, 0, sizeof(*cg));
	if (!k || !name || !name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		why_set(why, len, "bad cgroup name \"%s\" (want one path component)",
			name ? name : "(null)");
		return -EINVAL;
	}
	/* Paths are as on the real machine; knobs' root lets tests use a fake tree. */
	root = k->root;
	if ((err = hb_cgroup_self(&self, root, why, len)) < 0)
		return err;
	if (snprintf(track, sizeof(track), "%s/%s", self.dir, name) >= (int)sizeof(track) ||
	    snprintf(full, sizeof(full), "%s%s", root, track) >= (int)sizeof(full)) {
		why_set(why, len, "cgroup path too long under %s", self.dir);
		return -ENAMETOOLONG;
	}
	if (self.version == 2 && (err = v2_enable_memory(k, &self, why, len)) < 0)
		return err;
	/* Recorded before it exists: a SIGKILL between the two then leaves nothing behind
	 * (restore's rmdir of a directory never made is harmless). Untracked, do not make it. */
	if ((err = hb_knob_track_dir(k, track)) < 0) {
		why_set(why, len, "cannot record %s in the knob state: %s", track, strerror(-err));
		return err;
	}
	if (mkdir(full, 0755) < 0) {
		err = -errno;
		if (err != -EEXIST) {
			why_set(why, len, "mkdir %s: %s", full, strerror(-err));
			return err;
		}
		if ((err = reuse_stale(full, self.version, why, len)) < 0)
			return err;
	}
	cg->version = self.version;
	strcpy(cg->dir, full);
	return 0;
}

int hb_cgroup_attach(const struct hb_cgroup *cg, pid_t pid)
{
	char path[PATH_MAX], buf[32];
	int err = cg_file(cg, "cgroup.procs", path, sizeof(path));

	if (err)
		return err;
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	return write_small(path, buf);
}

/*
 * v1 usage_in_bytes and v2 memory.current both include per-CPU charge stock (a few hundred
 * KiB at most): negligible beside the MiB-scale differences the charged view is for.
 */
int hb_cgroup_charged_kib(const struct hb_cgroup *cg, uint64_t *kib)
{
	char path[PATH_MAX], buf[64], *end;
	unsigned long long v;
	int err = cg_file(cg, cg->version == 1 ? "memory.usage_in_bytes" : "memory.current", path,
			  sizeof(path));

	if (err || (err = hb_read_text(path, buf, sizeof(buf))) < 0)
		return err;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (end == buf || *end || errno)
		return -EINVAL;
	*kib = v / 1024;
	return 0;
}

static int write_limit(const struct hb_cgroup *cg, const char *file, uint64_t bytes)
{
	char path[PATH_MAX], buf[32];
	int err = cg_file(cg, file, path, sizeof(path));

	if (err)
		return err;
	if (!bytes)
		snprintf(buf, sizeof(buf), "%s", cg->version == 1 ? "-1" : "max");
	else
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)bytes);
	return write_small(path, buf);
}

static const char *limit_file(const struct hb_cgroup *cg)
{
	return cg->version == 1 ? "memory.limit_in_bytes" : "memory.max";
}

int hb_cgroup_set_limit(const struct hb_cgroup *cg, uint64_t bytes)
{
	if (cg->ceiling && (!bytes || bytes > cg->ceiling))
		bytes = cg->ceiling;
	return write_limit(cg, limit_file(cg), bytes);
}

int hb_cgroup_set_ceiling(struct hb_cgroup *cg, uint64_t bytes)
{
	char path[PATH_MAX];
	int err;

	if (!bytes)
		return -EINVAL;
	/* v1 wants memsw >= the memory limit at every step: the cgroup is fresh (unlimited),
	 * so the memory limit goes first. */
	if ((err = write_limit(cg, limit_file(cg), bytes)) < 0)
		return err;
	if (cg->version == 1 && !cg_file(cg, "memory.memsw.limit_in_bytes", path, sizeof(path)) &&
	    access(path, F_OK) == 0 && (err = write_limit(cg, "memory.memsw.limit_in_bytes",
							  bytes)) < 0)
		return err;
	cg->ceiling = bytes;
	return 0;
}

int hb_cgroup_limit(const struct hb_cgroup *cg, uint64_t *bytes)
{
	char path[PATH_MAX], buf[64], *end;
	unsigned long long v;
	int err = cg_file(cg, limit_file(cg), path, sizeof(path));

	if (err || (err = hb_read_text(path, buf, sizeof(buf))) < 0)
		return err;
	if (!strcmp(buf, "max")) {
		*bytes = 0;
		return 0;
	}
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (end == buf || *end || errno)
		return -EINVAL;
	/* v1's "unlimited" is the largest page-aligned long */
	*bytes = v >= (1ull << 62) ? 0 : v;
	return 0;
}

int hb_cgroup_kill(const struct hb_cgroup *cg)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int n = 0;
	FILE *f;

	if (cg->version == 2 && !cg_file(cg, "cgroup.kill", path, sizeof(path)) &&
	    write_small(path, "1") == 0)
		return 1;
	if (cg_file(cg, "cgroup.procs", path, sizeof(path)))
		return -EINVAL;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		long pid = strtol(line, NULL, 10);

		if (pid > 1 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* "key value" lines (memory.events, memory.oom_control): the value of key, if present. */
static int keyed_value(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			*out = strtoull(p + kl + 1, NULL, 10);
			return 0;
		}
	}
	return -ENOENT;
}

int hb_cgroup_events(const struct hb_cgroup *cg, uint64_t *oom_kills, uint64_t *failcnt)
{
	char path[PATH_MAX], buf[1024];
	int err, got = 0;

	if (cg->version == 1) {
		/* oom_control has gained "oom_kill" only in 4.13; failcnt is older. */
		if (!(err = cg_file(cg, "memory.oom_control", path, sizeof(path))) &&
		    !(err = hb_read_text(path, buf, sizeof(buf))))
			got += !keyed_value(buf, "oom_kill", oom_kills);
		if (!(err = cg_file(cg, "memory.failcnt", path, sizeof(path))) &&
		    !(err = hb_read_text(path, buf, sizeof(buf)))) {
			*failcnt = strtoull(buf, NULL, 10);
			got++;
		}
	} else {
		if (!(err = cg_file(cg, "memory.events", path, sizeof(path))) &&
		    !(err = hb_read_text(path, buf, sizeof(buf)))) {
			got += !keyed_value(buf, "oom_kill", oom_kills);
			got += !keyed_value(buf, "max", failcnt);
		}
	}
	return got ? 0 : (err ? err : -ENOENT);
}

/*
 * The tracked entry is left in knobs: restore's rmdir of a directory already gone is
 * harmless, and dropping it would need the state file rewritten.
 */
int hb_cgroup_destroy(struct hb_cgroup *cg, struct hb_knobs *k)
{
	const struct timespec pause = { 0, 20 * 1000 * 1000 };

	(void)k;
	if (!cg->dir[0])
		return 0;
	/* v1 can answer EBUSY for a moment after the last task has gone. */
	for (int i = 0;; i++) {
		if (rmdir(cg->dir) == 0 || errno == ENOENT)
			break;
		if (errno != EBUSY || i >= 50)
			return -errno;
		nanosleep(&pause, NULL);
	}
	cg->dir[0] = '\0';
	return 0;
}
