/*
 * difbench --cfg: speed of building the control-flow graph and the
 * def-use graph (include/difvm/cfg.h) on large programs, next to the
 * structural validator on the same DIFOs.
 *
 * The programs are generated: DIFOs close to the 256 KiB size limit made
 * of the shapes the D compiler emits (predicates and && chains branching
 * to one exit, if/else diamonds storing variables, associative-array
 * updates through the tuple stack, subroutine calls, ALU runs, loads), and
 * two sizes a factor 4 apart to show the growth.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/cfg.h"
#include "difvm/isa.h"

#include "cfgbench.h"

struct gen {
	uint32_t *w;
	uint32_t n, cap;
	uint64_t rng;
};

static uint32_t rnd(struct gen *g, uint32_t n)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return (uint32_t)(g->rng % n);
}

static uint32_t put(struct gen *g, uint32_t w)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 4096;
		uint32_t *p = realloc(g->w, g->cap * sizeof(uint32_t));
		if (!p) {
			fputs("difbench: out of memory\n", stderr);
			exit(2);
		}
		g->w = p;
	}
	g->w[g->n] = w;
	return g->n++;
}

static unsigned reg(struct gen *g)
{
	return 1 + rnd(g, 7);
}

/* One compiler-like shape. */
static void shape(struct gen *g)
{
	unsigned a = reg(g), b = reg(g), c = reg(g);
	switch (rnd(g, 6)) {
	case 0: { /* a && b && c ... -> one exit */
		unsigned k = 2 + rnd(g, 6);
		uint32_t br[8];
		for (unsigned i = 0; i < k; i++) {
			put(g, DIF_ENC_W(DIF_OPC_LDGS, DIF_VARID_ARG0 + rnd(g, 4), a));
			put(g, DIF_ENC_R(DIF_OPC_TST, a, 0, 0));
			br[i] = put(g, DIF_ENC_B(DIF_OPC_BE, 0));
		}
		put(g, DIF_ENC_W(DIF_OPC_SETX, 0, b));
		for (unsigned i = 0; i < k; i++)
			g->w[br[i]] = DIF_ENC_B(DIF_OPC_BE, g->n);
		break;
	}
	case 1: { /* if (x) v = a; else w = b; */
		put(g, DIF_ENC_R(DIF_OPC_CMP, a, b, 0));
		uint32_t br = put(g, DIF_ENC_B(DIF_OPC_BLE, 0));
		put(g, DIF_ENC_W(DIF_OPC_STLS, 0x500 + rnd(g, 16), a));
		uint32_t ba = put(g, DIF_ENC_B(DIF_OPC_BA, 0));
		g->w[br] = DIF_ENC_B(DIF_OPC_BLE, g->n);
		put(g, DIF_ENC_W(DIF_OPC_STGS, 0x500 + rnd(g, 16), b));
		g->w[ba] = DIF_ENC_B(DIF_OPC_BA, g->n);
		put(g, DIF_ENC_W(DIF_OPC_LDLS, 0x500 + rnd(g, 16), c));
		break;
	}
	case 2: /* counts[execname, pid] += x */
		put(g, DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0));
		put(g, DIF_ENC_W(DIF_OPC_LDGS, DIF_VARID_EXECNAME, a));
		put(g, DIF_ENC_R(DIF_OPC_PUSHTR, DIF_TYPE_STRING, 0, a));
		put(g, DIF_ENC_W(DIF_OPC_LDGS, DIF_VARID_PID, b));
		put(g, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, b));
		put(g, DIF_ENC_W(DIF_OPC_LDGAA, 0x510 + rnd(g, 4), c));
		put(g, DIF_ENC_R(DIF_OPC_ADD, c, a, c));
		put(g, DIF_ENC_W(DIF_OPC_STGAA, 0x510 + rnd(g, 4), c));
		put(g, DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0));
		break;
	case 3: /* strjoin(a, b) */
		put(g, DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0));
		put(g, DIF_ENC_R(DIF_OPC_PUSHTR, DIF_TYPE_STRING, 0, a));
		put(g, DIF_ENC_R(DIF_OPC_PUSHTR, DIF_TYPE_STRING, 0, b));
		put(g, DIF_ENC_W(DIF_OPC_CALL, 0, c));
		break;
	case 4: /* arithmetic */
		for (unsigned i = 0, k = 4 + rnd(g, 12); i < k; i++)
			put(g, DIF_ENC_R(DIF_OPC_ADD + rnd(g, 3), reg(g), reg(g), reg(g)));
		break;
	default: /* args[0]->p->x */
		put(g, DIF_ENC_W(DIF_OPC_LDGS, DIF_VARID_ARG0, a));
		put(g, DIF_ENC_W(DIF_OPC_SETX, 1, b));
		put(g, DIF_ENC_R(DIF_OPC_ADD, a, b, a));
		put(g, DIF_ENC_R(DIF_OPC_LDX, a, 0, a));
		put(g, DIF_ENC_R(DIF_OPC_LDUW, a, 0, c));
		break;
	}
}

