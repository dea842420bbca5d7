/*
 * `hugebench noise`: thresholds from the runner's own spread. K runs of one profile on one
 * runner, compared as compare joins them; per cell and metric the threshold its medians need
 * (hb_noise_threshold's rule, compare.h), and per metric the largest of its cells' (for a cell
 * the runs did not have).
 */
#ifndef HB_COMPARE_NOISE_H
#define HB_COMPARE_NOISE_H
#include <stddef.h>

#include "compare.h"

struct hb_noise_entry {
	char key[256];	   /* "workload/backing/metric", or a metric alone */
	double change_pct; /* the largest median-to-median change between two runs */
	double pct;	   /* the threshold (the rule) */
	int cell;	   /* 1: one cell's; 0: the metric's, the largest over its cells */
};

struct hb_noise_fit {
	struct hb_noise_entry *e;
	size_t n;
	size_t runs;
};

/* Fits runs[0..k-1] (k >= 2): 0; -EINVAL with err when they have no cell in common or k < 2;
 * -ENOMEM. Cells sorted as the first run has them, then the metric-wide entries. */
int hb_noise_fit(const struct hb_cmp_run *runs, size_t k, struct hb_noise_fit *fit, char *err,
		 size_t errlen);
void hb_noise_fit_free(struct hb_noise_fit *fit);

#endif
