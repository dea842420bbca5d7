/*
 * `hugebench baseline RUN OUT`: a baseline for compare, small enough to commit: RUN's
 * meta.json and the rows of its results.csv that compare reads by default (every cell's
 * status, the workloads' headline figures, huge-page coverage and populate time).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "compare.h"
#include "fs.h"
#include "log.h"
#include "options.h"
#include "metrics.h"
#include "probe.h"
#include "results.h"
#include "rundata.h"
#include "schema.h"

/* Whether r goes into the baseline: every cell's status, what compare reads by default, and
 * the host-speed probe compare normalises by. */
static int kept_row(const struct hb_row *r)
{
	return !strcmp(r->metric, "status") || hb_cmp_compared_by_default(r->workload, r->metric) ||
	       !strcmp(r->metric, HB_PROBE_CPU_METRIC) || !strcmp(r->metric, HB_PROBE_LOAD_METRIC) ||
	       !strcmp(r->metric, HB_CPU_WAIT_METRIC);
}

static const struct hb_option baseline_options[] = {
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_baseline_command = {
	.name = "baseline",
	.operands = "RUN OUT",
	.summary = "the rows compare reads, small enough to commit",
	.about = "Writes OUT/results.csv (the rows of RUN that compare reads by default: status, "
		 "headline figures, huge-page coverage, populate time, the host-speed probe, the time cells waited for a CPU; the notes of numbers "
		 "dropped) and OUT/meta.json. `make baseline` records results/baseline/ this way "
		 "from the ci profile.",
	.options = baseline_options,
};

int hb_cmd_baseline(int argc, char **argv)
{
	struct hb_rundata d;
	char err[PATH_MAX + 256], path[PATH_MAX + 32], *buf = NULL, *meta;
	size_t len = 0, cap = 0, kept = 0;
	const char *run, *out;
	int rc, dry_run = 0;

	rc = hb_opt_flags(&hb_baseline_command, argc, argv, 0, NULL, &dry_run);
	if (rc)
		return rc > 0 ? HB_EXIT_OK : HB_EXIT_USAGE;
	if (argc - optind != 2) {
		hb_opt_usage(&hb_baseline_command, stderr);
		return HB_EXIT_USAGE;
	}
	run = argv[optind];
	out = argv[optind + 1];
	if (hb_rundata_load(run, &d, err, sizeof(err))) {
		hb_err("baseline: %s", err);
		return HB_EXIT_USAGE;
	}
	if (d.meta_note[0]) {
		hb_err("baseline: %s/%s: a baseline needs the run's machine record", run,
		       d.meta_note);
		hb_rundata_free(&d);
		return HB_EXIT_USAGE;
	}
	if (!d.rec.complete)
		hb_err("baseline: warning: %s did not finish (meta.json complete is not true)",
		       run);
	if (dry_run) {
		for (size_t i = 0; i < d.n; i++)
			kept += (size_t)kept_row(&d.rows[i]);
		printf("baseline: --dry-run: would write %zu of the %zu rows of %s to "
		       "%s/results.csv, and %s/meta.json; nothing was written\n", kept, d.n, run,
		       out, out);
		hb_rundata_free(&d);
		return HB_EXIT_OK;
	}
	rc = hb_mkdir_p(out, 0755);
	if (rc) {
		hb_err("baseline: cannot make %s: %s", out, strerror(-rc));
		hb_rundata_free(&d);
		return HB_EXIT_USAGE;
	}
	hb_csv_header(&buf, &len, &cap);
	for (size_t i = 0; i < d.n; i++) {
		const struct hb_row *r = &d.rows[i];

		if (!kept_row(r))
			continue;
		/* A number's note says how it was measured, which the full run keeps; compare
		 * reads only the notes of what is missing (status, "unavailable"). */
		if (r->num) {
			struct hb_row t = *r;

			t.note = (char *)"";
			hb_row_to_csv(&t, &buf, &len, &cap);
		} else {
			hb_row_to_csv(r, &buf, &len, &cap);
		}
		kept++;
	}
	snprintf(path, sizeof(path), "%s/results.csv", out);
	rc = hb_atomic_write(path, buf, len);
	meta = hb_record_dump(&d.rec);
	snprintf(path, sizeof(path), "%s/meta.json", out);
	if (!rc)
		rc = meta ? hb_atomic_write(path, meta, strlen(meta)) : -ENOMEM;
	free(meta);
	free(buf);
	if (rc)
		hb_err("baseline: cannot write %s: %s", path, strerror(-rc));
	else
		printf("%s: %zu of %zu rows\n", out, kept, d.n);
	hb_rundata_free(&d);
	return rc ? HB_EXIT_INTERNAL : HB_EXIT_OK;
}
