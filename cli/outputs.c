/* outputs.c - a command's files (see outputs.h). */
#include <stdio.h>
#include <string.h>

#include "../reports/html.h"
#include "outputs.h"

const char *const gs_out_flags[GS_OUT_COUNT] = {
#define GS_OUT_FLAG(e, option, cmds, dash, run, sweep) [GS_OUT_##e] = "--" option,
    GS_OUTPUT_KINDS(GS_OUT_FLAG)
#undef GS_OUT_FLAG
};

const char *const gs_out_options[GS_OUT_COUNT] = {
#define GS_OUT_OPTION(e, option, cmds, dash, run, sweep) [GS_OUT_##e] = option,
    GS_OUTPUT_KINDS(GS_OUT_OPTION)
#undef GS_OUT_OPTION
};

const unsigned gs_out_commands[GS_OUT_COUNT] = {
#define GS_OUT_COMMANDS(e, option, cmds, dash, run, sweep) [GS_OUT_##e] = cmds,
    GS_OUTPUT_KINDS(GS_OUT_COMMANDS)
#undef GS_OUT_COMMANDS
};

const bool gs_out_dash_ok[GS_OUT_COUNT] = {
#define GS_OUT_DASH(e, option, cmds, dash, run, sweep) [GS_OUT_##e] = dash,
    GS_OUTPUT_KINDS(GS_OUT_DASH)
#undef GS_OUT_DASH
};

/* What writes each kind for a run and for a sweep. */
static const struct {
    int (*run)(FILE *, const gs_experiment *, const gs_host *);
    int (*sweep)(FILE *, const gs_sweep *, const gs_host *);
} writers[GS_OUT_COUNT] = {
#define GS_OUT_WRITERS(e, option, cmds, dash, run, sweep) [GS_OUT_##e] = {run, sweep},
    GS_OUTPUT_KINDS(GS_OUT_WRITERS)
#undef GS_OUT_WRITERS
};

/* Every opened output of the set, with its flag, for the same-file check. */
static size_t opened(gs_cli_outputs *o, gs_output *list[], const char *flag[])
{
    size_t n = 0;
    for (int k = 0; k < GS_OUT_COUNT; k++) {
        if (!o->open[k])
            continue;
        if (k == GS_OUT_PLOT) {
            gs_output *three[] = {&o->plot.picture, &o->plot.data, &o->plot.script};
            for (int i = 0; i < 3; i++, n++) {
                list[n] = three[i];
                flag[n] = gs_out_flags[k];
            }
        } else {
            list[n] = &o->out[k];
            flag[n++] = gs_out_flags[k];
        }
    }
    return n;
}

static void abandon(gs_cli_outputs *o, int k)
{
    if (!o->open[k])
        return;
    if (k == GS_OUT_PLOT)
        gs_plot_files_abandon(&o->plot);
    else
        gs_output_abandon(&o->out[k]);
    o->open[k] = false;
}

void gs_cli_output_skip(gs_cli_outputs *o, gs_out_kind k)
{
    abandon(o, (int)k);
}

int gs_cli_outputs_open(gs_cli_outputs *o)
{
    char err[GS_ERRMSG_MAX];
    for (int k = 0; k < GS_OUT_COUNT; k++) {
        if (!o->path[k])
            continue;
        int rc = k == GS_OUT_PLOT ? gs_plot_files_open(&o->plot, o->path[k], err)
                                  : gs_output_open(&o->out[k], o->path[k], err);
        if (rc == 0 && k == GS_OUT_PLOT) {
            o->plot.width = o->plot_width;
            o->plot.height = o->plot_height;
        }
        if (rc != 0) {
            fprintf(stderr, "gilsim: %s: %s\n", gs_out_flags[k], err);
            for (int i = 0; i < k; i++)
                abandon(o, i);
            return -1;
        }
        o->open[k] = true;
    }
    gs_output *list[GS_OUT_COUNT + 2];
    const char *flag[GS_OUT_COUNT + 2];
    size_t n = opened(o, list, flag);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < i; k++) {
            if (!gs_output_same(list[k], list[i]))
                continue;
            if (list[i]->kind == GS_OUTPUT_FD && list[i]->named_fd == 1)
                fprintf(stderr, "gilsim: %s and %s cannot both go to standard output (see gilsim --help)\n",
                        flag[k], flag[i]);
            else if (flag[k] == flag[i])
                fprintf(stderr, "gilsim: %s: the picture, its .dat and its .gp must be three files\n", flag[i]);
            else
                fprintf(stderr, "gilsim: %s and %s name the same file%s (see gilsim --help)\n", flag[k], flag[i],
                        flag[i] == gs_out_flags[GS_OUT_PLOT] || flag[k] == gs_out_flags[GS_OUT_PLOT]
                            ? " (--plot writes its picture, a .dat and a .gp)" : "");
            for (int j = 0; j < GS_OUT_COUNT; j++)
                abandon(o, j);
            return -1;
        }
    return 0;
}

