/* slices.h - a worker's recorded events read as what it was doing when:
 * the one reading shared by the trace, the terminal's timeline and the
 * page's.
 *
 * A worker is, at any moment, running (with the lock; async: on the loop),
 * waiting (for the lock; async: ready, waiting for the loop), ready but
 * waiting for a core (the machine's run queue: other threads had the
 * cores), in I/O, in a native call (without the lock; async: on the loop),
 * waiting for a user lock, or none of these (not started, between a drop
 * and the next want, finished).  Waiting for a core interrupts whatever
 * else it was doing, which goes on when it has a core again; only the
 * simulated machine times each such stretch (the real one counts them in
 * total: gs_worker_result.core_wait_ns).
 * Slices of one worker never overlap and come in time order.  Marks are
 * moments: a drop request it made, a forced drop, its end. */
#ifndef GS_SLICES_H
#define GS_SLICES_H

#include "../sched/run.h"

/* The slice kinds, a row each: the timeline's glyph, the page's colour
 * (a CSS variable of html.c's palettes), the trace's category, and what it
 * is for threads and processes, and for async tasks. */
#define GS_SLICE_TABLE(X)                                                                                     \
    X(RUNNING, '#', "--run", "run", "running with the lock", "running on the loop")                           \
    X(WAITING, '.', "--wait", "wait", "waiting for the lock", "ready, waiting for the loop")                  \
    X(CORE_WAIT, ':', "--core", "core-wait", "ready, waiting for a core", "ready, waiting for a core")         \
    X(IO, '~', "--io", "io", "in I/O", "in I/O")                                                                \
    X(NATIVE, 'n', "--native", "native", "in a native call, without the lock", "in a native call, on the loop") \
    X(USER_LOCK, 'u', "--ulock", "user-lock", "waiting for a user lock", "waiting for a user lock")

typedef enum {
#define GS_SLICE_ENUM(e, glyph, colour, category, named, named_async) GS_SLICE_##e,
    GS_SLICE_TABLE(GS_SLICE_ENUM)
#undef GS_SLICE_ENUM
    GS_SLICE_KINDS,
    GS_MARK_DROP_REQUEST = GS_SLICE_KINDS, /* t0 == t1 from here on */
    GS_MARK_FORCED_DROP,
    GS_MARK_FUTILE_WAKE,
    GS_MARK_DONE,
} gs_slice_kind;

typedef enum {
    GS_EDGE_BEGIN, /* a slice begins at t0 */
    GS_EDGE_END,   /* the slice that began at t0 ends at t1 */
    GS_EDGE_MARK,  /* a mark at t0 */
} gs_slice_edge;

typedef struct {
    gs_slice_edge edge;
    gs_slice_kind kind;
    uint64_t t0, t1;  /* the run's clock, as its events */
    uint32_t arg;     /* I/O: the gs_io_kind; a user lock: its index */
} gs_slice;

/* Calls fn for every beginning and end of a slice and every mark of w, in
 * time order.  A worker whose events did not all fit ends with its last
 * recorded event. */
void gs_worker_slices(const gs_worker_result *w, void (*fn)(const gs_slice *, void *), void *arg);

/* What each slice kind means in mode: "running with the lock", ... */
const char *gs_slice_name(gs_slice_kind kind, gs_mode mode);
extern const char gs_slice_glyph[GS_SLICE_KINDS];
extern const char *const gs_slice_colour[GS_SLICE_KINDS];
extern const char *const gs_slice_category[GS_SLICE_KINDS];

/* Whether the run's views have slices of kind to show (a native call only
 * where the program makes one, ...): a legend lists only those. */
bool gs_slice_kind_shown(const gs_run_result *r, gs_slice_kind kind);
/* Whether the run's machine timed each wait for a core (the simulated
 * one does; the real one counts them in total only). */
bool gs_run_times_core_waits(const gs_run_result *r);

#endif
