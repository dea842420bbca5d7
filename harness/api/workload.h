/*
 * What a workload is (stress-ng's one const info struct, fio's ops): a folder in workloads/
 * with one of these, its parameter table, what it needs of the machine and what its results
 * say (outputs.h: headline figures, charts, folklore claims; twins.h: its calibration pairs)
 * as data, and one line in workloads/registry.c.
 *
 * A workload never touches sysfs, files or the terminal: a machine knob or an allocator a
 * parameter needs is declared in its row (params.h .role) and the harness applies it. It
 * runs in the cell's own child process and gets from the harness, through struct hb_ctx
 * (ctx.h): memory in the cell's backing, a clock, a sampler, histograms, phase markers and
 * a metrics sink.
 */
#ifndef HB_WORKLOAD_H
#define HB_WORKLOAD_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "outputs.h"
#include "params.h"

struct hb_ctx;
struct hb_analysis;

/* Extra environment of a cell's child ("NAME=VALUE" each), e.g. LD_PRELOAD of an allocator,
 * which the harness builds from the parameter rows (an allocator row, params.h .role). When it
 * has any, the forked child execs the harness itself (`hugebench __cell ...`) with it, so that
 * LD_PRELOAD and start-up tunables apply; the child's stderr goes into the status note. */
#define HB_CHILD_ENV_MAX 8
struct hb_child_env {
	int n;
	char var[HB_CHILD_ENV_MAX][1024];
};

/*
 * What a cell of the workload needs from the machine, and how the harness reads its memory.
 * memory_needed is required; everything else is optional (0 / NULL: the common case).
 */
struct hb_workload_needs {
	/* Bytes of backed memory a cell maps at most, for the fit check before anything runs. */
	uint64_t (*memory_needed)(const void *params);
	/* For the fit check's refusal (run/fit.c), how memory_needed follows from the parameters
	 * and the way out, e.g. "parameter 'size': ...; use a smaller size". */
	void (*fit_hint)(const void *params, char *buf, size_t len);
	/* NULL when it can run here, else why not (the reason goes into the results). params is
	 * NULL when asked in general (`hugebench list`). */
	const char *(*supported)(const void *params);
	/* NULL when the workload can run on the named backing ("hugetlb-2m"), else why not (the
	 * cell is skipped with it), e.g. a server that cannot use hugetlbfs. */
	const char *(*backing_unsupported)(const void *params, const char *backing);
	/* The workload's memory comes from malloc, not hb_region_map: the backing is applied to
	 * the whole process where it can be (4k: PR_SET_THP_DISABLE for the child) and huge-page
	 * coverage is reported for the process (huge_coverage_process_pct). */
	int process_memory;
	/* Setup only maps: the first touch is the measured work (a fault-latency workload). The
	 * harness's proof of what the backing gave (huge_coverage_pct and its memory rows) is then
	 * made when run calls hb_region_coverage (ctx.h), or after run if it never does. */
	int touches_in_run;
};

struct hb_twin;

/* What its parameter sets become and what its results say; every field optional. */
struct hb_workload_report {
	/* One parameter set becomes several (a sweep). Writes up to max parameter structs
	 * (params_size bytes each) into out and returns how many; 0: no expansion. */
	size_t (*expand)(const void *params, void *out, size_t max);
	/* In the parent once every cell has run: figures derived across cells (e.g. 4k against a
	 * huge backing at the same working set) from the run's typed rows and its machine record,
	 * added with hb_analysis_add (analysis.h). */
	void (*derive)(struct hb_analysis *a);
	/* What the report shows of it (headline figures, charts, the claims it tests). */
	const struct hb_outputs *outputs;
	/* The simulator twins of a real system it stands for, for `hugebench calibrate`
	 * (twins.h); ends with an entry whose pair is NULL. */
	const struct hb_twin *twins;
};

/* The core: a name, its parameters, the hooks; the rest is declared in the two parts. */
struct hb_workload {
	const char *name;
	const char *summary;
	const struct hb_param *params;
	size_t params_size;
	/* Checks across parameters after parsing; NULL if none. 0 or -EINVAL with err naming
	 * the parameter and what is accepted. */
	int (*validate)(const void *params, char *err, size_t errlen);
	/* Maps and populates its memory. The harness times this as populate_ms and, after it,
	 * measures what the backing really gave (huge_coverage_pct, rss_kib, charged_kib). */
	int (*setup)(struct hb_ctx *ctx, const void *params, void **state);
	/* The measured work. Returns 0 or -errno. */
	int (*run)(struct hb_ctx *ctx, const void *params, void *state);
	/* Frees what setup made; NULL when process exit is enough. */
	void (*teardown)(struct hb_ctx *ctx, const void *params, void *state);
	const struct hb_workload_needs *needs;	 /* required: memory_needed */
	const struct hb_workload_report *report; /* NULL: the harness's rows only */
};

/* Its outputs, or NULL when it declares none. */
static inline const struct hb_outputs *hb_workload_outputs(const struct hb_workload *w)
{
	return w->report ? w->report->outputs : NULL;
}

/* The registry (workloads/registry.c), NULL-terminated. Each program links its own (the test
 * demo has another), so finding in it is inline here: the code that asks links the registry,
 * never a library below the workloads. */
extern const struct hb_workload *const hb_workloads[];
static inline const struct hb_workload *hb_workload_find(const char *name)
{
	for (int i = 0; hb_workloads[i]; i++)
		if (!strcmp(hb_workloads[i]->name, name))
			return hb_workloads[i];
	return NULL;
}
/* Every table of list (NULL-terminated) through hb_params_check_table: 0, or -EINVAL with err
 * naming the workload and the row. main() runs it on hb_workloads before any command. */
int hb_workloads_check(const struct hb_workload *const *list, char *err, size_t len);

#endif
