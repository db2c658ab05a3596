/*
 * Growth: the work of every lookup path, counted (hash probes through the
 * test-only counter of difvm/hash.c built with DIF_HASH_COUNTING), at two
 * input sizes 4x apart. Near-linear paths give a ratio near 4; a
 * quadratic one (a degenerate hash, a scan per element) gives 16. No
 * clocks: the result is the same on every machine.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/hash.h"
#include "difvm/object.h"
#include "report.h"

#define SMALL 1000
#define MAX_RATIO 6.0 /* 4 for linear work; 16 for quadratic */

struct gbuf {
	char *p;
	size_t n, cap;
};

static void gput(struct gbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void gput(struct gbuf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (b->p && (size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		b->cap = b->cap ? b->cap * 2 : 1 << 16;
		b->p = realloc(b->p, b->cap);
		cr_assert_not_null(b->p);
	}
}

/* Many DIFOs, each with a label, a variable and its uses. */
static char *many_difos(size_t n)
{
	struct gbuf b = { 0 };
	for (size_t i = 0; i < n; i++)
		gput(&b, ".difo d%zu\n.var g%zu global scalar type=int8\n"
		         "\tldgs g%zu, %%r1\n\tsetx %zu, %%r2\n\tba l%zu\nl%zu:\n"
		         "\tstgs %%r2, g%zu\n\tret %%r1\n", i, i, i, i, i, i, i);
	return b.p;
}

/* One DIFO with n variables, each declared and used. */
static char *many_vars(size_t n)
{
	struct gbuf b = { 0 };
	gput(&b, ".difo big\n");
	for (size_t i = 0; i < n; i++)
		gput(&b, ".var v%zu global scalar type=int8\n", i);
	for (size_t i = 0; i < n; i++)
		gput(&b, "\tldgs v%zu, %%r1\n\tstgs %%r1, v%zu\n", i, i);
	gput(&b, "\tret %%r0\n");
	return b.p;
}

static struct dif_module *asm_text(const char *s)
{
	DIF_OPTS(dif_asm_opts, ao);
	struct dif_module *mod = NULL;
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	int rc = dif_asm(s, strlen(s), &ao, &mod, errs);
	cr_assert_eq(rc, 0, "%s", errs->count ? errs->list[0].msg : "?");
	free(errs);
	return mod;
}

typedef void (*work_fn)(size_t n);

static uint64_t cost(work_fn f, size_t n)
{
	uint64_t before = dif_hash_probes();
	f(n);
	return dif_hash_probes() - before;
}

static void check(const char *what, work_fn f)
{
	uint64_t a = cost(f, SMALL), b = cost(f, 4 * SMALL);
	double r = a ? (double)b / (double)a : 0;
	cr_log_info("%s: %llu probes at %d, %llu at %d: ratio %.2f", what,
	            (unsigned long long)a, SMALL, (unsigned long long)b,
	            4 * SMALL, r);
	cr_assert_gt(a, (uint64_t)SMALL / 2, "%s: the counter saw no work", what);
	cr_assert_lt(r, MAX_RATIO, "%s: %llu -> %llu probes for 4x input (ratio "
	             "%.2f): not near-linear", what, (unsigned long long)a,
	             (unsigned long long)b, r);
}

static void w_asm_difos(size_t n)
{
	char *s = many_difos(n);
	dif_module_free(asm_text(s));
	free(s);
}

static void w_asm_vars(size_t n)
{
	char *s = many_vars(n);
	dif_module_free(asm_text(s));
	free(s);
}

static void w_validate(size_t n)
{
	char *s = many_difos(n);
	struct dif_module *mod = asm_text(s);
	uint64_t before = dif_hash_probes();
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	cr_assert_eq(dif_validate_module(mod, NULL, errs), 0);
	(void)before;
	free(errs);
	dif_module_free(mod);
	free(s);
}

static void w_object(size_t n)
{
	char *s = many_difos(n);
	struct dif_module *mod = asm_text(s);
	void *buf;
	size_t len;
	cr_assert_eq(dif_obj_write(mod, NULL, &buf, &len, NULL), 0);
	struct dif_module *back = NULL;
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	cr_assert_eq(dif_obj_read(buf, len, NULL, &back, errs), 0, "%s",
	             errs->count ? errs->list[0].msg : "?");
	cr_assert_eq(dif_module_count(back), n);
	for (size_t i = 0; i < n; i += 7) {
		char name[32];
		snprintf(name, sizeof(name), "d%zu", i);
		cr_assert_not_null(dif_module_find(back, name));
	}
	free(errs);
	free(buf);
	dif_module_free(back);
	dif_module_free(mod);
	free(s);
}

static void w_load(size_t n)
{
	char *s = many_vars(n);
	struct dif_module *mod = asm_text(s);
	DIF_OPTS(dif_vm_opts, vo, .static_size = 64u << 20);
	struct dif_vm *vm = NULL;
	cr_assert_eq(dif_vm_create(&vo, &vm, NULL), 0);
	struct dif_prog *prog = NULL;
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	cr_assert_eq(dif_prog_load(vm, dif_module_get(mod, 0), &prog, errs), 0,
	             "%s", errs->count ? errs->list[0].msg : "?");
	free(errs);
	dif_prog_free(prog);
	dif_vm_free(vm);
	dif_module_free(mod);
	free(s);
}

static void w_report(size_t n)
{
	struct rpt_file f;
	cr_assert_eq(rpt_file_init(&f, "x.s"), 0);
	char name[32];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "difo%zu", i);
		cr_assert_not_null(rpt_difo(&f, name));
	}
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	for (size_t i = 0; i < n; i += DIF_ERRORS_MAX) {
		dif_errors_clear(errs);
		for (size_t k = i; k < n && k < i + DIF_ERRORS_MAX; k++) {
			snprintf(name, sizeof(name), "difo%zu", k);
			dif_errors_add(errs, DIF_E_R0_WRITE, 0, name, "add", "x");
		}
		cr_assert_eq(rpt_add_errors(&f, "validate", RPT_ERROR, "difo0", errs), 0);
	}
	cr_assert_eq(f.count, n);
	free(errs);
	rpt_file_fini(&f);
}

Test(growth, counter_is_live)
{
	uint64_t a = dif_hash_probes();
	struct dif_hmap m = { 0 };
	cr_assert_eq(dif_hm_put(&m, "k", 1, 1), 0);
	cr_assert_not_null(dif_hm_get(&m, "k", 1));
	dif_hm_free(&m);
	cr_assert_geq(dif_hash_probes() - a, 2, "built without DIF_HASH_COUNTING");
}

Test(growth, assembler_many_difos) { check("dif_asm, many DIFOs", w_asm_difos); }
Test(growth, assembler_many_vars) { check("dif_asm, .var rows x uses", w_asm_vars); }
Test(growth, validate_module) { check("dif_validate_module", w_validate); }
Test(growth, object_round_trip) { check("dif_obj_write/read", w_object); }
Test(growth, prog_load_vars) { check("dif_prog_load, many variables", w_load); }
Test(growth, report_difos) { check("difcheck report", w_report); }
