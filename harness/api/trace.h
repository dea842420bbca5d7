/*
 * An allocation trace, as `hugebench record` writes it (its preloaded recorder,
 * recorder/hbrecord.c) and as `hugebench trace` and the replay workload read it. The format,
 * byte by byte: docs/trace-format.md.
 *
 * The file: a header (struct hb_trace_header, then hdr_len - sizeof(header) bytes of text:
 * "command=...\nallocator=...\nmachine=...\n"), then fixed-size records (struct hb_trace_rec).
 * The recorder writes each thread's records in chunks, one write(2) each: a CHUNK record
 * (its thread, how many records follow), then those records, in that thread's order. Chunks
 * of different threads interleave; a reader that wants one order merges them by time.
 * A file cut anywhere is readable up to its last whole record.
 */
#ifndef HB_TRACE_H
#define HB_TRACE_H
#include <stddef.h>
#include <stdint.h>

#define HB_TRACE_MAGIC "HBTRACE\0"
#define HB_TRACE_VERSION 1
/* Records a chunk holds at most (the recorder's per-thread buffer). */
#define HB_TRACE_CHUNK_MAX 1023

/* All little-endian, as written by the machine that recorded (x86-64, arm64). */
struct hb_trace_header {
	char magic[8];		/* HB_TRACE_MAGIC */
	uint32_t version;	/* HB_TRACE_VERSION */
	uint32_t hdr_len;	/* this struct and the text after it; records start here */
	uint32_t rec_size;	/* sizeof(struct hb_trace_rec) */
	uint32_t pid;		/* the recorded process */
	uint64_t start_realtime_ns; /* CLOCK_REALTIME at the start */
	uint64_t start_mono_ns;	/* CLOCK_MONOTONIC at the start: records' t_ns count from it */
};

enum hb_trace_kind {
	HB_TR_CHUNK = 1,	/* tid: the thread; aux: records that follow */
	HB_TR_THREAD,		/* a thread's first record; aux: its kernel tid */
	HB_TR_MALLOC,		/* ptr = malloc(size) */
	HB_TR_CALLOC,		/* ptr = calloc(aux, size / aux): size is the product */
	HB_TR_REALLOC,		/* ptr = realloc(aux, size) */
	HB_TR_FREE,		/* free(ptr) */
	HB_TR_POSIX_MEMALIGN,	/* posix_memalign(&ptr, aux, size) */
	HB_TR_ALIGNED_ALLOC,	/* ptr = aligned_alloc(aux, size) */
	HB_TR_MEMALIGN,		/* ptr = memalign(aux, size) */
	HB_TR_VALLOC,		/* ptr = valloc(size) */
	HB_TR_PVALLOC,		/* ptr = pvalloc(size) */
	HB_TR_MALLOCX,		/* ptr = mallocx(size, flags = aux) */
	HB_TR_RALLOCX,		/* ptr = rallocx(old, size, flags): old in aux, flags in extra */
	HB_TR_XALLOCX,		/* size = xallocx(ptr, ..., flags = extra): the size it has now */
	HB_TR_SDALLOCX,		/* sdallocx(ptr, size, flags = aux) */
	HB_TR_DALLOCX,		/* dallocx(ptr, flags = aux) */
	HB_TR_USABLE_SIZE,	/* size = malloc_usable_size(ptr) */
	HB_TR_MMAP,		/* ptr = mmap(aux, size, prot, flags): prot << 32 | flags in extra */
	HB_TR_MUNMAP,		/* munmap(ptr, size) */
	HB_TR_MREMAP,		/* ptr = mremap(aux, extra = old size, size, ...) */
	HB_TR_MADVISE,		/* madvise(ptr, size, advice = aux) */
	HB_TR_FORK,		/* fork() in the recording process; aux: the child's pid */
	HB_TR_FORK_END,		/* the forked child's end (exit, _exit, exec): aux: its pid */
	HB_TR_MARK,		/* a phase mark: aux is its number (SIGUSR2 or hb_record_mark) */
	HB_TR_STOP,		/* recording stopped: aux 1 = --max-size reached */
	HB_TR_NKINDS
};

