/* sync.c - the simulated machine's mutexes, condition variables and
 * semaphores (sim.c, "Mutexes are glibc's" and "Choices", says how they
 * behave; semaphores below). */
#include <stdlib.h>
#include <string.h>

#include "sim_core.h"

gs_mutex *gs_sim_mutex_new(gs_os *os)
{
    (void)os;
    return sim_must(calloc(1, sizeof(sim_mutex)));
}

void gs_sim_lock(gs_os *os, gs_mutex *mu)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_mutex *m = (sim_mutex *)mu;
    for (;;) {
        sim_wait_turn(s, th);
        if (!m->owner) {
            m->owner = th;
            return;
        }
        sim_push(&m->waiting, th);
        sim_block(s, th); /* woken by an unlock: try again */
    }
}

bool gs_sim_trylock(gs_os *os, gs_mutex *mu)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_mutex *m = (sim_mutex *)mu;
    sim_wait_turn(s, th);
    if (m->owner)
        return false;
    m->owner = th;
    return true;
}

void gs_sim_unlock(gs_os *os, gs_mutex *mu)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_mutex *m = (sim_mutex *)mu;
    sim_wait_turn(s, th);
    if (m->owner != th)
        gs_fatal("the simulated machine saw a mutex unlocked by a thread that does not hold it", 0);
    m->owner = NULL;
    sim_thread *w = sim_pop(&m->waiting);
    if (w) {
        uint64_t called = th->t;
        sim_spend(th, sim_cost(s, s->m.signal_ns));
        sim_wake(s, w, called);
    }
}

void gs_sim_mutex_free(gs_os *os, gs_mutex *m)
{
    (void)os;
    free(m);
}

gs_cond *gs_sim_cond_new(gs_os *os)
{
    (void)os;
    return sim_must(calloc(1, sizeof(sim_cond)));
}

/* A condition variable's waiters stay in the order they came: a signal
 * wakes the one at a drawn rank among them, a broadcast all in order, and
 * a timed-out waiter leaves from wherever it is.  An array shifted at each
 * departure made every wake-up O(waiters), and thousands of threads wait
 * on one lock's variable; so each departure leaves a hole, and a Fenwick
 * tree over the slots counts the waiters in each range, which finds the
 * waiter of a rank, or records a departure, in O(log slots).  When the
 * slots run out, the holes are closed (or the slots doubled when few are
 * holes): O(1) a waiter, amortized. */

/* Adds d at slot i (0-based) of the tree. */
static void count_add(sim_cond *c, uint32_t i, int d)
{
    for (uint32_t j = i + 1; j <= c->cap; j += j & -j)
        c->count[j] += (uint32_t)d;
}

/* The slot of the waiter of the given rank (0: the oldest). */
static uint32_t slot_of_rank(const sim_cond *c, uint32_t rank)
{
    uint32_t pos = 0, step = 1;
    while (step * 2 <= c->cap)
        step *= 2;
    for (; step; step /= 2)
        if (pos + step <= c->cap && c->count[pos + step] <= rank) {
            pos += step;
            rank -= c->count[pos];
        }
    return pos;
}

/* Room for one more waiter at slot `used`. */
static void make_room(sim_cond *c)
{
    if (c->used < c->cap)
        return;
    uint32_t kept = 0;
    for (uint32_t i = 0; i < c->used; i++)
        if (c->slot[i]) {
            c->slot[kept] = c->slot[i];
            c->slot[kept]->cond_slot = kept;
            kept++;
        }
    c->used = kept;
    if (kept == c->cap || kept > c->cap / 2) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->slot = sim_must(realloc(c->slot, c->cap * sizeof *c->slot));
        free(c->count);
        c->count = sim_must(malloc((c->cap + 1) * sizeof *c->count));
    }
    for (uint32_t j = 1; j <= c->cap; j++) /* the tree, built in O(cap) */
        c->count[j] = j <= c->used;
    for (uint32_t j = 1; j <= c->cap; j++)
        if (j + (j & -j) <= c->cap)
            c->count[j + (j & -j)] += c->count[j];
}

static void cond_add(sim_cond *c, sim_thread *th)
{
    make_room(c);
    c->slot[c->used] = th;
    th->cond_slot = c->used;
    count_add(c, c->used++, 1);
    c->n++;
    th->cond = c;
}

void sim_cond_remove(sim_cond *c, sim_thread *th)
{
    c->slot[th->cond_slot] = NULL;
    count_add(c, th->cond_slot, -1);
    th->cond = NULL;
    if (--c->n == 0)
        c->used = 0; /* every slot's count is back at 0 */
}

void sim_cond_enter(gs_os *os, gs_cond *cv, gs_mutex *m, uint64_t deadline)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_wait_turn(s, th);
    cond_add((sim_cond *)cv, th);
    th->timed_out = false;
    gs_sim_unlock(os, m);
    if (deadline != FOREVER)
        sim_schedule(s, deadline > th->t ? deadline : th->t, sim_timer_late(s), th, SIM_BY_TIMEOUT);
    if (s->m.adversarial && sim_random(s) % 4 == 0) /* a spurious wake-up */
        sim_schedule(s, th->t, sim_random(s) % (4 * s->m.wake_ns + 1), th, SIM_BY_CALL);
}

