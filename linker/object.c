/*
 * difvm ELF objects: reader and writer (docs/object-format.md).
 *
 * The reader decodes the bytes itself, checking every offset and size
 * against the buffer before it is used, so that each broken rule gets its
 * own precise message. The writer lays the file out explicitly and lets
 * libelf produce the bytes (ELF_F_LAYOUT), so the output is deterministic.
 */
#include <elf.h>
#include <errno.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "difvm/object.h"
#include "difvm/internal.h"
#include "bytes.h"
#include "difvm/hash.h"

#define EHDR_SIZE 64u
#define SHDR_SIZE 64u
#define SYM_SIZE 24u
#define NAME_MAX_LEN 63u /* struct dif_error.object and DIFO names */

/* Byte-order helpers (bytes.h): every multi-byte field goes through them. */
#define get_n lb_get
#define put_n lb_put
#define host_msb lb_host_msb

/* ---------------------------------------------------------------------
 * Reader.
 */
struct sec {
	uint32_t name, type, link, info;
	uint64_t flags, off, size, align, entsize;
	const char *nm;  /* checked name, "" until the name table is checked */
	uint32_t owner;  /* 1 + DIFO index using it, 0 if none */
};

struct rd {
	const uint8_t *b;
	size_t len;
	int msb;
	struct dif_errors *errs;
	uint32_t shnum;
	struct sec *sh;
	uint32_t profile; /* from the info record */
};

static int fail(struct rd *r, int code, const char *object, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
static int fail(struct rd *r, int code, const char *object, const char *fmt,
                ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dif_errf(r->errs, code, DIF_NO_PC, object, NULL, "%s", msg);
	return code;
}

static uint64_t rd_n(const struct rd *r, uint64_t off, unsigned n)
{
	return get_n(r->b + off, n, r->msb);
}

/* Section label for messages: "section 5 '.text.foo'". */
static const char *slabel(const struct rd *r, uint32_t i, char *buf,
                          size_t cap)
{
	snprintf(buf, cap, "section %u '%.80s'", i, r->sh[i].nm);
	return buf;
}

/* Checks the ELF identification and header; fills r->shnum and r->msb. */
static int read_header(struct rd *r, uint64_t *shoff, uint32_t *shstrndx)
{
	const uint8_t *b = r->b;
	if (r->len < 4 || memcmp(b, ELFMAG, SELFMAG) != 0)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "not an ELF file: bad magic number");
	if (r->len < EI_NIDENT)
		return fail(r, DIF_E_OBJ_TRUNCATED, NULL,
		            "truncated: ELF identification needs %u bytes, file has %zu",
		            EI_NIDENT, r->len);
	if (b[EI_CLASS] != ELFCLASS64)
		return fail(r, DIF_E_OBJ_CLASS, NULL,
		            "ELF class %u: difvm objects are ELFCLASS64 (2)",
		            b[EI_CLASS]);
	if (b[EI_DATA] != ELFDATA2LSB && b[EI_DATA] != ELFDATA2MSB)
		return fail(r, DIF_E_OBJ_DATA, NULL,
		            "ELF data encoding %u: expected ELFDATA2LSB (1) or ELFDATA2MSB (2)",
		            b[EI_DATA]);
	r->msb = b[EI_DATA] == ELFDATA2MSB;
	if (b[EI_VERSION] != EV_CURRENT)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "ELF identification version %u: expected 1",
		            b[EI_VERSION]);
	if (r->len < EHDR_SIZE)
		return fail(r, DIF_E_OBJ_TRUNCATED, NULL,
		            "truncated: ELF header needs %u bytes, file has %zu",
		            EHDR_SIZE, r->len);
	unsigned type = (unsigned)rd_n(r, 16, 2);
	unsigned machine = (unsigned)rd_n(r, 18, 2);
	uint32_t version = (uint32_t)rd_n(r, 20, 4);
	uint64_t phoff = rd_n(r, 32, 8);
	*shoff = rd_n(r, 40, 8);
	unsigned ehsize = (unsigned)rd_n(r, 52, 2);
	unsigned phnum = (unsigned)rd_n(r, 56, 2);
	unsigned shentsize = (unsigned)rd_n(r, 58, 2);
	r->shnum = (uint32_t)rd_n(r, 60, 2);
	*shstrndx = (uint32_t)rd_n(r, 62, 2);
	if (type != ET_REL)
		return fail(r, DIF_E_OBJ_MACHINE, NULL,
		            "ELF type %u: difvm objects are ET_REL (1)", type);
	if (machine != EM_NONE)
		return fail(r, DIF_E_OBJ_MACHINE, NULL,
		            "ELF machine %u: difvm objects use EM_NONE (0)", machine);
	if (version != EV_CURRENT)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "ELF version %u: expected 1", (unsigned)version);
	if (ehsize != EHDR_SIZE)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "ELF header size %u: expected %u", ehsize, EHDR_SIZE);
	if (phnum != 0 || phoff != 0)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "program headers present: a relocatable object has none");
	if (shentsize != SHDR_SIZE)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "section header size %u: expected %u", shentsize,
		            SHDR_SIZE);
	if (r->shnum == 0)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "no section headers (extended numbering is not used)");
	if (*shstrndx >= r->shnum)
		return fail(r, DIF_E_OBJ_INDEX, NULL,
		            "section name table index %u out of range (%u sections)",
		            (unsigned)*shstrndx, (unsigned)r->shnum);
	if (*shoff % 8 != 0)
		return fail(r, DIF_E_OBJ_ALIGN, NULL,
		            "section header table offset %llu is not 8-byte aligned",
		            (unsigned long long)*shoff);
	if (*shoff > r->len || (uint64_t)r->shnum * SHDR_SIZE > r->len - *shoff)
		return fail(r, DIF_E_OBJ_TRUNCATED, NULL,
		            "truncated: section header table (%u entries at offset %llu) "
		            "extends past the end of the file (%zu bytes)",
		            (unsigned)r->shnum, (unsigned long long)*shoff, r->len);
	return 0;
}

