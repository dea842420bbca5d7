/* ctx.h: metrics, phases, gauges and the cell's facts, streamed to the parent on the report socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include "ctx_impl.h"

/* The pipe keeps one line whole; a parent that is gone is the runner's problem, not ours. */
void hb_ctx_send(struct hb_ctx *ctx, const struct hb_msg *m)
{
	(void)hb_msg_write(ctx->fd, m);
}

void hb_metric(struct hb_ctx *ctx, const char *name, double value, const char *unit,
	       const char *note)
{
	hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_METRIC, .name = name, .num = value,
					   .unit = unit, .note = note });
}

void hb_ctx_metric_text(struct hb_ctx *ctx, const char *name, const char *value,
			const char *note)
{
	hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_METRIC, .name = name,
					   .value = value ? value : "", .note = note });
}

void hb_metric_text(struct hb_ctx *ctx, const char *name, const char *value, const char *note)
{
	hb_ctx_metric_text(ctx, name, value, note);
}

void hb_metric_phase_writes(struct hb_ctx *ctx, const char *phase, const struct hb_hist *h,
			    uint64_t writes, uint64_t loop_ns, const char *what)
{
	char name[64];

	for (size_t i = 0; i < HB_HIST_NPCTS; i++) {
		const struct hb_hist_pct *pc = &hb_hist_pcts[i];

		snprintf(name, sizeof(name), "write_%s_us_%s", pc->name, phase);
		if (h->count)
			hb_metric(ctx, name, (double)hb_hist_percentile(h, pc->p) / 1000.0, "us",
				  what);
		else
			hb_metric_text(ctx, name, "unavailable", "no write in this phase");
	}
	snprintf(name, sizeof(name), "writes_%s", phase);
	hb_metric(ctx, name, (double)writes, "writes", NULL);
	snprintf(name, sizeof(name), "writes_per_sec_%s", phase);
	if (loop_ns)
		hb_metric(ctx, name, (double)writes * 1e9 / (double)loop_ns, "writes/s",
			  "writes / the phase's writing time");
	else /* 0 writes in 0 ns is no rate */
		hb_metric_text(ctx, name, "unavailable", "the phase had no writing time");
}

void hb_metric_hist(struct hb_ctx *ctx, const char *prefix, const struct hb_hist *h)
{
	char name[96];

	snprintf(name, sizeof(name), "%s_count", prefix);
	hb_metric(ctx, name, (double)h->count, "ops", NULL);
	if (!h->count)
		return;
	for (size_t i = 0; i < HB_HIST_NPCTS; i++) {
		const struct hb_hist_pct *pc = &hb_hist_pcts[i];

		if (pc->extra)
			continue;
		snprintf(name, sizeof(name), "%s_%s_us", prefix, pc->name);
		hb_metric(ctx, name, (double)hb_hist_percentile(h, pc->p) / 1000.0, "us", NULL);
	}
}

/*
 * A phase boundary returns once the harness has taken its samples of it (protocol.h,
 * HB_PHASE_ACK). Those samples read the cell's smaps_rollup, which walks its page tables
 * under the mmap lock: a fork() (or a touch) started at once waited for that walk. Measured
 * here, forkcow's fork() of 64 MiB on 4 KiB pages took 3.4-7.8 ms against 3.0-3.4 ms with the
 * walk out of the way. EOF or an error (the harness is gone) does not wait.
 */
static void phase_sync(struct hb_ctx *ctx)
{
	char ack;

	while (read(ctx->fd, &ack, 1) < 0 && errno == EINTR)
		;
	(void)ack; /* HB_PHASE_ACK; its value carries nothing */
}

void hb_phase_begin(struct hb_ctx *ctx, const char *name)
{
	snprintf(ctx->phase, sizeof(ctx->phase), "%s", name);
	hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_PHASE, .name = ctx->phase });
	phase_sync(ctx);
	ctx->phase_start = hb_now_ns();
	if (ctx->ctrs) {
		getrusage(RUSAGE_THREAD, &ctx->ru0);
		hb_counters_enable(ctx->ctrs);
	}
}

void hb_phase_end(struct hb_ctx *ctx)
{
	uint64_t ns = hb_now_ns() - ctx->phase_start;
	char name[64];

	if (!ctx->phase[0])
		return;
	if (ctx->ctrs) {
		struct rusage ru;

		hb_counters_disable(ctx->ctrs);
		getrusage(RUSAGE_THREAD, &ru);
		ctx->minflt_phases += (uint64_t)(ru.ru_minflt - ctx->ru0.ru_minflt);
		ctx->majflt_phases += (uint64_t)(ru.ru_majflt - ctx->ru0.ru_majflt);
	}
	snprintf(name, sizeof(name), "%s_ms", ctx->phase);
	hb_metric(ctx, name, (double)ns / 1e6, "ms", NULL);
	hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_PHASE, .name = "" });
	phase_sync(ctx);
	ctx->phase[0] = 0;
}

void hb_gauge_set(struct hb_ctx *ctx, const char *name, double value)
{
	unsigned i;
	uint64_t now;

	for (i = 0; i < ctx->ngauges; i++)
		if (!strcmp(ctx->gauges[i].name, name))
			break;
	if (i == ctx->ngauges) {
		if (i == MAX_GAUGES)
			return;
		snprintf(ctx->gauges[i].name, sizeof(ctx->gauges[i].name), "%s", name);
		ctx->ngauges++;
	}
	ctx->gauges[i].value = value;
	/* Rate-limited, so a workload may call this in its loop. */
	now = hb_now_ns();
	if (now - ctx->gauges_flushed < GAUGE_FLUSH_NS)
		return;
	ctx->gauges_flushed = now;
	for (unsigned g = 0; g < ctx->ngauges; g++)
		hb_ctx_send(ctx, &(struct hb_msg){ .kind = HB_MSG_GAUGE,
						   .name = ctx->gauges[g].name,
						   .num = ctx->gauges[g].value });
}

void hb_count_accesses(struct hb_ctx *ctx, uint64_t n)
{
	ctx->accesses += n;
}

uint64_t hb_seed(const struct hb_ctx *ctx)
{
	return ctx->cell->seed;
}

uint64_t hb_backing_page_size(const struct hb_ctx *ctx)
{
	return ctx->cell->backing.page_size;
}
