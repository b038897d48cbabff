/* test_plan.c - a sweep split into a plan, its points run anywhere (a
 * shell, GNU Parallel, Slurm), and merged: the same bytes as the sweep run
 * here, in virtual time; every wrong merge refused with the point named;
 * names in a plan stay names. */
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../reports/plan.h"
#include "cli_helpers.h"
#include "testdir.h"

/* The sweep every test plans: two workloads, three modes, three counts. */
#define SWEEP "sweep --sim --workloads countdown,io-bound --workers 1,2,3 --work 120 --cores 2"
#define NPOINTS 18
#define OUTPUTS "--csv out.csv --json out.json --html out.html --plot out.svg"
static const char *const outputs[] = {"out.csv", "out.json", "out.html", "out.svg", "out.gp", "out.dat"};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[4][1 << 20];
    static int next;
    char *b = buf[next++ % 4];
    size_t n = fread(b, 1, sizeof buf[0] - 1, f);
    b[n] = '\0';
    fclose(f);
    if (len)
        *len = n;
    return b;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    if (!x || !y)
        fail_msg("%s or %s is missing", a, b);
    if (la != lb || memcmp(x, y, la) != 0)
        fail_msg("%s and %s differ", a, b);
}

static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static bool have(const char *program)
{
    return sh("command -v %s > /dev/null 2>&1", program) == 0;
}

static int count_files(const char *glob)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s 2>/dev/null | wc -l", glob);
    FILE *p = popen(cmd, "r");
    int n = 0;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

/* The local sweep's outputs and terminal report, in local/. */
static void local_sweep(const char *sweep)
{
    char args[1024], *out;
    assert_int_equal(sh("rm -rf local && mkdir local"), 0);
    snprintf(args, sizeof args, "%s " OUTPUTS, sweep);
    assert_int_equal(chdir("local"), 0);
    assert_int_equal(run(args, NULL, &out), 0);
    write_file("report.txt", out, strlen(out));
    assert_int_equal(chdir(".."), 0);
}

/* A plan in a fresh folder run/, whose points are run by the shell
 * command given (in run/). */
static void plan_and_run(const char *sweep, const char *runner)
{
    char args[1024];
    assert_int_equal(sh("rm -rf run && mkdir run"), 0);
    assert_int_equal(chdir("run"), 0);
    snprintf(args, sizeof args, "%s --plan plan.txt --slurm job.sh", sweep);
    char *err;
    assert_int_equal(run(args, &err, NULL), 0);
    assert_int_equal(sh("%s", runner), 0);
    assert_int_equal(chdir(".."), 0);
}

/* Merges run/'s results in merged/ with the local sweep's outputs, and
 * checks every byte against local/. */
static void merge_and_compare(const char *results)
{
    char args[1024], *out;
    assert_int_equal(sh("rm -rf merged && mkdir merged"), 0);
    assert_int_equal(chdir("merged"), 0);
    snprintf(args, sizeof args, "merge ../run/plan.txt %s " OUTPUTS, results);
    assert_int_equal(run(args, NULL, &out), 0);
    write_file("report.txt", out, strlen(out));
    assert_int_equal(chdir(".."), 0);
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "local/%s", outputs[i]);
        snprintf(b, sizeof b, "merged/%s", outputs[i]);
        assert_same_file(a, b);
    }
    assert_same_file("local/report.txt", "merged/report.txt");
}

/* The plan is the sweep's command, a line a point; its points run one by
 * one by the shell give back the local sweep's CSV, JSON, page, plot and
 * terminal report byte for byte; a point run again gives the same bytes,
 * and replaces its result. */
