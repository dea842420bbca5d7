/*
 * `hugebench calibrate`: each real scenario and its simulator twin with matched parameters,
 * one matrix on 4k and thp-always (repetitions interleaved as in every run), then
 * calibration.csv and calibration.md/.html (harness/report/calibration.h) in the run
 * directory. The pairs are a table: the real one, or with HB_CALIBRATE_PAIRS=test stand-ins
 * made of the simulator workloads, so the tests exercise everything in seconds.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calibration.h"
#include "commands.h"
#include "log.h"
#include "matrix.h"
#include "units.h"

#define DEFAULT_REPS 2
#define CAL_BACKINGS "4k,thp-always"
#define MAX_SIDES 16

/* The dataset of both sides; a pair's parameters name them as {field}. */
struct cal_sizes {
	unsigned long long fork_keys, fork_value, write_rate, churn_keys, drain_pct;
	const char *churn_value, *idle;
};

/* A couple of minutes in all here (2 reps); --quick: seconds, for tests. */
static const struct cal_sizes sizes_full = {
	.fork_keys = 1000000, .fork_value = 500, .write_rate = 20000, .churn_keys = 200000,
	.drain_pct = 90, .churn_value = "uniform:64-1900", .idle = "15s",
};
static const struct cal_sizes sizes_quick = {
	.fork_keys = 20000, .fork_value = 500, .write_rate = 20000, .churn_keys = 20000,
	.drain_pct = 90, .churn_value = "uniform:64-1900", .idle = "1s",
};

/* A figure both sides report; or num / den of two (medians); both: only when both sides have
 * it (a figure the real system cannot know would only make empty rows). */
struct cal_metric {
	const char *name, *num, *den;
	int both;
};

struct cal_side {
	const char *workload, *params;
	/* Run after the real sides, per backing, with {snap_sink_rate} and {snap_write_rate}
	 * taken from the real side's figures on that backing (see real_pairs). */
	int after_real;
};

struct cal_pair {
	const char *name;
	struct cal_side real, sim;
	const struct cal_metric *metrics;
};

/* copied_kib depends on how long the snapshot lasts: Redis serializes its RDB for seconds,
 * forkcow's child reads and sinks the same bytes in a fraction of that, so the raw figures
 * cannot agree; per write during the snapshot they can (about a 4 KiB page each since 5.8). */
static const struct cal_metric fork_metrics[] = {
	{ .name = "fork_ms_per_gib" },
	{ .name = "copied_kib" },
	{ .name = "copied_kib_per_write_snapshot", .num = "copied_kib", .den = "writes_snapshot" },
	{ .name = "during_snapshot_ms" },
	{ .name = "copied_kib_per_dirtied_page", .both = 1 },
	{ .name = "write_p99_us_snapshot" },
	{ NULL },
};

static const struct cal_metric churn_metrics[] = {
	{ .name = "rss_kib_after_drain" },
	{ .name = "charged_kib_after_drain" },
	{ .name = "frag_ratio_after_drain" },
	{ .name = "charged_per_rss_after_drain", .num = "charged_kib_after_drain",
	  .den = "rss_kib_after_drain" },
	{ NULL },
};

/*
 * fork: forkcow's dataset is keys x value size (rounded to MiB). It runs second, per backing,
 * with what Redis's snapshot had there (README, "Calibration"): its sink takes the dataset at
 * size / Redis's snapshot time, its parent writes at Redis's client's rate, and small_pct is
 * the share of Redis's memory not in huge pages. churn: fill, drain, idle on both sides, no
 * churn phase (churn_time=0) and no refill, which Redis does not do either.
 */
