/* html.c - the classroom page (DESIGN.md section 11): one self-contained
 * HTML file with the answer, the figures, the timeline and the scaling
 * curves, for a projector.
 *
 * The pictures are SVG written here, inline in the page.  A charting
 * library (Chart.js, Vega) would have to be inlined whole into every page
 * (200 KB and more), needs JavaScript to draw anything, and would put a
 * second idea of the data beside gilsim's; SVG needs neither script nor
 * network, prints, scales on any projector, and its shapes carry their own
 * <title> tooltips, which browsers show on hover.  The page has no script
 * at all.  Two drawing paths, one each: svg_timeline() (who did what when,
 * from the same slices as the text timeline and the trace) and
 * svg_curves() (speedup against workers per mode, the ideal line, the core
 * marker), shared by runs, sweeps and demos.
 *
 * Colours are the Okabe-Ito palette, which colour-blind students can tell
 * apart, each kind of slice also told by its place in the legend; the page
 * follows the reader's light or dark theme and prints in light. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../sched/summary.h"
#include "escape.h"
#include "html.h"
#include "slices.h"

static const char style[] =
    ":root{--bg:#fff;--fg:#111;--muted:#444;--grid:#bbb;--panel:#f3f3f3;"
    "--run:#0072B2;--wait:#E69F00;--core:#999999;--io:#009E73;--native:#CC79A7;--ulock:#D55E00;"
    "--c0:#0072B2;--c1:#D55E00;--c2:#009E73;--c3:#CC79A7;--c4:#E69F00;--c5:#56B4E9}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#111;--fg:#f2f2f2;--muted:#ccc;--grid:#555;--panel:#222;"
    "--run:#56B4E9;--wait:#F0E442;--core:#BBBBBB;--io:#009E73;--native:#CC79A7;--ulock:#E69F00;"
    "--c0:#56B4E9;--c1:#F0E442;--c2:#009E73;--c3:#CC79A7;--c4:#E69F00;--c5:#D55E00}}\n"
    "@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--grid:#999;--panel:#fff}"
    "section{break-inside:avoid}pre{font-size:11px}body{font-size:14px}#full-report{display:none}}\n"
    "body{background:var(--bg);color:var(--fg);font:22px/1.45 system-ui,sans-serif;margin:1.5em auto;"
    "max-width:1200px;padding:0 1em}\n"
    "h1{font-size:1.6em;line-height:1.25;margin:.2em 0 .4em}h2{font-size:1.15em;margin:1.4em 0 .4em}\n"
    ".figures{display:flex;flex-wrap:wrap;gap:.6em 2.2em;margin:.4em 0 1em}"
    ".figures div{font-size:.8em;color:var(--muted)}.figures b{display:block;font-size:1.5em;color:var(--fg)}\n"
    "table{border-collapse:collapse;font-size:.8em}td,th{padding:.2em .7em;text-align:right;"
    "border-bottom:1px solid var(--grid)}th{text-align:left}td:first-child,th:first-child{text-align:left}\n"
    "pre{background:var(--panel);padding:.8em;overflow-x:auto;font-size:15px;line-height:1.3}\n"
    "svg{display:block;width:100%;height:auto;font:15px system-ui,sans-serif}svg text{fill:var(--fg)}\n"
    ".note{color:var(--muted);font-size:.8em}ul.means li{margin:.3em 0}\n";

static void page_start(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>gilsim: ", f);
    gs_put_html(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

static void page_end(FILE *f)
{
    fputs("<p class=\"note\">Made by gilsim. Hover over the pictures for times.</p>\n</body>\n</html>\n", f);
}

/* ---- the timeline ---- */

enum { TL_W = 1100, TL_LABEL = 130, TL_ROW = 34, TL_TOP = 44, TL_MAX_ROWS = 24, TL_COLS = 485 };


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

/* Who did what when: a row per worker, each column the kind that took most
 * of its time, runs of one kind drawn as one rectangle titled with its
 * times. */
