/* procs.c - the real machine's processes (machine.h, "Processes"):
 * fork, a pipe home for each child, a gate, signals to stop them.
 *
 * DESIGN
 * The parent forks n children.  Each child dies with its parent
 * (PR_SET_PDEATHSIG), installs the stop handler, waits at the gate (a pipe
 * whose write end the parent closes once all exist), runs the runner's
 * child function and exits; what it sends home goes down its pipe.  The
 * parent reads every child's pipe at once with poll, so no child blocks on
 * a full pipe, and reaps each once its pipe closes.
 *
 * What goes down a pipe is frames of at most 64 KiB, each after a 4-byte
 * header: its length, and a top bit set for data the child transfers
 * (home_transfer), which the parent reads and throws away, as opposed to
 * its message (home_send), which the parent keeps.  So a child can send
 * any amount of data before its result, through the real pipe, while the
 * parent keeps only the result.
 *
 * Stopping: past the deadline the parent sends SIGUSR1, on an interrupt
 * SIGINT (a terminal's Ctrl-C reaches the children by itself as well); the
 * child's handler calls the stop the child registered (home_on_stop), so
 * the child stops at its next back-edge and still sends home what it did.
 * A child still there GS_STOP_GRACE_NS after being asked, or after closing
 * its pipe, is killed with SIGKILL and reported so: the wait is always
 * bounded and no zombie is left. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../run.h"
#include "clock.h"
#include "io.h"
#include "real.h"

typedef struct {
    pid_t pid;
    int fd;                  /* read end of its pipe home; -1 once closed */
    unsigned char *buf;      /* its message so far */
    size_t len, cap;
    unsigned char head[4];   /* the header of the frame being read ... */
    uint32_t head_len;       /* ... so far (4: complete) */
    uint32_t frame_left;     /* the frame's bytes still to come */
    uint64_t eof_ns;         /* when its pipe closed */
    bool reaped, killed;
    int status;              /* from waitpid, once reaped */
    const char *kill_reason; /* why the parent killed it */
} child;

struct gs_procs {
    uint32_t n;              /* started */
    size_t max;              /* the largest message a child may send, plus one */
    child *c;
    int gate[2];
    sigset_t parent_mask;    /* the parent's, while stop signals are blocked */
    struct pollfd *pfd;
    uint32_t *who;
};

struct gs_home {
    int fd;                  /* the child's end of its pipe */
};

/* ---- in the child ---- */

/* A child is one process: its stop is process-wide, as a signal is. */
static void (*_Atomic child_stop)(void *arg, bool interrupted);
static void *_Atomic child_stop_arg;
static atomic_int child_stop_pending; /* 0, or the signal that came before a stop was registered */

static void child_on_signal(int sig)
{
    void (*stop)(void *, bool) = atomic_load(&child_stop);
    if (stop)
        stop(atomic_load(&child_stop_arg), sig != SIGUSR1);
    else
        atomic_store(&child_stop_pending, sig);
}

void gs_real_home_on_stop(gs_os *os, gs_home *h, void (*stop)(void *arg, bool interrupted), void *arg)
{
    (void)os, (void)h;
    atomic_store(&child_stop_arg, arg);
    atomic_store(&child_stop, stop);
    int sig = atomic_exchange(&child_stop_pending, 0);
    if (sig)
        stop(arg, sig != SIGUSR1);
}

#define FRAME_MAX (64u * 1024)
#define FRAME_TRANSFER 0x80000000u

/* Writes len bytes (NULL: zeros) home as frames, flagged. */
static int send_frames(int fd, const void *bytes, uint64_t len, uint32_t flag)
{
    static const unsigned char zeros[FRAME_MAX];
    const unsigned char *p = bytes;
    while (len > 0) {
        uint32_t n = len < FRAME_MAX ? (uint32_t)len : FRAME_MAX, head = n | flag;
        unsigned char h[4] = {head >> 24, head >> 16 & 0xff, head >> 8 & 0xff, head & 0xff};
        if (gs_write_all(fd, h, sizeof h) != 0 || gs_write_all(fd, p ? p : zeros, n) != 0)
            return -1;
        if (p)
            p += n;
        len -= n;
    }
    return 0;
}

int gs_real_home_send(gs_os *os, gs_home *h, const void *bytes, size_t len)
{
    (void)os;
    return send_frames(h->fd, bytes, len, 0);
}

int gs_real_home_transfer(gs_os *os, gs_home *h, uint64_t bytes)
{
    (void)os;
    return send_frames(h->fd, NULL, bytes, FRAME_TRANSFER);
}

static bool wait_gate(int gate_fd)
{
    char c;
    ssize_t n;
    while ((n = read(gate_fd, &c, 1)) < 0 && errno == EINTR)
        ;
    return n == 0; /* the parent closed the gate's write end: go */
}

