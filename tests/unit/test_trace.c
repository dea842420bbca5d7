/*
 * Allocation traces: the format read back (core/tracefile.c) from files written here, whole
 * and cut short; the address map; and the recorder (recorder/hbrecord.c, the build tree's
 * libhbrecord.so) on tests/record/allocprog, which says on stdout what each of its calls
 * returned: every intercepted call must be in the trace with the same pointer and size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "trace.h"

static char tmpdir[64], top[PATH_MAX];

static int setup(void **state)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	(void)state;
	if (n <= 0)
		return -1;
	exe[n] = 0;
	/* the build tree's top: <top>/tests/unit/test_trace */
	for (int i = 0; i < 3; i++)
		*strrchr(exe, '/') = 0;
	snprintf(top, sizeof(top), "%s", exe);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hb-trace-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A trace of two threads whose chunks are written out of time order, as the recorder does
 * when a thread's buffer fills later than another's: 0-based times 10, 20, ... per thread. */
static void write_trace(const char *path, size_t *file_len)
{
	const char text[] = "command=test\nallocator=none\nmachine=here\n";
	struct hb_trace_header h = { .version = HB_TRACE_VERSION,
				     .hdr_len = (uint32_t)(sizeof(h) + sizeof(text) - 1),
				     .rec_size = sizeof(struct hb_trace_rec), .pid = 42 };
	struct hb_trace_rec c[4];
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	memcpy(h.magic, HB_TRACE_MAGIC, 8);
	assert_int_equal(fwrite(&h, sizeof(h), 1, f), 1);
	assert_int_equal(fwrite(text, sizeof(text) - 1, 1, f), 1);
	/* thread 2's chunk (times 15, 25, 35) before thread 1's (5, 10, 30) */
	for (int chunk = 0; chunk < 2; chunk++) {
		uint16_t tid = chunk ? 1 : 2;
		const uint64_t times[2][3] = { { 15, 25, 35 }, { 5, 10, 30 } };

		c[0] = (struct hb_trace_rec){ .kind = HB_TR_CHUNK, .tid = tid, .aux = 3 };
		for (int i = 0; i < 3; i++)
			c[1 + i] = (struct hb_trace_rec){ .kind = HB_TR_MALLOC, .tid = tid,
							  .t_ns = times[chunk][i],
							  .ptr = 0x1000u * (unsigned)(i + 1) + tid,
							  .size = 100 + (unsigned)i };
		assert_int_equal(fwrite(c, sizeof(c), 1, f), 1);
	}
	*file_len = (size_t)ftell(f);
	fclose(f);
}

