/* svg.c - the page's pictures, drawn as SVG (svg.h): who did what when,
 * and the scaling curves.
 *
 * Every axis has a title and round ticks (1, 2, 2.5 or 5 times a power of
 * ten, as a reader counts), every line an entry in the legend, and lines
 * that share points stay visible: each series has a colour, a marker and
 * a dash of its own, and a small sideways offset.  Text is 20 units high
 * in pictures about 1100 units wide, so on a page as wide as a projector's
 * screen it is as large as the body's type. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../sched/summary.h"
#include "escape.h"
#include "slices.h"
#include "svg.h"

/* ---- the timeline ---- */

enum { TL_W = 1100, TL_LABEL = 130, TL_ROW = 40, TL_TOP = 48, TL_MAX_ROWS = 24, TL_COLS = 470 };


typedef struct {
    double col_ns;
    uint64_t start;
    double spent[TL_COLS][GS_SLICE_KINDS]; /* ns of each kind in each column */
} tl_row;

static void tl_slice(const gs_slice *s, void *arg)
{
    tl_row *row = arg;
    if (s->edge != GS_EDGE_END || s->kind >= GS_SLICE_KINDS)
        return;
    double a = (double)(s->t0 - row->start), b = (double)(s->t1 - row->start);
    for (int c = (int)(a / row->col_ns); c < TL_COLS && c * row->col_ns < b; c++) {
        double lo = c * row->col_ns, hi = lo + row->col_ns;
        double overlap = (b < hi ? b : hi) - (a > lo ? a : lo);
        if (overlap > 0)
            row->spent[c][s->kind] += overlap;
    }
}

/* A round step for an axis from 0 to range with about `want` ticks: 1,
 * 2, 2.5 or 5 times a power of ten, as a reader counts. */
static double nice_step(double range, int want)
{
    double raw = range / want, power = 1;
    while (power * 10 <= raw)
        power *= 10;
    while (power > raw)
        power /= 10;
    static const double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++)
        if (steps[k] * power >= raw)
            return steps[k] * power;
    return 10 * power;
}

/* A tick's time in the unit of the step, so that every tick of an axis
 * reads alike: 0, 2.5 ms, 5 ms, 7.5 ms. */
static const char *tick_time(double t, double step, char buf[32])
{
    static const struct { double ns; const char *unit; } units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}, {1, "ns"}};
    size_t u = 0;
    while (u + 1 < sizeof units / sizeof *units && step < units[u].ns)
        u++;
    if (t == 0)
        snprintf(buf, 32, "0");
    else
        snprintf(buf, 32, "%g %s", t / units[u].ns, units[u].unit);
    return buf;
}

/* Who did what when: a row per worker, each column the kind that took most
 * of its time, runs of one kind drawn as one rectangle titled with its
 * times. */
