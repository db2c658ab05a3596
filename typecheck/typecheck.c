/*
 * The verifier pass (include/difvm/typecheck.h, docs/verifier.md).
 *
 * DIF branches only go forward, so a DIFO is a DAG in instruction order:
 * one pass from pc 0 visits every instruction after all its predecessors.
 * The state that falls through is carried along; the state of a taken
 * branch is joined into a slot kept for its target until the pass gets
 * there. Work is constant per instruction and memory is one slot per
 * branch target (plus the optional per-pc results), so time and memory
 * grow linearly.
 *
 * Checks run on the state before each instruction; after an instruction
 * that faults on some values, the state keeps only the values that let
 * execution go on (a divisor is non-zero after a division), so one root
 * cause is reported once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "difvm/cfg.h"
#include "difvm/exec.h"
#include "difvm/internal.h"

#define NOREG 0xffu

enum { CC_INIT, CC_CMP, CC_TST, CC_ANY };

#define TC_NLOCALS 4 /* clause-local values followed per state */
#define TC_NAMED 0x80000000u /* ct: an index in cx->named, not symtab */
#define TC_NNAMED 64u

/* The ISA row of an opcode; the DIFO was validated for the profile, so
 * the profile check of dif_isa_lookup() is done already (and this is the
 * hot path). */
static inline const struct dif_opinfo *opinfo(unsigned op)
{
	return op < DIF_OP_COUNT && dif_isa[op].name ? &dif_isa[op] : NULL;
}

struct tstate {
	av_t r[DIF_NREGS];
	av_t tv[DIF_NTREGS];
	uint8_t tk[DIF_NTREGS];
	uint8_t dlo, dhi;
	uint8_t live;
	uint8_t cck, cr1, cr2;
	uint32_t ccpc;
	av_t ca, cb;
	uint64_t slo, shi;
	/* by-value clause-local variables stored earlier in this execution:
	 * their storage is per CPU, so a later ldls reads what stls wrote
	 * (unless a store through a pointer may have hit it) */
	struct {
		uint32_t id; /* 0: free */
		av_t v;
	} loc[TC_NLOCALS];
	/* unlinked DIFOs with a type oracle: per register, the symtab offset
	 * + 1 of the type a typecast gave it (ct) and of the member name a
	 * usetx put in it (cm); both set: the address of that member */
	uint32_t ct[DIF_NREGS], cm[DIF_NREGS];
};

/* One variable as the whole module sees it. */
struct tvar {
	uint32_t key; /* scope << 24 | assoc << 20 | id, 0: empty slot */
	uint8_t has_decl, seen, reported, keyset;
	uint8_t nkeys;
	uint8_t keykinds[DIF_NTREGS];
	struct dif_type decl;
	const char *name;
	uint32_t str_difo, str_pc;
	uint32_t stored; /* kinds of every value stored */
	uint32_t order;  /* first mention */
};

struct difo_res {
	int analysed;
	uint32_t n;
	av_t *types;     /* KEEP_TYPES: result per pc */
	uint8_t *typed;  /* 1 where types[pc] is set */
	struct dif_tc_state *states; /* KEEP_STATES */
};

struct dif_tc {
	struct dif_tc_finding *f;
	size_t nf, capf;
	struct dif_tc_var *vars; /* by first mention */
	size_t nvars;
	struct difo_res *d;
	size_t nd;
};

/* Which operands of its instruction a finding is about (the seeds of its
 * causal path). */
#define W_R1 0x1u
#define W_R2 0x2u
#define W_RD 0x4u
#define W_T(i) (0x100u << (i)) /* tuple entry i */

struct pend {
	size_t fi;       /* the finding */
	unsigned who;    /* W_* */
	uint32_t ref[2]; /* branches that narrowed the values */
};

/* Everything one dif_typecheck() call uses. */
struct cx {
	struct dif_tc *tc;
	enum dif_profile profile;
	uint64_t scratch;
	uint32_t strsize;
	uint32_t deny;
	uint32_t flags;
	const struct dif_tc_oracle *types;
	int nomem;
	/* variables */
	struct tvar *vars;
	size_t nvars, capvars;
	/* current DIFO */
	const struct dif_difo *d;
	uint32_t di;
	struct pend *pend;  /* findings of this DIFO awaiting their slice */
	size_t npend, cappend;
	/* cfg's graphs, rebuilt DIFO after DIFO in the same memory: blocks
	 * only (reachability), and with the def-use graph (slices) */
	struct dif_cfg *blocks, *du;
	struct difo_res *res;
	/* pointer types the oracle named (a loaded pointer member's "P *"),
	 * for this DIFO; a register's ct refers to one with TC_NAMED */
	char (*named)[132];
	uint32_t nnamed;
	size_t first_finding;
};

/* ---------------------------------------------------------------------
 * Findings.
 */
struct rule_info {
	const char *rule, *category, *title;
};
static const struct rule_info rules[] = {
	{ "uninit-reg", "undefined value", "read of an undefined register" },
	{ "div-zero", "arithmetic", "division by zero" },
	{ "tuple-overflow", "tuple stack", "tuple stack overflow" },
	{ "tuple-args", "tuple stack", "too few tuple entries" },
	{ "null-deref", "memory", "NULL dereference" },
	{ "store-target", "memory", "store outside writable memory" },
	{ "misaligned", "memory", "misaligned store" },
	{ "string-expected", "types", "integer where a string is expected" },
	{ "type-mismatch", "types", "conflicting types" },
	{ "scratch-exhausted", "resources", "scratch space exhausted" },
	{ "shift-range", "arithmetic", "shift count out of range" },
	{ "unreachable", "control flow", "unreachable code" },
};
enum {
	RU_UNINIT, RU_DIVZERO, RU_TUPOVF, RU_TUPARGS, RU_NULL, RU_STORE,
	RU_ALIGN, RU_STRING, RU_TYPE, RU_SCRATCH, RU_SHIFT, RU_UNREACH
};

static struct dif_tc_finding *add_finding(struct cx *cx, int rule,
                                          enum dif_tc_severity sev,
                                          uint32_t pc)
{
	struct dif_tc *tc = cx->tc;
	if (tc->nf == tc->capf) {
		size_t cap = tc->capf ? tc->capf * 2 : 16;
		struct dif_tc_finding *n = realloc(tc->f, cap * sizeof(*n));
		if (!n) {
			cx->nomem = 1;
			return NULL;
		}
		tc->f = n;
		tc->capf = cap;
	}
	struct dif_tc_finding *f = &tc->f[tc->nf++];
	memset(f, 0, sizeof(*f));
	f->rule = rules[rule].rule;
	f->category = rules[rule].category;
	f->title = rules[rule].title;
	f->severity = sev;
	f->difo = cx->di;
	f->pc = pc;
	if (pc != DIF_NO_PC && pc < cx->d->textlen)
		dif_insn_text(cx->d->text[pc], cx->profile, f->insn, sizeof(f->insn));
	return f;
}

