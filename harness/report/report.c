/*
 * DIR/report.md and DIR/report.html: the machine, per workload a table of headline figures
 * per backing with the winner and the ratio to 4k, a plain reading, the charts, the cells
 * that did not run and why, and the command that reproduces the run.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot.h"
#include "units.h"

/* better: -1 lower is better, +1 higher is better, 0 neither (a property, no winner). */
static const struct headline {
	const char *workload, *metric, *what;
	int better;
} heads[] = {
	{ "touch", "ns_per_touch", "walk time per touch", -1 },
	{ "touch", "populate_ms", "populate time", -1 },
	{ "sparse", "ns_per_access", "chase latency", -1 },
	{ "sparse", "bloat_ratio", "heap bloat (RSS / useful)", -1 },
	{ "sparse", "rss_kib", "resident memory", -1 },
	{ "sparse", "translation_pct", "translation share of the 4k latency", 0 },
	{ "sparse", "tlb_knee_kib", "TLB knee of the sweep", 0 },
	{ "forkcow", "fork_ms_per_gib", "fork time per GiB", -1 },
	{ "forkcow", "copied_kib_per_dirtied_page", "CoW copy per dirtied page", -1 },
	{ "forkcow", "write_p99_us_snapshot", "write p99 during snapshot", -1 },
	{ "forkcow", "snapshot_ms", "snapshot time", -1 },
	{ "churn", "ops_per_sec_churn", "throughput", 1 },
	{ "churn", "op_p99_us", "op p99 latency", -1 },
	{ "churn", "rss_kib_after_drain", "Rss after drain", -1 },
	{ "churn", "charged_kib_after_drain", "charged after drain", -1 },
	{ "churn", "frag_ratio_after_drain", "Rss / live after drain", -1 },
};
#define NHEADS (sizeof(heads) / sizeof(heads[0]))

static const char *const known[] = { "touch", "sparse", "forkcow", "churn" };

struct doc {
	FILE *md, *html;
};

static void html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

