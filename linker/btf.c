/*
 * A small, strict BTF reader (the kernel's BTF format, version 1, as
 * /sys/kernel/btf/vmlinux and `gcc -gbtf` write it). Every offset, count
 * and reference is checked before use; anything the format does not allow
 * is rejected with the type index and the rule. Produces the shared type
 * graph (types.h). Only the host's byte order is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/reloc.h"
#include "types.h"

#define BTF_MAGIC 0xeb9fu
#define BTF_HDR_MIN 24u

enum btf_kind {
	K_UNKN = 0, K_INT, K_PTR, K_ARRAY, K_STRUCT, K_UNION, K_ENUM, K_FWD,
	K_TYPEDEF, K_VOLATILE, K_CONST, K_RESTRICT, K_FUNC, K_FUNC_PROTO, K_VAR,
	K_DATASEC, K_FLOAT, K_DECL_TAG, K_TYPE_TAG, K_ENUM64, K_MAX = K_ENUM64,
};

static uint32_t u32at(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

struct br {
	const uint8_t *types, *strs;
	uint32_t tlen, slen;
	const char *path;
	struct dif_errors *errs;
	struct tyfile *f;
};

static int bad(struct br *b, uint32_t id, const char *fmt, const char *arg)
{
	char m[160];
	snprintf(m, sizeof(m), fmt, arg);
	if (id)
		dif_errf(b->errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL,
		         "%s: BTF type %u: %s", b->path, id, m);
	else
		dif_errf(b->errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL, "%s: BTF: %s",
		         b->path, m);
	return DIF_E_TYPES;
}

/* A name offset: inside the string section; the string ends there. */
static int name_at(struct br *b, uint32_t id, uint32_t off, uint32_t *out)
{
	if (off >= b->slen)
		return bad(b, id, "name offset outside the string section%s", "");
	const char *s = (const char *)b->strs + off;
	size_t n = strnlen(s, b->slen - off);
	if (n > 255)
		return bad(b, id, "name longer than 255 bytes%s", "");
	/* the file's names are a copy of the string section (read_types) */
	*out = n ? off : 0;
	return 0;
}

static int nomem(struct br *b)
{
	dif_errf(b->errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL, "%s: out of memory",
	         b->path);
	return DIF_E_NOMEM;
}

