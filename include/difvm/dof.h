/*
 * DOF, the DTrace Object Format (docs/linking.md section "DOF"): reading
 * DOF files (a raw DOF blob, or an ELF file with a .SUNW_dof section as
 * `dtrace -G` writes) and writing DOF that holds DIF programs.
 *
 * Part of libdifobj. The reader never trusts the bytes: every broken rule
 * is reported with the section index and the rule (DIF_E_OBJ_* codes).
 *
 * Contract (docs/limits.md lists the caps):
 *  - NULL: dif_dof_read and dif_dof_write return DIF_E_INVAL for a NULL
 *    out-pointer or a NULL buffer with a non-zero length (NULL opts means
 *    the defaults; NULL errs means no diagnostics). The out-pointers are
 *    NULL (0 for *len) after any failure. Every accessor takes a NULL
 *    dif_dof and returns NULL / 0 (dif_dof_get_header leaves *out alone
 *    for a NULL dof and ignores a NULL out); dif_dof_free(NULL) is a no-op.
 *  - Ownership and lifetime: dif_dof_read copies what it needs, so buf may
 *    be freed as soon as it returns. Every string and array returned by an
 *    accessor, and the module of dif_dof_module, belongs to the dif_dof
 *    and lives until dif_dof_free. dif_dof_take_module transfers the module
 *    to the caller (free it with dif_module_free); it then outlives the
 *    dif_dof. The buffer of dif_dof_write is malloc'd and the caller's.
 *  - Threads: a dif_dof is immutable after dif_dof_read; any number of
 *    threads may read it at once. dif_dof_take_module and dif_dof_free
 *    need exclusive access. Distinct calls share no state.
 */
#ifndef DIFVM_DOF_H
#define DIFVM_DOF_H

#include "difvm/difvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caps: the loaded size (as the kernel's dof_maxsize default) and the
 * number of sections. */
#define DIF_DOF_MAX_LOADSZ (8u * 1024u * 1024u)
#define DIF_DOF_MAX_SECTIONS 65536u

/* Section types (dif-isa.md 9.5). */
enum dif_dof_sect {
	DIF_DOF_SECT_NONE = 0,
	DIF_DOF_SECT_COMMENTS = 1,
	DIF_DOF_SECT_SOURCE = 2,
	DIF_DOF_SECT_ECBDESC = 3,
	DIF_DOF_SECT_PROBEDESC = 4,
	DIF_DOF_SECT_ACTDESC = 5,
	DIF_DOF_SECT_DIFOHDR = 6,
	DIF_DOF_SECT_DIF = 7,
	DIF_DOF_SECT_STRTAB = 8,
	DIF_DOF_SECT_VARTAB = 9,
	DIF_DOF_SECT_RELTAB = 10,
	DIF_DOF_SECT_TYPTAB = 11,
	DIF_DOF_SECT_URELHDR = 12,
	DIF_DOF_SECT_KRELHDR = 13,
	DIF_DOF_SECT_OPTDESC = 14,
	DIF_DOF_SECT_PROVIDER = 15,
	DIF_DOF_SECT_PROBES = 16,
	DIF_DOF_SECT_PRARGS = 17,
	DIF_DOF_SECT_PROFFS = 18,
	DIF_DOF_SECT_INTTAB = 19,
	DIF_DOF_SECT_UTSNAME = 20,
	DIF_DOF_SECT_XLTAB = 21,
	DIF_DOF_SECT_XLMEMBERS = 22,
	DIF_DOF_SECT_XLIMPORT = 23,
	DIF_DOF_SECT_XLEXPORT = 24,
	DIF_DOF_SECT_PREXPORT = 25,
	DIF_DOF_SECT_PRENOFFS = 26,
};
/* "STRTAB" etc., or NULL for an unknown type. */
DIF_API const char *dif_dof_sect_name(uint32_t type);

struct dif_dof_opts {
	size_t size;
	enum dif_profile profile; /* reading: not used (instructions are not
	                             interpreted); writing: ILLUMOS adds a
	                             UTSNAME section naming SunOS, so that
	                             readers take the illumos profile back */
	/* write only: */
	uint8_t model;            /* 1 ILP32, 2 LP64; 0: LP64 */
	uint8_t order;            /* 0 host, 1 LSB, 2 MSB */
	/* read only: bytes of text and tables of all DIFOs (as
	 * dif_obj_opts.max_module); 0: DIF_MODULE_MAXSIZE. Past it the read
	 * fails with DIF_E_LIMIT naming the DIFO. */
	uint64_t max_module;
};

