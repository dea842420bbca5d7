/*
 * Allocators under test (glibc malloc, jemalloc, tcmalloc, mimalloc), put in a cell's child
 * with LD_PRELOAD of the distribution's shared library. Nothing links against them: the
 * library is found on disk in the parent, and in the child its statistics and version are
 * read through dlsym, which also proves which malloc the process really has.
 */
#ifndef HB_ALLOCATOR_H
#define HB_ALLOCATOR_H
#include <stddef.h>

#include "workload.h"

struct hb_allocator_preset {
	const char *label;	/* "jemalloc+thp": what -p allocator= accepts */
	const char *allocator;	/* glibc, jemalloc, tcmalloc, mimalloc */
	const char *conf;	/* allocator_conf it implies ("" for none) */
	const char *help;
};

/* Every accepted label, NULL-terminated by label. */
extern const struct hb_allocator_preset hb_allocator_presets[];
const struct hb_allocator_preset *hb_allocator_preset_find(const char *label);

/* The shared library of allocator "name" (not glibc) in the directories the dynamic loader
 * uses for this architecture. 0 with its path, -ENOENT with why. */
int hb_allocator_find(const char *name, char *path, size_t len, char *why, size_t wlen);
/* The child's environment for label plus the user's conf (appended to the preset's):
 * LD_PRELOAD and MALLOC_CONF / GLIBC_TUNABLES / MIMALLOC_* / TCMALLOC_* variables.
 * 0, -ENOENT (allocator not installed) or -EINVAL (conf not NAME=VALUE where the allocator
 * reads its settings from separate variables), with why. */
int hb_allocator_env(const char *label, const char *conf, struct hb_child_env *env, char *why,
		     size_t len);
/* meta.json: each allocator's library path and package version, or why it is absent. */
void *hb_allocators_json(void); /* json_t * */

#endif
