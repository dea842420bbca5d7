/*
 * defrag: THP first-touch latency per 2 MiB extent, under the defrag mode and on the machine's
 * age the cell asks for, against a same-cell 4 KiB baseline; then the repair of what fell back
 * (khugepaged, MADV_COLLAPSE, or none) watched per folio order over time.
 *
 * Setup only maps: the first touch is the measurement. Run:
 *  1. baseline: an equal region, MADV_NOHUGEPAGE, first-touched one 2 MiB extent at a time
 *     (512 faults of 4 KiB each), then unmapped so the region never costs memory twice;
 *  2. settle: a pause so free-page reporting hands the baseline's memory back to the host (in
 *     a VM the touch would otherwise reuse memory the host already backs);
 *  3. touch: the region, one 2 MiB extent at a time, each extent timed into the histogram and
 *     classified as huge or fallback from the vmstat delta around it (thp_fault_alloc
 *     against thp_fault_fallback, read outside the timed part; an extent where other processes
 *     made the delta ambiguous is counted apart as unclassified);
 *  4. the coverage proof right after the touch (the harness's huge_coverage_pct);
 *  5. repair: collapse calls MADV_COLLAPSE over the region (timed); none advises the region
 *     MADV_NOHUGEPAGE so that khugepaged leaves it; khugepaged leaves it to khugepaged (the
 *     knob rows may speed it up);
 *  6. watch: the per-order view sampled every second (the harness's hb_region_watch).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctx.h"
#include "defrag.h"
#include "workload.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1 */
#endif

#define EXTENT (2ull << 20)
#define WATCH_INTERVAL_NS 1000000000ull

static const struct hb_choice repair_choices[] = {
	{ "none", "no repair: the region is advised MADV_NOHUGEPAGE after the touch, so khugepaged "
		  "leaves it; the watch shows what it keeps" },
	{ "khugepaged", "wait for khugepaged (speed it up with scan_sleep_ms / pages_to_scan)" },
	{ "collapse", "madvise(MADV_COLLAPSE) over the region after the touch, timed "
		      "(Linux 6.1+)" },
	{ NULL, NULL },
};

static const struct hb_choice defrag_choices[] = {
	{ "keep", "the machine's setting" },
	{ "always", "direct reclaim and compaction in the fault (stalls)" },
	{ "defer", "wake kswapd/kcompactd, fall back at once" },
	{ "defer+madvise", "direct for MADV_HUGEPAGE regions, deferred for the others" },
	{ "madvise", "direct for MADV_HUGEPAGE regions only (the thp backing's region is one)" },
	{ "never", "no reclaim or compaction for a THP fault" },
	{ NULL, NULL },
};

#define P(field) .offset = offsetof(struct defrag_params, field)
static const struct hb_param defrag_params_table[] = {
	{ .name = "size", .type = HB_PT_SIZE, P(size), .def = "2G", .min = "2M", .max = "1T",
	  .help = "the region first-touched one 2 MiB extent at a time (a multiple of 2M); the "
		  "4 KiB baseline touches as much before it" },
	{ .name = "watch", .type = HB_PT_DURATION, P(watch), .def = "60s", .min = "0",
	  .max = "60m", .help = "how long coverage is watched after the touch (sampled every 1s)" },
	{ .name = "repair", .type = HB_PT_ENUM, P(repair), .def = "khugepaged",
	  .choices = repair_choices, .help = "what repairs the extents that fell back" },
	{ .name = "defrag", .type = HB_PT_ENUM, P(defrag), .def = "keep", .choices = defrag_choices,
	  .role = &hb_role_knob, .knob = "thp/defrag", .keep = "keep",
	  .help = "transparent_hugepage/defrag for the cell" },
	{ .name = "scan_sleep_ms", .type = HB_PT_STRING, P(scan_sleep_ms), .def = "keep",
	  .role = &hb_role_knob, .knob = "khugepaged/scan_sleep_millisecs", .keep = "keep",
	  .help = "khugepaged/scan_sleep_millisecs for the cell: keep, or 0-86400000" },
	{ .name = "pages_to_scan", .type = HB_PT_STRING, P(pages_to_scan), .def = "keep",
	  .role = &hb_role_knob, .knob = "khugepaged/pages_to_scan", .keep = "keep",
	  .help = "khugepaged/pages_to_scan for the cell: keep, or 1-4194304" },
	{ .name = "age", .type = HB_PT_DOUBLE, P(age), .def = "0", .min = "0", .max = "1",
	  .role = &hb_role_age, .help = HB_AGE_HELP },
	{ .name = "settle", .type = HB_PT_DURATION, P(settle), .def = "3s", .min = "0",
	  .max = "60s", .help = "pause between the baseline's unmap and the touch, so a VM's "
				 "free-page reporting hands the baseline's memory back first" },
	HB_PARAM_END,
};
#undef P

