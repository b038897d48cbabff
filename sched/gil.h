/* gil.h - the global interpreter lock: one interface, several policies.
 *
 * A policy is a file of its own (gil_cpython.c, ...) implementing three
 * operations; this header is the whole contract between a policy and the
 * runners.  The wrappers gs_gil_take and gs_gil_drop time every acquisition
 * and hold, record the events and keep the counters, so policies contain
 * only their algorithm.
 *
 * A worker thread is a gs_gil_client: its interpreter state (whose eval
 * breaker carries drop requests), its recorder and its statistics.  Only the
 * client's own thread writes its recorder and statistics.
 *
 * A runner runs its interpreter with a budget of check_interval
 * instructions when the lock has one (legacy) and, at GS_STOP_BUDGET,
 * drops it with GS_DROP_TICK and takes it again.
 *
 * The breaker bits a runner must handle when gs_vm_run returns
 * GS_STOP_BREAK:
 *   GS_BREAK_DROP  the lock asks its holder to drop it: call
 *                  gs_gil_drop(..., GS_DROP_FORCED), then gs_gil_take;
 *   GS_BREAK_STOP  the run is being stopped (timeout, interrupt). */
#ifndef GS_GIL_H
#define GS_GIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "../interp/vm.h"
#include "hist.h"
#include "os.h"
#include "recorder.h"

#define GS_BREAK_DROP 1u
#define GS_BREAK_STOP 2u

#define GS_INTERVAL_MIN_NS 1000ull            /* 1 us, CPython's floor */
#define GS_INTERVAL_MAX_NS 10000000000ull     /* 10 s */
#define GS_INTERVAL_DEFAULT_NS 5000000ull     /* 5 ms, CPython's default */

typedef enum {
    GS_DROP_VOLUNTARY, /* around blocking I/O, at a yield, at the end */
    GS_DROP_FORCED,    /* because a drop request arrived */
    GS_DROP_TICK,      /* legacy: the check interval ran out */
} gs_drop_reason;

/* The lock policies: name, and what it models. */
#define GS_POLICIES(X)                                                              \
    X(CPYTHON,         "cpython",         "CPython 3.2+: interval, drop request, forced switching") \
    X(LEGACY,          "legacy",          "CPython 2: release and re-take every check interval")    \
    X(FIFO,            "fifo",            "fair hand-off in arrival order, as Ruby's GVL")          \
    X(NONE,            "none",            "no lock at all: free threading")                         \
    X(PER_INTERPRETER, "per-interpreter", "a cpython lock per thread: 3.12 sub-interpreters")

typedef enum {
#define GS_POLICY_ENUM(e, name, what) GS_GIL_##e,
    GS_POLICIES(GS_POLICY_ENUM)
#undef GS_POLICY_ENUM
    GS_GIL_POLICY_COUNT
} gs_gil_policy;

extern const char *const gs_gil_policy_names[GS_GIL_POLICY_COUNT];
extern const char *const gs_gil_policy_about[GS_GIL_POLICY_COUNT];

/* Python 2 released its lock every 100 bytecodes (sys.setcheckinterval),
 * each of which took about 50 ns on the machines of its day: a release
 * every few microseconds.  A gilsim instruction takes about 1 ns
 * (gilsim-bench, interp section: 0.9 ns for countdown, 1.2 ns for fib), so
 * one Python 2 bytecode is worth about 50 of them, and the default check
 * interval is 100 such bytecodes, counted in gilsim instructions.  Counted
 * as 100 gilsim instructions, the lock would be released every 100 ns and
 * its system calls would double a lone thread's time, which Python 2 never
 * did (see gil_legacy.c). */
#define GS_PY2_BYTECODE_INSTRUCTIONS 50u
#define GS_CHECK_INTERVAL_DEFAULT (100u * GS_PY2_BYTECODE_INSTRUCTIONS)
#define GS_CHECK_INTERVAL_MAX     1000000000u

/* What one worker did with the lock.  Written only by that worker. */
typedef struct {
    uint64_t acquisitions;
    uint64_t contended;       /* acquisitions that had to wait */
    uint64_t switches_in;     /* acquisitions from another holder */
    uint64_t drop_requests;   /* requests this worker set, as a waiter */
    uint64_t forced_drops;    /* drops this worker made on request */
    uint64_t voluntary_drops;
    uint64_t tick_drops;      /* legacy: release-and-retake at the check interval */
    uint64_t futile_wakeups;  /* woken up to find the lock taken again */
    uint64_t queue_sum;       /* over acquisitions: others waiting on arrival */
    uint64_t queue_max;
    uint64_t wait_ns, hold_ns;
    gs_hist wait;             /* per acquisition: want -> got */
    gs_hist hold;             /* per acquisition: got -> drop */
    gs_hist handoff;          /* previous holder's drop -> this got, when waiting */
} gs_lock_stats;

typedef struct {
    gs_vm *vm;
    uint32_t id;
    gs_recorder *rec;
    gs_lock_stats *stats;
    uint64_t got_ns; /* when this client last took the lock */
} gs_gil_client;

typedef struct gs_gil gs_gil;

typedef struct {
    const char *name;
    /* Blocks until c holds the lock.  Returns true if it had to wait. */
    bool (*take)(gs_gil *g, gs_gil_client *c);
    void (*drop)(gs_gil *g, gs_gil_client *c, gs_drop_reason why);
    /* Asks the current holder, if any, to drop the lock. */
    void (*request_drop)(gs_gil *g);
    void (*destroy)(gs_gil *g);
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
};

#define GS_NOBODY UINT32_MAX

typedef struct {
    gs_gil_policy policy;
    uint64_t interval_ns;
    bool force_switching;     /* cpython: wait for a taker after a forced drop */
    uint64_t check_interval;  /* legacy: instructions between ticks */
} gs_gil_config;

/* Creates a lock of cfg's policy (per-interpreter: one cpython lock; the
 * runner makes one per thread).  Returns NULL only when out of memory; a
 * pthread failure is fatal. */
gs_gil *gs_gil_new(const gs_gil_config *cfg, gs_os *os);

/* The policies' constructors, each in its own file. */
gs_gil *gs_gil_cpython_new(const gs_gil_config *cfg, gs_os *os);
gs_gil *gs_gil_legacy_new(const gs_gil_config *cfg, gs_os *os);
gs_gil *gs_gil_fifo_new(const gs_gil_config *cfg, gs_os *os);
gs_gil *gs_gil_none_new(const gs_gil_config *cfg, gs_os *os);
/* For constructors: fills the shared part. */
void gs_gil_base_init(gs_gil *g, gs_os *os, const gs_gil_ops *ops, const gs_gil_config *cfg);

void gs_gil_take(gs_gil *g, gs_gil_client *c);
void gs_gil_drop(gs_gil *g, gs_gil_client *c, gs_drop_reason why);

static inline void gs_gil_destroy(gs_gil *g) { g->ops->destroy(g); }

void gs_lock_stats_init(gs_lock_stats *s);
void gs_lock_stats_merge(gs_lock_stats *into, const gs_lock_stats *from);

#endif
