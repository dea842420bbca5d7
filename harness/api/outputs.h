/*
 * What a workload's results say, as data in its own file: the headline figures of its report
 * table, the charts the harness draws for it (each of a few generic kinds) and the folklore
 * claims its figures decide. `hugebench plot` and the report loop over the registry and read
 * these; adding a workload adds no line to harness/report/.
 *
 * Hooks get the parameter sets of a run as the text of the results' params column
 * ("span=1G;node_size=64;..."); when they need a value they read it through the workload's
 * own parameter table (hb_set_num, hb_set_value below), never by hand.
 */
#ifndef HB_OUTPUTS_H
#define HB_OUTPUTS_H
#include <math.h>
#include <stddef.h>

#include "params.h"

/* An open upper bound of a claimed ratio. */
#define HB_UNBOUNDED HUGE_VAL

/* Which way a figure is better; NEITHER: a property of the run, no winner. */
enum hb_better {
	HB_LOWER = -1,
	HB_NEITHER = 0,
	HB_HIGHER = 1,
};

/*
 * Picks from the parameter sets of a run (sets[0..n), in order of appearance) those a table,
 * chart or claim uses, into out (at most max, keeping the order). Returns how many.
 */
typedef size_t (*hb_sets_fn)(const char *const *sets, size_t n, const char **out, size_t max);
/* A label for sets[i] among sets[0..n) ("jemalloc dirty_decay_ms:0"): 0, or -ENOENT for the
 * harness's own (the parameters that tell the set apart, "span=1G"). */
typedef int (*hb_label_fn)(const char *const *sets, size_t n, size_t i, char *buf, size_t len);

/*
 * What kind of figure a metric is, for `hugebench compare`: how large a change must be before
 * it counts (a default threshold per kind, compare.h), and whether one repetition can decide.
 */
enum hb_metric_kind {
	HB_KIND_AUTO = 0, /* from the unit: ns/us/ms/s time, .../s rate, KiB/MiB/pages memory */
	HB_KIND_TIME,	  /* noisy on a shared machine: 5%, and at least 2 repetitions */
	HB_KIND_RATE,	  /* the same */
	HB_KIND_MEMORY,	  /* repeats (nearly) exactly: 1%, one repetition decides */
	HB_KIND_COUNT,	  /* an exact count or position: any change counts */
	HB_KIND_SHARE,	  /* a share of times (translation %): noisy like a time, but already
			   * relative, so never divided by a reference backing */
	HB_KIND_TAIL,	  /* a time set by the worst moments (p99 and beyond, a maximum): compared
			   * and normalised like a time, but on a host whose CPUs were shared it
			   * measures the sharing, so there compare gives it no verdict */
};

struct hb_headline {
	const char *metric;
	const char *label; /* "fork time per GiB" */
	const char *unit;  /* shown when the rows carry none */
	enum hb_better better;
	enum hb_metric_kind kind;
};

enum hb_chart_kind {
	/* One group per parameter set, a bar per backing: median, min-max error bars. */
	HB_CHART_BARS = 1,
	/* x: the size parameter x_param of each set (log x), a line per backing, with the
	 * caches and the cpuid dTLB reach of meta.json marked. */
	HB_CHART_SWEEP,
	/* One chart per parameter set (name_<n>): a curve per backing and phase over the
	 * percentiles, from metrics <metric>_<pct>_us_<phase>. */
	HB_CHART_PERCENTILES,
	/* One panel per cell (backing x parameter set) from the first repetition's
	 * series/<cell>.csv: the columns as lines over t_s, the phases shaded. */
	HB_CHART_SERIES,
	/* One chart, a line per cell (backing x parameter set) from the first repetition's
	 * series/<cell>.csv: the column named by metric over the time since the cell's first
	 * sample in phases (NULL: every sample), so cells run one after another overlay. */
	HB_CHART_OVERLAY,
};

/* A line of a time-series panel: a column of series/<cell>.csv, divided by div. */
struct hb_series_line {
	const char *column;
	double div;
	const char *title;
	const char *style; /* gnuplot line style, "ls 2 dt 2" */
};

struct hb_phase_colour {
	const char *phase;
	const char *colour; /* "#dbe9f6" */
};

#define HB_SERIES_LINES 8

struct hb_chart_def {
	enum hb_chart_kind kind;
	const char *name;    /* file stem in DIR/plots (percentiles: name_<n>) */
	const char *metric;  /* bars, sweep: the figure; percentiles: the metric prefix;
			      * overlay: the series column */
	const char *title;   /* above the chart, before the machine line */
	const char *xlabel;  /* NULL: the kind's own */
	const char *ylabel;
	int logy;
	const char *caption; /* under the chart in the report: how to read it */
	hb_sets_fn sets;     /* the parameter sets drawn; NULL: every set */
	/* sweep: the size parameter on x */
	const char *x_param;
	/* percentiles: the phases, NULL-terminated; overlay: the phases whose samples are drawn */
	const char *const *phases;
	/* series: the lines, and the colour of each phase (others grey) */
	struct hb_series_line lines[HB_SERIES_LINES];
	const struct hb_phase_colour *shades; /* ends with { NULL } */
};

