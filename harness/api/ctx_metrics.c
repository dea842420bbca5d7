/* ctx.h: metrics, phases, gauges and the cell's facts, streamed to the parent on the pipe. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ctx_impl.h"
#include "smaps.h"

/* One line, one write(): the pipe keeps lines under PIPE_BUF whole. */
void hb_ctx_send(struct hb_ctx *ctx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	while (write(ctx->fd, line, (size_t)n) < 0 && errno == EINTR)
		;
}

/* Tabs separate fields: none may appear inside one. */
const char *hb_ctx_clean(const char *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s ? s : "");
	for (char *c = buf; *c; c++)
		if (*c == '\t')
			*c = ' ';
	return buf;
}

void hb_metric(struct hb_ctx *ctx, const char *name, double value, const char *unit,
	       const char *note)
{
	char n[64], u[32], t[512];

	hb_ctx_send(ctx, "M\t%s\t%.10g\t%s\t%s", hb_ctx_clean(name, n, sizeof(n)), value,
		  hb_ctx_clean(unit, u, sizeof(u)), hb_ctx_clean(note, t, sizeof(t)));
}

void hb_ctx_metric_text(struct hb_ctx *ctx, const char *name, const char *value,
			const char *note)
{
	char t[512];

	hb_ctx_send(ctx, "M\t%s\t%s\t\t%s", name, value, hb_ctx_clean(note, t, sizeof(t)));
}

void hb_metric_text(struct hb_ctx *ctx, const char *name, const char *value, const char *note)
{
	char n[64], v[128];

	hb_ctx_metric_text(ctx, hb_ctx_clean(name, n, sizeof(n)), hb_ctx_clean(value, v, sizeof(v)), note);
}

void hb_metric_hist(struct hb_ctx *ctx, const char *prefix, const struct hb_hist *h)
{
	static const struct {
		const char *suffix;
		double p;
	} pcts[] = { { "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p999", 99.9 }, { "max", 100 } };
	char name[96];

	snprintf(name, sizeof(name), "%s_count", prefix);
	hb_metric(ctx, name, (double)h->count, "ops", NULL);
	if (!h->count)
		return;
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		snprintf(name, sizeof(name), "%s_%s_us", prefix, pcts[i].suffix);
		hb_metric(ctx, name, (double)hb_hist_percentile(h, pcts[i].p) / 1000.0, "us", NULL);
	}
}

void hb_phase_begin(struct hb_ctx *ctx, const char *name)
{
	snprintf(ctx->phase, sizeof(ctx->phase), "%s", name);
	hb_ctx_send(ctx, "P\t%s", ctx->phase);
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
	hb_ctx_send(ctx, "P\t");
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
		hb_ctx_send(ctx, "G\t%s\t%.10g", ctx->gauges[g].name, ctx->gauges[g].value);
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
