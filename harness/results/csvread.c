#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

static int add_field(struct hb_csv_row *r, char *f)
{
	char **n = realloc(r->f, (r->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	r->f = n;
	r->f[r->n++] = f;
	return 0;
}

static int add_row(struct hb_csv *c, struct hb_csv_row *r)
{
	struct hb_csv_row *n = realloc(c->rows, (c->n + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	c->rows = n;
	c->rows[c->n++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

/* In place: an unquoted field is cut at its delimiter; a quoted one is copied down over
 * itself without the quotes (the result is never longer than the source). */
int hb_csv_parse(char *text, struct hb_csv *c, size_t *bad_line)
{
	struct hb_csv_row row = { 0 };
	char *p = text;
	size_t line = 1;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->text = text;
	while (*p && !rc) {
		char *start = p, *out;

		if (*p == '"') {
			size_t open = line;

			out = start;
			for (p++;; p++) {
				if (!*p) {
					if (bad_line)
						*bad_line = open;
					rc = -EINVAL;
					goto out;
				}
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p++;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					line += *p == '\n';
					*out++ = *p;
				}
			}
			/* Anything between the closing quote and the delimiter is dropped. */
			while (*p && *p != ',' && *p != '\n')
				p++;
		} else {
			while (*p && *p != ',' && *p != '\n')
				p++;
			out = p;
			if (out > start && out[-1] == '\r')
				out--;
		}
		{
			char delim = *p;

			*out = 0;
			rc = add_field(&row, start);
			if (delim)
				p++;
			if (!rc && delim != ',') {
				line++;
				rc = add_row(c, &row);
			}
		}
	}
	if (!rc && row.n)
		rc = add_row(c, &row);
out:
	free(row.f);
	return rc;
}

int hb_csv_read(const char *path, struct hb_csv *c, size_t *bad_line)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, r;
	int rc;

	memset(c, 0, sizeof(*c));
	if (!f)
		return -errno;
	do {
		if (len + 4096 + 1 > cap) {
			char *n;

			cap = cap ? cap * 2 : 65536;
			n = realloc(text, cap);
			if (!n) {
				free(text);
				fclose(f);
				return -ENOMEM;
			}
			text = n;
		}
		r = fread(text + len, 1, cap - len - 1, f);
		len += r;
	} while (r > 0);
	rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (rc) {
		free(text);
		return rc;
	}
	text[len] = 0;
	rc = hb_csv_parse(text, c, bad_line);
	if (rc)
		hb_csv_free(c);
	return rc;
}

void hb_csv_free(struct hb_csv *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->rows[i].f);
	free(c->rows);
	free(c->text);
	memset(c, 0, sizeof(*c));
}
