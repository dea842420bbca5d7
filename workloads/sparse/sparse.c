/*
 * sparse: a pointer heap of `node_size` nodes, one every `spacing` bytes over `span` bytes,
 * linked in one cycle, and a dependent-load chase over it. spacing = node_size is a dense heap
 * (the TLB-reach curve of a pointer-chasing structure); spacing = 2M is one node per huge page
 * (what huge pages cost a sparse heap in resident memory: bloat_ratio). sweep=4K..4G runs the
 * dense heap at every working set in 2x steps, and derive() turns the rows into translation
 * cost (4k against each huge backing) and each backing's knee next to the cpuid TLB reach.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "sparse.h"
#include "units.h"
#include "workload.h"

struct sparse_params {
	uint64_t span;
	uint64_t node_size;
	uint64_t spacing;
	int order;
	uint64_t duration;
	uint64_t samples;
	uint64_t loads;
	uint64_t writes;
	const char *sweep;
};

enum { ORDER_RANDOM, ORDER_SEQUENTIAL };

static const struct hb_choice order_choices[] = {
	{ "random", "one random cycle over all nodes (Sattolo), spread over the whole span" },
	{ "sequential", "node i -> node i + 1: the prefetcher's best case" },
	{ NULL, NULL },
};

static const struct hb_param sparse_params_table[] = {
	{ .name = "span", .type = HB_PT_SIZE, .offset = offsetof(struct sparse_params, span),
	  .def = "64M", .min = "8", .max = "1T",
	  .help = "virtual memory the heap spreads over (nodes = span / spacing)" },
	{ .name = "node_size", .type = HB_PT_SIZE,
	  .offset = offsetof(struct sparse_params, node_size), .def = "64", .min = "8",
	  .max = "1G", .help = "bytes per node, a multiple of 8" },
	{ .name = "spacing", .type = HB_PT_SIZE,
	  .offset = offsetof(struct sparse_params, spacing), .def = "0", .min = "0", .max = "1T",
	  .help = "bytes between consecutive nodes' slots; 0: node_size (a dense heap); "
		  "2M: one node per huge page" },
	{ .name = "order", .type = HB_PT_ENUM, .offset = offsetof(struct sparse_params, order),
	  .def = "random", .choices = order_choices, .help = "order of the cycle" },
	{ .name = "duration", .type = HB_PT_DURATION,
	  .offset = offsetof(struct sparse_params, duration), .def = "200ms", .min = "1ms",
	  .max = "60s", .help = "time per sample (hops per sample are calibrated in warm-up)" },
	{ .name = "samples", .type = HB_PT_UINT, .offset = offsetof(struct sparse_params, samples),
	  .def = "5", .min = "1", .max = "1000",
	  .help = "samples reported (median, min); one more is run first and discarded" },
	{ .name = "loads", .type = HB_PT_UINT, .offset = offsetof(struct sparse_params, loads),
	  .def = "0", .min = "0", .max = "1000000000000", .unit = "hops",
	  .help = "hops per sample instead of `duration`; 0: calibrate to `duration`" },
	{ .name = "writes", .type = HB_PT_BOOL, .offset = offsetof(struct sparse_params, writes),
	  .def = "0",
	  .help = "1: each hop also stores to the node (increments its second word)" },
	{ .name = "sweep", .type = HB_PT_STRING, .offset = offsetof(struct sparse_params, sweep),
	  .def = "", .help = "LO..HI: a dense random heap at every working set from LO to HI in "
			     "2x steps, one parameter set each (span ignored)" },
	HB_PARAM_END,
};

#define MAX_SWEEP 256
#define MAX_CURVES 32 /* backings x sweeps in one run */

static uint64_t spacing_of(const struct sparse_params *s)
{
	return s->spacing ? s->spacing : s->node_size;
}

/* "4K..4G" -> lo, hi. 0 or -EINVAL. */
static int parse_sweep(const char *s, uint64_t *lo, uint64_t *hi)
{
	const char *dots = strstr(s, "..");
	char a[64];

	if (!dots || (size_t)(dots - s) >= sizeof(a))
		return -EINVAL;
	memcpy(a, s, dots - s);
	a[dots - s] = 0;
	if (hb_parse_size(a, lo) || hb_parse_size(dots + 2, hi) || !*lo || *lo > *hi)
		return -EINVAL;
	return 0;
}

