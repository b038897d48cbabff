/* test_html.c - the classroom page (--html) of a run, a sweep and a demo,
 * opened in a real browser: headless Chromium.
 *
 * For each page: it stands alone (no script, no stylesheet or picture from
 * elsewhere), the browser logs no console message while loading it, and
 * its pictures rendered: a harness page loads it in a frame and reports
 * every SVG's size and shapes, which the test reads from the harness's
 * DOM.  A screenshot of each page is left in the build folder
 * (html-screenshots/) to look at.  Without Chromium the test is skipped,
 * saying so; in CI (GILSIM_CI set) that is a failure. */
#include <limits.h>
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

static char browser[PATH_MAX];

static bool find_browser(void)
{
    const char *set = getenv("GILSIM_CHROMIUM");
    if (set && *set) {
        snprintf(browser, sizeof browser, "%s", set);
        if (access(browser, X_OK) == 0)
            return true;
        browser[0] = '\0'; /* none: the tests skip */
        return false;
    }
    static const char *const names[] = {"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"};
    const char *path = getenv("PATH");
    for (size_t i = 0; path && i < sizeof names / sizeof names[0]; i++)
        for (const char *p = path; *p;) {
            size_t len = strcspn(p, ":");
            snprintf(browser, sizeof browser, "%.*s/%s", (int)len, p, names[i]);
            if (access(browser, X_OK) == 0)
                return true;
            p += len + (p[len] == ':');
        }
    browser[0] = '\0'; /* the last name tried is no browser */
    return false;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot read %s", path);
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Runs the browser on url with the flags; returns what it printed to
 * standard output, and its log (standard error) in log. */
static char *browse(const char *flags, const char *url, char **log)
{
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd,
             "timeout 120 '%s' --no-sandbox --disable-gpu --hide-scrollbars --enable-logging=stderr --v=0 "
             "%s '%s' > browser-out 2> browser-log",
             browser, flags, url);
    if (system(cmd) != 0)
        fail_msg("the browser failed: %s\n%s", cmd, read_all("browser-log"));
    static char out[1 << 20];
    snprintf(out, sizeof out, "%s", read_all("browser-out"));
    if (log)
        *log = read_all("browser-log");
    return out;
}

/* The pages of a PDF: its "/Type /Page" objects (not "/Pages"). */
static int pdf_pages(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("the browser printed no %s", path);
    static char buf[1 << 23];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int pages = 0;
    for (const char *p = buf; (p = memmem(p, n - (size_t)(p - buf), "/Type /Page", 11)); p += 11)
        pages += p + 11 < buf + n && p[11] != 's';
    return pages;
}

/* Checks the page at path (relative to the test's folder), which must hold
 * the pictures named in want ("timeline", "curves"). */
static void check_page(const char *path, const char *const want[], size_t nwant, const char *shot)
{
    char *page = read_all(path);
    assert_non_null(strstr(page, "<!DOCTYPE html>"));
    static const char *const external[] = {"<script", "<link", "src=", "href=", "url(", "@import", "http://",
                                           "https://"};
    for (size_t i = 0; i < sizeof external / sizeof external[0]; i++)
        if (strstr(page, external[i]))
            fail_msg("%s does not stand alone: it holds '%s'", path, external[i]);
    char cwd[PATH_MAX], url[PATH_MAX + 64], *log;
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(url, sizeof url, "file://%s/%s", cwd, path);
    browse("--dump-dom", url, &log);
    if (strstr(log, "CONSOLE"))
        fail_msg("%s: the browser's console said something:\n%s", path, log);
    /* the pictures, as the browser laid them out */
    char harness[4096];
    int n = snprintf(harness, sizeof harness,
                     "<!DOCTYPE html><html><body><iframe id=\"f\" src=\"%s\" style=\"width:1280px;height:2400px\">"
                     "</iframe><script>document.getElementById('f').onload=function(){var d=this.contentDocument,"
                     "o=[];if(d){d.querySelectorAll('svg').forEach(function(s){var r=s.getBoundingClientRect();"
                     "o.push(s.id+' '+Math.round(r.width)+' '+Math.round(r.height)+' '+"
                     "s.querySelectorAll('rect,circle,polyline').length);});o.push('h1 '+"
                     "(d.querySelector('h1')||{}).textContent);}var p=document.createElement('pre');p.id='result';"
                     "p.textContent='RESULT;'+o.join(';');document.body.appendChild(p);};</script></body></html>",
                     path);
    write_file("harness.html", harness, (size_t)n);
    snprintf(url, sizeof url, "file://%s/harness.html", cwd);
    char *dom = browse("--allow-file-access-from-files --virtual-time-budget=10000 --dump-dom", url, NULL);
    char *result = strstr(dom, "RESULT;");
    if (!result)
        fail_msg("%s: the harness could not read the page:\n%s", path, dom);
    for (size_t i = 0; i < nwant; i++) {
        char key[64];
        snprintf(key, sizeof key, ";%s ", want[i]);
        char *at = strstr(result, key);
        int w = 0, h = 0, shapes = 0;
        if (!at || sscanf(at + strlen(key), "%d %d %d", &w, &h, &shapes) != 3 || w < 600 || h < 100 || shapes < 2)
            fail_msg("%s: picture %s did not render (%dx%d, %d shapes): %.300s", path, want[i], w, h, shapes, result);
    }
    char *h1 = strstr(result, ";h1 ");
    if (!h1 || strncmp(h1 + 4, "undefined", 9) == 0 || h1[4] == ';' || h1[4] == '<')
        fail_msg("%s: no headline: %.300s", path, result);
    /* printed, it fits one or two pages */
    snprintf(url, sizeof url, "file://%s/%s", cwd, path);
    browse("--no-pdf-header-footer --print-to-pdf=page.pdf", url, NULL);
    int pages = pdf_pages("page.pdf");
    if (pages < 1 || pages > 2)
        fail_msg("%s prints on %d pages, want 1 or 2", path, pages);
    /* a screenshot to look at */
    char flags[PATH_MAX + 64];
    mkdir(GS_BINARY_DIR "/html-screenshots", 0755);
    snprintf(flags, sizeof flags, "--window-size=1280,2400 --screenshot=%s/html-screenshots/%s", GS_BINARY_DIR, shot);
    browse(flags, url, NULL);
}

