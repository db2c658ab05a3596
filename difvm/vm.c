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
#define WIN_SPAN 0x0000800000000000ull /* each window's addressable span */

static uint64_t round8(uint64_t v)
{
	return (v + 7) & ~(uint64_t)7;
}

int dif_vm_create(const struct dif_vm_opts *opts, struct dif_vm **out,
                  struct dif_errors *errs)
{
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
	if (shift > WIN_SPAN / 4) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
		         "layout_shift exceeds its limit (2^45)");
		return DIF_E_LIMIT;
	}
	statics += shift;
	locals += shift;
	if (strsize > MAX_STRSIZE || scratch > WIN_SPAN || statics > WIN_SPAN ||
	    locals > WIN_SPAN || dynvar > WIN_SPAN) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
		         "a size option exceeds its limit (strsize <= %u, areas <= 2^47)",
		         MAX_STRSIZE);
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

	struct dif_vm *vm = calloc(1, sizeof(*vm));
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
	free(vm->regions);
	free(vm->statics);
	free(vm->vars);
	free(vm->dyn);
	free(vm->chunks);
	free(vm->buckets);
	dif_vstate_free(vm->vstate);
	free(vm);
}

void dif_vm_get_stats(const struct dif_vm *vm, struct dif_vm_stats *out)
{
	struct dif_vm *v = (struct dif_vm *)vm;
	dif_vm_lock(v);
	out->dynvar_drops = vm->drops;
	out->dynvar_used = vm->dyn_used;
	dif_vm_unlock(v);
}

/* ---------------------------------------------------------------------
 * Variable registry (load time only, under the VM lock).
 */

/* Type of (scope, id) as this DIFO declares it; by-value 8 bytes when the
 * DIFO references an id it does not declare (the validator allows it). */
static void declared_type(const struct dif_difo *d, unsigned scope,
                          unsigned id, unsigned kind, struct dif_vmvar *v)
{
	memset(v, 0, sizeof(*v));
	v->id = id;
	v->scope = (uint8_t)scope;
	v->kind = (uint8_t)kind;
	v->size = 8;
	for (uint32_t i = 0; i < d->varlen; i++) {
		const struct dif_var *dv = &d->vartab[i];
		if (dv->id == id && dv->scope == scope) {
			v->kind = dv->kind;
			v->flags = dv->type.flags;
			v->tkind = dv->type.kind;
			v->size = dv->type.size;
			if ((v->flags & DIF_TF_BYREF) && v->tkind == DIF_TYPE_STRING &&
			    v->size == 0)
				v->size = DIF_STRSIZE_DEFAULT;
			if (!(v->flags & DIF_TF_BYREF))
				v->size = 8;
			return;
		}
	}
}

int dif_var_resolve(struct dif_vm *vm, struct dif_prog *prog,
                    const struct dif_difo *d, unsigned scope, unsigned id,
                    unsigned kind, uint32_t *slot, struct dif_errors *errs)
{
	for (uint32_t i = 0; i < prog->nslots; i++)
		if (prog->slots[i].id == id && prog->slots[i].scope == scope &&
		    prog->slots[i].kind == kind) {
			*slot = i;
			return 0;
		}
	struct dif_vmvar want;
	declared_type(d, scope, id, kind, &want);
	want.kind = (uint8_t)kind; /* the instruction decides the kind */
	bool byref = want.flags & DIF_TF_BYREF;
	struct dif_vmvar *reg = NULL;
	for (size_t i = 0; i < vm->nvars; i++)
		if (vm->vars[i].id == id && vm->vars[i].scope == scope &&
		    vm->vars[i].kind == kind) {
			reg = &vm->vars[i];
			break;
		}
	if (reg && (reg->flags != want.flags || reg->size != want.size)) {
		dif_errf(errs, DIF_E_VAR_CHG_SIZE, DIF_NO_PC, d->name, NULL,
		         "%s: variable %u (scope %u) is registered in this VM with "
		         "another type", d->name, id, scope);
		return DIF_E_VAR_CHG_SIZE;
	}
	if (!reg) {
		if (vm->nvars == vm->capvars) {
			size_t cap = vm->capvars ? vm->capvars * 2 : 16;
			struct dif_vmvar *nv = realloc(vm->vars, cap * sizeof(*nv));
			if (!nv)
				goto nomem;
			vm->vars = nv;
			vm->capvars = cap;
		}
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
		vm->nvars++;
	}
	struct dif_varslot *ns = realloc(prog->slots,
	                                 (prog->nslots + 1) * sizeof(*ns));
	if (!ns)
		goto nomem;
	prog->slots = ns;
	struct dif_varslot *s = &ns[prog->nslots];
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
	*out = NULL;
	if (!vm || !difo) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "dif_prog_load: NULL vm or difo");
		return DIF_E_INVAL;
	}
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
	dif_vm_unlock(vm);
	if (rc) {
		dif_prog_free(p);
		return rc;
	}
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
	free(prog->insns);
	free(prog->strtab);
	free(prog->slots);
	free(prog->name);
	free(prog);
}
