/* libFuzzer harness for the corpus reader: the input is an SQLite file.
 * Opening it, iterating its cases and reading one by name must either work
 * or fail with a message; never crash, never recreate a table. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testgen/tg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *ud, const char *name, const struct dc_case *c,
                const struct dc_outcome *o)
{
	unsigned *n = ud;
	if (!name || (!c) != (!o))
		abort();
	return ++*n > 64; /* bounded work per input */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/dev/shm/difvm-corpus-fuzz-%d.db",
	         (int)getpid());
	FILE *f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	struct tg_corpus *db = NULL;
	struct tg_err e = { "" };
	if (tg_corpus_open(path, 0, &db, &e) == 0) {
		unsigned n = 0;
		if (tg_corpus_each(db, NULL, NULL, 0, 1, each, &n, &e) && !e.msg[0])
			abort();
		struct dc_case c;
		struct dc_outcome *o = malloc(sizeof(*o));
		if (o && tg_corpus_get_case(db, "R00000000", &c, o, &e) == 0)
			tg_case_free(&c);
		free(o);
		tg_corpus_close(db);
	} else if (!e.msg[0]) {
		abort();
	}
	unlink(path);
	return 0;
}
