/*
 * The join of compare: cells by workload, backing and canonical params; per cell the metrics
 * its workload declares as headlines (plus the harness's own huge-page coverage, plus
 * --metrics), each decided by decide.c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "params.h"
#include "sets.h"
#include "workload.h"

/* Figures the harness writes for every cell that maps memory: compared by default, since a
 * "THP" cell that stopped getting huge pages is the regression that matters most. */
static const struct hb_headline harness_metrics[] = {
	{ "huge_coverage_pct", "huge-page coverage", "%", HB_HIGHER, HB_KIND_MEMORY },
	{ "huge_coverage_process_pct", "huge-page coverage", "%", HB_HIGHER, HB_KIND_MEMORY },
	{ "populate_ms", "populate time", "ms", HB_LOWER, HB_KIND_TIME },
	{ NULL },
};

char *hb_cmp_canonical_params(const char *workload, const char *params)
{
	const struct hb_workload *w = hb_workload_find(workload);
	char buf[2048], err[256], *store = NULL;
	void *p;
	int rc;

	if (!w || !w->params || !w->params_size)
		return strdup(params);
	p = calloc(1, w->params_size);
	if (!p)
		return NULL;
	rc = hb_params_defaults(w->params, p, err, sizeof(err));
	if (!rc)
		rc = hb_params_parse(w->params, params, p, &store, err, sizeof(err));
	if (!rc)
		rc = hb_params_format(w->params, p, buf, sizeof(buf));
	free(store);
	free(p);
	/* A row of a whole sweep names its range (sweep=LO..HI), which the table may not take:
	 * such params stay as written, the same on both sides. */
	return strdup(rc ? params : buf);
}

/* A run's rows with canonical params, and its distinct cells. */
struct run_view {
	const struct hb_cmp_run *run;
	char **canon; /* per row */
	size_t ncells;
	size_t *cell_row; /* the first row of each cell */
	size_t *cell_of;  /* per row: its cell */
};

static int view_build(const struct hb_cmp_run *run, struct run_view *v)
{
	memset(v, 0, sizeof(*v));
	v->run = run;
	v->canon = calloc(run->n + 1, sizeof(*v->canon));
	v->cell_row = calloc(run->n + 1, sizeof(*v->cell_row));
	v->cell_of = calloc(run->n + 1, sizeof(*v->cell_of));
	if (!v->canon || !v->cell_row || !v->cell_of)
		return -ENOMEM;
	for (size_t i = 0; i < run->n; i++) {
		const struct hb_row *r = &run->rows[i];
		size_t c;

		/* Rows of one cell sit together: reuse the previous row's canonical form. */
		if (i && !strcmp(r->workload, run->rows[i - 1].workload) &&
		    !strcmp(r->params, run->rows[i - 1].params))
			v->canon[i] = strdup(v->canon[i - 1]);
		else
			v->canon[i] = hb_cmp_canonical_params(r->workload, r->params);
		if (!v->canon[i])
			return -ENOMEM;
		for (c = 0; c < v->ncells; c++) {
			const struct hb_row *f = &run->rows[v->cell_row[c]];

			if (!strcmp(f->workload, r->workload) && !strcmp(f->backing, r->backing) &&
			    !strcmp(v->canon[v->cell_row[c]], v->canon[i]))
				break;
		}
		if (c == v->ncells)
			v->cell_row[v->ncells++] = i;
		v->cell_of[i] = c;
	}
	return 0;
}

static void view_free(struct run_view *v)
{
	for (size_t i = 0; v->canon && i < v->run->n; i++)
		free(v->canon[i]);
	free(v->canon);
	free(v->cell_row);
	free(v->cell_of);
}

static long find_cell(const struct run_view *v, const char *workload, const char *backing,
		      const char *canon)
{
	for (size_t c = 0; c < v->ncells; c++) {
		const struct hb_row *f = &v->run->rows[v->cell_row[c]];

		if (!strcmp(f->workload, workload) && !strcmp(f->backing, backing) &&
		    !strcmp(v->canon[v->cell_row[c]], canon))
			return (long)c;
	}
	return -1;
}

/* The value of metric in one repetition of a cell, NAN when absent or not a number. */
static double value_at(const struct run_view *v, long cell, const char *metric, int rep)
{
	for (size_t i = v->cell_row[cell]; cell >= 0 && i < v->run->n; i++) {
		const struct hb_row *r = &v->run->rows[i];

		if (v->cell_of[i] == (size_t)cell && r->rep == rep && r->num &&
		    !strcmp(r->metric, metric))
			return r->v;
	}
	return NAN;
}

