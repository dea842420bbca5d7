/* external's outputs: every row it writes, its headlines, charts and claim (outputs.h). */
#include <stddef.h>

#include "outputs.h"
#include "external_parse.h"

#define TREE "the cell's processes but its own child (server, setup's and cmd's), "
static const struct hb_metric_def external_metrics[] = {
	/* The names the shipped profiles (profiles/external-*.ini) give their figures, declared
	 * with their direction so that the report and compare read them right. */
	{ "cmd_tps", "tps", HB_HIGHER, HB_KIND_RATE,
	  "profiles: transactions per second the load generator printed (pgbench's tps)" },
	{ "cmd_latency_ms", "ms", HB_LOWER, HB_KIND_TIME,
	  "profiles: average latency the load generator printed" },
	{ "cmd_ops_per_sec", "ops/s", HB_HIGHER, HB_KIND_RATE,
	  "profiles: operations per second the load generator printed" },
	{ "cmd_<name>", "*", HB_NEITHER, HB_KIND_RATE,
	  "a figure the metric parameters read from cmd's output (unit and direction as declared "
	  "there, compared as a noisy figure); `unavailable` with the reason when the regex did "
	  "not match" },
	{ "cmd_wall_ms", "ms", HB_LOWER, HB_KIND_TIME, "wall time of the measured command" },
	{ "cmd_minflt", "faults", HB_NEITHER, HB_KIND_COUNT,
	  "minor faults of cmd and the processes it waited for" },
	{ "cmd_majflt", "faults", HB_NEITHER, HB_KIND_COUNT, "major faults, as cmd_minflt" },
	{ "setup_wall_ms", "ms", HB_NEITHER, HB_KIND_TIME, "wall time of the setup line" },
	{ "measured_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the measured phase (cmd)" },
	{ "tree_procs", "processes", HB_NEITHER, HB_KIND_COUNT, TREE "read for the proof" },
	{ "tree_rss_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  TREE "Rss summed (shared pages once per process); hugetlb is not in Rss, so no "
	       "backing wins on it alone (tree_hugetlb_kib)" },
	{ "tree_hugetlb_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  TREE "Private_Hugetlb + Shared_Hugetlb summed" },
	{ "tree_hugetlb_kib_max", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "the largest hugetlb of one process of the cell (a shared segment once)" },
	{ "tree_pmd_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  TREE "AnonHugePages + ShmemPmdMapped + FilePmdMapped summed" },
	{ "tree_huge_pct", "%", HB_HIGHER, HB_KIND_SHARE,
	  TREE "folios of 2 MiB and more over what they map (the proof, pagemap + kpageflags)" },
	{ "tree_folio_kib_<size>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  TREE "resident KiB in folios of <size> (4k, 64k, 2m, ...), summed" },
	{ "rss_kib_end", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "after cmd: the server's Rss (its smaps_rollup; the cell's child without a server)" },
	{ "charged_kib_end", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "after cmd: the cell's memory cgroup (server, the tree); hugetlb is not charged, so no "
	  "backing wins on it alone (tree_hugetlb_kib_max)" },
	{ NULL },
};

static const struct hb_headline external_headlines[] = {
	{ "cmd_tps", "transactions/s (postgres profile)", "tps", HB_HIGHER, HB_KIND_RATE },
	{ "cmd_latency_ms", "average latency (postgres profile)", "ms", HB_LOWER, HB_KIND_TIME },
	{ "cmd_ops_per_sec", "ops/s (memcached, redis profiles)", "ops/s", HB_HIGHER,
	  HB_KIND_RATE },
	{ "tree_huge_pct", "huge-page coverage of the tree", "%", HB_HIGHER, HB_KIND_SHARE },
	{ "tree_hugetlb_kib_max", "hugetlb of the largest process", "KiB", HB_NEITHER,
	  HB_KIND_MEMORY },
	{ "tree_rss_kib", "Rss of the tree, hugetlb not in it (summed over processes)", "KiB",
	  HB_NEITHER, HB_KIND_MEMORY },
	{ "charged_kib_end", "charged after cmd, hugetlb not in it", "KiB", HB_NEITHER,
	  HB_KIND_MEMORY },
	{ NULL },
};

static const struct hb_chart_def external_charts[] = {
	{ .kind = HB_CHART_BARS, .name = "external_tps", .metric = "cmd_tps",
	  .title = "external: the program's own throughput (cmd_tps) per backing",
	  .ylabel = "transactions/s",
	  .caption = "What the program printed (postgres profile: pgbench -S TPS); median and "
		     "min-max over repetitions; higher is better." },
	{ .kind = HB_CHART_BARS, .name = "external_latency", .metric = "cmd_latency_ms",
	  .title = "external: the program's own average latency (cmd_latency_ms) per backing",
	  .ylabel = "ms", .caption = "As printed by the load generator; lower is better." },
	{ .kind = HB_CHART_BARS, .name = "external_coverage", .metric = "tree_huge_pct",
	  .title = "external: huge-page share of what the program's processes map",
	  .ylabel = "%", .caption = "The proof: pagemap + kpageflags of every process of the "
				    "cell while cmd ran." },
	{ 0 },
};

static const struct hb_claim external_claims[] = {
	{ .text = "PostgreSQL is faster with huge_pages=on (hugetlb) than on 4 KiB pages",
	  .metric = "cmd_tps", .vs_backing = "4k", .backings = "hugetlb-*", .lo = 1.0,
	  .hi = HB_UNBOUNDED, .needs = "the postgres profile (cmd_tps from pgbench)" },
	{ NULL },
};

/* What advise weighs from the service profiles: the program's own figures. Memory is left
 * out: hugetlb is in neither the tree's Rss nor the cgroup's charge. */
static const struct hb_advice_rule external_advice[] = {
	{ .metric = "cmd_tps", .label = "the service's transactions/s", .better = HB_HIGHER,
	  .priorities = HB_PRIO_THROUGHPUT,
	  .measure = "hugebench bench --profile external-postgres" },
	{ .metric = "cmd_ops_per_sec", .label = "the service's ops/s", .better = HB_HIGHER,
	  .priorities = HB_PRIO_THROUGHPUT,
	  .measure = "hugebench bench --profile external-redis" },
	{ .metric = "cmd_latency_ms", .label = "the service's average latency", .better = HB_LOWER,
	  .priorities = HB_PRIO_LATENCY,
	  .measure = "hugebench bench --profile external-postgres" },
	{ NULL },
};

const struct hb_outputs external_outputs = {
	.metrics = external_metrics,
	.headlines = external_headlines,
	.charts = external_charts,
	.claims = external_claims,
	.advice = external_advice,
};

