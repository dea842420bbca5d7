/* compare's result as a terminal table, CSV, markdown or JSON (cmp_print.h). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmp_print.h"
#include "doc.h"
#include "results.h"
#include "schema.h"

/* The figure as the report prints it; "-" when there is none. */
static void num(const struct hb_cmp_side *s, char *buf, size_t len)
{
	if (!s->n)
		snprintf(buf, len, "-");
	else
		hb_doc_num(s->st.med, buf, len);
}

static void range(const struct hb_cmp_side *s, char *buf, size_t len)
{
	char a[32], b[32];

	if (!s->n) {
		snprintf(buf, len, "-");
		return;
	}
	hb_doc_num(s->st.min, a, sizeof(a));
	hb_doc_num(s->st.max, b, sizeof(b));
	snprintf(buf, len, "%s..%s n=%zu", a, b, s->n);
}

static void change(const struct hb_cmp_line *l, char *buf, size_t len)
{
	if (isnan(l->change_pct))
		snprintf(buf, len, "-");
	else if (isinf(l->change_pct))
		snprintf(buf, len, "%s", l->change_pct > 0 ? "+inf%" : "-inf%");
	else
		snprintf(buf, len, "%+.1f%%", l->change_pct);
}

/* The evidence: the U test's p, or whether the ranges overlap. */
static void evidence(const struct hb_cmp_line *l, char *buf, size_t len)
{
	if (!isnan(l->p))
		snprintf(buf, len, "p=%.2g", l->p);
	else if (!strcmp(l->test, "ranges") || (!strcmp(l->test, "threshold")))
		snprintf(buf, len, "%s", l->overlap ? "overlap" : "apart");
	else
		snprintf(buf, len, "-");
}

#define NCOLS 12

static const char *const heads[NCOLS] = { "new",    "workload", "backing", "set",
					  "metric", "base",     "new",     "change",
					  "test",   "evidence", "verdict", "why" };

static void cells_of(const struct hb_cmp_line *l, const struct hb_cmp_run *news,
		     char c[NCOLS][256])
{
	snprintf(c[0], 256, "%s", news[l->new_index].label);
	snprintf(c[1], 256, "%s", l->workload);
	snprintf(c[2], 256, "%s", l->backing);
	snprintf(c[3], 256, "%s", l->set_label);
	snprintf(c[4], 256, "%s%s%s%s", l->metric, *l->unit ? " (" : "", l->unit,
		 *l->unit ? ")" : "");
	num(&l->base, c[5], 256);
	num(&l->new, c[6], 256);
	change(l, c[7], 256);
	snprintf(c[8], 256, "%s", l->test);
	evidence(l, c[9], 256);
	snprintf(c[10], 256, "%s", hb_cmp_verdict_name(l->verdict));
	snprintf(c[11], 256, "%s", l->why);
}

static const char *colour_of(enum hb_cmp_verdict v)
{
	switch (v) {
	case HB_CMP_WORSE:
	case HB_CMP_LOST:
		return "\033[1;31m";
	case HB_CMP_BETTER:
		return "\033[32m";
	case HB_CMP_UNKNOWN:
	case HB_CMP_CHANGED:
		return "\033[33m";
	default:
		return NULL;
	}
}

static void print_table(FILE *f, const struct hb_cmp_result *r, const struct hb_cmp_run *news,
			size_t nnew, int colour)
{
	static char c[NCOLS][256];
	int w[NCOLS] = { 0 }, first = nnew > 1 ? 0 : 1;

	for (int k = 0; k < NCOLS; k++)
		w[k] = (int)strlen(heads[k]);
	for (size_t i = 0; i < r->n; i++) {
		cells_of(&r->lines[i], news, c);
		for (int k = 0; k < NCOLS - 1; k++)
			if ((int)strlen(c[k]) > w[k])
				w[k] = (int)strlen(c[k]);
	}
	for (int k = first; k < NCOLS; k++)
		fprintf(f, "%-*s%s", k == NCOLS - 1 ? 0 : w[k], heads[k], k == NCOLS - 1 ? "\n" : "  ");
	for (size_t i = 0; i < r->n; i++) {
		const char *col = colour ? colour_of(r->lines[i].verdict) : NULL;

		cells_of(&r->lines[i], news, c);
		for (int k = first; k < NCOLS; k++) {
			int right = k >= 5 && k <= 7;

			if (k == 10 && col)
				fprintf(f, "%s%-*s\033[0m  ", col, w[k], c[k]);
			else if (k == NCOLS - 1)
				fprintf(f, "%s\n", c[k]);
			else
				fprintf(f, right ? "%*s  " : "%-*s  ", w[k], c[k]);
		}
	}
}

