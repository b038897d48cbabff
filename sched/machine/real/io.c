/* io.c - real blocking I/O for the io instruction (see io.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../machine.h"
#include "io.h"
#include "real.h"

typedef struct {
    int fd;             /* the peer's end of the socketpair */
    uint64_t latency_ns;
    int stop_fd;        /* the run's stop (gs_io.stop_fd) */
    pthread_t thread;
} echo_peer;

struct gs_io {
    uint64_t latency_ns;
    uint32_t nworkers;
    int *worker_fd;     /* per worker: its end of the socketpair, or -1 */
    echo_peer *peers;   /* per worker, when pipe is used */
    uint32_t npeers;
    int file_fd;        /* -1 when file is not used */
    int stop_fd;        /* an eventfd, readable once the run is stopped */
};

/* Waits until fd (-1: none) is readable, ns pass, or stop_fd is set,
 * retrying after signals.  Returns 1 for fd, 0 when the time is up, -2
 * (GS_IO_STOPPED) for a stop. */
static int wait_for(int fd, int stop_fd, uint64_t ns)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t due = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec + ns;
    for (;;) {
        struct pollfd p[2] = {{.fd = stop_fd, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t t = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
        uint64_t left = ns == UINT64_MAX ? UINT64_MAX : due > t ? due - t : 0;
        struct timespec ts = {(time_t)(left / 1000000000u), (long)(left % 1000000000u)};
        int n = ppoll(p, fd >= 0 ? 2 : 1, ns == UINT64_MAX ? NULL : &ts, NULL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0 && p[0].revents)
            return GS_IO_STOPPED;
        if (n > 0)
            return 1;
        if (n == 0 || left == 0)
            return 0;
    }
}

void gs_io_stop(gs_io *io)
{
    uint64_t one = 1;
    if (io && write(io->stop_fd, &one, sizeof one) < 0) /* full at 2^64-1 stops: stopped all the same */
        return;
}

int gs_write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int gs_read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n == 0 && got == 0 ? 0 : -1;
        got += (size_t)n;
    }
    return 1;
}

/* The echo peer: runs outside any lock, as the far end of a socket would. */
static void *echo_main(void *arg)
{
    echo_peer *p = arg;
    int64_t token;
    while (gs_read_all(p->fd, &token, sizeof token) == 1) {
        if (p->latency_ns)
            wait_for(-1, p->stop_fd, p->latency_ns); /* a stopped run's peer answers at once */
        if (gs_write_all(p->fd, &token, sizeof token) != 0)
            break;
    }
    return NULL;
}

static int open_pipes(gs_io *io, char err[GS_ERRMSG_MAX])
{
    io->peers = calloc(io->nworkers, sizeof *io->peers);
    if (!io->peers) {
        snprintf(err, GS_ERRMSG_MAX, "out of memory for %u echo peers", io->nworkers);
        return -1;
    }
    pthread_attr_t attr;
    GS_PTHREAD(pthread_attr_init(&attr));
    GS_PTHREAD(pthread_attr_setstacksize(&attr, 64 * 1024));
    for (uint32_t i = 0; i < io->nworkers; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            snprintf(err, GS_ERRMSG_MAX, "socketpair for the pipe echo peer: %s", strerror(errno));
            break;
        }
        io->worker_fd[i] = sv[0];
        io->peers[i] = (echo_peer){.fd = sv[1], .latency_ns = io->latency_ns, .stop_fd = io->stop_fd};
        int rc = pthread_create(&io->peers[i].thread, &attr, echo_main, &io->peers[i]);
        if (rc != 0) {
            snprintf(err, GS_ERRMSG_MAX, "cannot start echo peer thread %u: %s", i, strerror(rc));
            close(sv[0]);
            close(sv[1]);
            io->worker_fd[i] = -1;
            break;
        }
        io->npeers++;
    }
    pthread_attr_destroy(&attr);
    return io->npeers == io->nworkers ? 0 : -1;
}

static int open_file(gs_io *io, char err[GS_ERRMSG_MAX])
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/gilsim-io-XXXXXX", dir && *dir ? dir : "/tmp");
    io->file_fd = mkostemp(path, O_CLOEXEC);
    if (io->file_fd < 0) {
        snprintf(err, GS_ERRMSG_MAX, "cannot create the I/O file in %s: %s", dir && *dir ? dir : "/tmp",
                 strerror(errno));
        return -1;
    }
    unlink(path);
    unsigned char block[GS_IO_BLOCK];
    memset(block, 0xa5, sizeof block);
    for (uint64_t b = 0; b < GS_IO_BLOCKS; b++) {
        memcpy(block, &b, sizeof b);
        if (gs_write_all(io->file_fd, block, sizeof block) != 0) {
            snprintf(err, GS_ERRMSG_MAX, "cannot write the I/O file: %s", strerror(errno));
            return -1;
        }
    }
    return 0;
}

