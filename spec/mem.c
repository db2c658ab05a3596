/*
 * The model's memory: the VM window (string table, scratch, statics,
 * dynamic variables, built-in strings; docs/conventions.md 1), host regions
 * (readable, canload, toxic), and the access predicates of dif-isa.md 4.3.
 * Everything here except mem_write/mem_wptr is a pure function of the state
 * (vm_obj zeroes the scratch on its first access: it reads as zeros).
 */
#include <string.h>

#include "model.h"

uint64_t rup8(uint64_t x)
{
	return (x + 7) & ~(uint64_t)7;
}

/* DTRACE_INRANGE: overflow safe, addr strictly inside, size 0 allowed. */
bool in_range(uint64_t addr, uint64_t size, uint64_t base, uint64_t len)
{
	return addr - base < len && size <= len - (addr - base);
}

/* The user range check of DTrace's user loads and copies: [a, +n) must
 * lie below the top of user space (dif-isa.md 2.4 "fuword range check",
 * emulator-facts.md 4). */
bool urange_bad(uint64_t a, uint64_t n)
{
	return a + n < a || a + n > DC_USER_TOP;
}

bool kernel_priv(const struct state *s)
{
	return !(s->deny & DENY_KERNEL);
}

static const struct dynel *dyn_at(const struct state *s, uint64_t addr)
{
	for (uint32_t i = 0; i < s->ndyn; i++)
		if (addr - s->dyn[i].data < s->dyn[i].dsize)
			return &s->dyn[i];
	return NULL;
}

/* Object of VM memory holding addr: host pointer and bytes to its end. */
static bool vm_obj(const struct state *s, uint64_t addr, uint8_t **p,
                   uint64_t *rem)
{
	const struct dc_case *c = s->c;
	if (addr - DC_VA_STRTAB < c->strlen) {
		*p = (uint8_t *)c->strtab + (addr - DC_VA_STRTAB);
		*rem = c->strlen - (addr - DC_VA_STRTAB);
		return true;
	}
	if (addr - DC_VA_SCRATCH < s->scratch_size) {
		if (!s->scratch[s->scratch_size]) {
			/* first access: scratch starts zeroed */
			memset(s->scratch, 0, s->scratch_size);
			s->scratch[s->scratch_size] = 1;
		}
		*p = s->scratch + (addr - DC_VA_SCRATCH);
		*rem = s->scratch_size - (addr - DC_VA_SCRATCH);
		return true;
	}
	if (addr - DC_VA_STATIC < s->statsize) {
		*p = s->statmem + (addr - DC_VA_STATIC);
		*rem = s->statsize - (addr - DC_VA_STATIC);
		return true;
	}
	const struct dynel *d = dyn_at(s, addr);
	if (d) {
		*p = d->mem + (addr - d->data);
		*rem = d->dsize - (addr - d->data);
		return true;
	}
	if (addr - DC_VA_ENVSTR < s->envsize) {
		*p = s->env + (addr - DC_VA_ENVSTR);
		*rem = s->envsize - (addr - DC_VA_ENVSTR);
		return true;
	}
	return false;
}

static bool toxic_overlap(const struct state *s, uint32_t as, uint64_t addr,
                          uint64_t len)
{
	const struct dc_case *c = s->c;
	uint64_t end = addr + (len ? len : 1);
	for (uint32_t i = 0; i < c->nregions; i++) {
		const struct dc_region *r = &c->regions[i];
		if (r->as == as && (r->flags & 2) && addr < r->addr + r->size &&
		    r->addr < end)
			return true;
	}
	return false;
}

bool toxic(const struct state *s, uint64_t addr, uint64_t len)
{
	return toxic_overlap(s, 0, addr, len);
}

