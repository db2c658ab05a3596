/*
 * difcheck's verifier output, byte for byte: text, --json (difcheck/2)
 * and --sarif (SARIF 2.1.0) for tests/typecheck/data/golden.s. The tool
 * runs from the source root so the file name in the output is stable.
 * After a deliberate change, regenerate with
 *   build/tools/difcheck [--json|--sarif] tests/typecheck/data/golden.s
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common.h"

static char *run(const char *args, int *status)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	const char *s = getenv("DIFVM_SRCDIR");
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s/tools/difcheck' %s",
	         s ? s : ".", b ? b : "build", args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	size_t r;
	while ((r = fread(out + n, 1, cap - n - 1, p)) > 0) {
		n += r;
		if (n + 1 == cap) {
			cap *= 2;
			out = realloc(out, cap);
			cr_assert_not_null(out);
		}
	}
	out[n] = '\0';
	int st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

static void golden(const char *args, const char *file, int want_status)
{
	int st;
	char *out = run(args, &st);
	char *want = test_slurp(test_src(file), NULL);
	cr_assert_not_null(want, "missing %s", file);
	cr_assert_eq(st, want_status, "exit status %d", st);
	cr_assert_str_eq(out, want, "output differs from %s", file);
	free(out);
	free(want);
}

Test(golden, text)
{
	golden("tests/typecheck/data/golden.s", "tests/typecheck/data/golden.txt", 1);
}

Test(golden, json)
{
	golden("--json tests/typecheck/data/golden.s",
	       "tests/typecheck/data/golden.json", 1);
}

Test(golden, sarif)
{
	golden("--sarif tests/typecheck/data/golden.s",
	       "tests/typecheck/data/golden.sarif", 1);
}

Test(golden, exit_status_and_werror)
{
	int st;
	/* warnings only: 0, or 1 with --werror */
	free(run("-q tests/typecheck/data/warn.s", &st));
	cr_assert_eq(st, 0);
	free(run("-q --werror tests/typecheck/data/warn.s", &st));
	cr_assert_eq(st, 1);
	/* --analysis=validate is the kernel's check alone */
	free(run("-q --analysis=validate tests/typecheck/data/golden.s", &st));
	cr_assert_eq(st, 0);
	/* a tiny scratch turns an allocation into an error */
	char *out = run("-q --scratch 8 tests/typecheck/data/warn.s", &st);
	cr_assert_eq(st, 1);
	cr_assert(strstr(out, "error: scratch-exhausted"), "%s", out);
	free(out);
	free(run("--scratch 0 tests/typecheck/data/warn.s 2>/dev/null", &st));
	cr_assert_eq(st, 2);
	free(run("--types -A validate tests/typecheck/data/warn.s 2>/dev/null", &st));
	cr_assert_eq(st, 2);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Unreachable blocks are reported once: by the cfg pass when it runs,
 * else by typecheck itself. */
Test(golden, unreachable_once)
{
	static const char *const runs[] = {
		"-q tests/typecheck/data/golden.s",
		"-q -A typecheck tests/typecheck/data/golden.s",
		"-q -A validate,cfg tests/typecheck/data/golden.s",
	};
	static const char *const by[] = {
		"\"analysis\": \"cfg\", \"rule\": \"unreachable\"",
		"\"analysis\": \"typecheck\", \"rule\": \"unreachable\"",
		"\"analysis\": \"cfg\", \"rule\": \"unreachable\"",
	};
	for (int i = 0; i < 3; i++) {
		int st;
		char *out = run(runs[i], &st);
		cr_assert_eq(count(out, "note: unreachable:"), 1, "%s: %s", runs[i], out);
		free(out);
		char args[256];
		snprintf(args, sizeof(args), "--json %s", runs[i] + 3);
		out = run(args, &st);
		cr_assert(strstr(out, by[i]), "%s", out);
		free(out);
	}
}

Test(golden, variable_types)
{
	int st;
	char *out = run("--types -q examples/tracer.s", &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "examples/tracer.s: thread scalar ts (0x500): declared "
	                      "D type size 8; stored integer\n"), "%s", out);
	cr_assert(strstr(out, "examples/tracer.s: global array lat (0x501): declared "
	                      "D type size 8; stored integer; key (string)\n"),
	          "%s", out);
	free(out);
}

Test(golden, types)
{
	int st;
	char *out = run("--types -q tests/typecheck/data/warn.s", &st);
	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "tests/typecheck/data/warn.s:warn:1: ldub [%r1], %r2  "
	                      "=> %r2: uint8 in [0, 255]\n"), "%s", out);
	cr_assert(strstr(out, "warn:3: allocs %r3, %r4  => %r4: pointer (scratch)\n"),
	          "%s", out);
	free(out);
}

/* The bundled examples and the format-example listings check clean. */
Test(golden, examples_have_no_errors)
{
	static const char *const files[] = {
		"examples/tracer.s", "examples/who.S",
		"tests/dis/data/c1_global_store_illumos.lst",
		"tests/dis/data/c2_global_store_freebsd.lst",
		"tests/dis/data/c3_tls_assoc_illumos.lst",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char args[256];
		int st;
		snprintf(args, sizeof(args), "-q %s%s",
		         strstr(files[i], "illumos") ? "-p illumos " : "", files[i]);
		char *out = run(args, &st);
		cr_assert_eq(st, 0, "%s: %s", files[i], out);
		cr_assert_null(strstr(out, "error:"), "%s: %s", files[i], out);
		free(out);
	}
}
