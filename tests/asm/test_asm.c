/* The assembler: hand-written programs against expected listings, one file
 * per syntax error, every opcode through asm -> dis, limits, and a fixed-seed
 * robustness run over random and mutated inputs. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/wait.h>

#include "../common.h"
#include "difvm/difvm.h"

static enum dif_profile profile_of(const char *name)
{
	return strstr(name, "illumos") ? DIF_PROFILE_ILLUMOS : DIF_PROFILE_FREEBSD;
}

static int asm_text(const char *text, size_t len, enum dif_profile p,
                    struct dif_module **m, struct dif_errors *errs)
{
	DIF_OPTS(dif_asm_opts, o, .profile = p);
	dif_errors_clear(errs);
	return dif_asm(text, len, &o, m, errs);
}

static char *dis_all(const struct dif_module *m, enum dif_profile p)
{
	size_t cap = 1, len = 0;
	char *all = calloc(1, 1);
	DIF_OPTS(dif_dis_opts, o, .profile = p);
	for (size_t i = 0; i < dif_module_count(m); i++) {
		char *t = dif_dis(dif_module_get(m, i), &o);
		cr_assert_not_null(t);
		size_t n = strlen(t);
		all = realloc(all, cap += n);
		memcpy(all + len, t, n + 1);
		len += n;
		free(t);
	}
	return all;
}

typedef int (*file_fn)(const char *dir, const char *name);

static int each_file(const char *dir, const char *ext, file_fn fn)
{
	DIR *d = opendir(test_src(dir));
	cr_assert_not_null(d, "%s", dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), x = strlen(ext);
		if (l > x && strcmp(e->d_name + l - x, ext) == 0)
			n += fn(dir, e->d_name);
	}
	closedir(d);
	return n;
}

static char *slurp_rel(const char *dir, const char *name, const char *ext,
                       size_t *len)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "%s/%.*s%s", dir,
	         (int)(strlen(name) - (ext ? 2 : 0)), name, ext ? ext : "");
	char *t = test_slurp(test_src(rel), len);
	cr_assert_not_null(t, "missing %s", rel);
	return t;
}

Test(asm, empty_input)
{
	struct dif_module *m = NULL;
	cr_assert_eq(dif_asm("", 0, NULL, &m, NULL), 0);
	cr_assert_eq(dif_module_count(m), 0);
	dif_module_free(m);
}

/* data/friendly/NAME.s assembles to exactly data/friendly/NAME.lst, and
 * that listing assembles back to itself. */
static int friendly(const char *dir, const char *name)
{
	size_t len;
	char *src = slurp_rel(dir, name, NULL, &len);
	char *want = slurp_rel(dir, name, ".lst", NULL);
	enum dif_profile p = profile_of(name);
	struct dif_module *m = NULL;
	struct dif_errors errs;
	int rc = asm_text(src, len, p, &m, &errs);
	cr_assert_eq(rc, 0, "%s: %u:%u: %s", name, errs.list[0].line,
	             errs.list[0].col, errs.list[0].msg);
	char *got = dis_all(m, p);
	cr_expect_str_eq(got, want, "%s", name);
	dif_module_free(m);
	cr_assert_eq(asm_text(want, strlen(want), p, &m, &errs), 0, "%s.lst", name);
	char *again = dis_all(m, p);
	cr_expect_str_eq(again, want, "%s.lst round trip", name);
	dif_module_free(m);
	free(src), free(want), free(got), free(again);
	return 1;
}

Test(asm, friendly_programs)
{
	int n = each_file("tests/asm/data/friendly", ".s", friendly);
	cr_assert_geq(n, 2);
}

/* data/errors/NAME.s fails with the first line of NAME.err:
 * "<rule> <line>:<col>: <message>". */
static int syntax_error(const char *dir, const char *name)
{
	size_t len;
	char *src = slurp_rel(dir, name, NULL, &len);
	char *want = slurp_rel(dir, name, ".err", NULL);
	want[strcspn(want, "\n")] = '\0';
	struct dif_module *m = NULL;
	struct dif_errors errs;
	int rc = asm_text(src, len, profile_of(name), &m, &errs);
	cr_assert_neq(rc, 0, "%s assembled", name);
	cr_assert_null(m);
	cr_assert_eq(errs.count, 1, "%s: %u errors (must stop at the first)", name,
	             errs.count);
	cr_assert_eq(errs.list[0].code, rc);
	char got[512];
	snprintf(got, sizeof(got), "%s %u:%u: %s", dif_err_name(errs.list[0].code),
	         errs.list[0].line, errs.list[0].col, errs.list[0].msg);
	cr_expect_str_eq(got, want, "%s", name);
	free(src), free(want);
	return 1;
}

