/*
 * One in-memory type graph for every type source (BTF, CTF): the
 * relocation engine (reloc.c) only ever sees this. Internal; not
 * installed. Caps are in docs/linking.md ("Type files").
 */
#ifndef DIFVM_LINKER_TYPES_H
#define DIFVM_LINKER_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "difvm/difvm.h"
#include "difvm/internal.h"
#include "difvm/hash.h"

#define TY_MAX_FILES 64u
#define TY_MAX_TYPES (1u << 22)          /* per file */
#define TY_MAX_BYTES (512u << 20)        /* a type file's size */
#define TY_MAX_CHAIN 64u                 /* typedef/cv/array chain depth */
#define TY_MAX_NEST 32u                  /* anonymous member nesting */

enum ty_kind {
	TY_VOID = 0, TY_INT, TY_PTR, TY_ARRAY, TY_STRUCT, TY_UNION, TY_ENUM,
	TY_FWD, TY_TYPEDEF, TY_VOLATILE, TY_CONST, TY_RESTRICT, TY_FUNC,
	TY_FLOAT, TY_OTHER, /* variables, data sections, tags: never named */
};

#define TYF_SIGNED 0x1u
#define TYF_BOOL 0x2u
#define TYF_CHAR 0x4u
#define TYF_UNION 0x8u /* TY_FWD of a union */
#define TYF_ENUMFWD 0x10u /* TY_FWD of an enum */

struct ty {
	uint8_t kind;    /* enum ty_kind */
	uint8_t flags;   /* TYF_* */
	uint16_t bits;   /* TY_INT: value bits (bitfield slices: fewer) */
	uint32_t name;   /* offset in the file's names ("" = 0) */
	uint64_t size;   /* bytes (int, float, struct, union, enum) */
	uint32_t ref;    /* ptr/typedef/cv target, array element */
	uint32_t nelems; /* array */
	uint32_t first;  /* struct/union: first member; enum: first value */
	uint32_t vlen;   /* number of members or values */
};

struct tymember {
	uint32_t name;
	uint32_t type;
	uint64_t bitoff;
	uint32_t bitsize; /* 0: not a bitfield */
};

struct tyenum {
	uint32_t name;
	int64_t val;
};

/* One type file. Type 0 is void. */
struct tyfile {
	char *path;
	char *names;          /* NUL-terminated strings, offset 0 is "" */
	size_t nameslen, namescap;
	struct ty *t;
	uint32_t nt, capt;
	struct tymember *m;
	size_t nm, capm;
	struct tyenum *e;
	size_t ne, cape;
	struct dif_hmap byname;  /* "struct x", "union x", "enum x", "x" -> id */
	struct dif_hmap members; /* "<id>:<name>" -> member slot (lazily) */
	struct tyflat *flat;  /* flattened members of indexed structs */
	size_t nflat, capflat;
	uint8_t *indexed;     /* per struct/union: members hashed */
};

/* A member with anonymous struct/union members flattened into it. */
struct tyflat {
	uint32_t name, type, bitsize;
	uint64_t bitoff;
};

struct dif_types {
	struct tyfile *f[TY_MAX_FILES];
	uint32_t n;
};

/* Building (btf.c, ctf.c). */
struct tyfile *ty_file_new(const char *path);
void ty_file_free(struct tyfile *f);
/* Appends a name; returns its offset or UINT32_MAX on OOM/limit. */
uint32_t ty_name_add(struct tyfile *f, const char *s, size_t n);
/* Appends a type; returns its id or 0 on OOM/limit. */
uint32_t ty_add(struct tyfile *f, const struct ty *t);
int ty_member_add(struct tyfile *f, const struct tymember *m);
int ty_enum_add(struct tyfile *f, const struct tyenum *e);
/* Checks references and builds the name index; 0 or a DIF_E_* code. */
int ty_finish(struct tyfile *f, struct dif_errors *errs);

int ty_read_btf(const void *buf, size_t len, const char *path,
                struct tyfile **out, struct dif_errors *errs);
int ty_read_ctf(const char *path, struct tyfile **out,
                struct dif_errors *errs);
/* Checks CTF bytes (ELF .ctf, a dictionary or an archive) strictly before
 * libctf reads them (ctfcheck.c); 0 or DIF_E_TYPES. */
int ty_check_ctf(const void *buf, size_t len, const char *path,
                 struct dif_errors *errs);

/* The first non-empty section called name of the ELF image buf: 0 with
 * out and outlen set, 1 if there is none, -1 if the ELF is malformed or any
 * section lies outside the file. */
int ty_elf_section(const void *buf, size_t len, const char *name,
                   const void **out, size_t *outlen);

/* Queries. */
static inline const char *ty_name(const struct tyfile *f, uint32_t off)
{
	return f->names + off;
}
/* Follows typedefs and const/volatile/restrict (bounded); 0 on a cycle. */
uint32_t ty_strip(const struct tyfile *f, uint32_t id);
/* Looks up "struct x", "union x", "enum x" or a plain name; 0 if none.
 * A complete type wins over a forward declaration. */
uint32_t ty_lookup(const struct tyfile *f, const char *name, size_t n);
/* Size in bytes of a (stripped) type; -1 if it has none. */
int64_t ty_sizeof(const struct tyfile *f, uint32_t id);
/* The member `name` of struct/union sid (anonymous members flattened);
 * NULL if none. Builds the member index of sid on first use. */
const struct tyflat *ty_member(struct tyfile *f, uint32_t sid,
                               const char *name);
/* The member of sid whose name is closest to `name` (edit distance);
 * NULL if sid has no named member. */
const char *ty_closest_member(struct tyfile *f, uint32_t sid,
                              const char *name);
/* "struct stat", "int", ... into buf. */
void ty_describe(const struct tyfile *f, uint32_t id, char *buf, size_t cap);

#endif
