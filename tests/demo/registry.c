/* The registry of the test binary hugebench-demo: the real list plus the test-only workload. */
#include <stddef.h>

#include "workload.h"

extern const struct hb_workload hb_workload_touch, hb_workload_sparse, hb_workload_churn,
	hb_workload_forkcow, hb_workload_fill;

const struct hb_workload *const hb_workloads[] = {
	&hb_workload_touch, &hb_workload_sparse, &hb_workload_churn, &hb_workload_forkcow,
	&hb_workload_fill, /* the one line a new workload adds */
	NULL,
};
