/* test_processes.c - the processes runner: no lost work in children, and
 * every way a child can fail (killed, runtime error, non-zero exit,
 * garbage or truncated results, ignoring the stop) reported as that worker's
 * failure with the others' results intact, no child left behind. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "testdir.h"

#include "helpers.h"
#include "summary.h"
#include "machine/machine.h"
#include "runners/wire.h"

/* main(first, count): the worker whose first unit is 1 never ends; the
 * others return first * 10. */
static const char endless_one[] = ".func main 2\n"
                                  " load 0\n push 1\n eq\n jz finite\n"
                                  "forever:\n jmp forever\n"
                                  "finite:\n load 0\n push 10\n mul\n ret\n.end\n";
static const char finite_all[] = ".func main 2\n load 0\n push 10\n mul\n ret\n.end\n";
static const char endless_all[] = ".func main 2\nloop:\n jmp loop\n.end\n";

/* The fault each worker suffers.  The hook runs in the child, which reads
 * its own copy of this table, filled by the test before forking. */
enum { NONE, KILL_SOON, EXIT_3, GARBAGE, TRUNCATED, IGNORE_STOP };
static int fault_of[8];

static void *kill_me_soon(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 30 * 1000 * 1000};
    nanosleep(&ts, NULL);
    kill(getpid(), SIGKILL);
    return NULL;
}

/* Sends len bytes home as a child's own result would go. */
static bool send_home(gs_os *os, gs_home *home, const void *bytes, size_t len)
{
    return os->ops->home_send(os, home, bytes, len) == 0;
}

static void inject_fault(uint32_t worker, gs_os *os, gs_home *home)
{
    static const char garbage[] = "this is not a gilsim result";
    const uint32_t magic = GS_WIRE_MAGIC, version = GS_WIRE_VERSION;
    pthread_t t;
    switch (fault_of[worker]) {
    case KILL_SOON:
        pthread_create(&t, NULL, kill_me_soon, NULL);
        break;
    case EXIT_3:
        _exit(3);
    case GARBAGE:
        if (!send_home(os, home, garbage, sizeof garbage))
            _exit(4);
        break;
    case TRUNCATED:
        if (!send_home(os, home, &magic, sizeof magic) || !send_home(os, home, &version, sizeof version))
            _exit(4);
        _exit(0);
    case IGNORE_STOP:
        signal(SIGUSR1, SIG_IGN);
        break;
    }
}

