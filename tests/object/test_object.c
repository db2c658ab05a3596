/* The ELF object format: round trips, determinism, every rejection path,
 * and robustness against damaged or random input. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "difvm/difvm.h"
#include "difvm/object.h"

/* ---------------------------------------------------------------------
 * Building modules and comparing them.
 */
static struct dif_difo *mk_difo(const char *name, unsigned i)
{
	uint32_t text[16];
	uint32_t nt = 3 + i % 5;
	for (uint32_t k = 0; k < nt; k++)
		text[k] = 0x01000000u * (k + 1) + 0x00010203u * (i + 1);
	text[nt - 1] = 0x23010000u; /* any word: the object layer does not judge */
	uint64_t ints[8];
	uint32_t ni = 0;
	static const char strs[] = "\0abc\0self->x\0this->y";
	struct dif_var vars[3];
	uint32_t nv = 0;
	struct dif_difo_parts p;
	memset(&p, 0, sizeof(p));
	p.size = sizeof(p);
	p.name = name;
	p.text = text;
	p.textlen = nt;
	if (i % 2 == 0) {
		ni = 2 + i % 3;
		for (uint32_t k = 0; k < ni; k++)
			ints[k] = 0x8000000000000001ull * (k + 1) + i;
		memset(vars, 0, sizeof(vars));
		nv = 2;
		for (uint32_t k = 0; k < nv; k++) {
			vars[k].name = k ? 5 : 1;
			vars[k].id = 0x500 + k + i;
			vars[k].kind = (uint8_t)k;
			vars[k].scope = (uint8_t)(k + 1);
			vars[k].flags = (uint16_t)(0x1 | (k << 1));
			vars[k].type.kind = (uint8_t)k;
			vars[k].type.ckind = 1;
			vars[k].type.flags = (uint8_t)k;
			vars[k].type.size = 8 * (k + 1);
		}
		p.inttab = ints;
		p.intlen = ni;
		p.strtab = strs;
		p.strlen = sizeof(strs);
		p.vartab = vars;
		p.varlen = nv;
	}
	p.rtype.kind = (uint8_t)(i % 2);
	p.rtype.ckind = 1;
	p.rtype.flags = (uint8_t)(i % 3);
	p.rtype.size = 4u << (i % 2);
	struct dif_difo *d = NULL;
	cr_assert_eq(dif_difo_create(&p, &d, NULL), 0, "difo %s", name);
	if (i % 3 != 1)
		dif_difo_set_ptr(d, 0xfffff80012345678ull + 0x100 * i);
	return d;
}

/* n DIFOs named by names[] (or "p<i>"). */
static struct dif_module *mk_module(unsigned n, const char *const *names)
{
	struct dif_module *m = dif_module_new();
	cr_assert_not_null(m);
	for (unsigned i = 0; i < n; i++) {
		char nm[64];
		snprintf(nm, sizeof(nm), "p%u", i);
		cr_assert_eq(dif_module_add(m, mk_difo(names ? names[i] : nm, i)),
		             0);
	}
	return m;
}

static void assert_type_eq(const struct dif_type *a, const struct dif_type *b,
                           const char *what)
{
	cr_assert_eq(a->kind, b->kind, "%s kind", what);
	cr_assert_eq(a->ckind, b->ckind, "%s ckind", what);
	cr_assert_eq(a->flags, b->flags, "%s flags", what);
	cr_assert_eq(a->pad, b->pad, "%s pad", what);
	cr_assert_eq(a->size, b->size, "%s size", what);
}

static void assert_module_eq(const struct dif_module *a,
                             const struct dif_module *b)
{
	cr_assert_eq(dif_module_count(a), dif_module_count(b));
	for (size_t i = 0; i < dif_module_count(a); i++) {
		struct dif_difo_parts x, y;
		dif_difo_get_parts(dif_module_get(a, i), &x);
		dif_difo_get_parts(dif_module_get(b, i), &y);
		cr_assert_str_eq(x.name, y.name);
		cr_assert_eq(x.textlen, y.textlen, "%s", x.name);
		for (uint32_t k = 0; k < x.textlen; k++)
			cr_assert_eq(x.text[k], y.text[k], "%s text[%u]", x.name, k);
		cr_assert_eq(x.intlen, y.intlen, "%s", x.name);
		for (uint32_t k = 0; k < x.intlen; k++)
			cr_assert_eq(x.inttab[k], y.inttab[k], "%s int[%u]", x.name, k);
		cr_assert_eq(x.strlen, y.strlen, "%s", x.name);
		if (x.strlen)
			cr_assert_eq(memcmp(x.strtab, y.strtab, x.strlen), 0);
		cr_assert_eq(x.varlen, y.varlen, "%s", x.name);
		for (uint32_t k = 0; k < x.varlen; k++) {
			const struct dif_var *u = &x.vartab[k], *v = &y.vartab[k];
			cr_assert_eq(u->name, v->name);
			cr_assert_eq(u->id, v->id);
			cr_assert_eq(u->kind, v->kind);
			cr_assert_eq(u->scope, v->scope);
			cr_assert_eq(u->flags, v->flags);
			assert_type_eq(&u->type, &v->type, "var type");
		}
		assert_type_eq(&x.rtype, &y.rtype, "return type");
		cr_assert_eq(dif_difo_ptr(dif_module_get(a, i)),
		             dif_difo_ptr(dif_module_get(b, i)), "%s ptr", x.name);
		cr_assert_eq(dif_difo_varid(dif_module_get(a, i)),
		             dif_difo_varid(dif_module_get(b, i)), "%s varid",
		             x.name);
	}
}

struct obj {
	uint8_t *b;
	size_t len;
};

