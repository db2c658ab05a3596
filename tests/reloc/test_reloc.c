/*
 * Type relocations (docs/linking.md): the type files are built at test
 * time with `gcc -gctf -c` and `gcc -gbtf -c` from C files that include
 * real system headers, and every offset, size and load is checked against
 * what the C compiler itself says (a generated C program prints
 * offsetof/sizeof/signedness). Also: the HyperTrace opcodes, --poison,
 * verification, and the strict BTF reader's rejections.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>
#include <dirent.h>
#include <netinet/in.h>
#include <time.h>

#include "../common.h"
#include "difvm/difvm.h"
#include "difvm/object.h"
#include "difvm/reloc.h"

#include <ctf-api.h>

/* ------------------------------------------------------------------ */
/* Type files built with gcc. */

static const char types_c[] =
	"#include <sys/stat.h>\n"
	"#include <dirent.h>\n"
	"#include <netinet/in.h>\n"
	"#include <time.h>\n"
	"#include <stddef.h>\n"
	"#include <stdio.h>\n"
	"struct stat v1; struct dirent v2; struct sockaddr_in v3; struct tm v4;\n"
	"struct timespec v5;\n"
	"enum color { RED = 1, GREEN = 7, NEG = -4 } v6;\n"
	"struct bits { unsigned a : 3; int b; unsigned char c : 5; } v7;\n"
	"struct anon { int x; union { long l; char c; }; struct { short s; "
	"struct { char deep; }; }; } v8;\n"
	"struct nest { struct timespec ts[3]; struct tm *when; } v9;\n";

/* kind: i integer (load checked), p pointer (ldx), a no load. */
struct mcase {
	const char *type, *path;
	char kind;
};

static const struct mcase members[] = {
	{ "struct stat", "st_dev", 'i' },     { "struct stat", "st_ino", 'i' },
	{ "struct stat", "st_mode", 'i' },    { "struct stat", "st_nlink", 'i' },
	{ "struct stat", "st_uid", 'i' },     { "struct stat", "st_gid", 'i' },
	{ "struct stat", "st_rdev", 'i' },    { "struct stat", "st_size", 'i' },
	{ "struct stat", "st_blksize", 'i' }, { "struct stat", "st_blocks", 'i' },
	{ "struct stat", "st_atim", 'a' },    { "struct stat", "st_atim.tv_sec", 'i' },
	{ "struct stat", "st_mtim.tv_nsec", 'i' },
	{ "struct stat", "st_ctim.tv_sec", 'i' },
	{ "struct dirent", "d_ino", 'i' },    { "struct dirent", "d_off", 'i' },
	{ "struct dirent", "d_reclen", 'i' }, { "struct dirent", "d_type", 'i' },
	{ "struct dirent", "d_name", 'a' },   { "struct dirent", "d_name[5]", 'i' },
	{ "struct sockaddr_in", "sin_family", 'i' },
	{ "struct sockaddr_in", "sin_port", 'i' },
	{ "struct sockaddr_in", "sin_addr", 'a' },
	{ "struct sockaddr_in", "sin_addr.s_addr", 'i' },
	{ "struct sockaddr_in", "sin_zero", 'a' },
	{ "struct sockaddr_in", "sin_zero[3]", 'i' },
	{ "struct tm", "tm_sec", 'i' },       { "struct tm", "tm_min", 'i' },
	{ "struct tm", "tm_hour", 'i' },      { "struct tm", "tm_mday", 'i' },
	{ "struct tm", "tm_mon", 'i' },       { "struct tm", "tm_year", 'i' },
	{ "struct tm", "tm_wday", 'i' },      { "struct tm", "tm_yday", 'i' },
	{ "struct tm", "tm_isdst", 'i' },     { "struct tm", "tm_gmtoff", 'i' },
	{ "struct tm", "tm_zone", 'p' },
	{ "struct timespec", "tv_sec", 'i' }, { "struct timespec", "tv_nsec", 'i' },
	{ "struct bits", "b", 'i' },
	{ "struct anon", "x", 'i' },          { "struct anon", "l", 'i' },
	{ "struct anon", "c", 'i' },          { "struct anon", "s", 'i' },
	{ "struct anon", "deep", 'i' },
	{ "struct nest", "ts[2].tv_nsec", 'i' }, { "struct nest", "ts[1]", 'a' },
	{ "struct nest", "when", 'p' },
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

static const char *const sized[] = {
	"struct stat", "struct dirent", "struct sockaddr_in", "struct tm",
	"struct timespec", "struct anon", "struct nest", "enum color", "int",
	"long int", "unsigned char",
};
#define NSIZED (sizeof(sized) / sizeof(sized[0]))

struct truth {
	uint64_t off, size;
	int sign;
};

static char dir[1024];
static char ctf_path[1100], btf_path[1100];
static struct truth truth[NMEMBERS];
static uint64_t truth_size[NSIZED];

static int sh(const char *cmd)
{
	int rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Builds the type files and asks the C compiler for the truth, once. */
static void make_types(void)
{
	if (dir[0])
		return;
	const char *b = getenv("DIFVM_BUILDDIR");
	snprintf(dir, sizeof(dir), "%s/reloc-test-XXXXXX", b ? b : ".");
	cr_assert_not_null(mkdtemp(dir));
	char src[1200], cmd[8192];
	snprintf(src, sizeof(src), "%s/types.c", dir);
	write_file(src, types_c);
	snprintf(ctf_path, sizeof(ctf_path), "%s/types-ctf.o", dir);
	snprintf(btf_path, sizeof(btf_path), "%s/types-btf.o", dir);
	snprintf(cmd, sizeof(cmd), "gcc -gctf -c %s -o %s && gcc -gbtf -c %s -o %s",
	         src, ctf_path, src, btf_path);
	cr_assert_eq(sh(cmd), 0, "%s", cmd);

	/* the C compiler's own answers */
	char *prog = malloc(65536);
	size_t n = (size_t)snprintf(prog, 65536, "%s\nint main(void)\n{\n", types_c);
	for (size_t i = 0; i < NMEMBERS; i++) {
		const struct mcase *m = &members[i];
		n += (size_t)snprintf(prog + n, 65536 - n,
		                      "\tprintf(\"%%zu %%zu %%d\\n\", offsetof(%s, %s), "
		                      "sizeof(((%s *)0)->%s), %s);\n", m->type, m->path,
		                      m->type, m->path, "0");
		if (m->kind == 'i') {
			/* replace the sign column: (typeof(member))-1 < 0 */
			n -= strlen(", 0);\n");
			n += (size_t)snprintf(prog + n, 65536 - n,
			                      ", (int)((__typeof__(((%s *)0)->%s))-1 < 0));\n",
			                      m->type, m->path);
		}
	}
	for (size_t i = 0; i < NSIZED; i++)
		n += (size_t)snprintf(prog + n, 65536 - n,
		                      "\tprintf(\"%%zu\\n\", sizeof(%s));\n", sized[i]);
	snprintf(prog + n, 65536 - n, "\treturn 0;\n}\n");
	snprintf(src, sizeof(src), "%s/truth.c", dir);
	write_file(src, prog);
	free(prog);
	char out[1200], exe[1200];
	snprintf(exe, sizeof(exe), "%s/truth", dir);
	snprintf(out, sizeof(out), "%s/truth.txt", dir);
	snprintf(cmd, sizeof(cmd), "gcc -w -o %s %s && %s > %s", exe, src, exe, out);
	cr_assert_eq(sh(cmd), 0, "%s", cmd);
	FILE *f = fopen(out, "r");
	cr_assert_not_null(f);
	for (size_t i = 0; i < NMEMBERS; i++)
		cr_assert_eq(fscanf(f, "%" SCNu64 " %" SCNu64 " %d", &truth[i].off,
		                    &truth[i].size, &truth[i].sign), 3);
	for (size_t i = 0; i < NSIZED; i++)
		cr_assert_eq(fscanf(f, "%" SCNu64, &truth_size[i]), 1);
	fclose(f);
}

/* Each test runs in its own process and makes its own directory. */
static void cleanup(void)
{
	if (!dir[0])
		return;
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(reloc, .fini = cleanup);

static struct dif_types *load_types(enum dif_types_format fmt, const char *path)
{
	struct dif_types *t = dif_types_new();
	struct dif_errors e;
	dif_errors_clear(&e);
	int rc = dif_types_load(t, fmt, path, &e);
	cr_assert_eq(rc, 0, "%s: %s", path, e.count ? e.list[0].msg : "?");
	return t;
}

static unsigned expect_load(size_t size, int sign, int user, int ptr)
{
	static const unsigned k[2][4] = { { 31, 32, 33, 34 }, { 28, 29, 30, 34 } };
	static const unsigned u[2][4] = { { 67, 68, 69, 70 }, { 64, 65, 66, 70 } };
	int w = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
	return ptr ? (user ? 70u : 34u) : (user ? u[sign][w] : k[sign][w]);
}

static void check_against_c(enum dif_types_format fmt, const char *path)
{
	make_types();
	struct dif_types *t = load_types(fmt, path);
	const char *fn = fmt == DIF_TYPES_CTF ? "CTF" : "BTF";
	for (size_t i = 0; i < NMEMBERS; i++) {
		const struct mcase *m = &members[i];
		struct dif_errors e;
		dif_errors_clear(&e);
		uint64_t v = 99;
		int rc = dif_types_resolve(t, DIF_RELOC_OFFSETOF, m->type, m->path, 0,
		                           &v, &e);
		cr_expect_eq(rc, 0, "%s offsetof(%s, %s): %s", fn, m->type, m->path,
		             e.count ? e.list[0].msg : "");
		cr_expect_eq(v, truth[i].off, "%s offsetof(%s, %s) = %" PRIu64
		             ", C says %" PRIu64, fn, m->type, m->path, v, truth[i].off);
		rc = dif_types_resolve(t, DIF_RELOC_MEMBERSIZE, m->type, m->path, 0,
		                       &v, &e);
		cr_expect_eq(rc, 0);
		cr_expect_eq(v, truth[i].size, "%s membersize(%s, %s) = %" PRIu64
		             ", C says %" PRIu64, fn, m->type, m->path, v, truth[i].size);
		cr_expect_eq(dif_types_resolve(t, DIF_RELOC_EXISTS, m->type, m->path, 0,
		                               &v, &e), 0);
		cr_expect_eq(v, 1);
		for (int user = 0; user < 2; user++) {
			dif_errors_clear(&e);
			rc = dif_types_resolve(t, DIF_RELOC_LOAD, m->type, m->path, user,
			                       &v, &e);
			if (m->kind == 'a') {
				cr_expect_eq(rc, DIF_E_RELOC, "%s load of %s.%s", fn, m->type,
				             m->path);
				continue;
			}
			cr_expect_eq(rc, 0, "%s load(%s, %s): %s", fn, m->type, m->path,
			             e.count ? e.list[0].msg : "");
			unsigned want = expect_load(truth[i].size, truth[i].sign, user,
			                            m->kind == 'p');
			cr_expect_eq(v, want, "%s load(%s, %s) user=%d: op %" PRIu64
			             ", expected %u (size %" PRIu64 ", signed %d)", fn,
			             m->type, m->path, user, v, want, truth[i].size,
			             truth[i].sign);
		}
	}
	for (size_t i = 0; i < NSIZED; i++) {
		uint64_t v = 0;
		struct dif_errors e;
		dif_errors_clear(&e);
		int rc = dif_types_resolve(t, DIF_RELOC_SIZEOF, sized[i], NULL, 0, &v,
		                           &e);
		cr_expect_eq(rc, 0, "%s sizeof(%s): %s", fn, sized[i],
		             e.count ? e.list[0].msg : "");
		cr_expect_eq(v, truth_size[i], "%s sizeof(%s) = %" PRIu64 ", C says %"
		             PRIu64, fn, sized[i], v, truth_size[i]);
	}
	/* enumerators, pointers */
	uint64_t v;
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_ENUMVAL, "enum color", "GREEN",
	                               0, &v, NULL), 0);
	cr_expect_eq(v, 7);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_ENUMVAL, "enum color", "NEG", 0,
	                               &v, NULL), 0);
	cr_expect_eq((int64_t)v, -4);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_SIZEOF, "struct stat *", NULL,
	                               0, &v, NULL), 0);
	cr_expect_eq(v, sizeof(void *));
	dif_types_free(t);
}