struct defrag_state {
	char *mem, *base;
	struct hb_hist all, huge, fallback, base_hist;
	uint64_t n_huge, n_fallback, n_unclassified;
};

static int defrag_validate(const void *p, char *err, size_t len)
{
	const struct defrag_params *d = p;

	if (d->size % EXTENT) {
		snprintf(err, len, "parameter 'size' must be a multiple of 2M (one extent), not "
			 "%llu", (unsigned long long)d->size);
		return -EINVAL;
	}
	return 0;
}

static uint64_t defrag_memory_needed(const void *p)
{
	/* The baseline is unmapped before the touch: the two never hold memory together. */
	return ((const struct defrag_params *)p)->size;
}

/* MADV_COLLAPSE on one touched 4 KiB page of an aligned 2 MiB range: EINVAL only where the
 * kernel does not know the advice (an untouched range would give EINVAL anywhere). */
static const char *collapse_unsupported(void)
{
	size_t len = 2 * EXTENT;
	char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;
	int rc;

	if (raw == MAP_FAILED)
		return NULL; /* cannot tell here: the cell says it if madvise fails */
	p = (char *)(((uintptr_t)raw + EXTENT - 1) & ~(uintptr_t)(EXTENT - 1));
	*(volatile char *)p = 1;
	rc = madvise(p, EXTENT, MADV_COLLAPSE) ? errno : 0;
	munmap(raw, len);
	if (rc != EINVAL)
		return NULL;
	return "repair=collapse: this kernel refuses madvise(MADV_COLLAPSE) with EINVAL (it "
	       "needs Linux 6.1+ with CONFIG_TRANSPARENT_HUGEPAGE)";
}

static const char *defrag_supported(const void *p)
{
	const struct defrag_params *d = p;

	if (d && d->repair == DEFRAG_REPAIR_COLLAPSE)
		return collapse_unsupported();
	return NULL;
}

static const char *defrag_backing_unsupported(const void *p, const char *backing)
{
	(void)p;
	if (!strcmp(backing, "thp") || !strcmp(backing, "thp-always"))
		return NULL;
	return "defrag measures THP faults (thp, thp-always) against a 4 KiB baseline it takes "
	       "inside the same cell";
}

static int defrag_setup(struct hb_ctx *ctx, const void *p, void **state)
{
	const struct defrag_params *d = p;
	struct defrag_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	hb_hist_init(&s->all);
	hb_hist_init(&s->huge);
	hb_hist_init(&s->fallback);
	hb_hist_init(&s->base_hist);
	s->mem = hb_region_map(ctx, d->size);
	s->base = s->mem ? hb_region_map(ctx, d->size) : NULL;
	/* Our own memory: the baseline must be 4 KiB pages whatever the system mode. */
	if (!s->base || madvise(s->base, d->size, MADV_NOHUGEPAGE)) {
		int rc = -errno;

		if (s->base)
			hb_region_unmap(ctx, s->base);
		if (s->mem)
			hb_region_unmap(ctx, s->mem);
		free(s);
		return rc ? rc : -ENOMEM;
	}
	*state = s;
	return 0;
}

/* The first touch of one extent: a write to each 4 KiB page, so a 4 KiB mapping takes all of
 * its 512 faults and a THP one its single fault. */
