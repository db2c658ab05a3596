/*
 * The verifier's type oracle (dif_tc_opts.types): an unlinked DIFO is
 * analysed as it will run once linked, with C types. First through the
 * API with an oracle written here, then through difcheck --ctf/--btf with
 * type files that gcc builds at test time from a real struct.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "difvm/difvm.h"
#include "difvm/typecheck.h"
#include "tctest.h"

static const char rec_c[] =
	"struct rec {\n"
	"\tsigned char sc;\n"
	"\tunsigned short us;\n"
	"\tint i;\n"
	"\tlong l;\n"
	"\tchar name[16];\n"
	"\tstruct rec *next;\n"
	"};\n"
	"struct rec rec_instance;\n";

static const char other_c[] = "struct other { int x; };\n"
                              "struct other other_instance;\n";

static const char prog_s[] =
	".difo core\n"
	"\tldgs arg0, %r1\n"
	"\tuload @(struct rec, sc) [%r1], %r2\n"
	"\tuload @(struct rec, us) [%r1], %r3\n"
	"\tsetx @sizeof(struct rec), %r4\n"
	"\tsetx @offsetof(struct rec, name), %r5\n"
	"\tuload @(struct rec, next) [%r1], %r6\n"
	"\tret %r2\n"
	".difo ht\n"
	".var x global scalar type=int64\n"
	"\tldgs arg0, %r1\n"
	"\ttypecast \"struct rec *\", %r1\n"
	"\tusetx \"name\", %r2\n"
	"\tadd %r1, %r2, %r3\n"
	"\tstgs %r3, x\n"
	"\tusetx \"i\", %r2\n"
	"\tadd %r2, %r1, %r4\n"
	"\tuload [%r4], %r5\n"
	"\tret %r5\n"
	".difo chain\n" /* rec->next->i: a loaded pointer keeps its type */
	"\tldgs arg0, %r1\n"
	"\tuload @(struct rec, next) [%r1], %r2\n"
	"\tusetx \"i\", %r3\n"
	"\tadd %r2, %r3, %r4\n"
	"\tuload [%r4], %r5\n"
	"\tret %r5\n";

/* A load through a register typecast to "T *" reads a T; a register
 * typecast to a non-pointer type says nothing about what it points to. */
static const char cast_s[] = ".difo cast\n"
                             "\tldgs arg0, %r1\n"
                             "\ttypecast \"int *\", %r1\n"
                             "\tuload [%r1], %r2\n"
                             "\tldgs arg1, %r3\n"
                             "\ttypecast \"int\", %r3\n"
                             "\tuload [%r3], %r4\n"
                             "\tret %r2\n";

/* ---- the API, with an oracle that knows struct rec ----------------- */
static int calls;

static int fake_member(void *user, const char *type, const char *path,
                       struct dif_tc_member *out)
{
	cr_assert_eq(user, &calls);
	calls++;
	if (strcmp(type, "struct rec"))
		return -1;
	if (!strcmp(path, "sc")) {
		out->kind = DIF_TC_M_INT;
		out->width = 1;
		out->is_signed = 1;
	} else if (!strcmp(path, "us")) {
		out->kind = DIF_TC_M_INT;
		out->width = 2;
	} else if (!strcmp(path, "i")) {
		out->kind = DIF_TC_M_INT;
		out->width = 4;
		out->is_signed = 1;
	} else if (!strcmp(path, "name")) {
		out->kind = DIF_TC_M_STRING;
	} else if (!strcmp(path, "next")) {
		out->kind = DIF_TC_M_PTR;
		snprintf(out->pointee, sizeof(out->pointee), "struct rec");
	} else {
		return -1;
	}
	return 0;
}

static int fake_constant(void *user, unsigned kind, const char *type,
                         const char *path, uint64_t *value)
{
	(void)user;
	if (strcmp(type, "struct rec"))
		return -1;
	if (kind == DIF_RELOC_SIZEOF && !path) {
		*value = 40;
		return 0;
	}
	if (kind == DIF_RELOC_OFFSETOF && path && !strcmp(path, "name")) {
		*value = 16;
		return 0;
	}
	return -1;
}

static struct dif_module *assemble(const char *src)
{
	return tc_assemble(src, "ctf");
}

static struct dif_tc *check_with(const struct dif_module *mod,
                                 const struct dif_tc_oracle *o)
{
	struct dif_tc *tc = NULL;
	DIF_OPTS(dif_tc_opts, opts, .flags = DIF_TC_KEEP_TYPES, .types = o);
	cr_assert_eq(dif_typecheck(mod, &opts, &tc), 0);
	return tc;
}

static void result(const struct dif_tc *tc, size_t difo, uint32_t pc,
                   const char *want)
{
	struct dif_tc_value v;
	char buf[128];
	cr_assert_eq(dif_tc_result(tc, difo, pc, &v), 0, "pc %u", pc);
	dif_tc_value_text(&v, buf, sizeof(buf));
	cr_assert_str_eq(buf, want, "DIFO %zu pc %u: %s", difo, pc, buf);
}

