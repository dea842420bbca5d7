#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sink.h"

int hb_sink_check(const char *path, char *why, size_t len)
{
	struct stat st;
	int fd, rc;

	if (!path || !*path) {
		snprintf(why, len, "sink path is empty");
		return -EINVAL;
	}
	if (stat(path, &st) == 0) {
		if (S_ISREG(st.st_mode)) {
			snprintf(why, len, "sink '%s' exists; the sink file is removed after each "
				 "cell, so give a path that does not exist yet (or /dev/null)", path);
			return -EEXIST;
		}
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			rc = -errno;
			snprintf(why, len, "sink '%s' cannot be written: %s", path, strerror(errno));
			return rc;
		}
		close(fd);
		return 0;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, len, "sink '%s' cannot be written: %s", path, strerror(errno));
		return rc;
	}
	close(fd);
	unlink(path);
	return 0;
}

int hb_sink_open(struct hb_sink *s, const char *path, uint64_t rate)
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->rate = rate;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		s->fd = open(path, O_WRONLY | O_CLOEXEC);
		return s->fd < 0 ? -errno : 0;
	}
	/* A new file is unlinked at once and written through its descriptor: the bytes still
	 * go to the disk, and nothing is left behind however the cell ends (even SIGKILL). */
	s->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return -errno;
	unlink(path);
	return 0;
}

int hb_sink_write(struct hb_sink *s, const void *buf, size_t len)
{
	const char *p = buf;

	if (!s->t0)
		s->t0 = hb_now_ns();
	while (len) {
		ssize_t n = write(s->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
		s->bytes += (uint64_t)n;
	}
	if (s->rate) {
		/* Sleep until the bytes so far are due at the rate. */
		uint64_t due = s->t0 + (uint64_t)((double)s->bytes * 1e9 / (double)s->rate);
		uint64_t now = hb_now_ns();

		if (due > now) {
			struct timespec ts = { .tv_sec = (time_t)((due - now) / 1000000000ull),
					       .tv_nsec = (long)((due - now) % 1000000000ull) };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		}
	}
	return 0;
}

void hb_sink_close(struct hb_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
