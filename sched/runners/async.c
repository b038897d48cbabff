/* async.c - the async runner: N tasks, each an interpreter state, on one
 * libuv loop run by one thread, as asyncio runs coroutines.  A task's life
 * between two I/O requests is in async_tasks.c, shared with the runner of
 * virtual time (async_sim.c); this file is the libuv loop.
 *
 * DESIGN
 * A task runs until it finishes, reaches an io instruction or yields; no two
 * tasks ever run at once.  Ready tasks wait in a FIFO queue.  While it is
 * not empty an idle handle keeps the loop from blocking, and each loop
 * iteration runs the tasks that were ready when the iteration began (as
 * asyncio's _run_once runs the callbacks ready at its start), so a task that
 * yields goes behind the others.  An io instruction is submitted to libuv
 * and the task is queued again from the callback:
 *   sleep  a uv_timer, set again if it fires before the latency has
 *          passed (libuv counts whole milliseconds; see arm_timer);
 *   pipe   a uv_pipe over the task's socketpair to its echo peer (io.h):
 *          write the token, read it back;
 *   file   uv_fs_read of the token's block, on libuv's thread pool.
 * Loop lag: for each timer, how late its callback ran after the latency
 * was over.  While a task computes the loop runs no callback at all, so
 * CPU work in one task is lag in every other.
 *
 * The lock: the loop's thread treats the lock as asyncio's thread does:
 * held while it runs tasks and callbacks, dropped around the wait for I/O
 * (a prepare handle drops it just before the poll, a check handle takes it
 * just after).  Nothing else wants it, so it is never contended; the report
 * says so with the counts measured here.
 *
 * Stopping: the calling thread waits as the threads runner does; on timeout
 * or interrupt it sets GS_BREAK_STOP on every task (a running task stops at
 * its next back-edge) and wakes the loop with a uv_async, whose callback
 * fails every unfinished task with the reason and lets the loop end.
 *
 * Threading: everything here belongs to the loop's thread, except the
 * breakers, stop_asked, and the wake handle, which is guarded by
 * wake_mutex because it may be closing while the caller wants to send. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "async_tasks.h"
#include "../machine/real/clock.h"

static void on_idle(uv_idle_t *h);

static void close_loop_handles(async_run *r)
{
    uv_close((uv_handle_t *)&r->idle, NULL);
    uv_close((uv_handle_t *)&r->prepare, NULL);
    uv_close((uv_handle_t *)&r->check, NULL);
    GS_PTHREAD(pthread_mutex_lock(&r->wake_mutex));
    r->wake_open = false;
    uv_close((uv_handle_t *)&r->wake, NULL);
    GS_PTHREAD(pthread_mutex_unlock(&r->wake_mutex));
}

static void uv_ready(async_run *r)
{
    uv_idle_start(&r->idle, on_idle); /* no-op when already active */
}

static void uv_finished(task *t)
{
    uv_close((uv_handle_t *)&t->timer, NULL);
    if (t->pipe)
        uv_close((uv_handle_t *)t->pipe, NULL);
    if (t->run->finished == t->run->n)
        close_loop_handles(t->run);
}

static void on_timer(uv_timer_t *h);

/* Sets t's timer to fire at timer_due_ns.  libuv's timers count whole
 * milliseconds of the loop's clock, read when the timer is set: so that
 * an idle loop wakes on time, the timeout is the remaining time rounded up
 * to a millisecond.  A busy loop compares its clock, floored to the
 * millisecond, when an iteration begins, and may then run the timer up to
 * a millisecond early: on_timer sets it again for what is left. */
static int arm_timer(task *t, uint64_t now)
{
    uv_update_time(&t->run->loop);
    uint64_t left = t->timer_due_ns > now ? t->timer_due_ns - now : 0;
    return uv_timer_start(&t->timer, on_timer, (left + 999999u) / 1000000u, 0);
}

static void on_timer(uv_timer_t *h)
{
    task *t = h->data;
    uint64_t now = gs_now_ns();
    if (now < t->timer_due_ns) {
        int rc = arm_timer(t, now);
        if (rc != 0) {
            char msg[GS_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "cannot start sleep I/O: %s", uv_strerror(rc));
            gs_async_fail(t, msg);
        }
        return;
    }
    gs_hist_add(&t->res->loop_lag, now - t->timer_due_ns);
    gs_async_io_done(t, t->vm->io_arg);
}

static void on_echo_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    task *t = h->data;
    *buf = uv_buf_init((char *)t->echo + t->echo_len, (unsigned)(sizeof t->echo - t->echo_len));
}

static void on_echo_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    task *t = s->data;
    if (nread == 0 || t->finished)
        return;
    if (nread < 0) {
        char msg[GS_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "pipe I/O to the echo peer failed: %s", uv_strerror((int)nread));
        uv_read_stop(s);
        gs_async_fail(t, msg);
        return;
    }
    t->echo_len += (size_t)nread;
    if (t->echo_len < sizeof t->echo)
        return;
    uv_read_stop(s);
    int64_t echo;
    memcpy(&echo, t->echo, sizeof echo);
    gs_async_io_done(t, echo);
}

