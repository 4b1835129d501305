/* db.c — one PostgreSQL connection per worker thread, prepared statements by name, transaction
 * runner with retries, reconnect + re-prepare after a lost link, fast 503 while it is down. */
#include "civitas/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civitas/buf.h"
#include "civitas/log.h"
#include "civitas/metrics.h"

#include "internal.h"

/* Statements libcommon itself needs on every connection (readiness, outbox, inbox). */
static const struct lc_sql builtin_sql[] = {
    {"lc_ready", "SELECT coalesce(max(version), 0) FROM schema_migrations"},
    /* The row and the wake-up of the delivery thread ($7 its channel; PostgreSQL sends one NOTIFY
     * however many rows a transaction queues), in one round trip. */
    {"lc_outbox_insert",
     "WITH i AS (INSERT INTO outbox (event_id, target, topic, payload, merge_key, next_attempt_at)"
     " VALUES ($1, $2, $3, $4::jsonb, $5, now() + $6::int * interval '1 second') RETURNING 1)"
     " SELECT pg_notify($7, '') FROM i"},
    /* A waiting event (never attempted, not yet due) takes the data of a newer one. */
    {"lc_outbox_merge", "UPDATE outbox SET payload = jsonb_set(payload, '{data}', $3::jsonb), merge_key = $4"
                        " WHERE topic = $1 AND merge_key = $2 AND attempts = 0 AND delivered_at IS NULL"
                        " AND failed_at IS NULL AND next_attempt_at > now()"},
    {"lc_outbox_merge_lock", "SELECT pg_advisory_xact_lock(7413, hashtext($1))"},
    {"lc_inbox_claim", "INSERT INTO inbox (event_id) VALUES ($1::uuid) ON CONFLICT DO NOTHING"},
    {"lc_uuid", "SELECT gen_random_uuid()::text"},
    /* lc_db_exec_generic's setting for the one statement it runs: prepared, not parsed and
     * planned again on each call (~0.02 ms of the backend's CPU a call) */
    {"lc_generic_plan", "SELECT set_config('plan_cache_mode', 'force_generic_plan', true)"},
    {NULL, NULL},
};

struct lc_db {
	PGconn *conn;
	bool in_tx;
	bool unavailable;         /* last failure was the link, not the statement */
	struct timespec retry_at; /* no reconnect attempt before this (keeps 503s fast) */
	char sqlstate[6];
	char error[256];
};

static struct {
	char *conninfo;
	char *schema;
	const struct lc_sql *statements;
	const struct lc_sql *more[4];
	size_t nmore;
	pthread_key_t key;
	pthread_once_t once;
} G = {.once = PTHREAD_ONCE_INIT};

static void db_free(void *p)
{
	struct lc_db *db = p;
	if (!db)
		return;
	if (db->conn) {
		PQfinish(db->conn);
		lc_metrics_gauge_add("db_connections_open", -1);
	}
	free(db);
}

static void on_notice(void *arg, const char *message)
{
	lc_debug("postgres: %.*s", (int)strcspn(message, "\n"), message);
}

void lc_db_adopt(PGconn *conn)
{
	PQsetNoticeProcessor(conn, on_notice, NULL);
}

static void make_key(void)
{
	pthread_key_create(&G.key, db_free);
}

int lc_db_setup(const char *conninfo, const char *schema, const struct lc_sql *statements)
{
	pthread_once(&G.once, make_key);
	free(G.conninfo);
	free(G.schema);
	G.conninfo = strdup(conninfo);
	G.schema = strdup(schema);
	G.statements = statements;
	G.nmore = 0;
	lc_metrics_gauge_add("db_connections_open", 0);
	return G.conninfo && G.schema ? 0 : -1;
}

int lc_db_add_statements(const struct lc_sql *statements)
{
	if (G.nmore >= sizeof(G.more) / sizeof(G.more[0]))
		return -1;
	G.more[G.nmore++] = statements;
	return 0;
}

void lc_db_teardown(void)
{
	lc_db_thread_close();
	free(G.conninfo);
	free(G.schema);
	G.conninfo = G.schema = NULL;
}

static void set_failure(struct lc_db *db, const PGresult *res)
{
	const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	bool link_gone = !db->conn || PQstatus(db->conn) != CONNECTION_OK;
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", st ? st : (link_gone ? "08006" : "XX000"));
	snprintf(db->error, sizeof(db->error), "%s",
	         res ? PQresultErrorMessage(res) : (db->conn ? PQerrorMessage(db->conn) : "no connection"));
	db->error[strcspn(db->error, "\n")] = '\0';
	db->unavailable = link_gone || strncmp(db->sqlstate, "08", 2) == 0 ||
	                  strcmp(db->sqlstate, "57P01") == 0 || strcmp(db->sqlstate, "57P03") == 0;
}

