/* inspect's outputs (inspect_report.h): terminal, JSON, CSV, chart, markdown. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inspect_report.h"
#include "units.h"


void hb_inspect_order_name(unsigned order, char *buf, size_t len)
{
	char size[32];

	hb_format_size(4096ull << order, size, sizeof(size));
	for (char *c = size; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	snprintf(buf, len, "folio_kib_%s", size);
}

/* The orders shown: 4 KiB, the mTHP sizes this kernel lists, 2 MiB, and any with memory. */
static void shown_orders(const struct hb_inspect *s, unsigned char *shown)
{
	memset(shown, 0, HB_FOLIO_ORDERS);
	shown[0] = shown[9] = 1;
	for (unsigned i = 0; i < s->thp.nsizes; i++)
		for (unsigned o = 1; o < HB_FOLIO_ORDERS; o++)
			if ((4u << o) == s->thp.size[i].kib && strcmp(s->thp.size[i].enabled, "never") &&
			    s->thp.size[i].enabled[0] && o != 9)
				shown[o] = 1;
	for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++)
		if (s->total.f.kib[o])
			shown[o] = 1;
}

static const char *size_label(unsigned order, char *buf, size_t len)
{
	hb_format_size(4096ull << order, buf, len);
	return buf;
}

/* A KiB cell of the table: the figure, or "-" for unavailable (said below the table). */
static void kib_cell(FILE *f, int have, uint64_t kib)
{
	if (have)
		fprintf(f, " %10llu", (unsigned long long)kib);
	else
		fprintf(f, " %10s", "-");
}

static void table_row(FILE *f, const struct hb_inspect *s, const char *label, int folio,
		      uint64_t (*get)(const struct hb_procmem_kind *k, unsigned arg), unsigned arg)
{
	fprintf(f, "  %-22s", label);
	for (int k = 0; k < HB_MAP_KINDS; k++)
		kib_cell(f, !folio || s->folios, get(&s->kind[k], arg));
	kib_cell(f, !folio || s->folios, get(&s->total, arg));
	fputc('\n', f);
}

static uint64_t g_rss(const struct hb_procmem_kind *k, unsigned a)
{
	(void)a;
	return k->rss_kib + k->hugetlb_kib;
}
static uint64_t g_smaps_pmd(const struct hb_procmem_kind *k, unsigned a)
{
	(void)a;
	return k->pmd_smaps_kib + k->hugetlb_kib;
}
static uint64_t g_order(const struct hb_procmem_kind *k, unsigned o)
{
	if (o == 9) /* split below: PMD-mapped and PTE-mapped */
		return 0;
	return k->f.kib[o];
}
static uint64_t g_pmd(const struct hb_procmem_kind *k, unsigned a)
{
	(void)a;
	return hb_inspect_pmd2m_kib(k);
}
static uint64_t g_pte(const struct hb_procmem_kind *k, unsigned a)
{
	(void)a;
	return hb_inspect_pte2m_kib(k);
}
static uint64_t g_partial(const struct hb_procmem_kind *k, unsigned a)
{
	(void)a;
	return k->f.partial_kib;
}
static uint64_t g_zero(const struct hb_procmem_kind *k, unsigned a)
{
	(void)a;
	return k->f.zero_kib;
}

static void print_cg(const struct hb_inspect *s, FILE *f)
{
	for (unsigned i = 0; i < s->ncg; i++) {
		const struct hb_inspect_cg *c = &s->cg[i];

		fprintf(f, "  cgroup %s (v%d): ", c->info.dir, c->info.version);
		if (c->root) {
			fprintf(f, "the root cgroup: its charge is the whole machine's, no gap "
				   "figure\n");
			continue;
		}
		if (!c->info.have_charged) {
			fprintf(f, "charged unavailable (%s)\n", c->info.why);
			continue;
		}
		fprintf(f, "charged %llu KiB; anonymous Rss of its %u processes %llu KiB",
			(unsigned long long)c->info.charged_kib, c->nprocs,
			(unsigned long long)c->procs_rss_kib);
		if (c->info.have_file)
			fprintf(f, "; page cache %llu KiB", (unsigned long long)c->info.file_kib);
		if (c->procs_unread)
			fprintf(f, "; %u of its processes unreadable: no gap figure\n",
				c->procs_unread);
		else
			fprintf(f, "\n    beyond anonymous Rss + page cache: %lld KiB (%.1f%% of that Rss)\n",
				(long long)c->info.charged_kib - (long long)c->procs_rss_kib -
					(long long)(c->info.have_file ? c->info.file_kib : 0),
				c->procs_rss_kib
					? 100.0 *
						  ((double)c->info.charged_kib -
						   (double)c->procs_rss_kib -
						   (double)(c->info.have_file ? c->info.file_kib : 0)) /
						  (double)c->procs_rss_kib
					: 0);
		if (c->info.nstat) {
			fprintf(f, "    memory.stat:");
			for (unsigned j = 0; j < c->info.nstat; j++)
				fprintf(f, " %s %llu", c->info.stat[j].name,
					(unsigned long long)c->info.stat[j].value);
			fputc('\n', f);
		}
	}
}

