/*
 * libFuzzer harness for the verifier: the input is instruction words (and
 * a configuration byte). Programs the validator accepts are analysed and
 * run once through the trace hook; the run must stay inside the computed
 * states (registers and tuple depth) or the harness aborts. typecheck/ and
 * cfg/ are compiled in for coverage.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/typecheck.h"

struct fz {
	const struct dif_tc *tc;
	uint32_t n;
};

static void on_step(void *ud, const struct dif_trace_state *st)
{
	const struct fz *z = ud;
	struct dif_tc_state a;
	if (st->pc >= z->n || dif_tc_state_at(z->tc, 0, st->pc, &a) != 0)
		abort();
	if (!a.reached || st->ttop < a.tdepth_min || st->ttop > a.tdepth_max)
		abort();
	for (unsigned r = 0; r < DIF_NREGS; r++)
		if (!dif_tc_value_contains(&a.regs[r], st->regs[r]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t ints[] = { 0, 1, 8, 63, 64, 255, ~0ull,
		                             0x8000000000000000ull };
	static const char strs[] = "\0abc\0hello";
	if (size < 5)
		return 0;
	uint8_t cfg = data[0];
	uint32_t n = (uint32_t)((size - 1) / 4);
	if (n > 256)
		n = 256;
	uint32_t text[257];
	memcpy(text, data + 1, n * 4);
	text[n++] = 0x23000000u; /* ret %r0 */
	DIF_OPTS(dif_difo_parts, parts, .name = "fuzz", .text = text, .textlen = n,
	         .inttab = ints, .intlen = 8, .strtab = strs,
	         .strlen = sizeof(strs),
	         .rtype = { .kind = DIF_TYPE_CTF, .ckind = 1, .size = 8 });
	struct dif_difo *d;
	if (dif_difo_create(&parts, &d, NULL))
		return 0;
	enum dif_profile prof = cfg & 1 ? DIF_PROFILE_ILLUMOS : DIF_PROFILE_FREEBSD;
	DIF_OPTS(dif_validate_opts, vo, .profile = prof);
	if (dif_validate(d, &vo, NULL) != 0) {
		dif_difo_free(d);
		return 0;
	}
	struct dif_module *mod = dif_module_new();
	if (!mod || dif_module_add(mod, d)) {
		dif_module_free(mod);
		return 0;
	}
	uint64_t scratch = cfg & 2 ? 64 : 0;
	DIF_OPTS(dif_tc_opts, to, .profile = prof, .scratch_size = scratch,
	         .deny = (cfg >> 2) & 0xf, .flags = DIF_TC_KEEP_STATES);
	struct dif_tc *tc;
	if (dif_typecheck(mod, &to, &tc) == 0) {
		DIF_OPTS(dif_vm_opts, vmo, .profile = prof, .scratch_size = scratch,
		         .deny = (cfg >> 2) & 0xf, .static_size = 4096,
		         .local_size = 4096, .dynvar_size = 65536);
		struct dif_vm *vm;
		struct dif_prog *prog;
		struct dif_ctx *ctx;
		if (dif_vm_create(&vmo, &vm, NULL) == 0) {
			if (dif_prog_load(vm, dif_module_get(mod, 0), &prog, NULL) == 0) {
				if (dif_ctx_create(vm, &ctx) == 0) {
					struct fz z = { tc, n };
					uint64_t rv;
					dif_exec_traced(prog, ctx, &rv, on_step, &z);
					dif_ctx_free(ctx);
				}
				dif_prog_free(prog);
			}
			dif_vm_free(vm);
		}
		dif_tc_free(tc);
	}
	dif_module_free(mod);
	return 0;
}
