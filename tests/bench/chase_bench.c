/*
 * The sparse workload's chase loop (hb_sparse_chase, unrolled 8x) against the plainest
 * dependent-load chain written by hand, over the same random cycle in the same memory.
 * Runs interleaved, RUNS of each per working set; prints medians, mins and the difference.
 * Usage: chase_bench [SIZE...] (default 64K 4M 256M; 4 KiB pages, dense 64-byte nodes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "clock.h"
#include "sparse.h"
#include "units.h"

#define RUNS 9
#define NODE 64
#define SAMPLE_NS 200000000ull

static volatile void *sink;

/* The reference: one load per iteration, nothing else, as one would write it by hand. */
__attribute__((noinline)) static void *hand_chase(void *p, uint64_t hops)
{
	while (hops--)
		p = *(void **)p;
	return p;
}

static double timed(void *(*f)(void *, uint64_t), void **p, uint64_t hops)
{
	uint64_t t0 = hb_now_ns();

	*p = f(*p, hops);
	return (double)(hb_now_ns() - t0) / (double)hops;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int bench(uint64_t size)
{
	uint64_t n = size / NODE, hops;
	double a[RUNS], h[RUNS], t;
	char *heap = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *p;
	char s[32];

	if (heap == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	madvise(heap, size, MADV_NOHUGEPAGE);
	hb_sparse_link(heap, n, NODE, 1, 12345);
	p = heap;
	p = hb_sparse_chase(p, n > 1000000 ? n : 1000000); /* a lap: warm caches and TLB */
	t = timed(hand_chase, &p, 1000000);
	hops = (uint64_t)((double)SAMPLE_NS / t);
	timed(hb_sparse_chase, &p, hops); /* discarded, like the workload's first sample */
	for (int r = 0; r < RUNS; r++) {
		a[r] = timed(hb_sparse_chase, &p, hops);
		h[r] = timed(hand_chase, &p, hops);
	}
	sink = p;
	qsort(a, RUNS, sizeof(*a), cmp_double);
	qsort(h, RUNS, sizeof(*h), cmp_double);
	hb_format_size(size, s, sizeof(s));
	printf("%6s  %9llu hops/run  hb_sparse_chase median %8.3f min %8.3f max %8.3f   "
	       "hand-written median %8.3f min %8.3f max %8.3f   ns/load  diff %+.2f%% (median), "
	       "%+.2f%% (min)\n", s, (unsigned long long)hops, a[RUNS / 2], a[0], a[RUNS - 1],
	       h[RUNS / 2], h[0], h[RUNS - 1], 100 * (a[RUNS / 2] / h[RUNS / 2] - 1),
	       100 * (a[0] / h[0] - 1));
	munmap(heap, size);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const def[] = { "64K", "4M", "256M" };
	int rc = 0;

	printf("chase loop vs hand-written chain: %d interleaved runs each, 64-byte nodes, "
	       "random cycle, 4 KiB pages\n", RUNS);
	for (int i = 0; i < (argc > 1 ? argc - 1 : 3); i++) {
		uint64_t size;

		if (hb_parse_size(argc > 1 ? argv[i + 1] : def[i], &size) || size < 2 * NODE) {
			fprintf(stderr, "chase_bench: bad size '%s'\n", argv[i + 1]);
			return 2;
		}
		rc |= bench(size);
	}
	return rc;
}
