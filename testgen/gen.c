/*
 * Program generator. Programs are built from small snippets (constants,
 * ALU, compare-and-branch over following snippets, loads, stores, scratch,
 * variables, tuple stack, subroutine calls) over a random environment
 * (profile, limits, privileges, host regions, built-in variables).
 *
 * The generator tracks what each register roughly holds so that most
 * operations get meaningful operands, and which registers may hold an
 * address inside the static or dynamic variable windows ("tainted"): their
 * layout is implementation detail (docs/conventions.md), so such values
 * are never returned, compared or used in ways whose result depends on it.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "difvm/isa.h"
#include "tg.h"

enum { K_INT, K_STR, K_SCR, K_REG, K_ENV };

/* Fixed host memory, so that addresses can be written as constants. */
#define RG_KERN 0x10000ull  /* kernel, canload: strings, ips, ints */
#define RG_PRIV 0x20000ull  /* kernel, not canload */
#define RG_USER 0x30000ull  /* user space */
#define RG_TOXIC 0x40000ull /* toxic */
#define RG_SIZE 256u
/* a short kernel region above the VM window: copies from it into scratch
 * run forwards (DTrace's bcopy copies backwards when dest > src) */
#define RG_HIGH 0xfffffe0000000000ull

struct gen {
	struct tg_rng r;
	struct tg_prog p;
	struct dc_case *c;
	uint8_t kind[8];
	uint8_t taint[8];
	uint64_t scr[8]; /* scratch allocation size for K_SCR */
	int cond;        /* inside code a branch may skip */
	int memtaint;    /* a tainted value was stored to memory */
	int prologue;    /* later runs read the start of scratch first */
	int vtaint[3][8];
	/* registers pointing into dynamic variables, and those whose element
	 * may have been deleted or reused since (not observed: freed memory) */
	uint8_t dynptr, stale;
	uint32_t strsize; /* effective */
	int focus_op, focus_subr;
	unsigned budget; /* snippets still to emit */
	unsigned acc;    /* accumulator register (7) or 0: results are added
	                    to it and it is returned, so they stay live */
	unsigned badpct; /* how often a string argument is a bad pointer */
	unsigned tilt;   /* T_* (this attempt is directed at a rare case) */
	unsigned nbad;   /* bad string arguments drawn so far (T_TWOBAD) */
};

/* Directions for the partition tests of model cases whose guards need a
 * rare combination (thousands of attempts each otherwise); see tilts[]. */
enum {
	T_TOXSTR = 1,  /* no kernel privilege, a toxic hole in the kernel
	                  region, bad strings run into it */
	T_EMPTY = 2,   /* new strings are often "" */
	T_HOSTSTR = 4, /* string built-ins, no kernel privilege, the host
	                  answers them */
	T_UREGS = 8,   /* uregs[] stores allowed, the host answers them with
	                  a fault or an invalid code as often as with 0 */
	T_BADSTR = 16, /* no kernel privilege, bad strings (mostly ones with
	                  no NUL in the kernel region) stored and compared */
	T_BVSTR = 32,  /* string built-ins the case sets, no kernel privilege */
	T_ARR2 = 64,   /* built-in array accesses are to uregs[] */
	T_BADKEY = 128, /* bad by-ref keys */
	T_NOKPRIV = 256, /* no kernel privilege */
	T_KPRIV = 512, /* no kernel privilege, bad strings are mostly ones
	                  that fail canload */
	T_JOIN = 1024, /* strjoin's operands fill strsize - 1, strsize or
	                  strsize + 1 bytes, mostly without kernel privilege */
	T_NUM = 2048,  /* strtoll's numbers, half of them after a tab and a
	                  space (blanks only it skips, Decision 26) */
	T_ODDSCR = 4096, /* the scratch pointer is left unaligned (allocs of
	                    1 to 7 bytes) before the focus: copyin aligns */
	T_TWOBAD = 8192, /* kernel visibility, both string arguments bad: the
	                    first unreadable at its start, the second running
	                    into unreadable memory (strtok: the delimiter
	                    scan faults, then the skip reads s, Decision 30) */
	T_CPFAULT = 16384, /* two runs; the first makes a copy fault with
	                      bytes on both sides of the fault, where the
	                      second's stale-scratch prologue reads them
	                      (Decision 14) */
	T_CPNOK = 32768, /* with T_CPFAULT: no kernel visibility, the toxic
	                    hole in the loadable kernel region (strjoin's
	                    strcanload and the measurements fault there and
	                    DTrace goes on, Decision 14) */
	T_LIMIT = 65536, /* with T_TOXSTR: the hole inside the loadable
	                    region, strsize 8 to 64: strcanload's read of
	                    strsize bytes passes and the loop reads on to the
	                    hole (Decisions 24, 30) */
};

static uint64_t R(struct gen *g, uint64_t n)
{
	return tg_below(&g->r, n);
}

static int chance(struct gen *g, unsigned pct)
{
	return R(g, 100) < pct;
}

/* A register the snippets may write (all but the accumulator). */
static unsigned reg(struct gen *g)
{
	return 1 + (unsigned)R(g, g->acc ? 6 : 7);
}

/* The writable register after r, wrapping. */
static unsigned next_reg(const struct gen *g, unsigned r)
{
	unsigned n = g->acc ? 6 : 7;
	return r >= n ? 1 : r + 1;
}

static const uint64_t ipool[] = {
	0, 1, 2, 3, 7, 8, 10, 16, 31, 32, 63, 64, 65, 100, 127, 128, 255, 256,
	0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
	0xffffffffffffffffull, 0xfffffffffffffffeull, 0xfffffffffffffff9ull,
	0x8000000000000001ull, 0xd06ed00d, 0x0123456789abcdefull, 1024,
	0xfffffffffffffc00ull, 513, 4096,
};

static uint64_t ival(struct gen *g)
{
	switch (R(g, 8)) {
	case 0:
		return tg_rand(&g->r);
	case 1:
		return R(g, 20) - 10;
	default:
		return ipool[R(g, sizeof(ipool) / sizeof(ipool[0]))];
	}
}

static const char *const spool[] = {
	"", "a", "abc", "hello world", "Hello, World!", "foo.bar", "/",
	"//", "/usr/lib/libc.so.1", "/usr/./lib//x/../libc.so", "a/b/",
	"../x/./y", "  -123", "0x1f", "777", "z", "zzz", "hello",
	"a,b,,c", ",", "o", "lo", "{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}],\"d\":true}",
	"a", "b[2].c", "b[5]", "d", "b[1]", "12345678901234567890", "-9223372036854775808",
	"MiXeD cAsE 123", "\xc3\xa9t\xc3\xa9", "tab\there", ".", "..", "/a/../..",
	"[{\"a\":1,\"\":[7]},2,[3,4]]", ".a", "[0].a", "[2][1]", "x", "a..b", "[0].",
	/* every letter class, 'Z' and 'z' at the edges, bytes above 0x7f */
	"Zebra ZOO zz", "AZaz09", "Z", "zZ/Zz", "ZZ", "0xZ", "zz9", "-0x7fz",
	"\x7f\x80\xff\xfe", "caf\xe9\xff", "@[`{", "A-Z_a-z~", "  \t+42Z",
	"/ZZ/../zz/./", "1,Z,,z", "\x01\x1f ~",
	/* json numbers and the blanks that only one kernel's isspace takes */
	"\v[\f1e+5-3,\n2.5x,-0.5E2]", "[1x]", "[1+2]", "{\"a\":\v-7,\"b\":\f9}",
	"\r\n[\t7]", "[9Pz]",
	/* containers are skipped or kept by counting, strings checked */
	"{\"x\":{1,2},\"a\":[1x,-],\"b\":{[}]}", "{\"a\":\"\\u12\"}",
	"[[\"\\u1\"],\"\\u00e9\",{]}",
	/* a name with only slashes before it (dirname is "/") */
	"/etc", "//x/",
	/* cleanpath backing up to the root before writing (Decision 25) */
	"/..", "//./..", "/../..",
	/* cleanpath leaving a dropped component after its NUL (Decision 31) */
	"/abcdef/..", "/usr/libexec/../x", "a/bcd/..",
};

/* A random string over all non-NUL bytes, letter-class heavy. */
static size_t rand_str(struct gen *g, char *buf, size_t cap)
{
	static const char edge[] = "AZaz09@[`{/.,:-_ \t\v\f\x7f\x80\xff";
	size_t n = (size_t)R(g, 48);
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = R(g, 4);
		buf[i] = k == 0 ? (char)(1 + R(g, 255))
		         : k == 1 ? edge[R(g, sizeof(edge) - 1)]
		         : k == 2 ? (char)('A' + R(g, 26)) : (char)('a' + R(g, 26));
	}
	buf[n] = 0;
	return n;
}

/* A string for sets: a pool entry, or one near the strsize limit. */
static size_t sval(struct gen *g, char *buf, size_t cap)
{
	if (chance(g, 12)) {
		size_t n = g->strsize + R(g, 3) - 1; /* strsize-1 .. strsize+1 */
		if (n >= cap)
			n = cap - 1;
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)('a' + (i % 26));
		buf[n] = 0;
		return n;
	}
	if (chance(g, 10))
		return rand_str(g, buf, cap);
	if (chance(g, 4)) {
		/* around the 256-byte default bound of pushtr */
		size_t n = 254 + (size_t)R(g, 5);
		if (n >= cap)
			n = cap - 1;
		for (size_t i = 0; i < n; i++)
			buf[i] = (char)('A' + (i * 7) % 58);
		buf[n] = 0;
		return n;
	}
	const char *s = spool[R(g, sizeof(spool) / sizeof(spool[0]))];
	size_t n = strlen(s);
	memcpy(buf, s, n + 1);
	return n;
}

static int strlike(int k)
{
	return k == K_STR || k == K_ENV;
}

static void set_kind(struct gen *g, unsigned rd, int k, int taint)
{
	/* skipped code may leave the old value: taint only accumulates, and
	 * a window address that is not a string's start (an offset into a
	 * variable) must not become a string (read up to strsize bytes, it
	 * runs past the variable: layout) */
	if (g->cond && g->taint[rd] && !strlike(g->kind[rd]) && strlike(k))
		k = K_INT;
	g->kind[rd] = (uint8_t)k;
	if (g->cond) {
		g->taint[rd] |= (uint8_t)taint;
	} else {
		g->taint[rd] = (uint8_t)taint;
		g->dynptr &= (uint8_t)~(1u << rd);
		g->stale &= (uint8_t)~(1u << rd);
	}
}

static void emit_r(struct gen *g, unsigned op, unsigned r1, unsigned r2,
                   unsigned rd)
{
	tg_emit(&g->p, DIF_ENC_R(op, r1, r2, rd));
}

/* A register holding a kind, or a new one loaded with it. */
static unsigned want(struct gen *g, int k);
static unsigned bad_str_reg(struct gen *g);

static void load_int(struct gen *g, unsigned rd, uint64_t v)
{
	tg_setx(&g->p, rd, v);
	set_kind(g, rd, K_INT, 0);
}

static void load_str(struct gen *g, unsigned rd)
{
	char buf[1200];
	size_t n = g->tilt & T_EMPTY && chance(g, 50) ? (buf[0] = 0, 0)
	                                               : sval(g, buf, sizeof(buf));
	tg_sets(&g->p, rd, buf, n);
	set_kind(g, rd, K_STR, 0);
}

static uint64_t region_addr(struct gen *g)
{
	static const uint64_t bases[] = { RG_KERN, RG_PRIV, RG_USER, RG_TOXIC };
	uint64_t b = bases[R(g, 4)];
	/* (201..207: loads straddling the start of the toxic hole at 208) */
	static const uint64_t offs[] = { 0, 1, 2, 4, 8, 16, 48, 52, 68, 72,
		                         128, 250, 252, 255, 256, 260, 201,
		                         204, 206 };
	return b + offs[R(g, sizeof(offs) / sizeof(offs[0]))];
}

static void load_scr(struct gen *g, unsigned rd)
{
	/* allocs: zeroed 8-aligned scratch */
	/* (no empty allocation: its pointer is where nothing is allocated) */
	static const uint64_t sizes[] = { 4, 1, 8, 16, 24, 64, 256, 1000 };
	uint64_t sz = sizes[R(g, 8)];
	unsigned rs = next_reg(g, rd);
	tg_setx(&g->p, rs, sz);
	set_kind(g, rs, K_INT, 0);
	emit_r(g, DIF_OPC_ALLOCS, rs, 0, rd);
	/* (an empty allocation points at what is not allocated) */
	set_kind(g, rd, sz ? K_SCR : K_INT, 0);
	g->scr[rd] = sz;
}

static unsigned want(struct gen *g, int k)
{
	unsigned cand[8], n = 0;
	for (unsigned i = 1; i < 8; i++)
		if (g->kind[i] == k && !g->taint[i])
			cand[n++] = i;
	if (n && chance(g, 70))
		return cand[R(g, n)];
	unsigned rd = reg(g);
	switch (k) {
	case K_STR:
		load_str(g, rd);
		break;
	case K_SCR:
		load_scr(g, rd);
		break;
	case K_REG:
		tg_setx(&g->p, rd, region_addr(g));
		set_kind(g, rd, K_REG, 0);
		break;
	default:
		load_int(g, rd, ival(g));
	}
	return rd;
}

/* Any untainted register (%r0 included sometimes). */
static unsigned any_clean(struct gen *g)
{
	if (chance(g, 5))
		return 0;
	for (int t = 0; t < 8; t++) {
		unsigned r = reg(g);
		if (!g->taint[r])
			return r;
	}
	return want(g, K_INT);
}

/* ---- snippets ------------------------------------------------------------ */

static const unsigned alu3[] = {
	DIF_OPC_OR, DIF_OPC_XOR, DIF_OPC_AND, DIF_OPC_SLL, DIF_OPC_SRL,
	DIF_OPC_SUB, DIF_OPC_ADD, DIF_OPC_MUL, DIF_OPC_SDIV, DIF_OPC_UDIV,
	DIF_OPC_SREM, DIF_OPC_UREM, DIF_OPC_SRA,
};

static void sn_alu(struct gen *g, int op)
{
	if (op < 0)
		op = (int)alu3[R(g, sizeof(alu3) / sizeof(alu3[0]))];
	unsigned a, b;
	static const uint64_t pairs[][2] = {
		{ 0x8000000000000000ull, UINT64_MAX }, { 7, 0 }, { 0, 0 },
		{ 1, 63 }, { 1, 64 }, { 1, 65 }, { UINT64_MAX, 63 },
		{ 0x8000000000000000ull, 64 }, { (uint64_t)-7, 2 },
		{ 7, (uint64_t)-2 }, { (uint64_t)-7, (uint64_t)-2 },
	};
	if (chance(g, 15)) {
		a = reg(g);
		b = next_reg(g, a);
		size_t k = R(g, sizeof(pairs) / sizeof(pairs[0]));
		load_int(g, a, pairs[k][0]);
		load_int(g, b, pairs[k][1]);
	} else if (chance(g, 60)) {
		a = reg(g);
		b = reg(g);
		load_int(g, a, ival(g));
		if (b != a)
			load_int(g, b, ival(g));
	} else {
		a = any_clean(g);
		b = any_clean(g);
	}
	unsigned rd = chance(g, 20) && a && a != g->acc ? a : reg(g);
	emit_r(g, (unsigned)op, a, b, rd);
	set_kind(g, rd, K_INT, 0);
}

static void sn_alu2(struct gen *g, int op)
{
	if (op < 0)
		op = chance(g, 50) ? DIF_OPC_NOT : DIF_OPC_MOV;
	unsigned a = any_clean(g), rd = reg(g);
	emit_r(g, (unsigned)op, a, 0, rd);
	set_kind(g, rd, op == DIF_OPC_MOV ? g->kind[a] : K_INT,
	         op == DIF_OPC_MOV ? g->taint[a] : 0);
	if (op == DIF_OPC_MOV && g->kind[a] == K_SCR)
		g->scr[rd] = g->scr[a];
}

static void snippet(struct gen *g);
static void mix(struct gen *g, uint32_t from);

