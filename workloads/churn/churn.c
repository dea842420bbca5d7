/*
 * churn: a Redis-like in-process key-value store (kvstore.c) that fills, churns at a
 * constant live size, drains most of its keys at random, idles, and refills, with the
 * allocator under test preloaded into the cell's child. It shows how much memory a churning
 * cache really holds after a wave of deletes, in the process's view (Rss) and in the
 * charged view (the cell's memory cgroup), which also sees huge pages parked on the kernel's
 * deferred-split queue.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctx.h"
#include "churn.h"
#include "workload.h"

static const struct hb_choice limit_at_choices[] = {
	{ "idle", "the limit holds for the idle phase after the drain" },
	{ "start", "the limit holds for the whole cell, fill included" },
	{ NULL, NULL },
};
static const struct hb_choice keep01_choices[] = {
	{ "keep", "leave the machine's setting" }, { "0", "off" }, { "1", "on" }, { NULL, NULL },
};

#define P(f) .offset = offsetof(struct churn_params, f)
static const struct hb_param churn_params_table[] = {
	{ .name = "allocator", .type = HB_PT_STRING, P(allocator), .def = "glibc",
	  .role = &hb_role_allocator,
	  .help = "glibc, jemalloc, tcmalloc, mimalloc, or a preset with its conf: glibc+thp, "
		  "glibc+hugetlb, jemalloc+thp, jemalloc+nothp, jemalloc+decay0, jemalloc+redis "
		  "(as redis-server 7 sets it up), mimalloc+thp" },
	{ .name = "allocator_conf", .type = HB_PT_STRING, P(allocator_conf), .def = "",
	  .role = &hb_role_allocator_conf,
	  .help = "passed through: MALLOC_CONF (jemalloc, e.g. dirty_decay_ms:0,muzzy_decay_ms:0), "
		  "GLIBC_TUNABLES (glibc, e.g. glibc.malloc.hugetlb=1), NAME=VALUE,... variables "
		  "(mimalloc MIMALLOC_*, tcmalloc TCMALLOC_*)" },
	{ .name = "keys", .type = HB_PT_UINT, P(keys), .def = "1000000", .min = "1",
	  .max = "1000000000", .unit = "keys", .help = "live keys at full size" },
	{ .name = "key_size", .type = HB_PT_UINT, P(key_size), .def = "16", .min = "8",
	  .max = "512", .unit = "B", .help = "bytes per key" },
	{ .name = "value_size", .type = HB_PT_STRING, P(value_size), .def = "uniform:64-1900",
	  .help = "bytes per value: N (fixed), fixed:N, uniform:MIN-MAX, lognormal:MEDIAN,SIGMA "
		  "(at most 1M)" },
	{ .name = "get_pct", .type = HB_PT_UINT, P(get_pct), .def = "50", .min = "0",
	  .max = "100", .unit = "%", .help = "GETs in the churn mix, %" },
	{ .name = "set_pct", .type = HB_PT_UINT, P(set_pct), .def = "25", .min = "0",
	  .max = "100", .unit = "%",
	  .help = "SETs in the churn mix, %: a new key while under `keys`, else a new value for a "
		  "random live key" },
	{ .name = "del_pct", .type = HB_PT_UINT, P(del_pct), .def = "25", .min = "0",
	  .max = "100", .unit = "%", .help = "DELs of a random live key in the churn mix, %" },
	{ .name = "ops_rate", .type = HB_PT_UINT, P(ops_rate), .def = "0", .min = "0",
	  .max = "1000000000", .unit = "ops/s",
	  .help = "churn operations per second; 0: as fast as it can" },
	{ .name = "churn_time", .type = HB_PT_DURATION, P(churn_time), .def = "5s", .min = "0",
	  .max = "60m", .help = "length of the churn phase" },
	{ .name = "drain_pct", .type = HB_PT_UINT, P(drain_pct), .def = "90", .min = "0",
	  .max = "100", .unit = "%",
	  .help = "share of the keys deleted in the drain, chosen at random" },
	{ .name = "idle", .type = HB_PT_DURATION, P(idle), .def = "15s", .min = "0",
	  .max = "60m", .help = "wait after the drain so allocators can purge" },
	{ .name = "refill", .type = HB_PT_BOOL, P(refill), .def = "1",
	  .help = "1: refill to `keys` after idle" },
	{ .name = "timing", .type = HB_PT_STRING, P(timing), .def = "sample:16",
	  .help = "per-op latency of the churn phase: off, all, or sample:N (every Nth op)" },
	{ .name = "limit", .type = HB_PT_SIZE, P(limit), .def = "0", .min = "0", .max = "16T",
	  .help = "memory limit of the cell's cgroup (0: none)" },
	{ .name = "limit_at", .type = HB_PT_ENUM, P(limit_at), .def = "idle",
	  .choices = limit_at_choices, .help = "when the limit applies" },
	{ .name = "max_ptes_none", .type = HB_PT_STRING, P(max_ptes_none), .def = "keep",
	  .role = &hb_role_knob, .knob = "khugepaged/max_ptes_none", .keep = "keep",
	  .help = "khugepaged/max_ptes_none for the cell: keep, or 0-511" },
	{ .name = "shrink_underused", .type = HB_PT_ENUM, P(shrink_underused), .def = "keep",
	  .choices = keep01_choices, .role = &hb_role_knob, .knob = "thp/shrink_underused",
	  .keep = "keep",
	  .help = "transparent_hugepage/shrink_underused for the cell (Linux 6.12+)" },
	{ .name = "prefetch", .type = HB_PT_BOOL, P(prefetch), .def = "1",
	  .help = "1: the churn loop prefetches the next operations' buckets and entries (as "
		  "Redis 8's batch prefetching); 0: every operation waits for its own misses (as "
		  "Redis 7)" },
	{ .name = "verify", .type = HB_PT_BOOL, P(verify), .def = "0",
	  .help = "1: at the end, check every live key is found with its value (slow)" },
	HB_PARAM_END,
};
#undef P

int churn_parse_timing(const char *s, uint64_t *every)
{
	char *end;

	if (!strcmp(s, "off"))
		*every = 0;
	else if (!strcmp(s, "all"))
		*every = 1;
	else if (!strncmp(s, "sample:", 7) && (*every = strtoull(s + 7, &end, 10)) >= 1 && !*end)
		return 0;
	else
		return -EINVAL;
	return 0;
}

static int churn_validate(const void *p, char *err, size_t len)
{
	const struct churn_params *c = p;
	struct hb_value_dist d;
	uint64_t every;

	if (c->get_pct + c->set_pct + c->del_pct != 100) {
		snprintf(err, len, "parameters 'get_pct', 'set_pct', 'del_pct' must sum to 100 "
			 "(they sum to %llu)",
			 (unsigned long long)(c->get_pct + c->set_pct + c->del_pct));
		return -EINVAL;
	}
	if (c->del_pct > c->set_pct) {
		snprintf(err, len, "parameter 'del_pct' (%llu) must be at most 'set_pct' (%llu): "
			 "the churn phase keeps the live size constant",
			 (unsigned long long)c->del_pct, (unsigned long long)c->set_pct);
		return -EINVAL;
	}
	if (hb_value_dist_parse(c->value_size, &d)) {
		snprintf(err, len, "parameter 'value_size': '%s' does not parse; accepted: N, "
			 "fixed:N, uniform:MIN-MAX, lognormal:MEDIAN,SIGMA (sizes 1 to %u, sigma "
			 "0 to 4)", c->value_size, HB_VALUE_MAX);
		return -EINVAL;
	}
	if (churn_parse_timing(c->timing, &every)) {
		snprintf(err, len, "parameter 'timing': '%s'; accepted: off, all, sample:N "
			 "(N >= 1)", c->timing);
		return -EINVAL;
	}
	return 0;
}

/* Entry with its key, value, and the allocator's headers; the table; the id list. */
static uint64_t churn_memory_needed(const void *p)
{
	const struct churn_params *c = p;
	struct hb_value_dist d;

	if (hb_value_dist_parse(c->value_size, &d))
		return 0;
	return (uint64_t)((double)c->keys *
			  (hb_value_dist_mean(&d) + (double)c->key_size + 40 + 32 + 8 + 24) * 1.25) +
	       2 * HB_VALUE_MAX;
}

