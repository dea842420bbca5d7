/*
 * Unit tests for the smaps/smaps_rollup and vmstat parsers. The fixtures are trimmed captures
 * from a Linux 6.18 x86-64 machine, so the expected sums are the kernel's own numbers; the
 * hugetlb and mTHP ones are real VMAs with a few values edited (tests/fixtures/smaps/README).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "smaps.h"
#include "vmstat.h"

#ifndef HB_SRCDIR
#define HB_SRCDIR "."
#endif

#define KIB 1024UL
#define MIB (1024UL * 1024UL)

/* Addresses of the VMAs in the fixtures, copied from their header lines. */
#define HEAP_END	0x55ddc0b67000UL
#define HUGETLB_START	0x7f6c70000000UL
#define HUGETLB_END	0x7f6c80000000UL
#define THP_START	0x7f6c80000000UL
#define THP_END		0x7f6c90000000UL
#define SPLIT_START	0x7f6c98000000UL
#define SPLIT_MID	0x7f6c9af00000UL /* where mprotect() cut the 64 MiB THP region */
#define SPLIT_END	0x7f6c9c000000UL
#define NH_START	0x7f6c9de00000UL
#define NH_END		0x7f6ca1e00000UL
#define NEXT_ANON_START	0x7f6ca218e000UL

static const char *fixture_dir(void)
{
	const char *d = getenv("HB_FIXTURES");

	return d && *d ? d : HB_SRCDIR "/tests/fixtures";
}

/* Returns a malloc'd path; the tests free it. */
static char *fixture(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", fixture_dir(), name) > 0);
	return p;
}

/* Writes "text" to a new temporary file for cases not worth a fixture; caller unlinks. */
static char *write_tmp(const char *text)
{
	const char *tmpdir = getenv("TMPDIR");
	size_t len = strlen(text);
	char *p;
	int fd;

	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	assert_true(asprintf(&p, "%s/hb_test_smaps.XXXXXX", tmpdir) > 0);
	fd = mkstemp(p);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	return p;
}

/* Parses "text" as smaps; the file is removed before any assertion can abandon the test. */
static int tmp_region(const char *text, uintptr_t start, uintptr_t end, struct hb_smaps *s)
{
	char *p = write_tmp(text);
	int ret = hb_smaps_read_region(p, start, end, s);

	unlink(p);
	free(p);
	return ret;
}

static int region(const char *name, uintptr_t start, uintptr_t end, struct hb_smaps *s)
{
	char *p = fixture(name);
	int ret;

	/* Garbage first, so a field the parser forgot to set cannot pass as zero. */
	memset(s, 0xa5, sizeof(*s));
	ret = hb_smaps_read_region(p, start, end, s);
	free(p);
	return ret;
}

static void assert_all_zero(const struct hb_smaps *s)
{
	assert_int_equal(s->size_kib, 0);
	assert_int_equal(s->rss_kib, 0);
	assert_int_equal(s->private_dirty_kib, 0);
	assert_int_equal(s->anon_huge_kib, 0);
	assert_int_equal(s->private_hugetlb_kib, 0);
	assert_int_equal(s->shared_hugetlb_kib, 0);
	assert_int_equal(s->kernel_page_kib, 0);
	assert_int_equal(s->vmas, 0);
}

/* 64 MiB MADV_NOHUGEPAGE, fully touched: all 4 KiB pages. */
static void test_nohuge_exact(void **state)
{
	struct hb_smaps s;

	(void)state;
	assert_int_equal(region("smaps/nohuge_4k.smaps", NH_START, NH_END, &s), 0);
	assert_int_equal(s.size_kib, 65536);
	assert_int_equal(s.rss_kib, 65536);
	assert_int_equal(s.private_dirty_kib, 65536);
	assert_int_equal(s.anon_huge_kib, 0);
	assert_int_equal(s.private_hugetlb_kib, 0);
	assert_int_equal(s.shared_hugetlb_kib, 0);
	assert_int_equal(s.kernel_page_kib, 4);
	assert_int_equal(s.vmas, 1);
}