/* compare (cmp / tst / scmp), then a branch over the next snippets */
static void sn_branch(struct gen *g, int cmpop, int bop)
{
	int sel = cmpop < 0 ? (int)R(g, 5) : cmpop == DIF_OPC_TST ? 3
	          : cmpop == DIF_OPC_SCMP ? 4 : 0;
	if (sel <= 2) {
		unsigned a = reg(g), b = reg(g);
		if (chance(g, 70)) {
			load_int(g, a, ival(g));
			if (b != a)
				load_int(g, b, ival(g));
		} else {
			a = any_clean(g);
			b = any_clean(g);
		}
		emit_r(g, DIF_OPC_CMP, a, b, 0);
	} else if (sel == 3) {
		unsigned a = chance(g, 70) ? any_clean(g) : reg(g);
		if (g->taint[a])
			a = any_clean(g);
		emit_r(g, DIF_OPC_TST, a, 0, 0);
	} else if (sel == 4 && chance(g, 15)) {
		/* equal strings at different addresses: s and the tail of
		 * "#" s */
		char buf[1200];
		size_t n = sval(g, buf + 1, sizeof(buf) - 1);
		unsigned a = reg(g), b = next_reg(g, a), t = next_reg(g, b);
		tg_sets(&g->p, a, buf + 1, n);
		set_kind(g, a, K_STR, 0);
		buf[0] = '#';
		tg_sets(&g->p, b, buf, n + 1);
		tg_setx(&g->p, t, 1);
		set_kind(g, t, K_INT, 0);
		emit_r(g, DIF_OPC_ADD, b, t, b);
		set_kind(g, b, K_STR, 0);
		emit_r(g, DIF_OPC_SCMP, a, b, 0);
	} else if (sel == 4) {
		unsigned pct = g->tilt & T_BADSTR ? 60 : 85;
		unsigned a = chance(g, pct) ? want(g, K_STR)
		             : chance(g, 50) ? bad_str_reg(g) : want(g, K_REG);
		unsigned b = chance(g, pct) ? want(g, K_STR) : chance(g, 30) ? 0
		             : chance(g, 50) ? bad_str_reg(g) : want(g, K_REG);
		emit_r(g, DIF_OPC_SCMP, a, b, 0);
	}
	if (bop < 0)
		bop = DIF_OPC_BA + (int)R(g, 11);
	/* result marker: rd gets 1 unless the branch skips it */
	unsigned m = reg(g);
	uint32_t at = tg_emit(&g->p, DIF_ENC_B(bop, 0));
	g->cond++;
	load_int(g, m, 1 + R(g, 100));
	mix(g, g->p.n - 1);
	unsigned k = (unsigned)R(g, 3);
	for (unsigned i = 0; i < k && g->budget; i++) {
		g->budget--;
		snippet(g);
	}
	g->cond--;
	g->p.text[at] = DIF_ENC_B(bop, g->p.n);
}

static const unsigned loads[] = {
	DIF_OPC_LDSB, DIF_OPC_LDSH, DIF_OPC_LDSW, DIF_OPC_LDUB, DIF_OPC_LDUH,
	DIF_OPC_LDUW, DIF_OPC_LDX, DIF_OPC_ULDSB, DIF_OPC_ULDSH, DIF_OPC_ULDSW,
	DIF_OPC_ULDUB, DIF_OPC_ULDUH, DIF_OPC_ULDUW, DIF_OPC_ULDX,
	DIF_OPC_RLDSB, DIF_OPC_RLDSH, DIF_OPC_RLDSW, DIF_OPC_RLDUB,
	DIF_OPC_RLDUH, DIF_OPC_RLDUW, DIF_OPC_RLDX,
};

/* A pointer that fails as a string: unterminated inside a readable
 * region, in an unreadable region, in a toxic one, or NULL. */
static unsigned bad_str_reg(struct gen *g)
{
	unsigned a = reg(g);
	uint64_t v;
	uint64_t w = R(g, 5);
	if (g->tilt & T_KPRIV && chance(g, 60))
		w = 2;
	else if (g->tilt & T_TWOBAD && chance(g, 80))
		w = g->nbad++ & 1 ? 0 : 3;
	else if (g->tilt & (T_TOXSTR | T_BADSTR) && chance(g, 60))
		w = 0;
	switch (w) {
	case 0:
	case 1:
		/* (T_TOXSTR: before the hole at 208) */
		v = RG_KERN + 128 + R(g, g->tilt & T_TOXSTR ? 80 : 128);
		break;
	case 2:
		v = RG_PRIV + R(g, 64);
		break;
	case 3:
		v = RG_TOXIC + R(g, 64);
		break;
	default:
		v = chance(g, 50) ? 0 : RG_USER + 128 + R(g, 128);
	}
	tg_setx(&g->p, a, v);
	set_kind(g, a, K_REG, 0);
	return a;
}

/* A scratch address straddling the end of the default 64 KiB scratch, or
 * an ordinary integer. */
static uint64_t scratch_edge(struct gen *g)
{
	if (g->c->scratch_size)
		return ival(g);
	return DC_VA_SCRATCH + 65536 - R(g, 9);
}

/* An address register: region, scratch, string table, env string, odd. */
static unsigned addr_reg(struct gen *g, int user)
{
	unsigned a;
	switch (R(g, 7)) {
	case 0:
	case 1:
		a = reg(g);
		tg_setx(&g->p, a, user && chance(g, 70) ? RG_USER + R(g, 260)
		                                         : region_addr(g));
		set_kind(g, a, K_REG, 0);
		return a;
	case 2:
		a = want(g, K_SCR);
		if (chance(g, 50) && g->scr[a]) {
			unsigned o = reg(g), d = reg(g);
			if (o == a)
				return a;
			/* inside the allocation: what lies past it is what
			 * earlier subroutines left there, implementation detail */
			tg_setx(&g->p, o, R(g, g->scr[a] > 8 ? g->scr[a] - 7 : 1));
			emit_r(g, DIF_OPC_ADD, a, o, d);
			set_kind(g, d, K_INT, 0);
			return d;
		}
		return a;
	case 3:
		return want(g, K_STR);
	case 4:
		a = reg(g);
		tg_setx(&g->p, a, chance(g, 50) ? 0 : chance(g, 50) ? scratch_edge(g) : ival(g));
		set_kind(g, a, K_INT, 0);
		return a;
	default:
		return want(g, K_REG);
	}
}

/* A register pointing into a variable's string (by-ref load, built-in
 * string) that is still live, or 0. */
static unsigned var_str_reg(struct gen *g)
{
	unsigned cand[8], n = 0;
	for (unsigned i = 1; i < 8; i++)
		if ((g->kind[i] == K_STR || g->kind[i] == K_ENV) && g->taint[i] &&
		    !(g->stale >> i & 1) && !(g->dynptr >> i & 1 && g->cond))
			cand[n++] = i;
	return n ? cand[R(g, n)] : 0;
}

static void sn_load(struct gen *g, int op)
{
	if (op < 0)
		op = (int)loads[R(g, sizeof(loads) / sizeof(loads[0]))];
	unsigned vs = op < DIF_OPC_ULDSB && chance(g, 25) ? var_str_reg(g) : 0;
	if (vs) {
		/* the bytes of a variable's string, wherever it lies: inside
		 * its storage (strsize bytes) the contents are not layout */
		unsigned w = op == DIF_OPC_LDX || op == DIF_OPC_RLDX ? 8
		             : op == DIF_OPC_LDSW || op == DIF_OPC_LDUW ||
		               op == DIF_OPC_RLDSW || op == DIF_OPC_RLDUW ? 4
		             : op == DIF_OPC_LDSH || op == DIF_OPC_LDUH ||
		               op == DIF_OPC_RLDSH || op == DIF_OPC_RLDUH ? 2 : 1;
		if (g->strsize >= w) {
			unsigned o = reg(g), d = next_reg(g, o), rd = reg(g);
			if (o != vs && d != vs) {
				tg_setx(&g->p, o, R(g, g->strsize - w + 1));
				set_kind(g, o, K_INT, 0);
				emit_r(g, DIF_OPC_ADD, vs, o, d);
				set_kind(g, d, K_INT, 1);
				emit_r(g, (unsigned)op, d, 0, rd);
				set_kind(g, rd, K_INT, 0);
				return;
			}
		}
	}
	unsigned a = addr_reg(g, op >= DIF_OPC_ULDSB && op <= DIF_OPC_ULDX);
	unsigned rd = reg(g);
	emit_r(g, (unsigned)op, a, 0, rd);
	/* (any byte of a stored window address is layout) */
	set_kind(g, rd, K_INT, g->memtaint);
}

static void sn_store(struct gen *g, int op)
{
	if (op < 0)
		op = DIF_OPC_STB + (int)R(g, 4);
	unsigned a = chance(g, 75) ? want(g, K_SCR) : addr_reg(g, 0);
	if (g->kind[a] == K_SCR && chance(g, 60)) {
		unsigned o = reg(g), d = reg(g);
		if (o != a && d != a) {
			tg_setx(&g->p, o, R(g, g->scr[a] + 9));
			emit_r(g, DIF_OPC_ADD, a, o, d);
			set_kind(g, d, K_INT, 0);
			a = d;
		}
	}
	if (a == 0)
		a = want(g, K_SCR);
	unsigned v = chance(g, 90) ? any_clean(g) : reg(g);
	if (g->taint[v])
		g->memtaint = 1;
	if (chance(g, 30) && !g->memtaint && a != v) {
		/* what was there before (an earlier run's store shows when
		 * scratch is not cleared) */
		unsigned x = reg(g);
		if (x != a && x != v) {
			emit_r(g, DIF_OPC_LDUB, a, 0, x);
			set_kind(g, x, K_INT, 0);
			if (g->acc)
				emit_r(g, DIF_OPC_ADD, x, g->acc, g->acc);
		}
	}
	emit_r(g, (unsigned)op, v, 0, a);
	/* observe: load it back */
	if (chance(g, 70)) {
		unsigned rd = reg(g);
		static const unsigned back[] = { DIF_OPC_LDUB, DIF_OPC_LDUH,
			                         DIF_OPC_LDUW, DIF_OPC_LDX };
		emit_r(g, back[op - DIF_OPC_STB], a, 0, rd);
		set_kind(g, rd, K_INT, g->memtaint);
	}
}

static void sn_scratch(struct gen *g, int op)
{
	if (op < 0)
		op = chance(g, 60) ? DIF_OPC_ALLOCS : DIF_OPC_COPYS;
	if (op == DIF_OPC_ALLOCS) {
		unsigned s = reg(g), rd = reg(g);
		static const uint64_t sz[] = { 0, 1, 7, 8, 9, 100, 4096, 65536,
			                       65535, 65537, UINT64_MAX,
			                       UINT64_MAX - 7, 1ull << 40 };
		uint64_t v = sz[R(g, sizeof(sz) / sizeof(sz[0]))];
		if (g->c->scratch_size && chance(g, 40))
			v = g->c->scratch_size - R(g, 3);
		tg_setx(&g->p, s, v);
		set_kind(g, s, K_INT, 0);
		emit_r(g, DIF_OPC_ALLOCS, s, 0, rd);
		set_kind(g, rd, v ? K_SCR : K_INT, 0);
		g->scr[rd] = v > 65536 ? 0 : v;
		if (v >= 8 && v <= 65536 && chance(g, 50)) {
			/* fresh allocations read as zero, whatever an earlier
			 * run left there */
			unsigned x = reg(g);
			emit_r(g, DIF_OPC_LDX, rd, 0, x);
			set_kind(g, x, K_INT, 0);
			if (g->acc)
				emit_r(g, DIF_OPC_ADD, x, g->acc, g->acc);
		}
		return;
	}
	/* copys src, len, dst */
	unsigned d = want(g, K_SCR);
	unsigned s = chance(g, 70) ? want(g, K_STR) : addr_reg(g, 0);
	unsigned l = reg(g);
	if (l == d || l == s) {
		l = 0;
	} else {
		tg_setx(&g->p, l, chance(g, 70) ? R(g, g->scr[d] + 2) : ival(g));
		set_kind(g, l, K_INT, 0);
	}
	emit_r(g, DIF_OPC_COPYS, s, l, d);
	if (chance(g, 60) && g->kind[d] == K_SCR && g->scr[d]) {
		unsigned rd = reg(g);
		emit_r(g, DIF_OPC_LDUB, d, 0, rd);
		set_kind(g, rd, K_INT, 0);
	}
}

/* Variables: ids 0x500.. per scope; 0x500/0x501 by value, 0x502 string;
 * associative arrays 0x508.. (one id is one kind of variable in a scope:
 * a program using 0x500 as both was dropped by the model and redrawn). */
static unsigned var_id(unsigned idx, int assoc)
{
	return 0x500 + idx + (assoc ? 8 : 0);
}

static void decl(struct gen *g, unsigned scope, unsigned idx, int assoc,
                 int str)
{
	uint32_t sz = str ? g->strsize : 8;
	tg_var(&g->p, var_id(idx, assoc), assoc ? 0 : 1, scope, str ? 1 : 0,
	       str ? DIF_TF_BYREF : 0, sz);
}

/* Stores under one string key and loads under a sibling (the same, one
 * byte changed, one byte longer, or around pushtr's 256-byte bound): the
 * load finds the element exactly when the keys are equal. */
static void key_siblings(struct gen *g, unsigned st, unsigned ld, unsigned var)
{
	char a[300], b[300];
	static const size_t lens[] = { 1, 3, 7, 8, 9, 15, 16, 255, 256, 257 };
	size_t n = lens[R(g, sizeof(lens) / sizeof(lens[0]))], m = n;
	for (size_t i = 0; i < n; i++)
		a[i] = (char)('a' + (i * 5 + 3) % 26);
	memcpy(b, a, n);
	switch (R(g, 4)) {
	case 0:
		break; /* equal */
	case 1:
		b[R(g, n)] ^= 0x20; /* one byte differs */
		break;
	case 2:
		b[m++] = 'Z'; /* one byte longer */
		break;
	default:
		if (n > 1)
			m = n - 1; /* one byte shorter */
	}
	a[n] = b[m] = 0;
	unsigned ra = reg(g), rb = next_reg(g, ra), rv = next_reg(g, rb);
	emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
	tg_sets(&g->p, ra, a, n);
	set_kind(g, ra, K_STR, 0);
	tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, ra));
	tg_setx(&g->p, rv, 1 + R(g, 1000));
	set_kind(g, rv, K_INT, 0);
	tg_emit(&g->p, DIF_ENC_W(st, var, rv));
	emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
	tg_sets(&g->p, rb, b, m);
	set_kind(g, rb, K_STR, 0);
	tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, rb));
	tg_emit(&g->p, DIF_ENC_W(ld, var, rv));
	if (g->acc)
		emit_r(g, DIF_OPC_ADD, rv, g->acc, g->acc);
}

static void push_keys(struct gen *g)
{
	emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
	unsigned n = (unsigned)R(g, 3) + (chance(g, 5) ? 6 : 0);
	int badkey = g->tilt & T_BADKEY;
	if (badkey && n == 0)
		n = 1;
	for (unsigned i = 0; i < n; i++) {
		if (chance(g, badkey ? 30 : 70)) {
			unsigned v = chance(g, 50) ? want(g, K_INT)
			                           : (load_int(g, next_reg(g, i), R(g, 4)), next_reg(g, i));
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, v));
		} else if (chance(g, badkey ? 40 : 80)) {
			unsigned v = want(g, K_STR);
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, v));
		} else {
			/* a by-ref key that fails canload or cannot be read */
			unsigned v = bad_str_reg(g), sz = next_reg(g, v);
			tg_setx(&g->p, sz, 1 + R(g, 16));
			set_kind(g, sz, K_INT, 0);
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, (unsigned)R(g, 2), sz, v));
		}
	}
}

/* A by-ref string variable stored twice, the second string shorter (or
 * the element deleted in between, or the second store silent: a source
 * with no NUL in its region without kernel visibility), then loaded:
 * its first bytes, and the next 8 when the variable has room, go to the
 * accumulator. They show a missing NUL or a reused chunk that was not
 * zeroed; they are contents, not addresses, so layout does not matter. */
