/*
 * The driver every fuzz harness shares. A harness defines
 *
 *	static void fuzz_one(const unsigned char *data, size_t len);
 *
 * which feeds one input to the parser it tests and abort()s when an invariant breaks (a
 * crash or a sanitizer report is found without help). Built by afl-clang-fast, main() is
 * AFL++'s persistent loop over shared-memory inputs; built by a plain compiler (make check,
 * check-asan), main() replays every file named on the command line, the regression inputs
 * of tests/fuzz/regress/ and the corpus, and prints one line per file.
 */
#ifndef HB_FUZZ_H
#define HB_FUZZ_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void fuzz_one(const unsigned char *data, size_t len);

/* Inputs longer than this are cut: the parsers read small files. */
#define FUZZ_MAX_INPUT (256 * 1024)

/* A NUL-terminated copy of the input (the text parsers take C strings). */
static inline char *fuzz_strdup(const unsigned char *data, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, data, len);
	s[len] = 0;
	return s;
}

/* The input as a file, for the parsers that take a path: one memfd, rewritten per input;
 * the path opens it afresh at offset 0. */
static inline const char *fuzz_file(const unsigned char *data, size_t len)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("hb-fuzz", MFD_CLOEXEC);
		if (fd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (len && pwrite(fd, data, len, 0) != (ssize_t)len)) {
		perror("fuzz input file");
		abort();
	}
	return path;
}

/* An invariant of the parser broke: say which, then crash so the fuzzer keeps the input. */
#define FUZZ_ASSERT(cond)                                                                     \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__,   \
				#cond);                                                      \
			abort();                                                             \
		}                                                                            \
	} while (0)

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();

int main(void)
{
	unsigned char *buf;

	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(10000)) {
		size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;

		fuzz_one(buf, len > FUZZ_MAX_INPUT ? FUZZ_MAX_INPUT : len);
	}
	return 0;
}
#else
int main(int argc, char **argv)
{
	static unsigned char buf[FUZZ_MAX_INPUT];

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE...  (replays each input once)\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		size_t len;

		if (!f) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		fuzz_one(buf, len);
		printf("ok: %s (%zu bytes)\n", argv[i], len);
	}
	return 0;
}
#endif

#endif
