/* The redis workload's fork scenario: BGSAVE while the client writes, with forkcow's
 * figures taken from Redis's own INFO, and the client's SET latency per phase. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctx.h"
#include "redis.h"
#include "server.h"
#include "stats.h"

struct phase_result {
	uint64_t writes, loop_ns;
};

/* While a BGSAVE runs: its progress and the peaks seen. */
struct save_watch {
	int running;
	double cow_peak;
	uint64_t charged_peak_kib, rss_peak_kib;
	unsigned polls;
};

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int poll_save(struct hb_ctx *ctx, struct redis_state *s, struct save_watch *w)
{
	struct hb_mem_view mv;
	struct hb_smaps sm;
	double v;

	if (redis_cmd(s->conn, "INFO persistence", s->info, sizeof(s->info)))
		return -EIO;
	w->polls++;
	if (!redis_info_num(s->info, "rdb_bgsave_in_progress", &v))
		w->running = v != 0;
	if (!redis_info_num(s->info, "current_cow_peak", &v) && v > w->cow_peak)
		w->cow_peak = v;
	if (!hb_memory_read(ctx, &mv) && mv.charged_ok && mv.charged_kib > w->charged_peak_kib)
		w->charged_peak_kib = mv.charged_kib;
	if (!hb_server_smaps(s->server, &sm) && sm.rss_kib > w->rss_peak_kib)
		w->rss_peak_kib = sm.rss_kib;
	return 0;
}

/*
 * One writing phase: SETs of random loaded keys with their own value length, one at a time,
 * each round trip timed. By time, or (w given) until the BGSAVE is over, polled every 20 ms
 * outside the timed part.
 */
static int write_phase(struct hb_ctx *ctx, struct redis_state *s, const struct redis_params *p,
		       struct hb_hist *h, struct save_watch *w, struct phase_result *r)
{
	const uint64_t interval = p->write_rate ? 1000000000ull / p->write_rate : 0;
	uint64_t start = hb_now_ns(), now = start, next = start, polled = start, n = 0;

	for (;;) {
		uint64_t id, t0;

		if (w) {
			if (now - polled >= 20000000ull) {
				if (poll_save(ctx, s, w))
					return -EIO;
				if (!w->running)
					break;
				polled = hb_now_ns();
			}
		} else if (now - start >= p->phase_time) {
			break;
		}
		if (interval) {
			if (next < now)
				next = now;
			if (next - now > 200000)
				sleep_ns(next - now - 100000);
			while (hb_now_ns() < next)
				;
			next += interval;
		}
		id = (uint64_t)(((unsigned __int128)hb_splitmix64(&s->rng) * p->keys) >> 64);
		redis_make_key(s->key, id, p->key_size);
		t0 = hb_now_ns();
		if (redis_set(s->conn, s->key, p->key_size, s->values + (n & 4095), s->vlen[id]))
			return -EIO;
		now = hb_now_ns();
		hb_hist_record(h, now - t0);
		n++;
	}
	*r = (struct phase_result){ n, hb_now_ns() - start };
	return 0;
}

/* forkcow's per-phase rows: write_<pct>_us_<phase>, writes_<phase>, writes_per_sec_<phase>. */
static void phase_metrics(struct hb_ctx *ctx, const char *phase, const struct hb_hist *h,
			  struct phase_result r)
{
	/* Every write is recorded, so even p99.99 (the table's extra) stands on many. */
	hb_metric_phase_writes(ctx, phase, h, r.writes, r.loop_ns,
			       "one SET round trip on loopback, every write recorded");
}

static int run_phase(struct hb_ctx *ctx, struct redis_state *s, const struct redis_params *p,
		     int i, const char *phase)
{
	struct phase_result r;
	int rc;

	hb_phase_begin(ctx, phase);
	rc = write_phase(ctx, s, p, &s->hist[i], NULL, &r);
	hb_phase_end(ctx);
	if (!rc)
		phase_metrics(ctx, phase, &s->hist[i], r);
	return rc;
}

