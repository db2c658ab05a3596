/*
 * The subroutine algorithms on plain buffers (difvm/subr_str.h): DTrace's
 * results for every rule and corner listed in dif-isa.md section 6.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "difvm/subr_str.h"

#define CAP 256

static struct dif_src S(const char *s)
{
	return dif_src_mem(s, strlen(s));
}

typedef size_t (*str_fn)(struct dif_src *, char *, size_t);

static void check_str(str_fn fn, const char *name, const char *in,
                      const char *want)
{
	char out[CAP];
	struct dif_src s = S(in);
	memset(out, 'Z', sizeof(out));
	size_t n = fn(&s, out, sizeof(out));
	cr_assert_str_eq(out, want, "%s(\"%s\") = \"%s\", want \"%s\"", name, in,
	                 out, want);
	cr_assert_eq(n, strlen(want), "%s(\"%s\") length", name, in);
}

Test(pure, basename)
{
	static const char *cases[][2] = {
		{ "", "." },           { "/", "/" },         { "///", "/" },
		{ "a", "a" },          { "/a", "a" },        { "a/b", "b" },
		{ "a/b/", "b" },       { "a/b//", "b" },     { "/usr/lib/x.so", "x.so" },
		{ "//x", "x" },        { ".", "." },         { "..", ".." },
		{ "a//b", "b" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_str(dif_s_basename, "basename", cases[i][0], cases[i][1]);
}

Test(pure, dirname)
{
	static const char *cases[][2] = {
		{ "", "." },       { "/", "/" },      { "///", "/" },
		{ "a", "." },      { "/x", "/" },     { "//x", "/" },
		{ "a/b", "a" },    { "a/b/", "a" },   { "a//b", "a" },
		{ "/a/b", "/a" },  { "/a/b/c//", "/a/b" }, { "a/", "." },
		{ "/a/", "/" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_str(dif_s_dirname, "dirname", cases[i][0], cases[i][1]);
}

static size_t cleanpath3(struct dif_src *s, char *out, size_t cap)
{
	return dif_s_cleanpath(s, out, cap, NULL);
}

Test(pure, cleanpath)
{
	static const char *cases[][2] = {
		{ "", "" },
		{ "/", "/" },
		{ "//a", "/a" },
		{ "/a//b", "/a/b" },
		{ "/a/./b", "/a/b" },
		{ "/a/../b", "/b" },
		{ "/a/b/..", "/a/" }, /* DTrace keeps the slash */
		{ "/a/..", "/" },
		{ "/..", "Z" }, /* DTrace: the stale byte 0 (out is all 'Z') */
		{ "/../x", "/x" },
		{ "/a/.b", "/a/.b" },
		{ "/a/..b", "/a/..b" },
		{ "/a/", "/a/" },
		{ "/a/.", "/a/." },
		{ "../x", "../x" },
		{ "a/../b", "/b" }, /* DTrace: the relative head is lost */
		{ "a/..", "a" },
		{ "/usr/./lib/../bin//ls", "/usr/bin/ls" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_str(cleanpath3, "cleanpath", cases[i][0], cases[i][1]);
}

Test(pure, cleanpath_stops_five_bytes_before_the_end)
{
	char out[8];
	struct dif_src s = S("abcdefghij");
	size_t n = dif_s_cleanpath(&s, out, sizeof(out), NULL);
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(n, 3);
	struct dif_src t = S("x");
	char tiny[4];
	dif_s_cleanpath(&t, tiny, sizeof(tiny), NULL);
	cr_assert_str_eq(tiny, "");
}

static void check_substr(const char *s, int64_t idx, bool have, int64_t cnt,
                         const char *want)
{
	char out[CAP];
	struct dif_src src = S(s);
	dif_s_substr(&src, idx, have, cnt, 256, out, sizeof(out));
	cr_assert_str_eq(out, want, "substr(\"%s\", %lld%s%lld) = \"%s\"", s,
	                 (long long)idx, have ? ", " : " no len ",
	                 (long long)cnt, out);
}