static bool prepare_all(struct lc_db *db, const struct lc_sql *list)
{
	for (size_t i = 0; list && list[i].name; i++) {
		PGresult *r = PQprepare(db->conn, list[i].name, list[i].text, 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			/* A bad statement is a bug in the service: say which, keep the others usable. */
			lc_error("prepare %s failed: %s", list[i].name, PQresultErrorMessage(r));
			if (PQstatus(db->conn) != CONNECTION_OK) {
				PQclear(r);
				return false;
			}
		}
		PQclear(r);
	}
	return true;
}

static void disconnect(struct lc_db *db)
{
	if (db->conn) {
		PQfinish(db->conn);
		db->conn = NULL;
		lc_metrics_gauge_add("db_connections_open", -1);
	}
	db->in_tx = false;
}

/* Connects (again) unless a recent attempt failed; true when the link is up. */
static bool ensure_connected(struct lc_db *db)
{
	if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
		return true;
	disconnect(db);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < db->retry_at.tv_sec ||
	    (now.tv_sec == db->retry_at.tv_sec && now.tv_nsec < db->retry_at.tv_nsec)) {
		db->unavailable = true;
		snprintf(db->sqlstate, sizeof(db->sqlstate), "08006");
		return false;
	}
	db->conn = PQconnectdb(G.conninfo ? G.conninfo : "");
	if (PQstatus(db->conn) != CONNECTION_OK) {
		set_failure(db, NULL);
		lc_warn("database connection failed: %s", db->error);
		PQfinish(db->conn);
		db->conn = NULL;
		/* A refused connection costs little, a hanging one up to connect_timeout: wait a
		 * fifth of a second before this thread tries again, so answers stay fast. */
		db->retry_at = now;
		db->retry_at.tv_nsec += 200 * 1000 * 1000;
		if (db->retry_at.tv_nsec >= 1000000000L) {
			db->retry_at.tv_sec += 1;
			db->retry_at.tv_nsec -= 1000000000L;
		}
		return false;
	}
	lc_metrics_gauge_add("db_connections_open", 1);
	lc_db_adopt(db->conn);
	char *ident = PQescapeIdentifier(db->conn, G.schema, strlen(G.schema));
	/* JIT off: every statement of a daemon reads or writes a page through an index, and JIT
	 * compiles for 25-30 ms whenever a plan's estimate passes jit_above_cost — which a generic
	 * plan's blind estimate at a town's volume did (the agents' queue, 757,000). */
	char sql[200];
	snprintf(sql, sizeof(sql), "SET search_path TO %s; SET jit = off", ident ? ident : "public");
	PQfreemem(ident);
	PGresult *r = PQexec(db->conn, sql);
	PQclear(r);
	bool ok = prepare_all(db, builtin_sql) && prepare_all(db, G.statements);
	for (size_t i = 0; ok && i < G.nmore; i++)
		ok = prepare_all(db, G.more[i]);
	if (!ok) {
		set_failure(db, NULL);
		disconnect(db);
		return false;
	}
	db->unavailable = false;
	return true;
}

struct lc_db *lc_db_thread(void)
{
	pthread_once(&G.once, make_key);
	struct lc_db *db = pthread_getspecific(G.key);
	if (!db) {
		db = calloc(1, sizeof(*db));
		if (!db)
			abort(); /* nothing sensible can run without memory for 300 bytes */
		pthread_setspecific(G.key, db);
	}
	if (!db->in_tx)
		ensure_connected(db);
	return db;
}

void lc__db_forget_failure(void)
{
	pthread_once(&G.once, make_key);
	struct lc_db *db = pthread_getspecific(G.key);
	if (db && !db->in_tx)
		db->sqlstate[0] = '\0';
}

void lc_db_thread_close(void)
{
	pthread_once(&G.once, make_key);
	struct lc_db *db = pthread_getspecific(G.key);
	pthread_setspecific(G.key, NULL);
	db_free(db);
}

bool lc_db_ok(struct lc_db *db)
{
	return db->conn && PQstatus(db->conn) == CONNECTION_OK;
}
PGconn *lc_db_conn(struct lc_db *db)
{
	return db->conn;
}
const char *lc_db_sqlstate(const struct lc_db *db)
{
	return db->sqlstate;
}
const char *lc_db_error(const struct lc_db *db)
{
	return db->error;
}
bool lc_db_failed(const struct lc_db *db)
{
	return db->sqlstate[0] != '\0';
}

