/* replay: a trace from `hugebench record` replayed in a cell (replay.c: the table and outputs;
 * replay_run.c: the engine). */
#ifndef HB_REPLAY_H
#define HB_REPLAY_H
#include <stdint.h>

#include "ctx.h"

enum { TOUCH_WHOLE, TOUCH_FIRST, TOUCH_NONE };
enum { PACE_FAST, PACE_RECORDED };

struct replay_params {
	const char *allocator, *allocator_conf;
	const char *trace;
	int touch, pace;
	uint64_t idle_gaps; /* ns: pace=fast waits out recorded pauses at least this long */
	uint64_t memory;
};

/* Replays the whole trace, reporting as replay.c declares. 0 or -errno. */
int replay_trace(struct hb_ctx *ctx, const struct replay_params *p);

#endif
