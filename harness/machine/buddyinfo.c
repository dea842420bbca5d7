/*
 * /proc/buddyinfo and the unusable-free-space index (see buddyinfo.h). The parser is strict:
 * the text comes from the kernel or from a fixture, and it is fuzzed, so anything but
 * "Node <n>, zone <name> <count>..." lines is -EINVAL, never a guess.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buddyinfo.h"

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* An unsigned decimal at s: 0 and *end after it, or -EINVAL (no digit, overflow). */
static int parse_u64(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	*end = s;
	return 0;
}

/* One line, without its newline: [s, e). */
static int parse_line(const char *s, const char *e, struct hb_buddy_zone *z)
{
	uint64_t v;
	size_t n;

	if ((size_t)(e - s) < 5 || strncmp(s, "Node ", 5))
		return -EINVAL;
	s = skip_blanks(s + 5);
	if (s >= e || parse_u64(s, &v, &s) || s > e || v > 1u << 20)
		return -EINVAL;
	z->node = (int)v;
	if (s >= e || *s != ',')
		return -EINVAL;
	s = skip_blanks(s + 1);
	if ((size_t)(e - s) < 5 || strncmp(s, "zone ", 5))
		return -EINVAL;
	s = skip_blanks(s + 5);
	for (n = 0; s + n < e && s[n] != ' ' && s[n] != '\t'; n++)
		;
	if (!n || n >= sizeof(z->name))
		return -EINVAL;
	memcpy(z->name, s, n);
	z->name[n] = 0;
	s += n;
	z->norders = 0;
	for (;;) {
		s = skip_blanks(s);
		if (s >= e)
			break;
		if (z->norders == HB_BUDDY_MAX_ORDERS || parse_u64(s, &v, &s) || s > e)
			return -EINVAL;
		if (s < e && *s != ' ' && *s != '\t')
			return -EINVAL;
		z->free[z->norders++] = v;
	}
	return z->norders ? 0 : -EINVAL;
}

int hb_buddyinfo_parse(const char *text, struct hb_buddyinfo *b)
{
	const char *s = text;

	b->nzones = 0;
	while (*s) {
		const char *e = strchr(s, '\n');
		const char *next;
		int rc;

		if (!e)
			e = s + strlen(s);
		next = *e ? e + 1 : e;
		/* The kernel ends each line with a blank; a CR from a copied fixture is a blank. */
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e == s) {
			s = next;
			continue;
		}
		if (b->nzones == HB_BUDDY_MAX_ZONES)
			return -EINVAL;
		rc = parse_line(s, e, &b->z[b->nzones]);
		if (rc)
			return rc;
		b->nzones++;
		s = next;
	}
	return b->nzones ? 0 : -EINVAL;
}

int hb_buddyinfo_read(const char *path, struct hb_buddyinfo *b, char *text, size_t len)
{
	char buf[16384];
	size_t used = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + used, sizeof(buf) - 1 - used)) != 0) {
		if (n < 0) {
			rc = -errno;
			if (rc == -EINTR)
				continue;
			close(fd);
			return rc;
		}
		used += (size_t)n;
		if (used == sizeof(buf) - 1) {
			close(fd);
			return -EFBIG;
		}
	}
	close(fd);
	buf[used] = 0;
	if (strlen(buf) != used)
		return -EINVAL; /* a NUL inside: not text */
	rc = hb_buddyinfo_parse(buf, b);
	if (text && len) {
		size_t k = used < len - 1 ? used : len - 1;

		memcpy(text, buf, k);
		text[k] = 0;
	}
	return rc;
}

int hb_buddyinfo_zone_counted(const char *name)
{
	static const char *const counted[] = { "Normal", "DMA32", "Movable", "HighMem" };

	for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]); i++)
		if (!strcmp(name, counted[i]))
			return 1;
	return 0;
}

/* Pages in blocks of order >= from, over the counted zones; saturates rather than wraps. */
static uint64_t pages_from(const struct hb_buddyinfo *b, unsigned from)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < b->nzones; i++) {
		const struct hb_buddy_zone *z = &b->z[i];

		if (!hb_buddyinfo_zone_counted(z->name))
			continue;
		for (unsigned o = from; o < z->norders; o++) {
			uint64_t p = z->free[o] > (UINT64_MAX >> o) ? UINT64_MAX : z->free[o] << o;

			sum = p > UINT64_MAX - sum ? UINT64_MAX : sum + p;
		}
	}
	return sum;
}

uint64_t hb_buddyinfo_free_pages(const struct hb_buddyinfo *b)
{
	return pages_from(b, 0);
}

uint64_t hb_buddyinfo_free_pages_from(const struct hb_buddyinfo *b, unsigned order)
{
	return pages_from(b, order);
}

double hb_buddyinfo_unusable_index(const struct hb_buddyinfo *b, unsigned order)
{
	uint64_t all = pages_from(b, 0), big = pages_from(b, order);

	if (!all)
		return 0;
	if (big > all) /* only after saturation */
		big = all;
	return (double)(all - big) / (double)all;
}
