/*
 * The charged view of memory: a memory cgroup the harness makes for each cell's child under
 * the harness's own cgroup. It sees THPs parked on the deferred-split queue that no process
 * Rss shows. Both cgroup v2 (memory.current) and v1 (memory.usage_in_bytes) are handled.
 * hugetlb pages are not charged to it (they come from the reserved pool).
 */
#ifndef HB_CGROUP_H
#define HB_CGROUP_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hb_knobs;

struct hb_cgroup_self {
	int version;		/* 1 or 2; 0 when no memory controller was found */
	char mount[PATH_MAX];	/* e.g. /sys/fs/cgroup/memory (v1) or /sys/fs/cgroup (v2) */
	char rel[PATH_MAX];	/* our cgroup inside it, e.g. /process_api/abc */
	char dir[PATH_MAX];	/* mount + rel */
};

struct hb_cgroup {
	int version;
	char dir[PATH_MAX]; /* the cell's cgroup directory; "" when none */
	uint64_t ceiling;   /* the cell's own limit (bytes) set by the harness; 0: none */
};

/* Finds the memory controller and our own cgroup from /proc/self/cgroup and mountinfo.
 * "proc_root" is "" normally (tests may pass a fake root). Returns 0 or -errno with why. */
int hb_cgroup_self(struct hb_cgroup_self *self, const char *proc_root, char *why, size_t len);
/* The same for process pid (0: ourselves), its cgroup's path as our mounts show it;
 * -ENOENT when the process is gone or has no memory cgroup, with why. */
int hb_cgroup_of(struct hb_cgroup_self *self, const char *proc_root, int pid, char *why,
		 size_t len);
/* Makes <our cgroup>/<name> (tracked in knobs, so every exit path removes it). On v2 the
 * memory controller must be enabled in our cgroup's subtree_control: when it is not and
 * cannot be without moving processes, fails with the reason. */
int hb_cgroup_create(struct hb_cgroup *cg, struct hb_knobs *k, const char *name, char *why,
		     size_t len);
/* Moves pid into the cgroup. */
int hb_cgroup_attach(const struct hb_cgroup *cg, pid_t pid);
/* Bytes charged now, in KiB. */
int hb_cgroup_charged_kib(const struct hb_cgroup *cg, uint64_t *kib);
/* A workload's memory limit (bytes), never above the cell's ceiling: a larger one is the
 * ceiling, and 0 puts the ceiling back (no limit when there is none). */
int hb_cgroup_set_limit(const struct hb_cgroup *cg, uint64_t bytes);
/* The harness's bound of the cell (bytes, > 0), before any task is in it: the memory limit
 * and, on v1 with swap accounting, memory.memsw.limit_in_bytes too (so that the cell is
 * OOM-killed at it rather than swapped out). Sets cg->ceiling. */
int hb_cgroup_set_ceiling(struct hb_cgroup *cg, uint64_t bytes);
/* The limit in force now (bytes); 0 when there is none. */
int hb_cgroup_limit(const struct hb_cgroup *cg, uint64_t *bytes);
/* SIGKILL to every task in the cgroup (v2 cgroup.kill where the kernel has it, else each pid
 * of cgroup.procs). Returns how many were signalled, or -errno. */
int hb_cgroup_kill(const struct hb_cgroup *cg);
/* OOM kills and limit hits so far (v2 memory.events oom_kill/max; v1 oom_control oom_kill
 * and memory.failcnt). Either may be left untouched when the kernel lacks it. */
int hb_cgroup_events(const struct hb_cgroup *cg, uint64_t *oom_kills, uint64_t *failcnt);
/* Removes the directory (the child must have exited) and drops it from knobs. */
int hb_cgroup_destroy(struct hb_cgroup *cg, struct hb_knobs *k);

#endif
