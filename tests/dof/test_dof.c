/* DOF: the real fixtures, DOF inside ELF, difasm --dof round trips, and
 * one negative test for every rejection rule of the reader. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common.h"
#include "difvm/difvm.h"
#include "difvm/dof.h"

/* ../shared/fixtures/dof/NAME next to the checkout; NULL if absent. */
static uint8_t *fixture(const char *name, size_t *len)
{
	char path[4096];
	const char *root = getenv("DIFVM_SRCDIR");
	snprintf(path, sizeof(path), "%s/../shared/fixtures/dof/%s",
	         root ? root : ".", name);
	return (uint8_t *)test_slurp(path, len);
}

#define NEED_FIXTURE(var, len, name)                                          \
	size_t len = 0;                                                           \
	uint8_t *var = fixture(name, &len);                                       \
	if (!var)                                                                 \
		cr_skip_test("DOF fixture %s not found under ../shared/fixtures/dof "  \
		             "(the checkout must sit beside shared/)", name)

static struct dif_dof *read_ok(const void *b, size_t len)
{
	struct dif_dof *d = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	int rc = dif_dof_read(b, len, NULL, &d, &e);
	cr_assert_eq(rc, 0, "read: %s", e.count ? e.list[0].msg : "?");
	return d;
}

static const struct dif_dof_probe *probe(const struct dif_dof *d, size_t p,
                                         const char *name, const char *func)
{
	const struct dif_dof_provider *pv = dif_dof_provider(d, p);
	for (uint32_t j = 0; j < pv->nprobes; j++)
		if (!strcmp(pv->probes[j].name, name) &&
		    (!func || !strcmp(pv->probes[j].func, func)))
			return &pv->probes[j];
	cr_assert_fail("no probe %s", name);
	return NULL;
}

/* Figures from the fixtures' .txt decodes. */
Test(dof, fixture_dtrace4linux)
{
	NEED_FIXTURE(b, len, "dtrace4linux_simple_usdt.dof");
	struct dif_dof *d = read_ok(b, len);
	struct dif_dof_header h;
	dif_dof_get_header(d, &h);
	cr_assert_eq(h.model, 2);
	cr_assert_eq(h.encoding, 1);
	cr_assert_eq(h.version, 1);
	cr_assert_eq(h.secnum, 9);
	cr_assert_eq(h.loadsz, 0x270);
	cr_assert_str_eq(h.sysname, "Linux");
	cr_assert_eq(h.filesz, 0x400);
	cr_assert_eq(dif_dof_provider_count(d), 1);
	const struct dif_dof_provider *pv = dif_dof_provider(d, 0);
	cr_assert_str_eq(pv->name, "simple");
	cr_assert_eq(pv->nprobes, 2);
	const struct dif_dof_probe *a = probe(d, 0, "saw-line", "main");
	cr_assert_eq(a->addr, 0x4011b8);
	cr_assert_eq(a->noffs, 1);
	cr_assert_eq(a->offs[0], 0x32);
	cr_assert_eq(a->nargc, 1);
	cr_assert_str_eq(a->nargv, "int");
	const struct dif_dof_probe *w = probe(d, 0, "saw-word", "main");
	cr_assert_eq(w->noffs, 2);
	cr_assert_eq(w->offs[0], 0x50);
	cr_assert_eq(w->offs[1], 0x6e);
	cr_assert_eq(dif_dof_reloc_count(d), 2);
	cr_assert_str_eq(dif_dof_reloc(d, 1)->name, "main");
	cr_assert_eq(dif_dof_reloc(d, 1)->offset, 0x30);
	cr_assert_eq(dif_dof_reloc(d, 1)->type, 1);
	cr_assert_eq(dif_dof_reloc(d, 1)->target, 1);
	cr_assert_eq(dif_module_count(dif_dof_module(d)), 0);
	dif_dof_free(d);
	free(b);
}

Test(dof, fixture_solaris_test)
{
	NEED_FIXTURE(b, len, "solaris_snv69_usdt_test.dof");
	struct dif_dof *d = read_ok(b, len);
	struct dif_dof_header h;
	dif_dof_get_header(d, &h);
	cr_assert_eq(h.model, 1);
	cr_assert_eq(h.filesz, 1823);
	cr_assert_str_eq(h.sysname, "SunOS");
	const struct dif_dof_probe *p = probe(d, 0, "test", "main");
	cr_assert_str_eq(p->nargv, "char *");
	cr_assert_str_eq(p->xargv, "char *");
	cr_assert_eq(p->offs[0], 0x24);
	cr_assert_eq(dif_dof_provider(d, 0)->attr[0], 0x05050500);
	dif_dof_free(d);
	free(b);
}

/* Apple DOF v3 with is-enabled probes and bytes past filesz. */
Test(dof, fixture_macos)
{
	NEED_FIXTURE(b, len, "macos_10_5_usdt_fred.dof");
	cr_assert_eq(len, 3000);
	struct dif_dof *d = read_ok(b, len);
	cr_assert_eq(dif_dof_provider(d, 0)->nprobes, 3);
	const struct dif_dof_probe *p = probe(d, 0, "barneytwo", "is_enabled");
	cr_assert_eq(p->noffs, 0);
	cr_assert_eq(p->nenoffs, 1);
	cr_assert_eq(p->enoffs[0], 0xffffff3d);
	cr_assert_eq(probe(d, 0, "barneyone", NULL)->offs[0], 0xffffffb0);
	dif_dof_free(d);
	free(b);
}

Test(dof, fixture_smartos_node)
{
	NEED_FIXTURE(b, len, "smartos_node_usdt.dof");
	struct dif_dof *d = read_ok(b, len);
	cr_assert_str_eq(dif_dof_provider(d, 0)->name, "node");
	cr_assert_eq(dif_dof_provider(d, 0)->nprobes, 10);
	const struct dif_dof_probe *p = probe(d, 0, "http-client-request", NULL);
	cr_assert_eq(p->addr, 0x74d670);
	cr_assert_eq(p->nargc, 7);
	cr_assert_str_eq(p->xargv, "node_http_request_t *");
	cr_assert_eq(p->offs[0], 0x2ea);
	cr_assert_eq(p->enoffs[0], 0x11);
	cr_assert_eq(dif_dof_reloc_count(d), 10);
	dif_dof_free(d);
	free(b);
}

Test(dof, fixture_solaris_ruby)
{
	NEED_FIXTURE(b, len, "solaris_snv69_usdt_ruby.dof");
	struct dif_dof *d = read_ok(b, len);
	cr_assert_eq(dif_dof_provider(d, 0)->nprobes, 11);
	const struct dif_dof_probe *p = probe(d, 0, "function-entry", NULL);
	cr_assert_eq(p->noffs, 3);
	cr_assert_eq(p->offs[2], 0x11ad);
	cr_assert_eq(p->nenoffs, 3);
	cr_assert_eq(p->nargc, 4);
	const struct dif_dof_probe *r = probe(d, 0, "ruby-probe", NULL);
	cr_assert_eq(r->addr, 0x80cb970);
	cr_assert_eq(r->noffs, 3);
	cr_assert_eq(r->nenoffs, 4);
	cr_assert_eq(r->enoffs[3], 0x13b);
	dif_dof_free(d);
	free(b);
}

/* ---------------------------------------------------------------------
 * DOF inside ELF (.SUNW_dof), built here: 32- and 64-bit, both orders.
 */
