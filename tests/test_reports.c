/* test_reports.c - the reports that read events: slices, the timeline and
 * the trace, on runs whose events are known, and on real runs of every
 * mode. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"
#include <jansson.h>

#include "../interp/label.h"
#include "../reports/escape.h"
#include "../reports/glossary.h"
#include "../reports/report.h"
#include "../reports/table.h"
#include "../reports/slices.h"
#include "helpers.h"

#define MS 1000000ull

/* A threads run of 2 workers over 10 ms with these events. */
static gs_run_result synthetic(gs_event *ev0, uint32_t n0, gs_event *ev1, uint32_t n1, gs_workload *wl)
{
    static gs_worker_result w[2];
    memset(w, 0, sizeof w);
    w[0].rec = (gs_recorder){.events = ev0, .cap = n0, .n = n0};
    w[1].rec = (gs_recorder){.events = ev1, .cap = n1, .n = n1};
    w[1].id = 1;
    gs_run_result r = {.nworkers = 2, .workers = w, .start_ns = 1000 * MS, .end_ns = 1010 * MS};
    r.cfg.mode = GS_MODE_THREADS;
    r.cfg.workload = wl;
    return r;
}

typedef struct {
    gs_slice s[32];
    int n;
} slice_log;

static void log_slice(const gs_slice *s, void *arg)
{
    slice_log *l = arg;
    if (l->n < 32)
        l->s[l->n++] = *s;
}

static void test_slices_from_events(void **state)
{
    (void)state;
    uint64_t t = 1000 * MS;
    /* want, got, I/O noted while holding, drop, I/O end, want, drop request, got, forced drop, ..., done */
    gs_event ev[] = {{t, GS_EV_WANT, 0},
                     {t + 1 * MS, GS_EV_GOT, 0},
                     {t + 2 * MS, GS_EV_IO_START, GS_IO_PIPE},
                     {t + 2 * MS, GS_EV_DROP_VOLUNTARY, 0},
                     {t + 4 * MS, GS_EV_IO_END, 0},
                     {t + 4 * MS, GS_EV_WANT, 0},
                     {t + 5 * MS, GS_EV_DROP_REQUEST, 1},
                     {t + 6 * MS, GS_EV_GOT, 0},
                     {t + 8 * MS, GS_EV_DROP_FORCED, 0},
                     {t + 9 * MS, GS_EV_WANT, 0},
                     {t + 9 * MS, GS_EV_GOT, 0},
                     {t + 10 * MS, GS_EV_DONE, 0}};
    gs_worker_result w;
    memset(&w, 0, sizeof w);
    w.rec = (gs_recorder){.events = ev, .cap = 12, .n = 12};
    slice_log log = {0};
    gs_worker_slices(&w, log_slice, &log);
    static const struct {
        gs_slice_edge edge;
        gs_slice_kind kind;
        uint64_t t0, t1; /* ms after t */
    } want[] = {
        {GS_EDGE_BEGIN, GS_SLICE_WAITING, 0, 0},  {GS_EDGE_END, GS_SLICE_WAITING, 0, 1},
        {GS_EDGE_BEGIN, GS_SLICE_RUNNING, 1, 1},  {GS_EDGE_END, GS_SLICE_RUNNING, 1, 2},
        {GS_EDGE_BEGIN, GS_SLICE_IO, 2, 2},       {GS_EDGE_END, GS_SLICE_IO, 2, 4},
        {GS_EDGE_BEGIN, GS_SLICE_WAITING, 4, 4},  {GS_EDGE_MARK, GS_MARK_DROP_REQUEST, 5, 5},
        {GS_EDGE_END, GS_SLICE_WAITING, 4, 6},    {GS_EDGE_BEGIN, GS_SLICE_RUNNING, 6, 6},
        {GS_EDGE_END, GS_SLICE_RUNNING, 6, 8},    {GS_EDGE_MARK, GS_MARK_FORCED_DROP, 8, 8},
        {GS_EDGE_BEGIN, GS_SLICE_WAITING, 8, 8},  {GS_EDGE_END, GS_SLICE_WAITING, 8, 9},
        {GS_EDGE_BEGIN, GS_SLICE_WAITING, 9, 9},  {GS_EDGE_END, GS_SLICE_WAITING, 9, 9},
        {GS_EDGE_BEGIN, GS_SLICE_RUNNING, 9, 9},  {GS_EDGE_END, GS_SLICE_RUNNING, 9, 10},
        {GS_EDGE_MARK, GS_MARK_DONE, 10, 10},
    };
    assert_int_equal(log.n, sizeof want / sizeof want[0]);
    for (int i = 0; i < log.n; i++) {
        if (log.s[i].edge != want[i].edge || log.s[i].kind != want[i].kind || log.s[i].t0 != t + want[i].t0 * MS ||
            log.s[i].t1 != t + want[i].t1 * MS)
            fail_msg("slice %d: edge %d kind %d %.1f..%.1f ms", i, (int)log.s[i].edge, (int)log.s[i].kind,
                     (double)(log.s[i].t0 - t) / 1e6, (double)(log.s[i].t1 - t) / 1e6);
    }
    assert_int_equal(log.s[4].arg, GS_IO_PIPE);
}

