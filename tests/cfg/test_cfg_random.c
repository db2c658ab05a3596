/*
 * cfg/ against brute force on random programs: testgen's generator
 * (validator-accepted programs) and a branch-heavy generator of our own.
 *
 * - blocks and edges against leaders computed here from the raw opcodes;
 * - dominators and post-dominators against "a dominates b iff b cannot be
 *   reached when a is removed" (and the same towards the exit);
 * - the def-use graph against a path-enumerating reference that walks
 *   every path from pc 0 and keeps, per location, the set of definitions
 *   the path's last strong definition and later weak ones leave;
 * - dif_du_uses_of against the inverse of dif_du_reaching.
 *
 * Every test runs a fixed seed and a fresh one, printed for replay
 * (DIFVM_CFG_SEED=N replays a fresh-seed run).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "difvm/cfg.h"
#include "difvm/isa.h"
#include "testgen/tg.h"

static uint64_t fresh_seed(void)
{
	const char *e = getenv("DIFVM_CFG_SEED");
	if (e)
		return strtoull(e, NULL, 0);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return tg_mix((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20),
	              (uint64_t)getpid());
}

/* ---------------------------------------------------------------------
 * Programs.
 */
struct prog {
	uint32_t text[TG_MAX_TEXT];
	uint32_t n;
	struct dif_difo *d;
};

/* A testgen program, or 0 when the seed gave an invalid/too big one. */
static int gen_testgen(uint64_t seed, struct prog *p, uint32_t maxlen)
{
	struct dc_case c;
	tg_case_init(&c);
	tg_gen_random(seed, -1, &c);
	int ok = c.textlen <= maxlen && tg_case_valid(&c) &&
	         tg_case_difo(&c, &p->d) == 0;
	if (ok) {
		memcpy(p->text, c.text, c.textlen * sizeof(uint32_t));
		p->n = c.textlen;
	}
	tg_case_free(&c);
	return ok;
}

/* Branch-heavy straight DAGs: random ALU, tests, forward branches of every
 * kind, early returns, variables and tuple operations. */
static void gen_branchy(uint64_t seed, struct prog *p, uint32_t n,
                        unsigned nvars, unsigned brpct)
{
	struct tg_rng r = { seed };
	static const uint64_t ints[] = { 0, 1, 7 };
	for (uint32_t pc = 0; pc < n - 1; pc++) {
		unsigned k = (unsigned)tg_below(&r, 20);
		/* many variables: mostly stores and loads, no early returns */
		if (nvars > 3 && (k == 8 || (k >= 11 && k < 17)))
			k = (k & 1) ? 9 : 10;
		unsigned a = 1 + (unsigned)tg_below(&r, 7), b = (unsigned)tg_below(&r, 8),
		         c = 1 + (unsigned)tg_below(&r, 7);
		uint32_t w;
		if (k < 5 && pc + 2 < n && tg_below(&r, 100) < brpct) {
			unsigned op = DIF_OPC_BA + (unsigned)tg_below(&r, 11);
			uint32_t t = pc + 1 + (uint32_t)tg_below(&r, n - pc - 1);
			w = DIF_ENC_B(op, t);
		} else if (k < 7) {
			w = DIF_ENC_R(DIF_OPC_TST, b, 0, 0);
		} else if (k < 8) {
			w = DIF_ENC_R(DIF_OPC_CMP, a, b, 0);
		} else if (k < 9) {
			w = DIF_ENC_R(DIF_OPC_RET, 0, 0, b);
		} else if (k < 10) {
			unsigned op = tg_below(&r, 2) ? DIF_OPC_STLS : DIF_OPC_STGS;
			w = DIF_ENC_W(op, 0x500 + tg_below(&r, nvars), b);
		} else if (k < 11) {
			unsigned op = tg_below(&r, 2) ? DIF_OPC_LDLS : DIF_OPC_LDGS;
			w = DIF_ENC_W(op, 0x500 + tg_below(&r, nvars), c);
		} else if (k < 12) {
			w = DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, b);
		} else if (k < 13) {
			w = DIF_ENC_R(DIF_OPC_POPTS, 0, 0, 0);
		} else if (k < 14) {
			w = DIF_ENC_W(DIF_OPC_CALL, 0, c);
		} else if (k < 15) {
			w = DIF_ENC_W(DIF_OPC_STGAA, 0x502, b);
		} else if (k < 16) {
			w = DIF_ENC_W(DIF_OPC_LDGAA, 0x502, c);
		} else if (k < 17) {
			w = DIF_ENC_R(DIF_OPC_SCMP, a, b, 0);
		} else if (k < 18) {
			w = DIF_ENC_W(DIF_OPC_SETX, tg_below(&r, 3), c);
		} else {
			w = DIF_ENC_R(DIF_OPC_ADD, a, b, c);
		}
		p->text[pc] = w;
	}
	p->text[n - 1] = DIF_ENC_R(DIF_OPC_RET, 0, 0, 1);
	p->n = n;
	DIF_OPTS(dif_difo_parts, parts, .name = "branchy", .text = p->text,
	         .textlen = n, .inttab = ints, .intlen = 3);
	cr_assert_eq(dif_difo_create(&parts, &p->d, NULL), 0);
}

