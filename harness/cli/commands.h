/* The commands. Their exit codes (HB_EXIT_*) are the run's (run/matrix.h). */
#ifndef HB_RUNNER_H
#define HB_RUNNER_H

#include "matrix.h"

struct hb_backing;

/* argv[0] is "run". Returns an exit code. */
int hb_cmd_run(int argc, char **argv);
/* argv[0] is "bench" (cmd_bench.c) or "plot" (cmd_plot.c). Return an exit code. */
int hb_cmd_bench(int argc, char **argv);
int hb_cmd_plot(int argc, char **argv);
/* argv[0] is "compare" (cmd_compare.c): exit 0 nothing worse, 1 worse, 2, 3. */
int hb_cmd_compare(int argc, char **argv);
/* argv[0] is "baseline" (cmd_baseline.c). */
int hb_cmd_baseline(int argc, char **argv);
/* argv[0] is "calibrate" (cmd_calibrate.c): a run's exit code. */
int hb_cmd_calibrate(int argc, char **argv);
/* "4k,thp" into out (at most max); the count, or -EINVAL after printing what is accepted. */
int hb_parse_backing_list(const char *list, struct hb_backing *out, int max);
/* --cell-timeout (run and bench, cmd_run.c): the value into m, or -EINVAL after saying why;
 * and its --help text. */
struct hb_matrix;
int hb_parse_cell_timeout(const char *arg, struct hb_matrix *m);
extern const char hb_cell_timeout_help[];
/* --wait-lock's help; the rows of both options in run's and bench's tables. */
extern const char hb_wait_lock_help[];
/* --knob NAME=VALUE (run and bench, cmd_run.c): checked against the knob table and this
 * kernel, then added to m; -EINVAL after saying why (opt: the option's name, for the
 * message). Its --help text, which ab's --a-knob and --b-knob refer to. */
int hb_parse_knob_arg(const char *opt, const char *arg, struct hb_matrix *m);
int hb_check_knob_arg(const char *opt, const char *arg);
extern const char hb_knob_help[];
#define HB_OPTION_KNOB { "knob", HB_OPT_KNOB, "NAME=VALUE", "--knob NAME=VALUE ...", hb_knob_help }
#define HB_OPTION_CELL_TIMEOUT { "cell-timeout", 'T', "DURATION", NULL, hb_cell_timeout_help }
#define HB_OPTION_WAIT_LOCK { "wait-lock", HB_OPT_WAIT_LOCK, NULL, NULL, hb_wait_lock_help }
/* Each command's option table (options.h), in the file of the command. */
struct hb_command;
extern const struct hb_command hb_run_command, hb_bench_command, hb_plot_command,
	hb_compare_command, hb_baseline_command, hb_calibrate_command, hb_restore_command,
	hb_noise_command, hb_ab_command;
/* argv[0] is "ab" (cmd_ab.c): two configurations interleaved; compare's exit status. */
int hb_cmd_ab(int argc, char **argv);
/* argv[0] is "noise" (cmd_noise.c): thresholds from K runs of a profile. */
#define HB_NOISE_MAX_RUNS 17
int hb_cmd_noise(int argc, char **argv);
/* argv[0] is "inspect" (cmd_inspect.c): 0, 1 internal error, 2 bad input. */
int hb_cmd_inspect(int argc, char **argv);
extern const struct hb_command hb_inspect_command;
/* argv[0] is "record" (cmd_record.c) or "trace" (cmd_trace.c): allocation traces. */
int hb_cmd_record(int argc, char **argv);
int hb_cmd_trace(int argc, char **argv);
extern const struct hb_command hb_record_command, hb_trace_command;
/* argv[0] is "advise" (cmd_advise.c): 0, 1 internal error, 2 bad input. */
int hb_cmd_advise(int argc, char **argv);
extern const struct hb_command hb_advise_command;
/* argv[0] is "restore" (cmd_restore.c): 0 restored or nothing to do, 1 cannot. */
int hb_cmd_restore(int argc, char **argv);
/* Before any command: a crashed run's settings are restored (root) or described with how to
 * restore them (not root), on stderr. */
void hb_stale_state_check(void);

#endif
