/*
 * `hugebench compare`: two or more runs, cell by cell and figure by figure, with a verdict only
 * where the noise allows one. Runs are read through the one typed results model (row.h); each
 * metric's direction and kind come from its workload's declaration (outputs.h).
 *
 * The rule for one figure, base against new (decide.c):
 *   - a change of the medians within the metric's threshold is `same`;
 *   - with >= 5 repetitions per side, a two-sided Mann-Whitney U test at alpha 0.01 must also
 *     reject, else `unknown` (more repetitions might tell; how many is estimated);
 *   - with fewer, the min-max ranges must not overlap, else `unknown` (needs 5 per side: below
 *     that no U test can reach 0.01); a time or a rate needs 2 per side even then, since one
 *     repetition says nothing about its noise;
 *   - a metric that declares no direction is `changed` instead of better/worse.
 * So a difference inside the noise is never `worse`.
 * Before any figure: a cell whose every repetition was `ok` in base and that is `skipped`,
 * `failed`, `fallback` (or `interrupted`) in new is `lost` (a line of its `status`, with both
 * reasons), and so is a figure that was a number in base and has no number in new, only a
 * row saying why (`unavailable`). Lost lines come first; compare exits 1 on any. A cell only
 * new has, or one base has and new does not have at all (another profile), stays `n/a`.
 */
#ifndef HB_COMPARE_H
#define HB_COMPARE_H
#include <jansson.h>
#include <stddef.h>

#include "outputs.h"
#include "row.h"
#include "stats.h"

struct hb_machine_record;

#define HB_CMP_ALPHA 0.01
#define HB_CMP_MAX_NEW 16
#define HB_CMP_MAX_THRESHOLDS 256

enum hb_cmp_verdict {
	HB_CMP_SAME,
	HB_CMP_BETTER,
	HB_CMP_WORSE,
	HB_CMP_CHANGED, /* a significant change of a metric with no direction */
	HB_CMP_UNKNOWN,
	HB_CMP_NA,
	/* ok in base, and in new the cell is skipped, failed or fallback, or the figure a number
	 * in base is `unavailable` in new: a capability lost, which fails the gate */
	HB_CMP_LOST,
};
#define HB_CMP_NVERDICTS (HB_CMP_LOST + 1)

/* One run: its rows (rundata or results in memory) and what to call it. */
struct hb_cmp_run {
	const struct hb_row *rows;
	size_t n;
	const char *label; /* "base", a host name */
	const char *dir;
	const char *machine; /* one line: CPU, kernel, THP mode */
	const struct hb_machine_record *meta; /* its meta.json, or NULL */
};

struct hb_cmp_threshold {
	/* a metric's name or shell pattern; with a '/', of "workload/backing/metric" (one cell's
	 * metric, as `hugebench noise` writes them) */
	const char *metric;
	double pct;
	int used;
};

struct hb_cmp_opts {
	const char *metrics;	 /* shell pattern of more metrics to compare, or NULL */
	int no_probe;		 /* never normalise by the host probe */
	const char *relative_to; /* a backing: compare ratios to its same repetition, or NULL */
	struct hb_cmp_threshold thresholds[HB_CMP_MAX_THRESHOLDS];
	size_t nthresholds;
};

/* The samples of one figure on one side. */
struct hb_cmp_side {
	double v[256];
	size_t n;
	struct hb_stats st;
	int unavailable; /* the figure has a row whose value is no number ("unavailable") */
};

/* One figure of one cell, base against one new run. */
struct hb_cmp_line {
	const char *workload, *backing, *metric, *unit;
	char *params;	  /* canonical, owned */
	char *set_label;  /* what tells the set apart from the workload's others, owned */
	size_t new_index; /* which new run */
	enum hb_better better;
	enum hb_metric_kind kind;
	double threshold_pct;
	struct hb_cmp_side base, new;
	double change_pct; /* of the medians, new against base; NAN when either is missing */
	const char *test;  /* "U test", "ranges", "threshold", "" */
	double p;	   /* the U test's two-sided p; NAN when no U test decided */
	int overlap;	   /* ranges: 1 when they overlap */
	enum hb_cmp_verdict verdict;
	char why[200]; /* unknown: how many repetitions would tell; n/a: what is missing */
};

/*
 * The host-speed probe of a new run against base (hostprobe.c, run/probe.h). When NEW's
 * probes differ from BASE's beyond their noise (a U test at HB_CMP_ALPHA, and more than
 * HB_PROBE_MIN_PCT), NEW's times are divided by factor and its rates multiplied by it; memory,
 * counts and coverage never are. Not with --relative-to (ratios need none) or no_probe.
 */
