/*
 * Subroutines in the model: the documented examples of dif-isa.md section 6,
 * the scratch rules of docs/conventions.md 2, and the profile differences.
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "spec_util.h"

#define FB DC_PROFILE_FREEBSD
#define IL DC_PROFILE_ILLUMOS

static struct tcase T;
static struct dc_outcome out;
static struct dc_spec_info info;

static int callpos = -1;

static void begin(uint32_t profile)
{
	callpos = -1;
	tc_init(&T, profile);
	tc_emit(&T, FLUSHTS);
	tc_set(&T, 2, 77); /* old value of the destination register */
}

static void arg_i(uint64_t v)
{
	tc_set(&T, 1, v);
	tc_emit(&T, PUSHTV(1));
}

static void arg_s(const char *s)
{
	tc_emit(&T, SETS(tc_str(&T, s), 1));
	tc_emit(&T, PUSHTR(1, 0, 1));
}

/* Runs call <name>, %r2; ret %r2. Calling again reruns the same program
 * with the call replaced. */
static void call(const char *name, bool sret)
{
	int n = dc_spec_subr_number(T.c.profile, name);
	cr_assert_geq(n, 0, "%s under profile %u", name, T.c.profile);
	if (callpos >= 0) {
		T.text[callpos] = CALL((unsigned)n, 2);
	} else {
		callpos = (int)tc_emit(&T, CALL((unsigned)n, 2));
		tc_emit(&T, RET(2));
	}
	if (sret)
		T.c.rtype = (struct dc_type){1, 0, 1, 256};
	int rc = dc_spec_run_info(&T.c, &out, NULL, &info);
	cr_assert_eq(rc, 0, "%s: %s", dc_spec_strerror(rc), info.msg);
}

static const char *str1(const char *name, const char *a)
{
	begin(FB);
	arg_s(a);
	call(name, true);
	cr_assert_eq(out.fault, 0, "%s(\"%s\") faulted %u", name, a, out.fault);
	return out.string;
}

static void s_is(const char *name, const char *a, const char *want)
{
	cr_expect_str_eq(str1(name, a), want, "%s(\"%s\")", name, a);
}

Test(subr, strlen_and_strjoin)
{
	begin(FB);
	arg_s("hello");
	call("strlen", false);
	cr_expect_eq(out.rval, 5);
	begin(FB);
	arg_s("foo");
	arg_s("bar");
	call("strjoin", true);
	cr_expect_str_eq(out.string, "foobar");
	cr_expect_eq(out.rval, DC_VA_SCRATCH);
	/* strjoin takes what it wrote, not strsize (emulator-facts.md 1) */
	cr_expect_eq(info.scratch_used, 7, "joined length + 1 is used");
	/* a + b + NUL > strsize: NOSCRATCH */
	begin(FB);
	T.c.strsize = 6;
	arg_s("foo");
	arg_s("bar");
	call("strjoin", true);
	cr_expect_eq(out.fault, 5);
	T.c.strsize = 7;
	call("strjoin", true);
	cr_expect_eq(out.fault, 0);
}

static const char *lltostr(int64_t v, int base)
{
	begin(FB);
	arg_i((uint64_t)v);
	if (base)
		arg_i((uint64_t)base);
	call("lltostr", true);
	cr_assert_eq(out.fault, 0);
	return out.string;
}

Test(subr, lltostr)
{
	cr_expect_str_eq(lltostr(-123, 0), "-123");
	cr_expect_str_eq(lltostr(0, 0), "0");
	cr_expect_str_eq(lltostr(255, 16), "0xff");
	cr_expect_str_eq(lltostr(0, 16), "0x0");
	cr_expect_str_eq(lltostr(8, 8), "010");
	cr_expect_str_eq(lltostr(5, 2), "101");
	cr_expect_str_eq(lltostr(35, 36), "z");
	cr_expect_str_eq(lltostr(-1, 16), "0xffffffffffffffff");
	cr_expect_str_eq(lltostr(INT64_MIN, 10), "-9223372036854775808");
	/* the text ends at the end of the 65-byte buffer */
	lltostr(7, 0);
	cr_expect_eq(out.rval, DC_VA_SCRATCH + 63);
	begin(FB);
	arg_i(1);
	arg_i(1);
	call("lltostr", false);
	cr_expect_eq(out.fault, 3, "base 1: ILLOP");
	begin(FB);
	arg_i(1);
	arg_i(37);
	call("lltostr", false);
	cr_expect_eq(out.fault, 3, "base 37: ILLOP");
}

