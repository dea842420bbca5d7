/*
 * The whole-number, size and duration parsers (units.h), as users type them in -p, profiles
 * and options. Invariants: a parsed value formats to text that parses back to the same value;
 * a whole number of bytes is exact (no rounding through a double); a duration is the number
 * times its unit, to double precision; a whole number is decimal digits and nothing else.
 */
#include <ctype.h>
#include <math.h>
#include <stdint.h>

#include "fuzz.h"
#include "units.h"

static void check_size(const char *s)
{
	uint64_t v, w;
	char buf[64], *end;
	unsigned long long digits;

	if (hb_parse_size(s, &v))
		return;
	hb_format_size(v, buf, sizeof(buf));
	FUZZ_ASSERT(!hb_parse_size(buf, &w) && w == v);
	/* Digits and an optional suffix: exactly the integer times the power of 1024. */
	errno = 0;
	digits = strtoull(s, &end, 10);
	if (!errno && end > s && isdigit((unsigned char)*s) && *end != '.') {
		int shift = 0;

		if (*end)
			shift = 10 * (int)(strchr("KMGT", toupper((unsigned char)*end)) - "KMGT" + 1);
		if (shift == 0 || digits <= UINT64_MAX >> shift)
			FUZZ_ASSERT(v == (uint64_t)digits << shift);
	}
}

static void check_uint(const char *s)
{
	const char *digits = s;
	char buf[32];
	uint64_t v;

	if (hb_parse_uint(s, UINT64_MAX, &v))
		return;
	/* Printed back it is the input, leading zeros aside: no sign, space, 0x or suffix. */
	while (*digits == '0' && digits[1])
		digits++;
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	FUZZ_ASSERT(!strcmp(buf, digits));
}

static void check_duration(const char *s)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 },
		      { "", 1e9 } };
	uint64_t v, w;
	char buf[64], *end;
	double num, want;

	if (hb_parse_duration(s, &v))
		return;
	hb_format_duration(v, buf, sizeof(buf));
	FUZZ_ASSERT(!hb_parse_duration(buf, &w) && w == v);
	num = strtod(s, &end);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		want = num * units[i].ns;
		FUZZ_ASSERT(fabs((double)v - want) <= want * 1e-12 + 1);
		return;
	}
	FUZZ_ASSERT(!"a duration parsed with a unit that is not one");
}

static void fuzz_one(const unsigned char *data, size_t len)
{
	char *s = fuzz_strdup(data, len);
	char *line, *save = NULL;

	/* One value per line, so a seed can hold several. */
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		check_size(line);
		check_duration(line);
		check_uint(line);
	}
	free(s);
}
