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
	HB_VM_COMPACT_SUCCESS,
	HB_VM_COMPACT_FAIL,
	HB_VM_THP_COLLAPSE_ALLOC,
	HB_VM_THP_COLLAPSE_ALLOC_FAILED,
	HB_VM_NR,
};

struct hb_vmstat {
	uint64_t v[HB_VM_NR];
	unsigned char present[HB_VM_NR]; /* 0 when this kernel does not have the counter */
};

/* Folio orders: 0 (4 KiB) to 18 (1 GiB, hugetlb); 9 is 2 MiB. */
#define HB_FOLIO_ORDERS 19

/*
 * What mapped one region, per folio order: as root from /proc/self/pagemap and /proc/kpageflags
 * (the way the kernel's tools/mm/thpmaps reads them); otherwise from smaps (AnonHugePages and
 * *_Hugetlb as their huge order, the rest as order 0), with the reason in why.
 */
struct hb_folio_view {
	uint64_t kib[HB_FOLIO_ORDERS]; /* resident KiB mapped by folios of each order */
	uint64_t pmd_mapped_kib;       /* of those of order >= 9: mapped by a PMD (or PUD) */
	uint64_t resident_kib;	       /* the sum of kib[] */
	uint64_t region_kib;	       /* the region's length */
	uint64_t hugetlb_kib;	       /* of kib[]: in hugetlb folios */
	uint64_t zero_kib;	       /* present pages mapping the shared zero page (not in kib[],
					* as not in smaps' Rss) */
	uint64_t partial_kib;	       /* of kib[] at orders > 0: folios only partly mapped in the
					* range (a part unmapped, or a split pending) */
	int from_pagemap;	       /* 1: pagemap + kpageflags; 0: the smaps fallback */
	char why[160];		       /* from_pagemap 0: why */
};

#endif
