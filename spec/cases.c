/*
 * The case table of the instructions (every opcode 1-80 the validator
 * accepts). Subroutine cases (CALL) are in subr.c and appended to this
 * table at the end of the file. Each group cites the section of
 * dif-isa.md (or docs/conventions.md) it encodes, in a comment and in the
 * case's cite field.
 */
#include "cases.h"

G(always)
{
	return true;
}

E(nothing)
{
}

/* ---------------- dif-isa.md 2, 2.1: ALU ---------------- */
#define A1 R(i->r1)
#define A2 R(i->r2)

G(add_exact) { return A1 + A2 >= A1; }
G(add_wrap) { return A1 + A2 < A1; }
E(add) { setrd(u, i, A1 + A2); }
G(sub_exact) { return A1 >= A2; }
G(sub_wrap) { return A1 < A2; }
E(sub) { setrd(u, i, A1 - A2); }
G(mul_exact) { return ((unsigned __int128)A1 * A2) >> 64 == 0; }
G(mul_wrap) { return ((unsigned __int128)A1 * A2) >> 64 != 0; }
E(mul) { setrd(u, i, A1 * A2); }
E(or_) { setrd(u, i, A1 | A2); }
E(xor_) { setrd(u, i, A1 ^ A2); }
E(and_) { setrd(u, i, A1 & A2); }
G(cnt_small) { return A2 < 64; }
G(cnt_wide) { return A2 >= 64; }
E(sll) { setrd(u, i, A1 << (A2 & 63)); }
E(srl) { setrd(u, i, A1 >> (A2 & 63)); }
E(sra)
{
	uint64_t x = A1, c = A2 & 63;
	/* arithmetic shift written without relying on signed >> */
	uint64_t r = x >> c;
	if ((x >> 63) && c)
		r |= ~(uint64_t)0 << (64 - c);
	setrd(u, i, r);
}
G(div_zero) { return A2 == 0; }
G(div_ovf) { return A1 == 0x8000000000000000ull && A2 == ~(uint64_t)0; }
G(sdiv_ok) { return A2 != 0 && !(A1 == 0x8000000000000000ull && A2 == ~(uint64_t)0); }
G(udiv_ok) { return A2 != 0; }
E(divzero) { setrd(u, i, 0); fault(u, F_DIVZERO, 0); }
E(div_trap) { fault(u, F_DIVZERO, 0); }
E(sdiv) { setrd(u, i, (uint64_t)((int64_t)A1 / (int64_t)A2)); }
E(srem) { setrd(u, i, (uint64_t)((int64_t)A1 % (int64_t)A2)); }
E(udiv) { setrd(u, i, A1 / A2); }
E(urem) { setrd(u, i, A1 % A2); }
E(not_) { setrd(u, i, ~A1); }
E(mov) { setrd(u, i, A1); }

/* ---------------- 2.2: condition codes and branches ---------------- */
G(cmp_eq) { return A1 == A2; }
G(cmp_below) { return A1 < A2; }
G(cmp_above) { return A1 > A2; }
E(cmp)
{
	u->set_cc = true;
	u->n = (A1 - A2) >> 63;
	u->z = A1 == A2;
	u->v = 0;
	u->c = A1 < A2;
}
G(tst_zero) { return A1 == 0; }
G(tst_nonzero) { return A1 != 0; }
E(tst)
{
	u->set_cc = true;
	u->n = 0;
	u->z = A1 == 0;
	u->v = 0;
	u->c = 0;
}

static bool br_pred(const struct state *s, unsigned op)
{
	bool n = s->cc_n, z = s->cc_z, v = s->cc_v, c = s->cc_c;
	switch (op) {
	case 17: return true;
	case 18: return z;
	case 19: return !z;
	case 20: return !(z || (n ^ v));
	case 21: return !(c || z);
	case 22: return !(n ^ v);
	case 23: return !c;
	case 24: return n ^ v;
	case 25: return c;
	case 26: return z || (n ^ v);
	case 27: return c || z;
	}
	return false;
}
G(br_taken) { return br_pred(s, i->op); }
G(br_not) { return !br_pred(s, i->op); }
E(br_jump)
{
	u->jump = true;
	u->target = i->label;
}

/* ---------------- 2.4: loads ---------------- */
static unsigned lwidth(unsigned op, bool *sgn)
{
	static const unsigned w[] = {1, 2, 4, 1, 2, 4, 8};
	unsigned k = op >= 71 ? op - 71 : op >= 64 ? op - 64 : op - 28;
	*sgn = k < 3;
	return w[k];
}

static uint64_t load_value(const uint8_t *p, unsigned w, bool sgn)
{
	uint8_t b;
	uint16_t h;
	uint32_t x;
	uint64_t q;
	switch (w) {
	case 1:
		memcpy(&b, p, 1);
		return sgn ? (uint64_t)(int64_t)(int8_t)b : b;
	case 2:
		memcpy(&h, p, 2);
		return sgn ? (uint64_t)(int64_t)(int16_t)h : h;
	case 4:
		memcpy(&x, p, 4);
		return sgn ? (uint64_t)(int64_t)(int32_t)x : x;
	}
	memcpy(&q, p, 8);
	return q;
}

static unsigned ld_as(unsigned op)
{
	return op >= 64 && op <= 70;
}
/* A user load outside user space fails the fuword range check before any
 * byte is read: BADADDR at the load address (dif-isa.md 2.4). */
static bool uld_out(const struct state *s, const struct insn *i)
{
	bool sg;
	return ld_as(i->op) && urange_bad(A1, lwidth(i->op, &sg));
}
G(ld_bad)
{
	bool sg;
	uint64_t bad;
	return uld_out(s, i) ||
	       !mem_readable(s, ld_as(i->op), A1, lwidth(i->op, &sg), &bad);
}
G(ld_ok)
{
	bool sg;
	uint64_t bad;
	return !uld_out(s, i) &&
	       mem_readable(s, ld_as(i->op), A1, lwidth(i->op, &sg), &bad);
}
E(ld_fault)
{
	bool sg;
	setrd(u, i, 0);
	fault(u, F_BADADDR, uld_out(s, i) ? A1
	                    : load_bad(s, ld_as(i->op), A1, lwidth(i->op, &sg)));
}
E(ld)
{
	bool sg;
	unsigned w = lwidth(i->op, &sg);
	uint64_t bad;
	const uint8_t *p = mem_ptr(s, ld_as(i->op), A1, w, &bad);
	setrd(u, i, load_value(p, w, sg));
}
G(rld_kpriv)
{
	bool sg;
	return !canload(s, A1, lwidth(i->op, &sg), NULL);
}
G(rld_bad)
{
	bool sg;
	uint64_t bad;
	unsigned w = lwidth(i->op, &sg);
	return canload(s, A1, w, NULL) && !mem_readable(s, 0, A1, w, &bad);
}
G(rld_ok)
{
	bool sg;
	uint64_t bad;
	unsigned w = lwidth(i->op, &sg);
	return canload(s, A1, w, NULL) && mem_readable(s, 0, A1, w, &bad);
}
E(rld_kpriv_e) { fault(u, F_KPRIV, A1); }

/* ---------------- 2.10, 2.6: ret, nop, setx, sets ---------------- */
E(ret)
{
	u->done = true;
	u->rval = R(i->rd);
}
E(setx) { setrd(u, i, s->c->inttab[i->idx]); }
E(sets) { setrd(u, i, DC_VA_STRTAB + i->idx); }

