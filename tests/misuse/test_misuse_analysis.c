/*
 * Misuse of the cfg, linker and DOF APIs (the contracts in cfg.h, link.h
 * and dof.h): NULL arguments and out-pointers, walkers that outlive or
 * miss a rebuild of their cfg, objects freed in either order. Each case
 * must give a clean error, never a crash; the suite runs under ASan+UBSan.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/cfg.h"
#include "difvm/difvm.h"
#include "difvm/dof.h"
#include "difvm/link.h"

static struct dif_module *assemble(const char *src)
{
	struct dif_module *mod = NULL;
	struct dif_errors errs = { 0 };
	int rc = dif_asm(src, strlen(src), NULL, &mod, &errs);
	cr_assert_eq(rc, 0, "asm: %s", errs.count ? errs.list[0].msg : "?");
	return mod;
}

#define SMALL ".difo a\n\tcmp %r1, %r2\n\tbe l\n\tadd %r1, %r2, %r1\nl:\n\tret %r1\n"
#define BIGGER ".difo b\n\tsetx 1, %r1\n\tsetx 2, %r2\n\tsetx 3, %r3\n" \
               "\tcmp %r1, %r2\n\tbe m\n\tadd %r1, %r3, %r1\n\tadd %r1, %r2, %r1\n" \
               "m:\n\tadd %r1, %r3, %r3\n\tret %r3\n"

Test(misuse_cfg, nulls)
{
	struct dif_module *mod = assemble(SMALL);
	const struct dif_difo *d = dif_module_get(mod, 0);
	struct dif_cfg *cfg = (struct dif_cfg *)1;
	struct dif_errors errs = { 0 };
	cr_assert_eq(dif_cfg_build(NULL, NULL, &cfg, &errs), DIF_E_INVAL);
	cr_assert_null(cfg);
	cr_assert_eq(dif_cfg_build(d, NULL, NULL, &errs), DIF_E_INVAL);
	cr_assert_eq(dif_cfg_rebuild(NULL, d, NULL, &errs), DIF_E_INVAL);
	/* a smaller (older) options struct means the defaults; bad fields
	 * are refused */
	struct dif_cfg_opts small = { .size = 1 };
	cr_assert_eq(dif_cfg_build(d, &small, &cfg, NULL), 0);
	dif_cfg_free(cfg);
	DIF_OPTS(dif_cfg_opts, bad, .nregs = 999);
	cr_assert_eq(dif_cfg_build(d, &bad, &cfg, NULL), DIF_E_OPTS);
	cr_assert_null(cfg);
	cr_assert_eq(dif_cfg_build(d, NULL, &cfg, NULL), 0);
	cr_assert_eq(dif_cfg_rebuild(cfg, NULL, NULL, &errs), DIF_E_INVAL);
	/* queries on NULL answer as an empty graph */
	cr_assert_eq(dif_cfg_ninsns(NULL), 0);
	cr_assert_eq(dif_cfg_nblocks(NULL), 0);
	cr_assert_eq(dif_cfg_nedges(NULL), 0);
	struct dif_block blk;
	struct dif_edge e;
	struct dif_def def;
	struct dif_use use;
	cr_assert_eq(dif_cfg_block(NULL, 0, &blk), DIF_E_INVAL);
	cr_assert_eq(dif_cfg_block(cfg, 0, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_cfg_pred(NULL, 0, 0, &e), DIF_E_INVAL);
	cr_assert_eq(dif_cfg_pred(cfg, 1, 0, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_cfg_block_of(NULL, 0), DIF_CFG_NONE);
	cr_assert(!dif_cfg_reachable(NULL, 0));
	cr_assert(!dif_cfg_dominates(NULL, 0, 0));
	cr_assert(!dif_cfg_postdominates(NULL, 0, 0));
	cr_assert_str_eq(dif_edge_kind_name(99), "?");
	cr_assert_eq(dif_du_nnodes(NULL), 0);
	cr_assert_eq(dif_du_node(NULL, 0, &def), DIF_E_INVAL);
	cr_assert_eq(dif_du_node(cfg, 0, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_du_operand(NULL, 0, 0), DIF_CFG_NONE);
	struct dif_loc loc = { .kind = DIF_LOC_REG, .id = 1 };
	cr_assert_eq(dif_du_entry(NULL, &loc), DIF_CFG_NONE);
	cr_assert_eq(dif_du_entry(cfg, NULL), DIF_CFG_NONE);
	cr_assert_eq(dif_du_nuses(NULL, 0), 0);
	cr_assert_eq(dif_du_use(NULL, 0, 0, &use), DIF_E_INVAL);
	cr_assert_eq(dif_du_use(cfg, 0, 0, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_du_ndefs(NULL, 0), 0);
	cr_assert_eq(dif_du_def(NULL, 0, 0), DIF_CFG_NONE);
	struct dif_cfg_stats st;
	memset(&st, 0xff, sizeof(st));
	dif_cfg_get_stats(NULL, &st);
	cr_assert_eq(st.du_ops, 0);
	dif_cfg_get_stats(cfg, NULL);
	char buf[64] = "x";
	cr_assert_eq(dif_loc_text(NULL, DIF_PROFILE_FREEBSD, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "");
	size_t need = dif_loc_text(&loc, DIF_PROFILE_FREEBSD, NULL, 0);
	cr_assert_eq(need, 3); /* "%r1" */
	cr_assert_eq(dif_loc_text(&loc, DIF_PROFILE_FREEBSD, NULL, 16), 3);
	/* walkers */
	cr_assert_null(dif_du_walk_new(NULL));
	const uint32_t *defs = (const uint32_t *)1;
	const struct dif_use *uses = (const struct dif_use *)1;
	cr_assert_eq(dif_du_reaching(NULL, 0, &defs), (uint32_t)-1);
	cr_assert_null(defs);
	cr_assert_eq(dif_du_uses_of(NULL, 0, &uses), (uint32_t)-1);
	cr_assert_null(uses);
	cr_assert_eq(dif_du_origins(NULL, 0, NULL), (uint32_t)-1);
	struct dif_du_walk *w = dif_du_walk_new(cfg);
	cr_assert_not_null(w);
	cr_assert_eq(dif_du_reaching(w, 0, NULL), (uint32_t)-1);
	cr_assert_eq(dif_du_uses_of(w, 0, NULL), (uint32_t)-1);
	cr_assert_eq(dif_du_origins(w, 0, NULL), (uint32_t)-1);
	cr_assert_neq(dif_du_uses_of(w, 0, &uses), (uint32_t)-1);
	dif_du_walk_free(w);
	dif_du_walk_free(NULL);
	dif_cfg_free(cfg);
	dif_cfg_free(NULL);
	/* no def-use graph: no walker */
	DIF_OPTS(dif_cfg_opts, nodu, .flags = DIF_CFG_NO_DEFUSE);
	cr_assert_eq(dif_cfg_build(d, &nodu, &cfg, NULL), 0);
	cr_assert_null(dif_du_walk_new(cfg));
	cr_assert_eq(dif_du_nnodes(cfg), 0);
	dif_cfg_free(cfg);
	dif_module_free(mod);
}

/* A walker made before dif_cfg_rebuild must not read the new, larger
 * graph through its old, smaller buffers: it gets (uint32_t)-1. */
Test(misuse_cfg, walker_across_rebuild)
{
	struct dif_module *a = assemble(SMALL), *b = assemble(BIGGER);
	struct dif_cfg *cfg = NULL;
	cr_assert_eq(dif_cfg_build(dif_module_get(a, 0), NULL, &cfg, NULL), 0);
	struct dif_du_walk *w = dif_du_walk_new(cfg);
	cr_assert_not_null(w);
	uint32_t small_nodes = dif_du_nnodes(cfg);
	cr_assert_eq(dif_cfg_rebuild(cfg, dif_module_get(b, 0), NULL, NULL), 0);
	cr_assert_gt(dif_du_nnodes(cfg), small_nodes);
	const uint32_t *defs = NULL;
	const struct dif_use *uses = NULL;
	for (uint32_t n = 0; n < dif_du_nnodes(cfg); n++) {
		cr_assert_eq(dif_du_reaching(w, n, &defs), (uint32_t)-1);
		cr_assert_null(defs);
		cr_assert_eq(dif_du_origins(w, n, &defs), (uint32_t)-1);
		cr_assert_eq(dif_du_uses_of(w, n, &uses), (uint32_t)-1);
		cr_assert_null(uses);
	}
	/* a new walker sees the new graph */
	struct dif_du_walk *w2 = dif_du_walk_new(cfg);
	uint32_t last = dif_du_nnodes(cfg) - 1;
	cr_assert_neq(dif_du_reaching(w2, last, &defs), (uint32_t)-1);
	/* a failed rebuild leaves no graph: old walkers stay refused */
	struct dif_errors errs = { 0 };
	static const uint32_t none[1];
	DIF_OPTS(dif_difo_parts, pp, .name = "empty", .text = none, .textlen = 0);
	struct dif_difo *empty = NULL;
	if (dif_difo_create(&pp, &empty, NULL) == 0) {
		cr_assert_neq(dif_cfg_rebuild(cfg, empty, NULL, &errs), 0);
		cr_assert_eq(dif_du_reaching(w2, 0, &defs), (uint32_t)-1);
		dif_difo_free(empty);
	}
	dif_du_walk_free(w);
	dif_du_walk_free(w2);
	dif_cfg_free(cfg);
	dif_module_free(a);
	dif_module_free(b);
}

/* The cfg and its walkers may be freed in either order. */
Test(misuse_cfg, free_orders)
{
	struct dif_module *a = assemble(BIGGER);
	struct dif_cfg *cfg = NULL;
	cr_assert_eq(dif_cfg_build(dif_module_get(a, 0), NULL, &cfg, NULL), 0);
	struct dif_du_walk *w1 = dif_du_walk_new(cfg), *w2 = dif_du_walk_new(cfg);
	const uint32_t *defs = NULL;
	cr_assert_neq(dif_du_reaching(w1, 1, &defs), (uint32_t)-1);
	dif_cfg_free(cfg); /* walkers still alive */
	cr_assert_eq(dif_du_reaching(w1, 1, &defs), (uint32_t)-1);
	cr_assert_null(defs);
	const struct dif_use *uses = NULL;
	cr_assert_eq(dif_du_uses_of(w2, 0, &uses), (uint32_t)-1);
	dif_du_walk_free(w1);
	cr_assert_eq(dif_du_origins(w2, 0, &defs), (uint32_t)-1);
	dif_du_walk_free(w2); /* the cfg's memory goes here (ASan: no leak) */
	/* and the usual order */
	cr_assert_eq(dif_cfg_build(dif_module_get(a, 0), NULL, &cfg, NULL), 0);
	w1 = dif_du_walk_new(cfg);
	dif_du_walk_free(w1);
	dif_cfg_free(cfg);
	/* the difo may go before the cfg: the cfg copies the text */
	struct dif_module *b = assemble(SMALL);
	cr_assert_eq(dif_cfg_build(dif_module_get(b, 0), NULL, &cfg, NULL), 0);
	uint32_t nb = dif_cfg_nblocks(cfg);
	dif_module_free(b);
	cr_assert_eq(dif_cfg_nblocks(cfg), nb);
	struct dif_block blk;
	for (uint32_t i = 0; i < nb; i++)
		cr_assert_eq(dif_cfg_block(cfg, i, &blk), 0);
	dif_cfg_free(cfg);
	dif_module_free(a);
}

Test(misuse_link, nulls)
{
	struct dif_module *a = assemble(SMALL);
	struct dif_module *out = (struct dif_module *)1;
	struct dif_errors errs = { 0 };
	struct dif_link_input in[2] = { { "a", a }, { NULL, NULL } };
	cr_assert_eq(dif_link(in, 1, NULL, NULL, &errs), DIF_E_INVAL);
	cr_assert_eq(dif_link(NULL, 1, NULL, &out, &errs), DIF_E_INVAL);
	cr_assert_null(out);
	cr_assert_eq(dif_link(in, 2, NULL, &out, &errs), DIF_E_INVAL);
	cr_assert_null(out);
	struct dif_link_opts small = { .size = 1 };
	cr_assert_eq(dif_link(in, 1, &small, &out, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_link(NULL, 0, NULL, &out, NULL), 0);
	cr_assert_eq(dif_module_count(out), 0);
	dif_module_free(out);
	/* the output shares nothing with the inputs */
	in[0].name = NULL;
	cr_assert_eq(dif_link(in, 1, NULL, &out, &errs), 0);
	dif_module_free(a);
	cr_assert_eq(dif_module_count(out), 1);
	DIF_OPTS(dif_validate_opts, vo);
	cr_assert_eq(dif_validate_module(out, &vo, NULL), 0);
	dif_module_free(out);
	/* HyperTrace */
	cr_assert_eq(dif_hypertrace_detect(NULL, 100), 0);
	cr_assert_eq(dif_hypertrace_read(NULL, 100, NULL, NULL), DIF_E_INVAL);
	out = (struct dif_module *)1;
	cr_assert_eq(dif_hypertrace_read(NULL, 100, &out, &errs), DIF_E_INVAL);
	cr_assert_null(out);
	cr_assert_neq(dif_hypertrace_read_opts(NULL, 0, NULL, &out, NULL), 0);
	cr_assert_null(out);
}

Test(misuse_dof, nulls_and_lifetimes)
{
	struct dif_module *a = assemble(SMALL);
	void *w = (void *)1;
	size_t wl = 7;
	struct dif_errors errs = { 0 };
	cr_assert_eq(dif_dof_write(NULL, NULL, &w, &wl, &errs), DIF_E_INVAL);
	cr_assert_null(w);
	cr_assert_eq(wl, 0);
	cr_assert_eq(dif_dof_write(a, NULL, NULL, &wl, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_dof_write(a, NULL, &w, NULL, NULL), DIF_E_INVAL);
	struct dif_dof_opts small = { .size = 1 };
	cr_assert_eq(dif_dof_write(a, &small, &w, &wl, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_dof_write(a, NULL, &w, &wl, NULL), 0);
	struct dif_dof *d = (struct dif_dof *)1;
	cr_assert_eq(dif_dof_read(w, wl, NULL, NULL, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_dof_read(NULL, wl, NULL, &d, &errs), DIF_E_INVAL);
	cr_assert_null(d);
	cr_assert_eq(dif_dof_read(w, wl, &small, &d, NULL), DIF_E_INVAL);
	cr_assert_neq(dif_dof_read(NULL, 0, NULL, &d, NULL), 0);
	cr_assert_null(d);
	cr_assert_eq(dif_dof_detect(NULL, 64), 0);
	/* accessors on NULL */
	cr_assert_null(dif_dof_module(NULL));
	cr_assert_null(dif_dof_take_module(NULL));
	struct dif_dof_header h;
	memset(&h, 0x5a, sizeof(h));
	dif_dof_get_header(NULL, &h);
	cr_assert_eq(h.secnum, 0x5a5a5a5a);
	cr_assert_eq(dif_dof_provider_count(NULL), 0);
	cr_assert_null(dif_dof_provider(NULL, 0));
	cr_assert_eq(dif_dof_reloc_count(NULL), 0);
	cr_assert_null(dif_dof_reloc(NULL, 0));
	cr_assert_null(dif_dof_describe(NULL));
	cr_assert_null(dif_dof_sect_name(9999));
	dif_dof_free(NULL);
	/* the buffer may go right after the read; the taken module outlives
	 * the dif_dof */
	void *copy = malloc(wl);
	memcpy(copy, w, wl);
	cr_assert_eq(dif_dof_read(copy, wl, NULL, &d, NULL), 0);
	memset(copy, 0, wl);
	free(copy);
	dif_dof_get_header(d, NULL);
	cr_assert_null(dif_dof_provider(d, 0));
	cr_assert_null(dif_dof_reloc(d, 1000));
	char *text = dif_dof_describe(d);
	cr_assert_not_null(text);
	free(text);
	struct dif_module *m = dif_dof_take_module(d);
	cr_assert_not_null(m);
	cr_assert_null(dif_dof_module(d));
	cr_assert_null(dif_dof_take_module(d));
	text = dif_dof_describe(d); /* still works without its module */
	free(text);
	dif_dof_free(d);
	cr_assert_eq(dif_module_count(m), 1);
	cr_assert_str_eq(dif_difo_name(dif_module_get(m, 0)), "a");
	dif_module_free(m);
	free(w);
	dif_module_free(a);
}
