/*
 * The folklore verdict table: each claim a workload declares (outputs.h) against what this
 * machine measured. A verdict is given only when the noise allows it.
 */
#ifndef HB_VERDICT_H
#define HB_VERDICT_H
#include <stddef.h>

#include "doc.h"
#include "paired_fig.h"
#include "rundata.h"

enum hb_verdict {
	HB_V_NOT_MEASURED,
	HB_V_CANNOT_TELL,
	HB_V_CONFIRMED,
	HB_V_REFUTED,
	HB_V_MIXED,
};

/* "confirmed", "refuted", "mixed", "cannot tell", "not measured in this run". */
const char *hb_verdict_name(enum hb_verdict v);
/*
 * The rule (paired_fig.h), for one figure against its comparison paired by repetition: the
 * interval of the ratio must lie wholly inside [lo, hi] to confirm, wholly outside to refute;
 * otherwise no verdict, and why says why and, where more repetitions would decide, about how
 * many ("3 pairs: the 90% interval needs 5"). No pair at all: not measured.
 */
enum hb_verdict hb_verdict_judge(const struct hb_fig_cmp *c, double lo, double hi, char *why,
				 size_t len);
/* Several backings or parameter sets: a contradiction is "mixed"; figures that decide win
 * over those that cannot; nothing measured stays "not measured". */
enum hb_verdict hb_verdict_merge(enum hb_verdict acc, enum hb_verdict v);

/* The verdict section of the report: every registered workload's claims. */
void hb_verdict_section(struct hb_doc *d, const struct hb_rundata *r);

#endif
