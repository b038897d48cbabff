/* load.c - loading a program: reading its file, compiling it first when
 * it is Python (pyc.h), assembling and verifying it (asm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asm.h"
#include "pyc.h"
#include "label.h"
#include "verify.h"

int gs_load_source(const char *source, size_t len, const char *filename, gs_program *out,
                   char err[GS_ERRMSG_MAX])
{
    if (gs_assemble(source, len, filename, out, err) != 0)
        return -1;
    if (gs_verify(out, err) != 0) {
        gs_program_free(out);
        return -1;
    }
    return 0;
}

int gs_load_file(const char *path_given, gs_program *out, char err[GS_ERRMSG_MAX])
{
    /* Messages, and the program's name, show the path's label (label.h):
     * a name is data, never an escape sequence for the terminal. */
    char path[GS_ERRMSG_MAX / 2];
    gs_label(path_given, strlen(path_given), path, sizeof path);
    /* O_NONBLOCK: a FIFO with no writer opens at once (and is refused
     * below) instead of hanging here beyond the reach of Ctrl-C. */
    int fd = open(path_given, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, GS_ERRMSG_MAX, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    size_t plen = strlen(path_given);
    bool python = plen > 3 && strcmp(path_given + plen - 3, ".py") == 0;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, GS_ERRMSG_MAX, "%s: not a regular file (a program is read from a file: save a pipe's or a "
                 "device's text to one first)", path);
        close(fd);
        return -1;
    }
    if (st.st_size > (off_t)GS_MAX_SOURCE) {
        snprintf(err, GS_ERRMSG_MAX, "%s: program too large (%lld bytes; at most %u)", path,
                 (long long)st.st_size, GS_MAX_SOURCE);
        close(fd);
        return -1;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf || got != (size_t)st.st_size) {
        snprintf(err, GS_ERRMSG_MAX, "%s: cannot read: %s", path, buf ? strerror(errno) : "out of memory");
        free(buf);
        return -1;
    }
    char *gsa = NULL; /* Python: compiled to assembly first (pyc.h) */
    int rc = python ? gs_pyc_compile(buf, got, path, &gsa, err) : 0;
    if (rc == 0)
        rc = gs_load_source(gsa ? gsa : buf, gsa ? strlen(gsa) : got, path, out, err);
    free(gsa);
    free(buf);
    return rc;
}
