/* loop.c - the real machine's event loop (machine.h, "The loop"): libuv.
 *
 * DESIGN
 * Each task has a timer and, when the run does pipe I/O, a uv_pipe over a
 * copy of its socket to its echo peer (io.h).  A request is submitted to
 * libuv and completes in a callback, which queues the completion; the
 * runner takes completions with loop_wait, which runs the loop once (or,
 * blocking, until there is one):
 *   sleep  a uv_timer, set again if it fires before the latency has
 *          passed (libuv counts whole milliseconds; see arm_timer); how
 *          late it fired past the latency is the loop's lag;
 *   pipe   write the token, read it back;
 *   file   uv_fs_read of the token's block, on libuv's thread pool.
 * loop_wake, from another thread, is a uv_async.
 *
 * Threading: everything belongs to the loop's thread but loop_wake, whose
 * handle is guarded by wake_mutex because it may be closing meanwhile. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "clock.h"
#include "io.h"
#include "real.h"

typedef struct {
    struct gs_loop *loop;
    uint32_t id;
    uv_timer_t timer;
    uint64_t due_ns;          /* sleep: when the latency is over */
    int64_t token;            /* the request's */
    uv_pipe_t *pipe;          /* pipe I/O: over a dup of the task's socket */
    uv_write_t write_req;
    unsigned char echo[sizeof(int64_t)];
    size_t echo_len;
    unsigned char *block;     /* file I/O: where the block is read */
    char err[GS_ERRMSG_MAX];  /* why its last request failed */
    bool in_flight;           /* a request submitted, not yet complete: a second
                                 callback of the same request (a failed write,
                                 then its read) completes nothing */
} loop_task;

struct gs_loop {
    uv_loop_t uv;
    gs_io *io;
    uint32_t n;
    loop_task *tasks;
    gs_loop_done *done;       /* completions not yet taken */
    uint32_t ndone, cap;
    uint32_t pending;         /* requests submitted and not yet complete */
    uv_async_t wake;
    pthread_mutex_t wake_mutex;
    bool wake_open;           /* guarded by wake_mutex */
    atomic_bool woken;
    bool closing;
};

/* Queues task t's completion. */
static void complete(loop_task *t, int64_t result, uint64_t late_ns, bool is_sleep, const char *failed)
{
    gs_loop *l = t->loop;
    if (l->closing || !t->in_flight)
        return;
    t->in_flight = false;
    l->pending--;
    if (l->ndone == l->cap) {
        uint32_t cap = l->cap ? 2 * l->cap : 64;
        gs_loop_done *d = realloc(l->done, cap * sizeof *d);
        if (!d)
            gs_fatal("queueing an I/O completion", ENOMEM);
        l->done = d;
        l->cap = cap;
    }
    gs_loop_done *d = &l->done[l->ndone++];
    *d = (gs_loop_done){.task = t->id, .result = result, .late_ns = late_ns, .is_sleep = is_sleep};
    if (failed) {
        snprintf(t->err, sizeof t->err, "%s", failed);
        d->failed = t->err;
    }
    /* A completion from the timers libuv runs before it polls must not be
     * followed by a poll that waits for the next: the runner has work. */
    uv_stop(&l->uv);
}

static void on_timer(uv_timer_t *h);

/* Sets t's timer to fire at due_ns.  libuv's timers count whole
 * milliseconds of the loop's clock, read when the timer is set: so that
 * an idle loop wakes on time, the timeout is the remaining time rounded up
 * to a millisecond.  A busy loop compares its clock, floored to the
 * millisecond, when an iteration begins, and may then run the timer up to
 * a millisecond early: on_timer sets it again for what is left. */
static int arm_timer(loop_task *t, uint64_t now)
{
    uv_update_time(&t->loop->uv);
    uint64_t left = t->due_ns > now ? t->due_ns - now : 0;
    return uv_timer_start(&t->timer, on_timer, (left + 999999u) / 1000000u, 0);
}

static void on_timer(uv_timer_t *h)
{
    loop_task *t = h->data;
    uint64_t now = gs_now_ns();
    if (now < t->due_ns) {
        int rc = arm_timer(t, now);
        if (rc != 0) {
            char msg[GS_ERRMSG_MAX];
            snprintf(msg, sizeof msg, "cannot start sleep I/O: %s", uv_strerror(rc));
            complete(t, 0, 0, true, msg);
        }
        return;
    }
    complete(t, t->token, now - t->due_ns, true, NULL);
}