/* smaps has no per-page detail, so a range inside a VMA reports the whole VMA. */
static void test_subrange_counts_whole_vma(void **state)
{
	struct hb_smaps s;

	(void)state;
	assert_int_equal(region("smaps/nohuge_4k.smaps", NH_START + 4 * KIB, NH_START + 8 * KIB,
				&s), 0);
	assert_int_equal(s.size_kib, 65536);
	assert_int_equal(s.rss_kib, 65536);
	assert_int_equal(s.vmas, 1);
}

static void test_no_overlap(void **state)
{
	struct hb_smaps s;

	(void)state;
	/* In the gap between [heap] and the anonymous mappings. */
	assert_int_equal(region("smaps/nohuge_4k.smaps", HEAP_END + 4 * KIB, NH_START - 2 * MIB,
				&s), 0);
	assert_all_zero(&s);
	/* The range is half-open: ending at a VMA's start or starting at its end misses it. */
	assert_int_equal(region("smaps/nohuge_4k.smaps", NH_START - 2 * MIB, NH_START, &s), 0);
	assert_all_zero(&s);
	assert_int_equal(region("smaps/nohuge_4k.smaps", NH_END, NEXT_ANON_START, &s), 0);
	assert_all_zero(&s);
	/* An empty range overlaps nothing, even inside a VMA. */
	assert_int_equal(region("smaps/nohuge_4k.smaps", NH_START, NH_START, &s), 0);
	assert_all_zero(&s);
}

/* 256 MiB aligned MADV_HUGEPAGE region, fully touched: all PMD-mapped THP. */
static void test_thp_exact(void **state)
{
	struct hb_smaps s;

	(void)state;
	assert_int_equal(region("smaps/thp_2m.smaps", THP_START, THP_END, &s), 0);
	assert_int_equal(s.size_kib, 262144);
	assert_int_equal(s.rss_kib, 262144);
	assert_int_equal(s.private_dirty_kib, 262144);
	assert_int_equal(s.anon_huge_kib, 262144);
	assert_int_equal(s.private_hugetlb_kib, 0);
	/* THP does not change KernelPageSize; only hugetlb does. */
	assert_int_equal(s.kernel_page_kib, 4);
	assert_int_equal(s.vmas, 1);
}

/*
 * 64 MiB THP region cut by mprotect() at 47 MiB, which is not 2 MiB aligned: the PMD across
 * the cut was split, so the two VMAs hold 46 + 16 MiB of AnonHugePages, 2 MiB less than Rss.
 */
static void test_thp_split_two_vmas(void **state)
{
	struct hb_smaps s;

	(void)state;
	assert_int_equal(region("smaps/thp_split.smaps", SPLIT_START, SPLIT_END, &s), 0);
	assert_int_equal(s.size_kib, 65536);
	assert_int_equal(s.rss_kib, 65536);
	assert_int_equal(s.private_dirty_kib, 65536);
	assert_int_equal(s.anon_huge_kib, 47104 + 16384);
	assert_int_equal(s.kernel_page_kib, 4);
	assert_int_equal(s.vmas, 2);

	assert_int_equal(region("smaps/thp_split.smaps", SPLIT_START, SPLIT_MID, &s), 0);
	assert_int_equal(s.size_kib, 48128);
	assert_int_equal(s.rss_kib, 48128);
	assert_int_equal(s.anon_huge_kib, 47104);
	assert_int_equal(s.vmas, 1);

	assert_int_equal(region("smaps/thp_split.smaps", SPLIT_MID, SPLIT_END, &s), 0);
	assert_int_equal(s.size_kib, 17408);
	assert_int_equal(s.anon_huge_kib, 16384);
	assert_int_equal(s.vmas, 1);

	/* Two pages straddling the cut touch both VMAs. */
	assert_int_equal(region("smaps/thp_split.smaps", SPLIT_MID - 4 * KIB, SPLIT_MID + 4 * KIB,
				&s), 0);
	assert_int_equal(s.size_kib, 65536);
	assert_int_equal(s.vmas, 2);
}