static void put(uint8_t *p, uint64_t v, unsigned n, int msb)
{
	for (unsigned i = 0; i < n; i++)
		p[msb ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* little-endian field */
static uint64_t get(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned k = 0; k < n; k++)
		v |= (uint64_t)p[k] << (8 * k);
	return v;
}

static uint8_t *wrap_elf(const uint8_t *dof, size_t dlen, int c64, int msb,
                         const char *secname, size_t *outlen)
{
	static const char names[] = "\0.shstrtab\0.SUNW_dof\0.SUNW_xxx";
	size_t eh = c64 ? 64 : 52, shs = c64 ? 64 : 40;
	size_t dof_off = 256, str_off = dof_off + dlen;
	size_t sh_off = (str_off + sizeof(names) + 7) & ~(size_t)7;
	size_t total = sh_off + 3 * shs;
	uint8_t *b = calloc(1, total);
	memcpy(b, "\177ELF", 4);
	b[4] = c64 ? 2 : 1;
	b[5] = msb ? 2 : 1;
	b[6] = 1;
	put(b + 16, 1, 2, msb); /* ET_REL */
	put(b + 20, 1, 4, msb);
	if (c64) {
		put(b + 40, sh_off, 8, msb);
		put(b + 52, eh, 2, msb);
		put(b + 58, shs, 2, msb);
		put(b + 60, 3, 2, msb);
		put(b + 62, 2, 2, msb);
	} else {
		put(b + 32, sh_off, 4, msb);
		put(b + 40, eh, 2, msb);
		put(b + 46, shs, 2, msb);
		put(b + 48, 3, 2, msb);
		put(b + 50, 2, 2, msb);
	}
	memcpy(b + dof_off, dof, dlen);
	memcpy(b + str_off, names, sizeof(names));
	/* section 1: the DOF; section 2: .shstrtab */
	uint8_t *s1 = b + sh_off + shs, *s2 = b + sh_off + 2 * shs;
	put(s1, strcmp(secname, ".SUNW_dof") ? 21 : 11, 4, msb);
	put(s1 + 4, 1, 4, msb);
	put(s2, 1, 4, msb);
	put(s2 + 4, 3, 4, msb);
	if (c64) {
		put(s1 + 24, dof_off, 8, msb);
		put(s1 + 32, dlen, 8, msb);
		put(s2 + 24, str_off, 8, msb);
		put(s2 + 32, sizeof(names), 8, msb);
	} else {
		put(s1 + 16, dof_off, 4, msb);
		put(s1 + 20, dlen, 4, msb);
		put(s2 + 16, str_off, 4, msb);
		put(s2 + 20, sizeof(names), 4, msb);
	}
	*outlen = total;
	return b;
}

Test(dof, inside_elf)
{
	NEED_FIXTURE(b, len, "dtrace4linux_simple_usdt.dof");
	for (int c64 = 0; c64 < 2; c64++)
		for (int msb = 0; msb < 2; msb++) {
			size_t el;
			uint8_t *e = wrap_elf(b, len, c64, msb, ".SUNW_dof", &el);
			cr_assert_eq(dif_dof_detect(e, el), 2);
			struct dif_dof *d = read_ok(e, el);
			struct dif_dof_header h;
			dif_dof_get_header(d, &h);
			cr_assert_eq(h.container_offset, 256);
			char *info = dif_dof_describe(d);
			cr_assert(strstr(info, "in an ELF .SUNW_dof section at offset "
			                       "0x100"), "%s", info);
			free(info);
			cr_assert_eq(dif_dof_provider(d, 0)->nprobes, 2);
			dif_dof_free(d);
			free(e);
		}
	size_t el;
	uint8_t *e = wrap_elf(b, len, 1, 0, ".SUNW_xxx", &el);
	cr_assert_eq(dif_dof_detect(e, el), 0);
	struct dif_dof *d = NULL;
	struct dif_errors er;
	dif_errors_clear(&er);
	cr_assert_eq(dif_dof_read(e, el, NULL, &d, &er), DIF_E_OBJ_MISSING);
	cr_assert(strstr(er.list[0].msg, "without a .SUNW_dof section"));
	free(e);
	free(b);
}

/* ---------------------------------------------------------------------
 * Writer: difasm --dof reads back identically.
 */
static struct dif_module *assemble(const char *text, enum dif_profile p)
{
	struct dif_module *m = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	DIF_OPTS(dif_asm_opts, o, .profile = p);
	cr_assert_eq(dif_asm(text, strlen(text), &o, &m, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	return m;
}

/* The programs of text, renamed (listing names cannot hold ':'). */
static struct dif_module *assemble_as(const char *text,
                                      const char *const *names)
{
	struct dif_module *m = assemble(text, DIF_PROFILE_FREEBSD);
	struct dif_module *out = dif_module_new();
	for (size_t i = 0; i < dif_module_count(m); i++) {
		const struct dif_difo *d = dif_module_get(m, i);
		struct dif_difo_parts p;
		dif_difo_get_parts(d, &p);
		p.name = names[i];
		struct dif_difo *n = NULL;
		cr_assert_eq(dif_difo_create(&p, &n, NULL), 0);
		dif_difo_set_ptr(n, dif_difo_ptr(d));
		cr_assert_eq(dif_module_add(out, n), 0);
	}
	dif_module_free(m);
	return out;
}

static void same_module(const struct dif_module *a, const struct dif_module *b)
{
	cr_assert_eq(dif_module_count(a), dif_module_count(b));
	for (size_t i = 0; i < dif_module_count(a); i++) {
		struct dif_difo_parts p, q;
		dif_difo_get_parts(dif_module_get(a, i), &p);
		dif_difo_get_parts(dif_module_get(b, i), &q);
		cr_assert_str_eq(p.name, q.name);
		cr_assert_eq(p.textlen, q.textlen);
		cr_assert_eq(memcmp(p.text, q.text, 4 * p.textlen), 0);
		cr_assert_eq(p.intlen, q.intlen);
		cr_assert(!p.intlen || !memcmp(p.inttab, q.inttab, 8 * p.intlen));
		cr_assert_eq(p.strlen, q.strlen);
		cr_assert(!p.strlen || !memcmp(p.strtab, q.strtab, p.strlen));
		cr_assert_eq(p.varlen, q.varlen);
		cr_assert(!p.varlen ||
		          !memcmp(p.vartab, q.vartab, sizeof(*p.vartab) * p.varlen));
		cr_assert_eq(memcmp(&p.rtype, &q.rtype, sizeof(p.rtype)), 0);
		cr_assert_eq(dif_difo_ptr(dif_module_get(a, i)),
		             dif_difo_ptr(dif_module_get(b, i)));
		cr_assert_eq(dif_difo_varid(dif_module_get(a, i)),
		             dif_difo_varid(dif_module_get(b, i)));
	}
}

static const char *const prog_names[] = {"syscall::read:entry", "plain",
                                         "a:b:c:d:e"};
static const char prog[] =
	".difo first\n"
	".var x global scalar\n"
	" setx 5, %r1\n"
	" sets \"hi\", %r2\n"
	" stgs %r1, x\n"
	" ret %r1\n"
	".difo plain\n"
	".return string\n"
	".var s thread scalar type=string\n"
	" ldts s, %r1\n"
	" ret %r1\n"
	".difo third\n"
	" ret %r0\n";

Test(dof, write_read_round_trip)
{
	struct dif_module *m = assemble_as(prog, prog_names);
	for (int model = 1; model <= 2; model++)
		for (int order = 1; order <= 2; order++) {
			void *buf = NULL, *buf2 = NULL;
			size_t len = 0, len2 = 0;
			DIF_OPTS(dif_dof_opts, o, .model = (uint8_t)model,
			         .order = (uint8_t)order);
			cr_assert_eq(dif_dof_write(m, &o, &buf, &len, NULL), 0);
			cr_assert_eq(dif_dof_write(m, &o, &buf2, &len2, NULL), 0);
			cr_assert_eq(len, len2);
			cr_assert_eq(memcmp(buf, buf2, len), 0, "deterministic");
			cr_assert_eq(((uint8_t *)buf)[5], order);
			cr_assert_eq(((uint8_t *)buf)[4], model);
			struct dif_dof *d = read_ok(buf, len);
			same_module(m, dif_dof_module(d));
			dif_dof_free(d);
			free(buf);
			free(buf2);
		}
	dif_module_free(m);
}

/* Through the tools: difdis of the DOF equals difdis of the source. */
Test(dof, tools_round_trip_and_info)
{
	const char *bd = getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR")
	                                          : "build";
	static const char *const files[] = {
		"tests/dis/data/c1_global_store_illumos.lst",
		"tests/dis/data/c3_tls_assoc_illumos.lst",
		"tests/asm/data/friendly/every_class_freebsd.s",
		"tests/link/data/a.s",
	};
	static char a[65536], b[65536];
	char cmd[4096], tmp[] = "/tmp/difvm-dof-XXXXXX";
	int fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	close(fd);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s/tools/difdis -n %s", bd, files[i]);
		cr_assert_eq(test_sh(cmd, a, sizeof(a)), 0, "%s", cmd);
		snprintf(cmd, sizeof(cmd),
		         "%s/tools/difasm --dof -o %s %s && %s/tools/difdis -n %s", bd,
		         tmp, files[i], bd, tmp);
		cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0, "%s", cmd);
		cr_assert_str_eq(a, b, "%s", files[i]);
	}
	snprintf(cmd, sizeof(cmd), "%s/tools/difdis --dof-info %s", bd, tmp);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0);
	cr_assert(strstr(b, "ECBDESC") && strstr(b, "DIFOs: count, setx"), "%s", b);
	/* a linked module validates as a whole, also as DOF */
	snprintf(cmd, sizeof(cmd),
	         "%s/tools/difld -o %s tests/link/data/a.s tests/link/data/b.s && "
	         "%s/tools/difasm --dof -o %s.dof %s && %s/tools/difcheck %s.dof",
	         bd, tmp, bd, tmp, tmp, bd, tmp);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0, "%s", b);
	cr_assert(strstr(b, "4 DIFOs, 4 accepted"), "%s", b);
	snprintf(cmd, sizeof(cmd), "%s.dof", tmp);
	remove(cmd);
	snprintf(cmd, sizeof(cmd), "%s/tools/difrun -d setx %s", bd, tmp);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0, "%s", b);
	cr_assert_str_eq(b, "1 (0x1)\n");
	/* --dof-info on something else */
	snprintf(cmd, sizeof(cmd), "%s/tools/difdis --dof-info %s 2>&1", bd,
	         files[3]);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 1, "%s", b);
	cr_assert(strstr(b, "not DOF"), "%s", b);
	remove(tmp);
}

Test(dof, fixture_info_text)
{
	NEED_FIXTURE(f, len, "solaris_snv69_usdt_ruby.dof");
	free(f);
	const char *bd = getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR")
	                                          : "build";
	static char b[65536];
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "%s/tools/difdis --dof-info "
	         "../shared/fixtures/dof/solaris_snv69_usdt_ruby.dof", bd);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0, "%s", b);
	cr_assert(strstr(b, "provider ruby (section 5, 11 probes)"), "%s", b);
	cr_assert(strstr(b, "probe ruby:gc-begin  function garbage_collect  "
	                    "address 0x8082a78"), "%s", b);
	cr_assert(strstr(b, "offsets 0xf27, 0xf9c, 0x11ad"), "%s", b);
	cr_assert(strstr(b, "user (section 7) SETX"), "%s", b);
	/* the tools accept the file and find no programs */
	snprintf(cmd, sizeof(cmd), "%s/tools/difcheck "
	         "../shared/fixtures/dof/solaris_snv69_usdt_ruby.dof", bd);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0, "%s", b);
	cr_assert(strstr(b, "0 DIFOs"), "%s", b);
	/* DOF built on SunOS is read under the illumos profile */
	snprintf(cmd, sizeof(cmd), "%s/tools/difcheck --json "
	         "../shared/fixtures/dof/solaris_snv69_usdt_ruby.dof", bd);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0, "%s", b);
	cr_assert(strstr(b, "\"profile\": \"illumos\""), "%s", b);
}

