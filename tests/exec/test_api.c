/* Embedding API: options, contexts, host callbacks, threads, robustness. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/isa.h"

/* Assembles one program (hand-written syntax) and loads it into vm. */
static struct dif_prog *load(struct dif_vm *vm, enum dif_profile p,
                             const char *src)
{
	DIF_OPTS(dif_asm_opts, ao, .profile = p);
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	struct dif_module *mod = NULL;
	int rc = dif_asm(src, strlen(src), &ao, &mod, errs);
	cr_assert_eq(rc, 0, "asm: %s", errs->count ? errs->list[0].msg : "?");
	struct dif_prog *prog = NULL;
	rc = dif_prog_load(vm, dif_module_get(mod, 0), &prog, errs);
	cr_assert_eq(rc, 0, "load: %s", errs->count ? errs->list[0].msg : "?");
	dif_module_free(mod);
	free(errs);
	return prog;
}

static int try_load(struct dif_vm *vm, const char *src, struct dif_errors *errs)
{
	DIF_OPTS(dif_asm_opts, ao);
	struct dif_module *mod = NULL;
	cr_assert_eq(dif_asm(src, strlen(src), &ao, &mod, errs), 0);
	struct dif_prog *prog = NULL;
	int rc = dif_prog_load(vm, dif_module_get(mod, 0), &prog, errs);
	dif_prog_free(prog);
	dif_module_free(mod);
	return rc;
}

Test(api, fault_names)
{
	cr_assert_str_eq(dif_fault_name(DIF_FAULT_DIVZERO), "DIVZERO");
	cr_assert_str_eq(dif_fault_text(DIF_FAULT_DIVZERO), "divide-by-zero");
	cr_assert_str_eq(dif_fault_name(DIF_FAULT_BADSTACK), "BADSTACK");
	cr_assert_str_eq(dif_fault_name(77), "UNKNOWN");
	cr_assert_str_eq(dif_fault_text(DIF_FAULT_NOSCRATCH), "out of scratch space");
}

Test(api, create_defaults_and_bad_options)
{
	struct dif_vm *vm = NULL;
	struct dif_errors errs = { 0 };
	cr_assert_eq(dif_vm_create(NULL, &vm, &errs), 0);
	dif_vm_free(vm);

	DIF_OPTS(dif_vm_opts, bad, .profile = (enum dif_profile)7);
	cr_assert_eq(dif_vm_create(&bad, &vm, &errs), DIF_E_INVAL);
	cr_assert_null(vm);

	struct dif_region r = { 0xd1f0000000000010ull, 8, "abcdefgh", 0, 0 };
	DIF_OPTS(dif_vm_opts, win, .regions = &r, .nregions = 1);
	cr_assert_eq(dif_vm_create(&win, &vm, &errs), DIF_E_INVAL);

	struct dif_region wrap = { UINT64_MAX - 2, 8, "abcdefgh", 0, 0 };
	DIF_OPTS(dif_vm_opts, w2, .regions = &wrap, .nregions = 1);
	cr_assert_eq(dif_vm_create(&w2, &vm, &errs), DIF_E_INVAL);

	struct dif_region nob = { 0x1000, 8, NULL, 0, 0 };
	DIF_OPTS(dif_vm_opts, w3, .regions = &nob, .nregions = 1);
	cr_assert_eq(dif_vm_create(&w3, &vm, &errs), DIF_E_INVAL);

	/* A caller built against a newer header: unknown fields must be 0. */
	struct { struct dif_vm_opts o; uint64_t extra; } big;
	memset(&big, 0, sizeof(big));
	big.o.size = sizeof(big);
	cr_assert_eq(dif_vm_create(&big.o, &vm, &errs), 0);
	dif_vm_free(vm);
	big.extra = 1;
	cr_assert_eq(dif_vm_create(&big.o, &vm, &errs), DIF_E_OPTS);

	/* An older, shorter struct is fine: missing fields take defaults. */
	DIF_OPTS(dif_vm_opts, old, .profile = DIF_PROFILE_ILLUMOS);
	old.size = offsetof(struct dif_vm_opts, deny);
	cr_assert_eq(dif_vm_create(&old, &vm, &errs), 0);
	dif_vm_free(vm);
}

