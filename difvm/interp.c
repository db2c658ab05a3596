/*
 * The DIF interpreter: pre-decoding at load time and the dispatch loop.
 *
 * Every word is decoded once into a struct dif_insn whose handler index is
 * the opcode, or a specialised handler when the operands decide the
 * behaviour at load time (built-in vs user variable, by-value vs by-ref,
 * privilege already known to fault). Dispatch is a computed goto through a
 * table generated from isa.def (DIFVM_COMPUTED_GOTO=1) or a switch.
 *
 * The validator has proved register numbers, branch targets (strictly
 * forward, inside the text), table indexes and the final RET, so the loop
 * re-checks none of them.
 */
#include <string.h>

#include "exec.h"

#ifndef DIFVM_COMPUTED_GOTO
#define DIFVM_COMPUTED_GOTO 0
#endif
/* interp_trace.c compiles this file again with EXEC_TRACED 1: the traced
 * loop lives in its own translation unit so that the helpers below are
 * inlined into exec_core exactly as they were before tracing existed. */
#ifndef EXEC_TRACED
#define EXEC_TRACED 0
#endif

enum dif_handler {
	H_NONE_ = 0,
#define DIF_OPC(name, code, mnem, cls, fl) H_##name = code,
#include "isa.def"
#undef DIF_OPC
	H_ILLEGAL = DIF_OP_COUNT, /* fault ILLOP (reason in insn.k) */
	H_PRIVFAULT,              /* fault code insn.w, rd = 0 */
	H_LDGS_ARGN,              /* arg0..arg9: aux2 = n */
	H_LDGS_BVAR,              /* integer built-in: aux2 = bvar index */
	H_LDGS_STR,               /* string built-in: aux2 = bvar index */
	H_LDGS_REF,               /* user global, by-ref */
	H_STGS_REF,
	H_LDLS_ZERO,              /* LDLS of a built-in id: 0 */
	H_LDLS_REF,
	H_STLS_REF,
	H_COUNT
};

/* ---------------------------------------------------------------------
 * Decoding.
 */

#if !EXEC_TRACED
static const char *const reason_ldts_builtin =
	"no thread-local or associative built-in variables";

static int decode_var(struct dif_prog *p, const struct dif_difo *d,
                      unsigned op, struct dif_insn *in, struct dif_errors *errs)
{
	struct dif_vm *vm = p->vm;
	unsigned id = in->aux;
	uint32_t slot;
	int rc;
	switch (op) {
	case DIF_OPC_LDGS:
		if (id < DIF_VAR_OTHER_UBASE) {
			const struct dif_bvarinfo *bv = dif_bvar_lookup(id, vm->profile);
			in->aux2 = UINT32_MAX;
			in->h = H_LDGS_BVAR;
			if (!bv)
				return 0; /* unknown: host callback or ILLOP */
			unsigned fl = bv->flags;
			bool kpriv = (fl & DIF_BV_KPRIV) ||
			             (id == DIF_VARID_ZONENAME &&
			              vm->profile == DIF_PROFILE_FREEBSD);
			bool upriv = (fl & DIF_BV_UPRIV) ||
			             ((fl & DIF_BV_UPRIV_IL) &&
			              vm->profile == DIF_PROFILE_ILLUMOS);
			if (kpriv && (vm->deny & DIF_DENY_KERNEL)) {
				in->h = H_PRIVFAULT;
				in->w = DIF_FAULT_KPRIV;
				return 0;
			}
			if (upriv && (vm->deny & DIF_DENY_PROC)) {
				in->h = H_PRIVFAULT;
				in->w = DIF_FAULT_UPRIV;
				return 0;
			}
			in->aux2 = (uint32_t)(bv - dif_bvars);
			if (id >= DIF_VARID_ARG0 && id <= DIF_VARID_ARG9) {
				in->h = H_LDGS_ARGN;
				in->k = id - DIF_VARID_ARG0;
			} else if (fl & DIF_BV_STRING) {
				in->h = H_LDGS_STR;
			}
			return 0;
		}
		/* fall through */
	case DIF_OPC_STGS:
		rc = dif_var_resolve(vm, p, d, DIF_VSCOPE_GLOBAL, id,
		                     DIF_VKIND_SCALAR, &slot, errs);
		if (rc)
			return rc;
		in->aux2 = slot;
		if (p->slots[slot].byref)
			in->h = op == DIF_OPC_LDGS ? H_LDGS_REF : H_STGS_REF;
		else
			in->k = (uint64_t)(uintptr_t)(vm->statics + p->slots[slot].off);
		return 0;
	case DIF_OPC_LDLS:
		if (id < DIF_VAR_OTHER_UBASE) {
			in->h = H_LDLS_ZERO;
			return 0;
		}
		/* fall through */
	case DIF_OPC_STLS:
		rc = dif_var_resolve(vm, p, d, DIF_VSCOPE_LOCAL, id,
		                     DIF_VKIND_SCALAR, &slot, errs);
		if (rc)
			return rc;
		in->aux2 = slot;
		in->k = p->slots[slot].off;
		if (p->slots[slot].byref)
			in->h = op == DIF_OPC_LDLS ? H_LDLS_REF : H_STLS_REF;
		return 0;
	case DIF_OPC_LDTS:
	case DIF_OPC_STTS:
	case DIF_OPC_LDGAA:
	case DIF_OPC_STGAA:
	case DIF_OPC_LDTAA:
	case DIF_OPC_STTAA: {
		if (id < DIF_VAR_OTHER_UBASE) {
			in->h = H_ILLEGAL;
			in->k = (uint64_t)(uintptr_t)reason_ldts_builtin;
			return 0;
		}
		bool thread = op == DIF_OPC_LDTS || op == DIF_OPC_STTS ||
		              op == DIF_OPC_LDTAA || op == DIF_OPC_STTAA;
		bool assoc = op != DIF_OPC_LDTS && op != DIF_OPC_STTS;
		rc = dif_var_resolve(vm, p, d,
		                     thread ? DIF_VSCOPE_THREAD : DIF_VSCOPE_GLOBAL, id,
		                     assoc ? DIF_VKIND_ARRAY : DIF_VKIND_SCALAR, &slot,
		                     errs);
		if (rc)
			return rc;
		in->aux2 = slot;
		return 0;
	}
	}
	return 0;
}

