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
#include "results.h"
#include "rundata.h"
#include "schema.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: hugebench baseline RUN OUT\n"
		   "  Writes OUT/results.csv (the rows of RUN that compare reads by default: status,\n"
		   "  headline figures, huge-page coverage, populate time; the notes of\n"
		   "  numbers dropped) and OUT/meta.json.\n"
		   "  `make baseline` records results/baseline/ this way from the ci profile.\n");
}

int hb_cmd_baseline(int argc, char **argv)
{
	struct hb_rundata d;
	char err[PATH_MAX + 256], path[PATH_MAX + 32], *buf = NULL, *meta;
	size_t len = 0, cap = 0, kept = 0;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return HB_EXIT_OK;
	}
	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
		usage(stderr);
		return HB_EXIT_USAGE;
	}
	if (hb_rundata_load(argv[1], &d, err, sizeof(err))) {
		hb_err("baseline: %s", err);
		return HB_EXIT_USAGE;
	}
	if (d.meta_note[0]) {
		hb_err("baseline: %s/%s: a baseline needs the run's machine record", argv[1],
		       d.meta_note);
		hb_rundata_free(&d);
		return HB_EXIT_USAGE;
	}
	if (!json_is_true(json_object_get(d.meta, "complete")))
		hb_err("baseline: warning: %s did not finish (meta.json complete is not true)",
		       argv[1]);
	rc = hb_mkdir_p(argv[2], 0755);
	if (rc) {
		hb_err("baseline: cannot make %s: %s", argv[2], strerror(-rc));
		hb_rundata_free(&d);
		return HB_EXIT_USAGE;
	}
	hb_csv_header(&buf, &len, &cap);
	for (size_t i = 0; i < d.n; i++) {
		const struct hb_row *r = &d.rows[i];

		if (strcmp(r->metric, "status") &&
		    !hb_cmp_compared_by_default(r->workload, r->metric))
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
	snprintf(path, sizeof(path), "%s/results.csv", argv[2]);
	rc = hb_atomic_write(path, buf, len);
	meta = json_dumps(d.meta, JSON_INDENT(2) | JSON_SORT_KEYS);
	snprintf(path, sizeof(path), "%s/meta.json", argv[2]);
	if (!rc)
		rc = meta ? hb_atomic_write(path, meta, strlen(meta)) : -ENOMEM;
	free(meta);
	free(buf);
	if (rc)
		hb_err("baseline: cannot write %s: %s", path, strerror(-rc));
	else
		printf("%s: %zu of %zu rows\n", argv[2], kept, d.n);
	hb_rundata_free(&d);
	return rc ? HB_EXIT_INTERNAL : HB_EXIT_OK;
}
