/*
 * difvm control flow and def-use analysis of one DIFO (docs/verifier.md,
 * section "cfg").
 *
 * DIF branches only forward, so the control-flow graph of a DIFO is a DAG
 * whose blocks, numbered in pc order, are already topologically sorted.
 * Everything below is computed in one forward pass (and one backward pass
 * for post-dominators) in that order; no iteration, no path enumeration.
 *
 * Blocks. A leader is pc 0, every branch target, and every instruction
 * after a branch or `ret`. Block ids are dense, 0 is the entry, and blocks
 * are in pc order. Each block has at most two successor edges: `fall`
 * (execution continues at end + 1) and `taken` (a branch to its label).
 * A conditional branch to end + 1 has both edges to the same block; `ba`
 * has only `taken`; `ret` (and a last instruction that is no branch) has
 * none. A block is unreachable when no path from the entry reaches it.
 *
 * Def-use graph (HyperTrace's information flow graph). A location is a
 * register, the condition codes, a tuple-stack slot, or a variable: a
 * user variable of any scope and kind (global / thread-local /
 * clause-local scalar, global / thread-local associative array) or a
 * built-in variable or array. For every instruction, its uses (locations
 * it reads) and its definitions (locations it writes) are recorded. Each
 * use points at one node of the graph:
 *
 *   DIF_DEF_ENTRY  the value a location holds when the DIFO starts:
 *                  %r0 is 0; %r1..%r7 are undefined (DTrace does not
 *                  clear them: garbage); the condition codes are clear;
 *                  tuple slots are empty; a variable holds its initial or
 *                  persisting value (set by another DIFO or an earlier
 *                  firing); built-in variables come from the host.
 *   DIF_DEF_INSN   an instruction that writes the location.
 *   DIF_DEF_WEAK   an instruction that may or may not write it, so the
 *                  value before it can also flow past: `call` (the
 *                  destination register keeps its value when a
 *                  subroutine writes no result), `scmp` (flags stay when
 *                  a string check fails), stores to associative array
 *                  elements (other keys keep theirs), `stga`, and pushes
 *                  when the tuple depth differs between paths. Its one
 *                  operand is the node before it.
 *   DIF_DEF_MERGE  a phi-like node at a join block, one operand per
 *                  predecessor edge, made only when the incoming nodes
 *                  differ.
 *
 * The reaching definitions of a use are the ENTRY, INSN and WEAK nodes
 * reachable from its node through MERGE and WEAK operands; the uses of a
 * definition are found through the reverse edges. dif_du_walk gives both.
 *
 * Value flow and type flow are kept apart:
 *   - value flow is the def-use graph itself: the definitions whose bits
 *     a use may read in this execution of this DIFO. Memory is not a
 *     location: a store through a pointer (stb..stx, copys, bcopy...)
 *     defines no location, and a load from memory is a fresh definition.
 *   - type flow (dif_du_origins) follows value flow back through the
 *     instructions that pass a value on unchanged, in bits and in type:
 *     `mov`, a store to a by-value variable (scalar or associative
 *     element) and the loads it reaches, a tuple push (pushtv, or pushtr,
 *     whose value is the pointer) and the consumers reading the slot are
 *     not origins; it ends at the instructions that create a value (ALU,
 *     loads, constants, calls, by-ref variable loads, whose result is a
 *     pointer into variable storage) and at entry definitions (whose type
 *     comes from the variable table or, across DIFOs, from every store of
 *     the variable: that is the type checker's business).
 *
 * Cost. Let I be instructions, B blocks, E edges (E <= 2B), N the
 * registers (nregs) and W the distinct variables that this DIFO writes
 * (variables it only reads need no state: their single definition is the
 * entry). Memory comes from one arena per cfg plus a few growing arrays;
 * dif_cfg_rebuild reuses it. Blocks, edges, reachability, dominators and
 * post-dominators take O(I + E log B) time (the log is the skew-binary jump pointers of the
 * dominator-tree LCA; it is O(1) per query on real code) and O(I + B)
 * memory. In the def-use graph, registers, cc and tuple slots are a dense
 * state of N + 9 entries per block, compared once per edge at joins:
 * O((B + E) * (N + 9)). Variables live in a persistent, reference-counted
 * 8-ary tree: a definition copies one path (log8 W nodes), a block
 * inherits its predecessor's tree for free and a join descends only into
 * subtrees that differ, so variables cost O((I + M) log8 W) for M merge
 * nodes, not B * W. Block states are freed once every successor has read
 * them. The graph (uses, nodes, merge operands, reverse edges) has
 * O(I + E * (N + 9) + M) entries, independent of the number of paths:
 * per-use lists of reaching definitions, which can be quadratic, are
 * never stored; a walk lists them on demand in time linear in the nodes
 * it visits. docs/verifier.md gives measured growth.
 *
 * Errors are values: dif_cfg_build returns 0 or a DIF_E_* code and adds a
 * diagnostic (code, pc, instruction text) to errs. It needs only what the
 * analysis relies on (branch targets forward and inside the text, register
 * numbers below nregs); run dif_validate first for the rest.
 *
 * Contract:
 *  - NULL: dif_cfg_build and dif_cfg_rebuild return DIF_E_INVAL for a NULL
 *    difo, out-pointer or cfg (*out is NULL after any failure); NULL opts
 *    means the defaults, NULL errs no diagnostics. Every query takes a NULL
 *    cfg and answers as for an empty graph (0, false, DIF_CFG_NONE, or
 *    DIF_E_INVAL for the functions that fill a struct, which also refuse a
 *    NULL out). dif_loc_text(NULL loc) writes ""; a NULL buf only
 *    measures. dif_du_walk_new(NULL) is NULL; the walks return
 *    (uint32_t)-1 (and NULL in the out-pointer when given) for a NULL
 *    walker or out-pointer. The *_free functions accept NULL.
 *  - Ownership and lifetime: the cfg copies the text and does not point
 *    into the difo, which may be freed after the build. Results of a walk
 *    point into the walker and stay valid until its next query or its
 *    free. A walker belongs to one graph: after dif_cfg_rebuild or
 *    dif_cfg_free of its cfg, its walks return (uint32_t)-1 (never stale
 *    answers); it keeps the cfg's memory until dif_du_walk_free, so the
 *    two may be freed in any order. Any other use of a freed cfg is not
 *    allowed.
 *  - Threads: a built cfg is read-only; any number of threads may query it
 *    at once, each with its own walker (dif_du_walk_new and
 *    dif_du_walk_free may run concurrently). dif_cfg_rebuild and
 *    dif_cfg_free need exclusive use of the cfg and of its walkers' walks.
 */