/* Markdown table cells cannot hold a bare '|'. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

static void h(struct doc *d, int level, const char *text)
{
	fprintf(d->md, "\n%.*s %s\n\n", level, "####", text);
	fprintf(d->html, "<h%d>", level);
	html_esc(d->html, text);
	fprintf(d->html, "</h%d>\n", level);
}

static void para(struct doc *d, const char *text)
{
	fprintf(d->md, "%s\n\n", text);
	fprintf(d->html, "<p>");
	html_esc(d->html, text);
	fprintf(d->html, "</p>\n");
}

static void code(struct doc *d, const char *text)
{
	fprintf(d->md, "```\n%s\n```\n\n", text);
	fprintf(d->html, "<pre>");
	html_esc(d->html, text);
	fprintf(d->html, "</pre>\n");
}

static void row(struct doc *d, const char *const *cells, size_t n, int header)
{
	fprintf(d->md, "|");
	fprintf(d->html, "<tr>");
	for (size_t i = 0; i < n; i++) {
		fputc(' ', d->md);
		md_cell(d->md, cells[i]);
		fprintf(d->md, " |");
		fprintf(d->html, header ? "<th>" : "<td>");
		html_esc(d->html, cells[i]);
		fprintf(d->html, header ? "</th>" : "</td>");
	}
	fprintf(d->md, "\n");
	fprintf(d->html, "</tr>\n");
	if (header) {
		fprintf(d->md, "|");
		for (size_t i = 0; i < n; i++)
			fprintf(d->md, "---|");
		fprintf(d->md, "\n");
	}
}

static void table_start(struct doc *d)
{
	fprintf(d->md, "\n");
	fprintf(d->html, "<table>\n");
}

static void table_end(struct doc *d)
{
	fprintf(d->md, "\n");
	fprintf(d->html, "</table>\n");
}

static void fmt(double v, char *buf, size_t len)
{
	if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
}

static void machine(struct doc *d, const struct hb_rundata *r)
{
	char line[1024], a[32], b[32];
	json_t *caches = json_object_get(json_object_get(r->meta, "topology"), "caches"), *c;
	size_t i, off = 0;

	h(d, 2, "Machine");
	snprintf(line, sizeof(line), "%s; host %s; hypervisor %s.", r->machine,
		 hb_meta_str(r, "hostname", "?"), hb_meta_str(r, "hypervisor.vendor", "none"));
	para(d, line);
	json_array_foreach(caches, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));

		hb_format_size((uint64_t)json_integer_value(json_object_get(c, "size_bytes")), a,
			       sizeof(a));
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%sL%d %s %s",
					off ? ", " : "Caches: ",
					(int)json_integer_value(json_object_get(c, "level")),
					type ? type : "", a);
	}
	hb_format_size((uint64_t)hb_meta_num(r, "cpu.tlb.reach_4k_bytes", 0), a, sizeof(a));
	hb_format_size((uint64_t)hb_meta_num(r, "cpu.tlb.reach_2m_bytes", 0), b, sizeof(b));
	snprintf(line + off, sizeof(line) - off, "%sdTLB (cpuid) L1 %d / L2 %d entries for 4K "
		 "pages: reach %s with 4K pages, %s with 2M pages. THP enabled=%s defrag=%s.",
		 off ? ". " : "", (int)hb_meta_num(r, "cpu.tlb.l1d.4k", 0),
		 (int)hb_meta_num(r, "cpu.tlb.l2.4k", 0), a, b, hb_meta_str(r, "thp.enabled", "?"),
		 hb_meta_str(r, "thp.defrag", "?"));
	para(d, line);
	snprintf(line, sizeof(line), "Run: %s %s to %s, %d repetitions, complete: %s.",
		 hb_meta_str(r, "kind", "?"), hb_meta_str(r, "start", "?"),
		 hb_meta_str(r, "end", "(not finished)"), (int)hb_meta_num(r, "reps", 0),
		 json_is_true(json_object_get(r->meta, "complete")) ? "yes" :
		 "no (interrupted: the figures below are the cells that finished)");
	para(d, line);
	if (r->meta_note[0])
		para(d, r->meta_note);
}

/* "thp vs 4k: chase latency 29% lower (better), ..." for every backing but 4k. */
static void reading(struct doc *d, const struct hb_rundata *r, const char *w,
		    const char *const *sets, size_t nsets, const char *const *bk, size_t nb)
{
	char line[1024], lab[128];

	for (size_t b = 0; b < nb; b++) {
		size_t off = 0;
		int parts = 0;

		if (!strcmp(bk[b], "4k"))
			continue;
		off += (size_t)snprintf(line, sizeof(line), "%s against 4k:", bk[b]);
		for (size_t k = 0; k < NHEADS; k++) {
			if (strcmp(heads[k].workload, w) || !heads[k].better)
				continue;
			/* The parameter set where this backing differs most from 4k. */
			double q = 1, qbest = 1;
			int sbest = -1, overlap = 0;

			for (size_t s = 0; s < nsets; s++) {
				struct hb_stat base, me;

				hb_rundata_stat(r, w, "4k", sets[s], heads[k].metric, &base);
				hb_rundata_stat(r, w, bk[b], sets[s], heads[k].metric, &me);
				if (!base.n || !me.n || base.med <= 0 || me.med <= 0)
					continue;
				q = me.med / base.med;
				if (sbest < 0 || fabs(log(q)) > fabs(log(qbest))) {
					sbest = (int)s;
					qbest = q;
					overlap = me.n > 1 && base.n > 1 && me.min <= base.max &&
						  base.min <= me.max;
				}
			}
			if (sbest < 0 || fabs(qbest - 1) < 0.02)
				continue; /* within 2%: not worth a word */
			hb_params_label(sets, nsets, (size_t)sbest, lab, sizeof(lab));
			off += (size_t)snprintf(line + off, sizeof(line) - off, "%s %s ",
						parts++ ? ";" : "", heads[k].what);
			if (qbest >= 2)
				off += (size_t)snprintf(line + off, sizeof(line) - off, "%.3gx higher",
							qbest);
			else
				off += (size_t)snprintf(line + off, sizeof(line) - off, "%.0f%% %s",
							fabs(qbest - 1) * 100,
							qbest < 1 ? "lower" : "higher");
			off += (size_t)snprintf(line + off, sizeof(line) - off, " (%s%s%s)",
						(qbest < 1) == (heads[k].better < 0) ? "better" :
						"worse", strcmp(lab, "all") ? ", " : "",
						strcmp(lab, "all") ? lab : "");
			if (overlap)
				off += (size_t)snprintf(line + off, sizeof(line) - off,
							" but the ranges overlap");
		}
		if (!parts) {
			snprintf(line + off, sizeof(line) - off, " no headline figure differs by "
				 "more than 2%%");
			parts = 1;
		}
		if (parts) {
			snprintf(line + off, sizeof(line) - off, ".");
			para(d, line);
		}
	}
}

