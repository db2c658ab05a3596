/*
 * The value domain of the verifier: for one 64-bit register, what it may
 * be (integer or pointer provenance), a signed and an unsigned interval and
 * its known bits (a tristate number: tvalue holds the known bits, tmask
 * the unknown ones). All three describe the same set; av_sync() lets each
 * tighten the others. Every operation over-approximates the concrete one
 * of dif-isa.md section 2.1 (wrapping arithmetic, shift counts mod 64).
 */
#include <string.h>

#include "tc.h"

#define SIGN 0x8000000000000000ull

/* ---- tristate numbers --------------------------------------------- */
struct tn {
	uint64_t v, m;
};

static struct tn tn_get(const av_t *a)
{
	return (struct tn){ a->tvalue, a->tmask };
}

static void tn_put(av_t *a, struct tn t)
{
	a->tvalue = t.v & ~t.m;
	a->tmask = t.m;
}

static struct tn tn_const(uint64_t x)
{
	return (struct tn){ x, 0 };
}

static struct tn tn_unknown(void)
{
	return (struct tn){ 0, ~0ull };
}

/* The bits all of [lo, hi] share. */
static struct tn tn_range(uint64_t lo, uint64_t hi)
{
	uint64_t chi = lo ^ hi;
	if (!chi)
		return tn_const(lo);
	unsigned bits = 64u - (unsigned)__builtin_clzll(chi);
	if (bits >= 64)
		return tn_unknown();
	uint64_t delta = (1ull << bits) - 1;
	return (struct tn){ lo & ~delta, delta };
}

static struct tn tn_add(struct tn a, struct tn b)
{
	uint64_t sm = a.m + b.m, sv = a.v + b.v;
	uint64_t chi = (sm + sv) ^ sv;
	uint64_t mu = chi | a.m | b.m;
	return (struct tn){ sv & ~mu, mu };
}

static struct tn tn_sub(struct tn a, struct tn b)
{
	uint64_t dv = a.v - b.v;
	uint64_t alpha = dv + a.m, beta = dv - b.m;
	uint64_t mu = (alpha ^ beta) | a.m | b.m;
	return (struct tn){ dv & ~mu, mu };
}

static struct tn tn_and(struct tn a, struct tn b)
{
	uint64_t alpha = a.v | a.m, beta = b.v | b.m, v = a.v & b.v;
	return (struct tn){ v, alpha & beta & ~v };
}

static struct tn tn_or(struct tn a, struct tn b)
{
	uint64_t v = a.v | b.v, mu = a.m | b.m;
	return (struct tn){ v, mu & ~v };
}

static struct tn tn_xor(struct tn a, struct tn b)
{
	uint64_t v = a.v ^ b.v, mu = a.m | b.m;
	return (struct tn){ v & ~mu, mu };
}

/* Multiplication keeps only the known trailing zeros (exact for
 * constants). */
static struct tn tn_mul(struct tn a, struct tn b)
{
	if (!a.m && !b.m)
		return tn_const(a.v * b.v);
	uint64_t xa = a.v | a.m, xb = b.v | b.m;
	if (!xa || !xb)
		return tn_const(0);
	unsigned z = (unsigned)__builtin_ctzll(xa) + (unsigned)__builtin_ctzll(xb);
	if (z >= 64)
		return tn_const(0);
	return (struct tn){ 0, ~0ull << z };
}

static struct tn tn_join(struct tn a, struct tn b)
{
	uint64_t mu = a.m | b.m | (a.v ^ b.v);
	return (struct tn){ a.v & ~mu, mu };
}

/* ---- constructors --------------------------------------------------- */
void av_top(av_t *v, uint32_t kinds)
{
	memset(v, 0, sizeof(*v));
	v->kinds = kinds;
	v->smin = INT64_MIN;
	v->smax = INT64_MAX;
	v->umin = 0;
	v->umax = UINT64_MAX;
	v->tvalue = 0;
	v->tmask = ~0ull;
	v->def = DIF_TC_DEF_ENTRY;
	v->refined = DIF_NO_PC;
}

void av_const(av_t *v, uint64_t x, uint32_t kinds)
{
	av_top(v, kinds);
	v->smin = v->smax = (int64_t)x;
	v->umin = v->umax = x;
	v->tvalue = x;
	v->tmask = 0;
}

