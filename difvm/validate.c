/*
 * The structural validator (dif-isa.md section 5): the checks DTrace's
 * kernel runs before it accepts a DIFO, with the same limits, but every
 * violation is reported (the kernel stops at the first bad instruction and
 * at the first bad variable) and nothing is rewritten: LDxx -> RLDxx is the
 * VM loader's job, validation only reads.
 *
 * Operand checks come from the instruction class in the ISA table: each
 * class says what its r1, r2 and rd bytes (or its 16-bit index) must hold.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "internal.h"

/* What one byte of an R-format word must hold. */
enum fld {
	F_ANY = 0, /* part of the 16-bit index, or unchecked */
	F_REG,     /* a readable register: < nregs */
	F_DEST,    /* a written register: < nregs and not %r0 */
	F_ADDR,    /* a store's address register: < nregs and not %r0 */
	F_RSVD,    /* reserved: must be zero */
	F_ARRAY,   /* built-in array id: <= DIF_VAR_ARRAY_MAX */
	F_TREF,    /* pushtr type: CTF or string */
	F_TVAL,    /* pushtv type: CTF only */
};

/* What the 16-bit index (or the 24-bit label) must hold. */
enum idx {
	X_NONE = 0,
	X_LABEL, /* forward branch inside the text */
	X_INT,   /* integer-table index */
	X_STR,   /* string-table offset */
	X_VAR,   /* 0x100..0xffff: any non-array variable */
	X_UVAR,  /* 0x500..0xffff: user variables only (stores) */
	X_SUBR,  /* <= DIF_SUBR_MAX of the profile */
};

struct operand_rule {
	uint8_t valid;  /* 0: the kernel rejects the whole class */
	uint8_t idx;    /* enum idx, checked first (it sits in the high bits) */
	uint8_t f[3];   /* enum fld for r1, r2, rd */
};

