/* output.h - output files written whole or not at all.
 *
 * Each file is written to a temporary name beside it and renamed over the
 * final name only once everything was written, so an interrupted or failed
 * write never leaves half a file.  "-" is standard output. */
#ifndef GS_OUTPUT_H
#define GS_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

typedef struct {
    FILE *f;
    bool is_stdout;
    char path[4096];
    char tmp[4160];
} gs_output;

/* Opens path (or standard output for "-").  Returns 0, or -1 with err. */
int gs_output_open(gs_output *o, const char *path, char err[256]);

/* Finishes the file: with ok, flushes and renames it into place; without,
 * or if anything failed, removes the temporary.  Returns 0 when the file
 * is in place, or -1 with err. */
int gs_output_close(gs_output *o, bool ok, char err[256]);

#endif
