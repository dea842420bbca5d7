/*
 * ctx.h: what folios of which order map a region (hb_region_folios), the same sampled over
 * time (hb_region_watch), and the folio_kib_<size> / pmd_mapped_kib rows after setup.
 * As root the figures come from pagemap + kpageflags (pagemap.c); otherwise from smaps, which
 * sees PMD-mapped THP (AnonHugePages) and hugetlb but no mTHP size, with the reason.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctx_impl.h"
#include "pagemap.h"
#include "smaps.h"
#include "sysinfo.h" /* HB_THP_DIR, HB_HUGETLB_DIR */
#include "units.h"

#define FOLIO_NOTE "pagemap + kpageflags"

static const struct region *find_region(const struct hb_ctx *ctx, const void *addr)
{
	for (unsigned i = 0; i < ctx->nregions; i++)
		if (ctx->regions[i].addr == addr)
			return &ctx->regions[i];
	return NULL;
}

static unsigned order_of_kib(uint64_t kib)
{
	unsigned o = 0;

	while (o < HB_FOLIO_ORDERS - 1 && (4ull << (o + 1)) <= kib)
		o++;
	return o;
}

/* The order whose folios count as huge for the cell's backing: an mTHP backing's own size
 * (the backings with a fault counter), else -1: order >= 9. */
static int coverage_order(const struct hb_ctx *ctx)
{
	const struct hb_backing *b = &ctx->cell->backing;

	return b->ops->fault_count ? (int)order_of_kib(b->page_size >> 10) : -1;
}

/* smaps as a folio view: AnonHugePages at order 9, *_Hugetlb at the VMA's page size, the
 * rest of Rss at order 0 (smaps cannot tell mTHP folios from 4 KiB pages). */
static void view_from_smaps(const struct hb_smaps *s, struct hb_folio_view *v)
{
	uint64_t hugetlb = s->private_hugetlb_kib + s->shared_hugetlb_kib;
	uint64_t anon_huge = s->anon_huge_kib < s->rss_kib ? s->anon_huge_kib : s->rss_kib;
	unsigned horder = order_of_kib(s->kernel_page_kib ? s->kernel_page_kib : 4);

	v->kib[HB_PMD_ORDER] += anon_huge;
	v->kib[0] += s->rss_kib - anon_huge;
	v->kib[horder] += hugetlb;
	v->hugetlb_kib = hugetlb;
	v->pmd_mapped_kib = anon_huge + (horder >= HB_PMD_ORDER ? hugetlb : 0);
	v->resident_kib = s->rss_kib + hugetlb;
}

static int region_view(const struct region *r, struct hb_folio_view *v)
{
	uintptr_t start = (uintptr_t)r->addr;
	char why[sizeof(v->why)];
	struct hb_smaps s;
	int rc;

	if (hb_pagemap_read(0, start, start + r->len, v) == 0)
		return 0;
	memcpy(why, v->why, sizeof(why));
	rc = hb_smaps_read_region("/proc/self/smaps", start, start + r->len, &s);
	memset(v, 0, sizeof(*v));
	v->region_kib = r->len >> 10;
	snprintf(v->why, sizeof(v->why), "%s", why);
	if (rc)
		return rc;
	view_from_smaps(&s, v);
	return 0;
}

int hb_region_folios(struct hb_ctx *ctx, const void *addr, struct hb_folio_view *v)
{
	const struct region *r = find_region(ctx, addr);

	if (!r)
		return -ENOENT;
	return region_view(r, v);
}

static double pct_of(uint64_t kib, uint64_t region_kib)
{
	return region_kib ? 100.0 * (double)kib / (double)region_kib : 0;
}

int hb_region_watch(struct hb_ctx *ctx, const void *addr, uint64_t duration_ns,
		    uint64_t interval_ns, double *trace, size_t cap)
{
	const struct region *r = find_region(ctx, addr);
	int order = coverage_order(ctx), stored = 0;
	struct timespec next;
	uint64_t elapsed = 0;

	if (!r)
		return -ENOENT;
	if (!interval_ns)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		struct hb_folio_view v;
		double pct;
		int rc = region_view(r, &v);

		if (rc)
			return rc;
		pct = pct_of(hb_folio_huge_kib(&v, order), v.region_kib);
		hb_gauge_set(ctx, "pmd_mapped_pct", pct_of(v.pmd_mapped_kib, v.region_kib));
		/* Both gauges of this sample go out together (the flush is rate-limited). */
		if (interval_ns >= GAUGE_FLUSH_NS)
			ctx->gauges_flushed = 0;
		hb_gauge_set(ctx, "huge_coverage_pct", pct);
		if ((size_t)stored < cap)
			trace[stored++] = pct;
		elapsed += interval_ns;
		if (elapsed > duration_ns)
			break;
		next.tv_sec += (time_t)(interval_ns / 1000000000ull);
		next.tv_nsec += (long)(interval_ns % 1000000000ull);
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL)) == EINTR)
			;
		if (rc)
			return -rc;
	}
	return stored;
}

