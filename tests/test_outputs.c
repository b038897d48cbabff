/* test_outputs.c - gilsim never damages what it writes to, and never loses
 * a write error.  A regular file is replaced whole; a link's target is
 * written and the link stays; a FIFO, a socket and a character device are
 * written in place and stay what they were; a folder or block device is
 * refused before the run.  Every path is inside the test's private folder
 * (testdir.h), apart from /dev/null and /dev/full, which are opened for
 * writing only, and checked to be character devices still afterwards. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_helpers.h"
#include "testdir.h"

/* A short run: what it writes is what is tested, not what it measures. */
#define SMALL "--threads 2 --work 50 --no-baseline --quiet"

static struct stat must_lstat(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        fail_msg("%s is gone", path);
    return st;
}

static void assert_still_char_device(const char *path)
{
    struct stat st = must_lstat(path);
    if (!S_ISCHR(st.st_mode))
        fail_msg("%s is no longer a character device: gilsim replaced it", path);
}

static bool is_json_report(const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    bool ok = doc && json_is_string(json_object_get(doc, "schema"));
    json_decref(doc);
    return ok;
}

static void test_regular_file_replaced_whole(void **state)
{
    (void)state;
    write_file("report.json", "old", 3);
    chmod("report.json", 0640);
    assert_int_equal(run(SMALL " --json report.json", NULL, NULL), 0);
    assert_true(is_json_report("report.json"));
    assert_int_equal(must_lstat("report.json").st_mode & 07777, 0640); /* its permissions kept */
    assert_int_equal(system("ls | grep -q '\\.tmp\\.'"), 256);         /* no temporary left */
}

static void test_symlink_target_written_link_kept(void **state)
{
    (void)state;
    mkdir("real", 0755);
    write_file("real/r.json", "old", 3);
    assert_int_equal(symlink("real/r.json", "link.json"), 0);
    assert_int_equal(symlink("link.json", "link2.json"), 0); /* a chain of two */
    assert_int_equal(run(SMALL " --json link2.json", NULL, NULL), 0);
    assert_true(S_ISLNK(must_lstat("link.json").st_mode));
    assert_true(S_ISLNK(must_lstat("link2.json").st_mode));
    assert_true(is_json_report("real/r.json"));
    assert_int_equal(system("ls . real | grep -q '\\.tmp\\.'"), 256);

    /* two outputs through a link and by name are one file: refused */
    char *err;
    assert_int_equal(run(SMALL " --json real/r.json --csv link.json", &err, NULL), 2);
    assert_non_null(strstr(err, "--json and --csv name the same file"));

    /* a link to a name not taken yet: the target is created */
    assert_int_equal(symlink("real/new.csv", "dangling.csv"), 0);
    assert_int_equal(run(SMALL " --csv dangling.csv", NULL, NULL), 0);
    assert_true(S_ISLNK(must_lstat("dangling.csv").st_mode));
    assert_true(file_starts_with("real/new.csv", "mode,workload,", 14));

    /* a loop of links is a usage error, found before the run */
    assert_int_equal(symlink("loop-b", "loop-a"), 0);
    assert_int_equal(symlink("loop-a", "loop-b"), 0);
    assert_int_equal(run(SMALL " --json loop-a", &err, NULL), 2);
    assert_non_null(strstr(err, "--json: cannot write 'loop-a': too many levels of symbolic links"));
}

/* Reads the FIFO at path into the file copy, in a child; returns its pid.
 * The alarm ends it if gilsim never writes. */
static pid_t read_fifo_into(const char *path, const char *copy)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60);
        int in = open(path, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        char buf[65536];
        ssize_t n;
        while (in >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                _exit(1);
        _exit(in >= 0 ? 0 : 1);
    }
    return pid;
}

static void test_fifo_written_in_place(void **state)
{
    (void)state;
    assert_int_equal(mkfifo("report.fifo", 0644), 0);
    ino_t ino = must_lstat("report.fifo").st_ino;
    pid_t reader = read_fifo_into("report.fifo", "from-fifo.json");
    assert_int_equal(run(SMALL " --json report.fifo", NULL, NULL), 0);
    int status;
    assert_int_equal(waitpid(reader, &status, 0), reader);
    assert_int_equal(status, 0);
    assert_true(is_json_report("from-fifo.json")); /* the reader got it all */
    struct stat st = must_lstat("report.fifo");
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(st.st_ino, ino);

    /* a picture too: gnuplot draws into the FIFO, its script and data
     * lie beside it */
    assert_int_equal(mkfifo("curve.png", 0644), 0);
    reader = read_fifo_into("curve.png", "from-fifo.png");
    assert_int_equal(run("sweep --workers 1,2 --modes threads --work 40 --repeat 1 --quiet --plot curve.png",
                         NULL, NULL), 0);
    assert_int_equal(waitpid(reader, &status, 0), reader);
    assert_true(file_starts_with("from-fifo.png", "\x89PNG", 4));
    assert_true(S_ISFIFO(must_lstat("curve.png").st_mode));
    assert_true(file_starts_with("curve.gp", "# Written by gilsim", 19));
}

