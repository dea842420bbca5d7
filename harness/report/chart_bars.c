/* Grouped bars: one group per parameter set, one bar per backing, median with min-max error
 * bars over repetitions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "chart.h"
#include "sets.h"

int hb_chart_bars(struct hb_plot *p, const struct hb_workload *w, const struct hb_chart_def *c)
{
	const char *params[HB_MAX_LIST], *workload = w->name, *metric = c->metric;
	size_t nparams = hb_run_sets(p->d, w, c->sets, params, HB_MAX_LIST);
	static char labels[HB_MAX_LIST][200];
	int logy = c->logy;
	const char *bk[HB_MAX_LIST];
	size_t nb = hb_rundata_backings(p->d, workload, bk, HB_MAX_LIST), any = 0;
	double lowest = 0, highest = 0;
	char file[128], vars[2048], t[256], y[256];
	struct hb_stat st;
	FILE *f;

	if (!nparams)
		return 0;
	for (size_t i = 0; i < nparams; i++)
		hb_run_label(w, params, nparams, i, labels[i], sizeof(labels[i]));
	snprintf(file, sizeof(file), "%s.dat", c->name);
	f = hb_plot_data(p, file);
	if (!f)
		return -EIO;
	/* Only backings with this figure: a skipped backing is no empty series. */
	for (size_t b = 0, k = 0; b < nb; b++) {
		int has = 0;

		for (size_t i = 0; i < nparams && !has; i++) {
			hb_rundata_stat(p->d, workload, bk[b], params[i], metric, &st);
			has = st.n > 0;
		}
		if (has)
			bk[k++] = bk[b];
		if (b == nb - 1)
			nb = k;
	}
	fprintf(f, "set");
	for (size_t b = 0; b < nb; b++)
		fprintf(f, "\t%s\tmin\tmax", bk[b]);
	fprintf(f, "\n");
	for (size_t i = 0; i < nparams; i++) {
		int row = 0;

		for (size_t b = 0; b < nb; b++) {
			hb_rundata_stat(p->d, workload, bk[b], params[i], metric, &st);
			row |= st.n > 0;
		}
		if (!row)
			continue; /* a set without this figure: no empty group */
		/* Long labels would run off the chart; the report's table has them whole. */
		fprintf(f, "%.30s%s", labels[i], strlen(labels[i]) > 30 ? "..." : "");
		for (size_t b = 0; b < nb; b++) {
			hb_rundata_stat(p->d, workload, bk[b], params[i], metric, &st);
			if (st.n && (!logy || st.min > 0)) {
				fprintf(f, "\t%.6g\t%.6g\t%.6g", st.med, st.min, st.max);
				if (!any++ || st.min < lowest)
					lowest = st.min;
				if (st.max > highest)
					highest = st.max;
			} else {
				fprintf(f, "\t?\t?\t?");
			}
		}
		fprintf(f, "\n");
	}
	fclose(f);
	if (!any)
		return 0; /* nothing measured: no chart rather than an empty one */
	hb_gp_str(c->title, t, sizeof(t));
	hb_gp_str(c->ylabel, y, sizeof(y));
	snprintf(vars, sizeof(vars), "datafile = '%s'\nnseries = %zu\nwhat = %s\nylabel = %s\n"
		 "logy = %d\nngroups = %zu\nymin = %g\nyfmt = '%s'", file, nb, t, y, logy, nparams,
		 lowest / 3, /* on a log axis a bar at the axis floor would vanish */
		 highest >= 1e5 ? "%.1s%c" : "%g"); /* 2.5M, not 2.5e+06 */
	return hb_plot_chart(p, workload, c->name, "bars.gp", vars, 900, 560, c->caption);
}

