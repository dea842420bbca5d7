/*
 * Time-series panels: one per cell (backing x parameter set) from the first repetition's
 * series/<cell>.csv, the declared columns as lines over t_s and the phases shaded, so what
 * happened between the end figures can be seen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "csvread.h"
#include "schema.h"
#include "sets.h"

#define MAX_PANELS 16

static const char *shade(const struct hb_chart_def *c, const char *phase)
{
	for (size_t i = 0; c->shades && c->shades[i].phase; i++)
		if (!strcmp(c->shades[i].phase, phase))
			return c->shades[i].colour;
	return "#eeeeee";
}

static const char *field(const struct hb_csv_row *r, int c)
{
	return c >= 0 && (size_t)c < r->n && *r->f[c] ? r->f[c] : NULL;
}

static void phase_rect(FILE *f, const struct hb_chart_def *c, int obj, const char *phase,
		       double t0, double t1)
{
	fprintf(f, "set object %d rect from first %g, graph 0 to first %g, graph 1 fc rgb '%s' "
		   "fs solid 1.0 noborder behind\n", obj, t0, t1, shade(c, phase));
	fprintf(f, "set label %d '%s' at first %g, graph 0.04 center font 'Sans,8' "
		   "tc rgb '#555555'\n", obj, phase, (t0 + t1) / 2);
}

/* One panel's data and shading from series/<id>.csv. 0, or -1 when there is no series. */
static int panel(struct hb_plot *p, const struct hb_chart_def *c, const char *id, int n)
{
	char path[PATH_MAX + 220], name[160];
	int ct, cph, col[HB_SERIES_LINES], any = 0, obj = 0;
	const char *prev = NULL;
	double start = 0, last = 0;
	struct hb_csv csv;
	FILE *d, *s;

	snprintf(path, sizeof(path), "%s/series/%s.csv", p->d->dir, id);
	if (hb_csv_read(path, &csv, NULL) || csv.n < 2)
		goto none;
	ct = hb_series_column(&csv.rows[0], hb_series_columns[HB_SERIES_T_S]);
	cph = hb_series_column(&csv.rows[0], hb_series_columns[HB_SERIES_PHASE]);
	for (int k = 0; k < HB_SERIES_LINES && c->lines[k].column; k++) {
		col[k] = hb_series_column(&csv.rows[0], c->lines[k].column);
		any |= col[k] >= 0;
	}
	if (ct < 0 || !any)
		goto none;
	snprintf(name, sizeof(name), "%s_%d.dat", c->name, n);
	d = hb_plot_data(p, name);
	snprintf(name, sizeof(name), "%s_%d_phases.gp", c->name, n);
	s = hb_plot_data(p, name);
	if (!d || !s) {
		if (d)
			fclose(d);
		if (s)
			fclose(s);
		hb_csv_free(&csv);
		return -1;
	}
	for (size_t i = 1; i < csv.n; i++) {
		const struct hb_csv_row *r = &csv.rows[i];
		const char *ph = field(r, cph);
		double t = field(r, ct) ? strtod(r->f[ct], NULL) : last;

		fprintf(d, "%.3f", t);
		for (int k = 0; k < HB_SERIES_LINES && c->lines[k].column; k++) {
			const char *v = field(r, col[k]);

			/* "?" for a missing sample: gnuplot leaves a gap. */
			if (v)
				fprintf(d, "\t%.2f", strtod(v, NULL) / (c->lines[k].div ?
									c->lines[k].div : 1));
			else
				fprintf(d, "\t?");
		}
		fprintf(d, "\n");
		if (!ph)
			ph = "";
		if (!prev || strcmp(prev, ph)) {
			if (prev && *prev)
				phase_rect(s, c, ++obj, prev, start, t);
			prev = ph;
			start = t;
		}
		last = t;
	}
	if (prev && *prev)
		phase_rect(s, c, ++obj, prev, start, last);
	fclose(d);
	fclose(s);
	hb_csv_free(&csv);
	return 0;
none:
	hb_csv_free(&csv);
	return -1;
}