/* ---------------- 2.3: scmp ---------------- */
static int side_cls(const struct state *s, uint64_t a)
{
	struct strres r;
	if (a == 0 || kernel_priv(s))
		return STR_OK;
	str_check(s, a, s->strsize, &r);
	return r.cls;
}
static uint64_t side_lim(const struct state *s, uint64_t a)
{
	struct strres r;
	if (a == 0)
		return 1; /* NULL reads as "" (FreeBSD's limit of 1) */
	if (kernel_priv(s))
		return s->strsize;
	/* strcanload's "remaining" is the rest of the region, not cut to
	 * strsize: the compare runs until a difference or a NUL
	 * (dif-isa.md 2.3, hardened code) */
	str_check(s, a, s->strsize, &r);
	return r.rem;
}
static bool rd8(const struct state *s, uint64_t a, uint8_t *c)
{
	uint64_t bad;
	if (a == 0) {
		*c = 0;
		return true;
	}
	const uint8_t *p = mem_ptr(s, 0, a, 1, &bad);
	if (!p)
		return false;
	*c = *p;
	return true;
}
/* Unsigned byte compare bounded by lim; false with *bad on a fault. */
static bool scmp_cmp(const struct state *s, uint64_t a, uint64_t b,
                     uint64_t lim, int *res, uint64_t *bad)
{
	*res = 0;
	if (a == b || lim == 0)
		return true;
	for (uint64_t k = 0; k < lim; k++) {
		uint8_t c1, c2;
		if (!rd8(s, a ? a + k : 0, &c1)) {
			*bad = a + k;
			return false;
		}
		if (!rd8(s, b ? b + k : 0, &c2)) {
			*bad = b + k;
			return false;
		}
		if (c1 != c2) {
			*res = (int)c1 - (int)c2;
			return true;
		}
		if (c1 == 0)
			break;
	}
	return true;
}
static uint64_t scmp_lim(const struct state *s, const struct insn *i)
{
	uint64_t l1 = side_lim(s, A1), l2 = side_lim(s, A2);
	return l1 < l2 ? l1 : l2;
}
G(scmp_l_kpriv) { return side_cls(s, A1) == STR_KPRIV; }
G(scmp_l_silent) { return side_cls(s, A1) == STR_SILENT; }
G(scmp_l_bad) { return side_cls(s, A1) == STR_BADADDR; }
G(scmp_r_kpriv) { return side_cls(s, A2) == STR_KPRIV; }
G(scmp_r_bad) { return side_cls(s, A2) == STR_BADADDR; }
G(scmp_r_silent) { return side_cls(s, A2) == STR_SILENT; }
G(scmp_same) { return A1 == A2 || scmp_lim(s, i) == 0; }
static int scmp_res(const struct state *s, const struct insn *i, bool *ok,
                    uint64_t *bad)
{
	int r;
	*ok = scmp_cmp(s, A1, A2, scmp_lim(s, i), &r, bad);
	return r;
}
G(scmp_fault)
{
	bool ok;
	uint64_t bad;
	scmp_res(s, i, &ok, &bad);
	return !ok;
}
G(scmp_less) { bool ok; uint64_t b; return scmp_res(s, i, &ok, &b) < 0; }
G(scmp_equal) { bool ok; uint64_t b; return scmp_res(s, i, &ok, &b) == 0; }
G(scmp_greater) { bool ok; uint64_t b; return scmp_res(s, i, &ok, &b) > 0; }
E(scmp_kpriv_l) { fault(u, F_KPRIV, A1); }
E(scmp_kpriv_r) { fault(u, F_KPRIV, A2); }
static uint64_t side_bad(const struct state *s, uint64_t a)
{
	struct strres r;
	str_check(s, a, s->strsize, &r);
	return r.bad;
}
E(scmp_bad_l) { fault(u, F_BADADDR, side_bad(s, A1)); }
E(scmp_bad_r) { fault(u, F_BADADDR, side_bad(s, A2)); }
E(scmp_fault_e)
{
	bool ok;
	uint64_t bad = 0;
	scmp_res(s, i, &ok, &bad);
	fault(u, F_BADADDR, bad);
}
E(scmp_set)
{
	bool ok;
	uint64_t b;
	int r = (A1 == A2) ? 0 : scmp_res(s, i, &ok, &b);
	u->set_cc = true;
	u->n = r < 0;
	u->z = r == 0;
	u->v = 0;
	u->c = 0;
}

/* ---------------- 2.5: stores, copys, allocs ---------------- */
static unsigned swidth(unsigned op)
{
	return 1u << (op - 60);
}
#define SADDR R(i->rd)
G(st_bad) { return !canstore(s, SADDR, swidth(i->op)); }
G(st_align)
{
	unsigned w = swidth(i->op);
	return canstore(s, SADDR, w) && (SADDR & (w - 1)) != 0;
}
G(st_ok)
{
	unsigned w = swidth(i->op);
	return canstore(s, SADDR, w) && (SADDR & (w - 1)) == 0;
}
E(st_bad_e) { fault(u, F_BADADDR, SADDR); }
E(st_align_e) { fault(u, F_BADALIGN, SADDR); }
E(st)
{
	unsigned w = swidth(i->op);
	uint64_t v = A1;
	uint8_t b = (uint8_t)v;
	uint16_t h = (uint16_t)v;
	uint32_t x = (uint32_t)v;
	uint8_t *buf = s->ubuf;
	if (w == 1)
		memcpy(buf, &b, 1);
	else if (w == 2)
		memcpy(buf, &h, 2);
	else if (w == 4)
		memcpy(buf, &x, 4);
	else
		memcpy(buf, &v, 8);
	mw_bytes(u, SADDR, buf, w);
}

G(copys_bad_dst) { return !canstore(s, SADDR, A2); }
G(copys_kpriv) { return canstore(s, SADDR, A2) && !canload(s, A1, A2, NULL); }
G(copys_bad_src)
{
	uint64_t bad;
	return canstore(s, SADDR, A2) && canload(s, A1, A2, NULL) &&
	       A2 != 0 && !mem_readable(s, 0, A1, A2, &bad);
}
G(copys_ok)
{
	uint64_t bad;
	return canstore(s, SADDR, A2) && canload(s, A1, A2, NULL) &&
	       (A2 == 0 || mem_readable(s, 0, A1, A2, &bad));
}
E(copys_bad_dst_e) { fault(u, F_BADADDR, SADDR); }
E(copys_kpriv_e) { fault(u, F_KPRIV, A1); }
E(copys)
{
	struct mwrite *w = &u->mw[u->nmw++];
	w->kind = MW_COPY;
	w->addr = SADDR;
	w->from = A1;
	w->len = A2;
	w->zlen = 0;
}
/* A byte-copy loop: the first unreadable byte (docs/conventions.md,
 * Decision 14), as for loads; the loop still stores every byte, those from
 * the fault on in copy order as 0. */
E(copys_bad_src_e)
{
	copys(s, i, u);
	u->mw[u->nmw - 1].zlen = copy_zeroed(s, SADDR, A1, A2);
	fault(u, F_BADADDR, load_bad(s, 0, A1, A2));
}

G(allocs_no)
{
	uint64_t p, t;
	return !scratch_alloc(s, A1, &p, &t);
}
G(allocs_ok)
{
	uint64_t p, t;
	return scratch_alloc(s, A1, &p, &t);
}
E(noscratch_rd0)
{
	setrd(u, i, 0);
	fault(u, F_NOSCRATCH, 0);
}
E(allocs)
{
	uint64_t p, t;
	scratch_alloc(s, A1, &p, &t);
	struct mwrite *w = &u->mw[u->nmw++];
	w->kind = MW_ZERO;
	w->addr = scratch_addr(s);
	w->len = t;
	u->set_sptr = true;
	u->sptr = s->sptr + t;
	setrd(u, i, p);
}

/* ---------------- 2.8: tuple stack ---------------- */
G(tup_full) { return s->ttop >= NTUPLE; }
G(tup_room) { return s->ttop < NTUPLE; }
E(tupoflow) { fault(u, F_TUPOFLOW, 0); }
E(pushtv)
{
	u->tupop = 1;
	u->push.v = R(i->rd);
	u->push.sz = 0;
}
G(pushtr_ctf_big) { return i->r1 == 0 && A2 > 0x7fffffffffffffffull; }
G(pushtr_ctf) { return i->r1 == 0; }
static bool pushtr_len(const struct state *s, const struct insn *i,
                       uint64_t *len, uint64_t *bad)
{
	uint64_t bound = A2 ? A2 : STRSIZE_SYS;
	return safe_strnlen(s, R(i->rd), bound, len, bad);
}
G(pushtr_str_bad)
{
	uint64_t len, bad;
	return !pushtr_len(s, i, &len, &bad);
}
E(illop) { fault(u, F_ILLOP, 0); }
E(pushtr_ctf_e)
{
	u->tupop = 1;
	u->push.v = R(i->rd);
	u->push.sz = A2;
}
E(pushtr_str_bad_e)
{
	uint64_t len, bad = 0;
	pushtr_len(s, i, &len, &bad);
	fault(u, F_BADADDR, bad);
}
E(pushtr_str)
{
	uint64_t len = 0, bad;
	pushtr_len(s, i, &len, &bad);
	u->tupop = 1;
	u->push.v = R(i->rd);
	u->push.sz = len + 1;
}
G(tup_empty) { return s->ttop == 0; }
G(tup_nonempty) { return s->ttop > 0; }
E(popts) { u->tupop = 2; }
E(flushts) { u->tupop = 3; }

/* ---------------- 2.7, 7: variables ---------------- */
static const struct svar *uvar(const struct state *s, unsigned scope,
                               unsigned id)
{
	int k = svar_find(s, scope, id);
	return k < 0 ? NULL : &s->svars[k];
}
static unsigned op_scope(unsigned op)
{
	switch (op) {
	case 44: case 45: case 53: case 55: return 1;
	case 56: case 57: return 2;
	}
	return 0;
}
static const struct svar *iv(const struct state *s, const struct insn *i)
{
	return uvar(s, op_scope(i->op), i->idx);
}
static bool is_user(const struct insn *i)
{
	return i->idx >= UBASE;
}

