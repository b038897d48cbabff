/* ulock.h - a program's user locks (acquire and release instructions), as
 * Python's threading.Lock, and the figures kept about them.
 *
 * A lock is a semaphore of one, as CPython's threading.Lock is on Linux
 * (Python/thread_pthread.h, USE_SEMAPHORES): an acquire first tries the
 * semaphore without waiting, holding the interpreter lock, and only if
 * that fails drops the interpreter lock and waits on it (Modules/
 * _threadmodule.c, acquire_timed); a release posts it.  Not reentrant,
 * released only by its owner (the runner checks that before it asks, with
 * gs_vm_lock_misuse).  Which is why a contended lock is dear: a waiter
 * counts itself among the semaphore's waiters until it takes the count,
 * so while one waits, every release by the other makes the futex call that
 * wakes it, and the woken waiter may find the count taken again by the
 * releaser coming round (docs/design.md, "User locks").  Each acquire and
 * release also costs its thread the machine's lock_op (virtual time:
 * --lock-cost).  A lock's figures need no lock of their own: only its
 * holder writes them.
 *
 * One table per process: the threads of a process share it, each forked
 * process has its own, and async tasks share the loop's (where a waiting
 * task parks and the loop runs others; the async runner does that itself
 * with gs_ulock_try).
 *
 * Deadlock.  Python waits forever for two locks taken in opposite orders;
 * gilsim must not hang, so a waiter looks for a cycle (it waits for a lock
 * whose holder waits for a lock ... held by the waiter) every
 * GS_DEADLOCK_CHECK_NS of its wait, and reports one it has seen twice
 * unchanged: the same users in the same waits (a count of waits begun
 * tells a new wait from an old one), the same holders.  A user that waited
 * throughout cannot have released anything, so at the second look all of
 * them were waiting for locks held by each other: a deadlock, not a
 * passing picture.  Only the lowest-numbered user of a cycle reports it,
 * so one worker fails (its runner releases what it held) and the others go
 * on.  Async tasks share one thread, so there one look, when a task
 * parks, is exact (gs_ulock_park).
 *
 * Stopping.  gs_ulocks_stop posts each lock once; whoever takes a count
 * once the run is stopping posts it again and gives up, so the post passes
 * from waiter to waiter until each has woken, and nobody takes a lock.
 *
 * Threading: every function may be called from any thread of the table's
 * os; the table's figures are read once every user has finished. */
#ifndef GS_ULOCK_H
#define GS_ULOCK_H

#include <stdatomic.h>

#include "../../interp/program.h"
#include "../hist.h"
#include "../machine/machine.h"
#include "../run.h" /* gs_ulock_counts */

#define GS_DEADLOCK_CHECK_NS 250000000u /* of the table's os: real or virtual */

typedef struct {
    gs_sem *sem;            /* 1: free, 0: held */
    _Atomic int32_t holder; /* its user, -1 when free */
    uint64_t got_ns;        /* the holder's: when it took it */
    gs_hist wait;           /* each contended acquisition's wait, added by its taker */
} gs_ulock;

/* What a user of the table is waiting for, for the deadlock check. */
typedef struct {
    _Atomic int32_t lock;   /* the lock it waits for, -1 when none */
    _Atomic uint64_t waits; /* waits begun: tells one wait from the next */
} gs_ulock_user;

typedef struct {
    gs_os *os;
    uint32_t n;
    gs_ulock *locks;
    uint32_t nusers;
    gs_ulock_user *users;
    _Atomic bool stopping;  /* gs_ulocks_stop was called */
} gs_ulocks;

/* A cycle of users, each waiting for a lock the next one holds. */
typedef struct {
    uint32_t n;
    uint32_t user[GS_MAX_ULOCKS];
    uint32_t lock[GS_MAX_ULOCKS]; /* user[k] waits for lock[k], held by user[(k + 1) % n] */
} gs_ulock_cycle;

typedef enum {
    GS_ULOCK_TAKEN,
    GS_ULOCK_STOPPED,  /* the run is stopping: not taken */
    GS_ULOCK_DEADLOCK, /* a cycle the caller is part of, in *cycle: not taken */
} gs_ulock_outcome;

/* A table of n locks, all free, for users numbered 0 .. nusers-1.
 * Returns 0, or -1 when out of memory. */
int gs_ulocks_init(gs_ulocks *u, gs_os *os, uint32_t n, uint32_t nusers);
void gs_ulocks_destroy(gs_ulocks *u);

/* Takes lock i for user `who` if it is free; returns whether it did.
 * asked_ns: when the caller asked (its figures count from there). */
bool gs_ulock_try(gs_ulocks *u, uint32_t i, uint32_t who, uint64_t asked_ns, gs_ulock_counts *c);

/* Waits for lock i and takes it for `who`, unless the run stops or `who`
 * is the lowest-numbered user of a deadlock (then *cycle says which). */
gs_ulock_outcome gs_ulock_wait(gs_ulocks *u, uint32_t i, uint32_t who, uint64_t asked_ns, gs_ulock_counts *c,
                               gs_ulock_cycle *cycle);

/* Releases lock i, which the caller holds, at now (its figures count to
 * there), and wakes a waiter. */
void gs_ulock_release(gs_ulocks *u, uint32_t i, uint64_t now, gs_ulock_counts *c);

/* Makes every wait end now, and every later one at once (GS_ULOCK_STOPPED). */
void gs_ulocks_stop(gs_ulocks *u);

/* For users that never run at once (async tasks, on one thread): marks
 * `who` as waiting for lock i, which another holds, and returns whether
 * that closes a cycle (then *cycle says which, and who is not marked).
 * gs_ulock_wait, once the lock is handed over, takes it and clears the
 * mark. */
bool gs_ulock_park(gs_ulocks *u, uint32_t i, uint32_t who, gs_ulock_cycle *cycle);

#endif
