/* cpython.c - CPython's global interpreter lock, as since Python 3.2
 * (Antoine Pitrou's "new GIL", Python/ceval_gil.c).
 *
 * Notes about the algorithm
 *
 * - The lock is a boolean, `locked`, guarded by `mutex`; changes to it are
 *   signalled on `cond`.  `mutex` is held only for short moments, so it is
 *   rarely contended itself.
 *
 * - A thread that wants the lock while another holds it waits on `cond` for
 *   at most one switch interval (5 ms by default).  If the wait times out,
 *   the lock is still held, and no hand-off happened in the meantime
 *   (`switch_number` did not move), it sets a drop request on the holder:
 *   the GS_BREAK_DROP bit of the holder's eval breaker.  Then it waits
 *   again.  The interval is thus a minimum time slice a waiter grants the
 *   holder, not a guarantee: an instruction that takes long delays the drop.
 *
 * - The holder sees the request when its eval loop next polls the breaker
 *   (at back-edges and function entries), drops the lock with
 *   GS_DROP_FORCED, and signals one waiter on `cond`; the operating system
 *   picks which.  It then immediately tries to take the lock again, like any
 *   other waiter.
 *
 * - Forced switching.  On a multicore machine the thread that just dropped
 *   the lock is still running, while the signalled waiter has yet to wake
 *   up: the dropper would usually win the lock straight back and the
 *   request would have been for nothing.  So after a forced drop the old
 *   holder waits on `switch_cond` until `last_holder` names somebody else,
 *   that is until another thread has really taken the lock.  A voluntary
 *   drop (around blocking I/O) does not wait: that thread has better things
 *   to do.  `force_switching` turns this off, to show why it exists.
 *
 * - A thread coming back from I/O takes the lock like any other waiter.
 *   When CPU-bound threads hold it, that means waiting up to an interval,
 *   and then another one for every I/O operation: the convoy effect.
 *
 * A waiter that saw a hand-off during its wait (switch_number moved) does
 * not set a request: the new holder gets a full interval.
 *
 * When the run stops (gs_gil_stop), every waiter leaves without the lock
 * and a forced dropper stops waiting for a taker, much as a thread that
 * must exit at finalization left CPython 3.9 to 3.13's take_gil (lock.h).
 *
 * Lock order: mutex, then switch_mutex; never the other way. */
#include <stdlib.h>

#include "lock.h"

typedef struct {
    gs_gil base;
    bool force_switching;          /* read-only after creation */

    gs_mutex *mutex;
    gs_cond *cond;           /* signalled when locked becomes false */
    bool locked;                   /* guarded by mutex */
    gs_gil_client *holder;         /* guarded by mutex; NULL when not locked */
    uint64_t switch_number;        /* guarded by mutex; +1 per change of holder */
    uint32_t waiters;              /* guarded by mutex; threads inside take */

    gs_mutex *switch_mutex;
    gs_cond *switch_cond;    /* signalled when the lock is taken */
    gs_gil_client *last_holder;    /* written under both mutexes, so either one
                                      is enough to read it */
} gil_cpython;