static void svg_timeline(FILE *f, const gs_run_result *r)
{
    gs_mode mode = r->cfg.mode;
    uint32_t rows = r->nworkers < TL_MAX_ROWS ? r->nworkers : TL_MAX_ROWS;
    double wall = r->end_ns > r->start_ns ? (double)(r->end_ns - r->start_ns) : 1;
    int plot_w = TL_W - TL_LABEL - 20, height = TL_TOP + (int)rows * TL_ROW + 72;
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
        fprintf(f, "<rect x=\"%d\" y=\"8\" width=\"18\" height=\"18\" style=\"fill:var(%s)\"/>"
                   "<text x=\"%d\" y=\"23\">%s</text>\n", x, gs_slice_colour[k], x + 24, name);
        x += 24 + (int)strlen(name) * 8 + 24;
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
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" style=\"stroke:var(--fg)\"/>\n", TL_LABEL, axis_y,
            TL_LABEL + plot_w, axis_y);
    double step = nice_step(wall, 5); /* round times: 0, 10 ms, 20 ms, ... */
    for (double t = 0; t <= wall * 1.0001; t += step) {
        char a[32];
        double tx = TL_LABEL + t / wall * plot_w;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" style=\"stroke:var(--fg)\"/>"
                   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
                tx, axis_y, tx, axis_y + 6, tx, axis_y + 26, t == 0 ? "start" : "middle",
                t == 0 ? "0" : gs_fmt_ns(t, a));
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time since the run began</text>\n",
            TL_LABEL + plot_w / 2.0, axis_y + 48);
    fputs("</svg>\n", f);
    if (r->nworkers > rows)
        fprintf(f, "<p class=\"note\">The first %u of %u %s; the others are in --json and --trace.</p>\n", rows,
                r->nworkers, gs_mode_plural[mode]);
    free(row);
}

/* ---- the scaling curves ---- */

enum { CV_W = 1000, CV_H = 620, CV_L = 80, CV_R = 230, CV_T = 30, CV_B = 70 };

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
static void svg_curves(FILE *f, const gs_sweep *s, const gs_host *h)
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
                   "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%gx</text>\n",
                CV_L, Y(v), CV_L + pw, Y(v), CV_L - 8, Y(v) + 5, v);
    fprintf(f, "<text transform=\"translate(18,%.1f) rotate(-90)\" text-anchor=\"middle\">speedup (x one "
               "worker)</text>\n", CV_T + ph / 2);
    for (uint32_t c = 0; c < s->ncounts; c++)
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%u</text>\n", X(s->counts[c]), CV_T + ph + 24,
                s->counts[c]);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">workers (threads, processes or tasks)</text>\n",
            CV_L + pw / 2, CV_H - 12);
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
            double ly = CV_T + 20 + series * 32;
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
    double ly = CV_T + 20 + series * 32; /* the reference lines, in the legend too */
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--muted);stroke-width:3\" "
               "stroke-dasharray=\"4 6\"/><text x=\"%.1f\" y=\"%.1f\">ideal (x workers)</text>\n",
            CV_L + pw + 20, ly, CV_L + pw + 52, ly, CV_L + pw + 58, ly + 5);
    if (cores > 0 && (uint32_t)cores < top)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--muted);stroke-width:3\" "
                   "stroke-dasharray=\"10 6\"/><text x=\"%.1f\" y=\"%.1f\">the cores</text>\n",
                CV_L + pw + 36, ly + 20, CV_L + pw + 36, ly + 44, CV_L + pw + 58, ly + 37);
    fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" style=\"stroke:var(--fg)\"/>\n", CV_L, CV_T + ph,
            CV_L + pw, CV_T + ph);
    fputs("</svg>\n", f);
#undef X
#undef Y
}

/* ---- pieces of pages ---- */

/* The terminal report's text before its first blank line: the answer. */
static void headline(FILE *f, const char *text)
{
    const char *gap = strstr(text, "\n\n");
    char *h = strndup(text, gap ? (size_t)(gap - text) : strlen(text));
    if (h) {
        fputs("<h1>", f);
        gs_put_html(f, h);
        fputs("</h1>\n", f);
        free(h);
    }
}

/* The rest of it, as the terminal shows it (on screen; a printed page
 * keeps to the pictures and the key figures). */
static void report_text(FILE *f, const char *text, const char *heading)
{
    const char *gap = strstr(text, "\n\n");
    fprintf(f, "<section id=\"full-report\"><h2>%s</h2>\n<pre>", heading);
    gs_put_html(f, gap ? gap + 2 : text);
    fputs("</pre></section>\n", f);
}

