/* processes.c - the processes runner: N forked children, each with its own
 * interpreter state and its own lock, as a multiprocessing pool has.
 *
 * DESIGN
 * The parent prepares what the children share copy-on-write (the program,
 * each worker's result with its event buffer) and forks N children.  Each
 * child waits at a gate (a pipe the parent closes once all children exist),
 * lives the life of a worker (worker.h) on a lock of its own with I/O of its
 * own, sends its result home over a pipe (wire.h) and exits.  Wall time
 * runs from before the first fork to after the last child is reaped: what a
 * user waits for.  Forking and collecting are also timed on their own.
 *
 * The parent reads every child's pipe at once with poll, so no child blocks
 * on a full pipe, and reaps each child once its pipe closes.  Whatever
 * happened to a child (crashed, killed by a signal, exited non-zero, sent a
 * message cut short or garbled) becomes that worker's failure with the
 * reason; the others' results stand.
 *
 * Stopping: on --timeout the parent sends SIGUSR1, on an interrupt SIGINT
 * (a terminal's Ctrl-C reaches the children by itself as well).  A child's handler sets
 * GS_BREAK_STOP on its interpreter, so it stops at its next back-edge and
 * still sends home what it did.  A child still there GS_KILL_GRACE_NS after
 * being asked, or after closing its pipe, is killed with SIGKILL and
 * reported so: the wait is always bounded and no zombie is left.  On Linux a
 * child also dies with its parent (PR_SET_PDEATHSIG). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "../machine/real/clock.h"
#include "wire.h"
#include "worker.h"

#define GS_KILL_GRACE_NS 2000000000ull /* 2 s */

typedef struct {
    pid_t pid;
    int fd;                  /* read end of its result pipe; -1 once closed */
    unsigned char *buf;      /* what it sent so far */
    size_t len, cap, max;    /* max: the largest valid message, plus one */
    uint64_t eof_ns;         /* when its pipe closed */
    bool reaped, killed;
    int status;              /* from waitpid, once reaped */
    const char *kill_reason; /* why the parent killed it */
} child;

/* ---- the child ---- */

/* The one interpreter a signal handler must reach.  A child has exactly one
 * worker, so one static per process is enough; the parent never sets it. */
static gs_vm *_Atomic child_vm;
static gs_io *_Atomic child_io;
static atomic_bool child_stop_pending;

static void child_on_signal(int sig)
{
    if (sig != SIGUSR1)
        gs_run_stop(); /* interrupt: the worker reports "interrupted" */
    atomic_store(&child_stop_pending, true);
    gs_vm *vm = atomic_load(&child_vm);
    if (vm)
        gs_vm_set_breaker(vm, GS_BREAK_STOP);
    gs_io_stop(atomic_load(&child_io)); /* a sleep or an echo in progress ends now */
}

static void child_signals(const sigset_t *parent_mask)
{
    struct sigaction sa = {.sa_handler = child_on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a parent gone is an error from write */
    sigprocmask(SIG_SETMASK, parent_mask, NULL);
}

static bool child_wait_gate(int gate_fd)
{
    char c;
    ssize_t n;
    while ((n = read(gate_fd, &c, 1)) < 0 && errno == EINTR)
        ;
    return n == 0; /* the parent closed the gate's write end: go */
}

static _Noreturn void child_main(const gs_run_config *cfg, gs_worker_result *res, int result_fd, int gate_fd,
                                 const sigset_t *parent_mask, gs_native_meter *meter)
{
    child_signals(parent_mask);
    if (cfg->after_fork)
        cfg->after_fork(res->id, result_fd);
    if (!child_wait_gate(gate_fd))
        _exit(0); /* the run was called off before it started */
    close(gate_fd);

    char err[GS_ERRMSG_MAX];
    gs_os *os = gs_os_real();
    gs_gil *gil = gs_gil_new(&cfg->gil, os);
    gs_io *io = gs_io_open(gs_program_io_kinds(&cfg->workload->prog), 1, cfg->io_latency_ns, err);
    gs_worker w = {0};
    gs_process_state *ps = calloc(1, sizeof *ps); /* its own variables and locks, as after fork */
    if (!gil || !ps || gs_process_init(ps, &cfg->workload->prog, os, 1) != 0)
        gs_worker_fail(res, "out of memory for the lock");
    else if (!io)
        gs_worker_fail(res, err);
    else if (gs_worker_init(&w, cfg, res, gil, io, 0, err) != 0)
        gs_worker_fail(res, err);
    else {
        gs_worker_share(&w, ps, 0, meter);
        atomic_store(&child_vm, w.vm);
        atomic_store(&child_io, io);
        if (atomic_load(&child_stop_pending)) {
            gs_vm_set_breaker(w.vm, GS_BREAK_STOP);
            gs_io_stop(io);
        }
        gs_worker_run(&w);
        for (uint32_t i = 0; i < cfg->workload->prog.nshared; i++)
            res->shared_end[i] = atomic_load(&ps->vars[i]);
    }
    int rc = gs_wire_send(result_fd, res) == 0 ? 0 : 1;
    /* _exit: the parent's atexit handlers and stdio buffers are not ours. */
    _exit(rc);
}

/* ---- the parent ---- */

/* Forks child i.  Returns 0, or -1 with errno. */
static int spawn(const gs_run_config *cfg, gs_run_result *out, child *c, uint32_t i, int gate[2],
                 const sigset_t *parent_mask, gs_native_meter *meter)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        close(gate[1]);
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
        child_main(cfg, &out->workers[i], fds[1], gate[0], parent_mask, meter);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    c->pid = pid;
    c->fd = fds[0];
    c->max = gs_wire_max_size(out->workers[i].rec.cap) + 1;
    return 0;
}

