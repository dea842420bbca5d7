/*
 * The cell's child process: runs the workload's phases, proves what the backing gave after
 * setup, and streams every figure to the parent (one line per write on the report socket), so a child
 * that crashes halfway still leaves what it had measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ctx_impl.h"
#include "metrics.h"

/* One counter row; value NULL: unavailable, the note says why. */
static void counter_row(void *arg, const char *metric, const double *value, const char *unit,
			const char *note)
{
	hb_ctx_send(arg, &(struct hb_msg){ .kind = HB_MSG_METRIC, .name = metric,
					   .value = value ? NULL : "unavailable",
					   .num = value ? *value : 0, .unit = unit, .note = note });
}

/* Opened before setup so that opening costs nothing inside a phase; counting starts only
 * at the first hb_phase_begin. */
static void counters_start(struct hb_ctx *ctx)
{
	char err[256];

	ctx->ctrs = calloc(1, sizeof(*ctx->ctrs));
	if (!ctx->ctrs)
		return;
	if (hb_counters_init(ctx->ctrs, ctx->cell->events, err, sizeof(err))) {
		/* The runner checked the list; this is only reached on ENOMEM. */
		hb_ctx_metric_text(ctx, "counters", "unavailable", err);
		free(ctx->ctrs);
		ctx->ctrs = NULL;
		return;
	}
	hb_counters_open(ctx->ctrs);
}

static void counters_finish(struct hb_ctx *ctx)
{
	if (!ctx->ctrs)
		return;
	hb_counters_read(ctx->ctrs);
	hb_counters_report(ctx->ctrs, ctx->accesses, counter_row, ctx);
	hb_counters_close(ctx->ctrs);
	hb_metric(ctx, "minflt_phases", (double)ctx->minflt_phases, "faults",
		  "getrusage(RUSAGE_THREAD) minflt over the same phases the counters count");
	hb_metric(ctx, "majflt_phases", (double)ctx->majflt_phases, "faults",
		  "getrusage(RUSAGE_THREAD) majflt over the same phases the counters count");
	free(ctx->ctrs);
	ctx->ctrs = NULL;
}

void hb_fail_reason(struct hb_ctx *ctx, const char *text)
{
	snprintf(ctx->fail_reason, sizeof(ctx->fail_reason), "%s", text);
}

static void send_error(struct hb_ctx *ctx, const char *what, int rc)
{
	char why[HB_MSG_NOTE_MAX + 1];

	/* The workload's own reason says more than the errno text. */
	if (ctx->fail_reason[0])
		snprintf(why, sizeof(why), "%s: %s", what, ctx->fail_reason);
	else
		snprintf(why, sizeof(why), "%s: %s", what, strerror(rc < 0 ? -rc : rc));
	hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_ERROR, .note = why });
}

void hb_region_coverage(struct hb_ctx *ctx)
{
	if (!ctx->coverage_pending)
		return;
	ctx->coverage_pending = 0;
	hb_ctx_coverage(ctx, ctx->mthp_before, ctx->mthp_ok);
	hb_ctx_memory_metrics(ctx, NULL);
}

void hb_populate_exclude(struct hb_ctx *ctx, uint64_t ns)
{
	ctx->populate_excluded_ns += ns;
}

/* The cell's time on a CPU and waiting for one (runnable, not running) from
 * /proc/self/schedstat, in ns: 0, or -1 when the kernel does not give it. */
static int sched_times(uint64_t *run_ns, uint64_t *wait_ns)
{
	FILE *f = fopen("/proc/self/schedstat", "r");
	unsigned long long r, w;
	int ok = f && fscanf(f, "%llu %llu", &r, &w) == 2;

	if (f)
		fclose(f);
	if (!ok)
		return -1;
	*run_ns = r, *wait_ns = w;
	return 0;
}

/* The share of the time the cell wanted a CPU that it waited for one: near 0 on a host of
 * its own, about 50% when every CPU is shared with one busy task. compare reads it to tell a
 * slower host from a shared one (hostprobe.c). */
