/* `hugebench run`: one workload, one parameter set (or its sweep), on a list of backings. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "knob_table.h"
#include "log.h"
#include "matrix.h"
#include "metrics_doc.h"
#include "commands.h"
#include "options.h"
#include "units.h"

const char hb_cell_timeout_help[] =
	"wall-clock limit of each cell's child (e.g. 90s, 10m); at it every process of the cell "
	"is SIGKILLed and the cell is `failed` with the reason; the run goes on. 0: no limit. "
	"Default, per workload and parameters: 30 s + twice the sum of its duration parameters "
	"+ 10 s per GiB of memory it needs (populate); meta.json and the progress say what it "
	"came to. Every cell's memory cgroup is also limited to what the fit check allowed + 25% "
	"+ 256 MiB (hugetlb pages are not charged).";

const char hb_knob_help[] =
	"a machine knob set in every cell, repeatable: NAME one of those `hugebench run --help` "
	"lists above its options (THP, khugepaged and compaction settings; mthp/<N>kB/enabled: "
	"always, inherit, madvise or never, for a size this kernel has). Written before the "
	"backing's own settings (a backing that sets the knob, as thp-always sets thp/enabled, "
	"wins), put back after each cell (also after a crash: the guardian and the next start "
	"restore it); each cell gets a row knob:NAME with the value, meta.json a \"knobs\" "
	"object. A knob this kernel lacks skips the cell with the reason";

/* run --help: the knobs --knob takes, from the knob table. */
static void knob_names(FILE *f)
{
	char names[768], *p = names;

	hb_knob_def_names(names, sizeof(names));
	fprintf(f, "  machine knobs (--knob NAME=VALUE):\n");
	while (*p) { /* wrapped after a comma, lines of at most 88 columns */
		size_t n = strlen(p);

		if (n > 84)
			for (n = 84; n && p[n - 1] != ','; n--)
				;
		fprintf(f, "    %.*s\n", (int)(n ? n : strlen(p)), p);
		p += n ? n : strlen(p);
		while (*p == ' ')
			p++;
	}
}

int hb_check_knob_arg(const char *opt, const char *arg)
{
	char why[1024];

	if (hb_knob_arg_check(arg, "", why, sizeof(why))) {
		hb_err("--%s %s: %s", opt, arg, why);
		return -EINVAL;
	}
	return 0;
}

int hb_parse_knob_arg(const char *opt, const char *arg, struct hb_matrix *m)
{
	if (hb_check_knob_arg(opt, arg))
		return -EINVAL;
	for (int i = 0; i < m->nknob_args; i++)
		if (strcspn(m->knob_args[i], "=") == strcspn(arg, "=") &&
		    !strncmp(m->knob_args[i], arg, strcspn(arg, "="))) {
			hb_err("--%s %s: that knob is already given (%s)", opt, arg,
			       m->knob_args[i]);
			return -EINVAL;
		}
	if (m->nknob_args == HB_MAX_KNOB_ARGS) {
		hb_err("--%s: at most %d knobs", opt, HB_MAX_KNOB_ARGS);
		return -EINVAL;
	}
	m->knob_args[m->nknob_args++] = arg;
	return 0;
}

const char hb_wait_lock_help[] = "when another run holds the machine, wait for it (default: "
				 "refuse with exit 5, naming its pid)";

