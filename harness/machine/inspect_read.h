/*
 * One sample of `hugebench inspect`: every figure of a set of processes, read only (procmem.h
 * for the pages, procinfo.h for the rest, zeroscan.h when asked), rolled up over the set and
 * per memory cgroup.
 */
#ifndef HB_INSPECT_READ_H
#define HB_INSPECT_READ_H
#include <stddef.h>
#include <stdint.h>

#include "procinfo.h"
#include "procmem.h"
#include "zeroscan.h"

#define HB_INSPECT_MAX_CG 8

struct hb_inspect_proc {
	struct hb_procmem mem;
	struct hb_proc_alloc alloc;
	int alloc_ok;
	int cg;		/* index into hb_inspect.cg; -1: none */
	int zero_done;	/* the zero scan ran on it */
	struct hb_zero_scan zero;
	char why[256];	/* gone, or what could not be read */
};

struct hb_inspect_cg {
	struct hb_cg_info info;
	int root;	       /* the root cgroup: its charge is the whole machine's */
	uint64_t procs_rss_kib; /* anonymous Rss of every process in it (smaps_rollup Anonymous),
				 * inspected or not: the page cache is counted apart */
	unsigned nprocs, procs_unread;
};

struct hb_inspect_opts {
	int zero_scan;
	unsigned zero_rate_mib;
};

struct hb_inspect {
	double t;		 /* seconds since the first sample */
	double read_s;		 /* how long reading this sample took (without the zero scan) */
	double zero_s;		 /* the zero scan's time */
	struct hb_thp_settings thp;
	size_t nproc;
	struct hb_inspect_proc *proc;
	unsigned ok, gone, kthreads, unreadable;
	struct hb_procmem_kind kind[HB_MAP_KINDS]; /* over the processes read */
	struct hb_procmem_kind total;
	int folios;		  /* every process read had its folio figures */
	char why_folios[200];	  /* folios 0: why (the first process's reason) */
	int zero_done;
	struct hb_zero_scan zero; /* over the processes scanned */
	char zero_why[200];
	unsigned ncg;
	struct hb_inspect_cg cg[HB_INSPECT_MAX_CG];
};

/* Reads pids[0..n) into s (zeroed first). 0 unless out of memory; a process gone or
 * unreadable is in its entry's why. */
int hb_inspect_collect(const int *pids, size_t n, const struct hb_inspect_opts *o,
		       struct hb_inspect *s);
void hb_inspect_free(struct hb_inspect *s);

/* Figures derived for the report, over the set (s->total) or one process. */
/* KiB of huge folios (order >= 9, hugetlb excluded) */
uint64_t hb_inspect_thp_kib(const struct hb_procmem_kind *k);
/* KiB of 2 MiB folios mapped by a PMD, and by PTEs (a 1 GiB page is neither) */
uint64_t hb_inspect_pmd2m_kib(const struct hb_procmem_kind *k);
uint64_t hb_inspect_pte2m_kib(const struct hb_procmem_kind *k);
/* KiB in mTHP folios (orders 1..8) */
uint64_t hb_inspect_mthp_kib(const struct hb_procmem_kind *k);
/* Huge-page coverage of anonymous memory (anon + stack), percent: folios of order > 0
 * (pagemap), else AnonHugePages (smaps); -1 when there is no anonymous memory. */
double hb_inspect_anon_coverage(const struct hb_inspect *s, int *from_pagemap);

#endif
