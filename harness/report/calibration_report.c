/* The calibration section: table, verdicts, charts (calibration.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibration.h"
#include "chart.h"
#include "results.h"

#define MAX_METRICS 64

static void put_value(FILE *f, int has, double v, int logy)
{
	if (has && (!logy || v > 0))
		fprintf(f, "\t%.6g\t%.6g\t%.6g", v, v, v);
	else
		fprintf(f, "\t?\t?\t?");
}

/* The unit the run's rows give metric, "ratio" for one made of two figures, or "". */
static const char *unit_of(const struct hb_rundata *r, const char *metric)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].num && !strcmp(r->rows[i].metric, metric))
			return r->rows[i].unit ? r->rows[i].unit : "";
	return strstr(metric, "_per_") ? "ratio" : "";
}

/* Bars of real against simulated, a group per backing. 0 when there is nothing to draw. */
static int chart(struct hb_plot *p, const struct hb_cal *c, const char *metric)
{
	const char *unit = unit_of(p->d, metric);
	char name[128], file[160], vars[1024], t[300], y[128], title[256], cap[256];
	double lo = 0, hi = 0;
	size_t groups = 0;
	int logy;
	FILE *f;

	snprintf(name, sizeof(name), "calibration_%s", metric);
	for (char *s = name; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_' && *s != '-')
			*s = '_';
	for (size_t i = 0; i < c->n; i++) {
		const struct hb_cal_row *r = &c->rows[i];

		if (strcmp(r->metric, metric))
			continue;
		groups++;
		for (int s = 0; s < 2; s++) {
			double v = s ? r->sim : r->real;

			if (!(s ? r->has_sim : r->has_real) || v <= 0)
				continue;
			lo = lo == 0 || v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
	}
	if (hi == 0)
		return 0;
	/* a log axis when the bars span more than 30x, so the small ones stay visible */
	logy = hi / lo > 30;
	snprintf(file, sizeof(file), "%s.dat", name);
	f = hb_plot_data(p, file);
	if (!f)
		return -EIO;
	fprintf(f, "backing\treal\tmin\tmax\tsimulated\tmin\tmax\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct hb_cal_row *r = &c->rows[i];

		if (strcmp(r->metric, metric))
			continue;
		fprintf(f, "%s", r->backing);
		put_value(f, r->has_real, r->real, logy);
		put_value(f, r->has_sim, r->sim, logy);
		fprintf(f, "\n");
	}
	fclose(f);
	snprintf(title, sizeof(title), "calibration: %s, real against simulated", metric);
	hb_gp_str(title, t, sizeof(t));
	snprintf(cap, sizeof(cap), "%s%smedian over repetitions%s%s", unit, *unit ? " (" : "",
		 logy ? ", log scale" : "", *unit ? ")" : "");
	hb_gp_str(cap, y, sizeof(y));
	snprintf(vars, sizeof(vars), "datafile = '%s'\nnseries = 2\nwhat = %s\nylabel = %s\n"
		 "logy = %d\nngroups = %zu\nymin = %g\nyfmt = '%s'", file, t, y, logy, groups,
		 lo / 3, hi >= 1e5 ? "%.1s%c" : "%g");
	snprintf(cap, sizeof(cap), "%s: the real system's median and its simulator's, per "
		 "backing", metric);
	return hb_plot_chart(p, "calibration", name, "bars.gp", vars, 700, 480, cap);
}

static void figure(struct hb_doc *d, const struct hb_plot *p, const struct hb_chart *ch)
{
	if (!ch->made) {
		fprintf(d->md, "Chart `plots/%s.png` was not drawn%s%s.\n\n", ch->name,
			p->gnuplot ? "" : ": ", p->gnuplot ? " (see plots/gnuplot.log)" :
			p->why_none);
		return;
	}
	fprintf(d->md, "![%s](plots/%s.png)\n\n*%s* ([SVG](plots/%s.svg))\n\n", ch->name,
		ch->name, ch->caption, ch->name);
	fprintf(d->html, "<figure><img src=\"plots/%s.png\" alt=\"%s\"><figcaption>", ch->name,
		ch->name);
	hb_doc_html_esc(d->html, ch->caption);
	fprintf(d->html, " (<a href=\"plots/%s.svg\">SVG</a>)</figcaption></figure>\n",
		ch->name);
}

static void figures_table(struct hb_doc *d, const struct hb_cal *c)
{
	static const char *const hd[] = { "metric", "backing", "real", "simulated",
					  "simulated / real" };
	char v[3][96];
	const char *cells[5];

	hb_doc_table_start(d);
	hb_doc_row(d, hd, 5, 1);
	for (size_t i = 0; i < c->n; i++) {
		const struct hb_cal_row *r = &c->rows[i];
		double q;

		snprintf(v[0], sizeof(v[0]), "-");
		snprintf(v[1], sizeof(v[1]), "-");
		snprintf(v[2], sizeof(v[2]), "-");
		if (r->has_real)
			hb_doc_num(r->real, v[0], sizeof(v[0]));
		if (r->has_sim)
			hb_doc_num(r->sim, v[1], sizeof(v[1]));
		if (hb_cal_ratio(r, &q) && r->pairs > 1)
			snprintf(v[2], sizeof(v[2]), "%.3gx [%.3g-%.3g], %d pairs", q, r->ratio_min,
				 r->ratio_max, r->pairs);
		else if (hb_cal_ratio(r, &q))
			snprintf(v[2], sizeof(v[2]), "%.3gx", q);
		cells[0] = r->metric, cells[1] = r->backing;
		cells[2] = v[0], cells[3] = v[1], cells[4] = v[2];
		hb_doc_row(d, cells, 5, 0);
	}
	hb_doc_table_end(d);
}

int hb_cal_section(struct hb_doc *d, int level, const struct hb_cal *c, struct hb_rundata *r)
{
	static const char *const hd[] = { "metric", "agrees", "ordering of the backings" };
	static struct hb_plot p;
	const char *ms[MAX_METRICS], *cells[3];
	size_t nm = hb_cal_metrics(c, ms, MAX_METRICS);
	char plots[PATH_MAX + 8], a[1024], o[1024], line[PATH_MAX + 512];
	int agree = 0, same = 0, rc;

	hb_doc_h(d, level, "Calibration: real against simulated");
	hb_doc_para(d, "Each real scenario and its simulator twin ran with matched parameters, "
		    "side by side in every repetition, on the same backings. Figures are medians "
		    "over repetitions; the ratio is simulated / real within each repetition, its "
		    "median over the repetitions and [range] (a drift of the machine between "
		    "repetitions cancels in the pair), or of the medians where a side lacks a "
		    "repetition; a figure one side does not have is '-'. "
		    "A memory figure after the drain agrees within 20% (0.8-1.2x), the fork time "
		    "per GiB within a factor of 1.5, every other figure within a factor of 2 "
		    "(0.5-2x). The ordering compares each backing "
		    "with the first, on both sides; a difference within 2% is 'about equal'.");
	if (!nm) {
		hb_doc_para(d, "calibration.csv has no figures.");
		return 0;
	}
	figures_table(d, c);
	hb_doc_h(d, level + 1, "Verdicts");
	hb_doc_table_start(d);
	hb_doc_row(d, hd, 3, 1);
	for (size_t m = 0; m < nm; m++) {
		agree += hb_cal_agreement(c, ms[m], a, sizeof(a));
		same += hb_cal_ordering(c, ms[m], o, sizeof(o));
		cells[0] = ms[m], cells[1] = a, cells[2] = o;
		hb_doc_row(d, cells, 3, 0);
	}
	hb_doc_table_end(d);
	snprintf(line, sizeof(line), "%d of %zu metrics agree on every backing; %d of %zu have "
		 "the same ordering of the backings on both sides.", agree, nm, same, nm);
	hb_doc_para(d, line);
	hb_doc_h(d, level + 1, "Charts");
	snprintf(plots, sizeof(plots), "%s/plots", r->dir);
	rc = hb_plot_init(&p, r, plots);
	if (rc) {
		snprintf(line, sizeof(line), "No charts: cannot make plots/: %s.", strerror(-rc));
		hb_doc_para(d, line);
		return rc;
	}
	for (size_t m = 0; m < nm; m++) {
		int before = p.ncharts;

		(void)chart(&p, c, ms[m]);
		for (int k = before; k < p.ncharts; k++)
			figure(d, &p, &p.charts[k]);
	}
	if (!p.gnuplot) {
		snprintf(line, sizeof(line), "No charts: %s.", p.why_none);
		hb_doc_para(d, line);
	}
	return p.failed ? -EIO : 0;
}

static int write_mem(const char *dir, const char *name, const char *buf, size_t len)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return hb_atomic_write(path, buf ? buf : "", buf ? len : 0);
}

int hb_cal_report(const struct hb_cal *c, struct hb_rundata *r)
{
	char *md = NULL, *html = NULL;
	size_t nmd = 0, nhtml = 0;
	struct hb_doc d;
	int rc, wrc;

	d.md = open_memstream(&md, &nmd);
	d.html = open_memstream(&html, &nhtml);
	if (!d.md || !d.html) {
		if (d.md)
			fclose(d.md);
		if (d.html)
			fclose(d.html);
		free(md);
		free(html);
		return -ENOMEM;
	}
	fprintf(d.html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>hugebench "
		"calibration</title><style>body{font-family:sans-serif;max-width:70em;margin:auto}"
		"table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:2px 6px;"
		"text-align:left}img{max-width:100%%}</style></head><body>\n");
	hb_doc_h(&d, 1, "hugebench calibration");
	hb_doc_para(&d, r->machine[0] ? r->machine : "machine unknown (no meta.json)");
	rc = hb_cal_section(&d, 2, c, r);
	fprintf(d.html, "</body></html>\n");
	if (fclose(d.md) | fclose(d.html))
		wrc = -ENOMEM;
	else
		wrc = write_mem(r->dir, "calibration.md", md, nmd);
	if (!wrc)
		wrc = write_mem(r->dir, "calibration.html", html, nhtml);
	free(md);
	free(html);
	return wrc ? wrc : rc;
}

void hb_cal_report_hook(struct hb_doc *d, struct hb_rundata *r)
{
	struct hb_cal c;
	char err[PATH_MAX + 256];
	int rc = hb_cal_read_csv(r->dir, &c, err, sizeof(err));

	if (rc == -ENOENT)
		return;
	if (rc) {
		hb_doc_h(d, 2, "Calibration: real against simulated");
		hb_doc_para(d, err);
		return;
	}
	(void)hb_cal_section(d, 2, &c, r);
	hb_cal_free(&c);
}
