/* testdir.c - a private folder per test binary (see testdir.h). */
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testdir.h"

static char dir[PATH_MAX], home[PATH_MAX];

int gs_testdir_enter(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/gilsim-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!getcwd(home, sizeof home) || !mkdtemp(dir) || chdir(dir) != 0 || setenv("TMPDIR", dir, 1) != 0) {
        perror("cannot make the test's private folder");
        return -1;
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int gs_testdir_leave(void **state)
{
    (void)state;
    if (chdir(home) != 0 || nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        perror("cannot remove the test's private folder");
        return -1;
    }
    return 0;
}
