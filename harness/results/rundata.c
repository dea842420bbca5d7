#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hypervisor.h"
#include "rundata.h"
#include "schema.h"
#include "stats.h"
#include "units.h"

static void make_machine(struct hb_rundata *d)
{
	const struct hb_machine_record *m = &d->rec;
	const char *r = m->kernel.release ? m->kernel.release : "kernel ?";
	const char *hv = m->hypervisor.name;
	char rel[64];

	/* Records from before the plain name was kept: the same table. */
	if (!hv)
		hv = hb_hypervisor_name(m->hypervisor.vendor);
	snprintf(d->hypervisor, sizeof(d->hypervisor), "%s", hv);
	hv = strcmp(d->hypervisor, "none") ? d->hypervisor : NULL;

	/* "6.18.44-fc-v669" -> "6.18.44": the title has no room for the build tag. */
	snprintf(rel, sizeof(rel), "%.*s", (int)strcspn(r, "-+ "), r);
	snprintf(d->machine, sizeof(d->machine), "%s (%d CPUs%s%s), Linux %s, THP %s",
		 m->cpu.model ? m->cpu.model : "CPU ?", m->cpu.has_online_cpus ?
		 m->cpu.online_cpus : 0, hv ? ", " : "", hv ? hv : "", rel,
		 m->thp.enabled ? m->thp.enabled : "?");
}

int hb_rundata_load(const char *dir, struct hb_rundata *d, char *err, size_t errlen)
{
	char path[PATH_MAX + 32], msg[256];
	size_t bad = 0;
	int rc;

	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/results.csv", dir);
	rc = hb_csv_read(path, &d->csv, &bad);
	if (rc == -EINVAL) {
		snprintf(err, errlen, "%s: a quoted field opened on line %zu never closes", path,
			 bad);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s (is %s a hugebench results directory?)", path,
			 strerror(-rc), dir);
		return rc;
	}
	if (!d->csv.n) {
		snprintf(err, errlen, "%s: empty; expected a header row", path);
		hb_csv_free(&d->csv);
		return -EINVAL;
	}
	if (hb_csv_check_header(&d->csv.rows[0], msg, sizeof(msg))) {
		snprintf(err, errlen, "%s: %s", path, msg);
		hb_csv_free(&d->csv);
		return -EINVAL;
	}
	d->rows = calloc(d->csv.n, sizeof(*d->rows));
	if (!d->rows) {
		hb_csv_free(&d->csv);
		return -ENOMEM;
	}
	for (size_t i = 1; i < d->csv.n; i++)
		if (!hb_row_from_csv(&d->csv.rows[i], &d->rows[d->n]))
			d->n++; /* else a blank or cut line */
	snprintf(path, sizeof(path), "%s/meta.json", dir);
	/* A record that cannot be read is a note, not a failure: the rows still chart. */
	(void)hb_record_load(path, &d->rec, d->meta_note, sizeof(d->meta_note));
	make_machine(d);
	return 0;
}

void hb_rundata_free(struct hb_rundata *d)
{
	free(d->rows);
	hb_csv_free(&d->csv);
	hb_record_free(&d->rec);
	d->rows = NULL;
}

void hb_rundata_stat(const struct hb_rundata *d, const char *workload, const char *backing,
		     const char *params, const char *metric, struct hb_stat *st)
{
	double v[1024];
	struct hb_stats s;
	int n = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < d->n && n < 1024; i++) {
		const struct hb_row *r = &d->rows[i];

		if (!r->num || strcmp(r->metric, metric) || strcmp(r->workload, workload) ||
		    (backing && strcmp(r->backing, backing)) ||
		    (params && strcmp(r->params, params)))
			continue;
		v[n++] = r->v;
		st->unit = r->unit;
	}
	if (hb_stats_of(v, (size_t)n, &s))
		return;
	st->n = n;
	st->min = s.min;
	st->max = s.max;
	st->med = s.med;
}

size_t hb_rundata_reps(const struct hb_rundata *d, const char *workload, const char *backing,
		       const char *params, const char *metric, int *rep, double *v, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < d->n && k < max; i++) {
		const struct hb_row *r = &d->rows[i];
		size_t j;

		if (!r->num || strcmp(r->metric, metric) || strcmp(r->workload, workload) ||
		    strcmp(r->backing, backing) || strcmp(r->params, params))
			continue;
		for (j = 0; j < k && rep[j] != r->rep; j++)
			;
		if (j < k)
			continue;
		rep[k] = r->rep;
		v[k++] = r->v;
	}
	return k;
}

static size_t distinct(const struct hb_rundata *d, const char *workload, int col,
		       const char **out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct hb_row *r = &d->rows[i];
		const char *s = col ? r->params : r->backing;
		size_t j;

		if (workload && strcmp(r->workload, workload))
			continue;
		for (j = 0; j < k && strcmp(out[j], s); j++)
			;
		if (j == k && k < max)
			out[k++] = s;
	}
	return k;
}

size_t hb_rundata_backings(const struct hb_rundata *d, const char *workload, const char **out,
			   size_t max)
{
	size_t k = distinct(d, workload, 0, out, max);

	for (size_t j = 1; j < k; j++)
		if (!strcmp(out[j], "4k")) {
			const char *t = out[j];

			memmove(out + 1, out, j * sizeof(*out));
			out[0] = t;
		}
	return k;
}

size_t hb_rundata_params(const struct hb_rundata *d, const char *workload, const char **out,
			 size_t max)
{
	return distinct(d, workload, 1, out, max);
}

int hb_rundata_has(const struct hb_rundata *d, const char *workload)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->rows[i].num && !strcmp(d->rows[i].workload, workload))
			return 1;
	return 0;
}
