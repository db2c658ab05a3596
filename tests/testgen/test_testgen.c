/*
 * testgen: determinism, CBOR round trip, corpus schema, shard + merge,
 * shrinking, and a wrong runtime caught through the protocol.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common.h"
#include "badrt.h"
#include "difvm/isa.h"
#include "testgen/tg.h"

static const char *bdir(void)
{
	const char *b = getenv("DIFVM_BUILDDIR");
	return b ? b : "build";
}

static char tmpdir[256];

static const char *tmp(const char *name)
{
	static char buf[8][512];
	static int k;
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "%s/tests/testgen/tmp-%d", bdir(),
		         (int)getpid());
		mkdir(tmpdir, 0777);
	}
	char *b = buf[k++ % 8];
	snprintf(b, 512, "%s/%s", tmpdir, name);
	return b;
}

/* Runs a shell command; returns its exit status, output in out. */
static int sh(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	cr_assert(p, "popen %s", cmd);
	size_t cap = 1 << 16, n = 0, r;
	char *b = malloc(cap + 1);
	while ((r = fread(b + n, 1, cap - n, p)) > 0) {
		n += r;
		if (n == cap)
			b = realloc(b, (cap *= 2) + 1);
	}
	b[n] = 0;
	int st = pclose(p);
	if (out)
		*out = b;
	else
		free(b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *difgen(const char *args, int *status)
{
	char cmd[2048];
	char *out;
	snprintf(cmd, sizeof(cmd), "%s/tools/difgen %s 2>&1", bdir(), args);
	*status = sh(cmd, &out);
	return out;
}

/* ---- determinism ------------------------------------------------------- */

Test(testgen, random_programs_deterministic_and_valid)
{
	unsigned valid = 0;
	for (uint64_t s = 0; s < 300; s++) {
		struct dc_case a, b;
		tg_gen_random(tg_mix(42, s), -1, &a);
		tg_gen_random(tg_mix(42, s), -1, &b);
		cr_assert(tg_case_equal(&a, &b), "seed %llu differs",
		          (unsigned long long)s);
		uint8_t *x, *y;
		size_t xl, yl;
		cr_assert_eq(tg_cbor_case_encode(&a, &x, &xl), 0);
		cr_assert_eq(tg_cbor_case_encode(&b, &y, &yl), 0);
		cr_assert(xl == yl && memcmp(x, y, xl) == 0);
		free(x);
		free(y);
		valid += tg_case_valid(&a);
		cr_assert(a.textlen >= 1 && a.textlen <= TG_MAX_TEXT);
		tg_case_free(&a);
		tg_case_free(&b);
	}
	/* every generated program passes the structural validator */
	cr_assert_eq(valid, 300);
}

Test(testgen, different_seeds_differ)
{
	struct dc_case a, b;
	unsigned same = 0;
	for (uint64_t s = 0; s < 50; s++) {
		tg_gen_random(s, -1, &a);
		tg_gen_random(s + 1000, -1, &b);
		same += tg_case_equal(&a, &b);
		tg_case_free(&a);
		tg_case_free(&b);
	}
	cr_assert_lt(same, 5);
}

Test(testgen, partition_generation_deterministic)
{
	size_t np = tg_nparts();
	cr_assert_gt(np, 0);
	for (size_t p = 0; p < np; p += np / 17 + 1) {
		struct dc_case a, b;
		unsigned ta, tb;
		int ra = tg_gen_partition(9, p, 0, 300, &a, &ta);
		int rb = tg_gen_partition(9, p, 0, 300, &b, &tb);
		cr_assert_eq(ra, rb);
		cr_assert_eq(ta, tb);
		if (ra == 0) {
			cr_assert(tg_case_equal(&a, &b));
			/* and the model confirms the case fires */
			uint32_t *hits = calloc(np, sizeof(uint32_t));
			struct dc_outcome *o = malloc(sizeof(*o));
			cr_assert_eq(tg_model_run(&a, o, hits), 0);
			cr_assert_gt(hits[p], 0);
			free(hits);
			free(o);
			tg_case_free(&a);
			tg_case_free(&b);
		}
	}
}

/* The directed model cases (tilts[] in gen.c) all exist, and each is
 * found within 3000 attempts (at most ~110 on average for seeds 5, 6, 11;
 * undirected, some needed thousands), for a fixed and a fresh seed. */
Test(testgen, directed_partitions_found_fast)
{
	const char *insn = NULL, *name = NULL;
	cr_assert(!tg_gen_tilt_stale(&insn, &name),
	          "tilts[] names %s/%s, which is no model case", insn, name);
	uint64_t seeds[2] = { 6, (uint64_t)time(NULL) };
	printf("directed_partitions_found_fast: fresh seed %llu\n",
	       (unsigned long long)seeds[1]);
	size_t n = 0;
	for (size_t p = 0; p < tg_nparts(); p++) {
		const char *why;
		if (!tg_gen_tilted(p) || !tg_part_applies(p, &why))
			continue;
		n++;
		for (int k = 0; k < 2; k++) {
			struct dc_case c;
			unsigned tries = 0;
			struct tg_part pt;
			tg_part_at(p, &pt);
			cr_assert_eq(tg_gen_partition(seeds[k], p, 0, 3000, &c, &tries), 0,
			             "%s/%s: no test within 3000 attempts (seed %llu)",
			             pt.insn, pt.name, (unsigned long long)seeds[k]);
			tg_case_free(&c);
		}
	}
	cr_assert_gt(n, 40);
}

/* ---- CBOR ------------------------------------------------------------------ */

Test(testgen, cbor_round_trip)
{
	for (uint64_t s = 0; s < 200; s++) {
		struct dc_case a, b;
		tg_gen_random(tg_mix(7, s), -1, &a);
		a.deny = (uint32_t)(s & 15);
		/* 64-bit encodings; scratch_size stays within its cap */
		a.scratch_size = (s * 0x10001ull) % (TG_MAX_CASE_AREA + 1);
		a.thread_key = s * 0x100000001ull;
		uint8_t *buf;
		size_t len;
		cr_assert_eq(tg_cbor_case_encode(&a, &buf, &len), 0);
		struct tg_err e;
		cr_assert_eq(tg_cbor_case_decode(buf, len, &b, &e), 0, "%s", e.msg);
		cr_assert(tg_case_equal(&a, &b), "seed %llu", (unsigned long long)s);
		/* every truncation is rejected cleanly */
		for (size_t cut = 0; cut < len; cut += len / 13 + 1) {
			struct dc_case z;
			cr_assert_neq(tg_cbor_case_decode(buf, cut, &z, &e), 0);
		}
		free(buf);
		tg_case_free(&a);
		tg_case_free(&b);
	}
	struct dc_outcome o, p;
	memset(&o, 0, sizeof(o));
	o.rval = UINT64_MAX;
	o.fault = 6;
	o.pc = 77;
	o.addr = 0xd1f0000000000003ull;
	uint8_t *buf;
	size_t len;
	cr_assert_eq(tg_cbor_outcome_encode(&o, &buf, &len), 0);
	cr_assert_eq(tg_cbor_outcome_decode(buf, len, &p, NULL), 0);
	cr_assert(tg_outcome_equal(&o, &p));
	cr_assert_eq(p.pc, 77);
	free(buf);
	memset(&o, 0, sizeof(o));
	o.rval = 5;
	o.has_string = 1;
	strcpy(o.string, "h\xffllo");
	cr_assert_eq(tg_cbor_outcome_encode(&o, &buf, &len), 0);
	cr_assert_eq(tg_cbor_outcome_decode(buf, len, &p, NULL), 0);
	cr_assert(p.has_string && strcmp(p.string, "h\xffllo") == 0);
	free(buf);
}

Test(testgen, cbor_rejects_wrong_shapes)
{
	/* a map {"text": "x"} and a bare integer */
	static const uint8_t m1[] = { 0xa1, 0x64, 't', 'e', 'x', 't', 0x61, 'x' };
	static const uint8_t m2[] = { 0x05 };
	struct dc_case c;
	struct tg_err e;
	cr_assert_neq(tg_cbor_case_decode(m1, sizeof(m1), &c, &e), 0);
	cr_assert_neq(tg_cbor_case_decode(m2, sizeof(m2), &c, &e), 0);
}

/* ---- corpus ---------------------------------------------------------------- */

/* An outcome through CBOR and back; asserts both steps succeed. */
static struct dc_outcome outcome_roundtrip(const struct dc_outcome *o)
{
	uint8_t *buf;
	size_t len;
	struct dc_outcome r;
	cr_assert_eq(tg_cbor_outcome_encode(o, &buf, &len), 0);
	cr_assert_eq(tg_cbor_outcome_decode(buf, len, &r, NULL), 0);
	free(buf);
	return r;
}

static char *dump(const char *db, const char *sql)
{
	sqlite3 *h;
	cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK, "%s",
	             sqlite3_errmsg(h));
	size_t cap = 1 << 16, n = 0;
	char *out = malloc(cap);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *b = sqlite3_column_blob(st, i);
			int l = sqlite3_column_bytes(st, i);
			while (n + (size_t)l * 2 + 8 > cap)
				out = realloc(out, cap *= 2);
			for (int j = 0; j < l; j++)
				n += (size_t)sprintf(out + n, "%02x", b[j]);
			out[n++] = '|';
		}
		out[n++] = '\n';
	}
	out[n] = 0;
	sqlite3_finalize(st);
	sqlite3_close(h);
	return out;
}

