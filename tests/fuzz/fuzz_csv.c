/*
 * The results CSV reader (results from other machines): hb_csv_parse, the header check and
 * the typed rows, then the lookups plot and compare make over them. Invariants: every field
 * lies inside the text and is NUL-terminated there; a row's number is finite.
 */
#include <math.h>

#include "csvread.h"
#include "fuzz.h"
#include "rundata.h"
#include "schema.h"

static void fuzz_one(const unsigned char *data, size_t len)
{
	struct hb_rundata d;
	const char *list[HB_MAX_LIST];
	struct hb_stat st;
	size_t bad = 0, nb, np;
	char msg[256], *text = fuzz_strdup(data, len);
	int rc;

	memset(&d, 0, sizeof(d));
	rc = hb_csv_parse(text, &d.csv, &bad);
	if (rc) {
		FUZZ_ASSERT(rc == -EINVAL && bad >= 1);
		hb_csv_free(&d.csv);
		return;
	}
	for (size_t i = 0; i < d.csv.n; i++)
		for (size_t j = 0; j < d.csv.rows[i].n; j++) {
			const char *f = d.csv.rows[i].f[j];

			FUZZ_ASSERT(f >= text && f <= text + len && f + strlen(f) <= text + len);
		}
	if (!d.csv.n || hb_csv_check_header(&d.csv.rows[0], msg, sizeof(msg))) {
		hb_csv_free(&d.csv);
		return;
	}
	d.rows = calloc(d.csv.n, sizeof(*d.rows));
	FUZZ_ASSERT(d.rows);
	for (size_t i = 1; i < d.csv.n; i++)
		if (!hb_row_from_csv(&d.csv.rows[i], &d.rows[d.n])) {
			FUZZ_ASSERT(!d.rows[d.n].num || isfinite(d.rows[d.n].v));
			d.n++;
		}
	hb_record_from_json(NULL, &d.rec);
	nb = hb_rundata_backings(&d, NULL, list, HB_MAX_LIST);
	np = hb_rundata_params(&d, NULL, list, HB_MAX_LIST);
	FUZZ_ASSERT(nb <= HB_MAX_LIST && np <= HB_MAX_LIST);
	for (size_t i = 0; i < d.n; i++) {
		const struct hb_row *r = &d.rows[i];

		hb_rundata_stat(&d, r->workload, r->backing, r->params, r->metric, &st);
		FUZZ_ASSERT(st.n >= 0 && (!st.n || (st.min <= st.med && st.med <= st.max)));
		(void)hb_rundata_has(&d, r->workload);
		if (i >= 64)
			break; /* enough lookups; the reader is what is under test */
	}
	hb_rundata_free(&d);
}
