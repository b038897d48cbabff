/* parse.h - strict parsing of what users type: counts, durations, ratios.
 * Each returns 0, or -1 after printing "gilsim: OPTION: 'VALUE' ..." with
 * what is allowed. */
#ifndef GS_PARSE_H
#define GS_PARSE_H

#include <stdint.h>

int gs_parse_count(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* A duration with its unit: ns, us, ms or s ("5ms", "0.5s", "250us"). */
int gs_parse_duration(const char *opt, const char *s, uint64_t min_ns, uint64_t max_ns, uint64_t *out);
/* A decimal number from min to max ("0.8"). */
/* A size in bytes, with K (KiB) or M (MiB) or none, at most max. */
int gs_parse_bytes(const char *opt, const char *s, uint64_t max, uint64_t *out);
int gs_parse_decimal(const char *opt, const char *s, double min, double max, double *out);
/* A fraction strictly between 0 and 1 ("0.8"). */
int gs_parse_ratio(const char *opt, const char *s, double *out);

#endif
