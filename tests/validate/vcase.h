/* Shared helpers of the validator suites: build DIFOs from raw words and
 * render validator errors as comparable text. */
#ifndef DIFVM_TESTS_VCASE_H
#define DIFVM_TESTS_VCASE_H

#include <stdio.h>
#include <string.h>

#include "difvm/isa.h"

/* Word builders by opcode name. */
#define R(op, r1, r2, rd) DIF_ENC_R(DIF_OPC_##op, r1, r2, rd)
#define B(op, label) DIF_ENC_B(DIF_OPC_##op, label)
#define W(op, idx, rd) DIF_ENC_W(DIF_OPC_##op, idx, rd)
#define RAW(op, low24) (((uint32_t)(op) << 24) | ((uint32_t)(low24) & 0xffffffu))
#define RET(r) R(RET, 0, 0, r)

#define VCASE_MAXTEXT 32
#define VCASE_MAXVARS 6

struct vcase {
	const char *name;
	enum dif_profile profile;
	uint32_t nregs;
	uint32_t len;
	uint32_t text[VCASE_MAXTEXT];
	uint32_t intlen;
	uint32_t strlen;
	struct dif_type rtype;
	uint32_t nvars;
	struct dif_var vars[VCASE_MAXVARS];
	const char *expect; /* "" = accepted, else "where: rule: message\n"... */
};

/* Variable-table row shorthand: id, kind, scope, type flags, size. */
#define VAR(id_, kind_, scope_, tflags_, size_)                           \
	{ .name = 0, .id = (id_), .kind = (kind_), .scope = (scope_),        \
	  .flags = DIF_VF_REF, .type = { .kind = DIF_TYPE_CTF, .ckind = 1,   \
	                                  .flags = (tflags_), .size = (size_) } }
#define GLB DIF_VSCOPE_GLOBAL
#define TLS DIF_VSCOPE_THREAD
#define LOC DIF_VSCOPE_LOCAL
#define SCL DIF_VKIND_SCALAR
#define ARR DIF_VKIND_ARRAY

/* Builds the DIFO of a case (tables filled with harmless contents). */
static inline struct dif_difo *vcase_difo(const struct vcase *c,
                                          const char *name)
{
	static uint64_t ints[64];
	static char strs[512];
	memset(strs, 'a', sizeof(strs));
	if (c->strlen)
		strs[c->strlen - 1] = '\0';
	DIF_OPTS(dif_difo_parts, p, .name = name ? name : c->name,
	         .text = c->text, .textlen = c->len, .inttab = ints,
	         .intlen = c->intlen, .strtab = strs, .strlen = c->strlen,
	         .vartab = c->vars, .varlen = c->nvars, .rtype = c->rtype);
	struct dif_difo *d = NULL;
	struct dif_errors e = { 0 };
	if (dif_difo_create(&p, &d, &e) != 0)
		return NULL;
	return d;
}

/* Renders errors one a line: "<pc or vartab[i] or ->: <rule>: <msg>". */
static inline void vcase_render(const struct dif_errors *e, char *buf,
                                size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < e->count && n < len; i++) {
		const struct dif_error *x = &e->list[i];
		char where[80];
		if (x->pc != DIF_NO_PC)
			snprintf(where, sizeof(where), "%u", x->pc);
		else if (strncmp(x->insn, "vartab[", 7) == 0)
			snprintf(where, sizeof(where), "%s", x->insn);
		else
			snprintf(where, sizeof(where), "-");
		int k = snprintf(buf + n, len - n, "%s: %s: %s\n", where,
		                 dif_err_name(x->code), x->msg);
		if (k < 0)
			break;
		n += (size_t)k;
	}
}

/* Validates one case; returns the return code and renders the errors. */
static inline int vcase_run(const struct vcase *c, char *out, size_t len,
                            struct dif_errors *e)
{
	struct dif_difo *d = vcase_difo(c, NULL);
	if (!d) {
		snprintf(out, len, "<difo_create failed>\n");
		return -1;
	}
	DIF_OPTS(dif_validate_opts, o, .profile = c->profile, .nregs = c->nregs);
	dif_errors_clear(e);
	int rc = dif_validate(d, &o, e);
	vcase_render(e, out, len);
	dif_difo_free(d);
	return rc;
}

#endif