static struct obj write_obj(const struct dif_module *m,
                            enum dif_obj_byteorder order,
                            enum dif_profile profile)
{
	DIF_OPTS(dif_obj_opts, o, .order = order, .profile = profile);
	struct dif_errors errs = {0};
	void *b = NULL;
	size_t len = 0;
	int rc = dif_obj_write(m, &o, &b, &len, &errs);
	cr_assert_eq(rc, 0, "write: %s", errs.count ? errs.list[0].msg : "?");
	return (struct obj){b, len};
}

static struct dif_module *read_ok(const struct obj *o)
{
	struct dif_errors errs = {0};
	struct dif_module *m = NULL;
	int rc = dif_obj_read(o->b, o->len, NULL, &m, &errs);
	cr_assert_eq(rc, 0, "read: %s", errs.count ? errs.list[0].msg : "?");
	cr_assert_not_null(m);
	return m;
}

/* ---------------------------------------------------------------------
 * Round trips and determinism.
 */
static void round_trip(enum dif_obj_byteorder order, unsigned n)
{
	struct dif_module *m = mk_module(n, NULL);
	struct obj o = write_obj(m, order, DIF_PROFILE_FREEBSD);
	struct dif_module *back = read_ok(&o);
	assert_module_eq(m, back);
	dif_module_free(back);
	dif_module_free(m);
	free(o.b);
}

Test(object, round_trip_little_endian) { round_trip(DIF_OBJ_LSB, 5); }
Test(object, round_trip_big_endian) { round_trip(DIF_OBJ_MSB, 5); }
Test(object, round_trip_native) { round_trip(DIF_OBJ_NATIVE, 3); }
Test(object, round_trip_empty_module) { round_trip(DIF_OBJ_LSB, 0); }
Test(object, round_trip_one_difo) { round_trip(DIF_OBJ_MSB, 1); }

Test(object, header_fields_and_byte_order)
{
	struct dif_module *m = mk_module(1, NULL);
	for (int order = DIF_OBJ_LSB; order <= DIF_OBJ_MSB; order++) {
		struct obj o = write_obj(m, order, DIF_PROFILE_FREEBSD);
		cr_assert_eq(memcmp(o.b, ELFMAG, SELFMAG), 0);
		cr_assert_eq(o.b[EI_CLASS], ELFCLASS64);
		cr_assert_eq(o.b[EI_DATA],
		             order == DIF_OBJ_MSB ? ELFDATA2MSB : ELFDATA2LSB);
		/* e_type ET_REL, e_machine EM_NONE, in the file's order */
		int msb = order == DIF_OBJ_MSB;
		cr_assert_eq(o.b[msb ? 17 : 16], ET_REL);
		cr_assert_eq(o.b[msb ? 16 : 17], 0);
		cr_assert_eq(o.b[18] | o.b[19], EM_NONE);
		/* the first text word 0x01010203 appears in the file's order */
		static const uint8_t be[4] = {1, 1, 2, 3}, le[4] = {3, 2, 1, 1};
		cr_assert_not_null(memmem(o.b, o.len, msb ? be : le, 4));
		free(o.b);
	}
	dif_module_free(m);
}

Test(object, writer_is_deterministic)
{
	struct dif_module *m = mk_module(4, NULL);
	for (int order = DIF_OBJ_LSB; order <= DIF_OBJ_MSB; order++) {
		struct obj a = write_obj(m, order, DIF_PROFILE_ILLUMOS);
		struct obj b = write_obj(m, order, DIF_PROFILE_ILLUMOS);
		cr_assert_eq(a.len, b.len);
		cr_assert_eq(memcmp(a.b, b.b, a.len), 0);
		/* read + write gives the same bytes */
		struct dif_module *back = read_ok(&a);
		struct obj c = write_obj(back, order, DIF_PROFILE_ILLUMOS);
		cr_assert_eq(a.len, c.len);
		cr_assert_eq(memcmp(a.b, c.b, a.len), 0);
		dif_module_free(back);
		free(a.b);
		free(b.b);
		free(c.b);
	}
	dif_module_free(m);
}

/* Every byte outside the header, the sections and the section header
 * table is zero padding. */
Test(object, padding_is_zero)
{
	struct dif_module *m = mk_module(5, NULL);
	for (int order = DIF_OBJ_LSB; order <= DIF_OBJ_MSB; order++) {
		struct obj o = write_obj(m, order, DIF_PROFILE_FREEBSD);
		int msb = order == DIF_OBJ_MSB;
		uint8_t *used = calloc(1, o.len);
		uint64_t shoff = 0;
		unsigned shnum = 0;
		for (int k = 0; k < 8; k++)
			shoff |= (uint64_t)o.b[40 + (msb ? 7 - k : k)] << (8 * k);
		shnum = msb ? (unsigned)(o.b[60] << 8 | o.b[61])
		            : (unsigned)(o.b[61] << 8 | o.b[60]);
		memset(used, 1, 64);
		memset(used + shoff, 1, 64u * shnum);
		for (unsigned i = 1; i < shnum; i++) {
			const uint8_t *h = o.b + shoff + 64u * i;
			uint64_t off = 0, size = 0;
			for (int k = 0; k < 8; k++) {
				off |= (uint64_t)h[24 + (msb ? 7 - k : k)] << (8 * k);
				size |= (uint64_t)h[32 + (msb ? 7 - k : k)] << (8 * k);
			}
			cr_assert_leq(off + size, o.len);
			memset(used + off, 1, size);
		}
		for (size_t k = 0; k < o.len; k++)
			if (!used[k])
				cr_assert_eq(o.b[k], 0, "padding byte %zu", k);
		free(used);
		free(o.b);
	}
	dif_module_free(m);
}

