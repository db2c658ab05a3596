/* The linker (dif_link) and difld: merging, renumbering, widening,
 * conflicts, table deduplication, determinism. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "../common.h"
#include "difvm/difvm.h"
#include "difvm/link.h"
#include "difvm/object.h"

static struct dif_module *assemble(const char *text)
{
	struct dif_module *m = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	DIF_OPTS(dif_asm_opts, o, .filename = "test");
	int rc = dif_asm(text, strlen(text), &o, &m, &e);
	cr_assert_eq(rc, 0, "assemble: %s", e.count ? e.list[0].msg : "?");
	return m;
}

static struct dif_module *assemble_file(const char *rel)
{
	size_t len;
	char *t = test_slurp(test_src(rel), &len);
	cr_assert_not_null(t, "%s", rel);
	struct dif_module *m = assemble(t);
	free(t);
	return m;
}

/* Links n modules; returns the code, *out and the first message. */
static int link2(struct dif_module **mods, const char **names, size_t n,
                 struct dif_module **out, char *msg, size_t cap)
{
	struct dif_link_input in[8];
	for (size_t i = 0; i < n; i++) {
		in[i].name = names ? names[i] : NULL;
		in[i].mod = mods[i];
	}
	struct dif_errors e;
	dif_errors_clear(&e);
	DIF_OPTS(dif_link_opts, o, .profile = DIF_PROFILE_FREEBSD);
	int rc = dif_link(in, n, &o, out, &e);
	if (msg)
		snprintf(msg, cap, "%s", e.count ? e.list[0].msg : "");
	if (rc)
		cr_assert_gt(e.count, 0, "a failure comes with a message");
	return rc;
}

static const struct dif_var *var_named(const struct dif_difo *d,
                                       const char *name)
{
	struct dif_difo_parts p;
	dif_difo_get_parts(d, &p);
	for (uint32_t i = 0; i < p.varlen; i++)
		if (p.vartab[i].name < p.strlen &&
		    strcmp(p.strtab + p.vartab[i].name, name) == 0)
			return &p.vartab[i];
	return NULL;
}

