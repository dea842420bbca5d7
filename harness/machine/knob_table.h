/*
 * The machine knobs a workload parameter may ask for, by symbolic name: a parameter row
 * names one (params.h .role = &hb_role_knob, .knob, with the value that means "leave it",
 * param_roles.c), and the harness writes it
 * through the knobs module before the cell's child starts; the knobs module puts it back
 * after the cell. Workloads never see a sysfs path.
 */
#ifndef HB_KNOB_TABLE_H
#define HB_KNOB_TABLE_H
#include <stddef.h>
#include <stdint.h>

struct hb_knobs;

struct hb_knob_def {
	const char *name;	    /* "khugepaged/max_ptes_none" */
	const char *path;	    /* as on a real machine; the knobs module adds its root */
	const char *const *choices; /* the words it takes, NULL-terminated; NULL: a number */
	uint64_t min, max;	    /* a number: the inclusive range */
};

/* Every knob, ending with an entry whose name is NULL. */
extern const struct hb_knob_def hb_knob_defs[];
const struct hb_knob_def *hb_knob_def_find(const char *name);
/* What it takes, as text for messages: "0-511", "always, madvise, never". */
void hb_knob_def_accepted(const struct hb_knob_def *d, char *buf, size_t len);
/* 0 when value is one it takes, else -EINVAL. */
int hb_knob_def_check(const struct hb_knob_def *d, const char *value);
/* For a knob of words: whether this kernel's file (root + path, root "" for the machine)
 * lists value, as a selection file does ("always defer [madvise] never"). 0 when it does, when
 * the file is absent or unreadable (the cell is skipped later, with the reason) or holds no
 * list; -EINVAL when it lists other words, with the kernel's words in listed. */
int hb_knob_def_kernel_lists(const struct hb_knob_def *d, const char *root, const char *value,
			     char *listed, size_t len);
/* For one cell: reads it (absent: -ENOENT and why says "<path> is absent on this kernel"),
 * then sets value through k, which saved the old value and restores it. 0 or -errno, why. */
int hb_knob_def_apply(struct hb_knobs *k, const struct hb_knob_def *d, const char *value,
		      char *why, size_t len);

#endif
