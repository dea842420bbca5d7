/* The declared rows in --help, in Markdown, and the check of a run against them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "metrics.h"
#include "metrics_doc.h"
#include "rundata.h"

static const char *kind_name(const struct hb_metric_def *d)
{
	static const char *const names[] = {
		[HB_KIND_TIME] = "time",     [HB_KIND_RATE] = "rate",   [HB_KIND_MEMORY] = "memory",
		[HB_KIND_COUNT] = "count",   [HB_KIND_SHARE] = "share",  [HB_KIND_TAIL] = "tail",
	};

	if (d->kind == HB_KIND_AUTO)
		return *d->unit ? "by unit" : "text";
	return names[d->kind];
}

static const char *better_name(enum hb_better b)
{
	return b == HB_LOWER ? "lower" : b == HB_HIGHER ? "higher" : "";
}

static const struct hb_metric_def *defs_of(const struct hb_workload *w)
{
	return w ? (hb_workload_outputs(w) ? hb_workload_outputs(w)->metrics : NULL) : hb_harness_metrics;
}

void hb_metrics_help(const struct hb_workload *w, FILE *f)
{
	for (const struct hb_metric_def *d = defs_of(w); d && d->name; d++) {
		fprintf(f, "  %-32s %-8s %s", d->name, *d->unit ? d->unit : "-", kind_name(d));
		if (d->better != HB_NEITHER)
			fprintf(f, ", %s is better", better_name(d->better));
		fprintf(f, "\n  %16s %s\n", "", d->meaning);
	}
}

/* The names of the harness's rows on one wrapped paragraph, after a workload's own. */
static void harness_names(FILE *f)
{
	size_t col = 0;

	fprintf(f, "and the harness's rows of every cell (`man hugebench`, RESULT ROWS):\n");
	for (const struct hb_metric_def *d = hb_harness_metrics; d->name; d++) {
		size_t n = strlen(d->name) + (d[1].name ? 1 : 0);

		if (col && col + 1 + n > 88) {
			fputc('\n', f);
			col = 0;
		}
		col += (size_t)fprintf(f, "%s%s%s", col ? " " : "  ", d->name,
				       d[1].name ? "," : "");
	}
	fputc('\n', f);
}

void hb_metrics_help_section(const struct hb_workload *w, FILE *f)
{
	fprintf(f, "\nrows of results.csv (NAME UNIT KIND; <word> stands for any text):\n");
	hb_metrics_help(w, f);
	harness_names(f);
}

/* Markdown text: '<' would open an HTML tag, '*' emphasis, '|' a cell. */
static void md_text(const char *s, FILE *f)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '*' || *s == '|')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

void hb_metrics_markdown(const struct hb_workload *w, FILE *f)
{
	const char *name = w ? w->name : "harness";

	fprintf(f, "<!-- metrics:begin %s -->\n", name);
	/* no backticks: the docs test would take the hidden command for a documented one */
	fprintf(f, "<!-- generated from the declarations in the code by: hugebench __metrics "
		   "markdown %s; tests/e2e/metrics.sh --update rewrites it -->\n", name);
	fprintf(f, "| row | unit | kind | better | meaning |\n|---|---|---|---|---|\n");
	for (const struct hb_metric_def *d = defs_of(w); d && d->name; d++) {
		fprintf(f, "| `%s` | %s | %s | %s | ", d->name, d->unit, kind_name(d),
			better_name(d->better));
		md_text(d->meaning, f);
		fprintf(f, " |\n");
	}
	if (w)
		fprintf(f, "\n`<word>` stands for any text. Every cell also has the harness's own "
			   "rows (`populate_ms`, `huge_coverage_pct`, `rss_kib`, `charged_kib`, "
			   "counters, vmstat deltas, ...): `hugebench %s --help` names them.\n",
			name);
	fprintf(f, "<!-- metrics:end -->\n");
}

/* Adds key to the set seen (n entries); 1 if it was new. */
static int first_time(char ***seen, size_t *n, const char *key)
{
	char **grown;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*seen)[i], key))
			return 0;
	grown = realloc(*seen, (*n + 1) * sizeof(**seen));
	if (!grown)
		return 1; /* said again later: better than not at all */
	*seen = grown;
	grown[*n] = strdup(key);
	if (grown[*n])
		(*n)++;
	return 1;
}

int hb_metrics_check_run(const char *dir, FILE *out, size_t *rows, size_t *bad, char *err,
			 size_t len)
{
	struct hb_rundata d;
	char **seen = NULL, why[512], key[512];
	size_t nseen = 0;
	int rc = hb_rundata_load(dir, &d, err, len);

	*rows = *bad = 0;
	if (rc)
		return rc;
	for (size_t i = 0; i < d.n; i++) {
		const struct hb_row *r = &d.rows[i];

		if (!hb_metric_check(hb_workload_find(r->workload), r->metric, r->unit, r->num, why,
				     sizeof(why)))
			continue;
		snprintf(key, sizeof(key), "%s,%s,%s", r->workload, r->metric, r->unit);
		if (first_time(&seen, &nseen, key)) {
			fprintf(out, "%s\n", why);
			(*bad)++;
		}
	}
	*rows = d.n;
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	hb_rundata_free(&d);
	return 0;
}

static int usage(void)
{
	hb_err("usage: hugebench __metrics list NAME | markdown NAME | check DIR (NAME: a "
	       "workload or 'harness')");
	return HB_EXIT_USAGE;
}

int hb_cmd_metrics(int argc, char **argv)
{
	const struct hb_workload *w = NULL;
	size_t rows, bad;
	char err[512];

	if (argc != 3)
		return usage();
	if (!strcmp(argv[1], "check")) {
		if (hb_metrics_check_run(argv[2], stdout, &rows, &bad, err, sizeof(err))) {
			hb_err("%s", err);
			return HB_EXIT_USAGE;
		}
		printf("%s: %zu rows, %zu undeclared name%s or unit%s\n", argv[2], rows, bad,
		       bad == 1 ? "" : "s", bad == 1 ? "" : "s");
		return bad ? HB_EXIT_INTERNAL : HB_EXIT_OK;
	}
	if (strcmp(argv[2], "harness") && !(w = hb_workload_find(argv[2]))) {
		hb_err("__metrics: '%s' is neither a workload nor 'harness'", argv[2]);
		return HB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "list"))
		hb_metrics_help(w, stdout);
	else if (!strcmp(argv[1], "markdown"))
		hb_metrics_markdown(w, stdout);
	else
		return usage();
	return HB_EXIT_OK;
}
