/*
 * /proc/PID/smaps and smaps_rollup: what the kernel really gave a region. hugetlb memory is
 * not in Rss (it is in Private_Hugetlb/Shared_Hugetlb), and THP shows as AnonHugePages.
 */
#ifndef HB_SMAPS_H
#define HB_SMAPS_H
#include <stdint.h>

#include "memtypes.h" /* struct hb_smaps */

/* One VMA of a smaps file, as hb_smaps_walk hands it over. */
struct hb_smaps_vma {
	uint64_t start, end;
	char perms[5];	    /* "rw-p" */
	char path[256];	    /* "" for anonymous memory; "[heap]", "[stack]", a file, ... */
	struct hb_smaps sum; /* its kB fields (vmas 1) */
	uint64_t anon_kib, shmem_pmd_kib, file_pmd_kib, swap_kib;
	int thp_eligible; /* THPeligible: 0 or 1; -1 when the kernel does not say */
	char vmflags[160]; /* VmFlags: the two-letter flags, space-separated ("rd wr mr hg") */
};

/* Calls fn for each VMA of smaps file "path", after its last field; fn returns 0 to go on,
 * else the walk stops and returns that. Returns 0, -errno when the file cannot be read,
 * -EINVAL when it does not parse. */
int hb_smaps_walk(const char *path, int (*fn)(const struct hb_smaps_vma *vma, void *arg),
		  void *arg);
/* Whether the VMA has the two-letter flag (e.g. "hg", "nh", "ht") in VmFlags. */
int hb_smaps_vma_flag(const struct hb_smaps_vma *vma, const char *flag);

/* Sums the VMAs of smaps file "path" that overlap [start, end). Returns 0 (vmas may be 0),
 * or -errno when the file cannot be read, -EINVAL when it does not parse. */
int hb_smaps_read_region(const char *path, uintptr_t start, uintptr_t end, struct hb_smaps *out);
/* Reads a smaps_rollup file. */
int hb_smaps_read_rollup(const char *path, struct hb_smaps *out);
/* Resident memory including hugetlb pages, which Rss leaves out. */
static inline uint64_t hb_smaps_resident_kib(const struct hb_smaps *s)
{
	return s->rss_kib + s->private_hugetlb_kib + s->shared_hugetlb_kib;
}

#endif
