#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backing.h"
#include "knobs.h"
#include "readfile.h"
#include "units.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define HUGETLB_DIR "/sys/kernel/mm/hugepages"
#define PMD_SIZE_FALLBACK (2ull << 20)

static const char accepted[] =
	"4k, thp, thp-always, thp-never, hugetlb-<size> (e.g. hugetlb-2m, hugetlb-1g), "
	"mthp-<size> (e.g. mthp-64k)";

/* "2m" -> 2097152, "64k" -> 65536: backing names use lower-case suffixes. */
static int parse_page_size(const char *s, uint64_t *out)
{
	uint64_t v;

	if (hb_parse_size(s, &v) || v < 4096 || (v & (v - 1)))
		return -EINVAL;
	*out = v;
	return 0;
}

int hb_backing_parse(const char *name, struct hb_backing *b, char *err, size_t errlen)
{
	memset(b, 0, sizeof(*b));
	if (strlen(name) >= sizeof(b->name))
		goto bad;
	snprintf(b->name, sizeof(b->name), "%s", name);
	if (!strcmp(name, "4k")) {
		b->kind = HB_BK_4K;
		b->page_size = 4096;
	} else if (!strcmp(name, "thp") || !strcmp(name, "thp-always")) {
		b->kind = name[3] ? HB_BK_THP_ALWAYS : HB_BK_THP;
		b->page_size = PMD_SIZE_FALLBACK;
		b->wants_huge = 1;
	} else if (!strcmp(name, "thp-never")) {
		b->kind = HB_BK_THP_NEVER;
		b->page_size = 4096;
	} else if (!strncmp(name, "hugetlb-", 8) && !parse_page_size(name + 8, &b->page_size)) {
		b->kind = HB_BK_HUGETLB;
		b->wants_huge = 1;
	} else if (!strncmp(name, "mthp-", 5) && !parse_page_size(name + 5, &b->page_size) &&
		   b->page_size > 4096) {
		b->kind = HB_BK_MTHP;
		b->wants_huge = 1;
	} else {
		goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "unknown backing '%s'; accepted: %s", name, accepted);
	return -EINVAL;
}

static int path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}


static void hugetlb_dir(uint64_t page_size, char *buf, size_t len)
{
	snprintf(buf, len, HUGETLB_DIR "/hugepages-%llukB", (unsigned long long)(page_size >> 10));
}

static void mthp_dir(uint64_t page_size, char *buf, size_t len)
{
	snprintf(buf, len, THP_DIR "/hugepages-%llukB", (unsigned long long)(page_size >> 10));
}

const char *hb_backing_unsupported(const struct hb_backing *b, char *buf, size_t len)
{
	char dir[256];

	switch (b->kind) {
	case HB_BK_4K:
		return NULL;
	case HB_BK_THP:
		if (!path_exists(THP_DIR "/enabled"))
			return "this kernel has no transparent huge pages (" THP_DIR " is absent)";
		return NULL;
	case HB_BK_THP_ALWAYS:
	case HB_BK_THP_NEVER:
		if (!path_exists(THP_DIR "/enabled"))
			return "this kernel has no transparent huge pages (" THP_DIR " is absent)";
		if (geteuid() != 0)
			return "setting the system THP mode needs root";
		return NULL;
	case HB_BK_HUGETLB:
		hugetlb_dir(b->page_size, dir, sizeof(dir));
		if (!path_exists(dir)) {
			snprintf(buf, len, "no hugetlb pool of this page size here (%s is absent)",
				 dir);
			return buf;
		}
		if (geteuid() != 0) {
			snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/free_hugepages");
			uint64_t free_pages = 0;

			if (hb_read_u64(dir, &free_pages) || free_pages == 0)
				return "the hugetlb pool is empty and reserving pages needs root";
		}
		return NULL;
	case HB_BK_MTHP:
		mthp_dir(b->page_size, dir, sizeof(dir));
		if (!path_exists(dir)) {
			snprintf(buf, len, "no mTHP knob for this size on this kernel (%s is absent)",
				 dir);
			return buf;
		}
		/* A size may exist for shmem only (e.g. 8kB: anonymous memory has no order-1
		 * folios), with shmem_enabled but no enabled. */
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/enabled");
		if (!path_exists(dir)) {
			snprintf(buf, len, "this mTHP size is for shmem only here (%s is absent)",
				 dir);
			return buf;
		}
		if (geteuid() != 0)
			return "setting an mTHP size to always needs root";
		return NULL;
	}
	return "unknown backing kind";
}

static const char *const fixed_names[] = { "4k", "thp", "thp-always", "thp-never", NULL };

/* Calls fn for every backing this kernel could have: the fixed ones, one per hugetlb pool
 * size and one per mTHP size below the PMD size (PMD-sized mTHP is the thp backing). */
