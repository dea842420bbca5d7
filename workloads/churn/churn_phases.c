/* The churn workload's phases: fill (in setup), churn, drain, idle (with the memory limit),
 * refill, and the figures of each. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "churn.h"
#include "ctx.h"
#include "kvstore.h"

/* The run's state: the store, the ids of live keys (for random picks), the generator. */
struct churn {
	struct kv_store kv;
	uint64_t *ids, nlive, next_id, rng, ops, every, countdown;
	struct hb_value_dist dist;
	char *pattern;
	char key[512], pkey[512];
	uint64_t rate_t, rate_ops;
	struct hb_hist all, get, set, del;
	volatile uint64_t sink;
};

static inline uint64_t rnd(struct churn *s)
{
	return hb_splitmix64(&s->rng);
}

static inline uint64_t below(struct churn *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)rnd(s) * n) >> 64);
}

static uint32_t value_len(struct churn *s)
{
	const struct hb_value_dist *d = &s->dist;
	double v;

	switch (d->kind) {
	case HB_DIST_FIXED:
		return (uint32_t)d->a;
	case HB_DIST_UNIFORM:
		return (uint32_t)d->a + (uint32_t)below(s, (uint64_t)(d->b - d->a) + 1);
	default: {
		double u1 = ((double)(rnd(s) >> 11) + 1) / 9007199254740993.0;
		double u2 = (double)(rnd(s) >> 11) / 9007199254740992.0;

		v = d->a * exp(d->b * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
		return v < 1 ? 1 : v > HB_VALUE_MAX ? HB_VALUE_MAX : (uint32_t)v;
	}
	}
}

/* "kkkk...<hex id>": the last min(16, key_size) hex digits of the id. */
static void make_key(char *k, uint64_t id, size_t klen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = klen < 16 ? klen : 16;

	for (size_t i = 0; i < n; i++, id >>= 4)
		k[klen - 1 - i] = hex[id & 15];
}

static int do_set(struct churn *s, const struct churn_params *c, uint64_t id)
{
	make_key(s->key, id, c->key_size);
	return kv_set(&s->kv, s->key, c->key_size, s->pattern + id % PATTERN, value_len(s));
}

static int insert_new(struct churn *s, const struct churn_params *c)
{
	uint64_t id = s->next_id++;
	int rc = do_set(s, c, id);

	if (rc < 0)
		return rc;
	s->ids[s->nlive++] = id;
	return 0;
}

static void delete_at(struct churn *s, const struct churn_params *c, uint64_t i)
{
	uint64_t id = s->ids[i];

	s->ids[i] = s->ids[--s->nlive];
	make_key(s->key, id, c->key_size);
	kv_del(&s->kv, s->key, c->key_size);
}

static void delete_random(struct churn *s, const struct churn_params *c)
{
	delete_at(s, c, below(s, s->nlive));
}

/* Every 1024 ops: the series' gauges, and the rate over the last 100 ms or more. */
static void gauges(struct hb_ctx *ctx, struct churn *s)
{
	uint64_t now = hb_now_ns();

	if (now - s->rate_t >= 100000000ull) {
		hb_gauge_set(ctx, "ops_per_sec",
			     (double)(s->ops - s->rate_ops) * 1e9 / (double)(now - s->rate_t));
		s->rate_t = now;
		s->rate_ops = s->ops;
	}
	hb_gauge_set(ctx, "live_bytes", (double)s->kv.live_bytes);
	hb_gauge_set(ctx, "ops", (double)s->ops);
}

static int fill_to(struct hb_ctx *ctx, struct churn *s, const struct churn_params *c,
		   const char *phase, const char *metric)
{
	uint64_t n = c->keys - s->nlive, t0;
	int rc;

	hb_phase_begin(ctx, phase);
	t0 = hb_now_ns();
	while (s->nlive < c->keys) {
		if ((rc = insert_new(s, c)))
			return rc;
		if (!(++s->ops & 1023))
			gauges(ctx, s);
	}
	if (n)
		hb_metric(ctx, metric, (double)n * 1e9 / (double)(hb_now_ns() - t0), "ops/s",
			  "SETs of new keys");
	hb_phase_end(ctx);
	gauges(ctx, s);
	return 0;
}

int churn_setup(struct hb_ctx *ctx, const void *p, void **state)
{
	const struct churn_params *c = p;
	struct churn *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;

	if (!s)
		return -ENOMEM;
	hb_value_dist_parse(c->value_size, &s->dist);
	churn_parse_timing(c->timing, &s->every);
	s->rng = hb_seed(ctx);
	s->ids = malloc(c->keys * sizeof(*s->ids));
	s->pattern = malloc(HB_VALUE_MAX + PATTERN);
	if (!s->ids || !s->pattern || kv_init(&s->kv))
		goto fail;
	for (size_t i = 0; i < HB_VALUE_MAX + PATTERN; i++)
		s->pattern[i] = (char)(i * 31 + 7);
	memset(s->key, 'k', sizeof(s->key));
	memset(s->pkey, 'k', sizeof(s->pkey));
	if (c->limit && c->limit_at == LIMIT_AT_START && (rc = hb_memory_limit(ctx, c->limit)))
		goto fail;
	s->rate_t = hb_now_ns();
	if ((rc = fill_to(ctx, s, c, "fill", "ops_per_sec_fill")))
		goto fail;
	*state = s;
	return 0;
fail:
	free(s->ids);
	free(s->pattern);
	free(s);
	return rc;
}


/*
 * The random choices of one churn operation, drawn three operations ahead so that the store's
 * memory can be prefetched: the loop would otherwise measure its own bookkeeping's cache
 * misses (the live-id list) and serialise the table's. The picks are made with the live
 * count at the time of the operation, so prefetching changes nothing that is chosen.
 */
struct draw {
	uint64_t r, u, h;
};

static inline uint64_t pick(uint64_t u, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)u * n) >> 64);
}

