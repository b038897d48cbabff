/* worker.h - one worker's life under a lock, as a thread or as a forked
 * child lives it.
 *
 * A worker takes the lock and runs its interpreter until the interpreter
 * stops, then does what CPython's eval loop would do:
 *   - drop request (breaker GS_BREAK_DROP): drop the lock (forced), take it
 *     again;
 *   - io instruction: drop the lock (voluntary), do the real blocking call,
 *     take the lock again, as Py_BEGIN/END_ALLOW_THREADS around a syscall;
 *   - yield: drop and take again, as time.sleep(0);
 *   - native call: drop the lock (voluntary), do the work, take it again,
 *     as a C extension that releases the GIL around its work;
 *   - acquire of a user lock: take it if it is free; if not, drop the lock
 *     (voluntary), wait for it, take the lock again, as threading.Lock's
 *     acquire(); release: release it (an error unless held);
 *   - check interval over (legacy lock): drop and take again at once, as
 *     CPython 2 did every 100 ticks;
 *   - stop (breaker GS_BREAK_STOP: timeout or interrupt): fail with the
 *     reason and end; a worker that was waiting for the lock ends without
 *     it (gs_gil_stop);
 *   - finished or runtime error: drop the lock and end.
 * The threads runner runs N of them on one lock; the processes runner runs
 * one per child, each on a lock of its own.
 *
 * Threading: a gs_worker belongs to the thread that runs it; others may
 * only set its interpreter's breaker. */
#ifndef GS_WORKER_H
#define GS_WORKER_H

#include "../lock/lock.h"
#include "../machine/machine.h"
#include "../../interp/opcodes.h"
#include "../run.h"
#include "sharing.h"

typedef struct {
    gs_gil *gil;
    gs_io *io;
    uint32_t io_slot;       /* this worker's channel in io */
    gs_vm *vm;
    gs_worker_result *res;
    gs_gil_client client;
    gs_process_state *process;  /* its process's variables and locks */
    gs_native_meter *meter;     /* the run's native-call meter, or NULL */
    uint32_t user;              /* its number among its process's workers, for the user locks */
    bool held[GS_MAX_ULOCKS];   /* the user locks it holds */
    bool has_gil;               /* it holds gil: false once a take was stopped */
} gs_worker;

/* Sets up vm, an empty interpreter state (gs_vm_new, gs_vm_new_many), to
 * run the workload over res's units.  Returns 0, or -1 with a message. */
int gs_worker_vm_init(gs_vm *vm, const gs_run_config *cfg, const gs_worker_result *res, char err[GS_ERRMSG_MAX]);

/* Prepares w to run res's units under gil with I/O channel io_slot, in
 * vm, an empty interpreter state that stays its caller's to free.
 * Returns 0, or -1 with a message. */
int gs_worker_init(gs_worker *w, const gs_run_config *cfg, gs_worker_result *res, gs_gil *gil, gs_io *io,
                   uint32_t io_slot, gs_vm *vm, char err[GS_ERRMSG_MAX]);

/* Gives w its process's variables and locks (where it is worker `user`
 * of the process), and the run's native meter (NULL: none), before it
 * runs. */
void gs_worker_share(gs_worker *w, gs_process_state *process, uint32_t user, gs_native_meter *meter);

/* Does a native call of n units outside any lock, in as many pieces as
 * os grants (see gs_worker_run_granted), counting it in res and meter
 * (NULL: none).  Returns its result. */
int64_t gs_worker_native(gs_os *os, uint64_t n, gs_worker_result *res, gs_native_meter *meter);

/* Runs the worker from its first instruction to its end, filling res:
 * times, counters, checksum or error. */
void gs_worker_run(gs_worker *w);

/* Runs vm for at most `wanted` instructions, in as many slices as os
 * grants (the real one grants them all at once; a simulated one ends a
 * slice where anything else could happen), telling os how many ran.
 * Returns why it stopped; GS_STOP_BUDGET only when all `wanted` ran. */
gs_stop gs_worker_run_granted(gs_os *os, gs_vm *vm, uint64_t wanted);

/* Whether a worker that ends holding any of held[] (its vm's user locks)
 * must release them; msg says why that is an error ("" when it holds
 * none). */
bool gs_worker_release_held(const gs_vm *vm, const bool held[GS_MAX_ULOCKS], char msg[GS_ERRMSG_MAX]);

/* The runtime error of a worker that closes a deadlock: who waits for
 * which lock, held by whom; kind is "thread" or "task". */
void gs_worker_deadlock(const gs_program *prog, const char *kind, const gs_ulock_cycle *c, char msg[GS_ERRMSG_MAX]);

/* Marks res failed with msg. */
void gs_worker_fail(gs_worker_result *res, const char *msg);

/* Fails a worker whose histograms lost values (hist.h): its figures are
 * not all it did.  Runners call it once the worker has ended. */
void gs_worker_check_figures(gs_worker_result *res);

#endif