/* Built-in variables (7.2) per profile: kind and privilege. */
void bvar_info(uint32_t prof, unsigned id, int *kind, int *priv)
{
	bool il = prof == DC_PROFILE_ILLUMOS;
	*kind = BV_INT;
	*priv = PV_NONE;
	if (id >= 0x106 && id <= 0x10f) {
		*kind = BV_ARG;
		return;
	}
	switch (id) {
	case 0x100: case 0x116: case 0x11b: case 0x11c: case 0x11d:
	case 0x11e: case 0x11f:
		*priv = PV_PROC;
		return;
	case 0x101: case 0x102: case 0x104: case 0x105: case 0x117:
	case 0x11a:
		return;
	case 0x103: /* ipl exists only on illumos (emulator-facts.md 5) */
		*kind = il ? BV_INT : BV_NONE;
		*priv = PV_KERNEL;
		return;
	case 0x110: case 0x111:
		*priv = PV_KERNEL;
		return;
	case 0x112: case 0x113: case 0x114: case 0x115:
		*kind = BV_STR;
		return;
	case 0x118:
		*kind = BV_STR;
		*priv = il ? PV_PROC : PV_NONE;
		return;
	case 0x119:
		*kind = BV_STR;
		*priv = il ? PV_PROC : PV_KERNEL;
		return;
	case 0x120:
		*priv = il ? PV_PROC : PV_NONE;
		return;
	case 0x121: /* illumos threadname, FreeBSD execargs */
		*kind = BV_STR;
		return;
	case 0x122:
		*kind = il ? BV_NONE : BV_INT;
		*priv = PV_KERNEL;
		return;
	case 0x123:
		*kind = il ? BV_NONE : BV_STR;
		*priv = PV_KERNEL;
		return;
	case 0x200:
		*kind = il ? BV_NONE : BV_INT;
		return;
	}
	*kind = BV_NONE;
}
static int bvar_slot(const struct state *s, unsigned id)
{
	for (uint32_t k = 0; k < s->c->nbvars; k++)
		if (s->c->bvars[k].id == id)
			return (int)k;
	return -1;
}
static int bkind(const struct state *s, const struct insn *i)
{
	int k, p;
	bvar_info(s->profile, i->idx, &k, &p);
	return k;
}
static bool bpriv_ok(const struct state *s, const struct insn *i, int *need)
{
	int k, p;
	bvar_info(s->profile, i->idx, &k, &p);
	*need = p;
	if (p == PV_KERNEL)
		return !(s->deny & DENY_KERNEL);
	if (p == PV_PROC)
		return !(s->deny & DENY_PROC);
	return true;
}
static bool bstr_set(const struct state *s, const struct insn *i)
{
	int k = bvar_slot(s, i->idx);
	return k >= 0 && s->c->bvars[k].str;
}
static uint64_t bstr_len(const struct state *s, const struct insn *i)
{
	return strlen(s->c->bvars[bvar_slot(s, i->idx)].str);
}

G(lv_user_value) { const struct svar *v = iv(s, i); return is_user(i) && !v->byref; }
G(lv_user_null) { const struct svar *v = iv(s, i); return is_user(i) && v->byref && v->mem[0] == 0xff; }
G(lv_user_ref) { const struct svar *v = iv(s, i); return is_user(i) && v->byref && v->mem[0] != 0xff; }
E(lv_value) { setrd(u, i, iv(s, i)->value); }
E(rd_zero) { setrd(u, i, 0); }
E(lv_ref) { setrd(u, i, iv(s, i)->hdr + 8); }
G(bv_unknown) { return !is_user(i) && bkind(s, i) == BV_NONE; }
G(bv_kpriv) { int n; return !is_user(i) && bkind(s, i) != BV_NONE && !bpriv_ok(s, i, &n) && n == PV_KERNEL; }
G(bv_upriv) { int n; return !is_user(i) && bkind(s, i) != BV_NONE && !bpriv_ok(s, i, &n) && n == PV_PROC; }
G(bv_arg) { return !is_user(i) && bkind(s, i) == BV_ARG; }
G(bv_int) { return !is_user(i) && bkind(s, i) == BV_INT; }
G(bv_str_kernel) { return !is_user(i) && bkind(s, i) == BV_STR && kernel_priv(s); }
G(bv_str_null) { return !is_user(i) && bkind(s, i) == BV_STR && !bstr_set(s, i); }
/* The copy for a consumer without kernel visibility takes strlen + 1
 * bytes of scratch (emulator-facts.md 1); the stored string is at most
 * strsize - 1 bytes. */
static uint64_t bstr_copylen(const struct state *s, const struct insn *i)
{
	uint64_t n = bstr_len(s, i);
	return n > s->strsize - 1 ? s->strsize - 1 : n;
}
G(bv_str_noscratch) { return !is_user(i) && bkind(s, i) == BV_STR && !scratch_fits(s, bstr_copylen(s, i) + 1); }
G(bv_str_copy) { return !is_user(i) && bkind(s, i) == BV_STR; }
E(bv_illop) { setrd(u, i, 0); fault(u, F_ILLOP, 0); }
E(bv_kpriv_e) { setrd(u, i, 0); fault(u, F_KPRIV, 0); }
E(bv_upriv_e) { setrd(u, i, 0); fault(u, F_UPRIV, 0); }
E(bv_arg_e) { setrd(u, i, s->c->args[i->idx - 0x106]); }
E(bv_int_e)
{
	int k = bvar_slot(s, i->idx);
	setrd(u, i, k >= 0 ? s->c->bvars[k].value : 0);
}
E(bv_str_kernel_e)
{
	int k = bvar_slot(s, i->idx);
	setrd(u, i, k >= 0 && s->c->bvars[k].str ? s->envaddr[k] : 0);
}
E(bv_str_copy_e)
{
	uint64_t n = bstr_copylen(s, i);
	uint8_t *buf = s->ubuf;
	memcpy(buf, s->c->bvars[bvar_slot(s, i->idx)].str, n);
	buf[n] = 0;
	mw_bytes(u, scratch_addr(s), buf, n + 1);
	u->set_sptr = true;
	u->sptr = s->sptr + n + 1;
	setrd(u, i, scratch_addr(s));
}

/* Host answers (the case's host callback tables, docs/conventions.md
 * Decisions 29). A built-in variable asks the host after its privilege
 * check and before the environment's value; an unknown id has no check. */
static const struct dc_hvar *hv_of(const struct state *s, uint32_t id,
                                   uint64_t index)
{
	int k = dc_hvar_find(s->c, id, index);
	return k >= 0 ? &s->c->hvars[k] : NULL;
}
static const struct dc_hvar *bv_host(const struct state *s,
                                     const struct insn *i)
{
	int need;
	if (is_user(i))
		return NULL;
	if (bkind(s, i) != BV_NONE && !bpriv_ok(s, i, &need))
		return NULL;
	return hv_of(s, i->idx, 0);
}
static bool hc_fault(uint32_t code) { return code >= 1 && code < DC_HC_INVALID; }
G(bvh_fault) { const struct dc_hvar *h = bv_host(s, i); return h && hc_fault(h->code); }
G(bvh_invalid) { const struct dc_hvar *h = bv_host(s, i); return h && h->code >= DC_HC_INVALID; }
G(bvh_value) { return bv_host(s, i) && (bkind(s, i) != BV_STR || kernel_priv(s)); }
G(bvh_null) { const struct dc_hvar *h = bv_host(s, i); return h && h->value == 0; }
/* Without kernel visibility the string the host points to is measured
 * (safe loads, at most strsize - 1 bytes) and copied as one range. */
static bool bvh_measure(const struct state *s, const struct insn *i,
                        uint64_t *len, uint64_t *bad)
{
	uint64_t a = bv_host(s, i)->value;
	if (!safe_strnlen(s, a, s->strsize - 1, len, bad))
		return false;
	*bad = a;
	/* nothing to copy (strsize 1) reads nothing */
	return *len == 0 || mem_ptr(s, 0, a, *len, bad) != NULL;
}
G(bvh_str_bad)
{
	uint64_t n, bad;
	return bv_host(s, i) && !bvh_measure(s, i, &n, &bad);
}
G(bvh_str_noscratch)
{
	uint64_t n, bad;
	return bv_host(s, i) && bvh_measure(s, i, &n, &bad) && !scratch_fits(s, n + 1);
}
G(bvh_str_copy) { return bv_host(s, i) != NULL; }
E(hv_fault_e) { setrd(u, i, 0); fault(u, bv_host(s, i)->code, 0); }
E(hv_value_e) { setrd(u, i, bv_host(s, i)->value); }
E(bvh_str_bad_e)
{
	uint64_t n, bad;
	bvh_measure(s, i, &n, &bad);
	setrd(u, i, 0);
	fault(u, F_BADADDR, bad);
}
E(bvh_str_copy_e)
{
	uint64_t n, bad;
	bvh_measure(s, i, &n, &bad);
	struct mwrite *w = &u->mw[u->nmw++];
	w->kind = MW_COPY;
	w->addr = scratch_addr(s);
	w->from = bv_host(s, i)->value;
	w->len = n;
	w = &u->mw[u->nmw++];
	w->kind = MW_ZERO;
	w->addr = scratch_addr(s) + n;
	w->len = 1;
	u->set_sptr = true;
	u->sptr = s->sptr + n + 1;
	setrd(u, i, scratch_addr(s));
}

/* By-ref stores: source check (vcanload) and copy length (2.7). */
enum { VS_OK, VS_KPRIV, VS_SILENT, VS_BADADDR };
static int vsrc(const struct state *s, const struct svar *v, uint64_t src,
                uint64_t *copylen, uint64_t *bad)
{
	*bad = src;
	if (v->isstr) {
		struct strres r;
		uint64_t bound = s->strsize;
		if (kernel_priv(s) && v->size < bound)
			bound = v->size;
		str_check(s, src, bound, &r);
		if (r.cls == STR_KPRIV)
			return VS_KPRIV;
		if (r.cls == STR_SILENT)
			return VS_SILENT;
		if (r.cls == STR_BADADDR) {
			*bad = r.bad;
			return VS_BADADDR;
		}
		uint64_t n = r.len < r.lim ? r.len + 1 : r.lim;
		if (!kernel_priv(s) && r.len == s->strsize && v->size > n) {
			/* vcopy's bound is strcanload's limit, the rest of the
			 * region, not strsize (Decision 28) */
			uint64_t lim = r.rem < v->size ? r.rem : v->size, k = n;
			for (; k < lim; k++) {
				const uint8_t *q = mem_ptr(s, 0, src + k, 1, bad);
				if (!q || *q == 0)
					break;
			}
			*bad = src;
			n = k < lim ? k + 1 : lim;
		}
		*copylen = n < v->size ? n : v->size;
		return VS_OK;
	}
	if (!canload(s, src, v->size, NULL))
		return VS_KPRIV;
	if (!mem_readable(s, 0, src, v->size, bad))
		return VS_BADADDR;
	*copylen = v->size;
	return VS_OK;
}
static int vsrc_i(const struct state *s, const struct insn *i)
{
	uint64_t n, b;
	return vsrc(s, iv(s, i), R(i->rd), &n, &b);
}

