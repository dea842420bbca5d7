/*
 * The sparse workload's building blocks, exposed for its unit tests and tests/bench/chase_bench:
 * the heap's cycle and the chase loop. They work on any memory (the tests use malloc).
 */
#ifndef HB_SPARSE_H
#define HB_SPARSE_H
#include <stdint.h>

/*
 * Links n nodes at base + i * spacing into one cycle: node i's first word points to its
 * successor. random: a random cyclic permutation (Sattolo's algorithm, seeded by seed), so one
 * lap visits every node once in an order spread over the whole span; else node i -> i + 1.
 * Built in place in the nodes' first words (no side array). Writes every node's first word.
 */
void hb_sparse_link(char *base, uint64_t n, uint64_t spacing, int random, uint64_t seed);
/* The measured loop: `hops` dependent loads p = *(void **)p from p. Returns where it ended. */
void *hb_sparse_chase(void *p, uint64_t hops);
/* Same, and each hop also stores to the node: it increments the node's second word. */
void *hb_sparse_chase_write(void *p, uint64_t hops);

struct hb_analysis;
/* The figures derived across cells (sparse_analysis.c). */
void hb_sparse_derive(struct hb_analysis *a);

#endif