/* Indexed by enum dif_iclass; classes absent here reject the opcode. */
static const struct operand_rule rules[] = {
	[DIF_IC_ALU3] = { 1, X_NONE, { F_REG, F_REG, F_DEST } },
	[DIF_IC_ALU2] = { 1, X_NONE, { F_REG, F_RSVD, F_DEST } },
	[DIF_IC_CMP] = { 1, X_NONE, { F_REG, F_REG, F_RSVD } },
	[DIF_IC_TST] = { 1, X_NONE, { F_REG, F_RSVD, F_RSVD } },
	[DIF_IC_BRANCH] = { 1, X_LABEL, { F_ANY, F_ANY, F_ANY } },
	[DIF_IC_LOAD] = { 1, X_NONE, { F_REG, F_RSVD, F_DEST } },
	[DIF_IC_STORE] = { 1, X_NONE, { F_REG, F_RSVD, F_ADDR } },
	[DIF_IC_RET] = { 1, X_NONE, { F_RSVD, F_RSVD, F_REG } },
	[DIF_IC_NONE] = { 1, X_NONE, { F_RSVD, F_RSVD, F_RSVD } },
	[DIF_IC_SETX] = { 1, X_INT, { F_ANY, F_ANY, F_DEST } },
	[DIF_IC_SETS] = { 1, X_STR, { F_ANY, F_ANY, F_DEST } },
	[DIF_IC_LDA] = { 1, X_NONE, { F_ARRAY, F_REG, F_DEST } },
	[DIF_IC_STGA] = { 1, X_NONE, { F_ARRAY, F_REG, F_REG } },
	[DIF_IC_LDV] = { 1, X_VAR, { F_ANY, F_ANY, F_DEST } },
	[DIF_IC_STV] = { 1, X_UVAR, { F_ANY, F_ANY, F_REG } },
	[DIF_IC_CALL] = { 1, X_SUBR, { F_ANY, F_ANY, F_DEST } },
	[DIF_IC_PUSHTR] = { 1, X_NONE, { F_TREF, F_REG, F_REG } },
	[DIF_IC_PUSHTV] = { 1, X_NONE, { F_TVAL, F_REG, F_REG } },
	/* DIF_IC_XLATE: user-level only, the kernel rejects it. */
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

/* ---------------------------------------------------------------------
 * Variables defined by earlier DIFOs of a module (rule 29), keyed by
 * scope and id in the shared hash map.
 */
struct vdef_table {
	struct dif_var *defs;
	size_t n, cap;
	struct dif_hmap index; /* (scope, id) -> defs[] */
};

static void vdef_key(unsigned scope, unsigned id, uint32_t k[2])
{
	k[0] = scope;
	k[1] = id;
}

static struct dif_var *vdef_find(const struct vdef_table *t, unsigned scope,
                                 unsigned id)
{
	if (!t)
		return NULL;
	uint32_t k[2];
	vdef_key(scope, id, k);
	uint64_t *i = dif_hm_get(&t->index, k, sizeof(k));
	return i ? &t->defs[*i] : NULL;
}

/* Records a definition as loading an accepted DIFO does: a static (global
 * or clause-local) keeps its first definition, a thread-local's latest
 * definition replaces the old one. */
static int vdef_put(struct vdef_table *t, const struct dif_var *v)
{
	struct dif_var *old = vdef_find(t, v->scope, v->id);
	if (old) {
		if (v->scope == DIF_VSCOPE_THREAD)
			*old = *v;
		return 0;
	}
	if (dif_grow(&t->defs, &t->cap, t->n, sizeof(*t->defs)))
		return DIF_E_NOMEM;
	uint32_t k[2];
	vdef_key(v->scope, v->id, k);
	if (t->n >= UINT32_MAX || dif_hm_put(&t->index, k, sizeof(k), (uint32_t)t->n))
		return DIF_E_NOMEM;
	t->defs[t->n++] = *v;
	return 0;
}

/* ---------------------------------------------------------------------
 * One DIFO.
 */
struct vcheck {
	const struct dif_difo *d;
	enum dif_profile profile;
	uint32_t nregs;
	struct dif_errors *errs;
	unsigned nerr; /* counted even when errs is full or NULL */
};

#define NO_ROW UINT32_MAX

/* One violation at instruction pc, or at variable-table row `row`, or
 * (both absent) about the whole DIFO. The position text is made only when
 * there is a list to put it in: accepting a program prints nothing. */
static void report(struct vcheck *c, int code, uint32_t pc, uint32_t row,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report(struct vcheck *c, int code, uint32_t pc, uint32_t row,
                   const char *fmt, ...)
{
	c->nerr++;
	if (!c->errs)
		return;
	char msg[sizeof(c->errs->list[0].msg)];
	char where[sizeof(c->errs->list[0].insn)] = "";
	if (pc != DIF_NO_PC)
		dif_insn_text(c->d->text[pc], c->profile, where, sizeof(where));
	else if (row != NO_ROW)
		snprintf(where, sizeof(where), "vartab[%u]", (unsigned)row);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dif_errf(c->errs, code, pc, c->d->name, where, "%s", msg);
}

static void check_reg(struct vcheck *c, uint32_t pc, unsigned r)
{
	if (r >= c->nregs)
		report(c, DIF_E_REG, pc, NO_ROW, "invalid register %u", r);
}

/* Rules 1-20 for the instruction at pc. */
static void check_insn(struct vcheck *c, uint32_t pc)
{
	const struct dif_difo *d = c->d;
	uint32_t w = d->text[pc];
	unsigned op = DIF_I_OP(w);
	const struct dif_opinfo *oi = dif_isa_lookup(op, c->profile);
	if (oi && (oi->flags & DIF_F_RELOC)) {
		report(c, DIF_E_UNLINKED, pc, NO_ROW,
		       "relocation opcode '%s' (%u): link the program first", oi->name,
		       op);
		return;
	}
	const struct dif_reloc *rl = dif_difo_reloc_at(d, pc);
	if (rl && rl->kind != DIF_RELOC_POISON) {
		report(c, DIF_E_UNLINKED, pc, NO_ROW,
		       "unresolved @%s relocation: link the program first",
		       dif_reloc_kind_name(rl->kind));
		return;
	}
	if (!oi || oi->cls >= NRULES || !rules[oi->cls].valid) {
		report(c, DIF_E_OPCODE, pc, NO_ROW, "invalid opcode %u", op);
		return;
	}
	const struct operand_rule *r = &rules[oi->cls];
	unsigned idx = DIF_I_INDEX(w);

	switch ((enum idx)r->idx) {
	case X_NONE:
		break;
	case X_LABEL: {
		unsigned label = DIF_I_LABEL(w);
		if (label >= d->textlen)
			report(c, DIF_E_BRANCH_TARGET, pc, NO_ROW,
			       "invalid branch target %u", label);
		if (label <= pc)
			report(c, DIF_E_BRANCH_BACK, pc, NO_ROW,
			       "backward branch to %u", label);
		break;
	}
	case X_INT:
		if (idx >= d->intlen)
			report(c, DIF_E_INTTAB, pc, NO_ROW, "invalid integer ref %u", idx);
		break;
	case X_STR:
		if (idx >= d->strlen)
			report(c, DIF_E_STRTAB, pc, NO_ROW, "invalid string ref %u", idx);
		break;
	case X_VAR:
		if (idx < DIF_VAR_OTHER_MIN || idx > DIF_VAR_OTHER_MAX)
			report(c, DIF_E_VAR_RANGE, pc, NO_ROW, "invalid variable %u", idx);
		break;
	case X_UVAR:
		if (idx < DIF_VAR_OTHER_UBASE || idx > DIF_VAR_OTHER_MAX)
			report(c, DIF_E_VAR_RANGE, pc, NO_ROW, "invalid variable %u", idx);
		break;
	case X_SUBR:
		if (idx > dif_subr_max(c->profile))
			report(c, DIF_E_SUBR, pc, NO_ROW, "invalid subr %u", idx);
		break;
	}

	unsigned val[3] = { DIF_I_R1(w), DIF_I_R2(w), DIF_I_RD(w) };
	int reserved_done = 0;
	for (int i = 0; i < 3; i++) {
		unsigned v = val[i];
		switch ((enum fld)r->f[i]) {
		case F_ANY:
			break;
		case F_REG:
			check_reg(c, pc, v);
			break;
		case F_DEST:
			check_reg(c, pc, v);
			if (v == 0)
				report(c, DIF_E_R0_WRITE, pc, NO_ROW, "cannot write to %%r0");
			break;
		case F_ADDR:
			check_reg(c, pc, v);
			if (v == 0)
				report(c, DIF_E_R0_ADDR, pc, NO_ROW, "cannot write to 0 address");
			break;
		case F_RSVD: {
			/* One report for all reserved bytes, like the kernel. */
			if (reserved_done)
				break;
			reserved_done = 1;
			unsigned any = 0;
			for (int j = i; j < 3; j++)
				if (r->f[j] == F_RSVD)
					any |= val[j];
			if (any)
				report(c, DIF_E_RESERVED, pc, NO_ROW, "non-zero reserved bits");
			break;
		}
		case F_ARRAY:
			if (v > DIF_VAR_ARRAY_MAX)
				report(c, DIF_E_ARRAY_ID, pc, NO_ROW, "invalid array %u", v);
			break;
		case F_TREF:
			if (v != DIF_TYPE_CTF && v != DIF_TYPE_STRING)
				report(c, DIF_E_REF_TYPE, pc, NO_ROW, "invalid ref type %u", v);
			break;
		case F_TVAL:
			if (v != DIF_TYPE_CTF)
				report(c, DIF_E_VAL_TYPE, pc, NO_ROW, "invalid val type %u", v);
			break;
		}
	}
}

static const char *const scope_names[] = { "global", "thread-local",
                                           "clause-local" };

/* Rules 23-29 (pass 2); raises maxidx[scope] to the highest user index
 * declared in that scope (it stays -1 when there is none). */
static void check_vars(struct vcheck *c, const struct vdef_table *known,
                       long maxidx[3])
{
	const struct dif_difo *d = c->d;
	for (uint32_t i = 0; i < d->varlen; i++) {
		const struct dif_var *v = &d->vartab[i];
		int bad = 0;
		if (v->scope > DIF_VSCOPE_LOCAL) {
			report(c, DIF_E_VAR_SCOPE, DIF_NO_PC, i,
			       "unrecognized variable scope %u", v->scope);
			bad = 1;
		}
		if (v->kind > DIF_VKIND_SCALAR) {
			report(c, DIF_E_VAR_KIND, DIF_NO_PC, i,
			       "unrecognized variable type %u", v->kind);
			bad = 1;
		}
		if (v->id > DIF_VAR_OTHER_MAX) {
			report(c, DIF_E_VAR_ID, DIF_NO_PC, i,
			       "%u exceeds variable id limit", (unsigned)v->id);
			bad = 1;
		}
		if (bad || v->id < DIF_VAR_OTHER_UBASE)
			continue;

		long ndx = (long)(v->id - DIF_VAR_OTHER_UBASE);
		if (ndx > maxidx[v->scope])
			maxidx[v->scope] = ndx;

		if (v->type.flags & DIF_TF_BYREF) {
			if (v->type.size == 0)
				report(c, DIF_E_VAR_ZERO, DIF_NO_PC, i,
				       "zero-sized variable");
			else if (v->scope != DIF_VSCOPE_THREAD &&
			         v->type.size > DIF_STATVAR_MAXSIZE)
				report(c, DIF_E_VAR_OVERSIZE, DIF_NO_PC, i,
				       "oversized by-ref static");
		}

		const struct dif_var *old = vdef_find(known, v->scope, v->id);
		if (!old)
			continue;
		if (old->kind != v->kind)
			report(c, DIF_E_VAR_CHG_KIND, DIF_NO_PC, i,
			       "%u changed variable kind", (unsigned)v->id);
		if (old->type.flags != v->type.flags)
			report(c, DIF_E_VAR_CHG_FLAGS, DIF_NO_PC, i,
			       "%u changed variable type flags", (unsigned)v->id);
		else if (v->type.size != 0 && v->type.size != old->type.size)
			report(c, DIF_E_VAR_CHG_SIZE, DIF_NO_PC, i,
			       "%u changed variable type size", (unsigned)v->id);
	}
}

/* Rules 30-32 (pass 3). */
static void check_refs(struct vcheck *c, const long maxidx[3])
{
	const struct dif_difo *d = c->d;
	for (uint32_t pc = 0; pc < d->textlen; pc++) {
		uint32_t w = d->text[pc];
		const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w), c->profile);
		if (!oi || (oi->cls != DIF_IC_LDV && oi->cls != DIF_IC_STV))
			continue;
		int scope = dif_isa_scope(oi);
		if (scope < 0)
			continue;
		unsigned v = DIF_I_INDEX(w);
		long limit = (long)DIF_VAR_OTHER_UBASE + maxidx[scope];
		if ((long)v <= limit)
			continue;
		if (maxidx[scope] < 0)
			report(c, DIF_E_VAR_UNDECL, pc, NO_ROW,
			       "invalid variable %u (no user %s variable declared)", v,
			       scope_names[scope]);
		else
			report(c, DIF_E_VAR_UNDECL, pc, NO_ROW,
			       "invalid variable %u (highest declared %s is %ld)", v,
			       scope_names[scope], limit);
	}
}