Test(testgen, corpus_schema_and_determinism)
{
	char args[1024];
	int st;
	snprintf(args, sizeof(args),
	         "generate -q --seed 5 --count 150 --tries 150 --variants 1 --out %s",
	         tmp("a.db"));
	free(difgen(args, &st));
	cr_assert_eq(st, 0);
	snprintf(args, sizeof(args),
	         "generate -q --seed 5 --count 150 --tries 150 --variants 1 --out %s",
	         tmp("b.db"));
	free(difgen(args, &st));
	cr_assert_eq(st, 0);
	const char *q = "SELECT name, kind, seed, target, program, expected"
	                " FROM cases ORDER BY name";
	char *a = dump(tmp("a.db"), q), *b = dump(tmp("b.db"), q);
	cr_assert(strcmp(a, b) == 0, "same seed, different corpus");
	free(a);
	free(b);
	/* schema (docs/corpus.md) */
	char *cols = dump(tmp("a.db"),
	                  "SELECT m.name, p.name FROM sqlite_master m,"
	                  " pragma_table_info(m.name) p WHERE m.type='table'"
	                  " ORDER BY m.name, p.cid");
	static const char *const want[] = {
		"cases", "program", "expected", "target", "case_partitions",
		"partition", "hits", "meta", "partitions", "insn", "guard",
		"cite", "results", "runtime", "match",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char hex[64] = "";
		for (size_t j = 0; want[i][j]; j++)
			sprintf(hex + 2 * j, "%02x", (unsigned char)want[i][j]);
		cr_assert(strstr(cols, hex), "column or table %s missing", want[i]);
	}
	free(cols);
	char *meta = dump(tmp("a.db"), "SELECT key FROM meta ORDER BY key");
	cr_assert(strstr(meta, "737065635f76657273696f6e")); /* spec_version */
	cr_assert(strstr(meta, "73656564"));                 /* seed */
	free(meta);
	/* the stored expected outcomes are the model's */
	struct tg_corpus *db;
	struct tg_err e;
	cr_assert_eq(tg_corpus_open(tmp("a.db"), 0, &db, &e), 0, "%s", e.msg);
	struct dc_case c;
	struct dc_outcome *o = malloc(sizeof(*o)), *m = malloc(sizeof(*m));
	cr_assert_eq(tg_corpus_get_case(db, "R00000003", &c, o, &e), 0, "%s", e.msg);
	cr_assert_eq(tg_model_run(&c, m, NULL), 0);
	cr_assert(tg_outcome_equal(o, m));
	tg_case_free(&c);
	tg_corpus_close(db);
	free(o);
	free(m);
}

