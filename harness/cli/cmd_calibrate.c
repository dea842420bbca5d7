/*
 * `hugebench calibrate`: each real scenario and its simulator twin with matched parameters,
 * one matrix on 4k and thp-always in which each repetition runs the real side and then its
 * twin (a twin whose parameters follow from the real side's figures takes them from a pilot
 * repetition run first, in DIR/pilot), then
 * calibration.csv and calibration.md/.html (harness/report/calibration.h) in the run
 * directory. The pairs are the workloads' own declarations (twins.h: the real workload
 * declares its twins, how their parameters follow from its run, the figures to compare);
 * with HB_CALIBRATE_PAIRS=test the stand-in pairs of the tests instead, so the tests exercise
 * everything in seconds. Nothing here knows a workload.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calibrate_sides.h"
#include "calibration.h"
#include "commands.h"
#include "log.h"
#include "matrix.h"
#include "options.h"
#include "twins.h"
#include "units.h"

#define DEFAULT_REPS 5
#define CAL_BACKINGS "4k,thp-always"
#define MAX_PAIRS 8
#define MAX_SIDES (2 * MAX_PAIRS)

/* What the command line asks of every pair. */
struct cal_ask {
	int quick;
	uint64_t dataset; /* --fork-size, bytes; 0: the pairs' own */
};

/* The pairs of the registry: the real ones, or the test stand-ins. Returns how many. */
static size_t registry_pairs(int test, struct cal_pair *out, size_t max)
{
	size_t n = 0;

	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];

		for (const struct hb_twin *t = w->report ? w->report->twins : NULL; t && t->pair;
		     t++) {
			if (!t->test_only != !test || n == max)
				continue;
			out[n].t = t;
			out[n].owner = w;
			out[n].after_real = 0;
			for (const struct hb_twin_rule *r = t->rules; r && r->param; r++)
				out[n].after_real |= r->reads[0] != NULL;
			n++;
		}
	}
	return n;
}

/* The pairs are the workloads' declarations: --help lists them from there. */
static void declared_pairs(FILE *f)
{
	struct cal_pair pairs[MAX_PAIRS];
	size_t np = registry_pairs(0, pairs, MAX_PAIRS);

	fprintf(f, "  The pairs the workloads declare:\n");
	for (size_t i = 0; i < np; i++)
		fprintf(f, "    %s: %s\n", pairs[i].t->pair, pairs[i].t->what);
	for (size_t i = 0; i < np; i++)
		if (pairs[i].t->dataset)
			fprintf(f, "  --fork-size: %s\n", pairs[i].t->dataset_help);
}

static const struct hb_option calibrate_options[] = {
	{ "out", 'o', "DIR", NULL, "results directory (default results/<UTC time>-calibrate)" },
	{ "reps", 'r', "N", NULL, "repetitions (default " HB_STR(DEFAULT_REPS) ")" },
	{ "quick", 'k', NULL, NULL, "tiny datasets: seconds, to see it work, not to judge" },
	{ "fork-size", HB_OPT_FORK_SIZE, "SIZE", NULL, "the fork pair's dataset (see above)" },
	{ "quiet", 'q', NULL, NULL, "no progress" }, HB_OPTION_WAIT_LOCK, HB_OPTION_DRY_RUN,
	HB_OPTION_HELP, { 0 },
};

const struct hb_command hb_calibrate_command = {
	.name = "calibrate", .options = calibrate_options,
	.summary = "real Redis against its simulator twins, side by side",
	.about = "Runs each real scenario and its simulator twin with matched parameters on "
		 CAL_BACKINGS ", the two sides beside each other in every repetition; a twin "
		 "whose parameters follow from the real side's figures takes them from a pilot, one "
		 "repetition of the real side first (kept in DIR/pilot). Then writes "
		 "DIR/calibration.csv (each side's median over repetitions, and simulated / real "
		 "within each repetition: its median, range and count) and "
		 "DIR/calibration.md + .html with a verdict per metric and charts of real against "
		 "simulated.",
	.about_data = declared_pairs,
	.epilog = "Prints the results directory, then the paths of calibration.csv and .md.\n",
};

