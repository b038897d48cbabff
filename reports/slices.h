/* slices.h - a worker's recorded events read as what it was doing when:
 * the one reading shared by the trace and the timeline.
 *
 * A worker is, at any moment, running (with the lock; async: on the loop),
 * waiting (for the lock; async: ready, waiting for the loop), in I/O, in
 * a native call (without the lock; async: on the loop), waiting for a user
 * lock, or none of these (not started, between a drop and the next want,
 * finished).
 * Slices of one worker never overlap and come in time order.  Marks are
 * moments: a drop request it made, a forced drop, its end. */
#ifndef GS_SLICES_H
#define GS_SLICES_H

#include "../sched/run.h"

typedef enum {
    GS_SLICE_RUNNING,
    GS_SLICE_WAITING,
    GS_SLICE_IO,
    GS_SLICE_NATIVE,
    GS_SLICE_USER_LOCK,
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

#endif
