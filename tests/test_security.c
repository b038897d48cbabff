/* test_security.c - names and programs are data (issue "Untrusted names
 * and programs"): nothing in a file's name or a program runs, and nothing
 * gilsim writes replaces what it should not (that no process outlives it
 * and a stop stops is test_stops.c's).  Every other reproduction of that
 * issue is a test here; the names tried are in `hostile` below.  gilsim runs from argv (run_argv: no
 * shell between a name and gilsim), in the test's private folder.  The
 * page's DOM is checked in a real browser by test_html; the tests that
 * need root (links another user made, other users' files) skip without
 * it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_helpers.h"
#include "testdir.h"

#define NOBODY 65534

/* File names a student could hand in: each would be a command, a tag, a
 * formula, an escape sequence or a broken string in some language gilsim
 * writes, were it not treated as data. */
static const char *const hostile[] = {
    "a`touch PWNED`.py",
    "b\"; system(\"touch PWNED\"); x=\".py",
    "c'; system('touch PWNED'); x='.py",
    "d$(touch PWNED).py",
    "e@PWNED !touch PWNED.py",
    "<img src=x onerror=document.body.id=1337>.py",
    "<svg onload=document.body.id=7>.py",
    "=HYPERLINK(\"x\";\"y\").py",
    "+cmd.py",
    "-h.py",
    "@SUM(1+1).py",
    "\x1b]0;PWNED\x07.py",
    "\x1b[2J\x1b[31mred.py",
    "line\nbreak.py",
    "carriage\rreturn.py",
    "tab\tname.py",
    "bad\xff\xfe.py",
    "bidi\xe2\x80\xaeyp.txt.py",
    "quote'and\"both.py",
    "back\\slash\\.py",
    "semi;colon&amp;.py",
};

#define NHOSTILE (sizeof hostile / sizeof hostile[0])

/* Fails if any file in the folder is named PWNED, or the shell's
 * backquote made one elsewhere that the test can see. */
static void assert_nothing_ran(const char *what)
{
    DIR *d = opendir(".");
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, "PWNED") && !strchr(e->d_name, '.'))
            fail_msg("%s: a name ran as a command: %s exists", what, e->d_name);
    closedir(d);
}

static void assert_json(const char *path)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc)
        fail_msg("%s is not JSON: %s (line %d)", path, jerr.text, jerr.line);
    json_decref(doc);
}

/* Parses the CSV at path (RFC 4180); fails unless every row has the
 * header's fields and no field a spreadsheet would run as a formula. */
static void assert_csv(const char *path)
{
    const char *p = read_text(path);
    int fields = 0, header = -1, rows = 0;
    char field[4096];
    size_t len = 0;
    bool quoted = false, in_quotes = false;
    for (;; p++) {
        char c = *p;
        if (in_quotes) {
            if (c == '\0')
                fail_msg("%s: a quoted field never ends", path);
            if (c == '"' && p[1] == '"')
                field[len++] = *p++;
            else if (c == '"')
                in_quotes = false;
            else if (len < sizeof field - 1)
                field[len++] = c;
            continue;
        }
        if (c == '"' && len == 0) {
            quoted = in_quotes = true;
            continue;
        }
        if (c == ',' || c == '\n' || c == '\0') {
            field[len] = '\0';
            if (len && strchr("=+-@", field[0]) && !quoted && !(field[0] == '-' && field[1] >= '0' && field[1] <= '9'))
                fail_msg("%s: field '%s' is a formula to a spreadsheet", path, field);
            if (len && quoted && strchr("=+-@\t\r", field[0]))
                fail_msg("%s: quoted field '%s' is a formula to a spreadsheet", path, field);
            fields++;
            len = 0;
            quoted = false;
            if (c == ',')
                continue;
            if (c == '\0' && fields == 1)
                break; /* the end, after the last row's newline */
            if (header < 0)
                header = fields;
            else if (fields != header)
                fail_msg("%s: row %d has %d fields, the header %d", path, rows + 1, fields, header);
            rows++;
            fields = 0;
            if (c == '\0')
                break;
            continue;
        }
        if (len < sizeof field - 1)
            field[len++] = c;
    }
    assert_true(rows >= 2);
}

