/* output.c - where an output goes, and writing it there safely (the rules
 * are in output.h).
 *
 * DESIGN
 * The kernel resolves every name, links and all, once, at the open; from
 * then on gilsim holds descriptors.  A regular file's folder is found from
 * the descriptor of the file itself (/proc/self/fd), so the temporary is
 * made beside the file the name led to, not beside a link to it; the
 * folder is kept open (O_PATH) and the temporary is made and renamed
 * relative to it.  A FIFO nobody reads yet is held by an O_PATH
 * descriptor and reopened through /proc/self/fd when the report is ready,
 * which again names no path.  The one thing still decided by name is the
 * rename into the folder, which replaces whatever has that name by then:
 * only someone who may write that folder can have put anything there. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../interp/label.h"
#include "../sched/run.h"
#include "output.h"

/* The descriptor N a name like /dev/fd/N or /proc/self/fd/N stands for,
 * or -1. */
static int descriptor_named(const char *path)
{
    static const char *const prefixes[] = {"/dev/fd/", "/proc/self/fd/"};
    if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
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

/* The folder and the last part of path, in dir and base. */
static void split(const char *path, char dir[4096], char base[256])
{
    char a[4096], b[4096];
    snprintf(a, sizeof a, "%s", path);
    snprintf(b, sizeof b, "%s", path);
    snprintf(dir, 4096, "%s", dirname(a));
    snprintf(base, 256, "%s", basename(b));
}

/* Whether path's last part is a link that the kernel's protected_symlinks
 * would not follow: in a sticky folder others may write (/tmp), made by
 * someone who is neither the follower nor the folder's owner.  Checked
 * here too, for machines where that sysctl is off. */
static bool foreign_link(const char *path, const struct stat *link)
{
    char dir[4096], base[256];
    struct stat d;
    split(path, dir, base);
    if (!S_ISLNK(link->st_mode) || stat(dir, &d) != 0)
        return false;
    bool shared = (d.st_mode & S_ISVTX) && (d.st_mode & S_IWOTH);
    return shared && link->st_uid != geteuid() && link->st_uid != d.st_uid;
}

static int fail(gs_output *o, char err[GS_ERRMSG_MAX], const char *why)
{
    snprintf(err, 256, "cannot write '%.100s': %.130s", o->name, why);
    gs_output_abandon(o);
    return -1;
}

/* A regular file found at the open (fd): its folder and name, from the
 * descriptor, and how to write it.  Returns 0, or -1 with err. */
static int open_regular(gs_output *o, char err[GS_ERRMSG_MAX])
{
    char proc[64], target[4096], dir[4096];
    o->existed = true;
    o->kind = GS_OUTPUT_IN_PLACE; /* unless the file can be replaced with its owner kept */
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
    ssize_t n = readlink(proc, target, sizeof target - 1);
    if (n <= 0 || target[0] != '/')
        return 0; /* no /proc: the descriptor is all there is */
    target[n] = '\0';
    split(target, dir, o->base);
    o->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    bool owner_kept = o->st.st_uid == geteuid() || geteuid() == 0; /* root gives the temporary away */
    if (o->dir >= 0 && owner_kept && access(dir, W_OK) == 0)
        o->kind = GS_OUTPUT_REPLACE;
    (void)err;
    return 0;
}

/* A name not taken yet: its folder, kept open.  Returns 0, or -1. */
static int open_new(gs_output *o, const char *path, char err[GS_ERRMSG_MAX])
{
    char dir[4096];
    split(path, dir, o->base);
    o->kind = GS_OUTPUT_REPLACE;
    o->dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (o->dir < 0 || access(dir, W_OK) != 0) {
        char why[200], label[100];
        gs_label(dir, strlen(dir), label, sizeof label);
        snprintf(why, sizeof why, "folder '%s' is missing or not writable", label);
        return fail(o, err, why);
    }
    return 0;
}

/* A Unix socket: connected now, written later.  Returns 0, or -1. */
static int open_socket(gs_output *o, const char *path, char err[GS_ERRMSG_MAX])
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path)
        return fail(o, err, "a socket's name must be shorter than 108 characters");
    memcpy(addr.sun_path, path, strlen(path) + 1);
    o->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (o->fd < 0 || connect(o->fd, (struct sockaddr *)&addr, sizeof addr) != 0)
        return fail(o, err, strerror(errno));
    o->kind = GS_OUTPUT_STREAM;
    return 0;
}

