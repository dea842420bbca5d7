/*
 * The one rule for a figure's median, min and max over repeated measurements, used by the
 * sampler in the cell (sample.h) and, over repetitions, by the report.
 */
#ifndef HB_STATS_H
#define HB_STATS_H
#include <stddef.h>

struct hb_stats {
	size_t n;
	double med, min, max;
};

/* Sorts v (n values) ascending and gives its median (the middle value for odd n, the mean of
 * the two middle values for even n), min and max. 0, or -EINVAL when n is 0 (st zeroed). */
int hb_stats_of(double *v, size_t n, struct hb_stats *st);

#endif
