/*
 * The bench profile (INI) parser: hb_profile_load over the input as a file, with the cells
 * it builds checked by the real workload tables. Invariants: a refused file says why with
 * the file and a line; an accepted one has at least one cell group.
 */
#include "fuzz.h"
#include "matrix.h"
#include "profile.h"

static void fuzz_one(const unsigned char *data, size_t len)
{
	const char *path = fuzz_file(data, len);
	struct hb_matrix m;
	struct hb_profile p;
	char err[4096];
	int rc;

	hb_matrix_init(&m);
	rc = hb_profile_load(path, NULL, &m, &p, err, sizeof(err));
	if (rc) {
		FUZZ_ASSERT(rc < 0 && !strncmp(err, path, strlen(path)));
	} else {
		FUZZ_ASSERT(p.sections > 0 && p.selected == p.sections);
		FUZZ_ASSERT(m.reps >= 1 && m.reps <= 1000);
	}
	hb_profile_free(&p);
	hb_matrix_free(&m);
}
