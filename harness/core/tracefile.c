/* Reading an allocation trace (api/trace.h; the format: docs/trace-format.md). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"

static const char *const kind_names[HB_TR_NKINDS] = {
	[HB_TR_CHUNK] = "chunk",
	[HB_TR_THREAD] = "thread",
	[HB_TR_MALLOC] = "malloc",
	[HB_TR_CALLOC] = "calloc",
	[HB_TR_REALLOC] = "realloc",
	[HB_TR_FREE] = "free",
	[HB_TR_POSIX_MEMALIGN] = "posix_memalign",
	[HB_TR_ALIGNED_ALLOC] = "aligned_alloc",
	[HB_TR_MEMALIGN] = "memalign",
	[HB_TR_VALLOC] = "valloc",
	[HB_TR_PVALLOC] = "pvalloc",
	[HB_TR_MALLOCX] = "mallocx",
	[HB_TR_RALLOCX] = "rallocx",
	[HB_TR_XALLOCX] = "xallocx",
	[HB_TR_SDALLOCX] = "sdallocx",
	[HB_TR_DALLOCX] = "dallocx",
	[HB_TR_USABLE_SIZE] = "malloc_usable_size",
	[HB_TR_MMAP] = "mmap",
	[HB_TR_MUNMAP] = "munmap",
	[HB_TR_MREMAP] = "mremap",
	[HB_TR_MADVISE] = "madvise",
	[HB_TR_FORK] = "fork",
	[HB_TR_FORK_END] = "fork_end",
	[HB_TR_MARK] = "mark",
	[HB_TR_STOP] = "stop",
};

const char *hb_trace_kind_name(unsigned kind)
{
	return kind < HB_TR_NKINDS ? kind_names[kind] : NULL;
}

void hb_trace_effect(const struct hb_trace_rec *r, struct hb_trace_effect *e)
{
	int failed = r->flags & HB_TRF_FAILED;

	memset(e, 0, sizeof(*e));
	switch (r->kind) {
	case HB_TR_MALLOC:
	case HB_TR_VALLOC:
	case HB_TR_PVALLOC:
	case HB_TR_CALLOC:
	case HB_TR_POSIX_MEMALIGN:
	case HB_TR_ALIGNED_ALLOC:
	case HB_TR_MEMALIGN:
	case HB_TR_MALLOCX:
		if (failed || !r->ptr)
			break;
		e->alloc = r->ptr;
		e->size = r->size;
		e->zeroed = r->kind == HB_TR_CALLOC || (r->kind == HB_TR_MALLOCX && (r->aux & 0x40));
		if (r->kind == HB_TR_POSIX_MEMALIGN || r->kind == HB_TR_ALIGNED_ALLOC ||
		    r->kind == HB_TR_MEMALIGN)
			e->align = r->aux;
		else if (r->kind == HB_TR_MALLOCX && (r->aux & 0x3f))
			e->align = 1ull << (r->aux & 0x3f); /* MALLOCX_LG_ALIGN */
		else if (r->kind == HB_TR_VALLOC || r->kind == HB_TR_PVALLOC)
			e->align = 4096;
		break;
	case HB_TR_REALLOC:
	case HB_TR_RALLOCX:
		if (failed) /* the old block stays */
			break;
		e->freed = r->aux;
		if (r->ptr) {
			e->alloc = r->ptr;
			e->size = r->size;
		}
		break;
	case HB_TR_XALLOCX:
		e->alloc = r->ptr;
		e->size = r->size;
		e->resized = 1;
		break;
	case HB_TR_FREE:
	case HB_TR_SDALLOCX:
	case HB_TR_DALLOCX:
		e->freed = r->ptr;
		break;
	case HB_TR_MMAP:
		if (!failed) {
			e->map = r->ptr;
			e->map_len = r->size;
		}
		break;
	case HB_TR_MUNMAP:
		e->unmap = r->ptr;
		e->unmap_len = r->size;
		break;
	case HB_TR_MREMAP:
		if (!failed) {
			e->unmap = r->aux;
			e->unmap_len = r->extra;
			e->map = r->ptr;
			e->map_len = r->size;
		}
		break;
	default:
		break;
	}
}

static int read_at(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		got += (size_t)n;
	}
	return 0;
}