void gs_svg_timeline(FILE *f, const gs_run_result *r, const char *caption)
{
    gs_mode mode = r->cfg.mode;
    uint32_t rows = r->nworkers < TL_MAX_ROWS ? r->nworkers : TL_MAX_ROWS;
    double wall = r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) : 1;
    int plot_w = TL_W - TL_LABEL - 50, height = TL_TOP + (int)rows * TL_ROW + 80;
    tl_row *row = malloc(sizeof *row);
    if (!row)
        return;
    fprintf(f, "<svg id=\"timeline\" role=\"img\" viewBox=\"0 0 %d %d\" aria-label=\"who held the lock when\">\n",
            TL_W, height);
    int x = TL_LABEL; /* the legend */
    for (int k = 0; k < GS_SLICE_KINDS; k++) {
        if (!gs_slice_kind_shown(r, (gs_slice_kind)k) || (k == GS_SLICE_CORE_WAIT && !gs_run_times_core_waits(r)))
            continue;
        const char *name = gs_slice_name((gs_slice_kind)k, mode);
        fprintf(f, "<rect x=\"%d\" y=\"8\" width=\"22\" height=\"22\" style=\"fill:var(%s)\"/>"
                   "<text x=\"%d\" y=\"27\">%s</text>\n", x, gs_slice_colour[k], x + 28, name);
        x += 28 + (int)strlen(name) * 10 + 28;
    }
    for (uint32_t i = 0; i < rows; i++) {
        memset(row, 0, sizeof *row);
        row->col_ns = wall / TL_COLS;
        row->start = r->start_ns;
        gs_worker_slices(&r->workers[i], tl_slice, row);
        int y = TL_TOP + (int)i * TL_ROW;
        fprintf(f, "<text x=\"4\" y=\"%d\">%s %u</text>\n", y + TL_ROW / 2 + 5, gs_mode_singular[mode], i);
        for (int c = 0; c < TL_COLS;) {
            int best = -1;
            for (int k = 0; k < GS_SLICE_KINDS; k++)
                if (row->spent[c][k] > 0 && (best < 0 || row->spent[c][k] > row->spent[c][best]))
                    best = k;
            int end = c + 1;
            while (end < TL_COLS && best >= 0) {
                int next = -1;
                for (int k = 0; k < GS_SLICE_KINDS; k++)
                    if (row->spent[end][k] > 0 && (next < 0 || row->spent[end][k] > row->spent[end][next]))
                        next = k;
                if (next != best)
                    break;
                end++;
            }
            if (best >= 0) {
                char a[32], b[32], d[32];
                double x0 = TL_LABEL + (double)c * plot_w / TL_COLS, x1 = TL_LABEL + (double)end * plot_w / TL_COLS;
                fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" style=\"fill:var(%s)\">"
                           "<title>%s %u, %s: %s to %s (%s)</title></rect>\n",
                        x0, y + 4, x1 - x0, TL_ROW - 8, gs_slice_colour[best], gs_mode_singular[mode], i,
                        gs_slice_name((gs_slice_kind)best, mode), gs_fmt_ns(c * row->col_ns, a),
                        gs_fmt_ns(end * row->col_ns, b), gs_fmt_ns((end - c) * row->col_ns, d));
            }
            c = end;
        }
    }
    int axis_y = TL_TOP + (int)rows * TL_ROW + 8; /* the time axis */
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" style=\"stroke:var(--fg)\"/>\n",
            TL_LABEL, axis_y, TL_LABEL + plot_w, axis_y);
    double step = nice_step(wall, 5); /* round times: 0, 10 ms, 20 ms, ... */
    for (double t = 0; t <= wall * 1.0001; t += step) {
        char a[32];
        double tx = TL_LABEL + t / wall * plot_w;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" style=\"stroke:var(--fg)\"/>"
                   "<text class=\"tick\" data-value=\"%.6g\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
                tx, axis_y, tx, axis_y + 6, t, tx, axis_y + 28, t == 0 ? "start" : "middle", tick_time(t, step, a));
    }
    fprintf(f, "<text class=\"axis-title\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time since the run began</text>\n",
            TL_LABEL + plot_w / 2.0, axis_y + 56);
    fputs("</svg>\n", f);
    if (caption) {
        fputs("<p class=\"caption\">", f);
        gs_put_html(f, caption);
        fputs("</p>\n", f);
    }
    if (r->nworkers > rows)
        fprintf(f, "<p class=\"note\">The first %u of %u %s; the others are in --json and --trace.</p>\n", rows,
                r->nworkers, gs_mode_plural[mode]);
    free(row);
}

/* ---- the scaling curves ---- */

enum { CV_W = 1100, CV_H = 660, CV_L = 90, CV_R = 310, CV_T = 30, CV_B = 84 };

/* Series k's marker at (x, y): a circle, a square, a triangle, a diamond
 * in turn, opened as a group the caller closes (its title goes inside). */
static void marker(FILE *f, uint32_t k, double x, double y)
{
    fputs("<g>", f);
    switch (k % 4) {
    case 0: fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\"/>", x, y); break;
    case 1: fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"13\" height=\"13\"/>", x - 6.5, y - 6.5); break;
    case 2: fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>", x, y - 8, x - 8, y + 6, x + 8, y + 6); break;
    default: fprintf(f, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>", x, y - 8, x + 8, y, x, y + 8, x - 8, y);
    }
}

/* Speedup against workers: a line per mode and workload, the ideal line,
 * the core marker. */
