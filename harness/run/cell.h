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
#include "child.h"
#include "workload.h"

/* struct hb_cell, what one cell is, is the child's (child/child.h): both sides need it. */
struct hb_knobs;
struct hb_results;

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
	/* "NAME=VALUE" machine knobs (run --knob), written before the backing's prepare, so a
	 * backing's own setting wins where it sets one; put back with every knob after the cell */
	const char *const *knob_args;
	int nknob_args;
};

const char *hb_cell_outcome_name(enum hb_cell_outcome o);
enum hb_cell_outcome hb_cell_run(const struct hb_cell *cell, struct hb_cell_env *env);

/* In the forked child (cell_exec.c): execs `hugebench __cell ...` with the harness's
 * environment plus env; fd must survive the exec. Returns -errno only when exec failed. */
int hb_cell_exec(const struct hb_cell *cell, const struct hb_child_env *env, int fd,
		 const char *cgroup_dir, int cgroup_version);
/* `hugebench __cell ...`: rebuilds the cell from its arguments and runs hb_cell_child. */
int hb_cell_exec_main(int argc, char **argv);

/* Set by hugebench's main: every cell's child execs `hugebench __cell` (a fresh image, so
 * its Rss is the cell's alone). A program without the __cell command (a unit test that runs
 * cells) leaves it 0: its cells fork, and exec only for an environment of their own. */
extern int hb_cell_exec_always;

#endif
