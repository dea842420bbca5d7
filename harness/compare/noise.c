/* Thresholds from K runs' spread (noise.h; the rule in compare.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "noise.h"

/* The largest change between two of the medians, in %: INFINITY from 0 to anything else. */
static double spread_pct(const double *medians, size_t k)
{
	double lo = INFINITY, hi = -INFINITY;

	for (size_t i = 0; i < k; i++) {
		lo = fmin(lo, fabs(medians[i]));
		hi = fmax(hi, fabs(medians[i]));
	}
	return hi == lo ? 0 : lo == 0 ? INFINITY : (hi - lo) / lo * 100;
}

double hb_noise_threshold(const double *medians, size_t k, enum hb_metric_kind kind)
{
	double pct;

	if (k < 2)
		return NAN;
	pct = ceil(fmin(spread_pct(medians, k) * HB_NOISE_SAFETY, HB_NOISE_MAX_PCT) - 1e-9);
	return fmax(pct, hb_cmp_default_threshold(kind));
}

/* The entry of key, added when new. NULL: out of memory. */
static struct hb_noise_entry *entry(struct hb_noise_fit *f, const char *key, int cell,
				    size_t *cap)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->e[i].cell == cell && !strcmp(f->e[i].key, key))
			return &f->e[i];
	if (f->n == *cap) {
		size_t c = *cap ? *cap * 2 : 64;
		struct hb_noise_entry *e = realloc(f->e, c * sizeof(*e));

		if (!e)
			return NULL;
		f->e = e, *cap = c;
	}
	memset(&f->e[f->n], 0, sizeof(f->e[0]));
	snprintf(f->e[f->n].key, sizeof(f->e[0].key), "%s", key);
	f->e[f->n].cell = cell;
	f->e[f->n].pct = -1;
	return &f->e[f->n++];
}

int hb_noise_fit(const struct hb_cmp_run *runs, size_t k, struct hb_noise_fit *fit, char *err,
		 size_t errlen)
{
	struct hb_cmp_opts o = { .no_probe = 1 };
	struct hb_cmp_result r;
	double med[HB_CMP_MAX_NEW + 1];
	size_t cap = 0;
	int rc;

	memset(fit, 0, sizeof(*fit));
	if (k < 2 || k > HB_CMP_MAX_NEW + 1) {
		snprintf(err, errlen, "%zu runs: the spread between runs needs 2 to %d", k,
			 HB_CMP_MAX_NEW + 1);
		return -EINVAL;
	}
	rc = hb_compare(&runs[0], runs + 1, k - 1, &o, &r, err, errlen);
	if (rc)
		return rc == -ENOMEM ? rc : -EINVAL;
	fit->runs = k;
	/* The lines of new run 0 lead; each cell's other runs are the lines with its key. */
	for (size_t i = 0; i < r.n && !rc; i++) {
		const struct hb_cmp_line *l = &r.lines[i];
		struct hb_noise_entry *c, *m;
		char key[256];
		size_t nm = 0;
		double pct, change;

		if (l->new_index || !l->base.n || !l->new.n)
			continue;
		med[nm++] = l->base.st.med;
		med[nm++] = l->new.st.med;
		for (size_t j = 0; j < r.n; j++) {
			const struct hb_cmp_line *x = &r.lines[j];

			if (x->new_index && x->new.n && !strcmp(x->workload, l->workload) &&
			    !strcmp(x->backing, l->backing) && !strcmp(x->metric, l->metric) &&
			    !strcmp(x->params, l->params))
				med[nm++] = x->new.st.med;
		}
		if (nm < k)
			continue; /* not measured in every run: no spread to fit */
		pct = hb_noise_threshold(med, nm, l->kind);
		change = spread_pct(med, nm);
		snprintf(key, sizeof(key), "%s/%s/%s", l->workload, l->backing, l->metric);
		c = entry(fit, key, 1, &cap);
		m = c ? entry(fit, l->metric, 0, &cap) : NULL;
		if (!m) {
			rc = -ENOMEM;
			break;
		}
		c = NULL; /* entry() may have moved the array: find it again */
		for (size_t j = 0; j < fit->n; j++)
			if (fit->e[j].cell && !strcmp(fit->e[j].key, key))
				c = &fit->e[j];
		/* two parameter sets of one workload and backing: the larger of their needs */
		if (pct > c->pct)
			c->pct = pct, c->change_pct = change;
		if (pct > m->pct)
			m->pct = pct, m->change_pct = change;
	}
	hb_cmp_result_free(&r);
	if (!rc && !fit->n) {
		snprintf(err, errlen, "no figure is measured in all %zu runs", k);
		rc = -EINVAL;
	}
	if (rc) {
		hb_noise_fit_free(fit);
		return rc;
	}
	/* cells first, in order; the metric-wide entries after them (first match wins) */
	{
		struct hb_noise_entry *s = malloc(fit->n * sizeof(*s));
		size_t n = 0;

		if (!s) {
			hb_noise_fit_free(fit);
			return -ENOMEM;
		}
		for (int pass = 1; pass >= 0; pass--)
			for (size_t i = 0; i < fit->n; i++)
				if (fit->e[i].cell == pass)
					s[n++] = fit->e[i];
		free(fit->e);
		fit->e = s;
	}
	return 0;
}

void hb_noise_fit_free(struct hb_noise_fit *fit)
{
	free(fit->e);
	memset(fit, 0, sizeof(*fit));
}
