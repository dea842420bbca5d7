/* The sampler (sample.h): storage, statistics and rows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "sample.h"

int hb_sampler_init(struct hb_sampler *s, const char *name, const char *unit, uint64_t warmup,
		    uint64_t samples)
{
	memset(s, 0, sizeof(*s));
	if (!name || !samples || warmup + samples < samples)
		return -EINVAL;
	s->ns = calloc(warmup + samples, sizeof(*s->ns));
	if (!s->ns)
		return -ENOMEM;
	s->name = name;
	s->unit = unit;
	s->warmup = warmup;
	s->cap = warmup + samples;
	return 0;
}

int hb_sampler_stats(const struct hb_sampler *s, double per, struct hb_stats *st)
{
	uint64_t n = s->n > s->warmup ? s->n - s->warmup : 0;
	double *v;
	int rc;

	memset(st, 0, sizeof(*st));
	if (!(per > 0))
		return -EINVAL;
	if (!n)
		return -ENODATA;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		v[i] = (double)s->ns[s->warmup + i] / per;
	rc = hb_stats_of(v, n, st);
	free(v);
	return rc;
}

void hb_sampler_report(struct hb_ctx *ctx, const struct hb_sampler *s, double per, const char *note)
{
	struct hb_stats st;
	char name[96];
	int rc = hb_sampler_stats(s, per, &st);

	if (rc) {
		hb_metric_text(ctx, s->name, "unavailable",
			       rc == -ENODATA ? "no sample after the warm-up" : strerror(-rc));
		return;
	}
	hb_metric(ctx, s->name, st.med, s->unit, note);
	snprintf(name, sizeof(name), "%s_min", s->name);
	hb_metric(ctx, name, st.min, s->unit, NULL);
	snprintf(name, sizeof(name), "%s_max", s->name);
	hb_metric(ctx, name, st.max, s->unit, NULL);
}

void hb_sampler_free(struct hb_sampler *s)
{
	free(s->ns);
	s->ns = NULL;
	s->n = s->cap = 0;
}
