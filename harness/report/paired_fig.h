/*
 * One figure of a run against another figure of the same run, by the paired rule
 * (core/paired.h): the report's verdicts on claims, its winners and its better/worse lines,
 * and `hugebench advise`, all ask here.
 *
 * Repetition i of every cell of a run ran side by side (the matrix interleaves them), so the
 * figure of backing B in rep i is divided by the figure of backing A in the same rep, and the
 * rule looks at those ratios only. For a figure that varies (a time, a rate, a share) it is
 * the exact sign-test interval at 90% for the median ratio: a verdict that the interval lies
 * wholly inside, or wholly outside, a range is wrong at most 5% of the time, and it needs at
 * least 5 pairs. A figure that repeats (memory, a count: HB_KIND_MEMORY, HB_KIND_COUNT, or a
 * claim marked exact) is decided from one pair on, on the whole min-max range of its ratios.
 */
#ifndef HB_PAIRED_FIG_H
#define HB_PAIRED_FIG_H
#include <stddef.h>

#include "rundata.h"
#include "workload.h"

#define HB_PAIRED_ALPHA 0.10 /* a two-sided 90% interval: 5% on each side */
#define HB_PAIRED_MIN 5	     /* the fewest pairs that give such an interval */
#define HB_PAIRED_MAX 64     /* pairs looked at (repetitions of a run) */
#define HB_PAIRED_CAP 25     /* the most repetitions hb_fig_reps_needed considers */

struct hb_fig_cmp {
	size_t n;		     /* pairs: the repetitions both figures have, both above 0 */
	double ratio[HB_PAIRED_MAX]; /* b_i / a_i (diff: b_i - a_i), in rep order */
	double median;		     /* the median ratio */
	double lo, hi;		     /* its interval; no interval: lo = 0 (diff: -inf), hi = +inf */
	int exact;		     /* decided on the ratios' min-max range */
	int diff;		     /* differences, not ratios */
	int has_interval;	     /* lo and hi say something */
};

/*
 * Pairs b_metric of b_backing with a_metric of a_backing in the parameter set set of
 * workload, by repetition. exact: 1 or 0 to force the kind of figure, -1 to take it from the
 * metric's declaration (memory and counts repeat; everything else varies). 0, or -ENOENT when
 * no repetition has both figures above 0 (c->n is then 0).
 */
int hb_fig_compare(const struct hb_rundata *r, const struct hb_workload *w, const char *set,
		   const char *b_backing, const char *b_metric, const char *a_backing,
		   const char *a_metric, int exact, struct hb_fig_cmp *c);
/* The same on the differences b_i - a_i (both finite; the sign test needs no positivity). */
int hb_fig_compare_diff(const struct hb_rundata *r, const struct hb_workload *w,
			const char *set, const char *b_backing, const char *b_metric,
			const char *a_backing, const char *a_metric, int exact,
			struct hb_fig_cmp *c);
/* A claim's comparison (outputs.h): its ratio, or its difference when c->diff. */
int hb_fig_claim(const struct hb_rundata *r, const struct hb_workload *w,
		 const struct hb_claim *cl, const char *set, const char *backing,
		 struct hb_fig_cmp *c);

enum hb_fig_where {
	HB_FIG_UNDECIDED = 0, /* no interval yet, or it straddles an edge */
	HB_FIG_INSIDE,	      /* the whole interval inside [lo, hi] */
	HB_FIG_OUTSIDE,	      /* the whole interval outside it */
};

/* Where the interval lies against [lo, hi] (0 and +inf for an open side). */
enum hb_fig_where hb_fig_where(const struct hb_fig_cmp *c, double lo, double hi);

/*
 * Which way b differs from a beyond a dead zone (0.02: within 2% is no difference):
 * -1 the whole interval below 1 - dead, +1 above 1 + dead, 0 the whole interval within the
 * dead zone, 2 cannot tell (no interval, or it reaches across an edge of the dead zone).
 */
int hb_fig_direction(const struct hb_fig_cmp *c, double dead);

/* The fewest repetitions (more than c->n, at most HB_PAIRED_CAP) that would decide [lo, hi]
 * if the ratios kept their shares on each side of its edges; 0 when none would. */
int hb_fig_reps_needed(const struct hb_fig_cmp *c, double lo, double hi);

/* A difference with its sign, 4 significant digits ("+12140", "-3.5"). */
void hb_fig_num(double v, char *buf, size_t len);

/* "0.76x [0.71-0.80], 5 pairs" or "0.98x, 3 pairs: no 90% interval below 5". */
void hb_fig_text(const struct hb_fig_cmp *c, char *buf, size_t len);

/* The rule in one sentence, for the report. */
extern const char hb_fig_rule[];

#endif
