/*
 * CBOR form of cases and outcomes (layout in docs/corpus.md). Integers use
 * their shortest encoding and map keys are written in one fixed order, so
 * equal cases give equal bytes.
 */
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"

/* Encoding is done by hand into one buffer (no item tree): it is on the
 * hot path of generation and replay. The bytes are plain RFC 8949 CBOR
 * that libcbor (used for decoding) reads back. */
struct wbuf {
	uint8_t *p;
	size_t n, cap;
	int bad;
};

static void w_raw(struct wbuf *w, const void *src, size_t len)
{
	if (w->n + len > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->n + len)
			cap *= 2;
		uint8_t *np = realloc(w->p, cap);
		if (!np) {
			w->bad = 1;
			return;
		}
		w->p = np;
		w->cap = cap;
	}
	memcpy(w->p + w->n, src, len);
	w->n += len;
}

/* Initial byte and argument in the shortest form. */
static void w_head(struct wbuf *w, unsigned major, uint64_t v)
{
	uint8_t b[9];
	size_t len;
	b[0] = (uint8_t)(major << 5);
	if (v < 24) {
		b[0] |= (uint8_t)v;
		len = 1;
	} else if (v <= 0xff) {
		b[0] |= 24;
		b[1] = (uint8_t)v;
		len = 2;
	} else if (v <= 0xffff) {
		b[0] |= 25;
		b[1] = (uint8_t)(v >> 8);
		b[2] = (uint8_t)v;
		len = 3;
	} else if (v <= 0xffffffffu) {
		b[0] |= 26;
		for (int i = 0; i < 4; i++)
			b[1 + i] = (uint8_t)(v >> (24 - 8 * i));
		len = 5;
	} else {
		b[0] |= 27;
		for (int i = 0; i < 8; i++)
			b[1 + i] = (uint8_t)(v >> (56 - 8 * i));
		len = 9;
	}
	w_raw(w, b, len);
}

static void w_uint(struct wbuf *w, uint64_t v)
{
	w_head(w, 0, v);
}

static void w_text(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);
	w_head(w, 3, n);
	w_raw(w, s, n);
}

static int ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

static void w_bytes(struct wbuf *w, const void *p, size_t n)
{
	w_head(w, 2, n);
	if (n)
		w_raw(w, p, n);
}

static void w_key(struct wbuf *w, const char *k)
{
	w_text(w, k);
}

static void w_type(struct wbuf *w, const struct dc_type *t)
{
	w_head(w, 4, 4);
	w_uint(w, t->kind);
	w_uint(w, t->ckind);
	w_uint(w, t->flags);
	w_uint(w, t->size);
}

static int w_done(struct wbuf *w, uint8_t **out, size_t *len)
{
	if (w->bad) {
		free(w->p);
		return -1;
	}
	*out = w->p;
	*len = w->n;
	return 0;
}

