/* The SQLite corpus (schema in docs/corpus.md). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tg.h"

#define HIT_ROWS 16

struct tg_corpus {
	sqlite3 *db;
	sqlite3_stmt *ins_case, *ins_result, *set_observed;
	/* ins_hits[k]: k + 1 case_partitions rows of one case (prepared on
	 * first use): a case fires several model cases, and one statement
	 * per row costs more than the row */
	sqlite3_stmt *ins_hits[HIT_ROWS];
	char case_error[256]; /* why the last case given as NULL is broken */
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS partitions("
	" id INTEGER PRIMARY KEY, insn TEXT NOT NULL, name TEXT NOT NULL,"
	" guard TEXT, effect TEXT, cite TEXT, profiles INTEGER);"
	"CREATE TABLE IF NOT EXISTS cases("
	" name TEXT PRIMARY KEY, kind TEXT NOT NULL, seed INTEGER NOT NULL,"
	" target INTEGER, program BLOB NOT NULL, expected BLOB NOT NULL);"
	"CREATE TABLE IF NOT EXISTS case_partitions("
	" case_name TEXT NOT NULL, partition INTEGER NOT NULL,"
	" hits INTEGER NOT NULL, observed INTEGER NOT NULL DEFAULT 0,"
	" PRIMARY KEY(case_name, partition)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS results("
	" case_name TEXT NOT NULL, runtime TEXT NOT NULL, outcome BLOB,"
	" match INTEGER NOT NULL, PRIMARY KEY(case_name, runtime)) WITHOUT ROWID;";

/* Only `difgen coverage` looks case_partitions up by model case: it
 * builds the index on first use (tg_corpus_index), so that generate,
 * merge and replay do not pay for it (a tenth of generate's time). */
static const char index_sql[] =
	"CREATE INDEX IF NOT EXISTS case_partitions_p"
	" ON case_partitions(partition);";

struct sqlite3 *tg_corpus_db(struct tg_corpus *db)
{
	return db->db;
}

const char *tg_corpus_case_error(const struct tg_corpus *db)
{
	return db->case_error;
}

const char *tg_corpus_errmsg(struct tg_corpus *db)
{
	return sqlite3_errmsg(db->db);
}

static int exec(struct tg_corpus *db, const char *sql, struct tg_err *e)
{
	char *msg = NULL;
	if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		tg_errf(e, "sqlite: %s", msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int tg_corpus_open(const char *path, int create, struct tg_corpus **out,
                   struct tg_err *e)
{
	struct tg_corpus *db = calloc(1, sizeof(*db));
	if (!db) {
		tg_errf(e, "out of memory");
		return -1;
	}
	/* a corpus handle is used by one thread: no per-call locking */
	int fl = SQLITE_OPEN_NOMUTEX |
	         (create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
	                 : SQLITE_OPEN_READWRITE);
	if (sqlite3_open_v2(path, &db->db, fl, NULL) != SQLITE_OK) {
		tg_errf(e, "%s: %s", path, sqlite3_errmsg(db->db));
		goto fail;
	}
	if (exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;", e))
		goto fail;
	/* 16 KiB pages: a case row is about 1 KiB (its regions' bytes), and
	 * with the default 4 KiB pages inserting them split pages all the
	 * time (generate: ~10% less CPU) */
	if (create && (exec(db, "PRAGMA page_size=16384;", e) || exec(db, schema, e)))
		goto fail;
	if (!create) {
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(db->db,
		                       "SELECT value FROM meta WHERE key='format'",
		                       -1, &st, NULL) != SQLITE_OK) {
			tg_errf(e, "%s: not a difgen corpus", path);
			goto fail;
		}
		int src = sqlite3_step(st);
		sqlite3_finalize(st);
		if (src != SQLITE_ROW) {
			if (src == SQLITE_DONE)
				tg_errf(e, "%s: not a difgen corpus", path);
			else
				tg_errf(e, "%s: sqlite: %s", path, sqlite3_errmsg(db->db));
			goto fail;
		}
		/* Every table must be there: one recreated empty would make a
		 * damaged corpus replay as "0 passed". */
		static const char *const tables[] = { "meta", "partitions", "cases",
		                                      "case_partitions", "results" };
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
			if (sqlite3_prepare_v2(db->db,
			                       "SELECT 1 FROM sqlite_master WHERE"
			                       " type='table' AND name=?",
			                       -1, &st, NULL) != SQLITE_OK) {
				tg_errf(e, "%s: sqlite: %s", path, sqlite3_errmsg(db->db));
				goto fail;
			}
			sqlite3_bind_text(st, 1, tables[i], -1, SQLITE_STATIC);
			int trc = sqlite3_step(st);
			sqlite3_finalize(st);
			if (trc != SQLITE_ROW) {
				if (trc == SQLITE_DONE)
					tg_errf(e, "%s: damaged corpus: table '%s' is missing",
					        path, tables[i]);
				else
					tg_errf(e, "%s: sqlite: %s", path, sqlite3_errmsg(db->db));
				goto fail;
			}
		}
	}
	if (sqlite3_prepare_v2(db->db,
	                       "INSERT OR REPLACE INTO cases VALUES(?,?,?,?,?,?)",
	                       -1, &db->ins_case, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db,
	                       "INSERT OR REPLACE INTO results VALUES(?,?,?,?)",
	                       -1, &db->ins_result, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db,
	                       "UPDATE case_partitions SET observed = 1"
	                       " WHERE case_name = ? AND partition = ?",
	                       -1, &db->set_observed, NULL) != SQLITE_OK) {
		tg_errf(e, "sqlite: %s", sqlite3_errmsg(db->db));
		goto fail;
	}
	if (create && tg_corpus_set_meta(db, "format", "difgen-corpus-1"))
		goto fail;
	*out = db;
	return 0;
fail:
	tg_corpus_close(db);
	return -1;
}

void tg_corpus_close(struct tg_corpus *db)
{
	if (!db)
		return;
	sqlite3_finalize(db->ins_case);
	for (int k = 0; k < HIT_ROWS; k++)
		sqlite3_finalize(db->ins_hits[k]);
	sqlite3_finalize(db->ins_result);
	sqlite3_finalize(db->set_observed);
	sqlite3_close(db->db);
	free(db);
}

int tg_corpus_begin(struct tg_corpus *db)
{
	return exec(db, "BEGIN", NULL);
}

int tg_corpus_commit(struct tg_corpus *db)
{
	return exec(db, "COMMIT", NULL);
}

int tg_corpus_index(struct tg_corpus *db, struct tg_err *e)
{
	return exec(db, index_sql, e);
}

int tg_corpus_set_meta(struct tg_corpus *db, const char *key,
                       const char *value)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db,
	                       "INSERT OR REPLACE INTO meta VALUES(?,?)", -1, &st,
	                       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	int r = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return r;
}

char *tg_corpus_get_meta(struct tg_corpus *db, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key=?",
	                       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int tg_corpus_put_parts(struct tg_corpus *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db,
	                       "INSERT OR REPLACE INTO partitions"
	                       " VALUES(?,?,?,?,?,?,?)",
	                       -1, &st, NULL) != SQLITE_OK)
		return -1;
	int r = 0;
	for (size_t i = 0; i < tg_nparts() && !r; i++) {
		struct tg_part p;
		tg_part_at(i, &p);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
		sqlite3_bind_text(st, 2, p.insn ? p.insn : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, p.name ? p.name : "", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, p.guard, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, p.effect, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, p.cite, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, p.profiles);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = -1;
	}
	sqlite3_finalize(st);
	return r;
}

