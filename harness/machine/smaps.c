/*
 * Parser for /proc/PID/smaps and /proc/PID/smaps_rollup.
 *
 * The file is a sequence of VMA headers ("start-end perms offset dev inode [path]"), each
 * followed by "Name:   N kB" lines and a few lines without a unit (THPeligible:, VmFlags:,
 * ProtectionKey:). Lines are classified by their first word: a field is an identifier followed
 * by ':', anything else must be a valid header. That keeps a corrupt header from being
 * skipped silently, which would fold its fields into the previous VMA.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smaps.h"

enum smaps_field {
	F_SIZE,
	F_RSS,
	F_PRIVATE_DIRTY,
	F_ANON_HUGE,
	F_PRIVATE_HUGETLB,
	F_SHARED_HUGETLB,
	F_KERNEL_PAGE,
	F_ANONYMOUS,
	F_SHMEM_PMD,
	F_FILE_PMD,
	F_SWAP,
	F_NR,
};

static const char *const field_names[F_NR] = {
	[F_SIZE] = "Size",
	[F_RSS] = "Rss",
	[F_PRIVATE_DIRTY] = "Private_Dirty",
	[F_ANON_HUGE] = "AnonHugePages",
	[F_PRIVATE_HUGETLB] = "Private_Hugetlb",
	[F_SHARED_HUGETLB] = "Shared_Hugetlb",
	[F_KERNEL_PAGE] = "KernelPageSize",
	[F_ANONYMOUS] = "Anonymous",
	[F_SHMEM_PMD] = "ShmemPmdMapped",
	[F_FILE_PMD] = "FilePmdMapped",
	[F_SWAP] = "Swap",
};

/* Parses up to 16 hex digits (no sign, no 0x, unlike strtoull); returns the end or NULL. */
static const char *parse_hex(const char *s, uint64_t *val)
{
	uint64_t v = 0;
	int n = 0;

	for (; isxdigit((unsigned char)*s); s++) {
		int c = tolower((unsigned char)*s);

		if (++n > 16)
			return NULL;
		v = v << 4 | (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	if (!n)
		return NULL;
	*val = v;
	return s;
}

/*
 * Validates the whole header, not just the range, so that a line which merely starts with hex
 * digits (e.g. corruption) is not mistaken for a VMA. The path may be absent or contain spaces.
 */
static int parse_header(const char *s, struct hb_smaps_vma *vma)
{
	uint64_t off, dev_major, dev_minor, *start = &vma->start, *end = &vma->end;
	const char *perms;
	size_t n;
	int i;

	s = parse_hex(s, start);
	if (!s || *s++ != '-')
		return -EINVAL;
	s = parse_hex(s, end);
	if (!s || *s++ != ' ' || *end < *start)
		return -EINVAL;
	perms = s;
	for (i = 0; i < 4; i++, s++) {
		if (!*s || !strchr(i == 3 ? "ps" : i == 2 ? "x-" : i == 1 ? "w-" : "r-", *s))
			return -EINVAL;
	}
	if (*s++ != ' ')
		return -EINVAL;
	s = parse_hex(s, &off);
	if (!s || *s++ != ' ')
		return -EINVAL;
	s = parse_hex(s, &dev_major);
	if (!s || *s++ != ':')
		return -EINVAL;
	s = parse_hex(s, &dev_minor);
	if (!s || *s++ != ' ' || !isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s && *s != ' ' && *s != '\n')
		return -EINVAL;
	memcpy(vma->perms, perms, 4);
	vma->perms[4] = '\0';
	while (*s == ' ')
		s++;
	n = strcspn(s, "\n");
	if (n >= sizeof(vma->path))
		n = sizeof(vma->path) - 1;
	memcpy(vma->path, s, n);
	vma->path[n] = '\0';
	return 0;
}

/* Length of a leading "Name:" (identifier then colon), or 0 when the line is not a field. */
static size_t field_name_len(const char *s)
{
	size_t n = 0;

	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n && s[n] == ':' ? n : 0;
}

/* Parses the "   N kB" after a field name; a missing unit is an error, as it changes the scale. */
static int parse_kib(const char *s, uint64_t *val)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*val = strtoull(s, &e, 10);
	if (errno)
		return -EINVAL;
	if (strcmp(e, " kB\n") && strcmp(e, " kB"))
		return -EINVAL;
	return 0;
}

static void add_field(struct hb_smaps_vma *vma, enum smaps_field f, uint64_t v)
{
	struct hb_smaps *acc = &vma->sum;

	switch (f) {
	case F_SIZE:
		acc->size_kib += v;
		break;
	case F_RSS:
		acc->rss_kib += v;
		break;
	case F_PRIVATE_DIRTY:
		acc->private_dirty_kib += v;
		break;
	case F_ANON_HUGE:
		acc->anon_huge_kib += v;
		break;
	case F_PRIVATE_HUGETLB:
		acc->private_hugetlb_kib += v;
		break;
	case F_SHARED_HUGETLB:
		acc->shared_hugetlb_kib += v;
		break;
	case F_KERNEL_PAGE:
		/* A range can mix page sizes (e.g. hugetlb next to anon); report the largest. */
		if (v > acc->kernel_page_kib)
			acc->kernel_page_kib = v;
		break;
	case F_ANONYMOUS:
		vma->anon_kib += v;
		break;
	case F_SHMEM_PMD:
		vma->shmem_pmd_kib += v;
		break;
	case F_FILE_PMD:
		vma->file_pmd_kib += v;
		break;
	case F_SWAP:
		vma->swap_kib += v;
		break;
	case F_NR:
		break;
	}
}

/* The text fields a VMA carries besides its kB lines. */
static void text_field(struct hb_smaps_vma *vma, const char *line, size_t n)
{
	const char *v = line + n + 1;
	size_t len;

	while (*v == ' ' || *v == '\t')
		v++;
	if (n == 11 && !memcmp(line, "THPeligible", 11)) {
		vma->thp_eligible = *v == '1' ? 1 : *v == '0' ? 0 : -1;
	} else if (n == 7 && !memcmp(line, "VmFlags", 7)) {
		len = strcspn(v, "\n");
		if (len >= sizeof(vma->vmflags))
			len = sizeof(vma->vmflags) - 1;
		memcpy(vma->vmflags, v, len);
		vma->vmflags[len] = '\0';
	}
}

int hb_smaps_vma_flag(const struct hb_smaps_vma *vma, const char *flag)
{
	for (const char *p = vma->vmflags; (p = strstr(p, flag)); p += 2)
		if ((p == vma->vmflags || p[-1] == ' ') && (p[2] == ' ' || p[2] == '\0'))
			return 1;
	return 0;
}

int hb_smaps_walk(const char *path, int (*fn)(const struct hb_smaps_vma *vma, void *arg), void *arg)
{
	struct hb_smaps_vma *vma = calloc(1, sizeof(*vma));
	bool have_vma = false;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	if (!vma)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		free(vma);
		return ret;
	}
	errno = 0;
	while (getline(&line, &cap, f) != -1) {
		size_t n = field_name_len(line);
		enum smaps_field fi;
		uint64_t v;

		if (!n) {
			/* Not in kernel output, but a trailing blank line is harmless. */
			if (line[0] == '\n' || line[0] == '\0')
				continue;
			if (have_vma && (ret = fn(vma, arg)))
				break;
			memset(vma, 0, sizeof(*vma));
			vma->thp_eligible = -1;
			vma->sum.vmas = 1;
			ret = parse_header(line, vma);
			if (ret)
				break;
			have_vma = true;
			continue;
		}
		/* Fields before any header mean this is not a smaps file. */
		if (!have_vma) {
			ret = -EINVAL;
			break;
		}
		for (fi = 0; fi < F_NR; fi++) {
			if (strlen(field_names[fi]) == n && !memcmp(line, field_names[fi], n))
				break;
		}
		if (fi == F_NR) {
			text_field(vma, line, n);
			continue;
		}
		ret = parse_kib(line + n + 1, &v);
		if (ret)
			break;
		add_field(vma, fi, v);
	}
	if (!ret && ferror(f))
		ret = errno ? -errno : -EIO;
	if (!ret && have_vma)
		ret = fn(vma, arg);
	free(line);
	free(vma);
	fclose(f);
	return ret;
}