static void on_echo_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    loop_task *t = h->data;
    *buf = uv_buf_init((char *)t->echo + t->echo_len, (unsigned)(sizeof t->echo - t->echo_len));
}

static void on_echo_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    loop_task *t = s->data;
    if (nread == 0)
        return;
    if (nread < 0) {
        char msg[GS_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "pipe I/O to the echo peer failed: %s", uv_strerror((int)nread));
        uv_read_stop(s);
        complete(t, 0, 0, false, msg);
        return;
    }
    t->echo_len += (size_t)nread;
    if (t->echo_len < sizeof t->echo)
        return;
    uv_read_stop(s);
    int64_t echo;
    memcpy(&echo, t->echo, sizeof echo);
    complete(t, echo, 0, false, NULL);
}

static void on_token_written(uv_write_t *req, int status)
{
    loop_task *t = req->data;
    if (status < 0) {
        char msg[GS_ERRMSG_MAX];
        snprintf(msg, sizeof msg, "pipe I/O to the echo peer failed: %s", uv_strerror(status));
        uv_read_stop((uv_stream_t *)t->pipe);
        complete(t, 0, 0, false, msg);
    }
}

typedef struct {
    uv_fs_t req;
    loop_task *t;
} fs_read;

static void on_block_read(uv_fs_t *req)
{
    fs_read *r = (fs_read *)req;
    loop_task *t = r->t;
    ssize_t got = req->result;
    uv_fs_req_cleanup(req);
    free(r);
    char msg[GS_ERRMSG_MAX];
    if (got != (ssize_t)GS_IO_BLOCK) {
        snprintf(msg, sizeof msg, "file I/O read failed: %s", got < 0 ? uv_strerror((int)got) : "short read");
        complete(t, 0, 0, false, msg);
    } else if (gs_io_check_block(t->block, t->token, msg) != 0) {
        complete(t, 0, 0, false, msg);
    } else {
        complete(t, t->token, 0, false, NULL);
    }
}

int gs_real_loop_submit(gs_os *os, gs_loop *l, uint32_t task, int kind, int64_t token, char err[GS_ERRMSG_MAX])
{
    (void)os;
    loop_task *t = &l->tasks[task];
    t->token = token;
    int rc = 0;
    switch (kind) {
    case GS_IO_SLEEP:
        t->due_ns = gs_now_ns() + gs_io_latency_ns(l->io);
        rc = arm_timer(t, gs_now_ns());
        break;
    case GS_IO_PIPE: {
        t->echo_len = 0;
        uv_buf_t out = uv_buf_init((char *)&t->token, sizeof t->token);
        rc = t->pipe ? uv_write(&t->write_req, (uv_stream_t *)t->pipe, &out, 1, on_token_written) : UV_EINVAL;
        if (rc == 0)
            rc = uv_read_start((uv_stream_t *)t->pipe, on_echo_alloc, on_echo_read);
        break;
    }
    case GS_IO_FILE: {
        fs_read *r = malloc(sizeof *r);
        if (!t->block && !(t->block = malloc(GS_IO_BLOCK)))
            rc = UV_ENOMEM;
        if (!r)
            rc = UV_ENOMEM;
        if (rc == 0) {
            r->t = t;
            uv_buf_t in = uv_buf_init((char *)t->block, GS_IO_BLOCK);
            rc = uv_fs_read(&l->uv, &r->req, gs_io_file_fd(l->io), &in, 1, gs_io_file_offset(token), on_block_read);
        }
        if (rc != 0)
            free(r);
        break;
    }
    default:
        rc = UV_EINVAL; /* the verifier admits no other kind */
        break;
    }
    l->pending += rc == 0;
    t->in_flight = rc == 0;
    if (rc != 0)
        snprintf(err, GS_ERRMSG_MAX, "cannot start %s I/O: %s",
                 kind >= 0 && kind < GS_IO_KIND_COUNT ? gs_io_kind_names[kind] : "unknown", uv_strerror(rc));
    return rc == 0 ? 0 : -1;
}

