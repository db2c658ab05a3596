/* difbench --cfg (bench/cfgbench.c). */
#ifndef DIFBENCH_CFGBENCH_H
#define DIFBENCH_CFGBENCH_H

/* Builds, times and prints; returns difbench's exit status. */
int cfgbench_run(unsigned batches, int json);

/* difbench.c's timing: nanoseconds on the clock --clock chose, and the
 * median of n values (sorts v). */
double now_ns(void);
double median(double *v, unsigned n);

#endif
