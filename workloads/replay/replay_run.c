/*
 * The replay engine: the trace's records in time order (api/trace.h's merge), each applied by
 * the thread that stands for the recorded one. A dispatcher (the cell's thread) reads runs of
 * consecutive records of one recorded thread and hands each run to that thread's worker,
 * waiting for it to finish before the next run: every thread allocates and frees as its
 * recorded twin did (thread caches and arenas see the same traffic), in the recorded order.
 */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ctx.h"
#include "replay.h"
#include "trace.h"

#define BATCH 4096
#define MAX_FORKS 8
#define MAX_FORK_ENDS 4096

struct worker {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state; /* 0 idle, 1 a batch to run, 2 quit */
	int started;
};

struct held_fork {
	struct hb_cow_child c;
	uint64_t release_ns;
	int used;
};

struct engine {
	struct hb_ctx *ctx;
	const struct replay_params *p;
	struct hb_addrmap heap, maps;
	uint64_t live, peak, events, ops, unmatched, waited_ns, forks;
	void *(*mallocx)(size_t, int);
	void *(*rallocx)(void *, size_t, int);
	size_t (*xallocx)(void *, size_t, size_t, int);
	void (*sdallocx)(void *, size_t, int);
	void (*dallocx)(void *, int);
	struct hb_trace_rec *batch;
	size_t nbatch;
	unsigned nworkers, threads_used;
	struct worker *workers; /* index: recorded thread number - 1 */
	struct held_fork held[MAX_FORKS];
	struct { uint64_t pid, t_ns; } ends[MAX_FORK_ENDS];
	size_t nends;
	int failed;
};

#define JE_FLAGS_KEPT 0x17f /* MALLOCX_LG_ALIGN bits, MALLOCX_ZERO, MALLOCX_TCACHE_NONE */

static void touch(const struct engine *e, void *q, uint64_t size)
{
	if (!q || !size)
		return;
	if (e->p->touch == TOUCH_WHOLE)
		memset(q, 0x5a, size);
	else if (e->p->touch == TOUCH_FIRST)
		*(volatile char *)q = 0x5a;
}

static void *allocate(struct engine *e, const struct hb_trace_rec *r,
		      const struct hb_trace_effect *x)
{
	size_t n = x->size ? x->size : 1;
	void *q = NULL;

	if (r->kind == HB_TR_MALLOCX && e->mallocx)
		q = e->mallocx(n, (int)(r->aux & JE_FLAGS_KEPT));
	else if (r->kind == HB_TR_CALLOC || x->zeroed)
		q = calloc(1, n);
	else if (x->align > 16 && posix_memalign(&q, x->align, n))
		q = NULL;
	else if (x->align <= 16)
		q = malloc(n);
	return q;
}

static void block_free(struct engine *e, const struct hb_trace_rec *r, void *q, uint64_t size)
{
	if (r->kind == HB_TR_SDALLOCX && e->sdallocx)
		e->sdallocx(q, size ? size : 1, (int)(r->aux & JE_FLAGS_KEPT));
	else if (r->kind == HB_TR_DALLOCX && e->dallocx)
		e->dallocx(q, (int)(r->aux & JE_FLAGS_KEPT));
	else
		free(q);
}

static void put_block(struct engine *e, uint64_t key, void *q, uint64_t size)
{
	struct hb_addrmap_ent *ent;
	int fresh;

	if (!q) {
		e->failed = ENOMEM;
		return;
	}
	ent = hb_addrmap_put(&e->heap, key, &fresh);
	if (!ent) {
		e->failed = ENOMEM;
		return;
	}
	if (!fresh) { /* the recorded allocator reused it: its free was not seen */
		free((void *)(uintptr_t)ent->a);
		e->live -= ent->b;
		e->unmatched++;
	}
	ent->a = (uintptr_t)q;
	ent->b = size;
	e->live += size;
	if (e->live > e->peak)
		e->peak = e->live;
}

