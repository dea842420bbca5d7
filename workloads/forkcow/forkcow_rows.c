/*
 * Every row forkcow writes (the harness's own rows, populate_ms and the rest, besides), beside
 * its headlines in forkcow.c's outputs; in a file of its own for forkcow.c's length.
 */
#include "forkcow.h"
#include "memtypes.h"

#define PHASE "; <phase>: baseline, snapshot (during it), after"

const struct hb_metric_def hb_forkcow_metrics[] = {
	{ "fork_us", "us", HB_LOWER, HB_KIND_TIME,
	  "the fork() call in the parent (copying page tables), its child held until the call "
	  "has returned" },
	{ "fork_us_empty", "us", HB_NEITHER, HB_KIND_TIME,
	  "the same process's fork() before the dataset was mapped (median of 5): the part of "
	  "fork_us that does not grow with the dataset" },
	{ "fork_ms_per_gib", "ms/GiB", HB_LOWER, HB_KIND_TIME,
	  "(fork_us - fork_us_empty) per GiB of dataset: what the dataset adds to fork() "
	  "(before 2026-12: fork_us per GiB, fixed part included); signed: below 0 when the "
	  "dataset adds less than the forks' noise" },
	{ "small_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY,
	  "with small_pct: the part of the dataset advised MADV_NOHUGEPAGE (0 on hugetlb, "
	  "whose pages stay huge)" },
	{ "snapshot_ms", "ms", HB_LOWER, HB_KIND_TIME,
	  "fork() plus the child's work (reading and sinking every page, or holding)" },
	{ "baseline_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the baseline phase: writes, no child" },
	{ "during_snapshot_ms", "ms", HB_NEITHER, HB_KIND_TIME,
	  "the during_snapshot phase: the fork(), then writes until the child is done" },
	{ "after_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the after phase: writes, the child gone" },
	{ "write_p50_us_<phase>", "us", HB_LOWER, HB_KIND_TIME,
	  "median latency of one write of value_size bytes, every write recorded" PHASE },
	{ "write_<pct>_us_<phase>", "us", HB_LOWER, HB_KIND_TAIL,
	  "latency of one write of value_size bytes, every write recorded; <pct>: p90, "
	  "p99, p999, p9999, max" PHASE },
	{ "writes_<phase>", "writes", HB_NEITHER, HB_KIND_COUNT, "writes made" PHASE },
	{ "writes_per_sec_<phase>", "writes/s", HB_HIGHER, HB_KIND_RATE,
	  "writes / the phase's writing time" PHASE },
	{ "dirtied_pages", "pages", HB_NEITHER, HB_KIND_COUNT,
	  "distinct 4 KiB pages the parent wrote during the snapshot (a bitmap)" },
	{ "copied_kib", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "smaps view: growth of the dataset's Private_Dirty + Private_Hugetlb in the parent "
	  "over the snapshot, the child alive: the parent's copies" },
	{ "copied_kib_charged", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "charged view: growth of the cell's memory cgroup over the same interval; unavailable "
	  "on hugetlb (not charged)" },
	{ "copied_kib_per_dirtied_page", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "copied_kib / dirtied_pages: the CoW amplification (4: one 4 KiB page per write fault)" },
	{ "thp_split_pmd", "events", HB_NEITHER, HB_KIND_COUNT,
	  HB_SOURCE_VMSTAT " delta over the snapshot phase (machine-wide); the harness's row "
	  "of the same name is over the whole cell" },
	{ NULL },
};
