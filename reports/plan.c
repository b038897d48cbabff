/* plan.c - plans, points' results and Slurm scripts (see plan.h). */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "plan.h"

#define RESULT_MAGIC "gilsim-point"
#define RESULT_FORMAT 2 /* 2: a verdict's unequal work (its ratio) */
/* Slurm refuses array indices past its MaxArraySize, 1001 by default: a
 * larger plan gives each task several points. */
#define SLURM_MAX_TASKS 1000u

uint64_t gs_plan_id(int argc, char *const argv[])
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64 bits: an id, not a defence */
    const char *version = GILSIM_VERSION;
    for (const char *c = version;; c++) {
        h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
        if (!*c)
            break;
    }
    for (int i = 1; i < argc; i++) /* argv[0] is "gilsim" */
        for (const char *c = argv[i];; c++) {
            h = (h ^ (unsigned char)*c) * 0x100000001b3ull;
            if (!*c)
                break;
        }
    return h;
}

int gs_write_plan(FILE *f, int argc, char *const argv[], uint32_t npoints)
{
    for (uint32_t k = 1; k <= npoints; k++) {
        fputs("gilsim", f);
        for (int i = 1; i < argc; i++) {
            fputc(' ', f);
            gs_put_sh(f, argv[i]);
        }
        fprintf(f, " --point %" PRIu32 "\n", k);
    }
    return ferror(f) ? -1 : 0;
}

void gs_plan_words_free(char **words, int n)
{
    for (int i = 0; i < n; i++)
        free(words[i]);
    free(words);
}

int gs_plan_words(const char *line, char ***words, char err[GS_ERRMSG_MAX])
{
    size_t len = strlen(line);
    char **w = calloc(len / 2 + 2, sizeof *w); /* a word and a space at least, each */
    char *word = malloc(len + 1);
    int n = 0;
    if (!w || !word) {
        free(w), free(word);
        snprintf(err, GS_ERRMSG_MAX, "out of memory for a plan's line");
        return -1;
    }
    for (const char *c = line; *c;) {
        if (*c == ' ') {
            c++;
            continue;
        }
        size_t o = 0;
        while (*c && *c != ' ') {
            if (*c == '\'') { /* as far as the next quote, every byte as it is */
                const char *end = strchr(c + 1, '\'');
                if (!end) {
                    snprintf(err, GS_ERRMSG_MAX, "a quote that does not end");
                    goto bad;
                }
                memcpy(word + o, c + 1, (size_t)(end - c - 1));
                o += (size_t)(end - c - 1);
                c = end + 1;
            } else if (*c == '\\' && c[1]) { /* '\'' is a quote between two quoted parts */
                word[o++] = c[1];
                c += 2;
            } else if (strchr("\"$`;&|<>(){}*?[]~#!\t", *c)) {
                snprintf(err, GS_ERRMSG_MAX, "'%c' outside quotes: gilsim writes no such line", *c);
                goto bad;
            } else {
                word[o++] = *c++;
            }
        }
        word[o] = '\0';
        if (!(w[n] = strdup(word))) {
            snprintf(err, GS_ERRMSG_MAX, "out of memory for a plan's line");
            goto bad;
        }
        n++;
    }
    free(word);
    *words = w;
    return n;
bad:
    free(word);
    gs_plan_words_free(w, n);
    return -1;
}

int gs_write_slurm(FILE *f, const char *plan_path, uint64_t id, uint32_t npoints)
{
    uint32_t tasks = npoints < SLURM_MAX_TASKS ? npoints : SLURM_MAX_TASKS;
    fprintf(f,
            "#!/bin/sh\n"
            "# A gilsim sweep's plan as a Slurm job array, written by gilsim sweep --slurm.\n"
            "# Task T runs the plan's lines T+1, T+1+%" PRIu32 ", ... one after another; each\n"
            "# writes its point's result into the folder sbatch was run from (where\n"
            "# the plan and the files it names must be).  Then:\n"
            "#     gilsim merge PLAN gilsim-%016" PRIx64 "-*.point --csv sweep.csv\n"
            "#SBATCH --job-name=gilsim-%016" PRIx64 "\n"
            "#SBATCH --array=0-%" PRIu32 "\n"
            "#SBATCH --ntasks=1\n"
            "#SBATCH --cpus-per-task=1\n"
            "set -eu\n"
            "plan=",
            tasks, id, id, tasks - 1);
    gs_put_sh(f, plan_path);
    fprintf(f,
            "\n"
            "if [ ! -r \"$plan\" ]; then\n"
            "    echo \"gilsim's Slurm task: cannot read the plan $plan in $(pwd)\" >&2\n"
            "    exit 1\n"
            "fi\n"
            "line=$((SLURM_ARRAY_TASK_ID + 1))\n"
            "while [ \"$line\" -le %" PRIu32 " ]; do\n"
            "    point=$(sed -n \"${line}p\" \"$plan\")\n"
            "    if [ -z \"$point\" ]; then\n"
            "        echo \"gilsim's Slurm task: the plan $plan has no line $line\" >&2\n"
            "        exit 1\n"
            "    fi\n"
            "    sh -c \"$point\"\n"
            "    line=$((line + %" PRIu32 "))\n"
            "done\n",
            npoints, tasks);
    return ferror(f) ? -1 : 0;
}

