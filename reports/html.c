/* html.c - the classroom page (docs/design.md, "Outputs"): one
 * self-contained HTML file with the whole story of a run, a sweep or a
 * demonstration, for a projector.
 *
 * Every page has one layout, top to bottom: the answer in a sentence; a
 * row of key figures led by a badge, as large as they are, that says real
 * or virtual time (with the model and its seed); the pictures, each with a
 * caption; the data as HTML tables at the body's size; the conclusions;
 * "How to read this" (the glossary, glossary.h); and the terminal's full
 * report.  The type grows with the screen, and the column with it up to a
 * width still easy to read.
 *
 * The pictures are SVG (svg.c), inline in the page.  A charting
 * library (Chart.js, Vega) would have to be inlined whole into every page
 * (200 KB and more), needs JavaScript to draw anything, and would put a
 * second idea of the data beside gilsim's; SVG needs neither script nor
 * network, prints, scales on any projector, and its shapes carry their own
 * <title> tooltips, which browsers show on hover.  The page has no script
 * at all.
 *
 * Colours are the Okabe-Ito palette, which colour-blind students can tell
 * apart, each kind of slice also told by its place in the legend; the page
 * follows the reader's light or dark theme and prints in light. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../sched/summary.h"
#include "escape.h"
#include "glossary.h"
#include "html.h"
#include "slices.h"
#include "svg.h"

static const char style[] =
    ":root{--bg:#fff;--fg:#111;--muted:#444;--grid:#bbb;--panel:#f3f3f3;--badge:#0072B2;"
    "--run:#0072B2;--wait:#E69F00;--core:#999999;--io:#009E73;--native:#CC79A7;--ulock:#D55E00;"
    "--c0:#0072B2;--c1:#D55E00;--c2:#009E73;--c3:#CC79A7;--c4:#E69F00;--c5:#56B4E9}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#111;--fg:#f2f2f2;--muted:#ccc;--grid:#555;--panel:#222;"
    "--badge:#56B4E9;--run:#56B4E9;--wait:#F0E442;--core:#BBBBBB;--io:#009E73;--native:#CC79A7;--ulock:#E69F00;"
    "--c0:#56B4E9;--c1:#F0E442;--c2:#009E73;--c3:#CC79A7;--c4:#E69F00;--c5:#D55E00}}\n"
    "body{background:var(--bg);color:var(--fg);font:clamp(18px,calc(8px + 1.1vw),34px)/1.45 system-ui,sans-serif;"
    "margin:1em auto;max-width:min(94vw,70em);padding:0 1em}\n"
    "h1{font-size:1.6em;line-height:1.25;margin:.2em 0 .4em}h2{font-size:1.15em;margin:1.2em 0 .4em}\n"
    ".kicker{color:var(--muted);margin:0}p,ul,dl{max-width:48em}\n"
    ".figures{display:flex;flex-wrap:wrap;align-items:flex-start;gap:.6em 2em;margin:.4em 0 1em}"
    ".figures div{font-size:.8em;color:var(--muted)}.figures b{display:block;font-size:1.5em;color:var(--fg)}\n"
    ".figures .badge{border:.2em solid var(--badge);border-radius:.4em;padding:.2em .7em}"
    ".figures .badge b{color:var(--badge)}.badge small{display:block;font-size:1em;color:var(--fg)}\n"
    "table{border-collapse:collapse;margin:.4em 0}td,th{padding:.15em .7em;text-align:right;"
    "border-bottom:1px solid var(--grid);font-variant-numeric:tabular-nums}th{vertical-align:bottom}"
    "td.text,th.text{text-align:left}\n"
    "pre{background:var(--panel);padding:.8em;overflow-x:auto;font-size:.75em;line-height:1.3}\n"
    "svg{display:block;width:100%;height:auto;max-height:85vh;font:20px system-ui,sans-serif}svg text{fill:var(--fg)}\n"
    ".caption{margin:.3em 0 0;font-style:italic}.note{color:var(--muted)}ul.means li{margin:.3em 0}"
    "dt{font-weight:bold;margin-top:.4em}dd{margin:0 0 0 1.5em}\n"
    "@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--grid:#999;--panel:#fff}"
    "body{font-size:11px;max-width:none}section{break-inside:avoid}#full-report,#glossary{display:none}}\n";

static void page_start(FILE *f, const char *title)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>gilsim: ", f);
    gs_put_html(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
}

static void page_end(FILE *f)
{
    fputs("<p class=\"note\">Made by gilsim: hold the pointer over a picture's shapes for their times and "
          "figures.</p>\n</body>\n</html>\n", f);
}

/* ---- pieces of pages ---- */

