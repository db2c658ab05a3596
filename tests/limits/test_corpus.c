/*
 * Corpora that cannot lie (docs/corpus.md, docs/limits.md): every SQLite
 * or CBOR error fails the command with exit 2 and a message naming the
 * case; missing tables are errors; a corrupt case fails alone and replay
 * goes on; case counts are capped; the conformance server streams its
 * CBOR and bounds its frames.
 */
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "lim.h"
#include "testgen/tg.h"

/* A small corpus (the partition tests and 40 random cases). */
static char *make_corpus(const char *tag)
{
	char *p = lim_path(tag), cmd[8192], out[8192];
	snprintf(cmd, sizeof(cmd),
	         "difgen generate -q --seed 5 --count 40 --variants 1 --tries 50 "
	         "--out %s >/dev/null", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 0, "%s", out);
	return p;
}

static void sql(const char *path, const char *q)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	char *msg = NULL;
	cr_assert_eq(sqlite3_exec(db, q, NULL, NULL, &msg), SQLITE_OK, "%s: %s",
	             q, msg ? msg : "");
	sqlite3_close(db);
}

static int has_table(const char *path, const char *t)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name=?",
	                                -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, t, -1, SQLITE_STATIC);
	int r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return r;
}

Test(corpus, missing_tables_are_errors)
{
	static const char *tables[] = { "cases", "partitions", "results",
	                                "case_partitions", "meta" };
	char cmd[8192], out[16384];
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *p = make_corpus("missing.db");
		char q[128];
		snprintf(q, sizeof(q), "DROP TABLE %s", tables[i]);
		sql(p, q);
		static const char *cmds[] = { "replay", "coverage" };
		for (int k = 0; k < 2; k++) {
			snprintf(cmd, sizeof(cmd), "difgen %s %s", cmds[k], p);
			cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s without %s: %s",
			             cmds[k], tables[i], out);
			cr_assert(strstr(out, tables[i]) || strstr(out, "not a difgen"),
			          "%s: %s", tables[i], out);
			cr_assert_null(strstr(out, "passed"), "%s", out);
		}
		cr_assert(!has_table(p, tables[i]), "%s was recreated", tables[i]);
		unlink(p);
		free(p);
	}
}

/* Merging a damaged corpus fails instead of merging what it can read. */
Test(corpus, merge_of_damaged_fails)
{
	char *p = make_corpus("msrc.db"), *q = lim_path("mdst.db"), cmd[16384];
	static char out[65536];
	sql(p, "DROP TABLE case_partitions");
	snprintf(cmd, sizeof(cmd), "difgen merge %s %s", q, p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "case_partitions"), "%s", out);
	unlink(p);
	unlink(q);
	free(p);
	free(q);
}

