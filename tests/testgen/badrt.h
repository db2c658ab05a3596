/* The planted bug shared by the bad runtime and the shrinker test. */
#ifndef TESTS_TESTGEN_BADRT_H
#define TESTS_TESTGEN_BADRT_H

#include "difvm/isa.h"
#include "testgen/tg.h"

/* Runs c on difvm with every SDIV turned into UDIV. */
static inline int badrt_run(const struct dc_case *c, struct dc_outcome *o,
                            struct tg_err *e)
{
	struct dc_case t;
	tg_case_copy(&t, c);
	for (uint32_t i = 0; i < t.textlen; i++)
		if (DIF_I_OP(t.text[i]) == DIF_OPC_SDIV)
			t.text[i] = (t.text[i] & 0x00ffffffu) |
			            ((uint32_t)DIF_OPC_UDIV << 24);
	int r = tg_difvm_run(&t, o, e);
	tg_case_free(&t);
	return r;
}

#endif
