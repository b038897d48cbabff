/* calibrate.h - measures this machine and says which model (sim.h)
 * reproduces it: `gilsim calibrate` (issue "Virtual time (2 of 2)").
 *
 * Each parameter is measured the way the model spends it:
 *   instruction_ns  CPU time per instruction of a lone CPU-bound thread;
 *   syscall_ns      a futex wait that returns at once (the word changed);
 *   signal_ns       signalling a condition variable a thread sleeps on,
 *                   on another core (the call's own time);
 *   wake_ns         a hand-off between two threads on two cores, each
 *                   signalling the other after unlocking: from one's call
 *                   to signal to the other's, half a round trip;
 *   switch_ns       the same hand-off with both threads on one core, less
 *                   a signal there; the core changes thread every time;
 *   timer_ns        how late a 1 ms timed wait ends;
 *   slice_ns        how long one of two spinning threads on one core runs
 *                   before the kernel gives the core to the other;
 *   file_io_ns      one 4 KiB pread from the page cache (io.c's file kind);
 *   line_ns         a cache line's move between two cores: two threads on
 *                   them hit one atomic word back and forth (each waits,
 *                   spinning, for its turn), half a round trip;
 *   fork_ns,        gilsim's processes runner with 8 children: the time to
 *   collect_ns      start them, and from the last one's end to the run's
 *                   end, per child.
 * Each figure is the median of several tries; the whole takes a few
 * seconds.  Measuring needs the machine quiet: a busy one reads slow. */
#ifndef GS_CALIBRATE_H
#define GS_CALIBRATE_H

#include "../interp/opcodes.h"
#include "sim.h"

typedef struct {
    gs_sim_model model;     /* the machine as measured (seed 1, not adversarial) */
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

/* Measures.  progress, when not NULL, is called before each step with its
 * name.  Returns 0, or -1 with err. */
int gs_calibrate(gs_calibration *out, void (*progress)(const char *step, void *arg), void *arg,
                 char err[GS_ERRMSG_MAX]);

#endif
