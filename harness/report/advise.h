/*
 * `hugebench advise`: from one or more runs, the configuration to use per priority, with its
 * evidence, its cost and how sure it is, what the runs cannot tell and the command that would
 * measure it (docs/advise.md). The rules are the workloads' data (outputs.h struct
 * hb_advice_rule); every comparison is the paired rule of paired_fig.h, so the advice and the
 * report's verdicts agree. Nothing here names a workload.
 */
#ifndef HB_ADVISE_H
#define HB_ADVISE_H
#include <stddef.h>

#include "doc.h"
#include "rundata.h"

enum hb_adv_prio { HB_ADV_LATENCY, HB_ADV_THROUGHPUT, HB_ADV_MEMORY, HB_ADV_BALANCED, HB_ADV_N };
extern const char *const hb_adv_prio_names[HB_ADV_N];
/* The index of a priority's name, or -EINVAL. */
int hb_adv_prio_parse(const char *name);

struct hb_adv_service; /* advise_service.h: an inspect output, the service as it runs now */

struct hb_adv_opts {
	int fork_snapshots;	 /* the service forks snapshots: fork rules weigh in */
	double memory_limit_kib; /* 0: none */
	/* NULL: none. Its charged memory scales the footprint figures: a backing's predicted
	 * memory = charged x (its figure / the figure of the backing the service runs under). */
	const struct hb_adv_service *service;
};

enum hb_adv_sure {
	HB_ADV_UNDECIDED = 0, /* nothing decided: the default (4k) stays */
	HB_ADV_PARTLY,	      /* decided on some figures, others still open */
	HB_ADV_DECIDED,	      /* every figure it weighs is decided by the paired rule */
};
extern const char *const hb_adv_sure_text[3];

#define HB_ADV_LINES 40
#define HB_ADV_LINE 480
#define HB_ADV_SETTINGS 12

struct hb_adv_lines {
	size_t n;
	char s[HB_ADV_LINES][HB_ADV_LINE];
};

struct hb_advice {
	int prio;
	char backing[32]; /* the choice; "" when nothing fits --memory-limit */
	enum hb_adv_sure sure;
	/* The configuration: sysfs writes (path, value), the kernel command line, the service's
	 * environment, what each means. */
	size_t nsys;
	char sys_path[HB_ADV_SETTINGS][128], sys_value[HB_ADV_SETTINGS][48];
	char cmdline[256];
	size_t nenv;
	char env[4][256];
	char allocator[64], allocator_conf[192];
	int allocator_conflict; /* the evidence came from sets of different allocators */
	char allocators[192];	/* then every one of them, ", "-joined, in the order met */
	double footprint_kib; /* the choice's largest memory figure; 0 unknown */
	int no_runs;	      /* only an inspect output: nothing to decide from */
	/* With a service: the choice's predicted memory and its interval (KiB); 0 none. */
	double predicted_kib, predicted_lo, predicted_hi;
	double service_kib; /* what the service is charged now (the inspect output) */
	struct hb_adv_lines config, evidence, cost, ruled, open, measure;
	struct hb_adv_lines memory; /* the service's predicted memory per backing, or why not */
};

/* The advice for prio from runs[0..n). 0, or -ENOMEM. */
int hb_advise_decide(const struct hb_rundata *const *runs, size_t n, int prio,
		     const struct hb_adv_opts *o, struct hb_advice *a);
/* advise.md's section of one advice, its heading at level, in a doc. */
void hb_advise_doc(struct hb_doc *d, const struct hb_advice *a, int level);
/* A titled list of lines (none: the text when empty; NULL: nothing when empty). */
void hb_advise_list(struct hb_doc *d, const char *title, const struct hb_adv_lines *l,
		    const char *none);
/* The section "The service now" of an inspect output. */
void hb_advise_service_doc(struct hb_doc *d, const struct hb_adv_service *s, int level);
/* The report's opening: the balanced decision for the run r (no fork snapshots, no limit). */
void hb_advise_section(struct hb_doc *d, const struct hb_rundata *r);
/* The files into dir (made when missing), each written whole: apply.sh, kernel-cmdline.txt,
 * hugebench-advice.conf, ansible-vars.yml. 0 or -errno, with the file in err. */
int hb_advise_files(const char *dir, const struct hb_advice *a, char *err, size_t len);

#endif