static int read_sections(struct rd *r, uint64_t shoff, uint32_t shstrndx)
{
	r->sh = calloc(r->shnum, sizeof(*r->sh));
	if (!r->sh)
		return fail(r, DIF_E_NOMEM, NULL, "out of memory");
	for (uint32_t i = 0; i < r->shnum; i++) {
		uint64_t o = shoff + (uint64_t)i * SHDR_SIZE;
		struct sec *s = &r->sh[i];
		s->name = (uint32_t)rd_n(r, o, 4);
		s->type = (uint32_t)rd_n(r, o + 4, 4);
		s->flags = rd_n(r, o + 8, 8);
		s->off = rd_n(r, o + 24, 8);
		s->size = rd_n(r, o + 32, 8);
		s->link = (uint32_t)rd_n(r, o + 40, 4);
		s->info = (uint32_t)rd_n(r, o + 44, 4);
		s->align = rd_n(r, o + 48, 8);
		s->entsize = rd_n(r, o + 56, 8);
		s->nm = "";
	}
	if (r->sh[0].type != SHT_NULL || r->sh[0].size != 0)
		return fail(r, DIF_E_OBJ_SECTION, NULL,
		            "section 0 must be the null section");
	for (uint32_t i = 1; i < r->shnum; i++) {
		struct sec *s = &r->sh[i];
		if (s->type == SHT_NOBITS)
			return fail(r, DIF_E_OBJ_SECTION, NULL,
			            "section %u: SHT_NOBITS sections are not allowed", i);
		if (s->off > r->len || s->size > r->len - s->off)
			return fail(r, DIF_E_OBJ_TRUNCATED, NULL,
			            "truncated: section %u (offset %llu, size %llu) "
			            "extends past the end of the file (%zu bytes)",
			            i, (unsigned long long)s->off,
			            (unsigned long long)s->size, r->len);
		if (s->align > 1 && (s->align & (s->align - 1)) != 0)
			return fail(r, DIF_E_OBJ_ALIGN, NULL,
			            "section %u: alignment %llu is not a power of two",
			            i, (unsigned long long)s->align);
		if (s->align > 1 && s->off % s->align != 0)
			return fail(r, DIF_E_OBJ_ALIGN, NULL,
			            "section %u: offset %llu is not %llu-byte aligned", i,
			            (unsigned long long)s->off,
			            (unsigned long long)s->align);
	}
	const struct sec *ns = &r->sh[shstrndx];
	if (shstrndx == 0 || ns->type != SHT_STRTAB)
		return fail(r, DIF_E_OBJ_SECTION, NULL,
		            "section name table (section %u) is not SHT_STRTAB",
		            (unsigned)shstrndx);
	if (ns->size == 0 || r->b[ns->off + ns->size - 1] != '\0')
		return fail(r, DIF_E_OBJ_STRING, NULL,
		            "section name table (section %u) does not end with NUL",
		            (unsigned)shstrndx);
	for (uint32_t i = 1; i < r->shnum; i++) {
		if (r->sh[i].name >= ns->size)
			return fail(r, DIF_E_OBJ_INDEX, NULL,
			            "section %u: name offset %u outside the section name "
			            "table (%llu bytes)", i, r->sh[i].name,
			            (unsigned long long)ns->size);
		r->sh[i].nm = (const char *)r->b + ns->off + r->sh[i].name;
	}
	return 0;
}

/* Checks a section's record size and declared alignment. */
static int check_records(struct rd *r, uint32_t i, uint64_t entsize,
                         uint64_t align, const char *object)
{
	char lb[128];
	const struct sec *s = &r->sh[i];
	if (s->align != align)
		return fail(r, DIF_E_OBJ_ALIGN, object,
		            "%s: alignment %llu, expected %llu",
		            slabel(r, i, lb, sizeof(lb)),
		            (unsigned long long)s->align, (unsigned long long)align);
	if (entsize > 1 && s->entsize != entsize)
		return fail(r, DIF_E_OBJ_SECTION, object,
		            "%s: entry size %llu, expected %llu",
		            slabel(r, i, lb, sizeof(lb)),
		            (unsigned long long)s->entsize,
		            (unsigned long long)entsize);
	if (entsize > 1 && s->size % entsize != 0)
		return fail(r, DIF_E_OBJ_SECTION, object,
		            "%s: size %llu is not a multiple of the %llu-byte record",
		            slabel(r, i, lb, sizeof(lb)),
		            (unsigned long long)s->size,
		            (unsigned long long)entsize);
	return 0;
}

struct symtab {
	uint32_t idx, nsyms;
	uint64_t off;      /* of the symbol records */
	uint64_t stroff;   /* of the name table */
	uint64_t strsize;
};

struct sym {
	uint32_t name;
	unsigned type, bind;
	uint32_t shndx;
	uint64_t value, size;
};

static void get_sym(const struct rd *r, const struct symtab *st, uint32_t j,
                    struct sym *s)
{
	uint64_t o = st->off + (uint64_t)j * SYM_SIZE;
	s->name = (uint32_t)rd_n(r, o, 4);
	s->type = r->b[o + 4] & 0xf;
	s->bind = r->b[o + 4] >> 4;
	s->shndx = (uint32_t)rd_n(r, o + 6, 2);
	s->value = rd_n(r, o + 8, 8);
	s->size = rd_n(r, o + 16, 8);
}

/* Descriptor flags bits 0-1: the id style of the listing's variable table
 * (enum dif_varid_style: 0 none, 1 decimal, 2 hexadecimal). */
#define DESC_IDS_MASK 0x3u

/* A DIFO's decoded descriptor. */
struct desc {
	uint32_t sym, text, tab[3]; /* tab: inttab, strtab, vartab */
	struct dif_type rtype;
	uint32_t flags;
	uint64_t ptr; /* listing pointer label, 0 if none */
	const char *name;
	uint32_t rel, symstr; /* relocation and symbol-name sections, 0: none */
};

static const uint32_t tab_type[3] = {DIF_OBJ_SHT_INTTAB, DIF_OBJ_SHT_STRTAB,
                                     DIF_OBJ_SHT_VARTAB};
static const char *const tab_what[3] = {"integer table", "string table",
                                        "variable table"};
static const uint64_t tab_ent[3] = {8, 1, DIF_OBJ_VAR_SIZE};
static const uint64_t tab_align[3] = {8, 1, 4};

static int claim(struct rd *r, uint32_t i, uint32_t d, const char *name)
{
	char lb[128];
	if (r->sh[i].owner)
		return fail(r, DIF_E_OBJ_DUPLICATE, name,
		            "DIFO '%s': %s is already used by another DIFO", name,
		            slabel(r, i, lb, sizeof(lb)));
	r->sh[i].owner = d + 1;
	return 0;
}

