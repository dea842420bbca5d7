/* The verdict of one figure, base against new (the rule is in compare.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compare.h"
#include "mannwhitney.h"

const char *hb_cmp_verdict_name(enum hb_cmp_verdict v)
{
	static const char *const names[] = { "same", "better", "worse", "changed", "unknown",
					     "n/a", "lost" };

	return v <= HB_CMP_LOST ? names[v] : "?";
}

double hb_cmp_default_threshold(enum hb_metric_kind kind)
{
	switch (kind) {
	case HB_KIND_MEMORY:
		return 1;
	case HB_KIND_COUNT:
		return 0;
	default:
		return 5; /* times, rates, and what cannot be told */
	}
}

static int unit_is(const char *unit, const char *u)
{
	size_t n = strlen(u);

	/* "ms" and "ms/GiB" are times; "ops/s" is not a time of "ops". */
	return !strncmp(unit, u, n) && (!unit[n] || unit[n] == '/');
}

int hb_cmp_kind_scales(enum hb_metric_kind kind)
{
	return kind == HB_KIND_TIME || kind == HB_KIND_TAIL || kind == HB_KIND_RATE;
}

enum hb_metric_kind hb_cmp_kind_of_unit(const char *unit)
{
	static const char *const times[] = { "ns", "us", "ms", "s", "cycles", NULL };
	static const char *const mem[] = { "B", "bytes", "KiB", "MiB", "GiB", "pages", "kB",
					   "ratio", "%", NULL };

	if (!unit || !*unit)
		return HB_KIND_COUNT;
	if (strstr(unit, "/s"))
		return HB_KIND_RATE;
	for (int i = 0; times[i]; i++)
		if (unit_is(unit, times[i]))
			return HB_KIND_TIME;
	for (int i = 0; mem[i]; i++)
		if (unit_is(unit, mem[i]))
			return HB_KIND_MEMORY;
	return HB_KIND_TIME; /* unknown: treated as noisy, the careful side */
}

/* better or worse (or changed) by the declared direction of a change that counts. */
static enum hb_cmp_verdict direction(const struct hb_cmp_line *l)
{
	if (l->better == HB_NEITHER)
		return HB_CMP_CHANGED;
	if ((l->change_pct > 0) == (l->better == HB_HIGHER))
		return HB_CMP_BETTER;
	return HB_CMP_WORSE;
}

static double change_pct(double base, double new)
{
	if (base == new)
		return 0;
	if (base == 0)
		return new > 0 ? HUGE_VAL : -HUGE_VAL;
	return (new - base) / fabs(base) * 100;
}

/* With >= 5 repetitions a side: the U test decides. */
static void by_u_test(struct hb_cmp_line *l)
{
	struct hb_mwu u;
	double nx, ny, z;

	l->test = "U test";
	if (hb_mwu_test(l->base.v, l->base.n, l->new.v, l->new.n, &u)) {
		l->verdict = HB_CMP_UNKNOWN;
		snprintf(l->why, sizeof(l->why), "the U test failed on these samples");
		return;
	}
	l->p = u.p;
	if (u.p < HB_CMP_ALPHA) {
		l->verdict = direction(l);
		return;
	}
	l->verdict = HB_CMP_UNKNOWN;
	/* The U statistic's z grows with the square root of n at a fixed effect: a guess of the
	 * repetitions per side at which this effect would reach alpha (the exact method has no z:
	 * its normal score without corrections). */
	nx = (double)l->base.n, ny = (double)l->new.n;
	z = u.exact ? (u.u - nx * ny / 2) / sqrt(nx * ny * (nx + ny + 1) / 12) : u.z;
	if (z != 0) {
		double n = fmin(nx, ny) * pow(2.5758 / fabs(z), 2);

		snprintf(l->why, sizeof(l->why), "p = %.2g is not below %.2g: about %.0f repetitions "
			 "per side might tell", u.p, HB_CMP_ALPHA, ceil(fmax(n, fmin(nx, ny) + 1)));
	} else {
		snprintf(l->why, sizeof(l->why), "p = %.2g is not below %.2g: the sides do not "
			 "differ in rank", u.p, HB_CMP_ALPHA);
	}
}

void hb_cmp_decide(struct hb_cmp_line *l)
{
	const struct hb_stats *b = &l->base.st, *n = &l->new.st;
	int noisy = l->kind != HB_KIND_MEMORY && l->kind != HB_KIND_COUNT;
	int need = hb_mwu_min_n(HB_CMP_ALPHA);

	l->test = "";
	l->p = NAN;
	l->overlap = 0;
	l->change_pct = NAN;
	if (!l->base.n || !l->new.n) {
		l->verdict = HB_CMP_NA;
		return; /* why: set by the caller, who knows what is missing */
	}
	l->change_pct = change_pct(b->med, n->med);
	l->overlap = !(n->min > b->max || n->max < b->min);
	if (fabs(l->change_pct) <= l->threshold_pct) {
		l->test = "threshold";
		l->verdict = HB_CMP_SAME;
		return;
	}
	if ((int)l->base.n >= need && (int)l->new.n >= need) {
		by_u_test(l);
		return;
	}
	l->test = "ranges";
	if (noisy && (l->base.n < 2 || l->new.n < 2)) {
		l->verdict = HB_CMP_UNKNOWN;
		snprintf(l->why, sizeof(l->why), "one repetition says nothing of a time's noise: "
			 "needs %d per side (has %zu/%zu)", need, l->base.n, l->new.n);
		return;
	}
	if (l->overlap) {
		l->verdict = HB_CMP_UNKNOWN;
		snprintf(l->why, sizeof(l->why), "the ranges overlap: needs %d repetitions per side "
			 "for the U test (has %zu/%zu)", need, l->base.n, l->new.n);
		return;
	}
	l->verdict = direction(l);
}
