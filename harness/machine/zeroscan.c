/* The zero scan (zeroscan.h): process_vm_readv of each PMD-mapped THP, paced. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "zeroscan.h"

#define BLOCK (2u << 20)
#define SUBPAGE 4096u

unsigned hb_zero_subpages(const unsigned char *buf)
{
	unsigned zeros = 0;

	for (unsigned p = 0; p < BLOCK / SUBPAGE; p++) {
		const uint64_t *w = (const uint64_t *)(const void *)(buf + (size_t)p * SUBPAGE);
		uint64_t any = 0;

		for (unsigned i = 0; i < SUBPAGE / 8 && !any; i += 8)
			any = w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] |
			      w[i + 6] | w[i + 7];
		zeros += !any;
	}
	return zeros;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int hb_zero_scan(int pid, const uint64_t *vfn, size_t n, unsigned rate_mib, struct hb_zero_scan *z)
{
	unsigned char *buf = aligned_alloc(4096, BLOCK);
	double t0 = now_s(), per_block;
	int rc = 0;

	memset(z, 0, sizeof(*z));
	if (!buf)
		return -ENOMEM;
	if (!rate_mib)
		rate_mib = HB_ZERO_RATE_DEFAULT_MIB;
	if (rate_mib > HB_ZERO_RATE_MAX_MIB)
		rate_mib = HB_ZERO_RATE_MAX_MIB;
	per_block = 2.0 / rate_mib;
	for (size_t i = 0; i < n; i++) {
		struct iovec local = { buf, BLOCK }, remote = { (void *)(uintptr_t)(vfn[i] << 12), BLOCK };
		ssize_t got = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		double due = t0 + (double)(i + 1) * per_block, t;
		unsigned zeros;

		if (got < 0 && (errno == ESRCH || errno == EPERM)) {
			rc = -errno;
			break;
		}
		if (got != (ssize_t)BLOCK) {
			z->gone++;
		} else {
			zeros = hb_zero_subpages(buf);
			z->thps++;
			z->zero_pages += zeros;
			z->hist[zeros]++;
		}
		t = now_s();
		if (t < due) {
			struct timespec ts = { (time_t)(due - t),
					       (long)((due - t - (double)(time_t)(due - t)) * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	z->seconds = now_s() - t0;
	z->mib_per_s = z->seconds > 0 ? (double)z->thps * 2.0 / z->seconds : 0;
	free(buf);
	return rc;
}

uint64_t hb_zero_reclaim_kib(const struct hb_zero_scan *z, unsigned max_ptes_none)
{
	uint64_t kib = 0;

	if (max_ptes_none >= 511)
		return 0;
	for (unsigned k = max_ptes_none + 1; k <= 512; k++)
		kib += z->hist[k] * k * 4;
	return kib;
}

uint64_t hb_zero_thps_over(const struct hb_zero_scan *z, unsigned pct)
{
	uint64_t n = 0;

	for (unsigned k = 0; k <= 512; k++)
		if (k * 100 > pct * 512)
			n += z->hist[k];
	return n;
}
