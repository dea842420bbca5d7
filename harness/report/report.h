/* DIR/report.md and DIR/report.html from a run and the records of the charts drawn. */
#ifndef HB_REPORT_H
#define HB_REPORT_H

#include "chart.h"

struct hb_doc;
/* The report's opening decision (advise_out.c): hugebench advise's balanced priority. */
void hb_advise_section(struct hb_doc *d, const struct hb_rundata *r);

/* 0 or -errno. */
int hb_report_write(const struct hb_plot *p);

#endif
