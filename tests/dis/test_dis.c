/* The disassembler: instruction text, whole listings byte for byte
 * (dif-isa.md section 10), and listing -> DIFO -> listing round trips. */
#include <criterion/criterion.h>
#include <dirent.h>

#include "../common.h"
#include "difvm/difvm.h"

static char *insn(uint32_t w, enum dif_profile p)
{
	static char buf[128];
	size_t n = dif_insn_text(w, p, buf, sizeof(buf));
	cr_assert_eq(n, strlen(buf));
	return buf;
}

Test(dis, insn_text_every_class)
{
	const enum dif_profile F = DIF_PROFILE_FREEBSD, I = DIF_PROFILE_ILLUMOS;
	static const struct {
		uint32_t w;
		int illumos;
		const char *text;
	} cases[] = {
		{ 0x07010203, 0, "add  %r1, %r2, %r3" },
		{ 0x3b010203, 0, "copys %r1, %r2, %r3" },
		{ 0x0e040005, 0, "mov  %r4, %r5" },
		{ 0x3a040005, 0, "allocs %r4, %r5" },
		{ 0x0f060700, 0, "cmp  %r6, %r7" },
		{ 0x27060700, 0, "scmp %r6, %r7" },
		{ 0x10060000, 0, "tst  %r6" },
		{ 0x11000015, 0, "ba   21" },
		{ 0x1bffffff, 0, "bleu 16777215" },
		{ 0x1c010002, 0, "ldsb [%r1], %r2" },
		{ 0x46010002, 0, "uldx [%r1], %r2" },
		{ 0x4c010002, 0, "rlduw [%r1], %r2" },
		{ 0x3c010002, 0, "stb  %r1, [%r2]" },
		{ 0x23000001, 0, "ret  %r1" },
		{ 0x24000000, 0, "nop" },
		{ 0x32000000, 0, "popts" },
		{ 0x33000000, 0, "flushts" },
		{ 0x25000001, 0, "setx DT_INTEGER[0], %r1" },
		{ 0x26fffff1, 0, "sets DT_STRING[65535], %r241" },
		{ 0x28020102, 0, "ldga DT_VAR(2), %r1, %r2" },
		{ 0x2b000102, 0, "ldta DT_VAR(0), %r1, %r2" },
		{ 0x29011801, 0, "ldgs DT_VAR(280), %r1" },
		{ 0x2a050001, 0, "stgs %r1, DT_VAR(1280)" },
		{ 0x37050002, 0, "sttaa %r2, DT_VAR(1280)" },
		{ 0x38050101, 0, "ldls DT_VAR(1281), %r1" },
		{ 0x2f000c01, 0, "call DIF_SUBR(12), %r1" },
		{ 0x30010001, 0, "pushtr DT_TYPE(1), %r0, %r1" },
		{ 0x31000002, 0, "pushtv DT_TYPE(0), %r2" },
		{ 0x4e000301, 0, "xlate DT_XLREF[3], %r1" },
		{ 0x4f000002, 0, "xlarg DT_XLREF[0], %r2" },
		{ 0x50020304, 1, "stga DT_VAR(515), %r3, %r4" },
		{ 0x50020304, 0, "(illegal opcode)" },
		{ 0x00000000, 0, "(illegal opcode)" },
		{ 0x55000000, 1, "(illegal opcode)" },
		{ 0xff123456, 1, "(illegal opcode)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_str_eq(insn(cases[i].w, cases[i].illumos ? I : F), cases[i].text,
		                 "word %08x", cases[i].w);
}

Test(dis, insn_text_is_snprintf_like)
{
	char small[6];
	size_t n = dif_insn_text(0x07010203, DIF_PROFILE_FREEBSD, small, sizeof(small));
	cr_assert_eq(n, strlen("add  %r1, %r2, %r3"));
	cr_assert_str_eq(small, "add  ");
	cr_assert_eq(dif_insn_text(0x24000000, DIF_PROFILE_FREEBSD, NULL, 0), 3);
}

/* C.1 of the format examples, built from raw parts (not via the assembler). */
Test(dis, listing_from_parts_matches_reference)
{
	static const uint32_t text[] = { 0x25000001, 0x2a050001, 0x23000001 };
	static const uint64_t ints[] = { 1 };
	static const char str[] = "\0x";
	struct dif_var v = { .name = 1, .id = 0x500, .kind = DIF_VKIND_SCALAR,
	                     .scope = DIF_VSCOPE_GLOBAL, .flags = DIF_VF_MOD,
	                     .type = { DIF_TYPE_CTF, 1, 0, 0, 4 } };
	DIF_OPTS(dif_difo_parts, parts, .text = text, .textlen = 3, .inttab = ints,
	         .intlen = 1, .strtab = str, .strlen = sizeof(str), .vartab = &v,
	         .varlen = 1, .rtype = { DIF_TYPE_CTF, 1, 0, 0, 4 });
	struct dif_difo *d;
	cr_assert_eq(dif_difo_create(&parts, &d, NULL), 0);
	for (int illumos = 0; illumos < 2; illumos++) {
		const char *file = illumos ? "tests/dis/data/c1_global_store_illumos.lst"
		                           : "tests/dis/data/c2_global_store_freebsd.lst";
		char *want = test_slurp(test_src(file), NULL);
		cr_assert_not_null(want, "%s", file);
		DIF_OPTS(dif_dis_opts, o, .profile = illumos, .ptr = 0x8071c48);
		char *got = dif_dis(d, &o);
		cr_assert_str_eq(got, want);
		free(got);
		free(want);
	}
	dif_difo_free(d);
}

Test(dis, comments_only_for_valid_references)
{
	/* setx/sets past the tables, a variable whose name offset is out of
	 * range, an unknown subroutine, an unknown tuple type. */
	static const uint32_t text[] = { 0x25000101, 0x26000301, 0x29050001,
	                                 0x2f00c801, 0x31070001, 0x23000001 };
	static const uint64_t ints[] = { 0xdeadbeef };
	static const char str[] = "ab";
	struct dif_var v = { .name = 7, .id = 0x500, .kind = 1, .scope = 0,
	                     .flags = 0, .type = { 1, 0, DIF_TF_BYREF, 0, 256 } };
	DIF_OPTS(dif_difo_parts, parts, .text = text, .textlen = 6, .inttab = ints,
	         .intlen = 1, .strtab = str, .strlen = 3, .vartab = &v, .varlen = 1,
	         .rtype = { 1, 0, DIF_TF_BYREF, 0, 256 });
	struct dif_difo *d;
	cr_assert_eq(dif_difo_create(&parts, &d, NULL), 0);
	DIF_OPTS(dif_dis_opts, o, .ptr = 0x10);
	char *got = dif_dis(d, &o);
	const char *want =
		"\nDIFO 0x10 returns string (unknown) by ref (size 256)\n"
		"OFF OPCODE      INSTRUCTION\n"
		"00: 25000101    setx DT_INTEGER[1], %r1\n"
		"01: 26000301    sets DT_STRING[3], %r1\n"
		"02: 29050001    ldgs DT_VAR(1280), %r1\n"
		"03: 2f00c801    call DIF_SUBR(200), %r1\t\t! unknown\n"
		"04: 31070001    pushtv DT_TYPE(7), %r1\n"
		"05: 23000001    ret  %r1\n"
		"\nNAME             ID   KND SCP FLAG TYPE\n"
		"(invalid)        1280 scl glb      string (unknown) by ref (size 256)\n";
	cr_assert_str_eq(got, want);
	free(got);
	dif_difo_free(d);
}

Test(dis, pointer_default_is_deterministic_and_kept)
{
	const char *src = ".difo a\n\tret %r1\n.difo b\n.ptr 0xabc\n\tret %r2\n";
	struct dif_module *m;
	cr_assert_eq(dif_asm(src, strlen(src), NULL, &m, NULL), 0);
	const struct dif_difo *a = dif_module_get(m, 0), *b = dif_module_get(m, 1);
	char *x = dif_dis(a, NULL), *y = dif_dis(a, NULL), *z = dif_dis(b, NULL);
	cr_assert_str_eq(x, y);
	cr_assert(strncmp(x, "\nDIFO 0x", 8) == 0);
	cr_assert(strncmp(z, "\nDIFO 0xabc returns", 19) == 0);
	cr_assert_eq(dif_difo_ptr(b), 0xabc);
	DIF_OPTS(dif_dis_opts, o, .ptr = 0x42);
	char *w = dif_dis(b, &o);
	cr_assert(strncmp(w, "\nDIFO 0x42 returns", 18) == 0);
	free(x), free(y), free(z), free(w);
	dif_module_free(m);
}

/* Profile and id style from the file name: "illumos" selects the illumos
 * profile, "_decids"/"_hexids" force the variable-table id style. */
static void style_of(const char *name, enum dif_profile *p, int *ids)
{
	*p = strstr(name, "illumos") ? DIF_PROFILE_ILLUMOS : DIF_PROFILE_FREEBSD;
	*ids = strstr(name, "_decids") ? DIF_VARID_DEC
	       : strstr(name, "_hexids") ? DIF_VARID_HEX : DIF_VARID_PROFILE;
}

static char *dis_all(const struct dif_module *m, enum dif_profile p, int ids)
{
	size_t cap = 1, len = 0;
	char *all = calloc(1, 1);
	DIF_OPTS(dif_dis_opts, o, .profile = p, .varid = ids);
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

static int round_trip(const char *dir, const char *name, int give_ids)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	size_t len;
	char *text = test_slurp(test_src(rel), &len);
	cr_assert_not_null(text, "%s", rel);
	enum dif_profile p;
	int ids;
	style_of(name, &p, &ids);
	DIF_OPTS(dif_asm_opts, ao, .profile = p, .filename = rel,
	         .varid = give_ids ? ids : 0);
	struct dif_module *m = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	int rc = dif_asm(text, len, &ao, &m, &errs);
	cr_assert_eq(rc, 0, "%s: %u:%u: %s", rel, errs.list[0].line,
	             errs.list[0].col, errs.list[0].msg);
	char *back = dis_all(m, p, ids);
	cr_expect_str_eq(back, text, "%s does not round-trip (ids %s)", rel,
	                 give_ids ? "given" : "inferred");
	free(back);
	dif_module_free(m);
	free(text);
	return 1;
}

static int each_file(const char *dir, const char *ext,
                     int (*fn)(const char *, const char *, int), int arg)
{
	DIR *d = opendir(test_src(dir));
	cr_assert_not_null(d, "%s", dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name), x = strlen(ext);
		if (l > x && strcmp(e->d_name + l - x, ext) == 0)
			n += fn(dir, e->d_name, arg);
	}
	closedir(d);
	return n;
}