static void overwrite_str(struct gen *g, unsigned st, unsigned ld,
                          unsigned var, int assoc)
{
	static const char *const longs[] = { "zZ/Zz", "hello world", "abcdefghijklmnopq",
		                             "@[`{", "MiXeD cAsE 123" };
	static const char *const shorts[] = { "", ".", "x", "ab" };
	unsigned rk = reg(g), rs = next_reg(g, rk), rd = next_reg(g, rs);
	if (rd == g->acc)
		rd = next_reg(g, rd);
	tg_setx(&g->p, rk, R(g, 3));
	set_kind(g, rk, K_INT, 0);
	for (int step = 0; step < 4; step++) {
		if (step == 1 && chance(g, 50))
			continue; /* no delete: overwrite in place */
		if (assoc) {
			emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, rk));
		}
		if (step == 3)
			break;
		unsigned v = rs;
		if (step == 0) {
			const char *a = longs[R(g, sizeof(longs) / sizeof(longs[0]))];
			tg_sets(&g->p, rs, a, strlen(a));
		} else if (step == 1) {
			v = 0;
		} else if (chance(g, 25)) {
			tg_setx(&g->p, rs, RG_KERN + 128 + R(g, 128));
		} else {
			const char *b = shorts[R(g, sizeof(shorts) / sizeof(shorts[0]))];
			tg_sets(&g->p, rs, b, strlen(b));
		}
		tg_emit(&g->p, DIF_ENC_W(st, var, v));
	}
	set_kind(g, rs, K_INT, 0);
	tg_emit(&g->p, DIF_ENC_W(ld, var, rd));
	set_kind(g, rd, K_STR, 1);
	g->stale |= g->dynptr;
	if (!g->acc)
		return;
	unsigned x = next_reg(g, rd);
	if (x == g->acc)
		x = next_reg(g, x);
	for (unsigned off = 0; off < (g->strsize >= 16 ? 16u : 8u); off += 8) {
		if (off) {
			tg_setx(&g->p, x, 8);
			emit_r(g, DIF_OPC_ADD, rd, x, rd);
		}
		emit_r(g, DIF_OPC_LDX, rd, 0, x);
		emit_r(g, DIF_OPC_ADD, x, g->acc, g->acc);
	}
	set_kind(g, x, K_INT, 0);
	set_kind(g, rd, K_INT, 1);
}

/* A string built-in the case sets (T_BVSTR), or 0. */
static unsigned bv_str_id(struct gen *g)
{
	const struct dc_case *c = g->c;
	unsigned cand[DC_MAX_BVARS], n = 0;
	for (uint32_t i = 0; i < c->nbvars && n < DC_MAX_BVARS; i++)
		if (c->bvars[i].str)
			cand[n++] = c->bvars[i].id;
	return n ? cand[R(g, n)] : 0;
}

static void sn_var(struct gen *g, int op)
{
	static const unsigned vops[] = {
		DIF_OPC_STGS, DIF_OPC_LDGS, DIF_OPC_STTS, DIF_OPC_LDTS,
		DIF_OPC_STLS, DIF_OPC_LDLS, DIF_OPC_STGAA, DIF_OPC_LDGAA,
		DIF_OPC_STTAA, DIF_OPC_LDTAA, DIF_OPC_LDGA, DIF_OPC_LDTA,
	};
	if (op < 0)
		op = (int)vops[R(g, sizeof(vops) / sizeof(vops[0]))];
	if (op == DIF_OPC_LDGA || op == DIF_OPC_LDTA || op == DIF_OPC_STGA) {
		unsigned arr = g->tilt & (T_UREGS | T_ARR2) ? 2
		               : chance(g, 60) ? 0 : (unsigned)R(g, 5);
		if (chance(g, 3))
			arr = 0x80 + (unsigned)R(g, 0x80);
		unsigned ix = reg(g), rd = reg(g);
		tg_setx(&g->p, ix, chance(g, 80) ? R(g, 12) : ival(g));
		set_kind(g, ix, K_INT, 0);
		if (op == DIF_OPC_STGA)
			emit_r(g, DIF_OPC_STGA, arr, ix, any_clean(g));
		else {
			emit_r(g, (unsigned)op, arr, ix, rd);
			set_kind(g, rd, K_INT, 0);
		}
		return;
	}
	if (op == DIF_OPC_LDGS &&
	    (g->tilt & (T_HOSTSTR | T_BVSTR) || chance(g, 45))) {
		/* built-in variable */
		unsigned id;
		static const unsigned sids[] = { 0x112, 0x113, 0x114, 0x115, 0x118,
			                         0x119, 0x121, 0x123 };
		if (g->tilt & T_BVSTR && (id = bv_str_id(g)) != 0)
			;
		else if (g->tilt & T_HOSTSTR || chance(g, 30))
			id = sids[R(g, 8)];
		else if (chance(g, 85))
			id = 0x100 + (unsigned)R(g, 0x24);
		else
			id = chance(g, 50) ? 0x200 : 0x100 + (unsigned)R(g, 0x400);
		unsigned rd = reg(g);
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_LDGS, id, rd));
		/* where a string variable lies in its window is layout */
		const char *nm = dif_var_name(id, (enum dif_profile)g->c->profile);
		int str = 0;
		static const unsigned sid[] = { 0x112, 0x113, 0x114, 0x115, 0x118,
			                        0x119, 0x121, 0x123 };
		for (size_t i = 0; nm && i < sizeof(sid) / sizeof(sid[0]); i++)
			str |= id == sid[i];
		set_kind(g, rd, str ? K_ENV : K_INT, str);
		return;
	}
	/* a load of an element that exists is the interesting one: store
	 * first, then load back */
	int back = 0;
	if (chance(g, 50)) {
		static const unsigned ld[] = { DIF_OPC_LDGS, DIF_OPC_LDTS,
			                       DIF_OPC_LDLS, DIF_OPC_LDGAA,
			                       DIF_OPC_LDTAA };
		static const unsigned st[] = { DIF_OPC_STGS, DIF_OPC_STTS,
			                       DIF_OPC_STLS, DIF_OPC_STGAA,
			                       DIF_OPC_STTAA };
		for (size_t k = 0; k < sizeof(ld) / sizeof(ld[0]); k++)
			if ((unsigned)op == ld[k]) {
				op = (int)st[k];
				back = 1;
				break;
			}
	}
	unsigned scope = op == DIF_OPC_STGS || op == DIF_OPC_LDGS ||
	                 op == DIF_OPC_STGAA || op == DIF_OPC_LDGAA ? 0
	                 : op == DIF_OPC_STLS || op == DIF_OPC_LDLS ? 2 : 1;
	int assoc = op == DIF_OPC_STGAA || op == DIF_OPC_LDGAA ||
	            op == DIF_OPC_STTAA || op == DIF_OPC_LDTAA;
	unsigned idx = (unsigned)R(g, 3); /* 2: string */
	if (g->tilt & T_BADSTR)
		idx = 2;
	int str = idx == 2;
	decl(g, scope, idx, assoc, str);
	if (assoc && !str && chance(g, 12)) {
		key_siblings(g, scope ? DIF_OPC_STTAA : DIF_OPC_STGAA,
		             scope ? DIF_OPC_LDTAA : DIF_OPC_LDGAA, var_id(idx, assoc));
		return;
	}
	int store = op == DIF_OPC_STGS || op == DIF_OPC_STTS ||
	            op == DIF_OPC_STLS || op == DIF_OPC_STGAA ||
	            op == DIF_OPC_STTAA;
	if (str && store && chance(g, 12)) {
		static const unsigned lds[] = { DIF_OPC_LDGS, DIF_OPC_LDTS,
			                        DIF_OPC_LDLS };
		unsigned ld = assoc ? (scope ? DIF_OPC_LDTAA : DIF_OPC_LDGAA)
		                    : lds[scope];
		overwrite_str(g, (unsigned)op, ld, var_id(idx, assoc), assoc);
		return;
	}
	if (assoc)
		push_keys(g);
	if (store) {
		if (assoc || scope == 1)
			g->stale |= g->dynptr;
		unsigned v;
		if (str)
			v = chance(g, g->tilt & T_BADSTR ? 20 : g->focus_op >= 0 ? 50 : 75)
			    ? want(g, K_STR)
			    : chance(g, 30) ? 0 : bad_str_reg(g);
		else
			v = chance(g, 15) ? 0 : any_clean(g);
		if (v == 0 && chance(g, 60)) {
			/* deleting (or nulling) something that exists */
			unsigned x = want(g, str ? K_STR : K_INT);
			g->vtaint[scope][idx] |= g->taint[x];
			tg_emit(&g->p, DIF_ENC_W(op, var_id(idx, assoc), x));
		}
		g->vtaint[scope][idx] |= g->taint[v];
		tg_emit(&g->p, DIF_ENC_W(op, var_id(idx, assoc), v));
		if (v == 0 && str && (assoc || scope == 1) && chance(g, 30)) {
			/* the deleted element's chunk goes to the next new one:
			 * a store that copies nothing (a string with no NUL in
			 * its region, without kernel privilege) must still
			 * leave the new element's data zeroed */
			unsigned b = bad_str_reg(g);
			g->vtaint[scope][idx] |= g->taint[b];
			tg_emit(&g->p, DIF_ENC_W(op, var_id(idx, assoc), b));
		}
		/* read it back most of the time */
		if (!back && !chance(g, 70))
			return;
		op = op == DIF_OPC_STGS ? DIF_OPC_LDGS : op == DIF_OPC_STTS ? DIF_OPC_LDTS
		     : op == DIF_OPC_STLS ? DIF_OPC_LDLS : op == DIF_OPC_STGAA ? DIF_OPC_LDGAA
		     : DIF_OPC_LDTAA;
	}
	unsigned rd = reg(g);
	if (op == DIF_OPC_LDLS && chance(g, 10)) {
		tg_emit(&g->p, DIF_ENC_W(op, 0x100 + R(g, 0x400), rd));
		set_kind(g, rd, K_INT, 0);
		return;
	}
	tg_emit(&g->p, DIF_ENC_W(op, var_id(idx, assoc), rd));
	/* by-ref loads give window addresses */
	set_kind(g, rd, str ? K_STR : K_INT, str || g->vtaint[scope][idx]);
	if (str && (assoc || scope == 1))
		g->dynptr |= (uint8_t)(1u << rd);
}

static void sn_tuple(struct gen *g, int op)
{
	if (op < 0)
		op = DIF_OPC_PUSHTR + (int)R(g, 4);
	/* sometimes a subroutine reads what was pushed (strlen(arg 0)) */
	int consume = op == DIF_OPC_PUSHTR && chance(g, 40);
	switch (op) {
	case DIF_OPC_PUSHTV:
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, chance(g, 10) ? reg(g) : 0,
		                         any_clean(g)));
		break;
	case DIF_OPC_PUSHTR: {
		if (consume)
			emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
		unsigned t = chance(g, 60);
		unsigned v = t ? want(g, K_STR) : want(g, chance(g, 50) ? K_SCR : K_REG);
		unsigned sz = 0;
		if (chance(g, 50)) {
			sz = reg(g);
			if (sz != v) {
				tg_setx(&g->p, sz, chance(g, 20) ? ival(g) : R(g, 20));
				set_kind(g, sz, K_INT, 0);
			} else
				sz = 0;
		}
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, t, sz, v));
		if (consume) {
			unsigned rd = reg(g);
			tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL, 12, rd)); /* strlen */
			set_kind(g, rd, K_INT, 0);
			return;
		}
		break;
	}
	default:
		tg_emit(&g->p, DIF_ENC_R((unsigned)op, 0, 0, 0));
	}
	if (chance(g, 30)) {
		/* fill the stack to (or past) its limit */
		unsigned n = 6 + (unsigned)R(g, 4);
		for (unsigned i = 0; i < n; i++)
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, any_clean(g)));
	}
}

/* Subroutine argument kinds. */
enum { A_S, A_I, A_P, A_U, A_N, A_B, A_C, A_AF, A_SN };
struct sig {
	int subr; /* enum dif_subr_id */
	const char *args;
};
static const struct sig sigs[] = {
	{ DIF_S_RAND, "" }, { DIF_S_MUTEX_OWNED, "P" }, { DIF_S_MUTEX_OWNER, "P" },
	{ DIF_S_MUTEX_TYPE_ADAPTIVE, "P" }, { DIF_S_MUTEX_TYPE_SPIN, "P" },
	{ DIF_S_RW_READ_HELD, "P" }, { DIF_S_RW_WRITE_HELD, "P" },
	{ DIF_S_RW_ISWRITER, "P" }, { DIF_S_COPYIN, "UN" },
	{ DIF_S_COPYINSTR, "UN" }, { DIF_S_SPECULATION, "" },
	{ DIF_S_PROGENYOF, "I" }, { DIF_S_STRLEN, "S" },
	{ DIF_S_COPYOUT, "PUN" }, { DIF_S_COPYOUTSTR, "SUN" },
	{ DIF_S_ALLOCA, "N" }, { DIF_S_BCOPY, "PDN" }, { DIF_S_COPYINTO, "UND" },
	{ DIF_S_MSGDSIZE, "P" }, { DIF_S_MSGSIZE, "P" }, { DIF_S_GETMAJOR, "I" },
	{ DIF_S_GETMINOR, "I" }, { DIF_S_DDI_PATHNAME, "PI" },
	{ DIF_S_STRJOIN, "SS" }, { DIF_S_LLTOSTR, "LB" },
	{ DIF_S_BASENAME, "S" }, { DIF_S_DIRNAME, "S" }, { DIF_S_CLEANPATH, "S" },
	{ DIF_S_STRCHR, "lC" }, { DIF_S_STRRCHR, "lC" }, { DIF_S_STRSTR, "SS" },
	{ DIF_S_STRTOK, "TS" }, { DIF_S_SUBSTR, "Sxx" }, { DIF_S_INDEX, "SSI" },
	{ DIF_S_RINDEX, "SSI" }, { DIF_S_HTONS, "I" }, { DIF_S_HTONL, "I" },
	{ DIF_S_HTONLL, "I" }, { DIF_S_NTOHS, "I" }, { DIF_S_NTOHL, "I" },
	{ DIF_S_NTOHLL, "I" }, { DIF_S_INET_NTOP, "AP" }, { DIF_S_INET_NTOA, "P" },
	{ DIF_S_INET_NTOA6, "P" }, { DIF_S_TOUPPER, "S" }, { DIF_S_TOLOWER, "S" },
	{ DIF_S_MEMREF, "PN" }, { DIF_S_SX_SHARED_HELD, "P" },
	{ DIF_S_SX_EXCLUSIVE_HELD, "P" }, { DIF_S_SX_ISEXCLUSIVE, "P" },
	{ DIF_S_MEMSTR, "PCN" }, { DIF_S_GETF, "I" }, { DIF_S_JSON, "SS" },
	{ DIF_S_STRTOLL, "nB" },
};

