/* lock.h - the global interpreter lock: one interface, several policies
 * (private to sched/; the public part is gil.h).
 *
 * A policy is a file of its own (cpython.c, legacy.c, fifo.c, none.c)
 * implementing two operations; this header is the whole contract between
 * a policy and the runners.  The wrappers gs_gil_take and gs_gil_drop
 * time every acquisition and hold, record the events and keep the
 * counters, so policies contain only their algorithm.
 *
 * A worker thread is a gs_gil_client: its interpreter state (whose eval
 * breaker carries drop requests), its recorder and its statistics.  Only the
 * client's own thread writes its recorder and statistics.
 *
 * A runner runs its interpreter with a budget of check_interval
 * instructions when the lock has one (legacy) and, at GS_STOP_BUDGET,
 * calls gs_gil_tick: a drop with GS_DROP_TICK and a take at once.
 *
 * The breaker bits a runner must handle when gs_vm_run returns
 * GS_STOP_BREAK:
 *   GS_BREAK_DROP  the lock asks its holder to drop it: call
 *                  gs_gil_drop(..., GS_DROP_FORCED), then gs_gil_take;
 *   GS_BREAK_STOP  the run is being stopped (timeout, interrupt).
 *
 * Stopping.  A runner that stops its workers sets GS_BREAK_STOP on each
 * and calls gs_gil_stop on their lock.  From then on a take may return
 * false: the worker does not hold the lock and must end without it.  Were
 * the waiters left to see the stop only once each held the lock, N
 * waiters would leave one hand-off at a time, each hand-off queued behind
 * the others' timed waits: 12,000 simulated threads took 200 s of virtual
 * time to stop.  CPython 3.9 to 3.13 did much the same at finalization
 * (take_gil, Python/ceval_gil.c, bpo-39877): a thread that must exit left
 * on entering take_gil or when a timed wait ran out, and dropped the lock
 * at once if it had got it (3.14 parks such a thread instead, the process
 * being about to end).  Here the stop wakes the waiters at once rather
 * than at their next timeout: a run goes on after its workers stop. */
#ifndef GS_LOCK_H
#define GS_LOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../interp/vm.h"
#include "../gil.h"
#include "../machine/machine.h"
#include "../recorder.h"

#define GS_BREAK_DROP 1u
#define GS_BREAK_STOP 2u

typedef enum {
    GS_DROP_VOLUNTARY, /* around blocking I/O, at a yield, at the end */
    GS_DROP_FORCED,    /* because a drop request arrived */
    GS_DROP_TICK,      /* legacy: the check interval ran out */
} gs_drop_reason;

typedef struct {
    gs_vm *vm;
    uint32_t id;
    gs_recorder *rec;
    gs_lock_stats *stats;
    uint64_t got_ns; /* when this client last took the lock */
} gs_gil_client;

typedef struct gs_gil gs_gil;

typedef enum {
    GS_TOOK,            /* c holds the lock; it did not wait */
    GS_TOOK_AFTER_WAIT, /* c holds the lock; it waited */
    GS_TAKE_STOPPED,    /* c does not hold the lock: the run is stopping */
} gs_take;

typedef struct {
    /* Blocks until c holds the lock, or, once gs_gil_stop was called,
     * returns GS_TAKE_STOPPED; a policy without `stop` never does. */
    gs_take (*take)(gs_gil *g, gs_gil_client *c);
    /* Precondition: c holds the lock (gs_fatal otherwise: a runner's bug). */
    void (*drop)(gs_gil *g, gs_gil_client *c, gs_drop_reason why);
    void (*destroy)(gs_gil *g);
    /* Optional: wakes every client waiting inside take or drop, which
     * then sees `stopping` and leaves; called once, after `stopping` is
     * set.  A policy whose waiters are handed the lock in turn, without
     * timed waits of their own (legacy, fifo, none, free-threaded), does
     * without: the hand-offs drain them as fast. */
    void (*stop)(gs_gil *g);
} gs_gil_ops;

/* The part every policy shares; each policy's struct begins with it. */
struct gs_gil {
    const gs_gil_ops *ops;
    gs_os *os;                        /* the operating system it runs over */
    gs_gil_policy policy;             /* read-only after creation */
    uint64_t interval_ns;             /* switch interval; read-only after creation */
    uint64_t check_interval;          /* instructions between legacy ticks; 0 = none */
    _Atomic uint32_t queued;          /* clients waiting inside take; kept by the policy */
    _Atomic uint64_t last_release_ns; /* gs_os_now() of the latest drop */
    _Atomic uint32_t last_holder_id;  /* id of the latest holder, or GS_NOBODY */
    atomic_bool last_drop_forced;     /* the latest drop was made on request */
    atomic_bool stopping;             /* gs_gil_stop was called */
};

#define GS_NOBODY UINT32_MAX

/* Creates a lock of cfg's policy, by its row's constructor (a lock of
 * scope PER_WORKER is one lock: the threads runner makes one per thread).
 * Returns NULL only when out of memory; a failure of the machine is
 * fatal. */
gs_gil *gs_gil_new(const gs_gil_config *cfg, gs_os *os);

/* The policies' constructors, each in its own file (gil.h's table names
 * them). */
#define GS_POLICY_CONSTRUCTOR(e, name, ctor, scope, traits, what) \
    gs_gil *gs_gil_##ctor##_new(const gs_gil_config *cfg, gs_os *os);
GS_POLICIES(GS_POLICY_CONSTRUCTOR)
#undef GS_POLICY_CONSTRUCTOR
/* For constructors: fills the shared part. */
void gs_gil_base_init(gs_gil *g, gs_os *os, const gs_gil_ops *ops, const gs_gil_config *cfg);

/* Take and tick return whether c holds the lock: false only after
 * gs_gil_stop. */
bool gs_gil_take(gs_gil *g, gs_gil_client *c);
void gs_gil_drop(gs_gil *g, gs_gil_client *c, gs_drop_reason why);
bool gs_gil_tick(gs_gil *g, gs_gil_client *c);
/* The run is stopping: clients waiting for the lock leave without it, and
 * a take after this returns false at once.  Any thread may call it. */
void gs_gil_stop(gs_gil *g);
/* Whether gs_gil_stop was called; a policy reads it under its mutex
 * (gs_gil_stop sets it before `stop` takes that mutex, so a waiter that
 * read it false is woken). */
static inline bool gs_gil_stopping(gs_gil *g) { return atomic_load_explicit(&g->stopping, memory_order_relaxed); }

static inline void gs_gil_destroy(gs_gil *g) { g->ops->destroy(g); }

#endif
