/* sim_machine.h - what the simulated machine's files share (private to
 * sim/): the model's operations that io.c and procs.c build on, and the
 * operations those files fill into sim.c's table. */
#ifndef GS_SIM_MACHINE_H
#define GS_SIM_MACHINE_H

#include "../../sim.h"
#include "../machine.h"

/* The run's model. */
const gs_sim_model *gs_sim_model_of(gs_os *os);
/* The caller blocks for ns of virtual time, then `late` more (a cost of
 * the model: a wake-up, its way back, wake_cpu_ns, at its end), give or
 * take a quarter, drawn, until it is woken. */
void gs_sim_doze(gs_os *os, uint64_t ns, uint64_t late);
/* The same, `latency` exactly. */
void gs_sim_doze_exactly(gs_os *os, uint64_t ns, uint64_t latency);
/* The caller sleeps ns, and its timer wakes it: timer_ns late, give or
 * take a quarter, the last timer_cpu_ns of that its way back. */
void gs_sim_doze_timer(gs_os *os, uint64_t ns);
/* thread_start, the caller paying cost_ns (a fork's) instead of a system
 * call's. */
void gs_sim_spawn(gs_os *os, gs_thread **t, void *(*fn)(void *), void *arg, uint64_t cost_ns, gs_gate *gate);
/* The caller spends ns of virtual time on a core (reading a result). */
void gs_sim_charge(gs_os *os, uint64_t ns);
/* The caller computes for ns, as instructions are: on a core, sliced and
 * preempted with the others. */
void gs_sim_compute(gs_os *os, double ns);

/* io.c: a run's I/O and the async loop, modelled. */
gs_io *gs_sim_io_open(gs_os *os, unsigned kinds, uint32_t nworkers, uint64_t latency_ns, char err[GS_ERRMSG_MAX]);
int gs_sim_io_perform(gs_os *os, gs_io *io, uint32_t worker, int kind, int64_t token, int64_t *result,
                      char err[GS_ERRMSG_MAX]);
void gs_sim_io_stop(gs_os *os, gs_io *io);
void gs_sim_io_close(gs_os *os, gs_io *io);
gs_loop *gs_sim_loop_open(gs_os *os, gs_io *io, uint32_t ntasks, char err[GS_ERRMSG_MAX]);
int gs_sim_loop_submit(gs_os *os, gs_loop *l, uint32_t task, int kind, int64_t token, char err[GS_ERRMSG_MAX]);
uint32_t gs_sim_loop_wait(gs_os *os, gs_loop *l, gs_loop_done *done, uint32_t max, bool block);
void gs_sim_loop_wake(gs_os *os, gs_loop *l);
void gs_sim_loop_close(gs_os *os, gs_loop *l);

/* procs.c: processes, modelled, and the memory they share. */
void *gs_sim_shared_new(gs_os *os, size_t size);
void gs_sim_shared_free(gs_os *os, void *p, size_t size);
uint32_t gs_sim_procs_start(gs_os *os, gs_procs **g, uint32_t n, int (*child)(uint32_t i, void *arg, gs_home *home),
                            void *arg, size_t max_message, char err[GS_ERRMSG_MAX]);
void gs_sim_procs_release(gs_os *os, gs_procs *g, bool go);
bool gs_sim_procs_wait(gs_os *os, gs_procs *g, uint64_t deadline_ns, gs_proc_end *ends);
void gs_sim_procs_free(gs_os *os, gs_procs *g);
int gs_sim_home_send(gs_os *os, gs_home *h, const void *bytes, size_t len);
int gs_sim_home_transfer(gs_os *os, gs_home *h, uint64_t bytes);
void gs_sim_home_on_stop(gs_os *os, gs_home *h, void (*stop)(void *arg, bool interrupted), void *arg);

#endif
