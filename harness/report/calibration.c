/*
 * calibration.csv and what its figures say (calibration.h). What counts as agreement is a
 * rule per metric name: memory figures after the drain must agree within 20%, fork time per
 * GiB within a factor of 1.5, every other figure (copied memory, latency) within a factor of
 * 2. The ordering compares each backing with the first one of the metric (4k), on both
 * sides.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calibration.h"
#include "results.h"

#define SAME_PCT 0.02 /* a difference within 2% is no ordering */

static const struct rule {
	const char *name; /* the metric, or when it starts with '_' a suffix of it */
	double lo, hi;	  /* simulated / real in [lo, hi] agrees */
	const char *within;
	int vs_one; /* a ratio of two figures: both sides must also be on the same side of 1 */
} rules[] = {
	{ "charged_per_rss_after_drain", 0.8, 1.2, "within 20%", 1 },
	{ "_after_drain", 0.8, 1.2, "within 20%", 0 },
	/* the figure a backing is chosen on for a forking service: a tighter bar */
	{ "fork_ms_per_gib", 1 / 1.5, 1.5, "within 1.5x", 0 },
	{ NULL, 0.5, 2.0, "within 2x", 0 },
};

static const struct rule *rule_of(const char *metric)
{
	size_t n = strlen(metric);
	const struct rule *r;

	for (r = rules; r->name; r++) {
		size_t k = strlen(r->name);

		if (r->name[0] == '_' ? n >= k && !strcmp(metric + n - k, r->name) :
					!strcmp(metric, r->name))
			break;
	}
	return r;
}

int hb_cal_add(struct hb_cal *c, const char *metric, const char *backing, int has_real,
	       double real, int has_sim, double sim)
{
	struct hb_cal_row *r;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;

		r = realloc(c->rows, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		c->rows = r;
		c->cap = cap;
	}
	r = &c->rows[c->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->metric, sizeof(r->metric), "%s", metric);
	snprintf(r->backing, sizeof(r->backing), "%s", backing);
	r->has_real = has_real;
	r->real = has_real ? real : 0;
	r->has_sim = has_sim;
	r->sim = has_sim ? sim : 0;
	return 0;
}

void hb_cal_set_pairs(struct hb_cal *c, int n, double med, double min, double max)
{
	struct hb_cal_row *r = c->n ? &c->rows[c->n - 1] : NULL;

	if (!r || n < 1)
		return;
	r->pairs = n;
	r->ratio = med;
	r->ratio_min = min;
	r->ratio_max = max;
}

