/* Bench profiles (profile.h): read with libinih, checked by the workloads' parameter tables. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadir.h"
#include "matrix.h"
#include "profile.h"
#include "commands.h"
#include "units.h"

#ifdef HAVE_INIH
#include <ini.h>
#endif

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

void hb_profiles_shipped(char *buf, size_t len)
{
	char dir[PATH_MAX], names[16][64];
	struct dirent *e;
	size_t n = 0, off = 0;
	DIR *d;

	buf[0] = 0;
	if (hb_data_path("profiles", dir, sizeof(dir)) || !(d = opendir(dir)))
		return;
	while ((e = readdir(d)) && n < 16) {
		size_t l = strlen(e->d_name);

		if (l > 4 && l < 64 && !strcmp(e->d_name + l - 4, ".ini"))
			snprintf(names[n++], sizeof(names[0]), "%.*s", (int)(l - 4), e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "", names[i]);
}

int hb_profile_path(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);
	char rel[256];

	if (strchr(name, '/') || (n > 4 && !strcmp(name + n - 4, ".ini"))) {
		if ((size_t)snprintf(buf, len, "%s", name) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if ((size_t)snprintf(rel, sizeof(rel), "profiles/%s.ini", name) >= sizeof(rel))
		return -ENAMETOOLONG;
	return hb_data_path(rel, buf, len);
}

static char *keep(struct hb_profile *p, const char *s)
{
	char **n = realloc(p->strings, (p->nstrings + 1) * sizeof(*n));

	if (!n)
		return NULL;
	p->strings = n;
	n[p->nstrings] = strdup(s);
	return n[p->nstrings] ? n[p->nstrings++] : NULL;
}

void hb_profile_free(struct hb_profile *p)
{
	for (size_t i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	p->strings = NULL;
	p->nstrings = 0;
	for (size_t i = 0; i < p->nthresholds; i++)
		free(p->thresholds[i].metric);
	p->nthresholds = 0;
}

#ifdef HAVE_INIH

#define MAX_KEYS 64
#define MAX_SECTIONS 128

struct key {
	char *name, *value;
	int line;
};

struct section {
	char name[64];
	int line; /* of its [header] */
	struct key keys[MAX_KEYS];
	int nkeys;
};

struct parse {
	const char *path;
	FILE *f;
	int line;
	int header_line; /* of the last [section] header */
	struct section *s;
	int ns;
	int reps;
	uint64_t interval_ns;
	int timeout_set;
	uint64_t timeout_ns;
	struct hb_profile *p; /* also gets [bench] budget and max_reps */
	char *err;
	size_t errlen;
	int failed;
	int indented; /* the line just read starts with a blank: a value's continuation */
};

/* libinih's line reader, counting lines so the handler knows where it is. */
static char *reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	char *r = fgets(str, num, ps->f);

	if (r) {
		ps->line++;
		ps->indented = *r == ' ' || *r == '\t';
		r += strspn(r, " \t");
		if (*r == '[')
			ps->header_line = ps->line;
		r = str;
	}
	return r;
}

static int fail(struct parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parse *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ps->failed++)
		return 0; /* the first error is the one worth reading */
	n = snprintf(ps->err, ps->errlen, "%s:%d: ", ps->path, ps->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return 0;
}

/* cell_timeout: a duration of at least 1 s, or 0 for no limit. */
static int parse_timeout(const char *value, uint64_t *ns)
{
	return hb_parse_duration(value, ns) || (*ns && *ns < 1000000000ull) ? -EINVAL : 0;
}

