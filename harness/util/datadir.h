/* Where shipped data (profiles/, plots/) is: the source tree when run from the build tree,
 * else the installed $(pkgdatadir). */
#ifndef HB_DATADIR_H
#define HB_DATADIR_H
#include <stddef.h>

/* buf = <data dir>/<rel>. $HUGEBENCH_DATADIR overrides. Returns 0, or -ENAMETOOLONG. */
int hb_data_path(const char *rel, char *buf, size_t len);
/* buf = <lib dir>/<name>: a built library the harness uses (the recorder, libhbrecord.so):
 * beside the binary in the build tree, else the installed $(pkglibdir); $HUGEBENCH_LIBDIR
 * overrides. 0, or -ENAMETOOLONG. */
int hb_lib_path(const char *name, char *buf, size_t len);

#endif
