/* ulock.h - a program's user locks (acquire and release instructions), as
 * Python's threading.Lock, and the figures kept about them.
 *
 * A lock is a flag and an owner under a mutex, with waiters on a condition
 * variable: not reentrant, and released only by its owner (the runner
 * checks that before it asks, with gs_vm_lock_misuse).  Whether the
 * interpreter lock is dropped while waiting is the runner's business: a
 * thread drops it, as CPython's lock.acquire() does before it blocks.
 *
 * One table per process: the threads of a process share it, each forked
 * process has its own, and async tasks share the loop's (where a waiting
 * task parks and the loop runs others; the async runner does that itself
 * with gs_ulock_try).
 *
 * Threading: every function may be called from any thread of the table's
 * os; the table's figures are read once every user has finished. */
#ifndef GS_ULOCK_H
#define GS_ULOCK_H

#include "../interp/program.h"
#include "hist.h"
#include "os.h"

/* One lock's figures, as one worker saw it or as a run adds them up. */
typedef struct {
    uint64_t acquisitions;
    uint64_t contended;  /* acquisitions that found it held and waited */
    uint64_t wait_ns;    /* total, over the contended ones */
    uint64_t held_ns;    /* total, from each acquisition to its release */
} gs_ulock_counts;

typedef struct {
    gs_mutex *mutex;
    gs_cond *cond;       /* signalled at each release */
    bool locked;         /* guarded by mutex */
    uint64_t got_ns;     /* guarded by mutex: when its holder took it */
    gs_hist wait;        /* guarded by mutex: each contended acquisition's wait */
} gs_ulock;

typedef struct {
    gs_os *os;
    uint32_t n;
    gs_ulock *locks;
} gs_ulocks;

/* A table of n locks, all free.  Returns 0, or -1 when out of memory. */
int gs_ulocks_init(gs_ulocks *u, gs_os *os, uint32_t n);
void gs_ulocks_destroy(gs_ulocks *u);

/* Takes lock i if it is free; returns whether it did.  asked_ns: when the
 * caller asked (its figures count from there). */
bool gs_ulock_try(gs_ulocks *u, uint32_t i, uint64_t asked_ns, gs_ulock_counts *c);

/* Waits for lock i and takes it. */
void gs_ulock_wait(gs_ulocks *u, uint32_t i, uint64_t asked_ns, gs_ulock_counts *c);

/* Releases lock i, which the caller holds, and wakes a waiter. */
void gs_ulock_release(gs_ulocks *u, uint32_t i, gs_ulock_counts *c);

#endif
