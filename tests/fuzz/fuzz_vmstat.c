/*
 * The /proc/vmstat reader. Invariants: on success, a counter not present reads 0; on
 * failure, nothing is left half-filled.
 */
#include "fuzz.h"
#include "vmstat.h"

static void fuzz_one(const unsigned char *data, size_t len)
{
	struct hb_vmstat v;
	const char *path = fuzz_file(data, len);
	int rc = hb_vmstat_read(path, &v);

	for (int i = 0; i < HB_VM_NR; i++) {
		FUZZ_ASSERT(hb_vmstat_name((enum hb_vmstat_id)i));
		if (rc || !v.present[i])
			FUZZ_ASSERT(!v.v[i] && !v.present[i]);
	}
}
