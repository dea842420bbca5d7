/*
 * The entry points libhbrecord.so defines (recorder/hbrecord.c says what it records and how):
 * each forwards to the next definition and logs the call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hbrecord.h"

/* Forwards before hbr_init is done (dlsym's own allocations) come from the boot arena. */
#define READY() (hbr_init(), !hbr_in_init && r_malloc)

EXPORT void *malloc(size_t n)
{
	void *p;

	if (!READY())
		return hbr_boot_alloc(n);
	p = r_malloc(n);
	hbr_rec(HB_TR_MALLOC, p ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, 0, 0, 0);
	return p;
}

EXPORT void *calloc(size_t k, size_t n)
{
	void *p;

	if (!READY()) {
		p = k && n > SIZE_MAX / k ? NULL : hbr_boot_alloc(k * n);
		if (p)
			memset(p, 0, k * n);
		return p;
	}
	p = r_calloc(k, n);
	hbr_rec(HB_TR_CALLOC, p ? 0 : HB_TRF_FAILED, (uintptr_t)p,
	    k && n > SIZE_MAX / k ? SIZE_MAX : k * n, k, 0, 0);
	return p;
}

EXPORT void *realloc(void *old, size_t n)
{
	void *p;

	if (!READY() || hbr_in_boot(old)) {
		if (!old)
			return hbr_boot_alloc(n);
		if (!READY())
			return NULL;
		p = r_malloc(n);
		if (p)
			memcpy(p, old, n < hbr_boot_left(old) ? n : hbr_boot_left(old));
		hbr_rec(HB_TR_MALLOC, p ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, 0, 0, 0);
		return p;
	}
	p = r_realloc(old, n);
	hbr_rec(HB_TR_REALLOC, p || !n ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, (uintptr_t)old, 0, 0);
	return p;
}

EXPORT void *reallocarray(void *old, size_t k, size_t n)
{
	if (k && n > SIZE_MAX / k) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, k * n);
}

EXPORT void free(void *p)
{
	if (hbr_in_boot(p))
		return;
	if (!READY())
		return;
	hbr_rec(HB_TR_FREE, 0, (uintptr_t)p, 0, 0, 0, 0);
	r_free(p);
}

EXPORT void cfree(void *p)
{
	free(p);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	int rc;

	if (!READY())
		return ENOMEM;
	rc = r_posix_memalign(out, align, n);
	hbr_rec(HB_TR_POSIX_MEMALIGN, rc ? HB_TRF_FAILED : 0, rc ? 0 : (uintptr_t)*out, n, align, 0,
	    0);
	return rc;
}

#define ALIGNED(name, kind, real)                                                     \
	EXPORT void *name(size_t align, size_t n)                                      \
	{                                                                               \
		void *p;                                                                \
		if (!READY())                                                           \
			return NULL;                                                    \
		p = real(align, n);                                                     \
		hbr_rec(kind, p ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, align, 0, 0);          \
		return p;                                                               \
	}
ALIGNED(aligned_alloc, HB_TR_ALIGNED_ALLOC, r_aligned_alloc)
ALIGNED(memalign, HB_TR_MEMALIGN, r_memalign)

EXPORT void *valloc(size_t n)
{
	void *p;

	if (!READY())
		return NULL;
	p = r_valloc(n);
	hbr_rec(HB_TR_VALLOC, p ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, 0, 0, 0);
	return p;
}

EXPORT void *pvalloc(size_t n)
{
	void *p;

	if (!READY())
		return NULL;
	p = r_pvalloc(n);
	hbr_rec(HB_TR_PVALLOC, p ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, 0, 0, 0);
	return p;
}

EXPORT void *mallocx(size_t n, int flags)
{
	void *p;

	if (!READY() || !r_mallocx)
		return NULL;
	p = r_mallocx(n, flags);
	hbr_rec(HB_TR_MALLOCX, p ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, (uint32_t)flags, 0, 0);
	return p;
}

EXPORT void *rallocx(void *old, size_t n, int flags)
{
	void *p;

	if (!READY() || !r_rallocx)
		return NULL;
	p = r_rallocx(old, n, flags);
	hbr_rec(HB_TR_RALLOCX, p ? 0 : HB_TRF_FAILED, (uintptr_t)p, n, (uintptr_t)old,
	    (uint32_t)flags, 0);
	return p;
}

