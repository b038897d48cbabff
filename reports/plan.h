/* plan.h - a sweep split into its points, to run anywhere and merge
 * (docs/sweep.md, "Plans"): the plan, a point's result, and the Slurm
 * batch script that runs a plan as a job array.
 *
 * A plan is a text file of shell command lines, line K the command that
 * makes point K (from 1):
 *     gilsim sweep --sim --workers 1,2,4 --point 3
 * the sweep's own options as the reports record them (cli.h: no outputs,
 * no --jobs), each word quoted for the shell (escape.h), then --point K.
 * Nothing in it names a machine: any host with the same gilsim, run in a
 * folder where the program files it names are, makes the same point.  A
 * plan has no header, so that GNU Parallel's job numbers and Slurm's
 * array indices are its line numbers.
 *
 * The plan's id is a hash of gilsim's version and the sweep's options;
 * each point recomputes it from its own command line, so a result says
 * which plan it belongs to without the plan file.
 *
 * A point's result is one line:
 *     gilsim-point 1 VERSION PLAN-ID K N HOST FIELD...
 * the format's number, the gilsim that made it, the point and how many the
 * plan has, the host that ran it (real-time plans: points from different
 * machines are said to be), then every field of the point in a fixed
 * order, integers in decimal and reals as C's hexadecimal floats, which
 * read back to the same bits.  Text, not the struct's bytes: any machine
 * reads any other's, and padding never makes two runs' bytes differ.  A
 * file may hold many results (GNU Parallel can gather points' standard
 * outputs into one). */
#ifndef GS_PLAN_H
#define GS_PLAN_H

#include <stdint.h>
#include <stdio.h>

#include "../sched/sweep.h"

#define GS_PLAN_HOST_MAX 64

/* The id of the plan of a sweep asked for by argv (argv[0] "gilsim", as
 * cli.h records a command line). */
uint64_t gs_plan_id(int argc, char *const argv[]);

/* Writes the plan: npoints lines.  Every word must pass gs_sh_can_word
 * (escape.h).  Returns 0, or -1 when a write failed. */
int gs_write_plan(FILE *f, int argc, char *const argv[], uint32_t npoints);

/* Splits a plan line into its words (undoing gs_put_sh's quoting, and no
 * other shell syntax): *words is malloc'd, each word in it too.  Returns
 * the count, or -1 with err. */
int gs_plan_words(const char *line, char ***words, char err[GS_ERRMSG_MAX]);
void gs_plan_words_free(char **words, int n);

/* Writes a Slurm batch script that runs the plan at plan_path (as sbatch's
 * folder sees it) as a job array: task T runs lines T+1, T+1+tasks, ...
 * Returns 0, or -1 when a write failed. */
int gs_write_slurm(FILE *f, const char *plan_path, uint64_t id, uint32_t npoints);

typedef struct {
    char version[32];
    uint64_t plan;
    uint32_t k, n;                 /* point k (from 1) of n */
    char host[GS_PLAN_HOST_MAX];
    gs_sweep_point point;          /* its workload pointer NULL */
} gs_point_result;

/* Writes r as its line.  Returns 0, or -1 when a write failed. */
int gs_write_point_result(FILE *f, const gs_point_result *r);

/* Reads a result from one line (without its line end).  Returns 0, or -1
 * with err saying what is not as written. */
int gs_read_point_result(const char *line, gs_point_result *r, char err[GS_ERRMSG_MAX]);

/* A point's baseline, kept for the plan's other points of its workload
 * and mode (w, m), so that a plan run point by point runs each baseline
 * about once, as the sweep does: one line, the plan and the summary's
 * bytes with the layout they have on this machine (a cache: another
 * layout, or anything amiss, and the point runs its baseline itself). */
int gs_write_baseline(FILE *f, uint64_t plan, uint32_t w, uint32_t m, const gs_sweep_baseline *b);
/* Returns 0 with *b filled when f holds plan's baseline of w and m as
 * this gilsim on this machine wrote it, else -1. */
int gs_read_baseline(FILE *f, uint64_t plan, uint32_t w, uint32_t m, gs_sweep_baseline *b);

#endif