static const struct cal_pair real_pairs[] = {
	{ "fork",
	  { "redis", "scenario=fork;keys={fork_keys};value_size={fork_value};"
		     "write_rate={write_rate}", 0 },
	  { "forkcow", "size={fork_size};value_size={fork_value};write_rate={snap_write_rate};"
		       "snapshot=read;sink={snap_sink};sink_rate={snap_sink_rate};"
		       "small_pct={snap_small_pct}", 1 },
	  fork_metrics },
	{ "churn",
	  { "redis", "scenario=churn;keys={churn_keys};value_size={churn_value};"
		     "drain_pct={drain_pct};idle={idle}", 0 },
	  { "churn", "allocator=jemalloc+redis;keys={churn_keys};value_size={churn_value};"
		     "drain_pct={drain_pct};idle={idle};churn_time=0;refill=0", 0 },
	  churn_metrics },
	{ NULL },
};

/* Stand-ins: a figure on both sides, one on the real side only, one on the simulated side
 * only, one both-only that the real side lacks (no row); then churn's memory figures with two
 * allocators. */
static const struct cal_metric standin_metrics[] = {
	{ .name = "populate_ms" },
	{ .name = "ns_per_touch" },
	{ .name = "fork_ms_per_gib" },
	{ .name = "copied_kib_per_dirtied_page", .both = 1 },
	{ NULL },
};

static const struct cal_pair test_pairs[] = {
	{ "fork-standin",
	  { "touch", "size={fork_size};passes=2", 0 },
	  { "forkcow", "size={fork_size};value_size={fork_value};phase_time=50ms", 0 },
	  standin_metrics },
	{ "churn-standin",
	  { "churn", "allocator=glibc;keys={churn_keys};value_size={churn_value};"
		     "drain_pct={drain_pct};idle=0;churn_time=0;refill=0", 0 },
	  { "churn", "allocator=jemalloc;keys={churn_keys};value_size={churn_value};"
		     "drain_pct={drain_pct};idle=0;churn_time=0;refill=0", 0 },
	  churn_metrics },
	{ NULL },
};

/* One side as built: its matrix and entry per backing (a second-stage side has one entry per
 * backing), the run its rows are in, and the texts its parameters point into. */
struct built {
	const struct hb_workload *w;
	const struct hb_matrix *m;
	const struct hb_rundata *d;
	size_t entry[HB_MAX_BACKINGS];
	int built[HB_MAX_BACKINGS];
	char *store[HB_MAX_BACKINGS];
};

static unsigned long long fork_mib(const struct cal_sizes *z)
{
	unsigned long long mib = (z->fork_keys * z->fork_value + (1 << 19)) >> 20;

	return mib ? mib : 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hugebench calibrate [--out DIR] [--reps N] [--quick] [--fork-size SIZE]\n"
		"                           [--quiet]\n"
		"  Runs each real scenario and its simulator twin with matched parameters on\n"
		"  " CAL_BACKINGS ", interleaved: redis scenario=fork against forkcow with the\n"
		"  same dataset, redis scenario=churn against churn allocator=jemalloc+redis.\n"
		"  Then writes DIR/calibration.csv (metric,backing,real,simulated,ratio: medians\n"
		"  over repetitions, ratio = simulated / real) and DIR/calibration.md + .html\n"
		"  with a verdict per metric and charts of real against simulated.\n"
		"  --out DIR   results directory (default results/<UTC time>-calibrate)\n"
		"  --reps N    repetitions (default %d)\n"
		"  --quick     tiny datasets (%llu keys): seconds, to see it work, not to judge\n"
		"  --fork-size SIZE  the fork pair's dataset in %llu B keys (default %llu MiB)\n"
		"  --quiet     no progress\n"
		"Prints the results directory, then the paths of calibration.csv and .md.\n",
		DEFAULT_REPS, sizes_quick.fork_keys, sizes_full.fork_value, fork_mib(&sizes_full));
}

/* What a second-stage side takes from the real side's figures on its backing. */
struct derived {
	unsigned long long sink_rate, write_rate, small_pct;
	char sink[128];
};

