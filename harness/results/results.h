/*
 * The run directory: results.csv (tidy: one row per cell, repetition and metric), meta.json,
 * series/<cell>.csv. Every file is written to a temporary name and renamed, so a reader never
 * sees half a file, also when the run is interrupted.
 */
#ifndef HB_RESULTS_H
#define HB_RESULTS_H
#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#include "row.h"
#include "text.h" /* hb_text_append, which the writers of these files use */


struct hb_results {
	char dir[PATH_MAX];
	struct hb_row *rows;
	size_t n, cap;
	/* The first write into dir that failed (e.g. a full disk), said once on stderr: a run
	 * then runs no more cells, since it could not keep their results. 0: none. */
	int write_err;
	char write_path[PATH_MAX + 64];
};

/* Makes the run directory (dir, or results/<UTC yyyymmddThhmmssZ>-<hostname>) and series/.
 * Returns 0 or -errno with err naming the directory. */
int hb_results_open(struct hb_results *r, const char *dir, char *err, size_t errlen);
int hb_results_add(struct hb_results *r, const char *workload, const char *backing,
		   const char *params, int rep, const char *metric, const char *value,
		   const char *unit, const char *note);
/* Same with a number (printed with enough digits to round-trip what matters). */
int hb_results_addf(struct hb_results *r, const char *workload, const char *backing,
		    const char *params, int rep, const char *metric, double value,
		    const char *unit, const char *note);
/* Rewrites results.csv atomically with every row so far. */
int hb_results_write_csv(struct hb_results *r);
/* DIR/name atomically. */
int hb_results_write_file(struct hb_results *r, const char *name, const char *data,
			  size_t len);
int hb_results_write_json(struct hb_results *r, const char *name, const json_t *j);
void hb_results_free(struct hb_results *r);

/* Any file atomically: path.tmp.<pid>, fsync, rename. */
int hb_atomic_write(const char *path, const char *data, size_t len);

#endif
