/*
 * Page backings: how a cell's memory is mapped, what machine knobs it needs, and the proof
 * of what it got (huge_coverage_pct from smaps after populate).
 */
#ifndef HB_BACKING_H
#define HB_BACKING_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hb_knobs;

enum hb_backing_kind {
	HB_BK_4K,	  /* MADV_NOHUGEPAGE: never quietly THP */
	HB_BK_THP,	  /* MADV_HUGEPAGE under the current system mode */
	HB_BK_THP_ALWAYS, /* system THP enabled=always for the cell */
	HB_BK_THP_NEVER,  /* system THP enabled=never for the cell */
	HB_BK_HUGETLB,	  /* MAP_HUGETLB with the size flag, pool reserved for the cell */
	HB_BK_MTHP,	  /* one mTHP size set to always for the cell */
};

struct hb_backing {
	char name[32];
	enum hb_backing_kind kind;
	uint64_t page_size; /* the page size it asks for: 4096, 2M, 1G, 64K, ... */
	int wants_huge;	    /* coverage under 50% is a fallback */
};

/* "4k", "thp", "thp-always", "thp-never", "hugetlb-2m", "hugetlb-1g", "mthp-64k", ...
 * Returns 0 or -EINVAL with err listing what is accepted. */
int hb_backing_parse(const char *name, struct hb_backing *b, char *err, size_t errlen);
/* NULL when the backing can run here, else the reason (knob or pool absent, not root). */
const char *hb_backing_unsupported(const struct hb_backing *b, char *buf, size_t len);
/* Prints every backing name with available / not available here and why. */
void hb_backing_list(FILE *f);
/* The backing names this machine supports, comma-separated (the default --backing). */
void hb_backing_default_list(char *buf, size_t len);

/* Parent side, before the cell's child starts: sets the knobs it needs through k (saved and
 * restored by the knobs module), reserves hugetlb pages for "bytes". 0, or -errno with why
 * (a cell that cannot get its resources is skipped with that reason). */
int hb_backing_prepare(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes, char *why,
		       size_t len);
/* Child side: maps bytes (rounded up to the page size). NULL with errno on failure. */
void *hb_backing_map(const struct hb_backing *b, uint64_t bytes, uint64_t *mapped);
/* The hugetlb pool needed for "bytes": pages of b->page_size; 0 for other kinds. */
uint64_t hb_backing_pool_pages(const struct hb_backing *b, uint64_t bytes);

/* mTHP per-size counter of allocations (stats/anon_fault_alloc), for mTHP coverage, which
 * smaps does not show per size. -ENOENT where the kernel lacks it. */
int hb_mthp_fault_alloc(uint64_t page_size, uint64_t *count);

#endif
