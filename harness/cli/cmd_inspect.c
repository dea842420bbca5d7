/*
 * `hugebench inspect`: what a running process (or a set: a cgroup's, a name's) really gets
 * from huge pages and what they cost it, read only: it never stops, traces or changes the
 * target or the machine. The reading is machine/inspect_read.c (the cells' own smaps and
 * pagemap readers), the words and files report/inspect_report.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "fs.h"
#include "inspect_read.h"
#include "inspect_report.h"
#include "log.h"
#include "options.h"
#include "readfile.h"
#include "units.h"

/* Long-only keys of this command, apart from options.h's shared ones. */
enum {
	OPT_CGROUP = HB_OPT_LONG_ONLY + 0x80,
	OPT_NAME,
	OPT_WATCH,
	OPT_INTERVAL,
	OPT_ZERO_SCAN,
};

static const struct hb_option inspect_options[] = {
	{ "cgroup", OPT_CGROUP, "PATH", NULL,
	  "every process of this memory cgroup (a directory under the memory controller's mount, "
	  "or a path below it: /system.slice/cron.service), and its charge" },
	{ "name", OPT_NAME, "NAME", NULL, "every process whose name (comm) is NAME" },
	{ "watch", OPT_WATCH, "DURATION", NULL,
	  "sample for this long (10s, 5m): a line per sample, and with --out the series in "
	  "inspect.csv and its chart" },
	{ "interval", OPT_INTERVAL, "DURATION", NULL, "time between --watch samples (default 1s)" },
	{ "zero-scan", OPT_ZERO_SCAN, "[=RATE]", NULL,
	  "read every PMD-mapped THP of the anonymous memory through process_vm_readv (root) at "
	  "most RATE MiB/s (default " HB_STR(HB_ZERO_RATE_DEFAULT_MIB) ", at most " HB_STR(
		  HB_ZERO_RATE_MAX_MIB) ") and count its all-zero 4 KiB subpages: what the THP "
	  "shrinker would free at khugepaged/max_ptes_none 511, 409 and 0" },
	{ "json", 'j', NULL, NULL,
	  "the figures as JSON (schema hugebench-inspect/1, docs/inspect.md); with --watch one "
	  "document per line, per sample" },
	{ "out", 'o', "DIR", NULL,
	  "also write DIR/inspect.csv, DIR/inspect.json (the last sample), DIR/inspect.png and "
	  "DIR/inspect.md" },
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

static void inspect_about_data(FILE *f)
{
	hb_inspect_rules_help(f);
}

const struct hb_command hb_inspect_command = {
	.name = "inspect",
	.operands = "PID [PID...]",
	.summary = "what running processes get from huge pages, and what it costs them",
	.about = "Reads, never changes, the memory of running processes (the PIDs, or --cgroup, "
		 "or --name): per kind of mapping (anon, stack, file, shmem, hugetlb) the KiB in "
		 "4 KiB pages, in each mTHP size, in 2 MiB folios PMD-mapped and PTE-mapped, in "
		 "1 GiB pages and in partly mapped folios (smaps + pagemap + kpageflags: the "
		 "per-size figures need root, else they are unavailable with the reason); the "
		 "huge-page coverage of anonymous memory; THP eligibility (THP_enabled, "
		 "THPeligible, MADV_HUGEPAGE/NOHUGEPAGE) and the THP settings in force; Rss "
		 "against the charge of each process's memory cgroup (v1 and v2) and its "
		 "memory.stat THP lines; the malloc each process has and its settings from the "
		 "environment; and findings in plain words, each with the setting that changes "
		 "it. Exit 0 (also when a process exits while it is read: it is reported gone), "
		 "1 internal error, 2 bad input (a PID that does not exist, a path that is no "
		 "memory cgroup, no process of that name).",
	.about_data = inspect_about_data,
	.options = inspect_options,
};

struct args {
	int *pids;
	size_t npids;
	const char *cgroup, *name, *out;
	uint64_t watch_ns, interval_ns;
	int json, dry_run;
	struct hb_inspect_opts o;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int add_pid(struct args *a, int pid)
{
	int *p = realloc(a->pids, (a->npids + 1) * sizeof(*p));

	if (!p)
		return -ENOMEM;
	a->pids = p;
	a->pids[a->npids++] = pid;
	return 0;
}

static int parse_pid(const char *s, int *pid)
{
	char *e;
	long v;

	errno = 0;
	v = strtol(s, &e, 10);
	if (!*s || *e || errno || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*pid = (int)v;
	return 0;
}

/* The processes whose comm is name (not this one). */
static int pids_by_name(struct args *a, const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int self = getpid();

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char path[300], comm[64];
		int pid;

		if (parse_pid(e->d_name, &pid) || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (hb_read_text(path, comm, sizeof(comm)) || strcmp(comm, name))
			continue;
		if (add_pid(a, pid)) {
			closedir(d);
			return -ENOMEM;
		}
	}
	closedir(d);
	return 0;
}

/* The set of one sample: fixed PIDs, or re-read from the cgroup or by name each time. */
static int resolve(struct args *a, char *why, size_t len)
{
	if (a->cgroup) {
		struct hb_cg_info cg;
		int *pids;
		size_t n;

		if (hb_cg_resolve(a->cgroup, &cg)) {
			snprintf(why, len, "--cgroup %s", cg.why);
			return -ENOENT;
		}
		if (hb_cg_procs(cg.dir, &pids, &n)) {
			snprintf(why, len, "--cgroup '%s': cannot read %s/cgroup.procs", a->cgroup,
				 cg.dir);
			return -ENOENT;
		}
		free(a->pids);
		a->pids = pids;
		a->npids = n;
		return 0;
	}
	if (a->name) {
		free(a->pids);
		a->pids = NULL;
		a->npids = 0;
		if (pids_by_name(a, a->name) || !a->npids) {
			snprintf(why, len, "--name '%s': no process has that name (accepted: a "
				 "process name as /proc/PID/comm shows it, e.g. postgres)",
				 a->name);
			return -ENOENT;
		}
	}
	return 0;
}

static int parse_rate(const char *s, unsigned *rate)
{
	char *e;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &e, 10);
	if (*e == 'M' || *e == 'm')
		e++;
	if (!*s || !isdigit((unsigned char)*s) || *e || errno || v < 1 ||
	    v > HB_ZERO_RATE_MAX_MIB)
		return -EINVAL;
	*rate = (unsigned)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	struct hb_opt_parser p;
	int c, have_interval = 0;

	hb_opt_begin(&p, &hb_inspect_command);
	a->interval_ns = 1000000000ull;
	while ((c = hb_opt_next(&p, argc, argv)) != -1) {
		switch (c) {
		case 'h':
			hb_opt_help(&hb_inspect_command, stdout);
			return 1;
		case HB_OPT_DRY_RUN:
			a->dry_run = 1;
			break;
		case 'j':
			a->json = 1;
			break;
		case 'o':
			a->out = optarg;
			break;
		case OPT_CGROUP:
			a->cgroup = optarg;
			break;
		case OPT_NAME:
			a->name = optarg;
			break;
		case OPT_WATCH:
		case OPT_INTERVAL: {
			uint64_t ns;

			if (hb_parse_duration(optarg, &ns) || !ns) {
				hb_err("inspect: --%s '%s': accepted is a duration above 0 with ns, "
				       "us, ms, s or m (10s, 500ms)", c == OPT_WATCH ? "watch" :
				       "interval", optarg);
				return -EINVAL;
			}
			if (c == OPT_WATCH)
				a->watch_ns = ns;
			else
				a->interval_ns = ns, have_interval = 1;
			break;
		}
		case OPT_ZERO_SCAN:
			a->o.zero_scan = 1;
			a->o.zero_rate_mib = HB_ZERO_RATE_DEFAULT_MIB;
			if (optarg && parse_rate(optarg, &a->o.zero_rate_mib)) {
				hb_err("inspect: --zero-scan=%s: accepted is a rate in MiB/s from 1 "
				       "to %d (--zero-scan=64)", optarg, HB_ZERO_RATE_MAX_MIB);
				return -EINVAL;
			}
			break;
		default:
			hb_opt_usage(&hb_inspect_command, stderr);
			return -EINVAL;
		}
	}
	for (int i = optind; i < argc; i++) {
		int pid;
		char path[64];
		struct stat st;

		if (parse_pid(argv[i], &pid)) {
			hb_err("inspect: '%s' is no PID: accepted are process IDs (numbers above "
			       "0), or --cgroup PATH, or --name NAME", argv[i]);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (stat(path, &st)) {
			hb_err("inspect: PID %d: no such process", pid);
			return -EINVAL;
		}
		if (add_pid(a, pid))
			return -ENOMEM;
	}
	if (!!a->npids + !!a->cgroup + !!a->name != 1) {
		hb_err("inspect: give the processes one way: PIDs, or --cgroup PATH, or --name "
		       "NAME");
		hb_opt_usage(&hb_inspect_command, stderr);
		return -EINVAL;
	}
	if (have_interval && !a->watch_ns) {
		hb_err("inspect: --interval needs --watch DURATION");
		return -EINVAL;
	}
	if (a->watch_ns && a->interval_ns > a->watch_ns) {
		hb_err("inspect: --interval is longer than --watch: accepted is an interval up to "
		       "the watch's duration");
		return -EINVAL;
	}
	return 0;
}

static double mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	double d;

	while (!stop && (d = t - mono_s()) > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (double)(time_t)d) * 1e9) };

		nanosleep(&ts, NULL);
	}
}

