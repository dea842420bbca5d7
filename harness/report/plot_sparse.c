/*
 * Charts of the sparse workload: the TLB-reach sweep (latency against working set, caches and
 * TLB reach marked) and the sparse/dense heap bars (ns per access, bloat ratio).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "units.h"

/* A dense heap: a node in every slot (spacing absent or not above node_size). */
static int is_dense(const char *params)
{
	double spacing = hb_param_size(params, "spacing");
	double node = hb_param_size(params, "node_size");

	return !spacing || spacing <= (node ? node : 64);
}

/* The parameters apart from the working set: sets with the same key are one sweep. */
static void sweep_key(const char *params, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (const char *s = params; *s && off < len;) {
		size_t n = strcspn(s, ";");

		if (strncmp(s, "span=", 5) && strncmp(s, "sweep=", 6))
			off += (size_t)snprintf(buf + off, len - off, "%.*s;", (int)n, s);
		s += n + (s[n] == ';');
	}
}

/* The sets of the largest sweep (dense, random order, 3 or more working sets); 0 if none. */
static size_t sweep_sets(const struct hb_rundata *d, const char **out, size_t max)
{
	const char *sets[HB_MAX_LIST];
	size_t n = hb_rundata_params(d, "sparse", sets, HB_MAX_LIST), best = 0;
	char key[1024], other[1024], order[32];

	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		hb_param_get(sets[i], "order", order, sizeof(order));
		if (!is_dense(sets[i]) || (order[0] && strcmp(order, "random")) ||
		    !hb_param_size(sets[i], "span"))
			continue;
		sweep_key(sets[i], key, sizeof(key));
		for (size_t j = 0; j < n; j++) {
			sweep_key(sets[j], other, sizeof(other));
			/* Rows of the whole sweep (e.g. a knee) have no span: not a point. */
			if (!strcmp(key, other) && hb_param_size(sets[j], "span") && k < max)
				out[k++] = sets[j];
		}
		if (k > best) {
			best = k;
			if (best >= max)
				break;
		}
	}
	if (best < 3)
		return 0;
	/* Again for the winning key, since out was overwritten by later tries. */
	for (size_t i = 0, k; i < n; i++) {
		k = 0;
		hb_param_get(sets[i], "order", order, sizeof(order));
		if (!is_dense(sets[i]) || (order[0] && strcmp(order, "random")) ||
		    !hb_param_size(sets[i], "span"))
			continue;
		sweep_key(sets[i], key, sizeof(key));
		for (size_t j = 0; j < n; j++) {
			sweep_key(sets[j], other, sizeof(other));
			/* Rows of the whole sweep (e.g. a knee) have no span: not a point. */
			if (!strcmp(key, other) && hb_param_size(sets[j], "span") && k < max)
				out[k++] = sets[j];
		}
		if (k == best)
			return k;
	}
	return 0;
}

size_t hb_sparse_headline_sets(const struct hb_rundata *d, const char **out, size_t max)
{
	const char *sets[HB_MAX_LIST], *sw[HB_MAX_LIST], *largest = NULL;
	size_t n = hb_rundata_params(d, "sparse", sets, HB_MAX_LIST);
	size_t ns = sweep_sets(d, sw, HB_MAX_LIST), k = 0;

	for (size_t j = 0; j < ns; j++)
		if (!largest || hb_param_size(sw[j], "span") > hb_param_size(largest, "span"))
			largest = sw[j];
	for (size_t i = 0; i < n && k < max; i++) {
		int in_sweep = 0;

		for (size_t j = 0; j < ns; j++)
			in_sweep |= sets[i] == sw[j];
		if (!in_sweep || sets[i] == largest)
			out[k++] = sets[i];
	}
	return k;
}

static int cmp_span(const void *a, const void *b)
{
	double x = hb_param_size(*(const char *const *)a, "span");
	double y = hb_param_size(*(const char *const *)b, "span");

	return (x > y) - (x < y);
}

/* A vertical line at x with a label; TLB marks red, cache marks grey. */
static void mark(FILE *f, double x, const char *label, int tlb, int *nth, double lo, double hi)
{
	char size[32];

	if (x <= 0 || x < lo / 1.5 || x > hi * 1.5)
		return;
	hb_format_size((uint64_t)x, size, sizeof(size));
	fprintf(f, "set arrow from %g, graph 0 to %g, graph 1 nohead lc rgb '%s' dt %d lw 1.2\n",
		x, x, tlb ? "#cc3311" : "#888888", tlb ? 2 : 3);
	fprintf(f, "set label '%s %s' at %g, graph %.2f rotate by 90 right font 'Sans,8' "
		   "tc rgb '%s' offset -0.6, 0\n", label, size, x, 0.98,
		tlb ? "#cc3311" : "#666666");
	(*nth)++;
}