static unsigned arg_reg(struct gen *g, char k, unsigned *out_kind)
{
	unsigned r;
	*out_kind = K_INT;
	switch (k) {
	case 'S':
		*out_kind = K_STR;
		if (chance(g, g->badpct)) {
			r = chance(g, 60) ? bad_str_reg(g) : addr_reg(g, 0);
			*out_kind = g->kind[r];
			return r;
		}
		if (chance(g, 10)) {
			static const unsigned sid[] = { 0x112, 0x113, 0x114, 0x115,
				                        0x118, 0x119 };
			r = reg(g);
			tg_emit(&g->p, DIF_ENC_W(DIF_OPC_LDGS, sid[R(g, 6)], r));
			set_kind(g, r, K_ENV, 1);
			*out_kind = K_ENV;
			return r;
		}
		return want(g, K_STR);
	case 'n':
	case 'l':
		if (chance(g, 40)) {
			/* numbers for strtoll (every digit class, 'Z' for
			 * base 36, tabs, signs, 0x with and without a digit),
			 * or strings filling strsize for strchr */
			static const char *const num[] = {
				" \t-0x1Fz", "zZ", "0x", "0xg", "0X1", "  +7", "-",
				"9223372036854775808", "Zz9", "\t\t12", " \t 0x",
				"-9223372036854775809", "0b1", "777", "+-1", "z",
				"Z", "1Z", "ZZ",
			};
			char buf[1200];
			size_t n;
			if (k == 'n') {
				const char *x = num[R(g, sizeof(num) / sizeof(num[0]))];
				size_t b = g->tilt & T_NUM && chance(g, 50) ? 2 : 0;
				n = strlen(x);
				memcpy(buf, "\t ", b);
				memcpy(buf + b, x, n + 1);
				n += b;
			} else {
				n = g->strsize - 1 + R(g, 3);
				if (n >= sizeof(buf))
					n = sizeof(buf) - 1;
				for (size_t i = 0; i < n; i++)
					buf[i] = (char)('a' + i % 26);
				buf[n] = 0;
			}
			r = reg(g);
			tg_sets(&g->p, r, buf, n);
			set_kind(g, r, K_STR, 0);
			*out_kind = K_STR;
			return r;
		}
		return arg_reg(g, 'S', out_kind);
	case 'T':
		if (chance(g, 40))
			return 0;
		if (chance(g, g->badpct)) {
			/* by value: pushtr would fault on it first */
			r = bad_str_reg(g);
			*out_kind = K_REG;
			return r;
		}
		*out_kind = K_STR;
		return want(g, K_STR);
	case 'P':
	case 'U':
		r = chance(g, 80) ? addr_reg(g, k == 'U') : want(g, K_SCR);
		*out_kind = g->kind[r];
		return r;
	case 'D':
		*out_kind = K_SCR;
		return chance(g, 85) ? want(g, K_SCR) : addr_reg(g, 0);
	default:
		break;
	}
	r = reg(g);
	uint64_t v;
	switch (k) {
	case 'N': {
		static const uint64_t n[] = { 0, 1, 4, 8, 16, 17, 64, 100, 255, 256,
			                      4096, 4097, 65536, UINT64_MAX };
		v = n[R(g, sizeof(n) / sizeof(n[0]))];
		break;
	}
	case 'x': {
		/* substr index and count: around 0 and the int64 edges */
		static const uint64_t x[] = { 0, 1, 2, UINT64_MAX, (uint64_t)-3,
			                      0x7fffffffffffffffull,
			                      0x8000000000000000ull,
			                      0x7ffffffffffffffeull, 100, 256 };
		v = chance(g, 50) ? x[R(g, sizeof(x) / sizeof(x[0]))]
		                  : R(g, 40) - 20;
		break;
	}
	case 'L': {
		/* lltostr's value: the edges of int64 often */
		static const uint64_t l[] = { 0x8000000000000000ull,
			                      0x7fffffffffffffffull, UINT64_MAX, 0,
			                      0x8000000000000001ull, 10, 35, 36 };
		/* INT64_MIN is the one value whose negation overflows: a
		 * third of the edge draws */
		v = !chance(g, 50) ? ival(g)
		    : chance(g, 33) ? 0x8000000000000000ull
		    : l[R(g, sizeof(l) / sizeof(l[0]))];
		break;
	}
	case 'B': {
		static const uint64_t b[] = { 2, 8, 10, 16, 36, 0, 1, 37, UINT64_MAX,
			                      3, 16, 36, 10, 16, 36, 8, 8, 36, 36 };
		/* (base 36 reads 'Z' and 'z' as digits) */
		v = g->tilt & T_NUM && chance(g, 30) ? 36
		                                     : b[R(g, sizeof(b) / sizeof(b[0]))];
		break;
	}
	case 'C': {
		static const uint64_t cc[] = { 'a', 'o', '/', '.', 'l', 0, 'z', 0x16f, ',' };
		v = cc[R(g, sizeof(cc) / sizeof(cc[0]))];
		break;
	}
	case 'A': {
		static const uint64_t af[] = { 2, 26, 28, 10, 0, 1 };
		v = af[R(g, sizeof(af) / sizeof(af[0]))];
		break;
	}
	default:
		v = chance(g, 50) ? ival(g) : R(g, 40) - 20;
	}
	tg_setx(&g->p, r, v);
	set_kind(g, r, K_INT, 0);
	return r;
}

/* The contents of the string in rd reach the accumulator: its length, or
 * its value parsed back as a number in base 10 (the default), 8 or 36 (a
 * NULL string faults in pushtr). */
static void observe_str(struct gen *g, unsigned rd)
{
	enum dif_profile prof = (enum dif_profile)g->c->profile;
	int stoll = dif_subr_find("strtoll", 7, prof);
	int slen = dif_subr_find("strlen", 6, prof);
	uint64_t how = R(g, 4);
	if (!g->acc || rd == g->acc || (how > 0 && stoll < 0) || (how == 0 && slen < 0))
		return;
	unsigned x = next_reg(g, rd);
	emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
	tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, rd));
	if (how >= 2) {
		tg_setx(&g->p, x, how == 2 ? 36 : 8);
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, x));
	}
	tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL, (unsigned)(how ? stoll : slen), x));
	set_kind(g, x, K_INT, 0);
	emit_r(g, DIF_OPC_ADD, x, g->acc, g->acc);
}

/* Bytes of rd's scratch buffer (size bytes at the result) reach the
 * accumulator, also those past the result's NUL: what the subroutine's
 * loop left there (cleanpath's working bytes, copyinstr's last NUL;
 * conventions.md Decision 31). Never in code a branch may skip: rd could
 * then hold an older value, even a window address. */
static void observe_buf(struct gen *g, unsigned rd, uint64_t size)
{
	if (!g->acc || rd == g->acc || g->cond || size == 0)
		return;
	unsigned o = next_reg(g, rd), x = next_reg(g, o);
	uint64_t k;
	unsigned op = DIF_OPC_LDUB;
	if (size >= 8 && chance(g, 50)) {
		uint64_t words = size / 8 < 4 ? size / 8 : 4;
		k = 8 * R(g, words);
		op = DIF_OPC_LDX;
	} else {
		k = R(g, size < 24 ? size : 24);
	}
	tg_setx(&g->p, o, k);
	emit_r(g, DIF_OPC_ADD, rd, o, o);
	emit_r(g, op, o, 0, x);
	set_kind(g, o, K_INT, 0);
	set_kind(g, x, K_INT, 0);
	emit_r(g, DIF_OPC_ADD, x, g->acc, g->acc);
}

/* A path whose cleanpath leaves bytes after its result's NUL: a "/.."
 * that drops a component longer than what follows (Decision 31). */
static unsigned path_arg(struct gen *g)
{
	static const char *const paths[] = {
		"/abcdef/..", "/usr/libexec/../x", "a/bcd/..", "/ab/cd/../..",
		"/xyz/../", "/p/qrstu/../../v",
	};
	const char *p = paths[R(g, sizeof(paths) / sizeof(paths[0]))];
	unsigned r = reg(g);
	tg_sets(&g->p, r, p, strlen(p));
	set_kind(g, r, K_STR, 0);
	return r;
}

/* strjoin's operands, sometimes with lengths summing to strsize - 1,
 * strsize or strsize + 1 (the result and its NUL just fit, or not):
 * *la is the first one's length, chosen when i == 0. */
static unsigned join_arg(struct gen *g, unsigned i, size_t *la)
{
	char buf[1200];
	size_t n;
	if (i == 0) {
		*la = (size_t)R(g, g->strsize + 1);
		n = *la;
	} else {
		/* strsize - 1, strsize (twice as often: the boundary
		 * between a join that fits and one that does not) or
		 * strsize + 1 bytes */
		uint64_t d = R(g, 4);
		size_t want_len = g->strsize + (d == 3) - (d == 0);
		n = want_len > *la ? want_len - *la : 0;
	}
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (size_t j = 0; j < n; j++)
		buf[j] = (char)((i ? 'A' : 'a') + j % 26);
	buf[n] = 0;
	unsigned r = reg(g);
	tg_sets(&g->p, r, buf, n);
	set_kind(g, r, K_STR, 0);
	return r;
}

/* A 16-byte scratch buffer holding an IPv6 address for inet_ntop and
 * inet_ntoa6: half the time of the IPv4-mapped family ::ffff:a.b.c.d or
 * one a byte away from it (::fffe:.., ::00ff:.., ::7fff:..); else eight
 * groups, each zero half the time, so runs of zero groups of equal and
 * unequal lengths meet (which one becomes "::"), beside groups with one
 * zero byte. */
static unsigned inet6_arg(struct gen *g)
{
	unsigned rb = reg(g), rs = next_reg(g, rb), rv = next_reg(g, rs);
	uint64_t lo = 0, hi;
	if (chance(g, 50)) {
		static const uint64_t b11[] = { 0xff, 0xfe, 0x00, 0x7f };
		/* bytes 8..15: 00 00 ff b11 c0 a8 01 02 (stored little-endian) */
		hi = 0x0201a8c000000000ull | (b11[R(g, 4)] << 24) |
		     ((uint64_t)(chance(g, 80) ? 0xff : 0x7f) << 16);
	} else {
		static const uint16_t grp[] = { 0x0001, 0x00ff, 0xff00, 0x1234,
			                        0xabcd, 0x0100 };
		uint8_t a[16];
		for (int k = 0; k < 8; k++) {
			uint16_t v = chance(g, 50) ? 0 : grp[R(g, 6)];
			a[2 * k] = (uint8_t)(v >> 8);
			a[2 * k + 1] = (uint8_t)v;
		}
		hi = 0;
		for (int j = 7; j >= 0; j--) {
			lo = lo << 8 | a[j];
			hi = hi << 8 | a[8 + j];
		}
	}
	tg_setx(&g->p, rs, 16);
	emit_r(g, DIF_OPC_ALLOCS, rs, 0, rb); /* zeroed */
	if (lo) {
		tg_setx(&g->p, rv, lo);
		emit_r(g, DIF_OPC_STX, rv, 0, rb);
	}
	tg_setx(&g->p, rv, hi);
	tg_setx(&g->p, rs, 8);
	emit_r(g, DIF_OPC_ADD, rb, rs, rs);
	emit_r(g, DIF_OPC_STX, rv, 0, rs);
	set_kind(g, rs, K_INT, 0);
	set_kind(g, rv, K_INT, 0);
	set_kind(g, rb, K_SCR, 0);
	g->scr[rb] = 16;
	return rb;
}

/* json's inputs: a random text that reaches every state of DTrace's
 * scanner (keys with escapes, nested objects and arrays, numbers with
 * fraction and exponent, literals, blanks of both kernels, and now and
 * then a broken token or a byte dropped), and a selector that follows a
 * path chosen while building it, often altered (another key, an index
 * past the end, one element too many). */
struct jtext {
	char t[160], path[64];
	size_t n, pn;
};

/* Appends s to buf (of cap bytes, *n used) when it fits whole. */
static void jt_append(char *buf, size_t cap, size_t *n, const char *s)
{
	size_t l = strlen(s);
	if (*n + l < cap) {
		memcpy(buf + *n, s, l + 1);
		*n += l;
	}
}

static void jt_put(struct jtext *j, const char *s)
{
	jt_append(j->t, sizeof(j->t), &j->n, s);
}

static void jt_path(struct jtext *j, const char *s)
{
	jt_append(j->path, sizeof(j->path), &j->pn, s);
}

static void jt_blank(struct gen *g, struct jtext *j)
{
	static const char *const b[] = { " ", "\t", "\n", "\r", "\v", "\f", "  " };
	if (chance(g, 20))
		jt_put(j, b[R(g, sizeof(b) / sizeof(b[0]))]);
}

static void jt_value(struct gen *g, struct jtext *j, int depth, int onpath)
{
	static const char *const scalar[] = {
		"1", "-20", "3.25", "1e+5", "-0.5E2", "0", "12e3-4", "true",
		"false", "null", "\"x\"", "\"a\\\"b\"", "\"\\u00e9z\"",
		"\"\\\\\"", "\"\"", "\"}]\"", "\"\\n\\/\"",
		/* not values, or not ended where JSON ends them */
		"tru", "0x1", "1+2", "\"\\u12\"", "+1", "True", "1.2.3", "-",
		"nulll", "1.5e", "[1x]",
	};
	static const char *const key[] = { "a", "b", "ab", "abc", "", "k\\\"q",
		                           "A", "\\u0061" };
	jt_blank(g, j);
	if (depth < 3 && chance(g, depth ? 35 : 100)) {
		int obj = chance(g, 55);
		unsigned n = (unsigned)R(g, 4), follow = (unsigned)R(g, 4);
		jt_put(j, obj ? "{" : "[");
		for (unsigned i = 0; i < n; i++) {
			int here = onpath && i == follow;
			if (i)
				jt_put(j, ",");
			jt_blank(g, j);
			if (obj) {
				const char *k = key[R(g, sizeof(key) / sizeof(key[0]))];
				jt_put(j, "\"");
				jt_put(j, k);
				jt_put(j, "\"");
				jt_blank(g, j);
				jt_put(j, ":");
				if (here) {
					if (j->pn)
						jt_path(j, ".");
					jt_path(j, k);
				}
			} else if (here) {
				char ix[16];
				snprintf(ix, sizeof(ix), "[%u]", i);
				jt_path(j, ix);
			}
			jt_value(g, j, depth + 1, here);
		}
		if (onpath && follow >= n)
			jt_path(j, obj ? (j->pn ? ".b" : "b") : "[3]");
		jt_blank(g, j);
		jt_put(j, obj ? "}" : "]");
	} else {
		jt_put(j, scalar[R(g, chance(g, 80) ? 17 : sizeof(scalar) / sizeof(scalar[0]))]);
	}
	jt_blank(g, j);
}

static unsigned json_args(struct gen *g, unsigned i, struct jtext *j)
{
	unsigned r = reg(g);
	if (i == 0) {
		j->n = j->pn = 0;
		j->t[0] = j->path[0] = 0;
		jt_value(g, j, 0, 1);
		if (j->n && chance(g, 10)) {
			/* a byte dropped or one out of place */
			size_t at = (size_t)R(g, j->n);
			if (chance(g, 50))
				memmove(j->t + at, j->t + at + 1, j->n - at);
			else
				j->t[at] = "{}[],:\"\\x"[R(g, 9)];
			j->n = strlen(j->t);
		}
		tg_sets(&g->p, r, j->t, j->n);
	} else {
		char sel[80];
		size_t n = j->pn;
		memcpy(sel, j->path, n + 1);
		switch (R(g, 8)) {
		case 0: /* one element too many */
			n += (size_t)snprintf(sel + n, sizeof(sel) - n, ".a");
			break;
		case 1: /* one element fewer: the container whole */
			while (n && sel[n - 1] != '.' && sel[n - 1] != '[')
				n--;
			if (n)
				n--;
			sel[n] = 0;
			break;
		case 2: /* the last element altered */
			if (n)
				sel[n - 1] = sel[n - 1] == ']' ? '9' : 'q';
			break;
		default:
			break;
		}
		tg_sets(&g->p, r, sel, strlen(sel));
	}
	set_kind(g, r, K_STR, 0);
	return r;
}