/* The timeline of a known run: thread 0 holds the first half, thread 1
 * waits for it and holds the second half. */
static void test_timeline_draws_who_held_when(void **state)
{
    (void)state;
    uint64_t t = 1000 * MS;
    gs_event ev0[] = {{t, GS_EV_WANT, 0}, {t, GS_EV_GOT, 0}, {t + 5 * MS, GS_EV_DROP_VOLUNTARY, 0},
                      {t + 5 * MS, GS_EV_DONE, 0}};
    gs_event ev1[] = {{t, GS_EV_WANT, 0}, {t + 5 * MS, GS_EV_GOT, 0}, {t + 7 * MS, GS_EV_IO_START, 0},
                      {t + 7 * MS, GS_EV_DROP_VOLUNTARY, 0}, {t + 10 * MS, GS_EV_IO_END, 0}};
    gs_workload wl = {.name = "test"};
    gs_run_result r = synthetic(ev0, 4, ev1, 5, &wl);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    gs_report_timeline(f, &r, 10 + 20); /* labels take 10: 20 columns of 0.5 ms */
    fclose(f);
    const char *row0 = strstr(text, "thread 0  "), *row1 = strstr(text, "thread 1  ");
    assert_non_null(row0);
    assert_non_null(row1);
    assert_memory_equal(row0 + 10, "##########          \n", 21);
    assert_memory_equal(row1 + 10, "..........####~~~~~~\n", 21);
    assert_non_null(strstr(text, "# running with the lock"));
    assert_non_null(strstr(text, ". waiting for the lock"));
    assert_non_null(strstr(text, "~ in I/O"));
    assert_non_null(strstr(text, "one column is 500 us"));
    free(text);
}

/* Checks a trace: JSON; every worker has a named track; on each track the
 * begins and ends pair up and time never goes backwards. */
static void check_trace(const char *path, uint32_t nworkers)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("trace is not JSON: %s (line %d)", jerr.text, jerr.line);
    json_t *events = json_object_get(doc, "traceEvents"), *e;
    assert_true(json_is_array(events));
    enum { MAXTRACKS = 64 };
    int depth[MAXTRACKS] = {0}, named[MAXTRACKS] = {0}, slices[MAXTRACKS] = {0};
    double last[MAXTRACKS] = {0};
    size_t i;
    json_array_foreach(events, i, e) {
        const char *ph = json_string_value(json_object_get(e, "ph"));
        json_int_t tid = json_integer_value(json_object_get(e, "tid"));
        assert_non_null(ph);
        if (!strcmp(ph, "M") || !strcmp(ph, "C"))
            named[tid < MAXTRACKS ? tid : 0] += !strcmp(ph, "M") &&
                                               !strcmp(json_string_value(json_object_get(e, "name")), "thread_name");
        if (strcmp(ph, "B") && strcmp(ph, "E") && strcmp(ph, "i"))
            continue;
        assert_true(tid >= 1 && tid < MAXTRACKS);
        double ts = json_number_value(json_object_get(e, "ts"));
        if (ts < last[tid])
            fail_msg("track %lld goes back in time: %.3f after %.3f", (long long)tid, ts, last[tid]);
        last[tid] = ts;
        if (!strcmp(ph, "B")) {
            assert_int_equal(depth[tid], 0); /* slices of a worker never overlap */
            depth[tid]++;
            slices[tid]++;
        } else if (!strcmp(ph, "E")) {
            assert_int_equal(depth[tid], 1);
            depth[tid]--;
        }
    }
    for (uint32_t w = 1; w <= nworkers; w++) {
        assert_int_equal(named[w], 1);
        assert_int_equal(depth[w], 0);
        assert_true(slices[w] > 0);
    }
    assert_non_null(json_object_get(json_object_get(doc, "otherData"), "events_dropped"));
    json_decref(doc);
}

