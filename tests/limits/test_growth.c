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

#include "difvm/cfg.h"
#include "difvm/difvm.h"
#include "difvm/dof.h"
#include "difvm/hash.h"
#include "difvm/link.h"
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

/* Work counted by the workload itself (probes of one phase only, or
 * another library's work counters). */
typedef uint64_t (*ops_fn)(size_t n);

static void check_counts(const char *what, uint64_t a, uint64_t b)
{
	double r = a ? (double)b / (double)a : 0;
	cr_log_info("%s: %llu ops at %d, %llu at %d: ratio %.2f", what,
	            (unsigned long long)a, SMALL, (unsigned long long)b,
	            4 * SMALL, r);
	cr_assert_gt(a, (uint64_t)SMALL / 2, "%s: the counter saw no work", what);
	cr_assert_lt(r, MAX_RATIO, "%s: %llu -> %llu probes for 4x input (ratio "
	             "%.2f): not near-linear", what, (unsigned long long)a,
	             (unsigned long long)b, r);
}

static void check(const char *what, work_fn f)
{
	uint64_t a = cost(f, SMALL);
	check_counts(what, a, cost(f, 4 * SMALL));
}

static void check_ops(const char *what, ops_fn f)
{
	uint64_t a = f(SMALL);
	check_counts(what, a, f(4 * SMALL));
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

/* ---------------------------------------------------------------------
 * The linker, the DOF reader and cfg construction: only the phase under
 * test is counted (assembling the inputs is covered above).
 */

static struct dif_module *asm_fmt(const char *fmt, size_t i)
{
	char buf[512];
	snprintf(buf, sizeof(buf), fmt, i, i % 50, i % 50, i, i, i);
	return asm_text(buf);
}

/* Links mods (freed), returns the probes of dif_link alone. */
static uint64_t link_probes(struct dif_module **mods, size_t k,
                            size_t want_difos)
{
	struct dif_link_input *in = calloc(k, sizeof(*in));
	cr_assert_not_null(in);
	for (size_t i = 0; i < k; i++)
		in[i].mod = mods[i];
	struct dif_module *out = NULL;
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	uint64_t before = dif_hash_probes();
	int rc = dif_link(in, k, NULL, &out, errs);
	uint64_t n = dif_hash_probes() - before;
	cr_assert_eq(rc, 0, "%s", errs->count ? errs->list[0].msg : "?");
	cr_assert_eq(dif_module_count(out), want_difos);
	dif_module_free(out);
	for (size_t i = 0; i < k; i++)
		dif_module_free(mods[i]);
	free(mods);
	free(in);
	free(errs);
	return n;
}

#define LINK_ONE ".difo d%zu\n.var g%zu global scalar type=int8\n"        \
                 "\tldgs g%zu, %%r1\n.var v%zu thread scalar type=int4\n"  \
                 "\tsetx %zu, %%r2\n\tstts %%r2, v%zu\n\tret %%r1\n"

static uint64_t l_many_inputs(size_t n)
{
	struct dif_module **m = calloc(n, sizeof(*m));
	for (size_t i = 0; i < n; i++)
		m[i] = asm_fmt(LINK_ONE, i);
	return link_probes(m, n, n);
}

/* Links two listings (both freed). */
static uint64_t link_two(char *first, char *second, size_t want_difos)
{
	struct dif_module **m = calloc(2, sizeof(*m));
	m[0] = asm_text(first);
	m[1] = asm_text(second);
	free(first);
	free(second);
	return link_probes(m, 2, want_difos);
}

static uint64_t l_many_difos(size_t n)
{
	struct gbuf b = { 0 };
	for (size_t i = 0; i < n; i++)
		gput(&b, LINK_ONE, i + n, (i + n) % 50, (i + n) % 50, i + n, i + n,
		     i + n);
	return link_two(many_difos(n), b.p, 2 * n);
}

static uint64_t l_many_vars(size_t n)
{
	/* the same n variables in two inputs: merged by name */
	struct gbuf b = { 0 };
	gput(&b, ".difo other\n");
	for (size_t i = n; i-- > 0;)
		gput(&b, ".var v%zu global scalar type=int8\n\tldgs v%zu, %%r1\n",
		     i, i);
	gput(&b, "\tret %%r1\n");
	return link_two(many_vars(n), b.p, 2);
}

Test(growth, link_many_inputs) { check_ops("dif_link, many inputs", l_many_inputs); }
Test(growth, link_many_difos) { check_ops("dif_link, many DIFOs", l_many_difos); }
Test(growth, link_many_vars) { check_ops("dif_link, many variables", l_many_vars); }

/* DOF: n DIFOs (5 sections and an ECB each), written, read back (the
 * section table, ECB naming, DIFO names) and described. */
static uint64_t d_dof(size_t n)
{
	char *s = many_difos(n);
	struct dif_module *mod = asm_text(s);
	free(s);
	void *w = NULL;
	size_t wl = 0;
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	uint64_t before = dif_hash_probes();
	cr_assert_eq(dif_dof_write(mod, NULL, &w, &wl, errs), 0, "%s",
	             errs->count ? errs->list[0].msg : "?");
	struct dif_dof *d = NULL;
	cr_assert_eq(dif_dof_read(w, wl, NULL, &d, errs), 0, "%s",
	             errs->count ? errs->list[0].msg : "?");
	cr_assert_eq(dif_module_count(dif_dof_module(d)), n);
	char *text = dif_dof_describe(d);
	cr_assert_not_null(text);
	uint64_t ops = dif_hash_probes() - before;
	free(text);
	dif_dof_free(d);
	free(w);
	free(errs);
	dif_module_free(mod);
	return ops;
}

Test(growth, dof_many_difos) { check_ops("DOF write/read/describe, many DIFOs", d_dof); }

/* cfg: the work counters of dif_cfg_build on one long DIFO (diamonds over
 * many variables), and of dif_cfg_rebuild over a module of n DIFOs. */
static uint64_t cfg_ops(const struct dif_cfg *cfg)
{
	struct dif_cfg_stats st;
	dif_cfg_get_stats(cfg, &st);
	return st.block_ops + st.dom_ops + st.du_ops;
}

static uint64_t c_one_difo(size_t n)
{
	struct gbuf b = { 0 };
	gput(&b, ".difo big\n");
	for (size_t i = 0; i < n; i++)
		gput(&b, ".var v%zu global scalar type=int8\n", i);
	for (size_t i = 0; i < n; i++)
		gput(&b, "\tldgs v%zu, %%r1\n\tcmp %%r1, %%r2\n\tbe l%zu\n"
		         "\tadd %%r1, %%r2, %%r2\n\tstgs %%r2, v%zu\nl%zu:\n", i, i,
		     (i * 7) % n, i);
	gput(&b, "\tret %%r2\n");
	struct dif_module *mod = asm_text(b.p);
	free(b.p);
	struct dif_cfg *cfg = NULL;
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	cr_assert_eq(dif_cfg_build(dif_module_get(mod, 0), NULL, &cfg, errs), 0,
	             "%s", errs->count ? errs->list[0].msg : "?");
	uint64_t ops = cfg_ops(cfg);
	dif_cfg_free(cfg);
	free(errs);
	dif_module_free(mod);
	return ops;
}

static uint64_t c_rebuild(size_t n)
{
	char *s = many_difos(n);
	struct dif_module *mod = asm_text(s);
	free(s);
	struct dif_cfg *cfg = NULL;
	cr_assert_eq(dif_cfg_build(dif_module_get(mod, 0), NULL, &cfg, NULL), 0);
	uint64_t ops = cfg_ops(cfg);
	for (size_t i = 1; i < n; i++) {
		cr_assert_eq(dif_cfg_rebuild(cfg, dif_module_get(mod, i), NULL,
		                             NULL), 0);
		ops += cfg_ops(cfg);
	}
	dif_cfg_free(cfg);
	dif_module_free(mod);
	return ops;
}

Test(growth, cfg_one_long_difo) { check_ops("dif_cfg_build, long DIFO", c_one_difo); }
Test(growth, cfg_rebuild_many_difos) { check_ops("dif_cfg_rebuild, many DIFOs", c_rebuild); }
