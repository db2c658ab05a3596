/*
 * Misuse of the public API (the contracts in difvm.h, vm.h, object.h):
 * NULL arguments and out-pointers, objects freed in the "wrong" order,
 * host callbacks returning garbage, absurd sizes and a context used by two
 * callers at once. Every case must give a clean error, never a crash; the
 * suite runs under ASan+UBSan in `./dev test`.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/object.h"

static struct dif_module *assemble(const char *src)
{
	DIF_OPTS(dif_asm_opts, ao);
	struct dif_module *mod = NULL;
	struct dif_errors errs = { 0 };
	int rc = dif_asm(src, strlen(src), &ao, &mod, &errs);
	cr_assert_eq(rc, 0, "asm: %s", errs.count ? errs.list[0].msg : "?");
	return mod;
}

static struct dif_prog *load(struct dif_vm *vm, const char *src)
{
	struct dif_module *mod = assemble(src);
	struct dif_prog *prog = NULL;
	struct dif_errors errs = { 0 };
	int rc = dif_prog_load(vm, dif_module_get(mod, 0), &prog, &errs);
	cr_assert_eq(rc, 0, "load: %s", errs.count ? errs.list[0].msg : "?");
	dif_module_free(mod);
	return prog;
}

Test(misuse, null_out_pointers)
{
	struct dif_errors errs = { 0 };
	cr_assert_eq(dif_vm_create(NULL, NULL, &errs), DIF_E_INVAL);
	cr_assert_eq(dif_vm_create(NULL, NULL, NULL), DIF_E_INVAL);
	struct dif_vm *vm = NULL;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	struct dif_module *mod = assemble("ret %r0\n");
	cr_assert_eq(dif_prog_load(vm, dif_module_get(mod, 0), NULL, &errs),
	             DIF_E_INVAL);
	cr_assert_eq(dif_ctx_create(vm, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_asm("ret %r0\n", 8, NULL, NULL, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_difo_create(NULL, NULL, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_profile_parse("freebsd", NULL), DIF_E_INVAL);
	dif_difo_get_parts(dif_module_get(mod, 0), NULL);
	dif_vm_get_stats(vm, NULL);
	cr_assert_eq(dif_obj_read("x", 1, NULL, NULL, NULL) != 0, 1);
	cr_assert_eq(dif_obj_write(mod, NULL, NULL, NULL, NULL) != 0, 1);
	cr_assert_eq(dif_obj_profile("x", 1, NULL) != 0, 1);
	dif_module_free(mod);
	dif_vm_free(vm);
}

Test(misuse, null_handles)
{
	struct dif_errors errs = { 0 };
	struct dif_prog *prog = (struct dif_prog *)&errs; /* must be reset */
	cr_assert_eq(dif_prog_load(NULL, NULL, &prog, &errs), DIF_E_INVAL);
	cr_assert_null(prog);
	struct dif_ctx *ctx = (struct dif_ctx *)&errs;
	cr_assert_eq(dif_ctx_create(NULL, &ctx), DIF_E_INVAL);
	cr_assert_null(ctx);
	cr_assert_null(dif_ctx_fault(NULL));
	struct dif_vm_stats st = { 7, 7 };
	dif_vm_get_stats(NULL, &st);
	cr_assert_eq(st.dynvar_drops, 0);
	cr_assert_eq(st.dynvar_used, 0);
	uint64_t rv = 5;
	cr_assert_eq(dif_exec(NULL, NULL, &rv), DIF_E_INVAL);
	cr_assert_eq(rv, 0);
	cr_assert_eq(dif_exec(NULL, NULL, NULL), DIF_E_INVAL);
	char b[4];
	cr_assert_neq(dif_ctx_read(NULL, 0, b, 1), 0);
	cr_assert_eq(dif_ctx_set_arg(NULL, 0, 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_var(NULL, 0x118, 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_string(NULL, 0x118, "x"), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_thread(NULL, 1), DIF_E_INVAL);
	cr_assert_null(dif_ctx_user(NULL));
	dif_ctx_set_user(NULL, NULL);
	dif_vm_free(NULL);
	dif_prog_free(NULL);
	dif_ctx_free(NULL);
	dif_difo_free(NULL);
	dif_module_free(NULL);
	dif_vstate_free(NULL);
	dif_errors_clear(NULL);
	dif_errors_add(NULL, DIF_E_INVAL, DIF_NO_PC, NULL, NULL, "x");
	dif_errors_add(&errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL, NULL);
	cr_assert_str_eq(errs.list[errs.count - 1].msg, "invalid argument");
	cr_assert_null(dif_dis(NULL, NULL));
	cr_assert_eq(dif_validate(NULL, NULL, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_validate_module(NULL, NULL, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_module_count(NULL), 0);
	cr_assert_null(dif_module_get(NULL, 0));
	cr_assert_null(dif_module_find(NULL, "x"));
	cr_assert_eq(dif_module_add(NULL, NULL), DIF_E_INVAL);
	cr_assert_null(dif_difo_name(NULL));
	struct dif_difo_parts parts;
	dif_difo_get_parts(NULL, &parts);
	cr_assert_eq(parts.textlen, 0);
	cr_assert_eq(dif_insn_text(0, DIF_PROFILE_FREEBSD, NULL, 0) > 0, 1);
	cr_assert_eq(dif_profile_parse(NULL, &(enum dif_profile){ 0 }),
	             DIF_E_INVAL);
	cr_assert_eq(dif_asm(NULL, 5, NULL, &(struct dif_module *){ 0 }, NULL),
	             DIF_E_INVAL);
	dif_difo_set_ptr(NULL, 1);
	dif_difo_set_varid(NULL, DIF_VARID_HEX);
	cr_assert_eq(dif_difo_ptr(NULL), 0);
}

Test(misuse, region_and_table_nulls)
{
	struct dif_vm *vm = NULL;
	DIF_OPTS(dif_vm_opts, o, .nregions = 3);
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), DIF_E_INVAL);
	cr_assert_null(vm);
	DIF_OPTS(dif_difo_parts, p, .textlen = 3);
	struct dif_difo *d = (struct dif_difo *)&p;
	cr_assert_eq(dif_difo_create(&p, &d, NULL), DIF_E_INVAL);
	cr_assert_null(d);
}

Test(misuse, huge_sizes)
{
	static const uint64_t huge[] = { 1ull << 31, 1ull << 47, UINT64_MAX };
	for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		struct dif_vm *vm = NULL;
		struct dif_errors errs = { 0 };
		DIF_OPTS(dif_vm_opts, a, .scratch_size = huge[i]);
		cr_assert_eq(dif_vm_create(&a, &vm, &errs), DIF_E_LIMIT);
		cr_assert_null(vm);
		cr_assert(strstr(errs.list[0].msg, "limit"), "%s", errs.list[0].msg);
		DIF_OPTS(dif_vm_opts, b, .dynvar_size = huge[i]);
		cr_assert_eq(dif_vm_create(&b, &vm, NULL), DIF_E_LIMIT);
		DIF_OPTS(dif_vm_opts, c, .static_size = huge[i]);
		cr_assert_eq(dif_vm_create(&c, &vm, NULL), DIF_E_LIMIT);
		DIF_OPTS(dif_vm_opts, d, .local_size = huge[i]);
		cr_assert_eq(dif_vm_create(&d, &vm, NULL), DIF_E_LIMIT);
	}
	struct dif_vm *vm = NULL;
	DIF_OPTS(dif_vm_opts, s, .strsize = UINT32_MAX);
	cr_assert_eq(dif_vm_create(&s, &vm, NULL), DIF_E_LIMIT);
	static const char bytes[8];
	struct dif_region r = { 0x1000, 8, bytes, 0, 0 };
	DIF_OPTS(dif_vm_opts, n, .regions = &r, .nregions = SIZE_MAX / 8);
	cr_assert_eq(dif_vm_create(&n, &vm, NULL), DIF_E_LIMIT);
	cr_assert_null(vm);
}