Test(reloc, ctf_offsets_sizes_loads_match_the_c_compiler)
{
	make_types();
	check_against_c(DIF_TYPES_CTF, ctf_path);
}

Test(reloc, btf_offsets_sizes_loads_match_the_c_compiler)
{
	make_types();
	check_against_c(DIF_TYPES_BTF, btf_path);
}

/* Failures: every message names the type, the member and the closest. */
Test(reloc, resolution_failures_are_explained)
{
	make_types();
	struct dif_types *t = load_types(DIF_TYPES_BTF, btf_path);
	static const struct {
		unsigned kind;
		const char *type, *path, *msg;
	} bad[] = {
		{ DIF_RELOC_OFFSETOF, "struct stat", "st_sizee",
		  "struct stat has no member 'st_sizee' (closest: 'st_size'" },
		{ DIF_RELOC_OFFSETOF, "struct nosuch", "x", "no type 'struct nosuch'" },
		{ DIF_RELOC_OFFSETOF, "struct bits", "a", "'a' is a bitfield" },
		{ DIF_RELOC_MEMBERSIZE, "struct bits", "c", "'c' is a bitfield" },
		{ DIF_RELOC_LOAD, "struct bits", "a", "bitfield" },
		{ DIF_RELOC_LOAD, "struct stat", "st_atim", "aggregate" },
		{ DIF_RELOC_LOAD, "struct dirent", "d_name", "is an array" },
		{ DIF_RELOC_OFFSETOF, "struct dirent", "d_name[300]",
		  "index 300 of 'd_name' is out of range (256 elements)" },
		{ DIF_RELOC_OFFSETOF, "struct dirent", "d_ino[1]", "not an array" },
		{ DIF_RELOC_OFFSETOF, "struct dirent", "d_ino.x", "has no member 'x'" },
		{ DIF_RELOC_OFFSETOF, "int", "x", "is not a struct or union" },
		{ DIF_RELOC_OFFSETOF, "struct stat *", "st_size", "pointer type" },
		{ DIF_RELOC_ENUMVAL, "enum color", "BLUE", "no enumerator 'BLUE'" },
		{ DIF_RELOC_ENUMVAL, "struct stat", "X", "is not an enum" },
		{ DIF_RELOC_SIZEOF, "struct nosuch", NULL, "no type 'struct nosuch'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dif_errors e;
		dif_errors_clear(&e);
		uint64_t v;
		int rc = dif_types_resolve(t, bad[i].kind, bad[i].type, bad[i].path, 0,
		                           &v, &e);
		cr_expect_eq(rc, DIF_E_RELOC, "case %zu", i);
		cr_expect(e.count && strstr(e.list[0].msg, bad[i].msg), "case %zu: '%s'",
		          i, e.count ? e.list[0].msg : "");
		/* exists never fails */
		v = 7;
		if (bad[i].path && bad[i].kind != DIF_RELOC_ENUMVAL) {
			cr_expect_eq(dif_types_resolve(t, DIF_RELOC_EXISTS, bad[i].type,
			                               bad[i].path, 0, &v, NULL), 0);
			cr_expect_eq(v, strstr(bad[i].msg, "bitfield") ||
			                strstr(bad[i].msg, "aggregate") ||
			                strstr(bad[i].msg, "is an array") ? 1u : 0u,
			             "exists case %zu", i);
		}
	}
	dif_types_free(t);
}

/* Several type files: the first one defining a type decides. */
Test(reloc, type_files_are_searched_in_order)
{
	make_types();
	char src[1200], obj[1200], cmd[8192];
	snprintf(src, sizeof(src), "%s/other.c", dir);
	snprintf(obj, sizeof(obj), "%s/other.o", dir);
	write_file(src, "struct timespec { char pad[3]; long tv_sec; } a;\n"
	                "struct only_here { int z; short w; } b;\n");
	snprintf(cmd, sizeof(cmd), "gcc -gbtf -c %s -o %s", src, obj);
	cr_assert_eq(sh(cmd), 0);
	struct dif_types *t = dif_types_new();
	cr_assert_eq(dif_types_load(t, DIF_TYPES_BTF, obj, NULL), 0);
	cr_assert_eq(dif_types_load(t, DIF_TYPES_CTF, ctf_path, NULL), 0);
	cr_assert_eq(dif_types_count(t), 2);
	uint64_t v;
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct timespec",
	                               "tv_sec", 0, &v, NULL), 0);
	cr_expect_eq(v, 8); /* from the first file */
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct stat",
	                               "st_size", 0, &v, NULL), 0);
	cr_expect_eq(v, offsetof(struct stat, st_size)); /* from the second */
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct only_here",
	                               "w", 0, &v, NULL), 0);
	cr_expect_eq(v, 4);
	dif_types_free(t);
}

Test(reloc, task_struct_from_vmlinux_btf)
{
	const char *vm = "/sys/kernel/btf/vmlinux";
	if (access(vm, R_OK) != 0)
		cr_skip_test("%s is absent: no kernel BTF to resolve task_struct from",
		             vm);
	struct dif_types *t = load_types(DIF_TYPES_BTF, vm);
	uint64_t pid, tgid, comm, size, csize, op, ex;
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct task_struct",
	                               "pid", 0, &pid, NULL), 0);
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct task_struct",
	                               "tgid", 0, &tgid, NULL), 0);
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct task_struct",
	                               "comm", 0, &comm, NULL), 0);
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_SIZEOF, "struct task_struct",
	                               NULL, 0, &size, NULL), 0);
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_MEMBERSIZE, "struct task_struct",
	                               "comm", 0, &csize, NULL), 0);
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_LOAD, "struct task_struct",
	                               "pid", 0, &op, NULL), 0);
	cr_assert_eq(dif_types_resolve(t, DIF_RELOC_EXISTS, "struct task_struct",
	                               "no_such_member_here", 0, &ex, NULL), 0);
	/* pid_t is a signed 32-bit int, tgid follows pid, comm is char[16] */
	cr_expect_eq(op, 30 /* ldsw */);
	cr_expect_eq(tgid, pid + 4);
	cr_expect_eq(csize, 16);
	cr_expect(comm < size && pid < size && size > 1000);
	cr_expect_eq(ex, 0);
	dif_types_free(t);
}

/* ------------------------------------------------------------------ */
/* Linking whole programs and running them on memory laid out like the
 * real structs. */

static struct dif_module *assemble(const char *text)
{
	struct dif_module *m = NULL;
	struct dif_errors e;
	dif_errors_clear(&e);
	DIF_OPTS(dif_asm_opts, o, .filename = "test");
	int rc = dif_asm(text, strlen(text), &o, &m, &e);
	cr_assert_eq(rc, 0, "assemble: %s", e.count ? e.list[0].msg : "?");
	return m;
}

static int relocate(const char *text, struct dif_types *t, uint32_t flags,
                    struct dif_module **out, struct dif_errors *e)
{
	struct dif_module *m = assemble(text);
	dif_errors_clear(e);
	DIF_OPTS(dif_reloc_opts, o, .flags = flags, .object = "prog.o");
	int rc = dif_relocate(m, t, &o, out, e);
	dif_module_free(m);
	return rc;
}

/* Runs the first DIFO with arg0 = base of one region. */
static int run(const struct dif_module *m, const void *mem, size_t len,
               int user, uint64_t *rv, struct dif_fault *fault)
{
	struct dif_region r = { (uint64_t)(uintptr_t)mem, len, mem,
	                        user ? DIF_AS_USER : DIF_AS_KERNEL, 0 };
	DIF_OPTS(dif_vm_opts, vo, .regions = &r, .nregions = 1);
	struct dif_vm *vm;
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_vm_create(&vo, &vm, &e), 0);
	struct dif_prog *p;
	int rc = dif_prog_load(vm, dif_module_get(m, 0), &p, &e);
	cr_assert_eq(rc, 0, "load: %s", e.count ? e.list[0].msg : "?");
	struct dif_ctx *ctx;
	cr_assert_eq(dif_ctx_create(vm, &ctx), 0);
	dif_ctx_set_arg(ctx, 0, (uint64_t)(uintptr_t)mem);
	rc = dif_exec(p, ctx, rv);
	if (fault)
		*fault = *dif_ctx_fault(ctx);
	static char reason[512];
	if (rc && fault && fault->reason) {
		snprintf(reason, sizeof(reason), "%s", fault->reason);
		fault->reason = reason; /* outlives the program */
	}
	dif_ctx_free(ctx);
	dif_prog_free(p);
	dif_vm_free(vm);
	return rc;
}

static const char core_prog[] =
	".difo size\n"
	"\tldgs arg0, %r1\n"
	"\tsetx @offsetof(struct stat, st_size), %r2\n"
	"\tadd %r1, %r2, %r1\n"
	"\tuload @(struct stat, st_size) [%r1], %r3\n"
	"\tret %r3\n";

static const char ht_prog[] =
	".difo mode\n"
	"\tldgs arg0, %r1\n"
	"\ttypecast \"struct stat *\", %r1\n"
	"\tusetx \"st_mode\", %r2\n"
	"\tadd %r1, %r2, %r3\n"
	"\tuload [%r3], %r4\n"
	"\tusetx \"st_uid\", %r2\n"
	"\tmov %r1, %r5\n"
	"\tadd %r2, %r5, %r3\n"
	"\tuload [%r3], %r6\n"
	"\tadd %r4, %r6, %r4\n"
	"\tret %r4\n";

Test(reloc, linked_programs_read_the_real_struct)
{
	make_types();
	for (int f = 0; f < 2; f++) {
		struct dif_types *t = f ? load_types(DIF_TYPES_BTF, btf_path)
		                        : load_types(DIF_TYPES_CTF, ctf_path);
		struct stat st;
		memset(&st, 0xa5, sizeof(st));
		st.st_size = 123456789012345;
		st.st_mode = 0100644;
		st.st_uid = 1000;
		struct dif_module *m;
		struct dif_errors e;
		cr_assert_eq(relocate(core_prog, t, 0, &m, &e), 0, "%s",
		             e.count ? e.list[0].msg : "");
		uint64_t rv = 0;
		cr_assert_eq(run(m, &st, sizeof(st), 0, &rv, NULL), 0);
		cr_expect_eq(rv, (uint64_t)st.st_size);
		dif_module_free(m);
		cr_assert_eq(relocate(ht_prog, t, 0, &m, &e), 0, "%s",
		             e.count ? e.list[0].msg : "");
		cr_assert_eq(run(m, &st, sizeof(st), 0, &rv, NULL), 0);
		cr_expect_eq(rv, (uint64_t)st.st_mode + st.st_uid);
		/* typecast became nop, usetx setx, uload the 4-byte unsigned load */
		struct dif_difo_parts p;
		dif_difo_get_parts(dif_module_get(m, 0), &p);
		cr_expect_eq(p.text[1], 0x24000000u);
		cr_expect_eq(p.text[2] >> 24, 37u);
		cr_expect_eq(p.text[4] >> 24, 33u /* lduw */);
		cr_expect_eq(p.rtype.size, 8u); /* an add's result has no type */
		cr_expect_eq(p.nrelocs, 0u);
		dif_module_free(m);
		dif_types_free(t);
	}
}

