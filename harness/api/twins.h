/*
 * The simulator twins of a real system, for `hugebench calibrate` (README "Calibration"). The
 * real workload declares each pair as data (struct hb_workload_report .twins): its own
 * parameters, the simulator's, how the simulator's parameters follow from the real run, and
 * the figures the two are compared on. The calibrate command runs both sides on 4k and
 * thp-always and writes calibration.csv; it knows no workload.
 */
#ifndef HB_TWINS_H
#define HB_TWINS_H
#include <stddef.h>
#include <stdint.h>

struct hb_workload;

/* A figure both sides report, or num / den of two (their medians); both: a row only when both
 * sides have it (a figure the real system cannot know would only make empty rows). */
struct hb_twin_metric {
	const char *name, *num, *den;
	int both;
};

/* One side: its parameters as a params text ("keys=1000000;value_size=500"), and what
 * `calibrate --quick` changes, appended (a later field wins). */
struct hb_twin_side {
	const char *workload; /* NULL on the real side: the declaring workload */
	const char *params;
	const char *quick;
};

#define HB_TWIN_READS 4

/* What a rule is given: the real side on one backing. */
struct hb_twin_real {
	const struct hb_workload *w;
	const char *params;  /* its parameters, as the results' params column */
	const char *scratch; /* a path prefix for a file of the simulated cell, unique per run
			      * and backing ("/tmp/hugebench-calibrate-<pid>-<n>") */
	/* The medians over repetitions of the rule's reads, on this backing, and which the run
	 * has. */
	double fig[HB_TWIN_READS];
	int have[HB_TWIN_READS];
};

/* How one parameter of the simulated side follows from the real side. */
struct hb_twin_rule {
	const char *param; /* of the simulated side */
	/* The real side's figures value reads (fig[i] is reads[i]); none: it follows from the
	 * real side's parameters alone. A simulated side with a rule that reads figures runs
	 * second, once per backing, with what the real side measured there. */
	const char *reads[HB_TWIN_READS];
	/* The value as text: 0, or -ENOENT when the real run lacks what it needs (then that
	 * backing gets no simulated cell, never a guess). NULL: the real side's parameter of
	 * the same name. */
	int (*value)(const struct hb_twin_real *r, char *buf, size_t len);
};

struct hb_twin {
	const char *pair; /* "fork": the pair's name in messages and cell labels */
	const char *what; /* one line for `calibrate --help` */
	struct hb_twin_side real, sim;
	const struct hb_twin_rule *rules;     /* ends with an entry whose param is NULL */
	const struct hb_twin_metric *metrics; /* ends with an entry whose name is NULL */
	/* Optional, `calibrate --fork-size SIZE`: the real side's parameters for a dataset of
	 * that many bytes (appended last), and the option's help. */
	int (*dataset)(uint64_t bytes, char *buf, size_t len);
	const char *dataset_help;
	/* A stand-in pair for the tests (HB_CALIBRATE_PAIRS=test): seconds, not a calibration. */
	int test_only;
};

#endif
