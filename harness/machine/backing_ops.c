/*
 * The backings, one entry each: what it needs here, what it sets up for the cell, how it maps
 * and how its coverage is proved. backing.c parses names and lists them from this table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "knobs.h"
#include "readfile.h"
#include "sysinfo.h" /* HB_THP_DIR, HB_HUGETLB_DIR */

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

#define PMD_SIZE_FALLBACK (2ull << 20)
#define NO_THP "this kernel has no transparent huge pages (" HB_THP_DIR " is absent)"

static int path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void hugetlb_dir(uint64_t page_size, char *buf, size_t len)
{
	snprintf(buf, len, HB_HUGETLB_DIR "/hugepages-%llukB",
		 (unsigned long long)(page_size >> 10));
}

static void mthp_dir(uint64_t page_size, char *buf, size_t len)
{
	snprintf(buf, len, HB_THP_DIR "/hugepages-%llukB", (unsigned long long)(page_size >> 10));
}

static int set_knob(struct hb_knobs *k, const char *path, const char *value, char *why,
		    size_t len)
{
	int rc = hb_knob_set(k, path, value);

	if (rc == -EBUSY)
		snprintf(why, len, "another hugebench run holds machine knobs (state file %s)",
			 k->state_path);
	else if (rc)
		snprintf(why, len, "cannot write '%s' to %s: %s", value, path, strerror(-rc));
	return rc;
}

static unsigned log2_u64(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

/* THP needs a 2 MiB-aligned VMA: over-map, then trim the ends so the VMA is exactly the
 * region (and its smaps entry says only what this region got). */
static void *map_aligned(const struct hb_backing *b, uint64_t bytes, uint64_t *mapped)
{
	uint64_t align = b->page_size < PMD_SIZE_FALLBACK ? PMD_SIZE_FALLBACK : b->page_size;
	uint64_t len = (bytes + align - 1) / align * align;
	char *raw, *p;

	raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + len + align > p + len)
		munmap(p + len, (size_t)(raw + len + align - (p + len)));
	if (b->ops->advice && madvise(p, len, b->ops->advice)) {
		munmap(p, len);
		return NULL;
	}
	*mapped = len;
	return p;
}

/* 4k, thp */

static const char *thp_unsupported(const struct hb_backing *b, char *buf, size_t len)
{
	(void)b, (void)buf, (void)len;
	return path_exists(HB_THP_DIR "/enabled") ? NULL : NO_THP;
}

/* thp-always, thp-never: the system mode for the cell */

static const char *thp_mode_unsupported(const struct hb_backing *b, char *buf, size_t len)
{
	(void)b, (void)buf, (void)len;
	if (!path_exists(HB_THP_DIR "/enabled"))
		return NO_THP;
	if (geteuid() != 0)
		return "setting the system THP mode needs root";
	return NULL;
}

static int thp_always_prepare(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes,
			      char *why, size_t len)
{
	(void)b, (void)bytes;
	return set_knob(k, HB_THP_DIR "/enabled", "always", why, len);
}

static int thp_never_prepare(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes,
			     char *why, size_t len)
{
	(void)b, (void)bytes;
	return set_knob(k, HB_THP_DIR "/enabled", "never", why, len);
}

/* hugetlb-<size> */

static int size_any(uint64_t page_size)
{
	(void)page_size;
	return 1;
}

static const char *hugetlb_unsupported(const struct hb_backing *b, char *buf, size_t len)
{
	char dir[256];
	uint64_t free_pages = 0;

	hugetlb_dir(b->page_size, dir, sizeof(dir));
	if (!path_exists(dir)) {
		snprintf(buf, len, "no hugetlb pool of this page size here (%s is absent)", dir);
		return buf;
	}
	if (geteuid() != 0) {
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/free_hugepages");
		if (hb_read_u64(dir, &free_pages) || free_pages == 0)
			return "the hugetlb pool is empty and reserving pages needs root";
	}
	return NULL;
}