static int read_desc(struct rd *r, const struct symtab *st, uint64_t off,
                     uint32_t d, struct desc *ds)
{
	char lb[128];
	ds->sym = (uint32_t)rd_n(r, off, 4);
	ds->text = (uint32_t)rd_n(r, off + 4, 4);
	for (int t = 0; t < 3; t++)
		ds->tab[t] = (uint32_t)rd_n(r, off + 8 + 4 * t, 4);
	lb_get_type(r->b + off + 20, r->msb, &ds->rtype);
	ds->flags = (uint32_t)rd_n(r, off + 28, 4);
	ds->ptr = rd_n(r, off + 32, 8);

	if (ds->sym == 0 || ds->sym >= st->nsyms)
		return fail(r, DIF_E_OBJ_INDEX, NULL,
		            "DIFO descriptor %u: symbol index %u out of range "
		            "(1..%u)", d, ds->sym, st->nsyms - 1);
	struct sym s;
	get_sym(r, st, ds->sym, &s);
	if (s.name >= st->strsize)
		return fail(r, DIF_E_OBJ_INDEX, NULL,
		            "DIFO descriptor %u: symbol %u name offset %u outside "
		            "the symbol name table", d, ds->sym, s.name);
	const char *name = (const char *)r->b + st->stroff + s.name;
	size_t nlen = strlen(name); /* bounded: the table ends with NUL */
	if (nlen == 0)
		return fail(r, DIF_E_OBJ_STRING, NULL,
		            "DIFO descriptor %u: symbol %u has an empty name", d,
		            ds->sym);
	if (nlen > NAME_MAX_LEN)
		return fail(r, DIF_E_OBJ_SYMBOL, NULL,
		            "DIFO descriptor %u: symbol name '%.32s...' is longer "
		            "than %u bytes", d, name, NAME_MAX_LEN);
	ds->name = name;
	if (s.type != STT_FUNC || s.bind != STB_GLOBAL)
		return fail(r, DIF_E_OBJ_SYMBOL, name,
		            "DIFO '%s': symbol %u must be STT_FUNC and STB_GLOBAL "
		            "(type %u, binding %u)", name, ds->sym, s.type, s.bind);
	if (ds->flags & ~DESC_IDS_MASK)
		return fail(r, DIF_E_OBJ_FORMAT, name,
		            "DIFO '%s': reserved descriptor flags 0x%x are set",
		            name, ds->flags & ~DESC_IDS_MASK);
	if ((ds->flags & DESC_IDS_MASK) == DESC_IDS_MASK)
		return fail(r, DIF_E_OBJ_FORMAT, name,
		            "DIFO '%s': listing id style 3 in the descriptor flags "
		            "(0 none, 1 decimal, 2 hexadecimal)", name);
	if (ds->text == 0 || ds->text >= r->shnum)
		return fail(r, DIF_E_OBJ_INDEX, name,
		            "DIFO '%s': text section index %u out of range", name,
		            ds->text);
	if (s.shndx != ds->text)
		return fail(r, DIF_E_OBJ_SYMBOL, name,
		            "DIFO '%s': symbol %u points to section %u, not to the "
		            "DIFO's text (section %u)", name, ds->sym, s.shndx,
		            ds->text);
	const struct sec *tx = &r->sh[ds->text];
	if (tx->type != SHT_PROGBITS || !(tx->flags & SHF_EXECINSTR))
		return fail(r, DIF_E_OBJ_SECTION, name,
		            "DIFO '%s': %s is not a text section (SHT_PROGBITS, "
		            "SHF_EXECINSTR)", name,
		            slabel(r, ds->text, lb, sizeof(lb)));
	int rc = check_records(r, ds->text, 0, 4, name);
	if (rc)
		return rc;
	if (tx->size % 4 != 0)
		return fail(r, DIF_E_OBJ_SECTION, name,
		            "DIFO '%s': text size %llu is not a multiple of 4",
		            name, (unsigned long long)tx->size);
	if (s.value != 0 || s.size != tx->size)
		return fail(r, DIF_E_OBJ_SYMBOL, name,
		            "DIFO '%s': symbol value %llu size %llu; expected 0 "
		            "and the text size %llu", name,
		            (unsigned long long)s.value, (unsigned long long)s.size,
		            (unsigned long long)tx->size);
	if ((rc = claim(r, ds->text, d, name)))
		return rc;

	uint64_t total = tx->size;
	for (int t = 0; t < 3; t++) {
		uint32_t i = ds->tab[t];
		if (i == 0)
			continue;
		if (i >= r->shnum)
			return fail(r, DIF_E_OBJ_INDEX, name,
			            "DIFO '%s': %s section index %u out of range "
			            "(%u sections)", name, tab_what[t], i, r->shnum);
		if (r->sh[i].type != tab_type[t])
			return fail(r, DIF_E_OBJ_SECTION, name,
			            "DIFO '%s': %s for the %s has type 0x%x, "
			            "expected 0x%x", name,
			            slabel(r, i, lb, sizeof(lb)), tab_what[t],
			            r->sh[i].type, tab_type[t]);
		if ((rc = check_records(r, i, tab_ent[t], tab_align[t], name)))
			return rc;
		if ((rc = claim(r, i, d, name)))
			return rc;
		total += r->sh[i].size;
	}
	const struct sec *it = ds->tab[0] ? &r->sh[ds->tab[0]] : NULL;
	const struct sec *sr = ds->tab[1] ? &r->sh[ds->tab[1]] : NULL;
	const struct sec *vt = ds->tab[2] ? &r->sh[ds->tab[2]] : NULL;
	if (it && it->size / 8 > DIF_INTOFF_MAX + 1u)
		return fail(r, DIF_E_OBJ_OVERSIZE, name,
		            "DIFO '%s': integer table has %llu entries (limit %u)",
		            name, (unsigned long long)(it->size / 8),
		            DIF_INTOFF_MAX + 1u);
	if (total > DIF_DIFO_MAXSIZE)
		return fail(r, DIF_E_OBJ_OVERSIZE, name,
		            "DIFO '%s': text and tables take %llu bytes (limit %u)",
		            name, (unsigned long long)total, DIF_DIFO_MAXSIZE);
	if (sr && sr->size > 0 && r->b[sr->off + sr->size - 1] != '\0')
		return fail(r, DIF_E_OBJ_STRING, name,
		            "DIFO '%s': string table does not end with NUL", name);
	if (vt && vt->size > 0 && (!sr || sr->size == 0))
		return fail(r, DIF_E_OBJ_MISSING, name,
		            "DIFO '%s': variable table names need a string table, "
		            "and the DIFO has none", name);
	return 0;
}