static int sparse_validate(const void *p, char *err, size_t len)
{
	const struct sparse_params *s = p;
	uint64_t lo, hi, n = 0;

	if (s->node_size % 8) {
		snprintf(err, len, "parameter 'node_size' must be a multiple of 8, from 8 to 1G "
			 "(got %llu)", (unsigned long long)s->node_size);
		return -EINVAL;
	}
	if (s->spacing && s->spacing < s->node_size) {
		snprintf(err, len, "parameter 'spacing' must be at least node_size (%llu) and at "
			 "most 1T, or 0 for a dense heap", (unsigned long long)s->node_size);
		return -EINVAL;
	}
	if (s->writes && s->node_size < 16) {
		snprintf(err, len, "parameter 'writes'=1 needs node_size >= 16 (the store goes "
			 "to the node's second word)");
		return -EINVAL;
	}
	if (s->sweep && s->sweep[0]) {
		if (parse_sweep(s->sweep, &lo, &hi) || lo < s->node_size || hi > (1ull << 40)) {
			snprintf(err, len, "parameter 'sweep' must be LO..HI, sizes with node_size "
				 "(%llu) <= LO <= HI <= 1T, e.g. 4K..4G",
				 (unsigned long long)s->node_size);
			return -EINVAL;
		}
		if (s->spacing && s->spacing != s->node_size) {
			snprintf(err, len, "parameter 'spacing' must be 0 or node_size with 'sweep' "
				 "(a sweep is a dense heap)");
			return -EINVAL;
		}
		for (uint64_t v = lo; v <= hi && v; v *= 2)
			n++;
		if (n > MAX_SWEEP) {
			snprintf(err, len, "parameter 'sweep' gives %llu sizes, at most %d",
				 (unsigned long long)n, MAX_SWEEP);
			return -EINVAL;
		}
		return 0;
	}
	if (s->span < spacing_of(s)) {
		snprintf(err, len, "parameter 'span' must hold at least one node: from spacing "
			 "(%llu) to 1T", (unsigned long long)spacing_of(s));
		return -EINVAL;
	}
	return 0;
}

static uint64_t sparse_memory_needed(const void *p)
{
	const struct sparse_params *s = p;
	uint64_t lo, hi, top;

	if (s->sweep && s->sweep[0] && !parse_sweep(s->sweep, &lo, &hi)) {
		for (top = lo; top * 2 <= hi; top *= 2)
			;
		return top;
	}
	return s->span;
}

static size_t sparse_expand(const void *p, void *out, size_t max)
{
	const struct sparse_params *s = p;
	struct sparse_params *o = out;
	uint64_t lo, hi;
	size_t n = 0;

	if (!s->sweep || !s->sweep[0] || parse_sweep(s->sweep, &lo, &hi))
		return 0;
	for (uint64_t v = lo; v <= hi && v && n < max; v *= 2, n++) {
		o[n] = *s;
		o[n].span = v;
		o[n].spacing = 0;
		o[n].sweep = ""; /* each entry is one working set; params shows its span */
	}
	return n;
}

void hb_sparse_link(char *base, uint64_t n, uint64_t spacing, int random, uint64_t seed)
{
	uint64_t st = seed;

#define SLOT(i) (*(uint64_t *)(base + (i) * spacing))
	/* Successor indices first, then pointers: the cycle lives in the nodes themselves. */
	for (uint64_t i = 0; i < n; i++)
		SLOT(i) = random ? i : (i + 1) % n;
	/* Sattolo: swapping only with j < i makes i -> SLOT(i) one cycle through all n. */
	for (uint64_t i = n - 1; random && i > 0; i--) {
		uint64_t j = (uint64_t)(((unsigned __int128)hb_splitmix64(&st) * i) >> 64);
		uint64_t t = SLOT(i);

		SLOT(i) = SLOT(j);
		SLOT(j) = t;
	}
	for (uint64_t i = 0; i < n; i++)
		SLOT(i) = (uint64_t)(uintptr_t)(base + SLOT(i) * spacing);
#undef SLOT
}

