/*
 * fill: a test-only workload that shows what adding one takes. It is this one file (its
 * parameters, its measured work, its headline figure, its chart and its claim, all as data),
 * its line in a registry (tests/demo/registry.c here; workloads/registry.c for a real one) and
 * its test (tests/e2e/demo_workload.sh). Nothing in harness/ knows it.
 *
 * It maps SIZE bytes of the backing, populates them, then rewrites every byte with memset in
 * timed passes: the cost of streaming stores over memory that is already there.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "workload.h"

struct fill_params {
	uint64_t size;
	uint64_t passes;
};

static const struct hb_param fill_params_table[] = {
	{ .name = "size", .type = HB_PT_SIZE, .offset = offsetof(struct fill_params, size),
	  .def = "16M", .min = "4K", .max = "64G", .unit = "bytes",
	  .help = "bytes to map, populate and rewrite" },
	{ .name = "passes", .type = HB_PT_UINT, .offset = offsetof(struct fill_params, passes),
	  .def = "4", .min = "2", .max = "1000",
	  .help = "memset passes; the first is a warm-up and is not reported" },
	HB_PARAM_END,
};

static uint64_t fill_memory_needed(const void *p)
{
	return ((const struct fill_params *)p)->size;
}

static int fill_setup(struct hb_ctx *ctx, const void *p, void **state)
{
	const struct fill_params *f = p;
	char *mem = hb_region_map(ctx, f->size);

	if (!mem)
		return -errno;
	memset(mem, 1, f->size); /* populate: every page faulted in before anything is timed */
	*state = mem;
	return 0;
}

static int fill_run(struct hb_ctx *ctx, const void *p, void *state)
{
	const struct fill_params *f = p;
	struct hb_sampler smp;
	int rc = hb_sampler_init(&smp, "ns_per_page", "ns", 1, f->passes - 1);

	if (rc)
		return rc;
	hb_phase_begin(ctx, "fill");
	for (uint64_t i = 0; i < f->passes; i++) {
		hb_sample_begin(&smp);
		memset(state, (int)i, f->size);
		hb_sample_end(&smp);
	}
	hb_phase_end(ctx);
	hb_sampler_report(ctx, &smp, (double)(f->size / 4096), "median over passes after the "
			  "first, per 4 KiB");
	hb_sampler_free(&smp);
	return 0;
}

static void fill_teardown(struct hb_ctx *ctx, const void *p, void *state)
{
	(void)p;
	hb_region_unmap(ctx, state);
}

static const struct hb_metric_def fill_metrics[] = {
	{ "ns_per_page", "ns", HB_LOWER, HB_KIND_TIME,
	  "rewrite time per 4 KiB, median over the passes after the first" },
	{ "ns_per_page_min", "ns", HB_LOWER, HB_KIND_TIME, "the fastest of those passes" },
	{ "ns_per_page_max", "ns", HB_LOWER, HB_KIND_TIME, "the slowest of those passes" },
	{ "fill_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the fill phase: every pass" },
	{ NULL },
};

static const struct hb_headline fill_headlines[] = {
	{ "ns_per_page", "rewrite time per 4 KiB", "ns", HB_LOWER, HB_KIND_TIME },
	{ NULL },
};

static const struct hb_chart_def fill_charts[] = {
	{ .kind = HB_CHART_BARS, .name = "fill_ns", .metric = "ns_per_page",
	  .title = "fill: memset of populated memory", .ylabel = "ns per 4 KiB (median, min-max)",
	  .caption = "Streaming stores over memory that is already there: lower is better." },
	{ 0 },
};

static const struct hb_claim fill_claims[] = {
	{ .text = "huge pages make streaming stores faster", .metric = "ns_per_page",
	  .vs_backing = "4k", .backings = "thp thp-always hugetlb-*", .lo = 0, .hi = 0.95,
	  .needs = "fill on 4k and a huge backing" },
	{ NULL },
};

static const struct hb_outputs fill_outputs = {
	.metrics = fill_metrics,
	.headlines = fill_headlines,
	.charts = fill_charts,
	.claims = fill_claims,
};

static const struct hb_workload_needs fill_needs = {
	.memory_needed = fill_memory_needed,
};

static const struct hb_workload_report fill_report = {
	.outputs = &fill_outputs,
};

const struct hb_workload hb_workload_fill = {
	.name = "fill",
	.summary = "test-only: rewrite SIZE populated bytes with memset, in timed passes",
	.params = fill_params_table,
	.params_size = sizeof(struct fill_params),
	.setup = fill_setup,
	.run = fill_run,
	.teardown = fill_teardown,
	.needs = &fill_needs,
	.report = &fill_report,
};
