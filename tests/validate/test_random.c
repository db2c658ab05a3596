/*
 * Differential test: random, mostly-almost-valid DIFOs go through
 * dif_validate_module and through a second validator written here the way
 * the kernel's is (a case per opcode, stop at the first error), straight
 * from the reference rules. Both must accept and reject the same DIFOs, and
 * the library's report must be well formed.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "vcase.h"

/* xorshift64*: deterministic across runs and platforms. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}
static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* ---------------------------------------------------------------------
 * The reference: one DIFO against a state of earlier definitions.
 */
struct refdef {
	uint32_t id;
	uint8_t scope, kind, tflags;
	uint32_t size;
};
struct refstate {
	struct refdef defs[4096];
	unsigned n;
};

static struct refdef *ref_find(struct refstate *st, unsigned scope, uint32_t id)
{
	for (unsigned i = 0; i < st->n; i++)
		if (st->defs[i].scope == scope && st->defs[i].id == id)
			return &st->defs[i];
	return NULL;
}

/* 0 = accepted. */
static int ref_validate(const struct dif_difo_parts *p, enum dif_profile prof,
                        unsigned nregs, struct refstate *st)
{
	int err = 0;
	unsigned subr_max = prof == DIF_PROFILE_ILLUMOS ? 48 : 53;
	for (uint32_t pc = 0; pc < p->textlen && !err; pc++) {
		uint32_t w = p->text[pc];
		unsigned op = w >> 24, r1 = (w >> 16) & 0xff, r2 = (w >> 8) & 0xff,
		         rd = w & 0xff, label = w & 0xffffff, v = (w >> 8) & 0xffff;
		switch (op) {
		case DIF_OPC_OR: case DIF_OPC_XOR: case DIF_OPC_AND: case DIF_OPC_SLL:
		case DIF_OPC_SRL: case DIF_OPC_SRA: case DIF_OPC_SUB: case DIF_OPC_ADD:
		case DIF_OPC_MUL: case DIF_OPC_SDIV: case DIF_OPC_UDIV: case DIF_OPC_SREM:
		case DIF_OPC_UREM: case DIF_OPC_COPYS:
			err += r1 >= nregs;
			err += r2 >= nregs;
			err += rd >= nregs;
			err += rd == 0;
			break;
		case DIF_OPC_NOT: case DIF_OPC_MOV: case DIF_OPC_ALLOCS:
		case DIF_OPC_LDSB: case DIF_OPC_LDSH: case DIF_OPC_LDSW: case DIF_OPC_LDX:
		case DIF_OPC_LDUB: case DIF_OPC_LDUH: case DIF_OPC_LDUW:
		case DIF_OPC_RLDSB: case DIF_OPC_RLDSH: case DIF_OPC_RLDSW: case DIF_OPC_RLDX:
		case DIF_OPC_RLDUB: case DIF_OPC_RLDUH: case DIF_OPC_RLDUW:
		case DIF_OPC_ULDSB: case DIF_OPC_ULDSH: case DIF_OPC_ULDSW: case DIF_OPC_ULDX:
		case DIF_OPC_ULDUB: case DIF_OPC_ULDUH: case DIF_OPC_ULDUW:
		case DIF_OPC_STB: case DIF_OPC_STH: case DIF_OPC_STW: case DIF_OPC_STX:
			err += r1 >= nregs;
			err += r2 != 0;
			err += rd >= nregs;
			err += rd == 0;
			break;
		case DIF_OPC_CMP: case DIF_OPC_SCMP:
			err += r1 >= nregs;
			err += r2 >= nregs;
			err += rd != 0;
			break;
		case DIF_OPC_TST:
			err += r1 >= nregs;
			err += r2 != 0 || rd != 0;
			break;
		case DIF_OPC_BA: case DIF_OPC_BE: case DIF_OPC_BNE: case DIF_OPC_BG:
		case DIF_OPC_BGU: case DIF_OPC_BGE: case DIF_OPC_BGEU: case DIF_OPC_BL:
		case DIF_OPC_BLU: case DIF_OPC_BLE: case DIF_OPC_BLEU:
			err += label >= p->textlen;
			err += label <= pc;
			break;
		case DIF_OPC_RET:
			err += r1 != 0 || r2 != 0;
			err += rd >= nregs;
			break;
		case DIF_OPC_NOP: case DIF_OPC_POPTS: case DIF_OPC_FLUSHTS:
			err += r1 != 0 || r2 != 0 || rd != 0;
			break;
		case DIF_OPC_SETX:
			err += v >= p->intlen;
			err += rd >= nregs;
			err += rd == 0;
			break;
		case DIF_OPC_SETS:
			err += v >= p->strlen;
			err += rd >= nregs;
			err += rd == 0;
			break;
		case DIF_OPC_LDGA: case DIF_OPC_LDTA:
			err += r1 > 0xff;
			err += r2 >= nregs;
			err += rd >= nregs;
			err += rd == 0;
			break;
		case DIF_OPC_STGA:
			if (prof != DIF_PROFILE_ILLUMOS) {
				err++;
				break;
			}
			err += r2 >= nregs;
			err += rd >= nregs;
			break;
		case DIF_OPC_LDGS: case DIF_OPC_LDTS: case DIF_OPC_LDLS:
		case DIF_OPC_LDGAA: case DIF_OPC_LDTAA:
			err += v < 0x100 || v > 0xffff;
			err += rd >= nregs;
			err += rd == 0;
			break;
		case DIF_OPC_STGS: case DIF_OPC_STTS: case DIF_OPC_STLS:
		case DIF_OPC_STGAA: case DIF_OPC_STTAA:
			err += v < 0x500 || v > 0xffff;
			err += rd >= nregs;
			break;
		case DIF_OPC_CALL:
			err += v > subr_max;
			err += rd >= nregs;
			err += rd == 0;
			break;
		case DIF_OPC_PUSHTR:
			err += r1 != 0 && r1 != 1;
			err += r2 >= nregs;
			err += rd >= nregs;
			break;
		case DIF_OPC_PUSHTV:
			err += r1 != 0;
			err += r2 >= nregs;
			err += rd >= nregs;
			break;
		default:
			err++;
		}
	}
	if (p->textlen == 0)
		err++; /* the DOF loader's "missing DIF text" */
	if (p->textlen && (p->text[p->textlen - 1] >> 24) != DIF_OPC_RET)
		err++;
	if (!(p->rtype.flags & (DIF_TF_BYREF | DIF_TF_BYUREF))) {
		uint32_t s = p->rtype.size;
		err += !(s == 0 || s == 1 || s == 2 || s == 4 || s == 8);
	}
	long max[3] = { -1, -1, -1 };
	for (uint32_t i = 0; i < p->varlen && !err; i++) {
		const struct dif_var *v = &p->vartab[i];
		if (v->scope > 2 || v->kind > 1 || v->id > 0xffff) {
			err++;
			break;
		}
		if (v->id < 0x500)
			continue;
		if ((long)(v->id - 0x500) > max[v->scope])
			max[v->scope] = v->id - 0x500;
		if (v->type.flags & DIF_TF_BYREF) {
			if (v->type.size == 0 ||
			    (v->scope != DIF_VSCOPE_THREAD && v->type.size > 16384)) {
				err++;
				break;
			}
		}
		struct refdef *old = ref_find(st, v->scope, v->id);
		if (!old)
			continue;
		if (old->kind != v->kind)
			err++;
		if (old->tflags != v->type.flags || (v->type.size && v->type.size != old->size)) {
			err++;
			break;
		}
	}
	for (uint32_t pc = 0; pc < p->textlen && !err; pc++) {
		uint32_t w = p->text[pc];
		unsigned op = w >> 24, v = (w >> 8) & 0xffff;
		int sc = -1;
		switch (op) {
		case DIF_OPC_LDGS: case DIF_OPC_LDGAA: case DIF_OPC_STGS: case DIF_OPC_STGAA:
			sc = 0;
			break;
		case DIF_OPC_LDTS: case DIF_OPC_LDTAA: case DIF_OPC_STTS: case DIF_OPC_STTAA:
			sc = 1;
			break;
		case DIF_OPC_LDLS: case DIF_OPC_STLS:
			sc = 2;
			break;
		}
		if (sc >= 0 && (long)v > 0x500 + max[sc])
			err++;
	}
	if (err)
		return 1;
	/* Accepted: define (statics keep the first, thread-locals the last). */
	for (uint32_t i = 0; i < p->varlen; i++) {
		const struct dif_var *v = &p->vartab[i];
		if (v->id < 0x500)
			continue;
		struct refdef *old = ref_find(st, v->scope, v->id);
		struct refdef nd = { v->id, v->scope, v->kind, v->type.flags, v->type.size };
		if (old && v->scope == DIF_VSCOPE_THREAD)
			*old = nd;
		else if (!old && st->n < 4096)
			st->defs[st->n++] = nd;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Generator: words that are valid or off by one in one place.
 */
static unsigned rreg(void)
{
	unsigned k = pick(20);
	return k < 16 ? k % 8 : k == 16 ? 8 : k == 17 ? 0xff : pick(256);
}

static uint32_t rword(uint32_t pc, uint32_t len)
{
	unsigned k = pick(100);
	unsigned op = k < 94 ? 1 + pick(80) : k < 97 ? 0 : 81 + pick(175);
	unsigned r1 = rreg(), r2 = pick(3) ? 0 : rreg(), rd = rreg();
	unsigned idx;
	switch (pick(8)) {
	case 0: idx = pick(4); break;
	case 1: idx = 0x100 + pick(3) - 1; break;
	case 2: idx = 0x500 + pick(4) - 1; break;
	case 3: idx = 0xffff - pick(2); break;
	case 4: idx = 44 + pick(12); break;
	default: idx = pick(0x10000); break;
	}
	switch (pick(3)) {
	case 0: { /* branch-like low 24 bits: around pc and around len */
		uint32_t c[] = { pc - 1, pc, pc + 1, len - 1, len, len + 1, pick(0x1000000) };
		return ((uint32_t)op << 24) | (c[pick(7)] & 0xffffff);
	}
	case 1:
		return DIF_ENC_W(op, idx, rd);
	default:
		if (pick(4) == 0)
			r1 = pick(3);
		return DIF_ENC_R(op, r1, r2, rd);
	}
}

static void rvar(struct dif_var *v)
{
	memset(v, 0, sizeof(*v));
	unsigned k = pick(10);
	v->id = k < 6 ? 0x500 + pick(4) : k < 8 ? 0x4fe + pick(3) : k == 8 ? 0xffff + pick(2)
	                                                         : (uint32_t)rnd();
	v->scope = pick(20) ? pick(3) : 3 + pick(250);
	v->kind = pick(20) ? pick(2) : 2 + pick(250);
	v->type.flags = pick(4) == 0 ? DIF_TF_BYREF : pick(8) == 0 ? DIF_TF_BYUREF : 0;
	unsigned s = pick(6);
	v->type.size = s == 0 ? 0 : s == 1 ? 16384 + pick(2) : s == 2 ? 4 : 8;
}

Test(random, agrees_with_a_kernel_style_reference)
{
	rng_state = 0x9e3779b97f4a7c15ull;
	unsigned accepted = 0, rejected = 0;
	for (int round = 0; round < 4000; round++) {
		enum dif_profile prof = pick(2) ? DIF_PROFILE_ILLUMOS : DIF_PROFILE_FREEBSD;
		unsigned nregs = pick(4) ? 0 : 1 + pick(12);
		unsigned ndifo = 1 + pick(2);
		struct dif_module *m = dif_module_new();
		struct refstate *st = calloc(1, sizeof(*st));
		int ref_any = 0;
		for (unsigned k = 0; k < ndifo; k++) {
			uint32_t text[12];
			uint32_t len = pick(12) ? 1 + pick(12) : 0;
			/* mostly plausible: a couple of random words, the rest valid */
			for (uint32_t pc = 0; pc < len; pc++)
				text[pc] = pick(8) ? DIF_ENC_R(DIF_OPC_ADD, 1, 2, 3) : rword(pc, len);
			if (len && pick(16))
				text[len - 1] = DIF_ENC_R(DIF_OPC_RET, 0, 0, pick(9));
			struct dif_var vars[5];
			uint32_t nv = pick(4);
			for (uint32_t i = 0; i < nv; i++)
				rvar(&vars[i]);
			uint64_t ints[3] = { 0 };
			char strs[5] = "abcd";
			struct dif_type rt = { 0 };
			rt.flags = pick(4) ? 0 : pick(2) ? DIF_TF_BYREF : DIF_TF_BYUREF;
			static const uint32_t sizes[] = { 0, 1, 2, 3, 4, 5, 8, 16, 256 };
			rt.size = pick(4) ? 8 : sizes[pick(9)];
			char name[16];
			snprintf(name, sizeof(name), "d%u", k);
			DIF_OPTS(dif_difo_parts, p, .name = name, .text = text, .textlen = len,
			         .inttab = ints, .intlen = pick(4), .strtab = strs,
			         .strlen = pick(2) ? 5 : 0, .vartab = vars, .varlen = nv,
			         .rtype = rt);
			struct dif_difo *d;
			cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
			cr_assert_eq(dif_module_add(m, d), 0);
			ref_any |= ref_validate(&p, prof, nregs ? nregs : 8, st);
		}
		DIF_OPTS(dif_validate_opts, o, .profile = prof, .nregs = nregs);
		struct dif_errors e = { 0 };
		int rc = dif_validate_module(m, &o, &e);
		cr_assert_eq(rc != 0, ref_any != 0, "round %d: library %d, reference %d", round, rc,
		             ref_any);
		cr_assert_eq(rc == 0, e.count == 0 && e.dropped == 0, "round %d", round);
		for (uint32_t i = 0; i < e.count; i++) {
			const struct dif_error *x = &e.list[i];
			cr_assert(x->code >= DIF_E_OPCODE && x->code < DIF_E_VALIDATE,
			          "round %d: code %d", round, x->code);
			cr_assert_neq(x->code, DIF_E_ARRAY_ID);
			const struct dif_difo *d = dif_module_find(m, x->object);
			cr_assert_not_null(d, "round %d: object '%s'", round, x->object);
			struct dif_difo_parts dp;
			dif_difo_get_parts(d, &dp);
			cr_assert(x->pc == DIF_NO_PC || x->pc < dp.textlen, "round %d", round);
			cr_assert(x->msg[0]);
		}
		rc == 0 ? accepted++ : rejected++;
		free(st);
		dif_module_free(m);
	}
	cr_log_info("%u accepted, %u rejected", accepted, rejected);
	/* The generator must exercise both outcomes substantially. */
	cr_assert_gt(accepted, 200, "only %u accepted", accepted);
	cr_assert_gt(rejected, 200, "only %u rejected", rejected);
}

/* Every DIFO the validator accepts has only in-range table references: a
 * property the VM relies on. */
Test(random, accepted_programs_are_in_bounds)
{
	rng_state = 12345;
	for (int round = 0; round < 20000; round++) {
		uint32_t text[8];
		uint32_t len = 1 + pick(8);
		for (uint32_t pc = 0; pc < len; pc++)
			text[pc] = rword(pc, len);
		uint64_t ints[2] = { 0 };
		char strs[3] = "ab";
		uint32_t intlen = pick(3), strlen_ = pick(2) ? 3 : 0;
		DIF_OPTS(dif_difo_parts, p, .name = "r", .text = text, .textlen = len,
		         .inttab = ints, .intlen = intlen, .strtab = strs, .strlen = strlen_);
		struct dif_difo *d;
		cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
		enum dif_profile prof = pick(2) ? DIF_PROFILE_ILLUMOS : DIF_PROFILE_FREEBSD;
		DIF_OPTS(dif_validate_opts, o, .profile = prof);
		if (dif_validate(d, &o, NULL) == 0) {
			for (uint32_t pc = 0; pc < len; pc++) {
				uint32_t w = text[pc];
				const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w), prof);
				cr_assert_not_null(oi);
				if (oi->cls == DIF_IC_BRANCH)
					cr_assert(DIF_I_LABEL(w) > pc && DIF_I_LABEL(w) < len);
				if (oi->cls == DIF_IC_SETX)
					cr_assert_lt(DIF_I_INDEX(w), intlen);
				if (oi->cls == DIF_IC_SETS)
					cr_assert_lt(DIF_I_INDEX(w), strlen_);
			}
			cr_assert_eq(DIF_I_OP(text[len - 1]), DIF_OPC_RET);
		}
		dif_difo_free(d);
	}
}
