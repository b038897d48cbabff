/* runner.h - what the runners share (private to sched/): the entry
 * point that runs a configuration on a given machine, one worker's result
 * set up, and the start gate and done count a runner waits on. */
#ifndef GS_RUNNER_H
#define GS_RUNNER_H

#include "../machine/machine.h"
#include "../run.h"

/* gs_run on the machine os (the real one, a simulated one, or a test's). */
int gs_run_on(gs_os *os, const gs_run_config *cfg, gs_run_result *out);

/* The runners of the three modes, each on the machine os. */
int gs_threads_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out);
int gs_processes_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out);
int gs_async_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out);

/* Sets up one worker's result, in zeroed memory. */
int gs_worker_result_init(gs_worker_result *w, const gs_run_config *cfg, uint32_t id, uint32_t nworkers);

/* A start gate that holds workers until all exist, and a
 * count of those finished that the runner's thread waits on. */
enum { GS_GATE_WAIT, GS_GATE_GO, GS_GATE_ABORT };
typedef struct {
    gs_os *os;
    gs_mutex *mutex;
    gs_cond *cond;        /* signalled when gate or done changes */
    int gate;             /* guarded by mutex: GS_GATE_* */
    uint32_t done;        /* guarded by mutex: workers finished */
} gs_run_sync;

void gs_run_sync_init(gs_run_sync *s, gs_os *os);
void gs_run_sync_destroy(gs_run_sync *s);
/* Blocks until the gate opens; returns true for GO, false for ABORT. */
bool gs_run_sync_wait_gate(gs_run_sync *s);
void gs_run_sync_open_gate(gs_run_sync *s, int state);
void gs_run_sync_done(gs_run_sync *s);
/* Waits until n workers are done.  Once the run is asked to stop or
 * deadline_ns (of the sync's os; 0 = none) passes, calls stop(arg) once
 * and keeps waiting.  Returns true if stop was called. */
bool gs_run_sync_wait(gs_run_sync *s, uint32_t n, uint64_t deadline_ns, void (*stop)(void *), void *arg);
/* True once the run should stop: interrupted, or past deadline_ns. */
bool gs_run_past(gs_os *os, uint64_t deadline_ns);
/* How long a runner waiting for its workers may sleep before it must look
 * at gs_run_past again: a tick of 20 ms (an interrupt sets a flag that no
 * wait can be woken by), or less when deadline_ns (0 = none) comes sooner;
 * at least 1 ns while the deadline is ahead, 0 once it is past. */
uint64_t gs_run_tick_ns(gs_os *os, uint64_t deadline_ns);

#endif
