/* plot.c - scaling curves drawn by gnuplot.
 *
 * gilsim writes two files a user can keep and restyle: NAME.dat (one block
 * per mode and workload: workers, value, low, high; the low and high ends
 * come from the fastest and slowest repetition) and NAME.gp (the gnuplot
 * script), then runs gnuplot on them in the picture's folder.  gnuplot
 * draws onto its standard output, which gilsim copies to the picture's
 * output (see output.h): a regular file is renamed into place only when
 * gnuplot succeeded, and a device, FIFO or link is written, never
 * replaced.  gnuplot is a separate, well-kept Debian package that draws
 * better plots than we would; it is needed only for --plot. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../sched/sim.h"
#include "escape.h"
#include "output.h"
#include "report.h"

const char *const gs_plot_metric_names[GS_PLOT_METRIC_COUNT] = {"speedup", "throughput", "wait"};

/* Colours and point shapes that stay apart in print and for the colour blind. */
static const char *const colours[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"};

static double value(const gs_sweep_point *p, gs_plot_metric m, double wall_s)
{
    double scale = wall_s > 0 ? p->median.wall_s / wall_s : 1; /* the same work in another time */
    switch (m) {
    case GS_PLOT_SPEEDUP:    return p->speedup * scale;
    case GS_PLOT_THROUGHPUT: return p->median.throughput * scale;
    default:                 return 100 * p->median.wait_fraction;
    }
}

static bool plottable(const gs_sweep_point *p, gs_plot_metric m)
{
    return m != GS_PLOT_SPEEDUP || p->speedup > 0;
}

/* Points come workload-major, then mode, then count: each (workload, mode)
 * is a run of ncounts points, one line of the plot. */
static int write_data(FILE *f, gs_plot_metric m, const gs_sweep *s)
{
    fprintf(f, "# gilsim sweep: %s versus workers; columns: workers value low high\n",
            gs_plot_metric_names[m]);
    for (uint32_t i = 0; i < s->npoints; i += s->ncounts) {
        const gs_sweep_point *first = &s->points[i];
        fprintf(f, "%s# %s, %s\n", i ? "\n\n" : "", gs_mode_names[first->mode], first->workload->name);
        for (uint32_t k = i; k < i + s->ncounts && k < s->npoints; k++) {
            const gs_sweep_point *p = &s->points[k];
            if (!plottable(p, m))
                continue;
            double v = value(p, m, p->median.wall_s), lo = value(p, m, p->wall_max_s), hi = value(p, m, p->wall_min_s);
            if (m == GS_PLOT_WAIT)
                lo = hi = v; /* one figure per run: no spread to show */
            fprintf(f, "%u %.6g %.6g %.6g\n", p->workers, v, lo < hi ? lo : hi, lo < hi ? hi : lo);
        }
    }
    return 0;
}

/* The top of the value axis: a little above the highest point or error
 * bar, so the data fill the picture (the ideal line, which rises to the
 * most workers, is cut off rather than squeezing the data to the bottom). */
static double value_top(gs_plot_metric m, const gs_sweep *s)
{
    if (m == GS_PLOT_WAIT)
        return 100;
    double top = 0;
    for (uint32_t i = 0; i < s->npoints; i++) {
        const gs_sweep_point *p = &s->points[i];
        if (!plottable(p, m))
            continue;
        double v = value(p, m, p->median.wall_s), lo = value(p, m, p->wall_max_s), hi = value(p, m, p->wall_min_s);
        top = v > top ? v : top;
        top = lo > top ? lo : top;
        top = hi > top ? hi : top;
    }
    if (m == GS_PLOT_SPEEDUP && top < 1.2)
        top = 1.2; /* room above 1x for the ideal line to show where it goes */
    return top > 0 ? top * 1.15 : 1;
}

/* The script.  Every name in it (the picture's, the data's, the
 * workload's) is a gnuplot string in single quotes (escape.h), where
 * gnuplot runs no command and expands no macro: a name is data.  The
 * picture is the page's (svg.c) for a projector: large type, and each line
 * its colour, marker, dash and a small sideways offset, so that lines on
 * the same points (threads and async tasks, both at 1x) stay apart; the
 * legend, below the plot, names every line, ideal included. */
static int write_script(FILE *f, const gs_plot_files *files, gs_plot_metric m, const gs_sweep *s, const gs_host *h)
{
    static const char *const ylabels[] = {"speedup (x one worker of the same mode)",
                                          "throughput (work units per second)",
                                          "time waiting for a lock (% of each worker's time)"};
    static const char *const titles[] = {"Speedup", "Throughput", "Lock wait"};
    static const int points[] = {7, 5, 9, 13}; /* filled circle, square, triangle, diamond */
    uint32_t width = files->width ? files->width : GS_PLOT_WIDTH;
    uint32_t height = files->height ? files->height : GS_PLOT_HEIGHT;
    double scale = width / (double)GS_PLOT_WIDTH < height / (double)GS_PLOT_HEIGHT ? width / (double)GS_PLOT_WIDTH
                                                                                    : height / (double)GS_PLOT_HEIGHT;
    int font = (int)(22 * scale + 0.5) < 8 ? 8 : (int)(22 * scale + 0.5);
    bool svg = strcmp(strrchr(files->picture_name, '.'), ".svg") == 0;
    fputs("# Written by gilsim sweep.  To draw it again after a change, run\n"
          "# gnuplot on this file in its folder.\n"
          "if (!exists(\"outfile\")) outfile = ", f);
    gs_put_gnuplot(f, files->picture_name);
    if (svg)
        fprintf(f, "\nset terminal svg size %u,%u dynamic font \"sans,%d\" linewidth %.1f background \"white\"\n",
                width, height, font, 1.5 * scale);
    else
        fprintf(f, "\nset terminal pngcairo size %u,%u font \"sans,%d\" linewidth %.1f\n", width, height, font,
                1.5 * scale);
    fprintf(f, "if (outfile ne \"-\") set output outfile  # \"-\": standard output\n");
    fprintf(f, "set termoption noenhanced\n");
    const char *wl = s->nworkloads == 1 ? s->workloads[0]->name : "several workloads";
    long cores = gs_usable_cores(&s->cfg, h);
    char title[256], where[96];
    snprintf(title, sizeof title, "%s versus workers: %s, %s", titles[m], wl, gs_host_where(&s->cfg, h, where));
    fputs("set title ", f);
    gs_put_gnuplot(f, title);
    fputs("\nset xlabel 'workers (threads, processes or tasks)'\nset ylabel ", f);
    gs_put_gnuplot(f, ylabels[m]);
    fprintf(f, "\nset grid ytics\nset key outside below center horizontal\nset border 3\nset tics nomirror\n");
    uint32_t maxw = s->counts[s->ncounts - 1];
    fprintf(f, "set xrange [0:%g]\n", maxw * 1.04 + 0.5);
    if (s->ncounts <= 12) {
        fprintf(f, "set xtics (");
        for (uint32_t i = 0; i < s->ncounts; i++)
            fprintf(f, "%s%u", i ? ", " : "", s->counts[i]);
        fprintf(f, ")\n");
    }
    fprintf(f, "set yrange [0:%.6g]\n", value_top(m, s));
    if (m == GS_PLOT_SPEEDUP)
        fprintf(f, "set format y \"%%gx\"\n");
    if (cores > 0 && cores <= (long)maxw) { /* the cores: a line, labelled at its foot, clear of the key */
        fprintf(f, "set arrow from %ld, graph 0 to %ld, graph 1 nohead dashtype 2 linecolor rgb \"#555555\"\n",
                cores, cores);
        fprintf(f, "set label \"%ld cores\" at %ld, graph 0.04 offset 0.6,0 textcolor rgb \"#333333\"\n", cores,
                cores);
    }
    fprintf(f, "plot ");
    if (m == GS_PLOT_SPEEDUP)
        fprintf(f, "x title \"ideal (x workers)\" with lines dashtype 3 linewidth 1.5 "
                   "linecolor rgb \"#777777\", \\\n     ");
    uint32_t nlines = s->npoints / (s->ncounts ? s->ncounts : 1);
    for (uint32_t l = 0; l < nlines; l++) {
        const gs_sweep_point *p = &s->points[l * s->ncounts];
        char line[128];
        if (s->nworkloads > 1)
            snprintf(line, sizeof line, "%s, %s", gs_mode_names[p->mode], p->workload->name);
        else
            snprintf(line, sizeof line, "%s", gs_mode_names[p->mode]);
        double offset = ((double)l - (nlines - 1) / 2.0) * maxw * 0.008; /* in workers */
        gs_put_gnuplot(f, files->data_name);
        fprintf(f, " index %u using ($1%+.4g):2:3:4 with yerrorlines title ", l, offset);
        gs_put_gnuplot(f, line);
        fprintf(f, " linewidth 2 dashtype %u pointtype %d pointsize 2 linecolor rgb \"%s\"%s", 1 + l % 5,
                points[l % 4], colours[l % 6], l + 1 < nlines ? ", \\\n     " : "\n");
    }
    return 0;
}

/* Runs gnuplot on the script in the picture's folder and copies what it
 * draws onto out: through a pipe, so that a failed write is gilsim's to
 * see, since gnuplot does not check its own.  The child dies with gilsim
 * (PR_SET_PDEATHSIG).  Returns 0, or -1 with err. */
static int run_gnuplot(const gs_plot_files *p, FILE *out, char err[GS_ERRMSG_MAX])
{
    int pipefd[2];
    fflush(NULL);
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(err, 512, "cannot start gnuplot: %s", strerror(errno));
        return -1;
    }
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        snprintf(err, 512, "cannot start gnuplot: %s", strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(126); /* gilsim is gone already */
        signal(SIGPIPE, SIG_DFL); /* gilsim ignores it; gnuplot expects the default */
        char named[300]; /* "./": a script named -x.gp is a file, not an option */
        snprintf(named, sizeof named, "./%s", p->script_name);
        if (fchdir(p->folder) != 0 || dup2(pipefd[1], STDOUT_FILENO) < 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "-e", "outfile='-'", named, (char *)NULL);
        _exit(errno == ENOENT ? 127 : 126);
    }
    close(pipefd[1]);
    char buf[65536];
    ssize_t n;
    size_t drawn = 0;
    while ((n = read(pipefd[0], buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        fwrite(buf, 1, (size_t)n, out); /* errors surface when out is closed */
        drawn += (size_t)n;
    }
    close(pipefd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        snprintf(err, 512, "--plot needs gnuplot, which is not installed: install the Debian package "
                           "gnuplot-nox (sudo apt-get install gnuplot-nox, or run tools/install-deps)");
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, 512, "gnuplot failed drawing %.400s (its messages are above)", p->picture.name);
        return -1;
    }
    if (drawn == 0) {
        snprintf(err, 512, "gnuplot drew nothing into %.400s", p->picture.name);
        return -1;
    }
    return 0;
}

/* The name of a plot's script or data beside it: ext (".gp", ".dat") in
 * place of the picture's extension. */
static void companion(const char *path, const char *ext, char *out, size_t cap)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    int stem = dot && (!slash || dot > slash) ? (int)(dot - path) : (int)strlen(path);
    snprintf(out, cap, "%.*s%s", stem, path, ext);
}

