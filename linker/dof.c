/*
 * DOF reader and writer (docs/linking.md, dif-isa.md section 9).
 *
 * The reader decodes the bytes itself, in the file's byte order, checks
 * every offset and size against the buffer before use, and stops at the
 * first broken rule with the section index and the rule. It follows the
 * kernel's rules where the kernel has one (header, section table, DIFO
 * headers, relocations, helper providers) and is stricter where reading
 * would otherwise go out of bounds.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/dof.h"
#include "difvm/internal.h"
#include "bytes.h"
#include "difvm/hash.h"

#define HDR_SIZE 64u
#define SEC_SIZE 32u
#define SECIDX_NONE 0xffffffffu
#define ECB_SIZE 24u
#define PROBEDESC_SIZE 24u
#define ACT_SIZE 32u
#define RELHDR_SIZE 12u
#define REL_SIZE 24u
#define PROVIDER_SIZE 40u /* without prenoffs (DOF version 1) */
#define PROVIDER_SIZE2 44u
#define PROBE_SIZE 48u
#define NAME_MAX_LEN 63u
#define ACT_DIFEXPR 1u

static const char *const sect_names[] = {
	"NONE", "COMMENTS", "SOURCE", "ECBDESC", "PROBEDESC", "ACTDESC",
	"DIFOHDR", "DIF", "STRTAB", "VARTAB", "RELTAB", "TYPTAB", "URELHDR",
	"KRELHDR", "OPTDESC", "PROVIDER", "PROBES", "PRARGS", "PROFFS",
	"INTTAB", "UTSNAME", "XLTAB", "XLMEMBERS", "XLIMPORT", "XLEXPORT",
	"PREXPORT", "PRENOFFS",
};
#define NSECT_NAMES (sizeof(sect_names) / sizeof(sect_names[0]))

const char *dif_dof_sect_name(uint32_t type)
{
	return type < NSECT_NAMES ? sect_names[type] : NULL;
}

/* Types the kernel loads: they must carry DOF_SECF_LOAD. */
static int loadable_type(uint32_t t)
{
	return (t >= DIF_DOF_SECT_ECBDESC && t <= DIF_DOF_SECT_INTTAB) ||
	       (t >= DIF_DOF_SECT_XLTAB && t <= DIF_DOF_SECT_PRENOFFS);
}

struct dsec {
	uint32_t type, align, flags, entsize;
	uint64_t off, size;
	uint32_t difo; /* DIFOHDR: 1 + index in the module, 0 if not built */
	uint32_t ntypes; /* DIFOHDR: entries of its TYPTAB, if linked */
};

struct dof_ecb {
	uint32_t sec, probes, pred, actions;
	uint64_t uarg;
	char desc[256];
};

struct dif_dof {
	uint8_t *b; /* owned copy of the DOF bytes */
	size_t len;
	int msb;
	struct dif_dof_header h;
	struct dsec *s;
	struct dif_module *mod;
	struct dif_dof_provider *prov;
	size_t nprov;
	struct dif_dof_probe *probes; /* all providers' probes */
	uint32_t *offs;               /* host-order copies */
	size_t nprobes_total, noffs_total;
	struct dif_dof_reloc *rel;
	size_t nrel;
	struct dof_ecb *ecb;
	size_t necb;
	char utsname[3 * 65];         /* sysname nodename release, or "" */
	char comments[128];
};

struct rd {
	struct dif_dof *d;
	struct dif_errors *errs;
	enum dif_profile profile;
};

static int fail(struct rd *r, int code, uint32_t sec, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct rd *r, int code, uint32_t sec, const char *fmt, ...)
{
	char msg[200], obj[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (sec == SECIDX_NONE) {
		dif_errf(r->errs, code, DIF_NO_PC, NULL, NULL, "DOF: %s", msg);
	} else {
		const char *tn = r->d->s ? dif_dof_sect_name(r->d->s[sec].type) : 0;
		snprintf(obj, sizeof(obj), "section %u", sec);
		dif_errf(r->errs, code, DIF_NO_PC, obj, NULL,
		         "DOF section %u (%s): %s", sec, tn ? tn : "unknown", msg);
	}
	return code;
}

static uint64_t g(const struct rd *r, uint64_t off, unsigned n)
{
	return lb_get(r->d->b + off, n, r->d->msb);
}

/* ---------------------------------------------------------------------
 * ELF container: the DOF inside a .SUNW_dof section.
 */
static int elf_find_dof(struct rd *r, const uint8_t *b, size_t len,
                        uint64_t *off, uint64_t *size)
{
	if (len < 16)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "ELF: identification truncated (%zu bytes)", len);
	int c64 = b[4] == 2, msb = b[5] == 2;
	if ((b[4] != 1 && b[4] != 2) || (b[5] != 1 && b[5] != 2))
		return fail(r, DIF_E_OBJ_CLASS, SECIDX_NONE,
		            "ELF: class %u / data %u not supported", b[4], b[5]);
	size_t eh = c64 ? 64 : 52, shs = c64 ? 64 : 40;
	if (len < eh)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "ELF: header truncated (%zu bytes)", len);
	uint64_t shoff = c64 ? lb_get(b + 40, 8, msb) : lb_get(b + 32, 4, msb);
	unsigned shentsize = (unsigned)lb_get(b + (c64 ? 58 : 46), 2, msb);
	uint64_t shnum = lb_get(b + (c64 ? 60 : 48), 2, msb);
	uint64_t shstrndx = lb_get(b + (c64 ? 62 : 50), 2, msb);
	if (shentsize != shs)
		return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
		            "ELF: section header size %u, expected %zu", shentsize,
		            shs);
	if (shoff == 0 || shoff > len || len - shoff < shs)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "ELF: section header table at %llu outside the file",
		            (unsigned long long)shoff);
	const uint8_t *s0 = b + shoff;
	/* extended numbering: counts in section 0 */
	if (shnum == 0)
		shnum = c64 ? lb_get(s0 + 32, 8, msb) : lb_get(s0 + 20, 4, msb);
	if (shstrndx == 0xffff)
		shstrndx = lb_get(s0 + (c64 ? 40 : 24), 4, msb);
	if (shnum > (len - shoff) / shs)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "ELF: %llu section headers do not fit in the file",
		            (unsigned long long)shnum);
	if (shstrndx >= shnum)
		return fail(r, DIF_E_OBJ_INDEX, SECIDX_NONE,
		            "ELF: section name table index %llu out of range",
		            (unsigned long long)shstrndx);
	const uint8_t *ss = b + shoff + shstrndx * shs;
	uint64_t nmoff = c64 ? lb_get(ss + 24, 8, msb) : lb_get(ss + 16, 4, msb);
	uint64_t nmsz = c64 ? lb_get(ss + 32, 8, msb) : lb_get(ss + 20, 4, msb);
	if (nmoff > len || nmsz > len - nmoff)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "ELF: section name table outside the file");
	for (uint64_t i = 1; i < shnum; i++) {
		const uint8_t *sh = b + shoff + i * shs;
		uint64_t nm = lb_get(sh, 4, msb);
		static const char want[] = ".SUNW_dof";
		if (nm >= nmsz || nmsz - nm < sizeof(want) ||
		    memcmp(b + nmoff + nm, want, sizeof(want)) != 0)
			continue;
		*off = c64 ? lb_get(sh + 24, 8, msb) : lb_get(sh + 16, 4, msb);
		*size = c64 ? lb_get(sh + 32, 8, msb) : lb_get(sh + 20, 4, msb);
		if (*off > len || *size > len - *off)
			return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
			            "ELF: .SUNW_dof (section %llu) extends past the "
			            "end of the file", (unsigned long long)i);
		return 0;
	}
	return fail(r, DIF_E_OBJ_MISSING, SECIDX_NONE,
	            "ELF file without a .SUNW_dof section");
}

/* ---------------------------------------------------------------------
 * Header and section table.
 */
