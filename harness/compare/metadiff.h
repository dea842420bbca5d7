/*
 * The machine and settings differences of two runs, from their meta.json: printed before
 * compare's table, since a kernel, a THP mode or an allocator version that differs explains a
 * figure better than any test.
 */
#ifndef HB_METADIFF_H
#define HB_METADIFF_H
#include <stddef.h>

#include "machine_record.h"

struct hb_meta_diff {
	char path[96];	     /* "thp.enabled" */
	char base[128], new[128]; /* the values as text; "(absent)" when missing */
};

/* The fields compared, as shell patterns of dotted paths (NULL-terminated). */
extern const char *const hb_meta_compared[];

/* The compared fields whose values differ, into out (at most max). Returns how many. */
size_t hb_meta_diff(const struct hb_machine_record *base, const struct hb_machine_record *new,
		    struct hb_meta_diff *out, size_t max);

#endif
