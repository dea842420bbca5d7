/* The churn workload's private parts, shared by churn.c (parameters, hooks) and
 * churn_phases.c (the store's phases). */
#ifndef HB_CHURN_H
#define HB_CHURN_H
#include <stdint.h>

#include "params.h"
#include "units.h" /* struct hb_value_dist: the value_size syntax */

#define PATTERN 61 /* a value's bytes start at offset id % PATTERN of the pattern */

struct hb_ctx;

enum limit_at { LIMIT_AT_IDLE, LIMIT_AT_START }; /* order of the limit_at choices */

struct churn_params {
	const char *allocator, *allocator_conf;
	uint64_t keys, key_size;
	const char *value_size;
	uint64_t get_pct, set_pct, del_pct, ops_rate;
	uint64_t churn_time, drain_pct, idle, refill;
	const char *timing;
	uint64_t limit;
	int limit_at; /* enum limit_at */
	const char *max_ptes_none;
	int shrink_underused;
	uint64_t verify, prefetch;
};

int churn_parse_timing(const char *s, uint64_t *every);

int churn_setup(struct hb_ctx *ctx, const void *p, void **state);
int churn_run(struct hb_ctx *ctx, const void *p, void *state);

#endif
