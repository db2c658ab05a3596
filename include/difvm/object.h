/*
 * libdifobj: difvm ELF objects (docs/object-format.md).
 *
 * An object is an ELF64 relocatable file (ET_REL, EM_NONE) holding one or
 * more named DIFOs. Separate from difvm.h because it needs libelf, while
 * libdifvm itself stays libc-only.
 *
 * Contract (as difvm.h): NULL out-pointers and buffers give an error,
 * never a crash; *out is NULL after a failure. The input buffer is only
 * read during the call; the module returned is the caller's (free it with
 * dif_module_free), as is the buffer dif_obj_write returns (free()). No
 * global state: calls on distinct objects may run in parallel.
 */
#ifndef DIFVM_OBJECT_H
#define DIFVM_OBJECT_H

#include "difvm/difvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Object format version this library writes and reads. */
#define DIF_OBJ_VERSION 1u

/* Section types (SHT_LOUSER range) and record sizes; see the spec. */
#define DIF_OBJ_SHT_INFO 0x8d1f0001u   /* .difvm.info: one header record */
#define DIF_OBJ_SHT_DIFOS 0x8d1f0002u  /* .difvm.difos: DIFO descriptors */
#define DIF_OBJ_SHT_INTTAB 0x8d1f0003u /* .difvm.inttab.<name> */
#define DIF_OBJ_SHT_STRTAB 0x8d1f0004u /* .difvm.strtab.<name> */
#define DIF_OBJ_SHT_VARTAB 0x8d1f0005u /* .difvm.vartab.<name> */
#define DIF_OBJ_SHT_REL 0x8d1f0006u    /* .difvm.rel.<name> */
#define DIF_OBJ_SHT_SYMSTR 0x8d1f0007u /* .difvm.symstr.<name> */
#define DIF_OBJ_SHT_FIRST 0x8d1f0000u  /* the range reserved for difvm */
#define DIF_OBJ_SHT_LAST 0x8d1fffffu
#define DIF_OBJ_INFO_SIZE 32u
#define DIF_OBJ_DIFO_SIZE 40u
#define DIF_OBJ_VAR_SIZE 20u
#define DIF_OBJ_REL_SIZE 16u
#define DIF_OBJ_MAGIC "DIFVMOBJ" /* 8 bytes, no NUL */
#define DIF_OBJ_R_NONE 0u /* relocation types: enum dif_reloc_kind */

enum dif_obj_byteorder {
	DIF_OBJ_NATIVE = 0, /* the host's byte order */
	DIF_OBJ_LSB = 1,    /* little-endian (ELFDATA2LSB) */
	DIF_OBJ_MSB = 2,    /* big-endian (ELFDATA2MSB) */
};

/* Reader flags. */
#define DIF_OBJ_CHECK_PROFILE 0x1u /* reject objects built for another profile */

struct dif_obj_opts {
	size_t size;
	enum dif_profile profile;      /* write: recorded; read: see flags */
	enum dif_obj_byteorder order;  /* write only */
	uint32_t flags;                /* DIF_OBJ_* reader flags */
	uint64_t max_module;           /* read: 0: DIF_MODULE_MAXSIZE */
};

/* Decodes an object. On success *out is a new module (DIFOs in file
 * order); on failure *out is NULL and errs names the section or DIFO and
 * the broken rule (DIF_E_OBJ_* codes). Never trusts the bytes. The DIFOs
 * may total at most opts->max_module bytes (0: DIF_MODULE_MAXSIZE). */
DIF_API int dif_obj_read(const void *buf, size_t len,
                         const struct dif_obj_opts *opts,
                         struct dif_module **out, struct dif_errors *errs);

/* Encodes mod; *buf is malloc'd (free() it). The same module and options
 * always give the same bytes. */
DIF_API int dif_obj_write(const struct dif_module *mod,
                          const struct dif_obj_opts *opts, void **buf,
                          size_t *len, struct dif_errors *errs);

/* Reads only the header: the profile the object records. 0 or a code. */
DIF_API int dif_obj_profile(const void *buf, size_t len,
                            enum dif_profile *out);

#ifdef __cplusplus
}
#endif

#endif