/* A DIFO of about n instructions. */
static struct dif_difo *make(uint64_t seed, uint32_t n, const char *name)
{
	struct gen g = { .rng = seed | 1 };
	static const uint64_t ints[] = { 1, 16 };
	/* 16 clause-locals, 16 global scalars, 4 global arrays */
	struct dif_var vars[36];
	for (unsigned i = 0; i < 36; i++)
		vars[i] = (struct dif_var){
			.name = 0, .id = 0x500 + (i < 16 ? i : i < 32 ? i - 16 : i - 16),
			.kind = i < 32 ? DIF_VKIND_SCALAR : DIF_VKIND_ARRAY,
			.scope = i < 16 ? DIF_VSCOPE_LOCAL : DIF_VSCOPE_GLOBAL,
			.type = { .kind = DIF_TYPE_CTF, .ckind = 1, .size = 8 },
		};
	while (g.n < n - 40)
		shape(&g);
	put(&g, DIF_ENC_R(DIF_OPC_RET, 0, 0, 1));
	struct dif_difo *d = NULL;
	DIF_OPTS(dif_difo_parts, p, .name = name, .text = g.w, .textlen = g.n,
	         .inttab = ints, .intlen = 2, .strtab = "v", .strlen = 2,
	         .vartab = vars, .varlen = 36);
	int rc = dif_difo_create(&p, &d, NULL);
	free(g.w);
	if (rc) {
		fprintf(stderr, "difbench: dif_difo_create: %s\n", dif_err_text(rc));
		exit(2);
	}
	return d;
}

enum { W_VALIDATE, W_BLOCKS, W_FULL, W_REBUILD, W_COUNT };
static const char *const wname[W_COUNT] = { "validate", "cfg", "cfg+defuse",
	                                        "cfg+defuse_rebuild" };

/* Median ns over batches for one kind of work on every DIFO. */
static double timed(struct dif_difo **d, unsigned nd, int what,
                    unsigned batches, int *ok)
{
	double *t = calloc(batches, sizeof(double));
	struct dif_cfg *keep = NULL; /* W_REBUILD: one cfg for every DIFO */
	if (what == W_REBUILD && dif_cfg_build(d[0], NULL, &keep, NULL) != 0)
		*ok = 0;
	for (unsigned b = 0; b < batches && t; b++) {
		double t0 = now_ns();
		for (unsigned i = 0; i < nd; i++) {
			if (what == W_VALIDATE) {
				if (dif_validate(d[i], NULL, NULL) != 0)
					*ok = 0; /* the generated programs are valid */
				continue;
			}
			if (what == W_REBUILD) {
				if (!keep || dif_cfg_rebuild(keep, d[i], NULL, NULL) != 0)
					*ok = 0;
				continue;
			}
			DIF_OPTS(dif_cfg_opts, o,
			         .flags = what == W_BLOCKS ? DIF_CFG_NO_DEFUSE : 0);
			struct dif_cfg *g = NULL;
			if (dif_cfg_build(d[i], &o, &g, NULL) != 0)
				*ok = 0;
			dif_cfg_free(g);
		}
		t[b] = now_ns() - t0;
	}
	dif_cfg_free(keep);
	if (!t) {
		*ok = 0;
		return 0;
	}
	double m = median(t, batches);
	free(t);
	return m;
}

