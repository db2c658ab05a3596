/*
 * difvm: DTrace Intermediate Format (DIF) library.
 *
 * One public header. Handles are opaque; option structs start with their
 * size (declare them with DIF_OPTS) and zero always means "default".
 * Functions return 0 on success or a DIF_E_* code; detailed diagnostics go
 * to an optional struct dif_errors the caller passes in.
 *
 * Contract (checked by tests/misuse): NULL handles and out-pointers give
 * DIF_E_INVAL (getters return NULL/0, *_free(NULL) is a no-op); an
 * out-pointer is NULL after a failure. Inputs are copied: a caller's text,
 * parts and options may be freed when the call returns. Results are owned
 * by the caller (dif_dis: free(); handles: their *_free). Pointers that
 * dif_difo_get_parts, dif_difo_name and dif_module_get return live as long
 * as the DIFO or module. Nothing here has global mutable state: distinct
 * objects may be used from different threads; one object (a module, a
 * vstate, an errors list) from one thread at a time. Execution objects:
 * vm.h.
 */
#ifndef DIFVM_DIFVM_H
#define DIFVM_DIFVM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DIF_API __attribute__((visibility("default")))
#define DIFVM_VERSION "0.1.0"

/* Declare an options struct with its size set and everything else zero. */
#define DIF_OPTS(type, var, ...) \
	struct type var = { .size = sizeof(struct type), __VA_ARGS__ }

/* ---------------------------------------------------------------------
 * Profiles: where DTrace platforms differ (opcode 80, subroutine numbers
 * from 44 up, built-in variable 0x121..0x200, disassembler id style).
 */
enum dif_profile {
	DIF_PROFILE_FREEBSD = 0, /* default: FreeBSD / OpenDTrace */
	DIF_PROFILE_ILLUMOS = 1,
};
DIF_API const char *dif_profile_name(enum dif_profile p);
/* Parses "freebsd" / "illumos"; returns 0 or DIF_E_INVAL. */
DIF_API int dif_profile_parse(const char *s, enum dif_profile *out);

/* ---------------------------------------------------------------------
 * Architectural constants (dif-isa.md sections 3 and 7).
 */
#define DIF_NREGS 8u               /* %r0..%r7, %r0 always zero */
#define DIF_NTREGS 8u              /* tuple stack depth */
#define DIF_VAR_ARRAY_MAX 0xffu
#define DIF_VAR_OTHER_MIN 0x100u
#define DIF_VAR_OTHER_UBASE 0x500u /* first user variable id */
#define DIF_VAR_OTHER_MAX 0xffffu
#define DIF_INTOFF_MAX 0xffffu
#define DIF_STROFF_MAX 0xffffu
#define DIF_STATVAR_MAXSIZE (16u * 1024u)
#define DIF_STRSIZE_DEFAULT 256u
#define DIF_DIFO_MAXSIZE (256u * 1024u) /* text + tables of one DIFO */
#define DIF_MODULE_MAXSIZE (64u << 20) /* default: text + tables of a module */

enum dif_type_kind { DIF_TYPE_CTF = 0, DIF_TYPE_STRING = 1 };
#define DIF_TF_BYREF 0x1u
#define DIF_TF_BYUREF 0x2u

enum dif_var_kind { DIF_VKIND_ARRAY = 0, DIF_VKIND_SCALAR = 1 };
enum dif_var_scope {
	DIF_VSCOPE_GLOBAL = 0,
	DIF_VSCOPE_THREAD = 1,
	DIF_VSCOPE_LOCAL = 2,
};
#define DIF_VF_REF 0x1u /* read by this DIFO */
#define DIF_VF_MOD 0x2u /* written by this DIFO */

/* dtrace_diftype_t equivalent. */
struct dif_type {
	uint8_t kind;  /* enum dif_type_kind */
	uint8_t ckind; /* CTF kind (0 unknown, 1 integer, ... 13 restrict) */
	uint8_t flags; /* DIF_TF_* */
	uint8_t pad;
	uint32_t size;
};

