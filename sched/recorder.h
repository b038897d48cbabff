/* recorder.h - time-stamped events of one worker.
 *
 * Each worker owns one recorder and is the only one to write it, so
 * recording takes no lock and never waits.  The buffer is fixed when the run
 * starts; events that do not fit are counted, not stored.  Readers look only
 * after the worker has finished (joined, or sent home by a child). */
#ifndef GS_RECORDER_H
#define GS_RECORDER_H

#include <stdint.h>

#define GS_EVENTS(X)                                                          \
    X(WANT,          "want lock")                                             \
    X(GOT,           "got lock")                                              \
    X(DROP_REQUEST,  "asked the holder to drop") /* arg: holder's worker id */ \
    X(DROP_FORCED,   "dropped on request")                                    \
    X(DROP_VOLUNTARY,"dropped voluntarily")                                   \
    X(DROP_TICK,     "dropped at the check interval") /* legacy */           \
    X(FUTILE_WAKE,   "woke up to find the lock taken")                        \
    X(IO_START,      "I/O started")             /* arg: gs_io_kind */          \
    X(IO_END,        "I/O ended")                                             \
    X(NATIVE_START,  "native call started")                                   \
    X(NATIVE_END,    "native call ended")                                     \
    X(ULOCK_WAIT,    "waiting for a user lock") /* arg: the lock's index */    \
    X(ULOCK_GOT,     "took a user lock")        /* arg: the lock's index */    \
    X(ULOCK_RELEASE, "released a user lock")    /* arg: the lock's index */    \
    X(DONE,          "finished")

typedef enum {
#define GS_EV_ENUM(e, text) GS_EV_##e,
    GS_EVENTS(GS_EV_ENUM)
#undef GS_EV_ENUM
    GS_EV_COUNT
} gs_event_type;

extern const char *const gs_event_names[GS_EV_COUNT]; /* in gil.c */

typedef struct {
    uint64_t t_ns;  /* gs_now_ns() */
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
