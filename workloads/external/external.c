/*
  * external: the user's own program as a workload. A cell starts `server` (optional, in the
 * background, ready when its port answers or a log line appears), runs `setup` (optional,
 * untimed), then the measured `cmd`, and reads the command's own figures from its output with
 * the `metric` regular expressions. The program does not use hugebench's mapper, so a backing
 * means what it means for any process (workload.h .process_memory): 4k = PR_SET_THP_DISABLE
 * for the whole tree; thp = the system mode as it is; thp-always, thp-never, mthp-* = the
 * system settings for the cell; hugetlb-* = a pool of `memory` reserved for the cell, and
 * either glibc's malloc tunable or the `{hugetlb}` placeholder. Everything runs in the cell's
 * cgroup and is killed with it; the proof of what the tree got is read while `cmd` runs.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "external_parse.h"
#include "ctx.h"
#include "server.h"
#include "units.h"
#include "workload.h"

#define LINE_MAX_ 4096
#define TUNABLE "GLIBC_TUNABLES=glibc.malloc.hugetlb=2"
#define CMD_ENV_MAX 16

static const struct hb_choice hugetlb_choices[] = {
	{ "tunable", "on a hugetlb backing, GLIBC_TUNABLES=glibc.malloc.hugetlb=2 for the server, "
		     "setup and cmd (programs whose heap is glibc malloc)" },
	{ "placeholder", "no tunable: the program maps hugetlb itself when {hugetlb} (hugetlb_on) "
			 "asks it to" },
	{ NULL, NULL },
};

#define METRIC_HELP                                                                            \
	"a figure of cmd's output, NAME:UNIT:DIRECTION:REGEX (DIRECTION higher, lower or "      \
	"neither; REGEX POSIX extended with one capture group, its last match counts): row "    \
	"cmd_NAME; no match gives `unavailable` with the reason"
#define P(f) .offset = offsetof(struct external_params, f)
static const struct hb_param external_params_table[] = {
	{ .name = "cmd", .type = HB_PT_STRING, P(cmd), .def = "true",
	  .help = "the measured command, a /bin/sh line (the default measures nothing: give "
		  "yours); placeholders {dir} (the "
		  "cell's temporary directory), {port} (a free loopback port), {hugetlb}" },
	{ .name = "server", .type = HB_PT_STRING, P(server), .def = "",
	  .help = "a /bin/sh line started first in the background (start it with exec) and "
		  "stopped after cmd; its log goes into the note when it fails; empty: none" },
	{ .name = "ready", .type = HB_PT_STRING, P(ready), .def = "port",
	  .help = "when the server is ready: port ({port} accepts a connection), log:TEXT (TEXT "
		  "appears in its output) or none" },
	{ .name = "ready_timeout", .type = HB_PT_DURATION, P(ready_timeout), .def = "120s",
	  .min = "1s", .max = "60m", .help = "how long the server may take to be ready" },
	{ .name = "setup", .type = HB_PT_STRING, P(setup), .def = "",
	  .help = "a /bin/sh line run after the server is ready and before cmd, untimed by cmd "
		  "(loading data); empty: none" },
	{ .name = "metric", .type = HB_PT_STRING, P(metric[0]), .def = "", .help = METRIC_HELP },
	{ .name = "metric2", .type = HB_PT_STRING, P(metric[1]), .def = "",
	  .help = "a second figure, as metric" },
	{ .name = "metric3", .type = HB_PT_STRING, P(metric[2]), .def = "",
	  .help = "a third figure, as metric" },
	{ .name = "metric4", .type = HB_PT_STRING, P(metric[3]), .def = "",
	  .help = "a fourth figure, as metric" },
	{ .name = "hugetlb", .type = HB_PT_ENUM, P(hugetlb), .def = "tunable",
	  .choices = hugetlb_choices, .help = "how a hugetlb backing reaches the program" },
	{ .name = "hugetlb_on", .type = HB_PT_STRING, P(hugetlb_on), .def = "",
	  .help = "what {hugetlb} becomes on a hugetlb-* backing (\"-c huge_pages=on\")" },
	{ .name = "hugetlb_off", .type = HB_PT_STRING, P(hugetlb_off), .def = "",
	  .help = "what {hugetlb} becomes on every other backing (\"-c huge_pages=off\")" },
	{ .name = "memory", .type = HB_PT_SIZE, P(memory), .def = "256M", .min = "1M",
	  .max = "1T",
	  .help = "memory the program tree needs: the fit check, the cell's memory bound and, on "
		  "hugetlb-*, the pool reserved for the cell" },
	{ .name = "env", .type = HB_PT_STRING, P(env), .def = "",
	  .help = "NAME=VALUE words (space-separated, placeholders substituted) added to the "
		  "environment of server, setup and cmd (\"PATH=/usr/lib/postgresql/15/bin:/usr/bin:"
		  "/bin PGPORT={port}\")" },
	{ .name = "allocator", .type = HB_PT_STRING, P(allocator), .def = "glibc",
	  .role = &hb_role_allocator,
	  .help = "preloaded (LD_PRELOAD) into the cell's child and so into server, setup and "
		  "cmd, for programs that use malloc: glibc (none), jemalloc, tcmalloc, mimalloc "
		  "or a preset, as churn's" },
	{ .name = "allocator_conf", .type = HB_PT_STRING, P(allocator_conf), .def = "",
	  .role = &hb_role_allocator_conf,
	  .help = "the allocator's own settings, passed through as churn's" },
	{ .name = "requires", .type = HB_PT_STRING, P(requires), .def = "",
	  .help = "PROGRAM:PACKAGE words, space-separated: a program not found (in PATH, or the "
		  "path given) skips the cell naming the Debian package" },
	{ .name = "timeout", .type = HB_PT_DURATION, P(timeout), .def = "10m", .min = "1s",
	  .max = "1440m", .help = "cmd and setup are each killed after this long (a failed cell)" },
	{ .name = "sample", .type = HB_PT_DURATION, P(sample), .def = "250ms", .min = "10ms",
	  .max = "60s", .help = "how often the series reads the tree's Rss and hugetlb" },
	{ .name = "proof_every", .type = HB_PT_DURATION, P(proof_every), .def = "2s",
	  .min = "100ms", .max = "60m",
	  .help = "how often the per-size proof (pagemap of every process) is read while cmd "
		  "runs; the last one before cmd ends is reported" },
	HB_PARAM_END,
};
#undef P

struct external_state {
	struct cmd_metric m[CMD_METRICS];
	unsigned nm;
	char dir[128], port[16];
	int portn;
	const char *env[CMD_ENV_MAX + 2];
	unsigned nenv;
	char envbuf[LINE_MAX_];
	struct hb_server *server;
	/* the proof, taken while cmd runs */
	struct hb_tree_mem proof;
	uint64_t proof_at, last_proof;
	int have_proof;
	uint64_t proof_every;
};