static void check_difo(struct vcheck *c, const struct vdef_table *known)
{
	const struct dif_difo *d = c->d;

	if (d->textlen == 0)
		report(c, DIF_E_NO_TEXT, DIF_NO_PC, NO_ROW, "missing DIF text");

	for (uint32_t pc = 0; pc < d->textlen; pc++)
		check_insn(c, pc);

	if (d->textlen != 0 && DIF_I_OP(d->text[d->textlen - 1]) != DIF_OPC_RET) {
		report(c, DIF_E_LAST_RET, d->textlen - 1, NO_ROW,
		       "expected 'ret' as last DIF instruction");
	}

	if (!(d->rtype.flags & (DIF_TF_BYREF | DIF_TF_BYUREF))) {
		switch (d->rtype.size) {
		case 0: case 1: case 2: case 4: case 8:
			break;
		default:
			report(c, DIF_E_RET_SIZE, DIF_NO_PC, NO_ROW,
			       "bad return size %u", (unsigned)d->rtype.size);
		}
	}

	long maxidx[3] = { -1, -1, -1 };
	check_vars(c, known, maxidx);
	check_refs(c, maxidx);
}

/* Reads the options; 0 or DIF_E_INVAL / DIF_E_OPTS. */
static int read_opts(const struct dif_validate_opts *opts,
                     enum dif_profile *profile, uint32_t *nregs,
                     struct dif_errors *errs)
{
	if (opts && opts->size < sizeof(size_t)) {
		dif_errf(errs, DIF_E_OPTS, DIF_NO_PC, NULL, NULL,
		         "validate: options size not set");
		return DIF_E_OPTS;
	}
	if (opts && opts->size > sizeof(*opts)) {
		const unsigned char *tail = (const unsigned char *)opts + sizeof(*opts);
		for (size_t i = 0; i < opts->size - sizeof(*opts); i++)
			if (tail[i]) {
				dif_errf(errs, DIF_E_OPTS, DIF_NO_PC, NULL, NULL,
				         "validate: unknown non-zero option fields");
				return DIF_E_OPTS;
			}
	}
	*profile = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	*nregs = DIF_OPT(opts, nregs, 0u);
	if (*nregs == 0)
		*nregs = DIF_NREGS;
	if (*profile != DIF_PROFILE_FREEBSD && *profile != DIF_PROFILE_ILLUMOS) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "validate: unknown profile %d", (int)*profile);
		return DIF_E_INVAL;
	}
	return 0;
}

