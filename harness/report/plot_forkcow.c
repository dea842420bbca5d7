/*
 * Charts of the forkcow workload: fork time per GiB and CoW amplification per backing (bars,
 * log y), and write-latency percentile curves before, during and after the snapshot.
 */
#include <stdio.h>
#include <string.h>

#include "plot.h"

static const char *const phases[] = { "baseline", "snapshot", "after" };
static const struct {
	const char *name;
	double nines; /* -log10(1 - p): where the percentile sits on the x axis */
} pcts[] = {
	{ "p50", 0.30103 }, { "p90", 1 }, { "p99", 2 }, { "p999", 3 }, { "p9999", 4 },
	{ "max", 5 },
};

static void bars(struct hb_plot *p, const char *const *sets, const char *const *labels, size_t n)
{
	hb_plot_bars(p, "forkcow", "forkcow_fork", "fork_ms_per_gib",
		     "forkcow: fork() time per GiB of dataset", "ms per GiB (log scale)", 1, sets,
		     labels, n, "The fork() call in the parent, mostly copying page tables; "
		     "lower is better.");
	hb_plot_bars(p, "forkcow", "forkcow_copied", "copied_kib_per_dirtied_page",
		     "forkcow: memory copied per page the parent dirtied during the snapshot",
		     "KiB copied per dirtied 4 KiB page (log scale)", 1, sets, labels, n,
		     "Copy-on-write amplification: 4 means only the 4 KiB page was copied, 2048 a "
		     "whole 2 MiB page.");
}

/* One chart per parameter set: a curve per backing and phase. */
static void percentiles(struct hb_plot *p, const char *set, const char *label, int idx)
{
	const char *bk[HB_MAX_LIST];
	size_t nb = hb_rundata_backings(p->d, "forkcow", bk, HB_MAX_LIST);
	char file[80], name[64], vars[8192], arr[6144], t[300], q[620];
	size_t off = 0;
	int curves = 0;
	FILE *f;

	snprintf(name, sizeof(name), "forkcow_latency_%d", idx);
	snprintf(file, sizeof(file), "%s.dat", name);
	f = hb_plot_data(p, file);
	if (!f)
		return;
	arr[0] = 0;
	for (size_t b = 0; b < nb && b < 8; b++)
		for (int ph = 0; ph < 3; ph++) {
			int points = 0;

			for (size_t k = 0; k < sizeof(pcts) / sizeof(pcts[0]); k++) {
				char metric[64];
				struct hb_stat st;

				snprintf(metric, sizeof(metric), "write_%s_us_%s", pcts[k].name,
					 phases[ph]);
				hb_rundata_stat(p->d, "forkcow", bk[b], set, metric, &st);
				if (!st.n || st.med <= 0)
					continue;
				fprintf(f, "%g\t%.6g\n", pcts[k].nines, st.med);
				points++;
			}
			if (!points)
				continue;
			fprintf(f, "\n\n");
			curves++;
			off += (size_t)snprintf(arr + off, sizeof(arr) - off,
						"names[%d] = '%s, %s'\nstyles[%d] = %zu\n"
						"dashes[%d] = %d\n", curves, bk[b], phases[ph],
						curves, b + 1, curves, ph == 0 ? 3 : ph == 1 ? 1 : 2);
		}
	fclose(f);
	if (!curves)
		return;
	snprintf(t, sizeof(t), "forkcow: parent write latency before / during / after the "
		 "snapshot%s%s%s", strcmp(label, "all") ? " (" : "", strcmp(label, "all") ? label : "",
		 strcmp(label, "all") ? ")" : "");
	hb_gp_str(t, q, sizeof(q));
	snprintf(vars, sizeof(vars),
		 "array names[%d]\narray styles[%d]\narray dashes[%d]\n%sdatafile = '%s'\n"
		 "ncurves = %d\nwhat = %s\nylabel = 'write latency (us, median over reps, log "
		 "scale)'", curves, curves, curves, arr, file, curves, q);
	hb_plot_chart(p, "forkcow", name, "percentiles.gp", vars, 1000, 600,
		      "Every write of the parent timed (histogram); colour: backing, dash: phase "
		      "(dotted baseline, solid during the snapshot, dashed after).");
}

void hb_plot_forkcow(struct hb_plot *p)
{
	const char *sets[HB_MAX_LIST], *labels[HB_MAX_LIST];
	static char lab[HB_MAX_LIST][128];
	size_t n;

	if (!hb_rundata_has(p->d, "forkcow"))
		return;
	n = hb_rundata_params(p->d, "forkcow", sets, HB_MAX_LIST);
	for (size_t i = 0; i < n; i++) {
		hb_params_label(sets, n, i, lab[i], sizeof(lab[i]));
		labels[i] = lab[i];
	}
	bars(p, sets, labels, n);
	for (size_t i = 0; i < n && i < 8; i++)
		percentiles(p, sets[i], labels[i], (int)i + 1);
}
