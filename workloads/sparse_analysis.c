/*
 * sparse, across cells (in the parent, once every cell has run): translation cost (4k against
 * each huge backing at the same working set and repetition) and each backing's knee of the
 * sweep next to the cpuid TLB reach.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backing.h"
#include "knee.h"
#include "results.h"
#include "sparse.h"
#include "sysinfo.h"
#include "units.h"

#define MAX_SWEEP 256
#define MAX_CURVES 32 /* backings x sweeps in one run */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The span of a params text ("span=64M;node_size=64;..."), and the text without it. */
static int split_span(const char *params, uint64_t *span, char *rest, size_t len)
{
	const char *p = params, *v;
	char val[64];
	size_t k;

	if (strncmp(params, "span=", 5)) {
		p = strstr(params, ";span=");
		if (!p)
			return -ENOENT;
		p++;
	}
	v = p + 5;
	k = strcspn(v, ";");
	if (k >= sizeof(val))
		return -EINVAL;
	memcpy(val, v, k);
	val[k] = 0;
	snprintf(rest, len, "%.*s%s", (int)(p - params), params, v[k] ? v + k + 1 : "");
	return hb_parse_size(val, span);
}

static int is_ns_row(const struct hb_row *r)
{
	return !strcmp(r->workload, "sparse") && !strcmp(r->metric, "ns_per_access");
}

static void derive_translation(struct hb_results *res, size_t n0)
{
	for (size_t i = 0; i < n0; i++) {
		const struct hb_row *h = &res->rows[i];
		char *end;
		double vh = strtod(h->value, &end), v4;

		if (!is_ns_row(h) || !strcmp(h->backing, "4k") || *end)
			continue;
		for (size_t j = 0; j < n0; j++) {
			const struct hb_row *b = &res->rows[j];
			char note[160];

			if (!is_ns_row(b) || strcmp(b->backing, "4k") || b->rep != h->rep ||
			    strcmp(b->params, h->params))
				continue;
			v4 = strtod(b->value, &end);
			if (*end || v4 <= 0)
				break;
			snprintf(note, sizeof(note), "ns_per_access(4k) - ns_per_access(%s) at the "
				 "same working set and repetition", h->backing);
			/* h may move when rows grow: copy what is needed first. */
			char *bk = strdup(h->backing), *pa = strdup(h->params);
			int rep = h->rep;

			if (bk && pa) {
				hb_results_addf(res, "sparse", bk, pa, rep, "translation_ns", v4 - vh,
						"ns", note);
				hb_results_addf(res, "sparse", bk, pa, rep, "translation_pct",
						100 * (v4 - vh) / v4, "%", "translation_ns as a "
						"share of ns_per_access(4k)");
			}
			free(bk);
			free(pa);
			break;
		}
	}
}

struct curve {
	char backing[32];
	char key[1024];
	size_t n;
	uint64_t size[MAX_SWEEP];
	double ns[MAX_SWEEP];
	int knee; /* index or -errno */
};

/* The median over repetitions of each working set's ns_per_access, for one backing and key. */
static void build_curve(const struct hb_results *res, size_t n0, struct curve *c)
{
	c->n = 0;
	for (size_t i = 0; i < n0; i++) {
		const struct hb_row *r = &res->rows[i];
		char rest[1024], *end;
		uint64_t sz;
		double v[64];
		size_t nv = 0, k;

		if (!is_ns_row(r) || strcmp(r->backing, c->backing) ||
		    split_span(r->params, &sz, rest, sizeof(rest)) || strcmp(rest, c->key))
			continue;
		for (k = 0; k < c->n && c->size[k] != sz; k++)
			;
		if (k < c->n || c->n == MAX_SWEEP)
			continue; /* this working set is done */
		for (size_t j = i; j < n0 && nv < 64; j++) {
			const struct hb_row *q = &res->rows[j];
			uint64_t sq;

			if (is_ns_row(q) && !strcmp(q->backing, c->backing) &&
			    !split_span(q->params, &sq, rest, sizeof(rest)) && sq == sz &&
			    !strcmp(rest, c->key)) {
				v[nv] = strtod(q->value, &end);
				nv += !*end;
			}
		}
		if (!nv)
			continue;
		qsort(v, nv, sizeof(*v), cmp_double);
		/* Insert sorted by size. */
		for (k = c->n; k > 0 && c->size[k - 1] > sz; k--) {
			c->size[k] = c->size[k - 1];
			c->ns[k] = c->ns[k - 1];
		}
		c->size[k] = sz;
		c->ns[k] = v[(nv - 1) / 2];
		c->n++;
	}
}

static uint64_t page_size_of(const char *backing)
{
	struct hb_backing b;
	char err[256];

	return hb_backing_parse(backing, &b, err, sizeof(err)) ? 0 : b.page_size;
}

