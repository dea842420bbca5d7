/*
 * One parameter-table type for every workload (fio's options, redis's config rows).
 * The table drives parsing, validation, --help, the results' params column and
 * "did you mean". Defaults and ranges are strings that go through the same parser as
 * user input, so a bad table fails its unit test and at start-up, not silently.
 */
#ifndef HB_PARAMS_H
#define HB_PARAMS_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum hb_param_type {
	HB_PT_SIZE,	/* uint64_t bytes, "64M" */
	HB_PT_DURATION, /* uint64_t nanoseconds, "200ms" */
	HB_PT_UINT,	/* uint64_t, "1000" */
	HB_PT_DOUBLE,	/* double, "0.99" */
	HB_PT_ENUM,	/* int index into choices */
	HB_PT_STRING,	/* const char *, kept as given (lives as long as argv) */
	HB_PT_BOOL,	/* uint64_t 0 or 1; takes 0/1, yes/no, true/false; written as 0/1 */
};

struct hb_param;
struct hb_role_cell; /* the cell a role is applied for (harness/machine/param_roles.h) */

/* When a role's apply runs among a cell's preparations, in this order. */
enum hb_role_stage {
	/* Before the backing is prepared: what decides whether the child can start at all (a
	 * library to preload into it). */
	HB_STAGE_CHILD_ENV,
	/* After the backing's own settings: machine settings for the cell. */
	HB_STAGE_MACHINE,
	/* Last, under every setting: aging the machine for the cell. */
	HB_STAGE_LAST,
};

/*
 * What the harness does with a parameter's value besides giving it to the workload (redis's
 * config rows carry their apply function): a row points at one of the roles harness/machine/
 * defines (below), and the workload needs no machine code of its own. The parser calls the
 * checks; the cell (run/cell.c) calls apply and restore at the role's stage, for every row of
 * the table that has it.
 */
struct hb_param_role {
	const char *name; /* "knob", "allocator": for messages */
	/* At start-up: does the row fit the role (type, .knob, .keep, range)? 0, or -EINVAL with
	 * err naming the row. */
	int (*check_row)(const struct hb_param *p, char *err, size_t len);
	/* A value for the row: 0, or -EINVAL with err. machine: the value is for a run here (also
	 * checked against this kernel), not one read back from a results file. NULL: any. */
	int (*check_value)(const struct hb_param *p, const char *value, int machine, char *err,
			   size_t len);
	enum hb_role_stage stage;
	/* Also for a cell whose table has no row of this role, with p NULL (aging records the
	 * machine's fragmentation before every cell). */
	int every_cell;
	/* In the parent, before the cell's child: applies the row's value for the cell; what
	 * restore needs goes into *state. 0, or -errno with why (the cell does not run; how it
	 * ends is c->refusal). NULL: nothing to apply (a value another role reads). */
	int (*apply)(const struct hb_param *p, struct hb_role_cell *c, void **state, char *why,
		     size_t len);
	/* After the cell (or a later role's refusal): puts back what apply changed. NULL:
	 * nothing to put back here. */
	void (*restore)(const struct hb_param *p, struct hb_role_cell *c, void *state);
};

/*
 * The roles (harness/machine/param_roles.c, age_role.c):
 * - hb_role_knob: a machine knob for the cell, named by .knob in the knob table
 *   (machine/knob_table.c); the value .keep leaves the machine's setting. Written through the
 *   knobs module before the child starts and restored after the cell; a kernel without it
 *   skips the cell. The value must be text (HB_PT_STRING or HB_PT_ENUM) and is checked
 *   against the knob's.
 * - hb_role_allocator: an allocator preset (machine/allocator.h) preloaded into the cell's
 *   child; checked against the presets, and a missing library skips the cell. HB_PT_STRING.
 * - hb_role_allocator_conf: the allocator's own settings, passed through with the preset's.
 *   HB_PT_STRING.
 * - hb_role_age: the machine's age for the cell (HB_PT_DOUBLE, 0-1; 0: fresh): the harness's
 *   fragmenter (machine/fragmenter.h) scatters free memory before the child starts and
 *   releases all it took after the cell, recording the order-9 fragmentation index before,
 *   aged and after.
 */
