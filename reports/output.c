/* output.c - files written whole or not at all (see output.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

int gs_output_open(gs_output *o, const char *path, char err[256])
{
    memset(o, 0, sizeof *o);
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        o->is_stdout = true;
        return 0;
    }
    snprintf(o->path, sizeof o->path, "%s", path);
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        snprintf(err, 256, "cannot write %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int gs_output_close(gs_output *o, bool ok, char err[256])
{
    const char *name = o->is_stdout ? "standard output" : o->path;
    ok = ok && !ferror(o->f) && fflush(o->f) == 0;
    int saved = errno;
    if (o->is_stdout) {
        if (!ok)
            snprintf(err, 256, "cannot write to %.180s: %s", name, strerror(saved));
        return ok ? 0 : -1;
    }
    ok = fclose(o->f) == 0 && ok;
    if (ok && rename(o->tmp, o->path) == 0)
        return 0;
    snprintf(err, 256, "cannot write %.180s: %s", name, strerror(errno ? errno : saved));
    unlink(o->tmp);
    return -1;
}
