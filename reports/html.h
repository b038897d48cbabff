/* html.h - the classroom page: one self-contained HTML file for a run, a
 * sweep or a demonstration (see html.c).  Each follows the output-path
 * rules of the other outputs (output.h) and returns 0, or -1 with a
 * message. */
#ifndef GS_HTML_H
#define GS_HTML_H

#include "report.h"

/* A run: the answer, key figures, the timeline, each worker, the report. */
int gs_report_html_run(const char *path, const gs_experiment *e, const gs_host *h, char err[256]);

/* A sweep: the scaling curves and the points. */
int gs_report_html_sweep(const char *path, const gs_sweep *s, const gs_host *h, char err[256]);

/* A demonstration: its printed text (name, introduction, figures, "What it
 * means:" and its points), with the curves of its sweep and the timeline
 * of its traced run when it has them (NULL when not). */
int gs_report_html_demo(const char *path, const char *name, const char *text, const gs_experiment *traced,
                        const gs_sweep *curves, const gs_host *h, char err[256]);

#endif