/* dtrace_difv_t equivalent: one variable-table row. */
struct dif_var {
	uint32_t name;  /* offset in the DIFO string table */
	uint32_t id;
	uint8_t kind;   /* enum dif_var_kind */
	uint8_t scope;  /* enum dif_var_scope */
	uint16_t flags; /* DIF_VF_* */
	struct dif_type type;
};

/* ---------------------------------------------------------------------
 * Errors. One list gives each code its stable name (used in JSON and as
 * the "rule" in validator reports) and default text.
 */
#define DIF_ERRLIST(X)                                                        \
	X(OK, "ok", "success")                                                    \
	X(E_NOMEM, "nomem", "out of memory")                                      \
	X(E_INVAL, "invalid-argument", "invalid argument")                        \
	X(E_OPTS, "bad-options", "unknown non-zero option fields")                \
	X(E_IO, "io", "input/output error")                                       \
	X(E_NOTFOUND, "not-found", "no such object")                              \
	X(E_SYNTAX, "syntax", "syntax error")                                     \
	X(E_ENCODING, "encoding-mismatch", "hex word differs from instruction")   \
	X(E_LIMIT, "limit", "size or table limit exceeded")                       \
	X(E_DUPLICATE, "duplicate", "name already defined")                       \
	X(E_BUSY, "busy", "context in use by another call")                       \
	/* structural validator rules (dif-isa.md section 5) */                   \
	X(E_OPCODE, "invalid-opcode", "invalid opcode")                           \
	X(E_REG, "invalid-register", "register number out of range")              \
	X(E_R0_WRITE, "r0-write", "cannot write to %r0")                          \
	X(E_RESERVED, "reserved-bits", "non-zero reserved bits")                  \
	X(E_R0_ADDR, "r0-address", "cannot write to 0 address")                   \
	X(E_BRANCH_TARGET, "branch-target", "invalid branch target")              \
	X(E_BRANCH_BACK, "branch-backward", "backward branch")                    \
	X(E_INTTAB, "inttab-index", "integer table index out of range")           \
	X(E_STRTAB, "strtab-offset", "string table offset out of range")          \
	X(E_ARRAY_ID, "array-id", "array variable id out of range")               \
	X(E_VAR_RANGE, "var-range", "variable id out of range")                   \
	X(E_SUBR, "subr-range", "invalid subroutine")                             \
	X(E_REF_TYPE, "ref-type", "invalid ref type")                             \
	X(E_VAL_TYPE, "val-type", "invalid val type")                             \
	X(E_LAST_RET, "last-not-ret", "expected 'ret' as last DIF instruction")   \
	X(E_RET_SIZE, "return-size", "bad return size")                           \
	X(E_VAR_SCOPE, "var-scope", "unrecognized variable scope")                \
	X(E_VAR_KIND, "var-kind", "unrecognized variable type")                   \
	X(E_VAR_ID, "var-id-limit", "variable id exceeds limit")                  \
	X(E_VAR_ZERO, "var-zero-size", "zero-sized variable")                     \
	X(E_VAR_OVERSIZE, "var-oversized", "oversized by-ref static")             \
	X(E_VAR_CHG_KIND, "var-changed-kind", "changed variable kind")            \
	X(E_VAR_CHG_FLAGS, "var-changed-flags", "changed variable type flags")    \
	X(E_VAR_CHG_SIZE, "var-changed-size", "changed variable type size")       \
	X(E_VAR_UNDECL, "var-undeclared", "variable id beyond declared maximum")  \
	X(E_NO_TEXT, "no-text", "missing DIF text")                               \
	X(E_UNLINKED, "unlinked", "relocation left: link the program first")      \
	X(E_VALIDATE, "rejected", "program rejected by the validator")            \
	/* object files (linker/) */                                              \
	X(E_OBJ_FORMAT, "obj-format", "not a difvm ELF object")                   \
	X(E_OBJ_CLASS, "obj-class", "wrong ELF class")                            \
	X(E_OBJ_DATA, "obj-data", "wrong or unknown ELF byte order")              \
	X(E_OBJ_MACHINE, "obj-machine", "wrong ELF machine or type")              \
	X(E_OBJ_VERSION, "obj-version", "unsupported object format version")      \
	X(E_OBJ_TRUNCATED, "obj-truncated", "object file is truncated")           \
	X(E_OBJ_SECTION, "obj-section", "bad section size or type")               \
	X(E_OBJ_ALIGN, "obj-align", "bad section alignment")                      \
	X(E_OBJ_INDEX, "obj-index", "index out of range")                         \
	X(E_OBJ_MISSING, "obj-missing", "missing required section or table")      \
	X(E_OBJ_OVERSIZE, "obj-oversize", "table exceeds its limit")              \
	X(E_OBJ_SYMBOL, "obj-symbol", "bad symbol")                               \
	X(E_OBJ_STRING, "obj-string", "string not NUL-terminated or empty")       \
	X(E_OBJ_DUPLICATE, "obj-duplicate", "duplicate name or section use")     \
	X(E_OBJ_RELOC, "obj-reloc", "bad or unresolved relocation")               \
	X(E_OBJ_PROFILE, "obj-profile", "object built for another profile")       \
	X(E_OBJ_LIBELF, "obj-libelf", "libelf failure")                           \
	/* type relocations (linker/reloc.c, docs/linking.md) */                  \
	X(E_TYPES, "bad-types", "malformed or unreadable type file")              \
	X(E_RELOC, "reloc", "relocation cannot be resolved")                      \
	X(E_VERIFY, "verify", "linked program differs beyond the allowed rewrites") \
	/* execution */                                                           \
	X(E_FAULT, "fault", "the program faulted")

