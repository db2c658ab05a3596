/*
 * The value domain against concrete arithmetic: random sets of 64-bit
 * values are abstracted (joins of constants, ranges, known bits), every
 * ALU operation and branch refinement is applied abstractly and to every
 * concrete pair, and each concrete result must lie in the abstract one.
 * A fixed seed, then a fresh one (printed).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <time.h>

#include "typecheck/tc.h"

static uint64_t rnd(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* An interesting 64-bit value. */
static uint64_t pick(uint64_t *rs)
{
	static const uint64_t edge[] = {
		0, 1, 2, 7, 8, 63, 64, 65, 255, 256, 0x7fffffffffffffffull,
		0x8000000000000000ull, 0x8000000000000001ull, ~0ull, ~1ull,
		0xfffffffffffffff8ull, 0xffffffffull, 0x100000000ull,
	};
	uint64_t r = rnd(rs);
	switch (r % 5) {
	case 0: return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	case 1: return (r >> 8) % 32;
	case 2: return (uint64_t)-(int64_t)((r >> 8) % 32);
	case 3: return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))] +
		       (r >> 20) % 5 - 2;
	default: return rnd(rs);
	}
}

#define NV 6
struct set {
	uint64_t v[NV];
	unsigned n;
	av_t a;
};

static void make_set(uint64_t *rs, struct set *s)
{
	s->n = 1 + (unsigned)(rnd(rs) % NV);
	for (unsigned i = 0; i < s->n; i++)
		s->v[i] = pick(rs);
	av_const(&s->a, s->v[0], K_NUM);
	for (unsigned i = 1; i < s->n; i++) {
		av_t c;
		av_const(&c, s->v[i], K_NUM);
		av_join(&s->a, &c);
	}
	if (rnd(rs) % 4 == 0) {
		/* a wider value: the hull as a range */
		av_t w;
		uint64_t lo = s->v[0], hi = s->v[0];
		for (unsigned i = 1; i < s->n; i++) {
			lo = s->v[i] < lo ? s->v[i] : lo;
			hi = s->v[i] > hi ? s->v[i] : hi;
		}
		av_urange(&w, lo, hi, K_INT);
		av_join(&s->a, &w);
	}
}

static uint64_t concrete(unsigned op, uint64_t x, uint64_t y, int *fault)
{
	*fault = 0;
	switch (op) {
	case DIF_OPC_OR: return x | y;
	case DIF_OPC_XOR: return x ^ y;
	case DIF_OPC_AND: return x & y;
	case DIF_OPC_SLL: return x << (y & 63);
	case DIF_OPC_SRL: return x >> (y & 63);
	case DIF_OPC_SRA: return (uint64_t)((int64_t)x >> (y & 63));
	case DIF_OPC_SUB: return x - y;
	case DIF_OPC_ADD: return x + y;
	case DIF_OPC_MUL: return x * y;
	case DIF_OPC_NOT: return ~x;
	case DIF_OPC_MOV: return x;
	case DIF_OPC_UDIV: if (!y) { *fault = 1; return 0; } return x / y;
	case DIF_OPC_UREM: if (!y) { *fault = 1; return 0; } return x % y;
	case DIF_OPC_SDIV:
	case DIF_OPC_SREM:
		if (!y || (x == 0x8000000000000000ull && y == ~0ull)) {
			*fault = 1;
			return 0;
		}
		return op == DIF_OPC_SDIV ? (uint64_t)((int64_t)x / (int64_t)y)
		                          : (uint64_t)((int64_t)x % (int64_t)y);
	}
	return 0;
}

static const unsigned alu_ops[] = {
	DIF_OPC_OR, DIF_OPC_XOR, DIF_OPC_AND, DIF_OPC_SLL, DIF_OPC_SRL,
	DIF_OPC_SRA, DIF_OPC_SUB, DIF_OPC_ADD, DIF_OPC_MUL, DIF_OPC_NOT,
	DIF_OPC_MOV, DIF_OPC_UDIV, DIF_OPC_UREM, DIF_OPC_SDIV, DIF_OPC_SREM,
};

