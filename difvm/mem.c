/*
 * The memory model: the VM address window, host regions, access checks
 * (dif-isa.md 4.3) and scratch allocation (docs/conventions.md 2).
 */
#include <string.h>

#include "exec.h"

int dif_fault_pick(unsigned fbits)
{
	static const int order[] = {
		DIF_FAULT_BADADDR, DIF_FAULT_ILLOP,     DIF_FAULT_DIVZERO,
		DIF_FAULT_KPRIV,   DIF_FAULT_UPRIV,     DIF_FAULT_TUPOFLOW,
		DIF_FAULT_BADALIGN, DIF_FAULT_NOSCRATCH, DIF_FAULT_BADSTACK,
	};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (fbits & DIF_FBIT(order[i]))
			return order[i];
	return DIF_FAULT_NONE;
}

const struct dif_region *dif_region_find(const struct dif_vm *vm, unsigned as,
                                         uint64_t addr, uint64_t len)
{
	const struct dif_rindex *x = &vm->readable[as & 1];
	/* the last region starting at or below addr */
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->r[mid]->addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct dif_region *r = x->r[lo - 1];
	uint64_t off = addr - r->addr;
	return off < r->size && len <= r->size - off ? r : NULL;
}

bool dif_toxic_overlap(const struct dif_vm *vm, unsigned as, uint64_t addr,
                       uint64_t len)
{
	const struct dif_rindex *x = &vm->toxic[as & 1];
	if (x->n == 0)
		return false;
	uint64_t end = addr + (len ? len : 1);
	/* the toxic ranges starting below end; one of them overlaps iff the
	 * furthest end among them lies past addr */
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (x->r[mid]->addr < end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && x->maxend[lo - 1] > addr;
}

/* [addr, addr+size) inside [base, base+len)? Overflow safe; size 0 ok. */
static inline bool in_range(uint64_t addr, uint64_t size, uint64_t base,
                            uint64_t len)
{
	return addr - base < len && size <= len - (addr - base);
}

/* Dynamic arena: the live value range of the chunk holding addr. */
static bool dyn_value_range(const struct dif_vm *vm, uint64_t addr,
                            uint64_t *lo, uint64_t *len)
{
	uint64_t off = addr - DIF_WIN_DYNAMIC;
	if (addr < DIF_WIN_DYNAMIC || off >= (uint64_t)vm->nchunks * vm->chunk)
		return false;
	uint32_t i = (uint32_t)(off / vm->chunk);
	const struct dif_dynchunk *c = &vm->chunks[i];
	if (!__atomic_load_n(&c->live, __ATOMIC_ACQUIRE))
		return false;
	*lo = DIF_WIN_DYNAMIC + (uint64_t)i * vm->chunk + c->dataoff;
	*len = c->datasize;
	return true;
}

uint8_t *dif_vm_ptr(struct dif_run *run, uint64_t addr, uint64_t size)
{
	struct dif_vm *vm = run->vm;
	if (addr < DIF_WIN_STRTAB || addr >= DIF_WIN_END)
		return NULL;
	switch ((addr >> 48) & 0xf) {
	case 0x0:
		if (run->prog && in_range(addr, size, DIF_WIN_STRTAB, run->prog->strlen))
			return (uint8_t *)run->prog->strtab + (addr - DIF_WIN_STRTAB);
		return NULL;
	case 0x1:
		if (in_range(addr, size, run->scratch_base,
		             run->scratch_limit - run->scratch_base))
			return dif_scratch_host(run, addr);
		return NULL;
	case 0x2:
		if (in_range(addr, size, DIF_WIN_STATIC, vm->static_size))
			return vm->statics + (addr - DIF_WIN_STATIC);
		if (in_range(addr, size, DIF_WIN_LOCAL, vm->local_size))
			return run->ctx->locals + (addr - DIF_WIN_LOCAL);
		return NULL;
	case 0x3:
		if (in_range(addr, size, DIF_WIN_DYNAMIC,
		             (uint64_t)vm->nchunks * vm->chunk))
			return vm->dyn + (addr - DIF_WIN_DYNAMIC);
		return NULL;
	case 0x4:
		if (in_range(addr, size, DIF_WIN_ENV,
		             (uint64_t)DIF_ENV_NSLOTS * vm->strsize))
			return (uint8_t *)run->ctx->env + (addr - DIF_WIN_ENV);
		return NULL;
	}
	return NULL;
}

const uint8_t *dif_vm_span(struct dif_run *run, uint64_t addr,
                           uint64_t *avail)
{
	struct dif_vm *vm = run->vm;
	uint64_t base, len;
	const uint8_t *host;
	if (addr < DIF_WIN_STRTAB || addr >= DIF_WIN_END)
		return NULL;
	switch ((addr >> 48) & 0xf) {
	case 0x0:
		if (!run->prog)
			return NULL;
		base = DIF_WIN_STRTAB, len = run->prog->strlen;
		host = (const uint8_t *)run->prog->strtab;
		break;
	case 0x1:
		base = run->scratch_base, len = run->scratch_limit - base;
		host = run->scratch_buf;
		break;
	case 0x2:
		if (addr < DIF_WIN_LOCAL)
			base = DIF_WIN_STATIC, len = vm->static_size, host = vm->statics;
		else
			base = DIF_WIN_LOCAL, len = vm->local_size, host = run->ctx->locals;
		break;
	case 0x3:
		base = DIF_WIN_DYNAMIC, len = (uint64_t)vm->nchunks * vm->chunk;
		host = vm->dyn;
		break;
	default:
		base = DIF_WIN_ENV, len = (uint64_t)DIF_ENV_NSLOTS * vm->strsize;
		host = (const uint8_t *)run->ctx->env;
		break;
	}
	if (addr - base >= len)
		return NULL;
	*avail = len - (addr - base);
	return host + (addr - base);
}

bool dif_canstore(struct dif_run *run, uint64_t addr, uint64_t size)
{
	struct dif_vm *vm = run->vm;
	if (in_range(addr, size, run->scratch_base,
	             run->scratch_limit - run->scratch_base))
		return true;
	if (in_range(addr, size, DIF_WIN_STATIC,
	             __atomic_load_n(&vm->static_used, __ATOMIC_RELAXED)))
		return true;
	if (in_range(addr, size, DIF_WIN_LOCAL,
	             __atomic_load_n(&vm->local_used, __ATOMIC_RELAXED)))
		return true;
	uint64_t lo, len;
	if (dyn_value_range(vm, addr, &lo, &len))
		return in_range(addr, size, lo, len);
	return false;
}

uint8_t *dif_store_ptr(struct dif_run *run, uint64_t addr, uint64_t size)
{
	if (!dif_canstore(run, addr, size))
		return NULL;
	return dif_vm_ptr(run, addr, size);
}

/* Readable region an unprivileged consumer may load from, with the bytes
 * remaining to its end. */
static bool loadable_region(struct dif_run *run, uint64_t addr,
                            uint64_t *remain)
{
	struct dif_vm *vm = run->vm;
	uint64_t lo, len;
	if (addr - run->scratch_base < run->scratch_limit - run->scratch_base) {
		*remain = run->scratch_limit - addr;
		return true;
	}
	uint64_t su = __atomic_load_n(&vm->static_used, __ATOMIC_RELAXED);
	if (addr - DIF_WIN_STATIC < su) {
		*remain = su - (addr - DIF_WIN_STATIC);
		return true;
	}
	uint64_t lu = __atomic_load_n(&vm->local_used, __ATOMIC_RELAXED);
	if (addr - DIF_WIN_LOCAL < lu) {
		*remain = lu - (addr - DIF_WIN_LOCAL);
		return true;
	}
	if (dyn_value_range(vm, addr, &lo, &len)) {
		if (addr - lo < len) {
			*remain = len - (addr - lo);
			return true;
		}
		return false;
	}
	if (run->prog && addr - DIF_WIN_STRTAB < run->prog->strlen) {
		*remain = run->prog->strlen - (addr - DIF_WIN_STRTAB);
		return true;
	}
	/* Loadable host regions stand for the current thread's own
	 * structures: DTrace grants them only with proc privilege
	 * (emulator-facts.md 3). */
	if (!(run->deny & DIF_DENY_PROC)) {
		const struct dif_region *r =
			dif_region_find(vm, DIF_AS_KERNEL, addr, 1);
		if (r && (r->flags & DIF_REGION_CANLOAD)) {
			*remain = r->size - (addr - r->addr);
			return true;
		}
	}
	return false;
}

bool dif_canload_rem(struct dif_run *run, uint64_t addr, uint64_t size,
                     uint64_t *remain)
{
	uint64_t rem;
	if (!(run->deny & DIF_DENY_KERNEL)) {
		/* Everything is loadable; the remaining size is what was asked. */
		if (remain)
			*remain = size;
		return true;
	}
	if (loadable_region(run, addr, &rem) && size <= rem) {
		if (remain)
			*remain = rem;
		return true;
	}
	dif_fault(run, DIF_FAULT_KPRIV, addr);
	return false;
}

bool dif_canload(struct dif_run *run, uint64_t addr, uint64_t size)
{
	return dif_canload_rem(run, addr, size, NULL);
}

bool dif_strcanload(struct dif_run *run, uint64_t addr, uint64_t bound,
                    uint64_t *len)
{
	uint64_t rem;
	if (!(run->deny & DIF_DENY_KERNEL)) {
		if (len) {
			uint64_t n = dif_strnlen(run, addr, bound);
			if (run->fbits)
				return false;
			*len = n;
		}
		return true;
	}
	if (!dif_canload_rem(run, addr, 0, &rem))
		return false;
	uint64_t n = dif_strnlen(run, addr, bound < rem ? bound : rem);
	if (run->fbits)
		return false;
	if (n >= rem) /* 1 + n > rem: no NUL inside the region */
		return false;
	if (len)
		*len = n;
	return true;
}

bool dif_vcanload(struct dif_run *run, uint64_t addr, uint64_t size,
                  bool string)
{
	if (!(run->deny & DIF_DENY_KERNEL))
		return true;
	if (string)
		return dif_strcanload(run, addr, run->strsize, NULL);
	return dif_canload(run, addr, size);
}

int dif_mem_read(struct dif_run *run, enum dif_as as, uint64_t addr,
                 void *buf, size_t len)
{
	struct dif_vm *vm = run->vm;
	if (len == 0)
		return 0;
	if (as == DIF_AS_KERNEL && addr >= DIF_WIN_STRTAB && addr < DIF_WIN_END) {
		const uint8_t *p = dif_vm_ptr(run, addr, len);
		if (!p)
			return DIF_FAULT_BADADDR;
		memmove(buf, p, len); /* COPYS may overlap inside the window */
		return 0;
	}
	if (addr + len < addr || (unsigned)as > DIF_AS_USER)
		return DIF_FAULT_BADADDR;
	/* Any overlap with a toxic range faults. */
	if (dif_toxic_overlap(vm, as, addr, len))
		return DIF_FAULT_BADADDR;
	const struct dif_region *hit = dif_region_find(vm, as, addr, len);
	if (hit) {
		memcpy(buf, (const uint8_t *)hit->bytes + (addr - hit->addr), len);
		return 0;
	}
	if (vm->host.read) {
		int rc = vm->host.read(vm->host.ud, as, addr, buf, len);
		if (rc == 0)
			return 0;
		return rc == DIF_HOST_DEFAULT ? DIF_FAULT_BADADDR
		                              : dif_host_rc(run, rc);
	}
	return DIF_FAULT_BADADDR;
}

void dif_copy_faulted(struct dif_run *run, uint64_t src, uint64_t dst,
                      uint8_t *out, uint64_t n)
{
	bool fwd = dst <= src, faulted = false;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t off = fwd ? k : n - 1 - k;
		uint8_t b = 0;
		/* live memory in copy order: the loop never reads a byte it
		 * has already stored */
		if (!faulted &&
		    dif_mem_read(run, DIF_AS_KERNEL, src + off, &b, 1) != 0) {
			faulted = true;
			b = 0;
		}
		out[off] = faulted ? 0 : b;
	}
}