enum dif_err {
#define DIF_ERR_ENUM_(name, id, text) DIF_##name,
	DIF_ERRLIST(DIF_ERR_ENUM_)
#undef DIF_ERR_ENUM_
	DIF_NERR
};
DIF_API const char *dif_err_name(int code); /* stable name, e.g. "r0-write" */
DIF_API const char *dif_err_text(int code); /* default text */

#define DIF_NO_PC UINT32_MAX
#define DIF_ERRORS_MAX 64u

/* One diagnostic. Every field is optional except code and msg. */
struct dif_error {
	int code;          /* enum dif_err */
	uint32_t pc;       /* instruction index or DIF_NO_PC */
	uint32_t line;     /* source line (1-based) or 0 */
	uint32_t col;      /* source column (1-based) or 0 */
	char object[64];   /* DIFO (or section) name the error is about */
	char insn[64];     /* instruction text as difdis prints it */
	char msg[256];     /* full message naming object and rule */
};

/* A bounded list; `dropped` counts errors past DIF_ERRORS_MAX. */
struct dif_errors {
	uint32_t count;
	uint32_t dropped;
	struct dif_error list[DIF_ERRORS_MAX];
};
DIF_API void dif_errors_clear(struct dif_errors *errs);
/* Appends one diagnostic (analyses and tools report through this too).
 * errs may be NULL; past DIF_ERRORS_MAX only `dropped` grows. pc may be
 * DIF_NO_PC; object and insn may be NULL. */
