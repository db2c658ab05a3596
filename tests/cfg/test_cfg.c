/*
 * cfg/: blocks, edges, reachability, dominators, the def-use graph and its
 * walkers on hand-written programs; errors; difcheck --cfg golden output;
 * linear growth (work counters, not times); the interpreter's trace hook.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../common.h"
#include "difvm/cfg.h"
#include "difvm/isa.h"

static struct dif_module *assemble(const char *src)
{
	DIF_OPTS(dif_asm_opts, ao);
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	struct dif_module *mod = NULL;
	int rc = dif_asm(src, strlen(src), &ao, &mod, errs);
	cr_assert_eq(rc, 0, "asm: %s", errs->count ? errs->list[0].msg : "?");
	free(errs);
	return mod;
}

struct fx {
	struct dif_module *mod;
	struct dif_cfg *g;
	struct dif_du_walk *w;
};

static struct fx build(const char *src)
{
	struct fx f = { assemble(src), NULL, NULL };
	struct dif_errors errs;
	dif_errors_clear(&errs);
	int rc = dif_cfg_build(dif_module_get(f.mod, 0), NULL, &f.g, &errs);
	cr_assert_eq(rc, 0, "cfg: %s", errs.count ? errs.list[0].msg : "?");
	f.w = dif_du_walk_new(f.g);
	cr_assert_not_null(f.w);
	return f;
}

static void fx_free(struct fx *f)
{
	dif_du_walk_free(f->w);
	dif_cfg_free(f->g);
	dif_module_free(f->mod);
}

static struct dif_block blk(const struct dif_cfg *g, uint32_t id)
{
	struct dif_block b;
	cr_assert_eq(dif_cfg_block(g, id, &b), 0);
	return b;
}

/* The node read by pc's use with role (the first such use). */
static uint32_t use_node(const struct dif_cfg *g, uint32_t pc, unsigned role)
{
	for (uint32_t i = 0; i < dif_du_nuses(g, pc); i++) {
		struct dif_use u;
		dif_du_use(g, pc, i, &u);
		if (u.role == role)
			return u.node;
	}
	cr_assert_fail("pc %u has no use with role %u", pc, role);
	return DIF_CFG_NONE;
}

/* pcs of the reaching definitions of pc's use (entry = -1), as text. */
static const char *reaching(struct fx *f, uint32_t pc, unsigned role)
{
	static char buf[256];
	const uint32_t *defs;
	uint32_t n = dif_du_reaching(f->w, use_node(f->g, pc, role), &defs);
	size_t k = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct dif_def d;
		cr_assert_eq(dif_du_node(f->g, defs[i], &d), 0);
		if (d.kind == DIF_DEF_ENTRY)
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%sentry", i ? " " : "");
		else
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%u%s", i ? " " : "",
			                      d.pc, d.kind == DIF_DEF_WEAK ? "w" : "");
	}
	return buf;
}

static const char diamond[] =
	".difo t\n"
	".return int 8\n"
	"\tsetx 1, %r1\n"   /* 0 */
	"\ttst %r1\n"       /* 1 */
	"\tbe L1\n"         /* 2 */
	"\tsetx 2, %r2\n"   /* 3 */
	"\tba L2\n"         /* 4 */
	"L1:\n"
	"\tsetx 3, %r2\n"   /* 5 */
	"L2:\n"
	"\tret %r2\n"       /* 6 */
	"\tret %r1\n";      /* 7: unreachable */