static int append(char *out, size_t len, size_t *o, const char *text)
{
	int n = snprintf(out + *o, *o < len ? len - *o : 0, "%s%s", *o ? ";" : "", text);

	*o += (size_t)n;
	return *o < len ? 0 : -ENAMETOOLONG;
}

/* Each rule's figures: the medians of its reads in the real side's run on one backing. */
static void read_figures(const struct hb_twin_rule *ru, const struct hb_rundata *d,
			 const char *backing, struct hb_twin_real *r)
{
	for (int i = 0; i < HB_TWIN_READS; i++) {
		struct hb_stat st = { 0 };

		if (d && ru->reads[i])
			hb_rundata_stat(d, r->w->name, backing, r->params, ru->reads[i], &st);
		r->have[i] = st.n > 0;
		r->fig[i] = st.n ? st.med : 0;
	}
}

/*
 * A side's parameters: its own, --quick's, the real side's --fork-size dataset, and on the
 * simulated side every rule's value from the real side r (its figures on backing from d, on
 * the second stage). 0, -ENOENT (a rule's figure is missing: why says which), or
 * -ENAMETOOLONG.
 */
static int side_text(const struct cal_pair *p, const struct hb_twin_side *s, int real,
		     const struct cal_ask *ask, struct hb_twin_real *r, const struct hb_rundata *d,
		     const char *backing, char *out, size_t len, char *why, size_t wlen)
{
	size_t o = 0;
	char v[512];
	int rc = 0;

	out[0] = 0;
	if (s->params && *s->params)
		rc = append(out, len, &o, s->params);
	if (!rc && ask->quick && s->quick)
		rc = append(out, len, &o, s->quick);
	if (!rc && real && ask->dataset && p->t->dataset) {
		p->t->dataset(ask->dataset, v, sizeof(v));
		rc = append(out, len, &o, v);
	}
	for (const struct hb_twin_rule *ru = p->t->rules; !real && !rc && ru && ru->param; ru++) {
		char field[600];

		read_figures(ru, d, backing, r);
		rc = ru->value ? ru->value(r, v, sizeof(v))
			       : hb_set_value(r->w->params, r->w->params_size, r->params,
					      ru->param, v, sizeof(v));
		if (rc) {
			snprintf(why, wlen, "the real side lacks what parameter '%s' follows from "
				 "(%s)", ru->param, ru->reads[0] ? ru->reads[0] : "its parameters");
			return -ENOENT;
		}
		snprintf(field, sizeof(field), "%s=%s", ru->param, v);
		rc = append(out, len, &o, field);
	}
	return rc;
}

/* Adds one side to m: on every backing (k < 0), or on backing k alone with the real side's
 * figures there from d (the second stage). r: the real side, for the simulated side's rules.
 * 0, 1 when a rule lacks its figure (no cell, said), or an exit code after saying what is
 * wrong. */
static int add_side(struct hb_matrix *m, const struct cal_pair *p, int real,
		    const struct cal_ask *ask, const struct hb_backing *bk, int nb, int k,
		    struct hb_twin_real *r, const struct hb_rundata *d, struct built *b)
{
	const struct hb_twin_side *s = real ? &p->t->real : &p->t->sim;
	const char *role = real ? "real" : "simulated";
	const char *name = s->workload ? s->workload : p->owner->name;
	char text[1024], err[1024], label[64];
	int slot = k < 0 ? 0 : k;
	void *params;
	int rc;