Test(asm, syntax_errors)
{
	int n = each_file("tests/asm/data/errors", ".s", syntax_error);
	cr_assert_geq(n, 50);
}

static uint32_t rng_state = 0x2545f491u;
static uint32_t rnd(void)
{
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

/* The one word of a single-instruction listing line. */
static int asm_word(const char *line, enum dif_profile p, uint32_t *w,
                    struct dif_errors *errs)
{
	char src[256];
	snprintf(src, sizeof(src), ".difo t\n%s\n", line);
	struct dif_module *m = NULL;
	int rc = asm_text(src, strlen(src), p, &m, errs);
	if (rc)
		return rc;
	struct dif_difo_parts parts;
	dif_difo_get_parts(dif_module_get(m, 0), &parts);
	cr_assert_eq(parts.textlen, 1);
	*w = parts.text[0];
	dif_module_free(m);
	return 0;
}

/* Every opcode under both profiles, with random fields: the listing line
 * (index, hex word, text) assembles to the same word, and the text alone
 * assembles to a word that prints the same. */
Test(asm, every_opcode_through_asm_and_dis)
{
	struct dif_errors errs;
	for (int p = 0; p < 2; p++) {
		for (unsigned op = 0; op < 256; op++) {
			for (int k = 0; k < 8; k++) {
				uint32_t w = (op << 24) | (rnd() & 0xffffffu);
				if (k == 0)
					w = op << 24;
				char text[128], line[192];
				dif_insn_text(w, (enum dif_profile)p, text, sizeof(text));
				snprintf(line, sizeof(line), "00: %08x    %s", w, text);
				uint32_t got = 0;
				int rc = asm_word(line, (enum dif_profile)p, &got, &errs);
				cr_assert_eq(rc, 0, "'%s' (%s): %s", line,
				             dif_profile_name((enum dif_profile)p), errs.list[0].msg);
				cr_assert_eq(got, w, "'%s' gave %08x", line, got);
				if (!dif_op_name(op, (enum dif_profile)p))
					continue;
				rc = asm_word(text, (enum dif_profile)p, &got, &errs);
				cr_assert_eq(rc, 0, "'%s': %s", text, errs.list[0].msg);
				char back[128];
				dif_insn_text(got, (enum dif_profile)p, back, sizeof(back));
				cr_assert_str_eq(back, text);
			}
		}
	}
}

Test(asm, hex_word_must_match_text)
{
	struct dif_errors errs;
	uint32_t w;
	int rc = asm_word("00: 07010204    add  %r1, %r2, %r3", DIF_PROFILE_FREEBSD,
	                  &w, &errs);
	cr_assert_eq(rc, DIF_E_ENCODING);
	cr_assert_eq(errs.list[0].line, 2);
	cr_assert_eq(errs.list[0].col, 5);
	cr_assert(strstr(errs.list[0].msg, "07010204"));
	/* reserved bits the text does not show are kept, not an error */
	cr_assert_eq(asm_word("00: 0e01ff02    mov  %r1, %r2", DIF_PROFILE_FREEBSD,
	                      &w, &errs), 0);
	cr_assert_eq(w, 0x0e01ff02);
	/* a branch to a label is checked once the label is known */
	const char *src = ".difo t\n00: 11000001    ba L\nL: ret %r0\n";
	struct dif_module *m;
	cr_assert_eq(asm_text(src, strlen(src), DIF_PROFILE_FREEBSD, &m, &errs), 0);
	dif_module_free(m);
	src = ".difo t\n00: 11000002    ba L\nL: ret %r0\n";
	cr_assert_eq(asm_text(src, strlen(src), DIF_PROFILE_FREEBSD, &m, &errs),
	             DIF_E_ENCODING);
	cr_assert_eq(errs.list[0].line, 2);
}

/* Real output around the listings, CRLF line ends, FreeBSD's doubled 0x,
 * several DIFOs named difo0, difo1, ... */
Test(asm, liberal_listing_input)
{
	const char *src =
		"dtrace: description 'BEGIN' matched 1 probe\r\n"
		"\r\n"
		"DIFO 0x0x8071c48 returns D type (integer) (size 4)\r\n"
		"OFF OPCODE      INSTRUCTION\r\n"
		"00: 25000001    setx DT_INTEGER[0], %r1\t\t! 0x1\r\n"
		"01: 23000001    ret  %r1\r\n"
		"\n"
		"DIFO 0xfffffe15d57ff840 returns string (unknown) by ref (size 256)\n"
		"OFF OPCODE      INSTRUCTION\n"
		"00: 26000101    sets DT_STRING[1], %r1\t\t! \"a \"quoted\" # ; ! word\"\n"
		"01: 23000001    ret  %r1\n"
		"\n"
		"CPU     ID                    FUNCTION:NAME\n"
		"  0      1                           :BEGIN \n";
	struct dif_module *m;
	struct dif_errors errs;
	int rc = asm_text(src, strlen(src), DIF_PROFILE_FREEBSD, &m, &errs);
	cr_assert_eq(rc, 0, "%u:%u: %s", errs.list[0].line, errs.list[0].col,
	             errs.list[0].msg);
	cr_assert_eq(dif_module_count(m), 2);
	cr_assert_str_eq(dif_difo_name(dif_module_get(m, 0)), "difo0");
	cr_assert_str_eq(dif_difo_name(dif_module_get(m, 1)), "difo1");
	cr_assert_eq(dif_difo_ptr(dif_module_get(m, 0)), 0x8071c48);
	char *got = dis_all(m, DIF_PROFILE_FREEBSD);
	const char *want =
		"\nDIFO 0x8071c48 returns D type (integer) (size 4)\n"
		"OFF OPCODE      INSTRUCTION\n"
		"00: 25000001    setx DT_INTEGER[0], %r1\t\t! 0x1\n"
		"01: 23000001    ret  %r1\n"
		"\nDIFO 0xfffffe15d57ff840 returns string (unknown) by ref (size 256)\n"
		"OFF OPCODE      INSTRUCTION\n"
		"00: 26000101    sets DT_STRING[1], %r1\t\t! \"a \"quoted\" # ; ! word\"\n"
		"01: 23000001    ret  %r1\n";
	cr_assert_str_eq(got, want);
	free(got);
	dif_module_free(m);
}

/* dtrace -S ... 2>&1: dtrace prints no empty line after a listing's last
 * instruction or variable-table row, so its own messages and the probe
 * output can follow them directly; they end the listing. */
Test(asm, merged_dtrace_output_ends_a_listing)
{
	const char *src =
		"\n"
		"DIFO 0x8071c48 returns D type (integer) (size 4)\n"
		"OFF OPCODE      INSTRUCTION\n"
		"00: 25000001    setx DT_INTEGER[0], %r1\t\t! 0x1\n"
		"01: 23000001    ret  %r1\n"
		"dtrace: description 'BEGIN' matched 1 probe\n"
		"\n"
		"DIFO 0x8071c48 returns D type (integer) (size 4)\n"
		"OFF OPCODE      INSTRUCTION\n"
		"00: 25000001    setx DT_INTEGER[0], %r1\t\t! 0x1\n"
		"01: 2a050001    stgs %r1, DT_VAR(1280)\t\t! DT_VAR(1280) = \"x\"\n"
		"02: 23000001    ret  %r1\n"
		"\n"
		"NAME             ID   KND SCP FLAG TYPE\n"
		"x                500  scl glb w    D type (integer) (size 4)\n"
		"CPU     ID                    FUNCTION:NAME\n"
		"  0      1                           :BEGIN \n"
		"\n"
		"DIFO 0x8071c48 returns D type (integer) (size 4)\n"
		"OFF OPCODE      INSTRUCTION\n"
		"00: 23000000    ret  %r0\n"
		"  1      1                           :BEGIN \n"
		"dtrace: 1 error on CPU 0\n";
	struct dif_module *m;
	struct dif_errors errs;
	int rc = asm_text(src, strlen(src), DIF_PROFILE_ILLUMOS, &m, &errs);
	cr_assert_eq(rc, 0, "%u:%u: %s", errs.list[0].line, errs.list[0].col,
	             errs.list[0].msg);
	cr_assert_eq(dif_module_count(m), 3);
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(m, 0), &p);
	cr_assert_eq(p.textlen, 2);
	dif_difo_get_parts(dif_module_get(m, 1), &p);
	cr_assert_eq(p.varlen, 1);
	cr_assert_eq(p.vartab[0].id, 0x500);
	dif_difo_get_parts(dif_module_get(m, 2), &p);
	cr_assert_eq(p.textlen, 1);
	dif_module_free(m);
	/* a mistyped instruction line is still an error, not skipped */
	const char *bad = "\nDIFO 0x1 returns D type (integer) (size 4)\n"
	                  "OFF OPCODE      INSTRUCTION\n"
	                  "00 23000000    ret  %r0\n";
	cr_assert_neq(asm_text(bad, strlen(bad), DIF_PROFILE_ILLUMOS, &m, &errs), 0);
}

