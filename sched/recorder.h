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

typedef struct {
    gs_event *events; /* capacity cap; NULL when recording is off */
    uint32_t cap, n;
    uint64_t dropped; /* events that did not fit */
} gs_recorder;

static inline void gs_record(gs_recorder *r, gs_event_type type, uint64_t t_ns, uint32_t arg)
{
    if (r->n < r->cap)
        r->events[r->n++] = (gs_event){t_ns, (uint32_t)type, arg};
    else if (r->cap)
        r->dropped++; /* cap 0: recording is off, nothing is missing */
}

#endif