/* hugetlb pages are not in Rss: they show only in Private_Hugetlb and KernelPageSize. */
static void test_hugetlb(void **state)
{
	struct hb_smaps s;

	(void)state;
	assert_int_equal(region("smaps/hugetlb_2m.smaps", HUGETLB_START, HUGETLB_END, &s), 0);
	assert_int_equal(s.size_kib, 262144);
	assert_int_equal(s.rss_kib, 0);
	assert_int_equal(s.private_dirty_kib, 0);
	assert_int_equal(s.anon_huge_kib, 0);
	assert_int_equal(s.private_hugetlb_kib, 262144);
	assert_int_equal(s.shared_hugetlb_kib, 0);
	assert_int_equal(s.kernel_page_kib, 2048);
	assert_int_equal(s.vmas, 1);
	assert_int_equal(hb_smaps_resident_kib(&s), 262144);

	/* The THP VMA right after it: sums add, the page size is the largest of the two. */
	assert_int_equal(region("smaps/hugetlb_2m.smaps", HUGETLB_START, THP_END, &s), 0);
	assert_int_equal(s.size_kib, 2 * 262144);
	assert_int_equal(s.rss_kib, 262144);
	assert_int_equal(s.anon_huge_kib, 262144);
	assert_int_equal(s.private_hugetlb_kib, 262144);
	assert_int_equal(s.kernel_page_kib, 2048);
	assert_int_equal(s.vmas, 2);
	assert_int_equal(hb_smaps_resident_kib(&s), 2 * 262144);
}

/* 64 KiB mTHP folios are PTE-mapped, which AnonHugePages (PMD only) does not count. */
static void test_mthp(void **state)
{
	struct hb_smaps s;

	(void)state;
	assert_int_equal(region("smaps/mthp_64k.smaps", NH_START, NH_END, &s), 0);
	assert_int_equal(s.size_kib, 65536);
	assert_int_equal(s.rss_kib, 65536);
	assert_int_equal(s.private_dirty_kib, 65536);
	assert_int_equal(s.anon_huge_kib, 0);
	assert_int_equal(s.kernel_page_kib, 4);
	assert_int_equal(s.vmas, 1);
}

static void test_rollup(void **state)
{
	char *p = fixture("smaps/rollup.smaps_rollup");
	struct hb_smaps s;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(hb_smaps_read_rollup(p, &s), 0);
	free(p);
	assert_int_equal(s.size_kib, 0); /* smaps_rollup has no Size line */
	assert_int_equal(s.rss_kib, 394660);
	assert_int_equal(s.private_dirty_kib, 393436);
	assert_int_equal(s.anon_huge_kib, 325632);
	assert_int_equal(s.private_hugetlb_kib, 0);
	assert_int_equal(s.shared_hugetlb_kib, 0);
	assert_int_equal(s.kernel_page_kib, 0);
	assert_int_equal(s.vmas, 0);
}

/* A rollup has exactly one header; a full smaps file given by mistake must not be summed. */
static void test_rollup_rejects_smaps(void **state)
{
	char *p = fixture("smaps/thp_split.smaps");
	struct hb_smaps s;

	(void)state;
	assert_int_equal(hb_smaps_read_rollup(p, &s), -EINVAL);
	free(p);
}

static void test_missing_file(void **state)
{
	char *p = fixture("smaps/does_not_exist");
	struct hb_smaps s;
	struct hb_vmstat v;

	(void)state;
	assert_int_equal(hb_smaps_read_region(p, 0, UINTPTR_MAX, &s), -ENOENT);
	assert_int_equal(hb_smaps_read_rollup(p, &s), -ENOENT);
	assert_int_equal(hb_vmstat_read(p, &v), -ENOENT);
	free(p);
}

static void test_bad_header(void **state)
{
	struct hb_smaps s;

	(void)state;
	/* The broken header is a VMA outside the range; it must still be rejected. */
	assert_int_equal(region("smaps/bad_header.smaps", 0, 1, &s), -EINVAL);
	assert_all_zero(&s);
}

static void expect_region_rc(const char *text, int rc)
{
	struct hb_smaps s;

	assert_int_equal(tmp_region(text, 0, UINTPTR_MAX, &s), rc);
}