static void print_zero(const struct hb_inspect *s, FILE *f)
{
	if (!s->zero_done)
		return;
	fprintf(f, "zero scan (process_vm_readv, %.0f MiB/s, %.2f s):", s->zero.mib_per_s,
		s->zero.seconds);
	if (!s->zero.thps) {
		fprintf(f, " no PMD-mapped THP read%s%s\n", s->zero_why[0] ? ": " : "",
			s->zero_why);
		return;
	}
	fprintf(f, " %llu THPs, %llu zero 4 KiB subpages (%.1f MiB, %.1f per THP)%s%s\n",
		(unsigned long long)s->zero.thps, (unsigned long long)s->zero.zero_pages,
		(double)s->zero.zero_pages * 4 / 1024,
		(double)s->zero.zero_pages / (double)s->zero.thps, s->zero_why[0] ? "; " : "",
		s->zero_why);
	fprintf(f, "  the THP shrinker would free: max_ptes_none 511: 0 KiB (off); 409: %llu "
		   "KiB; 0: %llu KiB\n",
		(unsigned long long)hb_zero_reclaim_kib(&s->zero, 409),
		(unsigned long long)hb_zero_reclaim_kib(&s->zero, 0));
}

void hb_inspect_print(const struct hb_inspect *s, FILE *f)
{
	struct hb_inspect_finding fi[HB_INSPECT_MAX_FINDINGS];
	unsigned char shown[HB_FOLIO_ORDERS];
	char lab[32], sz[16];
	unsigned n;
	int pm;
	double cov;

	fprintf(f, "inspect: %u process%s read in %.3f s", s->ok, s->ok == 1 ? "" : "es",
		s->read_s);
	if (s->gone)
		fprintf(f, "; %u gone", s->gone);
	if (s->unreadable)
		fprintf(f, "; %u unreadable", s->unreadable);
	if (s->kthreads)
		fprintf(f, "; %u kernel thread%s skipped", s->kthreads, s->kthreads == 1 ? "" : "s");
	fputc('\n', f);
	for (size_t i = 0; i < s->nproc; i++) {
		const struct hb_inspect_proc *p = &s->proc[i];

		if (p->mem.state != HB_PROC_OK) {
			fprintf(f, "  pid %d: %s\n", p->mem.pid, p->why);
			continue;
		}
		fprintf(f, "  pid %d %s: Rss %llu KiB, THP_enabled %s, malloc %s (%s)\n",
			p->mem.pid, p->mem.comm,
			(unsigned long long)(p->mem.total.rss_kib + p->mem.total.hugetlb_kib),
			p->mem.thp_enabled < 0 ? "not shown" : p->mem.thp_enabled ? "1" : "0",
			p->alloc_ok ? p->alloc.name : "unknown",
			p->alloc_ok ? p->alloc.how : "maps unreadable");
		for (unsigned e = 0; p->alloc_ok && e < p->alloc.nenv; e++)
			fprintf(f, "    env %s\n", p->alloc.env[e]);
		if (p->alloc_ok && p->alloc.env_why[0])
			fprintf(f, "    environment unavailable: %s\n", p->alloc.env_why);
		if (p->alloc_ok && p->alloc.malloc_conf_link[0])
			fprintf(f, "    /etc/malloc.conf -> %s\n", p->alloc.malloc_conf_link);
	}
	fprintf(f, "THP: enabled %s, " HB_THP_DEFRAG_KNOB " %s, shmem_enabled %s, "
		   "khugepaged/max_ptes_none %s, "
		   "shrink_underused %s\n",
		s->thp.enabled[0] ? s->thp.enabled : "?", s->thp.defrag[0] ? s->thp.defrag : "?",
		s->thp.shmem_enabled[0] ? s->thp.shmem_enabled : "?",
		s->thp.max_ptes_none[0] ? s->thp.max_ptes_none : "?",
		s->thp.shrink_underused[0] ? s->thp.shrink_underused : "absent");
	fprintf(f, "  mTHP sizes:");
	for (unsigned i = 0; i < s->thp.nsizes; i++)
		fprintf(f, " %uK %s", s->thp.size[i].kib,
			s->thp.size[i].enabled[0] ? s->thp.size[i].enabled : "(unreadable)");
	fputc('\n', f);
	if (!s->ok)
		return;
	fprintf(f, "memory (KiB)            ");
	for (int k = 0; k < HB_MAP_KINDS; k++)
		fprintf(f, " %10s", hb_map_kind_names[k]);
	fprintf(f, " %10s\n", "total");
	table_row(f, s, "resident (+hugetlb)", 0, g_rss, 0);
	table_row(f, s, "smaps: PMD-mapped", 0, g_smaps_pmd, 0);
	shown_orders(s, shown);
	for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++) {
		if (!shown[o])
			continue;
		if (o == 9) {
			table_row(f, s, "2M folios, PMD-mapped", 1, g_pmd, 0);
			table_row(f, s, "2M folios, PTE-mapped", 1, g_pte, 0);
			continue;
		}
		snprintf(lab, sizeof(lab), "%s folios", size_label(o, sz, sizeof(sz)));
		if (o == 0)
			snprintf(lab, sizeof(lab), "4K pages");
		table_row(f, s, lab, 1, g_order, o);
	}
	table_row(f, s, "partly mapped folios", 1, g_partial, 0);
	table_row(f, s, "zero page", 1, g_zero, 0);
	if (!s->folios)
		fprintf(f, "  per-size figures (-) unavailable: %s\n", s->why_folios);
	cov = hb_inspect_anon_coverage(s, &pm);
	if (cov >= 0)
		fprintf(f, "huge-page coverage of anonymous memory: %.1f%% (%s)\n", cov,
			pm ? "folios > 4 KiB, pagemap + kpageflags" : "AnonHugePages, smaps");
	{
		struct hb_procmem_kind a = s->kind[HB_MAP_ANON];

		hb_procmem_kind_add(&a, &s->kind[HB_MAP_STACK]);
		fprintf(f, "eligibility (anonymous): THPeligible %u of %u VMAs (%llu KiB); "
			   "MADV_HUGEPAGE %u VMAs (%llu KiB); MADV_NOHUGEPAGE %u VMAs (%llu KiB)\n",
			a.vmas_eligible, a.vmas, (unsigned long long)a.eligible_kib, a.vmas_hg,
			(unsigned long long)a.hg_kib, a.vmas_nh, (unsigned long long)a.nh_kib);
	}
	fprintf(f, "memory two ways:\n");
	fprintf(f, "  Rss %llu KiB + hugetlb %llu KiB\n", (unsigned long long)s->total.rss_kib,
		(unsigned long long)s->total.hugetlb_kib);
	print_cg(s, f);
	print_zero(s, f);
	n = hb_inspect_findings(s, fi, HB_INSPECT_MAX_FINDINGS);
	fprintf(f, "findings:%s\n", n ? "" : " none");
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "  - [%s] %s\n    what changes it: %s\n", fi[i].id, fi[i].text,
			fi[i].setting);
}

