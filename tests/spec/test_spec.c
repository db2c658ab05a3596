/*
 * Hand-written expectations for the model, from dif-isa.md (sections 2, 4,
 * 6, 7), docs/conventions.md and the libdtrace-experiments tests listed in
 * hypertrace-and-cadets.md 6.2.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "spec_util.h"

#define FB DC_PROFILE_FREEBSD
#define IL DC_PROFILE_ILLUMOS
#define M64 0xffffffffffffffffull
#define IMIN 0x8000000000000000ull

static struct dc_outcome out;

static void run_ok(struct tcase *t)
{
	struct dc_spec_info info;
	int rc = dc_spec_run_info(&t->c, &out, NULL, &info);
	cr_assert_eq(rc, 0, "run failed: %s (%s)", dc_spec_strerror(rc), info.msg);
}

/* r1 = a, r2 = b, r3 = a OP b, ret r3 */
static uint64_t alu(unsigned op, uint64_t a, uint64_t b, uint32_t *fault)
{
	struct tcase t;
	tc_init(&t, FB);
	tc_set(&t, 1, a);
	tc_set(&t, 2, b);
	unsigned r2 = (op == O_NOT || op == O_MOV) ? 0 : 2;
	tc_emit(&t, OP_R(op, 1, r2, 3));
	tc_emit(&t, RET(3));
	run_ok(&t);
	*fault = out.fault;
	return out.rval;
}

static uint64_t alu_ok(unsigned op, uint64_t a, uint64_t b)
{
	uint32_t f;
	uint64_t r = alu(op, a, b, &f);
	cr_assert_eq(f, 0, "op %u (%#llx, %#llx) faulted %u", op,
	             (unsigned long long)a, (unsigned long long)b, f);
	return r;
}

