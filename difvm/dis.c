/*
 * The `dtrace -S` listing format (dif-isa.md section 10): one instruction's
 * text, and the whole listing of a DIFO. Operand layout comes from the
 * instruction class in the ISA table, never from per-opcode cases.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A growing string; on allocation failure it stays failed (oom). */
struct sbuf {
	char *p;
	size_t len, cap;
	int oom;
};

static void sb_vprintf(struct sbuf *sb, const char *fmt, va_list ap)
{
	if (sb->oom)
		return;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(sb->p ? sb->p + sb->len : NULL,
	                  sb->p ? sb->cap - sb->len : 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		sb->oom = 1;
		return;
	}
	if (!sb->p || sb->len + (size_t)n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 256;
		while (cap < sb->len + (size_t)n + 1)
			cap *= 2;
		char *np = realloc(sb->p, cap);
		if (!np) {
			sb->oom = 1;
			return;
		}
		sb->p = np;
		sb->cap = cap;
		vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

/* snprintf that never reports a negative length. */
static size_t fmt_into(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static size_t fmt_into(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 ? 0 : (size_t)n;
}

size_t dif_insn_text(uint32_t w, enum dif_profile p, char *buf, size_t len)
{
	char dummy[1];
	if (!buf || len == 0) {
		buf = dummy;
		len = sizeof(dummy);
	}
	const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w), p);
	if (!oi)
		return fmt_into(buf, len, "(illegal opcode)");
	const char *m = oi->name;
	unsigned r1 = DIF_I_R1(w), r2 = DIF_I_R2(w), rd = DIF_I_RD(w);
	unsigned idx = DIF_I_INDEX(w);

	switch ((enum dif_iclass)oi->cls) {
	case DIF_IC_ALU3:
		return fmt_into(buf, len, "%-4s %%r%u, %%r%u, %%r%u", m, r1, r2, rd);
	case DIF_IC_ALU2:
		return fmt_into(buf, len, "%-4s %%r%u, %%r%u", m, r1, rd);
	case DIF_IC_CMP:
		return fmt_into(buf, len, "%-4s %%r%u, %%r%u", m, r1, r2);
	case DIF_IC_TST:
		return fmt_into(buf, len, "%-4s %%r%u", m, r1);
	case DIF_IC_BRANCH:
		return fmt_into(buf, len, "%-4s %u", m, DIF_I_LABEL(w));
	case DIF_IC_LOAD:
		return fmt_into(buf, len, "%-4s [%%r%u], %%r%u", m, r1, rd);
	case DIF_IC_STORE:
		return fmt_into(buf, len, "%-4s %%r%u, [%%r%u]", m, r1, rd);
	case DIF_IC_RET:
		return fmt_into(buf, len, "%-4s %%r%u", m, rd);
	case DIF_IC_NONE:
		return fmt_into(buf, len, "%s", m);
	case DIF_IC_SETX:
		return fmt_into(buf, len, "%-4s DT_INTEGER[%u], %%r%u", m, idx, rd);
	case DIF_IC_SETS:
		return fmt_into(buf, len, "%-4s DT_STRING[%u], %%r%u", m, idx, rd);
	case DIF_IC_LDA:
		return fmt_into(buf, len, "%-4s DT_VAR(%u), %%r%u, %%r%u", m, r1, r2, rd);
	case DIF_IC_STGA:
		/* dtrace -S prints the 16-bit field here (dif-isa.md 10.2). */
		return fmt_into(buf, len, "%-4s DT_VAR(%u), %%r%u, %%r%u", m, idx, r2, rd);
	case DIF_IC_LDV:
		return fmt_into(buf, len, "%-4s DT_VAR(%u), %%r%u", m, idx, rd);
	case DIF_IC_STV:
		return fmt_into(buf, len, "%-4s %%r%u, DT_VAR(%u)", m, rd, idx);
	case DIF_IC_CALL:
		return fmt_into(buf, len, "%-4s DIF_SUBR(%u), %%r%u", m, idx, rd);
	case DIF_IC_PUSHTR:
		return fmt_into(buf, len, "%-4s DT_TYPE(%u), %%r%u, %%r%u", m, r1, r2, rd);
	case DIF_IC_PUSHTV:
		return fmt_into(buf, len, "%-4s DT_TYPE(%u), %%r%u", m, r1, rd);
	case DIF_IC_XLATE:
		return fmt_into(buf, len, "%-4s DT_XLREF[%u], %%r%u", m, idx, rd);
	case DIF_IC_INVALID:
		break;
	}
	return fmt_into(buf, len, "(illegal opcode)");
}

char *dif_dis(const struct dif_difo *difo, const struct dif_dis_opts *opts)
{
	(void)difo;
	(void)opts;
	return NULL; /* listing: next commit */
}
