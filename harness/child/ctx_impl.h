/*
 * Inside the child runtime: the cell child's context, shared by the files that implement ctx.h
 * (ctx_metrics.c, ctx_memory.c, ctx_region.c, ctx_cow.c, ctx_child.c, ...). Workloads never
 * see it: it is not in harness/api/.
 */
#ifndef HB_CTX_IMPL_H
#define HB_CTX_IMPL_H
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include "cgroup.h"
#include "child.h"
#include "counters.h"
#include "ctx.h"
#include "protocol.h"

#define MAX_REGIONS 64
#define MAX_GAUGES 8
#define GAUGE_FLUSH_NS 50000000ull
#define HB_CTX_SERVERS 4

struct hb_server;

struct region {
	char *addr;
	uint64_t len;
};

struct hb_ctx {
	const struct hb_cell *cell;
	uint64_t populate_excluded_ns; /* hb_populate_exclude: not part of populate_ms */
	int fd;
	struct hb_cgroup cg;
	struct region regions[MAX_REGIONS];
	unsigned nregions;
	char phase[48];
	uint64_t phase_start;
	struct {
		char name[32];
		double value;
	} gauges[MAX_GAUGES];
	unsigned ngauges;
	uint64_t gauges_flushed;
	uint64_t accesses;
	/* Counters count only inside phases; getrusage is taken at the same boundaries so
	 * the software fault counts can be checked against it. */
	struct hb_counters *ctrs;
	struct rusage ru0;
	uint64_t minflt_phases, majflt_phases;
	struct hb_cow_child *cow; /* a live hb_cow_fork child, killed if the workload leaves it */
	struct hb_server *servers[HB_CTX_SERVERS]; /* hb_server_start's, stopped if left */
	char fail_reason[400]; /* hb_fail_reason: into the failed cell's note */
	/* The coverage proof waiting for hb_region_coverage (.touches_in_run), with the mTHP
	 * fault count from before setup it needs. */
	int coverage_pending, mthp_ok;
	uint64_t mthp_before;
};

/* One message to the parent (protocol.h): one line, one write(), so it arrives whole. */
void hb_ctx_send(struct hb_ctx *ctx, const struct hb_msg *m);
/* A metric whose value is text ("unavailable"): hb_metric_text, for the harness's own rows. */
void hb_ctx_metric_text(struct hb_ctx *ctx, const char *name, const char *value, const char *note);
/* rss_kib[_suffix] and charged_kib[_suffix] rows now. */
void hb_ctx_memory_metrics(struct hb_ctx *ctx, const char *suffix);
/* After setup: huge_coverage_pct of the cell's regions (or of the process). */
void hb_ctx_coverage(struct hb_ctx *ctx, uint64_t mthp_before, int mthp_ok);
/* After setup, as root: folio_kib_<size> and pmd_mapped_kib of the regions (ctx_folio.c), the
 * huge KiB coverage counts and how (its note). -errno when pagemap cannot be read: the rows
 * say unavailable with why, and coverage stays with smaps. */
int hb_ctx_folio_rows(struct hb_ctx *ctx, uint64_t smaps_huge_kib, uint64_t *huge_kib,
		      char *how, size_t len);
/* Stops every server the workload left running (ctx_server.c). */
void hb_ctx_servers_stop(struct hb_ctx *ctx);
/* The smaps_rollup of the process that holds the workload's memory: the first server the
 * workload runs (server.h), else the cell's own process. Returns path (len >= 48). */
const char *hb_ctx_rollup_path(struct hb_ctx *ctx, char *path, size_t len);

#endif
