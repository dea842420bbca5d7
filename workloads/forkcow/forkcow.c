/*
 * forkcow: a dataset that the parent keeps writing while a fork()ed child snapshots it, the
 * way Redis BGSAVE and fork-based database snapshots do. It measures what fork() costs
 * (copying page tables), what the copy-on-write faults really duplicate (4 KiB per written
 * page for anonymous THP since Linux 5.8, a whole huge page for hugetlbfs), and the
 * parent's write latency before, during and after the snapshot, every write recorded.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ctx.h"
#include "forkcow.h"
#include "units.h"
#include "workload.h"

enum { SNAP_READ, SNAP_SLEEP };

struct forkcow_params {
	uint64_t size;
	uint64_t value_size;
	uint64_t write_rate;
	int dist;
	double zipf_s;
	uint64_t hot_pct;
	int snapshot;
	uint64_t hold;
	const char *sink;
	uint64_t sink_rate;
	uint64_t phase_time;
	uint64_t writes;
	uint64_t allow_overcommit;
	uint64_t small_pct;
};

static const struct hb_choice dist_choices[] = {
	{ "uniform", "every value slot equally likely" },
	{ "zipf", "a few slots take most writes (exponent zipf_s), hot slots spread over the "
		  "dataset" },
	{ "sequential", "slot after slot, wrapping around" },
	{ "hotset", "uniform over the first hot_pct % of the dataset" },
	{ NULL, NULL },
};

static const struct hb_choice snapshot_choices[] = {
	{ "read", "the child reads every page and writes it to the sink (a BGSAVE)" },
	{ "sleep", "the child only holds the pages for `hold`" },
	{ NULL, NULL },
};

#define P(field) .offset = offsetof(struct forkcow_params, field)
static const struct hb_param forkcow_params_table[] = {
	{ .name = "size", .type = HB_PT_SIZE, P(size), .def = "1G", .min = "1M", .max = "1T",
	  .help = "the dataset: memory mapped in the backing and populated before the phases" },
	{ .name = "value_size", .type = HB_PT_SIZE, P(value_size), .def = "512", .min = "8",
	  .max = "1G", .help = "bytes of one write (the dataset is size / value_size slots)" },
	{ .name = "write_rate", .type = HB_PT_UINT, P(write_rate), .def = "0", .min = "0",
	  .max = "1000000000", .unit = "writes/s",
	  .help = "the parent's writes per second; 0: as fast as it can" },
	{ .name = "dist", .type = HB_PT_ENUM, P(dist), .def = "uniform",
	  .choices = dist_choices, .help = "which slot each write goes to" },
	{ .name = "zipf_s", .type = HB_PT_DOUBLE, P(zipf_s), .def = "0.99", .min = "0.01",
	  .max = "5", .help = "dist=zipf: the exponent (larger: fewer, hotter slots)" },
	{ .name = "hot_pct", .type = HB_PT_UINT, P(hot_pct), .def = "10", .min = "1",
	  .max = "100", .unit = "%", .help = "dist=hotset: share of the dataset that is written" },
	{ .name = "snapshot", .type = HB_PT_ENUM, P(snapshot), .def = "read",
	  .choices = snapshot_choices, .help = "what the child does" },
	{ .name = "hold", .type = HB_PT_DURATION, P(hold), .def = "1s", .min = "0",
	  .max = "60m", .help = "snapshot=sleep: how long the child holds the pages" },
	{ .name = "sink", .type = HB_PT_STRING, P(sink), .def = "/dev/null",
	  .help = "snapshot=read: where the child writes: a device, or a file path that does "
		  "not exist yet (created and removed at once, written through its descriptor)" },
	{ .name = "sink_rate", .type = HB_PT_SIZE, P(sink_rate), .def = "0", .min = "0",
	  .max = "1T", .help = "bytes per second the sink takes at most (a slow disk); 0: no cap" },
	{ .name = "phase_time", .type = HB_PT_DURATION, P(phase_time), .def = "1s",
	  .min = "1ms", .max = "60m",
	  .help = "length of the baseline and after writing phases (the snapshot phase lasts "
		  "as long as the child)" },
	{ .name = "writes", .type = HB_PT_UINT, P(writes), .def = "0", .min = "0",
	  .max = "1000000000000", .unit = "writes",
	  .help = "exactly this many writes per phase instead of phase_time (the snapshot "
		  "phase then waits for the child); 0: by time" },
	{ .name = "allow_overcommit", .type = HB_PT_BOOL, P(allow_overcommit), .def = "0",
	  .help = "1: run even when the worst case (every page copied: 2 x size) does not fit" },
	{ .name = "small_pct", .type = HB_PT_UINT, P(small_pct), .def = "0", .min = "0",
	  .max = "100", .unit = "%",
	  .help = "share of the dataset kept in 4 KiB pages on a THP backing (MADV_NOHUGEPAGE on "
		  "its first small_pct %, in 2 MiB steps; none on hugetlb): a real store's heap "
		  "is never all huge, and on THP that part is most of what the dataset adds to "
		  "fork() (calibrate sets it from Redis's own coverage); 0: none" },
	HB_PARAM_END,
};
#undef P

struct forkcow_state {
	uint64_t fork_empty_ns; /* the cell's fork() before the dataset was mapped */
	char *mem;
	uint64_t nslots;
	struct fc_picker pick;
	struct hb_hist hist[3];
	struct fc_pages dirtied;
};