/* The bytes of version 1 are frozen: a writer change that alters them
 * must come with a format version bump (DIFVM_REGEN=1 rewrites the files). */
/* The id style of a listing's variable table survives the object, so
 * listing -> object -> listing prints the ids as the listing had them. */
Test(object, keeps_listing_id_style)
{
	struct dif_module *m = mk_module(3, NULL);
	for (unsigned i = 0; i < 3; i++)
		dif_difo_set_varid((struct dif_difo *)dif_module_get(m, i),
		                   (enum dif_varid_style)i);
	struct obj o = write_obj(m, DIF_OBJ_LSB, DIF_PROFILE_FREEBSD);
	struct dif_module *back = read_ok(&o);
	assert_module_eq(m, back);
	cr_assert_eq(dif_difo_varid(dif_module_get(back, 0)), DIF_VARID_PROFILE);
	cr_assert_eq(dif_difo_varid(dif_module_get(back, 1)), DIF_VARID_DEC);
	cr_assert_eq(dif_difo_varid(dif_module_get(back, 2)), DIF_VARID_HEX);
	dif_module_free(back);
	free(o.b);
	dif_module_free(m);
}

Test(object, matches_golden_files)
{
	struct dif_module *m = mk_module(3, NULL);
	for (int order = DIF_OBJ_LSB; order <= DIF_OBJ_MSB; order++) {
		struct obj o = write_obj(m, order, DIF_PROFILE_FREEBSD);
		const char *rel = order == DIF_OBJ_MSB
		                          ? "tests/object/data/three_msb.o"
		                          : "tests/object/data/three_lsb.o";
		const char *path = test_src(rel);
		if (getenv("DIFVM_REGEN")) {
			FILE *f = fopen(path, "wb");
			cr_assert_not_null(f, "%s", path);
			fwrite(o.b, 1, o.len, f);
			fclose(f);
		}
		size_t glen = 0;
		char *gold = test_slurp(path, &glen);
		cr_assert_not_null(gold, "missing %s", rel);
		cr_assert_eq(glen, o.len, "%s: size", rel);
		cr_assert_eq(memcmp(gold, o.b, o.len), 0, "%s: bytes differ", rel);
		/* and it reads back as the module */
		struct obj g = {(uint8_t *)gold, glen};
		struct dif_module *back = read_ok(&g);
		assert_module_eq(m, back);
		dif_module_free(back);
		free(gold);
		free(o.b);
	}
	dif_module_free(m);
}

/* An independent ELF reader (libelf) sees the same sections and symbols. */
Test(object, libelf_reads_it)
{
	cr_assert_neq(elf_version(EV_CURRENT), EV_NONE);
	struct dif_module *m = mk_module(4, NULL);
	for (int order = DIF_OBJ_LSB; order <= DIF_OBJ_MSB; order++) {
		struct obj o = write_obj(m, order, DIF_PROFILE_FREEBSD);
		Elf *e = elf_memory((char *)o.b, o.len);
		cr_assert_not_null(e);
		cr_assert_eq(elf_kind(e), ELF_K_ELF);
		GElf_Ehdr eh;
		cr_assert_not_null(gelf_getehdr(e, &eh));
		cr_assert_eq(eh.e_type, ET_REL);
		cr_assert_eq(eh.e_machine, EM_NONE);
		size_t shstr = 0;
		cr_assert_eq(elf_getshdrstrndx(e, &shstr), 0);
		Elf_Scn *scn = NULL;
		unsigned nsyms = 0;
		while ((scn = elf_nextscn(e, scn)) != NULL) {
			GElf_Shdr sh;
			cr_assert_not_null(gelf_getshdr(scn, &sh));
			if (sh.sh_type != SHT_SYMTAB)
				continue;
			Elf_Data *d = elf_getdata(scn, NULL);
			cr_assert_not_null(d);
			for (size_t j = 1; j < sh.sh_size / sh.sh_entsize; j++) {
				GElf_Sym sy;
				cr_assert_not_null(gelf_getsym(d, (int)j, &sy));
				const char *nm = elf_strptr(e, sh.sh_link, sy.st_name);
				const struct dif_difo *difo = dif_module_get(m, j - 1);
				cr_assert_str_eq(nm, dif_difo_name(difo));
				cr_assert_eq(GELF_ST_TYPE(sy.st_info), STT_FUNC);
				Elf_Scn *tx = elf_getscn(e, sy.st_shndx);
				GElf_Shdr tsh;
				cr_assert_not_null(gelf_getshdr(tx, &tsh));
				char want[80];
				snprintf(want, sizeof(want), ".text.%s", nm);
				cr_assert_str_eq(elf_strptr(e, shstr, tsh.sh_name), want);
				struct dif_difo_parts p;
				dif_difo_get_parts(difo, &p);
				cr_assert_eq(sy.st_size, p.textlen * 4u);
				Elf_Data *td = elf_rawdata(tx, NULL);
				const uint8_t *w = td->d_buf;
				for (uint32_t k = 0; k < p.textlen; k++) {
					uint32_t v = 0;
					for (int b = 0; b < 4; b++)
						v |= (uint32_t)w[4 * k + (order == DIF_OBJ_MSB ? 3 - b : b)]
						     << (8 * b);
					cr_assert_eq(v, p.text[k], "%s word %u", nm, k);
				}
				nsyms++;
			}
		}
		cr_assert_eq(nsyms, 4u);
		elf_end(e);
		free(o.b);
	}
	dif_module_free(m);
}

