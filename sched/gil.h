/* gil.h - the global interpreter lock as the rest of gilsim sees it: the
 * policies (their names, what each models), a lock's configuration, and
 * the figures a worker keeps about its use of the lock.  The lock itself,
 * the interface each policy implements and the runners call, is private
 * to sched/ (lock/lock.h). */
#ifndef GS_GIL_H
#define GS_GIL_H

#include <stdbool.h>
#include <stdint.h>

#include "hist.h"

#define GS_INTERVAL_MIN_NS 1000ull            /* 1 us, CPython's floor */
#define GS_INTERVAL_MAX_NS 10000000000ull     /* 10 s */
#define GS_INTERVAL_DEFAULT_NS 5000000ull     /* 5 ms, CPython's default */

/* Who shares a lock in a run of threads, which decides the figures that
 * apply (a run's scope: gs_lock_scope_of, summary.h). */
typedef enum {
    GS_SCOPE_SHARED,     /* one lock for all threads: cpython, legacy, fifo */
    GS_SCOPE_PER_WORKER, /* a lock each: processes, per-interpreter threads */
    GS_SCOPE_NONE,       /* no lock at all: --gil none */
    GS_SCOPE_LOOP,       /* async: the one thread that runs the loop */
    GS_SCOPE_COUNT
} gs_lock_scope;

/* What a policy has, which options, reports and summaries ask of it
 * instead of its name. */
enum {
    GS_TRAIT_INTERVAL = 1u << 0, /* a switch interval (--switch-interval) */
    GS_TRAIT_FORCE = 1u << 1,    /* forced switching, which may be turned off */
    GS_TRAIT_TICKS = 1u << 2,    /* releases every check interval (--check-interval),
                                    and wake-ups that find the lock taken again */
    GS_TRAIT_QUEUE = 1u << 3,    /* hands the lock over in arrival order */
    GS_TRAIT_OBJECTS = 1u << 4,  /* no lock, but a lock in each shared object, cache
                                    lines that move, and a build's dearer
                                    instructions (--ft-build): free-threaded CPython */
};

/* The lock policies, a row each: its enum name, its name on the command
 * line, its constructor (gs_gil_CTOR_new, in lock/CTOR.c), who shares it
 * among threads, its traits, and what it models.  Adding a policy is its
 * file, its row here and its line in the build (docs/design.md, "Adding a
 * lock policy"). */
#define GS_POLICIES(X)                                                                                      \
    X(CPYTHON, "cpython", cpython, SHARED, GS_TRAIT_INTERVAL | GS_TRAIT_FORCE,                              \
      "CPython 3.2+: interval, drop requests")                                                               \
    X(LEGACY, "legacy", legacy, SHARED, GS_TRAIT_TICKS, "CPython 2: release every check interval")            \
    X(FIFO, "fifo", fifo, SHARED, GS_TRAIT_INTERVAL | GS_TRAIT_QUEUE, "hand-off in arrival order (Ruby's GVL)") \
    X(NONE, "none", none, NONE, 0, "no lock and no cost at all: the ideal")                                   \
    X(FREE_THREADED, "free-threaded", free_threaded, NONE, GS_TRAIT_OBJECTS, "CPython 3.13t, 3.14t (PEP 703)") \
    X(PER_INTERPRETER, "per-interpreter", cpython, PER_WORKER, GS_TRAIT_INTERVAL | GS_TRAIT_FORCE,          \
      "a cpython lock each (sub-interpreters)")

typedef enum {
#define GS_POLICY_ENUM(e, name, ctor, scope, traits, what) GS_GIL_##e,
    GS_POLICIES(GS_POLICY_ENUM)
#undef GS_POLICY_ENUM
    GS_GIL_POLICY_COUNT
} gs_gil_policy;

extern const char *const gs_gil_policy_names[GS_GIL_POLICY_COUNT];
extern const char *const gs_gil_policy_about[GS_GIL_POLICY_COUNT];  /* what each models (--help) */
extern const unsigned gs_gil_policy_traits[GS_GIL_POLICY_COUNT];
extern const gs_lock_scope gs_gil_policy_scope[GS_GIL_POLICY_COUNT]; /* among threads */

static inline bool gs_gil_has(gs_gil_policy p, unsigned trait) { return (gs_gil_policy_traits[p] & trait) != 0; }

/* The free-threaded builds (--ft-build), a row each: its name, and how
 * much dearer it makes a lone thread's bytecode than the default build
 * (PEP 703's costs: specialisation off, atomic reference counts, objects
 * locked).  3.13t: "a substantial single-threaded performance hit" (the
 * 3.13 free-threading HOWTO), about 40% on pyperformance; 3.14t: "roughly
 * 5-10%" (What's New in Python 3.14), taken as 8%.  Virtual time charges
 * it on every instruction; real time cannot make gilsim slower and says
 * so. */
#define GS_FT_BUILDS(X)      \
    X(FT_313, "3.13", 1.40)  \
    X(FT_314, "3.14", 1.08)

typedef enum {
#define GS_FT_ENUM(e, name, factor) GS_##e,
    GS_FT_BUILDS(GS_FT_ENUM)
#undef GS_FT_ENUM
    GS_FT_BUILD_COUNT
} gs_ft_build;

extern const char *const gs_ft_build_names[GS_FT_BUILD_COUNT]; /* "3.13", ... */
extern const double gs_ft_build_factor[GS_FT_BUILD_COUNT];
#define GS_FT_BUILD_DEFAULT GS_FT_314

