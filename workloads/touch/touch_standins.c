/*
 * Test-only stand-in pairs for `hugebench calibrate` (twins.h; HB_CALIBRATE_PAIRS=test, run by
 * tests/e2e/calibrate.sh): the simulator workloads in place of real Redis, so the whole path
 * runs in seconds. A figure on both sides, one on the real side only, one on the simulated
 * side only, one both-only that the real side lacks (no row); then churn's memory figures with
 * two allocators. touch declares them as the plainest real side there is.
 */
#include <stdio.h>

#include "twins.h"

static const struct hb_twin_metric standin_metrics[] = {
	{ .name = "populate_ms" },
	{ .name = "ns_per_touch" },
	{ .name = "fork_ms_per_gib" },
	{ .name = "copied_kib_per_dirtied_page", .both = 1 },
	{ NULL },
};

static const struct hb_twin_metric standin_churn_metrics[] = {
	{ .name = "rss_kib_after_drain" },
	{ .name = "charged_kib_after_drain" },
	{ .name = "frag_ratio_after_drain" },
	{ .name = "charged_per_rss_after_drain", .num = "charged_kib_after_drain",
	  .den = "rss_kib_after_drain" },
	{ NULL },
};

/* --fork-size: the size of a dataset of that many 500 B keys, in MiB. */
static int standin_dataset(uint64_t bytes, char *buf, size_t len)
{
	unsigned long long mib = ((unsigned long long)(bytes / 500) * 500 + (1 << 19)) >> 20;

	snprintf(buf, len, "size=%lluM", mib ? mib : 1);
	return 0;
}

/* A rule that reads the real side's figure, so the stand-ins take calibrate's pilot path:
 * forkcow's writing phase lasts the real side's populate_ms (at least 1 ms), as Redis's
 * snapshot length sets forkcow's sink rate. */
static int standin_phase_time(const struct hb_twin_real *r, char *buf, size_t len)
{
	if (!r->have[0] || r->fig[0] < 0)
		return -1;
	snprintf(buf, len, "%.0fms", r->fig[0] < 1 ? 1 : r->fig[0]);
	return 0;
}

static const struct hb_twin_rule standin_fork_rules[] = {
	{ "size", { NULL }, NULL },
	{ "phase_time", { "populate_ms" }, standin_phase_time },
	{ NULL },
};

static const struct hb_twin_rule standin_churn_rules[] = {
	{ "keys", { NULL }, NULL },
	{ "value_size", { NULL }, NULL },
	{ "drain_pct", { NULL }, NULL },
	{ NULL },
};

const struct hb_twin hb_touch_standins[] = {
	{ .pair = "fork-standin", .what = "touch against forkcow with the same size (test only)",
	  .real = { NULL, "size=477M;passes=2", "size=10M" },
	  .sim = { "forkcow", "value_size=500", NULL },
	  .rules = standin_fork_rules, .metrics = standin_metrics, .dataset = standin_dataset,
	  .dataset_help = "the fork-standin pair's size, as 500 B keys (default 477 MiB)",
	  .test_only = 1 },
	{ .pair = "churn-standin", .what = "churn glibc against churn jemalloc (test only)",
	  .real = { "churn", "allocator=glibc;keys=200000;value_size=uniform:64-1900;"
			     "drain_pct=90;idle=0;churn_time=0;refill=0", "keys=20000" },
	  .sim = { "churn", "allocator=jemalloc;idle=0;churn_time=0;refill=0", NULL },
	  .rules = standin_churn_rules, .metrics = standin_churn_metrics, .test_only = 1 },
	{ NULL },
};