Test(testgen, shard_and_merge_equal_unsharded)
{
	char args[1024];
	int st;
	const char *base = "generate -q --seed 11 --count 120 --tries 100 --variants 1";
	snprintf(args, sizeof(args), "%s --out %s", base, tmp("all.db"));
	free(difgen(args, &st));
	cr_assert_eq(st, 0);
	for (int k = 0; k < 3; k++) {
		char name[32];
		snprintf(name, sizeof(name), "s%d.db", k);
		snprintf(args, sizeof(args), "%s --shard %d/3 --out %s", base, k,
		         tmp(name));
		free(difgen(args, &st));
		cr_assert_eq(st, 0);
	}
	snprintf(args, sizeof(args), "merge %s %s %s %s", tmp("m.db"),
	         tmp("s2.db"), tmp("s0.db"), tmp("s1.db"));
	free(difgen(args, &st));
	cr_assert_eq(st, 0);
	static const char *const qs[] = {
		"SELECT name, kind, seed, target, program, expected FROM cases ORDER BY name",
		"SELECT * FROM case_partitions ORDER BY case_name, partition",
		"SELECT * FROM partitions ORDER BY id",
		"SELECT * FROM meta WHERE key != 'shard' ORDER BY key",
	};
	for (size_t i = 0; i < 4; i++) {
		char *a = dump(tmp("all.db"), qs[i]), *b = dump(tmp("m.db"), qs[i]);
		cr_assert(strcmp(a, b) == 0, "merged differs: %s", qs[i]);
		cr_assert_gt(strlen(a), 10);
		free(a);
		free(b);
	}
	/* a shard holds only part of the cases */
	char *s0 = dump(tmp("s0.db"), qs[0]), *all = dump(tmp("all.db"), qs[0]);
	cr_assert_lt(strlen(s0), strlen(all));
	free(s0);
	free(all);
}

/* ---- shrinking -------------------------------------------------------------- */

/* The planted bug in isolation: where difvm itself disagrees with the
 * model (an unrelated finding), this runtime answers as the model does, so
 * only the wrong signed division can fail. */
static int bad_runner(void *ud, const struct dc_case *c, struct dc_outcome *o,
                      struct tg_err *e)
{
	(void)ud;
	struct dc_outcome m, d;
	if (tg_model_run(c, &m, NULL) == 0 &&
	    (tg_difvm_run(c, &d, e) || !tg_outcome_equal(&m, &d))) {
		*o = m;
		return 0;
	}
	return badrt_run(c, o, e);
}

static int fails_bad(const struct dc_case *c)
{
	struct dc_outcome a, b;
	struct tg_err e;
	if (!tg_case_valid(c) || tg_model_run(c, &a, NULL))
		return 0;
	if (bad_runner(NULL, c, &b, &e))
		return 1;
	return !tg_outcome_equal(&a, &b);
}

/* Both cases disagree with the same fault codes on each side. */
static int same_kind(const struct dc_case *a, const struct dc_case *b)
{
	struct dc_outcome ma, ba, mb, bb;
	struct tg_err e;
	if (tg_model_run(a, &ma, NULL) || tg_model_run(b, &mb, NULL) ||
	    bad_runner(NULL, a, &ba, &e) || bad_runner(NULL, b, &bb, &e))
		return 1;
	return ma.fault == mb.fault && ba.fault == bb.fault;
}