static int build_difo(struct rd *r, const struct desc *ds,
                      struct dif_module *mod)
{
	const struct sec *tx = &r->sh[ds->text];
	const struct sec *it = ds->tab[0] ? &r->sh[ds->tab[0]] : NULL;
	const struct sec *sr = ds->tab[1] ? &r->sh[ds->tab[1]] : NULL;
	const struct sec *vt = ds->tab[2] ? &r->sh[ds->tab[2]] : NULL;
	uint32_t ntext = (uint32_t)(tx->size / 4);
	uint32_t nint = it ? (uint32_t)(it->size / 8) : 0;
	uint32_t nvar = vt ? (uint32_t)(vt->size / DIF_OBJ_VAR_SIZE) : 0;
	const struct sec *rs = ds->rel ? &r->sh[ds->rel] : NULL;
	const struct sec *ss = ds->symstr ? &r->sh[ds->symstr] : NULL;
	uint32_t nrel = rs ? (uint32_t)(rs->size / DIF_OBJ_REL_SIZE) : 0;
	uint32_t *text = ntext ? malloc(ntext * sizeof(*text)) : NULL;
	uint64_t *ints = nint ? malloc(nint * sizeof(*ints)) : NULL;
	struct dif_var *vars = nvar ? calloc(nvar, sizeof(*vars)) : NULL;
	struct dif_reloc *rels = nrel ? calloc(nrel, sizeof(*rels)) : NULL;
	int rc;
	if ((ntext && !text) || (nint && !ints) || (nvar && !vars) ||
	    (nrel && !rels)) {
		rc = fail(r, DIF_E_NOMEM, ds->name, "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k < ntext; k++)
		text[k] = (uint32_t)rd_n(r, tx->off + 4 * (uint64_t)k, 4);
	for (uint32_t k = 0; k < nint; k++)
		ints[k] = rd_n(r, it->off + 8 * (uint64_t)k, 8);
	for (uint32_t k = 0; k < nvar; k++) {
		uint64_t o = vt->off + (uint64_t)k * DIF_OBJ_VAR_SIZE;
		lb_get_var(r->b + o, r->msb, &vars[k]);
	}
	for (uint32_t k = 0; k < nrel; k++) {
		uint64_t o = rs->off + (uint64_t)k * DIF_OBJ_REL_SIZE;
		rels[k].pc = (uint32_t)(rd_n(r, o, 4) / 4);
		rels[k].kind = (uint16_t)rd_n(r, o + 4, 2);
		rels[k].flags = (uint16_t)rd_n(r, o + 6, 2);
		rels[k].type = (uint32_t)rd_n(r, o + 8, 4);
		rels[k].path = (uint32_t)rd_n(r, o + 12, 4);
	}
	struct dif_difo_parts p;
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.name = ds->name;
	p.symtab = ss ? (const char *)r->b + ss->off : NULL;
	p.symlen = ss ? (uint32_t)ss->size : 0;
	p.relocs = rels;
	p.nrelocs = nrel;
	p.text = text;
	p.textlen = ntext;
	p.inttab = ints;
	p.intlen = nint;
	p.strtab = sr ? (const char *)r->b + sr->off : NULL;
	p.strlen = sr ? (uint32_t)sr->size : 0;
	p.vartab = vars;
	p.varlen = nvar;
	p.rtype = ds->rtype;
	struct dif_difo *difo = NULL;
	rc = dif_difo_create(&p, &difo, r->errs);
	if (rc == 0) {
		dif_difo_set_ptr(difo, ds->ptr);
		dif_difo_set_varid(difo, (enum dif_varid_style)(ds->flags &
		                                                DESC_IDS_MASK));
		rc = dif_module_add(mod, difo);
		if (rc == DIF_E_LIMIT)
			fail(r, rc, ds->name, DIF_MODULE_LIMIT_FMT, ds->name,
			     dif_module_max(mod));
		else if (rc)
			fail(r, rc, ds->name, "DIFO '%s': cannot add to the module",
			     ds->name);
	}
out:
	free(text);
	free(ints);
	free(vars);
	free(rels);
	return rc;
}

static int read_info(struct rd *r, uint32_t i, const struct dif_obj_opts *opts,
                     uint32_t *ndifo)
{
	char lb[128];
	const struct sec *s = &r->sh[i];
	int rc = check_records(r, i, 0, 8, NULL);
	if (rc)
		return rc;
	if (s->size != DIF_OBJ_INFO_SIZE)
		return fail(r, DIF_E_OBJ_SECTION, NULL,
		            "%s: size %llu, the info record is %u bytes",
		            slabel(r, i, lb, sizeof(lb)),
		            (unsigned long long)s->size, DIF_OBJ_INFO_SIZE);
	const uint8_t *p = r->b + s->off;
	if (memcmp(p, DIF_OBJ_MAGIC, 8) != 0)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "%s: bad magic (expected \"%s\")",
		            slabel(r, i, lb, sizeof(lb)), DIF_OBJ_MAGIC);
	uint32_t version = (uint32_t)rd_n(r, s->off + 8, 4);
	uint32_t profile = (uint32_t)rd_n(r, s->off + 12, 4);
	uint32_t flags = (uint32_t)rd_n(r, s->off + 16, 4);
	*ndifo = (uint32_t)rd_n(r, s->off + 20, 4);
	uint64_t reserved = rd_n(r, s->off + 24, 8);
	r->profile = profile;
	if (version != DIF_OBJ_VERSION)
		return fail(r, DIF_E_OBJ_VERSION, NULL,
		            "object format version %u; this reader supports "
		            "version %u", version, DIF_OBJ_VERSION);
	if (profile > DIF_PROFILE_ILLUMOS)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "%s: unknown profile %u", slabel(r, i, lb, sizeof(lb)),
		            profile);
	if (flags != 0 || reserved != 0)
		return fail(r, DIF_E_OBJ_FORMAT, NULL,
		            "%s: reserved flags or fields are non-zero",
		            slabel(r, i, lb, sizeof(lb)));
	enum dif_profile want = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	if ((DIF_OPT(opts, flags, 0u) & DIF_OBJ_CHECK_PROFILE) &&
	    profile != (uint32_t)want)
		return fail(r, DIF_E_OBJ_PROFILE, NULL,
		            "object was built for profile %s, not %s",
		            dif_profile_name((enum dif_profile)profile),
		            dif_profile_name(want));
	return 0;
}

static int read_symtab(struct rd *r, uint32_t i, struct symtab *st)
{
	char lb[128];
	const struct sec *s = &r->sh[i];
	int rc = check_records(r, i, SYM_SIZE, 8, NULL);
	if (rc)
		return rc;
	if (s->size == 0)
		return fail(r, DIF_E_OBJ_SECTION, NULL,
		            "%s: empty (needs the null symbol)",
		            slabel(r, i, lb, sizeof(lb)));
	if (s->link == 0 || s->link >= r->shnum)
		return fail(r, DIF_E_OBJ_INDEX, NULL,
		            "%s: name table index %u out of range",
		            slabel(r, i, lb, sizeof(lb)), s->link);
	const struct sec *ns = &r->sh[s->link];
	if (ns->type != SHT_STRTAB)
		return fail(r, DIF_E_OBJ_SECTION, NULL,
		            "%s: linked name table (section %u) is not SHT_STRTAB",
		            slabel(r, i, lb, sizeof(lb)), s->link);
	if (ns->size == 0 || r->b[ns->off + ns->size - 1] != '\0')
		return fail(r, DIF_E_OBJ_STRING, NULL,
		            "symbol name table (section %u) does not end with NUL",
		            s->link);
	st->idx = i;
	st->off = s->off;
	st->nsyms = (uint32_t)(s->size / SYM_SIZE);
	st->stroff = ns->off;
	st->strsize = ns->size;
	if (s->info > st->nsyms)
		return fail(r, DIF_E_OBJ_INDEX, NULL,
		            "%s: first global symbol %u beyond the %u symbols",
		            slabel(r, i, lb, sizeof(lb)), s->info, st->nsyms);
	return 0;
}