/* ---------------------------------------------------------------------
 * Blocks, edges, dominators.
 */
static int is_branch(uint32_t w)
{
	return DIF_I_OP(w) >= DIF_OPC_BA && DIF_I_OP(w) <= DIF_OPC_BLEU;
}

static void check_blocks(const struct prog *p, const struct dif_cfg *g,
                         uint64_t seed)
{
	uint8_t lead[TG_MAX_TEXT + 1] = { 1 };
	for (uint32_t pc = 0; pc < p->n; pc++) {
		uint32_t w = p->text[pc];
		if (is_branch(w)) {
			lead[DIF_I_LABEL(w)] = 1;
			lead[pc + 1] = 1;
		}
		if (DIF_I_OP(w) == DIF_OPC_RET)
			lead[pc + 1] = 1;
	}
	uint32_t b = 0;
	for (uint32_t pc = 0; pc < p->n; pc++) {
		if (lead[pc] && pc > 0)
			b++;
		cr_assert_eq(dif_cfg_block_of(g, pc), b, "seed %llu pc %u",
		             (unsigned long long)seed, pc);
	}
	cr_assert_eq(dif_cfg_nblocks(g), b + 1, "seed %llu", (unsigned long long)seed);
	uint32_t ne = 0;
	for (b = 0; b < dif_cfg_nblocks(g); b++) {
		struct dif_block k;
		cr_assert_eq(dif_cfg_block(g, b, &k), 0);
		uint32_t w = p->text[k.end], op = DIF_I_OP(w);
		uint32_t want = 0;
		struct dif_edge e[2];
		if (op != DIF_OPC_RET && op != DIF_OPC_BA && k.end + 1 < p->n)
			e[want++] = (struct dif_edge){ b, dif_cfg_block_of(g, k.end + 1),
				                           DIF_EDGE_FALL };
		if (is_branch(w))
			e[want++] = (struct dif_edge){ b, dif_cfg_block_of(g, DIF_I_LABEL(w)),
				                           DIF_EDGE_TAKEN };
		cr_assert_eq(k.nsucc, want, "seed %llu block %u",
		             (unsigned long long)seed, b);
		for (uint32_t i = 0; i < want; i++) {
			cr_assert_eq(k.succ[i].to, e[i].to);
			cr_assert_eq(k.succ[i].kind, e[i].kind);
			cr_assert_eq(k.succ[i].from, b);
		}
		ne += want;
	}
	cr_assert_eq(dif_cfg_nedges(g), ne);
}

/* Blocks reachable from `from` (forwards) or reaching the exit (when
 * backwards), never entering `skip`. */
