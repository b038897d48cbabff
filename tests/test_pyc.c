/* test_pyc.c - the Python front end: the subset's semantics (golden cases,
 * and random expressions against python3 where it is installed), every
 * refusal with its exact message, the examples against python3, dis. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "asm.h"
#include "dis.h"
#include "pyc.h"
#include "testdir.h"
#include "vm.h"

/* Compiles and verifies src as t.py; returns 0, or -1 with err. */
static int compile(const char *src, gs_program *p, char err[GS_ERRMSG_MAX])
{
    char *gsa;
    if (gs_pyc_compile(src, strlen(src), "t.py", &gsa, err) != 0)
        return -1;
    int rc = gs_load_source(gsa, strlen(gsa), "t.py", p, err);
    if (rc != 0)
        fail_msg("the compiled assembly did not assemble: %s\n%s", err, gsa);
    free(gsa);
    return rc;
}

/* Runs main(args) of src alone; its result, or fails the test. */
static int64_t run_main(const char *src, const int64_t *args, uint32_t nargs, char trace[512])
{
    gs_program p;
    char err[GS_ERRMSG_MAX];
    if (compile(src, &p, err) != 0)
        fail_msg("%s\n%s", err, src);
    static gs_vm vm;
    assert_int_equal(gs_vm_init(&vm, &p, args, nargs, err), 0);
    _Atomic int64_t shared[GS_MAX_SHARED];
    gs_vm_shared_init(&p, shared);
    vm.shared = shared;
    bool held[GS_MAX_ULOCKS] = {false};
    gs_stop stop = gs_vm_run_alone(&vm, held);
    if (trace)
        gs_vm_format_error(&vm, trace, 512);
    else if (stop != GS_STOP_DONE) {
        char t[512];
        gs_vm_format_error(&vm, t, sizeof t);
        fail_msg("%s\n%s", t, src);
    }
    gs_program_free(&p);
    return vm.result;
}

static int64_t value_of(const char *expression)
{
    char src[1024];
    snprintf(src, sizeof src, "def main():\n    return %.900s\n", expression);
    return run_main(src, NULL, 0, NULL);
}

