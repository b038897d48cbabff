/* test_virtual_cli.c - `gilsim --sim` as a user meets it: every output says
 * the time is virtual, the same command and seed give the same report, and
 * the model's options are checked like every other. */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli_helpers.h"
#include "testdir.h"

#define RUN "--sim --threads 4 --cores 2 --mixed 0.5 --work 80 --seed 7 --quiet"

/* The JSON report at path without its host block, as canonical text. */
static char *without_host(const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("%s: not JSON: %s", path, jerr.text);
    json_object_del(doc, "host");
    json_object_del(doc, "command"); /* it names the file written */
    char *text = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(doc);
    return text;
}

static void test_same_seed_same_report(void **state)
{
    (void)state;
    assert_int_equal(run(RUN " --json a.json --trace a-trace.json --csv a.csv", NULL, NULL), 0);
    assert_int_equal(run(RUN " --json b.json --trace b-trace.json --csv b.csv", NULL, NULL), 0);
    char *a = without_host("a.json"), *b = without_host("b.json");
    assert_string_equal(a, b);
    free(a);
    free(b);
    assert_int_equal(system("cmp -s a-trace.json b-trace.json && cmp -s a.csv b.csv"), 0);
    assert_int_equal(run(RUN " --seed 8 --json c.json", NULL, NULL), 0);
    a = without_host("a.json");
    char *c = without_host("c.json");
    assert_string_not_equal(a, c); /* another seed, another history */
    free(a);
    free(c);
}

static void test_every_output_says_virtual(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--sim --threads 3 --cores 16 --work 300 --timeline --json r.json --csv r.csv --trace t.json",
                         NULL, &out), 0);
    assert_non_null(strstr(out, "on 16 modelled cores (virtual time)"));
    assert_non_null(strstr(out, "time      virtual: a modelled machine of 16 cores, seed 1"));
    assert_non_null(strstr(out, "who held the lock when"));
    json_error_t jerr;
    json_t *doc = json_load_file("r.json", 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(get(doc, "schema_version")), 4);
    assert_string_equal(json_string_value(get(doc, "config.time")), "virtual");
    assert_int_equal(json_integer_value(get(doc, "config.model.cores")), 16);
    assert_true(json_is_null(get(doc, "config.cores"))); /* nothing was pinned */
    json_t *w0 = json_array_get(get(json_array_get(get(doc, "runs"), 0), "per_worker"), 0);
    assert_int_equal(json_integer_value(get(w0, "cpus")), 16);
    json_decref(doc);
    doc = json_load_file("t.json", 0, &jerr);
    assert_non_null(doc);
    assert_non_null(strstr(json_string_value(get(doc, "otherData.time")), "virtual"));
    json_decref(doc);
    FILE *f = fopen("r.csv", "r");
    char line[2][4096];
    assert_non_null(fgets(line[0], sizeof line[0], f));
    assert_non_null(fgets(line[1], sizeof line[1], f));
    fclose(f);
    assert_non_null(strstr(line[0], ",cores,time,"));
    assert_non_null(strstr(line[1], ",16,virtual,"));
    /* async tasks too */
    assert_int_equal(run("--sim --async 8 --io-bound --work 80", NULL, &out), 0);
    assert_non_null(strstr(out, "8 tasks ran 7.98x as fast as 1 task on 8 modelled cores (virtual time)"));
    /* and real runs say real */
    assert_int_equal(run("--threads 2 --work 20 --quiet --json real.json", NULL, NULL), 0);
    doc = json_load_file("real.json", 0, &jerr);
    assert_string_equal(json_string_value(get(doc, "config.time")), "real");
    assert_true(json_is_null(get(doc, "config.model")));
    json_decref(doc);
}

