/* The one reader of a run's record, meta.json (machine_record.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine_record.h"

/* The member of j at a dotted path ("cpu.tlb.reach_4k_bytes"), or NULL. */
static json_t *at(const json_t *j, const char *path)
{
	char key[128];

	while (j && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		j = json_object_get(j, key);
		path += n + (path[n] == '.');
	}
	return (json_t *)j;
}

static const char *text(const json_t *j, const char *path)
{
	return json_string_value(at(j, path));
}

/* A number at path: 1 with *v set, else 0. */
static int number(const json_t *j, const char *path, double *v)
{
	const json_t *x = at(j, path);

	if (!json_is_number(x))
		return 0;
	*v = json_number_value(x);
	return 1;
}

/* A count or size at path (what is not a number >= 0 reads as missing). */
static int u64(const json_t *j, const char *path, uint64_t *v)
{
	double d;

	if (!number(j, path, &d) || !(d >= 0) || d >= 18446744073709551616.0)
		return 0;
	*v = (uint64_t)d;
	return 1;
}

static int integer(const json_t *j, const char *path, int *v)
{
	double d;

	if (!number(j, path, &d) || !(d > -2147483648.0 && d < 2147483648.0))
		return 0;
	*v = (int)d;
	return 1;
}

static int read_caches(const json_t *j, struct hb_machine_record *r)
{
	const json_t *caches = at(j, "topology.caches"), *c;
	size_t i;

	if (!json_array_size(caches))
		return 0;
	r->topology.caches = calloc(json_array_size(caches), sizeof(*r->topology.caches));
	if (!r->topology.caches)
		return -ENOMEM;
	json_array_foreach(caches, i, c) {
		struct hb_record_cache *k = &r->topology.caches[r->topology.ncaches++];
		json_int_t level = json_integer_value(at(c, "level"));
		json_int_t size = json_integer_value(at(c, "size_bytes"));

		k->level = level > 0 && level < 100 ? (int)level : 0;
		k->type = text(c, "type");
		k->size_bytes = size > 0 ? (uint64_t)size : 0;
	}
	return 0;
}

static int read_entries(const json_t *j, struct hb_machine_record *r)
{
	const json_t *entries = at(j, "entries"), *e, *b;
	size_t i, k;

	if (!json_array_size(entries))
		return 0;
	r->entries = calloc(json_array_size(entries), sizeof(*r->entries));
	if (!r->entries)
		return -ENOMEM;
	json_array_foreach(entries, i, e) {
		struct hb_record_entry *x = &r->entries[r->nentries++];
		const json_t *backings = at(e, "backings");

		x->workload = text(e, "workload");
		x->params = text(e, "params");
		if (!json_array_size(backings))
			continue;
		x->backings = calloc(json_array_size(backings), sizeof(*x->backings));
		if (!x->backings)
			return -ENOMEM;
		json_array_foreach(backings, k, b)
			x->backings[x->nbackings++] = json_string_value(b);
	}
	return 0;
}

int hb_record_from_json(json_t *j, struct hb_machine_record *r)
{
	memset(r, 0, sizeof(*r));
	r->json = j ? json_incref(j) : json_object();
	if (!r->json)
		return -ENOMEM;
	j = r->json;
	r->hostname = text(j, "hostname");
	r->command = text(j, "command");
	r->kind = text(j, "kind");
	r->start = text(j, "start");
	r->end = text(j, "end");
	r->has_reps = integer(j, "reps", &r->reps);
	r->complete = json_is_true(at(j, "complete"));
	r->kernel.release = text(j, "kernel.release");
	r->hypervisor.name = text(j, "hypervisor.name");
	r->hypervisor.vendor = text(j, "hypervisor.vendor");
	r->cpu.model = text(j, "cpu.model");
	r->cpu.has_online_cpus = integer(j, "cpu.online_cpus", &r->cpu.online_cpus);
	r->cpu.tlb.has_reach_4k_bytes = u64(j, "cpu.tlb.reach_4k_bytes", &r->cpu.tlb.reach_4k_bytes);
	r->cpu.tlb.has_reach_2m_bytes = u64(j, "cpu.tlb.reach_2m_bytes", &r->cpu.tlb.reach_2m_bytes);
	r->cpu.tlb.has_reach_1g_bytes = u64(j, "cpu.tlb.reach_1g_bytes", &r->cpu.tlb.reach_1g_bytes);
	r->cpu.tlb.has_l1d_4k = integer(j, "cpu.tlb.l1d.4k", &r->cpu.tlb.l1d_4k);
	r->cpu.tlb.has_l1d_2m = integer(j, "cpu.tlb.l1d.2m", &r->cpu.tlb.l1d_2m);
	r->cpu.tlb.has_l2_4k = integer(j, "cpu.tlb.l2.4k", &r->cpu.tlb.l2_4k);
	r->thp.enabled = text(j, "thp.enabled");
	r->thp.fault_compaction = text(j, "thp.defrag");
	r->topology.has_llc_bytes = u64(j, "topology.llc_bytes", &r->topology.llc_bytes);
	if (read_caches(j, r) || read_entries(j, r)) {
		hb_record_free(r);
		hb_record_from_json(NULL, r);
		return -ENOMEM;
	}
	return 0;
}

int hb_record_load(const char *path, struct hb_machine_record *r, char *note, size_t len)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	int rc;

	if (!j) {
		snprintf(note, len, "meta.json: %s (line %d)", jerr.text, jerr.line);
		hb_record_from_json(NULL, r);
		return -EINVAL;
	}
	rc = hb_record_from_json(j, r);
	json_decref(j);
	if (rc)
		snprintf(note, len, "meta.json: out of memory");
	return rc;
}

void hb_record_free(struct hb_machine_record *r)
{
	for (size_t i = 0; i < r->nentries; i++)
		free(r->entries[i].backings);
	free(r->entries);
	free(r->topology.caches);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

int hb_record_empty(const struct hb_machine_record *r)
{
	return !json_object_size(r->json);
}

static void text_of(const json_t *j, char *buf, size_t len)
{
	if (!j)
		snprintf(buf, len, "(absent)");
	else if (json_is_string(j))
		snprintf(buf, len, "%s", json_string_value(j));
	else if (json_is_integer(j))
		snprintf(buf, len, "%lld", (long long)json_integer_value(j));
	else if (json_is_real(j))
		snprintf(buf, len, "%g", json_real_value(j));
	else if (json_is_boolean(j))
		snprintf(buf, len, "%s", json_is_true(j) ? "true" : "false");
	else
		snprintf(buf, len, "(%s)", json_is_null(j) ? "null" : "object");
}

void hb_record_leaf_text(const struct hb_machine_record *r, const char *path, char *buf,
			 size_t len)
{
	text_of(at(r->json, path), buf, len);
}

static void walk(const json_t *j, const char *prefix, hb_record_leaf_fn fn, void *arg)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)j, key, v) {
		char path[96], value[128];

		if ((size_t)snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
				     key) >= sizeof(path))
			continue;
		if (json_is_object(v)) {
			walk(v, path, fn, arg);
			continue;
		}
		text_of(v, value, sizeof(value));
		fn(path, value, arg);
	}
}

void hb_record_leaves(const struct hb_machine_record *r, hb_record_leaf_fn fn, void *arg)
{
	walk(r->json, "", fn, arg);
}

char *hb_record_dump(const struct hb_machine_record *r)
{
	return json_dumps(r->json, JSON_INDENT(2) | JSON_SORT_KEYS);
}
