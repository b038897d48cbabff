/* test_reports_cli.c - the JSON and CSV reports as a user reads them back:
 * the JSON conforms to docs/gilsim-run.schema.json in every mode, and the
 * CSV has exactly the columns docs/sweep.md documents, each field saying
 * what the JSON of the same run says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim.h"

#include "cli_helpers.h"
#include "testdir.h"

static void test_json_report(void **state)
{
    (void)state;
    const char *path = "cli-test.json";
    char *out;
    unlink(path);
    assert_int_equal(run("--threads 3 --io-bound --io pipe --io-latency 100us --work 60 --repeat 2 --quiet "
                         "--json cli-test.json", NULL, &out), 0);
    assert_string_equal(out, ""); /* --quiet */
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("not JSON: %s", jerr.text);
    assert_string_equal(json_string_value(get(doc, "schema")), "gilsim-run");
    assert_int_equal(json_integer_value(get(doc, "schema_version")), 4);
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
        assert_true(json_is_null(get(r, "race")));
        json_decref(doc);
        /* the program's own figures: the race with its lock, native calls */
        snprintf(args, sizeof args, "--%s 2 --race=lock --work 20 --json -", modes[m]);
        assert_int_equal(run(args, NULL, &out), 0);
        doc = json_loads(out, 0, &jerr);
        if (!doc || !conforms(schema, schema, doc, args, err))
            fail_msg("%s: %s", args, doc ? err : jerr.text);
        r = json_array_get(get(doc, "runs"), 0);
        assert_int_equal(json_integer_value(get(r, "race.updates_expected")), 20000);
        assert_int_equal(json_integer_value(get(r, "race.updates_lost")), 0);
        assert_int_equal(json_integer_value(get(r, "shared.counter")), 20000);
        json_t *guard = json_array_get(get(r, "user_locks"), 0);
        assert_string_equal(json_string_value(get(guard, "name")), "guard");
        assert_int_equal(json_integer_value(get(guard, "acquisitions")), 20000);
        /* a share of the time in every mode: each process's own guard's, on average */
        double held = json_real_value(get(guard, "held_fraction"));
        if (!(held > 0 && held <= 1))
            fail_msg("%s: the guard held %g of the time", args, held);
        json_int_t futile = 0; /* the run's are its workers' */
        for (size_t k = 0; k < json_array_size(get(r, "per_worker")); k++)
            futile += json_integer_value(
                get(json_array_get(get(json_array_get(get(r, "per_worker"), k), "user_locks"), 0), "futile_wakeups"));
        assert_int_equal(json_integer_value(get(guard, "futile_wakeups")), futile);
        json_decref(doc);
        snprintf(args, sizeof args, "--%s 2 --native 0.5 --work 20 --json -", modes[m]);
        assert_int_equal(run(args, NULL, &out), 0);
        doc = json_loads(out, 0, &jerr);
        if (!doc || !conforms(schema, schema, doc, args, err))
            fail_msg("%s: %s", args, doc ? err : jerr.text);
        r = json_array_get(get(doc, "runs"), 0);
        assert_int_equal(json_integer_value(get(r, "native.calls")), 20);
        assert_true(json_integer_value(get(r, "native.max_at_once")) >= 1);
        json_decref(doc);
    }
    /* virtual time: the model's every cost, as the costs' table lists them */
    char *out, err_sim[512] = "";
    assert_int_equal(run("--sim --threads 2 --work 20 --json -", NULL, &out), 0);
    json_t *sim = json_loads(out, 0, &jerr);
    if (!sim || !conforms(schema, schema, sim, "--sim", err_sim))
        fail_msg("--sim: %s", sim ? err_sim : jerr.text);
    json_t *model = get(sim, "config.model");
    json_t *required = json_object_get(json_array_get(get(schema, "properties.config.properties.model.oneOf"), 0),
                                       "required");
    assert_int_equal(json_array_size(required), 4 + GS_SIM_COST_COUNT); /* cores, seed, instruction_ns, background */
    for (int i = 0; i < GS_SIM_COST_COUNT; i++) {
        const gs_sim_cost *c = &gs_sim_costs[i];
        if (json_integer_value(json_object_get(model, c->field)) != (json_int_t)gs_sim_cost_of(&GS_SIM_MODEL_DEFAULT, c))
            fail_msg("the JSON's model has no %s of the default", c->field);
        bool listed = false;
        for (size_t k = 0; k < json_array_size(required); k++)
            listed |= strcmp(json_string_value(json_array_get(required, k)), c->field) == 0;
        if (!listed)
            fail_msg("the schema does not require the model's %s", c->field);
    }
    json_decref(sim);
    /* the validator itself refuses what the schema does not allow */
    json_t *partial = json_pack("{s:s}", "schema", "gilsim-run");
    char err[512];
    assert_false(conforms(schema, schema, partial, "doc", err));
    assert_string_equal(err, "doc: no key schema_version");
    json_decref(partial);
    json_decref(schema);
}


