/* test_cli.c - the gilsim program as a user meets it: bad invocations,
 * help, asm/dis, failing workers, plots, progress, traces.  The JSON and
 * CSV reports are test_reports_cli.c's; the outputs' paths
 * test_outputs.c's; the demonstrations test_demos.c's; an interrupt
 * test_stops.c's. */
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_helpers.h"
#include "testdir.h"
#include <jansson.h>


static const struct {
    const char *args;
    const char *message; /* must appear in the one line on standard error */
} bad[] = {
    {"--frobnicate", "unknown option '--frobnicate'"},
    {"--threads", "--threads needs a value"},
    {"--threads 0", "--threads: '0' is out of range: give a whole number from 1 to 4096"},
    {"--threads -3", "--threads: '-3' is not a whole number from 1 to 4096"},
    {"--threads lots", "--threads: 'lots' is not a whole number"},
    {"--threads 99999999999999999999999", "--threads: '99999999999999999999999' is out of range"},
    {"--threads 5000", "--threads: real time takes at most 4096 threads (with --sim, in virtual time: up to 100000)"},
    {"--sim --threads 100001", "--threads: '100001' is out of range: give a whole number from 1 to 100000"},
    {"--async 65537", "--async: real time takes at most 65536 tasks (with --sim, in virtual time: up to 1000000)"},
    {"--threads 2.5", "--threads: '2.5' is not a whole number"},
    {"--threads ''", "--threads: '' is not a whole number"},
    {"--threads 2 --processes 2", "--threads and --processes cannot be combined"},
    {"--processes 2 --async 2", "--processes and --async cannot be combined"},
    {"--processes 0", "--processes: '0' is out of range: give a whole number from 1 to 1024"},
    {"--processes 1025", "--processes: real time takes at most 1024 processes (with --sim, in virtual time: up to 16384)"},
    {"--async x", "--async: 'x' is not a whole number"},
    {"sweep --workers 0", "--workers: '0' is out of range"},
    {"sweep --workers 4-2", "--workers: the range '4-2' runs backwards"},
    {"sweep --workers 1,,2", "--workers: '1,,2' has an empty item"},
    {"sweep --workers 1-1100", "--workers: more than 1024 worker counts"},
    {"sweep --workers 2,5000", "--workers: real time takes at most 4096 threads (with --sim"},
    {"sweep --sim --workers 2,200000", "--workers: virtual time takes at most 100000 threads"},
    {"sweep --modes processes --workers 2000", "--workers: real time takes at most 1024 processes"},
    {"sweep --modes threads,fibers", "--modes: 'fibers' is not a mode: give threads, processes or async"},
    {"sweep --modes threads,threads", "--modes: threads is listed twice"},
    {"sweep --workloads countdown,sorting", "--workloads: 'sorting' is not a workload"},
    {"sweep --workloads mixed:2", "--workloads: '2' is not a CPU share"},
    {"sweep --threads 4", "--threads is not an option of gilsim sweep (it is one of gilsim run)"},
    {"--workers 4", "--workers is not an option of gilsim run (it is one of gilsim sweep)"},
    {"asm --json x prog.gsa", "--json is not an option of gilsim asm (it is one of gilsim run, sweep or merge)"},
    {"dis", "gilsim dis needs a FILE (see gilsim dis --help)"},
    {"demo convoy --seed 2", "--seed applies only with --sim (see gilsim demo --help)"},
    {"sweep --plot out.jpg", "--plot: 'out.jpg' must end in .png or .svg"},
    {"sweep --plot -", "--plot: give a file name"},
    {"sweep --plot-metric speed --plot p.png", "--plot-metric: 'speed' is not a metric"},
    {"sweep --plot-metric wait", "--plot-metric applies only with --plot"},
    {"sweep --csv - --json -", "--json and --csv cannot both go to standard output"},
    {"sweep --csv /nonexistent/x.csv", "--csv: cannot write '/nonexistent/x.csv'"},
    {"--trace /nonexistent/t.json", "--trace: cannot write '/nonexistent/t.json'"},
    {"--trace - --json -", "--json and --trace cannot both go to standard output"},
    {"--csv - --trace -", "--csv and --trace cannot both go to standard output"},
    {"--json afolder", "--json: cannot write 'afolder': it is a folder; give a file name"},
    {"--trace afolder/", "--trace: cannot write 'afolder/': it is a folder; give a file name"},
    {"--json r.json --trace r.json", "--json and --trace name the same file"},
    {"--json r.json --csv ./afolder/../r.json", "--json and --csv name the same file"},
    {"--json - --trace /dev/stdout", "--json and --trace cannot both go to standard output"},
    {"sweep --csv s.svg --plot s.svg", "--csv and --plot name the same file"},
    {"--threads 2 --csv /nonexistent/r.csv", "--csv: cannot write '/nonexistent/r.csv'"},
    {"--gil gvl", "--gil: 'gvl' is not a lock policy: give cpython, legacy, fifo, none, free-threaded or per-interpreter"},
    {"--gil legacy --check-interval 0", "--check-interval: '0' is out of range"},
    {"--check-interval 50", "--check-interval applies only to --gil legacy"},
    {"--gil none --switch-interval 1ms", "--switch-interval does not apply to --gil none"},
    {"--gil fifo --no-force-switching", "--no-force-switching applies only to --gil cpython or per-interpreter"},
    {"demo nonsense", "'nonsense' is not a demonstration"},
    {"demo convoy --plot x.png", "--plot: the convoy demonstration draws no curves"},
    {"demo io-bound --trace x.json", "--trace: the io-bound demonstration keeps no trace"},
    {"demo convoy --fast", "unknown option '--fast'"},
    {"demo convoy async", "gilsim demo takes one NAME: unexpected 'async'"},
    {"demo threads-vs-processes --plot x.gif", "--plot: 'x.gif' must end in .png or .svg"},
    {"--threads 2 --threads 3", "--threads given twice"},
    {"--cpu-bound --io-bound", "--cpu-bound and --io-bound cannot be combined"},
    {"--cpu-bound=quicksort", "--cpu-bound: 'quicksort' is not a kernel: give countdown, fib or primes"},
    {"--mixed 1.5", "--mixed: '1.5' is not a CPU share"},
    {"--mixed 0", "--mixed: '0' is not a CPU share"},
    {"--mixed abc", "--mixed: 'abc' is not a CPU share"},
    /* the value forgotten: the next option is said to be one, with what to give */
    {"--processes 2 --mixed --work 5", "--mixed: '--work' is the next option, not its value: give a number between 0 and 1"},
    {"--threads --cpu-bound", "--threads: '--cpu-bound' is the next option, not its value: give a whole number from 1 to 4096"},
    {"--switch-interval --threads 2", "--switch-interval: '--threads' is the next option, not its value: give a number with a unit"},
    {"--race=fast", "--race: 'fast' is not a variant: give call, lock or inplace"},
    {"--native 1.5", "--native: '1.5' is not a number from 0 to 1"},
    {"--native", "--native needs a value"},
    {"--race --native 0.5", "--native"},
    {"sweep --workloads race-fast", "'race-fast' is not a workload: give countdown, fib, primes, io-bound, "
                                    "mixed:RATIO, shared, native:RATIO, race, race-lock or race-inplace"},
    {"sweep --workloads native:2", "--workloads: '2' is not a number from 0 to 1"},
    {"--work 0", "--work: '0' is out of range"},
    {"--work 1e6", "--work: '1e6' is not a whole number"},
    {"--work 10 --work-per-worker 10", "--work and --work-per-worker cannot be combined"},
    {"--switch-interval 5", "--switch-interval: '5' is not a duration: give a number with a unit"},
    {"--switch-interval 5 ms", "--switch-interval: '5' is not a duration"},
    {"--threads 2 ms", "unexpected argument 'ms'"},
    {"--switch-interval 5min", "--switch-interval: '5min' is not a duration"},
    {"--switch-interval 0.5us", "--switch-interval: '0.5us' is out of range: give a duration from 1us to 10s"},
    {"--switch-interval 0", "--switch-interval: '0' is out of range: give a duration from 1us to 10s"},
    {"--switch-interval 5", "--switch-interval: '5' is not a duration: give a number with a unit"},
    {"--switch-interval 11s", "--switch-interval: '11s' is out of range"},
    {"--switch-interval -5ms", "--switch-interval: '-5ms' is not a duration"},
    {"--io-bound --io disk", "--io: 'disk' is not an I/O kind: give sleep, pipe or file"},
    {"--io pipe", "--io applies only to --io-bound and --mixed"},
    {"--io-latency 1ms", "--io-latency applies only to --io-bound, --mixed and --program"},
    {"--io-bound --io-latency 20s", "--io-latency: '20s' is out of range"},
    {"--repeat 0", "--repeat: '0' is out of range: give a whole number from 1 to 100"},
    {"--repeat 101", "--repeat: '101' is out of range"},
    {"--timeout 0s", "--timeout: '0s' is out of range"},
    {"--cores 0", "--cores: '0' is out of range: give a whole number from 1 to 1024"},
    {"--cores 1025", "--cores: '1025' is out of range"},
    {"sweep --cores x", "--cores: 'x' is not a whole number"},
    {"--cores 1024", "is more than the"},
    {"--json ''", "--json: give a file name"},
    {"--json /nonexistent-dir/out.json", "--json: cannot write '/nonexistent-dir/out.json'"},
    {"--program /nonexistent.gsa", "/nonexistent.gsa: cannot open: No such file or directory"},
    {"--program afolder", "afolder: not a regular file"},
    {"--program /dev/null", "/dev/null: not a regular file"},
    {"extra-argument", "unexpected argument 'extra-argument'"},
    {"asm", "gilsim asm needs a FILE"},
    {"dis a b", "gilsim dis takes one FILE: unexpected 'b'"},
};

