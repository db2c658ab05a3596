/*
 * Host regions at scale: many regions are looked up through sorted
 * indexes (docs/limits.md); reads must find exactly the region holding
 * them, toxic ranges must fault wherever they overlap, and the region cap
 * and the no-overlap rule give clean errors.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"

#define N 20000u
#define BASE 0x100000ull
#define STEP 32u /* 16 bytes of region, 16 bytes of gap */

static struct dif_prog *load(struct dif_vm *vm, const char *src)
{
	DIF_OPTS(dif_asm_opts, ao);
	struct dif_module *mod = NULL;
	cr_assert_eq(dif_asm(src, strlen(src), &ao, &mod, NULL), 0);
	struct dif_prog *prog = NULL;
	cr_assert_eq(dif_prog_load(vm, dif_module_get(mod, 0), &prog, NULL), 0);
	dif_module_free(mod);
	return prog;
}

Test(regions, many_regions_sorted_lookup)
{
	uint8_t *bytes = malloc((size_t)N * 16);
	struct dif_region *r = calloc(N + 2, sizeof(*r));
	/* registered in a scrambled order: the index must not care */
	for (uint32_t k = 0; k < N; k++) {
		uint32_t i = (k * 7919u) % N;
		memset(bytes + (size_t)i * 16, (int)(i & 0xff), 16);
		r[k] = (struct dif_region){ BASE + (uint64_t)i * STEP, 16,
		                            bytes + (size_t)i * 16, DIF_AS_KERNEL, 0 };
	}
	/* a toxic hole inside region 5000, and one over a gap */
	r[N] = (struct dif_region){ BASE + 5000ull * STEP + 4, 2, NULL,
	                            DIF_AS_KERNEL, DIF_REGION_TOXIC };
	r[N + 1] = (struct dif_region){ BASE + 7000ull * STEP + 16, 16, NULL,
	                                DIF_AS_KERNEL, DIF_REGION_TOXIC };
	DIF_OPTS(dif_vm_opts, o, .regions = r, .nregions = N + 2);
	struct dif_vm *vm = NULL;
	struct dif_errors errs = { 0 };
	cr_assert_eq(dif_vm_create(&o, &vm, &errs), 0, "%s", errs.list[0].msg);
	struct dif_prog *prog = load(vm, "ldgs arg0, %r1\nldx [%r1], %r2\nret %r2\n");
	struct dif_ctx *ctx = NULL;
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	static const uint32_t probe[] = { 0, 1, 4999, 5000, 6999, 7000, 7001,
	                                  N - 1 };
	for (size_t k = 0; k < sizeof(probe) / sizeof(probe[0]); k++) {
		uint32_t i = probe[k];
		uint64_t want = 0x0101010101010101ull * (i & 0xff);
		for (uint64_t off = 0; off <= 12; off += 4) {
			uint64_t rv;
			dif_ctx_set_arg(ctx, 0, BASE + (uint64_t)i * STEP + off);
			int rc = dif_exec(prog, ctx, &rv);
			int toxic = i == 5000 && off <= 4; /* [4,6) overlaps */
			if (off + 8 > 16 || toxic) {
				/* runs into the gap (or the toxic hole) */
				cr_assert_eq(rc, DIF_E_FAULT, "region %u +%llu", i,
				             (unsigned long long)off);
				cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_BADADDR);
			} else {
				cr_assert_eq(rc, 0, "region %u +%llu", i,
				             (unsigned long long)off);
				cr_assert_eq(rv, want, "region %u", i);
			}
		}
	}
	/* the gap after region 7000 is toxic; after 6999 just unmapped */
	uint8_t b;
	cr_assert_eq(dif_ctx_read(ctx, BASE + 7000ull * STEP + 20, &b, 1),
	             DIF_FAULT_BADADDR);
	cr_assert_eq(dif_ctx_read(ctx, BASE + 7000ull * STEP + 15, &b, 1), 0);
	cr_assert_eq(b, 7000 & 0xff);
	dif_ctx_free(ctx);
	dif_prog_free(prog);
	dif_vm_free(vm);
	free(r);
	free(bytes);
}

Test(regions, cap_and_overlap)
{
	static const uint8_t bytes[64];
	struct dif_region r[2] = {
		{ 0x1000, 64, bytes, DIF_AS_KERNEL, 0 },
		{ 0x103f, 8, bytes, DIF_AS_KERNEL, DIF_REGION_CANLOAD },
	};
	DIF_OPTS(dif_vm_opts, o, .regions = r, .nregions = 2);
	struct dif_vm *vm = NULL;
	struct dif_errors errs = { 0 };
	cr_assert_eq(dif_vm_create(&o, &vm, &errs), DIF_E_INVAL);
	cr_assert(strstr(errs.list[0].msg, "overlap"), "%s", errs.list[0].msg);
	r[1].addr = 0x1040; /* adjacent: fine */
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	dif_vm_free(vm);
	r[1].as = DIF_AS_USER; /* other address space: fine */
	r[1].addr = 0x1000;
	cr_assert_eq(dif_vm_create(&o, &vm, NULL), 0);
	dif_vm_free(vm);
	struct dif_region *many = calloc(65537, sizeof(*many));
	for (size_t i = 0; i < 65537; i++)
		many[i] = (struct dif_region){ 0x10000 + i * 8, 8, bytes,
		                               DIF_AS_KERNEL, 0 };
	DIF_OPTS(dif_vm_opts, m, .regions = many, .nregions = 65537);
	dif_errors_clear(&errs);
	cr_assert_eq(dif_vm_create(&m, &vm, &errs), DIF_E_LIMIT);
	cr_assert(strstr(errs.list[0].msg, "limit 65536"), "%s", errs.list[0].msg);
	m.nregions = 65536;
	cr_assert_eq(dif_vm_create(&m, &vm, NULL), 0);
	dif_vm_free(vm);
	free(many);
}
