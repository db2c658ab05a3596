/* Case ownership helpers, the program builder and the seeded RNG. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/isa.h"
#include "tg.h"

void tg_errf(struct tg_err *e, const char *fmt, ...)
{
	if (!e)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

void tg_case_init(struct dc_case *c)
{
	memset(c, 0, sizeof(*c));
}

void tg_case_free(struct dc_case *c)
{
	free(c->text);
	free(c->inttab);
	free(c->strtab);
	free(c->vartab);
	for (uint32_t i = 0; i < c->nbvars && i < DC_MAX_BVARS; i++)
		free(c->bvars[i].str);
	for (uint32_t i = 0; i < c->nregions && i < DC_MAX_REGIONS; i++)
		free(c->regions[i].bytes);
	for (uint32_t i = 0; i < c->nhreads && i < DC_MAX_HREADS; i++)
		free(c->hreads[i].bytes);
	memset(c, 0, sizeof(*c));
}

static void *dup_mem(const void *p, size_t n)
{
	if (!p || n == 0)
		return NULL;
	void *q = malloc(n);
	if (q)
		memcpy(q, p, n);
	return q;
}

int tg_case_copy(struct dc_case *dst, const struct dc_case *src)
{
	*dst = *src;
	dst->text = dup_mem(src->text, src->textlen * sizeof(uint32_t));
	dst->inttab = dup_mem(src->inttab, src->intlen * sizeof(uint64_t));
	dst->strtab = dup_mem(src->strtab, src->strlen);
	dst->vartab = dup_mem(src->vartab, src->varlen * sizeof(struct dc_var));
	for (uint32_t i = 0; i < src->nbvars; i++)
		if (src->bvars[i].str)
			dst->bvars[i].str = strdup(src->bvars[i].str);
	for (uint32_t i = 0; i < src->nregions; i++)
		dst->regions[i].bytes =
			dup_mem(src->regions[i].bytes, src->regions[i].size);
	for (uint32_t i = 0; i < src->nhreads && i < DC_MAX_HREADS; i++)
		dst->hreads[i].bytes =
			dup_mem(src->hreads[i].bytes, src->hreads[i].size);
	return 0;
}

static int mem_eq(const void *a, const void *b, size_t n)
{
	if (n == 0)
		return 1;
	if (!a || !b)
		return a == b;
	return memcmp(a, b, n) == 0;
}

static int type_eq(const struct dc_type *a, const struct dc_type *b)
{
	return a->kind == b->kind && a->ckind == b->ckind &&
	       a->flags == b->flags && a->size == b->size;
}

int tg_case_equal(const struct dc_case *a, const struct dc_case *b)
{
	if (a->profile != b->profile || a->strsize != b->strsize ||
	    a->scratch_size != b->scratch_size ||
	    a->dynvar_size != b->dynvar_size || a->deny != b->deny ||
	    a->textlen != b->textlen || a->intlen != b->intlen ||
	    a->strlen != b->strlen || a->varlen != b->varlen ||
	    !type_eq(&a->rtype, &b->rtype) || a->thread_key != b->thread_key ||
	    a->nbvars != b->nbvars || a->nregions != b->nregions ||
	    a->runs != b->runs || a->observe != b->observe ||
	    a->nhvars != b->nhvars || a->nhsubrs != b->nhsubrs ||
	    a->nhstores != b->nhstores || a->nhwrites != b->nhwrites ||
	    a->nhreads != b->nhreads)
		return 0;
	for (uint32_t i = 0; i < a->nhreads && i < DC_MAX_HREADS; i++) {
		const struct dc_hread *x = &a->hreads[i], *y = &b->hreads[i];
		if (x->addr != y->addr || x->size != y->size || x->as != y->as ||
		    !mem_eq(x->bytes, y->bytes, x->size))
			return 0;
	}
	for (uint32_t i = 0; i < a->nhwrites && i < DC_MAX_HWRITES; i++) {
		const struct dc_hwrite *x = &a->hwrites[i], *y = &b->hwrites[i];
		if (x->addr != y->addr || x->size != y->size || x->code != y->code)
			return 0;
	}
	for (uint32_t i = 0; i < a->nhvars && i < DC_MAX_HVARS; i++) {
		const struct dc_hvar *x = &a->hvars[i], *y = &b->hvars[i];
		if (x->id != y->id || x->index != y->index ||
		    x->code != y->code || x->value != y->value)
			return 0;
	}
	for (uint32_t i = 0; i < a->nhsubrs && i < DC_MAX_HSUBRS; i++) {
		const struct dc_hsubr *x = &a->hsubrs[i], *y = &b->hsubrs[i];
		if (x->subr != y->subr || x->code != y->code ||
		    x->result != y->result || x->write_rd != y->write_rd)
			return 0;
	}
	for (uint32_t i = 0; i < a->nhstores && i < DC_MAX_HSTORES; i++) {
		const struct dc_hstore *x = &a->hstores[i], *y = &b->hstores[i];
		if (x->id != y->id || x->index != y->index || x->code != y->code)
			return 0;
	}
	if (!mem_eq(a->text, b->text, a->textlen * 4) ||
	    !mem_eq(a->inttab, b->inttab, a->intlen * 8) ||
	    !mem_eq(a->strtab, b->strtab, a->strlen) ||
	    memcmp(a->args, b->args, sizeof(a->args)) != 0)
		return 0;
	for (uint32_t i = 0; i < a->varlen; i++) {
		const struct dc_var *x = &a->vartab[i], *y = &b->vartab[i];
		if (x->name != y->name || x->id != y->id || x->kind != y->kind ||
		    x->scope != y->scope || x->flags != y->flags ||
		    !type_eq(&x->type, &y->type))
			return 0;
	}
	for (uint32_t i = 0; i < a->nbvars; i++) {
		const struct dc_bvar *x = &a->bvars[i], *y = &b->bvars[i];
		if (x->id != y->id || x->value != y->value ||
		    !x->str != !y->str || (x->str && strcmp(x->str, y->str)))
			return 0;
	}
	for (uint32_t i = 0; i < a->nregions; i++) {
		const struct dc_region *x = &a->regions[i], *y = &b->regions[i];
		if (x->addr != y->addr || x->size != y->size || x->as != y->as ||
		    x->flags != y->flags || !x->bytes != !y->bytes ||
		    (x->bytes && !mem_eq(x->bytes, y->bytes, x->size)))
			return 0;
	}
	return 1;
}

int tg_outcome_equal(const struct dc_outcome *a, const struct dc_outcome *b)
{
	if (a->rval != b->rval || a->fault != b->fault)
		return 0;
	if (a->fault && (a->pc != b->pc || a->addr != b->addr))
		return 0;
	if (a->drops != b->drops || a->has_digest != b->has_digest ||
	    (a->has_digest && a->digest != b->digest))
		return 0;
	if (a->has_hstore != b->has_hstore ||
	    (a->has_hstore && a->hstore != b->hstore))
		return 0;
	if (a->has_hwrite != b->has_hwrite ||
	    (a->has_hwrite && a->hwrite != b->hwrite))
		return 0;
	if (a->has_string != b->has_string)
		return 0;
	if (a->has_string &&
	    strncmp(a->string, b->string, sizeof(a->string)) != 0)
		return 0;
	return 1;
}

static void outcome_text(const struct dc_outcome *o, char *buf, size_t len);

void tg_outcome_text(const struct dc_outcome *o, char *buf, size_t len)
{
	outcome_text(o, buf, len);
	size_t n = strlen(buf);
	if (o->drops && n < len)
		n += (size_t)snprintf(buf + n, len - n, " drops=%llu",
		                      (unsigned long long)o->drops);
	if (o->has_digest && n < len)
		n += (size_t)snprintf(buf + n, len - n, " digest=0x%016llx",
		                      (unsigned long long)o->digest);
	if (o->has_hstore && n < len)
		n += (size_t)snprintf(buf + n, len - n, " hstore=0x%016llx",
		                      (unsigned long long)o->hstore);
	if (o->has_hwrite && n < len)
		snprintf(buf + n, len - n, " hwrite=0x%016llx",
		         (unsigned long long)o->hwrite);
}

static void outcome_text(const struct dc_outcome *o, char *buf, size_t len)
{
	static const char *const names[] = {
		"NONE", "BADADDR", "BADALIGN", "ILLOP", "DIVZERO",
		"NOSCRATCH", "KPRIV", "UPRIV", "TUPOFLOW", "BADSTACK",
	};
	if (o->fault) {
		const char *n = o->fault < 10 ? names[o->fault] : "UNKNOWN";
		snprintf(buf, len, "fault=%s pc=%u addr=0x%llx", n, o->pc,
		         (unsigned long long)o->addr);
		return;
	}
	if (o->has_string) {
		char esc[200];
		size_t j = 0;
		for (size_t i = 0; o->string[i] && j + 5 < sizeof(esc) && i < sizeof(o->string); i++) {
			unsigned char ch = (unsigned char)o->string[i];
			if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
				esc[j++] = (char)ch;
			else
				j += (size_t)snprintf(esc + j, sizeof(esc) - j, "\\x%02x", ch);
		}
		esc[j] = 0;
		snprintf(buf, len, "rval=0x%llx string=\"%s\"",
		         (unsigned long long)o->rval, esc);
		return;
	}
	snprintf(buf, len, "rval=0x%llx", (unsigned long long)o->rval);
}

/* ---- builder ---------------------------------------------------------- */

