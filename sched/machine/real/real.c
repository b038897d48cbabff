/* os_real.c - the real operating system behind os.h: pthreads, the
 * monotonic clock, nanosleep.  Condition variables wait on
 * CLOCK_MONOTONIC, the clock of now_ns, so a timed wait is not moved by a
 * change of the wall clock.  The interpreter's budget is whatever the
 * caller asked for: real time advances by itself. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "../io.h"
#include "../machine.h"

_Noreturn void gs_fatal_pthread(const char *call, int err)
{
    fprintf(stderr, "gilsim: fatal: %s failed: %s\n", call, strerror(err));
    abort();
}

void gs_cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    GS_PTHREAD(pthread_condattr_init(&attr));
    GS_PTHREAD(pthread_condattr_setclock(&attr, CLOCK_MONOTONIC));
    GS_PTHREAD(pthread_cond_init(cond, &attr));
    GS_PTHREAD(pthread_condattr_destroy(&attr));
}

struct gs_mutex {
    pthread_mutex_t m;
};

struct gs_cond {
    pthread_cond_t c;
};

struct gs_thread {
    pthread_t tid;
};

static uint64_t real_now(gs_os *os)
{
    (void)os;
    return gs_now_ns();
}

static uint64_t real_thread_cpu(gs_os *os)
{
    (void)os;
    return gs_thread_cpu_ns();
}

/* A lock or a condition variable is a few dozen bytes: without them the
 * run cannot go on, as without a working pthread call. */
static void *must_alloc(size_t size, const char *what)
{
    void *p = malloc(size);
    if (!p)
        gs_fatal_pthread(what, ENOMEM);
    return p;
}

static uint32_t real_cpus(gs_os *os)
{
    (void)os;
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? (uint32_t)CPU_COUNT(&set) : 1;
}

static gs_mutex *real_mutex_new(gs_os *os)
{
    (void)os;
    gs_mutex *m = must_alloc(sizeof *m, "allocating a mutex");
    GS_PTHREAD(pthread_mutex_init(&m->m, NULL));
    return m;
}

static void real_lock(gs_os *os, gs_mutex *m)
{
    (void)os;
    GS_PTHREAD(pthread_mutex_lock(&m->m));
}

static void real_unlock(gs_os *os, gs_mutex *m)
{
    (void)os;
    GS_PTHREAD(pthread_mutex_unlock(&m->m));
}

static void real_mutex_free(gs_os *os, gs_mutex *m)
{
    (void)os;
    if (!m)
        return;
    GS_PTHREAD(pthread_mutex_destroy(&m->m));
    free(m);
}

static gs_cond *real_cond_new(gs_os *os)
{
    (void)os;
    gs_cond *c = must_alloc(sizeof *c, "allocating a condition variable");
    gs_cond_init_monotonic(&c->c);
    return c;
}

static void real_wait(gs_os *os, gs_cond *c, gs_mutex *m)
{
    (void)os;
    GS_PTHREAD(pthread_cond_wait(&c->c, &m->m));
}

static bool real_wait_until(gs_os *os, gs_cond *c, gs_mutex *m, uint64_t deadline_ns)
{
    (void)os;
    struct timespec deadline = {.tv_sec = (time_t)(deadline_ns / 1000000000u),
                                .tv_nsec = (long)(deadline_ns % 1000000000u)};
    int rc = pthread_cond_timedwait(&c->c, &m->m, &deadline);
    if (rc != 0 && rc != ETIMEDOUT)
        gs_fatal_pthread("pthread_cond_timedwait", rc);
    return rc == ETIMEDOUT;
}

static void real_signal(gs_os *os, gs_cond *c)
{
    (void)os;
    GS_PTHREAD(pthread_cond_signal(&c->c));
}

static void real_broadcast(gs_os *os, gs_cond *c)
{
    (void)os;
    GS_PTHREAD(pthread_cond_broadcast(&c->c));
}

static void real_cond_free(gs_os *os, gs_cond *c)
{
    (void)os;
    if (!c)
        return;
    GS_PTHREAD(pthread_cond_destroy(&c->c));
    free(c);
}

static int real_thread_start(gs_os *os, gs_thread **t, size_t stack_size, void *(*fn)(void *), void *arg)
{
    (void)os;
    gs_thread *th = malloc(sizeof *th);
    if (!th)
        return ENOMEM;
    pthread_attr_t attr;
    GS_PTHREAD(pthread_attr_init(&attr));
    if (stack_size)
        GS_PTHREAD(pthread_attr_setstacksize(&attr, stack_size));
    int rc = pthread_create(&th->tid, &attr, fn, arg);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        free(th);
        return rc;
    }
    *t = th;
    return 0;
}

static void real_thread_join(gs_os *os, gs_thread *t)
{
    (void)os;
    GS_PTHREAD(pthread_join(t->tid, NULL));
    free(t);
}

static void real_sleep(gs_os *os, uint64_t ns)
{
    (void)os;
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int real_io(gs_os *os, gs_io *io, uint32_t worker, int kind, int64_t token, int64_t *result, char *err)
{
    (void)os;
    return gs_io_perform(io, worker, (gs_io_kind)kind, token, result, err);
}

static uint64_t real_io_latency(gs_os *os, gs_io *io, int kind)
{
    (void)os;
    return kind == GS_IO_FILE ? 0 : gs_io_latency_ns(io); /* a real read takes what it takes */
}

static uint64_t real_budget(gs_os *os, uint64_t wanted)
{
    (void)os;
    return wanted;
}

static void real_ran(gs_os *os, uint64_t instructions)
{
    (void)os, (void)instructions;
}

static const gs_os_ops real_ops = {
    .name = "real",
    .now_ns = real_now,
    .thread_cpu_ns = real_thread_cpu,
    .cpus = real_cpus,
    .mutex_new = real_mutex_new,
    .mutex_lock = real_lock,
    .mutex_unlock = real_unlock,
    .mutex_free = real_mutex_free,
    .cond_new = real_cond_new,
    .cond_wait = real_wait,
    .cond_wait_until = real_wait_until,
    .cond_signal = real_signal,
    .cond_broadcast = real_broadcast,
    .cond_free = real_cond_free,
    .thread_start = real_thread_start,
    .thread_join = real_thread_join,
    .sleep_ns = real_sleep,
    .io_perform = real_io,
    .io_latency = real_io_latency,
    .budget = real_budget,
    .ran = real_ran,
};

gs_os *gs_os_real(void)
{
    static gs_os real = {&real_ops}; /* read-only: it holds only the table */
    return &real;
}
