/* The cell protocol (protocol.h): encoding on the child's side, decoding on the parent's. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol.h"

_Static_assert(HB_MSG_LINE_MAX <= PIPE_BUF, "a message must reach the parent in one write()");
_Static_assert(2 + HB_MSG_NAME_MAX + 1 + HB_MSG_VALUE_MAX + 1 + HB_MSG_UNIT_MAX + 1 +
		       HB_MSG_NOTE_MAX + 1 <
		   HB_MSG_LINE_MAX,
	       "the longest message fits in a line");

/* A field, cleaned: tabs separate the fields and a newline ends the line. */
static char *put(char *p, const char *s, size_t max)
{
	for (size_t i = 0; s && s[i] && i < max; i++)
		*p++ = s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? ' ' : s[i];
	return p;
}

static int known(int kind)
{
	return kind == HB_MSG_METRIC || kind == HB_MSG_GAUGE || kind == HB_MSG_PHASE ||
	       kind == HB_MSG_FALLBACK || kind == HB_MSG_ERROR;
}

int hb_msg_encode(const struct hb_msg *m, char *buf, size_t len)
{
	char num[32], *p = buf;

	if (!known(m->kind))
		return -EINVAL;
	if (len < HB_MSG_LINE_MAX)
		return -ENOSPC;
	/* The values were always printed so: the results must read the same as before. */
	snprintf(num, sizeof(num), "%.10g", m->num);
	*p++ = (char)m->kind;
	*p++ = '\t';
	switch (m->kind) {
	case HB_MSG_METRIC:
		p = put(p, m->name, HB_MSG_NAME_MAX);
		*p++ = '\t';
		p = put(p, m->value ? m->value : num, HB_MSG_VALUE_MAX);
		*p++ = '\t';
		p = put(p, m->unit, HB_MSG_UNIT_MAX);
		*p++ = '\t';
		p = put(p, m->note, HB_MSG_NOTE_MAX);
		break;
	case HB_MSG_GAUGE:
		p = put(p, m->name, HB_MSG_NAME_MAX);
		*p++ = '\t';
		p = put(p, num, HB_MSG_VALUE_MAX);
		break;
	case HB_MSG_PHASE:
		p = put(p, m->name, HB_MSG_NAME_MAX);
		break;
	default: /* F, E */
		p = put(p, m->note, HB_MSG_NOTE_MAX);
		break;
	}
	*p++ = '\n';
	*p = 0;
	return (int)(p - buf);
}

/* The whole text is a number (strtod's syntax, "nan" and "inf" included). */
static int number(const char *s, double *v)
{
	char *end;

	if (!*s)
		return 0;
	*v = strtod(s, &end);
	return *end == 0;
}

int hb_msg_decode(char *line, struct hb_msg *m)
{
	char *f[6];
	size_t n = 0;

	memset(m, 0, sizeof(*m));
	for (char *p = line;;) {
		if (n == sizeof(f) / sizeof(f[0]))
			return -EINVAL;
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = 0;
	}
	if (strlen(f[0]) != 1 || !known(f[0][0]))
		return -EINVAL;
	m->kind = (enum hb_msg_kind)f[0][0];
	switch (m->kind) {
	case HB_MSG_METRIC:
		if (n != 5 || !*f[1])
			return -EINVAL;
		m->name = f[1];
		m->value = f[2];
		m->numeric = number(f[2], &m->num);
		m->unit = f[3];
		m->note = f[4];
		return 0;
	case HB_MSG_GAUGE:
		if (n != 3 || !*f[1] || !number(f[2], &m->num))
			return -EINVAL;
		m->name = f[1];
		m->value = f[2];
		m->numeric = 1;
		return 0;
	case HB_MSG_PHASE:
		if (n != 2)
			return -EINVAL;
		m->name = f[1];
		return 0;
	default: /* F, E */
		if (n != 2)
			return -EINVAL;
		m->note = f[1];
		return 0;
	}
}

int hb_msg_write(int fd, const struct hb_msg *m)
{
	char line[HB_MSG_LINE_MAX];
	int n = hb_msg_encode(m, line, sizeof(line));
	ssize_t w;

	if (n < 0)
		return n;
	while ((w = write(fd, line, (size_t)n)) < 0 && errno == EINTR)
		;
	if (w < 0)
		return -errno;
	return w == n ? 0 : -EIO;
}
