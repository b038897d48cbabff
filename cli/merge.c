/* merge.c - `gilsim merge PLAN RESULT...`: a plan's points, made anywhere,
 * back into the sweep's reports.  The sweep is made again from the plan's
 * own command line, so every report is written by the code gilsim sweep
 * uses, from the same points: in virtual time, the same bytes
 * (docs/sweep.md, "Plans"). */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../reports/plan.h"
#include "sweep.h"

#define SHOWN_MAX 10 /* problems named one by one; the rest counted */
#define HOSTS_MAX 8

typedef struct {
    const char *plan_path;
    uint64_t id;
    uint32_t n;
    gs_sweep_point *points;
    const char **from;          /* the result file each point came from, or NULL */
    uint32_t problems;
    char hosts[HOSTS_MAX][GS_PLAN_HOST_MAX];
    uint32_t nhosts, more_hosts;
    char **names;               /* the files found in folders, nnames of them */
    uint32_t nnames;
} merging;

__attribute__((format(printf, 2, 3))) static void problem(merging *m, const char *fmt, ...)
{
    if (m->problems++ >= SHOWN_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("gilsim: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

#define PLAN_LINE_MAX (64 * 1024)  /* a sweep's options, quoted: far less */
#define RESULT_LINE_MAX 4096        /* a result: about 1,000 bytes */

/* Reads a line into buf (cap bytes), without its end.  Returns its length;
 * -1 at the end of the file; -2 for a line longer than buf holds, read to
 * its end and dropped (a file that is not what it should be must not make
 * gilsim hold it whole). */
static long bounded_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f))
        return -1;
    size_t len = strlen(buf);
    if (len > 0 && buf[len - 1] == '\n') {
        buf[--len] = '\0';
        return (long)len;
    }
    if (len + 1 < cap)
        return (long)len; /* the last line, without an end */
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n')
        ;
    return -2;
}

/* The plan's lines: each the first's, but for its own --point.  Returns
 * the first line's words less its --point (malloc'd; *nwords of them), or
 * NULL after saying why. */
static char **read_plan(merging *m, int *nwords)
{
    FILE *f = fopen(m->plan_path, "r");
    if (!f) {
        fprintf(stderr, "gilsim: cannot read the plan %s: %s\n", m->plan_path, strerror(errno));
        return NULL;
    }
    char *line = malloc(PLAN_LINE_MAX), *first = NULL;
    size_t head = 0;
    long len;
    bool ok = line != NULL;
    while (ok && (len = bounded_line(f, line, PLAN_LINE_MAX)) != -1) {
        if (len == -2) {
            fprintf(stderr, "gilsim: %s:%" PRIu32 ": a line longer than any plan's\n", m->plan_path, m->n + 1);
            ok = false;
            break;
        }
        char tail[32];
        snprintf(tail, sizeof tail, " --point %" PRIu32, m->n + 1);
        size_t t = strlen(tail);
        if ((size_t)len <= t || strcmp(line + len - t, tail) != 0 ||
            (first && ((size_t)len - t != head || strncmp(line, first, head) != 0))) {
            fprintf(stderr, "gilsim: %s:%" PRIu32 ": not line %" PRIu32 " of a plan gilsim sweep --plan wrote "
                            "(each line is the first's, ending in --point and its line's number)\n",
                    m->plan_path, m->n + 1, m->n + 1);
            ok = false;
        } else if (!first) {
            head = (size_t)len - t;
            first = strndup(line, head);
            ok = first != NULL;
        }
        m->n += ok;
    }
    ok &= !ferror(f);
    fclose(f);
    free(line);
    if (ok && m->n == 0) {
        fprintf(stderr, "gilsim: %s: an empty plan\n", m->plan_path);
        ok = false;
    }
    char err[GS_ERRMSG_MAX], **words = NULL;
    if (ok && (*nwords = gs_plan_words(first, &words, err)) < 0) {
        fprintf(stderr, "gilsim: %s:1: %s\n", m->plan_path, err);
        ok = false;
    }
    if (ok && (*nwords < 2 || strcmp(words[0], "gilsim") != 0 || strcmp(words[1], "sweep") != 0)) {
        fprintf(stderr, "gilsim: %s:1: not a gilsim sweep's line\n", m->plan_path);
        gs_plan_words_free(words, *nwords);
        ok = false;
    }
    free(first);
    return ok ? words : NULL;
}

static void note_host(merging *m, const char *host)
{
    for (uint32_t i = 0; i < m->nhosts; i++)
        if (strcmp(m->hosts[i], host) == 0)
            return;
    if (m->nhosts < HOSTS_MAX)
        snprintf(m->hosts[m->nhosts++], GS_PLAN_HOST_MAX, "%s", host);
    else
        m->more_hosts++;
}

