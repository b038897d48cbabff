/* test_cli.c - the gilsim program as a user meets it: bad invocations,
 * help, asm/dis, and the JSON report read back. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

/* Runs gilsim with args (a shell fragment); returns its exit status and
 * what it wrote to standard error (and out, if given) in a static buffer. */
static int run(const char *args, char **err_out, char **std_out)
{
    static char err_buf[8192], out_buf[1 << 20];
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>/tmp/gilsim-cli-err.%d", GS_GILSIM, args, (int)getpid());
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out_buf, 1, sizeof out_buf - 1, p);
    out_buf[n] = '\0';
    int status = pclose(p);
    char path[64];
    snprintf(path, sizeof path, "/tmp/gilsim-cli-err.%d", (int)getpid());
    FILE *e = fopen(path, "r");
    n = e ? fread(err_buf, 1, sizeof err_buf - 1, e) : 0;
    err_buf[n] = '\0';
    if (e)
        fclose(e);
    unlink(path);
    if (err_out)
        *err_out = err_buf;
    if (std_out)
        *std_out = out_buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

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
    {"--threads 5000", "--threads: '5000' is out of range"},
    {"--threads 2.5", "--threads: '2.5' is not a whole number"},
    {"--threads ''", "--threads: '' is not a whole number"},
    {"--threads 2 --processes 2", "--threads and --processes cannot be combined"},
    {"--processes 2 --async 2", "--processes and --async cannot be combined"},
    {"--processes 0", "--processes: '0' is out of range: give a whole number from 1 to 1024"},
    {"--processes 1025", "--processes: '1025' is out of range: give a whole number from 1 to 1024"},
    {"--async 65537", "--async: '65537' is out of range: give a whole number from 1 to 65536"},
    {"--async x", "--async: 'x' is not a whole number"},
    {"--threads 2 --threads 3", "--threads given twice"},
    {"--cpu-bound --io-bound", "--cpu-bound and --io-bound cannot be combined"},
    {"--cpu-bound=quicksort", "--cpu-bound: 'quicksort' is not a kernel: give countdown, fib or primes"},
    {"--mixed 1.5", "--mixed: '1.5' is not a CPU share"},
    {"--mixed 0", "--mixed: '0' is not a CPU share"},
    {"--mixed abc", "--mixed: 'abc' is not a CPU share"},
    {"--work 0", "--work: '0' is out of range"},
    {"--work 1e6", "--work: '1e6' is not a whole number"},
    {"--work 10 --work-per-worker 10", "--work and --work-per-worker cannot be combined"},
    {"--switch-interval 5", "--switch-interval: '5' is not a duration: give a number with a unit"},
    {"--switch-interval 5 ms", "--switch-interval: '5' is not a duration"},
    {"--threads 2 ms", "unexpected argument 'ms'"},
    {"--switch-interval 5min", "--switch-interval: '5min' is not a duration"},
    {"--switch-interval 0.5us", "--switch-interval: '0.5us' is out of range: give a duration from 1us to 10s"},
    {"--switch-interval 11s", "--switch-interval: '11s' is out of range"},
    {"--switch-interval -5ms", "--switch-interval: '-5ms' is not a duration"},
    {"--io-bound --io disk", "--io: 'disk' is not an I/O kind: give sleep, pipe or file"},
    {"--io pipe", "--io applies only to --io-bound and --mixed"},
    {"--io-latency 1ms", "--io-latency applies only to --io-bound, --mixed and --program"},
    {"--io-bound --io-latency 20s", "--io-latency: '20s' is out of range"},
    {"--repeat 0", "--repeat: '0' is out of range: give a whole number from 1 to 100"},
    {"--repeat 101", "--repeat: '101' is out of range"},
    {"--timeout 0s", "--timeout: '0s' is out of range"},
    {"--json ''", "--json: give a file name"},
    {"--json /nonexistent-dir/out.json", "--json: cannot write '/nonexistent-dir/out.json'"},
    {"--program /nonexistent.gsa", "/nonexistent.gsa: cannot open: No such file or directory"},
    {"--program /tmp", "/tmp: not a regular file"},
    {"--program /dev/null", "/dev/null: not a regular file"},
    {"extra-argument", "unexpected argument 'extra-argument'"},
    {"asm", "usage: gilsim asm FILE"},
    {"dis a b", "usage: gilsim dis FILE"},
};