static void expect_no_children(void)
{
    int status;
    assert_int_equal(waitpid(-1, &status, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

/* Runs 4 workers of src with the faults given, checks that exactly the
 * faulty ones failed with messages starting as expected, and that the others
 * returned first * 10. */
static void expect_faults(const char *src, const int faults[4], const char *const errors[4], uint64_t timeout_ns)
{
    gs_workload w = load_text(src);
    memcpy(fault_of, faults, 4 * sizeof *faults);
    gs_run_config cfg = run_config(GS_MODE_PROCESSES, &w, 4, 4);
    cfg.in_child = inject_fault;
    cfg.timeout_ns = timeout_ns;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    expect_no_children();
    uint32_t failed = 0;
    for (uint32_t i = 0; i < 4; i++) {
        const gs_worker_result *x = &r.workers[i];
        if (errors[i]) {
            failed++;
            assert_true(x->failed);
            if (strncmp(x->rare->error, errors[i], strlen(errors[i])) != 0)
                fail_msg("process %u: '%s', expected '%s...'", i, x->rare->error, errors[i]);
        } else {
            if (x->failed)
                fail_msg("process %u failed: %s", i, x->rare->error);
            assert_int_equal(x->checksum, 10 * (int64_t)i);
            assert_int_equal(x->units, 1);
            assert_true(x->instructions > 0);
            assert_true(x->lock.acquisitions >= 1); /* its own lock, sent home */
        }
    }
    assert_int_equal(r.failed, failed);
    memset(fault_of, 0, sizeof fault_of);
    gs_run_result_free(&r);
    gs_workload_free(&w);
}

static void test_no_lost_work(void **state)
{
    (void)state;
    expect_checksum(GS_MODE_PROCESSES, GS_WL_COUNTDOWN, 0, 4, 400);
    expect_checksum(GS_MODE_PROCESSES, GS_WL_FIB, 0, 3, 50);
    expect_checksum(GS_MODE_PROCESSES, GS_WL_PRIMES, 0, 5, 101);
    expect_checksum(GS_MODE_PROCESSES, GS_WL_IO_BOUND, GS_IO_SLEEP, 4, 60);
    expect_checksum(GS_MODE_PROCESSES, GS_WL_IO_BOUND, GS_IO_PIPE, 4, 60);
    expect_checksum(GS_MODE_PROCESSES, GS_WL_IO_BOUND, GS_IO_FILE, 4, 200);
    expect_checksum(GS_MODE_PROCESSES, GS_WL_MIXED, GS_IO_PIPE, 3, 40);
    expect_no_children();
}

/* --transfer: each child sends its units' data home through its real pipe
 * before its result (4 x 16 units x 256 KiB: 16 MiB, far beyond a pipe's
 * buffer and the result's size limit), the parent reads and drops it, and
 * every result still arrives whole: no work lost, every byte counted. */
static void test_data_crosses_home_before_the_result(void **state)
{
    (void)state;
    gs_workload w = load_kind(GS_WL_IO_BOUND, GS_IO_SLEEP);
    gs_run_config cfg = run_config(GS_MODE_PROCESSES, &w, 4, 64);
    cfg.transfer_bytes = 256 * 1024;
    gs_run_result r;
    assert_int_equal(gs_run(&cfg, &r), 0);
    uint64_t units = 0, sent = 0;
    for (uint32_t i = 0; i < r.nworkers; i++) {
        const gs_worker_result *wr = &r.workers[i];
        if (wr->failed)
            fail_msg("process %u failed: %s", i, wr->rare->error);
        assert_int_equal(wr->transfer_bytes, wr->units * cfg.transfer_bytes);
        assert_true(wr->transfer_ns > 0);
        units += wr->units;
        sent += wr->transfer_bytes;
    }
    assert_int_equal(units, 64);
    assert_int_equal(sent, 64 * cfg.transfer_bytes);
    gs_run_summary s;
    gs_summarize(&r, &s);
    assert_int_equal(s.transfer_bytes, sent);
    int64_t want;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_workload_sequential(&w, 0, 64, &want, err), 0);
    assert_int_equal(s.checksum, want);
    gs_run_result_free(&r);
    gs_workload_free(&w);
    expect_no_children();
}

static void test_child_killed_mid_run(void **state)
{
    (void)state;
    expect_faults(endless_one, (int[]){NONE, KILL_SOON, NONE, NONE},
                  (const char *const[]){NULL, "killed by signal SIGKILL", NULL, NULL}, 0);
}

static void test_child_runtime_error(void **state)
{
    (void)state;
    expect_one_runtime_error(GS_MODE_PROCESSES);
    expect_no_children();
}

static void test_child_exits_non_zero(void **state)
{
    (void)state;
    expect_faults(finite_all, (int[]){NONE, NONE, NONE, EXIT_3},
                  (const char *const[]){NULL, NULL, NULL, "exited with status 3"}, 0);
}

static void test_child_sends_garbage_or_too_little(void **state)
{
    (void)state;
    expect_faults(finite_all, (int[]){GARBAGE, NONE, TRUNCATED, NONE},
                  (const char *const[]){"sent garbage instead of results", NULL,
                                        "sent truncated results (8 bytes)", NULL},
                  0);
}

static void test_timeout_stops_children(void **state)
{
    (void)state;
    expect_timeout_stops(GS_MODE_PROCESSES, 3);
    expect_no_children();
}

static void test_child_that_ignores_the_stop_is_killed(void **state)
{
    (void)state;
    expect_faults(endless_all, (int[]){NONE, IGNORE_STOP, NONE, NONE},
                  (const char *const[]){"stopped by --timeout", "did not stop within 2 s",
                                        "stopped by --timeout", "stopped by --timeout"},
                  100000000);
}

static void test_events_recorded_and_bounded(void **state)
{
    (void)state;
    expect_events_bounded(GS_MODE_PROCESSES);
}

typedef struct {
    unsigned char *buf;
    size_t len, cap;
} wire_buffer;

static int append(void *arg, const void *bytes, size_t len)
{
    wire_buffer *w = arg;
    if (w->len + len > w->cap)
        return -1;
    memcpy(w->buf + w->len, bytes, len);
    w->len += len;
    return 0;
}

/* Recorders sharing a buffer as a run's workers do (run.c: chunks
 * interleaved, gap the other workers' count) each read back their own
 * events, in order; a child's events, sent home in order, land in its
 * worker's chunks and nowhere else. */
enum { SHARERS = 3, EACH = 2 * GS_REC_CHUNK + 3 };
static void test_shared_event_buffer_keeps_each_workers_own(void **state)
{
    (void)state;
    enum { CHUNKS = (EACH + GS_REC_CHUNK - 1) / GS_REC_CHUNK };
    static gs_event block[SHARERS * CHUNKS * GS_REC_CHUNK];
    memset(block, 0xee, sizeof block);
    gs_recorder rec[SHARERS];
    for (uint32_t i = 0; i < SHARERS; i++)
        rec[i] = (gs_recorder){.events = block + i * GS_REC_CHUNK, .cap = EACH, .gap = SHARERS - 1};
    for (uint32_t k = 0; k < EACH + 2; k++) /* taking turns, as threads would; two too many each */
        for (uint32_t i = 0; i < SHARERS; i++)
            gs_record(&rec[i], GS_EV_WANT, 1000 * i + k, i);
    for (uint32_t i = 0; i < SHARERS; i++) {
        assert_int_equal(rec[i].n, EACH);
        assert_int_equal(rec[i].dropped, 2);
        for (uint32_t k = 0; k < EACH; k++) {
            assert_int_equal(gs_rec_event(&rec[i], k)->t_ns, 1000 * i + k);
            assert_int_equal(gs_rec_event(&rec[i], k)->arg, i);
        }
    }
    /* worker 1's events again, from a child: sent from a buffer of its own */
    gs_event own[EACH];
    for (uint32_t k = 0; k < EACH; k++)
        own[k] = (gs_event){5000 + k, GS_EV_GOT, 7};
    gs_worker_rare sent_rare = {.error = ""}, got_rare = {.error = ""};
    gs_worker_result sent;
    memset(&sent, 0, sizeof sent);
    sent.id = 1;
    sent.rec = (gs_recorder){.events = own, .cap = EACH, .n = EACH};
    sent.rare = &sent_rare;
    size_t max = gs_wire_max_size(EACH);
    wire_buffer wb = {.buf = malloc(max), .cap = max};
    assert_non_null(wb.buf);
    assert_int_equal(gs_wire_send(&sent, append, &wb), 0);
    gs_worker_result got;
    memset(&got, 0, sizeof got);
    got.id = 1;
    got.rec = rec[1];
    got.rec.n = 0;
    got.rare = &got_rare;
    char why[GS_ERRMSG_MAX];
    assert_int_equal(gs_wire_receive(wb.buf, wb.len, &got, why), 0);
    free(wb.buf);
    assert_int_equal(got.rec.n, EACH);
    for (uint32_t k = 0; k < EACH; k++) {
        assert_int_equal(gs_rec_event(&got.rec, k)->t_ns, 5000 + k);
        assert_int_equal(gs_rec_event(&rec[0], k)->t_ns, k); /* the others' untouched */
        assert_int_equal(gs_rec_event(&rec[2], k)->t_ns, 2000 + k);
    }
}

/* The wire format on its own: a message round-trips; any damage is
 * refused with a reason and leaves the result untouched. */
static void test_wire_round_trip_and_damage(void **state)
{
    (void)state;
    gs_event events[4] = {{1, GS_EV_WANT, 0}, {2, GS_EV_GOT, 0}, {3, GS_EV_DONE, 0}};
    gs_worker_result sent;
    memset(&sent, 0, sizeof sent);
    sent.id = 3;
    sent.first_unit = 30;
    sent.units = 10;
    sent.checksum = -12345;
    sent.io_ops = 7;
    sent.rec = (gs_recorder){.events = events, .cap = 4, .n = 3, .dropped = 9};
    gs_worker_rare sent_rare = {.shared_end = {42, -7}, .error = "stopped by --timeout"};
    sent_rare.ulocks[1].held_ns = 1234;
    sent.rare = &sent_rare;
    for (uint64_t v = 1; v < 1000000; v = v * 3 + 1) /* a window of many octaves ... */
        gs_worker_hist_add(&sent.lock.wait, v);
    for (uint64_t v = 900; v < 1100; v++) /* ... and one of one */
        gs_worker_hist_add(&sent.io_latency, v);
    size_t max = gs_wire_max_size(4);
    wire_buffer wb = {.buf = malloc(max + 16), .cap = max + 16};
    assert_non_null(wb.buf);
    assert_int_equal(gs_wire_send(&sent, append, &wb), 0);
    unsigned char *buf = wb.buf;
    size_t len = wb.len;
    assert_true(len > 0 && len < max);

    gs_event got_events[4];
    gs_worker_result got;
    char why[GS_ERRMSG_MAX];
    memset(&got, 0, sizeof got);
    got.id = 3;
    got.first_unit = 30;
    got.units = 10;
    got.rec = (gs_recorder){.events = got_events, .cap = 4};
    gs_worker_rare got_rare = {.error = "untouched"};
    got.rare = &got_rare;
    gs_worker_result before = got;

    buf[len / 2] ^= 1;
    assert_int_equal(gs_wire_receive(buf, len, &got, why), -1);
    assert_string_equal(why, "sent garbled results (checksum mismatch)");
    buf[len / 2] ^= 1;
    assert_int_equal(gs_wire_receive(buf, len - 1, &got, why), -1);
    assert_non_null(strstr(why, "truncated"));
    assert_int_equal(gs_wire_receive(buf, 0, &got, why), -1);
    assert_string_equal(why, "sent no results");
    got.rec.cap = 2;
    assert_int_equal(gs_wire_receive(buf, len, &got, why), -1);
    assert_non_null(strstr(why, "3 events, room for 2"));
    got.rec.cap = 4;
    got.id = 2;
    assert_int_equal(gs_wire_receive(buf, len, &got, why), -1);
    assert_non_null(strstr(why, "another worker"));
    got.id = 3;
    assert_memory_equal(&got, &before, sizeof got);
    assert_string_equal(got_rare.error, "untouched");

    assert_int_equal(gs_wire_receive(buf, len, &got, why), 0);
    assert_int_equal(got.checksum, -12345);
    assert_int_equal(got.io_ops, 7);
    assert_ptr_equal(got.rec.events, got_events);
    assert_int_equal(got.rec.n, 3);
    assert_int_equal(got.rec.dropped, 9);
    assert_memory_equal(got_events, events, 3 * sizeof *events);
    assert_ptr_equal(got.rare, &got_rare); /* the parent's slot, not the child's pointer */
    assert_memory_equal(&got_rare, &sent_rare, sizeof got_rare);
    const gs_worker_hist *hs[] = {&sent.lock.wait, &sent.io_latency}, *hg[] = {&got.lock.wait, &got.io_latency};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(hg[i]->count, hs[i]->count);
        assert_int_equal(hg[i]->first, hs[i]->first);
        assert_int_equal(hg[i]->len, hs[i]->len);
        assert_ptr_not_equal(hg[i]->buckets, hs[i]->buckets);
        assert_memory_equal(hg[i]->buckets, hs[i]->buckets, hs[i]->len * sizeof(uint64_t));
    }
    assert_int_equal(got.lock.hold.len, 0);
    assert_null(got.lock.hold.buckets);
    gs_worker_result_free(&got);

    /* A histogram that does not add up is refused, though its message is
     * whole (the child sent what it had). */
    sent.io_latency.count++;
    wb.len = 0;
    assert_int_equal(gs_wire_send(&sent, append, &wb), 0);
    memset(&got, 0, sizeof got);
    got.rare = &got_rare;
    got.id = 3;
    got.first_unit = 30;
    got.units = 10;
    got.rec = (gs_recorder){.events = got_events, .cap = 4};
    assert_int_equal(gs_wire_receive(wb.buf, wb.len, &got, why), -1);
    assert_string_equal(why, "sent garbage instead of results (a histogram that does not add up)");
    assert_null(got.io_latency.buckets);
    sent.io_latency.count--;

    /* So is a count with no window (the fuzzer's find: it was not checked). */
    sent.loop_lag.count = 1;
    wb.len = 0;
    assert_int_equal(gs_wire_send(&sent, append, &wb), 0);
    assert_int_equal(gs_wire_receive(wb.buf, wb.len, &got, why), -1);
    assert_string_equal(why, "sent garbage instead of results (a histogram that does not add up)");
    sent.loop_lag.count = 0;

    /* And a body that says it has more events than were sent, which
     * readers would read past the buffer (the fuzzer's find). */
    sent.rec.n = 2;
    wb.len = 0;
    assert_int_equal(gs_wire_send(&sent, append, &wb), 0);
    ((gs_worker_result *)(void *)(wb.buf + 16))->rec.n = 3; /* the body follows the 16-byte header */
    uint64_t fixed = gs_wire_hash(wb.buf, wb.len - sizeof fixed);
    memcpy(wb.buf + wb.len - sizeof fixed, &fixed, sizeof fixed);
    assert_int_equal(gs_wire_receive(wb.buf, wb.len, &got, why), -1);
    assert_string_equal(why, "sent garbage instead of results (3 events said, 2 sent)");
    sent.rec.n = 3;

    /* So is a window longer than a histogram has buckets. */
    uint64_t *wide = calloc(GS_HIST_BUCKETS + 1, sizeof *wide), *held = sent.lock.hold.buckets;
    assert_non_null(wide);
    sent.lock.hold = (gs_worker_hist){.buckets = wide, .len = GS_HIST_BUCKETS + 1};
    wb.len = 0;
    assert_int_equal(gs_wire_send(&sent, append, &wb), 0);
    assert_int_equal(gs_wire_receive(wb.buf, wb.len, &got, why), -1);
    assert_string_equal(why, "sent garbage instead of results (a histogram of 977 buckets)");
    free(wide);
    sent.lock.hold = (gs_worker_hist){.buckets = held};
    gs_worker_result_free(&sent);
    free(buf);
}

static void test_cores_pin_every_worker(void **state)
{
    (void)state;
    expect_pinned(GS_MODE_PROCESSES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cores_pin_every_worker),
        cmocka_unit_test(test_shared_event_buffer_keeps_each_workers_own),
        cmocka_unit_test(test_wire_round_trip_and_damage),
        cmocka_unit_test(test_no_lost_work),
        cmocka_unit_test(test_data_crosses_home_before_the_result),
        cmocka_unit_test(test_child_killed_mid_run),
        cmocka_unit_test(test_child_runtime_error),
        cmocka_unit_test(test_child_exits_non_zero),
        cmocka_unit_test(test_child_sends_garbage_or_too_little),
        cmocka_unit_test(test_timeout_stops_children),
        cmocka_unit_test(test_child_that_ignores_the_stop_is_killed),
        cmocka_unit_test(test_events_recorded_and_bounded),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