Test(subr, basename_dirname_cleanpath)
{
	s_is("basename", "", ".");
	s_is("basename", "///", "/");
	s_is("basename", "/usr/lib/", "lib");
	s_is("basename", "foo", "foo");
	s_is("basename", "/a/b", "b");
	s_is("dirname", "", ".");
	s_is("dirname", "foo", ".");
	s_is("dirname", "/x", "/");
	s_is("dirname", "///", "/");
	s_is("dirname", "/usr/lib", "/usr");
	s_is("dirname", "a/b/", "a");
	s_is("dirname", "a//b", "a");
	s_is("cleanpath", "/foo//bar/./baz/../qux", "/foo/bar/qux");
	s_is("cleanpath", "/a/b/..", "/a/");
	s_is("cleanpath", "a/./b", "a/b");
	s_is("cleanpath", "/..x/y", "/..x/y");
}

Test(subr, strchr_strrchr_strstr)
{
	begin(FB);
	uint32_t off = tc_str(&T, "hello");
	tc_emit(&T, SETS(off, 1));
	tc_emit(&T, PUSHTV(1));
	arg_i('l');
	call("strchr", false);
	cr_expect_eq(out.rval, DC_VA_STRTAB + off + 2);
	T.ints[1] = 0; /* the NUL is found */
	call("strchr", false);
	cr_expect_eq(out.rval, DC_VA_STRTAB + off + 5);
	T.ints[1] = 'l';
	call("strrchr", false);
	cr_expect_eq(out.rval, DC_VA_STRTAB + off + 3, "strrchr");
	T.ints[1] = 'z';
	call("strrchr", false);
	cr_expect_eq(out.rval, 0);

	begin(FB);
	off = tc_str(&T, "hello");
	tc_emit(&T, SETS(off, 1));
	tc_emit(&T, PUSHTV(1));
	arg_s("ll");
	call("strstr", false);
	cr_expect_eq(out.rval, DC_VA_STRTAB + off + 2);
	begin(FB);
	arg_s("abc");
	arg_s("x");
	call("strstr", false);
	cr_expect_eq(out.rval, 0);
	begin(FB);
	off = tc_str(&T, "");
	tc_emit(&T, SETS(off, 1));
	tc_emit(&T, PUSHTV(1));
	arg_s("");
	call("strstr", false);
	cr_expect_eq(out.rval, DC_VA_STRTAB + off, "\"\" in \"\" is s");
}

static int64_t idx(const char *name, const char *s, const char *sub, bool pos,
                   int64_t start)
{
	begin(FB);
	arg_s(s);
	arg_s(sub);
	if (pos)
		arg_i((uint64_t)start);
	call(name, false);
	cr_assert_eq(out.fault, 0);
	return (int64_t)out.rval;
}

Test(subr, index_rindex)
{
	cr_expect_eq(idx("index", "hello", "l", false, 0), 2);
	cr_expect_eq(idx("index", "hello", "l", true, 3), 3);
	cr_expect_eq(idx("index", "hello", "x", false, 0), -1);
	cr_expect_eq(idx("index", "hello", "l", true, -5), 2, "negative start is 0");
	cr_expect_eq(idx("index", "hello", "l", true, 5), -1);
	cr_expect_eq(idx("index", "hello", "", true, 10), 5);
	cr_expect_eq(idx("index", "", "", true, 10), 0);
	cr_expect_eq(idx("rindex", "hello", "l", false, 0), 3);
	cr_expect_eq(idx("rindex", "hello", "l", true, 2), 2);
	cr_expect_eq(idx("rindex", "hello", "l", true, -1), -1);
	cr_expect_eq(idx("rindex", "hello", "", true, -1), 0);
	cr_expect_eq(idx("rindex", "hello", "", false, 0), 5);
	cr_expect_eq(idx("rindex", "hello", "h", true, 100), 0);
}

