/*
 * `hugebench advise RUN [RUN...]`: what to set, per priority, from the runs' figures
 * (report/advise.h; docs/advise.md): advise.md with every priority, the chosen one first, and
 * the files that apply it, into --out DIR (default RUN/advise/).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advise.h"
#include "advise_service.h"
#include "commands.h"
#include "fs.h"
#include "log.h"
#include "options.h"
#include "units.h"

#define MAX_RUNS 8

static const struct hb_option advise_options[] = {
	{ "priority", HB_OPT_PRIORITY, "latency|throughput|memory|balanced", NULL,
	  "what matters most to the service (default balanced: the three alike); advise.md "
	  "has all four, this one first, and the files apply this one" },
	{ "fork-snapshots", HB_OPT_FORK_SNAPSHOTS, NULL, NULL,
	  "the service forks to snapshot (Redis BGSAVE): fork time, the write tail during a "
	  "snapshot and the memory copy-on-write copies weigh in" },
	{ "memory-limit", HB_OPT_MEMORY_LIMIT, "SIZE", NULL,
	  "the memory the service may use (4K or more, binary suffixes): a backing whose memory "
	  "figure is above it is ruled out. With an inspect output among the RUNs the figure is "
	  "the service's predicted memory (its charged memory x the backing's figure / that of "
	  "the backing it runs under); without, the runs' own figure (the rules marked "
	  "footprint, as measured: size the run like the service)" },
	{ "out", 'o', "DIR", NULL,
	  "where advise.md and the files go (default: the first RUN's advise/)" },
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_advise_command = {
	.name = "advise",
	.operands = "RUN [RUN...]",
	.summary = "what to set for a service, per priority, from runs' figures, with its "
		   "evidence, cost and certainty, and files that apply it",
	.about = "Reads bench or run directories (the service profiles' too), and at most one "
		 "`hugebench inspect --out` directory (inspect.csv: the service as it runs now, "
		 "which opens advise.md and scales --memory-limit to it; alone it decides "
		 "nothing and names the runs to make), and decides, for "
		 "each priority, the backing (THP mode system-wide or per process, hugetlb pool, "
		 "mTHP size) with the allocator and knobs of its evidence's cells, by the paired "
		 "rule the report's verdicts use: a backing better than 4k beyond 2% on more of "
		 "the priority's figures than it is worse. Prints the chosen priority's decision and "
		 "writes DIR/advise.md (all four), apply.sh (sysfs writes; undo.sh gets the old "
		 "values), kernel-cmdline.txt, hugebench-advice.conf (a systemd drop-in) and "
		 "ansible-vars.yml (for deploy/ansible/apply.yml). What the runs cannot tell comes "
		 "with the command that would measure it. Exit 0, 1 internal error, 2 bad input "
		 "(a RUN that is neither a results directory nor an inspect output, two inspect "
		 "outputs).",
	.options = advise_options,
};

static int bad(const char *what)
{
	hb_err("advise: %s", what);
	hb_opt_usage(&hb_advise_command, stderr);
	return HB_EXIT_USAGE;
}

/* advise.md: the chosen priority first, then the others. */
static int write_md(const char *dir, struct hb_advice *const *a, int prio,
		    const struct hb_adv_service *svc, char *err, size_t len)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 32];
	struct hb_doc d = { 0 };

	snprintf(path, sizeof(path), "%s/advise.md", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	d.md = fopen(tmp, "w");
	d.html = fopen("/dev/null", "w");
	if (!d.md || !d.html) {
		snprintf(err, len, "%s: %s", tmp, strerror(errno));
		if (d.md)
			fclose(d.md);
		if (d.html)
			fclose(d.html);
		return -EIO;
	}
	hb_doc_h(&d, 1, "hugebench advise");
	if (svc)
		hb_advise_service_doc(&d, svc, 2);
	hb_advise_doc(&d, a[prio], 2);
	for (int p = 0; p < HB_ADV_N; p++)
		if (p != prio)
			hb_advise_doc(&d, a[p], 2);
	fclose(d.html);
	if (fclose(d.md) || rename(tmp, path)) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

int hb_cmd_advise(int argc, char **argv)
{
	struct hb_rundata *runs = NULL;
	const struct hb_rundata *rp[MAX_RUNS];
	struct hb_advice *a[HB_ADV_N] = { 0 };
	struct hb_adv_service *svc = NULL;
	struct hb_adv_opts o = { 0 };
	struct hb_opt_parser p;
	char err[PATH_MAX + 256], out[PATH_MAX];
	const char *out_arg = NULL;
	int c, prio = HB_ADV_BALANCED, dry_run = 0, rc = HB_EXIT_OK;
	size_t nr = 0;
	uint64_t limit;

	hb_opt_begin(&p, &hb_advise_command);
	while ((c = hb_opt_next(&p, argc, argv)) != -1) {
		switch (c) {
		case HB_OPT_PRIORITY:
			prio = hb_adv_prio_parse(optarg);
			if (prio < 0) {
				snprintf(err, sizeof(err), "--priority '%s': accepted: latency, "
					 "throughput, memory, balanced", optarg);
				return bad(err);
			}
			break;
		case HB_OPT_FORK_SNAPSHOTS:
			o.fork_snapshots = 1;
			break;
		case HB_OPT_MEMORY_LIMIT:
			if (hb_parse_size(optarg, &limit) || limit < 4096) {
				snprintf(err, sizeof(err), "--memory-limit '%s': a size of 4K or more "
					 "with a binary suffix (512M, 8G)", optarg);
				return bad(err);
			}
			o.memory_limit_kib = (double)limit / 1024;
			break;
		case 'o':
			out_arg = optarg;
			break;
		case HB_OPT_DRY_RUN:
			dry_run = 1;
			break;
		case 'h':
			hb_opt_help(&hb_advise_command, stdout);
			return HB_EXIT_OK;
		default:
			hb_opt_usage(&hb_advise_command, stderr);
			return HB_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return bad("name at least one RUN: a results directory (results.csv, meta.json) or "
			   "an inspect output (inspect.csv)");
	if (argc - optind > MAX_RUNS) {
		snprintf(err, sizeof(err), "%d runs: at most %d", argc - optind, MAX_RUNS);
		return bad(err);
	}
	runs = calloc(MAX_RUNS, sizeof(*runs));
	if (!runs)
		return HB_EXIT_INTERNAL;
	for (int i = optind; i < argc; i++) {
		if (hb_adv_service_is(argv[i])) {
			if (svc) {
				hb_err("advise: RUN %s: a second inspect output (after %s): accepted "
				       "is one, the service's", argv[i], svc->dir);
				rc = HB_EXIT_USAGE;
				goto done;
			}
			svc = calloc(1, sizeof(*svc));
			if (!svc) {
				rc = HB_EXIT_INTERNAL;
				goto done;
			}
			if (hb_adv_service_load(argv[i], svc, err, sizeof(err))) {
				hb_err("advise: RUN %s is no inspect output: %s", argv[i], err);
				rc = HB_EXIT_USAGE;
				goto done;
			}
			continue;
		}
		if (hb_rundata_load(argv[i], &runs[nr], err, sizeof(err))) {
			hb_err("advise: RUN %s is not a results directory (%s) nor an inspect output "
			       "(no inspect.csv)", argv[i], err);
			rc = HB_EXIT_USAGE;
			goto done;
		}
		rp[nr] = &runs[nr];
		nr++;
	}
	o.service = svc;
	snprintf(out, sizeof(out), "%s", out_arg ? out_arg : "");
	if (!out_arg)
		snprintf(out, sizeof(out), "%.*s/advise", PATH_MAX - 8, argv[optind]);
	if (dry_run) {
		printf("advise: --dry-run: would read %zu run%s%s and write %s/advise.md%s for "
		       "priority %s; nothing was written\n", nr, nr == 1 ? "" : "s",
		       svc ? " and an inspect output" : "", out, nr ? ", apply.sh, "
		       "kernel-cmdline.txt, hugebench-advice.conf and ansible-vars.yml" : "",
		       hb_adv_prio_names[prio]);
		goto done;
	}
	for (int i = 0; i < HB_ADV_N; i++) {
		a[i] = calloc(1, sizeof(*a[i]));
		if (!a[i] || hb_advise_decide(rp, nr, i, &o, a[i])) {
			rc = HB_EXIT_INTERNAL;
			goto done;
		}
	}
	/* Without a run nothing is decided: advise.md alone, no settings to apply. */
	if (!nr && (c = hb_mkdir_p(out, 0755))) {
		snprintf(err, sizeof(err), "%s: %s", out, strerror(-c));
		hb_err("advise: cannot write %s", err);
		rc = HB_EXIT_INTERNAL;
		goto done;
	}
	if ((nr && hb_advise_files(out, a[prio], err, sizeof(err))) ||
	    write_md(out, a, prio, svc, err, sizeof(err))) {
		hb_err("advise: cannot write %s", err);
		rc = HB_EXIT_INTERNAL;
		goto done;
	}
	{
		struct hb_doc d = { stdout, fopen("/dev/null", "w") };

		if (d.html) {
			if (svc)
				hb_advise_service_doc(&d, svc, 2);
			hb_advise_doc(&d, a[prio], 2);
			fclose(d.html);
		}
	}
	printf("\nEvery priority:");
	for (int i = 0; i < HB_ADV_N; i++)
		if (a[i]->no_runs)
			printf("%s %s nothing decided (no run)", i ? "," : "", hb_adv_prio_names[i]);
		else
			printf("%s %s %s (%s)", i ? "," : "", hb_adv_prio_names[i],
			       a[i]->backing[0] ? a[i]->backing : "nothing fits",
			       a[i]->sure == HB_ADV_DECIDED ? "decided" :
			       a[i]->sure == HB_ADV_PARTLY  ? "partly decided" :
							      "not decided");
	if (nr)
		printf(".\n%s/advise.md has every priority; the files apply %s's: apply.sh, "
		       "kernel-cmdline.txt, hugebench-advice.conf, ansible-vars.yml\n", out,
		       hb_adv_prio_names[prio]);
	else
		printf(".\n%s/advise.md has every priority and the runs to make; no settings "
		       "files (nothing decided)\n", out);
done:
	for (int i = 0; i < HB_ADV_N; i++)
		free(a[i]);
	for (size_t i = 0; i < nr; i++)
		hb_rundata_free(&runs[i]);
	free(runs);
	free(svc);
	return rc;
}
