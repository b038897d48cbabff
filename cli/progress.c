/* progress.c - the progress bar and the terminal's width (see progress.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../reports/output.h"
#include "../sched/clock.h"
#include "progress.h"

#define BAR 24

gs_progress *gs_progress_start(gs_progress *p, bool quiet)
{
    if (quiet || !isatty(STDERR_FILENO))
        return NULL;
    *p = (gs_progress){.start_ns = gs_now_ns()};
    return p;
}

void gs_progress_update(uint32_t done, uint32_t total, void *arg)
{
    gs_progress *p = arg;
    if (!p || total == 0)
        return;
    double elapsed = (double)(gs_now_ns() - p->start_ns) / 1e9;
    int filled = (int)((uint64_t)BAR * done / total);
    char bar[BAR + 1];
    for (int i = 0; i < BAR; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR] = '\0';
    char line[160];
    int n = snprintf(line, sizeof line, "\r[%s] %u/%u runs, %.1f s", bar, done, total, elapsed);
    if (done > 0 && done < total)
        n += snprintf(line + n, sizeof line - (size_t)n, ", about %.0f s left", elapsed / done * (total - done));
    snprintf(line + n, sizeof line - (size_t)n, "\033[K");
    gs_output_raw_stderr(line, strlen(line)); /* its escapes are gilsim's own */
    p->shown = true;
}

void gs_progress_end(gs_progress *p)
{
    if (p && p->shown)
        gs_output_raw_stderr("\r\033[K", 4);
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
