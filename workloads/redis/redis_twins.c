/*
 * The simulator twins of real Redis (twins.h), for `hugebench calibrate` (README
 * "Calibration"): forkcow for the fork scenario, churn with Redis's jemalloc setup for the
 * churn scenario, and how their parameters follow from the real run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "outputs.h"
#include "redis.h"
#include "twins.h"
#include "workload.h"

/* copied_kib depends on how long the snapshot lasts: Redis serializes its RDB for seconds,
 * forkcow's child reads and sinks the same bytes in a fraction of that, so the raw figures
 * cannot agree; per write during the snapshot they can (about a 4 KiB page each since 5.8). */
static const struct hb_twin_metric fork_metrics[] = {
	{ .name = "fork_ms_per_gib" },
	{ .name = "copied_kib" },
	{ .name = "copied_kib_per_write_snapshot", .num = "copied_kib", .den = "writes_snapshot" },
	{ .name = "during_snapshot_ms" },
	{ .name = "copied_kib_per_dirtied_page", .both = 1 },
	{ .name = "write_p99_us_snapshot" },
	{ NULL },
};

static const struct hb_twin_metric churn_metrics[] = {
	{ .name = "rss_kib_after_drain" },
	{ .name = "charged_kib_after_drain" },
	{ .name = "frag_ratio_after_drain" },
	{ .name = "charged_per_rss_after_drain", .num = "charged_kib_after_drain",
	  .den = "rss_kib_after_drain" },
	{ NULL },
};

/* The real side's dataset in MiB: keys x value_size, rounded, at least 1. */
static unsigned long long dataset_mib(const struct hb_twin_real *r)
{
	const struct hb_workload *w = r->w;
	char value[64];
	double keys;
	unsigned long long mib;

	if (hb_set_num(w->params, w->params_size, r->params, "keys", &keys) ||
	    hb_set_value(w->params, w->params_size, r->params, "value_size", value,
			 sizeof(value)))
		return 1;
	mib = ((unsigned long long)keys * strtoull(value, NULL, 10) + (1 << 19)) >> 20;
	return mib ? mib : 1;
}

/* forkcow's dataset: the same bytes as Redis's keys x value_size. */
static int fork_size(const struct hb_twin_real *r, char *buf, size_t len)
{
	snprintf(buf, len, "%lluM", dataset_mib(r));
	return 0;
}

/* Its parent writes at the rate Redis's client reached during the snapshot. */
static int fork_write_rate(const struct hb_twin_real *r, char *buf, size_t len)
{
	if (!r->have[0] || r->fig[0] < 1)
		return -ENOENT;
	snprintf(buf, len, "%llu", (unsigned long long)(r->fig[0] + 0.5));
	return 0;
}

/* Its child's sink takes the dataset in the time Redis's snapshot took. */
static int fork_sink_rate(const struct hb_twin_real *r, char *buf, size_t len)
{
	if (!r->have[0] || r->fig[0] <= 0)
		return -ENOENT;
	snprintf(buf, len, "%llu",
		 (unsigned long long)((double)(dataset_mib(r) << 20) * 1000 / r->fig[0]));
	return 0;
}

/* A new file beside Redis's own dump: created, unlinked at once, written through its
 * descriptor (forkcow's sink). */
static int fork_sink(const struct hb_twin_real *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s.sink", r->scratch);
	return 0;
}

/* The part of what Redis's dataset added that is not in huge pages: on a THP backing most of
 * what its fork adds per GiB is that part's page tables. Of the dataset only: the empty
 * server's own memory is in both sides' fork_us_empty already. */
static int fork_small_pct(const struct hb_twin_real *r, char *buf, size_t len)
{
	double cov = r->fig[0];

	snprintf(buf, len, "%llu",
		 r->have[0] && cov > 0 && cov < 100 ? (unsigned long long)(100 - cov + 0.5) : 0);
	return 0;
}

static const struct hb_twin_rule fork_rules[] = {
	{ "size", { NULL }, fork_size },
	{ "value_size", { NULL }, NULL },
	{ "write_rate", { "writes_per_sec_snapshot" }, fork_write_rate },
	{ "sink", { NULL }, fork_sink },
	{ "sink_rate", { "during_snapshot_ms" }, fork_sink_rate },
	{ "small_pct", { "dataset_huge_pct" }, fork_small_pct },
	{ NULL },
};

/* --fork-size: keys of the same 500 B value size. */
static int fork_dataset(uint64_t bytes, char *buf, size_t len)
{
	snprintf(buf, len, "keys=%llu", (unsigned long long)(bytes / 500));
	return 0;
}

/* churn: fill, drain, idle on both sides, no churn phase (churn_time=0) and no refill, which
 * Redis does not do either. */
static const struct hb_twin_rule churn_rules[] = {
	{ "keys", { NULL }, NULL },
	{ "value_size", { NULL }, NULL },
	{ "drain_pct", { NULL }, NULL },
	{ "idle", { NULL }, NULL },
	{ NULL },
};

/*
 * fork: forkcow's dataset is keys x value size (rounded to MiB). It runs second, per backing,
 * with what Redis's snapshot had there (README, "Calibration"): its sink takes the dataset at
 * size / Redis's snapshot time, its parent writes at Redis's client's rate, and small_pct is
 * the share of what Redis's dataset added that is not in huge pages.
 */
const struct hb_twin hb_redis_twins[] = {
	{ .pair = "fork", .what = "redis scenario=fork against forkcow with the same dataset",
	  .real = { NULL, "scenario=fork;keys=1000000;value_size=500;write_rate=20000",
		    "keys=20000" },
	  .sim = { "forkcow", "snapshot=read", NULL },
	  .rules = fork_rules, .metrics = fork_metrics, .dataset = fork_dataset,
	  .dataset_help = "the fork pair's dataset in 500 B keys (default 477 MiB)" },
	{ .pair = "churn",
	  .what = "redis scenario=churn against churn allocator=jemalloc+redis",
	  .real = { NULL, "scenario=churn;keys=200000;value_size=uniform:64-1900;drain_pct=90;"
			  "idle=15s", "keys=20000;idle=1s" },
	  .sim = { "churn", "allocator=jemalloc+redis;churn_time=0;refill=0", NULL },
	  .rules = churn_rules, .metrics = churn_metrics },
	{ NULL },
};
