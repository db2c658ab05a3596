/*
 * The one hash map of difvm and its tools (not installed): every lookup
 * by name or by value that can grow with the input goes through it, so
 * no path is quadratic. Open addressing with linear probing; keys are
 * byte strings copied into the map; values are 64-bit.
 *
 * Built with -DDIF_HASH_COUNTING, every probed slot is counted in
 * dif_hash_probes(); the growth test compares the counts of two input
 * sizes to catch quadratic behaviour without timing anything.
 */
#ifndef DIFVM_HASH_H
#define DIFVM_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "isa.h"

struct dif_hent {
	uint64_t h;
	char *key; /* NULL: empty slot */
	size_t klen;
	uint64_t val;
};
struct dif_hmap {
	struct dif_hent *v;
	size_t cap, n;
};

DIF_INTERNAL uint64_t dif_hash_bytes(const void *p, size_t n);
/* The value stored for key [k, k+n), or NULL. */
DIF_INTERNAL uint64_t *dif_hm_get(const struct dif_hmap *m, const void *k,
                                  size_t n);
/* Inserts or overwrites; -1 on out of memory. */
DIF_INTERNAL int dif_hm_put(struct dif_hmap *m, const void *k, size_t n,
                            uint64_t val);
/* Inserts key -> val unless the key is there. 1 if inserted, 0 if it was
 * there (*old, when not NULL, gets its value), -1 on out of memory. */
DIF_INTERNAL int dif_hm_add(struct dif_hmap *m, const void *k, size_t n,
                            uint64_t val, uint64_t *old);
/* Frees the entries; the map is empty (and reusable) afterwards. */
DIF_INTERNAL void dif_hm_free(struct dif_hmap *m);
/* Grows the array *pp (elem-sized items, *cap of them, n in use) to fit
 * one more, doubling; 0 or -1 on out of memory (*pp unchanged). */
DIF_INTERNAL int dif_grow(void *pp, size_t *cap, size_t n, size_t elem);
/* Probes made so far (0 unless built with DIF_HASH_COUNTING). */
DIF_INTERNAL uint64_t dif_hash_probes(void);
/* Adds n comparisons made outside the map (sorted indexes, bounded
 * scans) to the same count. */
DIF_INTERNAL void dif_hash_count(uint64_t n);

#endif
