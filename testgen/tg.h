/*
 * testgen: conformance cases derived from the executable model (spec/),
 * stored in an SQLite corpus as CBOR, replayed against difvm in-process or
 * against any runtime that speaks docs/runtime-protocol.md.
 *
 * Everything here works on struct dc_case / dc_outcome (spec/case.h).
 * Functions return 0 on success or -1 with a message in err (if given).
 */
#ifndef TESTGEN_TG_H
#define TESTGEN_TG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spec/case.h"

#define TG_VERSION "1"
#define TG_PROTO_NAME "difvm-conformance"
#define TG_PROTO_VERSION 1u
#define TG_MAX_TEXT 1024u /* instructions per generated program */
/* Caps on decoded case fields (docs/limits.md); a case past one is
 * corrupt: it fails alone with a message, never hangs or blows up. */
#define TG_MAX_RUNS 1024u                /* runs of one case */
#define TG_MAX_CASE_TEXT 65536u          /* text words, inttab entries */
#define TG_MAX_CASE_AREA (1ull << 30)    /* scratch_size, dynvar_size */
#define TG_MAX_CASE_STRSIZE (1u << 20)   /* strsize */

struct tg_err {
	char msg[256];
};
void tg_errf(struct tg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- cases ---------------------------------------------------------- */
/* All pointers in a case are owned (malloc'd) by the case. */
void tg_case_init(struct dc_case *c);
void tg_case_free(struct dc_case *c);
int tg_case_copy(struct dc_case *dst, const struct dc_case *src);
int tg_case_equal(const struct dc_case *a, const struct dc_case *b);
int tg_outcome_equal(const struct dc_outcome *a, const struct dc_outcome *b);
/* One-line outcome text: "rval=0x5" or "fault=DIVZERO pc=3 addr=0x0". */
void tg_outcome_text(const struct dc_outcome *o, char *buf, size_t len);

/* ---- CBOR (docs/corpus.md) ------------------------------------------ */
/* malloc'd buffers; decode fills an initialised case. */
int tg_cbor_case_encode(const struct dc_case *c, uint8_t **out, size_t *len);
int tg_cbor_case_decode(const uint8_t *buf, size_t len, struct dc_case *c,
                        struct tg_err *e);
int tg_cbor_outcome_encode(const struct dc_outcome *o, uint8_t **out,
                           size_t *len);
int tg_cbor_outcome_decode(const uint8_t *buf, size_t len,
                           struct dc_outcome *o, struct tg_err *e);
/* Decoding streams over the buffer: unknown keys are skipped without
 * being built. Text (or unsigned, printed) value of key in a CBOR map:
 * 1 found, 0 absent, -1 malformed. */
int tg_cbor_text_field(const uint8_t *buf, size_t len, const char *key,
                       char *out, size_t cap);

/* ---- program builder ------------------------------------------------ */
struct tg_prog {
	uint32_t text[TG_MAX_TEXT];
	uint32_t n;
	uint64_t inttab[TG_MAX_TEXT];
	uint32_t nint;
	char strtab[8192];
	uint32_t strlen;
	struct dc_var vars[64];
	uint32_t nvars;
	int overflow; /* something did not fit */
};
void tg_prog_init(struct tg_prog *p);
uint32_t tg_emit(struct tg_prog *p, uint32_t word); /* returns its pc */
void tg_setx(struct tg_prog *p, unsigned rd, uint64_t v);
void tg_sets(struct tg_prog *p, unsigned rd, const char *s, size_t len);
uint32_t tg_str(struct tg_prog *p, const char *s, size_t len); /* offset */
/* Declares a variable (name added to strtab); no duplicates. */
void tg_var(struct tg_prog *p, unsigned id, unsigned kind, unsigned scope,
            unsigned tkind, unsigned tflags, uint32_t tsize);
/* Moves the program into c (replacing text/tables). */
int tg_prog_to_case(const struct tg_prog *p, struct dc_case *c);

/* ---- random numbers (splitmix64; no global state) ------------------- */
struct tg_rng {
	uint64_t s;
};
/* Inline: the generator draws several numbers per emitted instruction,
 * and most bounds are constants the compiler turns into multiplications. */
static inline uint64_t tg_rand(struct tg_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
static inline uint64_t tg_below(struct tg_rng *r, uint64_t n) /* 0..n-1 */
{
	return n ? tg_rand(r) % n : 0;
}
uint64_t tg_mix(uint64_t a, uint64_t b); /* seed derivation */

/* ---- generation ----------------------------------------------------- */
/* A model case (partition). */
struct tg_part {
	const char *insn, *name, *guard, *effect, *cite;
	unsigned profiles;
	unsigned hosts; /* DC_HOST_* mask, 0 = every host */
};
/* True when model case i can fire in this configuration (its host mask
 * includes the running host and it has a profile); *why gets the reason
 * when not. */
bool tg_part_applies(size_t i, const char **why);
size_t tg_nparts(void);
void tg_part_at(size_t i, struct tg_part *out);
const char *tg_spec_version(void);
/* Runs the model; hits (tg_nparts() counters, zeroed by the caller) may be
 * NULL. */
int tg_model_run(const struct dc_case *c, struct dc_outcome *o,
                 uint32_t *hits);

/* True when the outcome o of case c (from tg_model_run) depends on the
 * effect of model case p, which fired nhits times: perturbing one of its
 * first firings (dc_spec_run_perturbed) changes the outcome. */
bool tg_model_observes(const struct dc_case *c, const struct dc_outcome *o,
                       size_t p, uint32_t nhits);

/* Random well-formed program from seed; `focus` is -1 or a partition
 * index the generator biases towards. */
void tg_gen_random(uint64_t seed, long focus, struct dc_case *c);
/* Random program i of a seed as the corpus has it (R<i>): drawn again
 * (at most 16 times) until the model reproduces it and it is valid. Fills
 * c, its outcome o and hits (may be NULL); 0, or -1 when none was found.
 * *redrawn (may be NULL) counts the discarded draws. */
int tg_gen_program(uint64_t seed, uint64_t i, struct dc_case *c,
                   struct dc_outcome *o, uint32_t *hits, unsigned *redrawn);
/* Partition test number k for partition p: deterministic attempts until
 * one hits p (at most max_tries). Returns 0 (case set) or -1 (none). */
int tg_gen_partition(uint64_t seed, size_t p, unsigned k, unsigned max_tries,
                     struct dc_case *c, unsigned *tries);
/* Whether partition p gets directed attempts (tilts[] in gen.c: model
 * cases whose guards need a rare combination); and the first tilts[]
 * entry that names no model case (true, with insn and name set): a renamed
 * case would silently lose its direction. */
bool tg_gen_tilted(size_t p);
bool tg_gen_tilt_stale(const char **insn, const char **name);

/* ---- runtimes ------------------------------------------------------- */
/* In-process difvm. Returns 0, or -1 when the case cannot be set up
 * (message in e). */
int tg_difvm_run(const struct dc_case *c, struct dc_outcome *o,
                 struct tg_err *e);
/* The same with the VM's test-only layout_shift option (docs/corpus.md:
 * outcomes must not change). */
int tg_difvm_run_shifted(const struct dc_case *c, struct dc_outcome *o,
                         struct tg_err *e, uint64_t layout_shift);

/* External runtime speaking the protocol. */
struct tg_ext;
int tg_ext_open(const char *cmd, struct tg_ext **out, struct tg_err *e);
int tg_ext_run(struct tg_ext *x, const struct dc_case *c,
               struct dc_outcome *o, struct tg_err *e);
const char *tg_ext_name(const struct tg_ext *x); /* from the hello */
void tg_ext_close(struct tg_ext *x);

/* A runtime as a function (in-process), used by the protocol server and
 * by the shrinker. */
typedef int (*tg_runner)(void *ud, const struct dc_case *c,
                         struct dc_outcome *o, struct tg_err *e);

/* Protocol framing: 4-byte big-endian length + CBOR item. */
#define TG_FRAME_MAX (64u << 20) /* default frame size limit */
int tg_frame_write(FILE *f, const uint8_t *buf, size_t len);
/* Returns 1 with a malloc'd frame, 0 on clean EOF, -1 on error (a frame
 * over TG_FRAME_MAX bytes is an error). */
int tg_frame_read(FILE *f, uint8_t **buf, size_t *len, struct tg_err *e);
/* The same with another size limit (1 .. 2^32-1 bytes). */
int tg_frame_read_max(FILE *f, size_t max, uint8_t **buf, size_t *len,
                      struct tg_err *e);
/* Serves the protocol on in/out with run(); returns an exit status. */
int tg_serve(FILE *in, FILE *out, const char *runtime_name, tg_runner run,
             void *ud);
/* The same, refusing case frames over max_frame bytes (0: TG_FRAME_MAX). */
int tg_serve_max(FILE *in, FILE *out, const char *runtime_name,
                 tg_runner run, void *ud, size_t max_frame);

/* ---- shrinking ------------------------------------------------------ */
/* Reduces c (in place) while run() still differs from the model and the
 * program stays valid. Returns the number of successful reductions. */
unsigned tg_shrink(struct dc_case *c, tg_runner run, void *ud);
/* Writes the case as a `dtrace -S` listing plus its environment. */
void tg_print_case(FILE *f, const struct dc_case *c);
/* The case's program as a difvm DIFO (0 or a DIF_E_* code). */
struct dif_difo;
int tg_case_difo(const struct dc_case *c, struct dif_difo **out);
/* Structural validity through dif_validate. */
int tg_case_valid(const struct dc_case *c);

/* ---- regression cases (docs/corpus.md) ------------------------------ */
struct tg_regress_case {
	const char *name;          /* the case's "=== NAME" */
	unsigned line;             /* its line in the file */
	const struct dc_case *c;
	struct dc_outcome expect;  /* the reviewed outcome (!expect) */
};
typedef int (*tg_regress_cb)(void *ud, const struct tg_regress_case *rc);
/* Reads every case of a case file in order; cb's non-zero return stops
 * and is returned. -1 with a message "file:line: ..." on a bad file. */
int tg_regress_each(const char *file, tg_regress_cb cb, void *ud,
                    struct tg_err *e);

/* ---- corpus (SQLite) ------------------------------------------------ */
struct tg_corpus;
int tg_corpus_open(const char *path, int create, struct tg_corpus **out,
                   struct tg_err *e);
void tg_corpus_close(struct tg_corpus *db);
int tg_corpus_begin(struct tg_corpus *db);
int tg_corpus_commit(struct tg_corpus *db);
/* The index of case_partitions by model case, built if missing (for
 * coverage queries). */
int tg_corpus_index(struct tg_corpus *db, struct tg_err *e);
int tg_corpus_set_meta(struct tg_corpus *db, const char *key,
                       const char *value);
/* Returns a malloc'd value or NULL. */
char *tg_corpus_get_meta(struct tg_corpus *db, const char *key);
/* Records the model's partition table. */
int tg_corpus_put_parts(struct tg_corpus *db);
/* kind "partition" or "random"; hits = tg_nparts() counters or NULL. */
int tg_corpus_put_case(struct tg_corpus *db, const char *name,
                       const char *kind, uint64_t seed, long target,
                       const struct dc_case *c, const struct dc_outcome *o,
                       const uint32_t *hits);
/* Records that case `name` observes model case p (tg_model_observes);
 * call after tg_corpus_put_case with hits[p] != 0. */
int tg_corpus_put_observed(struct tg_corpus *db, const char *name, size_t p);
int tg_corpus_put_result(struct tg_corpus *db, const char *name,
                         const char *runtime, const struct dc_outcome *o,
                         int match);
/* Iterates cases in name order; cb returns non-zero to stop. Filters
 * (NULL: all): glob = SQLite GLOB on the name, insn = partition tests of
 * that instruction or subroutine only. A case whose row cannot be decoded
 * is given to cb with c and expected NULL (tg_corpus_case_error says why)
 * and the iteration goes on; an SQLite error (a damaged table) ends it
 * with -1 and a message naming the last case read. */
typedef int (*tg_case_cb)(void *ud, const char *name,
                          const struct dc_case *c,
                          const struct dc_outcome *expected);
int tg_corpus_each(struct tg_corpus *db, const char *glob, const char *insn,
                   unsigned shard_k, unsigned shard_n, tg_case_cb cb,
                   void *ud, struct tg_err *e);
int tg_corpus_get_case(struct tg_corpus *db, const char *name,
                       struct dc_case *c, struct dc_outcome *o,
                       struct tg_err *e);
int tg_corpus_merge(struct tg_corpus *dst, const char *src,
                    struct tg_err *e);
struct sqlite3 *tg_corpus_db(struct tg_corpus *db);
/* Why the last case tg_corpus_each gave as NULL could not be decoded. */
const char *tg_corpus_case_error(const struct tg_corpus *db);
/* SQLite's message for the last failed call on db. */
const char *tg_corpus_errmsg(struct tg_corpus *db);

#endif