/* The CSV header documented in docs/sweep.md. */
static void documented_header(char *buf, size_t len)
{
    FILE *f = fopen(GS_SOURCE_DIR "/docs/sweep.md", "r");
    assert_non_null(f);
    buf[0] = '\0';
    while (fgets(buf, (int)len, f) && strncmp(buf, "mode,workload,", 14) != 0)
        buf[0] = '\0';
    fclose(f);
    assert_true(strncmp(buf, "mode,workload,", 14) == 0);
    buf[strcspn(buf, "\n")] = '\0';
}

/* Splits a CSV line of plain fields (gilsim quotes none in this test). */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    for (char *p = line;; p++) {
        if (n < max)
            fields[n++] = p;
        p = strchr(p, ',');
        if (!p)
            break;
        *p = '\0';
    }
    fields[n - 1][strcspn(fields[n - 1], "\n")] = '\0';
    return n;
}

/* A CSV field says what the JSON value v says: empty for null, numbers
 * equal to 6 digits. */
static void expect_field(const char *field, const json_t *v, const char *name)
{
    if (json_is_null(v))
        assert_string_equal(field, "");
    else if (json_is_string(v))
        assert_string_equal(field, json_string_value(v));
    else if (json_is_boolean(v))
        assert_string_equal(field, json_is_true(v) ? "true" : "false");
    else {
        char *end;
        double x = strtod(field, &end), y = json_number_value(v), d = x > y ? x - y : y - x;
        if (end == field || *end || (d != 0 && d > 1e-6 * (y < 0 ? -y : y)))
            fail_msg("%s: CSV '%s', JSON %g", name, field, y);
    }
}

/* The CSV: exactly the documented header, a row per point, and every
 * field the same as the JSON of the same sweep says. */
