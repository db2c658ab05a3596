/* Internal view of the verifier: the value domain (domain.c) used by the
 * pass (typecheck.c). Not installed. */
#ifndef DIFVM_TC_H
#define DIFVM_TC_H

#include <stdbool.h>

#include "difvm/isa.h"
#include "difvm/typecheck.h"

typedef struct dif_tc_value av_t;

#define K_NUM DIF_TC_K_NUM
#define K_INT DIF_TC_K_INT
#define K_STRTAB DIF_TC_K_STRTAB
#define K_SCRATCH DIF_TC_K_SCRATCH
#define K_STATIC DIF_TC_K_STATIC
#define K_DYN DIF_TC_K_DYN
#define K_ENV DIF_TC_K_ENV
#define K_HOST DIF_TC_K_HOST
#define K_NULL DIF_TC_K_NULL
#define K_STR DIF_TC_K_STR
#define K_PTRS DIF_TC_K_PTRS
#define K_INTS (K_NUM | K_INT)

/* Constructors. */
DIF_INTERNAL void av_top(av_t *v, uint32_t kinds);
DIF_INTERNAL void av_const(av_t *v, uint64_t x, uint32_t kinds);
DIF_INTERNAL void av_urange(av_t *v, uint64_t lo, uint64_t hi, uint32_t kinds);
DIF_INTERNAL void av_srange(av_t *v, int64_t lo, int64_t hi, uint32_t kinds);
/* A pointer whose low `align_bits` bits are known zero. */
DIF_INTERNAL void av_ptr(av_t *v, uint32_t kinds, unsigned align_bits);

DIF_INTERNAL bool av_is_const(const av_t *v, uint64_t *x);
DIF_INTERNAL bool av_may_zero(const av_t *v);
DIF_INTERNAL bool av_must_zero(const av_t *v);
/* Tightens bounds from each other; false when the value set is empty. */
DIF_INTERNAL bool av_sync(av_t *v);
/* a := a join b (union of the sets). */
DIF_INTERNAL void av_join(av_t *a, const av_t *b);

/* ALU transfer: rd = a OP b for a DIF opcode (ALU3, NOT, MOV). For
 * divisions the caller has excluded the faulting divisors already. */
DIF_INTERNAL void av_alu(unsigned op, const av_t *a, const av_t *b, av_t *out);
/* Value of a sign/zero-extending load of width w bytes. */
DIF_INTERNAL void av_load(av_t *v, unsigned w, bool sgn);

/* Branch refinement after `cmp a, b` for the predicate of branch op being
 * `taken`. Updates a and b; false when the edge is infeasible. */
DIF_INTERNAL bool av_refine_cmp(unsigned op, bool taken, av_t *a, av_t *b);
/* v := v with v != 0 (false: infeasible). */
DIF_INTERNAL bool av_refine_nonzero(av_t *v);
/* v := 0 (false: infeasible). */
DIF_INTERNAL bool av_refine_zero(av_t *v);

#endif
