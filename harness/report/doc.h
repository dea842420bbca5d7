/* report.md and report.html written side by side: headings, paragraphs, tables, code. */
#ifndef HB_DOC_H
#define HB_DOC_H
#include <stddef.h>
#include <stdio.h>

struct hb_doc {
	FILE *md, *html;
};

void hb_doc_html_esc(FILE *f, const char *s);
void hb_doc_h(struct hb_doc *d, int level, const char *text);
void hb_doc_para(struct hb_doc *d, const char *text);
void hb_doc_code(struct hb_doc *d, const char *text);
void hb_doc_table_start(struct hb_doc *d);
/* One table row; a header row also gets markdown's |---| line. */
void hb_doc_row(struct hb_doc *d, const char *const *cells, size_t n, int header);
void hb_doc_table_end(struct hb_doc *d);
/* A figure with three significant digits, or whole above 1000. */
void hb_doc_num(double v, char *buf, size_t len);

#endif