Test(cfg, blocks_edges_dominators)
{
	struct fx f = build(diamond);
	struct dif_cfg *g = f.g;
	cr_assert_eq(dif_cfg_ninsns(g), 8);
	cr_assert_eq(dif_cfg_nblocks(g), 5);
	cr_assert_eq(dif_cfg_nedges(g), 4);
	struct dif_block b0 = blk(g, 0), b1 = blk(g, 1), b2 = blk(g, 2),
	                 b3 = blk(g, 3), b4 = blk(g, 4);
	cr_assert(b0.start == 0 && b0.end == 2 && b0.nsucc == 2);
	cr_assert(b0.succ[0].to == 1 && b0.succ[0].kind == DIF_EDGE_FALL);
	cr_assert(b0.succ[1].to == 2 && b0.succ[1].kind == DIF_EDGE_TAKEN);
	cr_assert(b1.start == 3 && b1.end == 4 && b1.nsucc == 1);
	cr_assert(b1.succ[0].to == 3 && b1.succ[0].kind == DIF_EDGE_TAKEN);
	cr_assert(b2.start == 5 && b2.end == 5 && b2.nsucc == 1);
	cr_assert(b2.succ[0].to == 3 && b2.succ[0].kind == DIF_EDGE_FALL);
	cr_assert(b3.start == 6 && b3.end == 6 && b3.nsucc == 0 && b3.npred == 2);
	cr_assert(b4.start == 7 && b4.nsucc == 0 && b4.npred == 0);
	struct dif_edge e;
	cr_assert_eq(dif_cfg_pred(g, 3, 0, &e), 0);
	cr_assert(e.from == 1 && e.kind == DIF_EDGE_TAKEN);
	cr_assert_eq(dif_cfg_pred(g, 3, 1, &e), 0);
	cr_assert(e.from == 2 && e.kind == DIF_EDGE_FALL);
	cr_assert_eq(dif_cfg_pred(g, 3, 2, &e), DIF_E_INVAL);
	/* reachability: the ret after the join is dead code */
	cr_assert(b0.reachable && b3.reachable && !b4.reachable);
	cr_assert(!dif_cfg_reachable(g, 4));
	cr_assert_eq(b0.idom, DIF_CFG_NONE);
	cr_assert_eq(b1.idom, 0);
	cr_assert_eq(b2.idom, 0);
	cr_assert_eq(b3.idom, 0);
	cr_assert_eq(b4.idom, DIF_CFG_NONE);
	cr_assert_eq(b0.ipdom, 3);
	cr_assert_eq(b1.ipdom, 3);
	cr_assert_eq(b3.ipdom, DIF_CFG_EXIT);
	cr_assert_eq(b4.ipdom, DIF_CFG_EXIT);
	cr_assert(dif_cfg_dominates(g, 0, 3) && dif_cfg_dominates(g, 3, 3));
	cr_assert(!dif_cfg_dominates(g, 1, 3) && !dif_cfg_dominates(g, 0, 4));
	cr_assert(dif_cfg_postdominates(g, 3, 0) && !dif_cfg_postdominates(g, 1, 0));
	cr_assert_eq(dif_cfg_block_of(g, 4), 1);
	cr_assert_eq(dif_cfg_block_of(g, 8), DIF_CFG_NONE);
	cr_assert_eq(dif_cfg_block(g, 5, &b0), DIF_E_INVAL);
	/* def-use: the join merges the two setx of %r2 */
	cr_assert_str_eq(reaching(&f, 6, DIF_USE_RD), "3 5");
	struct dif_def d;
	dif_du_node(g, use_node(g, 6, DIF_USE_RD), &d);
	cr_assert_eq(d.kind, DIF_DEF_MERGE);
	cr_assert_eq(d.block, 3);
	cr_assert_eq(d.nops, 2);
	cr_assert_str_eq(reaching(&f, 1, DIF_USE_R1), "0");
	cr_assert_str_eq(reaching(&f, 2, DIF_USE_CC), "1");
	/* a use in an unreachable block reads nothing */
	cr_assert_eq(use_node(g, 7, DIF_USE_RD), DIF_CFG_NONE);
	/* the uses of the setx of %r1: tst only (the ret is unreachable) */
	const struct dif_use *uses;
	cr_assert_eq(dif_du_uses_of(f.w, dif_du_def(g, 0, 0), &uses), 1);
	cr_assert_eq(uses[0].pc, 1);
	cr_assert_eq(dif_du_uses_of(f.w, dif_du_def(g, 3, 0), &uses), 1);
	cr_assert_eq(uses[0].pc, 6);
	fx_free(&f);
}

Test(cfg, branch_to_next_has_both_edges)
{
	struct fx f = build("\ttst %r1\n\tbe L\nL:\n\tret %r1\n");
	struct dif_block b0 = blk(f.g, 0);
	cr_assert_eq(b0.nsucc, 2);
	cr_assert(b0.succ[0].to == 1 && b0.succ[1].to == 1);
	cr_assert_eq(blk(f.g, 1).npred, 2);
	cr_assert_eq(blk(f.g, 1).idom, 0);
	/* the same node on both edges: no merge */
	struct dif_def d;
	dif_du_node(f.g, use_node(f.g, 2, DIF_USE_RD), &d);
	cr_assert_eq(d.kind, DIF_DEF_ENTRY);
	fx_free(&f);
}

Test(cfg, leaders_after_ret_and_branch)
{
	struct fx f = build("\tret %r0\n\tsetx 1, %r1\n\tba L\n\tnop\nL:\n\tret %r1\n");
	cr_assert_eq(dif_cfg_nblocks(f.g), 4);
	cr_assert_eq(blk(f.g, 1).start, 1);
	cr_assert_eq(blk(f.g, 1).end, 2);
	cr_assert_eq(blk(f.g, 2).start, 3);
	cr_assert(!blk(f.g, 1).reachable && !blk(f.g, 2).reachable &&
	          !blk(f.g, 3).reachable);
	cr_assert_eq(blk(f.g, 1).nsucc, 1); /* ba: taken only */
	cr_assert_eq(blk(f.g, 1).succ[0].kind, DIF_EDGE_TAKEN);
	fx_free(&f);
}

