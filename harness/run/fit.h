/*
 * The fit check: a cell that cannot fit is refused before anything is mapped, as bad input,
 * not a crash. The one place the MemAvailable share a cell may use is decided; a workload says
 * what it needs (memory_needed) and, optionally, how to get out of a refusal (fit_hint).
 * hb_matrix_check_fit (matrix.h) runs it over every cell of a matrix.
 */
#ifndef HB_FIT_H
#define HB_FIT_H
#include <stddef.h>
#include <stdint.h>

#include "backing.h"
#include "workload.h"

/* What the machine can give a cell now. */
struct hb_fit_avail {
	uint64_t mem_available; /* bytes; 0: unknown, then only hugetlb pools are checked */
	uint64_t hugetlb_free;	/* free pages in the pool of the backing's page size */
	int root;		/* the harness may grow a hugetlb pool out of MemAvailable */
};

/*
 * Does a cell of w with these parameters, needing `need` bytes, fit on bk? 0, or -ENOMEM with
 * why naming the cell, what it needs, what there is, the parameters, and the workload's hint.
 */
int hb_fit_cell(const struct hb_workload *w, const void *params, const char *params_text,
		const struct hb_backing *bk, uint64_t need, const struct hb_fit_avail *av,
		char *why, size_t len);

/*
 * Every cell is bounded. The default wall-clock limit of a cell comes from the workload's own
 * parameters: HB_TIMEOUT_FLOOR_S, plus twice the sum of every duration parameter (a phase
 * length may be used more than once, e.g. forkcow's baseline and after phases), plus a
 * populate allowance of HB_TIMEOUT_S_PER_GIB per GiB of memory_needed (first touch here costs
 * ~2.3 s per GiB in a VM, DESIGN.md fact 5: about 4x that). Rounded up to whole seconds.
 * from says how it was made. Returns nanoseconds.
 */
#define HB_TIMEOUT_FLOOR_S 30
#define HB_TIMEOUT_S_PER_GIB 10
uint64_t hb_cell_timeout_default(const struct hb_workload *w, const void *params, char *from,
				 size_t len);

/*
 * The memory limit of a cell's cgroup: what the fit check allowed (memory_needed) plus a
 * margin of a quarter of it plus HB_LIMIT_MARGIN_MIB (the harness in the child, page tables,
 * counters, histograms), rounded up to a MiB. hugetlb pages are not charged to a memory
 * cgroup: on a backing with a reserved pool the region does not count, only the margin does
 * (unless the workload's memory is the process's heap, which stays charged). Test only: the
 * environment variable HB_TEST_MEMLIMIT_KIB, when set, replaces it (to make a cell exceed its
 * limit on purpose). Returns bytes; from says how it was made.
 */
#define HB_LIMIT_MARGIN_MIB 256
uint64_t hb_cell_memory_limit(const struct hb_workload *w, const void *params,
			      const struct hb_backing *bk, char *from, size_t len);

#endif