void av_urange(av_t *v, uint64_t lo, uint64_t hi, uint32_t kinds)
{
	av_top(v, kinds);
	v->umin = lo;
	v->umax = hi;
	av_sync(v);
}

void av_srange(av_t *v, int64_t lo, int64_t hi, uint32_t kinds)
{
	av_top(v, kinds);
	v->smin = lo;
	v->smax = hi;
	av_sync(v);
}

void av_ptr(av_t *v, uint32_t kinds, unsigned align_bits)
{
	av_top(v, kinds);
	if (align_bits) {
		v->tmask = ~0ull << align_bits;
		av_sync(v);
	}
}

bool av_is_const(const av_t *v, uint64_t *x)
{
	if (v->umin != v->umax)
		return false;
	if (x)
		*x = v->umin;
	return true;
}

bool av_may_zero(const av_t *v)
{
	return v->umin == 0 && v->smin <= 0 && v->smax >= 0 && (v->tvalue == 0);
}

bool av_must_zero(const av_t *v)
{
	return v->umax == 0;
}

/* ---- bounds deduction -------------------------------------------- */
static bool sync_once(av_t *v)
{
	/* known bits bound the unsigned range */
	if (v->umin < v->tvalue)
		v->umin = v->tvalue;
	if (v->umax > (v->tvalue | v->tmask))
		v->umax = v->tvalue | v->tmask;
	/* ... and the signed range */
	int64_t lo, hi;
	if (v->tmask & SIGN) {
		lo = (int64_t)(v->tvalue | SIGN);
		hi = (int64_t)((v->tvalue | v->tmask) & ~SIGN);
	} else {
		lo = (int64_t)v->tvalue;
		hi = (int64_t)(v->tvalue | v->tmask);
	}
	if (v->smin < lo)
		v->smin = lo;
	if (v->smax > hi)
		v->smax = hi;
	/* a signed range on one side of 0 is an unsigned range */
	if (v->smin >= 0 || v->smax < 0) {
		if (v->umin < (uint64_t)v->smin)
			v->umin = (uint64_t)v->smin;
		if (v->umax > (uint64_t)v->smax)
			v->umax = (uint64_t)v->smax;
	}
	/* an unsigned range in one half is a signed range */
	if ((v->umin ^ v->umax) < SIGN) {
		if (v->smin < (int64_t)v->umin)
			v->smin = (int64_t)v->umin;
		if (v->smax > (int64_t)v->umax)
			v->smax = (int64_t)v->umax;
	}
	if (v->umin > v->umax || v->smin > v->smax)
		return false;
	struct tn t = tn_get(v), r = tn_range(v->umin, v->umax);
	if ((t.v ^ r.v) & ~t.m & ~r.m)
		return false;
	uint64_t mu = t.m & r.m;
	tn_put(v, (struct tn){ (t.v | r.v) & ~mu, mu });
	return true;
}

bool av_sync(av_t *v)
{
	return sync_once(v) && sync_once(v);
}

void av_join(av_t *a, const av_t *b)
{
	uint32_t ka = a->kinds, kb = b->kinds;
	/* NULL joined with pointers stays a (possibly NULL) pointer */
	if (ka == K_NUM && av_must_zero(a) && (kb & K_PTRS) && !(kb & K_INTS))
		ka = K_NULL;
	if (kb == K_NUM && av_must_zero(b) && (ka & K_PTRS) && !(ka & K_INTS))
		kb = K_NULL;
	/* a string when every pointer side is one (NULL counts as one) */
	bool sa = (ka & K_STR) || ka == K_NULL, sb = (kb & K_STR) || kb == K_NULL;
	uint32_t str = sa && sb && ((ka | kb) & K_STR) ? K_STR : 0;
	a->kinds = ((ka | kb) & ~K_STR) | str;
	uint8_t ua = a->undef, ub = b->undef;
	a->undef = (uint8_t)(((ua | ub) & DIF_TC_UNDEF_MAY) |
	                     (ua & ub & DIF_TC_UNDEF_MUST));
	if (a->width != b->width || a->is_signed != b->is_signed) {
		a->width = 0;
		a->is_signed = 0;
	}
	if (a->smin > b->smin)
		a->smin = b->smin;
	if (a->smax < b->smax)
		a->smax = b->smax;
	if (a->umin > b->umin)
		a->umin = b->umin;
	if (a->umax < b->umax)
		a->umax = b->umax;
	tn_put(a, tn_join(tn_get(a), tn_get(b)));
	if (!(ka & K_PTRS)) {
		a->off_min = b->off_min;
		a->off_max = b->off_max;
		a->obj_size = b->obj_size;
	} else if (kb & K_PTRS) {
		if (a->off_min > b->off_min)
			a->off_min = b->off_min;
		if (a->off_max < b->off_max)
			a->off_max = b->off_max;
		if (a->obj_size != b->obj_size)
			a->obj_size = 0;
	}
	if (a->def != b->def)
		a->def = DIF_TC_DEF_MANY;
	if (a->refined != b->refined)
		a->refined = a->refined == DIF_NO_PC ? b->refined : a->refined;
}

