/* Runs a conformance case on difvm in-process. */
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "tg.h"

int tg_case_difo(const struct dc_case *c, struct dif_difo **out)
{
	struct dif_var vars[256];
	struct dif_var *vp = c->varlen <= 256 ? vars
	                                      : malloc(c->varlen * sizeof(*vp));
	if (!vp)
		return DIF_E_NOMEM;
	for (uint32_t i = 0; i < c->varlen; i++) {
		const struct dc_var *s = &c->vartab[i];
		vp[i] = (struct dif_var){
			.name = s->name, .id = s->id, .kind = s->kind,
			.scope = s->scope, .flags = s->flags,
			.type = { .kind = s->type.kind, .ckind = s->type.ckind,
			          .flags = s->type.flags, .size = s->type.size },
		};
	}
	DIF_OPTS(dif_difo_parts, parts, .name = "case", .text = c->text,
	         .textlen = c->textlen, .inttab = c->inttab,
	         .intlen = c->intlen, .strtab = c->strtab, .strlen = c->strlen,
	         .vartab = vp, .varlen = c->varlen,
	         .rtype = { .kind = c->rtype.kind, .ckind = c->rtype.ckind,
	                    .flags = c->rtype.flags, .size = c->rtype.size });
	int r = dif_difo_create(&parts, out, NULL);
	if (vp != vars)
		free(vp);
	return r;
}

int tg_case_valid(const struct dc_case *c)
{
	struct dif_difo *d;
	if (tg_case_difo(c, &d))
		return 0;
	DIF_OPTS(dif_validate_opts, vo, .profile = (enum dif_profile)c->profile);
	int ok = dif_validate(d, &vo, NULL) == 0;
	dif_difo_free(d);
	return ok;
}

static void first_error(struct tg_err *e, const char *what,
                        const struct dif_errors *errs, int code)
{
	if (errs && errs->count)
		tg_errf(e, "%s: %s", what, errs->list[0].msg);
	else
		tg_errf(e, "%s: %s", what, dif_err_text(code));
}

int tg_difvm_run(const struct dc_case *c, struct dc_outcome *o,
                 struct tg_err *e)
{
	return tg_difvm_run_shifted(c, o, e, 0);
}

/* The outcome's string digest (spec/case.h), read through the VM. */
static uint64_t digest(struct dif_ctx *ctx, uint32_t mask, uint32_t lim)
{
	uint64_t h = DC_DIGEST_INIT;
	for (unsigned r = 0; r < 8; r++) {
		if (!(mask >> r & 1))
			continue;
		uint64_t a = dif_ctx_reg(ctx, r);
		if (a == 0) {
			h = dc_digest_byte(h, 1);
			continue;
		}
		h = dc_digest_byte(h, 2);
		uint8_t end = 4;
		for (uint32_t n = 0; n < lim; n++) {
			uint8_t ch;
			if (dif_ctx_read(ctx, a + n, &ch, 1)) {
				end = 3;
				break;
			}
			if (ch == 0) {
				end = 0;
				break;
			}
			h = dc_digest_byte(h, ch);
		}
		h = dc_digest_byte(h, end);
	}
	return h;
}

/* Host callbacks that answer from the case's tables (docs/corpus.md "Host
 * answers"); a key not listed gets DIF_HOST_DEFAULT. */
struct host_st {
	const struct dc_case *c;
	uint8_t set[DC_MAX_HSTORES];
	uint64_t val[DC_MAX_HSTORES];
	uint8_t *img[DC_MAX_HWRITES]; /* what each dc_hwrite range received */
};

static int host_read(void *ud, enum dif_as as, uint64_t addr, void *buf,
                     size_t len)
{
	const struct host_st *h = ud;
	for (uint32_t i = 0; i < h->c->nhreads && i < DC_MAX_HREADS; i++) {
		const struct dc_hread *r = &h->c->hreads[i];
		if (r->as == (uint8_t)as && addr - r->addr < r->size &&
		    len <= r->size - (addr - r->addr)) {
			memcpy(buf, r->bytes + (addr - r->addr), len);
			return 0;
		}
	}
	return DIF_HOST_DEFAULT;
}