/* The set's charged-beyond figure: the first cgroup that has one; 0 when none. */
static int beyond(const struct hb_inspect *s, uint64_t *charged, int64_t *gap)
{
	for (unsigned i = 0; i < s->ncg; i++) {
		const struct hb_inspect_cg *c = &s->cg[i];

		if (c->root || !c->info.have_charged || c->procs_unread)
			continue;
		*charged = c->info.charged_kib;
		*gap = (int64_t)c->info.charged_kib - (int64_t)c->procs_rss_kib -
		       (int64_t)(c->info.have_file ? c->info.file_kib : 0);
		return 1;
	}
	return 0;
}

int hb_inspect_has_charged(const struct hb_inspect *s)
{
	uint64_t charged;
	int64_t gap;

	return beyond(s, &charged, &gap);
}

int hb_inspect_has_zero(const struct hb_inspect *s)
{
	return s->zero_done && s->zero.thps;
}

void hb_inspect_print_line(const struct hb_inspect *s, FILE *f)
{
	uint64_t charged;
	int64_t gap;
	int pm;
	double cov = hb_inspect_anon_coverage(s, &pm);

	fprintf(f, "%7.1fs  procs %u  rss %llu KiB  coverage %s", s->t, s->ok,
		(unsigned long long)(s->total.rss_kib + s->total.hugetlb_kib),
		cov >= 0 ? "" : "-");
	if (cov >= 0)
		fprintf(f, "%.1f%%", cov);
	if (beyond(s, &charged, &gap))
		fprintf(f, "  charged %llu KiB  beyond %lld KiB", (unsigned long long)charged,
			(long long)gap);
	if (s->zero_done && s->zero.thps)
		fprintf(f, "  zero %.1f%%",
			100.0 * (double)s->zero.zero_pages / ((double)s->zero.thps * 512));
	if (s->gone)
		fprintf(f, "  gone %u", s->gone);
	fputc('\n', f);
	fflush(f);
}

