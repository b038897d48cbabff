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
#include <stdbool.h>
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
        fail_msg("the browser failed: %s\n%s", cmd, read_text("browser-log"));
    static char out[1 << 20];
    snprintf(out, sizeof out, "%s", read_text("browser-out"));
    if (log)
        *log = read_text("browser-log");
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

/* The page at path as the browser lays it out in a window `width` pixels
 * wide, in words: "font BODY TABLE" (the body's type and the smallest in
 * a data table, in px), then for each picture "ID WIDTH HEIGHT SHAPES" and
 * "axes-ID AXES TITLES TICKS HIDDEN": its axes and their titles, whether
 * its tick labels step from 0 by a round value (1, 2, 2.5 or 5 times a
 * power of ten), and how many pairs of its lines lie within 10 units of
 * each other at every point with the same dash or the same marker (lines
 * a reader cannot tell apart); then "h1 TEXT". */
static char *laid_out(const char *path, int width)
{
    static const char script[] =
        "document.getElementById('f').onload=function(){var d=this.contentDocument,o=[];if(d){"
        "var bs=parseFloat(getComputedStyle(d.body).fontSize),mt=0;"
        "d.querySelectorAll('table.data td,table.data th').forEach(function(c){var z=parseFloat("
        "getComputedStyle(c).fontSize);mt=mt?Math.min(mt,z):z;});o.push('font '+bs+' '+mt);"
        "d.querySelectorAll('svg').forEach(function(s){var r=s.getBoundingClientRect();"
        "o.push(s.id+' '+Math.round(r.width)+' '+Math.round(r.height)+' '+"
        "s.querySelectorAll('rect,circle,polyline').length);"
        "var v=[];s.querySelectorAll('.tick').forEach(function(t){v.push(parseFloat(t.getAttribute('data-value')));});"
        "var ok=v.length>=2&&v[0]==0,st=ok?v[1]-v[0]:0;"
        "for(var i=1;ok&&i<v.length;i++)ok=Math.abs(v[i]-v[i-1]-st)<=st*1e-6;"
        "if(ok){var m=st/Math.pow(10,Math.floor(Math.log10(st)+1e-9));"
        "ok=[1,2,2.5,5].some(function(k){return Math.abs(m-k)<1e-6;});}"
        "var ser=[];s.querySelectorAll('g.series').forEach(function(g){var l=g.querySelector('polyline'),"
        "k=g.querySelector(':scope>g>*');ser.push({p:Array.from(l.points).map(function(q){return[q.x,q.y];}),"
        "d:l.getAttribute('stroke-dasharray'),m:k?k.tagName+(k.getAttribute('points')||'').split(' ').length:''});});"
        "var hid=0;for(var a=0;a<ser.length;a++)for(var b=a+1;b<ser.length;b++){var A=ser[a].p,B=ser[b].p;"
        "if(!A.length||A.length!=B.length)continue;if(A.every(function(q,k){return Math.abs(q[0]-B[k][0])<10&&"
        "Math.abs(q[1]-B[k][1])<10;})&&(ser[a].d==ser[b].d||ser[a].m==ser[b].m))hid++;}"
        "o.push('axes-'+s.id+' '+s.querySelectorAll('.axis').length+' '+s.querySelectorAll('.axis-title').length+"
        "' '+(ok?'round':'notround:'+v.join(','))+' '+hid);});"
        "o.push('h1 '+(d.querySelector('h1')||{}).textContent);}"
        "var p=document.createElement('pre');p.id='result';p.textContent='RESULT;'+o.join(';');"
        "document.body.appendChild(p);};";
    char harness[8192], cwd[PATH_MAX], url[PATH_MAX + 64];
    int n = snprintf(harness, sizeof harness,
                     "<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"f\" src=\"%s\" "
                     "style=\"width:%dpx;height:3000px;border:0\"></iframe><script>%s</script></body></html>",
                     path, width, script);
    write_file("harness.html", harness, (size_t)n);
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(url, sizeof url, "file://%s/harness.html", cwd);
    char flags[128];
    snprintf(flags, sizeof flags, "--allow-file-access-from-files --virtual-time-budget=10000 --window-size=%d,3000 "
             "--dump-dom", width + 20);
    char *dom = browse(flags, url, NULL);
    char *result = strstr(dom, "RESULT;");
    if (!result)
        fail_msg("%s: the harness could not read the page:\n%s", path, dom);
    char *end = strstr(result, "</pre>");
    if (end)
        *end = '\0';
    return result;
}

/* Checks the page at path (relative to the test's folder), which must hold
 * the pictures named in want ("timeline", "curves"), as a person would
 * look at it: on a 1280x800 laptop screen and a 1920x1080 projector, its
 * tables' type no smaller than the body's, every axis titled, ticks at
 * round values, no line hidden under another; it prints on one or two
 * pages; screenshots of both sizes are left in build/html-screenshots. */