static void check_alu(uint64_t seed, unsigned rounds)
{
	uint64_t rs = seed;
	for (unsigned k = 0; k < rounds; k++) {
		struct set a, b;
		make_set(&rs, &a);
		make_set(&rs, &b);
		for (unsigned i = 0; i < a.n; i++)
			cr_assert(dif_tc_value_contains(&a.a, a.v[i]), "seed %llu: join",
			          (unsigned long long)seed);
		unsigned op = alu_ops[rnd(&rs) % (sizeof(alu_ops) / sizeof(alu_ops[0]))];
		av_t bb = b.a, r;
		/* divisions: the pass excludes the faulting divisor first */
		if (op == DIF_OPC_UDIV || op == DIF_OPC_UREM || op == DIF_OPC_SDIV ||
		    op == DIF_OPC_SREM)
			if (!av_refine_nonzero(&bb))
				continue;
		av_alu(op, &a.a, &bb, &r);
		for (unsigned i = 0; i < a.n; i++)
			for (unsigned j = 0; j < b.n; j++) {
				int fault;
				uint64_t z = concrete(op, a.v[i], b.v[j], &fault);
				if (fault)
					continue;
				cr_assert(dif_tc_value_contains(&r, z),
				          "seed %llu round %u: op %u on 0x%llx, 0x%llx = "
				          "0x%llx not in [%lld,%lld] [%llu,%llu] %llx/%llx",
				          (unsigned long long)seed, k, op,
				          (unsigned long long)a.v[i],
				          (unsigned long long)b.v[j], (unsigned long long)z,
				          (long long)r.smin, (long long)r.smax,
				          (unsigned long long)r.umin,
				          (unsigned long long)r.umax,
				          (unsigned long long)r.tvalue,
				          (unsigned long long)r.tmask);
			}
	}
}

/* The branch predicate after cmp x, y (dif-isa.md 2.2: V is always 0). */
static int taken(unsigned op, uint64_t x, uint64_t y)
{
	int z = x == y, n = (int64_t)(x - y) < 0, c = x < y;
	switch (op) {
	case DIF_OPC_BE: return z;
	case DIF_OPC_BNE: return !z;
	case DIF_OPC_BG: return !z && !n;
	case DIF_OPC_BGU: return !c && !z;
	case DIF_OPC_BGE: return !n;
	case DIF_OPC_BGEU: return !c;
	case DIF_OPC_BL: return n;
	case DIF_OPC_BLU: return c;
	case DIF_OPC_BLE: return z || n;
	case DIF_OPC_BLEU: return c || z;
	}
	return 1;
}

static void check_refine(uint64_t seed, unsigned rounds)
{
	uint64_t rs = seed;
	for (unsigned k = 0; k < rounds; k++) {
		struct set a, b;
		make_set(&rs, &a);
		make_set(&rs, &b);
		unsigned op = DIF_OPC_BE + (unsigned)(rnd(&rs) % 10);
		for (int edge = 0; edge < 2; edge++) {
			av_t ra = a.a, rb = b.a;
			bool feasible = av_refine_cmp(op, edge, &ra, &rb);
			for (unsigned i = 0; i < a.n; i++)
				for (unsigned j = 0; j < b.n; j++) {
					if (taken(op, a.v[i], b.v[j]) != edge)
						continue;
					cr_assert(feasible, "seed %llu round %u: op %u edge %d "
					          "called infeasible for 0x%llx, 0x%llx",
					          (unsigned long long)seed, k, op, edge,
					          (unsigned long long)a.v[i],
					          (unsigned long long)b.v[j]);
					cr_assert(dif_tc_value_contains(&ra, a.v[i]) &&
					          dif_tc_value_contains(&rb, b.v[j]),
					          "seed %llu round %u: op %u edge %d lost 0x%llx, "
					          "0x%llx", (unsigned long long)seed, k, op, edge,
					          (unsigned long long)a.v[i],
					          (unsigned long long)b.v[j]);
				}
		}
		/* tst: zero / non-zero */
		av_t z = a.a, nz = a.a;
		bool fz = av_refine_zero(&z), fnz = av_refine_nonzero(&nz);
		for (unsigned i = 0; i < a.n; i++) {
			if (a.v[i] == 0)
				cr_assert(fz && dif_tc_value_contains(&z, 0), "seed %llu: zero",
				          (unsigned long long)seed);
			else
				cr_assert(fnz && dif_tc_value_contains(&nz, a.v[i]),
				          "seed %llu: non-zero 0x%llx",
				          (unsigned long long)seed,
				          (unsigned long long)a.v[i]);
		}
	}
}

static uint64_t fresh_seed(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t s = ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)ts.tv_nsec;
	printf("domain: fresh seed %llu\n", (unsigned long long)s);
	fflush(stdout);
	return s;
}

Test(domain_fuzz, alu_fixed) { check_alu(20260317, 200000); }
Test(domain_fuzz, alu_fresh) { check_alu(fresh_seed(), 200000); }
Test(domain_fuzz, refine_fixed) { check_refine(20260318, 200000); }
Test(domain_fuzz, refine_fresh) { check_refine(fresh_seed(), 200000); }

Test(domain_fuzz, loads)
{
	av_t v;
	av_load(&v, 1, true);
	cr_assert(dif_tc_value_contains(&v, (uint64_t)-128));
	cr_assert(dif_tc_value_contains(&v, 127));
	cr_assert(!dif_tc_value_contains(&v, 128));
	av_load(&v, 4, false);
	cr_assert(dif_tc_value_contains(&v, 0xffffffffull));
	cr_assert(!dif_tc_value_contains(&v, 0x100000000ull));
	av_load(&v, 8, false);
	cr_assert(dif_tc_value_contains(&v, ~0ull));
}
