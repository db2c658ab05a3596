/*
 * difgen: model-derived conformance tests for DIF runtimes.
 *
 *   difgen generate --seed S --count N --out corpus.db [--shard K/N]
 *   difgen replay corpus.db [--runtime CMD] [--shard K/N]
 *   difgen coverage corpus.db
 *   difgen show corpus.db CASE
 *   difgen merge out.db a.db b.db ...
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "difvm/difvm.h"
#include "testgen/tg.h"

static const char usage_text[] =
	"Usage:\n"
	"  difgen generate --seed S --count N --out FILE [--shard K/N]\n"
	"                  [--tries T] [--variants V]\n"
	"  difgen replay FILE [--runtime CMD] [--shard K/N] [--max-shrink M]\n"
	"                [--cases GLOB] [--insn NAME]\n"
	"  difgen coverage FILE [--verbose] [--allow LIST] [--min-tests N]\n"
	"  difgen check --seed S --count N [--shard K/N] [--layout-shift B]\n"
	"  difgen show FILE CASE\n"
	"  difgen merge OUT FILE...\n"
	"  difgen import OUT CASEFILE...\n"
	"  difgen --help | --version\n"
	"\n"
	"Builds and replays conformance tests for DIF runtimes. Every expected\n"
	"outcome comes from the executable model of DIF (spec/).\n"
	"\n"
	"Commands:\n"
	"  generate  Writes a new corpus FILE (SQLite). For every case of every\n"
	"            instruction and subroutine in the model's table it builds\n"
	"            partition tests: complete valid programs whose run fires that\n"
	"            model case (checked with the model's hit counters), V of\n"
	"            them per case, found within T deterministic attempts. Then it\n"
	"            adds N random well-formed programs. Output depends only on\n"
	"            the seed (and the model version). Cases the generator cannot\n"
	"            cover are listed at the end.\n"
	"  replay    Runs every case of FILE on a runtime and compares its outcome\n"
	"            with the model's. Without --runtime the runtime is difvm\n"
	"            in-process; with it, CMD is started with /bin/sh and spoken\n"
	"            to through the protocol of docs/runtime-protocol.md (e.g.\n"
	"            --runtime 'difrun --conformance'). Prints a summary and each\n"
	"            mismatch with both outcomes and the failing program shrunk to\n"
	"            a minimal one, as a dtrace -S listing. Results are stored in\n"
	"            FILE per runtime.\n"
	"  coverage  Prints, per instruction and per model case, how many corpus\n"
	"            cases exercise it, then every model case no test covers.\n"
	"  check     Generates N random programs of seed S in memory (program i\n"
	"            is the corpus's R<i>) and runs each on the model and on difvm\n"
	"            in-process, and also with the layout moved when\n"
	"            --layout-shift B is given. Stops at the first mismatch and\n"
	"            prints it shrunk. Used by ./dev soak.\n"
	"  show      Prints one case (e.g. P00012.0 or R00000042) as a listing\n"
	"            with its environment and expected outcome.\n"
	"  merge     Writes OUT from corpora generated as shards of one run; the\n"
	"            result equals the unsharded corpus.\n"
	"  import    Writes OUT from regression case files (docs/corpus.md):\n"
	"            each case is checked on the model against the outcome the\n"
	"            file states and stored with it, for replay on a runtime.\n"
	"\n"
	"Options:\n"
	"  -s, --seed S        generation seed (decimal or 0x hex; default 1)\n"
	"  -n, --count N       random programs to add (default 1000)\n"
	"  -o, --out FILE      corpus to write (generate)\n"
	"  -t, --tries T       attempts per partition test (default 2000)\n"
	"  -V, --variants V    partition tests per model case (default 4)\n"
	"      --shard K/N     handle only shard K (0-based) of N\n"
	"  -r, --runtime CMD   external runtime command (replay)\n"
	"  -m, --max-shrink M  shrink at most M mismatches (default 20)\n"
	"  -c, --cases GLOB    replay only cases whose name matches GLOB\n"
	"                      (e.g. 'P00012.*', 'R*')\n"
	"  -i, --insn NAME     replay only the partition tests of one\n"
	"                      instruction or subroutine (e.g. sdiv, strjoin)\n"
	"  -v, --verbose       coverage: list every model case\n"
	"      --min-tests N   coverage: a model case is covered when at least\n"
	"                      N tests observe it (default 1)\n"
	"      --layout-shift B  replay (in-process): run difvm with its\n"
	"                      test-only layout_shift option (static and dynamic\n"
	"                      storage moved by B bytes); outcomes must not change\n"
	"  -a, --allow LIST    coverage: model cases listed in LIST (lines\n"
	"                      'insn/case reason', # comments) are unreachable\n"
	"                      by design and do not count as uncovered\n"
	"  -q, --quiet         no progress display\n"
	"  -h, --help          this text\n"
	"      --version       print versions\n"
	"\n"
	"Exit status: 0 success (replay: every case matched; coverage: every\n"
	"model case covered), 1 mismatches or uncovered cases, 2 usage or\n"
	"input errors.\n";

struct opts {
	uint64_t seed;
	uint64_t count;
	const char *out;
	const char *runtime;
	const char *cases;
	const char *insn;
	const char *allow;
	unsigned shard_k, shard_n;
	unsigned tries, variants, max_shrink;
	int verbose, quiet;
	uint64_t min_tests;    /* coverage: observing tests a case needs */
	uint64_t layout_shift; /* replay: difvm's test-only layout option */
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int progress_on(const struct opts *o)
{
	return !o->quiet && isatty(2);
}