static void put_html_n(FILE *f, const char *text, size_t len)
{
    char *part = strndup(text, len);
    if (part)
        gs_put_html(f, part);
    free(part);
}

/* The top of every page: what it is, the answer, and the key figures led
 * by the badge: real or virtual time, with the machine and the model. */
static void page_top(FILE *f, const char *kicker, const char *answer, size_t answer_len,
                     const gs_page_figure *figures, uint32_t nfigures, const gs_sim_model *model, uint32_t pinned,
                     const gs_host *h)
{
    fputs("<header>\n<p class=\"kicker\">", f);
    gs_put_html(f, kicker);
    fputs("</p>\n<h1>", f);
    put_html_n(f, answer, answer_len);
    fputs("</h1>\n</header>\n<section class=\"figures\" id=\"figures\">\n<div class=\"badge\" id=\"badge\">", f);
    if (model) {
        bool costs_as_default = model->instruction_ns == GS_SIM_MODEL_DEFAULT.instruction_ns;
        gs_sim_model dflt = GS_SIM_MODEL_DEFAULT;
        for (size_t i = 0; i < GS_SIM_COST_COUNT; i++)
            costs_as_default &= gs_sim_cost_of(model, &gs_sim_costs[i]) == gs_sim_cost_of(&dflt, &gs_sim_costs[i]);
        fprintf(f, "time<b>virtual</b><small>gilsim's model: %u cores, seed %llu, %s%s</small>", model->cores,
                (unsigned long long)model->seed, costs_as_default ? "its own costs" : "costs as given",
                model->background ? ", other programs running" : "");
    } else {
        fprintf(f, "time<b>real</b><small>measured on this machine: ");
        if (pinned)
            fprintf(f, "%u of its %ld cores", pinned, h->cores);
        else
            fprintf(f, "%ld of its %ld cores", h->allowed, h->cores);
        fputs("</small>", f);
    }
    fputs("</div>\n", f);
    for (uint32_t i = 0; i < nfigures; i++) {
        fputs("<div>", f);
        gs_put_html(f, figures[i].label);
        fputs("<b>", f);
        gs_put_html(f, figures[i].value);
        fputs("</b></div>\n", f);
    }
    fputs("</section>\n", f);
}

/* "How to read this": the glossary, every page the same. */
static void glossary(FILE *f)
{
    fputs("<section id=\"glossary\"><h2>How to read this</h2>\n<dl>\n", f);
    for (size_t i = 0; i < gs_glossary_count; i++) {
        fputs("<dt>", f);
        gs_put_html(f, gs_glossary[i].term);
        fputs("</dt><dd>", f);
        gs_put_html(f, gs_glossary[i].meaning);
        fputs("</dd>\n", f);
    }
    fputs("</dl></section>\n", f);
}

/* The terminal's report as it printed it, for whoever wants every figure
 * (on screen; a printed page keeps to the rest). */
static void full_report(FILE *f, const char *text)
{
    fputs("<section id=\"full-report\"><h2>The whole report, as the terminal shows it</h2>\n<pre>", f);
    gs_put_html(f, text);
    fputs("</pre></section>\n", f);
}

/* Text the terminal showed as paragraphs: each blank-line-separated block
 * one <p>, its line breaks spaces ("(...)" notes in the muted colour). */
static void paragraphs(FILE *f, const char *text, size_t len)
{
    for (const char *p = text, *end = text + len; p < end;) {
        while (p < end && *p == '\n')
            p++;
        if (p >= end)
            break;
        const char *gap = memmem(p, (size_t)(end - p), "\n\n", 2);
        const char *stop = gap ? gap : end;
        while (stop > p && stop[-1] == '\n')
            stop--;
        if (stop > p) {
            char *para = strndup(p, (size_t)(stop - p));
            if (para) {
                for (char *c = para; *c; c++)
                    if (*c == '\n')
                        *c = ' ';
                fprintf(f, "<p%s>", para[0] == '(' ? " class=\"note\"" : "");
                gs_put_html(f, para);
                fputs("</p>\n", f);
            }
            free(para);
        }
        p = gap ? gap + 2 : end;
    }
}

