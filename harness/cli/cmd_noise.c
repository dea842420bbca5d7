/*
 * `hugebench noise --profile NAME [--runs K] [--out FILE] [RUN...]`: thresholds from this
 * runner's own noise. Runs the profile K times (or reads K runs of it), fits per cell and
 * metric the threshold the spread of its medians needs (compare.h: hb_noise_threshold) and
 * writes them as a [thresholds] section, the one compare --profile and bench --budget read.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "log.h"
#include "noise.h"
#include "options.h"
#include "profile.h"
#include "results.h"
#include "rundata.h"
#include "text.h"

static const struct hb_option noise_options[] = {
	{ "profile", HB_OPT_PROFILE, "NAME|FILE", NULL,
	  "the profile to repeat and whose [thresholds] --out replaces (default ci)" },
	{ "runs", HB_OPT_RUNS, "K", NULL,
	  "how many times to run the profile, one after the other (default 3; 2 to "
	  HB_STR(HB_NOISE_MAX_RUNS) ")" },
	{ "out", 'o', "FILE", NULL,
	  "write the profile with its [thresholds] section replaced by the fitted one to FILE "
	  "(the profile's own path rewrites it); without --out the section goes to stdout" },
	{ "quiet", 'q', NULL, NULL, "no progress" },
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_noise_command = {
	.name = "noise",
	.operands = "[RUN...]",
	.summary = "thresholds for compare from this runner's own noise",
	.about = "Runs the profile K times on this machine (into results/noise-<UTC time>/run-N), "
		 "or reads RUN..., K results directories of it, and fits per cell and metric the "
		 "threshold compare needs to call none of their differences a change: the largest "
		 "change between two runs' medians times " HB_STR(HB_NOISE_SAFETY) ", rounded up, "
		 "never below the metric kind's default (5% for times and rates, 1% for memory, 0 "
		 "for counts), at most " HB_STR(HB_NOISE_MAX_PCT) "%. Each metric also gets the "
		 "largest of its cells' thresholds, for cells the runs did not have.",
	.epilog = "Fit once per runner type, with K runs far enough apart to see the runner's drift,\n"
		  "and commit the result: `hugebench noise --profile ci --runs 3 --out\n"
		  "profiles/ci.ini`. More runs see more of the noise; the safety factor covers some of\n"
		  "what three runs do not.\n",
	.options = noise_options,
};

/* The fitted section, with the command and the rule in its comment. */
static void write_section(FILE *f, const struct hb_noise_fit *fit, const char *cmdline,
			  const char *host)
{
	char when[64];
	time_t now = time(NULL);
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime_r(&now, &tm));
	fprintf(f, "; The change in %% that counts, per cell (workload/backing/metric) and per metric\n"
		"; (the largest of its cells'), fitted by\n"
		";   %s\n"
		"; on %s,\n"
		"; %s, from %zu runs: the largest change between two runs' medians x %g,\n"
		"; rounded up, never below the kind's default (times and rates 5, memory 1,\n"
		"; counts 0). After each value: that largest change in %%.\n"
		"; Refit on your own runner (docs/ci.md) rather than edit by hand.\n"
		"[thresholds]\n", cmdline, host, when, fit->runs, HB_NOISE_SAFETY);
	for (size_t i = 0; i < fit->n; i++) {
		const struct hb_noise_entry *e = &fit->e[i];

		if (e->change_pct > 1e300)
			fprintf(f, "%s = %g ; from 0 in one run\n", e->key, e->pct);
		else
			fprintf(f, "%s = %g ; %.1f\n", e->key, e->pct, e->change_pct);
	}
}

/* The profile's text with its [thresholds] section, and the comment lines right above it,
 * replaced by the fitted section: 0 or -errno. */
static int replace_section(const char *profile, const char *out, const struct hb_noise_fit *fit,
			   const char *cmdline, const char *host)
{
	FILE *in = fopen(profile, "r"), *mem;
	char *lines[4096], *buf = NULL, line[4096];
	size_t n = 0, len = 0, start, end;
	int rc = 0;

	if (!in)
		return -errno;
	while (n < 4096 && fgets(line, sizeof(line), in))
		if (!(lines[n++] = strdup(line)))
			rc = -ENOMEM;
	fclose(in);
	for (start = 0; start < n && strncmp(lines[start], "[thresholds]", 12); start++)
		;
	for (end = start + 1; end < n && lines[end][0] != '['; end++)
		;
	if (start == n)
		end = n;
	while (start > 0 && start <= n && lines[start - 1][0] == ';')
		start--;
	mem = open_memstream(&buf, &len);
	if (!mem)
		rc = -ENOMEM;
	for (size_t i = 0; !rc && i < start; i++)
		fputs(lines[i], mem);
	if (!rc)
		write_section(mem, fit, cmdline, host);
	for (size_t i = end; !rc && i < n; i++)
		fputs(lines[i], mem);
	if (mem && fclose(mem))
		rc = -ENOMEM;
	if (!rc)
		rc = hb_atomic_write(out, buf, len);
	free(buf);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	return rc;
}

/* Runs the profile into dir with bench: bench's exit status. */
static int run_profile(const char *profile, const char *dir, int quiet)
{
	char *args[] = { "bench", "--profile", (char *)profile, "--out", (char *)dir,
			 quiet ? "--quiet" : NULL, NULL };

	return hb_cmd_bench(quiet ? 6 : 5, args);
}

