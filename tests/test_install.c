/* test_install.c - gilsim as a Debian user meets it: `cmake --install`
 * into a DESTDIR gives a gilsim that works without the source tree, with
 * its manual page, completion and examples; and --help, the manual page
 * and the completion all name every option of the one option table. */
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

#include "cli_helpers.h"
#include "testdir.h"

/* The file's text with roff's escaped hyphens ("\-") made plain. */
static char *manual_text(void)
{
    FILE *f = fopen(GS_BINARY_DIR "/gilsim.1", "r");
    assert_non_null(f);
    static char text[1 << 16];
    size_t n = 0;
    int c, prev = 0;
    while ((c = fgetc(f)) != EOF && n < sizeof text - 1) {
        if (prev == '\\' && c == '-')
            text[n - 1] = '-';
        else
            text[n++] = (char)c;
        prev = c;
    }
    text[n] = '\0';
    fclose(f);
    return text;
}

/* Whether text names option (with its "--") as a whole word. */
static bool names_option(const char *text, const char *option)
{
    size_t len = strlen(option);
    for (const char *p = strstr(text, option); p; p = strstr(p + 1, option)) {
        char after = p[len];
        if (!(after >= 'a' && after <= 'z') && after != '-')
            return true;
    }
    return false;
}

static void test_help_manual_and_completion_name_every_option(void **state)
{
    (void)state;
    char *manual = manual_text();
    static const char *const commands[][2] = {{"", "--help"}, {"sweep ", "sweep --help"}};
    for (size_t c = 0; c < 2; c++) {
        char args[64], *out;
        snprintf(args, sizeof args, "__complete %s--", commands[c][0]);
        assert_int_equal(run(args, NULL, &out), 0);
        static char options[8192];
        snprintf(options, sizeof options, "%s", out);
        assert_int_equal(run(commands[c][1], NULL, &out), 0);
        int count = 0;
        for (char *opt = strtok(options, "\n"); opt; opt = strtok(NULL, "\n"), count++) {
            if (!names_option(out, opt))
                fail_msg("gilsim %s does not name %s", commands[c][1], opt);
            if (!names_option(manual, opt))
                fail_msg("the manual page does not name %s (of gilsim %s)", opt, commands[c][0]);
        }
        assert_true(count >= 20);
    }
    /* and whatever --help names is an option gilsim has */
    char *out, all[8192];
    assert_int_equal(run("__complete -- ; gilsim=" GS_GILSIM "; $gilsim __complete sweep --", NULL, &out), 0);
    snprintf(all, sizeof all, "%s", out);
    static const char *const extra[] = {"--quick"}; /* demo's own, named in the run's help */
    assert_int_equal(run("--help", NULL, &out), 0);
    for (const char *p = strstr(out, "--"); p; p = strstr(p + 2, "--")) {
        char opt[64];
        size_t len = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
        snprintf(opt, sizeof opt, "%.*s", (int)len, p);
        if (len > 2 && !names_option(all, opt) && strcmp(opt, extra[0]) != 0)
            fail_msg("gilsim --help names %s, which no command has", opt);
    }
    /* the completion offers values from the same tables */
    assert_int_equal(run("__complete --gil ''", NULL, &out), 0);
    assert_non_null(strstr(out, "cpython\nlegacy\nfifo\nnone\nfree-threaded\nper-interpreter\n"));
    assert_int_equal(run("__complete demo ''", NULL, &out), 0);
    assert_non_null(strstr(out, "convoy\n"));
    assert_int_equal(run("__complete sweep --json ''", NULL, &out), 0);
    assert_string_equal(out, "__files__\n");
    assert_int_equal(run("__complete --threads ''", NULL, &out), 0);
    assert_string_equal(out, ""); /* a number: nothing to offer */
}

static void must_exist(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || st.st_size == 0)
        fail_msg("not installed: %s", path);
}

static void test_install_into_a_destdir(void **state)
{
    (void)state;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "DESTDIR=\"$PWD/root\" '%s' --install '%s' --prefix /usr >install.log 2>&1", GS_CMAKE,
             GS_BINARY_DIR);
    if (system(cmd) != 0)
        fail_msg("cmake --install failed: see install.log");
    static const char *const installed[] = {
        "root/usr/bin/gilsim", "root/usr/bin/gilsim-bench", "root/usr/share/man/man1/gilsim.1",
        "root/usr/share/bash-completion/completions/gilsim", "root/usr/share/gilsim/examples/fib.gsa",
        "root/usr/share/doc/gilsim/json-schema.md", "root/usr/share/doc/gilsim/gilsim-run.schema.json",
        "root/usr/share/doc/gilsim/sweep.md",
    };
    for (size_t i = 0; i < sizeof installed / sizeof installed[0]; i++)
        must_exist(installed[i]);
    /* the installed program runs from anywhere, without the source tree */
    assert_int_equal(system("cd root && usr/bin/gilsim demo >demo.out 2>&1 && usr/bin/gilsim demo convoy --quick "
                            ">>demo.out 2>&1 && usr/bin/gilsim demo legacy-battle --quick >>demo.out 2>&1"),
                     0);
    assert_int_equal(system("usr=root/usr; $usr/bin/gilsim --threads 2 --work 4 --no-baseline "
                            "--program $usr/share/gilsim/examples/fib.gsa >fib.out 2>&1"),
                     0);
    assert_true(file_starts_with("fib.out", "2 threads", 9));
    assert_int_equal(system("man -l root/usr/share/man/man1/gilsim.1 2>/dev/null | grep -q 'EXIT STATUS'"), 0);
    /* the completion, sourced as bash-completion does */
    assert_int_equal(system("bash -c 'source root/usr/share/bash-completion/completions/gilsim; "
                            "COMP_WORDS=(root/usr/bin/gilsim --gil le); COMP_CWORD=2; _gilsim; "
                            "test \"${COMPREPLY[*]}\" = legacy'"),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_manual_and_completion_name_every_option),
        cmocka_unit_test(test_install_into_a_destdir),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