Test(cfg, entry_definitions)
{
	struct fx f = build("\tadd %r0, %r1, %r2\n\tldgs pid, %r3\n\tldls DT_VAR(1280), %r4\n"
	                    "\tret %r2\n");
	const uint32_t *defs;
	struct dif_def d;
	cr_assert_eq(dif_du_reaching(f.w, use_node(f.g, 0, DIF_USE_R1), &defs), 1);
	dif_du_node(f.g, defs[0], &d);
	cr_assert(d.kind == DIF_DEF_ENTRY && d.loc.kind == DIF_LOC_REG && d.loc.id == 0);
	cr_assert_eq(d.pc, DIF_NO_PC);
	cr_assert_eq(dif_du_reaching(f.w, use_node(f.g, 0, DIF_USE_R2), &defs), 1);
	dif_du_node(f.g, defs[0], &d);
	cr_assert(d.kind == DIF_DEF_ENTRY && d.loc.id == 1); /* garbage %r1 */
	struct dif_use u;
	cr_assert_eq(dif_du_use(f.g, 1, 0, &u), 0);
	struct dif_loc pid = u.loc;
	cr_assert(pid.kind == DIF_LOC_VAR && pid.scope == DIF_VSCOPE_GLOBAL &&
	          pid.vkind == DIF_VKIND_SCALAR);
	uint32_t e = dif_du_entry(f.g, &pid);
	cr_assert_neq(e, DIF_CFG_NONE);
	cr_assert_eq(use_node(f.g, 1, DIF_USE_VAR), e);
	struct dif_loc loc = { .kind = DIF_LOC_VAR, .scope = DIF_VSCOPE_LOCAL,
		                   .vkind = DIF_VKIND_SCALAR, .id = 0x500 };
	cr_assert_eq(use_node(f.g, 2, DIF_USE_VAR), dif_du_entry(f.g, &loc));
	loc.id = 0x501;
	cr_assert_eq(dif_du_entry(f.g, &loc), DIF_CFG_NONE);
	char t[64];
	dif_loc_text(&pid, DIF_PROFILE_FREEBSD, t, sizeof(t));
	cr_assert_str_eq(t, "pid");
	dif_loc_text(&loc, DIF_PROFILE_FREEBSD, t, sizeof(t));
	cr_assert_str_eq(t, "local scalar 0x501");
	fx_free(&f);
}

Test(cfg, weak_definitions)
{
	struct fx f = build(".var a global array id=0x500 type=int8\n"
	                    "\tsetx 1, %r1\n"        /* 0 */
	                    "\tcall strlen, %r1\n"   /* 1: may keep %r1 */
	                    "\tstgaa %r1, a\n"       /* 2 */
	                    "\tstgaa %r0, a\n"       /* 3 */
	                    "\tldgaa a, %r2\n"       /* 4 */
	                    "\tscmp %r1, %r2\n"      /* 5 */
	                    "\tbe L\n"               /* 6 */
	                    "L:\n\tret %r1\n");      /* 7 */
	cr_assert_str_eq(reaching(&f, 7, DIF_USE_RD), "0 1w");
	cr_assert_str_eq(reaching(&f, 4, DIF_USE_VAR), "entry 2w 3w");
	cr_assert_str_eq(reaching(&f, 6, DIF_USE_CC), "entry 5w");
	struct dif_def d;
	dif_du_node(f.g, dif_du_def(f.g, 1, 0), &d);
	cr_assert_eq(d.kind, DIF_DEF_WEAK);
	cr_assert_eq(d.nops, 1);
	cr_assert_eq(dif_du_operand(f.g, d.id, 0), dif_du_def(f.g, 0, 0));
	fx_free(&f);
}