/* ---- ALU ------------------------------------------------------------ */
static bool add_ovf_u(uint64_t a, uint64_t b)
{
	return a + b < a;
}

static bool add_ovf_s(int64_t a, int64_t b, int64_t *r)
{
	return __builtin_add_overflow(a, b, r);
}

static bool sub_ovf_s(int64_t a, int64_t b, int64_t *r)
{
	return __builtin_sub_overflow(a, b, r);
}

/* Pointer offsets stay within this distance of their object; beyond it
 * (or plus an unknown integer) a pointer may be any number. */
#define OFF_LIMIT ((int64_t)1 << 40)

/* Kinds of an ALU result (offsets for pointer +/- integer in o). Pointer
 * provenance survives only pointer +/- a constant-derived integer of
 * bounded size; NULL plus a number may be any number. */
static uint32_t alu_kinds(unsigned op, const av_t *a, const av_t *b, av_t *o)
{
	uint32_t ka = a->kinds, kb = b->kinds;
	bool ia = !(ka & ~K_INTS), ib = !(kb & ~K_INTS);
	if (op == DIF_OPC_NOT)
		return ia ? ka : K_INT;
	if (ia && ib)
		return (ka | kb) & K_INT ? K_INT : K_NUM;
	const av_t *p = a, *n = b;
	if (op == DIF_OPC_ADD && ia && !ib) {
		p = b;
		n = a;
	} else if (!((op == DIF_OPC_ADD || op == DIF_OPC_SUB) && ib && !ia)) {
		return K_INT;
	}
	uint32_t kp = p->kinds;
	if (av_must_zero(n)) {
		o->off_min = p->off_min;
		o->off_max = p->off_max;
		o->obj_size = p->obj_size;
		return kp;
	}
	if ((kp & K_INTS) || n->smin < -OFF_LIMIT || n->smax > OFF_LIMIT)
		return K_INT;
	int64_t lo = op == DIF_OPC_SUB ? p->off_min - n->smax : p->off_min + n->smin;
	int64_t hi = op == DIF_OPC_SUB ? p->off_max - n->smin : p->off_max + n->smax;
	uint32_t k = kp & ~K_NULL;
	if (kp & K_NULL)
		k |= K_INT;
	if (lo < -OFF_LIMIT || hi > OFF_LIMIT)
		return K_INT;
	o->off_min = lo;
	o->off_max = hi;
	o->obj_size = p->obj_size;
	return k;
}

static void shift_const(unsigned op, const av_t *a, unsigned s, av_t *o)
{
	struct tn t = tn_get(a);
	av_top(o, 0);
	switch (op) {
	case DIF_OPC_SLL:
		tn_put(o, (struct tn){ t.v << s, t.m << s });
		if (s == 0 || (a->umax >> (64 - s)) == 0) {
			o->umin = a->umin << s;
			o->umax = a->umax << s;
		}
		break;
	case DIF_OPC_SRL:
		tn_put(o, (struct tn){ t.v >> s, t.m >> s });
		o->umin = a->umin >> s;
		o->umax = a->umax >> s;
		break;
	default: /* SRA */
		tn_put(o, (struct tn){ (uint64_t)((int64_t)t.v >> s),
		                       (uint64_t)((int64_t)t.m >> s) });
		o->smin = a->smin >> s;
		o->smax = a->smax >> s;
		break;
	}
}

