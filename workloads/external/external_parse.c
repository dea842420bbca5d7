/* command.h's pure parts: metric specs, figures read from output, placeholders. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "external_parse.h"

/* Cuts the next ':'-separated field of *p into out: 0, or -EINVAL when there is no ':'. */
static int field(const char **p, char *out, size_t len)
{
	const char *c = strchr(*p, ':');

	if (!c || (size_t)(c - *p) >= len)
		return -EINVAL;
	memcpy(out, *p, (size_t)(c - *p));
	out[c - *p] = 0;
	*p = c + 1;
	return 0;
}

int cmd_metric_parse(const char *spec, struct cmd_metric *m, char *err, size_t len)
{
	const char *p = spec;
	char dir[16];
	regex_t re;
	int rc;

	memset(m, 0, sizeof(*m));
	if (field(&p, m->name, sizeof(m->name)) || field(&p, m->unit, sizeof(m->unit)) ||
	    field(&p, dir, sizeof(dir)) || !*p) {
		snprintf(err, len, "'%s' is not NAME:UNIT:DIRECTION:REGEX (e.g. "
			 "'tps:tps:higher:tps = ([0-9.]+)')", spec);
		return -EINVAL;
	}
	if (!m->name[0] || strspn(m->name, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
				   strlen(m->name)) {
		snprintf(err, len, "'%s': NAME '%s' must be lower case letters, digits and '_'",
			 spec, m->name);
		return -EINVAL;
	}
	if (!strcmp(dir, "higher"))
		m->better = HB_HIGHER;
	else if (!strcmp(dir, "lower"))
		m->better = HB_LOWER;
	else if (!strcmp(dir, "neither"))
		m->better = HB_NEITHER;
	else {
		snprintf(err, len, "'%s': DIRECTION '%s' is not higher, lower or neither", spec,
			 dir);
		return -EINVAL;
	}
	if (strlen(p) >= sizeof(m->regex)) {
		snprintf(err, len, "'%s': REGEX longer than %zu characters", spec,
			 sizeof(m->regex) - 1);
		return -EINVAL;
	}
	snprintf(m->regex, sizeof(m->regex), "%s", p);
	rc = regcomp(&re, m->regex, REG_EXTENDED | REG_NEWLINE);
	if (rc) {
		char e[128];

		regerror(rc, &re, e, sizeof(e));
		snprintf(err, len, "'%s': REGEX does not compile (POSIX extended): %s", spec, e);
		return -EINVAL;
	}
	if (re.re_nsub != 1) {
		snprintf(err, len, "'%s': REGEX must have exactly one capture group, it has %zu",
			 spec, re.re_nsub);
		regfree(&re);
		return -EINVAL;
	}
	regfree(&re);
	return 0;
}

int cmd_metric_find(const struct cmd_metric *m, const char *out, double *v, char *why,
		    size_t len)
{
	regex_t re;
	regmatch_t g[2];
	const char *p = out, *last = NULL;
	size_t last_len = 0;
	char num[64], *end;

	if (regcomp(&re, m->regex, REG_EXTENDED | REG_NEWLINE)) {
		snprintf(why, len, "regex '%s' does not compile", m->regex);
		return -EINVAL;
	}
	while (*p && !regexec(&re, p, 2, g, p == out ? 0 : REG_NOTBOL)) {
		if (g[1].rm_so >= 0) {
			last = p + g[1].rm_so;
			last_len = (size_t)(g[1].rm_eo - g[1].rm_so);
		}
		p += g[0].rm_eo > 0 ? g[0].rm_eo : 1;
	}
	regfree(&re);
	if (!last) {
		snprintf(why, len, "no match of '%s' in the command's output (%zu bytes)",
			 m->regex, strlen(out));
		return -ENOENT;
	}
	snprintf(num, sizeof(num), "%.*s", (int)(last_len < sizeof(num) - 1 ? last_len :
						  sizeof(num) - 1), last);
	*v = strtod(num, &end);
	if (end == num || *end) {
		snprintf(why, len, "'%s' matched by '%s' is not a number", num, m->regex);
		return -EINVAL;
	}
	return 0;
}

int cmd_substitute(const char *line, const struct cmd_subst *s, char *out, size_t len, char *err,
		   size_t errlen)
{
	static const char *const names[] = { "dir", "port", "hugetlb" };
	size_t o = 0;

	for (const char *p = line; *p;) {
		const char *val = NULL, *adv = p + 1;
		char one[2] = { *p, 0 };

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			one[0] = p[0];
			val = one;
			adv = p + 2;
		} else if (*p == '{') {
			size_t n = strcspn(p + 1, "}");
			const char *vals[] = { s->dir, s->port, s->hugetlb };

			for (int i = 0; i < 3 && !val; i++)
				if (p[1 + n] == '}' && n == strlen(names[i]) &&
				    !strncmp(p + 1, names[i], n))
					val = vals[i] ? vals[i] : "";
			if (!val) {
				snprintf(err, errlen, "unknown placeholder '%.*s' in '%s'; accepted: "
					 "{dir}, {port}, {hugetlb}, and {{ and }} for a brace",
					 (int)(n + 2 > 40 ? 40 : n + 2), p, line);
				return -EINVAL;
			}
			adv = p + n + 2;
		} else {
			val = one;
		}
		if (o + strlen(val) >= len) {
			snprintf(err, errlen, "'%s' is longer than %zu characters once substituted",
				 line, len - 1);
			return -E2BIG;
		}
		memcpy(out + o, val, strlen(val));
		o += strlen(val);
		p = adv;
	}
	out[o] = 0;
	return 0;
}

const char *cmd_requires_missing(const char *requires, int (*find)(const char *program),
				 char *buf, size_t len)
{
	char copy[1024], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", requires ? requires : "");
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char *colon = strrchr(w, ':');

		if (colon)
			*colon = 0;
		if (find(w)) {
			if (colon && colon[1])
				snprintf(buf, len, "%s not installed: apt-get install %s", w,
					 colon + 1);
			else
				snprintf(buf, len, "%s not installed", w);
			return buf;
		}
	}
	return NULL;
}

int cmd_failure(const char *what, int status, int timed_out, double secs, const char *err_tail,
		char *buf, size_t len)
{
	const char *e = err_tail && err_tail[0] ? err_tail : "(empty)";

	if (timed_out)
		snprintf(buf, len, "%s killed at its timeout after %.1f s; its stderr: %s", what,
			 secs, e);
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "%s killed by signal %d; its stderr: %s", what,
			 WTERMSIG(status), e);
	else if (WEXITSTATUS(status))
		snprintf(buf, len, "%s exited with status %d; its stderr: %s", what,
			 WEXITSTATUS(status), e);
	else
		return 0;
	return 1;
}
