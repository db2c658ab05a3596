/*
 * User variables: by-ref static storage (dif-isa.md 2.7) and the dynamic
 * arena for thread-locals and associative arrays (docs/conventions.md 3).
 */
#include <string.h>

#include "exec.h"

static uint64_t round8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

uint64_t dif_thread_key(struct dif_run *run)
{
	struct dif_ctx *ctx = run->ctx;
	/* DTrace's key: tid + 0xffff in 61 bits, interrupt level (0) on top,
	 * so it never equals a variable id (dif-isa.md 2.7) */
	if (ctx->thread_set)
		return ctx->thread;
	return (ctx->bvals[DIF_BVAR_TID] + 0xffff) & (((uint64_t)1 << 61) - 1);
}

/* ---------------------------------------------------------------------
 * vcanload + vcopy: copy a by-ref value of `size` bytes (strings stop after
 * the NUL) from src into dst. False (nothing copied) when the check fails
 * or a read faults.
 */
static bool vcopy(struct dif_run *run, uint64_t src, uint8_t *dst,
                  uint64_t size, bool string)
{
	uint64_t n = size;
	/* a string copy reads at most min(type size, strsize) bytes, up to
	 * and including the NUL (docs/conventions.md, Decisions 4) */
	if (string && run->strsize < n)
		n = run->strsize;
	if (run->deny & DIF_DENY_KERNEL) {
		uint64_t rem;
		if (!dif_vcanload(run, src, size, string))
			return false;
		if (dif_canload_rem(run, src, 0, &rem) && rem < n)
			n = rem;
	}
	if (string) {
		uint64_t len = dif_strnlen(run, src, n);
		if (run->fbits)
			return false;
		n = len < n ? len + 1 : n;
	}
	int rc = dif_mem_read(run, DIF_AS_KERNEL, src, dst, n);
	if (rc) {
		dif_fault(run, rc, src);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Static by-ref variables. Header byte 0 is 0xFF for NULL (2.7); byte 1
 * is 0 until the first store so never-stored variables read as NULL even
 * in zero-filled per-context storage.
 */
static uint8_t *static_hdr(struct dif_run *run, const struct dif_varslot *s,
                           uint64_t *addr)
{
	if (s->scope == DIF_VSCOPE_LOCAL) {
		*addr = DIF_WIN_LOCAL + s->off;
		return run->ctx->locals + s->off;
	}
	*addr = DIF_WIN_STATIC + s->off;
	return run->vm->statics + s->off;
}

uint64_t dif_static_load_ref(struct dif_run *run, const struct dif_varslot *s)
{
	uint64_t addr;
	const uint8_t *h = static_hdr(run, s, &addr);
	if (h[0] == DIF_BYREF_NULL || h[1] == 0)
		return 0;
	return addr + 8;
}

void dif_static_store_ref(struct dif_run *run, const struct dif_varslot *s,
                          uint64_t src)
{
	uint64_t addr;
	uint8_t *h = static_hdr(run, s, &addr);
	bool shared = s->scope != DIF_VSCOPE_LOCAL;
	if (shared)
		dif_vm_lock(run->vm);
	h[1] = 1;
	if (src == 0) {
		h[0] = DIF_BYREF_NULL;
	} else {
		h[0] = 0;
		vcopy(run, src, h + 8, s->size, s->string);
	}
	if (shared)
		dif_vm_unlock(run->vm);
}

/* ---------------------------------------------------------------------
 * Dynamic arena.
 */
struct dkey {
	unsigned n;          /* key elements */
	uint64_t keybytes;   /* by-ref contents in ctx->keybuf */
	uint64_t hash;
	bool toobig;         /* cannot fit any chunk: never stored */
};

/* Word-at-a-time hash step (a multiply-xorshift mix). */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* Hashes n bytes (n a multiple of 8: key contents are zero-padded). */
static uint64_t mix_bytes(uint64_t h, const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = mix(h, w);
	}
	return h;
}

/* Reads a by-ref key that does not fit a chunk, only for its faults:
 * BADADDR at the first unreadable byte. */
static bool key_readable(struct dif_run *run, uint64_t addr, uint64_t size)
{
	uint8_t buf[64];
	for (uint64_t off = 0; off < size; off += sizeof(buf)) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		if (dif_mem_read(run, DIF_AS_KERNEL, addr + off, buf, n) == 0)
			continue;
		for (size_t b = 0; b < n; b++)
			if (!dif_load(run, DIF_AS_KERNEL, addr + off + b, buf, 1))
				return false;
		dif_fault(run, DIF_FAULT_BADADDR, addr + off);
		return false;
	}
	return true;
}