static int read_header(struct rd *r)
{
	struct dif_dof *d = r->d;
	const uint8_t *b = d->b;
	if (d->len < 4 || memcmp(b, "\177DOF", 4) != 0)
		return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
		            "bad magic (expected 7f 44 4f 46)");
	if (d->len < HDR_SIZE)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "truncated: the header needs %u bytes, there are %zu",
		            HDR_SIZE, d->len);
	struct dif_dof_header *h = &d->h;
	h->model = b[4];
	h->encoding = b[5];
	h->version = b[6];
	h->difvers = b[7];
	h->iregs = b[8];
	h->tregs = b[9];
	if (h->model != 1 && h->model != 2)
		return fail(r, DIF_E_OBJ_CLASS, SECIDX_NONE,
		            "data model %u (1 ILP32, 2 LP64)", h->model);
	if (h->encoding != 1 && h->encoding != 2)
		return fail(r, DIF_E_OBJ_DATA, SECIDX_NONE,
		            "encoding %u (1 LSB, 2 MSB)", h->encoding);
	d->msb = h->encoding == 2;
	if (h->version < 1 || h->version > 3)
		return fail(r, DIF_E_OBJ_VERSION, SECIDX_NONE,
		            "DOF version %u (1, 2, or Apple's 3)", h->version);
	if (h->difvers != 2)
		return fail(r, DIF_E_OBJ_VERSION, SECIDX_NONE,
		            "DIF version %u (2 expected)", h->difvers);
	if (h->iregs > DIF_NREGS || h->tregs > DIF_NTREGS)
		return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
		            "%u integer / %u tuple registers (at most 8 each)",
		            h->iregs, h->tregs);
	for (int i = 10; i < 16; i++)
		if (b[i])
			return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
			            "identification byte %d is %u, must be 0", i, b[i]);
	uint32_t flags = (uint32_t)g(r, 16, 4), hdrsize = (uint32_t)g(r, 20, 4);
	uint32_t secsize = (uint32_t)g(r, 24, 4);
	h->secnum = (uint32_t)g(r, 28, 4);
	uint64_t secoff = g(r, 32, 8);
	h->loadsz = g(r, 40, 8);
	h->filesz = g(r, 48, 8);
	if (flags)
		return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
		            "header flags 0x%x, must be 0", flags);
	if (hdrsize != HDR_SIZE)
		return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
		            "header size %u, expected %u", hdrsize, HDR_SIZE);
	if (secsize < SEC_SIZE || secsize % 8)
		return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
		            "section header size %u (at least %u, a multiple of 8)",
		            secsize, SEC_SIZE);
	if (secoff % 8)
		return fail(r, DIF_E_OBJ_ALIGN, SECIDX_NONE,
		            "section headers at offset %llu, not 8-byte aligned",
		            (unsigned long long)secoff);
	if (h->filesz > d->len)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "truncated: the header says %llu bytes, there are %zu",
		            (unsigned long long)h->filesz, d->len);
	if (h->loadsz > h->filesz)
		return fail(r, DIF_E_OBJ_FORMAT, SECIDX_NONE,
		            "load size %llu exceeds the file size %llu",
		            (unsigned long long)h->loadsz,
		            (unsigned long long)h->filesz);
	if (h->loadsz > DIF_DOF_MAX_LOADSZ)
		return fail(r, DIF_E_OBJ_OVERSIZE, SECIDX_NONE,
		            "load size %llu exceeds the %u-byte limit",
		            (unsigned long long)h->loadsz, DIF_DOF_MAX_LOADSZ);
	if (h->secnum > DIF_DOF_MAX_SECTIONS)
		return fail(r, DIF_E_OBJ_OVERSIZE, SECIDX_NONE,
		            "%u sections; at most %u", h->secnum,
		            DIF_DOF_MAX_SECTIONS);
	if (secoff > h->loadsz ||
	    (uint64_t)h->secnum * secsize > h->loadsz - secoff)
		return fail(r, DIF_E_OBJ_TRUNCATED, SECIDX_NONE,
		            "%u section headers of %u bytes at offset %llu do not "
		            "fit in the load size %llu", h->secnum, secsize,
		            (unsigned long long)secoff,
		            (unsigned long long)h->loadsz);
	d->s = calloc(h->secnum ? h->secnum : 1, sizeof(*d->s));
	if (!d->s)
		return fail(r, DIF_E_NOMEM, SECIDX_NONE, "out of memory");
	for (uint32_t i = 0; i < h->secnum; i++) {
		uint64_t o = secoff + (uint64_t)i * secsize;
		struct dsec *s = &d->s[i];
		s->type = (uint32_t)g(r, o, 4);
		s->align = (uint32_t)g(r, o + 4, 4);
		s->flags = (uint32_t)g(r, o + 8, 4);
		s->entsize = (uint32_t)g(r, o + 12, 4);
		s->off = g(r, o + 16, 8);
		s->size = g(r, o + 24, 8);
	}
	for (uint32_t i = 0; i < h->secnum; i++) {
		struct dsec *s = &d->s[i];
		int load = s->flags & 1u;
		if (s->flags & ~1u)
			return fail(r, DIF_E_OBJ_FORMAT, i,
			            "unknown flags 0x%x (only DOF_SECF_LOAD 1)",
			            s->flags);
		if (loadable_type(s->type) && !load)
			return fail(r, DIF_E_OBJ_SECTION, i,
			            "a loadable section type without DOF_SECF_LOAD");
		if (!load) {
			if (s->off > h->filesz || s->size > h->filesz - s->off)
				return fail(r, DIF_E_OBJ_TRUNCATED, i,
				            "offset %llu size %llu extends past the file "
				            "size %llu", (unsigned long long)s->off,
				            (unsigned long long)s->size,
				            (unsigned long long)h->filesz);
			continue;
		}
		if (s->align == 0 || (s->align & (s->align - 1)))
			return fail(r, DIF_E_OBJ_ALIGN, i,
			            "alignment %u is not a power of two", s->align);
		if (s->off % s->align)
			return fail(r, DIF_E_OBJ_ALIGN, i,
			            "offset %llu is not %u-byte aligned",
			            (unsigned long long)s->off, s->align);
		if (s->off > h->loadsz || s->size > h->loadsz - s->off)
			return fail(r, DIF_E_OBJ_TRUNCATED, i,
			            "offset %llu size %llu extends past the load size "
			            "%llu", (unsigned long long)s->off,
			            (unsigned long long)s->size,
			            (unsigned long long)h->loadsz);
		if (s->type == DIF_DOF_SECT_STRTAB &&
		    (s->size == 0 || d->b[s->off + s->size - 1] != '\0'))
			return fail(r, DIF_E_OBJ_STRING, i,
			            "string table does not end with NUL");
	}
	return 0;
}

/* Section index idx (named `what` in messages, referenced from section
 * from) must exist, have type want (0: any) and be loaded. */
static int ref(struct rd *r, uint32_t from, uint32_t idx, uint32_t want,
               const char *what)
{
	if (idx >= r->d->h.secnum)
		return fail(r, DIF_E_OBJ_INDEX, from,
		            "%s section index %u out of range (%u sections)", what,
		            idx, r->d->h.secnum);
	const struct dsec *s = &r->d->s[idx];
	if (want && s->type != want)
		return fail(r, DIF_E_OBJ_SECTION, from,
		            "%s is section %u of type %s, expected %s", what, idx,
		            dif_dof_sect_name(s->type) ? dif_dof_sect_name(s->type)
		                                       : "unknown",
		            dif_dof_sect_name(want));
	if (!(s->flags & 1u))
		return fail(r, DIF_E_OBJ_SECTION, from,
		            "%s (section %u) is not loadable", what, idx);
	return 0;
}

/* Checks a section's record layout: alignment, minimum size, entry size. */
static int layout(struct rd *r, uint32_t i, uint32_t align, uint64_t minsize,
                  uint32_t entsize)
{
	const struct dsec *s = &r->d->s[i];
	if (align && s->align != align)
		return fail(r, DIF_E_OBJ_ALIGN, i, "alignment %u, expected %u",
		            s->align, align);
	if (s->size < minsize)
		return fail(r, DIF_E_OBJ_SECTION, i,
		            "size %llu, at least %llu expected",
		            (unsigned long long)s->size,
		            (unsigned long long)minsize);
	if (entsize) {
		if (s->entsize < entsize)
			return fail(r, DIF_E_OBJ_SECTION, i,
			            "entry size %u, at least %u expected", s->entsize,
			            entsize);
		if (s->size % s->entsize)
			return fail(r, DIF_E_OBJ_SECTION, i,
			            "size %llu is not a multiple of the entry size %u",
			            (unsigned long long)s->size, s->entsize);
	}
	return 0;
}

/* A string at offset off of STRTAB section st, checked by section from. */
static int str(struct rd *r, uint32_t from, uint32_t st, uint64_t off,
               const char *what, const char **out)
{
	const struct dsec *s = &r->d->s[st];
	if (off >= s->size)
		return fail(r, DIF_E_OBJ_INDEX, from,
		            "%s: string offset %llu outside the string table "
		            "(section %u, %llu bytes)", what,
		            (unsigned long long)off, st,
		            (unsigned long long)s->size);
	*out = (const char *)r->d->b + s->off + off;
	return 0;
}

