/*
 * Cost of hb_hist_record per sample. Latencies are drawn up front (log-uniform 50 ns..10 ms)
 * and cycled, so neither the RNG nor libm is timed; a loop that only sums the same array is
 * timed too, and the histogram's own cost is the difference.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "histogram.h"

#define NVALS 1000000
#define PASSES 100 /* NVALS * PASSES = 100M records per run */
#define RUNS 7

static uint64_t vals[NVALS];
static struct hb_hist hist;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static double run_record(void)
{
	uint64_t t0, t1;
	unsigned pass, i;

	hb_hist_init(&hist);
	t0 = hb_now_ns();
	for (pass = 0; pass < PASSES; pass++)
		for (i = 0; i < NVALS; i++)
			hb_hist_record(&hist, vals[i]);
	/* Keep the stores to hist on this side of the clock read. */
	__asm__ volatile("" ::: "memory");
	t1 = hb_now_ns();
	return (double)(t1 - t0) / ((double)NVALS * PASSES);
}

/*
 * Not vectorised: the record loop cannot be (its increments scatter), so a SIMD sum would
 * understate what the loop and its loads cost and inflate the difference.
 */
__attribute__((optimize("no-tree-vectorize")))
static double run_baseline(uint64_t *out)
{
	uint64_t t0, t1, sum = 0;
	unsigned pass, i;

	t0 = hb_now_ns();
	for (pass = 0; pass < PASSES; pass++)
		for (i = 0; i < NVALS; i++)
			sum += vals[i];
	/* The sum is needed here, so the loop cannot sink past the clock read. */
	__asm__ volatile("" : : "r"(sum) : "memory");
	t1 = hb_now_ns();
	*out = sum;
	return (double)(t1 - t0) / ((double)NVALS * PASSES);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	double rec[RUNS], base[RUNS];
	uint64_t sum = 0;
	unsigned i;

	for (i = 0; i < NVALS; i++) {
		double u = (double)(rng_next() >> 11) * 0x1.0p-53;

		vals[i] = (uint64_t)exp(log(50.0) + u * (log(10e6) - log(50.0)));
	}
	/* One untimed run of each faults the pages in and warms the caches. */
	run_record();
	run_baseline(&sum);
	for (i = 0; i < RUNS; i++) {
		rec[i] = run_record();
		base[i] = run_baseline(&sum);
	}
	qsort(rec, RUNS, sizeof(rec[0]), cmp_double);
	qsort(base, RUNS, sizeof(base[0]), cmp_double);

	printf("hb_hist_record: %d runs of %llu records (%d distinct latencies cycled)\n", RUNS,
	       (unsigned long long)NVALS * PASSES, NVALS);
	printf("  record loop:   median %.3f ns/record, min %.3f\n", rec[RUNS / 2], rec[0]);
	printf("  baseline loop: median %.3f ns/record, min %.3f (sum only)\n", base[RUNS / 2],
	       base[0]);
	printf("  histogram's own cost: median %.3f ns/record, min %.3f\n",
	       rec[RUNS / 2] - base[RUNS / 2], rec[0] - base[0]);
	/* Printing results derived from both loops keeps the compiler from dropping either. */
	printf("  check: count %llu, p50 %llu ns, p99 %llu ns, max %llu ns, mean %.0f ns, "
	       "sum %llu\n",
	       (unsigned long long)hist.count, (unsigned long long)hb_hist_percentile(&hist, 50),
	       (unsigned long long)hb_hist_percentile(&hist, 99), (unsigned long long)hist.max,
	       hb_hist_mean(&hist), (unsigned long long)sum);
	return 0;
}