/* Python's answers, worked out once by hand and by python3. */
static void test_semantics_golden(void **state)
{
    (void)state;
    static const struct {
        const char *expression;
        int64_t value;
    } cases[] = {
        {"7 // 2", 3},          {"-7 // 2", -4},       {"7 // -2", -4},      {"-7 // -2", 3},
        {"7 % 3", 1},           {"-7 % 3", 2},         {"7 % -3", -2},       {"-7 % -3", -1},
        {"6 // 3", 2},          {"-6 // 3", -2},       {"-6 % 3", 0},        {"2 + 3 * 4 - 1", 13},
        {"(2 + 3) * 4", 20},    {"-3 * -3", 9},        {"- - 4", 4},         {"+5", 5},
        {"1 < 2 < 3", 1},       {"1 < 3 < 2", 0},      {"3 > 2 == 2", 1},    {"1 == 1 != 2", 1},
        {"0 or 7", 7},          {"5 or 7", 5},         {"0 and 7", 0},       {"5 and 7", 7},
        {"not 0", 1},           {"not 9", 0},          {"not 1 == 2", 1},    {"True + True", 2},
        {"False or 0 or 4", 4}, {"1 and 2 and 3", 3},  {"0x1F + 1_000", 1031}, {"10 - 2 - 3", 5},
        {"100 // 7 % 4", 2},    {"9223372036854775807", INT64_MAX},
        /* the bitwise operators, at Python's precedences, on two's complement */
        {"6 & 3", 2},           {"6 | 3", 7},          {"6 ^ 3", 5},         {"~5", -6},
        {"~-1", 0},             {"1 << 62", 1ll << 62}, {"-1 << 63", INT64_MIN}, {"-37 >> 3", -5},
        {"37 >> 3", 4},         {"-1 >> 100", -1},     {"5 >> 64", 0},       {"0 << 1000", 0},
        {"1 | 2 ^ 3 & 6", 1},   {"1 + 2 << 3", 24},    {"1 << 2 == 4", 1},   {"-8 & 0xFF", 248},
        {"(1 << 4) - 1 & ~3", 12},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = value_of(cases[i].expression);
        if (v != cases[i].value)
            fail_msg("%s: %lld, Python says %lld", cases[i].expression, (long long)v, (long long)cases[i].value);
    }
    static const struct {
        const char *src;
        int64_t value;
    } programs[] = {
        {"def main():\n    s = 0\n    for i in range(5):\n        s += i\n    return s\n", 10},
        {"def main():\n    s = 0\n    for i in range(2, 11, 3):\n        s = s * 10 + i\n    return s\n", 258},
        {"def main():\n    s = 0\n    for i in range(10, 0, -4):\n        s = s * 100 + i\n    return s\n", 100602},
        {"def main():\n    s = 0\n    n = -2\n    for i in range(6, 0, n):\n        s += i\n    return s\n", 12},
        {"def main():\n    s = 0\n    for i in range(3, 3):\n        s += 1\n    return s\n", 0},
        {"def main():\n    i = 0\n    while True:\n        i += 1\n        if i < 5:\n            continue\n"
         "        break\n    return i\n", 5},
        {"def main():\n    x = 7\n    if x < 3:\n        return 1\n    elif x < 8:\n        return 2\n    else:\n"
         "        return 3\n", 2},
        {"def f(n):\n    if n <= 1:\n        return 1\n    return n * f(n - 1)\n\ndef main():\n    return f(10)\n",
         3628800},
        {"N = 5\ncount = 0\n\ndef bump():\n    global count\n    count += N\n\ndef main():\n    bump()\n    bump()\n"
         "    return count\n", 10},
        {"x = 3\n\ndef main():\n    x = 4\n    return x\n", 4}, /* assigned: local, as in Python */
        {"import threading\nl = threading.Lock()\nn = 0\n\ndef main():\n    global n\n    for i in range(4):\n"
         "        with l:\n            n += 1\n            if i == 2:\n                break\n    l.acquire()\n"
         "    l.release()\n    return n\n", 3},
        {"def main():\n    pass\n", 0},
        {"\"\"\"A module's docstring,\non two lines.\"\"\"\n\ndef main():\n    '''A docstring.'''\n    x = 2\n"
         "    x <<= 3\n    x |= 1\n    x ^= 2\n    x &= ~4\n    x >>= 1\n    \"any lone string\"\n    return x\n", 9},
        {"def main(first, count, size):\n    return first * 100 + count * 10 + size\n", 123},
    };
    int64_t args[3] = {1, 2, 3};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        int64_t v = run_main(programs[i].src, args, strstr(programs[i].src, "main(first") ? 3 : 0, NULL);
        if (v != programs[i].value)
            fail_msg("%lld, Python says %lld:\n%s", (long long)v, (long long)programs[i].value, programs[i].src);
    }
}

/* Runtime errors name the .py line, with Python's frames. */
static void test_runtime_errors_name_the_line(void **state)
{
    (void)state;
    char trace[512];
    run_main("def f(x):\n    return 10 // x\n\ndef main():\n    y = 0\n    return f(y)\n", NULL, 0, trace);
    assert_string_equal(trace, "division by zero\n  at f (t.py:2)\n  at main (t.py:6)");
    run_main("import threading\nl = threading.Lock()\n\ndef main():\n    l.release()\n    return 0\n", NULL, 0, trace);
    assert_string_equal(trace, "release l: this thread does not hold it\n  at main (t.py:5)");
    /* Python's integers never wrap: one past 64 bits stops the program */
    run_main("def main():\n    x = 1\n    for i in range(62):\n        x *= 2\n    return x + x\n", NULL, 0, trace);
    assert_string_equal(trace, "integer overflow: 4611686018427387904 + 4611686018427387904 does not fit in 64 "
                               "bits\n  at main (t.py:5)");
    run_main("def main():\n    n = 9223372036854775807\n    n += 1\n    return n\n", NULL, 0, trace);
    assert_string_equal(trace, "integer overflow: 9223372036854775807 + 1 does not fit in 64 bits\n  at main (t.py:3)");
}