/* ---------------------------------------------------------------------
 * DIFOs.
 */
static int read_difo(struct rd *r, uint32_t hs, const char *name,
                     uint64_t ptr, uint64_t ids)
{
	struct dif_dof *d = r->d;
	struct dsec *h = &d->s[hs];
	int rc = layout(r, hs, 4, 12, 0);
	if (rc)
		return rc;
	if (h->size % 4)
		return fail(r, DIF_E_OBJ_SECTION, hs,
		            "size %llu is not a multiple of 4",
		            (unsigned long long)h->size);
	struct dif_type rtype;
	lb_get_type(d->b + h->off, d->msb, &rtype);
	/* DIF, INTTAB, STRTAB, VARTAB, TYPTAB. The kernel knows the first
	 * four; a TYPTAB (dtrace_diftype_t records, which no compiler
	 * emits) is checked and counted, not used. */
	uint32_t sub[5] = {0, 0, 0, 0, 0};
	int have[5] = {0, 0, 0, 0, 0};
	static const uint32_t want_align[5] = {4, 8, 1, 4, 4};
	static const uint32_t want_ent[5] = {4, 8, 0, LB_VAR_SIZE, 8};
	static const char *const what[5] = {"DIF", "INTTAB", "STRTAB", "VARTAB",
	                                    "TYPTAB"};
	uint64_t total = 0;
	for (uint64_t o = 8; o < h->size; o += 4) {
		uint32_t idx = (uint32_t)g(r, h->off + o, 4);
		if (idx >= d->h.secnum)
			return fail(r, DIF_E_OBJ_INDEX, hs,
			            "linked section index %u out of range (%u "
			            "sections)", idx, d->h.secnum);
		const struct dsec *s = &d->s[idx];
		if (!(s->flags & 1u))
			continue; /* the kernel skips non-loadable ones */
		int k;
		switch (s->type) {
		case DIF_DOF_SECT_DIF: k = 0; break;
		case DIF_DOF_SECT_INTTAB: k = 1; break;
		case DIF_DOF_SECT_STRTAB: k = 2; break;
		case DIF_DOF_SECT_VARTAB: k = 3; break;
		case DIF_DOF_SECT_TYPTAB: k = 4; break;
		default:
			return fail(r, DIF_E_OBJ_SECTION, hs,
			            "unrecognized DIFO subsection %u of type %s", idx,
			            dif_dof_sect_name(s->type)
			                    ? dif_dof_sect_name(s->type) : "unknown");
		}
		if (have[k])
			return fail(r, DIF_E_OBJ_DUPLICATE, hs,
			            "multiple %s sections (%u and %u)", what[k],
			            sub[k], idx);
		if (s->align != want_align[k] || s->entsize != want_ent[k])
			return fail(r, DIF_E_OBJ_ALIGN, idx,
			            "%s of DIFO header %u: alignment %u entry size %u, "
			            "expected %u and %u", what[k], hs, s->align,
			            s->entsize, want_align[k], want_ent[k]);
		if (want_ent[k] && s->size % want_ent[k])
			return fail(r, DIF_E_OBJ_SECTION, idx,
			            "size %llu is not a multiple of %u",
			            (unsigned long long)s->size, want_ent[k]);
		total += s->size;
		if (total > DIF_DIFO_MAXSIZE)
			return fail(r, DIF_E_OBJ_OVERSIZE, hs,
			            "linked sections exceed %u bytes",
			            DIF_DIFO_MAXSIZE);
		have[k] = 1;
		sub[k] = idx;
	}
	if (!have[0])
		return fail(r, DIF_E_OBJ_MISSING, hs, "no DIF section");
	h->ntypes = have[4] ? (uint32_t)(d->s[sub[4]].size / 8) : 0;
	const struct dsec *tx = &d->s[sub[0]];
	uint32_t ntext = (uint32_t)(tx->size / 4);
	uint32_t nint = have[1] ? (uint32_t)(d->s[sub[1]].size / 8) : 0;
	uint32_t nvar = have[3] ? (uint32_t)(d->s[sub[3]].size / LB_VAR_SIZE) : 0;
	/* (65536 integer-table entries exceed DIF_DIFO_MAXSIZE: no check) */
	uint32_t *text = malloc((ntext ? ntext : 1) * sizeof(*text));
	uint64_t *ints = malloc((nint ? nint : 1) * sizeof(*ints));
	struct dif_var *vars = calloc(nvar ? nvar : 1, sizeof(*vars));
	if (!text || !ints || !vars) {
		rc = fail(r, DIF_E_NOMEM, hs, "out of memory");
		goto out;
	}
	for (uint32_t k = 0; k < ntext; k++)
		text[k] = (uint32_t)g(r, tx->off + 4 * (uint64_t)k, 4);
	for (uint32_t k = 0; k < nint; k++)
		ints[k] = g(r, d->s[sub[1]].off + 8 * (uint64_t)k, 8);
	for (uint32_t k = 0; k < nvar; k++) {
		lb_get_var(d->b + d->s[sub[3]].off + (uint64_t)k * LB_VAR_SIZE,
		           d->msb, &vars[k]);
		/* the kernel's fix-up before validation (dif-isa.md 5.5) */
		if (vars[k].id >= DIF_VAR_OTHER_UBASE &&
		    vars[k].type.kind == DIF_TYPE_STRING && vars[k].type.size == 0)
			vars[k].type.size = DIF_STRSIZE_DEFAULT;
	}
	DIF_OPTS(dif_difo_parts, p, .name = name, .text = text,
	         .textlen = ntext, .inttab = ints, .intlen = nint,
	         .strtab = have[2] ? (const char *)d->b + d->s[sub[2]].off : NULL,
	         .strlen = have[2] ? (uint32_t)d->s[sub[2]].size : 0,
	         .vartab = vars, .varlen = nvar, .rtype = rtype);
	struct dif_difo *difo = NULL;
	rc = dif_difo_create(&p, &difo, r->errs);
	if (rc == 0) {
		dif_difo_set_ptr(difo, ptr);
		if (ids == DIF_VARID_DEC || ids == DIF_VARID_HEX)
			dif_difo_set_varid(difo, (enum dif_varid_style)ids);
		rc = dif_module_add(d->mod, difo);
		if (rc == DIF_E_LIMIT)
			fail(r, rc, hs, DIF_MODULE_LIMIT_FMT, name,
			     dif_module_max(d->mod));
		else if (rc)
			fail(r, rc, hs, "cannot add DIFO '%s'", name);
		else
			h->difo = (uint32_t)dif_module_count(d->mod);
	}
out:
	free(text);
	free(ints);
	free(vars);
	return rc;
}

/* ---------------------------------------------------------------------
 * ECBs: probe descriptions name the DIFOs.
 */
static int read_probedesc(struct rd *r, uint32_t ps, char *out, size_t cap)
{
	int rc = layout(r, ps, 4, PROBEDESC_SIZE, 0);
	if (rc)
		return rc;
	const struct dsec *s = &r->d->s[ps];
	uint32_t st = (uint32_t)g(r, s->off, 4);
	if ((rc = ref(r, ps, st, DIF_DOF_SECT_STRTAB, "string table")))
		return rc;
	const char *f[4];
	static const char *const fw[4] = {"provider", "module", "function",
	                                  "name"};
	for (int k = 0; k < 4; k++) {
		uint32_t o = (uint32_t)g(r, s->off + 4 + 4 * (uint64_t)k, 4);
		if (o == SECIDX_NONE) {
			f[k] = "";
			continue;
		}
		if ((rc = str(r, ps, st, o, fw[k], &f[k])))
			return rc;
	}
	if (!f[0][0] && !f[1][0] && !f[2][0])
		snprintf(out, cap, "%s", f[3]);
	else
		snprintf(out, cap, "%s:%s:%s:%s", f[0], f[1], f[2], f[3]);
	return 0;
}

/* The name of a DIFO used by ECB e: "<desc><suffix>" if it fits and is
 * free, else "ecb<e><suffix>", else "difo@<section>" made unique with
 * "#2", "#3", ... (which always ends: the names are finite). */