static void test_sweep_csv_matches_docs_and_json(void **state)
{
    (void)state;
    const char *csv = "sweep.csv", *js = "sweep.json";
    assert_int_equal(run("sweep --workers 1,3 --modes threads,processes,async --workloads countdown,io-bound "
                         "--work 60 --io-latency 200us --repeat 2 --quiet --csv sweep.csv "
                         "--json sweep.json", NULL, NULL), 0);
    char header[2048], line[4096];
    documented_header(header, sizeof header);
    FILE *f = fopen(csv, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    line[strcspn(line, "\n")] = '\0';
    assert_string_equal(line, header);
    char *names[64], *fields[64];
    int ncols = split(header, names, 64);
    json_error_t jerr;
    json_t *doc = json_load_file(js, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(get(doc, "schema")), "gilsim-sweep");
    json_t *points = get(doc, "points");
    assert_int_equal(json_array_size(points), 2 * 3 * 2);
    size_t row = 0;
    double one_worker_tput = 0;
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(split(line, fields, 64), ncols);
        json_t *pt = json_array_get(points, row++);
        assert_non_null(pt);
        for (int c = 0; c < ncols; c++) {
            json_t *v = json_object_get(pt, names[c]);
            if (!v)
                fail_msg("point %zu has no %s", row, names[c]);
            expect_field(fields[c], v, names[c]);
        }
        /* What the sweep was asked for, not what the writer says: every
         * point's work and repetitions, and each speedup its throughput
         * over the throughput of its own mode's 1-worker point (the row
         * before it, in the documented order). */
        assert_int_equal(json_integer_value(json_object_get(pt, "work")), 60);
        double tput = json_real_value(json_object_get(pt, "throughput"));
        uint64_t workers = (uint64_t)json_integer_value(json_object_get(pt, "workers"));
        assert_int_equal(workers, row % 2 ? 1 : 3);
        assert_int_equal(json_integer_value(json_object_get(pt, "runs")), 2);
        if (workers == 1) {
            one_worker_tput = tput;
        } else {
            double want = tput / one_worker_tput, got = json_real_value(json_object_get(pt, "speedup"));
            if (got < want * (1 - 1e-9) || got > want * (1 + 1e-9))
                fail_msg("point %zu: speedup %g, its throughput over its 1-worker point's %g", row, got, want);
        }
        /* what applies where */
        const char *mode = json_string_value(json_object_get(pt, "mode"));
        assert_int_equal(json_is_null(json_object_get(pt, "switches_per_s")), strcmp(mode, "threads") != 0);
        assert_int_equal(json_is_null(json_object_get(pt, "held_fraction")), strcmp(mode, "processes") == 0);
        assert_true(json_is_true(json_object_get(pt, "checksum_ok")));
    }
    assert_int_equal(row, 12);
    fclose(f);
    json_decref(doc);
    unlink(csv);
    unlink(js);
}

/* The CSV row's field named name. */
static const char *field_named(char **names, char **fields, int ncols, const char *name)
{
    for (int c = 0; c < ncols; c++)
        if (strcmp(names[c], name) == 0)
            return fields[c];
    fail_msg("no CSV column %s", name);
    return NULL;
}

/* A run's CSV is the sweep's over 1 and N workers: the baseline's row,
 * then the experiment's, each agreeing with the run's JSON. */