static void for_each_backing(void (*fn)(const char *name, void *arg), void *arg)
{
	static const char *const dirs[] = { HUGETLB_DIR, THP_DIR };
	static const char *const prefix[] = { "hugetlb-", "mthp-" };
	char name[64], pmd[32];

	for (int i = 0; fixed_names[i]; i++)
		fn(fixed_names[i], arg);
	hb_format_size(PMD_SIZE_FALLBACK, pmd, sizeof(pmd));
	for (int d = 0; d < 2; d++) {
		unsigned long long kib[64];
		int n = 0;
		char path[128];

		/* Sizes in order, smallest first: probe the powers of two. */
		for (unsigned long long k = 8; k <= (16ull << 20) && n < 64; k <<= 1) {
			snprintf(path, sizeof(path), "%s/hugepages-%llukB", dirs[d], k);
			if (path_exists(path))
				kib[n++] = k;
		}
		for (int i = 0; i < n; i++) {
			char sz[32];

			hb_format_size(kib[i] << 10, sz, sizeof(sz));
			for (char *c = sz; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			if (d == 1 && (kib[i] << 10) >= PMD_SIZE_FALLBACK)
				continue;
			snprintf(name, sizeof(name), "%s%s", prefix[d], sz);
			fn(name, arg);
		}
	}
}

static void list_one(const char *name, void *arg)
{
	FILE *f = arg;
	struct hb_backing b;
	char err[256], buf[256];
	const char *why;

	if (hb_backing_parse(name, &b, err, sizeof(err)))
		return;
	why = hb_backing_unsupported(&b, buf, sizeof(buf));
	fprintf(f, "  %-12s %s%s\n", name, why ? "not available here: " : "available", why ? why : "");
}

void hb_backing_list(FILE *f)
{
	for_each_backing(list_one, f);
}

struct default_acc {
	char *buf;
	size_t len, off;
};

static void default_one(const char *name, void *arg)
{
	struct default_acc *a = arg;
	struct hb_backing b;
	char err[256], why[256];

	/* The default matrix: the baseline and the common huge backings, not every mTHP size. */
	if (strcmp(name, "4k") && strcmp(name, "thp") && strcmp(name, "hugetlb-2m"))
		return;
	if (hb_backing_parse(name, &b, err, sizeof(err)) ||
	    hb_backing_unsupported(&b, why, sizeof(why)))
		return;
	if (a->off < a->len)
		a->off += (size_t)snprintf(a->buf + a->off, a->len - a->off, "%s%s",
					   a->off ? "," : "", name);
}

void hb_backing_default_list(char *buf, size_t len)
{
	struct default_acc a = { buf, len, 0 };

	buf[0] = 0;
	for_each_backing(default_one, &a);
}

uint64_t hb_backing_pool_pages(const struct hb_backing *b, uint64_t bytes)
{
	if (b->kind != HB_BK_HUGETLB)
		return 0;
	return (bytes + b->page_size - 1) / b->page_size;
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

static int reserve_hugetlb(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes,
			   char *why, size_t len)
{
	char dir[200], nr_path[256], free_path[256], val[32];
	uint64_t need = hb_backing_pool_pages(b, bytes), total, free_now;
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

int hb_backing_prepare(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes, char *why,
		       size_t len)
{
	char path[256], other[256];

	switch (b->kind) {
	case HB_BK_4K:
	case HB_BK_THP:
		return 0;
	case HB_BK_THP_ALWAYS:
		return set_knob(k, THP_DIR "/enabled", "always", why, len);
	case HB_BK_THP_NEVER:
		return set_knob(k, THP_DIR "/enabled", "never", why, len);
	case HB_BK_HUGETLB:
		return reserve_hugetlb(b, k, bytes, why, len);
	case HB_BK_MTHP:
		/* Only this size may be used: every other size (PMD included) is set to never
		 * for the cell, so the region cannot quietly get a different folio size. */
		for (unsigned long long kib = 8; kib <= (16ull << 20); kib <<= 1) {
			snprintf(other, sizeof(other), THP_DIR "/hugepages-%llukB/enabled", kib);
			if (kib << 10 == b->page_size || !path_exists(other))
				continue;
			if (hb_knob_read(k, other, path, sizeof(path)) == 0 &&
			    !strcmp(path, "never"))
				continue;
			if (set_knob(k, other, "never", why, len))
				return -EIO;
		}
		mthp_dir(b->page_size, path, sizeof(path));
		strncat(path, "/enabled", sizeof(path) - strlen(path) - 1);
		return set_knob(k, path, "always", why, len);
	}
	return -EINVAL;
}

static unsigned log2_u64(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

void *hb_backing_map(const struct hb_backing *b, uint64_t bytes, uint64_t *mapped)
{
	uint64_t align = b->page_size < PMD_SIZE_FALLBACK ? PMD_SIZE_FALLBACK : b->page_size;
	uint64_t len = (bytes + b->page_size - 1) / b->page_size * b->page_size;
	char *raw, *p;

	if (b->kind == HB_BK_HUGETLB) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
				 (int)(log2_u64(b->page_size) << MAP_HUGE_SHIFT),
			 -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		*mapped = len;
		return p;
	}
	/* THP needs a 2 MiB-aligned VMA: over-map, then trim the ends so the VMA is exactly the
	 * region (and its smaps entry says only what this region got). */
	len = (bytes + align - 1) / align * align;
	raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + len + align > p + len)
		munmap(p + len, (size_t)(raw + len + align - (p + len)));
	if (b->kind == HB_BK_4K && madvise(p, len, MADV_NOHUGEPAGE))
		goto fail;
	if (b->kind == HB_BK_THP && madvise(p, len, MADV_HUGEPAGE))
		goto fail;
	*mapped = len;
	return p;
fail:
	munmap(p, len);
	return NULL;
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
