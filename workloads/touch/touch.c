/*
 * touch: populate SIZE bytes of the backing, then walk them with a stride. The smallest
 * workload that exercises the whole harness: coverage proof, memory views, phases.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "ctx.h"
#include "twins.h"
#include "workload.h"

enum { POPULATE_SETUP, POPULATE_WALK };

struct touch_params {
	uint64_t size;
	uint64_t stride;
	uint64_t passes;
	int populate;
};

static const struct hb_choice populate_choices[] = {
	{ "setup", "setup writes every page; the measured walk takes no page faults" },
	{ "walk", "setup only maps; the walk's first pass (the warm-up) writes, so the measured "
		  "phase takes the first-touch page faults (for fault counters)" },
	{ NULL, NULL },
};

static const struct hb_param touch_params_table[] = {
	{ .name = "size", .type = HB_PT_SIZE, .offset = offsetof(struct touch_params, size),
	  .def = "64M", .min = "4K", .max = "1T", .help = "bytes to map and populate" },
	{ .name = "stride", .type = HB_PT_SIZE, .offset = offsetof(struct touch_params, stride),
	  .def = "4K", .min = "8", .max = "1G",
	  .help = "bytes between two touches of the walk (one 8-byte load each)" },
	{ .name = "passes", .type = HB_PT_UINT, .offset = offsetof(struct touch_params, passes),
	  .def = "5", .min = "2", .max = "1000",
	  .help = "walks over the region; the first is a warm-up and is not reported" },
	{ .name = "populate", .type = HB_PT_ENUM, .offset = offsetof(struct touch_params, populate),
	  .def = "setup", .choices = populate_choices,
	  .help = "where the memory is first touched" },
	HB_PARAM_END,
};

static volatile uint64_t touch_sink;

struct touch_state {
	uint64_t *mem;
};

static int touch_validate(const void *p, char *err, size_t len)
{
	const struct touch_params *t = p;

	if (t->stride > t->size || t->stride % 8) {
		snprintf(err, len, "parameter 'stride' must be a multiple of 8 and at most "
			 "'size' (%llu)", (unsigned long long)t->size);
		return -EINVAL;
	}
	return 0;
}

static uint64_t touch_memory_needed(const void *p)
{
	return ((const struct touch_params *)p)->size;
}

static int touch_setup(struct hb_ctx *ctx, const void *p, void **state)
{
	const struct touch_params *t = p;
	struct touch_state *s = calloc(1, sizeof(*s));
	volatile char *c;

	if (!s)
		return -ENOMEM;
	s->mem = hb_region_map(ctx, t->size);
	if (!s->mem) {
		free(s);
		return -errno;
	}
	/* One write per 4 KiB page faults everything in, whatever the backing. */
	c = (volatile char *)s->mem;
	for (uint64_t off = 0; off < t->size && t->populate == POPULATE_SETUP; off += 4096)
		c[off] = 1;
	*state = s;
	return 0;
}

static int touch_run(struct hb_ctx *ctx, const void *p, void *state)
{
	const struct touch_params *t = p;
	struct touch_state *s = state;
	const uint64_t step = t->stride / 8, n = t->size / 8;
	uint64_t touches = (n + step - 1) / step, sum = 0;
	struct hb_sampler smp;
	/* Pass 0 warms the caches and TLBs (and, with populate=walk, faults): not reported. */
	int rc = hb_sampler_init(&smp, "ns_per_touch", "ns", 1, t->passes - 1);

	if (rc)
		return rc;
	hb_phase_begin(ctx, "walk");
	for (uint64_t pass = 0; pass < t->passes; pass++) {
		hb_sample_begin(&smp);
		if (pass == 0 && t->populate == POPULATE_WALK)
			for (uint64_t i = 0; i < n; i += step)
				s->mem[i] = i;
		else
			for (uint64_t i = 0; i < n; i += step)
				sum += s->mem[i];
		hb_sample_end(&smp);
	}
	hb_phase_end(ctx);
	hb_count_accesses(ctx, touches * t->passes);
	hb_sampler_report(ctx, &smp, (double)touches, "median over passes after the first");
	hb_metric(ctx, "touches_per_pass", (double)touches, "touches", NULL);
	touch_sink = sum; /* keeps the loads from being optimised away */
	hb_sampler_free(&smp);
	return 0;
}

static void touch_teardown(struct hb_ctx *ctx, const void *p, void *state)
{
	struct touch_state *s = state;

	(void)p;
	hb_region_unmap(ctx, s->mem);
	free(s);
}

/* Every row touch writes (the harness's own rows, populate_ms and the rest, besides). */
static const struct hb_metric_def touch_metrics[] = {
	{ "ns_per_touch", "ns", HB_LOWER, HB_KIND_TIME,
	  "walk time per touch (one 8-byte load per stride), median over the passes after the "
	  "first" },
	{ "ns_per_touch_min", "ns", HB_LOWER, HB_KIND_TIME, "the fastest of those passes" },
	{ "ns_per_touch_max", "ns", HB_LOWER, HB_KIND_TAIL, "the slowest of those passes" },
	{ "touches_per_pass", "touches", HB_NEITHER, HB_KIND_COUNT, "loads of one walk" },
	{ "walk_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the walk phase: every pass, the first too" },
	{ NULL },
};

/* What the report shows of touch: its headline figures and its chart. */
static const struct hb_headline touch_headlines[] = {
	{ "ns_per_touch", "walk time per touch", "ns", HB_LOWER, HB_KIND_TIME },
	{ "populate_ms", "populate time", "ms", HB_LOWER, HB_KIND_TIME },
	{ NULL },
};

static const struct hb_chart_def touch_charts[] = {
	{ .kind = HB_CHART_BARS, .name = "touch_ns", .metric = "ns_per_touch",
	  .title = "touch: time per touched page",
	  .ylabel = "ns per touch (median, min-max over reps)",
	  .caption = "Walk over the populated region, one load per stride: lower is better." },
	{ 0 },
};

static const struct hb_outputs touch_outputs = {
	.metrics = touch_metrics,
	.headlines = touch_headlines,
	.charts = touch_charts,
};

static const struct hb_workload_needs touch_needs = {
	.memory_needed = touch_memory_needed,
};

/* The stand-in calibration pairs of the tests (touch_standins.c). */
extern const struct hb_twin hb_touch_standins[];

static const struct hb_workload_report touch_report = {
	.outputs = &touch_outputs,
	.twins = hb_touch_standins,
};

const struct hb_workload hb_workload_touch = {
	.name = "touch",
	.summary = "populate SIZE bytes of the backing, then walk them with a stride",
	.params = touch_params_table,
	.params_size = sizeof(struct touch_params),
	.validate = touch_validate,
	.setup = touch_setup,
	.run = touch_run,
	.teardown = touch_teardown,
	.needs = &touch_needs,
	.report = &touch_report,
};
