/* The address map of api/trace.h: linear probing, deletion by backward shift (no tombstones),
 * doubled when 5/8 full, in anonymous mappings of its own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace.h"

static struct hb_addrmap_ent *table_map(uint64_t cap)
{
	size_t bytes = cap * sizeof(struct hb_addrmap_ent);
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, bytes, MADV_NOHUGEPAGE);
	return p;
}

static uint64_t slot(uint64_t key, uint64_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return key & (cap - 1);
}

int hb_addrmap_init(struct hb_addrmap *m)
{
	m->cap = 1u << 14;
	m->n = 0;
	m->e = table_map(m->cap);
	return m->e ? 0 : -ENOMEM;
}

struct hb_addrmap_ent *hb_addrmap_get(struct hb_addrmap *m, uint64_t key)
{
	for (uint64_t i = slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (m->e[i].key == key)
			return &m->e[i];
		if (!m->e[i].key)
			return NULL;
	}
}

static int grow(struct hb_addrmap *m)
{
	uint64_t cap = m->cap * 2;
	struct hb_addrmap_ent *e = table_map(cap), *old = m->e;

	if (!e)
		return -ENOMEM;
	for (uint64_t i = 0; i < m->cap; i++) {
		uint64_t j;

		if (!old[i].key)
			continue;
		for (j = slot(old[i].key, cap); e[j].key; j = (j + 1) & (cap - 1))
			;
		e[j] = old[i];
	}
	munmap(old, m->cap * sizeof(*old));
	m->e = e;
	m->cap = cap;
	return 0;
}

struct hb_addrmap_ent *hb_addrmap_put(struct hb_addrmap *m, uint64_t key, int *fresh)
{
	uint64_t i;

	if ((m->n + 1) * 8 > m->cap * 5 && grow(m))
		return NULL;
	for (i = slot(key, m->cap); m->e[i].key; i = (i + 1) & (m->cap - 1))
		if (m->e[i].key == key) {
			*fresh = 0;
			return &m->e[i];
		}
	m->e[i] = (struct hb_addrmap_ent){ .key = key };
	m->n++;
	*fresh = 1;
	return &m->e[i];
}

int hb_addrmap_del(struct hb_addrmap *m, uint64_t key, struct hb_addrmap_ent *out)
{
	uint64_t mask = m->cap - 1, i, j;
	struct hb_addrmap_ent *e = hb_addrmap_get(m, key);

	if (!e)
		return 0;
	if (out)
		*out = *e;
	i = (uint64_t)(e - m->e);
	/* Backward shift: move up each later entry of the run whose home is not in (i, j]. */
	for (j = (i + 1) & mask; m->e[j].key; j = (j + 1) & mask) {
		uint64_t h = slot(m->e[j].key, m->cap);

		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			m->e[i] = m->e[j];
			i = j;
		}
	}
	m->e[i].key = 0;
	m->n--;
	return 1;
}

uint64_t hb_addrmap_resident(const struct hb_addrmap *m)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t bytes = m->cap * sizeof(*m->e), pages = (bytes + (size_t)page - 1) / (size_t)page;
	unsigned char *vec = calloc(pages ? pages : 1, 1);
	uint64_t n = 0;

	if (!vec)
		return bytes;
	if (mincore(m->e, bytes, vec)) {
		free(vec);
		return bytes;
	}
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n * (uint64_t)page;
}

void hb_addrmap_free(struct hb_addrmap *m)
{
	if (m->e)
		munmap(m->e, m->cap * sizeof(*m->e));
	memset(m, 0, sizeof(*m));
}