/* Several ECBs for one probe, predicates, several actions, a shared DIFO
 * and one no ECB uses: the naming rules of docs/linking.md. */
Test(dof, difo_names_from_descriptions)
{
	static const char *const names[] = {"p:m:f:n", "q"};
	struct dif_module *m = assemble_as(".difo p\n ret %r0\n"
	                                   ".difo q\n ret %r0\n", names);
	void *buf = NULL;
	size_t len = 0;
	DIF_OPTS(dif_dof_opts, o, .order = 1);
	cr_assert_eq(dif_dof_write(m, &o, &buf, &len, NULL), 0);
	uint8_t *b = buf;
	/* sections: 0 STRTAB, 1 DIF, 2 DIFOHDR, 3 PROBEDESC, 4 ACTDESC,
	 * 5 ECBDESC, 6 DIF, 7 DIFOHDR, 8 PROBEDESC, 9 ACTDESC, 10 ECBDESC.
	 * ECB 2 gets ECB 1's probe (a second clause of p:m:f:n) with DIFO 7
	 * as its predicate. */
	uint64_t ecb2 = 64 + 10 * 32;
	uint64_t e2off = b[ecb2 + 16] | (uint64_t)b[ecb2 + 17] << 8;
	put(b + e2off, 3, 4, 0);      /* probes: section 3 */
	put(b + e2off + 4, 7, 4, 0);  /* pred: DIFOHDR 7 */
	put(b + e2off + 8, 4, 4, 0);  /* actions: section 4 (DIFO 2 again) */
	struct dif_dof *d = read_ok(b, len);
	const struct dif_module *r = dif_dof_module(d);
	cr_assert_eq(dif_module_count(r), 2);
	cr_assert_str_eq(dif_difo_name(dif_module_get(r, 0)), "p:m:f:n");
	cr_assert_str_eq(dif_difo_name(dif_module_get(r, 1)), "p:m:f:n#2/pred");
	char *info = dif_dof_describe(d);
	cr_assert(strstr(info, "ecb 1 (section 10): p:m:f:n, predicate DIFO "
	                       "section 7, actions section 4"), "%s", info);
	free(info);
	dif_dof_free(d);
	free(buf);
	dif_module_free(m);
}

/* Fallback names when the description's name is taken, an absent
 * (DOF_STRIDX_NONE) field, and a non-loadable linked section, which the
 * kernel skips. */
Test(dof, fallback_names)
{
	static const char *const names[] = {"x", "x#2", "ecb4", "difo@22", "w"};
	struct dif_module *m = assemble_as(".difo a\n ret %r0\n.difo b\n ret %r0\n"
	                                   ".difo c\n ret %r0\n.difo d\n ret %r0\n"
	                                   ".difo e\n ret %r0\n", names);
	void *buf = NULL;
	size_t len = 0;
	DIF_OPTS(dif_dof_opts, o, .order = 1);
	cr_assert_eq(dif_dof_write(m, &o, &buf, &len, NULL), 0);
	uint8_t *b = buf;
	/* DIFO k: DIF 1+5k, DIFOHDR 2+5k, PROBEDESC 3+5k, ACTDESC 4+5k,
	 * ECBDESC 5+5k. ECB 4 takes ECB 0's probe description "x". */
	uint64_t e4 = get(b + 64 + 25 * 32 + 16, 8);
	put(b + e4, 3, 4, 0);
	uint64_t pd0 = get(b + 64 + 3 * 32 + 16, 8);
	put(b + pd0 + 4, 0xffffffffu, 4, 0); /* provider: none */
	struct dif_dof *d = read_ok(b, len);
	const struct dif_module *r = dif_dof_module(d);
	cr_assert_eq(dif_module_count(r), 5);
	cr_assert_str_eq(dif_difo_name(dif_module_get(r, 0)), "x");
	cr_assert_str_eq(dif_difo_name(dif_module_get(r, 4)), "difo@22#2");
	dif_dof_free(d);
	free(buf);
	dif_module_free(m);
	/* the variable table of `prog` made a non-loadable COMMENTS section */
	m = assemble_as(prog, prog_names);
	cr_assert_eq(dif_dof_write(m, &o, &buf, &len, NULL), 0);
	b = buf;
	put(b + 64 + 4 * 32, 1, 4, 0);
	put(b + 64 + 4 * 32 + 8, 0, 4, 0);
	d = read_ok(b, len);
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(dif_dof_module(d), 0), &p);
	cr_assert_eq(p.varlen, 0);
	cr_assert_eq(p.intlen, 1);
	dif_dof_free(d);
	/* ... or a TYPTAB of two dtrace_diftype_t records: checked, counted */
	put(b + 64 + 4 * 32, 11, 4, 0);      /* TYPTAB */
	put(b + 64 + 4 * 32 + 8, 1, 4, 0);   /* loaded */
	put(b + 64 + 4 * 32 + 12, 8, 4, 0);  /* entsize 8 */
	put(b + 64 + 4 * 32 + 24, 16, 8, 0); /* 2 types */
	d = read_ok(b, len);
	char *info = dif_dof_describe(d);
	cr_assert(strstr(info, "DIFO syscall::read:entry (section 5): 4 "
	                       "instructions, 1 integers, 6 string bytes, 0 "
	                       "variables, 2 TYPTAB types"), "%s", info);
	free(info);
	dif_dof_free(d);
	free(buf);
	dif_module_free(m);
}

/* ---------------------------------------------------------------------
 * Rejections: one case per rule. Base W is the written DOF of `prog`
 * (little-endian, LP64); base F the dtrace4linux fixture.
 *
 * W sections: 0 STRTAB(descs) 1 DIF 2 INTTAB 3 STRTAB 4 VARTAB 5 DIFOHDR
 * 6 PROBEDESC 7 ACTDESC 8 ECBDESC, then the same for `plain` (9 DIF,
 * 10 STRTAB, 11 VARTAB, 12 DIFOHDR, 13 PROBEDESC, 14 ACTDESC, 15 ECBDESC)
 * and `a:b:c:d:e` (16 DIF, 17 DIFOHDR, 18 PROBEDESC, 19 ACTDESC, 20 ECBDESC).
 * F sections: 0 STRTAB 1 PROBES 2 PRARGS 3 PROFFS 4 PROVIDER 5 RELTAB
 * 6 URELHDR 7 COMMENTS 8 UTSNAME.
 */
static uint8_t *SH(uint8_t *b, unsigned i) { return b + 64 + 32 * i; }
static uint8_t *DATA(uint8_t *b, unsigned i) { return b + get(SH(b, i) + 16, 8); }
#define SET(p, v, n) put((p), (v), (n), 0)

struct rcase {
	const char *what;
	char base;   /* 'W' or 'F' */
	int code;
	const char *needle;
	void (*mut)(uint8_t *b, size_t *len);
};

#define MUT(name, body) \
	static void name(uint8_t *b, size_t *len) { (void)b; (void)len; body; }

MUT(m_magic, b[1] = 'X')
MUT(m_trunc_hdr, *len = 40)
MUT(m_model, b[4] = 3)
MUT(m_encoding, b[5] = 0)
MUT(m_version, b[6] = 4)
MUT(m_difvers, b[7] = 1)
MUT(m_iregs, b[8] = 9)
MUT(m_ident, b[12] = 1)
MUT(m_flags, SET(b + 16, 1, 4))
MUT(m_hdrsize, SET(b + 20, 72, 4))
MUT(m_secsize, SET(b + 24, 36, 4))
MUT(m_secoff, SET(b + 32, 68, 8))
MUT(m_filesz, SET(b + 48, *len + 1, 8))
MUT(m_loadsz, SET(b + 40, get(b + 48, 8) + 8, 8))
MUT(m_secnum_cap, SET(b + 28, DIF_DOF_MAX_SECTIONS + 1, 4))
MUT(m_secnum, SET(b + 28, 5000, 4))
MUT(m_sec_flags, SET(SH(b, 3) + 8, 3, 4))
MUT(m_sec_noload, SET(SH(b, 3) + 8, 0, 4))
MUT(m_sec_nonload_past, { SET(SH(b, 3) + 0, 1, 4); SET(SH(b, 3) + 8, 0, 4);
                          SET(SH(b, 3) + 24, 1u << 20, 8); })
MUT(m_sec_align2, SET(SH(b, 2) + 4, 12, 4))
MUT(m_sec_align0, SET(SH(b, 2) + 4, 0, 4))
MUT(m_sec_misaligned, SET(SH(b, 2) + 16, get(SH(b, 2) + 16, 8) + 4, 8))
MUT(m_sec_past, SET(SH(b, 2) + 24, 1u << 20, 8))
MUT(m_strtab_nul, { uint8_t *d = DATA(b, 3);
                    d[get(SH(b, 3) + 24, 8) - 1] = 'x'; })
