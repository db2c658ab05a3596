/*
 * Control flow of one DIFO: basic blocks, edges, reachability, dominators
 * and post-dominators (include/difvm/cfg.h). The def-use graph is in
 * defuse.c.
 *
 * Blocks are numbered in pc order, which is a topological order because
 * DIF branches only forward. So dominators need no iteration: the idom of
 * a block is the nearest common ancestor, in the dominator tree built so
 * far, of its reachable predecessors. Post-dominators are the same walk
 * backwards with a virtual exit as the root. Common ancestors are found
 * with skew-binary jump pointers (one extra word per node, O(log depth)
 * per query); dominance queries use pre/post numbers of the finished
 * trees, O(1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

const char *dif_edge_kind_name(int kind)
{
	return kind == DIF_EDGE_FALL ? "fall" : kind == DIF_EDGE_TAKEN ? "taken"
	                                                               : "?";
}

/* Register fields of an instruction, from its class. */
unsigned dif_cfg_regfields(const struct dif_opinfo *oi)
{
	if (!oi)
		return 0;
	switch (oi->cls) {
	case DIF_IC_ALU3:
		return DIF_RF_R1 | DIF_RF_R2 | DIF_RF_RD;
	case DIF_IC_ALU2:
	case DIF_IC_LOAD:
	case DIF_IC_STORE:
		return DIF_RF_R1 | DIF_RF_RD;
	case DIF_IC_CMP:
		return DIF_RF_R1 | DIF_RF_R2;
	case DIF_IC_TST:
		return DIF_RF_R1;
	case DIF_IC_LDA:
	case DIF_IC_STGA:
	case DIF_IC_PUSHTR:
		return DIF_RF_R2 | DIF_RF_RD;
	case DIF_IC_RET:
	case DIF_IC_SETX:
	case DIF_IC_SETS:
	case DIF_IC_LDV:
	case DIF_IC_STV:
	case DIF_IC_CALL:
	case DIF_IC_PUSHTV:
	case DIF_IC_XLATE:
		return DIF_RF_RD;
	default:
		return 0;
	}
}

void dif_cfg_err(struct dif_cfg *g, struct dif_errors *errs, int code,
                 uint32_t pc, const char *fmt, ...)
{
	char insn[64] = "", msg[200];
	if (pc != DIF_NO_PC && pc < g->ninsns)
		dif_insn_text(g->text[pc], g->profile, insn, sizeof(insn));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dif_errors_add(errs, code, pc, g->name, insn[0] ? insn : NULL, "%s: %s",
	               g->name, msg);
}

/* Zeroed memory for n elements from the build's arena; lives until the
 * next rebuild or dif_cfg_free. */
void *dif_cfg_alloc(struct dif_cfg *g, size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - 64) / size)
		return NULL;
	size_t bytes = (n * size + 15) & ~(size_t)15;
	struct cfg_chunk *c = g->arena;
	if (!c || c->cap - c->used < bytes) {
		/* chunks of about what a build of this size needs, so the last
		 * one's unused tail stays proportional to the input */
		size_t cap = 64 * 1024 + (size_t)g->ninsns * (c ? 48 : 96);
		if (cap < bytes)
			cap = bytes;
		struct cfg_chunk *nc = malloc(sizeof(*nc) + cap);
		if (!nc)
			return NULL;
		nc->next = c;
		nc->used = 0;
		nc->cap = cap;
		g->arena = c = nc;
		g->cur_bytes += cap;
		if (g->cur_bytes > g->stats.bytes)
			g->stats.bytes = g->cur_bytes;
	}
	void *p = c->data + c->used;
	c->used += bytes;
	g->arena_total += bytes;
	memset(p, 0, bytes);
	return p;
}

/* Forgets the arena's contents; several chunks become one that holds
 * what the last build needed. */
