/*
 * Regression cases: hand-reviewed conformance cases in text files
 * (docs/corpus.md, "Regression cases"). Each case is one program in the
 * assembler's syntax (docs/assembly.md), the state it starts in and the
 * outcome the reference facts give it. `difgen import` checks the model
 * against that outcome and stores the cases in a corpus; `difgen replay`
 * then checks difvm.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/difvm.h"
#include "spec/spec.h"
#include "tg.h"

#define RG_MAX_FILE (1u << 20) /* a case file is small text */

static const char *const fault_names[] = {
	"NONE", "BADADDR", "BADALIGN", "ILLOP", "DIVZERO",
	"NOSCRATCH", "KPRIV", "UPRIV", "TUPOFLOW", "BADSTACK",
};

struct rg {
	const char *file;
	unsigned line;     /* line being read */
	unsigned cline;    /* line of the case header */
	char name[96];
	struct dc_case c;
	char *src;         /* the program's text */
	size_t srclen, srccap;
	int have_expect;
	struct tg_regress_case out;
	struct tg_err *e;
};

static int fail(struct rg *g, const char *fmt, const char *arg)
{
	char m[160];
	snprintf(m, sizeof(m), fmt, arg ? arg : "");
	tg_errf(g->e, "%s:%u: %s", g->file, g->line, m);
	return -1;
}

static int num(const char *s, uint64_t *v)
{
	char *end;
	errno = 0;
	if (*s == '-')
		*v = (uint64_t)strtoll(s, &end, 0);
	else
		*v = strtoull(s, &end, 0);
	return errno || end == s || (*end && !isspace((unsigned char)*end)) ? -1 : 0;
}

static char *word(char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	if (!**p)
		return NULL;
	char *w = *p;
	while (**p && **p != ' ' && **p != '\t')
		(*p)++;
	if (**p)
		*(*p)++ = 0;
	return w;
}

/* A quoted string with C escapes (\n \t \\ \" \xHH) into out (NUL ended). */
static int quoted(char **p, char *out, size_t cap, size_t *len)
{
	char *s = *p;
	size_t n = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '"')
		return -1;
	while (*s && *s != '"') {
		int ch = (unsigned char)*s++;
		if (ch == '\\') {
			ch = (unsigned char)*s++;
			if (ch == 'n')
				ch = '\n';
			else if (ch == 't')
				ch = '\t';
			else if (ch == 'x' && isxdigit((unsigned char)s[0]) &&
			         isxdigit((unsigned char)s[1])) {
				char h[3] = { s[0], s[1], 0 };
				ch = (int)strtol(h, NULL, 16);
				s += 2;
			} else if (ch == 0) {
				return -1;
			}
		}
		if (n + 1 >= cap)
			return -1;
		out[n++] = (char)ch;
	}
	if (*s != '"')
		return -1;
	out[n] = 0;
	*p = s + 1;
	*len = n;
	return 0;
}

static int hexbytes(const char *h, uint8_t **out, uint32_t *n)
{
	size_t l = strlen(h);
	if (l == 0 || l % 2 || l / 2 > UINT32_MAX)
		return -1;
	uint8_t *b = malloc(l / 2);
	if (!b)
		return -1;
	for (size_t i = 0; i < l / 2; i++) {
		char x[3] = { h[2 * i], h[2 * i + 1], 0 };
		if (!isxdigit((unsigned char)x[0]) || !isxdigit((unsigned char)x[1])) {
			free(b);
			return -1;
		}
		b[i] = (uint8_t)strtol(x, NULL, 16);
	}
	*out = b;
	*n = (uint32_t)(l / 2);
	return 0;
}

static int bvar_id(const char *name, uint32_t profile, uint32_t *id)
{
	for (unsigned v = 0x100; v < 0x500; v++) {
		const char *n = dif_var_name(v, (enum dif_profile)profile);
		if (n && strcmp(n, name) == 0) {
			*id = v;
			return 0;
		}
	}
	return -1;
}

