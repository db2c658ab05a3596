/*
 * The assembler. One line-oriented parser reads both `dtrace -S` listings
 * (dif-isa.md section 10) and the hand-written syntax (docs/assembly.md).
 * It encodes anything syntactically valid, even programs the validator
 * rejects, and stops at the first error with its line and column.
 *
 * Table entries whose position is not known until a program is complete
 * (literal integers and strings, variable names, forward labels) are kept
 * as fixups and resolved when the program closes.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "internal.h"

#define MAX_LABELS 65535u
#define MAX_TEXT (DIF_DIFO_MAXSIZE / 4u)

/* ------------------------------------------------------------------ */
/* Labels, names and table deduplication use the shared map (hash.h). */

/* ------------------------------------------------------------------ */
/* Program under construction. */

enum fixkind { FIX_LABEL, FIX_INT, FIX_STR, FIX_SYM };
struct fix {
	uint8_t kind;
	uint32_t pc;
	uint32_t line, col;
	uint64_t num;  /* FIX_INT value */
	char *s;       /* FIX_LABEL name, FIX_STR contents */
	size_t slen;
};

struct insn {
	uint32_t word, hex;
	uint8_t has_hex, deferred;
	uint32_t line, col; /* of the mnemonic */
	uint32_t hexcol;
};

/* A variable-table row from a listing table or a .var directive. */
struct row {
	char *name;
	size_t nlen;
	struct dif_var v;
	char idtext[24]; /* listing rows: id as written, resolved at close */
	uint8_t listing, auto_flags;
	uint32_t line, col, idcol;
};

/* Key of a variable in the maps below: scope and id. */
struct varkey {
	uint32_t scope, id;
};

/* A relocation record under construction (docs/linking.md). */
struct prel {
	uint32_t pc;
	uint16_t kind;
	char *type, *path; /* malloc'd; path NULL for sizeof */
	uint32_t line, col;
};

enum pstate { ST_CODE, ST_GAP, ST_VARTAB };

struct prog {
	char name[64];
	uint32_t line; /* where it started */
	uint8_t listing, has_header, has_rtype;
	enum pstate state;
	uint64_t ptr;
	struct dif_type rtype;
	int varids; /* .varids override, 0: none */
	int idstyle; /* style the listing table's ids were read in, 0: none */

	struct insn *insns;
	size_t ninsns, capinsns;
	struct fix *fixes;
	size_t nfixes, capfixes;
	struct dif_hmap labels; /* name -> pc */
	size_t nlabels;

	uint64_t *ints;
	uint8_t *intdef;
	size_t nints, capints;
	char *str;
	uint8_t *strdef;
	size_t nstr, capstr;

	struct row *rows;
	size_t nrows, caprows;
	/* (scope, id) -> DIF_VF_REF/MOD of the instructions using it */
	struct dif_hmap uses;
	/* .var rows: name -> row per scope, and the highest id per scope of
	 * rows[0 .. idrows) (ids are final only at the end of the program) */
	struct dif_hmap varnames[4]; /* scopes 0..2, others */
	uint32_t idmax[3];
	uint8_t idany[3];
	size_t idrows;
	/* symbol table (usetx/typecast names, relocation names) */
	char *sym;
	uint8_t *symdef;
	size_t nsym, capsym;
	struct prel *rels;
	size_t nrels, caprels;
};

struct asmctx {
	enum dif_profile prof;
	int varid_opt;
	struct dif_errors *errs;
	int err;
	struct dif_module *mod;
	struct prog *cur;
	size_t nprogs;
	/* the current line */
	const char *ln;
	size_t len, pos;
	uint32_t lineno;
};

static void prog_free(struct prog *p)
{
	if (!p)
		return;
	free(p->insns);
	for (size_t i = 0; i < p->nfixes; i++)
		free(p->fixes[i].s);
	free(p->fixes);
	dif_hm_free(&p->labels);
	free(p->ints);
	free(p->intdef);
	free(p->str);
	free(p->strdef);
	for (size_t i = 0; i < p->nrows; i++)
		free(p->rows[i].name);
	free(p->rows);
	dif_hm_free(&p->uses);
	for (int i = 0; i < 4; i++)
		dif_hm_free(&p->varnames[i]);
	free(p->sym);
	free(p->symdef);
	for (size_t i = 0; i < p->nrels; i++) {
		free(p->rels[i].type);
		free(p->rels[i].path);
	}
	free(p->rels);
	free(p);
}

/* ------------------------------------------------------------------ */
/* Diagnostics. */

static int fail_at(struct asmctx *c, int code, uint32_t line, uint32_t col,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_at(struct asmctx *c, int code, uint32_t line, uint32_t col,
                   const char *fmt, ...)
{
	if (c->err)
		return -1;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->err = code;
	dif_errf_at(c->errs, code, line, col, c->cur ? c->cur->name : NULL, "%s",
	            msg);
	return -1;
}

/* Error at a byte offset of the current line. */
#define FAIL(c, code, at, ...) \
	fail_at((c), (code), (c)->lineno, (uint32_t)(at) + 1u, __VA_ARGS__)

static int oom(struct asmctx *c)
{
	return FAIL(c, DIF_E_NOMEM, c->pos, "out of memory");
}

/* ------------------------------------------------------------------ */
/* Lexing on the current line. */

static int is_alpha(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}
static int is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}
static int is_xdigit(int ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}
static int is_identc(int ch)
{
	return is_alpha(ch) || is_digit(ch) || ch == '.' || ch == '$';
}
static int is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\v' || ch == '\f' || ch == '\r';
}
static int xval(int ch)
{
	return is_digit(ch) ? ch - '0' : (ch | 0x20) - 'a' + 10;
}

static int peek(const struct asmctx *c)
{
	return c->pos < c->len ? (unsigned char)c->ln[c->pos] : -1;
}

static void skip_ws(struct asmctx *c)
{
	while (c->pos < c->len && is_space((unsigned char)c->ln[c->pos]))
		c->pos++;
}

static int at_comment(const struct asmctx *c)
{
	int ch = peek(c);
	return ch == '#' || ch == ';' || ch == '!';
}

/* True at end of line or at a comment (after spaces). */
static int at_eol(struct asmctx *c)
{
	skip_ws(c);
	return c->pos >= c->len || at_comment(c);
}

static size_t ident_len(const struct asmctx *c, size_t at)
{
	size_t n = 0;
	if (at >= c->len || !is_alpha((unsigned char)c->ln[at]))
		return 0;
	while (at + n < c->len && is_identc((unsigned char)c->ln[at + n]))
		n++;
	return n;
}

/* Does the line continue with word w (a whole word) at pos? */
static int word_at(const struct asmctx *c, size_t at, const char *w)
{
	size_t n = strlen(w);
	if (at + n > c->len || memcmp(c->ln + at, w, n) != 0)
		return 0;
	return at + n == c->len || !is_identc((unsigned char)c->ln[at + n]);
}

static int expect_word(struct asmctx *c, const char *w)
{
	skip_ws(c);
	if (!word_at(c, c->pos, w))
		return FAIL(c, DIF_E_SYNTAX, c->pos, "expected '%s'", w);
	c->pos += strlen(w);
	return 0;
}

static int expect_char(struct asmctx *c, int ch)
{
	skip_ws(c);
	if (peek(c) != ch)
		return FAIL(c, DIF_E_SYNTAX, c->pos, "expected '%c'", ch);
	c->pos++;
	return 0;
}

/* Unsigned decimal or 0x hex, up to 64 bits. */
static int lex_uint(struct asmctx *c, uint64_t *out)
{
	skip_ws(c);
	size_t start = c->pos;
	uint64_t v = 0;
	int base = 10;
	if (c->pos + 1 < c->len && c->ln[c->pos] == '0' &&
	    (c->ln[c->pos + 1] == 'x' || c->ln[c->pos + 1] == 'X')) {
		base = 16;
		c->pos += 2;
	}
	size_t digits = c->pos;
	while (c->pos < c->len && (base == 16 ? is_xdigit((unsigned char)c->ln[c->pos])
	                                      : is_digit((unsigned char)c->ln[c->pos]))) {
		unsigned d = (unsigned)xval((unsigned char)c->ln[c->pos]);
		if (v > (UINT64_MAX - d) / (unsigned)base)
			return FAIL(c, DIF_E_LIMIT, start, "number does not fit in 64 bits");
		v = v * (unsigned)base + d;
		c->pos++;
	}
	if (c->pos == digits)
		return FAIL(c, DIF_E_SYNTAX, start, "expected a number");
	if (c->pos < c->len && is_identc((unsigned char)c->ln[c->pos]))
		return FAIL(c, DIF_E_SYNTAX, c->pos, "unexpected character '%c' in number",
		            c->ln[c->pos]);
	*out = v;
	return 0;
}

/* A number that must fit `max`. */
static int lex_bounded(struct asmctx *c, uint64_t max, const char *what,
                       uint64_t *out)
{
	skip_ws(c);
	size_t at = c->pos;
	if (lex_uint(c, out))
		return -1;
	if (*out > max)
		return FAIL(c, DIF_E_LIMIT, at, "%s %" PRIu64 " does not fit (max %" PRIu64 ")",
		            what, *out, max);
	return 0;
}

/* A C string literal at pos (on '"'); decoded into a malloc'd buffer. */
static int lex_string(struct asmctx *c, char **out, size_t *outlen)
{
	size_t start = c->pos;
	c->pos++;
	char *b = malloc(c->len - start + 1);
	size_t n = 0;
	if (!b)
		return oom(c);
	for (;;) {
		if (c->pos >= c->len) {
			free(b);
			return FAIL(c, DIF_E_SYNTAX, start, "unterminated string literal");
		}
		int ch = (unsigned char)c->ln[c->pos++];
		if (ch == '"')
			break;
		if (ch == '\\') {
			if (c->pos >= c->len) {
				free(b);
				return FAIL(c, DIF_E_SYNTAX, start, "unterminated string literal");
			}
			size_t esc = c->pos - 1;
			int e = (unsigned char)c->ln[c->pos++];
			switch (e) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'a': ch = '\a'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'v': ch = '\v'; break;
			case 'e': ch = 0x1b; break;
			case '\\': case '"': case '\'': case '?': ch = e; break;
			case 'x': {
				int v = 0, nd = 0;
				while (nd < 2 && c->pos < c->len &&
				       is_xdigit((unsigned char)c->ln[c->pos]))
					v = v * 16 + xval((unsigned char)c->ln[c->pos++]), nd++;
				if (!nd) {
					free(b);
					return FAIL(c, DIF_E_SYNTAX, esc, "\\x needs hex digits");
				}
				ch = v;
				break;
			}
			default:
				if (e >= '0' && e <= '7') {
					int v = e - '0', nd = 1;
					while (nd < 3 && c->pos < c->len && c->ln[c->pos] >= '0' &&
					       c->ln[c->pos] <= '7')
						v = v * 8 + (c->ln[c->pos++] - '0'), nd++;
					if (v > 0xff) {
						free(b);
						return FAIL(c, DIF_E_SYNTAX, esc, "octal escape out of range");
					}
					ch = v;
					break;
				}
				free(b);
				return FAIL(c, DIF_E_SYNTAX, esc, "unknown escape '\\%c'", e);
			}
			if (ch == 0) {
				free(b);
				return FAIL(c, DIF_E_SYNTAX, esc,
				            "string literal contains a NUL byte");
			}
		} else if (ch == 0) {
			free(b);
			return FAIL(c, DIF_E_SYNTAX, c->pos - 1,
			            "string literal contains a NUL byte");
		}
		b[n++] = (char)ch;
	}
	b[n] = '\0';
	*out = b;
	*outlen = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Types: "D type (integer) (size 4)" and friends (dif-isa.md 10.1). */

