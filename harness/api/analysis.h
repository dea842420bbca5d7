/*
 * A workload's cross-cell analysis (struct hb_workload's .derive): in the parent, once every
 * cell of the run has finished, over the run's typed rows, with the machine's facts from the
 * run's own machine record (meta.json), never from reading the machine again. What it adds
 * becomes rows of the run like any other.
 */
#ifndef HB_ANALYSIS_H
#define HB_ANALYSIS_H
#include <stddef.h>
#include <stdint.h>

#include "row.h"

/* The facts of the run's machine record an analysis may use; 0: unknown. */
struct hb_machine_facts {
	uint64_t llc_bytes;	/* one last-level cache instance */
	uint64_t tlb_reach_4k;	/* largest data TLB's entries x page size (cpuid) */
	uint64_t tlb_reach_2m;
	uint64_t tlb_reach_1g;
};

struct hb_analysis {
	const char *workload;
	const struct hb_row *rows; /* the run's rows when the analysis began (stable meanwhile) */
	size_t n;
	struct hb_machine_facts machine;
	void *added; /* the harness's: rows added so far */
};

/* The TLB reach for a page size (4 KiB, 2 MiB, 1 GiB); 0 when unknown or another size. */
uint64_t hb_machine_tlb_reach(const struct hb_machine_facts *m, uint64_t page_size);
/* The page size a backing asks for (4096 for 4k and THP-never, 2M for thp, ...); 0 unknown. */
uint64_t hb_analysis_page_size(const char *backing);
/* A row of the analysed workload. 0 or -ENOMEM. */
int hb_analysis_add(struct hb_analysis *a, const char *backing, const char *params, int rep,
		    const char *metric, double value, const char *unit, const char *note);
int hb_analysis_add_text(struct hb_analysis *a, const char *backing, const char *params, int rep,
			 const char *metric, const char *value, const char *unit,
			 const char *note);

#endif