static int add_region(struct rg *g, uint64_t addr, uint8_t as, uint8_t flags,
                      uint8_t *bytes, uint32_t size)
{
	if (g->c.nregions >= DC_MAX_REGIONS) {
		free(bytes);
		return fail(g, "more than %s regions", "8");
	}
	g->c.regions[g->c.nregions++] = (struct dc_region){
		.addr = addr, .size = size, .as = as, .flags = flags, .bytes = bytes };
	return 0;
}

/* !hvar ID INDEX CODE VALUE, !hsubr SUBR CODE RESULT WRITE_RD, !hstore ID
 * INDEX CODE: host callback answers (docs/corpus.md). ID and SUBR may be
 * names (a built-in variable, a subroutine of the case's profile). */
static int host_answer(struct rg *g, const char *d, char *p)
{
	uint64_t f[4] = { 0 };
	unsigned nf = d[1] == 's' && d[2] == 't' ? 3 : 4;
	struct dc_case *c = &g->c;
	for (unsigned k = 0; k < nf; k++) {
		char *a = word(&p);
		uint32_t id;
		if (!a)
			return fail(g, "!%s needs more fields", d);
		if (k == 0 && d[1] == 'v' && !bvar_id(a, c->profile, &id))
			f[k] = id;
		else if (k == 0 && d[1] == 's' && d[2] == 'u' &&
		         dc_spec_subr_number(c->profile, a) >= 0)
			f[k] = (uint64_t)dc_spec_subr_number(c->profile, a);
		else if (num(a, &f[k]))
			return fail(g, "bad number '%s'", a);
	}
	if (word(&p))
		return fail(g, "!%s: too many fields", d);
	if (d[1] == 'v') {
		if (c->nhvars >= DC_MAX_HVARS || f[0] > 0xffff || f[2] > DC_HC_MAX ||
		    dc_hvar_find(c, (uint32_t)f[0], f[1]) >= 0)
			return fail(g, "bad or too many !%s", d);
		c->hvars[c->nhvars++] = (struct dc_hvar){ (uint32_t)f[0], f[1],
		                                          (uint32_t)f[2], f[3] };
	} else if (nf == 4) {
		if (c->nhsubrs >= DC_MAX_HSUBRS || f[0] > 0xff ||
		    f[1] > DC_HC_MAX || f[3] > 1 ||
		    dc_hsubr_find(c, (uint32_t)f[0]) >= 0)
			return fail(g, "bad or too many !%s", d);
		c->hsubrs[c->nhsubrs++] = (struct dc_hsubr){
			(uint32_t)f[0], (uint32_t)f[1], f[2], (uint32_t)f[3] };
	} else {
		if (c->nhstores >= DC_MAX_HSTORES || f[0] > 0xff ||
		    f[2] > DC_HC_MAX || dc_hstore_find(c, (uint32_t)f[0], f[1]) >= 0)
			return fail(g, "bad or too many !%s", d);
		c->hstores[c->nhstores++] = (struct dc_hstore){
			(uint32_t)f[0], f[1], (uint32_t)f[2] };
	}
	return 0;
}

/* ADDR HEXBYTES [WORD] of !mem, !umem and !hmem. */
static int mem_args(struct rg *g, const char *d, char **p, uint64_t *addr,
                    uint8_t **b, uint32_t *n, char **flag)
{
	char *a = word(p), *h = word(p);
	if (!a || !h || num(a, addr) || hexbytes(h, b, n))
		return fail(g, "%s needs ADDR HEXBYTES", d);
	*flag = word(p);
	return 0;
}

