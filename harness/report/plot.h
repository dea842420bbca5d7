/*
 * `hugebench plot DIR`: data files and gnuplot scripts under DIR/plots/ (the scripts load
 * the templates shipped in plots/), PNG and SVG charts, and DIR/report.md + report.html.
 * One file per workload's charts (plot_<workload>.c), the report in report.c.
 */
#ifndef HB_PLOT_H
#define HB_PLOT_H
#include <limits.h>
#include <stdio.h>

#include "rundata.h"

#define HB_MAX_CHARTS 64

struct hb_chart {
	char workload[32];
	char name[96];	   /* <name>.png / <name>.svg in DIR/plots */
	char caption[256];
	int made;	   /* gnuplot wrote the PNG */
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

/* DIR/plots/<name> for writing, or NULL after counting a failure. */
FILE *hb_plot_data(struct hb_plot *p, const char *name);
/* Writes DIR/plots/<name>.gp (vars, then the template for PNG and for SVG), runs gnuplot on
 * it and records the chart for the report. */
int hb_plot_chart(struct hb_plot *p, const char *workload, const char *name,
		  const char *template, const char *vars, int width, int height,
		  const char *caption);
/* A gnuplot single-quoted string literal of s. */
void hb_gp_str(const char *s, char *buf, size_t len);
/* Grouped bars: one group per parameter set (labels), one bar per backing, median with
 * min-max error bars over repetitions. */
int hb_plot_bars(struct hb_plot *p, const char *workload, const char *name, const char *metric,
		 const char *what, const char *ylabel, int logy, const char *const *params,
		 const char *const *labels, size_t nparams, const char *caption);
/* What tells parameter set i apart from the workload's other sets ("span=1G"), or "all". */
void hb_params_label(const char *const *sets, size_t n, size_t i, char *buf, size_t len);

void hb_plot_touch(struct hb_plot *p);
void hb_plot_sparse(struct hb_plot *p);
void hb_plot_forkcow(struct hb_plot *p);
void hb_plot_churn(struct hb_plot *p);
/* The parameter sets of sparse worth a table row (not every size of a sweep). */
size_t hb_sparse_headline_sets(const struct hb_rundata *d, const char **out, size_t max);

/* report.md and report.html. 0 or -errno. */
int hb_report_write(const struct hb_plot *p);

#endif
