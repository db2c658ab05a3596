/*
 * The interpreter loop, included by interp.c: as exec_core (the dif_exec
 * hot path, EXEC_TRACED 0) and, when interp_trace.c compiles interp.c
 * again, as exec_traced (EXEC_TRACED 1), which calls a trace function
 * before every instruction. The plain variant compiles to exactly the
 * code it had before tracing existed.
 */
#if EXEC_TRACED
#define TRACE_HOOK()                                              \
	do {                                                          \
		if (fn) {                                                 \
			struct dif_trace_state ts_ = {                        \
				.pc = (uint32_t)(ip - base),                      \
				.regs = R,                                        \
				.cc = cc,                                         \
				.ttop = run->ttop,                                \
				.tval = run->tval,                                \
				.tsize = run->tsize,                              \
				.scratch_used = run->scratch_ptr - run->scratch_base, \
				.scratch_size = run->scratch_limit - run->scratch_base, \
				.scratch_base = run->scratch_base,                \
			};                                                    \
			fn(ud, &ts_);                                         \
		}                                                         \
	} while (0)
#if DIFVM_COMPUTED_GOTO
#define DISPATCH()                 \
	do {                           \
		TRACE_HOOK();              \
		goto *labels[ip->h];       \
	} while (0)
#else
#define DISPATCH() goto dispatch
#endif
#define DISPATCH_TOP() TRACE_HOOK()
#else
#if DIFVM_COMPUTED_GOTO
#define DISPATCH() goto *ip->hp
#else
#define DISPATCH() goto dispatch
#endif
#define DISPATCH_TOP()
#endif

/* GCC: keep one indirect jump per handler (no cross-jumping) and keep the
 * instruction pointer in a register (no GCSE), as its manual advises for
 * computed-goto interpreters. */
#if DIFVM_COMPUTED_GOTO && defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-gcse", "no-crossjumping")))
#endif
__attribute__((noinline))
#if EXEC_TRACED
static int exec_traced(const struct dif_prog *prog, struct dif_ctx *ctx,
                       uint64_t *rval, dif_trace_fn fn, void *ud)
#else
static int exec_core(const struct dif_prog *prog, struct dif_ctx *ctx,
                     uint64_t *rval, const void *const **labels_out)
