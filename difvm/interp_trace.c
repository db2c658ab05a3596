/*
 * dif_exec_traced: the interpreter loop again, with a trace call before
 * every instruction (interp_loop.h). A separate translation unit, so that
 * dif_exec's loop and the helpers inlined into it stay exactly as they are.
 */
#define EXEC_TRACED 1
#include "interp.c"