/* The id the operation d will touch if nothing changes before it; UINT64_MAX for none. */
static inline uint64_t draw_id(const struct churn *s, const struct churn_params *c,
			       const struct draw *d)
{
	if (d->r >= c->get_pct && d->r < c->get_pct + c->set_pct && s->nlive < c->keys)
		return s->next_id;
	return s->nlive ? s->ids[pick(d->u, s->nlive)] : UINT64_MAX;
}

/* One churn operation of the mix; GETs read the value's ends so the value is touched. */
static inline int churn_op(struct churn *s, const struct churn_params *c,
			   const struct draw *d, struct hb_hist **h)
{
	uint64_t id, r = d->r;
	size_t vlen;
	const char *v;

	if (r < c->get_pct) {
		*h = &s->get;
		if (!s->nlive)
			return 0;
		id = s->ids[pick(d->u, s->nlive)];
		make_key(s->key, id, c->key_size);
		v = kv_get(&s->kv, s->key, c->key_size, &vlen);
		if (v)
			s->sink += (uint64_t)v[0] + (uint64_t)v[vlen - 1];
		return 0;
	}
	if (r < c->get_pct + c->set_pct) {
		*h = &s->set;
		if (s->nlive < c->keys)
			return insert_new(s, c);
		return do_set(s, c, s->ids[pick(d->u, s->nlive)]) < 0 ? -ENOMEM : 0;
	}
	*h = &s->del;
	if (s->nlive)
		delete_at(s, c, pick(d->u, s->nlive));
	return 0;
}

/* Prefetches for the next three operations (q[0] runs now). */
static inline void prefetch_ahead(struct churn *s, const struct churn_params *c,
				  struct draw *q)
{
	uint64_t id;

	if (s->nlive)
		__builtin_prefetch(&s->ids[pick(q[3].u, s->nlive)]);
	id = draw_id(s, c, &q[2]);
	if (id != UINT64_MAX) {
		make_key(s->pkey, id, c->key_size);
		q[2].h = kv_hash_of(s->pkey, c->key_size);
		kv_prefetch_bucket(&s->kv, q[2].h);
	}
	kv_prefetch_entry(&s->kv, q[1].h);
}