static void test_run_csv_matches_docs_and_json(void **state)
{
    (void)state;
    const char *csv = "run.csv", *js = "run.json";
    assert_int_equal(run("--threads 3 --io-bound --work 60 --io-latency 200us --repeat 3 --quiet "
                         "--csv run.csv --json run.json", NULL, NULL), 0);
    char header[2048], columns[2048], first[2048], line[2][4096];
    documented_header(header, sizeof header);
    memcpy(columns, header, sizeof columns);
    char *names[64], *fields[2][64];
    int ncols = split(columns, names, 64);
    FILE *f = fopen(csv, "r");
    assert_non_null(f);
    assert_non_null(fgets(first, sizeof first, f));
    first[strcspn(first, "\n")] = '\0';
    assert_string_equal(first, header);
    for (int r = 0; r < 2; r++) {
        assert_non_null(fgets(line[r], sizeof line[r], f));
        assert_int_equal(split(line[r], fields[r], 64), ncols);
    }
    assert_null(fgets(first, sizeof first, f)); /* two rows, no more */
    fclose(f);
    json_error_t jerr;
    json_t *doc = json_load_file(js, 0, &jerr);
    assert_non_null(doc);
    json_t *base = get(doc, "baseline"), *median = json_array_get(get(doc, "runs"), (size_t)json_integer_value(get(doc, "summary.median_run")));
    assert_non_null(median);
    static const struct {
        int row;
        const char *column, *json; /* json: a path in the whole document, or in the row's run with "." */
    } same[] = {
        {0, "workers", ".workers"}, {0, "wall_s", ".wall_s"}, {0, "throughput", ".throughput"},
        {0, "held_fraction", ".held_fraction"}, {0, "wait_fraction", ".wait_fraction"},
        {0, "io_latency_p99_ns", ".io.latency_ns.p99"},
        {1, "workers", ".workers"}, {1, "wall_s", "summary.wall_s"}, {1, "wall_min_s", "summary.wall_min_s"},
        {1, "wall_max_s", "summary.wall_max_s"}, {1, "throughput", "summary.throughput"},
        {1, "speedup", "summary.speedup"}, {1, "efficiency", "summary.efficiency"},
        {1, "held_fraction", ".held_fraction"}, {1, "switches_per_s", ".switches_per_s"},
        {1, "handoff_p99_ns", ".lock.handoff_ns.p99"}, {1, "io_latency_p50_ns", ".io.latency_ns.p50"},
        {1, "checksum_ok", "summary.checksum_matches_baseline"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        json_t *in = same[i].json[0] == '.' ? (same[i].row == 0 ? base : median) : doc;
        const char *path = same[i].json[0] == '.' ? same[i].json + 1 : same[i].json;
        expect_field(field_named(names, fields[same[i].row], ncols, same[i].column), get(in, path), same[i].column);
    }
    assert_string_equal(field_named(names, fields[0], ncols, "runs"), "3"); /* the baseline repeats too */
    assert_string_equal(field_named(names, fields[1], ncols, "runs"), "3");
    expect_field(field_named(names, fields[0], ncols, "wall_min_s"), get(doc, "summary.baseline_wall_min_s"),
                 "wall_min_s");
    expect_field(field_named(names, fields[1], ncols, "speedup_min"), get(doc, "summary.speedup_min"), "speedup_min");
    expect_field(field_named(names, fields[1], ncols, "speedup_max"), get(doc, "summary.speedup_max"), "speedup_max");
    assert_int_equal(json_integer_value(get(doc, "summary.baseline_runs")), 3);
    assert_string_equal(field_named(names, fields[0], ncols, "speedup"), "1");
    json_decref(doc);
    unlink(js);

    /* without a baseline: one row, and no speedup */
    assert_int_equal(run("--async 2 --work 40 --no-baseline --quiet --csv run.csv", NULL, NULL), 0);
    f = fopen(csv, "r");
    assert_non_null(f);
    assert_non_null(fgets(first, sizeof first, f));
    assert_non_null(fgets(line[0], sizeof line[0], f));
    assert_null(fgets(line[1], sizeof line[1], f));
    fclose(f);
    assert_int_equal(split(line[0], fields[0], 64), ncols);
    assert_string_equal(field_named(names, fields[0], ncols, "mode"), "async");
    assert_string_equal(field_named(names, fields[0], ncols, "speedup"), "");
    unlink(csv);
}


/* A sweep of the program workloads: the race under its lock loses
 * nothing at any point, in any mode; native calls are timed and metered. */
static void test_sweep_of_races_and_native_calls(void **state)
{
    (void)state;
    assert_int_equal(run("sweep --workers 1,2 --modes threads,processes,async --workloads race-lock,native:0.5 "
                         "--work 20 --repeat 1 --quiet --json sweep.json", NULL, NULL), 0);
    json_error_t jerr;
    json_t *doc = json_load_file("sweep.json", 0, &jerr);
    assert_non_null(doc);
    json_t *points = get(doc, "points");
    assert_int_equal(json_array_size(points), 2 * 3 * 2);
    for (size_t i = 0; i < json_array_size(points); i++) {
        json_t *pt = json_array_get(points, i);
        bool race = strcmp(json_string_value(get(pt, "workload")), "race-lock") == 0;
        if (race) {
            assert_int_equal(json_integer_value(get(pt, "updates_lost")), 0);
            assert_int_equal(json_integer_value(get(pt, "user_lock_acquisitions")), 20 * 1000);
            assert_true(json_is_null(get(pt, "native_s")));
        } else {
            assert_true(json_is_null(get(pt, "updates_lost")));
            assert_true(json_real_value(get(pt, "native_s")) > 0);
            assert_true(json_integer_value(get(pt, "native_max")) >= 1);
        }
    }
    json_decref(doc);
}

/* A student's own race: a shared variable that ends otherwise than in the
 * 1-thread run is said where the answer is, and kept in the JSON and the
 * CSV; with a lock around the update, nothing is said. */
static void test_a_programs_race_is_said(void **state)
{
    (void)state;
    static const char bank[] = "balance = 0\n\ndef fee(b):\n    return b\n\n"
                               "def main(first, count, size):\n    global balance\n"
                               "    for i in range(count * size):\n        b = balance\n"
                               "        b = fee(b) + 1\n        balance = b\n    return count\n\n"
                               "if __name__ == \"__main__\":\n    main(0, 1, 1000)\n";
    FILE *f = fopen("bank.py", "w");
    assert_non_null(f);
    fputs(bank, f);
    fclose(f);
    char *out;
    assert_int_equal(run("--sim --threads 2 --program bank.py --work 4000 --csv bank.csv", NULL, &out), 0);
    for (char *p = out; *p; p++)
        *p = *p == '\n' ? ' ' : *p;
    assert_non_null(strstr(out, "balance ended at "));
    assert_non_null(strstr(out, ", the 1-thread run at 4,000,000: "));
    assert_non_null(strstr(out, "of its updates were lost"));
    assert_int_equal(run("--sim --threads 2 --program bank.py --work 4000 --json -", NULL, &out), 0);
    json_error_t jerr;
    json_t *doc = json_loads(out, 0, &jerr);
    assert_non_null(doc);
    json_t *d = json_array_get(get(doc, "summary.shared_differs"), 0);
    assert_string_equal(json_string_value(json_object_get(d, "name")), "balance");
    assert_int_equal(json_integer_value(json_object_get(d, "baseline_end")), 4000000);
    assert_true(json_integer_value(json_object_get(d, "end")) < 4000000);
    assert_true(json_real_value(json_object_get(d, "lost_share")) > 0);
    json_decref(doc);
    /* under a lock: the same end as one thread, and not a word */
    static const char locked[] = "import threading\nbalance = 0\nguard = threading.Lock()\n\ndef fee(b):\n"
                                 "    return b\n\ndef main(first, count, size):\n    global balance\n"
                                 "    for i in range(count * size):\n        with guard:\n"
                                 "            b = balance\n            b = fee(b) + 1\n            balance = b\n"
                                 "    return count\n";
    f = fopen("locked.py", "w");
    assert_non_null(f);
    fputs(locked, f);
    fclose(f);
    assert_int_equal(run("--sim --threads 2 --program locked.py --work 40 --unit-size 100", NULL, &out), 0);
    assert_null(strstr(out, "ended at"));
    assert_non_null(strstr(out, "shared    balance = 4,000"));
}

/* A user lock's lines in the report are the JSON's figures of the same
 * run: its takes, those that waited, and the wake-ups that found it taken
 * again (said only when there were some; two real threads under one lock
 * have a few thousand). */
static void test_user_lock_report_matches_json(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--threads 2 --race=lock --work 100 --no-baseline --no-color --json lock.json", NULL, &out),
                     0);
    json_error_t jerr;
    json_t *doc = json_load_file("lock.json", 0, &jerr);
    assert_non_null(doc);
    json_t *guard = json_array_get(get(json_array_get(get(doc, "runs"), 0), "user_locks"), 0);
    char want[160];
    snprintf(want, sizeof want, "user lock guard: %lld takes, %lld waited, held ",
             (long long)json_integer_value(get(guard, "acquisitions")),
             (long long)json_integer_value(get(guard, "contended")));
    if (!strstr(out, want))
        fail_msg("no \"%s\" in:\n%s", want, out);
    json_int_t futile = json_integer_value(get(guard, "futile_wakeups"));
    snprintf(want, sizeof want, " %lld wake-up%s found it taken again by the time the waiter got there\n",
             (long long)futile, futile == 1 ? "" : "s");
    if ((strstr(out, want) != NULL) != (futile > 0) || (futile == 0 && strstr(out, "found it taken again")))
        fail_msg("%lld futile wake-ups in the JSON; the report:\n%s", (long long)futile, out);
    json_decref(doc);
}

