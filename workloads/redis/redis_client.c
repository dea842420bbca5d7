/* The redis workload's client: hiredis, pipelined writes, and proving the server is ours. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctx.h"
#include "redis.h"
#include "server.h"

#ifdef HAVE_HIREDIS
#include <hiredis/hiredis.h>

struct redis_conn {
	redisContext *rc;
};

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The server has gone: why, with its last log lines. */
static int died(struct hb_server *s, const char *why, char *err, size_t len)
{
	char tail[400], line[400] = "";
	size_t used = 0;

	hb_server_log_tail(s, 2, tail, sizeof(tail));
	/* Each " | "-separated line without Redis's pid and time prefix. */
	for (char *save = NULL, *l = strtok_r(tail, "|", &save); l && used < sizeof(line);
	     l = strtok_r(NULL, "|", &save)) {
		while (*l == ' ')
			l++;
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
					 used ? " | " : "", redis_log_strip(l));
	}
	snprintf(err, len, "redis-server %s; its log: %s", why, line[0] ? line : "(empty)");
	return -ECHILD;
}

int redis_connect(struct redis_conn **out, int port, struct hb_server *s, char *err, size_t len)
{
	const struct timeval tv = { 1, 0 };
	char why[128], buf[256];

	*out = NULL;
	for (int tries = 0; tries < 500; tries++) {
		redisContext *rc;
		redisReply *r;
		double pid;

		if (!hb_server_running(s, why, sizeof(why)))
			return died(s, why, err, len);
		rc = redisConnectWithTimeout("127.0.0.1", port, tv);
		if (!rc || rc->err) {
			if (rc)
				redisFree(rc);
			nap_ms(20);
			continue;
		}
		redisSetTimeout(rc, tv);
		/* Something else may hold the port (taken after we probed it): the server that
		 * answers must be ours. */
		r = redisCommand(rc, "INFO server");
		if (r && r->type == REDIS_REPLY_STRING && !redis_info_num(r->str, "process_id", &pid) &&
		    (int)pid == hb_server_pid(s)) {
			freeReplyObject(r);
			redisSetTimeout(rc, (struct timeval){ 600, 0 });
			*out = malloc(sizeof(**out));
			if (!*out) {
				redisFree(rc);
				return -ENOMEM;
			}
			(*out)->rc = rc;
			return 0;
		}
		if (r)
			freeReplyObject(r);
		redisFree(rc);
		nap_ms(20);
	}
	if (!hb_server_running(s, why, sizeof(why)))
		return died(s, why, err, len);
	snprintf(buf, sizeof(buf), "did not answer as itself on 127.0.0.1:%d within 10 s", port);
	return died(s, buf, err, len);
}

void redis_close(struct redis_conn *c)
{
	if (!c)
		return;
	redisFree(c->rc);
	free(c);
}

int redis_append_set(struct redis_conn *c, const char *k, size_t kl, const char *v, size_t vl)
{
	return redisAppendCommand(c->rc, "SET %b %b", k, kl, v, vl) == REDIS_OK ? 0 : -EIO;
}

int redis_append_del(struct redis_conn *c, const char *k, size_t kl)
{
	return redisAppendCommand(c->rc, "DEL %b", k, kl) == REDIS_OK ? 0 : -EIO;
}

int redis_flush(struct redis_conn *c, unsigned n, char *err, size_t len)
{
	int rc = 0;

	for (unsigned i = 0; i < n; i++) {
		redisReply *r = NULL;

		if (redisGetReply(c->rc, (void **)&r) != REDIS_OK || !r) {
			snprintf(err, len, "no reply from redis-server: %s",
				 c->rc->err ? c->rc->errstr : "connection closed");
			return -EIO;
		}
		if (r->type == REDIS_REPLY_ERROR && !rc) {
			snprintf(err, len, "redis-server answered: %s", r->str);
			rc = -EIO;
		}
		freeReplyObject(r);
	}
	return rc;
}

int redis_set(struct redis_conn *c, const char *k, size_t kl, const char *v, size_t vl)
{
	redisReply *r = redisCommand(c->rc, "SET %b %b", k, kl, v, vl);
	int rc = r && r->type == REDIS_REPLY_STATUS ? 0 : -EIO;

	if (r)
		freeReplyObject(r);
	return rc;
}

int redis_cmd(struct redis_conn *c, const char *cmd, char *buf, size_t len)
{
	redisReply *r = redisCommand(c->rc, cmd);
	int rc = 0;

	if (!r) {
		if (buf)
			snprintf(buf, len, "no reply to %s: %s", cmd,
				 c->rc->err ? c->rc->errstr : "connection closed");
		return -EIO;
	}
	if (r->type == REDIS_REPLY_ERROR)
		rc = -EPROTO;
	if (buf && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
		    r->type == REDIS_REPLY_ERROR))
		snprintf(buf, len, "%s", r->str);
	else if (buf)
		buf[0] = 0;
	freeReplyObject(r);
	return rc;
}

#else /* !HAVE_HIREDIS: the workload's supported() says why; nothing here is reached. */

int redis_connect(struct redis_conn **c, int port, struct hb_server *s, char *err, size_t len)
{
	(void)port;
	(void)s;
	*c = NULL;
	snprintf(err, len, "built without hiredis");
	return -ENOSYS;
}

void redis_close(struct redis_conn *c)
{
	(void)c;
}

int redis_append_set(struct redis_conn *c, const char *k, size_t kl, const char *v, size_t vl)
{
	(void)c, (void)k, (void)kl, (void)v, (void)vl;
	return -ENOSYS;
}

int redis_append_del(struct redis_conn *c, const char *k, size_t kl)
{
	(void)c, (void)k, (void)kl;
	return -ENOSYS;
}

int redis_flush(struct redis_conn *c, unsigned n, char *err, size_t len)
{
	(void)c, (void)n;
	snprintf(err, len, "built without hiredis");
	return -ENOSYS;
}

int redis_set(struct redis_conn *c, const char *k, size_t kl, const char *v, size_t vl)
{
	(void)c, (void)k, (void)kl, (void)v, (void)vl;
	return -ENOSYS;
}

int redis_cmd(struct redis_conn *c, const char *cmd, char *buf, size_t len)
{
	(void)c, (void)cmd;
	if (buf)
		snprintf(buf, len, "built without hiredis");
	return -ENOSYS;
}

#endif
