/* difbench: the inputs shared by the DIF programs and their native twins. */
#ifndef DIFBENCH_BENCH_H
#define DIFBENCH_BENCH_H

#include <stdint.h>

/* Fake kernel objects for the pointer chase (program "chase"). The DIF
 * side sees them as bytes in a registered host region at BENCH_KBASE; the
 * native side follows real pointers with the same layout. */
#define BENCH_KBASE 0xffff800000100000ull
#define BENCH_THREAD_PROC 16 /* thread -> proc */
#define BENCH_PROC_PARENT 24 /* proc -> parent proc */
#define BENCH_PROC_CRED 32   /* proc -> cred */
#define BENCH_CRED_UID 4     /* uint32 uid */

struct bench_event {
	uint64_t pid;
	uint64_t tid;
	uint64_t timestamp;
	const char *execname;
	const char *probefunc;
	const unsigned char *curthread; /* native view of the thread object */
	uint64_t args[8];
};

/* Native state that persists across firings (thread-locals, arrays). */
struct native_state;
struct native_state *native_state_new(void);
void native_state_free(struct native_state *st);

uint64_t native_pred(struct native_state *st, const struct bench_event *ev);
uint64_t native_tsdelta(struct native_state *st, const struct bench_event *ev);
uint64_t native_assoc(struct native_state *st, const struct bench_event *ev);
uint64_t native_chase(struct native_state *st, const struct bench_event *ev);
uint64_t native_strbuild(struct native_state *st, const struct bench_event *ev);
uint64_t native_alu500(struct native_state *st, const struct bench_event *ev);
uint64_t native_ret0(struct native_state *st, const struct bench_event *ev);

/* The string the native strbuild left in its buffer (for checking). */
const char *native_strbuild_result(const struct native_state *st);

/* `difbench --typecheck [REPS]`: verifier speed and growth (analysis.c). */
int bench_analysis(int argc, char **argv);

#endif
