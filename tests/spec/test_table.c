/*
 * Properties of the case table: well-formed, complete for both profiles,
 * disjoint and exhaustive on many random states (the step function reports
 * DC_SPEC_EMODEL when not exactly one guard holds), every case reachable
 * (random states, then the conformance generator), and docs/spec.md equal
 * to the generator's output.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "../common.h"
#include "spec_util.h"
#ifdef HAVE_TESTGEN
#include "testgen/tg.h"
#endif

Test(table, names_unique_groups_contiguous)
{
	size_t n = dc_spec_ncases();
	cr_assert_gt(n, 300);
	for (size_t a = 0; a < n; a++) {
		const struct dc_spec_case *c = dc_spec_case_at(a);
		cr_assert_not_null(c->insn);
		cr_assert(c->name && *c->name && c->guard && *c->guard, "case %zu", a);
		cr_assert(c->effect && *c->effect && c->cite && *c->cite, "case %zu", a);
		cr_assert(strstr(c->cite, "dif-isa.md") || strstr(c->cite, "conventions.md"),
		          "%s/%s cites %s", c->insn, c->name, c->cite);
		cr_assert(c->profiles != 0 && (c->profiles & ~DC_PM_ALL) == 0);
		cr_assert_eq(dc_spec_case_index(c->insn, c->name), (long)a,
		             "%s/%s not unique", c->insn, c->name);
		/* a group is contiguous: once it ends it never starts again */
		if (a > 0 && strcmp(dc_spec_case_at(a - 1)->insn, c->insn) != 0)
			for (size_t b = 0; b + 1 < a; b++)
				cr_assert(strcmp(dc_spec_case_at(b)->insn, c->insn) != 0,
				          "group %s split", c->insn);
	}
	cr_assert_eq(dc_spec_case_at(n), NULL);
	cr_assert_geq(dc_spec_case_index("add", "wrap"), 0);
	cr_assert_geq(dc_spec_case_index("sdiv", "divzero"), 0);
	cr_assert_eq(dc_spec_case_index("add", "nonsense"), -1);
}

static bool has_cases(const char *insn, unsigned pm)
{
	for (size_t a = 0; a < dc_spec_ncases(); a++) {
		const struct dc_spec_case *c = dc_spec_case_at(a);
		if (strcmp(c->insn, insn) == 0 && (c->profiles & pm))
			return true;
	}
	return false;
}

Test(table, every_opcode_and_subroutine_of_both_profiles)
{
	for (uint32_t p = 0; p < 2; p++) {
		unsigned pm = 1u << p;
		for (unsigned op = 1; op <= 80; op++) {
			const char *nm = dc_spec_op_name(p, op);
			if (op == 78 || op == 79 || (op == 80 && p == DC_PROFILE_FREEBSD)) {
				cr_expect_null(nm, "op %u is not executable", op);
				continue;
			}
			cr_assert_not_null(nm, "op %u", op);
			if (op != O_CALL)
				cr_expect(has_cases(nm, pm), "%s under profile %u", nm, p);
		}
		cr_expect_null(dc_spec_op_name(p, 0));
		cr_expect_null(dc_spec_op_name(p, 81));
		unsigned max = dc_spec_subr_max(p);
		cr_expect_eq(max, p == DC_PROFILE_ILLUMOS ? 48u : 53u);
		for (unsigned s = 0; s <= max; s++) {
			const char *nm = dc_spec_subr_name(p, s);
			cr_assert_not_null(nm, "subr %u profile %u", s, p);
			cr_expect(has_cases(nm, pm), "%s under profile %u", nm, p);
			cr_expect_eq(dc_spec_subr_number(p, nm), (int)s);
		}
		cr_expect_null(dc_spec_subr_name(p, max + 1));
	}
	/* numbering differs from 44 up */
	cr_expect_eq(dc_spec_subr_number(DC_PROFILE_FREEBSD, "json"), 52);
	cr_expect_eq(dc_spec_subr_number(DC_PROFILE_ILLUMOS, "json"), 47);
	cr_expect_eq(dc_spec_subr_number(DC_PROFILE_ILLUMOS, "memref"), -1);
	cr_expect_str_eq(dc_spec_subr_name(DC_PROFILE_ILLUMOS, 46), "getf");
	cr_expect_str_eq(dc_spec_subr_name(DC_PROFILE_FREEBSD, 46), "memref");
}

