/* meta.json differences (metadiff.h): both records' leaves by their dotted paths. */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "metadiff.h"
#include "machine_record.h"

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

struct walk {
	const struct hb_machine_record *other;
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

static void leaf(const char *path, const char *a, void *arg)
{
	struct walk *w = arg;
	char b[128];

	if (!compared(path) || seen(w, path) || w->n == w->max)
		return;
	hb_record_leaf_text(w->other, path, b, sizeof(b));
	if (!strcmp(a, b))
		return;
	snprintf(w->out[w->n].path, sizeof(w->out[0].path), "%s", path);
	snprintf(w->out[w->n].base, sizeof(w->out[0].base), "%s", w->other_is_base ? b : a);
	snprintf(w->out[w->n].new, sizeof(w->out[0].new), "%s", w->other_is_base ? a : b);
	w->n++;
}

size_t hb_meta_diff(const struct hb_machine_record *base, const struct hb_machine_record *new,
		    struct hb_meta_diff *out, size_t max)
{
	struct walk w = { new, 0, out, 0, max };

	hb_record_leaves(base, leaf, &w);
	/* and what only the new record has */
	w.other = base;
	w.other_is_base = 1;
	hb_record_leaves(new, leaf, &w);
	return w.n;
}
