/*
 * difspec: an executable formal model of DIF (dif-isa.md, docs/conventions.md).
 *
 * Written as a specification, not as an interpreter: every instruction and
 * every subroutine is a list of named cases, each a pure guard (state ->
 * bool) and a pure effect (state -> update record). One generic step
 * function checks that exactly one guard holds and applies the update. The
 * case table is data: it can be enumerated, looked up by name and printed
 * (docs/spec.md is generated from it).
 *
 * Independent of difvm/: only libc and spec/case.h.
 */
#ifndef DIFSPEC_SPEC_H
#define DIFSPEC_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "case.h"

#define DC_SPEC_VERSION "1.3" /* 1.1: the emulator-facts semantics; 1.2: uld range check, mutex_owned canload; 1.3: host callback answers */

/* Profile masks of a case (bit = 1 << enum dc_profile). */
#define DC_PM_FREEBSD 0x1u
#define DC_PM_ILLUMOS 0x2u
#define DC_PM_ALL 0x3u

struct dc_spec_case {
	const char *insn;   /* mnemonic ("add") or subroutine name ("strlen") */
	const char *name;   /* case name, unique within insn ("divzero") */
	const char *guard;  /* when the case applies */
	const char *effect; /* what it does */
	const char *cite;   /* section of dif-isa.md / conventions.md */
	unsigned profiles;  /* DC_PM_* */
	unsigned hosts;     /* DC_HOST_* the case can fire on; 0 = every host */
};

/* Host masks of a case (the model describes execution on the host it runs
 * on; byte order is a model parameter taken from that host). */
#define DC_HOST_LE 0x1u
#define DC_HOST_BE 0x2u
/* The DC_HOST_* bit of the machine running the model. */
unsigned dc_spec_host(void);

/* Return codes of dc_spec_run (0 = ran; the outcome may hold a fault). */
enum dc_spec_err {
	DC_SPEC_OK = 0,
	DC_SPEC_EINVAL = -1,  /* the validator would reject the program */
	DC_SPEC_EMODEL = -2,  /* model error: not exactly one guard held */
	DC_SPEC_ENOMEM = -3,
	DC_SPEC_EUNSUP = -4,  /* valid but outside the model (see message) */
};

size_t dc_spec_ncases(void);
const struct dc_spec_case *dc_spec_case_at(size_t i);
/* Index of the case (insn, name), or -1. */
long dc_spec_case_index(const char *insn, const char *name);

/* Runs the case's program c->runs times (0 means 1) in one state, fills
 * *out with the last run's outcome. hits: dc_spec_ncases() counters (or
 * NULL); every case whose effect fired is incremented. */
int dc_spec_run(const struct dc_case *c, struct dc_outcome *out,
                uint32_t *hits);

/* Extra results for generators and tests. */
struct dc_spec_info {
	char msg[160];          /* why EINVAL / EUNSUP / EMODEL */
	uint32_t msg_pc;        /* instruction the message is about */
	uint64_t drops;         /* dynamic variable drops, all runs */
	uint64_t steps;         /* instructions executed, all runs */
	uint32_t nondet;        /* rand() was called: rval is not reproducible */
	uint64_t scratch_used;  /* scratch pointer offset at the end (last run) */
};
int dc_spec_run_info(const struct dc_case *c, struct dc_outcome *out,
                     uint32_t *hits, struct dc_spec_info *info);

/* Runs the case like dc_spec_run, with the effect of one firing of model
 * case `index` perturbed: the `occurrence`-th firing (0-based, counted
 * over all runs) changes every part of its update by a little (register
 * value, condition codes as seen by the next conditional branch, jump,
 * memory, variable, tuple, scratch pointer, returned value, fault
 * address) or, when its update changes nothing, faults ILLOP. A test
 * observes that firing when its outcome differs from the unperturbed one.
 * *fired is set when the firing happened. */
int dc_spec_run_perturbed(const struct dc_case *c, struct dc_outcome *out,
                          size_t index, uint32_t occurrence, int *fired);

/* Checks a program as the validator would (dif-isa.md section 5 under the
 * case's profile); 0 or DC_SPEC_EINVAL with msg filled. */
int dc_spec_validate(const struct dc_case *c, char *msg, size_t msglen);

/* Subroutine number -> name under a profile (NULL if none), and back (-1). */
const char *dc_spec_subr_name(uint32_t profile, unsigned subr);
int dc_spec_subr_number(uint32_t profile, const char *name);
/* Largest valid subroutine number (DIF_SUBR_MAX) of a profile. */
unsigned dc_spec_subr_max(uint32_t profile);
/* Opcode -> mnemonic (NULL if not an opcode of the profile). */
const char *dc_spec_op_name(uint32_t profile, unsigned op);

/* Writes the Markdown documentation of the case table (docs/spec.md);
 * 0 or -1 on a write error. */
int dc_spec_write_doc(FILE *f);

const char *dc_spec_strerror(int err);
/* DTRACEFLT_* short name ("DIVZERO"); "NONE" for 0. */
const char *dc_spec_fault_name(uint32_t fault);

#endif
