/* Finding a workload of the registry (workloads/registry.c holds only the list). */
#include <string.h>

#include "workload.h"

const struct hb_workload *hb_workload_find(const char *name)
{
	for (int i = 0; hb_workloads[i]; i++)
		if (!strcmp(hb_workloads[i]->name, name))
			return hb_workloads[i];
	return NULL;
}
