/* The knobs parameters may name (knob_table.h), and applying one for a cell. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "knob_table.h"
#include "knobs.h"
#include "readfile.h"
#include "sysinfo.h" /* HB_THP_DIR */

#define THP HB_THP_DIR "/"
#define KHP THP "khugepaged/"

static const char *const thp_enabled[] = { "always", "madvise", "never", NULL };
static const char *const thp_defrag[] = { "always", "defer", "defer+madvise", "madvise", "never",
					  NULL };
static const char *const flag[] = { "0", "1", NULL };

/* The THP mode knobs are here for workloads that study them (defrag); the backings set
 * enabled themselves (thp-always, thp-never). */
const struct hb_knob_def hb_knob_defs[] = {
	{ "thp/enabled", THP "enabled", thp_enabled, 0, 0 },
	{ "thp/defrag", THP "defrag", thp_defrag, 0, 0 },
	{ "thp/shrink_underused", THP "shrink_underused", flag, 0, 0 },
	{ "thp/use_zero_page", THP "use_zero_page", flag, 0, 0 },
	{ "khugepaged/defrag", KHP "defrag", flag, 0, 0 },
	{ "khugepaged/max_ptes_none", KHP "max_ptes_none", NULL, 0, 511 },
	{ "khugepaged/max_ptes_swap", KHP "max_ptes_swap", NULL, 0, 511 },
	{ "khugepaged/max_ptes_shared", KHP "max_ptes_shared", NULL, 0, 511 },
	{ "khugepaged/pages_to_scan", KHP "pages_to_scan", NULL, 1, 4194304 },
	{ "khugepaged/scan_sleep_millisecs", KHP "scan_sleep_millisecs", NULL, 0, 86400000 },
	{ "khugepaged/alloc_sleep_millisecs", KHP "alloc_sleep_millisecs", NULL, 0, 86400000 },
	{ "vm/compaction_proactiveness", "/proc/sys/vm/compaction_proactiveness", NULL, 0, 100 },
	{ NULL, NULL, NULL, 0, 0 },
};

const struct hb_knob_def *hb_knob_def_find(const char *name)
{
	for (const struct hb_knob_def *d = hb_knob_defs; name && d->name; d++)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

void hb_knob_def_accepted(const struct hb_knob_def *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	if (!d->choices) {
		snprintf(buf, len, "%llu-%llu", (unsigned long long)d->min,
			 (unsigned long long)d->max);
		return;
	}
	for (int i = 0; d->choices[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					d->choices[i]);
}

int hb_knob_def_check(const struct hb_knob_def *d, const char *value)
{
	unsigned long long v;
	char *end;

	if (d->choices) {
		for (int i = 0; d->choices[i]; i++)
			if (!strcmp(d->choices[i], value))
				return 0;
		return -EINVAL;
	}
	if (*value < '0' || *value > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(value, &end, 10);
	return errno || *end || v < d->min || v > d->max ? -EINVAL : 0;
}

int hb_knob_def_kernel_lists(const struct hb_knob_def *d, const char *root, const char *value,
			     char *listed, size_t len)
{
	char path[512], text[512], *word, *save = NULL;
	size_t off = 0;
	int found = 0;

	if (len)
		listed[0] = 0;
	snprintf(path, sizeof(path), "%s%s", root ? root : "", d->path);
	if (!d->choices || hb_read_text(path, text, sizeof(text)) || !strchr(text, '['))
		return 0;
	for (word = strtok_r(text, " \t\n", &save); word; word = strtok_r(NULL, " \t\n", &save)) {
		size_t n = strlen(word);

		if (word[0] == '[' && n > 1 && word[n - 1] == ']') {
			word[n - 1] = 0;
			word++;
		}
		found |= !strcmp(word, value);
		if (off < len)
			off += (size_t)snprintf(listed + off, len - off, "%s%s", off ? ", " : "",
						word);
	}
	return found ? 0 : -EINVAL;
}

int hb_knob_def_apply(struct hb_knobs *k, const struct hb_knob_def *d, const char *value,
		      char *why, size_t len)
{
	char old[64];
	int rc;

	if (hb_knob_def_check(d, value)) {
		hb_knob_def_accepted(d, old, sizeof(old));
		snprintf(why, len, "%s: '%s' is not one of %s", d->name, value, old);
		return -EINVAL;
	}
	rc = hb_knob_read(k, d->path, old, sizeof(old));
	if (rc) {
		snprintf(why, len, "%s is absent on this kernel: %s", d->path, strerror(-rc));
		return rc;
	}
	rc = hb_knob_set(k, d->path, value);
	if (rc)
		snprintf(why, len, "cannot set %s to %s: %s", d->path, value, strerror(-rc));
	return rc;
}
