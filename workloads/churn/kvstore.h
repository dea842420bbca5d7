/*
 * The in-process key-value store of the churn workload: Redis's dict without the network.
 * Chained hash table with incremental rehashing (two tables; every operation moves one
 * bucket, visiting at most 10 empty ones, as Redis's _dictRehashStep), grown at load factor
 * 1 and shrunk below 10%. Every entry (with its key inline) and every value is its own
 * malloc, so the process's allocator does the work.
 */
#ifndef HB_KVSTORE_H
#define HB_KVSTORE_H
#include <stddef.h>
#include <stdint.h>

struct kv_entry;

struct kv_table {
	struct kv_entry **b;
	uint64_t size, mask, used;
};

struct kv_store {
	struct kv_table t[2];
	int64_t rehash_idx;	/* next bucket of t[0] to move; -1 when not rehashing */
	uint64_t live_bytes;	/* key + value bytes of every live entry (Redis used_memory's
				 * data part) */
	uint64_t count;
};

int kv_init(struct kv_store *s);
/* Sets key to a copy of val. 1 inserted, 0 replaced (old value freed), -ENOMEM. */
int kv_set(struct kv_store *s, const char *key, size_t klen, const void *val, size_t vlen);
/* The value (and its length) or NULL. */
const char *kv_get(struct kv_store *s, const char *key, size_t klen, size_t *vlen);
/* 1 deleted, 0 not found. */
int kv_del(struct kv_store *s, const char *key, size_t klen);
static inline int kv_rehashing(const struct kv_store *s)
{
	return s->rehash_idx >= 0;
}
/* Hints for a key the caller will look up soon: the hash, then its bucket (step 1), then,
 * once the bucket is in cache, its first entry (step 2). Loads nothing the caller waits on. */
uint64_t kv_hash_of(const char *key, size_t klen);
void kv_prefetch_bucket(const struct kv_store *s, uint64_t h);
void kv_prefetch_entry(const struct kv_store *s, uint64_t h);
/* Frees every entry and both tables. */
void kv_free(struct kv_store *s);

#endif
