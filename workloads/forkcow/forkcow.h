/* forkcow's pure parts, apart so the unit test can check them without a fork. */
#ifndef HB_FORKCOW_H
#define HB_FORKCOW_H
#include <stdint.h>

#include "outputs.h"

/* Every row forkcow writes (forkcow_rows.c). */
extern const struct hb_metric_def hb_forkcow_metrics[];

enum { FC_UNIFORM, FC_ZIPF, FC_SEQUENTIAL, FC_HOTSET };

/* Which value slot the next write goes to. */
struct fc_picker {
	int dist;
	uint64_t nslots, hot_slots, seq, rng, zipf_off;
	double zipf_s, zipf_top; /* (nslots + 1)^(1 - s) - 1, for the inverse CDF */
};
void fc_picker_init(struct fc_picker *p, int dist, uint64_t nslots, double zipf_s,
		    uint64_t hot_pct, uint64_t seed);
uint64_t fc_pick(struct fc_picker *p);

/* The distinct 4 KiB pages a phase's writes touched. */
struct fc_pages {
	uint64_t *bits;
	uint64_t npages, marked;
};
int fc_pages_init(struct fc_pages *b, uint64_t bytes);
void fc_pages_mark(struct fc_pages *b, uint64_t off, uint64_t len);
void fc_pages_free(struct fc_pages *b);

#endif