Test(pure, substr)
{
	check_substr("hello", 0, false, 0, "hello");
	check_substr("hello", 1, false, 0, "ello");
	check_substr("hello", 1, true, 3, "ell");
	check_substr("hello", -3, false, 0, "llo");
	check_substr("hello", -3, true, 2, "ll");
	check_substr("hello", 1, true, -1, "ell");
	check_substr("hello", 0, true, -5, "");
	check_substr("hello", 0, true, -9, "");
	check_substr("hello", -10, true, 7, "he");
	check_substr("hello", -10, true, 5, "");
	check_substr("hello", -10, false, 0, "hello");
	check_substr("hello", 5, false, 0, "");
	check_substr("hello", 99, true, 2, "");
	check_substr("hello", 2, true, 0, "");
	check_substr("hello", 2, true, INT64_MAX, "llo");
	/* DTrace's sums wrap: -2^63 + 5 + -2^63 is 5. */
	check_substr("hello", INT64_MIN, true, INT64_MIN, "hello");
	check_substr("/a/../..", -11, true, INT64_MIN + 1, "/a/../..");
	check_substr("hello", INT64_MIN, true, INT64_MAX, "hell");
	check_substr("hello", -1, true, INT64_MIN, "");
	check_substr("", 0, false, 0, "");
	check_substr("", -1, true, 1, "");
}

Test(pure, substr_is_bounded_by_size_and_cap)
{
	char out[4];
	struct dif_src s = S("abcdefgh");
	dif_s_substr(&s, 0, false, 0, 256, out, sizeof(out));
	cr_assert_str_eq(out, "abc");
	char big[64];
	/* index + len > size: len becomes size - index. */
	dif_s_substr(&s, 2, true, 100, 5, big, sizeof(big));
	cr_assert_str_eq(big, "cde");
}

Test(pure, toupper_tolower)
{
	char out[CAP];
	struct dif_src s = S("Hello, World_09 z@[`{");
	dif_s_case(&s, true, out, sizeof(out));
	cr_assert_str_eq(out, "HELLO, WORLD_09 Z@[`{");
	dif_s_case(&s, false, out, sizeof(out));
	cr_assert_str_eq(out, "hello, world_09 z@[`{");
	char hi[] = "\xc3\xa9X";
	struct dif_src h = S(hi);
	dif_s_case(&h, false, out, sizeof(out));
	cr_assert_str_eq(out, "\xc3\xa9x");
	char small[3];
	dif_s_case(&s, true, small, sizeof(small));
	cr_assert_str_eq(small, "HE");
}

Test(pure, strchr_strrchr)
{
	struct dif_src s = S("abcabc");
	cr_assert_eq(dif_s_strchr(&s, true, 'b', false), 1);
	cr_assert_eq(dif_s_strchr(&s, true, 'b', true), 4);
	cr_assert_eq(dif_s_strchr(&s, true, 'x', false), DIF_S_NONE);
	cr_assert_eq(dif_s_strchr(&s, true, 'x', true), DIF_S_NONE);
	/* The terminator is found when it is inside the bound. */
	cr_assert_eq(dif_s_strchr(&s, true, '\0', false), 6);
	cr_assert_eq(dif_s_strchr(&s, true, '\0', true), 6);
	cr_assert_eq(dif_s_strchr(&s, false, '\0', false), DIF_S_NONE);
	struct dif_src e = S("");
	cr_assert_eq(dif_s_strchr(&e, true, '\0', false), 0);
	cr_assert_eq(dif_s_strchr(&e, true, 'a', false), DIF_S_NONE);
}

