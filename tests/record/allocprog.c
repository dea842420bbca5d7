/*
 * A program that allocates through every entry point hugebench's recorder intercepts and says
 * on stdout what each call returned ("KIND PTR SIZE AUX", hex pointers), for
 * tests/unit/test_trace.c to check against the trace it was recorded into. Modes:
 *   all      every entry point once (the jemalloc ones when a jemalloc is loaded), realloc and
 *            free of NULL, a thread's allocations, mmap/mremap/madvise/munmap of its own, and a
 *            fork in the middle whose child allocates and exits;
 *   forever  allocates and frees in a loop and never ends (for a SIGKILL test; prints "ready"
 *            after the first 100000 calls);
 *   sleep    allocates 1000 blocks, prints "ready" and sleeps (a SIGTERM test);
 *   burst    200000 allocations and frees, then "done" and exit 0 (a --max-size test).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *kind, const void *p, size_t size, uint64_t aux)
{
	printf("%s %#lx %zu %llu\n", kind, (unsigned long)(uintptr_t)p, size,
	       (unsigned long long)aux);
}

static void *thread_main(void *arg)
{
	void *p = malloc(777);

	(void)arg;
	say("thread_malloc", p, 777, 0);
	free(p);
	say("thread_free", p, 0, 0);
	return NULL;
}

static void jemalloc_calls(void)
{
	void *(*mallocx)(size_t, int);
	void *(*rallocx)(void *, size_t, int) = (void *(*)(void *, size_t, int))dlsym(RTLD_DEFAULT,
										     "rallocx");
	size_t (*xallocx)(void *, size_t, size_t, int) =
		(size_t(*)(void *, size_t, size_t, int))dlsym(RTLD_DEFAULT, "xallocx");
	void (*sdallocx)(void *, size_t, int) = (void (*)(void *, size_t, int))dlsym(RTLD_DEFAULT,
										    "sdallocx");
	void (*dallocx)(void *, int) = (void (*)(void *, int))dlsym(RTLD_DEFAULT, "dallocx");
	void *p, *q;
	size_t n;

	if (!dlsym(RTLD_DEFAULT, "mallctl")) /* no jemalloc in the process */
		return;
	mallocx = (void *(*)(size_t, int))dlsym(RTLD_DEFAULT, "mallocx");
	p = mallocx(300, 0);
	say("mallocx", p, 300, 0);
	q = rallocx(p, 5000, 0);
	say("rallocx", q, 5000, (uintptr_t)p);
	n = xallocx(q, 5000, 0, 0);
	say("xallocx", q, n, 0);
	dallocx(q, 0);
	say("dallocx", q, 0, 0);
	p = mallocx(64, 0);
	say("mallocx", p, 64, 0);
	sdallocx(p, 64, 0);
	say("sdallocx", p, 64, 0);
}

static int all(void)
{
	void *volatile null = NULL;
	void *p, *q, *r;
	pthread_t th;
	pid_t pid;
	int st;

	p = malloc(100);
	say("malloc", p, 100, 0);
	q = calloc(10, 30);
	say("calloc", q, 300, 10);
	r = realloc(p, 10000);
	say("realloc", r, 10000, (uintptr_t)p);
	p = realloc(null, 50); /* a volatile NULL: the compiler would make realloc(NULL) malloc */
	say("realloc", p, 50, 0);
	free(null);
	say("free", NULL, 0, 0);
	free(p);
	say("free", p, 0, 0);
	free(q);
	say("free", q, 0, 0);
	free(r);
	say("free", r, 0, 0);
	if (posix_memalign(&p, 256, 1000))
		return 1;
	say("posix_memalign", p, 1000, 256);
	free(p);
	say("free", p, 0, 0);
	p = aligned_alloc(64, 640);
	say("aligned_alloc", p, 640, 64);
	free(p);
	say("free", p, 0, 0);
	p = memalign(128, 333);
	say("memalign", p, 333, 128);
	say("malloc_usable_size", p, malloc_usable_size(p), 0);
	free(p);
	say("free", p, 0, 0);
	p = valloc(5000);
	say("valloc", p, 5000, 0);
	free(p);
	say("free", p, 0, 0);
	if (!dlsym(RTLD_DEFAULT, "mallctl")) { /* jemalloc has no pvalloc: glibc's would answer */
		p = pvalloc(5000);
		say("pvalloc", p, 5000, 0);
		free(p);
		say("free", p, 0, 0);
	}
	jemalloc_calls();
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	say("mmap", p, 1 << 20, 0);
	madvise(p, 1 << 20, MADV_DONTNEED);
	say("madvise", p, 1 << 20, MADV_DONTNEED);
	q = mremap(p, 1 << 20, 2 << 20, MREMAP_MAYMOVE);
	say("mremap", q, 2 << 20, (uintptr_t)p);
	munmap(q, 2 << 20);
	say("munmap", q, 2 << 20, 0);
	if (pthread_create(&th, NULL, thread_main, NULL) || pthread_join(th, NULL))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		void *c = malloc(4242); /* the child's: not in the trace */

		free(c);
		_exit(0);
	}
	say("fork", NULL, 0, (uint64_t)pid);
	waitpid(pid, &st, 0);
	p = malloc(200);
	say("malloc", p, 200, 0);
	free(p);
	say("free", p, 0, 0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "all"))
		return all();
	if (!strcmp(mode, "burst")) {
		for (unsigned i = 0; i < 200000; i++) {
			void *volatile v = malloc(16 + i % 4000); /* kept: not a pair to elide */

			free(v);
		}
		printf("done\n");
		return 0;
	}
	if (!strcmp(mode, "forever") || !strcmp(mode, "sleep")) {
		static void *keep[1000];

		for (unsigned long i = 0;; i++) {
			unsigned k = (unsigned)(i % 1000);

			free(keep[k]);
			keep[k] = malloc(16 + i % 4000);
			if (i == 100000)
				printf("ready\n");
			if (i >= 100000 && !strcmp(mode, "sleep"))
				for (;;)
					pause();
		}
	}
	fprintf(stderr, "allocprog: mode '%s': accepted: all, forever, sleep, burst\n", mode);
	return 2;
}
