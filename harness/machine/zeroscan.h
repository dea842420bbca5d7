/*
 * The zero scan of `hugebench inspect --zero-scan`: how many 4 KiB subpages of each PMD-mapped
 * THP of a process hold only zeros, read through process_vm_readv at a bounded rate (the
 * target is not stopped), and what the kernel's THP shrinker (Linux 6.12+: it splits a THP
 * with more than khugepaged/max_ptes_none zero-filled subpages and frees those) would reclaim.
 */
#ifndef HB_ZEROSCAN_H
#define HB_ZEROSCAN_H
#include <stddef.h>
#include <stdint.h>

#define HB_ZERO_RATE_DEFAULT_MIB 256 /* MiB/s read from the target when --zero-scan has none */
#define HB_ZERO_RATE_MAX_MIB 4096

struct hb_zero_scan {
	uint64_t thps;	     /* PMD-mapped THPs read */
	uint64_t gone;	     /* blocks no longer readable (unmapped meanwhile) */
	uint64_t zero_pages; /* 4 KiB subpages all zero, over every THP */
	uint64_t hist[513];  /* THPs by their number of zero subpages */
	double seconds, mib_per_s;
};

/* Counts the zero 4 KiB pages of a 2 MiB buffer. */
unsigned hb_zero_subpages(const unsigned char *buf);
/* Reads the 2 MiB blocks at virtual frames vfn[] of pid at most rate_mib MiB/s into z.
 * 0, or -errno (-EPERM: not allowed to read it; -ESRCH: gone). */
int hb_zero_scan(int pid, const uint64_t *vfn, size_t n, unsigned rate_mib,
		 struct hb_zero_scan *z);
/* KiB the shrinker would free at max_ptes_none: the zero subpages of every THP with more than
 * max_ptes_none of them; none at 511 (the shrinker off). */
uint64_t hb_zero_reclaim_kib(const struct hb_zero_scan *z, unsigned max_ptes_none);
/* THPs with more than pct% of their subpages zero. */
uint64_t hb_zero_thps_over(const struct hb_zero_scan *z, unsigned pct);

#endif