Test(dis, golden_listings_round_trip)
{
	int n = each_file("tests/dis/data", ".lst", round_trip, 1);
	cr_assert_geq(n, 6, "only %d golden listings", n);
}

/* Without being told, the reader works out the id style from the
 * DT_VAR operands. */
Test(dis, golden_listings_round_trip_inferring_ids)
{
	each_file("tests/dis/data", ".lst", round_trip, 0);
}

Test(dis, id_style_switch)
{
	char *il = test_slurp(test_src("tests/dis/data/c1_global_store_illumos.lst"), NULL);
	char *fb = test_slurp(test_src("tests/dis/data/c2_global_store_freebsd.lst"), NULL);
	struct dif_module *m;
	DIF_OPTS(dif_asm_opts, ao, .profile = DIF_PROFILE_ILLUMOS);
	cr_assert_eq(dif_asm(il, strlen(il), &ao, &m, NULL), 0);
	char *dec = dis_all(m, DIF_PROFILE_ILLUMOS, DIF_VARID_DEC);
	cr_assert_str_eq(dec, fb);
	char *fbsd = dis_all(m, DIF_PROFILE_FREEBSD, DIF_VARID_PROFILE);
	cr_assert_str_eq(fbsd, fb);
	free(dec), free(fbsd), free(il), free(fb);
	dif_module_free(m);
}