static void test_bad_model_options(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"--seed 3", "--seed applies only with --sim"},
        {"--wake-latency 1us", "--wake-latency applies only with --sim"},
        {"--sim --seed -1", "--seed: '-1' is not a whole number"},
        {"--sim --cores 2000", "--cores: '2000' is out of range: give a whole number from 1 to 1024"},
        {"--sim --instruction-ns 0", "--instruction-ns: '0' is not a number from 0.01 to 1000"},
        {"--sim --instruction-ns fast", "--instruction-ns: 'fast' is not a number"},
        {"--sim --wake-latency 2s", "--wake-latency: '2s' is out of range"},
        {"--sim --time-slice 0s", "--time-slice: '0s' is out of range"},
        {"--sim --switch-cost 5", "--switch-cost: '5' is not a duration"},
        {"sweep --seed 2", "--seed applies only with --sim"},
        {"--sim --signal-cost 3", "--signal-cost: '3' is not a duration"},
        {"--timer-latency 1ms", "--timer-latency applies only with --sim"},
        {"demo convoy --signal-cost 2us", "--signal-cost applies only with --sim"},
        {"demo convoy --sim --wake-latency soon", "--wake-latency: 'soon' is not a duration"},
        {"calibrate --fast", "unknown option '--fast' (see gilsim calibrate --help)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err;
        int rc = run(bad[i][0], &err, NULL);
        if (rc != 2 || !strstr(err, bad[i][1]))
            fail_msg("gilsim %s: exit %d, want 2 and: %s; stderr: %s", bad[i][0], rc, bad[i][1], err);
    }
    /* a cost turned off: zero needs no unit, and the model's figures say it was */
    char *out;
    assert_int_equal(run("--sim --threads 2 --io-bound --work 20 --cold-cost 0 --json -", NULL, &out), 0);
    assert_non_null(strstr(out, "\"cold_ns\": 0,"));
}

/* gilsim calibrate measures this machine and prints model options that
 * run, sweep and demo accept, and that describe the machine: its cores,
 * and costs no model could do without. */
static void test_calibrate_prints_options_that_run(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("calibrate --quiet", NULL, &out), 0);
    out[strcspn(out, "\n")] = '\0';
    char args[1024], want[32];
    cpu_set_t cpus;
    assert_int_equal(sched_getaffinity(0, sizeof cpus, &cpus), 0);
    snprintf(want, sizeof want, "--cores %d ", CPU_COUNT(&cpus));
    if (strncmp(out, want, strlen(want)) != 0)
        fail_msg("calibrate printed '%s', want it to start with '%s'", out, want);
    for (const char *o = "--instruction-ns --syscall-cost --signal-cost --wake-latency --switch-cost "
                         "--timer-latency --time-slice --file-io --fork-cost --collect-cost";
         *o;) {
        size_t n = strcspn(o, " ");
        char name[32];
        snprintf(name, sizeof name, "%.*s ", (int)n, o);
        if (!strstr(out, name))
            fail_msg("calibrate printed no %s: %s", name, out);
        o += n + (o[n] == ' ');
    }
    snprintf(args, sizeof args, "--sim %s --threads 2 --work 20 --quiet --json c.json", out);
    assert_int_equal(run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "demo legacy-battle --quick --sim %s", out);
    char *demo;
    assert_int_equal(run(args, NULL, &demo), 0);
    assert_non_null(strstr(demo, "Beazley, Python 2.6 on a dual core"));
    assert_int_equal(run("calibrate", NULL, &out), 0);
    assert_non_null(strstr(out, "The defaults are a classroom's machine"));
    assert_non_null(strstr(out, "gilsim run --sim --cores"));
    assert_fits_80("calibrate's table", out); /* the last line, the options to copy, is exempt */
}

/* A sweep in virtual time: the same seed gives the same CSV, its rows and
 * its footer say the time is virtual, and its plot names the modelled
 * machine and marks its cores. */
