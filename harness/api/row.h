/*
 * One result row: the one typed model of hugebench's results. The run directory's writer
 * (results/results.c), its reader (results/rundata.c: plot, report, compare) and a workload's
 * cross-cell analysis all hold rows of this type; results/schema.c is the one CSV schema.
 */
#ifndef HB_ROW_H
#define HB_ROW_H

struct hb_row {
	char *workload, *backing, *params; /* params: canonical, as the workload's table formats */
	int rep;			   /* 1.., or 0 for a figure of the whole run */
	char *metric;
	char *value; /* as written: a number, or text ("unavailable", "ok", a version) */
	char *unit, *note;
	int num;  /* value is a number */
	double v; /* ... and this is it */
};

#endif