Test(object, profile_is_recorded)
{
	struct dif_module *m = mk_module(2, NULL);
	struct obj o = write_obj(m, DIF_OBJ_LSB, DIF_PROFILE_ILLUMOS);
	enum dif_profile p = DIF_PROFILE_FREEBSD;
	cr_assert_eq(dif_obj_profile(o.b, o.len, &p), 0);
	cr_assert_eq(p, DIF_PROFILE_ILLUMOS);
	/* without the check flag any profile is accepted */
	struct dif_module *back = read_ok(&o);
	dif_module_free(back);
	DIF_OPTS(dif_obj_opts, ok, .profile = DIF_PROFILE_ILLUMOS,
	         .flags = DIF_OBJ_CHECK_PROFILE);
	cr_assert_eq(dif_obj_read(o.b, o.len, &ok, &back, NULL), 0);
	dif_module_free(back);
	free(o.b);
	dif_module_free(m);
}

Test(object, writer_rejects_bad_options)
{
	struct dif_module *m = mk_module(1, NULL);
	DIF_OPTS(dif_obj_opts, o, .order = (enum dif_obj_byteorder)7);
	void *b = NULL;
	size_t len = 0;
	struct dif_errors errs = {0};
	cr_assert_eq(dif_obj_write(m, &o, &b, &len, &errs), DIF_E_INVAL);
	cr_assert_null(b);
	cr_assert_eq(dif_obj_write(NULL, NULL, &b, &len, &errs), DIF_E_INVAL);
	dif_module_free(m);
	/* a name the reader would refuse is refused up front */
	m = mk_module(1, (const char *const[]){""});
	errs.count = 0;
	cr_assert_eq(dif_obj_write(m, NULL, &b, &len, &errs), DIF_E_INVAL);
	cr_assert_not_null(strstr(errs.list[0].msg, "empty name"));
	dif_module_free(m);
}

/* ---------------------------------------------------------------------
 * Negative tests: patch one rule at a time in a good little-endian object
 * with DIFO "a" (text, integer, string and variable tables) and DIFO "b"
 * (text only).
 */