/* {name} of z (or of dv) as text; 0, or -ENOENT for a name it does not have. */
static int size_value(const struct cal_sizes *z, const struct derived *dv, const char *name,
		      size_t n, char *buf, size_t len)
{
	unsigned long long mib = fork_mib(z);

#define IS(s) (n == strlen(s) && !strncmp(name, s, n))
	if (IS("fork_keys"))
		snprintf(buf, len, "%llu", z->fork_keys);
	else if (IS("fork_value"))
		snprintf(buf, len, "%llu", z->fork_value);
	else if (IS("fork_size"))
		snprintf(buf, len, "%lluM", mib ? mib : 1);
	else if (IS("write_rate"))
		snprintf(buf, len, "%llu", z->write_rate);
	else if (IS("churn_keys"))
		snprintf(buf, len, "%llu", z->churn_keys);
	else if (IS("churn_value"))
		snprintf(buf, len, "%s", z->churn_value);
	else if (IS("drain_pct"))
		snprintf(buf, len, "%llu", z->drain_pct);
	else if (IS("idle"))
		snprintf(buf, len, "%s", z->idle);
	else if (dv && IS("snap_sink_rate"))
		snprintf(buf, len, "%llu", dv->sink_rate);
	else if (dv && IS("snap_write_rate"))
		snprintf(buf, len, "%llu", dv->write_rate);
	else if (dv && IS("snap_small_pct"))
		snprintf(buf, len, "%llu", dv->small_pct);
	else if (dv && IS("snap_sink"))
		snprintf(buf, len, "%s", dv->sink);
	else
		return -ENOENT;
#undef IS
	return 0;
}

/* The parameters with every {name} filled in. 0 or -ENOENT / -ENAMETOOLONG. */
static int expand(const char *tmpl, const struct cal_sizes *z, const struct derived *dv,
		  char *out, size_t len)
{
	size_t o = 0;

	for (const char *s = tmpl; *s;) {
		const char *end = *s == '{' ? strchr(s, '}') : NULL;
		char v[128];

		if (end) {
			if (size_value(z, dv, s + 1, (size_t)(end - s - 1), v, sizeof(v)))
				return -ENOENT;
			s = end + 1;
		} else {
			v[0] = *s++;
			v[1] = 0;
		}
		if (o + strlen(v) >= len)
			return -ENAMETOOLONG;
		memcpy(out + o, v, strlen(v) + 1);
		o += strlen(v);
	}
	return 0;
}

/* Adds one side to m: on every backing (k < 0), or on backing k alone with dv. 0, or an exit
 * code after saying what is wrong. */
static int add_side(struct hb_matrix *m, const struct cal_pair *p, const struct cal_side *s,
		    const char *role, const struct cal_sizes *z, const struct hb_backing *bk,
		    int nb, int k, const struct derived *dv, struct built *b)
{
	char text[1024], err[1024], label[64];
	int slot = k < 0 ? 0 : k;
	void *params;
	int rc;

	b->w = hb_workload_find(s->workload);
	if (!b->w) {
		hb_err("calibrate: workload '%s' is not built into this hugebench (the %s side of "
		       "pair '%s'); `hugebench list` shows those that are", s->workload, role,
		       p->name);
		return HB_EXIT_USAGE;
	}
	if (k < 0 && s->after_real)
		return 0; /* built after the real sides have run */
	if (expand(s->params, z, dv, text, sizeof(text))) {
		hb_err("calibrate: pair '%s': bad parameter template '%s'", p->name, s->params);
		return HB_EXIT_INTERNAL;
	}
	params = calloc(1, b->w->params_size);
	if (!params)
		return HB_EXIT_INTERNAL;
	rc = hb_params_parse(b->w->params, text, params, &b->store[slot], err, sizeof(err));
	if (!rc && b->w->validate)
		rc = b->w->validate(params, err, sizeof(err));
	if (rc) {
		hb_err("calibrate: pair '%s', %s side (%s %s): %s", p->name, role, s->workload,
		       text, err);
		free(params);
		return HB_EXIT_USAGE;
	}
	snprintf(label, sizeof(label), "calibrate-%s-%s", p->name, role);
	b->m = m;
	for (int i = 0; i < nb; i++)
		if (k < 0 || i == k) {
			b->entry[i] = m->n;
			b->built[i] = 1;
		}
	rc = hb_matrix_add(m, b->w, params, k < 0 ? bk : &bk[k], k < 0 ? nb : 1, label);
	free(params);
	if (rc || m->n != b->entry[slot] + 1) {
		hb_err("calibrate: pair '%s', %s side: cannot build its cells (%s)", p->name, role,
		       rc ? strerror(-rc) : "it expands to several parameter sets");
		return HB_EXIT_INTERNAL;
	}
	return 0;
}