static int directive(struct rg *g, char *p)
{
	char *d = word(&p), *a;
	uint64_t v, w, w2;
	if (!d)
		return fail(g, "empty directive", NULL);
	if (strcmp(d, "profile") == 0) {
		a = word(&p);
		if (a && strcmp(a, "freebsd") == 0)
			g->c.profile = DC_PROFILE_FREEBSD;
		else if (a && strcmp(a, "illumos") == 0)
			g->c.profile = DC_PROFILE_ILLUMOS;
		else
			return fail(g, "unknown profile '%s'", a);
		return 0;
	}
	if (strcmp(d, "deny") == 0) {
		static const char *const privs[] = { "kernel", "proc", "owner",
		                                     "destructive" };
		a = word(&p);
		for (char *t = a ? strtok(a, ",") : NULL; t; t = strtok(NULL, ",")) {
			unsigned k;
			for (k = 0; k < 4 && strcmp(t, privs[k]); k++)
				;
			if (k == 4)
				return fail(g, "unknown privilege '%s'", t);
			g->c.deny |= 1u << k;
		}
		return 0;
	}
	if (!strcmp(d, "strsize") || !strcmp(d, "scratch") ||
	    !strcmp(d, "dynvar") || !strcmp(d, "runs")) {
		a = word(&p);
		if (!a || num(a, &v))
			return fail(g, "%s needs a number", d);
		if (d[0] == 's' && d[1] == 't')
			g->c.strsize = (uint32_t)v;
		else if (d[0] == 's')
			g->c.scratch_size = v;
		else if (d[0] == 'd')
			g->c.dynvar_size = v;
		else
			g->c.runs = (uint32_t)v;
		return 0;
	}
	if (!strcmp(d, "mem") || !strcmp(d, "umem")) {
		uint8_t *b;
		uint32_t n;
		if (mem_args(g, d, &p, &v, &b, &n, &a))
			return -1;
		uint8_t fl = a && strcmp(a, "canload") == 0 ? 1 : 0;
		if (a && !fl) {
			free(b);
			return fail(g, "unknown region flag '%s'", a);
		}
		return add_region(g, v, d[0] == 'u', fl, b, n);
	}
	if (!strcmp(d, "toxic")) {
		a = word(&p);
		char *b = word(&p);
		if (!a || !b || num(a, &v) || num(b, &w) || w == 0 || w > UINT32_MAX)
			return fail(g, "toxic needs ADDR SIZE", NULL);
		return add_region(g, v, 0, 2, NULL, (uint32_t)w);
	}
	if (!strcmp(d, "arg")) {
		a = word(&p);
		char *eq = a ? strchr(a, '=') : NULL;
		if (!eq)
			return fail(g, "arg needs N=V", NULL);
		*eq = 0;
		if (num(a, &w) || w > 9 || num(eq + 1, &v))
			return fail(g, "arg needs N=V with N in 0..9", NULL);
		g->c.args[w] = v;
		return 0;
	}
	if (!strcmp(d, "bvar")) {
		char *eq = strchr(p, '=');
		uint32_t id;
		if (!eq)
			return fail(g, "bvar needs NAME=V or NAME=\"TEXT\"", NULL);
		*eq = 0;
		a = word(&p);
		if (!a || bvar_id(a, g->c.profile, &id))
			return fail(g, "unknown built-in variable '%s'", a);
		if (g->c.nbvars >= DC_MAX_BVARS)
			return fail(g, "too many built-in variables", NULL);
		struct dc_bvar *b = &g->c.bvars[g->c.nbvars];
		char *q = eq + 1;
		char text[4096];
		size_t n;
		memset(b, 0, sizeof(*b));
		b->id = id;
		while (*q == ' ')
			q++;
		if (*q == '"') {
			if (quoted(&q, text, sizeof(text), &n))
				return fail(g, "bad string", NULL);
			b->str = strdup(text);
			if (!b->str)
				return fail(g, "out of memory", NULL);
		} else if (num(q, &b->value)) {
			return fail(g, "bad value '%s'", q);
		}
		g->c.nbvars++;
		return 0;
	}
	if (!strcmp(d, "hvar") || !strcmp(d, "hsubr") || !strcmp(d, "hstore"))
		return host_answer(g, d, p);
	if (!strcmp(d, "hmem")) {
		uint8_t *b;
		uint32_t n;
		if (mem_args(g, d, &p, &v, &b, &n, &a))
			return -1;
		if ((a && strcmp(a, "user")) || g->c.nhreads >= DC_MAX_HREADS) {
			free(b);
			return fail(g, "bad or too many !hmem", NULL);
		}
		g->c.hreads[g->c.nhreads++] = (struct dc_hread){
			.addr = v, .size = n, .as = a != NULL, .bytes = b };
		return 0;
	}
	if (!strcmp(d, "hwrite")) {
		char *b = word(&p), *cd;
		a = word(&p);
		cd = word(&p);
		if (!b || !a || !cd || num(b, &v) || num(a, &w) || w == 0 ||
		    w > DC_MAX_HWRITE_SIZE || num(cd, &w2) || w2 > DC_HC_MAX)
			return fail(g, "hwrite needs ADDR SIZE (1..4096) CODE", NULL);
		if (g->c.nhwrites >= DC_MAX_HWRITES)
			return fail(g, "too many !hwrite", NULL);
		g->c.hwrites[g->c.nhwrites++] = (struct dc_hwrite){
			v, (uint32_t)w, (uint32_t)w2 };
		return 0;
	}
	if (!strcmp(d, "expect")) {
		struct dc_outcome *o = &g->out.expect;
		memset(o, 0, sizeof(*o));
		g->have_expect = 1;
		while ((a = word(&p))) {
			if (!strcmp(a, "rval") && (a = word(&p)) && !num(a, &o->rval))
				continue;
			if (!strcmp(a, "fault") && (a = word(&p))) {
				unsigned k;
				for (k = 1; k < 10 && strcmp(a, fault_names[k]); k++)
					;
				if (k == 10)
					return fail(g, "unknown fault '%s'", a);
				o->fault = k;
				continue;
			}
			if (!strcmp(a, "pc") && (a = word(&p)) && !num(a, &v)) {
				o->pc = (uint32_t)v;
				continue;
			}
			if (!strcmp(a, "addr") && (a = word(&p)) && !num(a, &o->addr))
				continue;
			if (!strcmp(a, "hstore") && (a = word(&p)) &&
			    !num(a, &o->hstore)) {
				o->has_hstore = 1;
				continue;
			}
			if (!strcmp(a, "hwrite") && (a = word(&p)) &&
			    !num(a, &o->hwrite)) {
				o->has_hwrite = 1;
				continue;
			}
			if (!strcmp(a, "string")) {
				size_t n;
				/* word() cut the line at the quote's start */
				*(p - 1) = ' ';
				if (quoted(&p, o->string, sizeof(o->string), &n))
					return fail(g, "bad string", NULL);
				o->has_string = 1;
				continue;
			}
			return fail(g, "bad expectation near '%s'", a);
		}
		return 0;
	}
	return fail(g, "unknown directive '!%s'", d);
}

