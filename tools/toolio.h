/*
 * Shared plumbing for the command-line front ends: read a program file
 * (a `.s` listing or a `.o` object, told apart by the ELF magic, not the
 * name), write objects, print diagnostics in the one house format.
 */
#ifndef DIFVM_TOOLIO_H
#define DIFVM_TOOLIO_H

#include <stdio.h>

#include "difvm/difvm.h"

/* Reads path ("-" is standard input). Returns 0 or a DIF_E_* code with
 * diagnostics in errs. */
int toolio_load(const char *path, enum dif_profile profile,
                struct dif_module **out, struct dif_errors *errs);

/* The same, but unless fixed, an object is read under the profile it
 * records, which is stored in *profile (so the caller validates, prints
 * and runs it as it was assembled); listings use *profile as is. */
int toolio_load_as(const char *path, enum dif_profile *profile, int fixed,
                   struct dif_module **out, struct dif_errors *errs);

/* The same; *is_object (if not NULL) tells whether the file was an object
 * (and so recorded its profile) rather than a listing. */
int toolio_load_kind(const char *path, enum dif_profile *profile, int fixed,
                     int *is_object, struct dif_module **out,
                     struct dif_errors *errs);

/* Writes mod as a difvm ELF object (deterministic bytes), recording the
 * profile the module was assembled for. */
int toolio_write_object(const char *path, const struct dif_module *mod,
                        enum dif_profile profile, struct dif_errors *errs);

/* Writes mod as DOF (dif_dof_write; deterministic bytes). */
int toolio_write_dof(const char *path, const struct dif_module *mod,
                     enum dif_profile profile, struct dif_errors *errs);

/* Reads a DOF file (raw, or ELF with .SUNW_dof) with its providers,
 * relocations and DIFOs. */
struct dif_dof;
int toolio_load_dof(const char *path, enum dif_profile profile,
                    struct dif_dof **out, struct dif_errors *errs);

/* Prints each diagnostic as
 *   file:line:col: error: <msg>                  (source positions), or
 *   file:difo:pc: error: <rule>: <insn>  (<msg>)  (program positions), or
 *   file: error: <msg>
 * followed by a "... N more errors" line when some were dropped. */
void toolio_print_errors(FILE *out, const char *file,
                         const struct dif_errors *errs);

/* Option values shared by the tools: 0, or -1 after printing
 * "TOOL: ..." to stderr. */
int toolio_opt_profile(const char *tool, const char *arg,
                       enum dif_profile *out);
int toolio_opt_ids(const char *tool, const char *arg,
                   enum dif_varid_style *out);

/* The value of one hex digit (no signs or spaces), or -1. */
int toolio_xdigit(int c);

/* Parses an unsigned or negative decimal or 0x hex 64-bit value; 0 or -1. */
int toolio_parse_u64(const char *s, uint64_t *out);

/* Input limits (docs/limits.md): bytes read from one file or standard
 * input, and total bytes of the DIFOs of one module. Every tool takes
 * --max-input=BYTES and --max-module=BYTES (TOOLIO_LIMIT_LONGOPTS in its
 * option table, toolio_opt_limit for the values). */
#define TOOLIO_MAX_INPUT_DEFAULT (64ull << 20)
#define TOOLIO_O_MAX_INPUT 0x7e01
#define TOOLIO_O_MAX_MODULE 0x7e02
#define TOOLIO_LIMIT_LONGOPTS                                        \
	{ "max-input", required_argument, NULL, TOOLIO_O_MAX_INPUT },   \
	{ "max-module", required_argument, NULL, TOOLIO_O_MAX_MODULE }
#define TOOLIO_LIMIT_HELP                                                 \
	"      --max-input=BYTES   refuse a FILE larger than this (default\n" \
	"                          64 MiB; docs/limits.md)\n"                 \
	"      --max-module=BYTES  refuse programs whose text and tables\n"   \
	"                          total more (default 64 MiB)\n"
/* Handles ch if it is one of the two; 1 handled, 0 not ours, -1 after
 * printing "TOOL: bad --max-...". */
int toolio_opt_limit(const char *tool, int ch, const char *arg);

/* Exit status for a failed toolio_load: 2 when the input could not be
 * read (I/O errors and the --max-input limit are DIF_E_IO; memory), else
 * `bad` (the tool's status for a malformed program). */
int toolio_load_status(int rc, int bad);

/* Flushes standard output; on a write error (e.g. a full disk) prints
 * "TOOL: standard output: ..." and returns 2, else status. */
int toolio_finish(const char *tool, int status);

/* Writes s to f with control bytes, DEL and bytes >= 0x80 shown as \xHH
 * (and backslash as \\), so input bytes cannot drive a terminal. */
void toolio_put_escaped(FILE *f, const char *s);

#endif
