/*
 * Per-order view of a range from /proc/PID/pagemap and /proc/kpageflags (pagemap.h).
 *
 * The decode works on arrays, so the unit test feeds it synthetic entries. The reader reads
 * pagemap one chunk of 32768 entries (128 MiB of address space) per pread; kpageflags for a
 * physically contiguous run of the chunk's pages in one pread (a huge folio is one), and for
 * scattered 4 KiB pages through a small cache of 64-entry blocks, so a 2 GiB region costs a
 * few thousand reads, not half a million.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagemap.h"

#define PAGE_KIB 4
#define PMD_PAGES (1ull << HB_PMD_ORDER)
#define MAX_FOLIO_PAGES (1ull << HB_MAX_ORDER)
#define SCAN_BLOCK 512
#define CHUNK_PAGES 32768 /* a multiple of PMD_PAGES: no 2 MiB block spans two chunks */
#define RUN_MIN 8	  /* shorter runs go through the block cache */
#define CACHE_SHIFT 6
#define CACHE_SLOTS 1024

static inline int present(uint64_t e)
{
	return (e & HB_PM_PRESENT) != 0;
}

static inline uint64_t pfn_of(uint64_t e)
{
	return e & HB_PM_PFN_MASK;
}

static unsigned order_of(uint64_t nr)
{
	unsigned o = 63u - (unsigned)__builtin_clzll(nr);

	return o > HB_MAX_ORDER ? HB_MAX_ORDER : o;
}

/* Tails that follow pfn physically (pfn itself excluded), up to max, read through src. */
static int count_tails(struct hb_pagemap_dec *d, uint64_t pfn, uint64_t max, uint64_t *tails)
{
	uint64_t buf[SCAN_BLOCK], got = 0;

	while (got < max) {
		size_t n = max - got < SCAN_BLOCK ? (size_t)(max - got) : SCAN_BLOCK;
		int rc = d->src->read(d->src->arg, pfn + got, n, buf);

		if (rc)
			return rc;
		for (size_t k = 0; k < n; k++, got++)
			if (!(buf[k] & HB_KPF_COMPOUND_TAIL) || (buf[k] & HB_KPF_COMPOUND_HEAD))
				goto out;
	}
out:
	*tails = got;
	return 0;
}

/* The head of the folio whose tail is at pfn: the nearest head below it, read through src.
 * -ENOENT when a page that is no tail comes first (the folio split under us). */
static int find_head(struct hb_pagemap_dec *d, uint64_t pfn, uint64_t *head)
{
	uint64_t buf[SCAN_BLOCK], lo = pfn, lowest = pfn > MAX_FOLIO_PAGES ? pfn - MAX_FOLIO_PAGES : 0;

	while (lo > lowest) {
		size_t n = lo - lowest < SCAN_BLOCK ? (size_t)(lo - lowest) : SCAN_BLOCK;
		int rc;

		lo -= n;
		rc = d->src->read(d->src->arg, lo, n, buf);
		if (rc)
			return rc;
		for (size_t k = n; k-- > 0;) {
			if (buf[k] & HB_KPF_COMPOUND_HEAD) {
				*head = lo + k;
				return 0;
			}
			if (!(buf[k] & HB_KPF_COMPOUND_TAIL))
				return -ENOENT;
		}
	}
	return -ENOENT;
}

/* The folio of compound page i (pfn, flags kf[i]) into d->head/nr/order. The tails that
 * follow it in the chunk, mapped in order, are counted from kf[] without a read. */
static int find_folio(struct hb_pagemap_dec *d, const uint64_t *pm, const uint64_t *kf, size_t n,
		      size_t i, uint64_t pfn)
{
	uint64_t head = pfn, tails = 0, more = 0;
	size_t j;
	int rc;

	if (!(kf[i] & HB_KPF_COMPOUND_HEAD)) {
		rc = find_head(d, pfn, &head);
		if (rc == -ENOENT) {
			/* A tail with no head: count it as a page of its own. */
			d->head = pfn, d->nr = 1, d->order = 0, d->hugetlb = 0, d->have = 1;
			return 0;
		}
		if (rc)
			return rc;
	} else {
		for (j = i + 1; j < n && present(pm[j]) && pfn_of(pm[j]) == pfn + (j - i); j++) {
			if (!(kf[j] & HB_KPF_COMPOUND_TAIL) || (kf[j] & HB_KPF_COMPOUND_HEAD))
				goto done;
			tails++;
		}
	}
	rc = count_tails(d, head + 1 + tails, MAX_FOLIO_PAGES - 1 - tails, &more);
	if (rc)
		return rc;
	tails += more;
done:
	d->head = head;
	d->nr = 1 + tails;
	d->order = order_of(d->nr);
	d->hugetlb = (kf[i] & HB_KPF_HUGE) != 0;
	d->have = 1;
	return 0;
}

/* Whether the 512 pages from i are present and physically contiguous from an aligned PFN. */
static int pmd_block(const uint64_t *pm, size_t i)
{
	uint64_t pfn0 = pfn_of(pm[i]);

	if (!present(pm[i]) || pfn0 % PMD_PAGES)
		return 0;
	for (size_t k = 1; k < PMD_PAGES; k++)
		if (!present(pm[i + k]) || pfn_of(pm[i + k]) != pfn0 + k)
			return 0;
	return 1;
}