Test(subr, strtok_sequence)
{
	/* strtok(s, ","), then strtok(NULL, ",") until NULL; the result of
	 * the k-th call is returned */
	const char *want[] = {"a", "b", "c", NULL};
	for (int k = 0; k < 4; k++) {
		begin(FB);
		uint32_t s = tc_str(&T, ",a,b,,c,");
		uint32_t d = tc_str(&T, ",");
		for (int j = 0; j <= k; j++) {
			tc_emit(&T, FLUSHTS);
			if (j == 0)
				tc_emit(&T, SETS(s, 1));
			else
				tc_set(&T, 1, 0);
			tc_emit(&T, PUSHTV(1));
			tc_emit(&T, SETS(d, 3));
			tc_emit(&T, PUSHTV(3));
			tc_emit(&T, CALL(31, 2));
		}
		tc_emit(&T, RET(2));
		T.c.rtype = (struct dc_type){1, 0, 1, 256};
		cr_assert_eq(dc_spec_run(&T.c, &out, NULL), 0);
		cr_assert_eq(out.fault, 0);
		if (want[k])
			cr_expect_str_eq(out.string, want[k], "token %d", k);
		else
			cr_expect_eq(out.rval, 0, "no more tokens");
	}
}

static const char *substr(const char *s, int n, int64_t i, int64_t len)
{
	begin(FB);
	arg_s(s);
	arg_i((uint64_t)i);
	if (n == 3)
		arg_i((uint64_t)len);
	call("substr", true);
	cr_assert_eq(out.fault, 0);
	return out.string;
}

Test(subr, substr_perl_like)
{
	cr_expect_str_eq(substr("hello", 2, 1, 0), "ello");
	cr_expect_str_eq(substr("hello", 2, -3, 0), "llo");
	cr_expect_str_eq(substr("hello", 3, 1, 2), "el");
	cr_expect_str_eq(substr("hello", 3, 1, -1), "ell");
	cr_expect_str_eq(substr("hello", 2, 10, 0), "");
	cr_expect_str_eq(substr("hello", 3, -10, 7), "he");
	cr_expect_str_eq(substr("hello", 2, 0, 0), "hello");
}

Test(subr, byte_order)
{
	begin(FB);
	arg_i(0xaabb1234);
	call("htons", false);
	cr_expect_eq(out.rval, 0x3412);
	call("ntohs", false);
	cr_expect_eq(out.rval, 0x3412);
	begin(FB);
	arg_i(0x12345678);
	call("htonl", false);
	cr_expect_eq(out.rval, 0x78563412);
	begin(FB);
	arg_i(0x0102030405060708ull);
	call("htonll", false);
	cr_expect_eq(out.rval, 0x0807060504030201ull);
	call("ntohll", false);
	cr_expect_eq(out.rval, 0x0807060504030201ull);
}

