/*
 * Internals of the DIF model: the architectural state, the update record an
 * effect produces, the case table entries and the pure helpers guards and
 * effects share. Not installed; tests include it to sample states.
 */
#ifndef DIFSPEC_MODEL_H
#define DIFSPEC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec.h"

/* DTRACEFLT_* codes (dif-isa.md 4.1). */
enum {
	F_NONE = 0, F_BADADDR = 1, F_BADALIGN = 2, F_ILLOP = 3, F_DIVZERO = 4,
	F_NOSCRATCH = 5, F_KPRIV = 6, F_UPRIV = 7, F_TUPOFLOW = 8, F_BADSTACK = 9,
};
#define FBIT(code) (1u << (code))

/* Privileges withheld (struct dc_case.deny). */
#define DENY_KERNEL 0x1u
#define DENY_PROC 0x2u
#define DENY_OWNER 0x4u
#define DENY_DESTRUCTIVE 0x8u

#define UBASE 0x500u
#define NTUPLE 8u      /* DIF_DTR_NREGS */
#define NTUPLE_ALL 10u /* plus the two internal slots */
#define STRSIZE_SYS 256u

/* A decoded instruction (dif-isa.md section 1), produced by the model's own
 * decoder. */
struct insn {
	uint32_t word;
	uint8_t op, r1, r2, rd; /* rd doubles as rs */
	uint32_t label;         /* 24 bits */
	uint16_t idx;           /* var / intidx / stroff / subr */
};

/* One user variable of the program (from the variable table). */
struct svar {
	uint8_t scope, kind, byref, isstr;
	uint32_t id;
	uint32_t size;   /* type size (strings: 256 when 0) */
	uint64_t value;  /* by-value statics */
	uint64_t hdr;    /* by-ref statics: DIF address of the 8-byte header */
	uint8_t *mem;    /* by-ref statics: header + data (host) */
};

/* A live dynamic variable (thread-local or associative element). */
struct dynel {
	uint32_t chunk;  /* chunk index in the arena */
	uint32_t nkeys;
	uint64_t kval[NTUPLE_ALL + 2], ksize[NTUPLE_ALL + 2];
	uint8_t *kbytes; /* by-ref key contents, concatenated */
	uint64_t kblen;
	uint64_t data;   /* DIF address of the data */
	uint64_t dsize;  /* round_up(max(8, type size), 8) */
	uint8_t *mem;    /* host copy of the data */
};

struct tent { uint64_t v, sz; };

struct state {
	const struct dc_case *c;
	uint32_t profile, strsize, deny;
	bool big_endian; /* model parameter: the host's byte order (run time) */
	/* registers, flags, control */
	uint64_t r[8];
	uint8_t cc_n, cc_z, cc_v, cc_c;
	uint32_t pc;
	uint32_t done;
	uint64_t rval;
	uint32_t fbits;   /* fault bits raised (priority picks the code) */
	uint64_t faddr;
	uint32_t fpc;
	/* tuple stack */
	struct tent tup[NTUPLE_ALL];
	uint32_t ttop;
	/* scratch */
	/* scratch_size bytes, zeroed on first access (vm_obj), and a flag
	 * byte after them: 1 once they are */
	uint8_t *scratch;
	uint64_t scratch_size, sptr; /* sptr: offset of the scratch pointer */
	/* statics */
	struct svar *svars;
	uint32_t nsvars;
	uint64_t statsize;
	uint8_t *statmem;
	/* dynamic variables */
	struct dynel *dyn;
	uint32_t ndyn, capdyn;
	uint64_t chunk, nchunks, drops;
	/* built-in string variables */
	uint64_t envaddr[DC_MAX_BVARS];
	uint8_t *env;
	uint64_t envsize;
	uint64_t tkey;
	/* strtok() position, per execution */
	uint64_t tok_addr, tok_limit;
	uint32_t nondet;
	uint64_t steps;
	/* dc_spec_run_perturbed: case index (-1 none), firing to perturb,
	 * firings seen, and "invert the next conditional branch" */
	int64_t pcase;
	uint32_t pocc, pseen;
	bool pbranch, pfired;
	/* decoded program */
	struct insn *text;
	uint32_t textlen;
	/* what the host kept of stores to built-in arrays (dc_hstore),
	 * carried across runs */
	uint8_t hs_set[DC_MAX_HSTORES];
	uint64_t hs_val[DC_MAX_HSTORES];
	/* what the host's user-memory ranges (dc_hwrite) received */
	uint8_t *hw_img[DC_MAX_HWRITES];
	/* output buffer effects may fill (see struct update) */
	uint8_t *ubuf;
	uint64_t ubufsize;
};

/* Memory write recorded by an effect. */
enum mw_kind { MW_BYTES, MW_ZERO, MW_COPY /* copy in DIF memory, overlap-safe like the kernel's bcopy */ };
struct mwrite {
	uint8_t kind;
	uint64_t addr, len;
	const uint8_t *src; /* MW_BYTES */
	uint64_t from;      /* MW_COPY source address */
	/* MW_COPY after a fault (copy_zeroed): the last zlen bytes in copy
	 * order are stored as 0 */
	uint64_t zlen;
};