void hb_cal_free(struct hb_cal *c)
{
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* The paired ratio; else simulated / real, when both are there and real is not 0. */
int hb_cal_ratio(const struct hb_cal_row *r, double *q)
{
	if (!r->has_real || !r->has_sim)
		return 0;
	if (r->pairs) {
		*q = r->ratio;
		return 1;
	}
	if (r->real == 0)
		return 0;
	*q = r->sim / r->real;
	return 1;
}

int hb_cal_write_csv(const struct hb_cal *c, const char *dir)
{
	char *buf = NULL, path[PATH_MAX + 32];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (!f)
		return -ENOMEM;
	fprintf(f, "metric,backing,real,simulated,ratio,ratio_min,ratio_max,pairs\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct hb_cal_row *r = &c->rows[i];
		double q;

		fprintf(f, "%s,%s,", r->metric, r->backing);
		if (r->has_real)
			fprintf(f, "%.10g", r->real);
		fprintf(f, ",");
		if (r->has_sim)
			fprintf(f, "%.10g", r->sim);
		fprintf(f, ",");
		if (hb_cal_ratio(r, &q))
			fprintf(f, "%.6g", q);
		if (r->pairs && r->has_real && r->has_sim)
			fprintf(f, ",%.6g,%.6g,%d\n", r->ratio_min, r->ratio_max, r->pairs);
		else
			fprintf(f, ",,,0\n");
	}
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/calibration.csv", dir);
	rc = hb_atomic_write(path, buf, len);
	free(buf);
	return rc;
}

/* An empty field is a missing figure; anything else must be a number. */
static int field_num(const char *s, int *has, double *v)
{
	char *end;

	*has = 0;
	if (!*s)
		return 0;
	*v = strtod(s, &end);
	if (*end || !isfinite(*v))
		return -EINVAL;
	*has = 1;
	return 0;
}

int hb_cal_read_csv(const char *dir, struct hb_cal *c, char *err, size_t errlen)
{
	static const char *const head[] = { "metric",	 "backing",   "real",	   "simulated",
					    "ratio",	 "ratio_min", "ratio_max", "pairs" };
	char path[PATH_MAX + 32];
	struct hb_csv csv;
	size_t bad = 0, ncol;
	int rc;

	memset(c, 0, sizeof(*c));
	snprintf(path, sizeof(path), "%s/calibration.csv", dir);
	rc = hb_csv_read(path, &csv, &bad);
	if (rc == -ENOENT)
		return rc;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, rc == -EINVAL ? "a quote left open" :
			 strerror(-rc));
		return rc;
	}
	rc = -EINVAL;
	/* 5 columns: a file from before the paired ratio */
	if (!csv.n || (csv.rows[0].n != 5 && csv.rows[0].n != 8)) {
		snprintf(err, errlen, "%s:1: expected the header metric,backing,real,simulated,"
			 "ratio,ratio_min,ratio_max,pairs", path);
		goto out;
	}
	ncol = csv.rows[0].n;
	for (size_t k = 0; k < ncol; k++)
		if (strcmp(csv.rows[0].f[k], head[k])) {
			snprintf(err, errlen, "%s:1: column %zu is '%s', expected '%s'", path,
				 k + 1, csv.rows[0].f[k], head[k]);
			goto out;
		}
	for (size_t i = 1; i < csv.n; i++) {
		const struct hb_csv_row *w = &csv.rows[i];
		double real = 0, sim = 0, q[3] = { 0 };
		int hr, hs, hq[3] = { 0 };
		char *end;
		long pairs = 0;

		if (w->n == 1 && !*w->f[0])
			continue;
		if (w->n != ncol || !*w->f[0] || !*w->f[1]) {
			snprintf(err, errlen, "%s:%zu: expected %zu fields with a metric and a "
				 "backing", path, i + 1, ncol);
			goto out;
		}
		if (ncol == 8) {
			pairs = strtol(w->f[7], &end, 10);
			if (*end || end == w->f[7] || pairs < 0 || field_num(w->f[4], &hq[0], &q[0]) ||
			    field_num(w->f[5], &hq[1], &q[1]) || field_num(w->f[6], &hq[2], &q[2]) ||
			    (pairs && !(hq[0] && hq[1] && hq[2]))) {
				snprintf(err, errlen, "%s:%zu: ratio '%s' [%s-%s] over '%s' pairs: "
					 "expected numbers and a whole count", path, i + 1, w->f[4],
					 w->f[5], w->f[6], w->f[7]);
				goto out;
			}
		}
		if (field_num(w->f[2], &hr, &real) || field_num(w->f[3], &hs, &sim)) {
			snprintf(err, errlen, "%s:%zu: real '%s' or simulated '%s' is not a number",
				 path, i + 1, w->f[2], w->f[3]);
			goto out;
		}
		if (hb_cal_add(c, w->f[0], w->f[1], hr, real, hs, sim)) {
			snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
		hb_cal_set_pairs(c, (int)pairs, q[0], q[1], q[2]);
	}
	rc = 0;
out:
	hb_csv_free(&csv);
	if (rc)
		hb_cal_free(c);
	return rc;
}