static void write_trace(const char *path, const gs_run_result *r)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(gs_write_trace(f, r), 0);
    assert_int_equal(fclose(f), 0);
}

static void test_trace_of_every_mode(void **state)
{
    (void)state;
    const char *path = "test-trace.json";
    gs_workload w = load_kind(GS_WL_MIXED, GS_IO_SLEEP);
    for (int m = 0; m < GS_MODE_COUNT; m++) {
        gs_run_config cfg = run_config((gs_mode)m, &w, 3, 30);
        gs_run_result r;
        assert_int_equal(gs_run(&cfg, &r), 0);
        write_trace(path, &r);
        check_trace(path, 3);
        gs_run_result_free(&r);
    }
    unlink(path);
    gs_workload_free(&w);
}

static void test_trace_says_what_did_not_fit(void **state)
{
    (void)state;
    const char *path = "test-trace-cut.json";
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_run_config cfg = run_config(GS_MODE_THREADS, &w, 2, 100);
    cfg.io_latency_ns = 10000;
    cfg.event_cap = 40;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    write_trace(path, &r);
    check_trace(path, 2);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    json_t *other = json_object_get(doc, "otherData");
    assert_int_equal(json_integer_value(json_object_get(other, "events_recorded")), 40);
    assert_true(json_integer_value(json_object_get(other, "events_dropped")) > 100);
    assert_non_null(strstr(json_string_value(json_object_get(other, "note")), "did not fit"));
    json_decref(doc);
    unlink(path);
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

/* A thread stopped while it waited for the lock ends without taking it
 * (lock.h: gs_gil_stop): the trace shows it waiting until its end, and
 * the count of waiters falls back to 0 there. */
static void test_trace_of_a_waiter_stopped(void **state)
{
    (void)state;
    const char *path = "test-trace-stopped.json";
    uint64_t t = 1000 * MS;
    gs_event ev0[] = {{t, GS_EV_WANT, 0}, {t, GS_EV_GOT, 0}, {t + 6 * MS, GS_EV_DROP_VOLUNTARY, 0},
                      {t + 6 * MS, GS_EV_DONE, 0}};
    gs_event ev1[] = {{t + 1 * MS, GS_EV_WANT, 0}, {t + 5 * MS, GS_EV_DONE, 0}};
    gs_workload wl = {.name = "test"};
    gs_run_result r = synthetic(ev0, 4, ev1, 2, &wl);
    write_trace(path, &r);
    check_trace(path, 2);
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr), *e;
    assert_non_null(doc);
    size_t i;
    int samples = 0;
    json_int_t at_wait = -1, last = -1;
    json_array_foreach(json_object_get(doc, "traceEvents"), i, e) {
        if (strcmp(json_string_value(json_object_get(e, "ph")), "C"))
            continue;
        json_int_t n = json_integer_value(json_object_get(json_object_get(e, "args"), "threads waiting"));
        double ts = json_number_value(json_object_get(e, "ts"));
        if (ts > 999 && ts < 1001) /* us from the start: the want */
            at_wait = n;
        last = n;
        samples++;
    }
    assert_true(samples >= 2);
    assert_int_equal(at_wait, 1);
    assert_int_equal(last, 0);
    json_decref(doc);
    unlink(path);
}

/* text with every run of spaces and line breaks made one space */
static char *one_line(char *text)
{
    char *w = text;
    for (const char *r = text; *r; r++)
        if (!(*r == ' ' || *r == '\n') || (w > text && w[-1] != ' '))
            *w++ = *r == '\n' ? ' ' : *r;
    *w = '\0';
    return text;
}

/* The glossary is one table: `gilsim terms` prints every entry, and the
 * README's "How to read the figures" says each in the same words. */
static void test_glossary_is_the_readmes(void **state)
{
    (void)state;
    char *printed = NULL, *readme = malloc(1 << 20);
    size_t len = 0;
    FILE *f = open_memstream(&printed, &len);
    gs_glossary_text(f);
    fclose(f);
    FILE *r = fopen(GS_SOURCE_DIR "/README.md", "r");
    assert_non_null(r);
    size_t n = fread(readme, 1, (1 << 20) - 1, r);
    fclose(r);
    readme[n] = '\0';
    one_line(printed);
    one_line(readme);
    assert_true(gs_glossary_count >= 10);
    for (size_t i = 0; i < gs_glossary_count; i++) {
        char entry[1024];
        snprintf(entry, sizeof entry, "- **%s**: %s", gs_glossary[i].term, gs_glossary[i].meaning);
        if (!strstr(readme, entry))
            fail_msg("the README does not say, as the glossary does: %s", entry);
        snprintf(entry, sizeof entry, "%s %s", gs_glossary[i].term, gs_glossary[i].meaning);
        if (!strstr(printed, entry))
            fail_msg("gilsim terms does not print: %s", entry);
    }
    free(printed);
    free(readme);
}