/* The median of metric mt on side b, backing k; 0 when that side does not have it. */
static int side_value(const struct built *b, int k, const char *backing,
		      const struct cal_metric *mt, double *v)
{
	const char *params;
	struct hb_stat a, c;

	if (!b->built[k] || !b->d)
		return 0;
	params = b->m->e[b->entry[k]].params_text;
	hb_rundata_stat(b->d, b->w->name, backing, params, mt->num ? mt->num : mt->name, &a);
	if (!a.n)
		return 0;
	*v = a.med;
	if (!mt->den)
		return 1;
	hb_rundata_stat(b->d, b->w->name, backing, params, mt->den, &c);
	if (!c.n || c.med == 0)
		return 0;
	*v = a.med / c.med;
	return 1;
}

static int collect(const struct cal_pair *pairs, const struct built *b,
		   const struct hb_backing *bk, int nb, struct hb_cal *c)
{
	for (size_t i = 0; pairs[i].name; i++) {
		const struct built *real = &b[2 * i], *sim = &b[2 * i + 1];

		for (const struct cal_metric *mt = pairs[i].metrics; mt->name; mt++) {
			int any_both = 0;
			double r, s;

			for (int k = 0; k < nb && mt->both; k++)
				any_both |= side_value(real, k, bk[k].name, mt, &r) &&
					    side_value(sim, k, bk[k].name, mt, &s);
			if (mt->both && !any_both)
				continue;
			for (int k = 0; k < nb; k++) {
				int hr = side_value(real, k, bk[k].name, mt, &r);
				int hs = side_value(sim, k, bk[k].name, mt, &s);

				if (hb_cal_add(c, mt->name, bk[k].name, hr, r, hs, s))
					return -ENOMEM;
			}
		}
	}
	return 0;
}

/* After the runs: the CSV and the report from what the run directories hold. */
static int write_calibration(const char *dir, const struct cal_pair *pairs, struct built *b,
			     struct hb_rundata *d, const struct hb_backing *bk, int nb)
{
	struct hb_cal c = { 0 };
	int rc;

	rc = collect(pairs, b, bk, nb, &c);
	if (!rc)
		rc = hb_cal_write_csv(&c, dir);
	if (rc) {
		hb_err("calibrate: cannot write %s/calibration.csv: %s", dir, strerror(-rc));
		goto out;
	}
	printf("%s/calibration.csv\n", dir);
	rc = hb_cal_report(&c, d);
	if (rc == -EIO)
		hb_err("calibrate: a chart was not drawn (see %s/plots/gnuplot.log)", dir);
	else if (rc)
		hb_err("calibrate: cannot write %s/calibration.md: %s", dir, strerror(-rc));
	else
		printf("%s/calibration.md\n", dir);
out:
	hb_cal_free(&c);
	return rc ? HB_EXIT_INTERNAL : HB_EXIT_OK;
}

/*
 * The second stage: every after_real side, one entry per backing, with what the real side
 * measured there. A backing the real side has no snapshot figures for gets no cell (its row
 * stays empty, never a guess).
 */
