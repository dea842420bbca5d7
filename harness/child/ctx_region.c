/* ctx.h: regions in the cell's backing, and the proof after setup of what the kernel gave. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ctx_impl.h"
#include "smaps.h"

void *hb_region_map(struct hb_ctx *ctx, uint64_t bytes)
{
	uint64_t len;
	void *p;

	if (ctx->nregions == MAX_REGIONS) {
		errno = ENOSPC;
		return NULL;
	}
	p = hb_backing_map(&ctx->cell->backing, bytes, &len);
	if (!p)
		return NULL;
	ctx->regions[ctx->nregions].addr = p;
	ctx->regions[ctx->nregions].len = len;
	ctx->nregions++;
	return p;
}

void hb_region_unmap(struct hb_ctx *ctx, void *addr)
{
	for (unsigned i = 0; i < ctx->nregions; i++) {
		if (ctx->regions[i].addr != addr)
			continue;
		munmap(addr, ctx->regions[i].len);
		ctx->regions[i] = ctx->regions[--ctx->nregions];
		return;
	}
}

int hb_region_smaps(struct hb_ctx *ctx, const void *addr, struct hb_smaps *sm)
{
	for (unsigned i = 0; i < ctx->nregions; i++) {
		uintptr_t start = (uintptr_t)ctx->regions[i].addr;

		if (ctx->regions[i].addr == addr)
			return hb_smaps_read_region("/proc/self/smaps", start,
						    start + ctx->regions[i].len, sm);
	}
	return -ENOENT;
}

int hb_region_resident_kib(struct hb_ctx *ctx, const void *addr, uint64_t *kib)
{
	struct hb_smaps s;
	int rc = hb_region_smaps(ctx, addr, &s);

	if (!rc)
		*kib = hb_smaps_resident_kib(&s);
	return rc;
}

/*
 * A workload whose memory comes from malloc maps no region, so there is no region coverage
 * to prove. The whole process's share is reported under its own name instead; no fallback
 * is flagged from it, since whether a heap asks for huge pages is the allocator's choice.
 */
static void process_coverage(struct hb_ctx *ctx)
{
	struct hb_smaps s;
	char path[48];

	if (hb_smaps_read_rollup(hb_ctx_rollup_path(ctx, path, sizeof(path)), &s)) {
		hb_ctx_metric_text(ctx, "huge_coverage_process_pct", "unavailable",
			    "cannot read /proc/self/smaps_rollup");
		return;
	}
	if (!s.rss_kib)
		return;
	hb_metric(ctx, "huge_coverage_process_pct",
		  100.0 * (double)(s.anon_huge_kib + s.private_hugetlb_kib + s.shared_hugetlb_kib) /
			  (double)hb_smaps_resident_kib(&s),
		  "%", ctx->servers[0] ?
		  "the server process after setup: (AnonHugePages + *_Hugetlb) / (Rss + "
		  "*_Hugetlb) in its smaps_rollup" :
		  "whole process after setup: (AnonHugePages + *_Hugetlb) / (Rss + *_Hugetlb) "
		  "in smaps_rollup; the workload maps no region of its own (memory from malloc)");
}

/* After setup: what share of the cell's regions is really backed by huge pages. */
void hb_ctx_coverage(struct hb_ctx *ctx, uint64_t mthp_before, int mthp_ok)
{
	const struct hb_backing *b = &ctx->cell->backing;
	uint64_t total_kib = 0, huge_kib = 0, kernel_page_kib = 0, resident_kib = 0;
	uint64_t folio_huge_kib = 0;
	const char *how = b->ops->coverage_how;
	char note[320], folio_how[192];

	for (unsigned i = 0; i < ctx->nregions; i++) {
		struct hb_smaps s;
		uintptr_t start = (uintptr_t)ctx->regions[i].addr;

		if (hb_smaps_read_region("/proc/self/smaps", start, start + ctx->regions[i].len,
					 &s)) {
			hb_ctx_metric_text(ctx, "huge_coverage_pct", "unavailable",
				    "cannot read /proc/self/smaps");
			return;
		}
		total_kib += ctx->regions[i].len >> 10;
		resident_kib += hb_smaps_resident_kib(&s);
		huge_kib += s.anon_huge_kib + s.private_hugetlb_kib + s.shared_hugetlb_kib;
		if (s.kernel_page_kib > kernel_page_kib)
			kernel_page_kib = s.kernel_page_kib;
	}
	if (!total_kib) {
		process_coverage(ctx);
		return;
	}
	if (!resident_kib) {
		/* Nothing touched yet: the workload populates inside its measured phase. */
		hb_ctx_metric_text(ctx, "huge_coverage_pct", "unavailable",
			    "nothing of the regions is resident after setup (the workload first "
			    "touches its memory in the measured phase)");
		return;
	}
	if (hb_ctx_folio_rows(ctx, huge_kib, &folio_huge_kib, folio_how, sizeof(folio_how)) == 0) {
		/* As root: per folio order, which also sees mTHP sizes in the region itself. */
		huge_kib = folio_huge_kib;
		how = folio_how;
	} else if (b->ops->fault_count) {
		uint64_t after;

		/* The backing's huge pages do not show in smaps (mTHP folios): its own fault
		 * counter over setup proves them instead. */
		if (!mthp_ok || b->ops->fault_count(b, &after)) {
			hb_ctx_metric_text(ctx, "huge_coverage_pct", "unavailable",
					   b->ops->no_count);
			return;
		}
		huge_kib = (after - mthp_before) * (b->page_size >> 10);
		if (huge_kib > total_kib)
			huge_kib = total_kib;
	}
	double pct = 100.0 * (double)huge_kib / (double)total_kib;

	snprintf(note, sizeof(note), "%s; KernelPageSize %llu kB", how,
		 (unsigned long long)kernel_page_kib);
	hb_metric(ctx, "huge_coverage_pct", pct, "%", note);
	if (b->wants_huge && pct < 50) {
		snprintf(note, sizeof(note), "asked for %s pages, got %.1f%% coverage", b->name,
			 pct);
		hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_FALLBACK, .note = note });
	}
}
