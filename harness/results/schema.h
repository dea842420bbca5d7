/*
 * The one CSV schema of results.csv (tidy: one row per cell, repetition and metric), used by
 * the writer (results.c) and every reader (rundata.c), so the two cannot drift.
 */
#ifndef HB_SCHEMA_H
#define HB_SCHEMA_H
#include <stddef.h>

#include "csvread.h"
#include "row.h"

enum hb_col {
	HB_COL_WORKLOAD,
	HB_COL_BACKING,
	HB_COL_PARAMS,
	HB_COL_REP,
	HB_COL_METRIC,
	HB_COL_VALUE,
	HB_COL_UNIT,
	HB_COL_NOTE,
	HB_NCOLS,
};

/* The column names, in file order. */
extern const char *const hb_csv_columns[HB_NCOLS];

/* Sets num and v from value: a number is all of value, as strtod reads it. */
void hb_row_type_value(struct hb_row *r);
/* "workload,backing,...,note\n" / one row, CSV-quoted where a field needs it. */
void hb_csv_header(char **buf, size_t *len, size_t *cap);
void hb_row_to_csv(const struct hb_row *r, char **buf, size_t *len, size_t *cap);
/* Checks a header row; 0, or -EINVAL with err saying which column is wrong. */
int hb_csv_check_header(const struct hb_csv_row *h, char *err, size_t errlen);
/* A parsed CSV line into r (fields point into the CSV's text). -EINVAL: too few fields. */
int hb_row_from_csv(const struct hb_csv_row *c, struct hb_row *r);
/* Appends s to buf as one CSV field (quoted when it holds a comma, quote or newline). */
void hb_csv_field(char **buf, size_t *len, size_t *cap, const char *s);

/* series/<cell>.csv, a cell's memory over time: these columns, then one per gauge slot (the
 * gauge's name, or empty), written by the run (series.c) and read by the charts. */
enum hb_series_col {
	HB_SERIES_T_S,
	HB_SERIES_PHASE,
	HB_SERIES_RSS_KIB,
	HB_SERIES_ANON_HUGE_KIB,
	HB_SERIES_HUGETLB_KIB,
	HB_SERIES_CHARGED_KIB,
	HB_SERIES_NCOLS,
};
extern const char *const hb_series_columns[HB_SERIES_NCOLS];
/* The header's columns, comma-separated (the gauges' columns and the newline follow). */
void hb_series_header(char **buf, size_t *len, size_t *cap);
/* The index of the column named name in a series file's header row, or -1. */
int hb_series_column(const struct hb_csv_row *header, const char *name);

#endif