static void test_sweep_in_virtual_time(void **state)
{
    (void)state;
    const char *sweep = "sweep --sim --cores 16 --workers 1,16 --modes threads,processes --work 400 --repeat 1";
    char args[512], *out;
    snprintf(args, sizeof args, "%s --csv a.csv --plot s.svg", sweep);
    assert_int_equal(run(args, NULL, &out), 0);
    assert_non_null(strstr(out, "on a modelled 16-core machine\nin virtual time (seed 1)"));
    assert_fits_80("sweep --sim", out);
    snprintf(args, sizeof args, "%s --quiet --csv b.csv", sweep);
    assert_int_equal(run(args, NULL, NULL), 0);
    assert_int_equal(system("cmp -s a.csv b.csv"), 0);
    assert_int_equal(system("grep -q ',16,virtual,' a.csv"), 0);
    assert_int_equal(system("grep -q 'on 16 modelled cores (virtual time)' s.gp"), 0);
    assert_int_equal(system("grep -q 'set arrow from 16,' s.gp"), 0);
    assert_true(file_starts_with("s.svg", "<?xml", 5));

    /* points run at once give the same bytes as one at a time */
    const char *modes = "sweep --sim --cores 16 --workers 1-6 --modes threads,processes,async --workloads "
                        "countdown,io-bound --work 120 --repeat 2 --quiet";
    snprintf(args, sizeof args, "%s -j 1 --csv j1.csv --json j1.json", modes);
    assert_int_equal(run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "%s --jobs 3 --csv j3.csv --json j3.json", modes);
    assert_int_equal(run(args, NULL, NULL), 0);
    assert_int_equal(system("cmp -s j1.csv j3.csv && cmp -s j1.json j3.json"), 0);
    char *err;
    assert_int_equal(run("sweep --workers 1,2 -j 2", &err, NULL), 2);
    assert_non_null(strstr(err, "--jobs applies only with --sim"));
}

/* A program whose main takes no count of units cannot share them out: N
 * workers run it N times, so the run is weak scaling, one unit a worker,
 * its speedup and checksum against one worker's one run (told as a share
 * of units, 4 threads under the lock read 0.25x as fast as 1); --work and
 * --unit-size, which it could not honour, are refused. */
static void test_a_main_without_a_count_runs_whole_in_each_worker(void **state)
{
    (void)state;
    static const char whole[] = "def main():\n    n = 2000000\n    while n > 0:\n        n -= 1\n    return 7\n";
    write_file("whole.py", whole, sizeof whole - 1);
    char *out, *err;
    assert_int_equal(run("--sim --threads 4 --program whole.py --json w.json --html w.html", NULL, &out), 0);
    assert_non_null(strstr(unwrapped(out), "4 units (weak scaling: its main takes no count of units, so each "
                                            "worker ran all of it)"));
    assert_non_null(strstr(out, "checksum  28 (the 1-worker run's, once for each worker)"));
    assert_non_null(strstr(read_text("w.html"), "The checksum was the 1-worker run's once for each worker"));
    json_error_t jerr;
    json_t *doc = json_load_file("w.json", 0, &jerr);
    assert_non_null(doc);
    json_t *config = json_object_get(doc, "config"), *summary = json_object_get(doc, "summary");
    assert_true(json_is_true(json_object_get(config, "weak_scaling")));
    assert_int_equal(json_integer_value(json_object_get(config, "work")), 1);
    assert_true(json_is_true(json_object_get(summary, "checksum_matches_baseline")));
    double threads = json_real_value(json_object_get(summary, "speedup"));
    json_decref(doc);
    assert_true(threads > 0.95 && threads < 1.05); /* the lock lets one run at a time */
    assert_int_equal(run("--sim --processes 4 --program whole.py --json p.json", NULL, NULL), 0);
    doc = json_load_file("p.json", 0, &jerr);
    assert_non_null(doc);
    double processes = json_real_value(json_object_get(json_object_get(doc, "summary"), "speedup"));
    json_decref(doc);
    assert_true(processes > 3 && processes <= 4); /* 4 of 8 modelled cores, less the forks */

    assert_int_equal(run("--sim --threads 2 --program whole.py --work-per-worker 1 --quiet", NULL, NULL), 0);
    assert_int_equal(run("--sim --threads 2 --program whole.py --work 5", &err, NULL), 2);
    assert_non_null(strstr(err, "whole.py: its main takes no count of units, so each worker runs all of it once: "
                                "drop --work"));
    assert_int_equal(run("--sim --threads 2 --program whole.py --unit-size 5", &err, NULL), 2);
    assert_non_null(strstr(err, "whole.py: its main takes no unit size, so --unit-size would change nothing"));
    assert_int_equal(run("sweep --sim --workers 1,2 --program whole.py --work-per-worker 3", &err, NULL), 2);
    assert_non_null(strstr(err, "drop --work-per-worker"));
    assert_int_equal(run("sweep --sim --workers 1,2 --modes threads --program whole.py --csv s.csv", NULL, &out), 0);
    assert_non_null(strstr(out, "whole.py: its main takes no count of units, so each worker ran all\nof it (weak scaling)."));
    assert_fits_80("sweep of whole.py", out);
    /* each point's work one unit a worker, and its checksum checked: mode, workload, work, ..., workers, cores */
    assert_int_equal(system("grep -q '^threads,whole.py,1,0,.*,2,8,virtual,.*,true,' s.csv || { cat s.csv; false; }"), 0);
}