Test(pure, strstr)
{
	struct dif_src s = S("hello world"), e = S("");
	struct dif_src o = S("o"), w = S("world"), x = S("worlds"), n = S("");
	cr_assert_eq(dif_s_strstr(&s, NULL, &o), 4);
	cr_assert_eq(dif_s_strstr(&s, NULL, &w), 6);
	cr_assert_eq(dif_s_strstr(&s, NULL, &x), DIF_S_NONE);
	cr_assert_eq(dif_s_strstr(&s, NULL, &n), 0);
	cr_assert_eq(dif_s_strstr(&e, NULL, &n), 0);
	cr_assert_eq(dif_s_strstr(&e, NULL, &o), DIF_S_NONE);
}

static int64_t idx(const char *s, const char *sub, bool have, int64_t start,
                   bool rev)
{
	struct dif_src a = S(s), b = S(sub);
	return dif_s_index(&a, NULL, &b, have, start, rev);
}

Test(pure, index_rules)
{
	cr_assert_eq(idx("abcabc", "bc", false, 0, false), 1);
	cr_assert_eq(idx("abcabc", "bc", true, 2, false), 4);
	cr_assert_eq(idx("abcabc", "bc", true, 5, false), -1);
	cr_assert_eq(idx("abcabc", "bc", true, -7, false), 1); /* clamped to 0 */
	cr_assert_eq(idx("abcabc", "bc", true, 6, false), -1); /* start >= len */
	cr_assert_eq(idx("abcabc", "", true, 6, false), 6);    /* "" -> len */
	cr_assert_eq(idx("abcabc", "", true, 99, false), 6);
	cr_assert_eq(idx("abcabc", "", true, 3, false), 3);
	cr_assert_eq(idx("abcabc", "", false, 0, false), 0);
	cr_assert_eq(idx("abcabc", "x", false, 0, false), -1);
	cr_assert_eq(idx("", "", true, 5, false), 0);
	cr_assert_eq(idx("", "a", false, 0, false), -1);
	cr_assert_eq(idx("ab", "abc", false, 0, false), -1);
	cr_assert_eq(idx("abcabc", "bc", true, INT64_MIN, false), 1);
	cr_assert_eq(idx("abcabc", "bc", true, INT64_MAX, false), -1);
}

Test(pure, rindex_rules)
{
	cr_assert_eq(idx("abcabc", "bc", false, 0, true), 4);
	cr_assert_eq(idx("abcabc", "bc", true, 3, true), 1);
	cr_assert_eq(idx("abcabc", "bc", true, 4, true), 4);
	cr_assert_eq(idx("abcabc", "bc", true, 0, true), -1);
	cr_assert_eq(idx("abcabc", "bc", true, 99, true), 4); /* clamped */
	cr_assert_eq(idx("abcabc", "bc", true, -1, true), -1);
	cr_assert_eq(idx("abcabc", "", true, -1, true), 0); /* "" -> 0 */
	cr_assert_eq(idx("abcabc", "", false, 0, true), 6);
	cr_assert_eq(idx("abcabc", "", true, 2, true), 2);
	cr_assert_eq(idx("abcabc", "a", true, INT64_MAX, true), 3);
	cr_assert_eq(idx("abcabc", "a", true, INT64_MIN, true), -1);
	cr_assert_eq(idx("", "", true, -3, true), 0);
	cr_assert_eq(idx("", "a", false, 0, true), -1);
}

Test(pure, strtok_sequence)
{
	struct dif_src s = S("  a,b;;c  "), d = S(" ,;");
	char out[CAP];
	size_t next = 0, at = 0;
	const char *want[] = { "a", "b", "c" };
	for (int i = 0; i < 3; i++) {
		cr_assert(dif_s_strtok(&s, at, s.len + 1, &d, out, sizeof(out), &next));
		cr_assert_str_eq(out, want[i]);
		at = next;
	}
	cr_assert_not(dif_s_strtok(&s, at, s.len + 1, &d, out, sizeof(out), &next));
	struct dif_src e = S("");
	cr_assert_not(dif_s_strtok(&e, 0, e.len + 1, &d, out, sizeof(out), &next));
	struct dif_src only = S(",,;");
	cr_assert_not(dif_s_strtok(&only, 0, only.len + 1, &d, out, sizeof(out), &next));
}