void tg_prog_init(struct tg_prog *p)
{
	p->n = 0;
	p->nint = 0;
	p->strlen = 1; /* offset 0 is the empty string, as libdtrace emits */
	p->strtab[0] = 0;
	p->nvars = 0;
	p->overflow = 0;
}

uint32_t tg_emit(struct tg_prog *p, uint32_t word)
{
	if (p->n >= TG_MAX_TEXT) {
		p->overflow = 1;
		return p->n - 1;
	}
	p->text[p->n] = word;
	return p->n++;
}

void tg_setx(struct tg_prog *p, unsigned rd, uint64_t v)
{
	uint32_t i;
	for (i = 0; i < p->nint; i++)
		if (p->inttab[i] == v)
			break;
	if (i == p->nint) {
		if (p->nint >= TG_MAX_TEXT) {
			p->overflow = 1;
			return;
		}
		p->inttab[p->nint++] = v;
	}
	tg_emit(p, DIF_ENC_W(DIF_OPC_SETX, i, rd));
}

uint32_t tg_str(struct tg_prog *p, const char *s, size_t len)
{
	/* reuse an identical string (deduplicated like libdtrace) */
	for (uint32_t off = 0; off < p->strlen;) {
		size_t l = strlen(p->strtab + off);
		if (l == len && memcmp(p->strtab + off, s, len) == 0)
			return off;
		off += (uint32_t)l + 1;
	}
	if (p->strlen + len + 1 > sizeof(p->strtab)) {
		p->overflow = 1;
		return 0;
	}
	uint32_t off = p->strlen;
	memcpy(p->strtab + off, s, len);
	p->strtab[off + len] = 0;
	p->strlen += (uint32_t)len + 1;
	return off;
}

