/* Helpers of the limits suites: run a tool, scratch files. */
#ifndef DIFVM_TESTS_LIM_H
#define DIFVM_TESTS_LIM_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs "BUILDDIR/tools/CMD" through the shell with stderr merged into
 * the output; returns the exit status (-1 if killed). */
static inline int lim_run(const char *cmd, char *out, size_t cap)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	size_t len = strlen(cmd) + 4096;
	char *full = malloc(len);
	cr_assert_not_null(full);
	snprintf(full, len, "cd '%s/tools' && { ./%s ; } 2>&1", b ? b : "build", cmd);
	FILE *p = popen(full, "r");
	cr_assert_not_null(p);
	size_t n = 0, r;
	char sink[4096];
	while ((r = fread(n + 1 < cap ? out + n : sink, 1,
	                  n + 1 < cap ? cap - 1 - n : sizeof(sink), p)) > 0)
		if (n + 1 < cap)
			n += r;
	out[n] = 0;
	int st = pclose(p);
	free(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A fresh file path in the build tree (removed by the caller). */
static inline char *lim_path(const char *tag)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	char *p = malloc(4096);
	cr_assert_not_null(p);
	snprintf(p, 4096, "%s/tests/limits/%s-%d-%ld", b ? b : "build", tag,
	         (int)getpid(), random());
	return p;
}

/* A whole file (binary); NULL if missing. */
static inline char *test_slurp_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	if (b)
		b[n] = 0;
	*len = (size_t)n;
	return b;
}

/* Runs the command made from fmt and checks its exit status and that its
 * output contains needle (NULL: anything). */
static inline void lim_expect(int status, const char *needle,
                              const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void lim_expect(int status, const char *needle,
                              const char *fmt, ...)
{
	char cmd[16384];
	static char out[16384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = lim_run(cmd, out, sizeof(out));
	cr_assert_eq(st, status, "%s: exit %d: %s", cmd, st, out);
	cr_assert(!needle || strstr(out, needle), "%s: no '%s' in: %s", cmd,
	          needle, out);
}

static inline void lim_write(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fwrite(s, 1, n, f), n);
	cr_assert_eq(fclose(f), 0);
}

#endif