int gs_plot_files_open(gs_plot_files *p, const char *path, char err[GS_ERRMSG_MAX])
{
    memset(p, 0, sizeof *p);
    p->folder = -1;
    char data[4200], script[4200], copy[4200];
    if (strlen(path) > 4000) {
        snprintf(err, 256, "the file name is longer than 4000 characters");
        return -1;
    }
    companion(path, ".dat", data, sizeof data);
    companion(path, ".gp", script, sizeof script);
    snprintf(copy, sizeof copy, "%s", path);
    p->folder = open(dirname(copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    snprintf(p->picture_name, sizeof p->picture_name, "%s", base);
    companion(base, ".dat", p->data_name, sizeof p->data_name);
    companion(base, ".gp", p->script_name, sizeof p->script_name);
    if (p->folder < 0) {
        snprintf(err, 256, "cannot write '%.150s': its folder is missing", path);
        return -1;
    }
    if (gs_output_open(&p->data, data, err) != 0) {
        close(p->folder);
        return -1;
    }
    if (gs_output_open(&p->script, script, err) != 0) {
        gs_output_abandon(&p->data);
        close(p->folder);
        return -1;
    }
    if (gs_output_open(&p->picture, path, err) != 0) {
        gs_output_abandon(&p->data);
        gs_output_abandon(&p->script);
        close(p->folder);
        return -1;
    }
    return 0;
}

void gs_plot_files_abandon(gs_plot_files *p)
{
    gs_output_abandon(&p->data);
    gs_output_abandon(&p->script);
    gs_output_abandon(&p->picture);
    if (p->folder >= 0)
        close(p->folder);
    p->folder = -1;
}

/* Writes one of the files with what writes. */
static int write_one(gs_output *o, int (*writes)(FILE *, const gs_plot_metric *, const gs_sweep *, const void *),
                     const void *more, gs_plot_metric m, const gs_sweep *s, char err[GS_ERRMSG_MAX])
{
    if (gs_output_begin(o, err) != 0)
        return -1;
    return gs_output_close(o, writes(o->f, &m, s, more) == 0, err);
}

static int data_of(FILE *f, const gs_plot_metric *m, const gs_sweep *s, const void *more)
{
    (void)more;
    return write_data(f, *m, s);
}

typedef struct {
    const gs_plot_files *p;
    const gs_host *h;
} script_args;

static int script_of(FILE *f, const gs_plot_metric *m, const gs_sweep *s, const void *more)
{
    const script_args *a = more;
    return write_script(f, a->p, *m, s, a->h);
}

int gs_report_plot(gs_plot_files *p, gs_plot_metric metric, const gs_sweep *s, const gs_host *h, char err[GS_ERRMSG_MAX])
{
    char closing[GS_ERRMSG_MAX];
    script_args args = {p, h};
    int rc = -1;
    if (write_one(&p->data, data_of, NULL, metric, s, err) == 0 &&
        write_one(&p->script, script_of, &args, metric, s, err) == 0 && gs_output_begin(&p->picture, err) == 0) {
        rc = run_gnuplot(p, p->picture.f, err);
        if (gs_output_close(&p->picture, rc == 0, closing) != 0 && rc == 0) {
            snprintf(err, GS_ERRMSG_MAX, "%s", closing);
            rc = -1;
        }
    }
    gs_plot_files_abandon(p); /* what was not written; the folder */
    return rc;
}
