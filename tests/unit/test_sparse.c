/* The sparse workload's cycle and chase, and the knee finder, on small heaps in plain memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "knee.h"
#include "results.h"
#include "run_analysis.h"
#include "sparse.h"
#include "workload.h"

static char *heap(uint64_t n, uint64_t spacing)
{
	char *b = calloc(n, spacing);

	assert_non_null(b);
	return b;
}

static uint64_t index_of(const char *base, const void *p, uint64_t spacing)
{
	return (uint64_t)((const char *)p - base) / spacing;
}

/* One cycle over all n nodes: n hops from node 0 visit each node once and come back. */
static void check_single_cycle(uint64_t n, uint64_t spacing, int random, uint64_t seed)
{
	char *b = heap(n, spacing), *seen = calloc(n, 1);
	void *p = b;

	assert_non_null(seen);
	hb_sparse_link(b, n, spacing, random, seed);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = index_of(b, p, spacing);

		assert_true(k < n);
		assert_true((uint64_t)((char *)p - b) % spacing == 0);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
		p = *(void **)p;
	}
	assert_ptr_equal(p, b);
	free(seen);
	free(b);
}

static void test_cycle(void **state)
{
	static const uint64_t ns[] = { 1, 2, 3, 17, 1000, 65536 };

	(void)state;
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		check_single_cycle(ns[i], 64, 1, 42);
		check_single_cycle(ns[i], 64, 1, i * 7919);
		check_single_cycle(ns[i], 24, 0, 0);
	}
}

/* Random really is random: not node i -> i + 1, and another seed gives another order. */
static void test_random_order(void **state)
{
	const uint64_t n = 4096;
	char *a = heap(n, 64), *b = heap(n, 64);
	uint64_t next_is_neighbour = 0, same = 0;

	(void)state;
	hb_sparse_link(a, n, 64, 1, 1);
	hb_sparse_link(b, n, 64, 1, 2);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t ka = index_of(a, *(void **)(a + i * 64), 64);
		uint64_t kb = index_of(b, *(void **)(b + i * 64), 64);

		next_is_neighbour += ka == (i + 1) % n;
		same += ka == kb;
		assert_int_not_equal(ka, i); /* a cycle of n > 1 has no fixed point */
	}
	assert_true(next_is_neighbour < 16);
	assert_true(same < 16);
	free(a);
	free(b);
}

/* The chase makes exactly `hops` hops, also when hops is no multiple of the unrolling. */
static void test_chase_hops(void **state)
{
	static const uint64_t hops[] = { 0, 1, 7, 8, 9, 15, 16, 17, 1000, 12345 };
	const uint64_t n = 97, sp = 32;
	char *b = heap(n, sp);

	(void)state;
	hb_sparse_link(b, n, sp, 1, 9);
	for (size_t i = 0; i < sizeof(hops) / sizeof(hops[0]); i++) {
		void *ref = b;

		for (uint64_t h = 0; h < hops[i]; h++)
			ref = *(void **)ref;
		assert_ptr_equal(hb_sparse_chase(b, hops[i]), ref);
		assert_ptr_equal(hb_sparse_chase_write(b, hops[i]), ref);
	}
	free(b);
}

/* With writes, every hop stores once to the node it visits: the counters add up to the hops
 * and, from node 0 over a single cycle, each node got floor or ceil of hops / n. */
static void test_chase_write_visits(void **state)
{
	const uint64_t n = 50, sp = 16, hops = 1234;
	char *b = heap(n, sp);
	uint64_t sum = 0;

	(void)state;
	hb_sparse_link(b, n, sp, 1, 5);
	hb_sparse_chase_write(b, hops);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t c = ((uint64_t *)(b + i * sp))[1];

		assert_true(c == hops / n || c == hops / n + 1);
		sum += c;
	}
	assert_int_equal(sum, hops);
	free(b);
}

#define K (1ull << 10)
#define M (1ull << 20)
#define G (1ull << 30)

/* 4K..4G in 2x steps: L1, L2, L3 plateaus, memory at 64M, and a translation rise. */
static void curve(uint64_t *size, double *ns, size_t *n, double mem, double top, uint64_t from)
{
	*n = 0;
	for (uint64_t s = 4 * K; s <= 4 * G; s *= 2, (*n)++) {
		size[*n] = s;
		ns[*n] = s <= 32 * K ? 1 : s <= M ? 3.5 : s <= 16 * M ? 12 : s <= 32 * M ? 20 : mem;
		if (s >= from) /* translation: up by a step per doubling from "from" */
			ns[*n] = mem + (top - mem) * (double)(s / from) / (double)(4 * G / from);
	}
}

static void test_knee(void **state)
{
	uint64_t size[32];
	double ns[32];
	size_t n, plat = 99;
	int k;

	(void)state;
	/* Flat memory plateau: no knee. */
	curve(size, ns, &n, 100, 100, 8 * G);
	assert_int_equal(hb_knee_find(size, ns, n, 32 * M, HB_KNEE_RISE, &plat), -ENOENT);
	assert_int_equal(size[plat], 128 * M);
	/* Rises from 512M to 400 ns at 4G: the first point >= 125 ns is the knee. */
	curve(size, ns, &n, 100, 400, 512 * M);
	k = hb_knee_find(size, ns, n, 32 * M, HB_KNEE_RISE, &plat);
	assert_true(k >= 0);
	assert_int_equal(size[plat], 128 * M);
	for (size_t i = plat + 1; i < (size_t)k; i++)
		assert_true(ns[i] < 125);
	assert_true(ns[k] >= 125);
	assert_int_equal(size[k], 512 * M);
	/* A small rise (10%) is noise, not a knee. */
	curve(size, ns, &n, 100, 110, 256 * M);
	assert_int_equal(hb_knee_find(size, ns, n, 32 * M, HB_KNEE_RISE, &plat), -ENOENT);
	/* Unknown LLC: the plateau is after the largest step (32M -> 64M here). */
	curve(size, ns, &n, 100, 400, 512 * M);
	assert_int_equal(hb_knee_find(size, ns, n, 0, HB_KNEE_RISE, &plat), k);
	assert_int_equal(size[plat], 64 * M);
	/* A sweep that stops before 4 x LLC has no plateau. */
	assert_int_equal(hb_knee_find(size, ns, 10, 32 * M, HB_KNEE_RISE, &plat), -ENOENT);
	/* Bad input. */
	size[3] = size[2];
	assert_int_equal(hb_knee_find(size, ns, n, 32 * M, HB_KNEE_RISE, &plat), -EINVAL);
	assert_int_equal(hb_knee_find(NULL, ns, n, 0, HB_KNEE_RISE, &plat), -EINVAL);
}

