/*
 * Loose command-line values and input handling of the tools: each case is
 * a negative test showing the clear error (docs/limits.md).
 */
#include "lim.h"

static const char *tools[] = { "difasm", "difdis", "difcheck", "difrun" };
#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static char *prog(void)
{
	char *p = lim_path("prog.s");
	const char *s = "setx 5, %r1\nret %r1\n";
	lim_write(p, s, strlen(s));
	return p;
}

Test(cli, zero_sizes_refused_like_strsize)
{
	char *p = prog(), cmd[8192], out[4096];
	static const char *opts[] = { "--scratch 0", "--dynvar 0", "--strsize 0" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(cmd, sizeof(cmd), "difrun %s %s", opts[i], p);
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s: %s", opts[i], out);
		cr_assert(strstr(out, "bad --") && strstr(out, "'0'"), "%s", out);
	}
	snprintf(cmd, sizeof(cmd), "difrun --scratch 8 --dynvar 1 %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "difrun --scratch 0x40000001 %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "limit"), "%s", out);
	unlink(p);
	free(p);
}

/* An option error after --mem options allocated their bytes: nothing
 * leaks (LeakSanitizer would change the exit status in the ASan build). */
Test(cli, option_errors_do_not_leak)
{
	char *p = prog(), cmd[8192], out[4096];
	static const char *bad[] = { "--scratch 0", "--mem 0x3000=zz",
	                             "--runs 0", "--bogus", "--profile x",
	                             "--max-input=0" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd),
		         "difrun --mem 0x1000=0011 --user-mem 0x2000=22 --toxic 0x9000=4 "
		         "%s %s", bad[i], p);
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s: %s", bad[i], out);
		cr_assert_null(strstr(out, "LeakSanitizer"), "%s", out);
	}
	unlink(p);
	free(p);
}