static void sn_call(struct gen *g, int subr)
{
	enum dif_profile prof = (enum dif_profile)g->c->profile;
	const struct sig *s = NULL;
	if (subr >= 0) {
		int id = dif_subr_lookup((unsigned)subr, prof);
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			if (sigs[i].subr == id)
				s = &sigs[i];
	} else {
		for (int t = 0; t < 8 && !s; t++) {
			const struct sig *x = &sigs[R(g, sizeof(sigs) / sizeof(sigs[0]))];
			if (dif_subrs[x->subr].num[prof] >= 0)
				s = x;
		}
		if (!s)
			s = &sigs[12]; /* strlen */
		subr = dif_subrs[s->subr].num[prof];
	}
	unsigned nargs = s ? (unsigned)strlen(s->args) : (unsigned)R(g, 3);
	/* optional trailing arguments are sometimes left out; required ones
	 * never (the subroutine would read stale tuple slots, whose contents
	 * DTrace does not define); an extra argument is ignored */
	static const int optional_last[] = { DIF_S_COPYINSTR, DIF_S_LLTOSTR,
		                             DIF_S_SUBSTR, DIF_S_INDEX,
		                             DIF_S_RINDEX, DIF_S_STRTOLL };
	int opt = 0;
	for (size_t i = 0; s && i < sizeof(optional_last) / sizeof(optional_last[0]); i++)
		opt |= s->subr == optional_last[i];
	if (opt && chance(g, 30))
		nargs--;
	else if (chance(g, 5))
		nargs++;
	else if (nargs && chance(g, 4))
		nargs--; /* a required argument missing: a stale tuple slot */
	unsigned regs[10], kinds[10];
	int t0 = 0;
	/* each argument is pushed as soon as it is computed, as the compiler
	 * does, so later arguments cannot clobber earlier ones */
	int join = s && s->subr == DIF_S_STRJOIN && nargs >= 2 &&
	           (g->tilt & T_JOIN || chance(g, 30));
	size_t jl = 0;
	int inet6 = s && (s->subr == DIF_S_INET_NTOA6 ||
	                  s->subr == DIF_S_INET_NTOP) && chance(g, 35);
	int jfocus = g->focus_subr >= 0 && g->focus_subr == subr;
	int jtext = s && s->subr == DIF_S_JSON && chance(g, jfocus ? 85 : 60);
	struct jtext jt;
	emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
	for (unsigned i = 0; i < nargs && i < 10; i++) {
		char k = s && i < strlen(s->args) ? s->args[i] : 'I';
		if (join && i < 2) {
			regs[i] = join_arg(g, i, &jl);
			kinds[i] = K_STR;
		} else if (i == 0 && s && s->subr == DIF_S_CLEANPATH &&
		           chance(g, 30)) {
			regs[i] = path_arg(g);
			kinds[i] = K_STR;
		} else if (inet6 && k == 'P') {
			regs[i] = inet6_arg(g);
			kinds[i] = K_SCR;
		} else if (jtext && i < 2) {
			regs[i] = json_args(g, i, &jt);
			kinds[i] = K_STR;
		} else {
			regs[i] = arg_reg(g, k, &kinds[i]);
		}
		if (i == 0)
			t0 = g->taint[regs[0]];
		if (kinds[i] == K_STR || kinds[i] == K_ENV)
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, regs[i]));
		else if (kinds[i] == K_SCR && chance(g, 30))
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 0, 0, regs[i]));
		else
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, regs[i]));
	}
	/* rd keeps its value on no-result subroutines: give it a known one */
	unsigned rd = reg(g);
	/* a subroutine that does not write rd leaves what was there */
	int keep = g->taint[rd];
	/* (and bcopy and copyinto report it as the illegal address of a bad
	 * destination: it must not be a window address) */
	if (keep || chance(g, 50)) {
		load_int(g, rd, 0x5a5a);
		keep = 0;
	}
	/* json's buffer starts at the (aligned) pointer, found or not: an
	 * allocs(0) just before the call points there (Decision 31) */
	unsigned jq = 0;
	if (s && s->subr == DIF_S_JSON && nargs >= 2 && g->acc && !g->cond &&
	    !g->taint[regs[0]] && !g->taint[regs[1]] &&
	    chance(g, jfocus ? 100 : 75)) {
		/* clear of rd and of the two registers rd's own observations
		 * take (observe_str, observe_buf), and so are the two that
		 * observe_buf of jq takes (six writable registers) */
		jq = next_reg(g, next_reg(g, next_reg(g, rd)));
		unsigned z = next_reg(g, jq);
		tg_setx(&g->p, z, 0);
		emit_r(g, DIF_OPC_ALLOCS, z, 0, jq);
		set_kind(g, z, K_INT, 0);
		set_kind(g, jq, K_SCR, 0);
		g->scr[jq] = 0;
	}
	tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL, (unsigned)subr, rd));
	for (unsigned k = 0; jq && k < (jfocus ? 3u : 1u); k++)
		observe_buf(g, jq, 24);
	if (jq && chance(g, 50)) {
		/* how far the pointer moved: jsonlen + 1 when found, else 0 */
		unsigned z = next_reg(g, jq);
		tg_setx(&g->p, z, 0);
		emit_r(g, DIF_OPC_ALLOCS, z, 0, z);
		emit_r(g, DIF_OPC_SUB, z, jq, z);
		emit_r(g, DIF_OPC_ADD, z, g->acc, g->acc);
		set_kind(g, z, K_INT, 0);
	}
	int id = dif_subr_lookup((unsigned)subr, prof);
	if (id == DIF_S_RAND) {
		/* the value is not reproducible: drop it at once (see
		 * tg_model_run) */
		emit_r(g, DIF_OPC_MOV, 0, 0, rd);
		set_kind(g, rd, K_INT, 0);
		return;
	}
	int k = K_INT, t = 0;
	switch (id) {
	case DIF_S_STRCHR:
	case DIF_S_STRRCHR:
	case DIF_S_STRSTR:
		/* pointer into the first argument */
		k = K_STR;
		t = nargs ? t0 : 0;
		break;
	case DIF_S_ALLOCA:
	case DIF_S_COPYIN:
	case DIF_S_MEMREF:
		k = K_SCR;
		g->scr[rd] = id == DIF_S_MEMREF ? 16 : 0; /* [ptr, len] */
		if (id == DIF_S_MEMREF && nargs && g->taint[regs[0]])
			g->memtaint = 1;
		if (id == DIF_S_MEMREF && chance(g, 50)) {
			unsigned x = next_reg(g, rd);
			emit_r(g, DIF_OPC_LDX, rd, 0, x);
			set_kind(g, x, K_INT, g->memtaint);
			if (g->acc && !g->memtaint)
				emit_r(g, DIF_OPC_ADD, x, g->acc, g->acc);
		}
		break;
	case DIF_S_STRJOIN: case DIF_S_LLTOSTR: case DIF_S_BASENAME:
	case DIF_S_DIRNAME: case DIF_S_CLEANPATH: case DIF_S_STRTOK:
	case DIF_S_SUBSTR: case DIF_S_TOUPPER: case DIF_S_TOLOWER:
	case DIF_S_COPYINSTR: case DIF_S_INET_NTOP: case DIF_S_INET_NTOA:
	case DIF_S_INET_NTOA6: case DIF_S_JSON: case DIF_S_MEMSTR:
		k = K_STR;
		break;
	default:
		break;
	}
	set_kind(g, rd, k, t | keep);
	/* results whose edge cases differ only in their contents (a prefix,
	 * one digit, a continuation) are observed more often */
	int sharp = id == DIF_S_LLTOSTR || id == DIF_S_STRTOK ||
	            id == DIF_S_STRJOIN || id == DIF_S_SUBSTR ||
	            id == DIF_S_INET_NTOP || id == DIF_S_INET_NTOA6;
	if (k == K_STR && !t && !keep && chance(g, sharp ? 60 : 25))
		observe_str(g, rd);
	/* the rest of a strsize result buffer (Decision 31) */
	int whole = id == DIF_S_CLEANPATH || id == DIF_S_STRTOK ||
	            id == DIF_S_BASENAME || id == DIF_S_DIRNAME ||
	            id == DIF_S_TOUPPER || id == DIF_S_TOLOWER ||
	            id == DIF_S_SUBSTR || (id == DIF_S_COPYINSTR && nargs <= 1);
	if (whole && !t && !keep && chance(g, g->focus_subr >= 0 ? 60 : 30))
		observe_buf(g, rd, g->strsize);
	if (id == DIF_S_STRTOK && nargs >= 2 && !t0 && kinds[1] == K_STR &&
	    regs[1] != rd && !g->taint[regs[1]] && !g->cond && chance(g, 50)) {
		/* strtok(NULL) continues where this call stopped */
		unsigned x = next_reg(g, rd);
		emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 0));
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, regs[1]));
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL, (unsigned)subr, x));
		set_kind(g, x, K_STR, 0);
		observe_str(g, x);
	}
}

static void sn_nop(struct gen *g)
{
	tg_emit(&g->p, DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0));
}

static void host_writes(struct gen *g);

/* A source in the kernel region that reads no NUL before end (the hole
 * or the region's end), so that its loop surely faults there: src, or
 * the byte after the last NUL in [src, end). */
static uint64_t past_nul(const struct gen *g, uint64_t src, uint64_t end)
{
	const struct dc_case *c = g->c;
	for (uint32_t i = 0; i < c->nregions; i++) {
		const struct dc_region *r = &c->regions[i];
		if (r->addr != RG_KERN || !r->bytes)
			continue;
		for (uint64_t a = src; a < end && a - RG_KERN < r->size; a++)
			if (r->bytes[a - RG_KERN] == 0)
				src = a + 1;
	}
	return src;
}

/* One snippet for an opcode (focus) or a random one (op < 0). */
/* A copys, bcopy, memstr, strjoin, inet_ntoa6, inet_ntoa, copyinstr,
 * toupper/tolower/substr/basename/dirname/json or copyoutstr (which: 0
 * to 8; -1 any)
 * that faults with readable bytes on both sides of the fault in copy
 * order, into a fresh allocation (at scratch's start when it is the first
 * one), in the first run only (flag variable 0x531): the next run's
 * stale-scratch prologue reads what the loop stored (Decision 14). The
 * source straddles the start of the kernel region (a backward copy: its
 * top is read), the toxic hole inside it, or the end of the short region
 * above the VM window (a forward copy); strjoin's a (with kernel
 * visibility its loop reads it byte by byte) runs off the kernel region's
 * end or into its hole; the inet address straddles the region's start
 * (inet_ntoa6 copies it backwards to a stack buffer); copyinstr's string
 * runs off the end of the user region (its copy routine repeats the last
 * byte read); toupper's, tolower's or substr's measurement runs off the
 * kernel region or into its hole after a copys put bytes at scratch's
 * start (their loops then store zeros there when the access check on
 * the measured length passes); copyoutstr's string runs off the kernel
 * region into user memory the host writes (its copy routine repeats the
 * last byte read; sometimes the count left reaches 4096 after the
 * fault). */
static void sn_faultcopy(struct gen *g, int which)
{
	struct dc_case *c = g->c;
	unsigned f = reg(g), s = next_reg(g, f), l = next_reg(g, s),
	         d = next_reg(g, l);
	int prof = (int)c->profile;
	if (which < 0)
		which = (int)R(g, 9);
	if (which == 2 && dif_subrs[DIF_S_MEMSTR].num[prof] < 0)
		which = 1;
	uint64_t hole = 0, high = 0;
	for (uint32_t i = 0; i < c->nregions; i++) {
		if (c->regions[i].addr == RG_KERN + 208)
			hole = 1;
		if (c->regions[i].addr == RG_HIGH)
			high = c->regions[i].size;
	}
	uint64_t src, len, pick = R(g, 3);
	int tohole = hole && (g->tilt & T_CPNOK || chance(g, 50));
	if (which == 3) {
		src = tohole ? RG_KERN + 200 + R(g, 8)
		             : RG_KERN + RG_SIZE - 1 - R(g, 32);
		src = past_nul(g, src, tohole ? RG_KERN + 208 : RG_KERN + RG_SIZE);
		len = 0;
	} else if (which == 6) {
		src = RG_USER + RG_SIZE - 1 - R(g, 24);
		len = 0;
	} else if (which == 7) {
		src = tohole ? RG_KERN + 200 + R(g, 8)
		             : RG_KERN + RG_SIZE - 1 - R(g, 24);
		src = past_nul(g, src, tohole ? RG_KERN + 208 : RG_KERN + RG_SIZE);
		len = 0;
	} else if (which == 8 && c->deny & 1u) {
		/* without kernel visibility the copy runs over the rest of
		 * the region (Decision 2): a string longer than the size
		 * (at 0 or 16) is copied whole, one that runs into the hole
		 * faults there (the toxic check covers only the size) */
		src = hole && chance(g, 50) ? past_nul(g, RG_KERN + 184 + R(g, 16),
		                                       RG_KERN + 208)
		                            : RG_KERN + 16 * R(g, 2);
		len = 0;
	} else if (which == 8) {
		/* (the hole is toxic: copyoutstr's toxic check comes first) */
		src = past_nul(g, RG_KERN + RG_SIZE - 1 - R(g, 24), RG_KERN + RG_SIZE);
		len = RG_KERN + RG_SIZE - src; /* the faulting byte's offset */
	} else if (which >= 4) {
		src = RG_KERN - 1 - R(g, which == 4 ? 15 : 3);
		len = 0;
	} else if (pick == 1 && hole) {
		src = RG_KERN + 200 + R(g, 8);
		len = RG_KERN + 224 - src + 1 + R(g, 8);
	} else if (pick == 2 && high) {
		src = RG_HIGH + R(g, high);
		len = RG_HIGH + high - src + 1 + R(g, 12);
	} else {
		uint64_t a = 1 + R(g, 7);
		src = RG_KERN - a;
		len = a + 1 + R(g, 16);
	}
	tg_var(&g->p, 0x531, 1, 0, 0, 0, 8);
	tg_emit(&g->p, DIF_ENC_W(DIF_OPC_LDGS, 0x531, f));
	emit_r(g, DIF_OPC_TST, f, 0, 0);
	uint32_t at = tg_emit(&g->p, DIF_ENC_B(DIF_OPC_BNE, 0));
	tg_setx(&g->p, f, 1);
	tg_emit(&g->p, DIF_ENC_W(DIF_OPC_STGS, 0x531, f));
	/* memstr's buffer is its size; the others copy into an allocation */
	if (which == 3)
		tg_sets(&g->p, l, "xy", 2);
	else if (which < 3)
		tg_setx(&g->p, l, len);
	if (which < 2)
		emit_r(g, DIF_OPC_ALLOCS, l, 0, d);
	tg_setx(&g->p, s, src);
	if (which == 7 || which == 3) {
		/* bytes where the loops' zeros go (free scratch) */
		tg_sets(&g->p, l, "zzzz", 4);
		tg_setx(&g->p, d, DC_VA_SCRATCH);
		tg_setx(&g->p, f, 4);
		emit_r(g, DIF_OPC_COPYS, l, f, d);
		tg_setx(&g->p, s, src);
	}
	if (which == 8) {
		if (c->nhwrites == 0)
			host_writes(g);
		/* the fault inside the count, which sometimes leaves 4096
		 * bytes to go a few bytes after it */
		uint64_t size = c->deny & 1u ? 1 + R(g, 4)
		                : chance(g, 25) ? 4096 + len + 1 + R(g, 6)
		                                : len + 1 + R(g, 40);
		tg_setx(&g->p, f, c->hwrites[0].addr + 8 * R(g, 2));
		tg_setx(&g->p, l, size);
		emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, s));
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, f));
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, l));
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL,
		                         (unsigned)dif_subrs[DIF_S_COPYOUTSTR].num[prof], d));
	} else if (which >= 4) {
		static const int m7[] = { DIF_S_TOUPPER, DIF_S_TOLOWER, DIF_S_SUBSTR,
		                          DIF_S_BASENAME, DIF_S_DIRNAME, DIF_S_JSON };
		int id = which == 4 ? DIF_S_INET_NTOA6
		       : which == 5 ? DIF_S_INET_NTOA
		       : which == 6 ? DIF_S_COPYINSTR
		       : g->focus_subr >= 0 ? dif_subr_lookup((unsigned)g->focus_subr,
		                                              (enum dif_profile)prof)
		       : m7[R(g, 6)];
		emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
		if (id == DIF_S_JSON) {
			/* the selector faults: its zeros follow "{}" and
			 * its NUL */
			tg_sets(&g->p, f, "{}", 2);
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, f));
		}
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, s));
		if (id == DIF_S_SUBSTR) {
			tg_setx(&g->p, f, R(g, 3));
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, f));
		}
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL,
		                         (unsigned)dif_subrs[id].num[prof], d));
	} else if (which == 3) {
		emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
		int ab = chance(g, 50);
		if (ab)
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, l));
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, s));
		if (!ab)
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTR, 1, 0, l));
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL,
		                         (unsigned)dif_subrs[DIF_S_STRJOIN].num[prof], d));
	} else if (which == 0) {
		emit_r(g, DIF_OPC_COPYS, s, l, d);
	} else {
		emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, s));
		if (which == 2) {
			tg_setx(&g->p, f, chance(g, 50) ? '-' : 0);
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, f));
		} else {
			tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, d));
		}
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, l));
		int id = which == 2 ? DIF_S_MEMSTR : DIF_S_BCOPY;
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL,
		                         (unsigned)dif_subrs[id].num[prof], d));
	}
	g->p.text[at] = DIF_ENC_B(DIF_OPC_BNE, g->p.n);
	/* later runs skip the block: the registers hold what they held */
	set_kind(g, f, K_INT, 1);
	set_kind(g, s, K_INT, 1);
	set_kind(g, l, K_INT, 1);
	set_kind(g, d, K_INT, 1);
}

