/* The start-up check of the registry's declarations (main.c, before any command). */
#include <errno.h>
#include <stdio.h>

#include "workload.h"

int hb_workloads_check(const struct hb_workload *const *list, char *err, size_t len)
{
	char why[512];

	for (int i = 0; list[i]; i++) {
		if (hb_params_check_table(list[i]->params, why, sizeof(why))) {
			snprintf(err, len, "workload %s: bad parameter table: %s", list[i]->name,
				 why);
			return -EINVAL;
		}
		/* Every cell's fit check, memory limit and timeout read it. */
		if (!list[i]->needs || !list[i]->needs->memory_needed) {
			snprintf(err, len, "workload %s: no .needs with its memory_needed",
				 list[i]->name);
			return -EINVAL;
		}
	}
	return 0;
}
