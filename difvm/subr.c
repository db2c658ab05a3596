/*
 * TEMPORARY placeholder so the library links while the subroutine helper
 * writes the real difvm/subr.c: that helper owns this file and replaces it
 * wholesale (interface in difvm/exec.h).
 */
#include "exec.h"

void dif_subr_call(struct dif_run *run, int sid, unsigned rd)
{
	(void)sid;
	(void)rd;
	dif_fault_why(run, DIF_FAULT_ILLOP, 0, "subroutine not implemented yet");
}