void av_alu(unsigned op, const av_t *a, const av_t *b, av_t *o)
{
	if (op == DIF_OPC_MOV) {
		*o = *a;
		return;
	}
	av_t offs;
	av_top(&offs, 0);
	uint32_t kinds = alu_kinds(op, a, b, &offs);
	uint64_t x = 0, y = 0;
	bool ca = av_is_const(a, &x), cb = av_is_const(b, &y);
	av_top(o, kinds);
	if (ca && (cb || op == DIF_OPC_NOT)) {
		uint64_t r;
		switch (op) {
		case DIF_OPC_OR: r = x | y; break;
		case DIF_OPC_XOR: r = x ^ y; break;
		case DIF_OPC_AND: r = x & y; break;
		case DIF_OPC_SLL: r = x << (y & 63); break;
		case DIF_OPC_SRL: r = x >> (y & 63); break;
		case DIF_OPC_SRA: r = (uint64_t)((int64_t)x >> (y & 63)); break;
		case DIF_OPC_SUB: r = x - y; break;
		case DIF_OPC_ADD: r = x + y; break;
		case DIF_OPC_MUL: r = x * y; break;
		case DIF_OPC_NOT: r = ~x; break;
		case DIF_OPC_UDIV: r = y ? x / y : 0; break;
		case DIF_OPC_UREM: r = y ? x % y : 0; break;
		case DIF_OPC_SDIV:
			r = (!y || (x == SIGN && y == ~0ull))
			        ? 0
			        : (uint64_t)((int64_t)x / (int64_t)y);
			break;
		case DIF_OPC_SREM:
			r = (!y || (x == SIGN && y == ~0ull))
			        ? 0
			        : (uint64_t)((int64_t)x % (int64_t)y);
			break;
		default:
			goto generic;
		}
		av_const(o, r, kinds);
		if (kinds & K_PTRS) {
			o->off_min = offs.off_min;
			o->off_max = offs.off_max;
			o->obj_size = offs.obj_size;
		}
		return;
	}
generic:
	switch (op) {
	case DIF_OPC_ADD: {
		tn_put(o, tn_add(tn_get(a), tn_get(b)));
		if (!add_ovf_u(a->umax, b->umax)) {
			o->umin = a->umin + b->umin;
			o->umax = a->umax + b->umax;
		}
		int64_t lo, hi;
		if (!add_ovf_s(a->smin, b->smin, &lo) &&
		    !add_ovf_s(a->smax, b->smax, &hi)) {
			o->smin = lo;
			o->smax = hi;
		}
		break;
	}
	case DIF_OPC_SUB: {
		tn_put(o, tn_sub(tn_get(a), tn_get(b)));
		if (a->umin >= b->umax) {
			o->umin = a->umin - b->umax;
			o->umax = a->umax - b->umin;
		}
		int64_t lo, hi;
		if (!sub_ovf_s(a->smin, b->smax, &lo) &&
		    !sub_ovf_s(a->smax, b->smin, &hi)) {
			o->smin = lo;
			o->smax = hi;
		}
		break;
	}
	case DIF_OPC_MUL: {
		tn_put(o, tn_mul(tn_get(a), tn_get(b)));
		uint64_t hi;
		if (!__builtin_mul_overflow(a->umax, b->umax, &hi)) {
			o->umin = a->umin * b->umin;
			o->umax = hi;
		}
		break;
	}
	case DIF_OPC_AND:
		tn_put(o, tn_and(tn_get(a), tn_get(b)));
		o->umax = a->umax < b->umax ? a->umax : b->umax;
		if (a->smin >= 0 || b->smin >= 0) {
			o->smin = 0;
			o->smax = (int64_t)o->umax;
			if (a->smin >= 0 && a->smax < o->smax)
				o->smax = a->smax;
			if (b->smin >= 0 && b->smax < o->smax)
				o->smax = b->smax;
		}
		break;
	case DIF_OPC_OR:
		tn_put(o, tn_or(tn_get(a), tn_get(b)));
		o->umin = a->umin > b->umin ? a->umin : b->umin;
		break;
	case DIF_OPC_XOR:
		tn_put(o, tn_xor(tn_get(a), tn_get(b)));
		break;
	case DIF_OPC_NOT:
		tn_put(o, (struct tn){ ~a->tvalue & ~a->tmask, a->tmask });
		o->umin = ~a->umax;
		o->umax = ~a->umin;
		o->smin = ~a->smax;
		o->smax = ~a->smin;
		break;
	case DIF_OPC_SLL:
	case DIF_OPC_SRL:
	case DIF_OPC_SRA:
		if (cb) {
			av_t t;
			shift_const(op, a, (unsigned)(y & 63), &t);
			t.kinds = kinds;
			*o = t;
		} else if (op == DIF_OPC_SRL) {
			o->umax = a->umax;
		} else if (op == DIF_OPC_SRA) {
			/* x >> s lies in [x, -1] for x < 0 and [0, x] for x >= 0 */
			o->smin = a->smin < 0 ? a->smin : 0;
			o->smax = a->smax >= 0 ? a->smax : -1;
		}
		break;
	case DIF_OPC_UDIV:
		/* the caller has excluded divisor 0 */
		if (b->umin) {
			o->umin = a->umin / b->umax;
			o->umax = a->umax / b->umin;
		} else {
			o->umax = a->umax;
		}
		break;
	case DIF_OPC_UREM:
		o->umax = a->umax;
		if (b->umax && b->umax - 1 < o->umax)
			o->umax = b->umax - 1;
		break;
	case DIF_OPC_SREM:
		/* the remainder has the dividend's sign and |r| < |b| */
		if (b->smin > INT64_MIN) {
			int64_t m = -b->smin > b->smax ? -b->smin : b->smax;
			if (m > 0) {
				o->smin = a->smin >= 0 ? 0 : -(m - 1);
				o->smax = a->smax < 0 ? 0 : m - 1;
				if (a->smin >= 0 && a->smax < o->smax)
					o->smax = a->smax;
			}
		}
		break;
	case DIF_OPC_SDIV:
	default:
		break;
	}
	if (!av_sync(o))
		av_top(o, kinds); /* cannot happen for sound inputs; stay safe */
	o->kinds = kinds;
	if (kinds & K_PTRS) {
		o->off_min = offs.off_min;
		o->off_max = offs.off_max;
		o->obj_size = offs.obj_size;
	}
}

