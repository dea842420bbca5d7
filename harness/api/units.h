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
/* Largest binary suffix that divides exactly: 268435456 -> "256M", 1000 -> "1000". */
void hb_format_size(uint64_t bytes, char *buf, size_t len);
/* 200000000 -> "200ms", 15000000000 -> "15s", 1500 -> "1500ns". */
void hb_format_duration(uint64_t ns, char *buf, size_t len);

#endif