/* Builds the key in run->tval/tsize[0..n-1] (hidden slots past ttop hold
 * the variable id and thread key) and the by-ref contents in keybuf.
 * False when a fault was raised. */
static bool make_key(struct dif_run *run, const struct dif_varslot *s,
                     bool assoc, struct dkey *k)
{
	struct dif_vm *vm = run->vm;
	unsigned n = assoc ? run->ttop : 0;
	uint64_t *val = run->tval, *sz = run->tsize;
	if (!assoc) {
		/* Thread-local scalars use the hidden slots only. */
		val = run->tval + DIF_NTREGS;
		sz = run->tsize + DIF_NTREGS;
	}
	/* The variable's key entry is var - 0x500 (dif-isa.md 2.7); it is
	 * visible to later subroutines reading past the stack top. */
	val[n] = s->id - DIF_VAR_OTHER_UBASE;
	sz[n] = 0;
	n++;
	if (s->scope == DIF_VSCOPE_THREAD) {
		val[n] = dif_thread_key(run);
		sz[n] = 0;
		n++;
	}
	k->n = n;
	k->keybytes = 0;
	k->toobig = false;
	for (unsigned i = 0; i < n; i++)
		if (sz[i] && !dif_canload(run, val[i], sz[i]))
			return false;
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t room = vm->chunk;
	for (unsigned i = 0; i < n; i++) {
		h = mix(h, sz[i]);
		if (!sz[i]) {
			h = mix(h, val[i]);
			continue;
		}
		uint64_t r = round8(sz[i]);
		if (r < sz[i] || r > room - k->keybytes) {
			/* never stored, but every key is still read first
			 * (and can fault), as DTrace hashes them all */
			k->toobig = true;
			for (unsigned j = i; j < n; j++)
				if (sz[j] && !key_readable(run, val[j], sz[j]))
					return false;
			return true;
		}
		uint8_t *dst = run->ctx->keybuf + k->keybytes;
		int rc = dif_mem_read(run, DIF_AS_KERNEL, val[i], dst, sz[i]);
		if (rc) {
			/* page-fault semantics (dif-isa.md 4.1): illval is the
			 * first unreadable byte (fault path only) */
			for (uint64_t b = 0; b < sz[i]; b++)
				if (!dif_load(run, DIF_AS_KERNEL, val[i] + b, dst, 1))
					return false;
			dif_fault(run, rc, val[i]);
			return false;
		}
		memset(dst + sz[i], 0, r - sz[i]);
		h = mix_bytes(h, dst, r);
		k->keybytes += r;
	}
	k->hash = h;
	if (16ull * n + k->keybytes > room)
		k->toobig = true;
	return true;
}

static const uint64_t *key_vals(struct dif_run *run, bool assoc)
{
	return assoc ? run->tval : run->tval + DIF_NTREGS;
}
static const uint64_t *key_sizes(struct dif_run *run, bool assoc)
{
	return assoc ? run->tsize : run->tsize + DIF_NTREGS;
}

static uint8_t *chunk_mem(struct dif_vm *vm, uint32_t i)
{
	return vm->dyn + (uint64_t)i * vm->chunk;
}

/* Chunk holding the key, or UINT32_MAX. Caller holds the lock. */
static uint32_t find(struct dif_run *run, const struct dkey *k, bool assoc,
                     uint32_t **link)
{
	struct dif_vm *vm = run->vm;
	const uint64_t *val = key_vals(run, assoc), *sz = key_sizes(run, assoc);
	uint32_t *l = &vm->buckets[k->hash & (vm->nbuckets - 1)];
	for (uint32_t i = *l; i != UINT32_MAX; l = &vm->chunks[i].next, i = *l) {
		const struct dif_dynchunk *c = &vm->chunks[i];
		if (c->hash != k->hash || c->nkeys != k->n)
			continue;
		const uint8_t *m = chunk_mem(vm, i);
		bool same = true;
		for (unsigned j = 0; j < k->n && same; j++) {
			uint64_t hv[2];
			memcpy(hv, m + 16 * j, 16);
			same = hv[1] == sz[j] && (sz[j] || hv[0] == val[j]);
		}
		if (same && k->keybytes &&
		    memcmp(m + 16 * k->n, run->ctx->keybuf, k->keybytes) != 0)
			same = false;
		if (same) {
			if (link)
				*link = l;
			return i;
		}
	}
	return UINT32_MAX;
}