static void check_minimal(const struct dc_case *c)
{
	cr_assert(fails_bad(c), "shrunk case no longer fails");
	int has_sdiv = 0;
	for (uint32_t i = 0; i < c->textlen; i++)
		has_sdiv |= DIF_I_OP(c->text[i]) == DIF_OPC_SDIV;
	cr_assert(has_sdiv, "the shrunk program lost the culprit");
	/* 1-minimal: dropping any single instruction (other than the final
	 * ret) gives an invalid or passing program */
	for (uint32_t i = 0; i + 1 < c->textlen; i++) {
		struct dc_case t;
		tg_case_copy(&t, c);
		for (uint32_t j = 0; j < t.textlen; j++) {
			uint32_t w = t.text[j];
			unsigned op = DIF_I_OP(w);
			if (op >= DIF_OPC_BA && op <= DIF_OPC_BLEU && DIF_I_LABEL(w) > i)
				t.text[j] = DIF_ENC_B(op, DIF_I_LABEL(w) - 1);
		}
		memmove(t.text + i, t.text + i + 1, (t.textlen - i - 1) * 4);
		t.textlen--;
		/* the shrinker keeps the kind of disagreement (fault codes): a
		 * removal that changes it may still fail */
		cr_assert(!fails_bad(&t) || !same_kind(c, &t),
		          "instruction %u is not needed", i);
		tg_case_free(&t);
	}
}

Test(testgen, shrinker_minimal_on_planted_bug)
{
	struct tg_prog p;
	tg_prog_init(&p);
	tg_setx(&p, 1, (uint64_t)-1000);
	tg_setx(&p, 2, 7);
	tg_setx(&p, 4, 0x1234);
	tg_emit(&p, DIF_ENC_R(DIF_OPC_ADD, 4, 2, 5));
	tg_emit(&p, DIF_ENC_R(DIF_OPC_NOP, 0, 0, 0));
	tg_sets(&p, 6, "noise", 5);
	tg_emit(&p, DIF_ENC_R(DIF_OPC_SDIV, 1, 2, 3));
	tg_emit(&p, DIF_ENC_R(DIF_OPC_XOR, 3, 5, 3));
	tg_emit(&p, DIF_ENC_R(DIF_OPC_MOV, 3, 0, 7));
	tg_emit(&p, DIF_ENC_R(DIF_OPC_RET, 0, 0, 7));
	struct dc_case c;
	tg_case_init(&c);
	tg_prog_to_case(&p, &c);
	c.rtype = (struct dc_type){ .kind = 0, .ckind = 1, .size = 8 };
	c.args[3] = 99;
	c.deny = 2;
	c.runs = 2;
	cr_assert(fails_bad(&c));
	unsigned steps = tg_shrink(&c, bad_runner, NULL);
	cr_assert_gt(steps, 0);
	/* setx, setx, sdiv, mov (ret names %r7), ret */
	cr_assert_leq(c.textlen, 5, "shrunk to %u instructions", c.textlen);
	cr_assert_eq(c.deny, 0);
	cr_assert_eq(c.runs, 1);
	check_minimal(&c);
	tg_case_free(&c);
}

Test(testgen, shrinker_on_random_failures)
{
	/* the first random programs the planted bug breaks */
	unsigned found = 0;
	for (uint64_t s = 0; s < 20000 && found < 3; s++) {
		struct dc_case c;
		tg_gen_random(tg_mix(3, s), -1, &c);
		if (!fails_bad(&c)) {
			tg_case_free(&c);
			continue;
		}
		found++;
		uint32_t before = c.textlen;
		tg_shrink(&c, bad_runner, NULL);
		cr_assert_leq(c.textlen, before);
		cr_assert_leq(c.textlen, 12, "seed %llu: %u instructions left",
		              (unsigned long long)s, c.textlen);
		check_minimal(&c);
		tg_case_free(&c);
	}
	cr_assert_gt(found, 0, "no random program exercises sdiv of negatives");
}

/* ---- the wrong runtime through the protocol ----------------------------------- */

Test(testgen, protocol_catches_wrong_runtime)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s/tests/testgen/difgen_badrt", bdir());
	struct tg_ext *x;
	struct tg_err e;
	cr_assert_eq(tg_ext_open(cmd, &x, &e), 0, "%s", e.msg);
	cr_assert(strstr(tg_ext_name(x), "badrt"));
	struct tg_prog p;
	tg_prog_init(&p);
	tg_setx(&p, 1, (uint64_t)-10);
	tg_setx(&p, 2, 3);
	tg_emit(&p, DIF_ENC_R(DIF_OPC_SDIV, 1, 2, 3));
	tg_emit(&p, DIF_ENC_R(DIF_OPC_RET, 0, 0, 3));
	struct dc_case c;
	tg_case_init(&c);
	tg_prog_to_case(&p, &c);
	c.rtype = (struct dc_type){ .kind = 0, .ckind = 1, .size = 8 };
	struct dc_outcome m, g;
	cr_assert_eq(tg_model_run(&c, &m, NULL), 0);
	cr_assert_eq(m.rval, (uint64_t)-3);
	cr_assert_eq(tg_ext_run(x, &c, &g, &e), 0, "%s", e.msg);
	cr_assert_neq(g.rval, m.rval);
	/* positive operands agree */
	c.inttab[0] = 10;
	cr_assert_eq(tg_model_run(&c, &m, NULL), 0);
	cr_assert_eq(tg_ext_run(x, &c, &g, &e), 0, "%s", e.msg);
	cr_assert(tg_outcome_equal(&m, &g));
	tg_ext_close(x);
	tg_case_free(&c);
}

