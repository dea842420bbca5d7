/* Parameter values of a results params text, read through the workload's own table. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outputs.h"

/* The set parsed into a fresh parameter struct; the caller frees *obj and *store. */
static int parse(const struct hb_param *t, size_t size, const char *set, void **obj,
		 char **store)
{
	char err[256];
	int rc;

	*store = NULL;
	*obj = calloc(1, size ? size : 1);
	if (!*obj)
		return -ENOMEM;
	rc = hb_params_parse(t, set, *obj, store, err, sizeof(err));
	if (rc) {
		free(*obj);
		free(*store);
		*obj = NULL;
		*store = NULL;
	}
	return rc;
}

int hb_set_num(const struct hb_param *t, size_t params_size, const char *set, const char *name,
	       double *v)
{
	const struct hb_param *p = hb_params_find(t, name);
	char *store;
	void *obj;
	int rc;

	if (!p || p->type == HB_PT_STRING)
		return -EINVAL;
	rc = parse(t, params_size, set, &obj, &store);
	if (rc)
		return rc;
	switch (p->type) {
	case HB_PT_DOUBLE:
		*v = *(const double *)((const char *)obj + p->offset);
		break;
	case HB_PT_ENUM:
		*v = *(const int *)((const char *)obj + p->offset);
		break;
	default:
		*v = (double)*(const uint64_t *)((const char *)obj + p->offset);
		break;
	}
	free(obj);
	free(store);
	return 0;
}

int hb_set_value(const struct hb_param *t, size_t params_size, const char *set,
		 const char *name, char *buf, size_t len)
{
	const struct hb_param *p = hb_params_find(t, name);
	char *store;
	void *obj;
	int rc;

	if (!p)
		return -EINVAL;
	rc = parse(t, params_size, set, &obj, &store);
	if (rc)
		return rc;
	hb_param_format_value(p, obj, buf, len);
	free(obj);
	free(store);
	return 0;
}