static void test_bad_invocations(void **state)
{
    (void)state;
    mkdir("afolder", 0755);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *err;
        int rc = run(bad[i].args, &err, NULL);
        if (rc != 2 || !strstr(err, bad[i].message))
            fail_msg("gilsim %s: exit %d, want 2 and: %s; stderr: %s", bad[i].args, rc, bad[i].message, err);
        /* one line, starting with the program's name */
        int lines = 0;
        for (const char *p = err; *p; p++)
            lines += *p == '\n';
        if (strncmp(err, "gilsim: ", 8) != 0 || lines != 1)
            fail_msg("gilsim %s: want one line starting 'gilsim: ', got: %s", bad[i].args, err);
        /* and nothing is written: not even a partial output file */
        if (strstr(bad[i].args, "demo") || strstr(bad[i].args, "--json") || strstr(bad[i].args, "--csv -"))
            continue;
        const char *out = "bad-out.json";
        char args[512];
        snprintf(args, sizeof args, "%s --json %s", bad[i].args, out);
        unlink(out);
        assert_int_equal(run(args, &err, NULL), 2);
        if (access(out, F_OK) == 0)
            fail_msg("gilsim %s wrote %s", args, out);
    }
}


static void test_bad_program_files(void **state)
{
    (void)state;
    mkdir("afolder", 0755);
    char *err;
    write_file("empty.gsa", "", 0);
    assert_int_equal(run("--program empty.gsa", &err, NULL), 2);
    assert_non_null(strstr(err, "empty.gsa:1:1: empty program"));
    write_file("binary.gsa", "\x7f" "ELF\x02\x01\x01\x00", 8);
    assert_int_equal(run("--program binary.gsa", &err, NULL), 2);
    assert_non_null(strstr(err, "unexpected byte 0x7f"));
    const char *four = ".func main 4\n push 0\n ret\n.end\n";
    write_file("args.gsa", four, strlen(four));
    assert_int_equal(run("--program args.gsa", &err, NULL), 2);
    assert_non_null(strstr(err, "main takes 4 arguments; at most 3"));
    assert_int_equal(run("asm empty.gsa", &err, NULL), 2); /* a bad program file, as everywhere */
    assert_int_equal(run("dis empty.gsa", &err, NULL), 2);
    assert_int_equal(run("--program afolder", &err, NULL), 2);
    assert_non_null(strstr(err, "afolder: not a regular file"));
    assert_int_equal(run("--program /nonexistent/p.gsa", &err, NULL), 2);
    assert_non_null(strstr(err, "/nonexistent/p.gsa: cannot open: No such file or directory"));
    unlink("empty.gsa");
    unlink("binary.gsa");
    unlink("args.gsa");
}

