/* calibrate.h - measures this machine and says which model (sim.h)
 * reproduces it: `gilsim calibrate` (issue "Virtual time (2 of 2)").
 *
 * Each parameter is measured the way the model spends it:
 *   instruction_ns  CPU time per instruction of a lone CPU-bound thread;
 *   syscall_ns      a futex wait that returns at once (the word changed);
 *   wake_none_ns    a futex wake on a word nobody waits on;
 *   signal_ns       signalling a condition variable a thread sleeps on,
 *                   on another core (the call's own time);
 *   wake_fast_ns    a hand-off between two threads on two cores, each
 *                   signalling the other after unlocking: from one's call
 *                   to signal to the other running (each core idles for
 *                   a hand-off only, as --wake-fast is for);
 *   wake_ns         the same after the woken one's core idled 500 us (a
 *                   core asleep, past --idle-poll);
 *   cold_ns         a little interpreted work (400 instructions, an
 *                   interpreter built, run and freed, about what a woken
 *                   I/O-bound worker does under the lock) right after a
 *                   500 us sleep and 4 MiB of other memory through the
 *                   caches, as a thread finds them after sleeping while
 *                   other threads worked, less the same work again at
 *                   once; the model charges it after a sleep past
 *                   --idle-poll;
 *   switch_ns       the same hand-off with both threads on one core, less
 *                   a signal there; the core changes thread every time;
 *   timer_ns        how late a 1 ms timed wait ends;
 *   timer_cpu_ns    the waiting thread's own CPU time for that wait (its
 *                   thread CPU clock around it), less syscall_ns, which
 *                   the model charges for the call to sleep;
 *   slice_ns        how long one of two spinning threads on one core runs
 *                   before the kernel gives the core to the other (a gap
 *                   in which the other did not run, the host's or a third
 *                   thread's, does not end it: gs_cal_slices);
 *   file_io_ns      one 4 KiB pread from the page cache (io.c's file kind);
 *   line_ns         a cache line's move between two cores: two threads on
 *                   them hit one atomic word back and forth (each waits,
 *                   spinning, for its turn), half a round trip;
 *   thread_start_ns a thread's start, the creator's time for it, its
 *                   stack's mapping included: 20 in a row, each on a
 *                   stack mapped for it (as a fresh process's workers get
 *                   theirs), waiting at a gate as a runner's workers do,
 *                   joined after;
 *   fork_ns,        gilsim's processes runner with 8 children: the time to
 *   collect_ns      start them, and from the last one's end to the run's
 *                   end, per child;
 *   lock_op_ns      a user lock's acquire or release: a lone thread's race
 *                   under a lock (the threads runner, 64,000 updates), its
 *                   CPU time less its instructions at the pace of the same
 *                   race without the lock, over two operations an update.
 * Each cost is measured in 21 batches, each batch's figure its median,
 * and the batches are taken in rounds, one of every cost a round, so that
 * a disturbance of a few hundred milliseconds (the host's other guests, a
 * frequency step) falls on one batch of each cost rather than on all of
 * one cost's (with each cost's batches back to back, one run in ten read
 * a cost 20% to 4x off).  The model takes the least of the batches (the
 * least disturbed: another program, a cache flushed, a frequency step
 * only ever add time, so the lowest batch is nearest the machine's own
 * cost, where a median of all the samples moves with whatever happened
 * during a second of them), except a signal, the quick wake-up, the cold
 * caches and the user lock (a difference of two times, which interference
 * can move either way), and a thread's start, which take the mean of the
 * middle half of the batches (the interquartile mean: a batch can catch a
 * cheaper event, the quick wake-up's batches fall in two groups, and a
 * run's starts pay the mix of quicker and slower ones a batch sees;
 * calibrate.c says which and why),
 * the wake-up after an idle and the cache line, which take the lower
 * quartile (the host moves the two virtual CPUs nearer or farther now and
 * then), and the slice, the mean of its two spinners.  The spread of the
 * batches is kept to be printed.  The whole takes about three and a half
 * seconds, so it sees the machine of those seconds; a busy machine reads
 * slow.  History, on the development VM: with 11 batches and the wake-up
 * after an idle from the middle half, sets of ten runs on the idle VM
 * kept nine to twelve of the thirteen costs within 15% of their medians;
 * what moved was the host's wake-ups, the one after an idle above all
 * (runs at 35 and 37 us against 26; ten runs on 2026-12-06: 21%, and the
 * signal 41%, the cold caches 25%, collecting a process 18%).  With 21
 * batches and that wake-up's lower quartile (2026-12-06, load under 1),
 * the wake-up after an idle held within 2% and 11% in two sets of ten;
 * two other costs in each went past 15%, different ones: the cold caches
 * (17%) and the cache line (26%), then the quick wake-up (17%) and
 * collecting a process (18%), each from a single run.  Ten runs on
 * 2026-12-07 (load about 1): every cost within 10% of its median but the
 * cache line, 24 to 50 ns (45%), which read 24 or 25 in three runs, 33 to
 * 37 in six and 50 in one, as the host placed the two virtual CPUs
 * nearer or farther (at 24 ns, most likely one core's two hardware
 * threads, which share its caches). */
