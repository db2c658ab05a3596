/*
 * The structural validator on DIFOs built from raw words: one accepting and
 * at least one rejecting case per rule of dif-isa.md section 5, boundary
 * values on both sides of every limit, checked by code and exact message.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "vcase.h"

#define FB DIF_PROFILE_FREEBSD
#define IL DIF_PROFILE_ILLUMOS
#define T(...) .len = sizeof((uint32_t[]){ __VA_ARGS__ }) / 4, .text = { __VA_ARGS__ }
#define V(...) .nvars = sizeof((struct dif_var[]){ __VA_ARGS__ }) / sizeof(struct dif_var), \
	.vars = { __VA_ARGS__ }

static const struct vcase cases[] = {
	/* 1: three-register ALU and copys */
	{ "alu3_ok", FB, 0, T(R(ADD, 1, 2, 3), RET(3)), .expect = "" },
	{ "alu3_r7_ok", FB, 0, T(R(UREM, 7, 7, 7), RET(7)), .expect = "" },
	{ "alu3_bad_regs", FB, 0, T(R(ADD, 8, 9, 0), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n"
	            "0: invalid-register: invalid register 9\n"
	            "0: r0-write: cannot write to %r0\n" },
	{ "alu3_rd8", FB, 0, T(R(SUB, 7, 7, 8), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n" },
	{ "copys_rd0", FB, 0, T(R(COPYS, 1, 2, 0), RET(0)),
	  .expect = "0: r0-write: cannot write to %r0\n" },
	{ "nregs4_r3_ok", FB, 4, T(R(ADD, 3, 3, 3), RET(3)), .expect = "" },
	{ "nregs4_r4", FB, 4, T(R(ADD, 3, 3, 4), RET(4)),
	  .expect = "0: invalid-register: invalid register 4\n"
	            "1: invalid-register: invalid register 4\n" },
	{ "nregs256_r255_ok", FB, 256, T(R(ADD, 255, 255, 255), RET(255)), .expect = "" },
	{ "nregs255_r255", FB, 255, T(R(ADD, 254, 254, 255), RET(0)),
	  .expect = "0: invalid-register: invalid register 255\n" },
	/* 2: not, mov, allocs */
	{ "mov_ok", FB, 0, T(R(MOV, 1, 0, 2), RET(2)), .expect = "" },
	{ "not_reserved", FB, 0, T(R(NOT, 1, 1, 2), RET(2)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "allocs_r0", FB, 0, T(R(ALLOCS, 1, 0, 0), RET(0)),
	  .expect = "0: r0-write: cannot write to %r0\n" },
	{ "mov_all_bad", FB, 0, T(R(MOV, 8, 0xff, 0), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n"
	            "0: reserved-bits: non-zero reserved bits\n"
	            "0: r0-write: cannot write to %r0\n" },
	/* 3, 4: loads */
	{ "ldx_ok", FB, 0, T(R(LDX, 1, 0, 2), RET(2)), .expect = "" },
	{ "ldsb_reserved", FB, 0, T(R(LDSB, 1, 3, 2), RET(2)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "rldx_r0", FB, 0, T(R(RLDX, 1, 0, 0), RET(0)),
	  .expect = "0: r0-write: cannot write to %r0\n" },
	{ "uldub_r1_8", FB, 0, T(R(ULDUB, 8, 0, 1), RET(1)),
	  .expect = "0: invalid-register: invalid register 8\n" },
	/* 5: stores */
	{ "stx_ok", FB, 0, T(R(STX, 0, 0, 2), RET(0)), .expect = "" },
	{ "stb_r0_addr", FB, 0, T(R(STB, 1, 0, 0), RET(0)),
	  .expect = "0: r0-address: cannot write to 0 address\n" },
	{ "sth_reserved_regs", FB, 0, T(R(STH, 9, 1, 8), RET(0)),
	  .expect = "0: invalid-register: invalid register 9\n"
	            "0: reserved-bits: non-zero reserved bits\n"
	            "0: invalid-register: invalid register 8\n" },
	/* 6: cmp, scmp */
	{ "cmp_ok", FB, 0, T(R(CMP, 1, 2, 0), RET(0)), .expect = "" },
	{ "scmp_rd", FB, 0, T(R(SCMP, 1, 2, 3), RET(0)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "cmp_regs", FB, 0, T(R(CMP, 8, 200, 0), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n"
	            "0: invalid-register: invalid register 200\n" },
	/* 7: tst (one report for r2 and rd together) */
	{ "tst_ok", FB, 0, T(R(TST, 7, 0, 0), RET(0)), .expect = "" },
	{ "tst_reserved_both", FB, 0, T(R(TST, 1, 1, 1), RET(0)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "tst_reserved_rd", FB, 0, T(R(TST, 8, 0, 5), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n"
	            "0: reserved-bits: non-zero reserved bits\n" },
	/* 8: branches */
	{ "branch_last_ok", FB, 0, T(B(BE, 2), R(MOV, 1, 0, 2), RET(2)), .expect = "" },
	{ "branch_next_ok", FB, 0, T(B(BA, 1), B(BLEU, 2), RET(0)), .expect = "" },
	{ "branch_label_eq_len", FB, 0, T(B(BA, 3), R(MOV, 1, 0, 2), RET(2)),
	  .expect = "0: branch-target: invalid branch target 3\n" },
	{ "branch_label_eq_pc", FB, 0, T(R(MOV, 1, 0, 2), B(BNE, 1), RET(0)),
	  .expect = "1: branch-backward: backward branch to 1\n" },
	{ "branch_back", FB, 0, T(R(MOV, 1, 0, 2), B(BGU, 0), RET(0)),
	  .expect = "1: branch-backward: backward branch to 0\n" },
	{ "branch_max_label", FB, 0, T(B(BL, 0xffffff), RET(0)),
	  .expect = "0: branch-target: invalid branch target 16777215\n" },
	{ "branch_self_at_0", FB, 0, T(B(BA, 0), RET(0)),
	  .expect = "0: branch-backward: backward branch to 0\n" },
	/* one forward out of range, one backward, in the same DIFO */
	{ "branch_both", FB, 0, T(R(NOP, 0, 0, 0), B(BA, 9), B(BA, 1), RET(0)),
	  .expect = "1: branch-target: invalid branch target 9\n"
	            "2: branch-backward: backward branch to 1\n" },
	/* 9: ret */
	{ "ret_r0_ok", FB, 0, T(RET(0)), .expect = "" },
	{ "ret_r7_ok", FB, 0, T(RET(7)), .expect = "" },
	{ "ret_reserved_r1", FB, 0, T(R(RET, 1, 0, 1)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "ret_reserved_r2", FB, 0, T(R(RET, 0, 1, 0)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "ret_r8", FB, 0, T(RET(8)),
	  .expect = "0: invalid-register: invalid register 8\n" },
	/* 10: nop, popts, flushts */
	{ "nop_ok", FB, 0, T(R(NOP, 0, 0, 0), R(POPTS, 0, 0, 0), R(FLUSHTS, 0, 0, 0), RET(0)),
	  .expect = "" },
	{ "nop_reserved", FB, 0, T(RAW(DIF_OPC_NOP, 1), RET(0)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "popts_reserved", FB, 0, T(RAW(DIF_OPC_POPTS, 0x100), RET(0)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	{ "flushts_reserved", FB, 0, T(RAW(DIF_OPC_FLUSHTS, 0x10000), RET(0)),
	  .expect = "0: reserved-bits: non-zero reserved bits\n" },
	/* 11: setx */
	{ "setx_last_ok", FB, 0, T(W(SETX, 1, 1), RET(1)), .intlen = 2, .expect = "" },
	{ "setx_eq_len", FB, 0, T(W(SETX, 2, 1), RET(1)), .intlen = 2,
	  .expect = "0: inttab-index: invalid integer ref 2\n" },
	{ "setx_no_table", FB, 0, T(W(SETX, 0, 1), RET(1)),
	  .expect = "0: inttab-index: invalid integer ref 0\n" },
	{ "setx_r0", FB, 0, T(W(SETX, 0, 0), RET(0)), .intlen = 1,
	  .expect = "0: r0-write: cannot write to %r0\n" },
	{ "setx_max_index", FB, 0, T(W(SETX, 0xffff, 9), RET(0)), .intlen = 1,
	  .expect = "0: inttab-index: invalid integer ref 65535\n"
	            "0: invalid-register: invalid register 9\n" },
	/* 12: sets */
	{ "sets_last_ok", FB, 0, T(W(SETS, 3, 1), RET(1)), .strlen = 4, .expect = "" },
	{ "sets_eq_len", FB, 0, T(W(SETS, 4, 1), RET(1)), .strlen = 4,
	  .expect = "0: strtab-offset: invalid string ref 4\n" },
	{ "sets_rd8", FB, 0, T(W(SETS, 0, 8), RET(0)), .strlen = 1,
	  .expect = "0: invalid-register: invalid register 8\n" },
	/* 13: ldga, ldta */
	{ "ldga_ok", FB, 0, T(R(LDGA, 0, 1, 2), R(LDTA, 0xff, 7, 3), RET(2)), .expect = "" },
	{ "ldta_bad", FB, 0, T(R(LDTA, 2, 8, 0), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n"
	            "0: r0-write: cannot write to %r0\n" },
	/* 14: stga (illumos only) */
	{ "stga_illumos_ok", IL, 0, T(R(STGA, 2, 1, 0), RET(0)), .expect = "" },
	{ "stga_freebsd", FB, 0, T(R(STGA, 2, 1, 0), RET(0)),
	  .expect = "0: invalid-opcode: invalid opcode 80\n" },
	{ "stga_regs", IL, 0, T(R(STGA, 0xff, 8, 9), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n"
	            "0: invalid-register: invalid register 9\n" },
	/* 15: variable loads */
	{ "ldgs_0x100_ok", FB, 0, T(W(LDGS, 0x100, 1), W(LDLS, 0x4ff, 2), W(LDGAA, 0x100, 3), RET(1)),
	  .expect = "" },
	{ "ldgs_0xff", FB, 0, T(W(LDGS, 0xff, 1), RET(1)),
	  .expect = "0: var-range: invalid variable 255\n" },
	{ "ldts_0", FB, 0, T(W(LDTS, 0, 1), RET(1)),
	  .expect = "0: var-range: invalid variable 0\n" },
	{ "ldtaa_r0", FB, 0, T(W(LDTAA, 0x116, 0), RET(0)),
	  .expect = "0: r0-write: cannot write to %r0\n" },
	/* 16: variable stores (user ids only; rs may be %r0) */
	{ "stgs_0x500_ok", FB, 0, T(W(STGS, 0x500, 0), RET(0)),
	  V(VAR(0x500, SCL, GLB, 0, 8)), .expect = "" },
	{ "stgs_0x4ff", FB, 0, T(W(STGS, 0x4ff, 1), RET(0)),
	  .expect = "0: var-range: invalid variable 1279\n" },
	{ "stls_0x100", FB, 0, T(W(STLS, 0x100, 1), RET(0)),
	  .expect = "0: var-range: invalid variable 256\n" },
	{ "stts_rs8", FB, 0, T(W(STTS, 0x500, 8), RET(0)),
	  V(VAR(0x500, SCL, TLS, 0, 8)),
	  .expect = "0: invalid-register: invalid register 8\n" },
	{ "stgs_0xffff_ok", FB, 0, T(W(STGS, 0xffff, 1), RET(0)),
	  V(VAR(0xffff, SCL, GLB, 0, 8)), .expect = "" },
	/* 17: call */
	{ "call_fb_53_ok", FB, 0, T(W(CALL, 53, 1), RET(1)), .expect = "" },
	{ "call_fb_54", FB, 0, T(W(CALL, 54, 1), RET(1)),
	  .expect = "0: subr-range: invalid subr 54\n" },
	{ "call_il_48_ok", IL, 0, T(W(CALL, 48, 1), RET(1)), .expect = "" },
	{ "call_il_49", IL, 0, T(W(CALL, 49, 1), RET(1)),
	  .expect = "0: subr-range: invalid subr 49\n" },
	{ "call_il_53", IL, 0, T(W(CALL, 53, 1), RET(1)),
	  .expect = "0: subr-range: invalid subr 53\n" },
	{ "call_max_r0", FB, 0, T(W(CALL, 0xffff, 0), RET(0)),
	  .expect = "0: subr-range: invalid subr 65535\n"
	            "0: r0-write: cannot write to %r0\n" },
	/* 18: pushtr */
	{ "pushtr_ok", FB, 0, T(R(PUSHTR, 0, 1, 2), R(PUSHTR, 1, 0, 0), RET(0)), .expect = "" },
	{ "pushtr_type2", FB, 0, T(R(PUSHTR, 2, 1, 2), RET(0)),
	  .expect = "0: ref-type: invalid ref type 2\n" },
	{ "pushtr_regs", FB, 0, T(R(PUSHTR, 255, 8, 9), RET(0)),
	  .expect = "0: ref-type: invalid ref type 255\n"
	            "0: invalid-register: invalid register 8\n"
	            "0: invalid-register: invalid register 9\n" },
	/* 19: pushtv (r2 need not be zero) */
	{ "pushtv_ok", FB, 0, T(R(PUSHTV, 0, 3, 0), RET(0)), .expect = "" },
	{ "pushtv_string", FB, 0, T(R(PUSHTV, 1, 0, 1), RET(0)),
	  .expect = "0: val-type: invalid val type 1\n" },
	{ "pushtv_r2_8", FB, 0, T(R(PUSHTV, 0, 8, 1), RET(0)),
	  .expect = "0: invalid-register: invalid register 8\n" },
	/* 20: invalid opcodes */
	{ "op_0", FB, 0, T(RAW(0, 0), RET(0)),
	  .expect = "0: invalid-opcode: invalid opcode 0\n" },
	{ "op_xlate", FB, 0, T(W(XLATE, 0, 1), RET(1)),
	  .expect = "0: invalid-opcode: invalid opcode 78\n" },
	{ "op_xlarg", IL, 0, T(W(XLARG, 0, 1), RET(1)),
	  .expect = "0: invalid-opcode: invalid opcode 79\n" },
	{ "op_81", IL, 0, T(RAW(81, 0), RET(0)),
	  .expect = "0: unlinked: relocation opcode 'usetx' (81): link the program first\n" },
	{ "op_85", IL, 0, T(RAW(85, 0), RET(0)),
	  .expect = "0: invalid-opcode: invalid opcode 85\n" },
	{ "op_255", FB, 0, T(RAW(255, 0xffffff), RET(0)),
	  .expect = "0: invalid-opcode: invalid opcode 255\n" },
	/* 21: last instruction; empty text */
	{ "last_not_ret", FB, 0, T(R(MOV, 1, 0, 2)),
	  .expect = "0: last-not-ret: expected 'ret' as last DIF instruction\n" },
	{ "ret_then_nop", FB, 0, T(RET(0), R(NOP, 0, 0, 0)),
	  .expect = "1: last-not-ret: expected 'ret' as last DIF instruction\n" },
	{ "empty_text", FB, 0, .len = 0, .expect = "-: no-text: missing DIF text\n" },
	/* 22: return type */
	{ "rsize_8_ok", FB, 0, T(RET(0)), .rtype = { .size = 8 }, .expect = "" },
	{ "rsize_4_ok", FB, 0, T(RET(0)), .rtype = { .size = 4 }, .expect = "" },
	{ "rsize_2_ok", FB, 0, T(RET(0)), .rtype = { .size = 2 }, .expect = "" },
	{ "rsize_1_ok", FB, 0, T(RET(0)), .rtype = { .size = 1 }, .expect = "" },
	{ "rsize_3", FB, 0, T(RET(0)), .rtype = { .size = 3 },
	  .expect = "-: return-size: bad return size 3\n" },
	{ "rsize_16", FB, 0, T(RET(0)), .rtype = { .size = 16 },
	  .expect = "-: return-size: bad return size 16\n" },
	{ "rsize_byref_ok", FB, 0, T(RET(0)),
	  .rtype = { .kind = DIF_TYPE_STRING, .flags = DIF_TF_BYREF, .size = 256 }, .expect = "" },
	{ "rsize_byuref_ok", FB, 0, T(RET(0)),
	  .rtype = { .flags = DIF_TF_BYUREF, .size = 3 }, .expect = "" },
	{ "rsize_otherflag", FB, 0, T(RET(0)), .rtype = { .flags = 0x4, .size = 12 },
	  .expect = "-: return-size: bad return size 12\n" },
	/* 23-25: variable table rows */
	{ "var_scope_3", FB, 0, T(RET(0)), V(VAR(0x500, SCL, 3, 0, 8)),
	  .expect = "vartab[0]: var-scope: unrecognized variable scope 3\n" },
	{ "var_kind_2", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 8), VAR(0x501, 2, GLB, 0, 8)),
	  .expect = "vartab[1]: var-kind: unrecognized variable type 2\n" },
	{ "var_id_0x10000", FB, 0, T(RET(0)), V(VAR(0x10000, SCL, GLB, 0, 8)),
	  .expect = "vartab[0]: var-id-limit: 65536 exceeds variable id limit\n" },
	{ "var_row_all_bad", FB, 0, T(RET(0)), V(VAR(0xffffffff, 9, 7, 0, 8)),
	  .expect = "vartab[0]: var-scope: unrecognized variable scope 7\n"
	            "vartab[0]: var-kind: unrecognized variable type 9\n"
	            "vartab[0]: var-id-limit: 4294967295 exceeds variable id limit\n" },
	{ "var_ids_ok", FB, 0, T(RET(0)),
	  V(VAR(0xffff, ARR, GLB, 0, 8), VAR(0x500, SCL, TLS, 0, 8), VAR(0x4ff, SCL, LOC, 0, 8)),
	  .expect = "" },
	/* 26: built-in rows skip the size checks */
	{ "var_builtin_byref0_ok", FB, 0, T(RET(0)),
	  V(VAR(0x116, SCL, GLB, DIF_TF_BYREF, 0), VAR(0x4ff, SCL, LOC, DIF_TF_BYREF, 99999)),
	  .expect = "" },
	/* 28: by-ref sizes */
	{ "var_byref_zero", FB, 0, T(RET(0)), V(VAR(0x500, SCL, TLS, DIF_TF_BYREF, 0)),
	  .expect = "vartab[0]: var-zero-size: zero-sized variable\n" },
	{ "var_byuref_zero_ok", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, DIF_TF_BYUREF, 0)),
	  .expect = "" },
	{ "var_static_16k_ok", FB, 0, T(RET(0)),
	  V(VAR(0x500, SCL, GLB, DIF_TF_BYREF, 16384), VAR(0x500, SCL, LOC, DIF_TF_BYREF, 16384),
	    VAR(0x500, SCL, TLS, DIF_TF_BYREF, 100000)),
	  .expect = "" },
	{ "var_static_oversized", FB, 0, T(RET(0)),
	  V(VAR(0x500, SCL, GLB, DIF_TF_BYREF, 16385), VAR(0x501, ARR, LOC, DIF_TF_BYREF, 16385)),
	  .expect = "vartab[0]: var-oversized: oversized by-ref static\n"
	            "vartab[1]: var-oversized: oversized by-ref static\n" },
	{ "var_byvalue_big_ok", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 100000)),
	  .expect = "" },
	/* 30-32: references against declared maxima */
	{ "ref_global_max_ok", FB, 0,
	  T(W(LDGS, 0x500, 1), W(LDGAA, 0x501, 2), W(STGS, 0x501, 1), W(STGAA, 0x500, 2), RET(1)),
	  V(VAR(0x501, SCL, GLB, 0, 8)), .expect = "" },
	{ "ref_global_over", FB, 0, T(W(LDGS, 0x502, 1), RET(1)),
	  V(VAR(0x501, SCL, GLB, 0, 8)),
	  .expect = "0: var-undeclared: invalid variable 1282 (highest declared global is 1281)\n" },
	{ "ref_global_none", FB, 0, T(W(LDGS, 0x4ff, 1), W(STGAA, 0x500, 1), RET(1)),
	  .expect = "1: var-undeclared: invalid variable 1280 (no user global variable declared)\n" },
	{ "ref_thread", FB, 0,
	  T(W(LDTS, 0x500, 1), W(LDTAA, 0x501, 1), W(STTS, 0x502, 1), W(STTAA, 0x503, 1), RET(1)),
	  V(VAR(0x501, ARR, TLS, 0, 8)),
	  .expect = "2: var-undeclared: invalid variable 1282 (highest declared thread-local is 1281)\n"
	            "3: var-undeclared: invalid variable 1283 (highest declared thread-local is 1281)\n" },
	{ "ref_local", FB, 0, T(W(LDLS, 0x500, 1), W(STLS, 0x500, 1), RET(1)),
	  V(VAR(0x500, SCL, GLB, 0, 8), VAR(0x500, SCL, TLS, 0, 8)),
	  .expect = "0: var-undeclared: invalid variable 1280 (no user clause-local variable declared)\n"
	            "1: var-undeclared: invalid variable 1280 (no user clause-local variable declared)\n" },
	{ "ref_local_ok", FB, 0, T(W(LDLS, 0x500, 1), W(STLS, 0x500, 1), RET(1)),
	  V(VAR(0x500, SCL, LOC, 0, 8)), .expect = "" },
	{ "ref_max_id_ok", FB, 0, T(W(LDGS, 0xffff, 1), RET(1)),
	  V(VAR(0xffff, SCL, GLB, 0, 8)), .expect = "" },
	/* a rejected row does not raise the maximum */
	{ "ref_bad_row", FB, 0, T(W(LDGS, 0x500, 1), RET(1)), V(VAR(0x500, 5, GLB, 0, 8)),
	  .expect = "vartab[0]: var-kind: unrecognized variable type 5\n"
	            "0: var-undeclared: invalid variable 1280 (no user global variable declared)\n" },
	/* every error of every instruction, then the whole-DIFO checks */
	{ "many_errors", FB, 0,
	  T(R(ADD, 1, 2, 0), B(BA, 0), RAW(0, 0), W(SETX, 5, 1), R(TST, 1, 1, 0), W(CALL, 99, 0),
	    R(MOV, 1, 0, 2)),
	  .rtype = { .size = 5 }, V(VAR(0x500, SCL, 4, 0, 8), VAR(0x500, SCL, LOC, DIF_TF_BYREF, 0)),
	  .expect = "0: r0-write: cannot write to %r0\n"
	            "1: branch-backward: backward branch to 0\n"
	            "2: invalid-opcode: invalid opcode 0\n"
	            "3: inttab-index: invalid integer ref 5\n"
	            "4: reserved-bits: non-zero reserved bits\n"
	            "5: subr-range: invalid subr 99\n"
	            "5: r0-write: cannot write to %r0\n"
	            "6: last-not-ret: expected 'ret' as last DIF instruction\n"
	            "-: return-size: bad return size 5\n"
	            "vartab[0]: var-scope: unrecognized variable scope 4\n"
	            "vartab[1]: var-zero-size: zero-sized variable\n" },
};

static void check_case(const struct vcase *c)
{
	char out[4096];
	struct dif_errors e;
	int rc = vcase_run(c, out, sizeof(out), &e);
	cr_expect_str_eq(out, c->expect, "case %s:\n got:\n%s want:\n%s", c->name, out,
	                 c->expect);
	cr_expect_eq(rc, c->expect[0] ? DIF_E_VALIDATE : 0, "case %s: rc %d", c->name, rc);
	for (uint32_t i = 0; i < e.count; i++)
		cr_expect_str_eq(e.list[i].object, c->name, "case %s: object", c->name);
}

Test(validate, cases)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
}

/* The error names the instruction as the disassembler prints it. */
Test(validate, insn_text_in_errors)
{
	const struct vcase c = { "t", FB, 0, T(R(ADD, 1, 9, 0), RET(0)) };
	char out[512];
	struct dif_errors e;
	vcase_run(&c, out, sizeof(out), &e);
	cr_assert_eq(e.count, 2);
	char want[64];
	dif_insn_text(c.text[0], FB, want, sizeof(want));
	cr_assert_str_eq(e.list[0].insn, want);
	cr_assert_str_eq(e.list[0].insn, "add  %r1, %r9, %r0");
	cr_assert_eq(e.list[0].pc, 0);
}

/* Each class's checks apply to every opcode of the class. */
Test(validate, every_opcode_of_each_class)
{
	for (unsigned op = 1; op < DIF_OP_COUNT; op++) {
		const struct dif_opinfo *oi = dif_isa_lookup(op, IL);
		if (oi->flags & DIF_F_RELOC) {
			/* relocation opcodes: rejected whatever the operands */
			struct vcase rc = { "op", IL, 0, .len = 2,
			                    .text = { DIF_ENC_R(op, 1, 0, 3), RET(0) },
			                    .intlen = 1, .strlen = 1 };
			char out[256], w[160];
			struct dif_errors e;
			vcase_run(&rc, out, sizeof(out), &e);
			snprintf(w, sizeof(w), "0: unlinked: relocation opcode '%s' (%u): "
			         "link the program first\n", oi->name, op);
			cr_expect_str_eq(out, w, "opcode %u", op);
			continue;
		}
		struct vcase c = { "op", IL, 0, .len = 2, .text = { 0, RET(0) },
		                   .intlen = 1, .strlen = 1 };
		const char *good_want = "";
		char bad_want[256] = "";
		switch (oi->cls) {
		case DIF_IC_ALU3:
			c.text[0] = DIF_ENC_R(op, 1, 2, 3);
			break;
		case DIF_IC_ALU2:
		case DIF_IC_LOAD:
			c.text[0] = DIF_ENC_R(op, 1, 0, 3);
			break;
		case DIF_IC_STORE:
			c.text[0] = DIF_ENC_R(op, 1, 0, 3);
			snprintf(bad_want, sizeof(bad_want),
			         "0: r0-address: cannot write to 0 address\n");
			break;
		case DIF_IC_CMP:
		case DIF_IC_TST:
			c.text[0] = DIF_ENC_R(op, 1, 0, 0);
			break;
		case DIF_IC_BRANCH:
			c.text[0] = DIF_ENC_B(op, 1);
			break;
		case DIF_IC_RET:
			c.text[0] = RET(1);
			break;
		case DIF_IC_NONE:
			c.text[0] = DIF_ENC_R(op, 0, 0, 0);
			break;
		case DIF_IC_SETX:
		case DIF_IC_SETS:
		case DIF_IC_CALL:
			c.text[0] = DIF_ENC_W(op, 0, 3);
			break;
		case DIF_IC_LDA:
			c.text[0] = DIF_ENC_R(op, 0, 1, 3);
			break;
		case DIF_IC_STGA:
			c.text[0] = DIF_ENC_R(op, 2, 1, 0);
			break;
		case DIF_IC_LDV:
			c.text[0] = DIF_ENC_W(op, 0x100, 3);
			break;
		case DIF_IC_STV:
			c.text[0] = DIF_ENC_W(op, 0x500, 0);
			c.nvars = 1;
			c.vars[0] = (struct dif_var)VAR(0x500, SCL, dif_isa_scope(oi), 0, 8);
			break;
		case DIF_IC_PUSHTR:
		case DIF_IC_PUSHTV:
			c.text[0] = DIF_ENC_R(op, 0, 1, 0);
			break;
		case DIF_IC_XLATE:
			c.text[0] = DIF_ENC_W(op, 0, 3);
			good_want = NULL;
			break;
		}
		char out[1024];
		struct dif_errors e;
		vcase_run(&c, out, sizeof(out), &e);
		if (good_want) {
			cr_expect_str_eq(out, good_want, "opcode %u (%s): %s", op, oi->name, out);
		} else {
			char w[64];
			snprintf(w, sizeof(w), "0: invalid-opcode: invalid opcode %u\n", op);
			cr_expect_str_eq(out, w, "opcode %u", op);
			continue;
		}
		/* Writers of rd reject %r0; stores reject a 0 address. */
		int writes_rd = oi->cls == DIF_IC_ALU3 || oi->cls == DIF_IC_ALU2 ||
		                oi->cls == DIF_IC_LOAD || oi->cls == DIF_IC_SETX ||
		                oi->cls == DIF_IC_SETS || oi->cls == DIF_IC_CALL ||
		                oi->cls == DIF_IC_LDA || oi->cls == DIF_IC_LDV;
		if (writes_rd)
			snprintf(bad_want, sizeof(bad_want), "0: r0-write: cannot write to %%r0\n");
		if (bad_want[0]) {
			c.text[0] &= ~0xffu;
			vcase_run(&c, out, sizeof(out), &e);
			cr_expect_str_eq(out, bad_want, "opcode %u (%s) with rd 0: %s", op,
			                 oi->name, out);
		}
	}
}

/* Validation reads the DIFO only: no LDxx -> RLDxx rewrite. */
Test(validate, text_is_not_rewritten)
{
	const struct vcase c = { "ld", FB, 0, T(R(LDSB, 1, 0, 2), R(LDX, 2, 0, 3), RET(3)) };
	struct dif_difo *d = vcase_difo(&c, NULL);
	cr_assert_not_null(d);
	cr_assert_eq(dif_validate(d, NULL, NULL), 0);
	struct dif_difo_parts p;
	dif_difo_get_parts(d, &p);
	cr_assert_eq(p.textlen, 3);
	cr_assert_eq(memcmp(p.text, c.text, sizeof(uint32_t) * 3), 0);
	dif_difo_free(d);
}

Test(validate, null_errors_list_still_counts)
{
	const struct vcase c = { "x", FB, 0, T(R(ADD, 1, 2, 0), RET(0)) };
	struct dif_difo *d = vcase_difo(&c, NULL);
	cr_assert_eq(dif_validate(d, NULL, NULL), DIF_E_VALIDATE);
	dif_difo_free(d);
}

Test(validate, overflowing_error_list)
{
	struct vcase c = { "big", FB, 0, .len = VCASE_MAXTEXT };
	for (unsigned i = 0; i < VCASE_MAXTEXT; i++)
		c.text[i] = R(ADD, 8, 9, 0); /* 3 errors each, no final ret */
	char out[16384];
	struct dif_errors e;
	int rc = vcase_run(&c, out, sizeof(out), &e);
	cr_assert_eq(rc, DIF_E_VALIDATE);
	cr_assert_eq(e.count, DIF_ERRORS_MAX);
	cr_assert_eq(e.dropped, VCASE_MAXTEXT * 3 + 1 - DIF_ERRORS_MAX);
}

Test(validate, bad_arguments)
{
	struct dif_errors e = { 0 };
	cr_assert_eq(dif_validate(NULL, NULL, &e), DIF_E_INVAL);
	cr_assert_eq(dif_validate_module(NULL, NULL, &e), DIF_E_INVAL);
	const struct vcase c = { "x", FB, 0, T(RET(0)) };
	struct dif_difo *d = vcase_difo(&c, NULL);
	struct dif_validate_opts o = { 0 };
	cr_assert_eq(dif_validate(d, &o, &e), DIF_E_OPTS);
	o.size = sizeof(o);
	o.profile = (enum dif_profile)7;
	cr_assert_eq(dif_validate(d, &o, &e), DIF_E_INVAL);
	/* A larger struct from a newer caller: zero tail is fine, else E_OPTS. */
	struct {
		struct dif_validate_opts o;
		uint64_t extra;
	} big = { { .size = sizeof(big) }, 0 };
	cr_assert_eq(dif_validate(d, &big.o, &e), 0);
	big.extra = 1;
	cr_assert_eq(dif_validate(d, &big.o, &e), DIF_E_OPTS);
	/* An older caller's smaller struct: missing fields take defaults. */
	struct dif_validate_opts small = { .size = offsetof(struct dif_validate_opts, nregs),
	                                   .profile = IL, .nregs = 1 };
	const struct vcase c7 = { "r7", FB, 0, T(RET(7)) };
	struct dif_difo *d7 = vcase_difo(&c7, NULL);
	cr_assert_eq(dif_validate(d7, &small, &e), 0);
	dif_difo_free(d7);
	dif_difo_free(d);
}

/* ---------------------------------------------------------------------
 * Rule 29: variable definitions across the DIFOs of one module.
 */
static struct dif_module *module_of(const struct vcase *cs, size_t n)
{
	struct dif_module *m = dif_module_new();
	cr_assert_not_null(m);
	for (size_t i = 0; i < n; i++) {
		struct dif_difo *d = vcase_difo(&cs[i], NULL);
		cr_assert_not_null(d);
		cr_assert_eq(dif_module_add(m, d), 0);
	}
	return m;
}

static int run_module(const struct vcase *cs, size_t n, char *out, size_t len)
{
	struct dif_module *m = module_of(cs, n);
	struct dif_errors e = { 0 };
	int rc = dif_validate_module(m, NULL, &e);
	out[0] = '\0';
	size_t k = 0;
	for (uint32_t i = 0; i < e.count; i++) {
		char one[512];
		struct dif_errors single = { .count = 1, .list = { e.list[i] } };
		vcase_render(&single, one, sizeof(one));
		k += (size_t)snprintf(out + k, len - k, "%s:%s", e.list[i].object, one);
	}
	dif_module_free(m);
	return rc;
}

#define MOD(cs) run_module(cs, sizeof(cs) / sizeof(cs[0]), out, sizeof(out))

Test(validate_module, changed_kind_flags_size)
{
	const struct vcase cs[] = {
		{ "a", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 8), VAR(0x501, SCL, TLS, DIF_TF_BYREF, 64)) },
		{ "b", FB, 0, T(RET(0)), V(VAR(0x500, ARR, GLB, 0, 8)) },
		{ "c", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, DIF_TF_BYREF, 8)) },
		{ "d", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 4)) },
		{ "e", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 0), VAR(0x501, SCL, TLS, DIF_TF_BYREF, 64)) },
		{ "f", FB, 0, T(RET(0)), V(VAR(0x501, ARR, TLS, 0, 32)) },
		/* same id, another scope: a different variable */
		{ "g", FB, 0, T(RET(0)), V(VAR(0x500, ARR, LOC, DIF_TF_BYREF, 32)) },
	};
	char out[4096];
	int rc = MOD(cs);
	cr_assert_str_eq(out,
	                 "b:vartab[0]: var-changed-kind: 1280 changed variable kind\n"
	                 "c:vartab[0]: var-changed-flags: 1280 changed variable type flags\n"
	                 "d:vartab[0]: var-changed-size: 1280 changed variable type size\n"
	                 "f:vartab[0]: var-changed-kind: 1281 changed variable kind\n"
	                 "f:vartab[0]: var-changed-flags: 1281 changed variable type flags\n",
	                 "%s", out);
	cr_assert_eq(rc, DIF_E_VALIDATE);
}

Test(validate_module, consistent_module_accepted)
{
	const struct vcase cs[] = {
		{ "a", FB, 0, T(W(STGS, 0x500, 1), RET(0)), V(VAR(0x500, SCL, GLB, 0, 8)) },
		{ "b", FB, 0, T(W(LDGS, 0x500, 1), RET(1)), V(VAR(0x500, SCL, GLB, 0, 8)) },
	};
	char out[512];
	cr_assert_eq(MOD(cs), 0);
	cr_assert_str_eq(out, "");
}

/* Only accepted DIFOs define variables (the kernel initialises only those). */
Test(validate_module, rejected_difo_defines_nothing)
{
	const struct vcase cs[] = {
		{ "bad", FB, 0, T(R(MOV, 1, 0, 2)), V(VAR(0x500, SCL, GLB, 0, 8)) },
		{ "ok", FB, 0, T(RET(0)), V(VAR(0x500, ARR, GLB, DIF_TF_BYREF, 16)) },
		{ "clash", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 8)) },
	};
	char out[1024];
	cr_assert_eq(MOD(cs), DIF_E_VALIDATE);
	cr_assert_str_eq(out,
	                 "bad:0: last-not-ret: expected 'ret' as last DIF instruction\n"
	                 "clash:vartab[0]: var-changed-kind: 1280 changed variable kind\n"
	                 "clash:vartab[0]: var-changed-flags: 1280 changed variable type flags\n",
	                 "%s", out);
}

