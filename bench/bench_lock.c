#include "bench.h"
void bench_lock(bench_report *r) { (void)r; }
