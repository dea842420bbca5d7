/* The knobs parameters may name (knob_table.h), and applying one for a cell. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>

#include "knob_table.h"
#include "knobs.h"
#include "readfile.h"
#include "sysinfo.h" /* HB_THP_DIR */
#include "text.h"

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

static const char *const mthp_enabled[] = { "always", "inherit", "madvise", "never", NULL };

/* The mTHP sizes this kernel has under root, smallest first: "16kB, 32kB, ...". */
static void mthp_sizes(const char *root, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (unsigned long long k = 8; k <= (16ull << 20) && off < len; k <<= 1) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s" THP "hugepages-%llukB/enabled", root, k);
		if (!access(path, F_OK))
			off += (size_t)snprintf(buf + off, len - off, "%s%llukB", off ? ", " : "",
						k);
	}
	if (!off)
		snprintf(buf, len, "none (%s" THP "hugepages-<N>kB: no such directory)", root);
}

void hb_knob_def_names(char *buf, size_t len)
{
	size_t off = 0;

	for (const struct hb_knob_def *d = hb_knob_defs; d->name && off < len; d++)
		off += (size_t)snprintf(buf + off, len - off, "%s, ", d->name);
	if (off < len)
		snprintf(buf + off, len - off, "mthp/<N>kB/enabled");
}

/* "mthp/<N>kB/enabled": N, else 0. */
static unsigned long long mthp_kib(const char *name)
{
	unsigned long long kib;
	char *end;

	if (strncmp(name, "mthp/", 5) || name[5] < '1' || name[5] > '9')
		return 0;
	errno = 0;
	kib = strtoull(name + 5, &end, 10);
	return errno || strcmp(end, "kB/enabled") || kib > (16ull << 20) ? 0 : kib;
}

int hb_knob_def_resolve(const char *name, const char *root, struct hb_knob_named *out,
			char *why, size_t len)
{
	const struct hb_knob_def *d = hb_knob_def_find(name);
	unsigned long long kib = mthp_kib(name);
	char list[512], path[PATH_MAX];

	root = root ? root : "";
	memset(out, 0, sizeof(*out));
	if (d) {
		out->def = *d;
		return 0;
	}
	if (!kib) {
		hb_knob_def_names(list, sizeof(list));
		snprintf(why, len, "unknown knob '%s'; accepted: %s", name, list);
		return -ENOENT;
	}
	snprintf(path, sizeof(path), "%s" THP "hugepages-%llukB/enabled", root, kib);
	if (access(path, F_OK)) {
		mthp_sizes(root, list, sizeof(list));
		snprintf(why, len, "knob '%s': this kernel has no %llukB mTHP size; the sizes it "
			 "has: %s", name, kib, list);
		return -ENODEV;
	}
	snprintf(out->name, sizeof(out->name), "mthp/%llukB/enabled", kib);
	snprintf(out->path, sizeof(out->path), THP "hugepages-%llukB/enabled", kib);
	out->def = (struct hb_knob_def){ out->name, out->path, mthp_enabled, 0, 0 };
	return 0;
}

/* "NAME=VALUE": NAME resolved against root into *kn, *value at VALUE. 0 or -errno, why. */
static int resolve_arg(const char *arg, const char *root, struct hb_knob_named *kn,
		       const char **value, char *why, size_t len)
{
	char name[64];

	if (hb_split_name_value(arg, name, sizeof(name), value)) {
		snprintf(why, len, "knob '%s': expected NAME=VALUE, e.g. thp/defrag=defer", arg);
		return -EINVAL;
	}
	return hb_knob_def_resolve(name, root, kn, why, len);
}

int hb_knob_arg_check(const char *arg, const char *root, char *why, size_t len)
{
	struct hb_knob_named k;
	char accepted[256];
	const char *value;

	if (resolve_arg(arg, root, &k, &value, why, len))
		return -EINVAL;
	if (hb_knob_def_check(&k.def, value)) {
		hb_knob_def_accepted(&k.def, accepted, sizeof(accepted));
		snprintf(why, len, "knob %s: '%s' is not a value it takes; accepted: %s",
			 k.def.name, value, accepted);
		return -EINVAL;
	}
	if (hb_knob_def_kernel_lists(&k.def, root, value, accepted, sizeof(accepted))) {
		snprintf(why, len, "knob %s: '%s' is not offered by this kernel's %s; it lists: %s",
			 k.def.name, value, k.def.path, accepted);
		return -EINVAL;
	}
	return 0;
}

int hb_knob_arg_apply(struct hb_knobs *k, const char *arg, char *why, size_t len)
{
	struct hb_knob_named kn;
	const char *value;
	int rc = resolve_arg(arg, k->root, &kn, &value, why, len);

	return rc ? rc : hb_knob_def_apply(k, &kn.def, value, why, len);
}