static void heap_record(struct engine *e, const struct hb_trace_rec *r,
			const struct hb_trace_effect *x)
{
	struct hb_addrmap_ent old;
	void *q;

	if (x->resized) {
		struct hb_addrmap_ent *ent = hb_addrmap_get(&e->heap, x->alloc);

		if (ent && e->xallocx) {
			e->xallocx((void *)(uintptr_t)ent->a, x->size, 0, 0);
			e->live += x->size - ent->b;
			ent->b = x->size;
		}
		return;
	}
	if (x->freed && !hb_addrmap_del(&e->heap, x->freed, &old)) {
		e->unmatched++;
		if (x->alloc) /* a realloc of an unseen block: a new one */
			put_block(e, x->alloc, q = allocate(e, r, x), x->size), touch(e, q, x->size);
		return;
	}
	e->ops++;
	if (x->freed && x->alloc) { /* realloc, rallocx: moved or grown in place */
		if (r->kind == HB_TR_RALLOCX && e->rallocx)
			q = e->rallocx((void *)(uintptr_t)old.a, x->size ? x->size : 1,
				       (int)(r->extra & JE_FLAGS_KEPT));
		else
			q = realloc((void *)(uintptr_t)old.a, x->size ? x->size : 1);
		e->live -= old.b;
		put_block(e, x->alloc, q, x->size);
		if (e->p->touch == TOUCH_WHOLE && x->size > old.b)
			memset((char *)q + old.b, 0x5a, x->size - old.b);
		return;
	}
	if (x->freed) {
		block_free(e, r, (void *)(uintptr_t)old.a, old.b);
		e->live -= old.b;
		return;
	}
	q = allocate(e, r, x);
	put_block(e, x->alloc, q, x->size);
	touch(e, q, x->size);
}

static void map_record(struct engine *e, const struct hb_trace_rec *r,
		       const struct hb_trace_effect *x)
{
	struct hb_addrmap_ent old, *ent;
	int fresh;

	if (r->kind == HB_TR_MADVISE) {
		if ((ent = hb_addrmap_get(&e->maps, r->ptr)))
			madvise((void *)(uintptr_t)ent->a, r->size < ent->b ? r->size : ent->b,
				(int)r->aux);
		return;
	}
	if (x->unmap) {
		if (!hb_addrmap_del(&e->maps, x->unmap, &old)) {
			e->unmatched++;
		} else if (r->kind == HB_TR_MREMAP && x->map) {
			void *q = mremap((void *)(uintptr_t)old.a, old.b, x->map_len, MREMAP_MAYMOVE);

			if (q != MAP_FAILED && (ent = hb_addrmap_put(&e->maps, x->map, &fresh))) {
				ent->a = (uintptr_t)q;
				ent->b = x->map_len;
			}
			return;
		} else {
			munmap((void *)(uintptr_t)old.a, old.b);
		}
	}
	if (x->map) {
		void *q = mmap(NULL, x->map_len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (q == MAP_FAILED || !(ent = hb_addrmap_put(&e->maps, x->map, &fresh))) {
			e->failed = ENOMEM;
			return;
		}
		ent->a = (uintptr_t)q;
		ent->b = x->map_len;
		touch(e, q, e->p->touch == TOUCH_FIRST ? 1 : x->map_len);
	}
}

static void apply(struct engine *e, const struct hb_trace_rec *r)
{
	struct hb_trace_effect x;

	hb_trace_effect(r, &x);
	if (x.map || x.unmap || r->kind == HB_TR_MADVISE)
		map_record(e, r, &x);
	else if (x.alloc || x.freed)
		heap_record(e, r, &x);
}

static void run_batch(struct engine *e)
{
	for (size_t i = 0; i < e->nbatch; i++)
		apply(e, &e->batch[i]);
}

/* A worker thread: waits for a batch, runs it, says so. */
struct worker_arg {
	struct engine *e;
	struct worker *w;
};

static void *worker_loop(void *arg)
{
	struct worker_arg a = *(struct worker_arg *)arg;

	free(arg);
	pthread_mutex_lock(&a.w->mu);
	for (;;) {
		while (a.w->state == 0)
			pthread_cond_wait(&a.w->cv, &a.w->mu);
		if (a.w->state == 2)
			break;
		run_batch(a.e);
		a.w->state = 0;
		pthread_cond_broadcast(&a.w->cv);
	}
	pthread_mutex_unlock(&a.w->mu);
	return NULL;
}

/* The batch on the thread of recorded thread tid (1: the dispatcher itself). */
static int dispatch(struct engine *e, uint16_t tid)
{
	struct worker *w;

	if (!e->nbatch)
		return 0;
	if (tid <= 1 || tid > e->nworkers) {
		run_batch(e);
		e->nbatch = 0;
		return 0;
	}
	w = &e->workers[tid - 1];
	if (!w->started) {
		struct worker_arg *a = malloc(sizeof(*a));

		if (!a)
			return -ENOMEM;
		a->e = e;
		a->w = w;
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->cv, NULL);
		if (pthread_create(&w->th, NULL, worker_loop, a)) {
			free(a);
			return -EAGAIN;
		}
		w->started = 1;
		e->threads_used++;
	}
	pthread_mutex_lock(&w->mu);
	w->state = 1;
	pthread_cond_broadcast(&w->cv);
	while (w->state == 1)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	e->nbatch = 0;
	return 0;
}

