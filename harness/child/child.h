/*
 * The cell's child process (this folder: the runtime behind the workload API, ctx.h): what
 * it is given to run and its entry point. The parent side (run/cell.c) fills the cell and
 * forks; the child runs the workload's phases and reports on the protocol (core/protocol.h).
 */
#ifndef HB_CHILD_H
#define HB_CHILD_H
#include <stdint.h>

#include "backing.h"
#include "workload.h"

/* One cell: one workload with one parameter set on one backing, one repetition. */
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

/* The child side (ctx_child.c): runs the workload's phases and reports on fd. Returns the
 * child's exit status. */
int hb_cell_child(const struct hb_cell *cell, int fd, const char *cgroup_dir, int cgroup_version);

#endif