static void reach_avoid(const struct dif_cfg *g, uint32_t from, uint32_t skip,
                        int backwards, uint8_t *seen)
{
	uint32_t nb = dif_cfg_nblocks(g);
	uint32_t *st = malloc((nb + 1) * sizeof(uint32_t)), sp = 0;
	memset(seen, 0, nb + 1);
	if (from != skip) {
		seen[from] = 1;
		st[sp++] = from;
	}
	while (sp) {
		uint32_t b = st[--sp];
		struct dif_block k;
		if (b == nb)
			continue; /* the exit */
		dif_cfg_block(g, b, &k);
		if (!backwards) {
			for (uint32_t i = 0; i < k.nsucc; i++) {
				uint32_t t = k.succ[i].to;
				if (t != skip && !seen[t]) {
					seen[t] = 1;
					st[sp++] = t;
				}
			}
		} else {
			/* "backwards" = forwards towards the exit node nb */
			if (k.nsucc == 0 && !seen[nb]) {
				seen[nb] = 1;
				st[sp++] = nb;
			}
			for (uint32_t i = 0; i < k.nsucc; i++) {
				uint32_t t = k.succ[i].to;
				if (t != skip && !seen[t]) {
					seen[t] = 1;
					st[sp++] = t;
				}
			}
		}
	}
	free(st);
}

/* The strict dominator d of b that every other strict dominator of b
 * dominates, under the relation rel[d * nb + b]; none if b has none. */
static uint32_t closest(const uint8_t *rel, uint32_t nb, uint32_t b,
                        uint32_t none)
{
	for (uint32_t d = 0; d < nb; d++) {
		if (d == b || !rel[d * nb + b])
			continue;
		int all = 1;
		for (uint32_t e = 0; e < nb; e++)
			if (e != b && e != d && rel[e * nb + b] && !rel[e * nb + d])
				all = 0;
		if (all)
			return d;
	}
	return none;
}

static void check_doms(const struct dif_cfg *g, uint64_t seed)
{
	uint32_t nb = dif_cfg_nblocks(g);
	uint8_t *all = malloc(nb + 1), *seen = malloc(nb + 1);
	uint8_t *dom = calloc((size_t)nb * nb, 1), *pdom = calloc((size_t)nb * nb, 1);
	reach_avoid(g, 0, UINT32_MAX, 0, all);
	for (uint32_t b = 0; b < nb; b++)
		cr_assert_eq(dif_cfg_reachable(g, b), all[b] != 0, "seed %llu b %u",
		             (unsigned long long)seed, b);
	for (uint32_t a = 0; a < nb; a++) {
		reach_avoid(g, 0, a, 0, seen);
		for (uint32_t b = 0; b < nb; b++) {
			dom[a * nb + b] = all[b] && all[a] && !seen[b];
			cr_assert_eq(dif_cfg_dominates(g, a, b), dom[a * nb + b] != 0,
			             "seed %llu: %u dom %u", (unsigned long long)seed, a, b);
		}
	}
	for (uint32_t a = 0; a < nb; a++)
		for (uint32_t b = 0; b < nb; b++) {
			reach_avoid(g, b, a, 1, seen);
			pdom[a * nb + b] = !seen[nb];
			cr_assert_eq(dif_cfg_postdominates(g, a, b), pdom[a * nb + b] != 0,
			             "seed %llu: %u pdom %u", (unsigned long long)seed, a, b);
		}
	/* Immediate ones: the strict (post-)dominator all others dominate. */
	for (uint32_t b = 0; b < nb; b++) {
		struct dif_block k;
		dif_cfg_block(g, b, &k);
		uint32_t want = closest(dom, nb, b, DIF_CFG_NONE);
		uint32_t pwant = closest(pdom, nb, b, DIF_CFG_EXIT);
		cr_assert_eq(k.idom, want, "seed %llu idom(%u)", (unsigned long long)seed, b);
		cr_assert_eq(k.ipdom, pwant, "seed %llu ipdom(%u)",
		             (unsigned long long)seed, b);
	}
	free(all);
	free(seen);
	free(dom);
	free(pdom);
}

/* ---------------------------------------------------------------------
 * The path-enumerating def-use reference. Locations: 0..7 registers, 8
 * cc, 9..16 tuple slots, then variables (up to 32, by key).
 */
#define RL_CC 8
#define RL_T(i) (9 + (i))
#define RW ((TG_MAX_TEXT + 1 + 63) / 64) /* bitset words: pcs + entry */