#define EXPECT(op, a, b, want)                                                \
	cr_expect_eq(alu_ok(op, (uint64_t)(a), (uint64_t)(b)), (uint64_t)(want), \
	             #op "(" #a ", " #b ") != " #want)

/* ---------------- 2.1 arithmetic ---------------- */

Test(alu, add_sub_mul_wrap)
{
	EXPECT(O_ADD, 100, 50, 150);
	EXPECT(O_ADD, M64, 1, 0);
	EXPECT(O_SUB, 0, 1, M64);
	EXPECT(O_SUB, 20, 5, 15);
	EXPECT(O_MUL, 100, 50, 5000);
	EXPECT(O_MUL, 1ull << 63, 2, 0);
	EXPECT(O_MUL, M64, M64, 1);
}

Test(alu, logic)
{
	EXPECT(O_NOT, 0, 0, M64);
	EXPECT(O_NOT, 0xD06ED00D, 0, 0xFFFFFFFF2F912FF2ull);
	EXPECT(O_AND, 0xD06F00D, 0xFF0FF0F, 0xD06F00D & 0xFF0FF0F);
	EXPECT(O_OR, 0xD06F00D, 0xF0F0F0F, 0xD06F00D | 0xF0F0F0F);
	EXPECT(O_XOR, 0xD06F00D, 0xD06F00D, 0);
	EXPECT(O_MOV, 1234, 0, 1234);
}

Test(alu, shifts_mod_64)
{
	EXPECT(O_SLL, 0xD06, 20, 0xD0600000);
	EXPECT(O_SRL, 0xD0600000, 20, 0xD06);
	EXPECT(O_SRA, 0xFF00, 8, 0xFF);
	EXPECT(O_SRA, -16, 2, -4);
	EXPECT(O_SRL, -16, 2, 0x3ffffffffffffffcull);
	EXPECT(O_SLL, 5, 64, 5);
	EXPECT(O_SLL, 5, 65, 10);
	EXPECT(O_SRA, IMIN, 127, M64);
}

Test(alu, signed_division)
{
	EXPECT(O_SDIV, 1024, -2, -512);
	EXPECT(O_SDIV, -1024, 2, -512);
	EXPECT(O_SDIV, 1024, 2, 512);
	EXPECT(O_SDIV, -1024, -2, 512);
	EXPECT(O_SREM, 1024, 513, 511);
	EXPECT(O_SREM, 1024, -513, 511);
	EXPECT(O_SREM, -1024, 513, -511);
	EXPECT(O_SREM, -1024, -513, -511);
}

Test(alu, unsigned_division)
{
	EXPECT(O_UDIV, 1024, -2, 0);
	EXPECT(O_UDIV, -1024, 2, 0x7FFFFFFFFFFFFE00ull);
	EXPECT(O_UDIV, -1024, -2, 0);
	EXPECT(O_UREM, 1024, -513, 0x400);
	EXPECT(O_UREM, -1024, -513, 0xFFFFFFFFFFFFFC00ull);
	EXPECT(O_UREM, -1024, 513, (uint64_t)-1024 % 513);
}

Test(alu, divide_by_zero_and_overflow)
{
	unsigned ops[] = {O_SDIV, O_UDIV, O_SREM, O_UREM};
	for (int k = 0; k < 4; k++) {
		uint32_t f;
		uint64_t r = alu(ops[k], 1024, 0, &f);
		cr_expect_eq(f, 4, "op %u /0 gives DIVZERO", ops[k]);
		cr_expect_eq(r, 0);
		cr_expect_eq(out.pc, 2, "faulting pc");
	}
	uint32_t f;
	alu(O_SDIV, IMIN, M64, &f);
	cr_expect_eq(f, 4, "INT64_MIN / -1 faults DIVZERO");
	alu(O_SREM, IMIN, M64, &f);
	cr_expect_eq(f, 4, "INT64_MIN %% -1 faults DIVZERO");
	EXPECT(O_UDIV, IMIN, M64, 0);
}

/* ---------------- 2.2 condition codes and branches ---------------- */

/* 1 if the branch is taken after `pre` (cmp r1,r2 / tst r1 / nothing). */
enum pre { P_CMP, P_TST, P_NONE };
static int branch(unsigned br, enum pre pre, uint64_t a, uint64_t b)
{
	struct tcase t;
	tc_init(&t, FB);
	tc_set(&t, 1, a);
	tc_set(&t, 2, b);
	if (pre == P_CMP)
		tc_emit(&t, OP_R(O_CMP, 1, 2, 0));
	else if (pre == P_TST)
		tc_emit(&t, OP_R(O_TST, 1, 0, 0));
	else
		tc_emit(&t, OP_R(O_NOP, 0, 0, 0));
	uint32_t at = tc_emit(&t, OP_B(br, 0));
	tc_emit(&t, RET(0));
	t.text[at] = OP_B(br, t.c.textlen);
	tc_set(&t, 3, 1);
	tc_emit(&t, RET(3));
	run_ok(&t);
	cr_assert_eq(out.fault, 0);
	return (int)out.rval;
}

Test(branch, signed_pairs_from_libdtrace_experiments)
{
	cr_expect_eq(branch(O_BG, P_CMP, 7, 8), 0);
	cr_expect_eq(branch(O_BG, P_CMP, 8, 7), 1);
	cr_expect_eq(branch(O_BG, P_CMP, 7, 7), 0);
	cr_expect_eq(branch(O_BG, P_CMP, -7, 7), 0);
	cr_expect_eq(branch(O_BG, P_CMP, 7, -7), 1);
	cr_expect_eq(branch(O_BG, P_CMP, -7, -7), 0);
	cr_expect_eq(branch(O_BG, P_CMP, -7, -10), 1);
	cr_expect_eq(branch(O_BGU, P_CMP, 7, -7), 0);
	cr_expect_eq(branch(O_BGU, P_CMP, -7, 7), 1);
	cr_expect_eq(branch(O_BGEU, P_CMP, 7, 7), 1);
	cr_expect_eq(branch(O_BGEU, P_CMP, 7, -7), 0);
	cr_expect_eq(branch(O_BLU, P_CMP, 7, -7), 1);
	cr_expect_eq(branch(O_BLU, P_CMP, -7, 7), 0);
	cr_expect_eq(branch(O_BLEU, P_CMP, 7, 7), 1);
	cr_expect_eq(branch(O_BLEU, P_CMP, -7, 7), 0);
	cr_expect_eq(branch(O_BGE, P_CMP, 7, 7), 1);
	cr_expect_eq(branch(O_BGE, P_CMP, -7, 7), 0);
	cr_expect_eq(branch(O_BL, P_CMP, -7, 7), 1);
	cr_expect_eq(branch(O_BLE, P_CMP, 7, 7), 1);
	cr_expect_eq(branch(O_BLE, P_CMP, 8, 7), 0);
	cr_expect_eq(branch(O_BE, P_CMP, 7, 7), 1);
	cr_expect_eq(branch(O_BE, P_CMP, 7, 8), 0);
	cr_expect_eq(branch(O_BNE, P_CMP, 7, 7), 0);
	cr_expect_eq(branch(O_BNE, P_CMP, 7, 8), 1);
	cr_expect_eq(branch(O_BA, P_CMP, 7, 8), 1);
}

Test(branch, overflow_is_ignored_because_v_is_never_set)
{
	/* consequence 1: INT64_MIN < 1 but the wrapped difference is positive */
	cr_expect_eq(branch(O_BL, P_CMP, IMIN, 1), 0);
	cr_expect_eq(branch(O_BG, P_CMP, 0x7fffffffffffffffull, M64), 0);
}

Test(branch, after_tst_and_with_no_compare)
{
	/* consequence 2 */
	cr_expect_eq(branch(O_BL, P_TST, 0, 0), 0);
	cr_expect_eq(branch(O_BL, P_TST, -5, 0), 0);
	cr_expect_eq(branch(O_BLE, P_TST, 0, 0), 1);
	cr_expect_eq(branch(O_BLE, P_TST, 3, 0), 0);
	cr_expect_eq(branch(O_BGU, P_TST, 3, 0), 1);
	cr_expect_eq(branch(O_BGU, P_TST, 0, 0), 0);
	cr_expect_eq(branch(O_BLU, P_TST, 3, 0), 0);
	cr_expect_eq(branch(O_BGEU, P_TST, 0, 0), 1);
	/* consequence 4: all flags clear at the start */
	unsigned nt[] = {O_BE, O_BL, O_BLU, O_BLE, O_BLEU};
	unsigned tk[] = {O_BNE, O_BG, O_BGU, O_BGE, O_BGEU};
	for (int k = 0; k < 5; k++) {
		cr_expect_eq(branch(nt[k], P_NONE, 0, 0), 0, "op %u", nt[k]);
		cr_expect_eq(branch(tk[k], P_NONE, 0, 0), 1, "op %u", tk[k]);
	}
}

/* ---------------- 2.3 scmp ---------------- */

static int scmp_branch(unsigned br, const char *a, const char *b, uint32_t deny)
{
	struct tcase t;
	tc_init(&t, FB);
	t.c.deny = deny;
	if (a)
		tc_emit(&t, SETS(tc_str(&t, a), 1));
	if (b)
		tc_emit(&t, SETS(tc_str(&t, b), 2));
	tc_emit(&t, OP_R(O_SCMP, 1, 2, 0));
	uint32_t at = tc_emit(&t, OP_B(br, 0));
	tc_emit(&t, RET(0));
	t.text[at] = OP_B(br, t.c.textlen);
	tc_set(&t, 3, 1);
	tc_emit(&t, RET(3));
	run_ok(&t);
	cr_assert_eq(out.fault, 0);
	return (int)out.rval;
}

Test(scmp, ordering_and_c_flag)
{
	cr_expect_eq(scmp_branch(O_BE, "foo", "foo", 0), 1);
	cr_expect_eq(scmp_branch(O_BG, "foo", "eoo", 0), 1);
	cr_expect_eq(scmp_branch(O_BL, "eoo", "foo", 0), 1);
	cr_expect_eq(scmp_branch(O_BLU, "eoo", "foo", 0), 0, "C is never set");
	cr_expect_eq(scmp_branch(O_BGEU, "eoo", "foo", 0), 1);
	cr_expect_eq(scmp_branch(O_BGU, "eoo", "foo", 0), 1, "bgu = bne");
	cr_expect_eq(scmp_branch(O_BLEU, "foo", "foo", 0), 1, "bleu = be");
	cr_expect_eq(scmp_branch(O_BL, "ab", "abc", 1), 1);
	cr_expect_eq(scmp_branch(O_BG, "\xff", "a", 1), 1, "unsigned bytes");
}

Test(scmp, null_is_the_empty_string)
{
	cr_expect_eq(scmp_branch(O_BE, NULL, "", 0), 1);
	cr_expect_eq(scmp_branch(O_BL, NULL, "a", 0), 1);
	cr_expect_eq(scmp_branch(O_BE, NULL, NULL, 1), 1);
}

Test(scmp, unterminated_string_fails_silently)
{
	/* a canload region without a NUL: flags stay as cmp left them */
	static uint8_t bytes[4] = {'a', 'b', 'c', 'd'};
	struct tcase t;
	tc_init(&t, FB);
	t.c.deny = 1;
	t.c.regions[0] = (struct dc_region){0x10000, 4, 0, 1, bytes};
	t.c.nregions = 1;
	tc_emit(&t, OP_R(O_CMP, 0, 0, 0)); /* Z = 1 */
	tc_set(&t, 1, 0x10000);
	tc_emit(&t, SETS(tc_str(&t, "zzz"), 2));
	tc_emit(&t, OP_R(O_SCMP, 1, 2, 0));
	uint32_t at = tc_emit(&t, OP_B(O_BE, 0));
	tc_emit(&t, RET(0));
	t.text[at] = OP_B(O_BE, t.c.textlen);
	tc_set(&t, 3, 1);
	tc_emit(&t, RET(3));
	run_ok(&t);
	cr_expect_eq(out.fault, 0);
	cr_expect_eq(out.rval, 1, "be still taken: flags unchanged");
	/* not loadable at all: KPRIV with the address */
	t.c.regions[0].flags = 0;
	run_ok(&t);
	cr_expect_eq(out.fault, 6);
	cr_expect_eq(out.addr, 0x10000);
}

/* ---------------- 2.4 loads ---------------- */

static uint8_t mem8[16] = {0xff, 73, 0x80, 0xff, 1, 2, 3, 0x80,
                           0, 1, 2, 3, 4, 5, 6, 7};

static uint64_t load(unsigned op, uint64_t off, uint32_t deny, uint8_t as,
                     uint8_t flags, uint32_t *fault)
{
	struct tcase t;
	tc_init(&t, FB);
	t.c.deny = deny;
	t.c.regions[0] = (struct dc_region){0x20000, 16, as, flags, mem8};
	t.c.nregions = 1;
	tc_set(&t, 1, 0x20000 + off);
	tc_emit(&t, OP_R(op, 1, 0, 3));
	tc_emit(&t, RET(3));
	run_ok(&t);
	*fault = out.fault;
	return out.rval;
}

Test(load, sign_and_zero_extension)
{
	uint32_t f;
	cr_expect_eq(load(O_LDSB, 0, 0, 0, 0, &f), M64);
	cr_expect_eq(load(O_LDSB, 1, 0, 0, 0, &f), 73);
	cr_expect_eq(load(O_LDUB, 0, 0, 0, 0, &f), 0xff);
	uint16_t h;
	memcpy(&h, mem8 + 2, 2);
	cr_expect_eq(load(O_LDSH, 2, 0, 0, 0, &f), (uint64_t)(int64_t)(int16_t)h);
	cr_expect_eq(load(O_LDUH, 2, 0, 0, 0, &f), h);
	uint32_t w;
	memcpy(&w, mem8 + 4, 4);
	cr_expect_eq(load(O_LDSW, 4, 0, 0, 0, &f), (uint64_t)(int64_t)(int32_t)w);
	cr_expect_eq(load(O_LDUW, 4, 0, 0, 0, &f), w);
	uint64_t x;
	memcpy(&x, mem8 + 8, 8);
	cr_expect_eq(load(O_LDX, 8, 0, 0, 0, &f), x);
	cr_expect_eq(f, 0);
	cr_expect_eq(load(O_LDX, 9, 0, 0, 0, &f), 0);
	cr_expect_eq(f, 1, "past the region: BADADDR");
	/* at the first unreadable byte, not the load address
	 * (emulator-facts.md 4) */
	cr_expect_eq(out.addr, 0x20010);
}

Test(load, checked_loads_and_rewrite)
{
	uint32_t f;
	cr_expect_eq(load(O_RLDSB, 0, 1, 0, 1, &f), M64, "canload region");
	cr_expect_eq(f, 0);
	load(O_RLDSB, 0, 1, 0, 0, &f);
	cr_expect_eq(f, 6, "not canload: KPRIV");
	cr_expect_eq(out.addr, 0x20000);
	/* without kernel visibility LDxx behave as RLDxx (5.1 rule 3) */
	load(O_LDUB, 1, 1, 0, 0, &f);
	cr_expect_eq(f, 6);
	cr_expect_eq(load(O_LDUB, 1, 1, 0, 1, &f), 73);
	/* with kernel privilege everything passes canload */
	cr_expect_eq(load(O_RLDUB, 1, 0, 0, 0, &f), 73);
	cr_expect_eq(f, 0);
	load(O_LDUB, 1, 0, 0, 2, &f);
	cr_expect_eq(f, 1, "toxic: BADADDR");
}

Test(load, user_loads)
{
	uint32_t f;
	cr_expect_eq(load(O_ULDSB, 0, 0, 1, 0, &f), M64);
	cr_expect_eq(f, 0);
	load(O_ULDSB, 0, 0, 0, 0, &f);
	cr_expect_eq(f, 1, "kernel address in a user load");
}

/* ---------------- 2.5 stores, allocs, copys ---------------- */

Test(store, order_alignment_and_roundtrip)
{
	struct tcase t;
	tc_init(&t, FB);
	tc_set(&t, 1, 16);
	tc_emit(&t, OP_R(O_ALLOCS, 1, 0, 2));
	tc_set(&t, 3, 0x1122334455667788ull);
	tc_emit(&t, OP_R(O_STX, 3, 0, 2));
	tc_emit(&t, OP_R(O_LDX, 2, 0, 4));
	tc_emit(&t, RET(4));
	run_ok(&t);
	cr_expect_eq(out.rval, 0x1122334455667788ull);

	/* misaligned store into scratch: BADALIGN */
	tc_init(&t, FB);
	tc_set(&t, 1, 16);
	tc_emit(&t, OP_R(O_ALLOCS, 1, 0, 2));
	tc_set(&t, 5, 1);
	tc_emit(&t, OP_R(O_ADD, 2, 5, 2));
	tc_emit(&t, OP_R(O_STH, 5, 0, 2));
	tc_emit(&t, RET(0));
	run_ok(&t);
	cr_expect_eq(out.fault, 2);
	cr_expect_eq(out.addr, DC_VA_SCRATCH + 1);
	/* misaligned and not storable: canstore is checked first */
	tc_init(&t, FB);
	tc_emit(&t, SETS(tc_str(&t, "abc"), 2));
	tc_emit(&t, OP_R(O_STH, 2, 0, 2));
	tc_emit(&t, RET(0));
	run_ok(&t);
	cr_expect_eq(out.fault, 1);
	cr_expect_eq(out.addr, DC_VA_STRTAB + 1);
}

/* Runs `sub` (allocs or alloca) twice in one state: the second run sees
 * what the first stored (same scratch address) unless it zeroes. */
Test(store, allocs_zeroes_alloca_does_not)
{
	for (int which = 0; which < 2; which++) {
		struct tcase t;
		tc_init(&t, FB);
		tc_set(&t, 1, 8);
		if (which == 0) {
			tc_emit(&t, OP_R(O_ALLOCS, 1, 0, 2));
		} else {
			tc_emit(&t, FLUSHTS);
			tc_emit(&t, PUSHTV(1));
			tc_emit(&t, CALL(15, 2)); /* alloca */
		}
		tc_emit(&t, OP_R(O_LDX, 2, 0, 4));
		tc_set(&t, 3, 0x1234);
		tc_emit(&t, OP_R(O_STX, 3, 0, 2));
		tc_emit(&t, RET(4));
		t.c.runs = 2;
		run_ok(&t);
		cr_expect_eq(out.rval, which == 0 ? 0 : 0x1234, "which %d", which);
	}
}

Test(store, allocs_noscratch_and_wrap)
{
	struct tcase t;
	tc_init(&t, FB);
	t.c.scratch_size = 16;
	tc_set(&t, 1, 17);
	tc_emit(&t, OP_R(O_ALLOCS, 1, 0, 2));
	tc_emit(&t, RET(2));
	run_ok(&t);
	cr_expect_eq(out.fault, 5);
	t.ints[0] = M64;
	run_ok(&t);
	cr_expect_eq(out.fault, 5, "size -1 wraps");
	t.ints[0] = 16;
	run_ok(&t);
	cr_expect_eq(out.fault, 0);
	cr_expect_eq(out.rval, DC_VA_SCRATCH);
}

Test(store, copys)
{
	struct tcase t;
	tc_init(&t, FB);
	t.c.rtype.kind = 1;
	t.c.rtype.flags = 1;
	t.c.rtype.size = 256;
	tc_set(&t, 1, 6);
	tc_emit(&t, OP_R(O_ALLOCS, 1, 0, 2));
	tc_emit(&t, SETS(tc_str(&t, "hello"), 3));
	tc_emit(&t, OP_R(O_COPYS, 3, 1, 2));
	tc_emit(&t, RET(2));
	run_ok(&t);
	cr_expect_eq(out.fault, 0);
	cr_expect_str_eq(out.string, "hello");
	/* destination not storable: BADADDR with the destination */
	t.text[3] = OP_R(O_COPYS, 3, 1, 3);
	run_ok(&t);
	cr_expect_eq(out.fault, 1);
	cr_expect_eq(out.addr, DC_VA_STRTAB + 1);
}

/* ---------------- 2.6, 2.10 constants, ret ---------------- */

Test(misc, sets_setx_ret)
{
	struct tcase t;
	tc_init(&t, FB);
	t.c.rtype = (struct dc_type){1, 0, 1, 256};
	uint32_t off = tc_str(&t, "teststring");
	tc_emit(&t, SETS(off, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.rval, DC_VA_STRTAB + off);
	cr_expect_str_eq(out.string, "teststring");
	tc_init(&t, FB);
	tc_set(&t, 1, 0xfeedfacecafebeefull);
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.rval, 0xfeedfacecafebeefull);
	tc_init(&t, FB);
	tc_emit(&t, OP_R(O_NOP, 0, 0, 0));
	tc_emit(&t, RET(0));
	run_ok(&t);
	cr_expect_eq(out.rval, 0);
}

/* ---------------- 2.8 tuple stack ---------------- */

Test(tuple, overflow_and_ctf_size)
{
	struct tcase t;
	tc_init(&t, FB);
	for (int k = 0; k < 9; k++)
		tc_emit(&t, PUSHTV(0));
	tc_emit(&t, RET(0));
	run_ok(&t);
	cr_expect_eq(out.fault, 8);
	cr_expect_eq(out.pc, 8);
	tc_init(&t, FB);
	tc_emit(&t, OP_R(O_POPTS, 0, 0, 0));
	tc_set(&t, 1, IMIN);
	tc_emit(&t, PUSHTR(0, 1, 0));
	tc_emit(&t, RET(0));
	run_ok(&t);
	cr_expect_eq(out.fault, 3, "CTF size > LONG_MAX: ILLOP");
}

/* ---------------- 2.7 variables ---------------- */

Test(vars, global_persists_between_runs)
{
	struct tcase t;
	tc_init(&t, FB);
	tc_var(&t, 0x500, 0, 1, 0, 0, 8);
	tc_emit(&t, OP_W(O_LDGS, 0x500, 1));
	tc_set(&t, 2, 1);
	tc_emit(&t, OP_R(O_ADD, 1, 2, 1));
	tc_emit(&t, OP_W(O_STGS, 0x500, 1));
	tc_emit(&t, RET(1));
	t.c.runs = 3;
	run_ok(&t);
	cr_expect_eq(out.rval, 3);
}

Test(vars, byref_global_null_marker)
{
	struct tcase t;
	tc_init(&t, FB);
	t.c.rtype = (struct dc_type){1, 0, 1, 256};
	tc_var(&t, 0x500, 0, 1, 1, 1, 256);
	tc_emit(&t, OP_W(O_LDGS, 0x500, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.rval, 0, "never stored: NULL");
	tc_init(&t, FB);
	t.c.rtype = (struct dc_type){1, 0, 1, 256};
	tc_var(&t, 0x500, 0, 1, 1, 1, 256);
	tc_emit(&t, SETS(tc_str(&t, "value"), 2));
	tc_emit(&t, OP_W(O_STGS, 0x500, 2));
	tc_emit(&t, OP_W(O_LDGS, 0x500, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_neq(out.rval, 0);
	cr_expect_str_eq(out.string, "value");
	/* storing NULL marks it NULL again */
	t.text[1] = OP_W(O_STGS, 0x500, 0);
	run_ok(&t);
	cr_expect_eq(out.rval, 0);
}

Test(vars, thread_local_store_load_delete)
{
	struct tcase t;
	tc_init(&t, FB);
	tc_var(&t, 0x500, 1, 1, 0, 0, 8);
	tc_set(&t, 1, 5);
	tc_emit(&t, OP_W(O_STTS, 0x500, 1));
	tc_emit(&t, OP_W(O_LDTS, 0x500, 2));
	tc_emit(&t, RET(2));
	run_ok(&t);
	cr_expect_eq(out.rval, 5);
	/* store 0 deletes; a missing element loads as 0 */
	t.text[1] = OP_W(O_STTS, 0x500, 0);
	run_ok(&t);
	cr_expect_eq(out.rval, 0);
	/* another thread does not see it */
	tc_init(&t, FB);
	tc_var(&t, 0x500, 1, 1, 0, 0, 8);
	tc_emit(&t, OP_W(O_LDTS, 0x500, 2));
	tc_set(&t, 1, 9);
	tc_emit(&t, OP_W(O_STTS, 0x500, 1));
	tc_emit(&t, RET(2));
	t.c.runs = 2;
	run_ok(&t);
	cr_expect_eq(out.rval, 9, "same thread, second run");
}

Test(vars, assoc_keys_by_value_and_by_content)
{
	struct tcase t;
	tc_init(&t, FB);
	tc_var(&t, 0x500, 0, 0, 0, 0, 8);
	uint32_t k1 = tc_str(&t, "key");
	uint32_t k2 = tc_str(&t, "key"); /* same contents, other address */
	tc_emit(&t, SETS(k1, 1));
	tc_emit(&t, PUSHTR(1, 0, 1));
	tc_set(&t, 3, 42);
	tc_emit(&t, OP_W(O_STGAA, 0x500, 3));
	tc_emit(&t, FLUSHTS);
	tc_emit(&t, SETS(k2, 2));
	tc_emit(&t, PUSHTR(1, 0, 2));
	tc_emit(&t, OP_W(O_LDGAA, 0x500, 4));
	tc_emit(&t, RET(4));
	run_ok(&t);
	cr_expect_eq(out.rval, 42);
	/* by value: 1 and 2 are different keys */
	tc_init(&t, FB);
	tc_var(&t, 0x500, 0, 0, 0, 0, 8);
	tc_set(&t, 1, 1);
	tc_set(&t, 2, 2);
	tc_emit(&t, PUSHTV(1));
	tc_emit(&t, OP_W(O_STGAA, 0x500, 1));
	tc_emit(&t, FLUSHTS);
	tc_emit(&t, PUSHTV(2));
	tc_emit(&t, OP_W(O_STGAA, 0x500, 2));
	tc_emit(&t, FLUSHTS);
	tc_emit(&t, PUSHTV(1));
	tc_emit(&t, OP_W(O_LDGAA, 0x500, 4));
	tc_emit(&t, RET(4));
	run_ok(&t);
	cr_expect_eq(out.rval, 1);
}

Test(vars, dynamic_variable_drops)
{
	struct tcase t;
	struct dc_spec_info info;
	tc_init(&t, FB);
	t.c.dynvar_size = 160 + 9 * 256; /* exactly one chunk */
	tc_var(&t, 0x500, 0, 0, 0, 0, 8);
	tc_set(&t, 1, 1);
	tc_set(&t, 2, 2);
	tc_emit(&t, PUSHTV(1));
	tc_emit(&t, OP_W(O_STGAA, 0x500, 1));
	tc_emit(&t, FLUSHTS);
	tc_emit(&t, PUSHTV(2));
	tc_emit(&t, OP_W(O_STGAA, 0x500, 2));
	tc_emit(&t, OP_W(O_LDGAA, 0x500, 4));
	tc_emit(&t, RET(4));
	cr_assert_eq(dc_spec_run_info(&t.c, &out, NULL, &info), 0);
	cr_expect_eq(out.fault, 0, "a drop is not a fault");
	cr_expect_eq(out.rval, 0, "dropped store");
	cr_expect_eq(info.drops, 1);
}

Test(vars, builtins_privileges_and_profiles)
{
	struct tcase t;
	tc_init(&t, FB);
	t.c.bvars[0] = (struct dc_bvar){0x116, 1234, NULL};
	t.c.nbvars = 1;
	tc_emit(&t, OP_W(O_LDGS, 0x116, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.rval, 1234);
	t.c.deny = 2;
	run_ok(&t);
	cr_expect_eq(out.fault, 7, "pid needs proc privilege");
	/* execname needs proc privilege on illumos only */
	tc_init(&t, IL);
	t.c.deny = 3;
	t.c.bvars[0] = (struct dc_bvar){0x118, 0, "sh"};
	t.c.nbvars = 1;
	t.c.rtype = (struct dc_type){1, 0, 1, 256};
	tc_emit(&t, OP_W(O_LDGS, 0x118, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.fault, 7);
	t.c.profile = FB;
	run_ok(&t);
	cr_expect_eq(out.fault, 0);
	cr_expect_str_eq(out.string, "sh");
	cr_expect_eq(out.rval, DC_VA_SCRATCH, "copied to scratch");
	t.c.deny = 0;
	run_ok(&t);
	cr_expect_eq(out.rval, DC_VA_ENVSTR + 4 * 256, "kernel consumers get the pointer (execname slot)");
	/* cpu (0x200) exists on FreeBSD only */
	tc_init(&t, FB);
	tc_emit(&t, OP_W(O_LDGS, 0x200, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.fault, 0);
	t.c.profile = IL;
	run_ok(&t);
	cr_expect_eq(out.fault, 3);
	/* unknown built-in, ldta, regs[] */
	tc_init(&t, FB);
	tc_emit(&t, OP_W(O_LDGS, 0x4ff, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.fault, 3);
	t.text[0] = OP_R(O_LDTA, 0, 0, 1);
	run_ok(&t);
	cr_expect_eq(out.fault, 3);
	t.text[0] = OP_R(O_LDGA, 1, 0, 1);
	run_ok(&t);
	cr_expect_eq(out.fault, 3);
	/* args[] and arg0..9 */
	tc_init(&t, FB);
	t.c.args[2] = 77;
	tc_set(&t, 2, 2);
	tc_emit(&t, OP_R(O_LDGA, 0, 2, 1));
	tc_emit(&t, OP_W(O_LDGS, 0x108, 3));
	tc_emit(&t, OP_R(O_ADD, 1, 3, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.rval, 154);
	/* LDLS below 0x500 is 0 without a fault */
	tc_init(&t, FB);
	tc_emit(&t, OP_W(O_LDLS, 0x100, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.fault, 0);
	cr_expect_eq(out.rval, 0);
}

/* ---------------- 5 validation ---------------- */

Test(validate, rejected_programs)
{
	struct tcase t;
	char msg[128];
	tc_init(&t, FB);
	tc_emit(&t, OP_B(O_BA, 0));
	tc_emit(&t, RET(0));
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), DC_SPEC_EINVAL);
	cr_expect(strstr(msg, "backward") != NULL, "%s", msg);
	t.text[0] = OP_R(O_NOP, 0, 0, 0);
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), 0, "%s", msg);
	t.text[1] = OP_R(O_NOP, 0, 0, 0);
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), DC_SPEC_EINVAL);
	tc_init(&t, FB);
	tc_emit(&t, OP_R(O_STGA, 2, 1, 1));
	tc_emit(&t, RET(0));
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), DC_SPEC_EINVAL);
	t.c.profile = IL;
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), 0, "%s", msg);
	t.text[0] = OP_W(O_XLATE, 0, 1);
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), DC_SPEC_EINVAL);
	t.text[0] = OP_R(O_ADD, 1, 2, 0);
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), DC_SPEC_EINVAL);
	t.text[0] = CALL(49, 1);
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), DC_SPEC_EINVAL);
	t.c.profile = FB;
	cr_expect_eq(dc_spec_validate(&t.c, msg, sizeof(msg)), 0, "%s", msg);
	struct dc_outcome o;
	t.text[0] = OP_B(O_BA, 0);
	cr_expect_eq(dc_spec_run(&t.c, &o, NULL), DC_SPEC_EINVAL);
}

