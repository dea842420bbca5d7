/* The command line: the only place that chooses an exit code. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backing.h"
#include "cell.h"
#include "log.h"
#include "commands.h"
#include "options.h"
#include "metrics_doc.h"
#include "sysinfo.h"
#include "workload.h"

static const struct hb_option list_options[] = { HB_OPTION_DRY_RUN, HB_OPTION_HELP, { 0 } };

static const struct hb_command list_command = {
	.name = "list",
	.summary = "workloads and backings, and which run here",
	.options = list_options,
};

static const struct hb_option sysinfo_options[] = {
	{ "json", 'j', NULL, NULL, "the same as JSON (what meta.json records of the machine)" },
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

static const struct hb_command sysinfo_command = {
	.name = "sysinfo",
	.summary = "kernel, THP/hugetlb settings, CPU, TLBs, topology, counters",
	.options = sysinfo_options,
};

static const struct hb_option main_options[] = {
	{ "help", 'h', NULL, "", "this text" },
	{ "version", HB_OPT_VERSION, NULL, "", "version and git commit" },
	{ 0 },
};

static const struct hb_command main_command = {
	.operands = "COMMAND [ARGS]",
	.about = "Measures memory backings (4 KiB pages, THP, mTHP, hugetlbfs) with workloads.",
	.epilog =
		"exit status: 0 done (skipped and fallback cells are results), 1 internal error,\n"
		"  2 bad input (nothing run), 3 no cell could run here, 4 a cell failed,\n"
		"  5 another hugebench run holds the machine (nothing run; run and bench\n"
		"  --wait-lock wait for it instead), 130 interrupted (finished cells kept).\n"
		"Every command takes --dry-run: it checks the arguments, says what it would do and\n"
		"changes, writes and locks nothing.\n"
		"Machine settings a cell changes (THP mode, mTHP sizes, hugetlb pools, memory\n"
		"cgroups) are restored after each cell and on Ctrl-C; when the harness is killed,\n"
		"its guardian process (hugebench-guard) restores them within a second; after a\n"
		"power loss, the next hugebench command (as root) or `hugebench restore` does.\n",
	.options = main_options,
};

static int cmd_list(int argc, char **argv);
static int cmd_sysinfo(int argc, char **argv);

/* The commands, in the order `hugebench --help` lists them. */
static const struct {
	const struct hb_command *cmd;
	int (*main)(int argc, char **argv); /* argv[0] is the command's name */
} commands[] = {
	{ &list_command, cmd_list },
	{ &sysinfo_command, cmd_sysinfo },
	{ &hb_run_command, hb_cmd_run },
	{ &hb_bench_command, hb_cmd_bench },
	{ &hb_plot_command, hb_cmd_plot },
	{ &hb_compare_command, hb_cmd_compare },
	{ &hb_advise_command, hb_cmd_advise },
	{ &hb_baseline_command, hb_cmd_baseline },
	{ &hb_noise_command, hb_cmd_noise },
	{ &hb_ab_command, hb_cmd_ab },
	{ &hb_calibrate_command, hb_cmd_calibrate },
	{ &hb_restore_command, hb_cmd_restore },
	{ &hb_inspect_command, hb_cmd_inspect },
	{ &hb_record_command, hb_cmd_record },
	{ &hb_trace_command, hb_cmd_trace },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	hb_opt_usage(&main_command, f);
	fprintf(f, "%s\n\ncommands:\n", main_command.about);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct hb_command *c = commands[i].cmd;
		char left[64];
		int n = snprintf(left, sizeof(left), "%s%s%s [OPTIONS]", c->name,
				 c->operands ? " " : "", c->operands ? c->operands : "");

		fprintf(f, "  %-26s%s%s\n", left, n > 25 ? "\n                            " : "",
			c->summary);
	}
	fprintf(f, "  %-26s%s\n", "WORKLOAD --help", "the workload's parameters");
	fprintf(f, "`hugebench COMMAND --help` says more of each.\n\noptions:\n");
	hb_opt_print_options(&main_command, f);
	fprintf(f, "\n%s", main_command.epilog);
}

