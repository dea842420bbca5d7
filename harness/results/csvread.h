/* A CSV reader (RFC 4180: quoted fields, "" inside quotes, commas and newlines in quotes). */
#ifndef HB_CSVREAD_H
#define HB_CSVREAD_H
#include <stddef.h>

struct hb_csv_row {
	char **f;
	size_t n;
};

struct hb_csv {
	struct hb_csv_row *rows;
	size_t n;
	char *text; /* the file; fields point into it */
};

/* Parses text (taken over: freed by hb_csv_free). Returns 0 or -ENOMEM / -EINVAL (a quote
 * left open; *bad_line says where it opened). */
int hb_csv_parse(char *text, struct hb_csv *c, size_t *bad_line);
/* The same from a file; -errno when it cannot be read. */
int hb_csv_read(const char *path, struct hb_csv *c, size_t *bad_line);
void hb_csv_free(struct hb_csv *c);

#endif
