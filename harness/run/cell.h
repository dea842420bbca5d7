/*
 * One cell: one workload with one parameter set on one backing, one repetition, in a fresh
 * child process. The parent prepares the backing's knobs and the cell's memory cgroup, samples
 * the child's memory every series interval, collects the child's metrics from a pipe and
 * turns all of it into result rows; then it puts every knob back.
 */
#ifndef HB_CELL_H
#define HB_CELL_H
#include <signal.h>
#include <stdint.h>

#include "backing.h"
#include "workload.h"

struct hb_knobs;
struct hb_results;

struct hb_cell {
	const struct hb_workload *w;
	const void *params;
	const char *params_text; /* canonical, for the params column */
	struct hb_backing backing;
	int rep;
	uint64_t seed;
	const char *events; /* --events: libpfm4 event list; NULL or "" for the default set */
	char id[128]; /* names the series file: <workload>-<backing>-<n>-r<rep> */
	uint64_t timeout_ns;	/* wall-clock limit of the child (hb_matrix_cell_timeout); 0: none */
	char timeout_from[320]; /* how the limit was made, for the failed row's note */
};

enum hb_cell_outcome {
	HB_CELL_OK,
	HB_CELL_FALLBACK, /* ran, but did not get the huge pages it asked for */
	HB_CELL_SKIPPED,
	HB_CELL_FAILED,
	HB_CELL_INTERRUPTED,
};

struct hb_cell_env {
	struct hb_knobs *knobs;
	struct hb_results *res;
	const char *cgroup_parent_dir; /* "" when no memory cgroup can be made, with reason: */
	const char *cgroup_unavailable;
	int cgroup_version;
	uint64_t series_interval_ns;
	volatile sig_atomic_t *stop;	/* set by the runner's signal handler */
	volatile sig_atomic_t *child;	/* the running child's pid, for that handler */
	char summary[256];		/* one line about how the cell went, for progress */
	void (*tick)(void *arg);	/* optional: called at every series sample (progress) */
	void *tick_arg;
};

const char *hb_cell_outcome_name(enum hb_cell_outcome o);
enum hb_cell_outcome hb_cell_run(const struct hb_cell *cell, struct hb_cell_env *env);

/* The child side (ctx.c): runs the workload's phases and reports on fd. Returns the child's
 * exit status. */
int hb_cell_child(const struct hb_cell *cell, int fd, const char *cgroup_dir, int cgroup_version);
/* In the forked child (cell_exec.c): execs `hugebench __cell ...` with the harness's
 * environment plus env; fd must survive the exec. Returns -errno only when exec failed. */
int hb_cell_exec(const struct hb_cell *cell, const struct hb_child_env *env, int fd,
		 const char *cgroup_dir, int cgroup_version);
/* `hugebench __cell ...`: rebuilds the cell from its arguments and runs hb_cell_child. */
int hb_cell_exec_main(int argc, char **argv);

#endif
