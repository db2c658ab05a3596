/*
 * Data-driven validator cases: every tests/validate/cases/ *.dift file is a
 * program (assembler syntax or `dtrace -S` listing) and its expected
 * validator result. Format (docs/validator.md section 5):
 *
 *   @profile illumos         optional, default freebsd
 *   @nregs 4                 optional, default 8
 *   ...program...
 *   @expect
 *   accept                   or lines  DIFO:WHERE: RULE: MESSAGE
 *
 * Directive lines are blanked before assembly so line numbers still match.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "vcase.h"

#define CASEDIR "tests/validate/cases"

struct dift {
	char name[256];
	char *program;      /* directives blanked */
	char *expect;       /* normalised: one line each, "\n"-terminated */
	int accept;         /* "accept" was expected */
	enum dif_profile profile;
	uint32_t nregs;
};

static void dift_free(struct dift *t)
{
	free(t->program);
	free(t->expect);
}

/* Appends line (without its newline) plus "\n" to *buf. */
static void append_line(char **buf, size_t *len, const char *s, size_t n)
{
	*buf = realloc(*buf, *len + n + 2);
	cr_assert_not_null(*buf);
	memcpy(*buf + *len, s, n);
	(*buf)[*len + n] = '\n';
	*len += n + 1;
	(*buf)[*len] = '\0';
}

static int parse_dift(const char *name, struct dift *t)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "%s/%s", CASEDIR, name);
	size_t len;
	char *text = test_slurp(test_src(rel), &len);
	if (!text)
		return -1;
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->profile = DIF_PROFILE_FREEBSD;
	size_t plen = 0, elen = 0;
	t->program = calloc(1, 1);
	t->expect = calloc(1, 1);
	int in_expect = 0;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		char *next = nl ? nl + 1 : line + n;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		if (in_expect) {
			if (n && line[0] != '#') {
				if (n == 6 && strncmp(line, "accept", 6) == 0)
					t->accept = 1;
				else
					append_line(&t->expect, &elen, line, n);
			}
		} else if (line[0] == '@') {
			char dir[32] = "", arg[64] = "";
			char tmp[128];
			snprintf(tmp, sizeof(tmp), "%.*s", (int)(n < 127 ? n : 127), line);
			sscanf(tmp, "@%31s %63s", dir, arg);
			if (strcmp(dir, "expect") == 0) {
				in_expect = 1;
			} else if (strcmp(dir, "profile") == 0) {
				cr_assert_eq(dif_profile_parse(arg, &t->profile), 0,
				             "%s: bad @profile '%s'", name, arg);
			} else if (strcmp(dir, "nregs") == 0) {
				t->nregs = (uint32_t)strtoul(arg, NULL, 0);
			} else {
				cr_assert_fail("%s: unknown directive '%s'", name, tmp);
			}
			append_line(&t->program, &plen, "", 0);
		} else {
			append_line(&t->program, &plen, line, n);
		}
		line = next;
	}
	free(text);
	cr_assert(in_expect, "%s: no @expect section", name);
	cr_assert(t->accept != (t->expect[0] != '\0'),
	          "%s: expect either 'accept' or error lines", name);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the case files; NULL-terminated. */
static char **case_files(size_t *count)
{
	DIR *dir = opendir(test_src(CASEDIR));
	cr_assert_not_null(dir, "cannot open %s", CASEDIR);
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".dift") != 0)
			continue;
		v = realloc(v, (n + 2) * sizeof(*v));
		v[n++] = strdup(de->d_name);
	}
	closedir(dir);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	if (v)
		v[n] = NULL;
	*count = n;
	return v;
}

static void free_files(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Assembles and validates; the errors rendered as DIFO:WHERE: RULE: MSG. */
static int run_dift(const struct dift *t, char *out, size_t outlen)
{
	DIF_OPTS(dif_asm_opts, ao, .profile = t->profile, .filename = t->name);
	struct dif_module *mod = NULL;
	static struct dif_errors e;
	dif_errors_clear(&e);
	int rc = dif_asm(t->program, strlen(t->program), &ao, &mod, &e);
	if (rc) {
		snprintf(out, outlen, "assembly failed: %s (line %u col %u)\n",
		         e.count ? e.list[0].msg : dif_err_text(rc),
		         e.count ? e.list[0].line : 0, e.count ? e.list[0].col : 0);
		dif_module_free(mod);
		return -1;
	}
	DIF_OPTS(dif_validate_opts, vo, .profile = t->profile, .nregs = t->nregs);
	dif_errors_clear(&e);
	rc = dif_validate_module(mod, &vo, &e);
	size_t k = 0;
	out[0] = '\0';
	for (uint32_t i = 0; i < e.count && k < outlen; i++) {
		char one[512];
		struct dif_errors single = { .count = 1, .list = { e.list[i] } };
		vcase_render(&single, one, sizeof(one));
		int w = snprintf(out + k, outlen - k, "%s:%s", e.list[i].object, one);
		if (w > 0)
			k += (size_t)w;
	}
	dif_module_free(mod);
	return rc;
}

Test(dift, every_case_file)
{
	size_t n;
	char **files = case_files(&n);
	cr_assert_gt(n, 0, "no case files in %s", CASEDIR);
	unsigned failed = 0;
	for (size_t i = 0; i < n; i++) {
		struct dift t;
		cr_assert_eq(parse_dift(files[i], &t), 0, "%s unreadable", files[i]);
		static char out[65536];
		int rc = run_dift(&t, out, sizeof(out));
		int ok = strcmp(out, t.expect) == 0 &&
		         rc == (t.accept ? 0 : DIF_E_VALIDATE);
		if (!ok) {
			failed++;
			cr_log_error("%s: (rc %d)\n got:\n%s want:\n%s", t.name, rc, out,
			             t.accept ? "accept\n" : t.expect);
		}
		dift_free(&t);
	}
	free_files(files);
	cr_expect_eq(failed, 0, "%u of %zu case files failed", failed, n);
}

/* Every validator rule has at least one file that rejects with it. Only
 * array-id is missing: an 8-bit field cannot exceed 0xff. */
Test(dift, every_validator_code_has_a_rejecting_file)
{
	size_t n;
	char **files = case_files(&n);
	int seen[DIF_NERR] = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct dift t;
		cr_assert_eq(parse_dift(files[i], &t), 0);
		for (int code = DIF_E_OPCODE; code < DIF_E_VALIDATE; code++) {
			char needle[64];
			snprintf(needle, sizeof(needle), ": %s: ", dif_err_name(code));
			if (strstr(t.expect, needle))
				seen[code] = 1;
		}
		dift_free(&t);
	}
	free_files(files);
	for (int code = DIF_E_OPCODE; code < DIF_E_VALIDATE; code++) {
		if (code == DIF_E_ARRAY_ID)
			continue;
		cr_expect(seen[code], "no rejecting case file for %s", dif_err_name(code));
	}
}
