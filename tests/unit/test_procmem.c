/*
 * Unit tests of inspect's readers: procmem.c (a process's memory per kind of mapping and folio
 * size) on fixtures captured from memshape on Linux 6.18 (tests/fixtures/procmem/README: a
 * PMD-mapped THP region, a PTE-mapped THP, a partly unmapped THP, mTHP of 64 KiB and 32 KiB, a
 * hugetlb 2 MiB page, a file read through a mapping); the text captures are laid out as sparse
 * pagemap and kpageflags files so the real reader reads them with pread. Also the VMA kinds, the
 * zero-subpage count, the shrinker's reclaim figures, the sysfs choice, the allocator check, and
 * inspect's declared finding rules on a made-up sample.
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
#include <unistd.h>

#include "inspect_report.h"
#include "procinfo.h"
#include "procmem.h"
#include "zeroscan.h"

#ifndef HB_SRCDIR
#define HB_SRCDIR "."
#endif

static char dir[64];
static char pm_path[128], kf_path[128], smaps_path[512];

static const char *fixture_dir(void)
{
	const char *d = getenv("HB_FIXTURES");

	return d && *d ? d : HB_SRCDIR "/tests/fixtures";
}

/* "index value" hex lines into a sparse file of 8-byte entries; hide_pfn: each value as
 * pagemap shows it without CAP_SYS_ADMIN (present, PFN 0). */