static void figure(FILE *f, const char *label, const char *value)
{
    fputs("<div>", f);
    gs_put_html(f, label);
    fputs("<b>", f);
    gs_put_html(f, value);
    fputs("</b></div>\n", f);
}

static void key_figures(FILE *f, const gs_experiment *e, const gs_host *h)
{
    const gs_run_summary *s = &e->summaries[e->median];
    const gs_run_config *c = &e->cfg;
    char v[64], a[32];
    fputs("<section class=\"figures\" id=\"figures\">\n", f);
    snprintf(v, sizeof v, "%u %s", c->workers, c->workers == 1 ? gs_mode_singular[c->mode] : gs_mode_plural[c->mode]);
    figure(f, "workers", v);
    if (e->have_baseline) {
        snprintf(v, sizeof v, "%.2fx", e->speedup);
        figure(f, "speedup over one", v);
    }
    figure(f, "wall time", gs_fmt_ns(s->wall_s * 1e9, a));
    if (gs_held_applies(gs_lock_scope_of(c))) {
        snprintf(v, sizeof v, "%.1f%%", 100 * s->held_fraction);
        figure(f, "lock held", v);
    }
    snprintf(v, sizeof v, "%.0f%%", 100 * s->wait_fraction);
    figure(f, "time waiting for it", v);
    snprintf(v, sizeof v, "%ld%s", gs_usable_cores(c, h), c->sim ? " modelled" : "");
    figure(f, "cores", v);
    figure(f, "time", c->sim ? "virtual (the model's)" : "real (this machine's)");
    if (s->has_race) {
        snprintf(v, sizeof v, "%" PRId64, s->lost_updates);
        figure(f, "updates lost", v);
    }
    fputs("</section>\n", f);
}

static void worker_table(FILE *f, const gs_run_result *r)
{
    fputs("<section id=\"workers\"><h2>Each worker</h2>\n<table>\n<tr><th>worker</th><th>units</th>"
          "<th>instructions</th><th>wall</th><th>cpu</th><th>lock takes</th><th>waited</th><th>I/O</th></tr>\n", f);
    for (uint32_t i = 0; i < r->nworkers && i < 64; i++) {
        const gs_worker_result *w = &r->workers[i];
        char a[32], b[32];
        double life = w->end_ns > w->start_ns ? (double)(w->end_ns - w->start_ns) : 0;
        fprintf(f, "<tr><td>%s %u%s</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%s</td><td>%s</td><td>%" PRIu64
                   "</td><td>%.0f%%</td><td>%" PRIu64 "</td></tr>\n",
                gs_mode_singular[r->cfg.mode], w->id, w->failed ? " (failed)" : "", w->units, w->instructions,
                gs_fmt_ns(life, a), gs_fmt_ns((double)w->cpu_ns, b), w->lock.acquisitions,
                life > 0 ? 100.0 * (double)w->lock.wait_ns / life : 0, w->io_ops);
    }
    fputs("</table>\n", f);
    if (r->nworkers > 64)
        fprintf(f, "<p class=\"note\">The first 64 of %u; all of them are in --json.</p>\n", r->nworkers);
    fputs("</section>\n", f);
}

/* Text the report writers write to a FILE, as a string; NULL when out of
 * memory. */
