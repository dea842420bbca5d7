/*
 * The one list of workloads, in the order `list` and the report show them: adding one is a
 * file in workloads/ and its line here (an explicit table: no constructor registers itself).
 */
#include <stddef.h>

#include "workload.h"

#define HB_REGISTRY(X)                                                                           \
	X(touch)                                                                                 \
	X(sparse)                                                                                \
	X(churn)                                                                                 \
	X(forkcow)                                                                               \
	X(redis)                                                                                 \
	X(defrag)                                                                                \
	X(external)                                                                               \
	X(replay)

#define HB_DECLARE(name) extern const struct hb_workload hb_workload_##name;
#define HB_ENTRY(name) &hb_workload_##name,
HB_REGISTRY(HB_DECLARE)

const struct hb_workload *const hb_workloads[] = { HB_REGISTRY(HB_ENTRY) NULL };
