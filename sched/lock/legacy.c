/* legacy.c - CPython 2's global interpreter lock (Python/ceval.c and
 * thread_pthread.h before 3.2), to show what it did on multicore machines.
 *
 * Notes about the algorithm
 *
 * - The lock is a plain lock: `locked`, guarded by `mutex`, with waiters
 *   sleeping on `cond` (CPython 2 used a POSIX semaphore or this very
 *   mutex-and-condition pair; they behave alike).
 *
 * - There is no switch interval in time and no drop request.  The holder
 *   counts instructions ("ticks"); every check interval it releases the
 *   lock, which signals one waiter, and at once tries to take it again.
 *   The runner does this when the interpreter's budget of check_interval
 *   instructions runs out (GS_DROP_TICK, then take).
 *
 * - The pace is Python 2's, in time as well as in count.  Python 2 ticked
 *   every 100 bytecodes of about 50 ns each, every few microseconds; a
 *   gilsim instruction takes about 1 ns, so the default check interval is
 *   100 x GS_PY2_BYTECODE_INSTRUCTIONS = 5000 gilsim instructions (gil.h
 *   says where the numbers come from).  At that pace a release and re-take
 *   costs a lone thread a few percent, as it did Python 2, and the battle
 *   between two threads on two cores is as Beazley measured it.  Counting
 *   100 gilsim instructions instead would release every 100 ns and charge
 *   a lone thread twice its time: a cost Python 2 never had.
 *   --check-interval still counts gilsim instructions.
 *
 * - On one core this works: the signalled waiter runs once the holder's
 *   time slice ends.  On several cores it does not: the releaser is still
 *   running and re-takes the lock a few nanoseconds later, while the waiter
 *   is still being woken up; the waiter finds the lock taken and sleeps
 *   again.  Each such wake-up is counted as futile (futile_wakeups).  CPU
 *   threads fight over the lock with system calls every 100 instructions
 *   (the "GIL battle"), and a thread back from I/O may wait a long time.
 *
 * - Nothing orders the waiters: whoever the OS wakes and gets to the mutex
 *   first wins.
 *
 * Threading: mutex guards everything below it. */
#include <stdlib.h>

#include "lock.h"

typedef struct {
    gs_gil base;
    gs_mutex *mutex;
    gs_cond *cond;    /* signalled once per release */
    bool locked;            /* guarded by mutex */
} gil_legacy;

static bool legacy_take(gs_gil *base, gs_gil_client *c)
{
    gil_legacy *g = (gil_legacy *)base;
    gs_os_lock(g->base.os, g->mutex);
    bool waited = g->locked;
    if (waited)
        atomic_fetch_add_explicit(&g->base.queued, 1, memory_order_relaxed);
    while (g->locked) {
        gs_os_wait(g->base.os, g->cond, g->mutex);
        if (g->locked) {
            c->stats->futile_wakeups++;
            gs_record(c->rec, GS_EV_FUTILE_WAKE, gs_os_now(g->base.os), 0);
        }
    }
    if (waited)
        atomic_fetch_sub_explicit(&g->base.queued, 1, memory_order_relaxed);
    g->locked = true;
    gs_os_unlock(g->base.os, g->mutex);
    return waited;
}

static void legacy_drop(gs_gil *base, gs_gil_client *c, gs_drop_reason why)
{
    (void)c;
    (void)why;
    gil_legacy *g = (gil_legacy *)base;
    gs_os_lock(g->base.os, g->mutex);
    if (!g->locked)
        gs_fatal("a lock dropped that nobody holds (a runner's bug)", 0);
    g->locked = false;
    gs_os_signal(g->base.os, g->cond);
    gs_os_unlock(g->base.os, g->mutex);
}

static void legacy_destroy(gs_gil *base)
{
    gil_legacy *g = (gil_legacy *)base;
    g->base.os->ops->cond_free(g->base.os, g->cond);
    g->base.os->ops->mutex_free(g->base.os, g->mutex);
    free(g);
}

static const gs_gil_ops legacy_ops = {
    .take = legacy_take,
    .drop = legacy_drop,
    .destroy = legacy_destroy,
};

gs_gil *gs_gil_legacy_new(const gs_gil_config *cfg, gs_os *os)
{
    gil_legacy *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    gs_gil_base_init(&g->base, os, &legacy_ops, cfg);
    g->mutex = gs_os_mutex(os);
    g->cond = gs_os_cond(os);
    return &g->base;
}
