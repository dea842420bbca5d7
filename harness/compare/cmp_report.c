/*
 * compare --out DIR: compare.md and compare.html (the machines, their differences, the verdicts
 * and the table), compare.csv and compare.json, and a chart per headline metric in DIR/plots:
 * bars of base against new per cell, or with several new runs or --relative-to (hosts) one
 * group per run.
 * Every file is written whole or not at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "cmp_print.h"
#include "cmp_report.h"
#include "fs.h"
#include "metadiff.h"
#include "results.h"
#include "workload.h"

#define MAX_CELLS 8 /* bars a chart can tell apart (the line styles of plots/common.gp) */

struct cell {
	const char *backing, *set;
};

/* The cells of one workload's metric, in order, and the line of each cell for new run k. */
static size_t chart_cells(const struct hb_cmp_result *r, const char *workload, const char *metric,
			  struct cell *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct hb_cmp_line *l = &r->lines[i];
		size_t j;

		if (strcmp(l->workload, workload) || strcmp(l->metric, metric) ||
		    (!l->base.n && !l->new.n))
			continue;
		for (j = 0; j < n && (strcmp(out[j].backing, l->backing) ||
				      strcmp(out[j].set, l->set_label)); j++)
			;
		if (j == n && n < max)
			out[n++] = (struct cell){ l->backing, l->set_label };
	}
	return n;
}

static const struct hb_cmp_line *line_of(const struct hb_cmp_result *r, const char *workload,
					 const char *metric, const struct cell *c, size_t k)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct hb_cmp_line *l = &r->lines[i];

		if (l->new_index == k && !strcmp(l->workload, workload) &&
		    !strcmp(l->metric, metric) && !strcmp(l->backing, c->backing) &&
		    !strcmp(l->set_label, c->set))
			return l;
	}
	return NULL;
}

static void put_side(FILE *f, const struct hb_cmp_side *s, int logy, double *lowest)
{
	if (s && s->n && (!logy || s->st.min > 0)) {
		fprintf(f, "\t%.6g\t%.6g\t%.6g", s->st.med, s->st.min, s->st.max);
		if (!*lowest || s->st.min < *lowest)
			*lowest = s->st.min;
	} else {
		fprintf(f, "\t?\t?\t?");
	}
}

/* run 0 is base, run k+1 the new run k. */
static const struct hb_cmp_side *side_of(const struct hb_cmp_result *r, const char *workload,
					 const char *metric, const struct cell *c, size_t run)
{
	const struct hb_cmp_line *l = line_of(r, workload, metric, c, run ? run - 1 : 0);

	return !l ? NULL : run ? &l->new : &l->base;
}

static void cell_label(const struct cell *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%.30s", c->backing, strcmp(c->set, "all") ? " " : "",
		 strcmp(c->set, "all") ? c->set : "");
}

/* A log axis where the workload draws this metric on one (fork per GiB: 2 to 40). */
static int logy_of(const struct hb_workload *w, const char *metric)
{
	const struct hb_outputs *o = hb_workload_outputs(w);

	for (const struct hb_chart_def *c = o ? o->charts : NULL; c && c->kind; c++)
		if (c->kind == HB_CHART_BARS && c->metric && !strcmp(c->metric, metric))
			return c->logy;
	return 0;
}