uint32_t gs_real_loop_wait(gs_os *os, gs_loop *l, gs_loop_done *done, uint32_t max, bool block)
{
    (void)os;
    block = block && l->pending > 0; /* with nothing in flight, nothing would end the wait */
    if (l->ndone == 0 && !atomic_load(&l->woken))
        uv_run(&l->uv, block ? UV_RUN_ONCE : UV_RUN_NOWAIT);
    while (block && l->ndone == 0 && !atomic_load(&l->woken)) /* an early timer set again: run on */
        uv_run(&l->uv, UV_RUN_ONCE);
    atomic_store(&l->woken, false);
    uint32_t n = l->ndone < max ? l->ndone : max;
    if (n == 0) /* l->done may not exist yet */
        return 0;
    memcpy(done, l->done, n * sizeof *done);
    memmove(l->done, l->done + n, (l->ndone - n) * sizeof *done);
    l->ndone -= n;
    return n;
}

static void on_wake(uv_async_t *h)
{
    (void)h; /* the flag says it; this only ends the loop's wait */
}

void gs_real_loop_wake(gs_os *os, gs_loop *l)
{
    (void)os;
    atomic_store(&l->woken, true);
    GS_PTHREAD(pthread_mutex_lock(&l->wake_mutex));
    if (l->wake_open)
        uv_async_send(&l->wake);
    GS_PTHREAD(pthread_mutex_unlock(&l->wake_mutex));
}

gs_loop *gs_real_loop_open(gs_os *os, gs_io *io, uint32_t ntasks, char err[GS_ERRMSG_MAX])
{
    gs_loop *l = calloc(1, sizeof *l);
    loop_task *tasks = calloc(ntasks, sizeof *tasks);
    int rc = l && tasks ? uv_loop_init(&l->uv) : UV_ENOMEM;
    if (rc != 0) {
        snprintf(err, GS_ERRMSG_MAX, "cannot start a libuv loop: %s", uv_strerror(rc));
        free(l);
        free(tasks);
        return NULL;
    }
    l->io = io; /* not an assignment of the whole: the initialized uv_loop_t points at itself */
    l->n = ntasks;
    l->tasks = tasks;
    l->wake_open = true;
    GS_PTHREAD(pthread_mutex_init(&l->wake_mutex, NULL));
    uv_async_init(&l->uv, &l->wake, on_wake);
    for (uint32_t i = 0; i < ntasks; i++) {
        loop_task *t = &tasks[i];
        *t = (loop_task){.loop = l, .id = i};
        uv_timer_init(&l->uv, &t->timer);
        t->timer.data = t;
        t->write_req.data = t;
        if (gs_io_pipe_fd(io, i) < 0)
            continue;
        int fd = dup(gs_io_pipe_fd(io, i)); /* libuv closes its own copy */
        uv_pipe_t *pipe = malloc(sizeof *pipe);
        rc = fd < 0 || !pipe ? UV_ENOMEM : uv_pipe_init(&l->uv, pipe, 0);
        if (rc != 0)
            free(pipe); /* never initialized: nothing for libuv to close */
        else
            t->pipe = pipe;
        if (rc == 0) {
            t->pipe->data = t;
            rc = uv_pipe_open(t->pipe, fd);
        }
        if (rc != 0) {
            snprintf(err, GS_ERRMSG_MAX, "cannot set up pipe I/O for task %u: %s", i,
                     fd < 0 ? strerror(errno) : uv_strerror(rc));
            if (fd >= 0)
                close(fd);
            l->n = i + 1;
            gs_real_loop_close(os, l);
            return NULL;
        }
    }
    return l;
}

void gs_real_loop_close(gs_os *os, gs_loop *l)
{
    (void)os;
    l->closing = true;
    for (uint32_t i = 0; i < l->n; i++) {
        uv_close((uv_handle_t *)&l->tasks[i].timer, NULL);
        if (l->tasks[i].pipe)
            uv_close((uv_handle_t *)l->tasks[i].pipe, NULL);
    }
    GS_PTHREAD(pthread_mutex_lock(&l->wake_mutex));
    l->wake_open = false;
    uv_close((uv_handle_t *)&l->wake, NULL);
    GS_PTHREAD(pthread_mutex_unlock(&l->wake_mutex));
    uv_run(&l->uv, UV_RUN_DEFAULT); /* the close callbacks, and file reads still in flight */
    if (uv_loop_close(&l->uv) != 0)
        fprintf(stderr, "gilsim: warning: the libuv loop still had handles open at the end of the run\n");
    for (uint32_t i = 0; i < l->n; i++) {
        free(l->tasks[i].pipe);
        free(l->tasks[i].block);
    }
    GS_PTHREAD(pthread_mutex_destroy(&l->wake_mutex));
    free(l->tasks);
    free(l->done);
    free(l);
}
