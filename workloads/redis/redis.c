/*
 * redis: the real thing the simulator workloads stand for. The cell runs a real redis-server
 * (started by the harness, server.h: in the cell's memory cgroup, on a free loopback port, in
 * a temporary directory, no persistence files, --disable-thp no so that the backing's THP mode
 * reaches it) and drives it through hiredis:
 *   scenario=fork   load keys x value_size, then BGSAVE while a client keeps writing (forkcow's
 *                   figures from Redis's own INFO: latest_fork_usec, rdb_last_cow_size, ...);
 *   scenario=churn  fill, delete drain_pct of the keys at random, idle (churn's figures:
 *                   Rss, charged memory and Redis's fragmentation after the drain).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "redis.h"
#include "server.h"
#include "units.h"
#include "workload.h"

static const struct hb_choice scenario_choices[] = {
	{ "fork", "load, then BGSAVE while the client writes (forkcow's twin)" },
	{ "churn", "fill, delete drain_pct at random, idle (churn's twin)" },
	{ NULL, NULL },
};

#define P(f) .offset = offsetof(struct redis_params, f)
static const struct hb_param redis_params_table[] = {
	{ .name = "scenario", .type = HB_PT_ENUM, P(scenario), .def = "fork",
	  .choices = scenario_choices, .help = "what the cell does to the server" },
	{ .name = "keys", .type = HB_PT_UINT, P(keys), .def = "0", .min = "0",
	  .max = "1000000000", .unit = "keys",
	  .help = "keys loaded; 0: the scenario's default (fork 2000000, churn 1000000)" },
	{ .name = "key_size", .type = HB_PT_UINT, P(key_size), .def = "16", .min = "8",
	  .max = "512", .unit = "B", .help = "bytes per key" },
	{ .name = "value_size", .type = HB_PT_STRING, P(value_size), .def = "",
	  .help = "bytes per value, churn's syntax: N, fixed:N, uniform:MIN-MAX, "
		  "lognormal:MEDIAN,SIGMA (at most 1M); empty: the scenario's default (fork 500, "
		  "churn uniform:64-1900)" },
	{ .name = "pipeline", .type = HB_PT_UINT, P(pipeline), .def = "256", .min = "1",
	  .max = "65536", .unit = "commands",
	  .help = "SETs (fill) and DELs (drain) sent before reading their replies" },
	{ .name = "write_rate", .type = HB_PT_UINT, P(write_rate), .def = "0", .min = "0",
	  .max = "1000000000", .unit = "writes/s",
	  .help = "fork: the client's SETs per second (one at a time, each timed); 0: as fast as "
		  "the round trips go" },
	{ .name = "phase_time", .type = HB_PT_DURATION, P(phase_time), .def = "1s",
	  .min = "1ms", .max = "60m",
	  .help = "fork: length of the baseline and after writing phases (the snapshot phase "
		  "lasts as long as the BGSAVE)" },
	{ .name = "drain_pct", .type = HB_PT_UINT, P(drain_pct), .def = "90", .min = "0",
	  .max = "100", .unit = "%", .help = "churn: share of the keys deleted, chosen at random" },
	{ .name = "idle", .type = HB_PT_DURATION, P(idle), .def = "15s", .min = "0", .max = "60m",
	  .help = "churn: wait after the drain (Redis's and jemalloc's background purging)" },
	{ .name = "sample", .type = HB_PT_DURATION, P(sample), .def = "100ms", .min = "10ms",
	  .max = "60s", .help = "how often the series reads the server's INFO and smaps" },
	{ .name = "port", .type = HB_PT_UINT, P(port), .def = "0", .min = "0", .max = "65535",
	  .help = "0: a free loopback port found at start; else this one" },
	{ .name = "server_args", .type = HB_PT_STRING, P(server_args), .def = "",
	  .help = "more redis-server options, space-separated (\"--activedefrag yes\")" },
	{ .name = "record", .type = HB_PT_STRING, P(record), .def = "",
	  .help = "a file: the server runs under hugebench record's recorder and its allocations "
		  "go into this trace, for the replay workload; its own figures in the same cell "
		  "are those the replay is compared with (docs/record.md)" },
	HB_PARAM_END,
};
#undef P

/* The parameters with the scenario's defaults filled in. */
static void effective(const struct redis_params *in, struct redis_params *p)
{
	*p = *in;
	if (!p->keys)
		p->keys = p->scenario == REDIS_FORK ? 2000000 : 1000000;
	if (!p->value_size[0])
		p->value_size = p->scenario == REDIS_FORK ? "500" : "uniform:64-1900";
}