struct ref {
	const struct prog *p;
	uint32_t nw;              /* bitset words in use */
	uint32_t nl;              /* locations: 17 + at most one per insn */
	uint64_t *keys;
	unsigned nkeys;
	uint64_t *seen;           /* [pc][loc][nw]: reaching defs */
	uint8_t *used;            /* [pc][loc]: read there */
	uint8_t *reached;
	unsigned long paths, cap;
	int overflow; /* some path ended in a tuple overflow */
};

struct rstate {
	unsigned depth;
	uint64_t set[]; /* [loc][nw] */
};
#define SEEN(r, pc, loc) ((r)->seen + ((size_t)(pc) * (r)->nl + (loc)) * (r)->nw)
#define USED(r, pc, loc) ((r)->used[(size_t)(pc) * (r)->nl + (loc)])
#define SET(r, s, loc) ((s)->set + (size_t)(loc) * (r)->nw)
#define RSTATE_SIZE(r) (sizeof(struct rstate) + (size_t)(r)->nl * (r)->nw * 8)

static unsigned ref_var(struct ref *r, unsigned kind, unsigned scope,
                        unsigned vkind, unsigned id)
{
	uint64_t k = ((uint64_t)kind << 40) | ((uint64_t)scope << 32) |
	             ((uint64_t)vkind << 24) | id;
	for (unsigned i = 0; i < r->nkeys; i++)
		if (r->keys[i] == k)
			return 17 + i;
	cr_assert_lt(17 + r->nkeys, r->nl);
	r->keys[r->nkeys] = k;
	return 17 + r->nkeys++;
}

static void ref_use(struct ref *r, const struct rstate *s, uint32_t pc,
                    unsigned loc)
{
	USED(r, pc, loc) = 1;
	for (uint32_t i = 0; i < r->nw; i++)
		SEEN(r, pc, loc)[i] |= SET(r, s, loc)[i];
}

static void ref_def(struct ref *r, struct rstate *s, uint32_t pc, unsigned loc,
                    int weak)
{
	if (!weak)
		memset(SET(r, s, loc), 0, r->nw * sizeof(uint64_t));
	SET(r, s, loc)[pc / 64] |= 1ull << (pc % 64);
}

