/*
 * Every machine-wide write hugebench makes (THP enabled/defrag, mTHP per-size enabled,
 * khugepaged settings, hugetlb nr_hugepages, the cells' memory cgroups) goes through here.
 * Before the first write to a knob its old value is saved, in memory and in a state file
 * (fsync'd), so that hb_knobs_restore puts everything back on every normal exit path, and
 * hb_knobs_recover at the next start puts it back after a harness crash or SIGKILL.
 *
 * Paths are given as on a real machine ("/sys/kernel/mm/..."); "root" is prefixed to them,
 * so tests run against a fake sysfs tree.
 */
#ifndef HB_KNOBS_H
#define HB_KNOBS_H
#include <limits.h>
#include <stddef.h>

#define HB_KNOBS_MAX 64

struct hb_knob_saved {
	char path[PATH_MAX]; /* as given, without root */
	char value[64];	     /* the value to write back; "" for a directory to remove */
	int is_dir;	     /* a cgroup directory we made: rmdir it */
};

struct hb_knobs {
	char root[PATH_MAX];	   /* "" for the real machine */
	char state_path[PATH_MAX]; /* the saved-state file */
	int state_fd;		   /* open and flock'ed while we hold saved state; -1 if none */
	int guard;		   /* fork a guardian (guardian.h) before the first save */
	int guard_fd;		   /* write end of the guardian's pipe; -1 if none */
	long guard_pid;
	unsigned n;
	struct hb_knob_saved saved[HB_KNOBS_MAX];
};

/* Default state file: $HUGEBENCH_STATE_DIR/knobs.state, else /run/hugebench/knobs.state when
 * /run is writable, else /var/tmp/hugebench/knobs.state. */
void hb_knobs_default_state_path(char *buf, size_t len);
/* The state file a root run uses: $HUGEBENCH_STATE_DIR/knobs.state, else
 * /run/hugebench/knobs.state (what a non-root command looks at to say what a crash left). */
void hb_knobs_root_state_path(char *buf, size_t len);
/* root: "" or a fake sysfs root; state_path: NULL for the default. */
void hb_knobs_init(struct hb_knobs *k, const char *root, const char *state_path);

/* Reads a knob. For "[a] b c" selection files gives the selected word; else the trimmed
 * content. Returns 0 or -errno. */
int hb_knob_read(const struct hb_knobs *k, const char *path, char *buf, size_t len);
/* Saves the old value (first time only), then writes value. Returns 0 or -errno (-EBUSY when
 * another live hugebench holds the state file). */
int hb_knob_set(struct hb_knobs *k, const char *path, const char *value);
/* For knobs whose old value does not put them back when written (cgroup v2
 * cgroup.subtree_control: "+memory" is undone by "-memory", not by the old list): saves undo
 * as the value to write back. */
int hb_knob_set_undo(struct hb_knobs *k, const char *path, const char *value, const char *undo);
/* Records a directory we just made (a cgroup) so that restore or recover removes it. */
int hb_knob_track_dir(struct hb_knobs *k, const char *path);
/* Writes every saved value back (newest first), removes tracked directories, deletes the
 * state file. Returns 0, or the first -errno (it still tries every knob). "report" (may be
 * NULL) gets a line per knob that could not be restored. */
int hb_knobs_restore(struct hb_knobs *k, char *report, size_t len);
/* At start: when a state file is left by a hugebench that is no longer running, restore what
 * it lists and describe it in "report". Returns 1 when something was restored, 0 when there
 * was nothing to do, -EBUSY when a live hugebench holds it, other -errno on failure. */
int hb_knobs_recover(struct hb_knobs *k, char *report, size_t len);

/* Reads a state file without taking it over, to say what a dead run left (a state file of
 * root's may be read by anyone; it is only described, never acted on). Returns 1 when a run
 * that is no longer alive left it (k->saved, *pid), 0 when there is none, -EBUSY when its run
 * is alive (*pid), other -errno when it cannot be read. */
int hb_knobs_peek(struct hb_knobs *k, long *pid);

/* Async-signal-safe: true when saved state is held (so a signal handler knows to flag it). */
static inline int hb_knobs_dirty(const struct hb_knobs *k)
{
	return k->n > 0;
}

#endif