static void progress(const struct opts *o, const char *what, uint64_t i,
                     uint64_t n)
{
	if (progress_on(o) && (i % 256 == 0 || i == n))
		fprintf(stderr, "\r%s %llu/%llu", what, (unsigned long long)i,
		        (unsigned long long)n);
}

static void progress_end(const struct opts *o)
{
	if (progress_on(o))
		fprintf(stderr, "\r\033[K");
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
	unsigned a, b;
	char extra;
	if (sscanf(s, "%u/%u%c", &a, &b, &extra) != 2 || b == 0 || a >= b)
		return -1;
	*k = a;
	*n = b;
	return 0;
}

/* ---- generate ------------------------------------------------------------ */

/* An SQLite failure: "difgen: FILE: WHAT: message", closes db, exit 2. */
static int db_fail(const char *file, struct tg_corpus *db, const char *what)
{
	fprintf(stderr, "difgen: %s: %s: %s\n", file, what,
	        db ? tg_corpus_errmsg(db) : "?");
	tg_corpus_close(db);
	return 2;
}

static int cmd_generate(struct opts *o)
{
	/* the rate covers the whole command: setup, cases, commit */
	double t0 = now();
	struct tg_err e = { "" };
	struct tg_corpus *db;
	if (!o->out) {
		fprintf(stderr, "difgen: generate needs --out FILE\n");
		return 2;
	}
	if (access(o->out, F_OK) == 0 && unlink(o->out) != 0) {
		perror(o->out);
		return 2;
	}
	if (tg_corpus_open(o->out, 1, &db, &e)) {
		fprintf(stderr, "difgen: %s\n", e.msg);
		return 2;
	}
	char buf[64], vbuf[3][64];
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)o->seed);
	snprintf(vbuf[0], sizeof(vbuf[0]), "%llu", (unsigned long long)o->count);
	snprintf(vbuf[1], sizeof(vbuf[1]), "%u", o->variants);
	snprintf(vbuf[2], sizeof(vbuf[2]), "%u", o->tries);
	if (tg_corpus_begin(db) ||
	    tg_corpus_set_meta(db, "generator", "difgen") ||
	    tg_corpus_set_meta(db, "generator_version", TG_VERSION) ||
	    tg_corpus_set_meta(db, "difvm_version", DIFVM_VERSION) ||
	    tg_corpus_set_meta(db, "spec_version", tg_spec_version()) ||
	    tg_corpus_set_meta(db, "seed", buf) ||
	    tg_corpus_set_meta(db, "count", vbuf[0]) ||
	    tg_corpus_set_meta(db, "variants", vbuf[1]) ||
	    tg_corpus_set_meta(db, "tries", vbuf[2]) ||
	    tg_corpus_put_parts(db))
		return db_fail(o->out, db, "cannot write the corpus header");
	if (o->shard_n > 1) {
		snprintf(buf, sizeof(buf), "%u/%u", o->shard_k, o->shard_n);
		if (tg_corpus_set_meta(db, "shard", buf))
			return db_fail(o->out, db, "cannot write the corpus header");
	}

	size_t np = tg_nparts();
	uint32_t *hits = calloc(np ? np : 1, sizeof(uint32_t));
	struct dc_outcome *out = malloc(sizeof(*out));
	if (!hits || !out) {
		fprintf(stderr, "difgen: out of memory\n");
		return 2;
	}
	uint64_t ncase = 0, rejected = 0;
	size_t uncovered = 0;
	char name[64];
	for (size_t p = 0; p < np; p++) {
		progress(o, "partitions", p, np);
		if (o->shard_n > 1 && p % o->shard_n != o->shard_k)
			continue;
		const char *why;
		if (!tg_part_applies(p, &why)) {
			struct tg_part pt;
			tg_part_at(p, &pt);
			printf("n/a: %s/%s (%s)\n", pt.insn, pt.name, why);
			continue;
		}
		for (unsigned k = 0; k < o->variants; k++) {
			struct dc_case c;
			if (tg_gen_partition(o->seed, p, k, o->tries, &c, NULL)) {
				if (k == 0) {
					struct tg_part pt;
					tg_part_at(p, &pt);
					printf("uncovered: %s/%s (no program within %u attempts)\n",
					       pt.insn, pt.name, o->tries);
					uncovered++;
				}
				break;
			}
			memset(hits, 0, np * sizeof(uint32_t));
			tg_model_run(&c, out, hits);
			snprintf(name, sizeof(name), "P%05zu.%u", p, k);
			if (tg_corpus_put_case(db, name, "partition", o->seed,
			                       (long)p, &c, out, hits) ||
			    tg_corpus_put_observed(db, name, p)) {
				fprintf(stderr, "difgen: %s: cannot store %s\n",
				        o->out, name);
				return 2;
			}
			ncase++;
			tg_case_free(&c);
		}
	}
	progress_end(o);
	double t1 = now();
	for (uint64_t i = 0; i < o->count; i++) {
		progress(o, "random", i, o->count);
		if (o->shard_n > 1 && i % o->shard_n != o->shard_k)
			continue;
		uint64_t s = tg_mix(o->seed, i);
		struct dc_case c;
		unsigned redrawn = 0;
		int ok = tg_gen_program(o->seed, i, &c, out, hits, &redrawn) == 0;
		rejected += redrawn;
		if (!ok)
			continue;
		snprintf(name, sizeof(name), "R%08llu", (unsigned long long)i);
		if (tg_corpus_put_case(db, name, "random", s, -1, &c, out, hits)) {
			fprintf(stderr, "difgen: %s: cannot store %s\n", o->out, name);
			return 2;
		}
		ncase++;
		tg_case_free(&c);
	}
	progress_end(o);
	if (tg_corpus_commit(db))
		return db_fail(o->out, db, "cannot commit the cases");
	tg_corpus_close(db);
	double t2 = now();
	printf("generated %llu cases (%.1f s partitions, %.1f s random, %.0f cases/s); "
	       "%llu random attempts redrawn (model: not reproducible or unsupported); "
	       "%zu model cases uncovered\n",
	       (unsigned long long)ncase, t1 - t0, t2 - t1,
	       (double)ncase / (t2 - t0 > 0 ? t2 - t0 : 1e-9),
	       (unsigned long long)rejected, uncovered);
	free(hits);
	free(out);
	return 0;
}

