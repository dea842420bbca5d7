/* `hugebench run`: one workload, one parameter set (or its sweep), on a list of backings. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "log.h"
#include "matrix.h"
#include "metrics_doc.h"
#include "commands.h"
#include "units.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hugebench run WORKLOAD [--backing B[,B...]] [-p NAME=VALUE ...] [--reps N]\n"
		"                     [--out DIR] [--series-interval DURATION] [--seed N] [--quiet]\n"
		"                     [--events LIST] [--cell-timeout DURATION] [--wait-lock]\n"
		"  --backing LIST   backings to compare (default: those of 4k,thp,hugetlb-2m\n"
		"                   available here); `hugebench list` shows them all\n"
		"  -p NAME=VALUE    a workload parameter (`hugebench WORKLOAD --help` lists them)\n"
		"  --reps N         repetitions, interleaved across backings (default 1)\n"
		"  --out DIR        results directory (default results/<UTC time>-<host>)\n"
		"  --series-interval DURATION  memory sampling period of the time series "
		"(default 100ms)\n"
		"  --seed N         seed for the workload's random choices: a whole number from 0\n"
		"                   to 18446744073709551615 in decimal digits (default: from the\n"
		"                   clock)\n"
		"  --quiet          no progress lines\n"
		"  --wait-lock      when another run holds the machine, wait for it (default:\n"
		"                   refuse with exit 5, naming its pid)\n"
		"  --events LIST    counters for the measured phases: comma-separated libpfm4\n"
		"                   event strings (e.g. perf::PAGE-FAULTS,\n"
		"                   skl::DTLB_LOAD_MISSES:WALK_COMPLETED); 'default' stands for\n"
		"                   this CPU's default set (`hugebench sysinfo` shows it);\n"
		"                   without --events the default set is counted\n"
		"%s", hb_cell_timeout_help);
}

const char hb_cell_timeout_help[] =
	"  --cell-timeout DURATION  wall-clock limit of each cell's child (e.g. 90s, 10m);\n"
	"                   at it every process of the cell is SIGKILLed and the cell is\n"
	"                   `failed` with the reason; the run goes on. 0: no limit.\n"
	"                   Default, per workload and parameters: 30 s + twice the sum of\n"
	"                   its duration parameters + 10 s per GiB of memory it needs\n"
	"                   (populate); meta.json and the progress say what it came to.\n"
	"                   Every cell's memory cgroup is also limited to what the fit\n"
	"                   check allowed + 25% + 256 MiB (hugetlb pages are not charged).\n";

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

int hb_cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "backing", required_argument, NULL, 'b' },
		{ "param", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "series-interval", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "wait-lock", no_argument, NULL, 0x200 }, /* long only */
		{ "events", required_argument, NULL, 'e' },
		{ "cell-timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct hb_backing backings[HB_MAX_BACKINGS];
	const struct hb_workload *w;
	const char *backing_list = NULL;
	char err[1024], defaults[256];
	struct hb_matrix m;
	void *params = NULL;
	int c, nb, rc = HB_EXIT_USAGE;
	uint64_t u;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return HB_EXIT_OK;
		}
		hb_err("run: which workload? (`hugebench list` shows them)");
		usage(stderr);
		return HB_EXIT_USAGE;
	}
	w = hb_workload_find(argv[1]);
	if (!w) {
		hb_err("unknown workload '%s'; accepted:", argv[1]);
		for (int i = 0; hb_workloads[i]; i++)
			fprintf(stderr, "  %s\n", hb_workloads[i]->name);
		return HB_EXIT_USAGE;
	}
	hb_matrix_init(&m);
	params = calloc(1, w->params_size);
	if (!params || hb_params_defaults(w->params, params, err, sizeof(err))) {
		hb_err("workload %s: bad default: %s", w->name, err);
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "b:p:r:o:i:s:qe:T:h", longopts, NULL)) != -1) {
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
		case 0x200:
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
		case 'h':
			printf("%s: %s\n\nparameters (-p NAME=VALUE):\n", w->name, w->summary);
			hb_params_help(w->params, stdout);
			hb_metrics_help_section(w, stdout);
			printf("\n");
			usage(stdout);
			rc = HB_EXIT_OK;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind < argc) {
		hb_err("run: unexpected argument '%s'", argv[optind]);
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
	hb_matrix_log_timeouts(&m);
	rc = hb_matrix_run(&m, argc, argv);
out:
	hb_matrix_free(&m);
	free(params);
	return rc;
}