DIF_API void dif_errors_add(struct dif_errors *errs, int code, uint32_t pc,
                            const char *object, const char *insn,
                            const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* ---------------------------------------------------------------------
 * Type relocations, CO-RE style (docs/linking.md). A record names the
 * instruction it rewrites at link time; type and path are offsets in the
 * DIFO's symbol table.
 */
enum dif_reloc_kind {
	DIF_RELOC_NONE = 0,
	DIF_RELOC_OFFSETOF = 1,   /* setx: byte offset of member path */
	DIF_RELOC_SIZEOF = 2,     /* setx: sizeof(type); path 0 */
	DIF_RELOC_MEMBERSIZE = 3, /* setx: size of the member */
	DIF_RELOC_EXISTS = 4,     /* setx: 1 if type and member exist, else 0 */
	DIF_RELOC_ENUMVAL = 5,    /* setx: value of enumerator path of type */
	DIF_RELOC_LOAD = 6,       /* uload/uuload: load of the member's width */
	DIF_RELOC_POISON = 7,     /* linked: the instruction faults ILLOP and
	                             path names the reason */
	DIF_RELOC_NKINDS
};
struct dif_reloc {
	uint32_t pc;
	uint16_t kind;  /* enum dif_reloc_kind */
	uint16_t flags; /* 0 (reserved) */
	uint32_t type;  /* symtab offset: type name, e.g. "struct stat" */
	uint32_t path;  /* symtab offset: member path, enumerator or reason */
};
/* "offsetof", "sizeof", ... as the assembler spells them ("" for LOAD). */
DIF_API const char *dif_reloc_kind_name(unsigned kind);
struct dif_difo;
/* The DIFO's relocation record at pc, or NULL (binary search). */
DIF_API const struct dif_reloc *dif_difo_reloc_at(const struct dif_difo *d,
                                                  uint32_t pc);

/* ---------------------------------------------------------------------
 * DIFO: one DIF program with its tables and return type.
 */
struct dif_difo;

struct dif_difo_parts {
	size_t size;
	const char *name;          /* NULL: "difo" */
	const uint32_t *text;      /* instruction words, host order */
	uint32_t textlen;          /* number of words */
	const uint64_t *inttab;
	uint32_t intlen;           /* entries */
	const char *strtab;
	uint32_t strlen;           /* bytes; if > 0 must end with NUL */
	const struct dif_var *vartab;
	uint32_t varlen;           /* entries */
	struct dif_type rtype;
	/* Type relocations (docs/linking.md); only until linking, except
	 * DIF_RELOC_POISON records. symtab holds the names usetx/typecast and
	 * the records refer to (NUL-terminated strings, offset 0 is ""). */
	const char *symtab;
	uint32_t symlen;           /* bytes; if > 0 must end with NUL */
	const struct dif_reloc *relocs;
	uint32_t nrelocs;          /* sorted by pc, at most one per pc */
};

/* Copies the parts; checks sizes and limits (E_LIMIT, E_INVAL). */
DIF_API int dif_difo_create(const struct dif_difo_parts *parts,
                            struct dif_difo **out, struct dif_errors *errs);
DIF_API void dif_difo_free(struct dif_difo *difo);
DIF_API const char *dif_difo_name(const struct dif_difo *difo);
/* A view of the DIFO's parts (pointers stay valid while the DIFO lives). */
DIF_API void dif_difo_get_parts(const struct dif_difo *difo,
                                struct dif_difo_parts *out);

/* A module: an ordered set of uniquely named DIFOs (a listing or object). */
struct dif_module;
DIF_API struct dif_module *dif_module_new(void);
DIF_API void dif_module_free(struct dif_module *mod);
/* Takes ownership of difo (also on failure). E_DUPLICATE on a name clash;
 * E_LIMIT when the module's DIFOs would total more than its limit
 * (DIF_MODULE_MAXSIZE bytes of text and tables; dif_asm and dif_obj_read
 * take another from their options). */
DIF_API int dif_module_add(struct dif_module *mod, struct dif_difo *difo);
DIF_API size_t dif_module_count(const struct dif_module *mod);
DIF_API const struct dif_difo *dif_module_get(const struct dif_module *mod,
                                              size_t i);
DIF_API const struct dif_difo *dif_module_find(const struct dif_module *mod,
                                               const char *name);

/* ---------------------------------------------------------------------
 * Instruction set queries (all driven by the one ISA table).
 */
#define DIF_OP_COUNT 85u /* opcodes 0..84 (81..84: relocations) */
/* Mnemonic of an opcode under a profile, or NULL if it is not valid there. */
DIF_API const char *dif_op_name(unsigned op, enum dif_profile p);
/* Subroutine name for a number under a profile, or NULL. */
DIF_API const char *dif_subr_name(unsigned subr, enum dif_profile p);
DIF_API unsigned dif_subr_max(enum dif_profile p);
/* Built-in variable name for an id (arrays < 0x100), or NULL. */
DIF_API const char *dif_var_name(unsigned id, enum dif_profile p);

/* ---------------------------------------------------------------------
 * Text formats: `dtrace -S` listings and the hand-written syntax
 * (docs/assembly.md).
 */
struct dif_asm_opts {
	size_t size;
	enum dif_profile profile;
	const char *filename; /* for messages; NULL: "<input>" */
	int varid; /* enum dif_varid_style of variable-table ids in listings;
	              0: profile default, cross-checked with DT_VAR operands */
	uint64_t max_module; /* bytes of all DIFOs; 0: DIF_MODULE_MAXSIZE */
};
/* Assembles every DIFO in text; stops at the first syntax error. */
DIF_API int dif_asm(const char *text, size_t len,
                    const struct dif_asm_opts *opts, struct dif_module **out,
                    struct dif_errors *errs);

enum dif_varid_style {
	DIF_VARID_PROFILE = 0, /* illumos hex, FreeBSD decimal */
	DIF_VARID_DEC = 1,
	DIF_VARID_HEX = 2,
	/* dif_dis: the style the DIFO's listing variable table was read in
	 * (dif_difo_varid), else the profile's. Not for dif_asm_opts. */
	DIF_VARID_SOURCE = 3,
};
struct dif_dis_opts {
	size_t size;
	enum dif_profile profile;
	enum dif_varid_style varid; /* variable-table id column */
	uint64_t ptr;               /* value printed after "DIFO "; 0: none set */
};
/* The pointer value a listing showed after "DIFO " (kept so a listing
 * round-trips); 0 if none. */
DIF_API uint64_t dif_difo_ptr(const struct dif_difo *difo);
DIF_API void dif_difo_set_ptr(struct dif_difo *difo, uint64_t ptr);
/* The id style (DIF_VARID_DEC or DIF_VARID_HEX) of the variable table of
 * the listing the DIFO was read from; DIF_VARID_PROFILE if unknown (no
 * listing table). Kept in objects; used by DIF_VARID_SOURCE. */
DIF_API enum dif_varid_style dif_difo_varid(const struct dif_difo *difo);
DIF_API void dif_difo_set_varid(struct dif_difo *difo,
                                enum dif_varid_style style);

/* Whole listing as `dtrace -S` prints it; malloc'd, free() it. NULL on OOM. */
DIF_API char *dif_dis(const struct dif_difo *difo,
                      const struct dif_dis_opts *opts);
/* One instruction's text without comment (e.g. "add  %r1, %r2, %r3").
 * Returns the length it needed, like snprintf. */
DIF_API size_t dif_insn_text(uint32_t word, enum dif_profile p, char *buf,
                             size_t len);

/* ---------------------------------------------------------------------
 * Structural validator: exact parity with dtrace_difo_validate.
 */
struct dif_validate_opts {
	size_t size;
	enum dif_profile profile;
	uint32_t nregs; /* 0: DIF_NREGS */
};
/* Reports every violation; 0 if accepted, else DIF_E_VALIDATE. */
DIF_API int dif_validate(const struct dif_difo *difo,
                         const struct dif_validate_opts *opts,
                         struct dif_errors *errs);
/* Validates each DIFO in order, sharing variable definitions as one
 * consumer state does (rule 29). */
DIF_API int dif_validate_module(const struct dif_module *mod,
                                const struct dif_validate_opts *opts,
                                struct dif_errors *errs);
/* The same one DIFO at a time: a consumer state remembers the variables
 * of every DIFO accepted with it, and rule 29 checks later DIFOs against
 * them. dif_validate_with(d, o, NULL, e) is dif_validate(d, o, e). */
struct dif_vstate;
DIF_API struct dif_vstate *dif_vstate_new(void); /* NULL on OOM */
DIF_API void dif_vstate_free(struct dif_vstate *st);
DIF_API int dif_validate_with(const struct dif_difo *difo,
                              const struct dif_validate_opts *opts,
                              struct dif_vstate *st, struct dif_errors *errs);

#ifdef __cplusplus
}
#endif

#include "difvm/vm.h"

#endif
