/*
 * Execution contexts: per-thread scratch, clause-locals, built-in values,
 * the env-strings window and the last fault.
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"

int dif_ctx_create(struct dif_vm *vm, struct dif_ctx **out)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if (!vm)
		return DIF_E_INVAL;
	struct dif_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return DIF_E_NOMEM;
	ctx->vm = vm;
	atomic_flag_clear(&ctx->busy);
	/* Zeroed: programs may read scratch they did not allocate. One spare
	 * byte past the end takes substr's NUL, which DTrace writes one past
	 * its strsize buffer (nothing can read it there). */
	ctx->scratch = calloc(vm->scratch_size + 1, 1);
	ctx->locals = calloc(1, vm->local_size);
	ctx->keybuf = malloc(vm->chunk);
	ctx->env = calloc(DIF_ENV_NSLOTS, vm->strsize);
	if (!ctx->scratch || !ctx->locals || !ctx->keybuf || !ctx->env) {
		dif_ctx_free(ctx);
		return DIF_E_NOMEM;
	}
	int slot = 0;
	for (int i = 0; i < DIF_BVAR_COUNT; i++) {
		ctx->envslot[i] = -1;
		if ((dif_bvars[i].flags & DIF_BV_STRING) && slot < (int)DIF_ENV_NSLOTS)
			ctx->envslot[i] = (int8_t)slot++;
	}
	struct dif_run *run = &ctx->run;
	run->ctx = ctx;
	run->vm = vm;
	run->profile = vm->profile;
	run->strsize = vm->strsize;
	run->deny = vm->deny;
	run->scratch_base = DIF_WIN_SCRATCH;
	run->scratch_ptr = DIF_WIN_SCRATCH;
	run->scratch_limit = DIF_WIN_SCRATCH + vm->scratch_size;
	run->scratch_buf = ctx->scratch;
	/* Distinct, never-zero xorshift state per context. */
	uint64_t s = atomic_fetch_add(&vm->seed, 0x9e3779b97f4a7c15ull);
	for (int i = 0; i < 2; i++) {
		s += 0x9e3779b97f4a7c15ull;
		uint64_t z = s;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		run->rand_state[i] = (z ^ (z >> 31)) | 1;
	}
	dif_vm_lock(vm);
	DIF_VMLIST_ADD(vm->ctxs, ctx);
	dif_vm_unlock(vm);
	*out = ctx;
	return 0;
}

void dif_ctx_free(struct dif_ctx *ctx)
{
	if (!ctx)
		return;
	struct dif_vm *vm = ctx->vm;
	if (vm && ctx->linked) {
		dif_vm_lock(vm);
		DIF_VMLIST_DEL(vm->ctxs, ctx);
		dif_vm_unlock(vm);
	}
	free(ctx->scratch);
	free(ctx->locals);
	free(ctx->keybuf);
	free(ctx->env);
	free(ctx);
}

int dif_ctx_set_arg(struct dif_ctx *ctx, unsigned i, uint64_t v)
{
	if (!ctx || i >= DIF_CTX_NARGS)
		return DIF_E_INVAL;
	ctx->args[i] = v;
	return 0;
}

static const struct dif_bvarinfo *bvar(struct dif_ctx *ctx, unsigned id)
{
	return ctx && ctx->vm ? dif_bvar_lookup(id, ctx->vm->profile) : NULL;
}

int dif_ctx_set_var(struct dif_ctx *ctx, unsigned id, uint64_t v)
{
	const struct dif_bvarinfo *bv = bvar(ctx, id);
	if (!bv || (bv->flags & (DIF_BV_STRING | DIF_BV_ARRAY)))
		return DIF_E_INVAL;
	if (id >= DIF_VARID_ARG0 && id <= DIF_VARID_ARG9)
		ctx->args[id - DIF_VARID_ARG0] = v;
	size_t i = (size_t)(bv - dif_bvars);
	ctx->bvals[i] = v;
	ctx->bset[i] = 1;
	return 0;
}

int dif_ctx_set_string(struct dif_ctx *ctx, unsigned id, const char *s)
{
	const struct dif_bvarinfo *bv = bvar(ctx, id);
	if (!bv || !(bv->flags & DIF_BV_STRING) || !s)
		return DIF_E_INVAL;
	int slot = ctx->envslot[bv - dif_bvars];
	if (slot < 0)
		return DIF_E_LIMIT;
	uint32_t cap = ctx->vm->strsize;
	char *dst = ctx->env + (size_t)slot * cap;
	size_t n = strlen(s);
	if (n >= cap)
		n = cap - 1; /* truncated to strsize like any D string */
	memcpy(dst, s, n);
	memset(dst + n, 0, cap - n);
	ctx->bset[bv - dif_bvars] = 1;
	return 0;
}

int dif_ctx_set_thread(struct dif_ctx *ctx, uint64_t key)
{
	if (!ctx || key < DIF_THREAD_KEY_MIN)
		return DIF_E_INVAL;
	ctx->thread = key;
	ctx->thread_set = true;
	return 0;
}

void *dif_ctx_user(const struct dif_ctx *ctx)
{
	return ctx ? ctx->user : NULL;
}

void dif_ctx_set_user(struct dif_ctx *ctx, void *user)
{
	if (ctx)
		ctx->user = user;
}

const struct dif_fault *dif_ctx_fault(const struct dif_ctx *ctx)
{
	return ctx ? &ctx->fault : NULL;
}

int dif_ctx_read(struct dif_ctx *ctx, uint64_t addr, void *buf, size_t len)
{
	if (!ctx || !ctx->vm || (!buf && len))
		return DIF_FAULT_BADADDR;
	return dif_mem_read(&ctx->run, DIF_AS_KERNEL, addr, buf, len);
}

uint64_t dif_rand_next(struct dif_run *run)
{
	/* xorshift128+ */
	uint64_t s1 = run->rand_state[0];
	const uint64_t s0 = run->rand_state[1];
	run->rand_state[0] = s0;
	s1 ^= s1 << 23;
	run->rand_state[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
	return run->rand_state[1] + s0;
}

uint64_t dif_ctx_reg(const struct dif_ctx *ctx, unsigned i)
{
	return i < DIF_NREGS ? ctx->run.regs[i] : 0;
}