/* ECBs and probe descriptions */
MUT(m_ecb_align, SET(SH(b, 8) + 4, 4, 4))
MUT(m_ecb_small, SET(SH(b, 8) + 24, 16, 8))
MUT(m_ecb_probes_range, SET(DATA(b, 8), 999, 4))
MUT(m_ecb_probes_type, SET(DATA(b, 8), 7, 4))
MUT(m_pd_small, SET(SH(b, 6) + 24, 20, 8))
MUT(m_pd_strtab, SET(DATA(b, 6), 1, 4))
MUT(m_pd_string, SET(DATA(b, 6) + 16, 5000, 4))
MUT(m_ecb_pred_type, SET(DATA(b, 8) + 4, 6, 4))
MUT(m_ecb_actions_type, SET(DATA(b, 8) + 8, 6, 4))
MUT(m_act_entsize, SET(SH(b, 7) + 12, 16, 4))
MUT(m_act_multiple, { SET(SH(b, 7) + 12, 40, 4); SET(SH(b, 7) + 24, 48, 8); })
MUT(m_act_strtab, SET(DATA(b, 7) + 4, 1, 4))
MUT(m_act_difo_range, SET(DATA(b, 7), 12345, 4))
/* DIFO headers */
MUT(m_difo_size4, { SET(SH(b, 5) + 24, get(SH(b, 5) + 24, 8) - 2, 8); })
MUT(m_difo_small, SET(SH(b, 17) + 24, 8, 8))
MUT(m_difo_align, SET(SH(b, 5) + 4, 2, 4))
MUT(m_difo_link_range, SET(DATA(b, 5) + 8, 77, 4))
MUT(m_difo_unrecognized, SET(DATA(b, 5) + 8, 6, 4))
MUT(m_difo_multiple, SET(DATA(b, 5) + 12, 1, 4))
MUT(m_difo_sub_align, SET(SH(b, 2) + 12, 4, 4))
MUT(m_difo_sub_size, SET(SH(b, 4) + 24, 30, 8))
MUT(m_difo_typtab, { SET(SH(b, 4), 11, 4); SET(SH(b, 4) + 12, 8, 4); })
MUT(m_difo_no_dif, SET(DATA(b, 17) + 8, 0, 4))
/* relocations, providers (base F) */
MUT(m_rh_small, SET(SH(b, 6) + 24, 8, 8))
MUT(m_rh_strtab, SET(DATA(b, 6), 2, 4))
MUT(m_rh_relsec, SET(DATA(b, 6) + 4, 0, 4))
MUT(m_rh_target, SET(DATA(b, 6) + 8, 99, 4))
MUT(m_rh_target_noload, SET(DATA(b, 6) + 8, 7, 4))
MUT(m_rel_entsize, SET(SH(b, 5) + 12, 16, 4))
MUT(m_rel_name, SET(DATA(b, 5), 999, 4))
MUT(m_rel_type, SET(DATA(b, 5) + 4, 3, 4))
MUT(m_rel_offset, SET(DATA(b, 5) + 8, 0x5c, 8))
MUT(m_rel_misaligned, SET(DATA(b, 5) + 8, 4, 8))
MUT(m_rel_overlap, { SET(DATA(b, 6) + 8, 8, 4); SET(SH(b, 8) + 8, 1, 4);
                     SET(SH(b, 8) + 16, 64, 8); SET(SH(b, 8) + 24, 64, 8);
                     SET(DATA(b, 5) + 8, 0, 8); })
MUT(m_pv_small, SET(SH(b, 4) + 24, 36, 8))
MUT(m_pv_probes, SET(DATA(b, 4) + 4, 3, 4))
MUT(m_pv_probes_align, SET(SH(b, 1) + 4, 4, 4))
MUT(m_pv_prenoffs, { b[6] = 2; SET(DATA(b, 4) + 40, 3, 4); })
MUT(m_pv_name, SET(DATA(b, 4) + 16, 0x40, 4))
MUT(m_pv_name_empty, SET(DATA(b, 4) + 16, 0, 4))
MUT(m_pr_name, SET(DATA(b, 1) + 12, 0x40, 4))
MUT(m_pr_name_empty, SET(DATA(b, 1) + 12, 0, 4))
MUT(m_pr_no_offs, SET(DATA(b, 1) + 34, 0, 2))
MUT(m_pr_offs_range, SET(DATA(b, 1) + 28, 3, 4))
MUT(m_pr_enoffs_range, SET(DATA(b, 1) + 40, 1, 2))
MUT(m_pr_argidx, SET(DATA(b, 1) + 24, 2, 4))
MUT(m_pr_argmap, DATA(b, 2)[0] = 1)
MUT(m_pr_types, b[get(SH(b, 1) + 16, 8) + 32] = 200)