static uint8_t ip4[4] = {192, 168, 1, 2};
static uint8_t ip6[5][16] = {
	{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4},
	{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
	{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xab, 0xcd},
};

static const char *inet(uint32_t prof, const char *name, int af,
                        const void *bytes, uint32_t n)
{
	begin(prof);
	T.c.regions[0] = (struct dc_region){0x50000, n, 0, 1, (uint8_t *)bytes};
	T.c.nregions = 1;
	if (af >= 0)
		arg_i((uint64_t)af);
	arg_i(0x50000);
	call(name, true);
	return out.fault ? NULL : out.string;
}

Test(subr, inet)
{
	cr_expect_str_eq(inet(FB, "inet_ntoa", -1, ip4, 4), "192.168.1.2");
	cr_expect_eq(out.rval, DC_VA_SCRATCH + 16 - 12, "at the end of 16 bytes");
	cr_expect_str_eq(inet(FB, "inet_ntop", 2, ip4, 4), "192.168.1.2");
	cr_expect_str_eq(inet(FB, "inet_ntop", 28, ip6[0], 16), "::1");
	cr_expect_str_eq(inet(IL, "inet_ntop", 26, ip6[0], 16), "::1");
	cr_expect_null(inet(FB, "inet_ntop", 26, ip6[0], 16));
	cr_expect_eq(out.fault, 3, "26 is not AF_INET6 on FreeBSD");
	cr_expect_null(inet(IL, "inet_ntop", 28, ip6[0], 16));
	cr_expect_eq(out.fault, 3, "28 is not AF_INET6 on illumos");
	cr_expect_str_eq(inet(FB, "inet_ntoa6", -1, ip6[1], 16), "1.2.3.4");
	cr_expect_str_eq(inet(FB, "inet_ntop", 28, ip6[1], 16), "::ffff:1.2.3.4");
	cr_expect_str_eq(inet(FB, "inet_ntoa6", -1, ip6[2], 16), "fe80::1");
	cr_expect_str_eq(inet(FB, "inet_ntoa6", -1, ip6[3], 16), "::");
	cr_expect_str_eq(inet(FB, "inet_ntoa6", -1, ip6[4], 16), "2001:db8:1::abcd");
	/* not loadable without kernel privilege */
	begin(FB);
	T.c.deny = 1;
	T.c.regions[0] = (struct dc_region){0x50000, 4, 0, 0, ip4};
	T.c.nregions = 1;
	arg_i(0x50000);
	call("inet_ntoa", true);
	cr_expect_eq(out.fault, 6);
	cr_expect_eq(out.addr, 0x50000);
}

Test(subr, toupper_tolower)
{
	s_is("toupper", "Hello, World 1", "HELLO, WORLD 1");
	s_is("tolower", "Hello, World 1", "hello, world 1");
}

Test(subr, strtoll)
{
	begin(FB);
	arg_s("  -0x1f");
	arg_i(16);
	call("strtoll", false);
	cr_expect_eq((int64_t)out.rval, -31);
	begin(FB);
	arg_s("123abc");
	call("strtoll", false);
	cr_expect_eq(out.rval, 123);
	begin(FB);
	arg_s("zz");
	arg_i(36);
	call("strtoll", false);
	cr_expect_eq(out.rval, 35 * 36 + 35);
	begin(FB);
	arg_s("1");
	arg_i(1);
	call("strtoll", false);
	cr_expect_eq(out.fault, 3);
	/* json and strtoll have other numbers on illumos */
	begin(FB);
	arg_s("{}");
	arg_s("");
	call("json", true);
	cr_expect_eq(out.rval, 0, "\"\" is one empty element: the key \"\"");
	/* selector elements as the interpreter (and DTrace) split them:
	 * every '.' and '[' starts one, empty ones included; an array
	 * index is strtoll of the element */
	static const char *const js = "{\"a\":{\"b\":7},\"\":9}";
	static const char *const ja = "[{\"a\":1},2]";
	static const struct { const char *j, *sel, *want; } sels[] = {
		{js, "", "9"}, {js, ".", NULL}, {js, "a.", NULL},
		{js, "a..b", NULL}, {js, "a.b", "7"}, {ja, "", "{\"a\":1}"},
		{ja, "x", "{\"a\":1}"}, {ja, ".a", "1"}, {ja, "[1]", "2"},
		{ja, "1", "2"}, {ja, "[0].a", "1"}, {ja, "-1", NULL},
	};
	for (size_t k = 0; k < sizeof(sels) / sizeof(sels[0]); k++) {
		begin(FB);
		arg_s(sels[k].j);
		arg_s(sels[k].sel);
		call("json", true);
		if (sels[k].want)
			cr_expect_str_eq(out.string, sels[k].want, "selector '%s'",
			                 sels[k].sel);
		else
			cr_expect_eq(out.rval, 0, "selector '%s'", sels[k].sel);
	}
	begin(FB);
	arg_s("5");
	arg_s("");
	call("json", true);
	cr_expect_eq(out.rval, 0, "a top-level scalar is not found");
	begin(IL);
	arg_s("+42");
	call("strtoll", false);
	cr_expect_eq(out.rval, 42);
}

Test(subr, json)
{
	const char *doc = "{\"a\": {\"b\": [1, 2, {\"c\": \"x\"}], \"d\": true}}";
	const char *sel[] = {"a.b[2].c", "a.b[1]", "a.d", "a.z", "a.b", "a.b.2.c", "a.b[3]"};
	const char *want[] = {"x", "2", "true", NULL, "[1, 2, {\"c\": \"x\"}]", "x", NULL};
	for (uint32_t p = 0; p < 2; p++) {
		for (int k = 0; k < 7; k++) {
			begin(p);
			arg_s(doc);
			arg_s(sel[k]);
			call("json", true);
			cr_assert_eq(out.fault, 0);
			if (want[k])
				cr_expect_str_eq(out.string, want[k], "%s", sel[k]);
			else
				cr_expect_eq(out.rval, 0, "%s", sel[k]);
		}
	}
}

Test(subr, freebsd_memref_memstr)
{
	begin(FB);
	arg_i(0x1234);
	arg_i(99);
	tc_emit(&T, CALL(46, 2));
	tc_emit(&T, OP_R(O_LDX, 2, 0, 3));
	tc_set(&T, 4, 8);
	tc_emit(&T, OP_R(O_ADD, 2, 4, 4));
	tc_emit(&T, OP_R(O_LDX, 4, 0, 4));
	tc_emit(&T, OP_R(O_ADD, 3, 4, 3));
	tc_emit(&T, RET(3));
	cr_assert_eq(dc_spec_run(&T.c, &out, NULL), 0);
	cr_expect_eq(out.rval, 0x1234 + 99, "{addr, len} at the returned pointer");
	T.c.profile = IL; /* 46 is getf there: no host */
	cr_assert_eq(dc_spec_run(&T.c, &out, NULL), 0);
	cr_expect_eq(out.fault, 3);

	static uint8_t mem[5] = {'a', 0, 'b', 0, 'c'};
	begin(FB);
	T.c.regions[0] = (struct dc_region){0x50000, 5, 0, 1, mem};
	T.c.nregions = 1;
	arg_i(0x50000);
	arg_i(' ');
	arg_i(5);
	call("memstr", true);
	cr_expect_str_eq(out.string, "a b ");
	T.ints[T.c.intlen - 1] = 0;
	call("memstr", true);
	cr_expect_eq(out.rval, 0);
	T.c.scratch_size = 1 << 20;
	T.ints[T.c.intlen - 1] = 4097;
	T.c.regions[0].size = 5; /* kernel privilege: canload passes */
	call("memstr", true);
	cr_expect_eq(out.fault, 3, "size > 4096: ILLOP");
}

Test(subr, scratch_alloca_copyin)
{
	static uint8_t user[8] = {'u', 's', 'e', 'r', 0, 1, 2, 3};
	begin(FB);
	T.c.regions[0] = (struct dc_region){0x60000, 8, 1, 0, user};
	T.c.nregions = 1;
	arg_i(0x60000);
	arg_i(8);
	call("copyin", true);
	cr_expect_str_eq(out.string, "user");
	cr_expect_eq(out.rval, DC_VA_SCRATCH);
	T.ints[T.c.intlen - 1] = 9; /* one past the user region */
	call("copyin", true);
	cr_expect_eq(out.fault, 1);
	cr_expect_eq(out.addr, 0x60008, "the first unreadable byte");
	/* copyinstr with a maxlen argument */
	begin(FB);
	T.c.regions[0] = (struct dc_region){0x60000, 8, 1, 0, user};
	T.c.nregions = 1;
	arg_i(0x60000);
	arg_i(2);
	call("copyinstr", true);
	cr_expect_str_eq(out.string, "us");
	cr_expect_eq(info.scratch_used, 3, "buffer maxlen + 1");
	/* the last buffer byte is read before the NUL replaces it */
	begin(FB);
	T.c.regions[0] = (struct dc_region){0x60000, 3, 1, 0, user};
	T.c.nregions = 1;
	arg_i(0x60000);
	arg_i(3);
	call("copyinstr", true);
	cr_expect_eq(out.fault, 1);
	T.ints[T.c.intlen - 1] = 2;
	call("copyinstr", true);
	cr_expect_str_eq(out.string, "us");
	/* alloca is 8-aligned, NOSCRATCH when short */
	begin(FB);
	T.c.scratch_size = 16;
	arg_i(17);
	call("alloca", false);
	cr_expect_eq(out.fault, 5);
}

Test(subr, bcopy_copyout_and_untouched_rd)
{
	/* bcopy into unallocated scratch: BADADDR with illval = old rd */
	begin(FB);
	arg_s("abc");
	arg_i(DC_VA_SCRATCH);
	arg_i(4);
	call("bcopy", false);
	cr_expect_eq(out.fault, 1);
	cr_expect_eq(out.addr, 77);
	/* after alloca it works and leaves rd alone */
	begin(FB);
	tc_set(&T, 1, 8);
	tc_emit(&T, PUSHTV(1));
	tc_emit(&T, CALL(15, 5)); /* alloca(8) -> r5 */
	tc_emit(&T, FLUSHTS);
	arg_s("abc");
	tc_emit(&T, PUSHTV(5));
	arg_i(4);
	call("bcopy", false);
	cr_expect_eq(out.fault, 0);
	cr_expect_eq(out.rval, 77, "bcopy does not write rd");
	/* copyout: no user-memory writer (BADADDR), or nothing when
	 * destructive actions are denied, or UPRIV without proc-control */
	begin(FB);
	arg_s("abc");
	arg_i(0x70000);
	arg_i(4);
	call("copyout", false);
	cr_expect_eq(out.fault, 1);
	cr_expect_eq(out.addr, 0x70000);
	T.c.deny = 8;
	call("copyout", false);
	cr_expect_eq(out.fault, 0);
	cr_expect_eq(out.rval, 77);
	T.c.deny = 4;
	call("copyout", false);
	cr_expect_eq(out.fault, 7);
}

Test(subr, host_only_and_unimplemented)
{
	const char *host[] = {"mutex_owned", "mutex_owner", "rw_iswriter",
	                      "speculation", "progenyof", "getf"};
	for (uint32_t p = 0; p < 2; p++)
		for (int k = 0; k < 6; k++) {
			begin(p);
			arg_i(0);
			call(host[k], false);
			cr_expect_eq(out.fault, 3, "%s profile %u", host[k], p);
		}
	/* FreeBSD does not implement getmajor & co: rd keeps its value */
	const char *il[] = {"getmajor", "getminor", "msgsize", "msgdsize",
	                    "ddi_pathname"};
	for (int k = 0; k < 5; k++) {
		begin(FB);
		arg_i(0x100000002ull);
		call(il[k], false);
		cr_expect_eq(out.fault, 0);
		cr_expect_eq(out.rval, 77, "%s", il[k]);
		begin(IL);
		arg_i(0x100000002ull);
		call(il[k], false);
		if (k < 2) {
			/* plain arithmetic on a 64-bit dev_t (dif-isa.md 6) */
			cr_expect_eq(out.fault, 0, "%s", il[k]);
			cr_expect_eq(out.rval, k == 0 ? 1 : 2, "%s", il[k]);
		} else {
			cr_expect_eq(out.fault, 3, "%s on illumos needs the host",
			             il[k]);
		}
	}
	begin(FB);
	call("sx_isexclusive", false);
	cr_expect_eq(out.fault, 3);
	begin(FB);
	call("rand", false);
	cr_expect_eq(info.nondet, 1);
}

Test(subr, string_checks)
{
	/* strsize bounds strlen; an unterminated canload string fails
	 * silently, an unloadable one faults KPRIV */
	begin(FB);
	T.c.strsize = 3;
	arg_s("hello");
	call("strlen", false);
	cr_expect_eq(out.rval, 3);
	static uint8_t noterm[4] = {'a', 'b', 'c', 'd'};
	begin(FB);
	T.c.deny = 1;
	T.c.regions[0] = (struct dc_region){0x50000, 4, 0, 1, noterm};
	T.c.nregions = 1;
	arg_i(0x50000);
	call("strlen", false);
	cr_expect_eq(out.fault, 0);
	cr_expect_eq(out.rval, 0);
	T.c.regions[0].flags = 0;
	call("strlen", false);
	cr_expect_eq(out.fault, 6);
	cr_expect_eq(out.addr, 0x50000);
	/* with kernel privilege the read itself faults */
	T.c.deny = 0;
	call("strlen", false);
	cr_expect_eq(out.fault, 1);
	cr_expect_eq(out.addr, 0x50004);
}

Test(subr, measured_strings)
{
	/* emulator-facts.md 2: the measuring subroutines read the string
	 * before the access check, so an unterminated loadable string runs
	 * into the unmapped byte after it (BADADDR there) where strlen fails
	 * silently; with more readable (not loadable) bytes after it the
	 * check on length + 1 faults KPRIV at the string */
	static uint8_t noterm[4] = {'a', 'b', 'c', 'd'};
	static uint8_t tail[2] = {'e', 0};
	const char *measured[] = {"toupper", "tolower", "basename", "dirname",
	                          "substr"};
	for (int k = 0; k < 5; k++) {
		begin(FB);
		T.c.deny = 1;
		T.c.regions[0] = (struct dc_region){0x50000, 4, 0, 1, noterm};
		T.c.nregions = 1;
		arg_i(0x50000);
		if (k == 4)
			arg_i(0);
		call(measured[k], true);
		cr_expect_eq(out.fault, 1, "%s", measured[k]);
		cr_expect_eq(out.addr, 0x50004, "%s", measured[k]);
		T.c.regions[1] = (struct dc_region){0x50004, 2, 0, 0, tail};
		T.c.nregions = 2;
		call(measured[k], true);
		cr_expect_eq(out.fault, 6, "%s", measured[k]);
		cr_expect_eq(out.addr, 0x50000, "%s", measured[k]);
		/* with proc privilege withheld too, even the region's start is
		 * not loadable (emulator-facts.md 3) */
		T.c.deny = 3;
		T.c.nregions = 1;
		call(measured[k], true);
		cr_expect_eq(out.fault, 1, "%s: measured first", measured[k]);
	}
}

Test(subr, scratch_taken_by_strjoin_json_and_builtins)
{
	/* emulator-facts.md 1 */
	begin(FB);
	arg_s("{\"a\":1}");
	arg_s("a");
	T.c.scratch_size = 10;
	call("json", true);
	cr_expect_eq(out.fault, 0);
	cr_expect_str_eq(out.string, "1");
	cr_expect_eq(info.scratch_used, 8, "jsonlen + 1");
	T.c.scratch_size = 9;
	call("json", true);
	cr_expect_eq(out.fault, 5, "needs jsonlen + 1 + selector + 1");
	begin(FB);
	T.c.strsize = 64;
	T.c.scratch_size = 63;
	arg_s("ab");
	arg_s("ab");
	call("strjoin", true);
	cr_expect_eq(out.fault, 5, "strjoin requires strsize free");
}