/* Object holding addr in address space as (0 kernel, 1 user). */
static bool obj(const struct state *s, uint32_t as, uint64_t addr,
                uint8_t **p, uint64_t *rem)
{
	const struct dc_case *c = s->c;
	if (as == 0 && addr >= DC_VA_STRTAB && addr < DC_VA_END)
		return vm_obj(s, addr, p, rem);
	if (toxic_overlap(s, as, addr, 1))
		return false;
	for (uint32_t i = 0; i < c->nregions; i++) {
		const struct dc_region *r = &c->regions[i];
		if (r->as == as && !(r->flags & 2) && r->bytes &&
		    addr - r->addr < r->size) {
			*p = r->bytes + (addr - r->addr);
			*rem = r->size - (addr - r->addr);
			/* stop before the next toxic range */
			for (uint32_t t = 0; t < c->nregions; t++) {
				const struct dc_region *x = &c->regions[t];
				if (x->as == as && (x->flags & 2) && x->addr > addr &&
				    x->addr - addr < *rem)
					*rem = x->addr - addr;
			}
			return true;
		}
	}
	/* memory the host's read callback serves (never loadable) */
	for (uint32_t i = 0; i < c->nhreads && i < DC_MAX_HREADS; i++) {
		const struct dc_hread *h = &c->hreads[i];
		if (h->as == as && addr - h->addr < h->size) {
			*p = h->bytes + (addr - h->addr);
			*rem = h->size - (addr - h->addr);
			return true;
		}
	}
	return false;
}

const uint8_t *mem_ptr(const struct state *s, uint32_t as, uint64_t addr,
                       uint64_t len, uint64_t *bad)
{
	uint8_t *p;
	uint64_t rem;
	*bad = addr;
	if (addr + len < addr)
		return NULL;
	if (!(as == 0 && addr >= DC_VA_STRTAB && addr < DC_VA_END) &&
	    toxic_overlap(s, as, addr, len))
		return NULL;
	if (!obj(s, as, addr, &p, &rem) || len > rem)
		return NULL;
	return p;
}

bool mem_readable(const struct state *s, uint32_t as, uint64_t addr,
                  uint64_t len, uint64_t *bad)
{
	return mem_ptr(s, as, addr, len, bad) != NULL;
}

/* The illegal address of a load of [addr, +len) that cannot be done: the
 * load address when it touches a toxic range (dif-isa.md 2.4), else the
 * first unreadable byte, as a page fault reports it (emulator-facts.md 4). */
uint64_t load_bad(const struct state *s, uint32_t as, uint64_t addr,
                  uint64_t len)
{
	uint64_t bad;
	if (toxic_overlap(s, as, addr, len))
		return addr;
	for (uint64_t k = 0; k < len; k++)
		if (!mem_ptr(s, as, addr + k, 1, &bad))
			return addr + k;
	return addr;
}

/* dtrace_bcopy loads byte by byte in copy order; once one load faults
 * every later load of the loop reads 0, and the loop goes on storing
 * (emulator-facts.md 4). */
uint64_t copy_zeroed(const struct state *s, uint64_t dst, uint64_t src,
                     uint64_t n)
{
	uint64_t bad;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t off = dst <= src ? k : n - 1 - k;
		if (!mem_ptr(s, 0, src + off, 1, &bad))
			return n - k;
	}
	return 0;
}

bool canstore(const struct state *s, uint64_t addr, uint64_t size)
{
	if (in_range(addr, size, DC_VA_SCRATCH, s->scratch_size))
		return true;
	if (in_range(addr, size, DC_VA_STATIC, s->statsize))
		return true;
	const struct dynel *d = dyn_at(s, addr);
	return d && in_range(addr, size, d->data, d->dsize);
}

bool canload(const struct state *s, uint64_t addr, uint64_t size,
             uint64_t *remain)
{
	uint64_t rem = 0;
	uint8_t *p;
	if (kernel_priv(s)) {
		if (remain)
			*remain = UINT64_MAX;
		return true;
	}
	bool found = false;
	if (addr >= DC_VA_STRTAB && addr < DC_VA_END) {
		/* scratch, statics, dynamic data, string table (not env strings:
		 * unprivileged consumers get copies of those) */
		if (addr - DC_VA_ENVSTR >= s->envsize || s->envsize == 0)
			found = vm_obj(s, addr, &p, &rem);
	} else if (!(s->deny & DENY_PROC)) {
		/* host "loadable" regions stand for the thread's own
		 * structures: readable only with proc privilege
		 * (emulator-facts.md 3) */
		const struct dc_case *c = s->c;
		for (uint32_t i = 0; i < c->nregions && !found; i++) {
			const struct dc_region *r = &c->regions[i];
			if (r->as == 0 && (r->flags & 1) && !(r->flags & 2) &&
			    addr - r->addr < r->size) {
				rem = r->size - (addr - r->addr);
				found = true;
			}
		}
	}
	if (!found || size > rem)
		return false;
	if (remain)
		*remain = rem;
	return true;
}

