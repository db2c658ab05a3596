/*
 * difvm static verifier: type inference and abstract interpretation of DIF
 * (docs/verifier.md). Part of libdifvm (libc only).
 *
 * dif_typecheck() analyses every DIFO of a module as one DTrace consumer
 * would load them: variables and associative-array keys are typed across
 * all DIFOs. DIF branches only go forward, so each DIFO is one pass in
 * instruction order that joins the states of an instruction's predecessors
 * (fall-through and taken edges). The result holds findings (rules below)
 * and, on request, the type of every instruction's result and the whole
 * abstract state before every instruction.
 *
 * The analysis is sound with respect to the DIF semantics of dif-isa.md
 * (and difvm's interpreter): every concrete state at a pc lies inside the
 * state computed for that pc, and every DIVZERO, TUPOFLOW, BADALIGN,
 * NOSCRATCH fault and every BADADDR of a store, copys, bcopy or copyinto
 * destination that can happen at a pc is reported there (error or
 * warning). An error means every execution that reaches
 * the pc has the defect. Subroutines are assumed to behave as DTrace's do
 * (a host subroutine hook may do anything).
 *
 * Rules (fixed names): uninit-reg, div-zero, tuple-overflow, tuple-args,
 * null-deref, store-target, misaligned, string-expected, type-mismatch,
 * scratch-exhausted, shift-range, unreachable.
 */
#ifndef DIFVM_TYPECHECK_H
#define DIFVM_TYPECHECK_H

#include "difvm/difvm.h"

#ifdef __cplusplus
extern "C" {
#endif

enum dif_tc_severity {
	DIF_TC_ERROR = 0,   /* every execution reaching the pc has the defect */
	DIF_TC_WARNING = 1, /* some input can cause it */
	DIF_TC_NOTE = 2,    /* informational */
};

/* What a value may be (bit set; several bits = any of them). */
#define DIF_TC_K_NUM 0x001u     /* integer computed from constants only */
#define DIF_TC_K_INT 0x002u     /* integer of unknown origin (args, loads,
                                   variables, subroutines): may be anything */
#define DIF_TC_K_STRTAB 0x004u  /* pointer into the DIFO string table */
#define DIF_TC_K_SCRATCH 0x008u /* pointer into scratch */
#define DIF_TC_K_STATIC 0x010u  /* by-ref global / clause-local storage */
#define DIF_TC_K_DYN 0x020u     /* by-ref thread-local / assoc element data */
#define DIF_TC_K_ENV 0x040u     /* string built-in variable (env strings) */
#define DIF_TC_K_HOST 0x080u    /* host memory known to be a pointer
                                   (reserved: this version types host
                                   pointers from args and loads as K_INT) */
#define DIF_TC_K_NULL 0x100u    /* a pointer above that may also be NULL */
#define DIF_TC_K_STR 0x200u     /* the pointer designates a D string */
#define DIF_TC_K_PTRS 0x0fcu    /* all pointer provenances */

/* Definedness of a register (entry: %r1-%r7 are undefined). */
#define DIF_TC_UNDEF_MAY 0x1u  /* undefined on some path */
#define DIF_TC_UNDEF_MUST 0x2u /* undefined on every path */

#define DIF_TC_DEF_ENTRY 0xfffffffeu /* value from the entry state */
#define DIF_TC_DEF_MANY 0xfffffffdu  /* several definitions reach */

/* One abstract 64-bit value. The concrete value v lies in it when
 * smin <= (int64_t)v <= smax, umin <= v <= umax, (v & ~tmask) == tvalue,
 * and, if kinds holds no integer bit, v is NULL (K_NULL) or points into
 * one of the regions named by the pointer bits, off_min..off_max bytes
 * from the start of its object. */
struct dif_tc_value {
	uint32_t kinds;   /* DIF_TC_K_* */
	uint8_t undef;    /* DIF_TC_UNDEF_* */
	uint8_t width;    /* integer width in bytes from a load or type, 0: 8 */
	uint8_t is_signed;
	uint8_t pad;
	int64_t smin, smax;
	uint64_t umin, umax;
	uint64_t tvalue, tmask; /* known bits (tristate number) */
	int64_t off_min, off_max; /* pointers: offset from the start of the
	                             object (scratch: from the scratch base) */
	uint32_t obj_size; /* pointers to variable data: its size, 0 unknown */
	uint32_t def;     /* defining pc, DIF_TC_DEF_ENTRY or _MANY */
	uint32_t refined; /* pc of the branch that last narrowed it, or
	                     DIF_NO_PC */
};

