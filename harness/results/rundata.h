/*
 * A run directory read back for charts and the report: results.csv and meta.json. Needs only
 * the directory, so runs from another machine plot the same way.
 */
#ifndef HB_RUNDATA_H
#define HB_RUNDATA_H
#include <limits.h>
#include <stddef.h>

#include "csvread.h"
#include "machine_record.h"
#include "row.h"

struct hb_rundata {
	char dir[PATH_MAX];
	struct hb_csv csv;
	struct hb_row *rows; /* fields point into csv */
	size_t n;
	struct hb_machine_record rec; /* meta.json; empty when missing or unreadable (a note) */
	char meta_note[256];
	char machine[256]; /* "AMD EPYC, Linux 6.18.44, THP madvise": every chart's title */
	char hypervisor[64]; /* "KVM", or "none" */
};

/* Statistics over repetitions of one figure. */
struct hb_stat {
	int n;
	double med, min, max;
	const char *unit;
};

#define HB_MAX_LIST 256

/* Returns 0 or -errno with err saying what is wrong with the directory. */
int hb_rundata_load(const char *dir, struct hb_rundata *d, char *err, size_t errlen);
void hb_rundata_free(struct hb_rundata *d);
/* The numeric values of metric for workload/backing/params (NULL: any) over reps. */
void hb_rundata_stat(const struct hb_rundata *d, const char *workload, const char *backing,
		     const char *params, const char *metric, struct hb_stat *st);
/* The numeric values of metric for workload/backing/params, one per repetition: rep[i] and
 * v[i] (at most max, in row order; a repetition with two values keeps the first). Returns the
 * count. The paired rule pairs these by rep across backings (report/paired_fig.h). */
size_t hb_rundata_reps(const struct hb_rundata *d, const char *workload, const char *backing,
		       const char *params, const char *metric, int *rep, double *v, size_t max);
/* Distinct backings / parameter sets of a workload (NULL: every workload), in order of
 * appearance, 4k first. Returns the count (at most max). */
size_t hb_rundata_backings(const struct hb_rundata *d, const char *workload, const char **out,
			   size_t max);
size_t hb_rundata_params(const struct hb_rundata *d, const char *workload, const char **out,
			 size_t max);
/* Whether workload has any row with a number (skipped-only workloads have none). */
int hb_rundata_has(const struct hb_rundata *d, const char *workload);

#endif
