/* The type graph shared by the BTF and CTF readers (types.h). */
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/reloc.h"
#include "types.h"

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

struct tyfile *ty_file_new(const char *path)
{
	struct tyfile *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strdup(path ? path : "<types>");
	size_t capt = 0;
	if (!f->path || ty_name_add(f, "", 0) != 0 ||
	    grow((void **)&f->t, &capt, 0, sizeof(*f->t))) {
		ty_file_free(f);
		return NULL;
	}
	f->capt = (uint32_t)capt;
	memset(&f->t[0], 0, sizeof(f->t[0])); /* void */
	f->nt = 1;
	return f;
}

void ty_file_free(struct tyfile *f)
{
	if (!f)
		return;
	free(f->path);
	free(f->names);
	free(f->t);
	free(f->m);
	free(f->e);
	free(f->flat);
	free(f->indexed);
	dif_hm_free(&f->byname);
	dif_hm_free(&f->members);
	free(f);
}

uint32_t ty_name_add(struct tyfile *f, const char *s, size_t n)
{
	if (f->nameslen + n + 1 > TY_MAX_BYTES)
		return UINT32_MAX;
	while (f->nameslen + n + 1 > f->namescap) {
		size_t nc = f->namescap ? f->namescap * 2 : 4096;
		char *np = realloc(f->names, nc);
		if (!np)
			return UINT32_MAX;
		f->names = np;
		f->namescap = nc;
	}
	uint32_t off = (uint32_t)f->nameslen;
	memcpy(f->names + off, s, n);
	f->names[off + n] = '\0';
	f->nameslen += n + 1;
	return off;
}

uint32_t ty_add(struct tyfile *f, const struct ty *t)
{
	if (f->nt >= TY_MAX_TYPES)
		return 0;
	size_t cap = f->capt;
	if (grow((void **)&f->t, &cap, f->nt, sizeof(*f->t)))
		return 0;
	f->capt = (uint32_t)cap;
	f->t[f->nt] = *t;
	return f->nt++;
}

int ty_member_add(struct tyfile *f, const struct tymember *m)
{
	if (grow((void **)&f->m, &f->capm, f->nm, sizeof(*f->m)))
		return -1;
	f->m[f->nm++] = *m;
	return 0;
}

int ty_enum_add(struct tyfile *f, const struct tyenum *e)
{
	if (grow((void **)&f->e, &f->cape, f->ne, sizeof(*f->e)))
		return -1;
	f->e[f->ne++] = *e;
	return 0;
}

/* The name a type is looked up by, or 0 if it has none. */
static size_t key_of(const struct tyfile *f, const struct ty *t, char *buf,
                     size_t cap)
{
	const char *n = ty_name(f, t->name);
	if (!*n)
		return 0;
	const char *pre = "";
	switch ((enum ty_kind)t->kind) {
	case TY_STRUCT: pre = "struct "; break;
	case TY_UNION: pre = "union "; break;
	case TY_ENUM: pre = "enum "; break;
	case TY_FWD:
		pre = t->flags & TYF_UNION ? "union "
		      : t->flags & TYF_ENUMFWD ? "enum " : "struct ";
		break;
	case TY_INT: case TY_TYPEDEF: case TY_FLOAT:
		break;
	default:
		return 0;
	}
	int k = snprintf(buf, cap, "%s%s", pre, n);
	return k < 0 || (size_t)k >= cap ? 0 : (size_t)k;
}

