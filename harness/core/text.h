/* Small text helpers every layer uses. */
#ifndef HB_TEXT_H
#define HB_TEXT_H
#include <stddef.h>

/* s without its leading and trailing whitespace (cut in place). */
char *hb_trim(char *s);
/* Appends n bytes of s to the growing text buf (kept NUL-terminated); aborts when out of memory. */
void hb_text_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
/* "NAME=VALUE": NAME copied into name (len bytes), *value at VALUE. -EINVAL when there is no
 * '=', NAME is empty or does not fit. */
int hb_split_name_value(const char *arg, char *name, size_t len, const char **value);

#endif