static void snippet_op(struct gen *g, int op)
{
	if (op < 0) {
		unsigned w = (unsigned)R(g, 100);
		if (w < 8) op = DIF_OPC_SETX;
		else if (w < 12) op = DIF_OPC_SETS;
		else if (w < 30) op = (int)alu3[R(g, 13)];
		else if (w < 34) op = DIF_OPC_NOT + (int)R(g, 2);
		else if (w < 46) op = DIF_OPC_BA + (int)R(g, 11);
		else if (w < 54) op = (int)loads[R(g, 21)];
		else if (w < 60) op = DIF_OPC_STB + (int)R(g, 4);
		else if (w < 65) op = chance(g, 60) ? DIF_OPC_ALLOCS : DIF_OPC_COPYS;
		else if (w < 78) op = -2; /* variable */
		else if (w < 83) op = DIF_OPC_PUSHTR + (int)R(g, 4);
		else if (w < 98) op = DIF_OPC_CALL;
		else op = DIF_OPC_NOP;
	}
	switch (op) {
	case -2:
		sn_var(g, -1);
		return;
	case DIF_OPC_SETX:
		load_int(g, reg(g), ival(g));
		return;
	case DIF_OPC_SETS:
		load_str(g, reg(g));
		return;
	case DIF_OPC_NOT:
	case DIF_OPC_MOV:
		sn_alu2(g, op);
		return;
	case DIF_OPC_CMP:
	case DIF_OPC_TST:
	case DIF_OPC_SCMP:
		sn_branch(g, op, -1);
		return;
	case DIF_OPC_ALLOCS:
	case DIF_OPC_COPYS:
		sn_scratch(g, op);
		return;
	case DIF_OPC_CALL:
		sn_call(g, g->focus_subr);
		return;
	case DIF_OPC_NOP:
	case DIF_OPC_RET:
		sn_nop(g);
		return;
	default:
		break;
	}
	if (op >= DIF_OPC_BA && op <= DIF_OPC_BLEU)
		sn_branch(g, -1, op);
	else if ((op >= DIF_OPC_LDSB && op <= DIF_OPC_LDX) ||
	         (op >= DIF_OPC_ULDSB && op <= DIF_OPC_RLDX))
		sn_load(g, op);
	else if (op >= DIF_OPC_STB && op <= DIF_OPC_STX)
		sn_store(g, op);
	else if (op >= DIF_OPC_PUSHTR && op <= DIF_OPC_FLUSHTS)
		sn_tuple(g, op);
	else if ((op >= DIF_OPC_LDGA && op <= DIF_OPC_STTS) ||
	         (op >= DIF_OPC_LDGAA && op <= DIF_OPC_STLS) ||
	         op == DIF_OPC_STGA)
		sn_var(g, op);
	else if (op == DIF_OPC_SRA || (op >= DIF_OPC_OR && op <= DIF_OPC_UREM))
		sn_alu(g, op);
	else
		sn_nop(g);
}

/* Whether an instruction writes its rd register. */
static int writes_rd(uint32_t w)
{
	unsigned op = DIF_I_OP(w);
	return (op >= DIF_OPC_OR && op <= DIF_OPC_MOV) || op == DIF_OPC_SRA ||
	       (op >= DIF_OPC_LDSB && op <= DIF_OPC_LDX) ||
	       (op >= DIF_OPC_ULDSB && op <= DIF_OPC_RLDX) ||
	       op == DIF_OPC_SETX || op == DIF_OPC_SETS ||
	       op == DIF_OPC_LDGA || op == DIF_OPC_LDGS || op == DIF_OPC_LDTA ||
	       op == DIF_OPC_LDTS || op == DIF_OPC_CALL ||
	       op == DIF_OPC_LDGAA || op == DIF_OPC_LDTAA ||
	       op == DIF_OPC_LDLS || op == DIF_OPC_ALLOCS;
}

/* Adds the result of the last instruction (when it has one that does not
 * depend on layout) to the accumulator. */
static void mix(struct gen *g, uint32_t from)
{
	if (!g->acc || g->p.n <= from)
		return;
	uint32_t w = g->p.text[g->p.n - 1];
	unsigned rd = DIF_I_RD(w);
	if (!writes_rd(w) || rd == 0 || rd == g->acc || rd > 7 || g->taint[rd])
		return;
	emit_r(g, DIF_OPC_ADD, rd, g->acc, g->acc);
}

static void snippet(struct gen *g)
{
	uint32_t n0 = g->p.n;
	snippet_op(g, -1);
	mix(g, n0);
}

/* ---- environment ----------------------------------------------------------- */

/* n random bytes (non-zero ones when nonzero), eight from each draw:
 * regions are drawn for every attempt, and byte by byte they were the
 * generator's largest cost. */
static void rand_bytes(struct gen *g, uint8_t *b, size_t n, int nonzero)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t x = tg_rand(&g->r);
		for (size_t j = 0; j < 8 && i + j < n; j++) {
			uint8_t v = (uint8_t)(x >> 8 * j);
			b[i + j] = nonzero && v == 0 ? (uint8_t)(1 + (x >> 56) % 255) : v;
		}
	}
}

static void put_region(struct gen *g, uint64_t addr, uint8_t as,
                       uint8_t flags, int toxic)
{
	struct dc_region *rg = &g->c->regions[g->c->nregions++];
	rg->addr = addr;
	rg->size = RG_SIZE;
	rg->as = as;
	rg->flags = flags;
	if (toxic)
		return;
	uint8_t *b = calloc(1, RG_SIZE);
	rg->bytes = b;
	if (!b)
		return;
	static const char *const strs[] = { "hello world", "/usr/./lib//x/../libc.so",
		                            "abc", "", "{\"a\":[1,2]}", "x",
		                            "ZzAZ az", "\xff\x80Z~", "  \t-0x7Z" };
	const size_t nstrs = sizeof(strs) / sizeof(strs[0]);
	for (int k = 0; k < 2; k++) {
		char tmp[16];
		if (chance(g, 25)) {
			rand_str(g, tmp, sizeof(tmp));
			memcpy(b + 16 * k, tmp, strlen(tmp) + 1);
		} else {
			const char *s0 = strs[R(g, nstrs)];
			memcpy(b + 16 * k, s0, strlen(s0) + 1);
		}
	}
	static const uint8_t v4[][4] = { { 192, 168, 1, 20 }, { 0, 0, 0, 0 },
		                         { 255, 255, 255, 255 }, { 10, 0, 0, 1 } };
	if (chance(g, 30))
		rand_bytes(g, b + 48, 4, 0);
	else
		memcpy(b + 48, v4[R(g, 4)], 4);
	uint8_t v6[16] = { 0 };
	switch (R(g, 14)) {
	case 0: v6[15] = 1; break;
	case 1: v6[10] = v6[11] = 0xff; v6[12] = 1; v6[13] = 2; v6[14] = 3; v6[15] = 4; break;
	case 2: v6[0] = 0x20; v6[1] = 0x01; v6[2] = 0x0d; v6[3] = 0xb8; v6[15] = 0x10; break;
	case 3: for (int i = 0; i < 16; i++) v6[i] = (uint8_t)(i * 17); break;
	case 4: v6[12] = 9; v6[15] = 9; break; /* v4-compatible */
	case 5: break; /* :: */
	case 6: v6[0] = 0xfe; v6[1] = 0x80; v6[15] = 1; break; /* fe80::1 */
	case 7: v6[0] = 0xff; v6[1] = 0x02; v6[15] = 1; break; /* ff02::1 */
	case 8: v6[1] = 1; v6[7] = 1; v6[15] = 1; break; /* 1:0:0:1:0:0:0:1 */
	case 9: v6[10] = v6[11] = 0xff; break; /* ::ffff:0.0.0.0 */
	case 10: {
		/* 0:db8:0:a1b2:c3d4:e5f6:1234:5678: of two equally long
		 * zero runs the first becomes :: */
		static const uint8_t t[16] = { 0, 0, 0x0d, 0xb8, 0, 0, 0xa1, 0xb2,
			                       0xc3, 0xd4, 0xe5, 0xf6, 0x12, 0x34,
			                       0x56, 0x78 };
		memcpy(v6, t, 16);
		break;
	}
	case 11:
		/* 2001:db8:1:2:3:4:5:6: zero bytes, but no zero group */
		v6[0] = 0x20; v6[1] = 0x01; v6[2] = 0x0d; v6[3] = 0xb8;
		for (int i = 5; i < 16; i += 2)
			v6[i] = (uint8_t)((i - 3) / 2);
		break;
	default:
		/* random groups, about half of them zero */
		for (int i = 0; i < 16; i += 2)
			if (chance(g, 50)) {
				uint64_t x = chance(g, 20) ? 1 : tg_rand(&g->r);
				v6[i] = (uint8_t)(x >> 8);
				v6[i + 1] = (uint8_t)x;
			}
	}
	memcpy(b + 52, v6, 16);
	rand_bytes(g, b + 68, 60, 0);
	/* 128..255: a string with no NUL before the region end, letters
	 * (through 'Z'), any non-NUL bytes, digits, or blanks (strtoll reads
	 * blanks with no bound and the byte after its digits, Decision 26) */
	uint64_t kind = R(g, 20);
	if (kind < 8)
		rand_bytes(g, b + 128, 128, 1);
	for (int i = 128; i < 256 && kind >= 8; i++)
		b[i] = kind < 17 ? (uint8_t)('A' + (i % 26))
		       : kind < 19 ? (uint8_t)('0' + (i % 10))
		       : (uint8_t)(i % 3 ? ' ' : '\t');
	if (chance(g, 50))
		b[chance(g, 50) ? 200 : 128 + R(g, 128)] = 0;
}

/* Toxic memory, sometimes also marked loadable (toxic wins). */
static uint8_t toxic_flags(struct gen *g)
{
	return chance(g, 30) ? 3 : 2;
}

/* regions: 0 when the caller puts its own (subroutine focus) */
static void environment(struct gen *g, int regions)
{
	struct dc_case *c = g->c;
	c->profile = chance(g, 25) ? DC_PROFILE_ILLUMOS : DC_PROFILE_FREEBSD;
	if (chance(g, 20)) {
		static const uint32_t ss[] = { 1, 2, 8, 16, 32, 64, 100, 512,
			                       257, 1024 };
		c->strsize = ss[R(g, 10)];
	}
	if (chance(g, 15)) {
		static const uint64_t sc[] = { 1, 8, 16, 24, 40, 64, 100, 300, 1024 };
		c->scratch_size = sc[R(g, 9)];
	}
	if (chance(g, 18)) {
		/* a few chunks at most: stores run out of space (drops) */
		static const uint64_t dv[] = { 1, 100, 2464, 4928, 6000, 10000,
			                       2 * 2464, 3 * 2464 };
		c->dynvar_size = dv[R(g, 8)];
	}
	if (chance(g, 20))
		c->deny = (uint32_t)R(g, 16);
	g->strsize = c->strsize ? c->strsize : 256;
	if (regions && chance(g, 85))
		put_region(g, RG_KERN, 0, 1, 0);
	if (regions && chance(g, 50))
		put_region(g, RG_PRIV, 0, 0, 0);
	if (regions && chance(g, 60))
		put_region(g, RG_USER, 1, 1, 0);
	if (regions && chance(g, 40))
		put_region(g, RG_TOXIC, 0, toxic_flags(g), 1);
	if (c->nregions && c->regions[0].addr == RG_KERN && chance(g, 10)) {
		/* a toxic hole inside the readable tail of the kernel region */
		put_region(g, RG_KERN + 208, 0, toxic_flags(g), 1);
		c->regions[c->nregions - 1].size = 16;
	}
	for (int i = 0; i < 10; i++)
		c->args[i] = chance(g, 50) ? R(g, 100) : ival(g);
	/* 0: derived from tid; else a key as DTrace forms them (above every
	 * variable's key entry, sometimes with an interrupt level on top) */
	c->thread_key = chance(g, 50) ? 0
	                : (0x10000 + R(g, 3)) | (uint64_t)R(g, 8) << 61;
	static const uint32_t ivars[] = { 0x100, 0x101, 0x102, 0x103, 0x104,
		                          0x105, 0x110, 0x111, 0x116, 0x117,
		                          0x11a, 0x11b, 0x11c, 0x11d, 0x11e,
		                          0x11f, 0x120, 0x122, 0x200 };
	static const uint32_t svars[] = { 0x112, 0x113, 0x114, 0x115, 0x118,
		                          0x119, 0x121, 0x123 };
	unsigned nb = (unsigned)R(g, 8);
	for (unsigned i = 0; i < nb; i++) {
		struct dc_bvar *b = &c->bvars[c->nbvars];
		*b = (struct dc_bvar){ 0 };
		if (chance(g, 60)) {
			b->id = ivars[R(g, sizeof(ivars) / sizeof(ivars[0]))];
			b->value = chance(g, 50) ? R(g, 1000) : ival(g);
		} else {
			b->id = svars[R(g, sizeof(svars) / sizeof(svars[0]))];
			char buf[1200];
			sval(g, buf, sizeof(buf));
			b->str = strdup(buf);
		}
		int dup = 0;
		for (uint32_t j = 0; j < c->nbvars; j++)
			dup |= c->bvars[j].id == b->id;
		if (dup) {
			free(b->str);
			b->str = NULL;
			continue;
		}
		c->nbvars++;
	}
	c->runs = chance(g, 25) ? 2 + (uint32_t)R(g, 2) : 1;
}

/* The opcode (or CALL plus subroutine name) and profiles a model case
 * is about; -1 when it names neither. */
static int focus_of(long part, int *op, const char **subr, unsigned *pm)
{
	*op = -1;
	*subr = NULL;
	*pm = 3;
	if (part < 0 || (size_t)part >= tg_nparts())
		return -1;
	struct tg_part p;
	tg_part_at((size_t)part, &p);
	if (!p.insn)
		return -1;
	*pm = p.profiles & 3 ? p.profiles & 3 : 3;
	for (unsigned i = 1; i < DIF_OP_COUNT; i++) {
		const char *n = dif_op_name(i, DIF_PROFILE_ILLUMOS);
		if (n && strcmp(n, p.insn) == 0) {
			*op = (int)i;
			return 0;
		}
	}
	for (int prof = 0; prof < 2; prof++)
		if (dif_subr_find(p.insn, strlen(p.insn), (enum dif_profile)prof) >= 0) {
			*op = DIF_OPC_CALL;
			*subr = p.insn;
			if (prof == 1 && *pm == 3 &&
			    dif_subr_find(p.insn, strlen(p.insn), DIF_PROFILE_FREEBSD) < 0)
				*pm = 2;
			else if (*pm == 3 && dif_subr_find(p.insn, strlen(p.insn),
			                                   DIF_PROFILE_ILLUMOS) < 0)
				*pm = 1;
			return 0;
		}
	return -1;
}

/* ---- host callback answers (docs/corpus.md) ------------------------------ */

/* A host's return code: mostly an answer, sometimes a fault, rarely an
 * invalid code (a host bug: ILLOP). */
static uint32_t host_code(struct gen *g)
{
	static const unsigned tw[] = { 0, 70, 90 }; /* T_UREGS: 1/3 each */
	unsigned w = g->tilt & T_UREGS ? tw[R(g, 3)] : (unsigned)R(g, 100);
	if (w < 70)
		return 0;
	if (w < 90)
		return 1 + (uint32_t)R(g, 9);
	return DC_HC_INVALID + (uint32_t)R(g, DC_HC_MAX - DC_HC_INVALID + 1);
}

/* A value for a host answer: an integer, or an address with a string
 * (fixed host memory or the string table), NULL, unreadable or toxic
 * memory. Never a variable window address (layout). */
static uint64_t host_value(struct gen *g, int str)
{
	if (!str && chance(g, 60))
		return chance(g, 50) ? R(g, 1000) : ival(g);
	if (str && chance(g, 25))
		return RG_KERN + 128 + R(g, 96); /* long: more than a small scratch */
	switch (R(g, 8)) {
	case 0: return 0;
	case 1: return RG_KERN + 16 * R(g, 2);
	case 2: return RG_KERN + 128 + R(g, 128); /* maybe no NUL */
	case 3: return RG_PRIV + 16 * R(g, 2);
	case 4: return RG_TOXIC + R(g, 4);
	case 5: return 0x50000 + R(g, 16); /* unmapped */
	case 6: return g->c->strlen ? DC_VA_STRTAB + R(g, g->c->strlen) : 0;
	default: return RG_KERN + RG_SIZE - 1 - R(g, 3);
	}
}

/* The constant a SETX just before pc put into register r, if any. */
static int setx_before(const struct dc_case *c, uint32_t pc, unsigned r,
                       uint64_t *v)
{
	if (pc == 0)
		return 0;
	uint32_t w = c->text[pc - 1];
	if (DIF_I_OP(w) != DIF_OPC_SETX || DIF_I_RD(w) != r ||
	    DIF_I_INDEX(w) >= c->intlen)
		return 0;
	*v = c->inttab[DIF_I_INDEX(w)];
	return 1;
}

