/*
 * A small byte-keyed hash map for the linker and the DOF reader (open
 * addressing, linear probing, keys copied) with 64-bit values. Every name
 * lookup in linker/ goes through one of these. It hashes with the shared
 * map's function (difvm/hash.h) and counts its probes in the same
 * test-only counter, so the growth test sees the linker's work too.
 * Internal; not installed.
 */
#ifndef DIFVM_LINKER_HMAP_H
#define DIFVM_LINKER_HMAP_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/hash.h"

struct lhent {
	uint64_t h;
	char *key; /* NULL: empty slot */
	size_t klen;
	uint64_t val;
};

struct lhmap {
	struct lhent *v;
	size_t cap, n;
};

static inline uint64_t lh_hash(const void *p, size_t n)
{
	return dif_hash_bytes(p, n);
}

static inline struct lhent *lh_slot(const struct lhmap *m, const void *k,
                                    size_t n, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	for (;;) {
		struct lhent *e = &m->v[i];
#ifdef DIF_HASH_COUNTING
		dif_hash_count(1);
#endif
		if (!e->key ||
		    (e->h == h && e->klen == n && memcmp(e->key, k, n) == 0))
			return e;
		i = (i + 1) & (m->cap - 1);
	}
}

/* The value stored under key, or NULL. */
static inline uint64_t *lh_get(const struct lhmap *m, const void *k, size_t n)
{
	if (!m->cap)
		return NULL;
	struct lhent *e = lh_slot(m, k, n, lh_hash(k, n));
	return e->key ? &e->val : NULL;
}

static inline int lh_grow(struct lhmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct lhent *v = calloc(cap, sizeof(*v));
	if (!v)
		return -1;
	struct lhmap nm = { v, cap, m->n };
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key)
			*lh_slot(&nm, m->v[i].key, m->v[i].klen, m->v[i].h) = m->v[i];
	free(m->v);
	*m = nm;
	return 0;
}

/* Inserts key -> val unless present. Returns 1 if inserted, 0 if the key
 * was there (*old gets its value when old != NULL), -1 on OOM. */
static inline int lh_put(struct lhmap *m, const void *k, size_t n,
                         uint64_t val, uint64_t *old)
{
	if ((m->n + 1) * 2 > m->cap && lh_grow(m))
		return -1;
	uint64_t h = lh_hash(k, n);
	struct lhent *e = lh_slot(m, k, n, h);
	if (e->key) {
		if (old)
			*old = e->val;
		return 0;
	}
	e->key = malloc(n ? n : 1);
	if (!e->key)
		return -1;
	memcpy(e->key, k, n);
	e->klen = n;
	e->h = h;
	e->val = val;
	m->n++;
	return 1;
}

static inline void lh_free(struct lhmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	m->v = NULL;
	m->cap = m->n = 0;
}

#endif
