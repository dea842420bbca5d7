/* Tests for harness/util/fs.c in a mkdtemp directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hb-fs-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_makes_parents_with_mode(void **state)
{
	char path[256], parent[256];
	struct stat st;

	(void)state;
	snprintf(parent, sizeof(parent), "%s/a/b", tmpdir);
	snprintf(path, sizeof(path), "%s/a/b/c", tmpdir);
	assert_int_equal(hb_mkdir_p(path, 0700), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(parent, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Again: it exists, which is fine. */
	assert_int_equal(hb_mkdir_p(path, 0700), 0);
}

static void test_fails_under_a_file(void **state)
{
	char file[256], path[300];
	FILE *f;

	(void)state;
	snprintf(file, sizeof(file), "%s/plain", tmpdir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/sub", file);
	assert_int_equal(hb_mkdir_p(path, 0755), -ENOTDIR);
	assert_int_equal(hb_mkdir_p(file, 0755), -ENOTDIR);
}

static void test_too_long_is_refused(void **state)
{
	char *path = malloc(PATH_MAX + 16);

	(void)state;
	assert_non_null(path);
	memset(path, 'a', PATH_MAX + 8);
	path[0] = '/';
	path[PATH_MAX + 8] = 0;
	assert_int_equal(hb_mkdir_p(path, 0755), -ENAMETOOLONG);
	assert_int_equal(hb_mkdir_p("", 0755), -ENOENT);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_makes_parents_with_mode),
		cmocka_unit_test(test_fails_under_a_file),
		cmocka_unit_test(test_too_long_is_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
