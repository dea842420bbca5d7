/*
 * The declared rows (results/metrics.h) as people read them: in `hugebench WORKLOAD --help`
 * (and so the man page), as the Markdown tables of the docs, and the check of a run's
 * results.csv against them. `hugebench __metrics` is the command behind the man page's table,
 * the docs' tables (tests/e2e/metrics.sh) and `make check-metrics`.
 */
#ifndef HB_METRICS_DOC_H
#define HB_METRICS_DOC_H
#include <stddef.h>
#include <stdio.h>

#include "workload.h"

/* The rows of w (NULL: the harness's own), as `WORKLOAD --help` lists them. */
void hb_metrics_help(const struct hb_workload *w, FILE *f);
/* A workload's --help section: a heading, its rows, then the names of the harness's. */
void hb_metrics_help_section(const struct hb_workload *w, FILE *f);
/* The table of w (NULL: the harness's), between its begin and end markers
 * (<!-- metrics:begin NAME --> ... <!-- metrics:end -->), as the docs hold it. */
void hb_metrics_markdown(const struct hb_workload *w, FILE *f);
/*
 * Every row of the run directory dir checked against the declarations of its workload and the
 * harness's (hb_metric_check): each undeclared name or unit is printed once on out. 0 with
 * *rows and *bad (distinct problems) set, or -errno with err saying why dir cannot be read.
 */
int hb_metrics_check_run(const char *dir, FILE *out, size_t *rows, size_t *bad, char *err,
			 size_t len);
/* argv[0] is "__metrics": list NAME | markdown NAME | check DIR, NAME a workload or
 * "harness". Returns an exit code: check is 1 when a row is not declared. */
int hb_cmd_metrics(int argc, char **argv);

#endif
