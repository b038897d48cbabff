/* legacy.c - CPython 2's global interpreter lock (Python/ceval.c and
 * thread_pthread.h before 3.2), to show what it did on multicore machines.
 *
 * Notes about the algorithm
 *
 * - The lock is a plain lock, as Python 2's was on Linux: a POSIX
 *   semaphore (Python/thread_pthread.h defines USE_SEMAPHORES where the
 *   system has them), the machine's gs_sem.  Releasing it makes it free at
 *   once, then, if anyone waits, makes the system call that wakes one
 *   (sem_post: the count, then the futex wake).  While the releaser is in
 *   that call the lock is free, and a waiter woken quickly enough (a core
 *   that idled only briefly wakes in a couple of microseconds) takes it
 *   before the releaser is back for it: the lock changes hands at some
 *   ticks, as it did in Python 2 (real runs: about one tick in eight), and
 *   each change costs the loser a sleep and a wake-up.  And while a woken
 *   waiter has not yet come back, every release still pays a system call
 *   (sem_post sees a waiter), which is what Python 2 paid on one core.

 * - There is no switch interval in time and no drop request.  The holder
 *   counts instructions ("ticks"); every check interval it releases the
 *   lock, which signals one waiter, and at once tries to take it again.
 *   The runner does this when the interpreter's budget of check_interval
 *   instructions runs out (GS_DROP_TICK, then take).
 *
 * - The pace: the default check interval is 2000 gilsim instructions, a
 *   release every microsecond or so.  Python 2.7 released every 100
 *   ticks, 1,000 to 1,300 gilsim instructions' time on the same machine;
 *   gil.h says why the default is slower than that, and what each pace
 *   does to the battle.
 *   --check-interval counts gilsim instructions.
 *
 * - A tick costs the holder a lock's release and take even when nobody
 *   waits: the interpreter leaves its loop, the runner posts and takes
 *   the semaphore and records them.  Real runs pay it as they go (a lone
 *   thread on the development VM: 0.39 ns an instruction under this
 *   lock, 0.34 under CPython's, about 100 ns a tick); virtual time
 *   charges the machine's lock_op for each, as for a program's own lock
 *   (Python 2's interpreter lock was one: a PyThread lock, as
 *   threading.Lock).  Without it the model's lone thread ran 15% faster
 *   than real ones, and every battle's ratio over it read that much
 *   worse (2 threads on the VM's calibration of 2026-12-07: 2.18, now
 *   2.10; real runs 1.51 to 1.68).
 *
 * - On one core this works: the waiter gets the core only when the
 *   holder's time slice ends, finds the lock taken and sleeps; the next
 *   release wakes it, and it takes the core at once (the kernel's wake-up
 *   preemption: it has run less) and the lock with it.  The lock changes
 *   hands about once a slice.  On several cores it does not: the releaser
 *   is still running and re-takes the lock a few nanoseconds later, while
 *   the waiter is still being woken up on another core; the waiter finds
 *   the lock taken and sleeps again.  Each such wake-up is counted as
 *   futile (futile_wakeups).  CPU threads fight over the lock with system
 *   calls at every tick (the "GIL battle"), and a thread back from I/O may
 *   wait a long time.
 *
 * - Nothing orders the waiters: whoever the OS wakes and gets to the count
 *   first wins.  The machine counts the wake-ups that found the lock taken
 *   again; they are marked on the timeline when the waiter at last takes
 *   it.
 *
 * Threading: the semaphore is the machine's; `held` is only a check. */
#include <stdlib.h>

#include "lock.h"

typedef struct {
    gs_gil base;
    gs_sem *sem;              /* 1: free, 0: held */
    _Atomic bool held;        /* to catch a runner's bug: a drop of a free lock */
} gil_legacy;

static gs_take legacy_take(gs_gil *base, gs_gil_client *c)
{
    gil_legacy *g = (gil_legacy *)base;
    gs_sem_waited how;
    atomic_fetch_add_explicit(&g->base.queued, 1, memory_order_relaxed);
    g->base.os->ops->sem_wait(g->base.os, g->sem, GS_NO_DEADLINE, &how);
    atomic_fetch_sub_explicit(&g->base.queued, 1, memory_order_relaxed);
    atomic_store(&g->held, true);
    g->base.os->ops->lock_op(g->base.os);
    c->stats->futile_wakeups += how.futile;
    for (uint32_t i = 0; i < how.futile; i++)
        gs_record(c->rec, GS_EV_FUTILE_WAKE, gs_os_now(g->base.os), 0);
    return how.slept ? GS_TOOK_AFTER_WAIT : GS_TOOK;
}

static void legacy_drop(gs_gil *base, gs_gil_client *c, gs_drop_reason why)
{
    (void)c;
    (void)why;
    gil_legacy *g = (gil_legacy *)base;
    if (!atomic_exchange(&g->held, false))
        gs_fatal("a lock dropped that nobody holds (a runner's bug)", 0);
    g->base.os->ops->sem_post(g->base.os, g->sem);
    g->base.os->ops->lock_op(g->base.os);
}

static void legacy_destroy(gs_gil *base)
{
    gil_legacy *g = (gil_legacy *)base;
    g->base.os->ops->sem_free(g->base.os, g->sem);
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
    g->sem = os->ops->sem_new(os, 1);
    atomic_init(&g->held, false);
    return &g->base;
}
