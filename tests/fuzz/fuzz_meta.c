/*
 * The meta.json reader (records from other machines): hb_rundata_load of a directory whose
 * meta.json is the input (results.csv a fixed header), the machine line every chart's title
 * takes from it, the typed record (machine_record.h) with its walk over every value, and
 * compare's differences of two records.
 * Invariants: a run directory with a bad meta.json still loads, with a note and an empty
 * record; the title and the differences stay inside their buffers.
 */
#include <limits.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "metadiff.h"
#include "rundata.h"

static char dir[PATH_MAX];

static void cleanup(void)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/results.csv", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	unlink(path);
	rmdir(dir);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char path[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	FUZZ_ASSERT(f && fwrite(data, 1, len, f) == len && !fclose(f));
}

/* The walk gives bounded paths and texts. */
static void leaf(const char *path, const char *text, void *arg)
{
	FUZZ_ASSERT(strlen(path) < 96 && strlen(text) < 128);
	++*(size_t *)arg;
}

static void fuzz_one(const unsigned char *data, size_t len)
{
	static const char csv[] = "workload,backing,params,rep,metric,value,unit,note\n"
				  "touch,4k,size=8M,1,ns_per_touch,7.5,ns,\n";
	static const char *const paths[] = { "hostname", "kernel.release", "cpu.model",
					     "cpu.tlb.l1d.4k", "thp.mthp.64kB.enabled", "",
					     "cpu..model", "a.b.c.d.e.f" };
	struct hb_meta_diff diff[64];
	struct hb_machine_record empty;
	struct hb_rundata d;
	char err[PATH_MAX + 256], text[128];
	size_t n = 0;

	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof(dir), "%s/hb-fuzz-meta.XXXXXX", tmp ? tmp : "/tmp");
		FUZZ_ASSERT(mkdtemp(dir));
		atexit(cleanup);
		write_file("results.csv", csv, sizeof(csv) - 1);
	}
	write_file("meta.json", data, len);
	FUZZ_ASSERT(!hb_rundata_load(dir, &d, err, sizeof(err)));
	FUZZ_ASSERT(d.rec.json && d.n == 1);
	FUZZ_ASSERT(strlen(d.machine) < sizeof(d.machine) && d.hypervisor[0]);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		hb_record_leaf_text(&d.rec, paths[i], text, sizeof(text));
	for (size_t i = 0; i < d.rec.nentries; i++)
		FUZZ_ASSERT(d.rec.entries[i].nbackings == 0 || d.rec.entries[i].backings);
	hb_record_leaves(&d.rec, leaf, &n);
	FUZZ_ASSERT(!hb_record_from_json(NULL, &empty));
	n = hb_meta_diff(&d.rec, &empty, diff, 64);
	FUZZ_ASSERT(n <= 64);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(!strcmp(diff[i].new, "(absent)"));
	n = hb_meta_diff(&empty, &d.rec, diff, 64);
	FUZZ_ASSERT(n <= 64);
	(void)hb_meta_diff(&d.rec, &d.rec, diff, 8);
	hb_record_free(&empty);
	hb_rundata_free(&d);
}