Test(api, exec_argument_checks)
{
	struct dif_vm *a, *b;
	cr_assert_eq(dif_vm_create(NULL, &a, NULL), 0);
	cr_assert_eq(dif_vm_create(NULL, &b, NULL), 0);
	struct dif_prog *p = load(a, DIF_PROFILE_FREEBSD,
	                          ".difo p\n.return int 8\n\tsetx 5, %r1\n\tret %r1\n");
	struct dif_ctx *ca, *cb;
	cr_assert_eq(dif_ctx_create(a, &ca), 0);
	cr_assert_eq(dif_ctx_create(b, &cb), 0);
	uint64_t rv = 99;
	cr_assert_eq(dif_exec(NULL, ca, &rv), DIF_E_INVAL);
	cr_assert_eq(rv, 0);
	cr_assert_eq(dif_exec(p, cb, &rv), DIF_E_INVAL, "context of another VM");
	cr_assert_eq(dif_exec(p, ca, NULL), 0);
	cr_assert_eq(dif_exec(p, ca, &rv), 0);
	cr_assert_eq(rv, 5);
	cr_assert_eq(dif_ctx_fault(ca)->code, DIF_FAULT_NONE);
	dif_prog_free(p);
	dif_ctx_free(ca);
	dif_ctx_free(cb);
	dif_vm_free(a);
	dif_vm_free(b);
}