/* ---- replay ---------------------------------------------------------------- */

struct rp {
	struct opts *o;
	struct tg_corpus *db;
	struct tg_ext *ext;
	const char *rtname;
	uint64_t n, match, mismatch, errors, corrupt, total;
	unsigned shrunk;
	struct dc_outcome *got;
	const char *file;
	int dberr; /* a result could not be recorded: the run fails */
};

static int run_inproc(void *ud, const struct dc_case *c, struct dc_outcome *o,
                      struct tg_err *e)
{
	const struct rp *r = ud;
	return tg_difvm_run_shifted(c, o, e, r->o->layout_shift);
}

static int run_ext(void *ud, const struct dc_case *c, struct dc_outcome *o,
                   struct tg_err *e)
{
	struct rp *r = ud;
	if (!r->ext && tg_ext_open(r->o->runtime, &r->ext, e))
		return -1;
	int x = tg_ext_run(r->ext, c, o, e);
	if (x && strstr(e->msg, "runtime error:") == NULL) {
		/* the runtime died or broke the framing: restart it */
		tg_ext_close(r->ext);
		r->ext = NULL;
	}
	return x;
}

static int replay_one(void *ud, const char *name, const struct dc_case *c,
                      const struct dc_outcome *exp)
{
	struct rp *r = ud;
	struct tg_err e = { "" };
	r->n++;
	progress(r->o, "replay", r->n, r->total);
	if (!c) {
		/* Its row cannot be decoded: this case fails, the rest go on. */
		progress_end(r->o);
		r->corrupt++;
		printf("CORRUPT %s: %s\n", name, tg_corpus_case_error(r->db));
		fprintf(stderr, "difgen: %s: case %s is corrupt: %s\n", r->file,
		        name, tg_corpus_case_error(r->db));
		if (tg_corpus_put_result(r->db, name, r->rtname, NULL, 0)) {
			fprintf(stderr, "difgen: %s: cannot record the result of "
			        "case %s: %s\n", r->file, name, tg_corpus_errmsg(r->db));
			r->dberr = 1;
			return 1;
		}
		return 0;
	}
	int x = r->o->runtime ? run_ext(r, c, r->got, &e)
	                      : run_inproc(r, c, r->got, &e);
	int match = x == 0 && tg_outcome_equal(exp, r->got);
	if (tg_corpus_put_result(r->db, name, r->rtname, x ? NULL : r->got,
	                         match)) {
		fprintf(stderr, "difgen: %s: cannot record the result of case %s: "
		        "%s\n", r->file, name, tg_corpus_errmsg(r->db));
		r->dberr = 1;
		return 1;
	}
	if (match) {
		r->match++;
		return 0;
	}
	progress_end(r->o);
	char a[400], b[400];
	tg_outcome_text(exp, a, sizeof(a));
	if (x) {
		r->errors++;
		snprintf(b, sizeof(b), "error: %s", e.msg);
	} else {
		r->mismatch++;
		tg_outcome_text(r->got, b, sizeof(b));
	}
	printf("MISMATCH %s\n  expected (model): %s\n  got (%s): %s\n", name, a,
	       r->rtname, b);
	if (r->shrunk >= r->o->max_shrink)
		return 0;
	r->shrunk++;
	struct dc_case s;
	tg_case_copy(&s, c);
	unsigned steps = tg_shrink(&s, r->o->runtime ? run_ext : run_inproc, r);
	struct dc_outcome *m = malloc(sizeof(*m));
	if (m && tg_model_run(&s, m, NULL) == 0) {
		struct tg_err e2 = { "" };
		tg_outcome_text(m, a, sizeof(a));
		if ((r->o->runtime ? run_ext(r, &s, r->got, &e2)
		                   : run_inproc(r, &s, r->got, &e2)) == 0)
			tg_outcome_text(r->got, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "error: %s", e2.msg);
		printf("  shrunk (%u steps, %u -> %u instructions):\n", steps,
		       c->textlen, s.textlen);
		tg_print_case(stdout, &s);
		printf("  expected (model): %s\n  got (%s): %s\n\n", a, r->rtname, b);
	}
	free(m);
	tg_case_free(&s);
	fflush(stdout);
	return 0;
}