static int bench_key(struct parse *ps, const char *name, const char *value)
{
	uint64_t u;

	if (!strcmp(name, "reps")) {
		if (hb_parse_uint(value, 1000, &u) || u < 1)
			return fail(ps, "[bench] reps: '%s' is not a whole number from 1 to 1000",
				    value);
		ps->reps = (int)u;
		return 1;
	}
	if (!strcmp(name, "series_interval")) {
		if (hb_parse_duration(value, &ps->interval_ns) || ps->interval_ns < 10000000ull)
			return fail(ps, "[bench] series_interval: '%s' is not a duration of at "
				    "least 10ms", value);
		return 1;
	}
	if (!strcmp(name, "cell_timeout")) {
		if (parse_timeout(value, &ps->timeout_ns))
			return fail(ps, "[bench] cell_timeout: '%s' is not a duration of at least "
				    "1s (or 0: no limit)", value);
		ps->timeout_set = 1;
		return 1;
	}
	if (!strcmp(name, "budget")) {
		if (hb_parse_duration(value, &ps->p->budget_ns) || !ps->p->budget_ns)
			return fail(ps, "[bench] budget: '%s' is not a duration such as 270s or 4.5m",
				    value);
		return 1;
	}
	if (!strcmp(name, "max_reps")) {
		if (hb_parse_uint(value, HB_BUDGET_MAX_REPS, &u) || u < 1)
			return fail(ps, "[bench] max_reps: '%s' is not a whole number from 1 to %d",
				    value, HB_BUDGET_MAX_REPS);
		ps->p->max_reps = (int)u;
		return 1;
	}
	return fail(ps, "[bench] has no key '%s'; accepted: reps, series_interval, cell_timeout, "
		    "budget, max_reps", name);
}

static int threshold_key(struct parse *ps, const char *name, const char *value)
{
	struct hb_profile *p = ps->p;
	char *end;
	double pct = strtod(value, &end);

	if (end == value || (*end && strcmp(end, "%")) || !(pct >= 0) || pct > 1e6)
		return fail(ps, "[thresholds] %s: '%s' is not a percentage (a number >= 0)", name,
			    value);
	if (p->nthresholds == sizeof(p->thresholds) / sizeof(p->thresholds[0]))
		return fail(ps, "[thresholds]: at most %zu metrics",
			    sizeof(p->thresholds) / sizeof(p->thresholds[0]));
	p->thresholds[p->nthresholds].metric = strdup(name);
	if (!p->thresholds[p->nthresholds].metric)
		return fail(ps, "out of memory");
	p->thresholds[p->nthresholds++].pct = pct;
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	struct section *s = ps->ns ? &ps->s[ps->ns - 1] : NULL;
	struct key *k;

	if (!*section)
		return fail(ps, "'%s' is outside any section; put it under [bench] or a cell "
			    "group's [name]", name);
	if (!strcmp(section, "bench"))
		return bench_key(ps, name, value);
	if (!strcmp(section, "thresholds"))
		return threshold_key(ps, name, value);
	if (s && !strcmp(s->name, section) && ps->header_line != s->line)
		return fail(ps, "section [%s] appears twice (first at line %d)", section, s->line);
	if (!s || strcmp(s->name, section)) {
		for (int i = 0; i < ps->ns; i++)
			if (!strcmp(ps->s[i].name, section))
				return fail(ps, "section [%s] appears twice (first at line %d)",
					    section, ps->s[i].line);
		if (ps->ns == MAX_SECTIONS)
			return fail(ps, "more than %d sections", MAX_SECTIONS);
		if (strlen(section) >= sizeof(s->name))
			return fail(ps, "section name [%s] is longer than %zu characters",
				    section, sizeof(s->name) - 1);
		s = &ps->s[ps->ns++];
		memset(s, 0, sizeof(*s));
		snprintf(s->name, sizeof(s->name), "%s", section);
		s->line = ps->header_line ? ps->header_line : ps->line;
	}
	/* An indented line continues the value before it (lines are at most 200 characters):
	 * joined with a space, for the long command lines of the command workload. */
	k = s->nkeys ? &s->keys[s->nkeys - 1] : NULL;
	if (ps->indented && k && !strcmp(k->name, name)) {
		size_t n = strlen(k->value);
		char *v = realloc(k->value, n + strlen(value) + 2);

		if (!v)
			return fail(ps, "out of memory");
		v[n] = ' ';
		strcpy(v + n + 1, value);
		k->value = v;
		return 1;
	}
	for (int i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].name, name))
			return fail(ps, "[%s] '%s' is set twice (first at line %d)", section, name,
				    s->keys[i].line);
	if (s->nkeys == MAX_KEYS)
		return fail(ps, "[%s] has more than %d keys", section, MAX_KEYS);
	k = &s->keys[s->nkeys];
	k->name = strdup(name);
	k->value = strdup(value);
	if (!k->name || !k->value) {
		free(k->name);
		free(k->value);
		return fail(ps, "out of memory");
	}
	k->line = ps->line;
	s->nkeys++;
	return 1;
}

