/* sharing.h - what the workers of one process share besides the
 * interpreter lock: the program's shared variables and its user locks
 * (docs/design.md, "Shared state"); and the meter of native calls, which the whole
 * run shares.
 *
 * The threads of a process share one gs_process_state; each forked process
 * makes its own after fork (so it starts from the program's values, as a
 * copy made by fork would); the async runner's tasks share the loop's.
 * A run's figures add up every process's: gs_process_collect.
 *
 * Threading: the state's variables and locks may be used by every worker
 * of its process at once; init, collect and destroy run alone. */
#ifndef GS_SHARING_H
#define GS_SHARING_H

#include <stdatomic.h>

#include "../../interp/vm.h"
#include "../run.h"
#include "ulock.h"

typedef struct {
    _Atomic int64_t vars[GS_MAX_SHARED];
    gs_ulocks locks;
    /* Each variable's own lock, for interpreters with per-object locks
     * (vm.h: object_locks): a store is made under it, as the free-threaded
     * build writes a dict under the dict's lock.  NULL without them. */
    gs_os *os;
    gs_mutex *objects[GS_MAX_SHARED];
    uint32_t nobjects;
} gs_process_state;

/* Sets ps up for prog's variables (at their initial values) and locks,
 * for nusers workers, with a lock for each variable when object_locks.
 * Returns 0, or -1 when out of memory. */
int gs_process_init(gs_process_state *ps, const gs_program *prog, gs_os *os, uint32_t nusers, bool object_locks);

/* Stores value into variable v under its own lock (object_locks),
 * bringing its cache line over (the machine's touched_shared). */
void gs_process_store(gs_process_state *ps, uint32_t v, int64_t value);
void gs_process_destroy(gs_process_state *ps);

/* Adds ps's variables into r->shared and its locks' waits into
 * r->ulock_wait (allocating it on first use).  Returns 0, or -1 when out
 * of memory. */
int gs_process_collect(const gs_process_state *ps, const gs_program *prog, gs_run_result *r);

/* How many workers are in native calls now, and the most at once.  Real
 * processes share it through memory mapped before fork. */
typedef struct {
    _Atomic uint32_t now, max;
} gs_native_meter;

void gs_native_enter(gs_native_meter *m);
void gs_native_leave(gs_native_meter *m);

#endif
