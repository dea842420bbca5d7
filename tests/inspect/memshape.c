/*
 * A process of a known memory shape, for inspect's tests: it builds the shape, prints "ready"
 * with its addresses on stdout, and waits until stdin closes (the test holds the pipe; when the
 * test dies, so does this).
 *
 *   memshape zeros K MIB      MIB MiB of MADV_HUGEPAGE memory where exactly K of every 512
 *                             4 KiB subpages were written (the rest left zero)
 *   memshape shapes FILE OUT  a PMD-mapped THP region, a PTE-mapped THP, a partly unmapped
 *                             THP, mTHP regions of 64 KiB and 32 KiB, a hugetlb 2 MiB page and
 *                             FILE mapped and read; with OUT, the smaps of those VMAs, their
 *                             pagemap entries and the kpageflags they need are written there
 *                             as text (tests/fixtures/procmem: the unit test's fixtures)
 *
 * The machine settings the shapes need (THP madvise or always, hugepages-64kB and -32kB
 * madvise, one 2 MiB hugetlb page) are the caller's to set and put back.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1ul << 20)
#define PMD (2 * MIB)

static void die(const char *what)
{
	fprintf(stderr, "memshape: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* len bytes aligned to align, inside a PROT_NONE reservation (guards on both sides). */
static char *aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + 2 * align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);
	char *a;

	if (p == MAP_FAILED)
		die("mmap");
	a = (char *)(((uintptr_t)p + align) & ~(uintptr_t)(align - 1));
	if (mprotect(a, len, PROT_READ | PROT_WRITE))
		die("mprotect");
	return a;
}

static char *thp(size_t len)
{
	char *p = aligned(len, PMD);

	if (madvise(p, len, MADV_HUGEPAGE))
		die("madvise");
	return p;
}

static void wait_stdin(void)
{
	char c;

	while (read(0, &c, 1) > 0)
		;
}

static int zeros(int k, size_t mib)
{
	size_t len = mib * MIB;
	char *p = thp(len);

	for (size_t off = 0; off < len; off += PMD)
		for (int i = 0; i < k; i++)
			p[off + (size_t)i * 4096 + 7] = 1;
	/* k 0 still has to fault the THPs in: a read maps the huge zero page, so write a zero */
	if (k == 0)
		for (size_t off = 0; off < len; off += PMD)
			*(volatile char *)(p + off) = 0;
	printf("ready %p %zu\n", (void *)p, len);
	fflush(stdout);
	wait_stdin();
	return 0;
}

static void touch(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
}

struct range {
	uintptr_t start, end;
};

/* Copies the smaps entries that overlap one of r[] to out/smaps. */
static void dump_smaps(const char *out, const struct range *r, int n)
{
	FILE *in = fopen("/proc/self/smaps", "re"), *o;
	char path[4096], line[1024];
	int keep = 0;

	snprintf(path, sizeof(path), "%s/smaps", out);
	o = fopen(path, "we");
	if (!in || !o)
		die(path);
	while (fgets(line, sizeof(line), in)) {
		unsigned long s, e;

		/* a header: a field's name ("AnonHugePages:") never scans as two numbers */
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			keep = 0;
			for (int i = 0; i < n; i++)
				keep |= s < r[i].end && e > r[i].start;
		}
		if (keep)
			fputs(line, o);
	}
	fclose(in);
	fclose(o);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The present pagemap entries of r[], and the kpageflags entries the decode reads: every
 * present page's own, and the compound heads and tails within 512 frames of a compound one. */