struct dif_vstate {
	struct vdef_table known;
};

struct dif_vstate *dif_vstate_new(void)
{
	return calloc(1, sizeof(struct dif_vstate));
}

void dif_vstate_free(struct dif_vstate *st)
{
	if (!st)
		return;
	free(st->known.defs);
	dif_hm_free(&st->known.index);
	free(st);
}

static int validate_one(const struct dif_difo *difo, enum dif_profile profile,
                        uint32_t nregs, struct dif_vstate *st,
                        struct dif_errors *errs)
{
	struct vcheck c = { .d = difo, .profile = profile, .nregs = nregs,
	                    .errs = errs };
	check_difo(&c, st ? &st->known : NULL);
	if (c.nerr)
		return DIF_E_VALIDATE;
	if (!st)
		return 0;
	/* Only an accepted DIFO defines its variables in the state. */
	for (uint32_t i = 0; i < difo->varlen; i++) {
		if (difo->vartab[i].id < DIF_VAR_OTHER_UBASE)
			continue;
		if (vdef_put(&st->known, &difo->vartab[i])) {
			dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, difo->name, NULL,
			         "validate: out of memory");
			return DIF_E_NOMEM;
		}
	}
	return 0;
}

int dif_validate_with(const struct dif_difo *difo,
                      const struct dif_validate_opts *opts,
                      struct dif_vstate *st, struct dif_errors *errs)
{
	if (!difo) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "validate: no DIFO");
		return DIF_E_INVAL;
	}
	enum dif_profile profile;
	uint32_t nregs;
	int rc = read_opts(opts, &profile, &nregs, errs);
	if (rc)
		return rc;
	return validate_one(difo, profile, nregs, st, errs);
}

int dif_validate(const struct dif_difo *difo,
                 const struct dif_validate_opts *opts, struct dif_errors *errs)
{
	return dif_validate_with(difo, opts, NULL, errs);
}

int dif_validate_module(const struct dif_module *mod,
                        const struct dif_validate_opts *opts,
                        struct dif_errors *errs)
{
	if (!mod) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "validate: no module");
		return DIF_E_INVAL;
	}
	enum dif_profile profile;
	uint32_t nregs;
	int rc = read_opts(opts, &profile, &nregs, errs);
	if (rc)
		return rc;
	struct dif_vstate st;
	memset(&st, 0, sizeof(st));
	int rejected = 0;
	for (size_t k = 0; k < mod->count; k++) {
		rc = validate_one(mod->difos[k], profile, nregs, &st, errs);
		if (rc == DIF_E_NOMEM)
			break;
		if (rc)
			rejected = 1;
		rc = 0;
	}
	free(st.known.defs);
	dif_hm_free(&st.known.index);
	if (rc)
		return rc;
	return rejected ? DIF_E_VALIDATE : 0;
}
