#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readfile.h"

int hb_read_text(const char *path, char *buf, size_t len)
{
	size_t used = 0, start = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (used < len - 1 && (n = read(fd, buf + used, len - 1 - used)) != 0) {
		if (n < 0) {
			int err = -errno;

			if (err == -EINTR)
				continue;
			close(fd);
			return err;
		}
		used += (size_t)n;
	}
	close(fd);
	while (used && isspace((unsigned char)buf[used - 1]))
		used--;
	buf[used] = 0;
	while (start < used && isspace((unsigned char)buf[start]))
		start++;
	memmove(buf, buf + start, used - start + 1);
	return 0;
}

int hb_read_u64(const char *path, uint64_t *v)
{
	char buf[64], *end;
	int rc = hb_read_text(path, buf, sizeof(buf));

	if (rc)
		return rc;
	if (!isdigit((unsigned char)buf[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoull(buf, &end, 10);
	return errno ? -errno : 0;
}
