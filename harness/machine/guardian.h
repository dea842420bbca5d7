/*
 * What keeps a machine as it was found while a run holds it:
 *  - the guardian: a small process forked before a run's first knob write, holding the read
 *    end of a pipe whose write end only the harness holds. When the harness dies, however it
 *    dies, the pipe reads EOF and the guardian restores from the state file (knobs.h), kills
 *    what is left in the cells' cgroups, removes them, and exits;
 *  - the run lock: one run at a time per state directory, taken at the start of a run, with
 *    the holder's pid in the file, so a second run refuses naming it (or waits for it).
 */
#ifndef HB_GUARDIAN_H
#define HB_GUARDIAN_H
#include <stddef.h>

struct hb_knobs;

/* Forks the guardian of k (its root and state path). Returns 0 or -errno. The pipe's write
 * end is O_CLOEXEC and closed in every child forked later (pthread_atfork), so no child of
 * the harness keeps the guardian waiting. */
int hb_guardian_start(struct hb_knobs *k);
/* The saved state's lock fd (or -1): closed in every child forked while it is held, so that
 * only the harness holds the lock and its death frees it at once. */
void hb_guardian_child_closes(int fd);
/* After the harness restored: tells the guardian it is done and reaps it. */
void hb_guardian_stop(struct hb_knobs *k);

/* The run lock beside the state file: "<dir of state_path>/run.lock". Returns the fd (>= 0)
 * or -EBUSY with the holder's pid in *holder (0 when unknown) when wait is 0 and another run
 * holds it; with wait it blocks until the holder is done (saying so on stderr). */
int hb_run_lock_take(const char *state_path, int wait, long *holder, char *path, size_t len);
void hb_run_lock_release(int fd);

#endif
