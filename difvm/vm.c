/*
 * VM objects: creation with all storage sized up front, program loading
 * (validation, LDxx rewrite, variable registration, pre-decoding).
 */
#include <stdlib.h>
#include <string.h>

#include "exec.h"

static const char *const fault_names[] = {
	"NONE", "BADADDR", "BADALIGN", "ILLOP", "DIVZERO",
	"NOSCRATCH", "KPRIV", "UPRIV", "TUPOFLOW", "BADSTACK",
};
static const char *const fault_texts[] = {
	"unknown fault", "invalid address", "invalid alignment",
	"illegal operation", "divide-by-zero", "out of scratch space",
	"invalid kernel access", "invalid user access", "tuple stack overflow",
	"bad stack",
};

const char *dif_fault_name(int code)
{
	if (code >= 0 && code <= DIF_FAULT_BADSTACK)
		return fault_names[code];
	return "UNKNOWN";
}

const char *dif_fault_text(int code)
{
	if (code >= 0 && code <= DIF_FAULT_BADSTACK)
		return fault_texts[code];
	return "unknown fault";
}

#define DEF_SCRATCH (64u * 1024u)
#define DEF_DYNVAR (1024u * 1024u)
#define DEF_STATIC (1024u * 1024u)
#define DEF_LOCAL (64u * 1024u)
#define MAX_STRSIZE (1u << 20)
/* Each storage area is allocated up front; past these a size is surely a
 * mistake (docs/limits.md). */
#define MAX_AREA (1ull << 30)
#define MAX_REGIONS 65536u

static uint64_t round8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

static int region_cmp(const void *a, const void *b)
{
	const struct dif_region *x = *(const struct dif_region *const *)a;
	const struct dif_region *y = *(const struct dif_region *const *)b;
	if (x->as != y->as)
		return x->as < y->as ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The sorted views of vm->regions (exec.h, struct dif_rindex). */
static int build_rindex(struct dif_vm *vm)
{
	for (unsigned as = 0; as < 2; as++) {
		for (int tox = 0; tox < 2; tox++) {
			struct dif_rindex *x = tox ? &vm->toxic[as] : &vm->readable[as];
			size_t n = 0;
			for (size_t i = 0; i < vm->nregions; i++)
				n += vm->regions[i].as == as &&
				     !(vm->regions[i].flags & DIF_REGION_TOXIC) == !tox;
			if (!n)
				continue;
			x->r = malloc(n * sizeof(*x->r));
			if (tox)
				x->maxend = malloc(n * sizeof(*x->maxend));
			if (!x->r || (tox && !x->maxend))
				return -1;
			for (size_t i = 0; i < vm->nregions; i++)
				if (vm->regions[i].as == as &&
				    !(vm->regions[i].flags & DIF_REGION_TOXIC) == !tox)
					x->r[x->n++] = &vm->regions[i];
			qsort(x->r, n, sizeof(*x->r), region_cmp);
			for (size_t i = 0; tox && i < n; i++) {
				uint64_t end = x->r[i]->addr + x->r[i]->size;
				x->maxend[i] = i && x->maxend[i - 1] > end ? x->maxend[i - 1]
				                                            : end;
			}
		}
	}
	return 0;
}

/* Readable regions of one address space must not overlap: the same byte
 * would read differently depending on the access width. Toxic ranges may
 * overlap anything (they punch holes). Sorted, so O(n log n). Returns the
 * index pair that overlaps, or 0. */
static int regions_overlap(const struct dif_region *r, size_t n, size_t *a,
                           size_t *b, int *nomem)
{
	const struct dif_region **v = malloc((n ? n : 1) * sizeof(*v));
	if (!v) {
		*nomem = 1;
		return 0;
	}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!(r[i].flags & DIF_REGION_TOXIC))
			v[m++] = &r[i];
	qsort(v, m, sizeof(*v), region_cmp);
	int hit = 0;
	for (size_t i = 1; i < m && !hit; i++)
		if (v[i]->as == v[i - 1]->as &&
		    v[i]->addr - v[i - 1]->addr < v[i - 1]->size) {
			*a = (size_t)(v[i - 1] - r);
			*b = (size_t)(v[i] - r);
			hit = 1;
		}
	free(v);
	return hit;
}