static int pick_name(struct rd *r, struct dif_hmap *used, const char *base,
                     size_t e, const char *suffix, uint32_t hs, char *out)
{
	char cand[NAME_MAX_LEN + 64];
	size_t bl = strlen(base), sl = strlen(suffix);
	for (unsigned k = 0;; k++) {
		int ok = 1;
		if (k == 0) {
			ok = base[0] && bl + sl <= NAME_MAX_LEN;
			if (ok) {
				memcpy(cand, base, bl);
				memcpy(cand + bl, suffix, sl + 1);
			}
		} else if (k == 1) {
			ok = snprintf(cand, sizeof(cand), "ecb%zu%s", e, suffix) <=
			     (int)NAME_MAX_LEN;
		} else if (k == 2) {
			snprintf(cand, sizeof(cand), "difo@%u", hs);
		} else {
			snprintf(cand, sizeof(cand), "difo@%u#%u", hs, k - 1);
		}
		if (!ok)
			continue;
		int p = dif_hm_add(used, cand, strlen(cand), 1, NULL);
		if (p < 0)
			return fail(r, DIF_E_NOMEM, hs, "out of memory");
		if (p == 1) {
			memcpy(out, cand, NAME_MAX_LEN + 1);
			return 0;
		}
	}
}

static int use_difo(struct rd *r, struct dif_hmap *used, uint32_t from,
                    uint32_t hs, const char *base, size_t e,
                    const char *suffix, uint64_t ptr, uint64_t ids)
{
	if (hs == SECIDX_NONE)
		return 0;
	int rc = ref(r, from, hs, DIF_DOF_SECT_DIFOHDR, "DIFO");
	if (rc || r->d->s[hs].difo)
		return rc; /* shared DIFOs keep their first name */
	char name[NAME_MAX_LEN + 1];
	if ((rc = pick_name(r, used, base, e, suffix, hs, name)))
		return rc;
	return read_difo(r, hs, name, ptr, ids);
}

static int read_ecbs(struct rd *r, struct dif_hmap *used)
{
	struct dif_dof *d = r->d;
	size_t n = 0;
	for (uint32_t i = 0; i < d->h.secnum; i++)
		n += d->s[i].type == DIF_DOF_SECT_ECBDESC;
	d->ecb = calloc(n ? n : 1, sizeof(*d->ecb));
	if (!d->ecb)
		return fail(r, DIF_E_NOMEM, SECIDX_NONE, "out of memory");
	struct dif_hmap bases = {0}; /* descriptions seen -> count */
	int rc = 0;
	for (uint32_t i = 0; i < d->h.secnum && !rc; i++) {
		const struct dsec *s = &d->s[i];
		if (s->type != DIF_DOF_SECT_ECBDESC)
			continue;
		size_t e = d->necb++;
		struct dof_ecb *ec = &d->ecb[e];
		if ((rc = layout(r, i, 8, ECB_SIZE, 0)))
			break;
		ec->sec = i;
		ec->probes = (uint32_t)g(r, s->off, 4);
		ec->pred = (uint32_t)g(r, s->off + 4, 4);
		ec->actions = (uint32_t)g(r, s->off + 8, 4);
		ec->uarg = g(r, s->off + 16, 8);
		if ((rc = ref(r, i, ec->probes, DIF_DOF_SECT_PROBEDESC,
		              "probe description")) ||
		    (rc = read_probedesc(r, ec->probes, ec->desc,
		                         sizeof(ec->desc))))
			break;
		/* a description used by several ECBs: "desc#2", "desc#3", ... */
		char base[300];
		uint64_t cnt = 0;
		int p = dif_hm_add(&bases, ec->desc, strlen(ec->desc), 1, &cnt);
		if (p < 0) {
			rc = fail(r, DIF_E_NOMEM, i, "out of memory");
			break;
		}
		if (p == 0) {
			*dif_hm_get(&bases, ec->desc, strlen(ec->desc)) = cnt + 1;
			snprintf(base, sizeof(base), "%s#%llu", ec->desc,
			         (unsigned long long)cnt + 1);
		} else {
			snprintf(base, sizeof(base), "%s", ec->desc);
		}
		if ((rc = use_difo(r, used, i, ec->pred, base, e, "/pred", 0, 0)))
			break;
		if (ec->actions == SECIDX_NONE)
			continue;
		if ((rc = ref(r, i, ec->actions, DIF_DOF_SECT_ACTDESC, "actions")))
			break;
		const struct dsec *as = &d->s[ec->actions];
		if ((rc = layout(r, ec->actions, 8, ACT_SIZE, ACT_SIZE)))
			break;
		for (uint64_t j = 0; j < as->size / as->entsize && !rc; j++) {
			uint64_t o = as->off + j * as->entsize;
			uint32_t difo = (uint32_t)g(r, o, 4);
			uint32_t st = (uint32_t)g(r, o + 4, 4);
			if (st != SECIDX_NONE &&
			    (rc = ref(r, ec->actions, st, DIF_DOF_SECT_STRTAB,
			              "action string table")))
				break;
			char suffix[24] = "";
			if (j)
				snprintf(suffix, sizeof(suffix), "/%llu",
				         (unsigned long long)j);
			/* consumer-defined fields: the listing's DIFO label and
			 * id style, as dif_dof_write stores them */
			rc = use_difo(r, used, ec->actions, difo, base, e, suffix,
			              j == 0 ? ec->uarg : 0, g(r, o + 24, 8));
		}
	}
	dif_hm_free(&bases);
	return rc;
}

/* ---------------------------------------------------------------------
 * Relocations.
 */
