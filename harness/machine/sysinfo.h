/* What the machine is: everything `hugebench sysinfo` prints and meta.json records. */
#ifndef HB_SYSINFO_H
#define HB_SYSINFO_H
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Where the kernel shows the THP and hugetlb settings that sysinfo reports. */
#define HB_THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define HB_HUGETLB_DIR "/sys/kernel/mm/hugepages"

struct hb_tlb_level {
	unsigned entries_4k, entries_2m, entries_1g; /* 0: not reported */
	unsigned assoc_4k, assoc_2m;
};

struct hb_cpu_info {
	char vendor[16]; /* "AuthenticInfo", "GenuineIntel", ... */
	char model[64];
	unsigned family, model_id, stepping;
	int hypervisor;		/* cpuid 1 ecx bit 31 */
	char hv_vendor[16];	/* cpuid 0x40000000, e.g. "KVMKVMKVM" */
	struct hb_tlb_level l1d, l2; /* data TLBs (L2 = STLB on Intel) */
	int tlb_known;		/* 0 when cpuid does not describe them */
};

/* cpuid facts; on non-x86 fills what /proc/cpuinfo says and tlb_known = 0. */
void hb_cpu_info(struct hb_cpu_info *c);
/* TLB reach in bytes of the largest data TLB level for a page size (4096, 2M, 1G); 0 unknown. */
uint64_t hb_tlb_reach(const struct hb_cpu_info *c, uint64_t page_size);

/* Everything: kernel, THP/mTHP/khugepaged knobs, hugetlb pools, CPU and TLBs, hwloc topology,
 * hypervisor, perf counter availability, root, memory cgroup, free-page reporting. */
json_t *hb_sysinfo_collect(void);
/* The same as aligned text for humans. */
void hb_sysinfo_print(const json_t *info, FILE *f);
/* Size of the last-level data cache one CPU sees (sysfs, one instance); 0 unknown. */
uint64_t hb_llc_bytes(void);
/* MemAvailable in bytes from /proc/meminfo; 0 when unreadable. */
uint64_t hb_mem_available(void);

#endif
