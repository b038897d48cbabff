/* progress.h - what the terminal is told while experiments run. */
#ifndef GS_PROGRESS_H
#define GS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* A progress bar on standard error: runs done out of total, time elapsed
 * and an estimate of the time left.  On a terminal it is redrawn in place
 * (without escape sequences where TERM is dumb); elsewhere (a log, a pipe)
 * it is a plain line every 10 s once a run takes that long, so a long
 * sweep is never silent.  --quiet shows nothing. */
typedef struct {
    uint64_t start_ns, last_ns;
    bool tty, escapes;  /* standard error is a terminal; one with escapes */
    bool shown;         /* a bar is on the terminal's line */
} gs_progress;

/* Returns p started unless quiet, NULL otherwise (pass it straight to the
 * experiments as their arg). */
gs_progress *gs_progress_start(gs_progress *p, bool quiet);
/* The experiments' callback: arg is the gs_progress, or NULL for none. */
void gs_progress_update(uint32_t done, uint32_t total, void *arg);
/* Clears the bar. */
void gs_progress_end(gs_progress *p);

/* The width of the terminal on standard output, or 80. */
int gs_terminal_columns(void);

/* Whether fd is a terminal that understands escape sequences (bold, erase
 * to the end of the line): a terminal, and TERM is set and not "dumb". */
bool gs_terminal_escapes(int fd);

#endif