Test(reloc, user_loads_read_user_memory)
{
	make_types();
	struct dif_types *t = load_types(DIF_TYPES_CTF, ctf_path);
	struct dirent d;
	memset(&d, 0, sizeof(d));
	d.d_type = 0xfe;
	d.d_reclen = 0x1234;
	static const char prog[] =
		".difo dt\n"
		"\tldgs arg0, %r1\n"
		"\ttypecast \"struct dirent *\", %r1\n"
		"\tusetx \"d_type\", %r2\n"
		"\tadd %r1, %r2, %r3\n"
		"\tuuload [%r3], %r4\n"
		"\tsetx @offsetof(struct dirent, d_reclen), %r2\n"
		"\tadd %r1, %r2, %r3\n"
		"\tuuload @(struct dirent, d_reclen) [%r3], %r5\n"
		"\tsll %r4, %r5, %r4\n"
		"\tret %r4\n";
	struct dif_module *m;
	struct dif_errors e;
	cr_assert_eq(relocate(prog, t, 0, &m, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	uint64_t rv;
	cr_assert_eq(run(m, &d, sizeof(d), 1, &rv, NULL), 0);
	cr_expect_eq(rv, (uint64_t)0xfe << (0x1234 & 63));
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(m, 0), &p);
	cr_expect_eq(p.text[4] >> 24, 67u /* uldub */);
	cr_expect_eq(p.text[7] >> 24, 68u /* ulduh */);
	dif_module_free(m);
	dif_types_free(t);
}

/* The inference: joins, pointer chains, what it refuses. */
Test(reloc, provenance_through_branches_and_pointer_chains)
{
	make_types();
	struct dif_types *t = load_types(DIF_TYPES_CTF, ctf_path);
	static const char chain[] =
		".difo chain\n"
		"\tldgs arg0, %r1\n"
		"\ttypecast \"struct nest *\", %r1\n"
		"\tusetx \"when\", %r2\n"
		"\tadd %r1, %r2, %r3\n"
		"\tuload [%r3], %r4\n"      /* struct tm * -> ldx */
		"\tusetx \"tm_year\", %r2\n"
		"\tadd %r4, %r2, %r3\n"
		"\tuload [%r3], %r5\n"      /* int -> ldsw */
		"\tret %r5\n";
	struct dif_module *m;
	struct dif_errors e;
	cr_assert_eq(relocate(chain, t, 0, &m, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(m, 0), &p);
	cr_expect_eq(p.text[4] >> 24, 34u);
	cr_expect_eq(p.text[7] >> 24, 30u);
	cr_expect_eq(p.rtype.size, 4u); /* return type patched: int */
	cr_expect_eq(p.rtype.ckind, 1u);
	dif_module_free(m);

	/* both paths agree: fine; they disagree: the uload is refused */
	static const char join_ok[] =
		".difo j\n"
		"\tldgs arg0, %r1\n"
		"\ttypecast \"struct stat *\", %r1\n"
		"\tldgs arg1, %r2\n"
		"\ttst %r2\n"
		"\tbe other\n"
		"\tusetx \"st_nlink\", %r3\n"
		"\tba done\n"
		"other:\n"
		"\tusetx \"st_nlink\", %r3\n"
		"done:\n"
		"\tadd %r1, %r3, %r1\n"
		"\tuload [%r1], %r4\n"
		"\tret %r4\n";
	cr_expect_eq(relocate(join_ok, t, 0, &m, &e), DIF_E_RELOC,
	             "two usetx reaching one add: which offset is unknown");
	static const char join_types[] =
		".difo j2\n"
		"\tldgs arg0, %r1\n"
		"\tldgs arg1, %r2\n"
		"\ttst %r2\n"
		"\tbe other\n"
		"\ttypecast \"struct stat *\", %r1\n"
		"\tba done\n"
		"other:\n"
		"\ttypecast \"struct stat *\", %r1\n"
		"done:\n"
		"\tusetx \"st_nlink\", %r3\n"
		"\tadd %r1, %r3, %r1\n"
		"\tuload [%r1], %r4\n"
		"\tret %r4\n";
	cr_assert_eq(relocate(join_types, t, 0, &m, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	dif_module_free(m);
	static const char join_bad[] =
		".difo j3\n"
		"\tldgs arg0, %r1\n"
		"\tldgs arg1, %r2\n"
		"\ttst %r2\n"
		"\tbe other\n"
		"\ttypecast \"struct stat *\", %r1\n"
		"\tba done\n"
		"other:\n"
		"\ttypecast \"struct tm *\", %r1\n"
		"done:\n"
		"\tusetx \"st_nlink\", %r3\n"
		"\tadd %r1, %r3, %r1\n"
		"\tuload [%r1], %r4\n"
		"\tret %r4\n";
	cr_assert_eq(relocate(join_bad, t, 0, &m, &e), DIF_E_RELOC);
	cr_expect(strstr(e.list[0].msg, "DIFO 'j3' pc"), "%s", e.list[0].msg);
	int found = 0;
	for (uint32_t i = 0; i < e.count; i++)
		found |= strstr(e.list[i].msg, "different types on different paths") != NULL;
	cr_expect(found);
	dif_types_free(t);
}

Test(reloc, inference_failures_name_everything)
{
	make_types();
	struct dif_types *t = load_types(DIF_TYPES_CTF, ctf_path);
	static const struct {
		const char *body, *msg;
	} bad[] = {
		{ "\tusetx \"st_size\", %r2\n\tadd %r1, %r2, %r1\n\tuload [%r1], %r3\n",
		  "typecast the base pointer" },
		{ "\ttypecast \"struct stat *\", %r1\n\tusetx \"st_sizee\", %r2\n"
		  "\tadd %r1, %r2, %r1\n",
		  "usetx \"st_sizee\": struct stat has no member 'st_sizee' (closest: 'st_size'" },
		{ "\ttypecast \"struct bits *\", %r1\n\tusetx \"a\", %r2\n"
		  "\tadd %r1, %r2, %r1\n", "bitfield" },
		{ "\ttypecast \"struct stat *\", %r1\n\tuload [%r1], %r3\n",
		  "aggregate" },
		{ "\ttypecast \"struct nonesuch *\", %r1\n",
		  "typecast \"struct nonesuch *\": no type 'struct nonesuch'" },
		{ "\ttypecast \"struct stat **\", %r1\n\tusetx \"st_size\", %r2\n"
		  "\tadd %r1, %r2, %r1\n", "not a pointer to a struct" },
		{ "\tusetx \"st_size\", %r2\n", "no add of a typed struct pointer" },
		{ "\ttypecast \"D string\", %r1\n\tpushtv ctf, %r1\n",
		  "pushes a D string by value" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char prog[1024];
		snprintf(prog, sizeof(prog), ".difo bad%zu\n\tldgs arg0, %%r1\n%s"
		         "\tret %%r1\n", i, bad[i].body);
		struct dif_module *m = NULL;
		struct dif_errors e;
		cr_expect_eq(relocate(prog, t, 0, &m, &e), DIF_E_RELOC, "case %zu", i);
		cr_expect_null(m);
		int found = 0;
		for (uint32_t k = 0; k < e.count; k++)
			found |= strstr(e.list[k].msg, bad[i].msg) != NULL &&
			         strstr(e.list[k].msg, "prog.o: DIFO 'bad") != NULL;
		cr_expect(found, "case %zu: %s", i, e.count ? e.list[0].msg : "(none)");
	}
	dif_types_free(t);
}

/* --poison: links anyway; the program faults ILLOP with the reason only
 * where it reaches a poisoned instruction; @exists guards load anywhere. */
Test(reloc, poison_and_exists_guards)
{
	make_types();
	struct dif_types *t = load_types(DIF_TYPES_BTF, btf_path);
	static const char guarded[] =
		".difo guarded\n"
		"\tldgs arg0, %r1\n"
		"\tsetx @exists(struct stat, st_birthtime), %r2\n"
		"\ttst %r2\n"
		"\tbe skip\n"
		"\tsetx @offsetof(struct stat, st_birthtime), %r3\n"
		"\tadd %r1, %r3, %r1\n"
		"\tuload @(struct stat, st_birthtime) [%r1], %r4\n"
		"\tret %r4\n"
		"skip:\n"
		"\tsetx @offsetof(struct stat, st_size), %r3\n"
		"\tadd %r1, %r3, %r1\n"
		"\tuload @(struct stat, st_size) [%r1], %r4\n"
		"\tret %r4\n";
	struct dif_module *m;
	struct dif_errors e;
	cr_assert_eq(relocate(guarded, t, 0, &m, &e), DIF_E_RELOC);
	cr_expect_eq(e.count, 2);
	cr_expect(strstr(e.list[0].msg, "pc 4"), "%s", e.list[0].msg);
	cr_expect(strstr(e.list[0].msg, "st_birthtime"));
	cr_assert_eq(relocate(guarded, t, DIF_RELOC_F_POISON, &m, &e), 0);
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_size = 4242;
	uint64_t rv;
	cr_assert_eq(run(m, &st, sizeof(st), 0, &rv, NULL), 0);
	cr_expect_eq(rv, 4242);
	/* the object keeps the poison records and their reasons */
	void *buf;
	size_t len;
	cr_assert_eq(dif_obj_write(m, NULL, &buf, &len, NULL), 0);
	struct dif_module *back;
	cr_assert_eq(dif_obj_read(buf, len, NULL, &back, NULL), 0);
	free(buf);
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(back, 0), &p);
	cr_expect_eq(p.nrelocs, 2);
	cr_expect_eq(p.relocs[0].kind, DIF_RELOC_POISON);
	cr_expect(strstr(p.symtab + p.relocs[0].path, "st_birthtime"));
	dif_module_free(back);
	dif_module_free(m);

	/* unguarded: the fault names the reason */
	static const char unguarded[] =
		".difo u\n"
		"\tldgs arg0, %r1\n"
		"\tsetx @offsetof(struct stat, st_blocksz), %r3\n"
		"\tret %r3\n";
	cr_assert_eq(relocate(unguarded, t, DIF_RELOC_F_POISON, &m, &e), 0);
	struct dif_fault fl;
	cr_assert_eq(run(m, &st, sizeof(st), 0, &rv, &fl), DIF_E_FAULT);
	cr_expect_eq(fl.code, DIF_FAULT_ILLOP);
	cr_expect_eq(fl.pc, 1);
	cr_assert_not_null(fl.reason);
	cr_expect(strstr(fl.reason, "no member 'st_blocksz' (closest: 'st_blocks'"),
	          "%s", fl.reason);
	dif_module_free(m);
	dif_types_free(t);
}

/* HyperTrace's host-side check. */
Test(reloc, verify_allows_only_the_rewrites)
{
	make_types();
	struct dif_types *t = load_types(DIF_TYPES_CTF, ctf_path);
	struct dif_module *base = assemble(ht_prog), *linked;
	DIF_OPTS(dif_reloc_opts, o, .object = "l.o");
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_relocate(base, t, &o, &linked, &e), 0);
	cr_assert_eq(dif_reloc_verify(base, linked, &o, &e), 0);
	/* tamper with each instruction in turn: only relocation sites may
	 * change, and only into what the rules allow */
	struct dif_difo_parts p;
	dif_difo_get_parts(dif_module_get(linked, 0), &p);
	for (uint32_t pc = 0; pc < p.textlen; pc++) {
		uint32_t *text = malloc(p.textlen * 4);
		memcpy(text, p.text, p.textlen * 4);
		text[pc] ^= 0x00000100; /* r2 / index low bit */
		struct dif_difo_parts q = p;
		q.text = text;
		struct dif_difo *d;
		cr_assert_eq(dif_difo_create(&q, &d, NULL), 0);
		struct dif_module *m = dif_module_new();
		dif_module_add(m, d);
		dif_errors_clear(&e);
		int rc = dif_reloc_verify(base, m, &o, &e);
		unsigned op = p.text[pc] >> 24;
		/* a setx from usetx may point at another slot that exists */
		int allowed = op == 37 && ((text[pc] >> 8) & 0xffff) < p.intlen;
		if (allowed) {
			cr_expect_eq(rc, 0, "pc %u", pc);
		} else {
			cr_expect_eq(rc, DIF_E_VERIFY, "pc %u", pc);
			char want[32];
			snprintf(want, sizeof(want), "pc %u:", pc);
			cr_expect(e.count && strstr(e.list[0].msg, want), "pc %u: %s", pc,
			          e.count ? e.list[0].msg : "");
		}
		dif_module_free(m);
		free(text);
	}
	/* tables */
	uint64_t ints[8] = { 0 };
	struct dif_difo_parts q = p;
	memcpy(ints, p.inttab, p.intlen * 8);
	ints[0] ^= 1;
	q.inttab = ints;
	struct dif_difo *d;
	cr_assert_eq(dif_difo_create(&q, &d, NULL), 0);
	struct dif_module *m = dif_module_new();
	dif_module_add(m, d);
	cr_expect_eq(dif_reloc_verify(base, m, &o, &e), 0,
	             "the base had no integer table: every entry is new");
	dif_module_free(m);
	/* a DIFO missing */
	m = dif_module_new();
	cr_expect_eq(dif_reloc_verify(base, m, &o, &e), DIF_E_VERIFY);
	dif_module_free(m);
	/* unlinked vs unlinked: the relocation opcodes are left */
	cr_expect_eq(dif_reloc_verify(base, base, &o, &e), DIF_E_VERIFY);
	dif_module_free(linked);
	dif_module_free(base);
	dif_types_free(t);
}

/* asm -> object -> dis -> asm keeps every relocation form. */
Test(reloc, relocation_forms_round_trip)
{
	static const char src[] =
		".difo r\n"
		"\ttypecast \"struct stat *\", %r1\n"
		"\tusetx \"st_size\", %r2\n"
		"\tadd %r1, %r2, %r1\n"
		"\tuload [%r1], %r3\n"
		"\tuuload [%r1], %r3\n"
		"\tsetx @offsetof(struct a, b.c[3].d), %r2\n"
		"\tsetx @sizeof(struct stat), %r2\n"
		"\tsetx @membersize(struct stat, st_size), %r2\n"
		"\tsetx @exists(struct stat, st_blocks), %r2\n"
		"\tsetx @enumval(enum E, NAME), %r2\n"
		"\tuload @(struct dirent, d_type) [%r1], %r3\n"
		"\tuuload @(struct dirent, d_type) [%r1], %r3\n"
		"\tldta DT_VAR(0), %r0, %r4 ! @poison(\"why \\\"quoted\\\"\\n\")\n"
		"\tret %r3\n";
	struct dif_module *m = assemble(src);
	void *buf;
	size_t len;
	cr_assert_eq(dif_obj_write(m, NULL, &buf, &len, NULL), 0);
	struct dif_module *back;
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_obj_read(buf, len, NULL, &back, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	char *l1 = dif_dis(dif_module_get(m, 0), NULL);
	char *l2 = dif_dis(dif_module_get(back, 0), NULL);
	cr_assert_str_eq(l1, l2);
	cr_expect(strstr(l1, "! @offsetof(struct a, b.c[3].d)"));
	cr_expect(strstr(l1, "! @poison(\"why \\\"quoted\\\"\\x0a\")"), "%s", l1);
	cr_expect(strstr(l1, "usetx DT_SYMBOL[15], %r2\t\t! \"st_size\""), "%s", l1);
	char named[4096];
	snprintf(named, sizeof(named), ".difo r\n%s", l1);
	struct dif_module *again = assemble(named);
	char *l3 = dif_dis(dif_module_get(again, 0), NULL);
	cr_assert_str_eq(l1, l3);
	void *buf2;
	size_t len2;
	cr_assert_eq(dif_obj_write(again, NULL, &buf2, &len2, NULL), 0);
	/* the listing keeps the pointer label; everything else is the same */
	cr_expect_eq(len, len2);
	struct dif_difo_parts a, b;
	dif_difo_get_parts(dif_module_get(m, 0), &a);
	dif_difo_get_parts(dif_module_get(again, 0), &b);
	cr_expect_eq(a.symlen, b.symlen);
	cr_expect(memcmp(a.symtab, b.symtab, a.symlen) == 0);
	cr_expect_eq(a.nrelocs, b.nrelocs);
	cr_expect(memcmp(a.relocs, b.relocs, a.nrelocs * sizeof(*a.relocs)) == 0);
	/* the validator rejects every unlinked site */
	dif_errors_clear(&e);
	cr_expect_eq(dif_validate(dif_module_get(m, 0), NULL, &e), DIF_E_VALIDATE);
	uint32_t unlinked = 0;
	for (uint32_t i = 0; i < e.count; i++)
		unlinked += e.list[i].code == DIF_E_UNLINKED;
	cr_expect_eq(unlinked, 11); /* the poisoned ldta is linked */
	free(buf);
	free(buf2);
	free(l1);
	free(l2);
	free(l3);
	dif_module_free(again);
	dif_module_free(back);
	dif_module_free(m);
}

/* Assembler rejections of relocation syntax. */
Test(reloc, asm_rejects_bad_relocation_syntax)
{
	static const struct {
		const char *line, *msg;
	} bad[] = {
		{ "setx @bogus(struct a, b), %r1", "unknown relocation '@bogus'" },
		{ "setx @offsetof struct a, %r1", "expected '(' after '@offsetof'" },
		{ "setx @offsetof(struct a), %r1", "@offsetof needs (type, member)" },
		{ "setx @offsetof(struct a, b..c), %r1", "bad member path 'b..c'" },
		{ "setx @offsetof(struct a, b[x]), %r1", "bad member path" },
		{ "setx @offsetof(struct a-b, c), %r1", "bad type name" },
		{ "setx @enumval(enum E, A.B), %r1", "bad enumerator name" },
		{ "setx @sizeof(struct a, %r1", "expected ')'" },
		{ "setx @(struct a, b) [%r1], %r2", "must be an integer" },
		{ "uload @(struct a, b) %r1, %r2", "expected [%rN] after @(type, member)" },
		{ "uload @offsetof(struct a, b) [%r1], %r2", "expected ','" },
		{ "ldx @(struct a, b) [%r1], %r2", "goes with uload or uuload, not ldx" },
		{ "add %r1, %r2, %r3 ! @offsetof(struct a, b)", "goes with setx, not add" },
		{ "uload [%r1], %r2 ! @sizeof(struct a)", "uload takes @(type, member)" },
		{ "setx @offsetof(struct a, b), %r1 ! @sizeof(struct a)",
		  "a second relocation" },
		{ "setx @poison(\"x\"), %r1", "@poison belongs in a" },
		{ "usetx 5, %r1", "operand 1 of 'usetx' must be a \"name\" or DT_SYMBOL[n]" },
		{ "typecast DT_SYMBOL[70000], %r1", "does not fit in 16 bits" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char src[256];
		snprintf(src, sizeof(src), ".difo x\n\t%s\n\tret %%r1\n", bad[i].line);
		struct dif_module *m = NULL;
		struct dif_errors e;
		dif_errors_clear(&e);
		int rc = dif_asm(src, strlen(src), NULL, &m, &e);
		cr_expect_neq(rc, 0, "case %zu accepted", i);
		cr_expect(e.count && strstr(e.list[0].msg, bad[i].msg), "case %zu: %s",
		          i, e.count ? e.list[0].msg : "");
		dif_module_free(m);
	}
}

/* ------------------------------------------------------------------ */
/* The BTF reader: a small valid file, then one corruption per rule. */

struct btfbuf {
	uint8_t b[512];
	size_t len;
};

static void p32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Types: 1 int, 2 struct s {int a; int b;}, 3 ptr->2, 4 enum e {X=3},
 * 5 typedef t->2, 6 int[4], 7 fwd f, 8 proto int(int), 9 func fn, 10
 * double. */
static struct btfbuf good_btf(void)
{
	static const uint32_t types[] = {
		1, 1u << 24, 4, (1u << 24) | 32,              /* @0   int */
		5, (4u << 24) | 2, 8, 7, 1, 0, 9, 1, 32,      /* @16  struct s */
		0, 2u << 24, 2,                               /* @52  ptr */
		11, (6u << 24) | 1, 4, 13, 3,                 /* @64  enum e */
		15, 8u << 24, 2,                              /* @84  typedef t */
		0, 3u << 24, 0, 1, 1, 4,                      /* @96  array */
		17, 7u << 24, 0,                              /* @120 fwd f */
		0, (13u << 24) | 1, 1, 0, 1,                  /* @132 proto */
		19, (12u << 24) | 1, 8,                       /* @152 func fn */
		22, 16u << 24, 8,                             /* @164 double */
	};
	static const char strs[] = "\0int\0s\0a\0b\0e\0X\0t\0f\0fn\0double";
	struct btfbuf bb;
	memset(&bb, 0, sizeof(bb));
	uint32_t tlen = sizeof(types), slen = sizeof(strs);
	bb.b[0] = 0x9f;
	bb.b[1] = 0xeb;
	bb.b[2] = 1;
	p32(bb.b + 4, 24);
	p32(bb.b + 8, 0);
	p32(bb.b + 12, tlen);
	p32(bb.b + 16, tlen);
	p32(bb.b + 20, slen);
	memcpy(bb.b + 24, types, tlen);
	memcpy(bb.b + 24 + tlen, strs, slen);
	bb.len = 24 + tlen + slen;
	return bb;
}

#define T(off) (bb->b + 24 + (off))
static void c_short(struct btfbuf *bb) { bb->len = 10; }
static void c_magic(struct btfbuf *bb) { bb->b[0] = 0; }
static void c_swapped(struct btfbuf *bb) { bb->b[0] = 0xeb; bb->b[1] = 0x9f; }
static void c_version(struct btfbuf *bb) { bb->b[2] = 2; }
static void c_flags(struct btfbuf *bb) { bb->b[3] = 1; }
static void c_hdrlen(struct btfbuf *bb) { p32(bb->b + 4, 20); }
static void c_hdr_extra(struct btfbuf *bb)
{
	/* a 28-byte header whose extra field is not zero */
	memmove(bb->b + 28, bb->b + 24, bb->len - 24);
	bb->len += 4;
	p32(bb->b + 4, 28);
	p32(bb->b + 24, 1);
}
static void c_past_end(struct btfbuf *bb) { p32(bb->b + 20, 1000); }
static void c_misaligned(struct btfbuf *bb) { p32(bb->b + 12, 175); }
static void c_overlap(struct btfbuf *bb) { p32(bb->b + 16, 100); p32(bb->b + 20, 29); }
static void c_str_nul(struct btfbuf *bb) { bb->b[bb->len - 1] = 'x'; }
static void c_truncated(struct btfbuf *bb) { p32(bb->b + 12, 172); }
static void c_reserved_info(struct btfbuf *bb) { p32(T(4), (1u << 24) | (1u << 16)); }
static void c_kind0(struct btfbuf *bb) { p32(T(52 + 4), 0); }
static void c_kind20(struct btfbuf *bb) { p32(T(52 + 4), 20u << 24); }
static void c_name(struct btfbuf *bb) { p32(T(0), 5000); }
static void c_extra(struct btfbuf *bb) { p32(T(164 + 4), (4u << 24) | 5); }
static void c_vlen(struct btfbuf *bb) { p32(T(52 + 4), (2u << 24) | 1); }
static void c_kflag(struct btfbuf *bb) { p32(T(52 + 4), (2u << 24) | (1u << 31)); }
static void c_int_rsvd(struct btfbuf *bb) { p32(T(12), (1u << 24) | 32 | (1u << 8)); }
static void c_int_size(struct btfbuf *bb) { p32(T(8), 3); }
static void c_int_bits(struct btfbuf *bb) { p32(T(12), (1u << 24) | 33); }
static void c_int_bool(struct btfbuf *bb) { p32(T(12), (5u << 24) | 32); }
static void c_typedef_name(struct btfbuf *bb) { p32(T(84), 0); }
static void c_array_size(struct btfbuf *bb) { p32(T(96 + 8), 4); }
static void c_array_index(struct btfbuf *bb) { p32(T(96 + 16), 0); }
static void c_member_void(struct btfbuf *bb) { p32(T(16 + 16), 0); }
static void c_enum_size(struct btfbuf *bb) { p32(T(64 + 8), 3); }
static void c_enum_name(struct btfbuf *bb) { p32(T(64 + 12), 0); }
static void c_fwd_name(struct btfbuf *bb) { p32(T(120), 0); }
static void c_fwd_type(struct btfbuf *bb) { p32(T(120 + 8), 1); }
static void c_func_linkage(struct btfbuf *bb) { p32(T(152 + 4), (12u << 24) | 3); }
static void c_float_size(struct btfbuf *bb) { p32(T(164 + 8), 3); }
static void c_ref(struct btfbuf *bb) { p32(T(52 + 8), 99); }
static void c_member_ref(struct btfbuf *bb) { p32(T(16 + 16), 99); }
static void c_member_out(struct btfbuf *bb) { p32(T(16 + 32), 96); }
static void c_param_ref(struct btfbuf *bb) { p32(T(132 + 16), 1u << 23); }
static void c_long_name(struct btfbuf *bb)
{
	/* the string section becomes one 300-byte name */
	size_t so = 24 + 176;
	memset(bb->b + so + 1, 'n', 300);
	bb->b[so + 301] = '\0';
	p32(bb->b + 20, 302);
	p32(T(0), 1);
	bb->len = so + 302;
}
#undef T

static const struct {
	const char *name;
	void (*patch)(struct btfbuf *);
	const char *msg;
} btf_bad[] = {
	{ "short", c_short, "shorter than the 24-byte header" },
	{ "magic", c_magic, "bad magic" },
	{ "swapped", c_swapped, "byte order differs" },
	{ "version", c_version, "unsupported version" },
	{ "flags", c_flags, "unknown header flags" },
	{ "hdrlen", c_hdrlen, "bad header length" },
	{ "hdr_extra", c_hdr_extra, "unknown non-zero header fields" },
	{ "past_end", c_past_end, "runs past the end" },
	{ "misaligned", c_misaligned, "not 4-byte aligned" },
	{ "overlap", c_overlap, "overlap" },
	{ "str_nul", c_str_nul, "must start and end with NUL" },
	{ "truncated", c_truncated, "truncated type record" },
	{ "reserved_info", c_reserved_info, "BTF type 1: reserved bits set in info" },
	{ "kind0", c_kind0, "BTF type 3: unknown kind 0" },
	{ "kind20", c_kind20, "unknown kind 20" },
	{ "name", c_name, "BTF type 1: name offset outside" },
	{ "extra", c_extra, "kind data runs past" },
	{ "vlen", c_vlen, "vlen must be 0" },
	{ "kflag", c_kflag, "kind_flag set" },
	{ "int_rsvd", c_int_rsvd, "reserved bits set in the int encoding" },
	{ "int_size", c_int_size, "int size must be" },
	{ "int_bits", c_int_bits, "int bits do not fit" },
	{ "int_bool", c_int_bool, "combines bool" },
	{ "typedef_name", c_typedef_name, "typedef without a name" },
	{ "array_size", c_array_size, "array size_type must be 0" },
	{ "array_index", c_array_index, "array index type is void" },
	{ "member_void", c_member_void, "a member has type void" },
	{ "enum_size", c_enum_size, "enum size must be" },
	{ "enum_name", c_enum_name, "an enumerator has no name" },
	{ "fwd_name", c_fwd_name, "forward declaration without a name" },
	{ "fwd_type", c_fwd_type, "forward declaration with a type" },
	{ "func_linkage", c_func_linkage, "function linkage above 2" },
	{ "float_size", c_float_size, "float size must be" },
	{ "ref", c_ref, "type 3: refers to a type that does not exist" },
	{ "member_ref", c_member_ref, "a member refers to a type that does not exist" },
	{ "member_out", c_member_out, "a member lies outside the struct" },
	{ "param_ref", c_param_ref, "parameter type out of range" },
	{ "long_name", c_long_name, "name longer than 255 bytes" },
};

Test(reloc, btf_reader_accepts_the_good_file)
{
	struct btfbuf bb = good_btf();
	struct dif_types *t = dif_types_new();
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_types_load_btf_buf(t, bb.b, bb.len, "good", &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	uint64_t v;
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct s", "b", 0, &v,
	                               NULL), 0);
	cr_expect_eq(v, 4);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_SIZEOF, "t", NULL, 0, &v, NULL), 0);
	cr_expect_eq(v, 8);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_ENUMVAL, "enum e", "X", 0, &v,
	                               NULL), 0);
	cr_expect_eq(v, 3);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_SIZEOF, "double", NULL, 0, &v,
	                               NULL), 0);
	cr_expect_eq(v, 8);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct f", "x", 0, &v,
	                               &e), DIF_E_RELOC, "f is only declared");
	dif_types_free(t);
}

