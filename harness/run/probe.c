/* The host-speed probe (probe.h). */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "clock.h"
#include "probe.h"

#define CPU_STEPS 2000000u
#define LOAD_STEPS 1000000u
#define BUF_BYTES (256u << 10) /* in L2 on any core of the last ten years */
#define LINE 64u

/* A 64-bit LCG with an xor-shift: every step needs the one before, nothing folds it away. */
static uint64_t cpu_loop(uint64_t x)
{
	for (unsigned i = 0; i < CPU_STEPS; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		x ^= x >> 29;
	}
	return x;
}

/* One cycle through every line of buf in a fixed random order (Sattolo's shuffle). */
static void link_lines(char *buf)
{
	enum { N = BUF_BYTES / LINE };
	static unsigned order[N];
	uint64_t r = 0x9E3779B97F4A7C15ull;

	for (unsigned i = 0; i < N; i++)
		order[i] = i;
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j, t;

		r = r * 6364136223846793005ull + 1;
		j = (unsigned)((r >> 33) % i);
		t = order[i], order[i] = order[j], order[j] = t;
	}
	for (unsigned i = 0; i < N; i++)
		*(char **)(buf + (size_t)order[i] * LINE) = buf + (size_t)order[(i + 1) % N] * LINE;
}

static char *load_loop(char *p)
{
	for (unsigned i = 0; i < LOAD_STEPS; i++)
		p = *(char **)p;
	return p;
}

int hb_probe_run(struct hb_probe *p)
{
	static volatile uint64_t sink;
	char *buf;
	uint64_t t0, t1;

	buf = mmap(NULL, BUF_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return -errno;
	/* 4 KiB pages whatever THP or mTHP say: the probe must not move with the backings. */
	(void)madvise(buf, BUF_BYTES, MADV_NOHUGEPAGE);
	memset(buf, 0, BUF_BYTES);
	link_lines(buf);
	sink = (uint64_t)(uintptr_t)load_loop(buf); /* warm: the lines in cache, the TLB filled */
	t0 = hb_now_ns();
	sink = cpu_loop(sink);
	t1 = hb_now_ns();
	p->cpu_ns = (double)(t1 - t0) / CPU_STEPS;
	t0 = hb_now_ns();
	sink = (uint64_t)(uintptr_t)load_loop(buf);
	t1 = hb_now_ns();
	p->load_ns = (double)(t1 - t0) / LOAD_STEPS;
	munmap(buf, BUF_BYTES);
	return 0;
}