Test(cli, mem_hex_is_strict)
{
	char *p = prog(), cmd[8192], out[4096];
	static const char *bad[] = { "0x1000=+f-1", "'0x1000= f'", "'0x1000=0 '",
	                             "0x1000=0g", "0x1000=-1", "0x1000=0x",
	                             "0x1000=abc", "'0x1000=\t1'" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(cmd, sizeof(cmd), "difrun --mem %s %s", bad[i], p);
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s: %s", bad[i], out);
		cr_assert(strstr(out, "hex digits only"), "%s", out);
	}
	snprintf(cmd, sizeof(cmd), "difrun --mem 0x1000=0AfF --mem 0x2000=0x00 %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 0, "%s", out);
	unlink(p);
	free(p);
}

Test(cli, overlapping_regions_rejected)
{
	char *p = prog(), cmd[8192], out[4096];
	snprintf(cmd, sizeof(cmd),
	         "difrun --mem 0x1000=0011223344556677 --loadable-mem 0x1004=aabb %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "overlap"), "%s", out);
	/* Adjacent, other address space, or a toxic hole: fine. */
	snprintf(cmd, sizeof(cmd),
	         "difrun --mem 0x1000=00112233 --mem 0x1004=aabb "
	         "--user-mem 0x1000=00 --toxic 0x1001=1 %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 0, "%s", out);
	unlink(p);
	free(p);
}

Test(cli, stdout_write_errors_fail)
{
	char *p = prog(), cmd[8192], out[4096];
	static const char *args[] = { "difasm %s", "difdis %s", "difcheck %s",
	                              "difrun %s", "difrun --json %s",
	                              "difasm --help", "difrun --help",
	                              "difcheck --help", "difdis --version" };
	for (size_t i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		char a[4096];
		snprintf(a, sizeof(a), args[i], p);
		snprintf(cmd, sizeof(cmd), "%s >/dev/full", a);
		int st = lim_run(cmd, out, sizeof(out));
		cr_assert_eq(st, 2, "%s: %d %s", a, st, out);
		cr_assert(strstr(out, "standard output"), "%s: %s", a, out);
	}
	unlink(p);
	free(p);
}

Test(cli, unreadable_input_exits_2_everywhere)
{
	char cmd[8192], out[4096];
	const char *b = getenv("DIFVM_BUILDDIR");
	for (size_t i = 0; i < NTOOLS; i++) {
		snprintf(cmd, sizeof(cmd), "%s --max-input=4096 /dev/zero", tools[i]);
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s: %s", tools[i], out);
		cr_assert(strstr(out, "larger than 4096 bytes") &&
		          strstr(out, "--max-input"), "%s: %s", tools[i], out);
		/* standard input has the same cap */
		snprintf(cmd, sizeof(cmd), "%s --max-input=4096 - < /dev/zero", tools[i]);
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s: %s", tools[i], out);
		cr_assert(strstr(out, "<stdin>: error: input is larger than 4096"),
		          "%s: %s", tools[i], out);
		snprintf(cmd, sizeof(cmd), "%s does-not-exist.s", tools[i]);
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s: %s", tools[i], out);
		snprintf(cmd, sizeof(cmd), "%s '%s'", tools[i], b ? b : "build");
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s dir: %s", tools[i], out);
		snprintf(cmd, sizeof(cmd), "%s --max-input=0 x.s", tools[i]);
		cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s: %s", tools[i], out);
		cr_assert(strstr(out, "bad --max-input"), "%s: %s", tools[i], out);
	}
}

Test(cli, control_bytes_escaped)
{
	char *dir = lim_path("esc"), cmd[8192], out[8192];
	char path[4200];
	snprintf(path, sizeof(path), "%s\033[2J.s", dir);
	const char *s = ".difo a\nsetx \033]0;x\007, %r1\nret %r1\n";
	lim_write(path, s, strlen(s));
	for (size_t i = 0; i < NTOOLS; i++) {
		snprintf(cmd, sizeof(cmd), "%s '%s'", tools[i], path);
		int st = lim_run(cmd, out, sizeof(out));
		cr_assert(st == 1 || st == 2, "%s: %d", tools[i], st);
		cr_assert(strstr(out, "\\x1b"), "%s: %s", tools[i], out);
		for (const char *c = out; *c; c++)
			cr_assert(*c == '\n' || (unsigned char)*c >= 0x20,
			          "%s: raw control byte 0x%02x in: %s", tools[i], *c, out);
	}
	/* difcheck's findings name the file too */
	s = ".difo a\nadd %r1, %r2, %r0\nret %r1\n";
	lim_write(path, s, strlen(s));
	snprintf(cmd, sizeof(cmd), "difcheck '%s'", path);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, "\\x1b[2J.s:a:0: error: r0-write"), "%s", out);
	for (const char *c = out; *c; c++)
		cr_assert(*c == '\n' || (unsigned char)*c >= 0x20, "raw byte in %s", out);
	unlink(path);
	free(dir);
}

/* DIFOs that each ask for a full 32,001-entry integer table from one
 * short line: the module limit stops the blow-up with a clear error. */
Test(cli, module_limit)
{
	char *p = lim_path("big.s"), cmd[8192], out[8192];
	size_t n = 300, cap = n * 80, len = 0;
	char *s = malloc(cap);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len,
		                        ".difo d%zu\nsetx DT_INTEGER[32000], %%r1 ! 0x5\n"
		                        "ret %%r1\n", i);
	lim_write(p, s, len);
	cr_assert_lt(len, 30000);
	for (size_t i = 0; i < NTOOLS; i++) {
		snprintf(cmd, sizeof(cmd), "%s %s >/dev/null", tools[i], p);
		int st = lim_run(cmd, out, sizeof(out));
		cr_assert_eq(st, tools[i][3] == 'a' || tools[i][3] == 'd' ? 1 : 2,
		             "%s: %d %s", tools[i], st, out);
		cr_assert(strstr(out, "module limit") && strstr(out, "--max-module"),
		          "%s: %s", tools[i], out);
	}
	snprintf(cmd, sizeof(cmd), "difcheck --max-module=0x10000000 %s >/dev/null", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 0, "%s", out);
	unlink(p);
	free(p);
	free(s);
}

/* DOF input obeys --max-module like listings and objects; difld takes
 * both limit options and its output inherits the module limit. */