Test(pure, strtok_no_delimiters_and_long_tokens)
{
	struct dif_src s = S("abcdef"), none = S("");
	char out[4];
	size_t next = 0;
	cr_assert(dif_s_strtok(&s, 0, s.len + 1, &none, out, sizeof(out), &next));
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(next, 3); /* the rest comes with the next call */
	cr_assert(dif_s_strtok(&s, next, s.len + 1, &none, out, sizeof(out), &next));
	cr_assert_str_eq(out, "def");
	cr_assert_not(dif_s_strtok(&s, next, s.len + 1, &none, out, sizeof(out), &next));
}

Test(pure, strtok_range_without_nul)
{
	/* Only delimiters up to the end of the checked range and no NUL: an
	 * empty token (DTrace reads to the limit, not to a NUL). */
	struct dif_src s = S("abab"), d = S("ab"), x = S("x");
	char out[CAP];
	size_t next = 0;
	cr_assert(dif_s_strtok(&s, 0, s.len, &d, out, sizeof(out), &next));
	cr_assert_str_eq(out, "");
	cr_assert_eq(next, 4);
	cr_assert_not(dif_s_strtok(&s, 0, s.len + 1, &d, out, sizeof(out), &next));
	cr_assert(dif_s_strtok(&s, 1, s.len, &x, out, sizeof(out), &next));
	cr_assert_str_eq(out, "bab");
	/* Nothing left to skip: the delimiter scan's last byte decides, the
	 * NUL when delim covers it, else an empty token (Decision 24). */
	struct dif_src dn = dif_src_mem("ab", 3);
	cr_assert_not(dif_s_strtok(&s, 4, s.len, &dn, out, sizeof(out), &next));
	cr_assert(dif_s_strtok(&s, 4, s.len, &d, out, sizeof(out), &next));
	cr_assert_str_eq(out, "");
}

Test(pure, strjoin_fits_exactly)
{
	char out[6];
	struct dif_src a = S("ab"), b = S("cde"), c = S("cdef"), e = S("");
	cr_assert(dif_s_strjoin(&a, &b, out, sizeof(out)));
	cr_assert_str_eq(out, "abcde");
	cr_assert_not(dif_s_strjoin(&a, &c, out, sizeof(out)));
	cr_assert(dif_s_strjoin(&e, &e, out, sizeof(out)));
	cr_assert_str_eq(out, "");
	struct dif_src full = S("abcdef");
	cr_assert_not(dif_s_strjoin(&full, &e, out, sizeof(out)));
}

static void check_lltostr(int64_t v, unsigned base, const char *want)
{
	char out[DIF_LLTOSTR_SIZE];
	size_t at = dif_s_lltostr(v, base, out);
	cr_assert_str_eq(out + at, want, "lltostr(%lld, %u) = \"%s\"",
	                 (long long)v, base, out + at);
	cr_assert_eq(at + strlen(want), DIF_LLTOSTR_SIZE - 1,
	             "result ends the area");
}

Test(pure, lltostr)
{
	check_lltostr(0, 10, "0");
	check_lltostr(0, 16, "0x0");
	check_lltostr(0, 8, "0");
	check_lltostr(0, 2, "0");
	check_lltostr(42, 10, "42");
	check_lltostr(-42, 10, "-42");
	check_lltostr(255, 16, "0xff");
	check_lltostr(8, 8, "010");
	check_lltostr(5, 2, "101");
	check_lltostr(35, 36, "z");
	check_lltostr(-1, 16, "0xffffffffffffffff");
	check_lltostr(-1, 2,
	              "1111111111111111111111111111111111111111111111111111111111111111");
	check_lltostr(-1, 8, "01777777777777777777777");
	check_lltostr(INT64_MIN, 10, "-9223372036854775808");
	check_lltostr(INT64_MAX, 10, "9223372036854775807");
	check_lltostr(-5, 3, "11112220022122120101211020120210210211202");
}

