/* fifo.c - a fair lock that hands over in arrival order, as Ruby's
 * global VM lock (thread_pthread.c) does.
 *
 * Notes about the algorithm
 *
 * - Waiters queue in the order they arrive (`head` .. `tail`), each on a
 *   condition variable of its own, so a release wakes exactly the thread
 *   whose turn it is.
 *
 * - Release hands over: when the holder drops the lock and someone waits,
 *   the lock is not freed but given to the head of the queue (`holder` set
 *   to it, `granted` set in its entry).  The releaser cannot win it back by
 *   being quick, and a thread back from I/O joins the end of the queue.
 *
 * - Time slices: the head of the queue plays Ruby's timer thread.  It waits
 *   until the holder has held the lock one switch interval, then sets a
 *   drop request on the holder's eval breaker (once per turn); the holder
 *   drops at its next back-edge and the head gets the lock.  Waiters behind
 *   the head sleep without a timeout.
 *
 * - A stop (gs_gil_stop) needs nothing here: the waiters are handed the
 *   lock in turn, each sees the stop at its first poll and hands it on.
 *   That chain of wake-ups drains 2000 simulated threads in 15 ms; waking
 *   them all to leave at once made them queue for the mutex instead, 28
 *   ms (test_sim_locks, 2026-12-06).
 *
 * Threading: mutex guards every field below it and the queue entries. */
#include <stdlib.h>

#include "lock.h"

typedef struct waiter {
    gs_cond *cond;     /* signalled when granted, or when it became head */
    gs_gil_client *client;
    bool granted;
    struct waiter *next;
} waiter;

typedef struct {
    gs_gil base;
    gs_mutex *mutex;
    bool locked;
    gs_gil_client *holder;   /* NULL when not locked */
    uint64_t holder_since;   /* gs_os_now() of the current turn's start */
    bool requested;          /* a drop request was made this turn */
    waiter *head, *tail;
} gil_fifo;

/* Becomes holder.  Precondition: mutex is held. */
static void begin_turn(gil_fifo *g, gs_gil_client *c)
{
    g->locked = true;
    g->holder = c;
    g->holder_since = gs_os_now(g->base.os);
    g->requested = false;
}

/* The head's wait: until granted or the holder's slice is over. */
static void wait_as_head(gil_fifo *g, waiter *w)
{
    uint64_t now = gs_os_now(g->base.os), slice_end = g->holder_since + g->base.interval_ns;
    if (now >= slice_end) {
        if (!g->requested && g->holder) {
            g->requested = true;
            gs_vm_set_breaker(g->holder->vm, GS_BREAK_DROP);
            w->client->stats->drop_requests++;
            gs_record(w->client->rec, GS_EV_DROP_REQUEST, now, g->holder->id);
        }
        gs_os_wait(g->base.os, w->cond, g->mutex);
        return;
    }
    gs_os_wait_until(g->base.os, w->cond, g->mutex, slice_end);
}

static gs_take fifo_take(gs_gil *base, gs_gil_client *c)
{
    gil_fifo *g = (gil_fifo *)base;
    gs_os_lock(g->base.os, g->mutex);
    if (!g->locked && !g->head) {
        begin_turn(g, c);
        gs_os_unlock(g->base.os, g->mutex);
        gs_vm_clear_breaker(c->vm, GS_BREAK_DROP);
        return GS_TOOK;
    }
    waiter w = {.client = c, .cond = gs_os_cond(g->base.os)};
    if (g->tail)
        g->tail->next = &w;
    else
        g->head = &w;
    g->tail = &w;
    atomic_fetch_add_explicit(&g->base.queued, 1, memory_order_relaxed);
    while (!w.granted) {
        if (g->head == &w)
            wait_as_head(g, &w);
        else
            gs_os_wait(g->base.os, w.cond, g->mutex);
    }
    atomic_fetch_sub_explicit(&g->base.queued, 1, memory_order_relaxed);
    gs_os_unlock(g->base.os, g->mutex);
    g->base.os->ops->cond_free(g->base.os, w.cond);
    gs_vm_clear_breaker(c->vm, GS_BREAK_DROP); /* a request from an earlier turn is stale */
    return GS_TOOK_AFTER_WAIT;
}

static void fifo_drop(gs_gil *base, gs_gil_client *c, gs_drop_reason why)
{
    (void)why;
    gil_fifo *g = (gil_fifo *)base;
    gs_os_lock(g->base.os, g->mutex);
    if (!g->locked || g->holder != c)
        gs_fatal("a lock dropped by a worker that does not hold it (a runner's bug)", 0);
    waiter *next = g->head;
    if (next) {
        g->head = next->next;
        if (!g->head)
            g->tail = NULL;
        begin_turn(g, next->client);
        next->granted = true;
        gs_os_signal(g->base.os, next->cond);
        if (g->head) /* the new head starts timing the new holder's slice */
            gs_os_signal(g->base.os, g->head->cond);
    } else {
        g->locked = false;
        g->holder = NULL;
    }
    gs_os_unlock(g->base.os, g->mutex);
    gs_vm_clear_breaker(c->vm, GS_BREAK_DROP);
}

static void fifo_destroy(gs_gil *base)
{
    gil_fifo *g = (gil_fifo *)base;
    g->base.os->ops->mutex_free(g->base.os, g->mutex);
    free(g);
}

static const gs_gil_ops fifo_ops = {
    .take = fifo_take,
    .drop = fifo_drop,
    .destroy = fifo_destroy,
};

gs_gil *gs_gil_fifo_new(const gs_gil_config *cfg, gs_os *os)
{
    gil_fifo *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    gs_gil_base_init(&g->base, os, &fifo_ops, cfg);
    g->mutex = gs_os_mutex(os);
    return &g->base;
}
