/* The outcome part of a HOL server reply (spec/hol/server.ml): "R v",
 * then " D n" (dropped dynamic stores), " G d" (digest of the observed
 * strings), " S hex" (the returned string, "-" when empty); or
 * "F code addr pc" with " D n". Shared by the runtime front end and
 * hol-corpus derive, whose test lines carry the same text. */
#ifndef DIF_HOL_REPLY_H
#define DIF_HOL_REPLY_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/case.h"

/* 0 when r is an R or F outcome (stored in o), -1 otherwise */
static inline int hol_reply_outcome(const char *r, struct dc_outcome *o)
{
	unsigned long long v, a;
	unsigned code, pc;
	int off = 0;
	const char *d = strstr(r, " D ");
	if (d && (r[0] == 'R' || r[0] == 'F'))
		o->drops = strtoull(d + 3, NULL, 10);
	if (sscanf(r, "R %llu%n", &v, &off) == 1) {
		o->rval = v;
		const char *g = strstr(r + off, " G ");
		if (g) {
			o->digest = strtoull(g + 3, NULL, 10);
			o->has_digest = 1;
		}
		const char *s = strstr(r + off, " S ");
		if (s) {
			s += 3;
			size_t k = 0;
			if (strncmp(s, "-", 1) != 0)
				for (; s[0] && s[1] && s[0] != ' ' && k < sizeof(o->string) - 1;
				     s += 2) {
					unsigned b;
					if (sscanf(s, "%2x", &b) != 1)
						break;
					o->string[k++] = (char)b;
				}
			o->string[k] = 0;
			o->has_string = 1;
		}
		return 0;
	}
	if (sscanf(r, "F %u %llu %u", &code, &a, &pc) == 3) {
		o->fault = code;
		o->addr = a;
		o->pc = pc;
		return 0;
	}
	return -1;
}

#endif