int ty_finish(struct tyfile *f, struct dif_errors *errs)
{
	for (uint32_t i = 1; i < f->nt; i++) {
		const struct ty *t = &f->t[i];
		const char *why = NULL;
		if (t->ref >= f->nt)
			why = "refers to a type that does not exist";
		else if ((t->kind == TY_STRUCT || t->kind == TY_UNION) &&
		         (uint64_t)t->first + t->vlen > f->nm)
			why = "members outside the member table";
		else if (t->kind == TY_ENUM && (uint64_t)t->first + t->vlen > f->ne)
			why = "values outside the value table";
		if (!why && (t->kind == TY_STRUCT || t->kind == TY_UNION))
			for (uint32_t k = 0; k < t->vlen && !why; k++) {
				const struct tymember *m = &f->m[t->first + k];
				if (m->type >= f->nt)
					why = "a member refers to a type that does not exist";
				else if (m->bitoff + m->bitsize > t->size * 8)
					why = "a member lies outside the struct";
			}
		if (why) {
			dif_errf(errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL,
			         "%s: type %u: %s", f->path, i, why);
			return DIF_E_TYPES;
		}
	}
	f->indexed = calloc(f->nt, 1);
	if (!f->indexed)
		goto nomem;
	char key[512];
	for (uint32_t i = 1; i < f->nt; i++) {
		size_t n = key_of(f, &f->t[i], key, sizeof(key));
		if (!n)
			continue;
		uint64_t old;
		int r = dif_hm_add(&f->byname, key, n, i, &old);
		if (r < 0)
			goto nomem;
		/* a complete definition replaces a forward declaration */
		if (r == 0 && f->t[old].kind == TY_FWD && f->t[i].kind != TY_FWD)
			*dif_hm_get(&f->byname, key, n) = i;
	}
	return 0;
nomem:
	dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL, "%s: out of memory",
	         f->path);
	return DIF_E_NOMEM;
}

uint32_t ty_strip(const struct tyfile *f, uint32_t id)
{
	for (unsigned d = 0; d < TY_MAX_CHAIN; d++) {
		const struct ty *t = &f->t[id];
		if (t->kind != TY_TYPEDEF && t->kind != TY_CONST &&
		    t->kind != TY_VOLATILE && t->kind != TY_RESTRICT)
			return id;
		id = t->ref;
	}
	return 0;
}

uint32_t ty_lookup(const struct tyfile *f, const char *name, size_t n)
{
	uint64_t *v = dif_hm_get(&f->byname, name, n);
	return v ? (uint32_t)*v : 0;
}

int64_t ty_sizeof(const struct tyfile *f, uint32_t id)
{
	uint64_t mul = 1;
	for (unsigned d = 0; d < TY_MAX_CHAIN; d++) {
		id = ty_strip(f, id);
		const struct ty *t = &f->t[id];
		switch ((enum ty_kind)t->kind) {
		case TY_INT: case TY_FLOAT: case TY_STRUCT: case TY_UNION:
		case TY_ENUM:
			return t->size * mul > (uint64_t)INT64_MAX / 2
			       ? -1 : (int64_t)(t->size * mul);
		case TY_PTR:
			return (int64_t)(8 * mul);
		case TY_ARRAY:
			mul *= t->nelems;
			if (mul > UINT32_MAX)
				return -1;
			id = t->ref;
			continue;
		default:
			return -1;
		}
	}
	return -1;
}

/* Adds sid's members (anonymous members flattened, bounded depth). */
static int flatten(struct tyfile *f, uint32_t root, uint32_t sid,
                   uint64_t base, unsigned depth)
{
	const struct ty *t = &f->t[sid];
	if (depth > TY_MAX_NEST)
		return 0;
	for (uint32_t k = 0; k < t->vlen; k++) {
		const struct tymember *m = &f->m[t->first + k];
		if (m->name == 0 || !f->names[m->name]) {
			uint32_t in = ty_strip(f, m->type);
			if (f->t[in].kind == TY_STRUCT || f->t[in].kind == TY_UNION)
				if (flatten(f, root, in, base + m->bitoff, depth + 1))
					return -1;
			continue;
		}
		char key[300];
		int n = snprintf(key, sizeof(key), "%u:%s", root, ty_name(f, m->name));
		if (n < 0 || (size_t)n >= sizeof(key))
			continue;
		if (grow((void **)&f->flat, &f->capflat, f->nflat, sizeof(*f->flat)))
			return -1;
		int r = dif_hm_add(&f->members, key, (size_t)n, f->nflat, NULL);
		if (r < 0)
			return -1;
		if (r == 0)
			continue; /* first (outermost) one wins */
		f->flat[f->nflat++] = (struct tyflat){ m->name, m->type, m->bitsize,
		                                       base + m->bitoff };
	}
	return 0;
}