Test(testgen, replay_reports_wrong_runtime_with_shrunk_program)
{
	char args[1024];
	int st;
	/* sdiv partition tests are in every corpus */
	snprintf(args, sizeof(args),
	         "generate -q --seed 21 --count 50 --tries 300 --variants 3 --out %s",
	         tmp("bad.db"));
	free(difgen(args, &st));
	cr_assert_eq(st, 0);
	snprintf(args, sizeof(args),
	         "replay -q %s --insn sdiv --max-shrink 3"
	         " --runtime %s/tests/testgen/difgen_badrt",
	         tmp("bad.db"), bdir());
	char *out = difgen(args, &st);
	cr_assert_eq(st, 1, "replay against the wrong runtime passed:\n%s", out);
	cr_assert(strstr(out, "runtime: badrt"), "%s", out);
	cr_assert(strstr(out, "MISMATCH P"), "%s", out);
	cr_assert(strstr(out, "shrunk ("), "%s", out);
	cr_assert(strstr(out, "sdiv "), "no sdiv in the shrunk listing:\n%s", out);
	cr_assert(strstr(out, "OFF OPCODE      INSTRUCTION"), "%s", out);
	free(out);
	/* the same cases pass on difvm itself, in-process and through the
	 * protocol of difrun --conformance */
	snprintf(args, sizeof(args), "replay -q %s --insn sdiv", tmp("bad.db"));
	out = difgen(args, &st);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, " 0 failed"), "%s", out);
	free(out);
	char difrun[512];
	snprintf(difrun, sizeof(difrun), "%s/tools/difrun", bdir());
	if (access(difrun, X_OK) == 0) {
		snprintf(args, sizeof(args),
		         "replay -q %s --insn sdiv --runtime '%s --conformance'",
		         tmp("bad.db"), difrun);
		out = difgen(args, &st);
		cr_assert_eq(st, 0, "%s", out);
		cr_assert(strstr(out, "runtime: difvm"), "%s", out);
		free(out);
	}
}

/* ---- findings fixed in difvm (regressions) ------------------------------------- */

/* bcopy/copyinto with a destination outside allocated scratch: illval is
 * the old value of rd (dif-isa.md 4.1 and 11.12), on difvm as in the model. */
Test(testgen, bcopy_copyinto_illval_is_old_rd)
{
	static const int subrs[] = { 16, 17 }; /* bcopy, copyinto */
	for (int k = 0; k < 2; k++) {
		struct tg_prog p;
		tg_prog_init(&p);
		tg_emit(&p, DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0));
		tg_setx(&p, 1, 0x10000);
		tg_emit(&p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 1));
		tg_setx(&p, 2, 8);
		tg_emit(&p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 2));
		tg_setx(&p, 3, 0x10008); /* not scratch */
		tg_emit(&p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 3));
		tg_setx(&p, 4, 0x1234);
		tg_emit(&p, DIF_ENC_W(DIF_OPC_CALL, subrs[k], 4));
		tg_emit(&p, DIF_ENC_R(DIF_OPC_RET, 0, 0, 4));
		struct dc_case c;
		tg_case_init(&c);
		tg_prog_to_case(&p, &c);
		c.rtype = (struct dc_type){ .kind = 0, .ckind = 1, .size = 8 };
		struct dc_outcome m, d;
		struct tg_err e;
		cr_assert_eq(tg_model_run(&c, &m, NULL), 0);
		cr_assert_eq(tg_difvm_run(&c, &d, &e), 0, "%s", e.msg);
		cr_assert_eq(m.fault, 1);
		cr_assert_eq(m.addr, 0x1234);
		cr_assert_eq(d.fault, 1);
		cr_assert_eq(d.addr, 0x1234, "difvm illval 0x%llx",
		             (unsigned long long)d.addr);
		tg_case_free(&c);
	}
}

/* The protocol server answers a malformed case with an error frame and
 * keeps going; a truncated frame ends it with a failure status. */
Test(testgen, protocol_server_survives_bad_input)
{
	char cmd[1024];
	char *out;
	/* frame of 5 bytes that are not a case, then a clean end */
	snprintf(cmd, sizeof(cmd),
	         "printf '\\000\\000\\000\\005hello' | %s/tests/testgen/difgen_badrt"
	         " | od -An -c | tr -d ' \\n'", bdir());
	int st = sh(cmd, &out);
	cr_assert_eq(st, 0);
	cr_assert(strstr(out, "difvm-conformance"), "no hello: %s", out);
	cr_assert(strstr(out, "error"), "no error frame: %s", out);
	free(out);
	snprintf(cmd, sizeof(cmd),
	         "printf '\\000\\000\\001\\000abc' | %s/tests/testgen/difgen_badrt"
	         " > /dev/null 2>&1; echo $?", bdir());
	cr_assert_eq(sh(cmd, &out), 0);
	cr_assert_eq(atoi(out), 1, "truncated frame: status %s", out);
	free(out);
}

/* coverage exits 1 while a model case is uncovered, 0 once every
 * uncovered case is on the allow list; show prints a case as a listing. */