static int cmd_replay(struct opts *o, const char *file)
{
	/* the rate covers the whole command, from opening the corpus (and
	 * starting the runtime) to storing the results */
	double t0 = now();
	struct tg_err e = { "" };
	struct rp r = { .o = o, .file = file };
	if (tg_corpus_open(file, 0, &r.db, &e)) {
		fprintf(stderr, "difgen: %s\n", e.msg);
		return 2;
	}
	r.got = malloc(sizeof(*r.got));
	if (o->runtime) {
		if (tg_ext_open(o->runtime, &r.ext, &e)) {
			fprintf(stderr, "difgen: %s\n", e.msg);
			tg_corpus_close(r.db);
			return 2;
		}
		r.rtname = o->runtime;
		printf("runtime: %s (%s)\n", tg_ext_name(r.ext), o->runtime);
	} else {
		r.rtname = "difvm-inproc";
	}
	sqlite3_stmt *st;
	int crc = SQLITE_ERROR;
	if (sqlite3_prepare_v2(tg_corpus_db(r.db), "SELECT COUNT(*) FROM cases",
	                       -1, &st, NULL) == SQLITE_OK) {
		crc = sqlite3_step(st);
		if (crc == SQLITE_ROW)
			r.total = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (crc != SQLITE_ROW || tg_corpus_begin(r.db)) {
		if (r.ext)
			tg_ext_close(r.ext);
		free(r.got);
		return db_fail(file, r.db, "cannot read the cases");
	}
	if (o->shard_n > 1)
		r.total = (r.total + o->shard_n - 1 - o->shard_k) / o->shard_n;
	int x = tg_corpus_each(r.db, o->cases, o->insn, o->shard_k, o->shard_n, replay_one, &r, &e);
	if (tg_corpus_commit(r.db)) {
		fprintf(stderr, "difgen: %s: cannot store the results: %s\n", file,
		        tg_corpus_errmsg(r.db));
		r.dberr = 1;
	}
	progress_end(o);
	if (x)
		fprintf(stderr, "difgen: %s: %s\n", file, e.msg);
	if (r.ext)
		tg_ext_close(r.ext);
	tg_corpus_close(r.db);
	double dt = now() - t0;
	free(r.got);
	printf("replay %s on %s: %llu cases in %.2f s (%.0f cases/s)\n", file,
	       r.rtname, (unsigned long long)r.n, dt,
	       (double)r.n / (dt > 0 ? dt : 1e-9));
	printf("%llu passed, %llu failed (%llu mismatches, %llu runtime errors, "
	       "%llu corrupt cases)\n",
	       (unsigned long long)r.match,
	       (unsigned long long)(r.mismatch + r.errors + r.corrupt),
	       (unsigned long long)r.mismatch, (unsigned long long)r.errors,
	       (unsigned long long)r.corrupt);
	fflush(stdout);
	/* A damaged corpus never passes: SQLite and CBOR errors exit 2. */
	if (x || r.dberr || r.corrupt)
		return 2;
	return r.mismatch || r.errors ? 1 : 0;
}

/* ---- check (soak) ------------------------------------------------------------ */

/* Runs difvm twice per case: as configured and with the layout moved.
 * Both must give the model's outcome. */
struct ck {
	uint64_t shift;
};

static int run_both(void *ud, const struct dc_case *c, struct dc_outcome *o,
                    struct tg_err *e)
{
	const struct ck *k = ud;
	struct dc_outcome *m = malloc(sizeof(*m));
	if (!m) {
		tg_errf(e, "out of memory");
		return -1;
	}
	int x = tg_difvm_run(c, o, e);
	if (x == 0 && k->shift && tg_difvm_run_shifted(c, m, e, k->shift) == 0 &&
	    !tg_outcome_equal(o, m)) {
		/* the moved layout shows as a different outcome; report the
		 * one that differs from the model */
		struct dc_outcome *exp = malloc(sizeof(*exp));
		if (exp && tg_model_run(c, exp, NULL) == 0 && tg_outcome_equal(exp, o))
			*o = *m;
		free(exp);
	}
	free(m);
	return x;
}

/* Random programs generated and compared in memory, no corpus: program i
 * is the corpus's R<i> of the same seed. Stops at the first mismatch. */
static int cmd_check(struct opts *o)
{
	struct ck k = { o->layout_shift };
	struct dc_outcome *exp = malloc(sizeof(*exp)), *got = malloc(sizeof(*got));
	if (!exp || !got) {
		fprintf(stderr, "difgen: out of memory\n");
		return 2;
	}
	printf("check: seed %llu, %llu random programs%s\n",
	       (unsigned long long)o->seed, (unsigned long long)o->count,
	       o->shard_n > 1 ? " (one shard)" : "");
	fflush(stdout);
	double t0 = now();
	uint64_t n = 0, bad = 0;
	for (uint64_t i = 0; i < o->count && !bad; i++) {
		if (o->shard_n > 1 && i % o->shard_n != o->shard_k)
			continue;
		struct dc_case c;
		if (tg_gen_program(o->seed, i, &c, exp, NULL, NULL))
			continue;
		n++;
		struct tg_err e = { "" };
		int x = run_both(&k, &c, got, &e);
		if (x || !tg_outcome_equal(exp, got)) {
			bad++;
			char a[400], b[400];
			tg_outcome_text(exp, a, sizeof(a));
			if (x)
				snprintf(b, sizeof(b), "error: %s", e.msg);
			else
				tg_outcome_text(got, b, sizeof(b));
			printf("MISMATCH R%08llu (difgen generate --seed %llu --count %llu)\n"
			       "  expected (model): %s\n  got (difvm): %s\n",
			       (unsigned long long)i, (unsigned long long)o->seed,
			       (unsigned long long)i + 1, a, b);
			unsigned steps = tg_shrink(&c, run_both, &k);
			if (tg_model_run(&c, exp, NULL) == 0 &&
			    run_both(&k, &c, got, &e) == 0) {
				tg_outcome_text(exp, a, sizeof(a));
				tg_outcome_text(got, b, sizeof(b));
				printf("  shrunk (%u steps):\n", steps);
				tg_print_case(stdout, &c);
				printf("  expected (model): %s\n  got (difvm): %s\n", a, b);
			}
		}
		tg_case_free(&c);
	}
	double dt = now() - t0;
	printf("check: seed %llu: %llu programs in %.1f s (%.0f/s), %llu mismatches\n",
	       (unsigned long long)o->seed, (unsigned long long)n, dt,
	       (double)n / (dt > 0 ? dt : 1e-9), (unsigned long long)bad);
	free(exp);
	free(got);
	return bad ? 1 : 0;
}

/* ---- coverage -------------------------------------------------------------- */

static int cmd_coverage(struct opts *o, const char *file)
{
	struct tg_err e = { "" };
	struct tg_corpus *db;
	if (tg_corpus_open(file, 0, &db, &e)) {
		fprintf(stderr, "difgen: %s\n", e.msg);
		return 2;
	}
	if (tg_corpus_index(db, &e)) {
		fprintf(stderr, "difgen: %s: %s\n", file, e.msg);
		tg_corpus_close(db);
		return 2;
	}
	sqlite3_stmt *st;
	const char *q =
		"SELECT p.id, p.insn, p.name, COUNT(cp.case_name),"
		" COALESCE(SUM(cp.observed), 0)"
		" FROM partitions p LEFT JOIN case_partitions cp"
		" ON cp.partition = p.id GROUP BY p.id ORDER BY p.id";
	if (sqlite3_prepare_v2(tg_corpus_db(db), q, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "difgen: %s: %s\n", file,
		        sqlite3_errmsg(tg_corpus_db(db)));
		tg_corpus_close(db);
		return 2;
	}
	char cur[64] = "";
	unsigned ncases = 0, ncov = 0, total = 0, covered = 0;
	uint64_t tests = 0;
	char (*unc)[192] = NULL; /* "insn/case" NUL "(fired by ...)" */
	size_t nunc = 0, nna = 0;
	printf("%-22s %7s %9s\n", "INSTRUCTION", "CASES", "TESTS");
	for (;;) {
		int rc = sqlite3_step(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			/* damage: never report a partial count as the coverage */
			fprintf(stderr, "difgen: %s: sqlite: %s (after partition of %s)\n",
			        file, sqlite3_errmsg(tg_corpus_db(db)), cur[0] ? cur : "-");
			sqlite3_finalize(st);
			tg_corpus_close(db);
			free(unc);
			return 2;
		}
		const char *insn = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 1) : NULL;
		if (rc == SQLITE_ROW && !insn) {
			fprintf(stderr, "difgen: %s: damaged corpus: partition %lld has "
			        "no instruction\n", file,
			        (long long)sqlite3_column_int64(st, 0));
			sqlite3_finalize(st);
			tg_corpus_close(db);
			free(unc);
			return 2;
		}
		if (!insn || strcmp(insn, cur) != 0) {
			if (cur[0])
				printf("%-22s %3u/%-3u %9llu\n", cur, ncov, ncases,
				       (unsigned long long)tests);
			if (!insn)
				break;
			snprintf(cur, sizeof(cur), "%s", insn);
			ncases = ncov = 0;
			tests = 0;
		}
		const char *name = (const char *)sqlite3_column_text(st, 2);
		uint64_t fired = (uint64_t)sqlite3_column_int64(st, 3);
		uint64_t n = (uint64_t)sqlite3_column_int64(st, 4);
		ncases++;
		total++;
		tests += n;
		const char *why = NULL;
		if (n >= o->min_tests) {
			ncov++;
			covered++;
		} else if (!tg_part_applies((size_t)sqlite3_column_int64(st, 0), &why) &&
		           why) {
			printf("n/a: %s/%s (%s)\n", insn, name ? name : "", why);
			nna++;
		} else {
			char (*nu)[192] = realloc(unc, (nunc + 1) * sizeof(*unc));
			if (nu) {
				unc = nu;
				int kl = snprintf(unc[nunc], 96, "%s/%s", insn,
				                  name ? name : "");
				kl = kl < 96 ? kl : 95;
				snprintf(unc[nunc++] + kl + 1, 192 - 96,
				         "(fired by %llu tests, observed by %llu)",
				         (unsigned long long)fired, (unsigned long long)n);
			}
		}
		if (o->verbose)
			printf("    %-34s %9llu (fired by %llu)\n", name ? name : "",
			       (unsigned long long)n, (unsigned long long)fired);
	}
	sqlite3_finalize(st);
	tg_corpus_close(db);
	if (total == 0) {
		fprintf(stderr, "difgen: %s: damaged corpus: no partitions\n", file);
		free(unc);
		return 2;
	}
	size_t nallowed = 0, nbad = 0;
	char *allow = NULL;
	if (o->allow) {
		FILE *f = fopen(o->allow, "r");
		if (!f) {
			perror(o->allow);
			free(unc);
			return 2;
		}
		size_t cap = 0, len = 0;
		char line[512];
		while (fgets(line, sizeof(line), f)) {
			char key[200];
			if (line[0] == '#' || sscanf(line, "%199s", key) != 1)
				continue;
			size_t kl = strlen(key) + 2;
			char *na = realloc(allow, cap = len + kl + 1);
			if (!na)
				break;
			allow = na;
			snprintf(allow + len, cap - len, "\n%s", key);
			len += kl - 1;
		}
		fclose(f);
		(void)cap;
	}
	for (size_t i = 0; i < nunc; i++) {
		char pat[140];
		snprintf(pat, sizeof(pat), "\n%s", unc[i]);
		size_t pl = strlen(pat);
		const char *hit = allow ? strstr(allow, pat) : NULL;
		while (hit && hit[pl] != '\n' && hit[pl] != 0)
			hit = strstr(hit + 1, pat);
		if (hit) {
			printf("unreachable: %s (allowed by %s)\n", unc[i], o->allow);
			nallowed++;
		} else {
			printf("uncovered: %s %s\n", unc[i], unc[i] + strlen(unc[i]) + 1);
			nbad++;
		}
	}
	free(unc);
	free(allow);
	printf("coverage: %u of %u model cases covered, %zu not applicable here,"
	       " %zu unreachable by design, %zu uncovered\n", covered, total, nna,
	       nallowed, nbad);
	return nbad ? 1 : 0;
}