static void stop_workers(struct engine *e)
{
	for (unsigned i = 0; i < e->nworkers; i++) {
		struct worker *w = &e->workers[i];

		if (!w->started)
			continue;
		pthread_mutex_lock(&w->mu);
		w->state = 2;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
	}
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int snapshot_child(void *arg)
{
	(void)arg;
	return 0; /* it holds its copy of the parent's pages until released */
}

static void release_forks(struct engine *e, int all)
{
	uint64_t now = hb_now_ns();

	for (int i = 0; i < MAX_FORKS; i++)
		if (e->held[i].used && (all || now >= e->held[i].release_ns)) {
			hb_cow_release(e->ctx, &e->held[i].c);
			e->held[i].used = 0;
		}
}

/* A recorded fork: a copy-on-write child held for as long as the recorded one lived. */
static void fork_record(struct engine *e, const struct hb_trace_rec *r)
{
	uint64_t hold = 0;
	int slot = -1;

	if (r->flags & HB_TRF_FAILED)
		return;
	for (size_t i = 0; i < e->nends; i++)
		if (e->ends[i].pid == r->aux && e->ends[i].t_ns >= r->t_ns)
			hold = e->ends[i].t_ns - r->t_ns;
	release_forks(e, 0);
	for (int i = 0; i < MAX_FORKS && slot < 0; i++)
		if (!e->held[i].used)
			slot = i;
	if (slot < 0) { /* too many at once: the oldest goes */
		release_forks(e, 1);
		slot = 0;
	}
	if (hb_cow_fork(e->ctx, &e->held[slot].c, snapshot_child, NULL))
		return;
	e->held[slot].used = 1;
	e->held[slot].release_ns = hb_now_ns() + hold;
	e->forks++;
}

static uint64_t map_kib(const struct engine *e)
{
	return (hb_addrmap_resident(&e->heap) + hb_addrmap_resident(&e->maps)) / 1024;
}

/* The memory rows at <when>, as churn's, less the replay's own address map. */
static void memory_rows(struct engine *e, const char *when)
{
	struct hb_ctx *ctx = e->ctx;
	struct hb_mem_view v;
	struct hb_alloc_info ai;
	uint64_t own = map_kib(e), rss, charged;
	double live_kib = (double)e->live / 1024;
	char name[64];

	snprintf(name, sizeof(name), "live_kib_%s", when);
	hb_metric(ctx, name, live_kib, "KiB", "live heap bytes of the trace");
	snprintf(name, sizeof(name), "rss_kib_%s", when);
	if (hb_memory_read(ctx, &v)) {
		hb_metric_text(ctx, name, "unavailable", "cannot read the process's smaps_rollup");
		return;
	}
	rss = v.resident_kib > own ? v.resident_kib - own : 0;
	hb_metric(ctx, name, (double)rss, "KiB", "Rss + *_Hugetlb less the replay's map");
	snprintf(name, sizeof(name), "anon_huge_kib_%s", when);
	hb_metric(ctx, name, (double)v.anon_huge_kib, "KiB", "AnonHugePages (smaps_rollup)");
	snprintf(name, sizeof(name), "huge_pct_%s", when);
	hb_metric(ctx, name, v.rss_kib ? 100.0 * (double)v.anon_huge_kib / (double)v.rss_kib : 0,
		  "%", "AnonHugePages / Rss");
	snprintf(name, sizeof(name), "charged_kib_%s", when);
	charged = v.charged_kib > own ? v.charged_kib - own : 0;
	if (v.charged_ok)
		hb_metric(ctx, name, (double)charged, "KiB", "memory cgroup less the replay's map");
	else
		hb_metric_text(ctx, name, "unavailable", "the cell has no memory cgroup");
	if (!strcmp(when, "after_drain") && e->live) {
		hb_metric(ctx, "frag_ratio_after_drain", (double)rss / live_kib, "",
			  "rss / live at the end of the trace");
		if (v.charged_ok)
			hb_metric(ctx, "charged_ratio_after_drain", (double)charged / live_kib, "",
				  "charged / live at the end of the trace");
	}
	if (hb_allocator_info(ctx, &ai))
		return;
	for (unsigned i = 0; i < ai.n; i++) {
		snprintf(name, sizeof(name), "%s_%s", ai.stat[i].name, when);
		hb_metric(ctx, name, ai.stat[i].kib, "KiB", ai.stat[i].note);
	}
}

/* The forks' ends, each a chunk of one record on a thread number of its own. */
static void find_fork_ends(struct engine *e, const struct hb_trace *t)
{
	for (size_t i = 0; i < t->nchunks && e->nends < MAX_FORK_ENDS; i++) {
		struct hb_trace_rec r;

		if (t->chunks[i].count == 1 && !hb_trace_read(t, t->chunks[i].first, &r) &&
		    r.kind == HB_TR_FORK_END) {
			e->ends[e->nends].pid = r.aux;
			e->ends[e->nends++].t_ns = r.t_ns;
		}
	}
}

static int replay_loop(struct engine *e, struct hb_trace_merge *m)
{
	struct hb_trace_rec r;
	uint64_t start = hb_now_ns(), prev_t = 0, first = 1;
	uint16_t batch_tid = 0;
	int rc;

	while ((rc = hb_trace_merge_next(m, &r)) > 0 && !e->failed) {
		int control = r.kind == HB_TR_FORK || r.kind == HB_TR_MARK;
		uint64_t wait = 0;

		e->events++;
		if (e->p->pace == PACE_RECORDED) {
			uint64_t now = hb_now_ns() - start;

			wait = r.t_ns > now ? r.t_ns - now : 0;
		} else if (!first && e->p->idle_gaps && r.t_ns - prev_t >= e->p->idle_gaps) {
			wait = r.t_ns - prev_t;
		}
		first = 0;
		prev_t = r.t_ns;
		if (control || wait || r.tid != batch_tid || e->nbatch == BATCH) {
			if ((rc = dispatch(e, batch_tid)))
				return rc;
			batch_tid = r.tid;
		}
		if (wait) {
			sleep_ns(wait);
			e->waited_ns += wait;
		}
		if (r.kind == HB_TR_FORK) {
			fork_record(e, &r);
		} else if (r.kind == HB_TR_MARK) {
			char when[32];

			snprintf(when, sizeof(when), "mark%u", (unsigned)r.aux);
			memory_rows(e, when);
		} else if (r.kind != HB_TR_THREAD && r.kind != HB_TR_STOP &&
			   r.kind != HB_TR_FORK_END) {
			e->batch[e->nbatch++] = r;
		}
		if (!(e->events & 4095)) {
			hb_gauge_set(e->ctx, "live_bytes", (double)e->live);
			release_forks(e, 0);
		}
	}
	if (rc >= 0)
		rc = dispatch(e, batch_tid);
	return rc < 0 ? rc : e->failed ? -e->failed : 0;
}

int replay_trace(struct hb_ctx *ctx, const struct replay_params *p)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct hb_trace t;
	struct hb_trace_merge *m = NULL;
	char err[512];
	uint64_t t0, ns;
	int rc;

	if (!e)
		return -ENOMEM;
	e->ctx = ctx;
	e->p = p;
	if ((rc = hb_trace_open(p->trace, &t, err, sizeof(err)))) {
		hb_fail_reason(ctx, err);
		free(e);
		return rc;
	}
	e->mallocx = (void *(*)(size_t, int))dlsym(RTLD_DEFAULT, "mallocx");
	e->rallocx = (void *(*)(void *, size_t, int))dlsym(RTLD_DEFAULT, "rallocx");
	e->xallocx = (size_t(*)(void *, size_t, size_t, int))dlsym(RTLD_DEFAULT, "xallocx");
	e->sdallocx = (void (*)(void *, size_t, int))dlsym(RTLD_DEFAULT, "sdallocx");
	e->dallocx = (void (*)(void *, int))dlsym(RTLD_DEFAULT, "dallocx");
	e->nworkers = t.nthreads;
	e->workers = calloc(t.nthreads ? t.nthreads : 1, sizeof(*e->workers));
	e->batch = malloc(BATCH * sizeof(*e->batch));
	rc = -ENOMEM;
	if (!e->workers || !e->batch || hb_addrmap_init(&e->heap) || hb_addrmap_init(&e->maps))
		goto out;
	find_fork_ends(e, &t);
	if ((rc = hb_trace_merge_open(&t, &m)))
		goto out;
	hb_phase_begin(ctx, "replay");
	t0 = hb_now_ns();
	rc = replay_loop(e, m);
	ns = hb_now_ns() - t0;
	hb_phase_end(ctx);
	stop_workers(e);
	release_forks(e, 1);
	hb_trace_merge_close(m);
	if (rc) {
		snprintf(err, sizeof(err), "replay of %s stopped after %llu records: %s", p->trace,
			 (unsigned long long)e->events, strerror(-rc));
		hb_fail_reason(ctx, err);
		goto out;
	}
	hb_gauge_set(ctx, "live_bytes", (double)e->live);
	hb_metric(ctx, "replay_events", (double)e->events, "events", NULL);
	hb_metric(ctx, "ops_per_sec_replay",
		  ns > e->waited_ns ? (double)e->ops * 1e9 / (double)(ns - e->waited_ns) : 0,
		  "ops/s", "allocations and frees, pauses waited out left out");
	hb_metric(ctx, "replay_threads", 1 + e->threads_used, "threads", NULL);
	hb_metric(ctx, "replay_forks", (double)e->forks, "forks", NULL);
	hb_metric(ctx, "replay_unmatched", (double)e->unmatched, "events", NULL);
	hb_metric(ctx, "replay_waited_ms", (double)e->waited_ns / 1e6, "ms", NULL);
	hb_metric(ctx, "recorded_peak_live_kib", (double)e->peak / 1024, "KiB", NULL);
	memory_rows(e, "after_drain");
	hb_metric(ctx, "replay_map_kib", (double)map_kib(e), "KiB",
		  "left out of rss_kib and charged_kib");
	rc = 0;
out:
	/* the replayed heap is the cell's figure: left to the process's end; the maps go */
	hb_addrmap_free(&e->heap);
	hb_addrmap_free(&e->maps);
	hb_trace_close(&t);
	free(e->workers);
	free(e->batch);
	free(e);
	return rc;
}
