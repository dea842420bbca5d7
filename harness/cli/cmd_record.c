/*
 * `hugebench record [--out FILE] [--max-size SIZE] -- COMMAND [ARGS...]`: runs COMMAND with the
 * recorder preloaded (libhbrecord.so, recorder/hbrecord.c), which logs its allocations into
 * FILE (docs/record.md; the format: docs/trace-format.md), then says what the trace holds.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "datadir.h"
#include "log.h"
#include "options.h"
#include "trace.h"
#include "units.h"

enum { OPT_MAX_SIZE = HB_OPT_LONG_ONLY + 0xa0 };

#define RECORDER_LIB "libhbrecord.so"

static const struct hb_option record_options[] = {
	{ "out", 'o', "FILE", NULL, "the trace (default hugebench.trace in this directory)" },
	{ "max-size", OPT_MAX_SIZE, "SIZE", NULL,
	  "stop recording (not the program) once the trace holds SIZE bytes (binary suffixes: "
	  "512M, 2G); the trace then ends with a stop record and the recorder says so on the "
	  "program's stderr; default: no limit" },
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_record_command = {
	.name = "record",
	.operands = "-- COMMAND [ARGS...]",
	.operands_last = 1,
	.summary = "run a program and record its allocations into a trace",
	.about = "Runs COMMAND with hugebench's recorder preloaded (LD_PRELOAD of "
		 RECORDER_LIB "): every malloc, calloc, realloc, free, posix_memalign, "
		 "aligned_alloc, memalign, valloc, pvalloc and the jemalloc entry points (mallocx, "
		 "rallocx, xallocx, sdallocx, dallocx, malloc_usable_size) is forwarded to the "
		 "program's own allocator and logged per thread with a monotonic time; so are the "
		 "program's own anonymous mmap, munmap, mremap and madvise (not the allocator's) "
		 "and its forks. Only COMMAND's process records: a forked child logs its end, a "
		 "program it execs is not recorded. The trace is flushed at exit, _exit and on "
		 "SIGTERM/SIGINT; a killed program leaves a trace readable up to its last whole "
		 "record. SIGINT and SIGTERM sent to hugebench are passed on to COMMAND. "
		 "`hugebench trace FILE` says what a trace holds; a workload plays it back "
		 "(docs/record.md).",
	.epilog = "exit status: 0 a trace was written (COMMAND's own status is printed), 1 no "
		  "readable trace, 2 bad input.\n",
	.options = record_options,
};

static pid_t child_pid;

static void pass_on(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* COMMAND as execvp would find it: 0, or -ENOENT. */
static int find_command(const char *cmd)
{
	char path[PATH_MAX];
	const char *dirs = getenv("PATH");

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) ? -ENOENT : 0;
	for (const char *p = dirs ? dirs : "/usr/bin:/bin"; *p;) {
		const char *c = strchr(p, ':');
		int l = c ? (int)(c - p) : (int)strlen(p);

		snprintf(path, sizeof(path), "%.*s/%s", l, l ? p : ".", cmd);
		if (!access(path, X_OK))
			return 0;
		p += l + (c ? 1 : 0);
	}
	return -ENOENT;
}

