/* async_tasks.h - what the async runners share (private to sched/): the
 * tasks, their ready queue, and a task's step from one stop to the next.
 *
 * Two runners drive them.  async.c runs the loop on libuv, with real
 * timers, pipes and a thread pool; async_sim.c runs it on the simulated
 * machine, because libuv has no virtual time: its timers and polls read the
 * real clock and block in the kernel.  Everything a task does between two
 * I/O requests is here, written once; a runner supplies how I/O is started,
 * how the loop learns a task is ready, and what it frees when a task ends.
 *
 * Threading: all of it belongs to the loop's thread, except the breakers
 * and stop_asked. */
#ifndef GS_ASYNC_TASKS_H
#define GS_ASYNC_TASKS_H

#include <pthread.h>
#include <stdatomic.h>

#include <uv.h>

#include "../machine/io.h"
#include "worker.h"

typedef struct async_run async_run;
typedef struct task task;

typedef struct {
    /* Starts t's I/O request (t->vm says which); its completion calls
     * gs_async_io_done.  Returns 0, or -1 with msg. */
    int (*submit_io)(task *t, char msg[GS_ERRMSG_MAX]);
    /* A task joined the ready queue: the loop must come round to it. */
    void (*ready)(async_run *r);
    /* t has finished: release what the runner holds for it. */
    void (*finished)(task *t);
} async_backend;


typedef struct task {
    async_run *run;
    gs_vm *vm;
    gs_worker_result *res;
    bool started, finished, in_io;
    uint64_t io_start_ns;
    uint64_t timer_due_ns;    /* sleep: when the latency is over (gs_os_now); in
                                 virtual time, any I/O's completion */
    bool io_pending;          /* virtual time: a request in flight */
    uv_timer_t timer;
    uv_pipe_t *pipe;          /* pipe I/O: over a dup of the task's socket */
    uv_write_t write_req;
    int64_t token;            /* pipe: the bytes written */
    unsigned char echo[sizeof(int64_t)];
    size_t echo_len;
    uv_fs_t *fs_req;          /* file I/O, while a read is in flight */
    unsigned char *block;     /* file I/O: where the block is read */
    bool held[GS_MAX_ULOCKS]; /* the user locks it holds */
    uint64_t asked_ns;        /* parked on a user lock: since when */
    struct task *next_waiter; /* parked on a user lock: the next one parked there */
} task;

struct async_run {
    const async_backend *be;
    gs_os *os;
    const gs_run_config *cfg;
    gs_run_result *out;
    gs_io *io;
    uv_loop_t loop;
    uv_idle_t idle;       /* active while tasks are ready: the loop does not block */
    uv_prepare_t prepare; /* drops the lock before the loop waits for I/O */
    uv_check_t check;     /* takes it again after */
    uv_async_t wake;      /* the caller's thread asks the loop to stop */
    pthread_mutex_t wake_mutex;
    bool wake_open;       /* guarded by wake_mutex */
    atomic_bool stop_asked;
    task *tasks;
    uint32_t n, finished;
    uint32_t *queue;      /* ring of ready task indices; each task at most once */
    uint32_t head, count;
    gs_gil *gil;
    gs_gil_client client; /* the loop thread, as a user of the lock */
    gs_vm *loop_vm;       /* the loop thread's own state: it runs nothing, but
                             carries the eval breaker the lock may touch */
    gs_recorder no_events;
    bool holding;
    gs_process_state process; /* the tasks' shared variables and user locks */
    gs_native_meter meter;
    task *parked[GS_MAX_ULOCKS], *parked_last[GS_MAX_ULOCKS]; /* waiting for each user lock, in order */
    gs_run_sync *sync;
};

/* Queues t to run, as a callback becomes ready in asyncio. */
void gs_async_enqueue(task *t);
/* t is done (finished, failed or stopped): its figures are final. */
void gs_async_finish(task *t);
void gs_async_fail(task *t, const char *msg);
/* t's I/O request completed with result: it is ready to run again. */
void gs_async_io_done(task *t, int64_t result);
/* Runs the tasks that were ready when it began, each until it stops.
 * Precondition: the loop's thread holds the lock. */
void gs_async_run_ready(async_run *r);
/* Fails every unfinished task with the reason the run stopped. */
void gs_async_fail_unfinished(async_run *r);

/* Makes what both runners need: the lock and the loop thread's client of
 * it, the tasks with their interpreters, the ready queue, the shared
 * variables and user locks.  Returns 0, or -1 with r->out->error;
 * gs_async_release adds the run's figures of those to r->out and frees it
 * all either way. */
int gs_async_setup(async_run *r);
void gs_async_release(async_run *r);

/* Runs the loop: every task ready, loop_main(r) on a thread of the run's
 * operating system, the caller waiting as the threads runner does and
 * calling stop(r) on timeout or interrupt.  Returns 0, or -1 with
 * r->out->error. */
int gs_async_drive(async_run *r, void *(*loop_main)(void *), void (*stop)(void *));

/* What every stop does: every task's breaker, and stop_asked. */
void gs_async_ask_stop(async_run *r);

/* The runner of virtual time (async_sim.c); gs_run calls it. */
int gs_async_sim_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out);

#endif
