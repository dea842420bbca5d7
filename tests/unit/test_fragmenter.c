/*
 * The fragmenter: its refusal figures and bookkeeping everywhere; as root with a 2 MiB hugetlb
 * pool, a real aging (the order-9 index rises, release gives memory and pool back) and a SIGINT
 * in the middle of the fill (pool back, filler gone). The root parts take
 * /tmp/hugebench.lock (unless HB_LOCK_HELD=1) and hold at most 12 GiB for ~20 s, most of it
 * an untouched hugetlb plug (the filler touches ~8 GiB on the way).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "fragmenter.h"
#include "knobs.h"
#include "params.h"
#include "readfile.h"
#include "sysinfo.h"

#define GIB (1ULL << 30)
/* The share asked: enough holes to outweigh what this shared machine already has scattered
 * (an index of 0.12-0.22 here; the filler first eats those old small blocks). */
#define SHARE_OVER 0.15
/* The most the test leaves to the fragmenter: need = MemAvailable - TAKE, so it holds at most
 * TAKE - 1 GiB (mostly an untouched plug: cheap) and free memory stays >= ~7 GiB. */
#define TAKE (13 * GIB)
/* The bound of a wait for an event, only so that a broken build cannot hang the test: no wait
 * here may need it on any host. */
#define WAIT_MAX_NS (300 * 1000000000ull)

static void test_check(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(hb_frag_check(0, 0, 8 * GIB, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "age=0"));
	assert_int_equal(hb_frag_check(1.5, 0, 8 * GIB, why, sizeof(why)), -EINVAL);
	assert_int_equal(hb_frag_check(0.5, 2 * GIB, 8 * GIB, why, sizeof(why)), 0);
	assert_int_equal(hb_frag_check(0.5, 2 * GIB, 3 * GIB, why, sizeof(why)), -ENOMEM);
	assert_non_null(strstr(why, "MemAvailable 3072 MiB"));
	assert_non_null(strstr(why, "needs 2048 MiB"));
	assert_non_null(strstr(why, "reserve of 1024 MiB"));
}

struct age_params {
	double age;
};

/* The age row: a double in 0-1, found by its role; a wider range is a table error. */
static void test_age_row(void **state)
{
	const struct hb_param good[] = {
		{ .name = "age", .type = HB_PT_DOUBLE, .offset = offsetof(struct age_params, age),
		  .def = "0", .min = "0", .max = "1", .help = HB_AGE_HELP, .role = &hb_role_age },
		HB_PARAM_END,
	};
	const struct hb_param wide[] = {
		{ .name = "age", .type = HB_PT_DOUBLE, .offset = offsetof(struct age_params, age),
		  .def = "0", .min = "0", .max = "2", .help = "h", .role = &hb_role_age },
		HB_PARAM_END,
	};
	struct age_params ap = { 0 };
	char err[256];

	(void)state;
	assert_int_equal(hb_params_check_table(good, err, sizeof(err)), 0);
	assert_int_equal(hb_params_check_table(wide, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "0-1"));
	assert_true(hb_frag_param_share(good, &ap) == 0);
	assert_int_equal(hb_params_set(good, &ap, "age", "0.25", err, sizeof(err)), 0);
	assert_true(hb_frag_param_share(good, &ap) == 0.25);
	assert_int_equal(hb_params_set(good, &ap, "age", "1.5", err, sizeof(err)), -ERANGE);
	assert_true(hb_frag_param_share(&good[1], &ap) == 0);
}

static void test_release_untouched(void **state)
{
	struct hb_frag f = { 0 };

	(void)state;
	assert_int_equal(hb_frag_release(&f), 0);
	assert_int_equal(hb_frag_release(&f), 0);
	assert_true(hb_frag_index_now(NULL, 0) >= 0);
}

