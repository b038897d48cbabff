/* recorder.h - time-stamped events of one worker.
 *
 * Each worker owns one recorder and is the only one to write it, so
 * recording takes no lock and never waits.  The buffer is fixed when the run
 * starts; events that do not fit are counted, not stored.  Readers look only
 * after the worker has finished (joined, or sent home by a child). */
#ifndef GS_RECORDER_H
#define GS_RECORDER_H

#include <stdint.h>

typedef enum {
    GS_EV_WANT,           /* wants the lock */
    GS_EV_GOT,            /* got it */
    GS_EV_DROP_REQUEST,   /* asked the holder to drop it; arg: the holder's worker id */
    GS_EV_DROP_FORCED,    /* dropped it on request */
    GS_EV_DROP_VOLUNTARY, /* dropped it: I/O, a yield, the end */
    GS_EV_DROP_TICK,      /* dropped it at the check interval (legacy) */
    GS_EV_FUTILE_WAKE,    /* woke up to find it taken again */
    GS_EV_IO_START,       /* arg: the gs_io_kind */
    GS_EV_IO_END,
    GS_EV_NATIVE_START,
    GS_EV_NATIVE_END,
    GS_EV_ULOCK_WAIT,     /* waits for a user lock; arg: the lock's index */
    GS_EV_ULOCK_GOT,      /* took it; arg: the lock's index */
    GS_EV_ULOCK_RELEASE,  /* released it; arg: the lock's index */
    GS_EV_CORE_WAIT,      /* runnable, it waits for a core (the machine's run queue) */
    GS_EV_CORE_GOT,       /* ... and has one again */
    GS_EV_DONE,           /* finished */
    GS_EV_COUNT
} gs_event_type;

typedef struct {
    uint64_t t_ns;  /* the machine's clock (gs_os_now) */
    uint32_t type;  /* gs_event_type */
    uint32_t arg;
} gs_event;

/* A recorder's events lie in chunks of GS_REC_CHUNK (128 bytes, two
 * cache lines, so that no other worker's writes share them).  The workers
 * of a run share one buffer, their chunks interleaved: each worker's
 * first chunk, then each one's second, and so on (gap: how many other
 * workers' chunks lie between two of one worker's).  A run of thousands of
 * workers, most of which record a few events, so writes them into a few
 * pages, not a page each: a simulated thread's page fault and 4 KiB (its
 * first event in a buffer of its own 4 KiB or more) were a fifth of its
 * cost at 4,096 threads (docs/design.md, "Figures").  A buffer of its own
 * has gap 0: its events follow each other. */
enum { GS_REC_CHUNK = 8 };

typedef struct {
    gs_event *events; /* its first chunk; capacity cap; NULL when recording is off */
    uint32_t cap, n;
    uint32_t gap;     /* other workers' chunks between two of its own */
    uint64_t dropped; /* events that did not fit */
} gs_recorder;

/* Where the recorder's k-th event (k < cap) lies. */
static inline gs_event *gs_rec_slot(const gs_recorder *r, uint32_t k)
{
    return r->events + k + (size_t)(k / GS_REC_CHUNK) * r->gap * GS_REC_CHUNK;
}

/* Its k-th event, k < n. */
static inline const gs_event *gs_rec_event(const gs_recorder *r, uint32_t k)
{
    return gs_rec_slot(r, k);
}

static inline void gs_record(gs_recorder *r, gs_event_type type, uint64_t t_ns, uint32_t arg)
{
    if (r->n < r->cap)
        *gs_rec_slot(r, r->n++) = (gs_event){t_ns, (uint32_t)type, arg};
    else if (r->cap)
        r->dropped++; /* cap 0: recording is off, nothing is missing */
}

#endif
