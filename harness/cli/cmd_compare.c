/* `hugebench compare BASE NEW [NEW...]`: figure by figure, with verdicts the noise allows. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmp_print.h"
#include "cmp_report.h"
#include "commands.h"
#include "compare.h"
#include "options.h"
#include "log.h"
#include "matrix.h"
#include "profile.h"
#include "metadiff.h"
#include "rundata.h"

static const struct hb_option compare_options[] = {
	{ "metrics", 'm', "PATTERN", NULL, "also compare the metrics matching the shell pattern" },
	{ "threshold", 't', "METRIC=PCT", "--threshold METRIC=PCT ...",
	  "the change in % that counts for METRIC (a name or pattern; repeatable). Defaults: 5 "
	  "for times and rates, 1 for memory, 0 for exact counts" },
	{ "profile", HB_OPT_PROFILE, "NAME|FILE", NULL,
	  "thresholds from the profile's [thresholds] section (after --threshold; the ci "
	  "profile's fit its noise)" },
	{ "relative-to", HB_OPT_RELATIVE_TO, "BACKING", NULL,
	  "compare each time and rate as a ratio to the same repetition's BACKING cell (e.g. "
	  "4k): hosts compare on what the backing changes, not on how fast the machine is "
	  "(memory figures and counts stay as they are)" },
	{ "no-probe", HB_OPT_NO_PROBE, NULL, NULL,
	  "never normalise by the host-speed probe. By default, when NEW's probes (run before "
	  "each cell's repetition) differ from BASE's beyond their noise, NEW's times are "
	  "divided and its rates multiplied by the ratio, said first; memory figures, counts "
	  "and coverage never are" },
	{ "format", 'f', "FORMAT", "--format table|csv|md|json",
	  "table (default; colour on a terminal), csv, md, json" },
	{ "out", 'o', "DIR", NULL, "also write DIR/compare.md, .html, .csv, .json and charts" },
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_compare_command = {
	.name = "compare",
	.operands = "BASE NEW [NEW...]",
	.summary = "runs side by side, with verdicts the noise allows (own exit status)",
	.about = "BASE, NEW: results directories (of run or bench), or a baseline directory with "
		 "just results.csv and meta.json. Cells are joined on workload, backing and "
		 "parameters; each headline metric (and huge-page coverage, populate time) is "
		 "compared.",
	.epilog =
		"Verdicts: same (within the threshold), better, worse, changed (no direction\n"
		"declared), unknown (too few repetitions or inside the noise: says how many would\n"
		"tell), n/a (missing on one side: says why), lost (a cell ok in BASE is skipped,\n"
		"failed or fallback in NEW, or a figure that was a number is unavailable: listed\n"
		"first, with both reasons). With >= 5 repetitions a side a two-sided Mann-Whitney U\n"
		"test at alpha 0.01 decides, with fewer the min-max ranges must not overlap; the\n"
		"change must also exceed the threshold.\n"
		"exit status: 0 nothing worse or lost, 1 something worse or lost, 2 bad input, 3\n"
		"nothing comparable.\n",
	.options = compare_options,
};

static int parse_threshold(const char *arg, struct hb_cmp_opts *o)
{
	const char *eq = strrchr(arg, '=');
	char *end;
	double pct;

	if (!eq || eq == arg || !eq[1]) {
		hb_err("compare: --threshold '%s': expected METRIC=PCT, e.g. ns_per_access=10",
		       arg);
		return -EINVAL;
	}
	errno = 0;
	pct = strtod(eq + 1, &end);
	if (*end == '%')
		end++;
	if (errno || *end || !(pct >= 0) || isinf(pct)) {
		hb_err("compare: --threshold '%s': '%s' is not a percentage (a number >= 0)", arg,
		       eq + 1);
		return -EINVAL;
	}
	if (o->nthresholds == HB_CMP_MAX_THRESHOLDS) {
		hb_err("compare: at most %d --threshold options", HB_CMP_MAX_THRESHOLDS);
		return -EINVAL;
	}
	o->thresholds[o->nthresholds].metric = strndup(arg, (size_t)(eq - arg));
	o->thresholds[o->nthresholds++].pct = pct;
	return 0;
}

/* A run's label: its directory's name ("cand-a", "baseline"), or the path as given when two
 * runs share a name. */
static void make_labels(char labels[][PATH_MAX], char **dirs, int n)
{
	int dup[HB_CMP_MAX_NEW + 1] = { 0 };

	for (int i = 0; i < n; i++) {
		char tmp[PATH_MAX];
		size_t len;

		snprintf(tmp, sizeof(tmp), "%s", dirs[i]);
		len = strlen(tmp);
		while (len > 1 && tmp[len - 1] == '/')
			tmp[--len] = 0;
		snprintf(labels[i], PATH_MAX, "%s", basename(tmp));
	}
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			dup[i] |= i != j && !strcmp(labels[i], labels[j]);
	for (int i = 0; i < n; i++)
		if (dup[i])
			snprintf(labels[i], PATH_MAX, "%s%s", dirs[i], i ? "" : " (base)");
}

