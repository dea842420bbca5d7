/* The run's record (meta.json) and its progress on stderr: the parts of a run around the cells. */
#ifndef HB_RUN_RECORD_H
#define HB_RUN_RECORD_H
#include <jansson.h>
#include <stdint.h>

#include "cell.h"
#include "matrix.h"

/* "2026-12-01T07:45:08Z" now. */
void hb_iso_now(char *buf, size_t len);
/* meta.json as the run starts: the machine (sysinfo), hugebench, the command, the entries. */
json_t *hb_run_meta(const struct hb_matrix *m, int argc, char **argv, const char *recovered);

/* On a terminal: one line, rewritten in place, naming the cell that runs now; redrawn at
 * every series sample so elapsed time moves during long cells. */
struct progress {
	int done, total;
	uint64_t t_start, last_draw;
	const struct hb_cell *cell;
	const char *params;
};

/* Redraws the progress line (at most twice a second); a cell env's tick. */
void hb_progress_draw(void *arg);
/* The line for a finished cell (every cell when not on a terminal, else only the ones that did
 * not go as planned, so that their reason stays on screen). */
void hb_progress_cell_done(int tty, int done, int total, uint64_t t_start, uint64_t t0,
			   const struct hb_cell *c, const char *params, enum hb_cell_outcome out,
			   const char *summary);

#endif