/* The points after "What it means:" ("- " each, wrapped) as a list. */
static void conclusions(FILE *f, const char *means)
{
    fputs("<section id=\"means\"><h2>What it means</h2>\n<ul class=\"means\">\n", f);
    for (const char *p = means; *p;) {
        const char *next = strstr(p + 1, "\n- ");
        size_t len = next ? (size_t)(next - p) : strlen(p);
        while (len > 0 && p[len - 1] == '\n')
            len--;
        size_t skip = strncmp(p, "- ", 2) == 0 ? 2 : 0;
        char *item = len > skip ? strndup(p + skip, len - skip) : NULL;
        if (item) {
            for (char *c = item; *c; c++)
                if (*c == '\n')
                    *c = ' ';
            fputs("<li>", f);
            gs_put_html(f, item);
            fputs("</li>\n", f);
        }
        free(item);
        p = next ? next + 1 : p + strlen(p);
    }
    fputs("</ul></section>\n", f);
}

/* ---- the run page ---- */

static uint32_t run_figures(const gs_experiment *e, gs_page_figure *out)
{
    const gs_run_summary *s = &e->summaries[e->median];
    const gs_run_config *c = &e->cfg;
    uint32_t n = 0;
    char a[32];
#define FIGURE(label_, ...) (snprintf(out[n].label, sizeof out[n].label, "%s", label_), \
                             snprintf(out[n].value, sizeof out[n].value, __VA_ARGS__), n++)
    FIGURE("workers", "%u %s", c->workers, c->workers == 1 ? gs_mode_singular[c->mode] : gs_mode_plural[c->mode]);
    if (e->have_baseline)
        FIGURE("speedup over one", "%.2fx", e->speedup);
    FIGURE("wall time", "%s", gs_fmt_ns(s->wall_s * 1e9, a));
    if (gs_held_applies(gs_lock_scope_of(c)))
        FIGURE("lock held", "%.1f%%", 100 * s->held_fraction);
    FIGURE("waiting for the lock", "%.0f%%", 100 * s->wait_fraction);
    if (s->core_wait_known && n < GS_PAGE_MAX_FIGURES)
        FIGURE("waiting for a core", "%.0f%%", 100 * s->core_wait_share);
    if (s->has_race && n < GS_PAGE_MAX_FIGURES)
        FIGURE("updates lost", "%.1f%%", s->updates_expected ? 100.0 * (double)s->lost_updates /
                                                               (double)s->updates_expected : 0);
#undef FIGURE
    return n;
}

static void worker_table(FILE *f, const gs_run_result *r)
{
    gs_table t;
    gs_table_init(&t, "<worker|units|instructions|wall|cpu|lock takes|waited|I/O");
    for (uint32_t i = 0; i < r->nworkers && i < 64; i++) {
        const gs_worker_result *w = &r->workers[i];
        char a[32];
        double life = w->end_ns > w->start_ns ? (double)(w->end_ns - w->start_ns) : 0;
        gs_table_cell(&t, "%s %u%s", gs_mode_singular[r->cfg.mode], w->id, w->failed ? " (failed)" : "");
        gs_table_cell(&t, "%" PRIu64, w->units);
        gs_table_cell(&t, "%" PRIu64, w->instructions);
        gs_table_cell(&t, "%s", gs_fmt_ns(life, a));
        gs_table_cell(&t, "%s", gs_fmt_ns((double)w->cpu_ns, a));
        gs_table_cell(&t, "%" PRIu64, w->lock.acquisitions);
        gs_table_cell(&t, "%.0f%%", life > 0 ? 100.0 * (double)w->lock.wait_ns / life : 0);
        gs_table_cell(&t, "%" PRIu64, w->io_ops);
    }
    fputs("<section id=\"data\"><h2>Each worker</h2>\n", f);
    gs_table_html(f, &t, "data");
    gs_table_free(&t);
    if (r->nworkers > 64)
        fprintf(f, "<p class=\"note\">The first 64 of %u; all of them are in --json.</p>\n", r->nworkers);
    fputs("</section>\n", f);
}