/* Python 2 released its lock every 100 "ticks" (sys.setcheckinterval):
 * most bytecodes tick, the cheapest skip it.  Measured on the development
 * VM with Python 2.7.18 (Debian 11's, tools/python2; 2026-12-05): its
 * countdown `while n > 0: n -= 1` ticks 3 times an iteration (_Py_Ticker,
 * read with ctypes) and takes 11.6 ns an iteration (16.1 to 19.7 ns on
 * slower days, 2026-12-06), so 100 ticks, 33 iterations, are 0.39 to
 * 0.66 us.  gilsim's same loop (4 instructions an iteration) took 0.49 to
 * 0.60 ns an instruction on those days, so 100 ticks were 800 to 1,100
 * of its instructions' time, the pace the figures below call Python 2's;
 * since its jumps became one load (interp/fuse.h) it takes 0.49 ns where
 * Python 2 takes 16.1, 1,100 instructions, and 1,000 to 1,300 over the
 * days' range.  The default check interval is 2000, a release every
 * microsecond or so, about half Python 2's pace, because at Python 2's
 * pace both real gilsim and the model fight harder than Python 2 did:
 * a release and re-take costs gilsim's bookkeeping (a clock reading, its
 * events and counters: about 80 ns there, where Python 2's ticks cost a
 * lone thread 2%), and a tick of real gilsim's two threads at 800 took
 * 0.6 us longer than a lone thread's, where Python 2's took 0.3 us
 * longer (2026-12-05: 891,137 ticks in 0.62 s, against 0.35 s alone;
 * the model's two-thread run is real gilsim's within 1%).  Two threads'
 * wall over one thread's on 2 cores, against Python 2.7's 1.60 to 1.75
 * (2026-12-06): real gilsim 1.89 at 800, 1.51 at 2000, 1.26 at 5000; the
 * model 2.5 at 800, 1.9 to 2.0 at 2000, 1.4 to 1.7 at 5000, classroom
 * defaults and this VM's calibration (on one core, 1.0 at any pace, with
 * wake-up preemption, machine/sim/sim.c); after the jumps' change, real
 * gilsim 1.57 at 2000 against Python 2.7's 1.68, each changing hands at
 * 2.4% of ticks (gilsim-bench --only fidelity, 2026-12-06, load 0.9 to
 * 1.2).  Since 2026-12-07 the model charges that bookkeeping too, two
 * --lock-cost a tick (lock/legacy.c): at 2000, 2.14 calibrated and 1.94
 * classroom, real gilsim 1.51, Python 2.7 1.70; and a release while the
 * woken waiter is on its way back costs a futex wake that no thread waits
 * in (--wake-none-cost, sim.h): 1.96 calibrated, 1.94 classroom.
 * docs/calibration.md, "The lessons". */
#define GS_CHECK_INTERVAL_DEFAULT 2000u
#define GS_CHECK_INTERVAL_MAX     1000000000u

/* The lock's counts, as one worker used it or all workers together: each
 * field's name, how workers' counts combine (sum or max), and meaning. */
#define GS_LOCK_COUNTS(X)                                                           \
    X(acquisitions, sum)                                                            \
    X(contended, sum)       /* acquisitions that had to wait */                     \
    X(switches_in, sum)     /* acquisitions from another holder */                  \
    X(drop_requests, sum)   /* requests set as a waiter */                          \
    X(forced_drops, sum)    /* drops made on request */                             \
    X(forced_to_asker, sum) /* takes after another's forced drop, having asked */   \
    X(forced_to_other, sum) /* ... without having asked: ahead of the asker */      \
    X(voluntary_drops, sum)                                                         \
    X(tick_drops, sum)      /* legacy: release-and-retake at the check interval */  \
    X(futile_wakeups, sum)  /* woken up to find the lock taken again */             \
    X(queue_sum, sum)       /* over acquisitions: others waiting on arrival */      \
    X(queue_max, max)                                                               \
    X(wait_ns, sum)                                                                 \
    X(hold_ns, sum)
#define GS_LOCK_COUNT_FIELD(name, combine) uint64_t name;

/* What one worker did with the lock.  Written only by that worker; its
 * histograms are its own (gs_lock_stats_free). */
typedef struct {
    GS_LOCK_COUNTS(GS_LOCK_COUNT_FIELD)
    gs_worker_hist wait;      /* per acquisition: want -> got */
    gs_worker_hist hold;      /* per acquisition: got -> drop */
    gs_worker_hist handoff;   /* previous holder's drop -> this got, when waiting */
} gs_lock_stats;

/* All workers' use of the lock: the same, with whole histograms. */
typedef struct {
    GS_LOCK_COUNTS(GS_LOCK_COUNT_FIELD)
    gs_hist wait, hold, handoff;
} gs_lock_totals;

typedef struct {
    gs_gil_policy policy;
    uint64_t interval_ns;
    bool force_switching;     /* cpython: wait for a taker after a forced drop */
    uint64_t check_interval;  /* legacy: instructions between ticks */
    gs_ft_build ft_build;     /* free-threaded: which build, */
    uint64_t gc_every_ns;     /* ... how often its collector stops the world (0: never), */
    uint64_t gc_pause_ns;     /* ... and for how long */
} gs_gil_config;

void gs_lock_stats_free(gs_lock_stats *s);
void gs_lock_totals_init(gs_lock_totals *t);
void gs_lock_totals_add(gs_lock_totals *into, const gs_lock_stats *from);

#endif
