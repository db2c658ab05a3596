/* tools/toolio.c: loading listings and objects, writing objects, the
 * diagnostic formats and number parsing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "difvm/object.h"
#include "toolio.h"

static const char listing[] =
	".difo one\n"
	"setx 0x2a, %r1\n"
	"ret %r1\n";

/* A scratch file name under the build tree (or /tmp). */
static const char *scratch(const char *leaf)
{
	static char buf[2][4096];
	static int k;
	const char *root = getenv("DIFVM_BUILDDIR");
	k ^= 1;
	snprintf(buf[k], sizeof(buf[k]), "%s/toolio-%d-%s",
	         root ? root : "/tmp", (int)getpid(), leaf);
	return buf[k];
}

static void put_file(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(b, 1, n, f), n);
	fclose(f);
}

Test(toolio, listing_to_object_and_back)
{
	const char *s = scratch("one.s"), *o = scratch("one.o");
	put_file(s, listing, sizeof(listing) - 1);
	struct dif_errors errs = {0};
	struct dif_module *m = NULL;
	int rc = toolio_load(s, DIF_PROFILE_FREEBSD, &m, &errs);
	cr_assert_eq(rc, 0, "%s", errs.count ? errs.list[0].msg : "");
	cr_assert_eq(dif_module_count(m), 1u);
	cr_assert_eq(toolio_write_object(o, m, DIF_PROFILE_ILLUMOS, &errs), 0);

	size_t len = 0;
	FILE *f = fopen(o, "rb");
	cr_assert_not_null(f);
	char head[4];
	cr_assert_eq(fread(head, 1, 4, f), 4u);
	fclose(f);
	cr_assert_eq(memcmp(head, "\177ELF", 4), 0);
	(void)len;

	struct dif_module *back = NULL;
	cr_assert_eq(toolio_load(o, DIF_PROFILE_ILLUMOS, &back, &errs), 0);
	struct dif_difo_parts a, b;
	dif_difo_get_parts(dif_module_get(m, 0), &a);
	dif_difo_get_parts(dif_module_get(back, 0), &b);
	cr_assert_str_eq(a.name, b.name);
	cr_assert_eq(a.textlen, b.textlen);
	cr_assert_eq(memcmp(a.text, b.text, a.textlen * 4), 0);
	cr_assert_eq(a.intlen, b.intlen);
	dif_module_free(back);
	dif_module_free(m);
	unlink(s);
	unlink(o);
}

Test(toolio, damaged_object_and_missing_file)
{
	const char *o = scratch("bad.o");
	put_file(o, "\177ELF\2\1\1", 7);
	struct dif_errors errs = {0};
	struct dif_module *m = NULL;
	cr_assert_eq(toolio_load(o, DIF_PROFILE_FREEBSD, &m, &errs),
	             DIF_E_OBJ_TRUNCATED);
	cr_assert_null(m);
	unlink(o);
	dif_errors_clear(&errs);
	cr_assert_eq(toolio_load(scratch("nope.s"), DIF_PROFILE_FREEBSD, &m,
	                         &errs), DIF_E_IO);
	cr_assert_eq(errs.count, 1u);
	cr_assert_not_null(strstr(errs.list[0].msg, "cannot open"));
	/* printed once with the file name, not twice */
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	toolio_print_errors(f, scratch("nope.s"), &errs);
	fclose(f);
	char want[1024];
	snprintf(want, sizeof(want), "%s: error: cannot open: ", scratch("nope.s"));
	cr_assert_eq(strncmp(buf, want, strlen(want)), 0, "%s", buf);
	free(buf);
}

static char *print(const struct dif_errors *errs, const char *file)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	toolio_print_errors(f, file, errs);
	fclose(f);
	return buf;
}

Test(toolio, error_formats)
{
	struct dif_errors errs = {0};
	errs.count = 3;
	errs.list[0] = (struct dif_error){.code = DIF_E_SYNTAX, .pc = DIF_NO_PC,
	                                  .line = 3, .col = 7, .msg = "bad"};
	errs.list[1] = (struct dif_error){.code = DIF_E_R0_WRITE, .pc = 4,
	                                  .object = "main",
	                                  .insn = "mov  %r1, %r0",
	                                  .msg = "cannot write to %r0"};
	errs.list[2] = (struct dif_error){.code = DIF_E_OBJ_FORMAT,
	                                  .pc = DIF_NO_PC, .msg = "not ELF"};
	errs.dropped = 2;
	char *out = print(&errs, "p.s");
	cr_assert_str_eq(out,
	                 "p.s:3:7: error: bad\n"
	                 "p.s:main:4: error: r0-write: mov  %r1, %r0  "
	                 "(cannot write to %r0)\n"
	                 "p.s: error: not ELF\n"
	                 "... 2 more errors\n");
	free(out);
	errs.count = 0;
	errs.dropped = 0;
	out = print(&errs, "-");
	cr_assert_str_eq(out, "");
	free(out);
}

Test(toolio, parse_u64)
{
	static const struct {
		const char *s;
		int rc;
		uint64_t v;
	} t[] = {
		{"0", 0, 0},
		{"42", 0, 42},
		{"0x2A", 0, 42},
		{"18446744073709551615", 0, UINT64_MAX},
		{"0xffffffffffffffff", 0, UINT64_MAX},
		{"-1", 0, UINT64_MAX},
		{"-9223372036854775808", 0, 0x8000000000000000ull},
		{"-9223372036854775809", -1, 0},
		{"18446744073709551616", -1, 0},
		{"0x10000000000000000", -1, 0},
		{"", -1, 0},
		{"-", -1, 0},
		{"0x", -1, 0},
		{"12a", -1, 0},
		{" 1", -1, 0},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 7;
		int rc = toolio_parse_u64(t[i].s, &v);
		cr_assert_eq(rc, t[i].rc, "'%s'", t[i].s);
		if (rc == 0)
			cr_assert_eq(v, t[i].v, "'%s'", t[i].s);
	}
}
