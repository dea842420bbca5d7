#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

int hb_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long u;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
	errno = 0;
	u = strtoull(s, NULL, 10);
	if (errno == ERANGE || u > max)
		return -ERANGE;
	*out = u;
	return 0;
}

static int parse_number(const char *s, double *v, const char **rest)
{
	char *end;

	if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(*v) || *v < 0)
		return -EINVAL;
	/* strtod takes hex and "inf"; sizes and durations are plain decimals. */
	for (const char *p = s; p < end; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -EINVAL;
	*rest = end;
	return 0;
}

int hb_parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	const char *rest, *p;
	double v, mul = 1;
	int shift = 0, whole, err = parse_number(s, &v, &rest);

	if (err)
		return err;
	whole = !memchr(s, '.', (size_t)(rest - s));
	if (*rest) {
		p = strchr(suffixes, toupper((unsigned char)*rest));
		if (!p)
			return -EINVAL;
		shift = 10 * (int)(p - suffixes + 1);
		mul = ldexp(1.0, shift);
		rest++;
		if (!strcasecmp(rest, "iB") || !strcasecmp(rest, "B"))
			rest += strlen(rest);
		if (*rest)
			return -EINVAL;
	}
	if (whole) {
		/* Digits only: exact, not rounded through a double ("9007199254740993"). */
		unsigned long long u;

		errno = 0;
		u = strtoull(s, NULL, 10);
		if (errno == ERANGE || u > UINT64_MAX >> shift)
			return -ERANGE;
		*out = (uint64_t)u << shift;
		return 0;
	}
	v *= mul;
	if (v != floor(v))
		return -EINVAL; /* "1.3K" is not a whole number of bytes */
	if (v >= 18446744073709551616.0)
		return -ERANGE;
	*out = (uint64_t)v;
	return 0;
}

int hb_parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ns", 1 },   { "us", 1e3 }, { "ms", 1e6 },
		      { "s", 1e9 },  { "m", 60e9 }, { "", 1e9 } };
	const char *rest;
	double v;
	int err = parse_number(s, &v, &rest);

	if (err)
		return err;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(rest, units[i].unit))
			continue;
		v *= units[i].ns;
		if (v >= 18446744073709551616.0)
			return -ERANGE;
		/* Rounded in unsigned range: llround() overflows from 2^63 ns (292 years). */
		*ns = (uint64_t)(v + 0.5);
		return 0;
	}
	return -EINVAL;
}

void hb_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char suffixes[] = "TGMK";

	for (int i = 0; i < 4 && bytes; i++) {
		unsigned shift = 10u * (unsigned)(4 - i);

		if (bytes % (1ull << shift) == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> shift),
				 suffixes[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

void hb_format_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns && ns % 1000000000ull == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ns / 1000000000ull));
	else if (ns && ns % 1000000ull == 0)
		snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000ull));
	else if (ns && ns % 1000ull == 0)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000ull));
	else
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
}

int hb_value_dist_parse(const char *s, struct hb_value_dist *d)
{
	char *end;

	if (!strncmp(s, "fixed:", 6))
		s += 6;
	if (!strncmp(s, "uniform:", 8)) {
		d->kind = HB_DIST_UNIFORM;
		d->a = strtod(s + 8, &end);
		if (*end != '-')
			return -EINVAL;
		d->b = strtod(end + 1, &end);
		if (*end || d->a < 1 || d->b < d->a || d->b > HB_VALUE_MAX)
			return -EINVAL;
		return 0;
	}
	if (!strncmp(s, "lognormal:", 10)) {
		d->kind = HB_DIST_LOGNORMAL;
		d->a = strtod(s + 10, &end);
		if (*end != ',')
			return -EINVAL;
		d->b = strtod(end + 1, &end);
		if (*end || d->a < 1 || d->a > HB_VALUE_MAX || d->b < 0 || d->b > 4)
			return -EINVAL;
		return 0;
	}
	d->kind = HB_DIST_FIXED;
	d->a = d->b = strtod(s, &end);
	return *s && !*end && d->a >= 1 && d->a <= HB_VALUE_MAX ? 0 : -EINVAL;
}

double hb_value_dist_mean(const struct hb_value_dist *d)
{
	if (d->kind == HB_DIST_LOGNORMAL)
		return fmin(d->a * exp(d->b * d->b / 2), HB_VALUE_MAX);
	return (d->a + d->b) / 2;
}
