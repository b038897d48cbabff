/* gate.h - what the threads and async runners wait with (private to
 * sched/): a start gate that holds workers until all exist, and a count of
 * those finished that the runner's thread waits on, looking at the run's
 * stop every tick (machine.h, gs_os_tick_ns). */
#ifndef GS_GATE_H
#define GS_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../machine/machine.h"

enum { GS_GATE_WAIT, GS_GATE_GO, GS_GATE_ABORT };
typedef struct {
    gs_os *os;
    gs_mutex *mutex;
    gs_cond *cond;        /* broadcast when the gate opens and when the last worker is done */
    int gate;             /* guarded by mutex: GS_GATE_* */
    uint32_t workers;     /* guarded by mutex: how many pass the gate (set as it opens) */
    uint32_t done;        /* guarded by mutex: workers finished */
} gs_run_sync;

void gs_run_sync_init(gs_run_sync *s, gs_os *os);
void gs_run_sync_destroy(gs_run_sync *s);
/* Blocks until the gate opens; returns true for GO, false for ABORT. */
bool gs_run_sync_wait_gate(gs_run_sync *s);
/* Opens the gate to GO or ABORT for the `workers` waiting at it (or yet
 * to come), each of which then calls gs_run_sync_done once. */
void gs_run_sync_open_gate(gs_run_sync *s, int state, uint32_t workers);
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
