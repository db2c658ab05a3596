/*
 * The algorithms behind the DIF subroutines (dif-isa.md section 6), on
 * bounded inputs and outputs and without any VM state, so they can be
 * unit-tested alone. difvm/subr.c adds the argument checks, the scratch
 * accounting and the faults. Not installed.
 *
 * Inputs are read through struct dif_src: `len` bytes (the string length
 * the access check found, or a byte count), reads at or past len give 0.
 * Outputs go to a caller buffer of `cap` bytes (cap >= 1) and are always
 * NUL-terminated, truncated to cap - 1 characters when longer.
 */
#ifndef DIFVM_SUBR_STR_H
#define DIFVM_SUBR_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "isa.h"

/* A read-only byte source: a host pointer, or a fetch callback for memory
 * that has no host mapping (read through the host's read interface). */
struct dif_src {
	const uint8_t *p; /* NULL: use get */
	size_t len;
	int (*get)(struct dif_src *s, size_t i); /* byte at i (i < len) */
	void *ud;
	uint64_t addr;      /* for get: DIF address of byte 0 */
	uint64_t cbase;     /* for get: offset cached in cbuf, or UINT64_MAX */
	uint8_t cbuf[64];
	/* A read at len of a source whose byte there is unreadable: raises
	 * the fault (where a loop reads it) and reads 0; NULL: 0. */
	int (*miss)(struct dif_src *s, size_t i);
	int missrc; /* the fault code of that read */
};

static inline int dif_src_at(struct dif_src *s, size_t i)
{
	if (i >= s->len)
		return s->miss && i == s->len ? s->miss(s, i) : 0;
	return s->p ? s->p[i] : s->get(s, i);
}

/* A source over a plain buffer. */
static inline struct dif_src dif_src_mem(const void *p, size_t len)
{
	struct dif_src s = {0};
	s.p = (const uint8_t *)p;
	s.len = len;
	return s;
}

/* "Not found" for the offset-returning searches. */
#define DIF_S_NONE SIZE_MAX

/* basename / dirname with DTrace's rules ("" -> ".", "/" -> "/"). */
DIF_INTERNAL size_t dif_s_basename(struct dif_src *s, char *out, size_t cap);
DIF_INTERNAL size_t dif_s_dirname(struct dif_src *s, char *out, size_t cap);
/* cleanpath: "//", "/./" dropped, "/../" resolved lexically; output
 * stops when fewer than 5 bytes of cap are left (as DTrace does). Works
 * in out as DTrace does; *wrote (if not NULL) gets the end of the bytes
 * written (from offset 0, or 1 after a leading "/.."). */
DIF_INTERNAL size_t dif_s_cleanpath(struct dif_src *s, char *out, size_t cap,
                                    size_t *wrote);
/* substr(s, index [, count]): Perl-like; `size` is strsize. */
DIF_INTERNAL size_t dif_s_substr(struct dif_src *s, int64_t index,
                                 bool have_count, int64_t count,
                                 uint64_t size, char *out, size_t cap);
/* toupper (upper = true) / tolower: ASCII only. */
DIF_INTERNAL size_t dif_s_case(struct dif_src *s, bool upper, char *out,
                               size_t cap);

/* strchr / strrchr (last = true): offset of c, or DIF_S_NONE. The
 * terminator counts as a character (so c == 0 finds it) when `term`. */
DIF_INTERNAL size_t dif_s_strchr(struct dif_src *s, bool term, uint8_t c,
                                 bool last);
/* strstr: offset of the first occurrence, or DIF_S_NONE. A compare that
 * runs past s's length reads `past` (offsets from s's start; NULL: zeros),
 * as DTrace's does when s has no NUL in strsize bytes. */
DIF_INTERNAL size_t dif_s_strstr(struct dif_src *s, struct dif_src *past,
                                 struct dif_src *sub);
/* index / rindex (reverse = true) with the optional start position. */
DIF_INTERNAL int64_t dif_s_index(struct dif_src *s, struct dif_src *past,
                                 struct dif_src *sub, bool have_start,
                                 int64_t start, bool reverse);