static const char *const ckinds[] = {
	"unknown", "integer", "float", "pointer", "array", "function", "struct",
	"union", "enum", "forward", "typedef", "volatile", "const", "restrict",
};
#define NCKINDS (sizeof(ckinds) / sizeof(ckinds[0]))

static int ckind_find(const char *s, size_t n)
{
	for (size_t i = 0; i < NCKINDS; i++)
		if (strlen(ckinds[i]) == n && memcmp(ckinds[i], s, n) == 0)
			return (int)i;
	return -1;
}

/* Small pure scanner (no diagnostics) so callers can try alternatives. */
struct scan {
	const char *s;
	size_t len, pos;
};
static void sc_ws(struct scan *s)
{
	while (s->pos < s->len && is_space((unsigned char)s->s[s->pos]))
		s->pos++;
}
static int sc_lit(struct scan *s, const char *lit)
{
	sc_ws(s);
	size_t n = strlen(lit);
	if (s->pos + n > s->len || memcmp(s->s + s->pos, lit, n) != 0)
		return 0;
	s->pos += n;
	return 1;
}
static int sc_num(struct scan *s, int hex, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t st = s->pos;
	while (s->pos < s->len && (hex ? is_xdigit((unsigned char)s->s[s->pos])
	                               : is_digit((unsigned char)s->s[s->pos]))) {
		v = v * (hex ? 16u : 10u) + (unsigned)xval((unsigned char)s->s[s->pos]);
		if (v > max)
			return 0;
		s->pos++;
	}
	*out = v;
	return s->pos > st;
}

/* Parses a type string; on success advances *pos and fills t. */
static int scan_type(const char *str, size_t len, size_t *pos,
                     struct dif_type *t)
{
	struct scan s = { str, len, *pos };
	uint64_t v;
	memset(t, 0, sizeof(*t));
	if (sc_lit(&s, "D type"))
		t->kind = DIF_TYPE_CTF;
	else if (sc_lit(&s, "string"))
		t->kind = DIF_TYPE_STRING;
	else if (sc_lit(&s, "0x") && sc_num(&s, 1, 0xff, &v))
		t->kind = (uint8_t)v;
	else
		return -1;
	if (!sc_lit(&s, "("))
		return -1;
	sc_ws(&s);
	if (sc_lit(&s, "0x")) {
		if (!sc_num(&s, 1, 0xff, &v))
			return -1;
		t->ckind = (uint8_t)v;
	} else {
		size_t st = s.pos;
		while (s.pos < s.len && is_alpha((unsigned char)s.s[s.pos]))
			s.pos++;
		int k = ckind_find(s.s + st, s.pos - st);
		if (k < 0)
			return -1;
		t->ckind = (uint8_t)k;
	}
	if (!sc_lit(&s, ")"))
		return -1;
	size_t save = s.pos;
	if (sc_lit(&s, "by")) {
		if (sc_lit(&s, "ref"))
			t->flags = DIF_TF_BYREF;
		else if (sc_lit(&s, "user") && sc_lit(&s, "ref"))
			t->flags = DIF_TF_BYUREF;
		else
			return -1;
	} else {
		s.pos = save;
	}
	if (!sc_lit(&s, "(") || !sc_lit(&s, "size"))
		return -1;
	sc_ws(&s);
	if (!sc_num(&s, 0, UINT32_MAX, &v) || !sc_lit(&s, ")"))
		return -1;
	t->size = (uint32_t)v;
	*pos = s.pos;
	return 0;
}

static int lex_type_text(struct asmctx *c, struct dif_type *t)
{
	skip_ws(c);
	if (scan_type(c->ln, c->len, &c->pos, t))
		return FAIL(c, DIF_E_SYNTAX, c->pos,
		            "expected a type such as 'D type (integer) (size 8)'");
	return 0;
}

/* ------------------------------------------------------------------ */
/* Programs. */

static int prog_open(struct asmctx *c, const char *name, size_t nlen)
{
	struct prog *p = calloc(1, sizeof(*p));
	if (!p)
		return oom(c);
	if (name) {
		memcpy(p->name, name, nlen);
		p->name[nlen] = '\0';
	} else {
		snprintf(p->name, sizeof(p->name), "difo%zu", c->nprogs);
	}
	p->line = c->lineno;
	p->rtype.kind = DIF_TYPE_CTF;
	p->rtype.ckind = 1; /* integer */
	p->rtype.size = 8;
	c->nprogs++;
	c->cur = p;
	return 0;
}

static int add_fix(struct asmctx *c, enum fixkind k, uint32_t pc, size_t at,
                   uint64_t num, const char *s, size_t slen)
{
	struct prog *p = c->cur;
	if (dif_grow(&p->fixes, &p->capfixes, p->nfixes, sizeof(*p->fixes)))
		return oom(c);
	struct fix *f = &p->fixes[p->nfixes];
	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)k;
	f->pc = pc;
	f->line = c->lineno;
	f->col = (uint32_t)at + 1;
	f->num = num;
	if (s) {
		f->s = malloc(slen + 1);
		if (!f->s)
			return oom(c);
		memcpy(f->s, s, slen);
		f->s[slen] = '\0';
		f->slen = slen;
	}
	p->nfixes++;
	return 0;
}

static int add_use(struct asmctx *c, uint32_t id, int scope, int store)
{
	struct prog *p = c->cur;
	if (scope < 0)
		return 0;
	struct varkey k = { (uint32_t)scope, id };
	uint64_t *f = dif_hm_get(&p->uses, &k, sizeof(k));
	uint32_t bit = store ? DIF_VF_MOD : DIF_VF_REF;
	if (f)
		*f |= bit;
	else if (dif_hm_put(&p->uses, &k, sizeof(k), bit))
		return oom(c);
	return 0;
}

/* Places an integer-table entry at idx (listing comments). */
static int place_int(struct asmctx *c, size_t at, uint32_t idx, uint64_t val)
{
	struct prog *p = c->cur;
	if (idx >= p->capints) {
		size_t nc = p->capints ? p->capints : 16;
		while (nc <= idx)
			nc *= 2;
		uint64_t *ni = realloc(p->ints, nc * sizeof(*ni));
		if (!ni)
			return oom(c);
		p->ints = ni;
		uint8_t *nd = realloc(p->intdef, nc);
		if (!nd)
			return oom(c);
		p->intdef = nd;
		memset(p->ints + p->capints, 0, (nc - p->capints) * sizeof(*ni));
		memset(p->intdef + p->capints, 0, nc - p->capints);
		p->capints = nc;
	}
	if (p->intdef[idx] && p->ints[idx] != val)
		return FAIL(c, DIF_E_DUPLICATE, at,
		            "DT_INTEGER[%" PRIu32 "] is already 0x%" PRIx64
		            ", not 0x%" PRIx64, idx, p->ints[idx], val);
	p->ints[idx] = val;
	p->intdef[idx] = 1;
	if (idx + 1u > p->nints)
		p->nints = idx + 1u;
	return 0;
}

/* The string table (sym 0) or the symbol table (sym 1) of a program. */
struct stab {
	char **b;
	uint8_t **def;
	size_t *n, *cap;
	const char *what, *ref;
};

static struct stab prog_tab(struct prog *p, int sym)
{
	if (sym)
		return (struct stab){ &p->sym, &p->symdef, &p->nsym, &p->capsym,
		                      "symbol table", "DT_SYMBOL" };
	return (struct stab){ &p->str, &p->strdef, &p->nstr, &p->capstr,
	                      "string table", "DT_STRING" };
}

/* Places s plus its NUL at off in a string or symbol table (listing
 * comments). */
static int place_in(struct asmctx *c, int sym, size_t at, uint32_t line,
                    uint32_t off, const char *s, size_t n)
{
	struct stab t = prog_tab(c->cur, sym);
	size_t end = (size_t)off + n + 1;
	if (end > DIF_DIFO_MAXSIZE)
		return fail_at(c, DIF_E_LIMIT, line, (uint32_t)at + 1,
		               "%s would exceed %u bytes", t.what, DIF_DIFO_MAXSIZE);
	if (end > *t.cap) {
		size_t nc = *t.cap ? *t.cap : 64;
		while (nc < end)
			nc *= 2;
		char *ns = realloc(*t.b, nc);
		if (!ns)
			return oom(c);
		*t.b = ns;
		uint8_t *nd = realloc(*t.def, nc);
		if (!nd)
			return oom(c);
		*t.def = nd;
		memset(*t.b + *t.cap, 0, nc - *t.cap);
		memset(*t.def + *t.cap, 0, nc - *t.cap);
		*t.cap = nc;
	}
	for (size_t i = 0; i <= n; i++) {
		char ch = i < n ? s[i] : '\0';
		size_t o = (size_t)off + i;
		if ((*t.def)[o] && (*t.b)[o] != ch)
			return fail_at(c, DIF_E_DUPLICATE, line, (uint32_t)at + 1,
			               "string \"%.*s\" at %s[%" PRIu32
			               "] overlaps a different string at offset %zu",
			               (int)(n > 40 ? 40 : n), s, t.ref, off, o);
		(*t.b)[o] = ch;
		(*t.def)[o] = 1;
	}
	if (end > *t.n)
		*t.n = end;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Operands. */

enum opk {
	OK_REG, OK_MEM, OK_NUM, OK_STR, OK_IDENT,
	OK_INTEGER, OK_STRING, OK_VAR, OK_SUBR, OK_TYPE, OK_XLREF, OK_SYMBOL,
	OK_RELOC,
};

struct operand {
	enum opk kind;
	uint64_t num;
	int neg;
	size_t at;         /* byte offset in the line */
	const char *id;    /* OK_IDENT */
	size_t idlen;
	char *str;         /* OK_STR, malloc'd */
	size_t slen;
	struct prel rel;   /* OK_RELOC, or OK_MEM with rel.kind set */
};

static const char *const opk_names[] = {
	"a register", "a memory operand", "a number", "a string", "a name",
	"DT_INTEGER[]", "DT_STRING[]", "DT_VAR()", "DIF_SUBR()", "DT_TYPE()",
	"DT_XLREF[]", "DT_SYMBOL[]", "a relocation",
};

static int lex_reg_body(struct asmctx *c, uint64_t *out)
{
	size_t at = c->pos;
	if (c->pos + 1 >= c->len || c->ln[c->pos] != '%' || c->ln[c->pos + 1] != 'r')
		return FAIL(c, DIF_E_SYNTAX, at, "expected a register such as %%r1");
	c->pos += 2;
	if (!is_digit(peek(c)))
		return FAIL(c, DIF_E_SYNTAX, at, "expected a register such as %%r1");
	uint64_t v = 0;
	while (is_digit(peek(c))) {
		v = v * 10 + (uint64_t)(c->ln[c->pos++] - '0');
		if (v > 0xffff)
			break;
	}
	if (v > 255)
		return FAIL(c, DIF_E_LIMIT, at,
		            "register number out of range (%%r0 to %%r255)");
	if (c->pos < c->len && is_identc((unsigned char)c->ln[c->pos]))
		return FAIL(c, DIF_E_SYNTAX, at, "malformed register");
	*out = v;
	return 0;
}

/* The bracketed/parenthesized table forms, e.g. DT_VAR(1280). */
static const struct {
	const char *name;
	char open, close;
	enum opk kind;
} tforms[] = {
	{ "DT_INTEGER", '[', ']', OK_INTEGER },
	{ "DT_STRING", '[', ']', OK_STRING },
	{ "DT_XLREF", '[', ']', OK_XLREF },
	{ "DT_VAR", '(', ')', OK_VAR },
	{ "DIF_SUBR", '(', ')', OK_SUBR },
	{ "DT_TYPE", '(', ')', OK_TYPE },
	{ "DT_SYMBOL", '[', ']', OK_SYMBOL },
};

/* ------------------------------------------------------------------ */
/* Relocation operands: @offsetof(T, path), @sizeof(T), @membersize(T,
 * path), @exists(T, path), @enumval(T, NAME), @(T, path) for loads and
 * @poison("reason") (linked programs). */

static const char *const rel_words[] = {
	[DIF_RELOC_OFFSETOF] = "offsetof", [DIF_RELOC_SIZEOF] = "sizeof",
	[DIF_RELOC_MEMBERSIZE] = "membersize", [DIF_RELOC_EXISTS] = "exists",
	[DIF_RELOC_ENUMVAL] = "enumval", [DIF_RELOC_POISON] = "poison",
};

/* A type name: words of [A-Za-z0-9_] and '*'s, e.g. "struct stat *". */
static int rel_type_ok(const char *s, size_t n)
{
	int word = 0;
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)s[i];
		if (is_identc(ch) && ch != '.' && ch != '$')
			word = 1;
		else if (ch != ' ' && ch != '*')
			return 0;
	}
	return word;
}

