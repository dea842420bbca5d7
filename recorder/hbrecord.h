/* The recorder's parts (hbrecord.c: state, buffers, the trace; hbrecord_calls.c: the entry
 * points it defines). Everything is hidden (-fvisibility=hidden) but what EXPORT marks. */
#ifndef HB_RECORDER_H
#define HB_RECORDER_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace.h"

#define EXPORT __attribute__((visibility("default")))

/* The next definitions (dlsym RTLD_NEXT): the program's own allocator and libc. */
extern void (*r_free)(void *);
extern int (*r_posix_memalign)(void **, size_t, size_t);
extern size_t (*r_xallocx)(void *, size_t, size_t, int);
extern void (*r_sdallocx)(void *, size_t, int);
extern void (*r_dallocx)(void *, int);
extern size_t (*r_usable)(void *);
extern int (*r_munmap)(void *, size_t);
extern int (*r_madvise)(void *, size_t, int);
extern pid_t (*r_fork)(void);
extern void (*r_exit)(int) __attribute__((noreturn));
extern int (*r_execve)(const char *, char *const[], char *const[]);
extern int (*r_execv)(const char *, char *const[]);
extern int (*r_execvp)(const char *, char *const[]);

extern void *(*r_malloc)(size_t);
extern void *(*r_calloc)(size_t, size_t);
extern void *(*r_realloc)(void *, size_t);
extern void *(*r_aligned_alloc)(size_t, size_t);
extern void *(*r_memalign)(size_t, size_t);
extern void *(*r_valloc)(size_t);
extern void *(*r_pvalloc)(size_t);
extern void *(*r_mallocx)(size_t, int);
extern void *(*r_rallocx)(void *, size_t, int);
extern void *(*r_mmap)(void *, size_t, int, int, int, off_t);
extern void *(*r_mremap)(void *, size_t, size_t, int, ...);
/* dlsym may allocate before the real calloc is known: such blocks come from a static arena. */
void *hbr_boot_alloc(size_t n);
int hbr_in_boot(const void *p);
size_t hbr_boot_left(const void *p); /* bytes from p to the arena's end */
/* Resolves the next definitions and, in the recorded process, opens the trace; once. */
void hbr_init(void);
extern __thread int hbr_in_init;
/* Logs one call (t: its time, 0 for now). */
void hbr_rec(uint8_t kind, uint8_t flags, uint64_t ptr, uint64_t size, uint64_t aux,
	     uint32_t extra, uint64_t t);
/* The caller is the program itself, not its allocator, libc or the recorder. */
int hbr_program_call(const void *caller);
/* Everything written (the recorded process) or the fork's end (a forked child). */
void hbr_end(void);
pid_t hbr_fork(void);
int hbr_fork_child(void);

#endif
