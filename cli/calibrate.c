/* calibrate.c - `gilsim calibrate`: measures this machine (sched/calibrate.h)
 * and prints the model options that reproduce it in virtual time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../reports/report.h"
#include "../sched/calibrate.h"
#include "../sched/verdict.h"
#include "cli.h"
#include "options.h"

/* A duration as --wake-latency and the others read it. */
static const char *option_ns(uint64_t ns, char buf[32])
{
    if (ns >= 1000000)
        snprintf(buf, 32, "%.2fms", (double)ns / 1e6);
    else if (ns >= 1000)
        snprintf(buf, 32, "%.1fus", (double)ns / 1e3);
    else
        snprintf(buf, 32, "%lluns", (unsigned long long)ns);
    return buf;
}

/* The options for m, on one line, or with wrap as a shell command that
 * fits 80 columns, its lines continued with backslashes. */
static void print_options(FILE *out, const gs_sim_model *m, bool wrap)
{
    char b[32], text[1024];
    int used = snprintf(text, sizeof text, "--cores %u --instruction-ns %.2f", m->cores, m->instruction_ns);
    for (int i = 0; i < GS_SIM_COST_COUNT && used > 0 && (size_t)used < sizeof text; i++)
        used += snprintf(text + used, sizeof text - (size_t)used, " --%s %s", gs_sim_costs[i].option,
                        option_ns(gs_sim_cost_of(m, &gs_sim_costs[i]), b));
    if (!wrap) {
        fprintf(out, "%s\n", text);
        return;
    }
    int col = fprintf(out, "  gilsim run --sim");
    for (const char *p = text; *p;) { /* an option and its value stay on one line */
        size_t opt = strcspn(p, " "), len = opt + 1 + strcspn(p + opt + 1, " ");
        if (col + 1 + (int)len > 76)
            col = fprintf(out, " \\\n   ") - 3;
        col += fprintf(out, " %.*s", (int)len, p);
        p += len + (p[len] == ' ');
    }
    fputc('\n', out);
}

static void step(const char *name, void *arg)
{
    if (gs_run_stopping()) /* Ctrl-C between two measurements: nothing to keep */
        exit(gs_exit_status(GS_ERR_STOPPED));
    if (arg)
        fprintf(stderr, "  measuring %s...\n", name);
}

static void row(const char *what, const char *option, const char *classroom)
{
    printf("  %-38s %-30s %s\n", what, option, classroom);
}

static const char *const measured_what[GS_CAL_COUNT] = {
#define GS_CAL_WHAT(e, what) [GS_CAL_##e] = what,
    GS_CAL_MEASURED(GS_CAL_WHAT)
#undef GS_CAL_WHAT
};

/* The option of a measured cost, and its batches, least to most. */
static void print_spread(const gs_calibration *c, gs_cal_measure k, const char *option)
{
    const gs_cal_spread *s = &c->spread[k];
    char lo[32], hi[32];
    if (s->batches == 0)
        return;
    if (k == GS_CAL_INSTRUCTION)
        printf("  %-18s %.2f .. %.2f", option, s->lo, s->hi);
    else
        printf("  %-18s %s .. %s", option, option_ns((uint64_t)s->lo, lo), option_ns((uint64_t)s->hi, hi));
    printf(" (%d batches)\n", s->batches);
}