static void derive_knees(struct hb_results *res, size_t n0)
{
	struct curve *c = calloc(MAX_CURVES, sizeof(*c));
	struct hb_cpu_info cpu;
	uint64_t llc = hb_llc_bytes();
	size_t nc = 0;

	if (!c)
		return;
	hb_cpu_info(&cpu);
	for (size_t i = 0; i < n0 && nc < MAX_CURVES; i++) {
		const struct hb_row *r = &res->rows[i];
		char rest[1024];
		uint64_t sz;
		size_t k;

		if (!is_ns_row(r) || split_span(r->params, &sz, rest, sizeof(rest)))
			continue;
		for (k = 0; k < nc && (strcmp(c[k].backing, r->backing) || strcmp(c[k].key, rest));
		     k++)
			;
		if (k < nc)
			continue;
		snprintf(c[nc].backing, sizeof(c[nc].backing), "%s", r->backing);
		snprintf(c[nc].key, sizeof(c[nc].key), "%s", rest);
		build_curve(res, n0, &c[nc]);
		if (c[nc].n >= 4) /* a sweep, not a single working set */
			nc++;
	}
	for (size_t k = 0; k < nc; k++) {
		size_t plat = 0;
		char note[512], a[32], l[32];

		c[k].knee = hb_knee_find(c[k].size, c[k].ns, c[k].n, llc, HB_KNEE_RISE,
					 &plat);
		if (c[k].knee >= 0) {
			hb_format_size(c[k].size[plat], a, sizeof(a));
			hb_format_size(llc, l, sizeof(l));
			snprintf(note, sizeof(note), "first working set >= %.0f%% above the memory "
				 "plateau (%.1f ns at %s, %s); medians over repetitions",
				 HB_KNEE_RISE * 100, c[k].ns[plat], a, llc ? "the first size >= 4 x "
				 "LLC" : "after the largest step; LLC size unknown");
			if (llc)
				snprintf(note + strlen(note), sizeof(note) - strlen(note),
					 "; LLC %s", l);
			hb_results_addf(res, "sparse", c[k].backing, c[k].key, 0, "tlb_knee_kib",
					(double)(c[k].size[c[k].knee] >> 10), "KiB", note);
		} else {
			hb_format_size(c[k].size[c[k].n - 1], a, sizeof(a));
			snprintf(note, sizeof(note), c[k].knee == -ENOENT ?
				 "no knee up to %s: the sweep never rose %.0f%% above the memory "
				 "plateau (or does not reach 4 x LLC)" : "bad curve up to %s (%.0f)",
				 a, HB_KNEE_RISE * 100);
			hb_results_add(res, "sparse", c[k].backing, c[k].key, 0, "tlb_knee_kib",
				       "unavailable", "KiB", note);
		}
		uint64_t ps = page_size_of(c[k].backing), reach = hb_tlb_reach(&cpu, ps);

		if (reach) {
			hb_format_size(ps, a, sizeof(a));
			snprintf(note, sizeof(note), "cpuid: largest data TLB's entries x %s pages",
				 a);
			hb_results_addf(res, "sparse", c[k].backing, c[k].key, 0, "tlb_reach_kib",
					(double)(reach >> 10), "KiB", note);
		} else {
			hb_results_add(res, "sparse", c[k].backing, c[k].key, 0, "tlb_reach_kib",
				       "unavailable", "KiB", "cpuid does not give TLB entries for "
				       "this page size");
		}
	}
	/* A 2 MiB backing whose knee is far below its own reach (at most a quarter; reach
	 * unknown: at most 2x the 4k backing's knee) pays translation where 2 MiB entries
	 * should still cover the heap: it translates in smaller steps somewhere, which in a VM
	 * is the host backing guest memory with 4 KiB pages. */
	for (size_t k = 0; k < nc; k++) {
		uint64_t r2 = hb_tlb_reach(&cpu, 2ull << 20), k2, k4 = 0;
		char note[512], a[32], b[32] = "none", d[32];

		if (page_size_of(c[k].backing) != (2ull << 20) || c[k].knee < 0)
			continue;
		k2 = c[k].size[c[k].knee];
		for (size_t j = 0; j < nc; j++)
			if (!strcmp(c[j].backing, "4k") && !strcmp(c[j].key, c[k].key) &&
			    c[j].knee >= 0)
				k4 = c[j].size[c[j].knee];
		if (r2 ? k2 * 4 > r2 : !k4 || k2 > 2 * k4)
			continue;
		hb_format_size(k2, a, sizeof(a));
		if (k4)
			hb_format_size(k4, b, sizeof(b));
		hb_format_size(r2, d, sizeof(d));
		snprintf(note, sizeof(note), "inferred: %s's knee (%s; 4k's: %s) is far below its "
			 "own TLB reach (%s), so translation happens in steps smaller than 2 MiB: "
			 "the effective translation size is 4 KiB; in a VM that means the host backs "
			 "guest memory with small pages", c[k].backing, a, b, r2 ? d : "unknown");
		hb_results_add(res, "sparse", c[k].backing, c[k].key, 0,
			       "effective_translation_kib", "4", "KiB", note);
	}
	free(c);
}

void hb_sparse_derive(struct hb_results *res)
{
	size_t n0 = res->n;

	derive_translation(res, n0);
	derive_knees(res, n0);
}

