/* Reading the small procfs/sysfs/cgroupfs files the harness looks at (never writing them:
 * every write goes through knobs.c). */
#ifndef HB_READFILE_H
#define HB_READFILE_H
#include <stddef.h>
#include <stdint.h>

#include "text.h" /* hb_trim, which the readers of these files use */

/* The whole file (up to len - 1 bytes), NUL-terminated, surrounding whitespace removed.
 * Returns 0 or -errno. */
int hb_read_text(const char *path, char *buf, size_t len);
/* The file's leading unsigned decimal number. Returns 0, -errno, or -EINVAL. */
int hb_read_u64(const char *path, uint64_t *v);

#endif