/* ---- show / merge ----------------------------------------------------------- */

static int cmd_show(const char *file, const char *name)
{
	struct tg_err e = { "" };
	struct tg_corpus *db;
	if (tg_corpus_open(file, 0, &db, &e)) {
		fprintf(stderr, "difgen: %s\n", e.msg);
		return 2;
	}
	struct dc_case c;
	struct dc_outcome *out = malloc(sizeof(*out));
	int r = out ? tg_corpus_get_case(db, name, &c, out, &e) : -1;
	if (r) {
		fprintf(stderr, "difgen: %s: %s\n", file, e.msg);
		tg_corpus_close(db);
		free(out);
		return 2;
	}
	sqlite3_stmt *st;
	printf("case %s", name);
	if (sqlite3_prepare_v2(tg_corpus_db(db),
	                       "SELECT c.kind, p.insn, p.name FROM cases c LEFT JOIN"
	                       " partitions p ON p.id = c.target WHERE c.name = ?",
	                       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			printf(" (%s", (const char *)sqlite3_column_text(st, 0));
			if (sqlite3_column_text(st, 1))
				printf(" test of %s/%s",
				       (const char *)sqlite3_column_text(st, 1),
				       (const char *)sqlite3_column_text(st, 2));
			printf(")");
		}
		sqlite3_finalize(st);
	}
	printf("\n");
	tg_print_case(stdout, &c);
	char buf[400];
	tg_outcome_text(out, buf, sizeof(buf));
	printf("expected: %s\n", buf);
	tg_case_free(&c);
	free(out);
	tg_corpus_close(db);
	return 0;
}