enum var_op {
	VO_NONE,
	VO_STATIC_SET,   /* by-value static: value */
	VO_STATIC_NULL,  /* by-ref static: mark NULL */
	VO_STATIC_CLEAR, /* by-ref static: clear the NULL marker */
	VO_DYN_STORE,    /* create or overwrite element (value or copy) */
	VO_DYN_DELETE,
	VO_DYN_DROP,
};

/* The update record: everything one instruction changes. */
struct update {
	bool set_rd;
	uint8_t rd;
	uint64_t rdval;
	bool set_cc;
	uint8_t n, z, v, c;
	bool jump;
	uint32_t target;
	bool done;
	uint64_t rval;
	uint32_t fbits;
	uint64_t faddr;
	bool set_sptr;
	uint64_t sptr;
	struct mwrite mw[3];
	uint32_t nmw;
	/* tuple stack: 1 push, 2 pop, 3 flush */
	uint8_t tupop;
	struct tent push;
	/* variables */
	uint8_t varop;
	int32_t var;        /* svar index */
	uint64_t value;
	struct tent key[NTUPLE_ALL + 2];
	uint32_t nkeys;
	uint64_t keyneed;   /* bytes of key headers and by-ref key data */
	bool copy;          /* VO_STATIC_CLEAR / VO_DYN_STORE: copy from value */
	uint64_t copylen;   /* bytes to copy (strings: through the NUL) */
	bool nowrite;       /* VO_DYN_STORE: create or keep, write nothing */
	uint64_t dsize;     /* VO_DYN_STORE: element data size */
	/* dynamic-variable ops write their key into the tuple array: slots
	 * ttop.. for associative arrays, 8 and 9 for ldts/stts */
	uint32_t ntslot, tslot_at;
	struct tent tslot[2];
	bool set_tok;
	uint64_t tok_addr, tok_limit;
	bool nondet;
	/* a store the host accepted (dc_hstore index, value) */
	bool hstore;
	uint32_t hs_k;
	uint64_t hs_val;
	/* bytes handed to the host's user-memory writer: hw_len bytes read
	 * from DIF address hw_from, written at user address hw_addr */
	bool hwrite;
	uint64_t hw_addr, hw_from, hw_len;
};

typedef bool (*guard_fn)(const struct state *, const struct insn *);
typedef void (*effect_fn)(const struct state *, const struct insn *,
                          struct update *);

/* Subroutine identities of the model (its own numbering). */
enum subr_id {
	S_RAND, S_MUTEX_OWNED, S_MUTEX_OWNER, S_MUTEX_TYPE_ADAPTIVE,
	S_MUTEX_TYPE_SPIN, S_RW_READ_HELD, S_RW_WRITE_HELD, S_RW_ISWRITER,
	S_COPYIN, S_COPYINSTR, S_SPECULATION, S_PROGENYOF, S_STRLEN,
	S_COPYOUT, S_COPYOUTSTR, S_ALLOCA, S_BCOPY, S_COPYINTO, S_MSGDSIZE,
	S_MSGSIZE, S_GETMAJOR, S_GETMINOR, S_DDI_PATHNAME, S_STRJOIN,
	S_LLTOSTR, S_BASENAME, S_DIRNAME, S_CLEANPATH, S_STRCHR, S_STRRCHR,
	S_STRSTR, S_STRTOK, S_SUBSTR, S_INDEX, S_RINDEX, S_HTONS, S_HTONL,
	S_HTONLL, S_NTOHS, S_NTOHL, S_NTOHLL, S_INET_NTOP, S_INET_NTOA,
	S_INET_NTOA6, S_TOUPPER, S_TOLOWER, S_MEMREF, S_SX_SHARED_HELD,
	S_SX_EXCLUSIVE_HELD, S_SX_ISEXCLUSIVE, S_MEMSTR, S_GETF, S_JSON,
	S_STRTOLL, S_COUNT
};

struct subr_def {
	const char *name;
	int num[2]; /* by enum dc_profile; -1 when absent */
};
extern const struct subr_def dc_subrs[S_COUNT];
/* Subroutine of a number under a profile, or -1. */
int subr_by_number(uint32_t profile, unsigned n);

/* A case: public description plus its guard and effect. Cases of one
 * instruction are consecutive. A case's guard is self-contained:
 *   guard_k = profile_k and cond_k, or, when `excl` is set,
 *   guard_k = profile_k and not cond_j for every earlier case j of the
 *             instruction (on the profile) and cond_k,
 * so the guards of one instruction are disjoint by construction where
 * `excl` is set and must be disjoint by their conditions elsewhere; the
 * step function evaluates every guard and requires exactly one to hold.
 * cond_text is cond_k in words; the public guard text (dc_spec_case_at)
 * spells out the whole guard. */