static const struct key *find_key(const struct section *s, const char *name)
{
	for (int i = 0; i < s->nkeys; i++)
		if (!strcmp(s->keys[i].name, name))
			return &s->keys[i];
	return NULL;
}

/* "k=v;k=v" of the parameters as written, for rows of a workload this binary lacks. */
static void raw_params(const struct section *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (int i = 0; i < s->nkeys && off < len; i++) {
		if (!strcmp(s->keys[i].name, "workload") || !strcmp(s->keys[i].name, "backings") ||
		    !strcmp(s->keys[i].name, "reps") || !strcmp(s->keys[i].name, "cell_timeout"))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", off ? ";" : "",
					s->keys[i].name, s->keys[i].value);
	}
}

/* A section whose workload is not built in: one skipped row per backing it lists. */
static int skip_section(struct parse *ps, const struct section *s, const char *wname,
			const char *backings, struct hb_matrix *m)
{
	char params[512], why[256], *copy = strdup(backings), *save = NULL;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	raw_params(s, params, sizeof(params));
	snprintf(why, sizeof(why), "workload '%s' is not built into this hugebench (%s:%d, "
		 "section [%s]); `hugebench list` shows those that are", wname, ps->path,
		 s->line, s->name);
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
		rc = hb_matrix_skip(m, wname, t, params, why);
	free(copy);
	return rc;
}

static int build_section(struct parse *ps, const struct section *s, struct hb_matrix *m,
			 struct hb_profile *p)
{
	const struct key *wk = find_key(s, "workload"), *bk = find_key(s, "backings");
	const struct key *rk = find_key(s, "reps"), *tk = find_key(s, "cell_timeout");
	uint64_t timeout_ns = 0;
	const char *wname = wk ? wk->value : s->name;
	const struct hb_workload *w = hb_workload_find(wname);
	struct hb_backing backings[HB_MAX_BACKINGS];
	char defaults[256], err[1024];
	const char *blist;
	void *params;
	int nb, rc, reps = 0;
	size_t first;

	ps->line = wk ? wk->line : s->line;
	if (bk) {
		blist = bk->value;
	} else {
		hb_backing_default_list(defaults, sizeof(defaults));
		blist = defaults;
	}
	if (!w)
		return skip_section(ps, s, wname, blist, m);
	params = calloc(1, w->params_size);
	if (!params)
		return -ENOMEM;
	rc = -EINVAL;
	if (hb_params_defaults(w->params, params, err, sizeof(err))) {
		fail(ps, "workload %s: bad default: %s", w->name, err);
		goto out;
	}
	for (int i = 0; i < s->nkeys; i++) {
		const struct key *k = &s->keys[i];
		char *v;

		if (k == wk || k == bk || k == rk || k == tk)
			continue;
		ps->line = k->line;
		v = keep(p, k->value);
		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		if (hb_params_set(w->params, params, k->name, v, err, sizeof(err))) {
			fail(ps, "[%s] %s: %s", s->name, w->name, err);
			goto out;
		}
	}
	ps->line = s->line;
	if (w->validate && w->validate(params, err, sizeof(err))) {
		fail(ps, "[%s] %s: %s", s->name, w->name, err);
		goto out;
	}
	if (rk) {
		uint64_t u;

		ps->line = rk->line;
		if (hb_parse_uint(rk->value, 1000, &u) || u < 1) {
			fail(ps, "[%s] reps: '%s' is not a whole number from 1 to 1000", s->name,
			     rk->value);
			goto out;
		}
		reps = (int)u;
	}
	if (tk && parse_timeout(tk->value, &timeout_ns)) {
		ps->line = tk->line;
		fail(ps, "[%s] cell_timeout: '%s' is not a duration of at least 1s (or 0: no "
		     "limit)", s->name, tk->value);
		goto out;
	}
	ps->line = bk ? bk->line : s->line;
	nb = hb_parse_backing_list(blist, backings, HB_MAX_BACKINGS);
	if (nb < 0) {
		fail(ps, "[%s] backings: '%s' is not a list of backings (see above)", s->name,
		     blist);
		goto out;
	}
	first = m->n;
	rc = hb_matrix_add(m, w, params, backings, nb, s->name);
	for (size_t i = first; !rc && i < m->n; i++) {
		m->e[i].reps = reps;
		m->e[i].cell_timeout_set = !!tk;
		m->e[i].cell_timeout_ns = timeout_ns;
	}
out:
	free(params);
	return rc;
}