/* The page holds no element the name could have made: no tag it named,
 * and, where it holds a character HTML would read (< > " ' &), never the
 * name as it is. */
static void assert_page_inert(const char *path, const char *name)
{
    const char *page = read_text(path);
    static const char *const tags[] = {"<img", "<IMG", "<svg onload"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strstr(page, tags[i]))
            fail_msg("%s holds '%s' from a name", path, tags[i]);
    if (strpbrk(name, "<>\"'&") && strstr(page, name))
        fail_msg("%s holds the name '%s' unescaped", path, name);
}

/* Every hostile name as a program, through every output of a sweep (in
 * virtual time) and of a real run: nothing runs, every output parses, and
 * what reaches the terminal holds no control character. */
static void test_hostile_names_in_every_output(void **state)
{
    (void)state;
    for (size_t i = 0; i < NHOSTILE; i++) {
        write_file(hostile[i], countdown_py, strlen(countdown_py));
        const char *sweep[] = {GS_GILSIM, "sweep", "--sim", "--workers", "1,2", "--modes", "threads", "--work", "20",
                               "--repeat", "1", "--program", hostile[i], "--csv", "s.csv", "--json", "s.json",
                               "--html", "s.html", "--plot", "s.png", NULL};
        char *err, *out;
        int rc = run_argv(sweep, 0, 0, &err, &out);
        if (rc != 0)
            fail_msg("sweep of program %zu: exit %d: %s", i, rc, err);
        assert_nothing_ran(hostile[i]);
        if (has_control(out) || has_control(err))
            fail_msg("sweep of program %zu: a control character reached the terminal", i);
        assert_json("s.json");
        assert_csv("s.csv");
        assert_page_inert("s.html", hostile[i]);
        assert_true(file_starts_with("s.png", "\x89PNG", 4)); /* gnuplot read its script to the end */
        assert_nothing_ran("the plot's script");

        const char *real[] = {GS_GILSIM, "--threads", "2", "--work", "4", "--program", hostile[i], "--json", "r.json",
                              "--trace", "t.json", "--csv", "r.csv", "--html", "r.html", "--timeline", NULL};
        rc = run_argv(real, 0, 0, &err, &out);
        if (rc != 0)
            fail_msg("run of program %zu: exit %d: %s", i, rc, err);
        if (has_control(out) || has_control(err))
            fail_msg("run of program %zu: a control character reached the terminal", i);
        assert_json("r.json");
        assert_json("t.json");
        assert_csv("r.csv");
        assert_page_inert("r.html", hostile[i]);
        assert_nothing_ran(hostile[i]);

        /* the JSON keeps the name as given (bytes that are not UTF-8 as U+FFFD) */
        json_error_t jerr;
        json_t *doc = json_load_file("r.json", 0, &jerr);
        const char *kept = json_string_value(get(doc, "config.program"));
        if (strchr(hostile[i], '\xff'))
            assert_non_null(strstr(kept, "\xef\xbf\xbd"));
        else
            assert_string_equal(kept, hostile[i]);
        json_decref(doc);

        /* a message naming the file shows it as a label too */
        char missing[256];
        snprintf(missing, sizeof missing, "%s.missing", hostile[i]);
        const char *gone[] = {GS_GILSIM, "--program", missing, NULL};
        assert_int_equal(run_argv(gone, 0, 0, &err, &out), 2);
        if (has_control(err))
            fail_msg("the message about program %zu holds a control character", i);
        unlink(hostile[i]);
    }
}

/* Every hostile picture name: the plot is drawn and nothing runs; one
 * gnuplot cannot be given (a control character) is refused, as a usage
 * error, before any work. */