static void test_merge_gives_the_local_sweeps_bytes(void **state)
{
    (void)state;
    local_sweep(SWEEP);
    plan_and_run(SWEEP, "sh plan.txt");
    char *plan = slurp("run/plan.txt", NULL);
    int lines = 0;
    for (char *c = plan; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, NPOINTS);
    assert_non_null(strstr(plan, "gilsim sweep --sim --workloads countdown,io-bound --workers 1,2,3 --work 120 "
                                 "--cores 2 --point 1\n"));
    assert_null(strstr(plan, "--plan")); /* nothing of where it was planned */
    assert_int_equal(count_files("run/gilsim-*.point"), NPOINTS);
    merge_and_compare("../run/gilsim-*.point");
    merge_and_compare("../run"); /* a folder: every result of the plan in it */

    /* each workload and mode's baseline ran once and was kept for the
     * mode's other points */
    assert_int_equal(count_files("run/gilsim-*-baseline-*"), 6);
    /* point 8 (countdown, async, 2 tasks) again, with its kept baseline
     * damaged, then from another plan: the point runs its baseline itself
     * and writes the same bytes */
    assert_int_equal(sh("cd run && cp gilsim-*-8.point eight && "
                        "for b in gilsim-*-baseline-0-2; do head -c 300 $b > cut && mv cut $b; done && "
                        "sh -c \"$(sed -n 8p plan.txt)\" && cmp eight gilsim-*-8.point"), 0);
    assert_int_equal(sh("cd run && for b in gilsim-*-baseline-0-2; do "
                        "sed 's/^\\(gilsim-baseline 1 [^ ]*\\) [^ ]*/\\1 0000000000000001/' $b > o && mv o $b; "
                        "done && sh -c \"$(sed -n 8p plan.txt)\" && cmp eight gilsim-*-8.point"), 0);
    /* and it is read: another workload's baseline put in its place
     * changes the point's speedup */
    assert_int_equal(sh("cd run && for b in gilsim-*-baseline-0-2; do "
                        "sed 's/^\\(gilsim-baseline 1 [^ ]* [^ ]*\\) 1 2 /\\1 0 2 /' gilsim-*-baseline-1-2 > $b; "
                        "done && sh -c \"$(sed -n 8p plan.txt)\""), 0);
    assert_int_not_equal(sh("cd run && cmp -s eight gilsim-*-8.point"), 0);
    assert_int_equal(count_files("run/gilsim-*.point"), NPOINTS);
}

/* --result - puts a point's result on standard output: many points in one
 * file (as GNU Parallel gathers them from other hosts) merge the same. */
static void test_results_gathered_in_one_file(void **state)
{
    (void)state;
    local_sweep(SWEEP);
    plan_and_run(SWEEP, "while read -r line; do sh -c \"$line --result -\"; done < plan.txt > all.points");
    assert_int_equal(count_files("run/gilsim-*.point"), 0);
    merge_and_compare("../run/all.points");
}

static void assert_refused(const char *results, const char *says)
{
    char args[1024], *err;
    assert_int_equal(sh("rm -f merged/out.csv"), 0);
    snprintf(args, sizeof args, "merge run/plan.txt %s --csv merged/out.csv", results);
    int rc = run(args, &err, NULL);
    if (rc != 2 || !strstr(err, says))
        fail_msg("merge %s: exit %d, said:\n%s\n(wanted exit 2 and '%s')", results, rc, err, says);
    assert_non_null(strstr(err, "nothing written"));
    struct stat st;
    assert_int_not_equal(stat("merged/out.csv", &st), 0);
}

/* A merge needs every point of the plan once, from this plan and this
 * gilsim: otherwise it names what is wrong, writes nothing, exits 2. */
/* A point's result line carries its verdict whole: a real run's doubts
 * and the figures their sentences say, the stacked share among them. */
static void test_point_result_keeps_the_verdict(void **state)
{
    (void)state;
    gs_point_result r = {.plan = 0x0123456789abcdefull, .k = 2, .n = 3}, back;
    snprintf(r.version, sizeof r.version, "%s", "1.2.3");
    snprintf(r.host, sizeof r.host, "%s", "node7");
    r.point.workers = 2;
    r.point.verdict = (gs_verdict){.doubts = 1u << GS_DOUBT_STACKED, .stacked_share = 0.375, .stacked_sure = true,
                                   .busy_share = 0.125};
    char *line = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&line, &len);
    assert_non_null(f);
    assert_int_equal(gs_write_point_result(f, &r), 0);
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    char err[GS_ERRMSG_MAX];
    if (gs_read_point_result(line, &back, err) != 0)
        fail_msg("%s", err);
    assert_int_equal(back.point.verdict.doubts, 1u << GS_DOUBT_STACKED);
    assert_true(back.point.verdict.stacked_share == 0.375 && back.point.verdict.stacked_sure);
    assert_true(back.point.verdict.busy_share == 0.125);
    assert_string_equal(back.host, "node7");
    free(line);
}

