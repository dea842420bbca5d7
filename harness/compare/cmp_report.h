/* compare --out DIR: the compare report (md + html), its CSV and JSON, and charts. */
#ifndef HB_CMP_REPORT_H
#define HB_CMP_REPORT_H

#include "compare.h"

/* summary: the verdict counts as one sentence; relative: figures are ratios to a backing.
 * 0 or -errno. */
int hb_cmp_report(const char *dir, const struct hb_cmp_result *r, const struct hb_cmp_run *base,
		  const struct hb_cmp_run *news, size_t nnew, const char *summary, int relative);

#endif
