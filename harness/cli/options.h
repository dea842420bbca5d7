/*
 * A command's options as one table, the way a workload's parameters are: the same rows build
 * getopt_long's short and long options, the usage line and --help (and so the man page, which
 * help2man makes from --help). A letter means one thing in every command (hb_options_check).
 */
#ifndef HB_CLI_OPTIONS_H
#define HB_CLI_OPTIONS_H
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>

/* The keys of options without a short letter (a short option's key is its letter). */
enum {
	HB_OPT_LONG_ONLY = 0x100,
	HB_OPT_DRY_RUN,
	HB_OPT_WAIT_LOCK,
	HB_OPT_PROFILE,
	HB_OPT_BASELINE,
	HB_OPT_RELATIVE_TO,
	HB_OPT_FORK_SIZE,
	HB_OPT_VERSION,
	HB_OPT_NO_PROBE,
	HB_OPT_RUNS,
	HB_OPT_A_BIN,
	HB_OPT_B_BIN,
	HB_OPT_A_ENV,
	HB_OPT_B_ENV,
	HB_OPT_A_PARAM,
	HB_OPT_B_PARAM,
	HB_OPT_PROFILE_THRESHOLDS,
	HB_OPT_KNOB,
	HB_OPT_A_KNOB,
	HB_OPT_B_KNOB,
	HB_OPT_PRIORITY,
	HB_OPT_FORK_SNAPSHOTS,
	HB_OPT_MEMORY_LIMIT,
};

struct hb_option {
	const char *name; /* the long name: "backing" */
	int key;	  /* what the parse returns: the short letter, or an HB_OPT_ key */
	const char *arg;  /* the value's name in --help ("LIST"); NULL: a flag */
	/* in the usage line instead of "--name ARG" ("-p NAME=VALUE ..."); "": left out */
	const char *usage;
	const char *help; /* one paragraph, wrapped when printed; "\n" breaks a line */
};

struct hb_command {
	const char *name;     /* "run"; NULL: the top level, `hugebench` itself */
	const char *operands; /* after the name in the usage line: "WORKLOAD", "BASE NEW [NEW...]" */
	int operands_last;    /* they go after the options instead ("-- COMMAND [ARGS...]") */
	const char *summary;  /* one line for `hugebench --help` */
	const char *about;    /* --help, between the usage line and the options */
	const char *epilog;   /* --help, after the options */
	/* --help, after the about text: what the command reads from data, not from code (the
	 * shipped profiles, the pairs the workloads declare); NULL: nothing */
	void (*about_data)(FILE *f);
	const struct hb_option *options; /* ends with { 0 } */
};

/* Rows every command has. */
#define HB_OPTION_DRY_RUN                                                                   \
	{ "dry-run", HB_OPT_DRY_RUN, NULL, NULL,                                             \
	  "check every argument as a real run would (bad input: exit 2), print one line "    \
	  "saying what it would do, and exit 0: nothing is changed, written or locked" }
#define HB_OPTION_HELP { "help", 'h', NULL, "", "this text" }

#define HB_MAX_OPTIONS 24

/* A number macro as text, for help strings ("at most " HB_STR(N)). */
#define HB_STR_(x) #x
#define HB_STR(x) HB_STR_(x)

/* getopt_long's view of one table. */
struct hb_opt_parser {
	const struct hb_command *cmd;
	char optstring[2 + 2 * HB_MAX_OPTIONS];
	struct option longopts[HB_MAX_OPTIONS + 1];
	int scanning;
};

/* Builds the short and long options of cmd, for a scan of argv from argv[1]. */
void hb_opt_begin(struct hb_opt_parser *p, const struct hb_command *cmd);
/* The next option's key (its value in optarg), '?' for a bad one (getopt said why), -1 at the
 * end; the operands are then argv[optind...], in their order (getopt moves them after the
 * options). */
int hb_opt_next(struct hb_opt_parser *p, int argc, char **argv);
/* Reads argv as the parse would, with nothing said and argv left as it is: whether
 * --dry-run is among the options, and the first operand (NULL: none). */
void hb_opt_scan(const struct hb_command *cmd, int argc, char **argv, int *dry_run,
		 const char **operand);
/* The options of a command that has only flags: --help (printed: returns 1), --dry-run (sets
 * *dry_run) and flag_key's (sets *flag). 0 with the operands at argv[optind...], or -EINVAL
 * after a bad option (the usage printed). */
int hb_opt_flags(const struct hb_command *cmd, int argc, char **argv, int flag_key, int *flag,
		 int *dry_run);
/* The usage line (continuation lines begin with spaces and '['). */
void hb_opt_usage(const struct hb_command *cmd, FILE *f);
/* The option lines of --help: "  -b, --backing LIST   help...", wrapped. */
void hb_opt_print_options(const struct hb_command *cmd, FILE *f);
/* The whole --help: usage line, about, the options, the epilog. */
void hb_opt_help(const struct hb_command *cmd, FILE *f);
/* Every command's table is well formed and a letter has one long name across all of them;
 * 0, or -EINVAL with err saying which row is wrong. */
int hb_options_check(const struct hb_command *const *cmds, char *err, size_t len);

#endif
