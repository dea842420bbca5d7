/*
 * What `hugebench advise` reads from a `hugebench inspect --out DIR` directory (docs/advise.md,
 * docs/inspect.md): the last sample of the set (pid `all`) in inspect.csv, and from
 * inspect.json the THP mode and each process's malloc, so that a running service's figures
 * frame the decision: what it gets now, and --memory-limit scaled to it.
 */
#ifndef HB_ADVISE_SERVICE_H
#define HB_ADVISE_SERVICE_H
#include <limits.h>
#include <stddef.h>

#include "advise.h"
#include "procinfo.h"
#include "workload.h"

enum hb_svc_fig {
	HB_SVC_RSS,	 /* rss_kib */
	HB_SVC_COVERAGE, /* huge_coverage_pct */
	HB_SVC_CHARGED,	 /* charged_kib */
	HB_SVC_BEYOND,	 /* beyond_rss_kib */
	HB_SVC_ZERO,	 /* zero_share_pct */
	HB_SVC_N
};

struct hb_svc_value {
	int ok; /* 0: unavailable, why in note */
	double v;
	char note[200]; /* the row's note: its source, or why it is unavailable */
};

struct hb_adv_service {
	char dir[PATH_MAX];
	unsigned samples; /* the set's samples in inspect.csv */
	double t_s;	  /* the last one's time, seconds since inspect started */
	struct hb_svc_value fig[HB_SVC_N];
	/* From inspect.json: the THP settings (enabled, the defrag mode; "" when it could not be
	 * read, why in json_why), the malloc. */
	struct hb_thp_settings thp;
	char allocator[64];   /* the processes' malloc ("jemalloc"; "jemalloc, glibc") */
	char malloc_env[256]; /* its settings from the environment, "; "-joined */
	int thp_disabled;     /* every process read has THP_enabled 0 (prctl) */
	double madv_kib;      /* anonymous KiB in MADV_HUGEPAGE regions; < 0 unknown */
	char json_why[256];
	/* The backing its THP mode stands for (thp-always, thp, 4k), "" when the mode is unknown;
	 * how it was mapped, or why not. */
	char backing[32];
	char backing_why[256];
};

extern const char *const hb_svc_fig_names[HB_SVC_N]; /* the inspect.csv metric names */

/* Whether dir is an inspect output: inspect.csv present, no results.csv. */
int hb_adv_service_is(const char *dir);
/* Reads dir into s. 0; -ENOENT when dir has no inspect.csv; -EINVAL when it is not inspect's
 * (header, no row of pid all), err saying what. A figure missing from the last sample, or
 * inspect.json absent, is unavailable with why, not an error. */
int hb_adv_service_load(const char *dir, struct hb_adv_service *s, char *err, size_t len);
/* The rule's command (its measure) for this service (NULL: as it is): the backing the
 * service runs under added to `-b` of a footprint rule's `hugebench run` (so that a run of it
 * scales --memory-limit), and its malloc as the workload's allocator parameter where the
 * workload has one, the command sets none and the malloc is an allocator preset. */
void hb_adv_service_command(const struct hb_adv_service *s, const struct hb_workload *w,
			    const struct hb_advice_rule *rule, char *out, size_t len);
/* The lines of the section "The service now" into l. */
void hb_adv_service_lines(const struct hb_adv_service *s, struct hb_adv_lines *l);

#endif