static int read_types(struct br *b)
{
	uint32_t off = 0, id = 0;
	int rc;
	while (off < b->tlen) {
		id++;
		if (id >= TY_MAX_TYPES)
			return bad(b, id, "more than 4194303 types%s", "");
		if (b->tlen - off < 12)
			return bad(b, id, "truncated type record%s", "");
		const uint8_t *p = b->types + off;
		uint32_t name_off = u32at(p), info = u32at(p + 4), st = u32at(p + 8);
		unsigned kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
		unsigned kflag = info >> 31;
		off += 12;
		if (info & 0x60ff0000u)
			return bad(b, id, "reserved bits set in info%s", "");
		if (kind == K_UNKN || kind > K_MAX) {
			char k[16];
			snprintf(k, sizeof(k), "%u", kind);
			return bad(b, id, "unknown kind %s", k);
		}
		struct ty t;
		memset(&t, 0, sizeof(t));
		if ((rc = name_at(b, id, name_off, &t.name)))
			return rc;
		/* kind-specific trailing data */
		uint64_t extra = 0;
		switch (kind) {
		case K_INT: extra = 4; break;
		case K_ARRAY: extra = 12; break;
		case K_STRUCT: case K_UNION: extra = 12ull * vlen; break;
		case K_ENUM: extra = 8ull * vlen; break;
		case K_FUNC_PROTO: extra = 8ull * vlen; break;
		case K_VAR: extra = 4; break;
		case K_DATASEC: extra = 12ull * vlen; break;
		case K_DECL_TAG: extra = 4; break;
		case K_ENUM64: extra = 12ull * vlen; break;
		default: break;
		}
		if (extra > b->tlen - off)
			return bad(b, id, "kind data runs past the type section%s", "");
		const uint8_t *x = b->types + off;
		off += (uint32_t)extra;
		int no_vlen = kind != K_STRUCT && kind != K_UNION && kind != K_ENUM &&
		              kind != K_FUNC_PROTO && kind != K_DATASEC &&
		              kind != K_ENUM64 && kind != K_FUNC;
		if (no_vlen && vlen)
			return bad(b, id, "vlen must be 0 for this kind%s", "");
		int kflag_ok = kind == K_STRUCT || kind == K_UNION || kind == K_FWD ||
		               kind == K_ENUM || kind == K_ENUM64 ||
		               kind == K_DECL_TAG || kind == K_TYPE_TAG;
		if (kflag && !kflag_ok)
			return bad(b, id, "kind_flag set on a kind that has none%s", "");
		switch (kind) {
		case K_INT: {
			uint32_t enc = u32at(x);
			unsigned bits = enc & 0xff, boff = (enc >> 16) & 0xff;
			unsigned e = (enc >> 24) & 0xf;
			if (enc & 0xf000ff00u)
				return bad(b, id, "reserved bits set in the int encoding%s", "");
			if (st != 1 && st != 2 && st != 4 && st != 8 && st != 16)
				return bad(b, id, "int size must be 1, 2, 4, 8 or 16%s", "");
			if (bits == 0 || bits > 128 || boff + bits > st * 8)
				return bad(b, id, "int bits do not fit its size%s", "");
			/* gcc writes signed char as SIGNED|CHAR; bool stands alone */
			if (e & 4 && e != 4)
				return bad(b, id, "int encoding combines bool with other "
				           "flags%s", "");
			t.kind = TY_INT;
			t.size = st;
			t.bits = (uint16_t)bits;
			t.flags = (uint8_t)((e & 1 ? TYF_SIGNED : 0) | (e & 2 ? TYF_CHAR : 0) |
			                    (e & 4 ? TYF_BOOL : 0));
			break;
		}
		case K_PTR: case K_TYPEDEF: case K_VOLATILE: case K_CONST:
		case K_RESTRICT: case K_TYPE_TAG:
			t.kind = kind == K_PTR ? TY_PTR : kind == K_TYPEDEF ? TY_TYPEDEF
			         : kind == K_VOLATILE ? TY_VOLATILE
			         : kind == K_CONST ? TY_CONST
			         : kind == K_RESTRICT ? TY_RESTRICT : TY_CONST;
			if (kind == K_TYPE_TAG)
				t.name = 0; /* a tag is transparent, like a qualifier */
			if (kind == K_TYPEDEF && t.name == 0)
				return bad(b, id, "typedef without a name%s", "");
			t.ref = st;
			break;
		case K_ARRAY: {
			uint32_t elem = u32at(x), index = u32at(x + 4), n = u32at(x + 8);
			if (st != 0)
				return bad(b, id, "array size_type must be 0%s", "");
			if (index == 0)
				return bad(b, id, "array index type is void%s", "");
			t.kind = TY_ARRAY;
			t.ref = elem;
			t.nelems = n;
			/* the index type is checked like any reference below */
			if (index >= TY_MAX_TYPES)
				return bad(b, id, "array index type out of range%s", "");
			break;
		}
		case K_STRUCT: case K_UNION:
			t.kind = kind == K_STRUCT ? TY_STRUCT : TY_UNION;
			t.size = st;
			t.first = (uint32_t)b->f->nm;
			t.vlen = vlen;
			for (unsigned k = 0; k < vlen; k++) {
				const uint8_t *m = x + 12 * k;
				struct tymember tm;
				if ((rc = name_at(b, id, u32at(m), &tm.name)))
					return rc;
				tm.type = u32at(m + 4);
				uint32_t o = u32at(m + 8);
				tm.bitoff = kflag ? (o & 0xffffff) : o;
				tm.bitsize = kflag ? o >> 24 : 0;
				if (tm.type == 0)
					return bad(b, id, "a member has type void%s", "");
				if (ty_member_add(b->f, &tm))
					return nomem(b);
			}
			break;
		case K_ENUM: case K_ENUM64:
			if (st != 1 && st != 2 && st != 4 && st != 8)
				return bad(b, id, "enum size must be 1, 2, 4 or 8%s", "");
			t.kind = TY_ENUM;
			t.size = st;
			t.flags = kflag ? TYF_SIGNED : 0;
			t.first = (uint32_t)b->f->ne;
			t.vlen = vlen;
			for (unsigned k = 0; k < vlen; k++) {
				const uint8_t *m = x + (kind == K_ENUM ? 8 : 12) * k;
				struct tyenum te;
				if ((rc = name_at(b, id, u32at(m), &te.name)))
					return rc;
				if (te.name == 0)
					return bad(b, id, "an enumerator has no name%s", "");
				if (kind == K_ENUM) {
					/* 32-bit values are the s32 of the original format;
					 * gcc sets no signedness flag for them */
					te.val = (int64_t)(int32_t)u32at(m + 4);
					if (te.val < 0)
						t.flags |= TYF_SIGNED;
				} else {
					uint64_t v = (uint64_t)u32at(m + 8) << 32 | u32at(m + 4);
					te.val = (int64_t)v;
				}
				if (ty_enum_add(b->f, &te))
					return nomem(b);
			}
			break;
		case K_FWD:
			if (t.name == 0)
				return bad(b, id, "forward declaration without a name%s", "");
			if (st != 0)
				return bad(b, id, "forward declaration with a type%s", "");
			t.kind = TY_FWD;
			t.flags = kflag ? TYF_UNION : 0;
			break;
		case K_FUNC:
			if (vlen > 2)
				return bad(b, id, "function linkage above 2%s", "");
			t.kind = TY_FUNC;
			t.ref = st;
			break;
		case K_FUNC_PROTO:
			t.kind = TY_FUNC;
			t.ref = st;
			for (unsigned k = 0; k < vlen; k++) {
				uint32_t nm, pt = u32at(x + 8 * k + 4);
				if ((rc = name_at(b, id, u32at(x + 8 * k), &nm)))
					return rc;
				if (pt >= TY_MAX_TYPES)
					return bad(b, id, "parameter type out of range%s", "");
			}
			break;
		case K_FLOAT:
			if (st != 2 && st != 4 && st != 8 && st != 12 && st != 16)
				return bad(b, id, "float size must be 2, 4, 8, 12 or 16%s", "");
			t.kind = TY_FLOAT;
			t.size = st;
			break;
		default: /* VAR, DATASEC, DECL_TAG: kept as opaque */
			t.kind = TY_OTHER;
			t.name = 0;
			t.ref = kind == K_DATASEC ? 0 : st;
			break;
		}
		if (!ty_add(b->f, &t))
			return nomem(b);
	}
	return 0;
}