int dif_vm_create(const struct dif_vm_opts *opts, struct dif_vm **out,
                  struct dif_errors *errs)
{
	if (!out) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "dif_vm_create: out is NULL");
		return DIF_E_INVAL;
	}
	*out = NULL;
	if (opts && opts->size < offsetof(struct dif_vm_opts, profile)) {
		dif_errf(errs, DIF_E_OPTS, DIF_NO_PC, NULL, NULL,
		         "dif_vm_opts.size is too small");
		return DIF_E_OPTS;
	}
	if (opts && opts->size > sizeof(*opts)) {
		/* A newer caller: unknown trailing fields must be zero. */
		const uint8_t *p = (const uint8_t *)opts;
		for (size_t i = sizeof(*opts); i < opts->size; i++)
			if (p[i]) {
				dif_errf(errs, DIF_E_OPTS, DIF_NO_PC, NULL, NULL,
				         "unknown non-zero dif_vm_opts field at byte %zu", i);
				return DIF_E_OPTS;
			}
	}
	enum dif_profile profile = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	uint32_t strsize = DIF_OPT(opts, strsize, 0);
	uint64_t scratch = DIF_OPT(opts, scratch_size, 0);
	uint64_t dynvar = DIF_OPT(opts, dynvar_size, 0);
	uint64_t statics = DIF_OPT(opts, static_size, 0);
	uint64_t locals = DIF_OPT(opts, local_size, 0);
	uint64_t shift = (DIF_OPT(opts, layout_shift, 0) + 7) & ~7ull;
	const struct dif_host *host = DIF_OPT(opts, host, NULL);
	const struct dif_region *regions = DIF_OPT(opts, regions, NULL);
	size_t nregions = DIF_OPT(opts, nregions, 0);

	if (profile != DIF_PROFILE_FREEBSD && profile != DIF_PROFILE_ILLUMOS) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "unknown profile %d", (int)profile);
		return DIF_E_INVAL;
	}
	strsize = strsize ? strsize : DIF_STRSIZE_DEFAULT;
	scratch = scratch ? scratch : DEF_SCRATCH;
	dynvar = dynvar ? dynvar : DEF_DYNVAR;
	statics = statics ? statics : DEF_STATIC;
	locals = locals ? locals : DEF_LOCAL;
	if (shift > MAX_AREA) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
		         "layout_shift exceeds its limit (%llu bytes)",
		         (unsigned long long)MAX_AREA);
		return DIF_E_LIMIT;
	}
	if (strsize > MAX_STRSIZE || scratch > MAX_AREA || statics > MAX_AREA ||
	    locals > MAX_AREA || dynvar > MAX_AREA) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
		         "a size option exceeds its limit (strsize <= %u, "
		         "scratch, dynvar, static and local sizes <= %llu)",
		         MAX_STRSIZE, (unsigned long long)MAX_AREA);
		return DIF_E_LIMIT;
	}
	/* The test-only shift moves static and local storage by reserving
	 * that many bytes in front of it. */
	statics += shift;
	locals += shift;
	if (nregions > MAX_REGIONS) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
		         "%zu regions (limit %u)", nregions, MAX_REGIONS);
		return DIF_E_LIMIT;
	}
	if (regions == NULL && nregions) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "nregions is %zu but regions is NULL", nregions);
		return DIF_E_INVAL;
	}
	for (size_t i = 0; i < nregions; i++) {
		const struct dif_region *r = &regions[i];
		uint64_t end = r->addr + r->size;
		if (r->size == 0 || end < r->addr || r->as > DIF_AS_USER ||
		    (!r->bytes && !(r->flags & DIF_REGION_TOXIC)) ||
		    (r->flags & ~(DIF_REGION_CANLOAD | DIF_REGION_TOXIC))) {
			dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
			         "region %zu is malformed (empty, wrapping, bad flags or "
			         "no bytes)", i);
			return DIF_E_INVAL;
		}
		if (r->as == DIF_AS_KERNEL && r->addr < DIF_WIN_END &&
		    end > DIF_WIN_STRTAB) {
			dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
			         "region %zu overlaps the VM window 0x%llx..0x%llx", i,
			         (unsigned long long)DIF_WIN_STRTAB,
			         (unsigned long long)DIF_WIN_END);
			return DIF_E_INVAL;
		}
	}

	size_t ra, rb;
	int oom = 0;
	if (nregions > 1 && regions_overlap(regions, nregions, &ra, &rb, &oom)) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "regions %zu (0x%llx) and %zu (0x%llx) overlap", ra,
		         (unsigned long long)regions[ra].addr, rb,
		         (unsigned long long)regions[rb].addr);
		return DIF_E_INVAL;
	}
	struct dif_vm *vm = NULL;
	if (oom)
		goto nomem;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		goto nomem;
	atomic_flag_clear(&vm->lock);
	vm->profile = profile;
	vm->strsize = strsize;
	vm->scratch_size = scratch;
	vm->deny = DIF_OPT(opts, deny, 0);
	vm->static_size = statics;
	vm->local_size = locals;
	vm->static_used = vm->local_used = shift;
	vm->dynvar_size = dynvar;
	atomic_init(&vm->seed, 0x9e3779b97f4a7c15ull);
	if (host) {
		size_t n = host->size < sizeof(vm->host) ? host->size : sizeof(vm->host);
		memcpy(&vm->host, host, n);
		vm->host.size = sizeof(vm->host);
		vm->has_host = true;
	}
	if (nregions) {
		vm->regions = malloc(nregions * sizeof(*vm->regions));
		if (!vm->regions)
			goto nomem;
		memcpy(vm->regions, regions, nregions * sizeof(*vm->regions));
		vm->nregions = nregions;
		if (build_rindex(vm))
			goto nomem;
	}
	vm->statics = calloc(1, statics);
	vm->vstate = dif_vstate_new();
	if (!vm->statics || !vm->vstate)
		goto nomem;

	/* Dynamic arena: fixed chunks (conventions.md 3). */
	vm->chunk = (uint32_t)(160 + 9 * round8(strsize));
	uint64_t n = dynvar / vm->chunk;
	if (n > (1u << 30))
		n = 1u << 30;
	vm->nchunks = (uint32_t)n;
	vm->nbuckets = 1;
	while (vm->nbuckets < vm->nchunks)
		vm->nbuckets <<= 1;
	if (vm->nchunks) {
		vm->dyn = calloc(vm->nchunks, vm->chunk);
		vm->chunks = calloc(vm->nchunks, sizeof(*vm->chunks));
		if (!vm->dyn || !vm->chunks)
			goto nomem;
	}
	vm->buckets = malloc(vm->nbuckets * sizeof(*vm->buckets));
	if (!vm->buckets)
		goto nomem;
	for (uint32_t i = 0; i < vm->nbuckets; i++)
		vm->buckets[i] = UINT32_MAX;
	/* chunks in order from `first` (0 unless the layout is shifted),
	 * wrapping around */
	uint32_t first = vm->nchunks ? (uint32_t)((shift / 8) % vm->nchunks) : 0;
	vm->freelist = vm->nchunks ? first : UINT32_MAX;
	for (uint32_t i = 0; i < vm->nchunks; i++) {
		uint32_t nx = i + 1 < vm->nchunks ? i + 1 : 0;
		vm->chunks[i].next = nx == first ? UINT32_MAX : nx;
	}
	*out = vm;
	return 0;