static uint64_t touch_extent(char *e)
{
	volatile char *c = (volatile char *)e;
	uint64_t t0 = hb_now_ns();

	for (uint64_t off = 0; off < EXTENT; off += 4096)
		c[off] = 1;
	return hb_now_ns() - t0;
}

static void baseline(struct hb_ctx *ctx, const struct defrag_params *d, struct defrag_state *s)
{
	hb_phase_begin(ctx, "baseline");
	for (uint64_t off = 0; off < d->size; off += EXTENT)
		hb_hist_record(&s->base_hist, touch_extent(s->base + off));
	hb_phase_end(ctx);
	hb_region_unmap(ctx, s->base);
	s->base = NULL;
}

static uint64_t delta(const struct hb_vmstat *a, const struct hb_vmstat *b, enum hb_vmstat_id i)
{
	return b->v[i] - a->v[i];
}

static int touch(struct hb_ctx *ctx, const struct defrag_params *d, struct defrag_state *s,
		 struct hb_vmstat *v0, struct hb_vmstat *v1)
{
	struct hb_vmstat a, b;
	int rc;

	hb_phase_begin(ctx, "touch");
	rc = hb_vmstat_now(ctx, &a);
	*v0 = a;
	for (uint64_t off = 0; off < d->size && !rc; off += EXTENT) {
		uint64_t ns = touch_extent(s->mem + off), huge, fb;

		rc = hb_vmstat_now(ctx, &b);
		if (rc)
			break;
		hb_hist_record(&s->all, ns);
		huge = delta(&a, &b, HB_VM_THP_FAULT_ALLOC);
		fb = delta(&a, &b, HB_VM_THP_FAULT_FALLBACK);
		if (huge == 1 && fb == 0) {
			hb_hist_record(&s->huge, ns);
			s->n_huge++;
		} else if (huge == 0 && fb >= 1) {
			hb_hist_record(&s->fallback, ns);
			s->n_fallback++;
		} else {
			s->n_unclassified++;
		}
		a = b;
	}
	*v1 = a;
	hb_phase_end(ctx);
	return rc;
}

/* <prefix>_<pct>_us of h for the percentiles named, or unavailable with why when empty. */
static void hist_rows(struct hb_ctx *ctx, const char *prefix, const struct hb_hist *h,
		      const char *const *pcts, const char *what, const char *why_empty)
{
	char name[96];

	for (; *pcts; pcts++) {
		for (size_t i = 0; i < HB_HIST_NPCTS; i++) {
			if (strcmp(hb_hist_pcts[i].name, *pcts))
				continue;
			snprintf(name, sizeof(name), "%s_%s_us", prefix, *pcts);
			if (h->count)
				hb_metric(ctx, name,
					  (double)hb_hist_percentile(h, hb_hist_pcts[i].p) / 1e3,
					  "us", what);
			else
				hb_metric_text(ctx, name, "unavailable", why_empty);
		}
	}
}

static void fault_rows(struct hb_ctx *ctx, const struct defrag_state *s)
{
	static const char *const part[] = { "p50", "p99", "max", NULL };
	const char *all[HB_HIST_NPCTS + 1];
	size_t n = 0;
	const struct hb_hist *b = &s->base_hist;

	/* Every extent: the harness's usual percentiles (hb_metric_hist's). */
	for (size_t i = 0; i < HB_HIST_NPCTS; i++)
		if (!hb_hist_pcts[i].extra)
			all[n++] = hb_hist_pcts[i].name;
	all[n] = NULL;
	hist_rows(ctx, "fault", &s->all, all, "first touch of one 2 MiB extent (every extent)",
		  "no extent was touched");
	hist_rows(ctx, "fallback_fault", &s->fallback, part,
		  "extents that fell back to 4 KiB pages (thp_fault_fallback around them): no "
		  "2 MiB host cost; read against fault_4k_baseline_us", "no extent fell back");
	hist_rows(ctx, "huge_fault", &s->huge, part, "extents that got a 2 MiB THP",
		  "no extent got a THP");
	hb_metric(ctx, "fault_4k_baseline_us", (double)hb_hist_percentile(b, 50) / 1e3, "us",
		  "median first touch of 2 MiB as 512 4 KiB pages (MADV_NOHUGEPAGE), same cell, "
		  "just before the touch");
	hb_metric(ctx, "fault_4k_baseline_p99_us", (double)hb_hist_percentile(b, 99) / 1e3, "us",
		  "p99 of the same 4 KiB baseline");
	hb_metric(ctx, "extents", (double)s->all.count, "extents", "2 MiB extents touched");
	hb_metric(ctx, "extents_huge", (double)s->n_huge, "extents", NULL);
	hb_metric(ctx, "extents_fallback", (double)s->n_fallback, "extents", NULL);
	hb_metric(ctx, "extents_unclassified", (double)s->n_unclassified, "extents",
		  "the vmstat delta around the extent was not one THP fault or one "
		  "fallback (other processes faulted THPs meanwhile): in fault_* only");
}

