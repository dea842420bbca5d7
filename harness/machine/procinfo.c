/*
 * The rest of what inspect reads about a process (procinfo.h): THP settings, its memory
 * cgroup, its malloc and that malloc's environment.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "procinfo.h"
#include "readfile.h"
#include "sysinfo.h" /* HB_THP_DIR */

void hb_sysfs_choice(const char *text, char *out, size_t len)
{
	const char *l = strchr(text, '['), *r = l ? strchr(l, ']') : NULL;

	if (l && r)
		snprintf(out, len, "%.*s", (int)(r - l - 1), l + 1);
	else
		snprintf(out, len, "%s", text);
}

static void choice(const char *file, char *out, size_t len)
{
	char path[PATH_MAX], buf[256];

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", HB_THP_DIR, file);
	if (!hb_read_text(path, buf, sizeof(buf)))
		hb_sysfs_choice(buf, out, len);
}

void hb_thp_settings_read(struct hb_thp_settings *t)
{
	DIR *d;
	struct dirent *e;

	memset(t, 0, sizeof(*t));
	choice("enabled", t->enabled, sizeof(t->enabled));
	choice("defrag", t->defrag, sizeof(t->defrag));
	choice("shmem_enabled", t->shmem_enabled, sizeof(t->shmem_enabled));
	choice("khugepaged/max_ptes_none", t->max_ptes_none, sizeof(t->max_ptes_none));
	choice("shrink_underused", t->shrink_underused, sizeof(t->shrink_underused));
	d = opendir(HB_THP_DIR);
	while (d && (e = readdir(d)) && t->nsizes < 16) {
		unsigned kib;
		char f[300];

		if (sscanf(e->d_name, "hugepages-%ukB", &kib) != 1)
			continue;
		snprintf(f, sizeof(f), "%s/enabled", e->d_name);
		t->size[t->nsizes].kib = kib;
		choice(f, t->size[t->nsizes].enabled, sizeof(t->size[0].enabled));
		/* a size only shmem has (no anonymous "enabled") is not listed */
		t->nsizes += t->size[t->nsizes].enabled[0] != '\0';
	}
	if (d)
		closedir(d);
	for (unsigned i = 1; i < t->nsizes; i++) /* smallest first */
		for (unsigned j = i; j > 0 && t->size[j].kib < t->size[j - 1].kib; j--) {
			__typeof__(t->size[0]) x = t->size[j];

			t->size[j] = t->size[j - 1];
			t->size[j - 1] = x;
		}
}

/* memory.stat: the page cache and the THP lines. */
static void read_stat(struct hb_cg_info *cg)
{
	char path[PATH_MAX + 16], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg->dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long long v;

		if (sscanf(line, "%63s %llu", name, &v) != 2)
			continue;
		if ((cg->version == 2 && !strcmp(name, "file")) ||
		    (cg->version == 1 && !strcmp(name, "total_cache"))) {
			cg->have_file = 1;
			cg->file_kib = v / 1024;
		}
		if ((strstr(name, "thp") || strstr(name, "rss_huge")) && cg->nstat < 12 &&
		    strlen(name) < sizeof(cg->stat[0].name)) {
			snprintf(cg->stat[cg->nstat].name, sizeof(cg->stat[0].name), "%s", name);
			cg->stat[cg->nstat++].value = v;
		}
	}
	fclose(f);
}

int hb_cg_info_read(struct hb_cg_info *cg)
{
	struct hb_cgroup c = { .version = cg->version };
	int rc;

	snprintf(c.dir, sizeof(c.dir), "%s", cg->dir);
	cg->nstat = 0;
	cg->have_charged = cg->have_file = 0;
	rc = hb_cgroup_charged_kib(&c, &cg->charged_kib);
	if (rc) {
		snprintf(cg->why, sizeof(cg->why), "cannot read the charge of %.160s: %s", cg->dir,
			 strerror(-rc));
		return rc;
	}
	cg->have_charged = 1;
	read_stat(cg);
	return 0;
}

int hb_cg_info_of_pid(int pid, struct hb_cg_info *cg)
{
	struct hb_cgroup_self self;
	int rc;

	memset(cg, 0, sizeof(*cg));
	rc = hb_cgroup_of(&self, "", pid, cg->why, sizeof(cg->why));
	if (rc)
		return rc;
	cg->version = self.version;
	snprintf(cg->dir, sizeof(cg->dir), "%s", self.dir);
	return hb_cg_info_read(cg);
}

int hb_cg_procs(const char *dir, int **pids, size_t *n)
{
	char path[PATH_MAX + 16];
	FILE *f;
	int pid, *p = NULL;
	size_t cap = 0;

	*pids = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%d", &pid) == 1) {
		if (*n == cap) {
			int *q = realloc(p, (cap = cap ? 2 * cap : 64) * sizeof(*q));

			if (!q) {
				free(p);
				fclose(f);
				return -ENOMEM;
			}
			p = q;
		}
		p[(*n)++] = pid;
	}
	fclose(f);
	*pids = p;
	return 0;
}

