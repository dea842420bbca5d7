/*
 * The parameter sets of a workload in a run, as its outputs pick them, and their labels. Values
 * are read only through the workload's parameter table (outputs.h).
 */
#ifndef HB_SETS_H
#define HB_SETS_H
#include <stddef.h>

#include "outputs.h"
#include "rundata.h"
#include "workload.h"

/* The sets of w in the run (order of appearance), narrowed by pick (NULL: all). */
size_t hb_run_sets(const struct hb_rundata *d, const struct hb_workload *w, hb_sets_fn pick,
		   const char **out, size_t max);
/* The workload's label for sets[i], or what tells it apart from the other sets
 * ("size=1G stride=8K"), or "all" when nothing does. */
void hb_run_label(const struct hb_workload *w, const char *const *sets, size_t n, size_t i,
		  char *buf, size_t len);

/* Whether backing matches one of the space-separated shell patterns ("thp hugetlb-*"). */
int hb_backing_matches(const char *patterns, const char *backing);

#endif
