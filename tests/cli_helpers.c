/* cli_helpers.c - running the gilsim program (see cli_helpers.h). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_helpers.h"

int run(const char *args, char **err_out, char **std_out)
{
    static char err_buf[8192], out_buf[1 << 20];
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>gilsim-stderr", GS_GILSIM, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out_buf, 1, sizeof out_buf - 1, p);
    out_buf[n] = '\0';
    int status = pclose(p);
    FILE *e = fopen("gilsim-stderr", "r");
    n = e ? fread(err_buf, 1, sizeof err_buf - 1, e) : 0;
    err_buf[n] = '\0';
    if (e)
        fclose(e);
    unlink("gilsim-stderr");
    if (err_out)
        *err_out = err_buf;
    if (std_out)
        *std_out = out_buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_argv(const char *const argv[], rlim_t stack_bytes, rlim_t nofile, char **err_out, char **std_out)
{
    static char err_buf[8192], out_buf[1 << 20];
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY), out = open("gilsim-stdout", O_WRONLY | O_CREAT | O_TRUNC, 0644),
            err = open("gilsim-stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
            _exit(125);
        struct rlimit stack = {stack_bytes, stack_bytes}, files = {nofile, nofile};
        if ((stack_bytes && setrlimit(RLIMIT_STACK, &stack) != 0) || (nofile && setrlimit(RLIMIT_NOFILE, &files) != 0))
            _exit(125);
        execv(GS_GILSIM, (char *const *)argv);
        _exit(126);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    FILE *f = fopen("gilsim-stdout", "rb");
    size_t n = f ? fread(out_buf, 1, sizeof out_buf - 1, f) : 0;
    out_buf[n] = '\0';
    if (f)
        fclose(f);
    f = fopen("gilsim-stderr", "rb");
    n = f ? fread(err_buf, 1, sizeof err_buf - 1, f) : 0;
    err_buf[n] = '\0';
    if (f)
        fclose(f);
    unlink("gilsim-stdout");
    unlink("gilsim-stderr");
    if (err_out)
        *err_out = err_buf;
    if (std_out)
        *std_out = out_buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *unwrapped(const char *text)
{
    static char one[1 << 16];
    size_t o = 0;
    for (const char *p = text; *p && o < sizeof one - 1; p++) {
        if (*p == '\n') {
            while (p[1] == ' ')
                p++;
            one[o++] = ' ';
        } else {
            one[o++] = *p;
        }
    }
    one[o] = '\0';
    return one;
}

const char *squeezed(const char *text)
{
    static char one[1 << 16];
    size_t o = 0;
    for (const char *p = text; *p && o < sizeof one - 1; p++)
        if (*p != ' ' || o == 0 || one[o - 1] != ' ')
            one[o++] = *p;
    one[o] = '\0';
    return one;
}

const char *const demo_names[] = {"threads-vs-processes", "io-bound", "three-ways", "convoy", "switch-interval",
                                  "legacy-battle", "async", "free-threading", "race", "native", NULL};

bool has_control(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            return true;
    return false;
}

void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

const char countdown_py[] = "def main(first, count, size):\n"
                            "    n = count * 100\n"
                            "    while n > 0:\n"
                            "        n -= 1\n"
                            "    return count\n";

char *read_text(const char *path)
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

bool have_python3(void)
{
    return system("command -v python3 >/dev/null 2>&1") == 0;
}

pid_t spawn_gilsim(const char *const argv[])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR), err = open("spawned-stderr", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(null, 0);
        dup2(null, 1);
        dup2(err, 2);
        execv(GS_GILSIM, (char *const *)argv);
        _exit(126);
    }
    return pid;
}

void wait_until(bool (*cond)(const void *), const void *arg, const char *what)
{
    for (int i = 0; i < 1200; i++) {
        if (cond(arg))
            return;
        struct timespec ts = {0, 50000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("waited a minute for %s", what);
}

bool running_workers(const void *pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", *(const pid_t *)pid);
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n >= 3;
}

bool file_starts_with(const char *path, const char *magic, size_t len)
{
    char buf[64] = {0};
    assert_true(len <= sizeof buf);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(buf, 1, len, f);
    fclose(f);
    return n == len && memcmp(buf, magic, len) == 0;
}

json_t *get(json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *key = strtok(buf, "."); key && o && !json_is_null(o); key = strtok(NULL, "."))
        o = json_object_get(o, key);
    if (!o)
        fail_msg("JSON lacks %s", path);
    return o;
}

void assert_fits_80(const char *what, const char *text)
{
    for (const char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "")
        if (strcspn(line, "\n") > 80)
            fail_msg("%s: a line wider than 80 columns: %.100s", what, line);
}
