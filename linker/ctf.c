/*
 * CTF type files through libctf (binutils): an ELF object with a .ctf
 * section (`gcc -gctf -c`) or a CTF archive. Every dictionary of the
 * archive is converted into the shared type graph (types.h); parent
 * dictionaries come first, so child types may refer to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctf-api.h>

#include "difvm/reloc.h"
#include "types.h"

#define CTF_MAX_DICTS 4096u

struct cr {
	const char *path;
	struct dif_errors *errs;
	struct tyfile *f;
	ctf_dict_t **dicts;
	size_t nd, capd;
	size_t parent; /* index of the parent dictionary (".ctf"), or SIZE_MAX */
	struct dif_hmap ids; /* (dict, ctf id) -> model id */
};

struct idkey {
	uint64_t dict, id;
};

static int cbad(struct cr *c, const char *what, int err)
{
	dif_errf(c->errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL, "%s: CTF: %s%s%s",
	         c->path, what, err ? ": " : "", err ? ctf_errmsg(err) : "");
	return DIF_E_TYPES;
}

static int cnomem(struct cr *c)
{
	dif_errf(c->errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL, "%s: out of memory",
	         c->path);
	return DIF_E_NOMEM;
}

/* The model id of a CTF id referenced from dictionary d; 0 for void. */
static int map_ref(struct cr *c, size_t d, ctf_id_t id, uint32_t *out)
{
	*out = 0;
	if (id == 0)
		return 0;
	struct idkey k = { d, (uint64_t)id };
	uint64_t *v = dif_hm_get(&c->ids, &k, sizeof(k));
	if (!v && c->parent != SIZE_MAX) {
		k.dict = c->parent;
		v = dif_hm_get(&c->ids, &k, sizeof(k));
	}
	if (!v)
		return cbad(c, "a type refers to a type that does not exist", 0);
	*out = (uint32_t)*v;
	return 0;
}

static int add_name(struct cr *c, const char *s, uint32_t *out)
{
	size_t n = s ? strnlen(s, 256) : 0;
	if (n > 255)
		return cbad(c, "a name longer than 255 bytes", 0);
	*out = n ? ty_name_add(c->f, s, n) : 0;
	return *out == UINT32_MAX ? cnomem(c) : 0;
}

/* Pass 1: one model id per CTF type, so references can be mapped. */
static int alloc_ids(struct cr *c, size_t d)
{
	ctf_dict_t *fp = c->dicts[d];
	ctf_next_t *it = NULL;
	ctf_id_t id;
	int flag;
	while ((id = ctf_type_next(fp, &it, &flag, 1)) != CTF_ERR) {
		struct ty t;
		memset(&t, 0, sizeof(t));
		uint32_t mid = ty_add(c->f, &t);
		if (!mid) {
			ctf_next_destroy(it);
			return cbad(c, "more than 4194303 types", 0);
		}
		struct idkey k = { d, (uint64_t)id };
		if (dif_hm_add(&c->ids, &k, sizeof(k), mid, NULL) < 0) {
			ctf_next_destroy(it);
			return cnomem(c);
		}
	}
	if (ctf_errno(fp) != ECTF_NEXT_END)
		return cbad(c, "cannot list types", ctf_errno(fp));
	return 0;
}

