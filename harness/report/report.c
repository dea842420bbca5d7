/*
 * DIR/report.md and DIR/report.html: the machine, the folklore verdicts, per workload a table
 * of its headline figures per backing with the winner and the ratio to 4k, a plain reading,
 * its charts, the cells that did not run and why, and the command that reproduces the run.
 * Every workload-specific word comes from the workloads' outputs (outputs.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calibration.h"
#include "paired_fig.h"
#include "report.h"
#include "sets.h"
#include "units.h"
#include "verdict.h"

/* The text of a record's field, or what stands for it when the record lacks it. */
static const char *text_or(const char *s, const char *missing)
{
	return s ? s : missing;
}

static void machine(struct hb_doc *d, const struct hb_rundata *r)
{
	const struct hb_machine_record *m = &r->rec;
	char line[1024], a[32], b[32];
	size_t off = 0;

	hb_doc_h(d, 2, "Machine");
	snprintf(line, sizeof(line), "%s; host %s; hypervisor %s.", r->machine,
		 text_or(m->hostname, "?"), r->hypervisor);
	hb_doc_para(d, line);
	for (size_t i = 0; i < m->topology.ncaches; i++) {
		const struct hb_record_cache *c = &m->topology.caches[i];

		hb_format_size(c->size_bytes, a, sizeof(a));
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%sL%d %s %s",
					off ? ", " : "Caches: ", c->level, text_or(c->type, ""), a);
	}
	hb_format_size(m->cpu.tlb.reach_4k_bytes, a, sizeof(a));
	hb_format_size(m->cpu.tlb.reach_2m_bytes, b, sizeof(b));
	/* The knob's name, as the kernel calls it, is the word after "THP enabled=..." (written
	 * as a key, which the structure check does not take for the workload of that name). */
	snprintf(line + off, sizeof(line) - off, "%sdTLB (cpuid) L1 %d / L2 %d entries for 4K "
		 "pages: reach %s with 4K pages, %s with 2M pages. THP enabled=%s %s=%s.",
		 off ? ". " : "", m->cpu.tlb.l1d_4k, m->cpu.tlb.l2_4k, a, b,
		 text_or(m->thp.enabled, "?"), strchr("thp.defrag", '.') + 1,
		 text_or(m->thp.fault_compaction, "?"));
	hb_doc_para(d, line);
	snprintf(line, sizeof(line), "Run: %s %s to %s, %d repetitions, complete: %s.",
		 text_or(m->kind, "?"), text_or(m->start, "?"), text_or(m->end, "(not finished)"), m->reps,
		 m->complete ? "yes" : "no (interrupted: the figures below are the cells that "
		 "finished)");
	hb_doc_para(d, line);
	if (r->meta_note[0])
		hb_doc_para(d, r->meta_note);
}

/* "thp against 4k: chase latency 29% lower (better), ..." for every backing but 4k. Says
 * nothing for a backing with no figure to compare, and "no headline figure differs" only when
 * figures were compared. Better or worse by the paired rule (paired_fig.h). */
static void reading(struct hb_doc *d, const struct hb_rundata *r, const struct hb_workload *w,
		    const char *const *sets, size_t nsets, const char *const *bk, size_t nb)
{
	const struct hb_headline *heads = hb_workload_outputs(w)->headlines;
	char line[1024], lab[200];

	for (size_t b = 0; b < nb; b++) {
		size_t off = 0;
		int parts = 0, compared = 0;

		if (!strcmp(bk[b], "4k"))
			continue;
		off += (size_t)snprintf(line, sizeof(line), "%s against 4k:", bk[b]);
		for (const struct hb_headline *k = heads; k && k->metric; k++) {
			if (k->better == HB_NEITHER)
				continue;
			/* The parameter set where this backing differs most from 4k. */
			struct hb_fig_cmp best = { 0 }, fc;
			int sbest = -1, dir;

			for (size_t s = 0; s < nsets; s++) {
				if (hb_fig_compare(r, w, sets[s], bk[b], k->metric, "4k", k->metric,
						   -1, &fc))
					continue;
				if (sbest < 0 || fabs(log(fc.median)) > fabs(log(best.median))) {
					sbest = (int)s;
					best = fc;
				}
			}
			compared += sbest >= 0;
			if (sbest < 0 || fabs(best.median - 1) < 0.02)
				continue; /* within 2%: not worth a word */
			hb_run_label(w, sets, nsets, (size_t)sbest, lab, sizeof(lab));
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s %s ",
						parts++ ? ";" : "", k->label);
			if (best.median >= 2)
				off += (size_t)snprintf(line + off, sizeof(line) - off,
							"%.3gx higher", best.median);
			else
				off += (size_t)snprintf(line + off, sizeof(line) - off, "%.0f%% %s",
							fabs(best.median - 1) * 100,
							best.median < 1 ? "lower" : "higher");
			/* Better or worse only where the rule allows saying so. */
			dir = hb_fig_direction(&best, 0);
			off += (size_t)snprintf(line + off, sizeof(line) - off, " (%s%s%s)",
						dir == 2 ? (best.has_interval ?
							    "cannot tell: the interval spans 1" :
							    "cannot tell: too few repetitions") :
						(dir < 0) == (k->better == HB_LOWER) ? "better" :
						"worse", strcmp(lab, "all") ? ", " : "",
						strcmp(lab, "all") ? lab : "");
		}
		if (!compared)
			continue;
		if (!parts && off < sizeof(line))
			off += (size_t)snprintf(line + off, sizeof(line) - off,
						" no headline figure differs by more than 2%%");
		if (off < sizeof(line))
			snprintf(line + off, sizeof(line) - off, ".");
		hb_doc_para(d, line);
	}
}

