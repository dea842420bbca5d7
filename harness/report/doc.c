/* The report's two renderings, markdown and HTML, written by the same calls. */
#include <math.h>
#include <stdio.h>

#include "doc.h"

void hb_doc_html_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else
			fputc(*s, f);
	}
}

/* Markdown table cells cannot hold a bare '|'. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s == '\n' ? ' ' : *s, f);
	}
}

void hb_doc_h(struct hb_doc *d, int level, const char *text)
{
	fprintf(d->md, "\n%.*s %s\n\n", level, "####", text);
	fprintf(d->html, "<h%d>", level);
	hb_doc_html_esc(d->html, text);
	fprintf(d->html, "</h%d>\n", level);
}

void hb_doc_para(struct hb_doc *d, const char *text)
{
	fprintf(d->md, "%s\n\n", text);
	fprintf(d->html, "<p>");
	hb_doc_html_esc(d->html, text);
	fprintf(d->html, "</p>\n");
}

void hb_doc_code(struct hb_doc *d, const char *text)
{
	fprintf(d->md, "```\n%s\n```\n\n", text);
	fprintf(d->html, "<pre>");
	hb_doc_html_esc(d->html, text);
	fprintf(d->html, "</pre>\n");
}

void hb_doc_row(struct hb_doc *d, const char *const *cells, size_t n, int header)
{
	fprintf(d->md, "|");
	fprintf(d->html, "<tr>");
	for (size_t i = 0; i < n; i++) {
		fputc(' ', d->md);
		md_cell(d->md, cells[i]);
		fprintf(d->md, " |");
		fprintf(d->html, header ? "<th>" : "<td>");
		hb_doc_html_esc(d->html, cells[i]);
		fprintf(d->html, header ? "</th>" : "</td>");
	}
	fprintf(d->md, "\n");
	fprintf(d->html, "</tr>\n");
	if (header) {
		fprintf(d->md, "|");
		for (size_t i = 0; i < n; i++)
			fprintf(d->md, "---|");
		fprintf(d->md, "\n");
	}
}

void hb_doc_table_start(struct hb_doc *d)
{
	fprintf(d->md, "\n");
	fprintf(d->html, "<table>\n");
}

void hb_doc_table_end(struct hb_doc *d)
{
	fprintf(d->md, "\n");
	fprintf(d->html, "</table>\n");
}

void hb_doc_num(double v, char *buf, size_t len)
{
	if (fabs(v) >= 1000)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
}
