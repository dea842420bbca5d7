/*
 * The memory figures a workload reads through ctx.h (hb_region_smaps, hb_vmstat_now), as plain
 * types: the machine modules that fill them (smaps.h, vmstat.h) stay outside the API.
 */
#ifndef HB_MEMTYPES_H
#define HB_MEMTYPES_H
#include <stdint.h>

/* Where these figures come from, for the notes of the rows a workload makes of them: the
 * names of the kernel's files live here, with the harness, not in the workloads. */
#define HB_SOURCE_SMAPS_ROLLUP "/proc/self/smaps_rollup"
#define HB_SOURCE_VMSTAT "/proc/vmstat"

/* One region's (or the process's) smaps figures. hugetlb memory is not in Rss (it is in
 * Private_Hugetlb/Shared_Hugetlb), and THP shows as AnonHugePages. */
struct hb_smaps {
	uint64_t size_kib;
	uint64_t rss_kib;
	uint64_t private_dirty_kib;
	uint64_t anon_huge_kib;
	uint64_t private_hugetlb_kib;
	uint64_t shared_hugetlb_kib;
	uint64_t kernel_page_kib; /* largest KernelPageSize among the VMAs read; 0 for rollup */
	unsigned vmas;		  /* VMAs that overlapped the range */
};

/* Machine-wide /proc/vmstat counters a cell reports as deltas (other processes count too). */
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

#endif