/* Tuple-stack entry kinds (bit set). */
#define DIF_TC_T_VAL 0x1u /* size 0: by value */
#define DIF_TC_T_REF 0x2u /* size > 0: by reference */
#define DIF_TC_T_STR 0x4u /* pushed as a string (pushtr DT_TYPE(1)) */

/* The abstract machine state before an instruction. */
struct dif_tc_state {
	int reached;                  /* 0: no path reaches the pc */
	struct dif_tc_value regs[DIF_NREGS];
	uint32_t tdepth_min, tdepth_max;    /* tuple-stack depth */
	uint8_t tkinds[DIF_NTREGS];         /* DIF_TC_T_* per entry */
	struct dif_tc_value tvals[DIF_NTREGS]; /* values of the entries */
	uint64_t scratch_min, scratch_max;  /* scratch bytes allocated */
};

#define DIF_TC_SLICE_MAX 16u

struct dif_tc_finding {
	const char *rule;       /* e.g. "div-zero" */
	const char *category;   /* e.g. "arithmetic" */
	const char *title;      /* e.g. "division by zero" */
	enum dif_tc_severity severity;
	uint32_t difo;          /* index in the module */
	uint32_t pc;            /* instruction index, or DIF_NO_PC */
	uint32_t aux;           /* rule detail: tuple-args entries needed,
	                           unreachable: last pc of the block */
	char insn[64];          /* the instruction as difdis prints it */
	char reason[192];       /* the fact that failed */
	char suggestion[160];
	uint32_t nslice;        /* causal path: defining pcs and branch */
	uint32_t slice[DIF_TC_SLICE_MAX]; /* conditions, ascending */
};

#define DIF_TC_KEEP_TYPES 0x1u  /* keep each instruction's result value */
#define DIF_TC_KEEP_STATES 0x2u /* keep the whole state before every pc */
#define DIF_TC_NO_UNREACHABLE 0x4u /* no `unreachable` notes (the caller
                                      reports cfg's reachability itself) */

/* Type oracle: C types (CTF/BTF) for a program that is not linked yet
 * (docs/verifier.md, "Types from CTF and BTF"). libdifvm cannot read type
 * files itself; difcheck --ctf/--btf answers from the linker's type graph
 * (dif_types_member, dif_types_resolve in difvm/reloc.h). */
enum dif_tc_member_kind {
	DIF_TC_M_INT = 1,    /* integer or enum: width bytes, is_signed */
	DIF_TC_M_PTR = 2,    /* pointer: pointee names the pointed-to type */
	DIF_TC_M_STRING = 3, /* char array: its address designates a string */
	DIF_TC_M_STRUCT = 4, /* struct or union */
	DIF_TC_M_OTHER = 5,  /* anything else (float, other arrays, ...) */
};
struct dif_tc_member {
	uint32_t kind;     /* enum dif_tc_member_kind */
	uint8_t width;     /* DIF_TC_M_INT: 1, 2, 4 or 8 */
	uint8_t is_signed; /* DIF_TC_M_INT */
	char pointee[128]; /* DIF_TC_M_PTR: e.g. "struct file", "char" */
};
struct dif_tc_oracle {
	size_t size;
	void *user;
	/* The member `path` ("a.b[3].c") of `type` ("struct stat"; no
	 * trailing '*'). 0 with *out filled, or nonzero: not known (the
	 * analysis then assumes nothing). May be NULL. */
	int (*member)(void *user, const char *type, const char *path,
	              struct dif_tc_member *out);
	/* The value a setx with a relocation record of kind (enum
	 * dif_reloc_kind: offsetof, sizeof, membersize, exists, enumval) gets
	 * once linked. 0 with *value set, or nonzero: not known. May be
	 * NULL. */
	int (*constant)(void *user, unsigned kind, const char *type,
	                const char *path, uint64_t *value);
};