/* The best backing, with those within 2% of it named too: a 1% lead is no win. */
static void winner_text(const struct hb_rundata *r, const char *w, const char *const *bk,
			size_t nb, const char *set, const char *metric, int best, char *buf,
			size_t len)
{
	struct hb_stat a, o;
	size_t off, close = 0, others = 0;

	hb_rundata_stat(r, w, bk[best], set, metric, &a);
	off = (size_t)snprintf(buf, len, "%s", bk[best]);
	for (size_t b = 0; b < nb && off < len; b++) {
		if ((int)b == best)
			continue;
		hb_rundata_stat(r, w, bk[b], set, metric, &o);
		if (!o.n)
			continue;
		others++;
		if (a.med != 0 && fabs(o.med - a.med) / fabs(a.med) < 0.02)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", close++ ? ", " :
						" (within 2%: ", bk[b]);
	}
	if (others && close == others)
		snprintf(buf, len, "none (all within 2%%)");
	else if (close && off < len)
		snprintf(buf + off, len - off, ")");
}

static void workload_table(struct doc *d, const struct hb_rundata *r, const char *w,
			   const char *const *sets, size_t nsets, const char *const *bk, size_t nb)
{
	const char *cells[HB_MAX_LIST + 4];
	static char text[HB_MAX_LIST + 4][128];
	size_t nc = 0;

	cells[nc++] = "figure";
	cells[nc++] = "parameters";
	for (size_t b = 0; b < nb && b < HB_MAX_LIST; b++)
		cells[nc++] = bk[b];
	cells[nc++] = "winner";
	cells[nc++] = "winner / 4k";
	table_start(d);
	row(d, cells, nc, 1);
	for (size_t k = 0; k < NHEADS; k++) {
		if (strcmp(heads[k].workload, w))
			continue;
		for (size_t s = 0; s < nsets; s++) {
			struct hb_stat st, base;
			int best = -1, any = 0;
			double bestv = 0;

			nc = 0;
			for (size_t b = 0; b < nb; b++) {
				hb_rundata_stat(r, w, bk[b], sets[s], heads[k].metric, &st);
				if (!st.n) {
					snprintf(text[b + 2], sizeof(text[0]), "-");
					continue;
				}
				any = 1;
				fmt(st.med, text[b + 2], sizeof(text[0]));
				if (st.n > 1) {
					char lo[32], hi[32];

					fmt(st.min, lo, sizeof(lo));
					fmt(st.max, hi, sizeof(hi));
					snprintf(text[b + 2] + strlen(text[b + 2]),
						 sizeof(text[0]) - strlen(text[b + 2]), " [%s-%s]",
						 lo, hi);
				}
				if (best < 0 || (heads[k].better < 0 ? st.med < bestv :
						 st.med > bestv)) {
					best = (int)b;
					bestv = st.med;
				}
				snprintf(text[0], sizeof(text[0]), "%s (%s)", heads[k].what,
					 st.unit && *st.unit ? st.unit : "-");
			}
			if (!any)
				continue;
			hb_params_label(sets, nsets, s, text[1], sizeof(text[1]));
			if (!heads[k].better)
				best = -1;
			if (best >= 0)
				winner_text(r, w, bk, nb, sets[s], heads[k].metric, best,
					    text[nb + 2], sizeof(text[0]));
			else
				snprintf(text[nb + 2], sizeof(text[0]), "-");
			hb_rundata_stat(r, w, "4k", sets[s], heads[k].metric, &base);
			if (base.n && base.med > 0 && best >= 0)
				snprintf(text[nb + 3], sizeof(text[0]), "%.3gx", bestv / base.med);
			else
				snprintf(text[nb + 3], sizeof(text[0]), "-");
			for (size_t c = 0; c < nb + 4; c++)
				cells[c] = text[c];
			row(d, cells, nb + 4, 0);
		}
	}
	table_end(d);
	para(d, "Median over repetitions [min-max]; the winner is the best median.");
}

static void charts(struct doc *d, const struct hb_plot *p, const char *w)
{
	for (int i = 0; i < p->ncharts; i++) {
		const struct hb_chart *c = &p->charts[i];

		if (strcmp(c->workload, w))
			continue;
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
		html_esc(d->html, c->caption);
		fprintf(d->html, " (<a href=\"plots/%s.svg\">SVG</a>)</figcaption></figure>\n",
			c->name);
	}
}