G(sv_value) { return !iv(s, i)->byref; }
G(sv_null) { return iv(s, i)->byref && R(i->rd) == 0; }
G(sv_kpriv) { return vsrc_i(s, i) == VS_KPRIV; }
G(sv_silent) { return vsrc_i(s, i) == VS_SILENT; }
G(sv_badaddr) { return vsrc_i(s, i) == VS_BADADDR; }
E(sv_value_e)
{
	u->varop = VO_STATIC_SET;
	u->var = svar_find(s, op_scope(i->op), i->idx);
	u->value = R(i->rd);
}
E(sv_null_e)
{
	u->varop = VO_STATIC_NULL;
	u->var = svar_find(s, op_scope(i->op), i->idx);
}
E(sv_clear)
{
	u->varop = VO_STATIC_CLEAR;
	u->var = svar_find(s, op_scope(i->op), i->idx);
}
E(sv_kpriv_e)
{
	sv_clear(s, i, u);
	fault(u, F_KPRIV, R(i->rd));
}
E(sv_badaddr_e)
{
	uint64_t n, bad;
	vsrc(s, iv(s, i), R(i->rd), &n, &bad);
	sv_clear(s, i, u);
	fault(u, F_BADADDR, bad);
}
E(sv_copy)
{
	uint64_t n = 0, bad;
	vsrc(s, iv(s, i), R(i->rd), &n, &bad);
	sv_clear(s, i, u);
	u->copy = true;
	u->value = R(i->rd);
	u->copylen = n;
}

/* Dynamic variables: keys (2.7, 2.8) */
static bool op_assoc(unsigned op)
{
	return op >= 52 && op <= 55;
}
static uint32_t dkey(const struct state *s, const struct insn *i,
                     struct tent *key)
{
	uint32_t n = 0;
	if (op_assoc(i->op))
		for (uint32_t k = 0; k < s->ttop; k++)
			key[n++] = s->tup[k];
	key[n].v = i->idx - UBASE;
	key[n++].sz = 0;
	if (op_scope(i->op) == 1) {
		key[n].v = s->tkey;
		key[n++].sz = 0;
	}
	return n;
}
/* The key entries after the tuple go into the tuple array itself. */
static void tslots(const struct state *s, const struct insn *i,
                   struct update *u)
{
	bool assoc = op_assoc(i->op);
	u->tslot_at = assoc ? s->ttop : NTUPLE;
	u->tslot[0].v = i->idx - UBASE;
	u->tslot[0].sz = 0;
	u->ntslot = 1;
	if (op_scope(i->op) == 1) {
		u->tslot[1].v = s->tkey;
		u->tslot[1].sz = 0;
		u->ntslot = 2;
	}
}
static uint32_t dkey_fault(const struct state *s, const struct insn *i,
                           uint64_t *bad)
{
	struct tent key[NTUPLE_ALL + 2];
	uint32_t n = dkey(s, i, key), f = 0;
	*bad = 0;
	if (dyn_key_check(s, key, n, bad, &f))
		return 0;
	return f;
}
static const struct dynel *dfind(const struct state *s, const struct insn *i)
{
	struct tent key[NTUPLE_ALL + 2];
	uint32_t n = dkey(s, i, key);
	return dyn_find(s, key, n);
}
static uint64_t ddsize(const struct state *s, const struct insn *i)
{
	uint64_t sz = iv(s, i)->size;
	return rup8(sz > 8 ? sz : 8);
}
G(dk_kpriv) { uint64_t b; return dkey_fault(s, i, &b) == F_KPRIV; }
G(dk_badaddr) { uint64_t b; return dkey_fault(s, i, &b) == F_BADADDR; }
E(dk_fault_e)
{
	tslots(s, i, u);
	uint64_t b;
	uint32_t f = dkey_fault(s, i, &b);
	setrd(u, i, 0);
	fault(u, f, b);
}
E(dk_fault_st)
{
	tslots(s, i, u);
	uint64_t b;
	uint32_t f = dkey_fault(s, i, &b);
	fault(u, f, b);
}
G(dl_missing) { return dfind(s, i) == NULL; }
G(dl_value) { return !iv(s, i)->byref; }
E(dl_value_e)
{
	tslots(s, i, u);
	uint64_t v;
	memcpy(&v, dfind(s, i)->mem, 8);
	setrd(u, i, v);
}
E(dl_ref_e) { tslots(s, i, u); setrd(u, i, dfind(s, i)->data); }
E(dl_missing_e) { tslots(s, i, u); setrd(u, i, 0); }

static void dfill(const struct state *s, const struct insn *i,
                  struct update *u, uint8_t op)
{
	u->varop = op;
	u->nkeys = dkey(s, i, u->key);
	u->dsize = ddsize(s, i);
}
G(ds_delete) { return R(i->rd) == 0; }
G(ds_drop)
{
	struct tent key[NTUPLE_ALL + 2];
	uint32_t n = dkey(s, i, key);
	return !dyn_find(s, key, n) &&
	       !dyn_can_alloc(s, dyn_need(key, n, ddsize(s, i)));
}
E(ds_delete_e) { tslots(s, i, u); dfill(s, i, u, VO_DYN_DELETE); }
E(ds_drop_e) { tslots(s, i, u); dfill(s, i, u, VO_DYN_DROP); }
E(ds_value_e)
{
	tslots(s, i, u);
	dfill(s, i, u, VO_DYN_STORE);
	u->value = R(i->rd);
}
E(ds_kpriv_e)
{
	tslots(s, i, u);
	dfill(s, i, u, VO_DYN_STORE);
	u->nowrite = true;
	fault(u, F_KPRIV, R(i->rd));
}
E(ds_silent_e)
{
	tslots(s, i, u);
	dfill(s, i, u, VO_DYN_STORE);
	u->nowrite = true;
}
E(ds_badaddr_e)
{
	tslots(s, i, u);
	uint64_t n, bad;
	vsrc(s, iv(s, i), R(i->rd), &n, &bad);
	dfill(s, i, u, VO_DYN_STORE);
	u->nowrite = true;
	fault(u, F_BADADDR, bad);
}
E(ds_copy_e)
{
	tslots(s, i, u);
	uint64_t n = 0, bad;
	vsrc(s, iv(s, i), R(i->rd), &n, &bad);
	dfill(s, i, u, VO_DYN_STORE);
	u->copy = true;
	u->value = R(i->rd);
	u->copylen = n;
}

/* Built-in arrays (2.7: ldga, ldta, stga) */
#define AID (i->r1)
G(ga_args) { return AID == 0 && A2 < 10; }
G(ga_args_beyond) { return AID == 0; }
G(ga_regs) { return AID == 1; }
G(ga_uregs_upriv) { return AID == 2 && (s->deny & DENY_PROC); }
G(ga_uregs) { return AID == 2; }
G(ga_vmregs_kpriv) { return AID == 3 && (s->deny & DENY_KERNEL); }
G(ga_vmregs) { return AID == 3; }
E(ga_args_e) { setrd(u, i, s->c->args[A2]); }
E(ga_nolwp) { setrd(u, i, 0); fault(u, F_BADADDR, 0); }
G(sa_uregs_nodestr) { return AID == 2 && (s->deny & DENY_DESTRUCTIVE); }
G(sa_uregs_upriv) { return AID == 2 && (s->deny & (DENY_PROC | DENY_OWNER)); }
G(sa_uregs) { return AID == 2; }
E(upriv_e) { fault(u, F_UPRIV, 0); }
E(nolwp) { fault(u, F_BADADDR, 0); }

/* ldga: the host after regs[] (never asked) and the privilege checks of
 * uregs[] and illumos vmregs[] */
static const struct dc_hvar *ga_host(const struct state *s,
                                     const struct insn *i)
{
	if (AID == 1 || (AID == 2 && (s->deny & DENY_PROC)) ||
	    (AID == 3 && s->profile == DC_PROFILE_ILLUMOS &&
	     (s->deny & DENY_KERNEL)))
		return NULL;
	return hv_of(s, AID, A2);
}
G(gah_fault) { const struct dc_hvar *h = ga_host(s, i); return h && hc_fault(h->code); }
G(gah_invalid) { const struct dc_hvar *h = ga_host(s, i); return h && h->code >= DC_HC_INVALID; }
G(gah_value) { return ga_host(s, i) != NULL; }
E(gah_fault_e) { setrd(u, i, 0); fault(u, ga_host(s, i)->code, 0); }
E(gah_value_e) { setrd(u, i, ga_host(s, i)->value); }
/* stga to uregs[]: the host store callback after the privilege checks */
static const struct dc_hstore *sa_host(const struct state *s,
                                       const struct insn *i)
{
	int k = AID == 2 ? dc_hstore_find(s->c, AID, A2) : -1;
	return k >= 0 ? &s->c->hstores[k] : NULL;
}
G(sah_fault) { const struct dc_hstore *h = sa_host(s, i); return h && hc_fault(h->code); }
G(sah_invalid) { const struct dc_hstore *h = sa_host(s, i); return h && h->code >= DC_HC_INVALID; }
G(sah_store) { return sa_host(s, i) != NULL; }
E(sah_fault_e) { fault(u, sa_host(s, i)->code, 0); }
E(sah_store_e)
{
	u->hstore = true;
	u->hs_k = (uint32_t)(sa_host(s, i) - s->c->hstores);
	u->hs_val = R(i->rd);
}
/* call: a subroutine the host answers (the step function runs these
 * cases instead of the subroutine's own when the case's host answers
 * the number) */
