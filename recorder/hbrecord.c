/*
 * libhbrecord.so: the recorder `hugebench record` preloads (docs/record.md). It defines the
 * allocation entry points, forwards each call to the next definition (dlsym RTLD_NEXT: the
 * allocator the program really has) and logs it with a monotonic time, per thread, into
 * HB_RECORD_OUT in the format of harness/api/trace.h (docs/trace-format.md).
 *
 * Which process records: the one whose pid is HB_RECORD_PID (hugebench sets it to the pid that
 * execs the command). A fork's child and any program exec'd later see another pid and only
 * forward. Each fork is logged in the parent (HB_TR_FORK, the child's pid) and its end by the
 * child (HB_TR_FORK_END at exit, _exit or an exec through execve/execv/execvp), on a thread
 * number of its own so that no thread's records go out of order.
 *
 * mmap, munmap, mremap and madvise are logged only when the program itself calls them: the
 * caller's return address (dladdr) must lie outside the allocator's object (the one that
 * defines the malloc forwarded to), outside libc and outside this library, since the replay's
 * own allocator makes its own mappings again.
 *
 * Written: each thread's buffer (HB_TRACE_CHUNK_MAX records) goes out in one write(2) when it
 * is full, when the thread ends, at exit and _exit, and on SIGTERM/SIGINT while the program has
 * not installed its own handler (a program that has goes through exit, which flushes).
 * SIGKILL loses the buffers not yet written; the file stays readable up to its last whole
 * record. HB_RECORD_MAX (bytes, 0: none) stops recording, never the program, with a STOP
 * record and one line on stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hbrecord.h"

void (*r_free)(void *);
int (*r_posix_memalign)(void **, size_t, size_t);
size_t (*r_xallocx)(void *, size_t, size_t, int);
void (*r_sdallocx)(void *, size_t, int);
void (*r_dallocx)(void *, int);
size_t (*r_usable)(void *);
int (*r_munmap)(void *, size_t);
int (*r_madvise)(void *, size_t, int);
pid_t (*r_fork)(void);
void (*r_exit)(int) __attribute__((noreturn));
int (*r_execve)(const char *, char *const[], char *const[]);
int (*r_execv)(const char *, char *const[]);
int (*r_execvp)(const char *, char *const[]);

void *(*r_malloc)(size_t);
void *(*r_calloc)(size_t, size_t);
void *(*r_realloc)(void *, size_t);
void *(*r_aligned_alloc)(size_t, size_t);
void *(*r_memalign)(size_t, size_t);
void *(*r_valloc)(size_t);
void *(*r_pvalloc)(size_t);
void *(*r_mallocx)(size_t, int);
void *(*r_rallocx)(void *, size_t, int);
void *(*r_mmap)(void *, size_t, int, int, int, off_t);
void *(*r_mremap)(void *, size_t, size_t, int, ...);

/* dlsym may allocate (dlerror's buffer) before the real calloc is known: from here. */
static char boot[16384] __attribute__((aligned(64)));
static size_t boot_used;
size_t hbr_boot_left(const void *p)
{
	return (size_t)(boot + sizeof(boot) - (const char *)p);
}

int hbr_in_boot(const void *p)
{
	return (const char *)p >= boot && (const char *)p < boot + sizeof(boot);
}
void *hbr_boot_alloc(size_t n)
{
	size_t at = (boot_used + 15) & ~(size_t)15;

	if (at + n > sizeof(boot))
		return NULL;
	boot_used = at + n;
	return boot + at;
}

static int init_state; /* 0 not yet, 1 under way, 2 done */
__thread int hbr_in_init;
static __thread int in_rec;

/* Recording state. */
static int rec_fd = -1, recording, fork_child;
static uint16_t fork_tid;
static uint64_t start_mono, max_bytes, written;
static uintptr_t alloc_base, libc_base, self_base;
static uint16_t next_tid;

struct tbuf {
	int lock;
	uint16_t tid;
	uint32_t n;
	struct tbuf *next;
	struct hb_trace_rec r[1 + HB_TRACE_CHUNK_MAX]; /* r[0]: the chunk header */
};
static struct tbuf *all_bufs;
static int list_lock;
static __thread struct tbuf *my;
static __thread uint16_t ended_tid; /* the thread's number once its buffer went back */
static pthread_key_t buf_key;

