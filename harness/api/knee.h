/*
 * The knee of a latency-vs-working-set curve (the sparse workload's sweep), as a pure function
 * so it can be tested on synthetic curves.
 */
#ifndef HB_KNEE_H
#define HB_KNEE_H
#include <stddef.h>
#include <stdint.h>

/* How far above the memory plateau a point must be to count as the knee (0.25: 25%). */
#define HB_KNEE_RISE 0.25

/*
 * The rule: beyond the last cache level a dependent random load costs one memory access,
 * whatever the working set, as long as translation is free; what makes it rise further is
 * translation (TLB misses whose page walks miss the caches). So:
 *   1. the memory plateau is the first point at or beyond 4 x llc_bytes (by then at most a
 *      quarter of random loads can hit the last-level cache). With llc_bytes 0 (unknown) it
 *      is the point just after the largest step ns[i] / ns[i-1] of the curve.
 *   2. the knee is the smallest working set beyond the plateau whose latency is at least
 *      (1 + rise) x the plateau's.
 * size[] must ascend. Returns the knee's index, or -ENOENT when the curve has no plateau
 * point or never rises that far (no knee within the sweep), -EINVAL for bad input. *plateau
 * gets the plateau's index when there is one (else it is left alone).
 */
int hb_knee_find(const uint64_t *size, const double *ns, size_t n, uint64_t llc_bytes,
		 double rise, size_t *plateau);

#endif