nomem:
	dif_vm_free(vm);
	dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL, "out of memory");
	return DIF_E_NOMEM;
}

void dif_vm_free(struct dif_vm *vm)
{
	if (!vm)
		return;
	/* Programs and contexts still alive are detached: they can only be
	 * freed now (their calls return DIF_E_INVAL). */
	for (struct dif_prog *p = vm->progs; p; p = p->vm_next)
		p->vm = NULL;
	for (struct dif_ctx *c = vm->ctxs; c; c = c->vm_next) {
		c->vm = NULL;
		c->run.vm = NULL;
		c->run.prog = NULL;
	}
	for (int as = 0; as < 2; as++) {
		free(vm->readable[as].r);
		free(vm->toxic[as].r);
		free(vm->toxic[as].maxend);
	}
	free(vm->regions);
	free(vm->statics);
	free(vm->vars);
	if (vm->varidx)
		dif_hm_free(vm->varidx);
	free(vm->varidx);
	free(vm->dyn);
	free(vm->chunks);
	free(vm->buckets);
	dif_vstate_free(vm->vstate);
	free(vm);
}

void dif_vm_get_stats(const struct dif_vm *vm, struct dif_vm_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!vm)
		return;
	struct dif_vm *v = (struct dif_vm *)vm;
	dif_vm_lock(v);
	out->dynvar_drops = vm->drops;
	out->dynvar_used = vm->dyn_used;
	dif_vm_unlock(v);
}

/* ---------------------------------------------------------------------
 * Variable registry (load time only, under the VM lock).
 */

/* Type of (scope, id) as this DIFO declares it (its first row); by-value
 * 8 bytes when the DIFO references an id it does not declare (the
 * validator allows it). */
