/*
 * The cell's child process: the harness side that a workload sees through ctx.h. It runs the
 * workload's phases, proves what the backing gave after setup, and streams every figure to
 * the parent as one line per write on a pipe ("M name value unit note", tab-separated), so
 * a child that crashes halfway still leaves what it had measured.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cell.h"
#include "cgroup.h"
#include "counters.h"
#include "ctx.h"
#include "smaps.h"

#define MAX_REGIONS 64
#define MAX_GAUGES 8
#define GAUGE_FLUSH_NS 50000000ull

struct region {
	char *addr;
	uint64_t len;
};

struct hb_ctx {
	const struct hb_cell *cell;
	int fd;
	struct hb_cgroup cg;
	struct region regions[MAX_REGIONS];
	unsigned nregions;
	char phase[48];
	uint64_t phase_start;
	struct {
		char name[32];
		double value;
	} gauges[MAX_GAUGES];
	unsigned ngauges;
	uint64_t gauges_flushed;
	uint64_t accesses;
	/* Counters count only inside phases; getrusage is taken at the same boundaries so
	 * the software fault counts can be checked against it. */
	struct hb_counters *ctrs;
	struct rusage ru0;
	uint64_t minflt_phases, majflt_phases;
	struct hb_cow_child *cow; /* a live hb_cow_fork child, killed if the workload leaves it */
};

/* One line, one write(): the pipe keeps lines under PIPE_BUF whole. */
static void send_line(struct hb_ctx *ctx, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	for (int i = 0; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	while (write(ctx->fd, line, (size_t)n) < 0 && errno == EINTR)
		;
}

/* Tabs separate fields: none may appear inside one. */
static const char *clean(const char *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s ? s : "");
	for (char *c = buf; *c; c++)
		if (*c == '\t')
			*c = ' ';
	return buf;
}

void hb_metric(struct hb_ctx *ctx, const char *name, double value, const char *unit,
	       const char *note)
{
	char n[64], u[32], t[512];

	send_line(ctx, "M\t%s\t%.10g\t%s\t%s", clean(name, n, sizeof(n)), value,
		  clean(unit, u, sizeof(u)), clean(note, t, sizeof(t)));
}

static void metric_text(struct hb_ctx *ctx, const char *name, const char *value,
			const char *note)
{
	char t[512];

	send_line(ctx, "M\t%s\t%s\t\t%s", name, value, clean(note, t, sizeof(t)));
}

void hb_metric_text(struct hb_ctx *ctx, const char *name, const char *value, const char *note)
{
	char n[64], v[128];

	metric_text(ctx, clean(name, n, sizeof(n)), clean(value, v, sizeof(v)), note);
}

void hb_metric_hist(struct hb_ctx *ctx, const char *prefix, const struct hb_hist *h)
{
	static const struct {
		const char *suffix;
		double p;
	} pcts[] = { { "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p999", 99.9 }, { "max", 100 } };
	char name[96];

	snprintf(name, sizeof(name), "%s_count", prefix);
	hb_metric(ctx, name, (double)h->count, "ops", NULL);
	if (!h->count)
		return;
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
		snprintf(name, sizeof(name), "%s_%s_us", prefix, pcts[i].suffix);
		hb_metric(ctx, name, (double)hb_hist_percentile(h, pcts[i].p) / 1000.0, "us", NULL);
	}
}

void hb_phase_begin(struct hb_ctx *ctx, const char *name)
{
	snprintf(ctx->phase, sizeof(ctx->phase), "%s", name);
	send_line(ctx, "P\t%s", ctx->phase);
	ctx->phase_start = hb_now_ns();
	if (ctx->ctrs) {
		getrusage(RUSAGE_THREAD, &ctx->ru0);
		hb_counters_enable(ctx->ctrs);
	}
}

void hb_phase_end(struct hb_ctx *ctx)
{
	uint64_t ns = hb_now_ns() - ctx->phase_start;
	char name[64];

	if (!ctx->phase[0])
		return;
	if (ctx->ctrs) {
		struct rusage ru;

		hb_counters_disable(ctx->ctrs);
		getrusage(RUSAGE_THREAD, &ru);
		ctx->minflt_phases += (uint64_t)(ru.ru_minflt - ctx->ru0.ru_minflt);
		ctx->majflt_phases += (uint64_t)(ru.ru_majflt - ctx->ru0.ru_majflt);
	}
	snprintf(name, sizeof(name), "%s_ms", ctx->phase);
	hb_metric(ctx, name, (double)ns / 1e6, "ms", NULL);
	send_line(ctx, "P\t");
	ctx->phase[0] = 0;
}