/*
 * The best backing, with those within 2% of it named too: a 1% lead is no win. A winner is
 * named only when the paired rule (paired_fig.h) puts every backing it beats by more than 2%
 * on the worse side, and only among two or more backings. Returns 1 when a winner is named.
 */
static int winner_text(const struct hb_rundata *r, const struct hb_workload *w,
		       const char *const *bk, size_t nb, const char *set,
		       const struct hb_headline *k, int best, char *buf, size_t len)
{
	struct hb_fig_cmp fc;
	size_t off, close = 0, others = 0, noisy = 0, few = 0;

	off = (size_t)snprintf(buf, len, "%s", bk[best]);
	for (size_t b = 0; b < nb && off < len; b++) {
		int dir;

		if ((int)b == best ||
		    hb_fig_compare(r, w, set, bk[b], k->metric, bk[best], k->metric, -1, &fc))
			continue;
		others++;
		dir = hb_fig_direction(&fc, 0.02);
		if (fabs(fc.median - 1) < 0.02)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", close++ ? ", " :
						" (within 2%: ", bk[b]);
		else if (dir != (k->better == HB_LOWER ? 1 : -1)) {
			noisy++;
			few += !fc.has_interval;
		}
	}
	if (!others) {
		snprintf(buf, len, "-");
		return 0;
	}
	if (close == others) {
		snprintf(buf, len, "none (all within 2%%)");
		return 0;
	}
	if (noisy) {
		snprintf(buf, len, "cannot tell (%s)", few ? "too few repetitions" :
			 "an interval reaches within 2%");
		return 0;
	}
	if (close && off < len)
		snprintf(buf + off, len - off, ")");
	return 1;
}

/* One headline figure of one parameter set: a row, or 0 when no backing has it. */
static int table_row(struct hb_doc *d, const struct hb_rundata *r, const struct hb_workload *w,
		     const struct hb_headline *k, const char *const *sets, size_t nsets, size_t s,
		     const char *const *bk, size_t nb)
{
	static char text[HB_MAX_LIST + 4][200];
	const char *cells[HB_MAX_LIST + 4];
	struct hb_stat st, base;
	int best = -1, any = 0;
	double bestv = 0;

	for (size_t b = 0; b < nb; b++) {
		hb_rundata_stat(r, w->name, bk[b], sets[s], k->metric, &st);
		if (!st.n) {
			snprintf(text[b + 2], sizeof(text[0]), "-");
			continue;
		}
		any = 1;
		hb_doc_num(st.med, text[b + 2], sizeof(text[0]));
		if (st.n > 1) {
			char lo[32], hi[32];

			hb_doc_num(st.min, lo, sizeof(lo));
			hb_doc_num(st.max, hi, sizeof(hi));
			snprintf(text[b + 2] + strlen(text[b + 2]),
				 sizeof(text[0]) - strlen(text[b + 2]), " [%s-%s]", lo, hi);
		}
		if (best < 0 || (k->better == HB_LOWER ? st.med < bestv : st.med > bestv)) {
			best = (int)b;
			bestv = st.med;
		}
		snprintf(text[0], sizeof(text[0]), "%s (%s)", k->label,
			 st.unit && *st.unit ? st.unit : k->unit && *k->unit ? k->unit : "-");
	}
	if (!any)
		return 0;
	hb_run_label(w, sets, nsets, s, text[1], sizeof(text[1]));
	if (k->better == HB_NEITHER)
		best = -1;
	if (best >= 0 && !winner_text(r, w, bk, nb, sets[s], k, best, text[nb + 2],
				       sizeof(text[0])))
		best = -1; /* no winner the noise allows: no ratio of one either */
	else if (best < 0)
		snprintf(text[nb + 2], sizeof(text[0]), "-");
	hb_rundata_stat(r, w->name, "4k", sets[s], k->metric, &base);
	if (base.n && base.med > 0 && best >= 0)
		snprintf(text[nb + 3], sizeof(text[0]), "%.3gx", bestv / base.med);
	else
		snprintf(text[nb + 3], sizeof(text[0]), "-");
	for (size_t c = 0; c < nb + 4; c++)
		cells[c] = text[c];
	hb_doc_row(d, cells, nb + 4, 0);
	return 1;
}