static _Noreturn void child_main(gs_procs *g, int home_fd, uint32_t i, int (*fn)(uint32_t, void *, gs_home *),
                                 void *arg)
{
    struct sigaction sa = {.sa_handler = child_on_signal};
    sigemptyset(&sa.sa_mask);
    static const int stops[] = {SIGUSR1, SIGINT, SIGTERM, SIGHUP};
    for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++)
        sigaction(stops[k], &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a parent gone is an error from write */
    sigprocmask(SIG_SETMASK, &g->parent_mask, NULL);
    gs_home home = {home_fd};
    if (!wait_gate(g->gate[0]))
        _exit(0); /* the group was called off before it started */
    close(g->gate[0]);
    int status = fn(i, arg, &home);
    /* _exit: the parent's atexit handlers and stdio buffers are not ours. */
    _exit(status);
}

/* ---- in the parent ---- */

/* Forks child i.  Returns 0, or -1 with errno. */
static int spawn(gs_procs *g, uint32_t i, int (*fn)(uint32_t, void *, gs_home *), void *arg)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        errno = e;
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1); /* the parent died before the line above */
        close(fds[0]);
        close(g->gate[1]);
        for (uint32_t k = 0; k < i; k++) /* the pipes of its elder siblings are theirs */
            close(g->c[k].fd);
        child_main(g, fds[1], i, fn, arg);
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    g->c[i] = (child){.pid = pid, .fd = fds[0]};
    return 0;
}

uint32_t gs_real_procs_start(gs_os *os, gs_procs **out, uint32_t n, int (*fn)(uint32_t i, void *arg, gs_home *home),
                             void *arg, size_t max_message, char err[GS_ERRMSG_MAX])
{
    (void)os;
    gs_procs *g = calloc(1, sizeof *g);
    *out = g;
    if (!g) {
        snprintf(err, GS_ERRMSG_MAX, "cannot prepare %u processes: out of memory", n);
        return 0;
    }
    g->gate[0] = g->gate[1] = -1;
    g->c = calloc(n, sizeof *g->c);
    g->pfd = calloc(n, sizeof *g->pfd);
    g->who = calloc(n, sizeof *g->who);
    if (!g->c || !g->pfd || !g->who || pipe2(g->gate, O_CLOEXEC) != 0) {
        snprintf(err, GS_ERRMSG_MAX, "cannot prepare %u processes: %s", n,
                 g->c && g->pfd && g->who ? strerror(errno) : "out of memory");
        return 0;
    }
    g->max = max_message + 1;
    /* Children install their handlers before any stop signal reaches them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    static const int stops[] = {SIGUSR1, SIGINT, SIGTERM, SIGHUP};
    for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++)
        sigaddset(&stop_signals, stops[k]);
    sigprocmask(SIG_BLOCK, &stop_signals, &g->parent_mask);
    fflush(NULL); /* nothing buffered is written twice */
    for (; g->n < n; g->n++)
        if (spawn(g, g->n, fn, arg) != 0) {
            snprintf(err, GS_ERRMSG_MAX, "cannot fork process %u of %u: %s (see ulimit -u)", g->n + 1, n,
                     strerror(errno));
            break;
        }
    sigprocmask(SIG_SETMASK, &g->parent_mask, NULL);
    close(g->gate[0]);
    g->gate[0] = -1;
    return g->n;
}

static void kill_child(child *c, const char *reason)
{
    if (c->reaped || c->killed)
        return;
    kill(c->pid, SIGKILL);
    c->killed = true;
    c->kill_reason = reason;
}

void gs_real_procs_release(gs_os *os, gs_procs *g, bool go)
{
    (void)os;
    for (uint32_t i = 0; !go && i < g->n; i++)
        kill_child(&g->c[i], "called off");
    if (g->gate[1] >= 0)
        close(g->gate[1]); /* the gate opens: every child reads end of file */
    g->gate[1] = -1;
}

/* Keeps n bytes of c's message, up to max; beyond it the excess is
 * dropped: the message is too long anyway, and judged as it stands. */
static void keep(child *c, const unsigned char *bytes, size_t n, size_t max)
{
    if (c->len + n > c->cap && c->cap < max) {
        size_t cap = c->cap ? c->cap : 64 * 1024;
        while (cap < c->len + n && cap < max)
            cap *= 2;
        cap = cap < max ? cap : max;
        unsigned char *b = realloc(c->buf, cap);
        if (b) {
            c->buf = b;
            c->cap = cap;
        }
    }
    size_t room = c->cap - c->len, take = n < room ? n : room;
    memcpy(c->buf + c->len, bytes, take);
    c->len += take;
}

