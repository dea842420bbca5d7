/*
 * Page backings: how a cell's memory is mapped, what machine knobs it needs, and the proof
 * of what it got (huge_coverage_pct from smaps after populate).
 *
 * Each backing is one const entry of a table of ops (fio's ioengines): its name or name
 * pattern, whether it can run here, what it sets up for the cell, how it maps, how its
 * coverage is proved and what a malloc-heap process gets. Adding a backing is one entry in
 * backing_ops.c; nothing else switches on which backing a cell has.
 */
#ifndef HB_BACKING_H
#define HB_BACKING_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hb_knobs;
struct hb_backing;

struct hb_backing_ops {
	/* Fixed backings: the name ("4k"). Sized ones: the prefix before the page size
	 * ("hugetlb-" for "hugetlb-2m"). */
	const char *name;
	int sized;
	/* For "unknown backing" messages: what it accepts ("hugetlb-<size> (e.g. ...)"). */
	const char *accepted;
	/* A name it must parse (the table's unit test): "4k", "hugetlb-2m". */
	const char *example;
	uint64_t page_size; /* fixed backings: the page size they ask for */
	int wants_huge;	    /* coverage under 50% is a fallback */
	/* Sized backings: the sysfs directory holding one hugepages-<N>kB per size (`list`),
	 * the sizes it takes, and sizes_below_pmd (the PMD size is another backing's). */
	const char *sizes_dir;
	int (*size_ok)(uint64_t page_size);
	int sizes_below_pmd;

	/* NULL when it can run here, else why not (buf may hold the text). */
	const char *(*unsupported)(const struct hb_backing *b, char *buf, size_t len);
	/* Parent side, before the child: knobs through k (restored by the knobs module after
	 * the cell), hugetlb pool for bytes. NULL: nothing to do. 0 or -errno with why. */
	int (*prepare)(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes, char *why,
		       size_t len);
	/* The hugetlb pages bytes need; NULL: no pool. */
	uint64_t (*pool_pages)(const struct hb_backing *b, uint64_t bytes);
	/* Child side: maps bytes, rounded up. NULL with errno on failure. */
	void *(*map)(const struct hb_backing *b, uint64_t bytes, uint64_t *mapped);
	/* madvise advice for the region map_aligned makes; 0: none. */
	int advice;

	/* Coverage proof. how: the source, as the note of huge_coverage_pct says it. Without
	 * fault_count the huge part is smaps' AnonHugePages + *_Hugetlb of the regions; with
	 * it, the delta of that counter over setup times the page size (mTHP folios do not
	 * show in smaps), or unavailable with no_count when it cannot be read. */
	const char *coverage_how;
	int (*fault_count)(const struct hb_backing *b, uint64_t *count);
	const char *no_count;
	/* Note of charged_kib; NULL: "memory cgroup of the cell". */
	const char *charged_note;
	/* Process policy for a workload whose memory comes from malloc (no region to advise):
	 * 1: the child gets PR_SET_THP_DISABLE (kept across exec), as Redis does. */
	int process_thp_disable;
};

/* Every backing, in `hugebench list` order, ending with an entry whose name is NULL. */
extern const struct hb_backing_ops hb_backing_table[];

struct hb_backing {
	char name[32];
	const struct hb_backing_ops *ops;
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
/* The hugetlb pool needed for "bytes": pages of b->page_size; 0 for backings without one. */
uint64_t hb_backing_pool_pages(const struct hb_backing *b, uint64_t bytes);

/* mTHP per-size counter of allocations (stats/anon_fault_alloc), for mTHP coverage, which
 * smaps does not show per size. -ENOENT where the kernel lacks it. */
int hb_mthp_fault_alloc(uint64_t page_size, uint64_t *count);

#endif
