/*
 * Timed samples of the measured work, as a harness service (multichase's sampler): the
 * workload brackets each sample's work with hb_sample_begin / hb_sample_end, which only read
 * the clock, so the measured loop stays the work and nothing else. The harness drops the
 * warm-up samples and reports the rest as <name> (median), <name>_min and <name>_max, by the
 * rule of stats.h, per operation of a sample.
 */
#ifndef HB_SAMPLE_H
#define HB_SAMPLE_H
#include <stdint.h>

#include "clock.h"
#include "stats.h"

struct hb_ctx;

struct hb_sampler {
	const char *name; /* the metric; the sampler adds _min and _max */
	const char *unit;
	uint64_t warmup; /* the first samples, not reported */
	uint64_t cap, n; /* warmup + samples; taken so far */
	uint64_t *ns;	 /* each sample's time */
	uint64_t t0;
};

/* Room for warmup + samples samples (samples >= 1). name and unit must outlive the sampler.
 * 0, -EINVAL or -ENOMEM. */
int hb_sampler_init(struct hb_sampler *s, const char *name, const char *unit, uint64_t warmup,
		    uint64_t samples);

static inline void hb_sample_begin(struct hb_sampler *s)
{
	s->t0 = hb_now_ns();
}

/* Samples beyond the room asked for are not kept. */
static inline void hb_sample_end(struct hb_sampler *s)
{
	uint64_t t = hb_now_ns();

	if (s->n < s->cap)
		s->ns[s->n++] = t - s->t0;
}

/* The samples after the warm-up, each divided by per (the operations one sample made: touches,
 * hops). 0, or -EINVAL (per not > 0) / -ENODATA (no sample after the warm-up) / -ENOMEM. */
int hb_sampler_stats(const struct hb_sampler *s, double per, struct hb_stats *st);
/* Rows <name> (median, with note), <name>_min and <name>_max in the sampler's unit, per
 * operation. Without a sample after the warm-up, <name> is "unavailable" saying so. */
void hb_sampler_report(struct hb_ctx *ctx, const struct hb_sampler *s, double per,
		       const char *note);
void hb_sampler_free(struct hb_sampler *s);

#endif