static void print_csv(FILE *f, const struct hb_cmp_result *r, const struct hb_cmp_run *news)
{
	static const char *const cols[] = {
		"new", "workload", "backing", "params", "metric", "unit", "base_n",
		"base_median", "base_min", "base_max", "new_n", "new_median", "new_min",
		"new_max", "change_pct", "threshold_pct", "test", "p_value", "ranges_overlap",
		"verdict", "why", NULL,
	};
	char *buf = NULL;
	size_t len = 0, cap = 0;

	for (int k = 0; cols[k]; k++) {
		hb_csv_field(&buf, &len, &cap, cols[k]);
		hb_text_append(&buf, &len, &cap, cols[k + 1] ? "," : "\n", 1);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct hb_cmp_line *l = &r->lines[i];
		char v[13][48];
		const char *f2[21];

		snprintf(v[0], 48, "%zu", l->base.n);
		snprintf(v[1], 48, "%.9g", l->base.st.med);
		snprintf(v[2], 48, "%.9g", l->base.st.min);
		snprintf(v[3], 48, "%.9g", l->base.st.max);
		snprintf(v[4], 48, "%zu", l->new.n);
		snprintf(v[5], 48, "%.9g", l->new.st.med);
		snprintf(v[6], 48, "%.9g", l->new.st.min);
		snprintf(v[7], 48, "%.9g", l->new.st.max);
		snprintf(v[8], 48, "%.6g", l->change_pct);
		snprintf(v[9], 48, "%g", l->threshold_pct);
		snprintf(v[10], 48, "%.6g", l->p);
		snprintf(v[11], 48, "%s", l->base.n && l->new.n ? (l->overlap ? "1" : "0") : "");
		for (int k = 1; k <= 3; k++)
			if (!l->base.n)
				v[k][0] = 0;
		for (int k = 5; k <= 7; k++)
			if (!l->new.n)
				v[k][0] = 0;
		if (isnan(l->change_pct))
			v[8][0] = 0;
		if (isnan(l->p))
			v[10][0] = 0;
		f2[0] = news[l->new_index].label, f2[1] = l->workload, f2[2] = l->backing;
		f2[3] = l->params, f2[4] = l->metric, f2[5] = l->unit;
		for (int k = 0; k < 10; k++)
			f2[6 + k] = v[k]; /* base_n .. threshold_pct */
		f2[16] = l->test, f2[17] = v[10], f2[18] = v[11];
		f2[19] = hb_cmp_verdict_name(l->verdict), f2[20] = l->why;
		for (int k = 0; k < 21; k++) {
			hb_csv_field(&buf, &len, &cap, f2[k]);
			hb_text_append(&buf, &len, &cap, k < 20 ? "," : "\n", 1);
		}
	}
	if (buf)
		fputs(buf, f);
	free(buf);
}

static json_t *side_json(const struct hb_cmp_side *s)
{
	json_t *vals = json_array();

	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(vals, json_real(s->v[i]));
	if (!s->n)
		return json_pack("{s:i,s:o}", "n", 0, "values", vals);
	return json_pack("{s:i,s:f,s:f,s:f,s:o}", "n", (int)s->n, "median", s->st.med, "min",
			 s->st.min, "max", s->st.max, "values", vals);
}