	b->w = hb_workload_find(name);
	if (!b->w) {
		hb_err("calibrate: workload '%s' is not built into this hugebench (the %s side of "
		       "pair '%s'); `hugebench list` shows those that are", name, role, p->t->pair);
		return HB_EXIT_USAGE;
	}
	if (k < 0 && !real && p->after_real)
		return 0; /* built after the real sides have run */
	rc = side_text(p, s, real, ask, r, d, k < 0 ? NULL : bk[k].name, text, sizeof(text),
		       err, sizeof(err));
	if (rc == -ENOENT && d) {
		hb_info("calibrate: pair '%s' on %s: %s, so no simulated cell", p->t->pair,
			bk[k].name, err);
		return 1;
	}
	if (rc) {
		hb_err("calibrate: pair '%s': the %s side's parameters: %s", p->t->pair, role,
		       rc == -ENOENT ? err : strerror(-rc));
		return HB_EXIT_INTERNAL;
	}
	params = calloc(1, b->w->params_size);
	if (!params)
		return HB_EXIT_INTERNAL;
	rc = hb_params_parse(b->w->params, text, params, &b->store[slot], err, sizeof(err));
	if (!rc && b->w->validate)
		rc = b->w->validate(params, err, sizeof(err));
	if (rc) {
		hb_err("calibrate: pair '%s', %s side (%s %s): %s", p->t->pair, role, name, text,
		       err);
		free(params);
		return HB_EXIT_USAGE;
	}
	snprintf(label, sizeof(label), "calibrate-%s-%s", p->t->pair, role);
	b->m = m;
	for (int i = 0; i < nb; i++)
		if (k < 0 || i == k) {
			b->entry[i] = m->n;
			b->built[i] = 1;
		}
	rc = hb_matrix_add(m, b->w, params, k < 0 ? bk : &bk[k], k < 0 ? nb : 1, label);
	free(params);
	if (rc || m->n != b->entry[slot] + 1) {
		hb_err("calibrate: pair '%s', %s side: cannot build its cells (%s)", p->t->pair,
		       role, rc ? strerror(-rc) : "it expands to several parameter sets");
		return HB_EXIT_INTERNAL;
	}
	return 0;
}

/*
 * The measured matrix: every pair's real side, then its simulated side, so that a repetition
 * runs the two beside each other (the matrix runs rep 1 of every entry, then rep 2) and a
 * drift of the machine meets both alike. A simulated side whose rules read the real side's
 * figures takes them from the pilot dp, one entry per backing; without dp (the dry run, the
 * fit check before the pilot) it is left out. A backing the pilot lacks a figure for gets no
 * simulated cell (its row stays empty, never a guess).
 */
static int build_main(struct hb_matrix *m, const struct cal_pair *pairs, size_t np,
		      struct built *b, const struct cal_ask *ask, const struct hb_backing *bk,
		      int nb, const struct hb_rundata *dp)
{
	int rc = 0;

	for (size_t i = 0; i < np && !rc; i++) {
		struct built *real = &b[2 * i];
		/* the real side as the simulated side's rules see it */
		struct hb_twin_real r = { .scratch = "/tmp/hugebench-calibrate" };

		rc = add_side(m, &pairs[i], 1, ask, bk, nb, -1, NULL, NULL, real);
		if (rc)
			break;
		r.w = real->w;
		r.params = m->e[real->entry[0]].params_text;
		if (!pairs[i].after_real) {
			rc = add_side(m, &pairs[i], 0, ask, bk, nb, -1, &r, NULL, &b[2 * i + 1]);
			continue;
		}
		for (int k = 0; k < nb && !rc && dp; k++) {
			char scratch[96];

			r.params = m->e[real->entry[k]].params_text;
			/* a name of this run and backing, for a file the simulated cell makes */
			snprintf(scratch, sizeof(scratch), "/tmp/hugebench-calibrate-%d-%d",
				 (int)getpid(), k);
			r.scratch = scratch;
			rc = add_side(m, &pairs[i], 0, ask, bk, nb, k, &r, dp, &b[2 * i + 1]);
			if (rc == 1)
				rc = 0;
		}
	}
	return rc;
}

/* The pilot: one repetition of the real side of every pair whose simulated side takes its
 * figures. Returns how many pairs that is, or an exit code (negated) after saying why. */