Test(table, docs_match_the_generator)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	cr_assert_eq(dc_spec_write_doc(f), 0);
	fclose(f);
	size_t dlen = 0;
	char *doc = test_slurp(test_src("docs/spec.md"), &dlen);
	cr_assert_not_null(doc, "docs/spec.md missing");
	cr_expect(dlen == len && memcmp(doc, buf, len) == 0,
	          "docs/spec.md is stale: regenerate it with specdoc");
	free(doc);
	free(buf);
}

/* ---------------- random states ---------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}
static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint8_t kmem[64], kmem2[32], umem[32];

static uint64_t interesting(const struct tcase *t)
{
	static const uint64_t fixed[] = {
		0, 1, 2, 3, 7, 8, 16, 36, 37, 63, 64, 65, 255, 4096, 5000,
		0xffffffffffffffffull, 0xfffffffffffffff9ull, 0x8000000000000000ull,
		0x7fffffffffffffffull, 0x7fffffff, 28, 26,
	};
	switch (pick(12)) {
	case 0: case 1: case 2:
		return fixed[pick(sizeof(fixed) / sizeof(fixed[0]))];
	case 3:
		return DC_VA_STRTAB + pick(t->c.strlen + 2);
	case 4:
		return DC_VA_SCRATCH + pick(40);
	case 5:
		return 0x10000 + pick(70);
	case 6:
		return 0x30000 + pick(34);
	case 7:
		return 0x40000 + pick(34); /* user region */
	case 8:
		return DC_VA_STATIC + pick(64);
	case 9:
		return DC_VA_DYNVAR + pick(200);
	case 10:
		return DC_VA_ENVSTR + pick(16);
	}
	return rnd();
}

static void random_env(struct tcase *t, uint32_t profile)
{
	tc_init(t, profile);
	static const uint64_t scr[] = {0, 16, 24, 64, 300};
	static const uint32_t strs[] = {0, 8, 16, 300};
	t->c.deny = pick(16);
	t->c.scratch_size = scr[pick(5)];
	t->c.strsize = strs[pick(4)];
	uint64_t chunk = 160 + 9 * (((t->c.strsize ? t->c.strsize : 256) + 7) & ~7ull);
	t->c.dynvar_size = pick(3) == 0 ? chunk * pick(3) + 1 : 0;
	for (unsigned k = 0; k < sizeof(kmem); k++)
		kmem[k] = pick(4) ? (uint8_t)('a' + pick(3)) : (uint8_t)pick(3);
	for (unsigned k = 0; k < sizeof(kmem2); k++)
		kmem2[k] = (uint8_t)('/' + pick(2) * ('a' - '/'));
	for (unsigned k = 0; k < sizeof(umem); k++)
		umem[k] = pick(3) ? (uint8_t)('x' + pick(2)) : 0;
	t->c.regions[0] = (struct dc_region){0x10000, sizeof(kmem), 0, 1, kmem};
	t->c.regions[1] = (struct dc_region){0x30000, sizeof(kmem2), 0, (uint8_t)pick(2), kmem2};
	t->c.regions[2] = (struct dc_region){0x40000, sizeof(umem), 1, 0, umem};
	t->c.regions[3] = (struct dc_region){0x10020, 8, 0, 2, NULL};
	t->c.nregions = pick(2) ? 4 : 3;
	t->c.bvars[0] = (struct dc_bvar){0x118, 0, pick(2) ? "execname" : NULL};
	t->c.bvars[1] = (struct dc_bvar){0x116, 42, NULL};
	t->c.bvars[2] = (struct dc_bvar){0x112, 0, "prov"};
	t->c.nbvars = 3;
	for (int a = 0; a < 10; a++)
		t->c.args[a] = rnd();
	tc_str(t, "abc");
	tc_str(t, "/usr/lib/../x");
	tc_str(t, "{\"a\":[1,{\"b\":\"c\"}]}");
	tc_str(t, "a[1].b");
	/* variables of every scope and kind */
	for (uint8_t scope = 0; scope < 3; scope++) {
		tc_var(t, 0x500, scope, 1, 0, 0, 8);
		tc_var(t, 0x501, scope, 1, 1, 1, (uint32_t)(pick(2) ? 16 : 0));
		if (scope != 2) {
			tc_var(t, 0x502, scope, 0, 0, 0, 8);
			tc_var(t, 0x503, scope, 0, 1, 1, 16);
		}
	}
}

