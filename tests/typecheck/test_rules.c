/*
 * Every verifier rule on both sides: a program that must be flagged (with
 * the severity and pc) and a near miss that must not be. Plus the domain
 * itself (branch refinement, types shown by --types) and the API's
 * argument checks.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "difvm/difvm.h"
#include "difvm/typecheck.h"
#include "tctest.h"

static struct dif_module *assemble(const char *src)
{
	return tc_assemble(src, "rules");
}

static struct dif_tc *check(const char *src, uint32_t flags)
{
	struct dif_module *mod = assemble(src);
	struct dif_tc *tc = NULL;
	DIF_OPTS(dif_tc_opts, o, .flags = flags);
	cr_assert_eq(dif_typecheck(mod, &o, &tc), 0);
	for (size_t i = 0; i < dif_module_count(mod); i++)
		cr_assert(dif_tc_analysed(tc, i), "DIFO %zu not analysed", i);
	dif_module_free(mod);
	return tc;
}

#define find tc_find

static void dump(const struct dif_tc *tc, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (size_t i = 0; i < dif_tc_count(tc) && o < len; i++) {
		const struct dif_tc_finding *f = dif_tc_get(tc, i);
		o += (size_t)snprintf(buf + o, len - o, "[%u %s %d: %s] ", f->pc,
		                      f->rule, f->severity, f->reason);
	}
}

/* src must give rule at pc with severity sev. */
static void flagged(const char *src, const char *rule,
                    enum dif_tc_severity sev, uint32_t pc)
{
	struct dif_tc *tc = check(src, 0);
	char all[4096];
	dump(tc, all, sizeof(all));
	int hit = 0;
	for (size_t i = 0; i < dif_tc_count(tc); i++) {
		const struct dif_tc_finding *f = dif_tc_get(tc, i);
		if (!strcmp(f->rule, rule) && f->severity == sev && f->pc == pc) {
			hit = 1;
			cr_assert(f->reason[0] && f->suggestion[0] && f->title[0] &&
			          f->category[0], "finding without explanation");
		}
	}
	cr_assert(hit, "%s (severity %d) not at pc %u: %s", rule, sev, pc, all);
	dif_tc_free(tc);
}

/* src must not give rule at all. */
static void clean(const char *src, const char *rule)
{
	struct dif_tc *tc = check(src, 0);
	char all[4096];
	dump(tc, all, sizeof(all));
	cr_assert_null(find(tc, rule), "unexpected %s: %s", rule, all);
	dif_tc_free(tc);
}

/* ---- uninit-reg ---------------------------------------------------- */
Test(rules, uninit_reg)
{
	flagged("\tadd %r1, %r2, %r3\n\tret %r3\n", "uninit-reg", DIF_TC_ERROR, 0);
	flagged("\tldga args, %r0, %r1\n\ttst %r1\n\tbe l\n\tsetx 1, %r2\n"
	        "l:\tret %r2\n", "uninit-reg", DIF_TC_WARNING, 4);
	clean("\tldga args, %r0, %r1\n\tsetx 2, %r2\n\ttst %r1\n\tbe l\n"
	      "\tsetx 1, %r2\nl:\tret %r2\n", "uninit-reg");
}

