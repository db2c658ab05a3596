/*
 * Shrinking a failing case, and printing a case as a listing. A candidate
 * is kept when it is still valid, the model still gives a reproducible
 * outcome and the runtime still disagrees (or fails).
 */
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/isa.h"
#include "tg.h"

struct shr {
	tg_runner run;
	void *ud;
	struct dc_outcome *a, *b;
	uint32_t sig; /* kind of disagreement to keep */
	int have_sig;
};

/* What kind of disagreement it is: both fault codes, whether a string
 * was returned on each side, or a runtime error. Shrinking keeps it, so a
 * case does not slide into an unrelated bug. */
static uint32_t signature(const struct dc_outcome *a,
                          const struct dc_outcome *b, int err)
{
	if (err)
		return 0xffffffffu;
	/* (after a fault rval is 0: whether it equals the other side's
	 * says nothing about the disagreement) */
	int same_rval = !a->fault && !b->fault && a->rval == b->rval;
	return a->fault | b->fault << 8 | a->has_string << 16 |
	       b->has_string << 17 | (uint32_t)same_rval << 18;
}

static int fails(struct shr *s, const struct dc_case *c)
{
	if (!tg_case_valid(c))
		return 0;
	if (tg_model_run(c, s->a, NULL))
		return 0;
	struct tg_err e;
	memset(s->b, 0, sizeof(*s->b));
	int err = s->run(s->ud, c, s->b, &e) != 0;
	if (!err && tg_outcome_equal(s->a, s->b))
		return 0;
	uint32_t sig = signature(s->a, s->b, err);
	if (!s->have_sig) {
		s->sig = sig;
		s->have_sig = 1;
	}
	return sig == s->sig;
}

static int is_branch(uint32_t w)
{
	unsigned op = DIF_I_OP(w);
	return op >= DIF_OPC_BA && op <= DIF_OPC_BLEU;
}

/* Removes instruction i, keeping branch targets on the same code. */
static void remove_insn(struct dc_case *c, uint32_t i)
{
	for (uint32_t j = 0; j < c->textlen; j++) {
		uint32_t w = c->text[j];
		if (is_branch(w) && DIF_I_LABEL(w) > i)
			c->text[j] = DIF_ENC_B(DIF_I_OP(w), DIF_I_LABEL(w) - 1);
	}
	memmove(c->text + i, c->text + i + 1, (c->textlen - i - 1) * 4u);
	c->textlen--;
}

/* Tries one edit on a copy; keeps it when it still fails. */
typedef int (*edit_fn)(struct dc_case *c, uint32_t i, uint32_t v);

static int try_edit(struct shr *s, struct dc_case *c, edit_fn fn, uint32_t i,
                    uint32_t v)
{
	struct dc_case t;
	tg_case_copy(&t, c);
	if (!fn(&t, i, v) || !fails(s, &t)) {
		tg_case_free(&t);
		return 0;
	}
	tg_case_free(c);
	*c = t;
	return 1;
}

static int ed_remove(struct dc_case *c, uint32_t i, uint32_t v)
{
	(void)v;
	if (i + 1 >= c->textlen)
		return 0;
	remove_insn(c, i);
	return 1;
}

/* Magnitude of a constant read as signed: what "simpler" means. */
static uint64_t mag(uint64_t v)
{
	return v < 0x8000000000000000ull ? v : 0 - v;
}

static int ed_const(struct dc_case *c, uint32_t i, uint32_t v)
{
	static const uint64_t simple[] = { 0, 1, 2, UINT64_MAX, 10 };
	uint64_t old = c->inttab[i], nv;
	if (v < 5)
		nv = simple[v];
	else if (v == 5)
		nv = old / 2;
	else
		nv = (uint64_t)((int64_t)old / 2);
	if (mag(nv) >= mag(old))
		return 0;
	c->inttab[i] = nv;
	return 1;
}

