/*
 * The report's opening table: what the folklore says against what this machine did, one row
 * per claim of every registered workload, with the figures that decide it.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "outputs.h"
#include "sets.h"
#include "verdict.h"
#include "workload.h"

#define CELL 2048

/* "<metric>, <backings> / 4k: claimed 0.7x-0.95x". */
static void claimed(const struct hb_claim *c, char *buf, size_t len)
{
	const char *tested = c->backings ? c->backings : "each backing";
	int open_hi = isinf(c->hi) || c->hi <= 0;
	size_t off;

	if (c->vs_metric)
		off = (size_t)snprintf(buf, len, "%s / %s, in %s%s%s", c->metric, c->vs_metric,
				       c->vs_backing ? "" : tested,
				       c->vs_backing ? tested : "",
				       c->vs_backing ? " against " : "");
	else
		off = (size_t)snprintf(buf, len, "%s, %s / %s", c->metric, tested,
				       c->vs_backing ? c->vs_backing : "itself");
	if (c->vs_metric && c->vs_backing && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%s", c->vs_backing);
	if (off >= len)
		return;
	if (c->lo <= 0 && !open_hi)
		snprintf(buf + off, len - off, ": claimed at most %.3gx", c->hi);
	else if (open_hi)
		snprintf(buf + off, len - off, ": claimed at least %.3gx", c->lo);
	else
		snprintf(buf + off, len - off, ": claimed %.3gx-%.3gx", c->lo, c->hi);
}

/* Whether backing matches one of the space-separated shell patterns. */
static int tested(const char *patterns, const char *backing)
{
	char pat[64];

	for (const char *s = patterns; *s;) {
		size_t n = strcspn(s, " ");

		snprintf(pat, sizeof(pat), "%.*s", (int)n, s);
		if (n && !fnmatch(pat, backing, 0))
			return 1;
		s += n + (s[n] == ' ');
	}
	return 0;
}

static void figure(const struct hb_stat *s, char *buf, size_t len)
{
	char m[32], lo[32], hi[32];

	hb_doc_num(s->med, m, sizeof(m));
	hb_doc_num(s->min, lo, sizeof(lo));
	hb_doc_num(s->max, hi, sizeof(hi));
	if (s->n > 1)
		snprintf(buf, len, "%s [%s-%s]", m, lo, hi);
	else
		snprintf(buf, len, "%s (one repetition)", m);
}

/* Every backing and set the claim names, judged and described; the merged verdict. */
static enum hb_verdict judge(const struct hb_rundata *r, const struct hb_workload *w,
			     const struct hb_claim *c, char *seen, char *why, size_t len)
{
	const char *sets[HB_MAX_LIST], *bk[HB_MAX_LIST];
	size_t ns = hb_run_sets(r, w, c->sets, sets, HB_MAX_LIST), off = 0;
	size_t nb = hb_rundata_backings(r, w->name, bk, HB_MAX_LIST);
	enum hb_verdict all = HB_V_NOT_MEASURED;
	char first[HB_V_MIXED + 1][160] = { "" }; /* the first reason of each verdict */
	int pairs = 0;

	seen[0] = why[0] = 0;
	if (!ns) {
		snprintf(why, len, "needs %s", c->needs ? c->needs : "other parameters");
		return HB_V_NOT_MEASURED;
	}
	for (size_t b = 0; b < nb; b++) {
		if (c->vs_backing && !strcmp(bk[b], c->vs_backing))
			continue;
		if (c->backings && !tested(c->backings, bk[b]))
			continue;
		for (size_t s = 0; s < ns; s++) {
			struct hb_stat me, vs;
			char a[160], v[160], label[200], reason[160], q[32], ql[32], qh[32];
			double rlo = 0, rhi = 0;
			enum hb_verdict one;

			hb_rundata_stat(r, w->name, bk[b], sets[s], c->metric, &me);
			hb_rundata_stat(r, w->name, c->vs_backing ? c->vs_backing : bk[b], sets[s],
					c->vs_metric ? c->vs_metric : c->metric, &vs);
			one = hb_verdict_judge(&me, &vs, c->lo, c->hi, c->exact, &rlo, &rhi, reason,
					       sizeof(reason));
			if (one == HB_V_NOT_MEASURED)
				continue;
			pairs++;
			all = hb_verdict_merge(all, one);
			figure(&me, a, sizeof(a));
			figure(&vs, v, sizeof(v));
			hb_run_label(w, sets, ns, s, label, sizeof(label));
			if (!strcmp(label, "all"))
				label[0] = 0; /* one set: nothing to tell apart */
			if (vs.med > 0)
				hb_doc_num(me.med / vs.med, q, sizeof(q));
			else
				snprintf(q, sizeof(q), "?");
			hb_doc_num(rlo, ql, sizeof(ql));
			hb_doc_num(rhi, qh, sizeof(qh));
			if (!first[one][0])
				snprintf(first[one], sizeof(first[one]), "%s", reason);
			if (off >= CELL)
				continue;
			off += (size_t)snprintf(seen + off, CELL - off,
						"%s%s%s%s: %s against %s: %sx [%s-%s] (%s)",
						off ? "; " : "", bk[b], *label ? ", " : "", label, a,
						v, q, ql, qh, hb_verdict_name(one));
		}
	}
	if (pairs)
		snprintf(why, len, "%s", first[all]);
	else
		snprintf(why, len, "needs %s%s%s%s%s", c->needs ? c->needs : c->metric,
			 c->backings ? " under " : "", c->backings ? c->backings : "",
			 c->vs_backing ? " and " : "", c->vs_backing ? c->vs_backing : "");
	return all;
}

void hb_verdict_section(struct hb_doc *d, const struct hb_rundata *r)
{
	static const char *const hd[] = { "claim", "figure", "this machine", "verdict" };
	static char seen[CELL + 64];
	int any = 0;

	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const struct hb_outputs *o = hb_workload_outputs(w);
		const struct hb_claim *c = o ? o->claims : NULL;

		for (; c && c->text; c++) {
			char fig[400], why[400], verdict[480];
			const char *cells[4];
			enum hb_verdict v;

			if (!any++) {
				hb_doc_h(d, 2, "Folklore against this machine");
				hb_doc_table_start(d);
				hb_doc_row(d, hd, 4, 1);
			}
			claimed(c, fig, sizeof(fig));
			if (hb_rundata_has(r, w->name)) {
				v = judge(r, w, c, seen, why, sizeof(why));
			} else {
				v = HB_V_NOT_MEASURED;
				snprintf(seen, sizeof(seen), "-");
				snprintf(why, sizeof(why), "no %s figures", w->name);
			}
			if (!seen[0])
				snprintf(seen, sizeof(seen), "-");
			snprintf(verdict, sizeof(verdict), "%s%s%s", hb_verdict_name(v),
				 *why ? ": " : "", why);
			cells[0] = c->text;
			cells[1] = fig;
			cells[2] = seen;
			cells[3] = verdict;
			hb_doc_row(d, cells, 4, 0);
		}
	}
	if (!any)
		return;
	hb_doc_table_end(d);
	hb_doc_para(d, "Median [min-max] over repetitions; the ratio's range is the worst case of "
		       "the two ranges. A claim is confirmed or refuted only when that whole range "
		       "is inside or outside what it claims (or the figure is exact and repeats); "
		       "backings or parameter sets that disagree make it mixed.");
}
