/*
 * hol-corpus: corpora for the HOL Light theory (spec/hol).
 *
 *   hol-corpus random --seed S --count N --out FILE [--strings]
 *       N cases (kind "random") focused on the instructions the theory
 *       covers, with programs using only those instructions and no
 *       by-reference variables or string built-ins; expected outcomes from
 *       the C model. Replay them against spec/hol/runtime. The string
 *       subroutines (strs.ml) and the digest of observed string registers
 *       only with --strings: their evaluation is slow (seconds to a minute
 *       per case).
 *   hol-corpus derive TESTS FILE
 *       the tests derived from the theory's guards (spec/hol/derive.ml, one
 *       line each: name|outcome|request, see derive_case) as a corpus of
 *       kind "hol" whose expected outcomes are HOL's.
 *   hol-corpus cases
 *       the model's cases of the covered instructions ("insn case" lines),
 *       compared by ./dev hol with the theory's case table.
 *   hol-corpus check-model FILE
 *       runs every case of FILE on the C model (spec/) and compares with
 *       the stored outcome; prints the mismatches, exit 1 if any.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testgen/tg.h"
#include "covered.h"
#include "reply.h"

/* Opcodes of spec/hol/cases.ml and subroutines of spec/hol/subr.ml, by
 * the names the model gives its cases. */
static const char *const covered_names[] = {
	"or", "xor", "and", "sll", "srl", "sub", "add", "mul", "sdiv", "udiv",
	"srem", "urem", "not", "mov", "cmp", "tst", "ba", "be", "bne", "bg",
	"bgu", "bge", "bgeu", "bl", "blu", "ble", "bleu", "ldsb", "ldsh", "ldsw",
	"ldub", "lduh", "lduw", "ldx", "ret", "nop", "setx", "sets", "ldga",
	"ldgs", "stgs", "ldta", "sra", "pushtr", "pushtv", "popts", "flushts",
	"ldls", "stls", "allocs", "copys", "stb", "sth", "stw", "stx", "uldsb",
	"uldsh", "uldsw", "uldub", "ulduh", "ulduw", "uldx", "rldsb", "rldsh",
	"rldsw", "rldub", "rlduh", "rlduw", "rldx", "stga",
	/* subroutines (spec/hol/subr.ml; hol_covered_subr) */
	"mutex_owned", "mutex_owner", "mutex_type_adaptive", "mutex_type_spin",
	"rw_read_held", "rw_write_held", "rw_iswriter", "copyin", "speculation",
	"progenyof", "copyout", "alloca", "bcopy", "copyinto", "msgdsize",
	"msgsize", "getmajor", "getminor", "ddi_pathname", "htons", "htonl",
	"htonll", "ntohs", "ntohl", "ntohll", "memref", "sx_shared_held",
	"sx_exclusive_held", "sx_isexclusive", "getf",
	/* dynamic variables and scmp (dyn.ml, scmp.ml) */
	"ldts", "stts", "ldgaa", "ldtaa", "stgaa", "sttaa", "scmp",
	/* string subroutines (strs.ml) */
	"strlen", "strjoin", "lltostr", "strchr", "strrchr", "toupper", "tolower",
};


static int covered_name(const char *n)
{
	for (size_t i = 0; i < sizeof(covered_names) / sizeof(covered_names[0]); i++)
		if (strcmp(covered_names[i], n) == 0)
			return 1;
	return 0;
}

/* String built-ins (dif-isa.md 7.2): their loads are outside the theory. */
static int string_builtin(unsigned id)
{
	return (id >= 0x112 && id <= 0x115) || id == 0x118 || id == 0x119 ||
	       id == 0x121 || id == 0x123;
}

/* Model cases that need host answers (docs/conventions.md Decisions 29):
 * an embedder's callbacks, outside the theory, which has none, so the
 * theory's guards are exhaustive without them. */
static int host_case(const char *insn, const char *name)
{
	if (strncmp(name, "host-", 5) == 0 || strstr(name, "-host-"))
		return 1;
	return (strcmp(insn, "copyout") == 0 || strcmp(insn, "copyoutstr") == 0) &&
	       (strcmp(name, "write") == 0 || strcmp(name, "write-refused") == 0);
}

