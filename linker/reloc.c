/*
 * The relocation pass (docs/linking.md): resolves HyperTrace's relocation
 * opcodes and the CO-RE relocation records of each DIFO against the type
 * files, and the host-side check that linking changed nothing else.
 *
 * HyperTrace's opcodes need the C type of the base pointer. Until the
 * verifier's type inference can be called from here, the pass tracks
 * provenance itself: one forward sweep over the DIFO (branches only go
 * forward, so the code is a DAG and one pass in pc order reaches every
 * join point after all its predecessors). Each register holds an
 * abstract value:
 *   VAL(T, d)  a value of type T with d more pointer levels (typecast,
 *              typed loads, member addresses);
 *   SYM(m, pc) the unknown offset of member m (usetx at pc);
 *   STR        a D string (typecast "D string", sets);
 *   UNK        anything else; CONFLICT where two paths disagree.
 * Rules: typecast sets VAL; mov copies; add of VAL(S, 1) and SYM(m)
 * resolves m in S (the usetx gets its offset) and gives VAL(type of m,
 * 1); uload/uuload of VAL(T, 1) load T and give VAL(T, 0); every other
 * writer gives UNK. Types never flow through variables or memory: a value
 * loaded from a variable needs its own typecast, as the D compiler emits.
 */
#include <fcntl.h>
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "difvm/reloc.h"
#include "difvm/internal.h"
#include "types.h"

/* ---------------------------------------------------------------------
 * Type files.
 */

struct dif_types *dif_types_new(void)
{
	return calloc(1, sizeof(struct dif_types));
}

void dif_types_free(struct dif_types *types)
{
	if (!types)
		return;
	for (uint32_t i = 0; i < types->n; i++)
		ty_file_free(types->f[i]);
	free(types);
}

size_t dif_types_count(const struct dif_types *types)
{
	return types ? types->n : 0;
}

static int types_full(struct dif_types *types, const char *name,
                      struct dif_errors *errs)
{
	if (types->n < TY_MAX_FILES)
		return 0;
	dif_errf(errs, DIF_E_LIMIT, DIF_NO_PC, NULL, NULL,
	         "%s: more than %u type files", name, TY_MAX_FILES);
	return DIF_E_LIMIT;
}