static void print_table(const gs_calibration *c)
{
    const gs_sim_model *m = &c->model, *d = &GS_SIM_MODEL_DEFAULT;
    char v[32], o[64], t[32];
    row("measured here", "model option", "default");
    snprintf(o, sizeof o, "--cores %u", m->cores);
    snprintf(t, sizeof t, "%u", d->cores);
    row("cores gilsim may use", o, t);
    snprintf(o, sizeof o, "--instruction-ns %.2f", m->instruction_ns);
    snprintf(t, sizeof t, "%.2f", d->instruction_ns);
    row(measured_what[GS_CAL_INSTRUCTION], o, t);
    struct {
        gs_cal_measure k;
        const char *opt;
        uint64_t value, dflt;
        bool measured;
    } costs[] = {
        {GS_CAL_SYSCALL, "--syscall-cost", m->syscall_ns, d->syscall_ns, true},
        {GS_CAL_WAKE_NONE, "--wake-none-cost", m->wake_none_ns, d->wake_none_ns, true},
        {GS_CAL_SIGNAL, "--signal-cost", m->signal_ns, d->signal_ns, true},
        {GS_CAL_WAKE_FAST, "--wake-fast", m->wake_fast_ns, d->wake_fast_ns, c->wake_measured},
        {GS_CAL_WAKE, "--wake-latency", m->wake_ns, d->wake_ns, c->wake_measured},
        {GS_CAL_COLD, "--cold-cost", m->cold_ns, d->cold_ns, true},
        {GS_CAL_SWITCH, "--switch-cost", m->switch_ns, d->switch_ns, true},
        {GS_CAL_TIMER, "--timer-latency", m->timer_ns, d->timer_ns, true},
        {GS_CAL_TIMER_CPU, "--timer-cost", m->timer_cpu_ns, d->timer_cpu_ns, true},
        {GS_CAL_SLICE, "--time-slice", m->slice_ns, d->slice_ns, c->slice_measured},
        {GS_CAL_FILE_IO, "--file-io", m->file_io_ns, d->file_io_ns, true},
        {GS_CAL_THREAD, "--thread-cost", m->thread_start_ns, d->thread_start_ns, true},
        {GS_CAL_FORK, "--fork-cost", m->fork_ns, d->fork_ns, true},
        {GS_CAL_COLLECT, "--collect-cost", m->collect_ns, d->collect_ns, true},
        {GS_CAL_LINE, "--line-transfer", m->line_ns, d->line_ns, c->line_measured},
        {GS_CAL_LOCK, "--lock-cost", m->lock_op_ns, d->lock_op_ns, true},
    };
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++) {
        char b[32];
        snprintf(o, sizeof o, "%s %s%s", costs[i].opt, option_ns(costs[i].value, b),
                 costs[i].measured ? "" : " (default)");
        row(measured_what[costs[i].k], o, option_ns(costs[i].dflt, t));
    }
    printf("\nEach cost is the least of its batches, each batch a median, taken in rounds of\n"
           "one batch of every cost: other programs, a cold cache or a slower clock only\n"
           "ever add time, so the least disturbed batch is nearest this machine's own cost;\n"
           "a signal, the quick wake-up, the cold caches, a user lock's take or release\n"
           "and a thread's start take the mean of the middle half of the batches (a batch\n"
           "may catch the other thread still awake, signals that woke nobody are left\n"
           "out, the quick wake-ups come in two groups, the cold caches and the user lock\n"
           "are differences of two times, and a run pays all its starts), the wake-up\n"
           "after an idle and the cache line the lower quartile (the host moves the two\n"
           "CPUs nearer or farther now and then), the slice the mean of its two spinners.\n"
           "The batches, least .. most (a wide spread says the machine was not quiet):\n");
    print_spread(c, GS_CAL_INSTRUCTION, "--instruction-ns");
    for (size_t i = 0; i < sizeof costs / sizeof costs[0]; i++)
        if (costs[i].measured)
            print_spread(c, costs[i].k, costs[i].opt);
    printf("\nNot measured here, so at their defaults in the options below:\n");
    for (int i = 0; i < GS_SIM_COST_COUNT; i++) {
        const gs_sim_cost *sc = &gs_sim_costs[i];
        bool measured = false;
        for (size_t k = 0; k < sizeof costs / sizeof costs[0]; k++)
            measured |= strcmp(costs[k].opt + 2, sc->option) == 0;
        if (!measured) {
            snprintf(o, sizeof o, "--%s %s", sc->option, option_ns(gs_sim_cost_of(m, sc), v));
            printf("  %-27s %s\n", o, sc->what);
        }
    }
    printf("\nThe defaults are a classroom's machine: a laptop of 8 cores (README, \"Modelled\n"
           "machines\").\n");
    if (!c->wake_measured)
        printf("\nOne CPU only: the wake-ups across cores keep their defaults.\n");
    if (!c->slice_measured)
        printf("\nThe kernel never took the core from a spinner: the time slice keeps its default.\n");
    printf("\nThe raw hand-offs: %s between two cores, %s on one.\n", gs_fmt_ns((double)c->handoff_two_ns, v),
           gs_fmt_ns((double)c->handoff_one_ns, t));
    printf("\nVirtual time like this machine:\n");
    print_options(stdout, m, true);
}

gs_status gs_cli_calibrate(int argc, char **argv)
{
    gs_cli_options o;
    int rc = gs_cli_parse(argc, argv, GS_CMD_CALIBRATE, &o);
    if (rc != 0)
        return rc > 0 ? GS_OK : GS_ERR_USAGE;
    bool quiet = o.quiet;
    if (!quiet)
        fprintf(stderr, "Calibrating: real time, a few seconds.\n");
    gs_calibration c;
    char err[GS_ERRMSG_MAX];
    if (gs_calibrate(&c, step, quiet ? NULL : &c, err) != 0) {
        fprintf(stderr, "gilsim calibrate: %s\n", err);
        return GS_ERR_FAILED;
    }
    if (c.others_share > GS_BUSY_SHARE_MAX) { /* what was measured is partly other programs' */
        fprintf(stderr, "gilsim calibrate: this machine was busy: other programs used %.0f%% of its cores while "
                        "it was measured, so the costs %s too high; %s\n", 100 * c.others_share,
                o.strict ? "would be" : "below may be",
                o.strict ? "no options printed (--strict): run it again when the machine is idle"
                         : "run it again when the machine is idle (--strict refuses instead)");
        if (o.strict)
            return GS_ERR_FAILED;
    } else if (!c.others_known && !quiet) {
        fprintf(stderr, "gilsim calibrate: how busy this machine was cannot be read (no /proc/stat)\n");
    }
    if (quiet)
        print_options(stdout, &c.model, false);
    else
        print_table(&c);
    return GS_OK;
}