struct phase_result {
	uint64_t writes, loop_ns;
};

struct child_args {
	const struct forkcow_params *f;
	const char *mem;
	struct hb_sink *sink;
};

static volatile uint64_t forkcow_sink_sum;

static int forkcow_validate(const void *p, char *err, size_t len)
{
	const struct forkcow_params *f = p;
	char why[512];

	if (f->value_size > f->size) {
		snprintf(err, len, "parameter 'value_size' must be at most 'size' (%llu)",
			 (unsigned long long)f->size);
		return -EINVAL;
	}
	if (f->snapshot == SNAP_READ && hb_sink_check(f->sink, why, sizeof(why))) {
		snprintf(err, len, "parameter 'sink': %s", why);
		return -EINVAL;
	}
	return 0;
}

/* Worst case: every page copied once (the hugetlb pool is reserved for it too). The fit
 * check refuses a cell whose worst case does not fit, unless allow_overcommit says not to
 * count the copies. */
static uint64_t forkcow_memory_needed(const void *p)
{
	const struct forkcow_params *f = p;

	return f->allow_overcommit ? f->size : 2 * f->size;
}

static void forkcow_fit_hint(const void *p, char *buf, size_t len)
{
	const struct forkcow_params *f = p;
	char a[32];

	if (f->allow_overcommit) {
		snprintf(buf, len, "parameter 'size': even the dataset alone does not fit; use a "
			 "smaller size");
		return;
	}
	hb_format_size(2 * f->size, a, sizeof(a));
	snprintf(buf, len, "parameter 'size': the worst case of a snapshot copies every page, so "
		 "a cell needs 2 x size = %s; use a smaller size, or -p allow_overcommit=1 to run "
		 "anyway", a);
}

static int empty_child(void *arg)
{
	(void)arg;
	return 0;
}

/* The empty twin: the same process's fork() before the dataset exists, the part of fork_us
 * that does not scale with the dataset (the process's own mappings, the new task). The
 * median of EMPTY_FORKS, so one fork that met a host fault does not stand for it. */
#define EMPTY_FORKS 5
#define STR_(x) #x
#define STR(x) STR_(x)

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int measure_empty_fork(struct hb_ctx *ctx, uint64_t *ns)
{
	uint64_t t[EMPTY_FORKS];

	for (int i = 0; i < EMPTY_FORKS; i++) {
		struct hb_cow_child c;
		int rc = hb_cow_fork(ctx, &c, empty_child, NULL);

		if (rc)
			return rc;
		t[i] = c.fork_ns;
		if (hb_cow_release(ctx, &c))
			return -EIO;
	}
	qsort(t, EMPTY_FORKS, sizeof(t[0]), cmp_u64);
	*ns = t[EMPTY_FORKS / 2];
	return 0;
}

/* small_pct: its share of the dataset, in whole 2 MiB blocks from the start, advised
 * MADV_NOHUGEPAGE before the first touch (only this region's VMA is split). */