static int ed_env(struct dc_case *c, uint32_t i, uint32_t v)
{
	(void)v;
	switch (i) {
	case 0:
		if (!c->nregions)
			return 0;
		free(c->regions[c->nregions - 1].bytes);
		c->regions[--c->nregions].bytes = NULL;
		return 1;
	case 1:
		if (!c->nbvars)
			return 0;
		free(c->bvars[c->nbvars - 1].str);
		c->bvars[--c->nbvars].str = NULL;
		return 1;
	case 2:
		if (!c->deny)
			return 0;
		c->deny = 0;
		return 1;
	case 3:
		if (c->runs <= 1)
			return 0;
		c->runs = 1;
		return 1;
	case 4:
		if (!c->scratch_size && !c->dynvar_size && !c->strsize)
			return 0;
		c->scratch_size = c->dynvar_size = 0;
		c->strsize = 0;
		return 1;
	case 5: {
		int any = 0;
		for (int k = 0; k < 10; k++)
			any |= c->args[k] != 0;
		if (!any && !c->thread_key)
			return 0;
		memset(c->args, 0, sizeof(c->args));
		c->thread_key = 0;
		return 1;
	}
	case 6:
		if (c->profile == DC_PROFILE_FREEBSD)
			return 0;
		c->profile = DC_PROFILE_FREEBSD;
		return 1;
	case 7:
		if (c->rtype.kind == 0)
			return 0;
		c->rtype = (struct dc_type){ .kind = 0, .ckind = 1, .size = 8 };
		return 1;
	case 8:
		if (!c->varlen)
			return 0;
		c->varlen--;
		return 1;
	case 9:
		if (!c->observe)
			return 0;
		c->observe = 0;
		return 1;
	case 10: /* host answers, the last of each table first */
		if (c->nhreads) {
			free(c->hreads[c->nhreads - 1].bytes);
			c->hreads[--c->nhreads].bytes = NULL;
			return 1;
		}
		if (!c->nhvars && !c->nhsubrs && !c->nhstores && !c->nhwrites)
			return 0;
		if (c->nhvars)
			c->nhvars--;
		else if (c->nhsubrs)
			c->nhsubrs--;
		else if (c->nhstores)
			c->nhstores--;
		else
			c->nhwrites--;
		return 1;
	default:
		return 0;
	}
}

/* Drops integer-table entries no SETX refers to. */
static void compact_inttab(struct dc_case *c)
{
	uint32_t map[4096];
	if (c->intlen > 4096)
		return;
	uint8_t used[4096] = { 0 };
	for (uint32_t j = 0; j < c->textlen; j++)
		if (DIF_I_OP(c->text[j]) == DIF_OPC_SETX &&
		    DIF_I_INDEX(c->text[j]) < c->intlen)
			used[DIF_I_INDEX(c->text[j])] = 1;
	uint32_t n = 0;
	for (uint32_t i = 0; i < c->intlen; i++) {
		map[i] = n;
		if (used[i])
			c->inttab[n++] = c->inttab[i];
	}
	for (uint32_t j = 0; j < c->textlen; j++)
		if (DIF_I_OP(c->text[j]) == DIF_OPC_SETX &&
		    DIF_I_INDEX(c->text[j]) < c->intlen)
			c->text[j] = DIF_ENC_W(DIF_OPC_SETX,
			                       map[DIF_I_INDEX(c->text[j])],
			                       DIF_I_RD(c->text[j]));
	c->intlen = n;
}

unsigned tg_shrink(struct dc_case *c, tg_runner run, void *ud)
{
	struct shr s = { run, ud, malloc(sizeof(struct dc_outcome)),
		         malloc(sizeof(struct dc_outcome)), 0, 0 };
	unsigned n = 0;
	if (!s.a || !s.b || !fails(&s, c))
		goto out;
	for (int round = 0; round < 50; round++) {
		unsigned before = n;
		/* larger chunks first would be faster; programs are small */
		for (uint32_t i = 0; i + 1 < c->textlen;) {
			if (try_edit(&s, c, ed_remove, i, 0))
				n++;
			else
				i++;
		}
		for (uint32_t i = 0; i < 11; i++)
			while (try_edit(&s, c, ed_env, i, 0))
				n++;
		for (uint32_t i = 0; i < c->intlen; i++)
			for (uint32_t v = 0; v < 7; v++)
				if (try_edit(&s, c, ed_const, i, v))
					n++;
		if (n == before)
			break;
	}
	{
		struct dc_case t;
		tg_case_copy(&t, c);
		compact_inttab(&t);
		if (fails(&s, &t)) {
			tg_case_free(c);
			*c = t;
		} else
			tg_case_free(&t);
	}
out:
	free(s.a);
	free(s.b);
	return n;
}