/* The case stays inside what HOL evaluates. */
static int in_theory(const struct dc_case *c, int strings)
{
	if (dc_case_has_host(c))
		return 0; /* host callbacks are not in the theory */
	uint32_t at;
	if (!hol_covered_text(c->profile & 1, c->text, c->textlen, &at))
		return 0;
	for (uint32_t i = 0; i < c->textlen; i++) {
		uint32_t w = c->text[i];
		unsigned op = w >> 24;
		if ((op == 41 || op == 56) && string_builtin((w >> 8) & 0xffff))
			return 0;
		if (op == 47 && !strings && hol_string_subr((w >> 8) & 0xffff))
			return 0;
	}
	for (uint32_t k = 0; k < c->varlen; k++)
		if (c->vartab[k].id >= 0x500 && (c->vartab[k].type.flags & 1))
			return 0;
	return 1;
}

static struct tg_corpus *create(const char *path, const char *gen)
{
	struct tg_err e = { "" };
	struct tg_corpus *db;
	remove(path);
	if (tg_corpus_open(path, 1, &db, &e)) {
		fprintf(stderr, "hol-corpus: %s\n", e.msg);
		return NULL;
	}
	tg_corpus_begin(db);
	tg_corpus_set_meta(db, "generator", gen);
	tg_corpus_set_meta(db, "generator_version", TG_VERSION);
	tg_corpus_set_meta(db, "spec_version", tg_spec_version());
	tg_corpus_put_parts(db);
	return db;
}

/* model cases of the string subroutines (strs.ml) */
static int string_name(const char *n)
{
	static const char *const s[] = { "strlen", "strjoin", "lltostr", "strchr",
		                          "strrchr", "toupper", "tolower" };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		if (strcmp(s[i], n) == 0)
			return 1;
	return 0;
}

static int cmd_random(uint64_t seed, unsigned long count, const char *out,
                      int strings)
{
	struct tg_corpus *db = create(out, "hol-corpus random");
	if (!db)
		return 2;
	char buf[32];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)seed);
	tg_corpus_set_meta(db, "seed", buf);
	size_t np = tg_nparts();
	size_t *parts = calloc(np ? np : 1, sizeof(size_t));
	uint32_t *hits = calloc(np ? np : 1, sizeof(uint32_t));
	struct dc_outcome *o = malloc(sizeof(*o));
	if (!parts || !hits || !o)
		return 2;
	size_t nc = 0;
	for (size_t p = 0; p < np; p++) {
		struct tg_part pt;
		const char *why;
		tg_part_at(p, &pt);
		if (pt.insn && covered_name(pt.insn) && tg_part_applies(p, &why) &&
		    (strings || !string_name(pt.insn)))
			parts[nc++] = p;
	}
	struct tg_rng r = { seed };
	unsigned long made = 0, tries = 0;
	while (made < count && tries < count * 200 && nc) {
		tries++;
		size_t p = parts[tg_below(&r, nc)];
		struct dc_case c;
		tg_gen_random(tg_rand(&r), (long)p, &c);
		/* the digest of observed strings is in the theory, but reading
		 * long strings byte by byte costs up to a minute per case: only
		 * with --strings */
		if (!strings)
			c.observe = 0;
		memset(hits, 0, np * sizeof(uint32_t));
		if (!in_theory(&c, strings) || !tg_case_valid(&c) || tg_model_run(&c, o, hits)) {
			tg_case_free(&c);
			continue;
		}
		char name[32];
		snprintf(name, sizeof(name), "H%06lu", made);
		if (tg_corpus_put_case(db, name, "random", seed, (long)p, &c, o, hits)) {
			fprintf(stderr, "hol-corpus: %s: cannot store %s\n", out, name);
			return 2;
		}
		tg_case_free(&c);
		made++;
	}
	tg_corpus_commit(db);
	tg_corpus_close(db);
	printf("hol-corpus: %lu cases of the covered instructions (seed %llu, %lu drawn)\n",
	       made, (unsigned long long)seed, tries);
	free(parts);
	free(hits);
	free(o);
	return made == count ? 0 : 1;
}