/* The fields of a point, in the order a result holds them. */
typedef enum { F_U32, F_I32, F_MODE, F_BOOL, F_U64, F_I64, F_REAL } field_kind;

#define P(kind, member) {kind, offsetof(gs_sweep_point, member)}
static const struct {
    field_kind kind;
    size_t offset;
} fields[] = {
    P(F_MODE, mode), P(F_U64, work), P(F_U32, workers), P(F_U32, runs), P(F_REAL, wall_min_s),
    P(F_REAL, wall_max_s),
    P(F_REAL, median.wall_s), P(F_REAL, median.spawn_s), P(F_REAL, median.throughput),
    P(F_REAL, median.held_fraction), P(F_REAL, median.wait_fraction), P(F_REAL, median.switches_per_s),
    P(F_U64, median.cpu_ns), P(F_BOOL, median.core_wait_known), P(F_BOOL, median.others_known),
    P(F_REAL, median.core_wait_share), P(F_REAL, median.others_share), P(F_U64, median.handoffs),
    P(F_U64, median.handoff_p50), P(F_U64, median.handoff_p99), P(F_U64, median.io_ops), P(F_U64, median.io_p50),
    P(F_U64, median.io_p99), P(F_U64, median.lags), P(F_U64, median.lag_p99), P(F_BOOL, median.has_race),
    P(F_I64, median.lost_updates), P(F_U64, median.native_calls), P(F_U64, median.native_ns),
    P(F_U32, median.native_max), P(F_U64, median.transfer_bytes), P(F_U64, median.transfer_ns),
    P(F_U64, median.ulock_takes), P(F_U64, median.ulock_contended), P(F_U64, median.ulock_wait_p99),
    P(F_REAL, speedup), P(F_REAL, efficiency), P(F_U32, failed), P(F_BOOL, stopped), P(F_I32, checksum_ok),
    P(F_REAL, speedup_min), P(F_REAL, speedup_max),
    P(F_U32, verdict.doubts), P(F_REAL, verdict.busy_share), P(F_BOOL, verdict.busy_baseline),
    P(F_BOOL, verdict.busy_waited), P(F_REAL, verdict.stacked_share),
    P(F_BOOL, verdict.stacked_sure), P(F_REAL, verdict.speedup), P(F_REAL, verdict.bound), P(F_REAL, verdict.spread),
    P(F_BOOL, verdict.spread_baseline), P(F_REAL, verdict.work_ratio), P(F_REAL, shared_lost),
};
#undef P
#define NFIELDS (sizeof fields / sizeof fields[0])
_Static_assert(sizeof(gs_mode) == sizeof(uint32_t), "a mode is read and written as 32 bits");
_Static_assert(sizeof(((gs_verdict *)0)->doubts) == sizeof(uint32_t), "doubts are read and written as 32 bits");

