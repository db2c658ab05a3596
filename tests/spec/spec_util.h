/* Helpers for the model's tests: instruction encoding and case building. */
#ifndef DIFVM_TESTS_SPEC_UTIL_H
#define DIFVM_TESTS_SPEC_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

/* Encodings of dif-isa.md section 1, written out independently. */
#define OP_R(op, r1, r2, rd) \
	((uint32_t)(op) << 24 | (uint32_t)(r1) << 16 | (uint32_t)(r2) << 8 | (uint32_t)(rd))
#define OP_B(op, label) ((uint32_t)(op) << 24 | ((uint32_t)(label) & 0xffffffu))
#define OP_W(op, idx, rd) ((uint32_t)(op) << 24 | (uint32_t)(idx) << 8 | (uint32_t)(rd))

enum {
	O_OR = 1, O_XOR, O_AND, O_SLL, O_SRL, O_SUB, O_ADD, O_MUL, O_SDIV,
	O_UDIV, O_SREM, O_UREM, O_NOT, O_MOV, O_CMP, O_TST, O_BA, O_BE, O_BNE,
	O_BG, O_BGU, O_BGE, O_BGEU, O_BL, O_BLU, O_BLE, O_BLEU, O_LDSB, O_LDSH,
	O_LDSW, O_LDUB, O_LDUH, O_LDUW, O_LDX, O_RET, O_NOP, O_SETX, O_SETS,
	O_SCMP, O_LDGA, O_LDGS, O_STGS, O_LDTA, O_LDTS, O_STTS, O_SRA, O_CALL,
	O_PUSHTR, O_PUSHTV, O_POPTS, O_FLUSHTS, O_LDGAA, O_LDTAA, O_STGAA,
	O_STTAA, O_LDLS, O_STLS, O_ALLOCS, O_COPYS, O_STB, O_STH, O_STW, O_STX,
	O_ULDSB, O_ULDSH, O_ULDSW, O_ULDUB, O_ULDUH, O_ULDUW, O_ULDX, O_RLDSB,
	O_RLDSH, O_RLDSW, O_RLDUB, O_RLDUH, O_RLDUW, O_RLDX, O_XLATE, O_XLARG,
	O_STGA,
};

#define SETX(idx, rd) OP_W(O_SETX, idx, rd)
#define SETS(off, rd) OP_W(O_SETS, off, rd)
#define RET(rd) OP_R(O_RET, 0, 0, rd)
#define CALL(subr, rd) OP_W(O_CALL, subr, rd)
#define PUSHTV(r) OP_R(O_PUSHTV, 0, 0, r)
#define PUSHTR(type, rsz, r) OP_R(O_PUSHTR, type, rsz, r)
#define FLUSHTS OP_R(O_FLUSHTS, 0, 0, 0)

/* A case under construction: text, integer and string tables, vars. */
struct tcase {
	struct dc_case c;
	uint32_t text[256];
	uint64_t ints[64];
	char strs[4096];
	struct dc_var vars[16];
};

static inline void tc_init(struct tcase *t, uint32_t profile)
{
	memset(t, 0, sizeof(*t));
	t->c.profile = profile;
	t->c.text = t->text;
	t->c.inttab = t->ints;
	t->c.strtab = t->strs;
	t->c.vartab = t->vars;
	t->c.strlen = 1; /* leading empty string */
}

static inline uint32_t tc_emit(struct tcase *t, uint32_t w)
{
	t->text[t->c.textlen] = w;
	return t->c.textlen++;
}

static inline uint32_t tc_int(struct tcase *t, uint64_t v)
{
	for (uint32_t k = 0; k < t->c.intlen; k++)
		if (t->ints[k] == v)
			return k;
	t->ints[t->c.intlen] = v;
	return t->c.intlen++;
}

static inline uint32_t tc_str(struct tcase *t, const char *s)
{
	uint32_t off = t->c.strlen;
	size_t n = strlen(s) + 1;
	memcpy(t->strs + off, s, n);
	t->c.strlen += (uint32_t)n;
	return off;
}

/* Loads a 64-bit constant into rd. */
static inline void tc_set(struct tcase *t, unsigned rd, uint64_t v)
{
	tc_emit(t, SETX(tc_int(t, v), rd));
}

static inline void tc_var(struct tcase *t, uint32_t id, uint8_t scope,
                          uint8_t kind, uint8_t tkind, uint8_t flags,
                          uint32_t size)
{
	struct dc_var *v = &t->vars[t->c.varlen++];
	memset(v, 0, sizeof(*v));
	v->id = id;
	v->scope = scope;
	v->kind = kind;
	v->type.kind = tkind;
	v->type.flags = flags;
	v->type.size = size;
}

/* Runs; returns dc_spec_run's code. */
static inline int tc_run(struct tcase *t, struct dc_outcome *o)
{
	return dc_spec_run(&t->c, o, NULL);
}

#endif