static void lay_out(const char *text, const char *bin, int hide_pfn)
{
	char path[512], line[128];
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/procmem/%s", fixture_dir(), text);
	f = fopen(path, "re");
	assert_non_null(f);
	fd = open(bin, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long i, v;

		assert_int_equal(sscanf(line, "%llx %llx", &i, &v), 2);
		if (hide_pfn)
			v = 1ull << 63;
		assert_int_equal(pwrite(fd, &v, 8, (off_t)(i * 8)), 8);
	}
	close(fd);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/hb-procmem.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(pm_path, sizeof(pm_path), "%s/pagemap", dir);
	snprintf(kf_path, sizeof(kf_path), "%s/kpageflags", dir);
	snprintf(smaps_path, sizeof(smaps_path), "%s/procmem/smaps", fixture_dir());
	lay_out("pagemap", pm_path, 0);
	lay_out("kpageflags", kf_path, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(pm_path);
	unlink(kf_path);
	rmdir(dir);
	return 0;
}

static void read_fixture(struct hb_procmem *m, int with_pages)
{
	struct hb_procmem_src src = { .smaps = smaps_path,
				      .pagemap = with_pages ? pm_path : NULL,
				      .kpageflags = with_pages ? kf_path : NULL };
	char why[256];

	m->pid = 1;
	assert_int_equal(hb_procmem_read_src(&src, m, why, sizeof(why)), 0);
}

/* The fixture's VMAs: PMD-mapped THP 4 MiB, a THP moved to a non-aligned address (PTE-mapped,
 * 2 MiB), the first half of a THP whose second half was unmapped (partial, 1 MiB), 1 MiB of
 * 64 KiB mTHP, 32 KiB of 32 KiB mTHP, a 2 MiB hugetlb page, a 4 MiB file read. */
static void test_shapes(void **state)
{
	struct hb_procmem m;
	const struct hb_procmem_kind *a, *h, *f;

	(void)state;
	read_fixture(&m, 1);
	assert_int_equal(m.folios, 1);
	a = &m.kind[HB_MAP_ANON];
	h = &m.kind[HB_MAP_HUGETLB];
	f = &m.kind[HB_MAP_FILE];
	assert_int_equal(a->vmas, 5);
	assert_int_equal(a->rss_kib, 4096 + 2048 + 1024 + 1024 + 32);
	/* 2 MiB folios: 4 MiB PMD-mapped, 2 MiB PTE-mapped, 1 MiB of a partly mapped one */
	assert_int_equal(a->f.kib[9], 4096 + 2048 + 1024);
	assert_int_equal(a->f.pmd_mapped_kib, 4096);
	assert_int_equal(a->f.partial_kib, 1024);
	/* mTHP of two sizes */
	assert_int_equal(a->f.kib[4], 1024);
	assert_int_equal(a->f.kib[3], 32);
	assert_int_equal(a->f.kib[0], 0);
	assert_int_equal(a->f.resident_kib, a->rss_kib);
	/* the zero scan's blocks: the two PMD-mapped THPs, not the PTE-mapped one */
	assert_int_equal(m.npmd, 2);
	assert_int_equal(m.pmd_vfn[1] - m.pmd_vfn[0], 512);
	/* hugetlb: not in Rss, in its own kind, PMD-mapped */
	assert_int_equal(h->vmas, 1);
	assert_int_equal(h->rss_kib, 0);
	assert_int_equal(h->hugetlb_kib, 2048);
	assert_int_equal(h->f.kib[9], 2048);
	assert_int_equal(h->f.hugetlb_kib, 2048);
	assert_int_equal(h->f.pmd_mapped_kib, 2048);
	/* the file: page cache, small folios here */
	assert_int_equal(f->vmas, 1);
	assert_int_equal(f->rss_kib, 4096);
	assert_int_equal(f->f.resident_kib, 4096);
	assert_int_equal(f->f.kib[9], 0);
	assert_int_equal(f->f.pmd_mapped_kib, 0);
	/* eligibility: every anonymous VMA is MADV_HUGEPAGE and THPeligible */
	assert_int_equal(a->vmas_hg, 5);
	assert_int_equal(a->vmas_eligible, 5);
	assert_int_equal(a->vmas_nh, 0);
	assert_int_equal(m.total.rss_kib, a->rss_kib + f->rss_kib);
	hb_procmem_free(&m);
}

/* Without the PFNs (not root): smaps alone, and the reason. */
static void test_smaps_only(void **state)
{
	struct hb_procmem m;

	(void)state;
	read_fixture(&m, 0);
	assert_int_equal(m.folios, 0);
	assert_true(m.why_folios[0] != '\0');
	/* AnonHugePages: the PMD-mapped 4 MiB only (the moved THP is PTE-mapped) */
	assert_int_equal(m.kind[HB_MAP_ANON].pmd_smaps_kib, 4096);
	assert_int_equal(m.kind[HB_MAP_ANON].f.resident_kib, 0);
	assert_int_equal(m.kind[HB_MAP_HUGETLB].hugetlb_kib, 2048);
	assert_int_equal(m.npmd, 0);
	hb_procmem_free(&m);
}

/* PFNs hidden (a pagemap of present entries with PFN 0, as non-root reads it): unavailable. */
static void test_pfns_hidden(void **state)
{
	char hidden[128];
	struct hb_procmem_src src = { .smaps = smaps_path, .pagemap = hidden,
				      .kpageflags = kf_path };
	struct hb_procmem m = { .pid = 1 };
	char why[256];

	(void)state;
	snprintf(hidden, sizeof(hidden), "%s/hidden", dir);
	lay_out("pagemap", hidden, 1);
	assert_int_equal(hb_procmem_read_src(&src, &m, why, sizeof(why)), 0);
	assert_int_equal(m.folios, 0);
	assert_non_null(strstr(m.why_folios, "CAP_SYS_ADMIN"));
	assert_int_equal(m.kind[HB_MAP_ANON].f.kib[9], 0);
	assert_int_equal(m.kind[HB_MAP_ANON].rss_kib, 8224);
	hb_procmem_free(&m);
	unlink(hidden);
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(hb_map_kind_of("", "rw-p", 0), HB_MAP_ANON);
	assert_int_equal(hb_map_kind_of("[heap]", "rw-p", 0), HB_MAP_ANON);
	assert_int_equal(hb_map_kind_of("[stack]", "rw-p", 0), HB_MAP_STACK);
	assert_int_equal(hb_map_kind_of("/usr/lib/x86_64-linux-gnu/libc.so.6", "r-xp", 0),
			 HB_MAP_FILE);
	assert_int_equal(hb_map_kind_of("/dev/shm/x", "rw-s", 0), HB_MAP_SHMEM);
	assert_int_equal(hb_map_kind_of("/memfd:y (deleted)", "rw-s", 0), HB_MAP_SHMEM);
	assert_int_equal(hb_map_kind_of("/dev/zero (deleted)", "rw-s", 0), HB_MAP_SHMEM);
	assert_int_equal(hb_map_kind_of("/anon_hugepage (deleted)", "rw-p", 1), HB_MAP_HUGETLB);
	assert_int_equal(hb_map_kind_of("[vdso]", "r-xp", 0), -1);
	assert_int_equal(hb_map_kind_of("[vvar]", "r--p", 0), -1);
}

static void test_zero_count(void **state)
{
	unsigned char *b = calloc(1, 2u << 20);
	struct hb_zero_scan z = { 0 };

	(void)state;
	assert_non_null(b);
	assert_int_equal(hb_zero_subpages(b), 512);
	b[7] = 1;		     /* subpage 0 */
	b[4096 * 100 + 4095] = 1;    /* the last byte of subpage 100 */
	b[(2u << 20) - 1] = 0x80;   /* subpage 511 */
	assert_int_equal(hb_zero_subpages(b), 509);
	free(b);
	/* 3 THPs with 500 zero subpages, 1 with 300, 2 with 0 */
	z.hist[500] = 3;
	z.hist[300] = 1;
	z.hist[0] = 2;
	assert_int_equal(hb_zero_reclaim_kib(&z, 511), 0);
	assert_int_equal(hb_zero_reclaim_kib(&z, 409), 3 * 500 * 4);
	assert_int_equal(hb_zero_reclaim_kib(&z, 0), (3 * 500 + 300) * 4);
	assert_int_equal(hb_zero_reclaim_kib(&z, 500), 0);
	assert_int_equal(hb_zero_thps_over(&z, 80), 3);
	assert_int_equal(hb_zero_thps_over(&z, 50), 4);
}

/* The scan of this process's own memory through process_vm_readv. */
static void test_zero_scan_self(void **state)
{
	unsigned char *b = aligned_alloc(2u << 20, 4u << 20);
	uint64_t vfn[2];
	struct hb_zero_scan z;

	(void)state;
	assert_non_null(b);
	memset(b, 0, 4u << 20);
	for (unsigned i = 0; i < 5; i++)
		b[i * 4096] = 1;
	vfn[0] = (uintptr_t)b >> 12;
	vfn[1] = ((uintptr_t)b >> 12) + 512;
	assert_int_equal(hb_zero_scan(getpid(), vfn, 2, 4096, &z), 0);
	assert_int_equal(z.thps, 2);
	assert_int_equal(z.zero_pages, 512 - 5 + 512);
	assert_int_equal(z.hist[507], 1);
	assert_int_equal(z.hist[512], 1);
	free(b);
}

static void test_choice(void **state)
{
	char out[32];

	(void)state;
	hb_sysfs_choice("always [madvise] never", out, sizeof(out));
	assert_string_equal(out, "madvise");
	hb_sysfs_choice("511", out, sizeof(out));
	assert_string_equal(out, "511");
}

/* The malloc of a process, from captured maps and environ. */
static void test_alloc(void **state)
{
	char maps[128], env[128];
	struct hb_proc_alloc a;
	FILE *f;

	(void)state;
	snprintf(maps, sizeof(maps), "%s/maps", dir);
	snprintf(env, sizeof(env), "%s/environ", dir);
	f = fopen(maps, "we");
	assert_non_null(f);
	fprintf(f, "55d0c0000000-55d0c0100000 r-xp 00000000 fe:00 1 /usr/bin/redis-server\n"
		   "7f0000000000-7f0000100000 r-xp 00000000 fe:00 2 "
		   "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n"
		   "7f0000200000-7f0000300000 r-xp 00000000 fe:00 3 "
		   "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
	fclose(f);
	f = fopen(env, "we");
	assert_non_null(f);
	fwrite("HOME=/root\0MALLOC_CONF=thp:never\0TERM=xterm\0", 1, 44, f);
	fclose(f);
	assert_int_equal(hb_proc_alloc_read_files(maps, env, NULL, &a), 0);
	assert_string_equal(a.name, "jemalloc");
	assert_int_equal(a.nenv, 1);
	assert_string_equal(a.env[0], "MALLOC_CONF=thp:never");
	f = fopen(maps, "we");
	assert_non_null(f);
	fprintf(f, "7f0000200000-7f0000300000 r-xp 00000000 fe:00 3 "
		   "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
	fclose(f);
	assert_int_equal(hb_proc_alloc_read_files(maps, NULL, NULL, &a), 0);
	assert_string_equal(a.name, "glibc");
	unlink(maps);
	unlink(env);
}

/* The declared rules on a made-up sample: which apply, with their figures. */
static int has_finding(const struct hb_inspect *s, const char *id, double *figure)
{
	struct hb_inspect_finding f[HB_INSPECT_MAX_FINDINGS];
	unsigned n = hb_inspect_findings(s, f, HB_INSPECT_MAX_FINDINGS);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(f[i].id, id)) {
			*figure = f[i].figure;
			assert_true(f[i].text[0] && f[i].setting[0]);
			return 1;
		}
	return 0;
}

static void test_findings(void **state)
{
	struct hb_inspect s;
	double fig;

	(void)state;
	memset(&s, 0, sizeof(s));
	snprintf(s.thp.enabled, sizeof(s.thp.enabled), "always");
	s.ncg = 1;
	s.cg[0].info.have_charged = 1;
	s.cg[0].info.have_file = 1;
	s.cg[0].info.charged_kib = 1193 * 1024;
	s.cg[0].info.file_kib = 10 * 1024;
	s.cg[0].procs_rss_kib = 838 * 1024;
	s.cg[0].nprocs = 1;
	/* (1193 - 838 - 10) / 838 = 41% */
	assert_true(has_finding(&s, "charged-beyond-rss", &fig));
	assert_true(fig > 41 && fig < 42);
	s.cg[0].root = 1; /* the root cgroup: no gap figure */
	assert_false(has_finding(&s, "charged-beyond-rss", &fig));
	s.cg[0].root = 0;
	s.cg[0].info.charged_kib = 900 * 1024; /* 6%: below the threshold */
	assert_false(has_finding(&s, "charged-beyond-rss", &fig));
	/* madvise mode, 100 MiB anonymous, no MADV_HUGEPAGE */
	snprintf(s.thp.enabled, sizeof(s.thp.enabled), "madvise");
	s.kind[HB_MAP_ANON].rss_kib = 100 * 1024;
	assert_true(has_finding(&s, "madvise-without-hint", &fig));
	assert_true(fig == 100);
	s.kind[HB_MAP_ANON].hg_kib = 1024;
	assert_false(has_finding(&s, "madvise-without-hint", &fig));
	/* the zero scan: 3 THPs of 4 more than 80% zero */
	s.zero_done = 1;
	s.zero.thps = 4;
	s.zero.hist[500] = 3;
	s.zero.hist[10] = 1;
	s.zero.zero_pages = 1510;
	assert_true(has_finding(&s, "mostly-zero-huge-pages", &fig));
	assert_true(fig == 75);
	assert_true(has_finding(&s, "zero-filled", &fig));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),	   cmocka_unit_test(test_smaps_only),
		cmocka_unit_test(test_pfns_hidden), cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_zero_count),  cmocka_unit_test(test_zero_scan_self),
		cmocka_unit_test(test_choice),	   cmocka_unit_test(test_alloc),
		cmocka_unit_test(test_findings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