Test(reloc, btf_reader_rejects_every_malformation)
{
	for (size_t i = 0; i < sizeof(btf_bad) / sizeof(btf_bad[0]); i++) {
		struct btfbuf bb = good_btf();
		btf_bad[i].patch(&bb);
		struct dif_types *t = dif_types_new();
		struct dif_errors e;
		dif_errors_clear(&e);
		int rc = dif_types_load_btf_buf(t, bb.b, bb.len, "bad.btf", &e);
		cr_expect_eq(rc, DIF_E_TYPES, "case %s accepted", btf_bad[i].name);
		cr_expect(e.count && strstr(e.list[0].msg, btf_bad[i].msg) &&
		          strncmp(e.list[0].msg, "bad.btf: ", 9) == 0,
		          "case %s: '%s'", btf_bad[i].name,
		          e.count ? e.list[0].msg : "");
		cr_expect_eq(dif_types_count(t), 0);
		dif_types_free(t);
	}
}

/* Every truncation of the good file and random bytes: no crash. */
Test(reloc, btf_reader_survives_truncation_and_bit_flips)
{
	struct btfbuf good = good_btf();
	unsigned seed = (unsigned)time(NULL);
	const char *env = getenv("DIFVM_SEED");
	if (env)
		seed = (unsigned)strtoul(env, NULL, 0);
	fprintf(stderr, "btf flips: seed %u (DIFVM_SEED=%u to replay)\n", seed, seed);
	srand(seed);
	for (size_t len = 0; len < good.len; len++) {
		struct dif_types *t = dif_types_new();
		cr_expect_neq(dif_types_load_btf_buf(t, good.b, len, "cut", NULL), 0,
		              "length %zu accepted", len);
		dif_types_free(t);
	}
	for (int round = 0; round < 4000; round++) {
		struct btfbuf bb = good;
		int nflips = 1 + rand() % 3;
		for (int k = 0; k < nflips; k++) {
			size_t at = (size_t)rand() % bb.len;
			bb.b[at] ^= (uint8_t)(1u << (rand() % 8));
		}
		struct dif_types *t = dif_types_new();
		struct dif_errors e;
		dif_errors_clear(&e);
		int rc = dif_types_load_btf_buf(t, bb.b, bb.len, "flip", &e);
		if (rc == 0) {
			uint64_t v;
			dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct s", "b", 0, &v, NULL);
			dif_types_resolve(t, DIF_RELOC_SIZEOF, "t", NULL, 0, &v, NULL);
			dif_types_resolve(t, DIF_RELOC_LOAD, "struct s", "a", 0, &v, NULL);
		} else {
			cr_expect(e.count && e.list[0].msg[0], "seed %u round %d", seed, round);
		}
		dif_types_free(t);
	}
}

