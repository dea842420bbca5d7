#include <errno.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"
#include "text.h"
#include "units.h"

static const char *type_name(enum hb_param_type t)
{
	switch (t) {
	case HB_PT_SIZE:
		return "size";
	case HB_PT_DURATION:
		return "duration";
	case HB_PT_UINT:
		return "integer";
	case HB_PT_DOUBLE:
		return "number";
	case HB_PT_ENUM:
		return "choice";
	case HB_PT_STRING:
		return "string";
	case HB_PT_BOOL:
		return "bool";
	}
	return "?";
}

static const char *type_hint(enum hb_param_type t)
{
	switch (t) {
	case HB_PT_SIZE:
		return "a size in bytes with optional binary suffix K, M, G or T, e.g. 64M";
	case HB_PT_DURATION:
		return "a duration with unit ns, us, ms, s or m, e.g. 200ms";
	case HB_PT_UINT:
		return "a whole number";
	case HB_PT_DOUBLE:
		return "a number";
	case HB_PT_BOOL:
		return "0 or 1 (or yes/no, true/false)";
	default:
		return "";
	}
}

const struct hb_param *hb_params_find(const struct hb_param *t, const char *name)
{
	for (; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

int hb_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb];
}

const struct hb_param *hb_params_find_role(const struct hb_param *t, const struct hb_param_role *r)
{
	for (; t->name; t++)
		if (t->role == r)
			return t;
	return NULL;
}

const char *hb_params_suggest(const struct hb_param *t, const char *name)
{
	const char *best = NULL;
	int best_d = 3;

	for (; t->name; t++) {
		int d = hb_edit_distance(t->name, name);

		if (d < best_d) {
			best_d = d;
			best = t->name;
		}
	}
	return best;
}

/* Parses text into a value without storing it, so ranges and defaults share the parser. */
union pvalue {
	uint64_t u;
	double d;
	int e;
	const char *s;
};

