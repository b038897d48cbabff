/* verdict.h - what a run's own measurements allow: the checks gilsim makes
 * before it explains a figure (README, "When gilsim doubts its figures").
 *
 * A figure is doubted when the measurements say it cannot be the lock's or
 * the mode's doing:
 *   busy            during a run (the baseline's or the measured one's)
 *                   other programs ran while its threads waited for a
 *                   core, more than GS_BUSY_SHARE_MAX of the time they
 *                   wanted one; or a run of one thread that only
 *                   computes (the 1-worker baseline; async's loop) was off
 *                   a CPU more than that share of its life: nothing of its
 *                   own could keep it off; either way for more than
 *                   GS_CORE_WAIT_MIN_NS in all (as for stacked);
 *   stacked         the median real run's threads or processes that only
 *                   compute, no more of them than the cores it could use,
 *                   waited for a core more than GS_STACKED_SHARE_MAX of
 *                   the time they wanted one beyond what other programs
 *                   surely explain (and more than GS_CORE_WAIT_MIN_NS in
 *                   all): the operating system ran them on
 *                   fewer cores than they had, so who ran when was its
 *                   doing, not the lock's.  Other programs are known to
 *                   /proc/stat by its ticks, 10 ms each on a few counters,
 *                   so a run of less than a few tenths of a second cannot
 *                   rule them out: there the doubt names both causes
 *                   (stacked_sure false), since either keeps the figures
 *                   from being the lock's.  On the development VM, Linux
 *                   woke a waiter on its waker's busy core while the
 *                   other core idled (`perf sched map`, 2026-12-06: from
 *                   then on both threads shared one core).  Its scheduler gives a woken
 *                   thread an idle core only if the core is "available",
 *                   and a guest's virtual CPU that its host reports
 *                   preempted is not (available_idle_cpu, which asks
 *                   vcpu_is_preempted: the likeliest reason, not proven).
 *                   There `gilsim --threads 2 --race --work 400
 *                   --switch-interval 1us` shared one core in 10 runs of
 *                   12: the threads waited for a core 30% to 50% of the
 *                   time they wanted one, and the lock changed hands 3 to
 *                   30 times in 8 ms, mostly at the time slice, where the
 *                   other two runs' changed hands 104 and 107 times and
 *                   waited 0.3% and 0.6%;
 *   beyond-cores    a speedup above the cores (or the workers, if fewer)
 *                   the run could use, by more than GS_CORES_SLACK, for a
 *                   program that only computes: an efficiency above 100%;
 *   under-one-lock  threads that only compute, sharing one lock, faster
 *                   than GS_ONE_LOCK_SPEEDUP_MAX times one thread: one lock
 *                   lets one of them run bytecode at a time;
 *   beyond-cpu      async tasks faster than their one thread allows: N
 *                   tasks do the CPU work of one on one thread, so the
 *                   speedup cannot pass the 1-task run's wall over its CPU
 *                   time (by more than GS_ONE_LOCK_SPEEDUP_MAX);
 *   unsteady        repeats (of the runs or of the baselines) whose slowest
 *                   and fastest differ by more than GS_SPREAD_MAX of the
 *                   median;
 *   unequal-work    the median run's workers ran more (or fewer)
 *                   instructions a unit than the 1-worker run, by more than
 *                   GS_WORK_SLACK and GS_WORK_PER_WORKER_MIN instructions a
 *                   worker: the speedup, units a second against
 *                   units a second, compares unequal work.  Every built-in
 *                   workload's unit is the same work however the units are
 *                   shared out; a student's main that ignores its count (it
 *                   does all of its work in every worker), one that chooses
 *                   its work by its first unit (examples/convoy.py: unit 0's
 *                   worker sleeps, the others compute) or one that waits by
 *                   spinning on a shared variable is not, and 8 threads of
 *                   one that ignores its count read "0.13x as fast as 1",
 *                   a lesson about the lock that the lock never taught.
 * The bounds leave room for what an idle machine still varies by: on the
 * 2-core development VM one run's wall varies by up to 8% either way, so
 * the ratio of two by up to 16%: a speedup is doubted past the cores by
 * 15%, past one lock by 25%.
 * A doubted run still exits 0: the verdict is about the figures, not the
 * work, whose checksums are checked apart. */
#ifndef GS_VERDICT_H
#define GS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "experiment.h"

#define GS_BUSY_SHARE_MAX 0.10
/* A wait for a core shorter than this in all is a run's own, neither busy
 * nor stacked: its threads' start and wake-ups, each a wake-up's time
 * even on an idle machine.  A lone run of one unit (30 us of CPU) on the
 * idle development VM waited 4.7 to 11.9 us, 15% to 40% of the time it
 * wanted a core (twelve runs, 2026-12-07), and was called busy every
 * time; another program keeps a core for a time slice, milliseconds, and
 * two threads the OS put on one core wait for it half their run. */