Test(asm, friendly_tables_and_names)
{
	const char *src =
		".difo first\n"
		".return int 4\n"
		"\tsetx 7, %r1   # a comment\n"
		"\tsetx 0x7, %r2 ; same value, same entry\n"
		"\tsetx -2, %r3\n"
		"\tsets \"\", %r4\n"
		"\tsets \"x\\ty\", %r5\n"
		"\tsets \"x\\ty\", %r6\n"
		"\tret %r1\n"
		"\n"
		"\tret %r2\n"
		"\tret %r3\n";
	struct dif_module *m;
	struct dif_errors errs;
	cr_assert_eq(asm_text(src, strlen(src), DIF_PROFILE_FREEBSD, &m, &errs), 0,
	             "%s", errs.list[0].msg);
	const struct dif_difo *d = dif_module_find(m, "first");
	cr_assert_not_null(d);
	struct dif_difo_parts p;
	dif_difo_get_parts(d, &p);
	cr_assert_eq(p.textlen, 9, "friendly programs do not end at blank lines");
	cr_assert_eq(p.intlen, 2);
	cr_assert_eq(p.inttab[0], 7);
	cr_assert_eq(p.inttab[1], (uint64_t)-2);
	cr_assert_eq(p.text[1], 0x25000002);
	cr_assert_eq(p.strlen, 5);
	cr_assert(memcmp(p.strtab, "\0x\ty\0", 5) == 0);
	cr_assert_eq(p.text[3], 0x26000004);
	cr_assert_eq(p.text[4], 0x26000105);
	cr_assert_eq(p.text[5], 0x26000106);
	cr_assert_eq(p.rtype.size, 4);
	dif_module_free(m);
}