static int src_add(struct rg *g, const char *line)
{
	size_t n = strlen(line);
	if (g->srclen + n + 2 > g->srccap) {
		size_t cap = (g->srccap ? g->srccap * 2 : 1024) + n;
		char *s = realloc(g->src, cap);
		if (!s)
			return fail(g, "out of memory", NULL);
		g->src = s;
		g->srccap = cap;
	}
	memcpy(g->src + g->srclen, line, n);
	g->srclen += n;
	g->src[g->srclen++] = '\n';
	g->src[g->srclen] = 0;
	return 0;
}

/* Assembles the program into the case. */
static int assemble(struct rg *g)
{
	struct dif_module *mod = NULL;
	struct dif_errors *errs = calloc(1, sizeof(*errs));
	DIF_OPTS(dif_asm_opts, ao, .profile = (enum dif_profile)g->c.profile,
	         .filename = g->file);
	int r = -1;
	if (!errs || !g->src)
		goto out;
	if (dif_asm(g->src, g->srclen, &ao, &mod, errs)) {
		tg_errf(g->e, "%s:%u: %s: %s", g->file, g->cline, g->name,
		        errs->count ? errs->list[0].msg : "assembly failed");
		goto out;
	}
	if (dif_module_count(mod) != 1) {
		tg_errf(g->e, "%s:%u: %s: one .difo per case", g->file, g->cline,
		        g->name);
		goto out;
	}
	struct dif_difo_parts pt;
	dif_difo_get_parts(dif_module_get(mod, 0), &pt);
	struct tg_prog *p = calloc(1, sizeof(*p));
	if (!p)
		goto out;
	tg_prog_init(p);
	if (pt.textlen > TG_MAX_TEXT || pt.intlen > TG_MAX_TEXT ||
	    pt.strlen > sizeof(p->strtab) || pt.varlen > 64) {
		free(p);
		tg_errf(g->e, "%s:%u: %s: program too large", g->file, g->cline,
		        g->name);
		goto out;
	}
	if (pt.textlen)
		memcpy(p->text, pt.text, pt.textlen * sizeof(uint32_t));
	p->n = pt.textlen;
	if (pt.intlen)
		memcpy(p->inttab, pt.inttab, pt.intlen * sizeof(uint64_t));
	p->nint = pt.intlen;
	if (pt.strlen)
		memcpy(p->strtab, pt.strtab, pt.strlen);
	p->strlen = pt.strlen;
	for (uint32_t i = 0; i < pt.varlen; i++) {
		const struct dif_var *v = &pt.vartab[i];
		p->vars[i] = (struct dc_var){ .name = v->name, .id = v->id,
			.kind = v->kind, .scope = v->scope, .flags = v->flags,
			.type = { v->type.kind, v->type.ckind, v->type.flags,
			          v->type.size } };
	}
	p->nvars = pt.varlen;
	r = tg_prog_to_case(p, &g->c);
	g->c.rtype = (struct dc_type){ pt.rtype.kind, pt.rtype.ckind,
	                               pt.rtype.flags, pt.rtype.size };
	free(p);
out:
	dif_module_free(mod);
	free(errs);
	return r;
}