#define PY_HINT                                                                                              \
    "gilsim starts the workers itself: put the work in main(first, units, size), and choose --threads N, " \
    "--processes N or --async N"

/* What the subset refuses, each with the message a user sees. */
static void test_rejected_programs(void **state)
{
    (void)state;
    static const struct {
        const char *src, *message;
    } bad[] = {
        {"class A:\n    pass\n", "t.py:1:1: classes are not supported"},
        {"def main():\n    x = 1.5\n    return 0\n", "t.py:2:9: floats are only allowed as the argument of time.sleep"},
        {"def main():\n    return 'a'\n", "t.py:2:12: strings are not supported: the subset has integers only"},
        {"def main():\n    return [1]\n", "t.py:2:12: lists, dicts and sets are not supported"},
        {"def main():\n    return {}\n", "t.py:2:12: lists, dicts and sets are not supported"},
        {"def main():\n    return (1, 2)\n", "t.py:2:14: tuples are not supported"},
        {"def main():\n    return 7 / 2\n", "t.py:2:14: true division '/' gives a float: use // for integers"},
        {"def main():\n    return 2 ** 8\n", "t.py:2:14: the power operator ** is not supported"},
        {"def main():\n    return 6 @ 3\n", "t.py:2:14: the operator '@' is not supported"},
        {"def main():\n    return \"\"\"a\n", "t.py:2:12: unterminated string"},
        {"import threading\n\ndef main(first, units, size):\n    threading.Thread(target=main).start()\n"
         "    return 0\n", "t.py:4:5: 'threading.Thread' is not supported: " PY_HINT},
        {"import asyncio\n\ndef main():\n    return 0\n", "t.py:1:8: importing 'asyncio' is not supported: " PY_HINT},
        {"def main():\n    return y\n", "t.py:2:12: name 'y' is not defined"},
        {"def main():\n    return g(1)\n", "t.py:2:12: function 'g' is not defined (define it with def in this file)"},
        {"def f(a):\n    return a\n\ndef main():\n    return f(1, 2)\n", "t.py:5:12: f() takes 1 argument, 2 given"},
        {"import os\n\ndef main():\n    return 0\n", "t.py:1:8: importing 'os' is not supported (time, threading and "
                                                     "gilsim are)"},
        {"def main():\n    print(1)\n    return 0\n", "t.py:2:5: print is not supported: return a checksum from main "
                                                      "instead"},
        {"def main():\n    try:\n        pass\n", "t.py:2:5: exceptions are not supported (try)"},
        {"def main():\n    f = lambda x: x\n", "t.py:2:9: lambda is not supported: use def"},
        {"def main():\n    yield 1\n", "t.py:2:5: generators are not supported (yield)"},
        {"def main():\n    return None\n", "t.py:2:12: None is not supported: the subset has integers only"},
        {"def main():\n    for x in [1, 2]:\n        pass\n", "t.py:2:14: only for NAME in range(...) is supported"},
        {"def main():\n    for x in range():\n        pass\n", "t.py:2:14: range() takes one to three arguments"},
        {"def main():\n    for x in range(1, 5, 0):\n        pass\n", "t.py:2:26: range() step must not be zero"},
        {"def main():\n    return range(3)\n", "t.py:2:12: range() is only allowed in for NAME in range(...)"},
        {"def main():\n    break\n", "t.py:2:5: 'break' outside a loop"},
        {"def main():\n    def g():\n        pass\n", "t.py:2:5: nested functions are not supported"},
        {"def main(a=1):\n    return a\n", "t.py:1:11: default argument values are not supported"},
        {"def main(*a):\n    return 0\n", "t.py:1:10: *args and keyword-only arguments are not supported"},
        {"def f(a):\n    return a\n\ndef main():\n    return f(a=1)\n", "t.py:5:14: keyword arguments are not "
                                                                      "supported"},
        {"def main():\n    a, b = 1, 2\n", "t.py:2:6: only a single name may be assigned to"},
        {"x = 'text'\n\ndef main():\n    return 0\n", "t.py:1:5: a module variable must be an integer or "
                                                      "threading.Lock()"},
        {"print(3)\n", "t.py:1:1: print is not supported: return a checksum from main instead"},
        {"def f():\n    return 0\n", "t.py:1:1: no function named main"},
        {"def main():\n    global q\n    return 0\n", "t.py:2:12: 'q' is declared global but is no integer variable "
                                                     "of the module"},
        {"def main():\n  x = 1\n    return x\n", "t.py:3:5: unexpected indent"},
        {"def main():\n    if 1:\n        x = 1\n      return 0\n", "t.py:4:7: unindent does not match any outer "
                                                                       "indentation level"},
        {"def main():\n    return 1 +\n", "t.py:2:15: expected an expression before the end of the line"},
        {"def main():\n    return (1\n", "t.py:3:1: expected ')' before the end of the line"},
        {"def main():\n    return 99999999999999999999\n", "t.py:2:12: '99999999999999999999' is not an integer "
                                                           "gilsim can hold (64-bit, decimal or 0x hexadecimal)"},
        {"def main():\n    x = 1 if 2 else 3\n", "t.py:2:11: conditional expressions (x if c else y) are not "
                                                   "supported"},
        {"def main():\n    return 'abc\n", "t.py:2:12: unterminated string"},
        {"def main():\n    return 1 $ 2\n", "t.py:2:14: unexpected character '$'"},
        {"def main():\n    time.time()\n", "t.py:2:5: 'time.time' is not supported (time.sleep, gilsim.pipe, "
                                            "gilsim.file, gilsim.native, and a lock's acquire and release are)"},
        {"def main():\n    with open(x):\n        pass\n", "t.py:2:10: with takes a lock made at module level with "
                                                           "threading.Lock()"},
        {"def main():\n    return 0\n\ndef main():\n    return 1\n", "t.py:4:5: function 'main' is defined twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gs_program p;
        char err[GS_ERRMSG_MAX];
        if (compile(bad[i].src, &p, err) == 0)
            fail_msg("accepted:\n%s", bad[i].src);
        size_t first = strcspn(err, "\n");
        if (strlen(bad[i].message) != first || strncmp(err, bad[i].message, first) != 0)
            fail_msg("got:  %s\nwant: %s", err, bad[i].message);
        const char *caret = strrchr(err, '\n');
        assert_non_null(caret);
        assert_true(caret[strlen(caret) - 1] == '^' || strstr(bad[i].message, "no function named main"));
    }
}

/* No input crashes the compiler: random bytes and mutated programs. */
static void test_random_input(void **state)
{
    (void)state;
    const char *seed = "import threading\nn = 0\nl = threading.Lock()\n\ndef f(a, b):\n    global n\n"
                       "    for i in range(a, b, 2):\n        with l:\n            n += i // 3 % 2\n"
                       "    while a < b and not a == 3 or b:\n        a += 1\n        if a: break\n    return a\n\n"
                       "def main():\n    return f(1, 10)\n";
    size_t len = strlen(seed);
    char *text = malloc(len + 1);
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 3000; round++) {
        memcpy(text, seed, len + 1);
        for (int k = 0; k < 1 + round % 6; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            text[x % len] = (char)(round % 3 ? " \n:()=+-*/%#\t\"abx019"[x / len % 20] : (char)(x >> 40));
        }
        char *gsa = NULL, err[GS_ERRMSG_MAX];
        if (gs_pyc_compile(text, len, "t.py", &gsa, err) == 0) {
            gs_program p;
            if (gs_load_source(gsa, strlen(gsa), "t.py", &p, err) != 0)
                fail_msg("compiled to assembly that does not assemble: %s\n%s", err, text);
            gs_program_free(&p);
        }
        free(gsa);
    }
    free(text);
}