static int is_hugetlb(const char *backing)
{
	return !strncmp(backing, "hugetlb-", 8);
}

static int external_validate(const void *params, char *err, size_t len)
{
	const struct external_params *p = params;
	struct cmd_metric m;
	struct cmd_subst s = { "d", "1", "h" };
	char out[LINE_MAX_];
	const char *lines[] = { p->cmd, p->server, p->setup, p->env };
	const char *names[] = { "cmd", "server", "setup", "env" };
	unsigned words = 0;
	char copy[LINE_MAX_], *save = NULL;

	if (!p->cmd[0]) {
		snprintf(err, len, "parameter 'cmd': required (a /bin/sh command line, e.g. -p "
			 "'cmd=sleep 1')");
		return -EINVAL;
	}
	for (int i = 0; i < 4; i++) {
		char e[400];

		if (cmd_substitute(lines[i], &s, out, sizeof(out), e, sizeof(e))) {
			snprintf(err, len, "parameter '%s': %s", names[i], e);
			return -EINVAL;
		}
	}
	snprintf(copy, sizeof(copy), "%s", p->env);
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save), words++)
		if (!strchr(w, '=') || w[0] == '=' || words == CMD_ENV_MAX) {
			snprintf(err, len, "parameter 'env': '%s' is not NAME=VALUE, or more than %d "
				 "words", w, CMD_ENV_MAX);
			return -EINVAL;
		}
	for (int i = 0; i < CMD_METRICS; i++) {
		char e[600];

		if (p->metric[i][0] && cmd_metric_parse(p->metric[i], &m, e, sizeof(e))) {
			snprintf(err, len, "parameter '%s': %s", i ? (const char *[]){ "", "metric2",
				 "metric3", "metric4" }[i] : "metric", e);
			return -EINVAL;
		}
	}
	if (strcmp(p->ready, "port") && strcmp(p->ready, "none") && strncmp(p->ready, "log:", 4)) {
		snprintf(err, len, "parameter 'ready': '%s'; accepted: port, log:TEXT, none",
			 p->ready);
		return -EINVAL;
	}
	if (!strncmp(p->ready, "log:", 4) && !p->ready[4]) {
		snprintf(err, len, "parameter 'ready': log: needs the TEXT to wait for");
		return -EINVAL;
	}
	return 0;
}