Test(api, context_setters)
{
	struct dif_vm *vm;
	struct dif_ctx *ctx;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	cr_assert_eq(dif_ctx_set_arg(ctx, 0, 1), 0);
	cr_assert_eq(dif_ctx_set_arg(ctx, 1000, 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_var(ctx, DIF_VARID_PID, 1), 0);
	cr_assert_eq(dif_ctx_set_var(ctx, DIF_VARID_EXECNAME, 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_var(ctx, 0x4ff, 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_var(ctx, DIF_VARID_THREADNAME, 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_string(ctx, DIF_VARID_EXECNAME, "x"), 0);
	cr_assert_eq(dif_ctx_set_string(ctx, DIF_VARID_PID, "x"), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_string(ctx, DIF_VARID_EXECNAME, NULL), DIF_E_INVAL);
	int u;
	dif_ctx_set_user(ctx, &u);
	cr_assert_eq(dif_ctx_user(ctx), &u);
	cr_assert_eq(dif_ctx_set_thread(ctx, DIF_THREAD_KEY_MIN), 0);
	/* a key that can equal a variable's key entry (var - 0x500) */
	cr_assert_eq(dif_ctx_set_thread(ctx, DIF_THREAD_KEY_MIN - 1), DIF_E_INVAL);
	cr_assert_eq(dif_ctx_set_thread(ctx, 5), DIF_E_INVAL);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
}

Test(api, registry_conflicts_and_limits)
{
	struct dif_vm *vm;
	struct dif_errors errs = { 0 };
	DIF_OPTS(dif_vm_opts, o, .static_size = 16);
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	cr_assert_eq(try_load(vm, ".difo a\n.return int 8\n"
	                          ".var x global scalar id=0x500 type=int8\n"
	                          "\tldgs x, %r1\n\tret %r1\n", &errs), 0);
	/* Same id, another type: rejected (rule 29 across the VM's loads). */
	dif_errors_clear(&errs);
	cr_assert_neq(try_load(vm, ".difo b\n.return int 8\n"
	                           ".var x global scalar id=0x500 type=string\n"
	                           "\tldgs x, %r1\n\tret %r1\n", &errs), 0);
	/* 16 bytes of static storage: two by-value globals, not three. */
	dif_errors_clear(&errs);
	cr_assert_eq(try_load(vm, ".difo c\n.return int 8\n"
	                          ".var y global scalar id=0x501 type=int8\n"
	                          "\tldgs y, %r1\n\tret %r1\n", &errs), 0);
	dif_errors_clear(&errs);
	cr_assert_eq(try_load(vm, ".difo d\n.return int 8\n"
	                          ".var z global scalar id=0x502 type=int8\n"
	                          "\tldgs z, %r1\n\tret %r1\n", &errs), DIF_E_LIMIT);
	cr_assert_eq(errs.list[0].code, DIF_E_LIMIT);
	dif_vm_free(vm);
}

/* ---------------------------------------------------------------------
 * Host callbacks.
 */
struct hostlog {
	int reads, vars, subrs, stores;
	uint64_t stored;
};

static int h_read(void *ud, enum dif_as as, uint64_t addr, void *buf,
                  size_t len)
{
	struct hostlog *l = ud;
	l->reads++;
	if (as == DIF_AS_KERNEL && addr >= 0x10000 && addr + len <= 0x10100) {
		for (size_t i = 0; i < len; i++)
			((uint8_t *)buf)[i] = (uint8_t)(addr + i);
		return 0;
	}
	return DIF_FAULT_BADADDR;
}

static int h_var(void *ud, struct dif_ctx *ctx, unsigned id, uint64_t index,
                 uint64_t *val)
{
	struct hostlog *l = ud;
	(void)ctx;
	l->vars++;
	if (id == DIF_VARID_PID) {
		*val = 31337;
		return 0;
	}
	if (id == 0x4fe) {
		*val = 0x4fe;
		return 0;
	}
	if (id == DIF_VARID_UREGS) {
		*val = 1000 + index;
		return 0;
	}
	if (id == DIF_VARID_UID)
		return DIF_FAULT_BADSTACK;
	return DIF_HOST_DEFAULT;
}

static int h_subr(void *ud, struct dif_ctx *ctx, struct dif_subr_call *c)
{
	struct hostlog *l = ud;
	(void)ctx;
	l->subrs++;
	if (c->name && strcmp(c->name, "mutex_owned") == 0) {
		c->result = c->nargs == 1 ? c->args[0] + 1 : 0;
		return 0;
	}
	if (c->name && strcmp(c->name, "rw_read_held") == 0) {
		c->write_rd = 0;
		return 0;
	}
	if (c->name && strcmp(c->name, "rw_write_held") == 0)
		return DIF_FAULT_UPRIV;
	return DIF_HOST_DEFAULT;
}

static int h_store(void *ud, struct dif_ctx *ctx, unsigned id, uint64_t index,
                   uint64_t val)
{
	struct hostlog *l = ud;
	(void)ctx;
	(void)index;
	l->stores++;
	l->stored = val;
	return id == DIF_VARID_UREGS ? 0 : DIF_FAULT_ILLOP;
}

static uint64_t run1(struct dif_vm *vm, struct dif_ctx *ctx, enum dif_profile p,
                     const char *src, int *rc)
{
	struct dif_prog *prog = load(vm, p, src);
	uint64_t rv = 0;
	*rc = dif_exec(prog, ctx, &rv);
	dif_prog_free(prog);
	return rv;
}

Test(api, host_callbacks)
{
	struct hostlog log = { 0 };
	struct dif_host host = { .size = sizeof(host), .ud = &log, .read = h_read,
	                         .var = h_var, .subr = h_subr,
	                         .var_store = h_store };
	DIF_OPTS(dif_vm_opts, o, .host = &host, .profile = DIF_PROFILE_ILLUMOS);
	struct dif_vm *vm;
	struct dif_ctx *ctx;
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	int rc;
	uint64_t v;

	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tsetx 0x10010, %r1\n\tldx [%r1], %r1\n\tret %r1\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(v, 0x1716151413121110ull);
	cr_assert_gt(log.reads, 0);

	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tsetx 0x20000, %r1\n\tldx [%r1], %r1\n\tret %r1\n", &rc);
	cr_assert_eq(rc, DIF_E_FAULT);
	cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_BADADDR);
	cr_assert_eq(dif_ctx_fault(ctx)->addr, 0x20000);

	/* dif_ctx_read sees the same memory. */
	uint8_t b[2];
	cr_assert_eq(dif_ctx_read(ctx, 0x10001, b, 2), 0);
	cr_assert_eq(b[1], 2);
	cr_assert_eq(dif_ctx_read(ctx, 0x30000, b, 2), DIF_FAULT_BADADDR);

	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tldgs pid, %r1\n\tret %r1\n", &rc);
	cr_assert_eq(v, 31337, "host var overrides the value table");
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tldgs DT_VAR(0x4fe), %r1\n\tret %r1\n", &rc);
	cr_assert_eq(rc, 0, "host var supplies an unknown built-in");
	cr_assert_eq(v, 0x4fe);
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tldgs uid, %r1\n\tret %r1\n", &rc);
	cr_assert_eq(rc, DIF_E_FAULT);
	cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_BADSTACK);
	dif_ctx_set_var(ctx, DIF_VARID_TID, 12);
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tldgs tid, %r1\n\tret %r1\n", &rc);
	cr_assert_eq(v, 12, "DIF_HOST_DEFAULT falls back to the table");
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tsetx 4, %r2\n\tldga uregs, %r2, %r1\n\tret %r1\n", &rc);
	cr_assert_eq(v, 1004);

	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tsetx 41, %r1\n\tflushts\n\tpushtv ctf, %r1\n"
	         "\tcall mutex_owned, %r2\n\tret %r2\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(v, 42);
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tsetx 7, %r2\n\tcall rw_read_held, %r2\n\tret %r2\n", &rc);
	cr_assert_eq(v, 7, "write_rd = 0 keeps the register");
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tcall rw_write_held, %r2\n\tret %r2\n", &rc);
	cr_assert_eq(rc, DIF_E_FAULT);
	cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_UPRIV);
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tcall mutex_owner, %r2\n\tret %r2\n", &rc);
	cr_assert_eq(rc, DIF_E_FAULT, "host declined an OS subroutine");
	cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_ILLOP);
	cr_assert_not_null(dif_ctx_fault(ctx)->reason);
	int before = log.subrs;
	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tsetx 0x41, %r1\n\tflushts\n\tpushtv ctf, %r1\n"
	         "\tcall htons, %r2\n\tret %r2\n", &rc);
	cr_assert_eq(log.subrs, before + 1, "the hook sees every call");
	cr_assert_eq(rc, 0);
	cr_assert_eq(v, 0x4100, "DIF_HOST_DEFAULT runs difvm's own");

	v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	         "\tsetx 3, %r1\n\tsetx 99, %r2\n\tstga uregs, %r1, %r2\n\tret %r2\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(log.stores, 1);
	cr_assert_eq(log.stored, 99);

	dif_ctx_free(ctx);
	dif_vm_free(vm);
}

