/* The churn workload's report hooks (churn_report.c). */
#ifndef HB_CHURN_REPORT_H
#define HB_CHURN_REPORT_H
#include <stddef.h>

/* "jemalloc dirty_decay_ms:0": the allocator and its configuration tell churn's sets apart. */
int hb_churn_label(const char *const *sets, size_t n, size_t i, char *buf, size_t len);
/* The sets run under a jemalloc allocator (any configuration). */
size_t hb_churn_jemalloc_sets(const char *const *sets, size_t n, const char **out, size_t max);

#endif