int hb_cg_resolve(const char *arg, struct hb_cg_info *cg)
{
	struct hb_cgroup_self self;
	char path[PATH_MAX + 16];
	struct stat st;

	memset(cg, 0, sizeof(*cg));
	if (hb_cgroup_self(&self, "", cg->why, sizeof(cg->why)))
		return -ENOENT;
	cg->version = self.version;
	/* The argument as a directory, else under the memory controller's mount. */
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			snprintf(cg->dir, sizeof(cg->dir), "%s", arg);
		else
			snprintf(cg->dir, sizeof(cg->dir), "%s%s%s", self.mount,
				 arg[0] == '/' ? "" : "/", arg);
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
		if ((i == 1 || !strncmp(cg->dir, self.mount, strlen(self.mount))) &&
		    !stat(path, &st) && S_ISREG(st.st_mode)) {
			size_t l = strlen(cg->dir);

			while (l > 1 && cg->dir[l - 1] == '/')
				cg->dir[--l] = '\0';
			return 0;
		}
	}
	snprintf(cg->why, sizeof(cg->why),
		 "'%s' is not a memory cgroup: accepted is a directory under %s (the memory "
		 "controller's mount) or a path below it, e.g. /system.slice",
		 arg, self.mount);
	cg->dir[0] = '\0';
	return -ENOENT;
}

/* The malloc libraries recognised by their file name, and by a string in an executable that
 * carries them statically. */
static const struct {
	const char *name, *lib, *marker;
} mallocs[] = {
	{ "jemalloc", "libjemalloc", "<jemalloc>: " },
	{ "tcmalloc", "libtcmalloc", "tcmalloc: large alloc" },
	{ "mimalloc", "libmimalloc", "mimalloc: warning" },
};
#define NMALLOC (sizeof(mallocs) / sizeof(mallocs[0]))

/* Whether file (the first max bytes) holds s. */
static int file_has(const char *file, const char *s, size_t max)
{
	FILE *f = fopen(file, "re");
	size_t sl = strlen(s), have = 0, got;
	char buf[65536 + 64];
	int found = 0;

	if (!f)
		return 0;
	while (!found && max > 0 && (got = fread(buf + have, 1, sizeof(buf) - 64 - have, f)) > 0) {
		have += got;
		max = max > got ? max - got : 0;
		found = memmem(buf, have, s, sl) != NULL;
		if (have >= sl) { /* keep the tail: a match may span two reads */
			memmove(buf, buf + have - (sl - 1), sl - 1);
			have = sl - 1;
		}
	}
	fclose(f);
	return found;
}

static int env_wanted(const char *kv)
{
	static const char *const prefixes[] = {
		"MALLOC_CONF=", "_RJEM_MALLOC_CONF=", "JE_MALLOC_CONF=", "GLIBC_TUNABLES=",
		"MALLOC_ARENA_MAX=", "MALLOC_TRIM_THRESHOLD_=", "MALLOC_MMAP_THRESHOLD_=",
		"MALLOC_TOP_PAD_=", "TCMALLOC_", "MIMALLOC_", "LD_PRELOAD=",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(kv, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static void read_env(const char *environ, struct hb_proc_alloc *a)
{
	FILE *f = fopen(environ, "re");
	char *kv = NULL;
	size_t cap = 0;

	if (!f) {
		snprintf(a->env_why, sizeof(a->env_why), "cannot read %s: %s", environ,
			 strerror(errno));
		return;
	}
	while (getdelim(&kv, &cap, '\0', f) > 0 && a->nenv < 12)
		if (env_wanted(kv))
			snprintf(a->env[a->nenv++], sizeof(a->env[0]), "%s", kv);
	free(kv);
	fclose(f);
}

int hb_proc_alloc_read_files(const char *maps, const char *environ, const char *exe,
			     struct hb_proc_alloc *a)
{
	FILE *f = fopen(maps, "re");
	char line[PATH_MAX + 128], libc[PATH_MAX] = "";
	int found = 0;
	ssize_t n;

	memset(a, 0, sizeof(*a));
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/'), *base;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = '\0';
		base = strrchr(path, '/') + 1;
		for (size_t i = 0; i < NMALLOC && !found; i++)
			if (!strncmp(base, mallocs[i].lib, strlen(mallocs[i].lib))) {
				snprintf(a->name, sizeof(a->name), "%s", mallocs[i].name);
				snprintf(a->how, sizeof(a->how), "mapped: %s", path);
				found = 1;
			}
		if (!libc[0] && (!strncmp(base, "libc.so", 7) || !strncmp(base, "libc-", 5) ||
				 !strncmp(base, "ld-musl", 7)))
			snprintf(libc, sizeof(libc), "%s", path);
	}
	fclose(f);
	for (size_t i = 0; !found && exe && i < NMALLOC; i++)
		if (file_has(exe, mallocs[i].marker, 256u << 20)) {
			snprintf(a->name, sizeof(a->name), "%s", mallocs[i].name);
			snprintf(a->how, sizeof(a->how), "static in %s (it holds \"%s\")", exe,
				 mallocs[i].marker);
			found = 1;
		}
	if (!found && libc[0]) {
		int musl = strstr(libc, "musl") != NULL;

		snprintf(a->name, sizeof(a->name), "%s", musl ? "musl" : "glibc");
		snprintf(a->how, sizeof(a->how), "the C library's: %s", libc);
	} else if (!found) {
		snprintf(a->name, sizeof(a->name), "unknown");
		snprintf(a->how, sizeof(a->how), "no malloc library mapped, none recognised in the "
						  "executable");
	}
	if (environ)
		read_env(environ, a);
	if (!strcmp(a->name, "jemalloc") &&
	    (n = readlink("/etc/malloc.conf", a->malloc_conf_link,
			  sizeof(a->malloc_conf_link) - 1)) > 0)
		a->malloc_conf_link[n] = '\0';
	return 0;
}

int hb_proc_alloc_read(int pid, struct hb_proc_alloc *a)
{
	char maps[64], environ[64], exe[64], target[PATH_MAX];
	ssize_t n;

	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	snprintf(environ, sizeof(environ), "/proc/%d/environ", pid);
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	n = readlink(exe, target, sizeof(target) - 1);
	return hb_proc_alloc_read_files(maps, environ, n > 0 ? exe : NULL, a);
}