#define HB_PROBE_MIN_PCT 5
struct hb_cmp_probe {
	int have;    /* both runs have enough probes for the test */
	int applied; /* NEW's times and rates were normalised by factor */
	double ratio, cpu_ratio, load_ratio; /* NEW's probe medians over BASE's */
	double factor;			     /* 1 unless applied */
	double p;			     /* the U test's, NAN without one */
	size_t nbase, nnew;		     /* probes (cell repetitions) of each run */
	double wait_base, wait_new; /* median cpu_wait_pct of each run's cells, NAN without */
	int shared;		    /* NEW waited for a CPU HB_SHARED_PTS more than BASE */
	char text[700];		    /* the line compare prints first */
};
/*
 * A host whose CPUs are shared (a CI runner's noisy neighbours; a busy task per CPU) stretches
 * an interval by whole scheduler slices, milliseconds each, when it is preempted: the probe's
 * average slowdown says nothing of that. So when NEW's cells waited for a CPU HB_SHARED_PTS
 * points more of their runnable time than BASE's, a tail (HB_KIND_TAIL) and a single interval
 * under HB_SHORT_MS (a time in ms) are shown with their change but given no verdict.
 */
#define HB_SHARED_PTS 10
#define HB_SHORT_MS 50
/* Fills p for nw against base: 0 or -ENOMEM. */
int hb_cmp_probe(const struct hb_cmp_run *base, const struct hb_cmp_run *nw,
		 struct hb_cmp_probe *p);

struct hb_cmp_result {
	struct hb_cmp_probe probe[HB_CMP_MAX_NEW]; /* per new run */
	struct hb_cmp_line *lines;
	size_t n, cap;
	size_t count[HB_CMP_NVERDICTS];
	size_t cells_common; /* cells in base and at least one new run */
};

/*
 * `hugebench noise`'s rule (noise.c): the threshold in % a metric of kind needs, given its
 * medians in k runs of the same profile on one runner: the largest change between two of them,
 * as compare computes a change ((larger - smaller) / smaller), times HB_NOISE_SAFETY, rounded
 * up to a whole percent, never below the kind's default (hb_cmp_default_threshold) nor above
 * HB_NOISE_MAX_PCT (a median that is 0 in one run and not in another). NAN if k < 2.
 */
#define HB_NOISE_SAFETY 1.5
#define HB_NOISE_MAX_PCT 1000
double hb_noise_threshold(const double *medians, size_t k, enum hb_metric_kind kind);

/* "same", "better", "worse", "changed", "unknown", "n/a", "lost". */
const char *hb_cmp_verdict_name(enum hb_cmp_verdict v);
/* The default threshold of a kind, in percent. */
double hb_cmp_default_threshold(enum hb_metric_kind kind);
/* The kind of a metric that declares none, from its unit. */
enum hb_metric_kind hb_cmp_kind_of_unit(const char *unit);
/* Whether a kind scales with the machine's speed (times, tails, rates): only those are divided
 * by a reference backing (--relative-to) or by the host probe; memory and counts never. */
int hb_cmp_kind_scales(enum hb_metric_kind kind);

/*
 * Decides one line from its two sides, its kind, direction and threshold (decide.c): fills
 * change_pct, test, p, overlap, verdict and why.
 */
void hb_cmp_decide(struct hb_cmp_line *l);

/*
 * Joins base with each new run on workload, backing and canonical params, and decides every
 * compared metric of every common cell. Returns 0; -ENOENT when no cell is in common (err says
 * which keys differ); -EINVAL for a --threshold metric that no run has (err names it);
 * -ENOMEM.
 */
int hb_compare(const struct hb_cmp_run *base, const struct hb_cmp_run *news, size_t nnew,
	       struct hb_cmp_opts *o, struct hb_cmp_result *res, char *err, size_t errlen);
void hb_cmp_result_free(struct hb_cmp_result *res);

/* Whether compare looks at metric of workload without --metrics: a headline the workload
 * declares, or a figure of the harness's own (huge-page coverage, populate time). */
int hb_cmp_compared_by_default(const char *workload, const char *metric);

/* "workload=...;backing=...;params" key of a row, with params canonical through the workload's
 * table (unknown workloads and unparseable params: as written). Returns a malloc'd string. */
char *hb_cmp_canonical_params(const char *workload, const char *params);

#endif