/* 40 bytes. */
struct hb_trace_rec {
	uint64_t t_ns;	/* CLOCK_MONOTONIC - start_mono_ns, taken after an allocation returned
			 * and before a free */
	uint64_t ptr;	/* the result, or the pointer freed */
	uint64_t size;
	uint64_t aux;
	uint32_t extra;
	uint8_t kind;	/* enum hb_trace_kind */
	uint8_t flags;	/* HB_TRF_ */
	uint16_t tid;	/* the recorder's thread number, 1, 2, ... in order of first record */
};

#define HB_TRF_FAILED 1 /* the call failed (NULL, MAP_FAILED, an error) */

/* The kind's name ("malloc"), or NULL for an unknown kind. */
const char *hb_trace_kind_name(unsigned kind);

/* What a record does to the heap and to the program's mappings, whatever its kind. */
struct hb_trace_effect {
	uint64_t freed;		/* a heap block that ends (0: none) */
	uint64_t alloc, size;	/* a heap block that begins, of size bytes (0: none) */
	uint64_t align;		/* the alignment it asked for (0: malloc's) */
	int zeroed;		/* calloc, or mallocx with MALLOCX_ZERO */
	int resized;		/* xallocx: alloc is an existing block, now size bytes */
	uint64_t unmap, unmap_len; /* a program's mapping that ends (munmap, mremap's old) */
	uint64_t map, map_len;	/* a program's anonymous mapping that begins */
};
void hb_trace_effect(const struct hb_trace_rec *r, struct hb_trace_effect *e);

/* A trace open for reading. */
struct hb_trace {
	int fd;
	struct hb_trace_header hdr;
	char *text;		/* the header's text, NUL-terminated */
	uint64_t size;		/* of the file */
	uint64_t nrecs;		/* whole records after the header */
	uint64_t tail_bytes;	/* bytes after the last whole record (0 unless truncated) */
	/* the threads' chunks, for a merge in time order (hb_trace_merge_*) */
	struct hb_trace_chunk { uint64_t first; uint32_t count; uint16_t tid; } *chunks;
	size_t nchunks;
	unsigned nthreads;	/* the highest thread number seen */
};

/* Opens and checks path: 0, or -errno / -EINVAL with err saying what is wrong (named). */
int hb_trace_open(const char *path, struct hb_trace *t, char *err, size_t len);
void hb_trace_close(struct hb_trace *t);
/* A header field of the text ("command"), into buf: 0 or -ENOENT. */
int hb_trace_field(const struct hb_trace *t, const char *name, char *buf, size_t len);

/* Record i (0: the first after the header) as stored: 0 or -errno. */
int hb_trace_read(const struct hb_trace *t, uint64_t i, struct hb_trace_rec *r);

/* Records in time order across threads (a k-way merge of the threads' chunks, each read in
 * small buffers, so memory does not grow with the file). CHUNK records are not returned. */
struct hb_trace_merge;
int hb_trace_merge_open(struct hb_trace *t, struct hb_trace_merge **m);
/* 1 with the next record in *r, 0 at the end, -errno on a read error. */
int hb_trace_merge_next(struct hb_trace_merge *m, struct hb_trace_rec *r);
void hb_trace_merge_close(struct hb_trace_merge *m);

/*
 * Recorded address -> two values (what the reader keeps of a live allocation: its size and
 * time, or the replay's own pointer and size). Open addressing in its own anonymous mapping
 * (MADV_NOHUGEPAGE, never from malloc), so that a replay can leave it out of its figures.
 */
struct hb_addrmap_ent {
	uint64_t key; /* 0: an empty slot */
	uint64_t a, b;
};
struct hb_addrmap {
	struct hb_addrmap_ent *e;
	uint64_t cap, n;
};
int hb_addrmap_init(struct hb_addrmap *m);
/* The entry of key, or NULL. */
struct hb_addrmap_ent *hb_addrmap_get(struct hb_addrmap *m, uint64_t key);
/* The entry of key (key != 0), new (*fresh = 1, a = b = 0) or the one there; NULL: no memory. */
struct hb_addrmap_ent *hb_addrmap_put(struct hb_addrmap *m, uint64_t key, int *fresh);
/* Removes key: 1 with its entry in *out (out may be NULL), 0 when it was not there. */
int hb_addrmap_del(struct hb_addrmap *m, uint64_t key, struct hb_addrmap_ent *out);
/* Bytes of the map resident now (mincore). */
uint64_t hb_addrmap_resident(const struct hb_addrmap *m);
void hb_addrmap_free(struct hb_addrmap *m);

#endif