static int read_relocs(struct rd *r)
{
	struct dif_dof *d = r->d;
	size_t n = 0;
	int rc;
	for (uint32_t i = 0; i < d->h.secnum; i++) {
		const struct dsec *s = &d->s[i];
		if (s->type != DIF_DOF_SECT_URELHDR && s->type != DIF_DOF_SECT_KRELHDR)
			continue;
		if ((rc = layout(r, i, 4, RELHDR_SIZE, 0)))
			return rc;
		uint32_t st = (uint32_t)g(r, s->off, 4);
		uint32_t rs = (uint32_t)g(r, s->off + 4, 4);
		uint32_t ts = (uint32_t)g(r, s->off + 8, 4);
		if ((rc = ref(r, i, st, DIF_DOF_SECT_STRTAB, "string table")) ||
		    (rc = ref(r, i, rs, DIF_DOF_SECT_RELTAB, "relocation table")) ||
		    (rc = ref(r, i, ts, 0, "target")) ||
		    (rc = layout(r, rs, 8, 0, REL_SIZE)))
			return rc;
		n += d->s[rs].size / d->s[rs].entsize;
	}
	d->rel = calloc(n ? n : 1, sizeof(*d->rel));
	if (!d->rel)
		return fail(r, DIF_E_NOMEM, SECIDX_NONE, "out of memory");
	uint64_t shdr_lo = g(r, 32, 8),
	         shdr_hi = shdr_lo + (uint64_t)d->h.secnum * g(r, 24, 4);
	for (uint32_t i = 0; i < d->h.secnum; i++) {
		const struct dsec *s = &d->s[i];
		if (s->type != DIF_DOF_SECT_URELHDR && s->type != DIF_DOF_SECT_KRELHDR)
			continue;
		uint32_t st = (uint32_t)g(r, s->off, 4);
		uint32_t rs = (uint32_t)g(r, s->off + 4, 4);
		uint32_t ts = (uint32_t)g(r, s->off + 8, 4);
		const struct dsec *rsec = &d->s[rs], *tsec = &d->s[ts];
		for (uint64_t j = 0; j < rsec->size / rsec->entsize; j++) {
			uint64_t o = rsec->off + j * rsec->entsize;
			struct dif_dof_reloc *rl = &d->rel[d->nrel];
			rl->header = i;
			rl->target = ts;
			rl->user = s->type == DIF_DOF_SECT_URELHDR;
			rl->type = (uint32_t)g(r, o + 4, 4);
			rl->offset = g(r, o + 8, 8);
			rl->data = g(r, o + 16, 8);
			if ((rc = str(r, rs, st, g(r, o, 4), "relocation name",
			              &rl->name)))
				return rc;
			if (rl->type > 2)
				return fail(r, DIF_E_OBJ_RELOC, rs,
				            "relocation %llu: invalid type %u (0 NONE, 1 "
				            "SETX, 2 DOFREL)", (unsigned long long)j,
				            rl->type);
			if (rl->type != 0) {
				if (rl->offset > tsec->size || tsec->size - rl->offset < 8)
					return fail(r, DIF_E_OBJ_RELOC, rs,
					            "relocation %llu: offset %llu + 8 is outside "
					            "the target section %u (%llu bytes)",
					            (unsigned long long)j,
					            (unsigned long long)rl->offset, ts,
					            (unsigned long long)tsec->size);
				uint64_t at = tsec->off + rl->offset;
				if (at % 8)
					return fail(r, DIF_E_OBJ_RELOC, rs,
					            "relocation %llu: the slot at file offset "
					            "%llu is not 8-byte aligned",
					            (unsigned long long)j,
					            (unsigned long long)at);
				if (at < shdr_hi && at + 8 > shdr_lo)
					return fail(r, DIF_E_OBJ_RELOC, rs,
					            "relocation %llu: the slot overlaps the "
					            "section headers", (unsigned long long)j);
			}
			d->nrel++;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * USDT providers.
 */
static int type_list(struct rd *r, uint32_t from, uint32_t st, uint32_t off,
                     unsigned n, const char *what, const char **out)
{
	/* n NUL-terminated strings back to back, all inside the table */
	const struct dsec *s = &r->d->s[st];
	int rc = str(r, from, st, off, what, out);
	if (rc || n == 0)
		return rc;
	uint64_t o = off;
	for (unsigned k = 0; k < n; k++) {
		if (o >= s->size)
			return fail(r, DIF_E_OBJ_INDEX, from,
			            "%s: %u type names run past the string table", what,
			            n);
		o += strlen((const char *)r->d->b + s->off + o) + 1;
	}
	return 0;
}

static int read_providers(struct rd *r)
{
	struct dif_dof *d = r->d;
	size_t np = 0, nprobe = 0, noff = 0;
	int rc;
	/* pass 1: structure and counts */
	for (uint32_t i = 0; i < d->h.secnum; i++) {
		const struct dsec *s = &d->s[i];
		if (s->type != DIF_DOF_SECT_PROVIDER)
			continue;
		if ((rc = layout(r, i, 4, PROVIDER_SIZE, 0)))
			return rc;
		uint32_t ix[4];
		static const uint32_t want[4] = {DIF_DOF_SECT_STRTAB,
		                                 DIF_DOF_SECT_PROBES,
		                                 DIF_DOF_SECT_PRARGS,
		                                 DIF_DOF_SECT_PROFFS};
		static const char *const what[4] = {"string table", "probes",
		                                    "argument mappings",
		                                    "probe offsets"};
		for (int k = 0; k < 4; k++) {
			ix[k] = (uint32_t)g(r, s->off + 4 * (uint64_t)k, 4);
			if ((rc = ref(r, i, ix[k], want[k], what[k])))
				return rc;
		}
		if ((rc = layout(r, ix[1], 8, 0, PROBE_SIZE)) ||
		    (rc = layout(r, ix[2], 1, 0, 1)) ||
		    (rc = layout(r, ix[3], 4, 0, 4)))
			return rc;
		uint32_t pe = d->h.version >= 2 && s->size >= PROVIDER_SIZE2
		                      ? (uint32_t)g(r, s->off + 40, 4) : 0;
		if (pe != 0) {
			if ((rc = ref(r, i, pe, DIF_DOF_SECT_PRENOFFS,
			              "is-enabled offsets")) ||
			    (rc = layout(r, pe, 4, 0, 4)))
				return rc;
			noff += d->s[pe].size / 4;
		}
		np++;
		nprobe += d->s[ix[1]].size / d->s[ix[1]].entsize;
		noff += d->s[ix[3]].size / 4;
	}
	d->prov = calloc(np ? np : 1, sizeof(*d->prov));
	d->probes = calloc(nprobe ? nprobe : 1, sizeof(*d->probes));
	d->offs = calloc(noff ? noff : 1, sizeof(*d->offs));
	if (!d->prov || !d->probes || !d->offs)
		return fail(r, DIF_E_NOMEM, SECIDX_NONE, "out of memory");
	/* pass 2: contents */
	for (uint32_t i = 0; i < d->h.secnum; i++) {
		const struct dsec *s = &d->s[i];
		if (s->type != DIF_DOF_SECT_PROVIDER)
			continue;
		struct dif_dof_provider *pv = &d->prov[d->nprov++];
		uint32_t st = (uint32_t)g(r, s->off, 4);
		uint32_t ps = (uint32_t)g(r, s->off + 4, 4);
		uint32_t as = (uint32_t)g(r, s->off + 8, 4);
		uint32_t os = (uint32_t)g(r, s->off + 12, 4);
		uint32_t pe = d->h.version >= 2 && s->size >= PROVIDER_SIZE2
		                      ? (uint32_t)g(r, s->off + 40, 4) : 0;
		pv->section = i;
		if ((rc = str(r, i, st, g(r, s->off + 16, 4), "provider name",
		              &pv->name)))
			return rc;
		if (!pv->name[0] || strlen(pv->name) >= 64)
			return fail(r, DIF_E_OBJ_STRING, i,
			            "provider name empty or longer than 63 bytes");
		for (int k = 0; k < 5; k++)
			pv->attr[k] = (uint32_t)g(r, s->off + 20 + 4 * (uint64_t)k, 4);
		/* offsets, host order */
		uint32_t *offs = d->offs + d->noffs_total;
		uint32_t noffs = (uint32_t)(d->s[os].size / 4);
		for (uint32_t k = 0; k < noffs; k++)
			offs[k] = (uint32_t)g(r, d->s[os].off + 4 * (uint64_t)k, 4);
		d->noffs_total += noffs;
		uint32_t *enoffs = d->offs + d->noffs_total, nenoffs = 0;
		if (pe) {
			nenoffs = (uint32_t)(d->s[pe].size / 4);
			for (uint32_t k = 0; k < nenoffs; k++)
				enoffs[k] = (uint32_t)g(r, d->s[pe].off + 4 * (uint64_t)k,
				                        4);
			d->noffs_total += nenoffs;
		}
		const struct dsec *pr = &d->s[ps];
		uint64_t nargs = d->s[as].size;
		const uint8_t *argmap = d->b + d->s[as].off;
		pv->probes = d->probes + d->nprobes_total;
		pv->nprobes = (uint32_t)(pr->size / pr->entsize);
		for (uint32_t j = 0; j < pv->nprobes; j++) {
			uint64_t o = pr->off + (uint64_t)j * pr->entsize;
			struct dif_dof_probe *pb = &d->probes[d->nprobes_total++];
			pb->addr = g(r, o, 8);
			uint32_t fn = (uint32_t)g(r, o + 8, 4);
			uint32_t nm = (uint32_t)g(r, o + 12, 4);
			uint32_t nargv = (uint32_t)g(r, o + 16, 4);
			uint32_t xargv = (uint32_t)g(r, o + 20, 4);
			uint32_t argidx = (uint32_t)g(r, o + 24, 4);
			uint32_t offidx = (uint32_t)g(r, o + 28, 4);
			pb->nargc = d->b[o + 32];
			pb->xargc = d->b[o + 33];
			pb->noffs = (uint32_t)g(r, o + 34, 2);
			uint32_t enoffidx = (uint32_t)g(r, o + 36, 4);
			pb->nenoffs = (uint32_t)g(r, o + 40, 2);
			char what[48];
			snprintf(what, sizeof(what), "probe %u", j);
			if ((rc = str(r, ps, st, fn, what, &pb->func)) ||
			    (rc = str(r, ps, st, nm, what, &pb->name)))
				return rc;
			if (!pb->name[0])
				return fail(r, DIF_E_OBJ_STRING, ps, "probe %u: empty name",
				            j);
			if (pb->noffs == 0 && pb->nenoffs == 0)
				return fail(r, DIF_E_OBJ_SECTION, ps,
				            "probe %u ('%s'): no offsets", j, pb->name);
			if ((uint64_t)offidx + pb->noffs > noffs)
				return fail(r, DIF_E_OBJ_INDEX, ps,
				            "probe %u ('%s'): offsets %u..%u beyond the %u "
				            "in section %u", j, pb->name, offidx,
				            offidx + pb->noffs, noffs, os);
			if ((uint64_t)enoffidx + pb->nenoffs > nenoffs)
				return fail(r, DIF_E_OBJ_INDEX, ps,
				            "probe %u ('%s'): is-enabled offsets %u..%u "
				            "beyond the %u present", j, pb->name, enoffidx,
				            enoffidx + pb->nenoffs, nenoffs);
			pb->offs = offs + offidx;
			pb->enoffs = enoffs + (pb->nenoffs ? enoffidx : 0);
			if ((uint64_t)argidx + pb->xargc > nargs)
				return fail(r, DIF_E_OBJ_INDEX, ps,
				            "probe %u ('%s'): argument mappings %u..%u "
				            "beyond the %llu in section %u", j, pb->name,
				            argidx, argidx + pb->xargc,
				            (unsigned long long)nargs, as);
			pb->argmap = argmap + argidx;
			for (unsigned k = 0; k < pb->xargc; k++)
				if (pb->argmap[k] >= pb->nargc)
					return fail(r, DIF_E_OBJ_INDEX, ps,
					            "probe %u ('%s'): argument %u maps to "
					            "native argument %u of %u", j, pb->name, k,
					            pb->argmap[k], pb->nargc);
			if ((rc = type_list(r, ps, st, nargv, pb->nargc,
			                    "native argument types", &pb->nargv)) ||
			    (rc = type_list(r, ps, st, xargv, pb->xargc,
			                    "translated argument types", &pb->xargv)))
				return rc;
		}
	}
	return 0;
}

/* Informative text sections: COMMENTS and the utsname fields. */
static void read_notes(struct dif_dof *d)
{
	for (uint32_t i = 0; i < d->h.secnum; i++) {
		const struct dsec *s = &d->s[i];
		const char *p = (const char *)d->b + s->off;
		if (s->type == DIF_DOF_SECT_COMMENTS && !d->comments[0])
			snprintf(d->comments, sizeof(d->comments), "%.*s",
			         (int)strnlen(p, s->size < 127 ? s->size : 127), p);
		if (s->type == DIF_DOF_SECT_UTSNAME && !d->utsname[0]) {
			/* field width: 257 on Solaris, 65 on Linux, 256 on Darwin */
			size_t fw = s->size >= 5 * 257 ? 257 : s->size >= 5 * 256
			            ? 256 : 65;
			snprintf(d->h.sysname, sizeof(d->h.sysname), "%.*s",
			         (int)strnlen(p, fw < 31 ? fw : 31), p);
			size_t o = 0;
			for (int k = 0; k < 3 && (size_t)(k + 1) * fw <= s->size; k++) {
				int n = (int)strnlen(p + k * fw, fw < 64 ? fw : 64);
				if (n) /* empty fields (difasm --dof writes only SunOS) */
					o += (size_t)snprintf(d->utsname + o,
					                      sizeof(d->utsname) - o, "%s%.*s",
					                      o ? " " : "", n, p + k * fw);
			}
		}
	}
}

static int read_all(struct rd *r)
{
	int rc = read_header(r);
	if (rc)
		return rc;
	read_notes(r->d);
	struct dif_hmap used = {0};
	rc = read_ecbs(r, &used);
	/* DIFOs no ECB uses */
	for (uint32_t i = 0; i < r->d->h.secnum && !rc; i++)
		if (r->d->s[i].type == DIF_DOF_SECT_DIFOHDR && !r->d->s[i].difo)
			rc = use_difo(r, &used, i, i, "", r->d->necb, "", 0, 0);
	dif_hm_free(&used);
	if (!rc)
		rc = read_relocs(r);
	if (!rc)
		rc = read_providers(r);
	return rc;
}

int dif_dof_detect(const void *buf, size_t len)
{
	const uint8_t *b = buf;
	if (!b || len < 4)
		return 0;
	if (memcmp(b, "\177DOF", 4) == 0)
		return 1;
	if (memcmp(b, "\177ELF", 4) != 0)
		return 0;
	struct dif_dof d;
	memset(&d, 0, sizeof(d));
	struct rd r = {&d, NULL, DIF_PROFILE_FREEBSD};
	uint64_t off, size;
	return elf_find_dof(&r, b, len, &off, &size) == 0 ? 2 : 0;
}

int dif_dof_read(const void *buf, size_t len, const struct dif_dof_opts *opts,
                 struct dif_dof **out, struct dif_errors *errs)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if ((!buf && len) || (opts && opts->size < sizeof(size_t))) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "DOF: bad arguments");
		return DIF_E_INVAL;
	}
	struct dif_dof *d = calloc(1, sizeof(*d));
	struct rd r = {d, errs, DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD)};
	if (!d) {
		dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL, "out of memory");
		return DIF_E_NOMEM;
	}
	const uint8_t *b = buf ? buf : (const uint8_t *)"";
	uint64_t off = 0, size = len;
	int rc = 0;
	if (len >= 4 && memcmp(b, "\177ELF", 4) == 0)
		rc = elf_find_dof(&r, b, len, &off, &size);
	d->h.container_offset = off;
	if (!rc) {
		d->b = malloc(size ? size : 1);
		d->len = size;
		d->mod = dif_module_new();
		if (!d->b || !d->mod)
			rc = fail(&r, DIF_E_NOMEM, SECIDX_NONE, "out of memory");
		else
			memcpy(d->b, b + off, size);
		if (d->mod)
			d->mod->max = DIF_OPT(opts, max_module, 0);
	}
	if (!rc)
		rc = read_all(&r);
	if (rc) {
		dif_dof_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void dif_dof_free(struct dif_dof *d)
{
	if (!d)
		return;
	dif_module_free(d->mod);
	free(d->b);
	free(d->s);
	free(d->prov);
	free(d->probes);
	free(d->offs);
	free(d->rel);
	free(d->ecb);
	free(d);
}

const struct dif_module *dif_dof_module(const struct dif_dof *d)
{
	return d ? d->mod : NULL;
}

struct dif_module *dif_dof_take_module(struct dif_dof *d)
{
	if (!d)
		return NULL;
	struct dif_module *m = d->mod;
	d->mod = NULL;
	return m;
}

void dif_dof_get_header(const struct dif_dof *d, struct dif_dof_header *out)
{
	if (d && out)
		*out = d->h;
}

size_t dif_dof_provider_count(const struct dif_dof *d)
{
	return d ? d->nprov : 0;
}

const struct dif_dof_provider *dif_dof_provider(const struct dif_dof *d,
                                                size_t i)
{
	return d && i < d->nprov ? &d->prov[i] : NULL;
}

size_t dif_dof_reloc_count(const struct dif_dof *d)
{
	return d ? d->nrel : 0;
}

const struct dif_dof_reloc *dif_dof_reloc(const struct dif_dof *d, size_t i)
{
	return d && i < d->nrel ? &d->rel[i] : NULL;
}

/* ---------------------------------------------------------------------
 * Description (difdis --dof-info).
 */
struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_printf(struct sbuf *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *s, const char *fmt, ...)
{
	if (s->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int k = vsnprintf(s->p + s->n, s->cap - s->n, fmt, ap);
		va_end(ap);
		if (k < 0) {
			s->oom = 1;
			return;
		}
		if ((size_t)k < s->cap - s->n) {
			s->n += (size_t)k;
			return;
		}
		size_t cap = (s->cap + (size_t)k + 1) * 2;
		char *np = realloc(s->p, cap);
		if (!np) {
			s->oom = 1;
			return;
		}
		s->p = np;
		s->cap = cap;
	}
}

/* "int, char *" from n NUL-separated names */
static void sb_types(struct sbuf *s, const char *t, unsigned n)
{
	sb_printf(s, "(");
	for (unsigned k = 0; k < n; k++) {
		sb_printf(s, "%s%s", k ? ", " : "", t);
		t += strlen(t) + 1;
	}
	sb_printf(s, ")");
}

static void sb_offs(struct sbuf *s, const uint32_t *o, uint32_t n)
{
	if (!n)
		sb_printf(s, " -");
	for (uint32_t k = 0; k < n; k++)
		sb_printf(s, "%s0x%x", k ? ", " : " ", o[k]);
}

/* Names, comments and utsname come from the file: control bytes (other
 * than the text's own newlines) become \xNN so that the listing cannot
 * drive a terminal. Frees t; NULL when out of memory. */
static char *escape_controls(char *t)
{
	size_t n = 0, len = strlen(t);
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)t[i] < 0x20 && t[i] != '\n') || t[i] == 0x7f;
	if (!n)
		return t;
	char *o = malloc(len + 3 * n + 1);
	if (o) {
		char *q = o;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)t[i];
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				q += sprintf(q, "\\x%02x", c);
			else
				*q++ = (char)c;
		}
		*q = '\0';
	}
	free(t);
	return o;
}

