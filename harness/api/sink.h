/*
 * Where a snapshot's bytes go: /dev/null, or a file that plays the dump (unlinked as soon as
 * it is opened, so nothing is left behind however the cell ends), optionally capped to a byte rate to play a slow disk. The harness opens it, so a
 * workload never touches a file itself.
 */
#ifndef HB_SINK_H
#define HB_SINK_H
#include <stddef.h>
#include <stdint.h>

struct hb_sink {
	int fd;
	uint64_t rate;	/* bytes/s, 0 = as fast as it goes */
	uint64_t t0, bytes;
};

/* Before anything runs: can path be a sink? A device (e.g. /dev/null) must be writable; a
 * file must not exist yet (the sink removes it afterwards, so an existing file would be
 * lost) and its directory must take it. 0, or -errno with why (naming the path). */
int hb_sink_check(const char *path, char *why, size_t len);
int hb_sink_open(struct hb_sink *s, const char *path, uint64_t rate);
/* Writes all of buf, sleeping as needed to stay under the rate. 0 or -errno. */
int hb_sink_write(struct hb_sink *s, const void *buf, size_t len);
/* A new file is removed as soon as it is opened (written through the descriptor). */
void hb_sink_close(struct hb_sink *s);

#endif