static void declared_type(const struct dif_difo *d, const struct dif_hmap *decl,
                          unsigned scope, unsigned id, unsigned kind,
                          struct dif_vmvar *v)
{
	memset(v, 0, sizeof(*v));
	v->id = id;
	v->scope = (uint8_t)scope;
	v->kind = (uint8_t)kind;
	v->size = 8;
	uint32_t k[2] = { scope, id };
	const uint64_t *row = dif_hm_get(decl, k, sizeof(k));
	if (!row)
		return;
	const struct dif_var *dv = &d->vartab[*row];
	v->kind = dv->kind;
	v->flags = dv->type.flags;
	v->tkind = dv->type.kind;
	v->size = dv->type.size;
	if ((v->flags & DIF_TF_BYREF) && v->tkind == DIF_TYPE_STRING &&
	    v->size == 0)
		v->size = DIF_STRSIZE_DEFAULT;
	if (!(v->flags & DIF_TF_BYREF))
		v->size = 8;
}

/* The load-time indexes of prog (built on first use). 0 or -1 (memory). */
static int load_indexes(struct dif_vm *vm, struct dif_prog *prog,
                        const struct dif_difo *d)
{
	if (!vm->varidx && !(vm->varidx = calloc(1, sizeof(*vm->varidx))))
		return -1;
	if (prog->declidx)
		return 0;
	prog->slotidx = calloc(1, sizeof(*prog->slotidx));
	prog->declidx = calloc(1, sizeof(*prog->declidx));
	if (!prog->slotidx || !prog->declidx)
		return -1;
	for (uint32_t i = 0; i < d->varlen; i++) {
		uint32_t k[2] = { d->vartab[i].scope, d->vartab[i].id };
		if (!dif_hm_get(prog->declidx, k, sizeof(k)) &&
		    dif_hm_put(prog->declidx, k, sizeof(k), i))
			return -1;
	}
	return 0;
}

void dif_prog_drop_indexes(struct dif_prog *prog)
{
	for (int i = 0; i < 2; i++) {
		struct dif_hmap *m = i ? prog->slotidx : prog->declidx;
		if (m)
			dif_hm_free(m);
		free(m);
	}
	prog->slotidx = prog->declidx = NULL;
}

int dif_var_resolve(struct dif_vm *vm, struct dif_prog *prog,
                    const struct dif_difo *d, unsigned scope, unsigned id,
                    unsigned kind, uint32_t *slot, struct dif_errors *errs)
{
	if (load_indexes(vm, prog, d))
		goto nomem;
	uint32_t key[3] = { scope, id, kind };
	const uint64_t *hit = dif_hm_get(prog->slotidx, key, sizeof(key));
	if (hit) {
		*slot = *hit;
		return 0;
	}
	struct dif_vmvar want;
	declared_type(d, prog->declidx, scope, id, kind, &want);
	want.kind = (uint8_t)kind; /* the instruction decides the kind */
	bool byref = want.flags & DIF_TF_BYREF;
	struct dif_vmvar *reg = NULL;
	hit = dif_hm_get(vm->varidx, key, sizeof(key));
	if (hit)
		reg = &vm->vars[*hit];
	if (reg && (reg->flags != want.flags || reg->size != want.size)) {
		dif_errf(errs, DIF_E_VAR_CHG_SIZE, DIF_NO_PC, d->name, NULL,
		         "%s: variable %u (scope %u) is registered in this VM with "
		         "another type", d->name, id, scope);
		return DIF_E_VAR_CHG_SIZE;
	}
	if (!reg) {
		if (dif_grow(&vm->vars, &vm->capvars, vm->nvars, sizeof(*vm->vars)))
			goto nomem;
		if (vm->nvars >= UINT32_MAX)
			goto nomem;
		reg = &vm->vars[vm->nvars];
		*reg = want;
		/* Static storage for global and clause-local scalars. */
		if (kind == DIF_VKIND_SCALAR && scope != DIF_VSCOPE_THREAD) {
			uint64_t need = byref ? 8 + round8(want.size) : 8;
			uint64_t *used = scope == DIF_VSCOPE_GLOBAL ? &vm->static_used
			                                            : &vm->local_used;
			uint64_t cap = scope == DIF_VSCOPE_GLOBAL ? vm->static_size
			                                          : vm->local_size;
			if (need > cap - *used) {
				dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, d->name, NULL,
				         "%s: no room for variable %u in %s storage "
				         "(%llu of %llu bytes used)", d->name, id,
				         scope == DIF_VSCOPE_GLOBAL ? "global" : "clause-local",
				         (unsigned long long)*used, (unsigned long long)cap);
				return DIF_E_LIMIT;
			}
			reg->off = *used;
			__atomic_store_n(used, *used + need, __ATOMIC_RELEASE);
		}
		if (dif_hm_put(vm->varidx, key, sizeof(key), (uint32_t)vm->nvars))
			goto nomem;
		vm->nvars++;
	}
	if (dif_grow(&prog->slots, &prog->capslots, prog->nslots,
	             sizeof(*prog->slots)) ||
	    dif_hm_put(prog->slotidx, key, sizeof(key), prog->nslots))
		goto nomem;
	struct dif_varslot *s = &prog->slots[prog->nslots];
	s->id = id;
	s->scope = (uint8_t)scope;
	s->kind = (uint8_t)kind;
	s->byref = byref;
	s->string = reg->tkind == DIF_TYPE_STRING;
	s->size = reg->size;
	s->off = reg->off;
	*slot = prog->nslots++;
	return 0;
