/* output.c - where an output goes, and writing it there safely (the rules
 * are in output.h).
 *
 * Symbolic links are followed by hand rather than with realpath(), because
 * a link may point to a file that does not exist yet (it is created), and
 * because /dev/stdout leads to /proc/self/fd/1, whose own link names no
 * real file when standard output is a pipe.  Such a name is the
 * descriptor, so it is written through the descriptor. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "output.h"

enum { MAX_LINKS = 40 }; /* as the kernel's own limit on a path */

/* The descriptor N a name like /dev/fd/N or /proc/self/fd/N stands for,
 * or -1. */
static int descriptor_named(const char *path)
{
    static const char *const prefixes[] = {"/dev/fd/", "/proc/self/fd/"};
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t len = strlen(prefixes[i]);
        char *end;
        if (strncmp(path, prefixes[i], len) != 0 || path[len] < '0' || path[len] > '9')
            continue;
        long fd = strtol(path + len, &end, 10);
        if (*end == '\0' && fd < 1 << 20)
            return (int)fd;
    }
    return -1;
}

/* The folder of path, in dir. */
static void folder_of(const char *path, char dir[4096])
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    snprintf(dir, 4096, "%s", dirname(copy));
}

/* Follows path's symbolic links to the name that will be written, in
 * o->target, and sets o->kind and o->fd.  Returns 0, or -1 with err. */
static int resolve(gs_output *o, const char *path, char err[256])
{
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof o->target) {
        snprintf(err, 256, len ? "the file name is longer than %zu characters" : "give a file name",
                 sizeof o->target - 1);
        return -1;
    }
    if (path[len - 1] == '/') {
        snprintf(err, 256, "cannot write '%.200s': it is a folder; give a file name", path);
        return -1;
    }
    snprintf(o->target, sizeof o->target, "%s", path);
    for (int links = 0;; links++) {
        o->fd = descriptor_named(o->target);
        if (o->fd >= 0) {
            int flags = fcntl(o->fd, F_GETFL);
            if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
                snprintf(err, 256, "cannot write '%.200s': descriptor %d is not open for writing", path, o->fd);
                return -1;
            }
            o->kind = GS_OUTPUT_FD;
            return 0;
        }
        struct stat st;
        if (lstat(o->target, &st) != 0) {
            if (errno != ENOENT) {
                snprintf(err, 256, "cannot write '%.200s': %s", path, strerror(errno));
                return -1;
            }
            o->kind = GS_OUTPUT_REPLACE; /* to be created */
            break;
        }
        if (S_ISLNK(st.st_mode)) {
            char link[4096], dir[4096];
            ssize_t n = readlink(o->target, link, sizeof link - 1);
            if (n < 0 || links == MAX_LINKS) {
                snprintf(err, 256, "cannot write '%.200s': %s", path,
                         n < 0 ? strerror(errno) : "too many levels of symbolic links");
                return -1;
            }
            link[n] = '\0';
            folder_of(o->target, dir);
            int w = link[0] == '/' ? snprintf(o->target, sizeof o->target, "%s", link)
                                   : snprintf(o->target, sizeof o->target, "%s/%s", dir, link);
            if (w < 0 || (size_t)w >= sizeof o->target) {
                snprintf(err, 256, "cannot write '%.200s': the name it links to is too long", path);
                return -1;
            }
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            snprintf(err, 256, "cannot write '%.200s': it is a folder; give a file name", path);
            return -1;
        }
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) {
            snprintf(err, 256, "cannot write '%.100s': it is a block device; give a regular file, a character "
                               "device, a FIFO or a socket", path);
            return -1;
        }
        if (access(o->target, W_OK) != 0) {
            snprintf(err, 256, "cannot write '%.200s': %s", path, strerror(errno));
            return -1;
        }
        o->kind = S_ISREG(st.st_mode) ? GS_OUTPUT_REPLACE : GS_OUTPUT_STREAM;
        break;
    }
    if (o->kind == GS_OUTPUT_REPLACE) {
        char dir[4096];
        folder_of(o->target, dir);
        if (access(dir, W_OK) != 0) {
            snprintf(err, 256, "cannot write '%.100s': folder '%.100s' is missing or not writable", path, dir);
            return -1;
        }
    }
    return 0;
}

int gs_output_identity(const char *path, char id[4096])
{
    gs_output o;
    char err[256], dir[4096], real[4096];
    if (strcmp(path, "-") == 0) {
        snprintf(id, 4096, "fd 1");
        return 0;
    }
    if (resolve(&o, path, err) != 0)
        return -1;
    if (o.kind == GS_OUTPUT_FD) {
        snprintf(id, 4096, "fd %d", o.fd);
        return 0;
    }
    if (o.kind == GS_OUTPUT_STREAM) {
        id[0] = '\0'; /* written in turn, never replaced: any number may share it */
        return 0;
    }
    folder_of(o.target, dir);
    const char *base = strrchr(o.target, '/') ? strrchr(o.target, '/') + 1 : o.target;
    if (!realpath(dir, real))
        return -1;
    int n = snprintf(id, 4096, "%s/%s", real, base);
    return n > 0 && n < 4096 ? 0 : -1;
}

int gs_output_check(const char *path, char err[256])
{
    gs_output o;
    return strcmp(path, "-") == 0 ? 0 : resolve(&o, path, err);
}

/* A temporary name beside target that nobody else holds, created with
 * target's permissions where it exists.  Returns the descriptor or -1. */