/* Takes every result in the file at path that belongs to the plan. */
static void read_results(merging *m, const gs_sweep *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        problem(m, "cannot read %s: %s", path, strerror(errno));
        return;
    }
    static gs_point_result r;
    static char line[RESULT_LINE_MAX];
    char err[GS_ERRMSG_MAX];
    long len;
    for (uint32_t at = 1; (len = bounded_line(f, line, sizeof line)) != -1; at++) {
        if (len == 0)
            continue;
        if (len == -2) {
            problem(m, "%s:%" PRIu32 ": a line longer than any point's result", path, at);
            continue;
        }
        if (gs_read_point_result(line, &r, err) != 0) {
            problem(m, "%s:%" PRIu32 ": %s", path, at, err);
            continue;
        }
        if (strcmp(r.version, GILSIM_VERSION) != 0) {
            problem(m, "%s: point %" PRIu32 " was made by gilsim %s; this is gilsim %s, whose points may differ: "
                       "run its line of %s again with this gilsim", path, r.k, r.version, GILSIM_VERSION, m->plan_path);
            continue;
        }
        if (r.plan != m->id || r.n != m->n) {
            problem(m, "%s: point %" PRIu32 " of another plan (%016" PRIx64 ", %" PRIu32 " points), not of %s "
                       "(%016" PRIx64 ", %" PRIu32 " points)", path, r.k, r.plan, r.n, m->plan_path, m->id, m->n);
            continue;
        }
        uint32_t k = r.k - 1, w, mode, c;
        gs_sweep_point_at(s, k, &w, &mode, &c);
        if (r.point.mode != s->modes[mode] || r.point.workers != s->counts[c]) {
            problem(m, "%s: point %" PRIu32 " says it ran %" PRIu32 " %s, where the plan's point %" PRIu32
                       " runs %" PRIu32 " %s", path, r.k, r.point.workers, gs_mode_plural[r.point.mode], r.k,
                    s->counts[c], gs_mode_plural[s->modes[mode]]);
            continue;
        }
        if (m->from[k]) {
            problem(m, "point %" PRIu32 " is in both %s and %s: give each point once", r.k, m->from[k], path);
            continue;
        }
        m->from[k] = path;
        m->points[k] = r.point;
        m->points[k].workload = s->workloads[w];
        note_host(m, r.host);
    }
    if (ferror(f))
        problem(m, "cannot read %s: %s", path, strerror(errno));
    fclose(f);
}

/* Takes a result file, or every result of the plan in a folder (a
 * plan's points can be more than a command line can name). */
static void read_operand(merging *m, const gs_sweep *s, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        read_results(m, s, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        problem(m, "cannot read the folder %s: %s", path, strerror(errno));
        return;
    }
    char prefix[40];
    snprintf(prefix, sizeof prefix, "gilsim-%016" PRIx64 "-", m->id);
    uint32_t found = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 || n < 6 || strcmp(e->d_name + n - 6, ".point") != 0)
            continue;
        char *file = malloc(strlen(path) + n + 2);
        if (!file) {
            problem(m, "out of memory for %s's files", path);
            break;
        }
        sprintf(file, "%s/%s", path, e->d_name);
        char **grown = realloc(m->names, (m->nnames + 1) * sizeof *grown);
        if (!grown) {
            free(file);
            problem(m, "out of memory for %s's files", path);
            break;
        }
        m->names = grown;
        m->names[m->nnames++] = file; /* points name the file they came from */
        read_results(m, s, file);
        found++;
    }
    closedir(d);
    if (!found)
        problem(m, "%s holds no result of this plan (%s*.point)", path, prefix);
}

/* Says which points have no result, as ranges of the plan's lines. */
static void missing(merging *m)
{
    uint32_t none = 0;
    for (uint32_t k = 0; k < m->n; k++)
        none += !m->from[k];
    if (!none)
        return;
    char list[200] = "";
    size_t len = 0;
    for (uint32_t k = 0; k < m->n && len < sizeof list - 16; k++) {
        if (m->from[k] || (k > 0 && !m->from[k - 1]))
            continue;
        uint32_t end = k;
        while (end + 1 < m->n && !m->from[end + 1])
            end++;
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%" PRIu32, len ? ", " : "", k + 1);
        if (end > k && len < sizeof list)
            len += (size_t)snprintf(list + len, sizeof list - len, "-%" PRIu32, end + 1);
    }
    problem(m, "%" PRIu32 " of the %" PRIu32 " points of %s have no result: line%s %s%s of the plan (run %s again)",
            none, m->n, m->plan_path, none == 1 ? "" : "s", list, len >= sizeof list - 16 ? ", ..." : "",
            none == 1 ? "it" : "them");
}

