/* The one random-number generator of the workloads, so the same seed gives the same choices. */
#ifndef HB_RNG_H
#define HB_RNG_H
#include <stdint.h>

/* splitmix64: small, seedable (any state, 0 included), good enough to shuffle and to pick;
 * each call advances *state. */
static inline uint64_t hb_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
