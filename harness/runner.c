#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backing.h"
#include "cell.h"
#include "cgroup.h"
#include "clock.h"
#include "knobs.h"
#include "log.h"
#include "results.h"
#include "runner.h"
#include "sysinfo.h"
#include "units.h"
#include "workload.h"

#define MAX_BACKINGS 16

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t child_pid;

static void on_signal(int sig)
{
	stop_flag = sig;
	if (child_pid > 0)
		kill((pid_t)child_pid, SIGKILL);
}

struct run_opts {
	const struct hb_workload *w;
	void *params;
	char params_text[2048];
	struct hb_backing backings[MAX_BACKINGS];
	int nbackings;
	int reps;
	const char *out;
	uint64_t series_interval_ns;
	uint64_t seed;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hugebench run WORKLOAD [--backing B[,B...]] [-p NAME=VALUE ...] [--reps N]\n"
		"                     [--out DIR] [--series-interval DURATION] [--seed N] [--quiet]\n"
		"  --backing LIST   backings to compare (default: those of 4k,thp,hugetlb-2m\n"
		"                   available here); `hugebench list` shows them all\n"
		"  -p NAME=VALUE    a workload parameter (`hugebench WORKLOAD --help` lists them)\n"
		"  --reps N         repetitions, interleaved across backings (default 1)\n"
		"  --out DIR        results directory (default results/<UTC time>-<host>)\n"
		"  --series-interval DURATION  memory sampling period of the time series "
		"(default 100ms)\n"
		"  --seed N         seed for the workload's random choices (default: from the "
		"clock)\n"
		"  --quiet          no progress lines\n");
}

static int parse_backings(struct run_opts *o, const char *list)
{
	char *copy = strdup(list), *save = NULL, err[512];

	o->nbackings = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (o->nbackings == MAX_BACKINGS) {
			hb_err("--backing: at most %d backings", MAX_BACKINGS);
			goto bad;
		}
		if (hb_backing_parse(tok, &o->backings[o->nbackings], err, sizeof(err))) {
			hb_err("--backing: %s", err);
			goto bad;
		}
		for (int i = 0; i < o->nbackings; i++)
			if (!strcmp(o->backings[i].name, tok)) {
				hb_err("--backing: '%s' is listed twice", tok);
				goto bad;
			}
		o->nbackings++;
	}
	free(copy);
	if (!o->nbackings) {
		hb_err("--backing: no backing given; `hugebench list` shows them");
		return -EINVAL;
	}
	return 0;
bad:
	free(copy);
	return -EINVAL;
}