/* User memory for copyout and copyoutstr (numbers 13 and 14 on both
 * profiles): where the generator's user addresses lie, sized around the
 * 256-byte pieces, sometimes followed by a second range. */
static void host_writes(struct gen *g)
{
	struct dc_case *c = g->c;
	static const uint32_t sz[] = { 16, 64, 256, 260, 300, 512 };
	uint32_t n = sz[R(g, sizeof(sz) / sizeof(sz[0]))];
	uint64_t a = chance(g, 80) ? RG_USER : RG_USER + 8 * R(g, 32);
	c->hwrites[c->nhwrites++] = (struct dc_hwrite){ a, n, host_code(g) };
	if (chance(g, 40))
		c->hwrites[c->nhwrites++] = (struct dc_hwrite){
			a + n + 8 * R(g, 2), 8 + (uint32_t)R(g, 300), host_code(g) };
}

/* Memory served by the host's read callback instead of a registered
 * region: the regions that are not loadable (the kernel one at RG_PRIV,
 * the user one) move to the callback, which the model reads alike. */
static void host_reads(struct gen *g)
{
	struct dc_case *c = g->c;
	for (uint32_t i = 0; i < c->nregions;) {
		struct dc_region *r = &c->regions[i];
		if ((r->addr == RG_PRIV || r->addr == RG_USER) && r->bytes &&
		    c->nhreads < DC_MAX_HREADS && chance(g, 70)) {
			c->hreads[c->nhreads++] = (struct dc_hread){
				.addr = r->addr, .size = r->size, .as = r->as,
				.bytes = r->bytes };
			memmove(r, r + 1, (c->nregions - i - 1) * sizeof(*r));
			c->regions[--c->nregions] = (struct dc_region){ 0 };
			continue;
		}
		i++;
	}
}

/* Register r holds a constant (or its initial 0) when instruction pc
 * runs: every earlier instruction that writes r is a SETX (branches only
 * go forwards, and registers start each run at 0). */
static int rd_const_before(const struct dc_case *c, uint32_t pc, unsigned r)
{
	for (uint32_t i = 0; i < pc && i < c->textlen; i++) {
		uint32_t w = c->text[i];
		if (writes_rd(w) && DIF_I_RD(w) == r && DIF_I_OP(w) != DIF_OPC_SETX)
			return 0;
	}
	return 1;
}

/* Sometimes the case installs host callbacks that answer some of the
 * built-in variables, arrays, subroutines and uregs[] stores the program
 * uses (struct dc_hvar etc.); each answer replaces a value by a constant,
 * so it changes nothing about layout independence. */
static void host_answers(struct gen *g, int fop)
{
	struct dc_case *c = g->c;
	if (chance(g, 12))
		host_reads(g);
	int focus = fop == DIF_OPC_LDGS || fop == DIF_OPC_LDGA ||
	            fop == DIF_OPC_STGA || fop == DIF_OPC_CALL;
	if (g->tilt & T_BVSTR)
		return; /* the case's own values */
	int tilt = g->tilt & (T_HOSTSTR | T_UREGS);
	if (!tilt && !chance(g, focus ? 45 : fop >= 0 ? 8 : 12))
		return;
	static const unsigned sids[] = { 0x112, 0x113, 0x114, 0x115, 0x118,
		                         0x119, 0x121, 0x123 };
	for (uint32_t pc = 0; pc < c->textlen; pc++) {
		uint32_t w = c->text[pc];
		unsigned op = DIF_I_OP(w);
		uint64_t ix = R(g, 12);
		if (!tilt && !chance(g, 60))
			continue;
		if (op == DIF_OPC_LDGS && DIF_I_INDEX(w) < 0x500 &&
		    c->nhvars < DC_MAX_HVARS) {
			unsigned id = DIF_I_INDEX(w);
			int str = 0;
			for (size_t k = 0; k < sizeof(sids) / sizeof(sids[0]); k++)
				str |= id == sids[k];
			if (dc_hvar_find(c, id, 0) < 0)
				c->hvars[c->nhvars++] = (struct dc_hvar){
					id, 0, host_code(g), host_value(g, str) };
		} else if (op == DIF_OPC_LDGA && c->nhvars < DC_MAX_HVARS) {
			setx_before(c, pc, DIF_I_R2(w), &ix);
			if (dc_hvar_find(c, DIF_I_R1(w), ix) < 0)
				c->hvars[c->nhvars++] = (struct dc_hvar){
					DIF_I_R1(w), ix, host_code(g), host_value(g, 0) };
		} else if (op == DIF_OPC_STGA && c->nhstores < DC_MAX_HSTORES) {
			setx_before(c, pc, DIF_I_R2(w), &ix);
			if (dc_hstore_find(c, DIF_I_R1(w), ix) < 0)
				c->hstores[c->nhstores++] = (struct dc_hstore){
					DIF_I_R1(w), ix, host_code(g) };
		} else if (op == DIF_OPC_CALL && c->nhwrites == 0 &&
		           (DIF_I_INDEX(w) == 13 || DIF_I_INDEX(w) == 14)) {
			host_writes(g);
		} else if (op == DIF_OPC_CALL && c->nhsubrs < DC_MAX_HSUBRS &&
		           dc_hsubr_find(c, DIF_I_INDEX(w)) < 0) {
			/* an answer that leaves rd as it was (at every call
			 * of the subroutine) keeps what the program put
			 * there: only a constant, as an address (a by-ref
			 * load's) depends on the layout */
			int keep_ok = 1;
			for (uint32_t k = pc; k < c->textlen; k++) {
				uint32_t x = c->text[k];
				if (DIF_I_OP(x) == DIF_OPC_CALL &&
				    DIF_I_INDEX(x) == DIF_I_INDEX(w))
					keep_ok &= rd_const_before(c, k, DIF_I_RD(x));
			}
			c->hsubrs[c->nhsubrs++] = (struct dc_hsubr){
				DIF_I_INDEX(w), host_code(g), host_value(g, chance(g, 50)),
				chance(g, 80) || !keep_ok };
		}
	}
}

/* A zeroed generator state, but for the program's buffers (most of its
 * 22 KiB, and it is made once per attempt): tg_prog_init empties them. */
static struct gen *gen_new(void)
{
	struct gen *g = malloc(sizeof(*g));
	if (!g)
		return NULL;
	size_t a = offsetof(struct gen, p), b = a + sizeof(g->p);
	memset(g, 0, a);
	memset((char *)g + b, 0, sizeof(*g) - b);
	tg_prog_init(&g->p);
	return g;
}

/* The toxic hole inside the kernel region (which is put first when it
 * is missing), unless there is one. */
static void kern_hole(struct gen *g)
{
	struct dc_case *c = g->c;
	for (uint32_t i = 0; i < c->nregions; i++)
		if (c->regions[i].addr == RG_KERN + 208)
			return;
	if (c->nregions == 0 || c->regions[0].addr != RG_KERN) {
		for (uint32_t i = 0; i < c->nregions; i++)
			free(c->regions[i].bytes);
		memset(c->regions, 0, sizeof(c->regions));
		c->nregions = 0;
		put_region(g, RG_KERN, 0, 1, 0);
	}
	if (c->nregions >= DC_MAX_REGIONS)
		return;
	put_region(g, RG_KERN + 208, 0, toxic_flags(g), 1);
	c->regions[c->nregions - 1].size = 16;
}

/* The rare model cases that get directed attempts (T_*). */
static const struct {
	const char *insn, *name;
	unsigned tilt;
} tilts[] = {
	{ "strjoin", "a-badaddr", T_TOXSTR | T_CPFAULT | T_CPNOK },
	{ "strjoin", "b-badaddr", T_TOXSTR | T_CPFAULT | T_CPNOK },
	{ "scmp", "left-badaddr", T_TOXSTR },
	{ "scmp", "right-badaddr", T_TOXSTR },
	{ "strstr", "empty", T_EMPTY },
	{ "index", "empty", T_EMPTY },
	{ "rindex", "empty", T_EMPTY },
	{ "ldgs", "host-str-noscratch", T_HOSTSTR },
	{ "ldgs", "host-str-null", T_HOSTSTR },
	{ "ldgs", "host-str-copy", T_HOSTSTR },
	{ "stga", "uregs-host-fault", T_UREGS },
	{ "stga", "uregs-host-invalid", T_UREGS },
	{ "stga", "uregs-host-store", T_UREGS },
	{ "stga", "uregs-nodestructive", T_ARR2 },
	{ "stga", "uregs-upriv", T_ARR2 },
	{ "ldga", "uregs-upriv", T_ARR2 },
	{ "ldgs", "str-noscratch", T_BVSTR },
	{ "ldgs", "str-copy", T_BVSTR },
	{ "scmp", "left-silent", T_BADSTR },
	{ "scmp", "right-silent", T_BADSTR },
	{ "stgs", "silent", T_BADSTR },
	{ "stts", "store-silent", T_BADSTR },
	{ "stls", "silent", T_BADSTR },
	{ "stgaa", "store-silent", T_BADSTR },
	{ "sttaa", "store-silent", T_BADSTR },
	{ "strjoin", "a-silent", T_BADSTR },
	{ "strjoin", "b-silent", T_BADSTR },
	{ "strtok", "s-silent", T_BADSTR },
	{ "strtok", "read-badaddr", T_TWOBAD },
	{ "strtok", "delims-silent", T_BADSTR },
	{ "strlen", "s-silent", T_BADSTR },
	{ "strchr", "s-silent", T_BADSTR },
	{ "strrchr", "s-silent", T_BADSTR },
	{ "strlen", "limit-badaddr", T_TOXSTR | T_LIMIT },
	{ "strtok", "s-badaddr", T_TOXSTR },
	{ "strchr", "s-badaddr", T_TOXSTR },
	{ "strtok", "delims-badaddr", T_TOXSTR },
	{ "cleanpath", "path-badaddr", T_TOXSTR },
	{ "strrchr", "limit-badaddr", T_TOXSTR | T_LIMIT },
	{ "cleanpath", "path-silent", T_BADSTR },
	{ "copyoutstr", "silent", T_BADSTR },
	{ "copyoutstr", "write", T_CPFAULT | T_CPNOK },
	{ "copyoutstr", "copy-badaddr", T_CPFAULT | T_CPNOK },
	{ "strtoll", "s-silent", T_BADSTR },
	{ "ldgaa", "key-kpriv", T_BADKEY | T_NOKPRIV },
	{ "ldtaa", "key-kpriv", T_BADKEY | T_NOKPRIV },
	{ "stgaa", "key-kpriv", T_BADKEY | T_NOKPRIV },
	{ "sttaa", "key-kpriv", T_BADKEY | T_NOKPRIV },
	{ "ldgaa", "key-badaddr", T_BADKEY },
	{ "ldtaa", "key-badaddr", T_BADKEY },
	{ "stgaa", "key-badaddr", T_BADKEY },
	{ "sttaa", "key-badaddr", T_BADKEY },
	{ "strlen", "s-kpriv", T_KPRIV },
	{ "strjoin", "a-kpriv", T_KPRIV },
	{ "strjoin", "b-kpriv", T_KPRIV },
	{ "basename", "path-kpriv", T_KPRIV },
	{ "dirname", "path-kpriv", T_KPRIV },
	{ "cleanpath", "path-kpriv", T_KPRIV },
	{ "strchr", "s-kpriv", T_KPRIV },
	{ "strrchr", "s-kpriv", T_KPRIV },
	{ "strstr", "s-kpriv", T_KPRIV },
	{ "strstr", "sub-kpriv", T_KPRIV },
	{ "strtok", "delims-kpriv", T_KPRIV },
	{ "strtok", "s-kpriv", T_KPRIV },
	{ "substr", "s-kpriv", T_KPRIV },
	{ "index", "s-kpriv", T_KPRIV },
	{ "index", "sub-kpriv", T_KPRIV },
	{ "rindex", "s-kpriv", T_KPRIV },
	{ "rindex", "sub-kpriv", T_KPRIV },
	{ "toupper", "s-kpriv", T_KPRIV },
	{ "tolower", "s-kpriv", T_KPRIV },
	{ "json", "json-kpriv", T_KPRIV },
	{ "json", "selector-kpriv", T_KPRIV },
	{ "strtoll", "s-kpriv", T_KPRIV },
	{ "copyoutstr", "kpriv", T_KPRIV },
	{ "strjoin", "too-long", T_JOIN },
	{ "strjoin", "exact-fit", T_JOIN },
	{ "strtoll", "convert", T_NUM },
	{ "copyin", "copy", T_ODDSCR },
	{ "copys", "badaddr-src", T_CPFAULT },
	{ "bcopy", "badaddr-src", T_CPFAULT },
	{ "memstr", "badaddr", T_CPFAULT },
	{ "strjoin", "kernel-badaddr", T_CPFAULT },
	{ "inet_ntoa6", "badaddr", T_CPFAULT },
	{ "inet_ntoa", "badaddr", T_CPFAULT },
	{ "copyinstr", "badaddr", T_CPFAULT },
	{ "toupper", "badaddr", T_CPFAULT },
	{ "tolower", "badaddr", T_CPFAULT },
	{ "substr", "badaddr", T_CPFAULT },
	{ "basename", "badaddr", T_CPFAULT },
	{ "dirname", "badaddr", T_CPFAULT },
	{ "json", "badaddr", T_CPFAULT },
	{ "copyoutstr", "badaddr", T_CPFAULT },
	{ "copyin", "badaddr", T_ODDSCR },
	{ "copyin", "noscratch", T_ODDSCR },
	{ "stgs", "kpriv", T_BADSTR | T_KPRIV },
	{ "stts", "store-kpriv", T_BADSTR | T_KPRIV },
	{ "stls", "kpriv", T_BADSTR | T_KPRIV },
	{ "stgaa", "store-kpriv", T_BADSTR | T_KPRIV },
	{ "sttaa", "store-kpriv", T_BADSTR | T_KPRIV },
};

static unsigned tilt_of(size_t part)
{
	struct tg_part p;
	tg_part_at(part, &p);
	for (size_t i = 0; p.insn && i < sizeof(tilts) / sizeof(tilts[0]); i++)
		if (strcmp(p.insn, tilts[i].insn) == 0 &&
		    strcmp(p.name, tilts[i].name) == 0)
			return tilts[i].tilt;
	return 0;
}

bool tg_gen_tilted(size_t part)
{
	return part < tg_nparts() && tilt_of(part) != 0;
}

bool tg_gen_tilt_stale(const char **insn, const char **name)
{
	size_t np = tg_nparts();
	for (size_t i = 0; i < sizeof(tilts) / sizeof(tilts[0]); i++) {
		bool found = false;
		for (size_t k = 0; k < np && !found; k++) {
			struct tg_part p;
			tg_part_at(k, &p);
			found = p.insn && strcmp(p.insn, tilts[i].insn) == 0 &&
			        strcmp(p.name, tilts[i].name) == 0;
		}
		if (!found) {
			*insn = tilts[i].insn;
			*name = tilts[i].name;
			return true;
		}
	}
	return false;
}

/* A random program around the focus of focus_of (fop -1: none); tilt:
 * the T_* directions, taken by three attempts in four (the fourth is
 * drawn as usual, so the other ways to reach the case stay). */
