/*
 * calibrate's figures: each side's median per metric and backing, and the paired ratio,
 * simulated / real within each repetition (the matrix ran the two sides beside each other),
 * into DIR/calibration.csv and the report (harness/report/calibration.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "calibrate_sides.h"
#include "calibration.h"
#include "log.h"
#include "stats.h"

#define CAL_MAX_REPS 1000 /* --reps' bound */

/* The median of metric mt on side b, backing k; 0 when that side does not have it. */
static int side_value(const struct built *b, int k, const char *backing,
		      const struct hb_twin_metric *mt, double *v)
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

/* Metric mt on side b, backing k, in repetition rep: 1 and *v, or 0 when it lacks it. */
static int rep_value(const struct built *b, int k, const char *backing,
		     const struct hb_twin_metric *mt, int rep, double *v)
{
	const char *params, *name[2] = { mt->num ? mt->num : mt->name, mt->den };
	double x[2] = { 0, 1 };
	int have[2] = { 0, !mt->den };

	if (!b->built[k] || !b->d)
		return 0;
	params = b->m->e[b->entry[k]].params_text;
	for (size_t i = 0; i < b->d->n; i++) {
		const struct hb_row *r = &b->d->rows[i];

		for (int j = 0; j < 2; j++)
			if (name[j] && r->num && r->rep == rep && !strcmp(r->metric, name[j]) &&
			    !strcmp(r->workload, b->w->name) && !strcmp(r->backing, backing) &&
			    !strcmp(r->params, params)) {
				x[j] = r->v;
				have[j] = 1;
			}
	}
	if (!have[0] || !have[1] || x[1] == 0)
		return 0;
	*v = x[0] / x[1];
	return 1;
}

/* The paired ratio of the last row of c: simulated / real within each repetition both sides
 * have (they ran side by side), its median and range. None when a repetition lacks a side. */
static void pair_ratio(struct hb_cal *c, const struct built *real, const struct built *sim,
		       int k, const char *backing, const struct hb_twin_metric *mt, int reps)
{
	double q[CAL_MAX_REPS];
	struct hb_stats st;
	int n = 0;

	for (int rep = 1; rep <= reps && rep <= CAL_MAX_REPS; rep++) {
		double r, s;

		if (!rep_value(real, k, backing, mt, rep, &r) ||
		    !rep_value(sim, k, backing, mt, rep, &s))
			return;
		if (r == 0)
			return;
		q[n++] = s / r;
	}
	if (n && !hb_stats_of(q, (size_t)n, &st))
		hb_cal_set_pairs(c, n, st.med, st.min, st.max);
}

static int collect(const struct cal_pair *pairs, size_t np, const struct built *b,
		   const struct hb_backing *bk, int nb, int reps, struct hb_cal *c)
{
	for (size_t i = 0; i < np; i++) {
		const struct built *real = &b[2 * i], *sim = &b[2 * i + 1];

		for (const struct hb_twin_metric *mt = pairs[i].t->metrics; mt->name; mt++) {
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
				if (hr && hs)
					pair_ratio(c, real, sim, k, bk[k].name, mt, reps);
			}
		}
	}
	return 0;
}

/* After the runs: the CSV and the report from what the run directories hold. */
int hb_calibrate_write(const char *dir, const struct cal_pair *pairs, size_t np,
		       struct built *b, struct hb_rundata *d, const struct hb_backing *bk, int nb,
		       int reps)
{
	struct hb_cal c = { 0 };
	int rc;

	rc = collect(pairs, np, b, bk, nb, reps, &c);
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