Test(cfg, tuple_slots_and_variables)
{
	struct fx f = build(".var x local scalar id=0x500 type=int8\n"
	                    "\tsetx 5, %r1\n"          /* 0 */
	                    "\tflushts\n"              /* 1 */
	                    "\tpushtv ctf, %r1\n"      /* 2: slot 0 */
	                    "\tpushtv ctf, %r0\n"      /* 3: slot 1 */
	                    "\tpopts\n"                /* 4 */
	                    "\tpushtv ctf, %r1\n"      /* 5: slot 1 again */
	                    "\tcall strlen, %r2\n"     /* 6 */
	                    "\tstls %r1, x\n"          /* 7 */
	                    "\tldls x, %r3\n"          /* 8 */
	                    "\tmov %r3, %r4\n"         /* 9 */
	                    "\tret %r4\n");            /* 10 */
	cr_assert_eq(dif_du_nuses(f.g, 6), 2);
	struct dif_use u;
	dif_du_use(f.g, 6, 0, &u);
	cr_assert(u.role == DIF_USE_TUPLE && u.loc.kind == DIF_LOC_TUPLE && u.loc.id == 0);
	cr_assert_str_eq(reaching(&f, 6, DIF_USE_TUPLE), "2");
	dif_du_use(f.g, 6, 1, &u);
	const uint32_t *defs;
	cr_assert_eq(dif_du_reaching(f.w, u.node, &defs), 1);
	struct dif_def d;
	dif_du_node(f.g, defs[0], &d);
	cr_assert_eq(d.pc, 5);
	cr_assert_str_eq(reaching(&f, 8, DIF_USE_VAR), "7");
	/* type flow: mov and the variable round trip are copies of setx */
	uint32_t n = dif_du_origins(f.w, use_node(f.g, 10, DIF_USE_RD), &defs);
	cr_assert_eq(n, 1);
	dif_du_node(f.g, defs[0], &d);
	cr_assert_eq(d.pc, 0);
	/* value flow stops at the mov */
	cr_assert_str_eq(reaching(&f, 10, DIF_USE_RD), "9");
	/* a tuple consumer's origins go through the push */
	dif_du_use(f.g, 6, 0, &u);
	n = dif_du_origins(f.w, u.node, &defs);
	cr_assert_eq(n, 1);
	dif_du_node(f.g, defs[0], &d);
	cr_assert_eq(d.pc, 0);
	fx_free(&f);
}

Test(cfg, origins_stop_at_byref_and_merge_both_sides)
{
	struct fx f = build(".var s global scalar id=0x500 type=string\n"
	                    "\tsets \"a\", %r1\n"   /* 0 */
	                    "\tstgs %r1, s\n"       /* 1 */
	                    "\tldgs s, %r2\n"       /* 2: pointer to storage */
	                    "\ttst %r2\n"           /* 3 */
	                    "\tbe L\n"              /* 4 */
	                    "\tsetx 4, %r2\n"       /* 5 */
	                    "L:\n\tret %r2\n");     /* 6 */
	const uint32_t *defs;
	uint32_t n = dif_du_origins(f.w, use_node(f.g, 6, DIF_USE_RD), &defs);
	cr_assert_eq(n, 2);
	struct dif_def a, b;
	dif_du_node(f.g, defs[0], &a);
	dif_du_node(f.g, defs[1], &b);
	cr_assert_eq(a.pc, 2);
	cr_assert_eq(b.pc, 5);
	fx_free(&f);
}

static struct dif_difo *raw(const uint32_t *text, uint32_t n)
{
	struct dif_difo *d = NULL;
	DIF_OPTS(dif_difo_parts, p, .name = "raw", .text = text, .textlen = n);
	cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
	return d;
}

Test(cfg, errors_are_values)
{
	struct dif_errors errs;
	struct dif_cfg *g = (struct dif_cfg *)1;
	uint32_t back[] = { DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0), DIF_ENC_B(DIF_OPC_BA, 0),
		                DIF_ENC_R(DIF_OPC_RET, 0, 0, 0) };
	struct dif_difo *d = raw(back, 3);
	dif_errors_clear(&errs);
	cr_assert_eq(dif_cfg_build(d, NULL, &g, &errs), DIF_E_BRANCH_BACK);
	cr_assert_null(g);
	cr_assert_eq(errs.count, 1);
	cr_assert_eq(errs.list[0].pc, 1);
	cr_assert_str_eq(errs.list[0].insn, "ba   0");
	cr_assert(strstr(errs.list[0].msg, "raw") != NULL);
	dif_difo_free(d);

	uint32_t past[] = { DIF_ENC_B(DIF_OPC_BE, 7), DIF_ENC_R(DIF_OPC_RET, 0, 0, 0) };
	d = raw(past, 2);
	dif_errors_clear(&errs);
	cr_assert_eq(dif_cfg_build(d, NULL, &g, &errs), DIF_E_BRANCH_TARGET);
	cr_assert_eq(errs.list[0].pc, 0);
	dif_difo_free(d);

	uint32_t reg[] = { DIF_ENC_R(DIF_OPC_MOV, 9, 0, 1), DIF_ENC_R(DIF_OPC_RET, 0, 0, 1) };
	d = raw(reg, 2);
	dif_errors_clear(&errs);
	cr_assert_eq(dif_cfg_build(d, NULL, &g, &errs), DIF_E_REG);
	/* with 16 registers it is fine */
	DIF_OPTS(dif_cfg_opts, o16, .nregs = 16);
	cr_assert_eq(dif_cfg_build(d, &o16, &g, &errs), 0);
	cr_assert_eq(dif_du_nuses(g, 0), 1);
	dif_cfg_free(g);
	DIF_OPTS(dif_cfg_opts, bad, .nregs = 300);
	cr_assert_eq(dif_cfg_build(d, &bad, &g, &errs), DIF_E_OPTS);
	DIF_OPTS(dif_cfg_opts, badf, .flags = 0x80);
	cr_assert_eq(dif_cfg_build(d, &badf, &g, &errs), DIF_E_OPTS);
	cr_assert_eq(dif_cfg_build(NULL, NULL, &g, &errs), DIF_E_INVAL);
	dif_difo_free(d);

	d = raw(NULL, 0);
	dif_errors_clear(&errs);
	cr_assert_eq(dif_cfg_build(d, NULL, &g, &errs), DIF_E_NO_TEXT);
	dif_difo_free(d);

	/* blocks only */
	d = raw(back + 2, 1);
	DIF_OPTS(dif_cfg_opts, nodu, .flags = DIF_CFG_NO_DEFUSE);
	cr_assert_eq(dif_cfg_build(d, &nodu, &g, &errs), 0);
	cr_assert_eq(dif_cfg_nblocks(g), 1);
	cr_assert_eq(dif_du_nnodes(g), 0);
	cr_assert_eq(dif_du_nuses(g, 0), 0);
	cr_assert_null(dif_du_walk_new(g));
	dif_cfg_free(g);
	dif_difo_free(d);
	dif_cfg_free(NULL);
}

