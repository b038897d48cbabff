/* hist.c - log-linear histogram (see hist.h). */
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

void gs_hist_add(gs_hist *h, uint64_t v)
{
    if (h->count == 0 || v < h->min)
        h->min = v;
    h->buckets[bucket_of(v)]++;
    h->count++;
    h->sum = h->sum + v < h->sum ? UINT64_MAX : h->sum + v;
    if (v > h->max)
        h->max = v;
}

/* Only the buckets from min's to max's can hold anything: merging reads
 * no others, so a histogram's untouched pages stay untouched (a run of
 * 100,000 simulated threads merges 500,000 of them). */
void gs_hist_merge(gs_hist *into, const gs_hist *from)
{
    if (from->count == 0)
        return;
    if (into->count == 0 || from->min < into->min)
        into->min = from->min;
    for (unsigned i = bucket_of(from->min), last = bucket_of(from->max); i <= last; i++)
        into->buckets[i] += from->buckets[i];
    into->count += from->count;
    into->sum = into->sum + from->sum < into->sum ? UINT64_MAX : into->sum + from->sum;
    if (from->max > into->max)
        into->max = from->max;
}

uint64_t gs_hist_percentile(const gs_hist *h, double p)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->count + 0.5);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (unsigned b = bucket_of(h->min); b < GS_HIST_BUCKETS; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            uint64_t lo, width;
            bucket_range(b, &lo, &width);
            uint64_t mid = lo + width / 2;
            return mid < h->min ? h->min : mid > h->max ? h->max : mid;
        }
    }
    return h->max;
}

double gs_hist_mean(const gs_hist *h)
{
    return h->count ? (double)h->sum / (double)h->count : 0;
}
