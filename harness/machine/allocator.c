/* Allocators under test: presets, finding their libraries, the child's environment. What
 * malloc the child really has, with its own statistics, is the child's (child/ctx_allocator.c). */
#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <jansson.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"

/* How each allocator takes its settings: one variable with a list, or a variable each. */
static const struct {
	const char *name, *soname, *var; /* var NULL: conf is NAME=VALUE,... variables */
	char sep;
} allocators[] = {
	{ "glibc", NULL, "GLIBC_TUNABLES", ':' },
	{ "jemalloc", "libjemalloc.so.2", "MALLOC_CONF", ',' },
	{ "tcmalloc", "libtcmalloc_minimal.so.4", NULL, ',' },
	{ "mimalloc", "libmimalloc.so.2", NULL, ',' },
};
#define NALLOC (sizeof(allocators) / sizeof(allocators[0]))

const struct hb_allocator_preset hb_allocator_presets[] = {
	{ "glibc", "glibc", "", "glibc malloc as it comes" },
	{ "glibc+thp", "glibc", "glibc.malloc.hugetlb=1",
	  "glibc madvise(MADV_HUGEPAGE)s its heap and mmap'd chunks (THP under madvise mode)" },
	{ "glibc+hugetlb", "glibc", "glibc.malloc.hugetlb=2",
	  "glibc maps its mmap'd chunks and arenas with MAP_HUGETLB (needs a hugetlb pool: "
	  "use the hugetlb-2m backing)" },
	{ "jemalloc", "jemalloc", "", "jemalloc 5 defaults (thp:default, decay 10 s)" },
	{ "jemalloc+thp", "jemalloc", "thp:always,metadata_thp:always",
	  "jemalloc madvise(MADV_HUGEPAGE)s every extent, metadata too" },
	{ "jemalloc+nothp", "jemalloc", "thp:never",
	  "jemalloc madvise(MADV_NOHUGEPAGE)s every extent" },
	{ "jemalloc+decay0", "jemalloc", "dirty_decay_ms:0,muzzy_decay_ms:0",
	  "jemalloc returns freed pages at once (MADV_DONTNEED), as in the seed story" },
	/* What redis-server 7 sets in its jemalloc at start-up and at run time with its default
	 * config: only background_thread (jemalloc-bg-thread yes, set_jemalloc_bg_thread() from
	 * InitServerLast()). Its compile-time options (lg_quantum 3) cannot be set here. */
	{ "jemalloc+redis", "jemalloc", "background_thread:true",
	  "jemalloc as redis-server 7 sets it: background purging threads (jemalloc-bg-thread "
	  "yes), and nothing else; Redis's own build also has an 8-byte quantum, which no conf "
	  "can give" },
	{ "tcmalloc", "tcmalloc", "", "gperftools tcmalloc (minimal); it has no huge-page switch" },
	{ "mimalloc", "mimalloc", "", "mimalloc defaults" },
	{ "mimalloc+thp", "mimalloc", "MIMALLOC_LARGE_OS_PAGES=1",
	  "mimalloc 2.0 asks for 2 MiB pages for its segments (large_os_pages)" },
	{ NULL, NULL, NULL, NULL },
};

const struct hb_allocator_preset *hb_allocator_preset_find(const char *label)
{
	for (const struct hb_allocator_preset *p = hb_allocator_presets; p->label; p++)
		if (!strcmp(p->label, label))
			return p;
	return NULL;
}

static int alloc_index(const char *name)
{
	for (size_t i = 0; i < NALLOC; i++)
		if (!strcmp(allocators[i].name, name))
			return (int)i;
	return -1;
}

/* The directory our own libc was loaded from is the right architecture's library directory;
 * Debian splits it between /lib/<triplet> and /usr/lib/<triplet>. */