Test(reloc, type_file_errors)
{
	make_types();
	struct dif_types *t = dif_types_new();
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load(t, DIF_TYPES_BTF, "no/such/file.btf", &e),
	             DIF_E_IO);
	cr_expect(strstr(e.list[0].msg, "no/such/file.btf: cannot open"));
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load(t, DIF_TYPES_CTF, "no/such/file.o", &e),
	             DIF_E_IO);
	/* a CTF object is not BTF, and a BTF object is not CTF */
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load(t, DIF_TYPES_BTF, ctf_path, &e), DIF_E_TYPES);
	cr_expect(strstr(e.list[0].msg, "without a .BTF section"), "%s",
	          e.list[0].msg);
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load(t, DIF_TYPES_CTF, btf_path, &e), DIF_E_TYPES);
	cr_expect(strstr(e.list[0].msg, "CTF"), "%s", e.list[0].msg);
	/* garbage */
	char junk[1200];
	snprintf(junk, sizeof(junk), "%s/junk", dir);
	write_file(junk, "this is not a type file at all, not even close\n");
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load(t, DIF_TYPES_BTF, junk, &e), DIF_E_TYPES);
	cr_expect(strstr(e.list[0].msg, "bad magic"));
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load(t, DIF_TYPES_CTF, junk, &e), DIF_E_TYPES);
	/* a truncated ELF */
	size_t len;
	char *obj = test_slurp(btf_path, &len);
	cr_assert_not_null(obj);
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load_btf_buf(t, obj, 100, "cut.o", &e), DIF_E_TYPES);
	free(obj);
	cr_expect_eq(dif_types_count(t), 0);
	/* no type files: relocations say so */
	uint64_t v;
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_SIZEOF, "int", NULL, 0, &v, &e),
	             DIF_E_RELOC);
	cr_expect(strstr(e.list[0].msg, "no type files given"));
	/* 64 files at most */
	struct btfbuf bb = good_btf();
	for (int i = 0; i < 64; i++)
		cr_assert_eq(dif_types_load_btf_buf(t, bb.b, bb.len, "g", NULL), 0);
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load_btf_buf(t, bb.b, bb.len, "g", &e), DIF_E_LIMIT);
	dif_types_free(t);
}