Test(tuple, pushtr_string_size_is_strlen_plus_one)
{
	/* key pushed with bound 2: size 3, bytes "abc"; with bound 0 (256):
	 * size 4, bytes "abc\0" -- a different key */
	uint32_t bound[] = {0, 2};
	const char *probe[] = {"abc", "abcz"};
	uint64_t want[] = {0, 42};
	for (int k = 0; k < 2; k++) {
		struct tcase t;
		tc_init(&t, FB);
		tc_var(&t, 0x500, 0, 0, 0, 0, 8);
		tc_emit(&t, SETS(tc_str(&t, "abc"), 1));
		tc_set(&t, 2, 2);
		tc_emit(&t, PUSHTR(1, 2, 1));
		tc_set(&t, 3, 42);
		tc_emit(&t, OP_W(O_STGAA, 0x500, 3));
		tc_emit(&t, FLUSHTS);
		tc_emit(&t, SETS(tc_str(&t, probe[k]), 4));
		tc_set(&t, 5, bound[k]);
		tc_emit(&t, PUSHTR(1, 5, 4));
		tc_emit(&t, OP_W(O_LDGAA, 0x500, 6));
		tc_emit(&t, RET(6));
		run_ok(&t);
		cr_expect_eq(out.fault, 0);
		cr_expect_eq(out.rval, want[k], "probe %d", k);
	}
}

