/*
 * The parameter roles for machine knobs and allocators, and applying every role of a cell
 * stage by stage (param_roles.h). The age role is in age_role.c, beside the fragmenter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "knob_table.h"
#include "param_roles.h"

/* The text of a row whose role does not fit its type or fields. */
static int misfit(const struct hb_param *p, char *err, size_t len)
{
	snprintf(err, len, "parameter '%s': its role (%s) does not fit its type or fields",
		 p->name, p->role->name);
	return -EINVAL;
}

/* ---- a machine knob for the cell (.knob, .keep) ---- */

static int knob_check_row(const struct hb_param *p, char *err, size_t len)
{
	if (!hb_knob_def_find(p->knob)) {
		snprintf(err, len, "parameter '%s' names knob '%s', which is not in the knob table",
			 p->name, p->knob ? p->knob : "(none)");
		return -EINVAL;
	}
	if ((p->type != HB_PT_STRING && p->type != HB_PT_ENUM) || !p->keep) {
		snprintf(err, len, "parameter '%s': a knob parameter is a string or a choice and "
			 "says which value keeps the knob (.keep)", p->name);
		return -EINVAL;
	}
	return 0;
}

static int knob_check_value(const struct hb_param *p, const char *value, int machine, char *err,
			    size_t len)
{
	const struct hb_knob_def *d = hb_knob_def_find(p->knob);
	char accepted[256];

	if (!d || (p->keep && !strcmp(value, p->keep)))
		return 0;
	if (hb_knob_def_check(d, value)) {
		hb_knob_def_accepted(d, accepted, sizeof(accepted));
		snprintf(err, len, "parameter '%s': '%s'; accepted: %s, %s", p->name, value,
			 p->keep, accepted);
		return -EINVAL;
	}
	if (machine && hb_knob_def_kernel_lists(d, "", value, accepted, sizeof(accepted))) {
		snprintf(err, len, "parameter '%s': '%s' is not offered by this kernel's %s; it "
			 "lists: %s", p->name, value, d->path, accepted);
		return -EINVAL;
	}
	return 0;
}

/* Written through the knobs module, which saved the old value first (also in its state file,
 * for a crash) and puts it back with the cell's other settings when the cell ends: the
 * restore half is the knobs module's. */
static int knob_apply(const struct hb_param *p, struct hb_role_cell *c, void **state, char *why,
		      size_t len)
{
	const struct hb_knob_def *d;
	char value[256];

	(void)state;
	hb_param_format_value(p, c->params, value, sizeof(value));
	if (!strcmp(value, p->keep))
		return 0;
	d = hb_knob_def_find(p->knob);
	if (!d) {
		snprintf(why, len, "parameter '%s' names an unknown knob '%s'", p->name, p->knob);
		return -EINVAL;
	}
	return hb_knob_def_apply(c->knobs, d, value, why, len);
}

const struct hb_param_role hb_role_knob = {
	.name = "knob",
	.check_row = knob_check_row,
	.check_value = knob_check_value,
	.stage = HB_STAGE_MACHINE,
	.apply = knob_apply,
};

/* ---- an allocator preset preloaded into the child, with its conf row ---- */

static int allocator_check_row(const struct hb_param *p, char *err, size_t len)
{
	return p->type == HB_PT_STRING && !p->knob && !p->keep ? 0 : misfit(p, err, len);
}

static int allocator_check_value(const struct hb_param *p, const char *value, int machine,
				 char *err, size_t len)
{
	size_t off;

	(void)machine;
	if (hb_allocator_preset_find(value))
		return 0;
	off = (size_t)snprintf(err, len, "parameter '%s': unknown '%s'; accepted:", p->name, value);
	for (const struct hb_allocator_preset *a = hb_allocator_presets; a->label; a++)
		if (off < len)
			off += (size_t)snprintf(err + off, len - off, " %s", a->label);
	return -EINVAL;
}

/* The child's environment: the preset the row names, with the conf row's settings. A library
 * that is not installed is -ENOENT with why (the cell is skipped). Nothing to restore: it is
 * the child's environment only. */
static int allocator_apply(const struct hb_param *p, struct hb_role_cell *c, void **state,
			   char *why, size_t len)
{
	const struct hb_param *conf = hb_params_find_role(c->table, &hb_role_allocator_conf);
	char label[256], settings[256] = "";

	(void)state;
	hb_param_format_value(p, c->params, label, sizeof(label));
	if (conf)
		hb_param_format_value(conf, c->params, settings, sizeof(settings));
	return hb_allocator_env(label, settings, c->child_env, why, len);
}

const struct hb_param_role hb_role_allocator = {
	.name = "allocator",
	.check_row = allocator_check_row,
	.check_value = allocator_check_value,
	.stage = HB_STAGE_CHILD_ENV,
	.apply = allocator_apply,
};

/* Read by the allocator row's apply; nothing of its own. */
const struct hb_param_role hb_role_allocator_conf = {
	.name = "allocator_conf",
	.check_row = allocator_check_row,
	.stage = HB_STAGE_CHILD_ENV,
};

/* ---- every role, and applying them ---- */

const struct hb_param_role *const hb_param_roles[] = {
	&hb_role_allocator, &hb_role_allocator_conf, &hb_role_knob, &hb_role_age, NULL,
};

static int apply_one(struct hb_roles_applied *ap, const struct hb_param_role *r,
		     const struct hb_param *p, struct hb_role_cell *c, char *why, size_t len)
{
	void *state = NULL;
	int rc;

	if (!r->apply)
		return 0;
	if (ap->n == HB_ROLES_MAX) {
		snprintf(why, len, "more than %d parameter rows with a role", HB_ROLES_MAX);
		c->refusal = HB_REFUSE_FAIL;
		return -E2BIG;
	}
	c->refusal = HB_REFUSE_SKIP;
	rc = r->apply(p, c, &state, why, len);
	if (rc)
		return rc;
	ap->a[ap->n].role = r;
	ap->a[ap->n].p = p;
	ap->a[ap->n].state = state;
	ap->n++;
	return 0;
}

int hb_roles_apply(struct hb_roles_applied *ap, enum hb_role_stage stage,
		   struct hb_role_cell *c, char *why, size_t len)
{
	for (int i = 0; hb_param_roles[i]; i++) {
		const struct hb_param_role *r = hb_param_roles[i];
		int rows = 0, rc;

		if (r->stage != stage)
			continue;
		for (const struct hb_param *p = c->table; p->name; p++) {
			if (p->role != r)
				continue;
			rows++;
			rc = apply_one(ap, r, p, c, why, len);
			if (rc)
				return rc;
		}
		if (!rows && r->every_cell) {
			rc = apply_one(ap, r, NULL, c, why, len);
			if (rc)
				return rc;
		}
	}
	return 0;
}

void hb_roles_restore(struct hb_roles_applied *ap, struct hb_role_cell *c)
{
	while (ap->n) {
		ap->n--;
		if (ap->a[ap->n].role->restore)
			ap->a[ap->n].role->restore(ap->a[ap->n].p, c, ap->a[ap->n].state);
	}
}
