/* The one list of workloads: adding one is a file in workloads/ and a line here. */
#include <string.h>

#include "workload.h"

extern const struct hb_workload hb_workload_touch;
extern const struct hb_workload hb_workload_sparse;
extern const struct hb_workload hb_workload_churn;
extern const struct hb_workload hb_workload_forkcow;

const struct hb_workload *const hb_workloads[] = {
	&hb_workload_touch,
	&hb_workload_sparse,
	&hb_workload_churn,
	&hb_workload_forkcow,
	NULL,
};

const struct hb_workload *hb_workload_find(const char *name)
{
	for (int i = 0; hb_workloads[i]; i++)
		if (!strcmp(hb_workloads[i]->name, name))
			return hb_workloads[i];
	return NULL;
}