static char *field(char **s, int sep)
{
	char *f = *s, *bar = strchr(f, sep);
	if (bar) {
		*bar = 0;
		*s = bar + 1;
	} else {
		*s = f + strlen(f);
	}
	return f;
}

static uint32_t numbers(char *s, uint64_t *v, uint32_t max)
{
	uint32_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
		v[n++] = strtoull(t, NULL, 10);
	return n;
}

/* hex bytes ("-" none) into a fresh buffer of n bytes (zero-filled) */
static int hex_bytes(const char *h, uint32_t n, uint8_t **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	uint8_t *b = calloc(n, 1);
	if (!b)
		return -1;
	if (strcmp(h, "-") != 0) {
		size_t len = strlen(h);
		if (len != 2u * n) {
			free(b);
			return -1;
		}
		for (uint32_t k = 0; k < n; k++) {
			unsigned x;
			if (sscanf(h + 2 * k, "%2x", &x) != 1) {
				free(b);
				return -1;
			}
			b[k] = (uint8_t)x;
		}
	}
	*out = b;
	return 0;
}

/*
 * One derived test (spec/hol/derive.ml): NAME|OUTCOME|REQUEST, where
 * REQUEST is the HOL runtime's request (spec/hol/server.ml) with ';' for
 * its line breaks, the same state HOL evaluated:
 *   case PROF DENY STRSIZE SSIZE RUNS ISSTR TKEY DYNSZ
 *   text W...; inttab V...; args V... (ten)
 *   var SCOPE ID KIND SIZE     KIND bits: 1 by-ref, 2 NULL marker, 4 string
 *   bvar ID VALUE; bstr ID LEN (a string of LEN 'a's)
 *   strtab HEX|-
 *   region BASE SIZE SPACE RIGHTS HEX|-   RIGHTS as the front end sends
 *       them: 8 toxic, else 1 readable (bytes given) | 2+32 canload
 * and OUTCOME "R v" or "F code addr pc", with " D n" when n dynamic
 * variable stores were dropped. A variable that an associative-array
 * instruction (ldgaa, ldtaa, stgaa, sttaa) names is declared an array,
 * every other one scalar (a by-ref global or clause-local is then the
 * NULL marker the front end sends); their names are the string table's
 * offset 0.
 */
