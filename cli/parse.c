/* parse.c - strict number parsing for the command line (see parse.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* why: "is not X" or "is not X: give Y".  A value that is the next
 * option (the value forgotten: `--mixed --work 5`) is said to be one,
 * and what to give. */
static int bad(const char *opt, const char *s, const char *why)
{
    const char *give = strstr(why, ": give ");
    bool forgotten = strncmp(s, "--", 2) == 0 && (give || strncmp(why, "is not ", 7) == 0);
    if (forgotten) /* what to give: after ": give ", or what it "is not " */
        fprintf(stderr, "gilsim: %s: '%s' is the next option, not its value: give %s\n", opt, s,
                give ? give + 7 : why + 7);
    else
        fprintf(stderr, "gilsim: %s: '%s' %s\n", opt, s, why);
    return -1;
}

int gs_parse_count(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    char why[128];
    snprintf(why, sizeof why, "is not a whole number from %llu to %llu", (unsigned long long)min,
             (unsigned long long)max);
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return bad(opt, s, why);
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        snprintf(why, sizeof why, "is out of range: give a whole number from %llu to %llu",
                 (unsigned long long)min, (unsigned long long)max);
        return bad(opt, s, why);
    }
    *out = v;
    return 0;
}

static void fmt_limit(uint64_t ns, char *buf, size_t len)
{
    if (ns % 1000000000u == 0)
        snprintf(buf, len, "%llus", (unsigned long long)(ns / 1000000000u));
    else if (ns % 1000000u == 0)
        snprintf(buf, len, "%llums", (unsigned long long)(ns / 1000000u));
    else if (ns % 1000u == 0)
        snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000u));
    else
        snprintf(buf, len, "%lluns", (unsigned long long)ns);
}

int gs_parse_duration(const char *opt, const char *s, uint64_t min_ns, uint64_t max_ns, uint64_t *out)
{
    static const struct {
        const char *unit;
        double ns;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    char lo[32], hi[32], why[160];
    fmt_limit(min_ns, lo, sizeof lo);
    fmt_limit(max_ns, hi, sizeof hi);
    size_t digits = strspn(s, "0123456789.");
    const char *unit = s + digits;
    double scale = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].unit) == 0)
            scale = units[i].ns;
    char *end;
    errno = 0;
    double v = digits ? strtod(s, &end) : 0;
    if (digits && end == unit && *unit == '\0' && v == 0)
        scale = 1; /* nothing is nothing in any unit: "0" needs none */
    if (digits == 0 || end != unit || scale == 0 || errno == ERANGE || !isfinite(v)) {
        snprintf(why, sizeof why, "is not a duration: give a number with a unit (ns, us, ms, s), "
                 "from %s to %s, for example 5ms", lo, hi);
        return bad(opt, s, why);
    }
    double ns = v * scale;
    if (ns < (double)min_ns || ns > (double)max_ns) {
        snprintf(why, sizeof why, "is out of range: give a duration from %s to %s", lo, hi);
        return bad(opt, s, why);
    }
    *out = (uint64_t)(ns + 0.5);
    return 0;
}

int gs_parse_bytes(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    static const struct {
        const char *unit;
        uint64_t bytes;
    } units[] = {{"", 1}, {"K", 1024}, {"KiB", 1024}, {"M", 1024 * 1024}, {"MiB", 1024 * 1024}};
    char why[160];
    snprintf(why, sizeof why, "is not a size: give bytes, or KiB or MiB with K or M (64K), up to %llu MiB",
             (unsigned long long)(max >> 20));
    size_t digits = strspn(s, "0123456789");
    uint64_t scale = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(s + digits, units[i].unit) == 0)
            scale = units[i].bytes;
    errno = 0;
    unsigned long long v = digits ? strtoull(s, NULL, 10) : 0;
    if (digits == 0 || digits > 12 || scale == 0 || errno == ERANGE || v * scale > max)
        return bad(opt, s, why);
    *out = v * scale;
    return 0;
}

int gs_parse_decimal(const char *opt, const char *s, double min, double max, double *out)
{
    char why[128];
    snprintf(why, sizeof why, "is not a number from %g to %g", min, max);
    if (!*s || strspn(s, "0123456789.") != strlen(s))
        return bad(opt, s, why);
    char *end;
    double v = strtod(s, &end);
    if (*end || !(v >= min && v <= max))
        return bad(opt, s, why);
    *out = v;
    return 0;
}

int gs_parse_ratio(const char *opt, const char *s, double *out)
{
    const char *why = "is not a CPU share: give a number between 0 and 1 (exclusive), for example 0.8";
    if (!*s || strspn(s, "0123456789.") != strlen(s))
        return bad(opt, s, why);
    char *end;
    double v = strtod(s, &end);
    if (*end || !(v > 0 && v < 1))
        return bad(opt, s, why);
    *out = v;
    return 0;
}
