/*
 * The fragmenter (see fragmenter.h): a hugetlb plug, a filler process holding every other
 * 4 KiB page of what it touched, and the plan that keeps the cell's memory free.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buddyinfo.h"
#include "clock.h"
#include "fragmenter.h"
#include "knobs.h"
#include "params.h"
#include "sysinfo.h"

#define MIB ((uint64_t)1 << 20)
#define HUGE_2M (2 * MIB)
#define REPORT_EVERY (16 * MIB) /* the filler says it is alive this often */
#define POLL_MS 20
#define PAGE_4K 4096ULL

double hb_frag_index_now(char *text, size_t len)
{
	struct hb_buddyinfo b;

	if (text && len)
		*text = 0;
	if (hb_buddyinfo_read("/proc/buddyinfo", &b, text, len))
		return -1;
	return hb_buddyinfo_unusable_index(&b, 9);
}

double hb_frag_param_share(const struct hb_param *table, const void *params)
{
	const struct hb_param *p = hb_params_find_role(table, &hb_role_age);

	if (!p || p->type != HB_PT_DOUBLE)
		return 0;
	return *(const double *)(const void *)((const char *)params + p->offset);
}

uint64_t hb_frag_mem_free(void)
{
	FILE *z = fopen("/proc/zoneinfo", "re");
	uint64_t pcp = 0, n;
	char line[256];

	while (z && fgets(line, sizeof(line), z))
		if (sscanf(line, " count: %" SCNu64, &n) == 1)
			pcp += n;
	if (z)
		fclose(z);
	return hb_mem_available() + pcp * PAGE_4K;
}

static uint64_t floor_of(uint64_t need)
{
	return need + HB_FRAG_RESERVE;
}

int hb_frag_check(double share, uint64_t need, uint64_t mem_available, char *why, size_t len)
{
	if (!(share > 0 && share <= 1)) {
		snprintf(why, len, "age=%g: the aged share must be in (0, 1]", share);
		return -EINVAL;
	}
	/* The filler needs room to make holes in: at least one 2 MiB block beyond the floor. */
	if (mem_available < floor_of(need) + HUGE_2M) {
		snprintf(why, len,
			 "cannot age the machine for this cell: MemAvailable %" PRIu64
			 " MiB, the cell needs %" PRIu64
			 " MiB and aging keeps a reserve of %" PRIu64 " MiB free beyond it",
			 mem_available / MIB, need / MIB, HB_FRAG_RESERVE / MIB);
		return -ENOMEM;
	}
	return 0;
}

/* The filler's own bytes (4 KiB scattered pages): touch it all, free every other page, say
 * ready, hold until the harness closes its end. Never returns. */
static void filler_main(int fd, uint64_t bytes)
{
	char c = 'p';
	char *p;

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(3);
	(void)madvise(p, bytes, MADV_NOHUGEPAGE);
	for (uint64_t off = 0; off < bytes; off += PAGE_4K) {
		p[off] = 1;
		if (!((off + PAGE_4K) % REPORT_EVERY) && write(fd, &c, 1) != 1)
			_exit(4);
	}
	/* Every other page back: the holes cannot merge with their buddies, still held. */
	for (uint64_t off = PAGE_4K; off < bytes; off += 2 * PAGE_4K)
		(void)madvise(p + off, PAGE_4K, MADV_DONTNEED);
	c = 'r';
	if (write(fd, &c, 1) != 1)
		_exit(4);
	while (read(fd, &c, 1) > 0)
		;
	_exit(0);
}

static int filler_start(struct hb_frag *f, uint64_t bytes, char *why, size_t len)
{
	int sv[2];
	pid_t parent = getpid(), pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(why, len, "fragmenter: socketpair: %s", strerror(errno));
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		snprintf(why, len, "fragmenter: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (!pid) {
		close(sv[0]);
		/* Its own process group: a Ctrl-C is the harness's to handle, and it kills us. */
		(void)setpgid(0, 0);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
			_exit(5);
		filler_main(sv[1], bytes);
	}
	close(sv[1]);
	f->filler = pid;
	f->fd = sv[0];
	return 0;
}