static void ref_walk(struct ref *r, struct rstate *s, uint32_t pc)
{
	const struct prog *p = r->p;
	for (;;) {
		uint32_t w = p->text[pc];
		unsigned op = DIF_I_OP(w), r1 = DIF_I_R1(w), r2 = DIF_I_R2(w),
		         rd = DIF_I_RD(w), v = DIF_I_INDEX(w);
		r->reached[pc] = 1;
		switch (op) {
		case DIF_OPC_OR: case DIF_OPC_XOR: case DIF_OPC_AND: case DIF_OPC_SLL:
		case DIF_OPC_SRL: case DIF_OPC_SRA: case DIF_OPC_SUB: case DIF_OPC_ADD:
		case DIF_OPC_MUL: case DIF_OPC_SDIV: case DIF_OPC_UDIV:
		case DIF_OPC_SREM: case DIF_OPC_UREM:
			ref_use(r, s, pc, r1);
			ref_use(r, s, pc, r2);
			ref_def(r, s, pc, rd, 0);
			break;
		case DIF_OPC_COPYS:
			ref_use(r, s, pc, r1);
			ref_use(r, s, pc, r2);
			ref_use(r, s, pc, rd);
			break;
		case DIF_OPC_NOT: case DIF_OPC_MOV: case DIF_OPC_ALLOCS:
		case DIF_OPC_LDSB: case DIF_OPC_LDSH: case DIF_OPC_LDSW:
		case DIF_OPC_LDUB: case DIF_OPC_LDUH: case DIF_OPC_LDUW: case DIF_OPC_LDX:
		case DIF_OPC_ULDSB: case DIF_OPC_ULDSH: case DIF_OPC_ULDSW:
		case DIF_OPC_ULDUB: case DIF_OPC_ULDUH: case DIF_OPC_ULDUW:
		case DIF_OPC_ULDX: case DIF_OPC_RLDSB: case DIF_OPC_RLDSH:
		case DIF_OPC_RLDSW: case DIF_OPC_RLDUB: case DIF_OPC_RLDUH:
		case DIF_OPC_RLDUW: case DIF_OPC_RLDX:
			ref_use(r, s, pc, r1);
			ref_def(r, s, pc, rd, 0);
			break;
		case DIF_OPC_CMP:
		case DIF_OPC_SCMP:
			ref_use(r, s, pc, r1);
			ref_use(r, s, pc, r2);
			ref_def(r, s, pc, RL_CC, op == DIF_OPC_SCMP);
			break;
		case DIF_OPC_TST:
			ref_use(r, s, pc, r1);
			ref_def(r, s, pc, RL_CC, 0);
			break;
		case DIF_OPC_STB: case DIF_OPC_STH: case DIF_OPC_STW: case DIF_OPC_STX:
			ref_use(r, s, pc, r1);
			ref_use(r, s, pc, rd);
			break;
		case DIF_OPC_RET:
			ref_use(r, s, pc, rd);
			r->paths++;
			return;
		case DIF_OPC_SETX: case DIF_OPC_SETS: case DIF_OPC_XLATE:
		case DIF_OPC_XLARG:
			ref_def(r, s, pc, rd, 0);
			break;
		case DIF_OPC_LDGA: case DIF_OPC_LDTA:
			ref_use(r, s, pc, r2);
			ref_use(r, s, pc, ref_var(r, 1, op == DIF_OPC_LDTA, 0, r1));
			ref_def(r, s, pc, rd, 0);
			break;
		case DIF_OPC_STGA:
			ref_use(r, s, pc, r2);
			ref_use(r, s, pc, rd);
			ref_def(r, s, pc, ref_var(r, 1, 0, 0, r1), 1);
			break;
		case DIF_OPC_LDGS: case DIF_OPC_LDTS: case DIF_OPC_LDLS:
			ref_use(r, s, pc, ref_var(r, 0, op == DIF_OPC_LDGS ? 0 : op == DIF_OPC_LDTS ? 1 : 2, 1, v));
			ref_def(r, s, pc, rd, 0);
			break;
		case DIF_OPC_STGS: case DIF_OPC_STTS: case DIF_OPC_STLS:
			ref_use(r, s, pc, rd);
			ref_def(r, s, pc, ref_var(r, 0, op == DIF_OPC_STGS ? 0 : op == DIF_OPC_STTS ? 1 : 2, 1, v), 0);
			break;
		case DIF_OPC_LDGAA: case DIF_OPC_LDTAA:
			for (unsigned i = 0; i < s->depth; i++)
				ref_use(r, s, pc, RL_T(i));
			ref_use(r, s, pc, ref_var(r, 0, op == DIF_OPC_LDTAA, 0, v));
			ref_def(r, s, pc, rd, 0);
			break;
		case DIF_OPC_STGAA: case DIF_OPC_STTAA:
			ref_use(r, s, pc, rd);
			for (unsigned i = 0; i < s->depth; i++)
				ref_use(r, s, pc, RL_T(i));
			ref_def(r, s, pc, ref_var(r, 0, op == DIF_OPC_STTAA, 0, v), 1);
			break;
		case DIF_OPC_CALL:
			for (unsigned i = 0; i < s->depth; i++)
				ref_use(r, s, pc, RL_T(i));
			ref_def(r, s, pc, rd, 1);
			break;
		case DIF_OPC_PUSHTR: case DIF_OPC_PUSHTV:
			if (op == DIF_OPC_PUSHTR)
				ref_use(r, s, pc, r2);
			ref_use(r, s, pc, rd);
			if (s->depth == DIF_NTREGS) {
				r->overflow = 1;
				r->paths++;
				return; /* TUPOFLOW ends the path */
			}
			ref_def(r, s, pc, RL_T(s->depth), 0);
			s->depth++;
			break;
		case DIF_OPC_POPTS:
			if (s->depth)
				s->depth--;
			break;
		case DIF_OPC_FLUSHTS:
			s->depth = 0;
			break;
		default:
			if (is_branch(w)) {
				if (op != DIF_OPC_BA) {
					ref_use(r, s, pc, RL_CC);
					if (r->paths < r->cap) {
						struct rstate *c = malloc(RSTATE_SIZE(r));
						memcpy(c, s, RSTATE_SIZE(r));
						ref_walk(r, c, pc + 1);
						free(c);
					}
				}
				pc = DIF_I_LABEL(w);
				continue;
			}
			break; /* nop */
		}
		if (pc + 1 >= p->n) {
			r->paths++;
			return;
		}
		pc++;
	}
}

