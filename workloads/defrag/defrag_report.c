/*
 * What the report shows of defrag: its headline figures, its charts, the two folklore claims
 * about defrag stalls, and the cross-cell figures those need (an aged cell's fresh twin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "memtypes.h"
#include "defrag.h"
#include "workload.h"

extern const struct hb_workload hb_workload_defrag;

static int set_num(const char *set, const char *name, double *v)
{
	const struct hb_workload *w = &hb_workload_defrag;

	return hb_set_num(w->params, w->params_size, set, name, v);
}

/* The sets of defrag=always, aged (age > 0) or fresh. */
static size_t always_sets(const char *const *sets, size_t n, const char **out, size_t max,
			  int aged)
{
	const struct hb_workload *w = &hb_workload_defrag;
	size_t k = 0;

	for (size_t i = 0; i < n && k < max; i++) {
		char mode[32];
		double age;

		if (!set_num(sets[i], "age", &age) && (age > 0) == aged &&
		    !hb_set_value(w->params, w->params_size, sets[i], "defrag", mode,
				  sizeof(mode)) &&
		    !strcmp(mode, "always"))
			out[k++] = sets[i];
	}
	return k;
}

/* The sets a claim about synchronous compaction can decide: defrag=always on an aged machine. */
static size_t aged_always_sets(const char *const *sets, size_t n, const char **out, size_t max)
{
	return always_sets(sets, n, out, max, 1);
}

/* Their fresh twins, which the claims' comparison figures come from (hb_defrag_derive). */
static size_t fresh_always_sets(const char *const *sets, size_t n, const char **out,
				size_t max)
{
	return always_sets(sets, n, out, max, 0);
}

/* The canonical text of set with age=0: its fresh twin. 0 or -errno. */
static int fresh_twin(const char *set, char *buf, size_t len)
{
	const struct hb_workload *w = &hb_workload_defrag;
	struct defrag_params p;
	char err[256], *store = NULL;
	int rc = hb_params_parse(w->params, set, &p, &store, err, sizeof(err));

	if (!rc)
		rc = hb_params_set(w->params, &p, "age", "0", err, sizeof(err));
	if (!rc)
		rc = hb_params_format(w->params, &p, buf, len);
	free(store);
	return rc;
}

void hb_defrag_derive(struct hb_analysis *a)
{
	static const char *const metrics[] = { "fault_p99_us", "fault_max_us", "huge_coverage_pct",
					       NULL };

	for (size_t i = 0; i < a->n; i++) {
		const struct hb_row *r = &a->rows[i];
		char twin[1024], name[96], note[160];
		double age;
		size_t m;

		for (m = 0; metrics[m] && strcmp(metrics[m], r->metric); m++)
			;
		if (!metrics[m] || !r->num || strcmp(r->workload, a->workload) ||
		    set_num(r->params, "age", &age) || age <= 0 ||
		    fresh_twin(r->params, twin, sizeof(twin)))
			continue;
		for (size_t j = 0; j < a->n; j++) {
			const struct hb_row *f = &a->rows[j];

			if (!f->num || f->rep != r->rep || strcmp(f->workload, r->workload) ||
			    strcmp(f->metric, r->metric) ||
			    strcmp(f->backing, r->backing) || strcmp(f->params, twin))
				continue;
			snprintf(name, sizeof(name), "%s_fresh", r->metric);
			snprintf(note, sizeof(note), "%s of the same cell at age=0 (fresh "
				 "machine), same repetition", r->metric);
			hb_analysis_add(a, r->backing, r->params, r->rep, name, f->v, r->unit,
					note);
			break;
		}
	}
}

#define TOUCH_VM HB_SOURCE_VMSTAT " delta over the touch phase (machine-wide)"
#define REPAIR_VM HB_SOURCE_VMSTAT " delta over the repair (collapse, watch; machine-wide)"
#define FRESH "of the same cell at age=0, same repetition, beside an aged cell (analysis)"

