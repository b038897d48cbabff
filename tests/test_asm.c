/* test_asm.c - the assembler, the verifier and the disassembler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testdir.h"

#include "asm.h"
#include "dis.h"
#include "fuse.h"
#include "opcodes.h"
#include "verify.h"

/* ---- malformed programs, each with its exact message ---------------------- */

typedef struct {
    const char *what;
    const char *source;
    const char *message;
} bad_case;

static const bad_case bad_cases[] = {
    {"empty file", "", "t.gsa:1:1: empty program (no function named main)"},
    {"only comments", "; nothing\n# here\n", "t.gsa:1:1: empty program (no function named main)"},
    {"binary garbage", "\x7f" "ELF\x02\x01\x01", "t.gsa:1:1: unexpected byte 0x7f (programs are plain text)"},
    {"NUL byte", ".func main 0\n  pu\0sh 1\n", "t.gsa:2:5: unexpected byte 0x00 (programs are plain text)"},
    {"unknown instruction", ".func main 0\n    frob 1\n    ret\n.end\n",
     "t.gsa:2:5: unknown instruction 'frob'"},
    {"unknown directive", ".fun main 0\n",
     "t.gsa:1:1: unknown directive '.fun' (.const, .shared, .lock, .overflow, .default, .func or .end)"},
    {"bad .default", ".default work 5\n", "t.gsa:1:10: .default takes unit-size or io-latency"},
    {".default twice", ".default unit-size 5\n.default unit-size 6\n", "t.gsa:2:10: .default unit-size given twice"},
    {".default out of range", ".default io-latency -1\n",
     "t.gsa:1:21: .default io-latency -1 out of range (0..10000000000)"},
    {".default in a function", ".func main 0\n.default unit-size 3\n  push 1\n  ret\n.end\n",
     "t.gsa:2:1: .default inside a function (give it before .func)"},
    {".default and more", ".default unit-size 3 4\n", "t.gsa:1:22: unexpected text after .default"},
    {"bad .overflow", ".overflow saturate\n", "t.gsa:1:11: .overflow takes wrap or error"},
    {"bare .overflow", ".overflow\n", "t.gsa:1:10: .overflow takes wrap or error"},
    {".overflow in a function", ".func main 0\n.overflow error\n  push 1\n  ret\n.end\n",
     "t.gsa:2:1: .overflow inside a function (give it before .func)"},
    {".overflow and more", ".overflow error wrap\n", "t.gsa:1:17: unexpected text after .overflow"},
    {"missing operand", ".func main 0\n  push\n  ret\n.end\n", "t.gsa:2:7: 'push' needs 1 operand"},
    {"extra operand", ".func main 0\n  push 1\n  add 3\n.end\n", "t.gsa:3:7: unexpected text after 'add'"},
    {"bad operand", ".func main 0\n  push abc\n  ret\n.end\n", "t.gsa:2:8: unknown constant 'abc'"},
    {"bad number", ".func main 0\n  push 12x\n  ret\n.end\n", "t.gsa:2:8: expected a number, found '1'"},
    {"bad I/O kind", ".func main 0\n  push 1\n  io disk\n  ret\n.end\n",
     "t.gsa:3:6: unknown I/O kind 'disk' (sleep, pipe or file)"},
    {"negative local", ".func main 0\n  load -1\n  ret\n.end\n", "t.gsa:2:8: local index -1 out of range (0..255)"},
    {"oversize constant", ".func main 0\n  push 9223372036854775808\n  ret\n.end\n",
     "t.gsa:2:8: constant out of range (64-bit signed integers only)"},
    {"oversize immediate", ".func main 0 1\n  inc 0 3000000000\n  load 0\n  ret\n.end\n",
     "t.gsa:2:9: immediate 3000000000 out of range (32-bit signed)"},
    {"missing label", ".func main 0\n  jmp nowhere\n.end\n", "t.gsa:2:7: undefined label 'nowhere'"},
    {"duplicate label", ".func main 0\na:\n  push 1\na:\n  ret\n.end\n",
     "t.gsa:4:1: duplicate label 'a' (first defined on line 2)"},
    {"label outside function", "top:\n", "t.gsa:1:1: label outside a function"},
    {"instruction outside function", "push 1\n",
     "t.gsa:1:1: instruction outside a function (start one with .func)"},
    {"missing .end", ".func main 0\n  push 1\n  ret\n", "t.gsa:1:1: missing .end for function 'main'"},
    {".end without .func", ".end\n", "t.gsa:1:1: .end without .func"},
    {"nested .func", ".func main 0\n.func f 0\n", "t.gsa:2:1: missing .end before .func (function 'main' is still open)"},
    {"duplicate function", ".func f 0\n push 1\n ret\n.end\n.func f 0\n push 1\n ret\n.end\n",
     "t.gsa:5:7: duplicate function 'f'"},
    {"undefined function", ".func main 0\n  call g\n  ret\n.end\n", "t.gsa:2:8: undefined function 'g'"},
    {"no main", ".func start 0\n  push 1\n  ret\n.end\n", "t.gsa:1:1: no function named main"},
    {"duplicate constant", ".const A 1\n.const A 2\n", "t.gsa:2:8: duplicate constant 'A'"},
    {"name too long", ".func abcdefghijklmnopqrstuvwxyz0123456789 0\n",
     "t.gsa:1:7: name too long (at most 31 characters)"},
    {"too many locals", ".func main 0 300\n", "t.gsa:1:14: local count 300 out of range (0..256)"},
    /* the verifier's findings */
    {"stack underflow", ".func main 0\n  push 1\n  add\n  ret\n.end\n",
     "t.gsa:3: stack underflow: 'add' needs 2 values, the stack holds 1"},
    {"call underflow", ".func f 2\n  load 0\n  ret\n.end\n.func main 0\n  push 1\n  call f\n  ret\n.end\n",
     "t.gsa:7: stack underflow: 'call' needs 2 values, the stack holds 1"},
    {"unbalanced paths", ".func main 1\n  load 0\n  jz skip\n  push 1\nskip:\n  push 2\n  ret\n.end\n",
     "t.gsa:4: stack depth differs where paths meet at pc 6 (0 on one path, 1 on another)"},
    {"local out of range", ".func main 1\n  load 5\n  ret\n.end\n",
     "t.gsa:2: local 5 out of range (function 'main' has 1 local)"},
    {"falls off the end", ".func main 0\n  push 1\n.end\n",
     "t.gsa:2: control falls off the end of function 'main' (add ret or jmp)"},
    {"ret on empty stack", ".func main 0\n  ret\n.end\n",
     "t.gsa:2: stack underflow: 'ret' needs 1 value, the stack holds 0"},
    /* shared variables and user locks */
    {"undeclared shared", ".func main 0\n  gload n\n  ret\n.end\n",
     "t.gsa:2:9: undeclared shared variable 'n' (declare it with .shared before its use)"},
    {"undeclared lock", ".func main 0\n  acquire l\n  push 0\n  ret\n.end\n",
     "t.gsa:2:11: undeclared lock 'l' (declare it with .lock before its use)"},
    {"duplicate shared", ".shared n\n.shared n 2\n", "t.gsa:2:9: duplicate shared variable 'n'"},
    {"duplicate lock", ".lock l\n.lock l\n", "t.gsa:2:7: duplicate lock 'l'"},
    {"lock with a value", ".lock l 3\n", "t.gsa:1:9: unexpected text after .lock"},
    {"shared in a function", ".func main 0\n.shared n\n", "t.gsa:2:1: .shared inside a function (declare it before .func)"},
    {"shared without a name", ".shared 3\n", "t.gsa:1:9: expected a shared variable name"},
    {"a lock's name for a variable", ".lock l\n.func main 0\n  gload l\n  ret\n.end\n",
     "t.gsa:3:9: undeclared shared variable 'l' (declare it with .shared before its use)"},
    {"native on an empty stack", ".func main 0\n  native\n  ret\n.end\n",
     "t.gsa:2: stack underflow: 'native' needs 1 value, the stack holds 0"},
};