struct counter {
	enum hb_vmstat_id id;
	const char *name; /* as the kernel names it */
};

/* vmstat deltas over one phase as <name>_<phase>; the harness reports the same counters
 * over the whole cell under their own names. */
static void vmstat_rows(struct hb_ctx *ctx, const char *phase, const struct hb_vmstat *a,
			const struct hb_vmstat *b, const struct counter *c)
{
	char name[80];

	for (; c->name; c++) {
		if (!a->present[c->id] || !b->present[c->id])
			continue;
		snprintf(name, sizeof(name), "%s_%s", c->name, phase);
		hb_metric(ctx, name, (double)delta(a, b, c->id), "events",
			  HB_SOURCE_VMSTAT " delta over the phase (machine-wide)");
	}
}

static double huge_pct(const struct hb_folio_view *v)
{
	return v->region_kib ? 100.0 * (double)v->pmd_mapped_kib / (double)v->region_kib : 0;
}

static int collapse(struct hb_ctx *ctx, const struct defrag_params *d, struct defrag_state *s)
{
	struct hb_folio_view v;
	uint64_t t0;
	int rc;

	hb_phase_begin(ctx, "madv_collapse"); /* not "collapse": collapse_ms is ours */
	t0 = hb_now_ns();
	rc = madvise(s->mem, d->size, MADV_COLLAPSE) ? errno : 0;
	hb_metric(ctx, "collapse_ms", (double)(hb_now_ns() - t0) / 1e6, "ms",
		  "madvise(MADV_COLLAPSE) over the whole region");
	hb_phase_end(ctx);
	/* EAGAIN/ENOMEM: some extents could not be collapsed; the coverage says how many. */
	hb_metric_text(ctx, "collapse_result", rc ? strerrorname_np(rc) : "ok",
		       "what madvise(MADV_COLLAPSE) returned");
	if (rc == EINVAL) {
		hb_fail_reason(ctx, "madvise(MADV_COLLAPSE) refused the region with EINVAL");
		return -EINVAL;
	}
	if (!hb_region_folios(ctx, s->mem, &v))
		hb_metric(ctx, "huge_coverage_pct_after_collapse", huge_pct(&v), "%",
			  "PMD-mapped share of the region right after MADV_COLLAPSE");
	return 0;
}

/* The time of the last sample that rose above the one before: when coverage stopped rising. */
static double repair_seconds(const double *trace, int n)
{
	int last = 0;

	for (int i = 1; i < n; i++)
		if (trace[i] > trace[i - 1] + 1e-9)
			last = i;
	return (double)last * (double)WATCH_INTERVAL_NS / 1e9;
}