static void test_help_and_version(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--help", NULL, &out), 0);
    assert_non_null(strstr(out, "--threads N"));
    assert_non_null(strstr(out, "--switch-interval D"));
    assert_fits_80("--help", out);
    assert_int_equal(run("sweep --help", NULL, &out), 0);
    assert_non_null(strstr(out, "--workers LIST"));
    assert_fits_80("sweep --help", out);
    static const char *const more[] = {"demo", "demo --help", "calibrate --help", "asm --help", "dis -h", "merge -h"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        assert_int_equal(run(more[i], NULL, &out), 0);
        assert_fits_80(more[i], out);
    }
    assert_int_equal(run("--version", NULL, &out), 0);
    assert_true(strncmp(out, "gilsim ", 7) == 0);
}

/* A duration as calibrate prints it ("223ns", "6.9us", "3.98ms"), in ns. */
static double printed_ns(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return v * (strncmp(end, "ms", 2) == 0 ? 1e6 : strncmp(end, "us", 2) == 0 ? 1e3 : 1);
}

/* gilsim calibrate's output, made once for the tests that read it (a run
 * measures for a few seconds). */
static const char *calibrate_output(void)
{
    static char *kept;
    if (!kept) {
        char *out;
        assert_int_equal(run("calibrate", NULL, &out), 0);
        kept = strdup(out);
        assert_non_null(kept);
    }
    return kept;
}