#ifndef DIFVM_CFG_H
#define DIFVM_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "difvm/difvm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DIF_CFG_NONE UINT32_MAX /* no block / no node */
#define DIF_CFG_EXIT UINT32_MAX /* post-dominator of blocks that leave */

/* Options. flags: DIF_CFG_NO_DEFUSE builds blocks and dominators only. */
#define DIF_CFG_NO_DEFUSE 0x1u
struct dif_cfg_opts {
	size_t size;
	enum dif_profile profile;
	uint32_t nregs; /* 0: DIF_NREGS; at most 256 */
	uint32_t flags; /* DIF_CFG_* */
};

struct dif_cfg;

/* Builds the CFG (and, unless DIF_CFG_NO_DEFUSE, the def-use graph) of
 * difo. Returns 0, DIF_E_NOMEM, DIF_E_OPTS, DIF_E_NO_TEXT (empty text),
 * DIF_E_BRANCH_TARGET / DIF_E_BRANCH_BACK (a label past the end or not
 * forward) or DIF_E_REG (a register >= nregs), with a diagnostic in errs.
 * The cfg does not point into difo. */
DIF_API int dif_cfg_build(const struct dif_difo *difo,
                          const struct dif_cfg_opts *opts,
                          struct dif_cfg **out, struct dif_errors *errs);
DIF_API void dif_cfg_free(struct dif_cfg *cfg);
/* Builds the graphs of another DIFO into an existing cfg, reusing its
 * memory (a verifier going through many DIFOs calls this instead of
 * build + free each time, so it does not ask the system for fresh pages
 * per DIFO). Same options, results and errors as dif_cfg_build. Walkers
 * made for the previous graph must not be used after it. When the build
 * itself fails the cfg holds no graph (no blocks, no nodes) until the next
 * rebuild; DIF_E_INVAL and DIF_E_OPTS leave it as it was. */
DIF_API int dif_cfg_rebuild(struct dif_cfg *cfg, const struct dif_difo *difo,
                            const struct dif_cfg_opts *opts,
                            struct dif_errors *errs);

/* ---------------------------------------------------------------------
 * Blocks and edges.
 */