/* What the run's figures mean, each a sentence on the figures above: or,
 * where its own checks reject a figure, why (nothing explains what the
 * measurements reject). */
static void run_conclusions(FILE *f, const gs_experiment *e, const gs_host *h)
{
    const gs_run_summary *s = &e->summaries[e->median];
    const gs_run_config *c = &e->cfg;
    char text[512];
    fputs("<section id=\"means\"><h2>What it means</h2>\n<ul class=\"means\">\n", f);
    gs_verdict v;
    gs_judge(e, &v);
    for (int d = 0; d < GS_DOUBT_COUNT; d++)
        if (gs_verdict_has(&v, (gs_doubt)d)) {
            fputs("<li>", f);
            gs_put_html(f, gs_verdict_say(&v, (gs_doubt)d, c->mode, c->workers, text, sizeof text));
            fputs(": these figures cannot be trusted.</li>\n", f);
        }
    long cores = gs_usable_cores(c, h);
    long ideal = cores < (long)c->workers ? cores : (long)c->workers;
    if (gs_verdict_trusted(&v) && e->have_baseline)
        fprintf(f, "<li>The ideal, one worker's speed times the %u workers as far as the %ld core%s allow, is "
                   "%ld.00x; they ran %.2fx as fast as one, an efficiency of %.0f%%.</li>\n", c->workers, cores,
                cores == 1 ? "" : "s", ideal, e->speedup, 100 * e->efficiency);
    double total = (double)s->cpu_ns + (double)s->core_wait_ns + (double)s->lock_wait_ns + (double)s->io_ns;
    if (s->core_wait_known)
        snprintf(text, sizeof text, "%.0f%%", total > 0 ? 100 * (double)s->core_wait_ns / total : 0);
    else
        snprintf(text, sizeof text, "an unknown share (this kernel keeps no schedstat)");
    if (total > 0)
        fprintf(f, "<li>Of the workers' time, %.0f%% went on a CPU, %.0f%% waiting for the lock, %.0f%% in I/O "
                   "and %s waiting for a core.</li>\n", 100 * (double)s->cpu_ns / total,
                100 * (double)s->lock_wait_ns / total, 100 * (double)s->io_ns / total, text);
    char said[320];
    if (e->checksum_ok == 1 && e->cfg.workload->whole)
        fputs("<li>The checksum was the 1-worker run's once for each worker, as each ran all of the program: no "
              "work was lost.</li>\n", f);
    else if (e->checksum_ok == 1)
        fputs("<li>The checksum matched the 1-worker run's: no work was lost or done twice.</li>\n", f);
    else if (gs_checksum_said(e, said, sizeof said)) /* numbers and our own words: nothing to escape */
        fprintf(f, "<li>The checksum %s%s.</li>\n", e->checksum_ok == 0 ? "" : "was ", said);
    fputs("</ul></section>\n", f);
}

/* Who is who in the run's timeline. */
static void run_caption(const gs_experiment *e, char *buf, size_t size)
{
    const gs_run_config *c = &e->cfg;
    int len = snprintf(buf, size, "The run of %u %s", c->workers,
                       c->workers == 1 ? gs_mode_singular[c->mode] : gs_mode_plural[c->mode]);
    if (e->nruns > 1 && len > 0)
        len += snprintf(buf + len, size - (size_t)len, ", the median of %u runs", e->nruns);
    if (len > 0 && (size_t)len < size)
        snprintf(buf + len, size - (size_t)len, ": %s 0 to %u each ran its share of %s%s.",
                 gs_mode_singular[c->mode], c->workers - 1, c->workload->name,
                 c->mode == GS_MODE_ASYNC ? ", all on one loop in one thread" : "");
}

static void text_of_run(FILE *f, const void *e, const void *h) { gs_report_text(f, e, h, false); }
static void text_of_sweep(FILE *f, const void *s, const void *h) { gs_report_sweep_text(f, s, h); }

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