/* Every row defrag writes (the harness's own rows, huge_coverage_pct and the rest, besides). */
static const struct hb_metric_def defrag_metrics[] = {
	{ "baseline_ms", "ms", HB_NEITHER, HB_KIND_TIME,
	  "the baseline phase: the 4 KiB first touch of size bytes" },
	{ "touch_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the touch phase: the THP first touch" },
	{ "madv_collapse_ms", "ms", HB_NEITHER, HB_KIND_TIME, "repair=collapse: that phase" },
	{ "watch_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the watch phase" },
	{ "fault_<pct>_us", "us", HB_LOWER, HB_KIND_TIME,
	  "first touch of one 2 MiB extent, every extent; <pct>: p50, p90, p99, p999, max" },
	{ "fallback_fault_<pct>_us", "us", HB_LOWER, HB_KIND_TIME,
	  "extents that fell back to 4 KiB pages (no 2 MiB host cost); <pct>: p50, p99, max" },
	{ "huge_fault_<pct>_us", "us", HB_LOWER, HB_KIND_TIME,
	  "extents that got a 2 MiB THP; <pct>: p50, p99, max" },
	{ "fault_4k_baseline_us", "us", HB_NEITHER, HB_KIND_TIME,
	  "median first touch of 2 MiB as 512 4 KiB pages (MADV_NOHUGEPAGE), same cell, just "
	  "before the touch" },
	{ "fault_4k_baseline_p99_us", "us", HB_NEITHER, HB_KIND_TIME,
	  "p99 of the same 4 KiB baseline" },
	{ "extents", "extents", HB_NEITHER, HB_KIND_COUNT, "2 MiB extents touched" },
	{ "extents_huge", "extents", HB_NEITHER, HB_KIND_COUNT, "of those, got a THP" },
	{ "extents_fallback", "extents", HB_NEITHER, HB_KIND_COUNT, "of those, fell back" },
	{ "extents_unclassified", "extents", HB_NEITHER, HB_KIND_COUNT,
	  "of those, the vmstat delta around it was not one THP fault or one fallback" },
	{ "thp_fault_alloc_touch", "events", HB_NEITHER, HB_KIND_COUNT, TOUCH_VM },
	{ "thp_fault_fallback_touch", "events", HB_NEITHER, HB_KIND_COUNT, TOUCH_VM },
	{ "compact_stall_touch", "events", HB_NEITHER, HB_KIND_COUNT, TOUCH_VM },
	{ "compact_success_touch", "events", HB_NEITHER, HB_KIND_COUNT, TOUCH_VM },
	{ "compact_fail_touch", "events", HB_NEITHER, HB_KIND_COUNT, TOUCH_VM },
	{ "thp_collapse_alloc_repair", "events", HB_NEITHER, HB_KIND_COUNT, REPAIR_VM },
	{ "thp_collapse_alloc_failed_repair", "events", HB_NEITHER, HB_KIND_COUNT, REPAIR_VM },
	{ "compact_stall_repair", "events", HB_NEITHER, HB_KIND_COUNT, REPAIR_VM },
	{ "collapse_ms", "ms", HB_LOWER, HB_KIND_TIME,
	  "repair=collapse: madvise(MADV_COLLAPSE) over the whole region" },
	{ "collapse_result", "", HB_NEITHER, HB_KIND_AUTO,
	  "repair=collapse: what MADV_COLLAPSE returned (ok or the errno name)" },
	{ "huge_coverage_pct_after_collapse", "%", HB_HIGHER, HB_KIND_SHARE,
	  "repair=collapse: PMD-mapped share of the region right after it" },
	{ "huge_coverage_pct_after_watch", "%", HB_HIGHER, HB_KIND_SHARE,
	  "PMD-mapped share of the region after the watch" },
	{ "repair_s", "s", HB_LOWER, HB_KIND_TIME,
	  "time into the watch of the last rise of coverage (sampled every 1 s; 0: it never "
	  "rose)" },
	{ "watch_samples", "samples", HB_NEITHER, HB_KIND_COUNT, "coverage samples of the watch" },
	{ "fault_p99_us_fresh", "us", HB_LOWER, HB_KIND_TIME, "fault_p99_us " FRESH },
	{ "fault_max_us_fresh", "us", HB_LOWER, HB_KIND_TIME, "fault_max_us " FRESH },
	{ "huge_coverage_pct_fresh", "%", HB_HIGHER, HB_KIND_SHARE, "huge_coverage_pct " FRESH },
	{ NULL },
};

static const struct hb_headline defrag_headlines[] = {
	{ "fault_p50_us", "THP first touch per 2 MiB, median", "us", HB_LOWER, HB_KIND_TIME },
	{ "fault_p99_us", "THP first touch per 2 MiB, p99", "us", HB_LOWER, HB_KIND_TIME },
	{ "fault_max_us", "THP first touch per 2 MiB, max", "us", HB_LOWER, HB_KIND_TIME },
	{ "fallback_fault_p50_us", "fallen-back extent, median", "us", HB_LOWER, HB_KIND_TIME },
	{ "fault_4k_baseline_us", "4 KiB baseline per 2 MiB, median", "us", HB_NEITHER,
	  HB_KIND_TIME },
	{ "huge_coverage_pct", "huge coverage after the touch", "%", HB_HIGHER, HB_KIND_SHARE },
	{ "huge_coverage_pct_after_watch", "huge coverage after the watch", "%", HB_HIGHER,
	  HB_KIND_SHARE },
	{ "compact_stall_touch", "compaction stalls in the touch", "events", HB_NEITHER,
	  HB_KIND_COUNT },
	{ "thp_fault_fallback_touch", "THP fallbacks in the touch", "events", HB_NEITHER,
	  HB_KIND_COUNT },
	{ "collapse_ms", "MADV_COLLAPSE time", "ms", HB_LOWER, HB_KIND_TIME },
	{ "repair_s", "time until coverage stopped rising", "s", HB_LOWER, HB_KIND_TIME },
	{ NULL },
};