static int host_write(void *ud, uint64_t addr, const void *buf, size_t len)
{
	struct host_st *h = ud;
	int k;
	int rc = dc_hwrite_answer(h->c, addr, len, &k);
	if (rc < 0)
		return DIF_HOST_DEFAULT;
	if (rc == 0 && len)
		memcpy(h->img[k] + (addr - h->c->hwrites[k].addr), buf, len);
	return rc;
}

static int host_var(void *ud, struct dif_ctx *ctx, unsigned id, uint64_t index,
                    uint64_t *val)
{
	const struct host_st *h = ud;
	(void)ctx;
	int k = dc_hvar_find(h->c, id, index);
	if (k < 0)
		return DIF_HOST_DEFAULT;
	*val = h->c->hvars[k].value;
	return (int)h->c->hvars[k].code;
}

static int host_subr(void *ud, struct dif_ctx *ctx, struct dif_subr_call *call)
{
	const struct host_st *h = ud;
	(void)ctx;
	int k = dc_hsubr_find(h->c, call->subr);
	if (k < 0)
		return DIF_HOST_DEFAULT;
	call->result = h->c->hsubrs[k].result;
	call->write_rd = (int)h->c->hsubrs[k].write_rd;
	return (int)h->c->hsubrs[k].code;
}

static int host_store(void *ud, struct dif_ctx *ctx, unsigned id,
                      uint64_t index, uint64_t val)
{
	struct host_st *h = ud;
	(void)ctx;
	int k = dc_hstore_find(h->c, id, index);
	if (k < 0)
		return DIF_HOST_DEFAULT;
	if (h->c->hstores[k].code == 0) {
		h->set[k] = 1;
		h->val[k] = val;
	}
	return (int)h->c->hstores[k].code;
}