/* ---- div-zero ------------------------------------------------------- */
Test(rules, div_zero)
{
	flagged("\tsetx 7, %r1\n\tsetx 0, %r2\n\tudiv %r1, %r2, %r3\n\tret %r3\n",
	        "div-zero", DIF_TC_ERROR, 2);
	flagged("\tldga args, %r0, %r1\n\tldub [%r1], %r2\n"
	        "\turem %r1, %r2, %r3\n\tret %r3\n", "div-zero", DIF_TC_WARNING, 2);
	flagged("\tsetx 0x8000000000000000, %r1\n\tsetx -1, %r2\n"
	        "\tsdiv %r1, %r2, %r3\n\tret %r3\n", "div-zero", DIF_TC_ERROR, 2);
	/* the near miss: the branch proves the divisor non-zero */
	clean("\tldga args, %r0, %r1\n\tldub [%r1], %r2\n\ttst %r2\n\tbe z\n"
	      "\tudiv %r1, %r2, %r3\n\tret %r3\nz:\tret %r0\n", "div-zero");
	/* cmp + bgu narrows too */
	clean("\tldga args, %r0, %r1\n\tldub [%r1], %r2\n\tsetx 3, %r4\n"
	      "\tcmp %r2, %r4\n\tbleu z\n\tsrem %r1, %r2, %r3\n\tret %r3\n"
	      "z:\tret %r0\n", "div-zero");
	/* one root cause: the second division by the same register is quiet */
	struct dif_tc *tc = check("\tldga args, %r0, %r1\n\tldub [%r1], %r2\n"
	                          "\tudiv %r1, %r2, %r3\n\turem %r1, %r2, %r4\n"
	                          "\tret %r4\n", 0);
	size_t n = 0;
	for (size_t i = 0; i < dif_tc_count(tc); i++)
		n += !strcmp(dif_tc_get(tc, i)->rule, "div-zero");
	cr_assert_eq(n, 1);
	const struct dif_tc_finding *f = find(tc, "div-zero");
	cr_assert_str_eq(f->reason, "divisor %r2 in [0, 255]");
	cr_assert_eq(f->nslice, 2);
	cr_assert_eq(f->slice[0], 0);
	cr_assert_eq(f->slice[1], 1);
	dif_tc_free(tc);
}

/* ---- tuple-overflow ----------------------------------------------- */
#define PUSH8 "\tpushtv ctf, %r0\n\tpushtv ctf, %r0\n\tpushtv ctf, %r0\n" \
              "\tpushtv ctf, %r0\n\tpushtv ctf, %r0\n\tpushtv ctf, %r0\n" \
              "\tpushtv ctf, %r0\n\tpushtv ctf, %r0\n"
Test(rules, tuple_overflow)
{
	flagged("\tflushts\n" PUSH8 "\tpushtv ctf, %r0\n\tret %r0\n",
	        "tuple-overflow", DIF_TC_ERROR, 9);
	flagged("\tldga args, %r0, %r1\n\tflushts\n\ttst %r1\n\tbe l\n"
	        "\tpushtv ctf, %r0\nl:" PUSH8 "\tret %r0\n",
	        "tuple-overflow", DIF_TC_WARNING, 12);
	clean("\tflushts\n" PUSH8 "\tflushts\n\tpushtv ctf, %r0\n\tret %r0\n",
	      "tuple-overflow");
}

/* ---- tuple-args ----------------------------------------------------- */
Test(rules, tuple_args)
{
	flagged("\tflushts\n\tcall strlen, %r1\n\tret %r1\n", "tuple-args",
	        DIF_TC_ERROR, 1);
	flagged("\tflushts\n\tsets \"a\", %r2\n\tpushtr string, %r0, %r2\n"
	        "\tcall strjoin, %r1\n\tret %r1\n", "tuple-args", DIF_TC_ERROR, 3);
	clean("\tflushts\n\tsets \"abc\", %r2\n\tpushtr string, %r0, %r2\n"
	      "\tcall strlen, %r1\n\tret %r1\n", "tuple-args");
}

/* ---- null-deref ----------------------------------------------------- */
Test(rules, null_deref)
{
	flagged("\tldx [%r0], %r1\n\tret %r1\n", "null-deref", DIF_TC_ERROR, 0);
	flagged("\tsetx 0, %r2\n\tsetx 1, %r1\n\tstb %r1, [%r2]\n\tret %r0\n",
	        "null-deref", DIF_TC_ERROR, 2);
	flagged("\tflushts\n\tpushtr string, %r0, %r0\n\tcall strlen, %r1\n"
	        "\tret %r1\n", "null-deref", DIF_TC_ERROR, 2);
	/* unknown host pointers are not warned about */
	clean("\tldga args, %r0, %r1\n\tldx [%r1], %r2\n\tret %r2\n", "null-deref");
}

