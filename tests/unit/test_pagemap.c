/*
 * Unit tests for the pagemap + kpageflags decode (pagemap.c) on synthetic entries: a fake
 * physical memory of kpageflags entries, folios laid into it, and pagemap entries pointing at
 * them, so the per-order figures and the PMD-mapped rule are checked without root. One test
 * reads this process's own pagemap: as root the figures, otherwise the reason it cannot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "ctx_impl.h"
#include "pagemap.h"
#include "protocol.h"

#define NPHYS (1u << 20) /* fake physical memory: 4 GiB of page frames */
#define VFN0 0x7f0000000ull /* a 2 MiB-aligned virtual frame */

static uint64_t *phys;
static unsigned reads;

static int phys_read(void *arg, uint64_t pfn, size_t n, uint64_t *out)
{
	(void)arg;
	reads++;
	for (size_t k = 0; k < n; k++)
		out[k] = pfn + k < NPHYS ? phys[pfn + k] : 0;
	return 0;
}

static const struct hb_kpf_src src = { .read = phys_read };

static int setup(void **state)
{
	(void)state;
	phys = calloc(NPHYS, sizeof(*phys));
	reads = 0;
	return phys ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(phys);
	return 0;
}

static void folio(uint64_t head, unsigned order, uint64_t extra)
{
	phys[head] = HB_KPF_COMPOUND_HEAD | extra;
	for (uint64_t k = 1; k < (1ull << order); k++)
		phys[head + k] = HB_KPF_COMPOUND_TAIL | extra;
}

static uint64_t pte(uint64_t pfn)
{
	return HB_PM_PRESENT | pfn;
}

/* Decodes pm[0..n) at VFN0 + off in chunks of "chunk" pages, as the reader does. */
static int decode_chunks(const uint64_t *pm, size_t n, uint64_t off, size_t chunk,
			 struct hb_folio_view *v)
{
	struct hb_pagemap_dec d = { .src = &src, .v = v };
	uint64_t *kf = calloc(n, sizeof(*kf));
	int rc = 0;

	assert_non_null(kf);
	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		if (pm[i] & HB_PM_PRESENT)
			kf[i] = phys[pm[i] & HB_PM_PFN_MASK];
	for (size_t i = 0; i < n && !rc; i += chunk)
		rc = hb_pagemap_decode(&d, pm + i, kf + i, n - i < chunk ? n - i : chunk,
				       VFN0 + off + i);
	free(kf);
	return rc;
}

static int decode(const uint64_t *pm, size_t n, struct hb_folio_view *v)
{
	return decode_chunks(pm, n, 0, n, v);
}

static void only(const struct hb_folio_view *v, unsigned order, uint64_t kib)
{
	for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++)
		assert_int_equal(v->kib[o], o == order ? kib : 0);
	assert_int_equal(v->resident_kib, kib);
}

/* Scattered 4 KiB pages (descending PFNs, as the buddy allocator often hands them out). */
static void test_4k(void **state)
{
	uint64_t pm[1024];
	struct hb_folio_view v;

	(void)state;
	for (size_t i = 0; i < 1024; i++)
		pm[i] = pte(300000 - 3 * i);
	assert_int_equal(decode(pm, 1024, &v), 0);
	only(&v, 0, 4096);
	assert_int_equal(v.pmd_mapped_kib, 0);
	assert_int_equal(hb_folio_huge_kib(&v, -1), 0);
}

/* Two aligned 2 MiB THPs mapped in order: order 9 and PMD-mapped, whole. */
static void test_thp_pmd(void **state)
{
	uint64_t pm[1024];
	struct hb_folio_view v;

	(void)state;
	folio(0x40000, 9, HB_KPF_THP);
	folio(0x80000, 9, HB_KPF_THP);
	for (size_t i = 0; i < 512; i++) {
		pm[i] = pte(0x80000 + i);
		pm[512 + i] = pte(0x40000 + i);
	}
	assert_int_equal(decode(pm, 1024, &v), 0);
	only(&v, 9, 4096);
	assert_int_equal(v.pmd_mapped_kib, 4096);
	assert_int_equal(hb_folio_huge_kib(&v, -1), 4096);
	assert_int_equal(v.hugetlb_kib, 0);
	/* One read per folio: the page after its last tail, to see the folio ends there. */
	assert_true(reads <= 2);
}

/* A THP mapped by PTEs at a 1 MiB offset: order 9, but no 2 MiB block is mapped whole. */
static void test_thp_unaligned(void **state)
{
	uint64_t pm[1024] = { 0 };
	struct hb_folio_view v;

	(void)state;
	folio(0x40000, 9, HB_KPF_THP);
	for (size_t i = 0; i < 512; i++)
		pm[256 + i] = pte(0x40000 + i);
	assert_int_equal(decode(pm, 1024, &v), 0);
	only(&v, 9, 2048);
	assert_int_equal(v.pmd_mapped_kib, 0);
}

