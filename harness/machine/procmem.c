/*
 * A process's memory per kind of mapping and folio size (procmem.h): one walk of its smaps,
 * and for each VMA the pagemap + kpageflags decode of the cells' proof, through one open
 * reader (its buffers and kpageflags cache serve every VMA).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pagemap.h"
#include "procmem.h"
#include "smaps.h"

const char *const hb_map_kind_names[HB_MAP_KINDS] = {
	[HB_MAP_ANON] = "anon",	  [HB_MAP_STACK] = "stack",	[HB_MAP_FILE] = "file",
	[HB_MAP_SHMEM] = "shmem", [HB_MAP_HUGETLB] = "hugetlb",
};

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

int hb_map_kind_of(const char *path, const char *perms, int hugetlb_flag)
{
	if (hugetlb_flag)
		return HB_MAP_HUGETLB;
	if (!strcmp(path, "[stack]"))
		return HB_MAP_STACK;
	if (!*path || starts(path, "[heap]") || starts(path, "[anon:"))
		return perms[3] == 's' ? HB_MAP_SHMEM : HB_MAP_ANON;
	if (starts(path, "[anon_shmem:"))
		return HB_MAP_SHMEM;
	if (path[0] == '[')
		return -1;
	if (starts(path, "/dev/shm/") || starts(path, "/memfd:") || starts(path, "/SYSV") ||
	    starts(path, "/dev/zero"))
		return HB_MAP_SHMEM;
	return HB_MAP_FILE;
}

static void folio_add(struct hb_folio_view *sum, const struct hb_folio_view *a)
{
	for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++)
		sum->kib[o] += a->kib[o];
	sum->pmd_mapped_kib += a->pmd_mapped_kib;
	sum->resident_kib += a->resident_kib;
	sum->region_kib += a->region_kib;
	sum->hugetlb_kib += a->hugetlb_kib;
	sum->zero_kib += a->zero_kib;
	sum->partial_kib += a->partial_kib;
}

void hb_procmem_kind_add(struct hb_procmem_kind *sum, const struct hb_procmem_kind *a)
{
	folio_add(&sum->f, &a->f);
	sum->size_kib += a->size_kib;
	sum->rss_kib += a->rss_kib;
	sum->pmd_smaps_kib += a->pmd_smaps_kib;
	sum->hugetlb_kib += a->hugetlb_kib;
	sum->swap_kib += a->swap_kib;
	sum->eligible_kib += a->eligible_kib;
	sum->hg_kib += a->hg_kib;
	sum->nh_kib += a->nh_kib;
	sum->vmas += a->vmas;
	sum->vmas_eligible += a->vmas_eligible;
	sum->vmas_hg += a->vmas_hg;
	sum->vmas_nh += a->vmas_nh;
}

struct walk {
	struct hb_procmem *m;
	struct hb_pagemap_reader *pm; /* NULL: no folio figures */
	int rc;			      /* the first pagemap error */
	int anon;		      /* the VMA being read is anonymous memory */
};

static void on_pmd(void *arg, uint64_t vfn)
{
	struct walk *w = arg;
	struct hb_procmem *m = w->m;

	if (!w->anon)
		return;
	if (m->npmd == m->pmd_cap) {
		size_t cap = m->pmd_cap ? 2 * m->pmd_cap : 256;
		uint64_t *p = realloc(m->pmd_vfn, cap * sizeof(*p));

		if (!p)
			return; /* the zero scan then sees fewer blocks; said by npmd */
		m->pmd_vfn = p;
		m->pmd_cap = cap;
	}
	m->pmd_vfn[m->npmd++] = vfn;
}

static int one_vma(const struct hb_smaps_vma *vma, void *arg)
{
	struct walk *w = arg;
	const struct hb_smaps *s = &vma->sum;
	int kind = hb_map_kind_of(vma->path, vma->perms, hb_smaps_vma_flag(vma, "ht"));
	struct hb_procmem_kind *k;
	uint64_t rss;

	if (kind < 0)
		return 0;
	k = &w->m->kind[kind];
	rss = s->rss_kib + s->private_hugetlb_kib + s->shared_hugetlb_kib;
	k->vmas++;
	k->size_kib += s->size_kib;
	k->rss_kib += s->rss_kib;
	k->pmd_smaps_kib += s->anon_huge_kib + vma->shmem_pmd_kib + vma->file_pmd_kib;
	k->hugetlb_kib += s->private_hugetlb_kib + s->shared_hugetlb_kib;
	k->swap_kib += vma->swap_kib;
	if (vma->thp_eligible == 1)
		k->vmas_eligible++, k->eligible_kib += rss;
	if (hb_smaps_vma_flag(vma, "hg"))
		k->vmas_hg++, k->hg_kib += rss;
	if (hb_smaps_vma_flag(vma, "nh"))
		k->vmas_nh++, k->nh_kib += rss;
	if (w->pm && !w->rc && rss) {
		struct hb_folio_view v;

		memset(&v, 0, sizeof(v));
		v.region_kib = s->size_kib;
		w->anon = kind == HB_MAP_ANON || kind == HB_MAP_STACK;
		w->rc = hb_pagemap_range(w->pm, vma->start, vma->end, &v, on_pmd, w,
					 w->m->why_folios, sizeof(w->m->why_folios));
		if (!w->rc)
			folio_add(&k->f, &v);
	}
	return 0;
}

