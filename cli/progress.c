/* progress.c - the progress bar and the terminal's width (see progress.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../reports/output.h"
#include "progress.h"

#define BAR 24

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

gs_progress *gs_progress_start(gs_progress *p, bool quiet)
{
    if (quiet)
        return NULL;
    *p = (gs_progress){.start_ns = now_ns(), .tty = isatty(STDERR_FILENO),
                       .escapes = gs_terminal_escapes(STDERR_FILENO)};
    return p;
}

void gs_progress_update(uint32_t done, uint32_t total, void *arg)
{
    gs_progress *p = arg;
    if (!p || total == 0)
        return;
    uint64_t now = now_ns();
    double elapsed = (double)(now - p->start_ns) / 1e9;
    if (!p->tty && (elapsed < 10 || now - p->last_ns < 10000000000ull || done == total))
        return; /* a log gets a line every 10 s, and none for a short run */
    int filled = (int)((uint64_t)BAR * done / total);
    char bar[BAR + 1];
    for (int i = 0; i < BAR; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR] = '\0';
    char line[160];
    int n = snprintf(line, sizeof line, "%s[%s] %u/%u runs, %.1f s", p->tty ? "\r" : "gilsim: ", bar, done, total,
                     elapsed);
    if (done > 0 && done < total)
        n += snprintf(line + n, sizeof line - (size_t)n, ", about %.0f s left", elapsed / done * (total - done));
    /* erase what a longer line left: an escape where the terminal has them, else spaces */
    snprintf(line + n, sizeof line - (size_t)n, "%s", !p->tty ? "\n" : p->escapes ? "\033[K" : "        ");
    gs_output_raw_stderr(line, strlen(line)); /* its escapes are gilsim's own */
    p->shown = p->tty;
    p->last_ns = now;
}

void gs_progress_end(gs_progress *p)
{
    if (!p || !p->shown)
        return;
    char blank[96] = "\r\033[K"; /* without escapes: spaces over the bar's longest line */
    if (!p->escapes)
        snprintf(blank, sizeof blank, "\r%78s\r", "");
    gs_output_raw_stderr(blank, strlen(blank));
}

bool gs_terminal_escapes(int fd)
{
    const char *term = getenv("TERM");
    return isatty(fd) && term && *term && strcmp(term, "dumb") != 0;
}

int gs_terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    const char *env = getenv("COLUMNS");
    int n = env ? atoi(env) : 0;
    return n >= 40 && n <= 1000 ? n : 80;
}