/* The folio left behind: partly mapped when fewer of its pages than it has were met. */
static void folio_done(struct hb_pagemap_dec *d)
{
	if (d->have && d->order > 0 && d->seen < d->nr)
		d->v->partial_kib += d->seen * PAGE_KIB;
	d->seen = 0;
}

void hb_pagemap_decode_end(struct hb_pagemap_dec *d)
{
	folio_done(d);
	d->have = 0;
}

int hb_pagemap_decode(struct hb_pagemap_dec *d, const uint64_t *pm, const uint64_t *kf, size_t n,
		      uint64_t vfn0)
{
	struct hb_folio_view *v = d->v;

	for (size_t i = 0; i < n; i++) {
		uint64_t pfn = pfn_of(pm[i]);
		int block = 0;
		int rc;

		if ((vfn0 + i) % PMD_PAGES == 0 && i + PMD_PAGES <= n)
			block = pmd_block(pm, i);
		if (!present(pm[i]))
			continue;
		if (!pfn)
			return -EPERM;
		if (kf[i] & HB_KPF_ZERO_PAGE) {
			v->zero_kib += PAGE_KIB;
			continue;
		}
		if (!(kf[i] & (HB_KPF_COMPOUND_HEAD | HB_KPF_COMPOUND_TAIL))) {
			v->kib[0] += PAGE_KIB;
			v->resident_kib += PAGE_KIB;
			continue;
		}
		if (!d->have || pfn < d->head || pfn >= d->head + d->nr ||
		    (kf[i] & HB_KPF_COMPOUND_HEAD && pfn != d->head)) {
			folio_done(d);
			rc = find_folio(d, pm, kf, n, i, pfn);
			if (rc)
				return rc;
		}
		d->seen++;
		v->kib[d->order] += PAGE_KIB;
		v->resident_kib += PAGE_KIB;
		if (d->hugetlb)
			v->hugetlb_kib += PAGE_KIB;
		if (block && d->order >= HB_PMD_ORDER && pfn >= d->head &&
		    pfn + PMD_PAGES <= d->head + d->nr) {
			v->pmd_mapped_kib += PMD_PAGES * PAGE_KIB;
			if (d->on_pmd)
				d->on_pmd(d->pmd_arg, vfn0 + i);
		}
	}
	return 0;
}

uint64_t hb_folio_huge_kib(const struct hb_folio_view *v, int only_order)
{
	uint64_t kib = 0;

	if (only_order >= 0)
		return only_order < HB_FOLIO_ORDERS ? v->kib[only_order] : 0;
	for (unsigned o = HB_PMD_ORDER; o < HB_FOLIO_ORDERS; o++)
		kib += v->kib[o];
	return kib;
}

/* The reader: files, the chunk's buffers and the block cache of kpageflags. */
struct hb_pagemap_reader {
	int pm_fd, kf_fd;
	uint64_t *pm, *kf;
	uint64_t *cache; /* CACHE_SLOTS blocks of 1 << CACHE_SHIFT entries */
	uint64_t *tag;	 /* block number + 1; 0: empty */
	char pm_path[64];
};