/* DIR/inspect.json: the last sample as --json prints it (the THP settings and each process's
 * malloc, which `hugebench advise` reads beside inspect.csv), whole or not at all. */
static int write_json(const char *dir, const struct hb_inspect *last)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	json_t *j = hb_inspect_json(last);
	int rc;

	snprintf(path, sizeof(path), "%s/inspect.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	rc = !j || json_dump_file(j, tmp, JSON_INDENT(1)) || rename(tmp, path);
	if (rc)
		unlink(tmp);
	json_decref(j);
	return rc ? -EIO : 0;
}

/* --out DIR at the end: the CSV (written whole: a temporary name, then renamed), the chart,
 * the markdown. */
static int write_out(const struct args *a, const char *csv_tmp, const struct hb_inspect *last,
		     unsigned samples, int have_charged, int have_zero)
{
	char csv[PATH_MAX], why[PATH_MAX + 64] = "";
	int made;

	snprintf(csv, sizeof(csv), "%s/inspect.csv", a->out);
	if (rename(csv_tmp, csv)) {
		hb_err("inspect: cannot write %s: %s", csv, strerror(errno));
		return HB_EXIT_INTERNAL;
	}
	if (write_json(a->out, last)) {
		hb_err("inspect: cannot write %s/inspect.json: %s", a->out, strerror(errno));
		return HB_EXIT_INTERNAL;
	}
	made = !hb_inspect_chart(a->out, have_charged, have_zero, why, sizeof(why));
	if (!made)
		hb_err("inspect: no chart: %s", why);
	if (hb_inspect_markdown(a->out, last, samples, made, why)) {
		hb_err("inspect: cannot write %s/inspect.md", a->out);
		return HB_EXIT_INTERNAL;
	}
	if (!a->json)
		printf("wrote %s/inspect.csv, inspect.json, %s%s/inspect.md\n", a->out,
		       made ? "inspect.png, " : "", a->out);
	return HB_EXIT_OK;
}