int gs_output_open(gs_output *o, const char *path, char err[GS_ERRMSG_MAX])
{
    memset(o, 0, sizeof *o);
    o->fd = o->dir = o->tmp = -1;
    gs_label(path, strlen(path), o->name, sizeof o->name);
    if (strcmp(path, "-") == 0)
        snprintf(o->name, sizeof o->name, "standard output");
    size_t len = strlen(path);
    if (len == 0)
        return fail(o, err, "give a file name");
    if (len >= 4096)
        return fail(o, err, "the name is longer than 4095 characters");
    o->named_fd = descriptor_named(path);
    if (o->named_fd >= 0) {
        int flags = fcntl(o->named_fd, F_GETFL);
        if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
            return fail(o, err, "that descriptor is not open for writing");
        o->kind = GS_OUTPUT_FD;
        return 0;
    }
    if (path[len - 1] == '/')
        return fail(o, err, "it is a folder; give a file name");
    struct stat before, after;
    bool had = lstat(path, &before) == 0;
    if (had && foreign_link(path, &before))
        return fail(o, err, "it is a link that another user made in a shared folder, which gilsim does not "
                            "follow (as fs.protected_symlinks)");
    o->fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    int e = errno;
    if (o->fd < 0 && e == ENOENT && had && S_ISLNK(before.st_mode)) {
        /* a link to a name not taken yet: the kernel follows it and makes the file */
        o->fd = open(path, O_WRONLY | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0666);
        e = errno;
        o->created = o->fd >= 0;
    }
    /* the name changed while it was opened: a link put there is not trusted */
    bool have = lstat(path, &after) == 0;
    if (had != have || (had && (before.st_ino != after.st_ino || foreign_link(path, &after))))
        return fail(o, err, "it changed while gilsim opened it; try again");
    if (o->fd < 0) {
        if (e == ENOENT && !had)
            return open_new(o, path, err);
        if (e == ENXIO && had && S_ISSOCK(after.st_mode))
            return open_socket(o, path, err);
        if (e == ENXIO) { /* a FIFO nobody reads yet: held, and waited for when the report is ready */
            o->fd = open(path, O_PATH | O_CLOEXEC);
            struct stat st;
            if (o->fd < 0 || fstat(o->fd, &st) != 0 || !S_ISFIFO(st.st_mode))
                return fail(o, err, strerror(ENXIO));
            o->kind = GS_OUTPUT_STREAM;
            o->waiting_reader = true;
            return 0;
        }
        return fail(o, err, e == EISDIR ? "it is a folder; give a file name"
                            : e == ELOOP ? "too many levels of symbolic links" : strerror(e));
    }
    if (fstat(o->fd, &o->st) != 0)
        return fail(o, err, strerror(errno));
    if (S_ISREG(o->st.st_mode))
        return open_regular(o, err);
    if (S_ISCHR(o->st.st_mode) || S_ISFIFO(o->st.st_mode)) {
        fcntl(o->fd, F_SETFL, fcntl(o->fd, F_GETFL) & ~O_NONBLOCK);
        o->kind = GS_OUTPUT_STREAM;
        return 0;
    }
    return fail(o, err, S_ISBLK(o->st.st_mode) ? "it is a block device; give a regular file, a character "
                                                 "device, a FIFO or a socket"
                                               : "it is not a file gilsim can write");
}

bool gs_output_same(const gs_output *a, const gs_output *b)
{
    if (a->kind == GS_OUTPUT_FD || b->kind == GS_OUTPUT_FD)
        return a->kind == b->kind && a->named_fd == b->named_fd;
    if (a->kind == GS_OUTPUT_STREAM || b->kind == GS_OUTPUT_STREAM)
        return false; /* written in turn, never replaced */
    if (a->existed && b->existed)
        return a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino;
    struct stat da, db;
    return !a->existed && !b->existed && strcmp(a->base, b->base) == 0 && fstat(a->dir, &da) == 0 &&
           fstat(b->dir, &db) == 0 && da.st_dev == db.st_dev && da.st_ino == db.st_ino;
}

/* Writes through the output's descriptor, keeping the first error: stdio
 * reports only that some write failed, and the message must say why. */
