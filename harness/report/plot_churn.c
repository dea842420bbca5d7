/*
 * Charts of the churn workload: memory over time through fill/churn/drain/idle/refill (one
 * panel per backing x allocator, from the first repetition's series), and throughput and p99
 * per backing x allocator (bars).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "plot.h"

#define MAX_PANELS 16

static const struct {
	const char *phase;
	const char *colour;
} shades[] = {
	{ "fill", "#dbe9f6" }, { "churn", "#fbe3d6" }, { "drain", "#f6f0c8" },
	{ "idle", "#e4f1dc" }, { "refill", "#e8def0" },
};

static const char *shade(const char *phase)
{
	for (size_t i = 0; i < sizeof(shades) / sizeof(shades[0]); i++)
		if (!strcmp(shades[i].phase, phase))
			return shades[i].colour;
	return "#eeeeee";
}

static int column(const struct hb_csv_row *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->f[i], name))
			return (int)i;
	return -1;
}

static const char *field(const struct hb_csv_row *r, int c)
{
	return c >= 0 && (size_t)c < r->n && *r->f[c] ? r->f[c] : NULL;
}

/* KiB (or bytes, div 1048576) as MiB, or "?" for a missing sample. */
static void mib(FILE *f, const char *v, double div)
{
	if (v)
		fprintf(f, "\t%.2f", strtod(v, NULL) / div);
	else
		fprintf(f, "\t?");
}

static void phase_rect(FILE *f, int obj, const char *phase, double t0, double t1)
{
	fprintf(f, "set object %d rect from first %g, graph 0 to first %g, graph 1 fc rgb '%s' "
		   "fs solid 1.0 noborder behind\n", obj, t0, t1, shade(phase));
	fprintf(f, "set label %d '%s' at first %g, graph 0.04 center font 'Sans,8' "
		   "tc rgb '#555555'\n", obj, phase, (t0 + t1) / 2);
}

/* One panel's data and shading from series/<id>.csv. 0, or -1 when there is no series. */
static int panel(struct hb_plot *p, const char *id, int n)
{
	char path[PATH_MAX + 220], name[64];
	int ct, cph, crss, ccg, chuge, clive, obj = 0;
	const char *prev = NULL;
	double start = 0, last = 0;
	struct hb_csv csv;
	FILE *d, *s;

	snprintf(path, sizeof(path), "%s/series/%s.csv", p->d->dir, id);
	if (hb_csv_read(path, &csv, NULL) || csv.n < 2)
		goto none;
	ct = column(&csv.rows[0], "t_s");
	cph = column(&csv.rows[0], "phase");
	crss = column(&csv.rows[0], "rss_kib");
	ccg = column(&csv.rows[0], "charged_kib");
	chuge = column(&csv.rows[0], "anon_huge_kib");
	clive = column(&csv.rows[0], "live_bytes");
	if (ct < 0 || crss < 0)
		goto none;
	snprintf(name, sizeof(name), "churn_mem_%d.dat", n);
	d = hb_plot_data(p, name);
	snprintf(name, sizeof(name), "churn_mem_%d_phases.gp", n);
	s = hb_plot_data(p, name);
	if (!d || !s) {
		if (d)
			fclose(d);
		if (s)
			fclose(s);
		hb_csv_free(&csv);
		return -1;
	}
	for (size_t i = 1; i < csv.n; i++) {
		const struct hb_csv_row *r = &csv.rows[i];
		const char *ph = field(r, cph);
		double t = field(r, ct) ? strtod(r->f[ct], NULL) : last;

		fprintf(d, "%.3f", t);
		mib(d, field(r, clive), 1048576);
		mib(d, field(r, crss), 1024);
		mib(d, field(r, ccg), 1024);
		mib(d, field(r, chuge), 1024);
		fprintf(d, "\n");
		if (!ph)
			ph = "";
		if (!prev || strcmp(prev, ph)) {
			if (prev && *prev)
				phase_rect(s, ++obj, prev, start, t);
			prev = ph;
			start = t;
		}
		last = t;
	}
	if (prev && *prev)
		phase_rect(s, ++obj, prev, start, last);
	fclose(d);
	fclose(s);
	hb_csv_free(&csv);
	return 0;
none:
	hb_csv_free(&csv);
	return -1;
}