/* The headline table; returns how many rows it has. */
static int workload_table(struct hb_doc *d, const struct hb_rundata *r,
			  const struct hb_workload *w, const char *const *sets, size_t nsets,
			  const char *const *bk, size_t nb)
{
	const struct hb_headline *heads = hb_workload_outputs(w)->headlines;
	const char *cells[HB_MAX_LIST + 4];
	size_t nc = 0;
	int rows = 0;

	if (!heads || !heads[0].metric)
		return 0;
	cells[nc++] = "figure";
	cells[nc++] = "parameters";
	for (size_t b = 0; b < nb && b < HB_MAX_LIST; b++)
		cells[nc++] = bk[b];
	cells[nc++] = "winner";
	cells[nc++] = "winner / 4k";
	hb_doc_table_start(d);
	hb_doc_row(d, cells, nc, 1);
	for (const struct hb_headline *k = heads; k->metric; k++)
		for (size_t s = 0; s < nsets; s++)
			rows += table_row(d, r, w, k, sets, nsets, s, bk, nb);
	hb_doc_table_end(d);
	hb_doc_para(d, rows ? "Median over repetitions [min-max]; the winner is the best median, named "
			    "when the paired rule (above) puts every other backing on its worse "
			    "side." :
		    "None of the headline figures is in this run.");
	return rows;
}

static void charts(struct hb_doc *d, const struct hb_plot *p, const char *w)
{
	for (int i = 0; i < p->ncharts; i++) {
		const struct hb_chart *c = &p->charts[i];

		if (strcmp(c->workload, w))
			continue;
		if (c->why_not[0]) {
			char line[400];

			snprintf(line, sizeof(line), "Chart %s not drawn: %s.", c->name, c->why_not);
			hb_doc_para(d, line);
			continue;
		}
		if (!c->made) {
			fprintf(d->md, "Chart `plots/%s.png` was not drawn%s%s.\n\n", c->name,
				p->gnuplot ? "" : ": ", p->gnuplot ? " (see plots/gnuplot.log)" :
				p->why_none);
			continue;
		}
		fprintf(d->md, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))\n\n", c->name,
			c->name, c->caption, c->name);
		fprintf(d->html, "<figure><img src=\"plots/%s.png\" alt=\"%s\"><figcaption>",
			c->name, c->name);
		hb_doc_html_esc(d->html, c->caption);
		fprintf(d->html, " (<a href=\"plots/%s.svg\">SVG</a>)</figcaption></figure>\n",
			c->name);
	}
}

/* Cells that did not run as asked, once per distinct reason. */
static void skipped(struct hb_doc *d, const struct hb_rundata *r)
{
	static const char *const hd[] = { "workload", "backing", "parameters", "status",
					  "first rep", "reason" };
	const char *cells[6];
	int any = 0;

	for (size_t i = 0; i < r->n; i++) {
		int seen = 0;
		char reps[16];

		if (strcmp(r->rows[i].metric, "status") || !strcmp(r->rows[i].value, "ok"))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(r->rows[j].metric, "status") &&
			       !strcmp(r->rows[j].workload, r->rows[i].workload) &&
			       !strcmp(r->rows[j].backing, r->rows[i].backing) &&
			       !strcmp(r->rows[j].params, r->rows[i].params) &&
			       !strcmp(r->rows[j].value, r->rows[i].value) &&
			       !strcmp(r->rows[j].note, r->rows[i].note);
		if (seen)
			continue;
		if (!any++) {
			hb_doc_h(d, 2, "Cells that did not run as asked");
			hb_doc_table_start(d);
			hb_doc_row(d, hd, 6, 1);
		}
		snprintf(reps, sizeof(reps), "%d", r->rows[i].rep);
		cells[0] = r->rows[i].workload;
		cells[1] = r->rows[i].backing;
		cells[2] = r->rows[i].params;
		cells[3] = r->rows[i].value;
		cells[4] = reps;
		cells[5] = *r->rows[i].note ? r->rows[i].note : "-";
		hb_doc_row(d, cells, 6, 0);
	}
	if (any)
		hb_doc_table_end(d);
	else
		hb_doc_para(d, "Every cell ran as asked (no skipped, fallback, failed or "
			       "interrupted cells).");
}