static uint64_t g(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void s(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

enum { SH_NAME = 0, SH_TYPE = 4, SH_FLAGS = 8, SH_OFF = 24, SH_SIZE = 32,
       SH_LINK = 40, SH_INFO = 44, SH_ALIGN = 48, SH_ENTSIZE = 56 };
enum { D_SYM = 0, D_TEXT = 4, D_INT = 8, D_STR = 12, D_VAR = 16, D_FLAGS = 28 };

static uint8_t *shdr(struct obj *o, unsigned i)
{
	return o->b + g(o->b + 40, 8) + 64u * i;
}

static uint8_t *sdata(struct obj *o, unsigned i)
{
	return o->b + g(shdr(o, i) + SH_OFF, 8);
}

/* Section index by name. */
static unsigned sec(struct obj *o, const char *name)
{
	unsigned n = (unsigned)g(o->b + 60, 2);
	const char *names = (const char *)sdata(o, (unsigned)g(o->b + 62, 2));
	for (unsigned i = 1; i < n; i++)
		if (strcmp(names + g(shdr(o, i) + SH_NAME, 4), name) == 0)
			return i;
	cr_assert_fail("no section %s", name);
	return 0;
}

static uint8_t *desc(struct obj *o, unsigned d)
{
	return sdata(o, sec(o, ".difvm.difos")) + 40u * d;
}

static uint8_t *sym(struct obj *o, unsigned j)
{
	return sdata(o, sec(o, ".symtab")) + 24u * j;
}

static void set_sh(struct obj *o, const char *name, unsigned field,
                   uint64_t v)
{
	unsigned n = field == SH_NAME || field == SH_TYPE || field == SH_LINK ||
	                             field == SH_INFO ? 4 : 8;
	s(shdr(o, sec(o, name)) + field, v, n);
}

/* Drops DIFO "b"'s descriptor (its symbol and text stay behind). */
static void drop_b(struct obj *o)
{
	s(sdata(o, sec(o, ".difvm.info")) + 20, 1, 4);
	set_sh(o, ".difvm.difos", SH_SIZE, 40);
}

#define P(name) static void name(struct obj *o)
P(bad_magic) { o->b[1] = 'X'; }
P(short_ident) { o->len = 10; }
P(elf32) { o->b[EI_CLASS] = ELFCLASS32; }
P(bad_data) { o->b[EI_DATA] = 3; }
P(no_data) { o->b[EI_DATA] = ELFDATANONE; }
P(ident_version) { o->b[EI_VERSION] = 0; }
P(short_header) { o->len = 40; }
P(exec_type) { s(o->b + 16, ET_EXEC, 2); }
P(x86_machine) { s(o->b + 18, EM_X86_64, 2); }
P(e_version_2) { s(o->b + 20, 2, 4); }
P(ehsize) { s(o->b + 52, 52, 2); }
P(phdrs) { s(o->b + 56, 1, 2); }
P(shentsize) { s(o->b + 58, 40, 2); }
P(no_sections) { s(o->b + 60, 0, 2); }
P(shstrndx_range) { s(o->b + 62, 99, 2); }
P(shoff_align) { s(o->b + 40, g(o->b + 40, 8) - 4, 8); }
P(shtab_truncated) { o->len = (size_t)g(o->b + 40, 8) + 64 * 3; }
P(null_section) { s(shdr(o, 0) + SH_TYPE, SHT_PROGBITS, 4); }
P(nobits) { set_sh(o, ".difvm.vartab.a", SH_TYPE, SHT_NOBITS); }
P(section_past_end) { set_sh(o, ".text.a", SH_SIZE, o->len); }
P(align_not_pow2) { set_sh(o, ".text.b", SH_ALIGN, 3); }
P(offset_misaligned)
{
	set_sh(o, ".text.a", SH_OFF, g(shdr(o, sec(o, ".text.a")) + SH_OFF, 8) + 2);
}
P(declared_align) { set_sh(o, ".difvm.inttab.a", SH_ALIGN, 4); }
P(shstrtab_type) { s(shdr(o, (unsigned)g(o->b + 62, 2)) + SH_TYPE, SHT_PROGBITS, 4); }
P(shstrtab_nul)
{
	uint8_t *h = shdr(o, (unsigned)g(o->b + 62, 2));
	o->b[g(h + SH_OFF, 8) + g(h + SH_SIZE, 8) - 1] = 'x';
}
P(section_name_range) { set_sh(o, ".text.b", SH_NAME, 100000); }
P(unknown_difvm_type) { set_sh(o, ".difvm.vartab.a", SH_TYPE, 0x8d1f0099u); }
P(two_infos) { set_sh(o, ".difvm.vartab.a", SH_TYPE, DIF_OBJ_SHT_INFO); }
P(no_info) { set_sh(o, ".difvm.info", SH_TYPE, SHT_PROGBITS); }
P(info_size) { set_sh(o, ".difvm.info", SH_SIZE, 16); }
P(info_magic) { sdata(o, sec(o, ".difvm.info"))[0] = 'X'; }
P(info_version) { s(sdata(o, sec(o, ".difvm.info")) + 8, 2, 4); }
P(info_profile) { s(sdata(o, sec(o, ".difvm.info")) + 12, 7, 4); }
P(info_reserved) { sdata(o, sec(o, ".difvm.info"))[30] = 1; }
P(no_difos) { set_sh(o, ".difvm.difos", SH_TYPE, SHT_PROGBITS); }
P(no_symtab) { set_sh(o, ".symtab", SH_TYPE, SHT_PROGBITS); }
P(symtab_empty) { set_sh(o, ".symtab", SH_SIZE, 0); }
P(symtab_entsize) { set_sh(o, ".symtab", SH_ENTSIZE, 16); }
P(symtab_link_range) { set_sh(o, ".symtab", SH_LINK, 99); }
P(symtab_link_type) { set_sh(o, ".symtab", SH_LINK, sec(o, ".difvm.info")); }
P(symtab_info_range) { set_sh(o, ".symtab", SH_INFO, 99); }
P(strtab_nul)
{
	uint8_t *h = shdr(o, sec(o, ".strtab"));
	o->b[g(h + SH_OFF, 8) + g(h + SH_SIZE, 8) - 1] = 'x';
}
P(difos_size) { set_sh(o, ".difvm.difos", SH_SIZE, 44); }
P(difos_count) { s(sdata(o, sec(o, ".difvm.info")) + 20, 3, 4); }
P(desc_sym_range) { s(desc(o, 0) + D_SYM, 99, 4); }
P(sym_name_range) { s(sym(o, 1), 100000, 4); }
P(sym_name_empty) { s(sym(o, 1), 0, 4); }
P(sym_name_long)
{
	/* "\0<63 n>\0b\0": join the first name with the next one */
	uint8_t *h = shdr(o, sec(o, ".strtab"));
	o->b[g(h + SH_OFF, 8) + 64] = 'x';
}
P(sym_type) { sym(o, 1)[4] = (STB_GLOBAL << 4) | STT_OBJECT; }
P(desc_flags) { s(desc(o, 0) + D_FLAGS, 4, 4); }
P(desc_ids) { s(desc(o, 0) + D_FLAGS, 3, 4); }
P(desc_text_range) { s(desc(o, 0) + D_TEXT, 99, 4); }
P(sym_section) { s(sym(o, 1) + 6, sec(o, ".text.b"), 2); }
P(text_not_exec) { set_sh(o, ".text.a", SH_FLAGS, SHF_ALLOC); }
P(text_size) { set_sh(o, ".text.a", SH_SIZE, 6); }
P(sym_size) { s(sym(o, 1) + 16, 4, 8); }
P(table_range) { s(desc(o, 0) + D_INT, 99, 4); }
P(table_type) { s(desc(o, 0) + D_INT, sec(o, ".difvm.strtab.a"), 4); }
P(table_entsize) { set_sh(o, ".difvm.vartab.a", SH_ENTSIZE, 16); }
P(table_records) { set_sh(o, ".difvm.vartab.a", SH_SIZE, 19); }
P(table_shared) { s(desc(o, 1) + D_INT, sec(o, ".difvm.inttab.a"), 4); }
P(difo_strtab_nul)
{
	uint8_t *h = shdr(o, sec(o, ".difvm.strtab.a"));
	o->b[g(h + SH_OFF, 8) + g(h + SH_SIZE, 8) - 1] = 'x';
}
P(vars_without_strings) { s(desc(o, 0) + D_STR, 0, 4); }
P(too_many_ints)
{
	/* grow the file so that the oversized table still lies inside it */
	size_t extra = 70000 * 8;
	o->b = realloc(o->b, o->len + extra);
	memset(o->b + o->len, 0, extra);
	o->len += extra;
	set_sh(o, ".difvm.inttab.a", SH_SIZE, 65537 * 8);
}
P(difo_too_big)
{
	size_t extra = 400000;
	o->b = realloc(o->b, o->len + extra);
	memset(o->b + o->len, 0, extra);
	o->len += extra;
	set_sh(o, ".difvm.inttab.a", SH_SIZE, 40000 * 8);
}
P(duplicate_name) { s(sym(o, 2), g(sym(o, 1), 4), 4); }
P(orphan_table) { s(desc(o, 0) + D_INT, 0, 4); }
P(stray_symbol) { drop_b(o); }
P(stray_symbol_range)
{
	drop_b(o);
	s(sym(o, 2) + 6, 999, 2);
}
P(stray_symbol_name)
{
	drop_b(o);
	s(sym(o, 2), 100000, 4);
}
/* Turns "a"'s two-entry integer table into one relocation record. */
static void to_rel(struct obj *o)
{
	s(desc(o, 0) + D_INT, 0, 4);
	const char *n = ".difvm.inttab.a";
	set_sh(o, n, SH_TYPE, DIF_OBJ_SHT_REL);
	set_sh(o, n, SH_ENTSIZE, 16);
	set_sh(o, n, SH_LINK, 0);
	set_sh(o, n, SH_INFO, sec(o, ".text.a"));
}
/* One record: offset 0, type 9 (unknown), no names. */
P(reloc_pending)
{
	to_rel(o);
	uint8_t *r = sdata(o, sec(o, ".difvm.inttab.a"));
	memset(r, 0, 16);
	s(r + 4, 9, 2);
}
P(reloc_link)
{
	to_rel(o);
	set_sh(o, ".difvm.inttab.a", SH_LINK, 1);
}
P(reloc_info)
{
	to_rel(o);
	set_sh(o, ".difvm.inttab.a", SH_INFO, sec(o, ".difvm.info"));
}
P(reloc_records)
{
	to_rel(o);
	set_sh(o, ".difvm.inttab.a", SH_SIZE, 12);
}
P(profile_mismatch) { (void)o; }
#undef P

struct neg {
	const char *name;
	void (*patch)(struct obj *);
	int code;
	const char *msg;   /* must appear in the first message */
	int long_name;     /* DIFO "a" gets a 63-byte name */
	int check_profile; /* read expecting FreeBSD, strictly */
};

#define N(fn, code, msg) {#fn, fn, DIF_E_##code, msg, 0, 0}
static struct neg cases[] = {
	N(bad_magic, OBJ_FORMAT, "not an ELF file: bad magic number"),
	N(short_ident, OBJ_TRUNCATED, "ELF identification needs 16 bytes, file has 10"),
	N(elf32, OBJ_CLASS, "ELF class 1: difvm objects are ELFCLASS64"),
	N(bad_data, OBJ_DATA, "ELF data encoding 3"),
	N(no_data, OBJ_DATA, "ELF data encoding 0"),
	N(ident_version, OBJ_FORMAT, "ELF identification version 0"),
	N(short_header, OBJ_TRUNCATED, "ELF header needs 64 bytes, file has 40"),
	N(exec_type, OBJ_MACHINE, "ELF type 2: difvm objects are ET_REL"),
	N(x86_machine, OBJ_MACHINE, "ELF machine 62: difvm objects use EM_NONE"),
	N(e_version_2, OBJ_FORMAT, "ELF version 2: expected 1"),
	N(ehsize, OBJ_FORMAT, "ELF header size 52: expected 64"),
	N(phdrs, OBJ_FORMAT, "program headers present"),
	N(shentsize, OBJ_FORMAT, "section header size 40: expected 64"),
	N(no_sections, OBJ_FORMAT, "no section headers"),
	N(shstrndx_range, OBJ_INDEX, "section name table index 99 out of range"),
	N(shoff_align, OBJ_ALIGN, "is not 8-byte aligned"),
	N(shtab_truncated, OBJ_TRUNCATED, "section header table"),
	N(null_section, OBJ_SECTION, "section 0 must be the null section"),
	N(nobits, OBJ_SECTION, "SHT_NOBITS sections are not allowed"),
	N(section_past_end, OBJ_TRUNCATED, "extends past the end of the file"),
	N(align_not_pow2, OBJ_ALIGN, "alignment 3 is not a power of two"),
	N(offset_misaligned, OBJ_ALIGN, "is not 4-byte aligned"),
	N(declared_align, OBJ_ALIGN, "'.difvm.inttab.a': alignment 4, expected 8"),
	N(shstrtab_type, OBJ_SECTION, "section name table (section"),
	N(shstrtab_nul, OBJ_STRING, "section name table (section"),
	N(section_name_range, OBJ_INDEX, "name offset 100000 outside the section name table"),
	N(unknown_difvm_type, OBJ_SECTION, "unknown difvm section type 0x8d1f0099"),
	N(two_infos, OBJ_DUPLICATE, "a second section of type 0x8d1f0001"),
	N(no_info, OBJ_MISSING, "no .difvm.info section"),
	N(info_size, OBJ_SECTION, "size 16, the info record is 32 bytes"),
	N(info_magic, OBJ_FORMAT, "bad magic (expected \"DIFVMOBJ\")"),
	N(info_version, OBJ_VERSION, "object format version 2; this reader supports version 1"),
	N(info_profile, OBJ_FORMAT, "unknown profile 7"),
	N(info_reserved, OBJ_FORMAT, "reserved flags or fields are non-zero"),
	N(no_difos, OBJ_MISSING, "no .difvm.difos section"),
	N(no_symtab, OBJ_MISSING, "no .symtab section"),
	N(symtab_empty, OBJ_SECTION, "empty (needs the null symbol)"),
	N(symtab_entsize, OBJ_SECTION, "'.symtab': entry size 16, expected 24"),
	N(symtab_link_range, OBJ_INDEX, "name table index 99 out of range"),
	N(symtab_link_type, OBJ_SECTION, "linked name table (section 1) is not SHT_STRTAB"),
	N(symtab_info_range, OBJ_INDEX, "first global symbol 99 beyond the 3 symbols"),
	N(strtab_nul, OBJ_STRING, "symbol name table (section"),
	N(difos_size, OBJ_SECTION, "size 44 is not a multiple of the 40-byte record"),
	N(difos_count, OBJ_SECTION, "holds 2 descriptors, the info record says 3"),
	N(desc_sym_range, OBJ_INDEX, "DIFO descriptor 0: symbol index 99 out of range"),
	N(sym_name_range, OBJ_INDEX, "symbol 1 name offset 100000 outside"),
	N(sym_name_empty, OBJ_STRING, "DIFO descriptor 0: symbol 1 has an empty name"),
	{"sym_name_long", sym_name_long, DIF_E_OBJ_SYMBOL, "is longer than 63 bytes", 1, 0},
	N(sym_type, OBJ_SYMBOL, "DIFO 'a': symbol 1 must be STT_FUNC and STB_GLOBAL"),
	N(desc_flags, OBJ_FORMAT, "DIFO 'a': reserved descriptor flags 0x4"),
	N(desc_ids, OBJ_FORMAT, "DIFO 'a': listing id style 3 in the descriptor flags"),
	N(desc_text_range, OBJ_INDEX, "DIFO 'a': text section index 99 out of range"),
	N(sym_section, OBJ_SYMBOL, "DIFO 'a': symbol 1 points to section"),
	N(text_not_exec, OBJ_SECTION, "is not a text section"),
	N(text_size, OBJ_SECTION, "DIFO 'a': text size 6 is not a multiple of 4"),
	N(sym_size, OBJ_SYMBOL, "DIFO 'a': symbol value 0 size 4"),
	N(table_range, OBJ_INDEX, "DIFO 'a': integer table section index 99 out of range"),
	N(table_type, OBJ_SECTION, "for the integer table has type 0x8d1f0004"),
	N(table_entsize, OBJ_SECTION, "'.difvm.vartab.a': entry size 16, expected 20"),
	N(table_records, OBJ_SECTION, "size 19 is not a multiple of the 20-byte record"),
	N(table_shared, OBJ_DUPLICATE, "DIFO 'b': section 4 '.difvm.inttab.a' is already used"),
	N(difo_strtab_nul, OBJ_STRING, "DIFO 'a': string table does not end with NUL"),
	N(vars_without_strings, OBJ_MISSING, "DIFO 'a': variable table names need a string table"),
	N(too_many_ints, OBJ_OVERSIZE, "integer table has 65537 entries (limit 65536)"),
	N(difo_too_big, OBJ_OVERSIZE, "text and tables take"),
	N(duplicate_name, OBJ_DUPLICATE, "DIFO 'a' defined twice (descriptors 0 and 1)"),
	N(orphan_table, OBJ_SECTION, "'.difvm.inttab.a': not used by any DIFO"),
	N(stray_symbol, OBJ_SYMBOL, "symbol 2 'b' points to section"),
	N(stray_symbol_range, OBJ_INDEX, "symbol 2 'b': section index 999 out of range"),
	N(stray_symbol_name, OBJ_INDEX, "symbol 2: name offset 100000 outside"),
	N(reloc_pending, OBJ_RELOC, "record 0 (offset 0, type 9): unknown relocation type"),
	N(reloc_link, OBJ_RELOC, "sh_link 1 is not a symbol-name table"),
	N(reloc_info, OBJ_RELOC, "sh_info 1 is not a DIFO's text section"),
	N(reloc_records, OBJ_SECTION, "size 12 is not a multiple of the 16-byte record"),
	{"profile_mismatch", profile_mismatch, DIF_E_OBJ_PROFILE,
	 "object was built for profile illumos, not freebsd", 0, 1},
};
#undef N
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const char long_name[] =
	"nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";

static struct obj good_obj(int long_first, enum dif_profile profile)
{
	const char *names[2] = {long_first ? long_name : "a", "b"};
	struct dif_module *m = mk_module(2, names);
	struct obj o = write_obj(m, DIF_OBJ_LSB, profile);
	dif_module_free(m);
	return o;
}

/* Runs one case; returns 1 if it gave exactly its code and message. */
static int run_case(const struct neg *c, int verbose)
{
	struct obj o = good_obj(c->long_name,
	                        c->check_profile ? DIF_PROFILE_ILLUMOS
	                                         : DIF_PROFILE_FREEBSD);
	c->patch(&o);
	DIF_OPTS(dif_obj_opts, opts, .profile = DIF_PROFILE_FREEBSD,
	         .flags = c->check_profile ? DIF_OBJ_CHECK_PROFILE : 0);
	struct dif_errors errs = {0};
	struct dif_module *m = (void *)1;
	int rc = dif_obj_read(o.b, o.len, &opts, &m, &errs);
	int ok = rc == c->code && m == NULL && errs.count == 1 &&
	         errs.list[0].code == c->code &&
	         strstr(errs.list[0].msg, c->msg) != NULL;
	if (!ok && verbose)
		cr_log_error("%s: got %s (%d) \"%s\", want %s \"%s\"", c->name,
		             dif_err_name(rc), rc,
		             errs.count ? errs.list[0].msg : "",
		             dif_err_name(c->code), c->msg);
	free(o.b);
	return ok;
}

/* Case numbers, not pointers: the test runner may re-execute this binary
 * for each test, so only plain values survive the trip. */
static int case_ids[120] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
	20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36,
	37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53,
	54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70,
	71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87,
	88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103,
	104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117,
	118, 119
};

ParameterizedTestParameters(object, rejects)
{
	_Static_assert(NCASES <= sizeof(case_ids) / sizeof(case_ids[0]),
	               "grow case_ids");
	return cr_make_param_array(int, case_ids, NCASES);
}

ParameterizedTest(int *id, object, rejects)
{
	const struct neg *c = &cases[*id];
	cr_assert(run_case(c, 1), "case %s", c->name);
}

Test(object, the_good_object_is_good)
{
	for (int l = 0; l < 2; l++) {
		struct obj o = good_obj(l, DIF_PROFILE_FREEBSD);
		dif_module_free(read_ok(&o));
		free(o.b);
	}
	/* an empty relocation section is fine */
	struct obj o = good_obj(0, DIF_PROFILE_FREEBSD);
	to_rel(&o);
	set_sh(&o, ".difvm.inttab.a", SH_SIZE, 0);
	dif_module_free(read_ok(&o));
	free(o.b);
}

/* Every object error code is provoked by some case. */
Test(object, every_obj_code_has_a_test)
{
	for (int code = 0; code < DIF_NERR; code++) {
		if (strncmp(dif_err_name(code), "obj-", 4) != 0)
			continue;
		/* libelf failures come from the writer's library only */
		if (code == DIF_E_OBJ_LIBELF)
			continue;
		int found = 0;
		for (size_t i = 0; i < NCASES && !found; i++)
			if (cases[i].code == code && run_case(&cases[i], 1))
				found = 1;
		cr_expect(found, "no passing test triggers %s", dif_err_name(code));
	}
}

/* ---------------------------------------------------------------------
 * Robustness: damaged and random input gives success or a clean error.
 */
static void expect_clean(const uint8_t *b, size_t len, const char *what,
                         size_t at)
{
	struct dif_errors errs = {0};
	struct dif_module *m = NULL;
	int rc = dif_obj_read(b, len, NULL, &m, &errs);
	if (rc == 0) {
		cr_assert_not_null(m, "%s %zu", what, at);
		/* anything accepted can be written again */
		void *out = NULL;
		size_t olen = 0;
		cr_assert_eq(dif_obj_write(m, NULL, &out, &olen, NULL), 0);
		free(out);
		dif_module_free(m);
		return;
	}
	cr_assert_null(m, "%s %zu", what, at);
	cr_assert(strncmp(dif_err_name(rc), "obj-", 4) == 0,
	          "%s %zu: code %s", what, at, dif_err_name(rc));
	cr_assert_eq(errs.count, 1u, "%s %zu", what, at);
	cr_assert_eq(errs.list[0].code, rc, "%s %zu", what, at);
	cr_assert_neq(errs.list[0].msg[0], '\0', "%s %zu", what, at);
}

Test(object, every_truncation)
{
	for (int order = DIF_OBJ_LSB; order <= DIF_OBJ_MSB; order++) {
		struct dif_module *m = mk_module(3, NULL);
		struct obj o = write_obj(m, order, DIF_PROFILE_FREEBSD);
		dif_module_free(m);
		for (size_t n = 0; n < o.len; n++) {
			/* a fresh copy so ASan sees reads past the cut */
			uint8_t *c = malloc(n ? n : 1);
			memcpy(c, o.b, n);
			expect_clean(c, n, "truncated at", n);
			free(c);
		}
		free(o.b);
	}
}

Test(object, every_bit_flip)
{
	for (int order = DIF_OBJ_LSB; order <= DIF_OBJ_MSB; order++) {
		struct dif_module *m = mk_module(2, NULL);
		struct obj o = write_obj(m, order, DIF_PROFILE_FREEBSD);
		dif_module_free(m);
		for (size_t bit = 0; bit < o.len * 8; bit++) {
			o.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			expect_clean(o.b, o.len, "bit", bit);
			o.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
		free(o.b);
	}
}

static uint64_t rng(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

Test(object, random_buffers)
{
	uint64_t st = 0x9e3779b97f4a7c15ull;
	struct obj good = good_obj(0, DIF_PROFILE_FREEBSD);
	for (int it = 0; it < 4000; it++) {
		size_t len = rng(&st) % 2048;
		uint8_t *b = malloc(len ? len : 1);
		for (size_t k = 0; k < len; k++)
			b[k] = (uint8_t)rng(&st);
		/* half of them start like a real object to get past the header */
		if (it % 2 && len >= 64)
			memcpy(b, good.b, 64);
		expect_clean(b, len, "random buffer", (size_t)it);
		free(b);
	}
	free(good.b);
}

Test(object, random_mutations)
{
	uint64_t st = 0x1234567887654321ull;
	struct dif_module *m = mk_module(3, NULL);
	struct obj good = write_obj(m, DIF_OBJ_MSB, DIF_PROFILE_FREEBSD);
	dif_module_free(m);
	uint8_t *b = malloc(good.len);
	for (int it = 0; it < 4000; it++) {
		memcpy(b, good.b, good.len);
		unsigned nmut = 1 + (unsigned)(rng(&st) % 8);
		for (unsigned k = 0; k < nmut; k++) {
			size_t at = rng(&st) % good.len;
			/* small values hit indices and sizes more often */
			b[at] = (rng(&st) & 1) ? (uint8_t)rng(&st)
			                       : (uint8_t)(rng(&st) % 4);
		}
		expect_clean(b, good.len, "mutation", (size_t)it);
	}
	free(b);
	free(good.b);
}

Test(object, null_and_empty_input)
{
	struct dif_module *m = (void *)1;
	struct dif_errors errs = {0};
	cr_assert_eq(dif_obj_read(NULL, 0, NULL, &m, &errs), DIF_E_OBJ_FORMAT);
	cr_assert_null(m);
	cr_assert_eq(dif_obj_read(NULL, 5, NULL, &m, &errs), DIF_E_INVAL);
	cr_assert_eq(dif_obj_read("x", 1, NULL, NULL, &errs), DIF_E_INVAL);
}
