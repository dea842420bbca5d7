/*
 * `hugebench ab`: two configurations measured on one machine in one run, cell by cell and
 * repetition by repetition in turn, and compared by compare's rule. What the two sides may
 * differ in is what can change without a reboot: the hugebench binary, any environment variable
 * (MALLOC_CONF, GLIBC_TUNABLES, LD_PRELOAD, ...), and any workload parameter, which covers the
 * allocator (preset, library path, its settings) and the knobs a parameter row applies per cell
 * and restores (max_ptes_none, shrink_underused), and any machine knob of the knob table or an
 * mTHP size's enabled (--a-knob/--b-knob, given to the side's cells as `run --knob`: THP,
 * mTHP, defrag, khugepaged, set per cell before the backing's own settings and put back). Each cell of each side runs as `BIN run
 * WORKLOAD --reps 1` in a child with that side's environment; its rows go into DIR/a or DIR/b
 * under the profile's parameters, so compare joins the sides cell by cell.
 *
 * The order alternates (A B, then B A, ...), so a drift of the machine during the run weighs on
 * both sides alike. With --budget, rounds of one more repetition of both sides go to the cells
 * whose verdict is still `unknown` (Chromium's Pinpoint asks for more attempts the same way).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "commands.h"
#include "compare.h"
#include "log.h"
#include "options.h"
#include "params.h"
#include "profile.h"
#include "results.h"
#include "rundata.h"
#include "units.h"
#include "workload.h"

#define MAX_SETTINGS 16

struct side {
	char name;		/* 'a' or 'b' */
	const char *bin;	/* the hugebench that runs its cells */
	const char *env[MAX_SETTINGS];	 /* NAME=VALUE */
	const char *param[MAX_SETTINGS]; /* NAME=VALUE, for the workloads that have NAME */
	const char *knob[MAX_SETTINGS];	 /* NAME=VALUE, run --knob in every cell */
	int nenv, nparam, nknob;
	struct hb_results res;
	int meta_done;
};

static const struct hb_option ab_options[] = {
	{ "profile", HB_OPT_PROFILE, "NAME|FILE", NULL,
	  "the cells, their repetitions and the thresholds of the verdict (default ci)" },
	{ "only", 'O', "PATTERN", NULL,
	  "only the profile sections whose name or workload matches the shell pattern" },
	{ "a-bin", HB_OPT_A_BIN, "PATH", NULL, "the hugebench that runs side A (default: this one)" },
	{ "b-bin", HB_OPT_B_BIN, "PATH", NULL, "the hugebench that runs side B (default: this one)" },
	{ "a-env", HB_OPT_A_ENV, "NAME=VALUE", "--a-env NAME=VALUE ...",
	  "an environment variable of side A's cells (repeatable)" },
	{ "b-env", HB_OPT_B_ENV, "NAME=VALUE", "--b-env NAME=VALUE ...",
	  "an environment variable of side B's cells (repeatable); an allocator's own variable "
	  "(MALLOC_CONF, GLIBC_TUNABLES) is set from allocator_conf where a cell has one: use "
	  "--b-param for those" },
	{ "a-param", HB_OPT_A_PARAM, "[SECTION:]NAME=VALUE", "--a-param [SECTION:]NAME=VALUE ...",
	  "a workload parameter of side A (repeatable), in every cell whose workload has it, or "
	  "only in the profile section SECTION's: allocator, allocator_conf, max_ptes_none, "
	  "shrink_underused, ... (these apply and restore their knobs per cell)" },
	{ "b-param", HB_OPT_B_PARAM, "[SECTION:]NAME=VALUE", "--b-param [SECTION:]NAME=VALUE ...",
	  "the same for side B, e.g. SECTION:allocator_conf=tcache:false" },
	{ "a-knob", HB_OPT_A_KNOB, "NAME=VALUE", "--a-knob NAME=VALUE ...",
	  "a machine knob of side A's cells (repeatable), given to its cells as `run --knob` "
	  "(`hugebench run --help` lists the knobs: THP, mTHP, khugepaged, ...); set before each "
	  "cell's backing's own settings and put back after the cell" },
	{ "b-knob", HB_OPT_B_KNOB, "NAME=VALUE", "--b-knob NAME=VALUE ...",
	  "the same for side B, e.g. khugepaged/max_ptes_none=0" },
	{ "profile-thresholds", HB_OPT_PROFILE_THRESHOLDS, NULL, NULL,
	  "decide with the profile's [thresholds], fitted to the drift between runs (hugebench "
	  "noise), instead of compare's defaults (5% for times and rates, 1% for memory, 0 for "
	  "counts): interleaving takes that drift out, and the U test the noise within the run" },
	{ "budget", 'B', "DURATION", NULL,
	  "after the profile's repetitions, rounds of one more repetition of both sides for the "
	  "cells whose verdict is still unknown, while the run's total time stays within "
	  "DURATION; at most " HB_STR(HB_BUDGET_MAX_REPS) " in all" },
	{ "out", 'o', "DIR", NULL,
	  "results directory (default results/ab-<UTC time>): DIR/a and DIR/b are a results "
	  "directory each (plot and compare read them), DIR/cells each cell's own run, "
	  "DIR/compare the comparison" },
	{ "quiet", 'q', NULL, NULL, "no progress" },
	HB_OPTION_DRY_RUN,
	HB_OPTION_HELP,
	{ 0 },
};