int tg_cbor_case_encode(const struct dc_case *c, uint8_t **out, size_t *len)
{
	struct wbuf w = { 0 };
	w_head(&w, 5, c->observe ? 16 : 15); /* map of the keys below */
	w_key(&w, "profile");
	w_uint(&w, c->profile);
	w_key(&w, "strsize");
	w_uint(&w, c->strsize);
	w_key(&w, "scratch_size");
	w_uint(&w, c->scratch_size);
	w_key(&w, "dynvar_size");
	w_uint(&w, c->dynvar_size);
	w_key(&w, "deny");
	w_uint(&w, c->deny);
	w_key(&w, "text");
	w_head(&w, 4, c->textlen);
	for (uint32_t i = 0; i < c->textlen; i++)
		w_uint(&w, c->text[i]);
	w_key(&w, "inttab");
	w_head(&w, 4, c->intlen);
	for (uint32_t i = 0; i < c->intlen; i++)
		w_uint(&w, c->inttab[i]);
	w_key(&w, "strtab");
	w_bytes(&w, c->strtab, c->strlen);
	w_key(&w, "vartab");
	w_head(&w, 4, c->varlen);
	for (uint32_t i = 0; i < c->varlen; i++) {
		const struct dc_var *v = &c->vartab[i];
		w_head(&w, 4, 6);
		w_uint(&w, v->name);
		w_uint(&w, v->id);
		w_uint(&w, v->kind);
		w_uint(&w, v->scope);
		w_uint(&w, v->flags);
		w_type(&w, &v->type);
	}
	w_key(&w, "rtype");
	w_type(&w, &c->rtype);
	w_key(&w, "args");
	w_head(&w, 4, 10);
	for (int i = 0; i < 10; i++)
		w_uint(&w, c->args[i]);
	w_key(&w, "thread_key");
	w_uint(&w, c->thread_key);
	uint32_t nb = c->nbvars < DC_MAX_BVARS ? c->nbvars : DC_MAX_BVARS;
	w_key(&w, "bvars");
	w_head(&w, 4, nb);
	for (uint32_t i = 0; i < nb; i++) {
		const struct dc_bvar *b = &c->bvars[i];
		w_head(&w, 4, 2);
		w_uint(&w, b->id);
		if (b->str && ascii(b->str))
			w_text(&w, b->str);
		else if (b->str) /* not text: bytes */
			w_bytes(&w, b->str, strlen(b->str));
		else
			w_uint(&w, b->value);
	}
	uint32_t nr = c->nregions < DC_MAX_REGIONS ? c->nregions : DC_MAX_REGIONS;
	w_key(&w, "regions");
	w_head(&w, 4, nr);
	for (uint32_t i = 0; i < nr; i++) {
		const struct dc_region *g = &c->regions[i];
		w_head(&w, 4, 4);
		w_uint(&w, g->addr);
		w_uint(&w, g->as);
		w_uint(&w, g->flags);
		if (g->bytes)
			w_bytes(&w, g->bytes, g->size);
		else
			w_uint(&w, g->size);
	}
	w_key(&w, "runs");
	w_uint(&w, c->runs);
	if (c->observe) {
		w_key(&w, "observe");
		w_uint(&w, c->observe);
	}
	return w_done(&w, out, len);
}

int tg_cbor_outcome_encode(const struct dc_outcome *o, uint8_t **out,
                           size_t *len)
{
	struct wbuf w = { 0 };
	w_head(&w, 5, 5 + !!o->has_string + !!o->has_digest);
	w_key(&w, "rval");
	w_uint(&w, o->rval);
	w_key(&w, "fault");
	w_uint(&w, o->fault);
	w_key(&w, "pc");
	w_uint(&w, o->pc);
	w_key(&w, "addr");
	w_uint(&w, o->addr);
	if (o->has_string) {
		w_key(&w, "string");
		w_bytes(&w, o->string, strnlen(o->string, sizeof(o->string)));
	}
	w_key(&w, "drops");
	w_uint(&w, o->drops);
	if (o->has_digest) {
		w_key(&w, "digest");
		w_uint(&w, o->digest);
	}
	return w_done(&w, out, len);
}

/* ---- decoding ------------------------------------------------------------ */