int ty_read_btf(const void *buf, size_t len, const char *path,
                struct tyfile **out, struct dif_errors *errs)
{
	struct br b = { .path = path ? path : "<btf>", .errs = errs };
	const uint8_t *p = buf;
	*out = NULL;
	if (!buf || len < BTF_HDR_MIN)
		return bad(&b, 0, "shorter than the 24-byte header%s", "");
	if (len > TY_MAX_BYTES)
		return bad(&b, 0, "larger than 512 MiB%s", "");
	uint16_t magic;
	memcpy(&magic, p, 2);
	if (magic == 0x9feb)
		return bad(&b, 0, "byte order differs from this host's "
		           "(only native-order BTF is read)%s", "");
	if (magic != BTF_MAGIC)
		return bad(&b, 0, "bad magic (not BTF)%s", "");
	if (p[2] != 1)
		return bad(&b, 0, "unsupported version (only 1)%s", "");
	if (p[3] != 0)
		return bad(&b, 0, "unknown header flags%s", "");
	uint32_t hdr = u32at(p + 4), toff = u32at(p + 8), tlen = u32at(p + 12);
	uint32_t soff = u32at(p + 16), slen = u32at(p + 20);
	if (hdr < BTF_HDR_MIN || hdr > len || hdr % 4)
		return bad(&b, 0, "bad header length%s", "");
	for (uint32_t i = BTF_HDR_MIN; i < hdr; i++)
		if (p[i])
			return bad(&b, 0, "unknown non-zero header fields%s", "");
	uint64_t body = len - hdr;
	if ((uint64_t)toff + tlen > body || (uint64_t)soff + slen > body)
		return bad(&b, 0, "type or string section runs past the end%s", "");
	if (toff % 4 || tlen % 4)
		return bad(&b, 0, "type section not 4-byte aligned%s", "");
	if (toff < soff + (uint64_t)slen && soff < toff + (uint64_t)tlen)
		return bad(&b, 0, "type and string sections overlap%s", "");
	if (slen == 0 || p[hdr + soff] != '\0' || p[hdr + soff + slen - 1] != '\0')
		return bad(&b, 0, "string section must start and end with NUL%s", "");
	b.types = p + hdr + toff;
	b.tlen = tlen;
	b.strs = p + hdr + soff;
	b.slen = slen;
	b.f = ty_file_new(b.path);
	char *names = b.f ? malloc(slen) : NULL;
	if (!names) {
		ty_file_free(b.f);
		return nomem(&b);
	}
	/* name offsets stay the section's own: both start with "" */
	memcpy(names, b.strs, slen);
	free(b.f->names);
	b.f->names = names;
	b.f->nameslen = b.f->namescap = slen;
	int rc = read_types(&b);
	if (!rc)
		rc = ty_finish(b.f, errs);
	if (rc) {
		ty_file_free(b.f);
		return rc;
	}
	*out = b.f;
	return 0;
}