static int build_second(struct hb_matrix *m2, const struct cal_pair *pairs, struct built *b,
			const struct cal_sizes *z, const struct hb_backing *bk, int nb,
			const struct hb_rundata *d1)
{
	int rc = 0;

	for (size_t i = 0; pairs[i].name && !rc; i++) {
		const struct built *real = &b[2 * i];

		if (!pairs[i].sim.after_real)
			continue;
		for (int k = 0; k < nb && !rc; k++) {
			const char *params = real->m->e[real->entry[k]].params_text;
			struct hb_stat t, w, cov;
			struct derived dv;

			hb_rundata_stat(d1, real->w->name, bk[k].name, params, "during_snapshot_ms",
					&t);
			hb_rundata_stat(d1, real->w->name, bk[k].name, params,
					"writes_per_sec_snapshot", &w);
			if (!t.n || !w.n || t.med <= 0 || w.med < 1) {
				hb_info("calibrate: pair '%s' on %s: the real side has no snapshot "
					"figures, so no simulated cell", pairs[i].name, bk[k].name);
				continue;
			}
			dv.sink_rate = (unsigned long long)((double)(fork_mib(z) << 20) * 1000 /
							    t.med);
			dv.write_rate = (unsigned long long)(w.med + 0.5);
			/* The part of what Redis's dataset added that is not in huge pages: on a
			 * THP backing most of what its fork adds per GiB is that part's page
			 * tables. Of the dataset only: the empty server's own memory is in both
			 * sides' fork_us_empty already. */
			hb_rundata_stat(d1, real->w->name, bk[k].name, params, "dataset_huge_pct",
					&cov);
			dv.small_pct = cov.n && cov.med > 0 && cov.med < 100 ?
					       (unsigned long long)(100 - cov.med + 0.5) : 0;
			/* a new file beside Redis's own dump: created, unlinked at once, written
			 * through its descriptor (forkcow's sink) */
			snprintf(dv.sink, sizeof(dv.sink), "/tmp/hugebench-calibrate-%d-%d.sink",
				 (int)getpid(), k);
			rc = add_side(m2, &pairs[i], &pairs[i].sim, "simulated", z, bk, nb, k, &dv,
				      &b[2 * i + 1]);
		}
	}
	return rc;
}

static const struct cal_pair *pairs_from_env(void)
{
	const char *e = getenv("HB_CALIBRATE_PAIRS");

	if (!e || !*e)
		return real_pairs;
	if (!strcmp(e, "test"))
		return test_pairs;
	hb_err("calibrate: HB_CALIBRATE_PAIRS='%s'; accepted: test (stand-in pairs for the "
	       "tests), or unset", e);
	return NULL;
}

