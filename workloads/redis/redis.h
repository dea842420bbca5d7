/* The redis workload's private parts: its parameters and state (redis.c), the INFO parser
 * (redis_info.c), the hiredis client (redis_client.c) and the two scenarios (redis_fork.c,
 * redis_churn.c). */
#ifndef HB_REDIS_H
#define HB_REDIS_H
#include <stddef.h>
#include <stdint.h>

#include "histogram.h"
#include "twins.h"
#include "units.h" /* struct hb_value_dist: the value_size syntax */

struct hb_ctx;
struct hb_server;

enum { REDIS_FORK, REDIS_CHURN }; /* order of the scenario choices */

struct redis_params {
	int scenario;
	uint64_t keys, key_size;
	const char *value_size;
	uint64_t pipeline;
	uint64_t write_rate, phase_time; /* fork */
	uint64_t drain_pct, idle;	 /* churn */
	uint64_t sample;
	uint64_t port;
	const char *server_args;
	const char *record; /* a trace file: the server runs under hugebench record's recorder */
};

/* ---- the INFO text ("field:value\r\n" lines, "# Section" headers) ---- */

/* A numeric field: 0, -ENOENT (no such field), -EINVAL (not a number). */
int redis_info_num(const char *info, const char *field, double *v);
/* A field as text into buf: 0 or -ENOENT. */
int redis_info_str(const char *info, const char *field, char *buf, size_t len);
/* fn for every numeric field whose name starts with prefix, in order; returns how many. */
unsigned redis_info_each(const char *info, const char *prefix,
			 void (*fn)(void *arg, const char *name, double v), void *arg);
/* A Redis log line without its "pid:R dd Mon yyyy hh:mm:ss.mmm " prefix. */
const char *redis_log_strip(const char *line);

/* ---- the client ---- */

struct redis_conn;
/* Connects to 127.0.0.1:port and proves it reaches s (INFO's process_id is its pid), retrying
 * while the server starts. 0, or -errno with err (the server's log lines when it died). */
int redis_connect(struct redis_conn **c, int port, struct hb_server *s, char *err, size_t len);
void redis_close(struct redis_conn *c);
/* Queued commands, sent on redis_flush, which reads n replies: 0 or -EIO with err. */
int redis_append_set(struct redis_conn *c, const char *k, size_t kl, const char *v, size_t vl);
int redis_append_del(struct redis_conn *c, const char *k, size_t kl);
int redis_flush(struct redis_conn *c, unsigned n, char *err, size_t len);
/* One SET, sent and answered: 0 or -EIO. */
int redis_set(struct redis_conn *c, const char *k, size_t kl, const char *v, size_t vl);
/* A command without arguments ("BGSAVE", "INFO"); its reply (status, bulk or error text)
 * into buf. 0, -EIO (no reply), -EPROTO (an error reply, in buf). */
int redis_cmd(struct redis_conn *c, const char *cmd, char *buf, size_t len);

/* ---- the cell's state, shared by both scenarios ---- */

#define REDIS_INFO_MAX (64 * 1024)

struct redis_state {
	struct hb_server *server;
	struct redis_conn *conn;
	struct hb_value_dist dist;
	uint64_t rng, live_bytes, nlive, last_gauge;
	uint32_t *vlen;	 /* value length per key id (0: deleted) */
	char *values;	 /* random bytes values are cut from */
	char key[520];
	char info[REDIS_INFO_MAX];
	struct hb_hist hist[3];
	double fork_empty_us, rss_empty; /* fork: the empty server's BGSAVE (bytes) */
	/* fork: the empty server's smaps_rollup at that BGSAVE (KiB; resident counts hugetlb) */
	uint64_t resident_empty_kib, huge_empty_kib;
	int smaps_empty_ok;
};

void redis_make_key(char *k, uint64_t id, size_t klen);
uint32_t redis_value_len(struct redis_state *s);
/* INFO into s->info: 0 or -EIO (with the cell's failure reason set). */
int redis_info(struct hb_ctx *ctx, struct redis_state *s);
/* The series' gauges now (INFO memory, the server's smaps), at most every sample ns. */
void redis_gauges(struct hb_ctx *ctx, struct redis_state *s, const struct redis_params *p,
		  int force);
/* Loads every key with pipelined SETs, in phase "fill". */
int redis_fill(struct hb_ctx *ctx, struct redis_state *s, const struct redis_params *p);
/* Both memory views and Redis's own figures now, as <name>_<suffix> rows. */
void redis_memory_rows(struct hb_ctx *ctx, struct redis_state *s, const char *suffix);

/* fork, before the fill: a BGSAVE of the empty server, its fork and Rss kept in s (the part
 * of a fork that does not grow with the dataset). 0 or -EIO with the cell's reason set. */
int redis_fork_empty(struct hb_ctx *ctx, struct redis_state *s);
int redis_fork_run(struct hb_ctx *ctx, const struct redis_params *p, struct redis_state *s);
int redis_churn_run(struct hb_ctx *ctx, const struct redis_params *p, struct redis_state *s);

/* Its simulator twins, for calibrate (redis_twins.c). */
extern const struct hb_twin hb_redis_twins[];

#endif