/* The common part of the waits; returns true if it timed out. */
static bool cond_wait(gs_os *os, gs_cond *cv, gs_mutex *m, uint64_t deadline)
{
    sim_thread *th = sim_me(os);
    sim_cond_enter(os, cv, m, deadline);
    sim_block(sim_of(os), th);
    bool timed_out = th->timed_out;
    gs_sim_lock(os, m);
    return timed_out;
}

void gs_sim_wait(gs_os *os, gs_cond *c, gs_mutex *m)
{
    cond_wait(os, c, m, FOREVER);
}

bool gs_sim_wait_until(gs_os *os, gs_cond *c, gs_mutex *m, uint64_t deadline)
{
    return cond_wait(os, c, m, deadline);
}

/* Wakes waiter w, by a call made at `called`. */
static void wake_waiter(sim *s, uint64_t called, sim_cond *c, sim_thread *w)
{
    sim_cond_remove(c, w);
    sim_wake(s, w, called);
}

/* Wakes one waiter, the OS's pick (signal), or every one (broadcast). */
static void notify(gs_os *os, gs_cond *cv, bool all)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_cond *c = (sim_cond *)cv;
    sim_wait_turn(s, th);
    if (c->n == 0)
        return;
    if (!all) {
        sim_thread *w = c->slot[slot_of_rank(c, (uint32_t)(sim_random(s) % c->n))];
        wake_waiter(s, sim_wake_call(s, th, w, true), c, w);
        return;
    }
    /* A broadcast is one call: the first waiter's sleep prices it (they
     * went to sleep in that order), and it wakes them all. */
    sim_thread *first = NULL;
    for (uint32_t i = 0; !first; i++)
        first = c->slot[i];
    uint64_t called = sim_wake_call(s, th, first, false);
    for (uint32_t i = 0; c->n; i++)
        if (c->slot[i])
            wake_waiter(s, called, c, c->slot[i]);
}

void gs_sim_signal(gs_os *os, gs_cond *c) { notify(os, c, false); }
void gs_sim_broadcast(gs_os *os, gs_cond *c) { notify(os, c, true); }

void gs_sim_cond_free(gs_os *os, gs_cond *cv)
{
    (void)os;
    sim_cond *c = (sim_cond *)cv;
    if (c) {
        free(c->slot);
        free(c->count);
    }
    free(c);
}


/* Semaphores are glibc's sem_t: a count, and a count of waiters that
 * sem_post reads to decide whether to make the futex call.  A waiter
 * counts itself from the moment it finds the count 0 until it takes one
 * or its deadline passes; a post while any waiter counts pays a system
 * call: the wake-up call (signal_ns) when one sleeps, a system call
 * (syscall_ns) when the one it wakes is still inside its call to sleep,
 * else a wake that finds no thread in the kernel (wake_none_ns: the
 * woken waiter has not run yet, or is between tries).  Nothing is
 * handed over: the count is free at once, and a woken waiter takes it only
 * if it gets there first, as a waiter woken quickly does while the poster
 * is still in its call.  The sleepers queue as a condition variable's
 * waiters do (so a timed-out one leaves from wherever it is), and a post
 * wakes the oldest, as the futex's queue does. */
typedef struct {
    uint32_t value;
    uint32_t waiters;     /* found it 0 and have not taken one since */
    sim_cond sleeping;
} sim_sem;

gs_sem *gs_sim_sem_new(gs_os *os, uint32_t value)
{
    (void)os;
    sim_sem *s = sim_must(calloc(1, sizeof *s));
    s->value = value;
    return (gs_sem *)(void *)s;
}

bool gs_sim_sem_wait(gs_os *os, gs_sem *sem, uint64_t deadline, gs_sem_waited *how)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_sem *m = (sim_sem *)(void *)sem;
    *how = (gs_sem_waited){0};
    bool took = false;
    for (bool woken = false, timed_out = false;; woken = true) {
        sim_wait_turn(s, th);
        if ((took = m->value > 0)) {
            m->value--;
            break;
        }
        how->futile += woken && !timed_out;
        if (timed_out || (deadline != GS_NO_DEADLINE && th->t >= deadline))
            break;
        m->waiters += !how->slept;
        how->slept = true;
        cond_add(&m->sleeping, th);
        th->timed_out = false;
        if (deadline != GS_NO_DEADLINE)
            sim_schedule(s, deadline, sim_timer_late(s), th, SIM_BY_TIMEOUT);
        sim_block(s, th); /* woken by a post: try again; or by its deadline */
        timed_out = th->timed_out;
    }
    m->waiters -= how->slept;
    return took;
}

void gs_sim_sem_post(gs_os *os, gs_sem *sem)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_sem *m = (sim_sem *)(void *)sem;
    sim_wait_turn(s, th);
    m->value++;
    if (!m->waiters)
        return;
    if (m->sleeping.n) {
        sim_thread *w = m->sleeping.slot[slot_of_rank(&m->sleeping, 0)];
        wake_waiter(s, sim_wake_call(s, th, w, true), &m->sleeping, w);
    } else {
        sim_spend(th, sim_cost(s, s->m.wake_none_ns));
    }
}

void gs_sim_sem_free(gs_os *os, gs_sem *sem)
{
    (void)os;
    sim_sem *m = (sim_sem *)(void *)sem;
    if (m) {
        free(m->sleeping.slot);
        free(m->sleeping.count);
    }
    free(m);
}