/* Redis's own figures of the save that just ended. */
static int save_metrics(struct hb_ctx *ctx, struct redis_state *s, const struct save_watch *w,
			uint64_t charged0_kib, int charged_ok)
{
	double fork_us, cow, secs, rss, v;
	char status[32];

	if (redis_info(ctx, s))
		return -EIO;
	if (redis_info_str(s->info, "rdb_last_bgsave_status", status, sizeof(status)) ||
	    strcmp(status, "ok")) {
		hb_fail_reason(ctx, "the BGSAVE failed (rdb_last_bgsave_status is not ok)");
		return -EIO;
	}
	if (redis_info_num(s->info, "latest_fork_usec", &fork_us) ||
	    redis_info_num(s->info, "rdb_last_cow_size", &cow) ||
	    redis_info_num(s->info, "rdb_last_bgsave_time_sec", &secs) ||
	    redis_info_num(s->info, "used_memory_rss", &rss)) {
		hb_fail_reason(ctx, "INFO lacks a field of Redis 7 (latest_fork_usec, "
			       "rdb_last_cow_size, rdb_last_bgsave_time_sec, used_memory_rss)");
		return -EPROTO;
	}
	hb_metric(ctx, "fork_us", fork_us, "us", "Redis INFO latest_fork_usec");
	hb_metric(ctx, "used_memory_rss_kib_empty", s->rss_empty / 1024, "KiB",
		  "Redis INFO used_memory_rss of the empty server, at its last BGSAVE");
	hb_metric(ctx, "fork_us_empty", s->fork_empty_us, "us",
		  "latest_fork_usec of BGSAVEs of the same server empty, before the fill (the "
		  "median of 5): the part of fork_us that does not grow with the dataset");
	if (rss > s->rss_empty)
		hb_metric(ctx, "fork_ms_per_gib", (fork_us - s->fork_empty_us) / 1e3 /
			  ((rss - s->rss_empty) / (1 << 30)), "ms/GiB",
			  "(fork_us - fork_us_empty) per GiB of used_memory_rss the dataset added: "
			  "what the dataset adds to Redis's fork; below 0 when that is less than "
			  "the two forks' run-to-run noise (kept signed: a floor at 0 would bias "
			  "the median up)");
	else
		hb_metric_text(ctx, "fork_ms_per_gib", "unavailable",
			       "used_memory_rss did not grow from the empty server's");
	hb_metric(ctx, "copied_kib", cow / 1024, "KiB",
		  "Redis INFO rdb_last_cow_size: the child's private dirty memory at the end");
	if (w->cow_peak > 0)
		hb_metric(ctx, "cow_peak_kib", w->cow_peak / 1024, "KiB",
			  "largest Redis INFO current_cow_peak seen while the save ran");
	else
		hb_metric_text(ctx, "cow_peak_kib", "unavailable",
			       "current_cow_peak was 0 at every poll (Redis updates it about once "
			       "a second: the save was shorter)");
	hb_metric(ctx, "bgsave_s", secs, "s", "Redis INFO rdb_last_bgsave_time_sec (whole s)");
	hb_metric(ctx, "bgsave_polls", (double)w->polls, "polls", "INFO persistence readings");
	if (w->rss_peak_kib)
		hb_metric(ctx, "rss_kib_peak_snapshot", (double)w->rss_peak_kib, "KiB",
			  "largest Rss of the server process (its smaps_rollup) during the save");
	if (charged_ok && w->charged_peak_kib)
		hb_metric(ctx, "copied_kib_charged", w->charged_peak_kib > charged0_kib ?
			  (double)(w->charged_peak_kib - charged0_kib) : 0, "KiB",
			  "charged view: largest growth of the cell's memory cgroup during the save "
			  "(the child's copies, and the page cache of the RDB file it writes)");
	else
		hb_metric_text(ctx, "copied_kib_charged", "unavailable",
			       "no charged reading during the save (the cell has no memory cgroup)");
	if (!redis_info_num(s->info, "mem_fragmentation_ratio", &v))
		hb_metric(ctx, "mem_fragmentation_ratio", v, "", "Redis INFO, after the save");
	return 0;
}

/* The server's resident and huge-page KiB (hugetlb counted in both): 1, or 0 unreadable. */
static int server_huge(struct redis_state *s, uint64_t *resident, uint64_t *huge)
{
	struct hb_smaps sm;
	uint64_t tlb;

	if (hb_server_smaps(s->server, &sm))
		return 0;
	tlb = sm.private_hugetlb_kib + sm.shared_hugetlb_kib;
	*resident = sm.rss_kib + tlb;
	*huge = sm.anon_huge_kib + tlb;
	return 1;
}

/*
 * The huge-page share of what the dataset added, not of the whole process: the empty
 * server's own memory (its text, libraries, the allocator's first arenas) is in fork_us_empty
 * already, so its share must not count again when calibrate sizes forkcow's 4 KiB part.
 */