static int resident_kib(uint64_t *kib)
{
	struct hb_smaps s;
	int rc = hb_smaps_read_rollup("/proc/self/smaps_rollup", &s);

	if (!rc)
		*kib = hb_smaps_resident_kib(&s);
	return rc;
}

static void memory_metrics(struct hb_ctx *ctx, const char *suffix)
{
	char name[64];
	uint64_t kib;

	snprintf(name, sizeof(name), "rss_kib%s%s", suffix ? "_" : "", suffix ? suffix : "");
	if (resident_kib(&kib) == 0)
		hb_metric(ctx, name, (double)kib, "KiB", "Rss + Private_Hugetlb + Shared_Hugetlb "
			  "(smaps_rollup)");
	else
		metric_text(ctx, name, "unavailable", "cannot read /proc/self/smaps_rollup");
	snprintf(name, sizeof(name), "charged_kib%s%s", suffix ? "_" : "", suffix ? suffix : "");
	if (!ctx->cg.dir[0])
		return; /* the parent reports once why there is no charged view */
	if (hb_cgroup_charged_kib(&ctx->cg, &kib) == 0)
		hb_metric(ctx, name, (double)kib, "KiB",
			  ctx->cell->backing.kind == HB_BK_HUGETLB ?
				  "memory cgroup; hugetlb pages are not charged to it" :
				  "memory cgroup of the cell");
	else
		metric_text(ctx, name, "unavailable", "cannot read the cell's memory cgroup");
}

int hb_memory_read(struct hb_ctx *ctx, struct hb_mem_view *v)
{
	struct hb_smaps s;
	int rc = hb_smaps_read_rollup("/proc/self/smaps_rollup", &s);

	memset(v, 0, sizeof(*v));
	if (rc)
		return rc;
	v->rss_kib = s.rss_kib;
	v->private_dirty_kib = s.private_dirty_kib;
	v->hugetlb_kib = s.private_hugetlb_kib + s.shared_hugetlb_kib;
	v->anon_huge_kib = s.anon_huge_kib;
	v->resident_kib = hb_smaps_resident_kib(&s);
	v->charged_ok = ctx->cg.dir[0] && hb_cgroup_charged_kib(&ctx->cg, &v->charged_kib) == 0;
	return 0;
}

int hb_memory_limit(struct hb_ctx *ctx, uint64_t bytes)
{
	if (!ctx->cg.dir[0])
		return -ENOENT;
	return hb_cgroup_set_limit(&ctx->cg, bytes);
}

int hb_memory_events(struct hb_ctx *ctx, uint64_t *oom_kills, uint64_t *failcnt)
{
	if (!ctx->cg.dir[0])
		return -ENOENT;
	return hb_cgroup_events(&ctx->cg, oom_kills, failcnt);
}

int hb_vmstat_now(struct hb_ctx *ctx, struct hb_vmstat *v)
{
	(void)ctx;
	return hb_vmstat_read("/proc/vmstat", v);
}

void hb_memory_snapshot(struct hb_ctx *ctx, const char *suffix)
{
	memory_metrics(ctx, suffix);
}

void hb_gauge_set(struct hb_ctx *ctx, const char *name, double value)
{
	unsigned i;
	uint64_t now;

	for (i = 0; i < ctx->ngauges; i++)
		if (!strcmp(ctx->gauges[i].name, name))
			break;
	if (i == ctx->ngauges) {
		if (i == MAX_GAUGES)
			return;
		snprintf(ctx->gauges[i].name, sizeof(ctx->gauges[i].name), "%s", name);
		ctx->ngauges++;
	}
	ctx->gauges[i].value = value;
	/* Rate-limited, so a workload may call this in its loop. */
	now = hb_now_ns();
	if (now - ctx->gauges_flushed < GAUGE_FLUSH_NS)
		return;
	ctx->gauges_flushed = now;
	for (unsigned g = 0; g < ctx->ngauges; g++)
		send_line(ctx, "G\t%s\t%.10g", ctx->gauges[g].name, ctx->gauges[g].value);
}

void hb_count_accesses(struct hb_ctx *ctx, uint64_t n)
{
	ctx->accesses += n;
}

uint64_t hb_seed(const struct hb_ctx *ctx)
{
	return ctx->cell->seed;
}