/* A string-table address read after the program that owns it is gone. */
Test(misuse, read_after_prog_free)
{
	struct dif_vm *vm = NULL;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	struct dif_prog *prog = load(vm, ".return string\nsets \"hello\", %r1\nret %r1\n");
	struct dif_ctx *ctx = NULL;
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	uint64_t rv = 0;
	cr_assert_eq(dif_exec(prog, ctx, &rv), 0);
	char b[6] = { 0 };
	cr_assert_eq(dif_ctx_read(ctx, rv, b, 6), 0);
	cr_assert_str_eq(b, "hello");
	dif_prog_free(prog);
	cr_assert_eq(dif_ctx_read(ctx, rv, b, 6), DIF_FAULT_BADADDR);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
}

/* The VM freed before its programs and contexts: they are detached and
 * may still be used (everything fails cleanly) and freed. */
Test(misuse, vm_freed_first)
{
	struct dif_vm *vm = NULL;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	struct dif_prog *prog = load(vm, "ret %r0\n");
	struct dif_ctx *ctx = NULL, *ctx2 = NULL;
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	cr_assert_eq(dif_ctx_create(vm, &ctx2), 0);
	dif_vm_free(vm);
	uint64_t rv = 3;
	cr_assert_eq(dif_exec(prog, ctx, &rv), DIF_E_INVAL);
	cr_assert_eq(rv, 0);
	char b;
	cr_assert_eq(dif_ctx_read(ctx, 0x1000, &b, 1), DIF_FAULT_BADADDR);
	cr_assert_eq(dif_ctx_set_var(ctx, 0x118, 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_string(ctx, 0x118, "x"), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_arg(ctx, 0, 1), 0);
	dif_ctx_free(ctx2);
	dif_prog_free(prog);
	dif_ctx_free(ctx);
}

/* Programs and contexts freed in any order, many of them. */
Test(misuse, free_orders)
{
	struct dif_vm *vm = NULL;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	struct dif_prog *p[4];
	struct dif_ctx *c[4];
	for (int i = 0; i < 4; i++) {
		p[i] = load(vm, "sets \"ab\", %r1\nret %r1\n");
		cr_assert_eq(dif_ctx_create(vm, &c[i]), 0);
		uint64_t rv;
		cr_assert_eq(dif_exec(p[i], c[i], &rv), 0);
	}
	dif_prog_free(p[1]);
	dif_ctx_free(c[2]);
	dif_prog_free(p[3]);
	dif_ctx_free(c[0]);
	uint64_t rv;
	cr_assert_eq(dif_exec(p[0], c[3], &rv), 0);
	dif_prog_free(p[0]);
	cr_assert_eq(dif_ctx_read(c[3], rv, &(char){ 0 }, 1), DIF_FAULT_BADADDR);
	dif_ctx_free(c[1]);
	dif_ctx_free(c[3]);
	dif_prog_free(p[2]);
	dif_vm_free(vm);
}

Test(misuse, prog_of_another_vm)
{
	struct dif_vm *a = NULL, *b = NULL;
	cr_assert_eq(dif_vm_create(NULL, &a, NULL), 0);
	cr_assert_eq(dif_vm_create(NULL, &b, NULL), 0);
	struct dif_prog *prog = load(a, "ret %r0\n");
	struct dif_ctx *ctx = NULL;
	cr_assert_eq(dif_ctx_create(b, &ctx), 0);
	cr_assert_eq(dif_exec(prog, ctx, NULL), DIF_E_INVAL);
	dif_ctx_free(ctx);
	dif_prog_free(prog);
	dif_vm_free(a);
	dif_vm_free(b);
}

/* ---- host callbacks returning codes outside the contract ------------- */

static int bad_code;

static int bad_read(void *ud, enum dif_as as, uint64_t addr, void *buf,
                    size_t len)
{
	(void)ud, (void)as, (void)addr;
	memset(buf, 0, len);
	return bad_code;
}

static int bad_subr(void *ud, struct dif_ctx *ctx, struct dif_subr_call *c)
{
	(void)ud, (void)ctx, (void)c;
	return bad_code;
}

static int bad_var(void *ud, struct dif_ctx *ctx, unsigned id, uint64_t idx,
                   uint64_t *val)
{
	(void)ud, (void)ctx, (void)id, (void)idx;
	*val = 0;
	return bad_code;
}

static int bad_write(void *ud, uint64_t addr, const void *buf, size_t len)
{
	(void)ud, (void)addr, (void)buf, (void)len;
	return bad_code;
}

static void run_bad(const char *src, int code, int want)
{
	struct dif_host h = { .size = sizeof(h), .read = bad_read,
	                      .subr = bad_subr, .var = bad_var,
	                      .write = bad_write };
	DIF_OPTS(dif_vm_opts, o, .host = &h);
	struct dif_vm *vm = NULL;
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	struct dif_prog *prog = load(vm, src);
	struct dif_ctx *ctx = NULL;
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	bad_code = code;
	uint64_t rv = 9;
	int rc = dif_exec(prog, ctx, &rv);
	cr_assert_eq(rc, DIF_E_FAULT, "code %d: rc %d", code, rc);
	const struct dif_fault *f = dif_ctx_fault(ctx);
	cr_assert_eq(f->code, want, "code %d gave fault %d", code, f->code);
	if (want == DIF_FAULT_ILLOP)
		cr_assert(f->reason && strstr(f->reason, "invalid code"),
		          "code %d: reason %s", code, f->reason ? f->reason : "-");
	dif_ctx_free(ctx);
	dif_prog_free(prog);
	dif_vm_free(vm);
}

Test(misuse, callback_codes)
{
	static const int bad[] = { -2, -100, 10, 31, 32, 64, 1000, INT32_MIN,
	                           INT32_MAX };
	const char *ld = "setx 0x1000, %r1\nldx [%r1], %r2\nret %r2\n";
	const char *call = "call rand, %r1\nret %r1\n";
	const char *var = "ldgs pid, %r1\nret %r1\n";
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_bad(ld, bad[i], DIF_FAULT_ILLOP);
		run_bad(call, bad[i], DIF_FAULT_ILLOP);
		run_bad(var, bad[i], DIF_FAULT_ILLOP);
	}
	/* In-range codes keep their meaning. */
	run_bad(ld, DIF_FAULT_BADADDR, DIF_FAULT_BADADDR);
	run_bad(ld, DIF_HOST_DEFAULT, DIF_FAULT_BADADDR);
	run_bad(call, DIF_FAULT_DIVZERO, DIF_FAULT_DIVZERO);
	run_bad(var, DIF_FAULT_UPRIV, DIF_FAULT_UPRIV);
}