static int build_pilot(struct hb_matrix *mp, const struct cal_pair *pairs, size_t np,
		       struct built *pb, const struct cal_ask *ask, const struct hb_backing *bk,
		       int nb)
{
	int n = 0;

	for (size_t i = 0; i < np; i++) {
		int rc;

		if (!pairs[i].after_real)
			continue;
		rc = add_side(mp, &pairs[i], 1, ask, bk, nb, -1, NULL, NULL, &pb[i]);
		if (rc)
			return -rc;
		n++;
	}
	return n;
}

static void free_sides(struct built *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < HB_MAX_BACKINGS; k++)
			free(b[i].store[k]);
		memset(&b[i], 0, sizeof(b[i]));
	}
}

/* Which pairs: 0 the real ones, 1 the test stand-ins; -EINVAL after saying what is wrong. */
static int pairs_from_env(void)
{
	const char *e = getenv("HB_CALIBRATE_PAIRS");

	if (!e || !*e)
		return 0;
	if (!strcmp(e, "test"))
		return 1;
	hb_err("calibrate: HB_CALIBRATE_PAIRS='%s'; accepted: test (stand-in pairs for the "
	       "tests), or unset", e);
	return -EINVAL;
}

int hb_cmd_calibrate(int argc, char **argv)
{
	int test = pairs_from_env();
	struct cal_pair pairs[MAX_PAIRS];
	struct cal_ask ask = { 0 };
	uint64_t fork_bytes = 0;
	struct hb_backing bk[HB_MAX_BACKINGS];
	static struct built b[MAX_SIDES], pb[MAX_PAIRS];
	static struct hb_rundata d, dp;
	char dir[PATH_MAX], dirp[PATH_MAX + 16], stamp[32], err[PATH_MAX + 256];
	struct hb_matrix m, mp;
	int c, nb, rc = HB_EXIT_USAGE, run_rc, dry_run = 0, loaded = 0, loadedp = 0, npilot = 0;
	const char *out_dir;
	int reps;
	struct hb_opt_parser op;
	size_t np = 0;
	time_t now = time(NULL);
	struct tm tm;
	uint64_t u;

	if (test < 0)
		return HB_EXIT_USAGE;
	hb_matrix_init(&m);
	hb_matrix_init(&mp);
	m.reps = DEFAULT_REPS;
	m.command_kind = "calibrate";
	hb_opt_begin(&op, &hb_calibrate_command);
	while ((c = hb_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			m.out = optarg;
			break;
		case 'r':
			if (hb_parse_uint(optarg, 1000, &u) || u < 1) {
				hb_err("calibrate: --reps '%s' is not a whole number from 1 to "
				       "1000", optarg);
				return HB_EXIT_USAGE;
			}
			m.reps = (int)u;
			break;
		case 'k':
			ask.quick = 1;
			break;
		case HB_OPT_FORK_SIZE:
			if (hb_parse_size(optarg, &fork_bytes) || fork_bytes < (1 << 20) ||
			    fork_bytes > (64ull << 30)) {
				hb_err("calibrate: --fork-size '%s' is not a size from 1M to 64G "
				       "(binary suffixes: 512M, 1G)", optarg);
				return HB_EXIT_USAGE;
			}
			break;
		case 'q':
			hb_log_quiet = 1;
			break;
		case HB_OPT_WAIT_LOCK:
			m.wait_lock = 1;
			break;
		case HB_OPT_DRY_RUN:
			dry_run = 1;
			break;
		case 'h':
			hb_opt_help(&hb_calibrate_command, stdout);
			return HB_EXIT_OK;
		default:
			hb_opt_usage(&hb_calibrate_command, stderr);
			return HB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		hb_err("calibrate: unexpected argument '%s'", argv[optind]);
		return HB_EXIT_USAGE;
	}
	np = registry_pairs(test, pairs, MAX_PAIRS);
	if (!np) {
		hb_err("calibrate: no workload built into this hugebench declares %s; `hugebench "
		       "list` shows those that are", test ? "a stand-in pair" : "a simulator twin");
		return HB_EXIT_USAGE;
	}
	/* --fork-size: the dataset of every pair that takes one */
	ask.dataset = fork_bytes;
	nb = hb_parse_backing_list(CAL_BACKINGS, bk, HB_MAX_BACKINGS);
	if (nb < 0)
		return HB_EXIT_INTERNAL;
	/* Every side that can be built before the pilot: what the dry run shows and the fit
	 * check sees (a simulated side that follows the real one never needs more memory). */
	rc = build_main(&m, pairs, np, b, &ask, bk, nb, NULL);
	if (!rc)
		npilot = build_pilot(&mp, pairs, np, pb, &ask, bk, nb);
	if (rc || npilot < 0) {
		rc = rc ? rc : -npilot;
		goto out;
	}
	if (!m.out) {
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
		snprintf(dir, sizeof(dir), "results/%s-calibrate", stamp);
		m.out = dir;
	}
	rc = HB_EXIT_USAGE;
	if (hb_matrix_check_fit(&m))
		goto out;
	if (dry_run) {
		if (npilot)
			hb_info("calibrate: first a pilot, one repetition of the real side of %d "
				"pair(s), whose figures set the simulated side's parameters; then:",
				npilot);
		hb_matrix_dry_run(&m, "calibrate");
		rc = HB_EXIT_OK;
		goto out;
	}
	if (npilot) {
		/* The pilot, into DIR/pilot: its medians set the simulated sides' parameters;
		 * the comparison is made on the main run alone. */
		mp.reps = 1;
		mp.command_kind = "calibrate";
		mp.wait_lock = m.wait_lock;
		snprintf(dirp, sizeof(dirp), "%s/pilot", m.out);
		mp.out = dirp;
		rc = hb_matrix_run(&mp, argc, argv);
		if (rc != HB_EXIT_OK && rc != HB_EXIT_CELL_FAILED)
			goto out; /* interrupted, or nothing ran: nothing to calibrate */
		if (hb_rundata_load(dirp, &dp, err, sizeof(err))) {
			hb_err("calibrate: %s", err);
			rc = HB_EXIT_INTERNAL;
			goto out;
		}
		loadedp = 1;
		/* again, now with every simulated side */
		out_dir = m.out;
		reps = m.reps;
		free_sides(b, 2 * np);
		hb_matrix_free(&m);
		hb_matrix_init(&m);
		m.out = out_dir;
		m.reps = reps;
		m.command_kind = "calibrate";
		/* the pilot has run: another run that took the machine in between is waited
		 * for, not a reason to throw the pilot away */
		m.wait_lock = 1;
		rc = build_main(&m, pairs, np, b, &ask, bk, nb, &dp);
		if (rc)
			goto out;
	}
	run_rc = hb_matrix_run(&m, argc, argv);
	/* Nothing was run (the directory could not be made, the machine busy): no calibration
	 * either. */
	if (run_rc == HB_EXIT_USAGE || run_rc == HB_EXIT_INTERNAL || run_rc == HB_EXIT_BUSY) {
		rc = run_rc;
		goto out;
	}
	if (hb_rundata_load(m.out, &d, err, sizeof(err))) {
		hb_err("calibrate: %s", err);
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	loaded = 1;
	for (size_t i = 0; i < 2 * np; i++)
		b[i].d = &d;
	/* Also after a failed or interrupted cell: the figures that are there, the rest empty. */
	rc = hb_calibrate_write(m.out, pairs, np, b, &d, bk, nb, m.reps);
	if (rc == HB_EXIT_OK)
		rc = run_rc;
out:
	free_sides(b, 2 * np);
	free_sides(pb, np);
	if (loaded)
		hb_rundata_free(&d);
	if (loadedp)
		hb_rundata_free(&dp);
	hb_matrix_free(&m);
	hb_matrix_free(&mp);
	return rc;
}