static void test_merge_names_what_is_wrong(void **state)
{
    (void)state;
    plan_and_run(SWEEP, "sh plan.txt");
    assert_int_equal(sh("mkdir -p merged && mkdir -p part && cp run/gilsim-*.point part/ && "
                        "rm part/*-2.point part/*-5.point part/*-6.point"), 0);
    assert_refused("part/*.point", "3 of the 18 points of run/plan.txt have no result: lines 2, 5-6 of the plan");
    assert_refused("run/gilsim-*.point run/gilsim-*-4.point", "point 4 is in both");
    /* another plan's point: the same sweep with other work */
    assert_int_equal(sh("mkdir -p other && cd other && %s sweep --sim --workloads countdown,io-bound "
                        "--workers 1,2,3 --work 121 --cores 2 --point 4", GS_GILSIM), 0);
    assert_refused("part/*.point other/*.point", "point 4 of another plan");
    /* another gilsim's */
    assert_int_equal(sh("sed 's/^gilsim-point 2 [^ ]*/gilsim-point 2 0.0.1/' run/gilsim-*-2.point > old.point"),
                     0);
    assert_refused("part/*.point old.point", "was made by gilsim 0.0.1");
    /* a damaged result, and what is not one at all */
    assert_int_equal(sh("cut -c1-200 run/gilsim-*-2.point > cut.point && echo hello > hello.point"), 0);
    assert_refused("part/*.point cut.point", "damaged");
    assert_refused("part/*.point hello.point", "hello.point:1: not a point's result");
    assert_int_equal(sh("head -c 100000 /dev/zero | tr '\\0' x > long.point"), 0);
    assert_refused("part/*.point long.point", "long.point:1: a line longer than any point's result");
    assert_refused("part", "3 of the 18 points");
    assert_refused("other", "holds no result of this plan");
    /* a result that claims another place in the plan */
    assert_int_equal(sh("sed 's/^\\(gilsim-point 2 [^ ]* [^ ]*\\) 2 /\\1 5 /' run/gilsim-*-2.point > moved.point"),
                     0);
    assert_refused("run/gilsim-*-[0-46-9].point run/gilsim-*-1?.point moved.point", "where the plan's point 5");
    /* a plan with an edited line */
    assert_int_equal(sh("cp run/plan.txt good.txt && sed -i '3s/--work 120/--work 99/' run/plan.txt"), 0);
    assert_refused("run/gilsim-*.point", "run/plan.txt:3: not line 3 of a plan");
    assert_int_equal(sh("mv good.txt run/plan.txt"), 0);
    char *err;
    assert_int_equal(run("merge run/plan.txt", &err, NULL), 2);
    assert_non_null(strstr(err, "needs the points' results"));
    assert_int_equal(run("merge nowhere.txt run/gilsim-*.point", &err, NULL), 2);
    assert_non_null(strstr(err, "cannot read the plan nowhere.txt"));
}

/* The options of a plan: a point the sweep has, --slurm with --plan,
 * --result with --point, no reports from either. */