int cfgbench_run(unsigned batches, int json)
{
	/* 8 DIFOs near the size limit (text + tables <= 256 KiB), and the
	 * same count a quarter that size. */
	enum { ND = 8 };
	static const uint32_t sizes[2] = { 15000, 60000 };
	int ok = 1;
	double ns[2][W_COUNT];
	uint64_t insns[2] = { 0, 0 }, ops[2] = { 0, 0 }, bytes[2] = { 0, 0 };
	for (unsigned s = 0; s < 2; s++) {
		struct dif_difo *d[ND];
		for (unsigned i = 0; i < ND; i++) {
			char name[32];
			snprintf(name, sizeof(name), "big%u", i);
			d[i] = make(0x9e3779b97f4a7c15ull * (i + 1) + s, sizes[s], name);
			struct dif_difo_parts p;
			memset(&p, 0, sizeof(p));
			p.size = sizeof(p);
			dif_difo_get_parts(d[i], &p);
			insns[s] += p.textlen;
			struct dif_cfg *g = NULL;
			if (dif_cfg_build(d[i], NULL, &g, NULL) != 0) {
				ok = 0;
				continue;
			}
			struct dif_cfg_stats st;
			dif_cfg_get_stats(g, &st);
			ops[s] += st.block_ops + st.dom_ops + st.du_ops;
			if (st.bytes > bytes[s])
				bytes[s] = st.bytes;
			dif_cfg_free(g);
		}
		for (int w = 0; w < W_COUNT; w++)
			ns[s][w] = timed(d, ND, w, batches, &ok);
		for (unsigned i = 0; i < ND; i++)
			dif_difo_free(d[i]);
	}
	if (json) {
		printf("{\"tool\": \"difbench\", \"bench\": \"cfg\", \"batches\": %u, "
		       "\"difos\": %u, \"sizes\": [", batches, ND);
		for (unsigned s = 0; s < 2; s++) {
			printf("%s{\"insns\": %llu", s ? ", " : "",
			       (unsigned long long)insns[s]);
			for (int w = 0; w < W_COUNT; w++)
				printf(", \"%s_insns_per_s\": %.0f", wname[w],
				       insns[s] / ns[s][w] * 1e9);
			printf(", \"work_ops\": %llu, \"peak_bytes_per_difo\": %llu}",
			       (unsigned long long)ops[s], (unsigned long long)bytes[s]);
		}
		printf("], \"ok\": %s}\n", ok ? "true" : "false");
		return ok ? 0 : 1;
	}
	printf("difbench --cfg: %u DIFOs per size, median of %u batches\n\n", ND,
	       batches);
	printf("%-8s %12s %12s %14s %14s %9s\n", "insns", "validate/s",
	       "cfg/s", "cfg+defuse/s", "(rebuild)/s", "vs valid.");
	for (unsigned s = 0; s < 2; s++)
		printf("%-8llu %12.3g %12.3g %14.3g %14.3g %8.2fx\n",
		       (unsigned long long)insns[s],
		       insns[s] / ns[s][W_VALIDATE] * 1e9,
		       insns[s] / ns[s][W_BLOCKS] * 1e9,
		       insns[s] / ns[s][W_FULL] * 1e9,
		       insns[s] / ns[s][W_REBUILD] * 1e9,
		       ns[s][W_REBUILD] / ns[s][W_VALIDATE]);
	double ri = (double)insns[1] / (double)insns[0];
	printf("\ngrowth for x%.2f input: time x%.2f (build + free), x%.2f "
	       "(rebuild), work x%.2f, peak memory per DIFO x%.2f (%llu -> %llu "
	       "bytes)\n",
	       ri, ns[1][W_FULL] / ns[0][W_FULL],
	       ns[1][W_REBUILD] / ns[0][W_REBUILD], (double)ops[1] / (double)ops[0],
	       (double)bytes[1] / (double)bytes[0], (unsigned long long)bytes[0],
	       (unsigned long long)bytes[1]);
	printf("cfg+defuse: dif_cfg_build + dif_cfg_free per DIFO; (rebuild): one "
	       "cfg reused\nwith dif_cfg_rebuild, as a verifier going through "
	       "many DIFOs does;\n'vs valid.' = rebuild time / structural "
	       "validation time\n");
	return ok ? 0 : 1;
}
