/* The churn workload's store: its live_bytes count, and no key lost across rehashes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvstore.h"

static size_t keyof(char *buf, unsigned id)
{
	return (size_t)snprintf(buf, 32, "key:%u", id);
}

static void test_live_bytes_scripted(void **state)
{
	struct kv_store s;
	char v[100];
	size_t vlen;

	(void)state;
	memset(v, 'v', sizeof(v));
	assert_int_equal(kv_init(&s), 0);
	assert_int_equal(kv_set(&s, "a", 1, v, 10), 1);	     /* 11 */
	assert_int_equal(kv_set(&s, "bb", 2, v, 20), 1);     /* 33 */
	assert_int_equal(kv_set(&s, "ccc", 3, v, 30), 1);    /* 66 */
	assert_int_equal(s.live_bytes, 66);
	assert_int_equal(kv_set(&s, "bb", 2, v, 5), 0);	     /* replaced: 66 - 20 + 5 */
	assert_int_equal(s.live_bytes, 51);
	assert_int_equal(kv_del(&s, "a", 1), 1);	     /* 51 - 11 */
	assert_int_equal(kv_del(&s, "a", 1), 0);
	assert_int_equal(kv_del(&s, "zz", 2), 0);
	assert_int_equal(s.live_bytes, 40);
	assert_int_equal(kv_set(&s, "dddd", 4, v, 0), 1);    /* empty value */
	assert_int_equal(s.live_bytes, 44);
	assert_int_equal(s.count, 3);
	assert_non_null(kv_get(&s, "bb", 2, &vlen));
	assert_int_equal(vlen, 5);
	assert_null(kv_get(&s, "a", 1, &vlen));
	assert_null(kv_get(&s, "b", 1, &vlen)); /* a prefix is another key */
	kv_free(&s);
}

/* A shadow array says what must be in the store; every step may be mid-rehash. */
static void test_rehash_keeps_every_key(void **state)
{
	enum { N = 20000 };
	unsigned *len = calloc(N, sizeof(*len)); /* 0: absent, else value length + 1 */
	unsigned char off[N];			 /* where in v the value starts */
	unsigned grew = 0, shrank = 0, rehash_ops = 0, seed = 12345;
	uint64_t prev_size = 0, bytes = 0;
	struct kv_store s;
	char k[32], v[300];

	(void)state;
	assert_non_null(len);
	for (int i = 0; i < (int)sizeof(v); i++)
		v[i] = (char)i;
	assert_int_equal(kv_init(&s), 0);
	for (int round = 0; round < 6; round++) {
		/* Fill up (grows through many rehashes), churn, then drain 90% (shrinks). */
		int phase_ops[3] = { 3 * N, 4 * N, 3 * N };

		for (int ph = 0; ph < 3; ph++) {
			for (int op = 0; op < phase_ops[ph]; op++) {
				unsigned id = (seed = seed * 1103515245u + 12345u) >> 8;
				unsigned vl = (seed >> 3) % 300;
				size_t kl;

				id %= N;
				kl = keyof(k, id);
				if (ph == 0 || (ph == 1 && op % 2)) {
					int rc = kv_set(&s, k, kl, v + vl % 7, vl - vl % 7);

					assert_int_equal(rc, len[id] ? 0 : 1);
					len[id] = vl - vl % 7 + 1;
					off[id] = (unsigned char)(vl % 7);
				} else if (ph == 2 && op % 10 == 9) {
					continue; /* keeps ~10% */
				} else {
					assert_int_equal(kv_del(&s, k, kl), len[id] ? 1 : 0);
					len[id] = 0;
				}
				rehash_ops += kv_rehashing(&s);
				if (s.t[0].size > prev_size && prev_size)
					grew++;
				if (s.t[0].size < prev_size)
					shrank++;
				prev_size = s.t[0].size;
			}
			/* Every key set and not deleted is there with its value. */
			bytes = 0;
			for (unsigned id = 0; id < N; id++) {
				size_t kl = keyof(k, id), vlen;
				const char *got = kv_get(&s, k, kl, &vlen);

				if (!len[id]) {
					assert_null(got);
					continue;
				}
				assert_non_null(got);
				assert_int_equal(vlen, len[id] - 1);
				assert_memory_equal(got, v + off[id], vlen);
				bytes += kl + vlen;
			}
			assert_int_equal(s.live_bytes, bytes);
		}
	}
	assert_true(grew > 5);
	assert_true(shrank > 0);
	assert_true(rehash_ops > 100); /* operations really ran mid-rehash */
	kv_free(&s);
	free(len);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_bytes_scripted),
		cmocka_unit_test(test_rehash_keeps_every_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