#define GS_CORE_WAIT_MIN_NS 50000.0
/* Two workers sharing one core all along each wait for it half the time
 * they want it: a quarter is half a run so stacked.  Less still moves a
 * figure, but leaves the lesson: in Python 2's battle (`gilsim demo
 * legacy-battle`) runs whose threads waited for a core 15% and 18% of the
 * time read 1.20x and 1.36x, one that hardly waited 1.65x (Python 2.7.18
 * here: 1.6x to 1.9x); all three a battle. */
#define GS_STACKED_SHARE_MAX 0.25
#define GS_CORES_SLACK 1.15
#define GS_ONE_LOCK_SPEEDUP_MAX 1.25
#define GS_SPREAD_MAX 0.25
/* Instructions a unit, the run's over the baseline's or the other way
 * round, and the difference a worker: every worker runs its own main's
 * start and end, tens of instructions, which with units of a few
 * instructions each (8 threads of one unit) moved a sum's instructions a
 * unit 2.1x; a program that ignores its count differs by its whole work
 * a worker. */
#define GS_WORK_SLACK 1.25
#define GS_WORK_PER_WORKER_MIN 1000.0

#define GS_DOUBTS(X)                 \
    X(BUSY, "busy")                  \
    X(STACKED, "stacked")            \
    X(BEYOND_CORES, "beyond-cores")  \
    X(UNDER_ONE_LOCK, "under-one-lock") \
    X(BEYOND_CPU, "beyond-cpu")      \
    X(UNSTEADY, "unsteady")          \
    X(UNEQUAL_WORK, "unequal-work")

typedef enum {
#define GS_DOUBT_ENUM(e, name) GS_DOUBT_##e,
    GS_DOUBTS(GS_DOUBT_ENUM)
#undef GS_DOUBT_ENUM
    GS_DOUBT_COUNT
} gs_doubt;

extern const char *const gs_doubt_names[GS_DOUBT_COUNT]; /* "busy", ... */

typedef struct {
    unsigned doubts;           /* a bit (1u << gs_doubt) for each doubt */
    double busy_share;         /* busy: the worst share ... */
    bool busy_baseline;        /* ... whether a baseline run had it ... */
    bool busy_waited;          /* ... and whether it is a wait for a core (else
                                  other programs' use of the cores) */
    double stacked_share;      /* stacked: the median run's wait for a core that
                                  other programs do not surely explain, a share
                                  of the time its workers wanted one ... */
    bool stacked_sure;         /* ... and whether the most they may have run
                                  would not explain it either */
    double speedup, bound;     /* beyond-*, under-one-lock: the speedup and its bound */
    double spread;             /* unsteady: (max - min) / median of the walls ... */
    bool spread_baseline;      /* ... and whether the baselines' */
    double work_ratio;         /* unequal-work: the run's instructions a unit over
                                  the baseline's */
} gs_verdict;

/* The share of the time a real run's workers wanted a core that they
 * waited for one beyond what other programs surely explain: stacked's
 * measure, for a run whose workers only compute, each with a core; -1
 * where the machine cannot tell (no wait for a core or no others' time
 * measured). */
static inline double gs_stacked_share(const gs_run_summary *s)
{
    return s->core_wait_known && s->others_known ? s->core_wait_share - s->others_share : -1;
}

/* Judges an experiment's figures (its baseline may come from elsewhere, as
 * a sweep's points' do). */
void gs_judge(const gs_experiment *e, gs_verdict *v);

static inline bool gs_verdict_trusted(const gs_verdict *v) { return v->doubts == 0; }
static inline bool gs_verdict_has(const gs_verdict *v, gs_doubt d) { return (v->doubts >> d) & 1u; }
/* Whether running again could clear a doubt of v: every doubt but unequal
 * work, which is the program's. */
static inline bool gs_verdict_rerun_helps(const gs_verdict *v)
{
    return (v->doubts & ~(1u << GS_DOUBT_UNEQUAL_WORK)) != 0;
}
/* What to do about unequal work. */
#define GS_UNEQUAL_WORK_ADVICE                                                                         \
    "A speedup compares like with like only where each unit is the same work however the units are " \
    "shared out (README, \"Program format\")."

/* The sentence that says doubt d of v in plain words, with the figure that
 * shows it, for workers of mode: into buf, which it returns. */
const char *gs_verdict_say(const gs_verdict *v, gs_doubt d, gs_mode mode, uint32_t workers, char *buf, size_t size);

#endif