/* The length of the text's first paragraph: the answer. */
static size_t first_paragraph(const char *text)
{
    const char *gap = strstr(text, "\n\n");
    return gap ? (size_t)(gap - text) : strlen(text);
}

int gs_write_html_run(FILE *f, const gs_experiment *e, const gs_host *h)
{
    char *text = captured(text_of_run, e, h);
    if (!text)
        return -1;
    const gs_run_result *r = &e->runs[e->median];
    const gs_run_summary *s = &e->summaries[e->median];
    gs_page_figure figures[GS_PAGE_MAX_FIGURES];
    uint32_t nfigures = run_figures(e, figures);
    char kicker[300];
    snprintf(kicker, sizeof kicker, "gilsim run: %s", e->cfg.workload->name);
    page_start(f, e->cfg.workload->name);
    page_top(f, kicker, text, first_paragraph(text), figures, nfigures, e->cfg.sim, e->cfg.cores, h);
    fputs("<section id=\"timeline-section\"><h2>Who held the lock when</h2>\n", f);
    char caption[400];
    run_caption(e, caption, sizeof caption);
    if (r->cfg.event_cap)
        gs_svg_timeline(f, r, caption);
    else
        fputs("<p class=\"note\">No events were recorded.</p>\n", f);
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
    run_conclusions(f, e, h);
    glossary(f);
    full_report(f, text + first_paragraph(text));
    page_end(f);
    free(text);
    return 0;
}

/* ---- the sweep page ---- */

int gs_write_html_sweep(FILE *f, const gs_sweep *s, const gs_host *h)
{
    char *notes = NULL, answer[1024];
    size_t len = 0;
    FILE *m = open_memstream(&notes, &len);
    if (!m)
        return -1;
    gs_report_sweep_notes(m, s, h);
    char *text = fclose(m) == 0 ? captured(text_of_sweep, s, h) : NULL;
    if (!text) {
        free(notes);
        return -1;
    }
    gs_sweep_answer(s, h, answer, sizeof answer);
    gs_page_figure figures[GS_PAGE_MAX_FIGURES];
    uint32_t nfigures = 0, top = s->counts[s->ncounts - 1];
    for (uint32_t i = 0; i < s->npoints && nfigures < GS_PAGE_MAX_FIGURES; i++) {
        const gs_sweep_point *p = &s->points[i];
        if (p->workers != top || p->speedup <= 0)
            continue;
        gs_page_figure *fig = &figures[nfigures++];
        snprintf(fig->label, sizeof fig->label, "%u %s%s%.32s vs 1", top, gs_mode_plural[p->mode],
                 s->nworkloads > 1 ? " of " : "", s->nworkloads > 1 ? p->workload->name : "");
        snprintf(fig->value, sizeof fig->value, "%.2f%c", p->speedup, gs_verdict_trusted(&p->verdict) ? 'x' : '?');
    }
    page_start(f, "scaling curves");
    page_top(f, "gilsim sweep: speedup against workers", answer, strlen(answer), figures, nfigures, s->cfg.sim,
             s->cfg.cores, h);
    fputs("<section id=\"curves-section\"><h2>Speedup against workers</h2>\n", f);
    gs_svg_curves(f, s, h);
    fputs("<p class=\"caption\">Each point is the median run of its mode and worker count against one worker of "
          "the same mode; a bar through it spans the repeats' range.</p>\n</section>\n", f);
    gs_table t;
    gs_sweep_table(s, &t);
    fputs("<section id=\"data\"><h2>The points</h2>\n", f);
    gs_table_html(f, &t, "data");
    gs_table_free(&t);
    fputs("</section>\n<section id=\"means\"><h2>What it means</h2>\n<ul class=\"means\">\n", f);
    long cores = gs_usable_cores(&s->cfg, h);
    for (uint32_t i = 0; i < s->npoints; i++) { /* each line at its most workers, against its ideal */
        const gs_sweep_point *p = &s->points[i];
        if (p->workers != top || p->speedup <= 0 || !gs_verdict_trusted(&p->verdict))
            continue;
        long ideal = cores < (long)top ? cores : (long)top;
        fputs("<li>", f);
        fprintf(f, "%u %s", top, gs_mode_plural[p->mode]);
        if (s->nworkloads > 1) {
            fputs(" of ", f);
            gs_put_html(f, p->workload->name);
        }
        fprintf(f, " ran %.2fx as fast as one, %.0f%% of the %ld.00x that %u workers on %ld core%s could: %s.</li>\n",
                p->speedup, 100 * p->speedup / (double)ideal, ideal, top, cores, cores == 1 ? "" : "s",
                p->speedup >= 0.8 * (double)ideal ? "close to the ideal"
                : p->speedup < 1.25 ? "no faster than one: they took turns" : "part of their work overlapped");
    }
    fputs("</ul>\n", f);
    paragraphs(f, notes, strlen(notes));
    fputs("</section>\n", f);
    glossary(f);
    full_report(f, text);
    page_end(f);
    free(notes);
    free(text);
    return 0;
}

