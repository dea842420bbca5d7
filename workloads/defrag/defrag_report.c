/*
 * What the report shows of defrag: its headline figures, its charts, the two folklore claims
 * about defrag stalls, and the cross-cell figures those need (an aged cell's fresh twin).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "defrag.h"
#include "workload.h"

extern const struct hb_workload hb_workload_defrag;

static int set_num(const char *set, const char *name, double *v)
{
	const struct hb_workload *w = &hb_workload_defrag;

	return hb_set_num(w->params, w->params_size, set, name, v);
}

/* The sets a claim about synchronous compaction can decide: defrag=always on an aged machine. */
static size_t aged_always_sets(const char *const *sets, size_t n, const char **out, size_t max)
{
	const struct hb_workload *w = &hb_workload_defrag;
	size_t k = 0;

	for (size_t i = 0; i < n && k < max; i++) {
		char mode[32];
		double age;

		if (!set_num(sets[i], "age", &age) && age > 0 &&
		    !hb_set_value(w->params, w->params_size, sets[i], "defrag", mode,
				  sizeof(mode)) &&
		    !strcmp(mode, "always"))
			out[k++] = sets[i];
	}
	return k;
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
	 * all. The same cell at age=0 pays that too, so what the aged one adds is the stall. */
	{ .text = "synchronous defrag stalls faults for milliseconds", .metric = "fault_max_us",
	  .vs_metric = "fault_max_us_fresh", .backings = "thp thp-always", .lo = 2,
	  .hi = HB_UNBOUNDED, .sets = aged_always_sets,
	  .needs = "defrag with -p defrag=always both at age=0 and aged (-p age=...): the aged "
		   "machine's worst fault at least 2x the fresh one's" },
	{ .text = "benchmarks on a fresh machine hide it", .metric = "fault_p99_us",
	  .vs_metric = "fault_p99_us_fresh", .backings = "thp thp-always", .lo = 2,
	  .hi = HB_UNBOUNDED, .sets = aged_always_sets,
	  .needs = "defrag with -p defrag=always both at age=0 and aged: the aged p99 at least "
		   "2x the fresh one" },
	{ NULL },
};

const struct hb_outputs hb_defrag_outputs = {
	.headlines = defrag_headlines,
	.charts = defrag_charts,
	.claims = defrag_claims,
};