static uint64_t external_memory_needed(const void *params)
{
	return ((const struct external_params *)params)->memory;
}

static void external_fit_hint(const void *params, char *buf, size_t len)
{
	(void)params;
	snprintf(buf, len, "parameter 'memory' (what the program tree needs, as declared); "
		 "declare less or free memory");
}

/* The PATH= word of the env parameter, when it has one, for find_program. */
static __thread const char *env_path;

static int find_program(const char *program)
{
	char path[512], dirs[1024], *save = NULL;

	if (!strchr(program, '/') && env_path) {
		snprintf(dirs, sizeof(dirs), "%.*s", (int)strcspn(env_path, " \t"), env_path);
		for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
			snprintf(path, sizeof(path), "%s/%s", d, program);
			if (!hb_server_find(path, path, sizeof(path)))
				return 0;
		}
	}
	return hb_server_find(program, path, sizeof(path));
}

static const char *external_supported(const void *params)
{
	static __thread char buf[300];

	const struct external_params *p = params;
	const char *at;

	if (!params)
		return NULL;
	at = strstr(p->env, "PATH=");
	env_path = at && (at == p->env || at[-1] == ' ') ? at + 5 : NULL;
	return cmd_requires_missing(((const struct external_params *)params)->requires,
				    find_program, buf, sizeof(buf));
}

/* line with the placeholders of this cell replaced, into out. */
static int subst(struct hb_ctx *ctx, const struct external_params *p, struct external_state *s,
		 const char *line, char *out, size_t len)
{
	struct cmd_subst sb = { s->dir, s->port,
				is_hugetlb(hb_backing_name(ctx)) ? p->hugetlb_on : p->hugetlb_off };
	char err[600];

	if (cmd_substitute(line, &sb, out, len, err, sizeof(err))) {
		hb_fail_reason(ctx, err);
		return -EINVAL;
	}
	return 0;
}

/* A failed command's reason (its status and the last lines of its stderr) into the note. */
static int command_failed(struct hb_ctx *ctx, const char *what,
			  const struct hb_command_result *r)
{
	char why[1400];

	if (!cmd_failure(what, r->status, r->timed_out, (double)r->wall_ns / 1e9, r->err_tail,
			 why, sizeof(why)))
		return 0;
	hb_fail_reason(ctx, why);
	return -EIO;
}

static int start_server(struct hb_ctx *ctx, const struct external_params *p,
			struct external_state *s)
{
	char line[LINE_MAX_], err[1200];
	const char *argv[CMD_ENV_MAX + 6];
	int n = 0, rc;

	if ((rc = subst(ctx, p, s, p->server, line, sizeof(line))))
		return rc;
	if (s->nenv) {
		argv[n++] = "env";
		for (unsigned i = 0; i < s->nenv; i++)
			argv[n++] = s->env[i];
	}
	argv[n++] = "/bin/sh";
	argv[n++] = "-c";
	argv[n++] = line;
	argv[n] = NULL;
	rc = hb_server_start(ctx, "external-server", argv, &s->server, err, sizeof(err));
	if (!rc && strcmp(p->ready, "none"))
		rc = hb_server_wait_ready(s->server, strcmp(p->ready, "port") ? 0 : s->portn,
					  strncmp(p->ready, "log:", 4) ? NULL : p->ready + 4,
					  p->ready_timeout, err, sizeof(err));
	if (rc)
		hb_fail_reason(ctx, err);
	return rc;
}

/* The environment the lines get: env's words, substituted, and the tunable on hugetlb. */
static int make_env(struct hb_ctx *ctx, const struct external_params *p, struct external_state *s)
{
	char *save = NULL;
	int rc = subst(ctx, p, s, p->env, s->envbuf, sizeof(s->envbuf));

	if (rc)
		return rc;
	for (char *w = strtok_r(s->envbuf, " \t", &save); w && s->nenv < CMD_ENV_MAX;
	     w = strtok_r(NULL, " \t", &save))
		s->env[s->nenv++] = w;
	if (p->hugetlb == CMD_HUGETLB_TUNABLE && is_hugetlb(hb_backing_name(ctx)))
		s->env[s->nenv++] = TUNABLE;
	s->env[s->nenv] = NULL;
	return 0;
}

static void state_free(struct hb_ctx *ctx, struct external_state *s)
{
	if (s->server)
		(void)hb_server_stop(ctx, s->server);
	free(s);
}