Test(api, host_struct_from_older_caller)
{
	/* A host struct without var_store: the VM must not read past it. */
	struct hostlog log = { 0 };
	size_t off = offsetof(struct dif_host, var_store);
	struct dif_host full = { .size = off, .ud = &log, .var = h_var,
	                         .var_store = h_store };
	unsigned char *h = malloc(off); /* exactly the older struct's bytes */
	memcpy(h, &full, off);
	DIF_OPTS(dif_vm_opts, o, .host = (const struct dif_host *)(void *)h,
	         .profile = DIF_PROFILE_ILLUMOS);
	struct dif_vm *vm;
	struct dif_ctx *ctx;
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	free(h);
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	int rc;
	run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	     "\tsetx 3, %r1\n\tstga uregs, %r1, %r1\n\tret %r1\n", &rc);
	cr_assert_eq(rc, DIF_E_FAULT);
	cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_BADADDR);
	uint64_t v = run1(vm, ctx, o.profile, ".difo p\n.return int 8\n"
	                  "\tldgs pid, %r1\n\tret %r1\n", &rc);
	cr_assert_eq(v, 31337);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
}

Test(api, fault_records_pc_and_reason)
{
	struct dif_vm *vm;
	struct dif_ctx *ctx;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	int rc;
	uint64_t v = run1(vm, ctx, DIF_PROFILE_FREEBSD, ".difo p\n.return int 8\n"
	                  "\tsetx 5, %r1\n\tnop\n\tudiv %r1, %r0, %r1\n\tret %r1\n", &rc);
	cr_assert_eq(rc, DIF_E_FAULT);
	cr_assert_eq(v, 0);
	const struct dif_fault *f = dif_ctx_fault(ctx);
	cr_assert_eq(f->code, DIF_FAULT_DIVZERO);
	cr_assert_eq(f->pc, 2);
	/* A clean run clears the code. */
	run1(vm, ctx, DIF_PROFILE_FREEBSD, ".difo p\n.return int 8\n\tret %r0\n", &rc);
	cr_assert_eq(rc, 0);
	cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_NONE);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
}