/* Unrolled 8x so the loop's own branch is one in eight hops; nothing else in it. */
#define HOP(p) ((p) = *(void **)(p))
void *hb_sparse_chase(void *p, uint64_t hops)
{
	for (uint64_t n = hops / 8; n; n--) {
		HOP(p); HOP(p); HOP(p); HOP(p);
		HOP(p); HOP(p); HOP(p); HOP(p);
	}
	for (uint64_t n = hops % 8; n; n--)
		HOP(p);
	return p;
}

#define HOPW(p) do { void **q_ = (p); (p) = *q_; ((uint64_t *)q_)[1]++; } while (0)
void *hb_sparse_chase_write(void *p, uint64_t hops)
{
	for (uint64_t n = hops / 8; n; n--) {
		HOPW(p); HOPW(p); HOPW(p); HOPW(p);
		HOPW(p); HOPW(p); HOPW(p); HOPW(p);
	}
	for (uint64_t n = hops % 8; n; n--)
		HOPW(p);
	return p;
}

struct sparse_state {
	char *heap;
	uint64_t nodes;
};

static int sparse_setup(struct hb_ctx *ctx, const void *p, void **state)
{
	const struct sparse_params *s = p;
	const uint64_t spacing = spacing_of(s);
	struct sparse_state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->nodes = s->span / spacing;
	st->heap = hb_region_map(ctx, s->span);
	if (!st->heap) {
		free(st);
		return -errno;
	}
	/* Every node's bytes are written, so what is resident is at least the useful data. */
	for (uint64_t i = 0; i < st->nodes; i++)
		memset(st->heap + i * spacing, 0, s->node_size);
	hb_sparse_link(st->heap, st->nodes, spacing, s->order == ORDER_RANDOM, hb_seed(ctx));
	*state = st;
	return 0;
}

static volatile void *sparse_sink;

static int sparse_run(struct hb_ctx *ctx, const void *p, void *state)
{
	const struct sparse_params *s = p;
	struct sparse_state *st = state;
	void *(*chase)(void *, uint64_t) = s->writes ? hb_sparse_chase_write : hb_sparse_chase;
	uint64_t hops = s->loads, lap, resident, useful_b = st->nodes * s->node_size;
	const uint64_t nsamp = s->samples + 1;
	struct hb_sampler smp;
	void *cur = st->heap;
	char note[160];
	/* Sample 0 is discarded: it pays for whatever the calibration left behind. */
	int rc = hb_sampler_init(&smp, "ns_per_access", "ns", 1, s->samples);

	if (rc)
		return rc;
	/* Hops per sample are calibrated until a trial lasts an eighth of a sample; then a lap
	 * (at least 4096 hops) warms caches and TLBs, cut at one sample's hops: a heap that fits
	 * in the caches is lapped whole, and one that does not is as warm after a sample of
	 * random hops, since the caches hold only its last few MiB. A whole lap of a 4 GiB
	 * sweep point is 64M hops, 28 s here: it ran the cell out of its time limit. Sample 0
	 * below is discarded besides. */
	hb_phase_begin(ctx, "warmup");
	for (uint64_t h = 4096; !hops; h *= 2) {
		uint64_t t0 = hb_now_ns(), dt;

		cur = chase(cur, h);
		dt = hb_now_ns() - t0;
		if (dt >= s->duration / 8 || h >= (1ull << 40))
			hops = (uint64_t)((double)h * (double)s->duration / (double)(dt ? dt : 1));
	}
	if (!hops)
		hops = 1;
	lap = st->nodes < hops ? st->nodes : hops;
	cur = chase(cur, lap > 4096 ? lap : 4096);
	hb_phase_end(ctx);

	hb_phase_begin(ctx, "chase");
	for (uint64_t i = 0; i < nsamp; i++) {
		hb_sample_begin(&smp);
		cur = chase(cur, hops);
		hb_sample_end(&smp);
	}
	hb_phase_end(ctx);
	hb_count_accesses(ctx, nsamp * hops);
	sparse_sink = cur;

	snprintf(note, sizeof(note), "median of %llu samples of %llu hops (first sample "
		 "discarded)", (unsigned long long)s->samples, (unsigned long long)hops);
	hb_sampler_report(ctx, &smp, (double)hops, note);
	hb_metric(ctx, "hops_per_sample", (double)hops, "hops", NULL);
	hb_metric(ctx, "nodes", (double)st->nodes, "nodes", NULL);
	hb_metric(ctx, "useful_kib", (double)useful_b / 1024, "KiB", "nodes x node_size");
	if (hb_region_resident_kib(ctx, st->heap, &resident) == 0) {
		hb_metric(ctx, "heap_resident_kib", (double)resident, "KiB",
			  "Rss + Hugetlb of the heap's mapping (smaps)");
		hb_metric(ctx, "bloat_ratio", (double)resident * 1024 / (double)useful_b, "x",
			  "heap_resident_kib / useful_kib");
	}
	hb_sampler_free(&smp);
	return 0;
}

