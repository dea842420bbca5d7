/*
 * sparse, across cells (the analysis step, in the parent once every cell has run): translation
 * cost (4k against each huge backing at the same working set and repetition) and each backing's
 * knee of the sweep next to the TLB reach of the run's machine record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "knee.h"
#include "sparse.h"
#include "stats.h"
#include "units.h"
#include "workload.h"

#define MAX_SWEEP 256
#define MAX_CURVES 32 /* backings x sweeps in one run */

/* An ns_per_access row of the analysed workload, with its params read back by the table. */
struct point {
	const struct hb_row *r;
	uint64_t span;
	char key[1024]; /* every parameter but span: the rows of one sweep share it */
};

/* The span of a params text and the canonical text of the other parameters, both through the
 * workload's own parameter table. 0, or -errno when the text does not parse. */
static int read_point(const struct hb_workload *w, const struct hb_row *r, struct point *pt)
{
	const struct hb_param *span = hb_params_find(w->params, "span");
	char *buf = malloc(w->params_size), *store = NULL, err[256];
	size_t off = 0;
	int rc;

	if (!buf || !span) {
		free(buf);
		return -ENOMEM;
	}
	rc = hb_params_parse(w->params, r->params, buf, &store, err, sizeof(err));
	if (!rc) {
		memcpy(&pt->span, buf + span->offset, sizeof(pt->span));
		pt->key[0] = 0;
		for (const struct hb_param *p = w->params; p->name; p++) {
			char val[256];

			if (p == span)
				continue;
			hb_param_format_value(p, buf, val, sizeof(val));
			off += (size_t)snprintf(pt->key + off, off < sizeof(pt->key) ?
						sizeof(pt->key) - off : 0, "%s%s=%s",
						off ? ";" : "", p->name, val);
		}
		pt->r = r;
		rc = off < sizeof(pt->key) ? 0 : -ENOSPC;
	}
	free(store);
	free(buf);
	return rc;
}

static int is_point(const struct hb_analysis *a, const struct hb_row *r)
{
	return r->num && !strcmp(r->workload, a->workload) && !strcmp(r->metric, "ns_per_access");
}

/* The ns_per_access rows with a number, read once (room for those rows only: a run has tens
 * of thousands of rows, a few hundred of them points). */
static size_t read_points(const struct hb_analysis *a, struct point **out)
{
	const struct hb_workload *w = hb_workload_find(a->workload);
	struct point *pts;
	size_t n = 0, want = 0;

	for (size_t i = 0; i < a->n; i++)
		want += is_point(a, &a->rows[i]);
	pts = calloc(want ? want : 1, sizeof(*pts));
	*out = pts;
	if (!pts || !w)
		return 0;
	for (size_t i = 0; i < a->n && n < want; i++)
		if (is_point(a, &a->rows[i]) && !read_point(w, &a->rows[i], &pts[n]))
			n++;
	return n;
}

static void derive_translation(struct hb_analysis *a, const struct point *pts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct hb_row *h = pts[i].r;

		if (!strcmp(h->backing, "4k"))
			continue;
		for (size_t j = 0; j < n; j++) {
			const struct hb_row *b = pts[j].r;
			char note[160];
			double v4 = b->v, vh = h->v;

			if (strcmp(b->backing, "4k") || b->rep != h->rep || strcmp(b->params, h->params))
				continue;
			if (v4 <= 0)
				break;
			snprintf(note, sizeof(note), "ns_per_access(4k) - ns_per_access(%s) at the "
				 "same working set and repetition", h->backing);
			hb_analysis_add(a, h->backing, h->params, h->rep, "translation_ns", v4 - vh,
					"ns", note);
			hb_analysis_add(a, h->backing, h->params, h->rep, "translation_pct",
					100 * (v4 - vh) / v4, "%",
					"translation_ns as a share of ns_per_access(4k)");
			break;
		}
	}
}

struct curve {
	const char *backing, *key;
	size_t n;
	uint64_t size[MAX_SWEEP];
	double ns[MAX_SWEEP];
	int knee; /* index or -errno */
};

/* Each working set's median over repetitions (stats.h, the one rule), for one backing and
 * key, sorted by size. */
static void build_curve(const struct point *pts, size_t n, struct curve *c)
{
	c->n = 0;
	for (size_t i = 0; i < n; i++) {
		const struct point *p = &pts[i];
		double v[64];
		struct hb_stats st;
		size_t nv = 0, k;

		if (strcmp(p->r->backing, c->backing) || strcmp(p->key, c->key))
			continue;
		for (k = 0; k < c->n && c->size[k] != p->span; k++)
			;
		if (k < c->n || c->n == MAX_SWEEP)
			continue; /* this working set is done */
		for (size_t j = i; j < n && nv < 64; j++)
			if (pts[j].span == p->span && !strcmp(pts[j].r->backing, c->backing) &&
			    !strcmp(pts[j].key, c->key))
				v[nv++] = pts[j].r->v;
		hb_stats_of(v, nv, &st);
		for (k = c->n; k > 0 && c->size[k - 1] > p->span; k--) {
			c->size[k] = c->size[k - 1];
			c->ns[k] = c->ns[k - 1];
		}
		c->size[k] = p->span;
		c->ns[k] = st.med;
		c->n++;
	}
}

/* The params of a row about a whole sweep: the curve's key, whose sweep parameter (the last
 * of the table, empty in each expanded point) names the range the curve covers. */