static void test_hostile_plot_names(void **state)
{
    (void)state;
    static const char *const pictures[] = {
        "a`touch PWNED`.png", "b\"; system(\"touch PWNED\"); x=\".png", "c'; system('touch PWNED'); x='.png",
        "d@PWNED.svg", "-x.png", "e' . system('touch PWNED') . '.svg",
    };
    char *err;
    for (size_t i = 0; i < sizeof pictures / sizeof pictures[0]; i++) {
        const char *argv[] = {GS_GILSIM, "sweep", "--sim", "--workers", "1,2", "--modes", "threads", "--work", "20",
                              "--repeat", "1", "--quiet", "--plot", pictures[i], NULL};
        int rc = run_argv(argv, 0, 0, &err, NULL);
        if (rc != 0)
            fail_msg("--plot %s: exit %d: %s", pictures[i], rc, err);
        assert_nothing_ran(pictures[i]);
        assert_true(file_starts_with(pictures[i], strstr(pictures[i], ".png") ? "\x89PNG" : "<?xml", 4));
    }
    const char *demo[] = {GS_GILSIM, "demo", "threads-vs-processes", "--quick", "--sim", "--plot",
                          "demo`touch PWNED`.png", NULL};
    assert_int_equal(run_argv(demo, 0, 0, &err, NULL), 0);
    assert_nothing_ran("the demo's plot");
    const char *newline[] = {GS_GILSIM, "sweep", "--sim", "--workers", "1", "--modes", "threads", "--work", "20",
                             "--repeat", "1", "--plot", "c\n!touch PWNED\n.png", NULL};
    assert_int_equal(run_argv(newline, 0, 0, &err, NULL), 2);
    assert_non_null(strstr(err, "control character"));
    assert_nothing_ran("a plot named with newlines");
}

/* A newline in a program's name does not reach the assembly the front end
 * writes: the program has its own functions and no other. */
static void test_name_never_assembly(void **state)
{
    (void)state;
    const char *name = "x\n.func evil 0 0\n push 1\n ret\n.end\n.py";
    write_file(name, countdown_py, strlen(countdown_py));
    const char *argv[] = {GS_GILSIM, "dis", name, NULL};
    char *out;
    assert_int_equal(run_argv(argv, 0, 0, NULL, &out), 0);
    assert_null(strstr(out, "\n.func evil")); /* the name's label is one comment line */
    assert_non_null(strstr(out, "\n.func main"));
    unlink(name);
}

/* Expressions nested past the bound are refused with file:line:col, on a
 * 1 MiB stack, whatever nests: parentheses, not, signs, calls. */
static void test_nesting_bounded_on_a_small_stack(void **state)
{
    (void)state;
    static const struct {
        const char *open, *close;
        int depth;
    } deep[] = {{"(", ")", 40000}, {"not ", "", 150000}, {"-", "", 150000}, {"f(", ")", 300000}};
    for (size_t i = 0; i < sizeof deep / sizeof deep[0]; i++) {
        FILE *f = fopen("deep.py", "w");
        fputs("def f(x):\n    return x\n\ndef main():\n    return ", f);
        for (int k = 0; k < deep[i].depth; k++)
            fputs(deep[i].open, f);
        fputc('1', f);
        for (int k = 0; k < deep[i].depth; k++)
            fputs(deep[i].close, f);
        fputc('\n', f);
        fclose(f);
        static const char *const commands[] = {"asm", "dis", "run"};
        for (size_t c = 0; c < 3; c++) {
            const char *argv[] = {GS_GILSIM, commands[c], c == 2 ? "--program" : "deep.py", "deep.py", NULL};
            if (c < 2)
                argv[3] = NULL;
            char *err;
            int rc = run_argv(argv, 1 << 20, 0, &err, NULL);
            if (rc != 2 || !strstr(err, "deep.py:5:") || !strstr(err, "nested too deeply"))
                fail_msg("%s of %d nested '%s': exit %d: %.300s", commands[c], deep[i].depth, deep[i].open, rc, err);
        }
    }
    /* at the bound, a program still compiles and runs */
    FILE *f = fopen("edge.py", "w");
    fputs("def main():\n    return ", f);
    for (int k = 0; k < 99; k++)
        fputc('(', f);
    fputc('7', f);
    for (int k = 0; k < 99; k++)
        fputc(')', f);
    fputc('\n', f);
    fclose(f);
    const char *argv[] = {GS_GILSIM, "asm", "edge.py", NULL};
    assert_int_equal(run_argv(argv, 1 << 20, 0, NULL, NULL), 0);
}

/* What python3 makes of main(0, 1, 0) in the file: its value, or false
 * when it refuses the file. */
