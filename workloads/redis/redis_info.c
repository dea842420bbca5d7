/* The redis workload's reading of Redis's INFO text and log lines (pure: no I/O). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redis.h"

/* The value of field: a pointer just past "field:" at the start of a line, or NULL. */
static const char *find_field(const char *info, const char *field)
{
	size_t n = strlen(field);

	for (const char *l = info; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, field, n) && l[n] == ':')
			return l + n + 1;
	return NULL;
}

int redis_info_num(const char *info, const char *field, double *v)
{
	const char *p = find_field(info, field);
	char *end;

	if (!p)
		return -ENOENT;
	*v = strtod(p, &end);
	if (end == p || (*end && *end != '\r' && *end != '\n'))
		return -EINVAL;
	return 0;
}

int redis_info_str(const char *info, const char *field, char *buf, size_t len)
{
	const char *p = find_field(info, field);
	size_t n;

	if (!p)
		return -ENOENT;
	n = strcspn(p, "\r\n");
	snprintf(buf, len, "%.*s", (int)n, p);
	return 0;
}

unsigned redis_info_each(const char *info, const char *prefix,
			 void (*fn)(void *arg, const char *name, double v), void *arg)
{
	size_t n = strlen(prefix);
	unsigned count = 0;

	for (const char *l = info; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		const char *colon = strchr(l, ':'), *eol = l + strcspn(l, "\r\n");
		char name[64], *end;
		double v;

		if (strncmp(l, prefix, n) || !colon || colon > eol || colon - l >= (long)sizeof(name))
			continue;
		v = strtod(colon + 1, &end);
		if (end == colon + 1 || end != eol)
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(colon - l), l);
		fn(arg, name, v);
		count++;
	}
	return count;
}

/* "12345:M 01 Dec 2026 10:44:48.910 # text" -> "# text"; anything else unchanged. */
const char *redis_log_strip(const char *line)
{
	const char *p = line;
	int spaces = 0;

	while (isdigit((unsigned char)*p))
		p++;
	if (p == line || p[0] != ':' || !p[1] || p[2] != ' ')
		return line;
	for (p += 3; *p && spaces < 4; p++)
		spaces += *p == ' ';
	return spaces == 4 ? p : line;
}
