/*
 * advise's reader of an inspect output (advise_service.h): the set's last sample from
 * inspect.csv, the THP mode and the malloc from inspect.json, and the backing that mode stands
 * for.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advise_service.h"
#include "allocator.h"
#include "csvread.h"

const char *const hb_svc_fig_names[HB_SVC_N] = { "rss_kib", "huge_coverage_pct", "charged_kib",
						 "beyond_rss_kib", "zero_share_pct" };

static const char *const fig_label[HB_SVC_N] = {
	"Rss (+hugetlb)",
	"huge-page coverage of anonymous memory",
	"charged (its memory cgroup)",
	"charged beyond Rss + page cache (what THP keeps after frees)",
	"zero 4 KiB subpages of its PMD-mapped THPs",
};

/* Why a figure is not in the last sample at all (an inspect that wrote no such row). */
static const char *const fig_missing[HB_SVC_N] = {
	"not in the last sample",
	"not in the last sample (no anonymous memory)",
	"not in the last sample (no memory cgroup of its own)",
	"not in the last sample (no memory cgroup of its own)",
	"not in the last sample (inspect ran without --zero-scan, or found no PMD-mapped THP)",
};

int hb_adv_service_is(const char *dir)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof(p), "%s/results.csv", dir);
	if (!access(p, F_OK))
		return 0;
	snprintf(p, sizeof(p), "%s/inspect.csv", dir);
	return !access(p, R_OK);
}

static void append(char *buf, size_t len, const char *sep, const char *s)
{
	size_t at = strlen(buf);

	if (strstr(buf, s))
		return; /* said already */
	snprintf(buf + at, len - at, "%s%s", at ? sep : "", s);
}

/* The THP mode, the malloc and the MADV_HUGEPAGE KiB from inspect.json. */
static void read_json(struct hb_adv_service *s)
{
	char path[PATH_MAX + 16];
	json_error_t e;
	json_t *j, *thp, *procs, *p, *madv;
	size_t i, ok = 0, disabled = 0;

	snprintf(path, sizeof(path), "%s/inspect.json", s->dir);
	j = json_load_file(path, 0, &e);
	if (!j) {
		snprintf(s->json_why, sizeof(s->json_why),
			 "inspect.json: %.160s (an inspect older "
			 "than inspect.json, or not its --out)",
			 access(path, F_OK) ? "absent" : e.text);
		return;
	}
	thp = json_object_get(j, "thp");
	if (!json_is_string(json_object_get(thp, "enabled"))) {
		snprintf(s->json_why, sizeof(s->json_why),
			 "inspect.json: no thp.enabled "
			 "(accepted: hugebench-inspect/1, docs/inspect.md)");
		json_decref(j);
		return;
	}
	snprintf(s->thp.enabled, sizeof(s->thp.enabled), "%s",
		 json_string_value(json_object_get(thp, "enabled")));
	snprintf(s->thp.defrag, sizeof(s->thp.defrag), "%s",
		 json_is_string(json_object_get(thp, HB_THP_DEFRAG_KNOB))
		     ? json_string_value(json_object_get(thp, HB_THP_DEFRAG_KNOB))
		     : "unavailable");
	procs = json_object_get(j, "processes");
	json_array_foreach(procs, i, p)
	{
		json_t *al = json_object_get(p, "allocator"), *env = json_object_get(al, "env"), *v;
		size_t k;

		if (!json_is_string(json_object_get(p, "state")) ||
		    strcmp(json_string_value(json_object_get(p, "state")), "ok"))
			continue;
		ok++;
		disabled += json_is_integer(json_object_get(p, "thp_enabled")) &&
			    !json_integer_value(json_object_get(p, "thp_enabled"));
		if (json_is_string(json_object_get(al, "name")))
			append(s->allocator, sizeof(s->allocator), ", ",
			       json_string_value(json_object_get(al, "name")));
		json_array_foreach(env, k, v) if (json_is_string(v))
		    append(s->malloc_env, sizeof(s->malloc_env), "; ", json_string_value(v));
	}
	s->thp_disabled = ok && disabled == ok;
	madv = json_object_get(json_object_get(json_object_get(j, "total"), "anon"),
			       "madv_hugepage_kib");
	s->madv_kib = json_is_integer(madv) ? (double)json_integer_value(madv) : -1;
	if (!s->allocator[0])
		snprintf(s->allocator, sizeof(s->allocator), "unavailable (no process read)");
	json_decref(j);
}