#include "churn_report.h" /* the report hooks */

#define WHEN "; <when>: full (after churn), after_drain (end of idle), after_refill (refill=1)"
#define ALLOC_STAT "the allocator's own statistic <stat> at <when> (what churn.md lists)"

/* Every row churn writes (the harness's own rows besides). */
static const struct hb_metric_def churn_metrics[] = {
	{ "allocator_version", "", HB_NEITHER, HB_KIND_AUTO,
	  "the malloc the process really has (found with dlsym), and its version" },
	{ "fill_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the fill phase (in setup): SETs of keys" },
	{ "churn_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the churn phase: churn_time of the mix" },
	{ "drain_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the drain phase: DELs of drain_pct" },
	{ "idle_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the idle phase (with limit: the limit)" },
	{ "refill_ms", "ms", HB_NEITHER, HB_KIND_TIME, "refill=1: the refill phase" },
	{ "ops_per_sec_fill", "ops/s", HB_HIGHER, HB_KIND_RATE, "SETs of new keys in fill" },
	{ "ops_per_sec_churn", "ops/s", HB_HIGHER, HB_KIND_RATE,
	  "the GET/SET/DEL mix of the churn phase, with the per-op timing `timing` asks for" },
	{ "ops_per_sec_drain", "ops/s", HB_HIGHER, HB_KIND_RATE, "DELs of random live keys" },
	{ "ops_per_sec_refill", "ops/s", HB_HIGHER, HB_KIND_RATE, "refill=1: SETs of new keys" },
	{ "op_count", "ops", HB_NEITHER, HB_KIND_COUNT, "churn operations timed" },
	{ "op_p50_us", "us", HB_LOWER, HB_KIND_TIME, "median latency of a timed churn operation" },
	{ "op_<pct>_us", "us", HB_LOWER, HB_KIND_TAIL,
	  "latency of a timed churn operation; <pct>: p90, p99, p999, max (a tail: p99 is the headline)" },
	{ "get_count", "ops", HB_NEITHER, HB_KIND_COUNT, "GETs timed" },
	{ "get_<pct>_us", "us", HB_LOWER, HB_KIND_TIME, "latency of a timed GET" },
	{ "set_count", "ops", HB_NEITHER, HB_KIND_COUNT, "SETs timed" },
	{ "set_<pct>_us", "us", HB_LOWER, HB_KIND_TIME, "latency of a timed SET" },
	{ "del_count", "ops", HB_NEITHER, HB_KIND_COUNT, "DELs timed" },
	{ "del_<pct>_us", "us", HB_LOWER, HB_KIND_TIME, "latency of a timed DEL" },
	{ "charged_kib_before_limit", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "limit_at=idle: charged when the limit was set" },
	{ "charged_kib_under_limit", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "limit: charged at the end of idle, with the limit on" },
	{ "live_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the store's key + value bytes (like Redis used_memory's data)" WHEN },
	{ "rss_kib_<when>", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "Rss + *_Hugetlb (smaps_rollup)" WHEN },
	{ "anon_huge_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "AnonHugePages (smaps_rollup)" WHEN },
	{ "charged_kib_<when>", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "the cell's memory cgroup" WHEN },
	{ "jemalloc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  ALLOC_STAT "; <stat>: resident, active, allocated, mapped, retained (mallctl stats.*)" },
	{ "tcmalloc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  ALLOC_STAT "; <stat>: allocated, heap, pageheap_free, pageheap_unmapped" },
	{ "mimalloc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  ALLOC_STAT "; <stat>: commit, rss (mi_process_info)" },
	{ "glibc_<stat>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  ALLOC_STAT "; <stat>: system, allocated, free (mallinfo2)" },
	{ "frag_ratio_after_drain", "", HB_LOWER, HB_KIND_MEMORY,
	  "rss / live after the drain, as Redis's mem_fragmentation_ratio" },
	{ "charged_ratio_after_drain", "", HB_LOWER, HB_KIND_MEMORY,
	  "charged / live after the drain" },
	{ "thp_deferred_split_page_after_drain", "events", HB_NEITHER, HB_KIND_COUNT,
	  HB_SOURCE_VMSTAT " delta from the drain to the end of idle (machine-wide)" },
	{ "limit_write_ms", "ms", HB_NEITHER, HB_KIND_TIME,
	  "limit_at=idle: the limit write itself (v1 reclaims inside it)" },
	{ "reclaim_ms", "ms", HB_LOWER, HB_KIND_TIME,
	  "limit_at=idle: from setting the limit until charged was under it" },
	{ "limit_refused", "", HB_NEITHER, HB_KIND_COUNT, "1: setting the limit failed (why)" },
	{ "oom_killed", "", HB_NEITHER, HB_KIND_COUNT,
	  "limit: 0 when the cell lived through its limit (1 from the harness if not)" },
	{ "memory_failcnt", "events", HB_NEITHER, HB_KIND_COUNT,
	  "limit: times the cell's memory cgroup hit its limit" },
	{ "verify_missing_keys", "keys", HB_NEITHER, HB_KIND_COUNT,
	  "verify=1: live keys not found" },
	{ "verify_bad_values", "keys", HB_NEITHER, HB_KIND_COUNT,
	  "verify=1: keys found with a wrong value" },
	{ "verify_count_diff", "keys", HB_NEITHER, HB_KIND_COUNT,
	  "verify=1: entries in the store minus live keys" },
	{ "verify_live_bytes_diff", "B", HB_NEITHER, HB_KIND_COUNT,
	  "verify=1: the store's live_bytes minus the sum of live key + value sizes" },
	{ NULL },
};

/* What the report shows of churn, and the claim it decides; hooks in churn_report.c. */
static const struct hb_headline churn_headlines[] = {
	{ "ops_per_sec_churn", "throughput", "ops/s", HB_HIGHER, HB_KIND_RATE },
	{ "op_p99_us", "op p99 latency", "us", HB_LOWER, HB_KIND_TAIL },
	{ "rss_kib_after_drain", "Rss after drain", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "charged_kib_after_drain", "charged after drain", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "frag_ratio_after_drain", "Rss / live after drain", "ratio", HB_LOWER, HB_KIND_MEMORY },
	{ NULL },
};

static const struct hb_phase_colour churn_shades[] = {
	{ "fill", "#dbe9f6" }, { "churn", "#fbe3d6" }, { "drain", "#f6f0c8" },
	{ "idle", "#e4f1dc" }, { "refill", "#e8def0" }, { NULL, NULL },
};

static const struct hb_chart_def churn_charts[] = {
	{ .kind = HB_CHART_SERIES, .name = "churn_memory",
	  .title = "churn: memory through fill / churn / drain / idle / refill",
	  .xlabel = "time (s)", .ylabel = "memory (MiB)", .shades = churn_shades,
	  .lines = { { "live_bytes", 1048576, "live (store)", "lc rgb '#000000' lw 2" },
		     { "rss_kib", 1024, "Rss", "ls 1" },
		     { "charged_kib", 1024, "charged (cgroup)", "ls 2 dt 2" },
		     { "anon_huge_kib", 1024, "AnonHugePages", "ls 3 dt 3" } },
	  .caption = "First repetition of each cell, sampled every series interval. A charged "
		     "line far above Rss after the drain is memory the process gave back but the "
		     "machine did not get (huge pages parked on the deferred-split queue)." },
	{ .kind = HB_CHART_BARS, .name = "churn_ops", .metric = "ops_per_sec_churn",
	  .title = "churn: operations per second in the churn phase",
	  .ylabel = "ops/s (median, min-max over reps)",
	  .caption = "Throughput of the store under each allocator and backing; higher is "
		     "better." },
	{ .kind = HB_CHART_BARS, .name = "churn_p99", .metric = "op_p99_us",
	  .title = "churn: p99 operation latency", .ylabel = "p99 latency (us)",
	  .caption = "99th percentile of one operation in the churn phase; lower is better." },
	{ 0 },
};

static const struct hb_claim churn_claims[] = {
	{ .text = "jemalloc + THP keeps memory the process freed",
	  .metric = "charged_kib_after_drain", .vs_metric = "rss_kib_after_drain",
	  .backings = "thp-always", .lo = 1.10, .hi = HB_UNBOUNDED,
	  .sets = hb_churn_jemalloc_sets,
	  .needs = "churn with a jemalloc allocator under thp-always" },
	{ NULL },
};

/* What advise weighs: a Redis-like store's throughput, tail and the memory charged after frees. */
static const struct hb_advice_rule churn_advice[] = {
	{ .metric = "ops_per_sec_churn", .label = "store throughput", .better = HB_HIGHER,
	  .priorities = HB_PRIO_THROUGHPUT,
	  .measure = "hugebench run churn -b 4k,thp,thp-always -p keys=100000 -p churn_time=2s "
		     "--reps 7" },
	{ .metric = "op_p99_us", .label = "operation p99", .better = HB_LOWER,
	  .priorities = HB_PRIO_LATENCY,
	  .measure = "hugebench run churn -b 4k,thp,thp-always -p keys=100000 -p churn_time=2s "
		     "--reps 7" },
	{ .metric = "charged_kib_after_drain", .label = "charged memory after frees",
	  .better = HB_LOWER, .priorities = HB_PRIO_MEMORY, .footprint = 1,
	  .measure = "hugebench run churn -b 4k,thp,thp-always -p keys=100000 --reps 3" },
	{ NULL },
};

static const struct hb_outputs churn_outputs = {
	.metrics = churn_metrics,
	.headlines = churn_headlines,
	.label = hb_churn_label,
	.charts = churn_charts,
	.claims = churn_claims,
	.advice = churn_advice,
};

static const struct hb_workload_needs churn_needs = {
	.memory_needed = churn_memory_needed,
	.process_memory = 1,
};

static const struct hb_workload_report churn_report = {
	.outputs = &churn_outputs,
};

const struct hb_workload hb_workload_churn = {
	.name = "churn",
	.summary = "Redis-like key-value store: fill, churn, drain, idle, refill, under an "
		   "allocator",
	.params = churn_params_table,
	.params_size = sizeof(struct churn_params),
	.validate = churn_validate,
	.setup = churn_setup,
	.run = churn_run,
	.needs = &churn_needs,
	.report = &churn_report,
};
