/* real.c - the real machine behind machine.h: pthreads, the monotonic
 * clock, real I/O (io.c), fork and pipes (procs.c), a libuv loop
 * (loop.c), CPU affinity.  Condition variables wait on CLOCK_MONOTONIC,
 * the clock of now_ns, so a timed wait is not moved by a change of the
 * wall clock.  The interpreter's budget is whatever the caller asked for:
 * real time advances by itself. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "io.h"
#include "real.h"
#include "../start_gate.h"

_Noreturn void gs_fatal(const char *what, int err)
{
    if (err)
        fprintf(stderr, "gilsim: fatal: %s failed: %s\n", what, strerror(err));
    else
        fprintf(stderr, "gilsim: fatal: %s\n", what);
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
    void *(*fn)(void *);
    void *arg;
    gs_gate *gate; /* it waits here before fn, or NULL */
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
        gs_fatal(what, ENOMEM);
    return p;
}

static uint32_t real_cpus(gs_os *os)
{
    (void)os;
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? (uint32_t)CPU_COUNT(&set) : 1;
}

/* /proc/thread-self/schedstat: the nanoseconds on a CPU, the nanoseconds
 * waiting on a run queue, and the time slices (Documentation/scheduler/
 * sched-stats.rst); a kernel built without schedstats has no such file. */
static bool real_core_wait(gs_os *os, uint64_t *ns)
{
    (void)os;
    char text[128];
    int fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        return false;
    text[n] = '\0';
    unsigned long long on_cpu, waiting;
    if (sscanf(text, "%llu %llu", &on_cpu, &waiting) != 2)
        return false;
    *ns = waiting;
    return true;
}

/* Clock ticks to nanoseconds. */
static int64_t ticks_ns(unsigned long long ticks)
{
    static long hz;
    if (!hz)
        hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    return (int64_t)(ticks * (1000000000ull / (unsigned long long)hz));
}

static bool real_others_cpu(gs_os *os, int64_t *ns, uint64_t *error_ns)
{
    (void)os;
    cpu_set_t allowed;
    FILE *f = fopen("/proc/stat", "re");
    if (!f || sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        if (f)
            fclose(f);
        return false;
    }
    unsigned long long busy = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        int cpu;
        unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
        if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &user, &nice, &sys, &idle, &iowait,
                   &irq, &softirq, &steal) == 9 && cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed))
            busy += user + nice + sys + irq + softirq + steal; /* guest time is inside user */
    }
    fclose(f);
    /* this process's own: utime, stime, cutime, cstime, after its name */
    f = fopen("/proc/self/stat", "re");
    if (!f)
        return false;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    const char *p = strrchr(line, ')');
    unsigned long long ut, st, cut, cst;
    if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ut, &st, &cut,
                     &cst) != 4)
        return false;
    *ns = ticks_ns(busy) - ticks_ns(ut + st + cut + cst);
    *error_ns = (uint64_t)ticks_ns((unsigned long long)CPU_COUNT(&allowed) + 4);
    return true;
}