uint64_t hb_backing_page_size(const struct hb_ctx *ctx)
{
	return ctx->cell->backing.page_size;
}

void *hb_region_map(struct hb_ctx *ctx, uint64_t bytes)
{
	uint64_t len;
	void *p;

	if (ctx->nregions == MAX_REGIONS) {
		errno = ENOSPC;
		return NULL;
	}
	p = hb_backing_map(&ctx->cell->backing, bytes, &len);
	if (!p)
		return NULL;
	ctx->regions[ctx->nregions].addr = p;
	ctx->regions[ctx->nregions].len = len;
	ctx->nregions++;
	return p;
}

void hb_region_unmap(struct hb_ctx *ctx, void *addr)
{
	for (unsigned i = 0; i < ctx->nregions; i++) {
		if (ctx->regions[i].addr != addr)
			continue;
		munmap(addr, ctx->regions[i].len);
		ctx->regions[i] = ctx->regions[--ctx->nregions];
		return;
	}
}

int hb_region_smaps(struct hb_ctx *ctx, const void *addr, struct hb_smaps *sm)
{
	for (unsigned i = 0; i < ctx->nregions; i++) {
		uintptr_t start = (uintptr_t)ctx->regions[i].addr;

		if (ctx->regions[i].addr == addr)
			return hb_smaps_read_region("/proc/self/smaps", start,
						    start + ctx->regions[i].len, sm);
	}
	return -ENOENT;
}

int hb_region_resident_kib(struct hb_ctx *ctx, const void *addr, uint64_t *kib)
{
	struct hb_smaps s;
	int rc = hb_region_smaps(ctx, addr, &s);

	if (!rc)
		*kib = hb_smaps_resident_kib(&s);
	return rc;
}

/*
 * A workload whose memory comes from malloc maps no region, so there is no region coverage
 * to prove. The whole process's share is reported under its own name instead; no fallback
 * is flagged from it, since whether a heap asks for huge pages is the allocator's choice.
 */
static void process_coverage(struct hb_ctx *ctx)
{
	struct hb_smaps s;

	if (hb_smaps_read_rollup("/proc/self/smaps_rollup", &s)) {
		metric_text(ctx, "huge_coverage_process_pct", "unavailable",
			    "cannot read /proc/self/smaps_rollup");
		return;
	}
	if (!s.rss_kib)
		return;
	hb_metric(ctx, "huge_coverage_process_pct",
		  100.0 * (double)(s.anon_huge_kib + s.private_hugetlb_kib + s.shared_hugetlb_kib) /
			  (double)hb_smaps_resident_kib(&s),
		  "%", "whole process after setup: (AnonHugePages + *_Hugetlb) / (Rss + *_Hugetlb) "
		  "in smaps_rollup; the workload maps no region of its own (memory from malloc)");
}

/* After setup: what share of the cell's regions is really backed by huge pages. */
static void coverage_metrics(struct hb_ctx *ctx, uint64_t mthp_before, int mthp_ok)
{
	const struct hb_backing *b = &ctx->cell->backing;
	uint64_t total_kib = 0, huge_kib = 0, kernel_page_kib = 0, resident_kib = 0;
	const char *how = "AnonHugePages in /proc/self/smaps";
	char note[256];

	for (unsigned i = 0; i < ctx->nregions; i++) {
		struct hb_smaps s;
		uintptr_t start = (uintptr_t)ctx->regions[i].addr;

		if (hb_smaps_read_region("/proc/self/smaps", start, start + ctx->regions[i].len,
					 &s)) {
			metric_text(ctx, "huge_coverage_pct", "unavailable",
				    "cannot read /proc/self/smaps");
			return;
		}
		total_kib += ctx->regions[i].len >> 10;
		resident_kib += hb_smaps_resident_kib(&s);
		huge_kib += s.anon_huge_kib + s.private_hugetlb_kib + s.shared_hugetlb_kib;
		if (s.kernel_page_kib > kernel_page_kib)
			kernel_page_kib = s.kernel_page_kib;
	}
	if (!total_kib) {
		process_coverage(ctx);
		return;
	}
	if (!resident_kib) {
		/* Nothing touched yet: the workload populates inside its measured phase. */
		metric_text(ctx, "huge_coverage_pct", "unavailable",
			    "nothing of the regions is resident after setup (the workload first "
			    "touches its memory in the measured phase)");
		return;
	}
	if (b->kind == HB_BK_HUGETLB)
		how = "Private_Hugetlb + Shared_Hugetlb in /proc/self/smaps";
	if (b->kind == HB_BK_MTHP) {
		uint64_t after;

		/* smaps counts only PMD-sized THP; mTHP folios show in per-size counters,
		 * which are machine-wide. */
		if (!mthp_ok || hb_mthp_fault_alloc(b->page_size, &after)) {
			metric_text(ctx, "huge_coverage_pct", "unavailable",
				    "this kernel has no per-size mTHP stats/anon_fault_alloc");
			return;
		}
		huge_kib = (after - mthp_before) * (b->page_size >> 10);
		if (huge_kib > total_kib)
			huge_kib = total_kib;
		how = "mTHP stats/anon_fault_alloc delta (machine-wide counter)";
	}
	double pct = 100.0 * (double)huge_kib / (double)total_kib;

	snprintf(note, sizeof(note), "%s; KernelPageSize %llu kB", how,
		 (unsigned long long)kernel_page_kib);
	hb_metric(ctx, "huge_coverage_pct", pct, "%", note);
	if (b->wants_huge && pct < 50) {
		snprintf(note, sizeof(note), "asked for %s pages, got %.1f%% coverage", b->name,
			 pct);
		send_line(ctx, "F\t%s", note);
	}
}