static int open_temporary(gs_output *o)
{
    struct stat st;
    mode_t mode = stat(o->target, &st) == 0 ? st.st_mode & 07777 : 0666;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld.%d", o->target, (long)getpid(), attempt);
        int fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            if (mode != 0666)
                (void)fchmod(fd, mode); /* best effort: the report is written either way */
            return fd;
        }
        if (errno != EEXIST)
            return -1;
    }
    return -1;
}

/* Opens a device, FIFO or socket for writing.  Returns the descriptor or
 * -1 with errno. */
static int open_stream(const gs_output *o)
{
    struct stat st;
    if (stat(o->target, &st) == 0 && S_ISSOCK(st.st_mode)) {
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        if (strlen(o->target) >= sizeof addr.sun_path) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(addr.sun_path, o->target, strlen(o->target) + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
            int saved = errno;
            close(fd);
            errno = saved;
            return -1;
        }
        return fd;
    }
    int fd = open(o->target, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0 && errno == ENXIO && S_ISFIFO(st.st_mode)) {
        fprintf(stderr, "gilsim: waiting for a program to read the FIFO %s\n", o->name);
        fd = open(o->target, O_WRONLY | O_CLOEXEC);
    }
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

/* Writes through the output's descriptor, keeping the first error: stdio
 * reports only that some write failed, and the message must say why. */
static ssize_t write_cookie(void *cookie, const char *buf, size_t len)
{
    gs_output *o = cookie;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(o->fd, buf + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (!o->error)
                o->error = n < 0 ? errno : EIO;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static int close_cookie(void *cookie)
{
    gs_output *o = cookie;
    if (close(o->fd) != 0 && !o->error && errno != EINTR)
        o->error = errno;
    return o->error ? -1 : 0;
}

int gs_output_open(gs_output *o, const char *path, char err[256])
{
    memset(o, 0, sizeof *o);
    snprintf(o->name, sizeof o->name, "%s", strcmp(path, "-") == 0 ? "standard output" : path);
    if (strcmp(path, "-") == 0) {
        o->kind = GS_OUTPUT_FD;
        o->fd = 1;
    } else if (resolve(o, path, err) != 0) {
        return -1;
    }
    int fd;
    if (o->kind == GS_OUTPUT_FD) {
        fflush(NULL); /* what stdio holds for this descriptor comes first */
        fd = fcntl(o->fd, F_DUPFD_CLOEXEC, 3);
    }
    else if (o->kind == GS_OUTPUT_STREAM)
        fd = open_stream(o);
    else
        fd = open_temporary(o);
    if (fd >= 0) {
        o->fd = fd;
        o->f = fopencookie(o, "w", (cookie_io_functions_t){.write = write_cookie, .close = close_cookie});
    }
    if (!o->f) {
        snprintf(err, 256, "cannot write %.180s: %s", o->name, strerror(errno));
        if (fd >= 0)
            close(fd);
        if (o->kind == GS_OUTPUT_REPLACE && fd >= 0)
            unlink(o->tmp);
        return -1;
    }
    return 0;
}

/* Standard output as gilsim writes it: through write_cookie, so that the
 * reason of a failed write is kept (stdio keeps only that one failed). */
static gs_output std_out = {.kind = GS_OUTPUT_FD, .fd = 1, .name = "standard output"};

void gs_output_adopt_stdout(void)
{
    FILE *f = fopencookie(&std_out, "w", (cookie_io_functions_t){.write = write_cookie});
    if (!f)
        return; /* the plain stream still works; only a failure's reason may be lost */
    if (isatty(STDOUT_FILENO))
        setvbuf(f, NULL, _IOLBF, 0);
    std_out.f = f;
    stdout = f;
}

/* The first failed write's errno on f, where it is known, else 0. */
static int recorded_error(FILE *f)
{
    return f && f == std_out.f ? std_out.error : 0;
}

bool gs_output_reader_gone(FILE *f)
{
    int rc = fflush(f), saved = errno;
    if (rc == 0 && !ferror(f))
        return false;
    if (recorded_error(f))
        return recorded_error(f) == EPIPE;
    if (rc != 0 && saved == EPIPE)
        return true;
    struct pollfd p = {.fd = fileno(f)}; /* a pipe or socket without a reader polls as an error */
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

int gs_output_flush(FILE *f, const char *name, char err[256])
{
    int rc = fflush(f), saved = errno;
    if (rc == 0 && !ferror(f))
        return 0;
    if (gs_output_reader_gone(f))
        return 0;
    int why = recorded_error(f) ? recorded_error(f) : rc != 0 ? saved : 0;
    snprintf(err, 256, "cannot write to %.180s: %s", name, why ? strerror(why) : "a write failed");
    return -1;
}

int gs_output_close(gs_output *o, bool ok, char err[256])
{
    fclose(o->f); /* o->error says how the writes went */
    bool gone = o->error == EPIPE && o->kind != GS_OUTPUT_REPLACE; /* the reader stopped reading */
    if (o->error && !gone)
        snprintf(err, 256, "cannot write to %.180s: %s", o->name, strerror(o->error));
    else if (!ok && !gone)
        snprintf(err, 256, "cannot write to %.180s: out of memory building it", o->name);
    ok = gone || (ok && !o->error);
    if (o->kind != GS_OUTPUT_REPLACE)
        return ok ? 0 : -1;
    if (ok && rename(o->tmp, o->target) != 0) {
        snprintf(err, 256, "cannot write %.180s: %s", o->name, strerror(errno));
        ok = false;
    }
    if (!ok)
        unlink(o->tmp);
    return ok ? 0 : -1;
}
