/* pyc.h - a front end for a documented subset of Python (README.md,
 * "Program format"): .py source to gilsim assembly, which the assembler
 * and verifier turn into bytecode as for any .gsa file.  Like the rest of
 * interp/ it knows nothing of threads.
 *
 * The subset: def with positional arguments (recursion too), return,
 * 64-bit integers (the program says `.overflow error`: a result past 64
 * bits is a runtime error, where Python's would grow) and + - * // %
 * (Python's floor division and modulo), the bitwise << >> & | ^ ~ (a
 * negative shift count is an error, as Python's), unary - and +,
 * comparisons with chains, and/or/not, True/False, if/elif/else, while,
 * for NAME in range(...) with one to three arguments, break, continue,
 * pass, assignment and augmented assignment to names, module-level
 * integer variables (shared by the threads of a process: `global` in a
 * function that writes one), threading.Lock() objects at module level
 * with `with lock:` and lock.acquire()/lock.release(), time.sleep(x) (an
 * I/O of the sleep kind, lasting the run's --io-latency: x is evaluated and
 * dropped), and gilsim's module (python/gilsim.py):
 * gilsim.pipe(token), gilsim.file(token) (I/O of those kinds) and
 * gilsim.native(n) (work outside the interpreter lock), strings only as
 * statements that do nothing (docstrings, triple-quoted too).  Imports of
 * time, threading and gilsim are allowed and ignored; a block
 * `if __name__ == "__main__":` at module level is left for python3 alone.
 * The entry is main(first, count, size) or a main with fewer arguments,
 * returning an integer.  Lines end as Python's do ("\n", "\r\n" or a lone
 * "\r"), and a form feed in the indentation starts its count again.
 *
 * What the file asks of a run (assembly's `.default`, program.h): its unit
 * size is the third argument of a call main(A, B, C) with integer
 * arguments in the `__main__` block, and its I/O latency what its
 * time.sleep calls ask for when they all ask for one constant; the
 * command line's --unit-size and --io-latency win.
 *
 * Anything else is refused with "FILE:LINE:COL: message", the source line
 * and a caret under the column, naming what is not supported. */
#ifndef GS_PYC_H
#define GS_PYC_H

#include <stddef.h>

#include "asm.h"

/* The deepest an expression may nest (parentheses, call arguments, signs,
 * not): a bound on the parser's recursion, whatever the input. */
#define GS_PY_MAX_NESTING 100u

/* Compiles source[0..len) (named filename) to assembly text, malloc'd, in
 * *gsa.  Returns 0, or -1 with err. */
int gs_pyc_compile(const char *source, size_t len, const char *filename, char **gsa, char err[GS_ERRMSG_MAX]);

#endif