Test(testgen, coverage_allow_list_and_show)
{
	char args[1024];
	int st;
	snprintf(args, sizeof(args),
	         "generate -q --seed 8 --count 20 --tries 2 --variants 1 --out %s",
	         tmp("cov.db"));
	free(difgen(args, &st));
	cr_assert_eq(st, 0);
	snprintf(args, sizeof(args), "coverage %s", tmp("cov.db"));
	char *out = difgen(args, &st);
	cr_assert_eq(st, 1, "a 2-try corpus covers everything?\n%s", out);
	cr_assert(strstr(out, "INSTRUCTION"), "%s", out);
	/* allow exactly the uncovered cases */
	FILE *f = fopen(tmp("allow.txt"), "w");
	cr_assert(f);
	fprintf(f, "# test allow list\n");
	unsigned n = 0;
	size_t len = strlen(out);
	for (size_t i = 0; i < len; i++) {
		char key[200];
		if ((i == 0 || out[i - 1] == '\n') &&
		    sscanf(out + i, "uncovered: %199s", key) == 1) {
			fprintf(f, "%s  reason\n", key);
			n++;
		}
	}
	fclose(f);
	free(out);
	cr_assert_gt(n, 0);
	snprintf(args, sizeof(args), "coverage %s --allow %s", tmp("cov.db"),
	         tmp("allow.txt"));
	out = difgen(args, &st);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "unreachable: "), "%s", out);
	cr_assert(strstr(out, " 0 uncovered"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "show %s R00000004", tmp("cov.db"));
	out = difgen(args, &st);
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "OFF OPCODE      INSTRUCTION"), "%s", out);
	cr_assert(strstr(out, "expected: "), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "show %s NOSUCH", tmp("cov.db"));
	free(difgen(args, &st));
	cr_assert_eq(st, 2);
}

/* ---- observation, digest, drops, layout ------------------------------------ */

static void int_case(struct tg_prog *p, struct dc_case *c)
{
	tg_case_init(c);
	tg_prog_to_case(p, c);
	c->rtype = (struct dc_type){ .kind = 0, .ckind = 1, .size = 8 };
}

/* A result that is overwritten fires its model case without observing it;
 * the same result returned observes it. */
Test(testgen, observation_needs_the_effect_in_the_outcome)
{
	long sdiv = -1;
	for (size_t i = 0; i < tg_nparts(); i++) {
		struct tg_part pt;
		tg_part_at(i, &pt);
		if (strcmp(pt.insn, "sdiv") == 0 && strcmp(pt.name, "quotient") == 0)
			sdiv = (long)i;
	}
	cr_assert_geq(sdiv, 0, "no sdiv/quotient case in the model");
	for (int dead = 0; dead < 2; dead++) {
		struct tg_prog p;
		tg_prog_init(&p);
		tg_setx(&p, 1, (uint64_t)-9);
		tg_setx(&p, 2, 2);
		tg_emit(&p, DIF_ENC_R(DIF_OPC_SDIV, 1, 2, 3));
		if (dead)
			tg_setx(&p, 3, 5);
		tg_emit(&p, DIF_ENC_R(DIF_OPC_RET, 0, 0, 3));
		struct dc_case c;
		int_case(&p, &c);
		uint32_t *hits = calloc(tg_nparts(), sizeof(uint32_t));
		struct dc_outcome o;
		cr_assert_eq(tg_model_run(&c, &o, hits), 0);
		cr_assert_eq(hits[sdiv], 1);
		cr_assert_eq(tg_model_observes(&c, &o, (size_t)sdiv, hits[sdiv]), !dead);
		free(hits);
		tg_case_free(&c);
	}
}

/* The string digest and the drop count: model and difvm agree, and they
 * change with the string's contents and with the arena's size. */
Test(testgen, digest_and_drops_in_the_outcome)
{
	uint64_t dig[2] = { 0, 0 };
	for (int k = 0; k < 2; k++) {
		struct tg_prog p;
		tg_prog_init(&p);
		tg_var(&p, 0x500, 0, 0, 0, 0, 8);
		/* three elements of a global associative array */
		for (unsigned i = 1; i <= 3; i++) {
			tg_emit(&p, DIF_ENC_R(DIF_OPC_FLUSHTS, 0, 0, 0));
			tg_setx(&p, 1, i);
			tg_emit(&p, DIF_ENC_R(DIF_OPC_PUSHTV, 0, 0, 1));
			tg_emit(&p, DIF_ENC_W(DIF_OPC_STGAA, 0x500, 1));
		}
		tg_sets(&p, 4, k ? "Zebra" : "zebra", 5);
		tg_emit(&p, DIF_ENC_R(DIF_OPC_RET, 0, 0, 0));
		struct dc_case c;
		int_case(&p, &c);
		c.observe = 1u << 4;
		c.dynvar_size = 2 * (160 + 9 * 256); /* two chunks */
		struct dc_outcome m, d;
		struct tg_err e;
		cr_assert_eq(tg_model_run(&c, &m, NULL), 0);
		cr_assert_eq(tg_difvm_run(&c, &d, &e), 0, "%s", e.msg);
		cr_assert_eq(m.drops, 1);
		cr_assert(m.has_digest);
		cr_assert(tg_outcome_equal(&m, &d), "drops %llu/%llu digest %llx/%llx",
		          (unsigned long long)m.drops, (unsigned long long)d.drops,
		          (unsigned long long)m.digest, (unsigned long long)d.digest);
		dig[k] = m.digest;
		/* round trip through CBOR */
		struct dc_outcome r = outcome_roundtrip(&m);
		cr_assert(tg_outcome_equal(&m, &r));
		tg_case_free(&c);
	}
	cr_assert_neq(dig[0], dig[1]);
}

