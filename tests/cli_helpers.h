/* cli_helpers.h - running the gilsim program as a user does, for the
 * tests of its command line and its outputs.  Paths are relative: each
 * test binary works in its own private folder (testdir.h). */
#ifndef GS_TEST_CLI_HELPERS_H
#define GS_TEST_CLI_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <jansson.h>

/* Runs gilsim with args (a shell fragment); returns its exit status (128 +
 * the signal if one killed it) and what it wrote to standard error (and
 * out, if given) in static buffers. */
int run(const char *args, char **err_out, char **std_out);

/* Runs gilsim with exactly argv (no shell: a hostile name reaches it as it
 * is; argv[0] is gilsim's place), standard input from /dev/null.  Before
 * exec, the child sets RLIMIT_STACK to stack_bytes and RLIMIT_NOFILE to
 * nofile when they are not 0.  Returns as run() does. */
int run_argv(const char *const argv[], rlim_t stack_bytes, rlim_t nofile, char **err_out, char **std_out);

/* The report's text as one line: each line break and the indent after it
 * a single space, so that a sentence is found however it wrapped (in a
 * static buffer, the next call's). */
const char *unwrapped(const char *text);

/* text with each run of spaces one space, so that a table's row is found
 * however wide its columns came out (in a static buffer, the next
 * call's). */
const char *squeezed(const char *text);

/* Every demonstration, as `gilsim demo` lists them; NULL after the last. */
extern const char *const demo_names[];

/* Whether text holds a byte a terminal could take as a command: a control
 * character other than a newline or a tab (ESC, BEL, CR, ...). */
bool has_control(const char *text);

void write_file(const char *path, const char *text, size_t len);
/* The whole file at path as text, in a static buffer (the next call's);
 * fails the test if it cannot be read. */
char *read_text(const char *path);
bool file_starts_with(const char *path, const char *magic, size_t len);

/* A program in gilsim's Python that python3 runs too, to the same
 * checksum: countdown.py's loop, count * 100 steps a call. */
extern const char countdown_py[];

/* Whether python3 is on PATH. */
bool have_python3(void);

/* Starts gilsim with exactly argv and returns at once with its pid: its
 * input and output /dev/null, its standard error into the file
 * spawned-stderr. */
pid_t spawn_gilsim(const char *const argv[]);

/* Waits up to a minute for cond(arg) to hold; fails with what otherwise. */
void wait_until(bool (*cond)(const void *), const void *arg, const char *what);

/* Whether the gilsim process *pid (a pid_t) is inside its run: its main
 * thread and two workers or more. */
bool running_workers(const void *pid);

/* Fails the test if a line of text is wider than 80 columns; what names
 * the text in the message. */
void assert_fits_80(const char *what, const char *text);

/* The value at a dotted path in a JSON document; fails the test if it is
 * missing.  A figure under a null (a histogram with no samples) is null. */
json_t *get(json_t *o, const char *path);

#endif
