/* libFuzzer harness for relocation records: the input is cut into a
 * symbol table, records and text; whatever dif_difo_create accepts must
 * survive the object format unchanged, link (with --poison) against a
 * small fixed BTF without faults, and pass the host-side check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/object.h"
#include "difvm/reloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* struct s { int a; int b; }; typedef struct s t; enum e { X = 3 }; */
static const uint32_t btf_types[] = {
	1, 1u << 24, 4, (1u << 24) | 32,
	5, (4u << 24) | 2, 8, 7, 1, 0, 9, 1, 32,
	0, 2u << 24, 2,
	11, (6u << 24) | 1, 4, 13, 3,
	15, 8u << 24, 2,
};
static const char btf_strs[] = "\0int\0s\0a\0b\0e\0X\0t";

static struct dif_types *fixed_types(void)
{
	static uint8_t b[256];
	uint32_t h[6] = { 24, 0, sizeof(btf_types), sizeof(btf_types),
	                  sizeof(btf_strs), 0 };
	b[0] = 0x9f;
	b[1] = 0xeb;
	b[2] = 1;
	memcpy(b + 4, h, 20);
	memcpy(b + 24, btf_types, sizeof(btf_types));
	memcpy(b + 24 + sizeof(btf_types), btf_strs, sizeof(btf_strs));
	struct dif_types *t = dif_types_new();
	if (!t || dif_types_load_btf_buf(t, b, 24 + sizeof(btf_types) +
	                                 sizeof(btf_strs), "fixed", NULL))
		abort();
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dif_types *types;
	if (!types)
		types = fixed_types();
	if (size < 3)
		return 0;
	uint32_t nrel = data[0] % 9, symlen = data[1], ntext = 1 + data[2] % 32;
	size_t need = 3 + (size_t)nrel * 16 + symlen + (size_t)ntext * 4;
	if (size < need)
		return 0;
	const uint8_t *p = data + 3;
	struct dif_reloc rels[8];
	memcpy(rels, p, (size_t)nrel * sizeof(rels[0]));
	p += (size_t)nrel * 16;
	const char *sym = (const char *)p;
	p += symlen;
	uint32_t text[32];
	memcpy(text, p, (size_t)ntext * 4);
	uint64_t ints[2] = { 0, 1 };
	DIF_OPTS(dif_difo_parts, parts, .name = "f", .text = text, .textlen = ntext,
	         .inttab = ints, .intlen = 2, .symtab = symlen ? sym : NULL,
	         .symlen = symlen, .relocs = nrel ? rels : NULL, .nrelocs = nrel);
	struct dif_difo *d = NULL;
	if (dif_difo_create(&parts, &d, NULL) != 0)
		return 0;
	struct dif_module *m = dif_module_new();
	if (!m || dif_module_add(m, d))
		abort();
	void *buf;
	size_t len;
	if (dif_obj_write(m, NULL, &buf, &len, NULL))
		abort();
	struct dif_module *back = NULL;
	if (dif_obj_read(buf, len, NULL, &back, NULL))
		abort();
	free(buf);
	struct dif_difo_parts a, b;
	dif_difo_get_parts(dif_module_get(m, 0), &a);
	dif_difo_get_parts(dif_module_get(back, 0), &b);
	if (a.nrelocs != b.nrelocs || a.symlen != b.symlen ||
	    (a.nrelocs && memcmp(a.relocs, b.relocs, a.nrelocs * sizeof(*a.relocs))) ||
	    (a.symlen && memcmp(a.symtab, b.symtab, a.symlen)))
		abort();
	DIF_OPTS(dif_reloc_opts, o, .flags = DIF_RELOC_F_POISON, .object = "fuzz");
	struct dif_module *linked = NULL;
	struct dif_errors errs;
	dif_errors_clear(&errs);
	if (dif_relocate(back, types, &o, &linked, &errs) == 0) {
		dif_errors_clear(&errs);
		if (dif_reloc_verify(back, linked, &o, &errs) != 0)
			abort(); /* the linker's own output must pass its check */
		dif_module_free(linked);
	}
	dif_module_free(back);
	dif_module_free(m);
	return 0;
}
