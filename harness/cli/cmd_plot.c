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
#include "options.h"
#include "report.h"

static const struct hb_option plot_options[] = {
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_plot_command = {
	.name = "plot",
	.operands = "DIR",
	.summary = "charts (gnuplot) and report.md/.html of a run",
	.about = "Charts (PNG and SVG, in DIR/plots/) and DIR/report.md + report.html from a "
		 "results directory of `hugebench run` or `bench`; needs only the directory.",
	.options = plot_options,
};

int hb_cmd_plot(int argc, char **argv)
{
	static struct hb_plot p;
	struct hb_rundata d;
	char err[PATH_MAX + 256], probe[PATH_MAX + 16];
	const char *dir;
	int rc, dry_run = 0;

	rc = hb_opt_flags(&hb_plot_command, argc, argv, 0, NULL, &dry_run);
	if (rc)
		return rc > 0 ? HB_EXIT_OK : HB_EXIT_USAGE;
	if (argc - optind != 1) {
		hb_opt_usage(&hb_plot_command, stderr);
		return HB_EXIT_USAGE;
	}
	dir = argv[optind];
	if (hb_rundata_load(dir, &d, err, sizeof(err))) {
		hb_err("plot: %s", err);
		return HB_EXIT_USAGE;
	}
	if (d.meta_note[0])
		hb_err("plot: %s: charts are titled without the machine", d.meta_note);
	if (dry_run) {
		printf("plot: --dry-run: would chart the %zu rows of %s into %s/plots/ and write "
		       "%s/report.md and .html; nothing was written\n", d.n, dir, dir, dir);
		rc = HB_EXIT_OK;
		goto out;
	}
	snprintf(probe, sizeof(probe), "%s/plots", dir);
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
		hb_err("plot: cannot write the report in %s: %s", dir, strerror(-rc));
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	printf("%s/report.md\n%s/report.html\n", dir, dir);
	rc = p.failed ? HB_EXIT_INTERNAL : HB_EXIT_OK;
out:
	hb_rundata_free(&d);
	return rc;
}