static const struct dc_hsubr *call_host(const struct state *s,
                                        const struct insn *i)
{
	int k = dc_hsubr_find(s->c, i->idx);
	return k >= 0 ? &s->c->hsubrs[k] : NULL;
}
G(callh_fault) { const struct dc_hsubr *h = call_host(s, i); return h && hc_fault(h->code); }
G(callh_invalid) { const struct dc_hsubr *h = call_host(s, i); return h && h->code >= DC_HC_INVALID; }
G(callh_keep) { const struct dc_hsubr *h = call_host(s, i); return h && !h->write_rd; }
G(callh_result) { return call_host(s, i) != NULL; }
E(callh_fault_e) { fault(u, call_host(s, i)->code, 0); }
E(callh_result_e) { setrd(u, i, call_host(s, i)->result); }

#define ALL DC_PM_ALL
#define FB DC_PM_FREEBSD
#define IL DC_PM_ILLUMOS

#define ALU1(op, nm, eff, txt)                                             \
	CI(op, nm, "result", always, eff, "always", txt, "dif-isa.md 2, 2.1", ALL)
#define SHIFT(op, nm, eff, txt)                                            \
	CI(op, nm, "count", cnt_small, eff, "R[r2] < 64", txt, "dif-isa.md 2.1", ALL), \
	CI(op, nm, "wide", cnt_wide, eff, "R[r2] >= 64",                      \
	   txt " with the count reduced mod 64 (x86-64 and arm64 shifters)",  \
	   "dif-isa.md 2.1", ALL)
#define BRANCH(op, nm, pred)                                               \
	CI(op, nm, "taken", br_taken, br_jump, pred,                          \
	   "pc = label", "dif-isa.md 2.2", ALL),                              \
	CI(op, nm, "not-taken", br_not, nothing, "not (" pred ")",            \
	   "pc = pc + 1", "dif-isa.md 2.2", ALL)
#define LOAD(op, nm, what)                                                 \
	CI(op, nm, "badaddr", ld_bad, ld_fault,                               \
	   "[R[r1], +size) not readable kernel memory or overlaps a toxic range", \
	   "R[rd] = 0; fault BADADDR, illval R[r1] on a toxic range, else the first unreadable byte", "dif-isa.md 2.4; emulator-facts.md 4", ALL),  \
	CI(op, nm, "load", ld_ok, ld, "[R[r1], +size) readable",              \
	   "R[rd] = " what, "dif-isa.md 2.4", ALL)
#define ULOAD(op, nm, what)                                                \
	CI(op, nm, "badaddr", ld_bad, ld_fault,                               \
	   "[R[r1], +size) not below the top of user space, or not readable user memory", \
	   "R[rd] = 0; fault BADADDR, illval R[r1] outside user space or on a toxic range, else the first unreadable byte", "dif-isa.md 2.4; emulator-facts.md 4", ALL),  \
	CI(op, nm, "load", ld_ok, ld, "[R[r1], +size) readable user memory", \
	   "R[rd] = " what, "dif-isa.md 2.4", ALL)
#define RLOAD(op, nm, what)                                                \
	CI(op, nm, "kpriv", rld_kpriv, rld_kpriv_e, "not canload(R[r1], size)", \
	   "R[rd] unchanged; fault KPRIV, illval R[r1]", "dif-isa.md 2.4, 4.3", ALL), \
	CI(op, nm, "badaddr", rld_bad, ld_fault,                              \
	   "canload(R[r1], size) and the memory is not readable",             \
	   "R[rd] = 0; fault BADADDR, illval R[r1] on a toxic range, else the first unreadable byte", "dif-isa.md 2.4; emulator-facts.md 4", ALL),  \
	CI(op, nm, "load", rld_ok, ld, "canload(R[r1], size) and readable",  \
	   "R[rd] = " what, "dif-isa.md 2.4", ALL)
/* STB: a 1-byte store is always aligned, so no badalign case */
#define STORE1(op, nm, what)                                               \
	CI(op, nm, "badaddr", st_bad, st_bad_e, "not canstore(R[rd], 1)",     \
	   "fault BADADDR, illval R[rd]", "dif-isa.md 2.5", ALL),             \
	CI(op, nm, "store", st_ok, st, "canstore(R[rd], 1)",                 \
	   "store " what " at R[rd]", "dif-isa.md 2.5", ALL)
#define STORE(op, nm, what)                                                \
	CI(op, nm, "badaddr", st_bad, st_bad_e, "not canstore(R[rd], size)",  \
	   "fault BADADDR, illval R[rd]", "dif-isa.md 2.5", ALL),             \
	CI(op, nm, "badalign", st_align, st_align_e,                          \
	   "canstore(R[rd], size) and R[rd] mod size != 0",                   \
	   "fault BADALIGN, illval R[rd]", "dif-isa.md 2.5", ALL),            \
	CI(op, nm, "store", st_ok, st,                                        \
	   "canstore(R[rd], size) and R[rd] mod size = 0",                    \
	   "store " what " at R[rd]", "dif-isa.md 2.5", ALL)

/* scalar variable loads: user part (LDGS, LDLS) */
#define LVUSER(op, nm, cite)                                               \
	CX(op, nm, "user-value", lv_user_value, lv_value,                     \
	   "var >= 0x500 and the variable is by-value", "R[rd] = its value", cite, ALL), \
	CX(op, nm, "user-null", lv_user_null, rd_zero,                        \
	   "var >= 0x500, by-ref, NULL marker (header byte 0xff; never stored)", \
	   "R[rd] = 0", cite, ALL),                                           \
	CX(op, nm, "user-ref", lv_user_ref, lv_ref,                           \
	   "var >= 0x500, by-ref, not NULL",                                  \
	   "R[rd] = address of its data (header + 8)", cite, ALL)
/* scalar static stores (STGS, STLS) */
#define SVSTORE(op, nm, cite)                                              \
	CX(op, nm, "value", sv_value, sv_value_e, "the variable is by-value", \
	   "variable = R[rs]", cite, ALL),                                    \
	CX(op, nm, "null", sv_null, sv_null_e, "by-ref and R[rs] = 0",        \
	   "mark NULL (header byte 0xff)", cite, ALL),                        \
	CX(op, nm, "kpriv", sv_kpriv, sv_kpriv_e,                             \
	   "by-ref and vcanload(R[rs]) fails the region check",               \
	   "clear the NULL marker; fault KPRIV, illval R[rs]; nothing copied", \
	   cite ", 4.3", ALL),                                                \
	CX(op, nm, "silent", sv_silent, sv_clear,                             \
	   "by-ref string whose start is loadable but has no NUL in its region", \
	   "clear the NULL marker; nothing copied; no fault", cite ", 4.3", ALL), \
	CX(op, nm, "badaddr", sv_badaddr, sv_badaddr_e,                       \
	   "by-ref, kernel privilege, the source is not readable",            \
	   "clear the NULL marker; fault BADADDR", cite, ALL),                \
	CX(op, nm, "copy", always, sv_copy, "otherwise",                      \
	   "clear the NULL marker; copy min(size, readable) bytes (strings through the NUL)", \
	   cite, ALL)
/* dynamic loads (LDTS, LDGAA, LDTAA) */
#define DLOAD(op, nm, key, cite)                                           \
	CX(op, nm, "key-kpriv", dk_kpriv, dk_fault_e,                         \
	   "a by-ref key element fails canload", "R[rd] = 0; fault KPRIV, illval its address", \
	   cite, ALL),                                                        \
	CX(op, nm, "key-badaddr", dk_badaddr, dk_fault_e,                     \
	   "a by-ref key element is not readable", "R[rd] = 0; fault BADADDR, illval its first unreadable byte", cite ", 4.1", ALL), \
	DLOADB(op, nm, key, cite)
/* LDTS: the key is [var - 0x500, thread key], both by value: no key
 * faults */
#define DLOADB(op, nm, key, cite)                                          \
	CX(op, nm, "missing", dl_missing, dl_missing_e, "no element with key " key, \
	   "R[rd] = 0", cite, ALL),                                           \
	CX(op, nm, "value", dl_value, dl_value_e, "element exists, by-value", \
	   "R[rd] = its value", cite, ALL),                                   \
	CX(op, nm, "ref", always, dl_ref_e, "element exists, by-ref",         \
	   "R[rd] = address of its data", cite, ALL)
/* dynamic stores (STTS, STGAA, STTAA) */
#define DSTORE(op, nm, key, cite)                                          \
	CX(op, nm, "key-kpriv", dk_kpriv, dk_fault_st,                        \
	   "a by-ref key element fails canload", "fault KPRIV, illval its address", \
	   cite, ALL),                                                        \
	CX(op, nm, "key-badaddr", dk_badaddr, dk_fault_st,                    \
	   "a by-ref key element is not readable", "fault BADADDR, illval its first unreadable byte", cite ", 4.1", ALL), \
	DSTOREB(op, nm, key, cite)