static const struct hb_option run_options[] = {
	{ "backing", 'b', "LIST", "--backing B[,B...]",
	  "backings to compare (default: those of 4k,thp,hugetlb-2m available here); "
	  "`hugebench list` shows them all" },
	{ "param", 'p', "NAME=VALUE", "-p NAME=VALUE ...",
	  "a workload parameter, repeatable (`hugebench WORKLOAD --help` lists them)" },
	{ "reps", 'r', "N", NULL, "repetitions, interleaved across backings (default 1)" },
	{ "out", 'o', "DIR", NULL, "results directory (default results/<UTC time>-<host>)" },
	{ "series-interval", 'i', "DURATION", NULL,
	  "memory sampling period of the time series (default 100ms)" },
	{ "seed", 's', "N", NULL,
	  "seed for the workload's random choices: a whole number from 0 to "
	  "18446744073709551615 in decimal digits (default: from the clock)" },
	{ "quiet", 'q', NULL, NULL, "no progress lines" },
	{ "events", 'e', "LIST", NULL,
	  "counters for the measured phases: comma-separated libpfm4 event strings (e.g. "
	  "perf::PAGE-FAULTS, skl::DTLB_LOAD_MISSES:WALK_COMPLETED); 'default' stands for this "
	  "CPU's default set (`hugebench sysinfo` shows it); without --events the default set "
	  "is counted" },
	HB_OPTION_KNOB, HB_OPTION_CELL_TIMEOUT, HB_OPTION_WAIT_LOCK, HB_OPTION_DRY_RUN,
	HB_OPTION_HELP, { 0 },
};

const struct hb_command hb_run_command = {
	.name = "run",
	.operands = "WORKLOAD",
	.summary = "run the workload on each backing",
	.about_data = knob_names,
	.options = run_options,
};

int hb_parse_cell_timeout(const char *arg, struct hb_matrix *m)
{
	if (hb_parse_duration(arg, &m->cell_timeout_ns) ||
	    (m->cell_timeout_ns && m->cell_timeout_ns < 1000000000ull)) {
		hb_err("--cell-timeout: '%s' is not a duration of at least 1s (or 0: no limit)",
		       arg);
		return -EINVAL;
	}
	m->cell_timeout_set = HB_TIMEOUT_FROM_OPTION;
	return 0;
}

int hb_parse_backing_list(const char *list, struct hb_backing *out, int max)
{
	char *copy = strdup(list), *save = NULL, err[512];
	int n = 0;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max) {
			hb_err("backing list '%s': at most %d backings", list, max);
			goto bad;
		}
		if (hb_backing_parse(tok, &out[n], err, sizeof(err))) {
			hb_err("%s", err);
			goto bad;
		}
		for (int i = 0; i < n; i++)
			if (!strcmp(out[i].name, tok)) {
				hb_err("backing list '%s': '%s' is listed twice", list, tok);
				goto bad;
			}
		n++;
	}
	free(copy);
	if (!n) {
		hb_err("backing list '%s' is empty; `hugebench list` shows the backings", list);
		return -EINVAL;
	}
	return n;
bad:
	free(copy);
	return -EINVAL;
}

/* `run WORKLOAD --help`: the workload's parameters, then the options. */
static void workload_help(const struct hb_workload *w)
{
	printf("%s: %s\n\nparameters (-p NAME=VALUE):\n", w->name, w->summary);
	hb_params_help(w->params, stdout);
	hb_metrics_help_section(w, stdout);
	printf("\n");
	hb_opt_help(&hb_run_command, stdout);
}

