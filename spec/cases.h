/* Shorthands for writing case tables (cases.c, subr.c). Not installed. */
#ifndef DIFSPEC_CASES_H
#define DIFSPEC_CASES_H

#include <string.h>

#include "model.h"

#define UNUSED __attribute__((unused))
#define G(n) static bool n(const struct state *s UNUSED, const struct insn *i UNUSED)
#define E(n) \
	static void n(const struct state *s UNUSED, const struct insn *i UNUSED, \
	              struct update *u UNUSED)
#define R(x) (s->r[(x)])

/* Case whose guard is cond alone (the conditions of its instruction are
 * disjoint by themselves). */
#define CI(op, insn, name, cond, eff, gt, et, cite, pm) \
	{ {insn, name, gt, et, cite, pm, 0}, op, -1, false, cond, eff }
/* Case whose guard is "not the condition of any earlier case of insn, and
 * cond" (gt is cond in words; the public guard text spells out the
 * negations). */
#define CX(op, insn, name, cond, eff, gt, et, cite, pm) \
	{ {insn, name, gt, et, cite, pm, 0}, op, -1, true, cond, eff }
/* Subroutine case (guard as CX) limited to hosts (DC_HOST_*). */
#define CSH(sub, insn, name, cond, eff, gt, et, cite, pm, host) \
	{ {insn, name, gt, et, cite, pm, host}, 47, sub, true, cond, eff }
/* Subroutine case (guard as CX). */
#define CS(sub, insn, name, cond, eff, gt, et, cite, pm) \
	{ {insn, name, gt, et, cite, pm, 0}, 47, sub, true, cond, eff }

static inline void setrd(struct update *u, const struct insn *i, uint64_t v)
{
	u->set_rd = true;
	u->rd = i->rd;
	u->rdval = v;
}

static inline void fault(struct update *u, uint32_t code, uint64_t addr)
{
	u->fbits |= FBIT(code);
	u->faddr = addr;
}

static inline void mw_bytes(struct update *u, uint64_t addr,
                            const uint8_t *src, uint64_t len)
{
	struct mwrite *w = &u->mw[u->nmw++];
	w->kind = MW_BYTES;
	w->addr = addr;
	w->src = src;
	w->len = len;
}

G(always);

static inline int subr_of(const struct state *s, const struct insn *i)
{
	return subr_by_number(s->profile, i->idx);
}

#endif