static int derive_case(char *req, struct dc_case *c, const char **why)
{
	struct tg_prog p;
	tg_prog_init(&p);
	tg_case_init(c);
	c->rtype = (struct dc_type){ .kind = 0, .ckind = 1, .flags = 0, .size = 8 };
	uint8_t *strtab = NULL;
	uint32_t strn = 0;
	struct dc_var vars[16];
	uint32_t nv = 0;
	*why = "malformed request";
	while (*req) {
		char *line = field(&req, ';');
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = 0;
		char *rest = sp + 1;
		uint64_t v[64];
		if (strcmp(line, "case") == 0) {
			if (numbers(rest, v, 8) != 8)
				return -1;
			c->profile = (uint32_t)v[0];
			c->deny = (uint32_t)v[1];
			c->strsize = (uint32_t)v[2];
			c->scratch_size = v[3];
			c->runs = (uint32_t)v[4];
			if (v[5])
				c->rtype = (struct dc_type){ .kind = 1, .ckind = 0,
				                             .flags = 1, .size = (uint32_t)v[2] };
			c->thread_key = v[6];
			c->dynvar_size = v[7];
		} else if (strcmp(line, "text") == 0) {
			uint32_t n = numbers(rest, v, 64);
			for (uint32_t k = 0; k < n; k++)
				tg_emit(&p, (uint32_t)v[k]);
		} else if (strcmp(line, "inttab") == 0) {
			uint32_t n = numbers(rest, v, 64);
			for (uint32_t k = 0; k < n; k++)
				p.inttab[p.nint++] = v[k];
		} else if (strcmp(line, "args") == 0) {
			uint32_t n = numbers(rest, v, 10);
			for (uint32_t k = 0; k < n; k++)
				c->args[k] = v[k];
		} else if (strcmp(line, "var") == 0) {
			if (numbers(rest, v, 4) != 4 || nv >= 16)
				return -1;
			struct dc_var *d = &vars[nv++];
			memset(d, 0, sizeof(*d));
			d->id = (uint32_t)v[1];
			d->scope = (uint8_t)v[0];
			d->kind = 1;
			d->flags = 3;
			d->type.kind = (v[2] & 4) ? 1 : 0;
			d->type.ckind = (v[2] & 4) ? 0 : 1;
			d->type.flags = (v[2] & 1) ? 1 : 0;
			d->type.size = (uint32_t)v[3];
			/* the front end marks every by-ref global or clause-local
			 * NULL and no other: the request must say the same */
			if (((v[2] & 2) != 0) != ((v[2] & 1) && v[0] != 1)) {
				*why = "variable kind the case format cannot express";
				return -1;
			}
		} else if (strcmp(line, "bvar") == 0 || strcmp(line, "bstr") == 0) {
			if (numbers(rest, v, 2) != 2 || c->nbvars >= DC_MAX_BVARS)
				return -1;
			struct dc_bvar *b = &c->bvars[c->nbvars++];
			b->id = (uint32_t)v[0];
			if (line[1] == 's') {
				b->str = malloc(v[1] + 1);
				if (!b->str)
					return -1;
				memset(b->str, 'a', v[1]);
				b->str[v[1]] = 0;
			} else {
				b->value = v[1];
			}
		} else if (strcmp(line, "strtab") == 0) {
			strn = strcmp(rest, "-") == 0 ? 0 : (uint32_t)(strlen(rest) / 2);
			if (hex_bytes(rest, strn, &strtab))
				return -1;
		} else if (strcmp(line, "region") == 0) {
			char *h = rest;
			char *tok[5];
			for (int k = 0; k < 5; k++)
				tok[k] = field(&h, ' ');
			if (!*tok[4] || c->nregions >= DC_MAX_REGIONS)
				return -1;
			struct dc_region *r = &c->regions[c->nregions++];
			r->addr = strtoull(tok[0], NULL, 10);
			r->size = (uint32_t)strtoul(tok[1], NULL, 10);
			r->as = (uint8_t)atoi(tok[2]);
			unsigned rights = (unsigned)atoi(tok[3]);
			if (rights == 8)
				r->flags = 2;
			else if (rights == 0 || rights == 1 || rights == 34 || rights == 35)
				r->flags = (rights & 2) ? 1 : 0;
			else {
				*why = "region rights the case format cannot express";
				return -1;
			}
			if ((rights & 1) && hex_bytes(tok[4], r->size, &r->bytes))
				return -1;
		} else {
			return -1;
		}
	}
	if (strn > sizeof(p.strtab))
		return -1;
	memcpy(p.strtab, strtab, strn);
	p.strlen = strn;
	free(strtab);
	/* HOL's variables have no kind; the case must declare the kind its
	 * instructions use, or the C model refuses the case */
	for (uint32_t w = 0; w < p.n; w++) {
		uint32_t op = p.text[w] >> 24, id = (p.text[w] >> 8) & 0xffff;
		if (op < 52 || op > 55) /* ldgaa, ldtaa, stgaa, sttaa */
			continue;
		for (uint32_t k = 0; k < nv; k++)
			if (vars[k].id == id)
				vars[k].kind = 0;
	}
	memcpy(p.vars, vars, nv * sizeof(vars[0]));
	p.nvars = nv;
	if (nv && strn == 0) {
		*why = "variables need a string table for their names";
		return -1;
	}
	if (tg_prog_to_case(&p, c))
		return -1;
	*why = "invalid program";
	return tg_case_valid(c) ? 0 : -1;
}