static int finish(struct rg *g, tg_regress_cb cb, void *ud)
{
	int r;
	if (!g->name[0])
		return 0;
	if (!g->have_expect) {
		tg_errf(g->e, "%s:%u: %s: no !expect", g->file, g->cline, g->name);
		return -1;
	}
	if (assemble(g))
		return -1;
	g->out.name = g->name;
	g->out.line = g->cline;
	g->out.c = &g->c;
	r = cb(ud, &g->out);
	tg_case_free(&g->c);
	tg_case_init(&g->c);
	g->srclen = 0;
	g->name[0] = 0;
	g->have_expect = 0;
	return r;
}

int tg_regress_each(const char *file, tg_regress_cb cb, void *ud,
                    struct tg_err *e)
{
	FILE *f = fopen(file, "r");
	struct rg g;
	char line[8192];
	int r = 0;
	if (!f) {
		tg_errf(e, "%s: cannot open: %s", file, strerror(errno));
		return -1;
	}
	memset(&g, 0, sizeof(g));
	g.file = file;
	g.e = e;
	tg_case_init(&g.c);
	while (r == 0 && fgets(line, sizeof(line), f)) {
		g.line++;
		size_t n = strlen(line);
		if (n && line[n - 1] != '\n' && !feof(f)) {
			r = fail(&g, "line too long", NULL);
			break;
		}
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "===", 3) == 0) {
			if ((r = finish(&g, cb, ud)))
				break;
			p += 3;
			while (*p == ' ')
				p++;
			if (!*p) {
				r = fail(&g, "case without a name", NULL);
				break;
			}
			snprintf(g.name, sizeof(g.name), "%s", p);
			g.cline = g.line;
			continue;
		}
		if (*p == '#' || (*p == 0 && g.srclen == 0))
			continue;
		if (!g.name[0]) {
			r = fail(&g, "text before the first '=== NAME'", NULL);
			break;
		}
		if (*p == '!')
			r = directive(&g, p + 1);
		else
			r = src_add(&g, line);
	}
	if (r == 0 && ferror(f))
		r = fail(&g, "read error", NULL);
	if (r == 0)
		r = finish(&g, cb, ud);
	fclose(f);
	tg_case_free(&g.c);
	free(g.src);
	return r;
}
