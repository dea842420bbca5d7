/*
 * The /proc/PID/smaps and smaps_rollup parsers. Input: 16 bytes of a region [start, end)
 * then the file. Invariants: a parsed file's sums are those of what it holds (resident at
 * least the huge parts of a region), a region of no VMA sums to zero.
 */
#include <stdint.h>

#include "fuzz.h"
#include "smaps.h"

static void fuzz_one(const unsigned char *data, size_t len)
{
	struct hb_smaps s;
	uint64_t start = 0, end = UINT64_MAX;
	const char *path;

	if (len >= 16) {
		memcpy(&start, data, 8);
		memcpy(&end, data + 8, 8);
		data += 16;
		len -= 16;
	}
	path = fuzz_file(data, len);
	if (!hb_smaps_read_region(path, (uintptr_t)start, (uintptr_t)end, &s)) {
		if (!s.vmas)
			FUZZ_ASSERT(!s.size_kib && !s.rss_kib && !s.anon_huge_kib &&
				    !s.private_hugetlb_kib && !s.kernel_page_kib);
	}
	if (!hb_smaps_read_region(path, 0, UINT64_MAX, &s))
		(void)hb_smaps_resident_kib(&s);
	if (!hb_smaps_read_rollup(path, &s))
		FUZZ_ASSERT(!s.kernel_page_kib);
}