/*
 * One side of a line: every repetition's value (rep 0 rows: a figure of the whole run, one
 * sample), as a ratio to the reference backing's same repetition with --relative-to. why gets
 * what is missing when nothing is there.
 */
static void side_fill(const struct run_view *v, const char *relative_to, double scale,
		      long cell, const char *metric, struct hb_cmp_side *s, const char **unit,
		      char *why, size_t len)
{
	const struct hb_row *f = &v->run->rows[v->cell_row[cell]];
	const char *text = NULL, *note = NULL;
	long ref = relative_to ? find_cell(v, f->workload, relative_to,
					   v->canon[v->cell_row[cell]]) : -1;

	memset(s, 0, sizeof(*s));
	for (size_t i = v->cell_row[cell]; i < v->run->n && s->n < sizeof(s->v) / sizeof(s->v[0]);
	     i++) {
		const struct hb_row *r = &v->run->rows[i];
		double x;

		if (v->cell_of[i] != (size_t)cell)
			continue;
		if (!strcmp(r->metric, "status") && strcmp(r->value, "ok"))
			text = r->value, note = r->note;
		if (strcmp(r->metric, metric))
			continue;
		if (!r->num) {
			text = r->value, note = r->note;
			s->unavailable = 1;
			continue;
		}
		x = r->v;
		if (relative_to) {
			double d = ref >= 0 ? value_at(v, ref, metric, r->rep) : NAN;

			if (isnan(d) || d == 0)
				continue;
			x /= d;
		}
		if (!*unit || !**unit)
			*unit = r->unit;
		s->v[s->n++] = x * scale;
	}
	if (s->n) {
		double tmp[256];

		memcpy(tmp, s->v, s->n * sizeof(*tmp));
		hb_stats_of(tmp, s->n, &s->st);
	} else if (text) {
		snprintf(why, len, "%s in %s%s%s", text, v->run->label, note && *note ? ": " : "",
			 note ? note : "");
	} else if (relative_to) {
		snprintf(why, len, "no %s in %s (or no %s cell to divide by)", metric,
			 v->run->label, relative_to);
	} else {
		snprintf(why, len, "no %s in %s", metric, v->run->label);
	}
}

static const char *first_unit(const struct run_view *v, long cell, const char *metric)
{
	for (size_t i = v->cell_row[cell]; i < v->run->n; i++)
		if (v->cell_of[i] == (size_t)cell && !strcmp(v->run->rows[i].metric, metric))
			return v->run->rows[i].unit;
	return "";
}

static double threshold_for(struct hb_cmp_opts *o, const char *workload, const char *backing,
			    const char *metric, enum hb_metric_kind k)
{
	char cell[512];

	snprintf(cell, sizeof(cell), "%s/%s/%s", workload, backing, metric);
	for (size_t i = 0; i < o->nthresholds; i++)
		if (!fnmatch(o->thresholds[i].metric, strchr(o->thresholds[i].metric, '/') ?
			     cell : metric, 0)) {
			o->thresholds[i].used = 1;
			return o->thresholds[i].pct;
		}
	return hb_cmp_default_threshold(k);
}

static struct hb_cmp_line *line_new(struct hb_cmp_result *res)
{
	if (res->n == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 64;
		struct hb_cmp_line *l = realloc(res->lines, cap * sizeof(*l));

		if (!l)
			return NULL;
		res->lines = l;
		res->cap = cap;
	}
	memset(&res->lines[res->n], 0, sizeof(res->lines[0]));
	return &res->lines[res->n++];
}

/* The declaration of metric for workload w: a headline, the harness's own, or none. */
static const struct hb_headline *declared(const struct hb_workload *w, const char *metric)
{
	const struct hb_outputs *o = w ? hb_workload_outputs(w) : NULL;

	if (o && o->headlines)
		for (const struct hb_headline *h = o->headlines; h->metric; h++)
			if (!strcmp(h->metric, metric))
				return h;
	for (const struct hb_headline *h = harness_metrics; h->metric; h++)
		if (!strcmp(h->metric, metric))
			return h;
	return NULL;
}

int hb_cmp_compared_by_default(const char *workload, const char *metric)
{
	return declared(hb_workload_find(workload), metric) != NULL;
}

/* The metrics compared in a cell: every one of its rows' metrics that is declared (headline
 * or harness) or matches --metrics, in the order of the base run's rows. */