Test(vars, clause_locals_and_thread_keys)
{
	struct tcase t;
	tc_init(&t, FB);
	tc_var(&t, 0x500, 2, 1, 0, 0, 8);
	tc_emit(&t, OP_W(O_LDLS, 0x500, 1));
	tc_set(&t, 2, 5);
	tc_emit(&t, OP_R(O_ADD, 1, 2, 1));
	tc_emit(&t, OP_W(O_STLS, 0x500, 1));
	tc_emit(&t, RET(1));
	t.c.runs = 2;
	run_ok(&t);
	cr_expect_eq(out.rval, 10, "clause-locals persist in one context");
	/* thread-locals are keyed by the thread key (default: tid) */
	tc_init(&t, FB);
	tc_var(&t, 0x500, 1, 1, 0, 0, 8);
	t.c.bvars[0] = (struct dc_bvar){0x117, 7, NULL};
	t.c.nbvars = 1;
	tc_emit(&t, OP_W(O_LDTS, 0x500, 1));
	tc_set(&t, 2, 3);
	tc_emit(&t, OP_R(O_ADD, 1, 2, 1));
	tc_emit(&t, OP_W(O_STTS, 0x500, 1));
	tc_emit(&t, RET(1));
	t.c.runs = 3;
	run_ok(&t);
	cr_expect_eq(out.rval, 9);
	t.c.thread_key = 0x10063;
	run_ok(&t);
	cr_expect_eq(out.rval, 9);
	/* a key that could equal a variable's key entry is outside DTrace */
	struct dc_spec_info info;
	t.c.thread_key = 0xfaff;
	cr_expect_eq(dc_spec_run_info(&t.c, &out, NULL, &info), DC_SPEC_EUNSUP);
	/* so is a tid whose derived key wraps down into that range */
	t.c.thread_key = 0;
	t.c.bvars[0].value = ((uint64_t)1 << 61) - 0xffff + 2;
	cr_expect_eq(dc_spec_run_info(&t.c, &out, NULL, &info), DC_SPEC_EUNSUP);
	/* the derived key keeps thread-locals apart from associative
	 * elements whose key tuple looks like [var - 0x500, small value] */
	tc_init(&t, FB);
	tc_var(&t, 0x500, 0, 0, 0, 0, 8); /* g500[], global assoc */
	tc_var(&t, 0x502, 1, 1, 0, 0, 8); /* t502, thread scalar */
	tc_set(&t, 1, 2);
	tc_emit(&t, PUSHTV(1));
	tc_emit(&t, OP_W(O_STGAA, 0x500, 1)); /* g500[2] = 2 */
	tc_set(&t, 5, 9);
	tc_emit(&t, OP_W(O_STTS, 0x502, 5)); /* t502 = 9 */
	tc_emit(&t, OP_W(O_LDGAA, 0x500, 3));
	tc_emit(&t, FLUSHTS);
	tc_emit(&t, OP_W(O_LDTS, 0x502, 4));
	tc_set(&t, 6, 16);
	tc_emit(&t, OP_R(O_MUL, 3, 6, 3));
	tc_emit(&t, OP_R(O_ADD, 3, 4, 3));
	tc_emit(&t, RET(3));
	run_ok(&t);
	cr_expect_eq(out.rval, 2 * 16 + 9, "g500[2] and t502 are apart");
}