/* Takes what c sent in bytes[0..n): frame headers, message, and
 * transferred data (skipped). */
static void take_frames(child *c, const unsigned char *bytes, size_t n, size_t max)
{
    while (n > 0) {
        if (c->head_len < 4) {
            c->head[c->head_len++] = *bytes++;
            n--;
            if (c->head_len == 4)
                c->frame_left = ((uint32_t)c->head[0] << 24 | (uint32_t)c->head[1] << 16 |
                                 (uint32_t)c->head[2] << 8 | c->head[3]) & ~FRAME_TRANSFER;
            continue;
        }
        size_t take = n < c->frame_left ? n : c->frame_left;
        if (!(c->head[0] & 0x80)) /* a message frame, not a transfer */
            keep(c, bytes, take, max);
        bytes += take;
        n -= take;
        c->frame_left -= (uint32_t)take;
        if (c->frame_left == 0)
            c->head_len = 0;
    }
}

/* Reads what child c has sent; closes its pipe at end of file. */
static void drain(child *c, size_t max)
{
    static unsigned char chunk[FRAME_MAX]; /* the parent's thread alone reads */
    for (;;) {
        ssize_t n = read(c->fd, chunk, sizeof chunk);
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
        take_frames(c, chunk, (size_t)n, max);
    }
}

/* How long to poll: until the next look at the stop (machine.h), 1 ms
 * while a child is still to be reaped. */
static int poll_ms(bool closing, bool asked, uint64_t deadline_ns)
{
    if (closing)
        return 1;
    return (int)((gs_os_tick_ns(gs_now_ns(), asked ? 0 : deadline_ns) + 999999) / 1000000);
}

bool gs_real_procs_wait(gs_os *os, gs_procs *g, uint64_t deadline_ns, gs_proc_end *ends)
{
    (void)os;
    child *c = g->c;
    uint32_t n = g->n, left = n;
    bool asked = false;
    uint64_t grace_end = 0;
    while (left > 0) {
        uint32_t np = 0;
        bool closing = false; /* a pipe closed, its child not yet reaped */
        for (uint32_t i = 0; i < n; i++) {
            if (c[i].fd >= 0) {
                g->pfd[np] = (struct pollfd){.fd = c[i].fd, .events = POLLIN};
                g->who[np++] = i;
            } else if (!c[i].reaped) {
                closing = true;
            }
        }
        if (poll(g->pfd, np, poll_ms(closing, asked, deadline_ns)) > 0)
            for (uint32_t k = 0; k < np; k++)
                if (g->pfd[k].revents)
                    drain(&c[g->who[k]], g->max);
        uint64_t now = gs_now_ns();
        for (uint32_t i = 0; i < n; i++) {
            if (c[i].reaped || c[i].fd >= 0)
                continue;
            pid_t p = waitpid(c[i].pid, &c[i].status, WNOHANG);
            if (p == c[i].pid || (p < 0 && errno == ECHILD)) {
                c[i].reaped = true;
                left--;
            } else if (now - c[i].eof_ns > GS_STOP_GRACE_NS) {
                kill_child(&c[i], "closed its result pipe but did not exit within 2 s; killed");
            }
        }
        if (!asked && (gs_run_stopping() || (deadline_ns && now >= deadline_ns))) {
            asked = true;
            grace_end = now + GS_STOP_GRACE_NS;
            int sig = gs_run_stopping() ? SIGINT : SIGUSR1; /* the child's stop is told which */
            for (uint32_t i = 0; i < n; i++)
                if (!c[i].reaped)
                    kill(c[i].pid, sig);
        }
        if (asked && now > grace_end)
            for (uint32_t i = 0; i < n; i++)
                kill_child(&c[i], "did not stop within 2 s of being asked to; killed");
        /* A killed child's pipe closes with it; poll sees the end of file. */
    }
    for (uint32_t i = 0; i < n; i++)
        ends[i] = (gs_proc_end){.message = c[i].buf, .len = c[i].len, .signaled = WIFSIGNALED(c[i].status),
                                .code = WIFSIGNALED(c[i].status) ? WTERMSIG(c[i].status) : WEXITSTATUS(c[i].status),
                                .killed = c[i].kill_reason};
    return asked;
}

void gs_real_procs_free(gs_os *os, gs_procs *g)
{
    (void)os;
    if (!g)
        return;
    for (uint32_t i = 0; g->c && i < g->n; i++) {
        if (g->c[i].fd >= 0)
            close(g->c[i].fd);
        free(g->c[i].buf);
    }
    if (g->gate[0] >= 0)
        close(g->gate[0]);
    if (g->gate[1] >= 0)
        close(g->gate[1]);
    free(g->c);
    free(g->pfd);
    free(g->who);
    free(g);
}