/* One counter row; value NULL: unavailable, the note says why. */
static void counter_row(void *arg, const char *metric, const double *value, const char *unit,
			const char *note)
{
	struct hb_ctx *ctx = arg;
	char t[512];

	if (value)
		send_line(ctx, "M\t%s\t%.10g\t%s\t%s", metric, *value, unit,
			  clean(note, t, sizeof(t)));
	else
		send_line(ctx, "M\t%s\tunavailable\t%s\t%s", metric, unit,
			  clean(note, t, sizeof(t)));
}

/* Opened before setup so that opening costs nothing inside a phase; counting starts only
 * at the first hb_phase_begin. */
static void counters_start(struct hb_ctx *ctx)
{
	char err[256];

	ctx->ctrs = calloc(1, sizeof(*ctx->ctrs));
	if (!ctx->ctrs)
		return;
	if (hb_counters_init(ctx->ctrs, ctx->cell->events, err, sizeof(err))) {
		/* The runner checked the list; this is only reached on ENOMEM. */
		metric_text(ctx, "counters", "unavailable", err);
		free(ctx->ctrs);
		ctx->ctrs = NULL;
		return;
	}
	hb_counters_open(ctx->ctrs);
}

static void counters_finish(struct hb_ctx *ctx)
{
	if (!ctx->ctrs)
		return;
	hb_counters_read(ctx->ctrs);
	hb_counters_report(ctx->ctrs, ctx->accesses, counter_row, ctx);
	hb_counters_close(ctx->ctrs);
	hb_metric(ctx, "minflt_phases", (double)ctx->minflt_phases, "faults",
		  "getrusage(RUSAGE_THREAD) minflt over the same phases the counters count");
	hb_metric(ctx, "majflt_phases", (double)ctx->majflt_phases, "faults",
		  "getrusage(RUSAGE_THREAD) majflt over the same phases the counters count");
	free(ctx->ctrs);
	ctx->ctrs = NULL;
}

static void send_error(struct hb_ctx *ctx, const char *what, int rc)
{
	send_line(ctx, "E\t%s: %s", what, strerror(rc < 0 ? -rc : rc));
}