void hb_inspect_csv_header(FILE *f)
{
	fprintf(f, "t_s,pid,metric,value,unit,note\n");
}

static void csv_row(FILE *f, double t, const char *pid, const char *metric, double v,
		    const char *unit, const char *note)
{
	/* 10 digits: a KiB figure stays exact (6 made 1146060 of 1146056) */
	fprintf(f, "%.3f,%s,%s,%.10g,%s,\"%s\"\n", t, pid, metric, v, unit, note);
}

static void csv_unavailable(FILE *f, double t, const char *pid, const char *metric,
			    const char *unit, const char *why)
{
	fprintf(f, "%.3f,%s,%s,unavailable,%s,\"%s\"\n", t, pid, metric, unit, why);
}

void hb_inspect_csv_rows(const struct hb_inspect *s, FILE *f)
{
	uint64_t charged;
	int64_t gap;
	int pm;
	double cov = hb_inspect_anon_coverage(s, &pm);
	char name[48];

	csv_row(f, s->t, "all", "rss_kib", (double)(s->total.rss_kib + s->total.hugetlb_kib),
		"KiB", "smaps Rss + *_Hugetlb");
	if (cov >= 0)
		csv_row(f, s->t, "all", "huge_coverage_pct", cov, "%",
			pm ? "pagemap + kpageflags" : "smaps AnonHugePages");
	else
		csv_unavailable(f, s->t, "all", "huge_coverage_pct", "%", "no anonymous memory");
	if (beyond(s, &charged, &gap)) {
		csv_row(f, s->t, "all", "charged_kib", (double)charged, "KiB", "memory cgroup");
		csv_row(f, s->t, "all", "beyond_rss_kib", (double)gap, "KiB",
			"charged - Rss - page cache");
	} else {
		csv_unavailable(f, s->t, "all", "charged_kib", "KiB",
				"no memory cgroup of its own (root or none)");
		csv_unavailable(f, s->t, "all", "beyond_rss_kib", "KiB",
				"no memory cgroup of its own (root or none)");
	}
	for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++) {
		if (!s->total.f.kib[o] && o != 0 && o != 9)
			continue;
		hb_inspect_order_name(o, name, sizeof(name));
		if (s->folios)
			csv_row(f, s->t, "all", name, (double)s->total.f.kib[o], "KiB",
				"pagemap + kpageflags");
		else
			csv_unavailable(f, s->t, "all", name, "KiB", s->why_folios);
	}
	if (s->zero_done && s->zero.thps)
		csv_row(f, s->t, "all", "zero_share_pct",
			100.0 * (double)s->zero.zero_pages / ((double)s->zero.thps * 512), "%",
			"zero 4 KiB subpages of PMD-mapped THPs");
	else
		csv_unavailable(f, s->t, "all", "zero_share_pct", "%",
				!s->zero_done ? "not scanned (inspect without --zero-scan)" :
				s->zero_why[0] ? s->zero_why : "no PMD-mapped THP to scan");
	for (size_t i = 0; i < s->nproc; i++) {
		const struct hb_inspect_proc *p = &s->proc[i];
		char pid[16];

		snprintf(pid, sizeof(pid), "%d", p->mem.pid);
		if (p->mem.state == HB_PROC_GONE || p->mem.state == HB_PROC_UNREADABLE)
			csv_unavailable(f, s->t, pid, "rss_kib", "KiB", p->why);
		else if (p->mem.state == HB_PROC_OK)
			csv_row(f, s->t, pid, "rss_kib",
				(double)(p->mem.total.rss_kib + p->mem.total.hugetlb_kib), "KiB",
				p->mem.comm);
	}
}

