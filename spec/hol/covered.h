/* Opcodes the HOL theory covers (spec/hol/cases.ml) and the subroutines
 * of its CALL (spec/hol/subr.ml); shared by the runtime front end and
 * hol-corpus. */
#ifndef DIF_HOL_COVERED_H
#define DIF_HOL_COVERED_H

#include <stdint.h>

static inline int hol_covered_op(unsigned op)
{
	if (op >= 1 && op <= 38)
		return 1;
	switch (op) {
	case 40: case 41: case 42: case 43: case 46: case 47: case 48:
	case 49: case 50: case 51: case 56: case 57: case 58: case 59:
	case 60: case 61: case 62: case 63: case 80:
		return 1;
	case 44: case 45: case 52: case 53: case 54: case 55: /* dyn.ml */
	case 39: /* scmp.ml */
		return 1;
	}
	return op >= 64 && op <= 77;
}

/* Subroutine number n on a profile (0 FreeBSD, 1 illumos, dif-isa.md 6):
 * the ones without string building and the string ones of strs.ml. */
static inline int hol_covered_subr(unsigned profile, unsigned n)
{
	if ((n >= 1 && n <= 8) || n == 10 || n == 11 || n == 13 ||
	    (n >= 15 && n <= 22) || (n >= 35 && n <= 40))
		return 1;
	/* strings (strs.ml): strlen, strjoin, lltostr, strchr, strrchr,
	 * toupper, tolower */
	if (n == 12 || n == 23 || n == 24 || n == 28 || n == 29 || n == 44 ||
	    n == 45)
		return 1;
	if (profile & 1)
		return n == 46; /* getf */
	return (n >= 46 && n <= 49) || n == 51; /* memref, sx_*, getf */
}

/* The string subroutines of strs.ml: the runtime answers them; random
 * corpora include them only when asked (hol-corpus random --strings), as
 * their byte-by-byte scans cost seconds per case. */
static inline int hol_string_subr(unsigned n)
{
	return n == 12 || n == 23 || n == 24 || n == 28 || n == 29 ||
	       n == 44 || n == 45;
}

/* The program stays inside the theory: every opcode and every CALL's
 * subroutine covered (*pc gets the first one that is not). The theory's
 * tuple registers (tslots) also hold the key entries the dynamic variable
 * instructions write above the top, so a CALL after them reads what the
 * C model reads. */
static inline int hol_covered_text(unsigned profile, const uint32_t *text,
                                   uint32_t len, uint32_t *pc)
{
	for (uint32_t i = 0; i < len; i++) {
		unsigned op = text[i] >> 24;
		*pc = i;
		if (!hol_covered_op(op))
			return 0;
		if (op == 47 && !hol_covered_subr(profile, (text[i] >> 8) & 0xffff))
			return 0;
	}
	return 1;
}

#endif