/* A fake sysfs without the pool knob: -ENOENT with the reason, nothing left behind. */
static void test_no_pool(void **state)
{
	char root[] = "/tmp/hb-frag-XXXXXX", st[320], why[256];
	struct hb_knobs fk;
	struct hb_frag ff;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(st, sizeof(st), "%s/knobs.state", root);
	hb_knobs_init(&fk, root, st);
	if (hb_mem_available() < HB_FRAG_RESERVE + (4ULL << 20))
		skip();
	assert_int_equal(hb_frag_age(&ff, &fk, 0.5, 0, NULL, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "nr_hugepages"));
	assert_int_equal(ff.filler, 0);
	assert_int_equal(fk.n, 0);
	assert_int_equal(rmdir(root), 0);
}

static int lock_fd = -1;

/* Root, the pool knob, room for a few GiB, the machine lock; else the test is skipped. */
static int root_setup(uint64_t *need, uint64_t *pool)
{
	uint64_t avail;

	if (geteuid() || hb_read_u64(HB_FRAG_POOL, pool))
		return -1;
	/* The lock first: what is free is only known once nobody else measures. */
	if (!getenv("HB_LOCK_HELD") && lock_fd < 0) {
		lock_fd = open("/tmp/hugebench.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (lock_fd < 0 || flock(lock_fd, LOCK_EX))
			return -1;
	}
	avail = hb_frag_mem_free();
	if (hb_read_u64(HB_FRAG_POOL, pool) || avail < 18 * GIB) {
		print_message("skipped: needs 18 GiB free, %llu MiB here\n",
			      (unsigned long long)(avail >> 20));
		return -1;
	}
	/* The cell "needs" all but TAKE: aging holds at most TAKE - 1 GiB of the machine. */
	*need = avail - TAKE;
	return 0;
}

/* MemAvailable (with the per-CPU lists) back within 2% of before (the filler's exit frees
 * memory at once; the kernel, and the others on this shared machine, take what they take). */
static int mem_back(uint64_t before)
{
	for (uint64_t t0 = hb_now_ns(); hb_now_ns() - t0 < WAIT_MAX_NS;) {
		uint64_t now = hb_frag_mem_free();

		if (now * 100 >= before * 98)
			return 1;
		usleep(100000);
	}
	print_message("MemAvailable + per-CPU lists %llu MiB, before %llu MiB\n",
		      (unsigned long long)(hb_frag_mem_free() >> 20),
		      (unsigned long long)(before >> 20));
	return 0;
}

/* What a failed assertion would leave: released by the teardown. */
static struct hb_knobs k;
static struct hb_frag f;
static pid_t aging_child;
static int k_ready;

static int teardown(void **state)
{
	(void)state;
	if (aging_child > 0) {
		(void)kill(aging_child, SIGKILL);
		(void)waitpid(aging_child, NULL, 0);
		aging_child = 0;
	}
	(void)hb_frag_release(&f);
	if (k_ready)
		(void)hb_knobs_restore(&k, NULL, 0);
	k_ready = 0;
	return 0;
}

static void test_age_release(void **state)
{
	uint64_t need, pool, now, avail;
	char why[512], report[512];
	double share;

	(void)state;
	if (root_setup(&need, &pool))
		skip();
	hb_knobs_init(&k, "", NULL);
	k_ready = 1;
	avail = hb_frag_mem_free();
	share = hb_frag_index_now(NULL, 0) + SHARE_OVER;
	share = share > 0.9 ? 0.9 : share;
	assert_int_equal(hb_frag_age(&f, &k, share, need, NULL, why, sizeof(why)), 0);
	print_message("age=%.2f aged in %.1f s: index order 9 %.3f -> %.3f, plug %llu MiB, filler %llu "
		      "MiB, free (MemAvailable + per-CPU lists) before %llu MiB, "
		      "aged %llu MiB\n", f.share, f.age_ns / 1e9, f.index_before, f.index_aged,
		      (unsigned long long)f.plug_pages * 2,
		      (unsigned long long)f.filler_kib >> 10, (unsigned long long)(avail >> 20),
		      (unsigned long long)(hb_frag_mem_free() >> 20));
	assert_true(f.index_aged > f.index_before + SHARE_OVER / 3);
	assert_true(f.plug_pages > 0);
	assert_true(f.filler_kib > 0);
	/* The floor, give or take what others on this shared machine did meanwhile. */
	assert_true(hb_frag_mem_free() >= need + HB_FRAG_RESERVE - (256ULL << 20));
	assert_non_null(strstr(f.text_aged, "Normal"));
	assert_int_equal(kill(f.filler, 0), 0);
	hb_frag_after(&f);
	assert_true(f.index_after >= 0);
	pid_t filler = f.filler;

	assert_int_equal(hb_frag_release(&f), 0);
	assert_int_equal(kill(filler, 0), -1);
	assert_int_equal(hb_read_u64(HB_FRAG_POOL, &now), 0);
	assert_int_equal(now, pool);
	assert_true(mem_back(avail));
	assert_int_equal(hb_knobs_restore(&k, report, sizeof(report)), 0);
}

static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
	stop_flag = sig;
}