#endif /* !EXEC_TRACED */

static const char *const reason_invalid = "invalid opcode for this profile";

#if !EXEC_TRACED

static int exec_core(const struct dif_prog *prog, struct dif_ctx *ctx,
                     uint64_t *rval, const void *const **labels_out);

int dif_decode(struct dif_prog *p, const struct dif_difo *d,
               const uint32_t *text, struct dif_errors *errs)
{
	enum dif_profile prof = p->vm->profile;
	const void *const *labels = NULL;
	exec_core(NULL, NULL, NULL, &labels);
	for (uint32_t pc = 0; pc < p->ninsns; pc++) {
		uint32_t w = text[pc];
		struct dif_insn *in = &p->insns[pc];
		unsigned op = DIF_I_OP(w);
		const struct dif_opinfo *oi = dif_isa_lookup(op, prof);
		memset(in, 0, sizeof(*in));
		in->r1 = (uint8_t)DIF_I_R1(w);
		in->r2 = (uint8_t)DIF_I_R2(w);
		in->rd = (uint8_t)DIF_I_RD(w);
		if (!oi || oi->cls == DIF_IC_XLATE || (oi->flags & DIF_F_RELOC)) {
			in->h = H_ILLEGAL;
			in->k = (uint64_t)(uintptr_t)reason_invalid;
			continue;
		}
		const struct dif_reloc *rl = dif_difo_reloc_at(d, pc);
		if (rl && rl->kind == DIF_RELOC_POISON) {
			/* Linked with --poison: fault with the recorded reason. */
			in->h = H_ILLEGAL;
			in->k = (uint64_t)(uintptr_t)(p->symtab + rl->path);
			continue;
		}
		in->h = (uint16_t)op;
		in->w = (uint8_t)(oi->flags & DIF_F_WIDTH);
		switch (oi->cls) {
		case DIF_IC_BRANCH:
			in->aux = DIF_I_LABEL(w);
			break;
		case DIF_IC_SETX:
			in->k = d->inttab[DIF_I_INDEX(w)];
			break;
		case DIF_IC_SETS:
			in->k = DIF_WIN_STRTAB + DIF_I_INDEX(w);
			break;
		case DIF_IC_CALL: {
			in->aux = DIF_I_INDEX(w);
			int sid = dif_subr_lookup(in->aux, prof);
			in->sid = sid < 0 ? UINT16_MAX : (uint16_t)sid;
			break;
		}
		case DIF_IC_PUSHTR:
		case DIF_IC_PUSHTV:
			in->w = (uint8_t)DIF_I_TYPE(w);
			break;
		case DIF_IC_LDV:
		case DIF_IC_STV: {
			in->aux = DIF_I_INDEX(w);
			int rc = decode_var(p, d, op, in, errs);
			if (rc)
				return rc;
			break;
		}
		default:
			break;
		}
	}
	/* Direct threading: each record carries its handler's address. */
	for (uint32_t pc = 0; labels && pc < p->ninsns; pc++)
		p->insns[pc].hp = labels[p->insns[pc].h];
	return 0;
}

