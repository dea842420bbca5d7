/*
 * `hugebench inspect`'s outputs from its samples (inspect_read.h): the findings (rules declared
 * as data, inspect_findings.c), the aligned terminal summary, the JSON document, and with
 * --out DIR: inspect.csv (tidy), inspect.png (gnuplot) and inspect.md.
 */
#ifndef HB_INSPECT_REPORT_H
#define HB_INSPECT_REPORT_H
#include <stdio.h>

#include "inspect_read.h"

#define HB_INSPECT_MAX_FINDINGS 16

struct hb_inspect_finding {
	const char *id;
	double figure;	   /* the figure the rule compared with its threshold */
	char text[512];	   /* plain words, with the figure */
	char setting[512]; /* the setting that changes it */
};

/* A rule: what it looks for, its threshold, and the function that measures it on a sample
 * (1 and the finding's text when it applies). */
struct hb_inspect_rule {
	const char *id;
	const char *looks_for; /* one line, for the docs and --help */
	double threshold;
	int (*measure)(const struct hb_inspect *s, const struct hb_inspect_rule *r,
		       struct hb_inspect_finding *f);
	/* for the measures that take their words from the row: the THP mode it is about, the
	 * finding's text (a printf format of the figure) and the setting */
	const char *mode, *text, *setting;
};

extern const struct hb_inspect_rule hb_inspect_rules[]; /* ends with { 0 } */

/* The findings of s into f (at most max); how many. */
unsigned hb_inspect_findings(const struct hb_inspect *s, struct hb_inspect_finding *f,
			     unsigned max);
/* The rules as a list, for --help. */
void hb_inspect_rules_help(FILE *f);

/* The folio row name of an order: folio_kib_4k, folio_kib_64k, folio_kib_2m (as the cells'). */
void hb_inspect_order_name(unsigned order, char *buf, size_t len);

void hb_inspect_print(const struct hb_inspect *s, FILE *f);
/* One line per --watch sample. */
void hb_inspect_print_line(const struct hb_inspect *s, FILE *f);
/* The JSON document of s (a json_t *). */
void *hb_inspect_json(const struct hb_inspect *s);

/* --out DIR: the tidy CSV's header and the rows of one sample. */
void hb_inspect_csv_header(FILE *f);
void hb_inspect_csv_rows(const struct hb_inspect *s, FILE *f);
/* DIR/inspect.png from DIR/inspect.csv, with the charged and zero-share panels when asked;
 * 0, or -errno with why (no gnuplot, gnuplot failed). */
int hb_inspect_chart(const char *dir, int have_charged, int have_zero, char *why, size_t len);
/* Whether a sample has a charged figure and a zero share (the chart's panels). */
int hb_inspect_has_charged(const struct hb_inspect *s);
int hb_inspect_has_zero(const struct hb_inspect *s);
/* DIR/inspect.md: the last sample's summary, the findings, the chart. */
int hb_inspect_markdown(const char *dir, const struct hb_inspect *last, unsigned samples,
			int chart_made, const char *chart_why);

#endif