#endif
{
#if DIFVM_COMPUTED_GOTO
	static const void *const labels[H_COUNT] = {
		[H_NONE_] = &&L_ILLEGAL,
#define DIF_OPC(name, code, mnem, cls, fl) [H_##name] = &&L_##name,
#include "isa.def"
#undef DIF_OPC
		[H_ILLEGAL] = &&L_ILLEGAL,
		[H_PRIVFAULT] = &&L_PRIVFAULT,
		[H_LDGS_ARGN] = &&L_LDGS_ARGN,
		[H_LDGS_BVAR] = &&L_LDGS_BVAR,
		[H_LDGS_STR] = &&L_LDGS_STR,
		[H_LDGS_REF] = &&L_LDGS_REF,
		[H_STGS_REF] = &&L_STGS_REF,
		[H_LDLS_ZERO] = &&L_LDLS_ZERO,
		[H_LDLS_REF] = &&L_LDLS_REF,
		[H_STLS_REF] = &&L_STLS_REF,
	};
#if !EXEC_TRACED
	if (__builtin_expect(labels_out != NULL, 0)) {
		*labels_out = labels;
		return 0;
	}
#endif
#elif !EXEC_TRACED
	if (labels_out) {
		*labels_out = NULL;
		return 0;
	}
#endif
	struct dif_run *run = &ctx->run;
	uint64_t *R = run->regs;
	const struct dif_insn *base = prog->insns, *ip = base;
	unsigned cc = 0;
	memset(R, 0, sizeof(run->regs));
	run->ttop = 0;
	/* Subroutines read tuple slots past the top, as DTrace does: start
	 * every execution from zeros. */
	memset(run->tval, 0, sizeof(run->tval));
	run->fbits = 0;
	run->reason = NULL;
	run->prog = prog;
	run->scratch_ptr = run->scratch_base;
	run->strtok_next = 0;

#if DIFVM_COMPUTED_GOTO
	DISPATCH();
#else
dispatch:
	DISPATCH_TOP();
	switch (ip->h) {
#endif
	ALU(OR, a | b)
	ALU(XOR, a ^ b)
	ALU(AND, a & b)
	/* Shift counts are masked to 6 bits, as x86-64 and arm64 do. */
	ALU(SLL, a << (b & 63))
	ALU(SRL, a >> (b & 63))
	ALU(SRA, (uint64_t)((int64_t)a >> (b & 63)))
	ALU(SUB, a - b)
	ALU(ADD, a + b)
	ALU(MUL, a * b)
	ALU(NOT, ~a)
	ALU(MOV, a)

	CASE(SDIV)
	CASE(SREM)
	{
		uint64_t a = R[ip->r1], b = R[ip->r2];
		if (b == 0 || (a == (uint64_t)INT64_MIN && b == UINT64_MAX)) {
			/* INT64_MIN / -1 traps on x86; illumos reports DIVZERO. */
			R[ip->rd] = 0;
			dif_fault(run, DIF_FAULT_DIVZERO, 0);
			goto fault;
		}
		if (ip->h == H_SDIV)
			R[ip->rd] = (uint64_t)((int64_t)a / (int64_t)b);
		else
			R[ip->rd] = (uint64_t)((int64_t)a % (int64_t)b);
		NEXT();
	}
	CASE(UDIV)
	CASE(UREM)
	{
		uint64_t a = R[ip->r1], b = R[ip->r2];
		if (b == 0) {
			R[ip->rd] = 0;
			dif_fault(run, DIF_FAULT_DIVZERO, 0);
			goto fault;
		}
		R[ip->rd] = ip->h == H_UDIV ? a / b : a % b;
		NEXT();
	}

	CASE(CMP)
	{
		uint64_t a = R[ip->r1], b = R[ip->r2];
		cc = ((int64_t)(a - b) < 0 ? DIF_CC_N : 0) | (a == b ? DIF_CC_Z : 0) |
		     (a < b ? DIF_CC_C : 0);
		NEXT();
	}
	CASE(TST)
	cc = R[ip->r1] == 0 ? DIF_CC_Z : 0;
	NEXT();
	CASE(SCMP)
	{
		unsigned ncc = do_scmp(run, R[ip->r1], R[ip->r2]);
		if (ncc != UINT32_MAX)
			cc = ncc;
		CHECK();
		NEXT();
	}

#define NV (((cc & DIF_CC_N) != 0) != ((cc & DIF_CC_V) != 0))
	BRANCH(BA, 1)
	BRANCH(BE, cc & DIF_CC_Z)
	BRANCH(BNE, !(cc & DIF_CC_Z))
	BRANCH(BG, !((cc & DIF_CC_Z) || NV))
	BRANCH(BGU, !(cc & (DIF_CC_C | DIF_CC_Z)))
	BRANCH(BGE, !NV)
	BRANCH(BGEU, !(cc & DIF_CC_C))
	BRANCH(BL, NV)
	BRANCH(BLU, cc & DIF_CC_C)
	BRANCH(BLE, (cc & DIF_CC_Z) || NV)
	BRANCH(BLEU, cc & (DIF_CC_C | DIF_CC_Z))
#undef NV

	LOAD(LDSB, int8_t, int64_t, DIF_AS_KERNEL, 0)
	LOAD(LDSH, int16_t, int64_t, DIF_AS_KERNEL, 0)
	LOAD(LDSW, int32_t, int64_t, DIF_AS_KERNEL, 0)
	LOAD(LDUB, uint8_t, uint64_t, DIF_AS_KERNEL, 0)
	LOAD(LDUH, uint16_t, uint64_t, DIF_AS_KERNEL, 0)
	LOAD(LDUW, uint32_t, uint64_t, DIF_AS_KERNEL, 0)
	LOAD(LDX, uint64_t, uint64_t, DIF_AS_KERNEL, 0)
	LOAD(RLDSB, int8_t, int64_t, DIF_AS_KERNEL, 1)
	LOAD(RLDSH, int16_t, int64_t, DIF_AS_KERNEL, 1)
	LOAD(RLDSW, int32_t, int64_t, DIF_AS_KERNEL, 1)
	LOAD(RLDUB, uint8_t, uint64_t, DIF_AS_KERNEL, 1)
	LOAD(RLDUH, uint16_t, uint64_t, DIF_AS_KERNEL, 1)
	LOAD(RLDUW, uint32_t, uint64_t, DIF_AS_KERNEL, 1)
	LOAD(RLDX, uint64_t, uint64_t, DIF_AS_KERNEL, 1)
	LOAD(ULDSB, int8_t, int64_t, DIF_AS_USER, 0)
	LOAD(ULDSH, int16_t, int64_t, DIF_AS_USER, 0)
	LOAD(ULDSW, int32_t, int64_t, DIF_AS_USER, 0)
	LOAD(ULDUB, uint8_t, uint64_t, DIF_AS_USER, 0)
	LOAD(ULDUH, uint16_t, uint64_t, DIF_AS_USER, 0)
	LOAD(ULDUW, uint32_t, uint64_t, DIF_AS_USER, 0)
	LOAD(ULDX, uint64_t, uint64_t, DIF_AS_USER, 0)

	STORE(STB, 1)
	STORE(STH, 2)
	STORE(STW, 4)
	STORE(STX, 8)

	CASE(RET)
	*rval = R[ip->rd];
	ctx->fault.code = DIF_FAULT_NONE;
	return 0;

	CASE(NOP)
	NEXT();

	CASE(SETX)
	CASE(SETS)
	R[ip->rd] = ip->k;
	NEXT();

	CASE(LDGA)
	R[ip->rd] = do_ldga(run, ip->r1, R[ip->r2]);
	CHECK();
	NEXT();

	CASE(LDTA)
	R[ip->rd] = 0;
	dif_fault_why(run, DIF_FAULT_ILLOP, 0, "no thread-local built-in arrays");
	goto fault;

	CASE(STGA)
	do_stga(run, ip->r1, R[ip->r2], R[ip->rd]);
	CHECK();
	NEXT();

	CASE(PRIVFAULT)
	R[ip->rd] = 0;
	dif_fault(run, ip->w, 0);
	goto fault;

	CASE(LDGS_ARGN)
	{
		uint64_t v;
		int rc = host_var(run, DIF_VARID_ARG0 + (unsigned)ip->k, 0, &v);
		if (rc == DIF_HOST_DEFAULT)
			v = ctx->args[ip->k];
		else if (rc) {
			R[ip->rd] = 0;
			dif_fault(run, rc, 0);
			goto fault;
		}
		R[ip->rd] = v;
		NEXT();
	}
	CASE(LDGS_BVAR)
	R[ip->rd] = do_bvar(run, ip->aux, ip->aux2);
	CHECK();
	NEXT();
	CASE(LDGS_STR)
	R[ip->rd] = do_bstr(run, ip->aux, ip->aux2);
	CHECK();
	NEXT();

	CASE(LDGS)
	R[ip->rd] = __atomic_load_n((uint64_t *)(uintptr_t)ip->k, __ATOMIC_RELAXED);
	NEXT();
	CASE(STGS)
	__atomic_store_n((uint64_t *)(uintptr_t)ip->k, R[ip->rd], __ATOMIC_RELAXED);
	NEXT();
	CASE(LDGS_REF)
	R[ip->rd] = dif_static_load_ref(run, &prog->slots[ip->aux2]);
	NEXT();
	CASE(STGS_REF)
	CASE(STLS_REF)
	dif_static_store_ref(run, &prog->slots[ip->aux2], R[ip->rd]);
	CHECK();
	NEXT();

	CASE(LDLS)
	memcpy(&R[ip->rd], ctx->locals + ip->k, 8);
	NEXT();
	CASE(STLS)
	memcpy(ctx->locals + ip->k, &R[ip->rd], 8);
	NEXT();
	CASE(LDLS_ZERO)
	R[ip->rd] = 0;
	NEXT();
	CASE(LDLS_REF)
	R[ip->rd] = dif_static_load_ref(run, &prog->slots[ip->aux2]);
	NEXT();

	CASE(LDTS)
	CASE(LDGAA)
	CASE(LDTAA)
	R[ip->rd] = dif_dyn_load(run, &prog->slots[ip->aux2], ip->h != H_LDTS);
	CHECK();
	NEXT();
	CASE(STTS)
	CASE(STGAA)
	CASE(STTAA)
	dif_dyn_store(run, &prog->slots[ip->aux2], ip->h != H_STTS, R[ip->rd]);
	CHECK();
	NEXT();

	CASE(PUSHTV)
	if (run->ttop >= DIF_NTREGS) {
		dif_fault(run, DIF_FAULT_TUPOFLOW, 0);
		goto fault;
	}
	run->tval[run->ttop] = R[ip->rd];
	run->tsize[run->ttop] = 0;
	run->ttop++;
	NEXT();
	CASE(PUSHTR)
	do_pushtr(run, ip->w, R[ip->r2], R[ip->rd]);
	CHECK();
	NEXT();
	CASE(POPTS)
	if (run->ttop)
		run->ttop--;
	NEXT();
	CASE(FLUSHTS)
	run->ttop = 0;
	NEXT();

	CASE(ALLOCS)
	R[ip->rd] = dif_scratch_alloc(run, R[ip->r1], true);
	CHECK();
	NEXT();
	CASE(COPYS)
	do_copys(run, R[ip->r1], R[ip->r2], R[ip->rd]);
	CHECK();
	NEXT();

	CASE(CALL)
	do_call(run, ip);
	CHECK();
	NEXT();

	CASE(XLATE)
	CASE(XLARG)
	CASE(ILLEGAL)
	dif_fault_why(run, DIF_FAULT_ILLOP, 0,
	              ip->k ? (const char *)(uintptr_t)ip->k : reason_invalid);
	goto fault;
#if !DIFVM_COMPUTED_GOTO
	default:
		dif_fault_why(run, DIF_FAULT_ILLOP, 0, reason_invalid);
		goto fault;
	}
#endif

fault:
	ctx->fault.code = dif_fault_pick(run->fbits);
	ctx->fault.pc = (uint32_t)(ip - base);
	ctx->fault.addr = run->illval;
	ctx->fault.reason = run->reason;
	*rval = 0;
	return DIF_E_FAULT;
}


#undef TRACE_HOOK
#undef DISPATCH
#undef DISPATCH_TOP