static void spin_lock(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		sched_yield();
}
static void spin_unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_all(const void *p, size_t len)
{
	while (len) {
		ssize_t n = write(rec_fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p = (const char *)p + n;
		len -= (size_t)n;
	}
	return 0;
}

static void say(const char *msg)
{
	if (write(2, msg, strlen(msg)) < 0)
		return;
}

#define DROP_EVERY (8ull << 20)

/* Writes b's records as one chunk (b locked). Past the size limit: a STOP chunk instead,
 * and nothing more is recorded. */
static void flush_locked(struct tbuf *b)
{
	size_t bytes = (b->n + 1) * sizeof(b->r[0]);
	uint64_t total;
	int e = errno;

	if (!b->n || rec_fd < 0)
		return;
	b->r[0] = (struct hb_trace_rec){ .kind = HB_TR_CHUNK, .tid = b->tid, .aux = b->n };
	total = __atomic_add_fetch(&written, bytes, __ATOMIC_RELAXED);
	if (max_bytes && total + 2 * sizeof(b->r[0]) > max_bytes) {
		if (__atomic_exchange_n(&recording, 0, __ATOMIC_RELAXED)) {
			struct hb_trace_rec stop[2] = {
				{ .kind = HB_TR_CHUNK, .tid = b->tid, .aux = 1 },
				{ .kind = HB_TR_STOP, .tid = b->tid, .aux = 1,
				  .t_ns = mono_ns() - start_mono },
			};

			write_all(stop, sizeof(stop));
			say("hugebench record: the trace reached --max-size: recording stopped, "
			    "the program goes on\n");
		}
		b->n = 0;
		errno = e;
		return;
	}
	write_all(b->r, bytes);
	b->n = 0;
	/* The trace's page cache would be charged to the recorded process's memory cgroup, whose
	 * figures a recording is compared with: written back and dropped every DROP_EVERY. */
	if (total / DROP_EVERY != (total - bytes) / DROP_EVERY && total > 2 * DROP_EVERY) {
		off_t upto = (off_t)(total / DROP_EVERY - 1) * DROP_EVERY;

		sync_file_range(rec_fd, 0, upto, SYNC_FILE_RANGE_WAIT_BEFORE |
					 SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
		posix_fadvise(rec_fd, 0, upto, POSIX_FADV_DONTNEED);
	}
	errno = e;
}

/* A buffer's lock is 0 free to take, 1 taken, FREE_BUF: its thread ended (reused by the
 * next new thread, under list_lock). */
#define FREE_BUF 2

/* wait 0: from a signal handler, which may have interrupted a holder: skip what is held. */
static void flush_all(int wait)
{
	if (wait)
		spin_lock(&list_lock);
	else if (__atomic_exchange_n(&list_lock, 1, __ATOMIC_ACQUIRE))
		return;
	for (struct tbuf *b = all_bufs; b; b = b->next) {
		if (wait) {
			while (__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE) == 1)
				sched_yield();
		} else if (__atomic_exchange_n(&b->lock, 1, __ATOMIC_ACQUIRE) == 1) {
			continue;
		}
		if (b->tid) /* not a free one (its lock is set back to FREE_BUF) */
			flush_locked(b);
		__atomic_store_n(&b->lock, b->tid ? 0 : FREE_BUF, __ATOMIC_RELEASE);
	}
	spin_unlock(&list_lock);
}

static void thread_end(void *p)
{
	struct tbuf *b = p;

	spin_lock(&list_lock);
	spin_lock(&b->lock);
	flush_locked(b);
	my = NULL;
	ended_tid = b->tid;
	b->tid = 0;
	__atomic_store_n(&b->lock, FREE_BUF, __ATOMIC_RELEASE);
	spin_unlock(&list_lock);
}

static void append(struct tbuf *b, uint8_t kind, uint8_t flags, uint64_t ptr, uint64_t size,
		   uint64_t aux, uint32_t extra, uint64_t t)
{
	struct hb_trace_rec *r = &b->r[1 + b->n++];

	r->t_ns = t - start_mono;
	r->ptr = ptr;
	r->size = size;
	r->aux = aux;
	r->extra = extra;
	r->kind = kind;
	r->flags = flags;
	r->tid = b->tid;
	if (b->n == HB_TRACE_CHUNK_MAX)
		flush_locked(b);
}

static struct tbuf *tbuf_get(void)
{
	struct tbuf *b = NULL;

	spin_lock(&list_lock);
	for (struct tbuf *f = all_bufs; f; f = f->next)
		if (__atomic_load_n(&f->lock, __ATOMIC_RELAXED) == FREE_BUF) {
			b = f;
			b->lock = 0;
			break;
		}
	if (!b) {
		void *m = r_mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			spin_unlock(&list_lock);
			return NULL;
		}
		b = m;
		b->next = all_bufs;
		all_bufs = b;
	}
	b->tid = next_tid < UINT16_MAX ? ++next_tid : UINT16_MAX;
	b->n = 0;
	spin_unlock(&list_lock);
	my = b;
	pthread_setspecific(buf_key, b);
	spin_lock(&b->lock);
	append(b, HB_TR_THREAD, 0, 0, 0, (uint64_t)syscall(SYS_gettid), 0, mono_ns());
	spin_unlock(&b->lock);
	return b;
}

