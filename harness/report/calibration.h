/*
 * DIR/calibration.csv of `hugebench calibrate`: per metric and backing the median figure of a
 * real system and of its simulator twin, and their ratio (simulated / real). The report
 * section made from it (table, a verdict per metric, a chart per metric of real against
 * simulated bars per backing) is written as DIR/calibration.md + .html and, when the CSV is
 * there, into `hugebench plot DIR`'s report too. Only the CSV is read: no workload is named.
 */
#ifndef HB_CALIBRATION_H
#define HB_CALIBRATION_H
#include <stddef.h>

#include "doc.h"
#include "rundata.h"

struct hb_cal_row {
	char metric[96], backing[64];
	double real, sim;
	int has_real, has_sim; /* 0: the figure is missing on that side (an empty CSV field) */
	/* The paired ratio: the two sides ran side by side in each repetition, so the ratio
	 * is the median over repetitions of simulated / real within one, with its range;
	 * pairs 0: none (a side lacks a repetition), and the ratio is of the medians. */
	int pairs;
	double ratio, ratio_min, ratio_max;
};

struct hb_cal {
	struct hb_cal_row *rows;
	size_t n, cap;
};

/* One row; has_* 0 for a side without the figure. 0 or -ENOMEM. */
int hb_cal_add(struct hb_cal *c, const char *metric, const char *backing, int has_real,
	       double real, int has_sim, double sim);
/* The last row's paired ratio over n repetitions (n >= 1). */
void hb_cal_set_pairs(struct hb_cal *c, int n, double med, double min, double max);
void hb_cal_free(struct hb_cal *c);
/* DIR/calibration.csv atomically: metric,backing,real,simulated,ratio,ratio_min,ratio_max,
 * pairs; a missing figure and its ratio are empty fields, never 0. 0 or -errno. */
int hb_cal_write_csv(const struct hb_cal *c, const char *dir);
/* Reads DIR/calibration.csv into c. 0; -ENOENT when there is none; -EINVAL (err says which
 * line) or -errno otherwise. */
int hb_cal_read_csv(const char *dir, struct hb_cal *c, char *err, size_t errlen);

/* The paired ratio, else simulated / real of the medians, into *q: 1, or 0 when a side is
 * missing or real is 0. */
int hb_cal_ratio(const struct hb_cal_row *r, double *q);
/* Distinct metrics of c in order of appearance (at most max). */
size_t hb_cal_metrics(const struct hb_cal *c, const char **out, size_t max);
/* The verdicts on one metric as text, "yes: 4k 1.2x, thp-always 0.91x (to agree: within 2x)"
 * and "same: thp-always against 4k: lower on both sides". Return 1 for yes / same (every
 * backing has both figures and agrees, or orders the same), else 0. */
int hb_cal_agreement(const struct hb_cal *c, const char *metric, char *buf, size_t len);
int hb_cal_ordering(const struct hb_cal *c, const char *metric, char *buf, size_t len);

/* The section at heading level `level`: table, verdicts, charts drawn into DIR/plots (d's
 * run directory r). 0 or -errno (charts that gnuplot could not draw are said in the text). */
int hb_cal_section(struct hb_doc *d, int level, const struct hb_cal *c, struct hb_rundata *r);
/* DIR/calibration.md and .html, each written whole or not at all. 0 or -errno. */
int hb_cal_report(const struct hb_cal *c, struct hb_rundata *r);
/* For the bench report: the section from r's calibration.csv when there is one (a paragraph
 * saying what is wrong when it cannot be read), nothing otherwise. */
void hb_cal_report_hook(struct hb_doc *d, struct hb_rundata *r);

#endif