bool gs_cli_outputs_take_stdout(const gs_cli_outputs *o)
{
    for (int k = 0; k < GS_OUT_COUNT; k++)
        if (o->open[k] && k != GS_OUT_PLOT && o->out[k].kind == GS_OUTPUT_FD && o->out[k].named_fd == 1)
            return true;
    return false;
}

int gs_cli_output_write(gs_cli_outputs *o, gs_out_kind k, int (*writer)(FILE *, const void *, const void *),
                        const void *a, const void *b)
{
    if (!o->open[k])
        return 0;
    char err[GS_ERRMSG_MAX];
    o->open[k] = false;
    int rc = gs_output_begin(&o->out[k], err);
    if (rc != 0)
        gs_output_abandon(&o->out[k]);
    else
        rc = gs_output_close(&o->out[k], writer(o->out[k].f, a, b) == 0, err);
    if (rc != 0)
        fprintf(stderr, "gilsim: %s\n", err);
    o->written[k] = rc == 0;
    o->failed[k] = rc != 0;
    return rc;
}

int gs_cli_output_plot(gs_cli_outputs *o, const gs_sweep *s, const gs_host *h, gs_plot_metric metric)
{
    if (!o->open[GS_OUT_PLOT])
        return 0;
    char err[GS_ERRMSG_MAX];
    o->open[GS_OUT_PLOT] = false;
    int rc = gs_report_plot(&o->plot, metric, s, h, err);
    if (rc != 0)
        fprintf(stderr, "gilsim: %s\n", err);
    o->written[GS_OUT_PLOT] = rc == 0;
    o->failed[GS_OUT_PLOT] = rc != 0;
    return rc;
}

/* The typed writers, as gs_cli_output_write takes them. */
typedef struct {
    int (*run)(FILE *, const gs_experiment *, const gs_host *);
    int (*sweep)(FILE *, const gs_sweep *, const gs_host *);
} typed;

static int call_run(FILE *f, const void *w, const void *args)
{
    const void *const *a = args;
    return ((const typed *)w)->run(f, a[0], a[1]);
}

static int call_sweep(FILE *f, const void *w, const void *args)
{
    const void *const *a = args;
    return ((const typed *)w)->sweep(f, a[0], a[1]);
}

void gs_cli_outputs_write_run(gs_cli_outputs *o, const gs_experiment *e, const gs_host *h)
{
    const void *args[] = {e, h};
    for (int k = 0; k < GS_OUT_COUNT; k++)
        if (writers[k].run)
            gs_cli_output_write(o, (gs_out_kind)k, call_run, &writers[k], args);
}

void gs_cli_outputs_write_sweep(gs_cli_outputs *o, const gs_sweep *s, const gs_host *h, gs_plot_metric metric)
{
    const void *args[] = {s, h};
    for (int k = 0; k < GS_OUT_COUNT; k++)
        if (writers[k].sweep)
            gs_cli_output_write(o, (gs_out_kind)k, call_sweep, &writers[k], args);
    gs_cli_output_plot(o, s, h, metric);
}

int gs_cli_outputs_finish(gs_cli_outputs *o)
{
    int asked = 0, failed = 0;
    for (int k = 0; k < GS_OUT_COUNT; k++) {
        abandon(o, k);
        asked += o->written[k] || o->failed[k];
        failed += o->failed[k];
    }
    if (failed && asked > 1) {
        char written[512] = "", missing[512] = "";
        for (int k = 0; k < GS_OUT_COUNT; k++) {
            char *list = o->written[k] ? written : o->failed[k] ? missing : NULL;
            if (list)
                snprintf(list + strlen(list), 512 - strlen(list), "%s%s %s", list[0] ? ", " : "", gs_out_flags[k],
                         k == GS_OUT_PLOT ? o->plot.picture.name : o->out[k].name);
        }
        fprintf(stderr, "gilsim: written: %s; not written: %s\n", written[0] ? written : "none", missing);
    }
    return failed ? -1 : 0;
}
