/* meta.json: what a run ran on and what it ran. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "allocator.h"
#include "clock.h"
#include "fit.h"
#include "log.h"
#include "record.h"
#include "sysinfo.h"

void hb_iso_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
}

/* Each entry's bounds: its cells' wall-clock limit and, per backing, the memory limit of the
 * cell's cgroup (fit.h), each with how it was made. */
static void bounds_json(const struct hb_matrix *m, const struct hb_matrix_entry *me, json_t *e)
{
	json_t *lim = json_object();
	char from[320];
	uint64_t ns = hb_matrix_cell_timeout(m, me, from, sizeof(from));

	json_object_set_new(e, "cell_timeout_s", json_integer((json_int_t)(ns / 1000000000ull)));
	json_object_set_new(e, "cell_timeout_from", json_string(from));
	for (int j = 0; j < me->nbackings; j++) {
		uint64_t b = hb_cell_memory_limit(me->w, me->params, &me->backings[j], from,
						  sizeof(from));

		json_object_set_new(lim, me->backings[j].name,
				    json_pack("{s:I,s:s}", "mib", (json_int_t)(b >> 20), "from",
					      from));
	}
	json_object_set_new(e, "cell_memory_limit", lim);
}

json_t *hb_run_meta(const struct hb_matrix *m, int argc, char **argv, const char *recovered)
{
	json_t *meta = hb_sysinfo_collect(), *hb = json_object(), *entries = json_array();
	char cmd[4096] = "hugebench", when[32];
	size_t off = strlen(cmd);

	for (int i = 0; i < argc && off < sizeof(cmd); i++)
		off += (size_t)snprintf(cmd + off, sizeof(cmd) - off, " %s", argv[i]);
	json_object_set_new(hb, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(hb, "commit", json_string(HB_GIT_COMMIT));
	json_object_set_new(hb, "compiler", json_string("gcc " __VERSION__));
	json_object_set_new(meta, "hugebench", hb);
	json_object_set_new(meta, "command", json_string(cmd));
	json_object_set_new(meta, "kind", json_string(m->command_kind));
	if (m->profile)
		json_object_set_new(meta, "profile", json_string(m->profile));
	hb_iso_now(when, sizeof(when));
	json_object_set_new(meta, "start", json_string(when));
	for (size_t i = 0; i < m->n; i++) {
		json_t *e = json_object(), *b = json_array();

		json_object_set_new(e, "workload", json_string(m->e[i].w->name));
		json_object_set_new(e, "params", json_string(m->e[i].params_text));
		if (m->e[i].label[0])
			json_object_set_new(e, "label", json_string(m->e[i].label));
		if (m->e[i].reps)
			json_object_set_new(e, "reps", json_integer(m->e[i].reps));
		for (int j = 0; j < m->e[i].nbackings; j++)
			json_array_append_new(b, json_string(m->e[i].backings[j].name));
		json_object_set_new(e, "backings", b);
		bounds_json(m, &m->e[i], e);
		json_array_append_new(entries, e);
	}
	json_object_set_new(meta, "entries", entries);
	json_object_set_new(meta, "allocators", hb_allocators_json());
	json_object_set_new(meta, "reps", json_integer(m->reps));
	/* JSON integers here are signed 64-bit: a seed from 2^63 up (--seed takes up to 2^64 - 1)
	 * would read back negative, a value --seed refuses; its decimal digits as a string do
	 * not. */
	if (m->seed <= INT64_MAX)
		json_object_set_new(meta, "seed", json_integer((json_int_t)m->seed));
	else
		json_object_set_new(meta, "seed", json_sprintf("%" PRIu64, m->seed));
	json_object_set_new(meta, "events", json_string(m->events && *m->events ? m->events :
							  "default"));
	if (m->nknob_args) {
		/* --knob: what each cell set before its backing's own settings */
		json_t *k = json_object();

		for (int i = 0; i < m->nknob_args; i++) {
			const char *eq = strchr(m->knob_args[i], '=');
			char name[64];

			snprintf(name, sizeof(name), "%.*s", (int)(eq - m->knob_args[i]),
				 m->knob_args[i]);
			json_object_set_new(k, name, json_string(eq + 1));
		}
		json_object_set_new(meta, "knobs", k);
	}
	json_object_set_new(meta, "complete", json_false());
	if (recovered)
		json_object_set_new(meta, "recovered_knobs", json_string(recovered));
	return meta;
}