static void test_plan_options(void **state)
{
    (void)state;
    static const struct {
        const char *args, *says;
    } bad[] = {
        {SWEEP " --point 19", "--point 19: this sweep has 18 points"},
        {SWEEP " --point 0", "--point"},
        {SWEEP " --slurm job.sh", "--slurm writes the batch script of a plan: it needs --plan FILE"},
        {SWEEP " --result r.point", "--result names where --point writes"},
        {SWEEP " --plan p.txt --csv x.csv", "--csv: --plan writes no report"},
        {SWEEP " --point 1 --json x.json", "--json: --point writes no report"},
        {SWEEP " --plan p.txt --point 1", "give one of them"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err;
        int rc = run(bad[i].args, &err, NULL);
        if (rc != 2 || !strstr(err, bad[i].says))
            fail_msg("gilsim %s: exit %d, said:\n%s\n(wanted 2 and '%s')", bad[i].args, rc, err, bad[i].says);
    }
    char *out;
    assert_int_equal(run(SWEEP " --plan - --quiet", NULL, &out), 0);
    assert_non_null(strstr(out, "--point 18\n"));
}

/* A student's file name in a plan is quoted for the shell: run by sh, by
 * GNU Parallel or by Slurm's script, it names the file and runs nothing.
 * A name no line can hold (a line end) is refused.  The commands gilsim
 * prints to paste name the plan as a shell word too: pasted, they run it. */
static void test_names_in_a_plan_stay_names(void **state)
{
    (void)state;
    static const char program[] = "p'q $(touch PWNED1) `touch PWNED2`;touch PWNED3 \"x\".py";
    static const char source[] = "def main(first, units, size):\n    s = 0\n    for u in range(first, first + units):\n"
                                 "        s += u\n    return s\n";
    assert_int_equal(sh("rm -rf local run && mkdir local run"), 0);
    char path[256];
    snprintf(path, sizeof path, "local/%s", program);
    write_file(path, source, strlen(source));
    snprintf(path, sizeof path, "run/%s", program);
    write_file(path, source, strlen(source));
    const char *argv[] = {"gilsim", "sweep", "--sim", "--program", program, "--workers", "1,2", "--modes",
                          "threads", "--work", "20", "--plan", "plan.txt", NULL};
    assert_int_equal(chdir("run"), 0);
    char *err;
    assert_int_equal(run_argv(argv, 0, 0, &err, NULL), 0);
    assert_int_equal(sh("sh plan.txt"), 0);
    if (have("parallel"))
        assert_int_equal(sh("parallel -j 2 < plan.txt"), 0);
    assert_int_equal(count_files("PWNED*"), 0);
    assert_int_equal(count_files("gilsim-*.point"), 2);
    assert_int_equal(sh("%s merge plan.txt gilsim-*.point --csv merged.csv -q", GS_GILSIM), 0);
    assert_int_equal(chdir("../local"), 0);
    const char *local[] = {"gilsim", "sweep", "--sim", "--program", program, "--workers", "1,2", "--modes",
                           "threads", "--work", "20", "--csv", "local.csv", "-q", NULL};
    assert_int_equal(run_argv(local, 0, 0, &err, NULL), 0);
    assert_int_equal(chdir(".."), 0);
    assert_same_file("local/local.csv", "run/merged.csv");
    assert_int_equal(count_files("PWNED*") + count_files("*/PWNED*"), 0);

    const char *odd_plan[] = {"gilsim", "sweep", "--sim", "--program", program, "--workers", "1,2", "--modes",
                              "threads", "--work", "20", "--plan", "p; $(touch PWNED4) 'q'.txt", NULL};
    assert_int_equal(chdir("run"), 0);
    char *out;
    assert_int_equal(run_argv(odd_plan, 0, 0, &err, &out), 0);
    const char *pasted = strstr(out, "  parallel -j 2 < ");
    assert_non_null(pasted);
    pasted += strlen("  parallel -j 2 < ");
    FILE *paste = fopen("paste.sh", "w"); /* the line as pasted, sh for GNU Parallel */
    assert_non_null(paste);
    fprintf(paste, "sh < %.*s\n", (int)strcspn(pasted, "\n"), pasted);
    fclose(paste);
    assert_int_equal(sh("rm -f gilsim-*.point && bash paste.sh"), 0);
    assert_int_equal(count_files("gilsim-*.point"), 2);
    assert_int_equal(count_files("PWNED*"), 0);
    assert_int_equal(chdir(".."), 0);

    const char *newline[] = {"gilsim", "sweep", "--sim", "--program", "a\nb.py", "--plan", "nl.txt", NULL};
    write_file("a\nb.py", source, strlen(source));
    assert_int_equal(run_argv(newline, 0, 0, &err, NULL), 2);
    assert_non_null(strstr(err, "no line of a plan can hold"));
}

/* A real-time plan warns that its points are measured where they run;
 * merged from two machines, the merge names them. */
static void test_real_time_plans_warn(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(sh("rm -rf real && mkdir real"), 0);
    assert_int_equal(run("sweep --workers 1,2 --modes threads --work 40 --repeat 1 --plan real/plan.txt", &err,
                         NULL), 0);
    assert_non_null(strstr(err, "warning: a real-time plan"));
    assert_fits_80("a real-time plan's warning", err);
    char *out;
    assert_int_equal(run("sweep --sim --workers 1,2 --plan real/sim.txt --slurm real/sim.sh", NULL, &out), 0);
    assert_fits_80("a plan's guide", out);
    assert_int_equal(sh("cd real && sh plan.txt"), 0);
    assert_int_equal(sh("cd real && sed -i 's/^\\(gilsim-point 2 [^ ]* [^ ]* 2 2\\) [^ ]*/\\1 far-away/' "
                        "gilsim-*-2.point"), 0);
    assert_int_equal(run("merge real/plan.txt real/gilsim-*.point --csv real/out.csv", &err, NULL), 0);
    assert_non_null(strstr(err, "measured on 2 machines"));
    assert_non_null(strstr(err, "far-away"));
}

/* The README's GNU Parallel lines: local jobs, and results gathered on
 * standard output as from other hosts. */
static void test_gnu_parallel(void **state)
{
    (void)state;
    if (!have("parallel")) {
        if (getenv("GILSIM_CI"))
            fail_msg("GNU Parallel is not installed (tools/install-deps --ci installs it)");
        print_message("SKIPPED: no GNU Parallel here (Debian package parallel)\n");
        skip();
    }
    local_sweep(SWEEP);
    plan_and_run(SWEEP, "parallel -j 2 < plan.txt");
    merge_and_compare("../run/gilsim-*.point");
    plan_and_run(SWEEP, "parallel -j 2 '{=uq=} --result -' < plan.txt > all.points");
    merge_and_compare("../run/all.points");
}

/* The Slurm script, submitted to a cluster (CI starts one on this machine
 * with tools/slurm-cluster and exports SLURM_CONF). */
static void test_slurm(void **state)
{
    (void)state;
    if (!getenv("SLURM_CONF") || !have("sbatch") || sh("sinfo > /dev/null 2>&1") != 0) {
        if (getenv("GILSIM_CI_SLURM"))
            fail_msg("no Slurm cluster answers (SLURM_CONF=%s)", getenv("SLURM_CONF") ? getenv("SLURM_CONF") : "");
        print_message("SKIPPED: no Slurm cluster here (tools/slurm-cluster start DIR, then export SLURM_CONF)\n");
        skip();
    }
    local_sweep(SWEEP);
    plan_and_run(SWEEP, "sbatch --wait --quiet job.sh");
    assert_int_equal(count_files("run/gilsim-*.point"), NPOINTS);
    merge_and_compare("../run/gilsim-*.point");
    merge_and_compare("../run"); /* a folder: every result of the plan in it */
}

static int with_gilsim_on_path(void **state)
{
    int rc = gs_testdir_enter(state);
    char dir[1024], path[8192];
    snprintf(dir, sizeof dir, "%s", GS_GILSIM);
    snprintf(path, sizeof path, "%s:%s", dirname(dir), getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", path, 1); /* a plan's lines say gilsim */
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_gives_the_local_sweeps_bytes),
        cmocka_unit_test(test_results_gathered_in_one_file),
        cmocka_unit_test(test_point_result_keeps_the_verdict),
        cmocka_unit_test(test_merge_names_what_is_wrong),
        cmocka_unit_test(test_plan_options),
        cmocka_unit_test(test_names_in_a_plan_stay_names),
        cmocka_unit_test(test_real_time_plans_warn),
        cmocka_unit_test(test_gnu_parallel),
        cmocka_unit_test(test_slurm),
    };
    return cmocka_run_group_tests(tests, with_gilsim_on_path, gs_testdir_leave);
}
