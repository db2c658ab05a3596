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
	case DIF_IC_SYMREF:
		return fmt_into(buf, len, "%-4s DT_SYMBOL[%u], %%r%u", m, idx, rd);
	case DIF_IC_INVALID:
		break;
	}
	return fmt_into(buf, len, "(illegal opcode)");
}

static const char *const ckind_names[] = {
	"unknown", "integer", "float", "pointer", "array", "function", "struct",
	"union", "enum", "forward", "typedef", "volatile", "const", "restrict",
};

/* "<kind> (<ckind>)[ by ref| by user ref] (size <n>)" (dif-isa.md 10.1). */
static void type_text(struct sbuf *sb, const struct dif_type *t)
{
	if (t->kind == DIF_TYPE_CTF)
		sb_printf(sb, "D type");
	else if (t->kind == DIF_TYPE_STRING)
		sb_printf(sb, "string");
	else
		sb_printf(sb, "0x%x", t->kind);
	if (t->ckind < sizeof(ckind_names) / sizeof(ckind_names[0]))
		sb_printf(sb, " (%s)", ckind_names[t->ckind]);
	else
		sb_printf(sb, " (0x%x)", t->ckind);
	if (t->flags & DIF_TF_BYREF)
		sb_printf(sb, " by ref");
	else if (t->flags & DIF_TF_BYUREF)
		sb_printf(sb, " by user ref");
	sb_printf(sb, " (size %" PRIu32 ")", t->size);
}

/* Unknown bits as 0x<hex>, then r and w, joined with '/'. */
static void flags_text(char *buf, size_t len, unsigned flags)
{
	size_t n = 0;
	buf[0] = '\0';
	unsigned unknown = flags & ~(DIF_VF_REF | DIF_VF_MOD);
	if (unknown)
		n += fmt_into(buf + n, len - n, "0x%x", unknown);
	if ((flags & DIF_VF_REF) && n < len)
		n += fmt_into(buf + n, len - n, "%sr", n ? "/" : "");
	if ((flags & DIF_VF_MOD) && n < len)
		fmt_into(buf + n, len - n, "%sw", n ? "/" : "");
}

/* Variable-table row with this id and scope whose name is printable. */
static const char *var_name(const struct dif_difo *d, unsigned id, int scope)
{
	for (uint32_t i = 0; i < d->varlen; i++) {
		const struct dif_var *v = &d->vartab[i];
		if (v->id == id && v->scope == scope && v->name < d->strlen)
			return d->strtab + v->name;
	}
	return NULL;
}

/* The `\t\t! ...` comment after an instruction, if dtrace -S prints one. */
static void insn_comment(struct sbuf *sb, const struct dif_difo *d,
                         uint32_t w, enum dif_profile p)
{
	const struct dif_opinfo *oi = dif_isa_lookup(DIF_I_OP(w), p);
	if (!oi)
		return;
	unsigned idx = DIF_I_INDEX(w), t = DIF_I_TYPE(w), id;
	switch ((enum dif_iclass)oi->cls) {
	case DIF_IC_SETX:
		if (idx < d->intlen)
			sb_printf(sb, "\t\t! 0x%" PRIx64, d->inttab[idx]);
		return;
	case DIF_IC_SETS:
		if (idx < d->strlen)
			sb_printf(sb, "\t\t! \"%s\"", d->strtab + idx);
		return;
	case DIF_IC_LDA:
		id = DIF_I_R1(w);
		break;
	case DIF_IC_STGA:
	case DIF_IC_LDV:
	case DIF_IC_STV:
		id = idx;
		break;
	case DIF_IC_SYMREF:
		if (idx < d->symlen)
			sb_printf(sb, "\t\t! \"%s\"", d->symtab + idx);
		return;
	case DIF_IC_CALL: {
		const char *n = dif_subr_name(idx, p);
		sb_printf(sb, "\t\t! %s", n ? n : "unknown");
		return;
	}
	case DIF_IC_PUSHTV:
	case DIF_IC_PUSHTR:
		if (t < 2)
			sb_printf(sb, "%s! DT_TYPE(%u) = %s",
			          oi->cls == DIF_IC_PUSHTR ? "\t" : "\t\t", t,
			          t == DIF_TYPE_CTF ? "D type" : "string");
		return;
	default:
		/* xlate: no translator table in a difvm DIFO, so no comment. */
		return;
	}
	const char *name = var_name(d, id, dif_isa_scope(oi));
	if (name)
		sb_printf(sb, "\t\t! DT_VAR(%u) = \"%s\"", id, name);
}

/* A poison reason as a C string literal body (the assembler reads it). */
static void escaped(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			sb_printf(sb, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			sb_printf(sb, "\\x%02x", ch);
		else
			sb_printf(sb, "%c", ch);
	}
}

