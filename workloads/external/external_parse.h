/* external: the user's own program as a workload (program.c); its pure parts (external_parse.c:
 * metric specs, reading figures from output, placeholders) are unit-tested alone. */
#ifndef HB_WL_EXTERNAL_PARSE_H
#define HB_WL_EXTERNAL_PARSE_H
#include <stddef.h>
#include <stdint.h>

#include "outputs.h"

#define CMD_METRICS 4

enum cmd_hugetlb_mode {
	CMD_HUGETLB_TUNABLE,	 /* GLIBC_TUNABLES=glibc.malloc.hugetlb=2 */
	CMD_HUGETLB_PLACEHOLDER, /* {hugetlb} in the command lines becomes hugetlb_on */
};

struct external_params {
	const char *cmd, *setup, *server, *ready;
	const char *metric[CMD_METRICS];
	int hugetlb;
	const char *hugetlb_on, *hugetlb_off;
	const char *requires;
	const char *env;
	const char *allocator, *allocator_conf;
	uint64_t memory;
	uint64_t timeout, ready_timeout, sample, proof_every;
};

/* One metric spec, "NAME:UNIT:DIRECTION:REGEX". */
struct cmd_metric {
	char name[48];
	char unit[24];
	enum hb_better better;
	char regex[400];
};

/* Parses spec into m: 0, or -EINVAL with err saying what is wrong (names the spec). */
int cmd_metric_parse(const char *spec, struct cmd_metric *m, char *err, size_t len);

/* The value the first capture group of m's regex matches in out, the last match when there
 * are several (a summary follows progress lines). 0 with *v; -ENOENT no match, with why;
 * -EINVAL the group is not a number, with why. */
int cmd_metric_find(const struct cmd_metric *m, const char *out, double *v, char *why,
		    size_t len);

/* The placeholders a command line may hold. */
struct cmd_subst {
	const char *dir;     /* {dir}: the cell's temporary directory */
	const char *port;    /* {port}: a free loopback port */
	const char *hugetlb; /* {hugetlb}: hugetlb_on on a hugetlb backing, else hugetlb_off */
};

/* line with every placeholder replaced, into out: 0, -E2BIG when it does not fit, -EINVAL
 * for an unknown {word} (err names it and lists the placeholders). "{{" and "}}" are
 * literal braces (a lone "}" stays as it is). */
int cmd_substitute(const char *line, const struct cmd_subst *s, char *out, size_t len, char *err,
		   size_t errlen);

/* The first PROGRAM:PACKAGE of requires (space-separated) whose program find() does not find,
 * as the reason of a skipped cell into buf; NULL when all are there. find returns 0 when found. */
const char *cmd_requires_missing(const char *requires, int (*find)(const char *program),
				 char *buf, size_t len);

/* 1 with why a command failed into buf (its exit status, a signal or the timeout, and the
 * last lines of its stderr), 0 when it exited with status 0. status: a wait status. */
int cmd_failure(const char *what, int status, int timed_out, double secs, const char *err_tail,
		char *buf, size_t len);

/* What the report shows of the workload (external_report.c). */
extern const struct hb_outputs external_outputs;

#endif
