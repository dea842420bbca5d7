/* One sample of inspect (inspect_read.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inspect_read.h"
#include "smaps.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The anonymous part of a smaps_rollup (its one entry). */
static int rollup_anon(const struct hb_smaps_vma *vma, void *arg)
{
	*(uint64_t *)arg += vma->anon_kib;
	return 0;
}

/* The index of p's memory cgroup in s->cg, read (with the Rss of all its processes) the first
 * time; -1 when it has none or there are too many. */
static int cg_of(struct hb_inspect *s, struct hb_inspect_proc *p)
{
	struct hb_cg_info info;
	struct hb_inspect_cg *c;
	int *pids = NULL;
	size_t n = 0;

	if (hb_cg_info_of_pid(p->mem.pid, &info) && !info.dir[0]) {
		snprintf(p->why, sizeof(p->why), "%s", info.why);
		return -1;
	}
	for (unsigned i = 0; i < s->ncg; i++)
		if (!strcmp(s->cg[i].info.dir, info.dir))
			return (int)i;
	if (s->ncg == HB_INSPECT_MAX_CG)
		return -1;
	c = &s->cg[s->ncg];
	memset(c, 0, sizeof(*c));
	c->info = info;
	/* v1 root: the mount itself; v2 root: the same, with no memory.current */
	c->root = !strcmp(strrchr(info.dir, '/') ? strrchr(info.dir, '/') : "", "/memory") ||
		  !c->info.have_charged;
	if (!hb_cg_procs(info.dir, &pids, &n)) {
		for (size_t i = 0; i < n; i++) {
			char path[64];
			uint64_t anon = 0;

			snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pids[i]);
			if (hb_smaps_walk(path, rollup_anon, &anon)) {
				c->procs_unread++;
				continue;
			}
			c->procs_rss_kib += anon;
			c->nprocs++;
		}
		free(pids);
	}
	return (int)s->ncg++;
}

int hb_inspect_collect(const int *pids, size_t n, const struct hb_inspect_opts *o,
		       struct hb_inspect *s)
{
	double t0 = now_s();

	memset(s, 0, sizeof(*s));
	s->proc = calloc(n ? n : 1, sizeof(*s->proc));
	if (!s->proc)
		return -ENOMEM;
	s->nproc = n;
	s->folios = 1;
	hb_thp_settings_read(&s->thp);
	for (size_t i = 0; i < n; i++) {
		struct hb_inspect_proc *p = &s->proc[i];
		int rc = hb_procmem_read(pids[i], &p->mem, p->why, sizeof(p->why));

		p->cg = -1;
		if (rc == -ESRCH || p->mem.state == HB_PROC_GONE) {
			p->mem.state = HB_PROC_GONE;
			s->gone++;
			continue;
		}
		if (p->mem.state == HB_PROC_KTHREAD) {
			snprintf(p->why, sizeof(p->why), "a kernel thread: no memory of its own");
			s->kthreads++;
			continue;
		}
		if (rc) {
			p->mem.state = HB_PROC_UNREADABLE; /* reported with why, no figures */
			s->unreadable++;
			continue;
		}
		s->ok++;
		p->alloc_ok = !hb_proc_alloc_read(pids[i], &p->alloc);
		p->cg = cg_of(s, p);
		for (int k = 0; k < HB_MAP_KINDS; k++)
			hb_procmem_kind_add(&s->kind[k], &p->mem.kind[k]);
		hb_procmem_kind_add(&s->total, &p->mem.total);
		if (!p->mem.folios && s->folios) {
			s->folios = 0;
			snprintf(s->why_folios, sizeof(s->why_folios), "%s", p->mem.why_folios);
		}
	}
	if (!s->ok)
		s->folios = 0;
	s->read_s = now_s() - t0;
	if (o && o->zero_scan) {
		double z0 = now_s();

		s->zero_done = 1;
		if (!s->folios)
			snprintf(s->zero_why, sizeof(s->zero_why),
				 "the zero scan needs the PMD-mapped THPs from pagemap: %.120s",
				 s->why_folios[0] ? s->why_folios : "no process was read");
		for (size_t i = 0; s->folios && i < n; i++) {
			struct hb_inspect_proc *p = &s->proc[i];
			int rc;

			if (p->mem.state != HB_PROC_OK)
				continue;
			rc = hb_zero_scan(p->mem.pid, p->mem.pmd_vfn, p->mem.npmd, o->zero_rate_mib,
					  &p->zero);
			if (rc == -ESRCH) {
				snprintf(p->why, sizeof(p->why), "process %d is gone (it exited "
					 "during the zero scan)", p->mem.pid);
				continue;
			}
			if (rc) {
				snprintf(s->zero_why, sizeof(s->zero_why),
					 "process_vm_readv of %d: %s", p->mem.pid, strerror(-rc));
				continue;
			}
			p->zero_done = 1;
			s->zero.thps += p->zero.thps;
			s->zero.gone += p->zero.gone;
			s->zero.zero_pages += p->zero.zero_pages;
			for (unsigned k = 0; k <= 512; k++)
				s->zero.hist[k] += p->zero.hist[k];
		}
		s->zero_s = now_s() - z0;
		s->zero.seconds = s->zero_s;
		s->zero.mib_per_s = s->zero_s > 0 ? (double)s->zero.thps * 2.0 / s->zero_s : 0;
	}
	return 0;
}

void hb_inspect_free(struct hb_inspect *s)
{
	for (size_t i = 0; i < s->nproc; i++)
		hb_procmem_free(&s->proc[i].mem);
	free(s->proc);
	s->proc = NULL;
	s->nproc = 0;
}

uint64_t hb_inspect_thp_kib(const struct hb_procmem_kind *k)
{
	uint64_t kib = 0;

	for (unsigned o = 9; o < HB_FOLIO_ORDERS; o++)
		kib += k->f.kib[o];
	return kib - k->f.hugetlb_kib;
}

uint64_t hb_inspect_pmd2m_kib(const struct hb_procmem_kind *k)
{
	return k->f.pmd_mapped_kib - k->f.kib[18];
}

uint64_t hb_inspect_pte2m_kib(const struct hb_procmem_kind *k)
{
	uint64_t pmd = hb_inspect_pmd2m_kib(k);

	return k->f.kib[9] > pmd ? k->f.kib[9] - pmd : 0;
}

uint64_t hb_inspect_mthp_kib(const struct hb_procmem_kind *k)
{
	uint64_t kib = 0;

	for (unsigned o = 1; o < 9; o++)
		kib += k->f.kib[o];
	return kib;
}

double hb_inspect_anon_coverage(const struct hb_inspect *s, int *from_pagemap)
{
	struct hb_procmem_kind a = s->kind[HB_MAP_ANON];

	hb_procmem_kind_add(&a, &s->kind[HB_MAP_STACK]);
	*from_pagemap = s->folios;
	if (s->folios)
		return a.f.resident_kib ? 100.0 * (double)(a.f.resident_kib - a.f.kib[0]) /
						  (double)a.f.resident_kib
					: -1;
	return a.rss_kib ? 100.0 * (double)a.pmd_smaps_kib / (double)a.rss_kib : -1;
}
