/*
 * The fragmenter: ages the machine for one cell (a parameter row with .role = &hb_role_age,
 * "-p age=SHARE") and gives everything back after it. It runs in the harness parent, never in
 * the workload, because it changes the machine.
 *
 * What it leaves: free memory of floor = the cell's need + HB_FRAG_RESERVE, of which SHARE sits
 * in scattered 4 KiB holes (no 2 MiB block can be made of them without compaction) and the rest
 * in whatever blocks were left, so the order-9 index after aging is about SHARE (measured here:
 * age=0.5 -> 0.37-0.49, age=0.25 -> 0.51 with old fragments). age=1: all of it scattered.
 * How (DESIGN.md fact 10), with S = SHARE x floor:
 *   1. a hugetlb 2 MiB pool grown as a plug (never touched, so the host does not fault it in;
 *      written only through the knobs module, so a crash is put back at the next start);
 *   2. a filler process (forked by the harness, PR_SET_PDEATHSIG SIGKILL, its own process
 *      group, not in the cell's cgroup) maps 2 x S in 4 KiB pages (MADV_NOHUGEPAGE), touches it
 *      all (its first pages fill the small free blocks the machine already had), then frees
 *      every other page (MADV_DONTNEED): S of holes whose buddies are held. It says it is ready
 *      over a socket and holds its pages until the harness closes it (or kills it);
 *   3. the 2 MiB blocks still free beyond floor - S are plugged too; if others (or MemAvailable's
 *      own accounting) left less than the floor, the plug gives that back.
 * During the fill free memory dips to max(HB_FRAG_RESERVE, floor - S), never lower; S is cut
 * to fit. When MemAvailable is below the floor (+ 2 MiB) the cell is refused (-ENOMEM, with
 * the figures; free memory is hb_frag_mem_free()). Cost: the filler's first touch, ~8 us per 4 KiB page here (DESIGN.md fact 5):
 * about 5 s per GiB of S (S = 3.5 GiB aged in 17-20 s).
 */
#ifndef HB_FRAGMENTER_H
#define HB_FRAGMENTER_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct hb_knobs;
struct hb_param;

#define HB_FRAG_RESERVE ((uint64_t)1 << 30) /* free memory left beyond the cell's need */
#define HB_FRAG_POOL "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define HB_FRAG_TEXT 4096 /* bytes kept of each /proc/buddyinfo reading */

struct hb_frag {
	/* Set by hb_frag_age; read by the caller for its rows. */
	double share;
	uint64_t need;		/* bytes the cell needs */
	uint64_t avail_before;	/* hb_frag_mem_free() before, bytes */
	uint64_t pool_before;	/* nr_hugepages before the plug */
	uint64_t plug_pages;	/* 2 MiB pages the plug got (read back) */
	uint64_t filler_kib;	/* what the filler holds after freeing every other page */
	uint64_t age_ns;	/* time aging took */
	double index_before, index_aged, index_after; /* order 9; -1 until read */
	char text_before[HB_FRAG_TEXT], text_aged[HB_FRAG_TEXT], text_after[HB_FRAG_TEXT];
	/* Private. */
	struct hb_knobs *knobs;
	int plugged;		/* the pool knob was written */
	pid_t filler;		/* 0: none */
	int fd;			/* our end of the filler's pipe, open while filler > 0 */
};

/* The order-9 index of the machine now (-1 when /proc/buddyinfo cannot be read), text (may be
 * NULL) gets the file. */
double hb_frag_index_now(char *text, size_t len);

/* Free memory as the fragmenter counts it: MemAvailable plus the pages on the per-CPU free
 * lists (/proc/zoneinfo "count:"), which MemAvailable leaves out; with the kernel's pcp
 * auto-tuning (6.7+) freed pages wait there by the GiB (~1 GiB here after a filler exits,
 * drained at ~10 MiB/s), so MemAvailable alone swings by that much. */
uint64_t hb_frag_mem_free(void);

/* The age a cell asks for: the value of its table's age row (hb_role_age); 0 (fresh) without
 * one. */
double hb_frag_param_share(const struct hb_param *table, const void *params);

/* Can a cell needing need bytes be aged at share with mem_available bytes available? 0, or
 * -ENOMEM with why giving MemAvailable, the need and the reserve. */
int hb_frag_check(double share, uint64_t need, uint64_t mem_available, char *why, size_t len);

/*
 * Ages the machine (share in (0, 1]) for a cell needing need bytes; the pool knob is
 * HB_FRAG_POOL under the knobs module's root. stop (may be NULL) is checked between steps and
 * while the filler fills (every 20 ms, and the filler reports every 16 MiB): when set, aging
 * stops, releases what it made and returns -EINTR. On any failure everything made is released
 * before returning. Returns 0, -ENOMEM (why: the figures), -ENOENT (no pool knob), -EPERM, or
 * -errno; why says what went wrong.
 */
int hb_frag_age(struct hb_frag *f, struct hb_knobs *k, double share, uint64_t need,
		volatile sig_atomic_t *stop, char *why, size_t len);
/* Records the index after the cell (index_after, text_after), before hb_frag_release. */
void hb_frag_after(struct hb_frag *f);
/* Kills the filler and waits for it, puts the pool back to pool_before. Safe to call twice
 * and on a struct hb_frag_age never touched (zeroed). Returns 0 or the first -errno. */
int hb_frag_release(struct hb_frag *f);

#endif