static size_t cell_metrics(const struct run_view *v, long cell, const struct hb_cmp_opts *o,
			   const char **out, size_t max)
{
	const struct hb_row *f = &v->run->rows[v->cell_row[cell]];
	const struct hb_workload *w = hb_workload_find(f->workload);
	size_t k = 0;

	for (size_t i = v->cell_row[cell]; i < v->run->n && k < max; i++) {
		const struct hb_row *r = &v->run->rows[i];
		size_t j;

		if (v->cell_of[i] != (size_t)cell || !strcmp(r->metric, "status"))
			continue;
		if (!declared(w, r->metric) && (!o->metrics || fnmatch(o->metrics, r->metric, 0)))
			continue;
		for (j = 0; j < k && strcmp(out[j], r->metric); j++)
			;
		if (j == k)
			out[k++] = r->metric;
	}
	return k;
}

/* "BASE has cells NEW lacks: ..." for the error of no cell in common. */
static void explain_keys(const struct run_view *b, const struct run_view *n, char *err,
			 size_t len)
{
	size_t o = 0;

	o += snprintf(err + o, len - o, "no cell of %s is in %s: %s has", n->run->label,
		      b->run->label, b->run->label);
	for (size_t c = 0; c < b->ncells && c < 3 && o < len; c++) {
		size_t i = b->cell_row[c];

		o += snprintf(err + o, len - o, "%s %s %s [%s]", c ? ";" : "",
			      b->run->rows[i].workload, b->run->rows[i].backing, b->canon[i]);
	}
	if (o < len)
		o += snprintf(err + o, len - o, "%s; %s has", b->ncells > 3 ? " ..." : "",
			      n->run->label);
	for (size_t c = 0; c < n->ncells && c < 3 && o < len; c++) {
		size_t i = n->cell_row[c];

		o += snprintf(err + o, len - o, "%s %s %s [%s]", c ? ";" : "",
			      n->run->rows[i].workload, n->run->rows[i].backing, n->canon[i]);
	}
	if (o < len)
		snprintf(err + o, len - o, "%s", n->ncells > 3 ? " ..." : "");
}

/* What tells a cell's params apart from the other sets of its workload in base. */
static char *set_label(const struct run_view *b, const char *workload, const char *canon)
{
	const char *sets[HB_MAX_LIST];
	size_t n = 0, me = 0;
	char buf[256];

	for (size_t c = 0; c < b->ncells; c++) {
		size_t i = b->cell_row[c], j;

		if (strcmp(b->run->rows[i].workload, workload))
			continue;
		for (j = 0; j < n && strcmp(sets[j], b->canon[i]); j++)
			;
		if (j == n && n < HB_MAX_LIST)
			sets[n++] = b->canon[i];
	}
	for (size_t j = 0; j < n; j++)
		if (!strcmp(sets[j], canon))
			me = j;
	if (!n)
		return strdup(canon);
	hb_run_label(hb_workload_find(workload), sets, n, me, buf, sizeof(buf));
	return strdup(buf);
}

/*
 * The status of a cell: 1 when every repetition's status is ok (and there is one), else 0 with
 * *value and *note of the first that is not.
 */
static int cell_ok(const struct run_view *v, long cell, const char **value, const char **note)
{
	int seen = 0;

	for (size_t i = v->cell_row[cell]; i < v->run->n; i++) {
		const struct hb_row *r = &v->run->rows[i];

		if (v->cell_of[i] != (size_t)cell || strcmp(r->metric, "status"))
			continue;
		if (strcmp(r->value, "ok")) {
			*value = r->value, *note = r->note;
			return 0;
		}
		seen = 1;
	}
	*value = seen ? "ok" : "no status", *note = "";
	return seen;
}

/* A cell ok in base and not in new: its `lost` line, with both reasons. */
static int lost_cell(struct run_view *b, long bc, struct run_view *nv, long nc, size_t k,
		     struct hb_cmp_result *res, int *lost)
{
	const struct hb_row *f = &b->run->rows[b->cell_row[bc]];
	const char *bv, *bn, *nvv, *nn;
	struct hb_cmp_line *l;