/* Waits for the filler's 'r', checking stop every POLL_MS. */
static int filler_wait_ready(struct hb_frag *f, volatile sig_atomic_t *stop, char *why,
			     size_t len)
{
	for (;;) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLIN };
		char buf[64];
		ssize_t n;
		int rc;

		if (stop && *stop) {
			snprintf(why, len, "fragmenter: interrupted while the filler filled");
			return -EINTR;
		}
		rc = poll(&pfd, 1, POLL_MS);
		if (rc < 0 && errno != EINTR) {
			snprintf(why, len, "fragmenter: poll: %s", strerror(errno));
			return -errno;
		}
		if (rc <= 0)
			continue;
		n = read(f->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, len, "fragmenter: the filler died before it was ready "
				 "(out of memory?)");
			return -ENOMEM;
		}
		if (memchr(buf, 'r', (size_t)n))
			return 0;
	}
}

static int pool_read(struct hb_frag *f, uint64_t *v)
{
	char buf[64], *end;
	int rc = hb_knob_read(f->knobs, HB_FRAG_POOL, buf, sizeof(buf));

	if (rc)
		return rc;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

/* Grows the plug by pages 2 MiB pages beyond what it has; plug_pages gets what it holds. */
static int plug_grow(struct hb_frag *f, uint64_t pages, char *why, size_t len)
{
	char v[32];
	uint64_t now;
	int rc;

	if (!pages)
		return 0;
	snprintf(v, sizeof(v), "%" PRIu64, f->pool_before + f->plug_pages + pages);
	rc = hb_knob_set(f->knobs, HB_FRAG_POOL, v);
	f->plugged = 1;
	if (rc && rc != -ENOMEM && rc != -EINTR) {
		snprintf(why, len, "fragmenter: cannot write %s: %s", HB_FRAG_POOL, strerror(-rc));
		return rc;
	}
	/* The kernel may give fewer pages than asked, or stop early on a signal. */
	rc = pool_read(f, &now);
	if (rc) {
		snprintf(why, len, "fragmenter: cannot read %s back: %s", HB_FRAG_POOL,
			 strerror(-rc));
		return rc;
	}
	f->plug_pages = now > f->pool_before ? now - f->pool_before : 0;
	return 0;
}

/* Others on the machine (or MemAvailable's own accounting of the pool) may leave less free
 * than planned: the plug gives back what is missing below the floor. */
static int plug_fit_floor(struct hb_frag *f, uint64_t fl, char *why, size_t len)
{
	uint64_t avail = hb_frag_mem_free(), give, now;
	char v[32];
	int rc;

	if (avail >= fl || !f->plug_pages)
		return 0;
	give = (fl - avail + HUGE_2M - 1) / HUGE_2M;
	if (give > f->plug_pages)
		give = f->plug_pages;
	snprintf(v, sizeof(v), "%" PRIu64, f->pool_before + f->plug_pages - give);
	rc = hb_knob_set(f->knobs, HB_FRAG_POOL, v);
	if (!rc)
		rc = pool_read(f, &now);
	if (rc) {
		snprintf(why, len, "fragmenter: cannot shrink the plug %s: %s", HB_FRAG_POOL,
			 strerror(-rc));
		return rc;
	}
	f->plug_pages = now > f->pool_before ? now - f->pool_before : 0;
	return 0;
}

/*
 * The plan (fragmenter.h): floor = need + reserve stays free; S = share x floor of it scattered.
 * The filler touches 2S and keeps S, so during the fill free memory dips to
 * m = max(reserve, floor - S); the plug takes the rest: A - 2S - m. S is cut so that
 * 2S + m <= A (S <= (A - reserve) / 2 and S <= A - floor). After the fill the contiguous part
 * beyond floor - S is plugged too.
 */
static uint64_t round_2m(uint64_t v)
{
	return v / HUGE_2M * HUGE_2M;
}

int hb_frag_age(struct hb_frag *f, struct hb_knobs *k, double share, uint64_t need,
		volatile sig_atomic_t *stop, char *why, size_t len)
{
	uint64_t t0 = hb_now_ns(), fl = floor_of(need), avail, s, keep, dip, plug, grow;
	struct hb_buddyinfo b;
	int rc;

	memset(f, 0, sizeof(*f));
	f->knobs = k;
	f->share = share;
	f->need = need;
	f->index_before = f->index_aged = f->index_after = -1;
	f->index_before = hb_frag_index_now(f->text_before, sizeof(f->text_before));
	f->avail_before = avail = hb_frag_mem_free();
	rc = hb_frag_check(share, need, avail, why, len);
	if (rc)
		return rc;
	rc = pool_read(f, &f->pool_before);
	if (rc) {
		snprintf(why, len, "fragmenter: no hugetlb 2 MiB pool knob %s: %s", HB_FRAG_POOL,
			 strerror(-rc));
		return rc == -ENOENT ? -ENOENT : rc;
	}
	s = round_2m((uint64_t)(share * (double)fl));
	if (s > round_2m((avail - HB_FRAG_RESERVE) / 2))
		s = round_2m((avail - HB_FRAG_RESERVE) / 2);
	if (s > round_2m(avail - fl))
		s = round_2m(avail - fl);
	keep = fl - s;
	dip = keep > HB_FRAG_RESERVE ? keep : HB_FRAG_RESERVE;
	plug = avail > 2 * s + dip ? round_2m(avail - 2 * s - dip) : 0;

	rc = plug_grow(f, plug / HUGE_2M, why, len);
	if (rc)
		goto fail;
	if (stop && *stop)
		goto stopped;
	/* What the plug did not get, or what others took meanwhile, moves the fill: it never
	 * takes free memory below the dip. */
	avail = hb_frag_mem_free();
	if (2 * s + dip > avail)
		s = avail > dip ? round_2m((avail - dip) / 2) : 0;
	if (!s) {
		snprintf(why, len, "fragmenter: no room left to fill (MemAvailable %" PRIu64
			 " MiB after the plug)", avail / MIB);
		rc = -ENOMEM;
		goto fail;
	}
	rc = filler_start(f, 2 * s, why, len);
	if (rc)
		goto fail;
	rc = filler_wait_ready(f, stop, why, len);
	if (rc)
		goto fail;
	f->filler_kib = s / 1024;
	if (stop && *stop)
		goto stopped;
	/* The 2 MiB blocks still free beyond keep go into the plug, never below the floor. */
	avail = hb_frag_mem_free();
	grow = 0;
	if (!hb_buddyinfo_read("/proc/buddyinfo", &b, NULL, 0)) {
		uint64_t big = hb_buddyinfo_free_pages_from(&b, 9) * PAGE_4K;

		big = round_2m(big);
		if (big > keep)
			grow = big - keep;
		if (avail < fl)
			grow = 0;
		else if (grow > avail - fl)
			grow = round_2m(avail - fl);
	}
	rc = plug_grow(f, grow / HUGE_2M, why, len);
	if (rc)
		goto fail;
	if (stop && *stop)
		goto stopped;
	rc = plug_fit_floor(f, fl, why, len);
	if (rc)
		goto fail;
	f->index_aged = hb_frag_index_now(f->text_aged, sizeof(f->text_aged));
	f->age_ns = hb_now_ns() - t0;
	return 0;
stopped:
	snprintf(why, len, "fragmenter: interrupted while aging");
	rc = -EINTR;
fail:
	(void)hb_frag_release(f);
	f->age_ns = hb_now_ns() - t0;
	return rc;
}

void hb_frag_after(struct hb_frag *f)
{
	f->index_after = hb_frag_index_now(f->text_after, sizeof(f->text_after));
}

int hb_frag_release(struct hb_frag *f)
{
	int rc = 0;

	if (f->filler > 0) {
		close(f->fd);
		(void)kill(f->filler, SIGKILL);
		while (waitpid(f->filler, NULL, 0) < 0 && errno == EINTR)
			;
		f->filler = 0;
		f->fd = -1;
	}
	if (f->plugged && f->knobs) {
		char v[32];

		snprintf(v, sizeof(v), "%" PRIu64, f->pool_before);
		rc = hb_knob_set(f->knobs, HB_FRAG_POOL, v);
		f->plugged = 0;
	}
	return rc;
}