/* The chunks: each CHUNK record's place and count, the count cut to what the file holds. */
static int index_chunks(struct hb_trace *t, char *err, size_t len)
{
	size_t cap = 0;
	uint64_t i = 0;

	while (i < t->nrecs) {
		struct hb_trace_rec r;
		uint64_t off = t->hdr.hdr_len + i * sizeof(r);
		int rc = read_at(t->fd, &r, sizeof(r), off);

		if (rc) {
			snprintf(err, len, "read at %llu: %s", (unsigned long long)off, strerror(-rc));
			return rc;
		}
		if (r.kind != HB_TR_CHUNK || r.aux > HB_TRACE_CHUNK_MAX || !r.tid) {
			snprintf(err, len, "record %llu is not a chunk header (kind %u): not a "
				 "trace hugebench record wrote, or damaged", (unsigned long long)i,
				 r.kind);
			return -EINVAL;
		}
		if (t->nchunks == cap) {
			struct hb_trace_chunk *c;

			cap = cap ? 2 * cap : 256;
			c = realloc(t->chunks, cap * sizeof(*c));
			if (!c)
				return -ENOMEM;
			t->chunks = c;
		}
		t->chunks[t->nchunks].first = i + 1;
		t->chunks[t->nchunks].count = (uint32_t)(t->nrecs - i - 1 < r.aux ?
							 t->nrecs - i - 1 : r.aux);
		t->chunks[t->nchunks].tid = r.tid;
		if (r.tid > t->nthreads)
			t->nthreads = r.tid;
		i += 1 + t->chunks[t->nchunks].count;
		t->nchunks++;
	}
	return 0;
}

int hb_trace_open(const char *path, struct hb_trace *t, char *err, size_t len)
{
	struct stat st;
	size_t tlen;
	int rc;

	memset(t, 0, sizeof(*t));
	t->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0) {
		rc = -errno;
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(t->fd, &st) || read_at(t->fd, &t->hdr, sizeof(t->hdr), 0)) {
		snprintf(err, len, "%s: too short for a trace header (%zu bytes)", path,
			 sizeof(t->hdr));
		rc = -EINVAL;
		goto fail;
	}
	t->size = (uint64_t)st.st_size;
	if (memcmp(t->hdr.magic, HB_TRACE_MAGIC, 8)) {
		snprintf(err, len, "%s: not a hugebench trace (no HBTRACE magic)", path);
		rc = -EINVAL;
		goto fail;
	}
	if (t->hdr.version != HB_TRACE_VERSION || t->hdr.rec_size != sizeof(struct hb_trace_rec)) {
		snprintf(err, len, "%s: trace format version %u with %u-byte records; this "
			 "hugebench reads version %u with %zu-byte records", path, t->hdr.version,
			 t->hdr.rec_size, HB_TRACE_VERSION, sizeof(struct hb_trace_rec));
		rc = -EINVAL;
		goto fail;
	}
	if (t->hdr.hdr_len < sizeof(t->hdr) || t->hdr.hdr_len > (1u << 20) ||
	    t->hdr.hdr_len > t->size) {
		snprintf(err, len, "%s: header length %u out of range (file %llu bytes)", path,
			 t->hdr.hdr_len, (unsigned long long)t->size);
		rc = -EINVAL;
		goto fail;
	}
	tlen = t->hdr.hdr_len - sizeof(t->hdr);
	t->text = calloc(1, tlen + 1);
	if (!t->text || read_at(t->fd, t->text, tlen, sizeof(t->hdr))) {
		snprintf(err, len, "%s: cannot read the header's text", path);
		rc = -EIO;
		goto fail;
	}
	t->nrecs = (t->size - t->hdr.hdr_len) / sizeof(struct hb_trace_rec);
	t->tail_bytes = (t->size - t->hdr.hdr_len) % sizeof(struct hb_trace_rec);
	if ((rc = index_chunks(t, err, len))) {
		if (rc == -EINVAL) {
			char why[256];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, len, "%s: %s", path, why);
		}
		goto fail;
	}
	return 0;
fail:
	hb_trace_close(t);
	return rc;
}

