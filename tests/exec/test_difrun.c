/* difrun end to end: output forms, JSON, exit status, options. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "../common.h"

/* Runs difrun with args; returns its exit status, output in out. */
static int difrun(const char *args, char *out, size_t cap)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "%s/tools/difrun %s 2>&1", b ? b : "build",
	         args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define PROG "tests/exec/programs/divzero.s"

Test(difrun, returns_a_value)
{
	char out[4096];
	cr_assert_eq(difrun("--arg 0=7 " PROG, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "14 (0xe)\n");
}

Test(difrun, json_value)
{
	char out[4096];
	cr_assert_eq(difrun("--json -a 0=0x32 " PROG, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "{\"rval\": \"2\", \"fault\": null}\n");
}

Test(difrun, fault_text_and_json)
{
	char out[4096];
	cr_assert_eq(difrun(PROG, out, sizeof(out)), 1);
	cr_assert(strstr(out, "fault: DIVZERO (divide-by-zero) at pc 2") != NULL, "%s", out);
	cr_assert_eq(difrun("--json " PROG, out, sizeof(out)), 1);
	cr_assert_str_eq(out, "{\"rval\": \"0\", \"fault\": {\"name\": \"DIVZERO\", "
	                      "\"code\": 4, \"pc\": 2, \"addr\": \"0x0\"}}\n");
}

Test(difrun, string_result)
{
	char out[4096];
	cr_assert_eq(difrun("-d name --var 'execname=a\"b' " PROG, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "a\"b\n");
	cr_assert_eq(difrun("-j -d name -v execname=ksh " PROG, out, sizeof(out)), 0);
	cr_assert(strstr(out, "\"string\": \"ksh\"") != NULL, "%s", out);
	/* The value is the string's address in the env-strings window. */
	const char *r = strstr(out, "\"rval\": \"");
	cr_assert_not_null(r);
	cr_assert_eq(strtoull(r + 9, NULL, 10) >> 48, 0xd1f4, "%s", out);
}

Test(difrun, memory_and_privileges)
{
	char out[4096];
	cr_assert_eq(difrun("-d peek --mem 0x1000=0102030405060708 " PROG, out,
	                    sizeof(out)), 0);
	cr_assert_str_eq(out, "578437695752307201 (0x807060504030201)\n");
	cr_assert_eq(difrun("-j -d peek --deny kernel --mem 0x1000=0102030405060708 "
	                    PROG, out, sizeof(out)), 1);
	cr_assert(strstr(out, "\"name\": \"KPRIV\"") != NULL, "%s", out);
	cr_assert(strstr(out, "\"addr\": \"0x1000\"") != NULL, "%s", out);
	cr_assert_eq(difrun("-j -d peek --deny kernel --loadable-mem 0x1000=0102030405060708 "
	                    PROG, out, sizeof(out)), 0);
	cr_assert_eq(difrun("-j -d peek --toxic 0x1000=8 " PROG, out, sizeof(out)), 1);
	cr_assert(strstr(out, "BADADDR") != NULL, "%s", out);
}

Test(difrun, runs_share_variables)
{
	char out[4096];
	cr_assert_eq(difrun("-d count --runs 5 " PROG, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "5 (0x5)\n");
}

Test(difrun, usage_errors)
{
	char out[4096];
	cr_assert_eq(difrun("", out, sizeof(out)), 2);
	cr_assert_eq(difrun("--profile solaris " PROG, out, sizeof(out)), 2);
	cr_assert_eq(difrun("--arg x=1 " PROG, out, sizeof(out)), 2);
	cr_assert_eq(difrun("--var nosuch=1 " PROG, out, sizeof(out)), 2);
	cr_assert_eq(difrun("--mem 0x10=zz " PROG, out, sizeof(out)), 2);
	cr_assert_eq(difrun("-d missing " PROG, out, sizeof(out)), 2);
	cr_assert_eq(difrun("tests/exec/programs/no-such-file.s", out, sizeof(out)), 2);
	cr_assert_eq(difrun("--help", out, sizeof(out)), 0);
	cr_assert(strstr(out, "Usage: difrun") != NULL);
}
