/* `hugebench bench`: a matrix of cells from a profile (profile.h), run by matrix.c. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "matrix.h"
#include "profile.h"
#include "commands.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hugebench bench [--profile NAME|FILE] [--out DIR] [--only PATTERN] "
		"[--quiet]\n"
		"  --profile NAME|FILE  shipped profile (quick, full) or an INI file "
		"(default quick)\n"
		"  --out DIR            results directory (default results/<UTC time>-<host>)\n"
		"  --only PATTERN       only the profile sections whose name or workload matches\n"
		"                       the shell pattern (e.g. 'sparse*')\n"
		"  --quiet              no progress\n"
		"The last line on stdout is the results directory; `hugebench plot DIR` charts it.\n");
}

int hb_cmd_bench(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "only", required_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *profile = "quick", *only = NULL;
	char path[PATH_MAX], err[PATH_MAX + 512];
	struct hb_profile prof = { 0 };
	struct hb_matrix m;
	int c, rc = HB_EXIT_USAGE;

	hb_matrix_init(&m);
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:o:O:qh", longopts, NULL)) != -1) {
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
	if (hb_profile_path(profile, path, sizeof(path))) {
		hb_err("bench: profile name '%s' is too long", profile);
		return HB_EXIT_USAGE;
	}
	rc = hb_profile_load(path, only, &m, &prof, err, sizeof(err));
	if (rc == -ENOENT && !strchr(profile, '/'))
		hb_err("bench: no profile '%s' (%s); shipped: quick, full; or give a file path",
		       profile, path);
	else if (rc)
		hb_err("bench: %s", err);
	if (rc) {
		rc = rc == -ENOMEM ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
		goto out;
	}
	m.command_kind = "bench";
	m.profile = path;
	rc = HB_EXIT_USAGE;
	if (hb_matrix_check_fit(&m))
		goto out;
	rc = hb_matrix_run(&m, argc, argv);
out:
	hb_matrix_free(&m);
	hb_profile_free(&prof);
	return rc;
}