static const struct rcase cases[] = {
	{"bad magic", 'W', DIF_E_OBJ_FORMAT, "bad magic", m_magic},
	{"truncated header", 'W', DIF_E_OBJ_TRUNCATED, "header needs 64", m_trunc_hdr},
	{"data model", 'W', DIF_E_OBJ_CLASS, "data model 3", m_model},
	{"encoding", 'W', DIF_E_OBJ_DATA, "encoding 0", m_encoding},
	{"DOF version", 'W', DIF_E_OBJ_VERSION, "DOF version 4", m_version},
	{"DIF version", 'W', DIF_E_OBJ_VERSION, "DIF version 1", m_difvers},
	{"registers", 'W', DIF_E_OBJ_FORMAT, "9 integer", m_iregs},
	{"ident padding", 'W', DIF_E_OBJ_FORMAT, "identification byte 12", m_ident},
	{"header flags", 'W', DIF_E_OBJ_FORMAT, "header flags 0x1", m_flags},
	{"header size", 'W', DIF_E_OBJ_FORMAT, "header size 72", m_hdrsize},
	{"section header size", 'W', DIF_E_OBJ_FORMAT, "section header size 36", m_secsize},
	{"section header offset", 'W', DIF_E_OBJ_ALIGN, "not 8-byte aligned", m_secoff},
	{"file size past the end", 'W', DIF_E_OBJ_TRUNCATED, "truncated: the header says", m_filesz},
	{"load size past file size", 'W', DIF_E_OBJ_FORMAT, "exceeds the file size", m_loadsz},
	{"section count cap", 'W', DIF_E_OBJ_OVERSIZE, "sections; at most", m_secnum_cap},
	{"section headers past load size", 'W', DIF_E_OBJ_TRUNCATED, "do not fit", m_secnum},
	{"section flags", 'W', DIF_E_OBJ_FORMAT, "section 3 (STRTAB): unknown flags", m_sec_flags},
	{"loadable without LOAD", 'W', DIF_E_OBJ_SECTION, "section 3 (STRTAB): a loadable section type without", m_sec_noload},
	{"non-loadable past the file", 'W', DIF_E_OBJ_TRUNCATED, "section 3 (COMMENTS): offset", m_sec_nonload_past},
	{"alignment not a power of two", 'W', DIF_E_OBJ_ALIGN, "section 2 (INTTAB): alignment 12 is not a power", m_sec_align2},
	{"alignment zero", 'W', DIF_E_OBJ_ALIGN, "section 2 (INTTAB): alignment 0", m_sec_align0},
	{"misaligned offset", 'W', DIF_E_OBJ_ALIGN, "section 2 (INTTAB): offset", m_sec_misaligned},
	{"section past load size", 'W', DIF_E_OBJ_TRUNCATED, "section 2 (INTTAB): offset", m_sec_past},
	{"string table without NUL", 'W', DIF_E_OBJ_STRING, "section 3 (STRTAB): string table does not end", m_strtab_nul},
	{"ECB alignment", 'W', DIF_E_OBJ_ALIGN, "section 8 (ECBDESC): alignment 4", m_ecb_align},
	{"ECB size", 'W', DIF_E_OBJ_SECTION, "section 8 (ECBDESC): size 16", m_ecb_small},
	{"ECB probes index", 'W', DIF_E_OBJ_INDEX, "section 8 (ECBDESC): probe description section index 999", m_ecb_probes_range},
	{"ECB probes type", 'W', DIF_E_OBJ_SECTION, "section 8 (ECBDESC): probe description is section 7 of type ACTDESC", m_ecb_probes_type},
	{"probe description size", 'W', DIF_E_OBJ_SECTION, "section 6 (PROBEDESC): size 20", m_pd_small},
	{"probe description string table", 'W', DIF_E_OBJ_SECTION, "section 6 (PROBEDESC): string table is section 1", m_pd_strtab},
	{"probe description string", 'W', DIF_E_OBJ_INDEX, "section 6 (PROBEDESC): name: string offset 5000", m_pd_string},
	{"predicate not a DIFO", 'W', DIF_E_OBJ_SECTION, "section 8 (ECBDESC): DIFO is section 6 of type PROBEDESC", m_ecb_pred_type},
	{"actions type", 'W', DIF_E_OBJ_SECTION, "section 8 (ECBDESC): actions is section 6", m_ecb_actions_type},
	{"action entry size", 'W', DIF_E_OBJ_SECTION, "section 7 (ACTDESC): entry size 16", m_act_entsize},
	{"action size multiple", 'W', DIF_E_OBJ_SECTION, "section 7 (ACTDESC): size 48 is not a multiple", m_act_multiple},
	{"action string table", 'W', DIF_E_OBJ_SECTION, "action string table is section 1", m_act_strtab},
	{"action DIFO index", 'W', DIF_E_OBJ_INDEX, "section 7 (ACTDESC): DIFO section index 12345", m_act_difo_range},
	{"DIFO header size", 'W', DIF_E_OBJ_SECTION, "section 5 (DIFOHDR): size 22 is not a multiple of 4", m_difo_size4},
	{"DIFO header too small", 'W', DIF_E_OBJ_SECTION, "section 17 (DIFOHDR): size 8, at least 12", m_difo_small},
	{"DIFO header alignment", 'W', DIF_E_OBJ_ALIGN, "section 5 (DIFOHDR): alignment 2, expected 4", m_difo_align},
	{"DIFO link index", 'W', DIF_E_OBJ_INDEX, "section 5 (DIFOHDR): linked section index 77", m_difo_link_range},
	{"DIFO unrecognized subsection", 'W', DIF_E_OBJ_SECTION, "unrecognized DIFO subsection 6 of type PROBEDESC", m_difo_unrecognized},
	{"DIFO two DIF sections", 'W', DIF_E_OBJ_DUPLICATE, "multiple DIF sections (1 and 1)", m_difo_multiple},
	{"DIFO subsection layout", 'W', DIF_E_OBJ_ALIGN, "section 2 (INTTAB): INTTAB of DIFO header 5", m_difo_sub_align},
	{"DIFO subsection size", 'W', DIF_E_OBJ_SECTION, "section 4 (VARTAB): size 30 is not a multiple of 20", m_difo_sub_size},
	{"DIFO TYPTAB size", 'W', DIF_E_OBJ_SECTION, "section 4 (TYPTAB): size 20 is not a multiple of 8", m_difo_typtab},
	{"DIFO without DIF", 'W', DIF_E_OBJ_MISSING, "section 17 (DIFOHDR): no DIF section", m_difo_no_dif},
	{"relocation header size", 'F', DIF_E_OBJ_SECTION, "section 6 (URELHDR): size 8", m_rh_small},
	{"relocation string table", 'F', DIF_E_OBJ_SECTION, "section 6 (URELHDR): string table is section 2", m_rh_strtab},
	{"relocation table type", 'F', DIF_E_OBJ_SECTION, "relocation table is section 0 of type STRTAB", m_rh_relsec},
	{"relocation target", 'F', DIF_E_OBJ_INDEX, "target section index 99", m_rh_target},
	{"relocation target not loadable", 'F', DIF_E_OBJ_SECTION, "section 6 (URELHDR): target (section 7) is not loadable", m_rh_target_noload},
	{"relocation entry size", 'F', DIF_E_OBJ_SECTION, "section 5 (RELTAB): entry size 16", m_rel_entsize},
	{"relocation name", 'F', DIF_E_OBJ_INDEX, "section 5 (RELTAB): relocation name: string offset 999", m_rel_name},
	{"relocation type", 'F', DIF_E_OBJ_RELOC, "section 5 (RELTAB): relocation 0: invalid type 3", m_rel_type},
	{"relocation offset", 'F', DIF_E_OBJ_RELOC, "relocation 0: offset 92 + 8 is outside", m_rel_offset},
	{"relocation alignment", 'F', DIF_E_OBJ_RELOC, "not 8-byte aligned", m_rel_misaligned},
	{"relocation over the section headers", 'F', DIF_E_OBJ_RELOC, "overlaps the section headers", m_rel_overlap},
	{"provider size", 'F', DIF_E_OBJ_SECTION, "section 4 (PROVIDER): size 36", m_pv_small},
	{"provider probes type", 'F', DIF_E_OBJ_SECTION, "section 4 (PROVIDER): probes is section 3 of type PROFFS", m_pv_probes},
	{"probes alignment", 'F', DIF_E_OBJ_ALIGN, "section 1 (PROBES): alignment 4", m_pv_probes_align},
	{"is-enabled offsets type", 'F', DIF_E_OBJ_SECTION, "is-enabled offsets is section 3 of type PROFFS", m_pv_prenoffs},
	{"provider name offset", 'F', DIF_E_OBJ_INDEX, "provider name: string offset 64", m_pv_name},
	{"provider name empty", 'F', DIF_E_OBJ_STRING, "provider name empty", m_pv_name_empty},
	{"probe name offset", 'F', DIF_E_OBJ_INDEX, "section 1 (PROBES): probe 0: string offset 64", m_pr_name},
	{"probe name empty", 'F', DIF_E_OBJ_STRING, "probe 0: empty name", m_pr_name_empty},
	{"probe without offsets", 'F', DIF_E_OBJ_SECTION, "no offsets", m_pr_no_offs},
	{"probe offsets range", 'F', DIF_E_OBJ_INDEX, "offsets 3..4 beyond the 3", m_pr_offs_range},
	{"probe is-enabled range", 'F', DIF_E_OBJ_INDEX, "is-enabled offsets 0..1 beyond the 0", m_pr_enoffs_range},
	{"probe argument index", 'F', DIF_E_OBJ_INDEX, "argument mappings 2..3 beyond the 2", m_pr_argidx},
	{"probe argument mapping", 'F', DIF_E_OBJ_INDEX, "argument 0 maps to native argument 1 of 1", m_pr_argmap},
	{"probe type names", 'F', DIF_E_OBJ_INDEX, "200 type names run past the string table", m_pr_types},
};

static uint8_t *base_w(size_t *len)
{
	struct dif_module *m = assemble_as(prog, prog_names);
	void *buf = NULL;
	DIF_OPTS(dif_dof_opts, o, .order = 1, .model = 2);
	cr_assert_eq(dif_dof_write(m, &o, &buf, len, NULL), 0);
	dif_module_free(m);
	return buf;
}

Test(dof, every_rejection_rule)
{
	size_t wlen = 0, flen = 0;
	uint8_t *w = base_w(&wlen);
	uint8_t *f = fixture("dtrace4linux_simple_usdt.dof", &flen);
	if (!f)
		printf("dof: fixture absent under ../shared/fixtures/dof: "
		       "provider and relocation cases skipped\n");
	size_t ran = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		const uint8_t *src = c->base == 'W' ? w : f;
		size_t len = c->base == 'W' ? wlen : flen;
		if (!src)
			continue;
		uint8_t *b = malloc(len);
		memcpy(b, src, len);
		c->mut(b, &len);
		struct dif_dof *d = NULL;
		struct dif_errors e;
		dif_errors_clear(&e);
		int rc = dif_dof_read(b, len, NULL, &d, &e);
		cr_assert_eq(rc, c->code, "%s: code %s, want %s: %s", c->what,
		             dif_err_name(rc), dif_err_name(c->code),
		             e.count ? e.list[0].msg : "");
		cr_assert_null(d);
		cr_assert_geq(e.count, 1);
		cr_assert(strstr(e.list[0].msg, c->needle), "%s: '%s' not in '%s'",
		          c->what, c->needle, e.list[0].msg);
		free(b);
		ran++;
	}
	printf("dof: %zu rejection cases\n", ran);
	free(w);
	free(f);
}

/* Rules that need a big file: the load-size cap and the DIFO size limit. */
Test(dof, size_limits)
{
	size_t wlen;
	uint8_t *w = base_w(&wlen);
	size_t big = (size_t)DIF_DOF_MAX_LOADSZ + 64;
	uint8_t *b = calloc(1, big);
	memcpy(b, w, wlen);
	SET(b + 40, big, 8);
	SET(b + 48, big, 8);
	struct dif_dof *d = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_dof_read(b, big, NULL, &d, &e), DIF_E_OBJ_OVERSIZE);
	cr_assert(strstr(e.list[0].msg, "exceeds the 8388608-byte limit"), "%s",
	          e.list[0].msg);
	/* an integer table of 256 KiB + 8 in section 2 */
	size_t tab = DIF_DIFO_MAXSIZE + 8, len = wlen + 8 + tab;
	len = (len + 7) & ~(size_t)7;
	memset(b, 0, big);
	memcpy(b, w, wlen);
	uint64_t at = (wlen + 7) & ~(size_t)7;
	SET(SH(b, 2) + 16, at, 8);
	SET(SH(b, 2) + 24, tab, 8);
	SET(b + 40, len, 8);
	SET(b + 48, len, 8);
	dif_errors_clear(&e);
	cr_assert_eq(dif_dof_read(b, len, NULL, &d, &e), DIF_E_OBJ_OVERSIZE);
	cr_assert(strstr(e.list[0].msg, "section 5 (DIFOHDR): linked sections "
	                                "exceed 262144 bytes"), "%s", e.list[0].msg);
	/* the writer refuses more sections than DOF allows (5 per DIFO) */
	static const uint32_t ret0 = 0x23000000;
	struct dif_module *many = dif_module_new();
	for (uint32_t i = 0; i < DIF_DOF_MAX_SECTIONS / 5 + 1; i++) {
		char nm[32];
		snprintf(nm, sizeof(nm), "d%u", i);
		DIF_OPTS(dif_difo_parts, pp, .name = nm, .text = &ret0, .textlen = 1);
		struct dif_difo *dd = NULL;
		cr_assert_eq(dif_difo_create(&pp, &dd, NULL), 0);
		cr_assert_eq(dif_module_add(many, dd), 0);
	}
	void *wb = NULL;
	size_t wl = 0;
	dif_errors_clear(&e);
	cr_assert_eq(dif_dof_write(many, NULL, &wb, &wl, &e), DIF_E_LIMIT);
	cr_assert(strstr(e.list[0].msg, "sections and") &&
	          strstr(e.list[0].msg, "over the DOF limits of 65536 sections "
	                                "and 8388608 bytes"), "%s",
	          e.list[0].msg);
	cr_assert_null(wb);
	dif_module_free(many);
	/* misuse */
	cr_assert_eq(dif_dof_read(NULL, 5, NULL, &d, &e), DIF_E_INVAL);
	cr_assert_eq(dif_dof_read(w, wlen, NULL, NULL, &e), DIF_E_INVAL);
	cr_assert_eq(dif_dof_detect(NULL, 0), 0);
	cr_assert_null(dif_dof_module(NULL));
	cr_assert_null(dif_dof_describe(NULL));
	void *o = NULL;
	size_t ol = 0;
	DIF_OPTS(dif_dof_opts, bad, .model = 3);
	struct dif_module *m = dif_module_new();
	cr_assert_eq(dif_dof_write(m, &bad, &o, &ol, NULL), DIF_E_INVAL);
	cr_assert_eq(dif_dof_write(NULL, NULL, &o, &ol, NULL), DIF_E_INVAL);
	dif_module_free(m);
	free(b);
	free(w);
}