char *dif_dof_describe(const struct dif_dof *d)
{
	if (!d)
		return NULL;
	struct sbuf s = {malloc(1024), 0, 1024, 0};
	if (!s.p)
		return NULL;
	s.p[0] = '\0';
	const struct dif_dof_header *h = &d->h;
	sb_printf(&s, "DOF version %u, %s, %s, DIF version %u, %u integer and "
	          "%u tuple registers\n", h->version,
	          h->model == 1 ? "ILP32" : "LP64",
	          h->encoding == 1 ? "little-endian" : "big-endian",
	          h->difvers, h->iregs, h->tregs);
	sb_printf(&s, "%u sections, load size %llu, file size %llu", h->secnum,
	          (unsigned long long)h->loadsz, (unsigned long long)h->filesz);
	if (h->container_offset)
		sb_printf(&s, ", in an ELF .SUNW_dof section at offset 0x%llx",
		          (unsigned long long)h->container_offset);
	sb_printf(&s, "\n");
	if (d->comments[0])
		sb_printf(&s, "comments: %s\n", d->comments);
	if (d->utsname[0])
		sb_printf(&s, "utsname: %s\n", d->utsname);
	sb_printf(&s, "\nsections:\n  idx type        align flags entsize "
	          "    offset       size\n");
	for (uint32_t i = 0; i < h->secnum; i++) {
		const struct dsec *x = &d->s[i];
		const char *tn = dif_dof_sect_name(x->type);
		char unk[16];
		if (!tn) {
			snprintf(unk, sizeof(unk), "type-%u", x->type);
			tn = unk;
		}
		sb_printf(&s, "  %3u %-11s %5u %5u %7u %#10llx %#10llx\n", i, tn,
		          x->align, x->flags, x->entsize,
		          (unsigned long long)x->off, (unsigned long long)x->size);
	}
	for (size_t p = 0; p < d->nprov; p++) {
		const struct dif_dof_provider *pv = &d->prov[p];
		sb_printf(&s, "\nprovider %s (section %u, %u probe%s), attributes",
		          pv->name, pv->section, pv->nprobes,
		          pv->nprobes == 1 ? "" : "s");
		for (int k = 0; k < 5; k++)
			sb_printf(&s, " %u/%u/%u", pv->attr[k] >> 24,
			          (pv->attr[k] >> 16) & 0xff, (pv->attr[k] >> 8) & 0xff);
		sb_printf(&s, "\n");
		for (uint32_t j = 0; j < pv->nprobes; j++) {
			const struct dif_dof_probe *pb = &pv->probes[j];
			sb_printf(&s, "  probe %s:%s  function %s  address 0x%llx\n",
			          pv->name, pb->name, pb->func,
			          (unsigned long long)pb->addr);
			sb_printf(&s, "    arguments ");
			sb_types(&s, pb->nargv, pb->nargc);
			sb_printf(&s, " -> ");
			sb_types(&s, pb->xargv, pb->xargc);
			sb_printf(&s, "\n    offsets");
			sb_offs(&s, pb->offs, pb->noffs);
			sb_printf(&s, "\n    is-enabled offsets");
			sb_offs(&s, pb->enoffs, pb->nenoffs);
			sb_printf(&s, "\n");
		}
	}
	if (d->necb)
		sb_printf(&s, "\n");
	for (size_t e = 0; e < d->necb; e++) {
		const struct dof_ecb *ec = &d->ecb[e];
		sb_printf(&s, "ecb %zu (section %u): %s", e, ec->sec,
		          ec->desc[0] ? ec->desc : "(empty description)");
		if (ec->pred != SECIDX_NONE)
			sb_printf(&s, ", predicate DIFO section %u", ec->pred);
		if (ec->actions != SECIDX_NONE)
			sb_printf(&s, ", actions section %u", ec->actions);
		sb_printf(&s, "\n");
	}
	if (d->nrel)
		sb_printf(&s, "\nrelocations:\n");
	for (size_t i = 0; i < d->nrel; i++) {
		const struct dif_dof_reloc *rl = &d->rel[i];
		static const char *const rt[3] = {"NONE", "SETX", "DOFREL"};
		sb_printf(&s, "  %s (section %u) %s %s at section %u + 0x%llx",
		          rl->user ? "user" : "kernel", rl->header, rt[rl->type],
		          rl->name[0] ? rl->name : "\"\"", rl->target,
		          (unsigned long long)rl->offset);
		if (rl->data)
			sb_printf(&s, " data 0x%llx", (unsigned long long)rl->data);
		sb_printf(&s, "\n");
	}
	int first = 1;
	for (uint32_t i = 0; i < h->secnum; i++) {
		const struct dsec *x = &d->s[i];
		if (x->type != DIF_DOF_SECT_DIFOHDR || !x->difo || !d->mod)
			continue;
		if (first)
			sb_printf(&s, "\n");
		first = 0;
		struct dif_difo_parts p;
		dif_difo_get_parts(dif_module_get(d->mod, x->difo - 1), &p);
		sb_printf(&s, "DIFO %s (section %u): %u instructions, %u "
		          "integers, %u string bytes, %u variables", p.name, i,
		          p.textlen, p.intlen, p.strlen, p.varlen);
		if (x->ntypes)
			sb_printf(&s, ", %u TYPTAB types", x->ntypes);
		sb_printf(&s, "\n");
	}
	size_t nd = dif_module_count(d->mod);
	sb_printf(&s, "\n%zu DIFO%s", nd, nd == 1 ? "" : "s");
	for (size_t i = 0; i < nd; i++)
		sb_printf(&s, "%s%s", i ? ", " : ": ",
		          dif_difo_name(dif_module_get(d->mod, i)));
	sb_printf(&s, "\n");
	if (s.oom) {
		free(s.p);
		return NULL;
	}
	return escape_controls(s.p);
}

