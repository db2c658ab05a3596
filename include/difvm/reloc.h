/*
 * difvm type relocations (docs/linking.md): type files (BTF, CTF) and the
 * relocation pass of the linker, which rewrites HyperTrace's relocation
 * opcodes (usetx uload uuload typecast) and CO-RE style relocation
 * records (@offsetof, @sizeof, ...) into ordinary DIF for one target's
 * types. Part of libdifobj (libctf and libelf); libdifvm stays libc-only.
 */
#ifndef DIFVM_RELOC_H
#define DIFVM_RELOC_H

#include "difvm/difvm.h"
#include "difvm/typecheck.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An ordered list of type files; lookups search them in order. */
struct dif_types;
DIF_API struct dif_types *dif_types_new(void); /* NULL on OOM */
DIF_API void dif_types_free(struct dif_types *types);

enum dif_types_format {
	DIF_TYPES_BTF = 1, /* raw BTF (/sys/kernel/btf/vmlinux) or ELF .BTF */
	DIF_TYPES_CTF = 2, /* ELF with .ctf (gcc -gctf) or a CTF archive */
};
/* Appends a type file (at most 64). Malformed input is rejected with
 * DIF_E_TYPES and a message naming the file, type and rule. */
DIF_API int dif_types_load(struct dif_types *types,
                           enum dif_types_format format, const char *path,
                           struct dif_errors *errs);
/* Appends BTF from memory (raw BTF or an ELF object with .BTF); name is
 * used in messages. */
DIF_API int dif_types_load_btf_buf(struct dif_types *types, const void *buf,
                                   size_t len, const char *name,
                                   struct dif_errors *errs);
DIF_API size_t dif_types_count(const struct dif_types *types);

/* Resolves one CO-RE relocation against the type files: for the setx
 * kinds *value is the number setx gets; for DIF_RELOC_LOAD it is the
 * load opcode (kernel loads, or user loads when user != 0). path is a
 * member path ("a.b[3].c"), an enumerator name, or NULL for sizeof.
 * DIF_RELOC_EXISTS never fails. 0, or DIF_E_RELOC with a message. */
DIF_API int dif_types_resolve(const struct dif_types *types, unsigned kind,
                              const char *type, const char *path, int user,
                              uint64_t *value, struct dif_errors *errs);

/* What the member path ("a.b[3].c") of type ("struct stat") is, for the
 * verifier's type oracle (struct dif_tc_member): integer or enum with its
 * width and sign, pointer with the pointee's name, char array (a string),
 * struct/union, or other (bitfields too). 0, or DIF_E_RELOC with a
 * message. */
DIF_API int dif_types_member(const struct dif_types *types, const char *type,
                             const char *path, struct dif_tc_member *out,
                             struct dif_errors *errs);

/* Relocation pass flags. */
#define DIF_RELOC_F_POISON 0x1u /* an unresolvable relocation becomes an
                                   instruction that faults ILLOP with the
                                   reason, instead of an error */

struct dif_reloc_opts {
	size_t size;
	enum dif_profile profile;
	uint32_t flags;     /* DIF_RELOC_F_* */
	const char *object; /* input name for messages; NULL: "<input>" */
};

/* Rewrites every relocation of every DIFO of in into a new module *out
 * (docs/linking.md section 6.3): usetx -> setx of the member's
 * byte offset, uload/uuload -> the kernel/user load of the member's width
 * and signedness, typecast -> nop, the CO-RE records -> setx of their
 * value or the typed load; return and pushtv types patched. Every failure
 * is reported (object, DIFO, pc, relocation, type, member path, closest
 * member) and *out stays NULL, unless DIF_RELOC_F_POISON. DIFOs without
 * relocations are copied unchanged. */
DIF_API int dif_relocate(const struct dif_module *in,
                         const struct dif_types *types,
                         const struct dif_reloc_opts *opts,
                         struct dif_module **out, struct dif_errors *errs);

/* Checks that linked differs from base only by the rewrites linking may
 * make (HyperTrace's host-side check); DIF_E_VERIFY naming the first
 * other difference. */
DIF_API int dif_reloc_verify(const struct dif_module *base,
                             const struct dif_module *linked,
                             const struct dif_reloc_opts *opts,
                             struct dif_errors *errs);

#ifdef __cplusplus
}
#endif

#endif
