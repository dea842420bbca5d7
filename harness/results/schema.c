#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "text.h"

const char *const hb_csv_columns[HB_NCOLS] = {
	[HB_COL_WORKLOAD] = "workload", [HB_COL_BACKING] = "backing", [HB_COL_PARAMS] = "params",
	[HB_COL_REP] = "rep",		[HB_COL_METRIC] = "metric",   [HB_COL_VALUE] = "value",
	[HB_COL_UNIT] = "unit",		[HB_COL_NOTE] = "note",
};

void hb_row_type_value(struct hb_row *r)
{
	char *end;

	r->v = strtod(r->value, &end);
	/* "nan", "inf" or "1e999" from a file made elsewhere is text, not a figure: it would
	 * poison every median and chart range it entered. */
	r->num = *r->value && !*end && isfinite(r->v);
	if (!r->num)
		r->v = 0;
}

void hb_csv_field(char **buf, size_t *len, size_t *cap, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		hb_text_append(buf, len, cap, s, strlen(s));
		return;
	}
	hb_text_append(buf, len, cap, "\"", 1);
	for (; *s; s++) {
		if (*s == '"')
			hb_text_append(buf, len, cap, "\"", 1);
		hb_text_append(buf, len, cap, s, 1);
	}
	hb_text_append(buf, len, cap, "\"", 1);
}

void hb_csv_header(char **buf, size_t *len, size_t *cap)
{
	for (int c = 0; c < HB_NCOLS; c++) {
		if (c)
			hb_text_append(buf, len, cap, ",", 1);
		hb_text_append(buf, len, cap, hb_csv_columns[c], strlen(hb_csv_columns[c]));
	}
	hb_text_append(buf, len, cap, "\n", 1);
}

void hb_row_to_csv(const struct hb_row *r, char **buf, size_t *len, size_t *cap)
{
	const char *f[HB_NCOLS];
	char rep[16];

	snprintf(rep, sizeof(rep), "%d", r->rep);
	f[HB_COL_WORKLOAD] = r->workload;
	f[HB_COL_BACKING] = r->backing;
	f[HB_COL_PARAMS] = r->params;
	f[HB_COL_REP] = rep;
	f[HB_COL_METRIC] = r->metric;
	f[HB_COL_VALUE] = r->value;
	f[HB_COL_UNIT] = r->unit;
	f[HB_COL_NOTE] = r->note;
	for (int c = 0; c < HB_NCOLS; c++) {
		if (c)
			hb_text_append(buf, len, cap, ",", 1);
		hb_csv_field(buf, len, cap, f[c]);
	}
	hb_text_append(buf, len, cap, "\n", 1);
}

int hb_csv_check_header(const struct hb_csv_row *h, char *err, size_t errlen)
{
	for (int c = 0; c < HB_NCOLS; c++) {
		if ((size_t)c < h->n && !strcmp(h->f[c], hb_csv_columns[c]))
			continue;
		if ((size_t)c >= h->n)
			snprintf(err, errlen, "column %d is missing, expected '%s'", c + 1,
				 hb_csv_columns[c]);
		else
			snprintf(err, errlen, "column %d is '%s', expected '%s'", c + 1, h->f[c],
				 hb_csv_columns[c]);
		return -EINVAL;
	}
	return 0;
}

int hb_row_from_csv(const struct hb_csv_row *c, struct hb_row *r)
{
	if (c->n < HB_NCOLS)
		return -EINVAL;
	r->workload = c->f[HB_COL_WORKLOAD];
	r->backing = c->f[HB_COL_BACKING];
	r->params = c->f[HB_COL_PARAMS];
	r->rep = atoi(c->f[HB_COL_REP]);
	r->metric = c->f[HB_COL_METRIC];
	r->value = c->f[HB_COL_VALUE];
	r->unit = c->f[HB_COL_UNIT];
	r->note = c->f[HB_COL_NOTE];
	hb_row_type_value(r);
	return 0;
}

const char *const hb_series_columns[HB_SERIES_NCOLS] = {
	[HB_SERIES_T_S] = "t_s",
	[HB_SERIES_PHASE] = "phase",
	[HB_SERIES_RSS_KIB] = "rss_kib",
	[HB_SERIES_ANON_HUGE_KIB] = "anon_huge_kib",
	[HB_SERIES_HUGETLB_KIB] = "hugetlb_kib",
	[HB_SERIES_CHARGED_KIB] = "charged_kib",
};

void hb_series_header(char **buf, size_t *len, size_t *cap)
{
	for (int c = 0; c < HB_SERIES_NCOLS; c++) {
		if (c)
			hb_text_append(buf, len, cap, ",", 1);
		hb_text_append(buf, len, cap, hb_series_columns[c], strlen(hb_series_columns[c]));
	}
}

int hb_series_column(const struct hb_csv_row *header, const char *name)
{
	for (size_t i = 0; i < header->n; i++)
		if (!strcmp(header->f[i], name))
			return (int)i;
	return -1;
}
