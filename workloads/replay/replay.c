/*
 * replay: a trace `hugebench record` wrote (workloads/replay/replay.md), replayed in the cell
 * under the allocator asked for: every allocation, free and realloc in the recorded order, on
 * as many threads as were recorded, forks as a copy-on-write child held for the recorded time,
 * the program's own anonymous mappings; then the memory figures churn reports after its drain,
 * at each mark the program made and at the end of the trace.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ctx.h"
#include "params.h"
#include "replay.h"
#include "trace.h"
#include "workload.h"

static const struct hb_choice touch_choices[] = {
	{ "whole", "every byte of every block is written, as a program that fills what it "
		   "allocates" },
	{ "first", "the first byte of every block only" },
	{ "none", "nothing beyond what the allocator itself writes" },
	{ NULL, NULL },
};

static const struct hb_choice pace_choices[] = {
	{ "fast", "as fast as it goes (pauses of idle_gaps or more are still waited out)" },
	{ "recorded", "every record at its recorded time from the start" },
	{ NULL, NULL },
};

#define P(f) .offset = offsetof(struct replay_params, f)
static const struct hb_param replay_params_table[] = {
	{ .name = "trace", .type = HB_PT_STRING, P(trace),
	  .def = HB_SRCDIR "/tests/fixtures/allocprog.trace",
	  .help = "the trace `hugebench record` wrote; default: the source tree's example (a "
		  "small test program's, 40 records)" },
	{ .name = "allocator", .type = HB_PT_STRING, P(allocator), .def = "glibc",
	  .role = &hb_role_allocator,
	  .help = "the allocator that replays, as churn's: glibc, jemalloc, tcmalloc, mimalloc, "
		  "or a preset (jemalloc+redis: as redis-server 7 sets jemalloc up)" },
	{ .name = "allocator_conf", .type = HB_PT_STRING, P(allocator_conf), .def = "",
	  .role = &hb_role_allocator_conf, .help = "passed through, as churn's" },
	{ .name = "touch", .type = HB_PT_ENUM, P(touch), .def = "whole", .choices = touch_choices,
	  .help = "what of each allocated block the replay writes" },
	{ .name = "pace", .type = HB_PT_ENUM, P(pace), .def = "fast", .choices = pace_choices,
	  .help = "how fast the records are replayed" },
	{ .name = "idle_gaps", .type = HB_PT_DURATION, P(idle_gaps), .def = "50ms", .min = "0",
	  .max = "60m",
	  .help = "pace=fast: a recorded pause at least this long is waited out in full (the "
		  "allocator's timed purging happens in such pauses); 0: none is" },
	{ .name = "memory", .type = HB_PT_SIZE, P(memory), .def = "2G", .min = "1M", .max = "1T",
	  .help = "the most the replay holds, for the fit check (hugebench trace FILE gives the "
		  "trace's peak of live bytes)" },
	HB_PARAM_END,
};
#undef P

static int replay_validate(const void *params, char *err, size_t len)
{
	const struct replay_params *p = params;
	struct hb_trace t;
	char why[512];

	if (!p->trace[0]) {
		snprintf(err, len, "parameter 'trace': empty: a trace from hugebench record "
			 "(-p trace=FILE)");
		return -EINVAL;
	}
	if (hb_trace_open(p->trace, &t, why, sizeof(why))) {
		snprintf(err, len, "parameter 'trace': %s", why);
		return -EINVAL;
	}
	hb_trace_close(&t);
	return 0;
}

static uint64_t replay_memory_needed(const void *params)
{
	return ((const struct replay_params *)params)->memory;
}

static int replay_setup(struct hb_ctx *ctx, const void *params, void **state)
{
	static int none;

	*state = &none;
	return replay_trace(ctx, params);
}

static int replay_run(struct hb_ctx *ctx, const void *params, void *state)
{
	(void)ctx, (void)params, (void)state;
	return 0;
}

#define WHEN "; <when>: mark<N> (the program's hb_record_mark(N)), after_drain (the end of " \
	     "the trace: after the drain of a fill/drain/idle recording)"

static const struct hb_metric_def replay_metrics[] = {
	{ "allocator_version", "", HB_NEITHER, HB_KIND_AUTO,
	  "the malloc the process really has (found with dlsym), and its version" },
	{ "replay_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the replay phase (in setup)" },
	{ "replay_events", "events", HB_NEITHER, HB_KIND_COUNT, "records replayed" },
	{ "ops_per_sec_replay", "ops/s", HB_HIGHER, HB_KIND_RATE,
	  "allocations and frees per second of replay, pauses waited out left out" },
	{ "replay_threads", "threads", HB_NEITHER, HB_KIND_COUNT, "threads that replayed" },
	{ "replay_forks", "forks", HB_NEITHER, HB_KIND_COUNT,
	  "copy-on-write children forked and held for their recorded time" },
	{ "replay_unmatched", "events", HB_NEITHER, HB_KIND_COUNT,
	  "frees and reallocs of blocks the trace never saw begin (left alone)" },
	{ "replay_waited_ms", "ms", HB_NEITHER, HB_KIND_TIME,
	  "time spent waiting out recorded pauses (idle_gaps, pace=recorded)" },
	{ "replay_map_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the replay's own address map, resident: left out of rss_kib_<when> and "
	  "charged_kib_<when>" },
	{ "recorded_peak_live_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the peak of live heap bytes the trace holds" },
	{ "live_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "live heap bytes of the trace" WHEN },
	{ "rss_kib_<when>", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "Rss + *_Hugetlb (smaps_rollup) less the replay's address map" WHEN },
	{ "anon_huge_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "AnonHugePages (smaps_rollup)" WHEN },
	{ "huge_pct_<when>", "%", HB_NEITHER, HB_KIND_MEMORY,
	  "AnonHugePages over Rss: how much of the heap PMD-sized THPs back" WHEN },
	{ "charged_kib_<when>", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "the cell's memory cgroup less the replay's address map" WHEN },
	{ "jemalloc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the allocator's own statistic (as churn's)" WHEN },
	{ "tcmalloc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the allocator's own statistic (as churn's)" WHEN },
	{ "mimalloc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the allocator's own statistic (as churn's)" WHEN },
	{ "glibc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the allocator's own statistic (as churn's)" WHEN },
	{ "frag_ratio_after_drain", "", HB_LOWER, HB_KIND_MEMORY,
	  "rss / live at the end of the trace, as churn's and Redis's mem_fragmentation_ratio" },
	{ "charged_ratio_after_drain", "", HB_LOWER, HB_KIND_MEMORY,
	  "charged / live at the end of the trace" },
	{ NULL },
};

static const struct hb_headline replay_headlines[] = {
	{ "rss_kib_after_drain", "Rss at the end", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "charged_kib_after_drain", "charged at the end", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "frag_ratio_after_drain", "Rss / live at the end", "ratio", HB_LOWER, HB_KIND_MEMORY },
	{ "ops_per_sec_replay", "replay rate", "ops/s", HB_HIGHER, HB_KIND_RATE },
	{ NULL },
};

static const struct hb_phase_colour replay_shades[] = {
	{ "replay", "#dbe9f6" }, { NULL, NULL },
};

static const struct hb_chart_def replay_charts[] = {
	{ .kind = HB_CHART_SERIES, .name = "replay_memory",
	  .title = "replay: memory while the trace is replayed",
	  .xlabel = "time (s)", .ylabel = "memory (MiB)", .shades = replay_shades,
	  .lines = { { "live_bytes", 1048576, "live (trace)", "lc rgb '#000000' lw 2" },
		     { "rss_kib", 1024, "Rss", "ls 1" },
		     { "charged_kib", 1024, "charged (cgroup)", "ls 2 dt 2" },
		     { "anon_huge_kib", 1024, "AnonHugePages", "ls 3 dt 3" } },
	  .caption = "First repetition of each cell. The live line is the recorded program's "
		     "heap; Rss and charged are what the allocator and the backing made of it "
		     "(the replay's own address map included here, left out of the rows)." },
	{ .kind = HB_CHART_BARS, .name = "replay_charged", .metric = "charged_kib_after_drain",
	  .title = "replay: charged memory at the end of the trace",
	  .ylabel = "KiB (median, min-max over reps)",
	  .caption = "What the machine did not get back from the replayed program's heap." },
	{ 0 },
};

static const struct hb_claim replay_claims[] = {
	{ .text = "jemalloc + THP keeps memory the process freed (a recorded program's heap)",
	  .metric = "charged_kib_after_drain", .vs_metric = "rss_kib_after_drain",
	  .backings = "thp-always", .lo = 1.10, .hi = HB_UNBOUNDED,
	  .needs = "replay under thp-always" },
	{ NULL },
};

static const struct hb_outputs replay_outputs = {
	.metrics = replay_metrics,
	.headlines = replay_headlines,
	.charts = replay_charts,
	.claims = replay_claims,
};

static const struct hb_workload_needs replay_needs = {
	.memory_needed = replay_memory_needed,
	.process_memory = 1,
};

static const struct hb_workload_report replay_report = {
	.outputs = &replay_outputs,
};

const struct hb_workload hb_workload_replay = {
	.name = "replay",
	.summary = "a recorded program's allocations (hugebench record) replayed under an "
		   "allocator",
	.params = replay_params_table,
	.params_size = sizeof(struct replay_params),
	.validate = replay_validate,
	.setup = replay_setup,
	.run = replay_run,
	.needs = &replay_needs,
	.report = &replay_report,
};