/* ELF container rejections. */
Test(dof, elf_container_rejections)
{
	uint8_t dof[64] = {0};
	size_t el;
	struct {
		const char *needle;
		int code;
		unsigned at, n;
		uint64_t v;
		size_t cut;
	} cs[] = {
		{"identification truncated", DIF_E_OBJ_TRUNCATED, 0, 0, 0, 10},
		{"class 3", DIF_E_OBJ_CLASS, 4, 1, 3, 0},
		{"header truncated", DIF_E_OBJ_TRUNCATED, 0, 0, 0, 40},
		{"section header size 10", DIF_E_OBJ_FORMAT, 58, 2, 10, 0},
		{"section header table at", DIF_E_OBJ_TRUNCATED, 40, 8, 1u << 30, 0},
		{"section headers do not fit", DIF_E_OBJ_TRUNCATED, 60, 2, 900, 0},
		{"section name table index 7", DIF_E_OBJ_INDEX, 62, 2, 7, 0},
	};
	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		uint8_t *e = wrap_elf(dof, sizeof(dof), 1, 0, ".SUNW_dof", &el);
		if (cs[i].n)
			put(e + cs[i].at, cs[i].v, cs[i].n, 0);
		size_t len = cs[i].cut ? cs[i].cut : el;
		struct dif_dof *d = NULL;
		struct dif_errors er;
		dif_errors_clear(&er);
		cr_assert_eq(dif_dof_read(e, len, NULL, &d, &er), cs[i].code,
		             "%s: %s", cs[i].needle, er.list[0].msg);
		cr_assert(strstr(er.list[0].msg, cs[i].needle), "%s", er.list[0].msg);
		free(e);
	}
	/* name table and DOF section outside the file */
	uint8_t *e = wrap_elf(dof, sizeof(dof), 1, 0, ".SUNW_dof", &el);
	uint64_t sh = get(e + 40, 8);
	put(e + sh + 2 * 64 + 24, 1u << 30, 8, 0);
	struct dif_dof *d = NULL;
	struct dif_errors er;
	dif_errors_clear(&er);
	cr_assert_eq(dif_dof_read(e, el, NULL, &d, &er), DIF_E_OBJ_TRUNCATED);
	cr_assert(strstr(er.list[0].msg, "name table outside"));
	free(e);
	e = wrap_elf(dof, sizeof(dof), 1, 0, ".SUNW_dof", &el);
	put(e + sh + 64 + 32, 1u << 30, 8, 0);
	dif_errors_clear(&er);
	cr_assert_eq(dif_dof_read(e, el, NULL, &d, &er), DIF_E_OBJ_TRUNCATED);
	cr_assert(strstr(er.list[0].msg, ".SUNW_dof (section 1) extends past"));
	free(e);
}

/* Never a crash: every truncation and every single-bit flip of a DOF
 * with DIF and of a provider DOF, plus random bytes after a valid
 * header (fixed seeds and a fresh one). */
static void hammer(const uint8_t *src, size_t len)
{
	uint8_t *b = malloc(len);
	for (size_t cut = 0; cut < len; cut++) {
		struct dif_dof *d = NULL;
		cr_assert_neq(dif_dof_read(src, cut, NULL, &d, NULL), 0);
	}
	for (size_t bit = 0; bit < len * 8; bit++) {
		memcpy(b, src, len);
		b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		struct dif_dof *d = NULL;
		if (dif_dof_read(b, len, NULL, &d, NULL) == 0) {
			char *t = dif_dof_describe(d);
			free(t);
			dif_dof_free(d);
		}
	}
	free(b);
}

Test(dof, truncation_and_bit_flips_never_crash)
{
	size_t wlen;
	uint8_t *w = base_w(&wlen);
	hammer(w, wlen);
	NEED_FIXTURE(f, flen, "dtrace4linux_simple_usdt.dof");
	hammer(f, flen);
	free(w);
	free(f);
}

Test(dof, random_bodies_never_crash)
{
	size_t wlen;
	uint8_t *w = base_w(&wlen);
	unsigned fresh = (unsigned)time(NULL) ^ (unsigned)getpid();
	printf("dof random_bodies_never_crash: fresh seed %u\n", fresh);
	unsigned seeds[] = {1, 2, 3, fresh};
	uint8_t *b = malloc(wlen);
	for (size_t s = 0; s < 4; s++) {
		srand(seeds[s]);
		for (int round = 0; round < 2000; round++) {
			memcpy(b, w, wlen);
			int k = 1 + rand() % 8;
			for (int j = 0; j < k; j++)
				b[64 + (size_t)rand() % (wlen - 64)] = (uint8_t)rand();
			struct dif_dof *d = NULL;
			if (dif_dof_read(b, wlen, NULL, &d, NULL) == 0) {
				free(dif_dof_describe(d));
				dif_dof_free(d);
			}
		}
	}
	free(b);
	free(w);
}

/* ---------------------------------------------------------------------
 * HyperTrace's ELF program format (read-only), built here as HyperTrace
 * lays it out: ELFCLASS32 ET_EXEC EM_NONE, extended section numbering,
 * section 2 .dtrace_prog, DIFOs with inline instructions.
 */
#include "difvm/link.h"

enum { HT_NSEC = 8 };
struct ht {
	uint8_t b[16384];
	size_t len;
	size_t off[HT_NSEC], size[HT_NSEC];
	size_t shoff;
};

static void ht_sec(struct ht *h, unsigned i, uint32_t name, uint32_t type,
                   const void *data, size_t size, uint32_t entsize)
{
	h->len = (h->len + 7) & ~(size_t)7;
	h->off[i] = h->len;
	h->size[i] = size;
	if (data)
		memcpy(h->b + h->len, data, size);
	h->len += size;
	uint8_t *sh = h->b + h->shoff + 40 * i;
	put(sh, name, 4, 0);
	put(sh + 4, type, 4, 0);
	put(sh + 16, h->off[i], 4, 0);
	put(sh + 20, size, 4, 0);
	put(sh + 36, entsize, 4, 0);
}

static void ht_build(struct ht *h)
{
	static const char names[] =
		"\0.shstrtab\0.dtrace_prog\0.dtrace_difo\0.difo_inttab\0"
		".difo_strtab\0.dtrace_vartab\0.difo_symtab";
	/* name offsets: .shstrtab 1, .dtrace_prog 11, .dtrace_difo 24,
	 * .difo_inttab 37, .difo_strtab 50, .dtrace_vartab 63,
	 * .difo_symtab 78 */
	const uint32_t T = 0x6eeeeee0u;
	memset(h, 0, sizeof(*h));
	memcpy(h->b, "\177ELF", 4);
	h->b[4] = 1;
	h->b[5] = 1;
	h->b[6] = 1;
	put(h->b + 16, 2, 2, 0); /* ET_EXEC */
	put(h->b + 20, 1, 4, 0);
	h->shoff = 64;
	put(h->b + 32, h->shoff, 4, 0);
	put(h->b + 40, 52, 2, 0);
	put(h->b + 46, 40, 2, 0);
	put(h->b + 48, 0, 2, 0);      /* extended numbering */
	put(h->b + 50, 0xffff, 2, 0);
	put(h->b + h->shoff + 20, HT_NSEC, 4, 0); /* section 0: count */
	put(h->b + h->shoff + 24, 1, 4, 0);       /* and .shstrtab */
	h->len = h->shoff + 40 * HT_NSEC;
	ht_sec(h, 1, 1, 3, names, sizeof(names), 0);
	uint8_t prog[4400] = {0};
	ht_sec(h, 2, 11, T, prog, sizeof(prog), 0);
	uint8_t difo[72 + 16] = {0};
	put(difo, 4, 4, 0);      /* inttab */
	put(difo + 4, 5, 4, 0);  /* strtab */
	put(difo + 8, 7, 4, 0);  /* symtab */
	put(difo + 12, 6, 4, 0); /* vartab */
	put(difo + 16, 1, 8, 0);
	put(difo + 24, 6, 8, 0);
	put(difo + 40, 1, 8, 0);
	difo[48] = 0;            /* rtype: CTF integer, 8 bytes */
	difo[49] = 1;
	put(difo + 52, 8, 4, 0);
	put(difo + 64, 4, 8, 0);
	put(difo + 72, 0x25000001, 4, 0); /* setx DT_INTEGER[0], %r1 */
	put(difo + 76, 0x26000102, 4, 0); /* sets DT_STRING[1], %r2 */
	put(difo + 80, 0x2a050001, 4, 0); /* stgs %r1, DT_VAR(1280) */
	put(difo + 84, 0x23000001, 4, 0); /* ret %r1 */
	ht_sec(h, 3, 24, T, difo, sizeof(difo), sizeof(difo));
	uint8_t ints[8];
	put(ints, 42, 8, 0);
	ht_sec(h, 4, 37, T, ints, 8, 8);
	ht_sec(h, 5, 50, T, "\0hi\0x", 6, 0);
	uint8_t var[40] = {0}; /* a 20-byte dtrace_difv_t + linker fields */
	put(var, 4, 4, 0);
	put(var + 4, 0x500, 4, 0);
	var[8] = 1;            /* scalar */
	var[10] = 2;           /* DIFV_F_MOD */
	var[13] = 1;
	put(var + 16, 8, 4, 0);
	memset(var + 20, 0xee, 20);
	ht_sec(h, 6, 63, T, var, sizeof(var), sizeof(var));
	ht_sec(h, 7, 78, T, "\0", 1, 0);
}