bool lc_db_unavailable(const struct lc_db *db)
{
	return db->unavailable;
}

static PGresult *exec_once(struct lc_db *db, const char *name, int n, const char *const *params, int format)
{
	if (!db->conn) {
		set_failure(db, NULL);
		return NULL;
	}
	PGresult *r = PQexecPrepared(db->conn, name, n, params, NULL, NULL, format);
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		db->sqlstate[0] = '\0';
		return r;
	}
	set_failure(db, r);
	PQclear(r);
	return NULL;
}

static PGresult *exec_plain(struct lc_db *db, const char *name, int nparams, const char *const *params,
                            int format)
{
	if (!db->in_tx && !ensure_connected(db))
		return NULL;
	PGresult *r = exec_once(db, name, nparams, params, format);
	/* Outside a transaction a lost link is invisible to the caller: reconnect, retry once. */
	if (!r && db->unavailable && !db->in_tx) {
		disconnect(db);
		db->retry_at.tv_sec = 0;
		if (ensure_connected(db))
			r = exec_once(db, name, nparams, params, format);
	}
	return r;
}

PGresult *lc_db_exec(struct lc_db *db, const char *name, int nparams, const char *const *params)
{
	return exec_plain(db, name, nparams, params, 0);
}

/* The statement under its generic plan: set_config(plan_cache_mode, force_generic_plan, local)
 * and the statement sent as one pipeline — one round trip, one implicit transaction, so the
 * setting ends with it (a SET LOCAL would warn there; set_config does not). */
static PGresult *exec_generic_once(struct lc_db *db, const char *name, int n, const char *const *params,
                                   int format)
{
	PGconn *c = db->conn;
	if (!c || !PQenterPipelineMode(c))
		return exec_once(db, name, n, params, format);
	bool sent = PQsendQueryPrepared(c, "lc_generic_plan", 0, NULL, NULL, NULL, 0) &&
	            PQsendQueryPrepared(c, name, n, params, NULL, NULL, format) && PQpipelineSync(c);
	PGresult *out = NULL, *fail = NULL;
	int seen = 0, nulls = 0;
	/* Results in order: set_config's, the statement's (each followed by a NULL), the sync. */
	while (sent) {
		PGresult *r = PQgetResult(c);
		if (!r) {
			if (PQstatus(c) != CONNECTION_OK || ++nulls > 4)
				break;
			continue;
		}
		nulls = 0;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (st == PGRES_FATAL_ERROR && !fail)
			fail = r;
		else if (seen == 1 && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK))
			out = r;
		else
			PQclear(r);
		seen++;
	}
	if (!PQexitPipelineMode(c)) {
		/* Results still pending (a send failed half-way): the link cannot serve the next statement
		 * in the ordinary mode, so it is treated as lost — dropped, and the call retried once on a
		 * new one like any lost connection. */
		PQclear(out);
		PQclear(fail);
		set_failure(db, NULL);
		db->unavailable = true;
		return NULL;
	}
	if (out && !fail) {
		db->sqlstate[0] = '\0';
		return out;
	}
	set_failure(db, fail);
	PQclear(out);
	PQclear(fail);
	return NULL;
}

PGresult *lc_db_exec_with(struct lc_db *db, const char *name, int nparams, const char *const *params,
                          unsigned flags)
{
	int format = flags & LC_DB_BINARY ? 1 : 0;
	if (!(flags & LC_DB_GENERIC) || db->in_tx) /* in a transaction a local setting would outlive it */
		return exec_plain(db, name, nparams, params, format);
	if (!ensure_connected(db))
		return NULL;
	PGresult *r = exec_generic_once(db, name, nparams, params, format);
	if (!r && db->unavailable) { /* as lc_db_exec: reconnect, retry once */
		disconnect(db);
		db->retry_at.tv_sec = 0;
		if (ensure_connected(db))
			r = exec_generic_once(db, name, nparams, params, format);
	}
	return r;
}

PGresult *lc_db_exec_generic(struct lc_db *db, const char *name, int nparams, const char *const *params)
{
	return lc_db_exec_with(db, name, nparams, params, LC_DB_GENERIC);
}