static void on_token_written(uv_write_t *req, int status)
{
    task *t = req->data;
    if (status < 0 && !t->finished) {
        char msg[GS_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "pipe I/O to the echo peer failed: %s", uv_strerror(status));
        gs_async_fail(t, msg);
    }
}

static void on_block_read(uv_fs_t *req)
{
    task *t = req->data;
    ssize_t got = req->result;
    uv_fs_req_cleanup(req);
    free(req);
    t->fs_req = NULL;
    if (t->finished)
        return;
    char msg[GS_ERRMSG_MAX];
    if (got != (ssize_t)GS_IO_BLOCK) {
        snprintf(msg, sizeof msg, "file I/O read failed: %s", got < 0 ? uv_strerror((int)got) : "short read");
        gs_async_fail(t, msg);
    } else if (gs_io_check_block(t->block, t->vm->io_arg, msg) != 0) {
        gs_async_fail(t, msg);
    } else {
        gs_async_io_done(t, t->vm->io_arg);
    }
}

/* Hands the task's I/O request to libuv.  Returns 0, or -1 with msg. */
static int uv_submit_io(task *t, char msg[GS_ERRMSG_MAX])
{
    async_run *r = t->run;
    gs_vm *vm = t->vm;
    int rc = 0;
    switch (vm->io_kind) {
    case GS_IO_SLEEP:
        t->timer_due_ns = t->io_start_ns + gs_io_latency_ns(r->io);
        rc = arm_timer(t, t->io_start_ns);
        break;
    case GS_IO_PIPE:
        t->token = vm->io_arg;
        t->echo_len = 0;
        uv_buf_t out = uv_buf_init((char *)&t->token, sizeof t->token);
        rc = uv_write(&t->write_req, (uv_stream_t *)t->pipe, &out, 1, on_token_written);
        if (rc == 0)
            rc = uv_read_start((uv_stream_t *)t->pipe, on_echo_alloc, on_echo_read);
        break;
    case GS_IO_FILE:
        if (!t->block && !(t->block = malloc(GS_IO_BLOCK)))
            rc = UV_ENOMEM;
        else if (!(t->fs_req = malloc(sizeof *t->fs_req)))
            rc = UV_ENOMEM;
        if (rc == 0) {
            t->fs_req->data = t;
            uv_buf_t in = uv_buf_init((char *)t->block, GS_IO_BLOCK);
            rc = uv_fs_read(&r->loop, t->fs_req, gs_io_file_fd(r->io), &in, 1, gs_io_file_offset(vm->io_arg),
                            on_block_read);
            if (rc != 0) {
                free(t->fs_req);
                t->fs_req = NULL;
            }
        }
        break;
    default:
        rc = UV_EINVAL; /* the verifier admits no other kind */
        break;
    }
    if (rc != 0)
        snprintf(msg, GS_ERRMSG_MAX, "cannot start %s I/O: %s",
                 vm->io_kind < GS_IO_KIND_COUNT ? gs_io_kind_names[vm->io_kind] : "unknown", uv_strerror(rc));
    return rc == 0 ? 0 : -1;
}

static const async_backend uv_backend = {.submit_io = uv_submit_io, .ready = uv_ready, .finished = uv_finished};

static void on_idle(uv_idle_t *h)
{
    async_run *r = h->data;
    gs_async_run_ready(r);
    if (r->count == 0 && r->finished < r->n)
        uv_idle_stop(&r->idle);
}

static void on_prepare(uv_prepare_t *h)
{
    async_run *r = h->data;
    if (r->holding) {
        gs_gil_drop(r->gil, &r->client, GS_DROP_VOLUNTARY);
        r->holding = false;
    }
}

static void on_check(uv_check_t *h)
{
    async_run *r = h->data;
    if (!r->holding) {
        gs_gil_take(r->gil, &r->client);
        r->holding = true;
    }
}

static void on_wake(uv_async_t *h)
{
    async_run *r = h->data;
    if (!atomic_load(&r->stop_asked))
        return;
    for (uint32_t i = 0; i < r->n; i++) {
        task *t = &r->tasks[i];
        if (t->finished)
            continue;
        uv_timer_stop(&t->timer);
        if (t->pipe)
            uv_read_stop((uv_stream_t *)t->pipe);
    }
    gs_async_fail_unfinished(r); /* an fs read in flight finds its task finished */
}

static void *loop_main(void *arg)
{
    async_run *r = arg;
    uint32_t cpus = gs_cpus_allowed(); /* every task runs on this thread; async is real only */
    for (uint32_t i = 0; i < r->out->nworkers; i++)
        r->out->workers[i].cpus = cpus;
    if (gs_run_sync_wait_gate(r->sync)) {
        uv_idle_start(&r->idle, on_idle);
        uv_prepare_start(&r->prepare, on_prepare);
        uv_check_start(&r->check, on_check);
        gs_gil_take(r->gil, &r->client);
        r->holding = true;
        uv_run(&r->loop, UV_RUN_DEFAULT);
        if (r->holding)
            gs_gil_drop(r->gil, &r->client, GS_DROP_VOLUNTARY);
    }
    gs_run_sync_done(r->sync);
    return NULL;
}

