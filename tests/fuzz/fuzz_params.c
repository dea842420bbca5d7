/*
 * The -p parameter parser over the real workload tables, and the results' params column
 * reader. Input: the first byte picks the workload; then one NAME=VALUE per line, each given
 * to hb_params_set_arg as -p does, then the workload's validate. Invariants: after every
 * accepted value, the canonical params text (hb_params_format) parses back
 * (hb_params_parse) to a struct that formats to the same text. The rest of the input, as a
 * whole, is also read as a params column.
 */
#include <stdint.h>

#include "fuzz.h"
#include "params.h"
#include "workload.h"

static size_t nworkloads(void)
{
	size_t n = 0;

	while (hb_workloads[n])
		n++;
	return n;
}

static void round_trip(const struct hb_workload *w, const void *params)
{
	char text[4096], again[4096], err[1024], *store = NULL;
	void *back = calloc(1, w->params_size);
	int rc;

	FUZZ_ASSERT(back);
	if (hb_params_format(w->params, params, text, sizeof(text))) {
		free(back);
		return; /* longer than a params column holds; the writer says so */
	}
	rc = hb_params_parse(w->params, text, back, &store, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s: '%s' does not parse back: %s\n", w->name, text, err);
	FUZZ_ASSERT(rc == 0);
	FUZZ_ASSERT(!hb_params_format(w->params, back, again, sizeof(again)));
	FUZZ_ASSERT(!strcmp(text, again));
	free(store);
	free(back);
}

static void fuzz_one(const unsigned char *data, size_t len)
{
	const struct hb_workload *w;
	char err[1024], *s, *line, *save = NULL, *store = NULL;
	void *params;

	if (!len)
		return;
	w = hb_workloads[data[0] % nworkloads()];
	params = calloc(1, w->params_size);
	FUZZ_ASSERT(params);
	FUZZ_ASSERT(!hb_params_defaults(w->params, params, err, sizeof(err)));
	/* String values point into s, as they point into argv for -p. */
	s = fuzz_strdup(data + 1, len - 1);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		err[0] = 0;
		if (hb_params_set_arg(w->params, params, line, err, sizeof(err))) {
			FUZZ_ASSERT(err[0]);
			continue;
		}
		round_trip(w, params);
	}
	if (w->validate)
		w->validate(params, err, sizeof(err));
	free(s);

	/* The params column of a results file from elsewhere. */
	s = fuzz_strdup(data + 1, len - 1);
	if (!hb_params_parse(w->params, s, params, &store, err, sizeof(err)))
		round_trip(w, params);
	free(store);
	free(s);
	free(params);
}
