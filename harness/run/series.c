/* The time series of one cell: series/<id>.csv, sampled by the parent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell_impl.h"
#include "cgroup.h"
#include "clock.h"
#include "results.h"
#include "schema.h"
#include "smaps.h"

/* Raw text: the series rows are built field by field with their commas already in them. */
static void text_add(char **buf, size_t *len, size_t *cap, const char *text)
{
	hb_text_append(buf, len, cap, text, strlen(text));
}

void hb_series_add(struct series *s, const char *text)
{
	text_add(&s->buf, &s->len, &s->cap, text);
}

void hb_series_sample(struct series *s, pid_t pid, const struct hb_cgroup *cg)
{
	char path[64], field[64];
	struct hb_smaps sm;
	uint64_t charged;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (hb_smaps_read_rollup(path, &sm))
		return; /* the child is exiting */
	snprintf(field, sizeof(field), "%.3f,", (double)(hb_now_ns() - s->t0) / 1e9);
	hb_series_add(s, field);
	hb_csv_field(&s->buf, &s->len, &s->cap, s->phase); /* the one field that may need quotes */
	snprintf(field, sizeof(field), ",%llu,%llu,%llu,", (unsigned long long)sm.rss_kib,
		 (unsigned long long)sm.anon_huge_kib,
		 (unsigned long long)(sm.private_hugetlb_kib + sm.shared_hugetlb_kib));
	hb_series_add(s, field);
	if (cg->dir[0] && hb_cgroup_charged_kib(cg, &charged) == 0) {
		snprintf(field, sizeof(field), "%llu", (unsigned long long)charged);
		hb_series_add(s, field);
	}
	for (unsigned g = 0; g < MAX_GAUGES; g++) {
		if (g < s->ngauges)
			snprintf(field, sizeof(field), ",%.10g", s->gauges[g]);
		else
			snprintf(field, sizeof(field), ",");
		hb_series_add(s, field);
	}
	hb_series_add(s, "\n");
}

int hb_series_write(struct series *s, struct hb_results *res, const char *id)
{
	char *out = NULL, name[200];
	size_t len = 0, cap = 0;
	int rc;

	hb_series_add(s, ""); /* makes sure buf exists */
	hb_series_header(&out, &len, &cap);
	for (unsigned g = 0; g < MAX_GAUGES; g++) {
		text_add(&out, &len, &cap, ",");
		hb_csv_field(&out, &len, &cap, g < s->ngauges ? s->gauge_names[g] : "");
	}
	text_add(&out, &len, &cap, "\n");
	text_add(&out, &len, &cap, s->buf);
	snprintf(name, sizeof(name), "series/%s.csv", id);
	rc = hb_results_write_file(res, name, out, len);
	free(out);
	free(s->buf);
	return rc;
}