#ifndef GS_CALIBRATE_H
#define GS_CALIBRATE_H

#include "../interp/error.h"
#include "../interp/opcodes.h"
#include "sim.h"

/* What a cost's batches measured: the least and the most of their
 * figures, and how many there were. */
typedef struct {
    double lo, hi;
    int batches;
} gs_cal_spread;

/* The measured costs, in the order calibrate prints them. */
#define GS_CAL_MEASURED(X)                                                              \
    X(INSTRUCTION, "an instruction (CPU time)")                                         \
    X(SYSCALL,     "a futex wait returning at once")                                    \
    X(WAKE_NONE,   "a futex wake finding nobody")                                       \
    X(SIGNAL,      "signalling a thread on another core")                               \
    X(WAKE_FAST,   "signal to the woken thread running")                                \
    X(WAKE,        "the same after 500 us idle")                                        \
    X(COLD,        "work on cold caches, less warm")                                    \
    X(SWITCH,      "a hand-off on one core, less a signal")                             \
    X(TIMER,       "how late a 1 ms timed wait ends")                                   \
    X(TIMER_CPU,   "that wait's CPU, less a system call")                               \
    X(SLICE,       "time slice (2 spinners, 1 core)")                                   \
    X(FILE_IO,     "a 4 KiB read from the page cache")                                  \
    X(THREAD,      "starting a thread")                                                 \
    X(FORK,        "starting a process (of 8)")                                         \
    X(COLLECT,     "collecting a process (of 8)")                                       \
    X(LINE,        "a cache line between two cores")                                   \
    X(LOCK,        "a user lock's take or release")

typedef enum {
#define GS_CAL_ENUM(e, what) GS_CAL_##e,
    GS_CAL_MEASURED(GS_CAL_ENUM)
#undef GS_CAL_ENUM
    GS_CAL_COUNT
} gs_cal_measure;

typedef struct {
    gs_sim_model model;     /* the machine as measured (seed 1, not adversarial) */
    gs_cal_spread spread[GS_CAL_COUNT]; /* each cost's batches (batches 0: not measured) */
    uint64_t handoff_two_ns; /* hand-off between threads on two cores */
    uint64_t handoff_one_ns; /* ... on one core */
    bool slice_measured;     /* false: one core only, or no slice seen; model.slice_ns is the default */
    bool wake_measured;      /* false: one core to pin to; model.wake_ns is the default */
    bool line_measured;      /* false: one core; model.line_ns is the default */
    /* How busy the machine was while it was measured: the share of the
     * cores' time other programs used (beyond what /proc/stat's ticks may
     * add), and whether that could be read. */
    double others_share;
    bool others_known;
} gs_calibration;

/* The stretches a spinning thread ran on its core without a gap, in
 * order: from[k] to to[k] (ns). */
typedef struct {
    const uint64_t *from, *to;
    size_t n;
} gs_cal_stretches;

/* The time slices in mine, beside other, the spinner sharing its core:
 * its stretches joined across every gap in which other did not run (the
 * host ran another guest, or a third thread had the core), each written
 * to slices (room for mine->n); returns their number. */
size_t gs_cal_slices(const gs_cal_stretches *mine, const gs_cal_stretches *other, uint64_t *slices);

/* Measures.  progress, when not NULL, is called before each step with its
 * name.  Returns 0, or -1 with err. */
int gs_calibrate(gs_calibration *out, void (*progress)(const char *step, void *arg), void *arg,
                 char err[GS_ERRMSG_MAX]);

#endif