static void check_page(const char *path, const char *const want[], size_t nwant, const char *shot)
{
    char *page = read_text(path);
    assert_non_null(strstr(page, "<!DOCTYPE html>"));
    static const char *const external[] = {"<script", "<link", "src=", "href=", "url(", "@import", "http://",
                                           "https://"};
    for (size_t i = 0; i < sizeof external / sizeof external[0]; i++)
        if (strstr(page, external[i]))
            fail_msg("%s does not stand alone: it holds '%s'", path, external[i]);
    static const char *const parts[] = {"id=\"badge\"", "id=\"figures\"", "id=\"glossary\"", "How to read this",
                                        "class=\"data\"", "id=\"means\""};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (!strstr(page, parts[i]))
            fail_msg("%s lacks a part every page has: %s", path, parts[i]);
    char cwd[PATH_MAX], url[PATH_MAX + 64], *log;
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(url, sizeof url, "file://%s/%s", cwd, path);
    browse("--dump-dom", url, &log);
    if (strstr(log, "CONSOLE"))
        fail_msg("%s: the browser's console said something:\n%s", path, log);
    static const int widths[] = {1280, 1920};
    for (size_t w = 0; w < 2; w++) {
        char *result = laid_out(path, widths[w]);
        double body = 0, table = 0;
        char *font = strstr(result, ";font ");
        if (!font || sscanf(font + 6, "%lf %lf", &body, &table) != 2 || body < 18 || table < body - 0.01)
            fail_msg("%s at %d px: a data table's type (%.1f px) is smaller than the body's (%.1f px)", path,
                     widths[w], table, body);
        for (size_t i = 0; i < nwant; i++) {
            char key[64];
            snprintf(key, sizeof key, ";%s ", want[i]);
            char *at = strstr(result, key);
            int pw = 0, ph = 0, shapes = 0;
            if (!at || sscanf(at + strlen(key), "%d %d %d", &pw, &ph, &shapes) != 3 || pw < 600 || ph < 100 ||
                shapes < 2)
                fail_msg("%s: picture %s did not render (%dx%d, %d shapes): %.300s", path, want[i], pw, ph, shapes,
                         result);
        }
        for (char *at = result; (at = strstr(at, ";axes-")); at++) {
            char id[32], ticks[256];
            int axes = 0, titles = 0, hidden = 0;
            if (sscanf(at + 6, "%31s %d %d %255s %d", id, &axes, &titles, ticks, &hidden) != 5)
                fail_msg("%s: cannot read %.200s", path, at);
            if (axes < 1 || titles != axes)
                fail_msg("%s: picture %s has %d axes and %d axis titles", path, id, axes, titles);
            if (strcmp(ticks, "round") != 0)
                fail_msg("%s: picture %s has ticks that are not round values: %s", path, id, ticks);
            if (hidden)
                fail_msg("%s: picture %s has %d pairs of lines a reader cannot tell apart", path, id, hidden);
        }
        char *h1 = strstr(result, ";h1 ");
        if (!h1 || strncmp(h1 + 4, "undefined", 9) == 0 || h1[4] == ';' || h1[4] == '<')
            fail_msg("%s: no headline: %.300s", path, result);
    }
    /* printed, it fits one or two pages */
    browse("--no-pdf-header-footer --print-to-pdf=page.pdf", url, NULL);
    int pages = pdf_pages("page.pdf");
    if (pages < 1 || pages > 2)
        fail_msg("%s prints on %d pages, want 1 or 2", path, pages);
    /* screenshots to look at, as the two screens show the page's top */
    mkdir(GS_BINARY_DIR "/html-screenshots", 0755);
    for (size_t w = 0; w < 2; w++) {
        char flags[PATH_MAX + 96];
        snprintf(flags, sizeof flags, "--window-size=%d,%d --screenshot=%s/html-screenshots/%s-%d.png", widths[w],
                 w ? 1080 : 800, GS_BINARY_DIR, shot, widths[w]);
        browse(flags, url, NULL);
    }
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
    const char *const timeline[] = {"timeline"}, *const curves[] = {"curves"};
    check_page("run.html", timeline, 1, "run");
    assert_int_equal(run("sweep --workers 1,2,4 --work 200 --repeat 2 --quiet --html sweep.html", NULL, NULL), 0);
    check_page("sweep.html", curves, 1, "sweep");
    /* in virtual time threads and async tasks are 1.00x at every count:
     * two lines on the same points, which must stay told apart */
    assert_int_equal(run("sweep --sim --workers 1,2,4,8 --work 200 --quiet --html sweep-sim.html", NULL, NULL), 0);
    check_page("sweep-sim.html", curves, 1, "sweep-sim");
    assert_int_equal(run("demo convoy --quick --html demo.html", NULL, NULL), 0); /* real time */
    check_page("demo.html", timeline, 1, "demo-convoy-real");
    /* every demonstration, in virtual time (the same page every time) */
    char *listed;
    assert_int_equal(run("demo", NULL, &listed), 0);
    char *list = strdup(listed); /* run() reuses its buffer */
    assert_non_null(list);
    for (const char *const *name = demo_names; *name; name++) {
        char args[160], page[96], shot[96];
        assert_non_null(strstr(list, *name));
        snprintf(page, sizeof page, "%s.html", *name);
        snprintf(shot, sizeof shot, "demo-%s", *name);
        snprintf(args, sizeof args, "demo %s --quick --sim --html %s", *name, page);
        assert_int_equal(run(args, NULL, NULL), 0);
        bool traces = strcmp(*name, "convoy") == 0 || strcmp(*name, "legacy-battle") == 0 ||
                      strcmp(*name, "async") == 0;
        bool plots = strcmp(*name, "threads-vs-processes") == 0 || strcmp(*name, "io-bound") == 0 ||
                     strcmp(*name, "native") == 0;
        check_page(page, traces ? timeline : curves, traces || plots, shot);
    }
    free(list);
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