#define TRUST "Fallen-back extents carry no 2 MiB host cost (in a VM the host's faults " \
	      "dominate a huge extent): read them against the 4 KiB baseline; the excess is " \
	      "compaction."

static const char *const coverage_phases[] = { "madv_collapse", "watch", NULL };

static const struct hb_chart_def defrag_charts[] = {
	{ .kind = HB_CHART_BARS, .name = "defrag_fault_p99", .metric = "fault_p99_us",
	  .title = "defrag: THP first-touch p99 per 2 MiB extent, per defrag mode and age",
	  .ylabel = "us per 2 MiB extent (median, min-max over reps, log)", .logy = 1,
	  .caption = "A group per parameter set (defrag mode, age: fresh is age=0). " TRUST },
	{ .kind = HB_CHART_BARS, .name = "defrag_fault_p50", .metric = "fault_p50_us",
	  .title = "defrag: THP first-touch median per 2 MiB extent, per defrag mode and age",
	  .ylabel = "us per 2 MiB extent (median, min-max over reps, log)", .logy = 1,
	  .caption = "The typical extent. " TRUST },
	{ .kind = HB_CHART_BARS, .name = "defrag_fault_max", .metric = "fault_max_us",
	  .title = "defrag: slowest THP first touch of a 2 MiB extent, per defrag mode and age",
	  .ylabel = "us (median, min-max over reps, log)", .logy = 1,
	  .caption = "One extent per cell: the noisiest figure; trust p99 over it." },
	{ .kind = HB_CHART_BARS, .name = "defrag_fallback_p50", .metric = "fallback_fault_p50_us",
	  .title = "defrag: fallen-back extents (4 KiB pages after a failed THP attempt), median",
	  .ylabel = "us per 2 MiB extent (median, min-max over reps, log)", .logy = 1,
	  .caption = "The figure that shows compaction most cleanly: compare it with the next "
		     "chart's 4 KiB baseline of the same cells." },
	{ .kind = HB_CHART_BARS, .name = "defrag_baseline", .metric = "fault_4k_baseline_us",
	  .title = "defrag: 4 KiB baseline, first touch of 2 MiB as 512 pages, median",
	  .ylabel = "us per 2 MiB (median, min-max over reps, log)", .logy = 1,
	  .caption = "Taken in each cell just before its touch (MADV_NOHUGEPAGE): what the "
		     "extent costs with no THP and no compaction." },
	{ .kind = HB_CHART_OVERLAY, .name = "defrag_coverage", .metric = "huge_coverage_pct",
	  .title = "defrag: huge-page coverage of the region after the touch",
	  .xlabel = "seconds after the touch", .ylabel = "PMD-mapped share of the region (%)",
	  .phases = coverage_phases,
	  .caption = "One line per cell (repair mode, defrag mode, age), first repetition: "
		     "collapse jumps at once, khugepaged climbs at its scan rate, none stays." },
	{ 0 },
};

static const struct hb_claim defrag_claims[] = {
	/* Not against the 4 KiB baseline: in a VM a fresh machine's huge faults already cost the
	 * host's 2 MiB fault (DESIGN.md fact 5), several times the baseline with no compaction at
	 * all. The same cell at age=0 pays that too, so what the aged one adds is the stall: a
	 * difference, since "milliseconds" is a size, not a factor. On the p99, not the maximum:
	 * one extent per cell decides a maximum, the noisiest figure. */
	{ .text = "synchronous defrag stalls faults for milliseconds", .metric = "fault_p99_us",
	  .vs_metric = "fault_p99_us_fresh", .backings = "thp thp-always", .diff = 1,
	  .lo = 1000, .hi = HB_UNBOUNDED, .sets = aged_always_sets, .vs_sets = fresh_always_sets,
	  .needs = "defrag with -p defrag=always both at age=0 and aged (-p age=...): the aged "
		   "machine's p99 fault at least 1 ms (1000 us) longer than the fresh one's" },
	/* "Hides": a fresh machine's p99 understates the aged one's by more than the p99's own
	 * noise between repetitions (a few %), by at least a fifth. */
	{ .text = "benchmarks on a fresh machine hide it", .metric = "fault_p99_us",
	  .vs_metric = "fault_p99_us_fresh", .backings = "thp thp-always", .lo = 1.25,
	  .hi = HB_UNBOUNDED, .sets = aged_always_sets, .vs_sets = fresh_always_sets,
	  .needs = "defrag with -p defrag=always both at age=0 and aged: the aged p99 at least "
		   "1.25x the fresh one (a fresh benchmark understates it by a fifth or more)" },
	{ NULL },
};

const struct hb_outputs hb_defrag_outputs = {
	.metrics = defrag_metrics,
	.headlines = defrag_headlines,
	.charts = defrag_charts,
	.claims = defrag_claims,
};
