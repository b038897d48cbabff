/* html.h - the classroom page: one self-contained HTML file for a run, a
 * sweep or a demonstration (see html.c).  Each writes the page to f and
 * returns 0, or -1 when out of memory; where f goes is output.h's
 * business. */
#ifndef GS_HTML_H
#define GS_HTML_H

#include "report.h"

/* A run: the answer, key figures, the timeline, each worker, the report. */
int gs_write_html_run(FILE *f, const gs_experiment *e, const gs_host *h);

/* A sweep: the scaling curves and the points. */
int gs_write_html_sweep(FILE *f, const gs_sweep *s, const gs_host *h);

/* A demonstration: its printed text (name, introduction, figures, "What it
 * means:" and its points), with the curves of its sweep and the timeline
 * of its traced run when it has them (NULL when not). */
int gs_write_html_demo(FILE *f, const char *name, const char *text, const gs_experiment *traced,
                       const gs_sweep *curves, const gs_host *h);

#endif
