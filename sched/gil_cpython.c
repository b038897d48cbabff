/* gil_cpython.c - CPython's global interpreter lock, as since Python 3.2
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
 * Lock order: mutex, then switch_mutex; never the other way. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "clock.h"
#include "gil.h"

typedef struct {
    gs_gil base;
    bool force_switching;          /* read-only after creation */

    pthread_mutex_t mutex;
    pthread_cond_t cond;           /* signalled when locked becomes false */
    bool locked;                   /* guarded by mutex */
    gs_gil_client *holder;         /* guarded by mutex; NULL when not locked */
    uint64_t switch_number;        /* guarded by mutex; +1 per change of holder */
    uint32_t waiters;              /* guarded by mutex; threads inside take */

    pthread_mutex_t switch_mutex;
    pthread_cond_t switch_cond;    /* signalled when the lock is taken */
    gs_gil_client *last_holder;    /* written under both mutexes, so either one
                                      is enough to read it */
} gil_cpython;

/* Relative timed wait of ns on a CLOCK_MONOTONIC condition variable.
 * Returns true if it timed out.  Precondition: mutex is held. */
static bool timed_wait(pthread_cond_t *cond, pthread_mutex_t *mutex, uint64_t ns)
{
    struct timespec deadline = gs_timespec_after(ns);
    int rc = pthread_cond_timedwait(cond, mutex, &deadline);
    if (rc != 0 && rc != ETIMEDOUT)
        gs_fatal_pthread("pthread_cond_timedwait(&g->cond, &g->mutex)", rc);
    return rc == ETIMEDOUT;
}

static bool cpython_take(gs_gil *base, gs_gil_client *c)
{
    gil_cpython *g = (gil_cpython *)base;
    GS_PTHREAD(pthread_mutex_lock(&g->mutex));
    bool waited = g->locked;
    g->waiters++;
    if (waited)
        atomic_fetch_add_explicit(&g->base.queued, 1, memory_order_relaxed);
    while (g->locked) {
        uint64_t saved_switch = g->switch_number;
        bool timed_out = timed_wait(&g->cond, &g->mutex, g->base.interval_ns);
        if (timed_out && g->locked && g->switch_number == saved_switch) {
            gs_vm_set_breaker(g->holder->vm, GS_BREAK_DROP);
            c->stats->drop_requests++;
            gs_record(c->rec, GS_EV_DROP_REQUEST, gs_now_ns(), g->holder->id);
        }
    }
    g->waiters--;
    if (waited)
        atomic_fetch_sub_explicit(&g->base.queued, 1, memory_order_relaxed);

    GS_PTHREAD(pthread_mutex_lock(&g->switch_mutex));
    g->locked = true;
    g->holder = c;
    if (g->last_holder != c) {
        g->last_holder = c;
        g->switch_number++;
    }
    GS_PTHREAD(pthread_cond_signal(&g->switch_cond));
    GS_PTHREAD(pthread_mutex_unlock(&g->switch_mutex));

    /* A request aimed at an earlier turn of ours is stale now. */
    gs_vm_clear_breaker(c->vm, GS_BREAK_DROP);
    GS_PTHREAD(pthread_mutex_unlock(&g->mutex));
    return waited;
}

static void cpython_drop(gs_gil *base, gs_gil_client *c, gs_drop_reason why)
{
    gil_cpython *g = (gil_cpython *)base;
    GS_PTHREAD(pthread_mutex_lock(&g->mutex));
    if (!g->locked || g->holder != c)
        abort(); /* dropping a lock one does not hold is a bug in a runner */
    g->locked = false;
    g->holder = NULL;
    bool someone_waits = g->waiters > 0;
    GS_PTHREAD(pthread_cond_signal(&g->cond));
    GS_PTHREAD(pthread_mutex_unlock(&g->mutex));

    gs_vm_clear_breaker(c->vm, GS_BREAK_DROP);
    if (why != GS_DROP_FORCED || !g->force_switching || !someone_waits)
        return;
    /* Forced switching: let a waiter really get the lock before we compete
     * again.  A waiter existed when we dropped, and waiters never give up,
     * so somebody will take the lock and signal switch_cond. */
    GS_PTHREAD(pthread_mutex_lock(&g->switch_mutex));
    while (g->last_holder == c)
        GS_PTHREAD(pthread_cond_wait(&g->switch_cond, &g->switch_mutex));
    GS_PTHREAD(pthread_mutex_unlock(&g->switch_mutex));
}

static void cpython_request_drop(gs_gil *base)
{
    gil_cpython *g = (gil_cpython *)base;
    GS_PTHREAD(pthread_mutex_lock(&g->mutex));
    if (g->holder)
        gs_vm_set_breaker(g->holder->vm, GS_BREAK_DROP);
    GS_PTHREAD(pthread_mutex_unlock(&g->mutex));
}

static void cpython_destroy(gs_gil *base)
{
    gil_cpython *g = (gil_cpython *)base;
    GS_PTHREAD(pthread_cond_destroy(&g->cond));
    GS_PTHREAD(pthread_mutex_destroy(&g->mutex));
    GS_PTHREAD(pthread_cond_destroy(&g->switch_cond));
    GS_PTHREAD(pthread_mutex_destroy(&g->switch_mutex));
    free(g);
}

static const gs_gil_ops cpython_ops = {
    .name = "cpython",
    .take = cpython_take,
    .drop = cpython_drop,
    .request_drop = cpython_request_drop,
    .destroy = cpython_destroy,
};

gs_gil *gs_gil_cpython_new(const gs_gil_config *cfg)
{
    gil_cpython *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    gs_gil_base_init(&g->base, &cpython_ops, cfg);
    g->force_switching = cfg->force_switching;
    GS_PTHREAD(pthread_mutex_init(&g->mutex, NULL));
    GS_PTHREAD(pthread_mutex_init(&g->switch_mutex, NULL));
    gs_cond_init_monotonic(&g->cond);
    gs_cond_init_monotonic(&g->switch_cond);
    return &g->base;
}
