/* Allocators under test: presets, finding their libraries, the child's environment, and (in
 * the child) what malloc the process really has, with its own statistics via dlsym. */
#include <dlfcn.h>
#include <errno.h>
#include <gnu/libc-version.h>
#include <jansson.h>
#include <libgen.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allocator.h"
#include "ctx_impl.h"

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

/* Child side. */

static void stat_add(struct hb_alloc_info *ai, const char *name, double bytes, const char *note)
{
	if (ai->n == HB_ALLOC_STATS)
		return;
	snprintf(ai->stat[ai->n].name, sizeof(ai->stat[0].name), "%s", name);
	ai->stat[ai->n].kib = bytes / 1024.0;
	ai->stat[ai->n].note = note;
	ai->n++;
}

typedef int (*mallctl_fn)(const char *, void *, size_t *, void *, size_t);
typedef const char *(*tc_version_fn)(int *, int *, const char **);
typedef int (*tc_prop_fn)(const char *, size_t *);
typedef int (*mi_version_fn)(void);
typedef void (*mi_info_fn)(size_t *, size_t *, size_t *, size_t *, size_t *, size_t *, size_t *,
			   size_t *);

static void jemalloc_info(mallctl_fn ctl, struct hb_alloc_info *ai)
{
	static const char *const names[] = { "resident", "active", "allocated", "mapped",
					     "retained" };
	const char *ver = NULL;
	uint64_t epoch = 1;
	size_t sz = sizeof(ver);

	snprintf(ai->name, sizeof(ai->name), "jemalloc");
	if (!ctl("version", &ver, &sz, NULL, 0) && ver)
		snprintf(ai->version, sizeof(ai->version), "%s", ver);
	/* Statistics are cached until the epoch is advanced. */
	sz = sizeof(epoch);
	ctl("epoch", &epoch, &sz, &epoch, sz);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char key[32], name[40];
		size_t v, vs = sizeof(v);

		snprintf(key, sizeof(key), "stats.%s", names[i]);
		snprintf(name, sizeof(name), "jemalloc_%s_kib", names[i]);
		if (!ctl(key, &v, &vs, NULL, 0))
			stat_add(ai, name, (double)v,
				 "mallctl(\"stats.*\") after an epoch refresh");
	}
}

/* The allocator the cell's allocator row (hb_role_allocator) names. */
static void asked(const struct hb_ctx *ctx, struct hb_alloc_info *ai)
{
	const struct hb_param *p;
	const struct hb_allocator_preset *a;
	char label[256];

	if (!ctx || !ctx->cell ||
	    !(p = hb_params_find_role(ctx->cell->w->params, &hb_role_allocator)))
		return;
	hb_param_format_value(p, ctx->cell->params, label, sizeof(label));
	if ((a = hb_allocator_preset_find(label)))
		snprintf(ai->asked, sizeof(ai->asked), "%s", a->allocator);
}

int hb_allocator_info(struct hb_ctx *ctx, struct hb_alloc_info *ai)
{
	mallctl_fn ctl = (mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
	tc_version_fn tcv = (tc_version_fn)dlsym(RTLD_DEFAULT, "tc_version");
	mi_version_fn miv = (mi_version_fn)dlsym(RTLD_DEFAULT, "mi_version");

	memset(ai, 0, sizeof(*ai));
	asked(ctx, ai);
	if (ctl) {
		jemalloc_info(ctl, ai);
	} else if (tcv) {
		tc_prop_fn prop = (tc_prop_fn)dlsym(RTLD_DEFAULT,
						    "MallocExtension_GetNumericProperty");
		static const char *const props[][2] = {
			{ "generic.current_allocated_bytes", "tcmalloc_allocated_kib" },
			{ "generic.heap_size", "tcmalloc_heap_kib" },
			{ "tcmalloc.pageheap_free_bytes", "tcmalloc_pageheap_free_kib" },
			{ "tcmalloc.pageheap_unmapped_bytes", "tcmalloc_pageheap_unmapped_kib" },
		};
		int ma = 0, mi = 0;
		const char *patch = "";

		snprintf(ai->name, sizeof(ai->name), "tcmalloc");
		tcv(&ma, &mi, &patch);
		snprintf(ai->version, sizeof(ai->version), "%d.%d%s", ma, mi, patch ? patch : "");
		for (size_t i = 0; prop && i < sizeof(props) / sizeof(props[0]); i++) {
			size_t v;

			if (prop(props[i][0], &v))
				stat_add(ai, props[i][1], (double)v, "MallocExtension property");
		}
	} else if (miv) {
		mi_info_fn info = (mi_info_fn)dlsym(RTLD_DEFAULT, "mi_process_info");
		int v = miv();

		snprintf(ai->name, sizeof(ai->name), "mimalloc");
		snprintf(ai->version, sizeof(ai->version), "%d.%d.%d", v / 100, v / 10 % 10,
			 v % 10);
		if (info) {
			size_t el, us, sy, rss, prss, commit, pcommit, pf;

			info(&el, &us, &sy, &rss, &prss, &commit, &pcommit, &pf);
			stat_add(ai, "mimalloc_commit_kib", (double)commit,
				 "mi_process_info current_commit");
			stat_add(ai, "mimalloc_rss_kib", (double)rss,
				 "mi_process_info current_rss");
		}
	} else {
		struct mallinfo2 m = mallinfo2();

		snprintf(ai->name, sizeof(ai->name), "glibc");
		snprintf(ai->version, sizeof(ai->version), "%s", gnu_get_libc_version());
		stat_add(ai, "glibc_system_kib", (double)(m.arena + m.hblkhd),
			 "mallinfo2 arena + hblkhd: bytes glibc got from the system");
		stat_add(ai, "glibc_allocated_kib", (double)(m.uordblks + m.hblkhd),
			 "mallinfo2 uordblks + hblkhd: bytes in use");
		stat_add(ai, "glibc_free_kib", (double)m.fordblks, "mallinfo2 fordblks");
	}
	return 0;
}
