/* Internal tables of the verifier pass. Not installed. */
#ifndef DIFVM_TC_CHECK_H
#define DIFVM_TC_CHECK_H

#include "tc.h"

/* Result of a subroutine. */
enum tc_res {
	R_INT,    /* an integer */
	R_U16,    /* 16-bit integer */
	R_U32,    /* 32-bit integer */
	R_STRLEN, /* 0..strsize */
	R_HOST,   /* only the host answers: rd may also keep its value */
	R_NONE,   /* rd is not written */
	R_SCRPTR, /* 8-aligned scratch pointer */
	R_SCRSTR, /* scratch string or NULL */
	R_ARG0,   /* pointer into argument 0, or NULL */
};

/* Scratch a subroutine may take. */
enum tc_scr {
	S_NONE,
	S_STR,      /* a string buffer (bounded by 2 * strsize + 80) */
	S_STRFIRST, /* strjoin/strtok: needs strsize free before it starts */
	S_ARG,      /* alloca-like: the size argument `k` (+ 7 to align) */
	S_FIXED,    /* k bytes (+ 7 to align) */
	S_ARGRAW,   /* memstr: up to the size argument `k`, not aligned */
};

struct tc_subr {
	const char *args; /* required arguments, one letter each */
	uint8_t res;      /* enum tc_res */
	uint8_t scr;      /* enum tc_scr */
	uint8_t k;
};
DIF_INTERNAL extern const struct tc_subr tc_subrs[DIF_S_COUNT];

#endif