/* STTS: by-value key, no key faults */
#define DSTOREB(op, nm, key, cite)                                         \
	CX(op, nm, "delete", ds_delete, ds_delete_e, "R[rs] = 0",             \
	   "delete the element with key " key " (its chunk is free again)", cite, ALL), \
	CX(op, nm, "drop", ds_drop, ds_drop_e,                                \
	   "no such element and (16*nkeys + by-ref key bytes + data) > chunk or no free chunk", \
	   "no store, no fault; dynamic variable drops + 1",                  \
	   cite ", conventions.md 3", ALL),                                   \
	CX(op, nm, "store-value", sv_value, ds_value_e, "by-value variable",  \
	   "element (created if missing) = R[rs]", cite, ALL),                \
	CX(op, nm, "store-kpriv", sv_kpriv, ds_kpriv_e,                       \
	   "by-ref and vcanload(R[rs]) fails the region check",               \
	   "element created if missing (zero data); fault KPRIV, illval R[rs]", cite ", 4.3", ALL), \
	CX(op, nm, "store-silent", sv_silent, ds_silent_e,                    \
	   "by-ref string, loadable start, no NUL in its region",             \
	   "element created if missing (zero data); nothing copied; no fault", cite, ALL), \
	CX(op, nm, "store-badaddr", sv_badaddr, ds_badaddr_e,                 \
	   "by-ref, kernel privilege, source not readable",                   \
	   "element created if missing; fault BADADDR", cite, ALL),           \
	CX(op, nm, "store-copy", always, ds_copy_e, "otherwise (by-ref)",     \
	   "element created if missing; copy min(size, readable) bytes (strings through the NUL)", \
	   cite, ALL)

G(bv_builtin_low) { return i->idx < UBASE; }

#include "subr.inc"