static struct dif_module *ht_read_ok(const struct ht *h)
{
	struct dif_module *m = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert(dif_hypertrace_detect(h->b, h->len));
	cr_assert_eq(dif_hypertrace_read(h->b, h->len, &m, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	return m;
}

Test(hypertrace, reads_difos)
{
	static struct ht h;
	ht_build(&h);
	struct dif_module *m = ht_read_ok(&h);
	cr_assert_eq(dif_module_count(m), 1);
	const struct dif_difo *d = dif_module_get(m, 0);
	cr_assert_str_eq(dif_difo_name(d), "difo@3");
	struct dif_difo_parts p;
	dif_difo_get_parts(d, &p);
	cr_assert_eq(p.textlen, 4);
	cr_assert_eq(p.inttab[0], 42);
	cr_assert_eq(p.varlen, 1);
	cr_assert_eq(p.vartab[0].id, 0x500);
	cr_assert_str_eq(p.strtab + p.vartab[0].name, "x");
	DIF_OPTS(dif_validate_opts, vo);
	cr_assert_eq(dif_validate_module(m, &vo, NULL), 0);
	dif_module_free(m);
	/* a digest prefix is skipped */
	static struct ht g;
	memset(g.b, 0x5a, 32);
	memcpy(g.b + 32, h.b, h.len);
	g.len = h.len + 32;
	m = ht_read_ok(&g);
	cr_assert_eq(dif_module_count(m), 1);
	dif_module_free(m);
	/* and the tools run it */
	char tmp[] = "/tmp/difvm-ht-XXXXXX";
	int fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, h.b, h.len), (ssize_t)h.len);
	close(fd);
	const char *bd = getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR")
	                                          : "build";
	char cmd[4096];
	static char out[4096];
	snprintf(cmd, sizeof(cmd), "%s/tools/difrun %s && %s/tools/difcheck %s",
	         bd, tmp, bd, tmp);
	cr_assert_eq(test_sh(cmd, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "42 (0x2a)"), "%s", out);
	remove(tmp);
}

struct hcase {
	const char *needle;
	int code;
	void (*mut)(struct ht *h);
};
#define HMUT(n, body) static void n(struct ht *h) { body; }
static uint8_t *HSH(struct ht *h, unsigned i) { return h->b + h->shoff + 40 * i; }
static uint8_t *HD(struct ht *h, unsigned i) { return h->b + h->off[i]; }
HMUT(hm_data, h->b[5] = 3)
HMUT(hm_shentsize, put(h->b + 46, 64, 2, 0))
HMUT(hm_shoff, put(h->b + 32, 1u << 20, 4, 0))
HMUT(hm_shnum, put(h->b + h->shoff + 20, 2, 4, 0))
HMUT(hm_shstrndx, put(h->b + h->shoff + 24, 99, 4, 0))
HMUT(hm_sec_past, put(HSH(h, 4) + 20, 1u << 20, 4, 0))
HMUT(hm_names_type, put(HSH(h, 1) + 4, 1, 4, 0))
HMUT(hm_name_off, put(HSH(h, 4), 9999, 4, 0))
HMUT(hm_not_prog, put(HSH(h, 2), 24, 4, 0))
HMUT(hm_prog_small, put(HSH(h, 2) + 20, 100, 4, 0))
HMUT(hm_prog_error, { put(HD(h, 2) + 16, 1, 4, 0);
                      strcpy((char *)HD(h, 2) + 20, "syntax error near x"); })
HMUT(hm_difo_small, put(HSH(h, 3) + 20, 40, 4, 0))
HMUT(hm_difo_len, put(HD(h, 3) + 64, 5, 8, 0))
HMUT(hm_ref_range, put(HD(h, 3), 50, 4, 0))
HMUT(hm_ref_type, put(HSH(h, 4) + 4, 1, 4, 0))
HMUT(hm_intlen, put(HD(h, 3) + 16, 2, 8, 0))
HMUT(hm_oversize, { put(HD(h, 3) + 16, 0, 8, 0); put(HD(h, 3) + 40, 0, 8, 0);
                    put(HD(h, 3) + 24, 6, 8, 0);
                    put(HSH(h, 5) + 20, 300000, 4, 0);
                    put(HD(h, 3) + 24, 262150, 8, 0);
                    put(HSH(h, 5) + 20, 262150, 4, 0);
                    h->len = h->off[5] + 262150; })
HMUT(hm_str_nul, HD(h, 5)[5] = 'y')

static const struct hcase hcases[] = {
	{"ELF data encoding 3", DIF_E_OBJ_DATA, hm_data},
	{"section header size 64", DIF_E_OBJ_FORMAT, hm_shentsize},
	{"section header table at", DIF_E_OBJ_TRUNCATED, hm_shoff},
	{"2 section headers", DIF_E_OBJ_TRUNCATED, hm_shnum},
	{"section name table index 99", DIF_E_OBJ_INDEX, hm_shstrndx},
	{"section 4 (offset", DIF_E_OBJ_TRUNCATED, hm_sec_past},
	{"not a NUL-terminated SHT_STRTAB", DIF_E_OBJ_STRING, hm_names_type},
	{"section 4: name offset 9999", DIF_E_OBJ_INDEX, hm_name_off},
	{"section 2 is '.dtrace_difo', not .dtrace_prog", DIF_E_OBJ_MISSING, hm_not_prog},
	{"too small for a program record", DIF_E_OBJ_SECTION, hm_prog_small},
	{"compile error: syntax error near x", DIF_E_OBJ_FORMAT, hm_prog_error},
	{"section 3 (.dtrace_difo): 40 bytes", DIF_E_OBJ_SECTION, hm_difo_small},
	{"5 instructions do not fit", DIF_E_OBJ_TRUNCATED, hm_difo_len},
	{"integer table reference 50 out of range", DIF_E_OBJ_INDEX, hm_ref_range},
	{"integer table is section 4 of type 0x1", DIF_E_OBJ_SECTION, hm_ref_type},
	{"table lengths (2 integers", DIF_E_OBJ_SECTION, hm_intlen},
	{"above 262144 bytes", DIF_E_OBJ_OVERSIZE, hm_oversize},
	{"string table does not end with NUL", DIF_E_OBJ_STRING, hm_str_nul},
};

Test(hypertrace, every_rejection_rule)
{
	static struct ht h;
	static uint8_t big[300000 + 16384];
	for (size_t i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		ht_build(&h);
		const uint8_t *buf = h.b;
		if (hcases[i].mut == hm_oversize) {
			/* needs a string table past the builder's buffer */
			memcpy(big, h.b, h.len);
			memset(big + h.off[5], 'a', 262149);
			big[h.off[5] + 262149] = 0;
			struct ht *hb = (struct ht *)calloc(1, sizeof(*hb));
			*hb = h;
			hm_oversize(hb);
			memcpy(big, hb->b, h.off[5]);
			h.len = hb->len;
			free(hb);
			buf = big;
		} else {
			hcases[i].mut(&h);
		}
		struct dif_module *m = NULL;
		struct dif_errors e;
		dif_errors_clear(&e);
		int rc = dif_hypertrace_read(buf, h.len, &m, &e);
		cr_assert_eq(rc, hcases[i].code, "%s: %s", hcases[i].needle,
		             e.count ? e.list[0].msg : "");
		cr_assert_null(m);
		cr_assert(strstr(e.list[0].msg, hcases[i].needle), "'%s' not in '%s'",
		          hcases[i].needle, e.list[0].msg);
	}
	/* not HyperTrace at all */
	struct dif_module *m = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_hypertrace_read("hello", 5, &m, &e), DIF_E_OBJ_FORMAT);
	cr_assert_eq(dif_hypertrace_detect("\177ELF", 4), 0);
}