/* Refuses before anything is mapped: a cell that cannot fit is bad input, not a crash. */
static int check_fit(const struct run_opts *o)
{
	uint64_t need = o->w->memory_needed(o->params), avail = hb_mem_available();
	char a[32], b[32];

	hb_format_size(need, a, sizeof(a));
	hb_format_size(avail & ~1023ull, b, sizeof(b));
	for (int i = 0; i < o->nbackings; i++) {
		const struct hb_backing *bk = &o->backings[i];

		if (bk->kind == HB_BK_HUGETLB) {
			char path[160];
			FILE *f;
			unsigned long long free_pages = 0;
			uint64_t pages = hb_backing_pool_pages(bk, need), can;

			snprintf(path, sizeof(path),
				 "/sys/kernel/mm/hugepages/hugepages-%llukB/free_hugepages",
				 (unsigned long long)(bk->page_size >> 10));
			f = fopen(path, "r");
			if (f) {
				if (fscanf(f, "%llu", &free_pages) != 1)
					free_pages = 0;
				fclose(f);
			}
			can = free_pages + (geteuid() == 0 ? avail / bk->page_size : 0);
			if (f && pages > can) {
				hb_err("%s needs %llu hugetlb pages of %llu KiB for %s; the pool can "
				       "give at most %llu here (free %llu, MemAvailable %s)",
				       bk->name, (unsigned long long)pages,
				       (unsigned long long)(bk->page_size >> 10), a,
				       (unsigned long long)can, free_pages, b);
				return -ENOMEM;
			}
		} else if (avail && need > avail / 10 * 9) {
			hb_err("%s: the cell needs %s but MemAvailable is %s (at most 90%% of it may "
			       "be used)", bk->name, a, b);
			return -ENOMEM;
		}
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct run_opts *o)
{
	static const struct option longopts[] = {
		{ "backing", required_argument, NULL, 'b' },
		{ "param", required_argument, NULL, 'p' },
		{ "reps", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "series-interval", required_argument, NULL, 'i' },
		{ "seed", required_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char err[1024], defaults[256];
	const char *backing_list = NULL;
	int c, rc;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return 1;
		}
		hb_err("run: which workload? (`hugebench list` shows them)");
		usage(stderr);
		return -EINVAL;
	}
	o->w = hb_workload_find(argv[1]);
	if (!o->w) {
		hb_err("unknown workload '%s'; accepted:", argv[1]);
		for (int i = 0; hb_workloads[i]; i++)
			fprintf(stderr, "  %s\n", hb_workloads[i]->name);
		return -EINVAL;
	}
	o->params = calloc(1, o->w->params_size);
	if (!o->params || hb_params_defaults(o->w->params, o->params, err, sizeof(err))) {
		hb_err("workload %s: bad default: %s", o->w->name, err);
		return -EFAULT;
	}
	o->reps = 1;
	o->series_interval_ns = 100000000ull;
	o->seed = hb_now_ns() ^ (uint64_t)getpid() << 32;
	optind = 2;
	while ((c = getopt_long(argc, argv, "b:p:r:o:i:s:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			backing_list = optarg;
			break;
		case 'p':
			rc = hb_params_set_arg(o->w->params, o->params, optarg, err, sizeof(err));
			if (rc) {
				hb_err("%s: %s", o->w->name, err);
				return -EINVAL;
			}
			break;
		case 'r': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || v < 1 || v > 1000) {
				hb_err("--reps: '%s' is not a whole number from 1 to 1000", optarg);
				return -EINVAL;
			}
			o->reps = (int)v;
			break;
		}
		case 'o':
			o->out = optarg;
			break;
		case 'i':
			if (hb_parse_duration(optarg, &o->series_interval_ns) ||
			    o->series_interval_ns < 10000000ull) {
				hb_err("--series-interval: '%s' is not a duration of at least 10ms",
				       optarg);
				return -EINVAL;
			}
			break;
		case 's': {
			char *end;

			o->seed = strtoull(optarg, &end, 0);
			if (*end || !*optarg) {
				hb_err("--seed: '%s' is not a number", optarg);
				return -EINVAL;
			}
			break;
		}
		case 'q':
			hb_log_quiet = 1;
			break;
		case 'h':
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		hb_err("run: unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (o->w->validate && o->w->validate(o->params, err, sizeof(err))) {
		hb_err("%s: %s", o->w->name, err);
		return -EINVAL;
	}
	if (!backing_list) {
		hb_backing_default_list(defaults, sizeof(defaults));
		backing_list = defaults;
	}
	if (parse_backings(o, backing_list))
		return -EINVAL;
	hb_params_format(o->w->params, o->params, o->params_text, sizeof(o->params_text));
	return 0;
}

const char *hb_recover_stale_knobs(void)
{
	static char report[4096];
	struct hb_knobs k;
	int rc;

	hb_knobs_init(&k, "", NULL);
	rc = hb_knobs_recover(&k, report, sizeof(report));
	if (rc == 1) {
		hb_err("an earlier run did not finish; machine settings restored:\n%s", report);
		return report;
	}
	if (rc < 0 && rc != -EBUSY && rc != -ENOENT)
		hb_err("could not read saved machine settings (%s): %s", k.state_path,
		       strerror(-rc));
	return NULL;
}

static void iso_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
}

static json_t *make_meta(const struct run_opts *o, int argc, char **argv, const char *recovered)
{
	json_t *meta = hb_sysinfo_collect(), *hb = json_object(), *backings = json_array();
	char cmd[4096] = "hugebench", when[32];
	size_t off = strlen(cmd);

	for (int i = 0; i < argc && off < sizeof(cmd); i++)
		off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, " %s", argv[i]);
	json_object_set_new(hb, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(hb, "commit", json_string(HB_GIT_COMMIT));
	json_object_set_new(hb, "compiler", json_string("gcc " __VERSION__));
	json_object_set_new(meta, "hugebench", hb);
	json_object_set_new(meta, "command", json_string(cmd));
	iso_now(when, sizeof(when));
	json_object_set_new(meta, "start", json_string(when));
	json_object_set_new(meta, "workload", json_string(o->w->name));
	json_object_set_new(meta, "params", json_string(o->params_text));
	for (int i = 0; i < o->nbackings; i++)
		json_array_append_new(backings, json_string(o->backings[i].name));
	json_object_set_new(meta, "backings", backings);
	json_object_set_new(meta, "reps", json_integer(o->reps));
	json_object_set_new(meta, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(meta, "complete", json_false());
	if (recovered)
		json_object_set_new(meta, "recovered_knobs", json_string(recovered));
	return meta;
}

int hb_cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct hb_knobs knobs;
	struct hb_results res;
	struct hb_cgroup_self self;
	struct hb_cell_env env = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char err[512], cgwhy[PATH_MAX + 128] = "", when[32];
	int rc = parse_args(argc, argv, &o), counts[5] = { 0 }, total, done = 0;
	const char *recovered;
	json_t *meta;
	uint64_t t_start;

	if (rc == 1) {
		if (o.w) {
			printf("%s: %s\n\nparameters (-p NAME=VALUE):\n", o.w->name, o.w->summary);
			hb_params_help(o.w->params, stdout);
		} else {
			usage(stdout);
		}
		free(o.params);
		return HB_EXIT_OK;
	}
	if (rc) {
		free(o.params);
		return rc == -EFAULT ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
	}
	if (check_fit(&o)) {
		free(o.params);
		return HB_EXIT_USAGE;
	}
	recovered = hb_recover_stale_knobs();
	hb_knobs_init(&knobs, "", NULL);
	if (hb_cgroup_self(&self, "", cgwhy, sizeof(cgwhy)) == 0 && geteuid() != 0 &&
	    access(self.dir, W_OK)) {
		snprintf(cgwhy, sizeof(cgwhy), "cannot make a memory cgroup under %s without root",
			 self.dir);
		self.dir[0] = 0;
	} else if (cgwhy[0]) {
		self.dir[0] = 0;
	}
	if (hb_results_open(&res, o.out, err, sizeof(err))) {
		hb_err("%s", err);
		free(o.params);
		return HB_EXIT_USAGE;
	}
	meta = make_meta(&o, argc, argv, recovered);
	hb_results_write_json(&res, "meta.json", meta);
	hb_results_write_csv(&res);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	env.knobs = &knobs;
	env.res = &res;
	env.cgroup_parent_dir = self.dir;
	env.cgroup_version = self.version;
	env.cgroup_unavailable = cgwhy;
	env.series_interval_ns = o.series_interval_ns;
	env.stop = &stop_flag;
	env.child = &child_pid;

	total = o.reps * o.nbackings;
	t_start = hb_now_ns();
	hb_info("hugebench run %s: %d cells (%d backings x %d reps) -> %s", o.w->name, total,
		o.nbackings, o.reps, res.dir);
	/* Repetitions are interleaved across backings: the background drifts over minutes on a
	 * shared machine, and only ratios measured side by side are fair. */
	for (int rep = 1; rep <= o.reps && !stop_flag; rep++) {
		for (int b = 0; b < o.nbackings && !stop_flag; b++) {
			struct hb_cell cell = {
				.w = o.w,
				.params = o.params,
				.params_text = o.params_text,
				.backing = o.backings[b],
				.rep = rep,
				.seed = o.seed + (uint64_t)rep * 0x9E3779B97F4A7C15ull,
			};
			uint64_t t0 = hb_now_ns();
			enum hb_cell_outcome out;

			snprintf(cell.id, sizeof(cell.id), "%s-%s-r%d", o.w->name,
				 cell.backing.name, rep);
			out = hb_cell_run(&cell, &env);
			counts[out]++;
			done++;
			hb_results_write_csv(&res);
			double el = (double)(hb_now_ns() - t_start) / 1e9;

			hb_info("[%d/%d] %-10s rep %d: %s (%.1f s; elapsed %.0f s, about %.0f s left)",
				done, total, cell.backing.name, rep, env.summary,
				(double)(hb_now_ns() - t0) / 1e9, el, el / done * (total - done));
		}
	}
	if (stop_flag)
		hb_err("interrupted by signal %d: finished cells are kept in %s", (int)stop_flag,
		       res.dir);
	iso_now(when, sizeof(when));
	json_object_set_new(meta, "end", json_string(when));
	json_object_set_new(meta, "complete", json_boolean(!stop_flag));
	json_object_set_new(meta, "cells",
			    json_pack("{s:i,s:i,s:i,s:i,s:i}", "ok", counts[HB_CELL_OK], "fallback",
				      counts[HB_CELL_FALLBACK], "skipped", counts[HB_CELL_SKIPPED],
				      "failed", counts[HB_CELL_FAILED], "interrupted",
				      counts[HB_CELL_INTERRUPTED]));
	rc = hb_results_write_csv(&res);
	if (!rc)
		rc = hb_results_write_json(&res, "meta.json", meta);
	if (rc)
		hb_err("cannot write results in %s: %s", res.dir, strerror(-rc));
	printf("%s\n", res.dir);
	json_decref(meta);
	hb_knobs_restore(&knobs, NULL, 0);
	hb_results_free(&res);
	free(o.params);
	if (rc)
		return HB_EXIT_INTERNAL;
	if (stop_flag)
		return HB_EXIT_INTERRUPTED;
	if (counts[HB_CELL_FAILED])
		return HB_EXIT_CELL_FAILED;
	if (counts[HB_CELL_SKIPPED] == total)
		return HB_EXIT_NO_RESOURCE;
	return HB_EXIT_OK;
}