/* gilsim calibrate says each measured cost's batches, least .. most, and
 * the model takes the least of them (a signal, the wake-ups, the cold
 * caches and a thread's start the mean of the middle half, the cache line
 * the lower quartile, the slice the mean of its two spinners: within the
 * spread).  The
 * wake-ups and the cache line need two cores: on one, no batches. */
static void test_calibrate_prints_its_batches(void **state)
{
    (void)state;
    const char *out = calibrate_output();
    assert_fits_80("calibrate", out);
    static const char *const least[] = {"--syscall-cost", "--wake-none-cost", "--switch-cost", "--timer-latency",
                                        "--file-io", "--fork-cost", "--collect-cost"};
    static const char *const within[] = {"--signal-cost", "--time-slice", "--cold-cost", "--wake-fast",
                                         "--wake-latency", "--line-transfer", "--thread-cost"};
    bool two_cores = !strstr(out, "--cores 1 "); /* the cores it may use, as its table says */
    for (size_t i = 0; i < sizeof least / sizeof least[0] + sizeof within / sizeof within[0]; i++) {
        bool is_least = i < sizeof least / sizeof least[0];
        const char *opt = is_least ? least[i] : within[i - sizeof least / sizeof least[0]];
        if (!two_cores && (!strcmp(opt, "--wake-fast") || !strcmp(opt, "--wake-latency") ||
                           !strcmp(opt, "--line-transfer")))
            continue;
        char model[64], batches[64];
        snprintf(model, sizeof model, "%s ", opt);
        snprintf(batches, sizeof batches, "\n  %s ", opt);
        const char *m = strstr(out, model), *b = strstr(out, batches);
        if (!m || !b)
            fail_msg("calibrate printed no %s or no batches of it:\n%s", opt, out);
        double value = printed_ns(m + strlen(model));
        const char *lo_at = b + strlen(batches) + strspn(b + strlen(batches), " ");
        double lo = printed_ns(lo_at), hi = printed_ns(strstr(lo_at, " .. ") + 4);
        int n = atoi(strchr(lo_at, '(') + 1);
        if (n < 2 || lo > hi || (is_least ? fabs(value - lo) > 0.06 * lo : value < 0.99 * lo || value > 1.01 * hi))
            fail_msg("%s %g from batches %g .. %g (%d)", opt, value, lo, hi, n);
    }
}

/* Every option of calibrate's command is accounted for above it: measured
 * (its batches listed), at its default for want of a second core (said in
 * the table), or among the costs calibrate does not measure, never both
 * measured and not. */
static void test_calibrate_says_what_it_did_not_measure(void **state)
{
    (void)state;
    const char *out = calibrate_output();
    const char *unmeasured = strstr(out, "\nNot measured here"), *command = strstr(out, "Virtual time like this machine:");
    if (!unmeasured || !command || unmeasured > command)
        fail_msg("calibrate printed no list of what it did not measure before its command:\n%s", out);
    int options = 0;
    for (const char *p = strstr(command, "--"); p; p = strstr(p + 2, " --")) {
        p += *p == ' ';
        char opt[40], line[48], in_table[48];
        snprintf(opt, sizeof opt, "%.*s", (int)strcspn(p, " \\\n"), p);
        if (strcmp(opt, "--sim") == 0 || strcmp(opt, "--cores") == 0 || strcmp(opt, "--instruction-ns") == 0)
            continue;
        options++;
        snprintf(line, sizeof line, "\n  %s ", opt);
        snprintf(in_table, sizeof in_table, " %s ", opt);
        const char *batches = strstr(out, line), *listed = strstr(unmeasured, line), *row = strstr(out, in_table);
        bool measured = batches && batches < unmeasured;
        bool defaulted = row && row < unmeasured && strstr(row, "(default)") &&
                         strstr(row, "(default)") < row + strcspn(row, "\n");
        int said = measured + (listed != NULL) + defaulted;
        if (said != 1)
            fail_msg("calibrate's %s is %s:\n%s", opt, said ? "said twice" : "accounted for nowhere", out);
    }
    assert_true(options >= 15); /* every cost of the model is in the command */
}

