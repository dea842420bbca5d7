/*
 * The folklore verdict table: each claim a workload declares (outputs.h) against what this
 * machine measured. A verdict is given only when the noise allows it.
 */
#ifndef HB_VERDICT_H
#define HB_VERDICT_H
#include <stddef.h>

#include "doc.h"
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
 * The rule, for one figure against its comparison (both over repetitions): the ratio
 * me / vs over the whole min-max ranges must lie inside [lo, hi] to confirm, wholly outside
 * to refute; otherwise, or with one repetition of a figure that is not exact, or when either
 * is missing, no verdict. why gets the reason of a "cannot tell" ("the ranges overlap").
 * *rlo and *rhi (may be NULL) get the ratio's range.
 */
enum hb_verdict hb_verdict_judge(const struct hb_stat *me, const struct hb_stat *vs, double lo,
				 double hi, int exact, double *rlo, double *rhi, char *why,
				 size_t len);
/* Several backings or parameter sets: a contradiction is "mixed"; figures that decide win
 * over those that cannot; nothing measured stays "not measured". */
enum hb_verdict hb_verdict_merge(enum hb_verdict acc, enum hb_verdict v);

/* The verdict section of the report: every registered workload's claims. */
void hb_verdict_section(struct hb_doc *d, const struct hb_rundata *r);

#endif