static int external_setup(struct hb_ctx *ctx, const void *params, void **state)
{
	const struct external_params *p = params;
	struct external_state *s = calloc(1, sizeof(*s));
	char line[LINE_MAX_], err[600];
	int rc;

	if (!s)
		return -ENOMEM;
	for (int i = 0; i < CMD_METRICS; i++)
		if (p->metric[i][0] && !cmd_metric_parse(p->metric[i], &s->m[s->nm], err,
							 sizeof(err)))
			s->nm++;
	rc = hb_workdir_make(ctx, "command", s->dir, sizeof(s->dir), err, sizeof(err));
	if (!rc && (rc = hb_server_free_port(&s->portn)))
		snprintf(err, sizeof(err), "no free loopback port");
	if (rc) {
		hb_fail_reason(ctx, err);
		goto fail;
	}
	snprintf(s->port, sizeof(s->port), "%d", s->portn);
	if ((rc = make_env(ctx, p, s)))
		goto fail;
	if (p->server[0] && (rc = start_server(ctx, p, s)))
		goto fail;
	if (p->setup[0]) {
		struct hb_command_result r;

		if ((rc = subst(ctx, p, s, p->setup, line, sizeof(line))))
			goto fail;
		rc = hb_command_run(ctx, line, s->dir, s->env, p->timeout, NULL, NULL, 0, &r, err,
				    sizeof(err));
		if (rc) {
			hb_fail_reason(ctx, err);
			goto fail;
		}
		hb_metric(ctx, "setup_wall_ms", (double)r.wall_ns / 1e6, "ms",
			  "the setup line, after the server was ready");
		rc = command_failed(ctx, "setup", &r);
		hb_command_result_free(&r);
		if (rc)
			goto fail;
	}
	*state = s;
	return 0;
fail:
	state_free(ctx, s);
	return rc;
}

/* While cmd runs: the series (the tree's Rss and hugetlb) and, every proof_every, the proof. */
static void tick(struct hb_ctx *ctx, void *arg)
{
	struct external_state *s = arg;
	struct hb_tree_mem m;
	uint64_t now = hb_now_ns();

	if (!hb_tree_read(ctx, 0, &m)) {
		hb_gauge_set(ctx, "tree_rss_kib", (double)m.rss_kib);
		hb_gauge_set(ctx, "tree_hugetlb_kib", (double)m.hugetlb_kib);
	}
	if (now - s->last_proof >= s->proof_every) {
		s->last_proof = now;
		if (!hb_tree_read(ctx, 1, &s->proof) && s->proof.procs) {
			s->have_proof = 1;
			s->proof_at = hb_now_ns();
		}
	}
}

