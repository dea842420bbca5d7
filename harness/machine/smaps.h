/*
 * /proc/PID/smaps and smaps_rollup: what the kernel really gave a region. hugetlb memory is
 * not in Rss (it is in Private_Hugetlb/Shared_Hugetlb), and THP shows as AnonHugePages.
 */
#ifndef HB_SMAPS_H
#define HB_SMAPS_H
#include <stdint.h>

#include "memtypes.h" /* struct hb_smaps */

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