Test(asm, var_declarations)
{
	const char *src =
		".difo v\n"
		".var a global scalar\n"
		".var b global scalar type=string\n"
		".var a thread scalar\n"
		".var c local array id=0x600 type=ctf:struct:24:byref flags=r/w\n"
		"\tldgs a, %r1\n"
		"\tstgs %r1, b\n"
		"\tstts %r1, a\n"
		"\tret %r1\n";
	struct dif_module *m;
	struct dif_errors errs;
	cr_assert_eq(asm_text(src, strlen(src), DIF_PROFILE_FREEBSD, &m, &errs), 0,
	             "%s", errs.list[0].msg);
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(m, 0), &p);
	cr_assert_eq(p.varlen, 4);
	cr_assert_eq(p.vartab[0].id, 0x500);
	cr_assert_eq(p.vartab[0].flags, DIF_VF_REF);
	cr_assert_eq(p.vartab[1].id, 0x501);
	cr_assert_eq(p.vartab[1].flags, DIF_VF_MOD);
	cr_assert_eq(p.vartab[1].type.kind, DIF_TYPE_STRING);
	cr_assert_eq(p.vartab[1].type.size, 256);
	cr_assert_eq(p.vartab[2].id, 0x500, "ids count per scope");
	cr_assert_eq(p.vartab[2].scope, DIF_VSCOPE_THREAD);
	cr_assert_eq(p.vartab[3].id, 0x600);
	cr_assert_eq(p.vartab[3].kind, DIF_VKIND_ARRAY);
	cr_assert_eq(p.vartab[3].type.ckind, 6);
	cr_assert_eq(p.vartab[3].type.flags, DIF_TF_BYREF);
	cr_assert_eq(p.vartab[3].flags, DIF_VF_REF | DIF_VF_MOD);
	cr_assert_str_eq(p.strtab + p.vartab[0].name, "a");
	cr_assert_eq(p.vartab[0].name, p.vartab[2].name, "names are shared");
	cr_assert_eq(p.text[2], 0x2d050001);
	dif_module_free(m);
}

