/*
 * Internal view of the DIF instruction set. Everything here is generated
 * from isa.def, subr.def and var.def.
 *
 *  31      24 23      16 15       8 7        0
 * +----------+----------+----------+----------+
 * |    op    |    r1    |    r2    |  rd / rs |   R: ALU, loads, stores, cmp
 * +----------+----------+----------+----------+
 * |    op    |          label (24 bits)       |   B: branches (absolute index)
 * +----------+---------------------+----------+
 * |    op    |    index (16 bits)  |  rd / rs |   W: setx sets vars call xlate
 * +----------+---------------------+----------+
 */
#ifndef DIFVM_ISA_H
#define DIFVM_ISA_H

#include "difvm/difvm.h"

#define DIF_INTERNAL __attribute__((visibility("hidden")))

/* Field accessors (names avoid sys/dtrace.h's DIF_INSTR_*). */
#define DIF_I_OP(w) ((unsigned)(((w) >> 24) & 0xffu))
#define DIF_I_R1(w) ((unsigned)(((w) >> 16) & 0xffu))
#define DIF_I_R2(w) ((unsigned)(((w) >> 8) & 0xffu))
#define DIF_I_RD(w) ((unsigned)((w) & 0xffu))
#define DIF_I_RS(w) DIF_I_RD(w)
#define DIF_I_LABEL(w) ((unsigned)((w) & 0xffffffu))
#define DIF_I_INDEX(w) ((unsigned)(((w) >> 8) & 0xffffu))
#define DIF_I_TYPE(w) DIF_I_R1(w)

/* Encoders. */
#define DIF_ENC_R(op, r1, r2, rd) \
	(((uint32_t)(op) << 24) | ((uint32_t)(r1) << 16) | ((uint32_t)(r2) << 8) | (uint32_t)(rd))
#define DIF_ENC_B(op, label) (((uint32_t)(op) << 24) | ((uint32_t)(label) & 0xffffffu))
#define DIF_ENC_W(op, idx, rd) \
	(((uint32_t)(op) << 24) | (((uint32_t)(idx) & 0xffffu) << 8) | (uint32_t)(rd))

/* Instruction classes: operand layout, text form and validator rules. */
enum dif_iclass {
	DIF_IC_INVALID = 0,
	DIF_IC_ALU3,   /* op r1, r2, rd           (incl. copys) */
	DIF_IC_ALU2,   /* op r1, rd ; r2 reserved (not mov allocs) */
	DIF_IC_CMP,    /* op r1, r2 ; rd reserved (cmp scmp) */
	DIF_IC_TST,    /* tst r1 ; r2 rd reserved */
	DIF_IC_BRANCH, /* op label */
	DIF_IC_LOAD,   /* op [r1], rd ; r2 reserved */
	DIF_IC_STORE,  /* op r1, [rd] ; r2 reserved */
	DIF_IC_RET,    /* ret rd ; r1 r2 reserved */
	DIF_IC_NONE,   /* nop popts flushts: all fields zero */
	DIF_IC_SETX,   /* setx DT_INTEGER[idx], rd */
	DIF_IC_SETS,   /* sets DT_STRING[off], rd */
	DIF_IC_LDA,    /* ldga/ldta DT_VAR(r1), r2, rd */
	DIF_IC_STGA,   /* stga DT_VAR(r1), r2, rs (illumos) */
	DIF_IC_LDV,    /* op DT_VAR(var), rd */
	DIF_IC_STV,    /* op rs, DT_VAR(var) */
	DIF_IC_CALL,   /* call DIF_SUBR(n), rd */
	DIF_IC_PUSHTR, /* pushtr DT_TYPE(t), r2, rs */
	DIF_IC_PUSHTV, /* pushtv DT_TYPE(t), rs */
	DIF_IC_XLATE,  /* xlate/xlarg DT_XLREF[n], rd */
	DIF_IC_SYMREF, /* usetx/typecast DT_SYMBOL[off], rd (until linking) */
};