/* ---- the demonstration page ---- */

/* Text the demo printed between two of its tables (or its start and its
 * conclusions), as paragraphs, less its first `skip` blocks (at the start:
 * the demo's name, and the machine it ran on, which the top of the page
 * shows already). */
static void demo_text(FILE *f, const char *text, size_t from, size_t to, int skip)
{
    for (; skip > 0 && from < to; skip--) {
        const char *gap = memmem(text + from, to - from, "\n\n", 2);
        from = gap ? (size_t)(gap - text) + 2 : to;
    }
    if (to > from)
        paragraphs(f, text + from, to - from);
}

int gs_write_html_demo(FILE *f, const gs_demo_page *d)
{
    const char *text = d->text;
    const char *means = strstr(text, "\nWhat it means:\n");
    const char *doubt = strstr(text, "\nNo conclusion: ");
    size_t end = means ? (size_t)(means - text) : doubt ? (size_t)(doubt - text) : strlen(text);
    /* the answer: the first conclusion, or why there is none */
    const char *answer = means ? means + strlen("\nWhat it means:\n- ") : doubt ? doubt + 1 : d->about;
    size_t answer_len = strlen(answer);
    const char *answer_end = means ? strstr(answer, "\n- ") : doubt ? strstr(answer, ".\n") : NULL;
    if (answer_end)
        answer_len = (size_t)(answer_end - answer) + (doubt && !means);
    char *headline = strndup(answer, answer_len);
    if (!headline)
        return -1;
    for (char *c = headline; *c; c++)
        if (*c == '\n')
            *c = ' ';
    for (char *c = headline; *c; c++) /* its first sentence: the rest is in the conclusions */
        if (c[0] == '.' && c[1] == ' ' && c[2] >= 'A' && c[2] <= 'Z') {
            c[1] = '\0';
            break;
        }
    char kicker[200];
    snprintf(kicker, sizeof kicker, "gilsim demo %s: %s", d->name, d->about);
    page_start(f, d->name);
    page_top(f, kicker, headline, strlen(headline), d->figures, d->nfigures, d->model, d->pinned, d->host);
    free(headline);
    fputs("<section id=\"report\">\n", f);
    size_t at = 0;
    int skip = d->model || d->pinned ? 2 : 1;
    for (uint32_t i = 0; i < d->ntables && d->tables[i].to <= end; i++) {
        demo_text(f, text, at, d->tables[i].from, skip);
        gs_table_html(f, &d->tables[i].table, "data");
        at = d->tables[i].to;
        skip = 0;
    }
    demo_text(f, text, at, end, skip);
    fputs("</section>\n", f);
    if (d->curves) {
        fputs("<section id=\"curves-section\"><h2>Scaling curves</h2>\n", f);
        gs_svg_curves(f, d->curves, d->host);
        fputs("</section>\n", f);
    }
    if (d->traced && d->traced->nruns) {
        fputs("<section id=\"timeline-section\"><h2>Who held the lock when</h2>\n", f);
        gs_svg_timeline(f, &d->traced->runs[d->traced->median], d->caption);
        fputs("</section>\n", f);
    }
    if (means)
        conclusions(f, means + strlen("\nWhat it means:\n"));
    else if (doubt) {
        fputs("<section id=\"means\"><h2>What it means</h2>\n", f);
        paragraphs(f, doubt + 1, strlen(doubt + 1));
        fputs("</section>\n", f);
    }
    glossary(f);
    page_end(f);
    return 0;
}
