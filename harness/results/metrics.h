/*
 * Every row name of results.csv is declared: a workload's in its outputs (outputs.h, struct
 * hb_metric_def), the harness's own here, in one table. A row no declaration matches is a bug
 * the unit test over every workload (tests/unit/test_metrics.c) and `hugebench __metrics check
 * DIR` (a real run's results) find.
 */
#ifndef HB_METRICS_H
#define HB_METRICS_H
#include <stddef.h>

#include "workload.h"

/* Written by each cell (child/ctx_child.c): how long it waited for a CPU; compare reads it to
 * tell a shared host from a slower one (compare/hostprobe.c). */
#define HB_CPU_WAIT_METRIC "cpu_wait_pct"

/* The rows the harness writes with names of its own, for any workload; ends with { NULL }. */
extern const struct hb_metric_def hb_harness_metrics[];

/* 1 when name fits pattern, where each <word> of pattern stands for any non-empty text. */
int hb_metric_pattern_match(const char *pattern, const char *name);
/* The declaration of defs (ending with { NULL }; NULL: none) that name fits, or NULL: the one
 * of that very name, else the first pattern it fits. */
const struct hb_metric_def *hb_metric_find(const struct hb_metric_def *defs, const char *name);

/*
 * Whether a row of workload w (NULL: a workload this binary lacks) is declared, by w or by the
 * harness: 0; -ENOENT when no declaration matches its name; -EINVAL when one does but the
 * row's unit is not the declared one (a numeric row must carry it; a text row, num 0, may
 * carry none). why says which, naming the row.
 */
int hb_metric_check(const struct hb_workload *w, const char *name, const char *unit, int num,
		    char *why, size_t len);

#endif