Test(link, merges_variables_by_name_and_widens)
{
	struct dif_module *m[2] = {assemble_file("tests/link/data/a.s"),
	                           assemble_file("tests/link/data/b.s")};
	const char *names[2] = {"a.o", "b.o"};
	struct dif_module *out = NULL;
	cr_assert_eq(link2(m, names, 2, &out, NULL, 0), 0);
	cr_assert_eq(dif_module_count(out), 4);
	const struct dif_difo *setx = dif_module_find(out, "setx");
	const struct dif_difo *readx = dif_module_find(out, "readx");
	const struct dif_difo *cnt = dif_module_find(out, "count");
	const struct dif_difo *rcnt = dif_module_find(out, "readcount");
	cr_assert(setx && readx && cnt && rcnt);
	/* one id per (name, scope) across both inputs */
	const struct dif_var *x1 = var_named(setx, "x"), *x2 = var_named(readx, "x");
	cr_assert(x1 && x2);
	cr_assert_eq(x1->id, x2->id);
	/* x was int4 in a.s and int8 in b.s: both rows say 8 now */
	cr_assert_eq(x1->type.size, 8);
	cr_assert_eq(x2->type.size, 8);
	cr_assert_eq(var_named(cnt, "counts")->id, var_named(rcnt, "counts")->id);
	/* y comes after counts, x, name: ids in order of first appearance */
	cr_assert_eq(var_named(cnt, "counts")->id, 0x500);
	cr_assert_eq(x1->id, 0x501);
	cr_assert_eq(var_named(setx, "name")->id, 0x502);
	cr_assert_eq(var_named(readx, "y")->id, 0x503);
	/* thread-locals have their own id space */
	cr_assert_eq(var_named(readx, "t")->id, 0x500);
	cr_assert_eq(var_named(readx, "t")->scope, DIF_VSCOPE_THREAD);
	/* the instruction follows the table: ldgs x */
	struct dif_difo_parts p;
	dif_difo_get_parts(readx, &p);
	cr_assert_eq((p.text[0] >> 8) & 0xffff, 0x501);
	DIF_OPTS(dif_validate_opts, vo);
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_validate_module(out, &vo, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	dif_module_free(out);
	dif_module_free(m[0]);
	dif_module_free(m[1]);
}

/* Same inputs, same order: the same object bytes. */
Test(link, output_is_deterministic)
{
	void *buf[2];
	size_t len[2];
	for (int r = 0; r < 2; r++) {
		struct dif_module *m[2] = {assemble_file("tests/link/data/a.s"),
		                           assemble_file("tests/link/data/b.s")};
		struct dif_module *out = NULL;
		cr_assert_eq(link2(m, NULL, 2, &out, NULL, 0), 0);
		DIF_OPTS(dif_obj_opts, oo);
		cr_assert_eq(dif_obj_write(out, &oo, &buf[r], &len[r], NULL), 0);
		dif_module_free(out);
		dif_module_free(m[0]);
		dif_module_free(m[1]);
	}
	cr_assert_eq(len[0], len[1]);
	cr_assert_eq(memcmp(buf[0], buf[1], len[0]), 0);
	free(buf[0]);
	free(buf[1]);
}

static void expect_fail(const char *a, const char *b, int code,
                        const char *const *needles)
{
	struct dif_module *m[2] = {assemble(a), assemble(b)};
	const char *names[2] = {"first.o", "second.o"};
	struct dif_module *out = NULL;
	char msg[512];
	int rc = link2(m, names, 2, &out, msg, sizeof(msg));
	cr_assert_eq(rc, code, "code %d (%s), want %d: %s", rc, dif_err_name(rc),
	             code, msg);
	cr_assert_null(out);
	for (; *needles; needles++)
		cr_assert(strstr(msg, *needles), "'%s' not in: %s", *needles, msg);
	dif_module_free(m[0]);
	dif_module_free(m[1]);
}

Test(link, duplicate_difo_names_both_files)
{
	const char *n[] = {"'p'", "first.o", "second.o", NULL};
	expect_fail(".difo p\n ret %r0\n", ".difo q\n ret %r0\n.difo p\n ret %r0\n",
	            DIF_E_DUPLICATE, n);
}

Test(link, string_against_integer)
{
	const char *n[] = {"'v'", "first.o", "'p'", "second.o", "'q'",
	                   "string", "integer", NULL};
	expect_fail(".difo p\n.var v global scalar type=int4\n ret %r0\n",
	            ".difo q\n.var v global scalar type=string\n ret %r0\n",
	            DIF_E_VAR_CHG_FLAGS, n);
}

Test(link, scalar_against_array)
{
	const char *n[] = {"'v'", "first.o", "'p'", "second.o", "'q'", "scalar",
	                   "array", NULL};
	expect_fail(".difo p\n.var v global scalar\n ret %r0\n",
	            ".difo q\n.var v global array\n ret %r0\n",
	            DIF_E_VAR_CHG_KIND, n);
}

Test(link, different_key_tuples)
{
	const char *n[] = {"'a'", "first.o", "'p'", "second.o", "'q'",
	                   "(string)", "(value, value)", NULL};
	expect_fail(".difo p\n.var a thread array\n flushts\n pushtr string, %r0, %r1\n"
	            " ldtaa a, %r2\n ret %r2\n",
	            ".difo q\n.var a thread array\n flushts\n pushtv ctf, %r1\n"
	            " pushtv ctf, %r1\n ldtaa a, %r2\n ret %r2\n",
	            DIF_E_VAR_CHG_KIND, n);
}

Test(link, by_reference_sizes_differ)
{
	const char *n[] = {"'s'", "first.o", "second.o", "24 bytes", "32 bytes",
	                   NULL};
	expect_fail(".difo p\n.var s global scalar type=ctf:struct:24:byref\n ret %r0\n",
	            ".difo q\n.var s global scalar type=ctf:struct:32:byref\n ret %r0\n",
	            DIF_E_VAR_CHG_SIZE, n);
}

Test(link, strings_widen_to_the_larger_bound)
{
	struct dif_module *m[2] = {
		assemble(".difo p\n.var s global scalar type=string:64\n ret %r0\n"),
		assemble(".difo q\n.var s global scalar type=string:512\n ret %r0\n")};
	struct dif_module *out = NULL;
	cr_assert_eq(link2(m, NULL, 2, &out, NULL, 0), 0);
	cr_assert_eq(var_named(dif_module_find(out, "p"), "s")->type.size, 512);
	cr_assert_eq(var_named(dif_module_find(out, "q"), "s")->type.size, 512);
	dif_module_free(out);
	dif_module_free(m[0]);
	dif_module_free(m[1]);
}

Test(link, undeclared_variable_is_an_error)
{
	const char *n[] = {"0x520", "not in the variable table", NULL};
	expect_fail(".difo p\n ldgs DT_VAR(0x520), %r1\n ret %r1\n",
	            ".difo q\n ret %r0\n", DIF_E_VAR_UNDECL, n);
}

Test(link, one_id_two_names_is_an_error)
{
	const char *n[] = {"'a'", "'b'", "0x500", NULL};
	expect_fail(".difo p\n.var a global scalar id=0x500\n"
	            ".var b global scalar id=0x500\n ret %r0\n",
	            ".difo q\n ret %r0\n", DIF_E_DUPLICATE, n);
}

Test(link, unnamed_inputs_are_numbered)
{
	const char *n[] = {"input 1", "input 2", NULL};
	struct dif_module *m[2] = {assemble(".difo p\n ret %r0\n"),
	                           assemble(".difo p\n ret %r0\n")};
	struct dif_module *out = NULL;
	char msg[512];
	cr_assert_eq(link2(m, NULL, 2, &out, msg, sizeof(msg)), DIF_E_DUPLICATE);
	for (const char *const *s = n; *s; s++)
		cr_assert(strstr(msg, *s), "%s", msg);
	dif_module_free(m[0]);
	dif_module_free(m[1]);
}

/* Integer and string tables: duplicates go, every index and offset
 * (also into the middle of a string) follows. */
Test(link, tables_are_deduplicated)
{
	static const uint64_t ints[] = {5, 7, 5, 7, 9};
	static const char strs[] = "\0ab\0cd\0ab\0v\0v"; /* 14 bytes */
	struct dif_var var = {.name = 12, .id = 0x500, .kind = DIF_VKIND_SCALAR,
	                      .scope = DIF_VSCOPE_GLOBAL, .flags = DIF_VF_MOD,
	                      .type = {.kind = DIF_TYPE_CTF, .ckind = 1, .size = 8}};
	uint32_t text[] = {
		0x25000201, /* setx DT_INTEGER[2], %r1 -> [0] */
		0x25000402, /* setx DT_INTEGER[4], %r2 -> [2] */
		0x26000703, /* sets DT_STRING[7], %r3 ("ab") -> 1 */
		0x26000804, /* sets DT_STRING[8], %r4 ("b") -> 2 */
		0x26000405, /* sets DT_STRING[4], %r5 ("cd") -> 4 */
		0x2a050001, /* stgs %r1, DT_VAR(0x500) */
		0x23000001, /* ret %r1 */
	};
	DIF_OPTS(dif_difo_parts, p, .name = "t", .text = text, .textlen = 7,
	         .inttab = ints, .intlen = 5, .strtab = strs, .strlen = 14,
	         .vartab = &var, .varlen = 1,
	         .rtype = {.kind = DIF_TYPE_CTF, .ckind = 1, .size = 8});
	struct dif_difo *d = NULL;
	cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
	struct dif_module *m = dif_module_new();
	cr_assert_eq(dif_module_add(m, d), 0);
	struct dif_module *out = NULL;
	cr_assert_eq(link2(&m, NULL, 1, &out, NULL, 0), 0);
	struct dif_difo_parts q;
	dif_difo_get_parts(dif_module_get(out, 0), &q);
	cr_assert_eq(q.intlen, 3);
	cr_assert_eq(q.inttab[0], 5);
	cr_assert_eq(q.inttab[1], 7);
	cr_assert_eq(q.inttab[2], 9);
	cr_assert_eq(q.strlen, 9); /* "", "ab", "cd", "v" */
	cr_assert_eq(memcmp(q.strtab, "\0ab\0cd\0v\0", 9), 0);
	cr_assert_eq(q.text[0], 0x25000001);
	cr_assert_eq(q.text[1], 0x25000202);
	cr_assert_eq(q.text[2], 0x26000103);
	cr_assert_eq(q.text[3], 0x26000204);
	cr_assert_eq(q.text[4], 0x26000405);
	cr_assert_eq(q.vartab[0].name, 7);
	cr_assert_str_eq(q.strtab + q.vartab[0].name, "v");
	dif_module_free(out);
	dif_module_free(m);
}

Test(link, options_and_caps)
{
	struct dif_module *m = assemble(".difo p\n ret %r0\n");
	struct dif_link_input in = {"x", m};
	struct dif_module *out = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	DIF_OPTS(dif_link_opts, o, .flags = 1);
	cr_assert_eq(dif_link(&in, 1, &o, &out, &e), DIF_E_OPTS);
	cr_assert_eq(dif_link(&in, DIF_LINK_MAX_INPUTS + 1, NULL, &out, &e),
	             DIF_E_LIMIT);
	cr_assert_eq(dif_link(&in, 1, NULL, NULL, &e), DIF_E_INVAL);
	struct dif_link_opts tiny = {.size = 1};
	cr_assert_eq(dif_link(&in, 1, &tiny, &out, &e), DIF_E_INVAL);
	struct dif_link_input none = {"y", NULL};
	cr_assert_eq(dif_link(&none, 1, NULL, &out, &e), DIF_E_INVAL);
	/* no inputs: an empty module */
	cr_assert_eq(dif_link(NULL, 0, NULL, &out, &e), 0);
	cr_assert_eq(dif_module_count(out), 0);
	dif_module_free(out);
	dif_module_free(m);
}

/* Too many variables in one id space (spread over 8 inputs so each DIFO
 * stays under the DIFO size limit; built directly, not assembled). */
Test(link, variable_id_space_cap)
{
	enum { NM = 8 };
	static const uint32_t ret0 = 0x23000000;
	uint32_t n = DIF_LINK_MAX_VARS + 1, per = n / NM + 1;
	struct dif_var *vt = calloc(per, sizeof(*vt));
	char *strs = malloc((size_t)per * 8 + 1);
	cr_assert(vt && strs);
	struct dif_module *m[NM];
	for (uint32_t k = 0; k < NM; k++) {
		uint32_t so = 1;
		strs[0] = 0;
		for (uint32_t i = 0; i < per; i++) {
			vt[i].name = so;
			vt[i].id = DIF_VAR_OTHER_UBASE + i;
			vt[i].kind = DIF_VKIND_SCALAR;
			vt[i].type.size = 8;
			so += (uint32_t)sprintf(strs + so, "v%u", k * per + i) + 1;
		}
		char name[8];
		snprintf(name, sizeof(name), "p%u", k);
		DIF_OPTS(dif_difo_parts, p, .name = name, .text = &ret0,
		         .textlen = 1, .strtab = strs, .strlen = so, .vartab = vt,
		         .varlen = per);
		struct dif_difo *d = NULL;
		cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
		m[k] = dif_module_new();
		cr_assert_eq(dif_module_add(m[k], d), 0);
	}
	struct dif_module *out = NULL;
	char msg[512];
	cr_assert_eq(link2(m, NULL, NM, &out, msg, sizeof(msg)), DIF_E_LIMIT, "%s",
	             msg);
	cr_assert(strstr(msg, "more than 64256 global variables"), "%s", msg);
	for (int k = 0; k < NM; k++)
		dif_module_free(m[k]);
	free(vt);
	free(strs);
}

/* Built-in rows keep their ids; long names; raw words pass through. */
Test(link, builtins_long_names_and_raw_words)
{
	char name[200];
	memset(name, 'v', 150);
	name[150] = 0;
	char src[1024];
	snprintf(src, sizeof(src),
	         ".difo p\n.var execname global scalar\n.var %s global scalar\n"
	         " ldgs execname, %%r1\n stgs %%r1, %s\n .word 0xff000000\n"
	         " ret %%r1\n", name, name);
	struct dif_module *m[2] = {assemble(src),
	                           assemble(".difo q\n.var x global scalar\n"
	                                    " ldgs x, %r1\n ret %r1\n")};
	struct dif_module *out = NULL;
	cr_assert_eq(link2(m, NULL, 2, &out, NULL, 0), 0);
	const struct dif_difo *p = dif_module_find(out, "p");
	cr_assert_eq(var_named(p, "execname")->id, 0x118);
	cr_assert_eq(var_named(p, name)->id, 0x500);
	cr_assert_eq(var_named(dif_module_find(out, "q"), "x")->id, 0x501);
	struct dif_difo_parts pp;
	dif_difo_get_parts(p, &pp);
	cr_assert_eq(pp.text[2], 0xff000000u);
	dif_module_free(out);
	dif_module_free(m[0]);
	dif_module_free(m[1]);
}

/* Key tuples are compared in straight-line code only; popts pops. */
Test(link, key_tuples_follow_the_stack)
{
	/* after a branch target the tuple is unknown: no comparison */
	struct dif_module *m[2] = {
		assemble(".difo p\n.var a global array\n flushts\n pushtv ctf, %r1\n"
		         " ldgaa a, %r2\n ret %r2\n"),
		assemble(".difo q\n.var a global array\n flushts\n"
		         " pushtv ctf, %r1\n pushtv ctf, %r1\n tst %r1\n be l\n"
		         "l: ldgaa a, %r2\n"
		         " flushts\n pushtv ctf, %r1\n pushtr string, %r0, %r1\n popts\n"
		         " stgaa %r2, a\n ret %r2\n")};
	struct dif_module *out = NULL;
	char msg[512];
	cr_assert_eq(link2(m, NULL, 2, &out, msg, sizeof(msg)), 0, "%s", msg);
	dif_module_free(out);
	dif_module_free(m[1]);
	/* nine pushes overflow the 8-entry stack: unknown, not compared */
	m[1] = assemble(".difo q\n.var a global array\n flushts\n"
	                " pushtv ctf, %r1\n pushtv ctf, %r1\n pushtv ctf, %r1\n"
	                " pushtv ctf, %r1\n pushtv ctf, %r1\n pushtv ctf, %r1\n"
	                " pushtv ctf, %r1\n pushtv ctf, %r1\n pushtv ctf, %r1\n"
	                " ldgaa a, %r2\n ret %r2\n");
	cr_assert_eq(link2(m, NULL, 2, &out, msg, sizeof(msg)), 0, "%s", msg);
	dif_module_free(out);
	dif_module_free(m[1]);
	/* but popts is followed: (value, string) popped to (value) differs
	 * from nothing else; (value, value, popts) vs (string) does */
	m[1] = assemble(".difo q\n.var a global array\n flushts\n"
	                " pushtv ctf, %r1\n pushtv ctf, %r1\n popts\n popts\n"
	                " pushtr string, %r0, %r1\n stgaa %r2, a\n ret %r2\n");
	cr_assert_eq(link2(m, NULL, 2, &out, msg, sizeof(msg)),
	             DIF_E_VAR_CHG_KIND);
	cr_assert(strstr(msg, "key tuple (value)") && strstr(msg, "but (string)"),
	          "%s", msg);
	dif_module_free(m[0]);
	dif_module_free(m[1]);
}

/* Variable rows the linker cannot merge. */
static int link_rows(struct dif_var v, const char *strs, uint32_t strlen,
                     char *msg, size_t cap)
{
	static const uint32_t ret0 = 0x23000000;
	DIF_OPTS(dif_difo_parts, p, .name = "r", .text = &ret0, .textlen = 1,
	         .strtab = strs, .strlen = strlen, .vartab = &v, .varlen = 1);
	struct dif_difo *d = NULL;
	cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
	struct dif_module *m = dif_module_new();
	cr_assert_eq(dif_module_add(m, d), 0);
	struct dif_module *out = NULL;
	int rc = link2(&m, NULL, 1, &out, msg, cap);
	dif_module_free(out);
	dif_module_free(m);
	return rc;
}

Test(link, bad_variable_rows)
{
	char msg[512];
	struct dif_var v = {.name = 1, .id = 0x500, .kind = DIF_VKIND_SCALAR,
	                    .scope = 5, .type = {.size = 8}};
	cr_assert_eq(link_rows(v, "\0x", 3, msg, sizeof(msg)), DIF_E_VAR_SCOPE);
	cr_assert(strstr(msg, "row 0 has scope 5"), "%s", msg);
	v.scope = DIF_VSCOPE_GLOBAL;
	v.kind = 7;
	cr_assert_eq(link_rows(v, "\0x", 3, msg, sizeof(msg)), DIF_E_VAR_KIND);
	cr_assert(strstr(msg, "row 0 has kind 7"), "%s", msg);
	v.kind = DIF_VKIND_SCALAR;
	v.name = 9;
	cr_assert_eq(link_rows(v, "\0x", 3, msg, sizeof(msg)), DIF_E_STRTAB);
	cr_assert(strstr(msg, "variable 0x500 has no name (string offset 9"),
	          "%s", msg);
	v.name = 0;
	cr_assert_eq(link_rows(v, "\0x", 3, msg, sizeof(msg)), DIF_E_STRTAB);
}

/* Too many DIFOs for one output. */
Test(link, difo_count_cap)
{
	static const uint32_t ret0 = 0x23000000;
	struct dif_module *m[2] = {dif_module_new(), dif_module_new()};
	for (uint32_t i = 0; i < DIF_LINK_MAX_DIFOS + 1; i++) {
		char name[32];
		snprintf(name, sizeof(name), "d%u", i);
		DIF_OPTS(dif_difo_parts, p, .name = name, .text = &ret0,
		         .textlen = 1);
		struct dif_difo *d = NULL;
		cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
		cr_assert_eq(dif_module_add(m[i % 2], d), 0);
	}
	struct dif_module *out = NULL;
	char msg[512];
	cr_assert_eq(link2(m, NULL, 2, &out, msg, sizeof(msg)), DIF_E_LIMIT, "%s",
	             msg);
	cr_assert(strstr(msg, "more than 16000 DIFOs (at input 2)"), "%s", msg);
	dif_module_free(m[0]);
	dif_module_free(m[1]);
}

/* Randomized: variables scattered over several inputs with clashing ids
 * always end up with one id per (scope, name), distinct names distinct
 * ids, and a program that validates. */
static void random_round(unsigned seed)
{
	srand(seed);
	enum { NIN = 4, NNAMES = 12 };
	struct dif_module *m[NIN];
	static char src[8192];
	for (int i = 0; i < NIN; i++) {
		size_t o = (size_t)snprintf(src, sizeof(src), ".difo p%d\n", i);
		int used[NNAMES] = {0};
		int nv = 1 + rand() % 6;
		char body[2048];
		size_t bo = 0;
		for (int v = 0; v < nv; v++) {
			int k = rand() % NNAMES;
			if (used[k])
				continue;
			used[k] = 1;
			int thread = k % 2;
			o += (size_t)snprintf(src + o, sizeof(src) - o,
			                      ".var n%d %s scalar type=int%d\n", k,
			                      thread ? "thread" : "global",
			                      1 << (rand() % 4));
			bo += (size_t)snprintf(body + bo, sizeof(body) - bo,
			                       " %s n%d, %%r1\n",
			                       thread ? "ldts" : "ldgs", k);
		}
		snprintf(src + o, sizeof(src) - o, "%s ret %%r1\n", body);
		m[i] = assemble(src);
	}
	struct dif_module *out = NULL;
	char msg[512];
	cr_assert_eq(link2(m, NULL, NIN, &out, msg, sizeof(msg)), 0,
	             "seed %u: %s", seed, msg);
	int id_of[NNAMES];
	for (int k = 0; k < NNAMES; k++)
		id_of[k] = -1;
	for (size_t d = 0; d < dif_module_count(out); d++) {
		struct dif_difo_parts p;
		dif_difo_get_parts(dif_module_get(out, d), &p);
		for (uint32_t r = 0; r < p.varlen; r++) {
			int k = atoi(p.strtab + p.vartab[r].name + 1);
			if (id_of[k] < 0)
				id_of[k] = (int)p.vartab[r].id;
			cr_assert_eq(id_of[k], (int)p.vartab[r].id, "seed %u", seed);
		}
	}
	for (int a = 0; a < NNAMES; a++)
		for (int b = a + 1; b < NNAMES; b++)
			if (id_of[a] >= 0 && a % 2 == b % 2)
				cr_assert_neq(id_of[a], id_of[b], "seed %u", seed);
	DIF_OPTS(dif_validate_opts, vo);
	cr_assert_eq(dif_validate_module(out, &vo, NULL), 0, "seed %u", seed);
	dif_module_free(out);
	for (int i = 0; i < NIN; i++)
		dif_module_free(m[i]);
}

Test(link, randomized_merges)
{
	unsigned fresh = (unsigned)time(NULL) ^ (unsigned)getpid();
	printf("link randomized_merges: fresh seed %u\n", fresh);
	for (unsigned s = 1; s <= 200; s++)
		random_round(s);
	for (unsigned s = 0; s < 200; s++)
		random_round(fresh + s);
}

/* difld end to end: links, validates, output byte-identical on rerun,
 * and the result runs with difrun. */
Test(link, difld_tool)
{
	const char *b = getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR")
	                                         : "build";
	char dir[] = "/tmp/difvm-link-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char cmd[4096], out[8192];
	snprintf(cmd, sizeof(cmd),
	         "cd %s && %s/tools/difasm -o %s/a.o tests/link/data/a.s && "
	         "%s/tools/difld -o %s/ab.o %s/a.o tests/link/data/b.s && "
	         "%s/tools/difld -o %s/ab2.o %s/a.o tests/link/data/b.s && "
	         "cmp %s/ab.o %s/ab2.o && %s/tools/difcheck %s/ab.o && "
	         "%s/tools/difrun --all -v execname=sh %s/ab.o 2>&1",
	         getenv("DIFVM_SRCDIR") ? getenv("DIFVM_SRCDIR") : ".", b, dir, b,
	         dir, dir, b, dir, dir, dir, dir, b, dir, b, dir);
	cr_assert_eq(test_sh(cmd, out, sizeof(out)), 0, "%s\n%s", cmd, out);
	cr_assert(strstr(out, "4 accepted"), "%s", out);
	cr_assert(strstr(out, "1 (0x1)"), "%s", out);
	/* a clash: exit 1, both files named */
	snprintf(cmd, sizeof(cmd),
	         "cd %s && %s/tools/difld -o %s/x.o tests/link/data/a.s "
	         "tests/link/data/a.s 2>&1",
	         getenv("DIFVM_SRCDIR") ? getenv("DIFVM_SRCDIR") : ".", b, dir);
	cr_assert_eq(test_sh(cmd, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, "'count' is defined in tests/link/data/a.s and in "
	                      "tests/link/data/a.s"), "%s", out);
	/* usage */
	snprintf(cmd, sizeof(cmd), "%s/tools/difld a.o 2>&1", b);
	cr_assert_eq(test_sh(cmd, out, sizeof(out)), 2, "%s", out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