static void test_round_trip(void **state)
{
	char path[128], err[256], buf[64];
	struct hb_trace t;
	struct hb_trace_merge *m;
	struct hb_trace_rec r;
	uint64_t last = 0, n = 0;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/a.trace", tmpdir);
	write_trace(path, &len);
	assert_int_equal(hb_trace_open(path, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nrecs, 8);
	assert_int_equal(t.tail_bytes, 0);
	assert_int_equal(t.nchunks, 2);
	assert_int_equal(t.nthreads, 2);
	assert_int_equal(t.hdr.pid, 42);
	assert_int_equal(hb_trace_field(&t, "allocator", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "none");
	assert_int_equal(hb_trace_field(&t, "nothing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(hb_trace_merge_open(&t, &m), 0);
	while (hb_trace_merge_next(m, &r) == 1) {
		assert_true(r.t_ns >= last);
		assert_int_equal(r.kind, HB_TR_MALLOC);
		assert_int_equal(r.ptr & 0xff, r.tid);
		last = r.t_ns;
		n++;
	}
	assert_int_equal(n, 6);
	assert_int_equal(last, 35);
	hb_trace_merge_close(m);
	hb_trace_close(&t);
}

/* Cut inside thread 1's third record (time 30): its chunk gives two, and the merge still
 * orders thread 2's three around them. */
static void test_truncated(void **state)
{
	char path[128], err[256];
	struct hb_trace t;
	struct hb_trace_merge *m;
	struct hb_trace_rec r;
	uint64_t n = 0, last = 0;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/cut.trace", tmpdir);
	write_trace(path, &len);
	assert_int_equal(truncate(path, (off_t)(len - sizeof(r) + 17)), 0);
	assert_int_equal(hb_trace_open(path, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nrecs, 7);
	assert_int_equal(t.tail_bytes, 17);
	assert_int_equal(hb_trace_merge_open(&t, &m), 0);
	while (hb_trace_merge_next(m, &r) == 1) {
		assert_true(r.t_ns >= last);
		last = r.t_ns;
		n++;
	}
	assert_int_equal(n, 5);
	assert_int_equal(last, 35);
	hb_trace_merge_close(m);
	hb_trace_close(&t);
	/* cut inside the header: not a trace, said so */
	assert_int_equal(truncate(path, 20), 0);
	assert_int_equal(hb_trace_open(path, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "too short"));
}

static void test_bad_files(void **state)
{
	char path[128], err[256];
	struct hb_trace t;
	size_t len;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.trace", tmpdir);
	write_trace(path, &len);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "\x09\0\0\0", 4, 8), 4); /* version 9 */
	close(fd);
	assert_int_equal(hb_trace_open(path, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "version 9"));
	fd = open(path, O_WRONLY);
	assert_int_equal(pwrite(fd, "NOTATRACE", 8, 0), 8);
	close(fd);
	assert_int_equal(hb_trace_open(path, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a hugebench trace"));
	snprintf(path, sizeof(path), "%s/none.trace", tmpdir);
	assert_int_equal(hb_trace_open(path, &t, err, sizeof(err)), -ENOENT);
}

static void test_addrmap(void **state)
{
	enum { N = 50000 };
	static uint64_t keys[N];
	static char in[N];
	struct hb_addrmap m;
	uint64_t x = 88172645463325252ull, count = 0;

	(void)state;
	assert_int_equal(hb_addrmap_init(&m), 0);
	for (int i = 0; i < N; i++)
		keys[i] = (uint64_t)(i + 1) * 4096 * 3; /* clustered, as heap addresses are */
	for (int step = 0; step < 400000; step++) {
		int k, fresh;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		k = (int)(x % N);
		if (in[k]) {
			struct hb_addrmap_ent e;

			assert_int_equal(hb_addrmap_del(&m, keys[k], &e), 1);
			assert_int_equal(e.a, keys[k] + 1);
			in[k] = 0;
			count--;
		} else {
			struct hb_addrmap_ent *e = hb_addrmap_put(&m, keys[k], &fresh);

			assert_non_null(e);
			assert_int_equal(fresh, 1);
			e->a = keys[k] + 1;
			in[k] = 1;
			count++;
		}
	}
	assert_int_equal(m.n, count);
	for (int k = 0; k < N; k++)
		assert_true((hb_addrmap_get(&m, keys[k]) != NULL) == in[k]);
	assert_true(hb_addrmap_resident(&m) > 0);
	hb_addrmap_free(&m);
}

static void test_effects(void **state)
{
	struct hb_trace_rec r = { .kind = HB_TR_REALLOC, .ptr = 0x5000, .size = 64, .aux = 0 };
	struct hb_trace_effect e;

	(void)state;
	hb_trace_effect(&r, &e); /* realloc(NULL, 64): an allocation only */
	assert_int_equal(e.freed, 0);
	assert_int_equal(e.alloc, 0x5000);
	r.aux = 0x4000;
	r.flags = HB_TRF_FAILED; /* a failed realloc keeps the old block */
	hb_trace_effect(&r, &e);
	assert_int_equal(e.freed, 0);
	assert_int_equal(e.alloc, 0);
	r = (struct hb_trace_rec){ .kind = HB_TR_REALLOC, .aux = 0x4000 }; /* realloc(p, 0) */
	hb_trace_effect(&r, &e);
	assert_int_equal(e.freed, 0x4000);
	assert_int_equal(e.alloc, 0);
	r = (struct hb_trace_rec){ .kind = HB_TR_FREE }; /* free(NULL) */
	hb_trace_effect(&r, &e);
	assert_int_equal(e.freed, 0);
	r = (struct hb_trace_rec){ .kind = HB_TR_MALLOCX, .ptr = 0x8000, .size = 10,
				   .aux = 0x40 | 6 };
	hb_trace_effect(&r, &e);
	assert_int_equal(e.align, 64);
	assert_int_equal(e.zeroed, 1);
}

/* Runs allocprog MODE under the recorder into trace; its stdout into out (a file). With
 * kill_sig, waits for "ready" and sends it. Returns the wait status. */
static int run_recorded(const char *mode, const char *trace, const char *out, int jemalloc,
			int kill_sig)
{
	char prog[PATH_MAX + 32], lib[PATH_MAX + 32], pre[2 * PATH_MAX + 64], num[32];
	int pfd[2], st = 0;
	pid_t pid;

	snprintf(prog, sizeof(prog), "%s/tests/record/allocprog", top);
	snprintf(lib, sizeof(lib), "%s/libhbrecord.so", top);
	snprintf(pre, sizeof(pre), "%s%s", lib,
		 jemalloc ? ":/usr/lib/x86_64-linux-gnu/libjemalloc.so.2" : "");
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(kill_sig ? pfd[1] : fd, 1);
		close(pfd[0]);
		setenv("LD_PRELOAD", pre, 1);
		setenv("HB_RECORD_OUT", trace, 1);
		snprintf(num, sizeof(num), "%d", (int)getpid());
		setenv("HB_RECORD_PID", num, 1);
		execl(prog, prog, mode, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if (kill_sig) {
		char line[64] = "";
		FILE *f = fdopen(pfd[0], "r");

		assert_non_null(fgets(line, sizeof(line), f)); /* waits for the event */
		assert_string_equal(line, "ready\n");
		kill(pid, kill_sig);
		fclose(f);
	} else {
		close(pfd[0]);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static int kind_of(const char *name)
{
	for (unsigned k = 1; k < HB_TR_NKINDS; k++)
		if (!strcmp(hb_trace_kind_name(k), name))
			return (int)k;
	return -1;
}

/* Every line allocprog printed is a record of the trace, with its pointer, size and aux. */
static void check_forwarded(int jemalloc)
{
	char trace[128], out[128], line[256], kind[64], err[256];
	struct hb_trace t;
	struct hb_trace_merge *m;
	static struct hb_trace_rec recs[4096];
	size_t n = 0, lines = 0;
	uint64_t fork_pid = 0, main_tid = 0;
	int st, forks = 0, ends = 0;
	FILE *f;

	snprintf(trace, sizeof(trace), "%s/all%d.trace", tmpdir, jemalloc);
	snprintf(out, sizeof(out), "%s/all%d.out", tmpdir, jemalloc);
	st = run_recorded("all", trace, out, jemalloc, 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(hb_trace_open(trace, &t, err, sizeof(err)), 0);
	assert_int_equal(t.tail_bytes, 0);
	assert_int_equal(hb_trace_merge_open(&t, &m), 0);
	while (n < 4096 && hb_trace_merge_next(m, &recs[n]) == 1)
		n++;
	hb_trace_merge_close(m);
	hb_trace_close(&t);
	f = fopen(out, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ptr, size, aux;
		int k, found = 0, thread = 0;
		const char *name = kind;

		assert_int_equal(sscanf(line, "%63s %llx %llu %llu", kind, &ptr, &size, &aux), 4);
		if (!strncmp(kind, "thread_", 7)) {
			name = kind + 7;
			thread = 1;
		}
		k = kind_of(name);
		assert_true(k > 0);
		lines++;
		for (size_t i = 0; i < n && !found; i++) {
			const struct hb_trace_rec *r = &recs[i];

			if (r->kind != k || r->ptr != (k == HB_TR_FORK ? 0 : ptr))
				continue;
			if (k == HB_TR_FORK) {
				found = r->aux == aux;
				fork_pid = aux;
				continue;
			}
			if (k != HB_TR_FREE && k != HB_TR_DALLOCX && r->size != size)
				continue;
			if ((k == HB_TR_REALLOC || k == HB_TR_RALLOCX || k == HB_TR_MREMAP ||
			     k == HB_TR_CALLOC || k == HB_TR_POSIX_MEMALIGN ||
			     k == HB_TR_ALIGNED_ALLOC || k == HB_TR_MEMALIGN ||
			     k == HB_TR_MADVISE) && r->aux != aux)
				continue;
			if (!thread && !main_tid && k == HB_TR_MALLOC)
				main_tid = r->tid;
			if (thread && r->tid == main_tid)
				continue; /* the thread's must come from another thread */
			found = 1;
		}
		if (!found)
			fail_msg("allocprog's '%s' (jemalloc %d) is not in the trace", line, jemalloc);
	}
	fclose(f);
	assert_true(lines >= 25);
	for (size_t i = 0; i < n; i++) {
		forks += recs[i].kind == HB_TR_FORK;
		ends += recs[i].kind == HB_TR_FORK_END && recs[i].aux == fork_pid;
		/* the child's malloc(4242) is its own, not the recorded process's */
		assert_false(recs[i].kind == HB_TR_MALLOC && recs[i].size == 4242);
	}
	assert_int_equal(forks, 1);
	assert_int_equal(ends, 1);
}

/* Under ASan or valgrind (check-asan, check-valgrind) another preloaded library cannot come
 * first: the recorder's tests say so and skip. */
static int no_preload(void)
{
	const char *why = getenv("HB_NO_PRELOAD_CHILD");

	if (why && *why)
		print_message("skipped: %s\n", why);
	return why && *why;
}

static void test_recorder_glibc(void **state)
{
	(void)state;
	if (no_preload())
		skip();
	check_forwarded(0);
}

static void test_recorder_jemalloc(void **state)
{
	(void)state;
	if (no_preload() || access("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", R_OK))
		skip();
	check_forwarded(1);
}

/* SIGTERM flushes every buffer: the 100001 mallocs before "ready" are all there. SIGKILL
 * leaves what was written, readable to its last whole record. */
static void test_signals(void **state)
{
	char trace[128], out[128], err[256];
	struct hb_trace t;
	struct hb_trace_merge *m;
	struct hb_trace_rec r;
	uint64_t mallocs = 0;
	int st;

	(void)state;
	if (no_preload())
		skip();
	snprintf(trace, sizeof(trace), "%s/term.trace", tmpdir);
	snprintf(out, sizeof(out), "%s/term.out", tmpdir);
	st = run_recorded("sleep", trace, out, 0, SIGTERM);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	assert_int_equal(hb_trace_open(trace, &t, err, sizeof(err)), 0);
	assert_int_equal(hb_trace_merge_open(&t, &m), 0);
	while (hb_trace_merge_next(m, &r) == 1)
		mallocs += r.kind == HB_TR_MALLOC && r.size >= 16 && r.size < 4016;
	hb_trace_merge_close(m);
	hb_trace_close(&t);
	assert_true(mallocs >= 100001);

	snprintf(trace, sizeof(trace), "%s/kill.trace", tmpdir);
	st = run_recorded("forever", trace, out, 0, SIGKILL);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(hb_trace_open(trace, &t, err, sizeof(err)), 0);
	assert_true(t.nrecs >= 100000);
	mallocs = 0;
	assert_int_equal(hb_trace_merge_open(&t, &m), 0);
	while (hb_trace_merge_next(m, &r) == 1)
		mallocs += r.kind == HB_TR_MALLOC;
	hb_trace_merge_close(m);
	hb_trace_close(&t);
	assert_true(mallocs >= 90000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_addrmap),
		cmocka_unit_test(test_effects),
		cmocka_unit_test(test_recorder_glibc),
		cmocka_unit_test(test_recorder_jemalloc),
		cmocka_unit_test(test_signals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