static gs_take cpython_take(gs_gil *base, gs_gil_client *c)
{
    gil_cpython *g = (gil_cpython *)base;
    gs_os_lock(g->base.os, g->mutex);
    bool waited = g->locked;
    g->waiters++;
    if (waited)
        atomic_fetch_add_explicit(&g->base.queued, 1, memory_order_relaxed);
    while (g->locked && !gs_gil_stopping(base)) {
        uint64_t saved_switch = g->switch_number;
        bool timed_out = gs_os_wait_until(g->base.os, g->cond, g->mutex, gs_os_now(g->base.os) + g->base.interval_ns);
        if (timed_out && g->locked && g->switch_number == saved_switch) {
            gs_vm_set_breaker(g->holder->vm, GS_BREAK_DROP);
            c->stats->drop_requests++;
            gs_record(c->rec, GS_EV_DROP_REQUEST, gs_os_now(g->base.os), g->holder->id);
        }
    }
    g->waiters--;
    if (waited)
        atomic_fetch_sub_explicit(&g->base.queued, 1, memory_order_relaxed);
    if (gs_gil_stopping(base)) { /* leave without it, though it may be free by now */
        gs_os_unlock(g->base.os, g->mutex);
        return GS_TAKE_STOPPED;
    }

    gs_os_lock(g->base.os, g->switch_mutex);
    g->locked = true;
    g->holder = c;
    if (g->last_holder != c) {
        g->last_holder = c;
        g->switch_number++;
    }
    gs_os_signal(g->base.os, g->switch_cond);
    gs_os_unlock(g->base.os, g->switch_mutex);

    /* A request aimed at an earlier turn of ours is stale now. */
    gs_vm_clear_breaker(c->vm, GS_BREAK_DROP);
    gs_os_unlock(g->base.os, g->mutex);
    return waited ? GS_TOOK_AFTER_WAIT : GS_TOOK;
}

static void cpython_drop(gs_gil *base, gs_gil_client *c, gs_drop_reason why)
{
    gil_cpython *g = (gil_cpython *)base;
    gs_os_lock(g->base.os, g->mutex);
    if (!g->locked || g->holder != c)
        gs_fatal("a lock dropped by a worker that does not hold it (a runner's bug)", 0);
    g->locked = false;
    g->holder = NULL;
    bool someone_waits = g->waiters > 0;
    gs_os_signal(g->base.os, g->cond);
    gs_os_unlock(g->base.os, g->mutex);

    gs_vm_clear_breaker(c->vm, GS_BREAK_DROP);
    if (why != GS_DROP_FORCED || !g->force_switching || !someone_waits)
        return;
    /* Forced switching: let a waiter really get the lock before we compete
     * again.  A waiter existed when we dropped, and waiters give up only
     * when the run stops, so somebody will take the lock and signal
     * switch_cond, or the stop will. */
    gs_os_lock(g->base.os, g->switch_mutex);
    while (g->last_holder == c && !gs_gil_stopping(base))
        gs_os_wait(g->base.os, g->switch_cond, g->switch_mutex);
    gs_os_unlock(g->base.os, g->switch_mutex);
}

/* Every waiter, and a dropper waiting for a taker, sees the stop now. */
static void cpython_stop(gs_gil *base)
{
    gil_cpython *g = (gil_cpython *)base;
    gs_os_lock(g->base.os, g->mutex);
    gs_os_broadcast(g->base.os, g->cond);
    gs_os_unlock(g->base.os, g->mutex);
    gs_os_lock(g->base.os, g->switch_mutex);
    gs_os_broadcast(g->base.os, g->switch_cond);
    gs_os_unlock(g->base.os, g->switch_mutex);
}

static void cpython_destroy(gs_gil *base)
{
    gil_cpython *g = (gil_cpython *)base;
    g->base.os->ops->cond_free(g->base.os, g->cond);
    g->base.os->ops->mutex_free(g->base.os, g->mutex);
    g->base.os->ops->cond_free(g->base.os, g->switch_cond);
    g->base.os->ops->mutex_free(g->base.os, g->switch_mutex);
    free(g);
}

static const gs_gil_ops cpython_ops = {
    .take = cpython_take,
    .drop = cpython_drop,
    .destroy = cpython_destroy,
    .stop = cpython_stop,
};

gs_gil *gs_gil_cpython_new(const gs_gil_config *cfg, gs_os *os)
{
    gil_cpython *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    gs_gil_base_init(&g->base, os, &cpython_ops, cfg);
    g->force_switching = cfg->force_switching;
    g->mutex = gs_os_mutex(os);
    g->switch_mutex = gs_os_mutex(os);
    g->cond = gs_os_cond(os);
    g->switch_cond = gs_os_cond(os);
    return &g->base;
}