/* Every defined symbol must sit in a DIFO's text. */
static int check_symbols(struct rd *r, const struct symtab *st)
{
	for (uint32_t j = 1; j < st->nsyms; j++) {
		struct sym s;
		get_sym(r, st, j, &s);
		if (s.name >= st->strsize)
			return fail(r, DIF_E_OBJ_INDEX, NULL,
			            "symbol %u: name offset %u outside the symbol name "
			            "table", j, s.name);
		const char *nm = (const char *)r->b + st->stroff + s.name;
		if (s.shndx == SHN_UNDEF)
			continue;
		if (s.shndx >= r->shnum)
			return fail(r, DIF_E_OBJ_INDEX, NULL,
			            "symbol %u '%.64s': section index %u out of range",
			            j, nm, s.shndx);
		const struct sec *t = &r->sh[s.shndx];
		if (!t->owner || t->type != SHT_PROGBITS)
			return fail(r, DIF_E_OBJ_SYMBOL, NULL,
			            "symbol %u '%.64s' points to section %u '%.64s', "
			            "which is not a DIFO's text", j, nm, s.shndx, t->nm);
	}
	return 0;
}

/* Relocation sections (section 4 of the spec): each names its DIFO's
 * text (sh_info) and its symbol-name table (sh_link, 0 if none); the
 * records must point at instructions and names that exist. Whether a
 * relocation is still unresolved is the validator's business. */
static int check_relocs(struct rd *r, struct desc *ds)
{
	char lb[128];
	for (uint32_t i = 1; i < r->shnum; i++) {
		const struct sec *s = &r->sh[i];
		if (s->type != DIF_OBJ_SHT_REL)
			continue;
		int rc = check_records(r, i, DIF_OBJ_REL_SIZE, 8, NULL);
		if (rc)
			return rc;
		if (s->info == 0 || s->info >= r->shnum ||
		    !r->sh[s->info].owner || r->sh[s->info].type != SHT_PROGBITS)
			return fail(r, DIF_E_OBJ_RELOC, NULL,
			            "%s: sh_info %u is not a DIFO's text section",
			            slabel(r, i, lb, sizeof(lb)), s->info);
		uint32_t d = r->sh[s->info].owner - 1;
		struct desc *dd = &ds[d];
		if (dd->rel)
			return fail(r, DIF_E_OBJ_DUPLICATE, dd->name,
			            "DIFO '%s': a second relocation section (%s; first "
			            "is section %u)", dd->name,
			            slabel(r, i, lb, sizeof(lb)), dd->rel);
		if ((rc = claim(r, i, d, dd->name)))
			return rc;
		dd->rel = i;
		uint64_t symsz = 0;
		if (s->link != 0) {
			if (s->link >= r->shnum ||
			    r->sh[s->link].type != DIF_OBJ_SHT_SYMSTR)
				return fail(r, DIF_E_OBJ_RELOC, dd->name,
				            "%s: sh_link %u is not a symbol-name table "
				            "(type 0x%x)", slabel(r, i, lb, sizeof(lb)),
				            s->link, DIF_OBJ_SHT_SYMSTR);
			const struct sec *ss = &r->sh[s->link];
			if ((rc = check_records(r, s->link, 1, 1, dd->name)) ||
			    (rc = claim(r, s->link, d, dd->name)))
				return rc;
			if (ss->size == 0 || r->b[ss->off + ss->size - 1] != '\0')
				return fail(r, DIF_E_OBJ_STRING, dd->name,
				            "DIFO '%s': %s is empty or does not end with NUL",
				            dd->name, slabel(r, s->link, lb, sizeof(lb)));
			dd->symstr = s->link;
			symsz = ss->size;
		}
		uint64_t tsize = r->sh[s->info].size, prev = 0;
		for (uint64_t k = 0; k < s->size / DIF_OBJ_REL_SIZE; k++) {
			uint64_t o = s->off + k * DIF_OBJ_REL_SIZE;
			uint64_t off = rd_n(r, o, 4);
			unsigned kind = (unsigned)rd_n(r, o + 4, 2);
			unsigned flags = (unsigned)rd_n(r, o + 6, 2);
			uint64_t ty = rd_n(r, o + 8, 4), pa = rd_n(r, o + 12, 4);
			const char *why = NULL;
			if (off % 4 || off >= tsize)
				why = "offset is not an instruction of the text";
			else if (k > 0 && off <= prev)
				why = "records not sorted by offset (or two for one "
				      "instruction)";
			else if (kind == 0 || kind >= DIF_RELOC_NKINDS)
				why = "unknown relocation type";
			else if (flags)
				why = "reserved flags set";
			else if (ty >= symsz || pa >= symsz)
				why = "name offset outside the symbol-name table";
			if (why)
				return fail(r, DIF_E_OBJ_RELOC, dd->name,
				            "DIFO '%s': %s record %llu (offset %llu, type "
				            "%u): %s", dd->name, slabel(r, i, lb, sizeof(lb)),
				            (unsigned long long)k, (unsigned long long)off,
				            kind, why);
			prev = off;
		}
	}
	return 0;
}

static int read_all(struct rd *r, const struct dif_obj_opts *opts,
                    struct dif_module *mod)
{
	char lb[128];
	uint64_t shoff = 0;
	uint32_t shstrndx = 0;
	int rc = read_header(r, &shoff, &shstrndx);
	if (rc || (rc = read_sections(r, shoff, shstrndx)))
		return rc;