/* What the validator rejects still assembles. */
Test(asm, encodes_what_the_validator_rejects)
{
	const char *src = ".difo bad\n"
	                  "L: mov %r1, %r0\n"
	                  "\tadd %r255, %r9, %r0\n"
	                  "\tsetx DT_INTEGER[9], %r1\n"
	                  "\tsets DT_STRING[9], %r1\n"
	                  "\tba L\n";
	struct dif_module *m;
	struct dif_errors errs;
	cr_assert_eq(asm_text(src, strlen(src), DIF_PROFILE_FREEBSD, &m, &errs), 0,
	             "%s", errs.list[0].msg);
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(m, 0), &p);
	cr_assert_eq(p.text[0], 0x0e010000);
	cr_assert_eq(p.text[1], 0x07ff0900);
	cr_assert_eq(p.text[4], 0x11000000);
	cr_assert_eq(p.intlen, 0);
	cr_assert_eq(p.strlen, 0);
	dif_module_free(m);
}

static char *repeat_lines(const char *head, const char *fmt, unsigned n)
{
	size_t cap = strlen(head) + (size_t)n * 48 + 64, len = 0;
	char *b = malloc(cap);
	len += (size_t)snprintf(b, cap, "%s", head);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)snprintf(b + len, cap - len, fmt, i, i);
	return b;
}

static void expect_limit(const char *src, uint32_t line, const char *what)
{
	struct dif_module *m = NULL;
	struct dif_errors errs;
	int rc = asm_text(src, strlen(src), DIF_PROFILE_FREEBSD, &m, &errs);
	cr_assert_eq(rc, DIF_E_LIMIT, "%s: rc %d (%s)", what, rc,
	             errs.count ? errs.list[0].msg : "");
	cr_assert_eq(errs.list[0].line, line, "%s: line %u: %s", what,
	             errs.list[0].line, errs.list[0].msg);
}

Test(asm, limits)
{
	char *s = repeat_lines(".difo t\n", "L%u_%u:\n", 65536);
	expect_limit(s, 65536 + 1, "labels");
	free(s);
	s = repeat_lines(".difo t\n", "\tnop\t# %u %u\n", 65537);
	expect_limit(s, 65537 + 1, "instructions");
	free(s);
	expect_limit(".difo t\n"
	             "00: 25ffff01    setx DT_INTEGER[65535], %r1\t! 0x1\n"
	             "\tsetx 2, %r1\n", 3, "integer table");
	expect_limit(".difo t\n"
	             "00: 26fffa01    sets DT_STRING[65530], %r1\t! \"abcdefghij\"\n"
	             "\tsets \"new\", %r1\n", 3, "string offsets");
	/* the whole DIFO must stay within DIF_DIFO_MAXSIZE */
	size_t big = DIF_DIFO_MAXSIZE + 10;
	char *b = malloc(big + 64);
	int n = snprintf(b, big + 64, ".difo t\n\tsets \"");
	memset(b + n, 'a', big);
	strcpy(b + n + big, "\", %r1\n");
	expect_limit(b, 2, "table size");
	free(b);
}

/* Random and mutated inputs must give a result or an error, never a crash
 * (run under the sanitizers too). */