void tg_print_case(FILE *f, const struct dc_case *c)
{
	struct dif_difo *d = NULL;
	if (tg_case_difo(c, &d) == 0) {
		DIF_OPTS(dif_dis_opts, o, .profile = (enum dif_profile)c->profile);
		char *s = dif_dis(d, &o);
		if (s)
			fputs(s, f);
		free(s);
		dif_difo_free(d);
	} else {
		fprintf(f, "(program cannot be listed)\n");
	}
	fprintf(f, "profile %s", c->profile ? "illumos" : "freebsd");
	if (c->strsize)
		fprintf(f, "  strsize %u", c->strsize);
	if (c->scratch_size)
		fprintf(f, "  scratch %llu", (unsigned long long)c->scratch_size);
	if (c->dynvar_size)
		fprintf(f, "  dynvar %llu", (unsigned long long)c->dynvar_size);
	if (c->deny)
		fprintf(f, "  deny 0x%x", c->deny);
	if (c->runs > 1)
		fprintf(f, "  runs %u", c->runs);
	if (c->thread_key)
		fprintf(f, "  thread 0x%llx", (unsigned long long)c->thread_key);
	fputc('\n', f);
	int any = 0;
	for (int i = 0; i < 10; i++)
		any |= c->args[i] != 0;
	if (any) {
		fprintf(f, "args");
		for (int i = 0; i < 10; i++)
			fprintf(f, " 0x%llx", (unsigned long long)c->args[i]);
		fputc('\n', f);
	}
	for (uint32_t i = 0; i < c->nbvars; i++) {
		const char *n = dif_var_name(c->bvars[i].id,
		                             (enum dif_profile)c->profile);
		if (c->bvars[i].str)
			fprintf(f, "var %s (0x%x) = \"%s\"\n", n ? n : "?",
			        c->bvars[i].id, c->bvars[i].str);
		else
			fprintf(f, "var %s (0x%x) = 0x%llx\n", n ? n : "?",
			        c->bvars[i].id,
			        (unsigned long long)c->bvars[i].value);
	}
	for (uint32_t i = 0; i < c->nregions; i++) {
		const struct dc_region *g = &c->regions[i];
		fprintf(f, "region 0x%llx size %u %s%s%s\n",
		        (unsigned long long)g->addr, g->size,
		        g->as ? "user" : "kernel",
		        g->flags & 1 ? " canload" : "",
		        g->flags & 2 ? " toxic" : "");
	}
	/* host answers, in the case-file syntax (docs/corpus.md) */
	for (uint32_t i = 0; i < c->nhvars && i < DC_MAX_HVARS; i++)
		fprintf(f, "!hvar 0x%x %llu %u 0x%llx\n", c->hvars[i].id,
		        (unsigned long long)c->hvars[i].index, c->hvars[i].code,
		        (unsigned long long)c->hvars[i].value);
	for (uint32_t i = 0; i < c->nhsubrs && i < DC_MAX_HSUBRS; i++)
		fprintf(f, "!hsubr %u %u 0x%llx %u\n", c->hsubrs[i].subr,
		        c->hsubrs[i].code,
		        (unsigned long long)c->hsubrs[i].result,
		        c->hsubrs[i].write_rd);
	for (uint32_t i = 0; i < c->nhstores && i < DC_MAX_HSTORES; i++)
		fprintf(f, "!hstore %u %llu %u\n", c->hstores[i].id,
		        (unsigned long long)c->hstores[i].index,
		        c->hstores[i].code);
	for (uint32_t i = 0; i < c->nhwrites && i < DC_MAX_HWRITES; i++)
		fprintf(f, "!hwrite 0x%llx %u %u\n",
		        (unsigned long long)c->hwrites[i].addr, c->hwrites[i].size,
		        c->hwrites[i].code);
	for (uint32_t i = 0; i < c->nhreads && i < DC_MAX_HREADS; i++) {
		fprintf(f, "!hmem 0x%llx ", (unsigned long long)c->hreads[i].addr);
		for (uint32_t b = 0; b < c->hreads[i].size; b++)
			fprintf(f, "%02x", c->hreads[i].bytes[b]);
		fputs(c->hreads[i].as ? " user\n" : "\n", f);
	}
}
