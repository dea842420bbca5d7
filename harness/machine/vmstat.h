/* Machine-wide /proc/vmstat counters a cell reports as deltas (other processes count too). */
#ifndef HB_VMSTAT_H
#define HB_VMSTAT_H
#include <stdint.h>

enum hb_vmstat_id {
	HB_VM_THP_FAULT_ALLOC,
	HB_VM_THP_FAULT_FALLBACK,
	HB_VM_THP_SPLIT_PMD,
	HB_VM_THP_DEFERRED_SPLIT_PAGE,
	HB_VM_COMPACT_STALL,
	HB_VM_NR,
};

struct hb_vmstat {
	uint64_t v[HB_VM_NR];
	unsigned char present[HB_VM_NR]; /* 0 when this kernel does not have the counter */
};

/* Names as in /proc/vmstat, which are also the metric names. */
const char *hb_vmstat_name(enum hb_vmstat_id id);
/* Reads "path" (normally /proc/vmstat). Returns 0 or -errno. */
int hb_vmstat_read(const char *path, struct hb_vmstat *out);

#endif
