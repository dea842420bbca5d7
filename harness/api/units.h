/* Whole numbers, sizes (binary K/M/G/T suffixes) and durations (ns/us/ms/s/m) as users type
 * them. */
#ifndef HB_UNITS_H
#define HB_UNITS_H
#include <stddef.h>
#include <stdint.h>

/* "42" -> 42: decimal digits only, at most max. strtoull alone would take "-3" (as 2^64 - 3),
 * "+3", " 3", and with base 0 "0x10" and "010" (as 8). Returns 0, or -EINVAL (not a whole
 * number) / -ERANGE (above max); *out is untouched on error. */
int hb_parse_uint(const char *s, uint64_t max, uint64_t *out);
/* "64M" -> 67108864. Suffixes K, M, G, T (binary, optional "iB"/"B"); a plain number is bytes.
 * Returns 0, or -EINVAL (not a size) / -ERANGE (overflow). */
int hb_parse_size(const char *s, uint64_t *out);
/* "200ms" -> 200000000. Units ns, us, ms, s, m (minutes); a plain number is seconds.
 * Decimals are accepted ("1.5s"). Returns 0 or -EINVAL / -ERANGE. */
int hb_parse_duration(const char *s, uint64_t *ns);
/*
 * A value-size distribution as users type it (the value_size of the key-value workloads): "N"
 * or "fixed:N", "uniform:MIN-MAX", "lognormal:MEDIAN,SIGMA"; sizes 1 to HB_VALUE_MAX bytes,
 * sigma 0 to 4. A syntax of parameter values, like sizes: here so that workloads share it
 * without including each other.
 */
#define HB_VALUE_MAX (1u << 20)
enum hb_value_dist_kind { HB_DIST_FIXED, HB_DIST_UNIFORM, HB_DIST_LOGNORMAL };
struct hb_value_dist {
	enum hb_value_dist_kind kind;
	double a, b;
};
/* 0 or -EINVAL. */
int hb_value_dist_parse(const char *s, struct hb_value_dist *d);
/* The mean size in bytes (lognormal: capped at HB_VALUE_MAX). */
double hb_value_dist_mean(const struct hb_value_dist *d);
/* Largest binary suffix that divides exactly: 268435456 -> "256M", 1000 -> "1000". */
void hb_format_size(uint64_t bytes, char *buf, size_t len);
/* 200000000 -> "200ms", 15000000000 -> "15s", 1500 -> "1500ns". */
void hb_format_duration(uint64_t ns, char *buf, size_t len);

#endif