Test(pure, base_argument)
{
	unsigned b = 0;
	cr_assert(dif_s_base_ok(2, &b) && b == 2);
	cr_assert(dif_s_base_ok(36, &b) && b == 36);
	cr_assert_not(dif_s_base_ok(1, &b));
	cr_assert_not(dif_s_base_ok(0, &b));
	cr_assert_not(dif_s_base_ok(37, &b));
	cr_assert_not(dif_s_base_ok((uint64_t)-16, &b));
	/* Only the low 32 bits count, as in DTrace's int. */
	cr_assert(dif_s_base_ok(0x100000010ull, &b) && b == 16);
}

static int64_t stoll(const char *s, unsigned base)
{
	struct dif_src src = S(s);
	return dif_s_strtoll(&src, base, src.len);
}

Test(pure, strtoll)
{
	cr_assert_eq(stoll("123", 10), 123);
	cr_assert_eq(stoll("  \t-123xyz", 10), -123);
	cr_assert_eq(stoll("+7", 10), 7);
	cr_assert_eq(stoll("0x1F", 16), 31);
	cr_assert_eq(stoll("0X1f", 16), 31);
	cr_assert_eq(stoll("0x", 16), 0);
	cr_assert_eq(stoll("0xg", 16), 0);
	cr_assert_eq(stoll("0x1F", 10), 0);
	cr_assert_eq(stoll("1F", 16), 31);
	cr_assert_eq(stoll("777", 8), 511);
	cr_assert_eq(stoll("789", 8), 7);
	cr_assert_eq(stoll("zz", 36), 1295);
	cr_assert_eq(stoll("", 10), 0);
	cr_assert_eq(stoll("\n5", 10), 0); /* only spaces and tabs skipped */
	cr_assert_eq(stoll("- 5", 10), 0);
	cr_assert_eq(stoll("9223372036854775807", 10), INT64_MAX);
	cr_assert_eq(stoll("-9223372036854775808", 10), INT64_MIN);
	cr_assert_eq(stoll("18446744073709551617", 10), 1); /* wraps */
}

static const char *ntoa(const uint8_t a[4], char out[DIF_INET4_SIZE])
{
	return out + dif_s_inet4(a, out);
}

Test(pure, inet_ntoa)
{
	char out[DIF_INET4_SIZE];
	static const uint8_t a[4] = { 192, 168, 0, 1 };
	static const uint8_t z[4] = { 0, 0, 0, 0 };
	static const uint8_t f[4] = { 255, 255, 255, 255 };
	cr_assert_str_eq(ntoa(a, out), "192.168.0.1");
	cr_assert_str_eq(ntoa(z, out), "0.0.0.0");
	cr_assert_str_eq(ntoa(f, out), "255.255.255.255");
	cr_assert_eq(dif_s_inet4(f, out), 0);
}

static void check6(const char *hex, bool ntop, const char *want)
{
	uint8_t a[16];
	char out[DIF_INET6_SIZE];
	for (int i = 0; i < 16; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		a[i] = (uint8_t)v;
	}
	size_t at = dif_s_inet6(a, ntop, out);
	cr_assert_str_eq(out + at, want, "%s %s: \"%s\"", ntop ? "ntop" : "ntoa6",
	                 hex, out + at);
	cr_assert_eq(at + strlen(want), DIF_INET6_SIZE - 1);
}

Test(pure, inet6_zero_runs)
{
	check6("00000000000000000000000000000000", false, "::");
	check6("00000000000000000000000000000001", false, "::1");
	check6("fe8000000000000002144ffffe0b76c8", false,
	       "fe80::214:4fff:fe0b:76c8");
	check6("20010db885a3000100028a2e03707334", true,
	       "2001:db8:85a3:1:2:8a2e:370:7334");
	/* DTrace compresses a single zero group, but not a last one. */
	check6("00010000000200030004000500060007", false, "1::2:3:4:5:6:7");
	check6("00010002000300040005000600070000", false, "1:2:3:4:5:6:7:0");
	check6("00010002000300040005000600000000", false, "1:2:3:4:5:6::");
	/* The longer run wins; of two equal runs the later one does, since a
	 * run is measured up to the next non-zero byte. */
	check6("00010000000000020000000000000003", false, "1:0:0:2::3");
	check6("00010000000000020003000000000004", false, "1:0:0:2:3::4");
}