/* A checksum that differs from the 1-worker run's is set against the same
 * split of the work run alone: a main that returns no sum over its units
 * (a student's that ignores its first unit) agrees with its split and is
 * said to be uncheckable, exit 0, where it was told as work lost; one
 * whose result depends on the interleaving (it returns a shared counter
 * it races on) differs from both, exit 1. */
static void test_a_checksum_that_does_not_add_up_is_not_work_lost(void **state)
{
    (void)state;
    static const char ignores_first[] = "def main(first, count):\n    s = 0\n    for i in range(count):\n"
                                        "        s += i\n    return s\n";
    write_file("halves.py", ignores_first, sizeof ignores_first - 1);
    char *out, *err;
    assert_int_equal(run("--sim --threads 2 --program halves.py --work 10 --json h.json --html h.html", &err, &out),
                     0);
    /* one worker: 0+1+...+9 = 45; two: 0+...+4 twice = 20 */
    assert_non_null(strstr(unwrapped(out), "checksum  20 (not the 1-worker run's, 45, but what the same split of "
                                           "the work gives run alone: this program's main returns no sum"));
    assert_null(strstr(out, "work was lost"));
    assert_fits_80("an uncheckable checksum", out);
    assert_non_null(strstr(read_text("h.html"), "The checksum was not the 1-worker run's, 45"));
    json_error_t jerr;
    json_t *doc = json_load_file("h.json", 0, &jerr);
    assert_non_null(doc);
    json_t *summary = json_object_get(doc, "summary");
    assert_true(json_is_null(json_object_get(summary, "checksum_matches_baseline")));
    assert_int_equal(json_integer_value(json_object_get(summary, "checksum_of_split_alone")), 20);
    json_decref(doc);
    assert_int_equal(run("--sim --threads 2 --program halves.py --work 10 --quiet", &err, NULL), 0);
    assert_non_null(strstr(err, "gilsim: note: the checksum, 20, is not the 1-worker run's, 45"));

    static const char returns_shared[] = "counter = 0\n\n\ndef touch():\n    return 0\n\n\n"
                                         "def main(first, count):\n    global counter\n    for i in range(count):\n"
                                         "        c = counter\n        touch()\n        counter = c + 1\n"
                                         "    return counter\n";
    write_file("racy.py", returns_shared, sizeof returns_shared - 1);
    assert_int_equal(run("--sim --threads 2 --program racy.py --work 20000 --switch-interval 1us --json r.json",
                         NULL, &out),
                     1);
    assert_non_null(strstr(unwrapped(out), "(DIFFERS from the 1-worker run's, 20000, and from the same split of "
                                           "the work run alone, 20000: work was lost or done twice, or the "
                                           "program's result depends on how its workers interleaved)"));
    doc = json_load_file("r.json", 0, &jerr);
    assert_non_null(doc);
    summary = json_object_get(doc, "summary");
    assert_true(json_is_false(json_object_get(summary, "checksum_matches_baseline")));
    assert_int_equal(json_integer_value(json_object_get(summary, "checksum_of_split_alone")), 20000);
    json_decref(doc);
}

/* A program whose units are not the same work however they are shared
 * out (this one does all of its work whatever its count) reads 4 threads
 * as 0.25x as fast as 1: its speedup is doubted, in the report, its JSON
 * and a sweep's, with advice about the program, not about running again. */
