/* The command line: the only place that chooses an exit code. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backing.h"
#include "cell.h"
#include "log.h"
#include "commands.h"
#include "metrics_doc.h"
#include "sysinfo.h"
#include "workload.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hugebench COMMAND [ARGS]\n"
		"Measures memory backings (4 KiB pages, THP, mTHP, hugetlbfs) with workloads.\n\n"
		"commands:\n"
		"  list                      workloads and backings, and which run here\n"
		"  sysinfo [--json]          kernel, THP/hugetlb settings, CPU, TLBs, topology, "
		"counters\n"
		"  run WORKLOAD [OPTIONS]    run the workload on each backing (run --help)\n"
		"  bench [--profile NAME|FILE] [--out DIR] [--only PATTERN]\n"
		"                            a whole comparison from a profile (bench --help)\n"
		"  plot DIR                  charts (gnuplot) and report.md/.html of a run\n"
		"  compare BASE NEW [NEW...] figures of runs side by side, with verdicts the noise\n"
		"                            allows (compare --help; its own exit status)\n"
		"  baseline RUN OUT          the rows compare reads, small enough to commit\n"
		"  calibrate [--out DIR] [--quick]\n"
		"                            real Redis against its simulator twins, side by side\n"
		"                            (calibrate --help)\n"
		"  restore                   put back what a run that did not finish left changed\n"
		"                            (needs root; restore --help)\n"
		"  WORKLOAD --help           the workload's parameters\n"
		"  --version                 version and git commit\n\n"
		"exit status: 0 done (skipped and fallback cells are results), 1 internal error,\n"
		"  2 bad input (nothing run), 3 no cell could run here, 4 a cell failed,\n"
		"  5 another hugebench run holds the machine (nothing run; run and bench\n"
		"  --wait-lock wait for it instead), 130 interrupted (finished cells kept).\n"
		"Machine settings a cell changes (THP mode, mTHP sizes, hugetlb pools, memory\n"
		"cgroups) are restored after each cell and on Ctrl-C; when the harness is killed,\n"
		"its guardian process (hugebench-guard) restores them within a second; after a\n"
		"power loss, the next hugebench command (as root) or `hugebench restore` does.\n");
}

static int cmd_list(void)
{
	printf("workloads:\n");
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const char *why = w->supported ? w->supported(NULL) : NULL;

		printf("  %-12s %s%s%s\n", w->name, w->summary, why ? " [not available here: " : "",
		       why ? why : "");
	}
	printf("backings:\n");
	hb_backing_list(stdout);
	return 0;
}

static int cmd_sysinfo(int argc, char **argv)
{
	json_t *info;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--json"))) {
		hb_err("sysinfo: unknown argument '%s'; accepted: --json", argv[argc - 1]);
		return HB_EXIT_USAGE;
	}
	info = hb_sysinfo_collect();
	if (!info) {
		hb_err("sysinfo: could not collect machine information");
		return HB_EXIT_INTERNAL;
	}
	if (argc == 2) {
		json_dumpf(info, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		hb_sysinfo_print(info, stdout);
	}
	json_decref(info);
	return 0;
}

static int is_command(const char *name)
{
	static const char *const names[] = { "list", "sysinfo", "run", "bench", "plot",
					     "compare", "baseline", "calibrate", NULL };

	for (int i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const struct hb_workload *w;
	char err[768];

	/* A bad default, range or knob row is a bug of the build, not of the user's input. */
	if (hb_workloads_check(hb_workloads, err, sizeof(err))) {
		hb_err("%s", err);
		return HB_EXIT_INTERNAL;
	}
	if (argc < 2) {
		usage(stderr);
		return HB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hugebench %s (commit %s)\n", PACKAGE_VERSION, HB_GIT_COMMIT);
		return 0;
	}
	if (!strcmp(argv[1], "__cell"))
		return hb_cell_exec_main(argc, argv);
	if (!strcmp(argv[1], "__metrics"))
		return hb_cmd_metrics(argc - 1, argv + 1);
	if (!strcmp(argv[1], "restore"))
		return hb_cmd_restore(argc - 1, argv + 1);
	/* Whatever the command, a crashed run's changes are put back (root) or named first. */
	if (is_command(argv[1]))
		hb_stale_state_check();
	if (!strcmp(argv[1], "list"))
		return cmd_list();
	if (!strcmp(argv[1], "sysinfo"))
		return cmd_sysinfo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return hb_cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return hb_cmd_bench(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plot"))
		return hb_cmd_plot(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return hb_cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "baseline"))
		return hb_cmd_baseline(argc - 1, argv + 1);
	if (!strcmp(argv[1], "calibrate"))
		return hb_cmd_calibrate(argc - 1, argv + 1);
	w = hb_workload_find(argv[1]);
	if (w && argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
		char *args[] = { "run", argv[1], "--help", NULL };

		return hb_cmd_run(3, args);
	}
	if (w)
		hb_err("to run workload '%s': hugebench run %s [OPTIONS]", argv[1], argv[1]);
	else
		hb_err("unknown command '%s'; accepted: list, sysinfo, run, bench, plot, compare, "
		       "baseline, calibrate, restore, WORKLOAD --help, --help, --version", argv[1]);
	return HB_EXIT_USAGE;
}