static void test_bad_programs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        size_t len = strlen(c->source);
        if (strcmp(c->what, "NUL byte") == 0)
            len = 24;
        gs_program p;
        char err[GS_ERRMSG_MAX] = "";
        int rc = gs_load_source(c->source, len, "t.gsa", &p, err);
        if (rc == 0 || strcmp(err, c->message) != 0)
            print_error("case '%s':\n  expected: %s\n  got:      %s\n", c->what, c->message,
                        rc == 0 ? "(accepted)" : err);
        assert_int_equal(rc, -1);
        assert_string_equal(err, c->message);
    }
}

/* Writes n copies of line into a malloc'd program body. */
static char *repeat_program(const char *head, const char *line, size_t n, const char *tail)
{
    size_t len = strlen(head) + n * strlen(line) + strlen(tail) + 1;
    char *s = malloc(len), *o = s;
    assert_non_null(s);
    o += sprintf(o, "%s", head);
    for (size_t i = 0; i < n; i++)
        o += sprintf(o, "%s", line);
    sprintf(o, "%s", tail);
    return s;
}

static void test_program_too_long(void **state)
{
    (void)state;
    char *src = repeat_program(".func main 0\n", "  yield\n", GS_MAX_CODE + 1, "  push 0\n  ret\n.end\n");
    gs_program p;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_load_source(src, strlen(src), "t.gsa", &p, err), -1);
    char want[GS_ERRMSG_MAX];
    snprintf(want, sizeof want, "t.gsa:%u:3: program too long (at most %u code words)", GS_MAX_CODE + 2,
             GS_MAX_CODE);
    assert_string_equal(err, want);
    free(src);
}