/* A case whose program blob is not CBOR: it fails, the others run. */
Test(corpus, corrupt_case_fails_alone)
{
	char *p = make_corpus("corrupt.db"), cmd[8192];
	static char out[1 << 20];
	sql(p, "UPDATE cases SET program = x'ff0102' WHERE name = 'R00000007';"
	       "UPDATE cases SET expected = 'text' WHERE name = 'R00000009'");
	snprintf(cmd, sizeof(cmd), "difgen replay %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "CORRUPT R00000007"), "%s", out);
	cr_assert(strstr(out, "CORRUPT R00000009"), "%s", out);
	cr_assert(strstr(out, "case R00000007 is corrupt"), "%s", out);
	const char *sum = strstr(out, " passed, ");
	cr_assert_not_null(sum, "%s", out);
	while (sum > out && sum[-1] >= '0' && sum[-1] <= '9')
		sum--;
	unsigned long passed = strtoul(sum, NULL, 10);
	cr_assert_gt(passed, 30, "replay stopped at the corrupt case: %s", sum);
	cr_assert(strstr(out, "2 failed (0 mismatches, 0 runtime errors, 2 corrupt"),
	          "%s", sum);
	unlink(p);
	free(p);
}

/* A replay whose report cannot be written (a full disk) fails. */
Test(corpus, stdout_write_error_fails)
{
	char *p = make_corpus("full.db"), cmd[8192], out[8192];
	snprintf(cmd, sizeof(cmd), "difgen replay %s >/dev/full", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "standard output"), "%s", out);
	snprintf(cmd, sizeof(cmd), "difgen coverage %s >/dev/full", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	unlink(p);
	free(p);
}

/* runs = 2^32-1 and other counts past their caps fail the case at once. */
Test(corpus, counts_capped)
{
	char *p = make_corpus("runs.db"), cmd[8192];
	static char out[1 << 20];
	struct tg_corpus *db;
	struct tg_err e;
	cr_assert_eq(tg_corpus_open(p, 0, &db, &e), 0, "%s", e.msg);
	struct dc_case c;
	struct dc_outcome *o = malloc(sizeof(*o));
	cr_assert_eq(tg_corpus_get_case(db, "R00000003", &c, o, &e), 0, "%s", e.msg);
	c.runs = UINT32_MAX;
	cr_assert_eq(tg_corpus_put_case(db, "R00000003", "random", 1, -1, &c, o,
	                                NULL), 0);
	c.runs = 1;
	c.scratch_size = UINT64_MAX;
	cr_assert_eq(tg_corpus_put_case(db, "R00000004", "random", 1, -1, &c, o,
	                                NULL), 0);
	tg_case_free(&c);
	tg_corpus_close(db);
	free(o);
	snprintf(cmd, sizeof(cmd), "difgen replay %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "CORRUPT R00000003: case: value out of range in 'runs'"),
	          "%s", out);
	cr_assert(strstr(out, "CORRUPT R00000004: case: value out of range in "
	                      "'scratch_size'"), "%s", out);
	unlink(p);
	free(p);
}

/* Damaged pages: the error ends the run with exit 2, never a count of the
 * rows that could be read. */
Test(corpus, damaged_pages_fail)
{
	char *p = make_corpus("damaged.db"), cmd[8192];
	static char out[1 << 20];
	FILE *f = fopen(p, "r+b");
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	long size = ftell(f);
	cr_assert_gt(size, 64 * 1024);
	/* the second half of the file: cases rows past the first ones */
	char junk[4096];
	memset(junk, 0x5a, sizeof(junk));
	for (long off = size / 2; off < size; off += 4096) {
		cr_assert_eq(fseek(f, off, SEEK_SET), 0);
		cr_assert_eq(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "difgen replay %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert(strstr(out, "malformed") || strstr(out, "corrupt") ||
	          strstr(out, "CORRUPT"), "%s", out);
	/* everything but the header page */
	f = fopen(p, "r+b");
	for (long off = 4096; off < size; off += 4096) {
		cr_assert_eq(fseek(f, off, SEEK_SET), 0);
		cr_assert_eq(fwrite(junk, 1, sizeof(junk), f), sizeof(junk));
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "difgen coverage %s", p);
	cr_assert_eq(lim_run(cmd, out, sizeof(out)), 2, "%s", out);
	cr_assert_null(strstr(out, "0 of 0"), "%s", out);
	unlink(p);
	free(p);
}

static int count_cb(void *ud, const char *name, const struct dc_case *c,
                    const struct dc_outcome *o)
{
	(void)name, (void)c, (void)o;
	(*(unsigned *)ud)++;
	return 0;
}

/* The iteration itself: damage met after some rows is an error naming
 * the last case read, not the end of the table. */
Test(corpus, each_stops_with_an_error)
{
	char *p = make_corpus("each.db");
	struct tg_corpus *db;
	struct tg_err e = { "" };
	cr_assert_eq(tg_corpus_open(p, 0, &db, &e), 0, "%s", e.msg);
	FILE *f = fopen(p, "r+b");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	char junk[4096];
	memset(junk, 0x5a, sizeof(junk));
	for (long off = size / 2; off < size; off += 4096) {
		fseek(f, off, SEEK_SET);
		fwrite(junk, 1, sizeof(junk), f);
	}
	fclose(f);
	unsigned n = 0;
	int r = tg_corpus_each(db, NULL, NULL, 0, 1, count_cb, &n, &e);
	cr_assert_eq(r, -1, "damage not reported after %u cases", n);
	cr_assert(strstr(e.msg, "reading the case after"), "%s", e.msg);
	tg_corpus_close(db);
	unlink(p);
	free(p);
}

/* ---- difrun --conformance ------------------------------------------------ */

static void frame(FILE *f, const uint8_t *b, size_t n)
{
	uint8_t h[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8),
	                 (uint8_t)n };
	cr_assert_eq(fwrite(h, 1, 4, f), 4);
	cr_assert_eq(fwrite(b, 1, n, f), n);
}

/* A valid case frame with an unknown key first whose value is an array of
 * `junk` small integers (ignored by the decoder). */
static uint8_t *junk_case(size_t junk, uint32_t runs, size_t *len)
{
	struct dc_case c;
	tg_case_init(&c);
	static const uint32_t text[] = { 0x23000000u }; /* ret %r0 */
	c.text = malloc(sizeof(text));
	memcpy(c.text, text, sizeof(text));
	c.textlen = 1;
	c.runs = runs;
	uint8_t *cb;
	size_t cl;
	cr_assert_eq(tg_cbor_case_encode(&c, &cb, &cl), 0);
	tg_case_free(&c);
	/* cb starts with a map header 0xaf (15 pairs): make it 16 pairs */
	cr_assert_eq(cb[0], 0xaf);
	uint8_t *b = malloc(cl + junk + 16);
	size_t n = 0;
	b[n++] = 0xb0;
	b[n++] = 0x64;
	memcpy(b + n, "junk", 4);
	n += 4;
	b[n++] = 0x9a; /* array, 4-byte count */
	b[n++] = (uint8_t)(junk >> 24);
	b[n++] = (uint8_t)(junk >> 16);
	b[n++] = (uint8_t)(junk >> 8);
	b[n++] = (uint8_t)junk;
	memset(b + n, 0x01, junk);
	n += junk;
	memcpy(b + n, cb + 1, cl - 1);
	n += cl - 1;
	free(cb);
	*len = n;
	return b;
}

/* Runs difrun --conformance on the frames in `in`; returns its peak RSS
 * in KiB and the replies in out. */
static long serve(const char *in, const char *extra, char *out, size_t cap,
                  int *status)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	char *res = lim_path("replies");
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		if (!freopen(in, "rb", stdin) || !freopen(res, "wb", stdout))
			_exit(99);
		char exe[4096];
		snprintf(exe, sizeof(exe), "%s/tools/difrun", b ? b : "build");
		execl(exe, "difrun", "--conformance", extra, (char *)NULL);
		_exit(98);
	}
	int st;
	struct rusage ru;
	cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	size_t n = 0;
	char *r = test_slurp_bytes(res, &n);
	memcpy(out, r, n < cap ? n : cap);
	free(r);
	unlink(res);
	free(res);
	return ru.ru_maxrss;
}