enum dif_edge_kind { DIF_EDGE_FALL = 0, DIF_EDGE_TAKEN = 1 };
DIF_API const char *dif_edge_kind_name(int kind); /* "fall" / "taken" */

struct dif_edge {
	uint32_t from, to; /* block ids */
	uint8_t kind;      /* enum dif_edge_kind */
};

struct dif_block {
	uint32_t id;
	uint32_t start, end;   /* inclusive pcs */
	uint32_t nsucc;        /* 0..2, fall before taken */
	struct dif_edge succ[2];
	uint32_t npred;        /* predecessor edges (see dif_cfg_pred) */
	uint32_t idom;         /* immediate dominator; DIF_CFG_NONE for the
	                          entry and for unreachable blocks */
	uint32_t ipdom;        /* immediate post-dominator; DIF_CFG_EXIT when
	                          only the virtual exit post-dominates it */
	bool reachable;
};

DIF_API uint32_t dif_cfg_ninsns(const struct dif_cfg *cfg);
DIF_API uint32_t dif_cfg_nblocks(const struct dif_cfg *cfg);
DIF_API uint32_t dif_cfg_nedges(const struct dif_cfg *cfg);
/* Fills *out; DIF_E_INVAL if id is out of range. */
DIF_API int dif_cfg_block(const struct dif_cfg *cfg, uint32_t id,
                          struct dif_block *out);
/* i-th predecessor edge of block id (in the order of the predecessors'
 * ids, fall before taken); DIF_E_INVAL when out of range. */
DIF_API int dif_cfg_pred(const struct dif_cfg *cfg, uint32_t id, uint32_t i,
                         struct dif_edge *out);
/* The block holding pc, or DIF_CFG_NONE. O(1). */
DIF_API uint32_t dif_cfg_block_of(const struct dif_cfg *cfg, uint32_t pc);
DIF_API bool dif_cfg_reachable(const struct dif_cfg *cfg, uint32_t id);
/* Whether block a dominates block b (every path from the entry to b goes
 * through a; a block dominates itself; false when b is unreachable).
 * O(1). */
DIF_API bool dif_cfg_dominates(const struct dif_cfg *cfg, uint32_t a,
                               uint32_t b);
/* Whether a post-dominates b (every path from b to an exit goes through
 * a; reflexive). O(1). */
DIF_API bool dif_cfg_postdominates(const struct dif_cfg *cfg, uint32_t a,
                                   uint32_t b);

/* ---------------------------------------------------------------------
 * Locations.
 */
enum dif_loc_kind {
	DIF_LOC_REG = 0,    /* id = register number */
	DIF_LOC_CC = 1,     /* the condition codes; id = 0 */
	DIF_LOC_TUPLE = 2,  /* id = tuple-stack slot 0..7 */
	DIF_LOC_VAR = 3,    /* variable: scope, vkind, id */
	DIF_LOC_BARRAY = 4, /* built-in array (ldga/stga); id = array id */
};
struct dif_loc {
	uint8_t kind;  /* enum dif_loc_kind */
	uint8_t scope; /* DIF_LOC_VAR: enum dif_var_scope */
	uint8_t vkind; /* DIF_LOC_VAR: enum dif_var_kind (array = assoc) */
	uint8_t pad;
	uint32_t id;
};
/* "%r3", "cc", "tuple[2]", "global scalar 0x500", "thread array 0x501",
 * "local scalar 0x502", "args[]"-style for built-ins. snprintf-like. */
DIF_API size_t dif_loc_text(const struct dif_loc *loc, enum dif_profile p,
                            char *buf, size_t len);

/* ---------------------------------------------------------------------
 * Def-use graph. Node ids are dense, 0 .. dif_du_nnodes() - 1.
 */
enum dif_def_kind {
	DIF_DEF_ENTRY = 0,
	DIF_DEF_INSN = 1,
	DIF_DEF_WEAK = 2,
	DIF_DEF_MERGE = 3,
};
struct dif_def {
	uint32_t id;    /* node id */
	uint8_t kind;   /* enum dif_def_kind */
	struct dif_loc loc;
	uint32_t pc;    /* INSN, WEAK: the instruction; else DIF_NO_PC */
	uint32_t block; /* the block of pc, or MERGE's join block; ENTRY: 0 */
	uint32_t nops;  /* MERGE: one per predecessor edge; WEAK: 1 */
};