nomem:
	dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, d->name, NULL, "out of memory");
	return DIF_E_NOMEM;
}

/* ---------------------------------------------------------------------
 * Programs.
 */

int dif_prog_load(struct dif_vm *vm, const struct dif_difo *difo,
                  struct dif_prog **out, struct dif_errors *errs)
{
	if (!vm || !difo || !out) {
		if (out)
			*out = NULL;
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "dif_prog_load: NULL vm, difo or out");
		return DIF_E_INVAL;
	}
	*out = NULL;
	if (difo->textlen == 0) {
		dif_errf(errs, DIF_E_NO_TEXT, DIF_NO_PC, difo->name, NULL,
		         "%s: missing DIF text", difo->name);
		return DIF_E_NO_TEXT;
	}
	DIF_OPTS(dif_validate_opts, vo, .profile = vm->profile);
	dif_vm_lock(vm);
	int rc = dif_validate_with(difo, &vo, vm->vstate, errs);
	if (rc) {
		dif_vm_unlock(vm);
		return rc;
	}
	struct dif_prog *p = calloc(1, sizeof(*p));
	if (!p)
		goto nomem;
	p->vm = vm;
	p->ninsns = difo->textlen;
	p->rtype = difo->rtype;
	p->name = strdup(difo->name ? difo->name : "difo");
	p->insns = calloc(p->ninsns, sizeof(*p->insns));
	p->strlen = difo->strlen;
	p->strtab = malloc(difo->strlen ? difo->strlen : 1);
	uint32_t *text = malloc(p->ninsns * sizeof(*text));
	if (!p->name || !p->insns || !p->strtab || !text) {
		free(text);
		goto nomem;
	}
	if (difo->strlen)
		memcpy(p->strtab, difo->strtab, difo->strlen);
	if (difo->symlen) {
		/* poison reasons (DIF_RELOC_POISON) outlive the DIFO */
		p->symtab = malloc(difo->symlen);
		if (!p->symtab) {
			free(text);
			goto nomem;
		}
		memcpy(p->symtab, difo->symtab, difo->symlen);
	}
	memcpy(text, difo->text, p->ninsns * sizeof(*text));
	if (vm->deny & DIF_DENY_KERNEL) {
		/* No kernel-read visibility: every LDxx becomes RLDxx (2.4). */
		for (uint32_t i = 0; i < p->ninsns; i++) {
			unsigned op = DIF_I_OP(text[i]);
			if (op >= DIF_OPC_LDSB && op <= DIF_OPC_LDX)
				text[i] += (uint32_t)DIF_OPC_RLD_DELTA << 24;
		}
	}
	rc = dif_decode(p, difo, text, errs);
	free(text);
	dif_prog_drop_indexes(p);
	if (rc) {
		dif_vm_unlock(vm);
		dif_prog_free(p);
		return rc;
	}
	DIF_VMLIST_ADD(vm->progs, p);
	dif_vm_unlock(vm);
	*out = p;
	return 0;
nomem:
	dif_vm_unlock(vm);
	dif_prog_free(p);
	dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, difo->name, NULL, "out of memory");
	return DIF_E_NOMEM;
}

void dif_prog_free(struct dif_prog *prog)
{
	if (!prog)
		return;
	struct dif_vm *vm = prog->vm;
	if (vm && prog->linked) {
		dif_vm_lock(vm);
		DIF_VMLIST_DEL(vm->progs, prog);
		/* No context may keep reading its string table. */
		for (struct dif_ctx *c = vm->ctxs; c; c = c->vm_next)
			if (c->run.prog == prog)
				c->run.prog = NULL;
		dif_vm_unlock(vm);
	}
	dif_prog_drop_indexes(prog);
	free(prog->insns);
	free(prog->strtab);
	free(prog->symtab);
	free(prog->slots);
	free(prog->name);
	free(prog);
}
