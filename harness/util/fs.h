/* Small file-system helpers shared by the modules that make directories. */
#ifndef HB_FS_H
#define HB_FS_H
#include <sys/types.h>

/* mkdir -p: makes path and every missing parent with mode (parents that exist are left as
 * they are). 0, also when path is a directory already; -ENOTDIR when it is something else;
 * -errno of the first mkdir that failed; -ENAMETOOLONG for a path of PATH_MAX or more, which
 * is never cut short (a truncated path names some other directory). */
int hb_mkdir_p(const char *path, mode_t mode);

#endif
