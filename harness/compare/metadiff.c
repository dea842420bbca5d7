/* meta.json differences (metadiff.h): both records flattened to dotted paths. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "metadiff.h"
#include "rundata.h"

const char *const hb_meta_compared[] = {
	"kernel.release",
	"thp.enabled",
	"thp.defrag",
	"thp.shmem_enabled",
	"thp.khugepaged.defrag",
	"thp.khugepaged.max_ptes_*",
	"thp.khugepaged.pages_to_scan",
	"thp.khugepaged.scan_sleep_millisecs",
	"thp.khugepaged.alloc_sleep_millisecs",
	"thp.mthp.*.enabled",
	"cpu.model",
	"cpu.vendor",
	"cpu.online_cpus",
	"hypervisor.name",
	"memory.mem_total_kib",
	"allocators.*.package",
	"allocators.glibc.version",
	"hugebench.commit",
	"hugebench.version",
	"hostname",
	NULL,
};

static int compared(const char *path)
{
	for (int i = 0; hb_meta_compared[i]; i++)
		if (!fnmatch(hb_meta_compared[i], path, 0))
			return 1;
	return 0;
}

static void text_of(const json_t *j, char *buf, size_t len)
{
	if (!j)
		snprintf(buf, len, "(absent)");
	else if (json_is_string(j))
		snprintf(buf, len, "%s", json_string_value(j));
	else if (json_is_integer(j))
		snprintf(buf, len, "%lld", (long long)json_integer_value(j));
	else if (json_is_real(j))
		snprintf(buf, len, "%g", json_real_value(j));
	else if (json_is_boolean(j))
		snprintf(buf, len, "%s", json_is_true(j) ? "true" : "false");
	else
		snprintf(buf, len, "(%s)", json_is_null(j) ? "null" : "object");
}

struct walk {
	const json_t *other;
	int other_is_base;
	struct hb_meta_diff *out;
	size_t n, max;
};

static int seen(const struct walk *w, const char *path)
{
	for (size_t i = 0; i < w->n; i++)
		if (!strcmp(w->out[i].path, path))
			return 1;
	return 0;
}

static void walk(struct walk *w, const json_t *j, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)j, key, v) {
		char path[96], a[128], b[128];

		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
				     key) >= sizeof(path))
			continue;
		if (json_is_object(v)) {
			walk(w, v, path);
			continue;
		}
		if (!compared(path) || seen(w, path) || w->n == w->max)
			continue;
		text_of(v, a, sizeof(a));
		text_of(hb_json_path(w->other, path), b, sizeof(b));
		if (!strcmp(a, b))
			continue;
		snprintf(w->out[w->n].path, sizeof(w->out[0].path), "%s", path);
		snprintf(w->out[w->n].base, sizeof(w->out[0].base), "%s", w->other_is_base ? b : a);
		snprintf(w->out[w->n].new, sizeof(w->out[0].new), "%s", w->other_is_base ? a : b);
		w->n++;
	}
}

size_t hb_meta_diff(const json_t *base, const json_t *new, struct hb_meta_diff *out, size_t max)
{
	struct walk w = { new, 0, out, 0, max };

	walk(&w, base, "");
	/* and what only the new record has */
	w.other = base;
	w.other_is_base = 1;
	walk(&w, new, "");
	return w.n;
}