Test(pure, inet6_embedded_ipv4)
{
	/* v4-mapped */
	check6("00000000000000000000ffffc0a80001", false, "192.168.0.1");
	check6("00000000000000000000ffffc0a80001", true, "::ffff:192.168.0.1");
	check6("00000000000000000000ffff00000000", true, "::ffff:0.0.0.0");
	/* v4-compatible (not :: and not ::1) */
	check6("00000000000000000000000001020304", false, "1.2.3.4");
	check6("00000000000000000000000001020304", true, "::1.2.3.4");
	/* DTrace prints the zero groups when the run reaches into the
	 * embedded address. */
	check6("00000000000000000000000000000102", true, "0:0:0:0:0:0:0.0.1.2");
	check6("00000000000000000000000000000102", false, "0.0.1.2");
}

/* The scanner as difvm calls it: the text's jsonlen + 1 bytes, then the
 * packed element list. */
static bool js_run(const char *json, const char *sel, uint64_t size,
                   char *out, size_t cap)
{
	struct dif_src j = S(json), s = S(sel);
	size_t jl = strlen(json);
	cr_assert(jl + 1 + strlen(sel) + 1 <= cap);
	unsigned n = dif_s_json_elems(&s, out + jl + 1);
	return dif_s_json(&j, out + jl + 1, n, size, false, out, jl + 1);
}

static bool js(const char *json, const char *sel, const char *want)
{
	char out[CAP];
	memset(out, 'Z', sizeof(out));
	bool ok = js_run(json, sel, 256, out, sizeof(out));
	if (want) {
		cr_assert(ok, "json(%s, %s) not found", json, sel);
		cr_assert_str_eq(out, want, "json(%s, %s) = %s", json, sel, out);
	} else {
		cr_assert_not(ok, "json(%s, %s) found %s", json, sel, out);
	}
	return ok;
}

/* Every byte the scanner leaves (Decision 31): n bytes of want at out. */
static void js_bytes(const char *json, const char *sel, bool found,
                     const char *want, size_t n)
{
	char out[CAP];
	memset(out, 'Z', sizeof(out));
	cr_assert_eq(js_run(json, sel, 256, out, sizeof(out)), found,
	             "json(%s, %s)", json, sel);
	cr_assert(memcmp(out, want, n) == 0, "json(%s, %s) bytes", json, sel);
}

Test(pure, json_scratch_bytes)
{
	/* a longer key's tail stays behind the value's NUL; the element list
	 * follows the text's jsonlen + 1 bytes */
	js_bytes("{\"abc\":1,\"b\":2}", "b", true,
	         "2\0c\0" "ZZZZZZZZZZZZ" "b\0", 18);
	/* a failed search leaves the last gathered bytes */
	js_bytes("{\"ab\":[1,2],\"x\":3}", "q", false,
	         "3\0,2]" "ZZZZZZZZZZZZZZ" "q\0", 21);
	/* '.' and '[' end an element, ']' and a leading '[' are dropped */
	js_bytes("[{\"a\":[5,6]}]", "[0].a[1]", true,
	         "6\0" "ZZZZZZZZZZZZ" "0\0a\0" "1\0", 20);
	/* an element list that selects a scalar's inside: not found */
	js_bytes("[1]", "[0].a", false, "1\0Z" "Z" "0\0a\0", 8);
}