static void sweep_params(const struct curve *c, char *buf, size_t len)
{
	char lo[32], hi[32];
	size_t k = strlen(c->key);

	hb_format_size(c->size[0], lo, sizeof(lo));
	hb_format_size(c->size[c->n - 1], hi, sizeof(hi));
	if (k >= 6 && !strcmp(c->key + k - 6, "sweep="))
		snprintf(buf, len, "%s%s..%s", c->key, lo, hi);
	else
		snprintf(buf, len, "%s", c->key);
}

static void knee_rows(struct hb_analysis *a, struct curve *c)
{
	uint64_t llc = a->machine.llc_bytes;
	uint64_t ps = hb_analysis_page_size(c->backing), reach;
	size_t plat = 0;
	char note[512], s[32], l[32], params[1100];

	sweep_params(c, params, sizeof(params));
	c->knee = hb_knee_find(c->size, c->ns, c->n, llc, HB_KNEE_RISE, &plat);
	if (c->knee >= 0) {
		hb_format_size(c->size[plat], s, sizeof(s));
		hb_format_size(llc, l, sizeof(l));
		snprintf(note, sizeof(note), "first working set >= %.0f%% above the memory plateau "
			 "(%.1f ns at %s, %s); medians over repetitions", HB_KNEE_RISE * 100,
			 c->ns[plat], s, llc ? "the first size >= 4 x LLC" :
			 "after the largest step; LLC size unknown");
		if (llc)
			snprintf(note + strlen(note), sizeof(note) - strlen(note), "; LLC %s", l);
		hb_analysis_add(a, c->backing, params, 0, "tlb_knee_kib",
				(double)(c->size[c->knee] >> 10), "KiB", note);
	} else {
		hb_format_size(c->size[c->n - 1], s, sizeof(s));
		snprintf(note, sizeof(note), c->knee == -ENOENT ?
			 "no knee up to %s: the sweep never rose %.0f%% above the memory plateau "
			 "(or does not reach 4 x LLC)" : "bad curve up to %s (%.0f)", s,
			 HB_KNEE_RISE * 100);
		hb_analysis_add_text(a, c->backing, params, 0, "tlb_knee_kib", "unavailable", "KiB",
				     note);
	}
	reach = hb_machine_tlb_reach(&a->machine, ps);
	if (reach) {
		hb_format_size(ps, s, sizeof(s));
		snprintf(note, sizeof(note), "cpuid: largest data TLB's entries x %s pages", s);
		hb_analysis_add(a, c->backing, params, 0, "tlb_reach_kib", (double)(reach >> 10),
				"KiB", note);
	} else {
		hb_analysis_add_text(a, c->backing, params, 0, "tlb_reach_kib", "unavailable", "KiB",
				     "cpuid does not give TLB entries for this page size");
	}
}

/*
 * A 2 MiB backing whose knee is far below its own reach (at most a quarter; reach unknown: at
 * most 2x the 4k backing's knee) pays translation where 2 MiB entries should still cover the
 * heap: it translates in smaller steps somewhere, which in a VM is the host backing guest
 * memory with 4 KiB pages.
 */
static void effective_translation(struct hb_analysis *a, const struct curve *c, size_t nc)
{
	uint64_t r2 = hb_machine_tlb_reach(&a->machine, 2ull << 20);

	for (size_t k = 0; k < nc; k++) {
		uint64_t k2, k4 = 0;
		char note[512], s2[32], s4[32] = "none", sr[32], params[1100];

		if (hb_analysis_page_size(c[k].backing) != (2ull << 20) || c[k].knee < 0)
			continue;
		k2 = c[k].size[c[k].knee];
		for (size_t j = 0; j < nc; j++)
			if (!strcmp(c[j].backing, "4k") && !strcmp(c[j].key, c[k].key) &&
			    c[j].knee >= 0)
				k4 = c[j].size[c[j].knee];
		if (r2 ? k2 * 4 > r2 : !k4 || k2 > 2 * k4)
			continue;
		hb_format_size(k2, s2, sizeof(s2));
		if (k4)
			hb_format_size(k4, s4, sizeof(s4));
		hb_format_size(r2, sr, sizeof(sr));
		snprintf(note, sizeof(note), "inferred: %s's knee (%s; 4k's: %s) is far below its "
			 "own TLB reach (%s), so translation happens in steps smaller than 2 MiB: "
			 "the effective translation size is 4 KiB; in a VM that means the host backs "
			 "guest memory with small pages", c[k].backing, s2, s4, r2 ? sr : "unknown");
		sweep_params(&c[k], params, sizeof(params));
		hb_analysis_add_text(a, c[k].backing, params, 0, "effective_translation_kib", "4",
				     "KiB", note);
	}
}

static void derive_knees(struct hb_analysis *a, const struct point *pts, size_t n)
{
	struct curve *c = calloc(MAX_CURVES, sizeof(*c));
	size_t nc = 0;

	if (!c)
		return;
	for (size_t i = 0; i < n && nc < MAX_CURVES; i++) {
		size_t k;

		for (k = 0; k < nc && (strcmp(c[k].backing, pts[i].r->backing) ||
				       strcmp(c[k].key, pts[i].key));
		     k++)
			;
		if (k < nc)
			continue;
		c[nc].backing = pts[i].r->backing;
		c[nc].key = pts[i].key;
		build_curve(pts, n, &c[nc]);
		if (c[nc].n >= 4) /* a sweep, not a single working set */
			nc++;
	}
	for (size_t k = 0; k < nc; k++)
		knee_rows(a, &c[k]);
	effective_translation(a, c, nc);
	free(c);
}

void hb_sparse_derive(struct hb_analysis *a)
{
	struct point *pts;
	size_t n = read_points(a, &pts);

	derive_translation(a, pts, n);
	derive_knees(a, pts, n);
	free(pts);
}