/* Returns 0 when the program has too many paths to enumerate. */
static int check_defuse(const struct prog *p, const struct dif_cfg *g,
                        uint64_t seed)
{
	struct ref r = { .p = p, .cap = 20000 };
	r.nw = (p->n + 1 + 63) / 64;
	r.nl = 17 + p->n + 1;
	r.keys = calloc(r.nl, sizeof(uint64_t));
	r.seen = calloc((size_t)p->n * r.nl * r.nw, sizeof(uint64_t));
	r.used = calloc((size_t)p->n * r.nl, 1);
	r.reached = calloc(p->n, 1);
	struct rstate *s = calloc(1, RSTATE_SIZE(&r));
	/* Entry definitions: bit p->n. */
	for (unsigned l = 0; l < r.nl; l++)
		SET(&r, s, l)[p->n / 64] |= 1ull << (p->n % 64);
	ref_walk(&r, s, 0);
	free(s);
	int done = r.paths < r.cap;
	struct dif_du_walk *w = dif_du_walk_new(g);
	cr_assert_not_null(w);
	for (uint32_t pc = 0; done && pc < p->n; pc++) {
		uint32_t nu = dif_du_nuses(g, pc);
		if (!r.reached[pc])
			continue;
		uint8_t *mine = calloc(r.nl, 1);
		for (uint32_t i = 0; i < nu; i++) {
			struct dif_use u;
			cr_assert_eq(dif_du_use(g, pc, i, &u), 0);
			unsigned loc;
			switch (u.loc.kind) {
			case DIF_LOC_REG: loc = u.loc.id; break;
			case DIF_LOC_CC: loc = RL_CC; break;
			case DIF_LOC_TUPLE: loc = RL_T(u.loc.id); break;
			case DIF_LOC_BARRAY:
				loc = ref_var(&r, 1, u.loc.scope, 0, u.loc.id);
				break;
			default:
				loc = ref_var(&r, 0, u.loc.scope,
				              u.loc.vkind == DIF_VKIND_SCALAR, u.loc.id);
				break;
			}
			mine[loc] = 1;
			cr_assert_neq(u.node, DIF_CFG_NONE, "seed %llu pc %u",
			              (unsigned long long)seed, pc);
			const uint32_t *defs;
			uint32_t nd = dif_du_reaching(w, u.node, &defs);
			uint64_t got[RW] = { 0 };
			for (uint32_t k = 0; k < nd; k++) {
				struct dif_def d;
				cr_assert_eq(dif_du_node(g, defs[k], &d), 0);
				cr_assert_eq(memcmp(&d.loc, &u.loc, sizeof(d.loc)), 0);
				uint32_t bit = d.kind == DIF_DEF_ENTRY ? p->n : d.pc;
				got[bit / 64] |= 1ull << (bit % 64);
			}
			if (!USED(&r, pc, loc)) {
				/* only tuple slots may be read on fewer paths */
				cr_assert_eq(u.loc.kind, DIF_LOC_TUPLE,
				             "seed %llu pc %u: extra use of loc %u",
				             (unsigned long long)seed, pc, loc);
				continue;
			}
			for (uint32_t k = 0; k < r.nw; k++) {
				uint64_t want = SEEN(&r, pc, loc)[k];
				/* The analysis merges tuple depths, so it is exact only
				 * while no path dies of a tuple overflow; else sound. */
				if (u.loc.kind == DIF_LOC_TUPLE || r.overflow)
					cr_assert_eq(got[k] & want, want,
					             "seed %llu pc %u tuple %u: missing defs",
					             (unsigned long long)seed, pc, u.loc.id);
				else
					cr_assert_eq(got[k], want,
					             "seed %llu pc %u loc %u word %u: %llx != %llx",
					             (unsigned long long)seed, pc, loc, k,
					             (unsigned long long)got[k],
					             (unsigned long long)want);
			}
		}
		for (unsigned l = 0; l < r.nl; l++)
			cr_assert(!USED(&r, pc, l) || mine[l],
			          "seed %llu pc %u: use of loc %u missing",
			          (unsigned long long)seed, pc, l);
		free(mine);
	}
	/* uses_of is the inverse of reaching. */
	for (uint32_t n = 0; n < dif_du_nnodes(g); n++) {
		struct dif_def d;
		dif_du_node(g, n, &d);
		if (d.kind == DIF_DEF_MERGE)
			continue;
		const struct dif_use *uses;
		uint32_t nu = dif_du_uses_of(w, n, &uses);
		struct dif_use *copy = malloc((nu + 1) * sizeof(*copy));
		memcpy(copy, uses, nu * sizeof(*copy));
		uint32_t count = 0;
		for (uint32_t pc = 0; pc < p->n; pc++)
			for (uint32_t i = 0; i < dif_du_nuses(g, pc); i++) {
				struct dif_use u;
				dif_du_use(g, pc, i, &u);
				const uint32_t *defs;
				uint32_t nd = dif_du_reaching(w, u.node, &defs);
				int has = 0;
				for (uint32_t k = 0; k < nd; k++)
					has |= defs[k] == n;
				if (has) {
					cr_assert_lt(count, nu, "seed %llu node %u",
					             (unsigned long long)seed, n);
					cr_assert_eq(copy[count].pc, pc);
					cr_assert_eq(copy[count].role, u.role);
					count++;
				}
			}
		cr_assert_eq(count, nu, "seed %llu node %u", (unsigned long long)seed, n);
		free(copy);
	}
	dif_du_walk_free(w);
	free(r.seen);
	free(r.used);
	free(r.keys);
	free(r.reached);
	return done;
}