static const char *const vocab[] = {
	".difo", ".var", ".return", ".word", ".ptr", ".varids", "DIFO", "returns",
	"D type", "(integer)", "(size", "8)", "string", "by ref", "NAME", "ID",
	"KND", "SCP", "FLAG", "TYPE", "OFF OPCODE      INSTRUCTION", "00:",
	"01:", "25000001", "setx", "sets", "stga", "ldga", "ldgs", "stgs", "call",
	"pushtr", "ba", "L1", "L1:", "%r1", "%r255", "%r999", "[%r2]", ",", "\"",
	"\"ab\\n\"", "\\", "DT_INTEGER[0]", "DT_STRING[1]", "DT_VAR(1280)",
	"DIF_SUBR(12)", "DT_TYPE(1)", "DT_XLREF[0]", "!", "! 0x", "! \"", "#", ";",
	"0x", "-1", "18446744073709551616", "global", "thread", "scalar", "array",
	"id=0x500", "type=int8", "flags=r/w", "(illegal opcode)", "\n", "\n\n",
	"\t", " ", "x", "glb", "scl", "r/w", "0x4/r", "500", "args", "pid",
	"strlen", "ret", "nop", "(", ")", "[", "]", ":", "\r\n", "\0",
};

static void must_survive(const char *buf, size_t len, enum dif_profile p)
{
	struct dif_module *m = NULL;
	struct dif_errors errs;
	int rc = asm_text(buf, len, p, &m, &errs);
	if (rc) {
		cr_assert_null(m);
		cr_assert_geq(errs.count, 1);
		cr_assert(errs.list[0].code > 0 && errs.list[0].code < DIF_NERR);
		cr_assert(errs.list[0].line >= 1 && errs.list[0].col >= 1);
		return;
	}
	char *t = dis_all(m, p);
	free(t);
	dif_module_free(m);
}

static char *corpus[64];
static size_t corpus_len[64];
static int ncorpus;

static int add_corpus(const char *dir, const char *name)
{
	if (ncorpus < 64) {
		corpus[ncorpus] = slurp_rel(dir, name, NULL, &corpus_len[ncorpus]);
		ncorpus++;
	}
	return 1;
}

Test(asm, robustness)
{
	rng_state = 0x9e3779b9u;
	char buf[8192];
	for (int i = 0; i < 3000; i++) {
		size_t len = 0;
		if (i % 3 == 0) {
			len = rnd() % 512;
			for (size_t k = 0; k < len; k++)
				buf[k] = (char)(rnd() & 0xff);
		} else {
			int n = (int)(rnd() % 80);
			for (int k = 0; k < n; k++) {
				size_t vi = rnd() % (sizeof(vocab) / sizeof(vocab[0]));
				const char *w = vocab[vi];
				size_t wl = vi == sizeof(vocab) / sizeof(vocab[0]) - 1 ? 1 : strlen(w);
				if (len + wl + 1 >= sizeof(buf))
					break;
				memcpy(buf + len, w, wl);
				len += wl;
				if (rnd() % 2)
					buf[len++] = ' ';
			}
		}
		must_survive(buf, len, (enum dif_profile)(i & 1));
	}

	ncorpus = 0;
	each_file("tests/dis/data", ".lst", add_corpus);
	each_file("tests/asm/data/friendly", ".s", add_corpus);
	each_file("tests/asm/data/errors", ".s", add_corpus);
	cr_assert_geq(ncorpus, 10);
	for (int i = 0; i < 3000; i++) {
		int c = (int)(rnd() % (unsigned)ncorpus);
		size_t len = corpus_len[c] < sizeof(buf) ? corpus_len[c] : sizeof(buf);
		memcpy(buf, corpus[c], len);
		int edits = 1 + (int)(rnd() % 8);
		for (int e = 0; e < edits && len > 0; e++) {
			size_t at = rnd() % len;
			switch (rnd() % 5) {
			case 0: /* flip a byte */
				buf[at] = (char)(rnd() & 0xff);
				break;
			case 1: /* delete a span */ {
				size_t n = 1 + rnd() % 16;
				if (at + n > len)
					n = len - at;
				memmove(buf + at, buf + at + n, len - at - n);
				len -= n;
				break;
			}
			case 2: /* duplicate a span */ {
				size_t n = 1 + rnd() % 64;
				if (at + n > len)
					n = len - at;
				if (len + n <= sizeof(buf)) {
					memmove(buf + at + n, buf + at, len - at);
					len += n;
				}
				break;
			}
			case 3: /* truncate */
				len = at;
				break;
			default: /* insert a vocabulary word */ {
				const char *w = vocab[rnd() % (sizeof(vocab) / sizeof(vocab[0]) - 1)];
				size_t n = strlen(w);
				if (len + n <= sizeof(buf)) {
					memmove(buf + at + n, buf + at, len - at);
					memcpy(buf + at, w, n);
					len += n;
				}
				break;
			}
			}
		}
		must_survive(buf, len, (enum dif_profile)(rnd() & 1));
	}
	for (int i = 0; i < ncorpus; i++)
		free(corpus[i]);
}