/* ---------------------------------------------------------------------
 * Writer.
 */
struct wsec {
	uint32_t type, align, entsize;
	uint64_t off;
	uint8_t *data;
	size_t size;
};

struct wr {
	struct wsec *s;
	uint32_t n, cap;
	int msb;
};

/* Appends a section (zeroed data of size bytes); its index or -1. */
static int64_t wadd(struct wr *w, uint32_t type, uint32_t align,
                    uint32_t entsize, size_t size)
{
	if (w->n == w->cap) {
		uint32_t cap = w->cap ? w->cap * 2 : 16;
		struct wsec *ns = realloc(w->s, cap * sizeof(*ns));
		if (!ns)
			return -1;
		w->s = ns;
		w->cap = cap;
	}
	struct wsec *s = &w->s[w->n];
	s->data = calloc(1, size ? size : 1);
	if (!s->data)
		return -1;
	s->type = type;
	s->align = align;
	s->entsize = entsize;
	s->size = size;
	return w->n++;
}

/* Splits a DIFO name into a probe description: "p:m:f:n" into four
 * fields, anything else into the name field. */
static void split_desc(const char *name, const char *f[4], size_t l[4])
{
	const char *c[3] = {NULL, NULL, NULL};
	int n = 0;
	for (const char *p = name; *p; p++)
		if (*p == ':') {
			if (n < 3)
				c[n] = p;
			n++;
		}
	if (n != 3) {
		f[0] = f[1] = f[2] = "";
		l[0] = l[1] = l[2] = 0;
		f[3] = name;
		l[3] = strlen(name);
		return;
	}
	f[0] = name;
	l[0] = (size_t)(c[0] - name);
	for (int k = 1; k < 4; k++) {
		f[k] = c[k - 1] + 1;
		l[k] = k < 3 ? (size_t)(c[k] - f[k]) : strlen(f[k]);
	}
}