static int cmd_merge(int n, char **files)
{
	struct tg_err e = { "" };
	struct tg_corpus *db;
	if (n < 2) {
		fprintf(stderr, "difgen: merge needs OUT and at least one FILE\n");
		return 2;
	}
	if (access(files[0], F_OK) == 0 && unlink(files[0]) != 0) {
		perror(files[0]);
		return 2;
	}
	if (tg_corpus_open(files[0], 1, &db, &e)) {
		fprintf(stderr, "difgen: %s\n", e.msg);
		return 2;
	}
	for (int i = 1; i < n; i++) {
		if (tg_corpus_merge(db, files[i], &e)) {
			fprintf(stderr, "difgen: %s\n", e.msg);
			tg_corpus_close(db);
			return 2;
		}
	}
	tg_corpus_close(db);
	return 0;
}

struct import_st {
	struct tg_corpus *db;
	const char *file;
	char prefix[64];
	uint32_t *hits;
	unsigned n, bad;
};

static int import_one(void *ud, const struct tg_regress_case *rc)
{
	struct import_st *st = ud;
	struct dc_outcome *got = calloc(1, sizeof(*got));
	char name[200], a[400], b[400];
	int r = 0;
	if (!got)
		return -1;
	snprintf(name, sizeof(name), "%s/%s", st->prefix, rc->name);
	memset(st->hits, 0, tg_nparts() * sizeof(*st->hits));
	if (!tg_case_valid(rc->c)) {
		printf("%s:%u: %s: the validator rejects the program\n", st->file,
		       rc->line, rc->name);
		st->bad++;
	} else if (tg_model_run(rc->c, got, st->hits)) {
		printf("%s:%u: %s: the model cannot run the case\n", st->file,
		       rc->line, rc->name);
		st->bad++;
	} else if (!tg_outcome_equal(got, &rc->expect)) {
		tg_outcome_text(&rc->expect, a, sizeof(a));
		tg_outcome_text(got, b, sizeof(b));
		printf("%s:%u: %s: MODEL MISMATCH\n  expected (file): %s\n"
		       "  got (model): %s\n", st->file, rc->line, rc->name, a, b);
		st->bad++;
	} else if (tg_corpus_put_case(st->db, name, "regression", 0, -1, rc->c,
	                              got, st->hits)) {
		r = -1;
	} else {
		st->n++;
	}
	free(got);
	return r;
}

