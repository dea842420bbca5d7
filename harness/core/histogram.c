#include <math.h>
#include <string.h>

#include "histogram.h"

void hb_hist_init(struct hb_hist *h)
{
	h->count = 0;
	/* Sentinels that any first sample replaces, so record needs no "is this the first" test. */
	h->min = UINT64_MAX;
	h->max = 0;
	h->sum = 0;
	memset(h->buckets, 0, sizeof(h->buckets));
}

/*
 * hb_hist_index maps v >= 2*SUB to shift*SUB + (v >> shift), with v >> shift in [SUB, 2*SUB),
 * so index idx belongs to shift idx/SUB - 1 and its sub-bucket is idx - shift*SUB. Below
 * 2*SUB the index is the value itself (shift 0). Past the last index there is no bucket:
 * UINT64_MAX for both bounds.
 */
uint64_t hb_hist_bucket_low(unsigned idx)
{
	unsigned shift;

	if (idx < 2 * HB_HIST_SUB)
		return idx;
	if (idx >= HB_HIST_NBUCKETS)
		return UINT64_MAX;
	shift = idx / HB_HIST_SUB - 1;
	return (uint64_t)(idx - shift * HB_HIST_SUB) << shift;
}

/*
 * The nominal top of the bucket. The last bucket also absorbs every larger (clamped) value;
 * reporting UINT64_MAX for it would make its midpoint meaningless, and the exact max is kept
 * in the histogram anyway.
 */
uint64_t hb_hist_bucket_high(unsigned idx)
{
	unsigned shift;

	if (idx < 2 * HB_HIST_SUB)
		return idx;
	if (idx >= HB_HIST_NBUCKETS)
		return UINT64_MAX;
	shift = idx / HB_HIST_SUB - 1;
	return hb_hist_bucket_low(idx) + ((uint64_t)1 << shift) - 1;
}

uint64_t hb_hist_percentile(const struct hb_hist *h, double p)
{
	uint64_t rank, seen = 0, low, mid;
	double r;
	unsigned i;

	if (!h->count)
		return 0;
	/* Written as !(p > 0) so a NaN p gets the min rather than walking with a bogus rank. */
	if (!(p > 0))
		return h->min;
	if (p >= 100)
		return h->max;
	/*
	 * p is usually a decimal such as 99.9 that a double cannot hold exactly, so p/100*count
	 * can land a few ulps above a whole number and ceil() would pick the next rank. Shaving
	 * a relative 1e-14 absorbs that error without touching any genuine fraction short of
	 * astronomically large counts.
	 */
	r = p / 100.0 * (double)h->count;
	r -= r * 1e-14;
	rank = (uint64_t)ceil(r);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	for (i = 0; i < HB_HIST_NBUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	/* Buckets short of count mean a corrupted histogram; max is the safe answer. */
	if (i == HB_HIST_NBUCKETS)
		return h->max;
	low = hb_hist_bucket_low(i);
	mid = low + (hb_hist_bucket_high(i) - low) / 2;
	/* The exact extremes beat a bucket estimate when the bucket sticks out past them. */
	if (mid < h->min)
		return h->min;
	if (mid > h->max)
		return h->max;
	return mid;
}

double hb_hist_mean(const struct hb_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0;
}

void hb_hist_merge(struct hb_hist *dst, const struct hb_hist *src)
{
	unsigned i;

	/* An empty src carries the init sentinels, which the compares below leave harmless. */
	for (i = 0; i < HB_HIST_NBUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
}

/* The names are in every results file since the first run: never rename one. */
const struct hb_hist_pct hb_hist_pcts[HB_HIST_NPCTS] = {
	{ "p50", 50, 0 },
	{ "p90", 90, 0 },
	{ "p99", 99, 0 },
	{ "p999", 99.9, 0 },
	{ "p9999", 99.99, 1 },
	{ "max", 100, 0 },
};
