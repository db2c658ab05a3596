/* difasm, difdis and difcheck end to end, as a user runs them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../common.h"

/* Runs "tools/TOOL ARGS" (cwd: the source tree); returns the exit status,
 * standard output (and error if merge) in out. */
static int tool(const char *cmdline, int merge, char *out, size_t cap)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "%s/tools/%s%s", b ? b : "build", cmdline,
	         merge ? " 2>&1" : " 2>/dev/null");
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define C1 "tests/dis/data/c1_global_store_illumos.lst"
#define C2 "tests/dis/data/c2_global_store_freebsd.lst"
#define C3 "tests/dis/data/c3_tls_assoc_illumos.lst"

static char *golden(const char *rel)
{
	char *t = test_slurp(test_src(rel), NULL);
	cr_assert_not_null(t, "%s", rel);
	return t;
}

/* Without -p or --ids, the tools print the variable-table ids as the
 * listing had them: hex (illumos) listings round-trip under the default
 * FreeBSD profile too, also through an object file. */
Test(tools, listings_round_trip_with_default_options)
{
	static const char *const files[] = { C1, C2, C3 };
	static char out[65536];
	char cmd[1024];
	for (size_t i = 0; i < 3; i++) {
		char *want = golden(files[i]);
		snprintf(cmd, sizeof(cmd), "difdis %s", files[i]);
		cr_assert_eq(tool(cmd, 0, out, sizeof(out)), 0, "%s", cmd);
		cr_assert_str_eq(out, want, "%s", cmd);
		snprintf(cmd, sizeof(cmd), "difasm %s", files[i]);
		cr_assert_eq(tool(cmd, 0, out, sizeof(out)), 0, "%s", cmd);
		cr_assert_str_eq(out, want, "%s", cmd);
		char obj[] = "/tmp/difvm-tools-XXXXXX";
		int fd = mkstemp(obj);
		cr_assert_geq(fd, 0);
		snprintf(cmd, sizeof(cmd), "difasm -o %s %s && %s/tools/difdis %s",
		         obj, files[i],
		         getenv("DIFVM_BUILDDIR") ? getenv("DIFVM_BUILDDIR") : "build",
		         obj);
		cr_assert_eq(tool(cmd, 0, out, sizeof(out)), 0, "%s", cmd);
		cr_assert_str_eq(out, want, "%s", cmd);
		remove(obj);
		free(want);
	}
}

/* An explicit profile or --ids still picks the style. */
Test(tools, explicit_id_style)
{
	static char out[65536];
	char *c1 = golden(C1), *c2 = golden(C2);
	cr_assert_eq(tool("difdis -p freebsd " C1, 0, out, sizeof(out)), 0);
	cr_assert_str_eq(out, c2);
	cr_assert_eq(tool("difdis -p illumos " C2, 0, out, sizeof(out)), 0);
	cr_assert_str_eq(out, c1);
	cr_assert_eq(tool("difdis --ids dec " C1, 0, out, sizeof(out)), 0);
	cr_assert_str_eq(out, c2);
	cr_assert_eq(tool("difasm --ids hex " C2, 0, out, sizeof(out)), 0);
	cr_assert_str_eq(out, c1);
	free(c1), free(c2);
}

/* An object records its profile; without -p every tool uses it (opcode 80
 * is stga on illumos, an illegal opcode on FreeBSD). */
Test(tools, objects_use_their_recorded_profile)
{
	static char out[65536];
	char src[] = "/tmp/difvm-tools-src-XXXXXX";
	char obj[] = "/tmp/difvm-tools-obj-XXXXXX";
	int fs = mkstemp(src), fo = mkstemp(obj);
	cr_assert(fs >= 0 && fo >= 0);
	FILE *f = fdopen(fs, "w");
	cr_assert_not_null(f);
	fputs("\tsetx 5, %r2\n\tstga uregs, %r1, %r2\n\tret %r2\n", f);
	fclose(f);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "difasm -p illumos -o %s %s", obj, src);
	cr_assert_eq(tool(cmd, 1, out, sizeof(out)), 0, "%s", out);

	snprintf(cmd, sizeof(cmd), "difdis %s", obj);
	cr_assert_eq(tool(cmd, 0, out, sizeof(out)), 0);
	cr_assert(strstr(out, "01: 50020102    stga DT_VAR(513), %r1, %r2\n"), "%s", out);
	snprintf(cmd, sizeof(cmd), "difcheck -q -A validate %s", obj);
	cr_assert_eq(tool(cmd, 1, out, sizeof(out)), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "difcheck -A validate --json %s", obj);
	cr_assert_eq(tool(cmd, 0, out, sizeof(out)), 0, "%s", out);
	cr_assert(strstr(out, "\"profile\": \"illumos\",\n      \"loaded\": true"), "%s", out);
	snprintf(cmd, sizeof(cmd), "difrun --json %s", obj);
	cr_assert_eq(tool(cmd, 0, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, "\"pc\": 1"), "%s", out); /* ran up to the stga */

	/* -p still wins */
	snprintf(cmd, sizeof(cmd), "difdis -p freebsd %s", obj);
	cr_assert_eq(tool(cmd, 0, out, sizeof(out)), 0);
	cr_assert(strstr(out, "01: 50020102    (illegal opcode)\n"), "%s", out);
	snprintf(cmd, sizeof(cmd), "difcheck -q -p freebsd %s", obj);
	cr_assert_eq(tool(cmd, 1, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, ":difo0:1: error: invalid-opcode: "), "%s", out);
	snprintf(cmd, sizeof(cmd), "difrun -p freebsd %s", obj);
	cr_assert_eq(tool(cmd, 1, out, sizeof(out)), 2, "%s", out);
	remove(src), remove(obj);
}