static int fill_members(struct cr *c, size_t d, ctf_id_t id, struct ty *t)
{
	ctf_dict_t *fp = c->dicts[d];
	ctf_next_t *it = NULL;
	const char *name;
	ctf_id_t mt;
	ssize_t off;
	t->first = (uint32_t)c->f->nm;
	while ((off = ctf_member_next(fp, id, &it, &name, &mt, 0)) >= 0) {
		struct tymember m;
		memset(&m, 0, sizeof(m));
		int rc = add_name(c, name, &m.name);
		if (!rc)
			rc = map_ref(c, d, mt, &m.type);
		if (rc) {
			ctf_next_destroy(it);
			return rc;
		}
		m.bitoff = (uint64_t)off;
		/* bitfields are slices: an integer narrower than its storage */
		ctf_encoding_t enc;
		int k = ctf_type_kind(fp, mt);
		ssize_t sz = ctf_type_size(fp, mt);
		if ((k == CTF_K_INTEGER || k == CTF_K_ENUM) && sz > 0 &&
		    ctf_type_encoding(fp, mt, &enc) == 0 &&
		    (enc.cte_bits != (uint32_t)sz * 8 || enc.cte_offset != 0))
			m.bitsize = enc.cte_bits;
		if (ty_member_add(c->f, &m)) {
			ctf_next_destroy(it);
			return cnomem(c);
		}
		t->vlen++;
	}
	if (ctf_errno(fp) != ECTF_NEXT_END)
		return cbad(c, "cannot list members", ctf_errno(fp));
	return 0;
}

static int fill_enum(struct cr *c, size_t d, ctf_id_t id, struct ty *t)
{
	ctf_dict_t *fp = c->dicts[d];
	ctf_next_t *it = NULL;
	const char *name;
	int val;
	t->first = (uint32_t)c->f->ne;
	while ((name = ctf_enum_next(fp, id, &it, &val)) != NULL) {
		struct tyenum e;
		int rc = add_name(c, name, &e.name);
		if (rc) {
			ctf_next_destroy(it);
			return rc;
		}
		e.val = val;
		if (val < 0)
			t->flags |= TYF_SIGNED;
		if (ty_enum_add(c->f, &e)) {
			ctf_next_destroy(it);
			return cnomem(c);
		}
		t->vlen++;
	}
	if (ctf_errno(fp) != ECTF_NEXT_END)
		return cbad(c, "cannot list enumerators", ctf_errno(fp));
	return 0;
}

/* Pass 2: the details of each type. */
static int fill_types(struct cr *c, size_t d)
{
	ctf_dict_t *fp = c->dicts[d];
	ctf_next_t *it = NULL;
	ctf_id_t id;
	int flag, rc = 0;
	while ((id = ctf_type_next(fp, &it, &flag, 1)) != CTF_ERR && !rc) {
		uint32_t mid;
		if ((rc = map_ref(c, d, id, &mid)))
			break;
		struct ty t;
		memset(&t, 0, sizeof(t));
		if ((rc = add_name(c, ctf_type_name_raw(fp, id), &t.name)))
			break;
		int kind = ctf_type_kind(fp, id);
		ssize_t sz = ctf_type_size(fp, id);
		ctf_encoding_t enc;
		ctf_arinfo_t ar;
		switch (kind) {
		case CTF_K_INTEGER:
			if (ctf_type_encoding(fp, id, &enc) < 0 || sz <= 0) {
				rc = cbad(c, "an integer without an encoding", ctf_errno(fp));
				break;
			}
			t.kind = TY_INT;
			t.size = (uint64_t)sz;
			t.bits = (uint16_t)enc.cte_bits;
			t.flags = (uint8_t)((enc.cte_format & CTF_INT_SIGNED ? TYF_SIGNED : 0) |
			                    (enc.cte_format & CTF_INT_CHAR ? TYF_CHAR : 0) |
			                    (enc.cte_format & CTF_INT_BOOL ? TYF_BOOL : 0));
			break;
		case CTF_K_FLOAT:
			t.kind = TY_FLOAT;
			t.size = sz > 0 ? (uint64_t)sz : 0;
			break;
		case CTF_K_POINTER: case CTF_K_TYPEDEF: case CTF_K_VOLATILE:
		case CTF_K_CONST: case CTF_K_RESTRICT:
			t.kind = kind == CTF_K_POINTER ? TY_PTR
			         : kind == CTF_K_TYPEDEF ? TY_TYPEDEF
			         : kind == CTF_K_VOLATILE ? TY_VOLATILE
			         : kind == CTF_K_CONST ? TY_CONST : TY_RESTRICT;
			rc = map_ref(c, d, ctf_type_reference(fp, id), &t.ref);
			break;
		case CTF_K_ARRAY:
			if (ctf_array_info(fp, id, &ar) < 0) {
				rc = cbad(c, "an array without array info", ctf_errno(fp));
				break;
			}
			t.kind = TY_ARRAY;
			t.nelems = ar.ctr_nelems;
			rc = map_ref(c, d, ar.ctr_contents, &t.ref);
			break;
		case CTF_K_STRUCT: case CTF_K_UNION:
			t.kind = kind == CTF_K_STRUCT ? TY_STRUCT : TY_UNION;
			t.size = sz > 0 ? (uint64_t)sz : 0;
			rc = fill_members(c, d, id, &t);
			break;
		case CTF_K_ENUM:
			t.kind = TY_ENUM;
			t.size = sz > 0 ? (uint64_t)sz : 4;
			rc = fill_enum(c, d, id, &t);
			break;
		case CTF_K_FORWARD: {
			int fk = ctf_type_kind_forwarded(fp, id);
			t.kind = TY_FWD;
			t.flags = fk == CTF_K_UNION ? TYF_UNION
			          : fk == CTF_K_ENUM ? TYF_ENUMFWD : 0;
			break;
		}
		case CTF_K_FUNCTION:
			t.kind = TY_FUNC;
			t.name = 0;
			break;
		default:
			t.kind = TY_OTHER;
			t.name = 0;
			break;
		}
		c->f->t[mid] = t;
	}
	if (rc) {
		ctf_next_destroy(it);
		return rc;
	}
	if (ctf_errno(fp) != ECTF_NEXT_END)
		return cbad(c, "cannot list types", ctf_errno(fp));
	return 0;
}