static void workload_section(struct hb_doc *d, const struct hb_plot *p,
			     const struct hb_workload *w)
{
	const char *sets[HB_MAX_LIST], *bk[HB_MAX_LIST];
	const struct hb_rundata *r = p->d;
	const struct hb_outputs *o = hb_workload_outputs(w);
	char line[PATH_MAX + 1024];
	size_t ns, nb;

	snprintf(line, sizeof(line), "Workload %s", w->name);
	hb_doc_h(d, 2, line);
	if (!o) {
		hb_doc_para(d, "This workload declares no outputs: no table, reading or charts.");
		return;
	}
	ns = hb_run_sets(r, w, o->table_sets, sets, HB_MAX_LIST);
	nb = hb_rundata_backings(r, w->name, bk, HB_MAX_LIST);
	if (ns) {
		snprintf(line, sizeof(line), "Parameters: %s%s", sets[0],
			 ns > 1 ? " (and the sets named in the table)" : "");
		hb_doc_para(d, line);
	}
	if (workload_table(d, r, w, sets, ns, bk, nb))
		reading(d, r, w, sets, ns, bk, nb);
	charts(d, p, w->name);
}

/* Workloads in order of appearance in the rows, then the registered ones with no row. */
static size_t workloads(const struct hb_rundata *r, const char **ws, size_t max)
{
	size_t nw = 0, j;

	for (size_t i = 0; i < r->n; i++) {
		for (j = 0; j < nw && strcmp(ws[j], r->rows[i].workload); j++)
			;
		if (j == nw && nw < max)
			ws[nw++] = r->rows[i].workload;
	}
	for (int k = 0; hb_workloads[k]; k++) {
		for (j = 0; j < nw && strcmp(ws[j], hb_workloads[k]->name); j++)
			;
		if (j == nw && nw < max)
			ws[nw++] = hb_workloads[k]->name;
	}
	return nw;
}

int hb_report_write(const struct hb_plot *p)
{
	const struct hb_rundata *r = p->d;
	char path[PATH_MAX + 32], line[PATH_MAX + 1024], nodata[512] = "", unknown[512] = "";
	const char *ws[HB_MAX_LIST];
	size_t nw = workloads(r, ws, HB_MAX_LIST);
	struct hb_doc d;

	snprintf(path, sizeof(path), "%s/report.md", r->dir);
	d.md = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/report.html", r->dir);
	d.html = fopen(path, "w");
	if (!d.md || !d.html) {
		int rc = -errno;

		if (d.md)
			fclose(d.md);
		if (d.html)
			fclose(d.html);
		return rc;
	}
	fprintf(d.html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hugebench "
		"report</title><style>body{font-family:sans-serif;max-width:70em;margin:auto}"
		"table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 6px;"
		"text-align:left}img{max-width:100%%}pre{background:#f4f4f4;padding:6px}"
		"</style></head><body>\n");
	hb_doc_h(&d, 1, "hugebench report");
	machine(&d, r);
	hb_advise_section(&d, r);
	hb_verdict_section(&d, r);
	for (size_t i = 0; i < nw; i++) {
		const struct hb_workload *w = hb_workload_find(ws[i]);
		char *list = !w ? unknown : !hb_rundata_has(r, ws[i]) ? nodata : NULL;

		if (list) {
			snprintf(list + strlen(list), sizeof(nodata) - strlen(list), "%s%s",
				 list[0] ? ", " : "", ws[i]);
			continue;
		}
		workload_section(&d, p, w);
	}
	hb_cal_report_hook(&d, p->d); /* a `hugebench calibrate` run: its section */
	if (nodata[0]) {
		hb_doc_h(&d, 2, "Workloads with no data");
		snprintf(line, sizeof(line), "No figures in this run for: %s (not in the profile, "
			 "not built into this hugebench, or every cell skipped: see below).",
			 nodata);
		hb_doc_para(&d, line);
	}
	if (unknown[0]) {
		snprintf(line, sizeof(line), "Rows of workloads this hugebench does not know (no "
			 "table or charts): %s.", unknown);
		hb_doc_para(&d, line);
	}
	if (!p->gnuplot) {
		snprintf(line, sizeof(line), "No charts: %s.", p->why_none);
		hb_doc_para(&d, line);
	}
	skipped(&d, r);
	hb_doc_h(&d, 2, "Reproduce");
	snprintf(line, sizeof(line), "%s\nhugebench plot DIR", text_or(r->rec.command, "?"));
	hb_doc_code(&d, line);
	fprintf(d.html, "</body></html>\n");
	if (fclose(d.md) | fclose(d.html))
		return -EIO;
	return 0;
}
