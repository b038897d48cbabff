/* html.h - the classroom page: one self-contained HTML file for a run, a
 * sweep or a demonstration (see html.c).  Each writes the page to f and
 * returns 0, or -1 when out of memory; where f goes is output.h's
 * business. */
#ifndef GS_HTML_H
#define GS_HTML_H

#include "report.h"
#include "table.h"

/* A run: the answer, key figures, the timeline, each worker, the report. */
int gs_write_html_run(FILE *f, const gs_experiment *e, const gs_host *h);

/* A sweep: the answer, key figures, the scaling curves and the points. */
int gs_write_html_sweep(FILE *f, const gs_sweep *s, const gs_host *h);

enum { GS_PAGE_MAX_TABLES = 4, GS_PAGE_MAX_FIGURES = 6 };

/* A key figure: "8 processes", "7.20x". */
typedef struct {
    char label[64], value[48];
} gs_page_figure;

/* A table a demonstration printed, and where in its text it printed it
 * (bytes [from, to)), so the page shows it there as a table. */
typedef struct {
    gs_table table;
    size_t from, to;
} gs_page_table;

/* A demonstration: what it printed (name, introduction, tables, notes,
 * "What it means:" and its points, or "No conclusion: ..."), its tables
 * and key figures, the curves of its sweep and the timeline of its traced
 * run with a caption (NULL when it has none), and its machine: model in
 * virtual time (NULL: real, pinned to `pinned` cores or 0). */
typedef struct {
    const char *name, *about;
    const char *text;
    const gs_page_table *tables;
    uint32_t ntables;
    const gs_page_figure *figures;
    uint32_t nfigures;
    const gs_experiment *traced;
    const char *caption;
    const gs_sweep *curves;
    const gs_sim_model *model;
    uint32_t pinned;
    const gs_host *host;
} gs_demo_page;

int gs_write_html_demo(FILE *f, const gs_demo_page *page);

#endif
