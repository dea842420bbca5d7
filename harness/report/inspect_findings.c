/*
 * inspect's findings: each a row of hb_inspect_rules (an id, what it looks for, a threshold and
 * the measure that compares a sample's figure with it), like a workload's claims. The words
 * name the figure and the setting that changes it.
 */
#include <stdio.h>
#include <string.h>

#include "inspect_report.h"

#define MIB(kib) ((double)(kib) / 1024.0)

static struct hb_procmem_kind anon_of(const struct hb_inspect *s)
{
	struct hb_procmem_kind a = s->kind[HB_MAP_ANON];

	hb_procmem_kind_add(&a, &s->kind[HB_MAP_STACK]);
	return a;
}

/* The malloc most of the set has (the first process read), "" when none. */
static const char *set_malloc(const struct hb_inspect *s)
{
	for (size_t i = 0; i < s->nproc; i++)
		if (s->proc[i].alloc_ok)
			return s->proc[i].alloc.name;
	return "";
}

/* The words of a malloc's own switch for huge pages. */
static const char *malloc_switch(const char *name)
{
	if (!strcmp(name, "jemalloc"))
		return ", or jemalloc `thp:never` (MALLOC_CONF)";
	if (!strcmp(name, "glibc"))
		return ", or glibc's `glibc.malloc.hugetlb=0` (GLIBC_TUNABLES)";
	return "";
}

static int charged_beyond(const struct hb_inspect *s, const struct hb_inspect_rule *r,
			  struct hb_inspect_finding *f)
{
	for (unsigned i = 0; i < s->ncg; i++) {
		const struct hb_inspect_cg *c = &s->cg[i];
		uint64_t rss = c->procs_rss_kib, file = c->info.have_file ? c->info.file_kib : 0;
		double gap, pct;

		if (c->root || !c->info.have_charged || !rss || c->procs_unread ||
		    c->info.charged_kib <= rss + file)
			continue;
		gap = (double)(c->info.charged_kib - rss - file);
		pct = 100.0 * gap / (double)rss;
		if (pct < r->threshold || gap < 32 * 1024)
			continue;
		f->figure = pct;
		snprintf(f->text, sizeof(f->text),
			 "THP `%s`%s%s: the cgroup %s is charged %.0f MiB (%.0f%%) beyond what its "
			 "processes have resident (anonymous Rss %.0f MiB, charged %.0f MiB, page cache "
			 "%.0f MiB): freed memory still held in huge pages (partly freed THPs wait on the "
			 "deferred-split queue)",
			 s->thp.enabled, *set_malloc(s) ? " + " : "", set_malloc(s), c->info.dir,
			 MIB(gap), pct, MIB(rss), MIB(c->info.charged_kib), MIB(file));
		snprintf(f->setting, sizeof(f->setting),
			 "THP `madvise` mode%s, or khugepaged/max_ptes_none=409 with "
			 "shrink_underused=1 (the THP shrinker, Linux 6.12+: it splits underused THPs "
			 "under memory pressure) returns it",
			 malloc_switch(set_malloc(s)));
		return 1;
	}
	return 0;
}

static int mostly_zero(const struct hb_inspect *s, const struct hb_inspect_rule *r,
		       struct hb_inspect_finding *f)
{
	uint64_t over;
	double pct;

	if (!s->zero_done || !s->zero.thps)
		return 0;
	over = hb_zero_thps_over(&s->zero, 80);
	pct = 100.0 * (double)over / (double)s->zero.thps;
	if (pct < r->threshold)
		return 0;
	f->figure = pct;
	snprintf(f->text, sizeof(f->text),
		 "%.0f%% of the huge pages (%llu of %llu THPs) are more than 80%% zero: a thinly "
		 "filled heap",
		 pct, (unsigned long long)over, (unsigned long long)s->zero.thps);
	snprintf(f->setting, sizeof(f->setting),
		 "khugepaged/max_ptes_none=409 with shrink_underused=1 lets the THP shrinker split "
		 "them and free %.0f MiB (at 0: %.0f MiB); or THP `madvise` mode",
		 MIB(hb_zero_reclaim_kib(&s->zero, 409)), MIB(hb_zero_reclaim_kib(&s->zero, 0)));
	return 1;
}

static int zero_filled(const struct hb_inspect *s, const struct hb_inspect_rule *r,
		       struct hb_inspect_finding *f)
{
	double mib, pct;

