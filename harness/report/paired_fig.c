/* The paired rule on a run's figures (paired_fig.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "paired.h"
#include "paired_fig.h"

const char hb_fig_rule[] =
	"Each backing is compared with the other repetition by repetition (rep i of every "
	"backing ran side by side): a verdict or a winner needs the exact 90% sign-test "
	"interval of the median of those ratios (at least 5 repetitions) to lie wholly on one "
	"side, so each is wrong at most 5% of the time; memory figures and counts, which "
	"repeat, are judged on the range of their ratios from one repetition on.";

/* Whether metric repeats: its declaration's kind (the workload's, else the harness's). */
static int repeats(const struct hb_workload *w, const char *metric)
{
	const struct hb_outputs *o = w ? hb_workload_outputs(w) : NULL;
	const struct hb_metric_def *d = o ? hb_metric_find(o->metrics, metric) : NULL;

	if (!d)
		d = hb_metric_find(hb_harness_metrics, metric);
	return d && (d->kind == HB_KIND_MEMORY || d->kind == HB_KIND_COUNT);
}

static int dbl_cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* The pairs of the two figures by rep into c->ratio (b / a, or b - a when c->diff). */
static size_t pair(const struct hb_rundata *r, const struct hb_workload *w, const char *set,
		   const char *b_backing, const char *b_metric, const char *a_backing,
		   const char *a_metric, struct hb_fig_cmp *c, double *a, double *b)
{
	int ra[HB_PAIRED_MAX], rb[HB_PAIRED_MAX];
	double va[HB_PAIRED_MAX], vb[HB_PAIRED_MAX];
	size_t na, nb, n = 0;

	na = hb_rundata_reps(r, w->name, a_backing, set, a_metric, ra, va, HB_PAIRED_MAX);
	nb = hb_rundata_reps(r, w->name, b_backing, set, b_metric, rb, vb, HB_PAIRED_MAX);
	for (size_t i = 0; i < nb; i++)
		for (size_t j = 0; j < na; j++) {
			if (rb[i] != ra[j])
				continue;
			if (isfinite(vb[i]) && isfinite(va[j]) &&
			    (c->diff || (vb[i] > 0 && va[j] > 0))) {
				a[n] = va[j];
				b[n] = vb[i];
				c->ratio[n++] = c->diff ? vb[i] - va[j] : vb[i] / va[j];
			}
			break;
		}
	return n;
}

static void range(struct hb_fig_cmp *c)
{
	c->lo = c->hi = c->ratio[0];
	for (size_t i = 1; i < c->n; i++) {
		c->lo = fmin(c->lo, c->ratio[i]);
		c->hi = fmax(c->hi, c->ratio[i]);
	}
	c->has_interval = 1;
}

static void start(struct hb_fig_cmp *c, const struct hb_workload *w, const char *b_metric,
		  const char *a_metric, int exact, int diff)
{
	memset(c, 0, sizeof(*c));
	c->diff = diff;
	c->lo = diff ? -INFINITY : 0;
	c->hi = INFINITY;
	c->exact = exact >= 0 ? exact : repeats(w, b_metric) && repeats(w, a_metric);
}

int hb_fig_compare(const struct hb_rundata *r, const struct hb_workload *w, const char *set,
		   const char *b_backing, const char *b_metric, const char *a_backing,
		   const char *a_metric, int exact, struct hb_fig_cmp *c)
{
	double a[HB_PAIRED_MAX], b[HB_PAIRED_MAX];
	struct hb_paired p;

	start(c, w, b_metric, a_metric, exact, 0);
	c->n = pair(r, w, set, b_backing, b_metric, a_backing, a_metric, c, a, b);
	if (!c->n || hb_paired_test(a, b, c->n, HB_PAIRED_ALPHA, &p))
		return -ENOENT;
	c->median = p.median;
	if (c->exact) {
		range(c);
	} else if (p.k) {
		c->lo = p.lo;
		c->hi = p.hi;
		c->has_interval = 1;
	}
	return 0;
}

int hb_fig_compare_diff(const struct hb_rundata *r, const struct hb_workload *w,
			const char *set, const char *b_backing, const char *b_metric,
			const char *a_backing, const char *a_metric, int exact,
			struct hb_fig_cmp *c)
{
	double a[HB_PAIRED_MAX], b[HB_PAIRED_MAX], d[HB_PAIRED_MAX];
	size_t n, k;