/* Name, THP_enabled and whether it is a kernel thread, from /proc/PID/status. */
static int read_status(const char *path, struct hb_procmem *m)
{
	FILE *f = fopen(path, "re");
	char line[256];
	int vm = 0, kthread = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Name: %63s", m->comm) == 1)
			continue;
		if (sscanf(line, "THP_enabled: %d", &m->thp_enabled) == 1)
			continue;
		if (sscanf(line, "Kthread: %d", &kthread) == 1)
			continue;
		if (starts(line, "VmSize:"))
			vm = 1;
	}
	fclose(f);
	if (kthread || !vm)
		m->state = HB_PROC_KTHREAD;
	return 0;
}

static int gone(int rc)
{
	return rc == -ENOENT || rc == -ESRCH;
}

int hb_procmem_read_src(const struct hb_procmem_src *src, struct hb_procmem *m, char *why,
			size_t len)
{
	struct walk w = { .m = m };
	int pid = m->pid, rc;

	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->thp_enabled = -1;
	if (src->status) {
		rc = read_status(src->status, m);
		if (gone(rc)) {
			m->state = HB_PROC_GONE;
			snprintf(why, len, "process %d is gone (it exited)", pid);
			return -ESRCH;
		}
		if (rc) {
			snprintf(why, len, "cannot read %s: %s", src->status, strerror(-rc));
			return rc;
		}
		if (m->state == HB_PROC_KTHREAD)
			return 0;
	}
	if (src->pagemap && src->kpageflags) {
		rc = hb_pagemap_open(&w.pm, src->pagemap, src->kpageflags, m->why_folios,
				     sizeof(m->why_folios));
		if (gone(rc)) {
			m->state = HB_PROC_GONE;
			snprintf(why, len, "process %d is gone (it exited)", pid);
			return -ESRCH;
		}
	} else {
		snprintf(m->why_folios, sizeof(m->why_folios), "no pagemap to read");
	}
	rc = hb_smaps_walk(src->smaps, one_vma, &w);
	hb_pagemap_close(w.pm);
	/* A process that exits mid-read leaves an empty or vanished smaps. */
	if (gone(rc) || (rc == 0 && src->status && m->kind[HB_MAP_ANON].vmas == 0 &&
			 m->kind[HB_MAP_FILE].vmas == 0 && m->kind[HB_MAP_STACK].vmas == 0)) {
		m->state = HB_PROC_GONE;
		snprintf(why, len, "process %d is gone (it exited while it was read)", pid);
		return -ESRCH;
	}
	if (rc) {
		snprintf(why, len, "cannot read %s: %s", src->smaps, strerror(-rc));
		return rc;
	}
	m->folios = w.pm && !w.rc;
	if (w.pm && w.rc) {
		for (int k = 0; k < HB_MAP_KINDS; k++)
			memset(&m->kind[k].f, 0, sizeof(m->kind[k].f));
		m->npmd = 0;
	}
	for (int k = 0; k < HB_MAP_KINDS; k++)
		hb_procmem_kind_add(&m->total, &m->kind[k]);
	m->total.f.from_pagemap = m->folios;
	return 0;
}

int hb_procmem_read(int pid, struct hb_procmem *m, char *why, size_t len)
{
	char smaps[64], pagemap[64], status[64];
	struct hb_procmem_src src = { .smaps = smaps, .pagemap = pagemap,
				      .kpageflags = "/proc/kpageflags", .status = status };

	snprintf(smaps, sizeof(smaps), "/proc/%d/smaps", pid);
	snprintf(pagemap, sizeof(pagemap), "/proc/%d/pagemap", pid);
	snprintf(status, sizeof(status), "/proc/%d/status", pid);
	m->pid = pid;
	return hb_procmem_read_src(&src, m, why, len);
}

void hb_procmem_free(struct hb_procmem *m)
{
	free(m->pmd_vfn);
	m->pmd_vfn = NULL;
	m->npmd = m->pmd_cap = 0;
}