static void test_stack_too_deep(void **state)
{
    (void)state;
    char *src = repeat_program(".func main 0\n", "  push 1\n", GS_MAX_FUNC_STACK + 1, "  ret\n.end\n");
    gs_program p;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_load_source(src, strlen(src), "t.gsa", &p, err), -1);
    char want[GS_ERRMSG_MAX];
    snprintf(want, sizeof want, "t.gsa:%u: stack too deep in function 'main' (at most %u values)",
             GS_MAX_FUNC_STACK + 2, GS_MAX_FUNC_STACK);
    assert_string_equal(err, want);
    free(src);
}

static void test_source_too_large(void **state)
{
    (void)state;
    size_t len = GS_MAX_SOURCE + 1;
    char *src = malloc(len);
    assert_non_null(src);
    memset(src, ' ', len);
    gs_program p;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_load_source(src, len, "t.gsa", &p, err), -1);
    assert_non_null(strstr(err, "program too large"));
    free(src);
}

/* ---- hand-built bytecode: what the assembler never emits ---------------- */

static int verify_words(const int32_t *words, uint32_t n, uint32_t nlocals, char err[GS_ERRMSG_MAX])
{
    int32_t code[32];
    int64_t consts[1] = {7};
    memcpy(code, words, n * sizeof *code);
    gs_func f = {.name = "main", .entry = 0, .end = n, .nlocals = nlocals};
    gs_program p = {.code = code, .ncode = n, .consts = consts, .nconsts = 1, .funcs = &f, .nfuncs = 1};
    snprintf(p.source, sizeof p.source, "raw");
    int rc = gs_verify(&p, err);
    free(p.fast);
    return rc;
}

