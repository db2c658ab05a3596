/*
 * A strict check of CTF bytes before libctf sees them. libctf trusts
 * parts of its input (a bad member count makes it read past the type
 * section), so every dictionary is walked here first: header, section
 * bounds, every type record, every name offset and every type reference.
 * Reads CTF version 3 (what gcc -gctf and ld write), in the host's byte
 * order, plain or zlib-compressed, alone, in an ELF .ctf section, or in a
 * CTF archive.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <ctf.h>

#include "difvm/reloc.h"
#include "types.h"

#define CTF_MAX_KIND CTF_K_SLICE
#define ARC_MAX_DICTS 4096u

struct cc {
	const char *path;
	struct dif_errors *errs;
	char where[48]; /* "dict 2 " in an archive */
};

static int cfail(struct cc *c, uint32_t type, const char *why)
{
	if (type)
		dif_errf(c->errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL,
		         "%s: CTF %stype %u: %s", c->path, c->where, type, why);
	else
		dif_errf(c->errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL, "%s: CTF %s%s",
		         c->path, c->where, why);
	return DIF_E_TYPES;
}

static uint32_t r32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t r64le(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* One dictionary's sections, decompressed. */
struct dict {
	const uint8_t *body; /* after the header */
	size_t blen;
	ctf_header_t h;
	uint32_t ntypes;
	int child;
	uint32_t *succ; /* per own type: the type a chain step leads to */
};

static int name_ok(struct cc *c, const struct dict *d, uint32_t type,
                   uint32_t name)
{
	if (CTF_NAME_STID(name))
		return cfail(c, type, "a name in an external string table (not "
		             "supported)");
	if (name >= d->h.cth_strlen)
		return cfail(c, type, "name offset outside the string section");
	return 0;
}

/* A type reference from a dictionary: its own ids, or (children) the
 * parent's. */
static int ref_ok(struct cc *c, const struct dict *d, uint32_t type,
                  uint32_t ref, uint32_t parent_n)
{
	if (d->child && (ref & 0x80000000u)) {
		if ((ref & 0x7fffffffu) > d->ntypes)
			return cfail(c, type, "refers to a type that does not exist");
		return 0;
	}
	if (ref > (d->child ? parent_n : d->ntypes))
		return cfail(c, type, "refers to a type that does not exist");
	return 0;
}

/* Pass over the type section: sizes (counting types) or references. */
static int walk_types(struct cc *c, struct dict *d, int refs, uint32_t parent_n)
{
	const uint8_t *t = d->body + d->h.cth_typeoff;
	size_t len = d->h.cth_stroff - d->h.cth_typeoff, off = 0;
	uint32_t id = 0;
	while (off < len) {
		id++;
		if (id > TY_MAX_TYPES)
			return cfail(c, 0, "more than 4194303 types");
		if (len - off < 12)
			return cfail(c, id, "truncated type record");
		uint32_t name = r32(t + off), info = r32(t + off + 4);
		uint32_t st = r32(t + off + 8);
		unsigned kind = CTF_V2_INFO_KIND(info);
		uint32_t vlen = CTF_V2_INFO_VLEN(info);
		off += 12;
		if (kind > CTF_MAX_KIND)
			return cfail(c, id, "unknown kind");
		int sized = kind == CTF_K_INTEGER || kind == CTF_K_FLOAT ||
		            kind == CTF_K_STRUCT || kind == CTF_K_UNION ||
		            kind == CTF_K_ENUM;
		uint64_t size = st;
		if (sized && st == CTF_LSIZE_SENT) {
			if (len - off < 8)
				return cfail(c, id, "truncated large-size record");
			size = (uint64_t)r32(t + off) << 32 | r32(t + off + 4);
			off += 8;
		}
		uint64_t extra = 0;
		switch (kind) {
		case CTF_K_INTEGER: case CTF_K_FLOAT: extra = 4; break;
		case CTF_K_ARRAY: extra = 12; break;
		case CTF_K_SLICE: extra = 8; break;
		case CTF_K_FUNCTION: extra = 4ull * (vlen + (vlen & 1)); break;
		case CTF_K_STRUCT: case CTF_K_UNION:
			extra = (size >= CTF_LSTRUCT_THRESH ? 16ull : 12ull) * vlen;
			break;
		case CTF_K_ENUM: extra = 8ull * vlen; break;
		default: break;
		}
		if (extra > len - off)
			return cfail(c, id, "kind data runs past the type section");
		const uint8_t *x = t + off;
		off += (size_t)extra;
		if (!refs)
			continue;
		int rc = name_ok(c, d, id, name);
		if (rc)
			return rc;
		/* libctf follows these links recursively: remember them, cycles
		 * are rejected after the walk */
		uint32_t next = kind == CTF_K_ARRAY || kind == CTF_K_SLICE ? r32(x)
		                : kind == CTF_K_POINTER || kind == CTF_K_TYPEDEF ||
		                  kind == CTF_K_VOLATILE || kind == CTF_K_CONST ||
		                  kind == CTF_K_RESTRICT ? st : 0;
		if (d->succ && next && (!d->child || (next & 0x80000000u)))
			d->succ[id] = next & 0x7fffffffu;
		int has_vlen = kind == CTF_K_STRUCT || kind == CTF_K_UNION ||
		               kind == CTF_K_ENUM || kind == CTF_K_FUNCTION;
		if (!has_vlen && vlen)
			return cfail(c, id, "vlen must be 0 for this kind");
		switch (kind) {
		case CTF_K_INTEGER: {
			uint32_t enc = r32(x), bits = enc & 0xffff, boff = (enc >> 16) & 0xff;
			if (size == 0 || size > 16 || bits == 0 || bits + boff > size * 8)
				return cfail(c, id, "integer bits do not fit its size");
			break;
		}
		case CTF_K_POINTER: case CTF_K_TYPEDEF: case CTF_K_VOLATILE:
		case CTF_K_CONST: case CTF_K_RESTRICT:
			if ((rc = ref_ok(c, d, id, st, parent_n)))
				return rc;
			break;
		case CTF_K_FORWARD:
			if (st != 0 && st != CTF_K_STRUCT && st != CTF_K_UNION &&
			    st != CTF_K_ENUM)
				return cfail(c, id, "forward of a kind that cannot be forward");
			break;
		case CTF_K_ARRAY:
			if ((rc = ref_ok(c, d, id, r32(x), parent_n)) ||
			    (rc = ref_ok(c, d, id, r32(x + 4), parent_n)))
				return rc;
			break;
		case CTF_K_SLICE: {
			unsigned sbits = (unsigned)(r32(x + 4) >> 16);
			if ((rc = ref_ok(c, d, id, r32(x), parent_n)))
				return rc;
			if (sbits == 0 || sbits > 128)
				return cfail(c, id, "slice bits out of range");
			break;
		}
		case CTF_K_FUNCTION:
			if ((rc = ref_ok(c, d, id, st, parent_n)))
				return rc;
			for (uint32_t k = 0; k < vlen; k++)
				if ((rc = ref_ok(c, d, id, r32(x + 4 * k), parent_n)))
					return rc;
			break;
		case CTF_K_STRUCT: case CTF_K_UNION: {
			int large = size >= CTF_LSTRUCT_THRESH;
			for (uint32_t k = 0; k < vlen; k++) {
				const uint8_t *m = x + (large ? 16 : 12) * (size_t)k;
				uint64_t moff = large ? ((uint64_t)r32(m + 4) << 32 | r32(m + 12))
				                      : r32(m + 4);
				if ((rc = name_ok(c, d, id, r32(m))) ||
				    (rc = ref_ok(c, d, id, r32(m + 8), parent_n)))
					return rc;
				if (moff > size * 8)
					return cfail(c, id, "a member lies outside the struct");
			}
			break;
		}
		case CTF_K_ENUM:
			for (uint32_t k = 0; k < vlen; k++)
				if ((rc = name_ok(c, d, id, r32(x + 8 * (size_t)k))))
					return rc;
			break;
		default:
			break;
		}
	}
	d->ntypes = id;
	return 0;
}

/* A type reached again along typedef/qualifier/pointer/array/slice links
 * is a cycle (libctf would recurse without end). */
static int check_cycles(struct cc *c, const struct dict *d)
{
	uint8_t *state = calloc((size_t)d->ntypes + 1, 1); /* 1 walking, 2 done */
	if (!state) {
		dif_errf(c->errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL,
		         "%s: out of memory", c->path);
		return DIF_E_NOMEM;
	}
	int rc = 0;
	for (uint32_t t = 1; t <= d->ntypes && !rc; t++) {
		uint32_t u = t;
		while (u && u <= d->ntypes && state[u] == 0) {
			state[u] = 1;
			u = d->succ[u];
		}
		if (u && u <= d->ntypes && state[u] == 1)
			rc = cfail(c, u, "a cycle of typedef, qualifier, pointer, array "
			           "or slice links");
		for (u = t; u && u <= d->ntypes && state[u] == 1; u = d->succ[u])
			state[u] = 2;
	}
	free(state);
	return rc;
}

/* Arrays of u32 type ids or names between two header offsets. */
static int check_idx(struct cc *c, struct dict *d, uint32_t from, uint32_t to,
                     int names, uint32_t parent_n, const char *what)
{
	(void)what; /* offsets are 4-aligned: whole entries */
	for (uint32_t o = from; o < to; o += 4) {
		uint32_t v = r32(d->body + o);
		int rc = names ? name_ok(c, d, 0, v) : ref_ok(c, d, 0, v, parent_n);
		if (rc)
			return rc;
	}
	return 0;
}

/* One dictionary at p (len bytes). *ntypes_out gets its type count. */
static int check_dict(struct cc *c, const uint8_t *p, size_t len,
                      uint32_t parent_n, uint32_t *ntypes_out)
{
	struct dict d;
	memset(&d, 0, sizeof(d));
	if (len < sizeof(ctf_header_t))
		return cfail(c, 0, "shorter than the CTF header");
	memcpy(&d.h, p, sizeof(d.h));
	if (d.h.cth_magic == 0xf2df)
		return cfail(c, 0, "byte order differs from this host's (only "
		             "native-order CTF is read)");
	if (d.h.cth_magic != CTF_MAGIC)
		return cfail(c, 0, "bad magic (not CTF)");
	if (d.h.cth_version != CTF_VERSION_3)
		return cfail(c, 0, "unsupported version (only CTF version 3)");
	if (d.h.cth_flags & ~CTF_F_MAX)
		return cfail(c, 0, "unknown header flags");
	const ctf_header_t *h = &d.h;
	if (!(h->cth_lbloff <= h->cth_objtoff && h->cth_objtoff <= h->cth_funcoff &&
	      h->cth_funcoff <= h->cth_objtidxoff &&
	      h->cth_objtidxoff <= h->cth_funcidxoff &&
	      h->cth_funcidxoff <= h->cth_varoff && h->cth_varoff <= h->cth_typeoff &&
	      h->cth_typeoff <= h->cth_stroff))
		return cfail(c, 0, "sections out of order");
	uint64_t blen = (uint64_t)h->cth_stroff + h->cth_strlen;
	if (blen > TY_MAX_BYTES)
		return cfail(c, 0, "larger than 512 MiB");
	if ((h->cth_lbloff | h->cth_objtoff | h->cth_funcoff | h->cth_objtidxoff |
	     h->cth_funcidxoff | h->cth_varoff | h->cth_typeoff) % 4)
		return cfail(c, 0, "section offsets not 4-byte aligned");
	uint8_t *inflated = NULL;
	const uint8_t *body = p + sizeof(ctf_header_t);
	size_t avail = len - sizeof(ctf_header_t);
	if (h->cth_flags & CTF_F_COMPRESS) {
		inflated = malloc(blen ? blen : 1);
		if (!inflated) {
			dif_errf(c->errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL,
			         "%s: out of memory", c->path);
			return DIF_E_NOMEM;
		}
		uLongf out = (uLongf)blen;
		if (uncompress(inflated, &out, body, (uLong)avail) != Z_OK ||
		    out != blen) {
			free(inflated);
			return cfail(c, 0, "compressed data does not inflate to the "
			             "sizes the header gives");
		}
		body = inflated;
		avail = blen;
	}
	int rc = 0;
	if (blen > avail)
		rc = cfail(c, 0, "sections run past the end");
	d.body = body;
	d.blen = (size_t)blen;
	d.child = h->cth_parname != 0;
	if (!rc)
		rc = walk_types(c, &d, 0, parent_n); /* record sizes first */
	if (!rc && h->cth_strlen &&
	    (body[h->cth_stroff] != '\0' || body[blen - 1] != '\0'))
		rc = cfail(c, 0, "string section must start and end with NUL");
	if (!rc && (h->cth_parname >= h->cth_strlen ||
	            h->cth_parlabel >= h->cth_strlen ||
	            h->cth_cuname >= h->cth_strlen) && h->cth_strlen)
		rc = cfail(c, 0, "header name offset outside the string section");
	if (!rc && d.child && parent_n == UINT32_MAX)
		rc = cfail(c, 0, "a child dictionary without its parent");
	/* libctf opens a child's parent by name: only ".ctf" is the parent */
	if (!rc && d.child && strcmp((const char *)body + h->cth_stroff +
	                             h->cth_parname, ".ctf") != 0)
		rc = cfail(c, 0, "a child dictionary whose parent is not '.ctf'");
	if (!rc && !(d.succ = calloc((size_t)d.ntypes + 1, sizeof(*d.succ)))) {
		dif_errf(c->errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL,
		         "%s: out of memory", c->path);
		rc = DIF_E_NOMEM;
	}
	if (!rc)
		rc = walk_types(c, &d, 1, parent_n);
	if (!rc)
		rc = check_cycles(c, &d);
	if (!rc && (h->cth_objtoff - h->cth_lbloff) % 8)
		rc = cfail(c, 0, "label section is not a whole number of entries");
	if (!rc && (h->cth_typeoff - h->cth_varoff) % 8)
		rc = cfail(c, 0, "variable section is not a whole number of entries");
	/* libctf refuses index sections of another length than their data */
	if (!rc && h->cth_funcidxoff != h->cth_objtidxoff &&
	    h->cth_funcidxoff - h->cth_objtidxoff != h->cth_funcoff - h->cth_objtoff)
		rc = cfail(c, 0, "object index section is neither empty nor as long "
		           "as the object section");
	if (!rc && h->cth_varoff != h->cth_funcidxoff &&
	    h->cth_varoff - h->cth_funcidxoff != h->cth_objtidxoff - h->cth_funcoff)
		rc = cfail(c, 0, "function index section is neither empty nor as long "
		           "as the function section");
	if (!rc)
		rc = check_idx(c, &d, h->cth_objtoff, h->cth_funcoff, 0, parent_n,
		               "object");
	if (!rc)
		rc = check_idx(c, &d, h->cth_funcoff, h->cth_objtidxoff, 0, parent_n,
		               "function");
	if (!rc)
		rc = check_idx(c, &d, h->cth_objtidxoff, h->cth_funcidxoff, 1,
		               parent_n, "object index");
	if (!rc)
		rc = check_idx(c, &d, h->cth_funcidxoff, h->cth_varoff, 1, parent_n,
		               "function index");
	for (uint32_t o = h->cth_varoff; !rc && o < h->cth_typeoff; o += 8)
		if (!(rc = name_ok(c, &d, 0, r32(body + o))))
			rc = ref_ok(c, &d, 0, r32(body + o + 4), parent_n);
	free(inflated);
	free(d.succ);
	*ntypes_out = d.ntypes;
	return rc;
}

/* A CTF archive: header, member table, names, then size-prefixed dicts.
 * The parent (".ctf", the first member) is checked first. */
static int check_archive(struct cc *c, const uint8_t *p, size_t len)
{
	if (len < 40)
		return cfail(c, 0, "archive shorter than its header");
	uint64_t n = r64le(p + 16), names = r64le(p + 24), ctfs = r64le(p + 32);
	if (n == 0 || n > ARC_MAX_DICTS)
		return cfail(c, 0, "archive with no or more than 4096 dictionaries");
	if (40 + 16 * n > len || names >= len || ctfs >= len)
		return cfail(c, 0, "archive tables run past the end");
	uint32_t parent_n = UINT32_MAX;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t no = r64le(p + 40 + 16 * i), co = r64le(p + 48 + 16 * i);
		snprintf(c->where, sizeof(c->where), "archive member %llu: ",
		         (unsigned long long)i);
		if (no >= len - names || !memchr(p + names + no, '\0', len - names - no))
			return cfail(c, 0, "name outside the archive");
		int is_parent = strcmp((const char *)p + names + no, ".ctf") == 0;
		if (is_parent != (i == 0))
			return cfail(c, 0, i == 0 ? "the first member must be the parent "
			             "'.ctf'" : "a second '.ctf' member");
		if (co > len - ctfs || len - ctfs - co < 8)
			return cfail(c, 0, "dictionary outside the archive");
		uint64_t sz = r64le(p + ctfs + co);
		if (sz > len - ctfs - co - 8)
			return cfail(c, 0, "dictionary size runs past the end");
		uint32_t nt;
		int rc = check_dict(c, p + ctfs + co + 8, (size_t)sz,
		                    i == 0 ? UINT32_MAX : parent_n, &nt);
		if (rc)
			return rc;
		if (i == 0)
			parent_n = nt;
	}
	c->where[0] = '\0';
	return 0;
}

static int check_payload(struct cc *c, const uint8_t *p, size_t len)
{
	if (len >= 8 && r64le(p) == CTFA_MAGIC)
		return check_archive(c, p, len);
	uint32_t nt;
	return check_dict(c, p, len, UINT32_MAX, &nt);
}

int ty_check_ctf(const void *buf, size_t len, const char *path,
                 struct dif_errors *errs)
{
	struct cc c = { .path = path, .errs = errs };
	if (len < 4 || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return check_payload(&c, buf, len);
	const void *sec;
	size_t slen;
	int rc = ty_elf_section(buf, len, ".ctf", &sec, &slen);
	if (rc < 0)
		return cfail(&c, 0, "malformed ELF, or its .ctf section lies outside "
		             "the file");
	if (rc > 0)
		return cfail(&c, 0, "ELF object without a .ctf section (compile with "
		             "gcc -gctf)");
	return check_payload(&c, sec, slen);
}
