/*
 * `hugebench calibrate`'s sides as built (cmd_calibrate.c builds and runs them) and the
 * figures read back from them into calibration.csv and the report (calibrate_figures.c).
 */
#ifndef HB_CALIBRATE_SIDES_H
#define HB_CALIBRATE_SIDES_H
#include <stddef.h>

#include "matrix.h"
#include "rundata.h"
#include "twins.h"

/* A declared pair: its twin entry and the workload that declares it. */
struct cal_pair {
	const struct hb_twin *t;
	const struct hb_workload *owner;
	int after_real; /* a rule reads the real side's figures: the pilot sets its twin's */
};

/* One side as built: its matrix and entry per backing (a twin set by the pilot has one entry per
 * backing), the run its rows are in, and the texts its parameters point into. */
struct built {
	const struct hb_workload *w;
	const struct hb_matrix *m;
	const struct hb_rundata *d;
	size_t entry[HB_MAX_BACKINGS];
	int built[HB_MAX_BACKINGS];
	char *store[HB_MAX_BACKINGS];
};

/* After the runs: DIR/calibration.csv and the report from what d holds, each side's median
 * and the paired ratio over reps repetitions. An exit code. */
int hb_calibrate_write(const char *dir, const struct cal_pair *pairs, size_t np,
		       struct built *b, struct hb_rundata *d, const struct hb_backing *bk, int nb,
		       int reps);

#endif