Test(hypertrace, truncation_and_bit_flips_never_crash)
{
	static struct ht h;
	ht_build(&h);
	static uint8_t b[sizeof(h.b)];
	for (size_t cut = 0; cut < h.len; cut++) {
		struct dif_module *m = NULL;
		cr_assert_neq(dif_hypertrace_read(h.b, cut, &m, NULL), 0);
	}
	/* flips in the headers and the DIFO record (the program record is
	 * 4400 zero bytes: flipping there is covered by the haserror case) */
	for (size_t bit = 0; bit < h.len * 8; bit++) {
		size_t byte = bit / 8;
		if (byte >= h.off[2] + 24 && byte < h.off[2] + h.size[2])
			continue;
		memcpy(b, h.b, h.len);
		b[byte] ^= (uint8_t)(1u << (bit % 8));
		struct dif_module *m = NULL;
		if (dif_hypertrace_read(b, h.len, &m, NULL) == 0)
			dif_module_free(m);
	}
}

/* ---------------------------------------------------------------------
 * The module size limit (max_module, --max-module) holds for DOF and
 * HyperTrace input as for listings and objects (docs/limits.md).
 */
Test(dof, module_limit)
{
	struct dif_module *src = assemble(".difo a\n\tsetx 0x1234567890, %r1\n"
	                                  "\tret %r1\n.difo b\n\tret %r0\n",
	                                  DIF_PROFILE_FREEBSD);
	void *w = NULL;
	size_t wl = 0;
	cr_assert_eq(dif_dof_write(src, NULL, &w, &wl, NULL), 0);
	/* a: 2 instructions + 1 integer = 16 bytes; b: 4 bytes */
	struct dif_dof *d = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	DIF_OPTS(dif_dof_opts, tight, .max_module = 19);
	cr_assert_eq(dif_dof_read(w, wl, &tight, &d, &e), DIF_E_LIMIT);
	cr_assert_null(d);
	cr_assert(strstr(e.list[0].msg, "'b': the programs take more than 19 "
	                                "bytes (module limit; raise max_module, "
	                                "--max-module)"), "%s", e.list[0].msg);
	DIF_OPTS(dif_dof_opts, fits, .max_module = 20);
	cr_assert_eq(dif_dof_read(w, wl, &fits, &d, NULL), 0);
	cr_assert_eq(dif_module_count(dif_dof_module(d)), 2);
	dif_dof_free(d);
	/* a caller's older, smaller options struct keeps the default */
	struct dif_dof_opts old = { .size = offsetof(struct dif_dof_opts, order) + 1 };
	cr_assert_eq(dif_dof_read(w, wl, &old, &d, NULL), 0);
	dif_dof_free(d);
	free(w);
	dif_module_free(src);
}

Test(hypertrace, module_limit)
{
	static struct ht h;
	ht_build(&h);
	/* 4 instructions + 1 integer + 6 string bytes + 1 variable = 50 */
	struct dif_module *m = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	DIF_OPTS(dif_hypertrace_opts, tight, .max_module = 49);
	cr_assert_eq(dif_hypertrace_read_opts(h.b, h.len, &tight, &m, &e),
	             DIF_E_LIMIT);
	cr_assert_null(m);
	cr_assert(strstr(e.list[0].msg, "'difo@3': the programs take more than "
	                                "49 bytes (module limit"), "%s",
	          e.list[0].msg);
	DIF_OPTS(dif_hypertrace_opts, fits, .max_module = 50);
	cr_assert_eq(dif_hypertrace_read_opts(h.b, h.len, &fits, &m, NULL), 0);
	dif_module_free(m);
	struct dif_hypertrace_opts bad = { .size = 1 };
	cr_assert_eq(dif_hypertrace_read_opts(h.b, h.len, &bad, &m, NULL),
	             DIF_E_INVAL);
	cr_assert_eq(dif_hypertrace_read_opts(h.b, h.len, NULL, NULL, NULL),
	             DIF_E_INVAL);
}

/* DOF has no place for type relocations: writing an unlinked program is
 * refused with the DIFO's name instead of silently dropping them. */
Test(dof, write_refuses_unlinked_relocations)
{
	struct dif_module *m = assemble(".difo sz\n"
	                                "\tsetx @sizeof(struct stat), %r1\n"
	                                "\tret %r1\n",
	                                DIF_PROFILE_FREEBSD);
	void *buf = (void *)1;
	size_t len = 1;
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_dof_write(m, NULL, &buf, &len, &e), DIF_E_UNLINKED);
	cr_assert_null(buf);
	cr_assert_eq(len, 0);
	cr_assert_eq(e.count, 1);
	cr_assert(strstr(e.list[0].msg, "DIFO 'sz' has 1 type relocation"),
	          "%s", e.list[0].msg);
	dif_module_free(m);
}

/* Names, comments and utsname fields of a hostile file cannot drive a
 * terminal through difdis --dof-info; a long nodename is not cut. */
Test(dof, info_escapes_control_bytes)
{
	NEED_FIXTURE(b, len, "dtrace4linux_simple_usdt.dof");
	cr_assert_eq(len, 1024);
	b[0x23c + 1] = 0x1b;   /* probe name "saw-line" -> ESC "aw-line" */
	b[0x270] = 0x07;       /* comments "Sun D 1.6" -> BEL "un D 1.6" */
	b[0x27a + 65] = 0x7f;  /* utsname nodename "crisp" -> DEL "risp" */
	struct dif_dof *d = read_ok(b, len);
	char *t = dif_dof_describe(d);
	cr_assert_not_null(t);
	for (const char *p = t; *p; p++)
		cr_assert(*p == '\n' || ((unsigned char)*p >= 0x20 && *p != 0x7f),
		          "raw control byte 0x%02x in:\n%s", (unsigned char)*p, t);
	cr_assert(strstr(t, "probe simple:\\x1baw-line"), "%s", t);
	cr_assert(strstr(t, "comments: \\x07un D 1.6"), "%s", t);
	cr_assert(strstr(t, "utsname: Linux \\x7frisp 2.6.24.4-64.fc8"), "%s", t);
	free(t);
	dif_dof_free(d);
	free(b);
}

Test(dof, info_full_utsname)
{
	NEED_FIXTURE(b, len, "smartos_node_usdt.dof");
	struct dif_dof *d = read_ok(b, len);
	char *t = dif_dof_describe(d);
	cr_assert_not_null(t);
	cr_assert(strstr(t, "utsname: SunOS e62861f7-fc69-4bfa-9c82-d20533c98175"
	                    ".local 5.11\n"), "%s", t);
	free(t);
	dif_dof_free(d);
	free(b);
}

/* DOF records no profile: illumos programs (opcode 80 stga exists only
 * there) are written with a UTSNAME naming SunOS and read back as
 * illumos; they used to come back as FreeBSD programs with illegal
 * opcodes. FreeBSD DOF gets no UTSNAME. */
Test(dof, illumos_programs_read_back_as_illumos)
{
	const char *bd = getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR")
	                                          : "build";
	static char a[65536], b[65536];
	char cmd[8192], tmp[] = "/tmp/difvm-dofi-XXXXXX";
	int fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	close(fd);
	const char *f = "tests/dis/data/every_class_illumos.lst";
	snprintf(cmd, sizeof(cmd), "%s/tools/difasm -p illumos -o %s %s && "
	         "%s/tools/difdis %s", bd, tmp, f, bd, tmp);
	cr_assert_eq(test_sh(cmd, a, sizeof(a)), 0, "%s", cmd);
	cr_assert(strstr(a, "stga DT_VAR("), "%s", a);
	snprintf(cmd, sizeof(cmd), "%s/tools/difasm -p illumos --dof -o %s %s && "
	         "%s/tools/difdis %s", bd, tmp, f, bd, tmp);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0, "%s", cmd);
	cr_assert_str_eq(a, b);
	snprintf(cmd, sizeof(cmd), "%s/tools/difdis --dof-info %s", bd, tmp);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0);
	cr_assert(strstr(b, "utsname: SunOS\n") && strstr(b, "UTSNAME"), "%s", b);
	snprintf(cmd, sizeof(cmd), "%s/tools/difasm --dof -o %s "
	         "tests/link/data/a.s && %s/tools/difdis --dof-info %s", bd, tmp,
	         bd, tmp);
	cr_assert_eq(test_sh(cmd, b, sizeof(b)), 0);
	cr_assert(!strstr(b, "UTSNAME") && !strstr(b, "utsname"), "%s", b);
	remove(tmp);
}

/* DIFO names from a DOF probe description reach `difdis -n` and
 * `difasm -n` escaped. */
Test(dof, difo_names_escaped_in_listings)
{
	const char *bd = getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR")
	                                          : "build";
	struct dif_module *m = assemble(".difo count\n\tsetx 1, %r1\n\tret %r1\n",
	                                DIF_PROFILE_FREEBSD);
	void *buf = NULL;
	size_t len = 0;
	cr_assert_eq(dif_dof_write(m, NULL, &buf, &len, NULL), 0);
	uint8_t *b = buf, *hit = memmem(b, len, "count", 5);
	cr_assert_not_null(hit);
	hit[1] = 0x1b;
	char tmp[] = "/tmp/difvm-dofn-XXXXXX", cmd[4096];
	static char out[65536];
	int fd = mkstemp(tmp);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
	const char *tools[] = { "difdis -n", "difasm -n" };
	for (int i = 0; i < 2; i++) {
		snprintf(cmd, sizeof(cmd), "%s/tools/%s %s", bd, tools[i], tmp);
		cr_assert_eq(test_sh(cmd, out, sizeof(out)), 0, "%s", cmd);
		cr_assert(!strchr(out, 0x1b) && strstr(out, ".difo c\\x1bunt\n"),
		          "%s: %s", tools[i], out);
	}
	remove(tmp);
	free(buf);
	dif_module_free(m);
}