/* One page of the block missing: the folio's other pages are order 9, not PMD-mapped. */
static void test_thp_hole(void **state)
{
	uint64_t pm[512];
	struct hb_folio_view v;

	(void)state;
	folio(0x40000, 9, HB_KPF_THP);
	for (size_t i = 0; i < 512; i++)
		pm[i] = pte(0x40000 + i);
	pm[100] = 0;
	assert_int_equal(decode(pm, 512, &v), 0);
	only(&v, 9, 511 * 4);
	assert_int_equal(v.pmd_mapped_kib, 0);
}

/* The region starts inside a THP (a tail first) and ends inside another (a head, then
 * tails past the end): both folios are found whole in kpageflags, so both are order 9. */
static void test_thp_partial(void **state)
{
	uint64_t pm[512];
	struct hb_folio_view v;

	(void)state;
	folio(0x40000, 9, HB_KPF_THP);
	folio(0x60000, 9, HB_KPF_THP);
	for (size_t i = 0; i < 256; i++) {
		pm[i] = pte(0x40000 + 256 + i);
		pm[256 + i] = pte(0x60000 + i);
	}
	assert_int_equal(decode_chunks(pm, 512, 256, 512, &v), 0);
	only(&v, 9, 2048);
	assert_int_equal(v.pmd_mapped_kib, 0);
}

/* mTHP 64 KiB folios mapped in a shuffled order, then a block half 4 KiB, half 64 KiB. */
static void test_mthp(void **state)
{
	uint64_t pm[1024];
	struct hb_folio_view v;

	(void)state;
	for (size_t f = 0; f < 32; f++) {
		uint64_t head = 0x10000 + ((f * 37) % 64) * 16;

		folio(head, 4, HB_KPF_THP);
		for (size_t k = 0; k < 16; k++)
			pm[f * 16 + k] = pte(head + k);
	}
	for (size_t i = 0; i < 256; i++)
		pm[512 + i] = pte(0x90000 + 2 * i);
	for (size_t f = 0; f < 16; f++) {
		folio(0x20000 + f * 16, 4, HB_KPF_THP);
		for (size_t k = 0; k < 16; k++)
			pm[768 + f * 16 + k] = pte(0x20000 + f * 16 + k);
	}
	assert_int_equal(decode(pm, 1024, &v), 0);
	assert_int_equal(v.kib[4], (512 + 256) * 4);
	assert_int_equal(v.kib[0], 256 * 4);
	assert_int_equal(v.resident_kib, 1024 * 4);
	assert_int_equal(v.pmd_mapped_kib, 0);
	assert_int_equal(hb_folio_huge_kib(&v, 4), v.kib[4]);
	assert_int_equal(hb_folio_huge_kib(&v, -1), 0);
}

/* hugetlb: 2 MiB pages are order 9 and PMD-mapped; a 1 GiB page is order 18, found across
 * chunks, and each of its 2 MiB blocks counts as mapped whole (by the PUD). */
static void test_hugetlb(void **state)
{
	size_t n = 2048;
	uint64_t *pm = calloc(n, sizeof(*pm));
	struct hb_folio_view v;

	(void)state;
	assert_non_null(pm);
	folio(0x40000, 9, HB_KPF_HUGE);
	for (size_t i = 0; i < 512; i++)
		pm[i] = pte(0x40000 + i);
	assert_int_equal(decode(pm, 512, &v), 0);
	only(&v, 9, 2048);
	assert_int_equal(v.pmd_mapped_kib, 2048);
	assert_int_equal(v.hugetlb_kib, 2048);

	folio(0x80000, 18, HB_KPF_HUGE);
	for (size_t i = 0; i < n; i++)
		pm[i] = pte(0x80000 + i);
	assert_int_equal(decode_chunks(pm, n, 0, 512, &v), 0);
	only(&v, 18, n * 4);
	assert_int_equal(v.pmd_mapped_kib, n * 4);
	assert_int_equal(hb_folio_huge_kib(&v, -1), n * 4);
	free(pm);
}

/* Absent pages count nowhere; zero-page mappings apart (not in Rss either); a present page
 * with PFN 0 is pagemap hiding PFNs from an unprivileged reader. */
static void test_absent_zero_hidden(void **state)
{
	uint64_t pm[16] = { 0 };
	struct hb_folio_view v;

	(void)state;
	phys[0x5000] = HB_KPF_ZERO_PAGE;
	pm[1] = pte(0x5000);
	pm[2] = pte(0x5000);
	pm[3] = pte(0x6000);
	assert_int_equal(decode(pm, 16, &v), 0);
	only(&v, 0, 4);
	assert_int_equal(v.zero_kib, 8);
	pm[5] = HB_PM_PRESENT; /* PFN hidden */
	assert_int_equal(decode(pm, 16, &v), -EPERM);
}