int hb_cmd_noise(int argc, char **argv)
{
	static struct hb_rundata data[HB_NOISE_MAX_RUNS];
	static char dirs[HB_NOISE_MAX_RUNS][PATH_MAX];
	struct hb_cmp_run runs[HB_NOISE_MAX_RUNS];
	const char *profile = "ci", *out = NULL;
	char path[PATH_MAX], err[PATH_MAX + 512], cmdline[1024], host[256] = "";
	long k = 3;
	int c, quiet = 0, dry_run = 0, rc = HB_EXIT_USAGE, loaded = 0, given, kruns;
	struct hb_noise_fit fit = { 0 };
	struct hb_opt_parser op;
	struct hb_profile prof;
	struct hb_matrix m;
	char *end;

	hb_opt_begin(&op, &hb_noise_command);
	while ((c = hb_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case HB_OPT_PROFILE:
			profile = optarg;
			break;
		case HB_OPT_RUNS:
			k = strtol(optarg, &end, 10);
			if (*end || end == optarg || k < 2 || k > HB_NOISE_MAX_RUNS) {
				hb_err("noise: --runs '%s': accepted: a whole number from 2 to %d",
				       optarg, HB_NOISE_MAX_RUNS);
				return HB_EXIT_USAGE;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case HB_OPT_DRY_RUN:
			dry_run = 1;
			break;
		case 'h':
			hb_opt_help(&hb_noise_command, stdout);
			return HB_EXIT_OK;
		default:
			hb_opt_usage(&hb_noise_command, stderr);
			return HB_EXIT_USAGE;
		}
	}
	given = argc - optind;
	if (given == 1 || given > HB_NOISE_MAX_RUNS) {
		hb_err("noise: RUN...: expected 2 to %d results directories of the profile, got %d",
		       HB_NOISE_MAX_RUNS, given);
		return HB_EXIT_USAGE;
	}
	kruns = given ? given : (int)k;
	if (hb_profile_path(profile, path, sizeof(path))) {
		hb_err("noise: profile name '%s' is too long", profile);
		return HB_EXIT_USAGE;
	}
	hb_matrix_init(&m);
	rc = hb_profile_load(path, NULL, &m, &prof, err, sizeof(err));
	hb_matrix_free(&m);
	hb_profile_free(&prof);
	if (rc) {
		hb_err("noise: --profile %s: %s", profile, err);
		return rc == -ENOMEM ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
	}
	rc = HB_EXIT_USAGE;
	for (int i = 0; i < given; i++)
		if (access(argv[optind + i], R_OK)) {
			hb_err("noise: RUN %s: %s", argv[optind + i], strerror(errno));
			return HB_EXIT_USAGE;
		}
	/* the command as given, for the comment that says where the thresholds come from */
	{
		size_t o = (size_t)snprintf(cmdline, sizeof(cmdline), "hugebench");

		for (int i = 0; i < argc && o < sizeof(cmdline); i++)
			o += (size_t)snprintf(cmdline + o, sizeof(cmdline) - o, " %s", argv[i]);
	}
	if (dry_run) {
		printf("noise: --dry-run: would %s%s %d time%s, fit its thresholds and write them "
		       "%s%s; nothing was run or written\n", given ? "read the runs of " : "run ",
		       path, kruns, kruns == 1 ? "" : "s", out ? "into " : "to stdout",
		       out ? out : "");
		return HB_EXIT_OK;
	}
	if (!given) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
		for (int i = 0; i < kruns; i++) {
			int e;

			snprintf(dirs[i], PATH_MAX, "results/noise-%s/run-%d", stamp, i + 1);
			hb_info("noise: run %d of %d of %s -> %s", i + 1, kruns, path, dirs[i]);
			e = run_profile(path, dirs[i], quiet);
			if (e != HB_EXIT_OK && e != HB_EXIT_CELL_FAILED) {
				hb_err("noise: run %d: bench exited %d", i + 1, e);
				return e;
			}
		}
	} else {
		for (int i = 0; i < given; i++)
			snprintf(dirs[i], PATH_MAX, "%s", argv[optind + i]);
	}
	for (int i = 0; i < kruns; i++, loaded++) {
		if (hb_rundata_load(dirs[i], &data[i], err, sizeof(err))) {
			hb_err("noise: RUN %s: %s", dirs[i], err);
			goto out;
		}
		runs[i] = (struct hb_cmp_run){ data[i].rows, data[i].n, dirs[i], dirs[i],
					       data[i].machine, NULL };
	}
	snprintf(host, sizeof(host), "%s", data[0].machine);
	rc = hb_noise_fit(runs, (size_t)kruns, &fit, err, sizeof(err));
	if (rc) {
		hb_err("noise: %s", err);
		rc = rc == -ENOMEM ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
		goto out;
	}
	if (fit.n > HB_CMP_MAX_THRESHOLDS)
		hb_err("noise: %zu thresholds, of which compare reads the first %d", fit.n,
		       HB_CMP_MAX_THRESHOLDS);
	if (out) {
		int e = replace_section(path, out, &fit, cmdline, host);

		if (e) {
			hb_err("noise: --out %s: %s", out, strerror(-e));
			rc = HB_EXIT_INTERNAL;
			goto out;
		}
		printf("noise: %zu thresholds from %d runs -> %s\n", fit.n, kruns, out);
	} else {
		write_section(stdout, &fit, cmdline, host);
	}
	rc = HB_EXIT_OK;
out:
	hb_noise_fit_free(&fit);
	for (int i = 0; i < loaded; i++)
		hb_rundata_free(&data[i]);
	return rc;
}