static int cmd_import(int n, char **files)
{
	struct tg_err e = { "" };
	struct import_st st;
	if (n < 2) {
		fprintf(stderr, "difgen: import needs OUT and at least one case file\n");
		return 2;
	}
	memset(&st, 0, sizeof(st));
	if (access(files[0], F_OK) == 0 && unlink(files[0]) != 0) {
		perror(files[0]);
		return 2;
	}
	if (tg_corpus_open(files[0], 1, &st.db, &e)) {
		fprintf(stderr, "difgen: %s\n", e.msg);
		return 2;
	}
	st.hits = calloc(tg_nparts() + 1, sizeof(*st.hits));
	int status = st.hits ? 0 : 2;
	if (!status && (tg_corpus_begin(st.db) || tg_corpus_put_parts(st.db) ||
	                tg_corpus_set_meta(st.db, "format", "difgen-corpus-1") ||
	                tg_corpus_set_meta(st.db, "generator", "difgen import") ||
	                tg_corpus_set_meta(st.db, "spec_version", tg_spec_version())))
		status = 2;
	for (int i = 1; i < n && !status; i++) {
		const char *base = strrchr(files[i], '/');
		base = base ? base + 1 : files[i];
		snprintf(st.prefix, sizeof(st.prefix), "%.*s",
		         (int)strcspn(base, "."), base);
		st.file = files[i];
		if (tg_regress_each(files[i], import_one, &st, &e)) {
			fprintf(stderr, "difgen: %s\n", e.msg[0] ? e.msg : "import failed");
			status = 2;
		}
	}
	if (!status && tg_corpus_commit(st.db))
		status = 2;
	tg_corpus_close(st.db);
	free(st.hits);
	if (status)
		return status;
	printf("imported %u cases, %u rejected (model mismatch or invalid)\n",
	       st.n, st.bad);
	return st.bad ? 1 : 0;
}