/* Reads what child c has sent; closes its pipe at end of file. */
static void drain(child *c)
{
    for (;;) {
        if (c->len == c->cap && c->cap < c->max) {
            size_t cap = c->cap ? c->cap * 2 : 64 * 1024;
            cap = cap < c->max ? cap : c->max;
            unsigned char *b = realloc(c->buf, cap);
            if (!b)
                break; /* what fits is judged as it stands */
            c->buf = b;
            c->cap = cap;
        }
        unsigned char scrap[4096];
        bool full = c->len == c->cap;
        ssize_t n = full ? read(c->fd, scrap, sizeof scrap) : read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            close(c->fd);
            c->fd = -1;
            c->eof_ns = gs_now_ns();
            return;
        }
        if (!full)
            c->len += (size_t)n; /* beyond max the excess is dropped: the message is too long anyway */
    }
}

static void kill_child(child *c, const char *reason)
{
    if (c->reaped || c->killed)
        return;
    kill(c->pid, SIGKILL);
    c->killed = true;
    c->kill_reason = reason;
}

/* Reads and reaps every child, with pfd and who as room for n entries.
 * Returns true if the run was asked to stop. */
static bool collect(child *c, uint32_t n, uint64_t deadline_ns, struct pollfd *pfd, uint32_t *who)
{
    uint32_t left = n;
    bool asked = false;
    uint64_t grace_end = 0;
    while (left > 0) {
        uint32_t np = 0;
        bool closing = false; /* a pipe closed, its child not yet reaped */
        for (uint32_t i = 0; i < n; i++) {
            if (c[i].fd >= 0) {
                pfd[np] = (struct pollfd){.fd = c[i].fd, .events = POLLIN};
                who[np++] = i;
            } else if (!c[i].reaped) {
                closing = true;
            }
        }
        int timeout = closing ? 1 : (int)((gs_run_tick_ns(gs_os_real(), asked ? 0 : deadline_ns) + 999999) / 1000000);
        if (poll(pfd, np, timeout) > 0)
            for (uint32_t k = 0; k < np; k++)
                if (pfd[k].revents)
                    drain(&c[who[k]]);
        uint64_t now = gs_now_ns();
        for (uint32_t i = 0; i < n; i++) {
            if (c[i].reaped || c[i].fd >= 0)
                continue;
            pid_t p = waitpid(c[i].pid, &c[i].status, WNOHANG);
            if (p == c[i].pid || (p < 0 && errno == ECHILD)) {
                c[i].reaped = true;
                left--;
            } else if (now - c[i].eof_ns > GS_KILL_GRACE_NS) {
                kill_child(&c[i], "closed its result pipe but did not exit within 2 s; killed");
            }
        }
        if (!asked && gs_run_past(gs_os_real(), deadline_ns)) {
            asked = true;
            grace_end = now + GS_KILL_GRACE_NS;
            int sig = gs_run_stopping() ? SIGINT : SIGUSR1; /* the child reports which */
            for (uint32_t i = 0; i < n; i++)
                if (!c[i].reaped)
                    kill(c[i].pid, sig);
        }
        if (asked && now > grace_end)
            for (uint32_t i = 0; i < n; i++)
                kill_child(&c[i], "did not stop within 2 s of being asked to; killed");
        /* A killed child's pipe closes with it; poll sees the end of file. */
    }
    return asked;
}