int hb_inspect_chart(const char *dir, int have_charged, int have_zero, char *why, size_t len)
{
	char gp[PATH_MAX], cmd[PATH_MAX * 2 + 64];
	FILE *f;
	int rc;

	if (access(GNUPLOT_PATH, X_OK)) {
		snprintf(why, len, "gnuplot (%s) is not there: apt-get install gnuplot-nox",
			 GNUPLOT_PATH);
		return -ENOENT;
	}
	snprintf(gp, sizeof(gp), "%s/inspect.gp", dir);
	f = fopen(gp, "we");
	if (!f) {
		rc = -errno;
		snprintf(why, len, "cannot write %s: %s", gp, strerror(-rc));
		return rc;
	}
	/* A panel per figure over time, from the tidy CSV (awk picks a metric's rows); the
	 * charged and zero panels only when some sample has them. */
	fprintf(f,
		"set terminal pngcairo size 1000,%d noenhanced\n"
		"set output '%s/inspect.png'\n"
		"set datafile separator ','\n"
		"set multiplot layout %d,1 title 'hugebench inspect'\n"
		"set xlabel 'seconds'\n"
		"set grid\n"
		"m(x) = sprintf(\"< awk -F, '$2==\\\"all\\\" && $3==\\\"%%s\\\" && "
		"$4!=\\\"unavailable\\\"' '%s/inspect.csv'\", x)\n"
		"set ylabel '%%'\nset yrange [0:100]\n"
		"plot m('huge_coverage_pct') using 1:4 with linespoints title 'huge-page coverage "
		"of anonymous memory'\n"
		"set ylabel 'MiB'\nset yrange [0:*]\n"
		"plot m('rss_kib') using 1:($4/1024) with linespoints title 'Rss (+hugetlb)'\n",
		250 * (2 + !!have_charged + !!have_zero), dir, 2 + !!have_charged + !!have_zero, dir);
	if (have_charged)
		fprintf(f, "plot m('charged_kib') using 1:($4/1024) with linespoints title 'cgroup "
			   "charged', m('beyond_rss_kib') using 1:($4/1024) with linespoints title "
			   "'charged beyond anonymous Rss + page cache'\n");
	if (have_zero)
		fprintf(f, "set ylabel '%%'\nset yrange [0:100]\nplot m('zero_share_pct') using 1:4 with linespoints "
			   "title 'zero 4 KiB subpages in PMD-mapped THPs'\n");
	fprintf(f, "unset multiplot\n");
	fclose(f);
	snprintf(cmd, sizeof(cmd), "'%s' '%s' > '%s/gnuplot.log' 2>&1", GNUPLOT_PATH, gp, dir);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc)) {
		snprintf(why, len, "gnuplot failed (see %s/gnuplot.log)", dir);
		return -EIO;
	}
	return 0;
}

int hb_inspect_markdown(const char *dir, const struct hb_inspect *last, unsigned samples,
			int chart_made, const char *chart_why)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	FILE *f;

	snprintf(path, sizeof(path), "%s/inspect.md", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "# hugebench inspect\n\n%u sample%s; the last one:\n\n```\n", samples,
		samples == 1 ? "" : "s");
	hb_inspect_print(last, f);
	fprintf(f, "```\n\nThe figures over time: [inspect.csv](inspect.csv) (tidy: "
		   "`t_s,pid,metric,value,unit,note`).\n\n");
	if (chart_made)
		fprintf(f, "![coverage, Rss, charged and zero share over time](inspect.png)\n");
	else
		fprintf(f, "No chart: %s.\n", chart_why);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}