int hb_cmd_calibrate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "reps", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'k' },
		{ "fork-size", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct cal_pair *pairs = pairs_from_env();
	static struct cal_sizes sized;
	const struct cal_sizes *z = &sizes_full;
	uint64_t fork_bytes = 0;
	struct hb_backing bk[HB_MAX_BACKINGS];
	static struct built b[MAX_SIDES];
	static struct hb_rundata d1, d2;
	char dir[PATH_MAX], dir2[PATH_MAX + 16], stamp[32], err[PATH_MAX + 256];
	struct hb_matrix m, m2;
	int loaded1 = 0, loaded2 = 0;
	int c, nb, rc = HB_EXIT_USAGE, run_rc;
	size_t np = 0;
	time_t now = time(NULL);
	struct tm tm;
	uint64_t u;

	if (!pairs)
		return HB_EXIT_USAGE;
	hb_matrix_init(&m);
	hb_matrix_init(&m2);
	m.reps = DEFAULT_REPS;
	m.command_kind = "calibrate";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:r:kf:qh", longopts, NULL)) != -1) {
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
			z = &sizes_quick;
			break;
		case 'f':
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
		case 'h':
			usage(stdout);
			return HB_EXIT_OK;
		default:
			usage(stderr);
			return HB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		hb_err("calibrate: unexpected argument '%s'", argv[optind]);
		return HB_EXIT_USAGE;
	}
	sized = *z; /* --fork-size: the fork pair's dataset, in keys of the same value size */
	sized.fork_keys = fork_bytes ? fork_bytes / sized.fork_value : sized.fork_keys;
	z = &sized;
	nb = hb_parse_backing_list(CAL_BACKINGS, bk, HB_MAX_BACKINGS);
	if (nb < 0)
		return HB_EXIT_INTERNAL;
	for (np = 0; pairs[np].name; np++) {
		if (2 * np + 2 > MAX_SIDES) {
			rc = HB_EXIT_INTERNAL;
			goto out;
		}
		rc = add_side(&m, &pairs[np], &pairs[np].real, "real", z, bk, nb, -1, NULL,
			      &b[2 * np]);
		if (!rc)
			rc = add_side(&m, &pairs[np], &pairs[np].sim, "simulated", z, bk, nb, -1,
				      NULL, &b[2 * np + 1]);
		if (rc) {
			np++;
			goto out;
		}
	}
	if (!m.out) {
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
		snprintf(dir, sizeof(dir), "results/%s-calibrate", stamp);
		m.out = dir;
	}
	rc = HB_EXIT_USAGE;
	if (hb_matrix_check_fit(&m))
		goto out;
	run_rc = hb_matrix_run(&m, argc, argv);
	/* Nothing was run (the directory could not be made): no calibration either. */
	if (run_rc == HB_EXIT_USAGE || run_rc == HB_EXIT_INTERNAL) {
		rc = run_rc;
		goto out;
	}
	if (hb_rundata_load(m.out, &d1, err, sizeof(err))) {
		hb_err("calibrate: %s", err);
		rc = HB_EXIT_INTERNAL;
		goto out;
	}
	loaded1 = 1;
	for (size_t i = 0; i < 2 * np; i++)
		b[i].d = &d1;
	/* The second stage (sides that take the real side's snapshot figures), into
	 * DIR/simulated, unless the first was interrupted. */
	hb_matrix_init(&m2);
	m2.reps = m.reps;
	m2.command_kind = "calibrate";
	snprintf(dir2, sizeof(dir2), "%s/simulated", m.out);
	m2.out = dir2;
	if (run_rc != HB_EXIT_INTERRUPTED) {
		rc = build_second(&m2, pairs, b, z, bk, nb, &d1);
		if (rc)
			goto out;
	}
	if (m2.n) {
		int rc2;

		if (hb_matrix_check_fit(&m2)) {
			rc = HB_EXIT_USAGE;
			goto out;
		}
		rc2 = hb_matrix_run(&m2, argc, argv);
		if (rc2 != HB_EXIT_OK && run_rc == HB_EXIT_OK)
			run_rc = rc2;
		if (rc2 != HB_EXIT_USAGE && rc2 != HB_EXIT_INTERNAL &&
		    !hb_rundata_load(dir2, &d2, err, sizeof(err))) {
			loaded2 = 1;
			for (size_t i = 0; pairs[i].name; i++)
				if (pairs[i].sim.after_real)
					b[2 * i + 1].d = &d2;
		}
	}
	for (size_t i = 0; pairs[i].name; i++)
		if (pairs[i].sim.after_real && !loaded2)
			b[2 * i + 1].d = NULL; /* its cells did not run: empty, not the real's */
	/* Also after a failed or interrupted cell: the figures that are there, the rest empty. */
	rc = write_calibration(m.out, pairs, b, &d1, bk, nb);
	if (rc == HB_EXIT_OK)
		rc = run_rc;
out:
	for (size_t i = 0; i < 2 * np && i < MAX_SIDES; i++)
		for (int k = 0; k < HB_MAX_BACKINGS; k++)
			free(b[i].store[k]);
	if (loaded1)
		hb_rundata_free(&d1);
	if (loaded2)
		hb_rundata_free(&d2);
	hb_matrix_free(&m);
	hb_matrix_free(&m2);
	return rc;
}
