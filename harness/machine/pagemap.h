/*
 * /proc/PID/pagemap + /proc/kpageflags: what folio of which order maps each page of a range,
 * the way the kernel's tools/mm/thpmaps finds out. pagemap gives, per virtual page, whether it
 * is present and its PFN (0 without CAP_SYS_ADMIN); kpageflags gives, per PFN, whether the
 * page heads or tails a compound page (a large folio), and THP / hugetlb. A folio's order is
 * its head plus the tails that follow it physically.
 */
#ifndef HB_PAGEMAP_H
#define HB_PAGEMAP_H
#include <stddef.h>
#include <stdint.h>

#include "memtypes.h" /* struct hb_folio_view */

#define HB_PM_PRESENT (1ull << 63)
#define HB_PM_PFN_MASK ((1ull << 55) - 1)

/* Documented bits of /proc/kpageflags (Documentation/admin-guide/mm/pagemap.rst). */
#define HB_KPF_COMPOUND_HEAD (1ull << 15)
#define HB_KPF_COMPOUND_TAIL (1ull << 16)
#define HB_KPF_HUGE (1ull << 17) /* hugetlb */
#define HB_KPF_THP (1ull << 22)
#define HB_KPF_ZERO_PAGE (1ull << 24) /* the shared zero page, 4 KiB or huge */

#define HB_PMD_ORDER 9
#define HB_MAX_ORDER (HB_FOLIO_ORDERS - 1)

/* Where kpageflags entries outside the range's own pages come from (the rest of a folio
 * whose head or tail lies outside the range): n flags from pfn on, 0 or -errno. */
struct hb_kpf_src {
	int (*read)(void *arg, uint64_t pfn, size_t n, uint64_t *out);
	void *arg;
};

/* The decoder's state over consecutive chunks of one range (a folio may span chunks). */
struct hb_pagemap_dec {
	const struct hb_kpf_src *src;
	struct hb_folio_view *v; /* added to; the caller zeroes it */
	uint64_t head, nr;	 /* the last folio found: [head, head + nr) */
	unsigned order;
	int hugetlb;
	int have;
	uint64_t seen; /* pages of the last folio met in this range */
	/* Optional: called with the first virtual frame of each PMD-mapped 2 MiB block. */
	void (*on_pmd)(void *arg, uint64_t vfn);
	void *pmd_arg;
};

/*
 * Adds n pages of pagemap entries pm[] (virtual frames vfn0 ...) to d->v: kf[i] is the
 * kpageflags entry of pm[i]'s PFN (ignored where not present). A 2 MiB-aligned virtual block
 * counts as PMD-mapped when its 512 pages are present, physically contiguous from a
 * 2 MiB-aligned PFN and all in one folio of order >= 9 (thpmaps' rule); the caller cuts chunks
 * at 2 MiB-aligned frames, so no block spans two calls. 0, -EPERM when a present page has
 * PFN 0 (hidden without CAP_SYS_ADMIN), or -errno from d->src.
 */
int hb_pagemap_decode(struct hb_pagemap_dec *d, const uint64_t *pm, const uint64_t *kf,
		      size_t n, uint64_t vfn0);
/* At the end of a range: the last folio, when only part of it was mapped in the range, into
 * d->v->partial_kib (hb_pagemap_decode does this for the folios before it). */
void hb_pagemap_decode_end(struct hb_pagemap_dec *d);

/*
 * An open reader of one process's pagemap and of kpageflags, for many ranges (the VMAs of a
 * process: hb_procmem_read) with one set of buffers. The paths are /proc/<pid>/pagemap and
 * /proc/kpageflags, or captured copies (the unit tests' fixtures).
 */
struct hb_pagemap_reader;
/* 0, or -errno with why (no root, file absent). */
int hb_pagemap_open(struct hb_pagemap_reader **r, const char *pagemap, const char *kpageflags,
		    char *why, size_t len);
/* Adds [start, end) to v (not zeroed here); on_pmd, when not NULL, gets each PMD-mapped 2 MiB
 * block's first virtual frame. 0, -EPERM when PFNs are hidden, -errno, with why. */
int hb_pagemap_range(struct hb_pagemap_reader *r, uintptr_t start, uintptr_t end,
		     struct hb_folio_view *v, void (*on_pmd)(void *arg, uint64_t vfn), void *arg,
		     char *why, size_t len);
void hb_pagemap_close(struct hb_pagemap_reader *r);

/*
 * Reads [start, end) of /proc/<pid>/pagemap (pid 0: self) and the kpageflags of its pages,
 * in big preads, into v (zeroed first, from_pagemap 1). -errno with v->why saying why not
 * (no root, PFNs hidden, file absent): the caller then falls back to smaps.
 */
int hb_pagemap_read(int pid, uintptr_t start, uintptr_t end, struct hb_folio_view *v);

/* KiB of the "huge" folios: of order >= 9 (hugetlb included), or only of order
 * only_order when it is >= 0 (an mTHP backing's own size). */
uint64_t hb_folio_huge_kib(const struct hb_folio_view *v, int only_order);

#endif