static int cmd_derive(const char *in, const char *out)
{
	FILE *f = fopen(in, "r");
	if (!f) {
		perror(in);
		return 2;
	}
	struct tg_corpus *db = create(out, "hol-corpus derive (spec/hol/derive.ml)");
	if (!db)
		return 2;
	static char line[1 << 16];
	unsigned long n = 0, bad = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *s = line;
		char *name = field(&s, '|'), *outc = field(&s, '|'), *req = s;
		struct dc_outcome o;
		memset(&o, 0, sizeof(o));
		if (hol_reply_outcome(outc, &o)) {
			fprintf(stderr, "hol-corpus: %s: %s: outcome '%s' not usable\n",
			        in, name, outc);
			bad++;
			continue;
		}
		struct dc_case c;
		const char *why;
		if (derive_case(req, &c, &why)) {
			fprintf(stderr, "hol-corpus: %s: %s: %s\n", in, name, why);
			bad++;
			tg_case_free(&c);
			continue;
		}
		if (tg_corpus_put_case(db, name, "hol", 0, -1, &c, &o, NULL)) {
			fprintf(stderr, "hol-corpus: %s: cannot store %s\n", out, name);
			return 2;
		}
		tg_case_free(&c);
		n++;
	}
	fclose(f);
	tg_corpus_commit(db);
	tg_corpus_close(db);
	printf("hol-corpus: %lu HOL-derived cases, %lu unusable\n", n, bad);
	return bad || n == 0 ? 1 : 0;
}

struct check {
	unsigned long n, bad;
	struct dc_outcome *o;
};

static int check_one(void *ud, const char *name, const struct dc_case *c,
                     const struct dc_outcome *want)
{
	struct check *k = ud;
	memset(k->o, 0, sizeof(*k->o));
	k->n++;
	int rc = tg_model_run(c, k->o, NULL);
	if (rc || !tg_outcome_equal(k->o, want)) {
		char a[160], b[160];
		if (rc)
			snprintf(a, sizeof(a), "cannot run the case (%d)", rc);
		else
			tg_outcome_text(k->o, a, sizeof(a));
		tg_outcome_text(want, b, sizeof(b));
		printf("mismatch %s: model %s, expected %s\n", name, a, b);
		k->bad++;
	}
	return 0;
}

static int cmd_check_model(const char *path)
{
	struct tg_err e = { "" };
	struct tg_corpus *db;
	if (tg_corpus_open(path, 0, &db, &e)) {
		fprintf(stderr, "hol-corpus: %s\n", e.msg);
		return 2;
	}
	struct check k = { 0, 0, malloc(sizeof(struct dc_outcome)) };
	if (!k.o)
		return 2;
	int rc = tg_corpus_each(db, NULL, NULL, 0, 1, check_one, &k, &e);
	tg_corpus_close(db);
	free(k.o);
	if (rc) {
		fprintf(stderr, "hol-corpus: %s\n", e.msg);
		return 2;
	}
	printf("C model: %lu passed, %lu failed\n", k.n - k.bad, k.bad);
	return k.bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "random") == 0) {
		uint64_t seed = 1;
		unsigned long count = 300;
		const char *out = NULL;
		int strings = 0;
		for (int i = 2; i < argc; i++)
			if (strcmp(argv[i], "--strings") == 0)
				strings = 1;
		for (int i = 2; i + 1 < argc; i += 2) {
			if (strcmp(argv[i], "--strings") == 0)
				i--;
			else if (strcmp(argv[i], "--seed") == 0)
				seed = strtoull(argv[i + 1], NULL, 0);
			else if (strcmp(argv[i], "--count") == 0)
				count = strtoul(argv[i + 1], NULL, 0);
			else if (strcmp(argv[i], "--out") == 0)
				out = argv[i + 1];
		}
		if (out)
			return cmd_random(seed, count, out, strings);
	} else if (argc == 4 && strcmp(argv[1], "derive") == 0) {
		return cmd_derive(argv[2], argv[3]);
	} else if (argc == 2 && strcmp(argv[1], "cases") == 0) {
		for (size_t p = 0; p < tg_nparts(); p++) {
			struct tg_part pt;
			tg_part_at(p, &pt);
			if (pt.insn && covered_name(pt.insn) &&
			    !host_case(pt.insn, pt.name))
				printf("%s %s\n", pt.insn, pt.name);
		}
		return 0;
	} else if (argc == 3 && strcmp(argv[1], "check-model") == 0) {
		return cmd_check_model(argv[2]);
	}
	fprintf(stderr, "usage: hol-corpus random --seed S --count N --out FILE [--strings]\n"
	                "       hol-corpus derive TESTS FILE\n"
	                "       hol-corpus cases\n"
	                "       hol-corpus check-model FILE\n");
	return 2;
}
