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

#endif