static void child(char **argv, const char *lib, const char *out, uint64_t max)
{
	const char *pre = getenv("LD_PRELOAD");
	char buf[PATH_MAX * 2], num[32];

	snprintf(buf, sizeof(buf), "%s%s%s", lib, pre && *pre ? ":" : "", pre ? pre : "");
	setenv("LD_PRELOAD", buf, 1);
	setenv("HB_RECORD_OUT", out, 1);
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	setenv("HB_RECORD_PID", num, 1);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)max);
	setenv("HB_RECORD_MAX", num, 1);
	execvp(argv[0], argv);
	fprintf(stderr, "hugebench record: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* What the trace holds, in one paragraph. */
static int summary(const char *out, int status)
{
	struct hb_trace t;
	struct hb_trace_merge *m;
	struct hb_trace_rec r;
	uint64_t events = 0, stops = 0;
	char err[PATH_MAX + 256];
	int rc;

	if (WIFEXITED(status))
		printf("record: the command exited with status %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("record: the command was killed by signal %d (%s)\n", WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
	if (hb_trace_open(out, &t, err, sizeof(err))) {
		hb_err("record: no readable trace: %s", err);
		return HB_EXIT_INTERNAL;
	}
	if ((rc = hb_trace_merge_open(&t, &m))) {
		hb_err("record: %s: %s", out, strerror(-rc));
		hb_trace_close(&t);
		return HB_EXIT_INTERNAL;
	}
	while ((rc = hb_trace_merge_next(m, &r)) > 0) {
		events++;
		stops += r.kind == HB_TR_STOP;
	}
	hb_trace_merge_close(m);
	printf("record: %s: %llu events in %llu bytes (%.1f bytes per event, records of %zu "
	       "bytes plus a chunk header per %d)%s%s\n", out, (unsigned long long)events,
	       (unsigned long long)t.size, events ? (double)t.size / (double)events : 0.0,
	       sizeof(struct hb_trace_rec), HB_TRACE_CHUNK_MAX,
	       t.tail_bytes ? "; it ends in a partial record (the program was killed while "
			      "writing), read up to the last whole one" : "",
	       stops ? "; recording stopped at --max-size, the program went on" : "");
	printf("record: `hugebench trace %s` says what it holds\n", out);
	hb_trace_close(&t);
	return rc < 0 ? HB_EXIT_INTERNAL : HB_EXIT_OK;
}

int hb_cmd_record(int argc, char **argv)
{
	const char *out = "hugebench.trace";
	char lib[PATH_MAX], abs_out[PATH_MAX];
	uint64_t max = 0;
	struct hb_opt_parser op;
	struct sigaction sa = { .sa_handler = pass_on };
	int c, dry_run = 0, status = 0;

	hb_opt_begin(&op, &hb_record_command);
	while ((c = hb_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_MAX_SIZE:
			if (hb_parse_size(optarg, &max) || max < 4096) {
				hb_err("record: --max-size '%s': a size of at least 4K (binary "
				       "suffixes: 4K, 512M, 2G)", optarg);
				return HB_EXIT_USAGE;
			}
			break;
		case HB_OPT_DRY_RUN:
			dry_run = 1;
			break;
		case 'h':
			hb_opt_help(&hb_record_command, stdout);
			return HB_EXIT_OK;
		default:
			hb_opt_usage(&hb_record_command, stderr);
			return HB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		hb_err("record: no COMMAND: hugebench record [--out FILE] [--max-size SIZE] -- "
		       "COMMAND [ARGS...]");
		return HB_EXIT_USAGE;
	}
	if (find_command(argv[optind])) {
		hb_err("record: COMMAND '%s': not found or not executable (searched PATH)",
		       argv[optind]);
		return HB_EXIT_USAGE;
	}
	if (!*out || (out[0] != '/' && !getcwd(abs_out, sizeof(abs_out) - 2))) {
		hb_err("record: --out '%s': a file name", out);
		return HB_EXIT_USAGE;
	}
	if (out[0] != '/') {
		size_t l = strlen(abs_out);

		if (snprintf(abs_out + l, sizeof(abs_out) - l, "/%s", out) >= (int)(sizeof(abs_out) - l)) {
			hb_err("record: --out '%s': path too long", out);
			return HB_EXIT_USAGE;
		}
	} else {
		snprintf(abs_out, sizeof(abs_out), "%s", out);
	}
	if (hb_lib_path(RECORDER_LIB, lib, sizeof(lib)) || access(lib, R_OK)) {
		hb_err("record: the recorder %s is missing (make builds it; `make install` puts it "
		       "in " HB_LIBDIR ")", lib);
		return HB_EXIT_INTERNAL;
	}
	if (dry_run) {
		printf("record: --dry-run: would run '%s' (%d argument%s) with %s preloaded, its "
		       "trace into %s%s\n", argv[optind], argc - optind - 1,
		       argc - optind - 1 == 1 ? "" : "s", lib, abs_out,
		       max ? " (recording stops at --max-size)" : "");
		return HB_EXIT_OK;
	}
	fflush(NULL);
	child_pid = fork();
	if (child_pid < 0) {
		hb_err("record: fork: %s", strerror(errno));
		return HB_EXIT_INTERNAL;
	}
	if (!child_pid)
		child(argv + optind, lib, abs_out, max);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (waitpid(child_pid, &status, 0) < 0)
		if (errno != EINTR) {
			hb_err("record: waitpid: %s", strerror(errno));
			return HB_EXIT_INTERNAL;
		}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return summary(abs_out, status);
}