Test(conformance, streaming_skips_unknown_keys)
{
	char *in = lim_path("frames");
	size_t len;
	uint8_t *b = junk_case(24u << 20, 1, &len); /* 24 MiB of ignored items */
	FILE *f = fopen(in, "wb");
	frame(f, b, len);
	fclose(f);
	free(b);
	static char out[65536];
	int st;
	long kb = serve(in, "--max-frame=67108864", out, sizeof(out), &st);
	cr_assert_eq(st, 0);
	/* hello, then an outcome (not an error) */
	cr_assert_not_null(memmem(out, sizeof(out), "rval", 4));
	cr_assert_null(memmem(out, sizeof(out), "error", 5));
	/* a tree of 24M items would take gigabytes; the frame itself 24 MiB */
	cr_assert_lt(kb, 200 * 1024, "peak RSS %ld KiB", kb);
	unlink(in);
	free(in);
}

Test(conformance, frame_limit_and_runs_cap)
{
	char *in = lim_path("frames");
	size_t len;
	uint8_t *b = junk_case(4096, UINT32_MAX, &len);
	FILE *f = fopen(in, "wb");
	frame(f, b, len);
	fclose(f);
	static char out[65536];
	int st;
	serve(in, "--max-frame=1000000", out, sizeof(out), &st);
	cr_assert_eq(st, 0);
	cr_assert_not_null(memmem(out, sizeof(out), "value out of range in 'runs'", 28));
	/* the same frame over a 1000-byte limit ends the session */
	serve(in, "--max-frame=1000", out, sizeof(out), &st);
	cr_assert_eq(st, 1);
	serve(in, "--max-frame=0", out, sizeof(out), &st);
	cr_assert_eq(st, 2);
	free(b);
	unlink(in);
	free(in);
}