static void test_asm_and_dis(void **state)
{
    (void)state;
    char *out, args[1024];
    snprintf(args, sizeof args, "asm %s/workloads/programs/fib.gsa", GS_SOURCE_DIR);
    assert_int_equal(run(args, NULL, &out), 0);
    assert_non_null(strstr(out, "ok: 2 functions"));
    snprintf(args, sizeof args, "dis %s/workloads/programs/fib.gsa", GS_SOURCE_DIR);
    assert_int_equal(run(args, NULL, &out), 0);
    assert_non_null(strstr(out, ".func fib 1 0"));
    assert_non_null(strstr(out, "call fib"));
}


/* In every mode a failed worker is reported with its reason, the others'
 * work stands, and the exit status is 1. */
static void test_failing_worker_exit_status(void **state)
{
    (void)state;
    const char *prog = "fails.gsa";
    const char *text = ".func main 1\n push 1\n load 0\n push 1\n sub\n div\n ret\n.end\n";
    write_file(prog, text, strlen(text));
    static const char *const modes[][3] = {
        {"threads", "thread", "threads"}, {"processes", "process", "processes"}, {"async", "task", "tasks"}};
    for (int m = 0; m < 3; m++) {
        char args[256], want[64];
        char *out;
        snprintf(args, sizeof args, "--%s 3 --program %s --no-baseline", modes[m][0], prog); /* a unit each */
        assert_int_equal(run(args, NULL, &out), 1);
        snprintf(want, sizeof want, "1 of 3 %s failed", modes[m][2]);
        assert_non_null(strstr(out, want));
        snprintf(want, sizeof want, "%s 1: division by zero", modes[m][1]);
        assert_non_null(strstr(out, want));
        snprintf(want, sizeof want, "did 2 of the 3 units"); /* the failed one's unit is not counted */
        assert_non_null(strstr(out, want));
        /* with a 1-worker baseline too: no speedup of work not all done */
        snprintf(args, sizeof args, "--%s 3 --program %s", modes[m][0], prog);
        assert_int_equal(run(args, NULL, &out), 1);
        assert_non_null(strstr(out, want));
        assert_null(strstr(out, "as fast as"));
        /* and its row in the table says it did none */
        const char *table = strstr(out, " units      wall ");
        assert_non_null(table);
        const char *row = strstr(table, "\n1 ");
        unsigned id;
        unsigned long long units;
        assert_non_null(row);
        assert_int_equal(sscanf(row, "%u %llu", &id, &units), 2);
        assert_int_equal(units, 0);
        assert_true(strstr(row, "FAILED") < strchr(row + 1, '\n'));
    }
    unlink(prog);
}

static void test_sweep_plots_and_its_script_redraws(void **state)
{
    (void)state;
    assert_int_equal(system("rm -rf plots && mkdir plots"), 0);
    assert_int_equal(run("sweep --workers 1,2 --modes threads,processes --work 40 --repeat 1 --quiet "
                         "--plot plots/speedup.png", NULL, NULL), 0);
    assert_true(file_starts_with("plots/speedup.png", "\x89PNG", 4));
    assert_int_equal(run("sweep --workers 1,2 --modes async --work 40 --repeat 1 --quiet --plot-metric wait "
                         "--plot plots/wait.svg", NULL, NULL), 0);
    assert_true(file_starts_with("plots/wait.svg", "<?xml", 5));
    /* the saved script and data draw the picture again */
    assert_int_equal(system("cd plots && rm speedup.png && gnuplot speedup.gp"), 0);
    assert_true(file_starts_with("plots/speedup.png", "\x89PNG", 4));
    struct stat st;
    assert_int_equal(stat("plots/speedup.dat", &st), 0);
    assert_int_equal(system("ls plots | grep -q tmp"), 256); /* no temporary left */
    assert_int_equal(system("rm -rf plots"), 0);
}

static void test_sweep_without_gnuplot_still_writes_the_csv(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "env PATH=/nonexistent %s sweep --workers 1 --modes threads --work 20 --repeat 1 "
             "--quiet --csv nognuplot.csv --plot nognuplot.png 2>&1", GS_GILSIM);
    unlink("nognuplot.csv");
    FILE *p = popen(cmd, "r");
    char out[2048];
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    assert_int_equal(WEXITSTATUS(status), 1);
    assert_non_null(strstr(out, "install the Debian package gnuplot-nox"));
    assert_true(file_starts_with("nognuplot.csv", "mode,workload,", 14));
    unlink("nognuplot.csv");
    unlink("nognuplot.png");
    assert_int_equal(system("rm -f nognuplot.gp nognuplot.dat"), 0);
}