static void test_malformed_inputs(void **state)
{
	(void)state;
	/* Fields with no header before them. */
	expect_region_rc("Size:                  4 kB\n", -EINVAL);
	/* A field we sum without its unit would be read at the wrong scale. */
	expect_region_rc("7f00-8000 rw-p 00000000 00:00 0 \nRss:                   4\n", -EINVAL);
	/* Bad permissions, missing inode, reversed range, 0x prefix. */
	expect_region_rc("7f00-8000 rw-z 00000000 00:00 0 \n", -EINVAL);
	expect_region_rc("7f00-8000 rw-p 00000000 00:00\n", -EINVAL);
	expect_region_rc("8000-7f00 rw-p 00000000 00:00 0 \n", -EINVAL);
	expect_region_rc("0x7f00-8000 rw-p 00000000 00:00 0 \n", -EINVAL);
	/* An empty smaps (a kernel thread's) is valid and has no VMAs. */
	expect_region_rc("", 0);
}

/* Paths may be long and contain spaces; getline() must not cut the header into two lines. */
static void test_long_path(void **state)
{
	const char *hdr = "7f0000000000-7f0000200000 rw-p 00000000 fe:00 1234 /";
	size_t name_len = 16384;
	struct hb_smaps s;
	const char *fields = "\nSize:               2048 kB\nRss:                 12 kB\n";
	size_t hdr_len = strlen(hdr);
	char *text;
	int ret;

	(void)state;
	text = malloc(hdr_len + name_len + strlen(fields) + 1);
	assert_non_null(text);
	memcpy(text, hdr, hdr_len);
	memset(text + hdr_len, 'x', name_len);
	memcpy(text + hdr_len + name_len / 2, " (deleted) ", 11);
	strcpy(text + hdr_len + name_len, fields);
	ret = tmp_region(text, 0x7f0000100000UL, 0x7f0000100001UL, &s);
	free(text);
	assert_int_equal(ret, 0);
	assert_int_equal(s.size_kib, 2048);
	assert_int_equal(s.rss_kib, 12);
	assert_int_equal(s.vmas, 1);
}

/*
 * Each field gets a distinct power of two and the look-alike fields we do not sum (Pss,
 * Shared_Dirty, MMUPageSize, ...) get large values, so a mixed-up or extra field shows.
 * Also covers Shared_Hugetlb, which the captured private mappings leave at 0.
 */
static void test_field_mapping(void **state)
{
	static const char text[] =
		"7f0000000000-7f0000400000 rw-s 00000000 00:11 7946                       "
		"/dev/hugepages/hb (deleted)\n"
		"Size:                  1 kB\n"
		"KernelPageSize:       64 kB\n"
		"MMUPageSize:        8000 kB\n"
		"Rss:                   2 kB\n"
		"Pss:                1000 kB\n"
		"Pss_Dirty:          1000 kB\n"
		"Shared_Clean:       1000 kB\n"
		"Shared_Dirty:       2000 kB\n"
		"Private_Clean:      4000 kB\n"
		"Private_Dirty:         4 kB\n"
		"Referenced:         1000 kB\n"
		"Anonymous:          1000 kB\n"
		"AnonHugePages:         8 kB\n"
		"ShmemPmdMapped:     1000 kB\n"
		"FilePmdMapped:      1000 kB\n"
		"Shared_Hugetlb:       32 kB\n"
		"Private_Hugetlb:      16 kB\n"
		"Swap:               1000 kB\n"
		"SwapPss:            1000 kB\n"
		"Locked:             1000 kB\n"
		"THPeligible:           0\n"
		"ProtectionKey:         0\n"
		"VmFlags: rd wr sh mr mw me ms de ht \n";
	struct hb_smaps s;

	(void)state;
	assert_int_equal(tmp_region(text, 0x7f0000000000UL, 0x7f0000400000UL, &s), 0);
	assert_int_equal(s.size_kib, 1);
	assert_int_equal(s.rss_kib, 2);
	assert_int_equal(s.private_dirty_kib, 4);
	assert_int_equal(s.anon_huge_kib, 8);
	assert_int_equal(s.private_hugetlb_kib, 16);
	assert_int_equal(s.shared_hugetlb_kib, 32);
	assert_int_equal(s.kernel_page_kib, 64);
	assert_int_equal(s.vmas, 1);
	assert_int_equal(hb_smaps_resident_kib(&s), 2 + 16 + 32);
}

