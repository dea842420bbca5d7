/* Backing names: parsing them against the table (backing_ops.c), listing what this kernel
 * has, and the calls the rest of the harness makes, which ask the backing's ops. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backing.h"
#include "units.h"

#define PMD_SIZE_FALLBACK (2ull << 20)

/* "2m" -> 2097152, "64k" -> 65536: backing names use lower-case suffixes. */
static int parse_page_size(const char *s, uint64_t *out)
{
	uint64_t v;

	if (hb_parse_size(s, &v) || v < 4096 || (v & (v - 1)))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_one(const struct hb_backing_ops *o, const char *name, struct hb_backing *b)
{
	size_t n = strlen(o->name);

	if (!o->sized) {
		if (strcmp(name, o->name))
			return -EINVAL;
		b->page_size = o->page_size;
	} else if (strncmp(name, o->name, n) || parse_page_size(name + n, &b->page_size) ||
		   !o->size_ok(b->page_size)) {
		return -EINVAL;
	}
	b->ops = o;
	b->wants_huge = o->wants_huge;
	return 0;
}

int hb_backing_parse(const char *name, struct hb_backing *b, char *err, size_t errlen)
{
	size_t off;

	memset(b, 0, sizeof(*b));
	if (strlen(name) < sizeof(b->name)) {
		snprintf(b->name, sizeof(b->name), "%s", name);
		for (const struct hb_backing_ops *o = hb_backing_table; o->name; o++)
			if (!parse_one(o, name, b))
				return 0;
	}
	memset(b, 0, sizeof(*b));
	off = (size_t)snprintf(err, errlen, "unknown backing '%s'; accepted: ", name);
	for (const struct hb_backing_ops *o = hb_backing_table; o->name && off < errlen; o++)
		off += (size_t)snprintf(err + off, errlen - off, "%s%s",
					o == hb_backing_table ? "" : ", ", o->accepted);
	return -EINVAL;
}

const char *hb_backing_unsupported(const struct hb_backing *b, char *buf, size_t len)
{
	if (!b->ops)
		return "unknown backing";
	return b->ops->unsupported ? b->ops->unsupported(b, buf, len) : NULL;
}

int hb_backing_prepare(const struct hb_backing *b, struct hb_knobs *k, uint64_t bytes, char *why,
		       size_t len)
{
	if (!b->ops)
		return -EINVAL;
	return b->ops->prepare ? b->ops->prepare(b, k, bytes, why, len) : 0;
}

void *hb_backing_map(const struct hb_backing *b, uint64_t bytes, uint64_t *mapped)
{
	if (!b->ops) {
		errno = EINVAL;
		return NULL;
	}
	return b->ops->map(b, bytes, mapped);
}

uint64_t hb_backing_pool_pages(const struct hb_backing *b, uint64_t bytes)
{
	return b->ops && b->ops->pool_pages ? b->ops->pool_pages(b, bytes) : 0;
}

/* Calls fn for every backing this kernel could have: the fixed ones, then for a sized one each
 * hugepages-<N>kB of its directory (below the PMD size where the PMD size is another's). */
static void for_each_backing(void (*fn)(const char *name, void *arg), void *arg)
{
	char name[64];

	for (const struct hb_backing_ops *o = hb_backing_table; o->name; o++) {
		if (!o->sized) {
			fn(o->name, arg);
			continue;
		}
		/* Sizes in order, smallest first: probe the powers of two. */
		for (unsigned long long k = 8; k <= (16ull << 20); k <<= 1) {
			char path[128], sz[32];

			snprintf(path, sizeof(path), "%s/hugepages-%llukB", o->sizes_dir, k);
			if (access(path, F_OK) ||
			    (o->sizes_below_pmd && (k << 10) >= PMD_SIZE_FALLBACK))
				continue;
			hb_format_size(k << 10, sz, sizeof(sz));
			for (char *c = sz; *c; c++)
				*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
			snprintf(name, sizeof(name), "%s%s", o->name, sz);
			fn(name, arg);
		}
	}
}

static void list_one(const char *name, void *arg)
{
	FILE *f = arg;
	struct hb_backing b;
	char err[256], buf[256];
	const char *why;

	if (hb_backing_parse(name, &b, err, sizeof(err)))
		return;
	why = hb_backing_unsupported(&b, buf, sizeof(buf));
	fprintf(f, "  %-12s %s%s\n", name, why ? "not available here: " : "available", why ? why : "");
}

void hb_backing_list(FILE *f)
{
	for_each_backing(list_one, f);
}

struct default_acc {
	char *buf;
	size_t len, off;
};

static void default_one(const char *name, void *arg)
{
	struct default_acc *a = arg;
	struct hb_backing b;
	char err[256], why[256];

	/* The default matrix: the baseline and the common huge backings, not every mTHP size. */
	if (strcmp(name, "4k") && strcmp(name, "thp") && strcmp(name, "hugetlb-2m"))
		return;
	if (hb_backing_parse(name, &b, err, sizeof(err)) ||
	    hb_backing_unsupported(&b, why, sizeof(why)))
		return;
	if (a->off < a->len)
		a->off += (size_t)snprintf(a->buf + a->off, a->len - a->off, "%s%s",
					   a->off ? "," : "", name);
}

void hb_backing_default_list(char *buf, size_t len)
{
	struct default_acc a = { buf, len, 0 };

	buf[0] = 0;
	for_each_backing(default_one, &a);
}