static void test_bad_invocations(void **state)
{
    (void)state;
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
    }
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static void test_bad_program_files(void **state)
{
    (void)state;
    char *err;
    write_file("/tmp/gilsim-empty.gsa", "", 0);
    assert_int_equal(run("--program /tmp/gilsim-empty.gsa", &err, NULL), 2);
    assert_non_null(strstr(err, "/tmp/gilsim-empty.gsa:1:1: empty program"));
    write_file("/tmp/gilsim-binary.gsa", "\x7f" "ELF\x02\x01\x01\x00", 8);
    assert_int_equal(run("--program /tmp/gilsim-binary.gsa", &err, NULL), 2);
    assert_non_null(strstr(err, "unexpected byte 0x7f"));
    const char *four = ".func main 4\n push 0\n ret\n.end\n";
    write_file("/tmp/gilsim-args.gsa", four, strlen(four));
    assert_int_equal(run("--program /tmp/gilsim-args.gsa", &err, NULL), 2);
    assert_non_null(strstr(err, "main takes 4 arguments; at most 3"));
    assert_int_equal(run("asm /tmp/gilsim-empty.gsa", &err, NULL), 1);
    unlink("/tmp/gilsim-empty.gsa");
    unlink("/tmp/gilsim-binary.gsa");
    unlink("/tmp/gilsim-args.gsa");
}

static void test_help_and_version(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--help", NULL, &out), 0);
    assert_non_null(strstr(out, "--threads N"));
    assert_non_null(strstr(out, "--switch-interval D"));
    assert_int_equal(run("--version", NULL, &out), 0);
    assert_true(strncmp(out, "gilsim ", 7) == 0);
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

static json_t *get(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *key = strtok(buf, "."); key && o; key = strtok(NULL, "."))
        o = json_object_get(o, key);
    if (!o)
        fail_msg("JSON lacks %s", path);
    return o;
}

static void test_json_report(void **state)
{
    (void)state;
    const char *path = "/tmp/gilsim-cli-test.json";
    char *out;
    unlink(path);
    assert_int_equal(run("--threads 3 --io-bound --io pipe --io-latency 100us --work 60 --repeat 2 --quiet "
                         "--json /tmp/gilsim-cli-test.json", NULL, &out), 0);
    assert_string_equal(out, ""); /* --quiet */
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("not JSON: %s", jerr.text);
    assert_string_equal(json_string_value(get(doc, "schema")), "gilsim-run");
    assert_int_equal(json_integer_value(get(doc, "schema_version")), 1);
    assert_true(json_integer_value(get(doc, "host.cores")) >= 1);
    assert_string_equal(json_string_value(get(doc, "config.mode")), "threads");
    assert_int_equal(json_integer_value(get(doc, "config.workers")), 3);
    assert_int_equal(json_integer_value(get(doc, "config.io_latency_ns")), 100000);
    assert_true(json_is_true(get(doc, "summary.checksum_matches_baseline")));
    assert_true(json_real_value(get(doc, "summary.speedup")) > 0);
    json_t *runs = get(doc, "runs");
    assert_int_equal(json_array_size(runs), 2);
    json_t *r = json_array_get(runs, 0);
    assert_int_equal(json_integer_value(get(r, "units")), 60);
    assert_int_equal(json_integer_value(get(r, "io.ops")), 60);
    assert_true(json_is_object(get(r, "io.latency_ns")));
    assert_true(json_integer_value(get(r, "lock.acquisitions")) > 0);
    assert_true(json_is_real(get(r, "held_fraction")));
    json_t *workers = get(r, "per_worker");
    assert_int_equal(json_array_size(workers), 3);
    json_int_t units = 0;
    for (size_t i = 0; i < 3; i++)
        units += json_integer_value(get(json_array_get(workers, i), "units"));
    assert_int_equal(units, 60);
    assert_true(json_is_object(get(doc, "baseline")));
    json_decref(doc);
    unlink(path);
}

/* A validator for the part of JSON Schema that docs/gilsim-run.schema.json
 * uses: type, enum, required, properties, additionalProperties: false,
 * items, anyOf and local $ref.  Returns true, or false with where and why
 * in err. */
static bool type_matches(const char *type, const json_t *v)
{
    return (!strcmp(type, "object") && json_is_object(v)) || (!strcmp(type, "array") && json_is_array(v)) ||
           (!strcmp(type, "string") && json_is_string(v)) || (!strcmp(type, "integer") && json_is_integer(v)) ||
           (!strcmp(type, "number") && json_is_number(v)) || (!strcmp(type, "boolean") && json_is_boolean(v)) ||
           (!strcmp(type, "null") && json_is_null(v));
}

