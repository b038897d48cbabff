/* start_gate.h - the start gate both machines keep (machine.h, gate_new;
 * private to machine/): what a runner would make of a mutex, a condition
 * variable and a flag, made of the machine's own.  A thread started at it
 * takes the mutex and, while the gate is shut, waits on the variable;
 * opening it sets the flag and broadcasts, holding the mutex.  The real
 * machine's threads wait so (gs_start_gate_wait); the simulated one's do
 * the same but park while they wait (sim/sim.c, "Start gates"). */
#ifndef GS_START_GATE_H
#define GS_START_GATE_H

#include "machine.h"

struct gs_gate {
    gs_mutex *mutex;
    gs_cond *cond;
    bool open; /* guarded by mutex */
};

gs_gate *gs_start_gate_new(gs_os *os);
void gs_start_gate_open(gs_os *os, gs_gate *g);
void gs_start_gate_free(gs_os *os, gs_gate *g);
/* Returns once g is open. */
void gs_start_gate_wait(gs_os *os, gs_gate *g);

#endif