/* ---------------------------------------------------------------------
 * difcheck --cfg golden output.
 */
static int tool(const char *args, char *out, size_t cap)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "%s/tools/difcheck %s 2>&1", b ? b : "build", args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void golden(const char *args, const char *file)
{
	static char out[1 << 16];
	cr_assert_eq(tool(args, out, sizeof(out)), 0, "%s: %s", args, out);
	char *want = test_slurp(test_src(file), NULL);
	cr_assert_not_null(want, "%s", file);
	cr_assert_str_eq(out, want, "difcheck %s", args);
	free(want);
}

Test(cfg, difcheck_json_golden)
{
	golden("--cfg=json tests/cfg/data/diamond.s", "tests/cfg/data/diamond.json");
	golden("--cfg=json tests/cfg/data/diamond.s tests/cfg/data/assoc.s",
	       "tests/cfg/data/two-files.json");
}

Test(cfg, difcheck_dot_golden)
{
	golden("--cfg=dot tests/cfg/data/diamond.s", "tests/cfg/data/diamond.dot");
}

Test(cfg, difcheck_cfg_errors)
{
	static char out[4096];
	cr_assert_eq(tool("--cfg=svg tests/cfg/data/diamond.s", out, sizeof(out)), 2);
	cr_assert(strstr(out, "--cfg wants dot or json") != NULL, "%s", out);
	cr_assert_eq(tool("--cfg=json tests/cfg/data/missing.s", out, sizeof(out)), 2);
	cr_assert_eq(tool("--cfg=dot tests/cfg/data/backward.s", out, sizeof(out)), 1);
	cr_assert(strstr(out, "branch-backward") != NULL || strstr(out, "not forward"),
	          "%s", out);
}

/* ---------------------------------------------------------------------
 * Growth: work counters at n and 4n instructions.
 */
struct gbuf {
	uint32_t *w;
	uint32_t n, cap;
};

static uint32_t put(struct gbuf *b, uint32_t w)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 1024;
		b->w = realloc(b->w, b->cap * sizeof(uint32_t));
	}
	b->w[b->n] = w;
	return b->n++;
}

/* k diamonds storing to three variables, with tuple work at each join. */
static void pat_diamonds(struct gbuf *b, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		put(b, DIF_ENC_R(DIF_OPC_TST, 1 + i % 7, 0, 0));
		uint32_t br = put(b, DIF_ENC_B(DIF_OPC_BE, 0));
		put(b, DIF_ENC_W(DIF_OPC_SETX, 0, 2));
		put(b, DIF_ENC_W(DIF_OPC_STLS, 0x500 + i % 3, 2));
		uint32_t ba = put(b, DIF_ENC_B(DIF_OPC_BA, 0));
		b->w[br] = DIF_ENC_B(DIF_OPC_BE, b->n);
		put(b, DIF_ENC_W(DIF_OPC_STGS, 0x500 + i % 3, 3));
		b->w[ba] = DIF_ENC_B(DIF_OPC_BA, b->n);
		put(b, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 2));
		put(b, DIF_ENC_W(DIF_OPC_CALL, 0, 4));
		put(b, DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0));
		put(b, DIF_ENC_W(DIF_OPC_LDLS, 0x500 + i % 3, 5));
		put(b, DIF_ENC_R(DIF_OPC_ADD, 5, 4, 6));
	}
	put(b, DIF_ENC_R(DIF_OPC_RET, 0, 0, 6));
}

/* An && chain: every test branches to one shared exit (a join with k
 * predecessors). */