	if (!s->zero_done || !s->zero.thps)
		return 0;
	mib = (double)s->zero.zero_pages * 4 / 1024;
	pct = 100.0 * mib / ((double)s->zero.thps * 2);
	if (pct < r->threshold)
		return 0;
	f->figure = pct;
	snprintf(f->text, sizeof(f->text),
		 "%.0f MiB of the huge pages hold only zeros (%.0f%% of the %.0f MiB of PMD-mapped "
		 "THP scanned)",
		 mib, pct, (double)s->zero.thps * 2);
	snprintf(f->setting, sizeof(f->setting),
		 "the THP shrinker would free %.0f MiB at khugepaged/max_ptes_none=409, %.0f MiB "
		 "at 0, none at 511 (now: %s)",
		 MIB(hb_zero_reclaim_kib(&s->zero, 409)), MIB(hb_zero_reclaim_kib(&s->zero, 0)),
		 s->thp.max_ptes_none[0] ? s->thp.max_ptes_none : "unknown");
	return 1;
}

static int thp_disabled(const struct hb_inspect *s, const struct hb_inspect_rule *r,
			struct hb_inspect_finding *f)
{
	for (size_t i = 0; i < s->nproc; i++) {
		const struct hb_inspect_proc *p = &s->proc[i];
		uint64_t anon = p->mem.kind[HB_MAP_ANON].rss_kib;

		if (p->mem.state != HB_PROC_OK || p->mem.thp_enabled != 0 ||
		    MIB(anon) < r->threshold)
			continue;
		f->figure = MIB(anon);
		snprintf(f->text, sizeof(f->text),
			 "%s (pid %d) turned THP off for itself (THP_enabled 0: "
			 "prctl(PR_SET_THP_DISABLE)): none of its %.0f MiB of anonymous memory can "
			 "be huge",
			 p->mem.comm, p->mem.pid, MIB(anon));
		snprintf(f->setting, sizeof(f->setting),
			 "the process's own switch (Redis: `disable-thp no`)");
		return 1;
	}
	return 0;
}

/* The mode rules: the THP mode the rule names, no huge page in the anonymous memory (and under
 * madvise, no MADV_HUGEPAGE mapping), at least the threshold's MiB; the words are the rule's. */
static int anon_in_mode(const struct hb_inspect *s, const struct hb_inspect_rule *r,
			struct hb_inspect_finding *f)
{
	struct hb_procmem_kind a = anon_of(s);

	if (strcmp(s->thp.enabled, r->mode) || MIB(a.rss_kib) < r->threshold || a.pmd_smaps_kib ||
	    (strcmp(r->mode, "never") && a.hg_kib))
		return 0;
	f->figure = MIB(a.rss_kib);
	snprintf(f->text, sizeof(f->text), r->text, MIB(a.rss_kib));
	snprintf(f->setting, sizeof(f->setting), "%s", r->setting);
	return 1;
}

static int pte_mapped(const struct hb_inspect *s, const struct hb_inspect_rule *r,
		      struct hb_inspect_finding *f)
{
	uint64_t thp = hb_inspect_thp_kib(&s->total), pmd, pte;

	if (!s->folios || !thp)
		return 0;
	pmd = s->total.f.pmd_mapped_kib - s->total.f.hugetlb_kib;
	pte = thp > pmd ? thp - pmd : 0;
	if (100.0 * (double)pte / (double)thp < r->threshold || pte < 8 * 1024)
		return 0;
	f->figure = 100.0 * (double)pte / (double)thp;
	snprintf(f->text, sizeof(f->text),
		 "%.0f MiB (%.0f%%) of the 2 MiB folios are mapped by 4 KiB page-table entries "
		 "(mremap, mprotect or a partial munmap split their mapping): no TLB gain from "
		 "them, of which %.0f MiB in partly mapped folios",
		 MIB(pte), f->figure, MIB(s->total.f.partial_kib));
	snprintf(f->setting, sizeof(f->setting),
		 "khugepaged collapses them back (khugepaged/max_ptes_none, pages_to_scan), or "
		 "MADV_COLLAPSE; keep such ranges 2 MiB-aligned");
	return 1;
}

static int partial_folios(const struct hb_inspect *s, const struct hb_inspect_rule *r,
			  struct hb_inspect_finding *f)
{
	if (!s->folios || MIB(s->total.f.partial_kib) < r->threshold)
		return 0;
	f->figure = MIB(s->total.f.partial_kib);
	snprintf(f->text, sizeof(f->text),
		 "%.0f MiB are mapped from huge folios the process only partly maps: the rest of "
		 "each folio is freed only when the kernel splits it (deferred split, under "
		 "memory pressure)",
		 f->figure);
	snprintf(f->setting, sizeof(f->setting),
		 "memory pressure, or shrink_underused=1 with khugepaged/max_ptes_none below 511");
	return 1;
}

