/*
 * Bench profiles: a small INI file (libinih) that lists the cells of a comparison.
 *
 *   [bench]                  ; optional: settings of the whole run
 *   reps = 3
 *   series_interval = 100ms
 *   cell_timeout = 10m       ; optional: every cell's wall-clock limit (0: none; default
 *                            ; from each workload's parameters, run/fit.h)
 *
 *   [sparse-1g]              ; one section per cell group, any name
 *   workload = sparse        ; default: the section name
 *   backings = 4k,thp,hugetlb-2m   ; default: those of 4k,thp,hugetlb-2m available here
 *   reps = 2                 ; optional: this group's repetitions (default [bench] reps)
 *   cell_timeout = 5m        ; optional: this group's cell timeout (beats [bench]'s)
 *   span = 1G                ; every other key is a workload parameter
 *
 *   [thresholds]             ; optional: for `compare --profile` and `bench --budget`
 *   populate_ms = 100        ; the change in % that counts for a metric (name or pattern)
 *   churn/4k/op_p99_us = 12  ; ... or for one cell's: workload/backing/metric (hugebench noise)
 *
 * Errors name the file and line. A section whose workload is not built into this binary
 * becomes skipped rows with the reason, so a profile can list workloads still to come.
 */
#ifndef HB_PROFILE_H
#define HB_PROFILE_H
#include <stddef.h>
#include <stdint.h>

struct hb_matrix;

struct hb_profile {
	char **strings; /* values the parameter structs point to (HB_PT_STRING) */
	size_t nstrings;
	int sections;	/* cell groups in the file, before --only */
	int selected;	/* cell groups --only kept */
	/* [thresholds]: metric name or pattern -> percent, in file order */
	struct hb_profile_threshold {
		char *metric;
		double pct;
	} thresholds[256];
	size_t nthresholds;
	/* [bench] budget: after the repetitions of each section, more rounds for the cells of a
	 * claim the paired rule cannot decide yet, while the run's time stays within this (ns;
	 * 0: none); max_reps: the cap on any cell's repetitions then (0: the harness's). */
	uint64_t budget_ns;
	int max_reps;
};

/* "quick" -> <data dir>/profiles/quick.ini; a name with a '/' or ending in ".ini" is a path.
 * Returns 0 or -ENAMETOOLONG. */
int hb_profile_path(const char *name, char *buf, size_t len);
/* The shipped profiles' names (<data dir>/profiles/NAME.ini), "ci, full, quick", sorted; "" when
 * the directory cannot be read. */
void hb_profiles_shipped(char *buf, size_t len);
/* Parses path and adds its cells to m (reps and series interval too). only: a shell pattern
 * matched against section and workload names, or NULL. Returns 0; -ENOENT (cannot open),
 * -EINVAL (bad file: err says "path:line: what"), -ENOTSUP (built without libinih). */
int hb_profile_load(const char *path, const char *only, struct hb_matrix *m,
		    struct hb_profile *p, char *err, size_t errlen);
void hb_profile_free(struct hb_profile *p);

#endif