static struct dif_cfg *build(const struct prog *p)
{
	struct dif_cfg *g = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	int rc = dif_cfg_build(p->d, NULL, &g, &errs);
	cr_assert_eq(rc, 0, "%s", errs.count ? errs.list[0].msg : "");
	return g;
}

/* Every check on one program, which it frees; 1 when the def-use
 * reference could enumerate its paths. */
static int check_all(struct prog *p, uint64_t seed)
{
	struct dif_cfg *g = build(p);
	check_blocks(p, g, seed);
	check_doms(g, seed);
	int done = check_defuse(p, g, seed);
	dif_cfg_free(g);
	dif_difo_free(p->d);
	free(p);
	return done;
}

static void run_testgen(uint64_t seed, unsigned count)
{
	unsigned built = 0, checked = 0;
	for (unsigned i = 0; built < count && i < count * 4; i++) {
		uint64_t s = tg_mix(seed, i);
		struct prog *p = calloc(1, sizeof(*p));
		if (!gen_testgen(s, p, 160)) {
			free(p);
			continue;
		}
		built++;
		checked += check_all(p, s);
	}
	cr_assert_geq(built, count / 2, "seed %llu: too few valid programs",
	              (unsigned long long)seed);
	cr_assert_geq(checked, built / 2, "seed %llu: too many path explosions",
	              (unsigned long long)seed);
}

/* Short programs with few variables and many branches, or long ones with
 * many variables (several levels of the def-use variable tree). */
static void run_branchy(uint64_t seed, unsigned count)
{
	unsigned checked = 0;
	for (unsigned i = 0; i < count; i++) {
		uint64_t s = tg_mix(seed, i);
		struct prog *p = calloc(1, sizeof(*p));
		if (i % 4 == 3)
			gen_branchy(s, p, 100 + (uint32_t)(s % 400), 40 + (unsigned)(s % 200),
			            12);
		else
			gen_branchy(s, p, 4 + (uint32_t)(s % 40), 3, 100);
		checked += check_all(p, s);
	}
	cr_assert_geq(checked, count / 2, "seed %llu", (unsigned long long)seed);
}