static void test_verifier_raw_bytecode(void **state)
{
    (void)state;
    char err[GS_ERRMSG_MAX];
    const int32_t unknown[] = {99};
    assert_int_equal(verify_words(unknown, 1, 0, err), -1);
    assert_string_equal(err, "raw: pc 0: unknown opcode 99");

    const int32_t truncated[] = {GS_OP_PUSH};
    assert_int_equal(verify_words(truncated, 1, 0, err), -1);
    assert_string_equal(err, "raw: pc 0: 'push' is cut off by the end of function 'main'");

    const int32_t bad_const[] = {GS_OP_PUSH, 5, GS_OP_RET};
    assert_int_equal(verify_words(bad_const, 3, 0, err), -1);
    assert_string_equal(err, "raw: pc 0: constant index 5 out of range (1 constants)");

    const int32_t jump_out[] = {GS_OP_JMP, 40};
    assert_int_equal(verify_words(jump_out, 2, 0, err), -1);
    assert_string_equal(err, "raw: pc 0: jump target 40 outside function 'main'");

    const int32_t mid[] = {GS_OP_PUSH, 0, GS_OP_JMP, 1};
    assert_int_equal(verify_words(mid, 4, 0, err), -1);
    assert_string_equal(err, "raw: pc 2: jump into the middle of an instruction (target 1)");

    const int32_t bad_io[] = {GS_OP_PUSH, 0, GS_OP_IO, 9, GS_OP_RET};
    assert_int_equal(verify_words(bad_io, 5, 0, err), -1);
    assert_string_equal(err, "raw: pc 2: unknown I/O kind 9");

    const int32_t bad_call[] = {GS_OP_CALL, 3, GS_OP_RET};
    assert_int_equal(verify_words(bad_call, 3, 0, err), -1);
    assert_string_equal(err, "raw: pc 0: call to function 3 out of range (1 functions)");

    const int32_t bad_shared[] = {GS_OP_GLOAD, 0, GS_OP_RET};
    assert_int_equal(verify_words(bad_shared, 3, 0, err), -1);
    assert_string_equal(err, "raw: pc 0: shared variable 0 out of range (0 declared)");

    const int32_t bad_lock[] = {GS_OP_ACQUIRE, 2, GS_OP_PUSH, 0, GS_OP_RET};
    assert_int_equal(verify_words(bad_lock, 5, 0, err), -1);
    assert_string_equal(err, "raw: pc 0: user lock 2 out of range (0 declared)");

    const int32_t good[] = {GS_OP_PUSH, 0, GS_OP_RET};
    assert_int_equal(verify_words(good, 3, 0, err), 0);
}

/* ---- accepted syntax -------------------------------------------------------- */

static void test_syntax_features(void **state)
{
    (void)state;
    const char *src =
        "; header comment\n"
        ".const BIG 0x7fffffffffffffff\n"
        ".const SMALL -9223372036854775808\n"
        ".const ONE 1\n"
        "\n"
        ".func main 0 1   # two comment styles\n"
        "start: push BIG\n"
        "    push SMALL\n"
        "    add\n"
        "    inc 0, ONE\n"
        "    call helper\n"
        "    ret\n"
        ".end\n"
        ".func helper 1\n"
        "    load 0\n"
        "    ret\n"
        ".end\n";
    gs_program p;
    char err[GS_ERRMSG_MAX];
    assert_int_equal(gs_load_source(src, strlen(src), "t.gsa", &p, err), 0);
    assert_int_equal(p.nfuncs, 2);
    assert_int_equal(p.main, 0);
    assert_int_equal(p.nconsts, 2);
    assert_true(p.consts[0] == INT64_MAX);
    assert_true(p.consts[1] == INT64_MIN);
    assert_int_equal(p.lines[0], 7);
    assert_int_equal(p.funcs[0].max_stack, 2);
    gs_program_free(&p);
}