/* A static keeps its first definition, a thread-local its latest. */
Test(validate_module, first_static_latest_thread_local)
{
	const struct vcase cs[] = {
		{ "a", FB, 0, T(RET(0)),
		  V(VAR(0x500, SCL, GLB, 0, 8), VAR(0x500, SCL, GLB, 0, 4),
		    VAR(0x500, SCL, TLS, 0, 8), VAR(0x500, SCL, TLS, 0, 4)) },
		{ "b", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 4), VAR(0x500, SCL, TLS, 0, 8)) },
		{ "c", FB, 0, T(RET(0)), V(VAR(0x500, SCL, GLB, 0, 8), VAR(0x500, SCL, TLS, 0, 4)) },
	};
	char out[1024];
	cr_assert_eq(MOD(cs), DIF_E_VALIDATE);
	cr_assert_str_eq(out,
	                 "b:vartab[0]: var-changed-size: 1280 changed variable type size\n"
	                 "b:vartab[1]: var-changed-size: 1280 changed variable type size\n",
	                 "%s", out);
}

Test(validate_module, state_one_at_a_time)
{
	const struct vcase a = { "a", FB, 0, T(RET(0)), V(VAR(0x600, SCL, LOC, 0, 8)) };
	const struct vcase b = { "b", FB, 0, T(RET(0)), V(VAR(0x600, ARR, LOC, 0, 8)) };
	struct dif_difo *da = vcase_difo(&a, NULL), *db = vcase_difo(&b, NULL);
	struct dif_vstate *st = dif_vstate_new();
	cr_assert_not_null(st);
	struct dif_errors e = { 0 };
	/* Without a state (or with a fresh one) each DIFO is fine alone. */
	cr_assert_eq(dif_validate(db, NULL, &e), 0);
	cr_assert_eq(dif_validate_with(da, NULL, st, &e), 0);
	cr_assert_eq(dif_validate_with(db, NULL, st, &e), DIF_E_VALIDATE);
	cr_assert_eq(e.count, 1);
	cr_assert_eq(e.list[0].code, DIF_E_VAR_CHG_KIND);
	cr_assert_str_eq(e.list[0].object, "b");
	cr_assert_str_eq(e.list[0].insn, "vartab[0]");
	dif_vstate_free(st);
	dif_difo_free(da);
	dif_difo_free(db);
}