static void sparse_teardown(struct hb_ctx *ctx, const void *p, void *state)
{
	struct sparse_state *st = state;

	(void)p;
	hb_region_unmap(ctx, st->heap);
	free(st);
}

#include "sparse_report.h" /* the report hooks */

/* Every row sparse writes (the harness's own rows besides); the last five from its analysis
 * across cells (sparse_analysis.c). */
static const struct hb_metric_def sparse_metrics[] = {
	{ "ns_per_access", "ns", HB_LOWER, HB_KIND_TIME,
	  "time per hop of the dependent-load chase, median of the samples (the first one "
	  "discarded)" },
	{ "ns_per_access_min", "ns", HB_LOWER, HB_KIND_TIME, "the fastest sample, per hop" },
	{ "ns_per_access_max", "ns", HB_LOWER, HB_KIND_TAIL, "the slowest sample, per hop" },
	{ "hops_per_sample", "hops", HB_NEITHER, HB_KIND_COUNT,
	  "hops of one sample (calibrated in warmup to last `duration`, or `loads`)" },
	{ "nodes", "nodes", HB_NEITHER, HB_KIND_COUNT, "nodes of the heap" },
	{ "useful_kib", "KiB", HB_NEITHER, HB_KIND_MEMORY, "nodes x node_size" },
	{ "heap_resident_kib", "KiB", HB_LOWER, HB_KIND_MEMORY,
	  "Rss + Hugetlb of the heap's mapping (smaps)" },
	{ "bloat_ratio", "x", HB_LOWER, HB_KIND_MEMORY, "heap_resident_kib / useful_kib" },
	{ "warmup_ms", "ms", HB_NEITHER, HB_KIND_TIME,
	  "the warmup phase: the calibration of hops per sample and a lap of the heap, at most one "
	  "sample long" },
	{ "chase_ms", "ms", HB_NEITHER, HB_KIND_TIME, "the chase phase: every sample" },
	{ "translation_ns", "ns", HB_NEITHER, HB_KIND_TIME,
	  "ns_per_access(4k) - ns_per_access(this backing) at the same working set and "
	  "repetition" },
	{ "translation_pct", "%", HB_NEITHER, HB_KIND_SHARE,
	  "translation_ns as a share of ns_per_access(4k)" },
	{ "tlb_knee_kib", "KiB", HB_NEITHER, HB_KIND_COUNT,
	  "a sweep's first working set well above the memory plateau (rep 0, one per backing "
	  "and sweep)" },
	{ "tlb_reach_kib", "KiB", HB_NEITHER, HB_KIND_COUNT,
	  "cpuid: the largest data TLB's entries x the backing's page size (rep 0)" },
	{ "effective_translation_kib", "KiB", HB_NEITHER, HB_KIND_COUNT,
	  "4 when a 2 MiB backing's knee is far below its own TLB reach: it translates in 4 KiB "
	  "steps (in a VM, the host's pages) (rep 0)" },
	{ NULL },
};

/* What the report shows of sparse, and the claims it decides; hooks in sparse_report.c. */
static const struct hb_headline sparse_headlines[] = {
	{ "ns_per_access", "chase latency", "ns", HB_LOWER, HB_KIND_TIME },
	{ "bloat_ratio", "heap bloat (RSS / useful)", "ratio", HB_LOWER, HB_KIND_MEMORY },
	{ "rss_kib", "resident memory", "KiB", HB_LOWER, HB_KIND_MEMORY },
	{ "translation_pct", "translation share of the 4k latency", "%", HB_NEITHER, HB_KIND_SHARE },
	{ "tlb_knee_kib", "TLB knee of the sweep", "KiB", HB_NEITHER, HB_KIND_COUNT },
	{ NULL },
};

