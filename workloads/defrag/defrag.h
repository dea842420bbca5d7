/* defrag's parts shared by its run (defrag.c) and its report (defrag_report.c). */
#ifndef HB_DEFRAG_H
#define HB_DEFRAG_H
#include <stddef.h>
#include <stdint.h>

#include "outputs.h"

struct hb_analysis;

enum { DEFRAG_REPAIR_NONE, DEFRAG_REPAIR_KHUGEPAGED, DEFRAG_REPAIR_COLLAPSE };

struct defrag_params {
	uint64_t size;
	uint64_t watch;
	int repair;
	int defrag;
	const char *scan_sleep_ms;
	const char *pages_to_scan;
	double age;
	uint64_t settle;
};

/* The report's hooks (defrag_report.c). */
extern const struct hb_outputs hb_defrag_outputs;
/* Each aged cell gets its fresh twin's figures (same parameters but age=0, same backing and
 * repetition) as <metric>_fresh rows, so a claim can set aged against fresh. */
void hb_defrag_derive(struct hb_analysis *a);

#endif