/* Opcode flags. */
#define DIF_F_W1 0x0001u
#define DIF_F_W2 0x0002u
#define DIF_F_W4 0x0004u
#define DIF_F_W8 0x0008u
#define DIF_F_WIDTH 0x000fu     /* load/store width in bytes */
#define DIF_F_SIGNED 0x0010u    /* sign-extending load */
#define DIF_F_USER 0x0020u      /* user-space load (ULD*) */
#define DIF_F_CHECKED 0x0040u   /* access-checked load (RLD*) */
#define DIF_F_SCOPE_G 0x0100u   /* variable scope letter g */
#define DIF_F_SCOPE_T 0x0200u   /* ... t */
#define DIF_F_SCOPE_L 0x0400u   /* ... l */
#define DIF_F_ASSOC 0x0800u     /* associative array (tuple-keyed) */
#define DIF_F_ILLUMOS 0x1000u   /* exists only on the illumos profile */
#define DIF_F_USERLAND 0x2000u  /* user-level DOF only (xlate/xlarg) */
#define DIF_F_RELOC 0x4000u     /* relocation opcode: linked away, never run */

/* Opcode numbers: DIF_OPC_ADD etc. */
enum dif_opcode {
	DIF_OPC_ILLEGAL = 0,
#define DIF_OPC(name, code, mnem, cls, fl) DIF_OPC_##name = code,
#include "isa.def"
#undef DIF_OPC
};

/* LDxx -> RLDxx rewrite distance (dif-isa.md 2.4). */
#define DIF_OPC_RLD_DELTA (DIF_OPC_RLDSB - DIF_OPC_LDSB)

struct dif_opinfo {
	const char *name; /* NULL: no such opcode */
	uint8_t cls;      /* enum dif_iclass */
	uint16_t flags;   /* DIF_F_* */
};

/* Indexed by opcode 0..DIF_OP_COUNT-1 (profile restrictions in flags). */
DIF_INTERNAL extern const struct dif_opinfo dif_isa[DIF_OP_COUNT];

/* The opcode's info under a profile, or NULL if invalid there. */
DIF_INTERNAL const struct dif_opinfo *dif_isa_lookup(unsigned op, enum dif_profile p);
/* Opcode number for a mnemonic under a profile, or -1. */
DIF_INTERNAL int dif_isa_find(const char *mnem, size_t len, enum dif_profile p);
/* Scope (DIF_VSCOPE_*) implied by a variable opcode's flags, or -1. */
DIF_INTERNAL int dif_isa_scope(const struct dif_opinfo *oi);

/* Subroutines: semantic ids independent of the profile's numbering. */
#define DIF_SF_HOST 0x1u
#define DIF_SF_DESTRUCTIVE 0x2u
enum dif_subr_id {
#define DIF_SUBR(name, str, fb, il, fl) DIF_S_##name,
#include "subr.def"
#undef DIF_SUBR
	DIF_S_COUNT
};
struct dif_subrinfo {
	const char *name;
	int16_t num[2]; /* by enum dif_profile; -1 if absent */
	uint8_t flags;  /* DIF_SF_* */
};
DIF_INTERNAL extern const struct dif_subrinfo dif_subrs[DIF_S_COUNT];
/* Semantic id for a subroutine number, or -1. */
DIF_INTERNAL int dif_subr_lookup(unsigned num, enum dif_profile p);
/* Number for a subroutine name under a profile, or -1. */
DIF_INTERNAL int dif_subr_find(const char *name, size_t len, enum dif_profile p);

/* Built-in variables. */
#define DIF_BV_STRING 0x01u
#define DIF_BV_ARRAY 0x02u
#define DIF_BV_KPRIV 0x04u
#define DIF_BV_UPRIV 0x08u
#define DIF_BV_UPRIV_IL 0x10u
#define DIF_BV_FREEBSD 0x20u
#define DIF_BV_ILLUMOS 0x40u
enum dif_bvar_id {
#define DIF_BVAR(name, id, str, fl) DIF_BVAR_##name,
#include "var.def"
#undef DIF_BVAR
	DIF_BVAR_COUNT
};
/* Variable id numbers: DIF_VARID_PID etc. */
enum dif_varid {
#define DIF_BVAR(name, id, str, fl) DIF_VARID_##name = id,
#include "var.def"
#undef DIF_BVAR
};
struct dif_bvarinfo {
	const char *name;
	uint16_t id;
	uint8_t flags; /* DIF_BV_* */
};
DIF_INTERNAL extern const struct dif_bvarinfo dif_bvars[DIF_BVAR_COUNT];
/* Built-in variable info for an id under a profile, or NULL. */
DIF_INTERNAL const struct dif_bvarinfo *dif_bvar_lookup(unsigned id, enum dif_profile p);
/* Id for a built-in variable name under a profile, or -1. */
DIF_INTERNAL int dif_bvar_find(const char *name, size_t len, enum dif_profile p);

#endif
