/* timeline.c - who held the lock when, as text: one row per worker, time
 * across, one character per column for what the worker did most in that
 * column's stretch of time (slices.h).  Made to be read from the back of
 * a classroom: few characters, a legend, the time scale. */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "slices.h"

#define MAX_ROWS 32
#define MIN_WIDTH 20

typedef struct {
    const gs_run_result *r;
    double *spent;       /* width x GS_SLICE_KINDS: ns spent in each kind */
    int width;
    double col_ns;
} row_builder;

static void on_slice(const gs_slice *s, void *arg)
{
    row_builder *b = arg;
    if (s->edge != GS_EDGE_END || s->t1 <= s->t0)
        return;
    double t0 = (double)(s->t0 - b->r->start_ns), t1 = (double)(s->t1 - b->r->start_ns);
    int c0 = (int)(t0 / b->col_ns), c1 = (int)(t1 / b->col_ns);
    for (int c = c0 < 0 ? 0 : c0; c <= c1 && c < b->width; c++) {
        double lo = c * b->col_ns, hi = lo + b->col_ns;
        double overlap = (t1 < hi ? t1 : hi) - (t0 > lo ? t0 : lo);
        if (overlap > 0)
            b->spent[c * GS_SLICE_KINDS + s->kind] += overlap;
    }
}

void gs_report_timeline(FILE *out, const gs_run_result *r, int columns)
{
    gs_mode mode = r->cfg.mode;
    char label[32];
    snprintf(label, sizeof label, "%s %u", gs_mode_singular[mode], r->nworkers - 1);
    int label_w = (int)strlen(label) + 2;
    int width = columns - label_w;
    width = width < MIN_WIDTH ? MIN_WIDTH : width;
    double wall = r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) : 1;
    row_builder b = {.r = r, .width = width, .col_ns = wall / width};
    b.spent = malloc((size_t)width * GS_SLICE_KINDS * sizeof *b.spent);
    if (!b.spent)
        return;
    char scale[32];
    fprintf(out, "%s: one column is %s\n", mode == GS_MODE_ASYNC ? "what each task did when" : "who held the lock when",
            gs_fmt_ns(b.col_ns, scale));
    int col = 0; /* the legend: the kinds this run can show, wrapped at 78 columns */
    for (int k = 0; k < GS_SLICE_KINDS; k++) {
        if (!gs_slice_kind_shown(r, (gs_slice_kind)k))
            continue;
        const char *name = gs_slice_name((gs_slice_kind)k, mode);
        if (col && col + 5 + (int)strlen(name) > 78) {
            fputc('\n', out);
            col = 0;
        }
        col += fprintf(out, "  %c %s ", gs_slice_glyph[k], name);
    }
    fprintf(out, "\n    (blank) not started yet, or finished\n");
    if (!gs_run_times_core_waits(r))
        fprintf(out, "    (this machine counts the waits for a core in total, not when: none drawn)\n");
    bool cut = false;
    for (uint32_t i = 0; i < r->nworkers && i < MAX_ROWS; i++) {
        const gs_worker_result *w = &r->workers[i];
        memset(b.spent, 0, (size_t)width * GS_SLICE_KINDS * sizeof *b.spent);
        gs_worker_slices(w, on_slice, &b);
        snprintf(label, sizeof label, "%s %u", gs_mode_singular[mode], i);
        fprintf(out, "%-*s", label_w, label);
        for (int c = 0; c < width; c++) {
            const double *x = &b.spent[c * GS_SLICE_KINDS];
            int best = -1;
            for (int k = 0; k < GS_SLICE_KINDS; k++)
                if (x[k] > 0 && (best < 0 || x[k] > x[best]))
                    best = k;
            fputc(best < 0 ? ' ' : gs_slice_glyph[best], out);
        }
        fputc('\n', out);
        cut |= w->rec.dropped > 0;
    }
    if (r->nworkers > MAX_ROWS)
        fprintf(out, "... and %u more %s (all of them are in --trace)\n", r->nworkers - MAX_ROWS,
                gs_mode_plural[mode]);
    char end[32];
    gs_fmt_ns(wall, end);
    fprintf(out, "%-*s0%*s\n", label_w, "", width - 1, end);
    if (cut)
        fprintf(out, "Some rows end early: their events did not all fit in the recorder.\n");
    free(b.spent);
}