#define find tc_find

Test(oracle, without_types_unlinked_difos_are_skipped)
{
	struct dif_module *mod = assemble(prog_s);
	struct dif_tc *tc = check_with(mod, NULL);
	cr_assert_not(dif_tc_analysed(tc, 0));
	cr_assert_not(dif_tc_analysed(tc, 1));
	cr_assert_null(find(tc, "type-mismatch"));
	dif_tc_free(tc);
	dif_module_free(mod);
}

Test(oracle, types_refine_loads_constants_and_strings)
{
	struct dif_module *mod = assemble(prog_s);
	struct dif_tc_oracle o = { sizeof(o), &calls, fake_member, fake_constant };
	calls = 0;
	struct dif_tc *tc = check_with(mod, &o);
	cr_assert(dif_tc_analysed(tc, 0));
	cr_assert(dif_tc_analysed(tc, 1));
	cr_assert_gt(calls, 0);
	result(tc, 0, 1, "int8 in [-128, 127]");
	result(tc, 0, 2, "uint16 in [0, 65535]");
	result(tc, 0, 3, "int64 = 40");
	result(tc, 0, 4, "int64 = 16");
	result(tc, 0, 5, "uint64 (any value)"); /* a pointer: ldx */
	result(tc, 1, 3, "string (host)");      /* &rec->name */
	result(tc, 1, 7, "int32 in [-2147483648, 2147483647]");
	cr_assert(dif_tc_analysed(tc, 2));
	result(tc, 2, 4, "int32 in [-2147483648, 2147483647]");
	const struct dif_tc_finding *f = find(tc, "type-mismatch");
	cr_assert_not_null(f);
	cr_assert_eq(f->difo, 1);
	cr_assert_eq(f->pc, 4);
	cr_assert_eq(f->severity, DIF_TC_WARNING);
	dif_tc_free(tc);
	dif_module_free(mod);
}

/* What the oracle does not know is an integer of unknown value, and
 * nothing is reported about it. */
Test(oracle, unknown_types_assume_nothing)
{
	static const char src[] =
		".difo u\n"
		".var x global scalar type=int64\n"
		"\tldgs arg0, %r1\n"
		"\tuload @(struct nope, sc) [%r1], %r2\n"
		"\tsetx @sizeof(struct nope), %r3\n"
		"\ttypecast \"struct rec *\", %r1\n"
		"\tusetx \"nosuch\", %r2\n"
		"\tadd %r1, %r2, %r4\n"
		"\tstgs %r4, x\n"
		"\tuload [%r4], %r5\n"
		"\tret %r5\n";
	struct dif_module *mod = assemble(src);
	struct dif_tc_oracle o = { sizeof(o), &calls, fake_member, fake_constant };
	struct dif_tc *tc = check_with(mod, &o);
	cr_assert(dif_tc_analysed(tc, 0));
	result(tc, 0, 1, "uint64 (any value)");
	result(tc, 0, 2, "int64 (any value)");
	result(tc, 0, 5, "int64 (any value)");
	result(tc, 0, 7, "uint64 (any value)");
	cr_assert_null(find(tc, "type-mismatch"));
	dif_tc_free(tc);
	dif_module_free(mod);
}

/* Another validator error keeps the DIFO out, types or not. */
Test(oracle, other_rejections_still_skip)
{
	static const char src[] = ".difo bad\n"
	                          "\tldgs arg0, %r1\n"
	                          "\tuload @(struct rec, sc) [%r1], %r2\n"
	                          "\tsetx 1, %r0\n"
	                          "\tret %r2\n";
	struct dif_module *mod = assemble(src);
	struct dif_tc_oracle o = { sizeof(o), &calls, fake_member, fake_constant };
	struct dif_tc *tc = check_with(mod, &o);
	cr_assert_not(dif_tc_analysed(tc, 0));
	dif_tc_free(tc);
	dif_module_free(mod);
}

Test(oracle, bad_oracle_size)
{
	struct dif_module *mod = assemble(prog_s);
	struct dif_tc_oracle o = { sizeof(size_t), NULL, fake_member, NULL };
	struct dif_tc *tc = NULL;
	DIF_OPTS(dif_tc_opts, opts, .types = &o);
	cr_assert_eq(dif_typecheck(mod, &opts, &tc), DIF_E_INVAL);
	cr_assert_null(tc);
	dif_module_free(mod);
}

/* ---- difcheck --ctf / --btf with gcc's types ------------------------ */
static char dir[1024];

static void write_file(const char *name, const char *text)
{
	char path[1200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static int sh(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void setup(void)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	snprintf(dir, sizeof(dir), "%s/tc-ctf-XXXXXX", b ? b : ".");
	cr_assert_not_null(mkdtemp(dir));
	write_file("rec.c", rec_c);
	write_file("other.c", other_c);
	write_file("prog.s", prog_s);
	write_file("cast.s", cast_s);
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && gcc -gctf -c rec.c -o rec-ctf.o && "
	         "gcc -gbtf -c rec.c -o rec-btf.o && "
	         "gcc -gctf -c other.c -o other-ctf.o", dir);
	cr_assert_eq(sh(cmd), 0, "%s (needs gcc with -gctf and -gbtf)", cmd);
}

static void teardown(void)
{
	char cmd[1200];
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		sh(cmd);
	}
}