static int redis_validate(const void *params, char *err, size_t len)
{
	struct redis_params p;
	struct hb_value_dist d;

	effective(params, &p);
	if (hb_value_dist_parse(p.value_size, &d)) {
		snprintf(err, len, "parameter 'value_size': '%s' does not parse; accepted: N, "
			 "fixed:N, uniform:MIN-MAX, lognormal:MEDIAN,SIGMA (sizes 1 to %u, sigma "
			 "0 to 4)", p.value_size, HB_VALUE_MAX);
		return -EINVAL;
	}
	if (strlen(p.server_args) > 512 || strchr(p.server_args, '\n')) {
		snprintf(err, len, "parameter 'server_args': at most 512 characters on one line");
		return -EINVAL;
	}
	return 0;
}

/* Redis's own overhead per key (dict entry, robj, sds headers, jemalloc size classes) is about
 * 90 B; a fork's copy-on-write may duplicate the whole dataset. */
static uint64_t redis_memory_needed(const void *params)
{
	struct redis_params p;
	struct hb_value_dist d;
	double mean;

	effective(params, &p);
	if (hb_value_dist_parse(p.value_size, &d))
		return 0;
	mean = hb_value_dist_mean(&d);
	return (uint64_t)((double)p.keys * (mean + (double)p.key_size + 90) * 1.25 *
			  (p.scenario == REDIS_FORK ? 2 : 1)) + (64ull << 20);
}

static const char *redis_supported(const void *params)
{
	char path[512];

	(void)params;
#ifndef HAVE_HIREDIS
	return "built without hiredis: apt-get install libhiredis-dev";
#endif
	if (hb_server_find("redis-server", path, sizeof(path)))
		return "redis-server not installed: apt-get install redis-server";
	return NULL;
}

static const char *redis_backing_unsupported(const void *params, const char *backing)
{
	(void)params;
	if (!strncmp(backing, "hugetlb-", 8))
		return "Redis cannot use hugetlbfs (its jemalloc maps anonymous memory)";
	return NULL;
}

/* redis-server's command line; words of server_args are cut into words (kept in buf). */
static int server_argv(const struct redis_params *p, const char *port, char *buf, size_t len,
		       const char **argv, int max)
{
	static const char *const fixed[] = {
		"redis-server", "--port", NULL, "--bind", "127.0.0.1", "--protected-mode", "yes",
		"--save", "", "--appendonly", "no", "--disable-thp", "no", "--dir",
		HB_SERVER_DIR_ARG, "--daemonize", "no", "--dbfilename", "dump.rdb", NULL,
	};
	int n = 0;

	for (; n < (int)(sizeof(fixed) / sizeof(fixed[0])) - 1; n++)
		argv[n] = fixed[n] ? fixed[n] : port;
	snprintf(buf, len, "%s", p->server_args);
	for (char *save = NULL, *w = strtok_r(buf, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n == max - 1)
			return -E2BIG;
		argv[n++] = w;
	}
	argv[n] = NULL;
	return 0;
}

static void state_free(struct hb_ctx *ctx, struct redis_state *s)
{
	redis_close(s->conn);
	if (s->server)
		(void)hb_server_stop(ctx, s->server);
	free(s->vlen);
	free(s->values);
	free(s);
}

