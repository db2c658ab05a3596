/*
 * Dynamic variables (thread-locals and associative-array elements):
 * dif-isa.md 2.7 and docs/conventions.md 3. One live element takes one
 * chunk of the arena; keys are compared by value (size 0) or by content.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Bytes one element needs in its chunk. */
uint64_t dyn_need(const struct tent *key, uint32_t nkeys, uint64_t dsize)
{
	uint64_t need = 16 * (uint64_t)nkeys;
	for (uint32_t k = 0; k < nkeys; k++)
		if (key[k].sz) {
			uint64_t r = rup8(key[k].sz);
			if (r < key[k].sz || need + r < need)
				return UINT64_MAX;
			need += r;
		}
	if (need + dsize < need)
		return UINT64_MAX;
	return need + dsize;
}

bool dyn_can_alloc(const struct state *s, uint64_t need)
{
	return need <= s->chunk && s->ndyn < s->nchunks;
}

/* Every by-ref key element must be loadable (KPRIV) and readable. */
bool dyn_key_check(const struct state *s, const struct tent *key,
                   uint32_t nkeys, uint64_t *bad, uint32_t *fault)
{
	/* canload of every element first (KPRIV), then the reads */
	for (uint32_t k = 0; k < nkeys; k++) {
		if (key[k].sz && !canload(s, key[k].v, key[k].sz, NULL)) {
			*bad = key[k].v;
			*fault = F_KPRIV;
			return false;
		}
	}
	for (uint32_t k = 0; k < nkeys; k++) {
		if (!key[k].sz)
			continue;
		if (!mem_readable(s, 0, key[k].v, key[k].sz, bad)) {
			/* illval: the first unreadable byte (4.1) */
			uint64_t b2;
			for (uint64_t x = 0; x < key[k].sz; x++)
				if (!mem_readable(s, 0, key[k].v + x, 1, &b2)) {
					*bad = key[k].v + x;
					break;
				}
			*fault = F_BADADDR;
			return false;
		}
	}
	return true;
}

const struct dynel *dyn_find(const struct state *s, const struct tent *key,
                             uint32_t nkeys)
{
	for (uint32_t e = 0; e < s->ndyn; e++) {
		const struct dynel *d = &s->dyn[e];
		if (d->nkeys != nkeys)
			continue;
		bool same = true;
		uint64_t off = 0;
		for (uint32_t k = 0; k < nkeys && same; k++) {
			if (d->ksize[k] != key[k].sz) {
				same = false;
			} else if (key[k].sz == 0) {
				same = d->kval[k] == key[k].v;
			} else {
				uint64_t bad;
				const uint8_t *p = mem_ptr(s, 0, key[k].v, key[k].sz, &bad);
				same = p && memcmp(p, d->kbytes + off, key[k].sz) == 0;
				off += key[k].sz;
			}
		}
		if (same)
			return d;
	}
	return NULL;
}

static void dyn_remove(struct state *s, const struct dynel *d)
{
	uint32_t e = (uint32_t)(d - s->dyn);
	free(s->dyn[e].mem);
	free(s->dyn[e].kbytes);
	s->dyn[e] = s->dyn[--s->ndyn];
}

/* Lowest free chunk index. */
static uint32_t free_chunk(const struct state *s)
{
	for (uint32_t c = 0;; c++) {
		bool used = false;
		for (uint32_t e = 0; e < s->ndyn && !used; e++)
			used = s->dyn[e].chunk == c;
		if (!used)
			return c;
	}
}

static struct dynel *dyn_create(struct state *s, const struct update *u)
{
	if (s->ndyn == s->capdyn) {
		uint32_t cap = s->capdyn ? s->capdyn * 2 : 16;
		struct dynel *nd = realloc(s->dyn, cap * sizeof(*nd));
		if (!nd)
			return NULL;
		s->dyn = nd;
		s->capdyn = cap;
	}
	struct dynel *d = &s->dyn[s->ndyn];
	memset(d, 0, sizeof(*d));
	d->chunk = free_chunk(s);
	d->nkeys = u->nkeys;
	uint64_t kb = 0;
	for (uint32_t k = 0; k < u->nkeys; k++) {
		d->kval[k] = u->key[k].v;
		d->ksize[k] = u->key[k].sz;
		kb += u->key[k].sz;
	}
	d->kbytes = malloc(kb ? kb : 1);
	d->dsize = u->dsize;
	d->mem = calloc(1, d->dsize ? d->dsize : 8);
	if (!d->kbytes || !d->mem) {
		free(d->kbytes);
		free(d->mem);
		return NULL;
	}
	uint64_t off = 0;
	for (uint32_t k = 0; k < u->nkeys; k++) {
		if (!u->key[k].sz)
			continue;
		uint64_t bad;
		const uint8_t *p = mem_ptr(s, 0, u->key[k].v, u->key[k].sz, &bad);
		if (p)
			memcpy(d->kbytes + off, p, u->key[k].sz);
		off += u->key[k].sz;
	}
	d->kblen = kb;
	uint64_t hdr = 16 * (uint64_t)u->nkeys;
	for (uint32_t k = 0; k < u->nkeys; k++)
		hdr += rup8(u->key[k].sz);
	d->data = DC_VA_DYNVAR + (uint64_t)d->chunk * s->chunk + hdr;
	s->ndyn++;
	return d;
}

void dyn_apply(struct state *s, const struct update *u)
{
	const struct dynel *found = dyn_find(s, u->key, u->nkeys);
	switch (u->varop) {
	case VO_DYN_DROP:
		s->drops++;
		return;
	case VO_DYN_DELETE:
		if (found)
			dyn_remove(s, found);
		return;
	case VO_DYN_STORE: {
		struct dynel *d = (struct dynel *)found;
		if (!d)
			d = dyn_create(s, u);
		if (!d)
			return;
		if (u->copy) {
			uint64_t bad;
			const uint8_t *p = mem_ptr(s, 0, u->value, u->copylen, &bad);
			if (p && u->copylen <= d->dsize)
				memmove(d->mem, p, u->copylen);
		} else if (!u->nowrite) {
			memcpy(d->mem, &u->value, 8);
		}
		return;
	}
	}
}