static int arena_reset(struct dif_cfg *g)
{
	struct cfg_chunk *c = g->arena;
	size_t want = g->arena_total;
	g->arena_total = 0;
	if (c && !c->next) {
		c->used = 0;
		return 0;
	}
	while (c) {
		struct cfg_chunk *next = c->next;
		free(c);
		c = next;
	}
	g->arena = NULL;
	g->cur_bytes = sizeof(*g) + g->growable_bytes;
	if (want) {
		c = malloc(sizeof(*c) + want);
		if (!c)
			return DIF_E_NOMEM;
		c->next = NULL;
		c->used = 0;
		c->cap = want;
		g->arena = c;
		g->cur_bytes += want;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Blocks and edges.
 */
static int build_blocks(struct dif_cfg *g, struct dif_errors *errs)
{
	uint32_t n = g->ninsns;
	uint8_t *lead = dif_cfg_alloc(g, n + 1, 1);
	g->oi = dif_cfg_alloc(g, n, sizeof(*g->oi));
	if (!lead || !g->oi)
		return DIF_E_NOMEM;
	lead[0] = 1;
	for (uint32_t pc = 0; pc < n; pc++) {
		uint32_t w = g->text[pc];
		const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w), g->profile);
		g->oi[pc] = oi;
		unsigned rf = dif_cfg_regfields(oi);
		g->stats.block_ops++;
		if (((rf & DIF_RF_R1) && DIF_I_R1(w) >= g->nregs) ||
		    ((rf & DIF_RF_R2) && DIF_I_R2(w) >= g->nregs) ||
		    ((rf & DIF_RF_RD) && DIF_I_RD(w) >= g->nregs)) {
			dif_cfg_err(g, errs, DIF_E_REG, pc,
			            "register number out of range (nregs %u)", g->nregs);
			return DIF_E_REG;
		}
		if (!oi)
			continue;
		if (oi->cls == DIF_IC_BRANCH) {
			uint32_t t = DIF_I_LABEL(w);
			if (t >= n) {
				dif_cfg_err(g, errs, DIF_E_BRANCH_TARGET, pc,
				            "branch target %u past the end (%u instructions)",
				            t, n);
				return DIF_E_BRANCH_TARGET;
			}
			if (t <= pc) {
				dif_cfg_err(g, errs, DIF_E_BRANCH_BACK, pc,
				            "branch target %u is not forward", t);
				return DIF_E_BRANCH_BACK;
			}
			lead[t] = 1;
			lead[pc + 1] = 1;
		} else if (oi->cls == DIF_IC_RET) {
			lead[pc + 1] = 1;
		}
	}
	uint32_t nb = 0;
	for (uint32_t pc = 0; pc < n; pc++)
		nb += lead[pc];
	g->nblocks = nb;
	g->bstart = dif_cfg_alloc(g, nb + 1, sizeof(uint32_t));
	g->blockof = dif_cfg_alloc(g, n, sizeof(uint32_t));
	g->nsucc = dif_cfg_alloc(g, nb, 1);
	g->succ = dif_cfg_alloc(g, (size_t)nb * 2, sizeof(struct dif_edge));
	g->pred_off = dif_cfg_alloc(g, nb + 1, sizeof(uint32_t));
	if (!g->bstart || !g->blockof || !g->nsucc || !g->succ || !g->pred_off)
		return DIF_E_NOMEM;
	uint32_t b = 0;
	for (uint32_t pc = 0; pc < n; pc++) {
		if (lead[pc])
			g->bstart[b++] = pc;
		g->blockof[pc] = b - 1;
	}
	g->bstart[nb] = n;

	/* Successors: fall before taken. */
	uint32_t ne = 0;
	for (b = 0; b < nb; b++) {
		uint32_t end = g->bstart[b + 1] - 1, w = g->text[end];
		const struct dif_opinfo *oi = g->oi[end];
		struct dif_edge *s = &g->succ[2 * b];
		unsigned k = 0;
		bool br = oi && oi->cls == DIF_IC_BRANCH;
		bool ends = oi && oi->cls == DIF_IC_RET;
		g->stats.block_ops++;
		if (!ends && !(br && DIF_I_OP(w) == DIF_OPC_BA) && end + 1 < n)
			s[k++] = (struct dif_edge){ b, b + 1, DIF_EDGE_FALL };
		if (br)
			s[k++] = (struct dif_edge){ b, g->blockof[DIF_I_LABEL(w)],
				                        DIF_EDGE_TAKEN };
		g->nsucc[b] = (uint8_t)k;
		ne += k;
		for (unsigned i = 0; i < k; i++)
			g->pred_off[s[i].to + 1]++;
	}
	g->nedges = ne;
	for (b = 0; b < nb; b++)
		g->pred_off[b + 1] += g->pred_off[b];
	g->preds = dif_cfg_alloc(g, ne, sizeof(struct dif_edge));
	uint32_t *fill = dif_cfg_alloc(g, nb, sizeof(uint32_t));
	if (!g->preds || !fill)
		return DIF_E_NOMEM;
	/* Predecessors come out ordered by source block, fall before taken. */
	for (b = 0; b < nb; b++)
		for (unsigned i = 0; i < g->nsucc[b]; i++) {
			struct dif_edge e = g->succ[2 * b + i];
			g->preds[g->pred_off[e.to] + fill[e.to]++] = e;
		}

	g->reach = dif_cfg_alloc(g, nb, 1);
	if (!g->reach)
		return DIF_E_NOMEM;
	g->reach[0] = 1;
	for (b = 0; b < nb; b++) {
		g->stats.block_ops++;
		if (g->reach[b])
			for (unsigned i = 0; i < g->nsucc[b]; i++)
				g->reach[g->succ[2 * b + i].to] = 1;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Dominator trees. Nodes 0..count-1; the root is its own parent.
 */
struct domtree {
	uint32_t *parent, *jump, *depth;
};

static void dt_add(struct domtree *t, uint32_t v, uint32_t p)
{
	t->parent[v] = p;
	if (v == p) {
		t->jump[v] = v;
		t->depth[v] = 0;
		return;
	}
	t->depth[v] = t->depth[p] + 1;
	uint32_t j = t->jump[p];
	if (t->depth[p] - t->depth[j] == t->depth[j] - t->depth[t->jump[j]])
		t->jump[v] = t->jump[j];
	else
		t->jump[v] = p;
}

static uint32_t dt_lca(const struct domtree *t, uint32_t u, uint32_t v,
                       uint64_t *ops)
{
	if (t->depth[u] < t->depth[v]) {
		uint32_t x = u;
		u = v;
		v = x;
	}
	uint32_t d = t->depth[v];
	while (t->depth[u] > d) {
		(*ops)++;
		u = t->depth[t->jump[u]] >= d ? t->jump[u] : t->parent[u];
	}
	/* Same depth: jump targets have equal depths too. */
	while (u != v) {
		(*ops)++;
		if (t->jump[u] != t->jump[v]) {
			u = t->jump[u];
			v = t->jump[v];
		} else {
			u = t->parent[u];
			v = t->parent[v];
		}
	}
	return u;
}

/* Pre/post numbers of the tree given by parent[] (NONE: not in the tree)
 * rooted at root, for O(1) ancestor tests. */
static int number_tree(struct dif_cfg *g, const uint32_t *parent, uint32_t count,
                       uint32_t root, uint32_t *pre, uint32_t *post)
{
	uint32_t *off = dif_cfg_alloc(g, count + 1, sizeof(uint32_t));
	uint32_t *kids = dif_cfg_alloc(g, count, sizeof(uint32_t));
	uint32_t *stack = dif_cfg_alloc(g, count, sizeof(uint32_t));
	uint32_t *next = dif_cfg_alloc(g, count, sizeof(uint32_t));
	if (!off || !kids || !stack || !next)
		return DIF_E_NOMEM;
	for (uint32_t v = 0; v < count; v++) {
		pre[v] = post[v] = DIF_CFG_NONE;
		if (v != root && parent[v] != DIF_CFG_NONE)
			off[parent[v] + 1]++;
	}
	for (uint32_t v = 0; v < count; v++)
		off[v + 1] += off[v];
	for (uint32_t v = 0; v < count; v++)
		if (v != root && parent[v] != DIF_CFG_NONE)
			kids[off[parent[v]] + next[parent[v]]++] = v;
	memset(next, 0, count * sizeof(uint32_t));
	uint32_t sp = 0, clock = 0;
	stack[sp++] = root;
	pre[root] = clock++;
	while (sp) {
		uint32_t v = stack[sp - 1];
		g->stats.dom_ops++;
		if (next[v] < off[v + 1] - off[v]) {
			uint32_t c = kids[off[v] + next[v]++];
			pre[c] = clock++;
			stack[sp++] = c;
		} else {
			post[v] = clock++;
			sp--;
		}
	}
	return 0;
}

static int build_doms(struct dif_cfg *g)
{
	uint32_t nb = g->nblocks, nt = nb + 1; /* + virtual exit (nb) */
	struct domtree t;
	t.parent = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	t.jump = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	t.depth = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	g->idom = dif_cfg_alloc(g, nb, sizeof(uint32_t));
	g->ipdom = dif_cfg_alloc(g, nb, sizeof(uint32_t));
	g->dpre = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	g->dpost = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	g->ppre = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	g->ppost = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	uint32_t *par = dif_cfg_alloc(g, nt, sizeof(uint32_t));
	if (!t.parent || !t.jump || !t.depth || !g->idom || !g->ipdom ||
	    !g->dpre || !g->dpost || !g->ppre || !g->ppost || !par)
		return DIF_E_NOMEM;

	/* Dominators, forwards. */
	dt_add(&t, 0, 0);
	g->idom[0] = DIF_CFG_NONE;
	par[0] = 0;
	for (uint32_t b = 1; b < nb; b++) {
		g->idom[b] = par[b] = DIF_CFG_NONE;
		if (!g->reach[b])
			continue;
		uint32_t d = DIF_CFG_NONE;
		for (uint32_t i = g->pred_off[b]; i < g->pred_off[b + 1]; i++) {
			uint32_t p = g->preds[i].from;
			g->stats.dom_ops++;
			if (!g->reach[p])
				continue;
			d = d == DIF_CFG_NONE ? p : dt_lca(&t, d, p, &g->stats.dom_ops);
		}
		g->idom[b] = par[b] = d;
		dt_add(&t, b, d);
	}
	int rc = number_tree(g, par, nb, 0, g->dpre, g->dpost);
	if (rc)
		return rc;

	/* Post-dominators, backwards from the virtual exit. */
	dt_add(&t, nb, nb);
	par[nb] = nb;
	for (uint32_t b = nb; b-- > 0;) {
		uint32_t d = DIF_CFG_NONE;
		if (g->nsucc[b] == 0)
			d = nb;
		for (unsigned i = 0; i < g->nsucc[b]; i++) {
			uint32_t s = g->succ[2 * b + i].to;
			g->stats.dom_ops++;
			d = d == DIF_CFG_NONE ? s : dt_lca(&t, d, s, &g->stats.dom_ops);
		}
		par[b] = d;
		g->ipdom[b] = d == nb ? DIF_CFG_EXIT : d;
		dt_add(&t, b, d);
	}
	return number_tree(g, par, nt, nb, g->ppre, g->ppost);
}

/* ---------------------------------------------------------------------
 * Public API.
 */
/* Checks the options; 0 or DIF_E_OPTS. */
static int read_opts(const struct dif_cfg_opts *opts, uint32_t *nregs,
                     uint32_t *flags, enum dif_profile *profile)
{
	if (opts && !dif_opts_tail_zero(opts, opts->size, sizeof(*opts)))
		return DIF_E_OPTS; /* unknown trailing fields must be zero */
	*nregs = DIF_OPT(opts, nregs, 0);
	*flags = DIF_OPT(opts, flags, 0);
	*profile = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	if (*nregs == 0)
		*nregs = DIF_NREGS;
	if (*nregs > 256 || (*flags & ~DIF_CFG_NO_DEFUSE) ||
	    (*profile != DIF_PROFILE_FREEBSD && *profile != DIF_PROFILE_ILLUMOS))
		return DIF_E_OPTS;
	return 0;
}

int dif_cfg_rebuild(struct dif_cfg *g, const struct dif_difo *difo,
                    const struct dif_cfg_opts *opts, struct dif_errors *errs)
{
	if (!g || !difo || g->dead)
		return DIF_E_INVAL;
	uint32_t nregs, flags;
	enum dif_profile profile;
	int rc = read_opts(opts, &nregs, &flags, &profile);
	if (rc)
		return rc;
	/* Forget the previous graph; keep the memory. */
	struct dif_cfg keep = *g;
	memset(g, 0, sizeof(*g));
	g->arena = keep.arena;
	g->arena_total = keep.arena_total;
	g->locs = keep.locs;
	g->caplocs = keep.caplocs;
	g->nodes = keep.nodes;
	g->capnodes = keep.capnodes;
	g->ops = keep.ops;
	g->capops = keep.capops;
	g->uses = keep.uses;
	g->capuses = keep.capuses;
	g->defs = keep.defs;
	g->capdefs = keep.capdefs;
	g->tn = keep.tn;
	g->captn = keep.captn;
	g->trc = keep.trc;
	g->captrc = keep.captrc;
	g->growable_bytes = keep.growable_bytes;
	g->cur_bytes = keep.cur_bytes;
	g->gen = keep.gen + 1; /* walkers of the old graph are stale */
	atomic_init(&g->refs, atomic_load(&keep.refs));
	if (arena_reset(g))
		return DIF_E_NOMEM;
	g->stats.bytes = g->cur_bytes;
	g->profile = profile;
	g->nregs = nregs;
	snprintf(g->name, sizeof(g->name), "%s", difo->name ? difo->name : "difo");
	if (difo->textlen == 0) {
		dif_cfg_err(g, errs, DIF_E_NO_TEXT, DIF_NO_PC, "no instructions");
		return DIF_E_NO_TEXT;
	}
	g->ninsns = difo->textlen; /* sizes the arena's first chunk */
	g->text = dif_cfg_alloc(g, difo->textlen, sizeof(uint32_t));
	if (!g->text) {
		rc = DIF_E_NOMEM;
	} else {
		memcpy(g->text, difo->text, difo->textlen * sizeof(uint32_t));
		g->ninsns = difo->textlen;
		rc = build_blocks(g, errs);
		if (!rc)
			rc = build_doms(g);
		if (!rc && !(flags & DIF_CFG_NO_DEFUSE))
			rc = dif_du_build(g, difo);
	}
	g->oi = NULL; /* arena memory: build time only */
	if (rc) {
		if (rc == DIF_E_NOMEM)
			dif_cfg_err(g, errs, DIF_E_NOMEM, DIF_NO_PC, "out of memory");
		/* no graph: every query sees an empty cfg */
		g->ninsns = g->nblocks = g->nedges = 0;
		g->has_du = 0;
	}
	return rc;
}

int dif_cfg_build(const struct dif_difo *difo, const struct dif_cfg_opts *opts,
                  struct dif_cfg **out, struct dif_errors *errs)
{
	if (out)
		*out = NULL;
	if (!difo || !out)
		return DIF_E_INVAL;
	struct dif_cfg *g = calloc(1, sizeof(*g));
	if (!g)
		return DIF_E_NOMEM;
	atomic_init(&g->refs, 1);
	g->cur_bytes = sizeof(*g);
	int rc = dif_cfg_rebuild(g, difo, opts, errs);
	if (rc) {
		dif_cfg_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

void dif_cfg_free(struct dif_cfg *g)
{
	if (!g || g->dead)
		return;
	g->dead = true;
	g->gen++;
	dif_cfg_unref(g);
}

void dif_cfg_unref(struct dif_cfg *g)
{
	if (atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	for (struct cfg_chunk *c = g->arena, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	dif_du_free(g);
	free(g);
}

uint32_t dif_cfg_ninsns(const struct dif_cfg *g)
{
	return g ? g->ninsns : 0;
}

uint32_t dif_cfg_nblocks(const struct dif_cfg *g)
{
	return g ? g->nblocks : 0;
}

uint32_t dif_cfg_nedges(const struct dif_cfg *g)
{
	return g ? g->nedges : 0;
}

int dif_cfg_block(const struct dif_cfg *g, uint32_t id, struct dif_block *out)
{
	if (!g || !out || id >= g->nblocks)
		return DIF_E_INVAL;
	memset(out, 0, sizeof(*out));
	out->id = id;
	out->start = g->bstart[id];
	out->end = g->bstart[id + 1] - 1;
	out->nsucc = g->nsucc[id];
	for (unsigned i = 0; i < out->nsucc; i++)
		out->succ[i] = g->succ[2 * id + i];
	out->npred = g->pred_off[id + 1] - g->pred_off[id];
	out->idom = g->idom[id];
	out->ipdom = g->ipdom[id];
	out->reachable = g->reach[id] != 0;
	return 0;
}

int dif_cfg_pred(const struct dif_cfg *g, uint32_t id, uint32_t i,
                 struct dif_edge *out)
{
	if (!g || !out || id >= g->nblocks ||
	    i >= g->pred_off[id + 1] - g->pred_off[id])
		return DIF_E_INVAL;
	*out = g->preds[g->pred_off[id] + i];
	return 0;
}

uint32_t dif_cfg_block_of(const struct dif_cfg *g, uint32_t pc)
{
	return g && pc < g->ninsns ? g->blockof[pc] : DIF_CFG_NONE;
}

bool dif_cfg_reachable(const struct dif_cfg *g, uint32_t id)
{
	return g && id < g->nblocks && g->reach[id];
}

bool dif_cfg_dominates(const struct dif_cfg *g, uint32_t a, uint32_t b)
{
	if (!g || a >= g->nblocks || b >= g->nblocks || !g->reach[a] ||
	    !g->reach[b])
		return false;
	return g->dpre[a] <= g->dpre[b] && g->dpost[b] <= g->dpost[a];
}

bool dif_cfg_postdominates(const struct dif_cfg *g, uint32_t a, uint32_t b)
{
	if (!g || a >= g->nblocks || b >= g->nblocks)
		return false;
	return g->ppre[a] <= g->ppre[b] && g->ppost[b] <= g->ppost[a];
}

void dif_cfg_get_stats(const struct dif_cfg *g, struct dif_cfg_stats *out)
{
	if (!out)
		return;
	if (!g) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = g->stats;
}
