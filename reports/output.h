/* output.h - where an output goes, and writing it there safely, also as
 * root on a shared machine.
 *
 * An output names a file, a device, a FIFO, a socket, or "-" for standard
 * output.  gilsim must never damage what it writes to, nor anything a
 * name leads to that it should not write, so:
 *
 * - Opened before the run, written after it, with no second look at the
 *   name in between: gs_output_open() opens the path as the kernel
 *   resolves it (the kernel follows links, so fs.protected_symlinks
 *   applies) and keeps what it found by descriptor; gs_output_begin()
 *   and gs_output_close() write there once the figures exist.  A link
 *   that another user made in a sticky, world-writable folder (/tmp) is
 *   refused even where that sysctl is off, as the kernel would refuse it.
 * - A regular file, or a name not yet taken: the report is written to a
 *   temporary file in the folder of the file the name leads to, and
 *   renamed over it once everything was written, so a failed write never
 *   leaves half a file, and a link stays a link.  The new file keeps the
 *   old one's owner, group and permissions, less any set-user-ID,
 *   set-group-ID or sticky bit (mode & 0777): gilsim never makes a
 *   privileged file.  Where the owner cannot be kept (another user's file
 *   that gilsim may write but not give away), or the folder is not
 *   writable, the file is truncated and written in place instead: its
 *   owner stays, its set-id bits go.
 * - A character device (/dev/null, a terminal), a FIFO or a Unix socket:
 *   written as it is; nothing is renamed or removed.  A FIFO that nobody
 *   reads yet is waited for when the report is ready, and a stop
 *   (Ctrl-C, SIGTERM, --timeout) ends that wait.
 * - "-", /dev/stdout, /dev/stderr, /dev/fd/N: the descriptor itself.
 * - Anything else (a folder, a block device) is refused at the open.
 *
 * A reader that goes away early (`gilsim ... | head`, a FIFO reader that
 * stops) is not an error: its output simply ends there.  Every other
 * failed write is.
 *
 * Standard error is gilsim's voice to a terminal: gs_output_adopt_stderr
 * makes every byte written to it safe there (control characters other than
 * a newline or a tab shown as '?'), whatever message a name reached. */
#ifndef GS_OUTPUT_H
#define GS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "../interp/error.h"

typedef enum {
    GS_OUTPUT_REPLACE,  /* a regular file, or a new one: temporary, then rename */
    GS_OUTPUT_IN_PLACE, /* a file whose owner gilsim cannot keep: truncated, written */
    GS_OUTPUT_STREAM,   /* a device, FIFO or socket: written as it is */
    GS_OUTPUT_FD,       /* an open descriptor: standard output, /dev/fd/N */
} gs_output_kind;

typedef struct {
    FILE *f;             /* between gs_output_begin and gs_output_close */
    gs_output_kind kind;
    int fd;              /* what the name led to, kept open from gs_output_open
                            (REPLACE: -1 for a name not yet taken; a FIFO not
                            yet read: an O_PATH descriptor) */
    int named_fd;        /* GS_OUTPUT_FD: the descriptor the name gave (1 for "-") */
    int dir;             /* REPLACE: the folder the file is, or will be, in (O_PATH) */
    char base[256];      /* REPLACE: the file's name in dir */
    int tmp;             /* REPLACE while writing: the temporary, or -1 */
    char tmp_name[256];
    bool existed;        /* REPLACE, IN_PLACE: st is the file found */
    bool created;        /* made, empty, by following a link to a name not taken */
    bool waiting_reader; /* a FIFO that had no reader at the open */
    struct stat st;
    int error;           /* the first write's errno, or 0 */
    char name[256];      /* the name as given, as a label (interp/label.h), for messages */
} gs_output;

/* Opens path for a report to come, before any work: says where it leads
 * and whether gilsim may write there.  Returns 0, or -1 with a message
 * naming path and what is wrong (a folder, a block device, a missing or
 * read-only folder, a loop of links, a link another user made in a
 * shared folder).  An opened output must be closed with gs_output_close
 * (after gs_output_begin) or gs_output_abandon. */
int gs_output_open(gs_output *o, const char *path, char err[GS_ERRMSG_MAX]);

/* Whether a and b, both opened, would write one file: the same file, the
 * same name in the same folder, or the same descriptor.  Devices, FIFOs
 * and sockets are written in turn, so any number may share one. */
bool gs_output_same(const gs_output *a, const gs_output *b);

/* Starts writing: o->f is the stream.  Returns 0, or -1 with err (a FIFO
 * whose reader never came before a stop; a temporary that cannot be
 * made). */
int gs_output_begin(gs_output *o, char err[GS_ERRMSG_MAX]);

/* Finishes the output: with ok, flushes it and (for a regular file)
 * renames it into place; without ok, or if any write failed, removes the
 * temporary.  Returns 0 when the output is complete or its reader went
 * away, or -1 with err naming the output and the reason. */
int gs_output_close(gs_output *o, bool ok, char err[GS_ERRMSG_MAX]);

/* Lets go of an output opened but not begun (the run failed): nothing is
 * written, and a file the open made through a link is removed. */
void gs_output_abandon(gs_output *o);

/* Flushes f (standard output or error: the terminal report), written to
 * the output called name, and says whether every write to it succeeded or
 * its reader went away.  Returns 0, or -1 with err: "cannot write to NAME:
 * REASON". */
int gs_output_flush(FILE *f, const char *name, char err[GS_ERRMSG_MAX]);

/* Makes stdout keep the reason of its first failed write, for
 * gs_output_flush to give.  Call before anything is written to it. */
void gs_output_adopt_stdout(void);

/* Makes stderr safe for a terminal (see above).  Call before anything is
 * written to it. */
void gs_output_adopt_stderr(void);

/* Writes len bytes to standard error as they are, escapes and all: for
 * the progress bar alone, whose bytes are gilsim's own. */
void gs_output_raw_stderr(const char *bytes, size_t len);

/* True once a write to f (standard output or error) failed because nobody
 * reads it any more. */
bool gs_output_reader_gone(FILE *f);

#endif