/* Marks in *listed the orders this machine has a page size for: 4 KiB, each mTHP size, the
 * PMD size and each hugetlb pool size (1 GiB where present). */
static void listed_orders(unsigned char listed[HB_FOLIO_ORDERS])
{
	static const char *const dirs[] = { HB_THP_DIR, HB_HUGETLB_DIR };

	memset(listed, 0, HB_FOLIO_ORDERS);
	listed[0] = listed[HB_PMD_ORDER] = 1;
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		DIR *d = opendir(dirs[i]);
		struct dirent *e;

		if (!d)
			continue;
		while ((e = readdir(d))) {
			unsigned long long kib;

			if (sscanf(e->d_name, "hugepages-%llukB", &kib) == 1 && kib >= 4 &&
			    order_of_kib(kib) < HB_FOLIO_ORDERS && (4ull << order_of_kib(kib)) == kib)
				listed[order_of_kib(kib)] = 1;
		}
		closedir(d);
	}
}

/* An unavailable KiB row: the unit stays, so the column reads the same in every cell. */
static void unavailable_kib(struct hb_ctx *ctx, const char *name, const char *why)
{
	hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_METRIC, .name = name,
					   .value = "unavailable", .unit = "KiB", .note = why });
}

static void row_name(unsigned order, char *buf, size_t len)
{
	char size[32];

	hb_format_size(4096ull << order, size, sizeof(size));
	for (char *c = size; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	snprintf(buf, len, "folio_kib_%s", size);
}

int hb_ctx_folio_rows(struct hb_ctx *ctx, uint64_t smaps_huge_kib, uint64_t *huge_kib,
		      char *how, size_t len)
{
	struct hb_folio_view sum = { 0 }, v = { 0 };
	unsigned char listed[HB_FOLIO_ORDERS];
	int order = coverage_order(ctx), rc = 0;
	char name[48], note[256];

	listed_orders(listed);
	for (unsigned i = 0; i < ctx->nregions && !rc; i++) {
		uintptr_t start = (uintptr_t)ctx->regions[i].addr;

		rc = hb_pagemap_read(0, start, start + ctx->regions[i].len, &v);
		for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++)
			sum.kib[o] += v.kib[o];
		sum.pmd_mapped_kib += v.pmd_mapped_kib;
		sum.region_kib += v.region_kib;
	}
	for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++) {
		if (!listed[o] && !sum.kib[o])
			continue;
		row_name(o, name, sizeof(name));
		if (rc)
			unavailable_kib(ctx, name, v.why);
		else
			hb_metric(ctx, name, (double)sum.kib[o], "KiB", FOLIO_NOTE);
	}
	if (rc) {
		snprintf(note, sizeof(note), "%s; coverage from smaps instead", v.why);
		unavailable_kib(ctx, "pmd_mapped_kib", note);
		return rc;
	}
	snprintf(note, sizeof(note),
		 FOLIO_NOTE ": 2 MiB blocks mapped whole by one folio of order >= 9; smaps "
		 "AnonHugePages + *_Hugetlb: %llu kB", (unsigned long long)smaps_huge_kib);
	hb_metric(ctx, "pmd_mapped_kib", (double)sum.pmd_mapped_kib, "KiB", note);
	*huge_kib = hb_folio_huge_kib(&sum, order);
	if (order >= 0)
		snprintf(how, len, "folios of %llu KiB (order %d) in /proc/self/pagemap + "
			 "/proc/kpageflags, not the machine-wide mTHP stats delta",
			 (unsigned long long)(4ull << order), order);
	else
		snprintf(how, len, "folios of order >= 9 (2 MiB and up) in /proc/self/pagemap + "
			 "/proc/kpageflags");
	return 0;
}
