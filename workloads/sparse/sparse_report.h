/* The sparse workload's report hooks (sparse_report.c): which parameter sets its table, charts
 * and claims use, and their labels. */
#ifndef HB_SPARSE_REPORT_H
#define HB_SPARSE_REPORT_H
#include <stddef.h>

/* The largest sweep: dense random heaps at 3 or more working sets, the same otherwise. */
size_t hb_sparse_sweep_sets(const char *const *sets, size_t n, const char **out, size_t max);
/* Table and bars: every set but the sweep's points, and the sweep's largest. */
size_t hb_sparse_table_sets(const char *const *sets, size_t n, const char **out, size_t max);
/* Dense random heaps of 1G or more (TLB-bound by any dTLB reach of 4K pages). */
size_t hb_sparse_big_dense_sets(const char *const *sets, size_t n, const char **out,
				size_t max);
/* Sparse heaps with one node per 2M or more. */
size_t hb_sparse_per_2m_sets(const char *const *sets, size_t n, const char **out, size_t max);
/* "dense 1G", "sparse 1G, a node per 2M, writes". */
int hb_sparse_label(const char *const *sets, size_t n, size_t i, char *buf, size_t len);

#endif