static uint64_t hugetlb_pool_pages(const struct hb_backing *b, uint64_t bytes)
{
	return (bytes + b->page_size - 1) / b->page_size;
}

static int hugetlb_prepare(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes,
			   char *why, size_t len)
{
	char dir[200], nr_path[256], free_path[256], val[32];
	uint64_t need = hugetlb_pool_pages(b, bytes), total, free_now;
	int rc;

	hugetlb_dir(b->page_size, dir, sizeof(dir));
	snprintf(nr_path, sizeof(nr_path), "%s/nr_hugepages", dir);
	snprintf(free_path, sizeof(free_path), "%s/free_hugepages", dir);
	if (hb_knob_read(k, nr_path, val, sizeof(val)) ||
	    hb_knob_read(k, free_path, val + 16, sizeof(val) - 16)) {
		snprintf(why, len, "cannot read the hugetlb pool at %s", dir);
		return -ENOENT;
	}
	total = strtoull(val, NULL, 10);
	free_now = strtoull(val + 16, NULL, 10);
	if (free_now >= need)
		return 0;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)(total + need - free_now));
	rc = set_knob(k, nr_path, val, why, len);
	if (rc)
		return rc;
	/* The kernel gives what it can find contiguous: read back what we really got. */
	if (hb_knob_read(k, free_path, val, sizeof(val)))
		return -EIO;
	free_now = strtoull(val, NULL, 10);
	if (free_now < need) {
		snprintf(why, len, "could reserve only %llu of %llu hugetlb pages of %llu KiB "
			 "(memory too fragmented or too small)", (unsigned long long)free_now,
			 (unsigned long long)need, (unsigned long long)(b->page_size >> 10));
		return -ENOMEM;
	}
	return 0;
}

static void *hugetlb_map(const struct hb_backing *b, uint64_t bytes, uint64_t *mapped)
{
	uint64_t len = (bytes + b->page_size - 1) / b->page_size * b->page_size;
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			       (int)(log2_u64(b->page_size) << MAP_HUGE_SHIFT),
		       -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	*mapped = len;
	return p;
}

/* mthp-<size>: one size set to always for the cell */

static int size_mthp(uint64_t page_size)
{
	return page_size > 4096;
}

static const char *mthp_unsupported(const struct hb_backing *b, char *buf, size_t len)
{
	char dir[256];

	mthp_dir(b->page_size, dir, sizeof(dir));
	if (!path_exists(dir)) {
		snprintf(buf, len, "no mTHP knob for this size on this kernel (%s is absent)", dir);
		return buf;
	}
	/* A size may exist for shmem only (e.g. 8kB: anonymous memory has no order-1 folios),
	 * with shmem_enabled but no enabled. */
	snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/enabled");
	if (!path_exists(dir)) {
		snprintf(buf, len, "this mTHP size is for shmem only here (%s is absent)", dir);
		return buf;
	}
	if (geteuid() != 0)
		return "setting an mTHP size to always needs root";
	return NULL;
}

static int mthp_prepare(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes,
			char *why, size_t len)
{
	char path[256], other[256];

	(void)bytes;
	/* Only this size may be used: every other size (PMD included) is set to never for the
	 * cell, so the region cannot quietly get a different folio size. */
	for (unsigned long long kib = 8; kib <= (16ull << 20); kib <<= 1) {
		snprintf(other, sizeof(other), HB_THP_DIR "/hugepages-%llukB/enabled", kib);
		if (kib << 10 == b->page_size || !path_exists(other))
			continue;
		if (hb_knob_read(k, other, path, sizeof(path)) == 0 && !strcmp(path, "never"))
			continue;
		if (set_knob(k, other, "never", why, len))
			return -EIO;
	}
	mthp_dir(b->page_size, path, sizeof(path));
	strncat(path, "/enabled", sizeof(path) - strlen(path) - 1);
	return set_knob(k, path, "always", why, len);
}