/* The .BTF section of an ELF image, or the whole buffer if it is not ELF. */
static int btf_payload(const void *buf, size_t len, const char *name,
                       const void **out, size_t *outlen,
                       struct dif_errors *errs)
{
	*out = buf;
	*outlen = len;
	if (len < 4 || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return 0;
	int rc = ty_elf_section(buf, len, ".BTF", out, outlen);
	if (rc < 0)
		dif_errf(errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL,
		         "%s: malformed ELF, or its .BTF section lies outside the "
		         "file", name);
	else if (rc > 0)
		dif_errf(errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL,
		         "%s: ELF object without a .BTF section (compile with gcc "
		         "-gbtf)", name);
	return rc ? DIF_E_TYPES : 0;
}

int dif_types_load_btf_buf(struct dif_types *types, const void *buf,
                           size_t len, const char *name,
                           struct dif_errors *errs)
{
	if (!types || (!buf && len))
		return DIF_E_INVAL;
	name = name ? name : "<btf>";
	int rc = types_full(types, name, errs);
	const void *p;
	size_t n;
	if (rc || (rc = btf_payload(buf, len, name, &p, &n, errs)))
		return rc;
	struct tyfile *f;
	if ((rc = ty_read_btf(p, n, name, &f, errs)))
		return rc;
	types->f[types->n++] = f;
	return 0;
}

/* Reads a whole file (sysfs files report no useful size: read to EOF). */
static int slurp(const char *path, void **out, size_t *len,
                 struct dif_errors *errs)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		dif_errf(errs, DIF_E_IO, DIF_NO_PC, NULL, NULL, "%s: cannot open: %m",
		         path);
		return DIF_E_IO;
	}
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);
	int rc = 0;
	for (;;) {
		if (!b) {
			rc = DIF_E_NOMEM;
			break;
		}
		if (n == cap) {
			if (cap >= TY_MAX_BYTES) {
				dif_errf(errs, DIF_E_TYPES, DIF_NO_PC, NULL, NULL,
				         "%s: larger than %u MiB", path, TY_MAX_BYTES >> 20);
				rc = DIF_E_TYPES;
				break;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				rc = DIF_E_NOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0) {
			dif_errf(errs, DIF_E_IO, DIF_NO_PC, NULL, NULL,
			         "%s: read error: %m", path);
			rc = DIF_E_IO;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (rc) {
		if (rc == DIF_E_NOMEM)
			dif_errf(errs, rc, DIF_NO_PC, NULL, NULL, "%s: out of memory", path);
		free(b);
		return rc;
	}
	*out = b;
	*len = n;
	return 0;
}

int dif_types_load(struct dif_types *types, enum dif_types_format format,
                   const char *path, struct dif_errors *errs)
{
	if (!types || !path)
		return DIF_E_INVAL;
	int rc = types_full(types, path, errs);
	if (rc)
		return rc;
	if (format != DIF_TYPES_BTF && format != DIF_TYPES_CTF)
		return DIF_E_INVAL;
	void *buf;
	size_t len;
	if ((rc = slurp(path, &buf, &len, errs)))
		return rc;
	if (format == DIF_TYPES_CTF) {
		/* libctf trusts parts of its input: check every byte first,
		 * then let it read the file */
		struct tyfile *f;
		rc = ty_check_ctf(buf, len, path, errs);
		free(buf);
		if (rc || (rc = ty_read_ctf(path, &f, errs)))
			return rc;
		types->f[types->n++] = f;
		return 0;
	}
	rc = dif_types_load_btf_buf(types, buf, len, path, errs);
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------------
 * Resolution of one relocation against the type files.
 */

/* A parsed type name: base name and pointer depth ("struct stat *"). */
struct tname {
	char base[256];
	unsigned stars;
};

static int parse_tname(const char *s, struct tname *tn)
{
	size_t n = 0;
	int space = 0;
	tn->stars = 0;
	if (strncmp(s, "userland ", 9) == 0)
		s += 9;
	for (; *s; s++) {
		if (*s == '*') {
			tn->stars++;
			continue;
		}
		if (tn->stars)
			return -1; /* "int * x" */
		if (*s == ' ' || *s == '\t') {
			space = n > 0;
			continue;
		}
		if (n + 2 >= sizeof(tn->base))
			return -1;
		if (space)
			tn->base[n++] = ' ';
		space = 0;
		tn->base[n++] = *s;
	}
	tn->base[n] = '\0';
	return n ? 0 : -1;
}

/* Why a resolution failed, for messages. */
struct why {
	char msg[224];
	uint32_t file; /* UINT32_MAX: none */
};

static void whyf(struct why *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void whyf(struct why *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
	va_end(ap);
}

/* Finds a complete type by name: the first file defining it wins. */
static int find_type(const struct dif_types *ty, const char *name,
                     uint32_t *file, uint32_t *tid, struct why *w)
{
	uint32_t fwd_file = UINT32_MAX;
	for (uint32_t i = 0; i < ty->n; i++) {
		uint32_t id = ty_lookup(ty->f[i], name, strlen(name));
		if (!id)
			continue;
		if (ty->f[i]->t[id].kind == TY_FWD) {
			if (fwd_file == UINT32_MAX)
				fwd_file = i;
			continue;
		}
		*file = i;
		*tid = id;
		return 0;
	}
	if (ty->n == 0)
		whyf(w, "no type files given (use --btf or --ctf)");
	else if (fwd_file != UINT32_MAX)
		whyf(w, "'%s' is only declared (incomplete) in %s", name,
		     ty->f[fwd_file]->path);
	else
		whyf(w, "no type '%s' in %s%s", name, ty->f[0]->path,
		     ty->n > 1 ? " or the other type files" : "");
	return -1;
}

/* Where a member path leads. */
struct place {
	uint64_t bitoff;
	uint32_t type;     /* the member's type */
	uint32_t bitsize;  /* nonzero: a bitfield */
};

static void kind_word(const struct tyfile *f, uint32_t id, char *buf,
                      size_t cap)
{
	ty_describe(f, id, buf, cap);
}

/* Walks "a.b[3].c" from type sid of file f. */
static int walk_path(struct tyfile *f, uint32_t sid, const char *path,
                     struct place *pl, struct why *w)
{
	uint32_t cur = sid;
	uint64_t off = 0;
	uint32_t bits = 0;
	const char *p = path;
	char desc[256];
	unsigned steps = 0;
	while (*p) {
		if (++steps > TY_MAX_CHAIN) {
			whyf(w, "member path '%s' is longer than %u steps", path,
			     TY_MAX_CHAIN);
			return -1;
		}
		uint32_t s = ty_strip(f, cur);
		const struct ty *t = &f->t[s];
		if (*p == '[') {
			char *end;
			unsigned long long idx = strtoull(p + 1, &end, 10);
			if (*end != ']') {
				whyf(w, "malformed index in '%s'", path);
				return -1;
			}
			if (t->kind != TY_ARRAY) {
				kind_word(f, s, desc, sizeof(desc));
				whyf(w, "'%.*s' is %s, not an array", (int)(p - path), path,
				     desc);
				return -1;
			}
			if (t->nelems && idx >= t->nelems) {
				whyf(w, "index %llu of '%.*s' is out of range (%u elements)",
				     idx, (int)(p - path), path, t->nelems);
				return -1;
			}
			int64_t es = ty_sizeof(f, t->ref);
			if (es < 0) {
				whyf(w, "the elements of '%.*s' have no size", (int)(p - path),
				     path);
				return -1;
			}
			off += idx * (uint64_t)es * 8;
			cur = t->ref;
			bits = 0;
			p = end + 1;
			continue;
		}
		if (*p == '.')
			p++;
		size_t n = strcspn(p, ".[");
		char name[256];
		if (n == 0 || n >= sizeof(name)) {
			whyf(w, "malformed member path '%s'", path);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if (t->kind != TY_STRUCT && t->kind != TY_UNION) {
			kind_word(f, s, desc, sizeof(desc));
			if (p == path)
				whyf(w, "%s is not a struct or union", desc);
			else
				whyf(w, "'%.*s' is %s, which has no member '%s'",
				     (int)(p - 1 - path), path, desc, name);
			return -1;
		}
		const struct tyflat *m = ty_member(f, s, name);
		if (!m) {
			kind_word(f, s, desc, sizeof(desc));
			const char *close = ty_closest_member(f, s, name);
			if (close)
				whyf(w, "%s has no member '%s' (closest: '%s'; types from %s)",
				     desc, name, close, f->path);
			else
				whyf(w, "%s has no member '%s' (it has no named members; "
				     "types from %s)", desc, name, f->path);
			return -1;
		}
		off += m->bitoff;
		bits = m->bitsize;
		cur = m->type;
		p += n;
	}
	pl->bitoff = off;
	pl->type = cur;
	pl->bitsize = bits;
	return 0;
}

/* The load opcode for a value of type id (already stripped of pointer
 * levels by the caller when it is a pointer). */
static int load_op(struct tyfile *f, uint32_t id, int ptr, int user,
                   unsigned *op, struct why *w)
{
	static const unsigned kernel[2][4] = {
		{ DIF_OPC_LDUB, DIF_OPC_LDUH, DIF_OPC_LDUW, DIF_OPC_LDX },
		{ DIF_OPC_LDSB, DIF_OPC_LDSH, DIF_OPC_LDSW, DIF_OPC_LDX },
	};
	static const unsigned uspace[2][4] = {
		{ DIF_OPC_ULDUB, DIF_OPC_ULDUH, DIF_OPC_ULDUW, DIF_OPC_ULDX },
		{ DIF_OPC_ULDSB, DIF_OPC_ULDSH, DIF_OPC_ULDSW, DIF_OPC_ULDX },
	};
	const unsigned(*tab)[4] = user ? uspace : kernel;
	if (ptr) {
		*op = tab[0][3];
		return 0;
	}
	uint32_t s = ty_strip(f, id);
	const struct ty *t = &f->t[s];
	char desc[256];
	ty_describe(f, s, desc, sizeof(desc));
	switch ((enum ty_kind)t->kind) {
	case TY_PTR:
		*op = tab[0][3];
		return 0;
	case TY_INT:
	case TY_ENUM: {
		int sg = (t->flags & TYF_SIGNED) != 0;
		int w2 = t->size == 1 ? 0 : t->size == 2 ? 1 : t->size == 4 ? 2
		         : t->size == 8 ? 3 : -1;
		if (w2 < 0) {
			whyf(w, "%s is %llu bytes: DIF loads 1, 2, 4 or 8", desc,
			     (unsigned long long)t->size);
			return -1;
		}
		*op = tab[sg][w2];
		return 0;
	}
	case TY_ARRAY:
		whyf(w, "%s is an array: it has an address, not a value to load",
		     desc);
		return -1;
	case TY_STRUCT: case TY_UNION:
		whyf(w, "%s is an aggregate: it cannot be loaded into a register",
		     desc);
		return -1;
	default:
		whyf(w, "%s cannot be loaded (only integers, enums and pointers)",
		     desc);
		return -1;
	}
}

/* One CO-RE record: value for the setx kinds, opcode for loads. */
static int resolve_core(const struct dif_types *ty, unsigned kind,
                        const char *type, const char *path, int user,
                        uint64_t *value, struct why *w)
{
	struct tname tn;
	uint32_t fi, tid;
	w->file = UINT32_MAX;
	if (parse_tname(type, &tn)) {
		whyf(w, "malformed type name '%s'", type);
		return -1;
	}
	if (find_type(ty, tn.base, &fi, &tid, w))
		return -1;
	struct tyfile *f = ty->f[fi];
	w->file = fi;
	if (kind == DIF_RELOC_SIZEOF) {
		int64_t sz = tn.stars ? 8 : ty_sizeof(f, tid);
		if (sz < 0) {
			whyf(w, "'%s' has no size", type);
			return -1;
		}
		*value = (uint64_t)sz;
		return 0;
	}
	if (tn.stars) {
		whyf(w, "'%s' is a pointer type; name the struct, union or enum",
		     type);
		return -1;
	}
	if (kind == DIF_RELOC_ENUMVAL) {
		uint32_t s = ty_strip(f, tid);
		const struct ty *t = &f->t[s];
		if (t->kind != TY_ENUM) {
			whyf(w, "'%s' is not an enum", type);
			return -1;
		}
		const char *best = NULL;
		for (uint32_t k = 0; k < t->vlen; k++) {
			const struct tyenum *e = &f->e[t->first + k];
			const char *n = ty_name(f, e->name);
			if (strcmp(n, path) == 0) {
				*value = (uint64_t)e->val;
				return 0;
			}
			if (!best || (strncmp(n, path, 3) == 0 && strncmp(best, path, 3)))
				best = n;
		}
		whyf(w, "%s has no enumerator '%s'%s%s%s (types from %s)", type, path,
		     best ? " (e.g. '" : "", best ? best : "", best ? "')" : "",
		     f->path);
		return -1;
	}
	struct place pl;
	if (walk_path(f, tid, path, &pl, w))
		return -1;
	switch (kind) {
	case DIF_RELOC_OFFSETOF:
		if (pl.bitsize || pl.bitoff % 8) {
			whyf(w, "'%s' is a bitfield: it has no byte offset", path);
			return -1;
		}
		*value = pl.bitoff / 8;
		return 0;
	case DIF_RELOC_MEMBERSIZE: {
		if (pl.bitsize) {
			whyf(w, "'%s' is a bitfield: it has no byte size", path);
			return -1;
		}
		int64_t sz = ty_sizeof(f, pl.type);
		if (sz < 0) {
			whyf(w, "member '%s' has no size", path);
			return -1;
		}
		*value = (uint64_t)sz;
		return 0;
	}
	case DIF_RELOC_EXISTS:
		*value = 1;
		return 0;
	case DIF_RELOC_LOAD: {
		if (pl.bitsize || pl.bitoff % 8) {
			whyf(w, "'%s' is a bitfield: no load reads it alone", path);
			return -1;
		}
		unsigned op;
		if (load_op(f, pl.type, 0, user, &op, w))
			return -1;
		*value = op;
		return 0;
	}
	default:
		whyf(w, "relocation kind %u is not resolved against types", kind);
		return -1;
	}
}

int dif_types_resolve(const struct dif_types *types, unsigned kind,
                      const char *type, const char *path, int user,
                      uint64_t *value, struct dif_errors *errs)
{
	if (!types || !type || !value || kind == DIF_RELOC_NONE ||
	    kind >= DIF_RELOC_POISON || (kind != DIF_RELOC_SIZEOF && !path))
		return DIF_E_INVAL;
	struct why w;
	if (resolve_core(types, kind, type, path ? path : "", user, value, &w)) {
		if (kind == DIF_RELOC_EXISTS) {
			*value = 0;
			return 0;
		}
		dif_errf(errs, DIF_E_RELOC, DIF_NO_PC, NULL, NULL, "@%s(%s%s%s): %s",
		         dif_reloc_kind_name(kind), type, path ? ", " : "",
		         path ? path : "", w.msg);
		return DIF_E_RELOC;
	}
	return 0;
}

/* A char-like integer: the elements of a char array make a string. */
static int is_char(const struct tyfile *f, uint32_t id)
{
	const struct ty *t = &f->t[ty_strip(f, id)];
	return t->kind == TY_INT && t->size == 1 &&
	       ((t->flags & TYF_CHAR) || strstr(ty_name(f, t->name), "char"));
}

int dif_types_member(const struct dif_types *types, const char *type,
                     const char *path, struct dif_tc_member *out,
                     struct dif_errors *errs)
{
	if (!types || !type || !path || !out)
		return DIF_E_INVAL;
	memset(out, 0, sizeof(*out));
	struct tname tn;
	uint32_t fi, tid;
	struct why w;
	w.file = UINT32_MAX;
	struct place pl;
	if (parse_tname(type, &tn)) {
		whyf(&w, "malformed type name '%s'", type);
	} else if (tn.stars) {
		whyf(&w, "'%s' is a pointer type; name the struct or union", type);
	} else if (!find_type(types, tn.base, &fi, &tid, &w) &&
	           !walk_path(types->f[fi], tid, path, &pl, &w)) {
		struct tyfile *f = types->f[fi];
		uint32_t s = ty_strip(f, pl.type);
		const struct ty *t = &f->t[s];
		out->kind = DIF_TC_M_OTHER;
		if (pl.bitsize) {
			/* a bitfield: no load reads it alone */
		} else if (t->kind == TY_INT || t->kind == TY_ENUM) {
			if (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8) {
				out->kind = DIF_TC_M_INT;
				out->width = (uint8_t)t->size;
				out->is_signed = (t->flags & TYF_SIGNED) != 0;
			}
		} else if (t->kind == TY_PTR) {
			out->kind = DIF_TC_M_PTR;
			ty_describe(f, t->ref, out->pointee, sizeof(out->pointee));
		} else if (t->kind == TY_ARRAY && is_char(f, t->ref)) {
			out->kind = DIF_TC_M_STRING;
		} else if (t->kind == TY_STRUCT || t->kind == TY_UNION) {
			out->kind = DIF_TC_M_STRUCT;
		}
		return 0;
	}
	dif_errf(errs, DIF_E_RELOC, DIF_NO_PC, NULL, NULL, "%s.%s: %s", type, path,
	         w.msg);
	return DIF_E_RELOC;
}

/* ---------------------------------------------------------------------
 * Provenance tracking for HyperTrace's opcodes (see the top comment).
 */

enum { AV_UNSET = 0, AV_UNK, AV_VAL, AV_STR, AV_SYM, AV_CONFLICT };

struct av {
	uint8_t k;
	uint8_t file;
	uint16_t depth; /* AV_VAL: pointer levels above tid */
	uint32_t tid;   /* AV_VAL: type (not a pointer after norm) */
	uint32_t sym;   /* AV_SYM: symbol-table offset of the member name */
	uint32_t def;   /* AV_SYM: pc of the usetx */
};

#define NTRACK DIF_NREGS

static int av_eq(const struct av *a, const struct av *b)
{
	return a->k == b->k && a->file == b->file && a->depth == b->depth &&
	       a->tid == b->tid && a->sym == b->sym && a->def == b->def;
}

static void av_join(struct av *into, const struct av *from)
{
	if (from->k == AV_UNSET || av_eq(into, from))
		return;
	if (into->k == AV_UNSET) {
		*into = *from;
		return;
	}
	struct av c = { .k = AV_CONFLICT };
	*into = c;
}

/* Pointer levels moved from the type into depth: VAL(T *, d) ==
 * VAL(T, d + 1), through typedefs and qualifiers. */
static struct av av_val(const struct tyfile *f, uint32_t file, uint32_t tid,
                        unsigned depth)
{
	struct av a = { .k = AV_VAL, .file = (uint8_t)file };
	for (unsigned i = 0; i < TY_MAX_CHAIN; i++) {
		uint32_t s = ty_strip(f, tid);
		if (f->t[s].kind != TY_PTR) {
			a.tid = s;
			a.depth = (uint16_t)(depth > 0xffff ? 0xffff : depth);
			return a;
		}
		tid = f->t[s].ref;
		depth++;
	}
	a.k = AV_UNK;
	return a;
}

/* ---------------------------------------------------------------------
 * The pass over one DIFO.
 */

struct rx {
	const struct dif_types *ty;
	const struct dif_reloc_opts *o;
	const char *object;
	enum dif_profile prof;
	int poison;
	struct dif_errors *errs;
	int failed;

	const struct dif_difo *d;
	uint32_t *text;      /* output text */
	uint64_t *ints;      /* output integer table */
	uint32_t nints, capints;
	struct dif_hmap intidx; /* value -> index */
	char **poisoned;     /* per pc: reason (malloc'd) or NULL */
	uint8_t *reported;   /* per pc: a failure was reported */
	struct av (*in)[NTRACK];
	uint8_t *reached;
	int64_t *usetx_off;  /* per pc: resolved offset, -1 unresolved */
	int has_reloc_ops;
	int ret_set;
	struct dif_type rtype;
	uint32_t ret_pc;
};

static const char *sym_at(const struct rx *x, uint32_t off)
{
	return off < x->d->symlen ? x->d->symtab + off : "(bad symbol)";
}

/* A relocation at pc failed: an error, or with --poison the instruction
 * faults ILLOP at run time with this reason. */
static void fail_at(struct rx *x, uint32_t pc, const char *what,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail_at(struct rx *x, uint32_t pc, const char *what,
                    const char *fmt, ...)
{
	char why[256], insn[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	dif_insn_text(x->d->text[pc], x->prof, insn, sizeof(insn));
	if (x->reported[pc])
		return; /* the first reason is the one that matters */
	x->reported[pc] = 1;
	if (x->poison) {
		char r[400];
		snprintf(r, sizeof(r), "%s: %s", what, why);
		x->poisoned[pc] = strdup(r);
		if (!x->poisoned[pc])
			x->failed = DIF_E_NOMEM;
		return;
	}
	x->failed = DIF_E_RELOC;
	dif_errf(x->errs, DIF_E_RELOC, pc, x->d->name, insn,
	         "%s: DIFO '%s' pc %u (%s): %s: %s", x->object, x->d->name, pc,
	         insn, what, why);
}

/* Appends v to the output integer table; the first slot holding a value
 * is the one later lookups find. */
static int push_int(struct rx *x, uint64_t v, uint32_t *idx)
{
	if (x->nints > DIF_INTOFF_MAX)
		return DIF_E_LIMIT;
	if (x->nints == x->capints) {
		uint32_t nc = x->capints ? x->capints * 2 : 16;
		uint64_t *ni = realloc(x->ints, nc * sizeof(*ni));
		if (!ni)
			return DIF_E_NOMEM;
		x->ints = ni;
		x->capints = nc;
	}
	if (dif_hm_add(&x->intidx, &v, 8, x->nints, NULL) < 0)
		return DIF_E_NOMEM;
	x->ints[x->nints] = v;
	*idx = x->nints++;
	return 0;
}

/* The slot of v, appended if new. */
static int add_int(struct rx *x, uint64_t v, uint32_t *idx)
{
	uint64_t *hit = dif_hm_get(&x->intidx, &v, 8);
	if (hit) {
		*idx = (uint32_t)*hit;
		return 0;
	}
	return push_int(x, v, idx);
}

/* setx of v into rd at pc. */
static void emit_setx(struct rx *x, uint32_t pc, uint64_t v)
{
	uint32_t idx;
	int rc = add_int(x, v, &idx);
	if (rc) {
		char insn[64];
		dif_insn_text(x->d->text[pc], x->prof, insn, sizeof(insn));
		dif_errf(x->errs, rc, pc, x->d->name, insn,
		         "%s: DIFO '%s' pc %u: %s", x->object, x->d->name, pc,
		         rc == DIF_E_LIMIT ? "the integer table is full (65536 entries)"
		                           : "out of memory");
		x->failed = rc;
		return;
	}
	x->text[pc] = DIF_ENC_W(DIF_OPC_SETX, idx, DIF_I_RD(x->d->text[pc]));
}

/* "@offsetof(struct stat, st_size)" for messages. */
static void rel_text(const struct rx *x, const struct dif_reloc *r, char *buf,
                     size_t cap)
{
	if (r->kind == DIF_RELOC_SIZEOF)
		snprintf(buf, cap, "@sizeof(%s)", sym_at(x, r->type));
	else
		snprintf(buf, cap, "@%s(%s, %s)", dif_reloc_kind_name(r->kind),
		         sym_at(x, r->type), sym_at(x, r->path));
}

/* A CO-RE record at pc. Returns the abstract value rd gets. */
static struct av do_record(struct rx *x, uint32_t pc, const struct dif_reloc *r)
{
	struct av unk = { .k = AV_UNK };
	char what[320];
	rel_text(x, r, what, sizeof(what));
	uint32_t w = x->d->text[pc];
	unsigned op = DIF_I_OP(w);
	struct why y;
	uint64_t v;
	if (r->kind == DIF_RELOC_LOAD) {
		if (op != DIF_OPC_ULOAD && op != DIF_OPC_UULOAD) {
			fail_at(x, pc, what, "a typed-load record on '%s', not on uload "
			        "or uuload", dif_op_name(op, x->prof));
			return unk;
		}
		if (resolve_core(x->ty, r->kind, sym_at(x, r->type), sym_at(x, r->path),
		                 op == DIF_OPC_UULOAD, &v, &y)) {
			fail_at(x, pc, what, "%s", y.msg);
			return unk;
		}
		x->text[pc] = DIF_ENC_R(v, DIF_I_R1(w), 0, DIF_I_RD(w));
		/* rd now holds the member: typed like it */
		struct tname tn;
		uint32_t fi, tid;
		struct place pl;
		struct why y2;
		if (!parse_tname(sym_at(x, r->type), &tn) &&
		    !find_type(x->ty, tn.base, &fi, &tid, &y2) &&
		    !walk_path(x->ty->f[fi], tid, sym_at(x, r->path), &pl, &y2))
			return av_val(x->ty->f[fi], fi, pl.type, 0);
		return unk;
	}
	if (op != DIF_OPC_SETX) {
		fail_at(x, pc, what, "a value record on '%s', not on setx",
		        dif_op_name(op, x->prof) ? dif_op_name(op, x->prof) : "?");
		return unk;
	}
	if (resolve_core(x->ty, r->kind, sym_at(x, r->type),
	                 r->kind == DIF_RELOC_SIZEOF ? "" : sym_at(x, r->path), 0,
	                 &v, &y)) {
		if (r->kind != DIF_RELOC_EXISTS) {
			fail_at(x, pc, what, "%s", y.msg);
			return unk;
		}
		v = 0;
	}
	emit_setx(x, pc, v);
	return unk;
}

/* typecast "T", rd */
static struct av do_typecast(struct rx *x, uint32_t pc)
{
	struct av unk = { .k = AV_UNK }, str = { .k = AV_STR };
	const char *name = sym_at(x, DIF_I_INDEX(x->d->text[pc]));
	x->text[pc] = DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0);
	char what[300];
	snprintf(what, sizeof(what), "typecast \"%s\"", name);
	if (strcmp(name, "D string") == 0)
		return str;
	if (strcmp(name, "bottom") == 0)
		return unk;
	struct tname tn;
	struct why y;
	uint32_t fi, tid;
	if (parse_tname(name, &tn)) {
		fail_at(x, pc, what, "malformed type name");
		return unk;
	}
	if (strcmp(tn.base, "void") == 0) {
		if (!tn.stars)
			return unk;
		return unk; /* void *: no member can be reached through it */
	}
	if (find_type(x->ty, tn.base, &fi, &tid, &y)) {
		fail_at(x, pc, what, "%s", y.msg);
		return unk;
	}
	return av_val(x->ty->f[fi], fi, tid, tn.stars);
}

static void describe_av(const struct rx *x, const struct av *a, char *buf,
                        size_t cap)
{
	switch (a->k) {
	case AV_VAL: {
		char t[256];
		ty_describe(x->ty->f[a->file], a->tid, t, sizeof(t));
		snprintf(buf, cap, "a value of type %s%s%.*s", t, a->depth ? " " : "",
		         (int)(a->depth > 8 ? 8 : a->depth), "********");
		return;
	}
	case AV_STR:
		snprintf(buf, cap, "a D string");
		return;
	case AV_SYM:
		snprintf(buf, cap, "the offset of member '%s' (usetx at pc %u)",
		         sym_at(x, a->sym), a->def);
		return;
	case AV_CONFLICT:
		snprintf(buf, cap, "values of different types on different paths");
		return;
	default:
		snprintf(buf, cap, "a value of unknown type (no typecast reaches it)");
		return;
	}
}

/* uload/uuload [r1], rd */
static struct av do_uload(struct rx *x, uint32_t pc, const struct av *base)
{
	struct av unk = { .k = AV_UNK };
	uint32_t w = x->d->text[pc];
	unsigned op = DIF_I_OP(w);
	char what[64];
	snprintf(what, sizeof(what), "%s", dif_op_name(op, x->prof));
	if (base->k != AV_VAL || base->depth == 0) {
		char d[300];
		describe_av(x, base, d, sizeof(d));
		fail_at(x, pc, what, "cannot tell what it loads: %%r%u holds %s; "
		        "typecast the base pointer", DIF_I_R1(w), d);
		return unk;
	}
	struct tyfile *f = x->ty->f[base->file];
	struct why y;
	unsigned lop;
	if (load_op(f, base->tid, base->depth > 1, op == DIF_OPC_UULOAD, &lop, &y)) {
		fail_at(x, pc, what, "%s", y.msg);
		return unk;
	}
	x->text[pc] = DIF_ENC_R(lop, DIF_I_R1(w), 0, DIF_I_RD(w));
	struct av r = *base;
	r.depth--;
	return r;
}

/* add r1, r2, rd where one side may be a usetx offset. */
static struct av do_add(struct rx *x, uint32_t pc, const struct av *a,
                        const struct av *b)
{
	struct av unk = { .k = AV_UNK };
	const struct av *sym = a->k == AV_SYM ? a : b->k == AV_SYM ? b : NULL;
	const struct av *base = sym == a ? b : a;
	if (!sym)
		return unk;
	uint32_t upc = sym->def;
	const char *mname = sym_at(x, sym->sym);
	char what[300];
	snprintf(what, sizeof(what), "usetx \"%s\"", mname);
	if (base->k != AV_VAL || base->depth != 1) {
		char d[300];
		describe_av(x, base, d, sizeof(d));
		fail_at(x, upc, what, "the base it is added to at pc %u is %s, not "
		        "a pointer to a struct or union", pc, d);
		return unk;
	}
	struct tyfile *f = x->ty->f[base->file];
	struct place pl;
	struct why y;
	if (walk_path(f, base->tid, mname, &pl, &y)) {
		fail_at(x, upc, what, "%s", y.msg);
		return unk;
	}
	if (pl.bitsize || pl.bitoff % 8) {
		fail_at(x, upc, what, "'%s' is a bitfield: it has no byte offset",
		        mname);
		return unk;
	}
	int64_t off = (int64_t)(pl.bitoff / 8);
	if (x->usetx_off[upc] >= 0 && x->usetx_off[upc] != off) {
		fail_at(x, upc, what, "it is added to bases of different types "
		        "(offsets %lld and %lld)", (long long)x->usetx_off[upc],
		        (long long)off);
		return unk;
	}
	x->usetx_off[upc] = off;
	return av_val(f, base->file, pl.type, 1);
}

static void do_ret(struct rx *x, uint32_t pc, const struct av *v)
{
	struct dif_type t = { .kind = DIF_TYPE_CTF };
	if (v->k != AV_VAL)
		return;
	if (v->depth > 0) {
		t.ckind = 3; /* pointer */
		t.size = 8;
	} else {
		const struct ty *ty = &x->ty->f[v->file]->t[v->tid];
		if (ty->kind != TY_INT && ty->kind != TY_ENUM)
			return; /* aggregates keep the declared by-ref type */
		t.ckind = ty->kind == TY_INT ? 1 : 8;
		t.size = (uint32_t)ty->size;
	}
	if (x->ret_set && (x->rtype.ckind != t.ckind || x->rtype.size != t.size)) {
		char what[32];
		snprintf(what, sizeof(what), "ret");
		fail_at(x, pc, what, "returns a %u-byte %s, but the ret at pc %u a "
		        "%u-byte %s", t.size, t.ckind == 3 ? "pointer" : "integer",
		        x->ret_pc, x->rtype.size,
		        x->rtype.ckind == 3 ? "pointer" : "integer");
		return;
	}
	x->ret_set = 1;
	x->ret_pc = pc;
	x->rtype = t;
}

static int writes_rd(const struct dif_opinfo *oi)
{
	switch ((enum dif_iclass)oi->cls) {
	case DIF_IC_ALU3: case DIF_IC_ALU2: case DIF_IC_LOAD: case DIF_IC_SETX:
	case DIF_IC_SETS: case DIF_IC_LDA: case DIF_IC_LDV: case DIF_IC_CALL:
	case DIF_IC_SYMREF: case DIF_IC_XLATE:
		return 1;
	default:
		return 0;
	}
}

static struct av reg(const struct av *st, unsigned r)
{
	struct av unk = { .k = AV_UNK };
	return r == 0 || r >= NTRACK ? unk : st[r];
}

/* The sweep: transfer each reached instruction, join into successors. */
static void sweep(struct rx *x)
{
	const struct dif_difo *d = x->d;
	x->reached[0] = 1;
	for (uint32_t pc = 0; pc < d->textlen && x->failed != DIF_E_NOMEM; pc++) {
		uint32_t w = d->text[pc];
		unsigned op = DIF_I_OP(w), r1 = DIF_I_R1(w), r2 = DIF_I_R2(w);
		unsigned rd = DIF_I_RD(w);
		const struct dif_opinfo *oi = dif_isa_lookup(op, x->prof);
		const struct dif_reloc *rl = dif_difo_reloc_at(d, pc);
		struct av st[NTRACK];
		memcpy(st, x->in[pc], sizeof(st));
		for (unsigned r = 0; r < NTRACK; r++)
			if (st[r].k == AV_UNSET)
				st[r].k = AV_UNK;
		if (!x->reached[pc] && (rl || (oi && (oi->flags & DIF_F_RELOC)))) {
			if (rl && rl->kind != DIF_RELOC_POISON &&
			    rl->kind != DIF_RELOC_LOAD) {
				do_record(x, pc, rl); /* needs no inference */
			} else if (oi && (oi->flags & DIF_F_RELOC)) {
				if (op == DIF_OPC_TYPECAST)
					x->text[pc] = DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0);
				else if (rl && rl->kind == DIF_RELOC_LOAD)
					do_record(x, pc, rl);
				else
					fail_at(x, pc, oi->name, "unreachable: no path reaches "
					        "it, so nothing gives it a type");
			}
			continue;
		}
		if (!x->reached[pc] || !oi)
			continue;
		struct av out = { .k = AV_UNK };
		if (rl && rl->kind != DIF_RELOC_POISON) {
			out = do_record(x, pc, rl);
		} else if (rl) {
			/* already poisoned by an earlier link: left as it is */
		} else if (op == DIF_OPC_TYPECAST) {
			out = do_typecast(x, pc);
		} else if (op == DIF_OPC_USETX) {
			out.k = AV_SYM;
			out.sym = DIF_I_INDEX(w);
			out.def = pc;
			x->usetx_off[pc] = x->usetx_off[pc] < 0 ? -1 : x->usetx_off[pc];
		} else if (op == DIF_OPC_ULOAD || op == DIF_OPC_UULOAD) {
			struct av b = reg(st, r1);
			out = do_uload(x, pc, &b);
		} else if (op == DIF_OPC_MOV) {
			out = reg(st, r1);
		} else if (op == DIF_OPC_ADD) {
			struct av a = reg(st, r1), b = reg(st, r2);
			out = do_add(x, pc, &a, &b);
		} else if (op == DIF_OPC_SETS) {
			out.k = AV_STR;
		} else if (op == DIF_OPC_RET) {
			struct av v = reg(st, rd);
			if (x->has_reloc_ops)
				do_ret(x, pc, &v);
		} else if (op == DIF_OPC_PUSHTV) {
			struct av v = reg(st, rd);
			if (v.k == AV_STR && x->has_reloc_ops)
				fail_at(x, pc, "pushtv", "pushes a D string by value; "
				        "strings go by reference (pushtr)");
			else if (v.k == AV_VAL)
				x->text[pc] = DIF_ENC_R(op, DIF_TYPE_CTF, r2, rd);
		}
		if (writes_rd(oi) && rd != 0 && rd < NTRACK)
			st[rd] = out;
		/* successors */
		uint32_t succ[2];
		unsigned ns = 0;
		if (oi->cls == DIF_IC_BRANCH) {
			if (DIF_I_LABEL(w) > pc && DIF_I_LABEL(w) < d->textlen)
				succ[ns++] = DIF_I_LABEL(w);
			if (op != DIF_OPC_BA && pc + 1 < d->textlen)
				succ[ns++] = pc + 1;
		} else if (oi->cls != DIF_IC_RET && pc + 1 < d->textlen) {
			succ[ns++] = pc + 1;
		}
		for (unsigned s = 0; s < ns; s++) {
			uint32_t t = succ[s];
			if (!x->reached[t]) {
				x->reached[t] = 1;
				memcpy(x->in[t], st, sizeof(st));
			} else {
				for (unsigned r = 0; r < NTRACK; r++)
					av_join(&x->in[t][r], &st[r]);
			}
		}
	}
	/* usetx that no typed add consumed */
	for (uint32_t pc = 0; pc < d->textlen; pc++) {
		uint32_t w = d->text[pc];
		if (DIF_I_OP(w) != DIF_OPC_USETX || dif_difo_reloc_at(d, pc))
			continue;
		char what[300];
		snprintf(what, sizeof(what), "usetx \"%s\"",
		         sym_at(x, DIF_I_INDEX(w)));
		if (x->usetx_off[pc] >= 0)
			emit_setx(x, pc, (uint64_t)x->usetx_off[pc]);
		else if (x->reached[pc])
			fail_at(x, pc, what, "no add of a typed struct pointer uses it, "
			        "so its struct is unknown (typecast the base pointer "
			        "before the add)");
	}
}

/* The linked DIFO: rewritten text, grown integer table, patched return
 * type, and only the poison records (with their reasons) left. */
static int build_out(struct rx *x, struct dif_module *out)
{
	const struct dif_difo *d = x->d;
	struct dif_reloc *rels = NULL;
	char *sym = NULL;
	size_t nsym = 0, nrel = 0;
	int rc = DIF_E_NOMEM;
	struct dif_hmap seen = { 0 };
	for (uint32_t pc = 0; pc < d->textlen; pc++) {
		const struct dif_reloc *old = dif_difo_reloc_at(d, pc);
		const char *reason = x->poisoned[pc];
		if (!reason && old && old->kind == DIF_RELOC_POISON)
			reason = sym_at(x, old->path);
		if (!reason)
			continue;
		if (reason == x->poisoned[pc])
			/* ldta always faults ILLOP in DIF; the record names why */
			x->text[pc] = DIF_ENC_R(DIF_OPC_LDTA, 0, 0, DIF_I_RD(d->text[pc]));
		if (!rels && !(rels = calloc(d->textlen, sizeof(*rels))))
			goto out;
		size_t l = strlen(reason);
		uint64_t *hit = dif_hm_get(&seen, reason, l), off;
		if (hit) {
			off = *hit;
		} else {
			char *ns = realloc(sym, nsym + l + 2);
			if (!ns)
				goto out;
			sym = ns;
			if (nsym == 0)
				sym[nsym++] = '\0';
			off = nsym;
			memcpy(sym + nsym, reason, l + 1);
			nsym += l + 1;
			if (dif_hm_add(&seen, reason, l, off, NULL) < 0)
				goto out;
		}
		rels[nrel++] = (struct dif_reloc){ .pc = pc, .kind = DIF_RELOC_POISON,
		                                   .path = (uint32_t)off };
	}
	struct dif_difo_parts p;
	dif_difo_get_parts(d, &p);
	p.text = x->text;
	p.inttab = x->ints;
	p.intlen = x->nints;
	p.symtab = sym;
	p.symlen = (uint32_t)nsym;
	p.relocs = rels;
	p.nrelocs = (uint32_t)nrel;
	if (x->ret_set)
		p.rtype = x->rtype;
	struct dif_difo *nd = NULL;
	if ((rc = dif_difo_create(&p, &nd, x->errs)))
		goto out;
	dif_difo_set_ptr(nd, dif_difo_ptr(d));
	dif_difo_set_varid(nd, dif_difo_varid(d));
	rc = dif_module_add(out, nd);
out:
	if (rc == DIF_E_NOMEM)
		dif_errf(x->errs, rc, DIF_NO_PC, d->name, NULL, "%s: out of memory",
		         x->object);
	dif_hm_free(&seen);
	free(sym);
	free(rels);
	return rc;
}

static int relocate_difo(struct rx *x, const struct dif_difo *d,
                         struct dif_module *out)
{
	int rc = DIF_E_NOMEM;
	x->d = d;
	x->failed = 0;
	x->ret_set = 0;
	x->has_reloc_ops = 0;
	uint32_t n = d->textlen ? d->textlen : 1;
	x->text = malloc(n * sizeof(*x->text));
	x->poisoned = calloc(n, sizeof(*x->poisoned));
	x->in = calloc(n, sizeof(*x->in));
	x->reached = calloc(n, 1);
	x->reported = calloc(n, 1);
	x->usetx_off = malloc(n * sizeof(*x->usetx_off));
	x->ints = NULL;
	x->nints = x->capints = 0;
	memset(&x->intidx, 0, sizeof(x->intidx));
	if (!x->text || !x->poisoned || !x->in || !x->reached || !x->reported ||
	    !x->usetx_off)
		goto out;
	memcpy(x->text, d->text, (size_t)d->textlen * sizeof(*x->text));
	for (uint32_t i = 0; i < n; i++)
		x->usetx_off[i] = -1;
	/* the old table stays as it is, so old indices keep their meaning */
	for (uint32_t i = 0; i < d->intlen; i++) {
		uint32_t idx;
		if (push_int(x, d->inttab[i], &idx))
			goto out;
	}
	for (uint32_t pc = 0; pc < d->textlen; pc++) {
		const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(d->text[pc]),
		                                             x->prof);
		if (oi && (oi->flags & DIF_F_RELOC))
			x->has_reloc_ops = 1;
	}
	sweep(x);
	if (x->failed) {
		rc = x->failed;
		goto out;
	}
	rc = build_out(x, out);
out:
	if (rc == DIF_E_NOMEM && !x->failed)
		dif_errf(x->errs, rc, DIF_NO_PC, d->name, NULL, "%s: out of memory",
		         x->object);
	for (uint32_t i = 0; x->poisoned && i < n; i++)
		free(x->poisoned[i]);
	free(x->poisoned);
	free(x->text);
	free(x->in);
	free(x->reached);
	free(x->reported);
	free(x->usetx_off);
	free(x->ints);
	dif_hm_free(&x->intidx);
	return rc;
}

int dif_relocate(const struct dif_module *in, const struct dif_types *types,
                 const struct dif_reloc_opts *opts, struct dif_module **out,
                 struct dif_errors *errs)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if (!in || !types)
		return DIF_E_INVAL;
	struct rx x;
	memset(&x, 0, sizeof(x));
	x.ty = types;
	x.o = opts;
	x.prof = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	x.poison = (DIF_OPT(opts, flags, 0) & DIF_RELOC_F_POISON) != 0;
	x.object = DIF_OPT(opts, object, NULL);
	if (!x.object)
		x.object = "<input>";
	x.errs = errs;
	struct dif_module *m = dif_module_new();
	if (!m)
		return DIF_E_NOMEM;
	int first = 0;
	for (size_t i = 0; i < dif_module_count(in); i++) {
		int rc = relocate_difo(&x, dif_module_get(in, i), m);
		if (rc && !first)
			first = rc;
		if (rc == DIF_E_NOMEM)
			break;
	}
	if (first) {
		dif_module_free(m);
		return first;
	}
	*out = m;
	return 0;
}

/* ---------------------------------------------------------------------
 * Host-side check: only the allowed rewrites (docs/linking.md).
 */

static int vfail(struct dif_errors *errs, const char *object,
                 const struct dif_difo *d, uint32_t pc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int vfail(struct dif_errors *errs, const char *object,
                 const struct dif_difo *d, uint32_t pc, const char *fmt, ...)
{
	char m[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof(m), fmt, ap);
	va_end(ap);
	if (pc == DIF_NO_PC)
		dif_errf(errs, DIF_E_VERIFY, pc, d ? d->name : NULL, NULL, "%s: %s%s%s%s",
		         object, d ? "DIFO '" : "", d ? d->name : "", d ? "': " : "", m);
	else
		dif_errf(errs, DIF_E_VERIFY, pc, d->name, NULL,
		         "%s: DIFO '%s' pc %u: %s", object, d->name, pc, m);
	return DIF_E_VERIFY;
}

static int is_load(unsigned op, int user)
{
	if (user)
		return op >= DIF_OPC_ULDSB && op <= DIF_OPC_ULDX;
	return op >= DIF_OPC_LDSB && op <= DIF_OPC_LDX;
}

static int verify_insn(const struct dif_difo *b, const struct dif_difo *l,
                       uint32_t pc, enum dif_profile prof, const char *obj,
                       struct dif_errors *errs)
{
	uint32_t bw = b->text[pc], lw = l->text[pc];
	unsigned bop = DIF_I_OP(bw), lop = DIF_I_OP(lw);
	const struct dif_reloc *br = dif_difo_reloc_at(b, pc);
	const struct dif_reloc *lr = dif_difo_reloc_at(l, pc);
	int site = (br && br->kind != DIF_RELOC_POISON) ||
	           bop == DIF_OPC_USETX || bop == DIF_OPC_ULOAD ||
	           bop == DIF_OPC_UULOAD || bop == DIF_OPC_TYPECAST;
	char bt[64], lt[64];
	dif_insn_text(bw, prof, bt, sizeof(bt));
	dif_insn_text(lw, prof, lt, sizeof(lt));
	if (lr && lr->kind != DIF_RELOC_POISON)
		return vfail(errs, obj, l, pc, "an unresolved @%s relocation is left",
		             dif_reloc_kind_name(lr->kind));
	if (lr) {
		if (br && br->kind == DIF_RELOC_POISON) {
			if (bw != lw)
				return vfail(errs, obj, l, pc, "poisoned '%s' became '%s'", bt,
				             lt);
			return 0;
		}
		if (!site)
			return vfail(errs, obj, l, pc, "'%s' was poisoned, but it is not "
			             "a relocation", bt);
		if (lw != DIF_ENC_R(DIF_OPC_LDTA, 0, 0, DIF_I_RD(bw)))
			return vfail(errs, obj, l, pc, "poisoned '%s' became '%s', not "
			             "the faulting ldta", bt, lt);
		return 0;
	}
	const char *want = NULL;
	int ok = 1;
	if (bop == DIF_OPC_USETX || (br && br->kind != DIF_RELOC_LOAD &&
	                             br->kind != DIF_RELOC_POISON)) {
		ok = lop == DIF_OPC_SETX && DIF_I_RD(lw) == DIF_I_RD(bw) &&
		     DIF_I_INDEX(lw) < l->intlen;
		want = "setx into the same register";
	} else if (bop == DIF_OPC_ULOAD || bop == DIF_OPC_UULOAD) {
		ok = is_load(lop, bop == DIF_OPC_UULOAD) &&
		     (lw & 0x00ffffffu) == (bw & 0x00ffffffu);
		want = bop == DIF_OPC_ULOAD ? "a kernel load (ldsb..ldx) with the "
		                              "same registers"
		                            : "a user load (uldsb..uldx) with the "
		                              "same registers";
	} else if (bop == DIF_OPC_TYPECAST) {
		ok = lw == DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0);
		want = "nop";
	} else if (bop == DIF_OPC_PUSHTV) {
		ok = (lw & 0xff00ffffu) == (bw & 0xff00ffffu);
		want = "pushtv with only its type changed";
	} else {
		ok = bw == lw;
		want = "unchanged";
	}
	if (!ok)
		return vfail(errs, obj, l, pc, "'%s' became '%s' (allowed: %s)", bt, lt,
		             want);
	return 0;
}

int dif_reloc_verify(const struct dif_module *base,
                     const struct dif_module *linked,
                     const struct dif_reloc_opts *opts,
                     struct dif_errors *errs)
{
	if (!base || !linked)
		return DIF_E_INVAL;
	enum dif_profile prof = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	const char *obj = DIF_OPT(opts, object, NULL);
	if (!obj)
		obj = "linked";
	size_t n = dif_module_count(base);
	if (dif_module_count(linked) != n)
		return vfail(errs, obj, NULL, DIF_NO_PC, "%zu DIFOs, the base has %zu",
		             dif_module_count(linked), n);
	for (size_t i = 0; i < n; i++) {
		const struct dif_difo *b = dif_module_get(base, i);
		const struct dif_difo *l = dif_module_get(linked, i);
		if (strcmp(b->name, l->name) != 0)
			return vfail(errs, obj, l, DIF_NO_PC, "is DIFO %zu, where the base "
			             "has '%s'", i, b->name);
		if (b->textlen != l->textlen)
			return vfail(errs, obj, l, DIF_NO_PC, "%u instructions, the base "
			             "has %u", l->textlen, b->textlen);
		if (l->intlen < b->intlen ||
		    (b->intlen && memcmp(b->inttab, l->inttab, b->intlen * 8u)))
			return vfail(errs, obj, l, DIF_NO_PC, "the base's integer table "
			             "entries changed (only appending is allowed)");
		if (b->strlen != l->strlen ||
		    (b->strlen && memcmp(b->strtab, l->strtab, b->strlen)))
			return vfail(errs, obj, l, DIF_NO_PC, "the string table changed");
		if (b->varlen != l->varlen ||
		    (b->varlen && memcmp(b->vartab, l->vartab,
		                         b->varlen * sizeof(*b->vartab))))
			return vfail(errs, obj, l, DIF_NO_PC, "the variable table changed");
		int has_ops = 0;
		for (uint32_t pc = 0; pc < b->textlen; pc++) {
			const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(b->text[pc]),
			                                             prof);
			if (oi && (oi->flags & DIF_F_RELOC))
				has_ops = 1;
			int rc = verify_insn(b, l, pc, prof, obj, errs);
			if (rc)
				return rc;
		}
		if (!has_ops && memcmp(&b->rtype, &l->rtype, sizeof(b->rtype)))
			return vfail(errs, obj, l, DIF_NO_PC, "the return type changed, "
			             "but the DIFO has no relocation opcodes");
	}
	return 0;
}