static int chart(struct hb_plot *p, const struct hb_cmp_result *r, const struct hb_cmp_run *base,
		 const struct hb_cmp_run *news, size_t nnew, const struct hb_workload *w,
		 const struct hb_headline *h, int relative)
{
	struct cell cells[MAX_CELLS];
	size_t nc = chart_cells(r, w->name, h->metric, cells, MAX_CELLS), nruns = nnew + 1;
	char name[160], file[200], vars[2048], t[400], y[256], lab[128], title[300];
	int by_run = nnew > 1 || relative; /* hosts: a group per run, a bar per cell */
	/* --relative-to divides times and rates only (compare.c) */
	int ratio = relative && hb_cmp_kind_scales(h->kind);
	int logy = logy_of(w, h->metric);
	double lowest = 0;
	FILE *f;

	if (!nc)
		return 0;
	snprintf(name, sizeof(name), "compare_%s_%s", w->name, h->metric);
	snprintf(file, sizeof(file), "%s.dat", name);
	f = hb_plot_data(p, file);
	if (!f)
		return -EIO;
	fprintf(f, "group");
	for (size_t s = 0; s < (by_run ? nc : nruns); s++) {
		if (by_run)
			cell_label(&cells[s], lab, sizeof(lab));
		else
			snprintf(lab, sizeof(lab), "%s", s ? news[s - 1].label : base->label);
		fprintf(f, "\t%s\tmin\tmax", lab);
	}
	fprintf(f, "\n");
	for (size_t g = 0; g < (by_run ? nruns : nc); g++) {
		if (by_run)
			fprintf(f, "%.30s", g ? news[g - 1].label : base->label);
		else
			cell_label(&cells[g], lab, sizeof(lab)), fprintf(f, "%s", lab);
		for (size_t s = 0; s < (by_run ? nc : nruns); s++)
			put_side(f, by_run ? side_of(r, w->name, h->metric, &cells[s], g)
					   : side_of(r, w->name, h->metric, &cells[g], s), logy, &lowest);
		fprintf(f, "\n");
	}
	fclose(f);
	snprintf(title, sizeof(title), "%s: %s, %s against %s%s", w->name, h->label,
		 nnew > 1 ? "each run" : news[0].label, base->label,
		 ratio ? " (ratio to the reference backing)" : "");
	hb_gp_str(title, t, sizeof(t));
	snprintf(lab, sizeof(lab), "%s (median, min-max%s)", ratio ? "ratio" : h->unit,
		 logy ? ", log scale" : "");
	hb_gp_str(lab, y, sizeof(y));
	/* on a log axis a bar at the axis floor would vanish: the floor is a third below */
	snprintf(vars, sizeof(vars), "datafile = '%s'\nnseries = %zu\nwhat = %s\nylabel = %s\n"
		 "logy = %d\nngroups = %zu\nymin = %g\nyfmt = '%%g'", file, by_run ? nc : nruns, t,
		 y, logy, by_run ? nruns : nc, logy ? lowest / 3 : 0);
	return hb_plot_chart(p, w->name, name, "bars.gp", vars, 900, 520, h->label);
}

static void machines(struct hb_doc *d, const struct hb_cmp_run *base,
		     const struct hb_cmp_run *news, size_t nnew)
{
	struct hb_meta_diff diff[64];
	char line[1024];
	const char *row[3];

	hb_doc_h(d, 2, "Runs");
	hb_doc_table_start(d);
	row[0] = "run", row[1] = "directory", row[2] = "machine";
	hb_doc_row(d, row, 3, 1);
	for (size_t k = 0; k <= nnew; k++) {
		const struct hb_cmp_run *x = k ? &news[k - 1] : base;

		snprintf(line, sizeof(line), "%s%s", x->label, k ? "" : " (base)");
		row[0] = line, row[1] = x->dir ? x->dir : "", row[2] = x->machine ? x->machine : "";
		hb_doc_row(d, row, 3, 0);
	}
	hb_doc_table_end(d);
	hb_doc_h(d, 2, "Machine differences");
	for (size_t k = 0; k < nnew; k++) {
		size_t n = base->meta && news[k].meta ?
				   hb_meta_diff(base->meta, news[k].meta, diff, 64) : 0;

		if (!n) {
			snprintf(line, sizeof(line), "%s against %s: %s", news[k].label, base->label,
				 base->meta && news[k].meta ? "none of the compared settings differ" :
				 "a meta.json is missing: not compared");
			hb_doc_para(d, line);
			continue;
		}
		snprintf(line, sizeof(line), "%s against %s:", news[k].label, base->label);
		hb_doc_para(d, line);
		hb_doc_table_start(d);
		row[0] = "setting", row[1] = base->label, row[2] = news[k].label;
		hb_doc_row(d, row, 3, 1);
		for (size_t i = 0; i < n; i++) {
			row[0] = diff[i].path, row[1] = diff[i].base, row[2] = diff[i].new;
			hb_doc_row(d, row, 3, 0);
		}
		hb_doc_table_end(d);
	}
}

static int write_mem(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return hb_atomic_write(path, buf ? buf : "", buf ? len : 0);
}