static int keep_small(struct hb_ctx *ctx, const struct forkcow_params *f, char *mem,
		      uint64_t *len)
{
	const uint64_t block = 2ull << 20;

	*len = f->size * f->small_pct / 100 / block * block;
	if (f->small_pct && !*len)
		*len = f->size < block ? f->size : block;
	if (*len && madvise(mem, *len, MADV_NOHUGEPAGE)) {
		char why[200];

		snprintf(why, sizeof(why), "parameter 'small_pct': madvise(MADV_NOHUGEPAGE) on "
			 "the dataset failed: %s", strerror(errno));
		hb_fail_reason(ctx, why);
		return -errno;
	}
	return 0;
}

/* After the populate: what small_pct kept small (nothing on hugetlbfs, huge whatever the
 * advice). */
static void small_metric(struct hb_ctx *ctx, const char *mem, uint64_t len)
{
	struct hb_smaps sm;

	if (!hb_region_smaps(ctx, mem, &sm) && sm.private_hugetlb_kib + sm.shared_hugetlb_kib)
		hb_metric(ctx, "small_kib", 0, "KiB",
			  "small_pct: none, hugetlbfs pages stay huge whatever the advice");
	else
		hb_metric(ctx, "small_kib", (double)(len >> 10), "KiB",
			  "the dataset's part advised MADV_NOHUGEPAGE (small_pct)");
}