/* ---- one context, two callers ---------------------------------------- */

struct busy {
	struct dif_prog *prog;
	struct dif_ctx *ctx;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int inside, release, inner_rc;
};

static int block_subr(void *ud, struct dif_ctx *ctx, struct dif_subr_call *c)
{
	(void)ctx;
	struct busy *b = ud;
	/* Re-entering the same context from its own callback is refused. */
	b->inner_rc = dif_exec(b->prog, b->ctx, NULL);
	pthread_mutex_lock(&b->mu);
	b->inside = 1;
	pthread_cond_broadcast(&b->cv);
	while (!b->release)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
	c->result = 42;
	return 0;
}

static void *runner(void *arg)
{
	struct busy *b = arg;
	uint64_t rv = 0;
	int rc = dif_exec(b->prog, b->ctx, &rv);
	return (void *)(uintptr_t)(rc == 0 && rv == 42);
}

Test(misuse, context_used_twice)
{
	struct busy b = { .mu = PTHREAD_MUTEX_INITIALIZER,
	                  .cv = PTHREAD_COND_INITIALIZER };
	struct dif_host h = { .size = sizeof(h), .ud = &b, .subr = block_subr };
	DIF_OPTS(dif_vm_opts, o, .host = &h);
	struct dif_vm *vm = NULL;
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	b.prog = load(vm, "call rand, %r1\nret %r1\n");
	cr_assert_eq(dif_ctx_create(vm, &b.ctx), 0);
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, runner, &b), 0);
	pthread_mutex_lock(&b.mu);
	while (!b.inside)
		pthread_cond_wait(&b.cv, &b.mu);
	pthread_mutex_unlock(&b.mu);
	/* The other thread is inside dif_exec on this context now. */
	uint64_t rv = 7;
	cr_assert_eq(dif_exec(b.prog, b.ctx, &rv), DIF_E_BUSY);
	cr_assert_eq(rv, 0);
	cr_assert_eq(b.inner_rc, DIF_E_BUSY);
	pthread_mutex_lock(&b.mu);
	b.release = 1;
	pthread_cond_broadcast(&b.cv);
	pthread_mutex_unlock(&b.mu);
	void *ok;
	pthread_join(t, &ok);
	cr_assert_eq((uintptr_t)ok, 1);
	/* Free again afterwards. */
	b.release = 1;
	b.inside = 1;
	cr_assert_eq(dif_exec(b.prog, b.ctx, &rv), 0);
	cr_assert_eq(rv, 42);
	cr_assert_str_eq(dif_err_name(DIF_E_BUSY), "busy");
	dif_ctx_free(b.ctx);
	dif_prog_free(b.prog);
	dif_vm_free(vm);
}