static void add_slice(struct dif_tc_finding *f, uint32_t pc)
{
	if (pc >= DIF_TC_DEF_MANY || f->nslice >= DIF_TC_SLICE_MAX)
		return;
	for (uint32_t i = 0; i < f->nslice; i++)
		if (f->slice[i] == pc)
			return;
	f->slice[f->nslice++] = pc;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The causal path starts from the values' definitions and the branches
 * that narrowed them; once the DIFO is done, resolve_slices() replaces it
 * by the backward slice in cfg's def-use graph. */
static void build_slice(struct cx *cx, struct dif_tc_finding *f, unsigned who,
                        const av_t *const *vals, int nvals)
{
	struct pend p = { (size_t)(f - cx->tc->f), who, { DIF_NO_PC, DIF_NO_PC } };
	for (int i = 0; i < nvals; i++) {
		if (!vals[i])
			continue;
		add_slice(f, vals[i]->def);
		add_slice(f, vals[i]->refined);
		if (i < 2)
			p.ref[i] = vals[i]->refined;
	}
	qsort(f->slice, f->nslice, sizeof(f->slice[0]), cmp_u32);
	if (cx->npend == cx->cappend) {
		size_t cap = cx->cappend ? cx->cappend * 2 : 16;
		struct pend *n = realloc(cx->pend, cap * sizeof(*n));
		if (!n)
			return; /* keeps the first approximation */
		cx->pend = n;
		cx->cappend = cap;
	}
	cx->pend[cx->npend++] = p;
}

/* cfg's graph of the current DIFO in *slot (built once, then rebuilt).
 * Returns 0, DIF_E_NOMEM, or another code when the DIFO has no graph. */
static int graph(struct cx *cx, struct dif_cfg **slot, bool defuse)
{
	DIF_OPTS(dif_cfg_opts, co, .profile = cx->profile,
	         .flags = defuse ? 0 : DIF_CFG_NO_DEFUSE);
	if (*slot)
		return dif_cfg_rebuild(*slot, cx->d, &co, NULL);
	return dif_cfg_build(cx->d, &co, slot, NULL);
}

static bool use_matches(const struct dif_use *u, unsigned who)
{
	switch (u->role) {
	case DIF_USE_R1: return who & W_R1;
	case DIF_USE_R2: return who & W_R2;
	case DIF_USE_RD: return who & W_RD;
	case DIF_USE_TUPLE: return u->loc.id < DIF_NTREGS && (who & W_T(u->loc.id));
	default: return false;
	}
}

/* Adds the instructions that define what the use reads. */
static void add_reaching(const struct dif_cfg *cfg, struct dif_du_walk *w,
                         const struct dif_use *u, struct dif_tc_finding *f)
{
	const uint32_t *defs;
	uint32_t n = dif_du_reaching(w, u->node, &defs);
	if (n == UINT32_MAX)
		return;
	for (uint32_t i = 0; i < n && f->nslice < DIF_TC_SLICE_MAX; i++) {
		struct dif_def d;
		if (dif_du_node(cfg, defs[i], &d) == 0 && d.pc != DIF_NO_PC)
			add_slice(f, d.pc);
	}
}

/* Backward slices in the def-use graph: the definitions of the operands
 * the finding is about, the branches that narrowed them, then breadth
 * first the definitions of everything those instructions read (registers,
 * tuple entries and, for branches, the flags), up to 16 instructions. */
static int resolve_slices(struct cx *cx)
{
	if (!cx->npend)
		return 0;
	int rc = graph(cx, &cx->du, true);
	if (rc)
		return rc == DIF_E_NOMEM ? rc : 0; /* keep the approximations */
	const struct dif_cfg *cfg = cx->du;
	struct dif_du_walk *w = dif_du_walk_new(cfg);
	if (!w)
		return DIF_E_NOMEM;
	for (size_t k = 0; k < cx->npend; k++) {
		const struct pend *p = &cx->pend[k];
		struct dif_tc_finding *f = &cx->tc->f[p->fi];
		f->nslice = 0;
		struct dif_use u;
		uint32_t nu = dif_du_nuses(cfg, f->pc);
		for (uint32_t i = 0; i < nu; i++)
			if (dif_du_use(cfg, f->pc, i, &u) == 0 && use_matches(&u, p->who))
				add_reaching(cfg, w, &u, f);
		add_slice(f, p->ref[0]);
		add_slice(f, p->ref[1]);
		for (uint32_t j = 0; j < f->nslice && f->nslice < DIF_TC_SLICE_MAX; j++) {
			uint32_t pc = f->slice[j];
			nu = dif_du_nuses(cfg, pc);
			for (uint32_t i = 0; i < nu; i++)
				if (dif_du_use(cfg, pc, i, &u) == 0 && u.role != DIF_USE_VAR)
					add_reaching(cfg, w, &u, f);
		}
		qsort(f->slice, f->nslice, sizeof(f->slice[0]), cmp_u32);
	}
	dif_du_walk_free(w);
	cx->npend = 0;
	return 0;
}

static void set_text(char *dst, size_t cap, const char *fmt, va_list ap)
{
	vsnprintf(dst, cap, fmt, ap);
}

static void reason(struct dif_tc_finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(struct dif_tc_finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_text(f->reason, sizeof(f->reason), fmt, ap);
	va_end(ap);
}

static void suggest(struct dif_tc_finding *f, const char *s)
{
	snprintf(f->suggestion, sizeof(f->suggestion), "%s", s);
}

/* "= 5", "in [0, 7]", "a pointer (scratch)" ... */
static void describe(const av_t *v, char *buf, size_t len)
{
	uint64_t x;
	if ((v->kinds & K_INTS) || !(v->kinds & K_PTRS)) {
		if (v->umin == 0 && v->umax == UINT64_MAX && v->smin == INT64_MIN &&
		    v->smax == INT64_MAX) {
			snprintf(buf, len, "(any value)");
		} else if (av_is_const(v, &x)) {
			if ((int64_t)x < 0 && (int64_t)x > -65536)
				snprintf(buf, len, "= %lld", (long long)(int64_t)x);
			else if (x < 65536)
				snprintf(buf, len, "= %llu", (unsigned long long)x);
			else
				snprintf(buf, len, "= 0x%llx", (unsigned long long)x);
		} else if (v->smin < 0 && v->smin != INT64_MIN) {
			snprintf(buf, len, "in [%lld, %lld]", (long long)v->smin,
			         (long long)v->smax);
		} else {
			snprintf(buf, len, "in [%llu, %llu]",
			         (unsigned long long)v->umin,
			         (unsigned long long)v->umax);
		}
		return;
	}
	char t[96];
	dif_tc_value_text(v, t, sizeof(t));
	snprintf(buf, len, "is %s", t);
}

/* ---------------------------------------------------------------------
 * Variables (one table for the module).
 */
static uint32_t var_key(unsigned scope, int assoc, unsigned id)
{
	return ((uint32_t)(scope + 1) << 24) | ((uint32_t)(assoc ? 1 : 0) << 20) |
	       (id & 0xffffu);
}

static uint32_t hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static struct tvar *var_get(struct cx *cx, uint32_t key)
{
	if ((cx->nvars + 1) * 2 > cx->capvars) {
		size_t cap = cx->capvars ? cx->capvars * 2 : 64;
		struct tvar *n = calloc(cap, sizeof(*n));
		if (!n) {
			cx->nomem = 1;
			return NULL;
		}
		for (size_t i = 0; i < cx->capvars; i++) {
			if (!cx->vars[i].key)
				continue;
			size_t h = hash32(cx->vars[i].key) & (cap - 1);
			while (n[h].key)
				h = (h + 1) & (cap - 1);
			n[h] = cx->vars[i];
		}
		free(cx->vars);
		cx->vars = n;
		cx->capvars = cap;
	}
	size_t h = hash32(key) & (cx->capvars - 1);
	while (cx->vars[h].key && cx->vars[h].key != key)
		h = (h + 1) & (cx->capvars - 1);
	if (!cx->vars[h].key) {
		cx->vars[h].key = key;
		cx->vars[h].order = (uint32_t)cx->nvars++;
	}
	return &cx->vars[h];
}

static void declare_vars(struct cx *cx, const struct dif_difo *d)
{
	for (uint32_t i = 0; i < d->varlen && !cx->nomem; i++) {
		const struct dif_var *v = &d->vartab[i];
		if (v->id < DIF_VAR_OTHER_UBASE || v->scope > DIF_VSCOPE_LOCAL)
			continue;
		struct tvar *t = var_get(cx, var_key(v->scope, v->kind == DIF_VKIND_ARRAY,
		                                     v->id));
		if (!t || t->has_decl)
			continue;
		t->has_decl = 1;
		t->decl = v->type;
		t->name = v->name < d->strlen ? d->strtab + v->name : NULL;
	}
}

static const char *var_name(const struct tvar *t, char *buf, size_t len,
                            unsigned id)
{
	if (t && t->name)
		return t->name;
	snprintf(buf, len, "DT_VAR(%u)", id);
	return buf;
}

/* ---------------------------------------------------------------------
 * State helpers.
 */
static void st_entry(struct tstate *s)
{
	memset(s, 0, sizeof(*s));
	av_const(&s->r[0], 0, K_NUM);
	for (unsigned r = 1; r < DIF_NREGS; r++) {
		av_top(&s->r[r], K_INT);
		s->r[r].undef = DIF_TC_UNDEF_MAY | DIF_TC_UNDEF_MUST;
	}
	for (unsigned i = 0; i < DIF_NTREGS; i++)
		av_top(&s->tv[i], K_INT);
	s->live = 1;
	s->cck = CC_INIT;
	s->cr1 = s->cr2 = NOREG;
	s->ccpc = DIF_NO_PC;
}

static void st_join(struct tstate *a, const struct tstate *b)
{
	for (unsigned r = 1; r < DIF_NREGS; r++)
		av_join(&a->r[r], &b->r[r]);
	unsigned top = a->dhi > b->dhi ? a->dhi : b->dhi;
	for (unsigned i = 0; i < top && i < DIF_NTREGS; i++) {
		a->tk[i] |= b->tk[i];
		av_join(&a->tv[i], &b->tv[i]);
	}
	if (b->dlo < a->dlo)
		a->dlo = b->dlo;
	a->dhi = (uint8_t)top;
	if (b->slo < a->slo)
		a->slo = b->slo;
	if (b->shi > a->shi)
		a->shi = b->shi;
	for (unsigned i = 0; i < TC_NLOCALS; i++) {
		unsigned j;
		if (!a->loc[i].id)
			continue;
		for (j = 0; j < TC_NLOCALS && b->loc[j].id != a->loc[i].id; j++)
			;
		if (j == TC_NLOCALS)
			a->loc[i].id = 0; /* not stored on the other path */
		else
			av_join(&a->loc[i].v, &b->loc[j].v);
	}
	for (unsigned r = 0; r < DIF_NREGS; r++) {
		if (a->ct[r] != b->ct[r] || a->cm[r] != b->cm[r])
			a->ct[r] = a->cm[r] = 0;
	}
	if (a->cck != b->cck || a->ccpc != b->ccpc || a->cck == CC_ANY) {
		a->cck = (a->cck == b->cck && a->cck == CC_INIT) ? CC_INIT : CC_ANY;
		a->cr1 = a->cr2 = NOREG;
	} else if (a->cck != CC_INIT) {
		if (a->cr1 != b->cr1)
			a->cr1 = NOREG;
		if (a->cr2 != b->cr2)
			a->cr2 = NOREG;
		av_join(&a->ca, &b->ca);
		av_join(&a->cb, &b->cb);
	}
}

/* Writes rd; a written register no longer holds what the flags compared. */
static void wr(struct cx *cx, struct tstate *s, unsigned rd, av_t *v,
               uint32_t pc)
{
	if (rd == 0 || rd >= DIF_NREGS)
		return;
	v->def = pc;
	v->refined = DIF_NO_PC;
	v->undef = 0;
	s->r[rd] = *v;
	s->ct[rd] = s->cm[rd] = 0;
	if (s->cr1 == rd)
		s->cr1 = NOREG;
	if (s->cr2 == rd)
		s->cr2 = NOREG;
	if (cx->res->types) {
		cx->res->types[pc] = *v;
		cx->res->typed[pc] = 1;
	}
}

/* A register read: reports an undefined one once. */
static const av_t *rd_reg(struct cx *cx, struct tstate *s, unsigned r,
                          uint32_t pc, unsigned role)
{
	if (r >= DIF_NREGS)
		r = 0;
	av_t *v = &s->r[r];
	if (r && v->undef) {
		bool must = v->undef & DIF_TC_UNDEF_MUST;
		struct dif_tc_finding *f = add_finding(
			cx, RU_UNINIT, must ? DIF_TC_ERROR : DIF_TC_WARNING, pc);
		if (f) {
			if (must)
				reason(f, "%%r%u is not set on any path from the entry "
				       "(DTrace leaves %%r1-%%r7 holding garbage)", r);
			else
				reason(f, "%%r%u is not set on some path that reaches "
				       "here", r);
			const av_t *seeds[1] = { v };
			build_slice(cx, f, role, seeds, 1);
			suggest(f, "set the register (e.g. setx or mov %r0) before "
			           "this instruction on every path");
		}
		v->undef = 0;
	}
	return v;
}

/* ---------------------------------------------------------------------
 * Checks shared by several instructions.
 */
static bool num_may_be_vm(const av_t *a)
{
	return a->umax >= DIF_WIN_STRTAB && a->umin < DIF_WIN_END;
}

static const char *what(const av_t *v, char *buf, size_t len)
{
	describe(v, buf, len);
	return buf;
}

/* The destination of a store, copys, bcopy or copyinto: [a, a + n) with n
 * in [nlo, nhi]. alloc_only: must lie in allocated scratch. Returns true
 * when something was reported. */
/* The destination of a store, copys, bcopy or copyinto: [a, a + n) with n
 * up to nhi. alloc_only: must lie in allocated scratch. Returns 0 (fine),
 * 1 (warned) or 2 (an error: every execution faults here). */
static int check_dest(struct cx *cx, struct tstate *s, uint32_t pc,
                       unsigned reg, unsigned who, const av_t *a, uint64_t nhi,
                       bool alloc_only, const char *op)
{
	char b[128];
	const av_t *seeds[1] = { a };
	uint32_t k = a->kinds;
	if (av_must_zero(a)) {
		struct dif_tc_finding *f = add_finding(cx, RU_NULL, DIF_TC_ERROR, pc);
		if (f) {
			reason(f, "%s destination %%r%u is NULL on every path", op, reg);
			build_slice(cx, f, who, seeds, 1);
			suggest(f, "store through a pointer into scratch (alloca) or "
			           "variable storage, and test it against NULL first");
		}
		return 2;
	}
	uint32_t storable = alloc_only ? K_SCRATCH : (K_SCRATCH | K_STATIC | K_DYN);
	if (!(k & storable) && !(k & K_INT) && !((k & K_NUM) && num_may_be_vm(a))) {
		struct dif_tc_finding *f = add_finding(cx, RU_STORE, DIF_TC_ERROR, pc);
		if (f) {
			reason(f, "%s destination %%r%u %s: never inside %s (DTrace "
			       "faults BADADDR)", op, reg, what(a, b, sizeof(b)),
			       alloc_only ? "allocated scratch"
			                  : "scratch or by-ref variable storage");
			build_slice(cx, f, who, seeds, 1);
			suggest(f, alloc_only ? "copy into memory from alloca()"
			                      : "write only to memory from alloca(), "
			                        "allocs, or a by-ref variable");
		}
		return 2;
	}
	/* the start must lie inside the region even for 0 bytes, as DTrace's
	 * range check wants */
	uint64_t lim = 0;
	bool ok = false;
	if ((k & ~K_STR) == K_SCRATCH) {
		lim = alloc_only ? s->slo : cx->scratch;
		ok = a->off_min >= 0 && (uint64_t)a->off_max < lim &&
		     nhi <= lim - (uint64_t)a->off_max;
	} else if (!alloc_only && !(k & ~(K_STATIC | K_DYN | K_STR)) && a->obj_size) {
		lim = a->obj_size;
		ok = a->off_min >= 0 && (uint64_t)a->off_max < lim &&
		     nhi <= lim - (uint64_t)a->off_max;
	}
	if (ok)
		return 0;
	struct dif_tc_finding *f = add_finding(cx, RU_STORE, DIF_TC_WARNING, pc);
	if (f) {
		if (k & (K_INT | K_NULL | K_NUM))
			reason(f, "%s destination %%r%u %s: may lie outside %s", op, reg,
			       what(a, b, sizeof(b)),
			       alloc_only ? "allocated scratch"
			                  : "scratch and by-ref variable storage");
		else
			reason(f, "%s destination %%r%u %s, offset [%lld, %lld] + up to "
			       "%llu bytes: may run past %s", op, reg,
			       what(a, b, sizeof(b)), (long long)a->off_min,
			       (long long)a->off_max, (unsigned long long)nhi,
			       alloc_only ? "the allocated scratch" : "its object");
		build_slice(cx, f, who, seeds, 1);
		suggest(f, "bound the offset and size with a compare before the "
		           "store, or write into a fresh alloca() buffer");
	}
	return 1;
}

static void check_null_src(struct cx *cx, uint32_t pc, unsigned reg,
                           unsigned who, const av_t *a, const char *what_)
{
	if (!av_must_zero(a))
		return;
	struct dif_tc_finding *f = add_finding(cx, RU_NULL, DIF_TC_ERROR, pc);
	if (!f)
		return;
	if (reg == NOREG)
		reason(f, "%s is NULL on every path", what_);
	else
		reason(f, "%s %%r%u is NULL on every path", what_, reg);
	const av_t *seeds[1] = { a };
	build_slice(cx, f, who, seeds, 1);
	suggest(f, "test the pointer against NULL (tst + be) before using it");
}

/* A string operand: an integer computed from constants (other than NULL)
 * is never a string. Values from memory or args never contradict it. */
static void check_string(struct cx *cx, uint32_t pc, const char *what_,
                         unsigned reg, unsigned who, const av_t *a)
{
	uint32_t k = a->kinds;
	if (!(k & K_NUM) || (k & K_INT))
		return;
	enum dif_tc_severity sev;
	if (!(k & ~K_NUM) && !av_may_zero(a))
		sev = DIF_TC_ERROR;
	else if ((k & ~K_NUM) && !(k & K_NULL) && !(av_must_zero(a)))
		sev = DIF_TC_WARNING; /* joined with a pointer: a non-NULL number */
	else if (!(k & ~K_NUM) && !av_must_zero(a))
		sev = DIF_TC_WARNING;
	else
		return;
	struct dif_tc_finding *f = add_finding(cx, RU_STRING, sev, pc);
	if (!f)
		return;
	char b[128];
	if (reg == NOREG)
		reason(f, "%s %s: an integer, not a string", what_,
		       what(a, b, sizeof(b)));
	else
		reason(f, "%s %%r%u %s: an integer, not a string", what_, reg,
		       what(a, b, sizeof(b)));
	const av_t *seeds[1] = { a };
	build_slice(cx, f, who, seeds, 1);
	suggest(f, "pass a string (sets, a string variable or a string "
	           "subroutine result), or NULL");
}

static uint64_t round8(uint64_t x)
{
	return x > UINT64_MAX - 7 ? UINT64_MAX : (x + 7) & ~7ull;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Scratch use of need in [nlo, nhi] bytes after aligning (align) the
 * pointer. Reports and updates the allocated range; false when every
 * path faults. errok: an error may be given (the fault is certain). */
static bool use_scratch(struct cx *cx, struct tstate *s, uint32_t pc,
                        const char *what_, uint64_t nlo, uint64_t nhi,
                        uint64_t clo, uint64_t chi, bool align, bool errok,
                        unsigned who, const av_t *size)
{
	uint64_t lo = align ? round8(s->slo) : s->slo;
	uint64_t hi = align ? round8(s->shi) : s->shi;
	bool must = sat_add(lo, nlo) > cx->scratch;
	bool may = sat_add(hi, nhi) > cx->scratch;
	if (may) {
		struct dif_tc_finding *f = add_finding(
			cx, RU_SCRATCH, must && errok ? DIF_TC_ERROR : DIF_TC_WARNING, pc);
		if (f) {
			reason(f, "%s needs %s%llu bytes of scratch with [%llu, %llu] "
			       "already allocated; scratch holds %llu",
			       what_, nhi == nlo ? "" : "up to ",
			       (unsigned long long)(nhi == UINT64_MAX ? nlo : nhi),
			       (unsigned long long)s->slo, (unsigned long long)s->shi,
			       (unsigned long long)cx->scratch);
			if (nhi == UINT64_MAX && nlo != nhi)
				reason(f, "%s needs an unbounded amount of scratch (size "
				       "in [%llu, %llu]) with [%llu, %llu] already "
				       "allocated; scratch holds %llu", what_,
				       (unsigned long long)(size ? size->umin : nlo),
				       (unsigned long long)(size ? size->umax : nhi),
				       (unsigned long long)s->slo,
				       (unsigned long long)s->shi,
				       (unsigned long long)cx->scratch);
			const av_t *seeds[1] = { size };
			build_slice(cx, f, who, seeds, size ? 1 : 0);
			suggest(f, "allocate less (bound the size with a compare) or "
			           "run with more scratch (--scratch)");
		}
	}
	if (must && errok)
		return false;
	s->slo = sat_add(lo, clo);
	s->shi = sat_add(hi, chi);
	if (s->slo > cx->scratch)
		s->slo = cx->scratch;
	if (s->shi > cx->scratch)
		s->shi = cx->scratch;
	return true;
}

/* ---------------------------------------------------------------------
 * Tuple stack.
 */
static bool push(struct cx *cx, struct tstate *s, uint32_t pc, uint8_t kind,
                 const av_t *v)
{
	if (s->dhi >= DIF_NTREGS) {
		bool must = s->dlo >= DIF_NTREGS;
		struct dif_tc_finding *f = add_finding(
			cx, RU_TUPOVF, must ? DIF_TC_ERROR : DIF_TC_WARNING, pc);
		if (f) {
			reason(f, "tuple stack depth is %s%u before this push; it holds "
			       "%u entries", must ? "" : "up to ", (unsigned)s->dhi,
			       DIF_NTREGS);
			suggest(f, "flushts before pushing a new argument list, or pass "
			           "fewer arguments or key elements");
		}
		if (must)
			return false;
	}
	unsigned lo = s->dlo, hi = s->dhi < DIF_NTREGS ? s->dhi : DIF_NTREGS - 1;
	for (unsigned i = lo; i <= hi; i++) {
		if (lo == hi) {
			s->tk[i] = kind;
			s->tv[i] = *v;
		} else {
			s->tk[i] |= kind;
			av_join(&s->tv[i], v);
		}
	}
	s->dlo = (uint8_t)(lo + 1);
	s->dhi = (uint8_t)(hi + 1);
	return true;
}

static void check_tuple_need(struct cx *cx, struct tstate *s, uint32_t pc,
                             unsigned need, const char *who)
{
	if (s->dlo >= need)
		return;
	bool must = s->dhi < need;
	struct dif_tc_finding *f = add_finding(
		cx, RU_TUPARGS, must ? DIF_TC_ERROR : DIF_TC_WARNING, pc);
	if (!f)
		return;
	f->aux = need;
	if (s->dlo == s->dhi)
		reason(f, "%s needs %u tuple entr%s; the stack holds %u", who, need,
		       need == 1 ? "y" : "ies", (unsigned)s->dlo);
	else
		reason(f, "%s needs %u tuple entr%s; the stack holds %u to %u", who,
		       need, need == 1 ? "y" : "ies", (unsigned)s->dlo,
		       (unsigned)s->dhi);
	suggest(f, "push every argument or key element (pushtv/pushtr) after "
	           "the flushts");
}

/* Associative keys: every access of one array should push the same kinds. */
static void check_keys(struct cx *cx, struct tstate *s, uint32_t pc,
                       struct tvar *t, unsigned id)
{
	if (!t || s->dlo != s->dhi)
		return;
	uint8_t kinds[DIF_NTREGS];
	for (unsigned i = 0; i < s->dlo; i++) {
		kinds[i] = s->tk[i];
		if (kinds[i] != DIF_TC_T_VAL && kinds[i] != (DIF_TC_T_REF | DIF_TC_T_STR) &&
		    kinds[i] != DIF_TC_T_REF)
			return; /* not one kind: nothing certain */
	}
	if (!t->keyset) {
		t->keyset = 1;
		t->nkeys = s->dlo;
		memcpy(t->keykinds, kinds, s->dlo);
		return;
	}
	if (t->reported || (t->nkeys == s->dlo &&
	                    memcmp(t->keykinds, kinds, s->dlo) == 0))
		return;
	t->reported = 1;
	struct dif_tc_finding *f = add_finding(cx, RU_TYPE, DIF_TC_WARNING, pc);
	if (!f)
		return;
	char nb[32];
	const char *name = var_name(t, nb, sizeof(nb), id);
	if (t->nkeys != s->dlo)
		reason(f, "associative array %s is keyed by %u element%s elsewhere "
		       "and by %u here", name, (unsigned)t->nkeys,
		       t->nkeys == 1 ? "" : "s", (unsigned)s->dlo);
	else
		reason(f, "associative array %s: a key element is pushed by value "
		       "elsewhere and by reference here (or the reverse)", name);
	suggest(f, "use the same key types at every access of the array");
}

/* ---------------------------------------------------------------------
 * Branches.
 */
enum { P_TRUE, P_FALSE, P_Z, P_NZ };

/* What a branch after tst needs of the tested value (dif-isa.md 2.2). */
static int tst_pred(unsigned op, bool taken)
{
	int p;
	switch (op) {
	case DIF_OPC_BE: case DIF_OPC_BLE: case DIF_OPC_BLEU: p = P_Z; break;
	case DIF_OPC_BNE: case DIF_OPC_BG: case DIF_OPC_BGU: p = P_NZ; break;
	case DIF_OPC_BGE: case DIF_OPC_BGEU: case DIF_OPC_BA: p = P_TRUE; break;
	default: p = P_FALSE; break; /* bl blu */
	}
	if (!taken)
		p = p == P_Z ? P_NZ : p == P_NZ ? P_Z : p == P_TRUE ? P_FALSE : P_TRUE;
	return p;
}

/* With the flags all clear (no compare yet). */
static bool init_taken(unsigned op)
{
	return op == DIF_OPC_BA || op == DIF_OPC_BNE || op == DIF_OPC_BG ||
	       op == DIF_OPC_BGU || op == DIF_OPC_BGE || op == DIF_OPC_BGEU;
}

static void mark_refined(av_t *v, uint32_t pc)
{
	v->refined = pc;
}

/* Narrows s for the edge; false when no execution takes it. */
static bool refine_edge(struct tstate *s, unsigned op, bool taken, uint32_t pc)
{
	switch (s->cck) {
	case CC_INIT:
		return init_taken(op) == taken;
	case CC_TST: {
		av_t a = s->cr1 != NOREG ? s->r[s->cr1] : s->ca;
		int p = tst_pred(op, taken);
		bool ok = p == P_TRUE ? true
		          : p == P_FALSE ? false
		          : p == P_Z ? av_refine_zero(&a) : av_refine_nonzero(&a);
		if (!ok)
			return false;
		if ((p == P_Z || p == P_NZ) && s->cr1 != NOREG && s->cr1 != 0) {
			mark_refined(&a, pc);
			s->r[s->cr1] = a;
		}
		return true;
	}
	case CC_CMP: {
		av_t a = s->cr1 != NOREG ? s->r[s->cr1] : s->ca;
		av_t b = s->cr2 != NOREG ? s->r[s->cr2] : s->cb;
		if (s->cr1 != NOREG && s->cr1 == s->cr2) {
			/* cmp r, r: Z set, N and C clear */
			return taken == (op == DIF_OPC_BE || op == DIF_OPC_BGE ||
			                 op == DIF_OPC_BGEU || op == DIF_OPC_BLE ||
			                 op == DIF_OPC_BLEU || op == DIF_OPC_BA);
		}
		if (!av_refine_cmp(op, taken, &a, &b))
			return false;
		if (s->cr1 != NOREG && s->cr1 != 0) {
			mark_refined(&a, pc);
			s->r[s->cr1] = a;
		}
		if (s->cr2 != NOREG && s->cr2 != 0) {
			mark_refined(&b, pc);
			s->r[s->cr2] = b;
		}
		return true;
	}
	default:
		return true;
	}
}

/* ---------------------------------------------------------------------
 * Instructions.
 */
static bool is_div(unsigned op)
{
	return op == DIF_OPC_SDIV || op == DIF_OPC_UDIV || op == DIF_OPC_SREM ||
	       op == DIF_OPC_UREM;
}

static bool is_shift(unsigned op)
{
	return op == DIF_OPC_SLL || op == DIF_OPC_SRL || op == DIF_OPC_SRA;
}

/* Division: reports, then keeps only divisors that do not fault. */
static bool step_div(struct cx *cx, struct tstate *s, uint32_t pc,
                     unsigned op, unsigned r1, unsigned r2, av_t *a, av_t *b)
{
	char buf[128];
	const av_t *seeds[2] = { b, a };
	bool sgn = op == DIF_OPC_SDIV || op == DIF_OPC_SREM;
	bool mzero = av_may_zero(b), must = av_must_zero(b);
	bool ovf = sgn && dif_tc_value_contains(a, (uint64_t)INT64_MIN) &&
	           dif_tc_value_contains(b, ~0ull);
	bool movf = ovf && a->smax == INT64_MIN && b->smin == -1 && b->smax == -1;
	if (mzero) {
		struct dif_tc_finding *f = add_finding(
			cx, RU_DIVZERO, must ? DIF_TC_ERROR : DIF_TC_WARNING, pc);
		if (f) {
			reason(f, "divisor %%r%u %s", r2, what(b, buf, sizeof(buf)));
			build_slice(cx, f, W_R2, seeds, 1);
			suggest(f, must ? "the divisor is always 0: fix the constant "
			                  "or the computation"
			                : "test the divisor against 0 (tst + be) and "
			                  "skip the division when it is 0");
		}
	} else if (ovf) {
		struct dif_tc_finding *f = add_finding(
			cx, RU_DIVZERO, movf ? DIF_TC_ERROR : DIF_TC_WARNING, pc);
		if (f) {
			char b2[128];
			reason(f, "dividend %%r%u %s may be INT64_MIN while divisor %%r%u "
			       "%s may be -1 (DTrace faults DIVZERO)", r1,
			       what(a, b2, sizeof(b2)), r2, what(b, buf, sizeof(buf)));
			build_slice(cx, f, W_R1 | W_R2, seeds, 2);
			suggest(f, "exclude INT64_MIN / -1 with a compare, or divide "
			           "unsigned");
		}
	}
	if (movf)
		return false;
	if (!av_refine_nonzero(b))
		return false;
	if (r2)
		s->r[r2] = *b;
	return true;
}

static void step_shift(struct cx *cx, uint32_t pc, unsigned r2, const av_t *b)
{
	if (b->umin < 64)
		return;
	struct dif_tc_finding *f = add_finding(cx, RU_SHIFT, DIF_TC_WARNING, pc);
	if (!f)
		return;
	char buf[128];
	reason(f, "shift count %%r%u %s is >= 64 on every path; DIF uses it "
	       "mod 64", r2, what(b, buf, sizeof(buf)));
	const av_t *seeds[1] = { b };
	build_slice(cx, f, W_R2, seeds, 1);
	suggest(f, "use a count below 64 (mask it with and 63 if the "
	           "wrap-around is meant)");
}

/* The value a variable load yields. */
static void var_value(struct cx *cx, unsigned op, unsigned id, av_t *v)
{
	const struct dif_opinfo *oi = opinfo(op);
	int scope = dif_isa_scope(oi);
	bool assoc = oi->flags & DIF_F_ASSOC;
	struct tvar *t = var_get(cx, var_key((unsigned)scope, assoc, id));
	if (!t || !t->has_decl ||
	    (!(t->decl.flags & DIF_TF_BYREF) && t->decl.kind != DIF_TYPE_STRING)) {
		av_top(v, K_INT);
		return;
	}
	bool dyn = scope == DIF_VSCOPE_THREAD || assoc;
	av_ptr(v, (dyn ? K_DYN : K_STATIC) | K_NULL |
	              (t->decl.kind == DIF_TYPE_STRING ? K_STR : 0), 0);
	v->obj_size = t->decl.size;
}

/* A by-value clause-local variable (the only ones followed). */
static bool local_scalar(struct cx *cx, unsigned op, unsigned id)
{
	if ((op != DIF_OPC_LDLS && op != DIF_OPC_STLS) || id < DIF_VAR_OTHER_UBASE)
		return false;
	struct tvar *t = var_get(cx, var_key(DIF_VSCOPE_LOCAL, false, id));
	return t && t->has_decl && !(t->decl.flags & DIF_TF_BYREF) &&
	       t->decl.kind != DIF_TYPE_STRING;
}

static void local_store(struct tstate *s, unsigned id, const av_t *v)
{
	unsigned i, free_i = id % TC_NLOCALS;
	for (i = 0; i < TC_NLOCALS && s->loc[i].id != id; i++)
		if (!s->loc[i].id)
			free_i = i;
	if (i == TC_NLOCALS)
		i = free_i;
	s->loc[i].id = id;
	s->loc[i].v = *v;
}

static const av_t *local_load(const struct tstate *s, unsigned id)
{
	for (unsigned i = 0; i < TC_NLOCALS; i++)
		if (s->loc[i].id == id)
			return &s->loc[i].v;
	return NULL;
}

/* A store through a pointer that may reach clause-local storage. */
static void local_clobber(struct tstate *s, const av_t *dest)
{
	if (dest->kinds & ~(K_SCRATCH | K_STR))
		for (unsigned i = 0; i < TC_NLOCALS; i++)
			s->loc[i].id = 0;
}

static bool stringy(uint32_t k)
{
	return (k & K_STR) && !(k & K_INTS);
}

static void step_store_var(struct cx *cx, struct tstate *s, uint32_t pc,
                           unsigned op, unsigned id, unsigned rs, const av_t *v)
{
	const struct dif_opinfo *oi = opinfo(op);
	int scope = dif_isa_scope(oi);
	bool assoc = oi->flags & DIF_F_ASSOC;
	struct tvar *t = var_get(cx, var_key((unsigned)scope, assoc, id));
	if (!t)
		return;
	char nb[32], buf[128];
	const char *name = var_name(t, nb, sizeof(nb), id);
	const av_t *seeds[1] = { v };
	if (assoc)
		check_keys(cx, s, pc, t, id);
	t->stored |= v->kinds;
	bool num = v->kinds == K_NUM && !av_may_zero(v);
	if (t->has_decl && t->decl.kind == DIF_TYPE_STRING && num) {
		struct dif_tc_finding *f = add_finding(cx, RU_TYPE, DIF_TC_ERROR, pc);
		if (f) {
			reason(f, "string variable %s is given %%r%u %s, an integer", name,
			       rs, what(v, buf, sizeof(buf)));
			build_slice(cx, f, W_RD, seeds, 1);
			suggest(f, "store a string (or NULL) into a string variable");
		}
		return;
	}
	if (t->has_decl && t->decl.kind != DIF_TYPE_STRING &&
	    !(t->decl.flags & DIF_TF_BYREF) && stringy(v->kinds) &&
	    !(v->kinds & K_NULL)) {
		struct dif_tc_finding *f = add_finding(cx, RU_TYPE, DIF_TC_WARNING, pc);
		if (f) {
			reason(f, "integer variable %s (size %u) is given %%r%u, a string",
			       name, (unsigned)t->decl.size, rs);
			build_slice(cx, f, W_RD, seeds, 1);
			suggest(f, "declare the variable as a string, or store an "
			           "integer");
		}
		return;
	}
	/* across every store of the module: strings and integer constants */
	uint8_t bit = stringy(v->kinds) ? 1 : num ? 2 : 0;
	if (!bit)
		return;
	if (bit == 1 && !(t->seen & 1)) {
		t->str_difo = cx->di;
		t->str_pc = pc;
	}
	t->seen |= bit;
	if (t->seen == 3 && !t->reported) {
		t->reported = 1;
		struct dif_tc_finding *f = add_finding(cx, RU_TYPE, DIF_TC_WARNING, pc);
		if (f) {
			reason(f, "variable %s holds a string elsewhere (DIFO %u, pc %u) "
			       "and %%r%u %s here", name, t->str_difo, t->str_pc, rs,
			       what(v, buf, sizeof(buf)));
			build_slice(cx, f, W_RD, seeds, 1);
			suggest(f, "keep one type per variable across all clauses");
		}
	}
}

static void step_ret(struct cx *cx, uint32_t pc, unsigned rd, const av_t *v)
{
	const struct dif_type *rt = &cx->d->rtype;
	char buf[128];
	const av_t *seeds[1] = { v };
	if (rt->kind == DIF_TYPE_STRING && v->kinds == K_NUM && !av_may_zero(v)) {
		struct dif_tc_finding *f = add_finding(cx, RU_TYPE, DIF_TC_ERROR, pc);
		if (f) {
			reason(f, "returns %%r%u %s, an integer, from a DIFO declared to "
			       "return a string", rd, what(v, buf, sizeof(buf)));
			build_slice(cx, f, W_RD, seeds, 1);
			suggest(f, "return a string or NULL, or declare an integer "
			           "return type");
		}
	} else if (rt->kind == DIF_TYPE_CTF && !(rt->flags & (DIF_TF_BYREF | DIF_TF_BYUREF)) &&
	           stringy(v->kinds) && !(v->kinds & K_NULL)) {
		struct dif_tc_finding *f = add_finding(cx, RU_TYPE, DIF_TC_WARNING, pc);
		if (f) {
			reason(f, "returns %%r%u, a string, from a DIFO declared to return "
			       "an integer of size %u", rd, (unsigned)rt->size);
			build_slice(cx, f, W_RD, seeds, 1);
			suggest(f, "declare the return type as string (by ref)");
		}
	}
}

/* Longest string a value can be: exact for a string-table constant. */
static uint64_t max_strlen(struct cx *cx, const av_t *a, bool *exact)
{
	const struct dif_difo *d = cx->d;
	*exact = false;
	if ((a->kinds & ~K_STR) == K_STRTAB && a->off_min == a->off_max &&
	    a->off_min >= 0 && (uint64_t)a->off_min < d->strlen) {
		*exact = true;
		uint64_t n = strnlen(d->strtab + a->off_min, d->strlen - (size_t)a->off_min);
		return n < cx->strsize ? n : cx->strsize;
	}
	return cx->strsize;
}

/* strjoin faults NOSCRATCH when the joined string does not fit strsize,
 * and gives no result (R[rd] keeps its value) when it fills strsize
 * exactly (docs/conventions.md, Decisions 23). True when that may be. */
static bool check_join(struct cx *cx, uint32_t pc, const av_t *a,
                       const av_t *b)
{
	bool ea, eb;
	uint64_t la = max_strlen(cx, a, &ea), lb = max_strlen(cx, b, &eb);
	if (la + lb + 1 < cx->strsize)
		return false;
	bool over = ea && eb && la + lb + 1 > cx->strsize;
	struct dif_tc_finding *f = add_finding(
		cx, RU_SCRATCH, over ? DIF_TC_ERROR : DIF_TC_WARNING, pc);
	if (!f)
		return true;
	if (over)
		reason(f, "strjoin() of strings of %llu and %llu bytes does not fit "
		       "strsize (%u bytes with the NUL)", (unsigned long long)la,
		       (unsigned long long)lb, cx->strsize);
	else if (ea && eb)
		reason(f, "strjoin() of strings of %llu and %llu bytes fills "
		       "strsize (%u bytes) exactly with the NUL: it gives no "
		       "result and the register keeps its value",
		       (unsigned long long)la, (unsigned long long)lb, cx->strsize);
	else
		reason(f, "strjoin() of strings of up to %llu and %llu bytes may not "
		       "fit below strsize (%u bytes; a join of exactly strsize "
		       "bytes with the NUL gives no result)", (unsigned long long)la,
		       (unsigned long long)lb, cx->strsize);
	const av_t *seeds[2] = { a, b };
	build_slice(cx, f, W_T(0) | W_T(1), seeds, 2);
	suggest(f, "join shorter strings (substr) or raise the strsize option");
	return true;
}

/* A scratch pointer at [lo, hi] bytes from the scratch base. */
static void scratch_off(av_t *v, uint64_t lo, uint64_t hi)
{
	const uint64_t lim = (uint64_t)1 << 40;
	v->off_min = (int64_t)(lo < lim ? lo : lim);
	v->off_max = (int64_t)(hi < lim ? hi : lim);
}

/* CALL: arguments, scratch, result. */
static bool step_call(struct cx *cx, struct tstate *s, uint32_t pc,
                      unsigned subr, unsigned rd)
{
	int sid = dif_subr_lookup(subr, cx->profile);
	av_t res;
	if (sid < 0)
		return true; /* nothing behind the number: rd keeps its value */
	const struct tc_subr *sg = &tc_subrs[sid];
	const char *name = dif_subrs[sid].name;
	unsigned need = (unsigned)strlen(sg->args);
	char who[48];
	snprintf(who, sizeof(who), "%s()", name);
	check_tuple_need(cx, s, pc, need, who);
	for (unsigned i = 0; i < need; i++) {
		av_t missing;
		const av_t *a = &s->tv[i];
		if (i >= s->dlo) {
			/* the entry may be absent: a stale or zero slot is read */
			if (sg->args[i] != 'D')
				continue;
			av_top(&missing, K_INT);
			a = &missing;
		}
		char what_[64];
		snprintf(what_, sizeof(what_), "argument %u of %s()", i + 1, name);
		switch (sg->args[i]) {
		case 'S':
		case 'T':
			/* pushtr of a string has been checked where it was pushed */
			if (!(s->tk[i] & DIF_TC_T_STR))
				check_string(cx, pc, what_, NOREG, W_T(i), a);
			if (sg->args[i] == 'S')
				check_null_src(cx, pc, NOREG, W_T(i), a, what_);
			break;
		case 'P':
		case 'U':
			check_null_src(cx, pc, NOREG, W_T(i), a, what_);
			break;
		case 'D': {
			const av_t *n = i >= 1 && sg->args[i - 1] == 'N' ? &s->tv[i - 1]
			                : i + 1 < need && i + 1 < s->dlo ? &s->tv[i + 1]
			                                                  : NULL;
			if (check_dest(cx, s, pc, NOREG, W_T(i), a,
			               n ? n->umax : UINT64_MAX, true, name) == 2)
				return false;
			break;
		}
		default:
			break;
		}
	}
	bool keep_rd = false;
	if (sid == DIF_S_STRJOIN) {
		/* an entry that may be absent is a stale slot: any string */
		av_t stale;
		av_top(&stale, K_INT);
		keep_rd = check_join(cx, pc, s->dlo >= 1 ? &s->tv[0] : &stale,
		                     s->dlo >= 2 ? &s->tv[1] : &stale);
	}
	/* scratch */
	uint64_t olo = s->slo, ohi = s->shi;
	uint64_t str = 2ull * cx->strsize + 80;
	bool ok = true;
	switch (sg->scr) {
	case S_STR:
		ok = use_scratch(cx, s, pc, who, 0, str, 0, str, false, false, 0, NULL);
		break;
	case S_STRFIRST:
		ok = use_scratch(cx, s, pc, who,
		                 (cx->deny & DIF_DENY_KERNEL) ? 0 : cx->strsize,
		                 str, 0, str, false,
		                 !(cx->deny & DIF_DENY_KERNEL), 0, NULL);
		break;
	case S_ARG: {
		const av_t *n = sg->k < s->dhi ? &s->tv[sg->k] : NULL;
		uint64_t lo = n && sg->k < s->dlo ? n->umin : 0;
		uint64_t hi = n ? n->umax : UINT64_MAX;
		if (!n || s->dlo <= sg->k)
			hi = UINT64_MAX; /* missing: whatever the slot held */
		ok = use_scratch(cx, s, pc, who, lo, hi, lo, hi, true,
		                 sid == DIF_S_ALLOCA && s->dlo > sg->k, W_T(sg->k), n);
		break;
	}
	case S_ARGRAW: {
		const av_t *n = sg->k < s->dlo ? &s->tv[sg->k] : NULL;
		uint64_t hi = n ? n->umax : UINT64_MAX;
		ok = use_scratch(cx, s, pc, who, 0, hi, 0, hi, false, false,
		                 W_T(sg->k), n);
		break;
	}
	case S_FIXED:
		ok = use_scratch(cx, s, pc, who, sg->k, sg->k, sg->k, sg->k, true,
		                 false, 0, NULL);
		break;
	default:
		break;
	}
	if (!ok)
		return false;
	switch (sg->res) {
	case R_INT:
		av_top(&res, K_INT);
		break;
	case R_U16:
		av_urange(&res, 0, 0xffff, K_INT);
		break;
	case R_U32:
		av_urange(&res, 0, 0xffffffffull, K_INT);
		break;
	case R_STRLEN:
		av_urange(&res, 0, cx->strsize, K_INT);
		break;
	case R_HOST:
		av_top(&res, K_INT);
		av_join(&res, &s->r[rd]);
		res.kinds |= K_INT;
		break;
	case R_NONE:
		return true;
	case R_SCRPTR:
		av_ptr(&res, K_SCRATCH, 3);
		break;
	case R_SCRSTR:
		av_ptr(&res, K_SCRATCH | K_STR | K_NULL, 0);
		break;
	case R_ARG0: {
		const av_t *a = s->dhi ? &s->tv[0] : NULL;
		if (!a || s->dlo == 0 || (a->kinds & K_INTS) || !(a->kinds & K_PTRS)) {
			av_top(&res, K_INT);
		} else {
			av_ptr(&res, (a->kinds & K_PTRS) | K_STR | K_NULL, 0);
			res.off_min = a->off_min;
			res.off_max = a->off_max + (int64_t)cx->strsize;
			res.obj_size = a->obj_size;
		}
		break;
	}
	}
	if (res.kinds & K_SCRATCH) {
		/* it starts at the scratch pointer before the call */
		bool al = sg->res == R_SCRPTR;
		scratch_off(&res, al ? round8(olo) : olo, al ? round8(ohi) : ohi);
	}
	if (keep_rd && rd < 8)
		av_join(&res, &s->r[rd]);
	wr(cx, s, rd, &res, pc);
	return true;
}

/* One instruction on a live state; false when no execution goes on. */
/* ---------------------------------------------------------------------
 * Relocations of an unlinked DIFO, typed by the oracle (opts->types).
 */
static const char *sym(const struct cx *cx, uint32_t off)
{
	const struct dif_difo *d = cx->d;
	if (off & TC_NAMED)
		return (off & ~TC_NAMED) < cx->nnamed ? cx->named[off & ~TC_NAMED]
		                                      : NULL;
	if (off >= d->symlen || !d->symtab || d->symtab[d->symlen - 1])
		return NULL;
	return d->symtab + off;
}

/* The member `path` of `type` ("T" or "T *": the member of T), or with
 * path "" the type "T *" points to. */
static bool ask_member(struct cx *cx, const char *type, const char *path,
                       struct dif_tc_member *m)
{
	const struct dif_tc_oracle *o = cx->types;
	if (!o || !o->member || !type || !path)
		return false;
	char t[256];
	size_t n = strlen(type);
	bool star = false;
	while (n && type[n - 1] == ' ')
		n--;
	if (n && type[n - 1] == '*') {
		star = true;
		n--;
		while (n && type[n - 1] == ' ')
			n--;
	}
	/* a member of T or of *(T *); an empty path: what T * points to */
	if (n == 0 || n >= sizeof(t) || (!*path && !star))
		return false;
	memcpy(t, type, n);
	t[n] = '\0';
	memset(m, 0, sizeof(*m));
	return o->member(o->user, t, path, m) == 0;
}

/* The value a load of member m gives once linked (uload/uuload become
 * the load of its width and sign; pointers ldx). */
static bool member_load(const struct dif_tc_member *m, av_t *res)
{
	if (m->kind == DIF_TC_M_INT &&
	    (m->width == 1 || m->width == 2 || m->width == 4 || m->width == 8)) {
		av_load(res, m->width, m->is_signed);
		return true;
	}
	if (m->kind == DIF_TC_M_PTR) {
		av_load(res, 8, false);
		return true;
	}
	return false;
}

/* uload/uuload: the record @(T, m) at pc, or the member address
 * typecast + usetx + add built in r1. */
/* The ct value (+ 1) naming "pointee *", or 0 when the table is full. */
static uint32_t name_ptr(struct cx *cx, const char *pointee)
{
	char t[132];
	snprintf(t, sizeof(t), "%s *", pointee);
	for (uint32_t i = 0; i < cx->nnamed; i++)
		if (!strcmp(cx->named[i], t))
			return (i | TC_NAMED) + 1;
	if (!pointee[0] || cx->nnamed == TC_NNAMED)
		return 0;
	if (!cx->named && !(cx->named = calloc(TC_NNAMED, sizeof(*cx->named)))) {
		cx->nomem = 1;
		return 0;
	}
	memcpy(cx->named[cx->nnamed], t, sizeof(t));
	return (cx->nnamed++ | TC_NAMED) + 1;
}

/* Returns the ct of the result: a loaded pointer member is a "P *". */
static uint32_t step_uload(struct cx *cx, struct tstate *s, uint32_t pc,
                           unsigned r1, av_t *res)
{
	struct dif_tc_member m;
	const struct dif_reloc *rl = dif_difo_reloc_at(cx->d, pc);
	bool known = false;
	if (rl && rl->kind == DIF_RELOC_LOAD)
		known = ask_member(cx, sym(cx, rl->type), sym(cx, rl->path), &m);
	else if (r1 < DIF_NREGS && s->ct[r1])
		/* a member address, or the typecast pointer itself ("T *": T) */
		known = ask_member(cx, sym(cx, s->ct[r1] - 1),
		                   s->cm[r1] ? sym(cx, s->cm[r1] - 1) : "", &m);
	if (!known || !member_load(&m, res))
		av_load(res, 8, false); /* anything: no type known */
	return known && m.kind == DIF_TC_M_PTR ? name_ptr(cx, m.pointee) : 0;
}

/* setx with a relocation record: the constant it gets once linked. */
static void step_reloc_setx(struct cx *cx, const struct dif_reloc *rl,
                            av_t *res)
{
	const struct dif_tc_oracle *o = cx->types;
	uint64_t x;
	const char *type = sym(cx, rl->type);
	const char *path = rl->kind == DIF_RELOC_SIZEOF ? NULL : sym(cx, rl->path);
	if (o && o->constant && type && rl->kind >= DIF_RELOC_OFFSETOF &&
	    rl->kind <= DIF_RELOC_ENUMVAL &&
	    (path || rl->kind == DIF_RELOC_SIZEOF) &&
	    o->constant(o->user, rl->kind, type, path, &x) == 0)
		av_const(res, x, K_NUM);
	else
		av_top(res, K_INT);
}

static bool step(struct cx *cx, struct tstate *s, uint32_t pc,
                 struct tstate *taken, bool *has_taken)
{
	uint32_t w = cx->d->text[pc];
	unsigned op = DIF_I_OP(w), r1 = DIF_I_R1(w), r2 = DIF_I_R2(w),
	         rd = DIF_I_RD(w);
	const struct dif_opinfo *oi = opinfo(op);
	av_t a, b, res;
	char buf[128];
	*has_taken = false;
	if (!oi)
		return false;
	switch (oi->cls) {
	case DIF_IC_ALU3:
		if (op == DIF_OPC_COPYS) {
			a = *rd_reg(cx, s, r1, pc, W_R1);
			b = *rd_reg(cx, s, r2, pc, W_R2);
			av_t dst = *rd_reg(cx, s, rd, pc, W_RD);
			if (b.umin > 0)
				check_null_src(cx, pc, r1, W_R1, &a, "copys source");
			local_clobber(s, &dst);
			return check_dest(cx, s, pc, rd, W_RD | W_R2, &dst, b.umax,
			                  false, "copys") != 2;
		}
		a = *rd_reg(cx, s, r1, pc, W_R1);
		b = *rd_reg(cx, s, r2, pc, W_R2);
		if (is_div(op) && !step_div(cx, s, pc, op, r1, r2, &a, &b))
			return false;
		if (is_shift(op))
			step_shift(cx, pc, r2, &b);
		av_alu(op, &a, &b, &res);
		if (op == DIF_OPC_ADD && cx->types && r1 < DIF_NREGS &&
		    r2 < DIF_NREGS) {
			/* typecast "T *" + usetx "m": the address of member m */
			uint32_t ct = s->ct[r1] && !s->cm[r1] ? s->ct[r1] : s->ct[r2];
			uint32_t cm = s->cm[r2] && !s->ct[r2] ? s->cm[r2] : s->cm[r1];
			bool pair = (s->ct[r1] && !s->cm[r1] && s->cm[r2] && !s->ct[r2]) ||
			            (s->ct[r2] && !s->cm[r2] && s->cm[r1] && !s->ct[r1]);
			struct dif_tc_member m;
			if (pair && ask_member(cx, sym(cx, ct - 1), sym(cx, cm - 1), &m) &&
			    m.kind == DIF_TC_M_STRING && !(res.kinds & K_PTRS)) {
				/* host memory holding a D string (char array) */
				av_ptr(&res, K_HOST | K_STR, 0);
			}
			wr(cx, s, rd, &res, pc);
			if (pair && rd < DIF_NREGS) {
				s->ct[rd] = ct;
				s->cm[rd] = cm;
			}
			return true;
		}
		wr(cx, s, rd, &res, pc);
		return true;
	case DIF_IC_SYMREF:
		if (op == DIF_OPC_TYPECAST) {
			/* a nop once linked: the register keeps its value */
			if (rd && rd < DIF_NREGS) {
				rd_reg(cx, s, rd, pc, W_RD);
				s->ct[rd] = sym(cx, DIF_I_INDEX(w)) ? DIF_I_INDEX(w) + 1 : 0;
				s->cm[rd] = 0;
			}
			return true;
		}
		/* usetx: setx of the member's offset once linked */
		av_top(&res, K_INT);
		wr(cx, s, rd, &res, pc);
		if (rd && rd < DIF_NREGS && sym(cx, DIF_I_INDEX(w)))
			s->cm[rd] = DIF_I_INDEX(w) + 1;
		return true;
	case DIF_IC_ALU2:
		a = *rd_reg(cx, s, r1, pc, W_R1);
		if (op == DIF_OPC_ALLOCS) {
			uint64_t lo = s->slo, hi = s->shi;
			if (!use_scratch(cx, s, pc, "allocs", a.umin, a.umax, a.umin,
			                 a.umax, true, true, W_R1, &a))
				return false;
			av_ptr(&res, K_SCRATCH, 3);
			scratch_off(&res, round8(lo), round8(hi));
			wr(cx, s, rd, &res, pc);
			return true;
		}
		av_alu(op, &a, &a, &res);
		wr(cx, s, rd, &res, pc);
		if (op == DIF_OPC_MOV && r1 < DIF_NREGS && rd && rd < DIF_NREGS) {
			s->ct[rd] = s->ct[r1];
			s->cm[rd] = s->cm[r1];
		}
		return true;
	case DIF_IC_CMP:
		a = *rd_reg(cx, s, r1, pc, W_R1);
		b = *rd_reg(cx, s, r2, pc, W_R2);
		if (op == DIF_OPC_SCMP) {
			check_string(cx, pc, "scmp operand", r1, W_R1, &a);
			check_string(cx, pc, "scmp operand", r2, W_R2, &b);
			/* the flags may also stay as they were (failed check) */
			s->cck = CC_ANY;
			s->cr1 = s->cr2 = NOREG;
			return true;
		}
		s->cck = CC_CMP;
		s->cr1 = (uint8_t)r1;
		s->cr2 = (uint8_t)r2;
		s->ca = a;
		s->cb = b;
		s->ccpc = pc;
		return true;
	case DIF_IC_TST:
		a = *rd_reg(cx, s, r1, pc, W_R1);
		s->cck = CC_TST;
		s->cr1 = (uint8_t)r1;
		s->cr2 = NOREG;
		s->ca = a;
		s->ccpc = pc;
		return true;
	case DIF_IC_BRANCH: {
		if (op == DIF_OPC_BA) {
			*taken = *s;
			*has_taken = true;
			return false;
		}
		*taken = *s;
		*has_taken = refine_edge(taken, op, true, pc);
		return refine_edge(s, op, false, pc);
	}
	case DIF_IC_LOAD:
		a = *rd_reg(cx, s, r1, pc, W_R1);
		check_null_src(cx, pc, r1, W_R1, &a, "load address");
		if (oi->flags & DIF_F_RELOC) {
			uint32_t ct = step_uload(cx, s, pc, r1, &res);
			wr(cx, s, rd, &res, pc);
			if (rd && rd < DIF_NREGS)
				s->ct[rd] = ct;
			return true;
		}
		av_load(&res, oi->flags & DIF_F_WIDTH, oi->flags & DIF_F_SIGNED);
		wr(cx, s, rd, &res, pc);
		return true;
	case DIF_IC_STORE: {
		unsigned n = oi->flags & DIF_F_WIDTH;
		rd_reg(cx, s, r1, pc, W_R1);
		a = *rd_reg(cx, s, rd, pc, W_RD);
		local_clobber(s, &a);
		int dest = check_dest(cx, s, pc, rd, W_RD, &a, n, false, oi->name);
		if (dest)
			return dest != 2;
		if (n > 1) {
			uint64_t m = n - 1;
			const av_t *seeds[1] = { &a };
			if (!(a.tmask & m) && (a.tvalue & m)) {
				struct dif_tc_finding *f =
					add_finding(cx, RU_ALIGN, DIF_TC_ERROR, pc);
				if (f) {
					reason(f, "address %%r%u is %llu mod %u; %s needs %u-byte "
					       "alignment", rd,
					       (unsigned long long)(a.tvalue & m), n, oi->name, n);
					build_slice(cx, f, W_RD, seeds, 1);
					suggest(f, "align the offset to the store width");
				}
				return false;
			}
			if (a.tmask & m) {
				struct dif_tc_finding *f =
					add_finding(cx, RU_ALIGN, DIF_TC_WARNING, pc);
				if (f) {
					reason(f, "address %%r%u %s has unknown low bits; %s needs "
					       "%u-byte alignment", rd, what(&a, buf, sizeof(buf)),
					       oi->name, n);
					build_slice(cx, f, W_RD, seeds, 1);
					snprintf(f->suggestion, sizeof(f->suggestion),
					         "align the offset to the store width (e.g. and "
					         "it with ~%u)", n - 1);
				}
			}
		}
		return true;
	}
	case DIF_IC_RET:
		a = *rd_reg(cx, s, rd, pc, W_RD);
		step_ret(cx, pc, rd, &a);
		return false;
	case DIF_IC_NONE:
		if (op == DIF_OPC_POPTS) {
			if (s->dlo)
				s->dlo--;
			if (s->dhi)
				s->dhi--;
		} else if (op == DIF_OPC_FLUSHTS) {
			s->dlo = s->dhi = 0;
		}
		return true;
	case DIF_IC_SETX: {
		const struct dif_reloc *rl =
			cx->types ? dif_difo_reloc_at(cx->d, pc) : NULL;
		if (rl && rl->kind != DIF_RELOC_POISON) {
			step_reloc_setx(cx, rl, &res);
			wr(cx, s, rd, &res, pc);
			return true;
		}
		uint64_t x = cx->d->inttab[DIF_I_INDEX(w)];
		av_const(&res, x, K_NUM);
		/* the type D gives the literal: int, unsigned int, long or
		 * unsigned long, whichever holds it first */
		int64_t sx = (int64_t)x;
		res.width = sx >= INT32_MIN && sx <= INT32_MAX ? 4
		            : x <= UINT32_MAX                  ? 4 : 8;
		res.is_signed = (sx >= INT32_MIN && sx <= INT32_MAX) ||
		                (x > UINT32_MAX && sx >= 0);
		wr(cx, s, rd, &res, pc);
		return true;
	}
	case DIF_IC_SETS:
		av_ptr(&res, K_STRTAB | K_STR, 0);
		res.off_min = res.off_max = DIF_I_INDEX(w);
		res.obj_size = cx->d->strlen;
		wr(cx, s, rd, &res, pc);
		return true;
	case DIF_IC_LDA:
		rd_reg(cx, s, r2, pc, W_R2);
		if (op == DIF_OPC_LDTA)
			return false; /* always ILLOP */
		av_top(&res, K_INT);
		wr(cx, s, rd, &res, pc);
		return true;
	case DIF_IC_STGA:
		rd_reg(cx, s, r2, pc, W_R2);
		rd_reg(cx, s, rd, pc, W_RD);
		return true;
	case DIF_IC_LDV: {
		unsigned id = DIF_I_INDEX(w);
		if (op == DIF_OPC_LDLS && id < DIF_VAR_OTHER_UBASE) {
			av_const(&res, 0, K_NUM);
		} else if (op == DIF_OPC_LDGS && id < DIF_VAR_OTHER_UBASE) {
			const struct dif_bvarinfo *bv = dif_bvar_lookup(id, cx->profile);
			if (bv && (bv->flags & DIF_BV_STRING)) {
				uint32_t k = K_ENV | K_STR | K_NULL;
				if (cx->deny & DIF_DENY_KERNEL) {
					/* copied to scratch for this consumer */
					if (!use_scratch(cx, s, pc, bv->name, 0, cx->strsize, 0,
					                 cx->strsize, false, false, 0, NULL))
						return false;
					k |= K_SCRATCH;
				}
				av_ptr(&res, k, 0);
			} else {
				av_top(&res, K_INT);
			}
		} else {
			if (oi->flags & DIF_F_ASSOC) {
				check_tuple_need(cx, s, pc, 1, "an associative array load");
				const struct dif_opinfo *o2 = oi;
				struct tvar *t = var_get(
					cx, var_key((unsigned)dif_isa_scope(o2), true, id));
				check_keys(cx, s, pc, t, id);
			}
			const av_t *known = local_scalar(cx, op, id) ? local_load(s, id)
			                                              : NULL;
			if (known) {
				res = *known;
				res.refined = DIF_NO_PC;
			} else {
				var_value(cx, op, id, &res);
			}
		}
		wr(cx, s, rd, &res, pc);
		return true;
	}
	case DIF_IC_STV: {
		unsigned id = DIF_I_INDEX(w);
		a = *rd_reg(cx, s, rd, pc, W_RD);
		if (oi->flags & DIF_F_ASSOC)
			check_tuple_need(cx, s, pc, 1, "an associative array store");
		step_store_var(cx, s, pc, op, id, rd, &a);
		if (local_scalar(cx, op, id))
			local_store(s, id, &a);
		return true;
	}
	case DIF_IC_CALL:
		return step_call(cx, s, pc, DIF_I_INDEX(w), rd);
	case DIF_IC_PUSHTR: {
		unsigned type = DIF_I_TYPE(w);
		b = *rd_reg(cx, s, r2, pc, W_R2);
		a = *rd_reg(cx, s, rd, pc, W_RD);
		uint8_t kind;
		if (type == DIF_TYPE_STRING) {
			check_string(cx, pc, "pushtr string", rd, W_RD, &a);
			kind = DIF_TC_T_REF | DIF_TC_T_STR;
		} else {
			kind = (uint8_t)((b.umax > 0 ? DIF_TC_T_REF : 0) |
			                 (av_may_zero(&b) ? DIF_TC_T_VAL : 0));
		}
		return push(cx, s, pc, kind, &a);
	}
	case DIF_IC_PUSHTV:
		a = *rd_reg(cx, s, rd, pc, W_RD);
		return push(cx, s, pc, DIF_TC_T_VAL, &a);
	default:
		return false; /* xlate/xlarg: ILLOP */
	}
}

/* ---------------------------------------------------------------------
 * One DIFO.
 */
static void export_state(const struct tstate *s, struct dif_tc_state *o)
{
	memset(o, 0, sizeof(*o));
	o->reached = s->live;
	memcpy(o->regs, s->r, sizeof(o->regs));
	o->tdepth_min = s->dlo;
	o->tdepth_max = s->dhi;
	memcpy(o->tkinds, s->tk, sizeof(o->tkinds));
	memcpy(o->tvals, s->tv, sizeof(o->tvals));
	o->scratch_min = s->slo;
	o->scratch_max = s->shi;
}

/* Blocks no path from the entry reaches (cfg's reachability): notes. */
static int report_unreachable(struct cx *cx)
{
	int rc = graph(cx, &cx->blocks, false);
	if (rc == DIF_E_NOMEM)
		return rc;
	if (rc)
		return 0; /* validated DIFOs always build */
	const struct dif_cfg *cfg = cx->blocks;
	uint32_t nb = dif_cfg_nblocks(cfg);
	for (uint32_t id = 0; id < nb; id++) {
		struct dif_block b;
		if (dif_cfg_block(cfg, id, &b) || b.reachable)
			continue;
		struct dif_tc_finding *f =
			add_finding(cx, RU_UNREACH, DIF_TC_NOTE, b.start);
		if (!f)
			break;
		f->aux = b.end;
		reason(f, "no path from the entry reaches block %u (pcs %u-%u)", id,
		       b.start, b.end);
		suggest(f, "remove the dead instructions or fix the branch that "
		           "should lead here");
	}
	return 0;
}

static int cmp_finding(const void *x, const void *y)
{
	const struct dif_tc_finding *a = x, *b = y;
	if (a->pc != b->pc)
		return a->pc < b->pc ? -1 : 1;
	/* the same pc: a fixed order, whatever the sort does with ties */
	int c = strcmp(a->rule, b->rule);
	return c ? c : strcmp(a->reason, b->reason);
}

/* States waiting at branch targets: a pool of slots, taken at the first
 * edge into a target and given back when the pass reaches it, so memory
 * follows the number of pending forward edges, not the program size. */
struct pool {
	struct tstate *st;
	uint32_t *free_ids;
	uint32_t n, cap, nfree;
};

static uint32_t pool_get(struct pool *p)
{
	if (p->nfree)
		return p->free_ids[--p->nfree];
	if (p->n == p->cap) {
		uint32_t cap = p->cap ? p->cap * 2 : 16;
		struct tstate *st = realloc(p->st, cap * sizeof(*st));
		if (!st)
			return UINT32_MAX;
		p->st = st;
		uint32_t *f = realloc(p->free_ids, cap * sizeof(*f));
		if (!f)
			return UINT32_MAX;
		p->free_ids = f;
		p->cap = cap;
	}
	return p->n++;
}

static int analyse_difo(struct cx *cx)
{
	const struct dif_difo *d = cx->d;
	uint32_t n = d->textlen;
	struct difo_res *r = cx->res;
	r->n = n;
	/* slot[pc]: the pool slot of the state waiting at pc, or none */
	uint32_t *slot = malloc((n ? n : 1) * sizeof(*slot));
	struct tstate *cur = malloc(2 * sizeof(*cur));
	struct pool pool = { 0 };
	if (!slot || !cur)
		goto nomem;
	if (cx->flags & DIF_TC_KEEP_TYPES) {
		r->types = calloc(n ? n : 1, sizeof(*r->types));
		r->typed = calloc(n ? n : 1, 1);
		if (!r->types || !r->typed)
			goto nomem;
	}
	if (cx->flags & DIF_TC_KEEP_STATES) {
		r->states = calloc(n ? n : 1, sizeof(*r->states));
		if (!r->states)
			goto nomem;
	}
	for (uint32_t pc = 0; pc < n; pc++)
		slot[pc] = UINT32_MAX;
	struct tstate *s = &cur[0], *t = &cur[1];
	st_entry(s);
	for (uint32_t pc = 0; pc < n && !cx->nomem; pc++) {
		if (slot[pc] != UINT32_MAX) {
			const struct tstate *w = &pool.st[slot[pc]];
			if (s->live)
				st_join(s, w);
			else
				*s = *w;
			pool.free_ids[pool.nfree++] = slot[pc];
			slot[pc] = UINT32_MAX;
		}
		if (r->states)
			export_state(s, &r->states[pc]);
		if (!s->live)
			continue;
		bool has_taken = false;
		bool go = step(cx, s, pc, t, &has_taken);
		if (has_taken) {
			uint32_t to = DIF_I_LABEL(d->text[pc]);
			t->live = 1;
			if (slot[to] != UINT32_MAX) {
				st_join(&pool.st[slot[to]], t);
			} else {
				uint32_t id = pool_get(&pool);
				if (id == UINT32_MAX)
					goto nomem;
				pool.st[id] = *t;
				slot[to] = id;
			}
		}
		s->live = go;
	}
	if (resolve_slices(cx) || cx->nomem)
		goto nomem;
	if (!(cx->flags & DIF_TC_NO_UNREACHABLE) && report_unreachable(cx))
		goto nomem;
	struct dif_tc *tc = cx->tc;
	if (tc->nf > cx->first_finding)
		qsort(tc->f + cx->first_finding, tc->nf - cx->first_finding,
		      sizeof(*tc->f), cmp_finding);
	r->analysed = 1;
	free(slot);
	free(pool.st);
	free(pool.free_ids);
	free(cur);
	return 0;
nomem:
	free(slot);
	free(pool.st);
	free(pool.free_ids);
	free(cur);
	return DIF_E_NOMEM;
}

/* The module's variables, for dif_tc_var(). Names are copied: the
 * DIFOs may go before the result. */
static int export_vars(struct cx *cx)
{
	struct dif_tc *tc = cx->tc;
	tc->vars = calloc(cx->nvars ? cx->nvars : 1, sizeof(*tc->vars));
	if (!tc->vars)
		return DIF_E_NOMEM;
	for (size_t i = 0; i < cx->capvars; i++) {
		const struct tvar *t = &cx->vars[i];
		if (!t->key)
			continue;
		struct dif_tc_var *o = &tc->vars[t->order];
		o->scope = (uint8_t)((t->key >> 24) - 1);
		o->assoc = (uint8_t)((t->key >> 20) & 1);
		o->id = t->key & 0xffffu;
		o->has_decl = t->has_decl;
		o->decl = t->decl;
		o->stored = t->stored;
		o->nkeys = t->keyset ? t->nkeys : 0;
		memcpy(o->keykinds, t->keykinds, sizeof(o->keykinds));
		if (t->name)
			snprintf(o->name, sizeof(o->name), "%s", t->name);
	}
	tc->nvars = cx->nvars;
	return 0;
}

/* ---------------------------------------------------------------------
 * API.
 */

/* The validator rejected a DIFO only for relocations left to link. */
static bool only_unlinked(struct dif_errors *e)
{
	bool ok = e->count > 0 && !e->dropped;
	for (uint32_t i = 0; ok && i < e->count; i++)
		ok = e->list[i].code == DIF_E_UNLINKED;
	dif_errors_clear(e);
	return ok;
}
int dif_typecheck(const struct dif_module *mod, const struct dif_tc_opts *opts,
                  struct dif_tc **out)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if (!mod || (opts && opts->size < sizeof(size_t)))
		return DIF_E_INVAL;
	if (opts && !dif_opts_tail_zero(opts, opts->size, sizeof(*opts)))
		return DIF_E_OPTS;
	struct cx cx = { 0 };
	cx.profile = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	cx.scratch = DIF_OPT(opts, scratch_size, 0);
	if (!cx.scratch)
		cx.scratch = 65536;
	cx.strsize = DIF_OPT(opts, strsize, 0);
	if (!cx.strsize)
		cx.strsize = DIF_STRSIZE_DEFAULT;
	cx.deny = DIF_OPT(opts, deny, 0);
	cx.flags = DIF_OPT(opts, flags, 0);
	cx.types = DIF_OPT(opts, types, NULL);
	if ((unsigned)cx.profile > DIF_PROFILE_ILLUMOS)
		return DIF_E_INVAL;
	if (cx.types && cx.types->size < offsetof(struct dif_tc_oracle, constant) +
	                                 sizeof(cx.types->constant))
		return DIF_E_INVAL;
	struct dif_tc *tc = calloc(1, sizeof(*tc));
	if (!tc)
		return DIF_E_NOMEM;
	cx.tc = tc;
	tc->nd = dif_module_count(mod);
	tc->d = calloc(tc->nd ? tc->nd : 1, sizeof(*tc->d));
	struct dif_vstate *vs = dif_vstate_new();
	struct dif_errors verrs;
	int rc = 0;
	if (!tc->d || !vs) {
		rc = DIF_E_NOMEM;
		goto out;
	}
	DIF_OPTS(dif_validate_opts, vo, .profile = cx.profile);
	/* declarations first: loads in any DIFO see every DIFO's types */
	for (size_t i = 0; i < tc->nd && !cx.nomem; i++)
		declare_vars(&cx, dif_module_get(mod, i));
	for (size_t i = 0; i < tc->nd && rc == 0; i++) {
		const struct dif_difo *d = dif_module_get(mod, i);
		dif_errors_clear(&verrs);
		int v = dif_validate_with(d, &vo, vs, cx.types ? &verrs : NULL);
		if (v == DIF_E_NOMEM) {
			rc = v;
			break;
		}
		if (v && !(cx.types && only_unlinked(&verrs)))
			continue; /* the structural validator reports it */
		cx.d = d;
		cx.di = (uint32_t)i;
		cx.res = &tc->d[i];
		cx.nnamed = 0;
		cx.first_finding = tc->nf;
		rc = analyse_difo(&cx);
	}
	if (cx.nomem)
		rc = DIF_E_NOMEM;
	if (rc == 0)
		rc = export_vars(&cx);
out:
	dif_vstate_free(vs);
	free(cx.vars);
	free(cx.named);
	free(cx.pend);
	dif_cfg_free(cx.blocks);
	dif_cfg_free(cx.du);
	if (rc) {
		dif_tc_free(tc);
		return rc;
	}
	*out = tc;
	return 0;
}

void dif_tc_free(struct dif_tc *tc)
{
	if (!tc)
		return;
	for (size_t i = 0; tc->d && i < tc->nd; i++) {
		free(tc->d[i].types);
		free(tc->d[i].typed);
		free(tc->d[i].states);
	}
	free(tc->d);
	free(tc->f);
	free(tc->vars);
	free(tc);
}

size_t dif_tc_nvars(const struct dif_tc *tc)
{
	return tc ? tc->nvars : 0;
}

int dif_tc_var(const struct dif_tc *tc, size_t i, struct dif_tc_var *out)
{
	if (!tc || !out || i >= tc->nvars)
		return DIF_E_INVAL;
	*out = tc->vars[i];
	return 0;
}

size_t dif_tc_count(const struct dif_tc *tc)
{
	return tc ? tc->nf : 0;
}

const struct dif_tc_finding *dif_tc_get(const struct dif_tc *tc, size_t i)
{
	return tc && i < tc->nf ? &tc->f[i] : NULL;
}

int dif_tc_analysed(const struct dif_tc *tc, size_t difo)
{
	return tc && difo < tc->nd && tc->d[difo].analysed;
}

int dif_tc_result(const struct dif_tc *tc, size_t difo, uint32_t pc,
                  struct dif_tc_value *out)
{
	if (!tc || !out || difo >= tc->nd)
		return DIF_E_INVAL;
	const struct difo_res *r = &tc->d[difo];
	if (!r->types || pc >= r->n)
		return DIF_E_INVAL;
	if (!r->typed[pc])
		return DIF_E_NOTFOUND;
	*out = r->types[pc];
	return 0;
}

int dif_tc_state_at(const struct dif_tc *tc, size_t difo, uint32_t pc,
                    struct dif_tc_state *out)
{
	if (!tc || !out || difo >= tc->nd)
		return DIF_E_INVAL;
	const struct difo_res *r = &tc->d[difo];
	if (!r->states || pc >= r->n)
		return DIF_E_INVAL;
	*out = r->states[pc];
	return 0;
}

int dif_tc_value_contains(const struct dif_tc_value *v, uint64_t x)
{
	return v && (int64_t)x >= v->smin && (int64_t)x <= v->smax &&
	       x >= v->umin && x <= v->umax && (x & ~v->tmask) == v->tvalue;
}

const char *dif_tc_type_name(const struct dif_tc_value *v)
{
	uint32_t k = v ? v->kinds : 0;
	if (!k)
		return "undefined";
	if (!(k & ~K_INTS))
		return "integer";
	if ((k & K_NUM) && (k & K_PTRS))
		return "conflict";
	if (k & K_INT)
		return "integer";
	if ((k & K_STR) && (k & K_PTRS))
		return "string";
	if (k & K_PTRS)
		return "pointer";
	return "integer"; /* NULL */
}

size_t dif_tc_kinds_text(uint32_t kinds, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ K_STRTAB, "strtab" }, { K_SCRATCH, "scratch" }, { K_STATIC, "static" },
		{ K_DYN, "dynamic" }, { K_ENV, "env" }, { K_HOST, "host" },
		{ K_NULL, "null" },
	};
	av_t v;
	av_top(&v, kinds);
	char tmp[160];
	size_t o = (size_t)snprintf(tmp, sizeof(tmp), "%s", dif_tc_type_name(&v));
	if (kinds & K_PTRS) {
		const char *sep = " (";
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if ((kinds & names[i].bit) && o < sizeof(tmp)) {
				o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, "%s%s", sep,
				                      names[i].name);
				sep = "|";
			}
		if (o < sizeof(tmp))
			o += (size_t)snprintf(tmp + o, sizeof(tmp) - o, ")");
	}
	if (o >= sizeof(tmp))
		o = sizeof(tmp) - 1;
	if (len) {
		size_t c = o < len - 1 ? o : len - 1;
		memcpy(buf, tmp, c);
		buf[c] = '\0';
	}
	return o;
}