void hb_trace_close(struct hb_trace *t)
{
	if (t->fd >= 0)
		close(t->fd);
	free(t->text);
	free(t->chunks);
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

int hb_trace_field(const struct hb_trace *t, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	for (const char *p = t->text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t l = eol ? (size_t)(eol - p) : strlen(p);

		if (l > n && !strncmp(p, name, n) && p[n] == '=') {
			snprintf(buf, len, "%.*s", (int)(l - n - 1), p + n + 1);
			return 0;
		}
		p = eol ? eol + 1 : NULL;
	}
	return -ENOENT;
}

int hb_trace_read(const struct hb_trace *t, uint64_t i, struct hb_trace_rec *r)
{
	if (i >= t->nrecs)
		return -ERANGE;
	return read_at(t->fd, r, sizeof(*r), t->hdr.hdr_len + i * sizeof(*r));
}

/* One thread's cursor: its chunks (indexes into t->chunks), the current one, a buffer. */
#define MERGE_BUF 256
struct cursor {
	size_t *chunk;		/* its chunks, in file order */
	size_t nchunk, cur;	/* cur: the chunk being read */
	uint32_t pos;		/* in that chunk */
	struct hb_trace_rec buf[MERGE_BUF];
	uint32_t nbuf, ibuf;
};

struct hb_trace_merge {
	struct hb_trace *t;
	struct cursor *cur;	/* per thread, index tid - 1 */
	unsigned *heap, nheap;	/* threads by their next record's time */
	uint64_t read_bytes;
};

/* Fills c's buffer: 1, 0 when the thread has no more, -errno. */
static int refill(struct hb_trace_merge *m, struct cursor *c)
{
	while (c->cur < c->nchunk) {
		const struct hb_trace_chunk *ch = &m->t->chunks[c->chunk[c->cur]];

		if (c->pos < ch->count) {
			uint32_t n = ch->count - c->pos < MERGE_BUF ? ch->count - c->pos : MERGE_BUF;
			int rc = read_at(m->t->fd, c->buf, n * sizeof(c->buf[0]),
					 m->t->hdr.hdr_len + (ch->first + c->pos) * sizeof(c->buf[0]));

			if (rc)
				return rc;
			c->pos += n;
			c->nbuf = n;
			c->ibuf = 0;
			m->read_bytes += n * sizeof(c->buf[0]);
			/* A replay reads a trace of many GiB in a cell whose cgroup would be charged
			 * the page cache: let it go as it is read. */
			if (m->read_bytes >= (8u << 20)) {
				posix_fadvise(m->t->fd, 0, 0, POSIX_FADV_DONTNEED);
				m->read_bytes = 0;
			}
			return 1;
		}
		c->cur++;
		c->pos = 0;
	}
	return 0;
}

static int before(const struct hb_trace_merge *m, unsigned a, unsigned b)
{
	const struct hb_trace_rec *x = &m->cur[a].buf[m->cur[a].ibuf];
	const struct hb_trace_rec *y = &m->cur[b].buf[m->cur[b].ibuf];

	return x->t_ns < y->t_ns || (x->t_ns == y->t_ns && a < b);
}

static void sift_down(struct hb_trace_merge *m, unsigned i)
{
	for (;;) {
		unsigned l = 2 * i + 1, r = l + 1, s = i, tmp;

		if (l < m->nheap && before(m, m->heap[l], m->heap[s]))
			s = l;
		if (r < m->nheap && before(m, m->heap[r], m->heap[s]))
			s = r;
		if (s == i)
			return;
		tmp = m->heap[i];
		m->heap[i] = m->heap[s];
		m->heap[s] = tmp;
		i = s;
	}
}

int hb_trace_merge_open(struct hb_trace *t, struct hb_trace_merge **out)
{
	struct hb_trace_merge *m = calloc(1, sizeof(*m));
	unsigned n = t->nthreads;
	int rc = -ENOMEM;

	if (!m)
		return -ENOMEM;
	m->t = t;
	m->cur = calloc(n ? n : 1, sizeof(*m->cur));
	m->heap = calloc(n ? n : 1, sizeof(*m->heap));
	if (!m->cur || !m->heap)
		goto fail;
	for (size_t i = 0; i < t->nchunks; i++)
		m->cur[t->chunks[i].tid - 1].nchunk++;
	for (unsigned k = 0; k < n; k++) {
		m->cur[k].chunk = calloc(m->cur[k].nchunk ? m->cur[k].nchunk : 1, sizeof(size_t));
		if (!m->cur[k].chunk)
			goto fail;
		m->cur[k].nchunk = 0;
	}
	for (size_t i = 0; i < t->nchunks; i++) {
		struct cursor *c = &m->cur[t->chunks[i].tid - 1];

		c->chunk[c->nchunk++] = i;
	}
	for (unsigned k = 0; k < n; k++) {
		rc = refill(m, &m->cur[k]);
		if (rc < 0)
			goto fail;
		if (rc)
			m->heap[m->nheap++] = k;
	}
	for (unsigned i = m->nheap / 2; i-- > 0;)
		sift_down(m, i);
	*out = m;
	return 0;
fail:
	hb_trace_merge_close(m);
	return rc;
}

int hb_trace_merge_next(struct hb_trace_merge *m, struct hb_trace_rec *r)
{
	struct cursor *c;
	int rc;

	if (!m->nheap)
		return 0;
	c = &m->cur[m->heap[0]];
	*r = c->buf[c->ibuf++];
	if (c->ibuf == c->nbuf) {
		rc = refill(m, c);
		if (rc < 0)
			return rc;
		if (!rc)
			m->heap[0] = m->heap[--m->nheap];
		if (!m->nheap) /* the end: none of the file stays in the page cache */
			posix_fadvise(m->t->fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	if (m->nheap)
		sift_down(m, 0);
	return 1;
}

void hb_trace_merge_close(struct hb_trace_merge *m)
{
	if (!m)
		return;
	if (m->cur)
		for (unsigned k = 0; k < m->t->nthreads; k++)
			free(m->cur[k].chunk);
	free(m->cur);
	free(m->heap);
	free(m);
}