#endif /* !EXEC_TRACED */

/* ---------------------------------------------------------------------
 * Helpers for the loop (kept out of line: they are the slow paths).
 */

/* A byte of a string at a DIF address for SCMP (NULL reads as NUL). */
static int str_byte(struct dif_run *run, uint64_t addr, uint8_t *c)
{
	const uint8_t *p = dif_vm_ptr(run, addr, 1);
	if (p) {
		*c = *p;
		return 0;
	}
	return dif_mem_read(run, DIF_AS_KERNEL, addr, c, 1);
}

/* strcanload as SCMP uses it: the limit is the bytes left in the region
 * (strsize with kernel visibility). */
static bool scmp_check(struct dif_run *run, uint64_t addr, uint64_t *lim)
{
	uint64_t rem;
	if (!(run->deny & DIF_DENY_KERNEL)) {
		*lim = run->strsize;
		return true;
	}
	if (!dif_canload_rem(run, addr, 0, &rem))
		return false;
	uint64_t bound = run->strsize < rem ? run->strsize : rem;
	uint64_t n = dif_strnlen(run, addr, bound);
	if (run->fbits || n >= rem)
		return false; /* no NUL inside the region: silent (2.3) */
	*lim = rem;
	return true;
}

/* Returns the new condition codes, or UINT32_MAX when the flags must stay
 * (failed check). */
static unsigned do_scmp(struct dif_run *run, uint64_t s1, uint64_t s2)
{
	/* Both limits start at 1 so a NULL side compares as "" (FreeBSD; the
	 * illumos code leaves it uninitialised). */
	uint64_t l1 = 1, l2 = 1;
	if (s1 && !scmp_check(run, s1, &l1))
		return UINT32_MAX;
	if (s2 && !scmp_check(run, s2, &l2))
		return UINT32_MAX;
	uint64_t limit = l1 < l2 ? l1 : l2;
	int r = 0;
	/* Fast path: both strings in VM memory, compared span by span. */
	while (s1 != s2 && limit && s1 && s2) {
		uint64_t a1, a2;
		const uint8_t *p1 = dif_vm_span(run, s1, &a1);
		const uint8_t *p2 = p1 ? dif_vm_span(run, s2, &a2) : NULL;
		if (!p2)
			break; /* host memory: byte by byte below */
		uint64_t n = limit < a1 ? limit : a1;
		n = n < a2 ? n : a2;
		for (uint64_t k = 0; k < n; k++) {
			if (p1[k] != p2[k])
				return (int)p1[k] - (int)p2[k] < 0 ? DIF_CC_N : 0;
			if (p1[k] == 0)
				return DIF_CC_Z;
		}
		s1 += n;
		s2 += n;
		limit -= n;
		if (!limit)
			return DIF_CC_Z;
	}
	if (s1 != s2 && limit) {
		uint8_t c1, c2;
		do {
			c1 = c2 = 0;
			if (s1) {
				int rc = str_byte(run, s1++, &c1);
				if (rc)
					dif_fault(run, rc, s1 - 1);
			}
			if (s2 && !run->fbits) {
				int rc = str_byte(run, s2++, &c2);
				if (rc)
					dif_fault(run, rc, s2 - 1);
			}
			if (c1 != c2) {
				r = (int)c1 - (int)c2;
				break;
			}
		} while (--limit && c1 != 0 && !run->fbits);
	}
	return (r < 0 ? DIF_CC_N : 0) | (r == 0 ? DIF_CC_Z : 0);
}

