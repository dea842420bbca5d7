/* `hugebench bench`: a matrix of cells from a profile (profile.h), run by matrix.c. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "budget.h"
#include "log.h"
#include "matrix.h"
#include "profile.h"
#include "commands.h"
#include "units.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hugebench bench [--profile NAME|FILE] [--out DIR] [--only PATTERN] "
		"[--quiet]\n"
		"                       [--budget DURATION --baseline DIR] [--cell-timeout DURATION]\n"
		"                       [--wait-lock]\n"
		"  --profile NAME|FILE  shipped profile (quick, full, ci, defrag) or an INI file "
		"(default quick)\n"
		"  --out DIR            results directory (default results/<UTC time>-<host>)\n"
		"  --only PATTERN       only the profile sections whose name or workload matches\n"
		"                       the shell pattern (e.g. 'sparse*')\n"
		"  --quiet              no progress\n"
		"  --wait-lock          when another run holds the machine, wait for it (default:\n"
		"                       refuse with exit 5, naming its pid)\n"
		"  --baseline DIR       the baseline --budget asks verdicts against (a results\n"
		"                       directory or `hugebench baseline` of one)\n"
		"  --budget DURATION    with --baseline: after the profile's repetitions, more\n"
		"                       rounds of one repetition for the cells whose verdict against\n"
		"                       the baseline is still unknown, while the run's total time\n"
		"                       stays within DURATION (e.g. 4m30s); at most %d in all\n"
		"%s"
		"                   A profile may set it too: cell_timeout in [bench] or in a\n"
		"                   section; the option overrides both.\n"
		"The last line on stdout is the results directory; `hugebench plot DIR` charts it.\n",
		HB_BUDGET_MAX_REPS, hb_cell_timeout_help);
}

int hb_cmd_bench(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "wait-lock", no_argument, NULL, 0x200 }, /* long only */
		{ "budget", required_argument, NULL, 'B' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "cell-timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *profile = "quick", *only = NULL, *baseline = NULL, *budget = NULL;
	const char *timeout = NULL;
	static struct hb_budget bu;
	char path[PATH_MAX], err[PATH_MAX + 512];
	struct hb_profile prof = { 0 };
	struct hb_matrix m;
	int c, rc = HB_EXIT_USAGE;

	hb_matrix_init(&m);
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:o:O:qB:b:T:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			profile = optarg;
			break;
		case 'o':
			m.out = optarg;
			break;
		case 'O':
			only = optarg;
			break;
		case 'q':
			hb_log_quiet = 1;
			break;
		case 0x200:
			m.wait_lock = 1;
			break;
		case 'B':
			budget = optarg;
			break;
		case 'b':
			baseline = optarg;
			break;
		case 'T':
			timeout = optarg;
			break;
		case 'h':
			usage(stdout);
			return HB_EXIT_OK;
		default:
			usage(stderr);
			return HB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		hb_err("bench: unexpected argument '%s'", argv[optind]);
		return HB_EXIT_USAGE;
	}
	if (budget && (hb_parse_duration(budget, &bu.reps.ns) || !bu.reps.ns)) {
		hb_err("bench: --budget '%s': expected a duration such as 4m30s or 300s", budget);
		return HB_EXIT_USAGE;
	}
	if (!budget != !baseline) {
		hb_err("bench: --budget and --baseline go together: the verdicts the budget waits for "
		       "are against a baseline");
		return HB_EXIT_USAGE;
	}
	if (baseline && hb_budget_open(&bu, baseline, err, sizeof(err))) {
		hb_err("bench: %s", err);
		return HB_EXIT_USAGE;
	}
	if (hb_profile_path(profile, path, sizeof(path))) {
		hb_err("bench: profile name '%s' is too long", profile);
		return HB_EXIT_USAGE;
	}
	rc = hb_profile_load(path, only, &m, &prof, err, sizeof(err));
	if (rc == -ENOENT && !strchr(profile, '/'))
		hb_err("bench: no profile '%s' (%s); shipped: quick, full, ci, defrag; or give a file path",
		       profile, path);
	else if (rc)
		hb_err("bench: %s", err);
	if (rc) {
		rc = rc == -ENOMEM ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < prof.nthresholds && i < HB_CMP_MAX_THRESHOLDS; i++)
		bu.opts.thresholds[bu.opts.nthresholds++] =
			(struct hb_cmp_threshold){ prof.thresholds[i].metric, prof.thresholds[i].pct, 1 };
	if (baseline)
		m.budget = &bu.reps;
	rc = HB_EXIT_USAGE;
	if (timeout && hb_parse_cell_timeout(timeout, &m)) /* after the profile: it wins */
		goto out;
	m.command_kind = "bench";
	m.profile = path;
	rc = HB_EXIT_USAGE;
	if (hb_matrix_check_fit(&m))
		goto out;
	hb_matrix_log_timeouts(&m);
	rc = hb_matrix_run(&m, argc, argv);
out:
	hb_budget_close(&bu);
	hb_matrix_free(&m);
	hb_profile_free(&prof);
	return rc;
}