	uint32_t info = 0, difos = 0, symtab = 0;
	for (uint32_t i = 1; i < r->shnum; i++) {
		uint32_t t = r->sh[i].type, *slot = NULL;
		if (t == DIF_OBJ_SHT_INFO)
			slot = &info;
		else if (t == DIF_OBJ_SHT_DIFOS)
			slot = &difos;
		else if (t == SHT_SYMTAB)
			slot = &symtab;
		else if (t >= DIF_OBJ_SHT_FIRST && t <= DIF_OBJ_SHT_LAST &&
		         t > DIF_OBJ_SHT_SYMSTR)
			return fail(r, DIF_E_OBJ_SECTION, NULL,
			            "%s: unknown difvm section type 0x%x",
			            slabel(r, i, lb, sizeof(lb)), t);
		if (!slot)
			continue;
		if (*slot)
			return fail(r, DIF_E_OBJ_DUPLICATE, NULL,
			            "%s: a second section of type 0x%x (first is "
			            "section %u)", slabel(r, i, lb, sizeof(lb)), t,
			            *slot);
		*slot = i;
	}
	if (!info)
		return fail(r, DIF_E_OBJ_MISSING, NULL,
		            "no .difvm.info section: not a difvm object");
	uint32_t ndifo = 0;
	if ((rc = read_info(r, info, opts, &ndifo)))
		return rc;
	if (!difos)
		return fail(r, DIF_E_OBJ_MISSING, NULL,
		            "no .difvm.difos section (DIFO descriptors)");
	if (!symtab)
		return fail(r, DIF_E_OBJ_MISSING, NULL, "no .symtab section");
	struct symtab st;
	memset(&st, 0, sizeof(st));
	if ((rc = read_symtab(r, symtab, &st)))
		return rc;
	if ((rc = check_records(r, difos, DIF_OBJ_DIFO_SIZE, 8, NULL)))
		return rc;
	const struct sec *dsec = &r->sh[difos];
	if (dsec->size / DIF_OBJ_DIFO_SIZE != ndifo)
		return fail(r, DIF_E_OBJ_SECTION, NULL,
		            "%s: holds %llu descriptors, the info record says %u",
		            slabel(r, difos, lb, sizeof(lb)),
		            (unsigned long long)(dsec->size / DIF_OBJ_DIFO_SIZE),
		            ndifo);

	struct desc *ds = ndifo ? calloc(ndifo, sizeof(*ds)) : NULL;
	if (ndifo && !ds)
		return fail(r, DIF_E_NOMEM, NULL, "out of memory");
	struct dif_hmap names = { 0 }; /* DIFO name -> descriptor */
	for (uint32_t d = 0; d < ndifo && !rc; d++) {
		rc = read_desc(r, &st, dsec->off + (uint64_t)d * DIF_OBJ_DIFO_SIZE,
		               d, &ds[d]);
		if (rc)
			break;
		size_t nl = strlen(ds[d].name);
		const uint64_t *e = dif_hm_get(&names, ds[d].name, nl);
		if (e)
			rc = fail(r, DIF_E_OBJ_DUPLICATE, ds[d].name,
			          "DIFO '%s' defined twice (descriptors %u and %u)",
			          ds[d].name, (unsigned)*e, d);
		else if (dif_hm_put(&names, ds[d].name, nl, d))
			rc = fail(r, DIF_E_NOMEM, NULL, "out of memory");
	}
	dif_hm_free(&names);
	if (!rc)
		rc = check_symbols(r, &st);
	for (uint32_t i = 1; i < r->shnum && !rc; i++) {
		const struct sec *s = &r->sh[i];
		int ours = s->type == DIF_OBJ_SHT_INTTAB ||
		           s->type == DIF_OBJ_SHT_STRTAB ||
		           s->type == DIF_OBJ_SHT_VARTAB ||
		           (s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR));
		if (ours && !s->owner)
			rc = fail(r, DIF_E_OBJ_SECTION, NULL,
			          "%s: not used by any DIFO",
			          slabel(r, i, lb, sizeof(lb)));
	}
	if (!rc)
		rc = check_relocs(r, ds);
	for (uint32_t i = 1; i < r->shnum && !rc; i++)
		if (r->sh[i].type == DIF_OBJ_SHT_SYMSTR && !r->sh[i].owner)
			rc = fail(r, DIF_E_OBJ_SECTION, NULL,
			          "%s: symbol-name table not used by any relocation "
			          "section", slabel(r, i, lb, sizeof(lb)));
	for (uint32_t d = 0; d < ndifo && !rc; d++)
		rc = build_difo(r, &ds[d], mod);
	free(ds);
	return rc;
}

int dif_obj_read(const void *buf, size_t len, const struct dif_obj_opts *opts,
                 struct dif_module **out, struct dif_errors *errs)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if (!buf && len) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "object: NULL buffer");
		return DIF_E_INVAL;
	}
	struct rd r;
	memset(&r, 0, sizeof(r));
	r.b = buf ? buf : (const void *)"";
	r.len = len;
	r.errs = errs;
	struct dif_module *mod = dif_module_new();
	if (!mod) {
		dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL, "out of memory");
		return DIF_E_NOMEM;
	}
	mod->max = opts && opts->size >= offsetof(struct dif_obj_opts, max_module) +
	                                   sizeof(opts->max_module)
	               ? opts->max_module
	               : 0;
	int rc = read_all(&r, opts, mod);
	free(r.sh);
	if (rc) {
		dif_module_free(mod);
		return rc;
	}
	*out = mod;
	return 0;
}

int dif_obj_profile(const void *buf, size_t len, enum dif_profile *out)
{
	if (!out || (!buf && len))
		return DIF_E_INVAL;
	struct rd r;
	memset(&r, 0, sizeof(r));
	r.b = buf ? buf : (const void *)"";
	r.len = len;
	struct dif_module *mod = dif_module_new();
	if (!mod)
		return DIF_E_NOMEM;
	/* A full read: a profile from a file we would reject means nothing. */
	int rc = read_all(&r, NULL, mod);
	free(r.sh);
	dif_module_free(mod);
	if (rc == 0)
		*out = (enum dif_profile)r.profile;
	return rc;
}

/* ---------------------------------------------------------------------
 * Writer.
 */
struct wsec {
	char *name;
	uint32_t type, link, info;
	uint64_t flags, align, entsize, off;
	uint8_t *data; /* owned; already in the file's byte order */
	size_t size;
	Elf_Type dtype;
};

struct wr {
	struct wsec *s;
	uint32_t n, cap;
	int msb;
	struct dif_errors *errs;
};

static struct wsec *add_sec(struct wr *w, const char *prefix, const char *nm,
                            uint32_t type, uint64_t flags, uint64_t align,
                            uint64_t entsize, size_t size)
{
	if (w->n == w->cap) {
		uint32_t cap = w->cap ? w->cap * 2 : 16;
		struct wsec *ns = realloc(w->s, cap * sizeof(*ns));
		if (!ns)
			return NULL;
		w->s = ns;
		w->cap = cap;
	}
	struct wsec *s = &w->s[w->n];
	memset(s, 0, sizeof(*s));
	size_t nl = strlen(prefix) + (nm ? strlen(nm) : 0) + 1;
	s->name = malloc(nl);
	s->data = calloc(1, size ? size : 1);
	if (!s->name || !s->data) {
		free(s->name);
		free(s->data);
		return NULL;
	}
	snprintf(s->name, nl, "%s%s", prefix, nm ? nm : "");
	s->type = type;
	s->flags = flags;
	s->align = align;
	s->entsize = entsize;
	s->size = size;
	s->dtype = ELF_T_BYTE;
	w->n++;
	return s;
}