static bool load_slow(struct dif_run *run, enum dif_as as, uint64_t addr,
                      void *buf, size_t n)
{
	int rc = dif_mem_read(run, as, addr, buf, n);
	if (rc == 0)
		return true;
	memset(buf, 0, n);
	/* a load straddling into unmapped memory faults at the first
	 * unreadable byte (emulator-facts.md 4) */
	dif_fault(run, rc, rc == DIF_FAULT_BADADDR && n > 1
	                       ? dif_load_bad(run, as, addr, n) : addr);
	return false;
}

/* Kernel load: scratch fast path, else the memory model. */
static inline bool kload(struct dif_run *run, uint64_t addr, void *buf,
                         size_t n)
{
	if (addr - run->scratch_base < run->scratch_limit - run->scratch_base &&
	    n <= run->scratch_limit - addr) {
		memcpy(buf, dif_scratch_host(run, addr), n);
		return true;
	}
	return load_slow(run, DIF_AS_KERNEL, addr, buf, n);
}

/* User load: the fuword range check comes first, so an address outside
 * user space faults at the load address without reading (dif-isa.md 2.4). */
static inline bool uload(struct dif_run *run, uint64_t addr, void *buf,
                         size_t n)
{
	if (dif_urange_bad(addr, n)) {
		memset(buf, 0, n);
		dif_fault_why(run, DIF_FAULT_BADADDR, addr,
		              "user load passes the top of user space");
		return false;
	}
	return load_slow(run, DIF_AS_USER, addr, buf, n);
}

static void do_store(struct dif_run *run, uint64_t addr, uint64_t v,
                     unsigned n)
{
	uint8_t *p = dif_store_ptr(run, addr, n);
	if (!p) {
		dif_fault(run, DIF_FAULT_BADADDR, addr);
		return;
	}
	if (addr & (n - 1)) {
		dif_fault(run, DIF_FAULT_BADALIGN, addr);
		return;
	}
	switch (n) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(p, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(p, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(p, &x, 4); break; }
	default: memcpy(p, &v, 8); break;
	}
}

static void do_copys(struct dif_run *run, uint64_t src, uint64_t len,
                     uint64_t dst)
{
	uint8_t *p = dif_store_ptr(run, dst, len);
	if (!p) {
		dif_fault(run, DIF_FAULT_BADADDR, dst);
		return;
	}
	if (!dif_canload(run, src, len))
		return;
	int rc = dif_mem_read(run, DIF_AS_KERNEL, src, p, len);
	/* a byte-copy loop: the first unreadable byte (conventions.md,
	 * Decision 14); the loop stores every byte, 0 from the fault on */
	if (rc) {
		dif_copy_faulted(run, src, dst, p, len);
		dif_fault(run, rc, rc == DIF_FAULT_BADADDR
		                       ? dif_load_bad(run, DIF_AS_KERNEL, src, len)
		                       : src);
	}
}

/* Host variable callback: 0 with *v, a fault code, or DIF_HOST_DEFAULT. */
static int host_var(struct dif_run *run, unsigned id, uint64_t idx,
                    uint64_t *v)
{
	struct dif_vm *vm = run->vm;
	if (!vm->host.var)
		return DIF_HOST_DEFAULT;
	int rc = vm->host.var(vm->host.ud, run->ctx, id, idx, v);
	return rc == 0 || rc == DIF_HOST_DEFAULT ? rc : dif_host_rc(run, rc);
}

static uint64_t do_ldga(struct dif_run *run, unsigned arr, uint64_t idx)
{
	struct dif_ctx *ctx = run->ctx;
	uint64_t v = 0;
	if (arr == DIF_VARID_REGS) {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0, "regs[] is not implemented");
		return 0;
	}
	if (arr == DIF_VARID_UREGS && (run->deny & DIF_DENY_PROC)) {
		dif_fault(run, DIF_FAULT_UPRIV, 0);
		return 0;
	}
	if (arr == DIF_VARID_VMREGS && run->profile == DIF_PROFILE_ILLUMOS &&
	    (run->deny & DIF_DENY_KERNEL)) {
		dif_fault(run, DIF_FAULT_KPRIV, 0);
		return 0;
	}
	int rc = host_var(run, arr, idx, &v);
	if (rc == 0)
		return v;
	if (rc != DIF_HOST_DEFAULT) {
		dif_fault(run, rc, 0);
		return 0;
	}
	if (arr == DIF_VARID_ARGS)
		return idx < DIF_CTX_NARGS ? ctx->args[idx] : 0;
	if (arr == DIF_VARID_UREGS) {
		dif_fault_why(run, DIF_FAULT_BADADDR, 0, "no user registers");
		return 0;
	}
	dif_fault_why(run, DIF_FAULT_ILLOP, 0, "unknown built-in array");
	return 0;
}