static void dump_pages(const char *out, const struct range *r, int n)
{
	int pm = open("/proc/self/pagemap", O_RDONLY), kf = open("/proc/kpageflags", O_RDONLY);
	char path[4096];
	FILE *opm, *okf;
	uint64_t *pfns = NULL;
	size_t np = 0, cap = 0;

	snprintf(path, sizeof(path), "%s/pagemap", out);
	opm = fopen(path, "we");
	snprintf(path, sizeof(path), "%s/kpageflags", out);
	okf = fopen(path, "we");
	if (pm < 0 || kf < 0 || !opm || !okf)
		die("open pagemap, kpageflags or the output");
	for (int i = 0; i < n; i++)
		for (uintptr_t v = r[i].start >> 12; v < r[i].end >> 12; v++) {
			uint64_t e, f;

			if (pread(pm, &e, 8, (off_t)(v * 8)) != 8)
				die("pagemap");
			if (!(e >> 63))
				continue;
			fprintf(opm, "%lx %llx\n", (unsigned long)v, (unsigned long long)e);
			e &= (1ull << 55) - 1;
			if (pread(kf, &f, 8, (off_t)(e * 8)) != 8)
				die("kpageflags");
			if (np + 1030 > cap) {
				cap = 2 * cap + 4096;
				pfns = realloc(pfns, cap * sizeof(*pfns));
				if (!pfns)
					die("realloc");
			}
			pfns[np++] = e;
			if (f & (3ull << 15))
				for (uint64_t q = e > 512 ? e - 512 : 0; q < e + 512; q++)
					pfns[np++] = q | (1ull << 63); /* neighbour: compound only */
		}
	qsort(pfns, np, sizeof(*pfns), cmp_u64);
	for (size_t i = 0; i < np; i++) {
		uint64_t pfn = pfns[i] & ~(1ull << 63), f;
		int own = !(pfns[i] >> 63);

		if (i && (pfns[i - 1] & ~(1ull << 63)) == pfn)
			continue;
		/* an own entry sorts before the neighbour marks of the same frame */
		if (pread(kf, &f, 8, (off_t)(pfn * 8)) != 8)
			die("kpageflags");
		if (own || (f & (3ull << 15)))
			fprintf(okf, "%llx %llx\n", (unsigned long long)pfn, (unsigned long long)f);
	}
	free(pfns);
	fclose(opm);
	fclose(okf);
}

static int shapes(const char *file, const char *out)
{
	struct range r[8];
	char *pmd = thp(4 * MIB), *pte = thp(PMD), *part = thp(PMD), *m64, *m32, *huge, *fm;
	int fd = open(file, O_RDONLY);
	volatile char sum = 0;
	off_t flen;

	if (fd < 0)
		die(file);
	touch(pmd, 4 * MIB);
	touch(pte, PMD);
	touch(part, PMD);
	/* PTE-mapped: moved to an address 64 KiB past a 2 MiB boundary, the PMD is split and
	 * the folio stays whole, mapped by 512 PTEs */
	{
		char *dst = aligned(2 * PMD, PMD) + 64 * 1024;

		pte = mremap(pte, PMD, PMD, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		if (pte == MAP_FAILED)
			die("mremap");
	}
	/* partly mapped: the second half unmapped */
	if (munmap(part + MIB, MIB))
		die("munmap");
	/* mTHP: too small for a PMD, so the largest enabled size that fits */
	m64 = aligned(MIB, MIB);
	m32 = aligned(32 * 1024, 64 * 1024);
	if (madvise(m64, MIB, MADV_HUGEPAGE) || madvise(m32, 32 * 1024, MADV_HUGEPAGE))
		die("madvise mthp");
	touch(m64, MIB);
	touch(m32, 32 * 1024);
	huge = mmap(NULL, PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		    -1, 0);
	if (huge == MAP_FAILED)
		die("mmap hugetlb (is there a free 2 MiB hugetlb page?)");
	touch(huge, PMD);
	flen = lseek(fd, 0, SEEK_END);
	fm = mmap(NULL, (size_t)flen, PROT_READ, MAP_PRIVATE, fd, 0);
	if (fm == MAP_FAILED)
		die("mmap file");
	for (off_t off = 0; off < flen; off += 4096)
		sum += fm[off];
	r[0] = (struct range){ (uintptr_t)pmd, (uintptr_t)pmd + 4 * MIB };
	r[1] = (struct range){ (uintptr_t)pte, (uintptr_t)pte + PMD };
	r[2] = (struct range){ (uintptr_t)part, (uintptr_t)part + MIB };
	r[3] = (struct range){ (uintptr_t)m64, (uintptr_t)m64 + MIB };
	r[4] = (struct range){ (uintptr_t)m32, (uintptr_t)m32 + 32 * 1024 };
	r[5] = (struct range){ (uintptr_t)huge, (uintptr_t)huge + PMD };
	r[6] = (struct range){ (uintptr_t)fm, (uintptr_t)fm + (uintptr_t)flen };
	if (out && *out) {
		dump_smaps(out, r, 7);
		dump_pages(out, r, 7);
	}
	printf("ready pmd=%p pte=%p part=%p m64=%p m32=%p hugetlb=%p file=%p\n", (void *)pmd,
	       (void *)pte, (void *)part, (void *)m64, (void *)m32, (void *)huge, (void *)fm);
	fflush(stdout);
	wait_stdin();
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "zeros"))
		return zeros(atoi(argv[2]), strtoul(argv[3], NULL, 10));
	if (argc >= 3 && !strcmp(argv[1], "shapes"))
		return shapes(argv[2], argc > 3 ? argv[3] : NULL);
	fprintf(stderr, "usage: memshape zeros K MIB | memshape shapes FILE [OUTDIR]\n");
	return 2;
}
