/* Parameter sets of a run and their labels, through each workload's own table. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sets.h"

size_t hb_run_sets(const struct hb_rundata *d, const struct hb_workload *w, hb_sets_fn pick,
		   const char **out, size_t max)
{
	const char *all[HB_MAX_LIST];
	size_t n = hb_rundata_params(d, w->name, all, HB_MAX_LIST);

	if (pick)
		return pick(all, n, out, max);
	n = n < max ? n : max;
	memcpy(out, all, n * sizeof(*out));
	return n;
}

/* Every parameter of a set formatted as the table does, "" where the text does not parse. */
static char (*values(const struct hb_workload *w, const char *set, size_t np))[128]
{
	char (*v)[128] = calloc(np ? np : 1, sizeof(*v));
	void *obj = calloc(1, w->params_size ? w->params_size : 1);
	char err[256], *store = NULL;

	if (v && obj && !hb_params_parse(w->params, set, obj, &store, err, sizeof(err)))
		for (size_t k = 0; k < np; k++)
			hb_param_format_value(&w->params[k], obj, v[k], sizeof(v[k]));
	free(store);
	free(obj);
	return v;
}

void hb_run_label(const struct hb_workload *w, const char *const *sets, size_t n, size_t i,
		  char *buf, size_t len)
{
	const struct hb_outputs *o = hb_workload_outputs(w);
	size_t np = 0, off = 0;
	char(*mine)[128];
	int *differs;

	buf[0] = 0;
	if (o && o->label && !o->label(sets, n, i, buf, len))
		return;
	while (w->params[np].name)
		np++;
	mine = values(w, sets[i], np);
	differs = calloc(np ? np : 1, sizeof(*differs));
	for (size_t j = 0; mine && differs && j < n; j++) {
		char(*other)[128] = j == i ? NULL : values(w, sets[j], np);

		for (size_t k = 0; other && k < np; k++)
			differs[k] |= !!strcmp(mine[k], other[k]);
		free(other);
	}
	for (size_t k = 0; mine && differs && k < np && off < len; k++)
		if (differs[k] && mine[k][0])
			off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "",
						w->params[k].name, mine[k]);
	free(differs);
	free(mine);
	if (!buf[0])
		snprintf(buf, len, "all");
}

int hb_backing_matches(const char *patterns, const char *backing)
{
	char pat[64];

	for (const char *s = patterns; *s;) {
		size_t n = strcspn(s, " ");

		snprintf(pat, sizeof(pat), "%.*s", (int)n, s);
		if (n && !fnmatch(pat, backing, 0))
			return 1;
		s += n + (s[n] == ' ');
	}
	return 0;
}
