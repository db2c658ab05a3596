/*
 * The def-use graph of one DIFO (include/difvm/cfg.h).
 *
 * One forward pass over the blocks in pc order (a topological order). The
 * state maps every tracked location (registers, condition codes, tuple
 * slots, variables this DIFO writes) to the node of the value it holds.
 * At a join, a location whose incoming nodes differ gets a MERGE node with
 * one operand per predecessor edge; otherwise the common node flows on. A
 * block's outgoing state is kept until its last successor has read it.
 * Uses record the node they read, so per-use lists of reaching
 * definitions are never materialised; walkers enumerate them on demand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

#define LOC_CC(g) ((g)->nregs)
#define LOC_TUPLE(g, i) ((g)->nregs + 1u + (i))
#define NFIXED(g) ((g)->nregs + 1u + DIF_NTREGS)

/* Grows *arr (of elem bytes) to hold at least need elements. */
static int grow(struct dif_cfg *g, void **arr, uint32_t *cap, uint32_t need,
                size_t elem)
{
	if (need <= *cap)
		return 0;
	uint64_t nc = *cap ? (uint64_t)*cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	if (nc > UINT32_MAX - 1 || nc * elem > SIZE_MAX)
		return DIF_E_NOMEM;
	void *p = realloc(*arr, (size_t)nc * elem);
	if (!p)
		return DIF_E_NOMEM;
	g->cur_bytes += (size_t)(nc - *cap) * elem;
	g->growable_bytes += (size_t)(nc - *cap) * elem;
	if (g->cur_bytes > g->stats.bytes)
		g->stats.bytes = g->cur_bytes;
	*arr = p;
	*cap = (uint32_t)nc;
	return 0;
}

/* ---------------------------------------------------------------------
 * Locations.
 */
static uint64_t loc_key(const struct dif_loc *l)
{
	return ((uint64_t)l->kind << 48) | ((uint64_t)l->scope << 40) |
	       ((uint64_t)l->vkind << 32) | l->id;
}

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* Index of a variable location, or DIF_CFG_NONE. */
static uint32_t loc_find(const struct dif_cfg *g, const struct dif_loc *l)
{
	if (!g->lockcap)
		return DIF_CFG_NONE;
	uint64_t k = loc_key(l);
	for (uint32_t i = (uint32_t)hash64(k) & (g->lockcap - 1);;
	     i = (i + 1) & (g->lockcap - 1)) {
		if (g->lockidx[i] == DIF_CFG_NONE)
			return DIF_CFG_NONE;
		if (g->lockeys[i] == k)
			return g->lockidx[i];
	}
}

static int loc_add(struct dif_cfg *g, const struct dif_loc *l, uint32_t *idx)
{
	if (grow(g, (void **)&g->locs, &g->caplocs, g->nlocs + 1,
	         sizeof(*g->locs)))
		return DIF_E_NOMEM;
	struct du_loc *dl = &g->locs[g->nlocs];
	memset(dl, 0, sizeof(*dl));
	dl->loc = *l;
	dl->entry = dl->slot = dl->vslot = DIF_CFG_NONE;
	*idx = g->nlocs++;
	return 0;
}

/* Interns a variable location (the table was sized for every instruction). */
static int loc_intern(struct dif_cfg *g, const struct dif_loc *l,
                      uint32_t *idx)
{
	uint64_t k = loc_key(l);
	uint32_t i = (uint32_t)hash64(k) & (g->lockcap - 1);
	for (;; i = (i + 1) & (g->lockcap - 1)) {
		g->stats.du_ops++;
		if (g->lockidx[i] == DIF_CFG_NONE)
			break;
		if (g->lockeys[i] == k) {
			*idx = g->lockidx[i];
			return 0;
		}
	}
	int rc = loc_add(g, l, idx);
	if (rc)
		return rc;
	g->lockeys[i] = k;
	g->lockidx[i] = *idx;
	return 0;
}

/* The variable location an instruction names, if any. */
static bool insn_var(const struct dif_opinfo *oi, uint32_t w,
                     struct dif_loc *l)
{
	memset(l, 0, sizeof(*l));
	switch (oi->cls) {
	case DIF_IC_LDV:
	case DIF_IC_STV:
		l->kind = DIF_LOC_VAR;
		l->scope = (uint8_t)dif_isa_scope(oi);
		l->vkind = (oi->flags & DIF_F_ASSOC) ? DIF_VKIND_ARRAY
		                                     : DIF_VKIND_SCALAR;
		l->id = DIF_I_INDEX(w);
		return true;
	case DIF_IC_LDA:
	case DIF_IC_STGA:
		l->kind = DIF_LOC_BARRAY;
		l->scope = (uint8_t)dif_isa_scope(oi);
		l->vkind = DIF_VKIND_ARRAY;
		l->id = DIF_I_R1(w);
		return true;
	default:
		return false;
	}
}