/* strtok over s from offset `from` up to `lim` (the checked range: the
 * NUL's offset + 1, or the bound when there is no NUL within it);
 * delimiters are the bytes of delim before its NUL (delim covers the NUL
 * when it has one: the last byte read there decides when the skip reads
 * nothing). Returns false (no token) when a NUL follows only delimiters. Otherwise copies the token (at most cap - 1
 * bytes, possibly empty when the range ends first) and sets *next to the
 * offset after it (the delimiter that ended it is not consumed). */
DIF_INTERNAL bool dif_s_strtok(struct dif_src *s, size_t from, size_t lim,
                               struct dif_src *delim, char *out, size_t cap,
                               size_t *next);

/* strjoin: a then b; false when a + b + NUL does not fit cap. */
DIF_INTERNAL bool dif_s_strjoin(struct dif_src *a, struct dif_src *b,
                                char *out, size_t cap);

/* lltostr into a 65-byte area, right-aligned as DTrace builds it; returns
 * the offset of the first character. base must be 2..36. */
#define DIF_LLTOSTR_SIZE 65u
DIF_INTERNAL size_t dif_s_lltostr(int64_t v, unsigned base,
                                  char out[DIF_LLTOSTR_SIZE]);
/* strtoll: spaces/tabs, sign, "0x" for base 16, digits below base. */
DIF_INTERNAL int64_t dif_s_strtoll(struct dif_src *s, unsigned base,
                                   size_t lim);
/* Base argument of lltostr/strtoll as DTrace reads it (an int); true when
 * it is in 2..36. */
DIF_INTERNAL bool dif_s_base_ok(uint64_t arg, unsigned *base);

/* inet_ntoa: dotted quad of 4 bytes in memory order, right-aligned in a
 * 16-byte area; returns the offset of the first character. */
#define DIF_INET4_SIZE 16u
#define DIF_INET6_SIZE 46u
DIF_INTERNAL size_t dif_s_inet4(const uint8_t a[4], char out[DIF_INET4_SIZE]);
/* IPv6 text with DTrace's "::" rule, right-aligned in 46 bytes. For
 * v4-mapped / v4-compatible addresses inet_ntoa6 (ntop = false) gives just
 * the dotted quad, inet_ntop the embedded form. */
DIF_INTERNAL size_t dif_s_inet6(const uint8_t a[16], bool ntop,
                                char out[DIF_INET6_SIZE]);

/* json(json, selector), DTrace's scanner. dif_s_json_elems writes the
 * selector's packed element list to out (elements split at '.' and '[',
 * a leading '[' and every ']' dropped, each NUL-ended: at most
 * sel->len + 1 bytes) and returns the element count. dif_s_json scans
 * the text in out (cap = strlen(json) + 1, which it never fills) as
 * DTrace's scanner does, leaving there every key and value it gathered
 * (Decision 31); true when the selected value is there, NUL-ended. Work
 * is bounded by `size` (strsize) input bytes. Blanks are the kernel's
 * isspace: FreeBSD's includes \v and \f, illumos's only space, \t, \n
 * and \r. */
DIF_INTERNAL unsigned dif_s_json_elems(struct dif_src *sel, char *out);
DIF_INTERNAL bool dif_s_json(struct dif_src *json, const char *elems,
                             unsigned nelems, uint64_t size, bool illumos,
                             char *out, size_t cap);

/* Byte swaps as on a little-endian host (htons/htonl/htonll and ntoh*). */
static inline uint64_t dif_s_bswap16(uint64_t v)
{
	return ((v & 0xffu) << 8) | ((v >> 8) & 0xffu);
}
static inline uint64_t dif_s_bswap32(uint64_t v)
{
	return (uint64_t)__builtin_bswap32((uint32_t)v);
}
static inline uint64_t dif_s_bswap64(uint64_t v)
{
	return __builtin_bswap64(v);
}

#endif