	*lost = 0;
	if (!cell_ok(b, bc, &bv, &bn) || cell_ok(nv, nc, &nvv, &nn) || !strcmp(nvv, "no status"))
		return 0;
	l = line_new(res);
	if (!l)
		return -ENOMEM;
	l->workload = f->workload;
	l->backing = f->backing;
	l->metric = "status";
	l->unit = "";
	l->params = strdup(b->canon[b->cell_row[bc]]);
	l->set_label = set_label(b, f->workload, l->params ? l->params : "");
	if (!l->params || !l->set_label)
		return -ENOMEM;
	l->new_index = k;
	l->better = HB_NEITHER;
	l->kind = HB_KIND_COUNT;
	l->test = "";
	l->p = NAN;
	l->change_pct = NAN;
	l->verdict = HB_CMP_LOST;
	snprintf(l->why, sizeof(l->why), "ok in %s; %s in %s%s%s", b->run->label, nvv,
		 nv->run->label, nn && *nn ? ": " : "", nn ? nn : "");
	res->count[HB_CMP_LOST]++;
	*lost = 1;
	return 0;
}

/* On a host whose CPUs were shared (compare.h), a tail or a short interval gets no verdict. */
static void unshared(struct hb_cmp_line *l, const struct hb_cmp_probe *p)
{
	int tail = l->kind == HB_KIND_TAIL;
	int brief = l->kind == HB_KIND_TIME && !strcmp(l->unit, "ms") &&
		    l->base.st.med < HB_SHORT_MS;

	if (!p->shared || (l->verdict != HB_CMP_WORSE && l->verdict != HB_CMP_BETTER) ||
	    (!tail && !brief))
		return;
	l->verdict = HB_CMP_UNKNOWN;
	snprintf(l->why, sizeof(l->why), "%s on a host whose CPUs were shared (its cells "
		 "waited %.0f%% for a CPU): it measures preemption, not speed; A/B on one host "
		 "(hugebench ab) gates it", tail ? "a tail" : "a short interval", p->wait_new);
}

/* The lines of one cell: bc in base and nc in the new run, either -1 where it is missing. */
static int cell_lines(struct run_view *b, long bc, struct run_view *nv, long nc, size_t k,
		      struct hb_cmp_opts *o, struct hb_cmp_result *res)
{
	struct run_view *own = bc >= 0 ? b : nv;
	long oc = bc >= 0 ? bc : nc;
	size_t i = own->cell_row[oc], nm = 0;
	const struct hb_row *f = &own->run->rows[i];
	const struct hb_workload *w = hb_workload_find(f->workload);
	const char *metrics[512];
	int lost = 0;

	if (bc >= 0 && nc >= 0 && lost_cell(b, bc, nv, nc, k, res, &lost))
		return -ENOMEM;
	if (bc >= 0)
		nm = cell_metrics(b, bc, o, metrics, 512);
	if (nc >= 0) /* and the new run's own, for n/a on the base side */
		nm += cell_metrics(nv, nc, o, metrics + nm, 512 - nm);
	for (size_t m = 0; m < nm; m++) {
		const struct hb_headline *h = declared(w, metrics[m]);
		const char *rel;
		struct hb_cmp_line *l;
		double scale;
		size_t j;
		char why_b[200] = "", why_n[200] = "";

		for (j = 0; j < m && strcmp(metrics[j], metrics[m]); j++)
			;
		if (j < m)
			continue; /* already done from the base side */
		l = line_new(res);
		if (!l)
			return -ENOMEM;
		l->workload = f->workload;
		l->backing = f->backing;
		l->metric = metrics[m];
		l->params = strdup(own->canon[i]);
		l->set_label = set_label(own, f->workload, own->canon[i]);
		if (!l->params || !l->set_label)
			return -ENOMEM;
		l->new_index = k;
		l->better = h ? h->better : HB_NEITHER;
		l->unit = h && h->unit ? h->unit : first_unit(own, oc, l->metric);
		l->kind = h && h->kind ? h->kind : hb_cmp_kind_of_unit(l->unit);
		/* Only times and rates scale with the machine's speed: memory and counts
		 * compare as they are, also with --relative-to. */
		rel = hb_cmp_kind_scales(l->kind) ? o->relative_to : NULL;
		/* the host probe: NEW's times divided by its factor, its rates multiplied */
		scale = l->kind == HB_KIND_TIME || l->kind == HB_KIND_TAIL ?
				1 / res->probe[k].factor :
			l->kind == HB_KIND_RATE ? res->probe[k].factor : 1;
		if (bc >= 0)
			side_fill(b, rel, 1, bc, l->metric, &l->base, &l->unit, why_b, sizeof(why_b));
		else
			snprintf(why_b, sizeof(why_b), "no such cell in %s", b->run->label);
		if (nc >= 0)
			side_fill(nv, rel, scale, nc, l->metric, &l->new, &l->unit, why_n,
				  sizeof(why_n));
		else
			snprintf(why_n, sizeof(why_n), "no such cell in %s", nv->run->label);
		l->threshold_pct = threshold_for(o, l->workload, l->backing, l->metric, l->kind);
		hb_cmp_decide(l);
		unshared(l, &res->probe[k]);
		if (l->verdict == HB_CMP_NA && l->base.n && l->new.unavailable && !lost) {
			char med[32];

			snprintf(med, sizeof(med), "%.4g", l->base.st.med);
			l->verdict = HB_CMP_LOST;
			snprintf(l->why, sizeof(l->why), "a number in %s (median %s); %s", b->run->label,
				 med, why_n);
		} else if (l->verdict == HB_CMP_NA) {
			snprintf(l->why, sizeof(l->why), "%s%s", lost ? "the cell is lost: " : "",
				 l->base.n ? why_n : why_b);
		}
		if (rel)
			l->unit = "ratio";
		res->count[l->verdict]++;
	}
	return 0;
}

