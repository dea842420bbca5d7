/* Reader for the few /proc/vmstat counters hugebench reports. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmstat.h"

static const char *const vmstat_names[HB_VM_NR] = {
	[HB_VM_THP_FAULT_ALLOC] = "thp_fault_alloc",
	[HB_VM_THP_FAULT_FALLBACK] = "thp_fault_fallback",
	[HB_VM_THP_SPLIT_PMD] = "thp_split_pmd",
	[HB_VM_THP_DEFERRED_SPLIT_PAGE] = "thp_deferred_split_page",
	[HB_VM_COMPACT_STALL] = "compact_stall",
	[HB_VM_COMPACT_SUCCESS] = "compact_success",
	[HB_VM_COMPACT_FAIL] = "compact_fail",
	[HB_VM_THP_COLLAPSE_ALLOC] = "thp_collapse_alloc",
	[HB_VM_THP_COLLAPSE_ALLOC_FAILED] = "thp_collapse_alloc_failed",
};

const char *hb_vmstat_name(enum hb_vmstat_id id)
{
	if ((unsigned)id >= HB_VM_NR)
		return NULL;
	return vmstat_names[id];
}

int hb_vmstat_read(const char *path, struct hb_vmstat *out)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "re");
	if (!f)
		return -errno;

	errno = 0;
	while (getline(&line, &cap, f) != -1) {
		/* Whole names only: thp_fault_fallback is a prefix of thp_fault_fallback_charge. */
		size_t n = strcspn(line, " ");
		char *e;
		int i;

		for (i = 0; i < HB_VM_NR; i++) {
			if (strlen(vmstat_names[i]) == n && !memcmp(line, vmstat_names[i], n))
				break;
		}
		if (i == HB_VM_NR)
			continue;
		/* A counter we report that does not parse must not turn into a silent zero. */
		if (line[n] != ' ' || !isdigit((unsigned char)line[n + 1])) {
			ret = -EINVAL;
			break;
		}
		errno = 0;
		out->v[i] = strtoull(line + n + 1, &e, 10);
		if (errno || (*e && *e != '\n')) {
			ret = -EINVAL;
			break;
		}
		out->present[i] = 1;
	}
	if (!ret && ferror(f))
		ret = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	if (ret)
		memset(out, 0, sizeof(*out));
	return ret;
}
