/* The churn workload's store (kvstore.h): Redis's dict, incremental rehash included. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvstore.h"

#define INITIAL_SIZE 4
#define EMPTY_VISITS 10

struct kv_entry {
	struct kv_entry *next;
	char *val;
	uint64_t hash;
	uint32_t vlen;
	uint32_t klen;
	char key[];
};

/* A multiply-xorshift hash over 8-byte words: keys are short and the table's lookups, not
 * the hash, should dominate. */
static uint64_t kv_hash(const char *k, size_t n)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull), w;

	for (; n >= 8; k += 8, n -= 8) {
		memcpy(&w, k, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	w = 0;
	memcpy(&w, k, n);
	h = (h ^ w) * 0x94d049bb133111ebull;
	return h ^ (h >> 29);
}

static int table_init(struct kv_table *t, uint64_t size)
{
	t->b = calloc(size, sizeof(*t->b));
	if (!t->b)
		return -ENOMEM;
	t->size = size;
	t->mask = size - 1;
	t->used = 0;
	return 0;
}

int kv_init(struct kv_store *s)
{
	memset(s, 0, sizeof(*s));
	s->rehash_idx = -1;
	return table_init(&s->t[0], INITIAL_SIZE);
}

/* Moves one bucket of t[0] into t[1]; finishes the rehash when t[0] is empty. */
static void rehash_step(struct kv_store *s)
{
	struct kv_table *from = &s->t[0], *to = &s->t[1];
	int empty = EMPTY_VISITS;

	while (from->used && !from->b[s->rehash_idx]) {
		s->rehash_idx++;
		if (--empty == 0)
			return;
	}
	if (from->used) {
		struct kv_entry *e = from->b[s->rehash_idx], *next;

		for (; e; e = next) {
			uint64_t i = e->hash & to->mask;

			next = e->next;
			e->next = to->b[i];
			to->b[i] = e;
			from->used--;
			to->used++;
		}
		from->b[s->rehash_idx++] = NULL;
	}
	if (!from->used) {
		free(from->b);
		*from = *to;
		memset(to, 0, sizeof(*to));
		s->rehash_idx = -1;
	}
}

static void start_rehash(struct kv_store *s, uint64_t size)
{
	if (size < INITIAL_SIZE)
		size = INITIAL_SIZE;
	if (size == s->t[0].size || table_init(&s->t[1], size))
		return; /* out of memory: stay at this size, chains grow longer */
	s->rehash_idx = 0;
}

static uint64_t next_pow2(uint64_t v)
{
	uint64_t p = INITIAL_SIZE;

	while (p < v)
		p <<= 1;
	return p;
}

static struct kv_entry **find(struct kv_store *s, const char *key, size_t klen, uint64_t h)
{
	for (int t = 0; t <= kv_rehashing(s); t++) {
		struct kv_entry **pp = &s->t[t].b[h & s->t[t].mask];

		for (; *pp; pp = &(*pp)->next)
			if ((*pp)->hash == h && (*pp)->klen == klen &&
			    !memcmp((*pp)->key, key, klen))
				return pp;
	}
	return NULL;
}

int kv_set(struct kv_store *s, const char *key, size_t klen, const void *val, size_t vlen)
{
	uint64_t h = kv_hash(key, klen);
	struct kv_entry **pp, *e;
	struct kv_table *t;
	char *v;

	if (kv_rehashing(s))
		rehash_step(s);
	v = malloc(vlen ? vlen : 1);
	if (!v)
		return -ENOMEM;
	memcpy(v, val, vlen);
	pp = find(s, key, klen, h);
	if (pp) {
		e = *pp;
		free(e->val);
		s->live_bytes += vlen - e->vlen;
		e->val = v;
		e->vlen = (uint32_t)vlen;
		return 0;
	}
	e = malloc(sizeof(*e) + klen);
	if (!e) {
		free(v);
		return -ENOMEM;
	}
	memcpy(e->key, key, klen);
	e->klen = (uint32_t)klen;
	e->hash = h;
	e->val = v;
	e->vlen = (uint32_t)vlen;
	t = &s->t[kv_rehashing(s)]; /* new entries go to the new table */
	e->next = t->b[h & t->mask];
	t->b[h & t->mask] = e;
	t->used++;
	s->count++;
	s->live_bytes += klen + vlen;
	if (!kv_rehashing(s) && s->t[0].used >= s->t[0].size)
		start_rehash(s, s->t[0].size * 2);
	return 1;
}

const char *kv_get(struct kv_store *s, const char *key, size_t klen, size_t *vlen)
{
	struct kv_entry **pp;

	if (kv_rehashing(s))
		rehash_step(s);
	pp = find(s, key, klen, kv_hash(key, klen));
	if (!pp)
		return NULL;
	*vlen = (*pp)->vlen;
	return (*pp)->val;
}

int kv_del(struct kv_store *s, const char *key, size_t klen)
{
	uint64_t h = kv_hash(key, klen);
	struct kv_entry **pp, *e;

	if (kv_rehashing(s))
		rehash_step(s);
	for (int t = 0; t <= kv_rehashing(s); t++) {
		for (pp = &s->t[t].b[h & s->t[t].mask]; *pp; pp = &(*pp)->next) {
			e = *pp;
			if (e->hash != h || e->klen != klen || memcmp(e->key, key, klen))
				continue;
			*pp = e->next;
			s->t[t].used--;
			s->count--;
			s->live_bytes -= e->klen + e->vlen;
			free(e->val);
			free(e);
			/* Redis shrinks a dict under 10% full (its cron does; here the delete). */
			if (!kv_rehashing(s) && s->t[0].size > INITIAL_SIZE &&
			    s->t[0].used * 10 < s->t[0].size)
				start_rehash(s, next_pow2(s->t[0].used));
			return 1;
		}
	}
	return 0;
}

uint64_t kv_hash_of(const char *key, size_t klen)
{
	return kv_hash(key, klen);
}

void kv_prefetch_bucket(const struct kv_store *s, uint64_t h)
{
	for (int t = 0; t <= kv_rehashing(s); t++)
		__builtin_prefetch(&s->t[t].b[h & s->t[t].mask]);
}

void kv_prefetch_entry(const struct kv_store *s, uint64_t h)
{
	for (int t = 0; t <= kv_rehashing(s); t++) {
		const struct kv_entry *e = s->t[t].b[h & s->t[t].mask];

		if (e)
			__builtin_prefetch(e);
	}
}

void kv_free(struct kv_store *s)
{
	for (int t = 0; t < 2; t++) {
		for (uint64_t i = 0; s->t[t].b && i < s->t[t].size; i++) {
			struct kv_entry *e = s->t[t].b[i], *next;

			for (; e; e = next) {
				next = e->next;
				free(e->val);
				free(e);
			}
		}
		free(s->t[t].b);
	}
	memset(s, 0, sizeof(*s));
	s->rehash_idx = -1;
}