static int low_coverage_always(const struct hb_inspect *s, const struct hb_inspect_rule *r,
			       struct hb_inspect_finding *f)
{
	struct hb_procmem_kind a = anon_of(s);
	int pm;
	double cov = hb_inspect_anon_coverage(s, &pm);

	if (strcmp(s->thp.enabled, "always") || MIB(a.rss_kib) < 256 || cov < 0 ||
	    cov >= r->threshold || a.nh_kib * 2 > a.rss_kib)
		return 0;
	f->figure = cov;
	snprintf(f->text, sizeof(f->text),
		 "under THP `always` only %.0f%% of the %.0f MiB of anonymous memory is in huge "
		 "pages: fragmented memory, " HB_THP_DEFRAG_KNOB " `%s`, or mappings too small or "
		 "unaligned",
		 cov, MIB(a.rss_kib), s->thp.defrag);
	snprintf(f->setting, sizeof(f->setting),
		 HB_THP_DEFRAG_KNOB " `defer+madvise` or `madvise` with MADV_HUGEPAGE; khugepaged "
		 "collapses "
		 "later (pages_to_scan)");
	return 1;
}

const struct hb_inspect_rule hb_inspect_rules[] = {
	{ .id = "charged-beyond-rss",
	  .looks_for = "a memory cgroup charged more than its processes' anonymous Rss plus page "
		       "cache (% of that Rss; and >= 32 MiB)",
	  .threshold = 10, .measure = charged_beyond },
	{ .id = "mostly-zero-huge-pages",
	  .looks_for = "THPs more than 80% zero (% of the THPs scanned; --zero-scan)",
	  .threshold = 20, .measure = mostly_zero },
	{ .id = "zero-filled",
	  .looks_for = "zero 4 KiB subpages inside PMD-mapped THPs (% of them; --zero-scan)",
	  .threshold = 10, .measure = zero_filled },
	{ .id = "thp-disabled-by-process",
	  .looks_for = "a process with THP_enabled 0 (prctl) and at least this many MiB anonymous",
	  .threshold = 64, .measure = thp_disabled },
	{ .id = "madvise-without-hint",
	  .looks_for = "THP `madvise` mode, no MADV_HUGEPAGE mapping, at least this many MiB "
		       "anonymous",
	  .threshold = 64, .measure = anon_in_mode, .mode = "madvise",
	  .text = "THP `madvise` mode and no mapping asked for huge pages (no MADV_HUGEPAGE): "
		  "%.0f MiB of anonymous memory in 4 KiB pages",
	  .setting = "the allocator's THP option (jemalloc `thp:always`, glibc "
		     "`glibc.malloc.hugetlb=1`), or THP `always` mode" },
	{ .id = "thp-never", .looks_for = "THP `never`, at least this many MiB anonymous",
	  .threshold = 64, .measure = anon_in_mode, .mode = "never",
	  .text = "THP is `never` on this machine: the %.0f MiB of anonymous memory get no 2 MiB "
		  "pages (mTHP sizes set `always` still can)",
	  .setting = "/sys/kernel/mm/transparent_hugepage/enabled `madvise` (with "
		     "MADV_HUGEPAGE) or `always`" },
	{ .id = "pte-mapped-thp",
	  .looks_for = "2 MiB folios mapped by PTEs (% of the THP memory; and >= 8 MiB)",
	  .threshold = 10, .measure = pte_mapped },
	{ .id = "partly-mapped-folios", .looks_for = "MiB mapped from partly mapped huge folios",
	  .threshold = 16, .measure = partial_folios },
	{ .id = "low-coverage-always",
	  .looks_for = "huge-page coverage of anonymous memory under `always` below this % (>= "
		       "256 MiB)",
	  .threshold = 50, .measure = low_coverage_always },
	{ .id = NULL },
};

unsigned hb_inspect_findings(const struct hb_inspect *s, struct hb_inspect_finding *f,
			     unsigned max)
{
	unsigned n = 0;

	for (const struct hb_inspect_rule *r = hb_inspect_rules; r->id && n < max; r++) {
		memset(&f[n], 0, sizeof(f[n]));
		f[n].id = r->id;
		if (r->measure(s, r, &f[n]))
			n++;
	}
	return n;
}

void hb_inspect_rules_help(FILE *f)
{
	fprintf(f, "findings (a rule each: its id, what it looks for, its threshold):\n");
	for (const struct hb_inspect_rule *r = hb_inspect_rules; r->id; r++)
		fprintf(f, "  %-24s %s: %g\n", r->id, r->looks_for, r->threshold);
}