/* The statement inserting n rows (1 <= n <= HIT_ROWS) of one case:
 * ?1 the case, then partition and hits per row. */
static sqlite3_stmt *hit_stmt(struct tg_corpus *db, int n)
{
	sqlite3_stmt **st = &db->ins_hits[n - 1];
	if (*st)
		return *st;
	char sql[128 + HIT_ROWS * 24];
	int len = snprintf(sql, sizeof(sql),
	                   "INSERT OR REPLACE INTO case_partitions VALUES");
	for (int k = 0; k < n; k++)
		len += snprintf(sql + len, sizeof(sql) - (size_t)len,
		                "%s(?1,?%d,?%d,0)", k ? "," : "", 2 + 2 * k,
		                3 + 2 * k);
	if (sqlite3_prepare_v2(db->db, sql, -1, st, NULL) != SQLITE_OK)
		*st = NULL;
	return *st;
}

int tg_corpus_put_case(struct tg_corpus *db, const char *name,
                       const char *kind, uint64_t seed, long target,
                       const struct dc_case *c, const struct dc_outcome *o,
                       const uint32_t *hits)
{
	uint8_t *pb = NULL, *ob = NULL;
	size_t pl, ol;
	if (tg_cbor_case_encode(c, &pb, &pl) ||
	    tg_cbor_outcome_encode(o, &ob, &ol)) {
		free(pb);
		return -1;
	}
	sqlite3_stmt *st = db->ins_case;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)seed);
	if (target >= 0)
		sqlite3_bind_int64(st, 4, target);
	else
		sqlite3_bind_null(st, 4);
	sqlite3_bind_blob(st, 5, pb, (int)pl, free);
	sqlite3_bind_blob(st, 6, ob, (int)ol, free);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	if (!hits)
		return 0;
	size_t np = tg_nparts(), i = 0;
	for (;;) {
		/* the next (up to HIT_ROWS) model cases that fired */
		size_t part[HIT_ROWS];
		int n = 0;
		for (; i < np && n < HIT_ROWS; i++)
			if (hits[i])
				part[n++] = i;
		if (n == 0)
			break;
		sqlite3_stmt *hs = hit_stmt(db, n);
		if (!hs)
			return -1;
		sqlite3_reset(hs);
		sqlite3_bind_text(hs, 1, name, -1, SQLITE_STATIC);
		for (int k = 0; k < n; k++) {
			sqlite3_bind_int64(hs, 2 + 2 * k, (sqlite3_int64)part[k]);
			sqlite3_bind_int64(hs, 3 + 2 * k, (sqlite3_int64)hits[part[k]]);
		}
		if (sqlite3_step(hs) != SQLITE_DONE)
			return -1;
	}
	return 0;
}