static int parse_value(const struct hb_param *p, const char *text, union pvalue *v)
{
	char *end;

	switch (p->type) {
	case HB_PT_SIZE:
		return hb_parse_size(text, &v->u);
	case HB_PT_DURATION:
		return hb_parse_duration(text, &v->u);
	case HB_PT_UINT:
		return hb_parse_uint(text, UINT64_MAX, &v->u);
	case HB_PT_DOUBLE:
		if (!*text)
			return -EINVAL;
		errno = 0;
		v->d = strtod(text, &end);
		if (errno == ERANGE)
			return -ERANGE;
		return *end || v->d != v->d ? -EINVAL : 0;
	case HB_PT_ENUM:
		for (int i = 0; p->choices && p->choices[i].name; i++)
			if (!strcmp(p->choices[i].name, text)) {
				v->e = i;
				return 0;
			}
		return -EINVAL;
	case HB_PT_STRING:
		v->s = text;
		return 0;
	case HB_PT_BOOL:
		/* The results' params text says 0 or 1 whichever was given. */
		if (!strcmp(text, "1") || !strcasecmp(text, "yes") || !strcasecmp(text, "true"))
			v->u = 1;
		else if (!strcmp(text, "0") || !strcasecmp(text, "no") ||
			 !strcasecmp(text, "false"))
			v->u = 0;
		else
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

static int compare_value(const struct hb_param *p, const union pvalue *a, const union pvalue *b)
{
	if (p->type == HB_PT_DOUBLE)
		return (a->d > b->d) - (a->d < b->d);
	return (a->u > b->u) - (a->u < b->u);
}

static int in_range(const struct hb_param *p, const union pvalue *v)
{
	union pvalue lim;

	if (p->type == HB_PT_ENUM || p->type == HB_PT_STRING || p->type == HB_PT_BOOL)
		return 1;
	if (p->min && (parse_value(p, p->min, &lim) || compare_value(p, v, &lim) < 0))
		return 0;
	if (p->max && (parse_value(p, p->max, &lim) || compare_value(p, v, &lim) > 0))
		return 0;
	return 1;
}

static void choices_list(const struct hb_param *p, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; p->choices && p->choices[i].name && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
					p->choices[i].name);
}

static void range_text(const struct hb_param *p, char *buf, size_t len)
{
	if (p->type == HB_PT_ENUM) {
		choices_list(p, buf, len);
		return;
	}
	if (p->type == HB_PT_STRING) {
		snprintf(buf, len, "any text");
		return;
	}
	if (p->type == HB_PT_BOOL) {
		snprintf(buf, len, "0 or 1");
		return;
	}
	snprintf(buf, len, "%s..%s", p->min ? p->min : "0", p->max ? p->max : "unbounded");
}

static void store(const struct hb_param *p, void *dst, const union pvalue *v)
{
	char *f = (char *)dst + p->offset;

	switch (p->type) {
	case HB_PT_SIZE:
	case HB_PT_DURATION:
	case HB_PT_UINT:
	case HB_PT_BOOL:
		memcpy(f, &v->u, sizeof(uint64_t));
		break;
	case HB_PT_DOUBLE:
		memcpy(f, &v->d, sizeof(double));
		break;
	case HB_PT_ENUM:
		memcpy(f, &v->e, sizeof(int));
		break;
	case HB_PT_STRING:
		memcpy(f, &v->s, sizeof(const char *));
		break;
	}
}

/*
 * A value the row's role cannot take is bad input now, not a skipped cell later. With machine
 * set (a value given for a run here, not one read back from a results file of any machine), a
 * knob's word must also be one this kernel's file lists.
 */
static int apply_check(const struct hb_param *p, const char *value, char *err, size_t errlen,
		       int machine)
{
	if (!p->role || !p->role->check_value)
		return 0;
	return p->role->check_value(p, value, machine, err, errlen);
}

static int set_value(const struct hb_param *t, void *dst, const char *name, const char *value,
		     char *err, size_t errlen, int machine)
{
	const struct hb_param *p = hb_params_find(t, name);
	char range[256];
	union pvalue v;
	int rc;

	if (!p) {
		const char *near = hb_params_suggest(t, name);
		size_t off = (size_t)snprintf(err, errlen, "unknown parameter '%s'", name);

		if (near && off < errlen)
			off += (size_t)snprintf(err + off, errlen - off, " (did you mean '%s'?)",
						near);
		if (off < errlen)
			off += (size_t)snprintf(err + off, errlen - off, "; accepted:");
		for (; t->name && off < errlen; t++)
			off += (size_t)snprintf(err + off, errlen - off, " %s", t->name);
		return -ENOENT;
	}
	/* ';' separates the parameters of the results' params column: it could not be read
	 * back (hb_params_parse). */
	if (p->type == HB_PT_STRING && strchr(value, ';')) {
		snprintf(err, errlen, "parameter '%s': '%s' has a ';', which no value may have",
			 name, value);
		return -EINVAL;
	}
	range_text(p, range, sizeof(range));
	rc = parse_value(p, value, &v);
	if (rc == -EINVAL && p->type == HB_PT_ENUM) {
		snprintf(err, errlen, "parameter '%s': '%s' is not one of: %s", name, value, range);
		return -EINVAL;
	}
	if (rc) {
		snprintf(err, errlen, "parameter '%s': '%s' is not %s (accepted range %s)", name,
			 value, type_hint(p->type), range);
		return -EINVAL;
	}
	if (!in_range(p, &v)) {
		snprintf(err, errlen, "parameter '%s': %s is out of range; accepted %s", name,
			 value, range);
		return -ERANGE;
	}
	rc = apply_check(p, value, err, errlen, machine);
	if (rc)
		return rc;
	store(p, dst, &v);
	return 0;
}

int hb_params_set(const struct hb_param *t, void *dst, const char *name, const char *value,
		  char *err, size_t errlen)
{
	return set_value(t, dst, name, value, err, errlen, 1);
}

static int split_arg(const char *arg, char *name, size_t len, const char **value, char *err,
		     size_t errlen)
{
	if (hb_split_name_value(arg, name, len, value)) {
		snprintf(err, errlen, "'%s' is not NAME=VALUE", arg);
		return -EINVAL;
	}
	return 0;
}

int hb_params_set_arg(const struct hb_param *t, void *dst, const char *arg, char *err,
		      size_t errlen)
{
	const char *value;
	char name[64];
	int rc = split_arg(arg, name, sizeof(name), &value, err, errlen);

	return rc ? rc : hb_params_set(t, dst, name, value, err, errlen);
}

int hb_params_defaults(const struct hb_param *t, void *dst, char *err, size_t errlen)
{
	for (const struct hb_param *p = t; p->name; p++) {
		int rc = hb_params_set(t, dst, p->name, p->def ? p->def : "", err, errlen);

		if (rc)
			return rc;
	}
	return 0;
}

static int check_apply(const struct hb_param *p, char *err, size_t errlen)
{
	if (p->role)
		return p->role->check_row(p, err, errlen);
	if (!p->knob && !p->keep)
		return 0;
	snprintf(err, errlen, "parameter '%s': its role (none) does not fit its type or fields",
		 p->name);
	return -EINVAL;
}

int hb_params_check_table(const struct hb_param *t, char *err, size_t errlen)
{
	union pvalue v;

	for (const struct hb_param *p = t; p->name; p++) {
		if (!*p->name || strchr(p->name, '=') || strchr(p->name, ';')) {
			snprintf(err, errlen, "parameter name '%s' is empty or has '=' or ';'",
				 p->name);
			return -EINVAL;
		}
		for (const struct hb_param *q = t; q < p; q++)
			if (!strcmp(p->name, q->name)) {
				snprintf(err, errlen, "parameter '%s' is listed twice", p->name);
				return -EINVAL;
			}
		if (!p->help || !*p->help) {
			snprintf(err, errlen, "parameter '%s' has no help text", p->name);
			return -EINVAL;
		}
		if (p->type == HB_PT_ENUM && (!p->choices || !p->choices[0].name)) {
			snprintf(err, errlen, "parameter '%s' is a choice without choices", p->name);
			return -EINVAL;
		}
		if (!p->def) {
			snprintf(err, errlen, "parameter '%s' has no default", p->name);
			return -EINVAL;
		}
		if (p->type == HB_PT_BOOL && (p->min || p->max)) {
			snprintf(err, errlen, "parameter '%s' is a bool with a range", p->name);
			return -EINVAL;
		}
		if (check_apply(p, err, errlen))
			return -EINVAL;
		if ((p->min && parse_value(p, p->min, &v)) || (p->max && parse_value(p, p->max, &v))) {
			snprintf(err, errlen, "parameter '%s' has an unparseable range", p->name);
			return -EINVAL;
		}
		if (parse_value(p, p->def, &v) || !in_range(p, &v)) {
			snprintf(err, errlen, "parameter '%s': default '%s' does not parse or is "
				 "out of its range", p->name, p->def);
			return -EINVAL;
		}
		if (apply_check(p, p->def, err, errlen, 0))
			return -EINVAL;
	}
	return 0;
}

void hb_param_format_value(const struct hb_param *p, const void *src, char *buf, size_t len)
{
	const char *f = (const char *)src + p->offset;
	uint64_t u;
	double d;
	int e;
	const char *s;

	switch (p->type) {
	case HB_PT_SIZE:
		memcpy(&u, f, sizeof(u));
		hb_format_size(u, buf, len);
		break;
	case HB_PT_DURATION:
		memcpy(&u, f, sizeof(u));
		hb_format_duration(u, buf, len);
		break;
	case HB_PT_UINT:
	case HB_PT_BOOL:
		memcpy(&u, f, sizeof(u));
		snprintf(buf, len, "%llu", (unsigned long long)u);
		break;
	case HB_PT_DOUBLE:
		memcpy(&d, f, sizeof(d));
		snprintf(buf, len, "%g", d);
		break;
	case HB_PT_ENUM:
		memcpy(&e, f, sizeof(e));
		snprintf(buf, len, "%s", p->choices[e].name);
		break;
	case HB_PT_STRING:
		memcpy(&s, f, sizeof(s));
		snprintf(buf, len, "%s", s ? s : "");
		break;
	}
}

int hb_params_format(const struct hb_param *t, const void *src, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (const struct hb_param *p = t; p->name; p++) {
		char val[256];
		const char *v = val;

		/* A string whole, however long: cut, it would read back as another value. */
		if (p->type == HB_PT_STRING)
			memcpy(&v, (const char *)src + p->offset, sizeof(v));
		else
			hb_param_format_value(p, src, val, sizeof(val));
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s=%s",
					p == t ? "" : ";", p->name, v ? v : "");
	}
	return off < len ? 0 : -ENOSPC;
}