/* The options of list and sysinfo: 0, or the exit code of --help or of bad input. */
static int flag_options(const struct hb_command *cmd, int argc, char **argv, int flag_key,
			int *flag, int *dry_run)
{
	int rc = hb_opt_flags(cmd, argc, argv, flag_key, flag, dry_run);

	if (rc)
		return rc > 0 ? -1 : HB_EXIT_USAGE;
	if (optind < argc) {
		hb_err("%s: unexpected argument '%s'", cmd->name, argv[optind]);
		return HB_EXIT_USAGE;
	}
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	int dry_run = 0, rc = flag_options(&list_command, argc, argv, 0, NULL, &dry_run);

	if (rc)
		return rc < 0 ? HB_EXIT_OK : rc;
	if (dry_run) {
		printf("list: --dry-run: would list the workloads and backings, and which run "
		       "here\n");
		return HB_EXIT_OK;
	}
	printf("workloads:\n");
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const char *why = w->needs->supported ? w->needs->supported(NULL) : NULL;

		printf("  %-12s %s%s%s\n", w->name, w->summary, why ? " [not available here: " : "",
		       why ? why : "");
	}
	printf("backings:\n");
	hb_backing_list(stdout);
	return 0;
}

static int cmd_sysinfo(int argc, char **argv)
{
	int json = 0, dry_run = 0, rc = flag_options(&sysinfo_command, argc, argv, 'j', &json,
							&dry_run);
	json_t *info;

	if (rc)
		return rc < 0 ? HB_EXIT_OK : rc;
	if (dry_run) {
		printf("sysinfo: --dry-run: would describe this machine%s\n", json ? " as JSON" : "");
		return HB_EXIT_OK;
	}
	info = hb_sysinfo_collect();
	if (!info) {
		hb_err("sysinfo: could not collect machine information");
		return HB_EXIT_INTERNAL;
	}
	if (json) {
		json_dumpf(info, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		hb_sysinfo_print(info, stdout);
	}
	json_decref(info);
	return 0;
}

/* The tables of every command, for the start-up check. */
static int check_options(char *err, size_t len)
{
	const struct hb_command *all[NCOMMANDS + 2];

	for (size_t i = 0; i < NCOMMANDS; i++)
		all[i] = commands[i].cmd;
	all[NCOMMANDS] = &main_command;
	all[NCOMMANDS + 1] = NULL;
	return hb_options_check(all, err, len);
}

int main(int argc, char **argv)
{
	const struct hb_workload *w;
	struct hb_opt_parser op;
	char err[768];
	int c;

	hb_cell_exec_always = 1;
	/* A bad default, range, knob row or option row is a bug of the build, not of the
	 * user's input. */
	if (hb_workloads_check(hb_workloads, err, sizeof(err)) || check_options(err, sizeof(err))) {
		hb_err("%s", err);
		return HB_EXIT_INTERNAL;
	}
	if (argc < 2) {
		usage(stderr);
		return HB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "__cell"))
		return hb_cell_exec_main(argc, argv);
	if (!strcmp(argv[1], "__metrics")) /* hidden: the declared rows, for docs and checks */
		return hb_cmd_metrics(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	/* The top level's own options end at the command ('+': no reordering). */
	hb_opt_begin(&op, &main_command);
	while ((c = hb_opt_next(&op, argc, argv)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == HB_OPT_VERSION) {
			printf("hugebench %s (commit %s)\n", PACKAGE_VERSION, HB_GIT_COMMIT);
			return 0;
		}
		usage(stderr);
		return HB_EXIT_USAGE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct hb_command *cmd = commands[i].cmd;
		const char *operand;
		int dry_run;

		if (strcmp(argv[1], cmd->name))
			continue;
		/* Whatever the command, a crashed run's changes are put back (root) or named
		 * first; not by restore, whose job that is, nor by a dry run, which changes
		 * nothing. */
		hb_opt_scan(cmd, argc - 1, argv + 1, &dry_run, &operand);
		if (commands[i].main != hb_cmd_restore && !dry_run)
			hb_stale_state_check();
		return commands[i].main(argc - 1, argv + 1);
	}
	w = hb_workload_find(argv[1]);
	if (w && argc >= 3) {
		/* `hugebench WORKLOAD --help` is `hugebench run WORKLOAD --help` */
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
				char *args[] = { "run", argv[1], "--help", NULL };

				return hb_cmd_run(3, args);
			}
	}
	if (w)
		hb_err("to run workload '%s': hugebench run %s [OPTIONS]", argv[1], argv[1]);
	else
		hb_err("unknown command '%s'; accepted: list, sysinfo, run, bench, plot, compare, advise, "
		       "baseline, noise, ab, calibrate, restore, inspect, WORKLOAD --help, --help, "
		       "--version", argv[1]);
	return HB_EXIT_USAGE;
}