/* Cells that did not run as asked, once per distinct reason. */
static void skipped(struct doc *d, const struct hb_rundata *r)
{
	const char *cells[6];
	int any = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct hb_row *x = &r->rows[i];
		int seen = 0;
		char reps[16];

		if (strcmp(x->metric, "status") || !strcmp(x->value, "ok"))
			continue;
		for (size_t j = 0; j < i && !seen; j++) {
			const struct hb_row *y = &r->rows[j];

			seen = !strcmp(y->metric, "status") && !strcmp(y->workload, x->workload) &&
			       !strcmp(y->backing, x->backing) && !strcmp(y->params, x->params) &&
			       !strcmp(y->value, x->value) && !strcmp(y->note, x->note);
		}
		if (seen)
			continue;
		if (!any++) {
			h(d, 2, "Cells that did not run as asked");
			static const char *const hd[] = { "workload", "backing", "parameters",
							  "status", "first rep", "reason" };
			table_start(d);
			row(d, hd, 6, 1);
		}
		snprintf(reps, sizeof(reps), "%d", x->rep);
		cells[0] = x->workload;
		cells[1] = x->backing;
		cells[2] = x->params;
		cells[3] = x->value;
		cells[4] = reps;
		cells[5] = *x->note ? x->note : "-";
		row(d, cells, 6, 0);
	}
	if (any)
		table_end(d);
	else
		para(d, "Every cell ran as asked (no skipped, fallback, failed or interrupted "
			"cells).");
}

int hb_report_write(const struct hb_plot *p)
{
	const struct hb_rundata *r = p->d;
	char path[PATH_MAX + 32], line[PATH_MAX + 1024], nodata[512] = "";
	const char *ws[HB_MAX_LIST];
	size_t nw = 0;
	struct doc d;

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
	h(&d, 1, "hugebench report");
	machine(&d, r);
	/* Workloads in order of appearance, then the known ones that left no row at all. */
	for (size_t i = 0; i < r->n; i++) {
		size_t j;

		for (j = 0; j < nw && strcmp(ws[j], r->rows[i].workload); j++)
			;
		if (j == nw && nw < HB_MAX_LIST)
			ws[nw++] = r->rows[i].workload;
	}
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		size_t j;

		for (j = 0; j < nw && strcmp(ws[j], known[k]); j++)
			;
		if (j == nw && nw < HB_MAX_LIST)
			ws[nw++] = known[k];
	}
	for (size_t i = 0; i < nw; i++) {
		const char *sets[HB_MAX_LIST], *bk[HB_MAX_LIST];
		size_t ns, nb;

		if (!hb_rundata_has(r, ws[i])) {
			snprintf(nodata + strlen(nodata), sizeof(nodata) - strlen(nodata), "%s%s",
				 nodata[0] ? ", " : "", ws[i]);
			continue;
		}
		snprintf(line, sizeof(line), "Workload %s", ws[i]);
		h(&d, 2, line);
		if (!strcmp(ws[i], "sparse"))
			ns = hb_sparse_headline_sets(r, sets, HB_MAX_LIST);
		else
			ns = hb_rundata_params(r, ws[i], sets, HB_MAX_LIST);
		nb = hb_rundata_backings(r, ws[i], bk, HB_MAX_LIST);
		if (ns) {
			snprintf(line, sizeof(line), "Parameters: %s%s", sets[0],
				 ns > 1 ? " (and the sets named in the table)" : "");
			para(&d, line);
		}
		workload_table(&d, r, ws[i], sets, ns, bk, nb);
		reading(&d, r, ws[i], sets, ns, bk, nb);
		charts(&d, p, ws[i]);
	}
	if (nodata[0]) {
		h(&d, 2, "Workloads with no data");
		snprintf(line, sizeof(line), "No figures in this run for: %s (not in the profile, "
			 "not built into this hugebench, or every cell skipped: see below).",
			 nodata);
		para(&d, line);
	}
	if (!p->gnuplot) {
		snprintf(line, sizeof(line), "No charts: %s.", p->why_none);
		para(&d, line);
	}
	skipped(&d, r);
	h(&d, 2, "Reproduce");
	snprintf(line, sizeof(line), "%s\nhugebench plot DIR", hb_meta_str(r, "command", "?"));
	code(&d, line);
	fprintf(d.html, "</body></html>\n");
	if (fclose(d.md) | fclose(d.html))
		return -EIO;
	return 0;
}