	start(c, w, b_metric, a_metric, exact, 1);
	n = c->n = pair(r, w, set, b_backing, b_metric, a_backing, a_metric, c, a, b);
	if (!n)
		return -ENOENT;
	memcpy(d, c->ratio, n * sizeof(*d));
	qsort(d, n, sizeof(*d), dbl_cmp);
	c->median = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
	/* The same sign-test interval, on the differences' order statistics. */
	k = hb_paired_sign_k(n, HB_PAIRED_ALPHA);
	if (c->exact) {
		range(c);
	} else if (k) {
		c->lo = d[k - 1];
		c->hi = d[n - k];
		c->has_interval = 1;
	}
	return 0;
}

int hb_fig_claim(const struct hb_rundata *r, const struct hb_workload *w,
		 const struct hb_claim *cl, const char *set, const char *backing,
		 struct hb_fig_cmp *c)
{
	const char *vbk = cl->vs_backing ? cl->vs_backing : backing;
	const char *vm = cl->vs_metric ? cl->vs_metric : cl->metric;

	if (cl->diff)
		return hb_fig_compare_diff(r, w, set, backing, cl->metric, vbk, vm,
					   cl->exact ? 1 : -1, c);
	return hb_fig_compare(r, w, set, backing, cl->metric, vbk, vm, cl->exact ? 1 : -1, c);
}

enum hb_fig_where hb_fig_where(const struct hb_fig_cmp *c, double lo, double hi)
{
	if (!c->n || !c->has_interval)
		return HB_FIG_UNDECIDED;
	if (c->lo >= lo && c->hi <= hi)
		return HB_FIG_INSIDE;
	if (c->hi < lo || c->lo > hi)
		return HB_FIG_OUTSIDE;
	return HB_FIG_UNDECIDED;
}

int hb_fig_direction(const struct hb_fig_cmp *c, double dead)
{
	if (!c->n || !c->has_interval)
		return 2;
	if (c->hi < 1 - dead)
		return -1;
	if (c->lo > 1 + dead)
		return 1;
	if (c->lo >= 1 - dead && c->hi <= 1 + dead)
		return 0;
	return 2;
}

int hb_fig_reps_needed(const struct hb_fig_cmp *c, double lo, double hi)
{
	int k;

	if (!c->n || c->exact)
		return 0;
	k = hb_paired_reps_needed(c->ratio, c->n, lo, hi, HB_PAIRED_ALPHA, HB_PAIRED_CAP);
	return k > 0 ? k : 0;
}

void hb_fig_num(double v, char *buf, size_t len)
{
	/* 4 significant digits, in whole units from 1000 on (12140, not 1.214e+04) */
	if (fabs(v) >= 1000)
		snprintf(buf, len, "%+.0f", round(v / pow(10, floor(log10(fabs(v))) - 3)) *
			 pow(10, floor(log10(fabs(v))) - 3));
	else
		snprintf(buf, len, "%+.4g", v);
}

void hb_fig_text(const struct hb_fig_cmp *c, char *buf, size_t len)
{
	if (c->n && c->diff) {
		char m[32], lo[32], hi[32];

		hb_fig_num(c->median, m, sizeof(m));
		hb_fig_num(c->lo, lo, sizeof(lo));
		hb_fig_num(c->hi, hi, sizeof(hi));
		if (!c->has_interval)
			snprintf(buf, len, "difference %s, %zu pair%s: no 90%% interval below %d",
				 m, c->n, c->n == 1 ? "" : "s", HB_PAIRED_MIN);
		else
			snprintf(buf, len, "difference %s [%s to %s], %zu pair%s", m, lo, hi,
				 c->n, c->n == 1 ? "" : "s");
		return;
	}
	if (!c->n)
		snprintf(buf, len, "no pairs");
	else if (!c->has_interval)
		snprintf(buf, len, "%.3gx, %zu pair%s: no 90%% interval below %d", c->median, c->n,
			 c->n == 1 ? "" : "s", HB_PAIRED_MIN);
	else if (c->lo == c->hi)
		snprintf(buf, len, "%.3gx, %zu pair%s", c->median, c->n, c->n == 1 ? "" : "s");
	else
		snprintf(buf, len, "%.3gx [%.3g-%.3g], %zu pair%s%s", c->median, c->lo, c->hi,
			 c->n, c->n == 1 ? "" : "s", c->exact ? ", range" : "");
}