int hb_cell_child(const struct hb_cell *cell, int fd, const char *cgroup_dir, int cgroup_version)
{
	const struct hb_workload *w = cell->w;
	struct hb_ctx *ctx = calloc(1, sizeof(*ctx));
	uint64_t t0, mthp_before = 0;
	int mthp_ok = 0, rc;
	void *state = NULL;
	struct rusage ru;

	if (!ctx)
		return 1;
	ctx->cell = cell;
	ctx->fd = fd;
	if (cgroup_dir && *cgroup_dir) {
		snprintf(ctx->cg.dir, sizeof(ctx->cg.dir), "%s", cgroup_dir);
		ctx->cg.version = cgroup_version;
	}
	if (cell->backing.kind == HB_BK_MTHP)
		mthp_ok = hb_mthp_fault_alloc(cell->backing.page_size, &mthp_before) == 0;

	counters_start(ctx);
	t0 = hb_now_ns();
	rc = w->setup(ctx, cell->params, &state);
	if (rc) {
		send_error(ctx, "setup (populate) failed", rc);
		return 1;
	}
	hb_metric(ctx, "populate_ms", (double)(hb_now_ns() - t0) / 1e6, "ms",
		  "setup: mapping and first touch, kept apart from the measured phase");
	coverage_metrics(ctx, mthp_before, mthp_ok);
	memory_metrics(ctx, NULL);

	rc = w->run(ctx, cell->params, state);
	hb_phase_end(ctx);
	if (ctx->cow)
		hb_cow_kill(ctx, ctx->cow);
	if (rc) {
		send_error(ctx, "run failed", rc);
		return 1;
	}
	if (ctx->accesses)
		hb_metric(ctx, "accesses", (double)ctx->accesses, "accesses",
			  "memory accesses of the measured work, as the workload counted them");
	counters_finish(ctx);
	if (w->teardown)
		w->teardown(ctx, cell->params, state);
	getrusage(RUSAGE_SELF, &ru);
	hb_metric(ctx, "minflt", (double)ru.ru_minflt, "faults", "whole cell (getrusage)");
	hb_metric(ctx, "majflt", (double)ru.ru_majflt, "faults", "whole cell (getrusage)");
	free(ctx);
	return 0;
}

/*
 * The copy-on-write child (a database's fork() snapshot). Two pipes: the child says "done"
 * when fn has returned and then blocks until the parent releases it, so the parent can
 * measure what was copied while the pages are still shared. PR_SET_PDEATHSIG kills the
 * child with the cell's process, whatever ends it (a crash, the harness's SIGKILL on Ctrl-C).
 */
int hb_cow_fork(struct hb_ctx *ctx, struct hb_cow_child *c, int (*fn)(void *arg), void *arg)
{
	int done[2], go[2];
	pid_t parent = getpid();
	uint64_t t0;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	if (pipe2(done, O_CLOEXEC))
		return -errno;
	if (pipe2(go, O_CLOEXEC)) {
		int rc = -errno;

		close(done[0]);
		close(done[1]);
		return rc;
	}
	t0 = hb_now_ns();
	c->pid = fork();
	c->fork_ns = hb_now_ns() - t0;
	if (c->pid == 0) {
		struct { int32_t rc; uint64_t ns; } msg;
		char b;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		prctl(PR_SET_NAME, "hb-cow-child");
		close(ctx->fd); /* the harness's pipe is the cell's, not ours */
		close(done[0]);
		close(go[1]);
		t0 = hb_now_ns();
		msg.rc = fn(arg);
		msg.ns = hb_now_ns() - t0;
		if (write(done[1], &msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			_exit(126);
		while (read(go[0], &b, 1) < 0 && errno == EINTR)
			;
		_exit(msg.rc ? 1 : 0);
	}
	close(done[1]);
	close(go[0]);
	if (c->pid < 0) {
		int rc = -errno;

		close(done[0]);
		close(go[1]);
		return rc;
	}
	c->done_fd = done[0];
	c->go_fd = go[1];
	ctx->cow = c;
	return 0;
}

int hb_cow_done(struct hb_cow_child *c)
{
	struct pollfd p = { .fd = c->done_fd, .events = POLLIN };
	struct { int32_t rc; uint64_t ns; } msg = { -1, 0 };
	ssize_t n;

	if (c->done)
		return 1;
	if (poll(&p, 1, 0) <= 0)
		return 0;
	n = read(c->done_fd, &msg, sizeof(msg));
	c->done = 1;
	c->child_ns = msg.ns;
	c->failed = n != (ssize_t)sizeof(msg) || msg.rc; /* EOF: it died before saying so */
	return 1;
}

int hb_cow_wait_done(struct hb_cow_child *c)
{
	struct pollfd p = { .fd = c->done_fd, .events = POLLIN };

	while (!hb_cow_done(c))
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
	return 0;
}

static int cow_reap(struct hb_ctx *ctx, struct hb_cow_child *c)
{
	int status = 0;

	close(c->go_fd);
	close(c->done_fd);
	while (waitpid(c->pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (ctx->cow == c)
		ctx->cow = NULL;
	c->pid = -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 && !c->failed ? 0 : -EIO;
}

int hb_cow_release(struct hb_ctx *ctx, struct hb_cow_child *c)
{
	hb_cow_wait_done(c);
	return cow_reap(ctx, c); /* closing go_fd lets the child's read return and exit */
}

void hb_cow_kill(struct hb_ctx *ctx, struct hb_cow_child *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	cow_reap(ctx, c);
}