/* ---- store-target --------------------------------------------------- */
Test(rules, store_target)
{
	flagged("\tsets \"abc\", %r1\n\tstb %r0, [%r1]\n\tret %r0\n",
	        "store-target", DIF_TC_ERROR, 1);
	flagged("\tldga args, %r0, %r1\n\tstx %r0, [%r1]\n\tret %r0\n",
	        "store-target", DIF_TC_WARNING, 1);
	/* past the end of scratch */
	flagged("\tsetx 8, %r1\n\tallocs %r1, %r2\n\tsetx 65536, %r3\n"
	        "\tadd %r2, %r3, %r2\n\tstx %r0, [%r2]\n\tret %r0\n",
	        "store-target", DIF_TC_WARNING, 4);
	clean("\tsetx 16, %r1\n\tallocs %r1, %r2\n\tsetx 8, %r3\n"
	      "\tadd %r2, %r3, %r4\n\tstx %r3, [%r4]\n\tret %r0\n", "store-target");
	/* bcopy needs the allocated part: alloca first */
	clean("\tflushts\n\tsetx 32, %r1\n\tpushtv ctf, %r1\n\tcall alloca, %r2\n"
	      "\tflushts\n\tsets \"abcdefgh\", %r3\n\tpushtv ctf, %r3\n"
	      "\tpushtv ctf, %r2\n\tsetx 8, %r4\n\tpushtv ctf, %r4\n"
	      "\tcall bcopy, %r5\n\tret %r0\n", "store-target");
	flagged("\tflushts\n\tsets \"abcdefgh\", %r3\n\tpushtv ctf, %r3\n"
	        "\tpushtv ctf, %r3\n\tsetx 8, %r4\n\tpushtv ctf, %r4\n"
	        "\tcall bcopy, %r5\n\tret %r0\n", "store-target", DIF_TC_ERROR, 6);
	/* this->p = alloca(16); *this->p = 0: the clause-local keeps the
	 * scratch pointer within the execution */
	clean(".var p local scalar id=0x500 type=int8\n"
	      "\tflushts\n\tsetx 16, %r1\n\tpushtv ctf, %r1\n"
	      "\tcall alloca, %r2\n\tstls %r2, p\n\tldls p, %r3\n"
	      "\tstx %r0, [%r3]\n\tret %r0\n", "store-target");
	/* ... unless a store through an unknown pointer came in between */
	flagged(".var p local scalar id=0x500 type=int8\n"
	        "\tflushts\n\tsetx 16, %r1\n\tpushtv ctf, %r1\n"
	        "\tcall alloca, %r2\n\tstls %r2, p\n\tldga args, %r0, %r4\n"
	        "\tstx %r0, [%r4]\n\tldls p, %r3\n\tstx %r0, [%r3]\n"
	        "\tret %r0\n", "store-target", DIF_TC_WARNING, 8);
}

/* ---- misaligned ----------------------------------------------------- */
Test(rules, misaligned)
{
	flagged("\tsetx 16, %r1\n\tallocs %r1, %r2\n\tsetx 1, %r3\n"
	        "\tadd %r2, %r3, %r2\n\tsth %r0, [%r2]\n\tret %r0\n",
	        "misaligned", DIF_TC_ERROR, 4);
	flagged("\tsetx 512, %r1\n\tallocs %r1, %r2\n\tldga args, %r0, %r3\n"
	        "\tldub [%r3], %r3\n\tadd %r2, %r3, %r2\n\tstw %r0, [%r2]\n"
	        "\tret %r0\n", "misaligned", DIF_TC_WARNING, 5);
	/* near miss: the offset is masked to a multiple of 4 */
	clean("\tsetx 512, %r1\n\tallocs %r1, %r2\n\tldga args, %r0, %r3\n"
	      "\tldub [%r3], %r3\n\tsetx 0xfc, %r4\n\tand %r3, %r4, %r3\n"
	      "\tadd %r2, %r3, %r2\n\tstw %r0, [%r2]\n\tret %r0\n", "misaligned");
}