/* A file with two main blocks (python3 runs both) compiles to a program
 * that loads, its unit size the first block's (fuzz_pyc's find: the
 * front end wrote the default twice, which the assembler refuses). */
static void test_two_main_blocks(void **state)
{
    (void)state;
    static const char src[] = "def main(a, b, c):\n    return c\n\n"
                              "if __name__ == \"__main__\":\n    print(main(0, 1, 7))\n\n"
                              "if __name__ == \"__main__\":\n    print(main(0, 1, 9))\n";
    gs_program p;
    char err[GS_ERRMSG_MAX];
    if (compile(src, &p, err) != 0)
        fail_msg("%s", err);
    assert_true(p.has_default[GS_DEFAULT_UNIT_SIZE]);
    assert_int_equal(p.defaults[GS_DEFAULT_UNIT_SIZE], 7);
    gs_program_free(&p);
}

/* dis shows the source lines, and what it prints assembles back to the
 * same bytecode. */
static void test_dis_round_trip(void **state)
{
    (void)state;
    const char *src = "n = 0\n\ndef main(first, count, size):\n    global n\n    s = 0\n"
                      "    for i in range(first, first + count):\n        s += i % 7\n        n += 1\n    return s\n";
    gs_program p, q;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(compile(src, &p, err), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_int_equal(gs_disassemble(&p, src, strlen(src), mem), 0);
    fclose(mem);
    assert_non_null(strstr(text, "; 7:         s += i % 7\n"));
    assert_non_null(strstr(text, "; 6:     for i in range(first, first + count):\n"));
    assert_int_equal(gs_load_source(text, len, "dis.gsa", &q, err), 0);
    assert_true(gs_program_equal(&p, &q));
    free(text);
    gs_program_free(&p);
    gs_program_free(&q);
}

/* ---- beside python3 ---- */

static bool have_python3(void) { return system("python3 -c 'import sys' >/dev/null 2>&1") == 0; }

/* What python3 prints for code run with python/ and examples/ importable. */
static int64_t python3_value(const char *code)
{
    FILE *f = fopen("probe.py", "w");
    assert_non_null(f);
    fprintf(f, "import sys\nsys.path[:0] = ['%s/python', '%s/examples']\n%s\n", GS_SOURCE_DIR, GS_SOURCE_DIR, code);
    fclose(f);
    FILE *p = popen("python3 probe.py", "r");
    assert_non_null(p);
    long long v = 0;
    int got = fscanf(p, "%lld", &v);
    int status = pclose(p);
    if (got != 1 || status != 0)
        fail_msg("python3 failed on:\n%s", code);
    return v;
}

/* Random integer expressions: gilsim's value is python3's. */
static void test_expressions_against_python3(void **state)
{
    (void)state;
    if (!have_python3()) {
        printf("SKIPPED: python3 is not installed; the golden cases stand alone.\n");
        skip();
    }
    static const char *const ops[] = {"+", "-", "*", "//", "%", "<", "<=", "==", "!=", ">", "and", "or", "&", "|",
                                      "^"};
    enum { N = 120 };
    char exprs[N][160], code[N * 200] = "print(' '.join(str(int(v)) for v in [", *o = code + strlen(code);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < N; i++) {
        int a[4];
        const char *op[3];
        for (int k = 0; k < 4; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            a[k] = (int)(x % 41) - 20;
            if (a[k] == 0)
                a[k] = 3;
        }
        for (int k = 0; k < 3; k++) { /* the middle operator's right side may be 0: no // or % there */
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            op[k] = ops[k == 1 ? 5 + x % (sizeof ops / sizeof ops[0] - 5) : x % (sizeof ops / sizeof ops[0])];
        }
        if (i % 4 == 3) /* shifts: their counts are not negative, or Python raises */
            snprintf(exprs[i], sizeof exprs[i], "(%d << %d) ^ (%d >> %d) | ~%d & %d", a[0], (a[1] + 20) % 41 / 2,
                     a[2], (a[3] + 20) % 41 / 2 + 50 * (i % 8 == 7), a[0], a[2]);
        else
            snprintf(exprs[i], sizeof exprs[i], "(%d %s (%d)) %s (not %d %s (%d))", a[0], op[0], a[1], op[1], a[2],
                     op[2], a[3]);
        o += sprintf(o, "%s(%s)", i ? ", " : "", exprs[i]);
    }
    strcat(code, "]))");
    FILE *f = fopen("probe.py", "w");
    fprintf(f, "%s\n", code);
    fclose(f);
    FILE *p = popen("python3 probe.py", "r");
    for (int i = 0; i < N; i++) {
        long long want;
        assert_int_equal(fscanf(p, "%lld", &want), 1);
        int64_t got = value_of(exprs[i]);
        if (got != want)
            fail_msg("%s: gilsim %lld, python3 %lld", exprs[i], (long long)got, want);
    }
    pclose(p);
}

