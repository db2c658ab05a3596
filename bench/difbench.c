/*
 * difbench: time realistic DIF programs against the same work in plain C.
 *
 * Each program in bench/programs/ is assembled with dif_asm, loaded into
 * one VM and run in one context; its native twin lives in native.c. Per
 * program we report the median over several batches of: ns per dif_exec,
 * ns per executed instruction, native ns, their ratio, and the number of
 * allocator calls made while the timed loops ran (the binary is linked
 * with --wrap for the allocator entry points, see meson.build).
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "difvm/difvm.h"
#include "difvm/isa.h"

#include "bench.h"
#include "cfgbench.h"
#include "linkbench.h"

#ifndef DIFBENCH_PROGDIR
#define DIFBENCH_PROGDIR "bench/programs"
#endif
#ifndef DIFBENCH_DISPATCH
#define DIFBENCH_DISPATCH "unknown"
#endif

/* ------------------------------------------------------------------
 * Allocation counting. The linker routes every call to these functions
 * made by difbench and by the static libdifvm to the __wrap_ versions.
 */
static unsigned long long alloc_calls;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
int __real_posix_memalign(void **p, size_t a, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);
int __wrap_posix_memalign(void **p, size_t a, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n)
{
	alloc_calls++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	alloc_calls++;
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	alloc_calls++;
	return __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t a, size_t n)
{
	alloc_calls++;
	return __real_aligned_alloc(a, n);
}

int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
	alloc_calls++;
	return __real_posix_memalign(p, a, n);
}

char *__wrap_strdup(const char *s)
{
	alloc_calls++;
	return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	alloc_calls++;
	return __real_strndup(s, n);
}

/* ------------------------------------------------------------------
 * The programs.
 */
typedef uint64_t (*native_fn)(struct native_state *, const struct bench_event *);

enum check_kind {
	CHECK_VALUE,  /* rval equals the native result */
	CHECK_STRING, /* rval points at the string the native side built */
};

struct bench_def {
	const char *name; /* also bench/programs/<name>.s and the DIFO name */
	const char *what;
	native_fn native;
	enum check_kind check;
};

static const struct bench_def benches[] = {
	{"ret0", "ret %r0: fixed cost of one dif_exec", native_ret0, CHECK_VALUE},
	{"pred", "predicate pid == 1234 && execname == \"sshd\"", native_pred,
	 CHECK_VALUE},
	{"tsdelta", "thread-local delta: self->ts vs timestamp", native_tsdelta,
	 CHECK_VALUE},
	{"assoc", "counts[execname]++ (string-keyed associative array)",
	 native_assoc, CHECK_VALUE},
	{"chase", "curthread->proc->parent->cred->uid via host memory",
	 native_chase, CHECK_VALUE},
	{"strbuild", "strjoin(strjoin(execname, \":\"), substr(probefunc, 0, 3))",
	 native_strbuild, CHECK_STRING},
	{"alu500", "500-instruction straight-line ALU program", native_alu500,
	 CHECK_VALUE},
};
#define NBENCH (sizeof(benches) / sizeof(benches[0]))

struct result {
	const struct bench_def *def;
	int ran;
	int ok;
	char problem[256];
	uint32_t textlen;
	uint32_t executed;     /* instructions executed per run */
	double ns_exec;        /* median */
	double ns_exec_best;
	double ns_native;      /* median */
	unsigned long long allocs; /* allocator calls in the timed DIF loops */
	unsigned long long native_allocs;
	unsigned long long runs;
};

struct options {
	unsigned long long iterations;
	unsigned batches;
	const char *only;
	const char *progdir;
	int json;
};

static void problem(struct result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
	va_end(ap);
	r->ok = 0;
}

/* ------------------------------------------------------------------
 * Host memory for "chase": a thread, two procs and a cred laid out in one
 * byte array. The DIF side sees the array at BENCH_KBASE; the native side
 * sees a copy whose pointers are real addresses.
 */
