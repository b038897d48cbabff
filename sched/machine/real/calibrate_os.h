/* calibrate_os.h - the kernel's costs, a batch at a time (calibrate_os.c),
 * for calibrate.c, which takes each cost's estimate from its batches.
 * Private to sched/machine/real/. */
#ifndef GS_CALIBRATE_OS_H
#define GS_CALIBRATE_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A hand-off batch: HANDOFFS hand-offs at most. */
enum { HANDOFFS = 1000 };

/* Sorts v's n values, least first. */
void cal_sort(uint64_t *v, size_t n);

/* The median of v's n values, which it sorts; 0 when n is 0. */
uint64_t cal_median(uint64_t *v, size_t n);

/* The i-th CPU the process may use, or -1. */
int cal_allowed_cpu(int i);

/* A move of a cache line between cpu0 and cpu1 (ns), from an atomic
 * ping-pong.  Returns 0, or -1 when no thread could be started. */
int cal_line_batch(int cpu0, int cpu1, uint64_t *line_ns);

/* The medians of `rounds` hand-offs between a thread on cpu0 and one on
 * cpu1 (the same CPU or two), each after pause_ns of the second one's
 * core idle: a hand-off (half a round trip), a signal's own time, and,
 * when wake_ns is not NULL, a wake-up (the signal's call to the signalled
 * thread running).  Returns 0, or -1 when no thread could be started. */
int cal_handoff_batch(int cpu0, int cpu1, int rounds, uint64_t pause_ns, uint64_t *handoff_ns,
                      uint64_t *signal_ns, uint64_t *wake_ns);

/* The median time of a futex call of kind op (val its value) on a word
 * nobody waits on. */
uint64_t cal_futex_batch(int op, int val);

/* How late a 1 ms timed wait ends past its deadline, and its thread's own
 * CPU for it: the medians of a batch. */
void cal_timer_batch(uint64_t *late_ns, uint64_t *cpu_ns);

/* A thread's start, the creator's time, each on a fresh stack as a run's
 * workers start: the median of a batch.  Returns 0, or -1 when no thread
 * could be started. */
int cal_thread_batch(uint64_t *ns);

/* The two spinners' median time slices on cpu.  Returns false when they
 * could not run or saw too few slices. */
bool cal_slice_batch(int cpu, uint64_t each[2]);

#endif