/* A tail whose head cannot be found (the folio split under the reader): a page of its own. */
static void test_orphan_tail(void **state)
{
	uint64_t pm[4];
	struct hb_folio_view v;

	(void)state;
	phys[0x7001] = HB_KPF_COMPOUND_TAIL;
	pm[0] = pte(0x7001);
	pm[1] = pte(0x7100);
	pm[2] = pm[3] = 0;
	assert_int_equal(decode(pm, 4, &v), 0);
	only(&v, 0, 8);
}

/* This process's own pagemap: as root 4 MiB of 4 KiB pages read back as such (and a THP
 * region as order 9 where THP is available); otherwise an error with the reason. */
static void test_live(void **state)
{
	size_t len = 4u << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct hb_folio_view v;
	int rc;

	(void)state;
	assert_true(p != MAP_FAILED);
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 1, len);
	rc = hb_pagemap_read(0, (uintptr_t)p, (uintptr_t)p + len, &v);
	if (geteuid() == 0) {
		assert_int_equal(rc, 0);
		assert_int_equal(v.from_pagemap, 1);
		assert_int_equal(v.region_kib, 4096);
		only(&v, 0, 4096);
	} else {
		assert_true(rc < 0);
		assert_int_equal(v.from_pagemap, 0);
		assert_true(strlen(v.why) > 10);
		assert_int_equal(v.resident_kib, 0);
	}
	munmap(p, len);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The last value of gauge "name" among the messages on the pipe, or -1. */
static double last_gauge(char *buf, const char *name)
{
	double v = -1;

	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char copy[HB_MSG_LINE_MAX];
		struct hb_msg m;

		snprintf(copy, sizeof(copy), "%s", line);
		if (hb_msg_decode(copy, &m) == 0 && m.kind == HB_MSG_GAUGE && !strcmp(m.name, name))
			v = m.num;
	}
	return v;
}

/* hb_region_watch on a 4 KiB region: samples at 0, interval, ... up to duration, at most cap
 * stored, both gauges sent; 0% huge whichever source (pagemap as root, smaps otherwise). */
static void test_watch(void **state)
{
	static struct hb_ctx ctx;
	struct hb_cell cell = { 0 };
	struct hb_folio_view v;
	double trace[8], t0, dt;
	char err[256], buf[8192], again[8192];
	int fds[2], n;
	ssize_t got;
	char *p;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(hb_backing_parse("4k", &cell.backing, err, sizeof(err)), 0);
	assert_int_equal(pipe2(fds, O_NONBLOCK), 0);
	ctx.cell = &cell;
	ctx.fd = fds[1];
	p = hb_region_map(&ctx, 4u << 20);
	assert_non_null(p);
	memset(p, 1, 2u << 20);

	assert_int_equal(hb_region_folios(&ctx, p + 4096, &v), -ENOENT);
	assert_int_equal(hb_region_folios(&ctx, p, &v), 0);
	assert_int_equal(v.region_kib, 4096);
	assert_int_equal(v.kib[0], 2048);
	assert_int_equal(v.from_pagemap, geteuid() == 0);
	assert_true(v.from_pagemap || strlen(v.why) > 10);

	assert_int_equal(hb_region_watch(&ctx, p, 1000, 0, trace, 8), -EINVAL);
	t0 = now_s();
	n = hb_region_watch(&ctx, p, 200000000ull, 100000000ull, trace, 8);
	dt = now_s() - t0;
	assert_int_equal(n, 3);
	assert_true(dt >= 0.19 && dt < 1.0);
	for (int i = 0; i < n; i++)
		assert_true(trace[i] == 0);
	got = read(fds[0], buf, sizeof(buf) - 1);
	assert_true(got > 0);
	buf[got] = 0;
	memcpy(again, buf, sizeof(buf));
	assert_true(last_gauge(buf, "huge_coverage_pct") == 0);
	assert_true(last_gauge(again, "pmd_mapped_pct") == 0);

	/* cap 1: one sample stored, the watch still lasts its duration. */
	t0 = now_s();
	assert_int_equal(hb_region_watch(&ctx, p, 100000000ull, 50000000ull, trace, 1), 1);
	assert_true(now_s() - t0 >= 0.09);
	hb_region_unmap(&ctx, p);
	close(fds[0]);
	close(fds[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_4k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thp_pmd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thp_unaligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thp_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thp_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mthp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hugetlb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_zero_hidden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orphan_tail, setup, teardown),
		cmocka_unit_test(test_live),
		cmocka_unit_test(test_watch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
