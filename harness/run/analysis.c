/*
 * The analysis step. A workload's analysis reads the rows as they were when it began and its
 * own additions are kept apart until it returns, so the rows it holds never move under it.
 * What the analysis calls (analysis.h) is results/analysis_rows.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "results.h"
#include "run_analysis.h"

void hb_machine_facts_from_record(const struct hb_machine_record *r,
				  struct hb_machine_facts *m)
{
	memset(m, 0, sizeof(*m));
	m->llc_bytes = r->topology.llc_bytes;
	m->tlb_reach_4k = r->cpu.tlb.reach_4k_bytes;
	m->tlb_reach_2m = r->cpu.tlb.reach_2m_bytes;
	m->tlb_reach_1g = r->cpu.tlb.reach_1g_bytes;
}

int hb_analysis_run(const struct hb_workload *w, struct hb_results *res,
		    const struct hb_machine_facts *m)
{
	struct hb_results added = { .dir = "" };
	struct hb_analysis a = {
		.workload = w->name, .rows = res->rows, .n = res->n, .machine = *m, .added = &added,
	};
	int rc = 0;

	if (!w->report || !w->report->derive)
		return 0;
	w->report->derive(&a);
	/* Moved over whole (the strings change hands): res may grow now. */
	for (size_t i = 0; i < added.n && !rc; i++) {
		const struct hb_row *r = &added.rows[i];

		rc = hb_results_add(res, r->workload, r->backing, r->params, r->rep, r->metric,
				    r->value, r->unit, r->note);
	}
	hb_results_free(&added);
	return rc;
}
