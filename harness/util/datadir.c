#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"

/* A binary that sits next to a Makefile whose source tree still has plots/ is the build
 * tree's: use the source files, so a change is seen without `make install`. Its folder into
 * dir. */
static int in_build_tree_at(char *dir)
{
	char *exe = dir, probe[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, PATH_MAX - 1);
	char *slash;

	if (n <= 0)
		return 0;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return 0;
	*slash = 0;
	snprintf(probe, sizeof(probe), "%s/Makefile", exe);
	if (access(probe, R_OK))
		return 0;
	return access(HB_SRCDIR "/plots", R_OK) == 0;
}

static int in_build_tree(void)
{
	char dir[PATH_MAX];

	return in_build_tree_at(dir);
}

int hb_lib_path(const char *name, char *buf, size_t len)
{
	const char *env = getenv("HUGEBENCH_LIBDIR");
	char dir[PATH_MAX];
	const char *base = env && *env ? env : in_build_tree_at(dir) ? dir : HB_LIBDIR;

	if ((size_t)snprintf(buf, len, "%s/%s", base, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int hb_data_path(const char *rel, char *buf, size_t len)
{
	const char *env = getenv("HUGEBENCH_DATADIR");
	const char *base = env && *env ? env : in_build_tree() ? HB_SRCDIR : HB_DATADIR;

	if ((size_t)snprintf(buf, len, "%s/%s", base, rel) >= len)
		return -ENAMETOOLONG;
	return 0;
}