int hb_allocator_find(const char *name, char *path, size_t len, char *why, size_t wlen)
{
	char dirs[6][512], libc[512];
	int i = alloc_index(name), nd = 0;
	Dl_info info;

	if (i < 0 || !allocators[i].soname) {
		snprintf(why, wlen, "allocator '%s' has no library to preload", name);
		return -ENOENT;
	}
	/* Tests (and unusual installs) name the one directory to search. */
	if (getenv("HUGEBENCH_ALLOCATOR_DIR"))
		snprintf(dirs[nd++], sizeof(dirs[0]), "%.400s", getenv("HUGEBENCH_ALLOCATOR_DIR"));
	else if (dladdr((void *)gnu_get_libc_version, &info) && info.dli_fname) {
		snprintf(libc, sizeof(libc), "%.500s", info.dli_fname);
		/* /usr first: with merged /usr, dpkg knows the library by that name. */
		dirname(libc);
		if (!strncmp(libc, "/usr/", 5)) {
			snprintf(dirs[nd++], sizeof(dirs[0]), "%.400s", libc);
			snprintf(dirs[nd++], sizeof(dirs[0]), "%.400s", libc + 4);
		} else {
			snprintf(dirs[nd++], sizeof(dirs[0]), "/usr%.400s", libc);
			snprintf(dirs[nd++], sizeof(dirs[0]), "%.400s", libc);
		}
	}
	if (!getenv("HUGEBENCH_ALLOCATOR_DIR")) {
		snprintf(dirs[nd++], sizeof(dirs[0]), "/usr/lib64");
		snprintf(dirs[nd++], sizeof(dirs[0]), "/usr/lib");
		snprintf(dirs[nd++], sizeof(dirs[0]), "/usr/local/lib");
	}
	for (int d = 0; d < nd; d++) {
		snprintf(path, len, "%s/%s", dirs[d], allocators[i].soname);
		if (access(path, R_OK) == 0)
			return 0;
	}
	snprintf(why, wlen, "%s is not installed: %s not found in %s%s (Debian: the %s "
		 "package)", name, allocators[i].soname, nd ? dirs[0] : "?",
		 nd > 1 ? " or the other library directories" : "",
		 i == 1 ? "libjemalloc2" : i == 2 ? "libtcmalloc-minimal4" : "libmimalloc2.0");
	return -ENOENT;
}

static int env_add(struct hb_child_env *env, const char *name, const char *value)
{
	if (env->n == HB_CHILD_ENV_MAX)
		return -E2BIG;
	snprintf(env->var[env->n++], sizeof(env->var[0]), "%.60s=%.900s", name, value);
	return 0;
}

/* "A=1,B=2" into separate variables. */
static int env_add_list(struct hb_child_env *env, const char *list, char *why, size_t len)
{
	char copy[1024], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || eq == tok) {
			snprintf(why, len, "parameter 'allocator_conf': '%s' is not NAME=VALUE "
				 "(this allocator reads its settings from environment variables)",
				 tok);
			return -EINVAL;
		}
		*eq = 0;
		if (env_add(env, tok, eq + 1)) {
			snprintf(why, len, "parameter 'allocator_conf': too many variables");
			return -E2BIG;
		}
	}
	return 0;
}

int hb_allocator_env(const char *label, const char *conf, struct hb_child_env *env, char *why,
		     size_t len)
{
	const struct hb_allocator_preset *p = hb_allocator_preset_find(label);
	char lib[512], joined[1024];
	int i, rc;

	if (!p) {
		snprintf(why, len, "parameter 'allocator': unknown '%s'", label);
		return -EINVAL;
	}
	i = alloc_index(p->allocator);
	env_add(env, "HB_ALLOCATOR", p->allocator);
	if (allocators[i].soname) {
		if ((rc = hb_allocator_find(p->allocator, lib, sizeof(lib), why, len)))
			return rc;
		env_add(env, "LD_PRELOAD", lib);
	}
	snprintf(joined, sizeof(joined), "%s%s%s", p->conf, *p->conf && *conf ? "," : "", conf);
	if (!*joined)
		return 0;
	if (!allocators[i].var)
		return env_add_list(env, joined, why, len);
	for (char *c = joined; *c; c++) /* presets are written with ','; glibc wants ':' */
		if (*c == ',')
			*c = allocators[i].sep;
	return env_add(env, allocators[i].var, joined);
}

static void package_version(const char *path, char *buf, size_t len)
{
	char cmd[700], pkg[128] = "";
	FILE *f;

	buf[0] = 0;
	snprintf(cmd, sizeof(cmd), "dpkg-query -S '%s' 2>/dev/null", path);
	if (!(f = popen(cmd, "r")))
		return;
	if (fscanf(f, "%127[^:]", pkg) != 1)
		pkg[0] = 0;
	pclose(f);
	if (!pkg[0])
		return;
	snprintf(cmd, sizeof(cmd), "dpkg-query -W -f '${Package} ${Version}' '%s' 2>/dev/null",
		 pkg);
	if (!(f = popen(cmd, "r")))
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	pclose(f);
}

void *hb_allocators_json(void)
{
	json_t *all = json_object();

	json_object_set_new(all, "glibc", json_pack("{s:s}", "version", gnu_get_libc_version()));
	for (size_t i = 1; i < NALLOC; i++) {
		char path[512], why[512], ver[256], real[4096];
		json_t *a;

		if (hb_allocator_find(allocators[i].name, path, sizeof(path), why, sizeof(why))) {
			json_object_set_new(all, allocators[i].name,
					    json_pack("{s:s}", "unavailable", why));
			continue;
		}
		a = json_pack("{s:s}", "library", path);
		if (realpath(path, real))
			json_object_set_new(a, "file", json_string(real));
		package_version(path, ver, sizeof(ver));
		json_object_set_new(a, "package", ver[0] ? json_string(ver) : json_null());
		json_object_set_new(all, allocators[i].name, a);
	}
	return all;
}
