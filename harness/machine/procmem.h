/*
 * What backs a whole process's memory, per kind of mapping and per folio size: every VMA of
 * /proc/PID/smaps (hb_smaps_walk) read through pagemap + kpageflags (hb_pagemap_range), the
 * same readers a cell's proof uses for its own regions (ctx_folio.c), for `hugebench inspect`.
 * Read only: the target is never stopped or traced.
 */
#ifndef HB_PROCMEM_H
#define HB_PROCMEM_H
#include <stddef.h>
#include <stdint.h>

#include "memtypes.h" /* struct hb_folio_view */

enum hb_map_kind {
	HB_MAP_ANON,	/* heap and anonymous (also a private file mapping's written pages) */
	HB_MAP_STACK,	/* [stack] */
	HB_MAP_FILE,	/* file-backed */
	HB_MAP_SHMEM,	/* shmem/tmpfs: /dev/shm, memfd, SysV, shared anonymous */
	HB_MAP_HUGETLB, /* hugetlbfs (VmFlags ht) */
	HB_MAP_KINDS,
};

/* "anon", "stack", "file", "shmem", "hugetlb" */
extern const char *const hb_map_kind_names[HB_MAP_KINDS];

struct hb_procmem_kind {
	struct hb_folio_view f; /* per folio order (pagemap); zero when folios are unavailable */
	uint64_t size_kib, rss_kib;
	uint64_t pmd_smaps_kib; /* AnonHugePages + ShmemPmdMapped + FilePmdMapped */
	uint64_t hugetlb_kib;	/* Private_Hugetlb + Shared_Hugetlb */
	uint64_t swap_kib;
	uint64_t eligible_kib;	/* Rss of VMAs with THPeligible 1 */
	uint64_t hg_kib, nh_kib; /* Rss of VMAs with VmFlags hg (MADV_HUGEPAGE) / nh */
	unsigned vmas, vmas_eligible, vmas_hg, vmas_nh;
};

enum hb_proc_state {
	HB_PROC_OK,
	HB_PROC_GONE,	 /* it exited before or while it was read */
	HB_PROC_KTHREAD, /* a kernel thread: no memory of its own, skipped */
	HB_PROC_UNREADABLE, /* its files cannot be read (permission): the reason instead */
};

struct hb_procmem {
	int pid;
	char comm[64];
	enum hb_proc_state state;
	struct hb_procmem_kind kind[HB_MAP_KINDS];
	struct hb_procmem_kind total;
	int folios;	      /* 1: the f figures are from pagemap + kpageflags */
	char why_folios[200]; /* folios 0: why not */
	int thp_enabled;      /* THP_enabled of /proc/PID/status: 1, 0 (prctl), -1 not shown */
	/* The first virtual frame of every PMD-mapped 2 MiB block of anonymous memory (anon and
	 * stack): what the zero scan reads. */
	uint64_t *pmd_vfn;
	size_t npmd, pmd_cap;
};

/* Where the figures are read from: /proc/<pid>/{smaps,pagemap,status} and /proc/kpageflags,
 * or captured copies (tests). pagemap or kpageflags NULL: no folio figures. */
struct hb_procmem_src {
	const char *smaps, *pagemap, *kpageflags, *status;
};

/* The kind of one VMA, from its path, permissions and flags. -1: a special mapping ([vdso],
 * [vvar], [vsyscall], ...) that is not the process's memory. */
int hb_map_kind_of(const char *path, const char *perms, int hugetlb_flag);

/* Reads m from src (m zeroed first). 0 (also for a kernel thread, state HB_PROC_KTHREAD),
 * -ESRCH when the process is gone (state HB_PROC_GONE), -errno with why. Without the PFNs
 * (not root) the smaps figures are there and folios is 0 with why_folios. */
int hb_procmem_read_src(const struct hb_procmem_src *src, struct hb_procmem *m, char *why,
			size_t len);
/* The same for a live process. */
int hb_procmem_read(int pid, struct hb_procmem *m, char *why, size_t len);
void hb_procmem_free(struct hb_procmem *m);

/* Adds a's figures to sum (the roll-up over a set of processes). */
void hb_procmem_kind_add(struct hb_procmem_kind *sum, const struct hb_procmem_kind *a);

#endif