/* Many variables: the state table grows and still finds every id. */
Test(validate_module, many_variables)
{
	enum { N = 3000 };
	static struct dif_var va[N], vb[N];
	for (unsigned i = 0; i < N; i++) {
		va[i] = (struct dif_var)VAR(0x500 + i, SCL, i % 3, 0, 8);
		vb[i] = va[i];
	}
	vb[N - 1].kind = ARR;
	uint32_t text[] = { RET(0) };
	struct dif_vstate *st = dif_vstate_new();
	struct dif_difo *d[2];
	for (int k = 0; k < 2; k++) {
		DIF_OPTS(dif_difo_parts, p, .name = k ? "b" : "a", .text = text, .textlen = 1,
		         .vartab = k ? vb : va, .varlen = N);
		cr_assert_eq(dif_difo_create(&p, &d[k], NULL), 0);
	}
	struct dif_errors e = { 0 };
	cr_assert_eq(dif_validate_with(d[0], NULL, st, &e), 0);
	cr_assert_eq(dif_validate_with(d[1], NULL, st, &e), DIF_E_VALIDATE);
	cr_assert_eq(e.count, 1);
	char want[32];
	snprintf(want, sizeof(want), "vartab[%u]", N - 1);
	cr_assert_str_eq(e.list[0].insn, want);
	dif_difo_free(d[0]);
	dif_difo_free(d[1]);
	dif_vstate_free(st);
}