size_t dif_tc_value_text(const struct dif_tc_value *v, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} prov[] = {
		{ K_STRTAB, "strtab" }, { K_SCRATCH, "scratch" }, { K_STATIC, "static" },
		{ K_DYN, "dynamic" }, { K_ENV, "env" }, { K_HOST, "host" },
		{ K_NULL, "null" },
	};
	char tmp[256];
	size_t o = 0;
	const char *tn = dif_tc_type_name(v);
#define PUT(...)                                                              \
	do {                                                                      \
		int n_ = snprintf(tmp + o, sizeof(tmp) - o, __VA_ARGS__);             \
		if (n_ > 0)                                                           \
			o += (size_t)n_ < sizeof(tmp) - o ? (size_t)n_ : sizeof(tmp) - o - 1; \
	} while (0)
	if (!v || !v->kinds) {
		PUT("undefined");
	} else if (!strcmp(tn, "integer")) {
		if (v->width)
			PUT("%sint%u", v->is_signed ? "" : "u", 8u * v->width);
		else
			PUT("int64");
		char d[96];
		describe(v, d, sizeof(d));
		PUT(" %s", d);
		if (v->kinds & K_PTRS)
			PUT(" (or pointer)");
	} else {
		PUT("%s (", tn);
		const char *sep = "";
		if (v->kinds & K_NUM) {
			PUT("integer");
			sep = "|";
		}
		for (size_t i = 0; i < sizeof(prov) / sizeof(prov[0]); i++)
			if (v->kinds & prov[i].bit) {
				PUT("%s%s", sep, prov[i].name);
				sep = "|";
			}
		PUT(")");
		if ((v->kinds & K_PTRS) && !(v->kinds & K_INTS) &&
		    (v->off_min || v->off_max))
			PUT(" +[%lld, %lld]", (long long)v->off_min, (long long)v->off_max);
	}
	if (v && (v->undef & DIF_TC_UNDEF_MAY))
		PUT(v->undef & DIF_TC_UNDEF_MUST ? ", undefined" : ", maybe undefined");
#undef PUT
	if (len) {
		size_t c = o < len - 1 ? o : len - 1;
		memcpy(buf, tmp, c);
		buf[c] = '\0';
	}
	return o;
}