static void gen_case(uint64_t seed, int fop, const char *fsub, unsigned pm,
                     unsigned tilt, struct dc_case *c)
{
	struct gen *g = gen_new();
	tg_case_init(c);
	if (!g)
		return;
	g->r.s = seed;
	g->c = c;
	environment(g, fop != DIF_OPC_CALL);
	g->badpct = 8;
	if (fop == DIF_OPC_CALL) {
		/* subroutine tests: more bad strings, all regions present */
		g->badpct = 30;
		put_region(g, RG_KERN, 0, 1, 0);
		put_region(g, RG_PRIV, 0, 0, 0);
		put_region(g, RG_USER, 1, 1, 0);
		put_region(g, RG_TOXIC, 0, toxic_flags(g), 1);
		if (chance(g, 20)) {
			put_region(g, RG_KERN + 208, 0, toxic_flags(g), 1);
			c->regions[c->nregions - 1].size = 16;
			/* without kernel visibility a string in the region's
			 * tail with no NUL in a small strsize is read on to
			 * the hole (Decision 30) */
			if (chance(g, 40)) {
				c->deny = (c->deny | 1) & ~2u;
				c->strsize = g->strsize = 8u << R(g, 4);
			}
		}
		/* string checks differ without kernel read privilege */
		if (chance(g, 35))
			c->deny |= 1;
	}
	if (fop == DIF_OPC_SCMP && c->nregions < DC_MAX_REGIONS && chance(g, 30)) {
		if (c->nregions == 0 || c->regions[0].addr != RG_KERN) {
			for (uint32_t i = 0; i < c->nregions; i++)
				free(c->regions[i].bytes);
			memset(c->regions, 0, sizeof(c->regions));
			c->nregions = 0;
			put_region(g, RG_KERN, 0, 1, 0);
		}
		put_region(g, RG_KERN + 208, 0, toxic_flags(g), 1);
		c->regions[c->nregions - 1].size = 16;
		c->deny |= 1;
	}
	if (tilt && chance(g, tilt & T_CPNOK ? 90 : 75))
		g->tilt = tilt;
	if (g->tilt & (T_TOXSTR | T_HOSTSTR | T_BADSTR | T_BVSTR | T_NOKPRIV |
	               T_KPRIV))
		c->deny |= 1;
	if (g->tilt & T_TOXSTR)
		kern_hole(g);
	if (g->tilt & T_LIMIT) {
		c->deny = (c->deny | 1u) & ~2u;
		c->strsize = g->strsize = 8u << R(g, 4);
	}
	if (g->tilt & T_TWOBAD) {
		c->deny &= ~1u;
		g->badpct = 80;
	}
	if (g->tilt & T_UREGS)
		c->deny &= ~(2u | 4u | 8u); /* proc, owner, destructive */
	if (g->tilt & T_JOIN && chance(g, 85))
		c->deny |= 1;
	if (fop >= 0 && chance(g, 30))
		c->runs = 2; /* state carried between runs */
	if (g->tilt & T_CPFAULT) {
		c->runs = 2;
		int meas = fsub && (strcmp(fsub, "toupper") == 0 ||
		                    strcmp(fsub, "tolower") == 0 ||
		                    strcmp(fsub, "substr") == 0 ||
		                    strcmp(fsub, "basename") == 0 ||
		                    strcmp(fsub, "dirname") == 0 ||
		                    strcmp(fsub, "json") == 0);
		if (meas && chance(g, 40))
			g->tilt |= T_CPNOK;
		if (g->tilt & T_CPNOK) {
			/* the hole inside the loadable region, readable with
			 * proc privilege (emulator-facts.md 3) */
			c->deny = (c->deny | 1u) & ~2u;
			kern_hole(g);
		} else if (meas || (fsub && strcmp(fsub, "strjoin") == 0)) {
			c->deny &= ~1u; /* their loops run on with kernel visibility */
		}
		if (fsub && strcmp(fsub, "copyoutstr") == 0)
			c->deny &= g->tilt & T_CPNOK ? ~(4u | 8u) /* owner, destructive */
			                             : ~(1u | 4u | 8u); /* and kernel */
		if (chance(g, 50))
			kern_hole(g);
		if (c->nregions == 0 || c->regions[0].addr != RG_KERN)
			kern_hole(g); /* (puts the kernel region first) */
		int user = 0;
		for (uint32_t k = 0; k < c->nregions; k++)
			user |= c->regions[k].addr == RG_USER;
		if (!user && c->nregions < DC_MAX_REGIONS)
			put_region(g, RG_USER, 1, 1, 0);
	}
	if (g->tilt & T_CPFAULT && c->nregions < DC_MAX_REGIONS && chance(g, 60)) {
		put_region(g, RG_HIGH, 0, 1, 0);
		c->regions[c->nregions - 1].size = 4 + R(g, 12);
	}
	if (fop == DIF_OPC_LDGS && chance(g, 40)) {
		/* built-in strings copied to a small scratch */
		c->deny |= 1;
		c->scratch_size = 1 + R(g, 40);
	}
	if (fop >= 0 && chance(g, 30)) {
		/* limits and privileges matter to most instructions */
		c->deny |= 1;
		if (chance(g, 60))
			c->scratch_size = 8 + R(g, 100);
	}
	g->focus_op = fop;
	g->focus_subr = -1;
	if (fop == DIF_OPC_STGA)
		pm = 2;
	if (!(pm & (1u << c->profile)))
		c->profile = pm & 1 ? DC_PROFILE_FREEBSD : DC_PROFILE_ILLUMOS;
	/* built-in variables the final profile lacks cannot be set */
	for (uint32_t i = 0, j = 0; i < c->nbvars; i++) {
		if (dif_var_name(c->bvars[i].id, (enum dif_profile)c->profile)) {
			c->bvars[j++] = c->bvars[i];
		} else {
			free(c->bvars[i].str);
			c->bvars[i].str = NULL;
		}
		if (i + 1 == c->nbvars) {
			for (uint32_t k = j; k < c->nbvars; k++)
				c->bvars[k] = (struct dc_bvar){ 0 };
			c->nbvars = j;
			break;
		}
	}
	if (fsub)
		g->focus_subr = dif_subr_find(fsub, strlen(fsub),
		                              (enum dif_profile)c->profile);
	/* (json's partition tests observe its scratch bytes through it) */
	int jfocus = g->focus_subr >= 0 &&
	             g->focus_subr == dif_subrs[DIF_S_JSON].num[c->profile];
	if (g->tilt & T_CPFAULT || chance(g, fop >= 0 ? (jfocus ? 90 : 50) : 90)) {
		g->acc = 7;
		set_kind(g, 7, K_INT, 0);
	}
	/* later runs first read what earlier runs left at scratch's start
	 * (a faulting cleanpath's or strtok's partial output, Decision 31):
	 * run 1 skips the read, the runs after it take an alloca (not
	 * zeroed) there; made NOPs at the end if a tainted value may have
	 * been stored to memory */
	uint32_t pro0 = g->p.n, pro1 = pro0;
	if (c->runs >= 2 && g->acc && (g->tilt & T_CPFAULT || chance(g, 40))) {
		unsigned v = reg(g), p = next_reg(g, v), x = next_reg(g, p);
		tg_var(&g->p, 0x530, 1, 0, 0, 0, 8);
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_LDGS, 0x530, v));
		tg_setx(&g->p, x, 1);
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_STGS, 0x530, x));
		emit_r(g, DIF_OPC_TST, v, 0, 0);
		uint32_t at = tg_emit(&g->p, DIF_ENC_B(DIF_OPC_BE, 0));
		/* (inet_ntoa6's text lies at the end of its 46 bytes) */
		uint64_t size = 8 * (1 + R(g, g->tilt & T_CPFAULT ? 6 : 4));
		tg_setx(&g->p, v, size);
		emit_r(g, DIF_OPC_FLUSHTS, 0, 0, 0);
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, v));
		tg_emit(&g->p, DIF_ENC_W(DIF_OPC_CALL,
		                         (unsigned)dif_subrs[DIF_S_ALLOCA].num[c->profile],
		                         p));
		/* (a faulting copy's zeros often lie at scratch's start) */
		tg_setx(&g->p, x, g->tilt & T_CPFAULT && chance(g, 70) ? 0
		                                                       : 8 * R(g, size / 8));
		emit_r(g, DIF_OPC_ADD, p, x, x);
		emit_r(g, DIF_OPC_LDX, x, 0, x);
		emit_r(g, DIF_OPC_ADD, x, g->acc, g->acc);
		g->p.text[at] = DIF_ENC_B(DIF_OPC_BE, g->p.n);
		pro1 = g->p.n;
		g->prologue = 1;
		set_kind(g, v, K_INT, 0);
		set_kind(g, p, K_INT, 0);
		set_kind(g, x, K_INT, 0);
	}
	if (fop >= 0) {
		/* short programs around the focus instruction */
		g->budget = (unsigned)R(g, 3);
		while (g->budget) {
			g->budget--;
			snippet(g);
		}
		if (g->tilt & T_ODDSCR) {
			unsigned rd = reg(g), rs = next_reg(g, rd);
			uint64_t sz = 1 + R(g, 7);
			load_int(g, rs, sz);
			emit_r(g, DIF_OPC_ALLOCS, rs, 0, rd);
			set_kind(g, rd, K_SCR, 0);
			g->scr[rd] = sz;
		}
		if (g->tilt & T_CPFAULT)
			sn_faultcopy(g, fop == DIF_OPC_COPYS ? 0
			                : g->focus_subr == dif_subrs[DIF_S_MEMSTR].num[c->profile]
			                ? 2
			                : g->focus_subr == dif_subrs[DIF_S_STRJOIN].num[c->profile]
			                ? 3
			                : g->focus_subr == dif_subrs[DIF_S_INET_NTOA6].num[c->profile]
			                ? 4
			                : g->focus_subr == dif_subrs[DIF_S_INET_NTOA].num[c->profile]
			                ? 5
			                : g->focus_subr == dif_subrs[DIF_S_COPYINSTR].num[c->profile]
			                ? 6
			                : g->focus_subr == dif_subrs[DIF_S_TOUPPER].num[c->profile] ||
			                  g->focus_subr == dif_subrs[DIF_S_TOLOWER].num[c->profile] ||
			                  g->focus_subr == dif_subrs[DIF_S_SUBSTR].num[c->profile] ||
			                  g->focus_subr == dif_subrs[DIF_S_BASENAME].num[c->profile] ||
			                  g->focus_subr == dif_subrs[DIF_S_DIRNAME].num[c->profile] ||
			                  g->focus_subr == dif_subrs[DIF_S_JSON].num[c->profile]
			                ? 7
			                : g->focus_subr == dif_subrs[DIF_S_COPYOUTSTR].num[c->profile]
			                ? 8 : 1);
		/* (the later run reads the stored bytes into its result: a
		 * fault there would hide them) */
		if (g->tilt & T_CPFAULT)
			g->badpct = 0;
		unsigned k = 1 + (unsigned)R(g, 2);
		for (unsigned i = 0; i < k; i++) {
			uint32_t n0 = g->p.n;
			snippet_op(g, fop);
			mix(g, n0);
		}
	} else {
		/* 1 to several hundred instructions */
		unsigned sizes[] = { 2, 6, 15, 40, 120 };
		g->budget = sizes[R(g, 5)];
		g->budget = (unsigned)R(g, g->budget + 1); /* 0: just ret */
		/* (decided on a side stream: the other programs are drawn
		 * as they were) */
		struct tg_rng side = { g->r.s ^ 0x9e3779b97f4a7c15ull };
		if (g->prologue && tg_below(&side, 100) < 8)
			sn_faultcopy(g, -1);
		while (g->budget && g->p.n < TG_MAX_TEXT - 80) {
			g->budget--;
			snippet(g);
		}
	}
	if (g->memtaint)
		for (uint32_t i = pro0; i < pro1; i++)
			g->p.text[i] = DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0);
	if (c->profile != DC_PROFILE_ILLUMOS) {
		/* STGA exists only on illumos */
		for (uint32_t i = 0; i < g->p.n; i++)
			if (DIF_I_OP(g->p.text[i]) == DIF_OPC_STGA)
				g->p.text[i] = DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0);
	}
	/* return: an untainted register, as a string when it holds one */
	unsigned rr = 0;
	for (int t = 0; t < 6; t++) {
		unsigned x = chance(g, 10) ? reg(g) : 1 + (unsigned)R(g, 7);
		if (t == 0 && g->p.n > 0) {
			uint32_t w = g->p.text[g->p.n - 1];
			x = DIF_I_RD(w) & 7;
		}
		if (!g->taint[x] && x) {
			rr = x;
			break;
		}
	}
	if (g->acc && chance(g, 75))
		rr = g->acc;
	/* strings still in registers are observed by content (the outcome's
	 * digest), whether or not their address may be returned; not when
	 * a tainted value (an address that depends on the layout) may have
	 * been stored into one of them */
	for (unsigned r = 1; r < 8; r++)
		if ((g->kind[r] == K_STR || g->kind[r] == K_ENV) &&
		    !(g->stale >> r & 1) && !g->memtaint)
			c->observe |= 1u << r;
	if ((g->kind[rr] == K_STR || g->kind[rr] == K_ENV) && !g->memtaint &&
	    chance(g, 80)) {
		c->rtype = (struct dc_type){ .kind = 1, .ckind = 0,
			                     .flags = DIF_TF_BYREF,
			                     .size = g->strsize };
	} else {
		c->rtype = (struct dc_type){ .kind = 0, .ckind = 1, .flags = 0,
			                     .size = 8 };
	}
	tg_emit(&g->p, DIF_ENC_R(DIF_OPC_RET, 0, 0, rr));
	if (g->p.overflow) {
		/* degenerate but valid */
		tg_prog_init(&g->p);
		tg_emit(&g->p, DIF_ENC_R(DIF_OPC_RET, 0, 0, 0));
	}
	tg_prog_to_case(&g->p, c);
	host_answers(g, fop);
	free(g);
}

void tg_gen_random(uint64_t seed, long focus, struct dc_case *c)
{
	int fop;
	const char *fsub;
	unsigned pm;
	focus_of(focus, &fop, &fsub, &pm);
	gen_case(seed, fop, fsub, pm, 0, c);
}

/* False when no instruction of c can fire a model case of fop (or of
 * subroutine fsub): the model groups its cases by the decoded opcode,
 * where LDxx become RLDxx without kernel visibility, and by the
 * subroutine a CALL names. */
static bool may_fire(const struct dc_case *c, int fop, const char *fsub)
{
	int num = -1;
	if (fsub)
		num = dif_subr_find(fsub, strlen(fsub), (enum dif_profile)c->profile);
	for (uint32_t i = 0; i < c->textlen; i++) {
		int op = (int)DIF_I_OP(c->text[i]);
		if (fsub ? op == DIF_OPC_CALL && (int)DIF_I_INDEX(c->text[i]) == num
		         : op == fop || (op + DIF_OPC_RLD_DELTA == fop &&
		                         op >= DIF_OPC_LDSB && op <= DIF_OPC_LDX))
			return true;
	}
	return false;
}

int tg_gen_partition(uint64_t seed, size_t p, unsigned k, unsigned max_tries,
                     struct dc_case *c, unsigned *tries)
{
	size_t np = tg_nparts();
	uint32_t *hits = calloc(np ? np : 1, sizeof(uint32_t));
	struct dc_outcome *o = malloc(sizeof(*o));
	int found = -1;
	unsigned t;
	if (!hits || !o)
		goto out;
	uint64_t base = tg_mix(tg_mix(seed, 0x5041525400000000ull + p), k);
	int fop;
	const char *fsub;
	unsigned pm;
	int focused = focus_of((long)p, &fop, &fsub, &pm) == 0;
	unsigned tilt = tilt_of(p);
	for (t = 0; t < max_tries; t++) {
		/* mostly focused; sometimes a free program (for partitions
		 * the focus does not reach) */
		if (focused && t % 8 != 7)
			gen_case(tg_mix(base, t), fop, fsub, pm, tilt, c);
		else
			gen_case(tg_mix(base, t), -1, NULL, 3, 0, c);
		/* the model need not run a program that cannot fire p */
		if (focused && !may_fire(c, fop, fsub)) {
			tg_case_free(c);
			continue;
		}
		memset(hits, 0, np * sizeof(uint32_t));
		/* the test must observe the case, not just fire it */
		if (tg_model_run(c, o, hits) == 0 && hits[p] && tg_case_valid(c) &&
		    tg_model_observes(c, o, p, hits[p])) {
			found = 0;
			break;
		}
		tg_case_free(c);
	}
	if (tries)
		*tries = t;
out:
	free(hits);
	free(o);
	return found;
}

int tg_gen_program(uint64_t seed, uint64_t i, struct dc_case *c,
                   struct dc_outcome *o, uint32_t *hits, unsigned *redrawn)
{
	uint64_t s = tg_mix(seed, i);
	for (unsigned a = 0; a < 16; a++) {
		tg_gen_random(tg_mix(s, a), -1, c);
		if (hits)
			memset(hits, 0, tg_nparts() * sizeof(uint32_t));
		if (tg_model_run(c, o, hits) == 0 && tg_case_valid(c))
			return 0;
		if (redrawn)
			(*redrawn)++;
		tg_case_free(c);
	}
	return -1;
}
