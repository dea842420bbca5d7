/*
 * What the harness hands a workload inside the cell's child process. Everything a workload
 * needs from the outside world goes through these calls and the API headers included here
 * (clock, histograms, memory figures, the rng, the sampler, the snapshot sink); a workload
 * needs nothing else of the harness but workload.h, params.h and units.h.
 */
#ifndef HB_CTX_H
#define HB_CTX_H
#include <stdint.h>

#include "clock.h"
#include "histogram.h"
#include "memtypes.h"
#include "rng.h"
#include "sample.h"
#include "sink.h"

struct hb_ctx;

/* Memory of "bytes" in the cell's backing (4 KiB, THP, hugetlb, mTHP), aligned to the
 * backing's page size and not yet touched. The harness remembers it to prove, after setup,
 * what the kernel really gave. NULL with errno on failure. */
void *hb_region_map(struct hb_ctx *ctx, uint64_t bytes);
void hb_region_unmap(struct hb_ctx *ctx, void *addr);
/* What one region from hb_region_map holds now: Rss + Private_Hugetlb + Shared_Hugetlb of its
 * VMAs in /proc/self/smaps, so a figure about the region leaves out the binary, libc and the
 * harness. 0 or -errno (-ENOENT: not a region of this cell). */
int hb_region_resident_kib(struct hb_ctx *ctx, const void *addr, uint64_t *kib);
/* The smaps figures of one region (its VMAs only): Rss, Private_Dirty, AnonHugePages,
 * Private_Hugetlb, Shared_Hugetlb. 0 or -errno (-ENOENT: not a region of this cell). */
int hb_region_smaps(struct hb_ctx *ctx, const void *addr, struct hb_smaps *sm);
/* What one region is mapped with now, per folio order (memtypes.h). 0 or -errno (-ENOENT: not a
 * region of this cell). */
int hb_region_folios(struct hb_ctx *ctx, const void *addr, struct hb_folio_view *v);
/*
 * Watches a region while nothing else runs: every interval_ns for duration_ns reads its folios,
 * sets the gauges huge_coverage_pct and pmd_mapped_pct (so the cell's series has them) and
 * stores the coverage % of each sample in trace[0..cap). Returns the number of samples, or
 * -errno.
 * Samples are taken at 0, interval, 2 * interval, ... while <= duration (absolute deadlines,
 * so reading does not drift them); past cap it keeps watching but stores no more, and returns
 * the number stored. Coverage as huge_coverage_pct: folios of order >= 9, or of an mthp-*
 * backing's order, over the region's length (smaps without root: no mTHP sizes then).
 */
int hb_region_watch(struct hb_ctx *ctx, const void *addr, uint64_t duration_ns,
		    uint64_t interval_ns, double *trace, size_t cap);
/* For a workload with .touches_in_run (workload.h): proves now, once its regions are touched,
 * what the backing gave them: the rows the harness otherwise makes after setup
 * (huge_coverage_pct, rss_kib, charged_kib). Later calls, and calls of other workloads, do
 * nothing. */
void hb_region_coverage(struct hb_ctx *ctx);
/* The backing's page size in bytes (4096 for 4k and THP-never). */
uint64_t hb_backing_page_size(const struct hb_ctx *ctx);

/* A named figure for this cell. note may be NULL. */
void hb_metric(struct hb_ctx *ctx, const char *name, double value, const char *unit,
	       const char *note);
/* A figure that is not a number: e.g. "unavailable" with the reason in note, or a version. */
void hb_metric_text(struct hb_ctx *ctx, const char *name, const char *value, const char *note);
/* <prefix>_p50_us, _p90_us, _p99_us, _p999_us, _max_us (and _count) from a histogram of ns. */
void hb_metric_hist(struct hb_ctx *ctx, const char *prefix, const struct hb_hist *h);
/* A writing phase's rows, as forkcow and its twins name them: write_<pct>_us_<phase> from h
 * (ns; what: the note saying what one write is), writes_<phase>, and writes_per_sec_<phase>
 * over loop_ns of writing time; unavailable with the reason where there was no write. */
void hb_metric_phase_writes(struct hb_ctx *ctx, const char *phase, const struct hb_hist *h,
			    uint64_t writes, uint64_t loop_ns, const char *what);
/* A phase of the measured work: the harness records <name>_ms and, for counters, only counts
 * inside phases. Phases do not nest. */
