/* Inside the cell's child (hb_allocator_info, ctx.h): what malloc the process really has, with
 * its own statistics, read through dlsym; and which allocator the cell asked for (the presets
 * are machine/allocator.c's). */
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "ctx_impl.h"

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