static void sweep_chart(struct hb_plot *p)
{
	const char *sw[HB_MAX_LIST], *bk[HB_MAX_LIST];
	size_t ns = sweep_sets(p->d, sw, HB_MAX_LIST);
	size_t nb = hb_rundata_backings(p->d, "sparse", bk, HB_MAX_LIST);
	char vars[4096], name[64];
	size_t off = 0, lines = 0;
	double lo, hi, x;
	json_t *caches, *c;
	int nth = 0;
	size_t i;
	FILE *f;

	if (!ns)
		return;
	qsort(sw, ns, sizeof(*sw), cmp_span);
	lo = hb_param_size(sw[0], "span");
	hi = hb_param_size(sw[ns - 1], "span");
	f = hb_plot_data(p, "sparse_sweep.dat");
	if (!f)
		return;
	for (size_t b = 0; b < nb; b++) {
		struct hb_stat st;
		int any = 0;

		for (size_t j = 0; j < ns; j++) {
			hb_rundata_stat(p->d, "sparse", bk[b], sw[j], "ns_per_access", &st);
			if (!st.n)
				continue;
			fprintf(f, "%.0f\t%.6g\t%.6g\t%.6g\n", hb_param_size(sw[j], "span"), st.med,
				st.min, st.max);
			any = 1;
		}
		if (!any)
			continue;
		fprintf(f, "\n\n");
		snprintf(name, sizeof(name), "%s", bk[b]);
		off += (size_t)snprintf(vars + off, sizeof(vars) - off, "names[%zu] = '%s'\n",
					++lines, name);
	}
	fclose(f);
	if (!lines)
		return;
	f = hb_plot_data(p, "sparse_sweep_marks.gp");
	if (!f)
		return;
	caches = json_object_get(json_object_get(p->d->meta, "topology"), "caches");
	json_array_foreach(caches, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		int level = (int)json_integer_value(json_object_get(c, "level"));
		char label[32];

		if (type && !strcmp(type, "instruction"))
			continue;
		snprintf(label, sizeof(label), "L%d%s", level, level == 1 ? "d" : "");
		mark(f, (double)json_integer_value(json_object_get(c, "size_bytes")), label, 0,
		     &nth, lo, hi);
	}
	x = hb_meta_num(p->d, "cpu.tlb.l1d.4k", 0) * 4096;
	mark(f, x, "L1 dTLB reach 4K pages:", 1, &nth, lo, hi);
	mark(f, hb_meta_num(p->d, "cpu.tlb.reach_4k_bytes", 0), "dTLB reach 4K pages:", 1, &nth,
	     lo, hi);
	x = hb_meta_num(p->d, "cpu.tlb.l1d.2m", 0) * 2097152;
	mark(f, x, "L1 dTLB reach 2M pages:", 1, &nth, lo, hi);
	mark(f, hb_meta_num(p->d, "cpu.tlb.reach_2m_bytes", 0), "dTLB reach 2M pages:", 1, &nth,
	     lo, hi);
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
	fclose(f);
	{
		char all[4600];

		/* gnuplot needs the array declared before its elements are set. */
		snprintf(all, sizeof(all),
			 "array names[%zu]\n%sdatafile = 'sparse_sweep.dat'\nnseries = %zu\n"
			 "marks = 'sparse_sweep_marks.gp'\n"
			 "what = 'sparse: dense random pointer chase, latency against working "
			 "set'\nylabel = 'ns per access (median, min-max over reps)'",
			 lines, vars, lines);
		hb_plot_chart(p, "sparse", "sparse_sweep", "sweep.gp", all, 1000, 600,
			      "Dependent-load chase over a dense heap of growing size (log x). "
			      "Grey: cache sizes; red: dTLB reach (entries x page size, cpuid). A "
			      "huge-page line that bends up where the 4K reach is, not its own, "
			      "means the host backs memory with small pages.");
	}
}

static void heap_bars(struct hb_plot *p)
{
	const char *sets[HB_MAX_LIST], *labels[HB_MAX_LIST];
	static char lab[HB_MAX_LIST][200];
	size_t n = hb_sparse_headline_sets(p->d, sets, HB_MAX_LIST);

	for (size_t i = 0; i < n; i++) {
		char span[32], spacing[32], writes[16], order[32];

		hb_param_get(sets[i], "span", span, sizeof(span));
		hb_param_get(sets[i], "spacing", spacing, sizeof(spacing));
		hb_param_get(sets[i], "writes", writes, sizeof(writes));
		hb_param_get(sets[i], "order", order, sizeof(order));
		/* "sparse 1G, a node per 2M, writes": what tells the heaps apart. */
		snprintf(lab[i], sizeof(lab[i]), "%s %s%s%s%s%s", is_dense(sets[i]) ? "dense" :
			 "sparse", span, is_dense(sets[i]) ? "" : ", a node per ",
			 is_dense(sets[i]) ? "" : spacing, strcmp(writes, "1") ? "" : ", writes",
			 strcmp(order, "sequential") ? "" : ", sequential");
		labels[i] = lab[i];
	}
	if (!n)
		return;
	hb_plot_bars(p, "sparse", "sparse_ns", "ns_per_access",
		     "sparse/dense heap: time per pointer hop", "ns per access", 0, sets, labels, n,
		     "Random dependent-load chase; lower is better.");
	hb_plot_bars(p, "sparse", "sparse_bloat", "bloat_ratio",
		     "sparse/dense heap: resident memory per useful byte",
		     "bloat ratio (RSS / nodes x node size, log scale)", 1, sets, labels, n,
		     "How much memory the heap holds for the bytes it uses; 1 is no waste.");
}

void hb_plot_sparse(struct hb_plot *p)
{
	if (!hb_rundata_has(p->d, "sparse"))
		return;
	sweep_chart(p);
	heap_bars(p);
}