static void test_a_speedup_of_unequal_work_is_doubted(void **state)
{
    (void)state;
    static const char ignores_count[] = "def work(n):\n    while n > 0:\n        n -= 1\n    return 0\n\n\n"
                                        "def main(first, count):\n    work(200000)\n    return count\n";
    write_file("ignores.py", ignores_count, sizeof ignores_count - 1);
    char *out;
    assert_int_equal(run("--sim --threads 4 --program ignores.py --work 8 --json u.json", NULL, &out), 0);
    const char *one = unwrapped(out);
    assert_non_null(strstr(one, "4 threads ran 0.25x as fast as 1 thread on 8 modelled cores (virtual time), but "
                                "these figures cannot be trusted: - the 4 threads ran 4.00x as many instructions "
                                "a unit as the 1 thread did, so the speedup compares unequal work"));
    assert_non_null(strstr(one, "A speedup compares like with like only where each unit is the same work"));
    assert_null(strstr(one, "Run it again"));
    assert_fits_80("unequal work", out);
    json_error_t jerr;
    json_t *doc = json_load_file("u.json", 0, &jerr);
    assert_non_null(doc);
    json_t *verdict = json_object_get(json_object_get(doc, "summary"), "verdict");
    assert_true(json_is_false(json_object_get(verdict, "trusted")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(verdict, "doubts"), 0),
                                                          "kind")),
                        "unequal-work");
    json_decref(doc);
    assert_int_equal(run("sweep --sim --modes threads --workers 1,2 --program ignores.py --work 8 --csv u.csv",
                         NULL, &out),
                     0);
    assert_non_null(strstr(out, "0.50?"));
    assert_int_equal(system("grep -q ',unequal-work,' u.csv || { cat u.csv; false; }"), 0);
    /* the same work a unit, shared out: no doubt */
    char args[512];
    snprintf(args, sizeof args, "--sim --threads 4 --program %s/examples/countdown.py --work 8 --json c.json",
             GS_SOURCE_DIR);
    assert_int_equal(run(args, NULL, NULL), 0);
    doc = json_load_file("c.json", 0, &jerr);
    assert_non_null(doc);
    verdict = json_object_get(json_object_get(doc, "summary"), "verdict");
    assert_true(json_is_true(json_object_get(verdict, "trusted")));
    json_decref(doc);
}

/* A student's endless loop does not hang a class: a program whose first
 * unit (or whole main) runs gilsim's probe out runs as with --timeout 20s,
 * said on standard error, unless --timeout says otherwise.  (At 1 us an
 * instruction 20 s of virtual time is 20 million instructions: quick.) */
static void test_a_program_that_may_not_end_is_bounded(void **state)
{
    (void)state;
    static const char forever[] = "def main(first, count):\n    while True:\n        pass\n    return 0\n";
    static const char forever_whole[] = "def main():\n    while True:\n        pass\n";
    write_file("forever.py", forever, sizeof forever - 1);
    write_file("forever0.py", forever_whole, sizeof forever_whole - 1);
    char *out, *err;
    assert_int_equal(run("--sim --instruction-ns 1000 --threads 2 --program forever.py", &err, &out), 1);
    assert_non_null(strstr(err, "gilsim: forever.py: its first unit ran 300 million instructions alone without "
                                "ending, so it runs as with --timeout 20s of virtual time (give --timeout D to "
                                "choose)"));
    assert_non_null(strstr(unwrapped(out), "2 threads were stopped by --timeout after 20.00 s"));
    assert_int_equal(run("--sim --instruction-ns 1000 --threads 2 --program forever.py --timeout 5s", &err, &out),
                     1);
    assert_null(strstr(err, "without ending"));
    assert_non_null(strstr(unwrapped(out), "2 threads were stopped by --timeout after 5.00 s"));
    assert_int_equal(run("--sim --instruction-ns 1000 --threads 2 --program forever0.py --quiet", &err, NULL), 1);
    assert_non_null(strstr(err, "forever0.py: its main ran 300 million instructions alone without ending"));
    assert_int_equal(run("sweep --sim --instruction-ns 1000 --workers 1,2 --modes threads --program forever.py "
                         "--quiet --csv f.csv",
                         &err, NULL),
                     1);
    assert_non_null(strstr(err, "runs as with --timeout 20s of virtual time"));
    char args[512];
    snprintf(args, sizeof args, "--sim --threads 2 --program %s/examples/countdown.py --quiet", GS_SOURCE_DIR);
    assert_int_equal(run(args, &err, NULL), 0);
    assert_null(strstr(err, "without ending"));
}

/* A run whose every worker failed says so, not that "the others did 0 of
 * the 1 units". */
