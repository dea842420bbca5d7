/* The start-up check of the registry's parameter tables (main.c, before any command). */
#include <errno.h>
#include <stdio.h>

#include "workload.h"

int hb_workloads_check(const struct hb_workload *const *list, char *err, size_t len)
{
	char why[512];

	for (int i = 0; list[i]; i++) {
		if (!hb_params_check_table(list[i]->params, why, sizeof(why)))
			continue;
		snprintf(err, len, "workload %s: bad parameter table: %s", list[i]->name, why);
		return -EINVAL;
	}
	return 0;
}