size_t dif_loc_text(const struct dif_loc *l, enum dif_profile p, char *buf,
                    size_t len)
{
	static const char *const scopes[] = { "global", "thread", "local" };
	if (!buf)
		len = 0; /* measure only */
	if (!l) {
		if (len)
			buf[0] = '\0';
		return 0;
	}
	const char *sc = l->scope < 3 ? scopes[l->scope] : "?";
	int n;
	switch (l->kind) {
	case DIF_LOC_REG:
		n = snprintf(buf, len, "%%r%u", l->id);
		break;
	case DIF_LOC_CC:
		n = snprintf(buf, len, "cc");
		break;
	case DIF_LOC_TUPLE:
		n = snprintf(buf, len, "tuple[%u]", l->id);
		break;
	case DIF_LOC_BARRAY: {
		const char *name = dif_var_name(l->id, p);
		n = name ? snprintf(buf, len, "%s[]", name)
		         : snprintf(buf, len, "array 0x%x[]", l->id);
		break;
	}
	case DIF_LOC_VAR: {
		const char *name = l->id < DIF_VAR_OTHER_UBASE && l->scope == DIF_VSCOPE_GLOBAL
		                       ? dif_var_name(l->id, p)
		                       : NULL;
		if (name)
			n = snprintf(buf, len, "%s", name);
		else
			n = snprintf(buf, len, "%s %s 0x%x", sc,
			             l->vkind == DIF_VKIND_ARRAY ? "array" : "scalar",
			             l->id);
		break;
	}
	default:
		n = snprintf(buf, len, "?");
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}

/* ---------------------------------------------------------------------
 * Instruction effects.
 */
struct effect {
	unsigned nuse, ndef;
	struct {
		uint8_t role;
		uint32_t loc;
	} use[4 + DIF_NTREGS];
	struct {
		uint32_t loc;
		uint8_t weak;
	} def[DIF_NTREGS];
	unsigned mask; /* tuple depths possible after it (bit d: depth d) */
};

static void use(struct effect *e, unsigned role, uint32_t loc)
{
	e->use[e->nuse].role = (uint8_t)role;
	e->use[e->nuse++].loc = loc;
}

static void def(struct effect *e, uint32_t loc, bool weak)
{
	e->def[e->ndef].loc = loc;
	e->def[e->ndef++].weak = weak;
}

/* Highest depth in a mask + 1 (slots a consumer may read). */
static unsigned mask_top(unsigned mask)
{
	unsigned top = 0;
	for (unsigned d = 0; d <= DIF_NTREGS; d++)
		if (mask & (1u << d))
			top = d;
	return top;
}

static void tuple_uses(const struct dif_cfg *g, struct effect *e,
                       unsigned mask)
{
	unsigned top = mask_top(mask);
	for (unsigned i = 0; i < top; i++)
		use(e, DIF_USE_TUPLE, LOC_TUPLE(g, i));
}

static void push(const struct dif_cfg *g, struct effect *e, unsigned mask)
{
	unsigned n = 0;
	for (unsigned d = 0; d < DIF_NTREGS; d++)
		n += (mask >> d) & 1u;
	for (unsigned d = 0; d < DIF_NTREGS; d++)
		if (mask & (1u << d))
			def(e, LOC_TUPLE(g, d), n > 1);
	/* a push at depth 8 faults: that path ends */
	e->mask = (mask << 1) & ((2u << DIF_NTREGS) - 1) & ~1u;
}

static void effect_of(const struct dif_cfg *g, uint32_t w,
                      const struct dif_opinfo *oi, uint32_t varloc,
                      unsigned mask, struct effect *e)
{
	unsigned op = DIF_I_OP(w), r1 = DIF_I_R1(w), r2 = DIF_I_R2(w),
	         rd = DIF_I_RD(w);
	e->nuse = e->ndef = 0;
	e->mask = mask;
	if (!oi)
		return;
	bool assoc = (oi->flags & DIF_F_ASSOC) != 0;
	switch (oi->cls) {
	case DIF_IC_ALU3:
		use(e, DIF_USE_R1, r1);
		use(e, DIF_USE_R2, r2);
		if (op == DIF_OPC_COPYS)
			use(e, DIF_USE_RD, rd); /* destination address */
		else
			def(e, rd, false);
		break;
	case DIF_IC_ALU2:
	case DIF_IC_LOAD:
		use(e, DIF_USE_R1, r1);
		def(e, rd, false);
		break;
	case DIF_IC_CMP:
		use(e, DIF_USE_R1, r1);
		use(e, DIF_USE_R2, r2);
		def(e, LOC_CC(g), op == DIF_OPC_SCMP);
		break;
	case DIF_IC_TST:
		use(e, DIF_USE_R1, r1);
		def(e, LOC_CC(g), false);
		break;
	case DIF_IC_BRANCH:
		if (op != DIF_OPC_BA)
			use(e, DIF_USE_CC, LOC_CC(g));
		break;
	case DIF_IC_STORE:
		use(e, DIF_USE_R1, r1);
		use(e, DIF_USE_RD, rd);
		break;
	case DIF_IC_RET:
		use(e, DIF_USE_RD, rd);
		break;
	case DIF_IC_NONE:
		if (op == DIF_OPC_POPTS)
			e->mask = (mask >> 1) | (mask & 1u);
		else if (op == DIF_OPC_FLUSHTS)
			e->mask = 1;
		break;
	case DIF_IC_SETX:
	case DIF_IC_SETS:
	case DIF_IC_XLATE:
		def(e, rd, false);
		break;
	case DIF_IC_LDA:
		use(e, DIF_USE_R2, r2);
		use(e, DIF_USE_VAR, varloc);
		def(e, rd, false);
		break;
	case DIF_IC_STGA:
		use(e, DIF_USE_R2, r2);
		use(e, DIF_USE_RD, rd);
		def(e, varloc, true);
		break;
	case DIF_IC_LDV:
		if (assoc)
			tuple_uses(g, e, mask);
		use(e, DIF_USE_VAR, varloc);
		def(e, rd, false);
		break;
	case DIF_IC_STV:
		use(e, DIF_USE_RD, rd);
		if (assoc)
			tuple_uses(g, e, mask);
		def(e, varloc, assoc);
		break;
	case DIF_IC_CALL:
		tuple_uses(g, e, mask);
		def(e, rd, true);
		break;
	case DIF_IC_PUSHTR:
		use(e, DIF_USE_R2, r2);
		use(e, DIF_USE_RD, rd);
		push(g, e, mask);
		break;
	case DIF_IC_PUSHTV:
		use(e, DIF_USE_RD, rd);
		push(g, e, mask);
		break;
	default:
		break;
	}
}

/* ---------------------------------------------------------------------
 * Nodes.
 */
static int new_node(struct dif_cfg *g, unsigned kind, uint32_t loc,
                    uint32_t pc, uint32_t block, uint32_t nops, uint32_t *id)
{
	if (grow(g, (void **)&g->nodes, &g->capnodes, g->nnodes + 1,
	         sizeof(*g->nodes)) ||
	    grow(g, (void **)&g->ops, &g->capops, g->nops + nops,
	         sizeof(*g->ops)))
		return DIF_E_NOMEM;
	struct du_node *n = &g->nodes[g->nnodes];
	n->kind = (uint8_t)kind;
	n->loc = loc;
	n->pc = pc;
	n->block = block;
	n->op_off = g->nops;
	n->nops = nops;
	for (uint32_t i = 0; i < nops; i++)
		g->ops[g->nops + i] = DIF_CFG_NONE;
	g->nops += nops;
	g->stats.operands += nops;
	g->stats.nodes++;
	if (kind == DIF_DEF_MERGE)
		g->stats.merges++;
	*id = g->nnodes++;
	return 0;
}

/*
 * Pass state. A block's outgoing state is a dense vector for the fixed
 * locations (registers, cc, tuple slots), then the tuple depth mask, then
 * the root of a persistent 8-ary tree over the variables the DIFO writes:
 * a definition copies one path (log8 W nodes), a block inherits its
 * predecessor's root for free, and a join descends only into subtrees
 * whose roots differ. So variables cost per definition and per merge, not
 * per block.
 */
#define TF 8u /* tree fanout */
#define TSH 3u

struct pass {
	uint32_t nslots;  /* fixed locations */
	uint32_t **out;   /* per block, NULL once consumed */
	uint32_t *need;   /* successor edges still to read out[b] */
	uint8_t *alive;   /* some execution leaves block b */
	uint32_t *cur;    /* nslots + 2: fixed, mask, variable root */
	uint32_t *varloc; /* per pc: variable location or NONE */
	uint32_t *slotloc; /* per fixed slot: its location */
	uint32_t nvslots, depth; /* written variables; tree levels */
	uint32_t *vslotloc; /* per variable slot: its location */
	uint32_t ntn;      /* tree nodes in use (g->tn, TF words each; g->trc:
	                      their reference counts) */
	uint32_t tfree;    /* free list of tree nodes (linked through word 0) */
	uint32_t *mroots;  /* join scratch: depth * predecessor edges */
};

/* Tree nodes are reference counted (by parents, the working state and
 * the kept block states), so memory holds the live states only. A new
 * node has one reference, its creator's. */
static int tree_new(struct dif_cfg *g, struct pass *ps, uint32_t *id)
{
	if (ps->tfree != DIF_CFG_NONE) {
		*id = ps->tfree;
		ps->tfree = g->tn[*id * TF];
		g->trc[*id] = 1;
		return 0;
	}
	if (grow(g, (void **)&g->tn, &g->captn, (ps->ntn + 1) * TF,
	         sizeof(uint32_t)) ||
	    grow(g, (void **)&g->trc, &g->captrc, ps->ntn + 1, sizeof(uint32_t)))
		return DIF_E_NOMEM;
	*id = ps->ntn++;
	g->trc[*id] = 1;
	return 0;
}

static void tree_retain(struct dif_cfg *g, uint32_t id)
{
	if (id != DIF_CFG_NONE)
		g->trc[id]++;
}

/* Drops one reference to a node of `level` (0: leaf). */
static void tree_release(struct dif_cfg *g, struct pass *ps, uint32_t id,
                         uint32_t level)
{
	if (id == DIF_CFG_NONE || --g->trc[id] > 0)
		return;
	if (level > 0)
		for (uint32_t c = 0; c < TF; c++)
			tree_release(g, ps, g->tn[id * TF + c], level - 1);
	g->stats.du_ops++;
	g->tn[id * TF] = ps->tfree;
	ps->tfree = id;
}

/* The initial tree: every written variable holds its entry node. */
static int tree_init(struct dif_cfg *g, struct pass *ps, uint32_t level,
                     uint32_t base, uint32_t *root)
{
	uint32_t id;
	if (tree_new(g, ps, &id))
		return DIF_E_NOMEM;
	for (uint32_t i = 0; i < TF; i++) {
		uint32_t slot = base + (i << (TSH * level)), v = DIF_CFG_NONE;
		if (level == 0) {
			if (slot < ps->nvslots)
				v = g->locs[ps->vslotloc[slot]].entry;
		} else if (slot < ps->nvslots) {
			if (tree_init(g, ps, level - 1, slot, &v))
				return DIF_E_NOMEM;
		}
		g->tn[id * TF + i] = v;
	}
	*root = id;
	return 0;
}

static uint32_t tree_get(struct dif_cfg *g, const struct pass *ps,
                         uint32_t root, uint32_t slot)
{
	uint32_t n = root;
	for (uint32_t level = ps->depth; level-- > 0;) {
		g->stats.du_ops++;
		n = g->tn[n * TF + ((slot >> (TSH * level)) & (TF - 1))];
	}
	return n;
}

static int tree_set(struct dif_cfg *g, struct pass *ps, uint32_t *root,
                    uint32_t slot, uint32_t val)
{
	uint32_t path[12], n = *root;
	for (uint32_t level = ps->depth; level-- > 0;) {
		path[level] = n;
		if (level)
			n = g->tn[n * TF + ((slot >> (TSH * level)) & (TF - 1))];
	}
	uint32_t child = val;
	for (uint32_t level = 0; level < ps->depth; level++) {
		uint32_t id, at = (slot >> (TSH * level)) & (TF - 1);
		if (tree_new(g, ps, &id))
			return DIF_E_NOMEM;
		memcpy(&g->tn[id * TF], &g->tn[path[level] * TF],
		       TF * sizeof(uint32_t));
		if (level > 0)
			for (uint32_t c = 0; c < TF; c++)
				if (c != at)
					tree_retain(g, g->tn[id * TF + c]);
		g->tn[id * TF + at] = child;
		child = id;
		g->stats.du_ops += TF;
	}
	tree_release(g, ps, *root, ps->depth - 1);
	*root = child;
	return 0;
}

/* Whether the k entries of v other than NONE are all equal; *first gets
 * the first of them. */
static bool all_same(struct dif_cfg *g, const uint32_t *v, uint32_t k,
                     uint32_t *first)
{
	*first = DIF_CFG_NONE;
	for (uint32_t i = 0; i < k; i++) {
		g->stats.du_ops++;
		if (v[i] == DIF_CFG_NONE)
			continue;
		if (*first == DIF_CFG_NONE)
			*first = v[i];
		else if (v[i] != *first)
			return false;
	}
	return true;
}

/* The node the k values v[] (NONE: that edge brings nothing) of one
 * variable slot merge to. */
static int merge_values(struct dif_cfg *g, struct pass *ps, uint32_t b,
                        const uint32_t *v, uint32_t k, uint32_t slot,
                        uint32_t *out)
{
	uint32_t first;
	if (all_same(g, v, k, &first)) {
		*out = first;
		return 0;
	}
	uint32_t id;
	if (new_node(g, DIF_DEF_MERGE, ps->vslotloc[slot], DIF_NO_PC, b, k, &id))
		return DIF_E_NOMEM;
	for (uint32_t i = 0; i < k; i++)
		g->ops[g->nodes[id].op_off + i] = v[i];
	*out = id;
	return 0;
}

/* Merges the tree nodes r[0..k) of level `level` (NONE: that edge brings
 * nothing) covering variable slots from base. Identical subtrees are
 * taken as they are, so the work follows the variables that differ. */
static int tree_merge(struct dif_cfg *g, struct pass *ps, uint32_t b,
                      const uint32_t *r, uint32_t k, uint32_t level,
                      uint32_t base, uint32_t *out)
{
	uint32_t first;
	if (all_same(g, r, k, &first)) {
		tree_retain(g, first); /* the caller owns a reference */
		*out = first;
		return 0;
	}
	uint32_t id;
	if (tree_new(g, ps, &id))
		return DIF_E_NOMEM;
	uint32_t *sub = ps->mroots + (size_t)level * (g->nedges + 1);
	for (uint32_t c = 0; c < TF; c++) {
		uint32_t slot = base + (c << (TSH * level));
		uint32_t v = DIF_CFG_NONE;
		if (slot < ps->nvslots) {
			for (uint32_t i = 0; i < k; i++)
				sub[i] = r[i] == DIF_CFG_NONE ? DIF_CFG_NONE
				                              : g->tn[r[i] * TF + c];
			int rc = level == 0
			             ? merge_values(g, ps, b, sub, k, slot, &v)
			             : tree_merge(g, ps, b, sub, k, level - 1, slot, &v);
			if (rc)
				return rc;
		}
		g->tn[id * TF + c] = v;
	}
	*out = id;
	return 0;
}

static int enter_block(struct dif_cfg *g, struct pass *ps, uint32_t b)
{
	uint32_t S = ps->nslots;
	uint32_t *cur = ps->cur;
	bool any = b == 0;
	for (uint32_t i = g->pred_off[b]; i < g->pred_off[b + 1]; i++)
		any |= ps->alive[g->preds[i].from];
	if (b > 0) /* the previous block's working state */
		tree_release(g, ps, cur[S + 1], ps->depth - 1);
	if (!any) {
		for (uint32_t s = 0; s < S; s++)
			cur[s] = DIF_CFG_NONE;
		cur[S] = 0; /* no execution gets here */
		cur[S + 1] = DIF_CFG_NONE;
		return 0;
	}
	if (b == 0) {
		for (uint32_t l = 0; l < g->nlocs; l++)
			if (g->locs[l].slot != DIF_CFG_NONE)
				cur[g->locs[l].slot] = g->locs[l].entry;
		cur[S] = 1;
		cur[S + 1] = DIF_CFG_NONE;
		if (ps->nvslots)
			return tree_init(g, ps, ps->depth - 1, 0, &cur[S + 1]);
		return 0;
	}
	uint32_t p0 = g->pred_off[b], p1 = g->pred_off[b + 1];
	uint32_t first = DIF_CFG_NONE;
	bool one = true;
	unsigned mask = 0;
	for (uint32_t i = p0; i < p1; i++) {
		uint32_t p = g->preds[i].from;
		if (!ps->alive[p])
			continue;
		if (first == DIF_CFG_NONE)
			first = p;
		else if (p != first)
			one = false;
		mask |= ps->out[p][S];
	}
	uint32_t *fo = ps->out[first];
	if (one) {
		memcpy(cur, fo, (S + 2) * sizeof(uint32_t));
		tree_retain(g, cur[S + 1]);
		g->stats.du_ops += S;
	} else {
		for (uint32_t s = 0; s < S; s++) {
			uint32_t v = fo[s];
			bool same = true;
			for (uint32_t i = p0; i < p1; i++) {
				uint32_t p = g->preds[i].from;
				g->stats.du_ops++;
				if (ps->alive[p] && ps->out[p][s] != v) {
					same = false;
					break;
				}
			}
			if (same) {
				cur[s] = v;
				continue;
			}
			uint32_t id;
			if (new_node(g, DIF_DEF_MERGE, ps->slotloc[s], DIF_NO_PC, b,
			             p1 - p0, &id))
				return DIF_E_NOMEM;
			for (uint32_t i = p0; i < p1; i++) {
				uint32_t p = g->preds[i].from;
				g->stats.du_ops++;
				if (ps->alive[p])
					g->ops[g->nodes[id].op_off + (i - p0)] = ps->out[p][s];
			}
			cur[s] = id;
		}
		cur[S + 1] = DIF_CFG_NONE;
		if (ps->nvslots) {
			uint32_t *r = ps->mroots + (size_t)ps->depth * (g->nedges + 1);
			for (uint32_t i = p0; i < p1; i++) {
				uint32_t p = g->preds[i].from;
				r[i - p0] = ps->alive[p] ? ps->out[p][S + 1] : DIF_CFG_NONE;
			}
			if (tree_merge(g, ps, b, r, p1 - p0, ps->depth - 1, 0,
			               &cur[S + 1]))
				return DIF_E_NOMEM;
		}
	}
	cur[S] = mask;
	/* Release states no later block needs. */
	for (uint32_t i = p0; i < p1; i++) {
		uint32_t p = g->preds[i].from;
		if (ps->alive[p] && --ps->need[p] == 0) {
			tree_release(g, ps, ps->out[p][S + 1], ps->depth - 1);
			free(ps->out[p]);
			ps->out[p] = NULL;
			g->cur_bytes -= (S + 2) * sizeof(uint32_t);
		}
	}
	return 0;
}

static int record_use(struct dif_cfg *g, uint32_t pc, unsigned role,
                      uint32_t loc, uint32_t node)
{
	if (grow(g, (void **)&g->uses, &g->capuses, g->nuses + 1,
	         sizeof(*g->uses)))
		return DIF_E_NOMEM;
	struct dif_use *u = &g->uses[g->nuses++];
	memset(u, 0, sizeof(*u));
	u->pc = pc;
	u->role = (uint8_t)role;
	u->loc = g->locs[loc].loc;
	u->node = node;
	return 0;
}

/* The node a location holds in the current state. */
static uint32_t state_get(struct dif_cfg *g, struct pass *ps, uint32_t loc)
{
	const struct du_loc *l = &g->locs[loc];
	if (l->slot != DIF_CFG_NONE)
		return ps->cur[l->slot];
	if (l->vslot != DIF_CFG_NONE)
		return tree_get(g, ps, ps->cur[ps->nslots + 1], l->vslot);
	return l->entry;
}

static int run_block(struct dif_cfg *g, struct pass *ps, uint32_t b)
{
	uint32_t S = ps->nslots;
	uint32_t *cur = ps->cur;
	/* Live while some execution gets here: not after a push that always
	 * overflows the tuple stack (no depth left in the mask). */
	bool live = cur[S] != 0;
	struct effect e;
	for (uint32_t pc = g->bstart[b]; pc < g->bstart[b + 1]; pc++) {
		uint32_t w = g->text[pc];
		effect_of(g, w, g->oi[pc], ps->varloc[pc], cur[S], &e);
		g->use_off[pc] = g->nuses;
		g->def_off[pc] = g->ndefs;
		g->stats.du_ops += 1 + e.nuse + e.ndef;
		for (unsigned i = 0; i < e.nuse; i++) {
			uint32_t node = live ? state_get(g, ps, e.use[i].loc)
			                     : DIF_CFG_NONE;
			if (record_use(g, pc, e.use[i].role, e.use[i].loc, node))
				return DIF_E_NOMEM;
		}
		for (unsigned i = 0; i < e.ndef; i++) {
			uint32_t loc = e.def[i].loc, id;
			const struct du_loc *l = &g->locs[loc];
			bool weak = e.def[i].weak;
			if (new_node(g, weak ? DIF_DEF_WEAK : DIF_DEF_INSN, loc, pc, b,
			             weak ? 1 : 0, &id))
				return DIF_E_NOMEM;
			if (weak && live)
				g->ops[g->nodes[id].op_off] = state_get(g, ps, loc);
			if (grow(g, (void **)&g->defs, &g->capdefs, g->ndefs + 1,
			         sizeof(*g->defs)))
				return DIF_E_NOMEM;
			g->defs[g->ndefs++] = id;
			if (!live)
				continue;
			if (l->slot != DIF_CFG_NONE)
				cur[l->slot] = id;
			else if (tree_set(g, ps, &cur[S + 1], l->vslot, id))
				return DIF_E_NOMEM;
		}
		cur[S] = e.mask;
		if (live && e.mask == 0) {
			live = false;
			for (uint32_t k = 0; k < S; k++)
				cur[k] = DIF_CFG_NONE;
			tree_release(g, ps, cur[S + 1], ps->depth - 1);
			cur[S + 1] = DIF_CFG_NONE;
		}
	}
	if (live && g->nsucc[b]) {
		/* malloc'd, not from the arena: freed once consumed */
		uint32_t *o = malloc((S + 2) * sizeof(uint32_t));
		if (!o)
			return DIF_E_NOMEM;
		g->cur_bytes += (S + 2) * sizeof(uint32_t);
		if (g->cur_bytes > g->stats.bytes)
			g->stats.bytes = g->cur_bytes;
		memcpy(o, cur, (S + 2) * sizeof(uint32_t));
		tree_retain(g, o[S + 1]);
		g->stats.du_ops += S;
		ps->out[b] = o;
		ps->need[b] = g->nsucc[b];
		ps->alive[b] = 1;
	}
	return 0;
}

/* Reverse edges: node -> uses reading it, node -> nodes using it. */
static int build_reverse(struct dif_cfg *g)
{
	uint32_t N = g->nnodes;
	g->ru_off = dif_cfg_alloc(g, N + 1, sizeof(uint32_t));
	g->rn_off = dif_cfg_alloc(g, N + 1, sizeof(uint32_t));
	g->ru = dif_cfg_alloc(g, g->nuses, sizeof(uint32_t));
	g->rn = dif_cfg_alloc(g, g->nops, sizeof(uint32_t));
	uint32_t *fill = dif_cfg_alloc(g, N + 1, sizeof(uint32_t));
	if (!g->ru_off || !g->rn_off || !g->ru || !g->rn || !fill)
		return DIF_E_NOMEM;
	for (uint32_t u = 0; u < g->nuses; u++)
		if (g->uses[u].node != DIF_CFG_NONE)
			g->ru_off[g->uses[u].node + 1]++;
	for (uint32_t o = 0; o < g->nops; o++)
		if (g->ops[o] != DIF_CFG_NONE)
			g->rn_off[g->ops[o] + 1]++;
	for (uint32_t n = 0; n < N; n++) {
		g->ru_off[n + 1] += g->ru_off[n];
		g->rn_off[n + 1] += g->rn_off[n];
	}
	for (uint32_t u = 0; u < g->nuses; u++) {
		uint32_t n = g->uses[u].node;
		if (n != DIF_CFG_NONE)
			g->ru[g->ru_off[n] + fill[n]++] = u;
	}
	memset(fill, 0, (N + 1) * sizeof(uint32_t));
	for (uint32_t n = 0; n < N; n++)
		for (uint32_t i = 0; i < g->nodes[n].nops; i++) {
			uint32_t o = g->ops[g->nodes[n].op_off + i];
			if (o != DIF_CFG_NONE) {
				/* a node lists each user once even if it appears on
				 * several of the user's edges */
				uint32_t k = g->rn_off[o] + fill[o];
				if (fill[o] && g->rn[k - 1] == n)
					continue;
				g->rn[k] = n;
				fill[o]++;
			}
		}
	/* Compact rn where duplicates were skipped. */
	uint32_t w = 0;
	for (uint32_t n = 0; n < N; n++) {
		uint32_t start = g->rn_off[n];
		g->rn_off[n] = w;
		for (uint32_t i = 0; i < fill[n]; i++)
			g->rn[w++] = g->rn[start + i];
	}
	g->rn_off[N] = w;
	g->stats.du_ops += g->nuses + g->nops + N;
	return 0;
}

int dif_du_build(struct dif_cfg *g, const struct dif_difo *d)
{
	uint32_t n = g->ninsns;
	struct pass ps = { 0 };
	int rc = DIF_E_NOMEM;
	g->has_du = 1;

	/* Fixed locations, then every variable the DIFO names. */
	for (uint32_t i = 0; i < NFIXED(g); i++) {
		struct dif_loc l = { 0 };
		uint32_t idx;
		if (i < g->nregs) {
			l.kind = DIF_LOC_REG;
			l.id = i;
		} else if (i == LOC_CC(g)) {
			l.kind = DIF_LOC_CC;
		} else {
			l.kind = DIF_LOC_TUPLE;
			l.id = i - g->nregs - 1;
		}
		if (loc_add(g, &l, &idx))
			goto out;
		g->locs[idx].written = 1;
	}
	uint32_t nvar = 0;
	for (uint32_t pc = 0; pc < n; pc++) {
		const struct dif_opinfo *oi = g->oi[pc];
		struct dif_loc l;
		nvar += oi && insn_var(oi, g->text[pc], &l);
	}
	g->lockcap = 16;
	while (g->lockcap < 2 * nvar + 2)
		g->lockcap *= 2;
	g->lockeys = dif_cfg_alloc(g, g->lockcap, sizeof(uint64_t));
	g->lockidx = dif_cfg_alloc(g, g->lockcap, sizeof(uint32_t));
	ps.varloc = dif_cfg_alloc(g, n, sizeof(uint32_t));
	if (!g->lockeys || !g->lockidx || !ps.varloc)
		goto out;
	memset(g->lockidx, 0xff, g->lockcap * sizeof(uint32_t));
	for (uint32_t pc = 0; pc < n; pc++) {
		uint32_t w = g->text[pc];
		const struct dif_opinfo *oi = g->oi[pc];
		struct dif_loc l;
		ps.varloc[pc] = DIF_CFG_NONE;
		if (!oi || !insn_var(oi, w, &l))
			continue;
		if (loc_intern(g, &l, &ps.varloc[pc]))
			goto out;
		if (oi->cls == DIF_IC_STV || oi->cls == DIF_IC_STGA)
			g->locs[ps.varloc[pc]].written = 1;
	}
	/* By-ref user variables (their loads yield a pointer, not a copy). */
	for (uint32_t i = 0; i < d->varlen; i++) {
		const struct dif_var *v = &d->vartab[i];
		struct dif_loc l = { .kind = DIF_LOC_VAR, .scope = v->scope,
			                 .vkind = v->kind, .id = v->id };
		uint32_t idx = loc_find(g, &l);
		if (idx != DIF_CFG_NONE && (v->type.flags & DIF_TF_BYREF))
			g->locs[idx].byref = 1;
	}
	/* Entry nodes (node id = location index), fixed slots for the fixed
	 * locations, tree slots for the variables the DIFO writes. */
	for (uint32_t l = 0; l < g->nlocs; l++) {
		uint32_t id;
		if (new_node(g, DIF_DEF_ENTRY, l, DIF_NO_PC, 0, 0, &id))
			goto out;
		g->locs[l].entry = id;
		if (l < NFIXED(g))
			g->locs[l].slot = ps.nslots++;
		else if (g->locs[l].written)
			g->locs[l].vslot = ps.nvslots++;
	}
	ps.slotloc = dif_cfg_alloc(g, ps.nslots, sizeof(uint32_t));
	ps.vslotloc = dif_cfg_alloc(g, ps.nvslots, sizeof(uint32_t));
	if (!ps.slotloc || !ps.vslotloc)
		goto out;
	for (uint32_t l = 0; l < g->nlocs; l++) {
		if (g->locs[l].slot != DIF_CFG_NONE)
			ps.slotloc[g->locs[l].slot] = l;
		if (g->locs[l].vslot != DIF_CFG_NONE)
			ps.vslotloc[g->locs[l].vslot] = l;
	}
	ps.tfree = DIF_CFG_NONE;
	ps.depth = 1;
	while (ps.nvslots > (1u << (TSH * ps.depth)))
		ps.depth++;
	ps.mroots = dif_cfg_alloc(g, (size_t)(ps.depth + 1) * (g->nedges + 1),
	                          sizeof(uint32_t));
	if (!ps.mroots)
		goto out;

	/* Typical sizes up front: most instructions read two locations and
	 * write one. */
	if (grow(g, (void **)&g->uses, &g->capuses, 2 * n, sizeof(*g->uses)) ||
	    grow(g, (void **)&g->nodes, &g->capnodes, g->nnodes + n + n / 4,
	         sizeof(*g->nodes)) ||
	    grow(g, (void **)&g->defs, &g->capdefs, n, sizeof(*g->defs)))
		goto out;
	g->use_off = dif_cfg_alloc(g, n + 1, sizeof(uint32_t));
	g->def_off = dif_cfg_alloc(g, n + 1, sizeof(uint32_t));
	ps.out = dif_cfg_alloc(g, g->nblocks, sizeof(uint32_t *));
	ps.need = dif_cfg_alloc(g, g->nblocks, sizeof(uint32_t));
	ps.alive = dif_cfg_alloc(g, g->nblocks, 1);
	ps.cur = dif_cfg_alloc(g, ps.nslots + 2, sizeof(uint32_t));
	if (!g->use_off || !g->def_off || !ps.out || !ps.need || !ps.cur ||
	    !ps.alive)
		goto out;
	for (uint32_t b = 0; b < g->nblocks; b++) {
		rc = enter_block(g, &ps, b);
		if (!rc)
			rc = run_block(g, &ps, b);
		if (rc)
			goto out;
	}
	g->use_off[n] = g->nuses;
	g->def_off[n] = g->ndefs;
	rc = build_reverse(g);
out:
	if (ps.out)
		for (uint32_t b = 0; b < g->nblocks; b++)
			if (ps.out[b]) {
				free(ps.out[b]);
				g->cur_bytes -= (ps.nslots + 2) * sizeof(uint32_t);
			}
	return rc;
}

/* The growable arrays (the rest lives in the arena). */
void dif_du_free(struct dif_cfg *g)
{
	free(g->locs);
	free(g->nodes);
	free(g->ops);
	free(g->uses);
	free(g->defs);
	free(g->tn);
	free(g->trc);
}

/* ---------------------------------------------------------------------
 * Queries.
 */
uint32_t dif_du_nnodes(const struct dif_cfg *g)
{
	return g && g->has_du ? g->nnodes : 0;
}

int dif_du_node(const struct dif_cfg *g, uint32_t id, struct dif_def *out)
{
	if (!g || !out || !g->has_du || id >= g->nnodes)
		return DIF_E_INVAL;
	const struct du_node *n = &g->nodes[id];
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->kind = n->kind;
	out->loc = g->locs[n->loc].loc;
	out->pc = n->pc;
	out->block = n->block;
	out->nops = n->nops;
	return 0;
}

uint32_t dif_du_operand(const struct dif_cfg *g, uint32_t id, uint32_t i)
{
	if (!g || !g->has_du || id >= g->nnodes || i >= g->nodes[id].nops)
		return DIF_CFG_NONE;
	return g->ops[g->nodes[id].op_off + i];
}

uint32_t dif_du_entry(const struct dif_cfg *g, const struct dif_loc *l)
{
	if (!g || !l || !g->has_du)
		return DIF_CFG_NONE;
	switch (l->kind) {
	case DIF_LOC_REG:
		return l->id < g->nregs ? g->locs[l->id].entry : DIF_CFG_NONE;
	case DIF_LOC_CC:
		return g->locs[LOC_CC(g)].entry;
	case DIF_LOC_TUPLE:
		return l->id < DIF_NTREGS ? g->locs[LOC_TUPLE(g, l->id)].entry
		                          : DIF_CFG_NONE;
	default: {
		uint32_t idx = loc_find(g, l);
		return idx == DIF_CFG_NONE ? DIF_CFG_NONE : g->locs[idx].entry;
	}
	}
}

uint32_t dif_du_nuses(const struct dif_cfg *g, uint32_t pc)
{
	if (!g || !g->has_du || pc >= g->ninsns)
		return 0;
	return g->use_off[pc + 1] - g->use_off[pc];
}

int dif_du_use(const struct dif_cfg *g, uint32_t pc, uint32_t i,
               struct dif_use *out)
{
	if (!out || i >= dif_du_nuses(g, pc))
		return DIF_E_INVAL;
	*out = g->uses[g->use_off[pc] + i];
	return 0;
}

uint32_t dif_du_ndefs(const struct dif_cfg *g, uint32_t pc)
{
	if (!g || !g->has_du || pc >= g->ninsns)
		return 0;
	return g->def_off[pc + 1] - g->def_off[pc];
}

uint32_t dif_du_def(const struct dif_cfg *g, uint32_t pc, uint32_t i)
{
	if (i >= dif_du_ndefs(g, pc))
		return DIF_CFG_NONE;
	return g->defs[g->def_off[pc] + i];
}

/* ---------------------------------------------------------------------
 * Walkers.
 */
struct dif_du_walk {
	const struct dif_cfg *g;
	uint64_t gen;   /* g->gen when made */
	uint32_t *mark; /* per node: epoch of the last visit */
	uint32_t epoch;
	uint32_t *stack;
	uint32_t *res;
	struct dif_use *ures;
};

struct dif_du_walk *dif_du_walk_new(const struct dif_cfg *g)
{
	if (!g || !g->has_du || g->dead)
		return NULL;
	struct dif_du_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	size_t N = g->nnodes ? g->nnodes : 1;
	w->g = g;
	w->gen = g->gen;
	/* the walker holds the cfg's memory (not its graph) until freed */
	atomic_fetch_add(&((struct dif_cfg *)g)->refs, 1);
	w->mark = calloc(N, sizeof(uint32_t));
	w->stack = malloc(N * sizeof(uint32_t));
	w->res = malloc(N * sizeof(uint32_t));
	w->ures = malloc((g->nuses ? g->nuses : 1) * sizeof(struct dif_use));
	if (!w->mark || !w->stack || !w->res || !w->ures) {
		dif_du_walk_free(w);
		return NULL;
	}
	return w;
}

void dif_du_walk_free(struct dif_du_walk *w)
{
	if (!w)
		return;
	free(w->mark);
	free(w->stack);
	free(w->res);
	free(w->ures);
	dif_cfg_unref((struct dif_cfg *)w->g);
	free(w);
}

static void next_epoch(struct dif_du_walk *w)
{
	if (++w->epoch == 0) {
		memset(w->mark, 0, w->g->nnodes * sizeof(uint32_t));
		w->epoch = 1;
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Pushes n if not yet visited. */
static void visit(struct dif_du_walk *w, uint32_t *sp, uint32_t n)
{
	if (n == DIF_CFG_NONE || w->mark[n] == w->epoch)
		return;
	w->mark[n] = w->epoch;
	w->stack[(*sp)++] = n;
}

/* Starts a walk at node (false when there is no such node). */
static bool walk_begin(struct dif_du_walk *w, uint32_t node, uint32_t *sp)
{
	*sp = 0;
	if (node >= w->g->nnodes)
		return false;
	next_epoch(w);
	visit(w, sp, node);
	return true;
}

/* The walk's n results in ascending order. */
static uint32_t walk_end(struct dif_du_walk *w, uint32_t n)
{
	qsort(w->res, n, sizeof(uint32_t), cmp_u32);
	return n;
}

uint32_t dif_du_uses_of(struct dif_du_walk *w, uint32_t def,
                        const struct dif_use **uses)
{
	if (!w || !uses || w->gen != w->g->gen) {
		if (uses)
			*uses = NULL;
		return (uint32_t)-1;
	}
	const struct dif_cfg *g = w->g;
	uint32_t sp, nres = 0;
	*uses = w->ures;
	if (!walk_begin(w, def, &sp))
		return 0;
	while (sp) {
		uint32_t n = w->stack[--sp];
		for (uint32_t i = g->ru_off[n]; i < g->ru_off[n + 1]; i++)
			w->res[nres++] = g->ru[i];
		/* the value flows on through merges and past weak defs */
		for (uint32_t i = g->rn_off[n]; i < g->rn_off[n + 1]; i++)
			visit(w, &sp, g->rn[i]);
	}
	walk_end(w, nres);
	for (uint32_t i = 0; i < nres; i++)
		w->ures[i] = g->uses[w->res[i]];
	return nres;
}

/* The node of pc's use with the given role, or NONE. */
static uint32_t use_node(const struct dif_cfg *g, uint32_t pc, unsigned role)
{
	for (uint32_t i = g->use_off[pc]; i < g->use_off[pc + 1]; i++)
		if (g->uses[i].role == role)
			return g->uses[i].node;
	return DIF_CFG_NONE;
}

/* When the definition n passes on a value unchanged, the node of the value
 * it copies; else NONE (n creates the value: an origin). */
static uint32_t copy_source(const struct dif_cfg *g, const struct du_node *n,
                            bool *copy)
{
	*copy = false;
	if (n->kind != DIF_DEF_INSN && n->kind != DIF_DEF_WEAK)
		return DIF_CFG_NONE;
	uint32_t w = g->text[n->pc];
	const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w), g->profile);
	const struct du_loc *vl;
	switch (oi->cls) {
	case DIF_IC_ALU2:
		if (DIF_I_OP(w) != DIF_OPC_MOV)
			return DIF_CFG_NONE;
		*copy = true;
		return use_node(g, n->pc, DIF_USE_R1);
	case DIF_IC_STV:
	case DIF_IC_STGA:
	case DIF_IC_PUSHTV:
	case DIF_IC_PUSHTR:
		if (oi->cls == DIF_IC_STV && g->locs[n->loc].byref)
			return DIF_CFG_NONE; /* by-ref: the stored bytes, not bits */
		*copy = true;
		return use_node(g, n->pc, DIF_USE_RD);
	case DIF_IC_LDV:
		vl = NULL;
		for (uint32_t i = g->use_off[n->pc]; i < g->use_off[n->pc + 1]; i++)
			if (g->uses[i].role == DIF_USE_VAR) {
				struct dif_loc l = g->uses[i].loc;
				uint32_t idx = loc_find(g, &l);
				vl = idx == DIF_CFG_NONE ? NULL : &g->locs[idx];
			}
		/* built-in variables and by-ref loads create their value */
		if (!vl || vl->byref || vl->loc.id < DIF_VAR_OTHER_UBASE)
			return DIF_CFG_NONE;
		*copy = true;
		return use_node(g, n->pc, DIF_USE_VAR);
	default:
		return DIF_CFG_NONE;
	}
}

/* The definitions found from node through MERGE and WEAK operands; with
 * copies, an instruction that passes a value on is replaced by the
 * definitions of what it copies (type flow). */
static uint32_t walk_defs(struct dif_du_walk *w, uint32_t node,
                          const uint32_t **defs, bool copies)
{
	if (!w || !defs || w->gen != w->g->gen) {
		if (defs)
			*defs = NULL;
		return (uint32_t)-1;
	}
	const struct dif_cfg *g = w->g;
	uint32_t sp, nres = 0;
	*defs = w->res;
	if (!walk_begin(w, node, &sp))
		return 0;
	while (sp) {
		uint32_t n = w->stack[--sp];
		const struct du_node *x = &g->nodes[n];
		if (x->kind == DIF_DEF_MERGE) {
			for (uint32_t i = 0; i < x->nops; i++)
				visit(w, &sp, g->ops[x->op_off + i]);
			continue;
		}
		bool copy = false;
		uint32_t src = copies ? copy_source(g, x, &copy) : DIF_CFG_NONE;
		if (copy)
			visit(w, &sp, src);
		else
			w->res[nres++] = n;
		if (x->kind == DIF_DEF_WEAK)
			visit(w, &sp, g->ops[x->op_off]);
	}
	return walk_end(w, nres);
}

uint32_t dif_du_reaching(struct dif_du_walk *w, uint32_t node,
                         const uint32_t **defs)
{
	return walk_defs(w, node, defs, false);
}

uint32_t dif_du_origins(struct dif_du_walk *w, uint32_t node,
                        const uint32_t **defs)
{
	return walk_defs(w, node, defs, true);
}
