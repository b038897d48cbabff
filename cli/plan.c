/* plan.c - `gilsim sweep ... --plan FILE [--slurm FILE]` writes the sweep
 * as a plan, one command line a point; `gilsim sweep ... --point K` runs
 * one of them and writes its result (docs/sweep.md, "Plans"; the formats
 * are reports/plan.h's). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../reports/escape.h"
#include "../reports/output.h"
#include "../reports/plan.h"
#include "sweep.h"

typedef int (*writer)(FILE *f, const void *arg);

/* Writes one file as every output is written (reports/output.h: opened by
 * the kernel, a temporary renamed into place).  Returns 0, or -1 after
 * saying why. */
static int write_file(const char *path, writer write, const void *arg)
{
    gs_output out;
    char err[GS_ERRMSG_MAX];
    if (gs_output_open(&out, path, err) != 0 || gs_output_begin(&out, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    bool ok = write(out.f, arg) == 0;
    if (gs_output_close(&out, ok, err) != 0) {
        fprintf(stderr, "gilsim: %s\n", err);
        return -1;
    }
    return 0;
}

typedef struct {
    const gs_sweep *s;
    const char *plan_path;
    uint64_t id;
} plan_args;

static int write_plan(FILE *f, const void *arg)
{
    const plan_args *a = arg;
    return gs_write_plan(f, a->s->argc, a->s->argv, gs_sweep_npoints(a->s));
}

static int write_slurm(FILE *f, const void *arg)
{
    const plan_args *a = arg;
    return gs_write_slurm(f, a->plan_path, a->id, gs_sweep_npoints(a->s));
}

/* The plan in a command to paste: a shell word (a path is data: pasted,
 * `a b; c` stays one name), shown as a label would be; PLAN for standard
 * output, which has no name. */
static void put_plan(FILE *f, const char *plan)
{
    if (strcmp(plan, "-") == 0)
        fputs("PLAN", f);
    else
        gs_put_sh_shown(f, plan);
}

gs_status gs_cli_sweep_plan(gs_cli_sweep_setup *u)
{
    const gs_sweep *s = &u->s;
    if (!s->argv) {
        fprintf(stderr, "gilsim: out of memory for the plan's command line\n");
        return GS_ERR_FAILED;
    }
    for (int i = 1; i < s->argc; i++)
        if (!gs_sh_can_word(s->argv[i])) { /* a plan is one command a line */
            fprintf(stderr, "gilsim: --plan: argument %d holds a control character (a line end, a tab, an escape), "
                            "which no line of a plan can hold; rename the file it names\n", i);
            return GS_ERR_USAGE;
        }
    plan_args a = {s, u->o.plan, gs_plan_id(s->argc, s->argv)};
    uint32_t n = gs_sweep_npoints(s);
    if (write_file(u->o.plan, write_plan, &a) != 0 || (u->o.slurm && write_file(u->o.slurm, write_slurm, &a) != 0))
        return GS_ERR_FAILED;
    if (!s->cfg.sim)
        fputs("gilsim: warning: a real-time plan: each point is measured on the machine that\n"
              "  runs it, at that time, beside whatever else runs there; points from different\n"
              "  machines, or run beside each other, do not compare (gilsim merge names the\n"
              "  hosts). Run them one at a time on one idle machine, or plan with --sim, where\n"
              "  every point gives the same bytes anywhere.\n",
              stderr);
    if (u->o.quiet)
        return GS_OK;
    FILE *say = strcmp(u->o.plan, "-") == 0 ? stderr : stdout;
    fputs("plan: ", say);
    gs_put_sh_shown(say, u->o.plan);
    fprintf(say, ", %" PRIu32 " point%s (plan %016" PRIx64 ").\nRun each line where the files it names are; here, "
                 "two at a time:\n  parallel -j 2 < ",
            n, n == 1 ? "" : "s", a.id);
    put_plan(say, u->o.plan);
    if (u->o.slurm) {
        fputs("\nor on Slurm:\n  sbatch --wait ", say);
        gs_put_sh_shown(say, u->o.slurm);
    }
    fputs("\nthen merge their results:\n  gilsim merge ", say);
    put_plan(say, u->o.plan);
    fprintf(say, " gilsim-%016" PRIx64 "-*.point --csv sweep.csv\n", a.id);
    return GS_OK;
}

static int write_result(FILE *f, const void *arg) { return gs_write_point_result(f, arg); }

static void keep_baseline(const char *path, uint64_t plan, uint32_t w, uint32_t m, const gs_sweep_baseline *b)
{
    gs_output out;
    char err[GS_ERRMSG_MAX];
    if (gs_output_open(&out, path, err) != 0)
        return;
    if (gs_output_begin(&out, err) != 0) {
        gs_output_abandon(&out);
        return;
    }
    gs_output_close(&out, gs_write_baseline(out.f, plan, w, m, b) == 0, err);
}

gs_status gs_cli_sweep_point(gs_cli_sweep_setup *u)
{
    const gs_sweep *s = &u->s;
    uint32_t n = gs_sweep_npoints(s);
    if (u->o.point > n) {
        fprintf(stderr, "gilsim: --point %" PRIu32 ": this sweep has %" PRIu32 " point%s\n", u->o.point, n,
                n == 1 ? "" : "s");
        return GS_ERR_USAGE;
    }
    if (!s->argv) {
        fprintf(stderr, "gilsim: out of memory for the point's command line\n");
        return GS_ERR_FAILED;
    }
    gs_host host;
    gs_host_detect(&host);
    static gs_point_result r; /* off the stack, as every point's figures are */
    r = (gs_point_result){.plan = gs_plan_id(s->argc, s->argv), .k = u->o.point, .n = n};
    snprintf(r.version, sizeof r.version, "%s", GILSIM_VERSION);
    size_t len = strlen(host.name) < sizeof r.host - 1 ? strlen(host.name) : sizeof r.host - 1;
    for (size_t i = 0; i < len; i++) /* a word of the result: no space, nothing a terminal acts on */
        r.host[i] = host.name[i] > ' ' && host.name[i] < 0x7f ? host.name[i] : '?';
    char err[GS_ERRMSG_MAX], path[64];
    static gs_sweep_baseline base;
    uint32_t w, m, c;
    gs_sweep_point_at(s, u->o.point - 1, &w, &m, &c);
    snprintf(path, sizeof path, "gilsim-%016" PRIx64 "-baseline-%" PRIu32 "-%" PRIu32, r.plan, w, m);
    FILE *cached = fopen(path, "r");
    if (!cached || gs_read_baseline(cached, r.plan, w, m, &base) != 0)
        base.have = false;
    if (cached)
        fclose(cached);
    bool had = base.have;
    if (gs_sweep_run_point(s, u->o.point - 1, &base, &r.point, err) != 0) {
        fprintf(stderr, "gilsim: point %" PRIu32 ": %s\n", u->o.point, err);
        return gs_run_stopping() ? GS_ERR_STOPPED : GS_ERR_FAILED;
    }
    if (!had) /* for the points of its mode still to run here (a cache: a failure costs only time) */
        keep_baseline(path, r.plan, w, m, &base);
    r.point.workload = NULL;
    snprintf(path, sizeof path, "gilsim-%016" PRIx64 "-%" PRIu32 ".point", r.plan, r.k);
    /* A point whose workers failed is still a point of the sweep: its
     * result says so, and gilsim merge exits 1 as gilsim sweep would.
     * Exiting 0 here lets a Slurm task go on to its next point. */
    return write_file(u->o.result ? u->o.result : path, write_result, &r) != 0 ? GS_ERR_FAILED : GS_OK;
}