const struct case_def dc_cases[] = {
	/* dif-isa.md 2, 2.1: ALU */
	ALU1(1, "or", or_, "R[rd] = R[r1] | R[r2]"),
	ALU1(2, "xor", xor_, "R[rd] = R[r1] ^ R[r2]"),
	ALU1(3, "and", and_, "R[rd] = R[r1] & R[r2]"),
	SHIFT(4, "sll", sll, "R[rd] = R[r1] << R[r2]"),
	SHIFT(5, "srl", srl, "R[rd] = R[r1] >> R[r2] (logical)"),
	CI(6, "sub", "exact", sub_exact, sub, "R[r1] >= R[r2] (unsigned)",
	   "R[rd] = R[r1] - R[r2]", "dif-isa.md 2.1", ALL),
	CI(6, "sub", "wrap", sub_wrap, sub, "R[r1] < R[r2] (unsigned)",
	   "R[rd] = R[r1] - R[r2] mod 2^64; no fault, no flags", "dif-isa.md 2.1", ALL),
	CI(7, "add", "exact", add_exact, add, "R[r1] + R[r2] < 2^64",
	   "R[rd] = R[r1] + R[r2]", "dif-isa.md 2.1", ALL),
	CI(7, "add", "wrap", add_wrap, add, "R[r1] + R[r2] >= 2^64",
	   "R[rd] = R[r1] + R[r2] mod 2^64; no fault, no flags", "dif-isa.md 2.1", ALL),
	CI(8, "mul", "exact", mul_exact, mul, "R[r1] * R[r2] < 2^64",
	   "R[rd] = R[r1] * R[r2]", "dif-isa.md 2.1", ALL),
	CI(8, "mul", "wrap", mul_wrap, mul, "R[r1] * R[r2] >= 2^64",
	   "R[rd] = low 64 bits of the product", "dif-isa.md 2.1", ALL),
	CI(9, "sdiv", "divzero", div_zero, divzero, "R[r2] = 0",
	   "R[rd] = 0; fault DIVZERO", "dif-isa.md 2.1", ALL),
	CI(9, "sdiv", "overflow", div_ovf, div_trap, "R[r1] = INT64_MIN and R[r2] = -1",
	   "fault DIVZERO (illumos: the #DE trap under NOFAULT); R[rd] unchanged",
	   "dif-isa.md 2.1, 11.6", ALL),
	CI(9, "sdiv", "quotient", sdiv_ok, sdiv,
	   "R[r2] != 0 and not (R[r1] = INT64_MIN and R[r2] = -1)",
	   "R[rd] = R[r1] / R[r2] signed, truncated toward 0", "dif-isa.md 2.1", ALL),
	CI(10, "udiv", "divzero", div_zero, divzero, "R[r2] = 0",
	   "R[rd] = 0; fault DIVZERO", "dif-isa.md 2.1", ALL),
	CI(10, "udiv", "quotient", udiv_ok, udiv, "R[r2] != 0",
	   "R[rd] = R[r1] / R[r2] unsigned", "dif-isa.md 2.1", ALL),
	CI(11, "srem", "divzero", div_zero, divzero, "R[r2] = 0",
	   "R[rd] = 0; fault DIVZERO", "dif-isa.md 2.1", ALL),
	CI(11, "srem", "overflow", div_ovf, div_trap, "R[r1] = INT64_MIN and R[r2] = -1",
	   "fault DIVZERO; R[rd] unchanged", "dif-isa.md 2.1, 11.6", ALL),
	CI(11, "srem", "remainder", sdiv_ok, srem,
	   "R[r2] != 0 and not (R[r1] = INT64_MIN and R[r2] = -1)",
	   "R[rd] = R[r1] % R[r2] signed (sign of the dividend)", "dif-isa.md 2.1", ALL),
	CI(12, "urem", "divzero", div_zero, divzero, "R[r2] = 0",
	   "R[rd] = 0; fault DIVZERO", "dif-isa.md 2.1", ALL),
	CI(12, "urem", "remainder", udiv_ok, urem, "R[r2] != 0",
	   "R[rd] = R[r1] % R[r2] unsigned", "dif-isa.md 2.1", ALL),
	ALU1(13, "not", not_, "R[rd] = ~R[r1]"),
	ALU1(14, "mov", mov, "R[rd] = R[r1]"),
	/* 2.2 */
	CI(15, "cmp", "equal", cmp_eq, cmp, "R[r1] = R[r2]",
	   "N = 0, Z = 1, V = 0, C = 0", "dif-isa.md 2.2", ALL),
	CI(15, "cmp", "below", cmp_below, cmp, "R[r1] < R[r2] (unsigned)",
	   "N = sign of R[r1] - R[r2] (wrapped), Z = 0, V = 0 (never set), C = 1",
	   "dif-isa.md 2.2", ALL),
	CI(15, "cmp", "above", cmp_above, cmp, "R[r1] > R[r2] (unsigned)",
	   "N = sign of R[r1] - R[r2] (wrapped), Z = 0, V = 0 (never set), C = 0",
	   "dif-isa.md 2.2", ALL),
	CI(16, "tst", "zero", tst_zero, tst, "R[r1] = 0", "N = 0, Z = 1, V = 0, C = 0",
	   "dif-isa.md 2.2", ALL),
	CI(16, "tst", "nonzero", tst_nonzero, tst, "R[r1] != 0",
	   "N = 0, Z = 0, V = 0, C = 0", "dif-isa.md 2.2", ALL),
	CI(17, "ba", "taken", always, br_jump, "always", "pc = label", "dif-isa.md 2.2", ALL),
	BRANCH(18, "be", "Z"),
	BRANCH(19, "bne", "!Z"),
	BRANCH(20, "bg", "!(Z | (N ^ V))"),
	BRANCH(21, "bgu", "!(C | Z)"),
	BRANCH(22, "bge", "!(N ^ V)"),
	BRANCH(23, "bgeu", "!C"),
	BRANCH(24, "bl", "N ^ V"),
	BRANCH(25, "blu", "C"),
	BRANCH(26, "ble", "Z | (N ^ V)"),
	BRANCH(27, "bleu", "C | Z"),
	/* 2.4: kernel loads (run as rld* without kernel visibility, 5.1 rule 3) */
	LOAD(28, "ldsb", "sign-extended byte"),
	LOAD(29, "ldsh", "sign-extended 2 bytes"),
	LOAD(30, "ldsw", "sign-extended 4 bytes"),
	LOAD(31, "ldub", "zero-extended byte"),
	LOAD(32, "lduh", "zero-extended 2 bytes"),
	LOAD(33, "lduw", "zero-extended 4 bytes"),
	LOAD(34, "ldx", "8 bytes"),
	/* 2.10, 2.6 */
	CI(35, "ret", "return", always, ret, "always",
	   "stop; the result is R[rd]", "dif-isa.md 2.10", ALL),
	CI(36, "nop", "nop", always, nothing, "always", "nothing", "dif-isa.md 2.10", ALL),
	CI(37, "setx", "load", always, setx, "always", "R[rd] = inttab[index]",
	   "dif-isa.md 2.6", ALL),
	CI(38, "sets", "address", always, sets, "always",
	   "R[rd] = string table base + offset", "dif-isa.md 2.6, conventions.md 1", ALL),
	/* 2.3 */
	CX(39, "scmp", "left-kpriv", scmp_l_kpriv, scmp_kpriv_l,
	   "R[r1] != 0 and its start fails canload",
	   "flags unchanged; fault KPRIV, illval R[r1]", "dif-isa.md 2.3, 4.3", ALL),
	CX(39, "scmp", "left-silent", scmp_l_silent, nothing,
	   "R[r1] != 0, loadable start, no NUL before the end of its region",
	   "flags unchanged, no fault; continue", "dif-isa.md 2.3", ALL),
	CX(39, "scmp", "left-badaddr", scmp_l_bad, scmp_bad_l,
	   "no kernel privilege, R[r1] != 0, loadable start, a toxic byte before the NUL",
	   "fault BADADDR, illval R[r1]", "dif-isa.md 2.3, 2.4", ALL),
	CX(39, "scmp", "right-kpriv", scmp_r_kpriv, scmp_kpriv_r,
	   "R[r2] != 0 and its start fails canload",
	   "flags unchanged; fault KPRIV, illval R[r2]", "dif-isa.md 2.3, 4.3", ALL),
	CX(39, "scmp", "right-silent", scmp_r_silent, nothing,
	   "R[r2] != 0, loadable start, no NUL before the end of its region",
	   "flags unchanged, no fault; continue", "dif-isa.md 2.3", ALL),
	CX(39, "scmp", "right-badaddr", scmp_r_bad, scmp_bad_r,
	   "no kernel privilege, R[r2] != 0, loadable start, a toxic byte before the NUL",
	   "fault BADADDR, illval R[r2]", "dif-isa.md 2.3, 2.4", ALL),
	CX(39, "scmp", "same", scmp_same, scmp_set,
	   "R[r1] = R[r2] or the limit is 0",
	   "N = 0, Z = 1, V = 0, C = 0", "dif-isa.md 2.3", ALL),
	CX(39, "scmp", "badaddr", scmp_fault, scmp_fault_e,
	   "(kernel privilege) comparing reaches an unreadable byte",
	   "fault BADADDR, illval that byte", "dif-isa.md 2.3, 2.4", ALL),
	CX(39, "scmp", "less", scmp_less, scmp_set,
	   "first differing unsigned byte of *R[r1] is smaller (NULL reads as \"\"; limit: strsize with kernel privilege, else the smaller region left, 1 for NULL)",
	   "N = 1, Z = 0, V = 0, C = 0", "dif-isa.md 2.3", ALL),
	CX(39, "scmp", "equal", scmp_equal, scmp_set, "the strings are equal within the limit",
	   "N = 0, Z = 1, V = 0, C = 0", "dif-isa.md 2.3", ALL),
	CX(39, "scmp", "greater", scmp_greater, scmp_set, "otherwise (greater)",
	   "N = 0, Z = 0, V = 0, C = 0", "dif-isa.md 2.3", ALL),
	/* 2.7: built-in arrays */
	CX(40, "ldga", "host-fault", gah_fault, gah_fault_e,
	   "the host answers (array, R[r2]) with a fault code (not for regs[], nor for uregs[] without proc privilege or illumos vmregs[] without kernel privilege)",
	   "R[rd] = 0; fault that code, illval 0", "conventions.md Decisions 29", ALL),
	CX(40, "ldga", "host-invalid", gah_invalid, bv_illop,
	   "the host answers (array, R[r2]) with an invalid code (same arrays)",
	   "R[rd] = 0; fault ILLOP, illval 0", "conventions.md Decisions 29", ALL),
	CX(40, "ldga", "host-value", gah_value, gah_value_e,
	   "the host answers (array, R[r2]) with a value (same arrays)",
	   "R[rd] = the host's value", "conventions.md Decisions 29", ALL),
	CX(40, "ldga", "args", ga_args, ga_args_e, "array 0 (args[]) and R[r2] < 10",
	   "R[rd] = args[R[r2]]", "dif-isa.md 2.7", ALL),
	CX(40, "ldga", "args-beyond", ga_args_beyond, rd_zero, "array 0 and R[r2] >= 10",
	   "R[rd] = 0 (no provider argument source)", "dif-isa.md 2.7", ALL),
	CX(40, "ldga", "regs", ga_regs, bv_illop, "array 1 (regs[])",
	   "R[rd] = 0; fault ILLOP", "dif-isa.md 2.7", ALL),
	CX(40, "ldga", "uregs-upriv", ga_uregs_upriv, bv_upriv_e,
	   "array 2 (uregs[]) without proc privilege", "R[rd] = 0; fault UPRIV",
	   "dif-isa.md 2.7", ALL),
	CX(40, "ldga", "uregs-nolwp", ga_uregs, ga_nolwp, "array 2 (no user thread)",
	   "R[rd] = 0; fault BADADDR, illval 0", "dif-isa.md 2.7", ALL),
	CX(40, "ldga", "vmregs-kpriv", ga_vmregs_kpriv, bv_kpriv_e,
	   "array 3 (vmregs[]) without kernel privilege", "R[rd] = 0; fault KPRIV",
	   "dif-isa.md 2.7", IL),
	CX(40, "ldga", "vmregs-novm", ga_vmregs, bv_illop, "array 3 (no virtual machine)",
	   "R[rd] = 0; fault ILLOP", "dif-isa.md 2.7", IL),
	CX(40, "ldga", "unknown", always, bv_illop, "any other array",
	   "R[rd] = 0; fault ILLOP", "dif-isa.md 2.7, 4.2", ALL),
	/* 2.7: global scalars and built-in variables */
	LVUSER(41, "ldgs", "dif-isa.md 2.7"),
	CX(41, "ldgs", "host-fault", bvh_fault, hv_fault_e,
	   "var < 0x500, its privilege check (if a built-in of the profile) passes and the host answers (var, 0) with a fault code",
	   "R[rd] = 0; fault that code, illval 0", "conventions.md Decisions 29", ALL),
	CX(41, "ldgs", "host-invalid", bvh_invalid, bv_illop,
	   "as host-fault, with an invalid code", "R[rd] = 0; fault ILLOP, illval 0",
	   "conventions.md Decisions 29", ALL),
	CX(41, "ldgs", "host-value", bvh_value, hv_value_e,
	   "as host-fault, with a value, and the variable is not a string built-in or kernel privilege is held",
	   "R[rd] = the host's value (unknown ids read as integers)", "conventions.md Decisions 29", ALL),
	CX(41, "ldgs", "host-str-null", bvh_null, rd_zero,
	   "string built-in, no kernel privilege, the host answers 0", "R[rd] = 0",
	   "conventions.md Decisions 29", ALL),
	CX(41, "ldgs", "host-str-badaddr", bvh_str_bad, bvh_str_bad_e,
	   "string built-in, no kernel privilege, the host's address: a byte before the NUL (within strsize - 1) is unreadable, or the string is not readable as one range",
	   "R[rd] = 0; fault BADADDR, illval the first unreadable byte (the address when not one range)",
	   "conventions.md Decisions 29; emulator-facts.md 1", ALL),
	CX(41, "ldgs", "host-str-noscratch", bvh_str_noscratch, noscratch_rd0,
	   "string built-in, no kernel privilege, strlen + 1 bytes of the host's string do not fit in scratch",
	   "R[rd] = 0; fault NOSCRATCH", "conventions.md Decisions 29; emulator-facts.md 1", ALL),
	CX(41, "ldgs", "host-str-copy", bvh_str_copy, bvh_str_copy_e,
	   "string built-in, no kernel privilege, the host answers an address",
	   "copy the string (at most strsize - 1 bytes) + NUL to scratch, pointer + strlen + 1; R[rd] = its address",
	   "conventions.md Decisions 29; emulator-facts.md 1", ALL),
	CX(41, "ldgs", "unknown", bv_unknown, bv_illop,
	   "var < 0x500 and not a built-in of the profile (ipl on FreeBSD: emulator-facts.md 5)", "R[rd] = 0; fault ILLOP",
	   "dif-isa.md 2.7, 7.2", ALL),
	CX(41, "ldgs", "kpriv", bv_kpriv, bv_kpriv_e,
	   "built-in needing kernel privilege (illumos ipl, stackdepth, caller; FreeBSD jid, jailname, zonename) without it",
	   "R[rd] = 0; fault KPRIV", "dif-isa.md 4.2, 7.2", ALL),
	CX(41, "ldgs", "upriv", bv_upriv, bv_upriv_e,
	   "built-in needing proc privilege (curthread, pid, ppid, uid, gid, ustackdepth, ucaller; illumos execname, zonename, errno) without it",
	   "R[rd] = 0; fault UPRIV", "dif-isa.md 4.2, 7.2", ALL),
	CX(41, "ldgs", "arg", bv_arg, bv_arg_e, "arg0..arg9 (0x106..0x10f)",
	   "R[rd] = args[var - 0x106]", "dif-isa.md 7.2", ALL),
	CX(41, "ldgs", "int", bv_int, bv_int_e, "integer built-in",
	   "R[rd] = its value in the environment (0 if not given)", "dif-isa.md 7.2", ALL),
	CX(41, "ldgs", "str-kernel", bv_str_kernel, bv_str_kernel_e,
	   "string built-in, kernel privilege",
	   "R[rd] = address of the string in the env-string window (0 if not given)",
	   "dif-isa.md 7.2, conventions.md 1", ALL),
	CX(41, "ldgs", "str-null", bv_str_null, rd_zero,
	   "string built-in, no kernel privilege, not given", "R[rd] = 0",
	   "dif-isa.md 7.2", ALL),
	CX(41, "ldgs", "str-noscratch", bv_str_noscratch, noscratch_rd0,
	   "string built-in, no kernel privilege, its strlen + 1 bytes do not fit in scratch",
	   "R[rd] = 0; fault NOSCRATCH", "dif-isa.md 7.2; emulator-facts.md 1", ALL),
	CX(41, "ldgs", "str-copy", bv_str_copy, bv_str_copy_e,
	   "string built-in, no kernel privilege",
	   "copy (at most strsize - 1 bytes + NUL) to scratch, pointer + strlen + 1; R[rd] = its address",
	   "dif-isa.md 7.2, conventions.md 2", ALL),
	SVSTORE(42, "stgs", "dif-isa.md 2.7"),
	CI(43, "ldta", "illop", always, bv_illop, "always",
	   "R[rd] = 0; fault ILLOP", "dif-isa.md 2.7", ALL),
	DLOADB(44, "ldts", "[var - 0x500, thread key]", "dif-isa.md 2.7"),
	DSTOREB(45, "stts", "[var - 0x500, thread key]", "dif-isa.md 2.7"),
	SHIFT(46, "sra", sra, "R[rd] = (int64)R[r1] >> R[r2] (arithmetic)"),
	/* 2.8 */
	CX(48, "pushtr", "overflow", tup_full, tupoflow, "8 entries on the stack",
	   "fault TUPOFLOW", "dif-isa.md 2.8", ALL),
	CX(48, "pushtr", "ctf-illop", pushtr_ctf_big, illop,
	   "type CTF and R[r2] > INT64_MAX", "fault ILLOP", "dif-isa.md 2.8, 11.5", ALL),
	CX(48, "pushtr", "ctf", pushtr_ctf, pushtr_ctf_e, "type CTF",
	   "push {R[rs], R[r2]}", "dif-isa.md 2.8", ALL),
	CX(48, "pushtr", "string-badaddr", pushtr_str_bad, pushtr_str_bad_e,
	   "type string and a byte before the NUL (within R[r2], or 256 if 0) is unreadable",
	   "fault BADADDR, illval that byte", "dif-isa.md 2.8", ALL),
	CX(48, "pushtr", "string", always, pushtr_str, "type string",
	   "push {R[rs], strlen(R[rs], R[r2] or 256 if 0) + 1}",
	   "dif-isa.md 2.8, conventions.md 4", ALL),
	CI(49, "pushtv", "overflow", tup_full, tupoflow, "8 entries on the stack",
	   "fault TUPOFLOW", "dif-isa.md 2.8", ALL),
	CI(49, "pushtv", "push", tup_room, pushtv, "fewer than 8 entries",
	   "push {R[rs], 0}", "dif-isa.md 2.8", ALL),
	CI(50, "popts", "empty", tup_empty, nothing, "stack empty",
	   "nothing (no underflow fault)", "dif-isa.md 2.8", ALL),
	CI(50, "popts", "pop", tup_nonempty, popts, "stack not empty",
	   "drop the top entry", "dif-isa.md 2.8", ALL),
	CI(51, "flushts", "flush", always, flushts, "always", "empty the stack",
	   "dif-isa.md 2.8", ALL),
	/* 2.7: associative arrays */
	DLOAD(52, "ldgaa", "[tuple..., var - 0x500]", "dif-isa.md 2.7"),
	DLOAD(53, "ldtaa", "[tuple..., var - 0x500, thread key]", "dif-isa.md 2.7"),
	DSTORE(54, "stgaa", "[tuple..., var - 0x500]", "dif-isa.md 2.7"),
	DSTORE(55, "sttaa", "[tuple..., var - 0x500, thread key]", "dif-isa.md 2.7"),
	/* clause-locals */
	CX(56, "ldls", "builtin-zero", bv_builtin_low, rd_zero, "var < 0x500",
	   "R[rd] = 0, no fault", "dif-isa.md 2.7", ALL),
	LVUSER(56, "ldls", "dif-isa.md 2.7"),
	SVSTORE(57, "stls", "dif-isa.md 2.7"),
	/* 2.5 */
	CI(58, "allocs", "noscratch", allocs_no, noscratch_rd0,
	   "round_up(ptr, 8) - ptr + R[r1] wraps or exceeds the scratch left",
	   "R[rd] = 0; fault NOSCRATCH", "dif-isa.md 2.5, conventions.md 2", ALL),
	CI(58, "allocs", "alloc", allocs_ok, allocs, "it fits",
	   "zero the bytes from the old pointer; advance it; R[rd] = the 8-aligned address",
	   "dif-isa.md 2.5, conventions.md 2", ALL),
	CI(59, "copys", "badaddr-dst", copys_bad_dst, copys_bad_dst_e,
	   "not canstore(R[rd], R[r2])", "fault BADADDR, illval R[rd]", "dif-isa.md 2.5", ALL),
	CI(59, "copys", "kpriv", copys_kpriv, copys_kpriv_e,
	   "canstore(R[rd], R[r2]) and not canload(R[r1], R[r2])",
	   "fault KPRIV, illval R[r1]", "dif-isa.md 2.5", ALL),
	CI(59, "copys", "badaddr-src", copys_bad_src, copys_bad_src_e,
	   "canstore, canload, R[r2] > 0 and the source is not readable",
	   "copy byte by byte (forwards when R[rd] <= R[r1], else backwards), storing 0 from the first unreadable or toxic byte on; "
	   "fault BADADDR, illval R[r1] on a toxic range, else the first unreadable byte (a copy loop: docs/conventions.md Decision 14)", "dif-isa.md 2.4, 2.5; emulator-facts.md 4", ALL),
	CI(59, "copys", "copy", copys_ok, copys, "canstore, canload and readable",
	   "copy R[r2] bytes from R[r1] to R[rd], as memmove (overlap: the kernel copies backwards when R[rd] > R[r1])", "dif-isa.md 2.5; emulator-facts.md 4", ALL),
	STORE1(60, "stb", "the low byte of R[r1] (no alignment rule)"),
	STORE(61, "sth", "the low 2 bytes of R[r1]"),
	STORE(62, "stw", "the low 4 bytes of R[r1]"),
	STORE(63, "stx", "R[r1]"),
	ULOAD(64, "uldsb", "sign-extended byte"),
	ULOAD(65, "uldsh", "sign-extended 2 bytes"),
	ULOAD(66, "uldsw", "sign-extended 4 bytes"),
	ULOAD(67, "uldub", "zero-extended byte"),
	ULOAD(68, "ulduh", "zero-extended 2 bytes"),
	ULOAD(69, "ulduw", "zero-extended 4 bytes"),
	ULOAD(70, "uldx", "8 bytes"),
	RLOAD(71, "rldsb", "sign-extended byte"),
	RLOAD(72, "rldsh", "sign-extended 2 bytes"),
	RLOAD(73, "rldsw", "sign-extended 4 bytes"),
	RLOAD(74, "rldub", "zero-extended byte"),
	RLOAD(75, "rlduh", "zero-extended 2 bytes"),
	RLOAD(76, "rlduw", "zero-extended 4 bytes"),
	RLOAD(77, "rldx", "8 bytes"),
	/* 2.7: illumos stga */
	CX(80, "stga", "uregs-nodestructive", sa_uregs_nodestr, nothing,
	   "array 2 (uregs[]) and destructive actions not allowed", "nothing",
	   "dif-isa.md 2.7", IL),
	CX(80, "stga", "uregs-upriv", sa_uregs_upriv, upriv_e,
	   "array 2 without proc-control privilege (deny proc or owner)", "fault UPRIV", "dif-isa.md 2.7", IL),
	CX(80, "stga", "uregs-host-fault", sah_fault, sah_fault_e,
	   "array 2, the host's store callback answers (2, R[r2]) with a fault code",
	   "fault that code, illval 0", "conventions.md Decisions 29", IL),
	CX(80, "stga", "uregs-host-invalid", sah_invalid, illop,
	   "array 2, the host answers with an invalid code", "fault ILLOP, illval 0",
	   "conventions.md Decisions 29", IL),
	CX(80, "stga", "uregs-host-store", sah_store, sah_store_e,
	   "array 2, the host accepts the store to (2, R[r2])",
	   "the host keeps R[rs] (the outcome's hstore digest)", "conventions.md Decisions 29", IL),
	CX(80, "stga", "uregs-nolwp", sa_uregs, nolwp, "array 2 (no user thread)",
	   "fault BADADDR, illval 0", "dif-isa.md 2.7", IL),
	CX(80, "stga", "illop", always, illop, "any other array", "fault ILLOP",
	   "dif-isa.md 2.7", IL),
	/* call of a subroutine the host answers (before any case of the
	 * subroutine itself) */
	CX(47, "call", "host-fault", callh_fault, callh_fault_e,
	   "the host answers the subroutine number with a fault code",
	   "R[rd] unchanged; fault that code, illval 0", "conventions.md Decisions 29", ALL),
	CX(47, "call", "host-invalid", callh_invalid, illop,
	   "the host answers with an invalid code", "R[rd] unchanged; fault ILLOP, illval 0",
	   "conventions.md Decisions 29", ALL),
	CX(47, "call", "host-keep", callh_keep, nothing,
	   "the host handles the call and leaves rd", "R[rd] unchanged",
	   "conventions.md Decisions 29", ALL),
	CX(47, "call", "host-result", callh_result, callh_result_e,
	   "the host handles the call", "R[rd] = the host's result",
	   "conventions.md Decisions 29", ALL),
#include "subr_table.inc"
};

const size_t dc_ncases = sizeof(dc_cases) / sizeof(dc_cases[0]);