/* Each example gives under gilsim the checksum python3 computes. */
static void test_examples_against_python3(void **state)
{
    (void)state;
    if (!have_python3()) {
        printf("SKIPPED: python3 is not installed; the examples are not compared with it.\n");
        skip();
    }
    static const struct {
        const char *name;
        int64_t args[3];
    } runs[] = {
        {"countdown", {3, 5, 100}}, {"fib", {0, 4, 12}},    {"convoy", {0, 3, 50}},
        {"convoy", {4, 3, 50}},     {"race", {2, 3, 40}},   {"native", {1, 2, 30}},
        {"primes", {2, 3, 100}},    {"ioloop", {5, 4, 30}},  {"deadlock", {0, 2, 0}},
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char path[512], code[256];
        snprintf(path, sizeof path, "%s/examples/%s.py", GS_SOURCE_DIR, runs[i].name);
        gs_program p;
        char err[GS_ERRMSG_MAX];
        if (gs_load_file(path, &p, err) != 0)
            fail_msg("%s", err);
        static gs_vm vm;
        assert_int_equal(gs_vm_init(&vm, &p, runs[i].args, 3, err), 0);
        _Atomic int64_t shared[GS_MAX_SHARED];
        gs_vm_shared_init(&p, shared);
        vm.shared = shared;
        bool held[GS_MAX_ULOCKS] = {false};
        assert_int_equal(gs_vm_run_alone(&vm, held), GS_STOP_DONE);
        snprintf(code, sizeof code, "import %s\nprint(%s.main(%lld, %lld, %lld))", runs[i].name, runs[i].name,
                 (long long)runs[i].args[0], (long long)runs[i].args[1], (long long)runs[i].args[2]);
        int64_t want = python3_value(code);
        if (vm.result != want)
            fail_msg("%s%s: gilsim %lld, python3 %lld", runs[i].name, "", (long long)vm.result, (long long)want);
        gs_program_free(&p);
    }
    /* gilsim.native in Python is gilsim's native call */
    assert_int_equal(python3_value("import gilsim\nprint(gilsim.native(12345))"),
                     gs_native_result(gs_native_work(12345, 12345)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semantics_golden),
        cmocka_unit_test(test_runtime_errors_name_the_line),
        cmocka_unit_test(test_rejected_programs),
        cmocka_unit_test(test_random_input),
        cmocka_unit_test(test_two_main_blocks),
        cmocka_unit_test(test_dis_round_trip),
        cmocka_unit_test(test_expressions_against_python3),
        cmocka_unit_test(test_examples_against_python3),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