int hb_params_parse(const struct hb_param *t, const char *text, void *dst, char **store,
		    char *err, size_t errlen)
{
	char *copy, *item, *save = NULL;
	int rc;

	*store = NULL;
	rc = hb_params_defaults(t, dst, err, errlen);
	if (rc)
		return rc;
	copy = strdup(text ? text : "");
	if (!copy)
		return -ENOMEM;
	/* Fields are cut in place: string parameters point into the copy the caller frees. */
	for (item = strtok_r(copy, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		const char *value;
		char name[64];

		/* Read back from a results file, maybe of another machine: not this kernel's. */
		rc = split_arg(item, name, sizeof(name), &value, err, errlen);
		if (!rc)
			rc = set_value(t, dst, name, value, err, errlen, 0);
		if (rc) {
			free(copy);
			return rc;
		}
	}
	*store = copy;
	return 0;
}

void hb_params_help(const struct hb_param *t, FILE *f)
{
	for (const struct hb_param *p = t; p->name; p++) {
		char range[256];

		range_text(p, range, sizeof(range));
		fprintf(f, "  %-16s %-8s default %s", p->name, type_name(p->type), p->def);
		if (p->type == HB_PT_BOOL)
			fprintf(f, ", %s", type_hint(p->type));
		else if (p->type != HB_PT_ENUM && p->type != HB_PT_STRING)
			fprintf(f, ", range %s", range);
		if (p->unit)
			fprintf(f, ", unit %s", p->unit);
		fprintf(f, "\n  %16s %s\n", "", p->help);
		for (int i = 0; p->type == HB_PT_ENUM && p->choices[i].name; i++)
			fprintf(f, "  %16s   %-12s %s\n", "", p->choices[i].name,
				p->choices[i].help ? p->choices[i].help : "");
	}
}