static void do_stga(struct dif_run *run, unsigned arr, uint64_t idx,
                    uint64_t val)
{
	struct dif_vm *vm = run->vm;
	if (arr != DIF_VARID_UREGS) {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0, "only uregs[] is writable");
		return;
	}
	if (run->deny & DIF_DENY_DESTRUCTIVE)
		return; /* destructive actions disallowed: nothing happens */
	if (run->deny & (DIF_DENY_OWNER | DIF_DENY_PROC)) {
		dif_fault(run, DIF_FAULT_UPRIV, 0);
		return;
	}
	int rc = vm->host.var_store
	             ? vm->host.var_store(vm->host.ud, run->ctx, arr, idx, val)
	             : DIF_FAULT_BADADDR;
	if (rc == DIF_HOST_DEFAULT)
		rc = DIF_FAULT_BADADDR;
	if (rc) {
		rc = dif_host_rc(run, rc);
		dif_fault_why(run, rc, 0,
		              run->reason ? run->reason : "no user registers");
	}
}

static uint64_t do_bvar(struct dif_run *run, unsigned id, uint32_t bidx)
{
	uint64_t v = 0;
	int rc = host_var(run, id, 0, &v);
	if (rc == 0)
		return v;
	if (rc != DIF_HOST_DEFAULT) {
		dif_fault(run, rc, 0);
		return 0;
	}
	if (bidx == UINT32_MAX) {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0, "unknown built-in variable");
		return 0;
	}
	return run->ctx->bvals[bidx];
}

static uint64_t do_bstr(struct dif_run *run, unsigned id, uint32_t bidx)
{
	struct dif_ctx *ctx = run->ctx;
	uint64_t addr;
	int rc = host_var(run, id, 0, &addr);
	if (rc != 0 && rc != DIF_HOST_DEFAULT) {
		dif_fault(run, rc, 0);
		return 0;
	}
	if (rc == DIF_HOST_DEFAULT) {
		/* A string the embedder never gave reads as NULL. */
		int slot = ctx->envslot[bidx];
		if (slot < 0 || !ctx->bset[bidx])
			return 0;
		addr = DIF_WIN_ENV + (uint64_t)slot * run->strsize;
	}
	if (!(run->deny & DIF_DENY_KERNEL) || addr == 0)
		return addr;
	/* Without kernel visibility the string is copied to scratch, taking
	 * strlen + 1 bytes (emulator-facts.md 1). */
	uint8_t *buf;
	uint64_t n = dif_strnlen(run, addr, run->strsize - 1);
	if (run->fbits)
		return 0;
	uint64_t s = dif_scratch_buf(run, n + 1, &buf);
	if (!s)
		return 0;
	rc = dif_mem_read(run, DIF_AS_KERNEL, addr, buf, n);
	if (rc) {
		dif_fault(run, rc, addr);
		return 0;
	}
	buf[n] = 0;
	return s;
}

static void do_pushtr(struct dif_run *run, unsigned type, uint64_t sz,
                      uint64_t v)
{
	if (run->ttop >= DIF_NTREGS) {
		dif_fault(run, DIF_FAULT_TUPOFLOW, 0);
		return;
	}
	if (type == DIF_TYPE_STRING) {
		uint64_t bound = sz ? sz : DIF_PUSHTR_DEFAULT;
		sz = dif_strnlen(run, v, bound) + 1;
		if (run->fbits)
			return;
	} else if (sz > (uint64_t)INT64_MAX) {
		dif_fault_why(run, DIF_FAULT_ILLOP, 0, "tuple element size > LONG_MAX");
		return;
	}
	run->tval[run->ttop] = v;
	run->tsize[run->ttop] = sz;
	run->ttop++;
}