static void pat_andchain(struct gbuf *b, unsigned k)
{
	uint32_t *br = malloc(k * sizeof(uint32_t));
	for (unsigned i = 0; i < k; i++) {
		put(b, DIF_ENC_R(DIF_OPC_ADD, 1, 2, 1 + i % 7));
		put(b, DIF_ENC_R(DIF_OPC_TST, 1 + i % 7, 0, 0));
		br[i] = put(b, DIF_ENC_B(DIF_OPC_BE, 0));
	}
	put(b, DIF_ENC_R(DIF_OPC_RET, 0, 0, 1));
	for (unsigned i = 0; i < k; i++)
		b->w[br[i]] = DIF_ENC_B(DIF_OPC_BE, b->n);
	put(b, DIF_ENC_R(DIF_OPC_RET, 0, 0, 3));
	free(br);
}

/* Deep dominator chains whose joins meet far up: c_i and d_i both branch
 * to j_i; idom(j_i) = c_i while d_i is k levels deeper (a naive walk up
 * the dominator tree would be quadratic). */
static void pat_ladder(struct gbuf *b, unsigned k)
{
	uint32_t *c = malloc(k * sizeof(uint32_t)), *d = malloc(k * sizeof(uint32_t));
	for (unsigned i = 0; i < k; i++) {
		put(b, DIF_ENC_R(DIF_OPC_TST, 1, 0, 0));
		c[i] = put(b, DIF_ENC_B(DIF_OPC_BE, 0));
	}
	for (unsigned i = 0; i < k; i++) {
		put(b, DIF_ENC_R(DIF_OPC_TST, 2, 0, 0));
		d[i] = put(b, DIF_ENC_B(DIF_OPC_BE, 0));
	}
	put(b, DIF_ENC_R(DIF_OPC_RET, 0, 0, 1));
	for (unsigned i = 0; i < k; i++) {
		b->w[c[i]] = DIF_ENC_B(DIF_OPC_BE, b->n);
		b->w[d[i]] = DIF_ENC_B(DIF_OPC_BE, b->n);
		put(b, DIF_ENC_R(DIF_OPC_RET, 0, 0, 2));
	}
	free(c);
	free(d);
}

/* Every diamond stores a different variable, all read at the end: the
 * number of variables grows with the program. */
static void pat_manyvars(struct gbuf *b, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		put(b, DIF_ENC_R(DIF_OPC_TST, 1, 0, 0));
		uint32_t br = put(b, DIF_ENC_B(DIF_OPC_BE, 0));
		put(b, DIF_ENC_W(DIF_OPC_STGS, 0x500 + i, 2));
		b->w[br] = DIF_ENC_B(DIF_OPC_BE, b->n);
	}
	for (unsigned i = 0; i < k; i++)
		put(b, DIF_ENC_W(DIF_OPC_LDGS, 0x500 + i, 3));
	put(b, DIF_ENC_R(DIF_OPC_RET, 0, 0, 3));
}

static void measure(void (*pat)(struct gbuf *, unsigned), unsigned k,
                    uint64_t *ops, uint64_t *bytes, uint32_t *n)
{
	struct gbuf b = { 0 };
	pat(&b, k);
	static const uint64_t ints[] = { 1 };
	struct dif_difo *d = NULL;
	DIF_OPTS(dif_difo_parts, p, .name = "big", .text = b.w, .textlen = b.n,
	         .inttab = ints, .intlen = 1);
	cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
	struct dif_cfg *g = NULL;
	cr_assert_eq(dif_cfg_build(d, NULL, &g, NULL), 0);
	struct dif_cfg_stats st;
	dif_cfg_get_stats(g, &st);
	*ops = st.block_ops + st.dom_ops + st.du_ops;
	*bytes = st.bytes;
	*n = b.n;
	dif_cfg_free(g);
	dif_difo_free(d);
	free(b.w);
}

static void growth(const char *name, void (*pat)(struct gbuf *, unsigned),
                   unsigned k)
{
	uint64_t o1, o4, m1, m4;
	uint32_t n1, n4;
	measure(pat, k, &o1, &m1, &n1);
	measure(pat, 4 * k, &o4, &m4, &n4);
	double ro = (double)o4 / (double)o1, rm = (double)m4 / (double)m1;
	double rn = (double)n4 / (double)n1;
	fprintf(stderr, "growth %s: %u -> %u insns (x%.2f): ops %llu -> %llu (x%.2f), "
	        "bytes %llu -> %llu (x%.2f)\n", name, n1, n4, rn,
	        (unsigned long long)o1, (unsigned long long)o4, ro,
	        (unsigned long long)m1, (unsigned long long)m4, rm);
	cr_assert_lt(ro, 1.25 * rn, "%s: work grows x%.2f for x%.2f input", name, ro, rn);
	cr_assert_lt(rm, 1.25 * rn, "%s: memory grows x%.2f for x%.2f input", name, rm, rn);
}