static const struct hb_row *find_row(const struct hb_results *r, const char *backing,
				     const char *params_prefix, int rep, const char *metric)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->rows[i].backing, backing) && r->rows[i].rep == rep &&
		    !strcmp(r->rows[i].metric, metric) &&
		    !strncmp(r->rows[i].params, params_prefix, strlen(params_prefix)))
			return &r->rows[i];
	return NULL;
}

/* derive() on synthetic result rows: translation per size and rep, a knee per backing. */
static void test_derive(void **state)
{
	const struct hb_workload *w = hb_workload_find("sparse");
	const char *tail = ";node_size=64;spacing=0;order=random;sweep=";
	/* The facts of a run's machine record (this one's: 32 MiB LLC, 3072-entry L2 dTLB). */
	const struct hb_machine_facts facts = { .llc_bytes = 32 * M, .tlb_reach_4k = 12 * M,
						.tlb_reach_2m = 6144 * M };
	uint64_t llc = facts.llc_bytes, step = 16 * llc;
	struct hb_results r;
	const struct hb_row *row;
	char params[256], want[32];

	(void)state;
	assert_non_null(w);
	memset(&r, 0, sizeof(r));
	/* 4k: 10 ns in cache, 100 from 8M, 300 from `step`; thp 100 throughout memory. */
	for (uint64_t s = 4 * K; s <= 64 * step; s *= 2) {
		for (int rep = 1; rep <= 2; rep++) {
			double v4 = s < 8 * M ? 10 : s < step ? 100 : 300;
			double vt = s < 8 * M ? 10 : 100 + rep;

			snprintf(params, sizeof(params), "span=%lluK%s", (unsigned long long)(s >> 10),
				 tail);
			hb_results_addf(&r, "sparse", "4k", params, rep, "ns_per_access", v4, "ns", NULL);
			hb_results_addf(&r, "sparse", "thp", params, rep, "ns_per_access", vt, "ns", NULL);
		}
	}
	assert_int_equal(hb_analysis_run(w, &r, &facts), 0);
	snprintf(params, sizeof(params), "span=%lluK;", (unsigned long long)(step >> 9));
	row = find_row(&r, "thp", params, 2, "translation_ns");
	assert_non_null(row);
	assert_string_equal(row->value, "198");
	row = find_row(&r, "thp", params, 2, "translation_pct");
	assert_non_null(row);
	assert_string_equal(row->value, "66");
	row = find_row(&r, "4k", "node_size=64", 0, "tlb_knee_kib");
	assert_non_null(row);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)(step >> 10));
	assert_string_equal(row->value, want);
	/* A row about the whole sweep names the range it covers, in the table's format. */
	assert_non_null(strstr(row->params, ";sweep=4K..32G"));
	assert_null(strstr(row->params, "span="));
	row = find_row(&r, "thp", "node_size=64", 0, "tlb_knee_kib");
	assert_non_null(row);
	assert_string_equal(row->value, "unavailable");
	assert_non_null(strstr(row->note, "no knee"));
	assert_non_null(find_row(&r, "4k", "node_size=64", 0, "tlb_reach_kib"));
	/* A 2 MiB backing without a knee gets no note about its translation size. */
	assert_null(find_row(&r, "thp", "node_size=64", 0, "effective_translation_kib"));
	hb_results_free(&r);

	/* thp rising where 4k does, far below the 2 MiB reach: the note says 4 KiB. */
	memset(&r, 0, sizeof(r));
	for (uint64_t s = 4 * K; s <= 64 * step; s *= 2) {
		double v = s < 8 * M ? 10 : s < step ? 100 : 300;

		snprintf(params, sizeof(params), "span=%lluK%s", (unsigned long long)(s >> 10), tail);
		hb_results_addf(&r, "sparse", "4k", params, 1, "ns_per_access", v * 1.1, "ns", NULL);
		hb_results_addf(&r, "sparse", "thp", params, 1, "ns_per_access", v, "ns", NULL);
	}
	assert_int_equal(hb_analysis_run(w, &r, &facts), 0);
	row = find_row(&r, "thp", "node_size=64", 0, "effective_translation_kib");
	assert_non_null(row);
	assert_string_equal(row->value, "4");
	assert_non_null(strstr(row->note, "host backs guest memory with small pages"));
	/* The figures come from the record: the reach row is the record's 2 MiB reach. */
	row = find_row(&r, "thp", "node_size=64", 0, "tlb_reach_kib");
	assert_non_null(row);
	assert_string_equal(row->value, "6291456");
	assert_null(find_row(&r, "4k", "node_size=64", 0, "effective_translation_kib"));
	hb_results_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_random_order),
		cmocka_unit_test(test_chase_hops),
		cmocka_unit_test(test_chase_write_visits),
		cmocka_unit_test(test_knee),
		cmocka_unit_test(test_derive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
