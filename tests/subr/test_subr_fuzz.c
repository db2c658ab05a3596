/*
 * Every subroutine with arbitrary arguments, strsize, scratch size and
 * privileges: each run must end in a result or a fault, and (under the
 * sanitizers) never touch memory it does not own. Deterministic.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const uint64_t pool[] = {
	0, 1, 2, 3, 8, 10, 16, 26, 28, 36, 37, 4096, 4097,
	UINT64_MAX, UINT64_MAX - 7, (uint64_t)INT64_MIN, (uint64_t)INT64_MAX,
	0xd1f1000000000000ull, 0xd1f1000000000008ull, 0xd1f1000000000100ull,
	0xd1f100000000ffffull, 0xd1f0000000000000ull, 0xd1f0000000000001ull,
	0xd1f2000000000000ull, 0xd1f4000000000000ull, 0xd1f5000000000000ull,
	0x10000, 0x10005, 0x1000f, 0x10010, 0x4000, 0x7000000, 0x70000ff,
};

static char region[16] = "abc/d.e//..\0xyz";
static char kern[256];

static int h_read(void *ud, enum dif_as as, uint64_t addr, void *buf,
                  size_t len)
{
	(void)ud;
	(void)as;
	if (addr < 0x7000000 || addr - 0x7000000 > sizeof(kern) ||
	    len > sizeof(kern) - (addr - 0x7000000))
		return DIF_FAULT_BADADDR;
	memcpy(buf, kern + (addr - 0x7000000), len);
	return 0;
}

static int h_write(void *ud, uint64_t addr, const void *buf, size_t len)
{
	(void)ud;
	(void)buf;
	return addr == 0x4000 && len <= 64 ? 0 : DIF_FAULT_BADADDR;
}

struct outcome {
	int rc, code;
	uint64_t rv;
};

static struct outcome run_once(const struct dif_vm_opts *vo,
                               enum dif_profile prof, const char *text)
{
	struct dif_errors errs = { 0 };
	struct dif_vm *vm = NULL;
	struct dif_ctx *ctx = NULL;
	struct dif_module *mod = NULL;
	struct dif_prog *prog = NULL;
	struct outcome o = { 0, 0, 0 };

	cr_assert_eq(dif_vm_create(vo, &vm, &errs), 0);
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	DIF_OPTS(dif_asm_opts, ao, .profile = prof);
	cr_assert_eq(dif_asm(text, strlen(text), &ao, &mod, &errs), 0, "%s", text);
	cr_assert_eq(dif_prog_load(vm, dif_module_get(mod, 0), &prog, &errs), 0,
	             "%s", text);
	o.rc = dif_exec(prog, ctx, &o.rv);
	cr_assert(o.rc == 0 || o.rc == DIF_E_FAULT, "rc %d\n%s", o.rc, text);
	if (o.rc) {
		o.code = dif_ctx_fault(ctx)->code;
		cr_assert(o.code >= DIF_FAULT_BADADDR && o.code <= DIF_FAULT_BADSTACK);
		cr_assert_eq(o.rv, 0);
	}
	dif_prog_free(prog);
	dif_module_free(mod);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
	return o;
}

Test(fuzz, every_subroutine_survives_any_arguments)
{
	static const uint32_t strsizes[] = { 1, 2, 5, 16, 256 };
	static const uint64_t scratches[] = { 1, 7, 64, 300, 65536 };
	static const uint32_t denies[] = { 0, DIF_DENY_KERNEL,
	                                   DIF_DENY_KERNEL | DIF_DENY_OWNER, 0xf };
	int runs = 0, faults = 0;
	char text[2048];

	for (int i = 0; i < (int)sizeof(kern) - 1; i++)
		kern[i] = (char)(i % 7 == 6 ? '/' : '!' + i % 90);

	for (int iter = 0; iter < 1500; iter++) {
		enum dif_profile prof = (iter & 1) ? DIF_PROFILE_ILLUMOS
		                                   : DIF_PROFILE_FREEBSD;
		unsigned nsub = dif_subr_max(prof) + 1;
		unsigned subr = (unsigned)(next() % nsub);
		if (!dif_subr_name(subr, prof))
			continue;
		struct dif_region reg = { .addr = 0x10000, .size = sizeof(region),
		                          .bytes = region, .as = DIF_AS_KERNEL,
		                          .flags = DIF_REGION_CANLOAD };
		DIF_OPTS(dif_host, host, .read = h_read, .write = h_write);
		DIF_OPTS(dif_vm_opts, vo, .profile = prof,
		         .strsize = strsizes[next() % 5],
		         .scratch_size = scratches[next() % 5],
		         .deny = denies[next() % 4], .host = &host,
		         .regions = &reg, .nregions = 1);

		/* Up to 4 arguments, each a pool value, a string table
		 * string or a random number; called twice (scratch use,
		 * strtok continuation). */
		int n = snprintf(text, sizeof(text),
		                 ".difo f\n\tsets \"/a/./b/../c//d\", %%r1\n"
		                 "\tsets \"{\\\"a\\\":[1,{\\\"b\\\":2}]}\", %%r2\n"
		                 "\tsets \"a[1].b\", %%r3\n");
		unsigned nargs = (unsigned)(next() % 5);
		for (unsigned a = 0; a < nargs; a++) {
			uint64_t r = next();
			unsigned kind = (unsigned)(r % 4);
			if (kind == 0) {
				n += snprintf(text + n, sizeof(text) - (size_t)n,
				              "\tpushtr string, %%r0, %%r%u\n",
				              1 + (unsigned)(r >> 8) % 3);
			} else {
				uint64_t v = kind == 1 ? r : pool[(r >> 8) % (sizeof(pool) / sizeof(pool[0]))];
				n += snprintf(text + n, sizeof(text) - (size_t)n,
				              "\tsetx 0x%" PRIx64 ", %%r4\n"
				              "\tpushtv ctf, %%r4\n", v);
			}
		}
		n += snprintf(text + n, sizeof(text) - (size_t)n,
		              "\tcall %u, %%r5\n\tcall %u, %%r6\n"
		              "\tadd %%r5, %%r6, %%r5\n\tret %%r5\n",
		              subr, subr);
		cr_assert_lt(n, (int)sizeof(text));

		struct outcome a = run_once(&vo, prof, text);
		struct outcome b = run_once(&vo, prof, text);
		/* Same program, fresh VM: same outcome (rand aside). */
		if (strcmp(dif_subr_name(subr, prof), "rand") != 0) {
			cr_assert_eq(a.rc, b.rc, "%s", text);
			cr_assert_eq(a.code, b.code, "%s", text);
			cr_assert_eq(a.rv, b.rv, "%s", text);
		}
		if (getenv("SUBR_FUZZ_TRACE"))
			fprintf(stderr, "%d %u %d %d 0x%" PRIx64 "\n%s\n", iter, subr,
			        a.rc, a.code, a.rv, text);
		faults += a.rc != 0;
		runs++;
	}
	cr_log_info("%d runs, %d faulted", runs, faults);
	cr_assert_gt(runs, 1000);
	cr_assert_gt(faults, 0);
	cr_assert_lt(faults, runs);
}