struct case_def {
	struct dc_spec_case pub; /* pub.guard is cond_text */
	int op;      /* opcode, or -1 for a subroutine */
	int subr;    /* enum subr_id, or -1 */
	bool excl;   /* the guard includes "no earlier case's condition" */
	guard_fn cond;
	effect_fn effect;
};
/* Evaluation of the guards of one instruction on one state: conditions
 * computed once (0 false, 1 true, -1 not yet), so that evaluating every
 * guard costs no more than evaluating every condition. Pure: a function of
 * (state, insn) only. */
#define GROUP_MAX 32
struct guard_eval {
	const struct state *s;
	const struct insn *i;
	uint32_t first, n;
	signed char cond[GROUP_MAX];
};
void guard_eval_init(struct guard_eval *g, const struct state *s,
                     const struct insn *i, uint32_t first, uint32_t n);
/* The guard of case first + k. */
bool guard_holds(struct guard_eval *g, uint32_t k);
extern const struct case_def dc_cases[];
extern const size_t dc_ncases;

/* ---- pure helpers (mem.c) ---- */
uint64_t rup8(uint64_t x);
bool in_range(uint64_t addr, uint64_t size, uint64_t base, uint64_t len);
/* [a, +n) wraps or reaches past the top of user space (dif-isa.md 2.4). */
bool urange_bad(uint64_t a, uint64_t n);
/* Host pointer for [addr, addr+len) of readable memory, NULL if any part
 * is unreadable. *fault gets BADADDR or 0; *bad the offending address. */
const uint8_t *mem_ptr(const struct state *s, uint32_t as, uint64_t addr,
                       uint64_t len, uint64_t *bad);
bool mem_readable(const struct state *s, uint32_t as, uint64_t addr,
                  uint64_t len, uint64_t *bad);
bool canstore(const struct state *s, uint64_t addr, uint64_t size);
/* canload: always true with kernel privilege; else the region rules of
 * 4.3. *remain gets the bytes left in the region (UINT64_MAX with kernel
 * privilege). */
bool canload(const struct state *s, uint64_t addr, uint64_t size,
             uint64_t *remain);
bool kernel_priv(const struct state *s);
/* Kernel range overlaps a toxic region. */
bool toxic(const struct state *s, uint64_t addr, uint64_t len);
uint64_t load_bad(const struct state *s, uint32_t as, uint64_t addr,
                  uint64_t len);
/* The kernel's bcopy of n bytes from src to dst (forwards when dst <= src,
 * else backwards): the bytes it stores as 0, i.e. the first unreadable or
 * toxic byte in copy order and every byte after it (Decision 14). */
uint64_t copy_zeroed(const struct state *s, uint64_t dst, uint64_t src,
                     uint64_t n);

/* String access, as the subroutines and SCMP see it. */
enum str_cls { STR_OK, STR_KPRIV, STR_SILENT, STR_BADADDR };
struct strres {
	enum str_cls cls;
	uint64_t bad;   /* faulting address (KPRIV / BADADDR) */
	uint64_t lim;   /* bytes that may be read: min(bound, remaining) */
	uint64_t rem;   /* without kernel visibility: bytes left in the region */
	uint64_t len;   /* strnlen within lim */
	const uint8_t *p; /* host bytes (len of them, then NUL unless len==lim) */
};
/* strcanload(addr, bound) followed by reading the string. */
void str_check(const struct state *s, uint64_t addr, uint64_t bound,
               struct strres *out);
/* Safe strlen (no canload check) as PUSHTR does it. */
bool safe_strnlen(const struct state *s, uint64_t addr, uint64_t bound,
                  uint64_t *len, uint64_t *bad);
/* Scratch: buffer of size bytes fits at the pointer? */
bool scratch_fits(const struct state *s, uint64_t size);
/* alloca rule: aligned address and total; false on wrap or no room. */
bool scratch_alloc(const struct state *s, uint64_t size, uint64_t *p,
                   uint64_t *total);
uint64_t scratch_addr(const struct state *s);
/* Apply helpers used by the step function. */
void mem_write(struct state *s, uint64_t addr, const uint8_t *src,
               uint64_t len);
uint8_t *mem_wptr(struct state *s, uint64_t addr, uint64_t len);

/* Tuple argument i of a CALL. */
static inline uint64_t arg(const struct state *s, unsigned i)
{
	return s->tup[i].v;
}

/* Built-in variables of a profile (dif-isa.md 7.2): kind and privilege. */
enum { BV_NONE, BV_INT, BV_ARG, BV_STR };
enum { PV_NONE, PV_KERNEL, PV_PROC };
void bvar_info(uint32_t prof, unsigned id, int *kind, int *priv);

/* ---- variables (vars.c) ---- */
int svar_find(const struct state *s, unsigned scope, unsigned id);
const struct dynel *dyn_find(const struct state *s, const struct tent *key,
                             uint32_t nkeys);
bool dyn_key_check(const struct state *s, const struct tent *key,
                   uint32_t nkeys, uint64_t *bad, uint32_t *fault);
uint64_t dyn_need(const struct tent *key, uint32_t nkeys, uint64_t dsize);
bool dyn_can_alloc(const struct state *s, uint64_t need);
void dyn_apply(struct state *s, const struct update *u);

#endif
