/*
 * Latency histogram: log-linear buckets (HdrHistogram's layout, 128 linear sub-buckets per
 * power of two), so every recorded value lands in a bucket no wider than 1/128 of its
 * value: under 1% relative error from 10 ns to 100 s and beyond. Debian 12 packages no C
 * HdrHistogram, so this small one is ours. Values are nanoseconds. Mergeable by adding.
 */
#ifndef HB_HISTOGRAM_H
#define HB_HISTOGRAM_H
#include <stdint.h>

#define HB_HIST_SUB_BITS 7
#define HB_HIST_SUB (1u << HB_HIST_SUB_BITS)
/* The top power of two bucketed is [2^38, 2^39) ns (~275..550 s); values from 2^39 up are
 * clamped into the last bucket (max stays exact). */
#define HB_HIST_MAX_SHIFT 31
#define HB_HIST_NBUCKETS ((HB_HIST_MAX_SHIFT + 1) * HB_HIST_SUB + HB_HIST_SUB)

struct hb_hist {
	uint64_t count;
	uint64_t min, max; /* exact */
	double sum;
	uint64_t buckets[HB_HIST_NBUCKETS];
};

void hb_hist_init(struct hb_hist *h);

static inline unsigned hb_hist_index(uint64_t v)
{
	unsigned msb, shift;

	if (v < 2 * HB_HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	shift = msb - HB_HIST_SUB_BITS;
	if (shift > HB_HIST_MAX_SHIFT)
		return HB_HIST_NBUCKETS - 1;
	return shift * HB_HIST_SUB + (unsigned)(v >> shift);
}

/* The hot path: a shift, an add and two compares. */
static inline void hb_hist_record(struct hb_hist *h, uint64_t v)
{
	h->buckets[hb_hist_index(v)]++;
	h->count++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

/* Lowest and highest value a bucket holds. */
uint64_t hb_hist_bucket_low(unsigned idx);
uint64_t hb_hist_bucket_high(unsigned idx);
/* Nearest-rank percentile (p in 0..100): the value of the ceil(p/100*count)-th smallest
 * sample, to within its bucket (reported as the bucket's midpoint, clamped to [min, max]).
 * 0 when empty. p=100 gives the exact max. */
uint64_t hb_hist_percentile(const struct hb_hist *h, double p);
double hb_hist_mean(const struct hb_hist *h);

/* The percentiles a latency histogram is reported at, in order: <name> goes into the metric
 * names (hb_metric_hist: <prefix>_<name>_us). The extra ones are not in hb_metric_hist's set:
 * a workload that records every event asks for them itself (forkcow's p9999). */
struct hb_hist_pct {
	const char *name; /* p50, p90, p99, p999, p9999, max */
	double p;	  /* 0..100; 100 is the exact max */
	int extra;
};
#define HB_HIST_NPCTS 6
extern const struct hb_hist_pct hb_hist_pcts[HB_HIST_NPCTS];
void hb_hist_merge(struct hb_hist *dst, const struct hb_hist *src);

#endif