Test(cfg, growth_is_linear)
{
	growth("diamonds", pat_diamonds, 1000);
	growth("and-chain", pat_andchain, 1500);
	growth("ladder", pat_ladder, 1500);
	growth("many-variables", pat_manyvars, 2000);
}

/* ---------------------------------------------------------------------
 * Trace hook.
 */
struct trace_log {
	uint32_t pcs[64];
	uint64_t r1[64];
	unsigned cc[64], ttop[64];
	uint64_t scratch[64], t0[64];
	unsigned n;
};

static void on_trace(void *ud, const struct dif_trace_state *st)
{
	struct trace_log *l = ud;
	cr_assert_lt(l->n, 64);
	l->pcs[l->n] = st->pc;
	l->r1[l->n] = st->regs[1];
	l->cc[l->n] = st->cc;
	l->ttop[l->n] = st->ttop;
	l->t0[l->n] = st->ttop ? st->tval[0] : 0;
	l->scratch[l->n] = st->scratch_used;
	cr_assert_gt(st->scratch_size, 0);
	l->n++;
}

Test(cfg, trace_hook_shows_state_before_each_instruction)
{
	struct dif_module *mod = assemble(
		"\tsetx 5, %r1\n"       /* 0 */
		"\tallocs %r1, %r2\n"   /* 1 */
		"\tflushts\n"           /* 2 */
		"\tpushtv ctf, %r1\n"   /* 3 */
		"\tcmp %r1, %r0\n"      /* 4 */
		"\tbe L\n"              /* 5: not taken (5 != 0) */
		"\tsetx 7, %r1\n"       /* 6 */
		"L:\n\tret %r1\n");     /* 7 */
	struct dif_vm *vm = NULL;
	struct dif_prog *prog = NULL;
	struct dif_ctx *ctx = NULL;
	cr_assert_eq(dif_vm_create(NULL, &vm, NULL), 0);
	cr_assert_eq(dif_prog_load(vm, dif_module_get(mod, 0), &prog, NULL), 0);
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	struct trace_log l = { 0 };
	uint64_t rv = 0, rv2 = 0;
	cr_assert_eq(dif_exec_traced(prog, ctx, &rv, on_trace, &l), 0);
	cr_assert_eq(dif_exec(prog, ctx, &rv2), 0);
	cr_assert_eq(rv, 7);
	cr_assert_eq(rv2, rv);
	static const uint32_t pcs[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	cr_assert_eq(l.n, 8);
	for (unsigned i = 0; i < 8; i++)
		cr_assert_eq(l.pcs[i], pcs[i]);
	cr_assert_eq(l.r1[0], 0);          /* before setx */
	cr_assert_eq(l.r1[1], 5);
	cr_assert_eq(l.scratch[1], 0);
	cr_assert_eq(l.scratch[2], 5);     /* 5 bytes allocated */
	cr_assert_eq(l.ttop[3], 0);
	cr_assert_eq(l.ttop[4], 1);
	cr_assert_eq(l.t0[4], 5);
	cr_assert_eq(l.cc[5], 0);          /* 5 - 0: not zero, not negative */
	cr_assert_eq(l.r1[7], 7);
	/* A NULL function is allowed; a fault is reported as dif_exec does. */
	cr_assert_eq(dif_exec_traced(prog, ctx, &rv, NULL, NULL), 0);
	dif_prog_free(prog);
	dif_module_free(mod);
	mod = assemble("\tsetx 3, %r1\n\tudiv %r1, %r0, %r2\n\tret %r2\n");
	cr_assert_eq(dif_prog_load(vm, dif_module_get(mod, 0), &prog, NULL), 0);
	memset(&l, 0, sizeof(l));
	cr_assert_eq(dif_exec_traced(prog, ctx, &rv, on_trace, &l), DIF_E_FAULT);
	cr_assert_eq(dif_ctx_fault(ctx)->code, DIF_FAULT_DIVZERO);
	cr_assert_eq(dif_ctx_fault(ctx)->pc, 1);
	cr_assert_eq(l.n, 2);
	cr_assert_eq(dif_exec_traced(NULL, ctx, &rv, on_trace, &l), DIF_E_INVAL);
	dif_prog_free(prog);
	dif_module_free(mod);
	dif_ctx_free(ctx);
	dif_vm_free(vm);
}

/* A rebuilt cfg answers exactly as a fresh one, also after a failure. */
static void same_graph(const struct dif_cfg *a, const struct dif_cfg *b)
{
	cr_assert_eq(dif_cfg_ninsns(a), dif_cfg_ninsns(b));
	cr_assert_eq(dif_cfg_nblocks(a), dif_cfg_nblocks(b));
	cr_assert_eq(dif_cfg_nedges(a), dif_cfg_nedges(b));
	cr_assert_eq(dif_du_nnodes(a), dif_du_nnodes(b));
	for (uint32_t i = 0; i < dif_cfg_nblocks(a); i++) {
		struct dif_block x, y;
		dif_cfg_block(a, i, &x);
		dif_cfg_block(b, i, &y);
		cr_assert_eq(memcmp(&x, &y, sizeof(x)), 0, "block %u", i);
	}
	for (uint32_t pc = 0; pc < dif_cfg_ninsns(a); pc++) {
		cr_assert_eq(dif_du_nuses(a, pc), dif_du_nuses(b, pc));
		for (uint32_t i = 0; i < dif_du_nuses(a, pc); i++) {
			struct dif_use x, y;
			dif_du_use(a, pc, i, &x);
			dif_du_use(b, pc, i, &y);
			cr_assert_eq(memcmp(&x, &y, sizeof(x)), 0, "pc %u use %u", pc, i);
		}
	}
	for (uint32_t n = 0; n < dif_du_nnodes(a); n++) {
		struct dif_def x, y;
		dif_du_node(a, n, &x);
		dif_du_node(b, n, &y);
		cr_assert_eq(memcmp(&x, &y, sizeof(x)), 0, "node %u", n);
		for (uint32_t i = 0; i < x.nops; i++)
			cr_assert_eq(dif_du_operand(a, n, i), dif_du_operand(b, n, i));
	}
}

Test(cfg, rebuild_reuses_and_matches_fresh_builds)
{
	struct gbuf big = { 0 };
	pat_diamonds(&big, 300);
	static const uint64_t ints[] = { 1 };
	struct dif_difo *d1 = NULL;
	DIF_OPTS(dif_difo_parts, p, .name = "big", .text = big.w, .textlen = big.n,
	         .inttab = ints, .intlen = 1);
	cr_assert_eq(dif_difo_create(&p, &d1, NULL), 0);
	struct dif_module *m2 = assemble(diamond);
	const struct dif_difo *d2 = dif_module_get(m2, 0);
	uint32_t back[] = { DIF_ENC_B(DIF_OPC_BA, 0), DIF_ENC_R(DIF_OPC_RET, 0, 0, 0) };
	struct dif_difo *bad = raw(back, 2);

	struct dif_cfg *f1 = NULL, *f2 = NULL, *g = NULL;
	cr_assert_eq(dif_cfg_build(d1, NULL, &f1, NULL), 0);
	cr_assert_eq(dif_cfg_build(d2, NULL, &f2, NULL), 0);
	cr_assert_eq(dif_cfg_build(d2, NULL, &g, NULL), 0);
	for (int round = 0; round < 3; round++) {
		cr_assert_eq(dif_cfg_rebuild(g, d1, NULL, NULL), 0);
		same_graph(g, f1);
		struct dif_errors errs;
		dif_errors_clear(&errs);
		cr_assert_eq(dif_cfg_rebuild(g, bad, NULL, &errs), DIF_E_BRANCH_BACK);
		cr_assert_eq(errs.count, 1);
		cr_assert_eq(dif_cfg_nblocks(g), 0);
		cr_assert_eq(dif_du_nnodes(g), 0);
		cr_assert_eq(dif_cfg_block_of(g, 0), DIF_CFG_NONE);
		cr_assert_eq(dif_cfg_rebuild(g, d2, NULL, NULL), 0);
		same_graph(g, f2);
		struct dif_du_walk *w = dif_du_walk_new(g);
		const uint32_t *defs;
		cr_assert_eq(dif_du_reaching(w, use_node(g, 6, DIF_USE_RD), &defs), 2);
		dif_du_walk_free(w);
	}
	/* a larger graph after a smaller one keeps its memory: the second
	 * rebuild of d1 allocates no more than the first */
	cr_assert_eq(dif_cfg_rebuild(g, d1, NULL, NULL), 0);
	struct dif_cfg_stats s1, s2;
	dif_cfg_get_stats(g, &s1);
	cr_assert_eq(dif_cfg_rebuild(g, d1, NULL, NULL), 0);
	dif_cfg_get_stats(g, &s2);
	cr_assert_leq(s2.bytes, s1.bytes);
	DIF_OPTS(dif_cfg_opts, badopt, .nregs = 999);
	cr_assert_eq(dif_cfg_rebuild(g, d1, &badopt, NULL), DIF_E_OPTS);
	cr_assert_eq(dif_cfg_rebuild(NULL, d1, NULL, NULL), DIF_E_INVAL);
	dif_cfg_free(g);
	dif_cfg_free(f1);
	dif_cfg_free(f2);
	dif_difo_free(d1);
	dif_difo_free(bad);
	dif_module_free(m2);
	free(big.w);
}
