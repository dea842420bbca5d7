/*
 * advise's --memory-limit (advise_items.h): each candidate's memory figure from the runs, or,
 * with an inspect output, the service's predicted memory under it: its charged memory x the
 * paired ratio of the candidate's figure to that of the backing the service runs under.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advise_items.h"

/* The backing's largest footprint figure in the runs (KiB), 0 when none. */
static double footprint(const struct item *it, size_t n, const char *b)
{
	double f = 0;

	for (size_t i = 0; i < n; i++) {
		struct hb_stat st;

		if (!it[i].rule->footprint)
			continue;
		hb_rundata_stat(it[i].r, it[i].w->name, b, it[i].set, it[i].rule->metric, &st);
		if (st.n && st.med > f)
			f = st.med;
	}
	return f;
}

/* The set's allocator parameter, "" when its workload has none. */
static const char *set_malloc(const struct item *t, char *buf, size_t len)
{
	if (hb_set_value(t->w->params, t->w->params_size, t->set, "allocator", buf, len))
		buf[0] = 0;
	return buf;
}

/* Whether footprint set t speaks for the service's malloc: a set of another allocator does
 * not, when some footprint set has the service's own (jemalloc keeps freed memory under
 * thp-always, glibc does not: the other's ratio would predict the wrong service). */
static int for_service(const struct item *it, size_t n, const struct item *t,
		       const struct hb_adv_service *svc)
{
	char a[64];
	int any = 0;

	if (!svc->allocator[0] || strchr(svc->allocator, ',') || !set_malloc(t, a, sizeof(a))[0] ||
	    !strcmp(a, svc->allocator))
		return 1;
	for (size_t i = 0; i < n && !any; i++)
		any = it[i].rule->footprint && !strcmp(set_malloc(&it[i], a, sizeof(a)),
						       svc->allocator);
	return !any;
}

/* The service's predicted memory under k's backing: its charged KiB x the paired ratio of the
 * backing's footprint figure to that of the backing the service runs under, in the footprint
 * set of the service's malloc (for_service) that predicts the most (as the unscaled check
 * takes the largest figure). 1 when some such set of the runs has both backings. */
static int predict(const struct item *it, size_t n, const struct hb_adv_service *svc,
		   struct cand *k)
{
	double charged = svc->fig[HB_SVC_CHARGED].v;
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		const struct item *t = &it[i];
		struct hb_fig_cmp c = { 0 };
		char fig[160];
		double med = 1, lo = 1, hi = 1;

		if (!t->rule->footprint || !for_service(it, n, t, svc))
			continue;
		if (!strcmp(k->b, svc->backing)) {
			struct hb_stat st;

			hb_rundata_stat(t->r, t->w->name, k->b, t->set, t->rule->metric, &st);
			if (!st.n)
				continue;
			snprintf(fig, sizeof(fig), "1x: the backing it runs under");
		} else if (hb_fig_compare(t->r, t->w, t->set, k->b, t->rule->metric, svc->backing,
					  t->rule->metric, -1, &c)) {
			continue;
		} else {
			med = c.median;
			lo = c.has_interval ? c.lo : 0;
			hi = c.has_interval ? c.hi : INFINITY;
			hb_fig_text(&c, fig, sizeof(fig));
		}
		if (found && charged * med <= k->pred)
			continue;
		found = 1;
		k->pred = charged * med;
		k->pred_lo = charged * lo;
		k->pred_hi = charged * hi;
		snprintf(k->pred_from, sizeof(k->pred_from), "its charged %.0f KiB under %s x %.160s "
			 "(%s vs %s, %s [%.96s])", charged, svc->backing, fig, t->w->name,
			 svc->backing, t->rule->metric, t->label);
	}
	return found;
}

/* "810000 KiB [805000-812000]" or "810000 KiB (no interval)". */
static void pred_text(const struct cand *k, char *buf, size_t len)
{
	if (isfinite(k->pred_hi) && k->pred_lo > 0)
		snprintf(buf, len, "%.0f KiB [%.0f-%.0f]", k->pred, k->pred_lo, k->pred_hi);
	else
		snprintf(buf, len, "%.0f KiB (no interval)", k->pred);
}

/* --memory-limit against the service (opts.service): each candidate's predicted memory, or
 * why there is none. Returns 1 when some candidate has a prediction (the limit then checks
 * predictions), 0 when the runs' own figures stay (said in a->memory). */
static int scale_to_service(struct hb_advice *a, const struct hb_adv_opts *o,
			    const struct item *it, size_t n, struct cand *c, size_t nc)
{
	const struct hb_adv_service *svc = o->service;
	const char *unscaled = "--memory-limit compares the runs' own figures, unscaled";
	int any = 0;
	char p[512];

	if (!svc->fig[HB_SVC_CHARGED].ok) {
		add(&a->memory, "not scaled to the service: its charged memory is unavailable (%s); "
				"%s", svc->fig[HB_SVC_CHARGED].note, unscaled);
		return 0;
	}
	if (!svc->backing[0]) {
		add(&a->memory, "not scaled to the service: %s; %s", svc->backing_why, unscaled);
		return 0;
	}
	for (size_t i = 0; i < nc; i++)
		any |= c[i].scaled = predict(it, n, svc, &c[i]);
	if (!any) {
		add(&a->memory, "not scaled to the service: no memory figure of the runs (the "
				"rules marked footprint) has %s, the backing it runs under, beside "
				"the others; %s", svc->backing, unscaled);
		for (int k = 0; hb_workloads[k]; k++) {
			const struct hb_outputs *out = hb_workload_outputs(hb_workloads[k]);

			for (const struct hb_advice_rule *r = out ? out->advice : NULL;
			     r && r->metric; r++)
				if (r->footprint) {
					hb_adv_service_command(svc, hb_workloads[k], r, p, sizeof(p));
					add(&a->memory, "a run that would scale it: `%s`", p);
				}
		}
		return 0;
	}
	for (size_t i = 0; i < nc; i++) {
		pred_text(&c[i], p, sizeof(p));
		if (c[i].scaled)
			add(&a->memory, "%s: %s predicted for the service = %s", c[i].b, p,
			    c[i].pred_from);
		else
			add(&a->memory, "%s: no prediction (no footprint set of the runs pairs it "
					"with %s)%s", c[i].b, svc->backing,
			    o->memory_limit_kib > 0 ? ": not checked against --memory-limit" : "");
	}
	return 1;
}

void hb_adv_limit(struct hb_advice *a, const struct hb_adv_opts *o, const struct item *it,
		  size_t n, struct cand *c, size_t nc)
{
	int scaled = o->service && scale_to_service(a, o, it, n, c, nc);

	for (size_t i = 0; i < nc; i++) {
		char p[96];

		c[i].footprint = footprint(it, n, c[i].b);
		if (scaled) {
			c[i].ruled = o->memory_limit_kib > 0 && c[i].scaled &&
				     c[i].pred > o->memory_limit_kib;
			pred_text(&c[i], p, sizeof(p));
			if (c[i].ruled)
				add(&a->ruled, "%s: the service's predicted memory, %s, is above "
					       "--memory-limit (%.0f KiB): %s", c[i].b, p,
				    o->memory_limit_kib, c[i].pred_from);
			continue;
		}
		c[i].ruled = o->memory_limit_kib > 0 && c[i].footprint > o->memory_limit_kib;
		if (c[i].ruled)
			add(&a->ruled, "%s: its memory figure, %.0f KiB, is above --memory-limit "
				       "(%.0f KiB)", c[i].b, c[i].footprint, o->memory_limit_kib);
	}
}