static void do_call(struct dif_run *run, const struct dif_insn *ip)
{
	struct dif_vm *vm = run->vm;
	uint64_t *R = run->regs;
	int sid = ip->sid == UINT16_MAX ? -1 : ip->sid;
	if (vm->host.subr) {
		struct dif_subr_call c = {
			.subr = ip->aux,
			.name = sid >= 0 ? dif_subrs[sid].name : NULL,
			.nargs = run->ttop,
			.args = run->tval,
			.sizes = run->tsize,
			.rd_in = R[ip->rd],
			.result = 0,
			.write_rd = 1,
		};
		int rc = vm->host.subr(vm->host.ud, run->ctx, &c);
		if (rc == 0) {
			if (c.write_rd)
				R[ip->rd] = c.result;
			return;
		}
		if (rc != DIF_HOST_DEFAULT) {
			dif_fault(run, dif_host_rc(run, rc), 0);
			return;
		}
	}
	if (sid < 0)
		return; /* valid number, nothing behind it: rd keeps its value */
	/* Host-only subroutines fault ILLOP there (or do nothing where the
	 * profile's kernel lacks them). */
	dif_subr_call(run, sid, ip->rd);
}

/* ---------------------------------------------------------------------
 * The loop.
 */

#if DIFVM_COMPUTED_GOTO
#define CASE(n) L_##n:
#else
#define CASE(n) case H_##n:
#endif
/* DISPATCH() is defined by interp_loop.h, once per variant. */
#define NEXT()          \
	do {                \
		ip++;           \
		DISPATCH();     \
	} while (0)
#define CHECK()               \
	do {                      \
		if (run->fbits)       \
			goto fault;       \
	} while (0)

#define ALU(name, expr)                   \
	CASE(name)                            \
	{                                     \
		uint64_t a = R[ip->r1], b = R[ip->r2]; \
		R[ip->rd] = (expr);               \
		(void)a;                          \
		(void)b;                          \
		NEXT();                           \
	}

#define BRANCH(name, cond)              \
	CASE(name)                          \
	if (cond) {                         \
		ip = base + ip->aux;            \
		DISPATCH();                     \
	}                                   \
	NEXT();

#define LOAD(name, type, ext, as, checked)                          \
	CASE(name)                                                      \
	{                                                               \
		type v;                                                     \
		uint64_t a = R[ip->r1];                                     \
		if (checked && !dif_canload(run, a, sizeof(v)))             \
			goto fault;                                             \
		if (as == DIF_AS_KERNEL ? !kload(run, a, &v, sizeof(v))     \
		                        : !uload(run, a, &v, sizeof(v)))  \
			goto fault;                                             \
		R[ip->rd] = (uint64_t)(ext)v;                               \
		NEXT();                                                     \
	}

#define STORE(name, n)                  \
	CASE(name)                          \
	do_store(run, R[ip->rd], R[ip->r1], n); \
	CHECK();                            \
	NEXT();

#include "interp_loop.h"

#if !EXEC_TRACED

int dif_exec(const struct dif_prog *prog, struct dif_ctx *ctx, uint64_t *rval)
{
	uint64_t dummy;
	uint64_t *out = rval ? rval : &dummy;
	*out = 0;
	if (!prog || !ctx || !ctx->vm || prog->vm != ctx->vm)
		return DIF_E_INVAL;
	/* One context, one thread at a time: a second caller (another thread,
	 * or a host callback re-entering) is turned away, not let in to
	 * corrupt the running state. */
	if (atomic_flag_test_and_set_explicit(&ctx->busy, memory_order_acquire))
		return DIF_E_BUSY;
	int rc = exec_core(prog, ctx, out, NULL);
	atomic_flag_clear_explicit(&ctx->busy, memory_order_release);
	return rc;
}
#else
int dif_exec_traced(const struct dif_prog *prog, struct dif_ctx *ctx,
                    uint64_t *rval, dif_trace_fn fn, void *ud)
{
	uint64_t dummy;
	uint64_t *out = rval ? rval : &dummy;
	*out = 0;
	if (!prog || !ctx || prog->vm != ctx->vm)
		return DIF_E_INVAL;
	return exec_traced(prog, ctx, out, fn, ud);
}
#endif
