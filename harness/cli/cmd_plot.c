/* `hugebench plot DIR`: every registered workload's charts, then the report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chart.h"
#include "commands.h"
#include "datadir.h"
#include "log.h"
#include "report.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: hugebench plot DIR\n"
		   "  Charts (PNG and SVG, in DIR/plots/) and DIR/report.md + report.html from a\n"
		   "  results directory of `hugebench run` or `bench`; needs only the directory.\n");
}

int hb_cmd_plot(int argc, char **argv)
{
	static struct hb_plot p;
	struct hb_rundata d;
	char err[PATH_MAX + 256], probe[PATH_MAX + 16];

	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return HB_EXIT_OK;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return HB_EXIT_USAGE;
	}
	if (hb_rundata_load(argv[1], &d, err, sizeof(err))) {
		hb_err("plot: %s", err);
		return HB_EXIT_USAGE;
	}
	if (d.meta_note[0])
		hb_err("plot: %s: charts are titled without the machine", d.meta_note);
	snprintf(probe, sizeof(probe), "%s/plots", argv[1]);
	rc = hb_plot_init(&p, &d, probe);
	if (rc) {
		hb_err("plot: cannot make %s: %s", probe, strerror(-rc));
		rc = HB_EXIT_USAGE;
		goto out;
	}
	if (!p.gnuplot)
		hb_err("plot: no charts: %s; the report and the gnuplot scripts are still written",
		       p.why_none);
	hb_charts_draw(&p);
	rc = hb_report_write(&p);
	if (rc) {
		hb_err("plot: cannot write the report in %s: %s", argv[1], strerror(-rc));
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	printf("%s/report.md\n%s/report.html\n", argv[1], argv[1]);
	rc = p.failed ? HB_EXIT_INTERNAL : HB_EXIT_OK;
out:
	hb_rundata_free(&d);
	return rc;
}
