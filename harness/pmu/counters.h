/*
 * Hardware and software performance counters of the cell's own process, through libpfm4 and
 * perf_event_open. Event names are libpfm4 strings ("skl::DTLB_LOAD_MISSES:WALK_COMPLETED",
 * "perf::PAGE-FAULTS"); the default set is chosen from the core PMU libpfm4 detects. Counting
 * is user space only, enabled only between hb_counters_enable and hb_counters_disable (the
 * workload's phases), and adds up over every such window.
 *
 * A counter that cannot be opened is never a 0: it carries the reason (no PMU exposed,
 * perf_event_paranoid, event unknown on this CPU) and is reported as `unavailable`.
 */
#ifndef HB_COUNTERS_H
#define HB_COUNTERS_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define HB_CTR_MAX 32
#define HB_CTR_WHY 256

/* What a counter feeds besides its own pmu:<name> row (bits; several events may add up). */
enum {
	HB_ROLE_CYCLES = 1,
	HB_ROLE_INSTRUCTIONS = 2,
	HB_ROLE_DTLB_MISS = 4,	 /* dtlb_load_misses */
	HB_ROLE_DTLB_WALK = 8,	 /* dtlb_walks_completed */
	HB_ROLE_WALK_CYCLES = 16, /* dtlb_walk_cycles */
};

/* One row of a default event table. */
struct hb_ctr_def {
	const char *name; /* libpfm4 event string, PMU-qualified */
	unsigned roles;
};

/* The default set for one libpfm4 core PMU. */
struct hb_ctr_table {
	const char *pmu;  /* libpfm4 PMU name, e.g. "skl", "amd64_fam19h_zen4", "arm_n1" */
	const char *desc; /* what it is, for the README and sysinfo */
	const struct hb_ctr_def *defs; /* ends with a NULL name */
};

/* Every default table, ending with a NULL pmu; the last real one is the generic fallback. */
extern const struct hb_ctr_table hb_ctr_tables[];
/* Software events every set ends with (they work in VMs too). */
extern const struct hb_ctr_def hb_ctr_software[];

struct hb_counter {
	char name[128];
	unsigned roles;
	int fd;		/* -1 when not open */
	int leader;	/* index of its group leader (itself when it leads) */
	int pos;	/* position inside the group's read buffer */
	int hardware;	/* not a PERF_TYPE_SOFTWARE event */
	int err;	/* 0, or -errno / -ENOENT... why it is not counted */
	char why[HB_CTR_WHY];
	uint64_t value, enabled, running;		/* raw, over every window */
	uint64_t base_value, base_enabled, base_running; /* after the group probe */
};

struct hb_counters {
	struct hb_counter c[HB_CTR_MAX];
	int n;
	char pmu[48];	 /* libpfm4's detected core PMU, or "" */
	int grouped;	 /* hardware events counted as one group */
	int enabled;
	int group_all;	 /* tests: software events join the group too, so the group path runs
			  * on a machine without a PMU */
};

/* The wanted events: "" or NULL for the default set of the detected PMU (plus software
 * events); else a comma-separated list of libpfm4 event strings, where "default" stands for
 * the default set. Encodes them (an unknown event is marked unavailable, not an error).
 * Returns 0, or -EINVAL with err set when the list itself is malformed. */
int hb_counters_init(struct hb_counters *cs, const char *events, char *err, size_t errlen);
/* The list part of hb_counters_init, for a cs whose pmu is already set (tests force it). */
int hb_counters_parse(struct hb_counters *cs, const char *events, char *err, size_t errlen);
/* Opens every encoded counter on the calling thread, disabled; hardware events as one group
 * where the PMU schedules it, else one by one (multiplexed by the kernel). */
void hb_counters_open(struct hb_counters *cs);
void hb_counters_enable(struct hb_counters *cs);
void hb_counters_disable(struct hb_counters *cs);
/* Reads every open counter into value/enabled/running (relative to the probe). */
void hb_counters_read(struct hb_counters *cs);
void hb_counters_close(struct hb_counters *cs);

/* Scales a multiplexed count: scaled = raw * enabled / running, ratio = running / enabled.
 * 0, or -ENODATA when it never counted (enabled == 0: no window; running == 0: the PMU never
 * scheduled it). */
int hb_counter_scale(uint64_t raw, uint64_t enabled, uint64_t running, double *scaled,
		     double *ratio);

/* One result row: value is NULL for `unavailable`; note says why or how it was scaled. */
typedef void (*hb_ctr_emit_fn)(void *arg, const char *metric, const double *value,
			       const char *unit, const char *note);
/* Rows for every counter (pmu:<name>) and the derived dTLB metrics. accesses is the
 * workload's own count of memory accesses (0: not counted). */
void hb_counters_report(const struct hb_counters *cs, uint64_t accesses, hb_ctr_emit_fn emit,
			void *arg);

/* Which counters of the default set this machine gives, for sysinfo / meta.json. */
json_t *hb_counters_sysinfo(void);

/* The libpfm4 default PMU table for a PMU name, or NULL. */
const struct hb_ctr_table *hb_ctr_table_for(const char *pmu);

#endif