void hbr_rec(uint8_t kind, uint8_t flags, uint64_t ptr, uint64_t size, uint64_t aux,
		uint32_t extra, uint64_t t)
{
	struct tbuf *b;

	if (!__atomic_load_n(&recording, __ATOMIC_RELAXED) || in_rec)
		return;
	in_rec = 1;
	if (!my && ended_tid) {
		/* after its buffer went back (the thread's own exit frees): a chunk of one */
		struct hb_trace_rec one[2] = {
			{ .kind = HB_TR_CHUNK, .tid = ended_tid, .aux = 1 },
			{ .t_ns = (t ? t : mono_ns()) - start_mono, .ptr = ptr, .size = size,
			  .aux = aux, .extra = extra, .kind = kind, .flags = flags,
			  .tid = ended_tid },
		};

		__atomic_add_fetch(&written, sizeof(one), __ATOMIC_RELAXED);
		write_all(one, sizeof(one));
		in_rec = 0;
		return;
	}
	b = my ? my : tbuf_get();
	if (b) {
		spin_lock(&b->lock);
		if (__atomic_load_n(&recording, __ATOMIC_RELAXED))
			append(b, kind, flags, ptr, size, aux, extra, t ? t : mono_ns());
		spin_unlock(&b->lock);
	}
	in_rec = 0;
}

static void on_signal(int sig)
{
	flush_all(0);
	signal(sig, SIG_DFL);
	raise(sig);
}

static uintptr_t base_of(const void *addr)
{
	Dl_info di;

	return addr && dladdr(addr, &di) ? (uintptr_t)di.dli_fbase : 0;
}

/* The program's own call (not the allocator's, libc's or ours): see the top of the file. */
int hbr_program_call(const void *caller)
{
	uintptr_t b = base_of(caller);

	return b && b != alloc_base && b != libc_base && b != self_base;
}

static void write_header(void)
{
	char text[4096], cmd[2048] = "", alloc[512] = "unknown", mach[512] = "";
	struct hb_trace_header h = { .version = HB_TRACE_VERSION,
				     .rec_size = sizeof(struct hb_trace_rec),
				     .pid = (uint32_t)getpid() };
	struct utsname u;
	struct timespec rt;
	Dl_info di;
	size_t tl;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, cmd, sizeof(cmd) - 1) : -1;

	if (fd >= 0)
		close(fd);
	for (ssize_t i = 0; i < n; i++)
		if (!cmd[i] || cmd[i] == '\n')
			cmd[i] = i == n - 1 ? 0 : ' ';
	if (n > 0)
		cmd[n] = 0;
	if (dladdr((void *)r_malloc, &di) && di.dli_fname)
		snprintf(alloc, sizeof(alloc), "%s%s", di.dli_fname,
			 r_mallocx ? " (jemalloc entry points present)" : "");
	if (!uname(&u))
		snprintf(mach, sizeof(mach), "%s %s %s %s", u.nodename, u.sysname, u.release,
			 u.machine);
	tl = (size_t)snprintf(text, sizeof(text), "command=%s\nallocator=%s\nmachine=%s\n",
			      cmd, alloc, mach);
	if (tl >= sizeof(text))
		tl = sizeof(text) - 1;
	memcpy(h.magic, HB_TRACE_MAGIC, 8);
	h.hdr_len = (uint32_t)(sizeof(h) + tl);
	clock_gettime(CLOCK_REALTIME, &rt);
	h.start_realtime_ns = (uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec;
	h.start_mono_ns = start_mono;
	written = h.hdr_len;
	if (write_all(&h, sizeof(h)) || write_all(text, tl)) {
		close(rec_fd);
		rec_fd = -1;
	}
}

#define SYM(v, name) (v = (__typeof__(v))dlsym(RTLD_NEXT, name))

