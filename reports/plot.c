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
#include <sys/wait.h>
#include <unistd.h>

#include "../sched/sim.h"
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
static int write_data(const char *path, gs_plot_metric m, const gs_sweep *s, char err[256])
{
    gs_output out;
    if (gs_output_open(&out, path, err) != 0)
        return -1;
    fprintf(out.f, "# gilsim sweep: %s versus workers; columns: workers value low high\n",
            gs_plot_metric_names[m]);
    for (uint32_t i = 0; i < s->npoints; i += s->ncounts) {
        const gs_sweep_point *first = &s->points[i];
        fprintf(out.f, "%s# %s, %s\n", i ? "\n\n" : "", gs_mode_names[first->mode], first->workload->name);
        for (uint32_t k = i; k < i + s->ncounts && k < s->npoints; k++) {
            const gs_sweep_point *p = &s->points[k];
            if (!plottable(p, m))
                continue;
            double v = value(p, m, p->median.wall_s), lo = value(p, m, p->wall_max_s), hi = value(p, m, p->wall_min_s);
            if (m == GS_PLOT_WAIT)
                lo = hi = v; /* one figure per run: no spread to show */
            fprintf(out.f, "%u %.6g %.6g %.6g\n", p->workers, v, lo < hi ? lo : hi, lo < hi ? hi : lo);
        }
    }
    return gs_output_close(&out, true, err);
}