/* n entries of 8 bytes at index from fd; what lies past the end of the file reads as 0. */
static int pread_entries(int fd, uint64_t index, size_t n, uint64_t *out)
{
	size_t want = n * sizeof(*out), got = 0;

	while (got < want) {
		ssize_t r = pread(fd, (char *)out + got, want - got,
				  (off_t)(index * sizeof(*out) + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	memset((char *)out + got, 0, want - got);
	return 0;
}

static int kpf_read(void *arg, uint64_t pfn, size_t n, uint64_t *out)
{
	return pread_entries(((struct hb_pagemap_reader *)arg)->kf_fd, pfn, n, out);
}

static int cached_flags(struct hb_pagemap_reader *r, uint64_t pfn, uint64_t *flags)
{
	uint64_t blk = pfn >> CACHE_SHIFT;
	size_t slot = (size_t)(blk % CACHE_SLOTS);
	uint64_t *data = r->cache + (slot << CACHE_SHIFT);

	if (r->tag[slot] != blk + 1) {
		int rc = pread_entries(r->kf_fd, blk << CACHE_SHIFT, 1u << CACHE_SHIFT, data);

		if (rc)
			return rc;
		r->tag[slot] = blk + 1;
	}
	*flags = data[pfn & ((1u << CACHE_SHIFT) - 1)];
	return 0;
}

/* kf[i] for every present page of the chunk: one pread per physically contiguous run. */
static int chunk_flags(struct hb_pagemap_reader *r, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		int rc = 0;

		if (!present(r->pm[i]) || !pfn_of(r->pm[i])) {
			r->kf[i++] = 0;
			continue;
		}
		while (j < n && present(r->pm[j]) && pfn_of(r->pm[j]) == pfn_of(r->pm[j - 1]) + 1)
			j++;
		if (j - i >= RUN_MIN)
			rc = pread_entries(r->kf_fd, pfn_of(r->pm[i]), j - i, r->kf + i);
		else
			for (size_t k = i; k < j && !rc; k++)
				rc = cached_flags(r, pfn_of(r->pm[k]), &r->kf[k]);
		if (rc)
			return rc;
		i = j;
	}
	return 0;
}

static int read_range(struct hb_pagemap_reader *r, struct hb_pagemap_dec *d, uint64_t vfn,
		      uint64_t end)
{
	int rc;

	while (vfn < end) {
		uint64_t stop = (vfn / CHUNK_PAGES + 1) * CHUNK_PAGES;
		size_t n = (size_t)((stop < end ? stop : end) - vfn);

		rc = pread_entries(r->pm_fd, vfn, n, r->pm);
		if (!rc)
			rc = chunk_flags(r, n);
		if (!rc)
			rc = hb_pagemap_decode(d, r->pm, r->kf, n, vfn);
		if (rc)
			return rc;
		vfn += n;
	}
	hb_pagemap_decode_end(d);
	return 0;
}

void hb_pagemap_close(struct hb_pagemap_reader *r)
{
	if (!r)
		return;
	free(r->pm);
	free(r->kf);
	free(r->cache);
	free(r->tag);
	if (r->pm_fd >= 0)
		close(r->pm_fd);
	if (r->kf_fd >= 0)
		close(r->kf_fd);
	free(r);
}

int hb_pagemap_open(struct hb_pagemap_reader **out, const char *pagemap, const char *kpageflags,
		    char *why, size_t len)
{
	struct hb_pagemap_reader *r = calloc(1, sizeof(*r));
	int rc;

	*out = NULL;
	if (!r) {
		snprintf(why, len, "out of memory for the pagemap buffers");
		return -ENOMEM;
	}
	r->pm_fd = r->kf_fd = -1;
	snprintf(r->pm_path, sizeof(r->pm_path), "%s", pagemap);
	r->kf_fd = open(kpageflags, O_RDONLY | O_CLOEXEC);
	if (r->kf_fd < 0) {
		rc = -errno;
		snprintf(why, len, "cannot open %s: %s%s", kpageflags, strerror(-rc),
			 rc == -EACCES || rc == -EPERM ? " (it needs root)" : "");
		goto fail;
	}
	r->pm_fd = open(pagemap, O_RDONLY | O_CLOEXEC);
	if (r->pm_fd < 0) {
		rc = -errno;
		snprintf(why, len, "cannot open %s: %s", pagemap, strerror(-rc));
		goto fail;
	}
	r->pm = malloc(CHUNK_PAGES * sizeof(*r->pm));
	r->kf = malloc(CHUNK_PAGES * sizeof(*r->kf));
	r->cache = malloc(((size_t)CACHE_SLOTS << CACHE_SHIFT) * sizeof(*r->cache));
	r->tag = calloc(CACHE_SLOTS, sizeof(*r->tag));
	if (!r->pm || !r->kf || !r->cache || !r->tag) {
		rc = -ENOMEM;
		snprintf(why, len, "out of memory for the pagemap buffers");
		goto fail;
	}
	*out = r;
	return 0;
fail:
	hb_pagemap_close(r);
	return rc;
}

int hb_pagemap_range(struct hb_pagemap_reader *r, uintptr_t start, uintptr_t end,
		     struct hb_folio_view *v, void (*on_pmd)(void *arg, uint64_t vfn), void *arg,
		     char *why, size_t len)
{
	struct hb_kpf_src src = { .read = kpf_read, .arg = r };
	struct hb_pagemap_dec d = { .src = &src, .v = v, .on_pmd = on_pmd, .pmd_arg = arg };
	int rc = read_range(r, &d, start >> 12, (end + 4095) >> 12);

	if (rc == -EPERM)
		snprintf(why, len, "%s shows no PFNs (they are hidden without CAP_SYS_ADMIN)",
			 r->pm_path);
	else if (rc)
		snprintf(why, len, "cannot read %s or /proc/kpageflags: %s", r->pm_path,
			 strerror(-rc));
	return rc;
}

int hb_pagemap_read(int pid, uintptr_t start, uintptr_t end, struct hb_folio_view *v)
{
	struct hb_pagemap_reader *r;
	char path[64];
	int rc;

	memset(v, 0, sizeof(*v));
	v->region_kib = (uint64_t)(end - start) >> 10;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	rc = hb_pagemap_open(&r, path, "/proc/kpageflags", v->why, sizeof(v->why));
	if (!rc) {
		rc = hb_pagemap_range(r, start, end, v, NULL, NULL, v->why, sizeof(v->why));
		hb_pagemap_close(r);
	}
	if (!rc) {
		v->from_pagemap = 1;
		return 0;
	}
	{
		uint64_t region = v->region_kib;
		char why[sizeof(v->why)];

		memcpy(why, v->why, sizeof(why));
		memset(v, 0, sizeof(*v));
		v->region_kib = region;
		memcpy(v->why, why, sizeof(why));
	}
	return rc;
}