uint64_t dif_load_bad(struct dif_run *run, enum dif_as as, uint64_t addr,
                      size_t len)
{
	const struct dif_vm *vm = run->vm;
	uint8_t c;
	uint64_t end = addr + (len ? len : 1);
	for (size_t i = 0; i < vm->nregions; i++) {
		const struct dif_region *r = &vm->regions[i];
		if (r->as == (uint32_t)as && (r->flags & DIF_REGION_TOXIC) &&
		    addr < r->addr + r->size && r->addr < end)
			return addr;
	}
	for (size_t k = 0; k < len; k++)
		if (dif_mem_read(run, as, addr + k, &c, 1))
			return addr + k;
	return addr;
}

bool dif_load(struct dif_run *run, enum dif_as as, uint64_t addr, void *buf,
              size_t len)
{
	int rc = dif_mem_read(run, as, addr, buf, len);
	if (rc) {
		memset(buf, 0, len);
		dif_fault(run, rc, addr);
		return false;
	}
	return true;
}

bool dif_user_write(struct dif_run *run, uint64_t addr, const void *buf,
                    size_t len)
{
	struct dif_vm *vm = run->vm;
	int rc = DIF_FAULT_BADADDR;
	if (vm->host.write)
		rc = vm->host.write(vm->host.ud, addr, buf, len);
	if (rc == DIF_HOST_DEFAULT)
		rc = DIF_FAULT_BADADDR;
	if (rc) {
		dif_fault(run, dif_host_rc(run, rc), addr);
		return false;
	}
	return true;
}