/* ---- string-expected ----------------------------------------------- */
Test(rules, string_expected)
{
	flagged("\tsetx 5, %r1\n\tsets \"a\", %r2\n\tscmp %r1, %r2\n\tret %r0\n",
	        "string-expected", DIF_TC_ERROR, 2);
	flagged("\tflushts\n\tsetx 4, %r1\n\tsetx 3, %r2\n\tadd %r1, %r2, %r1\n"
	        "\tpushtr string, %r0, %r1\n\tret %r0\n", "string-expected",
	        DIF_TC_ERROR, 4);
	/* NULL is a string; a value from memory never contradicts one */
	clean("\tsets \"a\", %r2\n\tscmp %r0, %r2\n\tldga args, %r0, %r3\n"
	      "\tldx [%r3], %r3\n\tscmp %r3, %r2\n\tret %r0\n", "string-expected");
}

/* ---- type-mismatch -------------------------------------------------- */
Test(rules, type_mismatch)
{
	flagged(".return string 256\n\tsetx 5, %r1\n\tret %r1\n", "type-mismatch",
	        DIF_TC_ERROR, 1);
	clean(".return string 256\n\tsets \"five\", %r1\n\tret %r1\n",
	      "type-mismatch");
	/* one variable, a string in one clause and a number in another */
	flagged(".difo a\n.var v global scalar id=0x500 type=int8\n"
	        "\tsets \"s\", %r1\n\tstgs %r1, v\n\tret %r0\n"
	        ".difo b\n.var v global scalar id=0x500 type=int8\n"
	        "\tsetx 3, %r1\n\tstgs %r1, v\n\tret %r0\n",
	        "type-mismatch", DIF_TC_WARNING, 1);
	clean(".difo a\n.var v global scalar id=0x500 type=int8\n"
	      "\tsetx 4, %r1\n\tstgs %r1, v\n\tret %r0\n"
	      ".difo b\n.var v global scalar id=0x500 type=int8\n"
	      "\tsetx 3, %r1\n\tstgs %r1, v\n\tret %r0\n", "type-mismatch");
	/* associative keys of different kinds */
	flagged(".difo a\n.var c global array id=0x500 type=int8\n"
	        "\tflushts\n\tpushtv ctf, %r0\n\tsetx 1, %r1\n\tstgaa %r1, c\n"
	        "\tret %r0\n"
	        ".difo b\n.var c global array id=0x500 type=int8\n"
	        "\tflushts\n\tsets \"k\", %r2\n\tpushtr string, %r0, %r2\n"
	        "\tldgaa c, %r1\n\tret %r1\n", "type-mismatch", DIF_TC_WARNING, 3);
}

/* ---- scratch-exhausted --------------------------------------------- */
Test(rules, scratch_exhausted)
{
	flagged("\tsetx 0x20000, %r1\n\tallocs %r1, %r2\n\tret %r0\n",
	        "scratch-exhausted", DIF_TC_ERROR, 1);
	flagged("\tldga args, %r0, %r1\n\tallocs %r1, %r2\n\tret %r0\n",
	        "scratch-exhausted", DIF_TC_WARNING, 1);
	flagged("\tflushts\n\tsets \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", %r1\n"
	        "\tpushtr string, %r0, %r1\n\tpushtr string, %r0, %r1\n"
	        "\tcall strjoin, %r2\n\tret %r2\n", "scratch-exhausted",
	        DIF_TC_ERROR, 4);
	clean("\tsetx 16, %r1\n\tallocs %r1, %r2\n\tflushts\n\tsets \"a\", %r1\n"
	      "\tpushtr string, %r0, %r1\n\tpushtr string, %r0, %r1\n"
	      "\tcall strjoin, %r2\n\tret %r2\n", "scratch-exhausted");
	/* the size bounded by a compare */
	clean("\tldga args, %r0, %r1\n\tsetx 4096, %r3\n\tcmp %r1, %r3\n"
	      "\tbgu big\n\tallocs %r1, %r2\n\tret %r2\nbig:\tret %r0\n",
	      "scratch-exhausted");
}