/* A table's two views show the same cells: the terminal's aligned (text
 * to the left, figures to the right, no line ending in spaces), the page's
 * escaped. */
static void test_table_views(void **state)
{
    (void)state;
    gs_table t;
    gs_table_init(&t, "<mode|workers|speedup");
    const char *cells[] = {"threads", "8", "1.00x", "<processes>", "16", "12.50x"};
    for (size_t i = 0; i < 6; i++)
        gs_table_cell(&t, "%s", cells[i]);
    for (int i = 0; i < 40; i++) /* past the first allocation */
        gs_table_cell(&t, "%d", i);
    assert_int_equal(t.nrows, 2 + 14);
    char *text = NULL, *html = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    gs_table_text(f, &t);
    fclose(f);
    assert_non_null(strstr(text, "mode         workers  speedup\n"
                                 "threads            8    1.00x\n"
                                 "<processes>       16   12.50x\n"));
    assert_null(strstr(text, " \n"));
    assert_non_null(strstr(text, "\n39\n")); /* the short last row: one cell */
    f = open_memstream(&html, &len);
    gs_table_html(f, &t, "data");
    fclose(f);
    assert_non_null(strstr(html, "<th class=\"text\">mode</th><th>workers</th>"));
    assert_non_null(strstr(html, "<td class=\"text\">&lt;processes&gt;</td><td>16</td><td>12.50x</td>"));
    free(text);
    free(html);
    gs_table_free(&t);
}

/* A name as the terminal shows it in a command to paste (gs_put_sh_shown):
 * a label's characters only, so nothing reaches the terminal that it
 * would act on, and bash, given the word, names exactly the file: line
 * ends, escapes, bytes that are not UTF-8, a bidirectional override,
 * quotes, backslashes and $(...) included, none of which runs. */
static void test_shell_word_shown_is_exact(void **state)
{
    (void)state;
    static const char *const names[] = {
        "plain-name.py", "with space.py", "bad\nname.py", "esc\033[31mred.py", "byte\xff\xfe.py",
        "bidi\xe2\x80\xaeyp.txt", "q'uote\\back.py", "$(touch PWNED)`touch PWNED`.py", "\x01\x7f\x9b.py",
        "caf\xc3\xa9\t\x0a\x0b.py", ("x\n" "1f.py"), /* one name: a newline, then what reads as hex */
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *word = NULL, *cmd = NULL;
        size_t len = 0, cmd_len = 0;
        FILE *f = open_memstream(&word, &len);
        assert_non_null(f);
        gs_put_sh_shown(f, names[i]);
        fclose(f);
        if (!gs_is_label(word, len))
            fail_msg("name %zu shows as '%s', which a terminal could act on", i, word);
        f = open_memstream(&cmd, &cmd_len);
        assert_non_null(f);
        fprintf(f, "exec bash -c 'printf %%s \"$1\"' bash %s > shown-name", word);
        fclose(f);
        /* bash reads the word from a script, as from a paste */
        FILE *script = fopen("shown.sh", "w");
        assert_non_null(script);
        fputs(cmd, script);
        fclose(script);
        assert_int_equal(system("bash shown.sh"), 0);
        FILE *got = fopen("shown-name", "rb");
        assert_non_null(got);
        char back[256];
        size_t n = fread(back, 1, sizeof back, got);
        fclose(got);
        if (n != strlen(names[i]) || memcmp(back, names[i], n) != 0)
            fail_msg("name %zu shown as %s came back as %zu other bytes", i, word, n);
        free(word);
        free(cmd);
    }
    assert_int_equal(access("PWNED", F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slices_from_events),
        cmocka_unit_test(test_timeline_draws_who_held_when),
        cmocka_unit_test(test_trace_of_every_mode),
        cmocka_unit_test(test_trace_says_what_did_not_fit),
        cmocka_unit_test(test_trace_of_a_waiter_stopped),
        cmocka_unit_test(test_glossary_is_the_readmes),
        cmocka_unit_test(test_table_views),
        cmocka_unit_test(test_shell_word_shown_is_exact),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