void tg_sets(struct tg_prog *p, unsigned rd, const char *s, size_t len)
{
	tg_emit(p, DIF_ENC_W(DIF_OPC_SETS, tg_str(p, s, len), rd));
}

void tg_var(struct tg_prog *p, unsigned id, unsigned kind, unsigned scope,
            unsigned tkind, unsigned tflags, uint32_t tsize)
{
	for (uint32_t i = 0; i < p->nvars; i++)
		if (p->vars[i].id == id && p->vars[i].scope == scope)
			return;
	if (p->nvars >= sizeof(p->vars) / sizeof(p->vars[0])) {
		p->overflow = 1;
		return;
	}
	char name[16];
	int n = snprintf(name, sizeof(name), "%c%x",
	                 scope == 0 ? 'g' : scope == 1 ? 't' : 'l', id);
	struct dc_var *v = &p->vars[p->nvars++];
	memset(v, 0, sizeof(*v));
	v->name = tg_str(p, name, (size_t)n);
	v->id = id;
	v->kind = (uint8_t)kind;
	v->scope = (uint8_t)scope;
	v->flags = 3;
	v->type.kind = (uint8_t)tkind;
	v->type.flags = (uint8_t)tflags;
	v->type.size = tsize;
	v->type.ckind = tkind == 0 ? 1 : 0;
}

int tg_prog_to_case(const struct tg_prog *p, struct dc_case *c)
{
	free(c->text);
	free(c->inttab);
	free(c->strtab);
	free(c->vartab);
	c->textlen = p->n;
	c->text = dup_mem(p->text, p->n * 4u);
	c->intlen = p->nint;
	c->inttab = dup_mem(p->inttab, p->nint * 8u);
	c->strlen = p->strlen;
	c->strtab = dup_mem(p->strtab, p->strlen);
	c->varlen = p->nvars;
	c->vartab = dup_mem(p->vars, p->nvars * sizeof(struct dc_var));
	return 0;
}

/* ---- rng ---------------------------------------------------------------- */

uint64_t tg_mix(uint64_t a, uint64_t b)
{
	struct tg_rng r = { a ^ (b * 0xd6e8feb86659fd93ull) };
	tg_rand(&r);
	return tg_rand(&r);
}