/* The profile's [thresholds], after those of the command line (the first match wins). A
 * profile's threshold for a metric these runs lack is no error: it serves other runs too. */
static int profile_thresholds(const char *name, struct hb_cmp_opts *o)
{
	char path[PATH_MAX], err[PATH_MAX + 512];
	struct hb_profile prof;
	struct hb_matrix m;
	int rc;

	if (hb_profile_path(name, path, sizeof(path))) {
		hb_err("compare: profile name '%s' is too long", name);
		return -EINVAL;
	}
	hb_matrix_init(&m);
	rc = hb_profile_load(path, NULL, &m, &prof, err, sizeof(err));
	if (rc)
		hb_err("compare: --profile %s: %s", name, err);
	for (size_t i = 0; !rc && i < prof.nthresholds; i++) {
		if (o->nthresholds == HB_CMP_MAX_THRESHOLDS) {
			hb_err("compare: at most %d thresholds", HB_CMP_MAX_THRESHOLDS);
			rc = -EINVAL;
			break;
		}
		o->thresholds[o->nthresholds].metric = strdup(prof.thresholds[i].metric);
		o->thresholds[o->nthresholds].pct = prof.thresholds[i].pct;
		o->thresholds[o->nthresholds++].used = 1;
	}
	hb_matrix_free(&m);
	hb_profile_free(&prof);
	return rc;
}

static int has_backing(const struct hb_rundata *d, const char *backing)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->rows[i].backing, backing))
			return 1;
	return 0;
}