/* The backing the service's THP mode stands for (docs/advise.md). */
static void map_backing(struct hb_adv_service *s)
{
	const char *m = s->thp.enabled;

	if (!m[0]) {
		snprintf(s->backing_why, sizeof(s->backing_why),
			 "the THP mode is unavailable: %.200s", s->json_why);
	} else if (s->thp_disabled) {
		snprintf(s->backing, sizeof(s->backing), "4k");
		snprintf(s->backing_why, sizeof(s->backing_why),
			 "THP_enabled 0 in every process "
			 "(prctl PR_SET_THP_DISABLE): no THP whatever the mode (%s)",
			 m);
	} else if (!strcmp(m, "always")) {
		snprintf(s->backing, sizeof(s->backing), "thp-always");
		snprintf(s->backing_why, sizeof(s->backing_why), "THP `always` system-wide");
	} else if (!strcmp(m, "never")) {
		snprintf(s->backing, sizeof(s->backing), "4k");
		snprintf(s->backing_why, sizeof(s->backing_why), "THP `never`: no THP");
	} else if (!strcmp(m, "madvise") && s->madv_kib > 0) {
		snprintf(s->backing, sizeof(s->backing), "thp");
		snprintf(s->backing_why, sizeof(s->backing_why),
			 "THP `madvise`, and %.0f KiB of "
			 "its anonymous memory in MADV_HUGEPAGE regions",
			 s->madv_kib);
	} else if (!strcmp(m, "madvise") && s->madv_kib == 0) {
		snprintf(s->backing, sizeof(s->backing), "4k");
		snprintf(s->backing_why, sizeof(s->backing_why),
			 "THP `madvise` and no "
			 "MADV_HUGEPAGE region: it gets no THP");
	} else {
		snprintf(s->backing_why, sizeof(s->backing_why),
			 "THP `%s`%s: no backing of "
			 "advise's stands for it",
			 m, !strcmp(m, "madvise") ? " with the MADV_HUGEPAGE KiB unavailable" : "");
	}
}

int hb_adv_service_load(const char *dir, struct hb_adv_service *s, char *err, size_t len)
{
	static const char *const head[] = { "t_s", "pid", "metric", "value", "unit", "note" };
	char path[PATH_MAX + 16];
	struct hb_csv c;
	const char *last = NULL;
	size_t bad = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/inspect.csv", dir);
	rc = hb_csv_read(path, &c, &bad);
	if (rc) {
		snprintf(err, len, "%s: %s", path,
			 rc == -EINVAL ? "a quote left open" : strerror(-rc));
		return rc == -EINVAL ? -EINVAL : -ENOENT;
	}
	for (size_t i = 0; i < 6; i++)
		if (!c.n || c.rows[0].n != 6 || strcmp(c.rows[0].f[i], head[i])) {
			snprintf(err, len,
				 "%s: not inspect's (accepted: the header "
				 "t_s,pid,metric,value,unit,note of `hugebench inspect --out`)",
				 path);
			hb_csv_free(&c);
			return -EINVAL;
		}
	for (size_t i = 1; i < c.n; i++) {
		if (c.rows[i].n != 6 || strcmp(c.rows[i].f[1], "all"))
			continue;
		if (!last || strcmp(last, c.rows[i].f[0]))
			s->samples++, last = c.rows[i].f[0];
	}
	if (!last) {
		snprintf(err, len, "%s: no row of pid all (an inspect that read no process)", path);
		hb_csv_free(&c);
		return -EINVAL;
	}
	s->t_s = strtod(last, NULL);
	for (int k = 0; k < HB_SVC_N; k++)
		snprintf(s->fig[k].note, sizeof(s->fig[k].note), "%s", fig_missing[k]);
	for (size_t i = 1; i < c.n; i++) {
		const struct hb_csv_row *r = &c.rows[i];
		char *e;

		if (r->n != 6 || strcmp(r->f[1], "all") || strcmp(r->f[0], last))
			continue;
		for (int k = 0; k < HB_SVC_N; k++) {
			if (strcmp(r->f[2], hb_svc_fig_names[k]))
				continue;
			s->fig[k].v = strtod(r->f[3], &e);
			s->fig[k].ok = *r->f[3] && !*e;
			snprintf(s->fig[k].note, sizeof(s->fig[k].note), "%s", r->f[5]);
		}
	}
	hb_csv_free(&c);
	read_json(s);
	map_backing(s);
	return 0;
}

