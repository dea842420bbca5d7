/*
 * The host-speed probe in compare (compare.h): each run's probes, pooled over its cells and
 * repetitions, and whether NEW's differ from BASE's beyond their noise.
 *
 * Per cell repetition the score is the geometric mean of the two loops' times (the integer
 * chain and the dependent loads weigh alike). NEW is normalised when a two-sided U test of
 * its scores against BASE's rejects at alpha 0.01 and the ratio of their medians is beyond
 * HB_PROBE_MIN_PCT: then NEW's times are divided by that ratio and its rates multiplied by
 * it. One factor per run, not a division of each repetition by its own probe: a probe of a
 * few milliseconds is noisier than most figures it would divide, while the host's speed is a
 * property of the run. Memory figures, counts and coverage are never normalised.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "mannwhitney.h"
#include "metrics.h"
#include "probe.h"
#include "stats.h"

#define MAX_PROBES 4096

/* The probe scores of a run (one per cell repetition with both loops), and the medians of
 * each loop. Returns the count, or -ENOMEM. */
static long scores(const struct hb_cmp_run *r, double *out, double *cpu_med, double *load_med)
{
	double *cpu = malloc(MAX_PROBES * sizeof(*cpu)), *load = malloc(MAX_PROBES * sizeof(*load));
	struct hb_stats st;
	size_t n = 0;

	if (!cpu || !load) {
		free(cpu);
		free(load);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r->n && n < MAX_PROBES; i++) {
		const struct hb_row *a = &r->rows[i];

		if (!a->num || strcmp(a->metric, HB_PROBE_CPU_METRIC) || !(a->v > 0))
			continue;
		/* its load row: written right after it, the same cell and repetition */
		for (size_t j = i + 1; j < r->n && j < i + 4; j++) {
			const struct hb_row *b = &r->rows[j];

			if (b->num && b->v > 0 && b->rep == a->rep && !strcmp(b->metric,
			    HB_PROBE_LOAD_METRIC) && !strcmp(b->backing, a->backing) &&
			    !strcmp(b->workload, a->workload) && !strcmp(b->params, a->params)) {
				cpu[n] = a->v;
				load[n] = b->v;
				out[n] = sqrt(a->v * b->v);
				n++;
				break;
			}
		}
	}
	*cpu_med = *load_med = NAN;
	if (n) {
		hb_stats_of(cpu, n, &st);
		*cpu_med = st.med;
		hb_stats_of(load, n, &st);
		*load_med = st.med;
	}
	free(cpu);
	free(load);
	return (long)n;
}

/* The median of a run's cpu_wait_pct rows (ctx_child.c), NAN without any. */
static double wait_median(const struct hb_cmp_run *r)
{
	double *v = malloc(MAX_PROBES * sizeof(*v)), med = NAN;
	struct hb_stats st;
	size_t n = 0;

	if (!v)
		return NAN;
	for (size_t i = 0; i < r->n && n < MAX_PROBES; i++)
		if (r->rows[i].num && !strcmp(r->rows[i].metric, HB_CPU_WAIT_METRIC))
			v[n++] = r->rows[i].v;
	if (n) {
		hb_stats_of(v, n, &st);
		med = st.med;
	}
	free(v);
	return med;
}

/* "; NEW's cells waited for a CPU ..." when they did more than BASE's. */
static void shared_text(const struct hb_cmp_run *base, const struct hb_cmp_run *nw,
			struct hb_cmp_probe *p)
{
	size_t o = strlen(p->text);
	char was[64];

	p->wait_base = wait_median(base);
	p->wait_new = wait_median(nw);
	/* A run recorded before cells measured it: a host of its own waits about 0. */
	if (!(p->wait_new - (isnan(p->wait_base) ? 0 : p->wait_base) > HB_SHARED_PTS))
		return;
	p->shared = 1;
	if (isnan(p->wait_base))
		snprintf(was, sizeof(was), "%s has no record of it", base->label);
	else
		snprintf(was, sizeof(was), "%s %.0f%%", base->label, p->wait_base);
	snprintf(p->text + o, sizeof(p->text) - o, ". %s's cells waited for a CPU %.0f%% of the "
		 "time they were runnable (%s): its CPUs were shared, which stretches a "
		 "tail and a short interval by whole scheduler slices, so those are shown without "
		 "a verdict (p99 and beyond, maxima, single intervals under %d ms)", nw->label,
		 p->wait_new, was, HB_SHORT_MS);
}

static const char *slower(double ratio)
{
	return ratio >= 1 ? "slower" : "faster";
}

static double times(double ratio)
{
	return ratio >= 1 ? ratio : 1 / ratio;
}

int hb_cmp_probe(const struct hb_cmp_run *base, const struct hb_cmp_run *nw,
		 struct hb_cmp_probe *p)
{
	double *b = malloc(MAX_PROBES * sizeof(*b)), *n = malloc(MAX_PROBES * sizeof(*n));
	double bc, bl, nc, nl, tmp_b, tmp_n;
	long nb, nn;
	struct hb_stats sb, sn;
	struct hb_mwu u;
	int need = hb_mwu_min_n(HB_CMP_ALPHA), rc = 0;

	memset(p, 0, sizeof(*p));
	p->factor = 1;
	p->p = NAN;
	if (!b || !n) {
		rc = -ENOMEM;
		goto out;
	}
	nb = scores(base, b, &bc, &bl);
	nn = scores(nw, n, &nc, &nl);
	if (nb < 0 || nn < 0) {
		rc = -ENOMEM;
		goto out;
	}
	p->nbase = (size_t)nb, p->nnew = (size_t)nn;
	if (nb < need || nn < need) {
		snprintf(p->text, sizeof(p->text), "host probe: %s has %s%ld (needs %d for the U "
			 "test; a run before hugebench had the probe has none): times and rates "
			 "compared as measured", nb < need ? base->label : nw->label,
			 (nb < need ? nb : nn) ? "only " : "", nb < need ? nb : nn, need);
		goto out;
	}
	p->have = 1;
	hb_stats_of(b, (size_t)nb, &sb);
	hb_stats_of(n, (size_t)nn, &sn);
	tmp_b = sb.med, tmp_n = sn.med;
	p->ratio = tmp_n / tmp_b;
	p->cpu_ratio = nc / bc;
	p->load_ratio = nl / bl;
	if (hb_mwu_test(b, (size_t)nb, n, (size_t)nn, &u)) {
		rc = -ENOMEM;
		goto out;
	}
	p->p = u.p;
	if (u.p < HB_CMP_ALPHA && fabs(p->ratio - 1) * 100 > HB_PROBE_MIN_PCT) {
		p->applied = 1;
		p->factor = p->ratio;
		snprintf(p->text, sizeof(p->text), "host probe: %s is %.2fx %s than %s (integer "
			 "chain %.2fx, dependent loads %.2fx; U test p=%.2g over %ld and %ld "
			 "repetitions): its times are divided and its rates multiplied by %.3g "
			 "before they are compared; memory, counts and coverage as measured",
			 nw->label, times(p->ratio), slower(p->ratio), base->label, p->cpu_ratio,
			 p->load_ratio, u.p, nb, nn, p->ratio);
	} else {
		snprintf(p->text, sizeof(p->text), "host probe: %s against %s %.2fx (p=%.2g over "
			 "%ld and %ld repetitions), within the probe's noise or %d%%: times and rates "
			 "compared as measured", nw->label, base->label, p->ratio, u.p, nb, nn,
			 HB_PROBE_MIN_PCT);
	}
out:
	if (!rc)
		shared_text(base, nw, p);
	free(b);
	free(n);
	return rc;
}
