/*
 * difvm linker (docs/linking.md): merges modules (read from listings or
 * objects) into one, and reads DOF and HyperTrace program files.
 *
 * Part of libdifobj. All functions return 0 or a DIF_E_* code with
 * diagnostics in the optional errs.
 *
 * Contract (docs/limits.md lists the caps):
 *  - NULL: a NULL out-pointer, a NULL inputs array with n > 0, an input
 *    whose mod is NULL, opts with a size below sizeof(size_t) or a NULL
 *    buffer with a non-zero length give DIF_E_INVAL (with a diagnostic
 *    when errs is given); *out is NULL after any failure. NULL opts means
 *    the defaults; NULL errs means no diagnostics. The detectors return 0
 *    for a NULL buffer.
 *  - Ownership and lifetime: the inputs (modules, names, buffers) are only
 *    read during the call and may be freed when it returns; the new module
 *    *out shares nothing with them and is the caller's (dif_module_free).
 *  - Threads: no global state; concurrent calls are safe as long as no
 *    module they read is being changed at the same time.
 */
#ifndef DIFVM_LINK_H
#define DIFVM_LINK_H

#include "difvm/difvm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------
 * Linking.
 */

/* Caps (documented in docs/linking.md): inputs per link, DIFOs in the
 * output (an object holds up to four sections per DIFO below ELF's 65280
 * section indices), variables per id space (0x500..0xffff). */
#define DIF_LINK_MAX_INPUTS 4096u
#define DIF_LINK_MAX_DIFOS 16000u
#define DIF_LINK_MAX_VARS (DIF_VAR_OTHER_MAX - DIF_VAR_OTHER_UBASE + 1u)

/* One input: a module and the name it is reported under (a file name). */
struct dif_link_input {
	const char *name;              /* NULL: "input N" */
	const struct dif_module *mod;
};

struct dif_link_opts {
	size_t size;
	enum dif_profile profile; /* the inputs' instruction set */
	uint32_t flags;           /* reserved, 0 */
	/* Later fields (type files for relocations) are added at the end;
	 * a caller's smaller struct keeps their defaults. */
};

/* Merges the inputs, in order, into one new module *out:
 *  - DIFO names are program symbols: one name defined twice is an error
 *    naming both inputs;
 *  - user variables (ids from 0x500) are merged by (name, scope, kind)
 *    and renumbered, one id per id space, in order of first appearance;
 *    instructions and variable tables are rewritten. Integer (by-value)
 *    types widen to the largest, string sizes to the largest bound; any
 *    other conflict (string against integer, scalar against array,
 *    different key tuples or by-reference sizes) is an error naming both
 *    inputs and DIFOs;
 *  - each DIFO's integer and string tables are deduplicated.
 * The output may hold as many bytes of text and tables as the largest
 * module limit among the inputs (dif_obj_opts.max_module etc. of the
 * readers that made them; DIF_MODULE_MAXSIZE by default).
 * The same inputs in the same order give the same module. */
DIF_API int dif_link(const struct dif_link_input *inputs, size_t n,
                     const struct dif_link_opts *opts,
                     struct dif_module **out, struct dif_errors *errs);

/* ---------------------------------------------------------------------
 * HyperTrace's ELF program format (read-only; docs/linking.md lists what
 * is and is not decoded).
 */

/* 1 if buf looks like a HyperTrace program (ELFCLASS32, ET_EXEC, EM_NONE,
 * optionally after a 32-byte digest), else 0. */
DIF_API int dif_hypertrace_detect(const void *buf, size_t len);
/* Reads the DIFOs of a HyperTrace program, named "difo@N" after their
 * .dtrace_difo section. */
DIF_API int dif_hypertrace_read(const void *buf, size_t len,
                                struct dif_module **out,
                                struct dif_errors *errs);

struct dif_hypertrace_opts {
	size_t size;
	/* bytes of text and tables of all DIFOs (as dif_obj_opts.max_module);
	 * 0: DIF_MODULE_MAXSIZE. Past it: DIF_E_LIMIT naming the DIFO. */
	uint64_t max_module;
};
/* dif_hypertrace_read with options (NULL: the defaults). */
DIF_API int dif_hypertrace_read_opts(const void *buf, size_t len,
                                     const struct dif_hypertrace_opts *opts,
                                     struct dif_module **out,
                                     struct dif_errors *errs);

#ifdef __cplusplus
}
#endif

#endif