json_t *hb_cmp_json(const struct hb_cmp_result *r, const struct hb_cmp_run *base,
		    const struct hb_cmp_run *news, size_t nnew)
{
	json_t *lines = json_array(), *runs = json_array(), *counts = json_object();

	for (size_t k = 0; k < nnew; k++) {
		const struct hb_cmp_probe *p = &r->probe[k];
		json_t *pj = json_pack("{s:b,s:b,s:f,s:i,s:i,s:s}", "tested", p->have, "applied",
				       p->applied, "factor", p->factor, "base_probes",
				       (int)p->nbase, "new_probes", (int)p->nnew, "text", p->text);

		if (p->have) {
			json_object_set_new(pj, "ratio", json_real(p->ratio));
			json_object_set_new(pj, "cpu_ratio", json_real(p->cpu_ratio));
			json_object_set_new(pj, "load_ratio", json_real(p->load_ratio));
			json_object_set_new(pj, "p_value", json_real(p->p));
		}
		json_object_set_new(pj, "shared", json_boolean(p->shared));
		if (p->wait_base == p->wait_base) /* not NAN */
			json_object_set_new(pj, "cpu_wait_pct_base", json_real(p->wait_base));
		if (p->wait_new == p->wait_new)
			json_object_set_new(pj, "cpu_wait_pct_new", json_real(p->wait_new));
		json_array_append_new(runs, json_pack("{s:s,s:s,s:o}", "label", news[k].label,
						      "dir", news[k].dir ? news[k].dir : "",
						      "host_probe", pj));
	}
	for (int v = 0; v < HB_CMP_NVERDICTS; v++)
		json_object_set_new(counts, hb_cmp_verdict_name(v), json_integer((json_int_t)r->count[v]));
	for (size_t i = 0; i < r->n; i++) {
		const struct hb_cmp_line *l = &r->lines[i];
		json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:f,s:s,s:s,s:s}",
				      "new", news[l->new_index].label, "workload", l->workload,
				      "backing", l->backing, "params", l->params, "metric",
				      l->metric, "unit", l->unit, "base", side_json(&l->base),
				      "new_side", side_json(&l->new), "threshold_pct",
				      l->threshold_pct, "test", l->test, "verdict",
				      hb_cmp_verdict_name(l->verdict), "why", l->why);

		if (!isnan(l->change_pct) && !isinf(l->change_pct))
			json_object_set_new(j, "change_pct", json_real(l->change_pct));
		if (!isnan(l->p))
			json_object_set_new(j, "p_value", json_real(l->p));
		if (l->base.n && l->new.n)
			json_object_set_new(j, "ranges_overlap", json_boolean(l->overlap));
		json_array_append_new(lines, j);
	}
	return json_pack("{s:{s:s,s:s},s:o,s:o,s:o}", "base", "label", base->label, "dir",
			 base->dir ? base->dir : "", "new", runs, "counts", counts, "lines", lines);
}

void hb_cmp_table_doc(struct hb_doc *d, const struct hb_cmp_result *r,
		      const struct hb_cmp_run *news, size_t nnew)
{
	static char c[NCOLS][256];
	const char *row[NCOLS];
	int first = nnew > 1 ? 0 : 1;

	hb_doc_table_start(d);
	hb_doc_row(d, heads + first, NCOLS - first, 1);
	for (size_t i = 0; i < r->n; i++) {
		cells_of(&r->lines[i], news, c);
		for (int k = 0; k < NCOLS; k++)
			row[k] = c[k];
		/* the median, then its range: "306 (287..381 n=5)" */
		for (int s = 5; s <= 6; s++) {
			char med[64], rg[128];
			const struct hb_cmp_side *sd = s == 5 ? &r->lines[i].base : &r->lines[i].new;

			num(sd, med, sizeof(med));
			range(sd, rg, sizeof(rg));
			snprintf(c[s], 256, sd->n ? "%s (%s)" : "%s", med, rg);
		}
		hb_doc_row(d, row + first, NCOLS - first, 0);
	}
	hb_doc_table_end(d);
}

int hb_cmp_print(FILE *f, enum hb_cmp_format fmt, const struct hb_cmp_result *r,
		 const struct hb_cmp_run *base, const struct hb_cmp_run *news, size_t nnew,
		 int colour)
{
	json_t *j;
	int rc = 0;

	switch (fmt) {
	case HB_CMP_TABLE:
		print_table(f, r, news, nnew, colour);
		break;
	case HB_CMP_CSV:
		print_csv(f, r, news);
		break;
	case HB_CMP_MD: {
		struct hb_doc d = { f, fopen("/dev/null", "w") };

		if (!d.html)
			return -EIO;
		hb_cmp_table_doc(&d, r, news, nnew);
		fclose(d.html);
		break;
	}
	case HB_CMP_JSON:
		j = hb_cmp_json(r, base, news, nnew);
		rc = j ? json_dumpf(j, f, JSON_INDENT(1)) : -ENOMEM;
		fputc('\n', f);
		json_decref(j);
		break;
	}
	return rc;
}