/* Moving difvm's static and dynamic storage changes no outcome of the
 * generator's programs (a fixed and a fresh seed). */
Test(testgen, layout_shift_changes_no_outcome)
{
	uint64_t seeds[2] = { 11, (uint64_t)time(NULL) };
	printf("layout_shift_changes_no_outcome: fresh seed %llu\n",
	       (unsigned long long)seeds[1]);
	for (int k = 0; k < 2; k++)
		for (uint64_t s = 0; s < 1500; s++) {
			struct dc_case c;
			tg_gen_random(tg_mix(seeds[k], s), -1, &c);
			struct dc_outcome a, b;
			struct tg_err e;
			if (tg_difvm_run(&c, &a, &e) == 0) {
				cr_assert_eq(tg_difvm_run_shifted(&c, &b, &e, 4104), 0);
				cr_assert(tg_outcome_equal(&a, &b), "seed %llu program %llu",
				          (unsigned long long)seeds[k], (unsigned long long)s);
			}
			tg_case_free(&c);
		}
}

/* ---- regression case files (difgen import) ------------------------------ */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* Runs difgen with "CMD A B" and checks its exit status and output. */
static void difgen_expect(const char *cmd, const char *a, const char *b,
                          int status, const char *needle)
{
	char args[1200];
	int st;
	snprintf(args, sizeof(args), "%s %s %s", cmd, a, b ? b : "");
	char *out = difgen(args, &st);
	cr_expect_eq(st, status, "difgen %s: %s", args, out);
	cr_expect(strstr(out, needle), "difgen %s: no '%s' in: %s", args,
	          needle, out);
	free(out);
}

Test(testgen, import_checks_the_model_against_the_file)
{
	const char *ok = tmp("ok.case"), *bad = tmp("bad.case");
	const char *syn = tmp("syntax.case"), *db = tmp("reg.db");
	write_file(ok, "# two cases\n"
	               "=== div\n!profile illumos\n!deny kernel\n.difo x\n"
	               "\tsetx 7, %r1\n\tudiv %r1, %r0, %r2\n\tret %r2\n"
	               "!expect fault DIVZERO pc 1 addr 0\n\n"
	               "=== str\n!strsize 4\n!mem 0x10000 6162636465 canload\n"
	               ".difo y\n\tsetx 0x10000, %r1\n\tpushtv ctf, %r1\n"
	               "\tcall strlen, %r2\n\tret %r2\n!expect rval 4\n");
	difgen_expect("import", db, ok, 0, "imported 2 cases, 0 rejected");
	difgen_expect("replay -q", db, NULL, 0, "2 passed, 0 failed");
	/* a stated outcome the model does not give is refused */
	write_file(bad, "=== wrong\n.difo x\n\tsetx 7, %r1\n\tret %r1\n"
	                "!expect rval 8\n");
	difgen_expect("import", db, bad, 1, "bad.case:1: wrong: MODEL MISMATCH");
	/* bad input: an error naming the file and line, exit 2 */
	write_file(syn, "=== x\n!profile vax\n");
	difgen_expect("import", db, syn, 2, "syntax.case:2: unknown profile 'vax'");
	write_file(syn, "=== noexpect\n.difo x\n\tret %r0\n");
	difgen_expect("import", db, syn, 2, "no !expect");
}

/* ---- host callback answers ---------------------------------------------- */

/* The generator's cases with host answers: the model and difvm agree on
 * them, and they survive a CBOR round trip (a fixed and a fresh seed). */
Test(testgen, host_answers_agree_and_round_trip)
{
	uint64_t seeds[2] = { 5, (uint64_t)time(NULL) };
	printf("host_answers_agree_and_round_trip: fresh seed %llu\n",
	       (unsigned long long)seeds[1]);
	for (int k = 0; k < 2; k++) {
		unsigned found = 0, kinds[3] = { 0, 0, 0 };
		for (uint64_t i = 0; i < 20000 && found < 150; i++) {
			struct dc_case c, d;
			struct dc_outcome m, v;
			struct tg_err e;
			tg_gen_random(tg_mix(seeds[k], i), -1, &c);
			if (!dc_case_has_host(&c) || tg_model_run(&c, &m, NULL) ||
			    !tg_case_valid(&c)) {
				tg_case_free(&c);
				continue;
			}
			found++;
			kinds[0] += c.nhvars > 0;
			kinds[1] += c.nhsubrs > 0;
			kinds[2] += c.nhstores > 0;
			cr_assert_eq(tg_difvm_run(&c, &v, &e), 0, "%s", e.msg);
			cr_assert(tg_outcome_equal(&m, &v), "seed %llu program %llu",
			          (unsigned long long)seeds[k], (unsigned long long)i);
			cr_assert_eq(m.has_hstore, c.nhstores > 0);
			uint8_t *buf;
			size_t len;
			cr_assert_eq(tg_cbor_case_encode(&c, &buf, &len), 0);
			cr_assert_eq(tg_cbor_case_decode(buf, len, &d, &e), 0, "%s", e.msg);
			cr_assert(tg_case_equal(&c, &d));
			free(buf);
			tg_case_free(&d);
			struct dc_outcome r = outcome_roundtrip(&m);
			cr_assert(tg_outcome_equal(&m, &r));
			tg_case_free(&c);
		}
		cr_assert_geq(found, 150, "seed %llu: %u cases with host answers",
		              (unsigned long long)seeds[k], found);
		cr_assert(kinds[0] && kinds[1], "seed %llu: vars %u subrs %u",
		          (unsigned long long)seeds[k], kinds[0], kinds[1]);
	}
}