/* Distinct metrics in order of appearance. */
size_t hb_cal_metrics(const struct hb_cal *c, const char **out, size_t max)
{
	size_t n = 0, j;

	for (size_t i = 0; i < c->n; i++) {
		for (j = 0; j < n && strcmp(out[j], c->rows[i].metric); j++)
			;
		if (j == n && n < max)
			out[n++] = c->rows[i].metric;
	}
	return n;
}

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;

	if (off >= len - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

/* "yes: 4k 1.2x, thp-always 0.91x (within 2x)"; returns 1 when every backing agrees. */
int hb_cal_agreement(const struct hb_cal *c, const char *metric, char *buf, size_t len)
{
	const struct rule *ru = rule_of(metric);
	char list[600] = "", why[300] = "";
	int bad = 0, missing = 0;

	for (size_t i = 0; i < c->n; i++) {
		const struct hb_cal_row *r = &c->rows[i];
		double q;

		if (strcmp(r->metric, metric))
			continue;
		if (!r->has_real || !r->has_sim) {
			missing++;
			append(why, sizeof(why), "%s%s: no %s figure", why[0] ? "; " : "",
			       r->backing, !r->has_real ? "real" : "simulated");
			continue;
		}
		if (!hb_cal_ratio(r, &q)) {
			bad += r->sim != 0;
			append(list, sizeof(list), "%s%s real 0, simulated %.3g",
			       list[0] ? ", " : "", r->backing, r->sim);
			continue;
		}
		append(list, sizeof(list), "%s%s %.3gx", list[0] ? ", " : "", r->backing, q);
		if (q < ru->lo || q > ru->hi) {
			bad++;
		} else if (ru->vs_one && (r->real > 1) != (r->sim > 1)) {
			bad++;
			append(list, sizeof(list), " but %s 1 on the real side only",
			       r->real > 1 ? "above" : "not above");
		}
	}
	snprintf(buf, len, "%s", bad ? "no" : missing ? "cannot tell" : list[0] ? "yes" :
		 "cannot tell");
	if (list[0])
		append(buf, len, ": %s (to agree: %s%s)", list, ru->within,
		       ru->vs_one ? ", both above 1 or both not" : "");
	if (why[0])
		append(buf, len, "%s%s", list[0] ? "; " : ": ", why);
	return !bad && !missing && list[0];
}

static int order(double ref, double v)
{
	double m = fmax(fabs(ref), fabs(v));

	if (m == 0 || fabs(v - ref) / m < SAME_PCT)
		return 0;
	return v > ref ? 1 : -1;
}

static const char *order_word(int o)
{
	return o > 0 ? "higher" : o < 0 ? "lower" : "about equal";
}

/* "same: thp-always lower on both sides"; returns 1 when every backing has the same order. */
int hb_cal_ordering(const struct hb_cal *c, const char *metric, char *buf, size_t len)
{
	const struct hb_cal_row *ref = NULL;
	int differs = 0, missing = 0, compared = 0;
	char list[600] = "";

	for (size_t i = 0; i < c->n; i++) {
		const struct hb_cal_row *r = &c->rows[i];
		int ro, so;

		if (strcmp(r->metric, metric))
			continue;
		if (!ref) {
			ref = r;
			continue;
		}
		if (!ref->has_real || !ref->has_sim || !r->has_real || !r->has_sim) {
			missing++;
			continue;
		}
		compared++;
		ro = order(ref->real, r->real);
		so = order(ref->sim, r->sim);
		differs += ro != so;
		if (ro == so)
			append(list, sizeof(list), "%s%s against %s: %s on both sides",
			       list[0] ? "; " : "", r->backing, ref->backing, order_word(ro));
		else
			append(list, sizeof(list), "%s%s against %s: %s (real), %s (simulated)",
			       list[0] ? "; " : "", r->backing, ref->backing, order_word(ro),
			       order_word(so));
		/* how much, not only which way: the ratio each side puts between the backings */
		if (ref->real > 0 && ref->sim > 0)
			append(list, sizeof(list), " (%s / %s: real %.3g, simulated %.3g",
			       r->backing, ref->backing, r->real / ref->real, r->sim / ref->sim);
		/* the same from the paired ratios, where the drift between repetitions cancels */
		if (ref->real > 0 && ref->sim > 0 && r->pairs && ref->pairs && ref->ratio != 0)
			append(list, sizeof(list), "; simulated / real of that, paired: %.3gx",
			       r->ratio / ref->ratio);
		if (ref->real > 0 && ref->sim > 0)
			append(list, sizeof(list), ")");
	}
	if (!ref || (!compared && !missing)) {
		snprintf(buf, len, "cannot tell: one backing only");
		return 0;
	}
	snprintf(buf, len, "%s", differs ? "differs" : missing ? "cannot tell" : "same");
	if (list[0])
		append(buf, len, ": %s", list);
	if (missing)
		append(buf, len, "%sa figure is missing", list[0] ? "; " : ": ");
	return !differs && !missing;
}