void hb_phase_begin(struct hb_ctx *ctx, const char *name);
void hb_phase_end(struct hb_ctx *ctx);
/* rss_kib_<suffix> and charged_kib_<suffix> now (the process and the charged view). */
void hb_memory_snapshot(struct hb_ctx *ctx, const char *suffix);
/* Both views of the cell's memory now, as values (hb_memory_snapshot reports them as rows). */
struct hb_mem_view {
	uint64_t resident_kib;	    /* rss_kib + hugetlb_kib: what the process holds */
	uint64_t rss_kib;	    /* Rss (no hugetlb in it) */
	uint64_t private_dirty_kib; /* Private_Dirty (no hugetlb in it) */
	uint64_t hugetlb_kib;	    /* Private_Hugetlb + Shared_Hugetlb */
	uint64_t anon_huge_kib;	    /* AnonHugePages: PMD-mapped THP */
	int charged_ok;		    /* 0 when the cell has no memory cgroup */
	uint64_t charged_kib;	    /* the cell's memory cgroup (hugetlb is not charged) */
};
int hb_memory_read(struct hb_ctx *ctx, struct hb_mem_view *v);
/* The cell's memory cgroup: set a limit (0 removes it); read OOM kills and limit hits.
 * -ENOENT when the cell has no cgroup. The harness bounds every cell (run/fit.h): a limit
 * above that bound is the bound, and 0 puts the bound back. */
int hb_memory_limit(struct hb_ctx *ctx, uint64_t bytes);
int hb_memory_events(struct hb_ctx *ctx, uint64_t *oom_kills, uint64_t *failcnt);
/* Machine-wide /proc/vmstat counters now, for deltas around a phase. */
int hb_vmstat_now(struct hb_ctx *ctx, struct hb_vmstat *v);

/* A live value the harness's time series samples (e.g. "live_bytes", "ops"). At most 8. */
void hb_gauge_set(struct hb_ctx *ctx, const char *name, double value);
/* Memory accesses the measured work made (loads + stores the workload itself counted, e.g.
 * hops of a chase), so counters can be given per access (dtlb_misses_per_kilo_access).
 * Adds up; reported as metric `accesses`. */
void hb_count_accesses(struct hb_ctx *ctx, uint64_t n);
/* The process's malloc as it really is (found with dlsym, so it proves an LD_PRELOAD took):
 * "glibc", "jemalloc", "tcmalloc" or "mimalloc", its version and its own statistics
 * (jemalloc stats.* after an epoch refresh, tcmalloc MallocExtension properties, mimalloc
 * mi_process_info, glibc mallinfo2). */
#define HB_ALLOC_STATS 6
struct hb_alloc_info {
	char name[16];
	char version[48];
	char asked[16]; /* the allocator the cell's parameters asked for ("" when none): a
			 * name that differs means the preload did not take */
	unsigned n;
	struct {
		char name[40];
		double kib;
		const char *note;
	} stat[HB_ALLOC_STATS];
};
int hb_allocator_info(struct hb_ctx *ctx, struct hb_alloc_info *ai);
/*
 * A copy-on-write child of the cell's process, the way a database snapshots by fork(): it
 * shares every page until one side writes. fn runs in the child (read memory, write to a
 * sink; no other harness call) and when it returns the child says so and keeps its pages
 * until hb_cow_release. It dies with the cell's process (PR_SET_PDEATHSIG) and the harness
 * kills it if the workload leaves it running.
 */
struct hb_cow_child {
	int pid;
	int done_fd, go_fd;
	int done, failed;
	uint64_t fork_ns;  /* the fork() call in the parent */
	uint64_t child_ns; /* fn in the child, once done */
};
int hb_cow_fork(struct hb_ctx *ctx, struct hb_cow_child *c, int (*fn)(void *arg), void *arg);
/* 1 once fn has returned in the child (pages still shared), 0 while it runs. Cheap: a poll. */
int hb_cow_done(struct hb_cow_child *c);
int hb_cow_wait_done(struct hb_cow_child *c);
/* Lets the child exit and reaps it: 0, or -EIO when fn failed or the child died. */
int hb_cow_release(struct hb_ctx *ctx, struct hb_cow_child *c);
void hb_cow_kill(struct hb_ctx *ctx, struct hb_cow_child *c);

/* Why the cell is about to fail, in the workload's words (e.g. a server's own log lines): the
 * note of the failed cell gets it after the error code setup or run returns. */
void hb_fail_reason(struct hb_ctx *ctx, const char *text);

/* A seed for this cell's random choices (same for every backing of one repetition). */
uint64_t hb_seed(const struct hb_ctx *ctx);

/* In setup: ns that setup spent measuring something other than mapping and first touch (an
 * empty twin of a later measurement, a smaps read), left out of populate_ms. Adds up. */
void hb_populate_exclude(struct hb_ctx *ctx, uint64_t ns);

#endif