static bool python_value(const char *path, long long *value)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "python3 -I -B -c 'import sys, importlib.util as u\n"
             "s = u.spec_from_file_location(\"m\", sys.argv[1]); m = u.module_from_spec(s)\n"
             "s.loader.exec_module(m); print(m.main(0, 1, 0))' %s 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    bool got = fscanf(p, "%lld", value) == 1;
    return pclose(p) == 0 && got;
}

/* Every way a line might end, as python3 reads it and as gilsim does:
 * wherever python3 runs the file, gilsim saw the same lines (the value of
 * main is the same); a character python3 takes for a line end is never
 * the rest of a comment to gilsim. */
static void test_line_ends_as_python(void **state)
{
    (void)state;
    if (!have_python3())
        skip();
    static const char *const ends[] = {"\n", "\r\n", "\r", "\n\r", "\r\r\n", "\f", "\v", "\x1c", "\x1d", "\x1e",
                                       "\xc2\x85", "\xe2\x80\xa8", "\xe2\x80\xa9", "\x85", "\\\n"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        char text[256];
        int len = snprintf(text, sizeof text, "def main(first, count, size):\n    x = 1  # note%s    x = 2\n"
                                              "    return x\n", ends[i]);
        write_file("ends.py", text, (size_t)len);
        long long py;
        bool python_runs = python_value("ends.py", &py);
        const char *argv[] = {GS_GILSIM, "--threads", "1", "--work", "1", "--no-baseline", "--quiet", "--program",
                              "ends.py", "--json", "ends.json", NULL};
        char *err;
        int rc = run_argv(argv, 0, 0, &err, NULL);
        if (!python_runs)
            continue; /* python3 refuses the file: nothing of it can run there */
        if (rc != 0)
            fail_msg("line end %zu: python3 runs the file (main = %lld), gilsim refuses it: %s", i, py, err);
        json_error_t jerr;
        json_t *doc = json_load_file("ends.json", 0, &jerr);
        long long ours = json_integer_value(get(doc, "summary.checksum"));
        json_decref(doc);
        if (ours != py)
            fail_msg("line end %zu: python3's main gives %lld, gilsim's %lld: they read different lines", i, py, ours);
    }
    /* form feeds in the indentation count as CPython counts them */
    static const char ff[] = "def main(first, count, size):\n    x = 1\n\f    return x\n";
    write_file("ff.py", ff, sizeof ff - 1);
    long long py;
    const char *argv[] = {GS_GILSIM, "asm", "ff.py", NULL};
    assert_int_equal(run_argv(argv, 0, 0, NULL, NULL) == 0, python_value("ff.py", &py));
}

/* Code hidden from a line-end difference, or in the __main__ block, never
 * runs: gilsim refuses the first, --vs-python skips the second. */
static void test_hidden_code_never_runs(void **state)
{
    (void)state;
    if (!have_python3())
        skip();
    static const char hidden[] = "import time\n# note\rimport os; os.system('touch PWNED')\n"
                                 "def main(first, count, size):\n    return count\n";
    write_file("hidden.py", hidden, sizeof hidden - 1);
    const char *run_it[] = {GS_GILSIM, "--threads", "2", "--work", "2", "--program", "hidden.py", "--vs-python", NULL};
    char *err;
    assert_int_equal(run_argv(run_it, 0, 0, &err, NULL), 2);
    assert_non_null(strstr(err, "hidden.py:3:8: importing 'os' is not supported"));
    assert_nothing_ran("a line python3 ends with a carriage return");

    static const char guard[] = "def main(first, count, size):\n    return count\n\n"
                                "if __name__ == \"__main__\":\n    import os\n    os.system('touch PWNED')\n";
    write_file("guard.py", guard, sizeof guard - 1);
    const char *run_guard[] = {GS_GILSIM, "--threads", "2", "--work", "2", "--program", "guard.py", "--vs-python",
                               NULL};
    char *out;
    assert_int_equal(run_argv(run_guard, 0, 0, &err, &out), 0);
    assert_non_null(strstr(out, "(the same)"));
    assert_nothing_ran("the __main__ block");
}

/* As root, on a machine where fs.protected_symlinks may be off: a link
 * that user nobody made in a sticky, world-writable folder is not
 * followed, to a file or to a name not taken; root's own link there is. */
