/*
 * Commands a workload runs for the cell (a setup step, a load generator, a program under
 * test), and what the cell's process tree holds: for the `command` workload, which measures
 * a program that does not use hugebench's mapper. As with servers (server.h), the workload
 * never forks, execs or reads /proc itself.
 *
 * A command is "/bin/sh -c LINE", a child of the cell's child: in the cell's memory cgroup,
 * with the backing's process policy (4k: PR_SET_THP_DISABLE, kept across fork and exec), in
 * its own process group (killed whole when the command ends, at its deadline, or when the
 * cell's child dies: PR_SET_PDEATHSIG).
 */
#ifndef HB_COMMAND_H
#define HB_COMMAND_H
#include <stddef.h>
#include <stdint.h>

#include "memtypes.h"

struct hb_ctx;
struct hb_server;

/* The output kept of a command: its last HB_COMMAND_OUT_MAX bytes of stdout. */
#define HB_COMMAND_OUT_MAX (1u << 20)

struct hb_command_result {
	int status;		 /* the wait status (WIFEXITED ...) */
	int timed_out;		 /* killed at the deadline */
	uint64_t wall_ns;	 /* from fork to its exit */
	uint64_t minflt, majflt; /* page faults of the command and the descendants it waited for */
	char *out;		 /* stdout, NUL-terminated (malloc'd: hb_command_result_free) */
	size_t out_len;
	char err_tail[1024]; /* the last lines of its stderr, joined with " | " */
};

/* Called while a command runs, every tick_ns. */
typedef void (*hb_command_tick)(struct hb_ctx *ctx, void *arg);

/*
 * Runs "/bin/sh -c line" in dir with env (NAME=VALUE strings, NULL-terminated; NULL: none)
 * added to the environment, until it exits or timeout_ns passed (0: no deadline of its own;
 * the cell's bound still holds); tick (may be NULL) is called every tick_ns meanwhile. 0 once
 * it ran, whatever its status (in r), or -errno when it could not start, with err.
 */
int hb_command_run(struct hb_ctx *ctx, const char *line, const char *dir, const char *const *env,
		   uint64_t timeout_ns, hb_command_tick tick, void *arg, uint64_t tick_ns,
		   struct hb_command_result *r, char *err, size_t len);
void hb_command_result_free(struct hb_command_result *r);

/*
 * A temporary directory for the cell, /tmp/hugebench-<name>.XXXXXX (mode 0755), into dir:
 * removed when the cell's child ends, however it ends (a janitor, as for servers). It takes
 * one of the cell's server slots. 0 or -errno with err.
 */
int hb_workdir_make(struct hb_ctx *ctx, const char *name, char *dir, size_t len, char *err,
		    size_t errlen);

/*
 * Until a server is ready: a TCP connect to 127.0.0.1:port succeeds (port > 0) and text
 * appears in its log (text non-empty), both when both are asked, at most timeout_ns. 0,
 * -ETIMEDOUT, or -ESRCH when the server exited first; err says which, with its log's tail.
 */
int hb_server_wait_ready(struct hb_server *s, int port, const char *text, uint64_t timeout_ns,
			 char *err, size_t len);

/* What the cell's processes besides its own child hold now: every process of the cell's
 * memory cgroup (without a cgroup: the servers and the running command). Figures are summed
 * over processes, so a page several of them map counts once per process. */
struct hb_tree_mem {
	unsigned procs;		 /* read */
	unsigned unread;	 /* gone while read, or unreadable */
	uint64_t rss_kib;	 /* sum of Rss (no hugetlb in it) */
	uint64_t hugetlb_kib;	 /* sum of Private_Hugetlb + Shared_Hugetlb */
	uint64_t anon_huge_kib;	 /* sum of AnonHugePages + ShmemPmdMapped + FilePmdMapped */
	uint64_t max_hugetlb_kib; /* the largest hugetlb of one process: counted once */
	int folios;		 /* 1: f is from pagemap + kpageflags of every process read */
	struct hb_folio_view f;	 /* summed per folio order */
	char why[200];		 /* folios 0: why not */
};
/* folios 0: smaps_rollup only (cheap, for a series). 0 or -errno. */
int hb_tree_read(struct hb_ctx *ctx, int folios, struct hb_tree_mem *m);

/* The backing's name ("4k", "thp", "hugetlb-2m", ...). */
const char *hb_backing_name(const struct hb_ctx *ctx);

#endif