/* The variables of libdtrace-experiments (hypertrace-and-cadets.md 6.2). */
Test(vars, libdtrace_experiments_variables)
{
	static const struct { unsigned id; uint64_t v; const char *s; } bv[] = {
		{0x104, 11, NULL},       /* epid */
		{0x120, 12, NULL},       /* errno */
		{0x11f, 13, NULL},       /* gid */
		{0x105, 14, NULL},       /* id */
		{0x116, 15, NULL},       /* pid */
		{0x11d, 16, NULL},       /* ppid */
		{0x117, 17, NULL},       /* tid */
		{0x11e, 18, NULL},       /* uid */
		{0x118, 0, "dtrace"},    /* execname */
		{0x114, 0, "open"},      /* probefunc */
		{0x113, 0, "kernel"},    /* probemod */
		{0x115, 0, "entry"},     /* probename */
		{0x112, 0, "syscall"},   /* probeprov */
	};
	for (uint32_t p = 0; p < 2; p++) {
		for (unsigned k = 0; k < sizeof(bv) / sizeof(bv[0]); k++) {
			struct tcase t;
			tc_init(&t, p);
			for (unsigned j = 0; j < sizeof(bv) / sizeof(bv[0]); j++)
				t.c.bvars[j] = (struct dc_bvar){bv[j].id, bv[j].v,
				                                (char *)bv[j].s};
			t.c.nbvars = sizeof(bv) / sizeof(bv[0]);
			if (bv[k].s)
				t.c.rtype = (struct dc_type){1, 0, 1, 256};
			tc_emit(&t, OP_W(O_LDGS, bv[k].id, 1));
			tc_emit(&t, RET(1));
			run_ok(&t);
			cr_expect_eq(out.fault, 0, "var 0x%x", bv[k].id);
			if (bv[k].s)
				cr_expect_str_eq(out.string, bv[k].s, "var 0x%x", bv[k].id);
			else
				cr_expect_eq(out.rval, bv[k].v, "var 0x%x", bv[k].id);
		}
	}
	/* "unknown": an id that is no built-in */
	struct tcase t;
	tc_init(&t, FB);
	tc_emit(&t, OP_W(O_LDGS, 0x300, 1));
	tc_emit(&t, RET(1));
	run_ok(&t);
	cr_expect_eq(out.fault, 3);
	/* LDUB of (uint8)256 is 0 */
	static uint8_t z[1] = {(uint8_t)256};
	tc_init(&t, FB);
	t.c.regions[0] = (struct dc_region){0x9000, 1, 0, 0, z};
	t.c.nregions = 1;
	tc_set(&t, 1, 0x9000);
	tc_emit(&t, OP_R(O_LDUB, 1, 0, 2));
	tc_emit(&t, RET(2));
	run_ok(&t);
	cr_expect_eq(out.rval, 0);
}