/* DIF_VARID_SOURCE prints the ids in the style the listing was read in,
 * whatever the profile; dif_difo_varid() reports it. */
Test(dis, id_style_from_source)
{
	char *il = test_slurp(test_src("tests/dis/data/c1_global_store_illumos.lst"), NULL);
	char *fb = test_slurp(test_src("tests/dis/data/c2_global_store_freebsd.lst"), NULL);
	DIF_OPTS(dif_asm_opts, ao, .profile = DIF_PROFILE_FREEBSD);
	struct dif_module *m1, *m2;
	cr_assert_eq(dif_asm(il, strlen(il), &ao, &m1, NULL), 0);
	cr_assert_eq(dif_asm(fb, strlen(fb), &ao, &m2, NULL), 0);
	cr_assert_eq(dif_difo_varid(dif_module_get(m1, 0)), DIF_VARID_HEX);
	cr_assert_eq(dif_difo_varid(dif_module_get(m2, 0)), DIF_VARID_DEC);
	char *a = dis_all(m1, DIF_PROFILE_FREEBSD, DIF_VARID_SOURCE);
	char *b = dis_all(m2, DIF_PROFILE_ILLUMOS, DIF_VARID_SOURCE);
	cr_assert_str_eq(a, il);
	cr_assert_str_eq(b, fb);
	/* no listing table: the profile decides */
	const char *hand = ".var x global scalar\n\tldgs x, %r1\n\tret %r1\n";
	struct dif_module *m3;
	cr_assert_eq(dif_asm(hand, strlen(hand), &ao, &m3, NULL), 0);
	cr_assert_eq(dif_difo_varid(dif_module_get(m3, 0)), DIF_VARID_PROFILE);
	char *c = dis_all(m3, DIF_PROFILE_ILLUMOS, DIF_VARID_SOURCE);
	cr_assert(strstr(c, "\nx                500  scl glb r ") != NULL, "%s", c);
	free(a), free(b), free(c), free(il), free(fb);
	dif_module_free(m1), dif_module_free(m2), dif_module_free(m3);
}
