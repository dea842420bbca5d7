/* The redis workload's data (keys, values, the fill), its figures (INFO, the server's smaps,
 * the series' gauges) and the churn scenario: fill, drain at random, idle. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctx.h"
#include "redis.h"
#include "server.h"

static inline uint64_t below(struct redis_state *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)hb_splitmix64(&s->rng) * n) >> 64);
}

/* "kkkk...<hex id>": the last min(16, klen) characters are the id in hex. */
void redis_make_key(char *k, uint64_t id, size_t klen)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < (klen < 16 ? klen : 16); i++, id >>= 4)
		k[klen - 1 - i] = hex[id & 15];
}

uint32_t redis_value_len(struct redis_state *s)
{
	const struct hb_value_dist *d = &s->dist;
	double u1, u2, v;

	if (d->kind == HB_DIST_FIXED)
		return (uint32_t)d->a;
	if (d->kind == HB_DIST_UNIFORM)
		return (uint32_t)d->a + (uint32_t)below(s, (uint64_t)(d->b - d->a) + 1);
	/* Box-Muller on two uniforms in (0, 1]. */
	u1 = ((double)(hb_splitmix64(&s->rng) >> 11) + 1) * 0x1p-53;
	u2 = ((double)(hb_splitmix64(&s->rng) >> 11) + 1) * 0x1p-53;
	v = d->a * exp(d->b * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
	return v < 1 ? 1 : v > HB_VALUE_MAX ? HB_VALUE_MAX : (uint32_t)v;
}

int redis_info(struct hb_ctx *ctx, struct redis_state *s)
{
	if (redis_cmd(s->conn, "INFO", s->info, sizeof(s->info))) {
		char why[512];

		snprintf(why, sizeof(why), "INFO failed: %.400s", s->info);
		hb_fail_reason(ctx, why);
		return -EIO;
	}
	return 0;
}

static const char *const gauge_fields[] = { "used_memory", "used_memory_rss",
					     "allocator_active", "allocator_resident", NULL };

void redis_gauges(struct hb_ctx *ctx, struct redis_state *s, const struct redis_params *p,
		  int force)
{
	uint64_t now = hb_now_ns();
	struct hb_smaps sm;
	char name[48];
	double v;

	if (!force && now - s->last_gauge < p->sample)
		return;
	s->last_gauge = now;
	if (redis_cmd(s->conn, "INFO memory", s->info, sizeof(s->info)))
		return;
	for (size_t i = 0; gauge_fields[i]; i++)
		if (!redis_info_num(s->info, gauge_fields[i], &v)) {
			snprintf(name, sizeof(name), "%s_kib", gauge_fields[i]);
			hb_gauge_set(ctx, name, v / 1024);
		}
	if (!hb_server_smaps(s->server, &sm)) {
		hb_gauge_set(ctx, "server_rss_kib", (double)sm.rss_kib);
		hb_gauge_set(ctx, "server_anon_huge_kib", (double)sm.anon_huge_kib);
	}
	hb_gauge_set(ctx, "keys", (double)s->nlive);
}

int redis_fill(struct hb_ctx *ctx, struct redis_state *s, const struct redis_params *p)
{
	char err[400];
	uint64_t t0;
	unsigned queued = 0;
	int rc;

	hb_phase_begin(ctx, "fill");
	t0 = hb_now_ns();
	for (uint64_t id = 0; id < p->keys; id++) {
		uint32_t vl = redis_value_len(s);

		redis_make_key(s->key, id, p->key_size);
		if (redis_append_set(s->conn, s->key, p->key_size, s->values + (id & 4095), vl))
			return -ENOMEM;
		s->vlen[id] = vl;
		s->live_bytes += p->key_size + vl;
		s->nlive++;
		if (++queued == p->pipeline || id + 1 == p->keys) {
			if ((rc = redis_flush(s->conn, queued, err, sizeof(err)))) {
				hb_fail_reason(ctx, err);
				return rc;
			}
			queued = 0;
			redis_gauges(ctx, s, p, 0);
		}
	}
	hb_metric(ctx, "ops_per_sec_fill", (double)p->keys * 1e9 / (double)(hb_now_ns() - t0),
		  "ops/s", "pipelined SETs of new keys");
	redis_gauges(ctx, s, p, 1);
	hb_phase_end(ctx);
	return 0;
}

struct rows_arg {
	struct hb_ctx *ctx;
	const char *suffix;
};

/* allocator_* fields: bytes as <field>_kib_<suffix>, ratios as they are. */
static void allocator_row(void *arg, const char *field, double v)
{
	const struct rows_arg *a = arg;
	char name[96];
	int ratio = strstr(field, "ratio") != NULL;

	snprintf(name, sizeof(name), "%s%s_%s", field, ratio ? "" : "_kib", a->suffix);
	hb_metric(a->ctx, name, ratio ? v : v / 1024, ratio ? "" : "KiB", "Redis INFO memory");
}

void redis_memory_rows(struct hb_ctx *ctx, struct redis_state *s, const char *suffix)
{
	struct rows_arg a = { ctx, suffix };
	struct hb_mem_view mv;
	struct hb_smaps sm;
	char name[96];
	double v;

	snprintf(name, sizeof(name), "live_kib_%s", suffix);
	hb_metric(ctx, name, (double)s->live_bytes / 1024, "KiB",
		  "key + value bytes the client has stored");
	snprintf(name, sizeof(name), "rss_kib_%s", suffix);
	if (hb_server_smaps(s->server, &sm)) {
		hb_metric_text(ctx, name, "unavailable", "cannot read the server's smaps_rollup");
	} else {
		hb_metric(ctx, name, (double)(sm.rss_kib + sm.private_hugetlb_kib +
					      sm.shared_hugetlb_kib), "KiB",
			  "the server's Rss (its smaps_rollup)");
		snprintf(name, sizeof(name), "anon_huge_kib_%s", suffix);
		hb_metric(ctx, name, (double)sm.anon_huge_kib, "KiB",
			  "the server's AnonHugePages (its smaps_rollup)");
	}
	snprintf(name, sizeof(name), "charged_kib_%s", suffix);
	if (!hb_memory_read(ctx, &mv) && mv.charged_ok)
		hb_metric(ctx, name, (double)mv.charged_kib, "KiB",
			  "memory cgroup of the cell: the server, its client and the harness's child");
	else
		hb_metric_text(ctx, name, "unavailable", "the cell has no memory cgroup");
	/* Redis refreshes used_memory_rss and the allocator_* figures in its cron, every
	 * 100 ms: two periods, so that they are of now. */
	nanosleep(&(struct timespec){ 0, 250 * 1000 * 1000 }, NULL);
	if (redis_cmd(s->conn, "INFO memory", s->info, sizeof(s->info)))
		return;
	if (!redis_info_num(s->info, "used_memory", &v)) {
		snprintf(name, sizeof(name), "used_memory_kib_%s", suffix);
		hb_metric(ctx, name, v / 1024, "KiB", "Redis INFO used_memory");
	}
	if (!redis_info_num(s->info, "used_memory_rss", &v)) {
		snprintf(name, sizeof(name), "used_memory_rss_kib_%s", suffix);
		hb_metric(ctx, name, v / 1024, "KiB", "Redis INFO used_memory_rss");
	}
	if (!redis_info_num(s->info, "mem_fragmentation_ratio", &v)) {
		snprintf(name, sizeof(name), "frag_ratio_%s", suffix);
		hb_metric(ctx, name, v, "", "Redis INFO mem_fragmentation_ratio: used_memory_rss / "
			  "used_memory");
	}
	redis_info_each(s->info, "allocator_", allocator_row, &a);
}

/* Deletes drain_pct of the keys, chosen at random, with pipelined DELs. */
static int drain(struct hb_ctx *ctx, struct redis_state *s, const struct redis_params *p,
		 uint64_t *ids)
{
	uint64_t n = p->keys * p->drain_pct / 100, left = p->keys, t0 = hb_now_ns();
	unsigned queued = 0;
	char err[400];
	int rc;

	for (uint64_t i = 0; i < p->keys; i++)
		ids[i] = i;
	hb_phase_begin(ctx, "drain");
	for (uint64_t i = 0; i < n; i++) {
		uint64_t j = below(s, left), id = ids[j];

		ids[j] = ids[--left];
		redis_make_key(s->key, id, p->key_size);
		if (redis_append_del(s->conn, s->key, p->key_size))
			return -ENOMEM;
		s->live_bytes -= p->key_size + s->vlen[id];
		s->vlen[id] = 0;
		s->nlive--;
		if (++queued == p->pipeline || i + 1 == n) {
			if ((rc = redis_flush(s->conn, queued, err, sizeof(err)))) {
				hb_fail_reason(ctx, err);
				return rc;
			}
			queued = 0;
			redis_gauges(ctx, s, p, 0);
		}
	}
	if (n)
		hb_metric(ctx, "ops_per_sec_drain", (double)n * 1e9 / (double)(hb_now_ns() - t0),
			  "ops/s", "pipelined DELs of random keys");
	hb_phase_end(ctx);
	return 0;
}

int redis_churn_run(struct hb_ctx *ctx, const struct redis_params *p, struct redis_state *s)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	uint64_t *ids = malloc(p->keys * sizeof(*ids)), t0;
	int rc;

	if (!ids)
		return -ENOMEM;
	redis_memory_rows(ctx, s, "full");
	rc = drain(ctx, s, p, ids);
	free(ids);
	if (rc)
		return rc;
	hb_phase_begin(ctx, "idle");
	for (t0 = hb_now_ns(); hb_now_ns() - t0 < p->idle;) {
		nanosleep(&tick, NULL);
		redis_gauges(ctx, s, p, 0);
	}
	redis_gauges(ctx, s, p, 1);
	hb_phase_end(ctx);
	redis_memory_rows(ctx, s, "after_drain");
	return 0;
}