const struct hb_command hb_ab_command = {
	.name = "ab",
	.summary = "two configurations interleaved on this machine, compared (own exit status)",
	.about = "Runs every cell of the profile for side A and side B in turn (A B, then B A, "
		 "...), each cell as `BIN run WORKLOAD --reps 1` with its side's binary, "
		 "environment and parameters, then compares B against A with compare's rule. The "
		 "sides differ only in what the options give them.",
	.epilog = "exit status: compare's (0 nothing worse or lost in B, 1 something is, 2 bad input,\n"
		  "3 nothing comparable).\n",
	.options = ab_options,
};

static int add_setting(const char **list, int *n, const char *arg, const char *opt)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg) {
		hb_err("ab: --%s '%s': expected NAME=VALUE", opt, arg);
		return -EINVAL;
	}
	if (*n == MAX_SETTINGS) {
		hb_err("ab: at most %d --%s options", MAX_SETTINGS, opt);
		return -EINVAL;
	}
	list[(*n)++] = arg;
	return 0;
}

/* Whether workload w has the parameter of "NAME=VALUE". */
static int has_param(const struct hb_workload *w, const char *nv)
{
	size_t len = strcspn(nv, "=");

	for (const struct hb_param *p = w->params; p && p->name; p++)
		if (strlen(p->name) == len && !strncmp(p->name, nv, len))
			return 1;
	return 0;
}

/*
 * A side's parameter, "[SECTION:]NAME=VALUE", in entry e: 1 with *nv at "NAME=VALUE" when it
 * applies there (e's workload has NAME, and e is of SECTION when one is given), else 0.
 */
static int applies(const char *setting, const struct hb_matrix_entry *e, const char **nv)
{
	size_t key = strcspn(setting, "="), colon = strcspn(setting, ":");

	*nv = setting;
	if (colon < key) {
		if (strlen(e->label) != colon || strncmp(e->label, setting, colon))
			return 0;
		*nv = setting + colon + 1;
	}
	return has_param(e->w, *nv);
}

/* Whether a side's parameter applies to some cell of the profile. */
static int param_known(const struct hb_matrix *m, const char *setting)
{
	const char *nv;

	for (size_t i = 0; i < m->n; i++)
		if (applies(setting, &m->e[i], &nv))
			return 1;
	return 0;
}

/* The argv of one cell: BIN run W -b BACKING -p each of params (the side's replacing the
 * profile's) --knob each of the side's --wait-lock --reps 1 --seed S --quiet --out DIR. Returns argc; strings in store. */
