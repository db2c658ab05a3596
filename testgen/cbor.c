/*
 * CBOR form of cases and outcomes (layout in docs/corpus.md). Integers use
 * their shortest encoding and map keys are written in one fixed order, so
 * equal cases give equal bytes.
 */
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

/* Room for len more bytes; 0, or -1 (w->bad set) when out of memory. */
static int w_grow(struct wbuf *w, size_t len)
{
	/* most cases fit in the first buffer (regions are 256 bytes each) */
	size_t cap = w->cap ? w->cap : 2048;
	while (cap < w->n + len)
		cap *= 2;
	uint8_t *np = realloc(w->p, cap);
	if (!np) {
		w->bad = 1;
		return -1;
	}
	w->p = np;
	w->cap = cap;
	return 0;
}

static inline void w_raw(struct wbuf *w, const void *src, size_t len)
{
	if (w->n + len > w->cap && w_grow(w, len))
		return;
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

/* Host answers (docs/corpus.md): written only when present. */
static void w_host(struct wbuf *w, const struct dc_case *c)
{
	uint32_t n = c->nhvars < DC_MAX_HVARS ? c->nhvars : DC_MAX_HVARS;
	if (n) {
		w_key(w, "hvars");
		w_head(w, 4, n);
		for (uint32_t i = 0; i < n; i++) {
			const struct dc_hvar *h = &c->hvars[i];
			w_head(w, 4, 4);
			w_uint(w, h->id);
			w_uint(w, h->index);
			w_uint(w, h->code);
			w_uint(w, h->value);
		}
	}
	n = c->nhsubrs < DC_MAX_HSUBRS ? c->nhsubrs : DC_MAX_HSUBRS;
	if (n) {
		w_key(w, "hsubrs");
		w_head(w, 4, n);
		for (uint32_t i = 0; i < n; i++) {
			const struct dc_hsubr *h = &c->hsubrs[i];
			w_head(w, 4, 4);
			w_uint(w, h->subr);
			w_uint(w, h->code);
			w_uint(w, h->result);
			w_uint(w, h->write_rd);
		}
	}
	n = c->nhstores < DC_MAX_HSTORES ? c->nhstores : DC_MAX_HSTORES;
	if (n) {
		w_key(w, "hstores");
		w_head(w, 4, n);
		for (uint32_t i = 0; i < n; i++) {
			const struct dc_hstore *h = &c->hstores[i];
			w_head(w, 4, 3);
			w_uint(w, h->id);
			w_uint(w, h->index);
			w_uint(w, h->code);
		}
	}
	n = c->nhwrites < DC_MAX_HWRITES ? c->nhwrites : DC_MAX_HWRITES;
	if (n) {
		w_key(w, "hwrites");
		w_head(w, 4, n);
		for (uint32_t i = 0; i < n; i++) {
			const struct dc_hwrite *h = &c->hwrites[i];
			w_head(w, 4, 3);
			w_uint(w, h->addr);
			w_uint(w, h->size);
			w_uint(w, h->code);
		}
	}
	n = c->nhreads < DC_MAX_HREADS ? c->nhreads : DC_MAX_HREADS;
	if (n) {
		w_key(w, "hreads");
		w_head(w, 4, n);
		for (uint32_t i = 0; i < n; i++) {
			const struct dc_hread *h = &c->hreads[i];
			w_head(w, 4, 3);
			w_uint(w, h->addr);
			w_uint(w, h->as);
			w_bytes(w, h->bytes, h->size);
		}
	}
}

int tg_cbor_case_encode(const struct dc_case *c, uint8_t **out, size_t *len)
{
	struct wbuf w = { 0 };
	/* map of the keys below; optional ones only when present, so that
	 * cases without them keep their bytes */
	w_head(&w, 5, 15 + !!c->observe + !!c->nhvars + !!c->nhsubrs +
	                  !!c->nhstores + !!c->nhwrites + !!c->nhreads);
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
	w_host(&w, c);
	return w_done(&w, out, len);
}

int tg_cbor_outcome_encode(const struct dc_outcome *o, uint8_t **out,
                           size_t *len)
{
	struct wbuf w = { 0 };
	w_head(&w, 5, 5 + !!o->has_string + !!o->has_digest + !!o->has_hstore +
	                 !!o->has_hwrite);
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
	if (o->has_hstore) {
		w_key(&w, "hstore");
		w_uint(&w, o->hstore);
	}
	if (o->has_hwrite) {
		w_key(&w, "hwrite");
		w_uint(&w, o->hwrite);
	}
	return w_done(&w, out, len);
}

/* ---- decoding ------------------------------------------------------------ */

/* A streaming reader over one buffer: fields are decoded in place and
 * unknown keys are skipped without building anything, so memory is the
 * frame plus the case itself however the frame is made up. Lengths are
 * checked against the bytes left before anything is allocated. */
struct rd {
	const uint8_t *p;
	size_t n, pos;
	const char *what; /* the failure, for the message */
};

#define RD_MAX_DEPTH 32 /* nesting of skipped items */

static int rd_fail(struct rd *r, const char *what)
{
	if (!r->what)
		r->what = what;
	return -1;
}

/* Initial byte and argument. *indef is set for indefinite lengths (and
 * the break byte, major 7 with *indef). */
static int rd_head(struct rd *r, unsigned *major, uint64_t *v, int *indef)
{
	if (r->pos >= r->n)
		return rd_fail(r, "truncated item");
	uint8_t b = r->p[r->pos++];
	*major = b >> 5;
	unsigned ai = b & 31;
	*indef = 0;
	if (ai < 24) {
		*v = ai;
		return 0;
	}
	if (ai == 31) {
		if (*major == 0 || *major == 1 || *major == 6)
			return rd_fail(r, "bad indefinite length");
		*indef = 1;
		*v = 0;
		return 0;
	}
	if (ai > 27)
		return rd_fail(r, "reserved additional information");
	size_t len = (size_t)1 << (ai - 24);
	if (r->n - r->pos < len)
		return rd_fail(r, "truncated item");
	uint64_t x = 0;
	for (size_t i = 0; i < len; i++)
		x = x << 8 | r->p[r->pos++];
	*v = x;
	return 0;
}

/* Skips one item of any kind (tags, floats, indefinite forms included). */
static int rd_skip(struct rd *r, int depth)
{
	if (depth > RD_MAX_DEPTH)
		return rd_fail(r, "items nested too deeply");
	unsigned major;
	uint64_t v;
	int indef;
	if (rd_head(r, &major, &v, &indef))
		return -1;
	switch (major) {
	case 0:
	case 1:
		return 0;
	case 2:
	case 3:
		if (indef) {
			for (;;) {
				if (r->pos < r->n && r->p[r->pos] == 0xff) {
					r->pos++;
					return 0;
				}
				unsigned m2;
				int in2;
				if (rd_head(r, &m2, &v, &in2))
					return -1;
				if (m2 != major || in2 || v > r->n - r->pos)
					return rd_fail(r, "bad string chunk");
				r->pos += (size_t)v;
			}
		}
		if (v > r->n - r->pos)
			return rd_fail(r, "truncated string");
		r->pos += (size_t)v;
		return 0;
	case 4:
	case 5: {
		if (indef) {
			for (;;) {
				if (r->pos < r->n && r->p[r->pos] == 0xff) {
					r->pos++;
					return 0;
				}
				if (rd_skip(r, depth + 1) ||
				    (major == 5 && rd_skip(r, depth + 1)))
					return -1;
			}
		}
		/* every item takes a byte at least: no count past the data */
		uint64_t items = major == 5 ? v * 2 : v;
		if (v > r->n - r->pos || items > r->n - r->pos)
			return rd_fail(r, "count exceeds the data");
		for (uint64_t i = 0; i < items; i++)
			if (rd_skip(r, depth + 1))
				return -1;
		return 0;
	}
	case 6:
		return rd_skip(r, depth + 1);
	default: /* 7: simple values and floats; the argument was the value */
		if (indef)
			return rd_fail(r, "unexpected break");
		return 0;
	}
}

static int rd_uint(struct rd *r, uint64_t max, uint64_t *out)
{
	unsigned major;
	int indef;
	if (rd_head(r, &major, out, &indef))
		return -1;
	if (major != 0)
		return rd_fail(r, "not an unsigned integer");
	if (*out > max)
		return rd_fail(r, "value out of range");
	return 0;
}

#define RDU(r, max, dst)                          \
	do {                                      \
		uint64_t v_;                      \
		if (rd_uint((r), (max), &v_))     \
			return -1;                \
		(dst) = v_;                       \
	} while (0)

/* A definite array header of at most max elements (and no more than the
 * bytes left). want: exact count, or -1. */
static int rd_array(struct rd *r, uint64_t max, long want, size_t *n)
{
	unsigned major;
	uint64_t v;
	int indef;
	if (rd_head(r, &major, &v, &indef))
		return -1;
	if (major != 4 || indef)
		return rd_fail(r, "not a definite array");
	if (v > max || v > r->n - r->pos)
		return rd_fail(r, "array too long");
	if (want >= 0 && v != (uint64_t)want)
		return rd_fail(r, "array of the wrong length");
	*n = (size_t)v;
	return 0;
}

/* A definite byte (major 2) or text (major 3) string in place. */
static int rd_str(struct rd *r, int bytes_ok, int text_ok,
                  const uint8_t **s, size_t *len)
{
	unsigned major;
	uint64_t v;
	int indef;
	if (rd_head(r, &major, &v, &indef))
		return -1;
	if (!((major == 2 && bytes_ok) || (major == 3 && text_ok)) || indef)
		return rd_fail(r, "not a definite string");
	if (v > r->n - r->pos)
		return rd_fail(r, "truncated string");
	*s = r->p + r->pos;
	*len = (size_t)v;
	r->pos += (size_t)v;
	return 0;
}

static void *dup_mem(const uint8_t *s, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	if (p && n)
		memcpy(p, s, n);
	return p;
}

static int rd_type(struct rd *r, struct dc_type *t)
{
	size_t n;
	if (rd_array(r, 4, 4, &n))
		return -1;
	RDU(r, 0xff, t->kind);
	RDU(r, 0xff, t->ckind);
	RDU(r, 0xff, t->flags);
	RDU(r, 0xffffffffu, t->size);
	return 0;
}

/* The map header; *n pairs. */
static int rd_map(struct rd *r, size_t *n)
{
	unsigned major;
	uint64_t v;
	int indef;
	if (rd_head(r, &major, &v, &indef))
		return -1;
	if (major != 5 || indef)
		return rd_fail(r, "not a definite map");
	if (v > (r->n - r->pos) / 2)
		return rd_fail(r, "count exceeds the data");
	*n = (size_t)v;
	return 0;
}

/* The next key if it is a text string (else NULL after skipping it). */
static int rd_key(struct rd *r, const uint8_t **k, size_t *kl)
{
	if (r->pos < r->n && (r->p[r->pos] >> 5) == 3 &&
	    (r->p[r->pos] & 31) != 31)
		return rd_str(r, 0, 1, k, kl);
	*k = NULL;
	*kl = 0;
	return rd_skip(r, 1);
}

static int key_eq(const uint8_t *k, size_t kl, const char *s)
{
	return k && kl == strlen(s) && memcmp(k, s, kl) == 0;
}

static int case_field(struct rd *r, const uint8_t *k, size_t kl,
                      struct dc_case *c)
{
	size_t n;
	if (key_eq(k, kl, "profile"))
		RDU(r, 1, c->profile);
	else if (key_eq(k, kl, "strsize"))
		RDU(r, TG_MAX_CASE_STRSIZE, c->strsize);
	else if (key_eq(k, kl, "scratch_size"))
		RDU(r, TG_MAX_CASE_AREA, c->scratch_size);
	else if (key_eq(k, kl, "dynvar_size"))
		RDU(r, TG_MAX_CASE_AREA, c->dynvar_size);
	else if (key_eq(k, kl, "deny"))
		RDU(r, 0xffffffffu, c->deny);
	else if (key_eq(k, kl, "thread_key"))
		RDU(r, UINT64_MAX, c->thread_key);
	else if (key_eq(k, kl, "runs"))
		RDU(r, TG_MAX_RUNS, c->runs);
	else if (key_eq(k, kl, "observe"))
		RDU(r, 0xff, c->observe);
	else if (key_eq(k, kl, "rtype"))
		return rd_type(r, &c->rtype);
	else if (key_eq(k, kl, "strtab")) {
		const uint8_t *sp;
		if (c->strtab)
			return rd_fail(r, "duplicate strtab");
		if (rd_str(r, 1, 0, &sp, &n))
			return -1;
		if (n > 0xffffffffu)
			return rd_fail(r, "strtab too long");
		if (!(c->strtab = dup_mem(sp, n)))
			return rd_fail(r, "out of memory");
		c->strlen = (uint32_t)n;
	} else if (key_eq(k, kl, "args")) {
		if (rd_array(r, 10, 10, &n))
			return -1;
		for (size_t j = 0; j < n; j++)
			RDU(r, UINT64_MAX, c->args[j]);
	} else if (key_eq(k, kl, "text")) {
		if (c->text)
			return rd_fail(r, "duplicate text");
		if (rd_array(r, TG_MAX_CASE_TEXT, -1, &n))
			return -1;
		if (!(c->text = calloc(n ? n : 1, 4)))
			return rd_fail(r, "out of memory");
		c->textlen = (uint32_t)n;
		for (size_t j = 0; j < n; j++)
			RDU(r, 0xffffffffu, c->text[j]);
	} else if (key_eq(k, kl, "inttab")) {
		if (c->inttab)
			return rd_fail(r, "duplicate inttab");
		if (rd_array(r, TG_MAX_CASE_TEXT, -1, &n))
			return -1;
		if (!(c->inttab = calloc(n ? n : 1, 8)))
			return rd_fail(r, "out of memory");
		c->intlen = (uint32_t)n;
		for (size_t j = 0; j < n; j++)
			RDU(r, UINT64_MAX, c->inttab[j]);
	} else if (key_eq(k, kl, "vartab")) {
		if (c->vartab)
			return rd_fail(r, "duplicate vartab");
		if (rd_array(r, 0xffff, -1, &n))
			return -1;
		if (!(c->vartab = calloc(n ? n : 1, sizeof(struct dc_var))))
			return rd_fail(r, "out of memory");
		c->varlen = (uint32_t)n;
		for (size_t j = 0; j < n; j++) {
			struct dc_var *dv = &c->vartab[j];
			size_t m;
			if (rd_array(r, 6, 6, &m))
				return -1;
			RDU(r, 0xffffffffu, dv->name);
			RDU(r, 0xffffffffu, dv->id);
			RDU(r, 0xff, dv->kind);
			RDU(r, 0xff, dv->scope);
			RDU(r, 0xffff, dv->flags);
			if (rd_type(r, &dv->type))
				return -1;
		}
	} else if (key_eq(k, kl, "bvars")) {
		if (c->nbvars)
			return rd_fail(r, "duplicate bvars");
		if (rd_array(r, DC_MAX_BVARS, -1, &n))
			return -1;
		for (size_t j = 0; j < n; j++) {
			struct dc_bvar *b = &c->bvars[j];
			size_t m;
			if (rd_array(r, 2, 2, &m))
				return -1;
			RDU(r, 0xffffffffu, b->id);
			c->nbvars = (uint32_t)j + 1;
			/* text, or bytes for a string that is not ASCII */
			if (r->pos < r->n && ((r->p[r->pos] >> 5) == 3 ||
			                      (r->p[r->pos] >> 5) == 2)) {
				const uint8_t *sp;
				if (rd_str(r, 1, 1, &sp, &m))
					return -1;
				if (!(b->str = malloc(m + 1)))
					return rd_fail(r, "out of memory");
				memcpy(b->str, sp, m);
				b->str[m] = 0;
			} else {
				RDU(r, UINT64_MAX, b->value);
			}
		}
	} else if (key_eq(k, kl, "regions")) {
		if (c->nregions)
			return rd_fail(r, "duplicate regions");
		if (rd_array(r, DC_MAX_REGIONS, -1, &n))
			return -1;
		for (size_t j = 0; j < n; j++) {
			struct dc_region *g = &c->regions[j];
			size_t m;
			if (rd_array(r, 4, 4, &m))
				return -1;
			RDU(r, UINT64_MAX, g->addr);
			RDU(r, 1, g->as);
			RDU(r, 0xff, g->flags);
			c->nregions = (uint32_t)j + 1;
			if (r->pos < r->n && (r->p[r->pos] >> 5) == 2) {
				const uint8_t *sp;
				if (rd_str(r, 1, 0, &sp, &m))
					return -1;
				if (m > 0xffffffffu)
					return rd_fail(r, "region too large");
				if (!(g->bytes = dup_mem(sp, m)))
					return rd_fail(r, "out of memory");
				g->size = (uint32_t)m;
			} else {
				RDU(r, 0xffffffffu, g->size);
			}
		}
	} else if (key_eq(k, kl, "hvars")) {
		if (c->nhvars)
			return rd_fail(r, "duplicate hvars");
		if (rd_array(r, DC_MAX_HVARS, -1, &n))
			return -1;
		for (size_t j = 0; j < n; j++) {
			struct dc_hvar *h = &c->hvars[j];
			size_t m;
			if (rd_array(r, 4, 4, &m))
				return -1;
			RDU(r, 0xffff, h->id);
			RDU(r, UINT64_MAX, h->index);
			RDU(r, DC_HC_MAX, h->code);
			RDU(r, UINT64_MAX, h->value);
			if (dc_hvar_find(c, h->id, h->index) >= 0)
				return rd_fail(r, "two host answers for one variable");
			c->nhvars = (uint32_t)j + 1;
		}
	} else if (key_eq(k, kl, "hsubrs")) {
		if (c->nhsubrs)
			return rd_fail(r, "duplicate hsubrs");
		if (rd_array(r, DC_MAX_HSUBRS, -1, &n))
			return -1;
		for (size_t j = 0; j < n; j++) {
			struct dc_hsubr *h = &c->hsubrs[j];
			size_t m;
			if (rd_array(r, 4, 4, &m))
				return -1;
			RDU(r, 0xff, h->subr);
			RDU(r, DC_HC_MAX, h->code);
			RDU(r, UINT64_MAX, h->result);
			RDU(r, 1, h->write_rd);
			if (dc_hsubr_find(c, h->subr) >= 0)
				return rd_fail(r, "two host answers for one subroutine");
			c->nhsubrs = (uint32_t)j + 1;
		}
	} else if (key_eq(k, kl, "hstores")) {
		if (c->nhstores)
			return rd_fail(r, "duplicate hstores");
		if (rd_array(r, DC_MAX_HSTORES, -1, &n))
			return -1;
		for (size_t j = 0; j < n; j++) {
			struct dc_hstore *h = &c->hstores[j];
			size_t m;
			if (rd_array(r, 3, 3, &m))
				return -1;
			RDU(r, 0xff, h->id);
			RDU(r, UINT64_MAX, h->index);
			RDU(r, DC_HC_MAX, h->code);
			if (dc_hstore_find(c, h->id, h->index) >= 0)
				return rd_fail(r, "two host answers for one store");
			c->nhstores = (uint32_t)j + 1;
		}
	} else if (key_eq(k, kl, "hreads")) {
		if (c->nhreads)
			return rd_fail(r, "duplicate hreads");
		if (rd_array(r, DC_MAX_HREADS, -1, &n))
			return -1;
		for (size_t j = 0; j < n; j++) {
			struct dc_hread *h = &c->hreads[j];
			const uint8_t *sp;
			size_t m;
			if (rd_array(r, 3, 3, &m))
				return -1;
			RDU(r, UINT64_MAX, h->addr);
			RDU(r, 1, h->as);
			if (rd_str(r, 1, 0, &sp, &m))
				return -1;
			if (m == 0 || m > 0xffffffffu)
				return rd_fail(r, "empty or too large host read range");
			if (!(h->bytes = dup_mem(sp, m)))
				return rd_fail(r, "out of memory");
			h->size = (uint32_t)m;
			c->nhreads = (uint32_t)j + 1;
		}
	} else if (key_eq(k, kl, "hwrites")) {
		if (c->nhwrites)
			return rd_fail(r, "duplicate hwrites");
		if (rd_array(r, DC_MAX_HWRITES, -1, &n))
			return -1;
		for (size_t j = 0; j < n; j++) {
			struct dc_hwrite *h = &c->hwrites[j];
			size_t m;
			if (rd_array(r, 3, 3, &m))
				return -1;
			RDU(r, UINT64_MAX, h->addr);
			RDU(r, DC_MAX_HWRITE_SIZE, h->size);
			RDU(r, DC_HC_MAX, h->code);
			if (h->size == 0 || h->addr + h->size < h->addr)
				return rd_fail(r, "empty or wrapping host write range");
			for (size_t q = 0; q < j; q++)
				if (h->addr - c->hwrites[q].addr < c->hwrites[q].size ||
				    c->hwrites[q].addr - h->addr < h->size)
					return rd_fail(r, "host write ranges overlap");
			c->nhwrites = (uint32_t)j + 1;
		}
	} else {
		/* unknown keys are skipped: later versions may add fields */
		return rd_skip(r, 1);
	}
	return 0;
}

int tg_cbor_case_decode(const uint8_t *buf, size_t len, struct dc_case *c,
                        struct tg_err *e)
{
	struct rd r = { buf, buf ? len : 0, 0, NULL };
	tg_case_init(c);
	size_t n;
	const uint8_t *k = NULL;
	size_t kl = 0;
	if (rd_map(&r, &n))
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (rd_key(&r, &k, &kl) || case_field(&r, k, kl, c))
			goto bad;
	k = NULL;
	if (r.pos != r.n) {
		rd_fail(&r, "trailing bytes after the case");
		goto bad;
	}
	if (!c->text) {
		rd_fail(&r, "missing text");
		goto bad;
	}
	if (!dc_hreads_ok(c)) {
		rd_fail(&r, "host read ranges overlap or touch a region");
		goto bad;
	}
	return 0;
bad:
	if (k)
		tg_errf(e, "case: %s in '%.*s' at byte %zu", r.what, (int)kl,
		        (const char *)k, r.pos);
	else
		tg_errf(e, "case: %s at byte %zu", r.what, r.pos);
	tg_case_free(c);
	return -1;
}

int tg_cbor_outcome_decode(const uint8_t *buf, size_t len,
                           struct dc_outcome *o, struct tg_err *e)
{
	struct rd r = { buf, buf ? len : 0, 0, NULL };
	memset(o, 0, sizeof(*o));
	size_t n;
	const uint8_t *k = NULL;
	size_t kl = 0;
	if (rd_map(&r, &n))
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (rd_key(&r, &k, &kl))
			goto bad;
		int rc = 0;
		uint64_t v = 0;
		if (key_eq(k, kl, "rval")) {
			rc = rd_uint(&r, UINT64_MAX, &v);
			o->rval = v;
		} else if (key_eq(k, kl, "fault")) {
			rc = rd_uint(&r, 0xffffffffu, &v);
			o->fault = (uint32_t)v;
		} else if (key_eq(k, kl, "pc")) {
			rc = rd_uint(&r, 0xffffffffu, &v);
			o->pc = (uint32_t)v;
		} else if (key_eq(k, kl, "addr")) {
			rc = rd_uint(&r, UINT64_MAX, &v);
			o->addr = v;
		} else if (key_eq(k, kl, "drops")) {
			rc = rd_uint(&r, UINT64_MAX, &v);
			o->drops = v;
		} else if (key_eq(k, kl, "digest")) {
			rc = rd_uint(&r, UINT64_MAX, &v);
			o->digest = v;
			o->has_digest = 1;
		} else if (key_eq(k, kl, "hstore")) {
			rc = rd_uint(&r, UINT64_MAX, &v);
			o->hstore = v;
			o->has_hstore = 1;
		} else if (key_eq(k, kl, "hwrite")) {
			rc = rd_uint(&r, UINT64_MAX, &v);
			o->hwrite = v;
			o->has_hwrite = 1;
		} else if (key_eq(k, kl, "string")) {
			const uint8_t *sp;
			size_t sl;
			rc = rd_str(&r, 1, 1, &sp, &sl);
			if (rc == 0) {
				if (sl >= sizeof(o->string))
					sl = sizeof(o->string) - 1;
				memcpy(o->string, sp, sl);
				o->string[sl] = 0;
				o->has_string = 1;
			}
		} else {
			rc = rd_skip(&r, 1);
		}
		if (rc)
			goto bad;
	}
	return 0;
bad:
	tg_errf(e, "outcome: %s at byte %zu", r.what, r.pos);
	return -1;
}

int tg_cbor_text_field(const uint8_t *buf, size_t len, const char *key,
                       char *out, size_t cap)
{
	struct rd r = { buf, buf ? len : 0, 0, NULL };
	size_t n;
	if (rd_map(&r, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *k;
		size_t kl;
		if (rd_key(&r, &k, &kl))
			return -1;
		if (!key_eq(k, kl, key)) {
			if (rd_skip(&r, 1))
				return -1;
			continue;
		}
		if (r.pos < r.n && (r.p[r.pos] >> 5) == 0) {
			uint64_t v;
			if (rd_uint(&r, UINT64_MAX, &v))
				return -1;
			snprintf(out, cap, "%llu", (unsigned long long)v);
			return 1;
		}
		const uint8_t *sp;
		size_t sl;
		if (rd_str(&r, 0, 1, &sp, &sl))
			return -1;
		if (sl >= cap)
			sl = cap - 1;
		memcpy(out, sp, sl);
		out[sl] = 0;
		return 1;
	}
	return 0;
}