Test(api, stats_count_drops_and_use)
{
	DIF_OPTS(dif_vm_opts, o, .dynvar_size = 2464);
	struct dif_vm *vm;
	struct dif_ctx *ctx;
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	struct dif_vm_stats st;
	dif_vm_get_stats(vm, &st);
	cr_assert_eq(st.dynvar_drops, 0);
	cr_assert_eq(st.dynvar_used, 0);
	int rc;
	run1(vm, ctx, DIF_PROFILE_FREEBSD, ".difo p\n.return int 8\n"
	     ".var a thread scalar id=0x500 type=int8\n"
	     ".var b thread scalar id=0x501 type=int8\n"
	     "\tsetx 1, %r1\n\tstts %r1, a\n\tstts %r1, b\n\tret %r1\n", &rc);
	dif_vm_get_stats(vm, &st);
	cr_assert_eq(st.dynvar_drops, 1);
	cr_assert_eq(st.dynvar_used, 2 * 16 + 8, "one thread-local: 2 keys + 8 bytes");
	dif_ctx_free(ctx);
	dif_vm_free(vm);
}

/* ---------------------------------------------------------------------
 * Many contexts on many threads sharing one VM.
 */
#define NTHREADS 6
#define NITER 3000

struct worker {
	struct dif_vm *vm;
	struct dif_prog *inc, *get;
	uint64_t id;
	int ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct dif_ctx *ctx;
	if (dif_ctx_create(w->vm, &ctx))
		return NULL;
	dif_ctx_set_var(ctx, DIF_VARID_TID, w->id);
	dif_ctx_set_arg(ctx, 0, w->id);
	uint64_t rv = 0;
	int ok = 1;
	for (int i = 0; i < NITER; i++)
		if (dif_exec(w->inc, ctx, &rv) || rv != (uint64_t)i + 1)
			ok = 0;
	if (dif_exec(w->get, ctx, &rv) || rv != NITER)
		ok = 0;
	w->ok = ok;
	dif_ctx_free(ctx);
	return NULL;
}

Test(api, threads_share_one_vm)
{
	struct dif_vm *vm;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	/* counts[arg0]++ and self->n++, both checked against the loop. */
	struct dif_prog *inc = load(vm, DIF_PROFILE_FREEBSD,
		".difo inc\n.return int 8\n"
		".var counts global array id=0x500 type=int8\n"
		".var n thread scalar id=0x500 type=int8\n"
		"\tldgs arg0, %r1\n\tflushts\n\tpushtv ctf, %r1\n"
		"\tldgaa counts, %r2\n\tsetx 1, %r3\n\tadd %r2, %r3, %r2\n"
		"\tstgaa %r2, counts\n"
		"\tldts n, %r4\n\tadd %r4, %r3, %r4\n\tstts %r4, n\n"
		"\tcmp %r2, %r4\n\tbne Lbad\n\tret %r2\nLbad:\n\tret %r0\n");
	struct dif_prog *get = load(vm, DIF_PROFILE_FREEBSD,
		".difo get\n.return int 8\n"
		".var counts global array id=0x500 type=int8\n"
		"\tldgs arg0, %r1\n\tflushts\n\tpushtv ctf, %r1\n"
		"\tldgaa counts, %r2\n\tret %r2\n");
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];
	for (int i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ vm, inc, get, (uint64_t)i + 100, 0 };
		cr_assert_eq(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(th[i], NULL);
		cr_expect(w[i].ok, "thread %d saw a wrong count", i);
	}
	struct dif_vm_stats st;
	dif_vm_get_stats(vm, &st);
	cr_assert_eq(st.dynvar_drops, 0);
	dif_prog_free(inc);
	dif_prog_free(get);
	dif_vm_free(vm);
}

/* ---------------------------------------------------------------------
 * Differential robustness: random programs the validator accepts run
 * without touching memory outside what the host registered. The host's
 * only memory is `hostmem`, served by a read callback that asserts every
 * read it serves lies inside it; ASan checks difvm's own accesses.
 */
#define HOSTBASE 0x40000000ull
static uint8_t hostmem[512];

static int r_read(void *ud, enum dif_as as, uint64_t addr, void *buf,
                  size_t len)
{
	(void)ud;
	(void)as;
	if (addr < HOSTBASE || addr - HOSTBASE > sizeof(hostmem) ||
	    len > sizeof(hostmem) - (addr - HOSTBASE))
		return DIF_FAULT_BADADDR;
	uint64_t off = addr - HOSTBASE;
	cr_assert(off + len <= sizeof(hostmem));
	memcpy(buf, hostmem + off, len);
	return 0;
}

