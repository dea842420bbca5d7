/*
 * Overlaid time series: one line per cell (backing x parameter set) from the first
 * repetition's series/<cell>.csv, one column of it over the time since the first sample of the
 * declared phases, so that cells which ran one after the other can be set side by side (e.g.
 * coverage after a touch, one line per repair mode).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "csvread.h"
#include "schema.h"
#include "sets.h"

#define MAX_LINES 16

static int in_phases(const struct hb_chart_def *c, const struct hb_csv_row *r, int cph)
{
	const char *ph = cph >= 0 && (size_t)cph < r->n ? r->f[cph] : "";

	if (!c->phases)
		return 1;
	for (size_t i = 0; c->phases[i]; i++)
		if (!strcmp(c->phases[i], ph))
			return 1;
	return 0;
}

/* The gnuplot arrays of the lines drawn so far, and whether any line moves. */
struct lines {
	char arr[6000];
	size_t off;
	int moving; /* a line whose value changes over its samples */
	int few;    /* lines left out: fewer than two samples */
};

/* One line's data file from series/<id>.csv. 0, or -1 when it has fewer than two samples
 * (one point is no line over time). */
static int line(struct hb_plot *p, const struct hb_chart_def *c, const char *id, int n,
		struct lines *ls)
{
	double first = 0;
	char path[PATH_MAX + 220], name[160];
	struct hb_csv csv;
	int ct, cph, cv, rows = 0;
	double t0 = 0;
	FILE *d = NULL;

	snprintf(path, sizeof(path), "%s/series/%s.csv", p->d->dir, id);
	if (hb_csv_read(path, &csv, NULL) || csv.n < 2)
		goto out;
	ct = hb_series_column(&csv.rows[0], hb_series_columns[HB_SERIES_T_S]);
	cph = hb_series_column(&csv.rows[0], hb_series_columns[HB_SERIES_PHASE]);
	cv = hb_series_column(&csv.rows[0], c->metric);
	if (ct < 0 || cv < 0)
		goto out;
	for (size_t i = 1; i < csv.n; i++) {
		const struct hb_csv_row *r = &csv.rows[i];
		double t, v;

		if (!in_phases(c, r, cph) || (size_t)cv >= r->n || !*r->f[cv] ||
		    (size_t)ct >= r->n || !*r->f[ct])
			continue;
		t = strtod(r->f[ct], NULL);
		if (!d) {
			snprintf(name, sizeof(name), "%s_%d.dat", c->name, n);
			d = hb_plot_data(p, name);
			if (!d)
				goto out;
			t0 = t;
		}
		v = strtod(r->f[cv], NULL);
		fprintf(d, "%.3f\t%.4g\n", t - t0, v);
		if (!rows)
			first = v;
		else if (v != first)
			ls->moving = 1;
		rows++;
	}
out:
	if (d)
		fclose(d);
	hb_csv_free(&csv);
	ls->few += rows < 2;
	return rows >= 2 ? 0 : -1;
}

static int add_line(struct hb_plot *p, const struct hb_chart_def *c, const char *id,
		    const char *title, int n, void *arg)
{
	struct lines *ls = arg;
	char q[620];

	if (line(p, c, id, n, ls))
		return -1;
	hb_gp_str(title, q, sizeof(q));
	ls->off += (size_t)snprintf(ls->arr + ls->off,
				    ls->off < sizeof(ls->arr) ? sizeof(ls->arr) - ls->off : 0,
				    "line_data[%d] = '%s_%d.dat'\n"
				    "line_title[%d] = %s\n", n, c->name, n, n, q);
	return 0;
}

int hb_chart_overlay(struct hb_plot *p, const struct hb_workload *w,
		     const struct hb_chart_def *c)
{
	struct lines ls = { .off = 0 };
	char vars[8000], t[300], y[300], x[300];
	int n = hb_chart_cells(p, w, c, MAX_LINES, add_line, &ls);

	if (!n && ls.few) {
		hb_plot_skip(p, w->name, c->name, "each cell has one sample of it at most in "
			     "repetition 1, the one series charts draw (a longer watch, e.g. "
			     "-p watch=60s, gives the line over time)");
		return 0;
	}
	if (n && !ls.moving) {
		hb_plot_skip(p, w->name, c->name, "every cell's line stays at one value over its "
			     "samples in repetition 1, the one series charts draw (the headline "
			     "table has the figure over every repetition)");
		return 0;
	}
	if (!n || ls.off >= sizeof(ls.arr))
		return n ? -ENOSPC : 0;
	hb_gp_str(c->title, t, sizeof(t));
	hb_gp_str(c->ylabel, y, sizeof(y));
	hb_gp_str(c->xlabel ? c->xlabel : "time (s)", x, sizeof(x));
	snprintf(vars, sizeof(vars), "array line_data[%d]\narray line_title[%d]\n%snlines = %d\n"
		 "what = %s\nylabel = %s\nxlabel = %s\nlogy = %d", n, n, ls.arr, n, t, y, x,
		 c->logy);
	return hb_plot_chart(p, w->name, c->name, "overlay.gp", vars, 900, 560, c->caption);
}
