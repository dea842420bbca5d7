/*
 * forkcow's pure parts (forkcow.h): where each write goes (the distributions) and the set
 * of distinct 4 KiB pages the writes touched (dirtied_pages). No system calls, so the unit
 * tests check them on known patterns.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forkcow.h"
#include "rng.h"

/* A prime: (rank * ZIPF_SPREAD + a random offset) mod nslots scatters the hot ranks over
 * the whole dataset (one-to-one unless nslots is a multiple of it). */
#define ZIPF_SPREAD 2654435761ull

void fc_picker_init(struct fc_picker *p, int dist, uint64_t nslots, double zipf_s,
		    uint64_t hot_pct, uint64_t seed)
{
	memset(p, 0, sizeof(*p));
	p->dist = dist;
	p->nslots = nslots ? nslots : 1;
	p->rng = seed;
	p->zipf_s = zipf_s;
	p->hot_slots = p->nslots * hot_pct / 100;
	if (!p->hot_slots)
		p->hot_slots = 1;
	p->zipf_off = hb_splitmix64(&p->rng) % p->nslots;
	if (fabs(zipf_s - 1.0) > 1e-9)
		p->zipf_top = pow((double)p->nslots + 1.0, 1.0 - zipf_s) - 1.0;
}

/* Zipf by inverting the continuous density x^-s over [1, n + 1): rank 0 is the hottest. */
static uint64_t zipf_rank(struct fc_picker *p)
{
	double u = (double)(hb_splitmix64(&p->rng) >> 11) * 0x1p-53, x;
	uint64_t r;

	if (p->zipf_top == 0.0)
		x = exp(u * log((double)p->nslots + 1.0));
	else
		x = pow(1.0 + u * p->zipf_top, 1.0 / (1.0 - p->zipf_s));
	r = x < 1.0 ? 0 : (uint64_t)x - 1;
	return r < p->nslots ? r : p->nslots - 1;
}

uint64_t fc_pick(struct fc_picker *p)
{
	uint64_t r;

	switch (p->dist) {
	case FC_ZIPF:
		r = zipf_rank(p);
		if (p->nslots % ZIPF_SPREAD == 0)
			return r;
		return (uint64_t)(((unsigned __int128)r * ZIPF_SPREAD + p->zipf_off) % p->nslots);
	case FC_SEQUENTIAL:
		r = p->seq++;
		if (p->seq == p->nslots)
			p->seq = 0;
		return r;
	case FC_HOTSET:
		return hb_splitmix64(&p->rng) % p->hot_slots;
	default:
		return hb_splitmix64(&p->rng) % p->nslots;
	}
}

int fc_pages_init(struct fc_pages *b, uint64_t bytes)
{
	b->npages = (bytes + 4095) / 4096;
	b->marked = 0;
	b->bits = calloc((b->npages + 63) / 64, sizeof(uint64_t));
	return b->bits ? 0 : -ENOMEM;
}

void fc_pages_mark(struct fc_pages *b, uint64_t off, uint64_t len)
{
	if (!len)
		return;
	for (uint64_t pg = off / 4096; pg <= (off + len - 1) / 4096 && pg < b->npages; pg++) {
		uint64_t bit = 1ull << (pg % 64);

		if (!(b->bits[pg / 64] & bit)) {
			b->bits[pg / 64] |= bit;
			b->marked++;
		}
	}
}

void fc_pages_free(struct fc_pages *b)
{
	free(b->bits);
	b->bits = NULL;
}