static int cell_argv(const struct side *s, const struct hb_matrix_entry *e, const char *backing,
		     uint64_t seed, const char *dir, char *store, size_t len, char **argv, int max)
{
	char copy[1024], *save = NULL, *tok;
	int argc = 0;
	size_t o = 0;

#define PUT(str)                                                                     \
	do {                                                                         \
		int w_ = snprintf(store + o, len - o, "%s", (str));                  \
		if (argc < max - 1 && o + (size_t)w_ + 1 < len) {                    \
			argv[argc++] = store + o;                                    \
			o += (size_t)w_ + 1;                                         \
		}                                                                    \
	} while (0)
	PUT(s->bin);
	PUT("run");
	PUT(e->w->name);
	PUT("-b");
	PUT(backing);
	snprintf(copy, sizeof(copy), "%s", e->params_text);
	for (tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
		size_t klen = strcspn(tok, "=");
		int mine = 0;

		for (int i = 0; i < s->nparam; i++) {
			const char *nv;

			mine |= applies(s->param[i], e, &nv) && strcspn(nv, "=") == klen &&
				!strncmp(nv, tok, klen);
		}
		if (mine || !tok[klen + 1])
			continue; /* the side's own value, below; an empty value is the default */
		PUT("-p");
		PUT(tok);
	}
	for (int i = 0; i < s->nparam; i++) {
		const char *nv;

		if (applies(s->param[i], e, &nv)) {
			PUT("-p");
			PUT(nv);
		}
	}
	for (int i = 0; i < s->nknob; i++) {
		PUT("--knob");
		PUT(s->knob[i]);
	}
	/* ab holds no lock between its cells: a run that starts meanwhile takes the machine, and
	 * the next cell waits for it rather than fail (the pairs stay interleaved). */
	PUT("--wait-lock");
	PUT("--reps");
	PUT("1");
	PUT("--seed");
	{
		char num[32];

		snprintf(num, sizeof(num), "%llu", (unsigned long long)seed);
		PUT(num);
	}
	PUT("--quiet");
	PUT("--out");
	PUT(dir);
#undef PUT
	argv[argc] = NULL;
	return argc;
}

/* Runs one cell of side s as its repetition rep; its rows join s->res under the profile's
 * parameters. 0, or -errno when the side's results cannot be written. */