/* Host answers that break a cap or a rule are refused with a message. */
Test(testgen, host_answers_hostile_input)
{
	struct tg_prog p;
	tg_prog_init(&p);
	tg_emit(&p, DIF_ENC_R(DIF_OPC_RET, 0, 0, 0));
	struct dc_case c, d;
	int_case(&p, &c);
	c.nhvars = 2;
	c.hvars[0] = (struct dc_hvar){ 0x115, 0, 0, 7 };
	c.hvars[1] = (struct dc_hvar){ 0, 3, 4, 0 };
	c.nhsubrs = 1;
	c.hsubrs[0] = (struct dc_hsubr){ 12, 0, 5, 1 };
	c.nhstores = 1;
	c.hstores[0] = (struct dc_hstore){ 2, 1, 0 };
	c.nhwrites = 2;
	c.hwrites[0] = (struct dc_hwrite){ 0x30000, 16, 0 };
	c.hwrites[1] = (struct dc_hwrite){ 0x30010, 4096, 1 };
	c.nhreads = 1;
	c.hreads[0] = (struct dc_hread){ .addr = 0x60000, .size = 4, .as = 1,
		                         .bytes = (uint8_t *)strdup("abcd") };
	c.nregions = 1;
	c.regions[0] = (struct dc_region){ .addr = 0x10000, .size = 16, .as = 0,
		                           .flags = 1, .bytes = calloc(1, 16) };
	uint8_t *buf;
	size_t len;
	struct tg_err e;
	cr_assert_eq(tg_cbor_case_encode(&c, &buf, &len), 0);
	cr_assert_eq(tg_cbor_case_decode(buf, len, &d, &e), 0, "%s", e.msg);
	cr_assert(tg_case_equal(&c, &d));
	tg_case_free(&d);
	/* an hvars array that claims 17 answers */
	uint8_t *k = memmem(buf, len, "hvars", 5);
	cr_assert_not_null(k);
	cr_assert_eq(k[5], 0x82);
	k[5] = 0x91;
	cr_assert_neq(tg_cbor_case_decode(buf, len, &d, &e), 0);
	cr_assert_not_null(strstr(e.msg, "hvars"), "%s", e.msg);
	free(buf);
	/* each field past its range, and two answers for one key */
	for (int t = 0; t < 12; t++) {
		struct dc_case x = c;
		const char *want = "value out of range";
		switch (t) {
		case 0: x.hvars[1].code = DC_HC_MAX + 1; break;
		case 1: x.hsubrs[0].write_rd = 2; break;
		case 2: x.hstores[0].code = 1000; break;
		case 3: x.hvars[1] = x.hvars[0]; want = "two host answers"; break;
		case 4: x.hvars[0].id = 0x10000; break;
		case 5: x.hsubrs[0].subr = 256; break;
		case 6: x.hwrites[1].addr = 0x3000f; want = "overlap"; break;
		case 7: x.hwrites[1].size = 0; want = "empty"; break;
		case 8: x.hwrites[1].size = 4097; break;
		case 9: x.hwrites[1].addr = UINT64_MAX - 8; want = "wrapping"; break;
		case 10: x.hreads[0].addr = 0x10010; want = "touch a region"; break;
		default: x.hreads[0].addr = 0x10004; want = "touch a region"; break;
		}
		cr_assert_eq(tg_cbor_case_encode(&x, &buf, &len), 0);
		cr_assert_neq(tg_cbor_case_decode(buf, len, &d, &e), 0, "edit %d", t);
		cr_assert_not_null(strstr(e.msg, want), "edit %d: %s", t, e.msg);
		/* and every truncation */
		for (size_t cut = 0; cut < len; cut++)
			cr_assert_neq(tg_cbor_case_decode(buf, cut, &d, &e), 0);
		free(buf);
	}
	/* the hstore digest survives the outcome's round trip */
	struct dc_outcome o, r;
	memset(&o, 0, sizeof(o));
	o.has_hstore = 1;
	o.hstore = 0x908fbaeea5d3c7eeull;
	r = outcome_roundtrip(&o);
	cr_assert(r.has_hstore && r.hstore == o.hstore);
	cr_assert(!r.has_hwrite);
	r.hstore ^= 1;
	cr_assert(!tg_outcome_equal(&o, &r));
	tg_case_free(&c);
}