gs_io *gs_io_open(unsigned kinds, uint32_t nworkers, uint64_t latency_ns, char err[GS_ERRMSG_MAX])
{
    gs_io *io = calloc(1, sizeof *io);
    int *fds = calloc(nworkers ? nworkers : 1, sizeof *fds);
    if (!io || !fds) {
        free(io);
        free(fds);
        snprintf(err, GS_ERRMSG_MAX, "out of memory");
        return NULL;
    }
    *io = (gs_io){.latency_ns = latency_ns, .nworkers = nworkers, .worker_fd = fds, .file_fd = -1,
                  .stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)};
    for (uint32_t i = 0; i < nworkers; i++)
        fds[i] = -1;
    if (io->stop_fd < 0) {
        snprintf(err, GS_ERRMSG_MAX, "cannot make the run's stop: %s", strerror(errno));
        gs_io_close(io);
        return NULL;
    }
    if (((kinds & (1u << GS_IO_PIPE)) && open_pipes(io, err) != 0) ||
        ((kinds & (1u << GS_IO_FILE)) && open_file(io, err) != 0)) {
        gs_io_close(io);
        return NULL;
    }
    return io;
}

int64_t gs_io_file_offset(int64_t token)
{
    return (int64_t)(((uint64_t)token % GS_IO_BLOCKS) * GS_IO_BLOCK);
}

int gs_io_check_block(const unsigned char *block, int64_t token, char err[GS_ERRMSG_MAX])
{
    uint64_t index;
    memcpy(&index, block, sizeof index);
    if (index != (uint64_t)token % GS_IO_BLOCKS) {
        snprintf(err, GS_ERRMSG_MAX, "file I/O read block %llu, expected %llu", (unsigned long long)index,
                 (unsigned long long)((uint64_t)token % GS_IO_BLOCKS));
        return -1;
    }
    return 0;
}

int gs_io_perform(gs_io *io, uint32_t worker, gs_io_kind kind, int64_t token, int64_t *result,
                  char err[GS_ERRMSG_MAX])
{
    switch (kind) {
    case GS_IO_SLEEP:
        if (wait_for(-1, io->stop_fd, io->latency_ns) == GS_IO_STOPPED)
            return GS_IO_STOPPED;
        *result = token;
        return 0;
    case GS_IO_PIPE: {
        int fd = io->worker_fd[worker];
        int64_t echo;
        if (gs_write_all(fd, &token, sizeof token) == 0 && wait_for(fd, io->stop_fd, UINT64_MAX) == GS_IO_STOPPED)
            return GS_IO_STOPPED;
        if (gs_read_all(fd, &echo, sizeof echo) != 1) {
            snprintf(err, GS_ERRMSG_MAX, "pipe I/O to the echo peer failed: %s", strerror(errno));
            return -1;
        }
        *result = echo;
        return 0;
    }
    case GS_IO_FILE: {
        unsigned char block[GS_IO_BLOCK];
        ssize_t n = pread(io->file_fd, block, sizeof block, (off_t)gs_io_file_offset(token));
        if (n != (ssize_t)sizeof block) {
            snprintf(err, GS_ERRMSG_MAX, "file I/O pread failed: %s", n < 0 ? strerror(errno) : "short read");
            return -1;
        }
        if (gs_io_check_block(block, token, err) != 0)
            return -1;
        *result = token;
        return 0;
    }
    default:
        snprintf(err, GS_ERRMSG_MAX, "unknown I/O kind %d", (int)kind);
        return -1;
    }
}

int gs_io_pipe_fd(const gs_io *io, uint32_t worker) { return io->worker_fd[worker]; }
int gs_io_file_fd(const gs_io *io) { return io->file_fd; }
uint64_t gs_io_latency_ns(const gs_io *io) { return io->latency_ns; }

void gs_io_close(gs_io *io)
{
    if (!io)
        return;
    /* Closing the workers' ends makes each peer read end-of-file and return. */
    for (uint32_t i = 0; i < io->nworkers; i++)
        if (io->worker_fd[i] >= 0)
            close(io->worker_fd[i]);
    for (uint32_t i = 0; i < io->npeers; i++) {
        GS_PTHREAD(pthread_join(io->peers[i].thread, NULL));
        close(io->peers[i].fd);
    }
    if (io->file_fd >= 0)
        close(io->file_fd);
    if (io->stop_fd >= 0)
        close(io->stop_fd);
    free(io->peers);
    free(io->worker_fd);
    free(io);
}