/* ---- round trip ------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 20) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void round_trip(const char *name, const char *src, size_t len)
{
    gs_program a, b;
    char err[GS_ERRMSG_MAX];
    if (gs_load_source(src, len, name, &a, err) != 0)
        fail_msg("%s", err);
    char *text = NULL;
    size_t tlen = 0;
    FILE *mem = open_memstream(&text, &tlen);
    assert_non_null(mem);
    assert_int_equal(gs_disassemble(&a, NULL, 0, mem), 0);
    fclose(mem);
    if (gs_load_source(text, tlen, "dis", &b, err) != 0)
        fail_msg("%s: disassembly does not assemble: %s\n%s", name, err, text);
    assert_true(gs_program_equal(&a, &b));
    /* each superinstruction (fuse.h) is named where it begins, and only there */
    unsigned fused = 0, named = 0;
    for (uint32_t pc = 0; pc < a.ncode; pc += gs_instruction_length(a.code[pc]))
        fused += gs_fused_at(&a, pc) != NULL;
    for (const char *t = text; (t = strstr(t, ": one dispatch")); t++)
        named++;
    assert_int_equal(named, fused);
    free(text);
    gs_program_free(&a);
    gs_program_free(&b);
}

static void test_round_trip_builtin(void **state)
{
    (void)state;
    const char *files[] = {"countdown.gsa", "fib.gsa", "primes.gsa"};
    /* shared variables, locks and native calls, as the race and the native
     * workloads use them */
    const char *shared = ".overflow error\n.default unit-size -7\n.default io-latency 10000000\n.shared counter -3\n"
                         ".shared other\n.lock guard\n.lock second\n.func main 0\n"
                         "  acquire guard\n  gload counter\n  push 1\n  add\n  gstore other\n  release guard\n"
                         "  push 100\n  native\n  ret\n.end\n";
    round_trip("shared", shared, strlen(shared));
    char path[512];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/workloads/programs/%s", GS_SOURCE_DIR, files[i]);
        size_t len;
        char *src = read_file(path, &len);
        round_trip(files[i], src, len);
        free(src);
    }
    /* the I/O template, with each kind */
    snprintf(path, sizeof path, "%s/workloads/programs/ioloop.gsa.in", GS_SOURCE_DIR);
    size_t len;
    char *tmpl = read_file(path, &len);
    for (int k = 0; k < GS_IO_KIND_COUNT; k++) {
        char *src = malloc(len + 64), *o = src;
        for (const char *p = tmpl; *p;) {
            if (strncmp(p, "@IO@", 4) == 0) {
                o += sprintf(o, "%s", gs_io_kind_names[k]);
                p += 4;
            } else {
                *o++ = *p++;
            }
        }
        *o = '\0';
        round_trip("ioloop", src, strlen(src));
        free(src);
    }
    free(tmpl);
}

/* ---- robustness: random input never crashes -------------------------------- */

static void test_random_input(void **state)
{
    (void)state;
    static const char alphabet[] = ".func main 0 1\nendpushjmpcallio:;#0x-9 \t\r\xff\x00" "abcdefLq";
    uint64_t x = 0x9e3779b97f4a7c15u;
    char buf[512];
    int accepted = 0;
    for (int i = 0; i < 20000; i++) {
        size_t len = 0;
        if (i % 2 == 0) {
            len = (size_t)snprintf(buf, sizeof buf, ".func main 0 1\n");
        }
        size_t n = (x >> 7) % 200;
        for (size_t j = 0; j < n; j++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[len++] = alphabet[x % (sizeof alphabet - 1)];
        }
        gs_program p;
        char err[GS_ERRMSG_MAX];
        if (gs_load_source(buf, len, "fuzz", &p, err) == 0) {
            accepted++;
            gs_program_free(&p);
        } else {
            assert_true(strncmp(err, "fuzz:", 5) == 0);
        }
    }
    (void)accepted;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_programs),
        cmocka_unit_test(test_program_too_long),
        cmocka_unit_test(test_stack_too_deep),
        cmocka_unit_test(test_source_too_large),
        cmocka_unit_test(test_verifier_raw_bytecode),
        cmocka_unit_test(test_syntax_features),
        cmocka_unit_test(test_round_trip_builtin),
        cmocka_unit_test(test_random_input),
    };
    return cmocka_run_group_tests(tests, gs_testdir_enter, gs_testdir_leave);
}