static int forkcow_setup(struct hb_ctx *ctx, const void *p, void **state)
{
	const struct forkcow_params *f = p;
	struct forkcow_state *s = calloc(1, sizeof(*s));
	uint64_t small, t0;
	int rc;

	if (!s)
		return -ENOMEM;
	t0 = hb_now_ns();
	rc = measure_empty_fork(ctx, &s->fork_empty_ns);
	hb_populate_exclude(ctx, hb_now_ns() - t0);
	if (rc) {
		free(s);
		return rc;
	}
	s->mem = hb_region_map(ctx, f->size);
	if (!s->mem) {
		free(s);
		return -errno;
	}
	rc = keep_small(ctx, f, s->mem, &small);
	if (rc) {
		hb_region_unmap(ctx, s->mem);
		free(s);
		return rc;
	}
	/* Every page written, so the whole dataset is resident and private before the fork. */
	for (uint64_t off = 0; off < f->size; off += 4096)
		s->mem[off] = 1;
	if (f->small_pct) {
		t0 = hb_now_ns();
		small_metric(ctx, s->mem, small);
		hb_populate_exclude(ctx, hb_now_ns() - t0);
	}
	s->nslots = f->size / f->value_size;
	fc_picker_init(&s->pick, f->dist, s->nslots, f->zipf_s, f->hot_pct, hb_seed(ctx));
	for (int i = 0; i < 3; i++)
		hb_hist_init(&s->hist[i]);
	if (fc_pages_init(&s->dirtied, f->size)) {
		free(s);
		return -ENOMEM;
	}
	*state = s;
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* In the child: read every page (one load per cache line) and hand it to the sink. */
static int snapshot_child(void *arg)
{
	const struct child_args *c = arg;
	const uint64_t chunk = 1 << 20;
	uint64_t sum = 0;

	if (c->f->snapshot == SNAP_SLEEP) {
		sleep_ns(c->f->hold);
		return 0;
	}
	for (uint64_t off = 0; off < c->f->size; off += chunk) {
		uint64_t n = c->f->size - off < chunk ? c->f->size - off : chunk;
		const volatile uint64_t *w = (const volatile uint64_t *)(c->mem + off);

		for (uint64_t i = 0; i < n / 8; i += 8)
			sum += w[i];
		if (hb_sink_write(c->sink, c->mem + off, n))
			return 1;
	}
	forkcow_sink_sum = sum;
	return 0;
}

/*
 * One writing phase. Only the store is timed; picking the slot, pacing, marking pages and
 * polling the child happen outside. It ends after phase_time, or `writes` writes, or (in
 * the snapshot phase, by time) when the child is done.
 */
static struct phase_result write_phase(const struct forkcow_params *f, struct forkcow_state *s,
				       struct hb_hist *h, struct fc_pages *mark,
				       struct hb_cow_child *child)
{
	const uint64_t interval = f->write_rate ? 1000000000ull / f->write_rate : 0;
	uint64_t start = hb_now_ns(), now = start, next = start, polled = start, n = 0;

	for (;;) {
		uint64_t slot, t0;

		if (f->writes) {
			if (n >= f->writes)
				break;
		} else if (child) {
			if (now - polled >= 1000000) {
				if (hb_cow_done(child))
					break;
				polled = now;
			}
		} else if (now - start >= f->phase_time) {
			break;
		}
		if (interval) {
			if (next < now)
				next = now; /* behind: no burst to catch up */
			if (next - now > 200000)
				sleep_ns(next - now - 100000);
			while (hb_now_ns() < next)
				;
			next += interval;
		}
		slot = fc_pick(&s->pick);
		t0 = hb_now_ns();
		memset(s->mem + slot * f->value_size, (int)(n & 0xff), f->value_size);
		now = hb_now_ns();
		hb_hist_record(h, now - t0);
		if (mark)
			fc_pages_mark(mark, slot * f->value_size, f->value_size);
		n++;
	}
	return (struct phase_result){ n, hb_now_ns() - start };
}

static void phase_metrics(struct hb_ctx *ctx, const char *phase, const struct hb_hist *h,
			  struct phase_result r)
{
	/* Every write is recorded, so even p99.99 (the table's extra) stands on many. */
	hb_metric_phase_writes(ctx, phase, h, r.writes, r.loop_ns,
			       "one write of value_size bytes, every write recorded");
}

/* What the CoW faults copied, both views, from readings right after fork() and at the end
 * of the snapshot while the child still holds every page. */
static void copy_metrics(struct hb_ctx *ctx, const struct hb_smaps *a, const struct hb_smaps *b,
			 const struct hb_mem_view *ma, const struct hb_mem_view *mb,
			 uint64_t dirtied)
{
	uint64_t pa = a->private_dirty_kib + a->private_hugetlb_kib;
	uint64_t pb = b->private_dirty_kib + b->private_hugetlb_kib;
	double copied = pb > pa ? (double)(pb - pa) : 0;
	int hugetlb = a->private_hugetlb_kib + a->shared_hugetlb_kib > 0;

	hb_metric(ctx, "dirtied_pages", (double)dirtied, "pages",
		  "distinct 4 KiB pages the parent wrote during the snapshot");
	hb_metric(ctx, "copied_kib", copied, "KiB",
		  "smaps view: growth of the dataset's Private_Dirty + Private_Hugetlb in the "
		  "parent from right after fork() to the end of the snapshot (the child still "
		  "alive): pages the parent no longer shares, i.e. its copies");
	if (dirtied)
		hb_metric(ctx, "copied_kib_per_dirtied_page", copied / (double)dirtied, "KiB",
			  "copied_kib / dirtied_pages: 4 when a CoW fault copies one 4 KiB page");
	else
		hb_metric_text(ctx, "copied_kib_per_dirtied_page", "unavailable",
			       "no page was written during the snapshot");
	if (hugetlb)
		hb_metric_text(ctx, "copied_kib_charged", "unavailable",
			       "hugetlb pages are not charged to a memory cgroup");
	else if (!ma->charged_ok || !mb->charged_ok)
		hb_metric_text(ctx, "copied_kib_charged", "unavailable",
			       "the cell has no memory cgroup");
	else
		hb_metric(ctx, "copied_kib_charged",
			  mb->charged_kib > ma->charged_kib ?
				  (double)(mb->charged_kib - ma->charged_kib) : 0,
			  "KiB", "charged view: growth of the cell's memory cgroup over the same "
			  "interval (parent and child; includes the child's own small allocations)");
}

/* fork_us is the whole call; its empty twin apart; per GiB is what the dataset adds. */
static void fork_metrics(struct hb_ctx *ctx, const struct forkcow_params *f, uint64_t fork_ns,
			 uint64_t empty_ns)
{
	/* signed: a floor at 0 would bias the median of a small dataset's figure up */
	double marginal = (double)fork_ns - (double)empty_ns;

	hb_metric(ctx, "fork_us", (double)fork_ns / 1e3, "us",
		  "the fork() call in the parent, the child held until it returned");
	hb_metric(ctx, "fork_us_empty", (double)empty_ns / 1e3, "us",
		  "the same process's fork() before the dataset was mapped (median of "
		  STR(EMPTY_FORKS) "): the part of fork_us that does not grow with the dataset");
	hb_metric(ctx, "fork_ms_per_gib", marginal / 1e6 / ((double)f->size / (1 << 30)),
		  "ms/GiB", "(fork_us - fork_us_empty) per GiB of dataset: what the dataset adds "
		  "to fork(), copying its page tables; below 0 when that is less than the "
		  "forks' run-to-run noise");
}

static int forkcow_run(struct hb_ctx *ctx, const void *p, void *state)
{
	const struct forkcow_params *f = p;
	struct forkcow_state *s = state;
	struct phase_result r;
	struct hb_sink sink = { .fd = -1 };
	struct child_args args = { f, s->mem, &sink };
	struct hb_cow_child child;
	struct hb_smaps sm0, sm1;
	struct hb_mem_view mv0, mv1;
	struct hb_vmstat v0, v1;
	int rc, vm_ok;

	hb_phase_begin(ctx, "baseline");
	r = write_phase(f, s, &s->hist[0], NULL, NULL);
	hb_phase_end(ctx);
	phase_metrics(ctx, "baseline", &s->hist[0], r);

	if (f->snapshot == SNAP_READ) {
		rc = hb_sink_open(&sink, f->sink, f->sink_rate);
		if (rc)
			return rc;
	}
	vm_ok = hb_vmstat_now(ctx, &v0) == 0;
	hb_phase_begin(ctx, "during_snapshot"); /* not "snapshot": snapshot_ms is ours */
	rc = hb_cow_fork(ctx, &child, snapshot_child, &args);
	if (rc) {
		hb_sink_close(&sink);
		return rc;
	}
	if (hb_region_smaps(ctx, s->mem, &sm0) || hb_memory_read(ctx, &mv0)) {
		hb_cow_kill(ctx, &child);
		hb_sink_close(&sink);
		return -EIO;
	}
	r = write_phase(f, s, &s->hist[1], &s->dirtied, &child);
	hb_cow_wait_done(&child);
	rc = hb_region_smaps(ctx, s->mem, &sm1);
	if (!rc)
		rc = hb_memory_read(ctx, &mv1);
	if (hb_cow_release(ctx, &child) && !rc)
		rc = -EIO; /* the child failed (e.g. the sink refused a write) */
	hb_phase_end(ctx);
	hb_sink_close(&sink);
	if (rc)
		return rc;
	if (vm_ok)
		vm_ok = hb_vmstat_now(ctx, &v1) == 0;

	fork_metrics(ctx, f, child.fork_ns, s->fork_empty_ns);
	hb_metric(ctx, "snapshot_ms", (double)(child.fork_ns + child.child_ns) / 1e6, "ms",
		  "fork() and the child's work (reading and sinking every page, or holding)");
	phase_metrics(ctx, "snapshot", &s->hist[1], r);
	copy_metrics(ctx, &sm0, &sm1, &mv0, &mv1, s->dirtied.marked);
	if (vm_ok && v0.present[HB_VM_THP_SPLIT_PMD])
		hb_metric(ctx, "thp_split_pmd", (double)(v1.v[HB_VM_THP_SPLIT_PMD] -
							 v0.v[HB_VM_THP_SPLIT_PMD]),
			  "events", HB_SOURCE_VMSTAT " delta over the snapshot phase (machine-wide)");
	else
		hb_metric_text(ctx, "thp_split_pmd", "unavailable",
			       "no thp_split_pmd in " HB_SOURCE_VMSTAT " here");

	hb_phase_begin(ctx, "after");
	r = write_phase(f, s, &s->hist[2], NULL, NULL);
	hb_phase_end(ctx);
	phase_metrics(ctx, "after", &s->hist[2], r);
	return 0;
}

static void forkcow_teardown(struct hb_ctx *ctx, const void *p, void *state)
{
	struct forkcow_state *s = state;

	(void)p;
	hb_region_unmap(ctx, s->mem);
	fc_pages_free(&s->dirtied);
	free(s);
}

/* What the report shows of forkcow, and the claims it decides. */
static const struct hb_headline forkcow_headlines[] = {
	{ "fork_ms_per_gib", "fork time per GiB", "ms/GiB", HB_LOWER, HB_KIND_TIME },
	{ "copied_kib_per_dirtied_page", "CoW copy per dirtied page", "KiB/page", HB_LOWER,
	  HB_KIND_MEMORY },
	{ "write_p99_us_snapshot", "write p99 during snapshot", "us", HB_LOWER, HB_KIND_TAIL },
	{ "snapshot_ms", "snapshot time", "ms", HB_LOWER, HB_KIND_TIME },
	{ NULL },
};

static const char *const forkcow_phases[] = { "baseline", "snapshot", "after", NULL };

static const struct hb_chart_def forkcow_charts[] = {
	{ .kind = HB_CHART_BARS, .name = "forkcow_fork", .metric = "fork_ms_per_gib",
	  .title = "forkcow: fork() time per GiB of dataset", .ylabel = "ms per GiB (log scale)",
	  .logy = 1,
	  .caption = "The fork() call in the parent, mostly copying page tables; lower is "
		     "better." },
	{ .kind = HB_CHART_BARS, .name = "forkcow_copied", .metric = "copied_kib_per_dirtied_page",
	  .title = "forkcow: memory copied per page the parent dirtied during the snapshot",
	  .ylabel = "KiB copied per dirtied 4 KiB page (log scale)", .logy = 1,
	  .caption = "Copy-on-write amplification: 4 means only the 4 KiB page was copied, 2048 "
		     "a whole 2 MiB page." },
	{ .kind = HB_CHART_PERCENTILES, .name = "forkcow_latency", .metric = "write",
	  .title = "forkcow: parent write latency before / during / after the snapshot",
	  .xlabel = "percentile of writes",
	  .ylabel = "write latency (us, median over reps, log scale)", .phases = forkcow_phases,
	  .caption = "Every write of the parent timed (histogram); colour: backing, dash: phase "
		     "(dotted baseline, solid during the snapshot, dashed after)." },
	{ 0 },
};

static const struct hb_claim forkcow_claims[] = {
	{ .text = "fork snapshots copy 512x more under THP",
	  .metric = "copied_kib_per_dirtied_page", .vs_backing = "4k",
	  .backings = "thp thp-always", .lo = 256, .hi = HB_UNBOUNDED,
	  .needs = "forkcow under thp and 4k" },
	{ .text = "THP makes fork faster", .metric = "fork_ms_per_gib", .vs_backing = "4k",
	  .backings = "thp thp-always", .lo = 0, .hi = 0.95,
	  .needs = "forkcow under thp and 4k" },
	{ NULL },
};

/* What advise weighs for a service that forks snapshots (--fork-snapshots). */
static const struct hb_advice_rule forkcow_advice[] = {
	{ .metric = "fork_ms_per_gib", .label = "fork() time per GiB", .better = HB_LOWER,
	  .priorities = HB_PRIO_LATENCY, .fork = 1,
	  .measure = "hugebench run forkcow -b 4k,thp,hugetlb-2m -p size=256M --reps 5" },
	{ .metric = "write_p99_us_snapshot", .label = "write p99 during a snapshot",
	  .better = HB_LOWER, .priorities = HB_PRIO_LATENCY, .fork = 1,
	  .measure = "hugebench run forkcow -b 4k,thp,hugetlb-2m -p size=256M --reps 5" },
	{ .metric = "copied_kib_per_dirtied_page", .label = "memory copied per dirtied page",
	  .better = HB_LOWER, .priorities = HB_PRIO_MEMORY, .fork = 1,
	  .measure = "hugebench run forkcow -b 4k,thp,hugetlb-2m -p size=256M --reps 3" },
	{ NULL },
};

static const struct hb_outputs forkcow_outputs = {
	.metrics = hb_forkcow_metrics,
	.headlines = forkcow_headlines,
	.charts = forkcow_charts,
	.claims = forkcow_claims,
	.advice = forkcow_advice,
};

static const struct hb_workload_needs forkcow_needs = {
	.memory_needed = forkcow_memory_needed,
	.fit_hint = forkcow_fit_hint,
};

static const struct hb_workload_report forkcow_report = {
	.outputs = &forkcow_outputs,
};

const struct hb_workload hb_workload_forkcow = {
	.name = "forkcow",
	.summary = "fork() copy-on-write snapshot while the parent writes (Redis BGSAVE-like)",
	.params = forkcow_params_table,
	.params_size = sizeof(struct forkcow_params),
	.validate = forkcow_validate,
	.setup = forkcow_setup,
	.run = forkcow_run,
	.teardown = forkcow_teardown,
	.needs = &forkcow_needs,
	.report = &forkcow_report,
};