static void test_live_nohuge(void **state)
{
	size_t len = 8 * MIB;
	struct hb_smaps s;
	char *m;

	(void)state;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	/* VM_NOHUGEPAGE also keeps the VMA from merging with neighbouring anonymous memory. */
	assert_int_equal(madvise(m, len, MADV_NOHUGEPAGE), 0);
	memset(m, 1, len);
	assert_int_equal(hb_smaps_read_region("/proc/self/smaps", (uintptr_t)m, (uintptr_t)m + len,
					      &s), 0);
	assert_int_equal(munmap(m, len), 0);
	assert_int_equal(s.vmas, 1);
	assert_int_equal(s.size_kib, 8192);
	assert_int_equal(s.rss_kib, 8192);
	assert_int_equal(s.private_dirty_kib, 8192);
	assert_int_equal(s.anon_huge_kib, 0);
	assert_int_equal(s.kernel_page_kib, 4);
}

static void test_live_rollup(void **state)
{
	struct hb_smaps s;

	(void)state;
	assert_int_equal(hb_smaps_read_rollup("/proc/self/smaps_rollup", &s), 0);
	assert_true(s.rss_kib > 0);
}

static void test_vmstat_names(void **state)
{
	(void)state;
	assert_string_equal(hb_vmstat_name(HB_VM_THP_FAULT_ALLOC), "thp_fault_alloc");
	assert_string_equal(hb_vmstat_name(HB_VM_THP_FAULT_FALLBACK), "thp_fault_fallback");
	assert_string_equal(hb_vmstat_name(HB_VM_THP_SPLIT_PMD), "thp_split_pmd");
	assert_string_equal(hb_vmstat_name(HB_VM_THP_DEFERRED_SPLIT_PAGE),
			    "thp_deferred_split_page");
	assert_string_equal(hb_vmstat_name(HB_VM_COMPACT_STALL), "compact_stall");
	assert_string_equal(hb_vmstat_name(HB_VM_COMPACT_SUCCESS), "compact_success");
	assert_string_equal(hb_vmstat_name(HB_VM_COMPACT_FAIL), "compact_fail");
	assert_string_equal(hb_vmstat_name(HB_VM_THP_COLLAPSE_ALLOC), "thp_collapse_alloc");
	assert_string_equal(hb_vmstat_name(HB_VM_THP_COLLAPSE_ALLOC_FAILED),
			    "thp_collapse_alloc_failed");
	assert_null(hb_vmstat_name(HB_VM_NR));
}

static void read_vmstat_fixture(const char *name, struct hb_vmstat *v)
{
	char *p = fixture(name);

	memset(v, 0xa5, sizeof(*v));
	assert_int_equal(hb_vmstat_read(p, v), 0);
	free(p);
}

static void test_vmstat(void **state)
{
	struct hb_vmstat v;
	int i;

	(void)state;
	read_vmstat_fixture("vmstat/vmstat", &v);
	for (i = 0; i < HB_VM_NR; i++)
		assert_int_equal(v.present[i], 1);
	assert_int_equal(v.v[HB_VM_THP_FAULT_ALLOC], 320);
	assert_int_equal(v.v[HB_VM_THP_FAULT_FALLBACK], 0);
	assert_int_equal(v.v[HB_VM_THP_SPLIT_PMD], 1);
	assert_int_equal(v.v[HB_VM_THP_DEFERRED_SPLIT_PAGE], 0);
	assert_int_equal(v.v[HB_VM_COMPACT_STALL], 0);
}