static uint64_t data_size(const struct dif_varslot *s)
{
	uint64_t sz = s->byref ? s->size : 8;
	return round8(sz < 8 ? 8 : sz);
}

uint64_t dif_dyn_load(struct dif_run *run, const struct dif_varslot *s,
                      bool assoc)
{
	struct dif_vm *vm = run->vm;
	struct dkey k;
	if (!make_key(run, s, assoc, &k))
		return 0;
	if (k.toobig || vm->nchunks == 0)
		return 0;
	uint64_t v = 0;
	dif_vm_lock(vm);
	uint32_t i = find(run, &k, assoc, NULL);
	if (i != UINT32_MAX) {
		const struct dif_dynchunk *c = &vm->chunks[i];
		if (s->byref)
			v = DIF_WIN_DYNAMIC + (uint64_t)i * vm->chunk + c->dataoff;
		else
			memcpy(&v, chunk_mem(vm, i) + c->dataoff, 8);
	}
	dif_vm_unlock(vm);
	return v;
}

void dif_dyn_store(struct dif_run *run, const struct dif_varslot *s,
                   bool assoc, uint64_t val)
{
	struct dif_vm *vm = run->vm;
	struct dkey k;
	if (!make_key(run, s, assoc, &k))
		return;
	uint64_t dsize = data_size(s);
	uint64_t need = 16ull * k.n + k.keybytes + dsize;
	dif_vm_lock(vm);
	uint32_t *link = NULL;
	uint32_t i = (k.toobig || vm->nchunks == 0)
	                 ? UINT32_MAX : find(run, &k, assoc, &link);
	if (val == 0) {
		/* Store of 0 deletes the element. */
		if (i != UINT32_MAX) {
			struct dif_dynchunk *c = &vm->chunks[i];
			*link = c->next;
			__atomic_store_n(&c->live, 0, __ATOMIC_RELEASE);
			c->next = vm->freelist;
			vm->freelist = i;
			vm->dyn_used -= c->used;
		}
		dif_vm_unlock(vm);
		return;
	}
	if (i == UINT32_MAX) {
		if (k.toobig || need > vm->chunk || vm->freelist == UINT32_MAX) {
			vm->drops++;
			dif_vm_unlock(vm);
			return;
		}
		i = vm->freelist;
		struct dif_dynchunk *c = &vm->chunks[i];
		vm->freelist = c->next;
		uint8_t *m = chunk_mem(vm, i);
		const uint64_t *kv = key_vals(run, assoc), *ks = key_sizes(run, assoc);
		for (unsigned j = 0; j < k.n; j++) {
			uint64_t hv[2] = { ks[j] ? 0 : kv[j], ks[j] };
			memcpy(m + 16 * j, hv, 16);
		}
		if (k.keybytes)
			memcpy(m + 16 * k.n, run->ctx->keybuf, k.keybytes);
		c->nkeys = k.n;
		c->hash = k.hash;
		c->dataoff = (uint32_t)(16 * k.n + k.keybytes);
		c->datasize = (uint32_t)dsize;
		c->used = (uint32_t)need;
		memset(m + c->dataoff, 0, dsize);
		uint32_t *b = &vm->buckets[k.hash & (vm->nbuckets - 1)];
		c->next = *b;
		*b = i;
		__atomic_store_n(&c->live, 1, __ATOMIC_RELEASE);
		vm->dyn_used += c->used;
	}
	struct dif_dynchunk *c = &vm->chunks[i];
	uint8_t *data = chunk_mem(vm, i) + c->dataoff;
	if (s->byref)
		vcopy(run, val, data, s->size, s->string);
	else
		memcpy(data, &val, 8);
	dif_vm_unlock(vm);
}