int hb_profile_load(const char *path, const char *only, struct hb_matrix *m,
		    struct hb_profile *p, char *err, size_t errlen)
{
	struct parse ps = { .path = path, .err = err, .errlen = errlen, .reps = 1, .p = p };
	int rc = 0, line;

	memset(p, 0, sizeof(*p));
	err[0] = 0;
	ps.f = fopen(path, "r");
	if (!ps.f) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	ps.s = calloc(MAX_SECTIONS, sizeof(*ps.s));
	if (!ps.s) {
		fclose(ps.f);
		return -ENOMEM;
	}
	line = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(ps.f);
	if (line < 0) {
		snprintf(err, errlen, "%s: cannot read it", path);
		rc = -EIO;
		goto out;
	}
	if (line > 0 && !ps.failed) {
		/* A syntax error libinih found itself (no handler call for that line). */
		snprintf(err, errlen, "%s:%d: not an INI line: expected [section], key = value, or "
			 "a ; or # comment", path, line);
		rc = -EINVAL;
		goto out;
	}
	if (ps.failed) {
		rc = -EINVAL;
		goto out;
	}
	if (!ps.ns) {
		snprintf(err, errlen, "%s: no cell groups: add a section like [%s] with "
			 "workload = %s", path, hb_workloads[0]->name, hb_workloads[0]->name);
		rc = -EINVAL;
		goto out;
	}
	m->reps = ps.reps;
	if (ps.interval_ns)
		m->series_interval_ns = ps.interval_ns;
	if (ps.timeout_set) {
		m->cell_timeout_set = HB_TIMEOUT_FROM_PROFILE;
		m->cell_timeout_ns = ps.timeout_ns;
	}
	p->sections = ps.ns;
	for (int i = 0; i < ps.ns && !rc; i++) {
		const struct key *wk = find_key(&ps.s[i], "workload");

		if (only && fnmatch(only, ps.s[i].name, 0) &&
		    fnmatch(only, wk ? wk->value : ps.s[i].name, 0))
			continue;
		p->selected++;
		rc = build_section(&ps, &ps.s[i], m, p);
	}
	if (!rc && only && !p->selected) {
		snprintf(err, errlen, "%s: --only '%s' matches no section or workload", path, only);
		rc = -EINVAL;
	}
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
out:
	for (int i = 0; i < ps.ns; i++)
		for (int k = 0; k < ps.s[i].nkeys; k++) {
			free(ps.s[i].keys[k].name);
			free(ps.s[i].keys[k].value);
		}
	free(ps.s);
	return rc;
}

#else /* !HAVE_INIH */

int hb_profile_load(const char *path, const char *only, struct hb_matrix *m,
		    struct hb_profile *p, char *err, size_t errlen)
{
	(void)only;
	(void)m;
	memset(p, 0, sizeof(*p));
	snprintf(err, errlen, "cannot read profile %s: hugebench was built without libinih "
		 "(apt-get install libinih-dev, then ./configure && make)", path);
	return -ENOTSUP;
}

#endif
