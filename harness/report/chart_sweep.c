/*
 * A sweep: one line per backing of a figure against a size parameter (log x), with the caches
 * and the cpuid dTLB reach of meta.json marked, so a knee can be read against both.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "sets.h"
#include "units.h"

struct point {
	const char *set;
	double x;
};

static int cmp_x(const void *a, const void *b)
{
	double x = ((const struct point *)a)->x, y = ((const struct point *)b)->x;

	return (x > y) - (x < y);
}

/* A vertical line at x with a label; TLB marks red, cache marks grey. */
static void mark(FILE *f, double x, const char *label, int tlb, double lo, double hi)
{
	char size[32];

	if (x <= 0 || x < lo / 1.5 || x > hi * 1.5)
		return;
	hb_format_size((uint64_t)x, size, sizeof(size));
	fprintf(f, "set arrow from %g, graph 0 to %g, graph 1 nohead lc rgb '%s' dt %d lw 1.2\n",
		x, x, tlb ? "#cc3311" : "#888888", tlb ? 2 : 3);
	fprintf(f, "set label '%s %s' at %g, graph %.2f rotate by 90 right font 'Sans,8' "
		   "tc rgb '%s' offset -1.1, 0\n", label, size, x, 0.98,
		tlb ? "#cc3311" : "#666666");
}

static int marks(struct hb_plot *p, const char *file, double lo, double hi)
{
	const struct hb_machine_record *m = &p->d->rec;
	FILE *f = hb_plot_data(p, file);
	double x;

	if (!f)
		return -EIO;
	for (size_t i = 0; i < m->topology.ncaches; i++) {
		const struct hb_record_cache *c = &m->topology.caches[i];
		char label[32];

		if (c->type && !strcmp(c->type, "instruction"))
			continue;
		snprintf(label, sizeof(label), "L%d%s", c->level, c->level == 1 ? "d" : "");
		mark(f, (double)c->size_bytes, label, 0, lo, hi);
	}
	x = (double)m->cpu.tlb.l1d_4k * 4096;
	mark(f, x, "L1 dTLB reach 4K pages:", 1, lo, hi);
	mark(f, (double)m->cpu.tlb.reach_4k_bytes, "dTLB reach 4K pages:", 1, lo, hi);
	x = (double)m->cpu.tlb.l1d_2m * 2097152;
	mark(f, x, "L1 dTLB reach 2M pages:", 1, lo, hi);
	mark(f, (double)m->cpu.tlb.reach_2m_bytes, "dTLB reach 2M pages:", 1, lo, hi);
	/* Tics at powers of 4 with size suffixes: 2^n bytes in digits is unreadable. */
	fprintf(f, "set xtics (");
	for (double t = 1024, first = 1; t <= hi * 2; t *= 4) {
		char s[32];

		if (t < lo / 2)
			continue;
		hb_format_size((uint64_t)t, s, sizeof(s));
		fprintf(f, "%s'%s' %.0f", first ? "" : ", ", s, t);
		first = 0;
	}
	fprintf(f, ")\nset xrange [%g:%g]\n", lo / 1.3, hi * 1.3);
	return fclose(f) ? -EIO : 0;
}

int hb_chart_sweep(struct hb_plot *p, const struct hb_workload *w, const struct hb_chart_def *c)
{
	const char *sets[HB_MAX_LIST], *bk[HB_MAX_LIST];
	size_t ns = hb_run_sets(p->d, w, c->sets, sets, HB_MAX_LIST), np = 0;
	size_t nb = hb_rundata_backings(p->d, w->name, bk, HB_MAX_LIST), off = 0, lines = 0;
	char vars[4096], all[6000], file[128], mfile[128], t[300], y[300], x[300];
	static struct point pt[HB_MAX_LIST];
	FILE *f;

	for (size_t i = 0; i < ns; i++)
		if (!hb_set_num(w->params, w->params_size, sets[i], c->x_param, &pt[np].x) &&
		    pt[np].x > 0)
			pt[np++].set = sets[i];
	if (np < 3)
		return 0; /* two points are no curve */
	qsort(pt, np, sizeof(*pt), cmp_x);
	snprintf(file, sizeof(file), "%s.dat", c->name);
	snprintf(mfile, sizeof(mfile), "%s_marks.gp", c->name);
	f = hb_plot_data(p, file);
	if (!f)
		return -EIO;
	for (size_t b = 0; b < nb; b++) {
		struct hb_stat st;
		int any = 0;

		for (size_t j = 0; j < np; j++) {
			hb_rundata_stat(p->d, w->name, bk[b], pt[j].set, c->metric, &st);
			if (!st.n)
				continue;
			fprintf(f, "%.0f\t%.6g\t%.6g\t%.6g\n", pt[j].x, st.med, st.min, st.max);
			any = 1;
		}
		if (!any)
			continue;
		fprintf(f, "\n\n");
		off += (size_t)snprintf(vars + off, sizeof(vars) - off, "names[%zu] = '%s'\n",
					++lines, bk[b]);
	}
	fclose(f);
	if (!lines || marks(p, mfile, pt[0].x, pt[np - 1].x))
		return 0;
	hb_gp_str(c->title, t, sizeof(t));
	hb_gp_str(c->ylabel, y, sizeof(y));
	hb_gp_str(c->xlabel ? c->xlabel : "working set (bytes, log scale)", x, sizeof(x));
	/* gnuplot needs the array declared before its elements are set. */
	snprintf(all, sizeof(all), "array names[%zu]\n%sdatafile = '%s'\nnseries = %zu\n"
		 "marks = '%s'\nwhat = %s\nylabel = %s\nxlabel = %s", lines, vars, file, lines,
		 mfile, t, y, x);
	return hb_plot_chart(p, w->name, c->name, "sweep.gp", all, 1000, 600, c->caption);
}