/* The filler, once the child under test started it: a child of pid. */
static pid_t child_of(pid_t pid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d && !found && (e = readdir(d))) {
		char path[300], buf[512], *p;
		int ppid;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		if (hb_read_text(path, buf, sizeof(buf)))
			continue;
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == pid)
			found = atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* pid's resident KiB (VmRSS), 0 when it has none or is gone. */
static uint64_t rss_kib(pid_t pid)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (hb_read_text(path, buf, sizeof(buf)) || !(p = strstr(buf, "\nVmRSS:")))
		return 0;
	return strtoull(p + 7, NULL, 10);
}

static void test_sigint(void **state)
{
	uint64_t need, pool, now, avail;
	pid_t pid, filler = 0;
	uint64_t t0;
	int status;

	(void)state;
	if (root_setup(&need, &pool))
		skip();
	avail = hb_frag_mem_free();
	t0 = hb_now_ns();
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		struct sigaction sa = { .sa_handler = on_sigint };
		char why[512];
		int rc;

		sigaction(SIGINT, &sa, NULL);
		hb_knobs_init(&k, "", NULL);
		rc = hb_frag_age(&f, &k, 0.5, need, &stop_flag, why, sizeof(why));
		(void)hb_knobs_restore(&k, NULL, 0);
		_exit(rc == -EINTR ? 0 : 10 + (rc < 0 ? -rc % 100 : 99));
	}
	aging_child = pid;
	while (!filler && hb_now_ns() - t0 < WAIT_MAX_NS) {
		usleep(20000);
		filler = child_of(pid);
	}
	assert_true(filler > 0);
	/* Mid-fill: it has touched 16 MiB of the GiBs it fills (seconds of work). */
	while (rss_kib(filler) < 16384 && kill(filler, 0) == 0 && hb_now_ns() - t0 < WAIT_MAX_NS)
		usleep(20000);
	print_message("SIGINT to the aging process %d, filler %d, %.1f s after the fork\n",
		      (int)pid, (int)filler, (hb_now_ns() - t0) / 1e9);
	assert_int_equal(kill(pid, SIGINT), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	aging_child = 0;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(kill(filler, 0) == -1 && errno == ESRCH);
	assert_int_equal(hb_read_u64(HB_FRAG_POOL, &now), 0);
	assert_int_equal(now, pool);
	assert_true(mem_back(avail));
	print_message("released %.1f s after the fork\n", (hb_now_ns() - t0) / 1e9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),	    cmocka_unit_test(test_age_row),
		cmocka_unit_test(test_release_untouched),
		cmocka_unit_test(test_no_pool),
		cmocka_unit_test_teardown(test_age_release, teardown),
		cmocka_unit_test_teardown(test_sigint, teardown),
	};

	if (getenv("HB_TEST_FILTER"))
		cmocka_set_test_filter(getenv("HB_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