static bool real_watch_core_wait(gs_os *os, void (*waited)(void *, uint64_t, uint64_t), void *arg)
{
    (void)os, (void)waited, (void)arg;
    return false;
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

static bool real_trylock(gs_os *os, gs_mutex *m)
{
    (void)os;
    int rc = pthread_mutex_trylock(&m->m);
    if (rc != 0 && rc != EBUSY)
        GS_PTHREAD(rc);
    return rc == 0;
}

static void real_yield(gs_os *os)
{
    (void)os;
    sched_yield();
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
        gs_fatal("pthread_cond_timedwait", rc);
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

static void *held_main(void *arg)
{
    gs_thread *th = arg;
    gs_start_gate_wait(gs_os_real(), th->gate);
    return th->fn(th->arg);
}

static int real_thread_start(gs_os *os, gs_thread **t, size_t stack_size, void *(*fn)(void *), void *arg,
                             gs_gate *gate)
{
    (void)os;
    gs_thread *th = malloc(sizeof *th);
    if (!th)
        return ENOMEM;
    *th = (gs_thread){.fn = fn, .arg = arg, .gate = gate};
    pthread_attr_t attr;
    GS_PTHREAD(pthread_attr_init(&attr));
    if (stack_size)
        GS_PTHREAD(pthread_attr_setstacksize(&attr, stack_size));
    int rc = pthread_create(&th->tid, &attr, gate ? held_main : fn, gate ? (void *)th : arg);
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

static gs_io *real_io_open(gs_os *os, unsigned kinds, uint32_t nworkers, uint64_t latency_ns,
                           char err[GS_ERRMSG_MAX])
{
    (void)os;
    return gs_io_open(kinds, nworkers, latency_ns, err);
}

static int real_io(gs_os *os, gs_io *io, uint32_t worker, int kind, int64_t token, int64_t *result,
                   char err[GS_ERRMSG_MAX])
{
    (void)os;
    return gs_io_perform(io, worker, (gs_io_kind)kind, token, result, err);
}

static void real_io_stop(gs_os *os, gs_io *io)
{
    (void)os;
    gs_io_stop(io);
}

static void real_io_close(gs_os *os, gs_io *io)
{
    (void)os;
    gs_io_close(io);
}

static uint64_t real_budget(gs_os *os, uint64_t wanted)
{
    (void)os;
    return wanted;
}

/* Real cores interleave shared reads and writes by themselves. */
static void real_shares_memory(gs_os *os)
{
    (void)os;
}

/* Real cores run every thread to its own next system call anyway. */
static void real_computes_alone(gs_os *os)
{
    (void)os;
}

/* Real cores move real cache lines: nothing to add. */
static void real_touched_shared(gs_os *os, uint64_t vars)
{
    (void)os, (void)vars;
}

static void real_interpreter_start(gs_os *os)
{
    (void)os;
}

static void real_lock_op(gs_os *os)
{
    (void)os;
}

/* A real copy of bytes through memory, 64 KiB at a time, as a queue
 * between interpreters copies what it carries. */
static void real_channel_send(gs_os *os, uint64_t bytes)
{
    (void)os;
    enum { CHUNK = 64 * 1024 };
    static const unsigned char from[CHUNK];
    unsigned char *to = malloc(CHUNK);
    if (!to)
        return; /* nothing copied: the figures say it cost nothing */
    for (uint64_t left = bytes; left > 0;) {
        size_t n = left < CHUNK ? (size_t)left : CHUNK;
        memcpy(to, from, n);
        __asm__ volatile("" : : "r"(to) : "memory"); /* the copy is kept */
        left -= n;
    }
    free(to);
}

static void real_compute(gs_os *os, uint64_t ns)
{
    uint64_t end = gs_now_ns() + ns;
    (void)os;
    while (gs_now_ns() < end)
        ;
}

static void real_ran(gs_os *os, uint64_t instructions)
{
    (void)os, (void)instructions;
}

/* Memory mapped before fork is the children's too. */
static void *real_shared_new(gs_os *os, size_t size)
{
    (void)os;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void real_shared_free(gs_os *os, void *p, size_t size)
{
    (void)os;
    if (p)
        munmap(p, size);
}

typedef struct {
    gs_os os;
    cpu_set_t saved;  /* the mask before pin, while pinned */
    bool pinned;
} real_machine;

static int real_pin(gs_os *os, uint32_t cores, char err[GS_ERRMSG_MAX])
{
    real_machine *m = (real_machine *)os;
    if (cores == 0) {
        if (m->pinned)
            sched_setaffinity(0, sizeof m->saved, &m->saved); /* the mask it had: cannot fail */
        m->pinned = false;
        return 0;
    }
    cpu_set_t pinned;
    if (sched_getaffinity(0, sizeof m->saved, &m->saved) != 0 || (uint32_t)CPU_COUNT(&m->saved) < cores) {
        snprintf(err, GS_ERRMSG_MAX, "cannot pin the workers to %u cores: gilsim may use %u", cores,
                 real_cpus(os));
        return -1;
    }
    CPU_ZERO(&pinned);
    for (int cpu = 0, n = 0; cpu < CPU_SETSIZE && (uint32_t)n < cores; cpu++)
        if (CPU_ISSET(cpu, &m->saved)) {
            CPU_SET(cpu, &pinned);
            n++;
        }
    if (sched_setaffinity(0, sizeof pinned, &pinned) != 0) {
        snprintf(err, GS_ERRMSG_MAX, "cannot pin the workers to %u cores: %s", cores, strerror(errno));
        return -1;
    }
    m->pinned = true;
    return 0;
}

/* Descriptors open now: entries of /proc/self/fd, less the one reading it. */
static uint64_t fds_open(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 32; /* no /proc: a generous guess at what a command holds */
    uint64_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;
}

/* Makes room for need of resource (an RLIMIT_), raising the soft limit
 * toward the hard one if it must.  Returns 0, or -1 with the hard limit. */
static int room_for(int resource, uint64_t need, uint64_t *limit)
{
    struct rlimit rl;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return 0;
    *limit = rl.rlim_max;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
        return -1;
    rl.rlim_cur = need;
    setrlimit(resource, &rl);
    return 0;
}

static int real_reserve_fds(gs_os *os, uint64_t more, uint64_t *need, uint64_t *limit)
{
    (void)os;
    *need = fds_open() + more;
    return room_for(RLIMIT_NOFILE, *need, limit);
}

/* This process's threads now (/proc/self/status), 1 if it cannot tell. */
static uint64_t tasks_now(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[128];
    uint64_t n = 1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "Threads:", 8) == 0)
            n = strtoull(line + 8, NULL, 10);
    if (f)
        fclose(f);
    return n;
}

static int real_reserve_tasks(gs_os *os, uint64_t more, uint64_t *need, uint64_t *limit)
{
    (void)os;
    *need = tasks_now() + more; /* the user's other processes count too: the limit may bite sooner */
    return room_for(RLIMIT_NPROC, *need, limit);
}

static const gs_os_ops real_ops = {
    .now_ns = real_now,
    .thread_cpu_ns = real_thread_cpu,
    .cpus = real_cpus,
    .thread_core_wait_ns = real_core_wait,
    .thread_watch_core_wait = real_watch_core_wait,
    .others_cpu_ns = real_others_cpu,
    .mutex_new = real_mutex_new,
    .mutex_lock = real_lock,
    .mutex_unlock = real_unlock,
    .mutex_trylock = real_trylock,
    .yield = real_yield,
    .mutex_free = real_mutex_free,
    .cond_new = real_cond_new,
    .cond_wait = real_wait,
    .cond_wait_until = real_wait_until,
    .cond_signal = real_signal,
    .cond_broadcast = real_broadcast,
    .cond_free = real_cond_free,
    .sem_new = gs_real_sem_new,
    .sem_wait = gs_real_sem_wait,
    .sem_post = gs_real_sem_post,
    .sem_free = gs_real_sem_free,
    .thread_start = real_thread_start,
    .gate_new = gs_start_gate_new,
    .gate_open = gs_start_gate_open,
    .gate_free = gs_start_gate_free,
    .thread_join = real_thread_join,
    .sleep_ns = real_sleep,
    .io_open = real_io_open,
    .io_perform = real_io,
    .io_stop = real_io_stop,
    .io_close = real_io_close,
    .budget = real_budget,
    .shares_memory = real_shares_memory,
    .computes_alone = real_computes_alone,
    .touched_shared = real_touched_shared,
    .interpreter_start = real_interpreter_start,
    .lock_op = real_lock_op,
    .channel_send = real_channel_send,
    .compute = real_compute,
    .ran = real_ran,
    .shared_new = real_shared_new,
    .shared_free = real_shared_free,
    .procs_start = gs_real_procs_start,
    .procs_release = gs_real_procs_release,
    .procs_wait = gs_real_procs_wait,
    .procs_free = gs_real_procs_free,
    .home_send = gs_real_home_send,
    .home_transfer = gs_real_home_transfer,
    .home_on_stop = gs_real_home_on_stop,
    .loop_open = gs_real_loop_open,
    .loop_submit = gs_real_loop_submit,
    .loop_wait = gs_real_loop_wait,
    .loop_wake = gs_real_loop_wake,
    .loop_close = gs_real_loop_close,
    .pin = real_pin,
    .reserve_fds = real_reserve_fds,
    .reserve_tasks = real_reserve_tasks,
};

gs_os *gs_os_real(void)
{
    static real_machine real = {.os = {&real_ops}};
    return &real.os;
}
