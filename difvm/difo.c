/* DIFO construction from raw parts, and modules (named sets of DIFOs). */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "internal.h"

static void *dup_bytes(const void *src, size_t n)
{
	if (n == 0)
		return NULL;
	void *p = malloc(n);
	if (p)
		memcpy(p, src, n);
	return p;
}

/* Relocation records: symbol table NUL-terminated, offsets inside it,
 * kinds known, pcs inside the text and strictly increasing. */
static int check_relocs(const struct dif_difo_parts *p, const char *name,
                        struct dif_errors *errs)
{
	if (p->symlen && p->symtab[p->symlen - 1] != '\0') {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, name, NULL,
		         "difo '%s': symbol table does not end with NUL", name);
		return -1;
	}
	for (uint32_t i = 0; i < p->nrelocs; i++) {
		const struct dif_reloc *r = &p->relocs[i];
		const char *why = NULL;
		if (r->kind == DIF_RELOC_NONE || r->kind >= DIF_RELOC_NKINDS)
			why = "unknown kind";
		else if (r->flags)
			why = "reserved flags set";
		else if (r->pc >= p->textlen)
			why = "pc outside the text";
		else if (i > 0 && r->pc <= p->relocs[i - 1].pc)
			why = "records not sorted by pc (or two at one pc)";
		else if (r->type >= p->symlen || r->path >= p->symlen)
			why = "name offset outside the symbol table";
		if (why) {
			dif_errf(errs, DIF_E_INVAL, r->pc < p->textlen ? r->pc : DIF_NO_PC,
			         name, NULL, "difo '%s': relocation %u (kind %u, pc %u): %s",
			         name, i, r->kind, r->pc, why);
			return -1;
		}
	}
	return 0;
}

int dif_difo_create(const struct dif_difo_parts *parts, struct dif_difo **out,
                    struct dif_errors *errs)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if (!parts || parts->size < sizeof(size_t)) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "difo: missing parts or parts.size not set");
		return DIF_E_INVAL;
	}
	/* Read only the fields the caller's struct holds. */
	struct dif_difo_parts p;
	memset(&p, 0, sizeof(p));
	memcpy(&p, parts, parts->size < sizeof(p) ? parts->size : sizeof(p));
	if (parts->size > sizeof(p)) {
		const unsigned char *tail = (const unsigned char *)parts + sizeof(p);
		for (size_t i = 0; i < parts->size - sizeof(p); i++)
			if (tail[i]) {
				dif_errf(errs, DIF_E_OPTS, DIF_NO_PC, p.name, NULL,
				         "difo: unknown non-zero fields in parts");
				return DIF_E_OPTS;
			}
	}
	const char *name = p.name ? p.name : "difo";

	if ((p.textlen && !p.text) || (p.intlen && !p.inttab) ||
	    (p.strlen && !p.strtab) || (p.varlen && !p.vartab) ||
	    (p.symlen && !p.symtab) || (p.nrelocs && !p.relocs)) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, name, NULL,
		         "difo '%s': a table has a length but no data", name);
		return DIF_E_INVAL;
	}
	if (p.intlen > DIF_INTOFF_MAX + 1u) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, name, NULL,
		         "difo '%s': integer table has %u entries (limit %u)",
		         name, p.intlen, DIF_INTOFF_MAX + 1u);
		return DIF_E_LIMIT;
	}
	uint64_t total = (uint64_t)p.textlen * 4 + (uint64_t)p.intlen * 8 +
	                 p.strlen + (uint64_t)p.varlen * 20 + p.symlen +
	                 (uint64_t)p.nrelocs * 16;
	if (total > DIF_DIFO_MAXSIZE) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, name, NULL,
		         "difo '%s': text and tables take %llu bytes (limit %u)",
		         name, (unsigned long long)total, DIF_DIFO_MAXSIZE);
		return DIF_E_LIMIT;
	}
	if (p.strlen && p.strtab[p.strlen - 1] != '\0') {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, name, NULL,
		         "difo '%s': string table does not end with NUL", name);
		return DIF_E_INVAL;
	}
	if (check_relocs(&p, name, errs))
		return DIF_E_INVAL;
	if (strlen(name) >= 64) {
		dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
		         "difo name '%.32s...' is longer than 63 bytes", name);
		return DIF_E_LIMIT;
	}

	struct dif_difo *d = calloc(1, sizeof(*d));
	if (!d)
		goto nomem;
	d->name = strdup(name);
	d->text = dup_bytes(p.text, (size_t)p.textlen * 4);
	d->inttab = dup_bytes(p.inttab, (size_t)p.intlen * 8);
	d->strtab = dup_bytes(p.strtab, p.strlen);
	d->vartab = dup_bytes(p.vartab, (size_t)p.varlen * sizeof(struct dif_var));
	d->symtab = dup_bytes(p.symtab, p.symlen);
	d->relocs = dup_bytes(p.relocs, (size_t)p.nrelocs * sizeof(struct dif_reloc));
	if (!d->name || (p.textlen && !d->text) || (p.intlen && !d->inttab) ||
	    (p.strlen && !d->strtab) || (p.varlen && !d->vartab) ||
	    (p.symlen && !d->symtab) || (p.nrelocs && !d->relocs)) {
		dif_difo_free(d);
		goto nomem;
	}
	d->textlen = p.textlen;
	d->intlen = p.intlen;
	d->strlen = p.strlen;
	d->varlen = p.varlen;
	d->symlen = p.symlen;
	d->nrelocs = p.nrelocs;
	d->rtype = p.rtype;
	*out = d;
	return 0;