static void test_links_another_user_made(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char cwd[4096], target[4200];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(mkdir("shared", 0777), 0);
    assert_int_equal(chmod("shared", 01777), 0);
    write_file("secret", "SECRET", 6);
    assert_int_equal(chmod("secret", 0600), 0);
    snprintf(target, sizeof target, "%s/secret", cwd);
    assert_int_equal(symlink(target, "shared/report.json"), 0);
    assert_int_equal(lchown("shared/report.json", NOBODY, NOBODY), 0);
    snprintf(target, sizeof target, "%s/planted", cwd);
    assert_int_equal(symlink(target, "shared/new.json"), 0);
    assert_int_equal(lchown("shared/new.json", NOBODY, NOBODY), 0);
    static const char *const links[] = {"shared/report.json", "shared/new.json"};
    for (size_t i = 0; i < 2; i++) {
        const char *argv[] = {GS_GILSIM, "--threads", "2", "--work", "20", "--no-baseline", "--quiet", "--json",
                              links[i], NULL};
        char *err;
        assert_int_equal(run_argv(argv, 0, 0, &err, NULL), 2);
        assert_non_null(strstr(err, "a link that another user made in a shared folder"));
    }
    assert_string_equal(read_text("secret"), "SECRET");
    assert_int_equal(access("planted", F_OK), -1);

    assert_int_equal(symlink("../mine.json", "shared/own.json"), 0); /* root's own link: followed */
    const char *own[] = {GS_GILSIM, "--threads", "2", "--work", "20", "--no-baseline", "--quiet", "--json",
                         "shared/own.json", NULL};
    assert_int_equal(run_argv(own, 0, 0, NULL, NULL), 0);
    assert_json("mine.json");
}

/* As root, writing over other users' files: their owner and group stay,
 * their permissions too, less any set-id bit. */
static void test_other_users_files_keep_their_owner(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    static const struct {
        const char *name;
        mode_t mode, after;
    } files[] = {{"setid.json", 06777, 0777}, {"private.json", 0600, 0600}, {"sticky.json", 01644, 0644}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        write_file(files[i].name, "old", 3);
        assert_int_equal(chown(files[i].name, NOBODY, NOBODY), 0);
        assert_int_equal(chmod(files[i].name, files[i].mode), 0);
        const char *argv[] = {GS_GILSIM, "--threads", "2", "--work", "20", "--no-baseline", "--quiet", "--json",
                              files[i].name, NULL};
        assert_int_equal(run_argv(argv, 0, 0, NULL, NULL), 0);
        struct stat st;
        assert_int_equal(stat(files[i].name, &st), 0);
        assert_int_equal(st.st_uid, NOBODY);
        assert_int_equal(st.st_gid, NOBODY);
        assert_int_equal(st.st_mode & 07777, files[i].after);
        assert_json(files[i].name);
    }
}

/* A user who may write another's file but cannot give a file away (here:
 * nobody, writing root's world-writable file): it is written in place,
 * its owner kept, and its set-id bits dropped. */
static void test_written_in_place_when_owner_cannot_be_kept(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chmod(cwd, 0755), 0); /* nobody may enter the test's folder */
    assert_int_equal(mkdir("open", 0777), 0);
    assert_int_equal(chmod("open", 0777), 0);
    write_file("open/roots.json", "old", 3);
    assert_int_equal(chmod("open/roots.json", 06666), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
            _exit(125);
        execl(GS_GILSIM, GS_GILSIM, "--threads", "2", "--work", "20", "--no-baseline", "--quiet", "--json",
              "open/roots.json", (char *)NULL);
        _exit(126);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    struct stat gilsim_bin;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 126 && stat(GS_GILSIM, &gilsim_bin) == 0)
        skip(); /* nobody cannot reach the build folder: nothing to learn here */
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    assert_int_equal(stat("open/roots.json", &st), 0);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_mode & 07777, 0666);
    assert_json("open/roots.json");
    assert_int_equal(chmod(cwd, 0700), 0);
}

/* Outputs that would write one file are refused before the run, the
 * plot's .dat and .gp and every demo output among them; a failed output
 * does not stop the others, and the message says which were written. */
