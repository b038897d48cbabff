/* progress.h - what the terminal is told while experiments run. */
#ifndef GS_PROGRESS_H
#define GS_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

/* A progress bar on standard error: runs done out of total, time elapsed
 * and an estimate of the time left.  Shown only when standard error is a
 * terminal (and the user did not ask for --quiet). */
typedef struct {
    uint64_t start_ns;
    bool shown;
} gs_progress;

/* Returns p started when standard error is a terminal and quiet is false,
 * NULL otherwise (pass it straight to the experiments as their arg). */
gs_progress *gs_progress_start(gs_progress *p, bool quiet);
/* The experiments' callback: arg is the gs_progress, or NULL for none. */
void gs_progress_update(uint32_t done, uint32_t total, void *arg);
/* Clears the bar. */
void gs_progress_end(gs_progress *p);

/* The width of the terminal on standard output, or 80. */
int gs_terminal_columns(void);

#endif