/* A parsed DOF file (opaque). */
struct dif_dof;

/* 1 if buf starts like raw DOF, 2 if it is an ELF file with a .SUNW_dof
 * section, else 0. */
DIF_API int dif_dof_detect(const void *buf, size_t len);

/* Reads a raw DOF blob or an ELF file (32- or 64-bit, either byte order)
 * with a .SUNW_dof section. On failure *out is NULL and errs holds one
 * diagnostic naming the section index and the rule. */
DIF_API int dif_dof_read(const void *buf, size_t len,
                         const struct dif_dof_opts *opts, struct dif_dof **out,
                         struct dif_errors *errs);
DIF_API void dif_dof_free(struct dif_dof *dof);

/* The DIFOs: for each ECB in section order its predicate, then its
 * actions' DIFOs, named after the probe description (docs/linking.md);
 * then DIFOs no ECB refers to ("difo@N", N the DIFOHDR section). */
DIF_API const struct dif_module *dif_dof_module(const struct dif_dof *dof);
/* Hands the module to the caller (dif_dof_module then returns NULL). */
DIF_API struct dif_module *dif_dof_take_module(struct dif_dof *dof);

struct dif_dof_header {
	uint8_t model, encoding, version, difvers, iregs, tregs;
	uint32_t secnum;
	uint64_t loadsz, filesz;
	uint64_t container_offset; /* offset of the DOF in an ELF file, else 0 */
	char sysname[32]; /* UTSNAME sysname ("SunOS", "Linux", ...), or "" */
};
DIF_API void dif_dof_get_header(const struct dif_dof *dof,
                                struct dif_dof_header *out);

/* USDT providers and their probes. Strings and arrays stay valid while
 * the dif_dof lives; offsets are in host order. */
struct dif_dof_probe {
	const char *func, *name;
	const char *nargv, *xargv; /* nargc / xargc NUL-separated type names */
	uint64_t addr;
	uint8_t nargc, xargc;
	const uint8_t *argmap;     /* xargc entries */
	uint32_t noffs, nenoffs;
	const uint32_t *offs, *enoffs;
};
struct dif_dof_provider {
	const char *name;
	uint32_t section;
	uint32_t attr[5]; /* provider, module, function, name, args */
	uint32_t nprobes;
	const struct dif_dof_probe *probes;
};
DIF_API size_t dif_dof_provider_count(const struct dif_dof *dof);
DIF_API const struct dif_dof_provider *dif_dof_provider(const struct dif_dof *dof,
                                                        size_t i);

/* Relocations (URELHDR and KRELHDR), validated, not applied. */
struct dif_dof_reloc {
	uint32_t header;  /* section index of the URELHDR/KRELHDR */
	uint32_t target;  /* section the offset is in */
	int user;         /* 1: URELHDR */
	const char *name;
	uint32_t type;    /* 0 NONE, 1 SETX, 2 DOFREL */
	uint64_t offset, data;
};
DIF_API size_t dif_dof_reloc_count(const struct dif_dof *dof);
DIF_API const struct dif_dof_reloc *dif_dof_reloc(const struct dif_dof *dof,
                                                  size_t i);

/* Everything above as text (`difdis --dof-info`); malloc'd, NULL on OOM. */
DIF_API char *dif_dof_describe(const struct dif_dof *dof);

/* Writes mod as DOF: per DIFO a DIFOHDR with its DIF, integer, string and
 * variable sections, and an ECB whose probe description is the DIFO's
 * name ("provider:module:function:name", or just the name) with one
 * DIFEXPR action, so dif_dof_read gives the same programs and names back.
 * The DIFO label (dif_difo_ptr) goes in the ECB's uarg and the listing id
 * style (dif_difo_varid) in the action's uarg, fields DOF leaves to the
 * consumer.
 * The bytes are deterministic. *buf is malloc'd. */
DIF_API int dif_dof_write(const struct dif_module *mod,
                          const struct dif_dof_opts *opts, void **buf,
                          size_t *len, struct dif_errors *errs);

#ifdef __cplusplus
}
#endif

#endif
