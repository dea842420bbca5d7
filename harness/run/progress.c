/* Progress of a run on stderr: a line rewritten in place on a terminal, one per cell elsewhere. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "allocator.h"
#include "clock.h"
#include "log.h"
#include "record.h"
#include "sysinfo.h"

static void format_secs(double s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, len, "%ds", (int)s);
}

/* Elapsed and, once a cell has finished, the time left at the mean cell time so far. */
static void times(int done, int total, uint64_t t_start, char *el, char *left, size_t len)
{
	double e = (double)(hb_now_ns() - t_start) / 1e9;

	format_secs(e, el, len);
	if (done)
		format_secs(e / done * (total - done), left, len);
	else
		snprintf(left, len, "?");
}


void hb_progress_draw(void *arg)
{
	struct progress *p = arg;
	char el[32], left[32];
	uint64_t now = hb_now_ns();

	if (p->last_draw && now - p->last_draw < 500000000ull)
		return;
	p->last_draw = now;
	times(p->done, p->total, p->t_start, el, left, sizeof(el));
	fprintf(stderr, "\r\033[K[%d/%d done] now %s %s rep %d %.40s | elapsed %s, about %s left",
		p->done, p->total, p->cell->w->name, p->cell->backing.name, p->cell->rep,
		p->params, el, left);
	fflush(stderr);
}

void hb_progress_cell_done(int tty, int done, int total, uint64_t t_start, uint64_t t0,
			   const struct hb_cell *c, const char *params, enum hb_cell_outcome out,
			   const char *summary)
{
	char el[32], left[32];

	if (hb_log_quiet || (tty && (out == HB_CELL_OK || out == HB_CELL_INTERRUPTED)))
		return;
	times(done, total, t_start, el, left, sizeof(el));
	if (tty)
		fprintf(stderr, "\r\033[K");
	hb_info("[%d/%d] %s %s %s rep %d: %s (%.1f s; elapsed %s, about %s left)", done, total,
		c->w->name, c->backing.name, params, c->rep, summary,
		(double)(hb_now_ns() - t0) / 1e9, el, left);
}