static int run(struct args *a)
{
	struct hb_inspect s = { 0 };
	char why[512], csv_tmp[PATH_MAX];
	double t0 = mono_s(), next;
	unsigned samples = 0;
	int have_charged = 0, have_zero = 0;
	FILE *csv = NULL;
	int rc = HB_EXIT_OK;

	if (a->out) {
		if (hb_mkdir_p(a->out, 0755)) {
			hb_err("inspect: --out %s: cannot make the directory: %s", a->out,
			       strerror(errno));
			return HB_EXIT_USAGE;
		}
		snprintf(csv_tmp, sizeof(csv_tmp), "%s/.inspect.csv.tmp", a->out);
		csv = fopen(csv_tmp, "we");
		if (!csv) {
			hb_err("inspect: cannot write %s: %s", csv_tmp, strerror(errno));
			return HB_EXIT_INTERNAL;
		}
		hb_inspect_csv_header(csv);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (next = t0;; next += (double)a->interval_ns / 1e9) {
		sleep_until(next);
		if (samples && stop)
			break;
		if (samples && resolve(a, why, sizeof(why)) && a->name) {
			/* every process of that name is gone: an empty sample */
			a->npids = 0;
		}
		hb_inspect_free(&s);
		if (hb_inspect_collect(a->pids, a->npids, &a->o, &s)) {
			hb_err("inspect: out of memory");
			rc = HB_EXIT_INTERNAL;
			break;
		}
		s.t = mono_s() - t0;
		samples++;
		if (csv)
			hb_inspect_csv_rows(&s, csv);
		have_charged |= hb_inspect_has_charged(&s);
		have_zero |= hb_inspect_has_zero(&s);
		if (a->json && a->watch_ns) {
			json_t *j = hb_inspect_json(&s);

			json_dumpf(j, stdout, JSON_COMPACT);
			putchar('\n');
			fflush(stdout);
			json_decref(j);
		} else if (a->watch_ns) {
			hb_inspect_print_line(&s, stdout);
		}
		if (!a->watch_ns || stop ||
		    s.t + (double)a->interval_ns / 1e9 > (double)a->watch_ns / 1e9 + 0.001)
			break;
	}
	if (rc == HB_EXIT_OK && a->json && !a->watch_ns) {
		json_t *j = hb_inspect_json(&s);

		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else if (rc == HB_EXIT_OK && !a->json) {
		hb_inspect_print(&s, stdout);
	}
	if (csv) {
		if (fclose(csv) || rc != HB_EXIT_OK)
			unlink(csv_tmp);
		else
			rc = write_out(a, csv_tmp, &s, samples, have_charged, have_zero);
	}
	hb_inspect_free(&s);
	return rc;
}

int hb_cmd_inspect(int argc, char **argv)
{
	struct args a = { 0 };
	char why[PATH_MAX + 256];
	int rc = parse_args(argc, argv, &a);

	if (rc) {
		free(a.pids);
		return rc > 0 ? HB_EXIT_OK : rc == -ENOMEM ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
	}
	if (resolve(&a, why, sizeof(why))) {
		hb_err("inspect: %s", why);
		free(a.pids);
		return HB_EXIT_USAGE;
	}
	if (a.dry_run) {
		printf("inspect: --dry-run: would read %zu process%s%s%s%s, %s%s; nothing was read\n",
		       a.npids, a.npids == 1 ? "" : "es", a.cgroup ? " of cgroup " : "",
		       a.cgroup ? a.cgroup : "", a.name ? " by name" : "",
		       a.watch_ns ? "sampled over --watch" : "once",
		       a.o.zero_scan ? ", with the zero scan" : "");
		free(a.pids);
		return HB_EXIT_OK;
	}
	rc = run(&a);
	free(a.pids);
	return rc;
}