static void cpu_wait_row(struct hb_ctx *ctx, int ok0, uint64_t run0, uint64_t wait0)
{
	uint64_t run, wait;

	if (!ok0 || sched_times(&run, &wait)) {
		hb_metric_text(ctx, HB_CPU_WAIT_METRIC, "unavailable",
			       "/proc/self/schedstat cannot be read (a kernel without "
			       "CONFIG_SCHED_INFO)");
		return;
	}
	if (run + wait <= run0 + wait0) {
		hb_metric_text(ctx, HB_CPU_WAIT_METRIC, "unavailable",
			       "/proc/self/schedstat did not advance over the cell");
		return;
	}
	hb_metric(ctx, HB_CPU_WAIT_METRIC,
		  (double)(wait - wait0) * 100 / (double)((run - run0) + (wait - wait0)), "%",
		  "time the cell's process waited for a CPU while runnable, as a share of that "
		  "and its time on a CPU, setup to the end (/proc/self/schedstat)");
}

/* setup's time less what the workload measured besides the populate in it. */
static void populate_row(struct hb_ctx *ctx, uint64_t setup_ns)
{
	uint64_t ex = ctx->populate_excluded_ns < setup_ns ? ctx->populate_excluded_ns : setup_ns;
	char note[200];

	if (!ex) {
		hb_metric(ctx, "populate_ms", (double)setup_ns / 1e6, "ms",
			  "setup: mapping and first touch, kept apart from the measured phase");
		return;
	}
	snprintf(note, sizeof(note), "setup: mapping and first touch, kept apart from the "
		 "measured phase; less %.3f ms setup spent measuring something else", ex / 1e6);
	hb_metric(ctx, "populate_ms", (double)(setup_ns - ex) / 1e6, "ms", note);
}

int hb_cell_child(const struct hb_cell *cell, int fd, const char *cgroup_dir, int cgroup_version)
{
	const struct hb_workload *w = cell->w;
	struct hb_ctx *ctx = calloc(1, sizeof(*ctx));
	uint64_t t0, mthp_before = 0, run0 = 0, wait0 = 0;
	int mthp_ok = 0, rc, sched_ok;
	void *state = NULL;
	struct rusage ru;

	if (!ctx)
		return 1;
	ctx->cell = cell;
	ctx->fd = fd;
	if (cgroup_dir && *cgroup_dir) {
		snprintf(ctx->cg.dir, sizeof(ctx->cg.dir), "%s", cgroup_dir);
		ctx->cg.version = cgroup_version;
		/* The harness's bound of the cell: a workload's own limit stays under it. */
		(void)hb_cgroup_limit(&ctx->cg, &ctx->cg.ceiling);
	}
	if (cell->backing.ops->fault_count)
		mthp_ok = cell->backing.ops->fault_count(&cell->backing, &mthp_before) == 0;

	counters_start(ctx);
	sched_ok = sched_times(&run0, &wait0) == 0;
	t0 = hb_now_ns();
	rc = w->setup(ctx, cell->params, &state);
	if (rc) {
		send_error(ctx, "setup (populate) failed", rc);
		hb_ctx_servers_stop(ctx);
		return 1;
	}
	populate_row(ctx, hb_now_ns() - t0);
	ctx->mthp_before = mthp_before;
	ctx->mthp_ok = mthp_ok;
	ctx->coverage_pending = 1;
	if (!w->needs->touches_in_run)
		hb_region_coverage(ctx);

	rc = w->run(ctx, cell->params, state);
	hb_phase_end(ctx);
	if (!rc)
		hb_region_coverage(ctx); /* a touches_in_run workload that did not ask */
	if (ctx->cow)
		hb_cow_kill(ctx, ctx->cow);
	if (rc) {
		send_error(ctx, "run failed", rc);
		hb_ctx_servers_stop(ctx);
		return 1;
	}
	if (ctx->accesses)
		hb_metric(ctx, "accesses", (double)ctx->accesses, "accesses",
			  "memory accesses of the measured work, as the workload counted them");
	counters_finish(ctx);
	cpu_wait_row(ctx, sched_ok, run0, wait0);
	if (w->teardown)
		w->teardown(ctx, cell->params, state);
	hb_ctx_servers_stop(ctx);
	getrusage(RUSAGE_SELF, &ru);
	hb_metric(ctx, "minflt", (double)ru.ru_minflt, "faults", "whole cell (getrusage)");
	hb_metric(ctx, "majflt", (double)ru.ru_majflt, "faults", "whole cell (getrusage)");
	free(ctx);
	return 0;
}