/*
 * A folklore claim and the figure that decides it: the ratio metric / vs_metric (in the vs
 * backing, or the same backing), repetition by repetition, must lie in [lo, hi] to confirm
 * it, and outside to refute it. Both must hold for the whole interval of the paired rule
 * (report/paired_fig.h), else "cannot tell"; a profile's budget gives the cells of an
 * undecided claim more repetitions.
 */
struct hb_claim {
	const char *text;	/* the folklore, as people say it */
	const char *metric;
	const char *vs_metric;	/* NULL: metric itself, in vs_backing */
	const char *vs_backing; /* NULL: the same backing (with vs_metric) */
	const char *backings;	/* backings tested: shell patterns, "thp thp-always hugetlb-*";
				 * NULL: every backing but vs_backing */
	double lo, hi;		/* the ratio that confirms; 0 / HB_UNBOUNDED: open */
	int exact;		/* a figure that repeats exactly: one repetition decides */
	/* 1: the claim is on the difference metric - vs_metric in the metric's unit, not on
	 * their ratio ("stalls for milliseconds": at least 1000 us more); lo, hi in that unit
	 * (-HB_UNBOUNDED: open below) */
	int diff;
	hb_sets_fn sets;	/* the parameter sets that decide; NULL: every set */
	/* the sets whose cells vs_metric is derived from too (the workload's analysis: an aged
	 * cell's fresh twin), so that a repetition more of one is a repetition more of both;
	 * NULL: none */
	hb_sets_fn vs_sets;
	const char *needs;	/* what a run needs to decide it ("a dense 1G heap") */
};

/* Whose decision a figure weighs in, for `hugebench advise` (balanced: every one). */
enum hb_priority {
	HB_PRIO_LATENCY = 1 << 0,
	HB_PRIO_THROUGHPUT = 1 << 1,
	HB_PRIO_MEMORY = 1 << 2,
};

/*
 * A figure that is evidence for a decision of `hugebench advise` (docs/advise.md): in each
 * parameter set sets picks, every backing's metric is paired rep by rep with the 4k backing's
 * (the paired rule, as the report's verdicts), and a backing better beyond 2% counts for it,
 * worse against it, in the priorities named. The choice is among the run's backings; the set's
 * allocator and knob parameters come with it into the configuration.
 */
struct hb_advice_rule {
	const char *metric;
	const char *label;	/* "charged memory after frees": evidence and cost lines */
	enum hb_better better;
	unsigned priorities;	/* HB_PRIO_* */
	int fork;		/* weighs only for a service that forks snapshots (--fork-snapshots) */
	int footprint;		/* a memory figure (KiB) of the service: --memory-limit checks it */
	hb_sets_fn sets;	/* the sets that are evidence; NULL: every set */
	const char *measure;	/* a run without such a set: the command that measures it */
};

/*
 * A row the workload writes into results.csv, declared so that nothing it emits is a surprise:
 * a unit test runs every workload and fails on a row no declaration matches, `hugebench
 * WORKLOAD --help` and the man page list them, and the tables of the workload's page are
 * generated from them. Every row whose name the workload chooses is its own to declare, also
 * those a harness call makes from that name: a phase's <phase>_ms, a sampler's <name>, _min,
 * _max, hb_metric_hist's <prefix>_count and <prefix>_<pct>_us, hb_metric_phase_writes' rows,
 * its analysis's rows. The rows with the harness's own names (populate_ms, rss_kib,
 * huge_coverage_pct, counters, vmstat deltas, ...) the harness declares (results/metrics.c).
 *
 * A <word> in name stands for any non-empty text ("write_<pct>_us_<phase>"); the meaning says
 * what it takes. unit is the unit the numeric rows carry ("" for none); a text row
 * ("unavailable", a version) may carry it or none; "*" takes any unit (a figure whose unit
 * the user declares, as the command workload's metric parameters).
 */
struct hb_metric_def {
	const char *name;
	const char *unit;
	enum hb_better better;	  /* HB_NEITHER: a property of the run, or text */
	enum hb_metric_kind kind; /* HB_KIND_AUTO for a text row (a status, a version) */
	const char *meaning;	  /* one line */
};

struct hb_outputs {
	/* Every row it emits (hb_metric_def above); ends with an entry whose name is NULL. */
	const struct hb_metric_def *metrics;
	const struct hb_headline *headlines; /* each ends with an entry whose metric is NULL */
	hb_sets_fn table_sets;		     /* the sets that get a table row; NULL: all */
	hb_label_fn label;		     /* NULL: the harness's label */
	const struct hb_chart_def *charts;   /* ends with { 0 } (kind 0) */
	const struct hb_claim *claims;	     /* ends with an entry whose text is NULL */
	const struct hb_advice_rule *advice; /* NULL, or ends with an entry whose metric is NULL */
};

/*
 * A parameter's value in a params text, read through the workload's table t (params_size
 * bytes of parameter struct): sizes, durations, counts and doubles as a number, an enum as
 * its index; every parameter not named has its default. 0, or -errno (unknown name, a text
 * the table does not parse, a string parameter).
 */
int hb_set_num(const struct hb_param *t, size_t params_size, const char *set, const char *name,
	       double *v);
/* The same as text, formatted as the table formats it ("256M", "random"). */
int hb_set_value(const struct hb_param *t, size_t params_size, const char *set,
		 const char *name, char *buf, size_t len);

#endif
