/* Internal layout of struct dif_cfg (cfg.c, defuse.c). Not installed. */
#ifndef DIFVM_CFG_INTERNAL_H
#define DIFVM_CFG_INTERNAL_H

#include <stdatomic.h>

#include "difvm/cfg.h"
#include "difvm/internal.h"

/* Register fields an instruction class reads or writes. */
#define DIF_RF_R1 0x1u
#define DIF_RF_R2 0x2u
#define DIF_RF_RD 0x4u
DIF_INTERNAL unsigned dif_cfg_regfields(const struct dif_opinfo *oi);

/* One node of the def-use graph. */
struct du_node {
	uint8_t kind;    /* enum dif_def_kind */
	uint32_t loc;    /* index into dif_cfg.locs */
	uint32_t pc;     /* INSN / WEAK */
	uint32_t block;
	uint32_t op_off; /* operands in dif_cfg.ops */
	uint32_t nops;
};

/* One location; variables also carry what the type flow needs. */
struct du_loc {
	struct dif_loc loc;
	uint32_t entry;  /* entry node or DIF_CFG_NONE */
	uint32_t slot;   /* fixed state slot (registers, cc, tuple) or NONE */
	uint32_t vslot;  /* variable tree slot (written variables) or NONE */
	uint8_t byref;   /* variable declared by reference */
	uint8_t written;
};

/* Bump allocator for the arrays of one build. A rebuild resets it and
 * keeps the memory (merged into one chunk), so building graph after graph
 * does not go back to the system for pages each time. */
struct cfg_chunk {
	struct cfg_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

struct dif_cfg {
	enum dif_profile profile;
	uint32_t nregs;
	uint32_t ninsns;
	uint32_t *text;
	const struct dif_opinfo **oi; /* per pc, during the build only */
	char name[64];

	uint32_t nblocks, nedges;
	uint32_t *bstart;   /* nblocks + 1 */
	uint32_t *blockof;  /* per pc */
	uint8_t *nsucc;
	struct dif_edge *succ; /* 2 per block */
	uint32_t *pred_off; /* nblocks + 1 */
	struct dif_edge *preds;
	uint8_t *reach;
	uint32_t *idom, *ipdom;
	uint32_t *dpre, *dpost; /* dominator tree numbering */
	uint32_t *ppre, *ppost; /* post-dominator tree (root = exit) */

	/* def-use graph (defuse.c) */
	int has_du;
	struct du_loc *locs;
	uint32_t nlocs, caplocs;
	uint64_t *lockeys; /* open-addressing table of variable keys */
	uint32_t *lockidx;
	uint32_t lockcap;
	struct du_node *nodes;
	uint32_t nnodes, capnodes;
	uint32_t *ops;
	uint32_t nops, capops;
	struct dif_use *uses;
	uint32_t nuses, capuses;
	uint32_t *use_off; /* ninsns + 1 */
	uint32_t *defs;
	uint32_t ndefs, capdefs;
	uint32_t *def_off; /* ninsns + 1 */
	uint32_t *ru_off;  /* reverse: node -> uses reading it (nnodes + 1) */
	uint32_t *ru;
	uint32_t *rn_off;  /* reverse: node -> nodes having it as operand */
	uint32_t *rn;

	/* variable trees of the def-use pass (kept for reuse) */
	uint32_t *tn, *trc;
	uint32_t captn, captrc;

	struct cfg_chunk *arena;  /* current chunk first */
	size_t arena_total;       /* bytes handed out this build */
	size_t growable_bytes;    /* capacity of the realloc'd arrays */
	struct dif_cfg_stats stats;
	size_t cur_bytes;

	/* Walker lifetime (cfg.h): every rebuild and dif_cfg_free bump gen,
	 * and a walker of another generation gets no answers. refs counts the
	 * cfg itself and each live walker; the memory goes with the last one,
	 * so a walker that outlives dif_cfg_free fails cleanly. */
	uint64_t gen;
	bool dead;
	atomic_uint refs;
};

DIF_INTERNAL void *dif_cfg_alloc(struct dif_cfg *g, size_t n, size_t size);
DIF_INTERNAL void dif_cfg_err(struct dif_cfg *g, struct dif_errors *errs,
                              int code, uint32_t pc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
DIF_INTERNAL int dif_du_build(struct dif_cfg *g, const struct dif_difo *d);
DIF_INTERNAL void dif_du_free(struct dif_cfg *g);
/* Drops one reference (the cfg's own or a walker's); frees at zero. */
DIF_INTERNAL void dif_cfg_unref(struct dif_cfg *g);

#endif
