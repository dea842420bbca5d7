/* The harness's own rows, and the check of a row's name and unit against the declarations. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

#define VMSTAT_CELL "/proc/vmstat delta over the cell (machine-wide: other processes count too)"
#define FRAG_INDEX "unusable-free-space index for order 9 (2 MiB) from /proc/buddyinfo, 0..1"

/*
 * Every row a cell may get whatever its workload: what the cell's parent writes (run/cell.c,
 * run/cell_child.c, run/matrix.c), what the child's runtime writes around the workload's
 * hooks (the populate, the coverage proof, the memory views, faults), the counters (pmu/) and
 * the vmstat deltas (machine/vmstat.c's names). A row named from a workload's choice (a
 * phase, a sampler) is the workload's to declare.
 */
const struct hb_metric_def hb_harness_metrics[] = {
	{ "status", "", HB_NEITHER, HB_KIND_AUTO,
	  "the cell's outcome: ok, fallback, skipped, failed or interrupted; the note says why" },
	{ "knob:<name>", "", HB_NEITHER, HB_KIND_AUTO,
	  "a machine knob `run --knob NAME=VALUE` set for the cell (thp/enabled, mthp/64kB/enabled, "
	  "...): the value written, before the backing's own settings; the note says when the "
	  "backing then set it otherwise" },
	{ "host_probe_cpu_ns", "ns", HB_LOWER, HB_KIND_TIME,
	  "the host-speed probe the parent runs before each repetition of a cell (run/probe.h): "
	  "ns per step of a fixed chain of 2M dependent integer steps; compare normalises times "
	  "and rates by it when two runs' probes differ beyond their noise" },
	{ "host_probe_load_ns", "ns", HB_LOWER, HB_KIND_TIME,
	  "the same probe's ns per load of a fixed chase of 1M dependent loads over 256 KiB "
	  "mapped with 4 KiB pages only (MADV_NOHUGEPAGE)" },
	{ HB_CPU_WAIT_METRIC, "%", HB_NEITHER, HB_KIND_SHARE,
	  "the share of the time the cell's process was runnable that it waited for a CPU "
	  "(/proc/self/schedstat, setup to the end): about 0 on a host of its own; compare "
	  "reads it to tell a shared host from a slower one and never compares it as a figure" },
	{ "populate_ms", "ms", HB_LOWER, HB_KIND_TIME,
	  "the workload's setup: mapping and populating its memory, kept apart from the measured "
	  "phases (less what setup measured besides, hb_populate_exclude: the note says)" },
	{ "huge_coverage_pct", "%", HB_HIGHER, HB_KIND_SHARE,
	  "share of the cell's regions backed by huge pages after populate (as root: folios in "
	  "pagemap + kpageflags, else smaps); the note says how" },
	{ "huge_coverage_process_pct", "%", HB_HIGHER, HB_KIND_SHARE,
	  "instead, for a workload that maps no region (memory from malloc or a server): the "
	  "whole process's huge share after setup (smaps_rollup)" },
	{ "folio_kib_<size>", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "as root, KiB of the cell's regions mapped by folios of <size> (4k, each mTHP size, 2m, "
	  "1g) from pagemap + kpageflags; without root unavailable" },
	{ "pmd_mapped_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "of those, the 2 MiB blocks mapped whole by one folio of order >= 9; the note quotes "
	  "smaps' AnonHugePages + *_Hugetlb" },
	{ "rss_kib", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "Rss + Private_Hugetlb + Shared_Hugetlb of the process (or its server) after populate "
	  "(smaps_rollup; hugetlb is not in Rss)" },
	{ "charged_kib", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "memory charged to the cell's own memory cgroup after populate (hugetlb is not "
	  "charged); unavailable with the reason when the cell has none" },
	{ "minflt", "faults", HB_NEITHER, HB_KIND_COUNT,
	  "minor page faults of the cell's child, the whole cell (getrusage)" },
	{ "majflt", "faults", HB_NEITHER, HB_KIND_COUNT,
	  "major page faults of the cell's child, the whole cell (getrusage)" },
	{ "accesses", "accesses", HB_NEITHER, HB_KIND_COUNT,
	  "memory accesses of the measured work, as the workload counted them "
	  "(hb_count_accesses)" },
	{ "counters", "", HB_NEITHER, HB_KIND_AUTO,
	  "unavailable, with the reason, when the counters could not be set up at all" },
	{ "pmu:<event>", "events", HB_NEITHER, HB_KIND_COUNT,
	  "each counted event (its libpfm4 name), user space, measured phases only, scaled when "
	  "multiplexed; unavailable with the reason when it cannot be counted" },
	{ "dtlb_load_misses", "misses", HB_LOWER, HB_KIND_COUNT,
	  "first-level dTLB misses in the measured phases (the events of that role summed)" },
	{ "dtlb_walks_completed", "walks", HB_LOWER, HB_KIND_COUNT,
	  "page walks (misses of every dTLB level) in the measured phases" },
	{ "dtlb_walk_cycles", "cycles", HB_LOWER, HB_KIND_COUNT,
	  "cycles with a data page walk active in the measured phases" },
	{ "dtlb_misses_per_kilo_access", "per 1000", HB_LOWER, HB_KIND_SHARE,
	  "dtlb_load_misses x 1000 / accesses (the workload's own count)" },
	{ "walk_cycles_pct", "%", HB_LOWER, HB_KIND_SHARE, "dtlb_walk_cycles / cycles x 100" },
	{ "minflt_phases", "faults", HB_NEITHER, HB_KIND_COUNT,
	  "minor faults over the phases the counters count (getrusage of the thread)" },
	{ "majflt_phases", "faults", HB_NEITHER, HB_KIND_COUNT,
	  "major faults over the phases the counters count (getrusage of the thread)" },
	{ "thp_fault_alloc", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "thp_fault_fallback", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "thp_split_pmd", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "thp_deferred_split_page", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "compact_stall", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "compact_success", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "compact_fail", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "thp_collapse_alloc", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "thp_collapse_alloc_failed", "events", HB_NEITHER, HB_KIND_COUNT, VMSTAT_CELL },
	{ "oom_killed", "", HB_NEITHER, HB_KIND_COUNT,
	  "1: the cell's memory cgroup OOM-killed the child under the workload's own limit" },
	{ "memory_failcnt", "events", HB_NEITHER, HB_KIND_COUNT,
	  "times the cell's memory cgroup hit its limit" },
	{ "frag_index_order9_before", "", HB_NEITHER, HB_KIND_SHARE,
	  FRAG_INDEX ", before the cell (and before aging)" },
	{ "frag_index_order9_aged", "", HB_NEITHER, HB_KIND_SHARE,
	  FRAG_INDEX ", after aging, before the child" },
	{ "frag_index_order9_after", "", HB_NEITHER, HB_KIND_SHARE,
	  FRAG_INDEX ", after an aged cell, before the fragmenter released its memory" },
	{ "age_plug_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "an aged cell: hugetlb 2 MiB pages the fragmenter held untouched as a plug" },
	{ "age_filler_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "an aged cell: 4 KiB pages the fragmenter's filler held" },
	{ "age_ms", "ms", HB_NEITHER, HB_KIND_TIME, "an aged cell: the time aging took" },
	{ NULL },
};

int hb_metric_pattern_match(const char *pattern, const char *name)
{
	const char *close;

	for (; *pattern && *pattern != '<'; pattern++, name++)
		if (*pattern != *name)
			return 0;
	if (!*pattern)
		return !*name;
	close = strchr(pattern, '>');
	if (!close) /* no placeholder: '<' is a letter */
		return !strcmp(pattern, name);
	/* <word>: one character or more, then the rest of the pattern */
	for (const char *rest = name + 1; *name && rest <= name + strlen(name); rest++)
		if (hb_metric_pattern_match(close + 1, rest))
			return 1;
	return 0;
}

const struct hb_metric_def *hb_metric_find(const struct hb_metric_def *defs, const char *name)
{
	/* A name declared as itself before any pattern it also fits (fault_4k_baseline_us, not
	 * fault_<pct>_us). */
	for (const struct hb_metric_def *d = defs; d && d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	for (; defs && defs->name; defs++)
		if (hb_metric_pattern_match(defs->name, name))
			return defs;
	return NULL;
}

/* Whether a declaration of defs that fits name takes unit; *found says whether one fits. */
static int unit_fits(const struct hb_metric_def *defs, const char *name, const char *unit,
		     int num, const struct hb_metric_def **found)
{
	for (; defs && defs->name; defs++) {
		if (!hb_metric_pattern_match(defs->name, name))
			continue;
		if (!*found)
			*found = defs;
		if (!strcmp(defs->unit, unit) || (!num && !*unit))
			return 1;
	}
	return 0;
}

int hb_metric_check(const struct hb_workload *w, const char *name, const char *unit, int num,
		    char *why, size_t len)
{
	const struct hb_metric_def *mine = w && hb_workload_outputs(w) ? hb_workload_outputs(w)->metrics : NULL;
	const struct hb_metric_def *found = NULL;

	unit = unit ? unit : "";
	if (unit_fits(mine, name, unit, num, &found) ||
	    unit_fits(hb_harness_metrics, name, unit, num, &found))
		return 0;
	if (!found) {
		snprintf(why, len, "row '%s' of workload %s is not declared (neither in the "
			 "workload's outputs metrics nor in the harness's rows)", name,
			 w ? w->name : "(unknown to this binary)");
		return -ENOENT;
	}
	snprintf(why, len, "row '%s' of workload %s has unit '%s', declared '%s' (%s)", name,
		 w ? w->name : "(unknown to this binary)", unit, found->unit, found->name);
	return -EINVAL;
}