void str_check(const struct state *s, uint64_t addr, uint64_t bound,
               struct strres *o)
{
	uint64_t rem;
	uint8_t *p;
	memset(o, 0, sizeof(*o));
	if (!kernel_priv(s)) {
		if (!canload(s, addr, 0, &rem)) {
			o->cls = STR_KPRIV;
			o->bad = addr;
			return;
		}
		o->rem = rem;
		o->lim = bound < rem ? bound : rem;
		/* scan inside the region; a toxic byte before the NUL faults */
		uint64_t n = 0, orem;
		const uint8_t *z = NULL;
		while (n < o->lim && !z) {
			if (!obj(s, 0, addr + n, &p, &orem)) {
				o->cls = STR_BADADDR;
				o->bad = addr + n;
				return;
			}
			if (n == 0)
				o->p = p;
			uint64_t k = o->lim - n < orem ? o->lim - n : orem;
			z = memchr(p, 0, k);
			n = z ? n + (uint64_t)(z - p) : n + k;
		}
		o->len = n;
		if (o->lim == 0)
			o->p = (const uint8_t *)"";
		/* 1 + strnlen must fit in the region, else the check fails
		 * without a fault */
		o->cls = o->len >= rem ? STR_SILENT : STR_OK;
		return;
	}
	o->lim = bound;
	if (bound == 0) {
		o->cls = STR_OK;
		o->p = (const uint8_t *)"";
		return;
	}
	if (!obj(s, 0, addr, &p, &rem)) {
		o->cls = STR_BADADDR;
		o->bad = addr;
		return;
	}
	uint64_t n = bound < rem ? bound : rem;
	const uint8_t *z = memchr(p, 0, n);
	o->p = p;
	if (z) {
		o->len = (uint64_t)(z - p);
	} else if (n == bound) {
		o->len = bound;
	} else {
		/* ran off the end of readable memory */
		o->cls = STR_BADADDR;
		o->bad = addr + n;
		return;
	}
	o->cls = STR_OK;
}

bool safe_strnlen(const struct state *s, uint64_t addr, uint64_t bound,
                  uint64_t *len, uint64_t *bad)
{
	uint64_t n = 0;
	while (n < bound) {
		uint8_t *p;
		uint64_t rem;
		if (!obj(s, 0, addr + n, &p, &rem)) {
			*bad = addr + n;
			return false;
		}
		uint64_t k = bound - n < rem ? bound - n : rem;
		const uint8_t *z = memchr(p, 0, k);
		if (z) {
			*len = n + (uint64_t)(z - p);
			return true;
		}
		n += k;
	}
	*len = bound;
	return true;
}

uint64_t scratch_addr(const struct state *s)
{
	return DC_VA_SCRATCH + s->sptr;
}

bool scratch_fits(const struct state *s, uint64_t size)
{
	return size <= s->scratch_size - s->sptr;
}

bool scratch_alloc(const struct state *s, uint64_t size, uint64_t *p,
                   uint64_t *total)
{
	uint64_t ptr = scratch_addr(s);
	uint64_t a = (ptr + 7) & ~(uint64_t)7;
	uint64_t t = (a - ptr) + size;
	if (t < size || t > s->scratch_size - s->sptr)
		return false;
	*p = a;
	*total = t;
	return true;
}

uint8_t *mem_wptr(struct state *s, uint64_t addr, uint64_t len)
{
	uint8_t *p;
	uint64_t rem;
	if (!canstore(s, addr, len) || !vm_obj(s, addr, &p, &rem))
		return NULL;
	if (len > rem)
		return NULL;
	return p;
}

void mem_write(struct state *s, uint64_t addr, const uint8_t *src,
               uint64_t len)
{
	uint8_t *p = mem_wptr(s, addr, len);
	if (p)
		memmove(p, src, len);
}
