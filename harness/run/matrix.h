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

struct hb_results;
struct hb_matrix;

#define HB_MAX_BACKINGS 16
#define HB_BUDGET_MAX_REPS 25 /* no cell gets more repetitions than this in all */
#define HB_MAX_KNOB_ARGS 16   /* run --knob NAME=VALUE options */

/* Exit codes of hb_matrix_run and of every command, documented in `hugebench --help`. */
enum {
	HB_EXIT_OK = 0,		/* every cell ran (skips and fallbacks are results) */
	HB_EXIT_INTERNAL = 1,	/* a bug or an unexpected system error */
	HB_EXIT_USAGE = 2,	/* bad input: nothing was run */
	HB_EXIT_NO_RESOURCE = 3, /* no cell could run here: every one was skipped */
	HB_EXIT_CELL_FAILED = 4, /* at least one cell failed (crashed or errored) */
	HB_EXIT_BUSY = 5,	/* another hugebench run holds the machine: nothing was run */
	HB_EXIT_INTERRUPTED = 130,
};

/* More repetitions after the matrix's own, for the cells that still want them: bench
 * --budget (compare/budget.c: cells still unknown against a baseline) or a profile's budget
 * (report/claim_budget.c: cells of a claim the paired rule cannot decide yet). The run only
 * runs them while the time lasts and records what happened in meta.json. */
struct hb_extra_reps {
	uint64_t ns;	      /* the whole run's time budget; 0: none */
	const char *baseline; /* what the cells are judged against (--baseline), or NULL */
	const char *why;      /* what the wanted cells wait for, for the progress lines:
			       * "still unknown against DIR", "with a claim still open" */
	int max_reps;	      /* no cell gets more repetitions than this; 0: HB_BUDGET_MAX_REPS */
	/* Marks want[i * HB_MAX_BACKINGS + k] for entry i, backing k of m when that cell wants
	 * one more repetition, given the rows so far. Returns how many, or -ENOMEM. */
	int (*want)(struct hb_extra_reps *x, const struct hb_results *res,
		    const struct hb_matrix *m, unsigned char *want);
	/* what happened, for meta.json */
	int rounds, extra_cells, unknown_left;
};

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
	struct hb_extra_reps *budget; /* bench --budget or a profile's budget, or NULL */
	int wait_lock;		     /* --wait-lock: wait for another run instead of refusing */
	int cell_timeout_set;	     /* HB_TIMEOUT_FROM_*; 0: each cell's default (fit.h) */
	uint64_t cell_timeout_ns;    /* 0: no limit */
	/* --knob NAME=VALUE (checked: hb_knob_arg_check), set in every cell before the backing's
	 * own settings and put back after it (hb_knob_arg_apply) */
	const char *knob_args[HB_MAX_KNOB_ARGS];
	int nknob_args;
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
/* Restores machine settings left by a crashed earlier run, reporting it on stderr. Returns
 * the report (static) or NULL when there was nothing to restore. */
const char *hb_recover_stale_knobs(void);
/* Runs every cell, writes the run directory, prints its path on stdout. Returns the exit code
 * (HB_EXIT_*). */
int hb_matrix_run(struct hb_matrix *m, int argc, char **argv);
void hb_matrix_free(struct hb_matrix *m);

#endif
