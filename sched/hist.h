/* hist.h - a histogram of nanosecond values with bounded relative error.
 *
 * Log-linear buckets, as HdrHistogram: values below 16 have a bucket each;
 * above, every power of two is split into 16 equal buckets.  A percentile is
 * reported as its bucket's midpoint, clamped to the observed min and max, so
 * it is within 1/32 (3.1%) of a value actually seen at that rank.  Adding is
 * O(1) with no allocation; histograms merge by adding buckets, which is how
 * workers' figures become totals and how children send theirs home.
 *
 * A worker keeps its histograms as gs_worker_hist: the same buckets, but
 * only the window from its least value's half octave to its greatest's, on
 * the heap.  A worker's values gather in a few octaves (its lock waits, its
 * sleeps), so it holds tens of buckets, not 976: 7.8 KiB a histogram
 * times five a worker was most of a simulated task's memory, and virtual
 * time runs a million tasks.  Totals, which are few and copied by value
 * (a summary is written to a sweep's files byte for byte), stay gs_hist. */
#ifndef GS_HIST_H
#define GS_HIST_H

#include <stdbool.h>
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

typedef struct {
    uint64_t count;
    uint64_t sum;       /* saturates rather than wraps */
    uint64_t min, max;
    uint64_t *buckets;  /* buckets[i] counts gs_hist's bucket first + i; NULL while empty */
    uint32_t first, len;
    uint64_t lost;      /* values not kept: there was no memory to grow the window */
} gs_worker_hist;

/* An all-zero gs_worker_hist is empty and ready.  Adding a value outside
 * the window grows it (by half octaves, so at most 122 times); a value
 * there is no memory for is counted as lost, not kept, and the worker's
 * runner reports the worker failed.  A worker's histogram is owned by its
 * result and must not be copied by value once it holds buckets. */
void gs_worker_hist_add(gs_worker_hist *h, uint64_t v);
void gs_worker_hist_free(gs_worker_hist *h);
/* Whether h is a histogram gs_worker_hist_add could have made: its window
 * inside the buckets, holding its min and max, its buckets adding up to its
 * count.  What a child sends home is checked with it before it is read. */
bool gs_worker_hist_consistent(const gs_worker_hist *h);
void gs_hist_merge_worker(gs_hist *into, const gs_worker_hist *from);
uint64_t gs_worker_hist_percentile(const gs_worker_hist *h, double p);
double gs_worker_hist_mean(const gs_worker_hist *h);

#endif