static bool simple(struct lc_db *db, const char *sql)
{
	if (!db->conn)
		return false;
	PGresult *r = PQexec(db->conn, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		set_failure(db, r);
	PQclear(r);
	return ok;
}

static bool retryable(const struct lc_db *db)
{
	return strcmp(db->sqlstate, "40001") == 0 || strcmp(db->sqlstate, "40P01") == 0;
}

enum lc_tx_result lc_db_tx(struct lc_db *db, enum lc_tx_result (*fn)(struct lc_db *, void *), void *arg)
{
	bool relinked = false;
	for (int attempt = 0; attempt < 5; attempt++) {
		if (!ensure_connected(db))
			return LC_TX_ERROR;
		if (!simple(db, "BEGIN")) {
			if (db->unavailable && !relinked) { /* stale link found at BEGIN: nothing ran yet */
				relinked = true;
				disconnect(db);
				db->retry_at.tv_sec = 0;
				attempt--;
				continue;
			}
			return LC_TX_ERROR;
		}
		db->in_tx = true;
		enum lc_tx_result res = fn(db, arg);
		db->in_tx = false;
		if (res == LC_TX_COMMIT) {
			if (simple(db, "COMMIT"))
				return LC_TX_COMMIT;
			if (retryable(db))
				continue; /* a failed COMMIT has already rolled back */
			return LC_TX_ERROR;
		}
		char state[6];
		memcpy(state, db->sqlstate, sizeof(state));
		bool gone = db->unavailable;
		if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
			simple(db, "ROLLBACK");
		memcpy(db->sqlstate, state, sizeof(state)); /* keep the cause, not the rollback's status */
		db->unavailable = gone;
		if (res == LC_TX_ERROR && retryable(db)) {
			struct timespec pause = {0, (long)(1 + attempt) * 5 * 1000 * 1000};
			nanosleep(&pause, NULL);
			continue;
		}
		return res;
	}
	return LC_TX_ERROR;
}

int lc_db_run(struct lc_db *db, const char *name, int nparams, const char *const *params)
{
	PGresult *r = lc_db_exec(db, name, nparams, params);
	if (!r)
		return -1;
	int rows = atoi(PQcmdTuples(r));
	if (PQresultStatus(r) == PGRES_TUPLES_OK && rows == 0)
		rows = PQntuples(r);
	PQclear(r);
	return rows;
}

json_t *lc_db_json(struct lc_db *db, const char *name, int nparams, const char *const *params, bool *failed)
{
	*failed = false;
	PGresult *r = lc_db_exec(db, name, nparams, params);
	if (!r) {
		*failed = true;
		return NULL;
	}
	json_t *j = NULL;
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		j = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		if (!j)
			*failed = true;
	}
	PQclear(r);
	return j;
}

json_t *lc_db_cell_json(const PGresult *r, int row, int col)
{
	if (!r || row >= PQntuples(r) || col >= PQnfields(r) || PQgetisnull(r, row, col))
		return NULL;
	return json_loads(PQgetvalue(r, row, col), JSON_DECODE_ANY, NULL);
}

json_t *lc_db_rows_json(const PGresult *r, int max)
{
	json_t *items = json_array();
	for (int i = 0; r && i < PQntuples(r) && (max < 0 || i < max); i++) {
		json_t *j = lc_db_cell_json(r, i, 0);
		if (j)
			json_array_append_new(items, j);
	}
	return items;
}

static bool item_text(struct lc_buf *b, const PGresult *r, int row, void *col)
{
	int c = *(const int *)col;
	return lc_buf_append(b, PQgetvalue(r, row, c), (size_t)PQgetlength(r, row, c));
}

char *lc_db_items_text(const PGresult *r, int n, int col, const char *next, size_t *len)
{
	return lc_db_items_write(r, n, item_text, &col, next, len);
}

char *lc_db_items_write(const PGresult *r, int n, lc_db_item_fn *item, void *arg, const char *next,
                        size_t *len)
{
	struct lc_buf b;
	lc_buf_init(&b, 0);
	bool ok = lc_buf_append(&b, "{\"items\":[", 10);
	for (int i = 0; ok && i < n; i++)
		ok = (i == 0 || lc_buf_append(&b, ",", 1)) && item(&b, r, i, arg);
	ok = ok && (next ? lc_buf_printf(&b, "],\"next_cursor\":\"%s\"}", next)
	                 : lc_buf_append(&b, "],\"next_cursor\":null}", 21));
	if (!ok) {
		lc_buf_free(&b);
		return NULL;
	}
	return lc_buf_steal(&b, len);
}

bool lc_db_ready(struct lc_db *db, int latest)
{
	PGresult *r = lc_db_exec(db, "lc_ready", 0, NULL);
	if (!r)
		return false;
	bool ok = PQntuples(r) == 1 && atoi(PQgetvalue(r, 0, 0)) >= latest;
	PQclear(r);
	return ok;
}
