/*
 * CBOR form of cases and outcomes (layout in docs/corpus.md). Integers use
 * their shortest encoding and map keys are written in one fixed order, so
 * equal cases give equal bytes.
 */
#include <cbor.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"

static cbor_item_t *u(uint64_t v)
{
	if (v <= 0xff)
		return cbor_build_uint8((uint8_t)v);
	if (v <= 0xffff)
		return cbor_build_uint16((uint16_t)v);
	if (v <= 0xffffffffu)
		return cbor_build_uint32((uint32_t)v);
	return cbor_build_uint64(v);
}

static int put(cbor_item_t *map, const char *k, cbor_item_t *v)
{
	if (!v)
		return -1;
	cbor_item_t *key = cbor_build_string(k);
	if (!key) {
		cbor_decref(&v);
		return -1;
	}
	bool ok = cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(key),
	                                                .value = cbor_move(v) });
	return ok ? 0 : -1;
}

static cbor_item_t *type_item(const struct dc_type *t)
{
	cbor_item_t *a = cbor_new_definite_array(4);
	if (!a)
		return NULL;
	cbor_array_push(a, cbor_move(u(t->kind)));
	cbor_array_push(a, cbor_move(u(t->ckind)));
	cbor_array_push(a, cbor_move(u(t->flags)));
	cbor_array_push(a, cbor_move(u(t->size)));
	return a;
}

static cbor_item_t *bytes(const void *p, size_t n)
{
	return cbor_build_bytestring(n ? p : (const void *)"", n);
}

static int serialize(cbor_item_t *item, uint8_t **out, size_t *len)
{
	size_t cap = 0;
	size_t n = cbor_serialize_alloc(item, out, &cap);
	cbor_decref(&item);
	if (n == 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	*len = n;
	return 0;
}

int tg_cbor_case_encode(const struct dc_case *c, uint8_t **out, size_t *len)
{
	cbor_item_t *m = cbor_new_definite_map(18);
	if (!m)
		return -1;
	int r = 0;
	r |= put(m, "profile", u(c->profile));
	r |= put(m, "strsize", u(c->strsize));
	r |= put(m, "scratch_size", u(c->scratch_size));
	r |= put(m, "dynvar_size", u(c->dynvar_size));
	r |= put(m, "deny", u(c->deny));
	cbor_item_t *a = cbor_new_definite_array(c->textlen);
	for (uint32_t i = 0; a && i < c->textlen; i++)
		cbor_array_push(a, cbor_move(u(c->text[i])));
	r |= put(m, "text", a);
	a = cbor_new_definite_array(c->intlen);
	for (uint32_t i = 0; a && i < c->intlen; i++)
		cbor_array_push(a, cbor_move(u(c->inttab[i])));
	r |= put(m, "inttab", a);
	r |= put(m, "strtab", bytes(c->strtab, c->strlen));
	a = cbor_new_definite_array(c->varlen);
	for (uint32_t i = 0; a && i < c->varlen; i++) {
		const struct dc_var *v = &c->vartab[i];
		cbor_item_t *e = cbor_new_definite_array(6);
		cbor_array_push(e, cbor_move(u(v->name)));
		cbor_array_push(e, cbor_move(u(v->id)));
		cbor_array_push(e, cbor_move(u(v->kind)));
		cbor_array_push(e, cbor_move(u(v->scope)));
		cbor_array_push(e, cbor_move(u(v->flags)));
		cbor_array_push(e, cbor_move(type_item(&v->type)));
		cbor_array_push(a, cbor_move(e));
	}
	r |= put(m, "vartab", a);
	r |= put(m, "rtype", type_item(&c->rtype));
	a = cbor_new_definite_array(10);
	for (int i = 0; a && i < 10; i++)
		cbor_array_push(a, cbor_move(u(c->args[i])));
	r |= put(m, "args", a);
	r |= put(m, "thread_key", u(c->thread_key));
	uint32_t nb = c->nbvars < DC_MAX_BVARS ? c->nbvars : DC_MAX_BVARS;
	a = cbor_new_definite_array(nb);
	for (uint32_t i = 0; a && i < nb; i++) {
		const struct dc_bvar *b = &c->bvars[i];
		cbor_item_t *e = cbor_new_definite_array(2);
		cbor_array_push(e, cbor_move(u(b->id)));
		if (b->str)
			cbor_array_push(e, cbor_move(cbor_build_string(b->str)));
		else
			cbor_array_push(e, cbor_move(u(b->value)));
		cbor_array_push(a, cbor_move(e));
	}
	r |= put(m, "bvars", a);
	uint32_t nr = c->nregions < DC_MAX_REGIONS ? c->nregions : DC_MAX_REGIONS;
	a = cbor_new_definite_array(nr);
	for (uint32_t i = 0; a && i < nr; i++) {
		const struct dc_region *g = &c->regions[i];
		cbor_item_t *e = cbor_new_definite_array(4);
		cbor_array_push(e, cbor_move(u(g->addr)));
		cbor_array_push(e, cbor_move(u(g->as)));
		cbor_array_push(e, cbor_move(u(g->flags)));
		if (g->bytes)
			cbor_array_push(e, cbor_move(bytes(g->bytes, g->size)));
		else
			cbor_array_push(e, cbor_move(u(g->size)));
		cbor_array_push(a, cbor_move(e));
	}
	r |= put(m, "regions", a);
	r |= put(m, "runs", u(c->runs));
	if (r) {
		cbor_decref(&m);
		return -1;
	}
	return serialize(m, out, len);
}

int tg_cbor_outcome_encode(const struct dc_outcome *o, uint8_t **out,
                           size_t *len)
{
	cbor_item_t *m = cbor_new_definite_map(5);
	if (!m)
		return -1;
	int r = 0;
	r |= put(m, "rval", u(o->rval));
	r |= put(m, "fault", u(o->fault));
	r |= put(m, "pc", u(o->pc));
	r |= put(m, "addr", u(o->addr));
	if (o->has_string)
		r |= put(m, "string",
		         bytes(o->string, strnlen(o->string, sizeof(o->string))));
	if (r) {
		cbor_decref(&m);
		return -1;
	}
	return serialize(m, out, len);
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
