/* The rule that turns a measured ratio and its noise into a verdict on a claim. */
#include <stdio.h>

#include "verdict.h"

const char *hb_verdict_name(enum hb_verdict v)
{
	switch (v) {
	case HB_V_CONFIRMED:
		return "confirmed";
	case HB_V_REFUTED:
		return "refuted";
	case HB_V_MIXED:
		return "mixed";
	case HB_V_CANNOT_TELL:
		return "cannot tell";
	case HB_V_NOT_MEASURED:
		break;
	}
	return "not measured in this run";
}

enum hb_verdict hb_verdict_judge(const struct hb_stat *me, const struct hb_stat *vs, double lo,
				 double hi, int exact, double *rlo, double *rhi, char *why,
				 size_t len)
{
	double a, b;

	if (len)
		why[0] = 0;
	if (!me->n || !vs->n) {
		snprintf(why, len, "no %s figure", !me->n ? "measured" : "comparison");
		return HB_V_NOT_MEASURED;
	}
	if (me->min <= 0 || vs->min <= 0) {
		/* A ratio to zero, or across zero, says nothing about a factor. */
		snprintf(why, len, "a figure is zero or negative");
		return HB_V_CANNOT_TELL;
	}
	a = me->min / vs->max;
	b = me->max / vs->min;
	if (rlo)
		*rlo = a;
	if (rhi)
		*rhi = b;
	if (!exact && (me->n < 2 || vs->n < 2)) {
		snprintf(why, len, "one repetition: no range to judge the noise by");
		return HB_V_CANNOT_TELL;
	}
	if (a >= lo && b <= hi)
		return HB_V_CONFIRMED;
	if (b < lo || a > hi) {
		/* Which side matters: "faster than claimed" is not "slower". */
		snprintf(why, len, "%.3g-%.3gx is %s the claimed range", a, b,
			 b < lo ? "below" : "above");
		return HB_V_REFUTED;
	}
	if (me->min <= vs->max && vs->min <= me->max)
		snprintf(why, len, "the ranges overlap");
	else
		snprintf(why, len, "the ratio's range %.3g-%.3gx straddles the claimed bound", a,
			 b);
	return HB_V_CANNOT_TELL;
}

enum hb_verdict hb_verdict_merge(enum hb_verdict acc, enum hb_verdict v)
{
	if (acc == HB_V_NOT_MEASURED)
		return v;
	if (v == HB_V_NOT_MEASURED || acc == v || acc == HB_V_MIXED)
		return acc;
	if (acc == HB_V_CANNOT_TELL)
		return v;
	if (v == HB_V_CANNOT_TELL)
		return acc;
	return HB_V_MIXED; /* confirmed against refuted, or mixed */
}
