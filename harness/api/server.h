/*
 * A server program a workload drives (a real database such as redis-server), started by the
 * harness for the cell: a child of the cell's child, so it sits in the cell's memory cgroup
 * and inherits the backing's process policy (4k: PR_SET_THP_DISABLE). The workload never
 * forks, execs or reads /proc itself; it asks for a free loopback port, starts the program
 * with it and talks to it over the socket.
 *
 * Nothing survives the cell: the server has PR_SET_PDEATHSIG(SIGKILL), runs in a temporary
 * directory of its own (/tmp/hugebench-<name>.XXXXXX, its stdout and stderr in <name>.log
 * there), and a janitor process (its own session, so neither Ctrl-C nor the harness's kill of
 * the cell's process group reaches it) holds a pipe from the cell's child: when the pipe reads
 * EOF, because the cell's child ended however it ended, the janitor kills the server and its
 * process group (its own forks, e.g. a BGSAVE child) and removes the directory.
 */
#ifndef HB_SERVER_H
#define HB_SERVER_H
#include <stddef.h>

#include "memtypes.h"

struct hb_ctx;
struct hb_server;

/* The argv element replaced by the server's temporary directory. */
#define HB_SERVER_DIR_ARG "{dir}"

/* A TCP port on 127.0.0.1 that was free just now (bound and closed again): 0 or -errno. */
int hb_server_free_port(int *port);
/* The full path of program (searched in PATH unless it holds a '/') into path: 0, or -ENOENT. */
int hb_server_find(const char *program, char *path, size_t len);
/*
 * Starts argv (argv[0] searched in PATH; every element equal to HB_SERVER_DIR_ARG replaced by
 * the temporary directory) in a new directory /tmp/hugebench-<name>.XXXXXX, its working
 * directory. 0 once the program was exec'd (it may still fail at start-up: see
 * hb_server_running and hb_server_log_tail), or -errno with err saying what failed (the exec
 * error included). At most 4 servers per cell; the harness stops any the workload leaves.
 */
int hb_server_start(struct hb_ctx *ctx, const char *name, const char *const *argv,
		    struct hb_server **s, char *err, size_t len);
/* The next hb_server_start runs the program under `hugebench record`'s recorder
 * (libhbrecord.so preloaded), its allocations traced into trace (a path the server can write;
 * made absolute here). 0, or -ENOENT (no recorder built) / -ENAMETOOLONG with err saying so. */
int hb_server_record(struct hb_ctx *ctx, const char *trace, char *err, size_t len);
int hb_server_pid(const struct hb_server *s);
const char *hb_server_dir(const struct hb_server *s);
/* 1 while the server runs; 0 once it has exited (then reaped, and why into why). */
int hb_server_running(struct hb_server *s, char *why, size_t len);
/* The server process's smaps_rollup (Rss, AnonHugePages, Private_Dirty ...): 0 or -errno. */
int hb_server_smaps(struct hb_server *s, struct hb_smaps *sm);
/* The last lines of its log (at most max_lines, joined with " | "), for a failure's note. */
void hb_server_log_tail(struct hb_server *s, unsigned max_lines, char *buf, size_t len);
/* SIGTERM, up to 5 s for it to exit, then SIGKILL (its process group too), reaped; the
 * directory removed and the janitor let go. 0, or -EIO when it had already died or did not
 * exit on SIGTERM. s is freed. */
int hb_server_stop(struct hb_ctx *ctx, struct hb_server *s);

#endif
