/*
 * Runner for the data-driven interpreter tests (tests/exec/data/ *.dift).
 *
 * A .dift file holds cases. Each case starts with a line "=== NAME" and
 * holds programs in the assembler's syntax (docs/assembly.md) plus
 * directive lines starting with '!':
 *
 *   VM setup (before the first .difo of the case):
 *     !profile illumos|freebsd     !deny kernel,proc,owner,destructive
 *     !strsize N  !scratch N  !dynvar N  !static N  !local N
 *     !mem ADDR HEX [canload]      kernel bytes (a host region)
 *     !umem ADDR HEX               user-space bytes
 *     !toxic ADDR SIZE             any access faults BADADDR
 *   Context inputs (applied before the program they follow runs):
 *     !arg N=V  !var NAME=V  !str NAME=TEXT  !thread K  !repeat N
 *   Expectations (about the program they follow):
 *     !expect rval V
 *     !expect fault NAME pc N [addr V]
 *     !expect string "TEXT"        the returned address holds TEXT
 *     !expect drops N              dynamic-variable drops so far
 *     !expect reject               dif_prog_load refuses the program
 *
 * Every program of a case runs once (or !repeat times) in order, in one VM
 * and one context, so later programs see earlier programs' variables.
 */
#ifndef DIFVM_TESTS_DIFT_H
#define DIFVM_TESTS_DIFT_H

#include <stddef.h>

/* Runs every case of a .dift text. Failures are appended to `report`
 * (one line each, "file:line: case: message"); returns the number of
 * failures and stores the case count in *ncases. */
int dift_run(const char *file, const char *text, char **report,
             int *ncases);

#endif