static int setup(void **state)
{
    (void)state;
    if (find_browser())
        return gs_testdir_enter(state);
    if (getenv("GILSIM_CI"))
        fail_msg("Chromium is not installed: CI must check the page in a browser (tools/install-deps --ci)");
    return gs_testdir_enter(state);
}

static void test_pages_render_in_a_browser(void **state)
{
    (void)state;
    if (!browser[0]) {
        printf("SKIPPED: no Chromium here (chromium-headless-shell or chromium on PATH, or GILSIM_CHROMIUM): "
               "the pages are not checked in a browser. tools/install-deps --ci installs it.\n");
        skip();
    }
    assert_int_equal(run("--threads 3 --mixed 0.5 --io-latency 300us --work 60 --html run.html --quiet", NULL, NULL),
                     0);
    const char *const run_pictures[] = {"timeline"};
    check_page("run.html", run_pictures, 1, "run.png");
    assert_int_equal(run("sweep --workers 1,2,4 --work 200 --repeat 1 --quiet --html sweep.html", NULL, NULL), 0);
    const char *const sweep_pictures[] = {"curves"};
    check_page("sweep.html", sweep_pictures, 1, "sweep.png");
    assert_int_equal(run("demo convoy --quick --html demo.html", NULL, NULL), 0);
    const char *const demo_pictures[] = {"timeline"};
    check_page("demo.html", demo_pictures, 1, "demo-convoy.png");
    assert_int_equal(run("demo threads-vs-processes --quick --sim --cores 8 --html tvp.html", NULL, NULL), 0);
    const char *const tvp_pictures[] = {"curves"};
    check_page("tvp.html", tvp_pictures, 1, "demo-threads-vs-processes.png");
}

/* A program's name is text on every page: a browser that opens the run
 * and sweep pages of programs named as HTML finds no element, attribute
 * or script the names made, and runs nothing (the body keeps no id the
 * names' onerror and onload would set). */
static void test_names_stay_text_in_the_dom(void **state)
{
    (void)state;
    if (!browser[0]) {
        printf("SKIPPED: no Chromium here: the pages' DOM is not checked.\n");
        skip();
    }
    static const char *const names[] = {"<img src=x onerror=document.body.id=1337>.py",
                                        "<svg onload=document.body.id=7>.py", "\"><b id=x>bold\".py"};
    static const char program[] = "def main(first, count, size):\n    return count\n";
    char cwd[PATH_MAX], url[PATH_MAX + 64];
    assert_non_null(getcwd(cwd, sizeof cwd));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        write_file(names[i], program, sizeof program - 1);
        const char *sweep[] = {GS_GILSIM, "sweep", "--sim", "--workers", "1,2", "--modes", "threads", "--repeat", "1",
                               "--quiet", "--program", names[i], "--html", "sweep-named.html", NULL};
        const char *one[] = {GS_GILSIM, "--threads", "2", "--work", "4", "--quiet", "--program", names[i], "--html",
                             "run-named.html", NULL};
        assert_int_equal(run_argv(sweep, 0, 0, NULL, NULL), 0);
        assert_int_equal(run_argv(one, 0, 0, NULL, NULL), 0);
        static const char *const pages[] = {"sweep-named.html", "run-named.html"};
        for (size_t k = 0; k < 2; k++) {
            snprintf(url, sizeof url, "file://%s/%s", cwd, pages[k]);
            char *dom = browse("--virtual-time-budget=2000 --dump-dom", url, NULL);
            static const char *const made[] = {"<img", "<svg onload", "<b id=", "id=\"1337\"", "id=\"7\""};
            for (size_t m = 0; m < sizeof made / sizeof made[0]; m++)
                if (strstr(dom, made[m]))
                    fail_msg("%s of program %zu: the DOM holds %s, made by the name", pages[k], i, made[m]);
            assert_non_null(strstr(dom, "&lt;")); /* the name is there, as text */
        }
        unlink(names[i]);
    }
}

/* Bad --html values are usage errors, and the page follows the output
 * rules: a folder is refused before anything runs. */
static void test_html_option_errors(void **state)
{
    (void)state;
    char *err;
    assert_int_equal(run("--threads 2 --work 10 --html .", &err, NULL), 2);
    assert_non_null(strstr(err, "--html"));
    assert_int_equal(run("demo race --html -", &err, NULL), 2);
    assert_non_null(strstr(err, "--html: give a file name"));
    assert_int_equal(run("--threads 2 --work 10 --html same.json --json same.json", &err, NULL), 2);
    assert_non_null(strstr(err, "name the same file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_render_in_a_browser),
        cmocka_unit_test(test_names_stay_text_in_the_dom),
        cmocka_unit_test(test_html_option_errors),
    };
    return cmocka_run_group_tests(tests, setup, gs_testdir_leave);
}
