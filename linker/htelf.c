/*
 * HyperTrace's ELF program format, read-only (docs/linking.md section
 * "HyperTrace programs"; the format is described in section 1 of the
 * HyperTrace notes): an ELFCLASS32 ET_EXEC EM_NONE file with extended
 * section numbering, section 2 `.dtrace_prog`, and one `.dtrace_difo`
 * section per DIFO with its instructions inline and references (section
 * indices) to its integer, string and variable tables.
 *
 * Limits: statements, ECB and probe descriptions, actions, options and
 * printf/aggregation metadata are not decoded (their records embed host
 * structs whose layout changed between HyperTrace versions); DIFOs are
 * named "difo@N" after their section. The symbol table of relocation
 * names is not read. A 32-byte digest prefix is skipped, not verified.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/link.h"
#include "difvm/internal.h"
#include "bytes.h"

#define SHT_DTRACE_ELF 0x6eeeeee0u
#define EH32 52u
#define SH32 40u
#define DIFO_HDR 72u      /* dt_elf_difo_t up to the inline instructions */
#define PROG_ERR_OFF 20u  /* dtep_err, after haserror at 16 */
#define PROG_ERRLEN 4096u
#define DIGEST_LEN 32u

struct hsec {
	uint32_t name, type;
	uint64_t off, size, entsize;
	const char *nm;
};

struct hrd {
	const uint8_t *b;
	size_t len;
	int msb;
	uint32_t n;
	struct hsec *s;
	struct dif_errors *errs;
};