/* ---- shift-range ---------------------------------------------------- */
Test(rules, shift_range)
{
	flagged("\tsetx 64, %r1\n\tsetx 3, %r2\n\tsll %r2, %r1, %r3\n\tret %r3\n",
	        "shift-range", DIF_TC_WARNING, 2);
	clean("\tsetx 63, %r1\n\tsetx 3, %r2\n\tsll %r2, %r1, %r3\n\tret %r3\n",
	      "shift-range");
}

/* ---- unreachable ---------------------------------------------------- */
Test(rules, unreachable)
{
	struct dif_tc *tc = check("\tba l\n\tsetx 1, %r1\n\tsetx 2, %r1\n"
	                          "l:\tret %r0\n", 0);
	const struct dif_tc_finding *f = find(tc, "unreachable");
	cr_assert_not_null(f);
	cr_assert_eq(f->severity, DIF_TC_NOTE);
	cr_assert_eq(f->pc, 1);
	cr_assert_eq(f->aux, 2);
	dif_tc_free(tc);
	clean("\tldga args, %r0, %r1\n\ttst %r1\n\tbe l\n\tsetx 1, %r1\n"
	      "l:\tret %r1\n", "unreachable");
}

/* ---- the domain -------------------------------------------------- */
Test(domain, types_and_refinement)
{
	struct dif_tc *tc = check("\tldga args, %r0, %r1\n\tldsb [%r1], %r2\n"
	                          "\tsets \"x\", %r3\n\tsetx 16, %r4\n"
	                          "\tallocs %r4, %r5\n\tsetx 10, %r6\n"
	                          "\tcmp %r2, %r6\n\tbge out\n\tmov %r2, %r7\n"
	                          "out:\tret %r0\n",
	                          DIF_TC_KEEP_TYPES | DIF_TC_KEEP_STATES);
	struct dif_tc_value v;
	char buf[160];
	cr_assert_eq(dif_tc_result(tc, 0, 1, &v), 0);
	dif_tc_value_text(&v, buf, sizeof(buf));
	cr_assert_str_eq(buf, "int8 in [-128, 127]");
	cr_assert_eq(dif_tc_result(tc, 0, 2, &v), 0);
	dif_tc_value_text(&v, buf, sizeof(buf));
	cr_assert_str_eq(buf, "string (strtab) +[1, 1]");
	cr_assert_eq(dif_tc_result(tc, 0, 3, &v), 0);
	dif_tc_value_text(&v, buf, sizeof(buf));
	cr_assert_str_eq(buf, "int32 = 16"); /* D's type of the literal */
	cr_assert_eq(dif_tc_result(tc, 0, 4, &v), 0);
	cr_assert_str_eq(dif_tc_type_name(&v), "pointer");
	cr_assert_eq(v.tmask & 7, 0, "allocs is 8-aligned");
	/* on the fall-through edge of bge, %r2 < 10 */
	cr_assert_eq(dif_tc_result(tc, 0, 8, &v), 0);
	cr_assert_eq(v.smin, -128);
	cr_assert_eq(v.smax, 9);
	cr_assert_eq(dif_tc_result(tc, 0, 5, &v), 0);
	cr_assert_eq(dif_tc_result(tc, 0, 6, &v), DIF_E_NOTFOUND); /* cmp */
	struct dif_tc_state st;
	cr_assert_eq(dif_tc_state_at(tc, 0, 9, &st), 0);
	cr_assert(st.reached);
	cr_assert_eq(st.scratch_min, 16);
	cr_assert_eq(st.scratch_max, 16);
	cr_assert(st.regs[7].undef & DIF_TC_UNDEF_MAY);
	cr_assert(!(st.regs[7].undef & DIF_TC_UNDEF_MUST));
	dif_tc_free(tc);
}