static ssize_t write_cookie(void *cookie, const char *buf, size_t len)
{
    gs_output *o = cookie;
    int fd = o->tmp >= 0 ? o->tmp : o->fd;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
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

/* Waits for a program to open the FIFO for reading, until a stop.
 * Returns 0, or -1 with err. */
static int wait_for_reader(gs_output *o, char err[GS_ERRMSG_MAX])
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
    for (bool told = false;; told = true) {
        int fd = open(proc, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd >= 0) {
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
            close(o->fd);
            o->fd = fd;
            o->waiting_reader = false;
            return 0;
        }
        if (errno != ENXIO || gs_run_stopping()) {
            snprintf(err, 256, "cannot write %.150s: %s", o->name,
                     errno == ENXIO ? "nobody opened the FIFO for reading before the stop" : strerror(errno));
            return -1;
        }
        if (!told)
            fprintf(stderr, "gilsim: waiting for a program to read the FIFO %s\n", o->name);
        poll(NULL, 0, 50);
    }
}

/* A temporary beside the file, that nobody else holds, with the old
 * file's owner, group and permissions (less set-id bits) when there was
 * one.  Returns 0, or -1 when the owner cannot be kept or nothing can be
 * made there (the caller then writes in place, where it can). */
static int make_temporary(gs_output *o)
{
    mode_t mode = o->existed ? o->st.st_mode & 0777 : 0666;
    for (int attempt = 0; attempt < 100 && o->tmp < 0; attempt++) {
        unsigned long long r = 0;
        if (getrandom(&r, sizeof r, 0) != sizeof r)
            r = (unsigned long long)getpid() * 1000003u + (unsigned)attempt;
        snprintf(o->tmp_name, sizeof o->tmp_name, ".%.200s.%012llx.tmp", o->base, r & 0xffffffffffffull);
        o->tmp = openat(o->dir, o->tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (o->tmp < 0 && errno != EEXIST)
            return -1;
    }
    if (o->tmp < 0)
        return -1;
    struct stat t;
    bool keep = !o->existed || (fstat(o->tmp, &t) == 0 &&
                                ((t.st_uid == o->st.st_uid && t.st_gid == o->st.st_gid) ||
                                 fchown(o->tmp, o->st.st_uid, o->st.st_gid) == 0));
    if (keep && o->existed && fchmod(o->tmp, mode) != 0) /* after fchown, which may clear bits */
        keep = false;
    if (!keep) {
        close(o->tmp);
        unlinkat(o->dir, o->tmp_name, 0);
        o->tmp = -1;
        return -1;
    }
    return 0;
}

int gs_output_begin(gs_output *o, char err[GS_ERRMSG_MAX])
{
    if (o->kind == GS_OUTPUT_FD) {
        fflush(NULL); /* what stdio holds for this descriptor comes first */
        o->fd = fcntl(o->named_fd, F_DUPFD_CLOEXEC, 3);
    } else if (o->waiting_reader && wait_for_reader(o, err) != 0) {
        return -1;
    } else if (o->kind == GS_OUTPUT_REPLACE && make_temporary(o) != 0) {
        if (o->fd < 0) {
            snprintf(err, 256, "cannot write %.150s: %s", o->name, strerror(errno));
            return -1;
        }
        o->kind = GS_OUTPUT_IN_PLACE; /* the file itself, opened at the start, owner and all */
    }
    if (o->kind == GS_OUTPUT_IN_PLACE) {
        /* Set-id bits go: a report is no program.  Truncating clears them
         * for anyone but root, whose writes keep them (and who may chmod). */
        struct stat now;
        if (ftruncate(o->fd, 0) != 0 || fstat(o->fd, &now) != 0 ||
            (now.st_mode & 07000 && fchmod(o->fd, now.st_mode & 0777) != 0)) {
            snprintf(err, 256, "cannot write %.150s: %s", o->name, strerror(errno));
            return -1;
        }
    }
    if (o->fd >= 0 || o->tmp >= 0)
        o->f = fopencookie(o, "w", (cookie_io_functions_t){.write = write_cookie});
    if (!o->f) {
        snprintf(err, 256, "cannot write %.150s: %s", o->name, strerror(errno));
        return -1;
    }
    return 0;
}

/* Closes every descriptor the output holds. */
static void release(gs_output *o)
{
    if (o->fd >= 0)
        close(o->fd);
    if (o->dir >= 0)
        close(o->dir);
    if (o->tmp >= 0)
        close(o->tmp);
    o->fd = o->dir = o->tmp = -1;
}

void gs_output_abandon(gs_output *o)
{
    if (o->f) {
        fclose(o->f);
        o->f = NULL;
    }
    if (o->tmp >= 0)
        unlinkat(o->dir, o->tmp_name, 0);
    struct stat st;
    if (o->created && o->fd >= 0 && fstat(o->fd, &st) == 0 && st.st_size == 0 && o->dir >= 0) {
        struct stat named; /* the empty file the open made, if the name still leads to it */
        if (fstatat(o->dir, o->base, &named, AT_SYMLINK_NOFOLLOW) == 0 && named.st_ino == st.st_ino)
            unlinkat(o->dir, o->base, 0);
    }
    release(o);
}

int gs_output_close(gs_output *o, bool ok, char err[GS_ERRMSG_MAX])
{
    fclose(o->f); /* o->error says how the writes went */
    o->f = NULL;
    bool gone = o->error == EPIPE && o->kind != GS_OUTPUT_REPLACE; /* the reader stopped reading */
    if (o->error && !gone)
        snprintf(err, 256, "cannot write to %.180s: %s", o->name, strerror(o->error));
    else if (!ok && !gone)
        snprintf(err, 256, "cannot write to %.180s: out of memory building it", o->name);
    ok = gone || (ok && !o->error);
    if (ok && o->tmp >= 0 && renameat(o->dir, o->tmp_name, o->dir, o->base) != 0) {
        snprintf(err, 256, "cannot write %.180s: %s", o->name, strerror(errno));
        ok = false;
    }
    if (ok && o->tmp >= 0) {
        close(o->tmp);
        o->tmp = -1;
        o->created = false;
    }
    if (ok)
        release(o);
    else
        gs_output_abandon(o);
    return ok ? 0 : -1;
}

/* ---- standard output and standard error ---- */

/* Standard output as gilsim writes it: through write_cookie, so that the
 * reason of a failed write is kept (stdio keeps only that one failed). */
static gs_output std_out = {.kind = GS_OUTPUT_FD, .fd = 1, .tmp = -1, .dir = -1, .name = "standard output"};

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

/* Standard error, made safe for a terminal: each character that is no
 * label's (label.h) but a newline or a tab becomes '?'.  A character cut
 * by the end of a write waits in `pending` for the next. */
static gs_output std_err = {.kind = GS_OUTPUT_FD, .fd = 2, .tmp = -1, .dir = -1, .name = "standard error"};
static char pending[4];
static size_t npending;

/* Whether s[0..len) is the start of a UTF-8 character that goes on. */
static bool cut_short(const char *s, size_t len)
{
    unsigned char lead = (unsigned char)s[0];
    size_t need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (need == 0 || lead > 0xf4 || len >= need)
        return false;
    for (size_t i = 1; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            return false;
    return true;
}

static ssize_t safe_write(void *cookie, const char *buf, size_t len)
{
    char in[4096 + 4], out[4096 + 4];
    for (size_t done = 0; done < len;) {
        size_t take = len - done < 4096 ? len - done : 4096;
        memcpy(in, pending, npending);
        memcpy(in + npending, buf + done, take);
        size_t n = npending + take, o = 0, i = 0;
        npending = 0;
        while (i < n) {
            uint32_t c;
            size_t w = gs_utf8_char(in + i, n - i, &c);
            if (w == 0 && done + take == len && cut_short(in + i, n - i)) { /* wait for the rest */
                memcpy(pending, in + i, n - i);
                npending = n - i;
                break;
            }
            if (in[i] == '\n' || in[i] == '\t' || (w && gs_is_label(in + i, w))) {
                memcpy(out + o, in + i, w ? w : 1);
                o += w ? w : 1;
            } else {
                out[o++] = '?';
            }
            i += w ? w : 1;
        }
        if (write_cookie(cookie, out, o) < 0)
            return -1;
        done += take;
    }
    return (ssize_t)len;
}

void gs_output_adopt_stderr(void)
{
    FILE *f = fopencookie(&std_err, "w", (cookie_io_functions_t){.write = safe_write});
    if (!f)
        return;
    setvbuf(f, NULL, _IOLBF, 0);
    std_err.f = f;
    stderr = f;
}

void gs_output_raw_stderr(const char *bytes, size_t len)
{
    fflush(stderr); /* the messages before it come first */
    while (len > 0) {
        ssize_t n = write(STDERR_FILENO, bytes, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* a progress bar that cannot be shown is no error */
        bytes += n;
        len -= (size_t)n;
    }
}

/* The first failed write's errno on f, where it is known, else 0. */
static int recorded_error(FILE *f)
{
    return f && f == std_out.f ? std_out.error : f && f == std_err.f ? std_err.error : 0;
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

int gs_output_flush(FILE *f, const char *name, char err[GS_ERRMSG_MAX])
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