static void folio_rows(struct hb_ctx *ctx, const struct hb_tree_mem *m, const char *when)
{
	char name[48], size[32], note[400];
	uint64_t huge = 0;

	for (unsigned o = 0; o < HB_FOLIO_ORDERS; o++) {
		if (o >= 9)
			huge += m->f.kib[o];
		if (!m->f.kib[o])
			continue;
		hb_format_size(4096ull << o, size, sizeof(size));
		for (char *c = size; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		snprintf(name, sizeof(name), "tree_folio_kib_%s", size);
		snprintf(note, sizeof(note), "resident KiB in folios of %s, summed over the %u "
			 "processes of the cell (pagemap + kpageflags), %s", size, m->procs, when);
		hb_metric(ctx, name, (double)m->f.kib[o], "KiB", note);
	}
	snprintf(note, sizeof(note), "folios of 2 MiB and more (THP and hugetlb) over what the "
		 "%u processes map (pagemap + kpageflags), %s", m->procs, when);
	if (m->f.resident_kib)
		hb_metric(ctx, "tree_huge_pct", 100.0 * (double)huge / (double)m->f.resident_kib,
			  "%", note);
	else
		hb_metric_text(ctx, "tree_huge_pct", "unavailable", "nothing resident was read");
}

/* The proof of what the tree got, and its memory figures. */
static void proof_rows(struct hb_ctx *ctx, struct external_state *s, uint64_t end)
{
	const struct hb_tree_mem *m = &s->proof;
	char when[160], note[400];

	if (!s->have_proof) { /* cmd ended before the first proof: the tree now */
		if (hb_tree_read(ctx, 1, &s->proof) || !s->proof.procs) {
			hb_metric_text(ctx, "tree_huge_pct", "unavailable",
				       "no process of the cell left to read after cmd ended "
				       "(shorter than proof_every)");
			return;
		}
		s->proof_at = hb_now_ns();
		snprintf(when, sizeof(when), "read just after cmd ended (it ran less than "
			 "proof_every)");
	} else {
		snprintf(when, sizeof(when), "read %.1f s before cmd ended",
			 (double)(end - s->proof_at) / 1e9);
	}
	hb_metric(ctx, "tree_procs", m->procs, "processes", when);
	snprintf(note, sizeof(note), "Rss summed over the cell's processes (a shared page counts "
		 "once per process), %s", when);
	hb_metric(ctx, "tree_rss_kib", (double)m->rss_kib, "KiB", note);
	snprintf(note, sizeof(note), "Private_Hugetlb + Shared_Hugetlb summed over the cell's "
		 "processes, %s", when);
	hb_metric(ctx, "tree_hugetlb_kib", (double)m->hugetlb_kib, "KiB", note);
	snprintf(note, sizeof(note), "the largest Private_Hugetlb + Shared_Hugetlb of one process "
		 "(a shared segment counted once), %s", when);
	hb_metric(ctx, "tree_hugetlb_kib_max", (double)m->max_hugetlb_kib, "KiB", note);
	snprintf(note, sizeof(note), "AnonHugePages + ShmemPmdMapped + FilePmdMapped summed, %s",
		 when);
	hb_metric(ctx, "tree_pmd_kib", (double)m->anon_huge_kib, "KiB", note);
	if (m->folios)
		folio_rows(ctx, m, when);
	else {
		snprintf(note, sizeof(note), "no per-size proof: %s", m->why);
		hb_metric_text(ctx, "tree_huge_pct", "unavailable", note);
	}
}

static int external_run(struct hb_ctx *ctx, const void *params, void *state)
{
	const struct external_params *p = params;
	struct external_state *s = state;
	struct hb_command_result r;
	char line[LINE_MAX_], err[600], why[600];
	uint64_t end;
	int rc;

	if ((rc = subst(ctx, p, s, p->cmd, line, sizeof(line))))
		return rc;
	s->proof_every = p->proof_every;
	s->last_proof = hb_now_ns(); /* the first proof once cmd has run a while */
	hb_phase_begin(ctx, "measured");
	rc = hb_command_run(ctx, line, s->dir, s->env, p->timeout, tick, s, p->sample, &r, err,
			    sizeof(err));
	hb_phase_end(ctx);
	end = hb_now_ns();
	if (rc) {
		hb_fail_reason(ctx, err);
		return rc;
	}
	hb_metric(ctx, "cmd_wall_ms", (double)r.wall_ns / 1e6, "ms", "the measured command");
	if ((rc = command_failed(ctx, "cmd", &r))) {
		hb_command_result_free(&r);
		return rc;
	}
	hb_metric(ctx, "cmd_minflt", (double)r.minflt, "faults",
		  "minor page faults of cmd and the processes it waited for (getrusage children)");
	hb_metric(ctx, "cmd_majflt", (double)r.majflt, "faults", "major page faults, as cmd_minflt");
	for (unsigned i = 0; i < s->nm; i++) {
		double v;
		char name[64];

		snprintf(name, sizeof(name), "cmd_%s", s->m[i].name);
		if (cmd_metric_find(&s->m[i], r.out, &v, why, sizeof(why)))
			hb_metric_text(ctx, name, "unavailable", why);
		else
			hb_metric(ctx, name, v, s->m[i].unit, s->m[i].regex);
	}
	hb_command_result_free(&r);
	proof_rows(ctx, s, end);
	hb_memory_snapshot(ctx, "end");
	if (s->server && !hb_server_running(s->server, why, sizeof(why))) {
		char tail[600], msg[1300];

		hb_server_log_tail(s->server, 5, tail, sizeof(tail));
		snprintf(msg, sizeof(msg), "the server %s during cmd; its log: %s", why,
			 tail[0] ? tail : "(empty)");
		hb_fail_reason(ctx, msg);
		return -EIO;
	}
	return 0;
}

static void external_teardown(struct hb_ctx *ctx, const void *params, void *state)
{
	(void)params;
	state_free(ctx, state);
}

static const struct hb_workload_needs external_needs = {
	.memory_needed = external_memory_needed,
	.fit_hint = external_fit_hint,
	.supported = external_supported,
	.process_memory = 1,
};

static const struct hb_workload_report external_report = {
	.outputs = &external_outputs,
};

const struct hb_workload hb_workload_external = {
	.name = "external",
	.summary = "your own program: a server, a setup and a measured command line, its "
		   "figures read from its output",
	.params = external_params_table,
	.params_size = sizeof(struct external_params),
	.validate = external_validate,
	.setup = external_setup,
	.run = external_run,
	.teardown = external_teardown,
	.needs = &external_needs,
	.report = &external_report,
};
