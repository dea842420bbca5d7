/* The rule that turns a measured ratio and its noise into a verdict on a claim. */
#include <stdio.h>

#include "paired_fig.h"

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

enum hb_verdict hb_verdict_judge(const struct hb_fig_cmp *c, double lo, double hi, char *why,
				 size_t len)
{
	char iv[80];
	int need;

	if (c->diff) {
		char lo[32], hi[32];

		hb_fig_num(c->lo, lo, sizeof(lo));
		hb_fig_num(c->hi, hi, sizeof(hi));
		snprintf(iv, sizeof(iv), "%s to %s", lo, hi);
	} else
		snprintf(iv, sizeof(iv), "%.3g-%.3gx", c->lo, c->hi);
	if (len)
		why[0] = 0;
	if (!c->n) {
		snprintf(why, len, "no repetition has both figures");
		return HB_V_NOT_MEASURED;
	}
	if (!c->has_interval) {
		snprintf(why, len, "%zu pair%s: the 90%% interval needs %d repetitions", c->n,
			 c->n == 1 ? "" : "s", HB_PAIRED_MIN);
		return HB_V_CANNOT_TELL;
	}
	switch (hb_fig_where(c, lo, hi)) {
	case HB_FIG_INSIDE:
		return HB_V_CONFIRMED;
	case HB_FIG_OUTSIDE:
		/* Which side matters: "faster than claimed" is not "slower". */
		snprintf(why, len, "%s is %s the claimed range", iv, c->hi < lo ? "below" : "above");
		return HB_V_REFUTED;
	case HB_FIG_UNDECIDED:
		break;
	}
	need = hb_fig_reps_needed(c, lo, hi);
	if (need)
		snprintf(why, len, "%s straddles the claimed bound; about %d repetitions would "
			 "decide", iv, need);
	else
		snprintf(why, len, "%s straddles the claimed bound, and the repetitions sit on both "
			 "sides of it: more are unlikely to decide", iv);
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