/* What smaps_parse adds up over the walk. */
struct sum_walk {
	bool rollup;
	uint64_t start, end;
	unsigned headers;
	struct hb_smaps acc;
};

static int sum_vma(const struct hb_smaps_vma *vma, void *arg)
{
	struct sum_walk *w = arg;
	const struct hb_smaps *s = &vma->sum;

	if (w->rollup && w->headers++)
		return -EINVAL;
	if (!w->rollup && !(vma->start < w->end && vma->end > w->start))
		return 0;
	w->acc.vmas += !w->rollup;
	w->acc.size_kib += s->size_kib;
	w->acc.rss_kib += s->rss_kib;
	w->acc.private_dirty_kib += s->private_dirty_kib;
	w->acc.anon_huge_kib += s->anon_huge_kib;
	w->acc.private_hugetlb_kib += s->private_hugetlb_kib;
	w->acc.shared_hugetlb_kib += s->shared_hugetlb_kib;
	/* A range can mix page sizes (e.g. hugetlb next to anon); report the largest. */
	if (s->kernel_page_kib > w->acc.kernel_page_kib)
		w->acc.kernel_page_kib = s->kernel_page_kib;
	return 0;
}

/*
 * One parser for both files. In rollup mode exactly one header must come first and every field
 * counts; otherwise fields count only while the current VMA overlaps [start, end).
 */
static int smaps_parse(const char *path, bool rollup, uint64_t start, uint64_t end,
		       struct hb_smaps *out)
{
	struct sum_walk w = {.rollup = rollup, .start = start, .end = end};
	int ret;

	memset(out, 0, sizeof(*out));
	ret = hb_smaps_walk(path, sum_vma, &w);
	/* An empty rollup carries no data; zeros would read as "nothing resident". */
	if (!ret && rollup && !w.headers)
		ret = -EINVAL;
	if (ret)
		return ret;
	if (rollup)
		w.acc.kernel_page_kib = 0;
	*out = w.acc;
	return 0;
}

int hb_smaps_read_region(const char *path, uintptr_t start, uintptr_t end, struct hb_smaps *out)
{
	return smaps_parse(path, false, start, end, out);
}

int hb_smaps_read_rollup(const char *path, struct hb_smaps *out)
{
	return smaps_parse(path, true, 0, 0, out);
}