#define KMEM_SIZE 256
#define K_THREAD 0
#define K_PROC 64
#define K_PARENT 128
#define K_CRED 192
#define BENCH_UID 1001u

static void put64(unsigned char *m, size_t off, uint64_t v)
{
	memcpy(m + off, &v, sizeof(v));
}

static void kmem_build(unsigned char *dif, unsigned char *native)
{
	memset(dif, 0, KMEM_SIZE);
	memset(native, 0, KMEM_SIZE);
	const size_t links[][2] = {
		{K_THREAD + BENCH_THREAD_PROC, K_PROC},
		{K_PROC + BENCH_PROC_PARENT, K_PARENT},
		{K_PARENT + BENCH_PROC_CRED, K_CRED},
	};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		put64(dif, links[i][0], BENCH_KBASE + links[i][1]);
		put64(native, links[i][0], (uint64_t)(uintptr_t)(native + links[i][1]));
	}
	/* the child proc's own cred has another uid: a wrong hop shows */
	put64(dif, K_PROC + BENCH_PROC_CRED, BENCH_KBASE + K_CRED + 32);
	put64(native, K_PROC + BENCH_PROC_CRED,
	      (uint64_t)(uintptr_t)(native + K_CRED + 32));
	uint32_t uid = BENCH_UID, other = 7;
	memcpy(dif + K_CRED + BENCH_CRED_UID, &uid, 4);
	memcpy(native + K_CRED + BENCH_CRED_UID, &uid, 4);
	memcpy(dif + K_CRED + 32 + BENCH_CRED_UID, &other, 4);
	memcpy(native + K_CRED + 32 + BENCH_CRED_UID, &other, 4);
}

/* ------------------------------------------------------------------
 * Loading.
 */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0, r;
	char *b = malloc(cap);
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	*len = n;
	return b;
}

static void errs_to_problem(struct result *r, const char *what,
                            const struct dif_errors *errs, int rc)
{
	if (errs->count == 0) {
		problem(r, "%s: %s", what, dif_err_text(rc));
		return;
	}
	const struct dif_error *e = &errs->list[0];
	if (e->line)
		problem(r, "%s:%u:%u: %s", what, e->line, e->col, e->msg);
	else if (e->pc != DIF_NO_PC)
		problem(r, "%s: pc %u: %s", what, e->pc, e->msg);
	else
		problem(r, "%s: %s", what, e->msg);
}

/* Assembles bench/programs/<name>.s and returns its DIFO named <name> (or
 * its only DIFO). The module is returned for freeing. */
static const struct dif_difo *load_difo(const struct options *o,
                                        struct result *r,
                                        struct dif_module **modp)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.s", o->progdir, r->def->name);
	size_t len = 0;
	char *text = slurp(path, &len);
	if (!text) {
		problem(r, "%s: %s", path, strerror(errno));
		return NULL;
	}
	static struct dif_errors errs;
	dif_errors_clear(&errs);
	DIF_OPTS(dif_asm_opts, ao, .filename = path);
	int rc = dif_asm(text, len, &ao, modp, &errs);
	free(text);
	if (rc != 0) {
		errs_to_problem(r, path, &errs, rc);
		return NULL;
	}
	const struct dif_difo *d = dif_module_find(*modp, r->def->name);
	if (!d && dif_module_count(*modp) == 1)
		d = dif_module_get(*modp, 0);
	if (!d)
		problem(r, "%s: no DIFO named %s", path, r->def->name);
	return d;
}

/*
 * Instructions executed per run. DIF branches only go forward, and every
 * benchmark program is written so that, for the benchmark's inputs, each
 * conditional branch falls through (the result check confirms the path),
 * so the count is the walk from 0 that follows `ba` and stops at `ret`.
 */