/* The difasm and difdis front ends: exit codes, help, round trips. */
static const char *tool(const char *name)
{
	static char buf[2][1024];
	static int k;
	const char *b = getenv("DIFVM_BUILDDIR");
	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/tools/%s", b ? b : "build", name);
	return buf[k];
}

/* Runs a shell command; returns its exit status, output in *out. */
static int run(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p, "%s", cmd);
	size_t cap = 4096, len = 0, n;
	char *b = malloc(cap);
	while ((n = fread(b + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 2)
			b = realloc(b, cap *= 2);
	}
	b[len] = '\0';
	int st = pclose(p);
	if (out)
		*out = b;
	else
		free(b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(asm, tools)
{
	char cmd[4096], *out;
	const char *src = getenv("DIFVM_SRCDIR") ? getenv("DIFVM_SRCDIR") : ".";
	const char *bld = getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR") : "build";

	snprintf(cmd, sizeof(cmd), "%s --version", tool("difasm"));
	cr_assert_eq(run(cmd, &out), 0);
	cr_assert(strncmp(out, "difasm (difvm) ", 15) == 0, "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s --help", tool("difdis"));
	cr_assert_eq(run(cmd, &out), 0);
	cr_assert(strstr(out, "Usage: difdis") && strstr(out, "--difo"));
	free(out);
	snprintf(cmd, sizeof(cmd), "%s 2>/dev/null", tool("difasm"));
	cr_assert_eq(run(cmd, NULL), 2, "no file is a usage error");
	snprintf(cmd, sizeof(cmd), "%s --profile solaris x.s 2>/dev/null", tool("difasm"));
	cr_assert_eq(run(cmd, NULL), 2);
	snprintf(cmd, sizeof(cmd), "%s %s/no/such/file.s 2>/dev/null", tool("difasm"), src);
	cr_assert_eq(run(cmd, NULL), 2, "a missing file is an I/O error");
	snprintf(cmd, sizeof(cmd), "%s %s/tests/asm/data/errors/hex_mismatch.s 2>&1",
	         tool("difasm"), src);
	cr_assert_eq(run(cmd, &out), 1);
	cr_assert(strstr(out, "hex_mismatch.s:4:5: error: hex word 07010203"), "%s", out);
	free(out);

	/* listing -> object -> listing */
	const char *c3 = "tests/dis/data/c3_tls_assoc_illumos.lst";
	char *want = test_slurp(test_src(c3), NULL);
	snprintf(cmd, sizeof(cmd), "%s -p illumos -o %s/tests/asm/c3.o %s/%s",
	         tool("difasm"), bld, src, c3);
	cr_assert_eq(run(cmd, NULL), 0);
	snprintf(cmd, sizeof(cmd), "%s -p illumos %s/tests/asm/c3.o", tool("difdis"), bld);
	cr_assert_eq(run(cmd, &out), 0);
	cr_assert_str_eq(out, want);
	free(out);
	snprintf(cmd, sizeof(cmd), "%s --difo nosuch %s/tests/asm/c3.o 2>/dev/null",
	         tool("difdis"), bld);
	cr_assert_eq(run(cmd, NULL), 1);
	free(want);

	/* --ids switches the variable-table style */
	want = test_slurp(test_src("tests/dis/data/c2_global_store_freebsd.lst"), NULL);
	snprintf(cmd, sizeof(cmd), "%s -p illumos --ids dec %s/tests/dis/data/c1_global_store_illumos.lst",
	         tool("difasm"), src);
	cr_assert_eq(run(cmd, &out), 0);
	cr_assert_str_eq(out, want);
	free(out);
	free(want);

	/* --names keeps program names through a round trip */
	snprintf(cmd, sizeof(cmd), "%s -n %s/tests/asm/data/friendly/mixed_programs.s | %s -n -",
	         tool("difasm"), src, tool("difdis"));
	cr_assert_eq(run(cmd, &out), 0);
	cr_assert(strstr(out, ".difo strs\n\nDIFO "), "%s", out);
	free(out);
}