int hb_cmp_report(const char *dir, const struct hb_cmp_result *r, const struct hb_cmp_run *base,
		  const struct hb_cmp_run *news, size_t nnew, const char *summary, int relative)
{
	static struct hb_plot p;
	static struct hb_rundata title;
	char plots[PATH_MAX + 8], *md = NULL, *html = NULL, *csv = NULL, line[PATH_MAX + 4200];
	size_t nmd = 0, nhtml = 0, ncsv = 0;
	struct hb_doc d;
	FILE *cf;
	json_t *j;
	int rc;

	rc = hb_mkdir_p(dir, 0755);
	if (rc)
		return rc;
	snprintf(plots, sizeof(plots), "%s/plots", dir);
	snprintf(title.machine, sizeof(title.machine), "%s", nnew == 1 && base->machine ?
		 base->machine : "several machines: see the report's Runs table");
	rc = hb_plot_init(&p, &title, plots);
	if (rc)
		return rc;
	d.md = open_memstream(&md, &nmd);
	d.html = open_memstream(&html, &nhtml);
	cf = open_memstream(&csv, &ncsv);
	if (!d.md || !d.html || !cf)
		return -ENOMEM;
	fprintf(d.html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hugebench "
		"compare</title><style>body{font-family:sans-serif;max-width:80em;margin:auto}"
		"table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 6px;"
		"text-align:left}img{max-width:100%%}</style></head><body>\n");
	hb_doc_h(&d, 1, "hugebench compare");
	hb_doc_para(&d, summary);
	for (size_t k = 0; k < nnew; k++)
		hb_doc_para(&d, r->probe[k].text);
	machines(&d, base, news, nnew);
	hb_doc_h(&d, 2, "Figures");
	hb_doc_para(&d, "A change of the medians within the metric's threshold is same. Beyond "
		    "it, with at least 5 repetitions a side, a two-sided Mann-Whitney U test at "
		    "alpha 0.01 decides; with fewer, the min-max ranges must not overlap. "
		    "Otherwise the verdict is unknown: a difference inside the noise is never "
		    "worse. A cell ok in the base run and skipped, failed or fallback in the new "
		    "one, or a figure that was a number and is unavailable, is lost (listed "
		    "first).");
	hb_cmp_table_doc(&d, r, news, nnew);
	hb_doc_h(&d, 2, "Charts");
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const struct hb_outputs *o = hb_workload_outputs(w);

		if (!o || !o->headlines)
			continue;
		for (const struct hb_headline *h = o->headlines; h->metric; h++) {
			size_t before = (size_t)p.ncharts;

			(void)chart(&p, r, base, news, nnew, w, h, relative);
			for (size_t c = before; c < (size_t)p.ncharts; c++) {
				if (!p.charts[c].made)
					continue;
				fprintf(d.md, "![%s](plots/%s.png)\n\n", p.charts[c].caption,
					p.charts[c].name);
				fprintf(d.html, "<p><img src=\"plots/%s.png\" alt=\"", p.charts[c].name);
				hb_doc_html_esc(d.html, p.charts[c].caption);
				fprintf(d.html, "\"></p>\n");
			}
		}
	}
	if (!p.gnuplot) {
		snprintf(line, sizeof(line), "No charts: %s.", p.why_none);
		hb_doc_para(&d, line);
	}
	fprintf(d.html, "</body></html>\n");
	rc = hb_cmp_print(cf, HB_CMP_CSV, r, base, news, nnew, 0);
	if (fclose(d.md) | fclose(d.html) | fclose(cf))
		rc = -ENOMEM;
	if (!rc)
		rc = write_mem(dir, "compare.md", md, nmd);
	if (!rc)
		rc = write_mem(dir, "compare.html", html, nhtml);
	if (!rc)
		rc = write_mem(dir, "compare.csv", csv, ncsv);
	j = hb_cmp_json(r, base, news, nnew);
	if (!rc && j) {
		char *s = json_dumps(j, JSON_INDENT(1));

		rc = s ? write_mem(dir, "compare.json", s, strlen(s)) : -ENOMEM;
		free(s);
	}
	json_decref(j);
	free(md);
	free(html);
	free(csv);
	return rc ? rc : p.failed ? -EIO : 0;
}
