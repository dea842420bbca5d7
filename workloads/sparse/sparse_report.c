/*
 * Which of sparse's parameter sets its report uses, read through its own parameter table. The
 * rows sparse derives across a sweep (tlb_knee_kib, translation_pct) carry the sweep's
 * parameters without a span: those sets are no point of the sweep.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "outputs.h"
#include "sparse_report.h"
#include "workload.h"

extern const struct hb_workload hb_workload_sparse;

#define MAX_PARAMS 32

struct heap {
	double span; /* 0: the set names no span (a row of the whole sweep) */
	double node, spacing, writes;
	char order[32], sweep[64];
	char key[512]; /* every parameter but span and sweep: the sets of one sweep share it */
};

/* The table with span defaulting to 0, so that a set without one can be told apart. */
static const struct hb_param *table(void)
{
	static struct hb_param t[MAX_PARAMS];

	if (!t[0].name) {
		for (size_t i = 0; i < MAX_PARAMS - 1 && hb_workload_sparse.params[i].name; i++) {
			t[i] = hb_workload_sparse.params[i];
			if (!strcmp(t[i].name, "span")) {
				t[i].def = "0";
				t[i].min = "0";
			}
		}
	}
	return t;
}

static int heap(const char *set, struct heap *h)
{
	const struct hb_param *t = table();
	size_t sz = hb_workload_sparse.params_size, off = 0;

	memset(h, 0, sizeof(*h));
	if (hb_set_num(t, sz, set, "span", &h->span) ||
	    hb_set_num(t, sz, set, "node_size", &h->node) ||
	    hb_set_num(t, sz, set, "spacing", &h->spacing) ||
	    hb_set_value(t, sz, set, "order", h->order, sizeof(h->order)) ||
	    hb_set_num(t, sz, set, "writes", &h->writes) ||
	    hb_set_value(t, sz, set, "sweep", h->sweep, sizeof(h->sweep)))
		return -1;
	for (const struct hb_param *p = t; p->name; p++) {
		char v[128];

		if (!strcmp(p->name, "span") || !strcmp(p->name, "sweep"))
			continue;
		hb_set_value(t, sz, set, p->name, v, sizeof(v));
		off += (size_t)snprintf(h->key + off, off < sizeof(h->key) ? sizeof(h->key) - off :
					0, "%s=%s;", p->name, v);
	}
	return 0;
}

/* A dense heap: a node in every slot (spacing 0 or not above node_size). */
static int dense(const struct heap *h)
{
	return !h->spacing || h->spacing <= h->node;
}

/* A point of a sweep: a dense random heap at a working set of its own. */
static int point(const struct heap *h)
{
	return dense(h) && !strcmp(h->order, "random") && h->span > 0;
}

size_t hb_sparse_sweep_sets(const char *const *sets, size_t n, const char **out, size_t max)
{
	static struct heap hs[256];
	size_t best = 0, bi = 0;

	n = n < 256 ? n : 256;
	for (size_t i = 0; i < n; i++)
		if (heap(sets[i], &hs[i]))
			hs[i].span = -1;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		if (!point(&hs[i]))
			continue;
		for (size_t j = 0; j < n; j++)
			k += point(&hs[j]) && !strcmp(hs[i].key, hs[j].key);
		if (k > best) {
			best = k;
			bi = i;
		}
	}
	if (best < 3)
		return 0;
	best = 0;
	for (size_t j = 0; j < n && best < max; j++)
		if (point(&hs[j]) && !strcmp(hs[bi].key, hs[j].key))
			out[best++] = sets[j];
	return best;
}

size_t hb_sparse_table_sets(const char *const *sets, size_t n, const char **out, size_t max)
{
	const char *sw[256], *largest = NULL;
	size_t ns = hb_sparse_sweep_sets(sets, n, sw, 256), k = 0;
	double top = 0;

	for (size_t j = 0; j < ns; j++) {
		struct heap h;

		if (!heap(sw[j], &h) && (!largest || h.span > top)) {
			largest = sw[j];
			top = h.span;
		}
	}
	for (size_t i = 0; i < n && k < max; i++) {
		int in_sweep = 0;

		for (size_t j = 0; j < ns; j++)
			in_sweep |= sets[i] == sw[j];
		if (!in_sweep || sets[i] == largest)
			out[k++] = sets[i];
	}
	return k;
}

size_t hb_sparse_big_dense_sets(const char *const *sets, size_t n, const char **out,
				size_t max)
{
	size_t k = 0;
	struct heap h;

	for (size_t i = 0; i < n && k < max; i++)
		if (!heap(sets[i], &h) && point(&h) && h.span >= 1073741824.0)
			out[k++] = sets[i];
	return k;
}

size_t hb_sparse_per_2m_sets(const char *const *sets, size_t n, const char **out, size_t max)
{
	size_t k = 0;
	struct heap h;

	for (size_t i = 0; i < n && k < max; i++)
		if (!heap(sets[i], &h) && h.span > 0 && h.spacing >= 2097152.0 &&
		    h.node < h.spacing)
			out[k++] = sets[i];
	return k;
}

int hb_sparse_label(const char *const *sets, size_t n, size_t i, char *buf, size_t len)
{
	const struct hb_param *t = table();
	size_t sz = hb_workload_sparse.params_size;
	char span[32], spacing[32];
	struct heap h;

	(void)n;
	if (heap(sets[i], &h))
		return -ENOENT;
	if (!h.span) {
		snprintf(buf, len, "the whole sweep %s", h.sweep);
		return 0;
	}
	hb_set_value(t, sz, sets[i], "span", span, sizeof(span));
	hb_set_value(t, sz, sets[i], "spacing", spacing, sizeof(spacing));
	/* "sparse 1G, a node per 2M, writes": what tells the heaps apart. */
	snprintf(buf, len, "%s %s%s%s%s%s", dense(&h) ? "dense" : "sparse", span,
		 dense(&h) ? "" : ", a node per ", dense(&h) ? "" : spacing,
		 h.writes == 1 ? ", writes" : "",
		 strcmp(h.order, "sequential") ? "" : ", sequential");
	return 0;
}
