/* compare's result as text: the terminal table, CSV, markdown, JSON; and the report's table. */
#ifndef HB_CMP_PRINT_H
#define HB_CMP_PRINT_H
#include <jansson.h>
#include <stdio.h>

#include "compare.h"
#include "doc.h"

enum hb_cmp_format {
	HB_CMP_TABLE, /* aligned columns; colour only when asked (a terminal) */
	HB_CMP_CSV,
	HB_CMP_MD,
	HB_CMP_JSON,
};

/* 0 or -errno. */
int hb_cmp_print(FILE *f, enum hb_cmp_format fmt, const struct hb_cmp_result *r,
		 const struct hb_cmp_run *base, const struct hb_cmp_run *news, size_t nnew,
		 int colour);
json_t *hb_cmp_json(const struct hb_cmp_result *r, const struct hb_cmp_run *base,
		    const struct hb_cmp_run *news, size_t nnew);
/* The table as a report section's table (medians with their ranges). */
void hb_cmp_table_doc(struct hb_doc *d, const struct hb_cmp_result *r,
		      const struct hb_cmp_run *news, size_t nnew);

#endif
