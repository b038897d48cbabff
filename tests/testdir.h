/* testdir.h - every test binary works in a private folder of its own.
 *
 * The group setup makes a folder with mkdtemp under $TMPDIR (or /tmp),
 * enters it and points TMPDIR at it, so that the files a test names, and
 * the temporary files gilsim itself makes, live there and nowhere else.
 * The teardown leaves it and removes it with everything in it.  Two suites
 * running at once (two checkouts, CI beside a developer) never meet. */
#ifndef GS_TESTDIR_H
#define GS_TESTDIR_H

/* cmocka group setup and teardown: pass them to cmocka_run_group_tests. */
int gs_testdir_enter(void **state);
int gs_testdir_leave(void **state);

#endif