static uint64_t rng_state = 0x1234567887654321ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const uint64_t interesting[] = {
	0, 1, 2, 3, 7, 8, 16, 63, 64, 65, 255, 256, 4096, UINT64_MAX,
	(uint64_t)INT64_MIN, INT64_MAX, HOSTBASE, HOSTBASE + 500, HOSTBASE - 1,
	0xd1f0000000000000ull, 0xd1f1000000000000ull, 0xd1f1000000000008ull,
	0xd1f100000000fff8ull, 0xd1f2000000000000ull, 0xd1f2800000000000ull,
	0xd1f3000000000000ull, 0xd1f3000000000020ull, 0xd1f4000000000000ull,
	0xd1f5000000000000ull - 8,
};

static uint32_t random_insn(uint32_t pc, uint32_t len, enum dif_profile p)
{
	for (;;) {
		unsigned op = 1 + (unsigned)(rnd() % (DIF_OP_COUNT - 1));
		const struct dif_opinfo *oi = dif_isa_lookup(op, p);
		if (!oi || oi->cls == DIF_IC_XLATE || (oi->flags & DIF_F_RELOC) ||
		    op == DIF_OPC_RET)
			continue;
		unsigned r1 = (unsigned)(rnd() % 8), r2 = (unsigned)(rnd() % 8);
		unsigned rd = 1 + (unsigned)(rnd() % 7);
		switch (oi->cls) {
		case DIF_IC_BRANCH:
			return DIF_ENC_B(op, pc + 1 + rnd() % (len - pc - 1));
		case DIF_IC_ALU2:
			return DIF_ENC_R(op, r1, 0, rd);
		case DIF_IC_LOAD:
			return DIF_ENC_R(op, r1, 0, rd);
		case DIF_IC_STORE:
			return DIF_ENC_R(op, r1, 0, rd);
		case DIF_IC_CMP:
			return DIF_ENC_R(op, r1, r2, 0);
		case DIF_IC_TST:
			return DIF_ENC_R(op, r1, 0, 0);
		case DIF_IC_NONE:
			return DIF_ENC_R(op, 0, 0, 0);
		case DIF_IC_SETX:
			return DIF_ENC_W(op, rnd() % 8, rd);
		case DIF_IC_SETS:
			return DIF_ENC_W(op, rnd() % 16, rd);
		case DIF_IC_LDA:
		case DIF_IC_STGA:
			return DIF_ENC_R(op, rnd() % 4, r2, rd);
		case DIF_IC_LDV: {
			unsigned var = rnd() % 4 ? 0x500 + (unsigned)(rnd() % 3)
			                         : 0x100 + (unsigned)(rnd() % 0x130);
			return DIF_ENC_W(op, var, rd);
		}
		case DIF_IC_STV:
			return DIF_ENC_W(op, 0x500 + rnd() % 3, r1);
		case DIF_IC_CALL:
			return DIF_ENC_W(op, rnd() % (dif_subr_max(p) + 1), rd);
		case DIF_IC_PUSHTR:
			return DIF_ENC_R(op, rnd() % 2, r2, r1);
		case DIF_IC_PUSHTV:
			return DIF_ENC_R(op, 0, r2, r1);
		default:
			return DIF_ENC_R(op, r1, r2, rd);
		}
	}
}

