/* DIR/report.md and DIR/report.html from a run and the records of the charts drawn. */
#ifndef HB_REPORT_H
#define HB_REPORT_H

#include "chart.h"

/* 0 or -errno. */
int hb_report_write(const struct hb_plot *p);

#endif