static bool conforms(json_t *root, json_t *schema, json_t *v, const char *where, char err[512])
{
    const char *ref = json_string_value(json_object_get(schema, "$ref"));
    if (ref) /* "#/$defs/NAME" */
        return conforms(root, json_object_get(json_object_get(root, "$defs"), ref + 8), v, where, err);
    json_t *any = json_object_get(schema, "anyOf"), *alt;
    size_t i;
    if (any) {
        json_array_foreach(any, i, alt) if (conforms(root, alt, v, where, err)) return true;
        return false;
    }
    json_t *choices = json_object_get(schema, "enum");
    if (choices) {
        json_array_foreach(choices, i, alt) if (json_equal(alt, v)) return true;
        snprintf(err, 512, "%s: not one of the allowed values", where);
        return false;
    }
    json_t *type = json_object_get(schema, "type");
    bool ok = !type || (json_is_string(type) && type_matches(json_string_value(type), v));
    json_array_foreach(type, i, alt) ok = ok || type_matches(json_string_value(alt), v);
    if (!ok) {
        snprintf(err, 512, "%s: wrong type", where);
        return false;
    }
    char sub[256];
    if (json_is_object(v)) {
        json_t *props = json_object_get(schema, "properties"), *req = json_object_get(schema, "required"), *x;
        json_array_foreach(req, i, x) if (!json_object_get(v, json_string_value(x))) {
            snprintf(err, 512, "%s: no key %s", where, json_string_value(x));
            return false;
        }
        const char *key;
        json_object_foreach(v, key, x) {
            json_t *p = json_object_get(props, key);
            snprintf(sub, sizeof sub, "%s.%s", where, key);
            if (!p && json_is_false(json_object_get(schema, "additionalProperties"))) {
                snprintf(err, 512, "%s: not in the schema", sub);
                return false;
            }
            if (p && !conforms(root, p, x, sub, err))
                return false;
        }
    }
    json_t *items = json_object_get(schema, "items"), *x;
    if (items && json_is_array(v))
        json_array_foreach(v, i, x) {
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            if (!conforms(root, items, x, sub, err))
                return false;
        }
    return true;
}

/* Every mode's JSON conforms to the one schema, and carries the figures of
 * its mode (and null where a figure does not apply). */
static void test_json_same_schema_in_every_mode(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *schema = json_load_file(GS_SOURCE_DIR "/docs/gilsim-run.schema.json", 0, &jerr);
    if (!schema)
        fail_msg("schema: %s", jerr.text);
    const char *modes[] = {"threads", "processes", "async"};
    for (int m = 0; m < 3; m++) {
        char args[256], err[512] = "";
        snprintf(args, sizeof args, "--%s 3 --io-bound --io-latency 200us --work 30 --json -", modes[m]);
        char *out;
        assert_int_equal(run(args, NULL, &out), 0);
        json_t *doc = json_loads(out, 0, &jerr);
        if (!doc)
            fail_msg("%s: not JSON: %s", modes[m], jerr.text);
        if (!conforms(schema, schema, doc, modes[m], err))
            fail_msg("%s", err);
        json_t *r = json_array_get(get(doc, "runs"), 0);
        assert_int_equal(json_integer_value(get(r, "io.ops")), 30);
        assert_true(json_is_true(get(doc, "summary.checksum_matches_baseline")));
        assert_int_equal(json_is_null(get(r, "switches_per_s")), m != 0);
        assert_int_equal(json_is_null(get(r, "held_fraction")), m == 1);
        assert_int_equal(json_is_null(get(r, "loop_lag_ns")), m != 2);
        assert_int_equal(json_is_null(get(json_array_get(get(r, "per_worker"), 0), "lock")), m == 2);
        json_decref(doc);
    }
    /* the validator itself refuses what the schema does not allow */
    json_t *partial = json_pack("{s:s}", "schema", "gilsim-run");
    char err[512];
    assert_false(conforms(schema, schema, partial, "doc", err));
    assert_string_equal(err, "doc: no key schema_version");
    json_decref(partial);
    json_decref(schema);
}

/* In every mode a failed worker is reported with its reason, the others'
 * work stands, and the exit status is 1. */
static void test_failing_worker_exit_status(void **state)
{
    (void)state;
    const char *prog = "/tmp/gilsim-fails.gsa";
    const char *text = ".func main 1\n push 1\n load 0\n push 1\n sub\n div\n ret\n.end\n";
    write_file(prog, text, strlen(text));
    static const char *const modes[][3] = {
        {"threads", "thread", "threads"}, {"processes", "process", "processes"}, {"async", "task", "tasks"}};
    for (int m = 0; m < 3; m++) {
        char args[256], want[64];
        char *out;
        snprintf(args, sizeof args, "--%s 3 --program %s --work 3 --no-baseline", modes[m][0], prog);
        assert_int_equal(run(args, NULL, &out), 1);
        snprintf(want, sizeof want, "1 of 3 %s failed", modes[m][2]);
        assert_non_null(strstr(out, want));
        snprintf(want, sizeof want, "%s 1: division by zero", modes[m][1]);
        assert_non_null(strstr(out, want));
        snprintf(want, sizeof want, "3 %s did 2 units", modes[m][2]); /* the failed one's unit is not counted */
        assert_non_null(strstr(out, want));
    }
    unlink(prog);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_invocations),
        cmocka_unit_test(test_bad_program_files),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_asm_and_dis),
        cmocka_unit_test(test_json_report),
        cmocka_unit_test(test_json_same_schema_in_every_mode),
        cmocka_unit_test(test_failing_worker_exit_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