static int run(int argc, char **argv)
{
	struct opts o = { .seed = 1, .count = 1000, .shard_n = 1, .tries = 2000,
		          .variants = 4, .max_shrink = 20,
		          .min_tests = 1 };
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "tries", required_argument, NULL, 't' },
		{ "variants", required_argument, NULL, 'V' },
		{ "shard", required_argument, NULL, 'S' },
		{ "runtime", required_argument, NULL, 'r' },
		{ "max-shrink", required_argument, NULL, 'm' },
		{ "cases", required_argument, NULL, 'c' },
		{ "insn", required_argument, NULL, 'i' },
		{ "allow", required_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "min-tests", required_argument, NULL, 'M' },
		{ "layout-shift", required_argument, NULL, 'L' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	uint64_t v;
	/* Every case creates and frees a VM (1 MiB dynamic arena, 64 KiB
	 * scratch by default). Large arenas stay fresh mappings (zero pages,
	 * no memset), smaller blocks stay in an untrimmed heap: no page
	 * faults per case. */
	mallopt(M_MMAP_THRESHOLD, 512 << 10);
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	while ((ch = getopt_long(argc, argv, "s:n:o:t:V:r:m:c:i:a:vqh", lo, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (parse_u64(optarg, &o.seed))
				goto bad;
			break;
		case 'n':
			if (parse_u64(optarg, &o.count))
				goto bad;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 't':
			if (parse_u64(optarg, &v) || v == 0 || v > 1000000)
				goto bad;
			o.tries = (unsigned)v;
			break;
		case 'V':
			if (parse_u64(optarg, &v) || v == 0 || v > 100)
				goto bad;
			o.variants = (unsigned)v;
			break;
		case 'S':
			if (parse_shard(optarg, &o.shard_k, &o.shard_n))
				goto bad;
			break;
		case 'r':
			o.runtime = optarg;
			break;
		case 'c':
			o.cases = optarg;
			break;
		case 'i':
			o.insn = optarg;
			break;
		case 'a':
			o.allow = optarg;
			break;
		case 'm':
			if (parse_u64(optarg, &v) || v > 1000000)
				goto bad;
			o.max_shrink = (unsigned)v;
			break;
		case 'M':
			if (parse_u64(optarg, &o.min_tests) || o.min_tests == 0 ||
			    o.min_tests > 100)
				goto bad;
			break;
		case 'L':
			if (parse_u64(optarg, &o.layout_shift) ||
			    o.layout_shift > (1ull << 30))
				goto bad;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'W':
			printf("difgen %s (difvm %s, model %s, protocol %s %u)\n",
			       TG_VERSION, DIFVM_VERSION, tg_spec_version(),
			       TG_PROTO_NAME, TG_PROTO_VERSION);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
		continue;
bad:
		fprintf(stderr, "difgen: bad value for --%s: '%s'\n",
		        ch == 'S' ? "shard" : ch == 's' ? "seed" : ch == 'n' ? "count"
		        : ch == 't' ? "tries" : ch == 'V' ? "variants"
		        : ch == 'M' ? "min-tests" : ch == 'L' ? "layout-shift" : "max-shrink",
		        optarg);
		return 2;
	}
	/* options may stand before or after the command and its files */
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	const char *cmd = argv[optind++];
	int npos = argc - optind;
	char **pos = argv + optind;
	if (strcmp(cmd, "generate") == 0) {
		if (npos) {
			fprintf(stderr, "difgen: generate: unexpected '%s'\n", pos[0]);
			return 2;
		}
		return cmd_generate(&o);
	}
	if (strcmp(cmd, "check") == 0 && npos == 0)
		return cmd_check(&o);
	if (strcmp(cmd, "replay") == 0 && npos == 1)
		return cmd_replay(&o, pos[0]);
	if (strcmp(cmd, "coverage") == 0 && npos == 1)
		return cmd_coverage(&o, pos[0]);
	if (strcmp(cmd, "show") == 0 && npos == 2)
		return cmd_show(pos[0], pos[1]);
	if (strcmp(cmd, "merge") == 0)
		return cmd_merge(npos, pos);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(npos, pos);
	fprintf(stderr, "difgen: bad command line for '%s'\n", cmd);
	fputs(usage_text, stderr);
	return 2;
}

int main(int argc, char **argv)
{
	int st = run(argc, argv);
	/* a full disk must not leave a "passed" behind with exit 0 */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "difgen: standard output: %s\n",
		        strerror(errno ? errno : EIO));
		return 2;
	}
	return st;
}
