/* output.h - where an output goes, and writing it there safely.
 *
 * An output names a file, a device, a FIFO, a socket, or "-" for standard
 * output.  gilsim must never damage what it writes to, so how it writes
 * depends on what the name leads to once symbolic links are followed:
 *
 * - A regular file, or a name not yet taken: the report is written to a
 *   temporary file in the target's own folder and renamed over the target
 *   once everything was written, so a failed write never leaves half a
 *   file.  Through a symbolic link it is the link's target that is
 *   replaced; the link stays.
 * - A character device (/dev/null, a terminal), a FIFO or a Unix socket:
 *   opened and written directly.  Nothing is unlinked or renamed.
 * - "-", /dev/stdout, /dev/stderr, /dev/fd/N: the descriptor itself
 *   (after what stdio holds for it).
 * - Anything else (a folder, a block device) is refused before the run.
 *
 * A reader that goes away early (`gilsim ... | head`, a FIFO reader that
 * stops) is not an error: its output simply ends there.  Every other
 * failed write is. */
#ifndef GS_OUTPUT_H
#define GS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

typedef enum {
    GS_OUTPUT_REPLACE, /* a regular file: temporary file, then rename */
    GS_OUTPUT_STREAM,  /* a device, FIFO or socket: written in place */
    GS_OUTPUT_FD,      /* an open descriptor: standard output, /dev/fd/N */
} gs_output_kind;

typedef struct {
    FILE *f;
    gs_output_kind kind;
    int fd;              /* the descriptor written (GS_OUTPUT_FD: named by the path) */
    int error;           /* the first write's errno, or 0 */
    char name[4096];     /* as the user gave it, for messages */
    char target[4096];   /* symbolic links followed */
    char tmp[4160];      /* GS_OUTPUT_REPLACE: the temporary beside target */
} gs_output;

/* Says where path leads and how it would be written, without writing:
 * the check made before a run.  Returns 0, or -1 with a message naming
 * path and what is allowed (a folder, a block device, a missing or
 * read-only folder, a loop of links). */
int gs_output_check(const char *path, char err[256]);

/* What path names once links and spellings are undone, so that two
 * outputs to one file can be told apart from two to different ones: the
 * canonical path of a regular file's target, "fd N" for a descriptor, or
 * "" for a device, FIFO or socket (written in turn, so any number of
 * outputs may share one).  Returns 0, or -1 when path cannot be resolved
 * (gs_output_check says why). */
int gs_output_identity(const char *path, char id[4096]);

/* Opens path (or standard output for "-").  Returns 0, or -1 with err. */
int gs_output_open(gs_output *o, const char *path, char err[256]);

/* Finishes the output: with ok, flushes it and (for a regular file)
 * renames it into place; without ok, or if any write failed, removes the
 * temporary.  Returns 0 when the output is complete or its reader went
 * away, or -1 with err naming the output and the reason. */
int gs_output_close(gs_output *o, bool ok, char err[256]);

/* Flushes f (standard output or error: the terminal report), written to
 * the output called name, and says whether every write to it succeeded or
 * its reader went away.  Returns 0, or -1 with err: "cannot write to NAME:
 * REASON". */
int gs_output_flush(FILE *f, const char *name, char err[256]);

/* Makes stdout keep the reason of its first failed write, for
 * gs_output_flush to give.  Call before anything is written to it. */
void gs_output_adopt_stdout(void);

/* True once a write to f (standard output or error) failed because nobody
 * reads it any more. */
bool gs_output_reader_gone(FILE *f);

#endif
