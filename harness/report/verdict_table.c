/*
 * The report's opening table: what the folklore says against what this machine did, one row
 * per claim of every registered workload, with the figures that decide it.
 */
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
		off = (size_t)snprintf(buf, len, "%s %s %s, in %s%s%s", c->metric,
				       c->diff ? "-" : "/", c->vs_metric,
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
	if (c->diff) {
		if (open_hi)
			snprintf(buf + off, len - off, ": claimed at least %+g more", c->lo);
		else
			snprintf(buf + off, len - off, ": claimed %+g to %+g", c->lo, c->hi);
		return;
	}
	if (c->lo <= 0 && !open_hi)
		snprintf(buf + off, len - off, ": claimed at most %.3gx", c->hi);
	else if (open_hi)
		snprintf(buf + off, len - off, ": claimed at least %.3gx", c->lo);
	else
		snprintf(buf + off, len - off, ": claimed %.3gx-%.3gx", c->lo, c->hi);
}

/* "226 against 283 ns: 0.8x [0.78-0.83], 5 pairs". */
static void figure(const struct hb_rundata *r, const struct hb_workload *w, const char *set,
		   const char *bk, const char *metric, const char *vbk, const char *vmetric,
		   const struct hb_fig_cmp *fc, char *buf, size_t len)
{
	struct hb_stat me, vs;
	char a[32], v[32], t[160];

	hb_rundata_stat(r, w->name, bk, set, metric, &me);
	hb_rundata_stat(r, w->name, vbk, set, vmetric, &vs);
	hb_doc_num(me.med, a, sizeof(a));
	hb_doc_num(vs.med, v, sizeof(v));
	hb_fig_text(fc, t, sizeof(t));
	snprintf(buf, len, "%s against %s%s%s: %s", a, v, me.unit && *me.unit ? " " : "",
		 me.unit ? me.unit : "", t);
}

/* Every backing and set the claim names, judged by the paired rule and described; the
 * merged verdict. */
static enum hb_verdict judge(const struct hb_rundata *r, const struct hb_workload *w,
			     const struct hb_claim *c, char *seen, char *why, size_t len)
{
	const char *sets[HB_MAX_LIST], *bk[HB_MAX_LIST];
	size_t ns = hb_run_sets(r, w, c->sets, sets, HB_MAX_LIST), off = 0;
	size_t nb = hb_rundata_backings(r, w->name, bk, HB_MAX_LIST);
	enum hb_verdict all = HB_V_NOT_MEASURED;
	char first[HB_V_MIXED + 1][200] = { "" }; /* the first reason of each verdict */
	int pairs = 0;

	seen[0] = why[0] = 0;
	if (!ns) {
		snprintf(why, len, "needs %s", c->needs ? c->needs : "other parameters");
		return HB_V_NOT_MEASURED;
	}
	for (size_t b = 0; b < nb; b++) {
		if (c->vs_backing && !strcmp(bk[b], c->vs_backing))
			continue;
		if (c->backings && !hb_backing_matches(c->backings, bk[b]))
			continue;
		for (size_t s = 0; s < ns; s++) {
			const char *vbk = c->vs_backing ? c->vs_backing : bk[b];
			const char *vm = c->vs_metric ? c->vs_metric : c->metric;
			char fig[320], label[200], reason[200];
			struct hb_fig_cmp fc;
			enum hb_verdict one;

			hb_fig_claim(r, w, c, sets[s], bk[b], &fc);
			one = hb_verdict_judge(&fc, c->lo, c->hi, reason, sizeof(reason));
			if (one == HB_V_NOT_MEASURED)
				continue;
			pairs++;
			all = hb_verdict_merge(all, one);
			figure(r, w, sets[s], bk[b], c->metric, vbk, vm, &fc, fig, sizeof(fig));
			hb_run_label(w, sets, ns, s, label, sizeof(label));
			if (!strcmp(label, "all"))
				label[0] = 0; /* one set: nothing to tell apart */
			if (!first[one][0])
				snprintf(first[one], sizeof(first[one]), "%s", reason);
			if (off >= CELL)
				continue;
			off += (size_t)snprintf(seen + off, CELL - off, "%s%s%s%s: %s (%s)",
						off ? "; " : "", bk[b], *label ? ", " : "", label,
						fig, hb_verdict_name(one));
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
	static char seen[CELL + 64], absent[CELL];
	size_t aoff = 0;
	int any = 0;

	absent[0] = 0;
	for (int i = 0; hb_workloads[i]; i++) {
		const struct hb_workload *w = hb_workloads[i];
		const struct hb_outputs *o = hb_workload_outputs(w);
		const struct hb_claim *c = o ? o->claims : NULL;

		for (; c && c->text; c++) {
			char fig[400], why[400], verdict[480];
			const char *cells[4];
			enum hb_verdict v;

			if (!hb_rundata_has(r, w->name)) {
				/* A workload the run did not include: its claims are no row of
				 * this run's table, but named below with what decides them. */
				if (aoff < sizeof(absent))
					aoff += (size_t)snprintf(absent + aoff, sizeof(absent) - aoff,
								 "%s\"%s\" (%s: %s)",
								 aoff ? "; " : "", c->text, w->name,
								 c->needs ? c->needs : c->metric);
				continue;
			}
			if (!any++) {
				hb_doc_h(d, 2, "Folklore against this machine");
				hb_doc_table_start(d);
				hb_doc_row(d, hd, 4, 1);
			}
			claimed(c, fig, sizeof(fig));
			v = judge(r, w, c, seen, why, sizeof(why));
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
	hb_doc_para(d, "Medians of the figure and of what it is compared with, then the median "
		       "ratio (or difference) of their repetitions and its 90% interval. Backings or "
		       "parameter sets that disagree make a claim mixed.");
	hb_doc_para(d, hb_fig_rule);
	if (absent[0]) {
		char line[CELL + 96];

		snprintf(line, sizeof(line), "Claims of workloads this run did not include: %s.",
			 absent);
		hb_doc_para(d, line);
	}
}
