/*
 * What `hugebench inspect` reads about a process beside its pages (procmem.h): the THP
 * settings in force, its memory cgroup's charge and memory.stat THP lines, which malloc it has
 * and that malloc's settings from its environment. All read only.
 */
#ifndef HB_PROCINFO_H
#define HB_PROCINFO_H
#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* The name of THP's defrag knob as the reports print it (the file in HB_THP_DIR). */
#define HB_THP_DEFRAG_KNOB "defrag"

/* The system's THP settings ("" where this kernel has no such file). */
struct hb_thp_settings {
	char enabled[16], defrag[24], shmem_enabled[16];
	char max_ptes_none[16];	   /* khugepaged/max_ptes_none */
	char shrink_underused[16]; /* the THP shrinker's switch (Linux 6.12+) */
	unsigned nsizes;
	struct {
		unsigned kib;
		char enabled[16]; /* always, inherit, madvise, never */
	} size[16];		  /* hugepages-<N>kB, smallest first */
};
void hb_thp_settings_read(struct hb_thp_settings *t);
/* The word in brackets of a sysfs choice file ("always [madvise] never" -> "madvise"). */
void hb_sysfs_choice(const char *text, char *out, size_t len);

/* A memory cgroup as a process's /proc/PID/cgroup names it, and what it is charged. */
struct hb_cg_info {
	int version; /* 1, 2; 0: none found (why) */
	char dir[PATH_MAX];
	int have_charged;
	uint64_t charged_kib;
	int have_file;
	uint64_t file_kib;	/* page cache charged to it (v2 file, v1 total_cache) */
	unsigned nstat;		/* memory.stat's THP lines */
	struct {
		char name[32];
		uint64_t value; /* as memory.stat gives it (bytes or a count) */
	} stat[12];
	char why[256];
};
/* The memory cgroup of pid; 0, or -errno with why (-ENOENT: gone or none). */
int hb_cg_info_of_pid(int pid, struct hb_cg_info *cg);
/* The charge and memory.stat of directory dir (version 1 or 2). */
int hb_cg_info_read(struct hb_cg_info *cg);
/* Whether dir is a cgroup directory (has cgroup.procs); its version by its mount. 0 or
 * -errno. pids: the processes in it (malloc'd, *n of them). */
int hb_cg_procs(const char *dir, int **pids, size_t *n);
/* A --cgroup argument to a directory: an existing cgroup directory, or a path under the memory
 * controller's mount ("/system.slice/redis.service"). 0, or -ENOENT with why. */
int hb_cg_resolve(const char *arg, struct hb_cg_info *cg);

struct hb_proc_alloc {
	char name[16];	     /* glibc, jemalloc, tcmalloc, mimalloc, musl, unknown */
	char how[PATH_MAX];  /* "mapped: /usr/lib/.../libjemalloc.so.2", "static in EXE" */
	unsigned nenv;
	char env[12][256];   /* "MALLOC_CONF=thp:never": the settings found in its environment */
	char env_why[128];   /* the environment could not be read: why */
	char malloc_conf_link[256]; /* jemalloc's /etc/malloc.conf symlink target; "" none */
};
/* Which malloc pid has: a mapped allocator library, else one recognised in its executable,
 * else the C library's. 0, or -errno when its maps cannot be read (gone: -ENOENT/-ESRCH). */
int hb_proc_alloc_read(int pid, struct hb_proc_alloc *a);
/* The same from captured files (tests): maps, environ (NULL: none), exe (NULL: none). */
int hb_proc_alloc_read_files(const char *maps, const char *environ, const char *exe,
			     struct hb_proc_alloc *a);

#endif
