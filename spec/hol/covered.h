/* Opcodes the HOL theory covers (spec/hol/cases.ml); shared by the
 * runtime front end and hol-corpus. */
#ifndef DIF_HOL_COVERED_H
#define DIF_HOL_COVERED_H

static inline int hol_covered_op(unsigned op)
{
	if (op >= 1 && op <= 38)
		return 1;
	switch (op) {
	case 40: case 41: case 42: case 43: case 46: case 48: case 49:
	case 50: case 51: case 56: case 57: case 58: case 59: case 60:
	case 61: case 62: case 63: case 80:
		return 1;
	case 44: case 45: case 52: case 53: case 54: case 55: /* dyn.ml */
	case 39: /* scmp.ml */
		return 1;
	}
	return op >= 64 && op <= 77;
}

#endif