/* ------------------------------------------------------------------ */
/* Object format: the relocation and symbol-name sections (little-endian
 * host objects patched in place). */

struct eobj {
	uint8_t *b;
	size_t len;
};

static uint64_t rdn(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void wrn(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *shdr_at(struct eobj *o, unsigned i)
{
	return o->b + rdn(o->b + 0x28, 8) + 64 * (uint64_t)i;
}

static unsigned sec_named(struct eobj *o, const char *name)
{
	unsigned n = (unsigned)rdn(o->b + 0x3c, 2), sx = (unsigned)rdn(o->b + 0x3e, 2);
	const char *names = (const char *)o->b + rdn(shdr_at(o, sx) + 24, 8);
	for (unsigned i = 1; i < n; i++)
		if (strcmp(names + rdn(shdr_at(o, i), 4), name) == 0)
			return i;
	cr_assert_fail("no section %s", name);
	return 0;
}

static uint8_t *sec_data(struct eobj *o, unsigned i)
{
	return o->b + rdn(shdr_at(o, i) + 24, 8);
}

static struct eobj rel_obj(void)
{
	static const char src[] =
		".difo a\n"
		"\tsetx @offsetof(struct stat, st_size), %r1\n"
		"\tsetx @sizeof(struct stat), %r2\n"
		"\tret %r1\n"
		".difo b\n"
		"\tusetx \"m\", %r1\n"
		"\tret %r1\n";
	struct dif_module *m = assemble(src);
	void *buf;
	size_t len;
	DIF_OPTS(dif_obj_opts, oo, .order = DIF_OBJ_LSB);
	cr_assert_eq(dif_obj_write(m, &oo, &buf, &len, NULL), 0);
	dif_module_free(m);
	return (struct eobj){ buf, len };
}

#define RA ".difvm.rel.a"
#define SA ".difvm.symstr.a"
static void o_link_other(struct eobj *o)
{
	wrn(shdr_at(o, sec_named(o, ".difvm.rel.b")) + 40, sec_named(o, SA), 4);
}
static void o_second_rel(struct eobj *o)
{
	wrn(shdr_at(o, sec_named(o, ".difvm.rel.b")) + 44, sec_named(o, ".text.a"), 4);
}
static void o_sym_nul(struct eobj *o)
{
	uint8_t *h = shdr_at(o, sec_named(o, SA));
	sec_data(o, sec_named(o, SA))[rdn(h + 32, 8) - 1] = 'x';
}
static void o_sym_empty(struct eobj *o) { wrn(shdr_at(o, sec_named(o, SA)) + 32, 0, 8); }
static void o_sym_align(struct eobj *o) { wrn(shdr_at(o, sec_named(o, SA)) + 48, 2, 8); }
static void o_rec_off(struct eobj *o) { wrn(sec_data(o, sec_named(o, RA)), 2, 4); }
static void o_rec_past(struct eobj *o) { wrn(sec_data(o, sec_named(o, RA)), 400, 4); }
static void o_rec_order(struct eobj *o) { wrn(sec_data(o, sec_named(o, RA)) + 16, 0, 4); }
static void o_rec_type(struct eobj *o) { wrn(sec_data(o, sec_named(o, RA)) + 4, 0, 2); }
static void o_rec_flags(struct eobj *o) { wrn(sec_data(o, sec_named(o, RA)) + 6, 1, 2); }
static void o_rec_name(struct eobj *o) { wrn(sec_data(o, sec_named(o, RA)) + 12, 999, 4); }
static void o_rec_size(struct eobj *o) { wrn(shdr_at(o, sec_named(o, RA)) + 32, 24, 8); }
static void o_unused_sym(struct eobj *o)
{
	wrn(shdr_at(o, sec_named(o, ".difvm.rel.b")) + 40, 0, 4);
}
static void o_new_type(struct eobj *o) { wrn(shdr_at(o, sec_named(o, SA)) + 4, 0x8d1f0008u, 4); }

static const struct {
	const char *name;
	void (*patch)(struct eobj *);
	int code;
	const char *msg;
} obj_bad[] = {
	{ "link_other", o_link_other, DIF_E_OBJ_DUPLICATE, "already used by another DIFO" },
	{ "second_rel", o_second_rel, DIF_E_OBJ_DUPLICATE, "a second relocation section" },
	{ "sym_nul", o_sym_nul, DIF_E_OBJ_STRING, "does not end with NUL" },
	{ "sym_empty", o_sym_empty, DIF_E_OBJ_STRING, "is empty" },
	{ "sym_align", o_sym_align, DIF_E_OBJ_ALIGN, "alignment 2" },
	{ "rec_off", o_rec_off, DIF_E_OBJ_RELOC, "offset is not an instruction" },
	{ "rec_past", o_rec_past, DIF_E_OBJ_RELOC, "offset is not an instruction" },
	{ "rec_order", o_rec_order, DIF_E_OBJ_RELOC, "not sorted" },
	{ "rec_type", o_rec_type, DIF_E_OBJ_RELOC, "unknown relocation type" },
	{ "rec_flags", o_rec_flags, DIF_E_OBJ_RELOC, "reserved flags" },
	{ "rec_name", o_rec_name, DIF_E_OBJ_RELOC, "outside the symbol-name table" },
	{ "rec_size", o_rec_size, DIF_E_OBJ_SECTION, "not a multiple of the 16-byte" },
	{ "unused_sym", o_unused_sym, DIF_E_OBJ_SECTION, "not used by any relocation" },
	{ "new_type", o_new_type, DIF_E_OBJ_SECTION, "unknown difvm section type" },
};

Test(reloc, object_reader_checks_relocation_sections)
{
	struct eobj good = rel_obj();
	struct dif_module *m;
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_assert_eq(dif_obj_read(good.b, good.len, NULL, &m, &e), 0, "%s",
	             e.count ? e.list[0].msg : "");
	dif_module_free(m);
	for (size_t i = 0; i < sizeof(obj_bad) / sizeof(obj_bad[0]); i++) {
		struct eobj o = { malloc(good.len), good.len };
		memcpy(o.b, good.b, good.len);
		obj_bad[i].patch(&o);
		dif_errors_clear(&e);
		m = NULL;
		int rc = dif_obj_read(o.b, o.len, NULL, &m, &e);
		cr_expect_eq(rc, obj_bad[i].code, "case %s: %s (%s)", obj_bad[i].name,
		             dif_err_name(rc), e.count ? e.list[0].msg : "");
		cr_expect(e.count && strstr(e.list[0].msg, obj_bad[i].msg), "case %s: %s",
		          obj_bad[i].name, e.count ? e.list[0].msg : "");
		cr_expect_null(m);
		free(o.b);
	}
	free(good.b);
}

/* The DIFO constructor checks records and symbol tables too. */
Test(reloc, difo_parts_reject_bad_records)
{
	uint32_t text[2] = { 0x25000001, 0x23000001 };
	static const char sym[] = "\0struct s\0m";
	struct dif_reloc good = { 0, DIF_RELOC_OFFSETOF, 0, 1, 10 };
	struct {
		struct dif_reloc r[2];
		uint32_t n, symlen;
		const char *msg;
	} bad[] = {
		{ { { 0, 0, 0, 1, 10 } }, 1, sizeof(sym), "unknown kind" },
		{ { { 0, 9, 0, 1, 10 } }, 1, sizeof(sym), "unknown kind" },
		{ { { 0, 1, 2, 1, 10 } }, 1, sizeof(sym), "reserved flags" },
		{ { { 2, 1, 0, 1, 10 } }, 1, sizeof(sym), "pc outside the text" },
		{ { good, good }, 2, sizeof(sym), "not sorted" },
		{ { { 0, 1, 0, 1, 50 } }, 1, sizeof(sym), "outside the symbol table" },
		{ { good }, 1, sizeof(sym) - 1, "does not end with NUL" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		DIF_OPTS(dif_difo_parts, p, .name = "x", .text = text, .textlen = 2,
		         .symtab = sym, .symlen = bad[i].symlen, .relocs = bad[i].r,
		         .nrelocs = bad[i].n);
		struct dif_difo *d = NULL;
		struct dif_errors e;
		dif_errors_clear(&e);
		cr_expect_eq(dif_difo_create(&p, &d, &e), DIF_E_INVAL, "case %zu", i);
		cr_expect(e.count && strstr(e.list[0].msg, bad[i].msg), "case %zu: %s", i,
		          e.count ? e.list[0].msg : "");
		dif_difo_free(d);
	}
	DIF_OPTS(dif_difo_parts, p, .name = "x", .text = text, .textlen = 2,
	         .symtab = sym, .symlen = sizeof(sym), .relocs = &good, .nrelocs = 1);
	struct dif_difo *d = NULL;
	cr_assert_eq(dif_difo_create(&p, &d, NULL), 0);
	cr_expect_not_null(dif_difo_reloc_at(d, 0));
	cr_expect_null(dif_difo_reloc_at(d, 1));
	cr_expect_str_eq(dif_reloc_kind_name(DIF_RELOC_MEMBERSIZE), "membersize");
	cr_expect_null(dif_reloc_kind_name(99));
	dif_difo_free(d);
}

/* ------------------------------------------------------------------ */
/* difld on the command line. */

static int tool(const char *args, char *out, size_t cap)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	char cmd[8192], of[1200];
	snprintf(of, sizeof(of), "%s/tool.out", dir);
	snprintf(cmd, sizeof(cmd), "cd %s && %s/tools/%s > %s 2>&1", dir,
	         b ? b : "build", args, of);
	int rc = system(cmd);
	size_t n;
	char *t = test_slurp(of, &n);
	snprintf(out, cap, "%s", t ? t : "");
	free(t);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

Test(reloc, difld_links_poisons_and_verifies)
{
	make_types();
	char p[1200], out[8192];
	snprintf(p, sizeof(p), "%s/size.s", dir);
	write_file(p, core_prog);
	snprintf(p, sizeof(p), "%s/g.s", dir);
	write_file(p, ".difo g\n"
	              "\tsetx @exists(struct stat, st_nope), %r1\n"
	              "\ttst %r1\n\tbe out\n"
	              "\tsetx @offsetof(struct stat, st_nope), %r1\n"
	              "out:\n\tret %r1\n");
	cr_expect_eq(tool("difld --ctf types-ctf.o -o size.o size.s", out,
	                  sizeof(out)), 0, "%s", out);
	cr_expect_eq(tool("difld --verify size.s size.o", out, sizeof(out)), 0,
	             "%s", out);
	cr_expect(strstr(out, "only allowed relocation rewrites"), "%s", out);
	cr_expect_eq(tool("difdis size.o", out, sizeof(out)), 0);
	cr_expect(strstr(out, "setx DT_INTEGER[0], %r2\t\t! 0x30") &&
	          strstr(out, "ldx  [%r1], %r3"), "%s", out);
	/* both type kinds at once, searched in order */
	cr_expect_eq(tool("difld --btf types-btf.o --ctf types-ctf.o -o size2.o "
	                  "size.s", out, sizeof(out)), 0, "%s", out);
	/* unresolvable: errors name file, DIFO, pc, relocation and closest */
	cr_expect_eq(tool("difld --btf types-btf.o -o g.o g.s", out, sizeof(out)),
	             1);
	cr_expect(strstr(out, "difld: error: g.s: DIFO 'g' pc 3 (setx DT_INTEGER[0], "
	                 "%r1): @offsetof(struct stat, st_nope): struct stat has no "
	                 "member 'st_nope' (closest: 'st_mode'"), "%s", out);
	/* --poison links, and the program runs down the guarded path */
	cr_expect_eq(tool("difld --poison --btf types-btf.o -o g.o g.s", out,
	                  sizeof(out)), 0, "%s", out);
	/* ... and says where it poisoned */
	cr_expect(strstr(out, "difld: warning: g.s: DIFO 'g' pc 3 poisoned "
	                      "(faults ILLOP if reached): @offsetof(struct stat, "
	                      "st_nope): struct stat has no member 'st_nope'") ||
	          strstr(out, "difld: warning: g.s: DIFO 'g' pc 3 poisoned "
	                      "(faults ILLOP if reached): struct stat has no "
	                      "member 'st_nope'"), "%s", out);
	cr_expect_eq(tool("difrun g.o", out, sizeof(out)), 0, "%s", out);
	cr_expect(strstr(out, "0"), "%s", out);
	cr_expect_eq(tool("difld --verify g.s g.o", out, sizeof(out)), 0, "%s", out);
	/* without types: the relocation is named, nothing is written */
	cr_expect_eq(tool("difld -o size3.o size.s", out, sizeof(out)), 1);
	cr_expect(strstr(out, "no type files given"), "%s", out);
	/* a bad type file */
	cr_expect_eq(tool("difld --btf size.s -o x.o size.s", out, sizeof(out)), 1);
	cr_expect(strstr(out, "size.s: BTF: bad magic"), "%s", out);
	cr_expect_eq(tool("difld --ctf nosuch.o -o x.o size.s", out, sizeof(out)), 2);
	/* difld also renumbers variables and deduplicates tables: --verify
	 * puts the base through the same merge */
	snprintf(p, sizeof(p), "%s/v.s", dir);
	write_file(p, ".difo v\n.var x global scalar id=0x510\n"
	              "\tsetx @offsetof(struct stat, st_size), %r2\n"
	              "\tsetx 5, %r3\n\tsetx DT_INTEGER[0], %r4 ! 0x5\n"
	              "\tstgs %r3, x\n\tret %r2\n");
	cr_expect_eq(tool("difld --ctf types-ctf.o -o v.o v.s", out, sizeof(out)),
	             0, "%s", out);
	cr_expect_eq(tool("difld --verify v.s v.o", out, sizeof(out)), 0, "%s", out);
	/* verify names the first other difference */
	cr_expect_eq(tool("difld --verify size.s g.o", out, sizeof(out)), 1);
	cr_expect(strstr(out, "is DIFO 0, where the base has 'size'"), "%s", out);
	cr_expect_eq(tool("difld --verify size.s", out, sizeof(out)), 2);
	/* type names from the input reach messages escaped, never raw: the
	 * error, and the poison reason difrun prints when it faults */
	snprintf(p, sizeof(p), "%s/esc.s", dir);
	write_file(p, ".difo t\n\ttypecast \"struct \033[2J *\", %r1\n"
	              "\tret %r1\n");
	cr_expect_eq(tool("difld --btf types-btf.o -o esc.o esc.s", out,
	                  sizeof(out)), 1);
	cr_expect(!strchr(out, '\033') &&
	          strstr(out, "no type 'struct \\x1b[2J' in types-btf.o"),
	          "%s", out);
	cr_expect_eq(tool("difld --poison --btf types-btf.o -o esc.o esc.s", out,
	                  sizeof(out)), 0, "%s", out);
	cr_expect_eq(tool("difrun esc.o", out, sizeof(out)), 1);
	cr_expect(!strchr(out, '\033') && strstr(out, "fault: ILLOP") &&
	          strstr(out, "no type 'struct \\x1b[2J'"), "%s", out);
	cr_expect_eq(tool("difrun --json esc.o", out, sizeof(out)), 1);
	cr_expect(strstr(out, "\"name\": \"ILLOP\"") &&
	          strstr(out, "\"reason\": \"typecast \\\"struct \\u001b[2J *"),
	          "%s", out);
}

/* ------------------------------------------------------------------ */
/* The CTF check before libctf: one corruption per rule of a gcc -gctf
 * object's .ctf section. */

struct ctfobj {
	struct eobj o;
	uint8_t *sec; /* the .ctf section */
	size_t size;
	uint8_t *body; /* after the 52-byte header */
};

static uint32_t hget(struct ctfobj *c, unsigned off)
{
	return (uint32_t)rdn(c->sec + off, 4);
}

static void hset(struct ctfobj *c, unsigned off, uint32_t v)
{
	wrn(c->sec + off, v, 4);
}

enum { H_NAME = 8, H_CU = 12, H_LBL = 16, H_OBJT = 20, H_FUNC = 24,
       H_OIDX = 28, H_FIDX = 32, H_VAR = 36, H_TYPE = 40, H_STR = 44,
       H_STRLEN = 48 };

/* Offset (in the body) of the first type record of kind k, walking sizes
 * as the format lays them out. */
static uint32_t find_kind(struct ctfobj *c, unsigned k)
{
	uint32_t o = hget(c, H_TYPE), end = hget(c, H_STR);
	while (o < end) {
		uint32_t info = (uint32_t)rdn(c->body + o + 4, 4);
		uint32_t st = (uint32_t)rdn(c->body + o + 8, 4);
		unsigned kind = info >> 26, vlen = info & 0xffffff;
		if (kind == k)
			return o;
		uint32_t n = 12;
		if ((kind == 1 || kind == 2 || kind == 6 || kind == 7 || kind == 8) &&
		    st == 0xffffffffu)
			n += 8;
		n += kind == 1 || kind == 2 ? 4 : kind == 4 ? 12 : kind == 14 ? 8
		     : kind == 5 ? 4 * (vlen + (vlen & 1)) : kind == 6 || kind == 7
		     ? 12 * vlen : kind == 8 ? 8 * vlen : 0;
		o += n;
	}
	cr_assert_fail("no CTF type of kind %u", k);
	return 0;
}

static void x_short(struct ctfobj *c) { wrn(shdr_at(&c->o, sec_named(&c->o, ".ctf")) + 32, 10, 8); }
static void x_swapped(struct ctfobj *c) { c->sec[0] = 0xdf; c->sec[1] = 0xf2; }
static void x_magic(struct ctfobj *c) { c->sec[0] = 0; }
static void x_version(struct ctfobj *c) { c->sec[2] = 3; }
static void x_flags(struct ctfobj *c) { c->sec[3] |= 0x80; }
static void x_order(struct ctfobj *c) { hset(c, H_VAR, hget(c, H_TYPE) + 4); }
static void x_align(struct ctfobj *c) { hset(c, H_TYPE, hget(c, H_TYPE) + 2); }
static void x_past(struct ctfobj *c) { hset(c, H_STRLEN, 1u << 20); }
static void x_compress(struct ctfobj *c) { c->sec[3] |= 1; }
static void x_strnul(struct ctfobj *c) { c->body[hget(c, H_STR)] = 'x'; }
static void x_cuname(struct ctfobj *c) { hset(c, H_CU, hget(c, H_STRLEN) + 5); }
static void x_child(struct ctfobj *c) { hset(c, H_NAME, 1); }
static void x_kind(struct ctfobj *c)
{
	uint32_t o = find_kind(c, 3);
	wrn(c->body + o + 4, 15u << 26, 4);
}
static void x_name(struct ctfobj *c) { wrn(c->body + find_kind(c, 1), 0x7fffff, 4); }
static void x_extname(struct ctfobj *c) { wrn(c->body + find_kind(c, 1), 0x80000001u, 4); }
static void x_vlen(struct ctfobj *c)
{
	uint32_t o = find_kind(c, 3);
	wrn(c->body + o + 4, (3u << 26) | 1, 4);
}
static void x_ref(struct ctfobj *c) { wrn(c->body + find_kind(c, 3) + 8, 999999, 4); }
static void x_intbits(struct ctfobj *c)
{
	uint32_t o = find_kind(c, 1);
	wrn(c->body + o + 12, (uint32_t)rdn(c->body + o + 12, 4) | 0xff00, 4);
}
static void x_fwd(struct ctfobj *c)
{
	uint32_t o = find_kind(c, 3);
	wrn(c->body + o + 4, 9u << 26, 4);
	wrn(c->body + o + 8, 3, 4);
}
static void x_array(struct ctfobj *c) { wrn(c->body + find_kind(c, 4) + 12, 999999, 4); }
static void x_slice(struct ctfobj *c) { wrn(c->body + find_kind(c, 14) + 16, 0, 4); }
static void x_member(struct ctfobj *c) { wrn(c->body + find_kind(c, 6) + 12 + 8, 999999, 4); }
static void x_moff(struct ctfobj *c) { wrn(c->body + find_kind(c, 6) + 12 + 4, 1u << 30, 4); }
static void x_enum(struct ctfobj *c) { wrn(c->body + find_kind(c, 8) + 12, 0x7fffff, 4); }
static void x_runs(struct ctfobj *c)
{
	/* the last record claims more members than the section holds */
	uint32_t o = find_kind(c, 6);
	uint32_t info = (uint32_t)rdn(c->body + o + 4, 4);
	wrn(c->body + o + 4, (info & ~0xffffffu) | 0xffffff, 4);
}
static void x_trunc(struct ctfobj *c)
{
	/* the type section ends 8 bytes into its first record */
	uint32_t cut = hget(c, H_STR) - (hget(c, H_TYPE) + 8);
	hset(c, H_STR, hget(c, H_TYPE) + 8);
	hset(c, H_STRLEN, hget(c, H_STRLEN) + cut);
}
static void x_label(struct ctfobj *c) { hset(c, H_OBJT, hget(c, H_LBL) + 4); }
static void x_objref(struct ctfobj *c) { wrn(c->body + hget(c, H_OBJT), 0x7ffffff, 4); }
static void x_idxname(struct ctfobj *c) { wrn(c->body + hget(c, H_OIDX), 0x7ffffff, 4); }
static void x_var(struct ctfobj *c) { hset(c, H_VAR, hget(c, H_VAR) + 4); }
static void x_cycle(struct ctfobj *c)
{
	/* a pointer to itself */
	uint32_t o = find_kind(c, 3);
	uint32_t id = 1, t = hget(c, H_TYPE);
	while (t < o) { /* count the records before it */
		uint32_t info = (uint32_t)rdn(c->body + t + 4, 4);
		unsigned kind = info >> 26, vlen = info & 0xffffff;
		uint32_t st = (uint32_t)rdn(c->body + t + 8, 4);
		t += 12 + ((kind == 1 || kind == 2 || kind == 6 || kind == 7 ||
		            kind == 8) && st == 0xffffffffu ? 8 : 0);
		t += kind == 1 || kind == 2 ? 4 : kind == 4 ? 12 : kind == 14 ? 8
		     : kind == 5 ? 4 * (vlen + (vlen & 1)) : kind == 6 || kind == 7
		     ? 12 * vlen : kind == 8 ? 8 * vlen : 0;
		id++;
	}
	wrn(c->body + o + 8, id, 4);
}
static void x_oidx(struct ctfobj *c) { hset(c, H_FIDX, hget(c, H_FIDX) - 4); }
static void x_fidx(struct ctfobj *c)
{
	/* a function section of 4 bytes beside an empty function index */
	hset(c, H_FUNC, hget(c, H_OBJT) + 4);
	hset(c, H_OIDX, hget(c, H_OBJT) + 8);
	hset(c, H_FIDX, hget(c, H_OBJT) + 8);
	hset(c, H_VAR, hget(c, H_OBJT) + 16);
}

static const struct {
	const char *name;
	void (*patch)(struct ctfobj *);
	const char *msg;
} ctf_bad[] = {
	{ "short", x_short, "shorter than the CTF header" },
	{ "swapped", x_swapped, "byte order differs" },
	{ "magic", x_magic, "bad magic" },
	{ "version", x_version, "only CTF version 3" },
	{ "flags", x_flags, "unknown header flags" },
	{ "order", x_order, "sections out of order" },
	{ "align", x_align, "not 4-byte aligned" },
	{ "past", x_past, "sections run past the end" },
	{ "compress", x_compress, "does not inflate" },
	{ "strnul", x_strnul, "must start and end with NUL" },
	{ "cuname", x_cuname, "header name offset outside" },
	{ "child", x_child, "child dictionary without its parent" },
	{ "kind", x_kind, "unknown kind" },
	{ "name", x_name, "name offset outside the string section" },
	{ "extname", x_extname, "external string table" },
	{ "vlen", x_vlen, "vlen must be 0" },
	{ "ref", x_ref, "refers to a type that does not exist" },
	{ "intbits", x_intbits, "integer bits do not fit" },
	{ "fwd", x_fwd, "forward of a kind" },
	{ "array", x_array, "refers to a type that does not exist" },
	{ "slice", x_slice, "slice bits out of range" },
	{ "member", x_member, "refers to a type that does not exist" },
	{ "moff", x_moff, "a member lies outside the struct" },
	{ "enum", x_enum, "name offset outside" },
	{ "runs", x_runs, "kind data runs past the type section" },
	{ "trunc", x_trunc, "truncated" },
	{ "label", x_label, "label section is not a whole number" },
	{ "objref", x_objref, "refers to a type that does not exist" },
	{ "idxname", x_idxname, "name offset outside" },
	{ "var", x_var, "variable section is not a whole number" },
	{ "cycle", x_cycle, "a cycle of typedef" },
	{ "oidx", x_oidx, "object index section is neither empty" },
	{ "fidx", x_fidx, "function index section is neither empty" },
};

Test(reloc, ctf_check_rejects_every_malformation)
{
	make_types();
	size_t len;
	char *good = test_slurp(ctf_path, &len);
	cr_assert_not_null(good);
	char bad_path[1200];
	snprintf(bad_path, sizeof(bad_path), "%s/bad-ctf.o", dir);
	for (size_t i = 0; i < sizeof(ctf_bad) / sizeof(ctf_bad[0]); i++) {
		struct ctfobj c;
		c.o.b = malloc(len);
		c.o.len = len;
		memcpy(c.o.b, good, len);
		unsigned s = sec_named(&c.o, ".ctf");
		c.sec = sec_data(&c.o, s);
		c.size = rdn(shdr_at(&c.o, s) + 32, 8);
		c.body = c.sec + 52;
		ctf_bad[i].patch(&c);
		FILE *f = fopen(bad_path, "wb");
		cr_assert_not_null(f);
		fwrite(c.o.b, 1, len, f);
		fclose(f);
		free(c.o.b);
		struct dif_types *t = dif_types_new();
		struct dif_errors e;
		dif_errors_clear(&e);
		int rc = dif_types_load(t, DIF_TYPES_CTF, bad_path, &e);
		cr_expect_eq(rc, DIF_E_TYPES, "case %s: %s", ctf_bad[i].name,
		             e.count ? e.list[0].msg : "accepted");
		cr_expect(e.count && strstr(e.list[0].msg, ctf_bad[i].msg) &&
		          strstr(e.list[0].msg, "bad-ctf.o: CTF"), "case %s: '%s'",
		          ctf_bad[i].name, e.count ? e.list[0].msg : "");
		dif_types_free(t);
	}
	free(good);
}

/* Archives (ld writes one when two units define a type differently): the
 * child dictionaries resolve, and the archive tables are checked. */
Test(reloc, ctf_archives)
{
	make_types();
	char a[1200], b[1200], ab[1200], cmd[8192];
	snprintf(a, sizeof(a), "%s/u1.c", dir);
	snprintf(b, sizeof(b), "%s/u2.c", dir);
	snprintf(ab, sizeof(ab), "%s/u12.o", dir);
	write_file(a, "struct cf { int x; } v1;\nstruct only1 { char c; short s; } w1;\n");
	write_file(b, "struct cf { long y; short z; } v2;\n");
	snprintf(cmd, sizeof(cmd), "cd %s && gcc -gctf -c u1.c && gcc -gctf -c u2.c "
	         "&& ld -r u1.o u2.o -o u12.o", dir);
	cr_assert_eq(sh(cmd), 0, "%s", cmd);
	struct dif_types *t = load_types(DIF_TYPES_CTF, ab);
	uint64_t v;
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct only1", "s",
	                               0, &v, NULL), 0);
	cr_expect_eq(v, 2);
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_EXISTS, "struct cf", "x", 0, &v,
	                               NULL), 0);
	dif_types_free(t);
	/* corrupt the archive's tables */
	size_t len;
	char *good = test_slurp(ab, &len);
	cr_assert_not_null(good);
	/* from: copy the 8 bytes at this header offset instead of val; 1:
	 * make member 1's parent name its CU name */
	static const struct {
		unsigned off; /* in the archive header */
		uint64_t val;
		unsigned from;
		const char *msg;
	} arc_bad[] = {
		{ 16, 0, 0, "no or more than 4096 dictionaries" },
		{ 16, 5000, 0, "no or more than 4096 dictionaries" },
		{ 16, 100000000, 0, "no or more than 4096" },
		{ 24, 1u << 30, 0, "archive tables run past the end" },
		{ 40, 1u << 30, 0, "name outside the archive" },
		{ 48, 1u << 30, 0, "dictionary outside the archive" },
		{ 56, 0, 40, "a second '.ctf' member" },
		{ 40, 0, 56, "the first member must be the parent '.ctf'" },
		{ 0, 0, 1, "a child dictionary whose parent is not '.ctf'" },
	};
	for (size_t i = 0; i < sizeof(arc_bad) / sizeof(arc_bad[0]); i++) {
		struct eobj o = { malloc(len), len };
		memcpy(o.b, good, len);
		/* the non-empty .ctf section */
		unsigned n = (unsigned)rdn(o.b + 0x3c, 2), s = 0;
		unsigned sx = (unsigned)rdn(o.b + 0x3e, 2);
		const char *names = (const char *)o.b + rdn(shdr_at(&o, sx) + 24, 8);
		for (unsigned k = 1; k < n; k++)
			if (!strcmp(names + rdn(shdr_at(&o, k), 4), ".ctf") &&
			    rdn(shdr_at(&o, k) + 32, 8) > 0)
				s = k;
		cr_assert(s);
		uint8_t *arc = sec_data(&o, s);
		cr_assert_eq(rdn(arc, 8), 0x8b47f2a4d7623eebull, "not an archive");
		if (arc_bad[i].from == 1) {
			uint8_t *d1 = arc + rdn(arc + 32, 8) + rdn(arc + 64, 8) + 8;
			wrn(d1 + 8, rdn(d1 + 8, 4) + 1, 4); /* ".ctf" -> "ctf" */
		} else if (arc_bad[i].from) {
			wrn(arc + arc_bad[i].off, rdn(arc + arc_bad[i].from, 8), 8);
		} else {
			wrn(arc + arc_bad[i].off, arc_bad[i].val, 8);
		}
		char bad_path[1200];
		snprintf(bad_path, sizeof(bad_path), "%s/bad-arc.o", dir);
		FILE *f = fopen(bad_path, "wb");
		fwrite(o.b, 1, len, f);
		fclose(f);
		free(o.b);
		t = dif_types_new();
		struct dif_errors e;
		dif_errors_clear(&e);
		cr_expect_eq(dif_types_load(t, DIF_TYPES_CTF, bad_path, &e), DIF_E_TYPES,
		             "case %zu accepted", i);
		cr_expect(e.count && strstr(e.list[0].msg, arc_bad[i].msg), "case %zu: %s",
		          i, e.count ? e.list[0].msg : "");
		dif_types_free(t);
	}
	free(good);
}

