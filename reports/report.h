/* report.h - every output of an experiment.  Reports read results as data
 * and never run anything. */
#ifndef GS_REPORT_H
#define GS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "../sched/experiment.h"

#define GS_JSON_SCHEMA_VERSION 1

typedef struct {
    long cores;       /* online processors: the bound of every speedup */
    char cpu[128];
    char os[200];
} gs_host;

void gs_host_detect(gs_host *h);

/* The terminal report: the answer in one sentence, then the figures.
 * Fits 80 columns. */
void gs_report_text(FILE *out, const gs_experiment *e, const gs_host *h, bool color);

/* The whole experiment as JSON (schema in docs/json-schema.md), to path or
 * "-" for standard output.  A file is written whole or not at all.
 * Returns 0, or -1 with a message. */
int gs_report_json(const char *path, const gs_experiment *e, const gs_host *h, char err[256]);

/* "1.02 s", "5.00 ms", "740 us", "85 ns" */
const char *gs_fmt_ns(double ns, char buf[32]);

#endif