/* difcheck ARGS prog.s in the test directory: stdout, exit status. */
static char *difcheck(const char *args, int *status)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s/tools/difcheck' %s 2>&1", dir,
	         b ? b : "build", args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t cap = 1 << 16;
	char *out = malloc(cap);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

static void has(const char *out, const char *s)
{
	cr_assert_not_null(strstr(out, s), "missing \"%s\" in:\n%s", s, out);
}

static void lacks(const char *out, const char *s)
{
	cr_assert_null(strstr(out, s), "unexpected \"%s\" in:\n%s", s, out);
}

static const char sc_line[] = "prog.s:core:1: uload [%r1], %r2  => %r2: ";

static void with_types(const char *opt)
{
	int st;
	char args[256];
	snprintf(args, sizeof(args), "-A typecheck --types %s prog.s", opt);
	char *out = difcheck(args, &st);
	cr_assert_eq(st, 0, "%s", out);
	has(out, "prog.s:core:1: uload [%r1], %r2  => %r2: int8 in [-128, 127]");
	has(out, "prog.s:core:2: uload [%r1], %r3  => %r3: uint16 in [0, 65535]");
	has(out, "prog.s:core:3: setx DT_INTEGER[0], %r4  => %r4: int64 = 40");
	has(out, "prog.s:core:4: setx DT_INTEGER[0], %r5  => %r5: int64 = 16");
	has(out, "prog.s:ht:3: add  %r1, %r2, %r3  => %r3: string (host)");
	has(out, "prog.s:ht:7: uload [%r4], %r5  => %r5: int32 in "
	         "[-2147483648, 2147483647]");
	has(out, "prog.s:ht:4: warning: type-mismatch: stgs %r3, DT_VAR(1280)");
	has(out, "prog.s:chain:4: uload [%r4], %r5  => %r5: int32 in "
	         "[-2147483648, 2147483647]");
	has(out, "integer variable x (size 64) is given %r3, a string");
	free(out);
}

Test(difcheck, ctf_types, .init = setup, .fini = teardown)
{
	with_types("--ctf rec-ctf.o");
}

Test(difcheck, btf_types, .init = setup, .fini = teardown)
{
	with_types("--btf rec-btf.o");
}

/* Without a type file the unlinked DIFOs are not analysed (the validator
 * reports them); with a type file that lacks struct rec they are, but the
 * loads are integers of any value and the string is not known. */
Test(difcheck, without_or_wrong_types, .init = setup, .fini = teardown)
{
	int st;
	char *out = difcheck("--types prog.s", &st);
	cr_assert_eq(st, 1, "%s", out);
	has(out, "error: unlinked: uload [%r1], %r2");
	lacks(out, sc_line);
	lacks(out, "type-mismatch");
	free(out);

	out = difcheck("-A typecheck --types --ctf other-ctf.o prog.s", &st);
	cr_assert_eq(st, 0, "%s", out);
	has(out, "prog.s:core:1: uload [%r1], %r2  => %r2: uint64 (any value)");
	has(out, "prog.s:core:3: setx DT_INTEGER[0], %r4  => %r4: int64 (any "
	         "value)");
	has(out, "prog.s:ht:3: add  %r1, %r2, %r3  => %r3: int64 (any value)");
	lacks(out, "type-mismatch");
	free(out);

	/* the first file that defines the type wins */
	out = difcheck("-A typecheck --types --ctf other-ctf.o --btf rec-btf.o "
	               "prog.s", &st);
	cr_assert_eq(st, 0, "%s", out);
	has(out, "prog.s:core:1: uload [%r1], %r2  => %r2: int8 in [-128, 127]");
	free(out);
}

Test(difcheck, bad_type_file, .init = setup, .fini = teardown)
{
	int st;
	char *out = difcheck("--ctf no-such-file.o prog.s", &st);
	cr_assert_eq(st, 2, "%s", out);
	free(out);
	out = difcheck("--btf rec.c prog.s", &st);
	cr_assert_eq(st, 2, "%s", out);
	free(out);
}

Test(difcheck, load_through_typecast_pointer, .init = setup, .fini = teardown)
{
	int st;
	const char *opts[] = { "--ctf rec-ctf.o", "--btf rec-btf.o" };
	for (int i = 0; i < 2; i++) {
		char args[256];
		snprintf(args, sizeof(args), "-A typecheck --types %s cast.s", opts[i]);
		char *out = difcheck(args, &st);
		cr_assert_eq(st, 0, "%s", out);
		has(out, "cast.s:cast:2: uload [%r1], %r2  => %r2: int32 in "
		         "[-2147483648, 2147483647]");
		has(out, "cast.s:cast:5: uload [%r3], %r4  => %r4: uint64 (any "
		         "value)");
		free(out);
	}
}