/* How an instruction reads a location. */
enum dif_use_role {
	DIF_USE_R1 = 0,    /* register in the r1 field */
	DIF_USE_R2 = 1,    /* register in the r2 field */
	DIF_USE_RD = 2,    /* register in the rd/rs field (store address, ret,
	                      stored value, pushed value, copys destination) */
	DIF_USE_CC = 3,    /* condition codes (conditional branch) */
	DIF_USE_TUPLE = 4, /* a tuple slot (call, assoc key) */
	DIF_USE_VAR = 5,   /* the variable or built-in array read */
};
struct dif_use {
	uint32_t pc;
	uint8_t role;      /* enum dif_use_role */
	struct dif_loc loc;
	uint32_t node;     /* the node this use reads; DIF_CFG_NONE when no
	                      execution gets there (unreachable block, or
	                      after a push that overflows on every path) */
};

/* 0 when the cfg was built with DIF_CFG_NO_DEFUSE. */
DIF_API uint32_t dif_du_nnodes(const struct dif_cfg *cfg);
DIF_API int dif_du_node(const struct dif_cfg *cfg, uint32_t id,
                        struct dif_def *out);
/* i-th operand of a MERGE (predecessor edge order, as dif_cfg_pred) or
 * WEAK node; DIF_CFG_NONE when out of range or when that predecessor is
 * unreachable. */
DIF_API uint32_t dif_du_operand(const struct dif_cfg *cfg, uint32_t id,
                                uint32_t i);
/* The entry node of a location (made on demand at build time for every
 * location the DIFO mentions), or DIF_CFG_NONE if the DIFO never mentions
 * it. Registers, cc and tuple slots always have one. */
DIF_API uint32_t dif_du_entry(const struct dif_cfg *cfg,
                              const struct dif_loc *loc);

/* Uses and definitions of the instruction at pc, in a fixed order (r1,
 * r2, rd, cc, tuple slots ascending, variable). Fewer than 16 each. */
DIF_API uint32_t dif_du_nuses(const struct dif_cfg *cfg, uint32_t pc);
DIF_API int dif_du_use(const struct dif_cfg *cfg, uint32_t pc, uint32_t i,
                       struct dif_use *out);
/* Definitions made by pc: node ids of kind INSN or WEAK. */
DIF_API uint32_t dif_du_ndefs(const struct dif_cfg *cfg, uint32_t pc);
DIF_API uint32_t dif_du_def(const struct dif_cfg *cfg, uint32_t pc,
                            uint32_t i);

/* A walker: scratch space for graph queries (visited marks and result
 * buffers), one per thread; a cfg may be queried by several walkers at
 * once. Results stay valid until the walker's next query. */
struct dif_du_walk;
DIF_API struct dif_du_walk *dif_du_walk_new(const struct dif_cfg *cfg);
DIF_API void dif_du_walk_free(struct dif_du_walk *w);
/* Reaching definitions of node (the node of a use): the ENTRY, INSN and
 * WEAK nodes reachable through MERGE and WEAK operands, ascending by node
 * id, each once. Returns the count; *defs points into the walker. Returns
 * 0 on DIF_CFG_NONE; (uint32_t)-1 on out of memory, a NULL argument or a
 * walker of an earlier graph (see the contract above). */
DIF_API uint32_t dif_du_reaching(struct dif_du_walk *w, uint32_t node,
                                 const uint32_t **defs);
/* Uses that definition node def reaches (def of any kind), ordered by pc
 * then by position in dif_du_use; *uses points into the walker. Returns
 * the count, (uint32_t)-1 on out of memory, a NULL argument or a stale
 * walker. */
DIF_API uint32_t dif_du_uses_of(struct dif_du_walk *w, uint32_t def,
                                const struct dif_use **uses);
/* Type flow: the definitions that created the value a node carries,
 * following reaching definitions back through pure copies (see the top of
 * this header). Ascending node ids; (uint32_t)-1 on out of memory. */
DIF_API uint32_t dif_du_origins(struct dif_du_walk *w, uint32_t node,
                                const uint32_t **defs);

/* Work counters of the last build (for growth tests and difbench): units
 * of work done by the block, dominator and def-use passes. */
struct dif_cfg_stats {
	uint64_t block_ops;
	uint64_t dom_ops;
	uint64_t du_ops;
	uint64_t nodes, operands, merges;
	uint64_t bytes; /* peak bytes allocated by the build */
};
DIF_API void dif_cfg_get_stats(const struct dif_cfg *cfg,
                               struct dif_cfg_stats *out);

#ifdef __cplusplus
}
#endif

#endif
