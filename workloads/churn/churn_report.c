/* Labels and the sets of churn's claims, read through churn's own parameter table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "churn_report.h"
#include "outputs.h"
#include "workload.h"

extern const struct hb_workload hb_workload_churn;

static int allocator(const char *set, char *name, size_t nlen, char *conf, size_t clen)
{
	const struct hb_workload *w = &hb_workload_churn;

	if (hb_set_value(w->params, w->params_size, set, "allocator", name, nlen) ||
	    hb_set_value(w->params, w->params_size, set, "allocator_conf", conf, clen))
		return -ENOENT;
	return 0;
}

int hb_churn_label(const char *const *sets, size_t n, size_t i, char *buf, size_t len)
{
	char name[64], conf[128];

	(void)n;
	if (allocator(sets[i], name, sizeof(name), conf, sizeof(conf)))
		return -ENOENT;
	snprintf(buf, len, "%.60s%s%.90s", name, conf[0] ? " " : "", conf);
	return 0;
}

size_t hb_churn_jemalloc_sets(const char *const *sets, size_t n, const char **out, size_t max)
{
	char name[64], conf[128];
	size_t k = 0;

	/* "jemalloc", or a named build of it ("jemalloc-5.3"). */
	for (size_t i = 0; i < n && k < max; i++)
		if (!allocator(sets[i], name, sizeof(name), conf, sizeof(conf)) &&
		    !strncmp(name, "jemalloc", 8))
			out[k++] = sets[i];
	return k;
}
