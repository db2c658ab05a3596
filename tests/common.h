/* Helpers shared by the Criterion suites. */
#ifndef DIFVM_TESTS_COMMON_H
#define DIFVM_TESTS_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of a file below the source tree (tests run with workdir = source root). */
static inline const char *test_src(const char *rel)
{
	static char buf[4096];
	const char *root = getenv("DIFVM_SRCDIR");
	snprintf(buf, sizeof(buf), "%s/%s", root ? root : ".", rel);
	return buf;
}

/* Reads a whole file; NULL if missing. *len gets its size. */
static inline char *test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	size_t r;
	while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(b, cap * 2 + 1);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (b)
		b[n] = '\0';
	if (len)
		*len = n;
	return b;
}

/* Runs a shell command; its standard output goes to out (NUL-terminated,
 * at most cap - 1 bytes). Returns the exit status, -1 if it did not exit. */
static inline int test_sh(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	if (!p)
		return -1;
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return st != -1 && (st & 0x7f) == 0 ? (st >> 8) & 0xff : -1;
}

#endif