static char *captured(void (*write)(FILE *, const void *, const void *), const void *a, const void *b)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    write(m, a, b);
    if (fclose(m) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void text_of_run(FILE *f, const void *e, const void *h) { gs_report_text(f, e, h, false); }
static void text_of_sweep(FILE *f, const void *s, const void *h) { gs_report_sweep_text(f, s, h); }

/* The body of a page, between page_start and page_end: from the text the
 * terminal shows (the report writers' words) and the results. */
typedef void page_body(FILE *f, const char *text, const void *a, const void *b);

/* Writes a page of title with body to f; text is freed.  Returns 0, or
 * -1 when out of memory. */
static int write_page(FILE *f, const char *title, char *text, page_body *body, const void *a, const void *b)
{
    if (!text)
        return -1;
    page_start(f, title);
    body(f, text, a, b);
    page_end(f);
    free(text);
    return 0;
}

/* ---- the pages ---- */

static void run_body(FILE *f, const char *text, const void *experiment, const void *host)
{
    const gs_experiment *e = experiment;
    const gs_run_result *r = &e->runs[e->median];
    headline(f, text);
    key_figures(f, e, host);
    fputs("<section id=\"timeline-section\"><h2>Who held the lock when</h2>\n", f);
    if (r->cfg.event_cap)
        svg_timeline(f, r);
    else
        fputs("<p class=\"note\">No events were recorded.</p>\n", f);
    const gs_run_summary *s = &e->summaries[e->median];
    if (!gs_run_times_core_waits(r)) {
        char wait[32];
        if (s->core_wait_known)
            fprintf(f, "<p class=\"note\">The workers waited %s for a core in all; this machine counts that "
                       "wait in total, not when, so the timeline cannot draw it (in virtual time it does).</p>\n",
                    gs_fmt_ns((double)s->core_wait_ns, wait));
        else
            fputs("<p class=\"note\">This kernel keeps no schedstat: the time the workers waited for a core is "
                  "not known, and the timeline cannot draw it.</p>\n", f);
    }
    fputs("</section>\n", f);
    worker_table(f, r);
    report_text(f, text, "The whole report");
}

int gs_write_html_run(FILE *f, const gs_experiment *e, const gs_host *h)
{
    return write_page(f, e->cfg.workload->name, captured(text_of_run, e, h), run_body, e, h);
}

static void sweep_body(FILE *f, const char *text, const void *sweep, const void *host)
{
    const gs_sweep *s = sweep;
    fprintf(f, "<h1>Speedup against workers%s</h1>\n", s->cfg.sim ? ", on a modelled machine in virtual time" : "");
    fputs("<section id=\"curves-section\">\n", f);
    svg_curves(f, s, host);
    fputs("</section>\n<section id=\"full-report\"><h2>The points</h2>\n<pre>", f);
    gs_put_html(f, text);
    fputs("</pre></section>\n", f);
}

int gs_write_html_sweep(FILE *f, const gs_sweep *s, const gs_host *h)
{
    return write_page(f, "scaling curves", captured(text_of_sweep, s, h), sweep_body, s, h);
}

typedef struct {
    const char *name;
    const gs_experiment *traced;
    const gs_sweep *curves;
    const gs_host *host;
} demo_page;

/* The demo's words: its introduction and figures, then what they mean
 * (after "What it means:"), each point an item; its pictures between. */
static void demo_body(FILE *f, const char *text, const void *page, const void *unused)
{
    (void)unused;
    const demo_page *d = page;
    fputs("<h1>", f);
    gs_put_html(f, d->name);
    fputs("</h1>\n", f);
    const char *means = strstr(text, "What it means:\n");
    const char *body = strchr(text, '\n');
    body = body ? body + 1 : text;
    char *part = strndup(body, means ? (size_t)(means - body) : strlen(body));
    fputs("<section id=\"report\"><pre>", f);
    if (part)
        gs_put_html(f, part);
    free(part);
    fputs("</pre></section>\n", f);
    if (d->curves) {
        fputs("<section id=\"curves-section\"><h2>Scaling curves</h2>\n", f);
        svg_curves(f, d->curves, d->host);
        fputs("</section>\n", f);
    }
    if (d->traced && d->traced->nruns) {
        fputs("<section id=\"timeline-section\"><h2>Who held the lock when</h2>\n", f);
        svg_timeline(f, &d->traced->runs[d->traced->median]);
        fputs("</section>\n", f);
    }
    if (!means)
        return;
    fputs("<section id=\"means\"><h2>What it means</h2>\n<ul class=\"means\">\n", f);
    for (const char *p = means + strlen("What it means:\n"); *p;) {
        const char *next = strstr(p + 1, "\n- ");
        size_t len = next ? (size_t)(next - p) : strlen(p);
        char *item = strndup(p[0] == '-' ? p + 2 : p, p[0] == '-' ? len - 2 : len);
        if (item) {
            for (char *c = item; *c; c++)
                if (*c == '\n')
                    *c = ' ';
            fputs("<li>", f);
            gs_put_html(f, item);
            fputs("</li>\n", f);
        }
        free(item);
        p = next ? next + 1 : p + len;
    }
    fputs("</ul></section>\n", f);
}

int gs_write_html_demo(FILE *f, const char *name, const char *text, const gs_experiment *traced,
                       const gs_sweep *curves, const gs_host *h)
{
    demo_page page = {name, traced, curves, h};
    return write_page(f, name, strdup(text), demo_body, &page, NULL);
}