/* Hashes sid's members on first use; -1 on OOM. */
static int ensure_indexed(struct tyfile *f, uint32_t sid)
{
	if (f->indexed[sid])
		return 0;
	if (flatten(f, sid, sid, 0, 0))
		return -1;
	f->indexed[sid] = 1;
	return 0;
}

const struct tyflat *ty_member(struct tyfile *f, uint32_t sid,
                               const char *name)
{
	if (ensure_indexed(f, sid))
		return NULL;
	char key[300];
	int n = snprintf(key, sizeof(key), "%u:%s", sid, name);
	if (n < 0 || (size_t)n >= sizeof(key))
		return NULL;
	uint64_t *v = dif_hm_get(&f->members, key, (size_t)n);
	return v ? &f->flat[*v] : NULL;
}

/* Levenshtein distance, bounded lengths. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, 128), lb = strnlen(b, 128);
	size_t row[129];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *ty_closest_member(struct tyfile *f, uint32_t sid,
                              const char *name)
{
	if (ensure_indexed(f, sid))
		return NULL;
	const char *best = NULL;
	size_t bd = SIZE_MAX;
	char pre[16];
	int pl = snprintf(pre, sizeof(pre), "%u:", sid);
	/* The flattened members of sid are the ones whose key starts with
	 * "<sid>:"; walking the hash table keeps this off the hot path. */
	for (size_t i = 0; i < f->members.cap; i++) {
		const struct dif_hent *e = &f->members.v[i];
		if (!e->key || e->klen < (size_t)pl || memcmp(e->key, pre, (size_t)pl))
			continue;
		const char *cand = ty_name(f, f->flat[e->val].name);
		size_t d = edit_distance(name, cand);
		if (d < bd || (d == bd && best && strcmp(cand, best) < 0)) {
			bd = d;
			best = cand;
		}
	}
	return best;
}

void ty_describe(const struct tyfile *f, uint32_t id, char *buf, size_t cap)
{
	char key[300];
	const struct ty *t = &f->t[id];
	if (id == 0) {
		snprintf(buf, cap, "void");
	} else if (key_of(f, t, key, sizeof(key))) {
		snprintf(buf, cap, "%s", key);
	} else if (t->kind == TY_PTR) {
		char in[200];
		ty_describe(f, ty_strip(f, t->ref), in, sizeof(in));
		snprintf(buf, cap, "%s *", in);
	} else {
		static const char *const kinds[] = {
			"void", "integer", "pointer", "array", "struct", "union", "enum",
			"forward", "typedef", "volatile", "const", "restrict",
			"function", "float", "other",
		};
		snprintf(buf, cap, "%s%s (type %u)",
		         t->kind < sizeof(kinds) / sizeof(kinds[0]) ? "anonymous "
		                                                     : "",
		         t->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[t->kind]
		                                                     : "?", id);
	}
}

int ty_elf_section(const void *buf, size_t len, const char *name,
                   const void **out, size_t *outlen)
{
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)(uintptr_t)buf, len);
	size_t shstrndx;
	int rc = 1;
	if (!e || elf_getshdrstrndx(e, &shstrndx) != 0) {
		rc = -1;
		goto out;
	}
	/* every section inside the file: libctf's ELF reader (BFD) trusts the
	 * symbol and string table sizes */
	for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(s, &sh)) {
			rc = -1;
			goto out;
		}
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)) {
			rc = -1;
			goto out;
		}
	}
	for (Elf_Scn *s = elf_nextscn(e, NULL); s; s = elf_nextscn(e, s)) {
		GElf_Shdr sh;
		gelf_getshdr(s, &sh);
		const char *sn = elf_strptr(e, shstrndx, sh.sh_name);
		if (!sn || strcmp(sn, name) != 0 || sh.sh_size == 0 ||
		    sh.sh_type == SHT_NOBITS)
			continue;
		*out = (const char *)buf + sh.sh_offset;
		*outlen = sh.sh_size;
		rc = 0;
		goto out;
	}
out:
	if (e)
		elf_end(e);
	return rc;
}
