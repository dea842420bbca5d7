/*
 * Percentile curves: one chart per parameter set, a curve per backing and phase, from the
 * metrics <prefix>_<pct>_us_<phase> a workload's histograms give. x is the "nines" of the
 * percentile, so the tail gets as much room as the median.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "histogram.h"
#include "sets.h"

#define MAX_SETS 8 /* charts per workload: more would bury the report */
#define MAX_BACKINGS 8

/* Where a percentile of the histograms' list (histogram.h) sits on the x axis: its "nines",
 * -log10(1 - p); the max one step past p99.99. */
static double nines(const struct hb_hist_pct *q)
{
	return q->p >= 100 ? 5 : -log10(1 - q->p / 100);
}

/* Dash per phase, in the order declared: dotted before, solid during, dashed after. */
static const int dashes[] = { 3, 1, 2, 4, 5, 6 };

static int one(struct hb_plot *p, const struct hb_workload *w, const struct hb_chart_def *c,
	       const char *set, const char *label, int idx)
{
	const char *bk[HB_MAX_LIST];
	size_t nb = hb_rundata_backings(p->d, w->name, bk, HB_MAX_LIST);
	char file[160], name[128], vars[8192], arr[6144], t[400], q[820], y[300], x[300];
	size_t off = 0;
	int curves = 0;
	FILE *f;

	snprintf(name, sizeof(name), "%s_%d", c->name, idx);
	snprintf(file, sizeof(file), "%s.dat", name);
	f = hb_plot_data(p, file);
	if (!f)
		return -EIO;
	arr[0] = 0;
	for (size_t b = 0; b < nb && b < MAX_BACKINGS; b++)
		for (int ph = 0; c->phases[ph] && ph < (int)(sizeof(dashes) / sizeof(*dashes));
		     ph++) {
			int points = 0;

			for (size_t k = 0; k < HB_HIST_NPCTS; k++) {
				char metric[128];
				struct hb_stat st;

				snprintf(metric, sizeof(metric), "%s_%s_us_%s", c->metric,
					 hb_hist_pcts[k].name, c->phases[ph]);
				hb_rundata_stat(p->d, w->name, bk[b], set, metric, &st);
				if (!st.n || st.med <= 0)
					continue;
				fprintf(f, "%g\t%.6g\n", nines(&hb_hist_pcts[k]), st.med);
				points++;
			}
			if (!points)
				continue;
			fprintf(f, "\n\n");
			curves++;
			off += (size_t)snprintf(arr + off, sizeof(arr) - off,
						"names[%d] = '%s, %s'\nstyles[%d] = %zu\n"
						"dashes[%d] = %d\n", curves, bk[b], c->phases[ph],
						curves, b + 1, curves, dashes[ph]);
		}
	fclose(f);
	if (!curves)
		return 0;
	snprintf(t, sizeof(t), "%s%s%s%s", c->title, strcmp(label, "all") ? " (" : "",
		 strcmp(label, "all") ? label : "", strcmp(label, "all") ? ")" : "");
	hb_gp_str(t, q, sizeof(q));
	hb_gp_str(c->ylabel, y, sizeof(y));
	hb_gp_str(c->xlabel ? c->xlabel : "percentile", x, sizeof(x));
	snprintf(vars, sizeof(vars),
		 "array names[%d]\narray styles[%d]\narray dashes[%d]\n%sdatafile = '%s'\n"
		 "ncurves = %d\nwhat = %s\nylabel = %s\nxlabel = %s", curves, curves, curves, arr,
		 file, curves, q, y, x);
	return hb_plot_chart(p, w->name, name, "percentiles.gp", vars, 1000, 600, c->caption);
}

int hb_chart_percentiles(struct hb_plot *p, const struct hb_workload *w,
			 const struct hb_chart_def *c)
{
	const char *sets[HB_MAX_LIST];
	size_t n = hb_run_sets(p->d, w, c->sets, sets, HB_MAX_LIST);
	char label[200];
	int rc = 0;

	if (!c->phases)
		return -EINVAL;
	for (size_t i = 0; i < n && i < MAX_SETS; i++) {
		hb_run_label(w, sets, n, i, label, sizeof(label));
		rc |= one(p, w, c, sets[i], label, (int)i + 1);
	}
	return rc ? -EIO : 0;
}
