/*
 * The /proc/buddyinfo parser and the unusable-free-space index. Invariants: a parsed table
 * holds at least one zone with at most HB_BUDDY_MAX_ORDERS orders; the free pages of order
 * >= j never exceed the free pages and never grow with j; the index lies in 0..1.
 */
#include <math.h>

#include "buddyinfo.h"
#include "fuzz.h"

static void fuzz_one(const unsigned char *data, size_t len)
{
	static struct hb_buddyinfo b;
	char *text = fuzz_strdup(data, len);
	uint64_t all, prev;

	if (!hb_buddyinfo_parse(text, &b)) {
		FUZZ_ASSERT(b.nzones >= 1 && b.nzones <= HB_BUDDY_MAX_ZONES);
		for (unsigned z = 0; z < b.nzones; z++)
			FUZZ_ASSERT(b.z[z].norders <= HB_BUDDY_MAX_ORDERS);
		all = prev = hb_buddyinfo_free_pages(&b);
		for (unsigned j = 0; j < HB_BUDDY_MAX_ORDERS; j++) {
			uint64_t from = hb_buddyinfo_free_pages_from(&b, j);
			double u = hb_buddyinfo_unusable_index(&b, j);

			FUZZ_ASSERT(from <= all && from <= prev);
			FUZZ_ASSERT(!isnan(u) && u >= 0 && u <= 1);
			prev = from;
		}
	}
	free(text);
	if (!hb_buddyinfo_read(fuzz_file(data, len), &b, NULL, 0))
		FUZZ_ASSERT(b.nzones >= 1);
}
