/*
 * difcheck end to end (exit codes, text lines, the JSON document) and the
 * report library it is built on.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "report.h"

static char tmpdir[256];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/difcheck-test-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(difcheck, .init = make_tmpdir, .fini = remove_tmpdir);

/* Writes text to a file in the temporary directory; returns its path. */
static const char *put(const char *name, const char *text)
{
	static char path[8][512];
	static int k;
	char *p = path[k++ % 8];
	snprintf(p, 512, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static const char *tool(const char *name)
{
	static char buf[2][512];
	static int k;
	char *p = buf[k++ % 2];
	const char *b = getenv("DIFVM_BUILDDIR");
	snprintf(p, 512, "%s/tools/%s", b ? b : "build", name);
	return p;
}

/* Runs a shell command; returns the exit status, stdout in *out (malloc'd). */
static int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(char **out, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	size_t r;
	while ((r = fread(b + n, 1, cap - n - 1, p)) > 0) {
		n += r;
		if (n + 1 == cap)
			b = realloc(b, cap *= 2);
	}
	b[n] = '\0';
	int st = pclose(p);
	if (out)
		*out = b;
	else
		free(b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char good_s[] =
	".difo main\n"
	"\tsetx DT_INTEGER[0], %r1\t\t! 0x2a\n"
	"\tret %r1\n";

static const char bad_s[] =
	".difo ok\n"
	"\tret %r0\n"
	".difo bad\n"
	".return int 3\n"
	".var x global scalar id=1280 type=string:0\n"
	"\tadd %r1, %r2, %r0\n"
	"\tba 1\n"
	"\tret %r0\n";

Test(difcheck, accepted_file_exits_0)
{
	const char *f = put("good.s", good_s);
	char *out;
	cr_assert_eq(run(&out, "%s %s", tool("difcheck -A validate"), f), 0);
	char want[1024];
	snprintf(want, sizeof(want), "%s: 1 DIFO, 1 accepted, 0 rejected\n", f);
	cr_assert_str_eq(out, want);
	free(out);
	cr_assert_eq(run(&out, "%s --quiet %s", tool("difcheck -A validate"), f), 0);
	cr_assert_str_eq(out, "");
	free(out);
}

Test(difcheck, rejected_file_lists_every_finding)
{
	const char *f = put("bad.s", bad_s);
	char *out;
	cr_assert_eq(run(&out, "%s %s", tool("difcheck -A validate"), f), 1);
	char want[2048];
	snprintf(want, sizeof(want),
	         "%1$s:bad:0: error: r0-write: add  %%r1, %%r2, %%r0  (cannot write to %%r0)\n"
	         "%1$s:bad:1: error: branch-backward: ba   1  (backward branch to 1)\n"
	         "%1$s:bad: error: return-size: bad return size 3\n"
	         "%1$s:bad:vartab[0]: error: var-zero-size: zero-sized variable\n"
	         "%1$s: 2 DIFOs, 1 accepted, 1 rejected\n",
	         f);
	cr_assert_str_eq(out, want);
	free(out);
}

Test(difcheck, stdin_and_object_input)
{
	const char *s = put("bad.s", bad_s);
	char *out;
	cr_assert_eq(run(&out, "%s -q - < %s", tool("difcheck -A validate"), s), 1);
	cr_assert(strstr(out, "<stdin>:bad:0: error: r0-write:") == out, "%s", out);
	free(out);
	char obj[600];
	snprintf(obj, sizeof(obj), "%s/bad.o", tmpdir);
	cr_assert_eq(run(NULL, "%s -o %s %s", tool("difasm"), obj, s), 0);
	cr_assert_eq(run(&out, "%s -q %s", tool("difcheck -A validate"), obj), 1);
	char want[700];
	snprintf(want, sizeof(want), "%s:bad:0: error: r0-write:", obj);
	cr_assert(strncmp(out, want, strlen(want)) == 0, "%s", out);
	free(out);
}

Test(difcheck, profile_and_nregs_options)
{
	const char *f = put("stga.s", ".difo main\n\t.word 0x50020100\n\tret %r0\n");
	char *out;
	cr_assert_eq(run(&out, "%s -q %s", tool("difcheck -A validate"), f), 1);
	cr_assert(strstr(out, "invalid-opcode: (illegal opcode)  (invalid opcode 80)"), "%s", out);
	free(out);
	cr_assert_eq(run(NULL, "%s -q --profile=illumos %s", tool("difcheck -A validate"), f), 0);
	cr_assert_eq(run(NULL, "%s -q -p illumos %s", tool("difcheck -A validate"), f), 0);

	const char *r = put("r5.s", ".difo main\n\tmov %r4, %r5\n\tret %r5\n");
	cr_assert_eq(run(NULL, "%s -q %s", tool("difcheck -A validate"), r), 0);
	cr_assert_eq(run(NULL, "%s -q --nregs=6 %s", tool("difcheck -A validate"), r), 0);
	cr_assert_eq(run(&out, "%s -q --nregs 5 %s", tool("difcheck -A validate"), r), 1);
	cr_assert(strstr(out, "main:0: error: invalid-register: mov  %r4, %r5  (invalid register 5)"),
	          "%s", out);
	free(out);
}

Test(difcheck, rule_29_across_difos_of_a_file)
{
	const char *f = put("m.s",
	                    ".difo a\n.var x global scalar id=1280 type=int8\n\tret %r0\n"
	                    ".difo b\n.var x global scalar id=1280 type=int4\n\tret %r0\n");
	char *out;
	cr_assert_eq(run(&out, "%s -q %s", tool("difcheck -A validate"), f), 1);
	char want[700];
	snprintf(want, sizeof(want),
	         "%s:b:vartab[0]: error: var-changed-size: 1280 changed variable type size\n", f);
	cr_assert_str_eq(out, want);
	free(out);
}

Test(difcheck, usage_and_load_errors_exit_2)
{
	const char *d = tool("difcheck -A validate");
	const char *good = put("good.s", good_s);
	const char *bad = put("bad.s", bad_s);
	cr_assert_eq(run(NULL, "%s 2>/dev/null", d), 2);
	cr_assert_eq(run(NULL, "%s --bogus %s 2>/dev/null", d, good), 2);
	cr_assert_eq(run(NULL, "%s --profile=solaris %s 2>/dev/null", d, good), 2);
	cr_assert_eq(run(NULL, "%s --nregs=0 %s 2>/dev/null", d, good), 2);
	cr_assert_eq(run(NULL, "%s --nregs=257 %s 2>/dev/null", d, good), 2);
	cr_assert_eq(run(NULL, "%s --analysis=nope %s 2>/dev/null", d, good), 2);
	cr_assert_eq(run(NULL, "%s %s/missing.s 2>/dev/null", d, tmpdir), 2);
	const char *syn = put("syntax.s", ".difo x\n\tfrobnicate %r1\n\tret %r0\n");
	char *err;
	/* A parse error wins over rejections; the other files are still checked. */
	cr_assert_eq(run(&err, "%s %s %s %s 2>&1", d, bad, syn, good), 2);
	cr_assert(strstr(err, "syntax.s:2:"), "%s", err);
	cr_assert(strstr(err, "bad.s: 2 DIFOs, 1 accepted, 1 rejected"), "%s", err);
	cr_assert(strstr(err, "good.s: 1 DIFO, 1 accepted, 0 rejected"), "%s", err);
	free(err);
}

Test(difcheck, help_version_list)
{
	char *out;
	cr_assert_eq(run(&out, "%s --help", tool("difcheck -A validate")), 0);
	cr_assert(strstr(out, "Usage: difcheck [OPTION]... FILE..."), "%s", out);
	cr_assert(strstr(out, "Exit status:"));
	cr_assert(strstr(out, "--profile"));
	cr_assert(strstr(out, "--json"));
	cr_assert(strstr(out, "--nregs"));
	free(out);
	cr_assert_eq(run(&out, "%s --version", tool("difcheck -A validate")), 0);
	cr_assert_str_eq(out, "difcheck (difvm) " DIFVM_VERSION "\n");
	free(out);
	cr_assert_eq(run(&out, "%s --list-analyses", tool("difcheck -A validate")), 0);
	cr_assert(strncmp(out, "validate ", 9) == 0, "%s", out);
	free(out);
}

/* ---------------------------------------------------------------------
 * A strict JSON syntax checker (RFC 8259 grammar, no extensions).
 */
struct jp {
	const char *s;
	int err;
};

static void jws(struct jp *p)
{
	while (*p->s == ' ' || *p->s == '\n' || *p->s == '\t' || *p->s == '\r')
		p->s++;
}

static void jvalue(struct jp *p);

static void jstring(struct jp *p)
{
	if (*p->s != '"') {
		p->err = 1;
		return;
	}
	for (p->s++; *p->s != '"'; p->s++) {
		unsigned char c = (unsigned char)*p->s;
		if (c < 0x20 || c >= 0x7f) { /* difcheck promises ASCII */
			p->err = 1;
			return;
		}
		if (c == '\\') {
			p->s++;
			if (*p->s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", p->s[i]) || !p->s[i]) {
						p->err = 1;
						return;
					}
				p->s += 4;
			} else if (!*p->s || !strchr("\"\\/bfnrt", *p->s)) {
				p->err = 1;
				return;
			}
		}
	}
	p->s++;
}

static void jvalue(struct jp *p)
{
	jws(p);
	if (p->err)
		return;
	char c = *p->s;
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		p->s++;
		jws(p);
		if (*p->s == close) {
			p->s++;
			return;
		}
		for (;;) {
			if (c == '{') {
				jws(p);
				jstring(p);
				jws(p);
				if (p->err || *p->s != ':') {
					p->err = 1;
					return;
				}
				p->s++;
			}
			jvalue(p);
			jws(p);
			if (p->err)
				return;
			if (*p->s == ',') {
				p->s++;
				continue;
			}
			if (*p->s == close) {
				p->s++;
				return;
			}
			p->err = 1;
			return;
		}
	}
	if (c == '"') {
		jstring(p);
		return;
	}
	if (strncmp(p->s, "true", 4) == 0 || strncmp(p->s, "null", 4) == 0) {
		p->s += 4;
		return;
	}
	if (strncmp(p->s, "false", 5) == 0) {
		p->s += 5;
		return;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		if (c == '-')
			p->s++;
		if (*p->s == '0')
			p->s++;
		else if (*p->s >= '1' && *p->s <= '9')
			while (*p->s >= '0' && *p->s <= '9')
				p->s++;
		else
			p->err = 1;
		return;
	}
	p->err = 1;
}

static int json_ok(const char *s)
{
	struct jp p = { s, 0 };
	jvalue(&p);
	jws(&p);
	return !p.err && *p.s == '\0';
}

Test(difcheck, json_document)
{
	const char *good = put("good.s", good_s);
	const char *bad = put("bad.s", bad_s);
	char *out;
	cr_assert_eq(run(&out, "%s --json %s %s %s/missing.s 2>/dev/null", tool("difcheck -A validate"), good,
	                 bad, tmpdir), 2);
	cr_assert(json_ok(out), "not JSON:\n%s", out);
	cr_assert(strstr(out, "\"schema\": \"difcheck/2\""));
	cr_assert(strstr(out, "\"profile\": \"freebsd\""));
	cr_assert(strstr(out, "{\"name\": \"main\", \"accepted\": true, \"dropped\": 0, \"findings\": []}"),
	          "%s", out);
	cr_assert(strstr(out, "{\"severity\": \"error\", \"analysis\": \"validate\", \"rule\": "
	                      "\"r0-write\", \"difo\": \"bad\", \"pc\": 0, \"var\": null, \"insn\": "
	                      "\"add  %r1, %r2, %r0\", \"message\": \"cannot write to %r0\", "
	                      "\"category\": null, \"reason\": null, \"slice\": [], \"path\": [], "
	                      "\"suggestion\": null}"),
	          "%s", out);
	cr_assert(strstr(out, "\"rule\": \"var-zero-size\", \"difo\": \"bad\", \"pc\": null, "
	                      "\"var\": 0,"),
	          "%s", out);
	cr_assert(strstr(out, "\"loaded\": false"), "%s", out);
	cr_assert(strstr(out, "\"summary\": {\"files\": 3, \"load_failures\": 1, \"difos\": 3, "
	                      "\"accepted\": 2, \"rejected\": 1, \"errors\": 4, \"warnings\": 0, "
	                      "\"notes\": 0, \"dropped\": 0}"),
	          "%s", out);
	free(out);
	cr_assert_eq(run(&out, "%s -j %s", tool("difcheck -A validate"), good), 0);
	cr_assert(json_ok(out), "%s", out);
	free(out);
}

Test(difcheck, json_checker_rejects_broken_documents)
{
	cr_assert(json_ok("{\"a\": [1, -2, true, null, \"x\\u00e9\"]}"));
	cr_assert(!json_ok("{\"a\": [1,]}"));
	cr_assert(!json_ok("{\"a\" 1}"));
	cr_assert(!json_ok("\"tab\there\""));
	cr_assert(!json_ok("{} {}"));
}

/* ---------------------------------------------------------------------
 * The report library on its own.
 */
static char *render(void (*fn)(FILE *, const struct rpt_file *), const struct rpt_file *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	fn(m, f);
	fclose(m);
	return buf;
}

Test(report, errors_become_findings)
{
	struct rpt_file f;
	cr_assert_eq(rpt_file_init(&f, "x.s"), 0);
	cr_assert_not_null(rpt_difo(&f, "a"));
	cr_assert_not_null(rpt_difo(&f, "b"));
	struct dif_errors e = { 0 };
	e.count = 3;
	e.list[0] = (struct dif_error){ .code = DIF_E_R0_WRITE, .pc = 2, .object = "b",
	                                .insn = "mov  %r1, %r0", .msg = "cannot write to %r0" };
	e.list[1] = (struct dif_error){ .code = DIF_E_VAR_KIND, .pc = DIF_NO_PC, .object = "b",
	                                .insn = "vartab[12]", .msg = "unrecognized variable type 4" };
	e.list[2] = (struct dif_error){ .code = DIF_E_NO_TEXT, .pc = DIF_NO_PC, .object = "",
	                                .msg = "missing DIF text" };
	e.dropped = 5;
	cr_assert_eq(rpt_add_errors(&f, "validate", RPT_ERROR, "c", &e), 0);
	cr_assert_eq(rpt_add(rpt_difo(&f, "a"), RPT_WARNING, "cfg", "unreachable", 4, RPT_NO_VAR,
	                     "nop", "never runs"),
	             0);
	cr_assert_eq(f.count, 3);
	cr_assert(rpt_accepted(&f.difos[0]), "a has only a warning");
	cr_assert(!rpt_accepted(&f.difos[1]));
	cr_assert(!rpt_accepted(&f.difos[2]), "c: error plus dropped ones");
	cr_assert_eq(f.difos[1].list[1].var, 12);
	cr_assert_str_eq(f.difos[1].list[1].insn, "");
	char *t = render(rpt_print_text, &f);
	cr_assert_str_eq(t,
	                 "x.s:a:4: warning: unreachable: nop  (never runs)\n"
	                 "x.s:b:2: error: r0-write: mov  %r1, %r0  (cannot write to %r0)\n"
	                 "x.s:b:vartab[12]: error: var-kind: unrecognized variable type 4\n"
	                 "x.s:c: error: no-text: missing DIF text\n"
	                 "x.s:c: note: 5 more findings not reported\n");
	free(t);
	struct rpt_summary s = { 0 };
	rpt_summarize(&f, &s);
	cr_assert_eq(s.difos, 3);
	cr_assert_eq(s.accepted, 1);
	cr_assert_eq(s.rejected, 2);
	cr_assert_eq(s.nsev[RPT_ERROR], 3);
	cr_assert_eq(s.nsev[RPT_WARNING], 1);
	cr_assert_eq(s.dropped, 5);
	rpt_file_fini(&f);
}

Test(report, json_escapes_everything)
{
	struct rpt_file f;
	cr_assert_eq(rpt_file_init(&f, "we\"ird\\na\xc3\xa9me\n.s"), 0);
	struct rpt_difo *d = rpt_difo(&f, "q\"\t");
	cr_assert_eq(rpt_add(d, RPT_NOTE, "validate", "r", DIF_NO_PC, RPT_NO_VAR, NULL,
	                     "ctl \x01 and \x7f and \"quotes\""),
	             0);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	rpt_print_json(m, &f, 1, "illumos", 8);
	fclose(m);
	cr_assert(json_ok(buf), "%s", buf);
	cr_assert(strstr(buf, "\"file\": \"we\\\"ird\\\\na\\u00c3\\u00a9me\\n.s\""), "%s", buf);
	cr_assert(strstr(buf, "\"message\": \"ctl \\u0001 and \\u007f and \\\"quotes\\\"\""),
	          "%s", buf);
	free(buf);
	rpt_file_fini(&f);
}

Test(report, many_difos_and_findings)
{
	struct rpt_file f;
	cr_assert_eq(rpt_file_init(&f, "-"), 0);
	for (int i = 0; i < 500; i++) {
		char name[16];
		snprintf(name, sizeof(name), "d%d", i);
		struct rpt_difo *d = rpt_difo(&f, name);
		cr_assert_not_null(d);
		for (int k = 0; k < i % 7; k++)
			cr_assert_eq(rpt_add(d, RPT_ERROR, "validate", "x", (uint32_t)k, RPT_NO_VAR,
			                     "nop", "m"),
			             0);
	}
	cr_assert_eq(f.count, 500);
	cr_assert_eq(rpt_difo(&f, "d250"), &f.difos[250]);
	cr_assert_eq(f.difos[250].count, 250 % 7);
	char *t = render(rpt_print_text, &f);
	cr_assert(strncmp(t, "<stdin>:d1:0: error: x: nop  (m)\n", 33) == 0, "%s", t);
	free(t);
	rpt_file_fini(&f);
}