static void print_meta_diff(FILE *f, const struct hb_cmp_run *base, const struct hb_cmp_run *nw)
{
	struct hb_meta_diff diff[64];
	size_t n = base->meta && nw->meta ? hb_meta_diff(base->meta, nw->meta, diff, 64) : 0;

	if (!base->meta || !nw->meta) {
		fprintf(f, "%s against %s: a meta.json is missing, machines not compared\n",
			nw->label, base->label);
		return;
	}
	if (!n) {
		fprintf(f, "%s against %s: same machine settings (kernel, THP, khugepaged, CPU, "
			   "hypervisor, allocators, hugebench)\n", nw->label, base->label);
		return;
	}
	fprintf(f, "%s against %s: machine differences:\n", nw->label, base->label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-40s %s -> %s\n", diff[i].path, diff[i].base, diff[i].new);
}

int hb_cmd_compare(int argc, char **argv)
{
	static struct hb_rundata data[HB_CMP_MAX_NEW + 1];
	static char labels[HB_CMP_MAX_NEW + 1][PATH_MAX];
	struct hb_cmp_run runs[HB_CMP_MAX_NEW + 1];
	struct hb_cmp_opts o = { 0 };
	struct hb_cmp_result res = { 0 };
	enum hb_cmp_format fmt = HB_CMP_TABLE;
	const char *out = NULL, *profile = NULL;
	char err[4096], summary[512];
	int c, n, loaded = 0, rc = HB_EXIT_USAGE, comparable = 0, dry_run = 0;
	struct hb_opt_parser op;
	FILE *info;

	hb_opt_begin(&op, &hb_compare_command);
	while ((c = hb_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case 'm':
			o.metrics = optarg;
			break;
		case 't':
			if (parse_threshold(optarg, &o))
				goto out;
			break;
		case HB_OPT_RELATIVE_TO:
			o.relative_to = optarg;
			break;
		case HB_OPT_PROFILE:
			profile = optarg;
			break;
		case HB_OPT_NO_PROBE:
			o.no_probe = 1;
			break;
		case 'f':
			if (!strcmp(optarg, "table"))
				fmt = HB_CMP_TABLE;
			else if (!strcmp(optarg, "csv"))
				fmt = HB_CMP_CSV;
			else if (!strcmp(optarg, "md"))
				fmt = HB_CMP_MD;
			else if (!strcmp(optarg, "json"))
				fmt = HB_CMP_JSON;
			else {
				hb_err("compare: --format '%s': accepted: table, csv, md, json",
				       optarg);
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case HB_OPT_DRY_RUN:
			dry_run = 1;
			break;
		case 'h':
			hb_opt_help(&hb_compare_command, stdout);
			rc = HB_EXIT_OK;
			goto out;
		default:
			hb_opt_usage(&hb_compare_command, stderr);
			goto out;
		}
	}
	if (profile && profile_thresholds(profile, &o))
		goto out;
	n = argc - optind;
	if (n < 2 || n > HB_CMP_MAX_NEW + 1) {
		hb_err("compare: expected BASE and 1 to %d NEW results directories, got %d",
		       HB_CMP_MAX_NEW, n);
		hb_opt_usage(&hb_compare_command, stderr);
		goto out;
	}
	make_labels(labels, argv + optind, n);
	for (int i = 0; i < n; i++, loaded++) {
		if (hb_rundata_load(argv[optind + i], &data[i], err, sizeof(err))) {
			hb_err("compare: %s %s: %s", i ? "NEW" : "BASE", argv[optind + i], err);
			goto out;
		}
		if (data[i].meta_note[0])
			hb_err("compare: %s: %s: machines not compared", argv[optind + i],
			       data[i].meta_note);
		runs[i] = (struct hb_cmp_run){ data[i].rows, data[i].n, labels[i], argv[optind + i],
					       data[i].machine,
					       data[i].meta_note[0] ? NULL : &data[i].rec };
		if (o.relative_to && !has_backing(&data[i], o.relative_to)) {
			hb_err("compare: --relative-to %s: %s has no %s cell to divide by",
			       o.relative_to, argv[optind + i], o.relative_to);
			loaded++;
			goto out;
		}
	}
	rc = hb_compare(&runs[0], runs + 1, (size_t)n - 1, &o, &res, err, sizeof(err));
	if (rc == -ENOMEM) {
		hb_err("compare: out of memory");
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	if (rc) {
		hb_err("compare: %s", err);
		rc = HB_EXIT_USAGE;
		goto out;
	}
	comparable = (int)(res.n - res.count[HB_CMP_NA] - res.count[HB_CMP_LOST]);
	if (dry_run) {
		printf("compare: --dry-run: would compare %d figure%s of %zu cells in common of %s "
		       "against %s as %s%s%s; nothing was written\n", comparable,
		       comparable == 1 ? "" : "s", res.cells_common, n == 2 ? argv[optind + 1] :
		       "the NEW runs", argv[optind], fmt == HB_CMP_TABLE ? "a table" :
		       fmt == HB_CMP_CSV ? "csv" : fmt == HB_CMP_MD ? "md" : "json",
		       out ? ", with the report in " : "", out ? out : "");
		rc = HB_EXIT_OK;
		goto out;
	}
	/* The host probe and the machine differences first; on stdout only with the table,
	 * where a reader looks. */
	info = fmt == HB_CMP_TABLE ? stdout : stderr;
	for (int k = 1; k < n; k++)
		fprintf(info, "%s\n", res.probe[k - 1].text);
	for (int k = 1; k < n; k++)
		print_meta_diff(info, &runs[0], &runs[k]);
	fprintf(info, "\n");
	hb_cmp_print(stdout, fmt, &res, &runs[0], runs + 1, (size_t)n - 1,
		     fmt == HB_CMP_TABLE && isatty(STDOUT_FILENO));
	snprintf(summary, sizeof(summary), "%zu figures of %zu cells in common: %zu lost, %zu "
		 "same, %zu better, %zu worse, %zu changed, %zu unknown, %zu n/a%s%s.", res.n,
		 res.cells_common, res.count[HB_CMP_LOST], res.count[HB_CMP_SAME], res.count[HB_CMP_BETTER],
		 res.count[HB_CMP_WORSE], res.count[HB_CMP_CHANGED], res.count[HB_CMP_UNKNOWN],
		 res.count[HB_CMP_NA], o.relative_to ? "; as ratios to " : "",
		 o.relative_to ? o.relative_to : "");
	if (out) {
		int e = hb_cmp_report(out, &res, &runs[0], runs + 1, (size_t)n - 1, summary,
				      o.relative_to != NULL);

		if (e)
			hb_err("compare: the report in %s is incomplete: %s", out, strerror(-e));
		else
			fprintf(info, "report: %s/compare.md, %s/compare.html\n", out, out);
	}
	fprintf(info, "compare: %s\n", summary);
	if (res.count[HB_CMP_LOST]) {
		hb_err("compare: %zu lost: a cell or figure %s had no longer works in %s (listed "
		       "first)", res.count[HB_CMP_LOST], argv[optind], n == 2 ? argv[optind + 1] :
		       "a NEW run");
		rc = 1;
	} else if (!comparable) {
		hb_err("compare: nothing comparable: no figure is measured on both sides");
		rc = HB_EXIT_NO_RESOURCE;
	} else {
		rc = res.count[HB_CMP_WORSE] ? 1 : HB_EXIT_OK;
	}
out:
	hb_cmp_result_free(&res);
	for (int i = 0; i < loaded; i++)
		hb_rundata_free(&data[i]);
	for (size_t i = 0; i < o.nthresholds; i++)
		free((char *)o.thresholds[i].metric);
	return rc;
}
