/* hist.h - a histogram of nanosecond values with bounded relative error.
 *
 * Log-linear buckets, as HdrHistogram: values below 16 have a bucket each;
 * above, every power of two is split into 16 equal buckets.  A percentile is
 * reported as its bucket's midpoint, clamped to the observed min and max, so
 * it is within 1/32 (3.1%) of a value actually seen at that rank.  Adding is
 * O(1) with no allocation; histograms merge by adding buckets, which is how
 * workers' figures become totals and how children send theirs home. */
#ifndef GS_HIST_H
#define GS_HIST_H

#include <stdint.h>

#define GS_HIST_SUB_BITS 4
#define GS_HIST_SUB      (1u << GS_HIST_SUB_BITS)
#define GS_HIST_BUCKETS  ((64 - GS_HIST_SUB_BITS + 1) * GS_HIST_SUB)

typedef struct {
    uint64_t count;
    uint64_t sum;   /* saturates rather than wraps */
    uint64_t min, max;
    uint64_t buckets[GS_HIST_BUCKETS];
} gs_hist;

/* An all-zero histogram is empty and ready: memory from calloc needs no
 * init, and pages nobody adds to are never touched. */
void gs_hist_init(gs_hist *h);
void gs_hist_add(gs_hist *h, uint64_t v);
void gs_hist_merge(gs_hist *into, const gs_hist *from);
/* p in [0, 100]; 0 for an empty histogram. */
uint64_t gs_hist_percentile(const gs_hist *h, double p);
double gs_hist_mean(const gs_hist *h);

#endif