static void label_of(const char *params, const char *const *sets, size_t nsets, size_t i,
		     char *buf, size_t len)
{
	char alloc[64], conf[128];

	if (hb_param_get(params, "allocator", alloc, sizeof(alloc))) {
		hb_params_label(sets, nsets, i, buf, len);
		return;
	}
	hb_param_get(params, "allocator_conf", conf, sizeof(conf));
	snprintf(buf, len, "%.60s%s%.90s", alloc, conf[0] ? " " : "", conf);
}

static void memory_chart(struct hb_plot *p, const char *const *sets, size_t nsets)
{
	json_t *entries = json_object_get(p->d->meta, "entries"), *e, *b;
	char vars[8192], arr[7000], id[200], lab[160], t[200], q[420];
	size_t i, j, off = 0;
	int n = 0;

	json_array_foreach(entries, i, e) {
		const char *w = json_string_value(json_object_get(e, "workload"));
		const char *params = json_string_value(json_object_get(e, "params"));
		size_t k;

		if (!w || strcmp(w, "churn") || !params)
			continue;
		for (k = 0; k < nsets && strcmp(sets[k], params); k++)
			;
		label_of(params, sets, nsets, k < nsets ? k : 0, lab, sizeof(lab));
		json_array_foreach(json_object_get(e, "backings"), j, b) {
			const char *bk = json_string_value(b);

			if (!bk || n == MAX_PANELS)
				continue;
			snprintf(id, sizeof(id), "churn-%s-%zu-r1", bk, i + 1);
			if (panel(p, id, n + 1))
				continue;
			n++;
			snprintf(t, sizeof(t), "%s, %s", bk, lab);
			hb_gp_str(t, q, sizeof(q));
			off += (size_t)snprintf(arr + off, sizeof(arr) - off,
						"panel_data[%d] = 'churn_mem_%d.dat'\n"
						"panel_phases[%d] = 'churn_mem_%d_phases.gp'\n"
						"panel_title[%d] = %s\n", n, n, n, n, n, q);
		}
	}
	if (!n)
		return;
	{
		int cols = n < 2 ? 1 : n <= 4 ? 2 : 3, rows = (n + cols - 1) / cols;

		snprintf(vars, sizeof(vars),
			 "array panel_data[%d]\narray panel_phases[%d]\narray panel_title[%d]\n%s"
			 "npanels = %d\nrows = %d\ncols = %d\n"
			 "what = 'churn: memory through fill / churn / drain / idle / refill'",
			 n, n, n, arr, n, rows, cols);
		hb_plot_chart(p, "churn", "churn_memory", "churn.gp", vars, 560 * cols,
			      60 + 340 * rows,
			      "First repetition of each cell, sampled every series interval. A "
			      "charged line far above Rss after the drain is memory the process "
			      "gave back but the machine did not get (huge pages parked on the "
			      "deferred-split queue).");
	}
}

void hb_plot_churn(struct hb_plot *p)
{
	const char *sets[HB_MAX_LIST], *labels[HB_MAX_LIST];
	static char lab[HB_MAX_LIST][160];
	size_t n;

	if (!hb_rundata_has(p->d, "churn"))
		return;
	n = hb_rundata_params(p->d, "churn", sets, HB_MAX_LIST);
	for (size_t i = 0; i < n; i++) {
		label_of(sets[i], sets, n, i, lab[i], sizeof(lab[i]));
		labels[i] = lab[i];
	}
	memory_chart(p, sets, n);
	hb_plot_bars(p, "churn", "churn_ops", "ops_per_sec_churn",
		     "churn: operations per second in the churn phase",
		     "ops/s (median, min-max over reps)", 0, sets, labels, n,
		     "Throughput of the store under each allocator and backing; higher is "
		     "better.");
	hb_plot_bars(p, "churn", "churn_p99", "op_p99_us", "churn: p99 operation latency",
		     "p99 latency (us)", 0, sets, labels, n,
		     "99th percentile of one operation in the churn phase; lower is better.");
}