static void pace(const struct churn_params *c, uint64_t t0, uint64_t n, uint64_t now)
{
	uint64_t target = t0 + (uint64_t)((double)n * 1e9 / (double)c->ops_rate);

	if (now + 50000 < target) {
		struct timespec ts = { (time_t)((target - now) / 1000000000ull),
				       (long)((target - now) % 1000000000ull) };

		nanosleep(&ts, NULL);
	}
	while (hb_now_ns() < target)
		;
}

static int churn_phase(struct hb_ctx *ctx, struct churn *s, const struct churn_params *c)
{
	uint64_t batch = 256, n = 0, countdown = s->every, t0, now, end;
	struct draw q[4];
	int rc;

	for (int k = 0; k < 4; k++)
		q[k] = (struct draw){ below(s, 100), rnd(s), 0 };
	if (c->ops_rate && c->ops_rate / 1000 < batch)
		batch = c->ops_rate / 1000 ? c->ops_rate / 1000 : 1;
	hb_hist_init(&s->all);
	hb_hist_init(&s->get);
	hb_hist_init(&s->set);
	hb_hist_init(&s->del);
	hb_phase_begin(ctx, "churn");
	t0 = hb_now_ns();
	end = t0 + c->churn_time;
	for (now = t0; now < end; now = hb_now_ns()) {
		for (uint64_t i = 0; i < batch; i++) {
			struct hb_hist *h;
			uint64_t ts = 0;
			int timed = s->every && --countdown == 0;

			if (timed) {
				countdown = s->every;
				ts = hb_now_ns();
			}
			if (c->prefetch)
				prefetch_ahead(s, c, q);
			if ((rc = churn_op(s, c, &q[0], &h)))
				return rc;
			q[0] = q[1];
			q[1] = q[2];
			q[2] = q[3];
			q[3] = (struct draw){ below(s, 100), rnd(s), 0 };
			if (timed) {
				uint64_t d = hb_now_ns() - ts;

				hb_hist_record(&s->all, d);
				hb_hist_record(h, d);
			}
		}
		n += batch;
		s->ops += batch;
		if (!(n & 1023) || batch < 256)
			gauges(ctx, s);
		if (c->ops_rate)
			pace(c, t0, n, hb_now_ns());
	}
	if (n && now > t0)
		hb_metric(ctx, "ops_per_sec_churn", (double)n * 1e9 / (double)(now - t0), "ops/s",
			  "GET/SET/DEL mix of the churn phase, with the per-op timing `timing` asks "
			  "for");
	else /* churn_time=0: no operation, so no rate (0/0 is no figure) */
		hb_metric_text(ctx, "ops_per_sec_churn", "unavailable",
			       "the churn phase ran no operation (churn_time=0)");
	hb_phase_end(ctx);
	if (!s->every) {
		static const char *const names[] = { "op_p50_us", "op_p99_us", "op_p999_us" };

		for (size_t i = 0; i < 3; i++)
			hb_metric_text(ctx, names[i], "unavailable", "timing=off: ops not timed");
		return 0;
	}
	hb_metric_hist(ctx, "op", &s->all);
	hb_metric_hist(ctx, "get", &s->get);
	hb_metric_hist(ctx, "set", &s->set);
	hb_metric_hist(ctx, "del", &s->del);
	return 0;
}

/* Both memory views now, with the store's own count, as <name>_<suffix> rows. */
static void memory_rows(struct hb_ctx *ctx, struct churn *s, const char *suffix,
			struct hb_mem_view *v)
{
	char name[64];
	struct hb_alloc_info ai;