extern const struct hb_param_role hb_role_knob, hb_role_allocator, hb_role_allocator_conf,
	hb_role_age;

/* The help of an age row, for every workload that has one (range "0" to "1", default "0"). */
#define HB_AGE_HELP                                                                            \
	"age the machine first (root, hugetlb 2 MiB pool): leave free only the cell's need + 1 "  \
	"GiB, this share of it in scattered 4 KiB holes (0: fresh, as found)"

struct hb_choice {
	const char *name;
	const char *help;
};

struct hb_param {
	const char *name;
	enum hb_param_type type;
	size_t offset;			 /* into the workload's parameter struct */
	const char *def;		 /* default, parsed like user input */
	const char *min, *max;		 /* inclusive range, parsed like user input; NULL: none */
	const struct hb_choice *choices; /* HB_PT_ENUM: terminated by {NULL} */
	const char *help;
	const char *unit; /* of a number, shown in --help ("%", "ops/s"); NULL: none */
	const struct hb_param_role *role; /* NULL: the workload's own value, nothing more */
	const char *knob; /* hb_role_knob: the knob's name ("khugepaged/max_ptes_none") */
	const char *keep; /* hb_role_knob: the value that leaves the knob as it is ("keep") */
};

/* Tables end with an entry whose name is NULL. */
#define HB_PARAM_END { .name = NULL }

/* Checks a table: unique names, a parseable default inside its range, choices for enums, no
 * range on a bool, each row's role (.role's check_row: a known knob with its keep value, an
 * allocator row of the right type, ...), and the default through the role's check_value.
 * Returns 0 or -EINVAL with err naming the bad row. */
int hb_params_check_table(const struct hb_param *t, char *err, size_t errlen);
/* Fills dst with every default. */
int hb_params_defaults(const struct hb_param *t, void *dst, char *err, size_t errlen);
/* Parses "value" into the field named "name". -ENOENT: no such parameter (err lists what is
 * accepted and a near miss); -EINVAL: not parseable, or not a value the row's knob or
 * allocator role takes; -ERANGE: outside the range. */
int hb_params_set(const struct hb_param *t, void *dst, const char *name, const char *value,
		  char *err, size_t errlen);
/* Same, from "NAME=VALUE". */
int hb_params_set_arg(const struct hb_param *t, void *dst, const char *arg, char *err,
		      size_t errlen);
/* Canonical "name=value;name=value" of every parameter, for the results' params column. */
int hb_params_format(const struct hb_param *t, const void *src, char *buf, size_t len);
/* The inverse of hb_params_format: "name=value;..." back into dst, every parameter not named
 * keeping its default. String parameters point into *store, a copy of text the caller frees
 * (also on failure it may be set; free it). 0 or the error of the first bad field. */
int hb_params_parse(const struct hb_param *t, const char *text, void *dst, char **store,
		    char *err, size_t errlen);
/* One parameter's value as text, e.g. "256M". */
void hb_param_format_value(const struct hb_param *p, const void *src, char *buf, size_t len);
/* The first row of t with role r, or NULL. */
const struct hb_param *hb_params_find_role(const struct hb_param *t, const struct hb_param_role *r);
/* The table as --help text: name, type, default, range and unit, meaning, choices. */
void hb_params_help(const struct hb_param *t, FILE *f);
const struct hb_param *hb_params_find(const struct hb_param *t, const char *name);
/* The accepted name closest to "name" (edit distance <= 2), or NULL. */
const char *hb_params_suggest(const struct hb_param *t, const char *name);
/* Edit distance, shared by every "did you mean". */
int hb_edit_distance(const char *a, const char *b);

#endif