/* Who took the lock after the forced drops: the report says what the JSON
 * counts, and every forced drop (with forced switching) went to a waiter,
 * one that had asked for it or another. */
static void test_forced_drops_takers_report_matches_json(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--sim --threads 3 --switch-interval 100us --work 3000 --no-baseline --json forced.json",
                         NULL, &out), 0);
    json_error_t jerr;
    json_t *doc = json_load_file("forced.json", 0, &jerr);
    assert_non_null(doc);
    json_t *lock = get(json_array_get(get(doc, "runs"), 0), "lock");
    json_int_t forced = json_integer_value(get(lock, "forced_drops")),
               asker = json_integer_value(get(lock, "forced_to_asker")),
               other = json_integer_value(get(lock, "forced_to_other"));
    assert_true(forced > 100);
    assert_int_equal(asker + other, forced);
    char want[160];
    snprintf(want, sizeof want, "\n          after them, %lld take%s by a waiter that had asked, %lld by another\n",
             (long long)asker, asker == 1 ? "" : "s", (long long)other);
    if (!strstr(out, want))
        fail_msg("no \"%s\" in:\n%s", want + 1, out);
    json_decref(doc);
    assert_int_equal(run("--sim --threads 3 --gil legacy --work 300 --no-baseline", NULL, &out), 0);
    if (strstr(out, "after them"))
        fail_msg("takers of forced drops told where there were none:\n%s", out);
}

