/* The ISA tables: opcodes, encodings, profiles, subroutines, variables. */
#include <criterion/criterion.h>

#include "difvm/isa.h"

Test(isa, every_opcode_has_a_name_and_class)
{
	for (unsigned op = 1; op < DIF_OP_COUNT; op++) {
		cr_assert_not_null(dif_isa[op].name, "opcode %u", op);
		cr_assert_neq(dif_isa[op].cls, DIF_IC_INVALID, "opcode %u", op);
		cr_assert_not_null(dif_op_name(op, DIF_PROFILE_ILLUMOS), "opcode %u", op);
		int back = dif_isa_find(dif_isa[op].name, strlen(dif_isa[op].name),
		                        DIF_PROFILE_ILLUMOS);
		cr_assert_eq(back, (int)op, "mnemonic %s", dif_isa[op].name);
	}
	cr_assert_null(dif_op_name(0, DIF_PROFILE_FREEBSD));
	cr_assert_null(dif_op_name(85, DIF_PROFILE_FREEBSD));
	cr_assert_null(dif_op_name(255, DIF_PROFILE_ILLUMOS));
}

Test(isa, opcode_80_is_illumos_only)
{
	cr_assert_str_eq(dif_op_name(80, DIF_PROFILE_ILLUMOS), "stga");
	cr_assert_null(dif_op_name(80, DIF_PROFILE_FREEBSD));
	cr_assert_eq(dif_isa_find("stga", 4, DIF_PROFILE_FREEBSD), -1);
}

Test(isa, field_encoding_round_trips)
{
	for (unsigned op = 1; op < DIF_OP_COUNT; op++) {
		uint32_t w = DIF_ENC_R(op, 0x12, 0x34, 0x56);
		cr_assert_eq(DIF_I_OP(w), op);
		cr_assert_eq(DIF_I_R1(w), 0x12);
		cr_assert_eq(DIF_I_R2(w), 0x34);
		cr_assert_eq(DIF_I_RD(w), 0x56);
		w = DIF_ENC_B(op, 0xabcdef);
		cr_assert_eq(DIF_I_OP(w), op);
		cr_assert_eq(DIF_I_LABEL(w), 0xabcdef);
		w = DIF_ENC_W(op, 0xbeef, 7);
		cr_assert_eq(DIF_I_INDEX(w), 0xbeef);
		cr_assert_eq(DIF_I_RD(w), 7);
	}
	/* Words from the reference listings. */
	cr_assert_eq(DIF_ENC_W(DIF_OPC_STGS, 1280, 1), 0x2a050001u);
	cr_assert_eq(DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, 1), 0x30010001u);
	cr_assert_eq(DIF_ENC_W(DIF_OPC_STTAA, 1280, 2), 0x37050002u);
	cr_assert_eq(DIF_OPC_RLDSB - DIF_OPC_LDSB, 43);
}

Test(isa, subroutine_numbering_per_profile)
{
	cr_assert_eq(dif_subr_max(DIF_PROFILE_FREEBSD), 53);
	cr_assert_eq(dif_subr_max(DIF_PROFILE_ILLUMOS), 48);
	cr_assert_str_eq(dif_subr_name(12, DIF_PROFILE_FREEBSD), "strlen");
	cr_assert_str_eq(dif_subr_name(46, DIF_PROFILE_FREEBSD), "memref");
	cr_assert_str_eq(dif_subr_name(46, DIF_PROFILE_ILLUMOS), "getf");
	cr_assert_str_eq(dif_subr_name(47, DIF_PROFILE_ILLUMOS), "json");
	cr_assert_str_eq(dif_subr_name(53, DIF_PROFILE_FREEBSD), "strtoll");
	cr_assert_null(dif_subr_name(49, DIF_PROFILE_ILLUMOS));
	cr_assert_eq(dif_subr_find("json", 4, DIF_PROFILE_FREEBSD), 52);
	cr_assert_eq(dif_subr_find("memstr", 6, DIF_PROFILE_ILLUMOS), -1);
	for (unsigned n = 0; n <= 43; n++)
		cr_assert_str_eq(dif_subr_name(n, DIF_PROFILE_FREEBSD),
		                 dif_subr_name(n, DIF_PROFILE_ILLUMOS), "subr %u", n);
}

Test(isa, builtin_variables_per_profile)
{
	cr_assert_str_eq(dif_var_name(0x118, DIF_PROFILE_FREEBSD), "execname");
	cr_assert_str_eq(dif_var_name(0x121, DIF_PROFILE_ILLUMOS), "threadname");
	cr_assert_str_eq(dif_var_name(0x121, DIF_PROFILE_FREEBSD), "execargs");
	cr_assert_null(dif_var_name(0x200, DIF_PROFILE_ILLUMOS));
	cr_assert_null(dif_var_name(0x3, DIF_PROFILE_FREEBSD));
	cr_assert_eq(dif_bvar_find("timestamp", 9, DIF_PROFILE_FREEBSD), 0x101);
}