Test(api, random_programs_stay_inside_registered_memory, .timeout = 300)
{
	for (size_t i = 0; i < sizeof(hostmem); i++)
		hostmem[i] = (uint8_t)(i % 7 == 0 ? 0 : 'a' + i % 26);
	struct dif_host host = { .size = sizeof(host), .read = r_read };
	static const char strtab[] = "\0abc\0/usr/lib\0x\0\0hello world\0";
	struct dif_var vars[] = {
		{ 0, 0x500, DIF_VKIND_SCALAR, DIF_VSCOPE_GLOBAL, 0, { 0, 1, 0, 0, 8 } },
		{ 0, 0x501, DIF_VKIND_SCALAR, DIF_VSCOPE_GLOBAL, 0,
		  { DIF_TYPE_STRING, 0, DIF_TF_BYREF, 0, 32 } },
		{ 0, 0x502, DIF_VKIND_ARRAY, DIF_VSCOPE_GLOBAL, 0, { 0, 1, 0, 0, 8 } },
		{ 0, 0x500, DIF_VKIND_SCALAR, DIF_VSCOPE_THREAD, 0,
		  { DIF_TYPE_STRING, 0, DIF_TF_BYREF, 0, 16 } },
		{ 0, 0x501, DIF_VKIND_SCALAR, DIF_VSCOPE_THREAD, 0, { 0, 1, 0, 0, 8 } },
		{ 0, 0x502, DIF_VKIND_ARRAY, DIF_VSCOPE_THREAD, 0,
		  { 0, 6, DIF_TF_BYREF, 0, 24 } },
		{ 0, 0x500, DIF_VKIND_SCALAR, DIF_VSCOPE_LOCAL, 0,
		  { 0, 6, DIF_TF_BYREF, 0, 40 } },
		{ 0, 0x501, DIF_VKIND_SCALAR, DIF_VSCOPE_LOCAL, 0, { 0, 1, 0, 0, 8 } },
		{ 0, 0x502, DIF_VKIND_SCALAR, DIF_VSCOPE_LOCAL, 0, { 0, 1, 0, 0, 8 } },
	};
	int loaded = 0, faulted = 0, returned = 0;
	for (int profile = 0; profile < 2; profile++) {
		for (int deny = 0; deny < 2; deny++) {
			DIF_OPTS(dif_vm_opts, o, .profile = (enum dif_profile)profile,
			         .host = &host, .scratch_size = 512, .dynvar_size = 20000,
			         .strsize = 32,
			         .deny = deny ? DIF_DENY_KERNEL | DIF_DENY_PROC : 0);
			struct dif_vm *vm;
			struct dif_ctx *ctx;
			cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
			cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
			for (int n = 0; n < 1500; n++) {
				uint32_t text[24];
				uint32_t len = 2 + (uint32_t)(rnd() % 22);
				for (uint32_t pc = 0; pc + 1 < len; pc++)
					text[pc] = random_insn(pc, len, o.profile);
				text[len - 1] = DIF_ENC_R(DIF_OPC_RET, 0, 0, rnd() % 8);
				uint64_t ints[8];
				for (int k = 0; k < 8; k++)
					ints[k] = interesting[rnd() % (sizeof(interesting) /
					                               sizeof(interesting[0]))] +
					          (rnd() % 4 == 0 ? rnd() % 16 : 0);
				DIF_OPTS(dif_difo_parts, parts, .text = text, .textlen = len,
				         .inttab = ints, .intlen = 8, .strtab = strtab,
				         .strlen = sizeof(strtab), .vartab = vars,
				         .varlen = sizeof(vars) / sizeof(vars[0]),
				         .rtype = { 0, 1, 0, 0, 8 });
				struct dif_difo *d;
				cr_assert_eq(dif_difo_create(&parts, &d, NULL), 0);
				struct dif_prog *prog;
				struct dif_errors errs;
				if (dif_prog_load(vm, d, &prog, &errs) == 0) {
					loaded++;
					for (int k = 0; k < 4; k++)
						dif_ctx_set_arg(ctx, (unsigned)k, ints[k]);
					uint64_t rv;
					int rc = dif_exec(prog, ctx, &rv);
					if (rc) {
						const struct dif_fault *f = dif_ctx_fault(ctx);
						cr_assert(f->code >= 1 && f->code <= 9);
						cr_assert_lt(f->pc, len);
						cr_assert_eq(rv, 0);
						faulted++;
					} else {
						returned++;
					}
					dif_prog_free(prog);
				}
				dif_difo_free(d);
			}
			dif_ctx_free(ctx);
			dif_vm_free(vm);
		}
	}
	cr_log_info("random programs: %d loaded, %d returned, %d faulted", loaded,
	            returned, faulted);
	cr_assert_gt(loaded, 2000, "too few programs passed the validator");
	cr_assert_gt(returned, 100);
	cr_assert_gt(faulted, 100);
}

#include "difvm/exec.h"

Test(api, fault_priority_follows_dtrace)
{
	/* BADADDR, ILLOP, DIVZERO, KPRIV, UPRIV, TUPOFLOW, BADALIGN,
	 * NOSCRATCH, BADSTACK. */
	static const int order[] = { 1, 3, 4, 6, 7, 8, 2, 5, 9 };
	for (int i = 0; i < 9; i++) {
		unsigned bits = 0;
		for (int j = i; j < 9; j++)
			bits |= 1u << order[j];
		cr_assert_eq(dif_fault_pick(bits), order[i], "step %d", i);
	}
	cr_assert_eq(dif_fault_pick(0), DIF_FAULT_NONE);
}