Test(tuple, assoc_keys_land_in_the_tuple_array)
{
	/* ldgaa with an empty stack writes {var - 0x500, 0} at slot 0; a call
	 * with no arguments then reads it as a stale arg0 */
	struct tcase t;
	tc_init(&t, FB);
	tc_var(&t, 0x503, 0, 0, 0, 0, 8);
	tc_var(&t, 0x500, 0, 1, 0, 0, 8);
	tc_emit(&t, OP_W(O_LDGAA, 0x503, 1));
	tc_emit(&t, CALL(35, 2)); /* htons(stale arg0) */
	tc_emit(&t, RET(2));
	run_ok(&t);
	cr_expect_eq(out.rval, 0x300);
}

Test(vars, byref_key_faults_at_its_first_unreadable_byte)
{
	/* an 8-byte key over a 4-byte region: BADADDR at the fifth byte with
	 * kernel visibility; KPRIV at the key without it (conventions.md,
	 * Decisions 5) */
	static uint8_t four[4] = {'a', 'b', 'c', 'd'};
	for (int deny = 0; deny < 2; deny++) {
		struct tcase t;
		tc_init(&t, FB);
		t.c.deny = (uint32_t)deny;
		t.c.regions[0] = (struct dc_region){0x20000, 4, 0, 1, four};
		t.c.nregions = 1;
		tc_var(&t, 0x500, 0, 0, 0, 0, 8); /* global array */
		tc_set(&t, 1, 0x20000);
		tc_set(&t, 2, 8);
		tc_emit(&t, PUSHTR(0, 2, 1));
		tc_emit(&t, OP_W(O_LDGAA, 0x500, 3));
		tc_emit(&t, RET(3));
		run_ok(&t);
		cr_expect_eq(out.fault, deny ? 6u : 1u);
		cr_expect_eq(out.addr, deny ? 0x20000u : 0x20004u);
	}
}