/* Whether the comma-separated list that starts at list (up to a space) has word. */
static int in_list(const char *list, const char *word)
{
	size_t n = strlen(word), end = strcspn(list, " ");

	for (const char *p = list; p < list + end; p += strcspn(p, ", ") + 1)
		if (!strncmp(p, word, n) && (p[n] == ',' || p[n] == ' ' || !p[n]))
			return 1;
	return 0;
}

void hb_adv_service_command(const struct hb_adv_service *s, const struct hb_workload *w,
			    const struct hb_advice_rule *rule, char *out, size_t len)
{
	const char *b;

	snprintf(out, len, "%s", rule->measure);
	if (!s || strncmp(out, "hugebench run ", 14))
		return;
	b = strstr(out, " -b ");
	if (rule->footprint && s->backing[0] && b && !in_list(b + 4, s->backing)) {
		size_t end = (size_t)(b + 4 - out) + strcspn(b + 4, " ");
		char rest[512];

		snprintf(rest, sizeof(rest), "%s", out + end);
		snprintf(out + end, len - end, ",%s%s", s->backing, rest);
	}
	if (strstr(out, "allocator=") || !hb_allocator_preset_find(s->allocator))
		return;
	for (const struct hb_param *p = w->params; p && p->name; p++)
		if (p->role == &hb_role_allocator && (!p->def || strcmp(p->def, s->allocator))) {
			size_t at = strlen(out);

			snprintf(out + at, len - at, " -p %s=%s", p->name, s->allocator);
			break;
		}
}

static void line(struct hb_adv_lines *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void line(struct hb_adv_lines *l, const char *fmt, ...)
{
	va_list ap;

	if (l->n >= HB_ADV_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(l->s[l->n++], HB_ADV_LINE, fmt, ap);
	va_end(ap);
}

void hb_adv_service_lines(const struct hb_adv_service *s, struct hb_adv_lines *l)
{
	l->n = 0;
	line(l,
	     "from `%s`: the last of %u sample%s (sample %u, %.3f s after inspect started), "
	     "every process inspected (pid `all`)",
	     s->dir, s->samples, s->samples == 1 ? "" : "s", s->samples, s->t_s);
	for (int k = 0; k < HB_SVC_N; k++) {
		const struct hb_svc_value *f = &s->fig[k];

		if (!f->ok)
			line(l, "%s: unavailable (%s)", fig_label[k], f->note);
		else if (k == HB_SVC_COVERAGE || k == HB_SVC_ZERO)
			line(l, "%s: %.*f%% (%s)", fig_label[k], k == HB_SVC_ZERO ? 2 : 1, f->v,
			     f->note);
		else
			line(l, "%s: %.0f KiB (%s)", fig_label[k], f->v, f->note);
	}
	if (s->thp.enabled[0])
		line(l,
		     "THP: enabled `%s`, " HB_THP_DEFRAG_KNOB " `%s`; it runs as **%s** to "
		     "advise: %s",
		     s->thp.enabled, s->thp.defrag, s->backing[0] ? s->backing : "no backing",
		     s->backing_why);
	else
		line(l, "THP mode: unavailable (%s)", s->json_why);
	if (s->allocator[0])
		line(l, "malloc: %s%s%s%s", s->allocator, s->malloc_env[0] ? " (" : "",
		     s->malloc_env, s->malloc_env[0] ? ")" : "");
	else
		line(l, "malloc: unavailable (%s)", s->json_why);
}
