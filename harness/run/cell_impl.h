/*
 * Inside the run engine: what the parent side of one cell shares between cell.c (resources and
 * rows), cell_child.c (the child and its report) and series.c (the time series).
 */
#ifndef HB_CELL_IMPL_H
#define HB_CELL_IMPL_H
#include <sys/types.h>

#include "cell.h"
#include "cgroup.h"
#include "results.h"

#define MAX_GAUGES 8

/* The time series of one cell, built in memory and written once at the end. */
struct series {
	char *buf;
	size_t len, cap;
	char gauge_names[MAX_GAUGES][32];
	double gauges[MAX_GAUGES];
	unsigned ngauges;
	char phase[48];
	uint64_t t0;
};

void hb_series_add(struct series *s, const char *text);
/* One row now: time, phase, the child's smaps_rollup, the charged view, the gauges. */
void hb_series_sample(struct series *s, pid_t pid, const struct hb_cgroup *cg);
/* series/<id>.csv in the run directory; frees the series. */
int hb_series_write(struct series *s, struct hb_results *res, const char *id);

/* A result row of the cell. Inline here, so cell_child.c does not call back into cell.c
 * (which calls it). */
static inline void hb_cell_row(struct hb_cell_env *env, const struct hb_cell *cell,
			       const char *metric, const char *value, const char *unit,
			       const char *note)
{
	hb_results_add(env->res, cell->w->name, cell->backing.name, cell->params_text, cell->rep,
		       metric, value, unit, note);
}
/* Forks the cell's child (exec'ing the harness when the workload gives it an environment),
 * collects its report and says how it went (why: the reason). */
enum hb_cell_outcome hb_cell_run_child(const struct hb_cell *cell, struct hb_cell_env *env,
				       struct hb_cgroup *cg, const struct hb_child_env *cenv,
				       struct series *s, char *why, size_t len);

#endif