void av_load(av_t *v, unsigned w, bool sgn)
{
	if (w >= 8) {
		av_top(v, K_INT);
	} else if (sgn) {
		int64_t lim = (int64_t)1 << (8 * w - 1);
		av_srange(v, -lim, lim - 1, K_INT);
	} else {
		av_urange(v, 0, (1ull << (8 * w)) - 1, K_INT);
	}
	v->width = (uint8_t)w;
	v->is_signed = sgn;
}

/* ---- refinement ---------------------------------------------------- */
static bool meet_u(av_t *v, uint64_t lo, uint64_t hi)
{
	if (v->umin < lo)
		v->umin = lo;
	if (v->umax > hi)
		v->umax = hi;
	return av_sync(v);
}

static bool meet_s(av_t *v, int64_t lo, int64_t hi)
{
	if (v->smin < lo)
		v->smin = lo;
	if (v->smax > hi)
		v->smax = hi;
	return av_sync(v);
}

/* v != c for a constant c: only the interval ends can move. */
static bool exclude(av_t *v, uint64_t c)
{
	if (v->umin == c && v->umax == c)
		return false;
	if (v->umin == c)
		v->umin++;
	else if (v->umax == c)
		v->umax--;
	if (v->smin == (int64_t)c)
		v->smin++;
	else if (v->smax == (int64_t)c)
		v->smax--;
	return av_sync(v);
}

bool av_refine_nonzero(av_t *v)
{
	if (!(v->kinds & (K_INTS | K_NULL)))
		return true; /* a pointer is never NULL */
	v->kinds &= ~K_NULL;
	if (!(v->kinds & (K_INTS | K_PTRS)))
		return false;
	if (v->kinds & K_PTRS)
		return true; /* a pointer part keeps it non-zero */
	return exclude(v, 0);
}

bool av_refine_zero(av_t *v)
{
	uint32_t k = v->kinds;
	if (!(k & (K_INTS | K_NULL)))
		return false;
	if (!av_may_zero(v))
		return false;
	uint32_t nk = (k & K_INT) ? K_INT : K_NUM;
	uint8_t u = v->undef, w = v->width, s = v->is_signed;
	uint32_t def = v->def, ref = v->refined;
	av_const(v, 0, nk);
	v->undef = u;
	v->width = w;
	v->is_signed = s;
	v->def = def;
	v->refined = ref;
	return true;
}

