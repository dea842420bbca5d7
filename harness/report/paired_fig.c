/* The paired rule on a run's figures (paired_fig.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
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

int hb_fig_compare(const struct hb_rundata *r, const struct hb_workload *w, const char *set,
		   const char *b_backing, const char *b_metric, const char *a_backing,
		   const char *a_metric, int exact, struct hb_fig_cmp *c)
{
	int ra[HB_PAIRED_MAX], rb[HB_PAIRED_MAX];
	double va[HB_PAIRED_MAX], vb[HB_PAIRED_MAX], a[HB_PAIRED_MAX], b[HB_PAIRED_MAX];
	size_t na, nb, n = 0;
	struct hb_paired p;

	memset(c, 0, sizeof(*c));
	c->hi = INFINITY;
	c->exact = exact >= 0 ? exact : repeats(w, b_metric) && repeats(w, a_metric);
	na = hb_rundata_reps(r, w->name, a_backing, set, a_metric, ra, va, HB_PAIRED_MAX);
	nb = hb_rundata_reps(r, w->name, b_backing, set, b_metric, rb, vb, HB_PAIRED_MAX);
	for (size_t i = 0; i < nb; i++)
		for (size_t j = 0; j < na; j++)
			if (rb[i] == ra[j] && vb[i] > 0 && va[j] > 0 && isfinite(vb[i]) &&
			    isfinite(va[j])) {
				a[n] = va[j];
				b[n] = vb[i];
				c->ratio[n++] = vb[i] / va[j];
				break;
			}
	c->n = n;
	if (!n)
		return -ENOENT;
	if (hb_paired_test(a, b, n, HB_PAIRED_ALPHA, &p))
		return -ENOENT;
	c->median = p.median;
	if (c->exact) {
		c->lo = c->hi = c->ratio[0];
		for (size_t i = 1; i < n; i++) {
			c->lo = fmin(c->lo, c->ratio[i]);
			c->hi = fmax(c->hi, c->ratio[i]);
		}
		c->has_interval = 1;
	} else if (p.k) {
		c->lo = p.lo;
		c->hi = p.hi;
		c->has_interval = 1;
	}
	return 0;
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

void hb_fig_text(const struct hb_fig_cmp *c, char *buf, size_t len)
{
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