static void stop_loop(void *arg)
{
    async_run *r = arg;
    gs_async_ask_stop(r);
    gs_io_stop(r->io); /* pipe peers waiting out their latency answer now */
    GS_PTHREAD(pthread_mutex_lock(&r->wake_mutex));
    if (r->wake_open)
        uv_async_send(&r->wake);
    GS_PTHREAD(pthread_mutex_unlock(&r->wake_mutex));
}

/* Sets up task i's timer, and its pipe when the program does pipe I/O.
 * Returns 0, or -1 with out->error. */
static int task_init(async_run *r, uint32_t i, bool uses_pipe)
{
    task *t = &r->tasks[i];
    uv_timer_init(&r->loop, &t->timer);
    t->timer.data = t;
    t->write_req.data = t;
    if (uses_pipe) {
        int fd = dup(gs_io_pipe_fd(r->io, i)); /* libuv closes its own copy */
        t->pipe = malloc(sizeof *t->pipe);
        if (fd < 0 || !t->pipe || uv_pipe_init(&r->loop, t->pipe, 0) != 0) {
            snprintf(r->out->error, sizeof r->out->error, "cannot set up pipe I/O for task %u: %s", i,
                     fd < 0 ? strerror(errno) : "out of memory");
            if (fd >= 0)
                close(fd);
            free(t->pipe);
            t->pipe = NULL;
            return -1;
        }
        t->pipe->data = t;
        int rc = uv_pipe_open(t->pipe, fd);
        if (rc != 0) {
            snprintf(r->out->error, sizeof r->out->error, "cannot open pipe I/O for task %u: %s", i,
                     uv_strerror(rc));
            close(fd);
            return -1;
        }
    }
    return 0;
}

/* Closes whatever the first ninit tasks and the loop hold, after a failed
 * set-up or a finished run, and frees the tasks. */
static void teardown(async_run *r, uint32_t ninit)
{
    for (uint32_t i = 0; r->tasks && i < ninit; i++) {
        task *t = &r->tasks[i];
        if (!uv_is_closing((uv_handle_t *)&t->timer))
            uv_close((uv_handle_t *)&t->timer, NULL);
        if (t->pipe && !uv_is_closing((uv_handle_t *)t->pipe))
            uv_close((uv_handle_t *)t->pipe, NULL);
    }
    uv_handle_t *own[] = {(uv_handle_t *)&r->idle, (uv_handle_t *)&r->prepare, (uv_handle_t *)&r->check,
                          (uv_handle_t *)&r->wake};
    for (size_t k = 0; k < sizeof own / sizeof *own; k++)
        if (!uv_is_closing(own[k]))
            uv_close(own[k], NULL);
    uv_run(&r->loop, UV_RUN_DEFAULT); /* runs the close callbacks */
    if (uv_loop_close(&r->loop) != 0)
        fprintf(stderr, "gilsim: warning: the libuv loop still had handles open at the end of the run\n");
    for (uint32_t i = 0; r->tasks && i < r->n; i++) {
        free(r->tasks[i].pipe);
        free(r->tasks[i].block);
    }
}

int gs_async_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out)
{
    uint32_t n = cfg->workers;
    char err[GS_ERRMSG_MAX];
    unsigned kinds = gs_program_io_kinds(&cfg->workload->prog);
    gs_run_sync sync;
    async_run r = {.be = &uv_backend, .os = os, .cfg = cfg, .out = out, .n = n, .sync = &sync};
    r.io = gs_io_open(kinds, n, cfg->io_latency_ns, err);
    if (!r.io) {
        snprintf(out->error, sizeof out->error, "%s", err);
        return -1;
    }
    int rc = uv_loop_init(&r.loop);
    if (rc != 0) {
        snprintf(out->error, sizeof out->error, "cannot start a libuv loop: %s", uv_strerror(rc));
        gs_io_close(r.io);
        return -1;
    }
    gs_run_sync_init(&sync, os);
    GS_PTHREAD(pthread_mutex_init(&r.wake_mutex, NULL));
    uv_idle_init(&r.loop, &r.idle);
    uv_prepare_init(&r.loop, &r.prepare);
    uv_check_init(&r.loop, &r.check);
    uv_async_init(&r.loop, &r.wake, on_wake);
    r.idle.data = r.prepare.data = r.check.data = r.wake.data = &r;
    r.wake_open = true;
    uint32_t ninit = 0;
    rc = -1;
    if (gs_async_setup(&r) != 0)
        goto done;
    for (; ninit < n; ninit++)
        if (task_init(&r, ninit, kinds & (1u << GS_IO_PIPE)) != 0)
            goto done;
    rc = gs_async_drive(&r, loop_main, stop_loop);
done:
    teardown(&r, ninit);
    gs_async_release(&r);
    gs_io_close(r.io);
    GS_PTHREAD(pthread_mutex_destroy(&r.wake_mutex));
    gs_run_sync_destroy(&sync);
    return rc;
}