static const uint16_t var_ops_assoc[] = {O_LDGAA, O_LDTAA, O_STGAA, O_STTAA};

/* The instruction under test with random but mostly valid fields. */
static uint32_t random_insn(struct tcase *t, unsigned op, unsigned subr)
{
	unsigned r1 = pick(8), r2 = pick(8), rd = 1 + pick(7);
	switch (op) {
	case O_CALL:
		return CALL(subr, rd);
	case O_SETX:
		return SETX(pick(t->c.intlen), rd);
	case O_SETS:
		return SETS(pick(t->c.strlen), rd);
	case O_LDGS: case O_LDTS: case O_LDLS: case O_LDGAA: case O_LDTAA:
	case O_STGS: case O_STTS: case O_STLS: case O_STGAA: case O_STTAA: {
		bool assoc = false;
		for (int k = 0; k < 4; k++)
			assoc |= var_ops_assoc[k] == op;
		unsigned id = 0x500 + (assoc ? 2 : 0) + pick(2);
		if (op == O_LDGS && pick(2))
			id = 0x100 + pick(0x30);
		if (op == O_LDGS && pick(8) == 0)
			id = 0x200;
		if ((op == O_LDLS || op == O_STLS) && assoc)
			id = 0x500;
		bool store = op == O_STGS || op == O_STTS || op == O_STLS ||
		             op == O_STGAA || op == O_STTAA;
		return OP_W(op, id, store ? pick(8) : rd);
	}
	case O_LDGA: case O_LDTA: case O_STGA:
		return OP_R(op, pick(5), r2, op == O_STGA ? pick(8) : rd);
	case O_PUSHTR:
		return OP_R(op, pick(2), r2, pick(8));
	case O_PUSHTV:
		return OP_R(op, 0, r2, pick(8));
	case O_POPTS: case O_FLUSHTS: case O_NOP:
		return OP_R(op, 0, 0, 0);
	case O_NOT: case O_MOV: case O_ALLOCS:
		return OP_R(op, r1, 0, rd);
	case O_CMP: case O_SCMP:
		return OP_R(op, r1, r2, 0);
	case O_TST:
		return OP_R(op, r1, 0, 0);
	case O_RET:
		return OP_R(op, 0, 0, pick(8));
	}
	if (op >= O_BA && op <= O_BLEU)
		return OP_B(op, t->c.textlen + 1 + pick(2));
	if ((op >= O_LDSB && op <= O_LDX) || op >= O_ULDSB || (op >= O_STB && op <= O_STX))
		return OP_R(op, r1, 0, rd);
	return OP_R(op, r1, r2, rd);
}

static void prelude(struct tcase *t)
{
	for (unsigned r = 1; r < 8; r++)
		tc_set(t, r, interesting(t));
	if (pick(2)) {
		tc_emit(t, OP_R(O_ALLOCS, 1 + pick(7), 0, 1 + pick(7)));
		tc_set(t, 1 + pick(7), interesting(t));
	}
	/* some variables exist already */
	if (pick(2)) {
		tc_emit(t, OP_W(O_STGS, 0x501, pick(8)));
		tc_emit(t, OP_W(O_STTS, 0x500 + pick(2), pick(8)));
		tc_emit(t, PUSHTV(pick(8)));
		tc_emit(t, OP_W(O_STGAA, 0x502 + pick(2), pick(8)));
		tc_emit(t, FLUSHTS);
	}
	unsigned npush = pick(10);
	for (unsigned k = 0; k < npush && k < 8; k++) {
		if (pick(3) == 0)
			tc_emit(t, PUSHTR(pick(2), pick(8), pick(8)));
		else
			tc_emit(t, PUSHTV(1 + pick(7)));
	}
	switch (pick(4)) {
	case 0:
		tc_emit(t, OP_R(O_CMP, pick(8), pick(8), 0));
		break;
	case 1:
		tc_emit(t, OP_R(O_TST, pick(8), 0, 0));
		break;
	case 2:
		tc_emit(t, OP_R(O_SCMP, pick(8), pick(8), 0));
		break;
	}
	for (unsigned r = 1; r < 8; r++)
		if (pick(2))
			tc_set(t, r, interesting(t));
}