static void free_secs(struct wr *w)
{
	for (uint32_t i = 0; i < w->n; i++) {
		free(w->s[i].name);
		free(w->s[i].data);
	}
	free(w->s);
}

#define put_type(p, t, msb) lb_put_type((p), (t), (msb))

/* Builds every section's bytes (index = position + 1; 0 is the null one). */
static int build_sections(struct wr *w, const struct dif_module *mod,
                          enum dif_profile profile)
{
	size_t nd = dif_module_count(mod);
	if (nd > UINT32_MAX / 8)
		return DIF_E_LIMIT;
	int m = w->msb;
	struct wsec *info = add_sec(w, ".difvm.info", NULL, DIF_OBJ_SHT_INFO, 0,
	                            8, 0, DIF_OBJ_INFO_SIZE);
	if (!info)
		return DIF_E_NOMEM;
	memcpy(info->data, DIF_OBJ_MAGIC, 8);
	put_n(info->data + 8, DIF_OBJ_VERSION, 4, m);
	put_n(info->data + 12, (uint32_t)profile, 4, m);
	put_n(info->data + 20, nd, 4, m);
	if (!add_sec(w, ".difvm.difos", NULL, DIF_OBJ_SHT_DIFOS, 0, 8,
	             DIF_OBJ_DIFO_SIZE, nd * DIF_OBJ_DIFO_SIZE))
		return DIF_E_NOMEM;
	const uint32_t difos = 2;

	/* Symbol names: "\0name1\0name2\0...". */
	size_t strsz = 1;
	for (size_t d = 0; d < nd; d++)
		strsz += strlen(dif_difo_name(dif_module_get(mod, d))) + 1;
	Elf64_Sym *syms = calloc(nd + 1, sizeof(*syms));
	char *strs = calloc(1, strsz);
	if (!syms || !strs) {
		free(syms);
		free(strs);
		return DIF_E_NOMEM;
	}
	size_t so = 1;
	for (size_t d = 0; d < nd; d++) {
		const struct dif_difo *difo = dif_module_get(mod, d);
		struct dif_difo_parts p;
		dif_difo_get_parts(difo, &p);
		uint32_t text = w->n + 1;
		struct wsec *s = add_sec(w, ".text.", p.name, SHT_PROGBITS,
		                         SHF_ALLOC | SHF_EXECINSTR, 4, 0,
		                         (size_t)p.textlen * 4);
		if (!s)
			goto nomem;
		for (uint32_t k = 0; k < p.textlen; k++)
			put_n(s->data + 4 * (size_t)k, p.text[k], 4, m);
		uint32_t tab[3] = {0, 0, 0};
		if (p.intlen) {
			tab[0] = w->n + 1;
			s = add_sec(w, ".difvm.inttab.", p.name, DIF_OBJ_SHT_INTTAB,
			            0, 8, 8, (size_t)p.intlen * 8);
			if (!s)
				goto nomem;
			for (uint32_t k = 0; k < p.intlen; k++)
				put_n(s->data + 8 * (size_t)k, p.inttab[k], 8, m);
		}
		if (p.strlen) {
			tab[1] = w->n + 1;
			s = add_sec(w, ".difvm.strtab.", p.name, DIF_OBJ_SHT_STRTAB,
			            SHF_STRINGS, 1, 1, p.strlen);
			if (!s)
				goto nomem;
			memcpy(s->data, p.strtab, p.strlen);
		}
		if (p.varlen) {
			tab[2] = w->n + 1;
			s = add_sec(w, ".difvm.vartab.", p.name, DIF_OBJ_SHT_VARTAB,
			            0, 4, DIF_OBJ_VAR_SIZE,
			            (size_t)p.varlen * DIF_OBJ_VAR_SIZE);
			if (!s)
				goto nomem;
			for (uint32_t k = 0; k < p.varlen; k++) {
				lb_put_var(s->data + (size_t)k * DIF_OBJ_VAR_SIZE,
				           &p.vartab[k], m);
			}
		}
		if (p.symlen || p.nrelocs) {
			uint32_t symstr = 0;
			if (p.symlen) {
				symstr = w->n + 1;
				s = add_sec(w, ".difvm.symstr.", p.name, DIF_OBJ_SHT_SYMSTR,
				            SHF_STRINGS, 1, 1, p.symlen);
				if (!s)
					goto nomem;
				memcpy(s->data, p.symtab, p.symlen);
			}
			s = add_sec(w, ".difvm.rel.", p.name, DIF_OBJ_SHT_REL, 0, 8,
			            DIF_OBJ_REL_SIZE, (size_t)p.nrelocs * DIF_OBJ_REL_SIZE);
			if (!s)
				goto nomem;
			s->link = symstr;
			s->info = text;
			for (uint32_t k = 0; k < p.nrelocs; k++) {
				uint8_t *o = s->data + (size_t)k * DIF_OBJ_REL_SIZE;
				const struct dif_reloc *rl = &p.relocs[k];
				put_n(o, (uint64_t)rl->pc * 4, 4, m);
				put_n(o + 4, rl->kind, 2, m);
				put_n(o + 6, rl->flags, 2, m);
				put_n(o + 8, rl->type, 4, m);
				put_n(o + 12, rl->path, 4, m);
			}
		}
		uint8_t *rec = w->s[difos - 1].data + d * DIF_OBJ_DIFO_SIZE;
		put_n(rec, d + 1, 4, m);
		put_n(rec + 4, text, 4, m);
		for (int t = 0; t < 3; t++)
			put_n(rec + 8 + 4 * t, tab[t], 4, m);
		put_type(rec + 20, &p.rtype, m);
		put_n(rec + 28, (uint32_t)dif_difo_varid(difo) & DESC_IDS_MASK, 4, m);
		put_n(rec + 32, dif_difo_ptr(difo), 8, m);

		Elf64_Sym *sym = &syms[d + 1];
		sym->st_name = (Elf64_Word)so;
		sym->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
		sym->st_shndx = (Elf64_Half)text;
		sym->st_size = (Elf64_Xword)p.textlen * 4;
		memcpy(strs + so, p.name, strlen(p.name) + 1);
		so += strlen(p.name) + 1;
	}
	/* libelf converts the symbols to the file's byte order. */
	struct wsec *sy = add_sec(w, ".symtab", NULL, SHT_SYMTAB, 0, 8,
	                          sizeof(Elf64_Sym), (nd + 1) * sizeof(Elf64_Sym));
	if (!sy)
		goto nomem;
	memcpy(sy->data, syms, (nd + 1) * sizeof(Elf64_Sym));
	sy->dtype = ELF_T_SYM;
	sy->link = w->n + 1;
	sy->info = 1;
	struct wsec *st = add_sec(w, ".strtab", NULL, SHT_STRTAB, SHF_STRINGS, 1,
	                          0, strsz);
	if (!st)
		goto nomem;
	memcpy(st->data, strs, strsz);
	free(syms);
	free(strs);
	if (w->n > SHN_LORESERVE - 2)
		return DIF_E_LIMIT;
	return 0;
nomem:
	free(syms);
	free(strs);
	return DIF_E_NOMEM;
}