void gs_svg_curves(FILE *f, const gs_sweep *s, const gs_host *h)
{
    uint32_t top = s->counts[s->ncounts - 1];
    long cores = gs_usable_cores(&s->cfg, h);
    double ymax = 1;
    for (uint32_t i = 0; i < s->npoints; i++)
        ymax = s->points[i].speedup > ymax ? s->points[i].speedup : ymax;
    ymax = ymax < top ? (ymax * 1.15 > top ? top : ymax * 1.15) : ymax * 1.05;
    double pw = CV_W - CV_L - CV_R, ph = CV_H - CV_T - CV_B;
#define X(w) (CV_L + (double)(w) / top * pw)
#define Y(v) (CV_T + ph - (v) / ymax * ph)
    fprintf(f, "<svg id=\"curves\" role=\"img\" viewBox=\"0 0 %d %d\" aria-label=\"speedup against workers\">\n",
            CV_W, CV_H);
    double step = nice_step(ymax, 4); /* the grid and the speedup axis, at round values */
    for (double v = 0; v <= ymax * 1.0001; v += step)
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--grid)\"/>"
                   "<text class=\"tick\" data-value=\"%.6g\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%gx</text>\n",
                CV_L, Y(v), CV_L + pw, Y(v), v, CV_L - 8, Y(v) + 5, v);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" style=\"stroke:var(--fg)\"/>\n", CV_L,
            CV_T, CV_L, CV_T + ph);
    fprintf(f, "<text class=\"axis-title\" transform=\"translate(18,%.1f) rotate(-90)\" text-anchor=\"middle\">speedup (x one "
               "worker)</text>\n", CV_T + ph / 2);
    for (uint32_t c = 0; c < s->ncounts; c++)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%u</text>\n", X(s->counts[c]), CV_T + ph + 28,
                s->counts[c]);
    fprintf(f, "<text class=\"axis-title\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">workers (threads, processes or "
               "tasks)</text>\n",
            CV_L + pw / 2, CV_H - 14);
    double ideal = top < ymax ? top : ymax;
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--muted)\" "
               "stroke-dasharray=\"4 6\"><title>ideal: speedup = workers</title></line>\n",
            X(0), Y(0), X(ideal), Y(ideal));
    if (cores > 0 && (uint32_t)cores < top) {
        fprintf(f, "<line id=\"cores\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--muted)\" "
                   "stroke-dasharray=\"10 6\"><title>%ld cores</title></line>"
                   "<text x=\"%.1f\" y=\"%d\">%ld cores</text>\n",
                X(cores), CV_T, X(cores), CV_T + ph, cores, X(cores) + 6, CV_T + 16, cores);
    }
    /* a series each: its colour, a marker and a dash of its own, and a small
     * offset, so that lines on the same points (the 1-worker ones, threads
     * and async at 1x) stay visible */
    static const char *const dashes[] = {"none", "12 6", "4 4", "16 4 4 4", "2 6", "8 8"};
    uint32_t nseries = s->nworkloads * s->nmodes;
    uint32_t series = 0;
    for (uint32_t wl = 0; wl < s->nworkloads; wl++)
        for (uint32_t m = 0; m < s->nmodes; m++, series++) {
            char points[4096] = "";
            size_t len = 0;
            const char *colour_name = s->nworkloads > 1 ? s->workloads[wl]->name : gs_mode_names[s->modes[m]];
            fprintf(f, "<g class=\"series\" style=\"stroke:var(--c%u);fill:var(--c%u)\">\n", series % 6, series % 6);
            for (uint32_t i = 0; i < s->npoints; i++) {
                const gs_sweep_point *p = &s->points[i];
                if (p->mode != s->modes[m] || p->workload != s->workloads[wl] || p->speedup <= 0)
                    continue;
                double off = ((double)series - (nseries - 1) / 2.0) * 5, x = X(p->workers) + off, y = Y(p->speedup);
                if (len < sizeof points - 32)
                    len += (size_t)snprintf(points + len, sizeof points - len, "%.1f,%.1f ", x, y);
                if (p->speedup_max > p->speedup_min) /* the repeats' range */
                    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke-width:2\"/>\n", x,
                            Y(p->speedup_min), x, Y(p->speedup_max));
                marker(f, series, x, y);
                fprintf(f, "<title>%s, ", gs_mode_names[p->mode]);
                gs_put_html(f, p->workload->name);
                fprintf(f, ", %u %s: %.2fx", p->workers,
                        p->workers == 1 ? gs_mode_singular[p->mode] : gs_mode_plural[p->mode], p->speedup);
                if (p->speedup_max > p->speedup_min)
                    fprintf(f, " (%.2f to %.2f over the repeats)", p->speedup_min, p->speedup_max);
                fputs("</title></g>\n", f);
            }
            fprintf(f, "<polyline points=\"%s\" style=\"fill:none;stroke-width:4\" stroke-dasharray=\"%s\"/>\n</g>\n",
                    points, dashes[series % 6]);
            double ly = CV_T + 20 + series * 36;
            fprintf(f, "<g style=\"stroke:var(--c%u);fill:var(--c%u)\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                       "y2=\"%.1f\" style=\"stroke-width:4\" stroke-dasharray=\"%s\"/>",
                    series % 6, series % 6, CV_L + pw + 20, ly, CV_L + pw + 52, ly, dashes[series % 6]);
            marker(f, series, CV_L + pw + 36, ly);
            fprintf(f, "</g></g>\n<text x=\"%.1f\" y=\"%.1f\">", CV_L + pw + 58, ly + 5);
            gs_put_html(f, s->nmodes > 1 && s->nworkloads > 1 ? gs_mode_names[s->modes[m]] : colour_name);
            if (s->nmodes > 1 && s->nworkloads > 1) {
                fputs(", ", f);
                gs_put_html(f, s->workloads[wl]->name);
            }
            fputs("</text>\n", f);
        }
    double ly = CV_T + 20 + series * 36; /* the reference lines, in the legend too */
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--muted);stroke-width:3\" "
               "stroke-dasharray=\"4 6\"/><text x=\"%.1f\" y=\"%.1f\">ideal (x workers)</text>\n",
            CV_L + pw + 20, ly, CV_L + pw + 52, ly, CV_L + pw + 58, ly + 5);
    if (cores > 0 && (uint32_t)cores < top)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--muted);stroke-width:3\" "
                   "stroke-dasharray=\"10 6\"/><text x=\"%.1f\" y=\"%.1f\">the cores</text>\n",
                CV_L + pw + 36, ly + 20, CV_L + pw + 36, ly + 44, CV_L + pw + 58, ly + 37);
    fprintf(f, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--fg)\"/>\n", CV_L, CV_T + ph,
            CV_L + pw, CV_T + ph);
    fputs("</svg>\n", f);
#undef X
#undef Y
}