static void test_a_run_whose_workers_all_failed_says_so(void **state)
{
    (void)state;
    static const char overflows[] = "def main(first, count):\n    x = 1\n    while True:\n        x = x * 3\n"
                                    "    return x\n";
    write_file("overflows.py", overflows, sizeof overflows - 1);
    char *out;
    assert_int_equal(run("--sim --threads 2 --program overflows.py", NULL, &out), 1);
    assert_non_null(strstr(out, " on 8 modelled cores (virtual time); both failed (below)"));
    assert_non_null(strstr(out, "integer overflow: 4052555153018976267 * 3 does not fit in 64 bits"));
    assert_null(strstr(out, "the others did"));
    assert_int_equal(run("--sim --threads 3 --program overflows.py", NULL, &out), 1);
    assert_non_null(strstr(unwrapped(out), "; all 3 failed (below)"));
}

/* A sweep says what a race lost against its 1-worker point: the same share
 * the run alone reports against its own baseline (virtual time repeats
 * itself), in the CSV and the JSON. */
static void test_sweep_says_what_a_race_lost(void **state)
{
    (void)state;
    char args[1024];
    snprintf(args, sizeof args,
             "sweep --sim --gil none --program %s/examples/race.py --workers 1,2 --modes threads --work 200 "
             "--quiet --json s.json",
             GS_SOURCE_DIR);
    assert_int_equal(run(args, NULL, NULL), 0);
    snprintf(args, sizeof args, "--sim --threads 2 --gil none --program %s/examples/race.py --work 200 --quiet "
             "--json r.json", GS_SOURCE_DIR);
    assert_int_equal(run(args, NULL, NULL), 0);
    json_error_t jerr;
    json_t *sweep = json_load_file("s.json", 0, &jerr), *one = json_load_file("r.json", 0, &jerr);
    assert_non_null(sweep);
    assert_non_null(one);
    json_t *points = json_object_get(sweep, "points");
    assert_int_equal(json_array_size(points), 2);
    assert_true(json_is_null(json_object_get(json_array_get(points, 0), "shared_lost"))); /* the 1-worker point */
    double lost = json_real_value(json_object_get(json_array_get(points, 1), "shared_lost"));
    json_int_t counter = json_integer_value(json_object_get(
        json_object_get(json_array_get(json_object_get(one, "runs"), 0), "shared"), "counter"));
    assert_true(counter > 0 && counter < 200000);
    if (fabs(lost - (1 - (double)counter / 200000)) > 1e-6)
        fail_msg("the sweep says %g lost; the run alone ended at %lld of 200000", lost, (long long)counter);
    json_decref(sweep);
    json_decref(one);
}

/* The PNG's size, from its IHDR chunk (bytes 16 to 23, big-endian). */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
    unsigned char head[24] = {0};
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    *w = (unsigned)head[16] << 24 | (unsigned)head[17] << 16 | (unsigned)head[18] << 8 | head[19];
    *h = (unsigned)head[20] << 24 | (unsigned)head[21] << 16 | (unsigned)head[22] << 8 | head[23];
}

/* The plot a room can read: a projector's size by default (--plot-size
 * otherwise), the value axis up to a little above the data (threads and
 * async at 1x do not sit in the bottom eighth of an axis to 8), and each
 * line a dash and a marker of its own, nudged aside, the ideal line in the
 * legend. */
/* The free-threaded builds' dearer bytecode (gil.h: GS_FT_BUILDS): one
 * thread's virtual wall is 1.40x (3.13t) and 1.08x (3.14t) the ideal
 * policy's, which pays nothing; --ft-build belongs to free-threaded. */
static double one_thread_wall(const char *gil)
{
    char args[256], *out;
    snprintf(args, sizeof args, "--sim --threads 1 --cpu-bound --work 2000 --no-baseline --gil %s --json -", gil);
    assert_int_equal(run(args, NULL, &out), 0);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    double wall = json_real_value(get(json_array_get(get(doc, "runs"), 0), "wall_s"));
    json_decref(doc);
    return wall;
}