/* The plot command of one panel, as a gnuplot double-quoted string the template evals. */
static void plot_command(const struct hb_chart_def *c, char *buf, size_t len)
{
	size_t off = (size_t)snprintf(buf, len, "\"plot");

	for (int k = 0; k < HB_SERIES_LINES && c->lines[k].column && off < len; k++) {
		char title[200];

		hb_gp_str(c->lines[k].title, title, sizeof(title));
		off += (size_t)snprintf(buf + off, len - off, "%s %s using 1:%d with lines %s "
					"title %s", k ? "," : "", k ? "''" : "panel_data[i]", k + 2,
					c->lines[k].style ? c->lines[k].style : "", title);
	}
	if (off < len)
		snprintf(buf + off, len - off, "\"");
}

int hb_chart_cells(struct hb_plot *p, const struct hb_workload *w, const struct hb_chart_def *c,
		   int max, hb_cell_draw_fn draw, void *arg)
{
	const struct hb_machine_record *m = &p->d->rec;
	char id[200], lab[200], t[300];
	const char *sets[HB_MAX_LIST];
	size_t nsets = hb_run_sets(p->d, w, c->sets, sets, HB_MAX_LIST);
	int n = 0;

	for (size_t i = 0; i < m->nentries; i++) {
		const struct hb_record_entry *e = &m->entries[i];
		size_t k;

		if (!e->workload || strcmp(e->workload, w->name) || !e->params)
			continue;
		for (k = 0; k < nsets && strcmp(sets[k], e->params); k++)
			;
		if (k == nsets)
			continue; /* not a set the chart draws (or no rows) */
		hb_run_label(w, sets, nsets, k, lab, sizeof(lab));
		for (size_t j = 0; j < e->nbackings; j++) {
			const char *bk = e->backings[j];

			if (!bk || n == max)
				continue;
			snprintf(id, sizeof(id), "%s-%s-%zu-r1", w->name, bk, i + 1);
			snprintf(t, sizeof(t), "%s, %s", bk, lab);
			if (!draw(p, c, id, t, n + 1, arg))
				n++;
		}
	}
	return n;
}

/* The gnuplot arrays of the panels drawn so far. */
struct panels {
	char arr[7000];
	size_t off;
};

static int add_panel(struct hb_plot *p, const struct hb_chart_def *c, const char *id,
		     const char *title, int n, void *arg)
{
	struct panels *ps = arg;
	char q[620];

	if (panel(p, c, id, n))
		return -1;
	hb_gp_str(title, q, sizeof(q));
	ps->off += (size_t)snprintf(ps->arr + ps->off,
				    ps->off < sizeof(ps->arr) ? sizeof(ps->arr) - ps->off : 0,
				    "panel_data[%d] = '%s_%d.dat'\n"
				    "panel_phases[%d] = '%s_%d_phases.gp'\n"
				    "panel_title[%d] = %s\n", n, c->name, n, n, c->name, n, n, q);
	return 0;
}

int hb_chart_series(struct hb_plot *p, const struct hb_workload *w,
		    const struct hb_chart_def *c)
{
	struct panels ps = { .off = 0 };
	char vars[12000], t[300], cmd[2048], y[300], x[300];
	int n = hb_chart_cells(p, w, c, MAX_PANELS, add_panel, &ps), cols, rows;

	if (!n || ps.off >= sizeof(ps.arr))
		return n ? -ENOSPC : 0;
	cols = n < 2 ? 1 : n <= 4 ? 2 : 3;
	rows = (n + cols - 1) / cols;
	plot_command(c, cmd, sizeof(cmd));
	hb_gp_str(c->title, t, sizeof(t));
	hb_gp_str(c->ylabel, y, sizeof(y));
	hb_gp_str(c->xlabel ? c->xlabel : "time (s)", x, sizeof(x));
	snprintf(vars, sizeof(vars),
		 "array panel_data[%d]\narray panel_phases[%d]\narray panel_title[%d]\n%s"
		 "npanels = %d\nrows = %d\ncols = %d\nwhat = %s\nylabel = %s\n"
		 "xlabel = %s\npanel_plot = %s", n, n, n, ps.arr, n, rows, cols, t, y, x, cmd);
	return hb_plot_chart(p, w->name, c->name, "series.gp", vars, 560 * cols, 60 + 340 * rows,
			     c->caption);
}
