/* gate.h - what the threads and async runners wait with (private to
 * sched/): the machine's start gate (machine.h, gate_new), which holds the
 * workers until all exist, and a count of those finished that the
 * runner's thread waits on, looking at the run's stop every tick
 * (gs_os_tick_ns). */
#ifndef GS_GATE_H
#define GS_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../machine/machine.h"

typedef struct {
    gs_os *os;
    gs_gate *start;       /* the workers' threads are started at it (thread_start) */
    bool go;              /* whether they run: set as the gate opens, read once it has */
    gs_mutex *mutex;
    gs_cond *cond;        /* broadcast when the last worker is done */
    uint32_t workers;     /* guarded by mutex: how many pass the gate (set as it opens) */
    uint32_t done;        /* guarded by mutex: workers finished */
} gs_run_sync;

void gs_run_sync_init(gs_run_sync *s, gs_os *os);
void gs_run_sync_destroy(gs_run_sync *s);
/* Opens the start gate for the `workers` threads started at it, which run
 * if go (else each only calls gs_run_sync_done). */
void gs_run_sync_open_gate(gs_run_sync *s, bool go, uint32_t workers);
/* A worker is finished; the last one wakes the runner's thread. */
void gs_run_sync_done(gs_run_sync *s);
/* Waits until every worker that passed the gate is done.  Once the run
 * is asked to stop or deadline_ns (of the sync's os; 0 = none) passes,
 * calls stop(arg) once and keeps waiting.  Returns true if stop was
 * called. */
bool gs_run_sync_wait(gs_run_sync *s, uint64_t deadline_ns, void (*stop)(void *), void *arg);
/* True once the run should stop: interrupted, or past deadline_ns. */
bool gs_run_past(gs_os *os, uint64_t deadline_ns);

#endif