uint64_t dif_strnlen(struct dif_run *run, uint64_t addr, uint64_t bound)
{
	int rc;
	uint64_t n = dif_strnlen_rc(run, addr, bound, &rc);
	if (!rc)
		return n;
	dif_fault(run, rc, addr + n);
	return bound;
}

uint64_t dif_strnlen_rc(struct dif_run *run, uint64_t addr, uint64_t bound,
                        int *rc)
{
	*rc = 0;
	/* Fast path: the whole bound inside VM memory. */
	if (addr >= DIF_WIN_STRTAB && addr < DIF_WIN_END) {
		uint64_t n = 0;
		while (n < bound) {
			const uint8_t *p = dif_vm_ptr(run, addr + n, 1);
			if (!p) {
				*rc = DIF_FAULT_BADADDR;
				return n;
			}
			/* Bytes available contiguously from p. */
			uint64_t chunk = bound - n;
			if (chunk > 64)
				chunk = 64;
			while (chunk > 1 && !dif_vm_ptr(run, addr + n, chunk))
				chunk /= 2;
			const uint8_t *z = memchr(p, 0, chunk);
			if (z)
				return n + (uint64_t)(z - p);
			n += chunk;
		}
		return bound;
	}
	for (uint64_t n = 0; n < bound; n++) {
		uint8_t c;
		*rc = dif_mem_read(run, DIF_AS_KERNEL, addr + n, &c, 1);
		if (*rc)
			return n;
		if (c == 0)
			return n;
	}
	return bound;
}

uint64_t dif_scratch_alloc(struct dif_run *run, uint64_t size, bool zero)
{
	uint64_t ptr = run->scratch_ptr;
	uint64_t p = (ptr + 7) & ~(uint64_t)7;
	uint64_t total = (p - ptr) + size;
	if (total < size || total > run->scratch_limit - ptr) {
		dif_fault(run, DIF_FAULT_NOSCRATCH, 0);
		return 0;
	}
	if (zero)
		memset(dif_scratch_host(run, ptr), 0, total);
	run->scratch_ptr = ptr + total;
	return p;
}

uint64_t dif_scratch_buf(struct dif_run *run, uint64_t size, uint8_t **host)
{
	uint64_t ptr = run->scratch_ptr;
	if (size > run->scratch_limit - ptr) {
		dif_fault(run, DIF_FAULT_NOSCRATCH, 0);
		if (host)
			*host = NULL;
		return 0;
	}
	run->scratch_ptr = ptr + size;
	if (host)
		*host = dif_scratch_host(run, ptr);
	return ptr;
}