int tg_difvm_run_shifted(const struct dc_case *c, struct dc_outcome *o,
                         struct tg_err *e, uint64_t layout_shift)
{
	/* diagnostics are collected only when a step fails (the list is
	 * large and this is the replay hot path) */
	struct dif_errors *errs = NULL;
	struct dif_difo *difo = NULL;
	struct dif_vm *vm = NULL;
	struct dif_prog *prog = NULL;
	struct dif_ctx *ctx = NULL;
	int ret = -1, r;
	struct host_st hst = { .c = c };
	memset(o, 0, sizeof(*o));
	if ((r = tg_case_difo(c, &difo))) {
		first_error(e, "difo", errs, r);
		goto out;
	}
	struct dif_region regs[DC_MAX_REGIONS];
	uint32_t nr = c->nregions < DC_MAX_REGIONS ? c->nregions : DC_MAX_REGIONS;
	for (uint32_t i = 0; i < nr; i++) {
		const struct dc_region *g = &c->regions[i];
		regs[i] = (struct dif_region){ .addr = g->addr, .size = g->size,
		                               .bytes = g->bytes, .as = g->as,
		                               .flags = g->flags };
	}
	struct dif_host host = { .size = sizeof(host), .ud = &hst,
		                 .var = host_var, .subr = host_subr,
		                 .var_store = host_store,
		                 .write = c->nhwrites ? host_write : NULL,
		                 .read = c->nhreads ? host_read : NULL };
	uint32_t nw = c->nhwrites < DC_MAX_HWRITES ? c->nhwrites : DC_MAX_HWRITES;
	for (uint32_t i = 0; i < nw; i++) {
		uint32_t sz = c->hwrites[i].size;
		if (sz > DC_MAX_HWRITE_SIZE ||
		    !(hst.img[i] = calloc(1, sz ? sz : 1))) {
			tg_errf(e, "host write range %u: too large or out of memory", i);
			goto out;
		}
	}
	DIF_OPTS(dif_vm_opts, vo, .profile = (enum dif_profile)c->profile,
	         .strsize = c->strsize, .scratch_size = c->scratch_size,
	         .dynvar_size = c->dynvar_size, .deny = c->deny,
	         .regions = nr ? regs : NULL, .nregions = nr,
	         .layout_shift = layout_shift,
	         .host = dc_case_has_host(c) ? &host : NULL);
	if ((r = dif_vm_create(&vo, &vm, NULL))) {
		if ((errs = malloc(sizeof(*errs)))) {
			dif_errors_clear(errs);
			if (dif_vm_create(&vo, &vm, errs) == 0)
				dif_vm_free(vm);
			vm = NULL;
		}
		first_error(e, "vm", errs, r);
		goto out;
	}
	if ((r = dif_prog_load(vm, difo, &prog, NULL))) {
		if ((errs = malloc(sizeof(*errs)))) {
			dif_errors_clear(errs);
			if (dif_prog_load(vm, difo, &prog, errs) == 0)
				dif_prog_free(prog);
			prog = NULL;
		}
		first_error(e, "load", errs, r);
		goto out;
	}
	if ((r = dif_ctx_create(vm, &ctx))) {
		first_error(e, "ctx", errs, r);
		goto out;
	}
	for (unsigned i = 0; i < 10; i++)
		dif_ctx_set_arg(ctx, i, c->args[i]);
	uint32_t nb = c->nbvars < DC_MAX_BVARS ? c->nbvars : DC_MAX_BVARS;
	for (uint32_t i = 0; i < nb; i++) {
		const struct dc_bvar *b = &c->bvars[i];
		r = b->str ? dif_ctx_set_string(ctx, b->id, b->str)
		           : dif_ctx_set_var(ctx, b->id, b->value);
		if (r) {
			tg_errf(e, "built-in variable 0x%x: %s", b->id,
			        dif_err_text(r));
			goto out;
		}
	}
	if (c->thread_key)
		dif_ctx_set_thread(ctx, c->thread_key);
	uint32_t runs = c->runs ? c->runs : 1;
	uint64_t rval = 0;
	for (uint32_t i = 0; i < runs; i++)
		r = dif_exec(prog, ctx, &rval);
	o->rval = rval;
	struct dif_vm_stats st;
	dif_vm_get_stats(vm, &st);
	o->drops = st.dynvar_drops;
	if (nw) {
		o->has_hwrite = 1;
		o->hwrite = dc_hwrite_digest(c, hst.img);
	}
	if (c->nhstores) {
		uint32_t n = c->nhstores < DC_MAX_HSTORES ? c->nhstores
		                                          : DC_MAX_HSTORES;
		o->has_hstore = 1;
		o->hstore = dc_hstore_digest(n, hst.set, hst.val);
	}
	uint32_t lim = c->strsize ? c->strsize : DIF_STRSIZE_DEFAULT;
	if (r) {
		const struct dif_fault *f = dif_ctx_fault(ctx);
		o->rval = 0;
		o->fault = (uint32_t)f->code;
		o->pc = f->pc;
		o->addr = f->addr;
	} else {
		if (c->observe) {
			o->has_digest = 1;
			o->digest = digest(ctx, c->observe, lim);
		}
	}
	if (!r && c->rtype.kind == 1 && rval != 0) {
		/* a NULL string result carries no string (as the model) */
		if (lim >= sizeof(o->string))
			lim = sizeof(o->string) - 1;
		o->has_string = 1;
		for (uint32_t i = 0; i < lim; i++) {
			char ch;
			if (dif_ctx_read(ctx, rval + i, &ch, 1) || ch == 0)
				break;
			o->string[i] = ch;
		}
	}
	ret = 0;
out:
	if (ctx)
		dif_ctx_free(ctx);
	if (prog)
		dif_prog_free(prog);
	if (vm)
		dif_vm_free(vm);
	if (difo)
		dif_difo_free(difo);
	for (unsigned i = 0; i < DC_MAX_HWRITES; i++)
		free(hst.img[i]);
	free(errs);
	return ret;
}