static int hfail(struct hrd *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int hfail(struct hrd *r, int code, const char *fmt, ...)
{
	char msg[220];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dif_errf(r->errs, code, DIF_NO_PC, NULL, NULL, "HyperTrace ELF: %s",
	         msg);
	return code;
}

static uint64_t hg(const struct hrd *r, uint64_t off, unsigned n)
{
	return lb_get(r->b + off, n, r->msb);
}

/* Skips a digest prefix; NULL if buf is not a HyperTrace program. */
static const uint8_t *ht_start(const uint8_t *b, size_t len, size_t *skip)
{
	*skip = 0;
	if (len >= DIGEST_LEN + 4 && memcmp(b, "\177ELF", 4) != 0 &&
	    memcmp(b + DIGEST_LEN, "\177ELF", 4) == 0)
		*skip = DIGEST_LEN;
	b += *skip;
	len -= *skip;
	if (len < EH32 || memcmp(b, "\177ELF", 4) != 0 || b[4] != 1)
		return NULL;
	int msb = b[5] == 2;
	if (lb_get(b + 16, 2, msb) != 2 || lb_get(b + 18, 2, msb) != 0)
		return NULL; /* ET_EXEC, EM_NONE */
	return b;
}

int dif_hypertrace_detect(const void *buf, size_t len)
{
	size_t skip;
	return buf && ht_start(buf, len, &skip) != NULL;
}

static int ht_sections(struct hrd *r)
{
	const uint8_t *b = r->b;
	if (b[5] != 1 && b[5] != 2)
		return hfail(r, DIF_E_OBJ_DATA, "ELF data encoding %u", b[5]);
	r->msb = b[5] == 2;
	uint64_t shoff = hg(r, 32, 4);
	unsigned shentsize = (unsigned)hg(r, 46, 2);
	uint64_t shnum = hg(r, 48, 2), shstrndx = hg(r, 50, 2);
	if (shentsize != SH32)
		return hfail(r, DIF_E_OBJ_FORMAT,
		             "section header size %u, expected %u", shentsize, SH32);
	if (shoff == 0 || shoff > r->len || r->len - shoff < SH32)
		return hfail(r, DIF_E_OBJ_TRUNCATED,
		             "section header table at %llu outside the file",
		             (unsigned long long)shoff);
	if (shnum == 0)
		shnum = hg(r, shoff + 20, 4); /* extended numbering */
	if (shstrndx == 0xffff)
		shstrndx = hg(r, shoff + 24, 4);
	if (shnum < 3 || shnum > (r->len - shoff) / SH32)
		return hfail(r, DIF_E_OBJ_TRUNCATED,
		             "%llu section headers (at least 3, inside the file)",
		             (unsigned long long)shnum);
	if (shstrndx == 0 || shstrndx >= shnum)
		return hfail(r, DIF_E_OBJ_INDEX,
		             "section name table index %llu out of range",
		             (unsigned long long)shstrndx);
	r->n = (uint32_t)shnum;
	r->s = calloc(r->n, sizeof(*r->s));
	if (!r->s)
		return hfail(r, DIF_E_NOMEM, "out of memory");
	for (uint32_t i = 0; i < r->n; i++) {
		uint64_t o = shoff + (uint64_t)i * SH32;
		struct hsec *s = &r->s[i];
		s->name = (uint32_t)hg(r, o, 4);
		s->type = (uint32_t)hg(r, o + 4, 4);
		s->off = hg(r, o + 16, 4);
		s->size = hg(r, o + 20, 4);
		s->entsize = hg(r, o + 36, 4);
		s->nm = "";
		if (i && s->type != 8 /* SHT_NOBITS */ &&
		    (s->off > r->len || s->size > r->len - s->off))
			return hfail(r, DIF_E_OBJ_TRUNCATED,
			             "section %u (offset %llu, size %llu) extends past "
			             "the end of the file", i,
			             (unsigned long long)s->off,
			             (unsigned long long)s->size);
	}
	const struct hsec *ns = &r->s[shstrndx];
	if (ns->type != 3 || ns->size == 0 ||
	    r->b[ns->off + ns->size - 1] != '\0')
		return hfail(r, DIF_E_OBJ_STRING,
		             "section name table (section %llu) is not a "
		             "NUL-terminated SHT_STRTAB",
		             (unsigned long long)shstrndx);
	for (uint32_t i = 1; i < r->n; i++) {
		if (r->s[i].name >= ns->size)
			return hfail(r, DIF_E_OBJ_INDEX,
			             "section %u: name offset %u outside the name table",
			             i, r->s[i].name);
		r->s[i].nm = (const char *)r->b + ns->off + r->s[i].name;
	}
	if (strcmp(r->s[2].nm, ".dtrace_prog") != 0)
		return hfail(r, DIF_E_OBJ_MISSING,
		             "section 2 is '%.40s', not .dtrace_prog", r->s[2].nm);
	const struct hsec *pg = &r->s[2];
	if (pg->size < PROG_ERR_OFF + PROG_ERRLEN)
		return hfail(r, DIF_E_OBJ_SECTION,
		             "section 2 (.dtrace_prog): %llu bytes, too small for a "
		             "program record", (unsigned long long)pg->size);
	if (hg(r, pg->off + 16, 4) != 0) {
		const char *m = (const char *)r->b + pg->off + PROG_ERR_OFF;
		return hfail(r, DIF_E_OBJ_FORMAT,
		             "the program records a compile error: %.*s",
		             (int)strnlen(m, 160), m);
	}
	return 0;
}

/* A referenced table section: index in range, a DTrace section. */
static int ht_table(struct hrd *r, uint32_t difo, uint32_t ref,
                    const char *what, const struct hsec **out)
{
	*out = NULL;
	if (ref == 0)
		return 0;
	if (ref >= r->n)
		return hfail(r, DIF_E_OBJ_INDEX,
		             "section %u (.dtrace_difo): %s reference %u out of "
		             "range (%u sections)", difo, what, ref, r->n);
	const struct hsec *s = &r->s[ref];
	if (s->type != SHT_DTRACE_ELF)
		return hfail(r, DIF_E_OBJ_SECTION,
		             "section %u (.dtrace_difo): %s is section %u of type "
		             "0x%x, not SHT_DTRACE_elf", difo, what, ref, s->type);
	*out = s;
	return 0;
}

static int ht_difo(struct hrd *r, uint32_t i, struct dif_module *mod)
{
	const struct hsec *s = &r->s[i];
	if (s->size < DIFO_HDR)
		return hfail(r, DIF_E_OBJ_SECTION,
		             "section %u (.dtrace_difo): %llu bytes, the record "
		             "needs %u", i, (unsigned long long)s->size, DIFO_HDR);
	uint64_t o = s->off;
	uint32_t ref[4];
	for (int k = 0; k < 4; k++)
		ref[k] = (uint32_t)hg(r, o + 4 * (uint64_t)k, 4);
	uint64_t intlen = hg(r, o + 16, 8), strl = hg(r, o + 24, 8);
	uint64_t varlen = hg(r, o + 40, 8), len = hg(r, o + 64, 8);
	struct dif_type rtype;
	lb_get_type(r->b + o + 48, r->msb, &rtype);
	if (len > (s->size - DIFO_HDR) / 4)
		return hfail(r, DIF_E_OBJ_TRUNCATED,
		             "section %u (.dtrace_difo): %llu instructions do not "
		             "fit in the section", i, (unsigned long long)len);
	const struct hsec *it, *st, *vt, *unused;
	int rc;
	if ((rc = ht_table(r, i, ref[0], "integer table", &it)) ||
	    (rc = ht_table(r, i, ref[1], "string table", &st)) ||
	    (rc = ht_table(r, i, ref[2], "symbol table", &unused)) ||
	    (rc = ht_table(r, i, ref[3], "variable table", &vt)))
		return rc;
	uint64_t vent = vt ? (vt->entsize ? vt->entsize : LB_VAR_SIZE) : 0;
	if ((intlen && (!it || intlen > it->size / 8)) ||
	    (strl && (!st || strl > st->size)) ||
	    (varlen && (!vt || vent < LB_VAR_SIZE || varlen > vt->size / vent)))
		return hfail(r, DIF_E_OBJ_SECTION,
		             "section %u (.dtrace_difo): table lengths (%llu "
		             "integers, %llu string bytes, %llu variables) exceed "
		             "their sections", i, (unsigned long long)intlen,
		             (unsigned long long)strl, (unsigned long long)varlen);
	if (len * 4 + intlen * 8 + strl + varlen * LB_VAR_SIZE >
	    DIF_DIFO_MAXSIZE)
		return hfail(r, DIF_E_OBJ_OVERSIZE,
		             "section %u (.dtrace_difo): above %u bytes", i,
		             DIF_DIFO_MAXSIZE);
	if (strl && r->b[st->off + strl - 1] != '\0')
		return hfail(r, DIF_E_OBJ_STRING,
		             "section %u (.dtrace_difo): string table does not end "
		             "with NUL", i);
	uint32_t *text = malloc((len ? len : 1) * 4);
	uint64_t *ints = malloc((intlen ? intlen : 1) * 8);
	struct dif_var *vars = calloc(varlen ? varlen : 1, sizeof(*vars));
	if (!text || !ints || !vars) {
		rc = hfail(r, DIF_E_NOMEM, "out of memory");
		goto out;
	}
	for (uint64_t k = 0; k < len; k++)
		text[k] = (uint32_t)hg(r, o + DIFO_HDR + 4 * k, 4);
	for (uint64_t k = 0; k < intlen; k++)
		ints[k] = hg(r, it->off + 8 * k, 8);
	/* the records extend dtrace_difv_t; its 20 bytes come first */
	for (uint64_t k = 0; k < varlen; k++)
		lb_get_var(r->b + vt->off + k * vent, r->msb, &vars[k]);
	char name[32];
	snprintf(name, sizeof(name), "difo@%u", i);
	DIF_OPTS(dif_difo_parts, p, .name = name, .text = text,
	         .textlen = (uint32_t)len, .inttab = ints,
	         .intlen = (uint32_t)intlen,
	         .strtab = strl ? (const char *)r->b + st->off : NULL,
	         .strlen = (uint32_t)strl, .vartab = vars,
	         .varlen = (uint32_t)varlen, .rtype = rtype);
	struct dif_difo *d = NULL;
	rc = dif_difo_create(&p, &d, r->errs);
	if (rc == 0 && (rc = dif_module_add(mod, d))) {
		if (rc == DIF_E_LIMIT)
			hfail(r, rc, DIF_MODULE_LIMIT_FMT, name, dif_module_max(mod));
		else
			hfail(r, rc, "cannot add DIFO '%s'", name);
	}
out:
	free(text);
	free(ints);
	free(vars);
	return rc;
}

int dif_hypertrace_read(const void *buf, size_t len, struct dif_module **out,
                        struct dif_errors *errs)
{
	return dif_hypertrace_read_opts(buf, len, NULL, out, errs);
}

int dif_hypertrace_read_opts(const void *buf, size_t len,
                             const struct dif_hypertrace_opts *opts,
                             struct dif_module **out, struct dif_errors *errs)
{
	if (!out)
		return DIF_E_INVAL;
	*out = NULL;
	if ((!buf && len) || (opts && opts->size < sizeof(size_t))) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL,
		         "HyperTrace ELF: bad arguments");
		return DIF_E_INVAL;
	}
	struct hrd r;
	memset(&r, 0, sizeof(r));
	r.errs = errs;
	size_t skip = 0;
	const uint8_t *b = buf ? ht_start(buf, len, &skip) : NULL;
	if (!b)
		return hfail(&r, DIF_E_OBJ_FORMAT,
		             "not an ELFCLASS32 ET_EXEC EM_NONE file");
	r.b = b;
	r.len = len - skip;
	struct dif_module *mod = dif_module_new();
	if (mod)
		mod->max = DIF_OPT(opts, max_module, 0);
	int rc = mod ? ht_sections(&r) : hfail(&r, DIF_E_NOMEM, "out of memory");
	for (uint32_t i = 3; i < r.n && !rc; i++)
		if (r.s[i].type == SHT_DTRACE_ELF &&
		    strcmp(r.s[i].nm, ".dtrace_difo") == 0)
			rc = ht_difo(&r, i, mod);
	free(r.s);
	if (rc) {
		dif_module_free(mod);
		return rc;
	}
	*out = mod;
	return 0;
}
