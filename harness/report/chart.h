/*
 * Charts of `hugebench plot DIR`: data files and gnuplot scripts under DIR/plots/ (the scripts
 * load the templates shipped in plots/), PNG and SVG. Each registered workload declares its
 * charts (outputs.h); the kinds are drawn here, generically, and every chart made is recorded
 * in struct hb_plot for the report, which reads only those records.
 */
#ifndef HB_CHART_H
#define HB_CHART_H
#include <limits.h>
#include <stdio.h>

#include "outputs.h"
#include "rundata.h"
#include "workload.h"

#define HB_MAX_CHARTS 64

struct hb_chart {
	char workload[32];
	char name[96]; /* <name>.png / <name>.svg in DIR/plots */
	char caption[256];
	int made; /* gnuplot wrote the PNG */
	char why_not[200]; /* not drawn on purpose: why ("every line is flat") */
};

struct hb_plot {
	struct hb_rundata *d;
	char dir[PATH_MAX];  /* DIR/plots */
	char tmpl[PATH_MAX]; /* the templates */
	const char *gnuplot; /* NULL when there is none, with why_none */
	char why_none[PATH_MAX + 64];
	const char *png_term;
	struct hb_chart charts[HB_MAX_CHARTS];
	int ncharts, failed;
};

/* p for charts into plots_dir (made when missing), with d's machine line in every title:
 * finds gnuplot and the templates, or says in why_none why there are none. 0, or -errno when
 * plots_dir cannot be made. */
int hb_plot_init(struct hb_plot *p, struct hb_rundata *d, const char *plots_dir);

/* DIR/plots/<name> for writing, or NULL after counting a failure. */
FILE *hb_plot_data(struct hb_plot *p, const char *name);
/* Writes DIR/plots/<name>.gp (vars, then the template for PNG and for SVG), runs gnuplot on
 * it and records the chart for the report. */
/* A chart not drawn on purpose (it would say nothing): the report says why instead. */
void hb_plot_skip(struct hb_plot *p, const char *workload, const char *name, const char *why);
int hb_plot_chart(struct hb_plot *p, const char *workload, const char *name,
		  const char *template, const char *vars, int width, int height,
		  const char *caption);
/* A gnuplot single-quoted string literal of s. */
void hb_gp_str(const char *s, char *buf, size_t len);

/* Every chart every registered workload with rows in the run declares. */
void hb_charts_draw(struct hb_plot *p);

/* The kinds (chart_<kind>.c), for one workload's chart c. 0 or -errno; no chart (and 0) when
 * the run has nothing to draw. */
int hb_chart_bars(struct hb_plot *p, const struct hb_workload *w, const struct hb_chart_def *c);
int hb_chart_sweep(struct hb_plot *p, const struct hb_workload *w,
		   const struct hb_chart_def *c);
int hb_chart_percentiles(struct hb_plot *p, const struct hb_workload *w,
			 const struct hb_chart_def *c);
int hb_chart_series(struct hb_plot *p, const struct hb_workload *w,
		    const struct hb_chart_def *c);
int hb_chart_overlay(struct hb_plot *p, const struct hb_workload *w,
		     const struct hb_chart_def *c);

/*
 * The cells the series-based kinds draw (series, overlay): the first repetition of every
 * backing of every parameter set c draws, in the run's order, at most max. For each, draw gets
 * the cell's series id (<workload>-<backing>-<n>-r1), its title ("<backing>, <set label>")
 * and its number n (1, 2, ...); it returns 0 when it drew the cell (n then counts it), else
 * nonzero. Returns how many were drawn.
 */
typedef int (*hb_cell_draw_fn)(struct hb_plot *p, const struct hb_chart_def *c, const char *id,
			       const char *title, int n, void *arg);
int hb_chart_cells(struct hb_plot *p, const struct hb_workload *w, const struct hb_chart_def *c,
		   int max, hb_cell_draw_fn draw, void *arg);

#endif