/* A member path: name ('.' name | '[' N ']')*; an enumerator: one name. */
static int rel_path_ok(const char *s, size_t n, int single)
{
	size_t i = 0;
	for (;;) {
		if (i >= n || !is_alpha((unsigned char)s[i]))
			return 0;
		while (i < n && (is_alpha((unsigned char)s[i]) ||
		                 is_digit((unsigned char)s[i])))
			i++;
		if (single)
			return i == n;
		while (i < n && s[i] == '[') {
			size_t d = ++i;
			while (i < n && is_digit((unsigned char)s[i]))
				i++;
			if (i == d || i - d > 9 || i >= n || s[i] != ']')
				return 0;
			i++;
		}
		if (i == n)
			return 1;
		if (s[i] != '.')
			return 0;
		i++;
	}
}

static char *dup_trim(const char *s, size_t n)
{
	while (n && is_space((unsigned char)*s))
		s++, n--;
	while (n && is_space((unsigned char)s[n - 1]))
		n--;
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Parses "@kind(args)" at c->pos (on '@') into r (strings malloc'd). */
static int lex_reloc(struct asmctx *c, struct prel *r)
{
	size_t at = c->pos;
	memset(r, 0, sizeof(*r));
	r->line = c->lineno;
	r->col = (uint32_t)at + 1;
	c->pos++;
	size_t n = ident_len(c, c->pos);
	if (n == 0) {
		r->kind = DIF_RELOC_LOAD;
	} else {
		for (unsigned k = 1; k < DIF_RELOC_NKINDS; k++)
			if (rel_words[k] && strlen(rel_words[k]) == n &&
			    memcmp(rel_words[k], c->ln + c->pos, n) == 0)
				r->kind = (uint16_t)k;
		if (!r->kind)
			return FAIL(c, DIF_E_SYNTAX, c->pos,
			            "unknown relocation '@%.*s' (offsetof, sizeof, "
			            "membersize, exists, enumval, poison or @(type, member))",
			            (int)n, c->ln + c->pos);
		c->pos += n;
	}
	if (peek(c) != '(')
		return FAIL(c, DIF_E_SYNTAX, c->pos, "expected '(' after '@%s'",
		            rel_words[r->kind] ? rel_words[r->kind] : "");
	c->pos++;
	if (r->kind == DIF_RELOC_POISON) {
		skip_ws(c);
		size_t slen;
		if (peek(c) != '"')
			return FAIL(c, DIF_E_SYNTAX, c->pos, "@poison needs a \"reason\"");
		if (lex_string(c, &r->path, &slen) || expect_char(c, ')'))
			return -1;
		if (!(r->type = dup_trim("", 0)))
			return oom(c);
		return 0;
	}
	size_t a = c->pos;
	while (c->pos < c->len && c->ln[c->pos] != ',' && c->ln[c->pos] != ')')
		c->pos++;
	size_t tat = a;
	if (!(r->type = dup_trim(c->ln + a, c->pos - a)))
		return oom(c);
	if (!rel_type_ok(r->type, strlen(r->type)))
		return FAIL(c, DIF_E_SYNTAX, tat, "bad type name in relocation");
	int twoargs = r->kind != DIF_RELOC_SIZEOF;
	if (twoargs) {
		if (peek(c) != ',')
			return FAIL(c, DIF_E_SYNTAX, c->pos, "@%s needs (type, %s)",
			            rel_words[r->kind] ? rel_words[r->kind] : "",
			            r->kind == DIF_RELOC_ENUMVAL ? "enumerator" : "member");
		a = ++c->pos;
		while (c->pos < c->len && c->ln[c->pos] != ')')
			c->pos++;
		if (!(r->path = dup_trim(c->ln + a, c->pos - a)))
			return oom(c);
		if (!rel_path_ok(r->path, strlen(r->path), r->kind == DIF_RELOC_ENUMVAL))
			return FAIL(c, DIF_E_SYNTAX, a, "bad %s '%s' in relocation",
			            r->kind == DIF_RELOC_ENUMVAL ? "enumerator name"
			                                          : "member path",
			            r->path);
	}
	if (peek(c) != ')')
		return FAIL(c, DIF_E_SYNTAX, c->pos, "expected ')'");
	c->pos++;
	return 0;
}

static int lex_operand(struct asmctx *c, struct operand *o)
{
	memset(o, 0, sizeof(*o));
	skip_ws(c);
	o->at = c->pos;
	int ch = peek(c);
	if (ch == '%') {
		o->kind = OK_REG;
		return lex_reg_body(c, &o->num);
	}
	if (ch == '[') {
		c->pos++;
		skip_ws(c);
		o->kind = OK_MEM;
		if (lex_reg_body(c, &o->num))
			return -1;
		return expect_char(c, ']');
	}
	if (ch == '"') {
		o->kind = OK_STR;
		return lex_string(c, &o->str, &o->slen);
	}
	if (ch == '@') {
		if (lex_reloc(c, &o->rel))
			return -1;
		o->kind = OK_RELOC;
		skip_ws(c);
		if (o->rel.kind == DIF_RELOC_LOAD) {
			/* @(T, m) [%rN] */
			if (peek(c) != '[')
				return FAIL(c, DIF_E_SYNTAX, c->pos,
				            "expected [%%rN] after @(type, member)");
			c->pos++;
			skip_ws(c);
			o->kind = OK_MEM;
			if (lex_reg_body(c, &o->num))
				return -1;
			return expect_char(c, ']');
		}
		return 0;
	}
	if (is_digit(ch) || ch == '-' || ch == '+') {
		o->kind = OK_NUM;
		if (ch == '-' || ch == '+') {
			o->neg = ch == '-';
			c->pos++;
			if (!is_digit(peek(c)))
				return FAIL(c, DIF_E_SYNTAX, c->pos, "expected a number");
		}
		if (lex_uint(c, &o->num))
			return -1;
		if (o->neg) {
			if (o->num > (uint64_t)INT64_MAX + 1u)
				return FAIL(c, DIF_E_LIMIT, o->at,
				            "number does not fit in 64 bits");
			o->num = (uint64_t)0 - o->num;
		}
		return 0;
	}
	size_t n = ident_len(c, c->pos);
	if (!n) {
		if (ch < 0)
			return FAIL(c, DIF_E_SYNTAX, c->pos, "expected an operand");
		return FAIL(c, DIF_E_SYNTAX, c->pos, "unexpected character '%c'", ch);
	}
	for (size_t i = 0; i < sizeof(tforms) / sizeof(tforms[0]); i++) {
		if (strlen(tforms[i].name) != n || memcmp(c->ln + c->pos, tforms[i].name, n))
			continue;
		c->pos += n;
		if (expect_char(c, tforms[i].open) || lex_uint(c, &o->num) ||
		    expect_char(c, tforms[i].close))
			return -1;
		o->kind = tforms[i].kind;
		return 0;
	}
	o->kind = OK_IDENT;
	o->id = c->ln + c->pos;
	o->idlen = n;
	c->pos += n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Instructions. */

enum field { F_NONE, F_R1, F_R2, F_RD, F_IDX, F_LABEL };

/* Operand kinds per class: r register, m [register], l label, i integer,
 * s string, v variable, a array variable, f subroutine, t tuple type,
 * x translator reference. */
static const struct {
	const char *ops;
	uint8_t fld[3];
} forms[] = {
	[DIF_IC_INVALID] = { "", { 0 } },
	[DIF_IC_ALU3] = { "rrr", { F_R1, F_R2, F_RD } },
	[DIF_IC_ALU2] = { "rr", { F_R1, F_RD } },
	[DIF_IC_CMP] = { "rr", { F_R1, F_R2 } },
	[DIF_IC_TST] = { "r", { F_R1 } },
	[DIF_IC_BRANCH] = { "l", { F_LABEL } },
	[DIF_IC_LOAD] = { "mr", { F_R1, F_RD } },
	[DIF_IC_STORE] = { "rm", { F_R1, F_RD } },
	[DIF_IC_RET] = { "r", { F_RD } },
	[DIF_IC_NONE] = { "", { 0 } },
	[DIF_IC_SETX] = { "ir", { F_IDX, F_RD } },
	[DIF_IC_SETS] = { "sr", { F_IDX, F_RD } },
	[DIF_IC_LDA] = { "arr", { F_R1, F_R2, F_RD } },
	[DIF_IC_STGA] = { "arr", { F_R1, F_R2, F_RD } },
	[DIF_IC_LDV] = { "vr", { F_IDX, F_RD } },
	[DIF_IC_STV] = { "rv", { F_RD, F_IDX } },
	[DIF_IC_CALL] = { "fr", { F_IDX, F_RD } },
	[DIF_IC_PUSHTR] = { "trr", { F_R1, F_R2, F_RD } },
	[DIF_IC_PUSHTV] = { "tr", { F_R1, F_RD } },
	[DIF_IC_XLATE] = { "xr", { F_IDX, F_RD } },
	[DIF_IC_SYMREF] = { "yr", { F_IDX, F_RD } },
};

static const char *scope_word(int scope)
{
	return scope == DIF_VSCOPE_GLOBAL ? "global"
	       : scope == DIF_VSCOPE_THREAD ? "thread-local" : "clause-local";
}

/* A variable name in an instruction: .var declarations, then built-ins. */
static int resolve_var(struct asmctx *c, const struct operand *o,
                       const struct dif_opinfo *oi, int array, uint64_t *id)
{
	struct prog *p = c->cur;
	int scope = dif_isa_scope(oi);
	int other = -1;
	if (scope >= 0 && scope < 3) {
		const uint64_t *i = dif_hm_get(&p->varnames[scope], o->id, o->idlen);
		if (i) {
			*id = p->rows[*i].v.id;
			return 0;
		}
	}
	/* Declared in another scope? (for the message) */
	for (int k = 0; k < 4 && other < 0; k++) {
		const uint64_t *i = k == scope ? NULL
		                               : dif_hm_get(&p->varnames[k], o->id,
		                                            o->idlen);
		if (i)
			other = p->rows[*i].v.scope;
	}
	if (other >= 0)
		return FAIL(c, DIF_E_SYNTAX, o->at,
		            "variable '%.*s' is %s, but %s accesses %s variables",
		            (int)o->idlen, o->id, scope_word(other), oi->name,
		            scope_word(scope));
	int b = dif_bvar_find(o->id, o->idlen, c->prof);
	if (b >= 0 && array) {
		if (b < 0x100) {
			*id = (uint64_t)b;
			return 0;
		}
		return FAIL(c, DIF_E_SYNTAX, o->at,
		            "'%.*s' is a built-in scalar, not an array",
		            (int)o->idlen, o->id);
	}
	if (b >= 0) {
		if (b < 0x100)
			return FAIL(c, DIF_E_SYNTAX, o->at,
			            "'%.*s' is a built-in array; use ldga",
			            (int)o->idlen, o->id);
		if (scope == DIF_VSCOPE_GLOBAL) {
			*id = (uint64_t)b;
			return 0;
		}
		return FAIL(c, DIF_E_SYNTAX, o->at,
		            "'%.*s' is a built-in global, but %s accesses %s variables",
		            (int)o->idlen, o->id, oi->name, scope_word(scope));
	}
	return FAIL(c, DIF_E_SYNTAX, o->at,
	            "unknown variable '%.*s' (declare it with .var)",
	            (int)o->idlen, o->id);
}

static int bad_operand(struct asmctx *c, const struct operand *o, int n,
                       const char *mnem, const char *want)
{
	return FAIL(c, DIF_E_SYNTAX, o->at, "operand %d of '%s' must be %s, not %s",
	            n, mnem, want, opk_names[o->kind]);
}

/* Value of the `! ...` comment after an operand list (listing data). */
struct tail {
	int present;
	size_t at; /* offset of the text after '!' */
};

/* A string-table (sets) or symbol-table (usetx, typecast) operand: a raw
 * offset, whose listing comment `! "..."` places the string there (dtrace
 * prints the raw bytes: everything up to the last quote), or a literal
 * interned when the program closes. */
static int table_operand(struct asmctx *c, const struct operand *o, int n,
                         const struct dif_opinfo *oi, const struct tail *tail,
                         int sym, uint32_t pc, uint64_t *v, int *deferred)
{
	const char *ref = sym ? "DT_SYMBOL" : "DT_STRING";
	if (o->kind == (sym ? OK_SYMBOL : OK_STRING)) {
		if (o->num > 0xffff)
			return FAIL(c, DIF_E_LIMIT, o->at,
			            "%s offset %" PRIu64 " does not fit in 16 bits", ref,
			            o->num);
		*v = o->num;
		if (!tail->present || tail->at >= c->len || c->ln[tail->at] != '"')
			return 0;
		size_t last = c->len;
		while (last > tail->at + 1 && c->ln[last - 1] != '"')
			last--;
		if (last <= tail->at + 1)
			return FAIL(c, DIF_E_SYNTAX, tail->at, "unterminated string comment");
		if (memchr(c->ln + tail->at + 1, '\0', last - 1 - tail->at - 1))
			return FAIL(c, DIF_E_SYNTAX, tail->at,
			            "string comment contains a NUL byte");
		return place_in(c, sym, tail->at, c->lineno, (uint32_t)*v,
		                c->ln + tail->at + 1, last - 1 - tail->at - 1);
	}
	if (o->kind == OK_STR) {
		*deferred = 1;
		return add_fix(c, sym ? FIX_SYM : FIX_STR, pc, o->at, 0, o->str,
		               o->slen);
	}
	return bad_operand(c, o, n, oi->name,
	                   sym ? "a \"name\" or DT_SYMBOL[n]"
	                       : "a string or DT_STRING[n]");
}

/* Records the instruction's relocation (from an operand or a `! @...`
 * comment) after checking it fits the instruction. */
static int add_rel(struct asmctx *c, const struct dif_opinfo *oi,
                   struct operand *ops, size_t nops, struct prel *tail,
                   uint32_t pc, size_t mcol)
{
	struct prog *p = c->cur;
	struct prel *r = NULL;
	for (size_t i = 0; i < nops; i++)
		if (ops[i].rel.kind)
			r = &ops[i].rel;
	if (r && tail->kind)
		return fail_at(c, DIF_E_DUPLICATE, tail->line, tail->col,
		               "a second relocation for one instruction");
	if (!r && !tail->kind)
		return 0;
	if (!r)
		r = tail;
	int is_setx = oi->cls == DIF_IC_SETX;
	int is_uload = (oi->flags & DIF_F_RELOC) && oi->cls == DIF_IC_LOAD;
	if (r->kind == DIF_RELOC_LOAD && !is_uload)
		return fail_at(c, DIF_E_SYNTAX, r->line, r->col,
		               "@(type, member) goes with uload or uuload, not %s",
		               oi->name);
	if (is_uload && r->kind != DIF_RELOC_LOAD && r->kind != DIF_RELOC_POISON)
		return fail_at(c, DIF_E_SYNTAX, r->line, r->col,
		               "%s takes @(type, member), not @%s", oi->name,
		               rel_words[r->kind]);
	if (r->kind != DIF_RELOC_LOAD && r->kind != DIF_RELOC_POISON && !is_setx)
		return fail_at(c, DIF_E_SYNTAX, r->line, r->col,
		               "@%s goes with setx, not %s", rel_words[r->kind],
		               oi->name);
	(void)mcol;
	if (dif_grow(&p->rels, &p->caprels, p->nrels, sizeof(*p->rels)))
		return oom(c);
	r->pc = pc;
	p->rels[p->nrels++] = *r;
	r->type = r->path = NULL; /* moved */
	r->kind = 0;
	return 0;
}

/* Parses the operands of one instruction whose mnemonic ends at c->pos.
 * Appends the instruction; hexword/has_hex from the listing column. */
static int parse_insn(struct asmctx *c, unsigned op, const struct dif_opinfo *oi,
                      size_t mcol, int has_hex, uint32_t hexword, size_t hexcol)
{
	struct prog *p = c->cur;
	const char *want = forms[oi->cls].ops;
	size_t nwant = strlen(want);
	struct operand ops[3];
	size_t nops = 0;
	int rc = -1;
	struct prel trel;
	memset(&trel, 0, sizeof(trel));

	memset(ops, 0, sizeof(ops));
	if (!at_eol(c)) {
		for (;;) {
			if (nops == 3) {
				FAIL(c, DIF_E_SYNTAX, c->pos, "too many operands for '%s'",
				     oi->name);
				goto out;
			}
			if (lex_operand(c, &ops[nops++]))
				goto out;
			skip_ws(c);
			if (peek(c) != ',')
				break;
			c->pos++;
		}
	}
	struct tail tail = { 0, 0 };
	skip_ws(c);
	if (c->pos < c->len && !at_comment(c)) {
		FAIL(c, DIF_E_SYNTAX, c->pos, "expected ',' or end of line");
		goto out;
	}
	if (peek(c) == '!') {
		tail.present = 1;
		c->pos++;
		skip_ws(c);
		tail.at = c->pos;
		if (peek(c) == '@' && lex_reloc(c, &trel))
			goto out;
	}
	if (nops != nwant) {
		FAIL(c, DIF_E_SYNTAX, nops > nwant ? ops[nwant].at : mcol,
		     "'%s' takes %zu operand%s, not %zu", oi->name, nwant,
		     nwant == 1 ? "" : "s", nops);
		goto out;
	}
	if (p->ninsns >= MAX_TEXT) {
		FAIL(c, DIF_E_LIMIT, mcol, "more than %u instructions in '%s'",
		     MAX_TEXT, p->name);
		goto out;
	}
	uint32_t pc = (uint32_t)p->ninsns;
	uint64_t f[6] = { 0 };
	int deferred = 0;
	for (size_t i = 0; i < nwant; i++) {
		struct operand *o = &ops[i];
		uint64_t v = 0;
		int n = (int)i + 1;
		switch (want[i]) {
		case 'r':
			if (o->kind != OK_REG) {
				bad_operand(c, o, n, oi->name, "a register");
				goto out;
			}
			v = o->num;
			break;
		case 'm':
			if (o->kind != OK_MEM) {
				bad_operand(c, o, n, oi->name, "a memory operand [%rN]");
				goto out;
			}
			v = o->num;
			break;
		case 'l':
			if (o->kind == OK_NUM && !o->neg && o->num <= 0xffffffu) {
				v = o->num;
			} else if (o->kind == OK_IDENT) {
				if (add_fix(c, FIX_LABEL, pc, o->at, 0, o->id, o->idlen))
					goto out;
				deferred = 1;
			} else if (o->kind == OK_NUM) {
				FAIL(c, DIF_E_LIMIT, o->at,
				     "branch target must be 0 to 16777215");
				goto out;
			} else {
				bad_operand(c, o, n, oi->name, "a label or instruction index");
				goto out;
			}
			break;
		case 'i':
			if (o->kind == OK_RELOC) {
				if (o->rel.kind == DIF_RELOC_POISON) {
					FAIL(c, DIF_E_SYNTAX, o->at,
					     "@poison belongs in a '! @poison(...)' comment");
					goto out;
				}
				v = 0; /* the linker picks the integer-table slot */
			} else if (o->kind == OK_INTEGER) {
				if (o->num > 0xffff) {
					FAIL(c, DIF_E_LIMIT, o->at,
					     "DT_INTEGER index %" PRIu64 " does not fit in 16 bits",
					     o->num);
					goto out;
				}
				v = o->num;
				if (tail.present && tail.at + 1 < c->len &&
				    c->ln[tail.at] == '0' && c->ln[tail.at + 1] == 'x') {
					uint64_t val;
					c->pos = tail.at;
					if (lex_uint(c, &val) ||
					    place_int(c, tail.at, (uint32_t)v, val))
						goto out;
				}
			} else if (o->kind == OK_NUM) {
				if (add_fix(c, FIX_INT, pc, o->at, o->num, NULL, 0))
					goto out;
				deferred = 1;
			} else {
				bad_operand(c, o, n, oi->name, "an integer or DT_INTEGER[n]");
				goto out;
			}
			break;
		case 's':
		case 'y':
			if (table_operand(c, o, n, oi, &tail, want[i] == 'y', pc, &v,
			                  &deferred))
				goto out;
			break;
		case 'v':
			if (o->kind == OK_VAR) {
				if (o->num > 0xffff) {
					FAIL(c, DIF_E_LIMIT, o->at,
					     "variable id %" PRIu64 " does not fit in 16 bits", o->num);
					goto out;
				}
				v = o->num;
			} else if (o->kind == OK_IDENT) {
				if (resolve_var(c, o, oi, 0, &v))
					goto out;
			} else {
				bad_operand(c, o, n, oi->name, "a variable name or DT_VAR(n)");
				goto out;
			}
			if (add_use(c, (uint32_t)v, dif_isa_scope(oi), oi->cls == DIF_IC_STV))
				goto out;
			break;
		case 'a':
			if (o->kind == OK_VAR && oi->cls == DIF_IC_STGA) {
				/* dtrace -S shows stga's 16-bit field (array id and
				 * index register together). */
				if (o->num > 0xffff) {
					FAIL(c, DIF_E_LIMIT, o->at,
					     "variable id %" PRIu64 " does not fit in 16 bits", o->num);
					goto out;
				}
				if (ops[1].kind == OK_REG && ops[1].num != (o->num & 0xff)) {
					FAIL(c, DIF_E_SYNTAX, ops[1].at,
					     "stga DT_VAR(%" PRIu64 ") needs %%r%" PRIu64
					     " here (its low byte)", o->num, o->num & 0xff);
					goto out;
				}
				v = o->num >> 8;
			} else if (o->kind == OK_VAR) {
				if (o->num > 0xff) {
					FAIL(c, DIF_E_LIMIT, o->at,
					     "array id %" PRIu64 " does not fit in 8 bits", o->num);
					goto out;
				}
				v = o->num;
			} else if (o->kind == OK_IDENT) {
				if (resolve_var(c, o, oi, 1, &v))
					goto out;
			} else {
				bad_operand(c, o, n, oi->name, "an array name or DT_VAR(n)");
				goto out;
			}
			if (add_use(c, (uint32_t)(oi->cls == DIF_IC_STGA && o->kind == OK_VAR
			                              ? o->num : v),
			            dif_isa_scope(oi), oi->cls == DIF_IC_STGA))
				goto out;
			break;
		case 'f':
			if (o->kind == OK_SUBR || (o->kind == OK_NUM && !o->neg)) {
				if (o->num > 0xffff) {
					FAIL(c, DIF_E_LIMIT, o->at,
					     "subroutine %" PRIu64 " does not fit in 16 bits", o->num);
					goto out;
				}
				v = o->num;
			} else if (o->kind == OK_IDENT) {
				int s = dif_subr_find(o->id, o->idlen, c->prof);
				if (s < 0) {
					FAIL(c, DIF_E_SYNTAX, o->at,
					     "unknown subroutine '%.*s' on %s", (int)o->idlen, o->id,
					     dif_profile_name(c->prof));
					goto out;
				}
				v = (uint64_t)s;
			} else {
				bad_operand(c, o, n, oi->name, "a subroutine name or DIF_SUBR(n)");
				goto out;
			}
			break;
		case 't':
			if (o->kind == OK_TYPE || (o->kind == OK_NUM && !o->neg)) {
				if (o->num > 0xff) {
					FAIL(c, DIF_E_LIMIT, o->at,
					     "type %" PRIu64 " does not fit in 8 bits", o->num);
					goto out;
				}
				v = o->num;
			} else if (o->kind == OK_IDENT && o->idlen == 3 &&
			           memcmp(o->id, "ctf", 3) == 0) {
				v = DIF_TYPE_CTF;
			} else if (o->kind == OK_IDENT && o->idlen == 6 &&
			           memcmp(o->id, "string", 6) == 0) {
				v = DIF_TYPE_STRING;
			} else {
				bad_operand(c, o, n, oi->name, "ctf, string or DT_TYPE(n)");
				goto out;
			}
			break;
		case 'x':
			if (o->kind != OK_XLREF) {
				bad_operand(c, o, n, oi->name, "DT_XLREF[n]");
				goto out;
			}
			if (o->num > 0xffff) {
				FAIL(c, DIF_E_LIMIT, o->at,
				     "translator reference %" PRIu64 " does not fit in 16 bits",
				     o->num);
				goto out;
			}
			v = o->num;
			break;
		}
		f[forms[oi->cls].fld[i]] = v;
	}
	if (add_rel(c, oi, ops, nwant, &trel, pc, mcol))
		goto out;
	uint32_t w = ((uint32_t)op << 24) | ((uint32_t)f[F_R1] << 16) |
	             ((uint32_t)f[F_R2] << 8) | (uint32_t)f[F_RD] |
	             ((uint32_t)f[F_IDX] << 8) | (uint32_t)f[F_LABEL];
	if (dif_grow(&p->insns, &p->capinsns, p->ninsns, sizeof(*p->insns))) {
		oom(c);
		goto out;
	}
	p->insns[p->ninsns++] = (struct insn){
		.word = w, .hex = hexword, .has_hex = (uint8_t)has_hex,
		.deferred = (uint8_t)deferred, .line = c->lineno,
		.col = (uint32_t)mcol + 1, .hexcol = (uint32_t)hexcol + 1,
	};
	rc = 0;
out:
	for (size_t i = 0; i < 3; i++) {
		free(ops[i].str);
		free(ops[i].rel.type);
		free(ops[i].rel.path);
	}
	free(trel.type);
	free(trel.path);
	return rc;
}

/* Listing column check: the hex word must say what the text says. A word
 * that differs only in bits the text does not show (reserved fields) is
 * kept, so such programs survive a round trip. */
static int check_hex(struct asmctx *c, struct insn *in)
{
	if (!in->has_hex || in->hex == in->word)
		return 0;
	char a[96], b[96];
	dif_insn_text(in->hex, c->prof, a, sizeof(a));
	dif_insn_text(in->word, c->prof, b, sizeof(b));
	if (strcmp(a, b) == 0) {
		in->word = in->hex;
		return 0;
	}
	return fail_at(c, DIF_E_ENCODING, in->line, in->hexcol,
	               "hex word %08" PRIx32 " does not match '%s' (encodes as %08"
	               PRIx32 ")", in->hex, b, in->word);
}

/* ------------------------------------------------------------------ */
/* Closing a program: resolve fixups, build the tables, make the DIFO. */

static int dedup_map_in(struct asmctx *c, int sym, struct dif_hmap *m)
{
	struct stab t = prog_tab(c->cur, sym);
	const char *b = *t.b;
	size_t len = *t.n;
	for (size_t o = 0; o < len; o++) {
		if (o > 0 && b[o - 1] != '\0')
			continue;
		size_t n = strnlen(b + o, len - o);
		if (o + n >= len)
			break;
		if (!dif_hm_get(m, b + o, n) && dif_hm_put(m, b + o, n, (uint32_t)o))
			return oom(c);
	}
	return 0;
}

static int str_dedup_map(struct asmctx *c, struct dif_hmap *m)
{
	return dedup_map_in(c, 0, m);
}

/* Offset of s in the string (sym 0) or symbol table, appending it if new. */
static int intern_in(struct asmctx *c, int sym, struct dif_hmap *m, const char *s,
                     size_t n, uint32_t line, uint32_t col, uint32_t *off)
{
	struct stab t = prog_tab(c->cur, sym);
	uint64_t *hit = dif_hm_get(m, s, n);
	if (hit) {
		*off = *hit;
		return 0;
	}
	if (*t.n == 0) {
		/* offset 0 is always the empty string */
		if (place_in(c, sym, col ? col - 1 : 0, line, 0, "", 0) ||
		    dif_hm_put(m, "", 0, 0))
			return c->err ? -1 : oom(c);
		if (n == 0) {
			*off = 0;
			return 0;
		}
	}
	uint32_t at = (uint32_t)*t.n;
	if (place_in(c, sym, col ? col - 1 : 0, line, at, s, n))
		return -1;
	if (dif_hm_put(m, s, n, at))
		return oom(c);
	*off = at;
	return 0;
}

static int intern_str(struct asmctx *c, struct dif_hmap *m, const char *s,
                      size_t n, uint32_t line, uint32_t col, uint32_t *off)
{
	return intern_in(c, 0, m, s, n, line, col, off);
}

/* The symbol table: usetx/typecast names first, then the names of the
 * relocation records, both in pc order (so a listing reads back to the
 * same table). */
static int build_symtab(struct asmctx *c, struct dif_reloc **out)
{
	struct prog *p = c->cur;
	struct dif_hmap m = { 0 };
	int rc = -1;
	*out = NULL;
	if (dedup_map_in(c, 1, &m))
		goto done;
	for (size_t i = 0; i < p->nfixes; i++) {
		struct fix *f = &p->fixes[i];
		uint32_t off;
		if (f->kind != FIX_SYM)
			continue;
		if (intern_in(c, 1, &m, f->s, f->slen, f->line, f->col, &off))
			goto done;
		if (off > 0xffffu) {
			fail_at(c, DIF_E_LIMIT, f->line, f->col,
			        "symbol lands at offset %" PRIu32
			        ", beyond what usetx/typecast can address (65535)", off);
			goto done;
		}
		p->insns[f->pc].word |= off << 8;
	}
	if (p->nrels) {
		*out = calloc(p->nrels, sizeof(**out));
		if (!*out) {
			oom(c);
			goto done;
		}
	}
	for (size_t i = 0; i < p->nrels; i++) {
		struct prel *r = &p->rels[i];
		struct dif_reloc *d = &(*out)[i];
		d->pc = r->pc;
		d->kind = r->kind;
		if (intern_in(c, 1, &m, r->type, strlen(r->type), r->line, r->col,
		              &d->type))
			goto done;
		if (r->path && intern_in(c, 1, &m, r->path, strlen(r->path), r->line,
		                         r->col, &d->path))
			goto done;
	}
	rc = 0;
done:
	dif_hm_free(&m);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* DIF_VF_* flags of the uses of (scope, id), 0 if unused. */
static uint32_t use_flags(const struct prog *p, uint64_t id, int scope)
{
	if (id > UINT32_MAX)
		return 0;
	struct varkey k = { (uint32_t)scope, (uint32_t)id };
	const uint64_t *f = dif_hm_get(&p->uses, &k, sizeof(k));
	return f ? *f : 0;
}

/* Reads the id column of listing rows: hex on illumos, decimal on FreeBSD,
 * unless overridden; without an override the DT_VAR operands decide when
 * they clearly favour the other reading. */
static int resolve_row_ids(struct asmctx *c)
{
	struct prog *p = c->cur;
	int style = p->varids ? p->varids : c->varid_opt;
	int nhex = 0, ndec = 0, letters = 0, any = 0;
	for (size_t i = 0; i < p->nrows; i++) {
		struct row *r = &p->rows[i];
		if (!r->listing)
			continue;
		any = 1;
		struct scan s = { r->idtext, strlen(r->idtext), 0 };
		uint64_t h = 0, d = 0;
		int okh = sc_num(&s, 1, UINT32_MAX, &h) && s.pos == s.len;
		s.pos = 0;
		int okd = sc_num(&s, 0, UINT32_MAX, &d) && s.pos == s.len;
		if (okh && !okd)
			letters = 1;
		if (okh && use_flags(p, h, r->v.scope))
			nhex++;
		if (okd && use_flags(p, d, r->v.scope))
			ndec++;
	}
	if (!any)
		return 0;
	int hex;
	if (style == DIF_VARID_HEX)
		hex = 1;
	else if (style == DIF_VARID_DEC)
		hex = 0;
	else if (letters || nhex > ndec)
		hex = 1;
	else if (ndec > nhex)
		hex = 0;
	else
		hex = c->prof == DIF_PROFILE_ILLUMOS;
	for (size_t i = 0; i < p->nrows; i++) {
		struct row *r = &p->rows[i];
		if (!r->listing)
			continue;
		struct scan s = { r->idtext, strlen(r->idtext), 0 };
		uint64_t v;
		if (!sc_num(&s, hex, UINT32_MAX, &v) || s.pos != s.len)
			return fail_at(c, DIF_E_SYNTAX, r->line, r->idcol,
			               "variable id '%s' is not a %s number", r->idtext,
			               hex ? "hexadecimal" : "decimal");
		r->v.id = (uint32_t)v;
	}
	p->idstyle = hex ? DIF_VARID_HEX : DIF_VARID_DEC;
	return 0;
}

static int prog_close(struct asmctx *c)
{
	struct prog *p = c->cur;
	struct dif_hmap map = { 0 };
	struct dif_var *vt = NULL;
	struct dif_reloc *rels = NULL;
	int rc = -1;
	if (!p)
		return 0;

	/* labels */
	for (size_t i = 0; i < p->nfixes; i++) {
		struct fix *f = &p->fixes[i];
		if (f->kind != FIX_LABEL)
			continue;
		uint64_t *pc = dif_hm_get(&p->labels, f->s, f->slen);
		if (!pc) {
			fail_at(c, DIF_E_SYNTAX, f->line, f->col, "undefined label '%s'", f->s);
			goto out;
		}
		p->insns[f->pc].word |= *pc & 0xffffffu;
	}

	/* integer literals, deduplicated against the table */
	for (size_t i = 0; i < p->nints; i++)
		if (p->intdef[i] && !dif_hm_get(&map, &p->ints[i], 8) &&
		    dif_hm_put(&map, &p->ints[i], 8, (uint32_t)i)) {
			oom(c);
			goto out;
		}
	for (size_t i = 0; i < p->nfixes; i++) {
		struct fix *f = &p->fixes[i];
		if (f->kind != FIX_INT)
			continue;
		uint64_t *hit = dif_hm_get(&map, &f->num, 8);
		uint32_t idx;
		if (hit) {
			idx = *hit;
		} else {
			if (p->nints > DIF_INTOFF_MAX) {
				fail_at(c, DIF_E_LIMIT, f->line, f->col,
				        "integer table is full (%u entries)", DIF_INTOFF_MAX + 1u);
				goto out;
			}
			idx = (uint32_t)p->nints;
			if (place_int(c, f->col - 1, idx, f->num) ||
			    dif_hm_put(&map, &f->num, 8, idx)) {
				if (!c->err)
					oom(c);
				goto out;
			}
		}
		p->insns[f->pc].word |= idx << 8;
	}
	dif_hm_free(&map);

	/* string literals and variable names */
	if (str_dedup_map(c, &map))
		goto out;
	for (size_t i = 0; i < p->nfixes; i++) {
		struct fix *f = &p->fixes[i];
		uint32_t off;
		if (f->kind != FIX_STR)
			continue;
		if (intern_str(c, &map, f->s, f->slen, f->line, f->col, &off))
			goto out;
		if (off > DIF_STROFF_MAX) {
			fail_at(c, DIF_E_LIMIT, f->line, f->col,
			        "string lands at offset %" PRIu32
			        ", beyond what sets can address (%u)", off, DIF_STROFF_MAX);
			goto out;
		}
		p->insns[f->pc].word |= off << 8;
	}
	if (resolve_row_ids(c))
		goto out;
	if (p->nrows) {
		vt = calloc(p->nrows, sizeof(*vt));
		if (!vt) {
			oom(c);
			goto out;
		}
	}
	for (size_t i = 0; i < p->nrows; i++) {
		struct row *r = &p->rows[i];
		if (intern_str(c, &map, r->name, r->nlen, r->line, r->col, &r->v.name))
			goto out;
		if (r->auto_flags)
			r->v.flags = (uint16_t)use_flags(p, r->v.id, r->v.scope);
		vt[i] = r->v;
	}

	if (build_symtab(c, &rels))
		goto out;

	/* deferred listing checks */
	for (size_t i = 0; i < p->ninsns; i++)
		if (p->insns[i].deferred && check_hex(c, &p->insns[i]))
			goto out;

	uint32_t *text = NULL;
	if (p->ninsns) {
		text = malloc(p->ninsns * sizeof(*text));
		if (!text) {
			oom(c);
			goto out;
		}
		for (size_t i = 0; i < p->ninsns; i++)
			text[i] = p->insns[i].word;
	}
	DIF_OPTS(dif_difo_parts, parts, .name = p->name, .text = text,
	         .textlen = (uint32_t)p->ninsns, .inttab = p->ints,
	         .intlen = (uint32_t)p->nints, .strtab = p->str,
	         .strlen = (uint32_t)p->nstr, .vartab = vt,
	         .varlen = (uint32_t)p->nrows, .rtype = p->rtype,
	         .symtab = p->sym, .symlen = (uint32_t)p->nsym, .relocs = rels,
	         .nrelocs = (uint32_t)p->nrels);
	struct dif_difo *d = NULL;
	struct dif_errors tmp;
	dif_errors_clear(&tmp);
	int e = dif_difo_create(&parts, &d, &tmp);
	free(text);
	if (e) {
		fail_at(c, e, p->line, 1, "%s",
		        tmp.count ? tmp.list[0].msg : dif_err_text(e));
		goto out;
	}
	dif_difo_set_ptr(d, p->ptr);
	dif_difo_set_varid(d, (enum dif_varid_style)p->idstyle);
	e = dif_module_add(c->mod, d);
	if (e) {
		if (e == DIF_E_LIMIT)
			fail_at(c, e, p->line, 1, DIF_MODULE_LIMIT_FMT, p->name,
			        dif_module_max(c->mod));
		else
			fail_at(c, e, p->line, 1, e == DIF_E_DUPLICATE
			        ? "a program named '%s' already exists"
			        : "cannot add '%s'", p->name);
		goto out;
	}
	rc = 0;
out:
	dif_hm_free(&map);
	free(vt);
	free(rels);
	prog_free(p);
	c->cur = NULL;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Directives. */

static int ensure_prog(struct asmctx *c)
{
	return c->cur ? 0 : prog_open(c, NULL, 0);
}

static int lex_name(struct asmctx *c, const char *what, const char **s,
                    size_t *n)
{
	skip_ws(c);
	*n = ident_len(c, c->pos);
	if (!*n)
		return FAIL(c, DIF_E_SYNTAX, c->pos, "expected %s", what);
	*s = c->ln + c->pos;
	c->pos += *n;
	return 0;
}

static int end_of_directive(struct asmctx *c)
{
	if (!at_eol(c))
		return FAIL(c, DIF_E_SYNTAX, c->pos, "unexpected text after directive");
	return 0;
}

/* ".return" short forms: int N | string [N] | ctf KIND SIZE [byref|byuref],
 * or the listing's own type text. */
static int lex_short_type(struct asmctx *c, struct dif_type *t)
{
	skip_ws(c);
	memset(t, 0, sizeof(*t));
	if (scan_type(c->ln, c->len, &c->pos, t) == 0)
		return 0;
	uint64_t v;
	if (word_at(c, c->pos, "int")) {
		c->pos += 3;
		if (lex_bounded(c, UINT32_MAX, "size", &v))
			return -1;
		t->kind = DIF_TYPE_CTF;
		t->ckind = 1;
		t->size = (uint32_t)v;
		return 0;
	}
	if (word_at(c, c->pos, "string")) {
		c->pos += 6;
		t->kind = DIF_TYPE_STRING;
		t->flags = DIF_TF_BYREF;
		t->size = DIF_STRSIZE_DEFAULT;
		if (!at_eol(c)) {
			if (lex_bounded(c, UINT32_MAX, "size", &v))
				return -1;
			t->size = (uint32_t)v;
		}
		return 0;
	}
	if (word_at(c, c->pos, "ctf")) {
		c->pos += 3;
		skip_ws(c);
		t->kind = DIF_TYPE_CTF;
		size_t n = ident_len(c, c->pos);
		if (n) {
			int k = ckind_find(c->ln + c->pos, n);
			if (k < 0)
				return FAIL(c, DIF_E_SYNTAX, c->pos, "unknown CTF kind '%.*s'",
				            (int)n, c->ln + c->pos);
			t->ckind = (uint8_t)k;
			c->pos += n;
		} else {
			if (lex_bounded(c, 0xff, "CTF kind", &v))
				return -1;
			t->ckind = (uint8_t)v;
		}
		if (lex_bounded(c, UINT32_MAX, "size", &v))
			return -1;
		t->size = (uint32_t)v;
		skip_ws(c);
		if (word_at(c, c->pos, "byref")) {
			t->flags = DIF_TF_BYREF;
			c->pos += 5;
		} else if (word_at(c, c->pos, "byuref")) {
			t->flags = DIF_TF_BYUREF;
			c->pos += 6;
		}
		return 0;
	}
	return FAIL(c, DIF_E_SYNTAX, c->pos,
	            "expected a type: int N, string [N], ctf KIND SIZE [byref|byuref]");
}

/* .var NAME SCOPE KIND [id=N] [type=T] [flags=F] */
static int dir_var(struct asmctx *c)
{
	struct prog *p = c->cur;
	const char *name;
	size_t nlen;
	size_t at = c->pos;
	skip_ws(c);
	at = c->pos;
	if (lex_name(c, "a variable name", &name, &nlen))
		return -1;
	struct row r;
	memset(&r, 0, sizeof(r));
	r.line = c->lineno;
	r.col = (uint32_t)at + 1;
	r.auto_flags = 1;
	r.v.type.kind = DIF_TYPE_CTF;
	r.v.type.ckind = 1;
	r.v.type.size = 8;

	static const struct { const char *w; int scope; } scopes[] = {
		{ "global", DIF_VSCOPE_GLOBAL }, { "glb", DIF_VSCOPE_GLOBAL },
		{ "thread", DIF_VSCOPE_THREAD }, { "tls", DIF_VSCOPE_THREAD },
		{ "self", DIF_VSCOPE_THREAD }, { "local", DIF_VSCOPE_LOCAL },
		{ "loc", DIF_VSCOPE_LOCAL }, { "this", DIF_VSCOPE_LOCAL },
	};
	skip_ws(c);
	int scope = -1;
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (word_at(c, c->pos, scopes[i].w)) {
			scope = scopes[i].scope;
			c->pos += strlen(scopes[i].w);
			break;
		}
	if (scope < 0)
		return FAIL(c, DIF_E_SYNTAX, c->pos,
		            "expected a scope: global, thread or local");
	r.v.scope = (uint8_t)scope;
	skip_ws(c);
	if (word_at(c, c->pos, "scalar") || word_at(c, c->pos, "scl")) {
		r.v.kind = DIF_VKIND_SCALAR;
	} else if (word_at(c, c->pos, "array") || word_at(c, c->pos, "arr")) {
		r.v.kind = DIF_VKIND_ARRAY;
	} else {
		return FAIL(c, DIF_E_SYNTAX, c->pos, "expected a kind: scalar or array");
	}
	c->pos += ident_len(c, c->pos);

	int have_id = 0, have_type = 0;
	while (!at_eol(c)) {
		size_t kat = c->pos;
		size_t kn = ident_len(c, c->pos);
		if (!kn || kat + kn >= c->len || c->ln[kat + kn] != '=')
			return FAIL(c, DIF_E_SYNTAX, kat, "expected id=, type= or flags=");
		c->pos += kn + 1;
		uint64_t v;
		if (kn == 2 && memcmp(c->ln + kat, "id", 2) == 0) {
			if (lex_bounded(c, UINT32_MAX, "variable id", &v))
				return -1;
			r.v.id = (uint32_t)v;
			have_id = 1;
		} else if (kn == 4 && memcmp(c->ln + kat, "type", 4) == 0) {
			/* type=int8 / string / string:N / ctf:KIND:SIZE[:byref|:byuref] */
			size_t tat = c->pos;
			size_t tn = 0;
			while (tat + tn < c->len && !is_space((unsigned char)c->ln[tat + tn]))
				tn++;
			struct dif_type t;
			memset(&t, 0, sizeof(t));
			char buf[64];
			if (tn == 0 || tn >= sizeof(buf))
				return FAIL(c, DIF_E_SYNTAX, tat, "bad type");
			memcpy(buf, c->ln + tat, tn);
			buf[tn] = '\0';
			char kindname[16];
			unsigned size = 0;
			char extra[16] = "";
			int cnt;
			if (sscanf(buf, "int%u%n", &size, &cnt) == 1 && (size_t)cnt == tn) {
				t.kind = DIF_TYPE_CTF;
				t.ckind = 1;
			} else if (strcmp(buf, "string") == 0) {
				t.kind = DIF_TYPE_STRING;
				t.flags = DIF_TF_BYREF;
				size = DIF_STRSIZE_DEFAULT;
			} else if (sscanf(buf, "string:%u%n", &size, &cnt) == 1 &&
			           (size_t)cnt == tn) {
				t.kind = DIF_TYPE_STRING;
				t.flags = DIF_TF_BYREF;
			} else if (sscanf(buf, "ctf:%15[a-z0-9]:%u%n", kindname, &size, &cnt) == 2 &&
			           ((size_t)cnt == tn ||
			            (sscanf(buf + cnt, ":%15[a-z]", extra) == 1 &&
			             (size_t)cnt + 1 + strlen(extra) == tn))) {
				int k = ckind_find(kindname, strlen(kindname));
				if (k < 0)
					return FAIL(c, DIF_E_SYNTAX, tat, "unknown CTF kind '%s'",
					            kindname);
				t.kind = DIF_TYPE_CTF;
				t.ckind = (uint8_t)k;
				if (strcmp(extra, "byref") == 0)
					t.flags = DIF_TF_BYREF;
				else if (strcmp(extra, "byuref") == 0)
					t.flags = DIF_TF_BYUREF;
				else if (extra[0])
					return FAIL(c, DIF_E_SYNTAX, tat, "expected byref or byuref");
			} else {
				return FAIL(c, DIF_E_SYNTAX, tat,
				            "bad type '%s' (int8, string, string:N, ctf:KIND:SIZE[:byref])",
				            buf);
			}
			t.size = size;
			r.v.type = t;
			have_type = 1;
			c->pos = tat + tn;
		} else if (kn == 5 && memcmp(c->ln + kat, "flags", 5) == 0) {
			r.auto_flags = 0;
			r.v.flags = 0;
			for (;;) {
				int ch = peek(c);
				if (is_digit(ch)) {
					if (lex_bounded(c, 0xffff, "flags", &v))
						return -1;
					r.v.flags |= (uint16_t)v;
				} else if (word_at(c, c->pos, "none")) {
					c->pos += 4;
				} else if (ch == 'r' || ch == 'w') {
					r.v.flags |= ch == 'r' ? DIF_VF_REF : DIF_VF_MOD;
					c->pos++;
				} else {
					return FAIL(c, DIF_E_SYNTAX, c->pos,
					            "flags are r, w, r/w, none or numbers joined by /");
				}
				if (peek(c) != '/')
					break;
				c->pos++;
			}
		} else {
			return FAIL(c, DIF_E_SYNTAX, kat, "unknown .var attribute '%.*s'",
			            (int)kn, c->ln + kat);
		}
	}
	/* The names of the .var rows so far, per scope: one hash lookup */
	struct dif_hmap *names = &p->varnames[r.v.scope < 3 ? r.v.scope : 3];
	if (dif_hm_get(names, name, nlen))
		return FAIL(c, DIF_E_DUPLICATE, at, "variable '%.*s' is already declared",
		            (int)nlen, name);
	/* A built-in's row (the D compiler lists those a program uses). */
	int b = dif_bvar_find(name, nlen, c->prof);
	if (!have_id && b >= 0 && r.v.scope == DIF_VSCOPE_GLOBAL) {
		r.v.id = (uint32_t)b;
		have_id = 1;
		for (int i = 0; i < DIF_BVAR_COUNT; i++)
			if (dif_bvars[i].id == b && !have_type &&
			    (dif_bvars[i].flags & DIF_BV_STRING)) {
				r.v.type.kind = DIF_TYPE_STRING;
				r.v.type.ckind = 0;
				r.v.type.flags = DIF_TF_BYREF;
				r.v.type.size = DIF_STRSIZE_DEFAULT;
			}
	}
	if (!have_id) {
		/* One past the highest id of the scope (rows are only added,
		 * and their ids change only at the end of the program). */
		for (; p->idrows < p->nrows; p->idrows++) {
			const struct dif_var *v = &p->rows[p->idrows].v;
			if (v->scope < 3 && v->id < UINT32_MAX &&
			    (!p->idany[v->scope] || v->id > p->idmax[v->scope])) {
				p->idmax[v->scope] = v->id;
				p->idany[v->scope] = 1;
			}
		}
		uint32_t next = DIF_VAR_OTHER_UBASE;
		if (r.v.scope < 3 && p->idany[r.v.scope] &&
		    p->idmax[r.v.scope] >= next)
			next = p->idmax[r.v.scope] + 1;
		r.v.id = next;
	}
	r.name = malloc(nlen + 1);
	if (!r.name || dif_grow(&p->rows, &p->caprows, p->nrows, sizeof(*p->rows)) ||
	    dif_hm_put(names, name, nlen, (uint32_t)p->nrows)) {
		free(r.name);
		return oom(c);
	}
	memcpy(r.name, name, nlen);
	r.name[nlen] = '\0';
	r.nlen = nlen;
	p->rows[p->nrows++] = r;
	return 0;
}

static int directive(struct asmctx *c)
{
	size_t at = c->pos;
	c->pos++;
	size_t n = ident_len(c, c->pos);
	const char *d = c->ln + c->pos;
	c->pos += n;
#define IS(w) (n == sizeof(w) - 1 && memcmp(d, w, n) == 0)
	if (IS("difo")) {
		const char *name;
		size_t nlen;
		if (lex_name(c, "a program name", &name, &nlen))
			return -1;
		if (nlen >= 64)
			return FAIL(c, DIF_E_LIMIT, c->pos - nlen,
			            "program name is longer than 63 bytes");
		if (end_of_directive(c))
			return -1;
		if (c->cur && prog_close(c))
			return -1;
		return prog_open(c, name, nlen);
	}
	if (IS("varids")) {
		skip_ws(c);
		int style;
		if (word_at(c, c->pos, "hex"))
			style = DIF_VARID_HEX;
		else if (word_at(c, c->pos, "dec"))
			style = DIF_VARID_DEC;
		else
			return FAIL(c, DIF_E_SYNTAX, c->pos, "expected hex or dec");
		c->pos += 3;
		if (end_of_directive(c) || ensure_prog(c))
			return -1;
		c->cur->varids = style;
		return 0;
	}
	if (IS("return")) {
		struct dif_type t;
		if (ensure_prog(c) || lex_short_type(c, &t) || end_of_directive(c))
			return -1;
		c->cur->rtype = t;
		c->cur->has_rtype = 1;
		return 0;
	}
	if (IS("ptr")) {
		uint64_t v;
		if (ensure_prog(c) || lex_uint(c, &v) || end_of_directive(c))
			return -1;
		c->cur->ptr = v;
		return 0;
	}
	if (IS("word")) {
		uint64_t v;
		skip_ws(c);
		size_t wat = c->pos;
		if (ensure_prog(c) || lex_bounded(c, UINT32_MAX, "word", &v) ||
		    end_of_directive(c))
			return -1;
		struct prog *p = c->cur;
		if (p->ninsns >= MAX_TEXT)
			return FAIL(c, DIF_E_LIMIT, wat, "more than %u instructions", MAX_TEXT);
		if (dif_grow(&p->insns, &p->capinsns, p->ninsns, sizeof(*p->insns)))
			return oom(c);
		p->insns[p->ninsns++] = (struct insn){
			.word = (uint32_t)v, .line = c->lineno, .col = (uint32_t)wat + 1,
		};
		return 0;
	}
	if (IS("var")) {
		if (ensure_prog(c))
			return -1;
		return dir_var(c);
	}
#undef IS
	return FAIL(c, DIF_E_SYNTAX, at, "unknown directive '.%.*s'", (int)n, d);
}

/* ------------------------------------------------------------------ */
/* Lines. */

static int label_def(struct asmctx *c, size_t n)
{
	struct prog *p = c->cur;
	size_t at = c->pos;
	if (dif_hm_get(&p->labels, c->ln + at, n))
		return FAIL(c, DIF_E_DUPLICATE, at, "label '%.*s' is already defined",
		            (int)n, c->ln + at);
	if (p->nlabels >= MAX_LABELS)
		return FAIL(c, DIF_E_LIMIT, at, "more than %u labels", MAX_LABELS);
	if (dif_hm_put(&p->labels, c->ln + at, n, (uint32_t)p->ninsns))
		return oom(c);
	p->nlabels++;
	c->pos += n + 1;
	return 0;
}

/* Mnemonic at c->pos (after an optional listing index and hex word). */
static int statement(struct asmctx *c, int has_hex, uint32_t hex, size_t hexcol)
{
	skip_ws(c);
	size_t at = c->pos;
	static const char illegal[] = "(illegal opcode)";
	if (c->len - at >= sizeof(illegal) - 1 &&
	    memcmp(c->ln + at, illegal, sizeof(illegal) - 1) == 0) {
		if (!has_hex)
			return FAIL(c, DIF_E_SYNTAX, at,
			            "(illegal opcode) needs the hex word column");
		if (dif_isa_lookup(DIF_I_OP(hex), c->prof))
			return FAIL(c, DIF_E_ENCODING, hexcol,
			            "hex word %08" PRIx32 " is a valid '%s', not an illegal opcode",
			            hex, dif_op_name(DIF_I_OP(hex), c->prof));
		c->pos += sizeof(illegal) - 1;
		if (!at_eol(c))
			return FAIL(c, DIF_E_SYNTAX, c->pos, "unexpected text after instruction");
		struct prog *p = c->cur;
		if (p->ninsns >= MAX_TEXT)
			return FAIL(c, DIF_E_LIMIT, at, "more than %u instructions", MAX_TEXT);
		if (dif_grow(&p->insns, &p->capinsns, p->ninsns, sizeof(*p->insns)))
			return oom(c);
		p->insns[p->ninsns++] = (struct insn){
			.word = hex, .line = c->lineno, .col = (uint32_t)at + 1,
		};
		return 0;
	}
	size_t n = ident_len(c, at);
	if (!n)
		return FAIL(c, DIF_E_SYNTAX, at, "expected an instruction");
	if (c->pos + n < c->len && c->ln[c->pos + n] == ':') {
		if (has_hex)
			return FAIL(c, DIF_E_SYNTAX, at, "expected an instruction");
		if (label_def(c, n))
			return -1;
		if (at_eol(c))
			return 0;
		return statement(c, 0, 0, 0);
	}
	int op = dif_isa_find(c->ln + at, n, c->prof);
	if (op < 0) {
		enum dif_profile other = c->prof == DIF_PROFILE_ILLUMOS
		                             ? DIF_PROFILE_FREEBSD : DIF_PROFILE_ILLUMOS;
		if (dif_isa_find(c->ln + at, n, other) >= 0)
			return FAIL(c, DIF_E_SYNTAX, at, "'%.*s' does not exist on %s",
			            (int)n, c->ln + at, dif_profile_name(c->prof));
		return FAIL(c, DIF_E_SYNTAX, at, "unknown instruction '%.*s'", (int)n,
		            c->ln + at);
	}
	c->pos += n;
	const struct dif_opinfo *oi = dif_isa_lookup((unsigned)op, c->prof);
	if (parse_insn(c, (unsigned)op, oi, at, has_hex, hex, hexcol))
		return -1;
	struct insn *in = &c->cur->insns[c->cur->ninsns - 1];
	return in->deferred ? 0 : check_hex(c, in);
}

/* "NN: xxxxxxxx    text" (the word column is optional). */
static int listing_insn(struct asmctx *c)
{
	size_t at = c->pos;
	uint64_t idx;
	if (lex_uint(c, &idx) || expect_char(c, ':'))
		return -1;
	if (idx != c->cur->ninsns)
		return FAIL(c, DIF_E_SYNTAX, at,
		            "instruction index %" PRIu64 " should be %zu", idx,
		            c->cur->ninsns);
	skip_ws(c);
	size_t hat = c->pos;
	size_t k = 0;
	while (hat + k < c->len && is_xdigit((unsigned char)c->ln[hat + k]))
		k++;
	if (k == 8 && (hat + k == c->len || is_space((unsigned char)c->ln[hat + k]))) {
		uint32_t w = 0;
		for (size_t i = 0; i < 8; i++)
			w = w * 16 + (uint32_t)xval((unsigned char)c->ln[hat + i]);
		c->pos = hat + 8;
		return statement(c, 1, w, hat);
	}
	return statement(c, 0, 0, 0);
}

/* One row of a listing's variable table. */
static int vartab_row(struct asmctx *c)
{
	struct prog *p = c->cur;
	struct row r;
	memset(&r, 0, sizeof(r));
	skip_ws(c);
	size_t nat = c->pos;
	while (c->pos < c->len && !is_space((unsigned char)c->ln[c->pos]))
		c->pos++;
	size_t nlen = c->pos - nat;
	r.line = c->lineno;
	r.col = (uint32_t)nat + 1;
	r.listing = 1;

	skip_ws(c);
	size_t iat = c->pos;
	while (c->pos < c->len && is_identc((unsigned char)c->ln[c->pos]))
		c->pos++;
	if (c->pos == iat || c->pos - iat >= sizeof(r.idtext))
		return FAIL(c, DIF_E_SYNTAX, iat, "expected a variable id");
	memcpy(r.idtext, c->ln + iat, c->pos - iat);
	r.idcol = (uint32_t)iat + 1;

	static const char *const kinds[] = { "arr", "scl" };
	static const char *const scopes[] = { "glb", "tls", "loc" };
	const char *const *lists[2] = { kinds, scopes };
	size_t counts[2] = { 2, 3 };
	uint64_t vals[2];
	for (int f = 0; f < 2; f++) {
		skip_ws(c);
		size_t fat = c->pos;
		int found = -1;
		for (size_t i = 0; i < counts[f]; i++)
			if (word_at(c, c->pos, lists[f][i]))
				found = (int)i;
		if (found >= 0) {
			vals[f] = (uint64_t)found;
			c->pos += 3;
		} else if (!is_digit(peek(c)) || lex_bounded(c, 0xff, f ? "scope" : "kind",
		                                             &vals[f])) {
			if (!c->err)
				FAIL(c, DIF_E_SYNTAX, fat, f ? "expected a scope (glb, tls, loc)"
				                             : "expected a kind (arr, scl)");
			return -1;
		}
	}
	r.v.kind = (uint8_t)vals[0];
	r.v.scope = (uint8_t)vals[1];

	/* flags are optional; try the type first */
	skip_ws(c);
	size_t save = c->pos;
	if (scan_type(c->ln, c->len, &c->pos, &r.v.type)) {
		c->pos = save;
		for (;;) {
			int ch = peek(c);
			if (ch == 'r') {
				r.v.flags |= DIF_VF_REF;
				c->pos++;
			} else if (ch == 'w') {
				r.v.flags |= DIF_VF_MOD;
				c->pos++;
			} else if (ch == '0' && c->pos + 1 < c->len && c->ln[c->pos + 1] == 'x') {
				uint64_t v;
				c->pos += 2;
				struct scan s = { c->ln, c->len, c->pos };
				if (!sc_num(&s, 1, 0xffff, &v))
					return FAIL(c, DIF_E_SYNTAX, c->pos, "bad flags");
				c->pos = s.pos;
				r.v.flags |= (uint16_t)v;
			} else {
				return FAIL(c, DIF_E_SYNTAX, c->pos, "expected flags or a type");
			}
			if (peek(c) != '/')
				break;
			c->pos++;
		}
		if (lex_type_text(c, &r.v.type))
			return -1;
	}
	if (!at_eol(c))
		return FAIL(c, DIF_E_SYNTAX, c->pos, "unexpected text after the type");
	r.name = malloc(nlen + 1);
	if (!r.name || dif_grow(&p->rows, &p->caprows, p->nrows, sizeof(*p->rows))) {
		free(r.name);
		return oom(c);
	}
	memcpy(r.name, c->ln + nat, nlen);
	r.name[nlen] = '\0';
	r.nlen = nlen;
	p->rows[p->nrows++] = r;
	return 0;
}

static int is_words(struct asmctx *c, const char *const *w, size_t n)
{
	size_t save = c->pos;
	for (size_t i = 0; i < n; i++) {
		skip_ws(c);
		if (!word_at(c, c->pos, w[i])) {
			c->pos = save;
			return 0;
		}
		c->pos += strlen(w[i]);
	}
	int ok = at_eol(c);
	c->pos = save;
	return ok;
}

static int is_column_header(struct asmctx *c)
{
	static const char *const w[] = { "OFF", "OPCODE", "INSTRUCTION" };
	return is_words(c, w, 3);
}

static int is_vartab_header(struct asmctx *c)
{
	static const char *const w[] = { "NAME", "ID", "KND", "SCP", "FLAG", "TYPE" };
	return is_words(c, w, 6);
}

/* "DIFO <ptr> returns <type>" */
static int is_difo_header(struct asmctx *c)
{
	return word_at(c, c->pos, "DIFO");
}

static int difo_header(struct asmctx *c)
{
	c->pos += 4;
	skip_ws(c);
	size_t at = c->pos;
	/* 0x<hex>, 0x0x<hex> (FreeBSD's doubled prefix) or bare hex */
	while (c->pos + 1 < c->len && c->ln[c->pos] == '0' &&
	       (c->ln[c->pos + 1] == 'x' || c->ln[c->pos + 1] == 'X'))
		c->pos += 2;
	uint64_t ptr = 0;
	size_t digits = 0;
	while (c->pos < c->len && is_xdigit((unsigned char)c->ln[c->pos]) &&
	       digits < 16) {
		ptr = ptr << 4 | (uint64_t)xval((unsigned char)c->ln[c->pos++]);
		digits++;
	}
	if (!digits || (c->pos < c->len && !is_space((unsigned char)c->ln[c->pos])))
		return FAIL(c, DIF_E_SYNTAX, at, "expected the DIFO pointer");
	if (expect_word(c, "returns"))
		return -1;
	struct dif_type t;
	if (lex_type_text(c, &t))
		return -1;
	if (!at_eol(c))
		return FAIL(c, DIF_E_SYNTAX, c->pos, "unexpected text after the type");
	struct prog *p = c->cur;
	if (!(p && !p->has_header && !p->listing && p->ninsns == 0 && p->nrows == 0)) {
		if (p && prog_close(c))
			return -1;
		if (prog_open(c, NULL, 0))
			return -1;
		p = c->cur;
	}
	p->has_header = 1;
	p->listing = 1;
	p->state = ST_CODE;
	p->ptr = ptr;
	p->rtype = t;
	p->has_rtype = 1;
	return 0;
}

/* Outside a program: does this line start code? Other text (such as
 * "dtrace: description ... matched 1 probe") is skipped. */
static int starts_code(struct asmctx *c)
{
	size_t at = c->pos;
	int ch = peek(c);
	if (ch == '.')
		return 1;
	if (is_digit(ch)) {
		while (at < c->len && is_digit((unsigned char)c->ln[at]))
			at++;
		return at < c->len && c->ln[at] == ':';
	}
	size_t n = ident_len(c, at);
	if (!n)
		return 0;
	if (dif_isa_find(c->ln + at, n, DIF_PROFILE_ILLUMOS) >= 0)
		return 1;
	if (at + n < c->len && c->ln[at + n] == ':') {
		c->pos = at + n + 1;
		int ok = at_eol(c);
		if (!ok) {
			size_t m = ident_len(c, c->pos);
			ok = m && dif_isa_find(c->ln + c->pos, m, DIF_PROFILE_ILLUMOS) >= 0;
		}
		c->pos = at;
		return ok;
	}
	return 0;
}

/* A line dtrace itself prints around -S listings when its standard output
 * and error are merged: "dtrace: ..." messages, the "CPU ID FUNCTION:NAME"
 * header and probe lines "CPU ID FUNC:NAME ...", such as
 * "  0      1   :BEGIN". It ends a listing
 * program (dtrace prints no empty line after the last instruction or
 * variable-table row) and is skipped. */
static int is_dtrace_output(const struct asmctx *c)
{
	const char *l = c->ln;
	size_t at = c->pos, len = c->len;
	if (len - at >= 8 && memcmp(l + at, "dtrace: ", 8) == 0)
		return 1;
	if (len - at >= 4 && memcmp(l + at, "CPU", 3) == 0 && is_space(l[at + 3])) {
		at += 3;
		while (at < len && is_space(l[at]))
			at++;
		return len - at >= 2 && memcmp(l + at, "ID", 2) == 0;
	}
	if (at >= len || !is_digit(l[at]))
		return 0;
	while (at < len && is_digit(l[at]))
		at++;
	if (at >= len || !is_space(l[at]))
		return 0;
	while (at < len && is_space(l[at]))
		at++;
	if (at >= len || !is_digit(l[at]))
		return 0;
	while (at < len && is_digit(l[at]))
		at++;
	if (at >= len || !is_space(l[at]))
		return 0;
	while (at < len && is_space(l[at]))
		at++;
	while (at < len && !is_space(l[at]))
		if (l[at++] == ':')
			return 1;
	return 0;
}

static int line(struct asmctx *c)
{
	c->pos = 0;
	skip_ws(c);
	int blank = c->pos >= c->len;
	int comment = !blank && at_comment(c);
	struct prog *p = c->cur;

	if (p && p->listing) {
		if (p->state == ST_CODE && blank) {
			p->state = ST_GAP;
			return 0;
		}
		if (p->state == ST_GAP && !blank && !comment) {
			if (is_vartab_header(c)) {
				p->state = ST_VARTAB;
				return 0;
			}
			if (prog_close(c))
				return -1;
			p = NULL;
		} else if (p->state == ST_VARTAB && blank) {
			return prog_close(c);
		}
	}
	if (blank || comment)
		return 0;
	if (p && p->listing && is_dtrace_output(c))
		return prog_close(c);
	if (p && p->state == ST_VARTAB && !is_difo_header(c) && peek(c) != '.') {
		if (is_vartab_header(c))
			return 0;
		return vartab_row(c);
	}
	if (is_difo_header(c))
		return difo_header(c);
	if (is_column_header(c))
		return 0;
	if (p && is_vartab_header(c)) {
		p->state = ST_VARTAB;
		return 0;
	}
	if (!p) {
		if (!starts_code(c))
			return 0;
		if (c->ln[c->pos] != '.') {
			if (prog_open(c, NULL, 0))
				return -1;
			c->cur->listing = is_digit(peek(c));
		}
	}
	if (peek(c) == '.')
		return directive(c);
	if (is_digit(peek(c)))
		return listing_insn(c);
	return statement(c, 0, 0, 0);
}

int dif_asm(const char *text, size_t len, const struct dif_asm_opts *opts,
            struct dif_module **out, struct dif_errors *errs)
{
	if (!out || (!text && len))
		return DIF_E_INVAL;
	*out = NULL;
	struct asmctx c;
	memset(&c, 0, sizeof(c));
	c.prof = DIF_OPT(opts, profile, DIF_PROFILE_FREEBSD);
	c.varid_opt = DIF_OPT(opts, varid, 0);
	c.errs = errs;
	if (c.prof != DIF_PROFILE_FREEBSD && c.prof != DIF_PROFILE_ILLUMOS) {
		dif_errf(errs, DIF_E_INVAL, DIF_NO_PC, NULL, NULL, "unknown profile %d",
		         (int)c.prof);
		return DIF_E_INVAL;
	}
	c.mod = dif_module_new();
	if (!c.mod) {
		dif_errf(errs, DIF_E_NOMEM, DIF_NO_PC, NULL, NULL, "out of memory");
		return DIF_E_NOMEM;
	}
	c.mod->max = DIF_OPT(opts, max_module, 0);
	if (!c.mod->max)
		c.mod->max = DIF_MODULE_MAXSIZE;
	size_t i = 0;
	while (i < len && !c.err) {
		size_t j = i;
		while (j < len && text[j] != '\n')
			j++;
		c.ln = text + i;
		c.len = j - i;
		if (c.len && c.ln[c.len - 1] == '\r')
			c.len--;
		c.lineno++;
		line(&c);
		i = j + 1;
	}
	if (!c.err && c.cur) {
		c.lineno++;
		c.ln = "";
		c.len = 0;
		prog_close(&c);
	}
	if (c.err) {
		prog_free(c.cur);
		dif_module_free(c.mod);
		return c.err;
	}
	*out = c.mod;
	return 0;
}