/* Section name table, laid out in section order. */
static int add_shstrtab(struct wr *w)
{
	size_t sz = 1 + sizeof(".shstrtab");
	for (uint32_t i = 0; i < w->n; i++)
		sz += strlen(w->s[i].name) + 1;
	uint32_t n = w->n;
	struct wsec *ss = add_sec(w, ".shstrtab", NULL, SHT_STRTAB, SHF_STRINGS,
	                          1, 0, sz);
	if (!ss)
		return DIF_E_NOMEM;
	size_t o = 1;
	for (uint32_t i = 0; i <= n; i++) {
		size_t l = strlen(w->s[i].name) + 1;
		memcpy(ss->data + o, w->s[i].name, l);
		w->s[i].off = o; /* name offset for now; file offset later */
		o += l;
	}
	return 0;
}

static int emit(struct wr *w, void **buf, size_t *len)
{
	int fd = memfd_create("difobj", MFD_CLOEXEC);
	if (fd < 0) {
		FILE *tf = tmpfile();
		fd = tf ? dup(fileno(tf)) : -1;
		if (tf)
			fclose(tf);
	}
	if (fd < 0) {
		dif_errf(w->errs, DIF_E_IO, DIF_NO_PC, NULL, NULL,
		         "object: cannot create a scratch file: %s", strerror(errno));
		return DIF_E_IO;
	}
	int rc = DIF_E_OBJ_LIBELF;
	Elf *e = NULL;
	if (elf_version(EV_CURRENT) == EV_NONE)
		goto libelf;
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	Elf64_Ehdr *eh = e ? elf64_newehdr(e) : NULL;
	if (!eh)
		goto libelf;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = w->msb ? ELFDATA2MSB : ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh->e_type = ET_REL;
	eh->e_machine = EM_NONE;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = EHDR_SIZE;
	eh->e_shentsize = SHDR_SIZE;
	eh->e_shstrndx = (Elf64_Half)w->n; /* the last section */

	uint64_t off = EHDR_SIZE;
	for (uint32_t i = 0; i < w->n; i++) {
		struct wsec *s = &w->s[i];
		Elf_Scn *scn = elf_newscn(e);
		Elf64_Shdr *sh = scn ? elf64_getshdr(scn) : NULL;
		Elf_Data *d = scn ? elf_newdata(scn) : NULL;
		if (!sh || !d)
			goto libelf;
		off = (off + s->align - 1) & ~(s->align - 1);
		sh->sh_name = (Elf64_Word)s->off;
		sh->sh_type = s->type;
		sh->sh_flags = s->flags;
		sh->sh_offset = off;
		sh->sh_size = s->size;
		sh->sh_link = s->link;
		sh->sh_info = s->info;
		sh->sh_addralign = s->align;
		sh->sh_entsize = s->entsize;
		d->d_buf = s->data;
		d->d_size = s->size;
		d->d_type = s->dtype;
		d->d_align = s->align;
		d->d_off = 0;
		d->d_version = EV_CURRENT;
		off += s->size;
	}
	eh->e_shoff = (off + 7) & ~(uint64_t)7;
	elf_fill(0); /* the default, restated: padding must be zero */
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	off_t total = elf_update(e, ELF_C_WRITE);
	if (total < 0)
		goto libelf;
	elf_end(e);
	e = NULL;
	uint8_t *b = malloc(total ? (size_t)total : 1);
	if (!b) {
		rc = DIF_E_NOMEM;
		dif_errf(w->errs, rc, DIF_NO_PC, NULL, NULL, "out of memory");
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)total) {
		ssize_t k = pread(fd, b + got, (size_t)total - got, (off_t)got);
		if (k <= 0) {
			free(b);
			rc = DIF_E_IO;
			dif_errf(w->errs, rc, DIF_NO_PC, NULL, NULL,
			         "object: cannot read back the scratch file");
			goto out;
		}
		got += (size_t)k;
	}
	*buf = b;
	*len = got;
	rc = 0;
	goto out;
libelf:
	dif_errf(w->errs, DIF_E_OBJ_LIBELF, DIF_NO_PC, NULL, NULL,
	         "object: libelf: %s", elf_errmsg(-1));
out:
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

int dif_obj_write(const struct dif_module *mod, const struct dif_obj_opts *opts,
                  void **buf, size_t *len, struct dif_errors *errs)
{
	if (!buf || !len)
		return DIF_E_INVAL;
	*buf = NULL;
	*len = 0;
	if (!mod) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "object: no module to write");
		return DIF_E_INVAL;
	}
	if (opts && opts->size < sizeof(size_t)) {
		dif_errf(errs, DIF_E_OPTS, DIF_NO_PC, NULL, NULL,
		         "object: options size not set");
		return DIF_E_OPTS;
	}
	enum dif_profile profile = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	enum dif_obj_byteorder order = DIF_OPT(opts, order, DIF_OBJ_NATIVE);
	if ((unsigned)profile > DIF_PROFILE_ILLUMOS ||
	    (unsigned)order > DIF_OBJ_MSB) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "object: unknown profile %u or byte order %u",
		         (unsigned)profile, (unsigned)order);
		return DIF_E_INVAL;
	}
	for (size_t d = 0; d < dif_module_count(mod); d++)
		if (!dif_difo_name(dif_module_get(mod, d))[0]) {
			dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
			         "object: DIFO %zu has an empty name", d);
			return DIF_E_INVAL;
		}
	struct wr w;
	memset(&w, 0, sizeof(w));
	w.errs = errs;
	w.msb = order == DIF_OBJ_NATIVE ? host_msb() : order == DIF_OBJ_MSB;
	int rc = build_sections(&w, mod, profile);
	if (rc == 0)
		rc = add_shstrtab(&w);
	if (rc)
		dif_errf(errs, rc, DIF_NO_PC, NULL, NULL, "object: %s",
		         dif_err_text(rc));
	else
		rc = emit(&w, buf, len);
	free_secs(&w);
	return rc;
}