/* Unsigned a < b (strict) or a <= b. */
static bool ult(av_t *a, av_t *b, bool strict)
{
	uint64_t d = strict ? 1 : 0;
	if (b->umax < d)
		return false;
	if (a->umin > UINT64_MAX - d)
		return false;
	return meet_u(a, 0, b->umax - d) && meet_u(b, a->umin + d, UINT64_MAX);
}

static bool slt(av_t *a, av_t *b, bool strict)
{
	int64_t d = strict ? 1 : 0;
	if (b->smax < INT64_MIN + d)
		return false;
	if (a->smin > INT64_MAX - d)
		return false;
	return meet_s(a, INT64_MIN, b->smax - d) &&
	       meet_s(b, a->smin + d, INT64_MAX);
}

static bool eq(av_t *a, av_t *b)
{
	/* a == b: both in the intersection */
	av_t m = *a;
	if (!meet_u(&m, b->umin, b->umax) || !meet_s(&m, b->smin, b->smax))
		return false;
	struct tn ta = tn_get(&m), tb = tn_get(b);
	if ((ta.v ^ tb.v) & ~ta.m & ~tb.m)
		return false;
	uint64_t mu = ta.m & tb.m;
	tn_put(&m, (struct tn){ (ta.v | tb.v) & ~mu, mu });
	if (!av_sync(&m))
		return false;
	uint32_t ka = a->kinds, kb = b->kinds;
	*a = (av_t){ .kinds = ka, .undef = a->undef, .width = a->width,
	             .is_signed = a->is_signed, .smin = m.smin, .smax = m.smax,
	             .umin = m.umin, .umax = m.umax, .tvalue = m.tvalue,
	             .tmask = m.tmask, .def = a->def, .refined = a->refined };
	uint8_t u = b->undef, w = b->width, s = b->is_signed;
	uint32_t def = b->def, ref = b->refined;
	*b = *a;
	b->kinds = kb;
	b->undef = u;
	b->width = w;
	b->is_signed = s;
	b->def = def;
	b->refined = ref;
	return true;
}

static bool ne(av_t *a, av_t *b)
{
	uint64_t c;
	if (av_is_const(b, &c) && !exclude(a, c))
		return false;
	if (av_is_const(a, &c) && !exclude(b, c))
		return false;
	return true;
}

/* Whether a - b can overflow int64 (then the signed branches, which test
 * only the sign of the wrapped difference, mean nothing about a < b). */
static bool sub_may_overflow(const av_t *a, const av_t *b)
{
	int64_t r;
	return sub_ovf_s(a->smin, b->smax, &r) || sub_ovf_s(a->smax, b->smin, &r);
}

bool av_refine_cmp(unsigned op, bool taken, av_t *a, av_t *b)
{
	/* the predicate that holds on this edge */
	unsigned p = op;
	if (!taken) {
		switch (op) {
		case DIF_OPC_BE: p = DIF_OPC_BNE; break;
		case DIF_OPC_BNE: p = DIF_OPC_BE; break;
		case DIF_OPC_BG: p = DIF_OPC_BLE; break;
		case DIF_OPC_BLE: p = DIF_OPC_BG; break;
		case DIF_OPC_BGE: p = DIF_OPC_BL; break;
		case DIF_OPC_BL: p = DIF_OPC_BGE; break;
		case DIF_OPC_BGU: p = DIF_OPC_BLEU; break;
		case DIF_OPC_BLEU: p = DIF_OPC_BGU; break;
		case DIF_OPC_BGEU: p = DIF_OPC_BLU; break;
		case DIF_OPC_BLU: p = DIF_OPC_BGEU; break;
		default: return false; /* ba never falls through */
		}
	}
	bool sgn_ok = !sub_may_overflow(a, b);
	switch (p) {
	case DIF_OPC_BA: return true;
	case DIF_OPC_BE: return eq(a, b);
	case DIF_OPC_BNE: return ne(a, b);
	case DIF_OPC_BGU: return ult(b, a, true);
	case DIF_OPC_BGEU: return ult(b, a, false);
	case DIF_OPC_BLU: return ult(a, b, true);
	case DIF_OPC_BLEU: return ult(a, b, false);
	case DIF_OPC_BG: return !sgn_ok || slt(b, a, true);
	case DIF_OPC_BGE: return !sgn_ok || slt(b, a, false);
	case DIF_OPC_BL: return !sgn_ok || slt(a, b, true);
	case DIF_OPC_BLE: return !sgn_ok || slt(a, b, false);
	}
	return true;
}
