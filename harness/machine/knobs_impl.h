/*
 * Inside the knobs module: what knobs.c (read, set, put back) and knobs_state.c (the saved-state
 * file, its lock, recovery) share.
 */
#ifndef HB_KNOBS_IMPL_H
#define HB_KNOBS_IMPL_H
#include <stddef.h>

#include "knobs.h"

/* Appends a formatted line to report (may be NULL), never past len. */
void hb_knobs_report_add(char *report, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* buf = a b; -ENAMETOOLONG rather than a truncated path. */
int hb_knobs_join(char *buf, size_t len, const char *a, const char *b);
/* Absolute, shorter than PATH_MAX, no tab or newline (the state file's separators). */
int hb_knobs_valid_path(const char *path);
int hb_knobs_write_all(int fd, const char *buf, size_t len);
/* Reads a whole small file and NUL-terminates it; -EFBIG when it does not fit in buf. */
int hb_knobs_read_small(int fd, char *buf, size_t len, size_t *got);

/* Takes ownership of the saved state (lock, and the entries of a dead run's file). */
int hb_knobs_own(struct hb_knobs *k);
/* Drops ownership when nothing is saved any more. */
void hb_knobs_disown_if_empty(struct hb_knobs *k);
void hb_knobs_lock_drop(struct hb_knobs *k);
/* k->saved to the state file, atomically (temp, fsync, rename, fsync the directory). */
int hb_knobs_state_write(struct hb_knobs *k);
/* Puts every saved entry back, newest first; dead_pid > 0 when recovering for a dead run. */
int hb_knobs_put_back(struct hb_knobs *k, char *report, size_t len, long dead_pid);

#endif
