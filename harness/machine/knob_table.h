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

/*
 * A knob named on the command line (`run --knob NAME=VALUE`): one of hb_knob_defs, or
 * mthp/<N>kB/enabled, the per-size mTHP switch (HB_THP_DIR/hugepages-<N>kB/enabled: always,
 * inherit, madvise, never) of a size this kernel has. def's strings point into this struct:
 * use it where it was filled.
 */
struct hb_knob_named {
	struct hb_knob_def def;
	char name[48], path[128];
};
/* The names --knob takes, for messages and --help: "thp/enabled, ..., mthp/<N>kB/enabled". */
void hb_knob_def_names(char *buf, size_t len);
/* Fills *out for name against root ("" for the machine). 0; -ENOENT for a name that is neither
 * (why lists the names accepted); -ENODEV for an mTHP size this kernel lacks (why names the
 * sizes it has). */
int hb_knob_def_resolve(const char *name, const char *root, struct hb_knob_named *out,
			char *why, size_t len);
/* "NAME=VALUE" as given: 0 when NAME resolves and VALUE is one it takes and, for a knob of
 * words, this kernel's file lists it; else -EINVAL with why naming NAME or VALUE and what is
 * accepted. */
int hb_knob_arg_check(const char *arg, const char *root, char *why, size_t len);
/* For one cell: resolves "NAME=VALUE" against k's root and applies it (hb_knob_def_apply), so
 * the knobs module saved the old value and puts it back. 0 or -errno, why. */
int hb_knob_arg_apply(struct hb_knobs *k, const char *arg, char *why, size_t len);

#endif