/* Arbitrary words (any opcode and fields, both profiles, any nregs): the
 * build either fails with an error value naming the pc or gives a graph
 * that passes the block and dominator checks, and every walker query on
 * it terminates. */
static void run_garbage(uint64_t seed, unsigned count)
{
	unsigned built = 0;
	for (unsigned i = 0; i < count; i++) {
		struct tg_rng r = { tg_mix(seed, i) };
		struct prog *p = calloc(1, sizeof(*p));
		uint32_t n = 1 + (uint32_t)tg_below(&r, 30);
		for (uint32_t pc = 0; pc < n; pc++) {
			uint32_t w = (uint32_t)tg_rand(&r);
			unsigned op = (unsigned)tg_below(&r, 84);
			if (tg_below(&r, 4)) /* mostly small registers */
				w &= 0xff070707u;
			if (op >= DIF_OPC_BA && op <= DIF_OPC_BLEU && tg_below(&r, 4))
				w = pc + 1 + (uint32_t)tg_below(&r, n - pc); /* mostly forward */
			p->text[pc] = (w & 0x00ffffffu) | ((uint32_t)op << 24);
		}
		p->n = n;
		DIF_OPTS(dif_difo_parts, parts, .name = "garbage", .text = p->text,
		         .textlen = n);
		cr_assert_eq(dif_difo_create(&parts, &p->d, NULL), 0);
		DIF_OPTS(dif_cfg_opts, o, .profile = (enum dif_profile)tg_below(&r, 2),
		         .nregs = tg_below(&r, 3) ? 8 : 1 + (uint32_t)tg_below(&r, 256));
		struct dif_cfg *g = NULL;
		struct dif_errors errs;
		dif_errors_clear(&errs);
		int rc = dif_cfg_build(p->d, &o, &g, &errs);
		if (rc) {
			cr_assert_null(g);
			cr_assert(rc == DIF_E_BRANCH_BACK || rc == DIF_E_BRANCH_TARGET ||
			          rc == DIF_E_REG, "rc %d", rc);
			cr_assert_eq(errs.count, 1);
			cr_assert_lt(errs.list[0].pc, n);
		} else {
			built++;
			check_blocks(p, g, seed);
			check_doms(g, seed);
			struct dif_du_walk *w = dif_du_walk_new(g);
			cr_assert_not_null(w);
			for (uint32_t k = 0; k < dif_du_nnodes(g); k++) {
				const uint32_t *defs;
				const struct dif_use *uses;
				(void)dif_du_reaching(w, k, &defs);
				(void)dif_du_uses_of(w, k, &uses);
				(void)dif_du_origins(w, k, &defs);
			}
			dif_du_walk_free(w);
			dif_cfg_free(g);
		}
		dif_difo_free(p->d);
		free(p);
	}
	cr_assert_gt(built, count / 20, "seed %llu: only %u built",
	             (unsigned long long)seed, built);
}

/* Each check runs a fixed seed and a fresh one, printed for replay. */
static void fresh(const char *what, void (*run)(uint64_t, unsigned),
                  unsigned count)
{
	uint64_t seed = fresh_seed();
	fprintf(stderr, "cfg_random %s: fresh seed %llu (DIFVM_CFG_SEED=%llu "
	        "replays)\n", what, (unsigned long long)seed,
	        (unsigned long long)seed);
	run(seed, count);
}

Test(cfg_random, testgen_fixed_seed) { run_testgen(0xc0ffee, 400); }
Test(cfg_random, testgen_fresh_seed) { fresh("testgen", run_testgen, 400); }
Test(cfg_random, branchy_fixed_seed) { run_branchy(0xbeef, 1500); }
Test(cfg_random, branchy_fresh_seed) { fresh("branchy", run_branchy, 1500); }
Test(cfg_random, garbage_fixed_seed) { run_garbage(0x6a7ba6e, 20000); }
Test(cfg_random, garbage_fresh_seed) { fresh("garbage", run_garbage, 20000); }
