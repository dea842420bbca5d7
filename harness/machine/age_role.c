/*
 * The age role (params.h hb_role_age): a parameter row "age" ages the machine for the cell
 * with the fragmenter (fragmenter.h) after every other setting, and gives it all back after
 * the cell. Every cell, aged or not, records the order-9 fragmentation index it started from.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fragmenter.h"
#include "param_roles.h"
#include "readfile.h"

#define INDEX_NOTE "unusable-free-space index for order 9 (2 MiB) from /proc/buddyinfo, zones " \
		   "Normal+DMA32+Movable: 0 all free memory in >= 2 MiB blocks, 1 none"

static void index_row(struct hb_role_cell *c, const char *metric, double index, const char *note)
{
	char v[32];

	if (index < 0)
		snprintf(v, sizeof(v), "unavailable");
	else
		snprintf(v, sizeof(v), "%.4f", index);
	c->row(c->arg, metric, v, "", note);
}

static int age_check_row(const struct hb_param *p, char *err, size_t len)
{
	if (p->type != HB_PT_DOUBLE || p->knob || p->keep) {
		snprintf(err, len, "parameter '%s': its role (%s) does not fit its type or fields",
			 p->name, p->role->name);
		return -EINVAL;
	}
	/* A share of the free memory: the fragmenter takes (0, 1], 0 is a fresh cell. */
	if (!p->min || !p->max || strtod(p->min, NULL) < 0 || strtod(p->max, NULL) > 1) {
		snprintf(err, len,
			 "parameter '%s': an age row needs a range inside 0-1 (.min, .max)", p->name);
		return -EINVAL;
	}
	return 0;
}

/* Aged here, after the backing's and the rows' settings and before the child; p NULL (no age
 * row) or age 0: a fresh cell, only its index recorded. */
static int age_apply(const struct hb_param *p, struct hb_role_cell *c, void **state, char *why,
		     size_t len)
{
	double share = p ? hb_frag_param_share(c->table, c->params) : 0;
	struct hb_frag *f;
	uint64_t pool;
	char v[32];
	int rc;

	if (share <= 0) {
		index_row(c, "frag_index_order9_before", hb_frag_index_now(NULL, 0),
			  INDEX_NOTE "; fresh cell (age 0), not aged");
		return 0;
	}
	if (geteuid()) {
		snprintf(why, len, "age=%g needs root (the fragmenter grows a hugetlb pool)",
			 share);
		return -EPERM;
	}
	if (hb_read_u64(HB_FRAG_POOL, &pool)) {
		snprintf(why, len, "age=%g needs the hugetlb 2 MiB pool knob %s", share,
			 HB_FRAG_POOL);
		return -ENOENT;
	}
	f = malloc(sizeof(*f));
	if (!f) {
		snprintf(why, len, "age=%g: out of memory", share);
		c->refusal = HB_REFUSE_FAIL;
		return -ENOMEM;
	}
	rc = hb_frag_age(f, c->knobs, share, c->need, c->stop, why, len);
	if (rc) {
		c->refusal = rc == -EINTR ? HB_REFUSE_STOP
			     : rc == -ENOMEM || rc == -ENOENT || rc == -EPERM ? HB_REFUSE_SKIP
									     : HB_REFUSE_FAIL;
		free(f);
		return rc;
	}
	index_row(c, "frag_index_order9_before", f->index_before, INDEX_NOTE);
	index_row(c, "frag_index_order9_aged", f->index_aged,
		  INDEX_NOTE "; after aging, before the child");
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->plug_pages * 2048);
	c->row(c->arg, "age_plug_kib", v, "KiB",
	       "hugetlb 2 MiB pages the fragmenter held untouched as a plug during the cell");
	snprintf(v, sizeof(v), "%llu", (unsigned long long)f->filler_kib);
	c->row(c->arg, "age_filler_kib", v, "KiB",
	       "4 KiB pages the filler held (every other page of twice this, touched)");
	snprintf(v, sizeof(v), "%.1f", f->age_ns / 1e6);
	c->row(c->arg, "age_ms", v, "ms", "time aging took");
	*state = f;
	return 0;
}

/* After the cell: the index, the three buddyinfo readings in buddyinfo/<id>.txt, release. */
static void age_restore(const struct hb_param *p, struct hb_role_cell *c, void *state)
{
	struct hb_frag *f = state;
	size_t cap = 3 * HB_FRAG_TEXT + 256;
	char name[200], *text;

	(void)p;
	if (!f)
		return; /* a fresh cell: nothing was taken */
	hb_frag_after(f);
	index_row(c, "frag_index_order9_after", f->index_after,
		  INDEX_NOTE "; after the cell, before the fragmenter released its memory");
	text = malloc(cap);
	if (text) {
		int n = snprintf(text, cap,
				 "# before aging\n%s\n# aged\n%s\n# after the cell\n%s\n",
				 f->text_before, f->text_aged, f->text_after);

		snprintf(name, sizeof(name), "buddyinfo/%s.txt", c->id);
		if (c->write_file(c->arg, name, text, n < (int)cap ? (size_t)n : cap - 1)) {
			char what[256];

			snprintf(what, sizeof(what), "cannot write %s", name);
			c->err(c->arg, what);
		}
		free(text);
	}
	if (hb_frag_release(f))
		c->err(c->arg, "the fragmenter could not put the hugetlb pool back");
	free(f);
}

const struct hb_param_role hb_role_age = {
	.name = "age",
	.check_row = age_check_row,
	.stage = HB_STAGE_LAST,
	.every_cell = 1,
	.apply = age_apply,
	.restore = age_restore,
};