static int build(struct wr *w, const struct dif_module *mod)
{
	int m = w->msb;
	size_t nd = dif_module_count(mod);
	/* section 0: one string table for every probe description */
	size_t strsz = 1;
	for (size_t i = 0; i < nd; i++)
		strsz += strlen(dif_difo_name(dif_module_get(mod, i))) + 4;
	int64_t st = wadd(w, DIF_DOF_SECT_STRTAB, 1, 0, strsz);
	if (st < 0)
		return DIF_E_NOMEM;
	size_t so = 1; /* offset 0 is "" */
	for (size_t i = 0; i < nd; i++) {
		const struct dif_difo *dp = dif_module_get(mod, i);
		struct dif_difo_parts p;
		dif_difo_get_parts(dp, &p);
		uint32_t idx[4];
		uint32_t nsub = 0;
		int64_t k = wadd(w, DIF_DOF_SECT_DIF, 4, 4, (size_t)p.textlen * 4);
		if (k < 0)
			return DIF_E_NOMEM;
		for (uint32_t j = 0; j < p.textlen; j++)
			lb_put(w->s[k].data + 4 * (size_t)j, p.text[j], 4, m);
		idx[nsub++] = (uint32_t)k;
		if (p.intlen) {
			if ((k = wadd(w, DIF_DOF_SECT_INTTAB, 8, 8,
			              (size_t)p.intlen * 8)) < 0)
				return DIF_E_NOMEM;
			for (uint32_t j = 0; j < p.intlen; j++)
				lb_put(w->s[k].data + 8 * (size_t)j, p.inttab[j], 8, m);
			idx[nsub++] = (uint32_t)k;
		}
		if (p.strlen) {
			if ((k = wadd(w, DIF_DOF_SECT_STRTAB, 1, 0, p.strlen)) < 0)
				return DIF_E_NOMEM;
			memcpy(w->s[k].data, p.strtab, p.strlen);
			idx[nsub++] = (uint32_t)k;
		}
		if (p.varlen) {
			if ((k = wadd(w, DIF_DOF_SECT_VARTAB, 4, LB_VAR_SIZE,
			              (size_t)p.varlen * LB_VAR_SIZE)) < 0)
				return DIF_E_NOMEM;
			for (uint32_t j = 0; j < p.varlen; j++)
				lb_put_var(w->s[k].data + (size_t)j * LB_VAR_SIZE,
				           &p.vartab[j], m);
			idx[nsub++] = (uint32_t)k;
		}
		int64_t hs = wadd(w, DIF_DOF_SECT_DIFOHDR, 4, 0, 8 + 4 * nsub);
		if (hs < 0)
			return DIF_E_NOMEM;
		lb_put_type(w->s[hs].data, &p.rtype, m);
		for (uint32_t j = 0; j < nsub; j++)
			lb_put(w->s[hs].data + 8 + 4 * j, idx[j], 4, m);
		/* probe description from the name */
		const char *f[4];
		size_t l[4];
		split_desc(p.name, f, l);
		int64_t pd = wadd(w, DIF_DOF_SECT_PROBEDESC, 4, 0, PROBEDESC_SIZE);
		if (pd < 0)
			return DIF_E_NOMEM;
		lb_put(w->s[pd].data, (uint64_t)st, 4, m);
		for (int q = 0; q < 4; q++) {
			uint32_t at = 0;
			if (l[q]) {
				at = (uint32_t)so;
				memcpy(w->s[st].data + so, f[q], l[q]);
				so += l[q] + 1;
			}
			lb_put(w->s[pd].data + 4 + 4 * q, at, 4, m);
		}
		int64_t ad = wadd(w, DIF_DOF_SECT_ACTDESC, 8, ACT_SIZE, ACT_SIZE);
		if (ad < 0)
			return DIF_E_NOMEM;
		lb_put(w->s[ad].data, (uint64_t)hs, 4, m);
		lb_put(w->s[ad].data + 4, SECIDX_NONE, 4, m);
		lb_put(w->s[ad].data + 8, ACT_DIFEXPR, 4, m);
		lb_put(w->s[ad].data + 24, (uint64_t)dif_difo_varid(dp), 8, m);
		int64_t ec = wadd(w, DIF_DOF_SECT_ECBDESC, 8, 0, ECB_SIZE);
		if (ec < 0)
			return DIF_E_NOMEM;
		lb_put(w->s[ec].data, (uint64_t)pd, 4, m);
		lb_put(w->s[ec].data + 4, SECIDX_NONE, 4, m);
		lb_put(w->s[ec].data + 8, (uint64_t)ad, 4, m);
		lb_put(w->s[ec].data + 16, dif_difo_ptr(dp), 8, m);
	}
	w->s[st].size = so; /* the unused tail (names split in four) goes */
	return 0;
}

int dif_dof_write(const struct dif_module *mod, const struct dif_dof_opts *opts,
                  void **buf, size_t *len, struct dif_errors *errs)
{
	if (!buf || !len)
		return DIF_E_INVAL;
	*buf = NULL;
	*len = 0;
	if (!mod || (opts && opts->size < sizeof(size_t))) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "DOF: bad arguments");
		return DIF_E_INVAL;
	}
	uint8_t model = DIF_OPT(opts, model, 0), order = DIF_OPT(opts, order, 0);
	if (model > 2 || order > 2) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "DOF: model %u or byte order %u unknown", model, order);
		return DIF_E_INVAL;
	}
	/* DOF has no place for type relocations or poison reasons: writing
	 * them would silently drop them and the DOF would not read back as
	 * the same programs. */
	for (size_t i = 0; i < dif_module_count(mod); i++) {
		const struct dif_difo *dp = dif_module_get(mod, i);
		struct dif_difo_parts p;
		dif_difo_get_parts(dp, &p);
		if (p.nrelocs || p.symlen > 1) {
			dif_errf(errs, DIF_E_UNLINKED, DIF_NO_PC, dif_difo_name(dp),
			         NULL, "DOF: DIFO '%s' has %u type relocation record%s "
			         "(or relocation symbols), which DOF cannot hold: "
			         "link it first (difld --ctf/--btf)", dif_difo_name(dp),
			         p.nrelocs,
			         p.nrelocs == 1 ? "" : "s");
			return DIF_E_UNLINKED;
		}
	}
	struct wr w = {NULL, 0, 0, order == 0 ? lb_host_msb() : order == 2};
	int rc = build(&w, mod);
	if (!rc && DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD) ==
	               DIF_PROFILE_ILLUMOS) {
		/* DOF records no profile: a Solaris-layout UTSNAME naming SunOS
		 * makes the reader take the illumos instruction set back */
		int64_t k = wadd(&w, DIF_DOF_SECT_UTSNAME, 1, 0, 5 * 257);
		if (k < 0)
			rc = DIF_E_NOMEM;
		else
			memcpy(w.s[k].data, "SunOS", 5);
	}
	uint64_t off = HDR_SIZE + (uint64_t)w.n * SEC_SIZE;
	for (uint32_t i = 0; i < w.n && !rc; i++) {
		off = (off + w.s[i].align - 1) & ~(uint64_t)(w.s[i].align - 1);
		w.s[i].off = off;
		off += w.s[i].size;
	}
	if (!rc && (off > DIF_DOF_MAX_LOADSZ || w.n > DIF_DOF_MAX_SECTIONS))
		rc = DIF_E_LIMIT;
	uint8_t *b = rc ? NULL : calloc(1, off);
	if (!rc && !b)
		rc = DIF_E_NOMEM;
	if (rc == DIF_E_LIMIT) {
		dif_errf(errs, rc, DIF_NO_PC, NULL, NULL,
		         "DOF: the programs need %u sections and %llu bytes, over "
		         "the DOF limits of %u sections and %u bytes (write fewer "
		         "DIFOs per file)", w.n, (unsigned long long)off,
		         DIF_DOF_MAX_SECTIONS, DIF_DOF_MAX_LOADSZ);
	} else if (rc) {
		dif_errf(errs, rc, DIF_NO_PC, NULL, NULL, "DOF: out of memory");
	} else {
		int m = w.msb;
		memcpy(b, "\177DOF", 4);
		b[4] = model ? model : 2;
		b[5] = m ? 2 : 1;
		b[6] = 2; /* DOF version */
		b[7] = 2; /* DIF version */
		b[8] = DIF_NREGS;
		b[9] = DIF_NTREGS;
		lb_put(b + 20, HDR_SIZE, 4, m);
		lb_put(b + 24, SEC_SIZE, 4, m);
		lb_put(b + 28, w.n, 4, m);
		lb_put(b + 32, HDR_SIZE, 8, m);
		lb_put(b + 40, off, 8, m);
		lb_put(b + 48, off, 8, m);
		for (uint32_t i = 0; i < w.n; i++) {
			uint8_t *sh = b + HDR_SIZE + (size_t)i * SEC_SIZE;
			lb_put(sh, w.s[i].type, 4, m);
			lb_put(sh + 4, w.s[i].align, 4, m);
			lb_put(sh + 8, 1, 4, m); /* DOF_SECF_LOAD */
			lb_put(sh + 12, w.s[i].entsize, 4, m);
			lb_put(sh + 16, w.s[i].off, 8, m);
			lb_put(sh + 24, w.s[i].size, 8, m);
			memcpy(b + w.s[i].off, w.s[i].data, w.s[i].size);
		}
		*buf = b;
		*len = off;
	}
	for (uint32_t i = 0; i < w.n; i++)
		free(w.s[i].data);
	free(w.s);
	return rc;
}