Test(builtins, unset_string_builtins_read_as_null)
{
	/* conventions.md, Decisions 1: with and without kernel visibility,
	 * and no scratch is taken */
	static const uint32_t ids[] = {0x112, 0x113, 0x114, 0x115, 0x118};
	for (int deny = 0; deny < 2; deny++) {
		for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			struct tcase t;
			struct dc_spec_info info;
			tc_init(&t, FB);
			t.c.deny = (uint32_t)deny;
			tc_emit(&t, OP_W(O_LDGS, ids[k], 1));
			tc_emit(&t, RET(1));
			memset(&info, 0, sizeof(info));
			cr_assert_eq(dc_spec_run_info(&t.c, &out, NULL, &info), 0);
			cr_expect_eq(out.fault, 0);
			cr_expect_eq(out.rval, 0, "id %#x deny %d", ids[k], deny);
			cr_expect_eq(info.scratch_used, 0);
		}
	}
}

Test(table, no_impossible_cases_and_host_masks)
{
	/* conventions.md, Decisions 8 */
	cr_expect_eq(dc_spec_case_index("stb", "badalign"), -1);
	cr_expect_eq(dc_spec_case_index("ldts", "key-kpriv"), -1);
	cr_expect_eq(dc_spec_case_index("stts", "key-badaddr"), -1);
	cr_expect_geq(dc_spec_case_index("ldgaa", "key-badaddr"), 0);
	long id = dc_spec_case_index("htons", "identity");
	long sw = dc_spec_case_index("htons", "swap");
	cr_assert(id >= 0 && sw >= 0);
	cr_expect_eq(dc_spec_case_at((size_t)id)->hosts, DC_HOST_BE);
	cr_expect_eq(dc_spec_case_at((size_t)sw)->hosts, DC_HOST_LE);
	unsigned h = dc_spec_host();
	cr_expect(h == DC_HOST_LE || h == DC_HOST_BE);
	/* the model follows the host it runs on */
	struct tcase t;
	tc_init(&t, FB);
	tc_set(&t, 1, 0x1234);
	tc_emit(&t, PUSHTV(1));
	tc_emit(&t, CALL(35, 2)); /* htons */
	tc_emit(&t, RET(2));
	run_ok(&t);
	cr_expect_eq(out.rval, h == DC_HOST_LE ? 0x3412u : 0x1234u);
}
