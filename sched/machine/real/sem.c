/* sem.c - the real machine's semaphores (machine.h): a count and a futex,
 * as glibc's sem_t, and counting the futile wake-ups glibc's hides.
 *
 * A waiter that finds the count 0 counts itself among the waiters, then
 * sleeps on the count's futex while it is 0.  A post adds one to the count
 * and, if any waiter counts itself, makes the futex call that wakes one:
 * the count is free before that call returns, and whoever gets to it first
 * (the poster coming back for it, or the woken waiter) takes it.  A wait
 * with a deadline sleeps on the futex until then (glibc's sem_clockwait),
 * and stops counting itself when it gives up.  Every
 * access is sequentially consistent: a waiter counts itself before it
 * sleeps and a poster adds to the count before it reads the waiters, so a
 * post never misses a waiter that goes to sleep (the futex call refuses to
 * sleep when the count is no longer 0). */
#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "real.h"

struct gs_sem {
    _Atomic uint32_t value;
    _Atomic uint32_t waiters;
};

/* FUTEX_WAIT_BITSET takes an absolute deadline on CLOCK_MONOTONIC, the
 * clock of now_ns (clock.h); NULL waits as long as it takes. */
static long futex(_Atomic uint32_t *word, int op, uint32_t val, const struct timespec *deadline)
{
    return syscall(SYS_futex, word, op, val, deadline, NULL, FUTEX_BITSET_MATCH_ANY);
}

gs_sem *gs_real_sem_new(gs_os *os, uint32_t value)
{
    (void)os;
    gs_sem *s = malloc(sizeof *s);
    if (!s)
        gs_fatal("allocating a semaphore", ENOMEM);
    atomic_init(&s->value, value);
    atomic_init(&s->waiters, 0);
    return s;
}

/* Takes one if the count has one. */
static bool take_one(gs_sem *s)
{
    uint32_t v = atomic_load(&s->value);
    while (v > 0)
        if (atomic_compare_exchange_weak(&s->value, &v, v - 1))
            return true;
    return false;
}

bool gs_real_sem_wait(gs_os *os, gs_sem *s, uint64_t deadline_ns, gs_sem_waited *how)
{
    (void)os;
    *how = (gs_sem_waited){0};
    bool woken = false, took;
    for (;;) {
        if ((took = take_one(s)))
            break;
        how->futile += woken; /* woken, and the count was taken again first */
        if (deadline_ns == 0 || (deadline_ns != GS_NO_DEADLINE && gs_now_ns() >= deadline_ns))
            break; /* a try reads no clock: a user lock's try is most of what it costs */
        if (!how->slept) {
            how->slept = true;
            atomic_fetch_add(&s->waiters, 1);
        }
        struct timespec deadline = {.tv_sec = (time_t)(deadline_ns / 1000000000u),
                                    .tv_nsec = (long)(deadline_ns % 1000000000u)};
        woken = futex(&s->value, FUTEX_WAIT_BITSET_PRIVATE, 0, deadline_ns == GS_NO_DEADLINE ? NULL : &deadline) == 0;
    }
    if (how->slept)
        atomic_fetch_sub(&s->waiters, 1);
    return took;
}

void gs_real_sem_post(gs_os *os, gs_sem *s)
{
    (void)os;
    atomic_fetch_add(&s->value, 1);
    if (atomic_load(&s->waiters) > 0)
        futex(&s->value, FUTEX_WAKE_PRIVATE, 1, NULL);
}

void gs_real_sem_free(gs_os *os, gs_sem *s)
{
    (void)os;
    free(s);
}
