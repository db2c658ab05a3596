/* The shared hash map (hash.h). */
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#ifdef DIF_HASH_COUNTING
/* Test builds only: one counter for the whole process. */
static uint64_t probes;
#define COUNT(n) (probes += (n))
#else
#define COUNT(n) ((void)0)
#endif

uint64_t dif_hash_probes(void)
{
#ifdef DIF_HASH_COUNTING
	return probes;
#else
	return 0;
#endif
}

void dif_hash_count(uint64_t n)
{
	(void)n;
	COUNT(n);
}

uint64_t dif_hash_bytes(const void *p, size_t n)
{
	/* FNV-1a, then a final mix so the low bits (the slot) depend on
	 * every byte. */
	const unsigned char *b = p;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static struct dif_hent *slot(const struct dif_hmap *m, const void *k,
                             size_t n, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);
	for (;;) {
		COUNT(1);
		struct dif_hent *e = &m->v[i];
		if (!e->key || (e->h == h && e->klen == n && memcmp(e->key, k, n) == 0))
			return e;
		i = (i + 1) & (m->cap - 1);
	}
}

uint64_t *dif_hm_get(const struct dif_hmap *m, const void *k, size_t n)
{
	if (!m->cap)
		return NULL;
	struct dif_hent *e = slot(m, k, n, dif_hash_bytes(k, n));
	return e->key ? &e->val : NULL;
}

/* The entry for key (inserted with value 0 when new), or NULL on out of
 * memory; *added tells whether it is new. */
static struct dif_hent *entry(struct dif_hmap *m, const void *k, size_t n,
                              int *added)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct dif_hent *nv = calloc(cap, sizeof(*nv));
		if (!nv)
			return NULL;
		struct dif_hmap nm = { nv, cap, m->n };
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key)
				*slot(&nm, m->v[i].key, m->v[i].klen, m->v[i].h) = m->v[i];
		free(m->v);
		*m = nm;
	}
	uint64_t h = dif_hash_bytes(k, n);
	struct dif_hent *e = slot(m, k, n, h);
	*added = !e->key;
	if (!e->key) {
		e->key = malloc(n ? n : 1);
		if (!e->key)
			return NULL;
		memcpy(e->key, k, n);
		e->klen = n;
		e->h = h;
		e->val = 0;
		m->n++;
	}
	return e;
}

int dif_hm_put(struct dif_hmap *m, const void *k, size_t n, uint64_t val)
{
	int added;
	struct dif_hent *e = entry(m, k, n, &added);
	if (!e)
		return -1;
	e->val = val;
	return 0;
}

int dif_hm_add(struct dif_hmap *m, const void *k, size_t n, uint64_t val,
               uint64_t *old)
{
	int added;
	struct dif_hent *e = entry(m, k, n, &added);
	if (!e)
		return -1;
	if (!added) {
		if (old)
			*old = e->val;
		return 0;
	}
	e->val = val;
	return 1;
}

void dif_hm_free(struct dif_hmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->v[i].key);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

int dif_grow(void *pp, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	if (nc > SIZE_MAX / elem)
		return -1;
	void *np = realloc(*(void **)pp, nc * elem);
	if (!np)
		return -1;
	*(void **)pp = np;
	*cap = nc;
	return 0;
}
