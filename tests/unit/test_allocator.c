/* Allocator presets and the child's environment they make. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocator.h"
#include "ctx.h"

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

/* The child (this program run again as "test_allocator --mallctl" under a preset's
 * environment): which malloc it has, by the harness's own look-up, and what jemalloc says of
 * its background threads, on stdout. */
static int child_report(void)
{
	int (*ctl)(const char *, void *, size_t *, void *, size_t);
	struct hb_alloc_info ai;
	bool on = false, opt = false;
	size_t sz = sizeof(on);

	free(malloc(64));
	hb_allocator_info(NULL, &ai);
	*(void **)&ctl = dlsym(RTLD_DEFAULT, "mallctl");
	if (ctl && (ctl("background_thread", &on, &sz, NULL, 0) ||
		    ctl("opt.background_thread", &opt, &sz, NULL, 0)))
		return 3;
	printf("%s background_thread=%d opt.background_thread=%d\n", ai.name, on, opt);
	return 0;
}

/* Runs the child under label's environment (plus conf); its exit status, its stdout and
 * stderr in out. */
static int run_child(const char *label, const char *conf, char *out, size_t len)
{
	struct hb_child_env e = { 0 };
	char why[512], *envp[HB_CHILD_ENV_MAX + 1] = { 0 };
	char *argv[] = { "test_allocator", "--mallctl", NULL };
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(hb_allocator_env(label, conf, &e, why, sizeof(why)), 0);
	for (int i = 0; i < e.n; i++)
		envp[i] = e.var[i];
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	close(fd[1]);
	for (size_t got = 0; got < len - 1; got += (size_t)n)
		if ((n = read(fd[0], out + got, len - 1 - got)) <= 0) {
			out[got] = 0;
			break;
		}
	out[len - 1] = 0;
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* jemalloc+redis: what redis-server 7 sets in its jemalloc, and only that; a child under it
 * really has background threads on (abort_conf makes a conf jemalloc rejects abort it). */
static void test_redis_preset(void **state)
{
	const struct hb_allocator_preset *p = hb_allocator_preset_find("jemalloc+redis");
	char why[512], out[256];

	(void)state;
	assert_non_null(p);
	assert_string_equal(p->allocator, "jemalloc");
	assert_string_equal(p->conf, "background_thread:true");
	if (hb_allocator_find("jemalloc", out, sizeof(out), why, sizeof(why))) {
		print_message("skipped the child: %s\n", why);
		return;
	}
	/* make check-asan / check-valgrind: a preloaded jemalloc cannot run under ASan's
	 * malloc, nor this exec of /proc/self/exe under valgrind (it names valgrind's tool). */
	if (getenv("HB_NO_PRELOAD_CHILD")) {
		print_message("skipped the child: %s\n", getenv("HB_NO_PRELOAD_CHILD"));
		return;
	}
	assert_int_equal(run_child("jemalloc+redis", "abort_conf:true", out, sizeof(out)), 0);
	assert_string_equal(out, "jemalloc background_thread=1 opt.background_thread=1\n");
	/* Plain jemalloc has them off: the child tells the two apart. */
	assert_int_equal(run_child("jemalloc", "abort_conf:true", out, sizeof(out)), 0);
	assert_string_equal(out, "jemalloc background_thread=0 opt.background_thread=0\n");
	/* An option this jemalloc does not take (Redis's build sets lg_quantum at compile time)
	 * aborts the child, so the ones above were taken. */
	assert_int_equal(run_child("jemalloc+redis", "lg_quantum:3,abort_conf:true", out,
				   sizeof(out)), 128 + SIGABRT);
	assert_non_null(strstr(out, "Invalid conf pair: lg_quantum:3"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_redis_preset),
	};

	if (argc > 1 && !strcmp(argv[1], "--mallctl"))
		return child_report();

	return cmocka_run_group_tests(tests, NULL, NULL);
}