static int redis_setup(struct hb_ctx *ctx, const void *params, void **state)
{
	struct redis_params p;
	struct redis_state *s = calloc(1, sizeof(*s));
	char port[16], args[520], err[400];
	const char *argv[48];
	int portn = 0, rc;

	if (!s)
		return -ENOMEM;
	effective(params, &p);
	hb_value_dist_parse(p.value_size, &s->dist);
	s->rng = hb_seed(ctx);
	s->vlen = calloc(p.keys, sizeof(*s->vlen));
	s->values = malloc(HB_VALUE_MAX + 4096);
	rc = -ENOMEM;
	if (!s->vlen || !s->values)
		goto fail;
	for (size_t i = 0; i < HB_VALUE_MAX + 4096; i += 8) {
		uint64_t r = hb_splitmix64(&s->rng);

		memcpy(s->values + i, &r, 8);
	}
	memset(s->key, 'k', sizeof(s->key));
	portn = (int)p.port;
	if (!portn && (rc = hb_server_free_port(&portn))) {
		hb_fail_reason(ctx, "no free loopback port");
		goto fail;
	}
	snprintf(port, sizeof(port), "%d", portn);
	if ((rc = server_argv(&p, port, args, sizeof(args), argv, 48))) {
		hb_fail_reason(ctx, "too many server_args");
		goto fail;
	}
	if (p.record[0] && (rc = hb_server_record(ctx, p.record, err, sizeof(err)))) {
		hb_fail_reason(ctx, err);
		goto fail;
	}
	rc = hb_server_start(ctx, "redis", argv, &s->server, err, sizeof(err));
	if (!rc)
		rc = redis_connect(&s->conn, portn, s->server, err, sizeof(err));
	if (rc) {
		hb_fail_reason(ctx, err);
		goto fail;
	}
	if ((rc = redis_info(ctx, s)))
		goto fail;
	if (!redis_info_str(s->info, "redis_version", err, sizeof(err)))
		hb_metric_text(ctx, "redis_version", err, "INFO server");
	if (!redis_info_str(s->info, "mem_allocator", err, sizeof(err)))
		hb_metric_text(ctx, "redis_mem_allocator", err, "INFO memory");
	if (p.scenario == REDIS_FORK) {
		uint64_t t0 = hb_now_ns();

		rc = redis_fork_empty(ctx, s);
		hb_populate_exclude(ctx, hb_now_ns() - t0);
		if (rc)
			goto fail;
	}
	if ((rc = redis_fill(ctx, s, &p)))
		goto fail;
	*state = s;
	return 0;
fail:
	state_free(ctx, s);
	return rc;
}

static int redis_run(struct hb_ctx *ctx, const void *params, void *state)
{
	struct redis_params p;

	effective(params, &p);
	if (p.scenario == REDIS_FORK)
		return redis_fork_run(ctx, &p, state);
	return redis_churn_run(ctx, &p, state);
}

static void redis_teardown(struct hb_ctx *ctx, const void *params, void *state)
{
	(void)params;
	state_free(ctx, state);
}

#define FORK "scenario=fork: "
#define CHURN "scenario=churn: "
#define WHEN "; <when>: full (after the fill), after_drain (end of idle)"
#define PHASE "; <phase>: baseline, snapshot (during the BGSAVE), after"

/* Every row redis writes (the harness's own rows besides; rss_kib and the coverage after setup
 * are the server's). */
