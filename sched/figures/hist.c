/* hist.c - log-linear histogram (see hist.h). */
#include <stdlib.h>
#include <string.h>

#include "../hist.h"

static unsigned bucket_of(uint64_t v)
{
    if (v < GS_HIST_SUB)
        return (unsigned)v;
    unsigned e = 63u - (unsigned)__builtin_clzll(v); /* e >= SUB_BITS */
    unsigned sub = (unsigned)(v >> (e - GS_HIST_SUB_BITS)) & (GS_HIST_SUB - 1);
    return (e - GS_HIST_SUB_BITS + 1) * GS_HIST_SUB + sub;
}

/* The smallest value that falls in bucket b, and the bucket's width. */
static void bucket_range(unsigned b, uint64_t *lo, uint64_t *width)
{
    if (b < GS_HIST_SUB) {
        *lo = b;
        *width = 1;
        return;
    }
    unsigned e = b / GS_HIST_SUB + GS_HIST_SUB_BITS - 1, sub = b % GS_HIST_SUB;
    *width = (uint64_t)1 << (e - GS_HIST_SUB_BITS);
    *lo = ((uint64_t)1 << e) + sub * *width;
}

void gs_hist_init(gs_hist *h)
{
    memset(h, 0, sizeof *h);
}

static uint64_t saturating_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* The count, sum, min and max, which both kinds keep alike. */
#define NOTE_VALUE(h, v)                          \
    do {                                          \
        if ((h)->count == 0 || (v) < (h)->min)    \
            (h)->min = (v);                       \
        if ((v) > (h)->max)                       \
            (h)->max = (v);                       \
        (h)->count++;                             \
        (h)->sum = saturating_add((h)->sum, (v)); \
    } while (0)

void gs_hist_add(gs_hist *h, uint64_t v)
{
    NOTE_VALUE(h, v);
    h->buckets[bucket_of(v)]++;
}

/* Adds count values from min to max, whose buckets from first to end are
 * counted in buckets[0..], to into. */
static void merge(gs_hist *into, const uint64_t *buckets, unsigned first, unsigned end, uint64_t count,
                  uint64_t sum, uint64_t min, uint64_t max)
{
    if (count == 0)
        return;
    if (into->count == 0 || min < into->min)
        into->min = min;
    if (max > into->max)
        into->max = max;
    for (unsigned b = first; b < end; b++)
        into->buckets[b] += buckets[b - first];
    into->count += count;
    into->sum = saturating_add(into->sum, sum);
}

/* Only the buckets from min's to max's can hold anything: merging reads
 * no others, so a histogram's untouched pages stay untouched. */
void gs_hist_merge(gs_hist *into, const gs_hist *from)
{
    unsigned first = bucket_of(from->min), end = bucket_of(from->max) + 1;
    merge(into, from->buckets + first, first, end, from->count, from->sum, from->min, from->max);
}

/* The value at percentile p of count values from min to max, whose
 * buckets from first on are counted in buckets[0..]: the bucket where the
 * rank falls, by its midpoint, clamped to what was seen. */
static uint64_t percentile(const uint64_t *buckets, unsigned first, uint64_t count, uint64_t min, uint64_t max,
                           double p)
{
    if (count == 0)
        return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)count + 0.5);
    if (rank < 1)
        rank = 1;
    if (rank > count)
        rank = count;
    uint64_t seen = 0;
    for (unsigned b = bucket_of(min), last = bucket_of(max); b <= last; b++) {
        seen += buckets[b - first];
        if (seen >= rank) {
            uint64_t lo, width;
            bucket_range(b, &lo, &width);
            uint64_t mid = lo + width / 2;
            return mid < min ? min : mid > max ? max : mid;
        }
    }
    return max;
}

uint64_t gs_hist_percentile(const gs_hist *h, double p)
{
    return percentile(h->buckets, 0, h->count, h->min, h->max, p);
}

double gs_hist_mean(const gs_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0;
}

/* A window grows by half octaves (8 buckets, 64 bytes): a task's sleeps
 * all fall in one, and two of them a task are 128 bytes less than two
 * octaves (a simulated task doing I/O: 4.02 -> 3.9 KiB). */
#define WINDOW_STEP (GS_HIST_SUB / 2)

void gs_worker_hist_add(gs_worker_hist *h, uint64_t v)
{
    unsigned b = bucket_of(v);
    if (b < h->first || b >= h->first + h->len) {
        unsigned lo = b / WINDOW_STEP * WINDOW_STEP, end = lo + WINDOW_STEP; /* b's half octave */
        if (h->len) {
            lo = h->first < lo ? h->first : lo;
            end = h->first + h->len > end ? h->first + h->len : end;
        }
        uint64_t *grown = calloc(end - lo, sizeof *grown);
        if (!grown) {
            h->lost++;
            return;
        }
        if (h->len)
            memcpy(grown + (h->first - lo), h->buckets, h->len * sizeof *grown);
        free(h->buckets);
        h->buckets = grown;
        h->first = lo;
        h->len = end - lo;
    }
    NOTE_VALUE(h, v);
    h->buckets[b - h->first]++;
}

void gs_worker_hist_free(gs_worker_hist *h)
{
    free(h->buckets);
    *h = (gs_worker_hist){0};
}

bool gs_worker_hist_consistent(const gs_worker_hist *h)
{
    if (h->count == 0)
        return h->len == 0 && h->sum == 0;
    if (h->len == 0 || h->first >= GS_HIST_BUCKETS || h->len > GS_HIST_BUCKETS - h->first || h->min > h->max ||
        bucket_of(h->min) < h->first || bucket_of(h->max) >= h->first + h->len)
        return false;
    uint64_t total = 0;
    for (unsigned i = 0; i < h->len; i++)
        total = saturating_add(total, h->buckets[i]);
    return total == h->count;
}

void gs_hist_merge_worker(gs_hist *into, const gs_worker_hist *from)
{
    merge(into, from->buckets, from->first, from->first + from->len, from->count, from->sum, from->min, from->max);
}

uint64_t gs_worker_hist_percentile(const gs_worker_hist *h, double p)
{
    return percentile(h->buckets, h->first, h->count, h->min, h->max, p);
}

double gs_worker_hist_mean(const gs_worker_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0;
}