int tg_corpus_put_observed(struct tg_corpus *db, const char *name, size_t p)
{
	sqlite3_stmt *st = db->set_observed;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)p);
	int rc = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db->db) == 1;
	return rc ? 0 : -1;
}

int tg_corpus_put_result(struct tg_corpus *db, const char *name,
                         const char *runtime, const struct dc_outcome *o,
                         int match)
{
	uint8_t *ob = NULL;
	size_t ol = 0;
	if (o && tg_cbor_outcome_encode(o, &ob, &ol))
		return -1;
	sqlite3_stmt *st = db->ins_result;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, runtime, -1, SQLITE_TRANSIENT);
	if (ob)
		sqlite3_bind_blob(st, 3, ob, (int)ol, free);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int(st, 4, match);
	return sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
}

static int load_row(sqlite3_stmt *st, int col, struct dc_case *c,
                    struct dc_outcome *o, struct tg_err *e)
{
	if (sqlite3_column_type(st, col) != SQLITE_BLOB ||
	    sqlite3_column_type(st, col + 1) != SQLITE_BLOB) {
		tg_errf(e, "program or outcome is not a blob");
		return -1;
	}
	const void *pb = sqlite3_column_blob(st, col);
	int pl = sqlite3_column_bytes(st, col);
	const void *ob = sqlite3_column_blob(st, col + 1);
	int ol = sqlite3_column_bytes(st, col + 1);
	if (!pb || !ob) {
		tg_errf(e, "empty program or outcome");
		return -1;
	}
	if (tg_cbor_case_decode(pb, (size_t)pl, c, e))
		return -1;
	if (tg_cbor_outcome_decode(ob, (size_t)ol, o, e)) {
		tg_case_free(c);
		return -1;
	}
	return 0;
}