nomem:
	dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, name, NULL,
	         "difo '%s': out of memory", name);
	return DIF_E_NOMEM;
}

void dif_difo_free(struct dif_difo *d)
{
	if (!d)
		return;
	free(d->name);
	free(d->text);
	free(d->inttab);
	free(d->strtab);
	free(d->vartab);
	free(d->symtab);
	free(d->relocs);
	free(d);
}

const char *dif_difo_name(const struct dif_difo *d)
{
	return d ? d->name : NULL;
}

void dif_difo_get_parts(const struct dif_difo *d, struct dif_difo_parts *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	if (!d)
		return;
	out->name = d->name;
	out->text = d->text;
	out->textlen = d->textlen;
	out->inttab = d->inttab;
	out->intlen = d->intlen;
	out->strtab = d->strtab;
	out->strlen = d->strlen;
	out->vartab = d->vartab;
	out->varlen = d->varlen;
	out->rtype = d->rtype;
	out->symtab = d->symtab;
	out->symlen = d->symlen;
	out->relocs = d->relocs;
	out->nrelocs = d->nrelocs;
}

static const char *const reloc_kind_names[DIF_RELOC_NKINDS] = {
	"none", "offsetof", "sizeof", "membersize", "exists", "enumval", "",
	"poison",
};

const char *dif_reloc_kind_name(unsigned kind)
{
	return kind < DIF_RELOC_NKINDS ? reloc_kind_names[kind] : NULL;
}

struct dif_module *dif_module_new(void)
{
	return calloc(1, sizeof(struct dif_module));
}

void dif_module_free(struct dif_module *mod)
{
	if (!mod)
		return;
	for (size_t i = 0; i < mod->count; i++)
		dif_difo_free(mod->difos[i]);
	free(mod->difos);
	if (mod->names)
		dif_hm_free(mod->names);
	free(mod->names);
	free(mod);
}

/* Bytes of text and tables, as dif_difo_create counts them. */
static uint64_t difo_bytes(const struct dif_difo *d)
{
	return (uint64_t)d->textlen * 4 + (uint64_t)d->intlen * 8 + d->strlen +
	       (uint64_t)d->varlen * 20;
}

int dif_module_add(struct dif_module *mod, struct dif_difo *difo)
{
	if (!mod || !difo) {
		dif_difo_free(difo);
		return DIF_E_INVAL;
	}
	if (dif_module_find(mod, difo->name)) {
		dif_difo_free(difo);
		return DIF_E_DUPLICATE;
	}
	uint64_t max = mod->max ? mod->max : DIF_MODULE_MAXSIZE;
	uint64_t bytes = difo_bytes(difo);
	if (bytes > max - mod->bytes || mod->count >= UINT32_MAX) {
		dif_difo_free(difo);
		return DIF_E_LIMIT;
	}
	if (!mod->names && !(mod->names = calloc(1, sizeof(*mod->names)))) {
		dif_difo_free(difo);
		return DIF_E_NOMEM;
	}
	if (mod->count == mod->cap) {
		size_t cap = mod->cap ? mod->cap * 2 : 4;
		struct dif_difo **n = realloc(mod->difos, cap * sizeof(*n));
		if (!n) {
			dif_difo_free(difo);
			return DIF_E_NOMEM;
		}
		mod->difos = n;
		mod->cap = cap;
	}
	if (dif_hm_put(mod->names, difo->name, strlen(difo->name),
	               (uint32_t)mod->count)) {
		dif_difo_free(difo);
		return DIF_E_NOMEM;
	}
	mod->difos[mod->count++] = difo;
	mod->bytes += bytes;
	return 0;
}

size_t dif_module_count(const struct dif_module *mod)
{
	return mod ? mod->count : 0;
}

const struct dif_difo *dif_module_get(const struct dif_module *mod, size_t i)
{
	return mod && i < mod->count ? mod->difos[i] : NULL;
}

const struct dif_difo *dif_module_find(const struct dif_module *mod,
                                       const char *name)
{
	if (!mod || !name || !mod->names)
		return NULL;
	uint64_t *i = dif_hm_get(mod->names, name, strlen(name));
	return i ? mod->difos[*i] : NULL;
}

const struct dif_reloc *dif_difo_reloc_at(const struct dif_difo *d, uint32_t pc)
{
	uint32_t lo = 0, hi = d->nrelocs;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (d->relocs[mid].pc < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nrelocs && d->relocs[lo].pc == pc ? &d->relocs[lo] : NULL;
}
