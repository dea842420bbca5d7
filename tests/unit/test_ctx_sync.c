/*
 * Two orderings the fork figures depend on (workloads/forkcow/forkcow.md, "What fork_us measures"):
 * the copy-on-write child starts its work only after the parent has timed its fork(), and a
 * phase boundary returns only once the harness has answered it (HB_PHASE_ACK), so the
 * harness's smaps walk of the boundary never runs beside the phase's first step.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "ctx_impl.h"
#include "protocol.h"

struct stamp {
	volatile uint64_t child_start_ns;
};

static int record_start(void *arg)
{
	struct stamp *s = arg;

	s->child_start_ns = hb_now_ns();
	return 0;
}

/* A 64 MiB dataset in 4 KiB pages makes fork() take milliseconds here: a child released at
 * once started well before the parent's fork() returned (27.9 ms into a 46 ms fork). */
static void test_cow_child_starts_after_fork_is_timed(void **state)
{
	static struct hb_ctx ctx;
	const size_t size = 64u << 20;
	struct stamp *st;
	struct hb_cow_child c;
	uint64_t before;
	char *mem;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.fd = -1;
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(st != MAP_FAILED && mem != MAP_FAILED);
	(void)madvise(mem, size, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < size; off += 4096)
		mem[off] = 1;
	for (int i = 0; i < 5; i++) {
		st->child_start_ns = 0;
		before = hb_now_ns();
		assert_int_equal(hb_cow_fork(&ctx, &c, record_start, st), 0);
		assert_int_equal(hb_cow_wait_done(&c), 0);
		assert_true(st->child_start_ns != 0);
		/* the parent's clock after fork() is at least before + fork_ns */
		assert_true(st->child_start_ns >= before + c.fork_ns);
		assert_int_equal(hb_cow_release(&ctx, &c), 0);
	}
	munmap(mem, size);
	munmap(st, sizeof(*st));
}

/* The child side of a boundary in its own process: returns (a byte on `marker`) only after
 * the ack. */
static pid_t boundary_in_child(int sock, int marker, int begin)
{
	pid_t pid = fork();

	if (pid == 0) {
		static struct hb_ctx ctx;

		memset(&ctx, 0, sizeof(ctx));
		ctx.fd = sock;
		if (begin) {
			hb_phase_begin(&ctx, "walk");
		} else {
			snprintf(ctx.phase, sizeof(ctx.phase), "walk");
			ctx.phase_start = hb_now_ns();
			hb_phase_end(&ctx);
		}
		_exit(write(marker, "R", 1) == 1 ? 0 : 1);
	}
	return pid;
}

/* Reads lines from sock until a phase line; its name into name. */
static void read_phase_line(int sock, char *name, size_t len)
{
	char line[HB_MSG_LINE_MAX];
	size_t n = 0;

	for (;;) {
		struct hb_msg m;
		ssize_t r = read(sock, line + n, 1);

		assert_int_equal(r, 1);
		if (line[n] != '\n') {
			assert_true(++n < sizeof(line) - 1);
			continue;
		}
		line[n] = 0;
		n = 0;
		assert_int_equal(hb_msg_decode(line, &m), 0);
		if (m.kind == HB_MSG_PHASE) {
			snprintf(name, len, "%s", m.name);
			return;
		}
	}
}

static void check_boundary(int begin, const char *want)
{
	int sv[2], mk[2], status;
	struct pollfd p;
	char name[64], r;
	pid_t pid;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(mk), 0);
	pid = boundary_in_child(sv[1], mk[1], begin);
	assert_true(pid > 0);
	close(mk[1]);
	read_phase_line(sv[0], name, sizeof(name));
	assert_string_equal(name, want);
	/* The line is here and no ack was sent: the child is still inside the boundary, so
	 * nothing has come on the marker pipe (it can only come after the ack). */
	p = (struct pollfd){ .fd = mk[0], .events = POLLIN };
	assert_int_equal(poll(&p, 1, 0), 0);
	assert_int_equal(write(sv[0], &(char){ HB_PHASE_ACK }, 1), 1);
	assert_int_equal(read(mk[0], &r, 1), 1); /* blocks until the child has returned */
	assert_int_equal(r, 'R');
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(sv[0]);
	close(sv[1]);
	close(mk[0]);
}

static void test_phase_begin_waits_for_ack(void **state)
{
	(void)state;
	check_boundary(1, "walk");
}

static void test_phase_end_waits_for_ack(void **state)
{
	(void)state;
	check_boundary(0, "");
}

/* The harness gone (EOF): the boundary does not wait for an ack that cannot come. */
static void test_phase_without_harness_returns(void **state)
{
	static struct hb_ctx ctx;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	memset(&ctx, 0, sizeof(ctx));
	ctx.fd = sv[1];
	signal(SIGPIPE, SIG_IGN);
	hb_phase_begin(&ctx, "alone");
	hb_phase_end(&ctx);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cow_child_starts_after_fork_is_timed),
		cmocka_unit_test(test_phase_begin_waits_for_ack),
		cmocka_unit_test(test_phase_end_waits_for_ack),
		cmocka_unit_test(test_phase_without_harness_returns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