gs_status gs_cli_merge(int argc, char **argv)
{
    gs_cli_options mo;
    int parsed = gs_cli_parse(argc, argv, GS_CMD_MERGE, &mo);
    if (parsed != 0)
        return parsed > 0 ? GS_OK : GS_ERR_USAGE;
    if (mo.nmore == 0) {
        fprintf(stderr, "gilsim: gilsim merge needs the points' results after the PLAN (see gilsim merge --help)\n");
        return GS_ERR_USAGE;
    }
    merging m = {.plan_path = mo.operand};
    int nwords = 0;
    char **words = read_plan(&m, &nwords);
    if (!words) {
        fprintf(stderr, "gilsim: nothing written: a merge needs the plan as gilsim wrote it\n");
        return GS_ERR_INPUT;
    }
    /* The sweep: "gilsim sweep", the plan's options, then merge's own
     * (outputs, -q), which getopt put first in argv. */
    int nopts = mo.options_end - 1, rargc = nwords + nopts;
    char **rargv = malloc(((size_t)rargc + 1) * sizeof *rargv);
    static gs_cli_sweep_setup u;
    gs_status rc = GS_ERR_FAILED;
    if (!rargv) {
        fprintf(stderr, "gilsim: out of memory for the plan's command line\n");
        gs_plan_words_free(words, nwords);
        return rc;
    }
    memcpy(rargv, words, (size_t)nwords * sizeof *rargv);
    memcpy(rargv + nwords, argv + 1, (size_t)nopts * sizeof *rargv);
    rargv[rargc] = NULL;
    gs_cli_record_command(rargc, rargv);
    int prepared = gs_cli_sweep_prepare(&u, rargc - 1, rargv + 1, &rc);
    if (prepared != 0) {
        fprintf(stderr, "gilsim: %s:1: the plan's options are not a sweep's\n", m.plan_path);
        rc = GS_ERR_INPUT;
        goto done;
    }
    m.id = gs_plan_id(u.s.argc, u.s.argv);
    if (gs_sweep_npoints(&u.s) != m.n) {
        fprintf(stderr, "gilsim: %s has %" PRIu32 " lines, and its sweep %" PRIu32 " points: not a whole plan\n",
                m.plan_path, m.n, gs_sweep_npoints(&u.s));
        rc = GS_ERR_INPUT;
        goto done;
    }
    if (gs_cli_outputs_open(&u.o.outputs) != 0) {
        rc = GS_ERR_USAGE;
        goto done;
    }
    m.points = u.s.points = calloc(m.n, sizeof *m.points);
    m.from = calloc(m.n, sizeof *m.from);
    if (!m.points || !m.from) {
        fprintf(stderr, "gilsim: out of memory for %" PRIu32 " points\n", m.n);
        gs_cli_outputs_finish(&u.o.outputs);
        goto done;
    }
    for (int i = 0; i < mo.nmore; i++)
        read_operand(&m, &u.s, mo.more[i]);
    missing(&m);
    if (m.problems) {
        if (m.problems > SHOWN_MAX)
            fprintf(stderr, "gilsim: and %" PRIu32 " more problems\n", m.problems - SHOWN_MAX);
        gs_cli_outputs_finish(&u.o.outputs);
        rc = GS_ERR_INPUT;
        goto done;
    }
    if (!u.s.cfg.sim && m.nhosts + m.more_hosts > 1) {
        fprintf(stderr, "gilsim: warning: these real-time points were measured on %" PRIu32 " machines (",
                m.nhosts + m.more_hosts);
        for (uint32_t i = 0; i < m.nhosts; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", m.hosts[i]);
        fprintf(stderr, "%s): their figures do not compare with each other\n", m.more_hosts ? ", ..." : "");
    }
    u.s.npoints = m.n;
    rc = gs_cli_sweep_outputs(&u.o, &u.s, true);
done:
    for (uint32_t i = 0; i < m.nnames; i++)
        free(m.names[i]);
    free(m.names);
    if (rc == GS_ERR_INPUT)
        fprintf(stderr, "gilsim: nothing written: a merge needs the plan as gilsim wrote it, and each of its "
                        "points once, from this gilsim\n");
    free(m.from);
    gs_cli_sweep_release(&u); /* frees the points */
    gs_plan_words_free(words, nwords);
    free(rargv); /* the recorded command points into words: nothing reads it now */
    return rc;
}
