/* Internal structures shared by the core modules. Not installed. */
#ifndef DIFVM_INTERNAL_H
#define DIFVM_INTERNAL_H

#include "isa.h"

struct dif_difo {
	char *name;
	uint32_t *text;
	uint32_t textlen;
	uint64_t *inttab;
	uint32_t intlen;
	char *strtab;
	uint32_t strlen;
	struct dif_var *vartab;
	uint32_t varlen;
	struct dif_type rtype;
	char *symtab; /* relocation names (usetx, typecast, records) */
	uint32_t symlen;
	struct dif_reloc *relocs;
	uint32_t nrelocs;
	uint64_t ptr; /* "DIFO 0x..." value read from a listing; 0: none */
	uint8_t varid; /* id style of the listing's variable table; 0: none */
};

struct dif_module {
	struct dif_difo **difos;
	size_t count;
	size_t cap;
	uint64_t bytes; /* text + tables of all DIFOs */
	uint64_t max;   /* limit on bytes; 0: DIF_MODULE_MAXSIZE */
	struct dif_hmap *names; /* name -> index */
};

/* The byte limit of mod, and the message every reader gives when
 * dif_module_add refuses a DIFO with DIF_E_LIMIT (one wording in every
 * reader; docs/limits.md). */
#define DIF_MODULE_LIMIT_FMT                                                 \
	"'%s': the programs take more than %llu bytes (module limit; raise "  \
	"max_module, --max-module)"
static inline unsigned long long dif_module_max(const struct dif_module *m)
{
	return m->max ? m->max : DIF_MODULE_MAXSIZE;
}

/* dif_errors_add (public) is the one way to append a diagnostic. */
#define dif_errf dif_errors_add
/* The same with a source position (assembler). */
DIF_INTERNAL void dif_errf_at(struct dif_errors *errs, int code,
                              uint32_t line, uint32_t col, const char *object,
                              const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Opts helper: true if the caller's struct (of `size` bytes) holds field. */
#define DIF_OPT(o, field, dflt)                                           \
	((o) && (o)->size >= offsetof(__typeof__(*(o)), field) + sizeof((o)->field) \
	         ? (o)->field : (dflt))

/* True when an options struct of `size` bytes from the caller has only
 * zeros past the `known` bytes this version understands (newer callers'
 * fields must be unset to be ignored safely). */
static inline int dif_opts_tail_zero(const void *opts, size_t size,
                                     size_t known)
{
	const unsigned char *p = (const unsigned char *)opts;
	for (size_t i = known; i < size; i++)
		if (p[i])
			return 0;
	return 1;
}

#endif