static void test_socket_written_in_place(void **state)
{
    (void)state;
    int server = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "report.sock");
    assert_int_equal(bind(server, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(server, 1), 0);
    /* the CSV is small: it waits in the socket's buffer until accepted */
    assert_int_equal(run(SMALL " --csv report.sock", NULL, NULL), 0);
    int conn = accept(server, NULL, NULL);
    assert_true(conn >= 0);
    char buf[8192];
    size_t len = 0;
    ssize_t n;
    while ((n = read(conn, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(conn);
    close(server);
    assert_true(strncmp(buf, "mode,workload,", 14) == 0);
    assert_true(S_ISSOCK(must_lstat("report.sock").st_mode));
}

/* /dev/null, first through a link (so that a broken build replaces the
 * link, not the device), then by name; /dev/full fails with its reason. */
static void test_devices_written_never_replaced(void **state)
{
    (void)state;
    assert_int_equal(symlink("/dev/null", "null-link"), 0);
    assert_int_equal(run(SMALL " --json null-link", NULL, NULL), 0);
    assert_true(S_ISLNK(must_lstat("null-link").st_mode));
    assert_still_char_device("/dev/null");

    char *err, *out;
    assert_int_equal(run(SMALL " --json /dev/null", &err, NULL), 0);
    assert_still_char_device("/dev/null");
    assert_string_equal(err, "");

    static const char *const to_full[][2] = {
        {SMALL " --json /dev/full", "gilsim: cannot write to /dev/full: No space left on device\n"},
        {SMALL " --csv /dev/full", "gilsim: cannot write to /dev/full: No space left on device\n"},
        {SMALL " --trace /dev/full", "gilsim: cannot write to /dev/full: No space left on device\n"},
    };
    for (size_t i = 0; i < sizeof to_full / sizeof to_full[0]; i++) {
        int rc = run(to_full[i][0], &err, &out);
        if (rc != 1 || strcmp(err, to_full[i][1]) != 0)
            fail_msg("gilsim %s: exit %d, stderr: %s", to_full[i][0], rc, err);
        assert_still_char_device("/dev/full");
    }
    /* a folder's worth of plot files cannot be a device's: the picture can */
    assert_int_equal(symlink("/dev/full", "full.svg"), 0);
    assert_int_equal(run("sweep --workers 1 --modes threads --work 20 --repeat 1 --quiet --plot full.svg", &err,
                         NULL), 1);
    assert_non_null(strstr(err, "gilsim: cannot write to full.svg: No space left on device"));
    assert_still_char_device("/dev/full");
    assert_true(S_ISLNK(must_lstat("full.svg").st_mode));
}

/* Anything but a file, device, FIFO or socket is refused before the run. */
static void test_block_device_refused(void **state)
{
    (void)state;
    if (mknod("disk.json", S_IFBLK | 0600, makedev(7, 250)) != 0)
        skip(); /* only root may make a device node */
    char *err;
    assert_int_equal(run(SMALL " --json disk.json", &err, NULL), 2);
    assert_non_null(strstr(err, "--json: cannot write 'disk.json': it is a block device"));
    assert_true(S_ISBLK(must_lstat("disk.json").st_mode));
}

/* Standard output: a failed write is exit 1 and one line saying why,
 * whatever wrote it; a reader that went away is not an error. */
static void test_standard_output_errors(void **state)
{
    (void)state;
    char args[1024];
    snprintf(args, sizeof args, "dis %s/workloads/programs/fib.gsa", GS_SOURCE_DIR);
    const char *const to_full[] = {
        "--threads 2 --work 50 --no-baseline", SMALL " --json -", SMALL " --csv -", SMALL " --trace -",
        "sweep --workers 1 --modes threads --work 20 --repeat 1", "--help", "demo", args,
    };
    for (size_t i = 0; i < sizeof to_full / sizeof to_full[0]; i++) {
        char cmd[1200], *err;
        snprintf(cmd, sizeof cmd, "%s >/dev/full", to_full[i]);
        int rc = run(cmd, &err, NULL);
        if (rc != 1 || strcmp(err, "gilsim: cannot write to standard output: No space left on device\n") != 0)
            fail_msg("gilsim %s: exit %d, stderr: %s", cmd, rc, err);
    }
    assert_still_char_device("/dev/full");

    /* The reader is gone before gilsim writes (true reads nothing): gilsim
     * says nothing, still writes its file, and exits 0. */
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "(%s --threads 2 --work 50 --timeline --json piped.json 2>piped.err; echo $? >status) "
             "| true", GS_GILSIM);
    assert_int_equal(system(cmd), 0);
    assert_true(file_starts_with("status", "0\n", 2));
    struct stat st = must_lstat("piped.err");
    assert_int_equal(st.st_size, 0);
    assert_true(is_json_report("piped.json"));
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* a reader child may end first */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_file_replaced_whole),
        cmocka_unit_test(test_symlink_target_written_link_kept),
        cmocka_unit_test(test_fifo_written_in_place),
        cmocka_unit_test(test_socket_written_in_place),
        cmocka_unit_test(test_devices_written_never_replaced),
        cmocka_unit_test(test_block_device_refused),
        cmocka_unit_test(test_standard_output_errors),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