	snprintf(name, sizeof(name), "live_kib_%s", suffix);
	hb_metric(ctx, name, (double)s->kv.live_bytes / 1024, "KiB",
		  "the store's key + value bytes (like Redis used_memory's data)");
	snprintf(name, sizeof(name), "rss_kib_%s", suffix);
	if (hb_memory_read(ctx, v)) {
		hb_metric_text(ctx, name, "unavailable", "cannot read " HB_SOURCE_SMAPS_ROLLUP);
		return;
	}
	hb_metric(ctx, name, (double)v->resident_kib, "KiB", "Rss + *_Hugetlb (smaps_rollup)");
	snprintf(name, sizeof(name), "anon_huge_kib_%s", suffix);
	hb_metric(ctx, name, (double)v->anon_huge_kib, "KiB", "AnonHugePages (smaps_rollup)");
	snprintf(name, sizeof(name), "charged_kib_%s", suffix);
	if (v->charged_ok)
		hb_metric(ctx, name, (double)v->charged_kib, "KiB", "memory cgroup of the cell");
	else
		hb_metric_text(ctx, name, "unavailable", "the cell has no memory cgroup");
	hb_allocator_info(ctx, &ai);
	for (unsigned i = 0; i < ai.n; i++) {
		snprintf(name, sizeof(name), "%s_%s", ai.stat[i].name, suffix);
		hb_metric(ctx, name, ai.stat[i].kib, "KiB", ai.stat[i].note);
	}
}

/* The idle phase; with a limit, how the cgroup got under it (or why it did not). */
static void idle_phase(struct hb_ctx *ctx, struct churn *s, const struct churn_params *c)
{
	int limited = c->limit && c->limit_at == LIMIT_AT_IDLE, rc, under = 0;
	uint64_t t0, tl = 0, oom = 0, failcnt = 0;
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct hb_mem_view v;
	char why[160];

	hb_phase_begin(ctx, "idle");
	t0 = hb_now_ns();
	if (limited) {
		if (!hb_memory_read(ctx, &v) && v.charged_ok)
			hb_metric(ctx, "charged_kib_before_limit", (double)v.charged_kib, "KiB",
				  "charged when the limit was set");
		tl = hb_now_ns();
		rc = hb_memory_limit(ctx, c->limit);
		if (rc) {
			/* cgroup v1 refuses a limit it cannot reclaim under with EBUSY. */
			snprintf(why, sizeof(why), "setting the limit failed: %s%s", strerror(-rc),
				 rc == -EBUSY ? " (v1: the kernel could not reclaim under it)" :
						"");
			hb_metric_text(ctx, "reclaim_ms", "unavailable", why);
			hb_metric(ctx, "limit_refused", 1, "", why);
			limited = 0;
		} else {
			hb_metric(ctx, "limit_write_ms", (double)(hb_now_ns() - tl) / 1e6, "ms",
				  "the limit write itself (v1 reclaims inside it)");
		}
	}
	while (hb_now_ns() - t0 < c->idle) {
		if (limited && !under && !hb_memory_read(ctx, &v) && v.charged_ok &&
		    v.charged_kib * 1024 <= c->limit) {
			under = 1;
			hb_metric(ctx, "reclaim_ms", (double)(hb_now_ns() - tl) / 1e6, "ms",
				  "from setting the limit until charged was under it");
		}
		nanosleep(&tick, NULL);
		gauges(ctx, s);
	}
	if (limited && !under)
		hb_metric_text(ctx, "reclaim_ms", "unavailable",
			       "charged stayed above the limit for the whole idle phase");
	hb_phase_end(ctx);
	if (c->limit) {
		if ((limited || c->limit_at == LIMIT_AT_START) && !hb_memory_read(ctx, &v) &&
		    v.charged_ok)
			hb_metric(ctx, "charged_kib_under_limit", (double)v.charged_kib, "KiB",
				  "charged at the end of idle, with the limit on");
		hb_metric(ctx, "oom_killed", 0, "", "the cell lived through its limit");
		if (!hb_memory_events(ctx, &oom, &failcnt))
			hb_metric(ctx, "memory_failcnt", (double)failcnt, "events",
				  "times the cell's cgroup hit its limit");
	}
}

