/*
 * difcheck --cfg: the control-flow graph of every DIFO as Graphviz DOT or
 * as JSON (schema difcfg/1, docs/verifier.md section "cfg").
 */
#ifndef DIFVM_TOOLS_CFGOUT_H
#define DIFVM_TOOLS_CFGOUT_H

#include <stdio.h>

#include "difvm/cfg.h"

enum cfgout_form { CFGOUT_NONE = 0, CFGOUT_DOT, CFGOUT_JSON };

/* Parses "dot" / "json"; -1 if neither. */
int cfgout_parse(const char *s, enum cfgout_form *out);

/* Prints the graphs of every FILE; returns difcheck's exit status (0 all
 * built, 1 some DIFO's CFG could not be built, 2 a file could not be
 * read). Errors go to stderr. */
int cfgout_run(FILE *out, enum cfgout_form form, char **files, size_t n,
               enum dif_profile profile, int profile_set, unsigned nregs);

#endif