static void dataset_huge_row(struct hb_ctx *ctx, struct redis_state *s)
{
	uint64_t resident, huge;

	if (!s->smaps_empty_ok || !server_huge(s, &resident, &huge))
		hb_metric_text(ctx, "dataset_huge_pct", "unavailable",
			       "the server's smaps_rollup could not be read");
	else if (resident <= s->resident_empty_kib)
		hb_metric_text(ctx, "dataset_huge_pct", "unavailable",
			       "the server's resident memory did not grow from the empty server's");
	else
		hb_metric(ctx, "dataset_huge_pct",
			  100.0 * ((double)huge - (double)s->huge_empty_kib) /
				  (double)(resident - s->resident_empty_kib),
			  "%", "(AnonHugePages + *_Hugetlb) the dataset added / (Rss + *_Hugetlb) "
			  "it added, in the server's smaps_rollup: before the BGSAVE against the "
			  "empty server's at its BGSAVE");
}

/* One BGSAVE of the empty server, waited for: its latest_fork_usec. */
static int empty_bgsave(struct hb_ctx *ctx, struct redis_state *s, double *fork_us)
{
	char reply[256], why[320];
	double v = 1;

	if (redis_cmd(s->conn, "BGSAVE", reply, sizeof(reply))) {
		snprintf(why, sizeof(why), "BGSAVE of the empty server refused: %.240s", reply);
		hb_fail_reason(ctx, why);
		return -EIO;
	}
	/* An empty RDB: over in milliseconds; the child's exit is what ends it. */
	while (v != 0) {
		sleep_ns(2000000ull);
		if (redis_cmd(s->conn, "INFO persistence", s->info, sizeof(s->info)) ||
		    redis_info_num(s->info, "rdb_bgsave_in_progress", &v))
			return -EIO;
	}
	if (redis_info(ctx, s))
		return -EIO;
	if (redis_info_num(s->info, "latest_fork_usec", fork_us)) {
		hb_fail_reason(ctx, "INFO lacks latest_fork_usec (Redis 7)");
		return -EPROTO;
	}
	return 0;
}

/*
 * fork_us_empty: the median of EMPTY_SAVES BGSAVEs of the empty server, the estimator
 * forkcow's empty twin uses (the median of 5 forks), so one fork that met a host fault does
 * not stand for the part of every fork that does not grow with the dataset.
 */
#define EMPTY_SAVES 5
int redis_fork_empty(struct hb_ctx *ctx, struct redis_state *s)
{
	double t[EMPTY_SAVES];
	struct hb_stats st;
	int rc;

	for (int i = 0; i < EMPTY_SAVES; i++)
		if ((rc = empty_bgsave(ctx, s, &t[i])))
			return rc;
	if (hb_stats_of(t, EMPTY_SAVES, &st))
		return -EINVAL;
	s->fork_empty_us = st.med;
	if (redis_info_num(s->info, "used_memory_rss", &s->rss_empty)) {
		hb_fail_reason(ctx, "INFO lacks used_memory_rss (Redis 7)");
		return -EPROTO;
	}
	s->smaps_empty_ok = server_huge(s, &s->resident_empty_kib, &s->huge_empty_kib);
	return 0;
}

int redis_fork_run(struct hb_ctx *ctx, const struct redis_params *p, struct redis_state *s)
{
	struct save_watch w = { .running = 1 };
	struct phase_result r;
	struct hb_mem_view mv;
	char reply[256], why[320];
	double v;
	int rc, charged_ok;

	for (int i = 0; i < 3; i++)
		hb_hist_init(&s->hist[i]);
	/* used_memory_rss is refreshed in Redis's cron (100 ms): two periods after the fill. */
	sleep_ns(250000000ull);
	if (redis_info(ctx, s))
		return -EIO;
	if (!redis_info_num(s->info, "used_memory", &v))
		hb_metric(ctx, "used_memory_kib", v / 1024, "KiB", "Redis INFO, before the save");
	if (!redis_info_num(s->info, "used_memory_rss", &v))
		hb_metric(ctx, "used_memory_rss_kib", v / 1024, "KiB", "Redis INFO, before the save");
	dataset_huge_row(ctx, s);
	if ((rc = run_phase(ctx, s, p, 0, "baseline")))
		return rc;

	charged_ok = !hb_memory_read(ctx, &mv) && mv.charged_ok;
	hb_phase_begin(ctx, "during_snapshot");
	rc = redis_cmd(s->conn, "BGSAVE", reply, sizeof(reply));
	if (rc) {
		snprintf(why, sizeof(why), "BGSAVE refused: %.280s", reply);
		hb_fail_reason(ctx, why);
		return -EIO;
	}
	rc = write_phase(ctx, s, p, &s->hist[1], &w, &r);
	hb_phase_end(ctx);
	if (rc)
		return rc;
	phase_metrics(ctx, "snapshot", &s->hist[1], r);
	if ((rc = save_metrics(ctx, s, &w, mv.charged_kib, charged_ok)))
		return rc;
	return run_phase(ctx, s, p, 2, "after");
}