Test(pure, json_values)
{
	const char *doc = "{\"a\":{\"b\":[10,20,{\"c\":\"x\"}]},\"d\":-1.5e+3}";
	js(doc, "a.b[2].c", "x");
	js(doc, "a.b[1]", "20");
	js(doc, "a.b[0]", "10");
	js(doc, "a.b", "[10,20,{\"c\":\"x\"}]");
	js(doc, "a", "{\"b\":[10,20,{\"c\":\"x\"}]}");
	js(doc, "d", "-1.5e+3");
	js(doc, "z", NULL);
	js(doc, "a.b[3]", NULL);
	js(doc, "a.z", NULL);
	js("{\"t\":true,\"f\":false,\"n\":null}", "t", "true");
	js("{\"t\":true,\"f\":false,\"n\":null}", "f", "false");
	js("{\"t\":true,\"f\":false,\"n\":null}", "n", "null");
	js("{\"s\":\"a\\\"b\\u00e9\"}", "s", "a\\\"b\\u00e9");
	js(" { \"a\" : [ 1 , 2 ] } ", "a[1]", "2");
	js("{\"a\":[1,{\"q\":2}],\"b\":3}", "b", "3");
	js("{\"a\":{\"b\":1},\"b\":2}", "b", "2");
	js("{\"k\":\"}\",\"m\":[\"]\"]}", "m", "[\"]\"]");
}

Test(pure, json_arrays_at_top)
{
	js("[1,2,3]", "1", "2");
	js("[1,2,3]", "[2]", "3");
	js("[1,2,3]", "5", NULL);
	js("[5,6]", "x", "5"); /* a non-number index reads as 0 */
	js("[[1,2],[3,4]]", "[1][0]", "3");
	js("[{\"a\":1},{\"a\":2}]", "[1].a", "2");
}

Test(pure, json_rejects)
{
	js("{\"a\":\"x\"}", "a.b", NULL); /* a string where an object is due */
	js("{\"a\":1}", "a.b", NULL);
	js("{\"a\":true}", "a.b", NULL);
	js("{\"a\":0x10}", "a", NULL);
	js("{\"a\":tru}", "a", NULL);
	js("{\"a\":1", "a", NULL);       /* ends inside the object */
	js("{\"a\":\"\\uzzzz\"}", "a", NULL);
	js("{\"a\" 1}", "a", NULL);
	js("{a:1}", "a", NULL);
	js("\"a\"", "a", NULL);
	js("", "a", NULL);
	js("{\"a\":1+2}", "a", NULL);
	js("{\"a\":[1]]}", "b", NULL);
	js("{\"a\":]}", "a", NULL);
}

Test(pure, json_work_is_bounded)
{
	char out[CAP];
	cr_assert_not(js_run("{\"a\":1,\"b\":2}", "b", 8, out, sizeof(out)));
	cr_assert(js_run("{\"a\":1,\"b\":2}", "b", 256, out, sizeof(out)));
	cr_assert_str_eq(out, "2");
}

Test(pure, byte_swaps)
{
	cr_assert_eq(dif_s_bswap16(0x1234), 0x3412);
	cr_assert_eq(dif_s_bswap16(0xffffffffffff1234ull), 0x3412);
	cr_assert_eq(dif_s_bswap32(0x12345678), 0x78563412);
	cr_assert_eq(dif_s_bswap32(0xaaaaaaaa12345678ull), 0x78563412);
	cr_assert_eq(dif_s_bswap64(0x0102030405060708ull), 0x0807060504030201ull);
}

/* A source with no host pointer: the callback path used for memory only
 * the host's read interface can reach. */
static int fetch(struct dif_src *s, size_t i)
{
	return ((const char *)s->ud)[i];
}

Test(pure, callback_sources)
{
	const char *text = "/usr/lib/libc.so";
	struct dif_src s = dif_src_mem(NULL, strlen(text));
	s.get = fetch;
	s.ud = (void *)text;
	char out[CAP];
	dif_s_basename(&s, out, sizeof(out));
	cr_assert_str_eq(out, "libc.so");
	dif_s_dirname(&s, out, sizeof(out));
	cr_assert_str_eq(out, "/usr/lib");
}