/* A kernel built without THP has no thp_* lines: those counters must read as absent. */
static void test_vmstat_absent(void **state)
{
	struct hb_vmstat v;

	(void)state;
	read_vmstat_fixture("vmstat/vmstat_nothp", &v);
	assert_int_equal(v.present[HB_VM_THP_FAULT_ALLOC], 0);
	assert_int_equal(v.present[HB_VM_THP_FAULT_FALLBACK], 0);
	assert_int_equal(v.present[HB_VM_THP_SPLIT_PMD], 0);
	assert_int_equal(v.present[HB_VM_THP_DEFERRED_SPLIT_PAGE], 0);
	assert_int_equal(v.present[HB_VM_THP_COLLAPSE_ALLOC], 0);
	assert_int_equal(v.v[HB_VM_THP_FAULT_ALLOC], 0);
	assert_int_equal(v.present[HB_VM_COMPACT_STALL], 1);
}

static void expect_vmstat(const char *text, int rc, struct hb_vmstat *v)
{
	char *p = write_tmp(text);
	int ret = hb_vmstat_read(p, v);

	unlink(p);
	free(p);
	assert_int_equal(ret, rc);
}

/* The real file has thp_fault_fallback_charge after thp_fault_fallback: match whole names. */
static void test_vmstat_exact_names(void **state)
{
	struct hb_vmstat v;

	(void)state;
	expect_vmstat("thp_fault_fallback 7\nthp_fault_fallback_charge 99\n", 0, &v);
	assert_int_equal(v.present[HB_VM_THP_FAULT_FALLBACK], 1);
	assert_int_equal(v.v[HB_VM_THP_FAULT_FALLBACK], 7);
	expect_vmstat("thp_fault_fallback_charge 99\nthp_fault_fallback 7\n", 0, &v);
	assert_int_equal(v.v[HB_VM_THP_FAULT_FALLBACK], 7);
	expect_vmstat("thp_fault_fallback_charge 99\n", 0, &v);
	assert_int_equal(v.present[HB_VM_THP_FAULT_FALLBACK], 0);
	/* Large counters do not truncate; the last line may lack its newline. */
	expect_vmstat("compact_stall 18446744073709551615", 0, &v);
	assert_int_equal(v.v[HB_VM_COMPACT_STALL], UINT64_MAX);
	expect_vmstat("compact_stall x\n", -EINVAL, &v);
	expect_vmstat("compact_stall 12x\n", -EINVAL, &v);
	/* The compaction and collapse counters the defrag workload reports, each in its slot. */
	expect_vmstat("compact_fail 3\ncompact_success 7\nthp_collapse_alloc_failed 2\n"
		      "thp_collapse_alloc 5\n", 0, &v);
	assert_int_equal(v.v[HB_VM_COMPACT_SUCCESS], 7);
	assert_int_equal(v.v[HB_VM_COMPACT_FAIL], 3);
	assert_int_equal(v.v[HB_VM_THP_COLLAPSE_ALLOC], 5);
	assert_int_equal(v.v[HB_VM_THP_COLLAPSE_ALLOC_FAILED], 2);
	assert_int_equal(v.present[HB_VM_COMPACT_STALL], 0);
}

static void test_vmstat_live(void **state)
{
	struct hb_vmstat v;

	(void)state;
	assert_int_equal(hb_vmstat_read("/proc/vmstat", &v), 0);
	/* Whether THP is built in shows in sysfs too; the two must agree. */
	assert_int_equal(v.present[HB_VM_THP_FAULT_ALLOC],
			 access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nohuge_exact),
		cmocka_unit_test(test_subrange_counts_whole_vma),
		cmocka_unit_test(test_no_overlap),
		cmocka_unit_test(test_thp_exact),
		cmocka_unit_test(test_thp_split_two_vmas),
		cmocka_unit_test(test_hugetlb),
		cmocka_unit_test(test_mthp),
		cmocka_unit_test(test_rollup),
		cmocka_unit_test(test_rollup_rejects_smaps),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_malformed_inputs),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_field_mapping),
		cmocka_unit_test(test_live_nohuge),
		cmocka_unit_test(test_live_rollup),
		cmocka_unit_test(test_vmstat_names),
		cmocka_unit_test(test_vmstat),
		cmocka_unit_test(test_vmstat_absent),
		cmocka_unit_test(test_vmstat_exact_names),
		cmocka_unit_test(test_vmstat_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
