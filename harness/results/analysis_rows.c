/* What a workload's analysis calls (analysis.h): the rows it adds go into the results the
 * analysis step (run/analysis.c) gave it; the machine facts and page sizes it asks about. */
#include <stdint.h>

#include "analysis.h"
#include "backing.h"
#include "results.h"

uint64_t hb_machine_tlb_reach(const struct hb_machine_facts *m, uint64_t page_size)
{
	return page_size == 4096	   ? m->tlb_reach_4k
	       : page_size == 2ull << 20 ? m->tlb_reach_2m
	       : page_size == 1ull << 30 ? m->tlb_reach_1g
					 : 0;
}

uint64_t hb_analysis_page_size(const char *backing)
{
	struct hb_backing b;
	char err[256];

	return hb_backing_parse(backing, &b, err, sizeof(err)) ? 0 : b.page_size;
}

int hb_analysis_add_text(struct hb_analysis *a, const char *backing, const char *params, int rep,
			 const char *metric, const char *value, const char *unit, const char *note)
{
	return hb_results_add(a->added, a->workload, backing, params, rep, metric, value, unit,
			      note);
}

int hb_analysis_add(struct hb_analysis *a, const char *backing, const char *params, int rep,
		    const char *metric, double value, const char *unit, const char *note)
{
	return hb_results_addf(a->added, a->workload, backing, params, rep, metric, value, unit,
			       note);
}
