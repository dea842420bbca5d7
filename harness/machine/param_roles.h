/*
 * The cell's side of the parameter roles (params.h struct hb_param_role): what a role's apply
 * and restore are given, the list of every role, and applying them stage by stage. The roles
 * live here, in machine/, beside what they change (param_roles.c: knobs and allocators;
 * age_role.c: the fragmenter); run/cell.c only calls hb_roles_apply and hb_roles_restore.
 */
#ifndef HB_PARAM_ROLES_H
#define HB_PARAM_ROLES_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "params.h"
#include "workload.h"

struct hb_knobs;

/* How a cell ends when a role's apply refuses it. */
enum hb_role_refusal {
	HB_REFUSE_SKIP, /* it cannot run here (the default) */
	HB_REFUSE_FAIL,
	HB_REFUSE_STOP, /* the runner was told to stop */
};

struct hb_role_cell {
	const struct hb_param *table; /* the workload's parameter table */
	const void *params;	      /* the cell's parameter struct */
	uint64_t need;		      /* bytes the cell needs (memory_needed) */
	const char *id;		      /* the cell's id: names its files */
	struct hb_knobs *knobs;	      /* every machine write goes through it */
	struct hb_child_env *child_env;
	volatile sig_atomic_t *stop; /* set by the runner's signal handler */
	/* A result row of the cell; a file of the run directory (name relative to it; its
	 * folder is made); a line for the log about what could not be done. */
	void (*row)(void *arg, const char *metric, const char *value, const char *unit,
		    const char *note);
	int (*write_file)(void *arg, const char *name, const char *text, size_t len);
	void (*err)(void *arg, const char *what);
	void *arg;
	enum hb_role_refusal refusal; /* set by an apply that refuses */
};

/* Every role, NULL-terminated; within a stage they apply in this order. */
extern const struct hb_param_role *const hb_param_roles[];

#define HB_ROLES_MAX 32
/* What was applied for a cell, to restore in reverse. */
struct hb_roles_applied {
	unsigned n;
	struct {
		const struct hb_param_role *role;
		const struct hb_param *p;
		void *state;
	} a[HB_ROLES_MAX];
};

/* Applies every row of c->table whose role is of stage (and every every_cell role the table
 * has no row of). 0, or the first refusal's -errno with why and c->refusal; what was applied
 * before it stays in ap, for hb_roles_restore. */
int hb_roles_apply(struct hb_roles_applied *ap, enum hb_role_stage stage,
		   struct hb_role_cell *c, char *why, size_t len);
/* Restores everything in ap, newest first, and empties it. */
void hb_roles_restore(struct hb_roles_applied *ap, struct hb_role_cell *c);

#endif