static int write_script(const char *path, const char *picture, const char *data, gs_plot_metric m,
                        const gs_sweep *s, const gs_host *h, char err[256])
{
    static const char *const ylabels[] = {"speedup over 1 worker of the same mode",
                                          "throughput (work units per second)",
                                          "time spent waiting for a lock (% of each worker's time)"};
    static const char *const titles[] = {"Speedup", "Throughput", "Lock wait"};
    bool svg = strcmp(strrchr(picture, '.'), ".svg") == 0;
    gs_output out;
    if (gs_output_open(&out, path, err) != 0)
        return -1;
    FILE *f = out.f;
    fprintf(f, "# Written by gilsim sweep.  To draw it again after a change:\n"
               "#   cd to this folder, then: gnuplot %s\n", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    fprintf(f, "if (!exists(\"outfile\")) outfile = \"%s\"\n", picture);
    fprintf(f, svg ? "set terminal svg size 960,600 dynamic font \"sans,12\" background \"white\"\n"
                   : "set terminal pngcairo size 960,600 font \"sans,11\"\n");
    fprintf(f, "if (outfile ne \"-\") set output outfile  # \"-\": standard output\n");
    fprintf(f, "set termoption noenhanced\n");
    const char *wl = s->nworkloads == 1 ? s->workloads[0]->name : "several workloads";
    long cores = gs_usable_cores(&s->cfg, h);
    if (s->cfg.sim)
        fprintf(f, "set title \"%s versus workers: %s, modelled %ld-core machine, virtual time\"\n", titles[m], wl,
                cores);
    else if (s->cfg.cores)
        fprintf(f, "set title \"%s versus workers: %s, pinned to %ld of %ld cores\"\n", titles[m], wl, cores, h->cores);
    else
        fprintf(f, "set title \"%s versus workers: %s, on a %ld-core machine\"\n", titles[m], wl, cores);
    fprintf(f, "set xlabel \"workers\"\nset ylabel \"%s\"\n", ylabels[m]);
    fprintf(f, "set grid\nset key outside right top box\nset border 3\nset tics nomirror\n");
    uint32_t maxw = s->counts[s->ncounts - 1];
    fprintf(f, "set xrange [0:%u]\n", maxw + 1);
    if (s->ncounts <= 12) {
        fprintf(f, "set xtics (");
        for (uint32_t i = 0; i < s->ncounts; i++)
            fprintf(f, "%s%u", i ? ", " : "", s->counts[i]);
        fprintf(f, ")\n");
    }
    fprintf(f, m == GS_PLOT_WAIT ? "set yrange [0:100]\n" : "set yrange [0:*]\n");
    if (cores > 0 && cores <= (long)maxw) {
        fprintf(f, "set arrow from %ld, graph 0 to %ld, graph 1 nohead dashtype 2 linecolor rgb \"#777777\"\n",
                cores, cores);
        fprintf(f, "set label \"%ld cores\" at %ld, graph 0.97 offset 0.6,0 textcolor rgb \"#555555\"\n", cores,
                cores);
    }
    fprintf(f, "plot ");
    if (m == GS_PLOT_SPEEDUP)
        fprintf(f, "x title \"ideal: speedup = workers\" with lines dashtype 3 linewidth 1.5 "
                   "linecolor rgb \"#999999\", \\\n     ");
    uint32_t nlines = s->npoints / (s->ncounts ? s->ncounts : 1);
    for (uint32_t l = 0; l < nlines; l++) {
        const gs_sweep_point *p = &s->points[l * s->ncounts];
        char title[128];
        if (s->nworkloads > 1)
            snprintf(title, sizeof title, "%s, %s", gs_mode_names[p->mode], p->workload->name);
        else
            snprintf(title, sizeof title, "%s", gs_mode_names[p->mode]);
        fprintf(f, "\"%s\" index %u using 1:2:3:4 with yerrorlines title \"%s\" linewidth 2 pointtype %u "
                   "pointsize 1.3 linecolor rgb \"%s\"%s",
                data, l, title, 5 + 2 * (l % 4), colours[l % 6], l + 1 < nlines ? ", \\\n     " : "\n");
    }
    return gs_output_close(&out, true, err);
}

/* Runs gnuplot on script in dir and copies what it draws onto out:
 * through a pipe, so that a failed write is gilsim's to see, since gnuplot
 * does not check its own.  Returns 0, or -1 with err. */
static int run_gnuplot(const char *dir, const char *script, FILE *out, const char *path, char err[512])
{
    int pipefd[2];
    fflush(NULL);
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        snprintf(err, 512, "cannot start gnuplot: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, 512, "cannot start gnuplot: %s", strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL); /* gilsim ignores it; gnuplot expects the default */
        if (chdir(dir) != 0 || dup2(pipefd[1], STDOUT_FILENO) < 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", "-e", "outfile='-'", script, (char *)NULL);
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
        snprintf(err, 512, "gnuplot failed drawing %.400s (its messages are above)", path);
        return -1;
    }
    if (drawn == 0) {
        snprintf(err, 512, "gnuplot drew nothing into %.400s", path);
        return -1;
    }
    return 0;
}

int gs_report_plot(const char *path, gs_plot_metric metric, const gs_sweep *s, const gs_host *h, char err[512])
{
    enum { PATH_MAX_LEN = 1000 };
    if (strlen(path) > PATH_MAX_LEN) {
        snprintf(err, 512, "--plot: the file name is longer than %d characters", PATH_MAX_LEN);
        return -1;
    }
    char copy[PATH_MAX_LEN + 1], base[PATH_MAX_LEN + 1];
    char data[1024], script[1024];
    snprintf(copy, sizeof copy, "%s", path);
    const char *dir = dirname(copy);
    snprintf(base, sizeof base, "%s", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    gs_plot_companion(base, ".dat", data);
    gs_plot_companion(base, ".gp", script);
    char data_path[2 * PATH_MAX_LEN + 16], script_path[2 * PATH_MAX_LEN + 16];
    snprintf(data_path, sizeof data_path, "%s/%s", dir, data);
    snprintf(script_path, sizeof script_path, "%s/%s", dir, script);
    char e256[256];
    gs_output picture;
    if (write_data(data_path, metric, s, e256) != 0 ||
        write_script(script_path, base, data, metric, s, h, e256) != 0 ||
        gs_output_open(&picture, path, e256) != 0) {
        snprintf(err, 512, "%s", e256);
        return -1;
    }
    int rc = run_gnuplot(dir, script, picture.f, path, err);
    if (gs_output_close(&picture, rc == 0, e256) != 0 && rc == 0) {
        snprintf(err, 512, "%s", e256);
        rc = -1;
    }
    return rc;
}

void gs_plot_companion(const char *path, const char *ext, char out[1024])
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    int stem = dot && (!slash || dot > slash) ? (int)(dot - path) : (int)strlen(path);
    snprintf(out, 1024, "%.*s%s", stem < 1000 ? stem : 1000, path, ext);
}