void hbr_init(void)
{
	const char *out, *pid, *max;

	if (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) == 2 || hbr_in_init)
		return;
	if (__atomic_exchange_n(&init_state, 1, __ATOMIC_ACQ_REL)) {
		while (__atomic_load_n(&init_state, __ATOMIC_ACQUIRE) != 2)
			sched_yield();
		return;
	}
	hbr_in_init = 1;
	SYM(r_malloc, "malloc");
	SYM(r_calloc, "calloc");
	SYM(r_realloc, "realloc");
	SYM(r_free, "free");
	SYM(r_posix_memalign, "posix_memalign");
	SYM(r_aligned_alloc, "aligned_alloc");
	SYM(r_memalign, "memalign");
	SYM(r_valloc, "valloc");
	SYM(r_pvalloc, "pvalloc");
	SYM(r_mallocx, "mallocx");
	SYM(r_rallocx, "rallocx");
	SYM(r_xallocx, "xallocx");
	SYM(r_sdallocx, "sdallocx");
	SYM(r_dallocx, "dallocx");
	SYM(r_usable, "malloc_usable_size");
	SYM(r_mmap, "mmap");
	SYM(r_munmap, "munmap");
	SYM(r_mremap, "mremap");
	SYM(r_madvise, "madvise");
	SYM(r_fork, "fork");
	SYM(r_exit, "_exit");
	SYM(r_execve, "execve");
	SYM(r_execv, "execv");
	SYM(r_execvp, "execvp");
	alloc_base = base_of((void *)r_malloc);
	libc_base = base_of((void *)r_fork);
	self_base = base_of((void *)hbr_init);
	out = getenv("HB_RECORD_OUT");
	pid = getenv("HB_RECORD_PID");
	max = getenv("HB_RECORD_MAX");
	if (out && *out && pid && atol(pid) == (long)getpid() &&
	    !pthread_key_create(&buf_key, thread_end)) {
		start_mono = mono_ns();
		max_bytes = max ? strtoull(max, NULL, 10) : 0;
		rec_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
		if (rec_fd >= 0)
			write_header();
		if (rec_fd >= 0) {
			static const int sigs[] = { SIGINT, SIGTERM };
			struct sigaction old;

			recording = 1;
			for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
				if (!sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_DFL)
					signal(sigs[i], on_signal);
		} else {
			say("hugebench record: cannot open HB_RECORD_OUT: not recording\n");
		}
	}
	hbr_in_init = 0;
	__atomic_store_n(&init_state, 2, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void ctor(void)
{
	hbr_init();
}

__attribute__((destructor)) void hbr_end(void)
{
	if (fork_child) {
		fork_child = 0;
		struct hb_trace_rec end[2] = {
			{ .kind = HB_TR_CHUNK, .tid = fork_tid, .aux = 1 },
			{ .kind = HB_TR_FORK_END, .tid = fork_tid, .aux = (uint64_t)getpid(),
			  .t_ns = mono_ns() - start_mono },
		};
		if (rec_fd >= 0)
			write_all(end, sizeof(end));
		return;
	}
	if (__atomic_load_n(&recording, __ATOMIC_RELAXED)) {
		flush_all(1);
		__atomic_store_n(&recording, 0, __ATOMIC_RELAXED);
	}
}

pid_t hbr_fork(void)
{
	uint16_t child_tid = 0;
	pid_t pid;

	hbr_init();
	if (!__atomic_load_n(&recording, __ATOMIC_RELAXED))
		return r_fork();
	/* Every buffer held across the fork, so that the child inherits none half-written;
	 * the child drops them all (the parent writes them). */
	spin_lock(&list_lock);
	child_tid = next_tid < UINT16_MAX ? ++next_tid : UINT16_MAX;
	for (struct tbuf *b = all_bufs; b; b = b->next)
		if (b->lock != FREE_BUF)
			spin_lock(&b->lock);
	pid = r_fork();
	for (struct tbuf *b = all_bufs; b; b = b->next) {
		if (!b->tid)
			continue;
		if (!pid)
			b->n = 0;
		spin_unlock(&b->lock);
	}
	spin_unlock(&list_lock);
	if (pid == 0) {
		recording = 0;
		fork_child = 1;
		fork_tid = child_tid;
	} else {
		hbr_rec(HB_TR_FORK, pid < 0 ? HB_TRF_FAILED : 0, 0, 0, pid < 0 ? 0 : (uint64_t)pid,
		    child_tid, 0);
	}
	return pid;
}

int hbr_fork_child(void)
{
	return fork_child;
}