int ty_read_ctf(const char *path, struct tyfile **out, struct dif_errors *errs)
{
	struct cr c = { .path = path, .errs = errs, .parent = SIZE_MAX };
	int err = 0, rc = 0;
	*out = NULL;
	ctf_archive_t *arc = ctf_open(path, NULL, &err);
	if (!arc)
		return cbad(&c, "cannot open", err);
	ctf_next_t *it = NULL;
	ctf_dict_t *fp;
	const char *name;
	while ((fp = ctf_archive_next(arc, &it, &name, 0, &err)) != NULL) {
		if (c.nd == c.capd) {
			size_t nc = c.capd ? c.capd * 2 : 8;
			ctf_dict_t **nd = realloc(c.dicts, nc * sizeof(*nd));
			if (!nd || c.nd >= CTF_MAX_DICTS) {
				free(nd == c.dicts ? NULL : nd);
				ctf_dict_close(fp);
				ctf_next_destroy(it);
				rc = nd ? cbad(&c, "more than 4096 dictionaries", 0)
				        : cnomem(&c);
				goto out;
			}
			c.dicts = nd;
			c.capd = nc;
		}
		if (name && strcmp(name, ".ctf") == 0 && c.parent == SIZE_MAX)
			c.parent = c.nd;
		c.dicts[c.nd++] = fp;
	}
	if (err != ECTF_NEXT_END) {
		ctf_next_destroy(it); /* not freed by libctf on an error */
		rc = cbad(&c, "cannot read the archive", err);
		goto out;
	}
	if (c.nd == 0) {
		rc = cbad(&c, "no CTF dictionaries", 0);
		goto out;
	}
	if (!(c.f = ty_file_new(path))) {
		rc = cnomem(&c);
		goto out;
	}
	for (size_t d = 0; d < c.nd && !rc; d++)
		rc = alloc_ids(&c, d);
	for (size_t d = 0; d < c.nd && !rc; d++)
		rc = fill_types(&c, d);
	if (!rc)
		rc = ty_finish(c.f, errs);
out:
	for (size_t d = 0; d < c.nd; d++)
		ctf_dict_close(c.dicts[d]);
	free(c.dicts);
	dif_hm_free(&c.ids);
	ctf_close(arc);
	if (rc) {
		ty_file_free(c.f);
		return rc;
	}
	*out = c.f;
	return 0;
}