static int mthp_fault_count(const struct hb_backing *b, uint64_t *count)
{
	return hb_mthp_fault_alloc(b->page_size, count);
}

int hb_mthp_fault_alloc(uint64_t page_size, uint64_t *count)
{
	char path[256];
	FILE *f;
	unsigned long long v;
	int ok;

	mthp_dir(page_size, path, sizeof(path));
	strncat(path, "/stats/anon_fault_alloc", sizeof(path) - strlen(path) - 1);
	f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok)
		return -EINVAL;
	*count = v;
	return 0;
}

#define SMAPS_ANON_HUGE "AnonHugePages in /proc/self/smaps"

const struct hb_backing_ops hb_backing_table[] = {
	{
		/* MADV_NOHUGEPAGE: never quietly THP */
		.name = "4k",
		.accepted = "4k",
		.example = "4k",
		.page_size = 4096,
		.map = map_aligned,
		.advice = MADV_NOHUGEPAGE,
		.coverage_how = SMAPS_ANON_HUGE,
		.process_thp_disable = 1,
	},
	{
		/* MADV_HUGEPAGE under the current system mode */
		.name = "thp",
		.accepted = "thp",
		.example = "thp",
		.page_size = PMD_SIZE_FALLBACK,
		.wants_huge = 1,
		.unsupported = thp_unsupported,
		.map = map_aligned,
		.advice = MADV_HUGEPAGE,
		.coverage_how = SMAPS_ANON_HUGE,
	},
	{
		/* system THP enabled=always for the cell */
		.name = "thp-always",
		.accepted = "thp-always",
		.example = "thp-always",
		.page_size = PMD_SIZE_FALLBACK,
		.wants_huge = 1,
		.unsupported = thp_mode_unsupported,
		.prepare = thp_always_prepare,
		.map = map_aligned,
		.coverage_how = SMAPS_ANON_HUGE,
	},
	{
		/* system THP enabled=never for the cell */
		.name = "thp-never",
		.accepted = "thp-never",
		.example = "thp-never",
		.page_size = 4096,
		.unsupported = thp_mode_unsupported,
		.prepare = thp_never_prepare,
		.map = map_aligned,
		.coverage_how = SMAPS_ANON_HUGE,
	},
	{
		/* MAP_HUGETLB with the size flag, pool reserved for the cell */
		.name = "hugetlb-",
		.sized = 1,
		.accepted = "hugetlb-<size> (e.g. hugetlb-2m, hugetlb-1g)",
		.example = "hugetlb-2m",
		.wants_huge = 1,
		.sizes_dir = HB_HUGETLB_DIR,
		.size_ok = size_any,
		.unsupported = hugetlb_unsupported,
		.prepare = hugetlb_prepare,
		.pool_pages = hugetlb_pool_pages,
		.map = hugetlb_map,
		.coverage_how = "Private_Hugetlb + Shared_Hugetlb in /proc/self/smaps",
		.charged_note = "memory cgroup; hugetlb pages are not charged to it",
	},
	{
		.name = "mthp-",
		.sized = 1,
		.accepted = "mthp-<size> (e.g. mthp-64k)",
		.example = "mthp-64k",
		.wants_huge = 1,
		.sizes_dir = HB_THP_DIR,
		.size_ok = size_mthp,
		.sizes_below_pmd = 1,
		.unsupported = mthp_unsupported,
		.prepare = mthp_prepare,
		.map = map_aligned,
		.coverage_how = "mTHP stats/anon_fault_alloc delta (machine-wide counter)",
		/* smaps counts only PMD-sized THP; mTHP folios show in per-size counters,
		 * which are machine-wide. */
		.fault_count = mthp_fault_count,
		.no_count = "this kernel has no per-size mTHP stats/anon_fault_alloc",
	},
	{ .name = NULL },
};
