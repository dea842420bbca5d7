/* The run's analysis step: every workload's .derive over the run's typed rows (analysis.h). */
#ifndef HB_RUN_ANALYSIS_H
#define HB_RUN_ANALYSIS_H
#include "analysis.h"
#include "machine_record.h"
#include "workload.h"

struct hb_results;

/* The facts an analysis may use, from a run's record (a missing fact: 0, unknown). */
void hb_machine_facts_from_record(const struct hb_machine_record *r,
				  struct hb_machine_facts *m);
/* Runs w's analysis over res's rows and appends what it adds to res. 0 or -ENOMEM. */
int hb_analysis_run(const struct hb_workload *w, struct hb_results *res,
		    const struct hb_machine_facts *m);

#endif
