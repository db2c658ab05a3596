/*
 * A deliberately wrong DIF runtime for the conformance tests: difvm behind
 * the same protocol server as `difrun --conformance`, except that signed
 * division is done unsigned (so negative operands give wrong quotients).
 */
#include <stdio.h>

#include "badrt.h"

static int run_bad(void *ud, const struct dc_case *c, struct dc_outcome *o,
                   struct tg_err *e)
{
	(void)ud;
	return badrt_run(c, o, e);
}

int main(void)
{
	return tg_serve(stdin, stdout, "badrt (sdiv done unsigned)", run_bad,
	                NULL);
}