/* A relocation record as the assembler reads it: "@kind(type, path)". */
static void reloc_comment(struct sbuf *sb, const struct dif_difo *d,
                          const struct dif_reloc *r)
{
	const char *type = d->symtab + r->type, *path = d->symtab + r->path;
	switch ((enum dif_reloc_kind)r->kind) {
	case DIF_RELOC_POISON:
		sb_printf(sb, "\t\t! @poison(\"");
		escaped(sb, path);
		sb_printf(sb, "\")");
		return;
	case DIF_RELOC_SIZEOF:
		sb_printf(sb, "\t\t! @sizeof(%s)", type);
		return;
	default:
		sb_printf(sb, "\t\t! @%s(%s, %s)", dif_reloc_kind_name(r->kind), type,
		          path);
		return;
	}
}

uint64_t dif_difo_ptr(const struct dif_difo *difo)
{
	return difo ? difo->ptr : 0;
}

void dif_difo_set_ptr(struct dif_difo *difo, uint64_t ptr)
{
	if (difo)
		difo->ptr = ptr;
}

enum dif_varid_style dif_difo_varid(const struct dif_difo *difo)
{
	return difo ? (enum dif_varid_style)difo->varid : DIF_VARID_PROFILE;
}

void dif_difo_set_varid(struct dif_difo *difo, enum dif_varid_style style)
{
	if (difo)
		difo->varid = style == DIF_VARID_DEC || style == DIF_VARID_HEX
		              ? (uint8_t)style : 0;
}

/* A stand-in pointer when none is known: a hash of the text, so listings
 * are reproducible and different DIFOs look different. */
static uint64_t default_ptr(const struct dif_difo *d)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < d->textlen; i++)
		for (int b = 0; b < 32; b += 8) {
			h ^= (d->text[i] >> b) & 0xffu;
			h *= 16777619u;
		}
	return 0x8000000u | ((uint64_t)(h & 0xfffffu) << 3);
}

char *dif_dis(const struct dif_difo *d, const struct dif_dis_opts *opts)
{
	if (!d)
		return NULL;
	enum dif_profile p = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	enum dif_varid_style vs = DIF_OPT(opts, varid, DIF_VARID_PROFILE);
	uint64_t ptr = DIF_OPT(opts, ptr, 0);
	if (ptr == 0)
		ptr = d->ptr ? d->ptr : default_ptr(d);
	if (vs == DIF_VARID_SOURCE)
		vs = (enum dif_varid_style)d->varid;
	int hexids = vs == DIF_VARID_HEX ||
	             (vs == DIF_VARID_PROFILE && p == DIF_PROFILE_ILLUMOS);

	struct sbuf sb = { 0 };
	sb_printf(&sb, "\nDIFO 0x%" PRIx64 " returns ", ptr);
	type_text(&sb, &d->rtype);
	sb_printf(&sb, "\n%-3s %-8s    %s\n", "OFF", "OPCODE", "INSTRUCTION");
	for (uint32_t pc = 0; pc < d->textlen; pc++) {
		char text[128];
		uint32_t w = d->text[pc];
		dif_insn_text(w, p, text, sizeof(text));
		sb_printf(&sb, "%02" PRIu32 ": %08" PRIx32 "    %s", pc, w, text);
		const struct dif_reloc *rl = dif_difo_reloc_at(d, pc);
		if (rl)
			reloc_comment(&sb, d, rl);
		else
			insn_comment(&sb, d, w, p);
		sb_printf(&sb, "\n");
	}
	if (d->varlen > 0) {
		sb_printf(&sb, "\n%-16s %-4s %-3s %-3s %-4s %s\n", "NAME", "ID",
		          "KND", "SCP", "FLAG", "TYPE");
		for (uint32_t i = 0; i < d->varlen; i++) {
			const struct dif_var *v = &d->vartab[i];
			char kind[16], scope[16], flags[32];
			if (v->kind == DIF_VKIND_ARRAY)
				snprintf(kind, sizeof(kind), "arr");
			else if (v->kind == DIF_VKIND_SCALAR)
				snprintf(kind, sizeof(kind), "scl");
			else
				snprintf(kind, sizeof(kind), "%u", v->kind);
			static const char *const scopes[] = { "glb", "tls", "loc" };
			if (v->scope < 3)
				snprintf(scope, sizeof(scope), "%s", scopes[v->scope]);
			else
				snprintf(scope, sizeof(scope), "%u", v->scope);
			flags_text(flags, sizeof(flags), v->flags);
			const char *name = v->name < d->strlen ? d->strtab + v->name
			                                       : "(invalid)";
			sb_printf(&sb, hexids ? "%-16s %-4" PRIx32 " " : "%-16s %-4" PRIu32 " ",
			          name, v->id);
			sb_printf(&sb, "%-3s %-3s %-4s ", kind, scope, flags);
			type_text(&sb, &v->type);
			sb_printf(&sb, "\n");
		}
	}
	if (sb.oom || !sb.p) {
		free(sb.p);
		return NULL;
	}
	return sb.p;
}