/* Progress shows on a terminal (a pseudo-terminal here) and nowhere else. */
static void test_progress_only_on_a_terminal(void **state)
{
    (void)state;
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(GS_GILSIM, "gilsim", "sweep", "--workers", "1,2", "--modes", "threads", "--work", "40", "--repeat",
              "2", (char *)NULL);
        _exit(127);
    }
    char out[65536];
    size_t len = 0;
    ssize_t n;
    while (len < sizeof out - 1 && (n = read(master, out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    int status;
    waitpid(pid, &status, 0);
    close(master);
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_non_null(strstr(out, "[#"));
    assert_non_null(strstr(out, "runs, "));
    char *err, *std;
    assert_int_equal(run("sweep --workers 1,2 --modes threads --work 40 --repeat 2", &err, &std), 0);
    assert_null(strstr(err, "runs, "));
    assert_null(strstr(std, "runs, "));
    assert_non_null(strstr(std, "threads  countdown        1"));
}

static void test_timeline_and_trace_from_the_command_line(void **state)
{
    (void)state;
    char *out;
    unlink("cli-trace.json");
    assert_int_equal(run("--threads 3 --work 300 --no-baseline --timeline --trace cli-trace.json",
                         NULL, &out), 0);
    assert_non_null(strstr(out, "who held the lock when"));
    assert_non_null(strstr(out, "thread 2  "));
    json_error_t jerr;
    json_t *doc = json_load_file("cli-trace.json", 0, &jerr);
    assert_non_null(doc);
    assert_true(json_array_size(json_object_get(doc, "traceEvents")) > 10);
    json_decref(doc);
    unlink("cli-trace.json");
}

/* Threads that cannot be created (here: too little address space for
 * their stacks) are reported as such, and the run ends cleanly.  Under a
 * sanitizer, which reserves terabytes of address space, the limit cannot
 * be set this way. */
static void test_thread_creation_failure(void **state)
{
    (void)state;
    if (GS_SANITIZE[0])
        skip();
    char cmd[512], out[2048];
    snprintf(cmd, sizeof cmd, "sh -c 'ulimit -v 250000; %s --threads 4000 --work 4000 --no-baseline' 2>&1",
             GS_GILSIM);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    assert_int_equal(WEXITSTATUS(status), 1);
    if (!strstr(out, "gilsim: cannot create thread ") || !strstr(out, " of 4000: "))
        fail_msg("unexpected: %s", out);
}

/* examples/deadlock.py: Python would wait forever; gilsim fails the
 * thread that finds the cycle, names it (wrapped to 80 columns) and the
 * line, and the other finishes its unit.  Each holds its first lock for a 300 ms sleep, time
 * enough for the other to take its own on any machine. */
static void test_deadlock_example(void **state)
{
    (void)state;
    char args[512], want[512], *out;
    snprintf(args, sizeof args, "--threads 2 --program %s/examples/deadlock.py --work 2 --io-latency 300ms --no-baseline",
             GS_SOURCE_DIR);
    assert_int_equal(run(args, NULL, &out), 1);
    /* the message wrapped at 80 columns, the frame line below it */
    snprintf(want, sizeof want, "  thread 0: deadlock: thread 0 waits for lock b, held by thread 1; thread 1\n"
             "      waits for lock a, held by thread 0 (Python would wait forever)\n"
             "      at main (%s/examples/deadlock.py:20)\n", GS_SOURCE_DIR);
    /* the headline wraps where the machine's description ends it: on one
     * core it says "on 1 of this machine's 2 cores (its CPU affinity)" */
    if (!strstr(unwrapped(out), "failed (below), the others did 1 of the 2 units") ||
        !strstr(out, "1 of 2 threads failed:\n") ||
        !strstr(out, want))
        fail_msg("gilsim %s:\n%s", args, out);
}

/* The terminal report fits 80 columns in every mode and policy. */
static void test_report_fits_80_columns(void **state)
{
    (void)state;
    static const char *const runs[] = {
        "--threads 3 --mixed 0.5 --work 30",          "--processes 3 --mixed 0.5 --work 30",
        "--async 3 --mixed 0.5 --work 30",            "--threads 3 --gil legacy --work 300",
        "--threads 3 --gil fifo --work 300",          "--threads 3 --gil none --work 300",
        "--threads 3 --gil per-interpreter --work 300", "--threads 20 --io-bound --work 40 --repeat 2",
        "--sim --threads 8 --work 300",               "--sim --processes 8 --cores 8 --work 300",
        "--threads 3 --race=lock --work 300 --timeline", "--processes 3 --race --work 300",
        "--async 3 --native 0.5 --work 30 --timeline",
        "--sim --threads 3 --switch-interval 10us --work 20000", /* forced drops by the ten thousand */
        "--sim --threads 40 --work 40",                          /* one unit each: fairness not shown */
        /* the loop thread's wait for a core in three digits (82 columns once) */
        "--sim --async 3 --mixed 0.5 --work 300 --cores 1 --background 2",
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char *out;
        assert_int_equal(run(runs[i], NULL, &out), 0);
        assert_fits_80(runs[i], out);
    }
}

/* Fairness, Jain's index over the workers' throughputs, is shown where
 * the workers did more than a unit each, and not where each did one: its
 * throughput then only says when its turn came (200 such threads under
 * one lock read 0.078, 100,000 read 0.000). */
static void test_fairness_only_where_it_says_something(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--sim --threads 200 --work 200", NULL, &out), 0);
    assert_non_null(strstr(out, "fairness  not shown: each worker did one unit"));
    assert_null(strstr(out, "Jain's index"));
    assert_int_equal(run("--sim --threads 4 --work 400", NULL, &out), 0);
    const char *line = strstr(out, "fairness  ");
    assert_non_null(line);
    double index = -1;
    assert_int_equal(sscanf(line, "fairness  %lf (Jain's index", &index), 1);
    assert_true(index > 0 && index <= 1);
}

/* The python3 column of the report line that starts with label, in ms. */
static double python_ms(const char *out, const char *label)
{
    const char *line = strstr(out, label);
    assert_non_null(line);
    double gilsim, python;
    char gilsim_unit[4], python_unit[4];
    if (sscanf(line + strlen(label), " %lf %3s %lf %3s", &gilsim, gilsim_unit, &python, python_unit) != 4)
        fail_msg("no wall times in '%.80s'", line);
    static const struct {
        const char *unit;
        double ms;
    } units[] = {{"s", 1e3}, {"ms", 1}, {"us", 1e-3}, {"ns", 1e-6}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(python_unit, units[i].unit) == 0)
            return python * units[i].ms;
    fail_msg("'%s' is not a unit of time", python_unit);
    return 0;
}

/* Under python3 as under gilsim, a sleep lasts the run's --io-latency
 * whatever time.sleep was given (here 10 s), and a pipe's far end waits
 * it; and asyncio's tasks wait for their pipes at once, as gilsim's do.
 * Each worker does one unit, a sleep and a pipe: python3's wall is at
 * least twice the latency, below the 10 s sleep, and for 4 tasks below
 * the 1 s that waiting for their pipes in turn would take. */
static void test_vs_python_io_latency(void)
{
    static const struct {
        const char *args;
        double at_least_ms, below_ms;
        const char *wall; /* its line, padded: "1 threads" would not do */
    } runs[] = {
        {"--threads 2 --work 2 --io-latency 100ms", 200, 5000, "wall, 2 threads "},
        {"--async 4 --work 4 --io-latency 200ms", 400, 800, "wall, 4 tasks "},
        {"--threads 1 --work 1 --io-latency 100ms", 200, 5000, "wall, 1 thread "},
    };
    static const char text[] = "import time\nimport gilsim\n\n\n"
                               "def main(first, units):\n"
                               "    for unit in range(first, first + units):\n"
                               "        time.sleep(10)\n"
                               "        gilsim.pipe(unit)\n"
                               "    return units\n";
    write_file("sleepy.py", text, strlen(text));
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char *out, *err, args[256];
        snprintf(args, sizeof args, "%s --no-baseline --program sleepy.py --vs-python", runs[i].args);
        if (run(args, &err, &out) != 0)
            fail_msg("gilsim %s: %s", args, err);
        assert_null(strstr(out, "speedup")); /* no baseline for any of them */
        double wall = python_ms(out, runs[i].wall);
        if (wall < runs[i].at_least_ms || wall >= runs[i].below_ms)
            fail_msg("gilsim %s: python3 took %.1f ms", args, wall);
    }
    unlink("sleepy.py");
}

/* --vs-python runs the same .py under python3 and prints both; without
 * python3 it says so and runs nothing. */
static void test_vs_python(void **state)
{
    (void)state;
    char *out, *err, args[1024];
    if (system("python3 -c 'import sys' >/dev/null 2>&1") != 0) {
        printf("SKIPPED: python3 is not installed; --vs-python is not tried.\n");
        skip();
    }
    static const char *const modes[] = {"threads", "processes", "async"};
    static const char *const module[] = {"threading", "multiprocessing", "asyncio"};
    for (int m = 0; m < 3; m++) {
        snprintf(args, sizeof args, "--%s 2 --program %s/examples/convoy.py --unit-size 2000 --work 12 --vs-python",
                 modes[m], GS_SOURCE_DIR);
        if (run(args, &err, &out) != 0)
            fail_msg("gilsim %s: %s", args, err);
        assert_non_null(strstr(out, "Beside python3 3."));
        assert_non_null(strstr(out, module[m]));
        assert_non_null(strstr(out, "(the same)"));
        assert_fits_80(args, out);
    }
    test_vs_python_io_latency();
    /* a sum of 20 units, microseconds of work: python3's second thread
     * begins long after its run does (starting a thread takes tens of
     * microseconds), and its speedup is marked and said so */
    static const char sum[] = "def main(first, count):\n    s = 0\n    for i in range(first, first + count):\n"
                              "        s += i\n    return s\n";
    write_file("sum.py", sum, sizeof sum - 1);
    if (run("--threads 2 --program sum.py --work 20 --vs-python", &err, &out) != 0)
        fail_msg("gilsim --vs-python of sum.py: %s", err);
    if (!strstr(unwrapped(out), "python3's last thread began its share ") ||
        !strstr(unwrapped(out), "than about the lock: give more --work.") ||
        !strstr(out, "?\n  checksum"))
        fail_msg("python3's start-bound speedup not marked:\n%s", out);
    /* main(first), with no count: gilsim runs it once in each worker
     * (first 0, 1, 2), and python3's workers call it so too */
    static const char whole[] = "def main(first):\n    n = 1000\n    while n > 0:\n        n -= 1\n    return first + 1\n";
    write_file("whole.py", whole, sizeof whole - 1);
    if (run("--threads 3 --program whole.py --vs-python", &err, &out) != 0)
        fail_msg("gilsim --vs-python of whole.py: %s", err);
    if (!strstr(squeezed(out), " checksum 6 6 (the same)"))
        fail_msg("no checksum of 1 + 2 + 3 from both:\n%s", out);
    /* python3 deadlocks on examples/deadlock.py and would wait forever: it
     * is given twice the --timeout, then stopped, and gilsim says so */
    snprintf(args, sizeof args, "--threads 2 --program %s/examples/deadlock.py --work 2 --io-latency 300ms "
             "--no-baseline --timeout 1s --vs-python", GS_SOURCE_DIR);
    assert_int_equal(run(args, &err, &out), 1);
    if (!strstr(err, "python3 did not finish") || !strstr(err, "within 3 s and was stopped"))
        fail_msg("gilsim %s: %s", args, err);
    snprintf(args, sizeof args, "--threads 2 --program %s/examples/convoy.gsa --vs-python", GS_SOURCE_DIR);
    assert_int_equal(run(args, &err, NULL), 2);
    assert_non_null(strstr(err, "--vs-python applies only to --program FILE.py"));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "PATH=/nonexistent %s --threads 2 --program %s/examples/convoy.py --vs-python "
                              "2>vs-err >/dev/null", GS_GILSIM, GS_SOURCE_DIR);
    int status = system(cmd);
    assert_int_equal(WEXITSTATUS(status), 1);
    FILE *f = fopen("vs-err", "r");
    char line[512] = "";
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_non_null(strstr(line, "--vs-python needs python3, which is not on PATH"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_invocations),
        cmocka_unit_test(test_bad_program_files),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_calibrate_prints_its_batches),
        cmocka_unit_test(test_calibrate_says_what_it_did_not_measure),
        cmocka_unit_test(test_asm_and_dis),
        cmocka_unit_test(test_sweep_plots_and_its_script_redraws),
        cmocka_unit_test(test_sweep_without_gnuplot_still_writes_the_csv),
        cmocka_unit_test(test_progress_only_on_a_terminal),
        cmocka_unit_test(test_timeline_and_trace_from_the_command_line),
        cmocka_unit_test(test_thread_creation_failure),
        cmocka_unit_test(test_deadlock_example),
        cmocka_unit_test(test_report_fits_80_columns),
        cmocka_unit_test(test_fairness_only_where_it_says_something),
        cmocka_unit_test(test_vs_python),
        cmocka_unit_test(test_failing_worker_exit_status),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