/* One worker's baseline would be the run again: none is run, and nothing
 * is told as a comparison with it. */
static void test_one_worker_has_no_baseline(void **state)
{
    (void)state;
    char *out;
    assert_int_equal(run("--sim --threads 1 --work 300 --repeat 2 --json one.json", NULL, &out), 0);
    if (strncmp(out, "1 thread did 300 units in ", strlen("1 thread did 300 units in ")) != 0)
        fail_msg("a headline other than what one thread did:\n%s", out);
    for (const char *said = "as fast as\0; 1 thread:\0speedup\0matches the 1-worker run\0"; *said;
         said += strlen(said) + 1)
        if (strstr(out, said))
            fail_msg("\"%s\" told of a one-worker run:\n%s", said, out);
    json_error_t jerr;
    json_t *doc = json_load_file("one.json", 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(get(doc, "summary.baseline_runs")), 0);
    assert_true(json_is_null(get(doc, "summary.speedup")));
    assert_true(json_is_null(get(doc, "baseline")));
    assert_int_equal(json_array_size(get(doc, "runs")), 2);
    json_decref(doc);
    /* two workers still get theirs, one a run */
    assert_int_equal(run("--sim --threads 2 --work 300 --repeat 2 --json two.json", NULL, &out), 0);
    doc = json_load_file("two.json", 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(get(doc, "summary.baseline_runs")), 2);
    assert_true(json_real_value(get(doc, "summary.speedup")) > 0);
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_report),
        cmocka_unit_test(test_json_same_schema_in_every_mode),
        cmocka_unit_test(test_sweep_csv_matches_docs_and_json),
        cmocka_unit_test(test_run_csv_matches_docs_and_json),
        cmocka_unit_test(test_sweep_of_races_and_native_calls),
        cmocka_unit_test(test_a_programs_race_is_said),
        cmocka_unit_test(test_user_lock_report_matches_json),
        cmocka_unit_test(test_forced_drops_takers_report_matches_json),
        cmocka_unit_test(test_one_worker_has_no_baseline),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