static int verify(struct hb_ctx *ctx, struct churn *s, const struct churn_params *c)
{
	uint64_t missing = 0, bad = 0, bytes = 0;

	for (uint64_t i = 0; i < s->nlive; i++) {
		size_t vlen;
		const char *v;

		make_key(s->key, s->ids[i], c->key_size);
		v = kv_get(&s->kv, s->key, c->key_size, &vlen);
		if (!v) {
			missing++;
			continue;
		}
		bytes += c->key_size + vlen;
		bad += memcmp(v, s->pattern + s->ids[i] % PATTERN, vlen) != 0;
	}
	hb_metric(ctx, "verify_missing_keys", (double)missing, "keys", "live keys not found");
	hb_metric(ctx, "verify_bad_values", (double)bad, "keys", "found with a wrong value");
	hb_metric(ctx, "verify_count_diff", (double)s->kv.count - (double)s->nlive, "keys",
		  "entries in the store minus live keys");
	hb_metric(ctx, "verify_live_bytes_diff", (double)s->kv.live_bytes - (double)bytes, "B",
		  "the store's live_bytes minus the sum of live key + value sizes");
	return missing || bad || s->kv.count != s->nlive || s->kv.live_bytes != bytes ? -EIO : 0;
}

int churn_run(struct hb_ctx *ctx, const void *p, void *state)
{
	const struct churn_params *c = p;
	struct churn *s = state;
	struct hb_vmstat v0, v1;
	struct hb_mem_view full, drained;
	struct hb_alloc_info ai;
	uint64_t n, t0;
	char note[160];
	int rc, have_vm;

	hb_allocator_info(ctx, &ai);
	snprintf(note, sizeof(note), "%s %s (what the process's malloc is, found with dlsym)",
		 ai.name, ai.version);
	hb_metric_text(ctx, "allocator_version", ai.version, note);
	if (strcmp(ai.name, ai.asked))
		return -ENOEXEC; /* the preload did not take: not the allocator asked for */
	if ((rc = churn_phase(ctx, s, c)))
		return rc;
	memory_rows(ctx, s, "full", &full);

	have_vm = hb_vmstat_now(ctx, &v0) == 0;
	hb_phase_begin(ctx, "drain");
	n = s->nlive * c->drain_pct / 100;
	t0 = hb_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		delete_random(s, c);
		if (!(++s->ops & 1023))
			gauges(ctx, s);
	}
	if (n)
		hb_metric(ctx, "ops_per_sec_drain", (double)n * 1e9 / (double)(hb_now_ns() - t0),
			  "ops/s", "DELs of random live keys");
	hb_phase_end(ctx);
	idle_phase(ctx, s, c);

	memory_rows(ctx, s, "after_drain", &drained);
	if (s->kv.live_bytes && drained.resident_kib) {
		double live_kib = (double)s->kv.live_bytes / 1024;

		hb_metric(ctx, "frag_ratio_after_drain", (double)drained.resident_kib / live_kib,
			  "", "rss / live, as Redis's mem_fragmentation_ratio");
		if (drained.charged_ok)
			hb_metric(ctx, "charged_ratio_after_drain",
				  (double)drained.charged_kib / live_kib, "", "charged / live");
	}
	if (have_vm && !hb_vmstat_now(ctx, &v1) && v0.present[HB_VM_THP_DEFERRED_SPLIT_PAGE])
		hb_metric(ctx, "thp_deferred_split_page_after_drain",
			  (double)(v1.v[HB_VM_THP_DEFERRED_SPLIT_PAGE] -
				   v0.v[HB_VM_THP_DEFERRED_SPLIT_PAGE]),
			  "events", HB_SOURCE_VMSTAT " delta from the drain to the end of idle "
			  "(machine-wide)");
	if (c->limit && c->limit_at == LIMIT_AT_IDLE)
		hb_memory_limit(ctx, 0);
	if (c->refill) {
		if ((rc = fill_to(ctx, s, c, "refill", "ops_per_sec_refill")))
			return rc;
		memory_rows(ctx, s, "after_refill", &full);
	}
	return c->verify ? verify(ctx, s, c) : 0;
}