static const struct hb_metric_def redis_metrics[] = {
	{ "redis_version", "", HB_NEITHER, HB_KIND_AUTO, "the server's INFO redis_version" },
	{ "redis_mem_allocator", "", HB_NEITHER, HB_KIND_AUTO, "the server's INFO mem_allocator" },
	{ "fill_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the fill phase (in setup): pipelined SETs" },
	{ "ops_per_sec_fill", "ops/s", HB_HIGHER, HB_KIND_RATE, "pipelined SETs of new keys" },
	{ "fork_us", "us", HB_LOWER, HB_KIND_TIME, FORK "INFO latest_fork_usec" },
	{ "fork_us_empty", "us", HB_NEITHER, HB_KIND_TIME,
	  FORK "latest_fork_usec of BGSAVEs of the same server empty, before the fill: the "
	       "median of 5" },
	{ "used_memory_rss_kib_empty", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  FORK "used_memory_rss of the empty server, at its last BGSAVE" },
	{ "fork_ms_per_gib", "ms/GiB", HB_LOWER, HB_KIND_TIME,
	  FORK "(fork_us - fork_us_empty) per GiB of used_memory_rss the dataset added; signed: "
	       "below 0 when that part is less than the two forks' noise" },
	{ "dataset_huge_pct", "%", HB_NEITHER, HB_KIND_SHARE,
	  FORK "the huge-page share of what the dataset added to the server (its smaps_rollup "
	       "before the BGSAVE against the empty server's); calibrate sets forkcow's small_pct "
	       "to 100 minus it" },
	{ "copied_kib", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  FORK "INFO rdb_last_cow_size: what the save's child had to copy" },
	{ "cow_peak_kib", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  FORK "largest INFO current_cow_peak seen (unavailable for a save under ~1 s)" },
	{ "copied_kib_charged", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  FORK "largest growth of the cell's memory cgroup during the save (copies, RDB page "
	       "cache)" },
	{ "used_memory_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  FORK "INFO used_memory, before the save" },
	{ "used_memory_rss_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  FORK "INFO used_memory_rss, before the save" },
	{ "mem_fragmentation_ratio", "", HB_NEITHER, HB_KIND_MEMORY, FORK "INFO, after the save" },
	{ "bgsave_s", "s", HB_NEITHER, HB_KIND_TIME,
	  FORK "INFO rdb_last_bgsave_time_sec (whole seconds)" },
	{ "bgsave_polls", "polls", HB_NEITHER, HB_KIND_COUNT, FORK "INFO persistence readings" },
	{ "rss_kib_peak_snapshot", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  FORK "the server's largest Rss (smaps_rollup) during the save" },
	{ "baseline_ms", "ms", HB_NEITHER, HB_KIND_TIME, FORK "the baseline phase" },
	{ "during_snapshot_ms", "ms", HB_NEITHER, HB_KIND_TIME,
	  FORK "the during_snapshot phase: the BGSAVE, with SETs until it is over" },
	{ "after_ms", "ms", HB_NEITHER, HB_KIND_TIME, FORK "the after phase" },
	{ "write_p50_us_<phase>", "us", HB_LOWER, HB_KIND_TIME,
	  FORK "median of one SET round trip on loopback, every one recorded" PHASE },
	{ "write_<pct>_us_<phase>", "us", HB_LOWER, HB_KIND_TAIL,
	  FORK "one SET round trip on loopback, every one recorded; <pct>: p90, p99, p999, "
	       "p9999, max" PHASE },
	{ "writes_<phase>", "writes", HB_NEITHER, HB_KIND_COUNT, FORK "SETs made" PHASE },
	{ "writes_per_sec_<phase>", "writes/s", HB_HIGHER, HB_KIND_RATE,
	  FORK "SETs / the phase's writing time" PHASE },
	{ "drain_ms", "ms", HB_NEITHER, HB_KIND_TIME, CHURN "the drain phase" },
	{ "idle_ms", "ms", HB_NEITHER, HB_KIND_TIME, CHURN "the idle phase" },
	{ "ops_per_sec_drain", "ops/s", HB_HIGHER, HB_KIND_RATE,
	  CHURN "pipelined DELs of random keys" },
	{ "live_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  CHURN "key + value bytes the client has stored" WHEN },
	{ "rss_kib_<when>", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  CHURN "the server's Rss (its smaps_rollup)" WHEN },
	{ "anon_huge_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  CHURN "the server's AnonHugePages" WHEN },
	{ "charged_kib_<when>", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  CHURN "the cell's memory cgroup: server, client and the harness's child" WHEN },
	{ "used_memory_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  CHURN "INFO used_memory" WHEN },
	{ "used_memory_rss_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  CHURN "INFO used_memory_rss" WHEN },
	{ "frag_ratio_<when>", "", HB_LOWER, HB_KIND_MEMORY,
	  CHURN "INFO mem_fragmentation_ratio: used_memory_rss / used_memory" WHEN },
	{ "allocator_<field>_kib_<when>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  CHURN "each INFO allocator_<field> in bytes (allocated, active, resident, ...)" WHEN },
	{ "allocator_<field>_ratio_<when>", "", HB_NEITHER, HB_KIND_MEMORY,
	  CHURN "each INFO allocator_<field>_ratio (frag, rss)" WHEN },
	{ NULL },
};

/* What the report shows of redis (one row per scenario's figures; n/a for the other). */
static const struct hb_headline redis_headlines[] = {
	{ "fork_ms_per_gib", "fork time per GiB (Redis)", "ms/GiB", HB_LOWER, HB_KIND_TIME },
	{ "copied_kib", "CoW copied (rdb_last_cow_size)", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "write_p99_us_snapshot", "write p99 during BGSAVE", "us", HB_LOWER, HB_KIND_TAIL },
	{ "rss_kib_after_drain", "Rss after drain", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "charged_kib_after_drain", "charged after drain", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "frag_ratio_after_drain", "mem_fragmentation_ratio after drain", "ratio", HB_LOWER,
	  HB_KIND_MEMORY },
	{ NULL },
};

static const char *const redis_phases[] = { "baseline", "snapshot", "after", NULL };

static const struct hb_phase_colour redis_shades[] = {
	{ "fill", "#dbe9f6" }, { "during_snapshot", "#fbe3d6" }, { "drain", "#f6f0c8" },
	{ "idle", "#e4f1dc" }, { NULL, NULL },
};

static const struct hb_chart_def redis_charts[] = {
	{ .kind = HB_CHART_BARS, .name = "redis_fork", .metric = "fork_ms_per_gib",
	  .title = "redis: fork() time per GiB of used_memory_rss (latest_fork_usec)",
	  .ylabel = "ms per GiB (log scale)", .logy = 1,
	  .caption = "Redis's own fork time for the BGSAVE; lower is better." },
	{ .kind = HB_CHART_BARS, .name = "redis_copied", .metric = "copied_kib",
	  .title = "redis: memory copied on write during the BGSAVE (rdb_last_cow_size)",
	  .ylabel = "KiB", .caption = "What the writes during the save made the kernel copy." },
	{ .kind = HB_CHART_PERCENTILES, .name = "redis_latency", .metric = "write",
	  .title = "redis: client SET latency before / during / after the BGSAVE",
	  .xlabel = "percentile of writes", .ylabel = "SET round trip (us, log scale)",
	  .phases = redis_phases,
	  .caption = "Every SET of the client timed (one at a time, round trip on loopback)." },
	{ .kind = HB_CHART_SERIES, .name = "redis_memory",
	  .title = "redis: memory through fill / drain / idle",
	  .xlabel = "time (s)", .ylabel = "memory (MiB)", .shades = redis_shades,
	  .lines = { { "used_memory_kib", 1024, "used_memory", "lc rgb '#000000' lw 2" },
		     { "server_rss_kib", 1024, "Rss (server)", "ls 1" },
		     { "charged_kib", 1024, "charged (cgroup)", "ls 2 dt 2" },
		     { "server_anon_huge_kib", 1024, "AnonHugePages (server)", "ls 3 dt 3" },
		     { "allocator_resident_kib", 1024, "allocator_resident", "ls 4 dt 4" } },
	  .caption = "First repetition of each cell, from INFO memory and the server's "
		     "smaps_rollup at every sample; charged is the cell's memory cgroup (server "
		     "and client)." },
	{ 0 },
};

/* What advise weighs from the real server: its charged memory after the drain (churn) and its
 * fork time (fork, for a service that snapshots). */
static const struct hb_advice_rule redis_advice[] = {
	{ .metric = "charged_kib_after_drain", .label = "Redis's charged memory after frees",
	  .better = HB_LOWER, .priorities = HB_PRIO_MEMORY, .footprint = 1,
	  .measure = "hugebench run redis -b 4k,thp-always -p scenario=churn --reps 2" },
	{ .metric = "fork_ms_per_gib", .label = "Redis's fork time per GiB", .better = HB_LOWER,
	  .priorities = HB_PRIO_LATENCY, .fork = 1,
	  .measure = "hugebench run redis -b 4k,thp-always -p scenario=fork -p keys=500000 --reps 5" },
	{ NULL },
};

static const struct hb_outputs redis_outputs = {
	.metrics = redis_metrics,
	.headlines = redis_headlines,
	.charts = redis_charts,
	.advice = redis_advice,
};

static const struct hb_workload_needs redis_needs = {
	.memory_needed = redis_memory_needed,
	.supported = redis_supported,
	.backing_unsupported = redis_backing_unsupported,
	.process_memory = 1,
};

static const struct hb_workload_report redis_report = {
	.outputs = &redis_outputs,
	.twins = hb_redis_twins, /* redis_twins.c */
};

const struct hb_workload hb_workload_redis = {
	.name = "redis",
	.summary = "a real redis-server: BGSAVE under writes (fork) or fill/drain/idle (churn)",
	.params = redis_params_table,
	.params_size = sizeof(struct redis_params),
	.validate = redis_validate,
	.setup = redis_setup,
	.run = redis_run,
	.teardown = redis_teardown,
	.needs = &redis_needs,
	.report = &redis_report,
};
