/* `hugebench bench`: a matrix of cells from a profile (profile.h), run by matrix.c. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "budget.h"
#include "claim_budget.h"
#include "log.h"
#include "matrix.h"
#include "profile.h"
#include "commands.h"
#include "options.h"
#include "units.h"

static const struct hb_option bench_options[] = {
	{ "profile", HB_OPT_PROFILE, "NAME|FILE", NULL,
	  "a shipped profile (listed above) or an INI file (default quick)" },
	{ "out", 'o', "DIR", NULL, "results directory (default results/<UTC time>-<host>)" },
	{ "only", 'O', "PATTERN", NULL,
	  "only the profile sections whose name or workload matches the shell pattern (e.g. "
	  "'name*')" },
	{ "quiet", 'q', NULL, NULL, "no progress" },
	{ "budget", 'B', "DURATION", NULL,
	  "after the profile's repetitions, more rounds of one repetition for the cells of a "
	  "claim the paired rule cannot decide yet (with --baseline: whose verdict against the "
	  "baseline is still unknown), while the run's total time stays within DURATION (e.g. "
	  "270s or 4.5m); overrides the profile's [bench] budget; at most the profile's max_reps, or "
	  HB_STR(HB_BUDGET_MAX_REPS) ", in all" },
	{ "baseline", HB_OPT_BASELINE, "DIR", NULL,
	  "the baseline --budget asks verdicts against (a results directory or `hugebench "
	  "baseline` of one)" },
	HB_OPTION_KNOB, HB_OPTION_CELL_TIMEOUT, HB_OPTION_WAIT_LOCK, HB_OPTION_DRY_RUN,
	HB_OPTION_HELP, { 0 },
};

/* The shipped profiles are files in the data directory, not names in code. */
static void shipped_profiles(FILE *f)
{
	char shipped[256];

	hb_profiles_shipped(shipped, sizeof(shipped));
	fprintf(f, "  shipped profiles: %s\n", shipped);
}

const struct hb_command hb_bench_command = {
	.name = "bench",
	.about_data = shipped_profiles,
	.summary = "a whole comparison from a profile",
	.epilog = "A profile may set the cell timeout too (cell_timeout in [bench] or in a section);\n"
		  "--cell-timeout overrides both. The last line on stdout is the results directory;\n"
		  "`hugebench plot DIR` charts it.\n",
	.options = bench_options,
};

int hb_cmd_bench(int argc, char **argv)
{
	const char *profile = "quick", *only = NULL, *baseline = NULL, *budget = NULL;
	const char *timeout = NULL;
	static struct hb_budget bu;
	static struct hb_claim_budget cb;
	char path[PATH_MAX], err[PATH_MAX + 512];
	struct hb_profile prof = { 0 };
	struct hb_opt_parser op;
	struct hb_matrix m;
	int c, dry_run = 0, rc = HB_EXIT_USAGE;

	hb_matrix_init(&m);
	hb_opt_begin(&op, &hb_bench_command);
	while ((c = hb_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case HB_OPT_PROFILE:
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
		case HB_OPT_WAIT_LOCK:
			m.wait_lock = 1;
			break;
		case 'B':
			budget = optarg;
			break;
		case HB_OPT_BASELINE:
			baseline = optarg;
			break;
		case 'T':
			timeout = optarg;
			break;
		case HB_OPT_KNOB:
			if (hb_parse_knob_arg("knob", optarg, &m))
				return HB_EXIT_USAGE;
			break;
		case HB_OPT_DRY_RUN:
			dry_run = 1;
			break;
		case 'h':
			hb_opt_help(&hb_bench_command, stdout);
			return HB_EXIT_OK;
		default:
			hb_opt_usage(&hb_bench_command, stderr);
			return HB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		hb_err("bench: unexpected argument '%s'", argv[optind]);
		return HB_EXIT_USAGE;
	}
	if (budget && (hb_parse_duration(budget, &bu.reps.ns) || !bu.reps.ns)) {
		hb_err("bench: --budget '%s': expected a duration such as 300s or 4.5m", budget);
		return HB_EXIT_USAGE;
	}
	if (baseline && !budget) {
		hb_err("bench: --baseline needs --budget: the baseline is what the budget's extra "
		       "repetitions are judged against");
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
	if (rc == -ENOENT && !strchr(profile, '/')) {
		char shipped[256];

		hb_profiles_shipped(shipped, sizeof(shipped));
		hb_err("bench: no profile '%s' (%s); shipped: %s; or give a file path", profile,
		       path, shipped);
	}
	else if (rc)
		hb_err("bench: %s", err);
	if (rc) {
		rc = rc == -ENOMEM ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < prof.nthresholds && i < HB_CMP_MAX_THRESHOLDS; i++)
		bu.opts.thresholds[bu.opts.nthresholds++] =
			(struct hb_cmp_threshold){ prof.thresholds[i].metric, prof.thresholds[i].pct, 1 };
	if (baseline) {
		m.budget = &bu.reps;
	} else if (budget || prof.budget_ns) {
		/* The claims' own budget: the profile's, or --budget's duration. */
		hb_claim_budget_init(&cb, budget ? bu.reps.ns : prof.budget_ns, prof.max_reps);
		m.budget = &cb.reps;
	}
	rc = HB_EXIT_USAGE;
	if (timeout && hb_parse_cell_timeout(timeout, &m)) /* after the profile: it wins */
		goto out;
	m.command_kind = "bench";
	m.profile = path;
	rc = HB_EXIT_USAGE;
	if (hb_matrix_check_fit(&m))
		goto out;
	if (dry_run) {
		hb_matrix_dry_run(&m, "bench");
		rc = HB_EXIT_OK;
		goto out;
	}
	hb_matrix_log_timeouts(&m);
	rc = hb_matrix_run(&m, argc, argv);
out:
	hb_budget_close(&bu);
	hb_matrix_free(&m);
	hb_profile_free(&prof);
	return rc;
}