static void judge(child *c, gs_worker_result *res)
{
    char why[256];
    int got = gs_wire_receive(c->buf, c->len, res, why, sizeof why);
    const char *name = NULL;
    char reason[512];
    if (c->kill_reason) {
        snprintf(reason, sizeof reason, "%s", c->kill_reason);
    } else if (WIFSIGNALED(c->status)) {
        int sig = WTERMSIG(c->status);
        name = sigabbrev_np(sig);
        snprintf(reason, sizeof reason, "killed by signal %s%s (%s)", name ? "SIG" : "", name ? name : "?",
                 strsignal(sig));
    } else if (WIFEXITED(c->status) && WEXITSTATUS(c->status) != 0) {
        snprintf(reason, sizeof reason, "exited with status %d", WEXITSTATUS(c->status));
    } else if (got != 0) {
        snprintf(reason, sizeof reason, "%s", why);
    } else {
        return; /* a clean exit with a whole message: its own result stands */
    }
    if (got == 0 && res->failed)
        return; /* it failed for a reason of its own and said so */
    gs_worker_fail(res, reason);
}

int gs_processes_run(gs_os *os, const gs_run_config *cfg, gs_run_result *out)
{
    (void)os;
    uint32_t n = cfg->workers;
    child *c = calloc(n, sizeof *c); /* descriptors: gs_run_reserve_fds made room before the run */
    struct pollfd *pfd = calloc(n, sizeof *pfd);
    uint32_t *who = calloc(n, sizeof *who);
    int gate[2] = {-1, -1};
    /* Shared with every child, as memory mapped before fork is. */
    gs_native_meter *meter = mmap(NULL, sizeof *meter, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (meter == MAP_FAILED)
        meter = NULL;
    if (!c || !pfd || !who || !meter || pipe2(gate, O_CLOEXEC) != 0) {
        if (meter)
            munmap(meter, sizeof *meter);
        snprintf(out->error, sizeof out->error, "cannot prepare %u processes: %s", n, strerror(errno));
        free(c);
        free(pfd);
        free(who);
        return -1;
    }
    /* Children install their handlers before any stop signal reaches them. */
    sigset_t stop_signals, parent_mask;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGUSR1);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGHUP);
    sigprocmask(SIG_BLOCK, &stop_signals, &parent_mask);
    fflush(NULL); /* nothing buffered is written twice */

    out->start_ns = gs_now_ns();
    uint32_t started = 0;
    for (; started < n; started++) {
        if (spawn(cfg, out, &c[started], started, gate, &parent_mask, meter) != 0) {
            snprintf(out->error, sizeof out->error, "cannot fork process %u of %u: %s (see ulimit -u)",
                     started + 1, n, strerror(errno));
            break;
        }
    }
    out->spawn_ns = gs_now_ns() - out->start_ns;
    sigprocmask(SIG_SETMASK, &parent_mask, NULL);
    close(gate[0]);
    if (started < n) {
        for (uint32_t i = 0; i < started; i++)
            kill_child(&c[i], "called off");
    }
    close(gate[1]); /* the gate opens: every child reads end of file */
    uint64_t deadline = cfg->timeout_ns ? out->start_ns + cfg->timeout_ns : 0;
    out->stopped = collect(c, started, deadline, pfd, who);
    out->end_ns = gs_now_ns();
    for (uint32_t i = 0; i < started; i++) {
        if (started == n)
            judge(&c[i], &out->workers[i]);
        free(c[i].buf);
    }
    /* Each child's copy of the shared variables, added up; its locks were
     * its own, so nobody waited for them. */
    const gs_program *prog = &cfg->workload->prog;
    out->nshared = prog->nshared;
    out->nulocks = prog->nulocks;
    for (uint32_t i = 0; i < started; i++)
        for (uint32_t v = 0; v < prog->nshared; v++)
            out->shared[v] += out->workers[i].shared_end[v];
    out->native_max = atomic_load(&meter->max);
    munmap(meter, sizeof *meter);
    free(c);
    free(pfd);
    free(who);
    return started == n ? 0 : -1;
}