static int run_cell(struct side *s, const struct hb_matrix_entry *e, const char *backing, int rep,
		    const char *out, uint64_t seed)
{
	char dir[PATH_MAX], store[8192], err[PATH_MAX + 256], why[300];
	char *argv[128];
	struct hb_rundata d;
	pid_t pid;
	int status = 0, rc;

	snprintf(dir, sizeof(dir), "%s/cells/%c/%s-%s-r%d-%s", out, s->name, e->w->name, backing, rep,
		 e->label[0] ? e->label : "set");
	cell_argv(s, e, backing, seed, dir, store, sizeof(store), argv, 128);
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		for (int i = 0; i < s->nenv; i++)
			putenv((char *)s->env[i]);
		if (null >= 0)
			dup2(null, STDOUT_FILENO); /* the run's directory line */
		execv(argv[0], argv);
		fprintf(stderr, "hugebench: ab: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	rc = hb_rundata_load(dir, &d, err, sizeof(err));
	if (rc) {
		snprintf(why, sizeof(why), "side %c: `%s run` exited %d and left no results: %.200s",
			 s->name, s->bin, WIFEXITED(status) ? WEXITSTATUS(status) : 128, err);
		hb_results_add(&s->res, e->w->name, backing, e->params_text, rep, "status", "failed",
			       "", why);
		return hb_results_write_csv(&s->res);
	}
	for (size_t i = 0; i < d.n; i++) {
		const struct hb_row *r = &d.rows[i];

		if (r->rep != 1) /* a figure of the whole one-cell run: nothing to compare */
			continue;
		hb_results_add(&s->res, r->workload, r->backing, e->params_text, rep, r->metric,
			       r->value, r->unit, r->note);
	}
	hb_rundata_free(&d);
	if (!s->meta_done) {
		/* the side's machine record: its first cell's, which names its binary and build */
		char src[PATH_MAX + 16], *buf = NULL;
		size_t n = 0, cap = 0;
		FILE *f;

		snprintf(src, sizeof(src), "%s/meta.json", dir);
		f = fopen(src, "r");
		if (f) {
			char chunk[4096];
			size_t got;

			while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
				hb_text_append(&buf, &n, &cap, chunk, got);
			fclose(f);
			if (buf && !hb_results_write_file(&s->res, "meta.json", buf, n))
				s->meta_done = 1;
			free(buf);
		}
	}
	return hb_results_write_csv(&s->res);
}

/* One repetition of one cell on both sides, in the order of the repetition (A B, B A, ...). */
static int run_pair(struct side *sides, const struct hb_matrix *m, size_t i, int k, int rep,
		    const char *out, int quiet, int *done, int total)
{
	const struct hb_matrix_entry *e = &m->e[i];
	uint64_t seed = m->seed + (uint64_t)rep * 0x9E3779B97F4A7C15ull; /* both sides alike */
	int rc = 0;

	for (int j = 0; j < 2 && !rc; j++) {
		struct side *s = &sides[(rep % 2 ? j : 1 - j)];

		if (!quiet)
			hb_info("ab: [%d/%d] %c %s %s rep %d", ++*done, total, s->name, e->w->name,
				e->backings[k].name, rep);
		rc = run_cell(s, e, e->backings[k].name, rep, out, seed);
	}
	return rc;
}

/* The cells still `unknown` (with a direction) of B against A: marks want[i * HB_MAX_BACKINGS +
 * k]; returns how many, or -errno. */
static int unknown_cells(struct side *sides, const struct hb_matrix *m, struct hb_cmp_opts *o,
			 unsigned char *want)
{
	struct hb_cmp_run a = { sides[0].res.rows, sides[0].res.n, "a", NULL, NULL, NULL };
	struct hb_cmp_run b = { sides[1].res.rows, sides[1].res.n, "b", NULL, NULL, NULL };
	struct hb_cmp_result r;
	char err[1024];
	int n = 0, rc;

	memset(want, 0, m->n * HB_MAX_BACKINGS);
	rc = hb_compare(&a, &b, 1, o, &r, err, sizeof(err));
	if (rc)
		return rc == -ENOMEM ? rc : 0;
	for (size_t l = 0; l < r.n; l++) {
		const struct hb_cmp_line *x = &r.lines[l];

		if (x->verdict != HB_CMP_UNKNOWN || x->better == HB_NEITHER)
			continue;
		for (size_t i = 0; i < m->n; i++)
			for (int k = 0; k < m->e[i].nbackings; k++)
				if (!strcmp(m->e[i].w->name, x->workload) &&
				    !strcmp(m->e[i].backings[k].name, x->backing) &&
				    !strcmp(m->e[i].params_text, x->params) &&
				    !want[i * HB_MAX_BACKINGS + k]) {
					want[i * HB_MAX_BACKINGS + k] = 1;
					n++;
				}
	}
	hb_cmp_result_free(&r);
	return n;
}

static int entry_reps(const struct hb_matrix *m, const struct hb_matrix_entry *e)
{
	return e->reps ? e->reps : m->reps;
}

/* What the two sides are, for DIR/ab.txt and the log. */
static void describe(FILE *f, const struct side *sides, const char *profile)
{
	fprintf(f, "profile: %s\n", profile);
	for (int j = 0; j < 2; j++) {
		const struct side *s = &sides[j];

		fprintf(f, "side %c: bin=%s", s->name, s->bin);
		for (int i = 0; i < s->nenv; i++)
			fprintf(f, " env %s", s->env[i]);
		for (int i = 0; i < s->nparam; i++)
			fprintf(f, " -p %s", s->param[i]);
		for (int i = 0; i < s->nknob; i++)
			fprintf(f, " --knob %s", s->knob[i]);
		fprintf(f, "\n");
	}
}

int hb_cmd_ab(int argc, char **argv)
{
	static struct side sides[2] = { { .name = 'a' }, { .name = 'b' } };
	static char self[PATH_MAX], out_default[PATH_MAX], cmp_dir[PATH_MAX + 16];
	static char a_dir[PATH_MAX + 8], b_dir[PATH_MAX + 8];
	const char *profile = "ci", *only = NULL, *out = NULL, *budget = NULL;
	char path[PATH_MAX], err[PATH_MAX + 512];
	struct hb_cmp_opts o = { 0 };
	struct hb_profile prof = { 0 };
	struct hb_opt_parser op;
	struct hb_matrix m;
	uint64_t budget_ns = 0, t0;
	unsigned char *want = NULL;
	int c, quiet = 0, dry_run = 0, rc = HB_EXIT_USAGE, max_reps = 0, total = 0, done = 0;
	int use_profile = 0;
	ssize_t sl;

	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl > 0)
		self[sl] = 0;
	sides[0].bin = sides[1].bin = self;
	hb_matrix_init(&m);
	hb_opt_begin(&op, &hb_ab_command);
	while ((c = hb_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case HB_OPT_PROFILE:
			profile = optarg;
			break;
		case 'O':
			only = optarg;
			break;
		case HB_OPT_A_BIN:
		case HB_OPT_B_BIN:
			if (access(optarg, X_OK)) {
				hb_err("ab: --%c-bin %s: %s (a hugebench binary)",
				       c == HB_OPT_A_BIN ? 'a' : 'b', optarg, strerror(errno));
				return HB_EXIT_USAGE;
			}
			sides[c == HB_OPT_B_BIN].bin = optarg;
			break;
		case HB_OPT_A_ENV:
		case HB_OPT_B_ENV:
			if (add_setting(sides[c == HB_OPT_B_ENV].env, &sides[c == HB_OPT_B_ENV].nenv,
					optarg, c == HB_OPT_A_ENV ? "a-env" : "b-env"))
				return HB_EXIT_USAGE;
			break;
		case HB_OPT_A_PARAM:
		case HB_OPT_B_PARAM:
			if (add_setting(sides[c == HB_OPT_B_PARAM].param,
					&sides[c == HB_OPT_B_PARAM].nparam, optarg,
					c == HB_OPT_A_PARAM ? "a-param" : "b-param"))
				return HB_EXIT_USAGE;
			break;
		case HB_OPT_A_KNOB:
		case HB_OPT_B_KNOB:
			if (hb_check_knob_arg(c == HB_OPT_A_KNOB ? "a-knob" : "b-knob", optarg) ||
			    add_setting(sides[c == HB_OPT_B_KNOB].knob, &sides[c == HB_OPT_B_KNOB].nknob,
					optarg, c == HB_OPT_A_KNOB ? "a-knob" : "b-knob"))
				return HB_EXIT_USAGE;
			break;
		case 'B':
			budget = optarg;
			break;
		case HB_OPT_PROFILE_THRESHOLDS:
			use_profile = 1;
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
			hb_opt_help(&hb_ab_command, stdout);
			return HB_EXIT_OK;
		default:
			hb_opt_usage(&hb_ab_command, stderr);
			return HB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		hb_err("ab: unexpected argument '%s'", argv[optind]);
		return HB_EXIT_USAGE;
	}
	if (budget && (hb_parse_duration(budget, &budget_ns) || !budget_ns)) {
		hb_err("ab: --budget '%s': expected a duration such as 300s or 4.5m", budget);
		return HB_EXIT_USAGE;
	}
	if (hb_profile_path(profile, path, sizeof(path))) {
		hb_err("ab: profile name '%s' is too long", profile);
		return HB_EXIT_USAGE;
	}
	rc = hb_profile_load(path, only, &m, &prof, err, sizeof(err));
	if (rc) {
		hb_err("ab: --profile %s: %s", profile, err);
		rc = rc == -ENOMEM ? HB_EXIT_INTERNAL : HB_EXIT_USAGE;
		goto out;
	}
	rc = HB_EXIT_USAGE;
	for (int j = 0; j < 2; j++)
		for (int i = 0; i < sides[j].nparam; i++)
			if (!param_known(&m, sides[j].param[i])) {
				hb_err("ab: --%c-param %s: no cell of the profile has that parameter "
				       "(in that section): accepted: [SECTION:]NAME=VALUE with a "
				       "parameter `hugebench WORKLOAD --help` lists", sides[j].name,
				       sides[j].param[i]);
				goto out;
			}
	for (size_t i = 0; use_profile && i < prof.nthresholds && i < HB_CMP_MAX_THRESHOLDS; i++)
		o.thresholds[o.nthresholds++] =
			(struct hb_cmp_threshold){ prof.thresholds[i].metric, prof.thresholds[i].pct, 1 };
	for (size_t i = 0; i < m.n; i++) {
		total += 2 * m.e[i].nbackings * entry_reps(&m, &m.e[i]);
		if (entry_reps(&m, &m.e[i]) > max_reps)
			max_reps = entry_reps(&m, &m.e[i]);
	}
	if (!out) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
		snprintf(out_default, sizeof(out_default), "results/ab-%s", stamp);
		out = out_default;
	}
	if (dry_run) {
		printf("ab: --dry-run: would run %d cells (%d a side, interleaved) of %s into %s "
		       "and compare b against a; nothing was run, changed or written\n", total,
		       total / 2, path, out);
		describe(stdout, sides, path);
		rc = HB_EXIT_OK;
		goto out;
	}
	snprintf(a_dir, sizeof(a_dir), "%s/a", out);
	snprintf(b_dir, sizeof(b_dir), "%s/b", out);
	if (hb_results_open(&sides[0].res, a_dir, err, sizeof(err)) ||
	    hb_results_open(&sides[1].res, b_dir, err, sizeof(err))) {
		hb_err("ab: %s", err);
		goto out;
	}
	{
		char *desc = NULL;
		size_t dl = 0;
		FILE *f = open_memstream(&desc, &dl);

		if (f) {
			describe(f, sides, path);
			fclose(f);
			snprintf(cmp_dir, sizeof(cmp_dir), "%s/ab.txt", out);
			(void)hb_atomic_write(cmp_dir, desc, dl);
			if (!quiet)
				fprintf(stderr, "%s", desc);
		}
		free(desc);
	}
	/* the cells a profile lists and this binary cannot build: skipped on both sides */
	for (size_t i = 0; i < m.nskips; i++)
		for (int j = 0; j < 2; j++)
			hb_results_add(&sides[j].res, m.skips[i].workload, m.skips[i].backing,
				       m.skips[i].params, 1, "status", "skipped", "", m.skips[i].why);
	t0 = hb_now_ns();
	rc = 0;
	for (int rep = 1; rep <= max_reps && !rc; rep++)
		for (size_t i = 0; i < m.n && !rc; i++)
			for (int k = 0; k < m.e[i].nbackings && !rc; k++)
				if (rep <= entry_reps(&m, &m.e[i]))
					rc = run_pair(sides, &m, i, k, rep, out, quiet, &done, total);
	want = calloc(m.n * HB_MAX_BACKINGS + 1, 1);
	if (!want)
		rc = -ENOMEM;
	/* --budget: one more repetition of both sides where the verdict is still unknown, while
	 * a round as long as the run's average pair of cells times their count fits */
	for (int rep = max_reps + 1; !rc && budget_ns && rep <= HB_BUDGET_MAX_REPS; rep++) {
		uint64_t spent = hb_now_ns() - t0, per = done ? spent / (uint64_t)done : 0;
		int n = unknown_cells(sides, &m, &o, want);

		if (n <= 0 || spent + per * 2 * (uint64_t)n > budget_ns) {
			if (!quiet && n > 0)
				hb_info("ab: %d cells still unknown; the budget of %s is spent", n,
					budget);
			rc = n < 0 ? n : 0;
			break;
		}
		if (!quiet)
			hb_info("ab: budget round (repetition %d) for %d unknown cells", rep, n);
		total += 2 * n;
		for (size_t i = 0; i < m.n && !rc; i++)
			for (int k = 0; k < m.e[i].nbackings && !rc; k++)
				if (want[i * HB_MAX_BACKINGS + k])
					rc = run_pair(sides, &m, i, k, rep, out, quiet, &done, total);
	}
	if (rc) {
		hb_err("ab: %s", strerror(-rc));
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	if (!quiet)
		hb_info("ab: %d cells in %.0f s", done, (double)(hb_now_ns() - t0) / 1e9);
	/* The verdict: compare b against a, its report in DIR/compare, its exit status ours. */
	{
		char *cargv[] = { "compare", "--out", cmp_dir, a_dir, b_dir, NULL, NULL, NULL };

		snprintf(cmp_dir, sizeof(cmp_dir), "%s/compare", out);
		if (use_profile) {
			cargv[5] = "--profile";
			cargv[6] = path;
		}
		rc = hb_cmd_compare(use_profile ? 7 : 5, cargv);
	}
	printf("%s\n", out);
out:
	free(want);
	for (int j = 0; j < 2; j++)
		if (sides[j].res.rows)
			hb_results_free(&sides[j].res);
	hb_matrix_free(&m);
	hb_profile_free(&prof);
	return rc;
}