static void test_outputs_never_collide(void **state)
{
    (void)state;
    char *err;
    const char *plot_csv[] = {GS_GILSIM, "sweep", "--sim", "--workers", "1,2", "--modes", "threads", "--repeat", "1",
                              "--plot", "p.png", "--csv", "p.dat", NULL};
    assert_int_equal(run_argv(plot_csv, 0, 0, &err, NULL), 2);
    assert_non_null(strstr(err, "--csv and --plot name the same file"));
    assert_int_equal(access("p.dat", F_OK), -1);
    const char *demo[] = {GS_GILSIM, "demo", "convoy", "--quick", "--sim", "--html", "d.html", "--trace", "d.html",
                          NULL};
    assert_int_equal(run_argv(demo, 0, 0, &err, NULL), 2);
    assert_non_null(strstr(err, "--trace and --html name the same file"));
    assert_int_equal(symlink("/dev/full", "full.png"), 0);
    const char *failing[] = {GS_GILSIM, "sweep", "--sim", "--workers", "1,2", "--modes", "threads", "--repeat", "1",
                             "--quiet", "--plot", "full.png", "--csv", "ok.csv", "--json", "/dev/full", NULL};
    assert_int_equal(run_argv(failing, 0, 0, &err, NULL), 1);
    assert_non_null(strstr(err, "gilsim: written: --csv ok.csv; not written: --json /dev/full, --plot full.png"));
    assert_csv("ok.csv");
}

/* The name is looked at once, before the run: a link turned elsewhere
 * while the run goes on changes nothing of where the report goes. */
static void test_no_second_look_at_a_name(void **state)
{
    (void)state;
    write_file("first.json", "old", 3);
    write_file("second.json", "untouched", 9);
    assert_int_equal(symlink("first.json", "report.json"), 0);
    const char *argv[] = {GS_GILSIM, "--threads", "2", "--work", "100000000", "--no-baseline", "--quiet",
                          "--timeout", "3s", "--json", "report.json", NULL};
    pid_t pid = spawn_gilsim(argv);
    wait_until(running_workers, &pid, "the workers to start");
    assert_int_equal(unlink("report.json"), 0);
    assert_int_equal(symlink("second.json", "report.json"), 0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1); /* stopped by --timeout */
    assert_json("first.json");
    assert_string_equal(read_text("second.json"), "untouched");
}

/* A program that is a FIFO nobody writes is refused at once; descriptors
 * are reserved from what the run needs, before any run. */
static void test_program_fifo_and_descriptors(void **state)
{
    (void)state;
    assert_int_equal(mkfifo("program.py", 0644), 0);
    const char *fifo[] = {GS_GILSIM, "--program", "program.py", NULL};
    char *err;
    assert_int_equal(run_argv(fifo, 0, 0, &err, NULL), 2);
    assert_non_null(strstr(err, "program.py: not a regular file"));

    const char *one[] = {GS_GILSIM, "--processes", "1", "--work", "100", "--quiet", NULL};
    assert_int_equal(run_argv(one, 0, 60, &err, NULL), 0);
    const char *many[] = {GS_GILSIM, "--async", "65536", "--io-bound", "--io", "pipe", "--quiet", "--json", "m.json",
                          NULL};
    assert_int_equal(run_argv(many, 0, 1000, &err, NULL), 1);
    assert_non_null(strstr(err, "65536 tasks need about"));
    assert_non_null(strstr(err, "the limit is 1000 (see ulimit -n)"));
    assert_int_equal(access("m.json", F_OK), -1);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_names_in_every_output),
        cmocka_unit_test(test_hostile_plot_names),
        cmocka_unit_test(test_name_never_assembly),
        cmocka_unit_test(test_nesting_bounded_on_a_small_stack),
        cmocka_unit_test(test_line_ends_as_python),
        cmocka_unit_test(test_hidden_code_never_runs),
        cmocka_unit_test(test_links_another_user_made),
        cmocka_unit_test(test_other_users_files_keep_their_owner),
        cmocka_unit_test(test_written_in_place_when_owner_cannot_be_kept),
        cmocka_unit_test(test_outputs_never_collide),
        cmocka_unit_test(test_no_second_look_at_a_name),
        cmocka_unit_test(test_program_fifo_and_descriptors),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