Test(domain, infeasible_edges_are_dead)
{
	/* a constant makes the taken edge impossible: no finding there */
	struct dif_tc *tc = check("\tsetx 1, %r1\n\ttst %r1\n\tbe z\n\tret %r1\n"
	                          "z:\tudiv %r1, %r0, %r2\n\tret %r2\n",
	                          DIF_TC_KEEP_STATES);
	struct dif_tc_state st;
	cr_assert_eq(dif_tc_state_at(tc, 0, 4, &st), 0);
	cr_assert(!st.reached);
	cr_assert_null(find(tc, "div-zero"));
	dif_tc_free(tc);
}

Test(api, variables_across_difos)
{
	struct dif_module *mod = assemble(
		".difo a\n.var v global scalar id=0x500 type=int8\n"
		"\tsets \"s\", %r1\n\tstgs %r1, v\n\tret %r0\n"
		".difo b\n.var c thread array id=0x500 type=int8\n"
		"\tflushts\n\tpushtv ctf, %r0\n\tpushtv ctf, %r0\n"
		"\tsetx 3, %r1\n\tsttaa %r1, c\n\tret %r0\n");
	struct dif_tc *tc;
	cr_assert_eq(dif_typecheck(mod, NULL, &tc), 0);
	cr_assert_eq(dif_tc_nvars(tc), 2);
	struct dif_tc_var v;
	cr_assert_eq(dif_tc_var(tc, 0, &v), 0);
	cr_assert_str_eq(v.name, "v");
	cr_assert_eq(v.scope, DIF_VSCOPE_GLOBAL);
	cr_assert(!v.assoc);
	char buf[64];
	dif_tc_kinds_text(v.stored, buf, sizeof(buf));
	cr_assert_str_eq(buf, "string (strtab)");
	cr_assert_eq(dif_tc_var(tc, 1, &v), 0);
	cr_assert_str_eq(v.name, "c");
	cr_assert(v.assoc);
	cr_assert_eq(v.nkeys, 2);
	cr_assert_eq(v.keykinds[0], DIF_TC_T_VAL);
	cr_assert_eq(dif_tc_var(tc, 2, &v), DIF_E_INVAL);
	dif_tc_free(tc);
	dif_module_free(mod);
}

Test(api, argument_checks)
{
	struct dif_tc *tc = NULL;
	cr_assert_eq(dif_typecheck(NULL, NULL, &tc), DIF_E_INVAL);
	struct dif_module *mod = assemble("\tret %r0\n");
	cr_assert_eq(dif_typecheck(mod, NULL, NULL), DIF_E_INVAL);
	struct {
		struct dif_tc_opts o;
		uint64_t extra;
	} big = { .o = { .size = sizeof(big) }, .extra = 1 };
	cr_assert_eq(dif_typecheck(mod, &big.o, &tc), DIF_E_OPTS);
	cr_assert_eq(dif_typecheck(mod, NULL, &tc), 0);
	cr_assert_eq(dif_tc_count(tc), 0);
	struct dif_tc_value v;
	cr_assert_eq(dif_tc_result(tc, 0, 0, &v), DIF_E_INVAL); /* not kept */
	cr_assert_eq(dif_tc_result(tc, 5, 0, &v), DIF_E_INVAL);
	cr_assert_null(dif_tc_get(tc, 0));
	dif_tc_free(tc);
	dif_tc_free(NULL);
	dif_module_free(mod);
	/* a DIFO the validator rejects is skipped, not analysed */
	mod = assemble("\tadd %r1, %r2, %r0\n\tret %r0\n");
	cr_assert_eq(dif_typecheck(mod, NULL, &tc), 0);
	cr_assert(!dif_tc_analysed(tc, 0));
	dif_tc_free(tc);
	dif_module_free(mod);
}