static void test_free_threaded_builds_cost_what_they_cost(void **state)
{
    (void)state;
    double ideal = one_thread_wall("none");
    double t313 = one_thread_wall("free-threaded --ft-build 3.13") / ideal;
    double t314 = one_thread_wall("free-threaded --ft-build 3.14") / ideal;
    double dflt = one_thread_wall("free-threaded") / ideal;
    if (t313 < 1.399 || t313 > 1.401 || t314 < 1.079 || t314 > 1.081 || dflt != t314)
        fail_msg("one thread against the ideal: 3.13t %.4f, 3.14t %.4f, default %.4f", t313, t314, dflt);
    char *err;
    assert_int_equal(run("--sim --ft-build 3.13", &err, NULL), 2);
    assert_non_null(strstr(err, "--ft-build applies only to --gil free-threaded"));
    assert_int_equal(run("--sim --gil free-threaded --ft-build 3.12", &err, NULL), 2);
    assert_non_null(strstr(err, "'3.12' is not a free-threaded build: give 3.13 or 3.14"));
    assert_int_equal(run("--sim --gc-every 1ms", &err, NULL), 2);
    assert_non_null(strstr(err, "--gc-every applies only to --gil free-threaded"));
    assert_int_equal(run("--sim --gil free-threaded --gc-pause 1ms", &err, NULL), 2);
    assert_non_null(strstr(err, "--gc-pause applies only with --gc-every D"));
    char *out;
    assert_int_equal(run("--sim --gil free-threaded --threads 2 --work 200 --gc-every 2ms --gc-pause 50us", NULL, &out),
                     0);
    assert_non_null(strstr(out, "its collector stopped the world every 2.00 ms for 50 us"));
}

static void test_plot_for_a_projector(void **state)
{
    (void)state;
    const char *sweep = "sweep --sim --workers 1,2,4,8 --modes threads,async --work 200 --quiet";
    char args[512];
    unsigned w, h;
    snprintf(args, sizeof args, "%s --plot big.png", sweep);
    assert_int_equal(run(args, NULL, NULL), 0);
    png_size("big.png", &w, &h);
    assert_int_equal(w, 1600);
    assert_int_equal(h, 1000);
    assert_int_equal(system("grep -q 'font \"sans,22\"' big.gp"), 0);
    assert_int_equal(system("grep -q 'set yrange \\[0:1.38\\]' big.gp"), 0); /* 1.2 x 1.15 */
    assert_int_equal(system("grep -q 'title \"ideal (x workers)\"' big.gp"), 0);
    assert_int_equal(system("grep -q \"using (\\$1-0.032):2:3:4 .*'threads' .*dashtype 1 pointtype 7\" big.gp"), 0);
    assert_int_equal(system("grep -q \"using (\\$1+0.032):2:3:4 .*'async' .*dashtype 2 pointtype 5\" big.gp"), 0);
    snprintf(args, sizeof args, "%s --plot small.png --plot-size 800x500", sweep);
    assert_int_equal(run(args, NULL, NULL), 0);
    png_size("small.png", &w, &h);
    assert_int_equal(w, 800);
    assert_int_equal(h, 500);
    assert_int_equal(system("grep -q 'font \"sans,11\"' small.gp"), 0);
    char *err;
    snprintf(args, sizeof args, "%s --plot bad.png --plot-size 800", sweep);
    assert_int_equal(run(args, &err, NULL), 2);
    assert_non_null(strstr(err, "--plot-size: '800' is not WIDTHxHEIGHT"));
    snprintf(args, sizeof args, "%s --plot-size 800x500", sweep);
    assert_int_equal(run(args, &err, NULL), 2);
    assert_non_null(strstr(err, "--plot-size applies only with --plot"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_report),
        cmocka_unit_test(test_every_output_says_virtual),
        cmocka_unit_test(test_bad_model_options),
        cmocka_unit_test(test_sweep_in_virtual_time),
        cmocka_unit_test(test_sweep_says_what_a_race_lost),
        cmocka_unit_test(test_a_main_without_a_count_runs_whole_in_each_worker),
        cmocka_unit_test(test_a_checksum_that_does_not_add_up_is_not_work_lost),
        cmocka_unit_test(test_a_speedup_of_unequal_work_is_doubted),
        cmocka_unit_test(test_a_program_that_may_not_end_is_bounded),
        cmocka_unit_test(test_a_run_whose_workers_all_failed_says_so),
        cmocka_unit_test(test_plot_for_a_projector),
        cmocka_unit_test(test_free_threaded_builds_cost_what_they_cost),
        cmocka_unit_test(test_calibrate_prints_options_that_run),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
