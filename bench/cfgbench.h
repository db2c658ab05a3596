/* difbench --cfg (bench/cfgbench.c). */
#ifndef DIFBENCH_CFGBENCH_H
#define DIFBENCH_CFGBENCH_H

#include <time.h>

/* Builds, times and prints; returns difbench's exit status. */
int cfgbench_run(unsigned batches, int json, clockid_t clk);

#endif