/* Every cell of base against the new run k, then the new run's cells base lacks. */
static int compare_one(struct run_view *b, struct run_view *nv, size_t k, struct hb_cmp_opts *o,
		       struct hb_cmp_result *res, int *common)
{
	int rc = 0;

	for (size_t c = 0; c < b->ncells && !rc; c++) {
		const struct hb_row *f = &b->run->rows[b->cell_row[c]];
		long nc = find_cell(nv, f->workload, f->backing, b->canon[b->cell_row[c]]);

		if (nc >= 0)
			(*common)++;
		if (o->relative_to && !strcmp(f->backing, o->relative_to))
			continue; /* every ratio of the reference is 1 */
		rc = cell_lines(b, (long)c, nv, nc, k, o, res);
	}
	for (size_t c = 0; c < nv->ncells && !rc; c++) {
		const struct hb_row *f = &nv->run->rows[nv->cell_row[c]];

		if (find_cell(b, f->workload, f->backing, nv->canon[nv->cell_row[c]]) >= 0 ||
		    (o->relative_to && !strcmp(f->backing, o->relative_to)))
			continue;
		rc = cell_lines(b, -1, nv, (long)c, k, o, res);
	}
	return rc;
}

/* The lost lines first, the others in their order. */
static int lost_first(struct hb_cmp_result *res)
{
	struct hb_cmp_line *sorted;
	size_t k = 0;

	if (!res->count[HB_CMP_LOST])
		return 0;
	sorted = malloc(res->n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < res->n; i++)
			if ((res->lines[i].verdict == HB_CMP_LOST) == !pass)
				sorted[k++] = res->lines[i];
	free(res->lines);
	res->lines = sorted;
	res->cap = res->n;
	return 0;
}

int hb_compare(const struct hb_cmp_run *base, const struct hb_cmp_run *news, size_t nnew,
	       struct hb_cmp_opts *o, struct hb_cmp_result *res, char *err, size_t errlen)
{
	struct run_view b, nv;
	int rc, common;

	memset(res, 0, sizeof(*res));
	rc = view_build(base, &b);
	for (size_t k = 0; k < nnew && !rc; k++) {
		rc = view_build(&news[k], &nv);
		common = 0;
		if (!rc)
			rc = hb_cmp_probe(base, &news[k], &res->probe[k]);
		if (!rc && (o->relative_to || o->no_probe)) {
			res->probe[k].applied = 0;
			res->probe[k].factor = 1;
			snprintf(res->probe[k].text, sizeof(res->probe[k].text), "host probe: not "
				 "used (%s): times and rates compared %s", o->relative_to ?
				 "--relative-to" : "--no-probe", o->relative_to ?
				 "as ratios" : "as measured");
		}
		if (!rc)
			rc = compare_one(&b, &nv, k, o, res, &common);
		if (!rc && !common) {
			explain_keys(&b, &nv, err, errlen);
			rc = -ENOENT;
		}
		res->cells_common += (size_t)common;
		view_free(&nv);
	}
	view_free(&b);
	if (!rc)
		rc = lost_first(res);
	for (size_t i = 0; i < o->nthresholds && !rc; i++)
		if (!o->thresholds[i].used) {
			snprintf(err, errlen, "--threshold %s=%g: no compared metric of these runs "
				 "matches '%s' (compare --metrics PATTERN adds metrics)",
				 o->thresholds[i].metric, o->thresholds[i].pct,
				 o->thresholds[i].metric);
			rc = -EINVAL;
		}
	return rc;
}

void hb_cmp_result_free(struct hb_cmp_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		free(res->lines[i].params);
		free(res->lines[i].set_label);
	}
	free(res->lines);
	memset(res, 0, sizeof(*res));
}