struct dif_tc_opts {
	size_t size;
	enum dif_profile profile;
	uint64_t scratch_size; /* 0: 65536, as difrun and dif_vm_opts */
	uint32_t strsize;      /* 0: 256 */
	uint32_t deny;         /* DIF_DENY_* the consumer runs with */
	uint32_t flags;        /* DIF_TC_KEEP_* */
	/* NULL: DIFOs with relocations are not analysed (the validator
	 * rejects them as `unlinked`). Given: such DIFOs are analysed as they
	 * will run once linked, with the oracle's types: uload/uuload results
	 * get the member's width and sign, typecast+usetx+add addresses of
	 * char arrays are strings, record setx get their constant; whatever
	 * the oracle does not know is an integer of unknown value. */
	const struct dif_tc_oracle *types;
};

struct dif_tc;

/* Analyses every DIFO of mod. DIFOs the structural validator rejects are
 * skipped (dif_tc_analysed() says 0); with opts->types, DIFOs whose only
 * rejections are `unlinked` are analysed. Returns 0, DIF_E_NOMEM, DIF_E_INVAL
 * or DIF_E_OPTS. */
DIF_API int dif_typecheck(const struct dif_module *mod,
                          const struct dif_tc_opts *opts, struct dif_tc **out);
DIF_API void dif_tc_free(struct dif_tc *tc);

/* Findings in module order, by pc within a DIFO. */
DIF_API size_t dif_tc_count(const struct dif_tc *tc);
DIF_API const struct dif_tc_finding *dif_tc_get(const struct dif_tc *tc,
                                                size_t i);
/* 1 if DIFO i was analysed (valid), else 0. */
DIF_API int dif_tc_analysed(const struct dif_tc *tc, size_t difo);

/* The value instruction pc of DIFO difo writes (needs DIF_TC_KEEP_TYPES).
 * Returns 0, DIF_E_NOTFOUND (writes no register, or unreached) or
 * DIF_E_INVAL. */
DIF_API int dif_tc_result(const struct dif_tc *tc, size_t difo, uint32_t pc,
                          struct dif_tc_value *out);
/* The state before pc (needs DIF_TC_KEEP_STATES). 0 or DIF_E_INVAL. */
DIF_API int dif_tc_state_at(const struct dif_tc *tc, size_t difo,
                            uint32_t pc, struct dif_tc_state *out);

/* A variable as the whole module uses it (every DIFO's accesses). */
struct dif_tc_var {
	uint8_t scope;          /* enum dif_var_scope */
	uint8_t assoc;          /* 1: associative array */
	uint8_t has_decl;       /* a variable table declares it */
	uint8_t nkeys;          /* assoc: key entries (0: not known) */
	uint32_t id;
	char name[64];          /* from a variable table, or "" */
	struct dif_type decl;   /* the first declaration */
	uint32_t stored;        /* DIF_TC_K_* of every value stored, joined;
	                           0: never stored in this module */
	uint8_t keykinds[DIF_NTREGS]; /* DIF_TC_T_* of each key entry */
};
/* Variables in order of first mention. */
DIF_API size_t dif_tc_nvars(const struct dif_tc *tc);
DIF_API int dif_tc_var(const struct dif_tc *tc, size_t i,
                       struct dif_tc_var *out);

/* Type as text, e.g. "uint8 [0, 255]", "string (strtab)",
 * "pointer (scratch|null)", "conflict (integer|string)". Like snprintf. */
DIF_API size_t dif_tc_value_text(const struct dif_tc_value *v, char *buf,
                                 size_t len);
/* A kind set as text: "integer", "string (strtab|scratch)", "integer|
 * pointer (static|null)" ... Like snprintf. */
DIF_API size_t dif_tc_kinds_text(uint32_t kinds, char *buf, size_t len);
/* Short type name only: "integer", "string", "pointer", "conflict",
 * "undefined". */
DIF_API const char *dif_tc_type_name(const struct dif_tc_value *v);
/* 1 when the concrete 64-bit value lies in the numeric part of v
 * (intervals and known bits). */
DIF_API int dif_tc_value_contains(const struct dif_tc_value *v, uint64_t x);

#ifdef __cplusplus
}
#endif

#endif
