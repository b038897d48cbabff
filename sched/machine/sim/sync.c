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
            sim_settle(s, th);
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
        th->t += sim_cost(s, s->m.signal_ns);
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

/* The common part of the waits; returns true if it timed out. */
static bool cond_wait(gs_os *os, gs_cond *cv, gs_mutex *m, uint64_t deadline)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_cond *c = (sim_cond *)cv;
    sim_wait_turn(s, th);
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 8;
        c->waiters = sim_must(realloc(c->waiters, c->cap * sizeof *c->waiters));
    }
    c->waiters[c->n++] = th;
    th->cond = c;
    th->timed_out = false;
    gs_sim_unlock(os, m);
    if (deadline != FOREVER)
        sim_schedule(s, (deadline > th->t ? deadline : th->t) + sim_timer_late(s), th, true);
    if (s->m.adversarial && sim_random(s) % 4 == 0) /* a spurious wake-up */
        sim_schedule(s, th->t + sim_random(s) % (4 * s->m.wake_ns + 1), th, false);
    sim_block(s, th);
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

/* Wakes the waiter at index i, by a call made at `called`. */
static void wake_waiter(sim *s, uint64_t called, sim_cond *c, uint32_t i)
{
    sim_thread *w = c->waiters[i];
    memmove(&c->waiters[i], &c->waiters[i + 1], (c->n - i - 1) * sizeof *c->waiters);
    c->n--;
    w->cond = NULL;
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
    uint64_t called = th->t;
    th->t += sim_cost(s, s->m.signal_ns);
    if (!all)
        wake_waiter(s, called, c, (uint32_t)(sim_random(s) % c->n));
    while (all && c->n)
        wake_waiter(s, called, c, 0);
}

void gs_sim_signal(gs_os *os, gs_cond *c) { notify(os, c, false); }
void gs_sim_broadcast(gs_os *os, gs_cond *c) { notify(os, c, true); }

void gs_sim_cond_free(gs_os *os, gs_cond *cv)
{
    (void)os;
    sim_cond *c = (sim_cond *)cv;
    if (c)
        free(c->waiters);
    free(c);
}


/* Semaphores are glibc's sem_t: a count, and a count of waiters that
 * sem_post reads to decide whether to make the futex call.  A waiter
 * counts itself from the moment it finds the count 0 until it takes one;
 * a post while any waiter counts pays a system call, the wake-up call
 * (signal_ns) when one sleeps, else one that wakes nobody (syscall_ns: the
 * woken waiter has not run yet).  Nothing is handed over: the count is
 * free at once, and a woken waiter takes it only if it gets there first,
 * as a waiter woken quickly does while the poster is still in its call. */
typedef struct {
    uint32_t value;
    uint32_t waiters;     /* found it 0 and have not taken one since */
    sim_queue sleeping;
} sim_sem;

gs_sem *gs_sim_sem_new(gs_os *os, uint32_t value)
{
    (void)os;
    sim_sem *s = sim_must(calloc(1, sizeof *s));
    s->value = value;
    return (gs_sem *)(void *)s;
}

uint32_t gs_sim_sem_wait(gs_os *os, gs_sem *sem, bool *waited)
{
    sim *s = sim_of(os);
    sim_thread *th = sim_me(os);
    sim_sem *m = (sim_sem *)(void *)sem;
    uint32_t futile = 0;
    *waited = false;
    for (bool woken = false;; woken = true) {
        sim_wait_turn(s, th);
        if (m->value > 0) {
            m->value--;
            m->waiters -= *waited;
            sim_settle(s, th);
            return futile;
        }
        futile += woken;
        m->waiters += !*waited;
        *waited = true;
        sim_push(&m->sleeping, th);
        sim_block(s, th); /* woken by a post: try again */
    }
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
    sim_thread *w = sim_pop(&m->sleeping);
    uint64_t called = th->t;
    th->t += sim_cost(s, w ? s->m.signal_ns : s->m.syscall_ns);
    if (w)
        sim_wake(s, w, called);
}

void gs_sim_sem_free(gs_os *os, gs_sem *sem)
{
    (void)os;
    free(sem);
}