static const struct hb_chart_def sparse_charts[] = {
	{ .kind = HB_CHART_SWEEP, .name = "sparse_sweep", .metric = "ns_per_access",
	  .title = "sparse: dense random pointer chase, latency against working set",
	  .xlabel = "working set (bytes, log scale)",
	  .ylabel = "ns per access (median, min-max over reps)", .sets = hb_sparse_sweep_sets,
	  .x_param = "span",
	  .caption = "Dependent-load chase over a dense heap of growing size (log x). Grey: "
		     "cache sizes; red: dTLB reach (entries x page size, cpuid). A huge-page "
		     "line that bends up where the 4K reach is, not its own, means the host "
		     "backs memory with small pages." },
	{ .kind = HB_CHART_BARS, .name = "sparse_ns", .metric = "ns_per_access",
	  .title = "sparse/dense heap: time per pointer hop", .ylabel = "ns per access",
	  .sets = hb_sparse_table_sets,
	  .caption = "Random dependent-load chase; lower is better." },
	{ .kind = HB_CHART_BARS, .name = "sparse_bloat", .metric = "bloat_ratio",
	  .title = "sparse/dense heap: resident memory per useful byte",
	  .ylabel = "bloat ratio (RSS / nodes x node size, log scale)", .logy = 1,
	  .sets = hb_sparse_table_sets,
	  .caption = "How much memory the heap holds for the bytes it uses; 1 is no waste." },
	{ 0 },
};

static const struct hb_claim sparse_claims[] = {
	{ .text = "THP makes TLB-bound code 5-30% faster", .metric = "ns_per_access",
	  .vs_backing = "4k", .backings = "thp thp-always hugetlb-* mthp-*", .lo = 0.70,
	  .hi = 0.95, .sets = hb_sparse_big_dense_sets,
	  .needs = "a dense random heap of 1G or more (span=1G)" },
	{ .text = "a sparse heap pays a whole huge page per touched line",
	  .metric = "bloat_ratio", .vs_backing = "4k", .backings = "thp thp-always hugetlb-2m",
	  .lo = 256, .hi = HB_UNBOUNDED, .exact = 1, .sets = hb_sparse_per_2m_sets,
	  .needs = "a sparse heap with one node per 2M (spacing=2M)" },
	{ NULL },
};

/* What advise weighs (docs/advise.md): the chase on a heap past every TLB's 4K reach, and the
 * memory a sparse heap holds. */
static const struct hb_advice_rule sparse_advice[] = {
	{ .metric = "ns_per_access", .label = "chase latency on a dense 1G+ heap",
	  .better = HB_LOWER, .priorities = HB_PRIO_LATENCY | HB_PRIO_THROUGHPUT,
	  .sets = hb_sparse_big_dense_sets,
	  .measure = "hugebench run sparse -b 4k,thp,hugetlb-2m -p span=1G --reps 7" },
	{ .metric = "bloat_ratio", .label = "resident memory of a sparse heap",
	  .better = HB_LOWER, .priorities = HB_PRIO_MEMORY, .sets = hb_sparse_per_2m_sets,
	  .measure = "hugebench run sparse -b 4k,thp,hugetlb-2m -p span=256M -p spacing=2M "
		     "--reps 3" },
	{ NULL },
};

static const struct hb_outputs sparse_outputs = {
	.metrics = sparse_metrics,
	.headlines = sparse_headlines,
	.table_sets = hb_sparse_table_sets,
	.label = hb_sparse_label,
	.charts = sparse_charts,
	.claims = sparse_claims,
	.advice = sparse_advice,
};

static const struct hb_workload_needs sparse_needs = {
	.memory_needed = sparse_memory_needed,
};

static const struct hb_workload_report sparse_report = {
	.expand = sparse_expand,
	.derive = hb_sparse_derive,
	.outputs = &sparse_outputs,
};

const struct hb_workload hb_workload_sparse = {
	.name = "sparse",
	.summary = "sparse or dense pointer heap and a dependent-load chase; sweep=4K..4G for "
		   "the TLB-reach curve",
	.params = sparse_params_table,
	.params_size = sizeof(struct sparse_params),
	.validate = sparse_validate,
	.setup = sparse_setup,
	.run = sparse_run,
	.teardown = sparse_teardown,
	.needs = &sparse_needs,
	.report = &sparse_report,
};
