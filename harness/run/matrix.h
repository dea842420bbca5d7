/*
 * A matrix of cells: entries (one workload with one parameter set on a list of backings)
 * times repetitions. `run` builds one from the command line, `bench` from a profile. Running
 * it interleaves repetitions: rep 1 of every entry and backing, then rep 2, and so on, since
 * on a shared machine only figures measured side by side compare fairly.
 */
#ifndef HB_MATRIX_H
#define HB_MATRIX_H
#include <stddef.h>
#include <stdint.h>

#include "backing.h"
#include "workload.h"

struct hb_budget;

#define HB_MAX_BACKINGS 16

struct hb_matrix_entry {
	const struct hb_workload *w;
	void *params; /* owned */
	char params_text[1024];
	struct hb_backing backings[HB_MAX_BACKINGS];
	int nbackings;
	char label[64]; /* optional name from a profile section; "" for run */
	int reps;	/* repetitions of this entry; 0: the matrix's */
	int cell_timeout_set;	  /* a profile section's cell_timeout (fit.c) */
	uint64_t cell_timeout_ns; /* 0: none */
};

/* A cell that cannot be built at all (e.g. a profile names a workload this binary lacks): it
 * becomes a `status,skipped` row with the reason, so the report lists it. */
struct hb_matrix_skip {
	char workload[64], backing[64], params[512], why[256];
};

struct hb_matrix {
	struct hb_matrix_entry *e;
	size_t n, cap;
	struct hb_matrix_skip *skips;
	size_t nskips;
	int reps;
	const char *out;	     /* results directory; NULL for the default */
	uint64_t series_interval_ns;
	uint64_t seed;
	const char *command_kind;    /* "run" or "bench", for meta.json */
	const char *profile;	     /* bench profile name or path, or NULL */
	const char *events;	     /* counters (--events), NULL for the default set */
	struct hb_budget *budget;    /* bench --budget, or NULL */
	int wait_lock;		     /* --wait-lock: wait for another run instead of refusing */
	int cell_timeout_set;	     /* HB_TIMEOUT_FROM_*; 0: each cell's default (fit.h) */
	uint64_t cell_timeout_ns;    /* 0: no limit */
};

/* Where the matrix's cell timeout comes from: the option beats a profile section's. */
enum { HB_TIMEOUT_FROM_PROFILE = 1, HB_TIMEOUT_FROM_OPTION = 2 };

void hb_matrix_init(struct hb_matrix *m);
/* Adds an entry; params (params_size bytes) is copied. When the workload has an expand hook
 * the one parameter set may become several entries. Returns 0 or -ENOMEM / -EINVAL. */
int hb_matrix_add(struct hb_matrix *m, const struct hb_workload *w, const void *params,
		  const struct hb_backing *backings, int nbackings, const char *label);
int hb_matrix_skip(struct hb_matrix *m, const char *workload, const char *backing,
		   const char *params, const char *why);
/* Total bytes the largest cell needs, and the fit check against MemAvailable and the hugetlb
 * pools. 0, or -ENOMEM after printing which cell does not fit. */
int hb_matrix_check_fit(const struct hb_matrix *m);
/* The wall-clock limit of the cells of entry e (ns; 0: none) and where it comes from: the
 * option, the profile, or the default of hb_cell_timeout_default (fit.h). */
uint64_t hb_matrix_cell_timeout(const struct hb_matrix *m, const struct hb_matrix_entry *e,
				char *from, size_t len);
/* One progress line per entry (once per run of equal lines) saying each cell's limit. */
void hb_matrix_log_timeouts(const struct hb_matrix *m);
/* --dry-run: the one line saying what hb_matrix_run would run, on stdout. */
void hb_matrix_dry_run(const struct hb_matrix *m, const char *command);
/* Runs every cell, writes the run directory, prints its path on stdout. Returns the exit code
 * (runner.h). */
int hb_matrix_run(struct hb_matrix *m, int argc, char **argv);
void hb_matrix_free(struct hb_matrix *m);

#endif
