/* svg.h - the classroom page's pictures (private to reports/). */
#ifndef GS_SVG_H
#define GS_SVG_H

#include <stdio.h>

#include "report.h"

/* Who did what when in run r: a row per worker (the first 24), a column
 * per moment, coloured by what the worker did most then; each stretch has
 * a tooltip with its times; caption (NULL: none) below says which run it
 * is and who is who. */
void gs_svg_timeline(FILE *f, const gs_run_result *r, const char *caption);

/* Speedup against workers: a line per mode and workload with the repeats'
 * range as error bars, the ideal line and the cores, each in the legend. */
void gs_svg_curves(FILE *f, const gs_sweep *s, const gs_host *h);

#endif