static void sample(uint32_t profile, unsigned op, unsigned subr, unsigned n,
                   uint32_t *hits, unsigned *ran)
{
	for (unsigned k = 0; k < n; k++) {
		struct tcase t;
		struct dc_outcome o;
		struct dc_spec_info info;
		random_env(&t, profile);
		prelude(&t);
		/* the prelude may fault first; that still checks its guards */
		tc_emit(&t, random_insn(&t, op, subr));
		tc_emit(&t, RET(pick(8)));
		t.c.runs = 1 + pick(2);
		int rc = dc_spec_run_info(&t.c, &o, hits, &info);
		cr_assert(rc != DC_SPEC_EMODEL, "profile %u op %u subr %u: %s",
		          profile, op, subr, info.msg);
		cr_assert(rc == 0 || rc == DC_SPEC_EINVAL, "op %u: %s (%s)", op,
		          dc_spec_strerror(rc), info.msg);
		if (rc == 0)
			(*ran)++;
	}
}

/* Runs n random states for every instruction and subroutine of both
 * profiles; every step checks that exactly one guard holds. */
static void sample_all(unsigned n, uint32_t *hits)
{
	for (uint32_t p = 0; p < 2; p++) {
		for (unsigned op = 1; op <= 80; op++) {
			if (!dc_spec_op_name(p, op))
				continue;
			if (op == O_CALL) {
				for (unsigned s = 0; s <= dc_spec_subr_max(p); s++) {
					unsigned ran = 0;
					sample(p, op, s, n, hits, &ran);
					cr_expect_gt(ran, n / 3, "profile %u subr %u ran %u times",
					             p, s, ran);
				}
				continue;
			}
			unsigned ran = 0;
			sample(p, op, 0, n, hits, &ran);
			cr_expect_gt(ran, n / 3, "profile %u op %u ran %u times", p, op, ran);
		}
	}
}

Test(table, exactly_one_guard_on_random_states, .timeout = 300)
{
	size_t n = dc_spec_ncases();
	uint32_t *hits = calloc(n, sizeof(*hits));
	cr_assert_not_null(hits);
	sample_all(300, hits);
	size_t covered = 0;
	for (size_t a = 0; a < n; a++) {
		if (hits[a])
			covered++;
		else
			cr_log_info("never applied: %s/%s", dc_spec_case_at(a)->insn,
			            dc_spec_case_at(a)->name);
	}
	cr_log_info("%zu of %zu cases applied on random states", covered, n);
	cr_expect_gt(covered * 10, n * 7, "only %zu of %zu cases applied", covered, n);
	free(hits);
}

#ifdef HAVE_TESTGEN
/* Every case can fire: each one that random states miss is reached by a
 * program of the conformance generator (which runs the model, so those
 * steps check the guards too). Only cases whose host mask excludes this
 * machine are exempt. */
Test(table, every_case_reachable, .timeout = 300)
{
	size_t n = dc_spec_ncases();
	uint32_t *hits = calloc(n, sizeof(*hits));
	cr_assert_not_null(hits);
	sample_all(60, hits);
	size_t random = 0, generated = 0, masked = 0;
	for (size_t a = 0; a < n; a++) {
		const struct dc_spec_case *c = dc_spec_case_at(a);
		if (c->hosts && !(c->hosts & dc_spec_host())) {
			cr_expect_eq(hits[a], 0, "%s/%s fired on a masked host",
			             c->insn, c->name);
			masked++;
			continue;
		}
		if (hits[a]) {
			random++;
			continue;
		}
		struct dc_case dc;
		unsigned tries;
		int rc = tg_gen_partition(20261122, a, 0, 4000, &dc, &tries);
		cr_expect_eq(rc, 0, "%s/%s: no program reaches it in %u attempts",
		             c->insn, c->name, tries);
		if (rc == 0) {
			generated++;
			tg_case_free(&dc);
		}
	}
	cr_log_info("reachable: %zu on random states, %zu by generated programs, "
	            "%zu masked on this host", random, generated, masked);
	cr_assert_eq(random + generated + masked, n);
	free(hits);
}
#endif