/* A compressed dictionary (libctf compresses what it writes above a
 * threshold): inflated, checked and read like a plain one. */
Test(reloc, ctf_compressed_dictionary)
{
	make_types();
	int err = 0;
	ctf_archive_t *arc = ctf_open(ctf_path, NULL, &err);
	cr_assert_not_null(arc, "%s", ctf_errmsg(err));
	ctf_dict_t *fp = ctf_dict_open(arc, NULL, &err);
	cr_assert_not_null(fp, "%s", ctf_errmsg(err));
	/* a writable dictionary holding struct stat and what it uses */
	ctf_dict_t *w = ctf_create(&err);
	cr_assert_not_null(w, "%s", ctf_errmsg(err));
	ctf_id_t st = ctf_lookup_by_name(fp, "struct stat");
	cr_assert_neq(st, CTF_ERR);
	cr_assert_neq(ctf_add_type(w, fp, st), CTF_ERR, "%s",
	              ctf_errmsg(ctf_errno(w)));
	size_t size = 0;
	unsigned char *mem = ctf_write_mem(w, &size, 0);
	cr_assert_not_null(mem, "%s", ctf_errmsg(ctf_errno(w)));
	ctf_dict_close(w);
	cr_assert_eq(mem[3] & 1, 1, "libctf wrote no compressed dictionary");
	char path[1200];
	snprintf(path, sizeof(path), "%s/compressed.ctf", dir);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	fwrite(mem, 1, size, f);
	fclose(f);
	free(mem);
	ctf_dict_close(fp);
	ctf_close(arc);
	struct dif_types *t = load_types(DIF_TYPES_CTF, path);
	uint64_t v;
	cr_expect_eq(dif_types_resolve(t, DIF_RELOC_OFFSETOF, "struct stat",
	                               "st_size", 0, &v, NULL), 0);
	cr_expect_eq(v, offsetof(struct stat, st_size));
	dif_types_free(t);
	/* a corrupted deflate stream is rejected, not inflated */
	size_t len;
	char *b = test_slurp(path, &len);
	cr_assert_not_null(b);
	memset(b + 60, 0xa5, len > 80 ? 16 : 0);
	f = fopen(path, "wb");
	fwrite(b, 1, len, f);
	fclose(f);
	free(b);
	t = dif_types_new();
	struct dif_errors e;
	dif_errors_clear(&e);
	cr_expect_eq(dif_types_load(t, DIF_TYPES_CTF, path, &e), DIF_E_TYPES);
	cr_expect(e.count && strstr(e.list[0].msg, "does not inflate"), "%s",
	          e.count ? e.list[0].msg : "");
	dif_types_free(t);
}