int hb_cmd_run(int argc, char **argv)
{
	struct hb_backing backings[HB_MAX_BACKINGS];
	const struct hb_workload *w;
	const char *backing_list = NULL, *name;
	char err[1024], defaults[256], **args;
	struct hb_opt_parser op;
	struct hb_matrix m;
	void *params = NULL;
	int c, nb, dry_run = 0, rc = HB_EXIT_USAGE;
	uint64_t u;

	/* WORKLOAD first: the parameters are its own. It may follow options (--dry-run). */
	hb_opt_scan(&hb_run_command, argc, argv, &dry_run, &name);
	if (!name) {
		/* `run --help`: only the options, no workload's parameters */
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
				hb_opt_help(&hb_run_command, stdout);
				return HB_EXIT_OK;
			}
		hb_err("run: which workload? (`hugebench list` shows them)");
		hb_opt_usage(&hb_run_command, stderr);
		return HB_EXIT_USAGE;
	}
	w = hb_workload_find(name);
	if (!w) {
		hb_err("unknown workload '%s'; accepted:", name);
		for (int i = 0; hb_workloads[i]; i++)
			fprintf(stderr, "  %s\n", hb_workloads[i]->name);
		return HB_EXIT_USAGE;
	}
	hb_matrix_init(&m);
	/* getopt moves the operands after the options: the record keeps argv as typed. */
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (args)
		memcpy(args, argv, (size_t)argc * sizeof(*args));
	params = calloc(1, w->params_size);
	if (!args || !params || hb_params_defaults(w->params, params, err, sizeof(err))) {
		hb_err("workload %s: bad default: %s", w->name, err);
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	dry_run = 0;
	hb_opt_begin(&op, &hb_run_command);
	while ((c = hb_opt_next(&op, argc, args)) != -1) {
		switch (c) {
		case 'b':
			backing_list = optarg;
			break;
		case 'p':
			if (hb_params_set_arg(w->params, params, optarg, err, sizeof(err))) {
				hb_err("%s: %s", w->name, err);
				goto out;
			}
			break;
		case 'r':
			if (hb_parse_uint(optarg, 1000, &u) || u < 1) {
				hb_err("--reps: '%s' is not a whole number from 1 to 1000", optarg);
				goto out;
			}
			m.reps = (int)u;
			break;
		case 'o':
			m.out = optarg;
			break;
		case 'i':
			if (hb_parse_duration(optarg, &m.series_interval_ns) ||
			    m.series_interval_ns < 10000000ull) {
				hb_err("--series-interval: '%s' is not a duration of at least 10ms",
				       optarg);
				goto out;
			}
			break;
		case 's':
			if (hb_parse_uint(optarg, UINT64_MAX, &m.seed)) {
				hb_err("--seed: '%s' is not a whole number from 0 to %" PRIu64
				       " in decimal digits", optarg, UINT64_MAX);
				goto out;
			}
			break;
		case 'q':
			hb_log_quiet = 1;
			break;
		case HB_OPT_WAIT_LOCK:
			m.wait_lock = 1;
			break;
		case 'e': {
			/* Only the list's shape here; the cell's child encodes and opens them. */
			struct hb_counters *cs = calloc(1, sizeof(*cs));
			int bad;

			snprintf(err, sizeof(err), "out of memory");
			bad = !cs || hb_counters_parse(cs, optarg, err, sizeof(err));
			free(cs);
			if (bad) {
				hb_err("%s", err);
				goto out;
			}
			m.events = optarg;
			break;
		}
		case 'T':
			if (hb_parse_cell_timeout(optarg, &m))
				goto out;
			break;
		case HB_OPT_KNOB:
			if (hb_parse_knob_arg("knob", optarg, &m))
				goto out;
			break;
		case HB_OPT_DRY_RUN:
			dry_run = 1;
			break;
		case 'h':
			workload_help(w);
			rc = HB_EXIT_OK;
			goto out;
		default:
			hb_opt_usage(&hb_run_command, stderr);
			goto out;
		}
	}
	if (optind + 1 < argc) { /* args[optind] is WORKLOAD */
		hb_err("run: unexpected argument '%s'", args[optind + 1]);
		goto out;
	}
	if (w->validate && w->validate(params, err, sizeof(err))) {
		hb_err("%s: %s", w->name, err);
		goto out;
	}
	if (!backing_list) {
		hb_backing_default_list(defaults, sizeof(defaults));
		backing_list = defaults;
	}
	nb = hb_parse_backing_list(backing_list, backings, HB_MAX_BACKINGS);
	if (nb < 0)
		goto out;
	if (hb_matrix_add(&m, w, params, backings, nb, NULL)) {
		hb_err("%s: cannot build the cells", w->name);
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	if (hb_matrix_check_fit(&m))
		goto out;
	if (dry_run) {
		hb_matrix_dry_run(&m, "run");
		rc = HB_EXIT_OK;
		goto out;
	}
	hb_matrix_log_timeouts(&m);
	rc = hb_matrix_run(&m, argc, argv);
out:
	hb_matrix_free(&m);
	free(params);
	free(args);
	return rc;
}