Test(cli, module_limit_dof_and_difld)
{
	char *s = lim_path("two.s"), *d = lim_path("two.dof"), *o = lim_path("two.o");
	/* a: 2 instructions + 1 integer = 16 bytes; b: 4 bytes */
	const char *text = ".difo a\n\tsetx 0x1234567890, %r1\n\tret %r1\n"
	                   ".difo b\n\tret %r0\n";
	lim_write(s, text, strlen(text));
	lim_expect(0, NULL, "difasm --dof -o '%s' '%s'", d, s);
	static const char *users[] = { "difdis", "difcheck", "difld -o /dev/null" };
	for (size_t i = 0; i < 3; i++) {
		lim_expect(users[i][3] == 'c' ? 2 : 1,
		           "'b': the programs take more than 19 bytes (module "
		           "limit; raise max_module, --max-module)",
		           "%s --max-module=19 '%s' >/dev/null", users[i], d);
		lim_expect(0, NULL, "%s --max-module=20 '%s' >/dev/null", users[i], d);
	}
	/* difld: the listing and --max-input too */
	lim_expect(1, "module limit", "difld --max-module=19 -o '%s' '%s'", o, s);
	lim_expect(2, "--max-input", "difld --max-input=8 -o '%s' '%s'", o, s);
	lim_expect(2, "bad --max-module", "difld --max-module=0 -o '%s' '%s'", o, s);
	unlink(s);
	unlink(d);
	unlink(o);
	free(s);
	free(d);
	free(o);
}

/* Text outside programs is skipped, so binary junk or a file with no
 * program used to "assemble" to an empty module with exit status 0 in
 * every tool, difld included. Both are now an error naming the file. */
Test(cli, no_program_or_binary_input_refused)
{
	char *bin = lim_path("junk"), *txt = lim_path("prose"), cmd[8192],
	     out[4096];
	const char junk[] = "\364\305\237\0\205\203 garbage\n";
	lim_write(bin, junk, sizeof(junk) - 1);
	lim_write(txt, "garbage here\n", 13);
	static const char *all[] = { "difasm -o /dev/null", "difdis", "difcheck",
	                             "difrun", "difld -o /dev/null" };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s %s", all[i], bin);
		cr_assert_neq(lim_run(cmd, out, sizeof(out)), 0, "%s: %s", all[i], out);
		cr_assert(strstr(out, "not a listing: NUL byte at offset 3"),
		          "%s: %s", all[i], out);
		snprintf(cmd, sizeof(cmd), "%s %s", all[i], txt);
		cr_assert_neq(lim_run(cmd, out, sizeof(out)), 0, "%s: %s", all[i], out);
		cr_assert(strstr(out, "prose") && strstr(out, "no program found"),
		          "%s: %s", all[i], out);
	}
	unlink(bin);
	unlink(txt);
	free(bin);
	free(txt);
}

/* difld takes the same input limits as the other tools. */
Test(cli, difld_takes_the_input_limits)
{
	char *p = prog(), *o = lim_path("ld.o"), cmd[8192], out[4096];
	snprintf(cmd, sizeof(cmd), "difld --max-input=4 -o %s %s", o, p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "larger than 4 bytes") && strstr(out, "--max-input"),
	          "%s", out);
	snprintf(cmd, sizeof(cmd), "difld --max-module=8 -o %s %s", o, p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, "--max-module"), "%s", out);
	snprintf(cmd, sizeof(cmd), "difld --max-input=0 -o %s %s", o, p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "bad --max-input"), "%s", out);
	snprintf(cmd, sizeof(cmd), "difld --max-input=4096 -o %s %s", o, p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 0, "%s", out);
	unlink(o);
	unlink(p);
	free(o);
	free(p);
}

/* "-" twice: the second read would see an empty standard input. */
Test(cli, difld_reads_stdin_once)
{
	char *p = prog(), *o = lim_path("ld2.o"), cmd[8192], out[4096];
	snprintf(cmd, sizeof(cmd), "difld -o %s - %s - < %s", o, p, p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "standard input ('-') can be read only once"), "%s",
	          out);
	snprintf(cmd, sizeof(cmd), "difld -o %s - < %s", o, p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 0, "%s", out);
	unlink(o);
	unlink(p);
	free(o);
	free(p);
}

/* DOF with USDT providers only links to nothing: an error, not an empty
 * object with status 0. */
Test(cli, difld_refuses_to_link_nothing)
{
	char *o = lim_path("ld3.o"), cmd[8192], out[4096];
	const char *src = getenv("DIFVM_SRCDIR");
	char f[4096];
	snprintf(f, sizeof(f), "%s/../shared/fixtures/dof/"
	         "solaris_snv69_usdt_test.dof", src ? src : ".");
	if (access(f, R_OK) != 0)
		cr_skip_test("DOF fixture %s not found", f);
	snprintf(cmd, sizeof(cmd), "difld -o %s '%s'", o, f);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, "the inputs hold no DIF program"), "%s", out);
	cr_assert_neq(access(o, F_OK), 0, "nothing is written");
	free(o);
}