static uint32_t executed_count(const struct dif_difo *d)
{
	struct dif_difo_parts p;
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	dif_difo_get_parts(d, &p);
	uint32_t n = 0, pc = 0;
	while (pc < p.textlen && n <= p.textlen) {
		uint32_t w = p.text[pc];
		n++;
		if (DIF_I_OP(w) == DIF_OPC_RET)
			break;
		pc = DIF_I_OP(w) == DIF_OPC_BA ? DIF_I_LABEL(w) : pc + 1;
	}
	return n;
}

/* ------------------------------------------------------------------
 * Timing.
 */
/* CLOCK_MONOTONIC by default; --clock thread uses the thread's CPU time,
 * which leaves out the time other processes hold the CPU. */
static clockid_t bench_clock = CLOCK_MONOTONIC;

double now_ns(void)
{
	struct timespec ts;
	clock_gettime(bench_clock, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static volatile uint64_t sink;

/* One batch of DIF runs; returns ns per run, or a negative value if a run
 * faulted. */
static double dif_batch(const struct dif_prog *prog, struct dif_ctx *ctx,
                        unsigned long long n)
{
	uint64_t acc = 0, rv = 0;
	int bad = 0;
	double t0 = now_ns();
	for (unsigned long long i = 0; i < n; i++) {
		bad |= dif_exec(prog, ctx, &rv);
		acc += rv;
	}
	double t1 = now_ns();
	sink += acc;
	return bad ? -1.0 : (t1 - t0) / (double)n;
}

static double native_batch(native_fn volatile fn, struct native_state *st,
                           const struct bench_event *ev, unsigned long long n)
{
	uint64_t acc = 0;
	native_fn f = fn;
	double t0 = now_ns();
	for (unsigned long long i = 0; i < n; i++)
		acc += f(st, ev);
	double t1 = now_ns();
	sink += acc;
	return (t1 - t0) / (double)n;
}

/* ------------------------------------------------------------------
 * One benchmark.
 */
struct env {
	struct dif_vm *vm;
	struct dif_ctx *ctx;
	struct bench_event ev;
};

static int read_string(struct dif_ctx *ctx, uint64_t addr, char *buf,
                       size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (dif_ctx_read(ctx, addr + i, buf + i, 1) != 0)
			return -1;
		if (buf[i] == '\0')
			return 0;
	}
	buf[len - 1] = '\0';
	return 0;
}

static void run_one(const struct options *o, struct env *env, struct result *r)
{
	struct dif_module *mod = NULL;
	struct dif_prog *prog = NULL;
	struct native_state *st = native_state_new();
	r->ok = 1;
	r->ran = 1;
	if (!st) {
		problem(r, "out of memory");
		goto out;
	}
	const struct dif_difo *d = load_difo(o, r, &mod);
	if (!d)
		goto out;
	struct dif_difo_parts parts;
	memset(&parts, 0, sizeof(parts));
	parts.size = sizeof(parts);
	dif_difo_get_parts(d, &parts);
	r->textlen = parts.textlen;
	r->executed = executed_count(d);

	static struct dif_errors errs;
	dif_errors_clear(&errs);
	int rc = dif_prog_load(env->vm, d, &prog, &errs);
	if (rc != 0) {
		errs_to_problem(r, "load", &errs, rc);
		goto out;
	}

	/* First run on fresh state: both sides must agree. */
	uint64_t rv = 0, want = r->def->native(st, &env->ev);
	if (dif_exec(prog, env->ctx, &rv) != 0) {
		const struct dif_fault *f = dif_ctx_fault(env->ctx);
		problem(r, "fault %s at pc %u (addr 0x%llx%s%s)",
		        dif_fault_name(f->code), f->pc, (unsigned long long)f->addr,
		        f->reason ? ", " : "", f->reason ? f->reason : "");
		goto out;
	}
	if (r->def->check == CHECK_STRING) {
		char got[DIF_STRSIZE_DEFAULT + 1];
		const char *exp = native_strbuild_result(st);
		if (rv == 0 || read_string(env->ctx, rv, got, sizeof(got)) != 0)
			problem(r, "returned 0x%llx, not a readable string",
			        (unsigned long long)rv);
		else if (strcmp(got, exp) != 0)
			problem(r, "returned \"%s\", native built \"%s\"", got, exp);
	} else if (rv != want) {
		problem(r, "returned %llu, native computed %llu",
		        (unsigned long long)rv, (unsigned long long)want);
	}
	if (!r->ok)
		goto out;

	double *dif_t = calloc(o->batches, sizeof(double));
	double *nat_t = calloc(o->batches, sizeof(double));
	if (!dif_t || !nat_t) {
		free(dif_t);
		free(nat_t);
		problem(r, "out of memory");
		goto out;
	}
	/* warm-up: caches, branch predictors, dynamic variable chunks */
	unsigned long long warm = o->iterations / 4 + 1;
	if (dif_batch(prog, env->ctx, warm) < 0)
		problem(r, "a warm-up run faulted");
	native_batch(r->def->native, st, &env->ev, warm);

	for (unsigned b = 0; b < o->batches && r->ok; b++) {
		unsigned long long a0 = alloc_calls;
		dif_t[b] = dif_batch(prog, env->ctx, o->iterations);
		r->allocs += alloc_calls - a0;
		if (dif_t[b] < 0) {
			problem(r, "a timed run faulted");
			break;
		}
		a0 = alloc_calls;
		nat_t[b] = native_batch(r->def->native, st, &env->ev, o->iterations);
		r->native_allocs += alloc_calls - a0;
		r->runs += o->iterations;
	}
	if (r->ok) {
		r->ns_native = median(nat_t, o->batches);
		r->ns_exec = median(dif_t, o->batches);
		r->ns_exec_best = dif_t[0]; /* sorted by median() */
		if (r->allocs != 0)
			problem(r, "%llu allocator calls during %llu runs", r->allocs,
			        r->runs);
	}
	free(dif_t);
	free(nat_t);
out:
	dif_prog_free(prog);
	dif_module_free(mod);
	native_state_free(st);
}

/* ------------------------------------------------------------------
 * Output.
 */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static double fixed_cost(const struct result *res)
{
	for (size_t i = 0; i < NBENCH; i++)
		if (res[i].ran && res[i].ok && strcmp(res[i].def->name, "ret0") == 0)
			return res[i].ns_exec;
	return -1;
}

static void print_table(const struct options *o, const struct result *res)
{
	double fixed = fixed_cost(res);
	printf("difbench: %llu runs per batch, %u batches, dispatch %s, clock %s\n",
	       o->iterations, o->batches, DIFBENCH_DISPATCH,
	       bench_clock == CLOCK_MONOTONIC ? "monotonic" : "thread");
	printf("median over the batches; 'best' is the fastest batch\n\n");
	printf("%-9s %6s %9s %9s %8s %8s %10s %7s %7s\n", "program", "insns",
	       "ns/exec", "best", "ns/insn", "net/insn", "native ns", "ratio",
	       "allocs");
	for (size_t i = 0; i < NBENCH; i++) {
		const struct result *r = &res[i];
		if (!r->ran)
			continue;
		if (!r->ok) {
			printf("%-9s FAILED: %s\n", r->def->name, r->problem);
			continue;
		}
		double net = fixed >= 0 && r->executed > 1
		                 ? (r->ns_exec - fixed) / (r->executed - 1)
		                 : r->ns_exec / r->executed;
		printf("%-9s %6u %9.2f %9.2f %8.3f %8.3f %10.2f %7.1f %7.3g\n",
		       r->def->name, r->executed, r->ns_exec, r->ns_exec_best,
		       r->ns_exec / r->executed, net, r->ns_native,
		       r->ns_native > 0 ? r->ns_exec / r->ns_native : 0.0,
		       r->runs ? (double)r->allocs / (double)r->runs : 0.0);
	}
	printf("\n");
	if (fixed >= 0)
		printf("fixed cost per dif_exec (ret %%r0): %.2f ns (target <= 15)\n",
		       fixed);
	for (size_t i = 0; i < NBENCH; i++)
		if (res[i].ran && res[i].ok && strcmp(res[i].def->name, "alu500") == 0)
			printf("straight-line ALU: %.3f ns/insn, best batch %.3f "
			       "(target <= 1)\n",
			       res[i].ns_exec / res[i].executed,
			       res[i].ns_exec_best / res[i].executed);
	unsigned long long allocs = 0;
	for (size_t i = 0; i < NBENCH; i++)
		allocs += res[i].allocs;
	printf("allocator calls during timed DIF runs: %llu (target 0)\n", allocs);
	printf("net/insn = (ns/exec - fixed cost) / (insns - 1)\n");
}

static void print_json(const struct options *o, const struct result *res)
{
	double fixed = fixed_cost(res);
	printf("{\"tool\": \"difbench\", \"version\": \"%s\", \"dispatch\": ",
	       DIFVM_VERSION);
	json_str(stdout, DIFBENCH_DISPATCH);
	printf(", \"clock\": \"%s\", \"compiler\": ",
	       bench_clock == CLOCK_MONOTONIC ? "monotonic" : "thread");
	json_str(stdout, __VERSION__);
	printf(", \"iterations\": %llu, \"batches\": %u, \"statistic\": \"median\",\n",
	       o->iterations, o->batches);
	if (fixed >= 0)
		printf(" \"fixed_cost_ns\": %.3f,\n", fixed);
	else
		printf(" \"fixed_cost_ns\": null,\n");
	printf(" \"targets\": {\"ns_per_insn_alu\": 1, \"fixed_cost_ns\": 15, "
	       "\"allocs_per_exec\": 0},\n");
	printf(" \"programs\": [");
	int first = 1;
	for (size_t i = 0; i < NBENCH; i++) {
		const struct result *r = &res[i];
		if (!r->ran)
			continue;
		printf("%s\n  {\"name\": ", first ? "" : ",");
		first = 0;
		json_str(stdout, r->def->name);
		printf(", \"what\": ");
		json_str(stdout, r->def->what);
		printf(", \"ok\": %s", r->ok ? "true" : "false");
		if (!r->ok) {
			printf(", \"error\": ");
			json_str(stdout, r->problem);
			printf("}");
			continue;
		}
		printf(", \"text_insns\": %u, \"executed_insns\": %u", r->textlen,
		       r->executed);
		printf(", \"ns_per_exec\": %.3f, \"ns_per_exec_best\": %.3f",
		       r->ns_exec, r->ns_exec_best);
		printf(", \"ns_per_insn\": %.4f, \"ns_per_insn_best\": %.4f",
		       r->ns_exec / r->executed, r->ns_exec_best / r->executed);
		printf(", \"native_ns\": %.3f, \"ratio\": %.3f", r->ns_native,
		       r->ns_native > 0 ? r->ns_exec / r->ns_native : 0.0);
		printf(", \"runs\": %llu, \"allocs\": %llu, \"allocs_per_exec\": %g"
		       ", \"native_allocs\": %llu}",
		       r->runs, r->allocs,
		       r->runs ? (double)r->allocs / (double)r->runs : 0.0,
		       r->native_allocs);
	}
	printf("\n ]}\n");
}

/* ------------------------------------------------------------------
 * Setup and main.
 */
static const char usage_text[] =
	"Usage: difbench [OPTIONS]\n"
	"Time the bundled DIF programs against the same work in plain C.\n"
	"\n"
	"  -n, --iterations N   runs per timed batch (default 20000)\n"
	"  -b, --batches N      timed batches (default 51); the median and the\n"
	"                       fastest batch are reported. Many short batches\n"
	"                       make 'best' robust on a busy machine.\n"
	"  -p, --program NAME   run only NAME (repeat as NAME,NAME); ret0 is\n"
	"                       always run too, it gives the fixed cost\n"
	"      --progdir DIR    where the .s programs are (default: the source\n"
	"                       tree's bench/programs)\n"
	"      --clock C        monotonic (default): wall time; thread: this\n"
	"                       thread's CPU time, steadier on a busy machine\n"
	"      --json           print one JSON document instead of a table\n"
	"      --cfg            instead: time building the control-flow and\n"
	"                       def-use graphs of large generated DIFOs\n"
	"                       (instructions/s, next to dif_validate)\n"
	"      --link-btf FILE  instead: time linking 1000 type relocations\n"
	"                       against BTF FILE (load included), --batches runs\n"
	"  -l, --list           list the programs and exit\n"
	"  -h, --help           this text\n"
	"      --version        print the version\n"
	"\n"
	"difbench --typecheck [REPS] times the static verifier instead (see\n"
	"docs/verifier.md): instructions per second of dif_typecheck against\n"
	"dif_validate_module on large modules, and its growth.\n"
	"\n"
	"Programs: ret0 pred tsdelta assoc chase strbuild alu500.\n"
	"Exit status: 0 when every selected program ran, returned what its\n"
	"native twin computes and made no allocator call while timed; 1 when\n"
	"one did not; 2 on usage errors.\n";

static int selected(const struct options *o, const char *name)
{
	if (!o->only || strcmp(name, "ret0") == 0)
		return 1;
	size_t n = strlen(name);
	for (const char *p = o->only; *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

static int parse_count(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v == 0 || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

static int env_create(struct env *env, const unsigned char *kmem,
                      const unsigned char *kmem_native)
{
	memset(env, 0, sizeof(*env));
	struct dif_region region = {
		.addr = BENCH_KBASE,
		.size = KMEM_SIZE,
		.bytes = kmem,
		.as = DIF_AS_KERNEL,
		.flags = DIF_REGION_CANLOAD,
	};
	DIF_OPTS(dif_vm_opts, vo, .regions = &region, .nregions = 1);
	static struct dif_errors errs;
	dif_errors_clear(&errs);
	int rc = dif_vm_create(&vo, &env->vm, &errs);
	if (rc != 0) {
		fprintf(stderr, "difbench: dif_vm_create: %s\n",
		        errs.count ? errs.list[0].msg : dif_err_text(rc));
		return -1;
	}
	if (dif_ctx_create(env->vm, &env->ctx) != 0) {
		fprintf(stderr, "difbench: dif_ctx_create failed\n");
		return -1;
	}
	struct bench_event *ev = &env->ev;
	ev->pid = 1234;
	ev->tid = 101;
	ev->timestamp = 5000000000ull;
	ev->execname = "sshd";
	ev->probefunc = "read";
	ev->curthread = kmem_native + K_THREAD;
	static const uint64_t args[8] = {
		0x0123456789abcdefull, 0xfedcba9876543210ull, 17, 3,
		0x8000000000000000ull, 0x5555aaaa5555aaaaull, 12345678901ull, 0,
	};
	memcpy(ev->args, args, sizeof(args));

	rc = dif_ctx_set_var(env->ctx, DIF_VARID_PID, ev->pid);
	rc |= dif_ctx_set_var(env->ctx, DIF_VARID_TID, ev->tid);
	rc |= dif_ctx_set_var(env->ctx, DIF_VARID_TIMESTAMP, ev->timestamp);
	rc |= dif_ctx_set_var(env->ctx, DIF_VARID_CURTHREAD, BENCH_KBASE + K_THREAD);
	rc |= dif_ctx_set_string(env->ctx, DIF_VARID_EXECNAME, ev->execname);
	rc |= dif_ctx_set_string(env->ctx, DIF_VARID_PROBEFUNC, ev->probefunc);
	for (unsigned i = 0; i < 8; i++)
		rc |= dif_ctx_set_arg(env->ctx, i, ev->args[i]);
	if (rc != 0) {
		fprintf(stderr, "difbench: setting the context's inputs failed\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--typecheck") == 0)
		return bench_analysis(argc - 1, argv + 1);
	struct options o = {
		.iterations = 20000,
		.batches = 51,
		.progdir = DIFBENCH_PROGDIR,
	};
	enum { OPT_JSON = 256, OPT_PROGDIR, OPT_VERSION, OPT_CLOCK, OPT_CFG, OPT_LINKBTF };
	int cfg_mode = 0;
	const char *link_btf = NULL;
	static const struct option longopts[] = {
		{"iterations", required_argument, NULL, 'n'},
		{"batches", required_argument, NULL, 'b'},
		{"program", required_argument, NULL, 'p'},
		{"progdir", required_argument, NULL, OPT_PROGDIR},
		{"cfg", no_argument, NULL, OPT_CFG},
		{"json", no_argument, NULL, OPT_JSON},
		{"clock", required_argument, NULL, OPT_CLOCK},
		{"link-btf", required_argument, NULL, OPT_LINKBTF},
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int c;
	unsigned long long v;
	while ((c = getopt_long(argc, argv, "n:b:p:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_count(optarg, &v) != 0) {
				fprintf(stderr, "difbench: bad --iterations '%s'\n", optarg);
				return 2;
			}
			o.iterations = v;
			break;
		case 'b':
			if (parse_count(optarg, &v) != 0 || v > 1000) {
				fprintf(stderr, "difbench: bad --batches '%s' (1..1000)\n",
				        optarg);
				return 2;
			}
			o.batches = (unsigned)v;
			cfg_mode |= 2; /* batches given */
			break;
		case 'p':
			o.only = optarg;
			break;
		case OPT_PROGDIR:
			o.progdir = optarg;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_CFG:
			cfg_mode |= 1;
			break;
		case OPT_LINKBTF:
			link_btf = optarg;
			break;
		case OPT_CLOCK:
			if (strcmp(optarg, "monotonic") == 0) {
				bench_clock = CLOCK_MONOTONIC;
			} else if (strcmp(optarg, "thread") == 0) {
				bench_clock = CLOCK_THREAD_CPUTIME_ID;
			} else {
				fprintf(stderr, "difbench: --clock is monotonic or thread\n");
				return 2;
			}
			break;
		case 'l':
			for (size_t i = 0; i < NBENCH; i++)
				printf("%-9s %s\n", benches[i].name, benches[i].what);
			return 0;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case OPT_VERSION:
			printf("difbench %s\n", DIFVM_VERSION);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "difbench: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (cfg_mode & 1)
		return cfgbench_run(cfg_mode & 2 ? o.batches : 11, o.json);
	if (link_btf)
		return linkbench(link_btf, 1000, o.batches, o.json);
	if (o.only) {
		for (const char *p = o.only; *p;) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			int found = 0;
			for (size_t i = 0; i < NBENCH; i++)
				if (strlen(benches[i].name) == len &&
				    strncmp(benches[i].name, p, len) == 0)
					found = 1;
			if (!found) {
				fprintf(stderr, "difbench: no program '%.*s' (see --list)\n",
				        (int)len, p);
				return 2;
			}
			if (!e)
				break;
			p = e + 1;
		}
	}

	static unsigned char kmem[KMEM_SIZE], kmem_native[KMEM_SIZE];
	kmem_build(kmem, kmem_native);
	struct env env;
	if (env_create(&env, kmem, kmem_native) != 0) {
		dif_ctx_free(env.ctx);
		dif_vm_free(env.vm);
		return 1;
	}

	struct result res[NBENCH];
	memset(res, 0, sizeof(res));
	int status = 0;
	for (size_t i = 0; i < NBENCH; i++) {
		res[i].def = &benches[i];
		if (!selected(&o, benches[i].name))
			continue;
		run_one(&o, &env, &res[i]);
		if (!res[i].ok)
			status = 1;
	}
	if (o.json)
		print_json(&o, res);
	else
		print_table(&o, res);
	dif_ctx_free(env.ctx);
	dif_vm_free(env.vm);
	return status;
}