EXPORT size_t xallocx(void *p, size_t n, size_t extra, int flags)
{
	size_t got;

	if (!READY() || !r_xallocx)
		return 0;
	got = r_xallocx(p, n, extra, flags);
	hbr_rec(HB_TR_XALLOCX, 0, (uintptr_t)p, got, n, (uint32_t)flags, 0);
	return got;
}

EXPORT void sdallocx(void *p, size_t n, int flags)
{
	if (!READY() || !r_sdallocx)
		return;
	hbr_rec(HB_TR_SDALLOCX, 0, (uintptr_t)p, n, (uint32_t)flags, 0, 0);
	r_sdallocx(p, n, flags);
}

EXPORT void dallocx(void *p, int flags)
{
	if (!READY() || !r_dallocx)
		return;
	hbr_rec(HB_TR_DALLOCX, 0, (uintptr_t)p, 0, (uint32_t)flags, 0, 0);
	r_dallocx(p, flags);
}

EXPORT size_t malloc_usable_size(void *p)
{
	size_t n;

	if (hbr_in_boot(p) || !READY() || !r_usable)
		return 0;
	n = r_usable(p);
	hbr_rec(HB_TR_USABLE_SIZE, 0, (uintptr_t)p, n, 0, 0, 0);
	return n;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p;

	if (!r_mmap) /* before hbr_init: the raw system call */
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	p = r_mmap(addr, len, prot, flags, fd, off);
	if ((flags & MAP_ANONYMOUS) && hbr_program_call(__builtin_return_address(0)))
		hbr_rec(HB_TR_MMAP, p == MAP_FAILED ? HB_TRF_FAILED : 0,
		    p == MAP_FAILED ? 0 : (uintptr_t)p, len, (uintptr_t)addr,
		    (uint32_t)flags, 0);
	return p;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

EXPORT int munmap(void *addr, size_t len)
{
	int rc;

	if (!r_munmap)
		return (int)syscall(SYS_munmap, addr, len);
	if (hbr_program_call(__builtin_return_address(0)))
		hbr_rec(HB_TR_MUNMAP, 0, (uintptr_t)addr, len, 0, 0, 0);
	rc = r_munmap(addr, len);
	return rc;
}

EXPORT void *mremap(void *old, size_t old_len, size_t len, int flags, ...)
{
	void *want = NULL, *p;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		want = va_arg(ap, void *);
		va_end(ap);
	}
	if (!r_mremap)
		return (void *)syscall(SYS_mremap, old, old_len, len, flags, want);
	p = r_mremap(old, old_len, len, flags, want);
	if (hbr_program_call(__builtin_return_address(0)))
		hbr_rec(HB_TR_MREMAP, p == MAP_FAILED ? HB_TRF_FAILED : 0,
		    p == MAP_FAILED ? 0 : (uintptr_t)p, len, (uintptr_t)old, (uint32_t)old_len,
		    0);
	return p;
}

EXPORT int madvise(void *addr, size_t len, int advice)
{
	if (!r_madvise)
		return (int)syscall(SYS_madvise, addr, len, advice);
	if (hbr_program_call(__builtin_return_address(0)))
		hbr_rec(HB_TR_MADVISE, 0, (uintptr_t)addr, len, (uint64_t)advice, 0, 0);
	return r_madvise(addr, len, advice);
}

EXPORT pid_t fork(void)
{
	return hbr_fork();
}

/* The end of the recorded process or of a forked child without exit's destructors. */
EXPORT void _exit(int status)
{
	hbr_end();
	if (r_exit)
		r_exit(status);
	syscall(SYS_exit_group, status);
	for (;;)
		;
}

EXPORT void _Exit(int status)
{
	_exit(status);
}

/* A forked child that execs ends its copy of the parent there. */
static void before_exec(void)
{
	if (hbr_fork_child())
		hbr_end();
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	hbr_init();
	before_exec();
	return r_execve(path, argv, envp);
}

EXPORT int execv(const char *path, char *const argv[])
{
	hbr_init();
	before_exec();
	return r_execv(path, argv);
}

EXPORT int execvp(const char *file, char *const argv[])
{
	hbr_init();
	before_exec();
	return r_execvp(file, argv);
}

/* A program may mark its phases (the replay reports its figures at each mark):
 * dlsym(RTLD_DEFAULT, "hb_record_mark") finds this when it runs under the recorder. */
EXPORT void hb_record_mark(unsigned n)
{
	hbr_rec(HB_TR_MARK, 0, 0, 0, n, 0, 0);
}