static int watch(struct hb_ctx *ctx, const struct defrag_params *d, struct defrag_state *s)
{
	size_t cap = (size_t)(d->watch / WATCH_INTERVAL_NS) + 2;
	double *trace = calloc(cap, sizeof(*trace));
	struct hb_folio_view v;
	int n, rc;

	if (!trace)
		return -ENOMEM;
	hb_phase_begin(ctx, "watch");
	n = hb_region_watch(ctx, s->mem, d->watch, WATCH_INTERVAL_NS, trace, cap);
	hb_phase_end(ctx);
	rc = n < 0 ? n : hb_region_folios(ctx, s->mem, &v);
	if (!rc) {
		hb_metric(ctx, "huge_coverage_pct_after_watch", huge_pct(&v), "%",
			  v.from_pagemap ? "PMD-mapped share of the region after the watch "
					   "(pagemap + kpageflags)" : v.why);
		hb_metric(ctx, "repair_s", repair_seconds(trace, n), "s",
			  "time into the watch of the last rise of coverage (sampled every 1s; 0: "
			  "it never rose)");
		hb_metric(ctx, "watch_samples", n, "samples", NULL);
	}
	free(trace);
	return rc;
}

static int defrag_run(struct hb_ctx *ctx, const void *p, void *state)
{
	static const struct counter touch_ids[] = {
		{ HB_VM_THP_FAULT_ALLOC, "thp_fault_alloc" },
		{ HB_VM_THP_FAULT_FALLBACK, "thp_fault_fallback" },
		{ HB_VM_COMPACT_STALL, "compact_stall" },
		{ HB_VM_COMPACT_SUCCESS, "compact_success" },
		{ HB_VM_COMPACT_FAIL, "compact_fail" },
		{ 0, NULL },
	};
	static const struct counter repair_ids[] = {
		{ HB_VM_THP_COLLAPSE_ALLOC, "thp_collapse_alloc" },
		{ HB_VM_THP_COLLAPSE_ALLOC_FAILED, "thp_collapse_alloc_failed" },
		{ HB_VM_COMPACT_STALL, "compact_stall" },
		{ 0, NULL },
	};
	const struct defrag_params *d = p;
	struct defrag_state *s = state;
	struct hb_vmstat v0, v1, v2;
	struct timespec ts = { (time_t)(d->settle / 1000000000ull),
			       (long)(d->settle % 1000000000ull) };
	int rc;

	baseline(ctx, d, s);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	rc = touch(ctx, d, s, &v0, &v1);
	if (rc)
		return rc;
	hb_region_coverage(ctx);
	fault_rows(ctx, s);
	vmstat_rows(ctx, "touch", &v0, &v1, touch_ids);

	if (d->repair == DEFRAG_REPAIR_NONE && madvise(s->mem, d->size, MADV_NOHUGEPAGE))
		return -errno;
	if (d->repair == DEFRAG_REPAIR_COLLAPSE) {
		rc = collapse(ctx, d, s);
		if (rc)
			return rc;
	}
	rc = watch(ctx, d, s);
	if (!rc && !hb_vmstat_now(ctx, &v2))
		vmstat_rows(ctx, "repair", &v1, &v2, repair_ids);
	return rc;
}

static void defrag_teardown(struct hb_ctx *ctx, const void *p, void *state)
{
	struct defrag_state *s = state;

	(void)p;
	if (s->base)
		hb_region_unmap(ctx, s->base);
	hb_region_unmap(ctx, s->mem);
	free(s);
}

static const struct hb_workload_needs defrag_needs = {
	.memory_needed = defrag_memory_needed,
	.supported = defrag_supported,
	.backing_unsupported = defrag_backing_unsupported,
	.touches_in_run = 1,
};

static const struct hb_workload_report defrag_report = {
	.derive = hb_defrag_derive,
	.outputs = &hb_defrag_outputs,
};

const struct hb_workload hb_workload_defrag = {
	.name = "defrag",
	.summary = "THP first-touch latency per 2 MiB extent by defrag mode, fresh or aged, "
		   "against a 4 KiB baseline; then the repair of what fell back, watched",
	.params = defrag_params_table,
	.params_size = sizeof(struct defrag_params),
	.validate = defrag_validate,
	.setup = defrag_setup,
	.run = defrag_run,
	.teardown = defrag_teardown,
	.needs = &defrag_needs,
	.report = &defrag_report,
};
