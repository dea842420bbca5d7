/* Allocator presets and the child's environment they make. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"

static const char *var(const struct hb_child_env *e, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < e->n; i++)
		if (!strncmp(e->var[i], name, n) && e->var[i][n] == '=')
			return e->var[i] + n + 1;
	return NULL;
}

static void test_presets(void **state)
{
	(void)state;
	for (const struct hb_allocator_preset *p = hb_allocator_presets; p->label; p++) {
		assert_ptr_equal(hb_allocator_preset_find(p->label), p);
		assert_non_null(p->help);
	}
	assert_null(hb_allocator_preset_find("jemallok"));
}

static void test_env(void **state)
{
	struct hb_child_env e = { 0 };
	char why[512];

	(void)state;
	/* glibc: no preload; the preset's tunable and the user's joined with ':'. */
	assert_int_equal(hb_allocator_env("glibc+thp", "glibc.malloc.arena_max=1", &e, why,
					  sizeof(why)), 0);
	assert_null(var(&e, "LD_PRELOAD"));
	assert_string_equal(var(&e, "GLIBC_TUNABLES"),
			    "glibc.malloc.hugetlb=1:glibc.malloc.arena_max=1");
	assert_string_equal(var(&e, "HB_ALLOCATOR"), "glibc");
	/* Bad conf strings of a list allocator are passed through as they are. */
	memset(&e, 0, sizeof(e));
	setenv("HUGEBENCH_ALLOCATOR_DIR", HB_SRCDIR "/tests/unit", 1);
	assert_int_equal(hb_allocator_env("jemalloc", "bogus", &e, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "jemalloc is not installed"));
	unsetenv("HUGEBENCH_ALLOCATOR_DIR");
	memset(&e, 0, sizeof(e));
	if (hb_allocator_env("jemalloc+thp", "dirty_decay_ms:0", &e, why, sizeof(why)) == 0) {
		assert_non_null(strstr(var(&e, "LD_PRELOAD"), "libjemalloc.so.2"));
		assert_string_equal(var(&e, "MALLOC_CONF"),
				    "thp:always,metadata_thp:always,dirty_decay_ms:0");
	}
	/* Variable-per-setting allocators need NAME=VALUE. */
	memset(&e, 0, sizeof(e));
	if (hb_allocator_env("mimalloc", "MIMALLOC_PURGE_DELAY=0,MIMALLOC_VERBOSE=1", &e, why,
			     sizeof(why)) == 0) {
		assert_string_equal(var(&e, "MIMALLOC_PURGE_DELAY"), "0");
		assert_string_equal(var(&e, "MIMALLOC_VERBOSE"), "1");
		memset(&e, 0, sizeof(e));
		assert_int_equal(hb_allocator_env("mimalloc", "purge", &e, why, sizeof(why)),
				 -EINVAL);
		assert_non_null(strstr(why, "allocator_conf"));
	}
	memset(&e, 0, sizeof(e));
	assert_int_equal(hb_allocator_env("nosuch", "", &e, why, sizeof(why)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