int tg_corpus_each(struct tg_corpus *db, const char *glob, const char *insn,
                   unsigned shard_k, unsigned shard_n, tg_case_cb cb,
                   void *ud, struct tg_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db,
	                       "SELECT name, program, expected FROM cases"
	                       " WHERE (?1 IS NULL OR name GLOB ?1) AND"
	                       " (?2 IS NULL OR target IN"
	                       "  (SELECT id FROM partitions WHERE insn = ?2))"
	                       " ORDER BY name",
	                       -1, &st, NULL) != SQLITE_OK) {
		tg_errf(e, "sqlite: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, glob, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, insn, -1, SQLITE_STATIC);
	int r = 0;
	unsigned long idx = 0;
	struct dc_outcome *o = malloc(sizeof(*o));
	if (!o) {
		sqlite3_finalize(st);
		tg_errf(e, "out of memory");
		return -1;
	}
	char nbuf[128] = "";
	int src;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		if (shard_n > 1 && idx++ % shard_n != shard_k)
			continue;
		struct dc_case c;
		const char *name = (const char *)sqlite3_column_text(st, 0);
		snprintf(nbuf, sizeof(nbuf), "%s", name ? name : "?");
		struct tg_err ce = { "" };
		int stop;
		if (load_row(st, 1, &c, o, &ce)) {
			/* A broken case fails alone; the caller reports it. */
			snprintf(db->case_error, sizeof(db->case_error), "%s", ce.msg);
			stop = cb(ud, nbuf, NULL, NULL);
		} else {
			stop = cb(ud, nbuf, &c, o);
			tg_case_free(&c);
		}
		if (stop)
			break;
	}
	if (src != SQLITE_ROW && src != SQLITE_DONE) {
		/* Damage in the table itself: the rows past it are lost, so the
		 * whole run fails (never "the end of the rows"). */
		tg_errf(e, "sqlite: %s (reading the case after '%.100s')",
		        sqlite3_errmsg(db->db), nbuf[0] ? nbuf : "(start)");
		r = -1;
	}
	free(o);
	sqlite3_finalize(st);
	return r;
}

int tg_corpus_get_case(struct tg_corpus *db, const char *name,
                       struct dc_case *c, struct dc_outcome *o,
                       struct tg_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db,
	                       "SELECT program, expected FROM cases WHERE name=?",
	                       -1, &st, NULL) != SQLITE_OK) {
		tg_errf(e, "sqlite: %s", sqlite3_errmsg(db->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int r, src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		r = load_row(st, 0, c, o, e);
		if (r) {
			char m[256];
			snprintf(m, sizeof(m), "%s", e ? e->msg : "");
			tg_errf(e, "case %.40s: %.200s", name, m);
		}
	} else if (src == SQLITE_DONE) {
		tg_errf(e, "no case named %s", name);
		r = -1;
	} else {
		tg_errf(e, "sqlite: %s (reading case %s)", sqlite3_errmsg(db->db),
		        name);
		r = -1;
	}
	sqlite3_finalize(st);
	return r;
}

int tg_corpus_merge(struct tg_corpus *dst, const char *src, struct tg_err *e)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(dst->db, "ATTACH DATABASE ? AS src", -1, &st,
	                       NULL) != SQLITE_OK) {
		tg_errf(e, "sqlite: %s", sqlite3_errmsg(dst->db));
		return -1;
	}
	sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		tg_errf(e, "%s: %s", src, sqlite3_errmsg(dst->db));
		return -1;
	}
	char *fmt = NULL;
	if (sqlite3_prepare_v2(dst->db,
	                       "SELECT value FROM src.meta WHERE key='format'",
	                       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			fmt = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	int r = 0;
	if (!fmt || strcmp(fmt, "difgen-corpus-1") != 0) {
		tg_errf(e, "%s: not a difgen corpus", src);
		r = -1;
	} else {
		/* Shards of one run agree on everything but the shard key;
		 * the first merged input provides the rest of the metadata. */
		r = exec(dst,
		         "BEGIN;"
		         "INSERT OR IGNORE INTO meta SELECT * FROM src.meta"
		         " WHERE key NOT IN ('shard');"
		         "INSERT OR IGNORE INTO partitions"
		         " SELECT * FROM src.partitions;"
		         "INSERT OR IGNORE INTO cases SELECT * FROM src.cases;"
		         "INSERT OR IGNORE INTO case_partitions"
		         " SELECT * FROM src.case_partitions;"
		         "INSERT OR IGNORE INTO results SELECT * FROM src.results;"
		         "COMMIT;",
		         e);
	}
	free(fmt);
	exec(dst, "DETACH DATABASE src", NULL);
	return r;
}