static int get_u(cbor_item_t *it, uint64_t max, uint64_t *out)
{
	if (!it || !cbor_isa_uint(it))
		return -1;
	uint64_t v = cbor_get_int(it);
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

#define GETU(item, max, dst)                      \
	do {                                      \
		uint64_t v_;                      \
		if (get_u((item), (max), &v_))    \
			goto bad;                 \
		(dst) = v_;                       \
	} while (0)

static int get_type(cbor_item_t *it, struct dc_type *t)
{
	if (!cbor_isa_array(it) || cbor_array_size(it) != 4)
		return -1;
	cbor_item_t **h = cbor_array_handle(it);
	GETU(h[0], 0xff, t->kind);
	GETU(h[1], 0xff, t->ckind);
	GETU(h[2], 0xff, t->flags);
	GETU(h[3], 0xffffffffu, t->size);
	return 0;
bad:
	return -1;
}

static int key_is(cbor_item_t *k, const char *s)
{
	size_t n = strlen(s);
	return cbor_isa_string(k) && cbor_string_is_definite(k) &&
	       cbor_string_length(k) == n &&
	       memcmp(cbor_string_handle(k), s, n) == 0;
}

static void *dup_bytes(cbor_item_t *it, size_t *n)
{
	*n = cbor_bytestring_length(it);
	void *p = malloc(*n ? *n : 1);
	if (p && *n)
		memcpy(p, cbor_bytestring_handle(it), *n);
	return p;
}

static int is_bytes(cbor_item_t *it)
{
	return cbor_isa_bytestring(it) && cbor_bytestring_is_definite(it);
}

int tg_cbor_case_decode(const uint8_t *buf, size_t len, struct dc_case *c,
                        struct tg_err *e)
{
	struct cbor_load_result res;
	cbor_item_t *m = cbor_load(buf, len, &res);
	const char *what = "not a map";
	if (!m || res.error.code != CBOR_ERR_NONE) {
		tg_errf(e, "case: CBOR decode error at byte %zu",
		        res.error.position);
		if (m)
			cbor_decref(&m);
		return -1;
	}
	tg_case_init(c);
	if (!cbor_isa_map(m) || !cbor_map_is_definite(m))
		goto bad;
	size_t n = cbor_map_size(m);
	struct cbor_pair *pr = cbor_map_handle(m);
	for (size_t i = 0; i < n; i++) {
		cbor_item_t *k = pr[i].key, *v = pr[i].value;
		what = "bad value";
		if (key_is(k, "profile"))
			GETU(v, 1, c->profile);
		else if (key_is(k, "strsize"))
			GETU(v, 0xffffffffu, c->strsize);
		else if (key_is(k, "scratch_size"))
			GETU(v, UINT64_MAX, c->scratch_size);
		else if (key_is(k, "dynvar_size"))
			GETU(v, UINT64_MAX, c->dynvar_size);
		else if (key_is(k, "deny"))
			GETU(v, 0xffffffffu, c->deny);
		else if (key_is(k, "thread_key"))
			GETU(v, UINT64_MAX, c->thread_key);
		else if (key_is(k, "runs"))
			GETU(v, 0xffffffffu, c->runs);
		else if (key_is(k, "observe"))
			GETU(v, 0xff, c->observe);
		else if (key_is(k, "rtype")) {
			if (get_type(v, &c->rtype))
				goto bad;
		} else if (key_is(k, "strtab")) {
			if (!is_bytes(v) || c->strtab)
				goto bad;
			size_t sl;
			c->strtab = dup_bytes(v, &sl);
			if (sl > 0xffffffffu)
				goto bad;
			c->strlen = (uint32_t)sl;
		} else if (key_is(k, "text") || key_is(k, "inttab") ||
		           key_is(k, "args")) {
			if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
				goto bad;
			size_t an = cbor_array_size(v);
			cbor_item_t **h = cbor_array_handle(v);
			if (key_is(k, "args")) {
				if (an != 10)
					goto bad;
				for (size_t j = 0; j < an; j++)
					GETU(h[j], UINT64_MAX, c->args[j]);
			} else if (key_is(k, "text")) {
				if (c->text || an > (1u << 20))
					goto bad;
				c->text = calloc(an ? an : 1, 4);
				c->textlen = (uint32_t)an;
				for (size_t j = 0; j < an; j++)
					GETU(h[j], 0xffffffffu, c->text[j]);
			} else {
				if (c->inttab || an > (1u << 20))
					goto bad;
				c->inttab = calloc(an ? an : 1, 8);
				c->intlen = (uint32_t)an;
				for (size_t j = 0; j < an; j++)
					GETU(h[j], UINT64_MAX, c->inttab[j]);
			}
		} else if (key_is(k, "vartab")) {
			if (!cbor_isa_array(v) || c->vartab)
				goto bad;
			size_t an = cbor_array_size(v);
			if (an > 0xffff)
				goto bad;
			cbor_item_t **h = cbor_array_handle(v);
			c->vartab = calloc(an ? an : 1, sizeof(struct dc_var));
			c->varlen = (uint32_t)an;
			for (size_t j = 0; j < an; j++) {
				struct dc_var *dv = &c->vartab[j];
				if (!cbor_isa_array(h[j]) || cbor_array_size(h[j]) != 6)
					goto bad;
				cbor_item_t **f = cbor_array_handle(h[j]);
				GETU(f[0], 0xffffffffu, dv->name);
				GETU(f[1], 0xffffffffu, dv->id);
				GETU(f[2], 0xff, dv->kind);
				GETU(f[3], 0xff, dv->scope);
				GETU(f[4], 0xffff, dv->flags);
				if (get_type(f[5], &dv->type))
					goto bad;
			}
		} else if (key_is(k, "bvars")) {
			if (!cbor_isa_array(v) || cbor_array_size(v) > DC_MAX_BVARS)
				goto bad;
			size_t an = cbor_array_size(v);
			cbor_item_t **h = cbor_array_handle(v);
			for (size_t j = 0; j < an; j++) {
				struct dc_bvar *b = &c->bvars[j];
				if (!cbor_isa_array(h[j]) || cbor_array_size(h[j]) != 2)
					goto bad;
				cbor_item_t **f = cbor_array_handle(h[j]);
				GETU(f[0], 0xffffffffu, b->id);
				c->nbvars = (uint32_t)j + 1;
				if (cbor_isa_string(f[1]) && cbor_string_is_definite(f[1])) {
					size_t sl = cbor_string_length(f[1]);
					b->str = malloc(sl + 1);
					if (!b->str)
						goto bad;
					memcpy(b->str, cbor_string_handle(f[1]), sl);
					b->str[sl] = 0;
				} else if (is_bytes(f[1])) {
					size_t sl;
					uint8_t *d = dup_bytes(f[1], &sl);
					b->str = realloc(d, sl + 1);
					if (!b->str) {
						free(d);
						goto bad;
					}
					b->str[sl] = 0;
				} else
					GETU(f[1], UINT64_MAX, b->value);
			}
		} else if (key_is(k, "regions")) {
			if (!cbor_isa_array(v) || cbor_array_size(v) > DC_MAX_REGIONS)
				goto bad;
			size_t an = cbor_array_size(v);
			cbor_item_t **h = cbor_array_handle(v);
			for (size_t j = 0; j < an; j++) {
				struct dc_region *g = &c->regions[j];
				if (!cbor_isa_array(h[j]) || cbor_array_size(h[j]) != 4)
					goto bad;
				cbor_item_t **f = cbor_array_handle(h[j]);
				GETU(f[0], UINT64_MAX, g->addr);
				GETU(f[1], 1, g->as);
				GETU(f[2], 0xff, g->flags);
				c->nregions = (uint32_t)j + 1;
				if (is_bytes(f[3])) {
					size_t sl;
					g->bytes = dup_bytes(f[3], &sl);
					if (sl > 0xffffffffu)
						goto bad;
					g->size = (uint32_t)sl;
				} else
					GETU(f[3], 0xffffffffu, g->size);
			}
		}
		/* unknown keys are ignored: later versions may add fields */
	}
	if (!c->text) {
		what = "missing text";
		goto bad;
	}
	cbor_decref(&m);
	return 0;
bad:
	tg_errf(e, "case: %s", what);
	cbor_decref(&m);
	tg_case_free(c);
	return -1;
}

int tg_cbor_outcome_decode(const uint8_t *buf, size_t len,
                           struct dc_outcome *o, struct tg_err *e)
{
	struct cbor_load_result res;
	cbor_item_t *m = cbor_load(buf, len, &res);
	if (!m || res.error.code != CBOR_ERR_NONE) {
		tg_errf(e, "outcome: CBOR decode error at byte %zu",
		        res.error.position);
		if (m)
			cbor_decref(&m);
		return -1;
	}
	memset(o, 0, sizeof(*o));
	if (!cbor_isa_map(m))
		goto bad;
	size_t n = cbor_map_size(m);
	struct cbor_pair *pr = cbor_map_handle(m);
	for (size_t i = 0; i < n; i++) {
		cbor_item_t *k = pr[i].key, *v = pr[i].value;
		if (key_is(k, "rval"))
			GETU(v, UINT64_MAX, o->rval);
		else if (key_is(k, "fault"))
			GETU(v, 0xffffffffu, o->fault);
		else if (key_is(k, "pc"))
			GETU(v, 0xffffffffu, o->pc);
		else if (key_is(k, "addr"))
			GETU(v, UINT64_MAX, o->addr);
		else if (key_is(k, "drops"))
			GETU(v, UINT64_MAX, o->drops);
		else if (key_is(k, "digest")) {
			GETU(v, UINT64_MAX, o->digest);
			o->has_digest = 1;
		}
		else if (key_is(k, "string")) {
			size_t sl;
			if (is_bytes(v))
				sl = cbor_bytestring_length(v);
			else if (cbor_isa_string(v) && cbor_string_is_definite(v))
				sl = cbor_string_length(v);
			else
				goto bad;
			if (sl >= sizeof(o->string))
				sl = sizeof(o->string) - 1;
			memcpy(o->string,
			       is_bytes(v) ? cbor_bytestring_handle(v)
			                   : cbor_string_handle(v),
			       sl);
			o->string[sl] = 0;
			o->has_string = 1;
		}
	}
	cbor_decref(&m);
	return 0;
bad:
	tg_errf(e, "outcome: bad field");
	cbor_decref(&m);
	return -1;
}