int gs_write_point_result(FILE *f, const gs_point_result *r)
{
    fprintf(f, RESULT_MAGIC " %d %s %016" PRIx64 " %" PRIu32 " %" PRIu32 " %s", RESULT_FORMAT, r->version, r->plan,
            r->k, r->n, r->host);
    const char *p = (const char *)&r->point;
    for (size_t i = 0; i < NFIELDS; i++) {
        const void *at = p + fields[i].offset;
        switch (fields[i].kind) {
        case F_U32:  fprintf(f, " %" PRIu32, *(const uint32_t *)at); break;
        case F_I32:  fprintf(f, " %d", *(const int *)at); break;
        case F_MODE: fprintf(f, " %u", (unsigned)*(const gs_mode *)at); break;
        case F_BOOL: fprintf(f, " %d", *(const bool *)at ? 1 : 0); break;
        case F_U64:  fprintf(f, " %" PRIu64, *(const uint64_t *)at); break;
        case F_I64:  fprintf(f, " %" PRId64, *(const int64_t *)at); break;
        case F_REAL: fprintf(f, " %a", *(const double *)at); break;
        }
    }
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

/* The next space-separated token of *c, as a number of kind into at. */
static int read_field(const char **c, field_kind kind, void *at)
{
    const char *s = *c;
    char *end;
    errno = 0;
    if (*s++ != ' ' || *s == ' ' || *s == '\0')
        return -1;
    if (kind == F_REAL) {
        *(double *)at = strtod(s, &end);
    } else if (kind == F_U64 || kind == F_U32 || kind == F_MODE || kind == F_BOOL) {
        if (*s == '-')
            return -1;
        unsigned long long v = strtoull(s, &end, 10);
        uint64_t max = kind == F_U64 ? UINT64_MAX : kind == F_U32 ? UINT32_MAX : kind == F_MODE ? GS_MODE_COUNT - 1 : 1;
        if (v > max)
            return -1;
        if (kind == F_U64)
            *(uint64_t *)at = v;
        else if (kind == F_U32)
            *(uint32_t *)at = (uint32_t)v;
        else if (kind == F_MODE)
            *(gs_mode *)at = (gs_mode)v;
        else
            *(bool *)at = v == 1;
    } else {
        long long v = strtoll(s, &end, 10);
        if (kind == F_I32 && (v < INT32_MIN || v > INT32_MAX))
            return -1;
        if (kind == F_I32)
            *(int *)at = (int)v;
        else
            *(int64_t *)at = v;
    }
    if (errno || end == s || (*end != ' ' && *end != '\0'))
        return -1;
    *c = end;
    return 0;
}

/* A token without spaces into buf (at most size - 1 bytes). */
static int read_word(const char **c, char *buf, size_t size)
{
    const char *s = *c;
    if (*s++ != ' ')
        return -1;
    size_t n = strcspn(s, " ");
    if (n == 0 || n >= size)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *c = s + n;
    return 0;
}

int gs_read_point_result(const char *line, gs_point_result *r, char err[GS_ERRMSG_MAX])
{
    *r = (gs_point_result){0};
    const char *c = line;
    size_t magic = strlen(RESULT_MAGIC);
    char format[16], plan[24];
    if (strncmp(c, RESULT_MAGIC, magic) != 0 || (c += magic, read_word(&c, format, sizeof format) != 0)) {
        snprintf(err, GS_ERRMSG_MAX, "not a point's result (gilsim sweep --point writes them)");
        return -1;
    }
    char written[16];
    snprintf(written, sizeof written, "%d", RESULT_FORMAT);
    if (strcmp(format, written) != 0) {
        snprintf(err, GS_ERRMSG_MAX, "a result in format %s; this gilsim reads format %d", format, RESULT_FORMAT);
        return -1;
    }
    char *end;
    if (read_word(&c, r->version, sizeof r->version) != 0 || read_word(&c, plan, sizeof plan) != 0 ||
        strlen(plan) != 16 || (r->plan = strtoull(plan, &end, 16), *end) ||
        read_field(&c, F_U32, &r->k) != 0 || read_field(&c, F_U32, &r->n) != 0 ||
        read_word(&c, r->host, sizeof r->host) != 0 || r->k == 0 || r->k > r->n) {
        snprintf(err, GS_ERRMSG_MAX, "a point's result whose head is damaged");
        return -1;
    }
    char *p = (char *)&r->point;
    for (size_t i = 0; i < NFIELDS; i++)
        if (read_field(&c, fields[i].kind, p + fields[i].offset) != 0) {
            snprintf(err, GS_ERRMSG_MAX, "point %" PRIu32 "'s result is damaged at its figure %zu", r->k, i + 1);
            return -1;
        }
    if (*c) {
        snprintf(err, GS_ERRMSG_MAX, "point %" PRIu32 "'s result has more figures than this gilsim writes", r->k);
        return -1;
    }
    return 0;
}

/* The layout of a summary's bytes here: its size, a pointer's, the order
 * of an integer's bytes. */
static void layout(char buf[64])
{
    const uint32_t one = 1;
    snprintf(buf, 64, "%zu-%zu-%s", sizeof(gs_run_summary), sizeof(void *),
             *(const unsigned char *)&one == 1 ? "le" : "be");
}

int gs_write_baseline(FILE *f, uint64_t plan, uint32_t w, uint32_t m, const gs_sweep_baseline *b)
{
    char lay[64];
    layout(lay);
    fprintf(f, "gilsim-baseline 1 %s %016" PRIx64 " %" PRIu32 " %" PRIu32 " %s %d ", GILSIM_VERSION, plan, w, m,
            lay, b->whole ? 1 : 0);
    const unsigned char *p = (const unsigned char *)&b->median;
    for (size_t i = 0; i < sizeof b->median; i++)
        fprintf(f, "%02x", p[i]);
    fputc('\n', f);
    return ferror(f) ? -1 : 0;
}

int gs_read_baseline(FILE *f, uint64_t plan, uint32_t w, uint32_t m, gs_sweep_baseline *b)
{
    char head[256], want[256], lay[64];
    layout(lay);
    int len = snprintf(want, sizeof want, "gilsim-baseline 1 %s %016" PRIx64 " %" PRIu32 " %" PRIu32 " %s ",
                       GILSIM_VERSION, plan, w, m, lay);
    if (len <= 0 || (size_t)len >= sizeof want || fread(head, 1, (size_t)len + 2, f) != (size_t)len + 2 ||
        memcmp(head, want, (size_t)len) != 0 || (head[len] != '0' && head[len] != '1') || head[len + 1] != ' ')
        return -1;
    b->whole = head[len] == '1';
    unsigned char *p = (unsigned char *)&b->median;
    for (size_t i = 0; i < sizeof b->median; i++) {
        int hi = fgetc(f), lo = fgetc(f);
        const char *digits = "0123456789abcdef";
        const char *h = hi > 0 ? strchr(digits, hi) : NULL, *l = lo > 0 ? strchr(digits, lo) : NULL;
        if (!h || !l)
            return -1;
        p[i] = (unsigned char)((h - digits) << 4 | (l - digits));
    }
    if (fgetc(f) != '\n')
        return -1;
    b->have = true;
    return 0;
}
